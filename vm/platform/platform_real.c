/*
 * vm/platform/platform_real.c - the platform of real mode: pthreads, the
 * host's clocks (sim/clock.h), nanosleep, AF_UNIX socket pairs.
 *
 * A failing pthread call means the process state is corrupt, so it is
 * fatal, reported with the call that failed (CPython's MUTEX_LOCK macros,
 * libuv's uv_mutex_lock).  Condition variables wait on CLOCK_MONOTONIC so a
 * wall-clock jump cannot stretch or cut a switch interval.  Stream calls
 * return EINTR instead of retrying, so that the caller can see a pending
 * Ctrl-C and raise KeyboardInterrupt.
 */
#include "vm/platform/platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sim/clock.h"
#include "vm/runtime/memory.h"

#define CHECK_PTHREAD(call)                                                   \
    do {                                                                      \
        int rc_ = (call);                                                     \
        if (rc_ != 0) {                                                       \
            fprintf(stderr, "gilt: fatal: %s failed: %s\n", #call,            \
                    strerror(rc_));                                           \
            abort();                                                          \
        }                                                                     \
    } while (0)

/* ---- locks ---------------------------------------------------------------- */

static void r_mutex_init(void *ctx, VmMutex *m) {
    (void)ctx;
    CHECK_PTHREAD(pthread_mutex_init(&m->u.m, NULL));
}

static void r_mutex_fini(void *ctx, VmMutex *m) {
    (void)ctx;
    CHECK_PTHREAD(pthread_mutex_destroy(&m->u.m));
}

static void r_mutex_lock(void *ctx, VmMutex *m) {
    (void)ctx;
    CHECK_PTHREAD(pthread_mutex_lock(&m->u.m));
}

static void r_mutex_unlock(void *ctx, VmMutex *m) {
    (void)ctx;
    CHECK_PTHREAD(pthread_mutex_unlock(&m->u.m));
}

static void r_cond_init(void *ctx, VmCond *c) {
    (void)ctx;
    pthread_condattr_t attr;
    CHECK_PTHREAD(pthread_condattr_init(&attr));
    CHECK_PTHREAD(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC));
    CHECK_PTHREAD(pthread_cond_init(&c->u.c, &attr));
    CHECK_PTHREAD(pthread_condattr_destroy(&attr));
}

static void r_cond_fini(void *ctx, VmCond *c) {
    (void)ctx;
    CHECK_PTHREAD(pthread_cond_destroy(&c->u.c));
}

static void r_cond_wait(void *ctx, VmCond *c, VmMutex *m) {
    (void)ctx;
    CHECK_PTHREAD(pthread_cond_wait(&c->u.c, &m->u.m));
}

static int r_cond_timedwait(void *ctx, VmCond *c, VmMutex *m, uint64_t ns) {
    (void)ctx;
    /* sim_clock_now_ns reads CLOCK_MONOTONIC, the clock this condition
     * variable waits on, so the deadline is in its terms.  A deadline past
     * what a timespec holds is a wait without one. */
    uint64_t now = sim_clock_now_ns();
    if (ns > UINT64_MAX / 2 - now) {
        CHECK_PTHREAD(pthread_cond_wait(&c->u.c, &m->u.m));
        return 0;
    }
    uint64_t deadline = now + ns;
    struct timespec ts;
    ts.tv_sec = (time_t)(deadline / 1000000000ull);
    ts.tv_nsec = (long)(deadline % 1000000000ull);
    int rc = pthread_cond_timedwait(&c->u.c, &m->u.m, &ts);
    if (rc == ETIMEDOUT) return 1;
    CHECK_PTHREAD(rc);
    return 0;
}

static void r_cond_signal(void *ctx, VmCond *c) {
    (void)ctx;
    CHECK_PTHREAD(pthread_cond_signal(&c->u.c));
}

static void r_cond_broadcast(void *ctx, VmCond *c) {
    (void)ctx;
    CHECK_PTHREAD(pthread_cond_broadcast(&c->u.c));
}

static void r_host_wait(void *ctx, pthread_cond_t *c, pthread_mutex_t *m) {
    (void)ctx;
    CHECK_PTHREAD(pthread_cond_wait(c, m));
}

/* ---- time ----------------------------------------------------------------- */

static uint64_t r_now_ns(void *ctx) {
    (void)ctx;
    return sim_clock_now_ns();
}

static uint64_t r_realtime_ns(void *ctx) {
    (void)ctx;
    return sim_clock_realtime_ns();
}

static void r_sleep_ns(void *ctx, uint64_t ns) {
    (void)ctx;
    sim_clock_sleep_ns(ns);
}

static void r_burn_ns(void *ctx, uint64_t ns) {
    (void)ctx;
    sim_clock_burn_ns(ns);
}

/* ---- threads -------------------------------------------------------------- */

