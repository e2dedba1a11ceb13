/*
 * sim/sched.c - virtual threads, virtual cores and the OS model (see
 * sim/sched.h for the technique and the model).
 *
 * Implementation notes
 * --------------------
 * - host_lock is held by whoever is inside the simulator; the baton holder
 *   runs program code without it.  Handing the baton over is "set
 *   current, signal the next thread's condvar, wait on ours until current
 *   is us again", so a parked thread never runs by accident.
 * - A thread's clock is base_ns plus the CPU counter's growth since
 *   cpu_base_ps.  Moving a thread in time (it slept, it waited for a core)
 *   rebases both.
 * - dispatch() is the scheduler loop: it processes every event due no
 *   later than the earliest running thread's clock, in (time, seq) order,
 *   then hands the baton to that thread with a horizon.  Events at the same
 *   time as a thread's clock go first, so a wake-up due "now" is seen now.
 * - Cancelled timers are left in the heap and recognised by their seq
 *   (the thread keeps the seq of its one live timer).
 * - Every sum of virtual times goes through sat_add (or advance), which
 *   stops at SIM_TIME_MAX: a timeout "just short of forever" or a model of
 *   absurd costs ends at the end of time, never wraps into the past.  No
 *   run can go on there (every timed wait would fire at once and threads
 *   tied at one time would starve each other), so a thread that gets there
 *   or a timer that fires there ends the run, as a deadlock does.
 */
#include "sim/sched.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/clock.h"
#include "sim/event.h"
#include "sim/rng.h"

typedef enum {
    T_RUNNING,   /* on a core */
    T_READY,     /* runnable, queued for a core */
    T_BLOCKED,   /* waiting on a queue and/or a timer */
    T_WAKING,    /* woken; arrives on the run queue after the latency */
    T_DONE,
} ThreadState;

/* EV_SLICE: a background thread's time slice ends while a program
 * thread queues for a core (see "background load" below). */
enum { EV_TIMEOUT = 1, EV_ARRIVE = 2, EV_SLICE = 3 };

struct SimThread {
    Sim *sim;
    int id;
    char name[48];
    pthread_cond_t go;          /* host: signalled when handed the baton */
    ThreadState state;
    int core;                   /* index while running, else -1 */
    int last_core;              /* where it ran last, -1 before it ran */
    uint64_t base_ns;           /* clock = base_ns + (cpu - cpu_base)/1000 */
    uint64_t cpu_base_ps;
    const uint64_t *cpu_ps;     /* the owner's CPU counter */
    uint64_t *horizon_ps;       /* where the owner must check in */
    uint64_t own_cpu_ps, own_horizon_ps; /* used when nothing is bound */
    uint64_t extra_ps;          /* sim_cpu_ps charges below a nanosecond */
    uint64_t slice_end_ns;      /* end of the current time slice */
    uint64_t ready_at_ns;       /* when it joined the run queue */
    SimWaitQueue *waiting_on;   /* the queue it is blocked on, or NULL */
    SimThread *wq_next;
    uint64_t timer_seq;         /* seq of its live timer (a background
                                   thread: of its slice end), 0 if none */
    bool background;            /* a CPU hog of --background-load: no host
                                   thread, no program, only a claim on a core */
    uint64_t on_core_ns;        /* when it last got a core */
    uint64_t vruntime_ns;       /* CPU it had on cores (CFS's vruntime, all
                                   weights equal): wake-up preemption of
                                   background threads */
    int wake_reason;            /* 0 signalled, 1 timed out */
    SimThread *ready_next;
    SimThread *all_next;
    void *(*fn)(void *);
    void *arg;
};

typedef struct {
    SimThread *thread;          /* running here, or NULL */
    uint64_t free_at_ns;        /* when it last became idle */
    SimThread *last;            /* who ran here last (context switches) */
} Core;

struct Sim {
    SimConfig cfg;
    SimRng rng;
    SimEventHeap events;
    pthread_mutex_t host_lock;
    SimThread *current;
    Core *cores;
    SimThread *ready_head, *ready_tail;
    SimThread *all;
    int next_id;
    int live;                   /* program threads not DONE */
    int ready_program;          /* program (not background) threads queued */
    uint64_t max_time_ns;
    SimCounters counters;
    void (*deadlock_hook)(void *ctx);
    void *deadlock_ctx;
    FILE *progress_out;
    uint64_t progress_after_ns, wall_start_ns, last_progress_ns;
    uint64_t progress_lines;
};

