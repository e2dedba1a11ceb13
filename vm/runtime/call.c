/*
 * vm/runtime/call.c - calling any callable from C (vm_call) and calling a method by
 * name (vm_call_method).  The interpreter's own CALL instructions take a
 * faster path in interp.c for Python functions; both end in the same frame
 * setup.
 */
#include <string.h>

#include "vm/runtime/memory.h"

#include "vm/object/class.h"
#include "vm/runtime/interp.h"
#include "vm/object/ops.h"
#include "vm/runtime/vm.h"

/* Copy self + args above the stack top (which roots them) and call f. */
static bool call_with_self(VmThread *th, Value f, Value self, Value *args,
                           int nargs, ObjTuple *kwnames, Value *result) {
    int nkw = kwnames ? (int)kwnames->count : 0;
    Value *base = th->stack_top;
    if (base + nargs + nkw + 1 > th->stack_limit)
        return vm_raise(th, th->vm->cls.RecursionError,
                        "maximum recursion depth exceeded");
    base[0] = self;
    if (nargs + nkw) safe_memmove(base + 1, args, sizeof(Value) * (size_t)(nargs + nkw));
    th->stack_top = base + 1 + nargs + nkw;
    bool ok = vm_call(th, f, base, nargs + 1, kwnames, result);
    th->stack_top = base;
    return ok;
}

bool vm_call(VmThread *th, Value callable, Value *args, int nargs,
             ObjTuple *kwnames, Value *result) {
    VmShared *vm = th->vm;
    if (callable.type == VAL_OBJ) {
        switch (callable.as.o->kind) {
        case OBJ_FUNCTION:
            return vm__run_function(th, VM_AS_FUNCTION(callable), args, nargs,
                                    kwnames, result);
        case OBJ_NATIVE:
            return VM_AS_NATIVE(callable)->fn(th, args, nargs, kwnames, result);
        case OBJ_BOUND_METHOD:
            if (callable.as.o->cls != vm->cls.method) break;
            return call_with_self(
                th, ((ObjBoundMethod *)VM_AS_OBJ(callable))->callable,
                ((ObjBoundMethod *)VM_AS_OBJ(callable))->self, args, nargs,
                kwnames, result);
        case OBJ_CLASS:
            return vm__class_instantiate(th, VM_AS_CLASS(callable), args, nargs,
                                         kwnames, result);
        default: break;
        }
    }
    Value call;
    if (callable.type == VAL_OBJ &&
        callable.as.o->kind != OBJ_CLASS &&
        vm_class_lookup(vm_value_class(vm, callable), vm->names.call, &call))
        return call_with_self(th, call, callable, args, nargs, kwnames, result);
    return vm_raise(th, vm->cls.TypeError, "'%s' object is not callable",
                    vm_value_type_name(vm, callable));
}

int vm_call_method(VmThread *th, Value obj, ObjStr *name, Value *args,
                   int nargs, Value *result) {
    Value m;
    int found = vm_getattr_opt(th, obj, name, &m);
    if (found <= 0) return found;
    vm_push_root(th, m);
    bool ok = vm_call(th, m, args, nargs, NULL, result);
    vm_pop_roots(th, 1);
    return ok ? 1 : -1;
}

/* ---- the arguments of a native function ----------------------------------- */

bool vm_parse_args(VmThread *th, const char *fname, Value *args, int nargs,
                   ObjTuple *kwnames, const char *const *names, int nrequired,
                   int npositional, Value *out) {
    VmShared *vm = th->vm;
    int nnames = 0;
    while (names[nnames]) nnames++;
    for (int i = 0; i < nnames; i++) out[i] = VM_UNDEF;
    if (nargs > npositional) {
        return vm_raise(th, vm->cls.TypeError,
                        "%s() takes at most %d positional argument%s (%d given)",
                        fname, npositional, npositional == 1 ? "" : "s", nargs);
    }
    for (int i = 0; i < nargs; i++) out[i] = args[i];
    for (int64_t k = 0; kwnames && k < kwnames->count; k++) {
        ObjStr *kn = VM_AS_STR(kwnames->items[k]);
        int found = -1;
        for (int i = 0; i < nnames; i++)
            if (strcmp(names[i], kn->chars) == 0) found = i;
        if (found < 0)
            return vm_raise(th, vm->cls.TypeError,
                            "%s() got an unexpected keyword argument '%s'", fname,
                            kn->chars);
        if (!VM_IS_UNDEF(out[found]))
            return vm_raise(th, vm->cls.TypeError,
                            "%s() got multiple values for argument '%s'", fname,
                            kn->chars);
        out[found] = args[nargs + k];
    }
    for (int i = 0; i < nrequired; i++)
        if (VM_IS_UNDEF(out[i]))
            return vm_raise(th, vm->cls.TypeError,
                            "%s() missing required argument '%s' (pos %d)", fname,
                            names[i], i + 1);
    return true;
}
