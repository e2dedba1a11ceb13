/*
 * vm/lib/mod_thread.c - the `_thread` module: real threads and the locks that
 * everything in threading/queue (the modules in vm/lib/pylib/) is built from.
 *
 * Implementation notes
 * --------------------
 * - Every program thread is a pthread with its own VmThread.  It runs only
 *   while holding the GIL (vm_gil_acquire at start, release at the end); a
 *   thread that blocks on a program lock releases the GIL first through
 *   vm_blocking_begin/end, so a blocked thread never stops the others.
 * - The callable and its arguments are kept on the new thread's own value
 *   stack, which the collector scans, from creation until it finishes.
 * - A lock is a boolean under a mutex with a condition variable (the
 *   VM's platform, vm/platform/platform.h, so the same code runs in
 *   virtual time).  An uncontended acquire never touches
 *   the GIL.
 * - Deadlock detection: vm->sched_lock guards two counters, live threads
 *   and threads blocked without a timeout on a program lock.  A thread
 *   about to block checks whether it would make the two equal: then no
 *   thread can ever release anything (sleeping, timed waits, I/O and
 *   waiting for the GIL do not count as blocked), so gilt reports who waits
 *   for what and exits with status 1 instead of hanging.  A release that
 *   wakes a waiter takes it off the blocked count at once ("credits" it),
 *   so the count never lags behind a wake-up in flight.
 * - Test hook: with GILT_FAIL_THREAD_START=1 in the environment every
 *   start_new_thread fails as if the host had no thread left (EAGAIN), so
 *   tests/cli.sh can check what a failed Thread.start() leaves behind;
 *   ulimit -u does not bind root, and tests often run as root.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/lib/builtins.h"
#include "vm/object/dict.h"
#include "vm/gil/gil.h"
#include "vm/platform/platform.h"
#include "vm/object/list.h"
#include "vm/runtime/memory.h"
#include "vm/object/ops.h"
#include "vm/record/record.h"
#include "vm/object/str.h"

/* ---- locks ---------------------------------------------------------------- */

typedef struct {
    VmMutex m;          /* protects every field below */
    VmCond c;           /* signalled on release */
    bool locked;
    uint64_t owner;      /* RLock: owning thread ident, 0 if none */
    int64_t count;       /* RLock: recursion depth */
    int untimed_waiters; /* threads waiting with no timeout */
    int credited;        /* of those, already taken off the blocked count */
} LockData;

static ObjClass *lock_class(VmShared *vm, bool rlock) {
    ObjModule *m;
    Value c;
    if (!vm_module_lookup(vm, "_thread", &m)) return NULL;
    if (!vm_module_get(m, vm_str_intern_cstr(vm, rlock ? "RLock" : "LockType"), &c))
        return NULL;
    return VM_AS_CLASS(c);
}

static void lock_finalize(VmShared *vm, ObjOpaque *self) {
    (void)vm;
    LockData *d = self->data;
    if (!d) return;
    vm_cond_fini(&d->c);
    vm_mutex_fini(&d->m);
    vm_realloc(NULL, d, sizeof *d, 0);
    self->data = NULL;
}

static Value lock_new(VmShared *vm, ObjClass *cls) {
    LockData *d = (LockData *)vm_realloc(NULL, NULL, 0, sizeof *d);
    memset(d, 0, sizeof *d);
    vm_mutex_init(&d->m, &vm->platform);
    vm_cond_init(&d->c, &vm->platform);
    ObjOpaque *o = vm_opaque_new(vm, cls, d);
    o->finalize = lock_finalize;
    return VM_OBJ(o);
}

static LockData *lock_of(VmThread *th, Value v) {
    if (!vm_is_kind(v, OBJ_OPAQUE) || ((ObjOpaque *)VM_AS_OBJ(v))->finalize != lock_finalize) {
        vm_raise(th, th->vm->cls.TypeError, "expected a lock");
        return NULL;
    }
    return ((ObjOpaque *)VM_AS_OBJ(v))->data;
}

