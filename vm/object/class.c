/*
 * vm/object/class.c - classes defined by programs, and the small built-in types
 * that make them work: object, BaseException, super, property,
 * staticmethod, classmethod.
 *
 * A `class` statement compiles to a call of the builder native with the
 * body function, the name and the base (vm/README.md).  The builder runs the
 * body with a fresh namespace dict, turns the dict into the class's dict and
 * records the class as the `owner` of each function defined in it, which is
 * how zero-argument super() finds its starting point without CPython's
 * hidden __class__ cell.
 */
#include "vm/object/class.h"

#include <string.h>

#include "vm/object/dict.h"
#include "vm/runtime/interp.h"
#include "vm/object/list.h"
#include "vm/object/ops.h"
#include "vm/object/str.h"

/* ---- instances -------------------------------------------------------- */

static Value alloc_instance(VmShared *vm, ObjClass *cls, Value *args,
                            int nargs) {
    if (cls->instance_kind == OBJ_EXCEPTION) {
        ObjException *e = (ObjException *)vm_obj_alloc(
            vm, sizeof(ObjException), OBJ_EXCEPTION, cls);
        e->args = vm_tuple_from(vm, args, nargs);
        return VM_OBJ(e);
    }
    return VM_OBJ(vm_instance_new(vm, cls));
}

bool vm__class_instantiate(VmThread *th, ObjClass *cls, Value *args,
                           int nargs, ObjTuple *kwnames, Value *result) {
    VmShared *vm = th->vm;
    for (ObjClass *c = cls; c; c = c->base) {
        if (c->construct) return c->construct(th, cls, args, nargs, kwnames, result);
        if (!c->builtin) continue;
        if (c == vm->cls.object || c->instance_kind == OBJ_EXCEPTION) break;
        return vm_raise(th, vm->cls.TypeError, "cannot create '%s' instances",
                        cls->name->chars);
    }
    Value self = alloc_instance(vm, cls, args, nargs);
    Value init;
    if (!vm_class_lookup(cls, vm->names.init, &init) ||
        (VM_IS_NATIVE(init) && VM_AS_NATIVE(init) == vm->object_init)) {
        int nkw = kwnames ? (int)kwnames->count : 0;
        if ((nargs + nkw) > 0 && cls->instance_kind != OBJ_EXCEPTION)
            return vm_raise(th, vm->cls.TypeError, "%s() takes no arguments",
                            cls->name->chars);
        *result = self;
        return true;
    }
    /* Call __init__(self, *args): self goes in front of the arguments, so
     * copy them above the current stack top (which also roots them). */
    int nkw = kwnames ? (int)kwnames->count : 0;
    int total = nargs + nkw;
    if (th->stack_top + total + 2 > th->stack_limit)
        return vm_raise(th, vm->cls.RecursionError,
                        "maximum recursion depth exceeded");
    Value *base = th->stack_top;
    base[0] = self;
    for (int i = 0; i < total; i++) base[1 + i] = args[i];
    th->stack_top += total + 1;
    Value ret;
    bool ok = vm_call(th, init, base, nargs + 1, kwnames, &ret);
    th->stack_top = base;
    if (!ok) return false;
    if (!VM_IS_NONE(ret))
        return vm_raise(th, vm->cls.TypeError,
                        "__init__() should return None, not '%s'",
                        vm_value_type_name(vm, ret));
    *result = self;
    return true;
}

/* object.__init__ accepts nothing beyond self; the "takes no arguments"
 * check for classes without their own __init__ is in instantiate. */
static bool object_init(VmThread *th, Value *args, int nargs,
                        ObjTuple *kwnames, Value *result) {
    (void)args;
    if (nargs > 1 || (kwnames && kwnames->count))
        return vm_raise(th, th->vm->cls.TypeError,
                        "object.__init__() takes exactly one argument (the "
                        "instance to initialize)");
    *result = VM_NONE;
    return true;
}

