/*
 * vm/platform/platform_sim.c - the platform of --sim: the deterministic
 * simulator of sim/ (sim/sched.h).
 *
 * Locks and condition variables are the simulator's virtual ones; time is
 * the calling simulated thread's virtual clock, and time.time() adds a
 * fixed epoch to it so that it replays too; a sleep blocks the simulated
 * thread off its core and a long C call keeps its virtual core busy;
 * threads are simulated threads (a host thread each, for its C stack,
 * run only when the simulator hands it the baton); sockets are two
 * sim/channel.c byte streams, so data arrives at virtual times.  No host
 * time or host identity enters a virtual run: the pid is a fixed number.
 *
 * The context is the Sim itself, so any number of VMs can be made on one
 * simulator: their threads then share its virtual cores.
 */
#include "vm/platform/platform.h"

#include <errno.h>
#include <string.h>

#include "sim/channel.h"
#include "sim/sched.h"
#include "vm/runtime/memory.h"

/* The epoch of every virtual run: 2026-01-01T00:00:00Z. */
#define VIRTUAL_EPOCH_NS (1767225600ull * 1000000000ull)
/* What os.getpid() says in virtual time (os.getppid(): one less). */
#define VIRTUAL_PID 1000

_Static_assert(sizeof(SimMutex) <= sizeof(((VmMutex *)0)->u), "SimMutex fits a VmMutex");
_Static_assert(sizeof(SimCond) <= sizeof(((VmCond *)0)->u), "SimCond fits a VmCond");

#define SIM_OF(m) ((SimMutex *)(void *)&(m)->u)
#define SIMC_OF(c) ((SimCond *)(void *)&(c)->u)

static void s_mutex_init(void *ctx, VmMutex *m) {
    (void)ctx;
    sim_mutex_init(SIM_OF(m));
}

static void s_mutex_fini(void *ctx, VmMutex *m) { (void)ctx; (void)m; }

static void s_mutex_lock(void *ctx, VmMutex *m) { sim_mutex_lock(ctx, SIM_OF(m)); }

static void s_mutex_unlock(void *ctx, VmMutex *m) { sim_mutex_unlock(ctx, SIM_OF(m)); }

static void s_cond_init(void *ctx, VmCond *c) {
    (void)ctx;
    sim_cond_init(SIMC_OF(c));
}

static void s_cond_fini(void *ctx, VmCond *c) { (void)ctx; (void)c; }

static void s_cond_wait(void *ctx, VmCond *c, VmMutex *m) {
    sim_cond_wait(ctx, SIMC_OF(c), SIM_OF(m), SIM_FOREVER);
}

static int s_cond_timedwait(void *ctx, VmCond *c, VmMutex *m, uint64_t ns) {
    return sim_cond_wait(ctx, SIMC_OF(c), SIM_OF(m), ns);
}

static void s_cond_signal(void *ctx, VmCond *c) { sim_cond_signal(ctx, SIMC_OF(c)); }

static void s_cond_broadcast(void *ctx, VmCond *c) { sim_cond_broadcast(ctx, SIMC_OF(c)); }

static void s_host_wait(void *ctx, pthread_cond_t *c, pthread_mutex_t *m) {
    (void)c;
    /* Simulated threads run only when this one lets them: give them a
     * microsecond of virtual time, deterministically, then look again. */
    pthread_mutex_unlock(m);
    sim_sleep(ctx, 1000);
    pthread_mutex_lock(m);
}

static uint64_t s_now_ns(void *ctx) { return sim_now(ctx); }

static uint64_t s_realtime_ns(void *ctx) {
    /* Saturate rather than wrap: a clock pushed to the end of time stays
     * there. */
    uint64_t now = sim_now(ctx);
    return now > UINT64_MAX - VIRTUAL_EPOCH_NS ? UINT64_MAX : VIRTUAL_EPOCH_NS + now;
}

static void s_sleep_ns(void *ctx, uint64_t ns) { sim_sleep(ctx, ns); }

static void s_burn_ns(void *ctx, uint64_t ns) { sim_burn(ctx, ns); }

static int s_thread_start(void *ctx, void *(*fn)(void *), void *arg, const char *name,
                          const uint64_t *cpu_ps, uint64_t *horizon_ps) {
    return sim_thread_start(ctx, fn, arg, name, cpu_ps, horizon_ps) ? 0 : EAGAIN;
}

static void s_thread_bind(void *ctx, const uint64_t *cpu_ps, uint64_t *horizon_ps) {
    sim_thread_bind(ctx, sim_current(ctx), cpu_ps, horizon_ps);
}

static void s_checkpoint(void *ctx) { sim_checkpoint(ctx); }

