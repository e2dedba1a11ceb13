/*
 * vm/cli/main.c - the `gilt` command line.
 *
 *   gilt run [OPTIONS] FILE.py [ARGS...]   run a program
 *   gilt run [OPTIONS] -c CODE [ARGS...]   run a string
 *   gilt dis FILE.py                       disassemble
 *
 * Exit statuses follow CPython: 0 on success, 1 for an uncaught exception
 * or a syntax error, the SystemExit code when the program calls sys.exit,
 * and 2 for command-line mistakes (usage printed to stderr).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "vm/cli/calibrate.h"
#include "vm/compile/compiler.h"
#include "vm/platform/costs.h"
#include "vm/bytecode/dis.h"
#include "vm/gil/gil.h"
#include "vm/object/list.h"
#include "vm/runtime/memory.h"
#include "vm/record/record.h"
#include "vm/record/stats.h"
#include "vm/object/str.h"
#include "vm/runtime/vm.h"
#include "sim/clock.h"
#include "sim/sched.h"
#include "sim/virtual.h"
#include "vm/platform/gil_platform.h"

#define EXIT_USAGE 2

static void usage(FILE *out, const char *prog) {
    fprintf(out,
            "Usage: %s run [OPTIONS] FILE.py [ARGS...]\n"
            "       %s run [OPTIONS] -c CODE [ARGS...]\n"
            "       %s dis FILE.py\n"
            "       %s calibrate [-o FILE.json] [--quick]\n"
            "       %s --help | --version\n"
            "\n"
            "gilt runs a subset of Python on a bytecode VM whose threads share\n"
            "a global interpreter lock, to study what the lock does.\n"
            "\n"
            "Options for run:\n"
            "  -c CODE                 run CODE instead of a file\n"
            "      --trace-exec        print each bytecode to stderr as it runs\n"
            "      --gil NAME          lock policy (available: %s)\n"
            "      --switch-interval S switch interval in seconds (default 0.005)\n"
            "      --check-interval N  ticks between releases, legacy policy (100)\n"
            "      --no-force-switching  turn off FORCE_SWITCHING (cpython policy)\n"
            "      --seed N            seed of the random module\n"
            "      --max-heap SIZE     MemoryError above SIZE bytes of live heap\n"
            "                          (suffixes K, M, G; default 4G)\n"
            "      --sim               virtual time: a deterministic simulation of\n"
            "                          threads on virtual cores (random is seeded\n"
            "                          with --seed or 0); the options below set\n"
            "                          its model (DUR is a number with ns, us, ms, s)\n"
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
            "      --progress          report virtual progress on stderr (default:\n"
            "                          when stderr is a terminal)\n"
            "      --stats FILE.csv    write per-thread GIL statistics at exit\n"
            "      --hist FILE.csv     write latency histograms (GIL wait, I/O return,\n"
            "                          gilt.Histogram) with percentiles\n"
            "      --trace FILE.json   write a Chrome trace-event timeline (Perfetto)\n"
            "  -h, --help              show this help and exit\n"
            "  -V, --version           show the version and exit\n",
            prog, prog, prog, prog, prog, gil_ops_names());
}

/* Read a whole file (NUL-terminated, its length in *length: it may hold
 * NUL bytes); NULL with errno set on failure. */
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

static bool parse_size(const char *s, size_t *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0) return false;
    switch (*end) {
    case 'k': case 'K': v *= 1024.0; end++; break;
    case 'm': case 'M': v *= 1024.0 * 1024; end++; break;
    case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
    default: break;
    }
    if (*end == 'b' || *end == 'B') end++;
    if (*end) return false;
    *out = (size_t)v;
    return true;
}

/* "250us", "5ms", "0.1s", "800ns" -> nanoseconds.  A unit is required:
 * a bare number is ambiguous between the units people use for latencies. */
static bool parse_duration(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !(v >= 0)) return false;
    double scale;
    if (strcmp(end, "ns") == 0) scale = 1;
    else if (strcmp(end, "us") == 0) scale = 1e3;
    else if (strcmp(end, "ms") == 0) scale = 1e6;
    else if (strcmp(end, "s") == 0) scale = 1e9;
    else return false;
    if (v * scale > 1e18) return false;
    *out = (uint64_t)(v * scale + 0.5);
    return true;
}

/* Split an option's "A,B" into buf (A) and the returned B, or NULL when
 * there is no comma. */
static const char *split_pair(const char *arg, char *buf, size_t size) {
    snprintf(buf, size, "%s", arg);
    char *comma = strchr(buf, ',');
    if (!comma) return NULL;
    *comma = '\0';
    return comma + 1;
}

