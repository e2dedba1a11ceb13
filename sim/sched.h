/*
 * sim/sched.h - the deterministic simulator behind `gilt run --sim`:
 * virtual threads on virtual cores, an OS scheduler model, and the mutex,
 * condition variable and timed wait the GIL policies are written against.
 *
 * How it works (the FoundationDB/TigerBeetle technique)
 * -----------------------------------------------------
 * - Every simulated thread is a host pthread, used only for its C stack.
 *   Exactly one of them runs at any moment: the one holding the "baton".
 *   All others are parked on their own host condition variable, so host
 *   scheduling never decides anything; the simulator alone picks who runs
 *   next, from virtual times and sequence numbers only.
 * - Each thread has its own virtual clock.  A thread that runs on a virtual
 *   core advances its clock by the CPU it consumes (the interpreter adds a
 *   cost per bytecode to a picosecond counter the simulator reads).  It may
 *   run until its "horizon": the earliest pending event (a timed wait that
 *   expires, a woken thread arriving on a core), the end of its time slice
 *   when others are queued for a core, or another running thread's clock
 *   plus a small lookahead.  There it calls sim_checkpoint and the
 *   simulator catches up with everything due before it.
 * - Every synchronisation operation (mutex, condition variable, sleep,
 *   thread start) first makes sure nothing is due earlier in virtual time,
 *   so operations between threads happen in virtual-time order.
 * - The OS model: N cores; runnable threads beyond N wait in a FIFO run
 *   queue and share the cores in time slices; a woken thread becomes
 *   runnable after a wake-up latency drawn from min + exponential(mean -
 *   min) with the seeded PRNG (optionally: shorter when its core went idle
 *   only just before, and a slow tail for a share of wake-ups); a core
 *   switching threads pays a context switch; timed waits fire late by the
 *   timer slack; waking a sleeper or entering a blocking wait costs a
 *   system call.
 * - Background load: K CPU-bound threads of other programs that want a
 *   core all the time and share them with the program's threads in time
 *   slices (the busy machine); they run no code.
 * - Events live in one heap ordered by (time, seq) (sim/event.h), and the
 *   PRNG (sim/rng.h) lives here: the same seed and inputs replay exactly.
 */
#ifndef GILT_SIM_SCHED_H
#define GILT_SIM_SCHED_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Everything the OS model can be told; recorded with each run. */
typedef struct SimConfig {
    int cores;                /* virtual cores, >= 1 (--cores) */
    uint64_t seed;            /* the PRNG's seed (--seed) */
    uint64_t timeslice_ns;    /* time slice when threads queue for a core */
    uint64_t wake_min_ns;     /* wake-up latency: min + exp(mean - min) */
    uint64_t wake_mean_ns;
    uint64_t wake_tail_ppm;   /* plus, this many times in a million, a */
    uint64_t wake_tail_ns;    /* slow wake-up: exponential with this mean
                                 (a virtual CPU the host has descheduled) */
    uint64_t wake_fast_ns;    /* ... but only this when the core the thread
                                 wakes on went idle less than */
    uint64_t idle_shallow_ns; /* this long ago (a shallow idle state); 0:
                                 every wake-up pays the full latency */
    uint64_t ctx_switch_ns;   /* a core switching from one thread to another */
    uint64_t timer_slack_ns;  /* lateness of every timed wait and sleep */
    uint64_t syscall_ns;      /* waking a sleeper / entering a blocking wait */
    uint64_t lock_ns;         /* an uncontended mutex lock or unlock */
    uint64_t spawn_ns;        /* what starting a thread costs its creator */
    uint64_t msg_ns;          /* sending one message on a local socket */
    uint64_t lookahead_ns;    /* how far a thread may run past another
                                 running thread's clock (threads that share
                                 nothing but memory, as under --gil none) */
    uint64_t max_segment_ns;  /* longest run without a checkpoint (progress) */
    uint64_t background_threads; /* CPU-bound threads of other programs that
                                    share the cores (--background-load) */
} SimConfig;

/* The longest duration of the OS model: an hour.  Longer time slices,
 * latencies or costs model nothing real, and the cap keeps every sum of
 * virtual times far from overflowing. */
#define SIM_MODEL_MAX_NS (3600ull * 1000000000ull)
#define SIM_MAX_CORES 1024
#define SIM_MAX_BACKGROUND 1024

/* Defaults measured on a 2020s x86 Linux machine (see `gilt calibrate`). */
void sim_config_default(SimConfig *c);
/* Is c a model the simulator can run: cores from 1 to SIM_MAX_CORES, a
 * positive time slice, every duration at most SIM_MODEL_MAX_NS, mean
 * wake-up latency no less than the minimum, a tail share of at most a
 * million ppm?  The one check of both the options and the cost file.
 * false with a message (field names as in the cost file) in err. */
bool sim_config_validate(const SimConfig *c, char *err, size_t size);
/* Print the configuration as "key=value" words on one line. */
void sim_config_print(const SimConfig *c, FILE *out);
/* The same into buf (truncated to size). */
void sim_config_format(const SimConfig *c, char *buf, size_t size);

typedef struct Sim Sim;
typedef struct SimThread SimThread;

