/*
 * vm/runtime/vm.c - creating and destroying interpreter state: the shared state with
 * its built-in classes, builtins namespace and module table, the per-thread
 * states, and running a whole program as __main__.
 *
 * Bootstrapping order matters: classes need their names (strings), strings
 * need the str class and the intern table (a dict), so the first few
 * classes are allocated nameless and named once interning works.
 */
#include "vm/runtime/vm.h"

#include <errno.h>
#include <stdlib.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "vm/object/class.h"
#include "vm/compile/compiler.h"
#include "vm/object/dict.h"
#include "vm/runtime/gc.h"
#include "vm/gil/gil.h"
#include "vm/runtime/interp.h"
#include "vm/object/list.h"
#include "vm/runtime/memory.h"
#include "vm/object/ops.h"
#include "vm/bytecode/peephole.h"
#include "vm/record/record.h"
#include "vm/object/str.h"

void vm_options_default(VmOptions *o) {
    memset(o, 0, sizeof *o);
    o->max_heap = GILT_DEFAULT_MAX_HEAP;
    o->recursion_limit = GILT_RECURSION_LIMIT;
    o->gil_name = "cpython";
    o->switch_interval = 0.005;
    o->check_interval = 100;
    o->force_switching = true;
}

uint64_t vm_switch_interval_ns(const VmShared *vm, uint64_t default_ns) {
    uint64_t ns = atomic_load_explicit(&vm->switch_interval_ns, memory_order_relaxed);
    return ns ? ns : default_ns;
}

double vm_switch_interval(const VmShared *vm) {
    return (double)vm_switch_interval_ns(vm, VM_DEFAULT_SWITCH_INTERVAL_NS) / 1e9;
}

const char *vm_switch_interval_invalid(double s, char *buf, size_t size) {
    if (isnan(s) || isinf(s))
        snprintf(buf, size, "switch interval must be a finite number of seconds, not %g", s);
    else if (!(s > 0))
        snprintf(buf, size, "switch interval must be strictly positive");
    else if (s > VM_MAX_SWITCH_INTERVAL_S)
        snprintf(buf, size, "switch interval must be at most %g seconds, not %g",
                 VM_MAX_SWITCH_INTERVAL_S, s);
    else
        return NULL;
    return buf;
}

void vm_set_switch_interval(VmShared *vm, double s) {
    /* Below a nanosecond is a nanosecond: the lock cannot wait less. */
    uint64_t ns = (uint64_t)llround(s * 1e9);
    atomic_store_explicit(&vm->switch_interval_ns, ns ? ns : 1, memory_order_relaxed);
}

/* A class object; `name` may be NULL during bootstrap. */
static ObjClass *class_alloc(VmShared *vm, ObjClass *base, ObjKind kind) {
    ObjClass *c = (ObjClass *)vm_obj_alloc(vm, sizeof(ObjClass), OBJ_CLASS,
                                           vm->cls.type);
    c->base = base;
    c->instance_kind = (uint8_t)kind;
    c->builtin = true;
    c->subclassable = false;
    return c;
}

static void class_name(VmShared *vm, ObjClass *c, const char *name,
                       const char *modname) {
    c->name = vm_str_intern_cstr(vm, name);
    c->qualname = c->name;
    c->module_name = vm_str_intern_cstr(vm, modname);
    if (!c->dict) c->dict = vm_dict_new(vm);
}

ObjClass *vm_class_new_builtin(VmShared *vm, const char *name, ObjClass *base,
                               const char *modname) {
    ObjClass *c = class_alloc(vm, base, base ? (ObjKind)base->instance_kind
                                             : OBJ_INSTANCE);
    class_name(vm, c, name, modname);
    return c;
}

/* A built-in class that is also a name in builtins. */
static ObjClass *builtin_class(VmShared *vm, const char *name, ObjClass *base,
                               ObjKind kind, bool subclassable) {
    ObjClass *c = class_alloc(vm, base, kind);
    class_name(vm, c, name, "builtins");
    c->subclassable = subclassable;
    vm_dict_set_str(vm, vm->builtins, c->name, VM_OBJ(c));
    return c;
}