static bool base_exception_init(VmThread *th, Value *args, int nargs,
                                ObjTuple *kwnames, Value *result) {
    if (nargs < 1 || !VM_IS_EXCEPTION(args[0]))
        return vm_raise(th, th->vm->cls.TypeError,
                        "descriptor '__init__' requires a 'BaseException' "
                        "object");
    if (kwnames && kwnames->count)
        return vm_raise(th, th->vm->cls.TypeError,
                        "%s() takes no keyword arguments",
                        VM_AS_OBJ(args[0])->cls->name->chars);
    VM_AS_EXCEPTION(args[0])->args = vm_tuple_from(th->vm, args + 1, nargs - 1);
    *result = VM_NONE;
    return true;
}

/* ---- the class builder ----------------------------------------------- */

static void set_owner(Value v, ObjClass *cls) {
    if (VM_IS_FUNCTION(v)) {
        if (!VM_AS_FUNCTION(v)->owner) VM_AS_FUNCTION(v)->owner = cls;
    } else if (vm_is_kind(v, OBJ_PROPERTY)) {
        ObjProperty *p = (ObjProperty *)VM_AS_OBJ(v);
        set_owner(p->get, cls);
        set_owner(p->set, cls);
    }
}

static bool build_class(VmThread *th, Value *args, int nargs,
                        ObjTuple *kwnames, Value *result) {
    VmShared *vm = th->vm;
    if (nargs < 2 || nargs > 3 || !VM_IS_FUNCTION(args[0]) ||
        !VM_IS_STR(args[1]) || (kwnames && kwnames->count))
        return vm_raise(th, vm->cls.TypeError, "__build_class__: bad arguments");
    ObjClass *base = vm->cls.object;
    if (nargs == 3) {
        if (!VM_IS_CLASS(args[2]))
            return vm_raise(th, vm->cls.TypeError,
                            "bases must be types");
        base = VM_AS_CLASS(args[2]);
        if (!base->subclassable)
            return vm_raise(th, vm->cls.TypeError,
                            "type '%s' is not an acceptable base type "
                            "(gilt supports subclassing object and exceptions)",
                            base->name->chars);
    }
    ObjFunction *body = VM_AS_FUNCTION(args[0]);
    ObjDict *ns = vm_dict_new(vm);
    vm_push_root(th, VM_OBJ(ns));
    vm_dict_set_str(vm, ns, vm->names.module, VM_OBJ(body->module->name));
    vm_dict_set_str(vm, ns, vm->names.qualname,
                    VM_OBJ(body->code->qualname ? body->code->qualname
                                                : VM_AS_STR(args[1])));
    Value ignored;
    bool ok = vm__run_class_body(th, body, ns, &ignored);
    vm_pop_roots(th, 1);
    if (!ok) return false;

    ObjClass *cls = (ObjClass *)vm_obj_alloc(vm, sizeof(ObjClass), OBJ_CLASS,
                                             vm->cls.type);
    cls->name = vm_str_intern(vm, VM_AS_STR(args[1])->chars,
                              VM_AS_STR(args[1])->length);
    Value qn;
    cls->qualname = vm_dict_get_str(ns, vm->names.qualname, &qn) && VM_IS_STR(qn)
                        ? VM_AS_STR(qn)
                        : cls->name;
    cls->base = base;
    cls->dict = ns;
    cls->instance_kind = base->instance_kind;
    cls->builtin = false;
    cls->subclassable = true;
    /* As in CPython, a __module__ the body assigns names the class's
     * module (json's JSONDecodeError reports itself as json.decoder's). */
    Value mn;
    cls->module_name = vm_dict_get_str(ns, vm->names.module, &mn) && VM_IS_STR(mn)
                           ? VM_AS_STR(mn)
                           : body->module->name;
    int64_t pos = 0;
    Value k, v;
    while (vm_dict_next(ns, &pos, &k, &v)) set_owner(v, cls);
    *result = VM_OBJ(cls);
    return true;
}

/* ---- super ------------------------------------------------------------ */

