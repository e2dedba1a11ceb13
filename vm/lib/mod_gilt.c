/*
 * vm/lib/mod_gilt.c - the `gilt` module: what CPython lacks for GIL experiments.
 *
 *   gilt.io(seconds)                    block without the GIL (a stand-in
 *                                       for any I/O call)
 *   gilt.native(seconds, release_gil=False)
 *                                       spin inside ONE bytecode, holding the
 *                                       GIL unless told otherwise: a long C
 *                                       call the eval loop cannot preempt
 *   gilt.Histogram(name).record(value)  latency histogram (value in seconds),
 *                                       written to --hist
 *   gilt.mark(label)                    an instant on this thread's --trace track
 *
 * All time comes from sim/clock.h, so in virtual time these behave the same.
 */
#include <string.h>

#include "vm/lib/builtins.h"
#include "vm/object/dict.h"
#include "vm/record/hist.h"
#include "vm/runtime/memory.h"
#include "vm/object/ops.h"
#include "vm/record/record.h"
#include "vm/object/str.h"

static bool seconds_arg(VmThread *th, const char *fname, Value v, uint64_t *ns) {
    double s;
    if (!vm_to_double(th, v, &s)) return false;
    if (s < 0) return vm_raise(th, th->vm->cls.ValueError, "%s: negative duration", fname);
    *ns = (uint64_t)(s * 1e9);
    return true;
}

static bool g_io(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    static const char *const names[] = {"seconds", NULL};
    Value v[1];
    if (!vm_parse_args(th, "io", a, n, kw, names, 1, 1, v)) return false;
    uint64_t ns = 0;
    if (!seconds_arg(th, "io", v[0], &ns)) return false;
    vm_blocking_begin(th, VM_BLOCK_IO);
    vm_platform_sleep_ns(&th->vm->platform, ns);
    vm_blocking_end(th);
    *r = VM_NONE;
    return true;
}

static bool g_native(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    static const char *const names[] = {"seconds", "release_gil", NULL};
    Value v[2];
    if (!vm_parse_args(th, "native", a, n, kw, names, 1, 2, v)) return false;
    uint64_t ns = 0;
    if (!seconds_arg(th, "native", v[0], &ns)) return false;
    int release = VM_IS_UNDEF(v[1]) ? 0 : vm_truthy(th, v[1]);
    if (release < 0) return false;
    if (release) vm_blocking_begin(th, VM_BLOCK_NATIVE);
    /* Busy the core for the whole duration (in --sim: a virtual core,
     * time-sliced with the other runnable threads). */
    vm_platform_burn_ns(&th->vm->platform, ns);
    if (release) vm_blocking_end(th);
    *r = VM_NONE;
    return true;
}

/* ---- Histogram ------------------------------------------------------------ */

static void hist_finalize(VmShared *vm, ObjOpaque *self) {
    (void)vm;
    if (!self->data) return;
    vm_hist_fini((VmHist *)self->data);
    vm_realloc(NULL, self->data, sizeof(VmHist), 0);
    self->data = NULL;
}

static VmHist *hist_of(VmThread *th, Value *a, int n) {
    if (n < 1 || !vm_is_kind(a[0], OBJ_OPAQUE) ||
        ((ObjOpaque *)VM_AS_OBJ(a[0]))->finalize != hist_finalize) {
        vm_raise(th, th->vm->cls.TypeError, "expected a gilt.Histogram");
        return NULL;
    }
    return ((ObjOpaque *)VM_AS_OBJ(a[0]))->data;
}

static bool hist_construct(VmThread *th, ObjClass *cls, Value *a, int n,
                           ObjTuple *kw, Value *r) {
    static const char *const names[] = {"name", NULL};
    Value v[1];
    if (!vm_parse_args(th, "Histogram", a, n, kw, names, 1, 1, v)) return false;
    if (!VM_IS_STR(v[0]))
        return vm_raise(th, th->vm->cls.TypeError, "Histogram name must be a str");
    VmHist *h = (VmHist *)vm_realloc(NULL, NULL, 0, sizeof(VmHist));
    vm_hist_init(h);
    ObjOpaque *o = vm_opaque_new(th->vm, cls, h);
    o->finalize = hist_finalize;
    o->dict = vm_dict_new(th->vm);
    vm_dict_set_str(th->vm, o->dict, vm_str_intern_cstr(th->vm, "name"), v[0]);
    *r = VM_OBJ(o);
    vm_record_user_hist(th->vm, *r);
    return true;
}