static ObjClass *exc_class(VmShared *vm, const char *name, ObjClass *base) {
    return builtin_class(vm, name, base, OBJ_EXCEPTION, true);
}

static void make_exception_classes(VmShared *vm) {
    VmClasses *k = &vm->cls;
    k->BaseException = exc_class(vm, "BaseException", k->object);
    k->SystemExit = exc_class(vm, "SystemExit", k->BaseException);
    k->KeyboardInterrupt = exc_class(vm, "KeyboardInterrupt", k->BaseException);
    k->GeneratorExit = exc_class(vm, "GeneratorExit", k->BaseException);
    k->Exception = exc_class(vm, "Exception", k->BaseException);
    k->StopIteration = exc_class(vm, "StopIteration", k->Exception);
    k->ArithmeticError = exc_class(vm, "ArithmeticError", k->Exception);
    k->ZeroDivisionError = exc_class(vm, "ZeroDivisionError", k->ArithmeticError);
    k->OverflowError = exc_class(vm, "OverflowError", k->ArithmeticError);
    k->AssertionError = exc_class(vm, "AssertionError", k->Exception);
    k->AttributeError = exc_class(vm, "AttributeError", k->Exception);
    k->LookupError = exc_class(vm, "LookupError", k->Exception);
    k->IndexError = exc_class(vm, "IndexError", k->LookupError);
    k->KeyError = exc_class(vm, "KeyError", k->LookupError);
    k->NameError = exc_class(vm, "NameError", k->Exception);
    k->UnboundLocalError = exc_class(vm, "UnboundLocalError", k->NameError);
    k->TypeError = exc_class(vm, "TypeError", k->Exception);
    k->ValueError = exc_class(vm, "ValueError", k->Exception);
    k->UnicodeError = exc_class(vm, "UnicodeError", k->ValueError);
    k->RuntimeError = exc_class(vm, "RuntimeError", k->Exception);
    k->RecursionError = exc_class(vm, "RecursionError", k->RuntimeError);
    k->NotImplementedError =
        exc_class(vm, "NotImplementedError", k->RuntimeError);
    k->MemoryError = exc_class(vm, "MemoryError", k->Exception);
    k->ImportError = exc_class(vm, "ImportError", k->Exception);
    k->ModuleNotFoundError =
        exc_class(vm, "ModuleNotFoundError", k->ImportError);
    k->OSError = exc_class(vm, "OSError", k->Exception);
    k->TimeoutError = exc_class(vm, "TimeoutError", k->OSError);
    k->SyntaxError = exc_class(vm, "SyntaxError", k->Exception);
    /* Aliases CPython has for OSError. */
    vm_dict_set_str(vm, vm->builtins, vm_str_intern_cstr(vm, "IOError"),
                    VM_OBJ(k->OSError));
    vm_dict_set_str(vm, vm->builtins, vm_str_intern_cstr(vm, "EnvironmentError"),
                    VM_OBJ(k->OSError));
}

static void make_names(VmShared *vm) {
    VmNames *n = &vm->names;
#define NAME(field, text) n->field = vm_str_intern_cstr(vm, text)
    NAME(init, "__init__"); NAME(new_, "__new__"); NAME(repr, "__repr__");
    NAME(str, "__str__"); NAME(eq, "__eq__"); NAME(ne, "__ne__");
    NAME(lt, "__lt__"); NAME(le, "__le__"); NAME(gt, "__gt__");
    NAME(ge, "__ge__"); NAME(hash, "__hash__"); NAME(len, "__len__");
    NAME(iter, "__iter__"); NAME(next, "__next__");
    NAME(getitem, "__getitem__"); NAME(setitem, "__setitem__");
    NAME(delitem, "__delitem__"); NAME(contains, "__contains__");
    NAME(call, "__call__"); NAME(enter, "__enter__"); NAME(exit, "__exit__");
    NAME(bool_, "__bool__"); NAME(add, "__add__"); NAME(sub, "__sub__");
    NAME(mul, "__mul__"); NAME(truediv, "__truediv__");
    NAME(floordiv, "__floordiv__"); NAME(mod, "__mod__"); NAME(pow, "__pow__");
    NAME(neg, "__neg__"); NAME(name, "__name__"); NAME(qualname, "__qualname__");
    NAME(module, "__module__"); NAME(main, "__main__"); NAME(doc, "__doc__");
    NAME(class_, "__class__"); NAME(dict, "__dict__"); NAME(args, "args");
    NAME(builtins, "builtins"); NAME(format, "__format__");
    NAME(getattr, "__getattr__"); NAME(setattr, "__setattr__");
#undef NAME
}