/* A super object is a bound-method-shaped pair: self and the class after
 * which lookups start, with class `super`. */
Value vm__super_new(VmShared *vm, ObjClass *start, Value self) {
    ObjBoundMethod *s = vm_bound_method_new(vm, self, VM_OBJ(start));
    s->obj.cls = vm->cls.super_;
    return VM_OBJ(s);
}

int vm__super_getattr(VmThread *th, Value super, ObjStr *name, Value *out) {
    ObjBoundMethod *s = (ObjBoundMethod *)VM_AS_OBJ(super);
    ObjClass *start = VM_AS_CLASS(s->callable);
    Value attr;
    if (!start->base || !vm_class_lookup(start->base, name, &attr)) return 0;
    ObjClass *self_cls = VM_IS_CLASS(s->self) ? VM_AS_CLASS(s->self)
                                              : vm_value_class(th->vm, s->self);
    return vm__bind_attribute(th, attr, s->self, self_cls, out) ? 1 : -1;
}

static bool super_construct(VmThread *th, ObjClass *cls, Value *args, int nargs,
                            ObjTuple *kwnames, Value *result) {
    (void)cls;
    if (nargs != 2 || (kwnames && kwnames->count))
        return vm_raise(th, th->vm->cls.RuntimeError,
                        "super(): gilt supports super() with no arguments "
                        "inside a method, or super(Class, obj)");
    if (!VM_IS_CLASS(args[0]))
        return vm_raise(th, th->vm->cls.TypeError,
                        "super() argument 1 must be a type, not %s",
                        vm_value_type_name(th->vm, args[0]));
    *result = vm__super_new(th->vm, VM_AS_CLASS(args[0]), args[1]);
    return true;
}

bool vm__bind_attribute(VmThread *th, Value attr, Value self, ObjClass *cls,
                        Value *out) {
    VmShared *vm = th->vm;
    if (VM_IS_FUNCTION(attr) || VM_IS_NATIVE(attr)) {
        if (VM_IS_CLASS(self) && VM_AS_CLASS(self) == cls) {
            *out = attr; /* C.f: a plain function */
            return true;
        }
        *out = VM_OBJ(vm_bound_method_new(vm, self, attr));
        return true;
    }
    if (vm_is_kind(attr, OBJ_PROPERTY)) {
        ObjProperty *p = (ObjProperty *)VM_AS_OBJ(attr);
        switch (p->prop_kind) {
        case PROP_STATICMETHOD: *out = p->get; return true;
        case PROP_CLASSMETHOD:
            *out = VM_OBJ(vm_bound_method_new(vm, VM_OBJ(cls), p->get));
            return true;
        case PROP_PROPERTY:
            if (VM_IS_CLASS(self) && VM_AS_CLASS(self) == cls) {
                *out = attr;
                return true;
            }
            return vm_call(th, p->get, &self, 1, NULL, out);
        }
    }
    *out = attr;
    return true;
}

/* ---- property, staticmethod, classmethod ------------------------------ */

static ObjProperty *property_new(VmShared *vm, ObjClass *cls, PropKind kind,
                                 Value get, Value set) {
    ObjProperty *p = (ObjProperty *)vm_obj_alloc(vm, sizeof(ObjProperty),
                                                 OBJ_PROPERTY, cls);
    p->prop_kind = kind;
    p->get = get;
    p->set = set;
    return p;
}

static bool property_construct(VmThread *th, ObjClass *cls, Value *args,
                               int nargs, ObjTuple *kwnames, Value *result) {
    if (nargs < 1 || nargs > 2 || (kwnames && kwnames->count))
        return vm_raise(th, th->vm->cls.TypeError,
                        "property() takes a getter and an optional setter");
    *result = VM_OBJ(property_new(th->vm, cls, PROP_PROPERTY, args[0],
                                  nargs > 1 ? args[1] : VM_UNDEF));
    return true;
}

