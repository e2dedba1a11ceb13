/*
 * vm/platform/platform.h - the seam between the VM and the world.
 *
 * Everything the VM needs from outside itself goes through one ops table:
 * mutexes and condition variables (the GIL policies, the _thread locks),
 * the clock, sleeping, burning CPU (gilt.native), starting threads, the CPU
 * counter that bytecodes charge and the checkpoint where a thread reports
 * it, byte streams (socket.socketpair), the process id, and what a run
 * record says about the machine.  There are two implementations, chosen
 * per VM and never by a global (Redis's ae_epoll.c / ae_select.c style):
 *
 *   platform_real.c  pthreads, CLOCK_MONOTONIC, nanosleep, real sockets
 *   platform_sim.c   the deterministic simulator of sim/: virtual locks,
 *                    virtual time on virtual cores, virtual sockets
 *
 * A VmPlatform is two words - the ops table and its context (NULL for
 * real, the Sim for virtual) - and is copied by value into every object
 * made on it, so a lock always talks to the platform it was made on.
 * Several VMs may share one Sim: each gets vm_platform_sim(sim), and the
 * simulator schedules all their threads on the same virtual cores.
 *
 * No file outside vm/platform/ asks whether a run is virtual: what differs
 * between the two worlds is an operation here or a figure of the report.
 *
 * Contract of cond_timedwait, as CPython's condvar.h: 0 means woken (or a
 * spurious return), 1 means the timeout expired; callers re-check their
 * predicate either way.  Stream calls return 0 or an errno value.
 */
#ifndef GILT_VM_PLATFORM_PLATFORM_H
#define GILT_VM_PLATFORM_PLATFORM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct VmPlatformOps VmPlatformOps;

typedef struct VmPlatform {
    const VmPlatformOps *ops;
    void *ctx;                 /* the implementation's state (the Sim) */
} VmPlatform;

/* Storage for either implementation's objects: a pthread object, or the
 * simulator's (which is smaller; platform_sim.c checks that it fits). */
typedef struct VmMutex {
    VmPlatform p;
    union {
        pthread_mutex_t m;
        void *opaque[4];
    } u;
} VmMutex;

typedef struct VmCond {
    VmPlatform p;
    union {
        pthread_cond_t c;
        void *opaque[4];
    } u;
} VmCond;

/* One end of a connected byte stream (a socketpair socket). */
typedef struct VmStream VmStream;

/* The figures of the OS model of a virtual run besides cores and seed, in
 * the order of the --stats and --hist columns (os_NAME); each is a field
 * of VmOsModel and of the simulator's SimConfig of the same name. */
#define VM_OS_MODEL_FIGURES(X)                                                 \
    X(timeslice_ns) X(wake_min_ns) X(wake_mean_ns) X(wake_tail_ppm)            \
    X(wake_tail_ns) X(wake_fast_ns) X(idle_shallow_ns) X(ctx_switch_ns)        \
    X(timer_slack_ns) X(syscall_ns) X(lock_ns) X(spawn_ns) X(msg_ns)           \
    X(lookahead_ns) X(background_threads)

typedef struct VmOsModel {
#define VM_OS_MODEL_FIELD(name) uint64_t name;
    VM_OS_MODEL_FIGURES(VM_OS_MODEL_FIELD)
#undef VM_OS_MODEL_FIELD
} VmOsModel;

/* What a run record says about the platform it ran on. */
typedef struct VmPlatformReport {
    const char *mode;          /* "real" or "sim" */
    long cores;                /* virtual cores, or the host's online CPUs */
    bool virtual_time;         /* the figures below are meaningful */
    uint64_t virtual_ns;       /* the latest virtual time reached */
    uint64_t context_switches;
    uint64_t preemptions;
    VmOsModel os;              /* the OS model, figure by figure */
    char os_model[768];        /* the same with cores and seed, as
                                  key=value words (the trace), or "" */
} VmPlatformReport;

