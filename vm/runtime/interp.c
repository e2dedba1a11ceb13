/*
 * vm/runtime/interp.c - the bytecode interpreter: frames, argument binding, the
 * dispatch loop, exception unwinding and generators.
 *
 * Implementation notes
 * --------------------
 * - One loop, run(), executes frames until the frame it was entered for
 *   (the "C boundary") returns.  Python-to-Python calls do not recurse in C:
 *   CALL pushes a frame and the same loop continues in it.  C code calling
 *   Python (vm_call from a native, a generator resume, a class body) enters
 *   a new run() and marks its frame as a boundary.
 * - The loop keeps ip and the stack pointer in locals.  Before anything that
 *   can look at the thread state - a call out of the loop, an allocation that
 *   could request a collection, a safe point - it stores them back (SYNC), so
 *   the collector sees every live value on the thread's stack.
 * - Safe points are JUMP_BACK and function entry.  There the loop reads the
 *   eval-breaker word once (a relaxed atomic load) and only if it is non-zero
 *   calls vm__eval_breaker_handle, which runs the collector, lets the GIL
 *   policy hand the lock over, or raises KeyboardInterrupt / MemoryError.
 *   That is the only place the lock is touched from the loop
 *   (CONVENTIONS.md item 6).
 * - Exceptions unwind through the per-code exception table; an exception
 *   leaving a frame appends (code, line) to its traceback.
 * - A generator's frame lives on the thread stack while it runs; YIELD_VALUE
 *   copies its locals and operand stack into the generator object, and a
 *   resume copies them back, so generator frames never hold pointers into
 *   a particular stack position.
 */
#include "vm/runtime/interp.h"

#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <string.h>

#include "vm/object/class.h"
#include "vm/runtime/cstack.h"
#include "vm/object/dict.h"
#include "vm/bytecode/dis.h"
#include "vm/object/format.h"
#include "vm/runtime/gc.h"
#include "vm/gil/gil.h"
#include "vm/object/list.h"
#include "vm/runtime/memory.h"
#include "vm/bytecode/opcodes.h"
#include "vm/object/ops.h"
#include "vm/object/str.h"

/* ---- safe points ------------------------------------------------------ */

bool vm__eval_breaker_handle(VmThread *th) {
    VmShared *vm = th->vm;
    /* --sim: this thread's virtual CPU reached its horizon; let whatever is
     * due in virtual time happen first (it may set bits read below). */
    if (th->vtime_ps >= th->cpu_horizon_ps) vm_platform_checkpoint(&vm->platform);
    uint32_t bits = atomic_load_explicit(&th->eval_breaker, memory_order_acquire);
    if (bits & VM_BREAK_GC) {
        atomic_fetch_and(&th->eval_breaker, ~(uint32_t)VM_BREAK_GC);
        /* Without a GIL other threads may be running: collect only when
         * this is the only thread left (the world is then stopped). */
        bool alone = true;
        if (vm->heap.concurrent) {
            pthread_mutex_lock(&vm->sched_lock);
            alone = vm->live_threads <= 1;
            pthread_mutex_unlock(&vm->sched_lock);
        }
        if (alone) vm_gc_collect(vm);
        if (vm->heap.live_after_gc > vm->heap.max_heap)
            atomic_fetch_or(&th->eval_breaker, VM_BREAK_MEMORY);
    }
    bits = atomic_load_explicit(&th->eval_breaker, memory_order_acquire);
    if (bits & VM_BREAK_MEMORY) {
        atomic_fetch_and(&th->eval_breaker, ~(uint32_t)VM_BREAK_MEMORY);
        return vm_raise(th, vm->cls.MemoryError, "%s", "");
    }
    if (bits & VM_BREAK_SIGNAL) {
        atomic_fetch_and(&th->eval_breaker, ~(uint32_t)VM_BREAK_SIGNAL);
        return vm_raise(th, vm->cls.KeyboardInterrupt, "%s", "");
    }
    if (bits & VM_BREAK_GIL_DROP) {
        atomic_fetch_and(&th->eval_breaker, ~(uint32_t)VM_BREAK_GIL_DROP);
        vm_gil_yield(th);
    }
#if GILT_STRESS_GC
    atomic_fetch_or(&th->eval_breaker, VM_BREAK_GC);
#endif
    return true;
}

/* ---- argument binding ------------------------------------------------- */

static const char *fn_name(ObjFunction *fn) {
    return fn->qualname ? fn->qualname->chars : fn->code->name->chars;
}