void sim_config_default(SimConfig *c) {
    memset(c, 0, sizeof *c);
    c->cores = 4;
    c->seed = 0;
    /* Measured by `gilt calibrate` on the development VM (2 vCPUs, Debian
     * 12); the time slice and lookahead are model choices. */
    c->timeslice_ns = 3000000;      /* CFS: 6 ms latency over 2 runnable */
    c->wake_min_ns = 6700;
    c->wake_mean_ns = 15000;
    c->ctx_switch_ns = 1000;
    c->timer_slack_ns = 80000;      /* Linux's 50 us slack, plus the tick */
    c->syscall_ns = 4600;
    c->lock_ns = 6;
    c->spawn_ns = 6700;
    c->msg_ns = 6400;
    c->lookahead_ns = 20000;
    c->max_segment_ns = 10000000;
}

/* Every duration of SimConfig, named as in the cost file. */
#define DURATION_FIELDS(X)                                                    \
    X(timeslice_ns) X(wake_min_ns) X(wake_mean_ns) X(wake_tail_ns) X(wake_fast_ns) \
    X(idle_shallow_ns) X(ctx_switch_ns) X(timer_slack_ns) X(syscall_ns) X(lock_ns) \
    X(spawn_ns) X(msg_ns) X(lookahead_ns) X(max_segment_ns)

bool sim_config_validate(const SimConfig *c, char *err, size_t size) {
    if (c->cores < 1 || c->cores > SIM_MAX_CORES) {
        snprintf(err, size, "cores is %d, not from 1 to %d", c->cores, SIM_MAX_CORES);
        return false;
    }
#define CHECK_DURATION(f)                                                     \
    if (c->f > SIM_MODEL_MAX_NS) {                                            \
        snprintf(err, size, #f " is %llu ns, more than an hour (%llu ns)",     \
                 (unsigned long long)c->f, (unsigned long long)SIM_MODEL_MAX_NS); \
        return false;                                                         \
    }
    DURATION_FIELDS(CHECK_DURATION)
#undef CHECK_DURATION
    if (c->timeslice_ns == 0) {
        snprintf(err, size, "timeslice_ns is 0: a time slice must be positive");
        return false;
    }
    if (c->wake_mean_ns < c->wake_min_ns) {
        snprintf(err, size, "wake_mean_ns (%llu) is below wake_min_ns (%llu)",
                 (unsigned long long)c->wake_mean_ns, (unsigned long long)c->wake_min_ns);
        return false;
    }
    if (c->background_threads > SIM_MAX_BACKGROUND) {
        snprintf(err, size, "background_threads is %llu, more than %d",
                 (unsigned long long)c->background_threads, SIM_MAX_BACKGROUND);
        return false;
    }
    if (c->wake_tail_ppm > 1000000) {
        snprintf(err, size, "wake_tail_ppm is %llu, more than 1000000 (every wake-up)",
                 (unsigned long long)c->wake_tail_ppm);
        return false;
    }
    return true;
}

void sim_config_print(const SimConfig *c, FILE *out) {
    char buf[512];
    sim_config_format(c, buf, sizeof buf);
    fputs(buf, out);
}

void sim_config_format(const SimConfig *c, char *buf, size_t size) {
    snprintf(buf, size,
            "cores=%d seed=%llu timeslice_ns=%llu wake_min_ns=%llu "
            "wake_mean_ns=%llu wake_tail_ppm=%llu wake_tail_ns=%llu wake_fast_ns=%llu "
            "idle_shallow_ns=%llu ctx_switch_ns=%llu timer_slack_ns=%llu "
            "syscall_ns=%llu lock_ns=%llu spawn_ns=%llu msg_ns=%llu lookahead_ns=%llu "
            "background_threads=%llu",
            c->cores, (unsigned long long)c->seed,
            (unsigned long long)c->timeslice_ns, (unsigned long long)c->wake_min_ns,
            (unsigned long long)c->wake_mean_ns, (unsigned long long)c->wake_tail_ppm,
            (unsigned long long)c->wake_tail_ns, (unsigned long long)c->wake_fast_ns,
            (unsigned long long)c->idle_shallow_ns, (unsigned long long)c->ctx_switch_ns,
            (unsigned long long)c->timer_slack_ns, (unsigned long long)c->syscall_ns,
            (unsigned long long)c->lock_ns, (unsigned long long)c->spawn_ns,
            (unsigned long long)c->msg_ns, (unsigned long long)c->lookahead_ns,
            (unsigned long long)c->background_threads);
}

static void fatal(const char *what) {
    fprintf(stderr, "gilt: fatal: simulator: %s\n", what);
    abort();
}

static void end_of_time(void) {
    fflush(stdout);
    fprintf(stderr, "gilt: virtual time ran out: the run reached the end of simulated time "
                    "(%llu ns, some 146 years)\n", (unsigned long long)SIM_TIME_MAX);
    exit(1);
}


/* ---- clocks ------------------------------------------------------------- */