/* Where a thread is in the program: its innermost frame outside gilt's own
 * Python modules, as "file:line". */
static void thread_location(VmThread *t, char *buf, size_t size) {
    snprintf(buf, size, "?");
    for (int i = t->frame_count - 1; i >= 0; i--) {
        VmFrame *f = &t->frames[i];
        const char *file = f->code->filename ? f->code->filename->chars : "?";
        if (strncmp(file, "<gilt:", 6) == 0 && i > 0) continue;
        int32_t pc = (int32_t)(f->ip - f->code->code) - 1;
        int line = pc >= 0 && pc < f->code->count ? f->code->lines[pc] : f->code->firstline;
        snprintf(buf, size, "%s:%d", file, line);
        return;
    }
}

/* Under sched_lock, which it never lets go: the thread list and every
 * waiting_buf are written only under it (block_enter), and the process
 * ends here.  The threads it names are blocked, so their frames stand still. */
static void report_deadlock(VmShared *vm) {
    pthread_mutex_lock(&vm->sched_lock);
    fflush(vm->out);
    fprintf(vm->err, "gilt: deadlock: every thread is blocked and nothing can wake them\n");
    for (VmThread *t = vm->threads; t; t = t->next) {
        char where[256];
        thread_location(t, where, sizeof where);
        const char *what = atomic_load_explicit(&t->waiting_for, memory_order_relaxed);
        fprintf(vm->err, "  thread '%s' (ident %llu) waits for %s at %s\n",
                t->name[0] ? t->name : "?", (unsigned long long)t->ident,
                what ? what : "nothing gilt can name (a blocking call)", where);
    }
    fflush(vm->err);
    exit(1);
}

void vm_thread_report_deadlock_hook(void *ctx) {
    VmShared *vm = ctx;
    pthread_mutex_lock(&vm->sched_lock);
    bool any = vm->threads != NULL;
    pthread_mutex_unlock(&vm->sched_lock);
    if (any) report_deadlock(vm);
}

/* The caller is about to wait on d without a timeout (d->m held); `what`
 * names the lock for a deadlock report.  The text is copied and published
 * under sched_lock, which report_deadlock holds while it reads, so the
 * report never reads a buffer being written; the lock is taken here anyway
 * (the blocked count), so this costs a contended wait nothing more. */
static void block_enter(VmThread *th, LockData *d, const char *what) {
    VmShared *vm = th->vm;
    d->untimed_waiters++;
    pthread_mutex_lock(&vm->sched_lock);
    snprintf(th->waiting_buf, sizeof th->waiting_buf, "%s", what);
    atomic_store_explicit(&th->waiting_for, th->waiting_buf, memory_order_relaxed);
    vm->blocked_threads++;
    bool dead = vm->blocked_threads >= vm->live_threads;
    pthread_mutex_unlock(&vm->sched_lock);
    if (dead) report_deadlock(vm);
}

/* The caller woke up from an untimed wait (d->m held). */
static void block_exit(VmThread *th, LockData *d) {
    VmShared *vm = th->vm;
    atomic_store_explicit(&th->waiting_for, NULL, memory_order_relaxed);
    d->untimed_waiters--;
    if (d->credited > 0) {
        d->credited--;
        return;
    }
    pthread_mutex_lock(&vm->sched_lock);
    vm->blocked_threads--;
    pthread_mutex_unlock(&vm->sched_lock);
}

/* A release that wakes an untimed waiter takes it off the blocked count
 * now (d->m held). */
static void credit_waiter(VmShared *vm, LockData *d) {
    if (d->untimed_waiters - d->credited > 0) {
        d->credited++;
        pthread_mutex_lock(&vm->sched_lock);
        vm->blocked_threads--;
        pthread_mutex_unlock(&vm->sched_lock);
    }
}

/* Acquire: 1 got it, 0 timed out / non-blocking failure, -1 raised
 * (KeyboardInterrupt).  timeout < 0 means forever.  For an RLock, the
 * caller handles re-entry before calling this. */
