/*
 * vm/cli/options.c - the command line of `gilt run` and `gilt dis`: the
 * usage text, the option table (getopt_long), and the parsing of sizes,
 * durations and the simulator's model (see vm/cli/cli.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "vm/cli/cli.h"
#include "vm/gil/gil.h"
#include "vm/runtime/memory.h"

void cli_usage(FILE *out, const char *prog) {
    fprintf(out,
            "Usage: %s run [OPTIONS] FILE.py [ARGS...]\n"
            "       %s run [OPTIONS] -c CODE [ARGS...]\n"
            "       %s dis FILE.py | -c CODE\n"
            "       %s calibrate [-o FILE.json] [--quick]\n"
            "       %s help [COMMAND]\n"
            "       %s --help | --version\n"
            "\n"
            "gilt runs a subset of Python on a bytecode VM whose threads share\n"
            "a global interpreter lock, to study what the lock does.\n"
            "\n"
            "Commands:\n"
            "  run        run a program under a lock policy, in real or virtual time\n"
            "  dis        print a program's bytecode, as python -m dis does\n"
            "  calibrate  measure this machine into a cost file for 'run --sim'\n"
            "  help       show this overview, or the usage of one command\n"
            "\n"
            "'%s help COMMAND' or '%s COMMAND --help' shows a command's options.\n",
            prog, prog, prog, prog, prog, prog, prog, prog);
}

void cli_run_usage(FILE *out, const char *prog) {
    fprintf(out,
            "Usage: %s run [OPTIONS] FILE.py [ARGS...]\n"
            "       %s run [OPTIONS] -c CODE [ARGS...]\n"
            "\n"
            "Run a program (sys.argv is FILE.py or -c, then ARGS) on threads that\n"
            "share a global interpreter lock; exit statuses are CPython's.\n"
            "\n"
            "Options:\n"
            "  -c CODE                 run CODE instead of a file\n"
            "      --trace-exec[=all]  print each bytecode to stderr as it runs, with\n"
            "                          file:line, thread and function; =all also in\n"
            "                          the built-in modules (threading, queue)\n"
            "      --gil NAME          lock policy (available: %s)\n"
            "      --switch-interval DUR  switch interval: seconds (0.005, the\n"
            "                          default) or with a unit (5ms, 250us)\n"
            "      --check-interval N  ticks between releases, legacy policy (100)\n"
            "      --no-force-switching  turn off FORCE_SWITCHING (cpython policy)\n"
            "      --seed N            seed of the random module\n"
            "      --max-heap SIZE     MemoryError above SIZE bytes of live heap\n"
            "                          (suffixes K, M, G; default 4G)\n"
            "      --sim               virtual time: a deterministic simulation of\n"
            "                          threads on virtual cores (random is seeded\n"
            "                          with --seed or 0); the options below set\n"
            "                          its model (DUR is a number with a unit: ns,\n"
            "                          us, ms or s, as 250us; a bare number is refused)\n"
            "      --cores N           virtual cores (default 4)\n"
            "      --cost-file F.json  opcode costs and OS figures (gilt calibrate)\n"
            "      --timeslice DUR     OS time slice of threads sharing a core\n"
            "      --wake-latency MIN[,MEAN]  wake-up latency: MIN + exponential\n"
            "      --wake-tail SHARE%%,MEAN  that share of wake-ups slower by exp(MEAN)\n"
            "      --wake-fast LAT,IDLE  a core idle for less than IDLE wakes in LAT\n"
            "      --ctx-switch DUR    context-switch cost\n"
            "      --timer-slack DUR   lateness of timed waits and sleeps\n"
            "      --syscall-cost DUR  cost of waking a thread / entering a wait\n"
            "      --lookahead DUR     how far a thread may run ahead of another\n"
            "      --background-load K K CPU-bound threads of other programs share\n"
            "                          the virtual cores (a busy machine; default 0)\n"
            "      --progress          report virtual progress on stderr (default:\n"
            "                          when stderr is a terminal)\n"
            "      --stats FILE.csv    write per-thread GIL statistics at exit\n"
            "      --hist FILE.csv     write latency histograms (GIL wait, I/O return,\n"
            "                          gilt.Histogram) with percentiles\n"
            "      --trace FILE.json   write a Chrome trace-event timeline (Perfetto)\n"
            "                          (FILE '-' for these three: standard output)\n"
            "  -h, --help              show this help and exit\n"
            "  -V, --version           show the version and exit\n",
            prog, prog, gil_ops_names());
}

void cli_dis_usage(FILE *out, const char *prog) {
    fprintf(out,
            "Usage: %s dis FILE.py\n"
            "       %s dis -c CODE\n"
            "\n"
            "Compile a program and print its bytecode as python -m dis does: each\n"
            "code object under a header naming its function, nested ones after\n"
            "their parent; source lines in the first column, '>>' on jump\n"
            "targets, operands decoded.\n"
            "\n"
            "Options:\n"
            "  -c CODE     disassemble CODE instead of a file\n"
            "  -h, --help  show this help and exit\n",
            prog, prog);
}

/* ---- mistakes: messages and suggestions --------------------------------- */