/* a + b, or SIM_TIME_MAX if that is later. */
static uint64_t sat_add(uint64_t a, uint64_t b) {
    return a >= SIM_TIME_MAX || b >= SIM_TIME_MAX - a ? SIM_TIME_MAX : a + b;
}

/* A drawn duration (a double) in nanoseconds, without an undefined
 * conversion of a value beyond uint64_t. */
static uint64_t ns_of(double d) {
    return d < (double)SIM_TIME_MAX ? (uint64_t)d : SIM_TIME_MAX;
}

static uint64_t t_now(const SimThread *t) {
    return sat_add(t->base_ns, (*t->cpu_ps - t->cpu_base_ps) / 1000);
}

/* t's clock moves on by ns (a cost, CPU it used). */
static void advance(SimThread *t, uint64_t ns) { t->base_ns = sat_add(t->base_ns, ns); }

static void t_set_time(SimThread *t, uint64_t ns) {
    t->base_ns = ns;
    t->cpu_base_ps = *t->cpu_ps;
}

static void note_time(Sim *s, uint64_t ns) {
    if (ns > s->max_time_ns) s->max_time_ns = ns;
}

static uint64_t wake_latency(Sim *s) {
    const SimConfig *c = &s->cfg;
    uint64_t extra = c->wake_mean_ns > c->wake_min_ns ? c->wake_mean_ns - c->wake_min_ns : 0;
    uint64_t lat = c->wake_min_ns;
    if (extra) lat = sat_add(lat, ns_of(sim_rng_exponential(&s->rng, (double)extra)));
    /* The slow tail draws only when configured, so a model without one
     * keeps its random stream (and its runs) unchanged. */
    if (c->wake_tail_ppm && sim_rng_below(&s->rng, 1000000) < c->wake_tail_ppm)
        lat = sat_add(lat, ns_of(sim_rng_exponential(&s->rng, (double)c->wake_tail_ns)));
    return lat;
}

/* The latency of waking t at at_ns.  Like Linux's select_task_rq, t goes
 * back to its last core if that is idle, else to the most recently idled
 * core; a core idle for less than idle_shallow_ns is still in a shallow
 * idle state and wakes in wake_fast_ns, a longer-idle (or busy) one pays
 * the full, random latency. */
static uint64_t wake_latency_for(Sim *s, SimThread *t, uint64_t at_ns) {
    const SimConfig *c = &s->cfg;
    uint64_t full = wake_latency(s);   /* drawn always: one stream per run */
    if (!c->idle_shallow_ns) return full;
    int best = -1;
    if (t->last_core >= 0 && !s->cores[t->last_core].thread) {
        best = t->last_core;
    } else {
        for (int i = 0; i < c->cores; i++)
            if (!s->cores[i].thread && (best < 0 || s->cores[i].free_at_ns > s->cores[best].free_at_ns))
                best = i;
    }
    if (best < 0) return full;
    uint64_t idle_since = s->cores[best].free_at_ns;
    if (at_ns >= idle_since && at_ns - idle_since < c->idle_shallow_ns) return c->wake_fast_ns;
    return full;
}

/* ---- threads, cores and the run queue --------------------------------- */

static SimThread *thread_new(Sim *s, const char *name) {
    SimThread *t = sim_alloc_zeroed(1, sizeof *t);
    t->sim = s;
    t->id = s->next_id++;
    snprintf(t->name, sizeof t->name, "%s", name ? name : "thread");
    if (pthread_cond_init(&t->go, NULL) != 0) fatal("pthread_cond_init");
    t->core = -1;
    t->last_core = -1;
    t->cpu_ps = &t->own_cpu_ps;
    t->horizon_ps = &t->own_horizon_ps;
    t->all_next = s->all;
    s->all = t;
    s->live++;
    return t;
}

/* ---- background load --------------------------------------------------
 * --background-load K adds K CPU-bound threads of other processes: each
 * wants a core all the time and shares the cores with the program's
 * threads in time slices, as a busy host's other jobs do.  They have no
 * host thread and run no code; they only hold a core.  Since they are
 * alike, it does not matter which of them runs: a background thread gives
 * its core up only at the end of a slice during which a program thread
 * was queued (an EV_SLICE event), and otherwise keeps it with no event at
 * all - so a run whose program threads all sleep costs nothing, and a run
 * whose program threads all block forever is still a deadlock.
 *
 * Against them a woken program thread is placed as Linux's CFS places it
 * (place_entity, check_preempt_wakeup): its vruntime becomes at least the
 * least vruntime of the background threads less a sleeper credit of one
 * time slice, and it takes the core of the background thread with the
 * most vruntime if that is more than a third of a slice ahead.  So a
 * thread that mostly sleeps (an echo loop) gets a core at once, while a
 * CPU-bound thread that was woken (to take the GIL back) waits its turn
 * behind the hogs, as on a busy Linux machine.  Program threads among
 * themselves keep the FIFO run queue of the model without load. */