/* "'a', 'b' and 'c'" in CPython's wording for missing arguments. */
static bool raise_missing(VmThread *th, ObjFunction *fn, ObjCode *code,
                          Value *bound, int from, int to, const char *kind) {
    char names[512];
    size_t len = 0;
    int missing = 0, total = 0;
    for (int i = from; i < to; i++)
        if (VM_IS_UNDEF(bound[i])) total++;
    names[0] = '\0';
    for (int i = from; i < to; i++) {
        if (!VM_IS_UNDEF(bound[i])) continue;
        missing++;
        const char *sep = "";
        if (missing > 1) sep = (missing == total) ? (total > 2 ? ", and " : " and ") : ", ";
        int n = snprintf(names + len, sizeof names - len, "%s'%s'", sep,
                         VM_AS_STR(code->varnames->items[i])->chars);
        if (n > 0 && (size_t)n < sizeof names - len) len += (size_t)n;
    }
    return vm_raise(th, th->vm->cls.TypeError,
                    "%s() missing %d required %s argument%s: %s", fn_name(fn),
                    total, kind, total == 1 ? "" : "s", names);
}

/* Bind args (nargs positionals, then one value per kwnames entry, all in
 * place at `args` on the thread stack) into the parameter slots starting at
 * `args`.  Uses the stack above the arguments as scratch. */
static bool bind_arguments(VmThread *th, ObjFunction *fn, Value *args,
                           int nargs, ObjTuple *kwnames) {
    VmShared *vm = th->vm;
    ObjCode *code = fn->code;
    int nkw = kwnames ? (int)kwnames->count : 0;
    int npos_params = code->nargs;
    int nnamed = code->nargs + code->nkwonly;
    bool varargs = code->flags & CODE_VARARGS;
    bool varkw = code->flags & CODE_VARKW;
    int nparams = nnamed + varargs + varkw;

    if (nkw == 0 && nargs == npos_params && !varargs && !varkw &&
        code->nkwonly == 0)
        return true; /* the common case: nothing to do */

    Value *bound = args + nargs + nkw;
    if (bound + nparams + 1 > th->stack_limit)
        return vm_raise(th, vm->cls.RecursionError,
                        "maximum recursion depth exceeded");
    for (int i = 0; i < nparams; i++) bound[i] = VM_UNDEF;

    int ncopy = nargs < npos_params ? nargs : npos_params;
    for (int i = 0; i < ncopy; i++) bound[i] = args[i];
    if (nargs > npos_params) {
        if (!varargs) {
            int ndef = fn->defaults ? (int)fn->defaults->count : 0;
            int given_kwonly = 0;
            if (ndef)
                return vm_raise(th, vm->cls.TypeError,
                                "%s() takes from %d to %d positional arguments "
                                "but %d were given",
                                fn_name(fn), npos_params - ndef, npos_params,
                                nargs);
            (void)given_kwonly;
            return vm_raise(th, vm->cls.TypeError,
                            "%s() takes %d positional argument%s but %d %s given",
                            fn_name(fn), npos_params, npos_params == 1 ? "" : "s",
                            nargs, nargs == 1 ? "was" : "were");
        }
        bound[nnamed] = VM_OBJ(vm_tuple_from(vm, args + npos_params,
                                             nargs - npos_params));
    } else if (varargs) {
        bound[nnamed] = VM_OBJ(vm_tuple_new(vm, 0));
    }
    ObjDict *kwdict = NULL;
    if (varkw) {
        kwdict = vm_dict_new(vm);
        bound[nnamed + varargs] = VM_OBJ(kwdict);
    }
    for (int j = 0; j < nkw; j++) {
        ObjStr *name = VM_AS_STR(kwnames->items[j]);
        int found = -1;
        for (int i = 0; i < nnamed; i++) {
            ObjStr *p = VM_AS_STR(code->varnames->items[i]);
            if (p == name || vm_str_equal(p, name)) {
                found = i;
                break;
            }
        }
        if (found >= 0) {
            if (!VM_IS_UNDEF(bound[found]))
                return vm_raise(th, vm->cls.TypeError,
                                "%s() got multiple values for argument '%s'",
                                fn_name(fn), name->chars);
            bound[found] = args[nargs + j];
        } else if (kwdict) {
            vm_dict_set_str(vm, kwdict, name, args[nargs + j]);
        } else {
            return vm_raise(th, vm->cls.TypeError,
                            "%s() got an unexpected keyword argument '%s'",
                            fn_name(fn), name->chars);
        }
    }
    if (fn->defaults) {
        int ndef = (int)fn->defaults->count;
        for (int i = npos_params - ndef; i < npos_params; i++)
            if (i >= 0 && VM_IS_UNDEF(bound[i]))
                bound[i] = fn->defaults->items[i - (npos_params - ndef)];
    }
    for (int i = 0; i < npos_params; i++)
        if (VM_IS_UNDEF(bound[i]))
            return raise_missing(th, fn, code, bound, 0, npos_params,
                                 "positional");
    for (int i = npos_params; i < nnamed; i++) {
        if (VM_IS_UNDEF(bound[i]) && fn->kwdefaults) {
            Value d;
            if (vm_dict_get_str(fn->kwdefaults,
                                VM_AS_STR(code->varnames->items[i]), &d))
                bound[i] = d;
        }
    }
    for (int i = npos_params; i < nnamed; i++)
        if (VM_IS_UNDEF(bound[i]))
            return raise_missing(th, fn, code, bound, npos_params, nnamed,
                                 "keyword-only");
    safe_memmove(args, bound, sizeof(Value) * (size_t)nparams);
    return true;
}