static int lock_wait(VmThread *th, Value self, LockData *d, bool blocking,
                     double timeout, uint64_t owner) {
    vm_mutex_lock(&d->m);
    if (!d->locked) {
        d->locked = true;
        d->owner = owner;
        vm_mutex_unlock(&d->m);
        return 1;
    }
    if (!blocking) {
        vm_mutex_unlock(&d->m);
        return 0;
    }
    vm_mutex_unlock(&d->m);

    /* Contended: describe the wait for deadlock reports, then let the GIL
     * go while blocked. */
    char what[sizeof th->waiting_buf] = "a lock";
    ObjStr *rep = NULL;
    if (vm_repr(th, self, &rep))
        snprintf(what, sizeof what, "%s", rep->chars);
    else
        vm_clear_exception(th);
    /* The main thread waits in slices so that Ctrl-C stays prompt, on a
     * platform that asks for it (real time: in virtual time the slices
     * would be timer events that keep a deadlocked simulation "busy"
     * forever instead of letting the simulator see that nothing runs). */
    uint64_t poll_ns = th->vm->platform.ops->signal_poll_ns;
    bool main_thread = th == th->vm->main_thread && poll_ns != UINT64_MAX;
    uint64_t deadline = timeout >= 0 ? vm_now_ns(th->vm) + (uint64_t)(timeout * 1e9) : 0;
    int result = 0;
    vm_blocking_begin(th, VM_BLOCK_LOCK);
    vm_mutex_lock(&d->m);
    while (d->locked) {
        if (timeout < 0) {
            block_enter(th, d, what);
            /* The main thread waits in slices so Ctrl-C stays prompt. */
            if (main_thread) vm_cond_timedwait(&d->c, &d->m, poll_ns);
            else vm_cond_wait(&d->c, &d->m);
            block_exit(th, d);
            if (main_thread && (atomic_load(&th->eval_breaker) & VM_BREAK_SIGNAL)) {
                result = -1;
                break;
            }
        } else {
            uint64_t now = vm_now_ns(th->vm);
            if (now >= deadline) break;
            vm_cond_timedwait(&d->c, &d->m, deadline - now);
        }
    }
    if (result == 0 && !d->locked) {
        d->locked = true;
        d->owner = owner;
        result = 1;
    }
    vm_mutex_unlock(&d->m);
    vm_blocking_end(th);
    if (result < 0) {
        atomic_fetch_and(&th->eval_breaker, ~(uint32_t)VM_BREAK_SIGNAL);
        vm_raise(th, th->vm->cls.KeyboardInterrupt, "%s", "");
    }
    return result;
}

static bool parse_acquire(VmThread *th, Value *a, int n, ObjTuple *kw,
                          bool *blocking, double *timeout) {
    static const char *const names[] = {"self", "blocking", "timeout", NULL};
    Value v[3];
    if (!vm_parse_args(th, "acquire", a, n, kw, names, 1, 3, v)) return false;
    *blocking = true;
    *timeout = -1;
    if (!VM_IS_UNDEF(v[1])) {
        int t = vm_truthy(th, v[1]);
        if (t < 0) return false;
        *blocking = t;
    }
    if (!VM_IS_UNDEF(v[2]) && !VM_IS_NONE(v[2])) {
        if (!vm_to_double(th, v[2], timeout)) return false;
        if (!*blocking && *timeout != -1)
            return vm_raise(th, th->vm->cls.ValueError,
                            "can't specify a timeout for a non-blocking call");
        if (*timeout < 0 && *timeout != -1)
            return vm_raise(th, th->vm->cls.ValueError,
                            "timeout value must be a non-negative number");
    }
    return true;
}

static void release_locked(VmShared *vm, LockData *d) {
    d->locked = false;
    d->owner = 0;
    credit_waiter(vm, d);
    vm_cond_signal(&d->c);
}

