/*
 * vm/cli/cli.h - what the pieces of the `gilt` command share: the parsed
 * command line of `gilt run` and `gilt dis`, and the helpers that read it.
 *
 *   main.c       dispatch on the command word
 *   options.c    usage text, option table, parsing of sizes and durations
 *   run.c        `gilt run`: the VM on its platform, Ctrl-C, the records
 *   dis.c        `gilt dis`: compile and disassemble
 *   calibrate.c  `gilt calibrate`: measure this machine into a cost file
 */
#ifndef GILT_VM_CLI_CLI_H
#define GILT_VM_CLI_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/sched.h"
#include "vm/platform/costs.h"
#include "vm/runtime/vm.h"

#define CLI_EXIT_USAGE 2

/* What the command line says about the simulator's model. */
typedef struct {
    bool enabled;   /* --sim */
    const char *cost_file;
    int cores;
    bool progress;
    /* Overrides of the cost model's OS figures (set_* marks given ones:
     * the cost file is read after the options, and the options win). */
    SimConfig os;
    bool set_timeslice, set_wake, set_ctx, set_slack, set_syscall, set_lookahead, set_fast,
        set_tail, set_background;
    bool any;   /* some simulator option was given */
} SimArgs;

/* The command line of `gilt run` / `gilt dis`. */
typedef struct {
    VmOptions opts;
    SimArgs sa;
    CostModel costs;          /* the built-in table, or --cost-file's */
    const char *code_arg;     /* -c CODE, or NULL */
    const char *filename;     /* the program's file, or "<string>" */
    char *source;             /* its text (owned) */
    size_t source_len;        /* its length (it may hold NUL bytes) */
    const char *stats_path, *hist_path, *trace_path;
    int nargs;                /* sys.argv[1:] */
    char **args;
} CliRun;

/* The usage texts: the overview (gilt --help, gilt help) and each
 * command's (gilt CMD --help, gilt help CMD). */
void cli_usage(FILE *out, const char *prog);
void cli_run_usage(FILE *out, const char *prog);
void cli_dis_usage(FILE *out, const char *prog);
/* A mistake on the command line: "PROG: <message>" (none when fmt is
 * NULL) and "PROG: try 'PROG CMD --help' ..." (CMD NULL: 'PROG --help')
 * on stderr.  Returns CLI_EXIT_USAGE. */
int cli_error(const char *prog, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* getopt_long's error c (run with opterr = 0 and an optstring starting
 * "+:") in getopt's words, prefixed with PROG, and the nearest long option
 * where one is close.  Returns CLI_EXIT_USAGE. */
int cli_getopt_error(const char *prog, const char *cmd, int c, char **argv,
                     const struct option *longopts);
/* The candidate nearest to word by edit distance (a swap of neighbours
 * counts one) when it is close enough to be a typo, else NULL; prefixes:
 * also against abbreviations of the candidates (long options). */
const char *cli_nearest(const char *word, const char *const *cands, size_t n, bool prefixes);
/* Parse the options and load the program text into *r.  Returns -1 to go
 * on, or the exit status to leave with (help, version, a mistake). */
int cli_parse_run(const char *prog, const char *cmd, int argc, char **argv, CliRun *r);
void cli_run_fini(CliRun *r);
/* The simulator's model: the cost file's (or the built-in) OS figures,
 * then whatever the options override. */
SimConfig cli_sim_model(const CostModel *costs, const SimArgs *sa, uint64_t seed);

int cli_run_main(const char *prog, int argc, char **argv);
int cli_dis_main(const char *prog, int argc, char **argv);

#endif /* GILT_VM_CLI_CLI_H */