/* Lay out a new frame for fn whose arguments are at `args`, and push it.
 * For generator functions, returns the generator in *gen_out instead and
 * pushes nothing. */
static bool push_frame(VmThread *th, ObjFunction *fn, Value *args, int nargs,
                       ObjTuple *kwnames, Value *ret_slot, bool boundary,
                       Value *gen_out) {
    VmShared *vm = th->vm;
    ObjCode *code = fn->code;
    if (th->frame_count >= vm->options.recursion_limit ||
        th->frame_count >= th->frame_capacity ||
        args + code->nlocals + code->max_stack + 64 > th->stack_limit)
        return vm_raise(th, vm->cls.RecursionError,
                        "maximum recursion depth exceeded");
    if (!bind_arguments(th, fn, args, nargs, kwnames)) return false;
    int nparams = code->nargs + code->nkwonly +
                  ((code->flags & CODE_VARARGS) ? 1 : 0) +
                  ((code->flags & CODE_VARKW) ? 1 : 0);
    for (int i = nparams; i < code->nlocals; i++) args[i] = VM_UNDEF;
    if (code->nfree) {
        int first = code->nlocals - code->nfree;
        for (int i = 0; i < code->nfree; i++)
            args[first + i] = fn->closure ? fn->closure->items[i] : VM_UNDEF;
    }
    if (code->flags & CODE_GENERATOR) {
        ObjGenerator *g = (ObjGenerator *)vm_obj_alloc(
            vm, sizeof(ObjGenerator), OBJ_GENERATOR, vm->cls.generator);
        g->func = fn;
        g->name = code->name;
        g->state = GEN_CREATED;
        g->saved_capacity = code->nlocals + code->max_stack + 1;
        g->saved = VM_ALLOCATE(&vm->heap, Value, g->saved_capacity);
        safe_memcpy(g->saved, args, sizeof(Value) * (size_t)code->nlocals);
        g->saved_count = code->nlocals;
        g->resume_pc = 0;
        *gen_out = VM_OBJ(g);
        return true;
    }
    VmFrame *f = &th->frames[th->frame_count++];
    f->func = fn;
    f->code = code;
    f->ip = code->code;
    f->slots = args;
    f->ns = NULL;
    f->gen = NULL;
    f->ret_slot = ret_slot;
    f->c_boundary = boundary;
    f->serial = ++th->frame_serial;
    th->stack_top = args + code->nlocals;
    *gen_out = VM_UNDEF;
    return true;
}

static bool run(VmThread *th, Value *result);

/* Enter run() for a frame just pushed as a boundary. */
static bool run_boundary(VmThread *th, Value *result) {
    if (!vm_enter_recursive_call(th, "")) {
        th->frame_count--;
        return false;
    }
    bool ok = run(th, result);
    vm_leave_recursive_call(th);
    return ok;
}

bool vm__run_function(VmThread *th, ObjFunction *fn, Value *args, int nargs,
                      ObjTuple *kwnames, Value *result) {
    int nkw = kwnames ? (int)kwnames->count : 0;
    Value *base = th->stack_top;
    if (base + nargs + nkw + fn->code->nlocals + 64 > th->stack_limit)
        return vm_raise(th, th->vm->cls.RecursionError,
                        "maximum recursion depth exceeded");
    if (args != base && nargs + nkw > 0)
        safe_memmove(base, args, sizeof(Value) * (size_t)(nargs + nkw));
    th->stack_top = base + nargs + nkw;
    Value gen;
    if (!push_frame(th, fn, base, nargs, kwnames, base, true, &gen)) {
        th->stack_top = base;
        return false;
    }
    if (!VM_IS_UNDEF(gen)) {
        th->stack_top = base;
        *result = gen;
        return true;
    }
    bool ok = run_boundary(th, result);
    th->stack_top = base;
    return ok;
}