static void make_classes(VmShared *vm) {
    VmClasses *k = &vm->cls;
    /* Bootstrap: type, object, str and dict exist before any string. */
    k->type = class_alloc(vm, NULL, OBJ_CLASS);
    k->type->obj.cls = k->type;
    k->object = class_alloc(vm, NULL, OBJ_INSTANCE);
    k->type->base = k->object;
    k->str = class_alloc(vm, k->object, OBJ_STR);
    k->dict = class_alloc(vm, k->object, OBJ_DICT);
    vm->strings = vm_dict_new(vm);
    vm->builtins = vm_dict_new(vm);
    k->type->dict = vm_dict_new(vm);
    k->object->dict = vm_dict_new(vm);
    k->str->dict = vm_dict_new(vm);
    k->dict->dict = vm_dict_new(vm);

    class_name(vm, k->type, "type", "builtins");
    class_name(vm, k->object, "object", "builtins");
    class_name(vm, k->str, "str", "builtins");
    class_name(vm, k->dict, "dict", "builtins");
    k->object->subclassable = true;
    ObjClass *named[] = {k->type, k->object, k->str, k->dict};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        vm_dict_set_str(vm, vm->builtins, named[i]->name, VM_OBJ(named[i]));

    k->none_type = builtin_class(vm, "NoneType", k->object, OBJ_INSTANCE, false);
    vm_dict_delete_str(vm->builtins, k->none_type->name);
    k->int_ = builtin_class(vm, "int", k->object, OBJ_INSTANCE, false);
    k->bool_ = builtin_class(vm, "bool", k->int_, OBJ_INSTANCE, false);
    k->float_ = builtin_class(vm, "float", k->object, OBJ_INSTANCE, false);
    k->tuple = builtin_class(vm, "tuple", k->object, OBJ_TUPLE, false);
    k->list = builtin_class(vm, "list", k->object, OBJ_LIST, false);
    k->range = builtin_class(vm, "range", k->object, OBJ_RANGE, false);
    k->slice = builtin_class(vm, "slice", k->object, OBJ_SLICE, false);
    k->property = builtin_class(vm, "property", k->object, OBJ_PROPERTY, false);
    k->staticmethod =
        builtin_class(vm, "staticmethod", k->object, OBJ_PROPERTY, false);
    k->classmethod =
        builtin_class(vm, "classmethod", k->object, OBJ_PROPERTY, false);
    k->super_ = builtin_class(vm, "super", k->object, OBJ_INSTANCE, false);

    /* Types Python code sees only through type(x). */
    k->function = vm_class_new_builtin(vm, "function", k->object, "builtins");
    k->native = vm_class_new_builtin(vm, "builtin_function_or_method",
                                     k->object, "builtins");
    k->method = vm_class_new_builtin(vm, "method", k->object, "builtins");
    k->cell = vm_class_new_builtin(vm, "cell", k->object, "builtins");
    k->code = vm_class_new_builtin(vm, "code", k->object, "builtins");
    k->module = vm_class_new_builtin(vm, "module", k->object, "builtins");
    k->generator = vm_class_new_builtin(vm, "generator", k->object, "builtins");
    k->iterator = vm_class_new_builtin(vm, "iterator", k->object, "builtins");
    k->dict_keys = vm_class_new_builtin(vm, "dict_keys", k->object, "builtins");
    k->dict_values =
        vm_class_new_builtin(vm, "dict_values", k->object, "builtins");
    k->dict_items = vm_class_new_builtin(vm, "dict_items", k->object, "builtins");
    k->not_implemented_type =
        vm_class_new_builtin(vm, "NotImplementedType", k->object, "builtins");
    vm->not_implemented =
        VM_OBJ(vm_instance_new(vm, k->not_implemented_type));
    vm_dict_set_str(vm, vm->builtins, vm_str_intern_cstr(vm, "NotImplemented"),
                    vm->not_implemented);
    make_exception_classes(vm);
}