struct VmPlatformOps {
    const char *mode;
    /* Locks and condition variables. */
    void (*mutex_init)(void *ctx, VmMutex *m);
    void (*mutex_fini)(void *ctx, VmMutex *m);
    void (*mutex_lock)(void *ctx, VmMutex *m);
    void (*mutex_unlock)(void *ctx, VmMutex *m);
    void (*cond_init)(void *ctx, VmCond *c);
    void (*cond_fini)(void *ctx, VmCond *c);
    void (*cond_wait)(void *ctx, VmCond *c, VmMutex *m);
    int (*cond_timedwait)(void *ctx, VmCond *c, VmMutex *m, uint64_t ns);
    void (*cond_signal)(void *ctx, VmCond *c);
    void (*cond_broadcast)(void *ctx, VmCond *c);
    /* Wait on a host condition variable that another thread of this
     * platform will signal (teardown waiting for finishing threads): on
     * the simulator the waiter must let simulated threads run instead. */
    void (*host_wait)(void *ctx, pthread_cond_t *c, pthread_mutex_t *m);
    /* Time: monotonic and wall-clock nanoseconds; sleep off the CPU; keep
     * the CPU busy (a long C call). */
    uint64_t (*now_ns)(void *ctx);
    uint64_t (*realtime_ns)(void *ctx);
    void (*sleep_ns)(void *ctx, uint64_t ns);
    void (*burn_ns)(void *ctx, uint64_t ns);
    /* Threads: start fn(arg) (0 or an errno value); tie the calling
     * thread's clock to a CPU counter in picoseconds that the interpreter
     * advances, with *horizon_ps the counter value at which it must call
     * checkpoint (NULL, NULL: untie it before the counter goes away). */
    int (*thread_start)(void *ctx, void *(*fn)(void *), void *arg, const char *name,
                        const uint64_t *cpu_ps, uint64_t *horizon_ps);
    void (*thread_bind)(void *ctx, const uint64_t *cpu_ps, uint64_t *horizon_ps);
    void (*checkpoint)(void *ctx);
    /* Charge ps of CPU to the calling thread (a heap allocation). */
    void (*charge_ps)(void *ctx, uint64_t ps);
    long (*getpid)(void *ctx);
    long (*getppid)(void *ctx);
    /* The load averages over 1, 5 and 15 minutes: 0, or -1 if unknown. */
    int (*loadavg)(void *ctx, double out[3]);
    /* Byte streams: a connected pair; send (all: every byte, else what
     * the first call takes); receive at most `want` bytes, blocking until
     * some arrive or end of stream (0 bytes); close (the peer reads end of
     * stream) and free; drop (free without any time passing: the
     * collector); the host descriptor or -1. */
    int (*stream_pair)(void *ctx, VmStream *ends[2]);
    int (*stream_send)(void *ctx, VmStream *s, const char *buf, size_t len, bool all,
                       size_t *sent);
    int (*stream_recv)(void *ctx, VmStream *s, char *buf, size_t want, size_t *got);
    void (*stream_close)(void *ctx, VmStream *s);
    void (*stream_drop)(void *ctx, VmStream *s);
    int (*stream_fileno)(void *ctx, VmStream *s);
    /* Called when every thread of the platform is blocked for good (the
     * simulator sees it; real mode finds deadlocks in the _thread module). */
    void (*on_deadlock)(void *ctx, void (*hook)(void *arg), void *arg);
    void (*report)(void *ctx, VmPlatformReport *r);
    /* How long a blocked main thread may wait before it looks for Ctrl-C
     * (real time slices it; the simulator delivers it otherwise and must
     * not see a deadlocked run as busy): UINT64_MAX for never. */
    uint64_t signal_poll_ns;
};

/* The two platforms. */
VmPlatform vm_platform_real(void);
struct Sim;
VmPlatform vm_platform_sim(struct Sim *sim);

/* ---- dispatch ------------------------------------------------------------ */

void vm_mutex_init(VmMutex *m, const VmPlatform *p);
void vm_cond_init(VmCond *c, const VmPlatform *p);

static inline void vm_mutex_fini(VmMutex *m) { m->p.ops->mutex_fini(m->p.ctx, m); }
static inline void vm_mutex_lock(VmMutex *m) { m->p.ops->mutex_lock(m->p.ctx, m); }
static inline void vm_mutex_unlock(VmMutex *m) { m->p.ops->mutex_unlock(m->p.ctx, m); }
static inline void vm_cond_fini(VmCond *c) { c->p.ops->cond_fini(c->p.ctx, c); }
static inline void vm_cond_wait(VmCond *c, VmMutex *m) { c->p.ops->cond_wait(c->p.ctx, c, m); }
/* Wait at most ns nanoseconds: 0 woken, 1 timed out. */
static inline int vm_cond_timedwait(VmCond *c, VmMutex *m, uint64_t ns) {
    return c->p.ops->cond_timedwait(c->p.ctx, c, m, ns);
}
static inline void vm_cond_signal(VmCond *c) { c->p.ops->cond_signal(c->p.ctx, c); }
static inline void vm_cond_broadcast(VmCond *c) { c->p.ops->cond_broadcast(c->p.ctx, c); }

static inline uint64_t vm_platform_now_ns(const VmPlatform *p) { return p->ops->now_ns(p->ctx); }
static inline uint64_t vm_platform_realtime_ns(const VmPlatform *p) {
    return p->ops->realtime_ns(p->ctx);
}
static inline void vm_platform_sleep_ns(const VmPlatform *p, uint64_t ns) {
    p->ops->sleep_ns(p->ctx, ns);
}
static inline void vm_platform_burn_ns(const VmPlatform *p, uint64_t ns) {
    p->ops->burn_ns(p->ctx, ns);
}
static inline void vm_platform_checkpoint(const VmPlatform *p) { p->ops->checkpoint(p->ctx); }

#endif /* GILT_VM_PLATFORM_PLATFORM_H */