/* What the command line says about the simulator's model. */
typedef struct {
    const char *cost_file;
    int cores;
    bool progress;
    /* Overrides of the cost model's OS figures (set_* marks given ones). */
    SimConfig os;
    bool set_timeslice, set_wake, set_ctx, set_slack, set_syscall, set_lookahead, set_fast,
        set_tail;
    bool any;   /* some simulator option was given */
} SimArgs;

/* The simulator's model: the cost file's (or the built-in) OS figures,
 * then whatever the options override. */
static SimConfig sim_model(const CostModel *costs, const SimArgs *sa, uint64_t seed) {
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
    return cfg;
}

/* The main thread's eval breaker, for the SIGINT handler: the one piece of
 * process-wide state, because a signal handler cannot be given a pointer. */
static _Atomic uint32_t *sigint_breaker;

/* In --sim the main thread may sit in an untimed virtual wait while other
 * threads run on, so it might never see the first Ctrl-C: a second one
 * ends the run. */
static volatile sig_atomic_t sigint_count;
static bool sigint_sim;

static void on_sigint(int sig) {
    (void)sig;
    if (sigint_sim && ++sigint_count >= 2) {
        static const char msg[] = "\ngilt: interrupted (second Ctrl-C in a virtual run)\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
        _exit(130);
    }
    if (sigint_breaker) atomic_fetch_or(sigint_breaker, VM_BREAK_SIGNAL);
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
};

static const struct option run_options[] = {
    {"trace-exec", no_argument, NULL, OPT_TRACE_EXEC},
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
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static int bad_option(const char *prog, const char *fmt, const char *arg) {
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
    return EXIT_USAGE;
}

static int cmd_run(const char *prog, int argc, char **argv, bool dis_only) {
    VmOptions opts;
    vm_options_default(&opts);
    const char *code_arg = NULL;
    const char *stats_path = NULL, *hist_path = NULL, *trace_path = NULL;
    SimArgs sa;
    memset(&sa, 0, sizeof sa);
    sa.cores = 4;
    int c;
    optind = 1;
    /* '+' stops at the first non-option: what follows belongs to the
     * program (sys.argv). */
    while ((c = getopt_long(argc, argv, "+c:hV", run_options, NULL)) != -1) {
        switch (c) {
        case 'c': code_arg = optarg; goto options_done;
        case OPT_TRACE_EXEC: opts.trace_exec = true; break;
        case OPT_GIL:
            if (!gil_ops_find(optarg))
                return bad_option(prog, "unknown GIL policy '%s'", optarg);
            opts.gil_name = optarg;
            break;
        case OPT_SWITCH_INTERVAL: {
            char *end;
            double v = strtod(optarg, &end);
            if (*end || !(v > 0))
                return bad_option(prog,
                                  "--switch-interval wants a positive number "
                                  "of seconds, not '%s'", optarg);
            opts.switch_interval = v;
            opts.switch_interval_set = true;
            break;
        }
        case OPT_CHECK_INTERVAL: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v <= 0)
                return bad_option(prog,
                                  "--check-interval wants a positive integer, "
                                  "not '%s'", optarg);
            opts.check_interval = (int)v;
            break;
        }
        case OPT_NO_FORCE_SWITCHING: opts.force_switching = false; break;
        case OPT_SEED: {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*end || errno || optarg[0] == '-')
                return bad_option(prog,
                                  "--seed wants a non-negative integer, not '%s'",
                                  optarg);
            opts.seed = v;
            opts.seed_set = true;
            break;
        }
        case OPT_MAX_HEAP:
            if (!parse_size(optarg, &opts.max_heap) || opts.max_heap == 0)
                return bad_option(prog, "bad --max-heap size '%s'", optarg);
            break;
        case OPT_STATS: stats_path = optarg; break;
        case OPT_HIST: hist_path = optarg; break;
        case OPT_TRACE: trace_path = optarg; break;
        case OPT_SIM: opts.sim = true; break;
        case OPT_CORES: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1024)
                return bad_option(prog, "--cores wants an integer from 1 to 1024, not '%s'",
                                  optarg);
            sa.cores = (int)v;
            sa.any = true;
            break;
        }
        case OPT_COST_FILE: sa.cost_file = optarg; sa.any = true; break;
        case OPT_PROGRESS: sa.progress = true; sa.any = true; break;
        case OPT_WAKE_TAIL: {
            char buf[128], *end;
            const char *mean = split_pair(optarg, buf, sizeof buf);
            double pct = strtod(buf, &end);
            if (!mean || end == buf || strcmp(end, "%") != 0 || !(pct >= 0 && pct <= 100) ||
                !parse_duration(mean, &sa.os.wake_tail_ns))
                return bad_option(prog,
                                  "--wake-tail wants SHARE%%,MEAN (e.g. 10%%,200us: one wake-up "
                                  "in ten is slower by an exponential of mean 200 us), not '%s'",
                                  optarg);
            sa.os.wake_tail_ppm = (uint64_t)(pct * 10000 + 0.5);
            sa.set_tail = sa.any = true;
            break;
        }
        case OPT_WAKE_FAST: {
            char buf[128];
            const char *idle = split_pair(optarg, buf, sizeof buf);
            if (!idle || !parse_duration(buf, &sa.os.wake_fast_ns) ||
                !parse_duration(idle, &sa.os.idle_shallow_ns))
                return bad_option(prog,
                                  "--wake-fast wants LATENCY,IDLE durations (e.g. 2us,50us: "
                                  "a core idle for less than IDLE wakes in LATENCY), not '%s'",
                                  optarg);
            sa.set_fast = sa.any = true;
            break;
        }
        case OPT_WAKE_LATENCY: {
            char buf[128];
            const char *mean = split_pair(optarg, buf, sizeof buf);
            if (!parse_duration(buf, &sa.os.wake_min_ns) ||
                (mean && !parse_duration(mean, &sa.os.wake_mean_ns)) ||
                (mean && sa.os.wake_mean_ns < sa.os.wake_min_ns))
                return bad_option(prog,
                                  "--wake-latency wants MIN or MIN,MEAN durations with "
                                  "MEAN >= MIN (e.g. 5us,30us), not '%s'", optarg);
            if (!mean) sa.os.wake_mean_ns = sa.os.wake_min_ns;
            sa.set_wake = sa.any = true;
            break;
        }