VmShared *vm_shared_new(const VmOptions *options) {
    VmShared *vm = (VmShared *)vm_realloc(NULL, NULL, 0, sizeof(VmShared));
    memset(vm, 0, sizeof *vm);
    if (options)
        vm->options = *options;
    else
        vm_options_default(&vm->options);
    vm->platform = vm->options.platform ? *vm->options.platform : vm_platform_real();
    vm->options.platform = &vm->platform;
    vm->heap.platform = vm->platform;
    if (vm->options.switch_interval_set) vm_set_switch_interval(vm, vm->options.switch_interval);
    vm->heap.next_gc = GILT_GC_INITIAL_THRESHOLD;
    vm->heap.max_heap = vm->options.max_heap;
    vm->out = stdout;
    vm->err = stderr;
    vm->not_implemented = VM_NONE;
    pthread_mutex_init(&vm->sched_lock, NULL);
    pthread_mutex_init(&vm->heap.lock, NULL);
    pthread_cond_init(&vm->exit_cond, NULL);
    vm_mutex_init(&vm->import_mutex, &vm->platform);
    vm_cond_init(&vm->import_cond, &vm->platform);
    /* A simulator that finds every thread blocked reports this VM's. */
    vm->platform.ops->on_deadlock(vm->platform.ctx, vm_thread_report_deadlock_hook, vm);
    vm->gil_ticks = GILT_STRESS_SWITCH ? 1 : INT_MAX;  /* until a ticking policy arms it */
    vm->live_threads = 1;
    vm->next_ident = 1;

    make_classes(vm);
    make_names(vm);
    vm->modules = vm_dict_new(vm);
    vm->module_makers = vm_dict_new(vm);
    vm->argv = vm_list_new(vm, 0);

    vm__class_init(vm);
    vm__str_methods_init(vm);
    vm__list_methods_init(vm);
    vm__dict_methods_init(vm);
    vm__lib_install(vm);

    vm->gil_ops = gil_ops_find(vm->options.gil_name);
    if (!vm->gil_ops) vm->gil_ops = gil_ops_find("none");
    vm->options.gil_name = vm->gil_ops->name;  /* what the records say */
    vm->heap.concurrent = vm->gil_ops == &gil_none_ops;
    vm->gil = vm->gil_ops->init(vm);
    return vm;
}

void vm_set_op_costs(VmShared *vm, const uint32_t *ps, int count) {
    for (int op = 0; op < 256; op++) {
        uint32_t c = op < count ? ps[op] : 0;
        if (c > VM_OP_COST_MAX_PS) c = VM_OP_COST_MAX_PS;
        vm->op_cost_ps[op] = c;
        vm->op_cost_packed[op] = (UINT64_C(1) << VM_COST_SHIFT) | c;
    }
    vm->charge_costs = true;
}

void vm_set_costs(VmShared *vm, const uint32_t *op_ps, int count, uint32_t alloc_ps,
                  const char *source) {
    vm_set_op_costs(vm, op_ps, count);
    vm->heap.alloc_ps = alloc_ps;
    vm->cost_source = source;
}

