/*
 * vm/lib/mod_time.c - the time module.  Every reading comes from the VM's
 * platform, so in virtual time (--sim) the same calls return simulated
 * time, and time.sleep releases the GIL through the blocking-call hook.
 */
#include <math.h>

#include "vm/lib/builtins.h"
#include "vm/object/ops.h"

static uint64_t start_ns(void) {
    /* perf_counter's and monotonic's epoch is arbitrary in CPython too; use
     * the raw monotonic clock so values are comparable across threads. */
    return 0;
}

static bool no_args(VmThread *th, const char *name, int n, ObjTuple *kw) {
    if (n || (kw && kw->count))
        return vm_raise(th, th->vm->cls.TypeError,
                        "time.%s() takes no arguments (%d given)", name, n);
    return true;
}

#define CLOCK_FN(fname, expr)                                                 \
    static bool t_##fname(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) { \
        (void)a;                                                              \
        if (!no_args(th, #fname, n, kw)) return false;                        \
        *r = (expr);                                                          \
        return true;                                                          \
    }
CLOCK_FN(time, VM_FLOAT((double)vm_platform_realtime_ns(&th->vm->platform) / 1e9))
CLOCK_FN(time_ns, VM_INT((int64_t)vm_platform_realtime_ns(&th->vm->platform)))
CLOCK_FN(monotonic, VM_FLOAT((double)(vm_now_ns(th->vm) - start_ns()) / 1e9))
CLOCK_FN(monotonic_ns, VM_INT((int64_t)vm_now_ns(th->vm)))
CLOCK_FN(perf_counter, VM_FLOAT((double)vm_now_ns(th->vm) / 1e9))
CLOCK_FN(perf_counter_ns, VM_INT((int64_t)vm_now_ns(th->vm)))
#undef CLOCK_FN

static bool t_sleep(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    if (kw && kw->count)
        return vm_raise(th, th->vm->cls.TypeError, "sleep() takes no keyword arguments");
    if (n != 1)
        return vm_raise(th, th->vm->cls.TypeError,
                        "time.sleep() takes exactly one argument (%d given)", n);
    double s;
    if (!vm_to_double(th, a[0], &s)) {
        vm_clear_exception(th);
        return vm_raise(th, th->vm->cls.TypeError,
                        "'%s' object cannot be interpreted as an integer",
                        vm_value_type_name(th->vm, a[0]));
    }
    if (isnan(s)) return vm_raise(th, th->vm->cls.ValueError, "Invalid value NaN (not a number)");
    if (s < 0) return vm_raise(th, th->vm->cls.ValueError, "sleep length must be non-negative");
    /* CPython keeps time in signed 64-bit nanoseconds, as the platforms do. */
    if (s * 1e9 >= 9223372036854775807.0)
        return vm_raise(th, th->vm->cls.OverflowError, "timestamp out of range for platform time_t");
    uint64_t ns = (uint64_t)(s * 1e9);
    /* Sleep in slices so Ctrl-C interrupts a long sleep promptly.  A
     * virtual sleep takes no wall time, so it is one wait (one timer
     * slack, one wake-up), as a real sleep is to the kernel. */
    uint64_t max_slice = th->vm->platform.ops->signal_poll_ns;
    vm_blocking_begin(th, VM_BLOCK_SLEEP);
    while (ns > 0) {
        uint64_t slice = ns > max_slice ? max_slice : ns;
        vm_platform_sleep_ns(&th->vm->platform, slice);
        ns -= slice;
        if (atomic_load(&th->eval_breaker) & VM_BREAK_SIGNAL) break;
    }
    vm_blocking_end(th);
    if (atomic_load(&th->eval_breaker) & VM_BREAK_SIGNAL) {
        atomic_fetch_and(&th->eval_breaker, ~(uint32_t)VM_BREAK_SIGNAL);
        return vm_raise(th, th->vm->cls.KeyboardInterrupt, "%s", "");
    }
    *r = VM_NONE;
    return true;
}

ObjModule *vm__mod_time_init(VmShared *vm) {
    ObjModule *m = vm_module_new(vm, "time");
    static const struct {
        const char *name;
        VmNativeFn fn;
    } fns[] = {
        {"time", t_time}, {"time_ns", t_time_ns}, {"monotonic", t_monotonic},
        {"monotonic_ns", t_monotonic_ns}, {"perf_counter", t_perf_counter},
        {"perf_counter_ns", t_perf_counter_ns}, {"sleep", t_sleep},
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        vm_module_set(vm, m, fns[i].name, VM_OBJ(vm_native_new(vm, fns[i].name, fns[i].fn)));
    return m;
}