static bool l_acquire(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    bool blocking;
    double timeout;
    if (!parse_acquire(th, a, n, kw, &blocking, &timeout)) return false;
    LockData *d = lock_of(th, a[0]);
    if (!d) return false;
    int got = lock_wait(th, a[0], d, blocking, timeout, th->ident);
    if (got < 0) return false;
    *r = VM_BOOL(got);
    return true;
}

static bool l_release(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    LockData *d = n >= 1 ? lock_of(th, a[0]) : NULL;
    if (!d) return false;
    vm_mutex_lock(&d->m);
    if (!d->locked) {
        vm_mutex_unlock(&d->m);
        return vm_raise(th, th->vm->cls.RuntimeError, "release unlocked lock");
    }
    release_locked(th->vm, d);
    vm_mutex_unlock(&d->m);
    *r = VM_NONE;
    return true;
}

static bool l_locked(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    LockData *d = n >= 1 ? lock_of(th, a[0]) : NULL;
    if (!d) return false;
    vm_mutex_lock(&d->m);
    *r = VM_BOOL(d->locked);
    vm_mutex_unlock(&d->m);
    return true;
}

static bool l_exit(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)n; /* __exit__(type, value, tb): only self matters */
    return l_release(th, a, 1, kw, r) && ((*r = VM_FALSE), true);
}

static bool l_repr(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    LockData *d = n >= 1 ? lock_of(th, a[0]) : NULL;
    if (!d) return false;
    vm_mutex_lock(&d->m);
    bool locked = d->locked;
    vm_mutex_unlock(&d->m);
    *r = VM_OBJ(vm_str_printf(th->vm, "<%s _thread.lock object at %p>",
                              locked ? "locked" : "unlocked", (void *)VM_AS_OBJ(a[0])));
    return true;
}

/* RLock: re-entrant for its owner. */
static bool rl_acquire(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    bool blocking;
    double timeout;
    if (!parse_acquire(th, a, n, kw, &blocking, &timeout)) return false;
    LockData *d = lock_of(th, a[0]);
    if (!d) return false;
    vm_mutex_lock(&d->m);
    if (d->locked && d->owner == th->ident) {
        d->count++;
        vm_mutex_unlock(&d->m);
        *r = VM_TRUE;
        return true;
    }
    vm_mutex_unlock(&d->m);
    int got = lock_wait(th, a[0], d, blocking, timeout, th->ident);
    if (got < 0) return false;
    if (got) {
        vm_mutex_lock(&d->m);
        d->count = 1;
        vm_mutex_unlock(&d->m);
    }
    *r = VM_BOOL(got);
    return true;
}

static bool rl_release(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    LockData *d = n >= 1 ? lock_of(th, a[0]) : NULL;
    if (!d) return false;
    vm_mutex_lock(&d->m);
    if (!d->locked || d->owner != th->ident) {
        vm_mutex_unlock(&d->m);
        return vm_raise(th, th->vm->cls.RuntimeError, "cannot release un-acquired lock");
    }
    if (--d->count == 0) release_locked(th->vm, d);
    vm_mutex_unlock(&d->m);
    *r = VM_NONE;
    return true;
}

static bool rl_exit(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)n; /* __exit__(type, value, tb): only self matters */
    return rl_release(th, a, 1, kw, r) && ((*r = VM_FALSE), true);
}

static bool rl_is_owned(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    LockData *d = n >= 1 ? lock_of(th, a[0]) : NULL;
    if (!d) return false;
    vm_mutex_lock(&d->m);
    *r = VM_BOOL(d->locked && d->owner == th->ident);
    vm_mutex_unlock(&d->m);
    return true;
}