void vm_shared_destroy(VmShared *vm) {
    /* Threads that have left the thread list may still be inside their
     * last GIL release: wait until their C code is done with the VM. */
    pthread_mutex_lock(&vm->sched_lock);
    while (vm->unfinished_threads > 0)
        vm->platform.ops->host_wait(vm->platform.ctx, &vm->exit_cond, &vm->sched_lock);
    pthread_mutex_unlock(&vm->sched_lock);
    vm_record_free(vm);
    while (vm->threads) vm_thread_destroy(vm->threads);
    if (vm->gil_ops) vm->gil_ops->fini(vm, vm->gil);
    vm_gc_free_all(vm);
    vm_realloc(NULL, vm->heap.gray, 0, 0);
    vm_realloc(NULL, vm->finished_stats, 0, 0);
    vm_realloc(NULL, vm->finished_names, 0, 0);
    vm_realloc(NULL, vm->finished_idents, 0, 0);
    vm_realloc(NULL, vm->finished_bytecodes, 0, 0);
    pthread_cond_destroy(&vm->exit_cond);
    vm_cond_fini(&vm->import_cond);
    vm_mutex_fini(&vm->import_mutex);
    pthread_mutex_destroy(&vm->heap.lock);
    pthread_mutex_destroy(&vm->sched_lock);
    vm_realloc(NULL, vm, 0, 0);
}

VmThread *vm_thread_new(VmShared *vm) {
    VmThread *th = (VmThread *)vm_realloc(NULL, NULL, 0, sizeof(VmThread));
    memset(th, 0, sizeof *th);
    th->vm = vm;
    atomic_init(&th->eval_breaker, 0);
    th->cpu_horizon_ps = UINT64_MAX;   /* until the platform says otherwise */
    th->stack = (Value *)vm_realloc(NULL, NULL, 0,
                                    sizeof(Value) * GILT_STACK_VALUES);
    th->stack_top = th->stack;
    th->stack_limit = th->stack + GILT_STACK_VALUES;
    th->frame_capacity = GILT_MAX_FRAMES;
    th->frames = (VmFrame *)vm_realloc(NULL, NULL, 0,
                                       sizeof(VmFrame) * (size_t)th->frame_capacity);
    th->exception = VM_UNDEF;
    th->handled = VM_NONE;
    th->thread_obj = VM_UNDEF;
    /* Under --gil none threads start threads in parallel: the list and the
     * idents are the sched_lock's (as in thread_main's exit). */
    pthread_mutex_lock(&vm->sched_lock);
    th->ident = vm->next_ident++;
    th->next = vm->threads;
    vm->threads = th;
    pthread_mutex_unlock(&vm->sched_lock);
    if (!vm->main_thread) {
        vm->main_thread = th;
        snprintf(th->name, sizeof th->name, "MainThread");
        /* The calling thread runs the VM's main thread: its CPU counter
         * is the one the platform reads (virtual time). */
        vm->platform.ops->thread_bind(vm->platform.ctx, &th->vtime_ps, &th->cpu_horizon_ps);
    }
    if (!vm->heap.alloc_breaker) vm->heap.alloc_breaker = &th->eval_breaker;
    return th;
}

void vm_thread_destroy(VmThread *th) {
    VmShared *vm = th->vm;
    pthread_mutex_lock(&vm->sched_lock);
    for (VmThread **p = &vm->threads; *p; p = &(*p)->next) {
        if (*p == th) {
            *p = th->next;
            break;
        }
    }
    pthread_mutex_unlock(&vm->sched_lock);
    if (vm->main_thread == th) {
        vm->main_thread = NULL;
        /* The platform keeps the thread's clock, not this counter. */
        vm->platform.ops->thread_bind(vm->platform.ctx, NULL, NULL);
    }
    if (vm->heap.alloc_breaker == &th->eval_breaker)
        vm->heap.alloc_breaker = vm->threads ? &vm->threads->eval_breaker : NULL;
    vm_realloc(NULL, th->stack, 0, 0);
    vm_realloc(NULL, th->frames, 0, 0);
    vm_realloc(NULL, th, 0, 0);
}

bool vm_heap_check(VmThread *th, size_t bytes) {
    VmHeap *heap = &th->vm->heap;
    /* Atomic: other threads may be counting (--gil none, vm_realloc). */
    size_t allocated = __atomic_load_n(&heap->bytes_allocated, __ATOMIC_RELAXED);
    if (bytes > heap->max_heap || allocated + bytes > heap->max_heap)
        return vm_raise(th, th->vm->cls.MemoryError, "%s", "");
    return true;
}

/* ---- modules --------------------------------------------------------- */