bool vm__run_class_body(VmThread *th, ObjFunction *body, ObjDict *ns,
                        Value *result) {
    Value *base = th->stack_top;
    Value gen;
    if (!push_frame(th, body, base, 0, NULL, base, true, &gen)) return false;
    th->frames[th->frame_count - 1].ns = ns;
    bool ok = run_boundary(th, result);
    th->stack_top = base;
    return ok;
}

int vm__generator_send(VmThread *th, ObjGenerator *gen, Value sent,
                       Value *out) {
    VmShared *vm = th->vm;
    if (gen->state == GEN_CLOSED) return 0;
    if (gen->state == GEN_RUNNING) {
        vm_raise(th, vm->cls.ValueError, "generator already executing");
        return -1;
    }
    ObjCode *code = gen->func->code;
    Value *base = th->stack_top;
    if (th->frame_count >= th->frame_capacity ||
        th->frame_count >= vm->options.recursion_limit ||
        base + gen->saved_count + code->max_stack + 64 > th->stack_limit) {
        vm_raise(th, vm->cls.RecursionError, "maximum recursion depth exceeded");
        return -1;
    }
    safe_memcpy(base, gen->saved, sizeof(Value) * (size_t)gen->saved_count);
    Value *sp = base + gen->saved_count;
    if (gen->state == GEN_SUSPENDED) *sp++ = sent;
    VmFrame *f = &th->frames[th->frame_count++];
    f->func = gen->func;
    f->code = code;
    f->ip = code->code + gen->resume_pc;
    f->slots = base;
    f->ns = NULL;
    f->gen = gen;
    f->ret_slot = base;
    f->c_boundary = true;
    f->serial = ++th->frame_serial;
    th->stack_top = sp;
    gen->state = GEN_RUNNING;
    Value r;
    bool ok = run_boundary(th, &r);
    th->stack_top = base;
    if (!ok) {
        gen->state = GEN_CLOSED;
        return -1;
    }
    if (gen->state == GEN_SUSPENDED) {
        *out = r;
        return 1;
    }
    gen->state = GEN_CLOSED;
    gen->return_value = r;
    return 0;
}

/* ---- calls from the loop ---------------------------------------------- */

enum { CALL_ERROR = -1, CALL_DONE = 0, CALL_PUSHED = 1 };

/* Call f with args at `args` (on the stack, th->stack_top just past them).
 * `args[-1]` may be overwritten (it is the callee's own slot), which is how
 * a bound method's self is inserted without copying.  Returns CALL_PUSHED
 * when a Python frame was pushed for the loop to continue in. */
static int call_value(VmThread *th, Value f, Value *args, int nargs,
                      ObjTuple *kwnames, Value *ret) {
    VmShared *vm = th->vm;
    for (;;) {
        if (f.type != VAL_OBJ) break;
        switch (f.as.o->kind) {
        case OBJ_FUNCTION: {
            Value gen;
            if (!push_frame(th, VM_AS_FUNCTION(f), args, nargs, kwnames, ret,
                            false, &gen))
                return CALL_ERROR;
            if (!VM_IS_UNDEF(gen)) {
                *ret = gen;
                return CALL_DONE;
            }
            return CALL_PUSHED;
        }
        case OBJ_NATIVE: {
            Value r;
            if (!VM_AS_NATIVE(f)->fn(th, args, nargs, kwnames, &r))
                return CALL_ERROR;
            *ret = r;
            return CALL_DONE;
        }
        case OBJ_BOUND_METHOD: {
            if (f.as.o->cls != vm->cls.method) break; /* super objects */
            ObjBoundMethod *bm = (ObjBoundMethod *)VM_AS_OBJ(f);
            args[-1] = bm->self;
            f = bm->callable;
            args--;
            nargs++;
            continue;
        }
        case OBJ_CLASS: {
            Value r;
            if (!vm__class_instantiate(th, VM_AS_CLASS(f), args, nargs,
                                       kwnames, &r))
                return CALL_ERROR;
            *ret = r;
            return CALL_DONE;
        }
        default: break;
        }
        break;
    }
    Value r;
    if (!vm_call(th, f, args, nargs, kwnames, &r)) return CALL_ERROR;
    *ret = r;
    return CALL_DONE;
}

/* ---- helpers for individual instructions ------------------------------ */

static bool raise_name_error(VmThread *th, ObjStr *name) {
    return vm_raise(th, th->vm->cls.NameError, "name '%s' is not defined",
                    name->chars);
}

static bool raise_unbound_local(VmThread *th, ObjCode *code, uint32_t slot) {
    return vm_raise(th, th->vm->cls.UnboundLocalError,
                    "cannot access local variable '%s' where it is not "
                    "associated with a value",
                    VM_AS_STR(code->varnames->items[slot])->chars);
}