static bool rl_repr(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    LockData *d = n >= 1 ? lock_of(th, a[0]) : NULL;
    if (!d) return false;
    vm_mutex_lock(&d->m);
    bool locked = d->locked;
    uint64_t owner = d->owner;
    int64_t count = d->count;
    vm_mutex_unlock(&d->m);
    *r = VM_OBJ(vm_str_printf(th->vm, "<%s _thread.RLock object owner=%llu count=%lld at %p>",
                              locked ? "locked" : "unlocked", (unsigned long long)owner,
                              (long long)count, (void *)VM_AS_OBJ(a[0])));
    return true;
}

static bool t_allocate_lock(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)a; (void)n; (void)kw;
    *r = lock_new(th->vm, lock_class(th->vm, false));
    return true;
}

static bool lock_construct(VmThread *th, ObjClass *cls, Value *a, int n,
                           ObjTuple *kw, Value *r) {
    (void)a; (void)kw;
    if (n) return vm_raise(th, th->vm->cls.TypeError, "%s() takes no arguments", cls->name->chars);
    *r = lock_new(th->vm, cls);
    return true;
}

/* ---- _local --------------------------------------------------------------- */

/* _thread._local(*args, **kw): the base of threading.local.  The instance
 * keeps its constructor's arguments (in its own dict, as "_local_args", out
 * of reach of the subclass's __setattr__), and the constructing thread's
 * ident as "_local_creator", so that threading.local can run
 * the subclass's __init__ again in each new thread, as CPython does; then
 * __init__ runs once here, in the constructing thread. */
static bool local_construct(VmThread *th, ObjClass *cls, Value *a, int n,
                            ObjTuple *kw, Value *r) {
    VmShared *vm = th->vm;
    int nkw = kw ? (int)kw->count : 0;
    Value init;
    bool has_init = vm_class_lookup(cls, vm->names.init, &init) &&
                    !(VM_IS_NATIVE(init) && VM_AS_NATIVE(init) == vm->object_init);
    if (!has_init && n + nkw > 0)
        return vm_raise(th, vm->cls.TypeError,
                        "Initialization arguments are not supported");
    if (th->stack_top + n + nkw + 4 > th->stack_limit)
        return vm_raise(th, vm->cls.RecursionError, "maximum recursion depth exceeded");
    Value *base = th->stack_top;
    ObjInstance *self = vm_instance_new(vm, cls);
    vm_push_root(th, VM_OBJ(self));
    self->dict = vm_dict_new(vm);
    ObjTuple *pos = vm_tuple_from(vm, a, n);
    vm_push_root(th, VM_OBJ(pos));
    ObjDict *kwd = vm_dict_new(vm);
    vm_push_root(th, VM_OBJ(kwd));
    for (int i = 0; i < nkw; i++)
        if (!vm_dict_set(th, kwd, kw->items[i], a[n + i])) {
            th->stack_top = base;
            return false;
        }
    Value pair[2] = {VM_OBJ(pos), VM_OBJ(kwd)};
    ObjTuple *saved = vm_tuple_from(vm, pair, 2);
    vm_dict_set_str(vm, self->dict, vm_str_intern_cstr(vm, "_local_args"), VM_OBJ(saved));
    vm_dict_set_str(vm, self->dict, vm_str_intern_cstr(vm, "_local_creator"),
                    VM_INT((int64_t)th->ident));
    th->stack_top = base + 1;
    if (has_init) {
        /* __init__(self, *args, **kw), its arguments above the stack top. */
        Value *call = th->stack_top;
        call[0] = VM_OBJ(self);
        for (int i = 0; i < n + nkw; i++) call[1 + i] = a[i];
        th->stack_top += n + nkw + 1;
        Value ret;
        bool ok = vm_call(th, init, call, n + 1, kw, &ret);
        th->stack_top = base;
        if (!ok) return false;
        if (!VM_IS_NONE(ret))
            return vm_raise(th, vm->cls.TypeError, "__init__() should return None, not '%s'",
                            vm_value_type_name(vm, ret));
    }
    th->stack_top = base;
    *r = VM_OBJ(self);
    return true;
}

/* ---- threads -------------------------------------------------------------- */

typedef struct {
    VmThread *th;
} ThreadStart;