static void schedule_slice_end(Sim *s, SimThread *t, uint64_t not_before_ns) {
    uint64_t ts = s->cfg.timeslice_ns;
    if (t->slice_end_ns < not_before_ns)
        t->slice_end_ns = sat_add(t->slice_end_ns,
                                  (not_before_ns - t->slice_end_ns + ts - 1) / ts * ts);
    t->timer_seq = sim_event_push(&s->events, t->slice_end_ns, EV_SLICE, t);
}

static uint64_t vruntime_at(const SimThread *t, uint64_t at_ns) {
    if (t->core < 0 || at_ns < t->on_core_ns) return t->vruntime_ns;
    return sat_add(t->vruntime_ns, at_ns - t->on_core_ns);
}

/* t, a program thread woken at at_ns, finds every core busy: the core of
 * the background thread it preempts, or -1. */
static int background_core_to_preempt(Sim *s, SimThread *t, uint64_t at_ns) {
    int victim = -1;
    uint64_t most = 0, least = UINT64_MAX;
    for (SimThread *b = s->all; b; b = b->all_next) {
        if (!b->background) continue;
        uint64_t v = vruntime_at(b, at_ns);
        if (v < least) least = v;
        if (b->core >= 0 && (victim < 0 || v > most)) {
            victim = b->core;
            most = v;
        }
    }
    if (victim < 0) return -1;
    uint64_t credit = s->cfg.timeslice_ns;
    uint64_t floor = least > credit ? least - credit : 0;
    if (t->vruntime_ns < floor) t->vruntime_ns = floor;
    return most > t->vruntime_ns + s->cfg.timeslice_ns / 3 ? victim : -1;
}

/* A program thread just queued at at_ns: every background thread on a
 * core leaves it at the end of its current slice. */
static void background_yield_at_slice_end(Sim *s, uint64_t at_ns) {
    for (int i = 0; i < s->cfg.cores; i++) {
        SimThread *t = s->cores[i].thread;
        if (t && t->background && !t->timer_seq) schedule_slice_end(s, t, at_ns);
    }
}

static void put_on_core(Sim *s, SimThread *t, int core, uint64_t at_ns) {
    Core *c = &s->cores[core];
    if (c->last && c->last != t) {
        at_ns = sat_add(at_ns, s->cfg.ctx_switch_ns);
        s->counters.context_switches++;
    }
    c->thread = t;
    c->last = t;
    t->core = core;
    t->last_core = core;
    t->state = T_RUNNING;
    t->on_core_ns = at_ns;
    t_set_time(t, at_ns);
    t->slice_end_ns = sat_add(at_ns, s->cfg.timeslice_ns);
    if (t->background && s->ready_program) schedule_slice_end(s, t, at_ns);
}

/* t leaves its core at at_ns; the head of the run queue takes it. */
static void release_core(Sim *s, SimThread *t, uint64_t at_ns) {
    int core = t->core;
    if (core < 0) return;
    Core *c = &s->cores[core];
    c->thread = NULL;
    c->free_at_ns = at_ns;
    t->vruntime_ns = vruntime_at(t, at_ns);
    t->core = -1;
    SimThread *next = s->ready_head;
    if (next) {
        s->ready_head = next->ready_next;
        if (!s->ready_head) s->ready_tail = NULL;
        next->ready_next = NULL;
        if (!next->background) s->ready_program--;
        put_on_core(s, next, core, at_ns > next->ready_at_ns ? at_ns : next->ready_at_ns);
    }
}

/* t can run from at_ns: take an idle core or queue. */
static void make_ready(Sim *s, SimThread *t, uint64_t at_ns) {
    for (int i = 0; i < s->cfg.cores; i++) {
        Core *c = &s->cores[i];
        if (!c->thread) {
            put_on_core(s, t, i, at_ns > c->free_at_ns ? at_ns : c->free_at_ns);
            return;
        }
    }
    t->state = T_READY;
    t->ready_at_ns = at_ns;
    t->ready_next = NULL;
    if (s->ready_tail) s->ready_tail->ready_next = t;
    else s->ready_head = t;
    s->ready_tail = t;
    if (!t->background && s->ready_program++ == 0) background_yield_at_slice_end(s, at_ns);
}

static void wq_push(SimWaitQueue *q, SimThread *t) {
    t->wq_next = NULL;
    if (q->tail) q->tail->wq_next = t;
    else q->head = t;
    q->tail = t;
    t->waiting_on = q;
}