static bool raise_free_unbound(VmThread *th, ObjCode *code, uint32_t slot) {
    return vm_raise(th, th->vm->cls.NameError,
                    "cannot access free variable '%s' where it is not "
                    "associated with a value in enclosing scope",
                    VM_AS_STR(code->varnames->items[slot])->chars);
}

static bool load_global(VmThread *th, ObjModule *m, ObjCode *code,
                        uint32_t slot, Value *out) {
    Value v = slot < (uint32_t)m->values.count ? m->values.values[slot] : VM_UNDEF;
    if (!VM_IS_UNDEF(v)) {
        *out = v;
        return true;
    }
    ObjStr *name = VM_AS_STR(code->globals->items[slot]);
    if (vm_dict_get_str(th->vm->builtins, name, out)) return true;
    return raise_name_error(th, name);
}

static bool load_name(VmThread *th, VmFrame *f, ObjStr *name, Value *out) {
    if (f->ns && vm_dict_get_str(f->ns, name, out)) return true;
    if (vm_module_get(f->func->module, name, out)) return true;
    if (vm_dict_get_str(th->vm->builtins, name, out)) return true;
    return raise_name_error(th, name);
}

/* `except type:` -- a class or a flat tuple of classes, as in CPython (a
 * nested tuple is refused, so matching never recurses). */
static bool check_exc_match(VmThread *th, Value exc, Value type, bool *out) {
    VmShared *vm = th->vm;
    int64_t n = VM_IS_TUPLE(type) ? VM_AS_TUPLE(type)->count : 1;
    *out = false;
    for (int64_t i = 0; i < n; i++) {
        Value t = VM_IS_TUPLE(type) ? VM_AS_TUPLE(type)->items[i] : type;
        if (!VM_IS_CLASS(t) ||
            !vm_is_subclass(VM_AS_CLASS(t), vm->cls.BaseException))
            return vm_raise(th, vm->cls.TypeError,
                            "catching classes that do not inherit from "
                            "BaseException is not allowed");
        if (vm_isinstance(vm, exc, VM_AS_CLASS(t))) *out = true;
    }
    return true;
}

static bool unpack_sequence(VmThread *th, Value seq, int n, Value *dest) {
    VmShared *vm = th->vm;
    /* dest[n-1] gets the first item so it ends on top of the stack. */
    if (VM_IS_TUPLE(seq) || VM_IS_LIST(seq)) {
        int64_t count = VM_IS_TUPLE(seq) ? VM_AS_TUPLE(seq)->count
                                         : VM_AS_LIST(seq)->count;
        Value *items = VM_IS_TUPLE(seq) ? VM_AS_TUPLE(seq)->items
                                        : VM_AS_LIST(seq)->items;
        if (count != n) {
            if (count > n)
                return vm_raise(th, vm->cls.ValueError,
                                "too many values to unpack (expected %d)", n);
            return vm_raise(th, vm->cls.ValueError,
                            "not enough values to unpack (expected %d, got %d)",
                            n, (int)count);
        }
        for (int i = 0; i < n; i++) dest[n - 1 - i] = items[i];
        return true;
    }
    ObjList *tmp;
    if (!vm_list_from_iterable(th, seq, &tmp)) {
        if (vm_exception_matches(th, vm->cls.TypeError) &&
            !vm_is_kind(seq, OBJ_INSTANCE)) {
            return vm_raise(th, vm->cls.TypeError,
                            "cannot unpack non-iterable %s object",
                            vm_value_type_name(vm, seq));
        }
        return false;
    }
    return unpack_sequence(th, VM_OBJ(tmp), n, dest);
}

/* a, *b, c = seq: `before` names before the star, `after` after it. */
static bool unpack_ex(VmThread *th, Value seq, int before, int after,
                      Value *dest) {
    VmShared *vm = th->vm;
    ObjList *all;
    if (!vm_list_from_iterable(th, seq, &all)) {
        if (vm_exception_matches(th, vm->cls.TypeError))
            return vm_raise(th, vm->cls.TypeError,
                            "cannot unpack non-iterable %s object",
                            vm_value_type_name(vm, seq));
        return false;
    }
    if (all->count < before + after)
        return vm_raise(th, vm->cls.ValueError,
                        "not enough values to unpack (expected at least %d, "
                        "got %d)",
                        before + after, (int)all->count);
    int total = before + 1 + after;
    int64_t mid = all->count - before - after;
    /* Order on the stack, top first: item0 .. item(before-1), the middle
     * list, then the `after` items. */
    for (int i = 0; i < before; i++) dest[total - 1 - i] = all->items[i];
    ObjList *middle = vm_list_from(vm, mid ? all->items + before : NULL, mid);
    dest[total - 1 - before] = VM_OBJ(middle);
    for (int i = 0; i < after; i++)
        dest[after - 1 - i] = all->items[before + mid + i];
    return true;
}

