/*
 * bench/handoff_raw.c - the reference for bench/gil's hand-off row: two
 * pthreads pass a token through a mutex and one condition variable.
 * Prints the median one-way hand-off in nanoseconds.
 *
 * Where the two threads run decides what a hand-off costs (on one core it
 * is a context switch, across cores a cross-core wake-up), so bench/gil
 * runs it under taskset, and --pin A,B pins the main thread to CPU A and
 * the other thread to CPU B (pthread_setaffinity_np) to force the
 * cross-core case (it overrides a taskset mask).  -v reports on stderr on
 * which CPUs the two threads ran and in how many rounds they shared one
 * (a sched_getcpu per round, a few ns against microseconds).
 *
 * Usage: handoff_raw [--pin A,B] [-v] [ROUNDS]     (ROUNDS default 20000)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int turn = 0, rounds;
static int *cpu_main, *cpu_other; /* CPU of each thread in each round */

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *other(void *arg) {
    (void)arg;
    for (int i = 0; i < rounds; i++) {
        pthread_mutex_lock(&m);
        while (turn != 1) pthread_cond_wait(&c, &m);
        cpu_other[i] = sched_getcpu();
        turn = 0;
        pthread_cond_broadcast(&c);
        pthread_mutex_unlock(&m);
    }
    return NULL;
}

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static void usage(void) {
    fprintf(stderr, "usage: handoff_raw [--pin A,B] [-v] [ROUNDS]\n");
    exit(2);
}

static void pin(pthread_t th, pthread_attr_t *attr, int cpu, const char *who) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    int err = attr ? pthread_attr_setaffinity_np(attr, sizeof set, &set)
                   : pthread_setaffinity_np(th, sizeof set, &set);
    if (err) {
        fprintf(stderr, "handoff_raw: cannot pin the %s thread to CPU %d: %s\n",
                who, cpu, strerror(err));
        exit(1);
    }
}

/* The distinct CPUs in v[0..n), as "0 1". */
static void cpus_seen(const int *v, int n, char *out, size_t size) {
    char seen[CPU_SETSIZE] = {0};
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        if (v[i] >= 0 && v[i] < CPU_SETSIZE) seen[v[i]] = 1;
    for (int k = 0; k < CPU_SETSIZE && len + 8 < size; k++)
        if (seen[k]) len += (size_t)snprintf(out + len, size - len, "%s%d", len ? " " : "", k);
}

int main(int argc, char **argv) {
    int pin_a = -1, pin_b = -1, verbose = 0;
    rounds = 20000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--pin") == 0) {
            if (++i == argc || sscanf(argv[i], "%d,%d", &pin_a, &pin_b) != 2 ||
                pin_a < 0 || pin_b < 0 || pin_a >= CPU_SETSIZE || pin_b >= CPU_SETSIZE)
                usage();
        } else if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;
        } else if (argv[i][0] >= '0' && argv[i][0] <= '9') {
            rounds = atoi(argv[i]);
        } else {
            usage();
        }
    }
    if (rounds < 1) usage();
    long long *t = malloc(sizeof *t * (size_t)rounds);
    cpu_main = malloc(sizeof *cpu_main * (size_t)rounds);
    cpu_other = malloc(sizeof *cpu_other * (size_t)rounds);
    if (!t || !cpu_main || !cpu_other) return 1;

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    if (pin_a >= 0) {
        pin(pthread_self(), NULL, pin_a, "main");
        pin(0, &attr, pin_b, "other");
    }
    pthread_t th;
    int err = pthread_create(&th, &attr, other, NULL);
    if (err) {
        fprintf(stderr, "handoff_raw: cannot start the second thread%s: %s\n",
                pin_a >= 0 ? " (is the CPU of --pin online?)" : "", strerror(err));
        return 1;
    }
    for (int i = 0; i < rounds; i++) {
        long long t0 = now_ns();
        pthread_mutex_lock(&m);
        turn = 1;
        pthread_cond_broadcast(&c);
        while (turn != 0) pthread_cond_wait(&c, &m);
        pthread_mutex_unlock(&m);
        t[i] = now_ns() - t0;
        cpu_main[i] = sched_getcpu();
    }
    pthread_join(th, NULL);
    if (verbose) {
        int same = 0;
        char a[256], b[256];
        for (int i = 0; i < rounds; i++) same += cpu_main[i] == cpu_other[i];
        cpus_seen(cpu_main, rounds, a, sizeof a);
        cpus_seen(cpu_other, rounds, b, sizeof b);
        fprintf(stderr, "handoff_raw: main thread on CPU %s, other on CPU %s; "
                        "same CPU in %d of %d rounds (%.1f%%)\n",
                a, b, same, rounds, 100.0 * same / rounds);
    }
    qsort(t, (size_t)rounds, sizeof *t, cmp);
    printf("%lld\n", t[rounds / 2] / 2);
    free(t);
    free(cpu_main);
    free(cpu_other);
    return 0;
}