static bool hist_record(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    VmHist *h = hist_of(th, a, n);
    if (!h) return false;
    if (n != 2) return vm_raise(th, th->vm->cls.TypeError, "record() takes one value");
    uint64_t ns = 0;
    if (!seconds_arg(th, "record", a[1], &ns)) return false;
    vm_hist_record(h, ns);
    *r = VM_NONE;
    return true;
}

static bool hist_count(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    VmHist *h = hist_of(th, a, n);
    if (!h) return false;
    *r = VM_INT((int64_t)h->count);
    return true;
}

static bool hist_percentile(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    VmHist *h = hist_of(th, a, n);
    if (!h) return false;
    double p;
    if (n != 2 || !vm_to_double(th, a[1], &p)) {
        if (n != 2) return vm_raise(th, th->vm->cls.TypeError, "percentile(p) takes one number");
        return false;
    }
    if (p < 0 || p > 100) return vm_raise(th, th->vm->cls.ValueError, "percentile must be in [0, 100]");
    *r = VM_FLOAT((double)vm_hist_percentile(h, p) / 1e9);
    return true;
}

static bool hist_max(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    VmHist *h = hist_of(th, a, n);
    if (!h) return false;
    *r = VM_FLOAT(h->count ? (double)h->max / 1e9 : 0.0);
    return true;
}

static bool g_mark(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    static const char *const names[] = {"label", NULL};
    Value v[1];
    if (!vm_parse_args(th, "mark", a, n, kw, names, 1, 1, v)) return false;
    ObjStr *s;
    if (!vm_str(th, v[0], &s)) return false;
    vm_record_mark(th, s->chars);
    *r = VM_NONE;
    return true;
}

/* gilt.platform(): what the program runs on, as a dict - "mode" ("real"
 * or "sim"), "cores", and under --sim "os_model" (the OS model as key=value
 * words) and "costs" (where the opcode costs came from). */
static bool g_platform(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)a; (void)kw;
    if (n) return vm_raise(th, th->vm->cls.TypeError, "platform() takes no arguments");
    VmShared *vm = th->vm;
    VmPlatformReport rep;
    vm->platform.ops->report(vm->platform.ctx, &rep);
    ObjDict *d = vm_dict_new(vm);
    vm_push_root(th, VM_OBJ(d));
    vm_dict_set_str(vm, d, vm_str_intern_cstr(vm, "mode"), VM_OBJ(vm_str_from_cstr(vm, rep.mode)));
    vm_dict_set_str(vm, d, vm_str_intern_cstr(vm, "cores"), VM_INT(rep.cores));
    if (rep.virtual_time) {
        vm_dict_set_str(vm, d, vm_str_intern_cstr(vm, "os_model"),
                        VM_OBJ(vm_str_from_cstr(vm, rep.os_model)));
        vm_dict_set_str(vm, d, vm_str_intern_cstr(vm, "costs"),
                        VM_OBJ(vm_str_from_cstr(vm, vm->cost_source ? vm->cost_source : "?")));
    }
    vm_pop_roots(th, 1);
    *r = VM_OBJ(d);
    return true;
}

ObjModule *vm__mod_gilt_init(VmShared *vm) {
    ObjModule *m = vm_module_new(vm, "gilt");
    vm_module_set(vm, m, "io", VM_OBJ(vm_native_new(vm, "io", g_io)));
    vm_module_set(vm, m, "native", VM_OBJ(vm_native_new(vm, "native", g_native)));
    vm_module_set(vm, m, "mark", VM_OBJ(vm_native_new(vm, "mark", g_mark)));
    vm_module_set(vm, m, "platform", VM_OBJ(vm_native_new(vm, "platform", g_platform)));
    ObjClass *hc = vm_class_new_builtin(vm, "Histogram", vm->cls.object, "gilt");
    hc->construct = hist_construct;
    vm_define_native(vm, hc->dict, "record", hist_record);
    vm_define_native(vm, hc->dict, "count", hist_count);
    vm_define_native(vm, hc->dict, "percentile", hist_percentile);
    vm_define_native(vm, hc->dict, "max", hist_max);
    vm_module_set(vm, m, "Histogram", VM_OBJ(hc));
    return m;
}