int cli_error(const char *prog, const char *cmd, const char *fmt, ...) {
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "%s: ", prog);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
    fprintf(stderr, "%s: try '%s%s%s --help' for more information\n", prog, prog,
            cmd ? " " : "", cmd ? cmd : "");
    return CLI_EXIT_USAGE;
}

/* Edit distance (optimal string alignment: insertions, deletions,
 * substitutions and swaps of neighbours, each 1), of a against the first
 * blen characters of b.  Names here are short; longer ones are far. */
static size_t edit_distance(const char *a, const char *b, size_t blen) {
    enum { MAX = 64 };
    size_t alen = strlen(a);
    if (alen >= MAX || blen >= MAX) return SIZE_MAX;
    size_t d[MAX][MAX];
    for (size_t i = 0; i <= alen; i++) d[i][0] = i;
    for (size_t j = 0; j <= blen; j++) d[0][j] = j;
    for (size_t i = 1; i <= alen; i++)
        for (size_t j = 1; j <= blen; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[alen][blen];
}

const char *cli_nearest(const char *word, const char *const *cands, size_t n, bool prefixes) {
    size_t wlen = strlen(word);
    /* Close enough to be a slip of the fingers: one edit in a short word,
     * a third of a longer one. */
    size_t limit = wlen / 3 > 1 ? wlen / 3 : 1;
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t clen = strlen(cands[i]);
        size_t d = edit_distance(word, cands[i], clen);
        /* An abbreviation with a slip ("--swich" for --switch-interval):
         * getopt_long takes abbreviations of long options. */
        for (size_t plen = wlen - 1; prefixes && wlen >= 4 && plen <= wlen + 1 && plen < clen;
             plen++) {
            size_t dp = edit_distance(word, cands[i], plen);
            if (dp < d) d = dp;
        }
        if (d < best_d && d < clen) {
            best_d = d;
            best = cands[i];
        }
    }
    return best_d <= limit ? best : NULL;
}

/* The names of longopts, for cli_nearest. */
static size_t long_names(const struct option *longopts, const char **names, size_t cap) {
    size_t n = 0;
    for (; longopts->name && n < cap; longopts++) names[n++] = longopts->name;
    return n;
}

int cli_getopt_error(const char *prog, const char *cmd, int c, char **argv,
                     const struct option *longopts) {
    /* Every long-option error has stepped optind past the option's word;
     * a short option's error need not have (a cluster "-xV"), but then
     * optopt names it. */
    const char *word = optind > 0 ? argv[optind - 1] : "";
    bool is_long = strncmp(word, "--", 2) == 0;
    const char *opt = is_long ? word + 2 : "";
    size_t len = strcspn(opt, "=");
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), opt);
    if (c == ':') {
        if (is_long) return cli_error(prog, cmd, "option '--%s' requires an argument", name);
        return cli_error(prog, cmd, "option requires an argument -- '%c'", optopt);
    }
    if (is_long && optopt != 0 && opt[len] == '=')
        return cli_error(prog, cmd, "option '--%s' doesn't allow an argument", name);
    if (optopt != 0 || !is_long) {
        if (optopt > ' ' && optopt < 127)
            return cli_error(prog, cmd, "invalid option -- '%c'", optopt);
        return cli_error(prog, cmd, "invalid option '%s'", word);
    }
    /* An unknown long option, or an abbreviation of more than one. */
    const char *names[64];
    size_t n = long_names(longopts, names, sizeof names / sizeof names[0]);
    size_t matches = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(names[i], name, len) == 0) matches++;
    if (matches > 1 && len > 0) {
        fprintf(stderr, "%s: option '--%s' is ambiguous; possibilities:", prog, name);
        for (size_t i = 0; i < n; i++)
            if (strncmp(names[i], name, len) == 0) fprintf(stderr, " '--%s'", names[i]);
        fputc('\n', stderr);
        return cli_error(prog, cmd, NULL);
    }
    const char *near = cli_nearest(name, names, n, true);
    if (near)
        return cli_error(prog, cmd, "unrecognized option '%s' (did you mean '--%s'?)", word,
                         near);
    return cli_error(prog, cmd, "unrecognized option '%s'", word);
}