static bool build_string(VmThread *th, Value *items, int n, Value *out) {
    StrBuf b;
    vm_strbuf_init(&b);
    for (int i = 0; i < n; i++) vm_strbuf_append_str(&b, VM_AS_STR(items[i]));
    *out = VM_OBJ(vm_strbuf_finish(th->vm, &b));
    return true;
}

static bool format_value(VmThread *th, Value v, uint32_t flags, Value spec,
                         Value *out) {
    ObjStr *s;
    switch (flags & 3) {
    case 1:
        if (!vm_repr(th, v, &s)) return false;
        v = VM_OBJ(s);
        break;
    case 2: {
        if (!vm_repr(th, v, &s)) return false;
        /* ascii(): escape everything outside ASCII as \x, \u or \U. */
        StrBuf b;
        vm_strbuf_init(&b);
        const char *p = s->chars;
        while (*p) {
            uint32_t cp;
            int n = vm_utf8_decode(p, &cp);
            if (cp < 0x80)
                vm_strbuf_append_char(&b, (char)cp);
            else if (cp < 0x100)
                vm_strbuf_printf(&b, "\\x%02x", cp);
            else if (cp < 0x10000)
                vm_strbuf_printf(&b, "\\u%04x", cp);
            else
                vm_strbuf_printf(&b, "\\U%08x", cp);
            p += n;
        }
        v = VM_OBJ(vm_strbuf_finish(th->vm, &b));
        break;
    }
    default: break;
    }
    if (!(flags & 4) && VM_IS_STR(v)) {
        *out = v;
        return true;
    }
    ObjStr *sp = (flags & 4) ? VM_AS_STR(spec) : vm_str_intern_cstr(th->vm, "");
    if (!vm_format_value(th, v, sp, &s)) return false;
    *out = VM_OBJ(s);
    return true;
}

static bool make_function(VmThread *th, VmFrame *f, uint32_t flags,
                          Value *items, Value *out) {
    VmShared *vm = th->vm;
    int i = 0;
    ObjTuple *defaults = NULL, *closure = NULL;
    ObjDict *kwdefaults = NULL;
    if (flags & 1) defaults = VM_AS_TUPLE(items[i++]);
    if (flags & 2) kwdefaults = VM_AS_DICT(items[i++]);
    if (flags & 4) closure = VM_AS_TUPLE(items[i++]);
    ObjCode *code = VM_AS_CODE(items[i]);
    ObjFunction *fn = vm_function_new(vm, code, f->func->module);
    fn->defaults = defaults && defaults->count ? defaults : NULL;
    fn->kwdefaults = kwdefaults;
    fn->closure = closure;
    *out = VM_OBJ(fn);
    return true;
}

static bool call_ex(VmThread *th, Value *base, bool has_kw, int *outcome) {
    VmShared *vm = th->vm;
    Value f = base[0];
    Value posv = base[1];
    Value kwv = has_kw ? base[2] : VM_UNDEF;
    ObjTuple *pos;
    if (VM_IS_TUPLE(posv)) {
        pos = VM_AS_TUPLE(posv);
    } else if (!vm_tuple_from_iterable(th, posv, &pos)) {
        return false;
    }
    int npos = (int)pos->count;
    int nkw = 0;
    ObjTuple *kwnames = NULL;
    ObjDict *kw = NULL;
    if (has_kw) {
        if (!VM_IS_DICT(kwv))
            return vm_raise(th, vm->cls.TypeError,
                            "argument after ** must be a mapping, not %s",
                            vm_value_type_name(vm, kwv));
        kw = VM_AS_DICT(kwv);
        nkw = (int)kw->count;
    }
    Value *args = base + 1;
    if (args + npos + nkw + 1 > th->stack_limit)
        return vm_raise(th, vm->cls.RecursionError,
                        "maximum recursion depth exceeded");
    /* Keep the tuple and dict rooted above the arguments while copying. */
    Value *keep = args + npos + nkw;
    keep[0] = VM_OBJ(pos);
    keep[1] = has_kw ? kwv : VM_NONE;
    if (nkw) {
        kwnames = vm_tuple_new(vm, nkw);
        int64_t p = 0;
        Value k, v;
        int j = 0;
        while (vm_dict_next(kw, &p, &k, &v)) {
            if (!VM_IS_STR(k))
                return vm_raise(th, vm->cls.TypeError, "keywords must be strings");
            kwnames->items[j] = k;
            args[npos + j] = v;
            j++;
        }
    }
    for (int i = 0; i < npos; i++) args[i] = pos->items[i];
    th->stack_top = args + npos + nkw;
    *outcome = call_value(th, f, args, npos, kwnames, base);
    return *outcome != CALL_ERROR;
}