/* Keep a finishing thread's figures, its last hold of the GIL (which ends
 * at `now`, just before the final release) included. */
static void record_finished(VmThread *th, uint64_t now) {
    VmShared *vm = th->vm;
    if (vm->finished_count == vm->finished_capacity) {
        int old = vm->finished_capacity, cap = old ? old * 2 : 16;
        vm->finished_stats = vm_realloc(NULL, vm->finished_stats, 0, sizeof(GilStats) * (size_t)cap);
        vm->finished_names = vm_realloc(NULL, vm->finished_names, 0, 64 * (size_t)cap);
        vm->finished_idents = vm_realloc(NULL, vm->finished_idents, 0, sizeof(uint64_t) * (size_t)cap);
        vm->finished_bytecodes = vm_realloc(NULL, vm->finished_bytecodes, 0, sizeof(uint64_t) * (size_t)cap);
        vm->finished_capacity = cap;
    }
    int i = vm->finished_count++;
    vm->finished_stats[i] = th->gil_stats;
    if (th->holds_gil) vm->finished_stats[i].held_ns += now - th->gil_stats.acquired_at_ns;
    memcpy(vm->finished_names[i], th->name, 64);
    vm->finished_idents[i] = th->ident;
    vm->finished_bytecodes[i] = th->bytecodes;
}

static void *thread_main(void *arg) {
    VmThread *th = (VmThread *)arg;
    VmShared *vm = th->vm;
    vm_gil_acquire(th);
    /* stack[0] = callable, stack[1] = args tuple, stack[2] = kwargs or None */
    Value fn = th->stack[0];
    ObjTuple *args = VM_AS_TUPLE(th->stack[1]);
    Value kwargs = th->stack[2];
    Value *base = th->stack_top;
    int nargs = (int)args->count, nkw = 0;
    ObjTuple *kwnames = NULL;
    for (int i = 0; i < nargs; i++) *th->stack_top++ = args->items[i];
    if (VM_IS_DICT(kwargs) && VM_AS_DICT(kwargs)->count) {
        ObjDict *d = VM_AS_DICT(kwargs);
        kwnames = vm_tuple_new(vm, d->count);
        *th->stack_top++ = VM_OBJ(kwnames);
        base = th->stack_top;
        for (int i = 0; i < nargs; i++) *th->stack_top++ = args->items[i];
        int64_t pos = 0;
        Value k, v;
        while (vm_dict_next(d, &pos, &k, &v)) {
            kwnames->items[nkw++] = k;
            *th->stack_top++ = v;
        }
    }
    Value result;
    if (!vm_call(th, fn, base, nargs, kwnames, &result)) {
        Value exc = th->exception;
        vm_clear_exception(th);
        if (!vm_isinstance(vm, exc, vm->cls.SystemExit)) {
            vm_flush_out(vm);
            ObjStr *rep = NULL;
            Value saved = exc;
            if (!vm_repr(th, fn, &rep)) vm_clear_exception(th);
            fprintf(vm->err, "Unhandled exception in thread started by %s\n",
                    rep ? rep->chars : "?");
            vm_print_traceback(th, saved, vm->err);
        }
    }
    th->stack_top = th->stack;
    /* Leave the thread list while still holding the GIL, then let go.  The
     * list, the finished threads' figures and the recorder's list of
     * finished records are the sched_lock's: under --gil none threads
     * finish (and start) in parallel. */
    uint64_t now = vm_now_ns(vm);
    if (th->rec) vm_record_released(th, th->gil_stats.acquired_at_ns, now);
    pthread_mutex_lock(&vm->sched_lock);
    record_finished(th, now);
    vm_record_thread_exit(th);
    for (VmThread **p = &vm->threads; *p; p = &(*p)->next)
        if (*p == th) {
            *p = th->next;
            break;
        }
    vm->live_threads--;
    bool dead = vm->live_threads > 0 && vm->blocked_threads >= vm->live_threads;
    /* The allocation funnel signals whoever holds the GIL next (begin_hold
     * in vm/gil/gil.c re-points it); never leave it aimed at freed memory.
     * Without a lock it stays on the main thread, which is never this one. */
    if (!vm->heap.concurrent)
        vm->heap.alloc_breaker = vm->threads ? &vm->threads->eval_breaker : NULL;
    pthread_mutex_unlock(&vm->sched_lock);
    if (dead) {
        /* This thread was the last one able to wake the others. */
        report_deadlock(vm);
    }
    vm_gil_release(th);
    /* The simulator reads this thread's CPU counter until the thread is
     * gone: point it at its own copy before the VmThread is freed. */
    vm->platform.ops->thread_bind(vm->platform.ctx, NULL, NULL);
    vm_realloc(NULL, th->stack, 0, 0);
    vm_realloc(NULL, th->frames, 0, 0);
    vm_realloc(NULL, th, 0, 0);
    /* Last touch of the VM: teardown may proceed once this is done. */
    pthread_mutex_lock(&vm->sched_lock);
    vm->unfinished_threads--;
    pthread_cond_broadcast(&vm->exit_cond);
    pthread_mutex_unlock(&vm->sched_lock);
    return NULL;
}