static int r_thread_start(void *ctx, void *(*fn)(void *), void *arg, const char *name,
                          const uint64_t *cpu_ps, uint64_t *horizon_ps) {
    (void)ctx; (void)name; (void)cpu_ps;
    /* Real threads never check in: the horizon is never reached. */
    if (horizon_ps) *horizon_ps = UINT64_MAX;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    /* Deep Python recursion runs on the C stack of the thread. */
    pthread_attr_setstacksize(&attr, 16u * 1024 * 1024);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t pt;
    int rc = pthread_create(&pt, &attr, fn, arg);
    pthread_attr_destroy(&attr);
    return rc;
}

static void r_thread_bind(void *ctx, const uint64_t *cpu_ps, uint64_t *horizon_ps) {
    (void)ctx; (void)cpu_ps;
    if (horizon_ps) *horizon_ps = UINT64_MAX;
}

static void r_checkpoint(void *ctx) { (void)ctx; }

static void r_charge_ps(void *ctx, uint64_t ps) { (void)ctx; (void)ps; }

static long r_getpid(void *ctx) {
    (void)ctx;
    return (long)getpid();
}

static long r_getppid(void *ctx) {
    (void)ctx;
    return (long)getppid();
}

static int r_loadavg(void *ctx, double out[3]) {
    (void)ctx;
    return getloadavg(out, 3) == 3 ? 0 : -1;
}

/* ---- streams -------------------------------------------------------------- */

struct VmStream {
    int fd;
};

static VmStream *stream_new(int fd) {
    VmStream *s = vm_realloc(NULL, NULL, 0, sizeof *s);
    s->fd = fd;
    return s;
}

static int r_stream_pair(void *ctx, VmStream *ends[2]) {
    (void)ctx;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return errno;
    ends[0] = stream_new(fds[0]);
    ends[1] = stream_new(fds[1]);
    return 0;
}

static int r_stream_send(void *ctx, VmStream *s, const char *buf, size_t len, bool all,
                         size_t *sent) {
    (void)ctx;
    size_t done = 0;
    int err = 0;
    while (done < len) {
        ssize_t k = send(s->fd, buf + done, len - done, MSG_NOSIGNAL);
        if (k < 0) {
            err = errno;
            break;
        }
        done += (size_t)k;
        if (!all) break;
    }
    *sent = done;
    return err;
}

static int r_stream_recv(void *ctx, VmStream *s, char *buf, size_t want, size_t *got) {
    (void)ctx;
    ssize_t k = recv(s->fd, buf, want, 0);
    if (k < 0) {
        *got = 0;
        return errno;
    }
    *got = (size_t)k;
    return 0;
}

static void r_stream_close(void *ctx, VmStream *s) {
    (void)ctx;
    close(s->fd);
    vm_realloc(NULL, s, sizeof *s, 0);
}

static int r_stream_fileno(void *ctx, VmStream *s) {
    (void)ctx;
    return s->fd;
}

/* ---- records -------------------------------------------------------------- */

static void r_on_deadlock(void *ctx, void (*hook)(void *), void *arg) {
    (void)ctx; (void)hook; (void)arg;
}

static void r_report(void *ctx, VmPlatformReport *r) {
    (void)ctx;
    memset(r, 0, sizeof *r);
    r->mode = "real";
    r->cores = sysconf(_SC_NPROCESSORS_ONLN);
}

static const VmPlatformOps real_ops = {
    .mode = "real",
    .mutex_init = r_mutex_init,
    .mutex_fini = r_mutex_fini,
    .mutex_lock = r_mutex_lock,
    .mutex_unlock = r_mutex_unlock,
    .cond_init = r_cond_init,
    .cond_fini = r_cond_fini,
    .cond_wait = r_cond_wait,
    .cond_timedwait = r_cond_timedwait,
    .cond_signal = r_cond_signal,
    .cond_broadcast = r_cond_broadcast,
    .host_wait = r_host_wait,
    .now_ns = r_now_ns,
    .realtime_ns = r_realtime_ns,
    .sleep_ns = r_sleep_ns,
    .burn_ns = r_burn_ns,
    .thread_start = r_thread_start,
    .thread_bind = r_thread_bind,
    .checkpoint = r_checkpoint,
    .charge_ps = r_charge_ps,
    .getpid = r_getpid,
    .getppid = r_getppid,
    .loadavg = r_loadavg,
    .stream_pair = r_stream_pair,
    .stream_send = r_stream_send,
    .stream_recv = r_stream_recv,
    .stream_close = r_stream_close,
    /* Closing a descriptor takes no virtual time: dropping is closing. */
    .stream_drop = r_stream_close,
    .stream_fileno = r_stream_fileno,
    .on_deadlock = r_on_deadlock,
    .report = r_report,
    /* Ctrl-C slices of a blocked main thread (lock waits, sleeps). */
    .signal_poll_ns = 50000000u,
};

VmPlatform vm_platform_real(void) { return (VmPlatform){&real_ops, NULL}; }