/* A module with no names at all (not even __name__). */
static ObjModule *module_alloc(VmShared *vm, const char *name) {
    ObjModule *m = (ObjModule *)vm_obj_alloc(vm, sizeof(ObjModule), OBJ_MODULE,
                                             vm->cls.module);
    m->name = vm_str_intern_cstr(vm, name);
    m->slot_of = vm_dict_new(vm);
    vm_value_array_init(&m->values);
    vm_value_array_init(&m->names);
    return m;
}

ObjModule *vm_module_new(VmShared *vm, const char *name) {
    ObjModule *m = module_alloc(vm, name);
    vm_module_set(vm, m, "__name__", VM_OBJ(m->name));
    return m;
}

/* The slot of `name` in m, created unbound if missing. */
int vm__module_slot(VmShared *vm, ObjModule *m, ObjStr *name) {
    Value idx;
    if (vm_dict_get_str(m->slot_of, name, &idx)) return (int)VM_AS_INT(idx);
    int slot = m->values.count;
    vm_value_array_write(&vm->heap, &m->values, VM_UNDEF);
    vm_value_array_write(&vm->heap, &m->names, VM_OBJ(name));
    vm_dict_set_str(vm, m->slot_of, name, VM_INT(slot));
    return slot;
}

void vm_module_set(VmShared *vm, ObjModule *m, const char *name, Value v) {
    ObjStr *s = vm_str_intern_cstr(vm, name);
    int slot = vm__module_slot(vm, m, s);
    m->values.values[slot] = v;
}

bool vm_module_get(ObjModule *m, ObjStr *name, Value *out) {
    Value idx;
    if (!vm_dict_get_str(m->slot_of, name, &idx)) return false;
    Value v = m->values.values[VM_AS_INT(idx)];
    if (VM_IS_UNDEF(v)) return false;
    *out = v;
    return true;
}

void vm_register_module(VmShared *vm, const char *name, VmModuleInit init) {
    ObjNative *maker = vm_native_new(vm, name, NULL);
    maker->cdata = (void *)init;
    maker->data = VM_FALSE;
    vm_dict_set_str(vm, vm->module_makers, vm_str_intern_cstr(vm, name),
                    VM_OBJ(maker));
}

void vm_register_source_module(VmShared *vm, const char *name,
                               const char *source) {
    ObjNative *maker = vm_native_new(vm, name, NULL);
    maker->cdata = (void *)source;
    maker->data = VM_TRUE;
    vm_dict_set_str(vm, vm->module_makers, vm_str_intern_cstr(vm, name),
                    VM_OBJ(maker));
}

static bool exec_module_code(VmThread *th, ObjCode *code, ObjModule *m);

/* The module table: under --gil none, heap.lock around each touch, since
 * natives read it at any time (vm_module_lookup). */
static bool modules_get(VmShared *vm, ObjStr *name, Value *out) {
    if (!vm->heap.concurrent) return vm_dict_get_str(vm->modules, name, out);
    pthread_mutex_lock(&vm->heap.lock);
    bool found = vm_dict_get_str(vm->modules, name, out);
    pthread_mutex_unlock(&vm->heap.lock);
    return found;
}

static void modules_set(VmShared *vm, ObjStr *name, Value module) {
    if (vm->heap.concurrent) pthread_mutex_lock(&vm->heap.lock);
    vm_dict_set_str(vm, vm->modules, name, module);
    if (vm->heap.concurrent) pthread_mutex_unlock(&vm->heap.lock);
}

static void modules_delete(VmShared *vm, ObjStr *name) {
    if (vm->heap.concurrent) pthread_mutex_lock(&vm->heap.lock);
    vm_dict_delete_str(vm->modules, name);
    if (vm->heap.concurrent) pthread_mutex_unlock(&vm->heap.lock);
}

bool vm_module_lookup(VmShared *vm, const char *name, ObjModule **out) {
    Value m;
    if (!modules_get(vm, vm_str_intern_cstr(vm, name), &m)) return false;
    *out = (ObjModule *)VM_AS_OBJ(m);
    return true;
}

/* Compile and run an embedded Python module.  It is registered in
 * vm->modules before its body runs, as CPython does, so modules that import
 * each other see the partly built module instead of recursing. */