static bool import_from(VmThread *th, Value module, ObjStr *name, Value *out) {
    if (vm_is_kind(module, OBJ_MODULE) &&
        vm_module_get((ObjModule *)VM_AS_OBJ(module), name, out))
        return true;
    int r = vm_getattr_opt(th, module, name, out);
    if (r == 1) return true;
    if (r < 0) return false;
    ObjStr *mname = vm_is_kind(module, OBJ_MODULE)
                        ? ((ObjModule *)VM_AS_OBJ(module))->name
                        : vm_str_intern_cstr(th->vm, "?");
    return vm_raise(th, th->vm->cls.ImportError,
                    "cannot import name '%s' from '%s' (unknown location)",
                    name->chars, mname->chars);
}

/* "__main__.f()" / "print()" as CPython names a callee in call errors. */
static void describe_callee(Value f, char *buf, size_t size) {
    if (vm_is_kind(f, OBJ_BOUND_METHOD)) f = ((ObjBoundMethod *)VM_AS_OBJ(f))->callable;
    if (VM_IS_FUNCTION(f)) {
        ObjFunction *fn = VM_AS_FUNCTION(f);
        snprintf(buf, size, "%s.%s()", fn->module->name->chars,
                 (fn->qualname ? fn->qualname : fn->name)->chars);
    } else if (VM_IS_NATIVE(f)) {
        snprintf(buf, size, "%s()", VM_AS_NATIVE(f)->name->chars);
    } else if (VM_IS_CLASS(f)) {
        snprintf(buf, size, "%s()", VM_AS_CLASS(f)->name->chars);
    } else {
        snprintf(buf, size, "function");
    }
}

static bool with_exit(VmThread *th, Value exit_fn, Value v, bool *suppress) {
    VmShared *vm = th->vm;
    Value args[3];
    if (VM_IS_NONE(v)) {
        args[0] = args[1] = args[2] = VM_NONE;
    } else {
        args[0] = VM_OBJ(vm_value_class(vm, v));
        args[1] = v;
        args[2] = VM_NONE;
    }
    Value *base = th->stack_top;
    for (int i = 0; i < 3; i++) base[i] = args[i];
    th->stack_top += 3;
    Value r;
    bool ok = vm_call(th, exit_fn, base, 3, NULL, &r);
    th->stack_top = base;
    if (!ok) return false;
    if (VM_IS_NONE(v)) {
        *suppress = false;
        return true;
    }
    int t = vm_truthy(th, r);
    if (t < 0) return false;
    *suppress = t;
    return true;
}

static bool before_with(VmThread *th, Value mgr, Value *exit_out,
                        Value *enter_out) {
    VmShared *vm = th->vm;
    Value enter;
    int r = vm_getattr_opt(th, mgr, vm->names.enter, &enter);
    if (r < 0) return false;
    if (r == 0)
        return vm_raise(th, vm->cls.TypeError,
                        "'%s' object does not support the context manager "
                        "protocol",
                        vm_value_type_name(vm, mgr));
    r = vm_getattr_opt(th, mgr, vm->names.exit, exit_out);
    if (r < 0) return false;
    if (r == 0)
        return vm_raise(th, vm->cls.TypeError,
                        "'%s' object does not support the context manager "
                        "protocol (missed __exit__ method)",
                        vm_value_type_name(vm, mgr));
    Value *base = th->stack_top;
    *base = *exit_out;
    th->stack_top++;
    bool ok = vm_call(th, enter, NULL, 0, NULL, enter_out);
    th->stack_top = base;
    return ok;
}

/* --trace-exec: "FILE:LINE [THREAD] FUNCTION: INDEX OPNAME ARG (MEANING)"
 * on stderr, one whole line per instruction (threads may trace at once
 * under --gil none).  The frames of the built-in Python modules
 * (threading, queue: files "<gilt:NAME>") are the VM's own and left out
 * unless --trace-exec=all: they would be most of a threaded program's
 * trace. */