static bool property_setter(VmThread *th, Value *args, int nargs,
                            ObjTuple *kwnames, Value *result) {
    (void)kwnames;
    if (nargs != 2 || !vm_is_kind(args[0], OBJ_PROPERTY))
        return vm_raise(th, th->vm->cls.TypeError, "setter() takes one function");
    ObjProperty *p = (ObjProperty *)VM_AS_OBJ(args[0]);
    *result = VM_OBJ(property_new(th->vm, th->vm->cls.property, PROP_PROPERTY,
                                  p->get, args[1]));
    return true;
}

static bool wrapper_construct(VmThread *th, ObjClass *cls, Value *args,
                              int nargs, ObjTuple *kwnames, Value *result) {
    if (nargs != 1 || (kwnames && kwnames->count))
        return vm_raise(th, th->vm->cls.TypeError,
                        "%s expected 1 argument, got %d", cls->name->chars,
                        nargs);
    PropKind kind = cls == th->vm->cls.staticmethod ? PROP_STATICMETHOD
                                                     : PROP_CLASSMETHOD;
    *result = VM_OBJ(property_new(th->vm, cls, kind, args[0], VM_UNDEF));
    return true;
}

/* ---- generator methods ------------------------------------------------- */

static bool stop_iteration(VmThread *th, ObjGenerator *g) {
    Value v = VM_IS_UNDEF(g->return_value) ? VM_NONE : g->return_value;
    th->exception = vm_exception_new(th, th->vm->cls.StopIteration, &v,
                                     VM_IS_NONE(v) ? 0 : 1);
    return false;
}

static ObjGenerator *gen_self(VmThread *th, Value *a, int n) {
    if (n < 1 || !vm_is_kind(a[0], OBJ_GENERATOR)) {
        vm_raise(th, th->vm->cls.TypeError, "expected a generator");
        return NULL;
    }
    return (ObjGenerator *)VM_AS_OBJ(a[0]);
}

static bool gen_send(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    ObjGenerator *g = gen_self(th, a, n);
    if (!g) return false;
    Value v = n > 1 ? a[1] : VM_NONE;
    if (g->state == GEN_CREATED && !VM_IS_NONE(v))
        return vm_raise(th, th->vm->cls.TypeError,
                        "can't send non-None value to a just-started generator");
    int k = vm__generator_send(th, g, v, r);
    if (k < 0) return false;
    if (k == 0) return stop_iteration(th, g);
    return true;
}

static bool gen_next(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    return gen_send(th, a, n > 1 ? 1 : n, kw, r);
}

static bool gen_iter(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (!gen_self(th, a, n)) return false;
    *r = a[0];
    return true;
}

/* close(): the generator will not run again.  Unlike CPython it does not
 * throw GeneratorExit into the frame, so pending finally blocks of a
 * suspended generator do not run (documented limit). */
static bool gen_close(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    ObjGenerator *g = gen_self(th, a, n);
    if (!g) return false;
    if (g->state == GEN_RUNNING)
        return vm_raise(th, th->vm->cls.ValueError, "generator already executing");
    g->state = GEN_CLOSED;
    *r = VM_NONE;
    return true;
}

void vm__class_init(VmShared *vm) {
    vm_define_native(vm, vm->cls.generator->dict, "send", gen_send);
    vm_define_native(vm, vm->cls.generator->dict, "__next__", gen_next);
    vm_define_native(vm, vm->cls.generator->dict, "__iter__", gen_iter);
    vm_define_native(vm, vm->cls.generator->dict, "close", gen_close);
    vm->object_init =
        vm_define_native(vm, vm->cls.object->dict, "__init__", object_init);
    vm_define_native(vm, vm->cls.BaseException->dict, "__init__",
                     base_exception_init);
    vm->build_class = vm_native_new(vm, "__build_class__", build_class);
    vm->cls.super_->construct = super_construct;
    vm->cls.property->construct = property_construct;
    vm_define_native(vm, vm->cls.property->dict, "setter", property_setter);
    vm->cls.staticmethod->construct = wrapper_construct;
    vm->cls.classmethod->construct = wrapper_construct;
}