static bool import_source_module(VmThread *th, ObjStr *name, const char *src,
                                 Value *module) {
    VmShared *vm = th->vm;
    char filename[128];
    snprintf(filename, sizeof filename, "<gilt:%s>", name->chars);
    VmCompileError err;
    memset(&err, 0, sizeof err);
    ObjCode *code = vm_compile(vm, src, filename, &err);
    if (!code)
        return vm_raise(th, vm->cls.ImportError,
                        "built-in module %s does not compile: %d:%d: %s",
                        name->chars, err.line, err.col, err.message);
    vm_peephole_optimize(code);
    vm_push_root(th, VM_OBJ(code));
    ObjModule *m = module_alloc(vm, name->chars);
    *module = VM_OBJ(m);
    modules_set(vm, name, *module);
    bool ok = exec_module_code(th, code, m);
    vm_pop_roots(th, 1);
    if (!ok) modules_delete(vm, name);
    return ok;
}

static bool import_module(VmThread *th, ObjStr *name, Value *module) {
    VmShared *vm = th->vm;
    if (modules_get(vm, name, module)) return true;
    Value maker;
    if (!vm_dict_get_str(vm->module_makers, name, &maker))
        return vm_raise(th, vm->cls.ModuleNotFoundError,
                        "No module named '%s'", name->chars);
    if (VM_IS_BOOL(VM_AS_NATIVE(maker)->data) &&
        VM_AS_BOOL(VM_AS_NATIVE(maker)->data))
        return import_source_module(th, name,
                                    (const char *)VM_AS_NATIVE(maker)->cdata,
                                    module);
    VmModuleInit init = (VmModuleInit)VM_AS_NATIVE(maker)->cdata;
    ObjModule *m = init(vm);
    *module = VM_OBJ(m);
    modules_set(vm, name, *module);
    return true;
}

/* --gil none: the import lock around the whole import (see VmShared). */
static bool import_one_at_a_time(VmThread *th, ObjStr *name, Value *module) {
    VmShared *vm = th->vm;
    vm_mutex_lock(&vm->import_mutex);
    while (vm->import_owner && vm->import_owner != th->ident)
        vm_cond_wait(&vm->import_cond, &vm->import_mutex);
    vm->import_owner = th->ident;
    vm->import_depth++;
    vm_mutex_unlock(&vm->import_mutex);
    bool ok = import_module(th, name, module);
    vm_mutex_lock(&vm->import_mutex);
    if (--vm->import_depth == 0) {
        vm->import_owner = 0;
        vm_cond_broadcast(&vm->import_cond);
    }
    vm_mutex_unlock(&vm->import_mutex);
    return ok;
}

bool vm_import(VmThread *th, ObjStr *name, Value *module) {
    if (th->vm->heap.concurrent) return import_one_at_a_time(th, name, module);
    return import_module(th, name, module);
}

ObjNative *vm_define_native(VmShared *vm, ObjDict *ns, const char *name,
                            VmNativeFn fn) {
    ObjNative *n = vm_native_new(vm, name, fn);
    vm_dict_set_str(vm, ns, n->name, VM_OBJ(n));
    return n;
}

/* ---- running a program ----------------------------------------------- */

/* Exit status for an uncaught SystemExit, printing its message as CPython. */
static int system_exit_status(VmThread *th, Value exc) {
    ObjException *e = VM_AS_EXCEPTION(exc);
    if (!e->args || e->args->count == 0) return 0;
    Value code = e->args->count == 1 ? e->args->items[0] : VM_OBJ(e->args);
    if (VM_IS_NONE(code)) return 0;
    if (VM_IS_INT(code)) return (int)(VM_AS_INT(code) & 0xff);
    if (VM_IS_BOOL(code)) return VM_AS_BOOL(code);
    ObjStr *s;
    if (vm_str(th, code, &s)) fprintf(th->vm->err, "%s\n", s->chars);
    vm_clear_exception(th);
    return 1;
}