static void wq_remove(SimWaitQueue *q, SimThread *t) {
    SimThread *prev = NULL;
    for (SimThread *p = q->head; p; prev = p, p = p->wq_next) {
        if (p != t) continue;
        if (prev) prev->wq_next = p->wq_next;
        else q->head = p->wq_next;
        if (q->tail == p) q->tail = prev;
        break;
    }
    t->wq_next = NULL;
    t->waiting_on = NULL;
}

/* A blocked thread is woken at at_ns: it arrives after the latency. */
static void wake(Sim *s, SimThread *t, uint64_t at_ns, int reason) {
    if (t->waiting_on) wq_remove(t->waiting_on, t);
    t->timer_seq = 0;
    t->wake_reason = reason;
    t->state = T_WAKING;
    s->counters.wakeups++;
    sim_event_push(&s->events, sat_add(at_ns, wake_latency_for(s, t, at_ns)), EV_ARRIVE, t);
}

/* A woken program thread arrives on a machine with background load. */
static void arrive_among_background(Sim *s, SimThread *t, uint64_t at_ns) {
    for (int i = 0; i < s->cfg.cores; i++)
        if (!s->cores[i].thread) {
            make_ready(s, t, at_ns);
            return;
        }
    int core = background_core_to_preempt(s, t, at_ns);
    if (core < 0) {
        make_ready(s, t, at_ns);
        return;
    }
    SimThread *b = s->cores[core].thread;
    b->vruntime_ns = vruntime_at(b, at_ns);
    b->core = -1;
    b->timer_seq = 0;          /* its pending slice end, if any, is void */
    s->cores[core].thread = NULL;
    s->counters.preemptions++;
    put_on_core(s, t, core, at_ns);
    make_ready(s, b, at_ns);
}

static void process_event(Sim *s, const SimEvent *e) {
    SimThread *t = e->target;
    note_time(s, e->time_ns);
    switch (e->kind) {
    case EV_TIMEOUT:
        if (t->timer_seq != e->seq || t->state != T_BLOCKED) return; /* cancelled */
        if (e->time_ns >= SIM_TIME_MAX) end_of_time();
        s->counters.timeouts++;
        wake(s, t, e->time_ns, 1);
        break;
    case EV_ARRIVE:
        if (e->time_ns >= SIM_TIME_MAX) end_of_time();
        if (s->cfg.background_threads) arrive_among_background(s, t, e->time_ns);
        else make_ready(s, t, e->time_ns);
        break;
    case EV_SLICE:
        if (t->timer_seq != e->seq || t->state != T_RUNNING) return;
        t->timer_seq = 0;
        if (e->time_ns >= SIM_TIME_MAX) end_of_time();
        if (!s->ready_program) return;   /* nobody of the program waits: keep it */
        s->counters.preemptions++;
        release_core(s, t, e->time_ns);
        make_ready(s, t, e->time_ns);
        break;
    default:
        fatal("unknown event");
    }
}

/* ---- the scheduler loop ------------------------------------------------ */

static SimThread *earliest_running(Sim *s) {
    SimThread *best = NULL;
    uint64_t best_t = 0;
    for (int i = 0; i < s->cfg.cores; i++) {
        SimThread *t = s->cores[i].thread;
        if (!t || t->background) continue;
        uint64_t tt = t_now(t);
        if (!best || tt < best_t) {
            best = t;
            best_t = tt;
        }
    }
    return best;
}

/* The virtual time up to which r may run without checking in. */
static uint64_t horizon_of(Sim *s, SimThread *r) {
    uint64_t now = t_now(r);
    uint64_t h = sat_add(now, s->cfg.max_segment_ns);
    SimEvent e;
    if (sim_event_peek(&s->events, &e) && e.time_ns < h) h = e.time_ns;
    for (int i = 0; i < s->cfg.cores; i++) {
        SimThread *t = s->cores[i].thread;
        if (!t || t == r || t->background) continue;
        uint64_t lim = sat_add(t_now(t), s->cfg.lookahead_ns);
        if (lim < h) h = lim;
    }
    if (s->ready_head && r->slice_end_ns < h) h = r->slice_end_ns;
    return h;
}

static void set_horizon(Sim *s, SimThread *r) {
    uint64_t now = t_now(r), h = horizon_of(s, r);
    uint64_t ahead = h > now ? h - now : 0;
    if (ahead > UINT64_MAX / 2000) ahead = UINT64_MAX / 2000;
    /* The counter is the owner's, in picoseconds: saturate at its end. */
    *r->horizon_ps = *r->cpu_ps > UINT64_MAX - ahead * 1000 ? UINT64_MAX : *r->cpu_ps + ahead * 1000;
}