static bool t_start_new_thread(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    static const char *const names[] = {"function", "args", "kwargs", NULL};
    Value v[3];
    if (!vm_parse_args(th, "start_new_thread", a, n, kw, names, 2, 3, v)) return false;
    VmShared *vm = th->vm;
    if (!VM_IS_TUPLE(v[1]))
        return vm_raise(th, vm->cls.TypeError, "2nd arg must be a tuple");
    if (!VM_IS_UNDEF(v[2]) && !VM_IS_NONE(v[2]) && !VM_IS_DICT(v[2]))
        return vm_raise(th, vm->cls.TypeError, "optional 3rd arg must be a dictionary");
    VmThread *t = vm_thread_new(vm);
    snprintf(t->name, sizeof t->name, "Thread-%llu", (unsigned long long)t->ident - 1);
    vm_record_thread_start(t);
    t->stack[0] = v[0];
    t->stack[1] = v[1];
    t->stack[2] = VM_IS_DICT(v[2]) ? v[2] : VM_NONE;
    t->stack_top = t->stack + 3;
    pthread_mutex_lock(&vm->sched_lock);
    vm->live_threads++;
    vm->unfinished_threads++;
    pthread_mutex_unlock(&vm->sched_lock);
    /* The new thread may run, finish and free t before start returns:
     * what the caller needs of it is read first. */
    uint64_t ident = t->ident;
    const char *fail = getenv("GILT_FAIL_THREAD_START");
    int rc = fail && strcmp(fail, "1") == 0
                 ? EAGAIN
                 : vm->platform.ops->thread_start(vm->platform.ctx, thread_main, t, t->name,
                                                  &t->vtime_ps, &t->cpu_horizon_ps);
    if (rc != 0) {
        pthread_mutex_lock(&vm->sched_lock);
        vm->live_threads--;
        vm->unfinished_threads--;
        pthread_mutex_unlock(&vm->sched_lock);
        vm_record_thread_discard(t);
        vm_thread_destroy(t);
        return vm_raise(th, vm->cls.RuntimeError, "can't start new thread (%s)", strerror(rc));
    }
    *r = VM_INT((int64_t)ident);
    return true;
}

static bool t_get_ident(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)a; (void)n; (void)kw;
    *r = VM_INT((int64_t)th->ident);
    return true;
}

static bool t_count(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)a; (void)n; (void)kw;
    pthread_mutex_lock(&th->vm->sched_lock);
    *r = VM_INT(th->vm->live_threads - 1);
    pthread_mutex_unlock(&th->vm->sched_lock);
    return true;
}

static bool t_set_name(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1 || !VM_IS_STR(a[0])) return vm_raise(th, th->vm->cls.TypeError, "_set_name(str)");
    snprintf(th->name, sizeof th->name, "%s", VM_AS_CSTRING(a[0]));
    *r = VM_NONE;
    return true;
}

