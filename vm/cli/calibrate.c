/*
 * vm/cli/calibrate.c - `gilt calibrate`: measure this machine and write a cost
 * file for --sim (vm/platform/costs.h).
 *
 * What it measures
 * ----------------
 * - Opcode costs.  A handful of Python programs each stress one cost
 *   class (local loads and stores, arithmetic, jumps, calls, attribute and
 *   item access, building containers), plus mixed ones.  Each is run in
 *   real mode for its wall time (best of several runs), and its executed
 *   instructions are counted per class by running it with an indicator cost
 *   table (class c costs 1, the others 0: the virtual CPU counter then
 *   *is* the count).  The class costs are the non-negative least-squares
 *   fit, in relative error, of wall time = sum(count x cost); the fit's
 *   residual per program is printed, so a poor fit is visible.
 * - OS figures, with raw pthreads on the real clock: wake-up latency (a
 *   condition-variable signal to the waiter running: minimum and mean),
 *   the cost of a signal that wakes a sleeper, an uncontended mutex
 *   operation, a context switch (two threads pinned to one CPU passing a
 *   token), timer slack (how late a 100 us sleep returns, less the wake-up
 *   latency), starting a thread, and sending a message on a socketpair to a
 *   blocked reader.  Medians, so one preempted sample does not skew them.
 * The time slice and the lookahead are model choices, not measurements,
 * and keep their defaults.
 */
#include "vm/cli/calibrate.h"
#include "vm/cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sim/clock.h"
#include "vm/platform/costs.h"
#include "vm/gil/gil.h"
#include "vm/runtime/vm.h"

/* Unknowns of the fit: one cost per opcode class, and one per heap
 * allocation. */
#define NCOLS (COST__COUNT + 1)

/* Calibration measures the host itself, so it reads the host's clock. */
static uint64_t now_ns(void) { return sim_clock_now_ns(); }