/* --gil NAME that names no policy: the nearest one, and the list. */
static int unknown_policy(const char *prog, const char *name) {
    char list[256];
    snprintf(list, sizeof list, "%s", gil_ops_names());
    const char *names[32];
    size_t n = 0;
    for (char *p = strtok(list, ", "); p && n < 32; p = strtok(NULL, ", ")) names[n++] = p;
    const char *near = cli_nearest(name, names, n, false);
    if (near)
        fprintf(stderr, "%s: unknown GIL policy '%s' (did you mean '%s'?)\n", prog, name, near);
    else
        fprintf(stderr, "%s: unknown GIL policy '%s'\n", prog, name);
    fprintf(stderr, "%s: the policies are: %s\n", prog, gil_ops_names());
    return CLI_EXIT_USAGE;
}

/* Read a whole file (NUL-terminated, its length in *length: it may hold
 * NUL bytes, which the compiler refuses); NULL with errno set on failure. */
static char *read_file(const char *path, size_t *length) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, len = 0;
    char *buf = (char *)vm_realloc(NULL, NULL, 0, cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            buf = (char *)vm_realloc(NULL, buf, cap, cap * 2);
            cap *= 2;
        }
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (err) {
        vm_realloc(NULL, buf, 0, 0);
        errno = err;
        return NULL;
    }
    buf[len] = '\0';
    *length = len;
    return buf;
}

/* An integer option from lo to hi: decimal digits only, because strtoull
 * reads "" as 0 and wraps " -1" to the largest value. */
static bool parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out) {
    if (!isdigit((unsigned char)s[0])) return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return false;
    *out = v;
    return true;
}

static bool parse_size(const char *s, size_t *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !(v >= 0)) return false;
    switch (*end) {
    case 'k': case 'K': v *= 1024.0; end++; break;
    case 'm': case 'M': v *= 1024.0 * 1024; end++; break;
    case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
    default: break;
    }
    if (*end == 'b' || *end == 'B') end++;
    if (*end) return false;
    /* Converting a double beyond size_t (or inf) is undefined. */
    if (!(v < (double)SIZE_MAX)) return false;
    *out = (size_t)v;
    return true;
}

/* The one parser of the command line's durations: a decimal number and a
 * unit (ns, us, ms, s), "250us", "5ms", "0.1s", "800ns", into *out in units
 * of unit_ns nanoseconds (inf when too large for a double).  A bare number
 * is in that unit where the option has a natural one (bare_ok:
 * --switch-interval takes seconds, as sys.setswitchinterval), and
 * DUR_NO_UNIT otherwise: the OS model's latencies, where a bare number is
 * ambiguous between the units people use for them. */
typedef enum { DUR_OK, DUR_BAD, DUR_NO_UNIT } DurResult;

static DurResult parse_duration(const char *s, double unit_ns, bool bare_ok, double *out) {
    /* Digits first: strtod would also take " 5", "-5", "inf", "nan" and
     * hexadecimal, none of which is a duration. */
    size_t digits = strspn(s, "0123456789.eE+-");
    if (!isdigit((unsigned char)s[0]) && !(s[0] == '.' && isdigit((unsigned char)s[1])))
        return DUR_BAD;
    char *end;
    double v = strtod(s, &end);
    if (end == s || end > s + digits || !(v >= 0)) return DUR_BAD;
    double scale;
    if (*end == '\0') {
        if (!bare_ok) return DUR_NO_UNIT;
        scale = unit_ns;
    } else if (strcmp(end, "ns") == 0) scale = 1;
    else if (strcmp(end, "us") == 0) scale = 1e3;
    else if (strcmp(end, "ms") == 0) scale = 1e6;
    else if (strcmp(end, "s") == 0) scale = 1e9;
    else return DUR_BAD;
    /* One rounding, by an exact power of ten: 5ms is 0.005 s exactly as
     * the literal 0.005 is. */
    *out = scale >= unit_ns ? v * (scale / unit_ns) : v / (unit_ns / scale);
    return DUR_OK;
}