static void trace_instruction(VmThread *th, VmFrame *f, uint32_t *ip) {
    ObjCode *code = f->code;
    const char *file = code->filename ? code->filename->chars : "?";
    if (!th->vm->options.trace_exec_all && strncmp(file, "<gilt:", 6) == 0) return;
    int32_t index = (int32_t)(ip - code->code);
    const char *func = code->qualname ? code->qualname->chars
                       : code->name   ? code->name->chars
                                      : "?";
    FILE *out = th->vm->err;
    flockfile(out);
    fprintf(out, "%s:%d [%s] %s: ", file, code->lines ? code->lines[index] : 0, th->name, func);
    vm_dis_operation(out, code, index);
    funlockfile(out);
}

/* Iterator over a range made by GET_ITER; FOR_ITER inlines it. */
static int range_iter_next(VmThread *th, ObjIterator *it, Value *out) {
    (void)th;
    int64_t i = it->index;
    if (it->step > 0 ? i < it->end : i > it->end) {
        it->index = i + it->step;
        *out = VM_INT(i);
        return 1;
    }
    return 0;
}

/* ---- the loop --------------------------------------------------------- */

/* Instructions that take no tick in the ticked loops: the few that
 * CPython 2's loop ran without looking at _Py_Ticker (its `goto
 * fast_next_opcode`: constants, local loads and stores, stack shuffles,
 * forward jumps), and the superinstructions that stand for a local load.
 * Every other instruction ticks. */
static const uint8_t vm__op_no_tick[OP__COUNT] = {
    [OP_NOP] = 1, [OP_LOAD_CONST] = 1, [OP_LOAD_NONE] = 1, [OP_LOAD_TRUE] = 1,
    [OP_LOAD_FALSE] = 1, [OP_LOAD_SMALL_INT] = 1, [OP_LOAD_FAST] = 1,
    [OP_STORE_FAST] = 1, [OP_POP_TOP] = 1, [OP_DUP_TOP] = 1, [OP_DUP_TOP_TWO] = 1,
    [OP_ROT_TWO] = 1, [OP_ROT_THREE] = 1, [OP_ROT_FOUR] = 1, [OP_JUMP] = 1,
    [OP_FAST_IMM_ARITH_STORE] = 1, [OP_FAST_IMM_ARITH] = 1,
    [OP_FAST_IMM_COMPARE_JUMP] = 1,
};

/* A ticked loop stopped between two instructions: the policy's countdown
 * ran out (a legacy check), or the thread reached its simulator horizon. */
static bool vm__tick_point(VmThread *th) {
    if (th->vm->gil_ticks <= 0) {
        /* The policy re-arms the countdown at its check. */
        th->vm->gil_ticks = INT_MAX;
        atomic_fetch_or(&th->eval_breaker, VM_BREAK_GIL_DROP);
    }
    bool ok = vm__eval_breaker_handle(th);
#if GILT_STRESS_SWITCH
    /* And again before the next instruction: the one stopped at counts
     * one tick when it is dispatched again, the next one the second. */
    th->vm->gil_ticks = 2;
#endif
    return ok;
}

#define RUN_FN run_plain
#define RUN_COSTED 0
#define RUN_TICKED 0
#include "vm/runtime/interp_loop.h"
#undef RUN_FN
#undef RUN_COSTED
#undef RUN_TICKED

#define RUN_FN run_costed
#define RUN_COSTED 1
#define RUN_TICKED 0
#include "vm/runtime/interp_loop.h"
#undef RUN_FN
#undef RUN_COSTED
#undef RUN_TICKED

#define RUN_FN run_ticked
#define RUN_COSTED 0
#define RUN_TICKED 1
#include "vm/runtime/interp_loop.h"
#undef RUN_FN
#undef RUN_COSTED
#undef RUN_TICKED

#define RUN_FN run_costed_ticked
#define RUN_COSTED 1
#define RUN_TICKED 1
#include "vm/runtime/interp_loop.h"
#undef RUN_FN
#undef RUN_COSTED
#undef RUN_TICKED

/* One loop of the four: the choice is made per entry, and a thread's
 * frames all run under the same VM, so it never changes mid-run.  A
 * policy that switches at any instruction (legacy) needs the ticked loop;
 * one whose threads run at once (none) needs it only when the costed loop
 * decides when threads interleave (virtual time). */
static bool run(VmThread *th, Value *result) {
    VmShared *vm = th->vm;
    GilSwitchPoints sp = vm->gil_ops ? vm->gil_ops->switch_points : GIL_SWITCH_AT_SAFE_POINTS;
    bool ticked = GILT_STRESS_SWITCH || sp == GIL_SWITCH_AT_INSTRUCTIONS ||
                  (sp == GIL_SWITCH_ANYWHERE && vm->charge_costs);
    if (vm->charge_costs) return ticked ? run_costed_ticked(th, result) : run_costed(th, result);
    return ticked ? run_ticked(th, result) : run_plain(th, result);
}