static void sleep_ns(uint64_t ns) { sim_clock_sleep_ns(ns); }

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t percentile(uint64_t *v, int n, double p) {
    qsort(v, (size_t)n, sizeof *v, cmp_u64);
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

/* Wake-up samples (sorted) have a body and, on a virtual machine, a slow
 * tail: the host had descheduled the waiter's virtual CPU.  Samples over
 * five times the median (and over 50 us) are the tail; the body gives the
 * mean, the tail its share and its mean excess. */
static void split_tail(const uint64_t *v, int n, SimConfig *os) {
    uint64_t median = v[n / 2];
    uint64_t cut = median * 5 > 50000 ? median * 5 : 50000;
    double body = 0, tail = 0;
    int nb = 0, nt = 0;
    for (int i = 0; i < n; i++) {
        if (v[i] > cut) {
            tail += (double)(v[i] - median);
            nt++;
        } else {
            body += (double)v[i];
            nb++;
        }
    }
    os->wake_mean_ns = nb ? (uint64_t)(body / nb) : median;
    os->wake_tail_ppm = (uint64_t)((double)nt * 1e6 / n + 0.5);
    os->wake_tail_ns = nt ? (uint64_t)(tail / nt) : 0;
}

/* ---- OS figures ------------------------------------------------------- */

typedef struct {
    pthread_mutex_t m;
    pthread_cond_t c;
    int flag;            /* 1: the waiter should wake */
    int stop;
    _Atomic uint64_t woke_at;
    _Atomic int acked;
} WakeBench;

static void *wake_waiter(void *arg) {
    WakeBench *w = arg;
    pthread_mutex_lock(&w->m);
    for (;;) {
        while (!w->flag && !w->stop) pthread_cond_wait(&w->c, &w->m);
        if (w->stop) break;
        atomic_store(&w->woke_at, now_ns());
        w->flag = 0;
        atomic_store(&w->acked, 1);
    }
    pthread_mutex_unlock(&w->m);
    return NULL;
}

/* Wake-up latency samples and the cost of the signal that wakes. */
static void measure_wakeups(int n, uint64_t *lat, uint64_t *sig) {
    WakeBench w;
    memset(&w, 0, sizeof w);
    pthread_mutex_init(&w.m, NULL);
    pthread_cond_init(&w.c, NULL);
    pthread_t t;
    pthread_create(&t, NULL, wake_waiter, &w);
    for (int i = 0; i < n; i++) {
        sleep_ns(200000); /* let the waiter fall fully asleep */
        atomic_store(&w.acked, 0);
        pthread_mutex_lock(&w.m);
        w.flag = 1;
        uint64_t t0 = now_ns();
        pthread_cond_signal(&w.c);
        uint64_t t1 = now_ns();
        pthread_mutex_unlock(&w.m);
        while (!atomic_load(&w.acked)) {
        }
        lat[i] = atomic_load(&w.woke_at) - t0;
        sig[i] = t1 - t0;
    }
    pthread_mutex_lock(&w.m);
    w.stop = 1;
    pthread_cond_signal(&w.c);
    pthread_mutex_unlock(&w.m);
    pthread_join(t, NULL);
    pthread_cond_destroy(&w.c);
    pthread_mutex_destroy(&w.m);
}

typedef struct {
    pthread_mutex_t m;
    pthread_cond_t c;
    int turn, rounds;
} PingPong;

static void pin_to_cpu0(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *pong(void *arg) {
    PingPong *p = arg;
    pin_to_cpu0();
    pthread_mutex_lock(&p->m);
    for (int i = 0; i < p->rounds; i++) {
        while (p->turn != 1) pthread_cond_wait(&p->c, &p->m);
        p->turn = 0;
        pthread_cond_signal(&p->c);
    }
    pthread_mutex_unlock(&p->m);
    return NULL;
}

/* Two threads on one CPU passing a token: ns per hand-over. */
static uint64_t measure_switch(int rounds) {
    PingPong p;
    memset(&p, 0, sizeof p);
    pthread_mutex_init(&p.m, NULL);
    pthread_cond_init(&p.c, NULL);
    p.rounds = rounds;
    cpu_set_t saved;
    pthread_getaffinity_np(pthread_self(), sizeof saved, &saved);
    pin_to_cpu0();
    pthread_t t;
    pthread_create(&t, NULL, pong, &p);
    uint64_t t0 = now_ns();
    pthread_mutex_lock(&p.m);
    for (int i = 0; i < rounds; i++) {
        p.turn = 1;
        pthread_cond_signal(&p.c);
        while (p.turn != 0) pthread_cond_wait(&p.c, &p.m);
    }
    pthread_mutex_unlock(&p.m);
    uint64_t elapsed = now_ns() - t0;
    pthread_join(t, NULL);
    pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
    pthread_cond_destroy(&p.c);
    pthread_mutex_destroy(&p.m);
    return elapsed / (2 * (uint64_t)rounds);
}

static void *nothing(void *arg) { return arg; }

static void *sock_reader(void *arg) {
    int fd = *(int *)arg;
    char buf[256];
    while (recv(fd, buf, sizeof buf, 0) > 0) {
    }
    return NULL;
}

static void measure_os(SimConfig *os, int n) {
    uint64_t *a = calloc((size_t)n, sizeof *a), *b = calloc((size_t)n, sizeof *b);

    /* The first few hundred wake-ups of a fresh thread are slow (idle
     * states, cold caches): warm up, then measure. */
    measure_wakeups(n < 300 ? n : 300, a, b);
    measure_wakeups(n, a, b);
    os->wake_min_ns = percentile(a, n, 0.05);
    split_tail(a, n, os);
    if (os->wake_mean_ns < os->wake_min_ns) os->wake_mean_ns = os->wake_min_ns;
    os->syscall_ns = percentile(b, n, 0.5);
    uint64_t wake_median = percentile(a, n, 0.5);

    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    const int locks = 1000000;
    uint64_t t0 = now_ns();
    for (int i = 0; i < locks; i++) {
        pthread_mutex_lock(&m);
        pthread_mutex_unlock(&m);
    }
    os->lock_ns = (now_ns() - t0) / (2 * (uint64_t)locks);
    if (!os->lock_ns) os->lock_ns = 1;

    /* A hand-over is the signal (charged as a system call in the model)
     * plus the switch itself; never below half a microsecond. */
    uint64_t sw = measure_switch(n * 5);
    os->ctx_switch_ns = sw > os->syscall_ns + 500 ? sw - os->syscall_ns : 500;

    for (int i = 0; i < n; i++) {
        uint64_t s0 = now_ns();
        sleep_ns(100000);
        uint64_t late = now_ns() - s0 - 100000;
        a[i] = late;
    }
    uint64_t late = percentile(a, n, 0.5);
    os->timer_slack_ns = late > wake_median ? late - wake_median : 0;

    int spawns = n < 200 ? n : 200;
    for (int i = 0; i < spawns; i++) {
        pthread_t t;
        uint64_t s0 = now_ns();
        pthread_create(&t, NULL, nothing, NULL);
        a[i] = now_ns() - s0;
        pthread_join(t, NULL);
    }
    os->spawn_ns = percentile(a, spawns, 0.5);

    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0) {
        pthread_t t;
        pthread_create(&t, NULL, sock_reader, &fds[1]);
        char msg[64];
        memset(msg, 'x', sizeof msg);
        for (int i = 0; i < n; i++) {
            sleep_ns(200000);
            uint64_t s0 = now_ns();
            if (send(fds[0], msg, sizeof msg, 0) < 0) break;
            a[i] = now_ns() - s0;
        }
        os->msg_ns = percentile(a, n, 0.5);
        shutdown(fds[0], SHUT_RDWR);
        pthread_join(t, NULL);
        close(fds[0]);
        close(fds[1]);
    }
    free(a);
    free(b);
}

/* ---- opcode costs ------------------------------------------------------ */

typedef struct {
    const char *name;
    const char *body;   /* defines f(n); calibrate appends f(N) */
    long n;
} Probe;

/* Each loop body repeats its class's work so the loop's own overhead is
 * the minority; the mixed ones check the fit on ordinary code. */
static const Probe probes[] = {
    {"locals",
     "def f(n):\n    a = 1\n    b = 2\n    c = 3\n    i = 0\n    while i < n:\n"
     "        a = b\n        b = c\n        c = a\n        a = b\n        b = c\n"
     "        c = a\n        a = b\n        b = c\n        c = a\n        a = b\n"
     "        i += 1\n",
     300000},
    {"arith",
     "def f(n):\n    a = 3\n    b = 5\n    x = 0\n    i = 0\n    while i < n:\n"
     "        x = (a * b + a - b) * (a + b) - a * b * a + (b - a) * (a + b + a)\n"
     "        x = a < b\n        x = a == b\n        x = a * a - b * b\n        i += 1\n",
     200000},
    {"jumps",
     "def f(n):\n    a = True\n    b = False\n    i = 0\n    while i < n:\n"
     "        if a: pass\n        if b: pass\n        if a: pass\n        if b: pass\n"
     "        if a: pass\n        if b: pass\n        if a: pass\n        if b: pass\n"
     "        i += 1\n",
     300000},
    {"calls",
     "def g(x):\n    return x\n\ndef f(n):\n    i = 0\n    while i < n:\n"
     "        g(i)\n        g(i)\n        g(i)\n        g(i)\n        i += 1\n",
     150000},
    {"access",
     "class P:\n    pass\n\nK = 7\n\ndef f(n):\n    p = P()\n    p.x = 1\n    L = [1, 2, 3]\n"
     "    i = 0\n    while i < n:\n        p.x = L[1]\n        L[0] = p.x\n        y = L[2]\n"
     "        y = p.x\n        y = K\n        y = L[0]\n        i += 1\n",
     200000},
    {"build",
     "def f(n):\n    i = 0\n    a = 1\n    b = 2\n    while i < n:\n        t = (a, b, i)\n"
     "        l = [a, b, i]\n        d = {a: b}\n        s = str(a)\n        i += 1\n",
     100000},
    {"fused",
     "def f(n):\n    i = 0\n    x = 0\n    while i < n:\n        x = x + 1\n        x = x - 1\n"
     "        x = x + 2\n        x = x - 2\n        x += 3\n        x -= 3\n        i += 1\n",
     300000},
    {"countdown", "def f(n):\n    while n > 0:\n        n -= 1\n", 1000000},
    {"fib",
     "def fib(k):\n    if k < 2:\n        return k\n    return fib(k - 1) + fib(k - 2)\n\n"
     "def f(n):\n    for _ in range(n):\n        fib(15)\n",
     60},
    {"objects",
     "class V:\n    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n"
     "    def add(self, o):\n        return V(self.x + o.x, self.y + o.y)\n\n"
     "def f(n):\n    v = V(0, 0)\n    one = V(1, 2)\n    for _ in range(n):\n        v = v.add(one)\n",
     100000},
};
#define NPROBES ((int)(sizeof probes / sizeof probes[0]))

/* Run a probe once; returns wall ns, and the virtual CPU counter (ps)
 * accumulated under the given cost table. */
static uint64_t run_probe(const Probe *p, double scale, const uint32_t *costs,
                          uint64_t *vtime_ps, uint64_t *allocations) {
    char src[2048];
    snprintf(src, sizeof src, "%s\nf(%ld)\n", p->body, (long)(p->n * scale) + 1);
    VmOptions o;
    vm_options_default(&o);
    o.gil_name = "cpython";
    VmShared *vm = vm_shared_new(&o);
    if (costs) vm_set_op_costs(vm, costs, OP__COUNT);
    VmThread *th = vm_thread_new(vm);
    /* Counting runs: sync the counters at every safe point (there is no
     * simulator to do it), so the packed count never overflows. */
    if (costs) th->cpu_horizon_ps = 0;
    vm_gil_acquire(th);
    uint64_t t0 = now_ns();
    vm_run_source(th, src, p->name);
    uint64_t wall = now_ns() - t0;
    *vtime_ps = th->vtime_ps;
    *allocations = vm->heap.allocations;
    vm_gil_release(th);
    vm_shared_destroy(vm);
    return wall;
}

/* Solve the k x k system A x = b in place (partial pivoting); false if
 * singular. */
static bool solve(int k, double A[NCOLS][NCOLS], double *b, double *x) {
    for (int c = 0; c < k; c++) {
        int piv = c;
        for (int r = c + 1; r < k; r++)
            if (fabs(A[r][c]) > fabs(A[piv][c])) piv = r;
        if (fabs(A[piv][c]) < 1e-12) return false;
        for (int j = 0; j < k; j++) {
            double t = A[c][j];
            A[c][j] = A[piv][j];
            A[piv][j] = t;
        }
        double t = b[c];
        b[c] = b[piv];
        b[piv] = t;
        for (int r = c + 1; r < k; r++) {
            double f = A[r][c] / A[c][c];
            for (int j = c; j < k; j++) A[r][j] -= f * A[c][j];
            b[r] -= f * b[c];
        }
    }
    for (int c = k - 1; c >= 0; c--) {
        double s = b[c];
        for (int j = c + 1; j < k; j++) s -= A[c][j] * x[j];
        x[c] = s / A[c][c];
    }
    return true;
}

/* Non-negative least squares in relative error, by active set: fit the
 * free classes, pin any that came out below the floor, repeat. */
static void fit_classes(double counts[][NCOLS], const double *wall, int np,
                        double *cost_ps) {
    const double floor_ps = 100;
    bool pinned[NCOLS] = {false};
    for (int iter = 0; iter < NCOLS; iter++) {
        int idx[NCOLS], k = 0;
        for (int c = 0; c < NCOLS; c++)
            if (!pinned[c]) idx[k++] = c;
        double A[NCOLS][NCOLS] = {{0}}, b[NCOLS] = {0}, x[NCOLS] = {0};
        for (int p = 0; p < np; p++) {
            double w = 1.0 / (wall[p] * wall[p]);
            double rhs = wall[p];
            for (int c = 0; c < NCOLS; c++)
                if (pinned[c]) rhs -= counts[p][c] * floor_ps;
            for (int i = 0; i < k; i++) {
                b[i] += w * counts[p][idx[i]] * rhs;
                for (int j = 0; j < k; j++) A[i][j] += w * counts[p][idx[i]] * counts[p][idx[j]];
            }
        }
        if (!solve(k, A, b, x)) break;
        bool changed = false;
        for (int i = 0; i < k; i++) {
            cost_ps[idx[i]] = x[i];
            if (x[i] < floor_ps) {
                pinned[idx[i]] = true;
                changed = true;
            }
        }
        for (int c = 0; c < NCOLS; c++)
            if (pinned[c]) cost_ps[c] = floor_ps;
        if (!changed) break;
    }
}

static void measure_opcodes(CostModel *m, double scale, int reps, FILE *out) {
    double counts[NPROBES][NCOLS], wall_ps[NPROBES];
    for (int p = 0; p < NPROBES; p++) {
        uint64_t allocs = 0;
        for (int c = 0; c < COST__COUNT; c++) {
            uint32_t table[OP__COUNT];
            for (int op = 0; op < OP__COUNT; op++)
                table[op] = vm_cost_class((Opcode)op) == (CostClass)c;
            uint64_t n;
            run_probe(&probes[p], scale, table, &n, &allocs);
            counts[p][c] = (double)n;
        }
        counts[p][COST__COUNT] = (double)allocs;
        uint64_t best = UINT64_MAX, v, a;
        for (int r = 0; r < reps; r++) {
            uint64_t w = run_probe(&probes[p], scale, NULL, &v, &a);
            if (w < best) best = w;
        }
        wall_ps[p] = (double)best * 1000.0;
    }
    if (getenv("GILT_CALIBRATE_DEBUG"))
        for (int p = 0; p < NPROBES; p++) {
            fprintf(out, "  counts %-10s", probes[p].name);
            for (int c = 0; c < NCOLS; c++) fprintf(out, " %10.0f", counts[p][c]);
            fprintf(out, "  wall %.0f ns\n", wall_ps[p] / 1000);
        }
    double cost[NCOLS] = {0};
    fit_classes(counts, wall_ps, NPROBES, cost);
    uint32_t class_ps[NCOLS];
    fprintf(out, "opcode cost classes (picoseconds per instruction):\n");
    for (int c = 0; c < NCOLS; c++) {
        class_ps[c] = (uint32_t)(cost[c] + 0.5);
        fprintf(out, "  %-8s %8u\n", c < COST__COUNT ? vm_cost_class_name((CostClass)c) : "alloc",
                class_ps[c]);
    }
    vm_costs_set_classes(m, class_ps);
    m->alloc_ps = class_ps[COST__COUNT];
    fprintf(out, "fit (wall time of each probe against the model):\n");
    for (int p = 0; p < NPROBES; p++) {
        double pred = 0;
        for (int c = 0; c < NCOLS; c++) pred += counts[p][c] * class_ps[c];
        fprintf(out, "  %-10s measured %8.2f ms  model %8.2f ms  ratio %.2f\n", probes[p].name,
                wall_ps[p] / 1e9, pred / 1e9, pred / wall_ps[p]);
    }
}

void vm_calibrate_usage(FILE *out, const char *prog) {
    fprintf(out,
            "Usage: %s calibrate [-o FILE.json] [--quick]\n"
            "\n"
            "Measure this machine - what each class of bytecode costs, and the\n"
            "OS figures the simulator models (wake-up latency, context switch,\n"
            "timer slack, system calls) - and write a cost file for\n"
            "'gilt run --sim --cost-file FILE.json'.\n"
            "\n"
            "  -o, --output FILE   where to write (default gilt-costs.json)\n"
            "      --quick         fewer, shorter measurements (about 2 s)\n"
            "  -h, --help          show this help and exit\n",
            prog);
}

int vm_calibrate_main(const char *prog, int argc, char **argv) {
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"quick", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *path = "gilt-costs.json";
    bool quick = false;
    int c;
    optind = 1;
    opterr = 0;  /* its messages are cli_getopt_error's */
    while ((c = getopt_long(argc, argv, "+:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': path = optarg; break;
        case 'q': quick = true; break;
        case 'h': vm_calibrate_usage(stdout, prog); return 0;
        default: return cli_getopt_error(prog, "calibrate", c, argv, opts);
        }
    }
    if (optind < argc)
        return cli_error(prog, "calibrate", "calibrate: unexpected argument '%s'", argv[optind]);
    /* Fail before measuring, not after, when the output cannot be written. */
    char probe_path[4096];
    snprintf(probe_path, sizeof probe_path, "%s.tmp", path);
    FILE *probe = fopen(probe_path, "w");
    if (!probe) {
        fprintf(stderr, "%s: calibrate: cannot write '%s': %s\n", prog, path, strerror(errno));
        return 1;
    }
    fclose(probe);
    remove(probe_path);
    CostModel m;
    vm_costs_default(&m);
    printf("gilt calibrate: measuring this machine%s...\n", quick ? " (quick)" : "");
    fflush(stdout);
    measure_opcodes(&m, quick ? 0.25 : 1.0, quick ? 2 : 5, stdout);
    measure_os(&m.os, quick ? 200 : 1000);
    printf("OS figures (ns): wake_min %llu, wake_mean %llu, wake_tail %.1f%% x %llu, syscall %llu, lock %llu, "
           "ctx_switch %llu, timer_slack %llu, spawn %llu, msg %llu\n",
           (unsigned long long)m.os.wake_min_ns, (unsigned long long)m.os.wake_mean_ns,
           (double)m.os.wake_tail_ppm / 1e4, (unsigned long long)m.os.wake_tail_ns,
           (unsigned long long)m.os.syscall_ns, (unsigned long long)m.os.lock_ns,
           (unsigned long long)m.os.ctx_switch_ns, (unsigned long long)m.os.timer_slack_ns,
           (unsigned long long)m.os.spawn_ns, (unsigned long long)m.os.msg_ns);

    /* The slow tail is reported, not written: its share is a few samples
     * and swings from run to run, and in a closed-loop program each slow
     * wake-up lets many fast exchanges through (bench/README.md). */
    if (m.os.wake_tail_ppm)
        printf("slow wake-ups: %.1f%% of them late by %.0f us on average; not in the cost "
               "file: add --wake-tail %.1f%%,%.0fus to model them\n",
               (double)m.os.wake_tail_ppm / 1e4, (double)m.os.wake_tail_ns / 1e3,
               (double)m.os.wake_tail_ppm / 1e4, (double)m.os.wake_tail_ns / 1e3);
    m.os.wake_tail_ppm = 0;
    m.os.wake_tail_ns = 0;
    char host[128] = "?", origin[256], date[32] = "?";
    gethostname(host, sizeof host - 1);
    time_t t = time(NULL);
    struct tm tm;
    if (gmtime_r(&t, &tm)) strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm);
    snprintf(origin, sizeof origin, "gilt calibrate%s on %s; %s; %ld CPUs",
             quick ? " --quick" : "", host, date, sysconf(_SC_NPROCESSORS_ONLN));
    if (vm_costs_save(&m, path, origin) != 0) {
        fprintf(stderr, "%s: calibrate: cannot write '%s': %s\n", prog, path, strerror(errno));
        return 1;
    }
    printf("wrote %s (use: gilt run --sim --cost-file %s FILE.py)\n", path, path);
    return 0;
}