/* A FIFO of blocked threads (the waiters of a mutex, condvar or socket). */
typedef struct SimWaitQueue {
    SimThread *head, *tail;
} SimWaitQueue;

typedef struct SimMutex {
    SimThread *owner;
    SimWaitQueue waiters;
} SimMutex;

typedef struct SimCond {
    SimWaitQueue waiters;
} SimCond;

/* Counters of what the OS model did, for the run record. */
typedef struct SimCounters {
    uint64_t context_switches;  /* a core went from one thread to another */
    uint64_t preemptions;       /* a running thread lost its core to the queue */
    uint64_t wakeups;           /* blocked threads made runnable */
    uint64_t timeouts;          /* timed waits and sleeps that expired */
    uint64_t checkpoints;
    uint64_t baton_passes;      /* host-level switches (simulation overhead) */
} SimCounters;

/* Create the simulator; the calling host thread becomes simulated thread
 * 0, running on core 0 at virtual time 0.  NULL if out of memory. */
Sim *sim_new(const SimConfig *cfg);
/* Destroy it; only the first thread may call this, when every other
 * simulated thread has finished or is parked for good (process exit). */
void sim_free(Sim *s);
const SimConfig *sim_config(const Sim *s);
const SimCounters *sim_counters(const Sim *s);

/* The thread holding the baton (the caller, when called from a thread). */
SimThread *sim_current(Sim *s);
/* Virtual nanoseconds on the calling thread's clock. */
uint64_t sim_now(Sim *s);
/* The latest virtual time any thread has reached (end of run). */
uint64_t sim_max_time(Sim *s);

/* Tie the calling thread's clock to a counter of consumed CPU in
 * picoseconds that its owner increases (the interpreter), and tell the
 * owner, through *horizon_ps, at which counter value to call
 * sim_checkpoint.  Without a binding a thread consumes CPU only through
 * sim_cpu / sim_burn. */
void sim_thread_bind(Sim *s, SimThread *t, const uint64_t *cpu_ps, uint64_t *horizon_ps);

/* Start fn(arg) on a new simulated thread (runnable after a wake-up
 * latency).  cpu_ps/horizon_ps may be NULL (see sim_thread_bind).  Returns
 * NULL if the host cannot create a thread.  A thread ends when fn returns. */
SimThread *sim_thread_start(Sim *s, void *(*fn)(void *), void *arg, const char *name,
                            const uint64_t *cpu_ps, uint64_t *horizon_ps);

/* The caller's CPU counter reached its horizon: let whatever is due run
 * (possibly preempting the caller if its slice is over). */
void sim_checkpoint(Sim *s);
/* Charge ns of CPU to the caller without giving up its core (a cost). */
void sim_cpu(Sim *s, uint64_t ns);
/* The same in picoseconds (sub-nanosecond costs add up exactly). */
void sim_cpu_ps(Sim *s, uint64_t ps);
/* Keep the caller's core busy for ns (a long C call): time-sliced like
 * interpreted code. */
void sim_burn(Sim *s, uint64_t ns);
/* Block off-core for ns (plus timer slack and wake-up latency). */
void sim_sleep(Sim *s, uint64_t ns);

#define SIM_FOREVER UINT64_MAX
/* The end of virtual time: every sum of virtual times saturates here
 * instead of wrapping (a clock that wrapped would run backwards).  Half
 * the signed 64-bit nanosecond range, some 146 years, so that a clock
 * plus an epoch (time.time_ns()) still fits the int64_t it becomes. */
#define SIM_TIME_MAX ((uint64_t)INT64_MAX / 2)

void sim_mutex_init(SimMutex *m);
void sim_mutex_lock(Sim *s, SimMutex *m);
void sim_mutex_unlock(Sim *s, SimMutex *m);
void sim_cond_init(SimCond *c);
/* Release m, wait to be signalled or for timeout_ns (SIM_FOREVER: no
 * timeout), re-take m.  0 signalled, 1 timed out. */
int sim_cond_wait(Sim *s, SimCond *c, SimMutex *m, uint64_t timeout_ns);
void sim_cond_signal(Sim *s, SimCond *c);
void sim_cond_broadcast(Sim *s, SimCond *c);

/* Building blocks for other blocking objects (sim/channel.c).  The usual
 * pattern is: sim_sync(); while (!predicate) sim_block_on(q, ...);  - no
 * other simulated thread runs between the predicate test and the block. */
void sim_sync(Sim *s);
/* Block on q until sim_wake_all(q) or timeout_ns: 0 woken, 1 timed out. */
int sim_block_on(Sim *s, SimWaitQueue *q, uint64_t timeout_ns);
/* Wake every thread blocked on q (charging the caller a system call). */
void sim_wake_all(Sim *s, SimWaitQueue *q);

/* What to do when every simulated thread is blocked and no event is
 * pending: the hook should report and exit; without one (or if it
 * returns) the simulator prints its own report and exits with status 1. */
void sim_set_deadlock_hook(Sim *s, void (*hook)(void *ctx), void *ctx);
/* Print "virtual time, wall time" progress lines to `out`: the first once
 * the run has taken `after_ms` of wall time, then one every 2 s. */
void sim_set_progress(Sim *s, FILE *out, uint64_t after_ms);

#endif /* GILT_SIM_SCHED_H */