/* Run a module's top-level code in module m. */
static bool exec_module_code(VmThread *th, ObjCode *code, ObjModule *m) {
    VmShared *vm = th->vm;
    /* One slot per global name of the file, in the order the compiler
     * numbered them, so LOAD_GLOBAL's argument is the slot index. */
    if (code->globals) {
        for (int64_t i = 0; i < code->globals->count; i++) {
            int slot = vm__module_slot(vm, m, VM_AS_STR(code->globals->items[i]));
            if (slot != (int)i)
                return vm_raise(th, vm->cls.RuntimeError,
                                "gilt: internal error: global slot order");
        }
    }
    vm_module_set(vm, m, "__name__", VM_OBJ(m->name));
    if (code->filename)
        vm_module_set(vm, m, "__file__", VM_OBJ(code->filename));
    ObjFunction *fn = vm_function_new(vm, code, m);
    vm_push_root(th, VM_OBJ(fn));
    Value result;
    bool ok = vm_call(th, VM_OBJ(fn), NULL, 0, NULL, &result);
    vm_pop_roots(th, 1);
    return ok;
}

/* threading._shutdown(): wait for the non-daemon threads, if the program
 * used threading at all.  False with th->exception set if it raised. */
static bool shutdown_threads(VmThread *th) {
    VmShared *vm = th->vm;
    Value mod, fn, r;
    if (!vm_dict_get_str(vm->modules, vm_str_intern_cstr(vm, "threading"), &mod))
        return true;
    if (!vm_module_get((ObjModule *)VM_AS_OBJ(mod), vm_str_intern_cstr(vm, "_shutdown"), &fn))
        return true;
    return vm_call(th, fn, NULL, 0, NULL, &r);
}

VmResult vm_run_source(VmThread *th, const char *source, const char *filename) {
    return vm_run_source_n(th, source, strlen(source), filename);
}

VmResult vm_run_source_n(VmThread *th, const char *source, size_t length,
                         const char *filename) {
    VmShared *vm = th->vm;
    VmCompileError err;
    memset(&err, 0, sizeof err);
    ObjCode *code = vm_compile_n(vm, source, length, filename, &err);
    if (!code) {
        fprintf(vm->err, "%s:%d:%d: %s: %s\n", filename, err.line, err.col,
                err.type[0] ? err.type : "SyntaxError", err.message);
        vm->exit_status = 1;
        return VM_COMPILE_ERROR;
    }
    vm_peephole_optimize(code);
    ObjModule *m = module_alloc(vm, "__main__");
    vm->main_module = m;
    vm_dict_set_str(vm, vm->modules, m->name, VM_OBJ(m));
    bool ok = exec_module_code(th, code, m);
    if (!ok) {
        /* As CPython: the traceback of the main thread comes first, then
         * the other threads are waited for. */
        Value exc = th->exception;
        vm_clear_exception(th);
        if (!vm_isinstance(vm, exc, vm->cls.SystemExit)) {
            vm_flush_out(vm);
            vm_print_traceback(th, exc, vm->err);
            /* CPython exits as killed by SIGINT (130) on a KeyboardInterrupt
             * itself, not on a subclass of it. */
            vm->exit_sigint = vm_value_class(vm, exc) == vm->cls.KeyboardInterrupt;
            vm->exit_status = vm->exit_sigint ? 130 : 1;
        } else {
            vm->exit_status = system_exit_status(th, exc);
        }
        shutdown_threads(th);
        return vm->exit_status ? VM_RUNTIME_ERROR : VM_OK;
    }
    if (!shutdown_threads(th)) ok = false;
    if (ok) {
        vm->exit_status = 0;
        return VM_OK;
    }
    Value exc = th->exception;
    vm_clear_exception(th);
    if (vm_isinstance(vm, exc, vm->cls.SystemExit)) {
        vm->exit_status = system_exit_status(th, exc);
        return vm->exit_status ? VM_RUNTIME_ERROR : VM_OK;
    }
    vm_flush_out(vm);
    vm_print_traceback(th, exc, vm->err);
    vm->exit_status = 1;
    return VM_RUNTIME_ERROR;
}

void vm_flush_out(VmShared *vm) {
    if (fflush(vm->out) != 0 && !vm->out_errno) vm->out_errno = errno ? errno : EIO;
}
