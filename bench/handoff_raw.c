/*
 * bench/handoff_raw.c - the reference for bench/gil's hand-off row: two
 * pthreads pass a token through a mutex and two condition variables.
 * Prints the median one-way hand-off in nanoseconds.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int turn = 0, rounds;

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

int main(int argc, char **argv) {
    rounds = argc > 1 ? atoi(argv[1]) : 20000;
    long long *t = malloc(sizeof *t * (size_t)rounds);
    pthread_t th;
    pthread_create(&th, NULL, other, NULL);
    for (int i = 0; i < rounds; i++) {
        long long t0 = now_ns();
        pthread_mutex_lock(&m);
        turn = 1;
        pthread_cond_broadcast(&c);
        while (turn != 0) pthread_cond_wait(&c, &m);
        pthread_mutex_unlock(&m);
        t[i] = now_ns() - t0;
    }
    pthread_join(th, NULL);
    qsort(t, (size_t)rounds, sizeof *t, cmp);
    printf("%lld\n", t[rounds / 2] / 2);
    free(t);
    return 0;
}
