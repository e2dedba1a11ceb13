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

#include <stdbool.h>
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
        set_tail;
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
    const char *stats_path, *hist_path, *trace_path;
    int nargs;                /* sys.argv[1:] */
    char **args;
} CliRun;

void cli_usage(FILE *out, const char *prog);
/* "PROG: <message>" (none when fmt is NULL) and the --help hint on stderr;
 * returns CLI_EXIT_USAGE. */
int cli_bad_option(const char *prog, const char *fmt, const char *arg);
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