#define DURATION_OPTION(code, name, field, flag)                              \
        case code:                                                            \
            if (!parse_duration(optarg, &sa.os.field))                        \
                return bad_option(prog, "--" name " wants a duration with a unit " \
                                  "(ns, us, ms, s), not '%s'", optarg);       \
            sa.flag = sa.any = true;                                          \
            break;
        DURATION_OPTION(OPT_TIMESLICE, "timeslice", timeslice_ns, set_timeslice)
        DURATION_OPTION(OPT_CTX_SWITCH, "ctx-switch", ctx_switch_ns, set_ctx)
        DURATION_OPTION(OPT_TIMER_SLACK, "timer-slack", timer_slack_ns, set_slack)
        DURATION_OPTION(OPT_SYSCALL_COST, "syscall-cost", syscall_ns, set_syscall)
        DURATION_OPTION(OPT_LOOKAHEAD, "lookahead", lookahead_ns, set_lookahead)
#undef DURATION_OPTION
        case 'h': usage(stdout, prog); return 0;
        case 'V': printf("gilt %s\n", PACKAGE_VERSION); return 0;
        default:
            fprintf(stderr, "Try '%s --help' for more information.\n", prog);
            return EXIT_USAGE;
        }
    }
options_done:;
    if (sa.any && !opts.sim) {
        fprintf(stderr, "%s: --cores, --cost-file and the OS-model options need --sim\n"
                        "Try '%s --help' for more information.\n", prog, prog);
        return EXIT_USAGE;
    }
    if (sa.set_timeslice && sa.os.timeslice_ns == 0)
        return bad_option(prog, "--timeslice must be positive, not '%s'", "0");
    CostModel costs;
    vm_costs_default(&costs);
    if (sa.cost_file) {
        char err[512];
        if (vm_costs_load(&costs, sa.cost_file, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s\n", prog, err);
            return EXIT_USAGE;
        }
    }
    const char *filename;
    char *source;
    size_t source_len;
    if (code_arg) {
        filename = "<string>";
        source_len = strlen(code_arg);
        source = (char *)vm_realloc(NULL, NULL, 0, source_len + 1);
        strcpy(source, code_arg);
    } else {
        if (optind >= argc) {
            fprintf(stderr, "%s: %s: missing FILE.py\n", prog,
                    dis_only ? "dis" : "run");
            usage(stderr, prog);
            return EXIT_USAGE;
        }
        filename = argv[optind++];
        source = read_file(filename, &source_len);
        if (!source) {
            fprintf(stderr, "%s: can't open file '%s': [Errno %d] %s\n", prog,
                    filename, errno, strerror(errno));
            return EXIT_USAGE;
        }
    }

    if (opts.sim && !opts.seed_set) {
        /* Nothing from the host may leak into a virtual run. */
        opts.seed = 0;
        opts.seed_set = true;
    }
    Sim *sim = NULL;
    SimVirtualClock vclock;
    if (opts.sim) {
        SimConfig cfg = sim_model(&costs, &sa, opts.seed);
        sim = sim_new(&cfg);
        if (!sim) {
            fprintf(stderr, "%s: cannot start the simulator\n", prog);
            vm_realloc(NULL, source, 0, 0);
            return 1;
        }
        gil_platform_use_sim(sim);
        sim_virtual_init(&vclock, sim);
        sim_clock_set_backend(&vclock.backend);
        if (sa.progress || isatty(STDERR_FILENO)) sim_set_progress(sim, stderr, 3000);
    }
    VmShared *vm = vm_shared_new(&opts);
    VmThread *th = vm_thread_new(vm);
    if (sim) {
        vm->sim = sim;
        vm->cost_source = costs.source;
        vm_set_op_costs(vm, costs.op_ps, OP__COUNT);
        vm->heap.alloc_ps = costs.alloc_ps;
        vm->heap.sim = sim;
        sim_thread_bind(sim, sim_current(sim), &th->vtime_ps, &th->sim_horizon_ps);
        sim_set_deadlock_hook(sim, vm_thread_report_deadlock_hook, vm);
    }
    vm_list_append(vm, vm->argv,
                   VM_OBJ(vm_str_from_cstr(vm, code_arg ? "-c" : filename)));
    for (int i = optind; i < argc; i++)
        vm_list_append(vm, vm->argv, VM_OBJ(vm_str_from_cstr(vm, argv[i])));

    int status;
    if (dis_only) {
        VmCompileError err;
        memset(&err, 0, sizeof err);
        ObjCode *code = vm_compile_n(vm, source, source_len, filename, &err);
        if (code) {
            vm_dis_code(stdout, code);
            status = 0;
        } else {
            fprintf(stderr, "%s:%d:%d: %s: %s\n", filename, err.line, err.col,
                    err.type[0] ? err.type : "SyntaxError", err.message);
            status = 1;
        }
    } else {
        sigint_breaker = &th->eval_breaker;
        sigint_sim = sim != NULL;
        signal(SIGINT, on_sigint);
        if (hist_path || trace_path) vm_record_enable(vm, hist_path, trace_path);
        vm_gil_acquire(th);
        /* Wall time is the host's, whatever clock the program sees. */
        const SimClockBackend *host = sim_clock_real_backend();
        uint64_t t0 = host->monotonic_ns(host->ctx);
        vm_run_source_n(th, source, source_len, filename);
        status = vm->exit_status;
        fflush(vm->out);
        if (stats_path &&
            vm_stats_write(vm, stats_path, host->monotonic_ns(host->ctx) - t0) != 0) {
            fprintf(stderr, "%s: cannot write '%s': %s\n", prog, stats_path,
                    strerror(errno));
            if (status == 0) status = 1;
        }
        if (vm_record_finish(vm) != 0 && status == 0) status = 1;
        if (vm->threads != th || th->next) {
            /* Daemon threads are still running: like CPython, exit without
             * waiting for them.  The GIL stays held so none of them runs
             * while the process goes away, and nothing is freed under
             * their feet. */
            fflush(stderr);
            exit(status);
        }
        vm_gil_release(th);
        signal(SIGINT, SIG_DFL);
        sigint_breaker = NULL;
    }
    if (fflush(stdout) != 0 && status == 0) status = 1;
    /* The main VmThread goes with the VM; the simulator keeps its clock. */
    if (sim) sim_thread_bind(sim, sim_current(sim), NULL, NULL);
    vm_shared_destroy(vm);
    sim_clock_set_backend(NULL);
    if (sim) {
        gil_platform_use_sim(NULL);
        sim_free(sim);
    }
    vm_realloc(NULL, source, 0, 0);
    return status;
}

int main(int argc, char **argv) {
    const char *prog = "gilt";
    if (argc < 2) {
        usage(stderr, prog);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        usage(stdout, prog);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("gilt %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0) return cmd_run(prog, argc - 1, argv + 1, false);
    if (strcmp(cmd, "dis") == 0) return cmd_run(prog, argc - 1, argv + 1, true);
    if (strcmp(cmd, "calibrate") == 0) return vm_calibrate_main(prog, argc - 1, argv + 1);
    fprintf(stderr, "%s: unknown command '%s'\n", prog, cmd);
    usage(stderr, prog);
    return EXIT_USAGE;
}