static void report_deadlock(Sim *s) {
    if (s->deadlock_hook) s->deadlock_hook(s->deadlock_ctx);
    fflush(stdout);
    fprintf(stderr,
            "gilt: deadlock in virtual time: every simulated thread is blocked "
            "and no event is pending\n");
    for (SimThread *t = s->all; t; t = t->all_next)
        if (t->state != T_DONE && !t->background)
            fprintf(stderr, "  simulated thread %d '%s' is blocked\n", t->id, t->name);
    exit(1);
}

static void progress(Sim *s, SimThread *r) {
    uint64_t wall = sim_clock_now_ns() - s->wall_start_ns;
    if (wall < s->progress_after_ns) return;
    if (s->progress_lines && wall - s->last_progress_ns < 2000000000ull) return;
    s->last_progress_ns = wall;
    s->progress_lines++;
    fprintf(s->progress_out, "gilt: sim: virtual %.3f s after %.1f s of wall time\n",
            (double)t_now(r) / 1e9, (double)wall / 1e9);
    fflush(s->progress_out);
}

/* Give the baton to `to` and, unless self has finished, wait for it to
 * come back.  host_lock is held. */
static void hand_over(Sim *s, SimThread *self, SimThread *to) {
    s->current = to;
    if (to == self) return;
    s->counters.baton_passes++;
    pthread_cond_signal(&to->go);
    if (self->state == T_DONE) return;
    while (s->current != self) pthread_cond_wait(&self->go, &s->host_lock);
}

/* Process everything due, then run the earliest running thread. */
static void dispatch(Sim *s, SimThread *self) {
    for (;;) {
        SimThread *r = earliest_running(s);
        SimEvent e;
        if (sim_event_peek(&s->events, &e) && (!r || e.time_ns <= t_now(r))) {
            sim_event_pop(&s->events, &e);
            process_event(s, &e);
            continue;
        }
        if (!r) report_deadlock(s);
        if (t_now(r) >= SIM_TIME_MAX) end_of_time();
        note_time(s, t_now(r));
        set_horizon(s, r);
        if (s->progress_out) progress(s, r);
        hand_over(s, self, r);
        return;
    }
}

/* Is anything due before the caller's present (so it must wait its turn)? */
static bool behind_others(Sim *s, SimThread *self) {
    uint64_t now = t_now(self);
    SimEvent e;
    if (sim_event_peek(&s->events, &e) && e.time_ns <= now) return true;
    for (int i = 0; i < s->cfg.cores; i++) {
        SimThread *t = s->cores[i].thread;
        if (t && t != self && !t->background && t_now(t) < now) return true;
    }
    return s->ready_head && now >= self->slice_end_ns;
}

static void checkpoint_locked(Sim *s, SimThread *self) {
    s->counters.checkpoints++;
    uint64_t now = t_now(self);
    note_time(s, now);
    if (s->ready_head && now >= self->slice_end_ns) {
        /* Slice over and somebody is queued: back of the run queue. */
        s->counters.preemptions++;
        release_core(s, self, now);
        make_ready(s, self, now);
    }
    dispatch(s, self);
}

/* Before an operation other threads can observe: catch up first. */
static void sync_point(Sim *s, SimThread *self) {
    if (behind_others(s, self)) checkpoint_locked(s, self);
}

/* Block the caller (off its core) until woken or timeout_ns passes. */
static int block_locked(Sim *s, SimThread *self, SimWaitQueue *q, uint64_t timeout_ns) {
    uint64_t now = t_now(self);
    self->state = T_BLOCKED;
    if (q) wq_push(q, self);
    if (timeout_ns != SIM_FOREVER)
        self->timer_seq = sim_event_push(&s->events,
                                         sat_add(sat_add(now, timeout_ns), s->cfg.timer_slack_ns),
                                         EV_TIMEOUT, self);
    release_core(s, self, now);
    dispatch(s, self);
    return self->wake_reason;
}

/* ---- public entry points ----------------------------------------------- */

Sim *sim_new(const SimConfig *cfg) {
    if (cfg->cores < 1) return NULL;
    Sim *s = sim_alloc_zeroed(1, sizeof *s);
    s->cfg = *cfg;
    if (!s->cfg.max_segment_ns) s->cfg.max_segment_ns = 10000000;
    if (!s->cfg.lookahead_ns) s->cfg.lookahead_ns = 1;
    sim_rng_seed(&s->rng, cfg->seed);
    sim_event_heap_init(&s->events);
    if (pthread_mutex_init(&s->host_lock, NULL) != 0) fatal("pthread_mutex_init");
    s->cores = sim_alloc_zeroed((size_t)cfg->cores, sizeof *s->cores);
    SimThread *main_t = thread_new(s, "MainThread");
    put_on_core(s, main_t, 0, 0);
    s->current = main_t;
    for (uint64_t i = 0; i < cfg->background_threads; i++) {
        SimThread *b = thread_new(s, "background");
        b->background = true;
        s->live--;
        make_ready(s, b, 0);
    }
    set_horizon(s, main_t);
    return s;
}