/* A duration of the OS model (--timeslice, ...): with a unit, at most
 * SIM_MODEL_MAX_NS, in nanoseconds. */
static DurResult parse_model_duration(const char *s, uint64_t *out) {
    double ns;
    DurResult r = parse_duration(s, 1, false, &ns);
    if (r != DUR_OK) return r;
    if (!(ns <= (double)SIM_MODEL_MAX_NS)) return DUR_BAD;
    *out = (uint64_t)(ns + 0.5);
    return DUR_OK;
}

/* Two OS-model durations, the second optional (NULL): a missing unit in
 * either is what to report first. */
static DurResult model_pair(const char *a, uint64_t *x, const char *b, uint64_t *y) {
    DurResult ra = parse_model_duration(a, x);
    DurResult rb = b ? parse_model_duration(b, y) : DUR_OK;
    if (ra == DUR_NO_UNIT || rb == DUR_NO_UNIT) return DUR_NO_UNIT;
    return ra != DUR_OK ? ra : rb;
}

/* "--timeslice 5": which unit?  Say so, with an example of the option. */
static int no_unit(const char *prog, const char *opt, const char *parts, const char *example,
                   const char *arg) {
    fprintf(stderr, "%s: --%s wants a unit on %s (ns, us, ms or s), e.g. --%s %s, not '%s'\n",
            prog, opt, parts ? parts : "its duration", opt, example, arg);
    return cli_error(prog, "run", NULL);
}

/* Split an option's "A,B" into buf (A) and the returned B, or NULL when
 * there is no comma.  Too long for buf: an empty A, which no parser
 * accepts (rather than a truncated value that might pass). */
static const char *split_pair(const char *arg, char *buf, size_t size) {
    if ((size_t)snprintf(buf, size, "%s", arg) >= size) {
        buf[0] = '\0';
        return NULL;
    }
    char *comma = strchr(buf, ',');
    if (!comma) return NULL;
    *comma = '\0';
    return comma + 1;
}

SimConfig cli_sim_model(const CostModel *costs, const SimArgs *sa, uint64_t seed) {
    SimConfig cfg = costs->os;
    cfg.cores = sa->cores;
    cfg.seed = seed;
    if (sa->set_timeslice) cfg.timeslice_ns = sa->os.timeslice_ns;
    if (sa->set_wake) {
        cfg.wake_min_ns = sa->os.wake_min_ns;
        cfg.wake_mean_ns = sa->os.wake_mean_ns;
    }
    if (sa->set_tail) {
        cfg.wake_tail_ppm = sa->os.wake_tail_ppm;
        cfg.wake_tail_ns = sa->os.wake_tail_ns;
    }
    if (sa->set_fast) {
        cfg.wake_fast_ns = sa->os.wake_fast_ns;
        cfg.idle_shallow_ns = sa->os.idle_shallow_ns;
    }
    if (sa->set_ctx) cfg.ctx_switch_ns = sa->os.ctx_switch_ns;
    if (sa->set_slack) cfg.timer_slack_ns = sa->os.timer_slack_ns;
    if (sa->set_syscall) cfg.syscall_ns = sa->os.syscall_ns;
    if (sa->set_lookahead) cfg.lookahead_ns = sa->os.lookahead_ns;
    if (sa->set_background) cfg.background_threads = sa->os.background_threads;
    return cfg;
}

