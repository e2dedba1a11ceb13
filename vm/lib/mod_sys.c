/*
 * vm/lib/mod_sys.c - the sys module: argv, exit, the switch interval (what the
 * GIL policies read), recursion limit, and stdout/stderr objects with
 * write/flush so print(..., file=sys.stderr) works.
 */
#include <stdio.h>
#include <string.h>

#include "vm/lib/builtins.h"
#include "vm/object/list.h"
#include "vm/object/ops.h"
#include "vm/object/str.h"
#include "vm/object/dict.h"

static bool s_exit(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)r; (void)kw;
    if (n > 1) return vm_raise(th, th->vm->cls.TypeError, "exit expected at most 1 argument, got %d", n);
    th->exception = vm_exception_new(th, th->vm->cls.SystemExit, a, n);
    return false;
}

static bool s_setswitchinterval(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1) return vm_raise(th, th->vm->cls.TypeError, "setswitchinterval() takes exactly one argument (%d given)", n);
    double s;
    if (!vm_to_double(th, a[0], &s)) return false;
    char why[128];
    if (vm_switch_interval_invalid(s, why, sizeof why))
        return vm_raise(th, th->vm->cls.ValueError, "%s", why);
    vm_set_switch_interval(th->vm, s);
    *r = VM_NONE;
    return true;
}

static bool s_getswitchinterval(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)a; (void)kw;
    if (n) return vm_raise(th, th->vm->cls.TypeError, "getswitchinterval() takes no arguments");
    *r = VM_FLOAT(vm_switch_interval(th->vm));
    return true;
}

static bool s_getrecursionlimit(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)a; (void)kw; (void)n;
    *r = VM_INT(th->vm->options.recursion_limit);
    return true;
}

static bool s_setrecursionlimit(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    int64_t lim;
    if (n != 1 || !vm_to_int64(th, a[0], &lim)) {
        if (n != 1) return vm_raise(th, th->vm->cls.TypeError, "setrecursionlimit() takes exactly one argument");
        return false;
    }
    if (lim < 1) return vm_raise(th, th->vm->cls.ValueError, "recursion limit must be greater or equal than 1");
    /* The frame array is allocated whole (vm_config.h GILT_MAX_FRAMES). */
    if (lim > GILT_MAX_FRAMES) lim = GILT_MAX_FRAMES;
    th->vm->options.recursion_limit = (int)lim;
    *r = VM_NONE;
    return true;
}

/* sys.stdout / sys.stderr: instances of a small class whose natives write
 * to the VM's streams (which the tests redirect). */
static FILE *stream_of(VmThread *th, Value self) {
    Value which;
    ObjStr *key = vm_str_intern_cstr(th->vm, "_fd");
    if (vm_getattr_opt(th, self, key, &which) == 1 && VM_IS_INT(which) && VM_AS_INT(which) == 2)
        return th->vm->err;
    return th->vm->out;
}

static bool stream_write(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 2 || !VM_IS_STR(a[1]))
        return vm_raise(th, th->vm->cls.TypeError, "write() argument must be str, not %s",
                        n == 2 ? vm_value_type_name(th->vm, a[1]) : "nothing");
    FILE *f = stream_of(th, a[0]);
    if (f == th->vm->err) fflush(th->vm->out);
    fwrite(VM_AS_CSTRING(a[1]), 1, (size_t)VM_AS_STR(a[1])->length, f);
    *r = VM_INT(VM_AS_STR(a[1])->nchars);
    return true;
}

static bool stream_flush(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n >= 1) fflush(stream_of(th, a[0]));
    *r = VM_NONE;
    return true;
}

/* sys._gilt_caller(depth) -> (filename, lineno, funcname, source line):
 * gilt's private stand-in for sys._getframe(depth).f_code / f_lineno, which
 * the DeprecationWarnings of threading (and logging's funcName/lineno)
 * need.  depth 0 is the Python function calling this. */
static bool s_gilt_caller(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    int64_t depth = 0;
    if (n > 1) return vm_raise(th, th->vm->cls.TypeError, "_gilt_caller expected at most 1 argument, got %d", n);
    if (n == 1 && !vm_to_int64(th, a[0], &depth)) return false;
    if (depth < 0 || depth >= th->frame_count)
        return vm_raise(th, th->vm->cls.ValueError, "call stack is not deep enough");
    VmFrame *f = &th->frames[th->frame_count - 1 - depth];
    ObjCode *c = f->code;
    uint32_t pc = f->ip ? (uint32_t)(f->ip - c->code) : 0;
    if (pc > 0) pc--;
    int32_t line = pc < (uint32_t)c->count ? c->lines[pc] : c->firstline;
    const char *file = c->filename ? c->filename->chars : "<unknown>";
    char text[1024];
    vm_source_line(file, line, text, sizeof text);
    VmShared *vm = th->vm;
    /* Rooted on the value stack while the next allocations may collect. */
    Value *base = th->stack_top;
    vm_push_root(th, VM_OBJ(vm_str_from_cstr(vm, file)));
    vm_push_root(th, VM_INT(line));
    vm_push_root(th, VM_OBJ(vm_str_from_cstr(vm, c->name ? c->name->chars : "?")));
    vm_push_root(th, VM_OBJ(vm_str_from_cstr(vm, text)));
    *r = VM_OBJ(vm_tuple_from(vm, base, 4));
    th->stack_top = base;
    return true;
}

ObjModule *vm__mod_sys_init(VmShared *vm) {
    ObjModule *m = vm_module_new(vm, "sys");
    vm_module_set(vm, m, "argv", VM_OBJ(vm->argv));
    vm_module_set(vm, m, "maxsize", VM_INT(INT64_MAX));
    vm_module_set(vm, m, "version", VM_OBJ(vm_str_from_cstr(vm, "3.11.0 (gilt 0.1.0)")));
    Value vi[5] = {VM_INT(3), VM_INT(11), VM_INT(0),
                   VM_OBJ(vm_str_intern_cstr(vm, "final")), VM_INT(0)};
    vm_module_set(vm, m, "version_info", VM_OBJ(vm_tuple_from(vm, vi, 5)));
    vm_module_set(vm, m, "platform", VM_OBJ(vm_str_intern_cstr(vm, "linux")));
    vm_module_set(vm, m, "byteorder", VM_OBJ(vm_str_intern_cstr(vm, "little")));
    vm_module_set(vm, m, "modules", VM_OBJ(vm->modules));
    static const struct {
        const char *name;
        VmNativeFn fn;
    } fns[] = {
        {"exit", s_exit}, {"setswitchinterval", s_setswitchinterval},
        {"getswitchinterval", s_getswitchinterval},
        {"getrecursionlimit", s_getrecursionlimit},
        {"setrecursionlimit", s_setrecursionlimit},
        {"_gilt_caller", s_gilt_caller},
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        vm_module_set(vm, m, fns[i].name, VM_OBJ(vm_native_new(vm, fns[i].name, fns[i].fn)));
    ObjClass *tio = vm_class_new_builtin(vm, "TextIOWrapper", vm->cls.object, "_io");
    vm_define_native(vm, tio->dict, "write", stream_write);
    vm_define_native(vm, tio->dict, "flush", stream_flush);
    const char *names[2] = {"stdout", "stderr"};
    for (int i = 0; i < 2; i++) {
        ObjInstance *s = vm_instance_new(vm, tio);
        s->dict = vm_dict_new(vm);
        vm_dict_set_str(vm, s->dict, vm_str_intern_cstr(vm, "_fd"), VM_INT(i + 1));
        vm_module_set(vm, m, names[i], VM_OBJ(s));
    }
    return m;
}