void sim_free(Sim *s) {
    SimThread *t = s->all;
    while (t) {
        SimThread *next = t->all_next;
        /* Threads still parked (daemons at exit) keep their condvar. */
        bool ours = t->state == T_DONE || t == s->current || t->background;
        if (ours) pthread_cond_destroy(&t->go);
        if (ours) free(t);
        t = next;
    }
    sim_event_heap_fini(&s->events);
    free(s->cores);
    pthread_mutex_destroy(&s->host_lock);
    free(s);
}

const SimConfig *sim_config(const Sim *s) { return &s->cfg; }
const SimCounters *sim_counters(const Sim *s) { return &s->counters; }
SimThread *sim_current(Sim *s) { return s->current; }
uint64_t sim_now(Sim *s) { return t_now(s->current); }

uint64_t sim_max_time(Sim *s) {
    note_time(s, t_now(s->current));
    return s->max_time_ns;
}

void sim_thread_bind(Sim *s, SimThread *t, const uint64_t *cpu_ps, uint64_t *horizon_ps) {
    pthread_mutex_lock(&s->host_lock);
    uint64_t now = t_now(t);
    t->cpu_ps = cpu_ps ? cpu_ps : &t->own_cpu_ps;
    t->horizon_ps = horizon_ps ? horizon_ps : &t->own_horizon_ps;
    t_set_time(t, now);
    if (t == s->current) set_horizon(s, t);
    pthread_mutex_unlock(&s->host_lock);
}

static void *trampoline(void *arg) {
    SimThread *t = arg;
    Sim *s = t->sim;
    pthread_mutex_lock(&s->host_lock);
    while (s->current != t) pthread_cond_wait(&t->go, &s->host_lock);
    pthread_mutex_unlock(&s->host_lock);

    t->fn(t->arg);

    pthread_mutex_lock(&s->host_lock);
    uint64_t now = t_now(t);
    note_time(s, now);
    t->state = T_DONE;
    s->live--;
    release_core(s, t, now);
    dispatch(s, t);
    pthread_mutex_unlock(&s->host_lock);
    return NULL;
}

SimThread *sim_thread_start(Sim *s, void *(*fn)(void *), void *arg, const char *name,
                            const uint64_t *cpu_ps, uint64_t *horizon_ps) {
    pthread_mutex_lock(&s->host_lock);
    SimThread *self = s->current;
    sync_point(s, self);
    advance(self, s->cfg.spawn_ns);
    SimThread *t = thread_new(s, name);
    t->fn = fn;
    t->arg = arg;
    if (cpu_ps) t->cpu_ps = cpu_ps;
    if (horizon_ps) t->horizon_ps = horizon_ps;
    t->cpu_base_ps = *t->cpu_ps;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 16u * 1024 * 1024);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t pt;
    int rc = pthread_create(&pt, &attr, trampoline, t);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        /* Never scheduled: leave it DONE so nothing waits for it. */
        t->state = T_DONE;
        s->live--;
        pthread_mutex_unlock(&s->host_lock);
        return NULL;
    }
    t->state = T_WAKING;
    sim_event_push(&s->events, sat_add(t_now(self), wake_latency(s)), EV_ARRIVE, t);
    set_horizon(s, self);
    pthread_mutex_unlock(&s->host_lock);
    return t;
}

void sim_checkpoint(Sim *s) {
    pthread_mutex_lock(&s->host_lock);
    checkpoint_locked(s, s->current);
    pthread_mutex_unlock(&s->host_lock);
}

void sim_cpu(Sim *s, uint64_t ns) { advance(s->current, ns); }

void sim_cpu_ps(Sim *s, uint64_t ps) {
    SimThread *self = s->current;
    /* extra_ps stays below 1000, so this sum cannot wrap. */
    self->extra_ps += ps % 1000;
    advance(self, ps / 1000 + self->extra_ps / 1000);
    self->extra_ps %= 1000;
}

void sim_burn(Sim *s, uint64_t ns) {
    pthread_mutex_lock(&s->host_lock);
    SimThread *self = s->current;
    for (;;) {
        uint64_t now = t_now(self), h = horizon_of(s, self);
        uint64_t step = h > now ? h - now : 0;
        if (step > ns) step = ns;
        advance(self, step);
        ns -= step;
        if (!ns) break;
        checkpoint_locked(s, self);
    }
    set_horizon(s, self);
    pthread_mutex_unlock(&s->host_lock);
}

