/*
 * vm/lib/mod_os.c - the os module: process identity and environment.
 */
#include <stdlib.h>
#include <unistd.h>

#include "vm/lib/builtins.h"
#include "vm/object/list.h"
#include "vm/object/str.h"

static bool o_getpid(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)a; (void)kw;
    if (n) return vm_raise(th, th->vm->cls.TypeError, "getpid() takes no arguments");
    /* The platform's: in virtual time the host's pid must not leak into
     * the run, so a simulated process has a fixed one. */
    *r = VM_INT(th->vm->platform.ops->getpid(th->vm->platform.ctx));
    return true;
}

static bool o_getppid(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)a; (void)kw;
    if (n) return vm_raise(th, th->vm->cls.TypeError, "getppid() takes no arguments");
    *r = VM_INT(th->vm->platform.ops->getppid(th->vm->platform.ctx));
    return true;
}

static bool o_cpu_count(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)a; (void)kw;
    if (n) return vm_raise(th, th->vm->cls.TypeError, "cpu_count() takes no arguments");
    /* The platform's cores: the virtual ones under --sim. */
    VmPlatformReport rep;
    th->vm->platform.ops->report(th->vm->platform.ctx, &rep);
    *r = rep.cores > 0 ? VM_INT(rep.cores) : VM_NONE;
    return true;
}

static bool o_getloadavg(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)a; (void)kw;
    if (n) return vm_raise(th, th->vm->cls.TypeError, "getloadavg() takes no arguments");
    double l[3];
    if (th->vm->platform.ops->loadavg(th->vm->platform.ctx, l) != 0)
        return vm_raise(th, th->vm->cls.OSError, "Load averages are unobtainable");
    Value v[3] = {VM_FLOAT(l[0]), VM_FLOAT(l[1]), VM_FLOAT(l[2])};
    *r = VM_OBJ(vm_tuple_from(th->vm, v, 3));
    return true;
}

static bool o_getenv(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n < 1 || n > 2) return vm_raise(th, th->vm->cls.TypeError, "getenv() takes 1 or 2 arguments");
    if (!VM_IS_STR(a[0]))
        return vm_raise(th, th->vm->cls.TypeError, "str expected, not %s",
                        vm_value_type_name(th->vm, a[0]));
    const char *v = getenv(VM_AS_CSTRING(a[0]));
    *r = v ? VM_OBJ(vm_str_from_cstr(th->vm, v)) : (n > 1 ? a[1] : VM_NONE);
    return true;
}

ObjModule *vm__mod_os_init(VmShared *vm) {
    ObjModule *m = vm_module_new(vm, "os");
    vm_module_set(vm, m, "getpid", VM_OBJ(vm_native_new(vm, "getpid", o_getpid)));
    vm_module_set(vm, m, "getppid", VM_OBJ(vm_native_new(vm, "getppid", o_getppid)));
    vm_module_set(vm, m, "cpu_count", VM_OBJ(vm_native_new(vm, "cpu_count", o_cpu_count)));
    vm_module_set(vm, m, "getloadavg", VM_OBJ(vm_native_new(vm, "getloadavg", o_getloadavg)));
    vm_module_set(vm, m, "getenv", VM_OBJ(vm_native_new(vm, "getenv", o_getenv)));
    vm_module_set(vm, m, "sep", VM_OBJ(vm_str_intern_cstr(vm, "/")));
    vm_module_set(vm, m, "linesep", VM_OBJ(vm_str_intern_cstr(vm, "\n")));
    vm_module_set(vm, m, "name", VM_OBJ(vm_str_intern_cstr(vm, "posix")));
    return m;
}