static void s_charge_ps(void *ctx, uint64_t ps) { sim_cpu_ps(ctx, ps); }

static long s_getpid(void *ctx) {
    (void)ctx;
    return VIRTUAL_PID;
}

static long s_getppid(void *ctx) {
    (void)ctx;
    return VIRTUAL_PID - 1;
}

/* The simulated machine runs nothing but the program: no other load (the
 * host's load average would leak host state into a replayable run). */
static int s_loadavg(void *ctx, double out[3]) {
    (void)ctx;
    out[0] = out[1] = out[2] = 0.0;
    return 0;
}

/* A socket is the reading end of one channel and the writing end of the
 * other. */
struct VmStream {
    SimChannel *in, *out;
};

static int s_stream_pair(void *ctx, VmStream *ends[2]) {
    (void)ctx;
    SimChannel *ab = sim_channel_new(), *ba = sim_channel_new();
    ends[0] = vm_realloc(NULL, NULL, 0, sizeof(VmStream));
    ends[1] = vm_realloc(NULL, NULL, 0, sizeof(VmStream));
    *ends[0] = (VmStream){ba, ab};
    *ends[1] = (VmStream){ab, ba};
    return 0;
}

static int s_stream_send(void *ctx, VmStream *s, const char *buf, size_t len, bool all,
                         size_t *sent) {
    (void)all;
    /* The buffer is unbounded, so every byte goes at once. */
    sim_channel_write(ctx, s->out, buf, len);
    *sent = len;
    return 0;
}

static int s_stream_recv(void *ctx, VmStream *s, char *buf, size_t want, size_t *got) {
    *got = sim_channel_read(ctx, s->in, buf, want);
    return 0;
}

static void s_stream_drop(void *ctx, VmStream *s) {
    (void)ctx;
    sim_channel_unref(s->out);
    sim_channel_unref(s->in);
    vm_realloc(NULL, s, sizeof *s, 0);
}

static void s_stream_close(void *ctx, VmStream *s) {
    sim_channel_close(ctx, s->out);
    s_stream_drop(ctx, s);
}

static int s_stream_fileno(void *ctx, VmStream *s) {
    (void)ctx; (void)s;
    return -1;
}

static void s_on_deadlock(void *ctx, void (*hook)(void *), void *arg) {
    sim_set_deadlock_hook(ctx, hook, arg);
}

static void s_report(void *ctx, VmPlatformReport *r) {
    memset(r, 0, sizeof *r);
    r->mode = "sim";
    r->cores = sim_config(ctx)->cores;
    r->virtual_time = true;
    r->virtual_ns = sim_max_time(ctx);
    const SimCounters *c = sim_counters(ctx);
    r->context_switches = c->context_switches;
    r->preemptions = c->preemptions;
    const SimConfig *cfg = sim_config(ctx);
#define OS_FIGURE(name) r->os.name = cfg->name;
    VM_OS_MODEL_FIGURES(OS_FIGURE)
#undef OS_FIGURE
    sim_config_format(cfg, r->os_model, sizeof r->os_model);
}

static const VmPlatformOps sim_ops = {
    .mode = "sim",
    .mutex_init = s_mutex_init,
    .mutex_fini = s_mutex_fini,
    .mutex_lock = s_mutex_lock,
    .mutex_unlock = s_mutex_unlock,
    .cond_init = s_cond_init,
    .cond_fini = s_cond_fini,
    .cond_wait = s_cond_wait,
    .cond_timedwait = s_cond_timedwait,
    .cond_signal = s_cond_signal,
    .cond_broadcast = s_cond_broadcast,
    .host_wait = s_host_wait,
    .now_ns = s_now_ns,
    .realtime_ns = s_realtime_ns,
    .sleep_ns = s_sleep_ns,
    .burn_ns = s_burn_ns,
    .thread_start = s_thread_start,
    .thread_bind = s_thread_bind,
    .checkpoint = s_checkpoint,
    .charge_ps = s_charge_ps,
    .getpid = s_getpid,
    .getppid = s_getppid,
    .loadavg = s_loadavg,
    .stream_pair = s_stream_pair,
    .stream_send = s_stream_send,
    .stream_recv = s_stream_recv,
    .stream_close = s_stream_close,
    .stream_drop = s_stream_drop,
    .stream_fileno = s_stream_fileno,
    .on_deadlock = s_on_deadlock,
    .report = s_report,
    /* In virtual time, slices would be timer events that keep a
     * deadlocked simulation "busy" forever (a second Ctrl-C ends a
     * virtual run: vm/cli/run.c). */
    .signal_poll_ns = UINT64_MAX,
};

VmPlatform vm_platform_sim(struct Sim *sim) { return (VmPlatform){&sim_ops, sim}; }