void sim_sleep(Sim *s, uint64_t ns) {
    pthread_mutex_lock(&s->host_lock);
    SimThread *self = s->current;
    sync_point(s, self);
    advance(self, s->cfg.syscall_ns);
    block_locked(s, self, NULL, ns);
    pthread_mutex_unlock(&s->host_lock);
}

void sim_mutex_init(SimMutex *m) { memset(m, 0, sizeof *m); }

static void mutex_lock_locked(Sim *s, SimThread *self, SimMutex *m) {
    sync_point(s, self);
    advance(self, s->cfg.lock_ns);
    while (m->owner) {
        /* Contended: sleep in the kernel until an unlock wakes us; the
         * lock is not handed over, so we may lose it again (barging). */
        advance(self, s->cfg.syscall_ns);
        block_locked(s, self, &m->waiters, SIM_FOREVER);
    }
    m->owner = self;
}

static void mutex_unlock_locked(Sim *s, SimThread *self, SimMutex *m) {
    sync_point(s, self);
    if (m->owner != self) fatal("mutex unlocked by a thread that does not own it");
    advance(self, s->cfg.lock_ns);
    m->owner = NULL;
    if (m->waiters.head) {
        advance(self, s->cfg.syscall_ns);
        wake(s, m->waiters.head, t_now(self), 0);
    }
}

void sim_mutex_lock(Sim *s, SimMutex *m) {
    pthread_mutex_lock(&s->host_lock);
    SimThread *self = s->current;
    mutex_lock_locked(s, self, m);
    set_horizon(s, self);
    pthread_mutex_unlock(&s->host_lock);
}

void sim_mutex_unlock(Sim *s, SimMutex *m) {
    pthread_mutex_lock(&s->host_lock);
    SimThread *self = s->current;
    mutex_unlock_locked(s, self, m);
    set_horizon(s, self);
    pthread_mutex_unlock(&s->host_lock);
}

void sim_cond_init(SimCond *c) { memset(c, 0, sizeof *c); }

int sim_cond_wait(Sim *s, SimCond *c, SimMutex *m, uint64_t timeout_ns) {
    pthread_mutex_lock(&s->host_lock);
    SimThread *self = s->current;
    mutex_unlock_locked(s, self, m);
    advance(self, s->cfg.syscall_ns);
    int reason = block_locked(s, self, &c->waiters, timeout_ns);
    mutex_lock_locked(s, self, m);
    set_horizon(s, self);
    pthread_mutex_unlock(&s->host_lock);
    return reason;
}

static void cond_wake(Sim *s, SimCond *c, bool all) {
    pthread_mutex_lock(&s->host_lock);
    SimThread *self = s->current;
    sync_point(s, self);
    if (c->waiters.head) advance(self, s->cfg.syscall_ns);
    while (c->waiters.head) {
        wake(s, c->waiters.head, t_now(self), 0);
        if (!all) break;
    }
    set_horizon(s, self);
    pthread_mutex_unlock(&s->host_lock);
}

void sim_cond_signal(Sim *s, SimCond *c) { cond_wake(s, c, false); }
void sim_cond_broadcast(Sim *s, SimCond *c) { cond_wake(s, c, true); }

void sim_sync(Sim *s) {
    pthread_mutex_lock(&s->host_lock);
    sync_point(s, s->current);
    set_horizon(s, s->current);
    pthread_mutex_unlock(&s->host_lock);
}

int sim_block_on(Sim *s, SimWaitQueue *q, uint64_t timeout_ns) {
    pthread_mutex_lock(&s->host_lock);
    SimThread *self = s->current;
    advance(self, s->cfg.syscall_ns);
    int reason = block_locked(s, self, q, timeout_ns);
    set_horizon(s, self);
    pthread_mutex_unlock(&s->host_lock);
    return reason;
}

void sim_wake_all(Sim *s, SimWaitQueue *q) {
    pthread_mutex_lock(&s->host_lock);
    SimThread *self = s->current;
    if (q->head) advance(self, s->cfg.syscall_ns);
    while (q->head) wake(s, q->head, t_now(self), 0);
    set_horizon(s, self);
    pthread_mutex_unlock(&s->host_lock);
}

void sim_set_deadlock_hook(Sim *s, void (*hook)(void *ctx), void *ctx) {
    s->deadlock_hook = hook;
    s->deadlock_ctx = ctx;
}

void sim_set_progress(Sim *s, FILE *out, uint64_t after_ms) {
    s->progress_out = out;
    s->progress_after_ns = after_ms * 1000000ull;
    s->wall_start_ns = sim_clock_now_ns();
    s->last_progress_ns = 0;
    s->progress_lines = 0;
}