enum {
    OPT_TRACE_EXEC = 256,
    OPT_GIL,
    OPT_SWITCH_INTERVAL,
    OPT_CHECK_INTERVAL,
    OPT_NO_FORCE_SWITCHING,
    OPT_SEED,
    OPT_MAX_HEAP,
    OPT_STATS,
    OPT_HIST,
    OPT_TRACE,
    OPT_SIM,
    OPT_CORES,
    OPT_COST_FILE,
    OPT_TIMESLICE,
    OPT_WAKE_LATENCY,
    OPT_CTX_SWITCH,
    OPT_TIMER_SLACK,
    OPT_SYSCALL_COST,
    OPT_LOOKAHEAD,
    OPT_PROGRESS,
    OPT_WAKE_FAST,
    OPT_WAKE_TAIL,
    OPT_BACKGROUND_LOAD,
};

static const struct option run_options[] = {
    {"trace-exec", optional_argument, NULL, OPT_TRACE_EXEC},
    {"gil", required_argument, NULL, OPT_GIL},
    {"switch-interval", required_argument, NULL, OPT_SWITCH_INTERVAL},
    {"check-interval", required_argument, NULL, OPT_CHECK_INTERVAL},
    {"no-force-switching", no_argument, NULL, OPT_NO_FORCE_SWITCHING},
    {"seed", required_argument, NULL, OPT_SEED},
    {"max-heap", required_argument, NULL, OPT_MAX_HEAP},
    {"stats", required_argument, NULL, OPT_STATS},
    {"hist", required_argument, NULL, OPT_HIST},
    {"trace", required_argument, NULL, OPT_TRACE},
    {"sim", no_argument, NULL, OPT_SIM},
    {"cores", required_argument, NULL, OPT_CORES},
    {"cost-file", required_argument, NULL, OPT_COST_FILE},
    {"timeslice", required_argument, NULL, OPT_TIMESLICE},
    {"wake-latency", required_argument, NULL, OPT_WAKE_LATENCY},
    {"ctx-switch", required_argument, NULL, OPT_CTX_SWITCH},
    {"timer-slack", required_argument, NULL, OPT_TIMER_SLACK},
    {"syscall-cost", required_argument, NULL, OPT_SYSCALL_COST},
    {"lookahead", required_argument, NULL, OPT_LOOKAHEAD},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"wake-fast", required_argument, NULL, OPT_WAKE_FAST},
    {"wake-tail", required_argument, NULL, OPT_WAKE_TAIL},
    {"background-load", required_argument, NULL, OPT_BACKGROUND_LOAD},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static const struct option dis_options[] = {
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int cli_parse_run(const char *prog, const char *cmd, int argc, char **argv, CliRun *r) {
    memset(r, 0, sizeof *r);
    VmOptions opts;
    vm_options_default(&opts);
    const char *code_arg = NULL;
    const char *stats_path = NULL, *hist_path = NULL, *trace_path = NULL;
    SimArgs sa;
    memset(&sa, 0, sizeof sa);
    sa.cores = 4;
    bool dis = strcmp(cmd, "dis") == 0;
    const struct option *longopts = dis ? dis_options : run_options;
    int c;
    optind = 1;
    opterr = 0;  /* its messages are cli_getopt_error's */
    /* '+' stops at the first non-option: what follows belongs to the
     * program (sys.argv).  ':' tells a missing argument from an unknown
     * option. */
    while ((c = getopt_long(argc, argv, dis ? "+:c:h" : "+:c:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': code_arg = optarg; goto options_done;
        case OPT_TRACE_EXEC:
            if (optarg && strcmp(optarg, "all") != 0)
                return cli_error(prog, cmd,
                                 "--trace-exec takes no value, or =all (also trace the "
                                 "built-in modules), not '%s'", optarg);
            opts.trace_exec = true;
            opts.trace_exec_all = optarg != NULL;
            break;
        case OPT_GIL:
            if (!gil_ops_find(optarg))
                return unknown_policy(prog, optarg);
            opts.gil_name = optarg;
            break;
        case OPT_SWITCH_INTERVAL: {
            double v;
            char why[128];
            if (parse_duration(optarg, 1e9, true, &v) != DUR_OK ||
                vm_switch_interval_invalid(v, why, sizeof why))
                return cli_error(prog, cmd,
                                  "--switch-interval wants a positive duration up to 3600s: "
                                  "seconds (0.005, as sys.setswitchinterval) or a number with "
                                  "a unit (ns, us, ms, s: 5ms), not '%s'", optarg);
            opts.switch_interval = v;
            opts.switch_interval_set = true;
            break;
        }
        case OPT_CHECK_INTERVAL: {
            uint64_t v;
            if (!parse_uint(optarg, 1, INT_MAX, &v))
                return cli_error(prog, cmd,
                                  "--check-interval wants an integer from 1 to 2147483647, "
                                  "not '%s'", optarg);
            opts.check_interval = (int)v;
            break;
        }
        case OPT_NO_FORCE_SWITCHING: opts.force_switching = false; break;
        case OPT_SEED:
            if (!parse_uint(optarg, 0, UINT64_MAX, &opts.seed))
                return cli_error(prog, cmd,
                                  "--seed wants an integer from 0 to 18446744073709551615, "
                                  "not '%s'", optarg);
            opts.seed_set = true;
            break;
        case OPT_MAX_HEAP:
            if (!parse_size(optarg, &opts.max_heap) || opts.max_heap == 0)
                return cli_error(prog, cmd, "bad --max-heap size '%s'", optarg);
            break;
        case OPT_STATS: stats_path = optarg; break;
        case OPT_HIST: hist_path = optarg; break;
        case OPT_TRACE: trace_path = optarg; break;
        case OPT_SIM: sa.enabled = true; break;
        case OPT_CORES: {
            uint64_t v;
            if (!parse_uint(optarg, 1, SIM_MAX_CORES, &v))
                return cli_error(prog, cmd, "--cores wants an integer from 1 to 1024, not '%s'",
                                  optarg);
            sa.cores = (int)v;
            sa.any = true;
            break;
        }
        case OPT_COST_FILE: sa.cost_file = optarg; sa.any = true; break;
        case OPT_BACKGROUND_LOAD:
            if (!parse_uint(optarg, 0, SIM_MAX_BACKGROUND, &sa.os.background_threads))
                return cli_error(prog, cmd,
                                  "--background-load wants a number of threads from 0 to %d, "
                                  "not '%s'", SIM_MAX_BACKGROUND, optarg);
            sa.set_background = sa.any = true;
            break;
        case OPT_PROGRESS: sa.progress = true; sa.any = true; break;
        case OPT_WAKE_TAIL: {
            char buf[128], *end;
            const char *mean = split_pair(optarg, buf, sizeof buf);
            double pct = strtod(buf, &end);
            DurResult d = mean ? parse_model_duration(mean, &sa.os.wake_tail_ns) : DUR_BAD;
            if (d == DUR_NO_UNIT) return no_unit(prog, "wake-tail", "MEAN", "10%,200us", optarg);
            if (d != DUR_OK || end == buf || strcmp(end, "%") != 0 || !(pct >= 0 && pct <= 100))
                return cli_error(prog, cmd,
                                  "--wake-tail wants SHARE%%,MEAN (e.g. 10%%,200us: one wake-up "
                                  "in ten is slower by an exponential of mean 200 us; SHARE up "
                                  "to 100%%, MEAN up to 3600s), not '%s'",
                                  optarg);
            sa.os.wake_tail_ppm = (uint64_t)(pct * 10000 + 0.5);
            sa.set_tail = sa.any = true;
            break;
        }
        case OPT_WAKE_FAST: {
            char buf[128];
            const char *idle = split_pair(optarg, buf, sizeof buf);
            DurResult d = idle ? model_pair(buf, &sa.os.wake_fast_ns, idle, &sa.os.idle_shallow_ns)
                               : DUR_BAD;
            if (d == DUR_NO_UNIT)
                return no_unit(prog, "wake-fast", "LATENCY and IDLE", "2us,50us", optarg);
            if (d != DUR_OK)
                return cli_error(prog, cmd,
                                  "--wake-fast wants LATENCY,IDLE durations up to 3600s (e.g. "
                                  "2us,50us: a core idle for less than IDLE wakes in LATENCY), "
                                  "not '%s'",
                                  optarg);
            sa.set_fast = sa.any = true;
            break;
        }
        case OPT_WAKE_LATENCY: {
            char buf[128];
            const char *mean = split_pair(optarg, buf, sizeof buf);
            DurResult d = model_pair(buf, &sa.os.wake_min_ns, mean, &sa.os.wake_mean_ns);
            if (d == DUR_NO_UNIT)
                return no_unit(prog, "wake-latency", "MIN and MEAN", "5us,30us", optarg);
            if (d != DUR_OK)
                return cli_error(prog, cmd,
                                  "--wake-latency wants MIN or MIN,MEAN durations up to 3600s "
                                  "with MEAN >= MIN (e.g. 5us,30us), not '%s'", optarg);
            if (!mean) sa.os.wake_mean_ns = sa.os.wake_min_ns;
            sa.set_wake = sa.any = true;
            break;
        }
#define DURATION_OPTION(code, name, field, flag, example)                     \
        case code: {                                                          \
            DurResult d = parse_model_duration(optarg, &sa.os.field);         \
            if (d == DUR_NO_UNIT) return no_unit(prog, name, NULL, example, optarg); \
            if (d != DUR_OK)                                                  \
                return cli_error(prog, cmd, "--" name " wants a duration with a unit " \
                                  "(ns, us, ms, s) up to 3600s, e.g. " example ", not '%s'", \
                                  optarg);                                    \
            sa.flag = sa.any = true;                                          \
            break;                                                            \
        }
        DURATION_OPTION(OPT_TIMESLICE, "timeslice", timeslice_ns, set_timeslice, "5ms")
        DURATION_OPTION(OPT_CTX_SWITCH, "ctx-switch", ctx_switch_ns, set_ctx, "3us")
        DURATION_OPTION(OPT_TIMER_SLACK, "timer-slack", timer_slack_ns, set_slack, "50us")
        DURATION_OPTION(OPT_SYSCALL_COST, "syscall-cost", syscall_ns, set_syscall, "500ns")
        DURATION_OPTION(OPT_LOOKAHEAD, "lookahead", lookahead_ns, set_lookahead, "20us")
#undef DURATION_OPTION
        case 'h':
            (dis ? cli_dis_usage : cli_run_usage)(stdout, prog);
            return 0;
        case 'V': printf("gilt %s\n", PACKAGE_VERSION); return 0;
        default: return cli_getopt_error(prog, cmd, c, argv, longopts);
        }
    }
options_done:;
    if (sa.any && !sa.enabled) {
        return cli_error(prog, cmd, "--cores, --cost-file and the OS-model options need --sim");
    }
    vm_costs_default(&r->costs);
    if (sa.cost_file) {
        char err[512];
        if (vm_costs_load(&r->costs, sa.cost_file, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s\n", prog, err);
            return CLI_EXIT_USAGE;
        }
    }
    if (sa.enabled) {
        /* The cost file passed the same check alone: what fails now, the
         * options asked for. */
        SimConfig model = cli_sim_model(&r->costs, &sa, 0);
        char err[256];
        if (!sim_config_validate(&model, err, sizeof err))
            return cli_error(prog, cmd, "the options make a bad OS model: %s", err);
    }
    int nfile = code_arg ? 0 : 1;
    if (dis && argc - optind > nfile)
        return cli_error(prog, cmd, "dis: unexpected argument '%s'", argv[optind + nfile]);
    const char *filename;
    char *source;
    size_t source_len;
    if (code_arg) {
        filename = "<string>";
        source_len = strlen(code_arg);
        source = (char *)vm_realloc(NULL, NULL, 0, source_len + 1);
        strcpy(source, code_arg);
    } else {
        if (optind >= argc)
            return cli_error(prog, cmd, "%s: missing FILE.py (or -c CODE)", cmd);
        filename = argv[optind++];
        source = read_file(filename, &source_len);
        if (!source) {
            fprintf(stderr, "%s: can't open file '%s': [Errno %d] %s\n", prog,
                    filename, errno, strerror(errno));
            return CLI_EXIT_USAGE;
        }
    }

    if (sa.enabled && !opts.seed_set) {
        /* Nothing from the host may leak into a virtual run. */
        opts.seed = 0;
        opts.seed_set = true;
    }
    r->opts = opts;
    r->sa = sa;
    r->code_arg = code_arg;
    r->filename = filename;
    r->source = source;
    r->source_len = source_len;
    r->stats_path = stats_path;
    r->hist_path = hist_path;
    r->trace_path = trace_path;
    r->nargs = argc - optind;
    r->args = argv + optind;
    return -1;
}

void cli_run_fini(CliRun *r) {
    vm_realloc(NULL, r->source, 0, 0);
    r->source = NULL;
}