/* _set_current(thread) / _current(): the threading.Thread object of the
 * calling thread, kept on its VmThread (which the collector marks), so
 * threading.current_thread() and threading.local reach their thread's
 * state without a lookup in a dict that every thread shares. */
static bool t_set_current(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1) return vm_raise(th, th->vm->cls.TypeError, "_set_current(thread)");
    th->thread_obj = a[0];
    *r = VM_NONE;
    return true;
}

static bool t_current(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)a; (void)n; (void)kw;
    *r = VM_IS_UNDEF(th->thread_obj) ? VM_NONE : th->thread_obj;
    return true;
}

/* excepthook(name, exc): "Exception in thread NAME:" and the traceback. */
static bool t_excepthook(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 2 || !VM_IS_STR(a[0])) return vm_raise(th, th->vm->cls.TypeError, "_excepthook(name, exc)");
    vm_flush_out(th->vm);
    fprintf(th->vm->err, "Exception in thread %s:\n", VM_AS_CSTRING(a[0]));
    vm_print_traceback(th, a[1], th->vm->err);
    fprintf(th->vm->err, "\n");
    *r = VM_NONE;
    return true;
}

ObjModule *vm__mod_thread_init(VmShared *vm) {
    ObjModule *m = vm_module_new(vm, "_thread");
    ObjClass *lock = vm_class_new_builtin(vm, "lock", vm->cls.object, "_thread");
    lock->construct = lock_construct;
    vm_define_native(vm, lock->dict, "acquire", l_acquire);
    vm_define_native(vm, lock->dict, "release", l_release);
    vm_define_native(vm, lock->dict, "locked", l_locked);
    vm_define_native(vm, lock->dict, "__enter__", l_acquire);
    vm_define_native(vm, lock->dict, "__exit__", l_exit);
    vm_define_native(vm, lock->dict, "__repr__", l_repr);
    vm_define_native(vm, lock->dict, "acquire_lock", l_acquire);
    vm_define_native(vm, lock->dict, "release_lock", l_release);
    ObjClass *rlock = vm_class_new_builtin(vm, "RLock", vm->cls.object, "_thread");
    rlock->construct = lock_construct;
    vm_define_native(vm, rlock->dict, "acquire", rl_acquire);
    vm_define_native(vm, rlock->dict, "release", rl_release);
    vm_define_native(vm, rlock->dict, "__enter__", rl_acquire);
    vm_define_native(vm, rlock->dict, "__exit__", rl_exit);
    vm_define_native(vm, rlock->dict, "_is_owned", rl_is_owned);
    vm_define_native(vm, rlock->dict, "__repr__", rl_repr);
    vm_module_set(vm, m, "LockType", VM_OBJ(lock));
    vm_module_set(vm, m, "RLock", VM_OBJ(rlock));
    ObjClass *local = vm_class_new_builtin(vm, "_local", vm->cls.object, "_thread");
    local->construct = local_construct;
    local->subclassable = true;   /* threading.local derives from it */
    vm_module_set(vm, m, "_local", VM_OBJ(local));
    static const struct {
        const char *name;
        VmNativeFn fn;
    } fns[] = {
        {"allocate_lock", t_allocate_lock}, {"start_new_thread", t_start_new_thread},
        {"get_ident", t_get_ident}, {"_count", t_count}, {"_set_name", t_set_name},
        {"_excepthook", t_excepthook}, {"_set_current", t_set_current},
        {"_current", t_current},
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        vm_module_set(vm, m, fns[i].name, VM_OBJ(vm_native_new(vm, fns[i].name, fns[i].fn)));
    vm_module_set(vm, m, "TIMEOUT_MAX", VM_FLOAT(9223372036.0));
    vm_module_set(vm, m, "error", VM_OBJ(vm->cls.RuntimeError));
    return m;
}
