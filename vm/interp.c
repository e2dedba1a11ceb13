/*
 * vm/interp.c - the bytecode interpreter: frames, argument binding, the
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
#include "vm/interp.h"

#include <inttypes.h>
#include <signal.h>
#include <string.h>

#include "vm/class.h"
#include "vm/dict.h"
#include "vm/dis.h"
#include "vm/format.h"
#include "vm/gc.h"
#include "vm/gil.h"
#include "sim/sched.h"
#include "vm/list.h"
#include "vm/memory.h"
#include "vm/opcodes.h"
#include "vm/ops.h"
#include "vm/str.h"

/* ---- safe points ------------------------------------------------------ */

bool vm__eval_breaker_handle(VmThread *th) {
    VmShared *vm = th->vm;
    /* --sim: this thread's virtual CPU reached its horizon; let whatever is
     * due in virtual time happen first (it may set bits read below). */
    if (vm->sim && th->vtime_ps >= th->sim_horizon_ps) sim_checkpoint(vm->sim);
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
#if GILT_STRESS_SWITCH
    atomic_fetch_or(&th->eval_breaker, VM_BREAK_GIL_DROP);
#endif
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
    if (th->c_depth >= GILT_C_RECURSION_LIMIT) {
        th->frame_count--;
        return vm_raise(th, th->vm->cls.RecursionError,
                        "maximum recursion depth exceeded");
    }
    th->c_depth++;
    bool ok = run(th, result);
    th->c_depth--;
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

static bool check_exc_match(VmThread *th, Value exc, Value type, bool *out) {
    VmShared *vm = th->vm;
    if (VM_IS_TUPLE(type)) {
        ObjTuple *t = VM_AS_TUPLE(type);
        for (int64_t i = 0; i < t->count; i++) {
            if (!check_exc_match(th, exc, t->items[i], out)) return false;
            if (*out) return true;
        }
        *out = false;
        return true;
    }
    if (!VM_IS_CLASS(type) ||
        !vm_is_subclass(VM_AS_CLASS(type), vm->cls.BaseException))
        return vm_raise(th, vm->cls.TypeError,
                        "catching classes that do not inherit from "
                        "BaseException is not allowed");
    *out = vm_isinstance(vm, exc, VM_AS_CLASS(type));
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
    ObjList *middle = vm_list_from(vm, all->items + before, mid);
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

static void trace_instruction(VmThread *th, VmFrame *f, uint32_t *ip) {
    FILE *out = th->vm->err;
    fprintf(out, "[%s] ", f->code->name ? f->code->name->chars : "?");
    vm_dis_instruction(out, f->code, (int32_t)(ip - f->code->code));
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

static bool run(VmThread *th, Value *result) {
    VmShared *vm = th->vm;
    VmFrame *frame;
    ObjCode *code;
    uint32_t *ip;
    Value *slots;
    Value *sp;
    uint32_t word, arg;

    /* Instructions executed since the last SYNC: a register increment per
     * instruction, folded into th->bytecodes whenever state is stored. */
    uint64_t executed = 0;
    /* Their virtual cost in picoseconds (zero in real mode), folded into
     * th->vtime_ps the same way. */
    uint64_t vcost = 0;
    const uint32_t *const op_cost = vm->op_cost_ps;
#define SYNC()                                                                \
    (frame->ip = ip, th->stack_top = sp, th->bytecodes += executed,          \
     executed = 0, th->vtime_ps += vcost, vcost = 0)
#define LOAD_FRAME()                                                          \
    do {                                                                      \
        frame = &th->frames[th->frame_count - 1];                             \
        code = frame->code;                                                   \
        ip = frame->ip;                                                       \
        slots = frame->slots;                                                 \
    } while (0)
#define PUSH(v) (*sp++ = (v))
#define POP() (*--sp)
#define PEEK(n) (sp[-1 - (n)])
#define THROW() goto unwind
#define CHECK(expr)                                                           \
    do {                                                                      \
        if (!(expr)) THROW();                                                 \
    } while (0)
    /* The horizon test costs nothing in real mode beyond a compare that is
     * never true (sim_horizon_ps is UINT64_MAX there). */
#define SAFE_POINT()                                                          \
    do {                                                                      \
        if (atomic_load_explicit(&th->eval_breaker, memory_order_relaxed) ||  \
            __builtin_expect(th->vtime_ps + vcost >= th->sim_horizon_ps, 0)) { \
            SYNC();                                                           \
            CHECK(vm__eval_breaker_handle(th));                               \
        }                                                                     \
    } while (0)

#if GILT_COMPUTED_GOTO
    static void *const dispatch_table[OP__COUNT] = {
#define OP(name, fmt, effect) &&L_##name,
#include "vm/opcodes.def"
#undef OP
    };
    const bool tracing = vm->options.trace_exec;
#define TARGET(name) L_##name:
#define DISPATCH()                                                            \
    do {                                                                      \
        word = *ip++;                                                         \
        arg = VM_INSTR_ARG(word);                                             \
        executed++;                                                           \
        vcost += op_cost[VM_INSTR_OP(word)];                                  \
        if (__builtin_expect(tracing, 0)) {                                   \
            SYNC();                                                           \
            trace_instruction(th, frame, ip - 1);                             \
        }                                                                     \
        goto *dispatch_table[VM_INSTR_OP(word)];                              \
    } while (0)
#else
    const bool tracing = vm->options.trace_exec;
#define TARGET(name) case OP_##name:
#define DISPATCH() goto next_instruction
#endif

    LOAD_FRAME();
    sp = th->stack_top;
    SAFE_POINT();

#if GILT_COMPUTED_GOTO
    DISPATCH();
#else
next_instruction:
    word = *ip++;
    arg = VM_INSTR_ARG(word);
    executed++;
    vcost += op_cost[VM_INSTR_OP(word)];
    if (tracing) {
        SYNC();
        trace_instruction(th, frame, ip - 1);
    }
    switch (VM_INSTR_OP(word)) {
#endif

    TARGET(NOP) { DISPATCH(); }
    TARGET(LOAD_CONST) {
        PUSH(code->consts.values[arg]);
        DISPATCH();
    }
    TARGET(LOAD_NONE) {
        PUSH(VM_NONE);
        DISPATCH();
    }
    TARGET(LOAD_TRUE) {
        PUSH(VM_TRUE);
        DISPATCH();
    }
    TARGET(LOAD_FALSE) {
        PUSH(VM_FALSE);
        DISPATCH();
    }
    TARGET(LOAD_SMALL_INT) {
        PUSH(VM_INT((int64_t)arg - VM_SMALL_INT_BIAS));
        DISPATCH();
    }
    TARGET(LOAD_FAST) {
    do_load_fast:;
        Value v = slots[arg];
        if (__builtin_expect(VM_IS_UNDEF(v), 0)) {
            SYNC();
            raise_unbound_local(th, code, arg);
            THROW();
        }
        PUSH(v);
        DISPATCH();
    }
    TARGET(STORE_FAST) {
        slots[arg] = POP();
        DISPATCH();
    }
    TARGET(DELETE_FAST) {
        if (VM_IS_UNDEF(slots[arg])) {
            SYNC();
            raise_unbound_local(th, code, arg);
            THROW();
        }
        slots[arg] = VM_UNDEF;
        DISPATCH();
    }
    TARGET(MAKE_CELL) {
        SYNC();
        slots[arg] = VM_OBJ(vm_cell_new(vm, slots[arg]));
        DISPATCH();
    }
    TARGET(LOAD_CLOSURE) {
        PUSH(slots[arg]);
        DISPATCH();
    }
    TARGET(LOAD_DEREF) {
        Value v = ((ObjCell *)VM_AS_OBJ(slots[arg]))->value;
        if (VM_IS_UNDEF(v)) {
            SYNC();
            if ((int32_t)arg >= code->nlocals - code->nfree)
                raise_free_unbound(th, code, arg);
            else
                raise_unbound_local(th, code, arg);
            THROW();
        }
        PUSH(v);
        DISPATCH();
    }
    TARGET(STORE_DEREF) {
        ((ObjCell *)VM_AS_OBJ(slots[arg]))->value = POP();
        DISPATCH();
    }
    TARGET(DELETE_DEREF) {
        ObjCell *c = (ObjCell *)VM_AS_OBJ(slots[arg]);
        if (VM_IS_UNDEF(c->value)) {
            SYNC();
            raise_unbound_local(th, code, arg);
            THROW();
        }
        c->value = VM_UNDEF;
        DISPATCH();
    }
    TARGET(LOAD_GLOBAL) {
    do_load_global:;
        ObjModule *m = frame->func->module;
        if (__builtin_expect(arg < (uint32_t)m->values.count, 1)) {
            Value v = m->values.values[arg];
            if (!VM_IS_UNDEF(v)) {
                PUSH(v);
                DISPATCH();
            }
        }
        SYNC();
        Value v;
        CHECK(load_global(th, m, code, arg, &v));
        PUSH(v);
        DISPATCH();
    }
    TARGET(STORE_GLOBAL) {
        ObjModule *m = frame->func->module;
        if (__builtin_expect(arg >= (uint32_t)m->values.count, 0)) {
            SYNC();
            vm__module_slot(vm, m, VM_AS_STR(code->globals->items[arg]));
        }
        m->values.values[arg] = POP();
        DISPATCH();
    }
    TARGET(DELETE_GLOBAL) {
        ObjModule *m = frame->func->module;
        if (arg >= (uint32_t)m->values.count ||
            VM_IS_UNDEF(m->values.values[arg])) {
            SYNC();
            raise_name_error(th, VM_AS_STR(code->globals->items[arg]));
            THROW();
        }
        m->values.values[arg] = VM_UNDEF;
        DISPATCH();
    }
    TARGET(LOAD_NAME) {
        SYNC();
        Value v;
        CHECK(load_name(th, frame, VM_AS_STR(code->names->items[arg]), &v));
        PUSH(v);
        DISPATCH();
    }
    TARGET(STORE_NAME) {
        SYNC();
        ObjStr *name = VM_AS_STR(code->names->items[arg]);
        Value v = PEEK(0);
        if (frame->ns) {
            vm_dict_set_str(vm, frame->ns, name, v);
        } else {
            int slot = vm__module_slot(vm, frame->func->module, name);
            frame->func->module->values.values[slot] = v;
        }
        sp--;
        DISPATCH();
    }
    TARGET(DELETE_NAME) {
        SYNC();
        ObjStr *name = VM_AS_STR(code->names->items[arg]);
        if (!frame->ns || !vm_dict_delete_str(frame->ns, name)) {
            raise_name_error(th, name);
            THROW();
        }
        DISPATCH();
    }

    TARGET(LOAD_ATTR) {
        SYNC();
        Value r;
        ObjStr *name = VM_AS_STR(code->names->items[arg]);
        if (vm__is_super(vm, PEEK(0))) {
            int found = vm__super_getattr(th, PEEK(0), name, &r);
            if (found < 0) THROW();
            if (found == 0) {
                vm_raise(th, vm->cls.AttributeError,
                         "'super' object has no attribute '%s'", name->chars);
                THROW();
            }
        } else {
            CHECK(vm_getattr(th, PEEK(0), name, &r));
        }
        PEEK(0) = r;
        DISPATCH();
    }
    TARGET(STORE_ATTR) {
        SYNC();
        CHECK(vm_setattr(th, PEEK(0), VM_AS_STR(code->names->items[arg]),
                         PEEK(1)));
        sp -= 2;
        DISPATCH();
    }
    TARGET(DELETE_ATTR) {
        SYNC();
        CHECK(vm_delattr(th, PEEK(0), VM_AS_STR(code->names->items[arg])));
        sp--;
        DISPATCH();
    }
    TARGET(LOAD_METHOD) {
        /* For an instance whose class defines the name as a plain function
         * (and the instance dict does not shadow it), push the function and
         * the object instead of allocating a bound method. */
        Value obj = PEEK(0);
        ObjStr *name = VM_AS_STR(code->names->items[arg]);
        if (obj.type == VAL_OBJ && !vm__is_super(vm, obj)) {
            ObjClass *cls = obj.as.o->cls;
            Value attr;
            if (vm_class_lookup(cls, name, &attr) &&
                (VM_IS_FUNCTION(attr) || VM_IS_NATIVE(attr))) {
                Value shadow;
                bool shadowed =
                    obj.as.o->kind == OBJ_INSTANCE &&
                    ((ObjInstance *)obj.as.o)->dict &&
                    vm_dict_get_str(((ObjInstance *)obj.as.o)->dict, name,
                                    &shadow);
                if (!shadowed && obj.as.o->kind != OBJ_CLASS &&
                    obj.as.o->kind != OBJ_MODULE) {
                    PEEK(0) = attr;
                    PUSH(obj);
                    DISPATCH();
                }
            }
        } else if (obj.type != VAL_OBJ) {
            Value attr;
            if (vm_class_lookup(vm_value_class(vm, obj), name, &attr) &&
                VM_IS_NATIVE(attr)) {
                PEEK(0) = attr;
                PUSH(obj);
                DISPATCH();
            }
        }
        SYNC();
        Value r;
        if (vm__is_super(vm, obj)) {
            int found = vm__super_getattr(th, obj, name, &r);
            if (found < 0) THROW();
            if (found == 0) {
                vm_raise(th, vm->cls.AttributeError,
                         "'super' object has no attribute '%s'", name->chars);
                THROW();
            }
        } else {
            CHECK(vm_getattr(th, obj, name, &r));
        }
        PEEK(0) = r;
        PUSH(VM_UNDEF);
        DISPATCH();
    }
    /* After a call: continue in a pushed Python frame (a safe point), or
     * with the result already stored at base. */
#define FINISH_CALL(outcome, base)                                            \
    do {                                                                      \
        if ((outcome) == CALL_ERROR) THROW();                                 \
        if ((outcome) == CALL_PUSHED) {                                       \
            LOAD_FRAME();                                                     \
            sp = th->stack_top;                                               \
            SAFE_POINT();                                                     \
            DISPATCH();                                                       \
        }                                                                     \
        sp = (base) + 1;                                                      \
        DISPATCH();                                                           \
    } while (0)
    TARGET(CALL_METHOD) {
        Value *base = sp - arg - 2;
        Value f = base[0];
        int outcome;
        SYNC();
        if (VM_IS_UNDEF(base[1])) {
            /* The callee's own slot is base[1]: shift nothing, the args
             * start at base + 2 and base[1] may take a bound self. */
            outcome = call_value(th, f, base + 2, (int)arg, NULL, base);
        } else {
            outcome = call_value(th, f, base + 1, (int)arg + 1, NULL, base);
        }
        FINISH_CALL(outcome, base);
    }
    TARGET(CALL) {
        Value *base = sp - arg - 1;
        SYNC();
        int outcome = call_value(th, base[0], base + 1, (int)arg, NULL, base);
        FINISH_CALL(outcome, base);
    }
    TARGET(CALL_KW) {
        ObjTuple *kwnames = VM_AS_TUPLE(POP());
        Value *base = sp - arg - 1;
        int npos = (int)arg - (int)kwnames->count;
        /* kwnames is a constant of the code, so it stays alive. */
        SYNC();
        int outcome = call_value(th, base[0], base + 1, npos, kwnames, base);
        FINISH_CALL(outcome, base);
    }
    TARGET(CALL_EX) {
        Value *base = sp - (arg ? 3 : 2);
        SYNC();
        int outcome;
        CHECK(call_ex(th, base, arg != 0, &outcome));
        FINISH_CALL(outcome, base);
    }
    TARGET(BINARY_SUBSCR) {
        Value obj = PEEK(1), key = PEEK(0);
        if (obj.type == VAL_OBJ && key.type == VAL_INT) {
            int64_t i = key.as.i;
            if (obj.as.o->kind == OBJ_LIST) {
                ObjList *l = (ObjList *)obj.as.o;
                if (i < 0) i += l->count;
                if (i >= 0 && i < l->count) {
                    sp--;
                    PEEK(0) = l->items[i];
                    DISPATCH();
                }
            } else if (obj.as.o->kind == OBJ_TUPLE) {
                ObjTuple *t = (ObjTuple *)obj.as.o;
                if (i < 0) i += t->count;
                if (i >= 0 && i < t->count) {
                    sp--;
                    PEEK(0) = t->items[i];
                    DISPATCH();
                }
            }
        }
        SYNC();
        Value r;
        CHECK(vm_getitem(th, obj, key, &r));
        sp--;
        PEEK(0) = r;
        DISPATCH();
    }
    TARGET(STORE_SUBSCR) {
        Value key = PEEK(0), obj = PEEK(1), v = PEEK(2);
        if (obj.type == VAL_OBJ && obj.as.o->kind == OBJ_LIST &&
            key.type == VAL_INT) {
            ObjList *l = (ObjList *)obj.as.o;
            int64_t i = key.as.i;
            if (i < 0) i += l->count;
            if (i >= 0 && i < l->count) {
                l->items[i] = v;
                sp -= 3;
                DISPATCH();
            }
        }
        SYNC();
        CHECK(vm_setitem(th, obj, key, v));
        sp -= 3;
        DISPATCH();
    }
    TARGET(DELETE_SUBSCR) {
        SYNC();
        CHECK(vm_delitem(th, PEEK(1), PEEK(0)));
        sp -= 2;
        DISPATCH();
    }

    /* Arithmetic: int fast paths inline, everything else in ops.c.  The
     * operands a and b are still on the stack (rooted) during the call. */
#define BINARY_SLOW_PATH(op)                                                  \
    do {                                                                      \
        SYNC();                                                               \
        Value r_;                                                             \
        CHECK(vm_binary_op(th, (op), a, b, &r_));                             \
        sp--;                                                                 \
        PEEK(0) = r_;                                                         \
        DISPATCH();                                                           \
    } while (0)
#define INT_OP(opname, builtin)                                               \
    TARGET(opname) {                                                          \
        Value a = PEEK(1), b = PEEK(0);                                       \
        if (a.type == VAL_INT && b.type == VAL_INT) {                         \
            int64_t r;                                                        \
            if (!builtin(a.as.i, b.as.i, &r)) {                               \
                sp--;                                                         \
                PEEK(0) = VM_INT(r);                                          \
                DISPATCH();                                                   \
            }                                                                 \
        }                                                                     \
        BINARY_SLOW_PATH(OP_##opname);                                        \
    }
    INT_OP(BINARY_ADD, __builtin_add_overflow)
    INT_OP(BINARY_SUB, __builtin_sub_overflow)
    INT_OP(BINARY_MUL, __builtin_mul_overflow)
    INT_OP(INPLACE_ADD, __builtin_add_overflow)
    INT_OP(INPLACE_SUB, __builtin_sub_overflow)
    INT_OP(INPLACE_MUL, __builtin_mul_overflow)
#undef INT_OP

#define GENERIC_BINARY(opname)                                                \
    TARGET(opname) {                                                          \
        SYNC();                                                               \
        Value r;                                                              \
        CHECK(vm_binary_op(th, OP_##opname, PEEK(1), PEEK(0), &r));           \
        sp--;                                                                 \
        PEEK(0) = r;                                                          \
        DISPATCH();                                                           \
    }
    GENERIC_BINARY(BINARY_TRUEDIV)
    GENERIC_BINARY(BINARY_POW)
    GENERIC_BINARY(BINARY_LSHIFT)
    GENERIC_BINARY(BINARY_RSHIFT)
    GENERIC_BINARY(BINARY_OR)
    GENERIC_BINARY(BINARY_XOR)
#undef GENERIC_BINARY

    TARGET(BINARY_AND) {
        Value a = PEEK(1), b = PEEK(0);
        if (a.type == VAL_INT && b.type == VAL_INT) {
            sp--;
            PEEK(0) = VM_INT(a.as.i & b.as.i);
            DISPATCH();
        }
        BINARY_SLOW_PATH(OP_BINARY_AND);
    }
    TARGET(BINARY_FLOORDIV) {
        Value a = PEEK(1), b = PEEK(0);
        if (a.type == VAL_INT && b.type == VAL_INT && b.as.i > 0) {
            int64_t q = a.as.i / b.as.i;
            if ((a.as.i % b.as.i) != 0 && a.as.i < 0) q--;
            sp--;
            PEEK(0) = VM_INT(q);
            DISPATCH();
        }
        BINARY_SLOW_PATH(OP_BINARY_FLOORDIV);
    }
    TARGET(BINARY_MOD) {
        Value a = PEEK(1), b = PEEK(0);
        if (a.type == VAL_INT && b.type == VAL_INT && b.as.i > 0) {
            int64_t m = a.as.i % b.as.i;
            if (m < 0) m += b.as.i;
            sp--;
            PEEK(0) = VM_INT(m);
            DISPATCH();
        }
        BINARY_SLOW_PATH(OP_BINARY_MOD);
    }
    TARGET(INPLACE_OP) {
        SYNC();
        Value r;
        Opcode op = (Opcode)arg;
        /* INPLACE_OP carries the BINARY_* opcode; ops.c maps it to the
         * __i*__ method where the type has one. */
        CHECK(vm_binary_op(th, op, PEEK(1), PEEK(0), &r));
        sp--;
        PEEK(0) = r;
        DISPATCH();
    }
    TARGET(UNARY_NEG) {
        Value a = PEEK(0);
        if (a.type == VAL_INT && a.as.i != INT64_MIN) {
            PEEK(0) = VM_INT(-a.as.i);
            DISPATCH();
        }
        if (a.type == VAL_FLOAT) {
            PEEK(0) = VM_FLOAT(-a.as.f);
            DISPATCH();
        }
        SYNC();
        Value r;
        CHECK(vm_unary_op(th, OP_UNARY_NEG, a, &r));
        PEEK(0) = r;
        DISPATCH();
    }
    TARGET(UNARY_POS) {
        SYNC();
        Value r;
        CHECK(vm_unary_op(th, OP_UNARY_POS, PEEK(0), &r));
        PEEK(0) = r;
        DISPATCH();
    }
    TARGET(UNARY_INVERT) {
        SYNC();
        Value r;
        CHECK(vm_unary_op(th, OP_UNARY_INVERT, PEEK(0), &r));
        PEEK(0) = r;
        DISPATCH();
    }
    TARGET(UNARY_NOT) {
        Value a = PEEK(0);
        if (a.type == VAL_BOOL) {
            PEEK(0) = VM_BOOL(!a.as.b);
            DISPATCH();
        }
        SYNC();
        int t = vm_truthy(th, a);
        if (t < 0) THROW();
        PEEK(0) = VM_BOOL(!t);
        DISPATCH();
    }

#define COMPARE(opname, cop)                                                  \
    TARGET(opname) {                                                          \
        Value a = PEEK(1), b = PEEK(0);                                       \
        if (a.type == VAL_INT && b.type == VAL_INT) {                         \
            sp--;                                                             \
            PEEK(0) = VM_BOOL(a.as.i cop b.as.i);                             \
            DISPATCH();                                                       \
        }                                                                     \
        if (a.type == VAL_FLOAT && b.type == VAL_FLOAT) {                     \
            sp--;                                                             \
            PEEK(0) = VM_BOOL(a.as.f cop b.as.f);                             \
            DISPATCH();                                                       \
        }                                                                     \
        SYNC();                                                               \
        Value r;                                                              \
        CHECK(vm_compare(th, OP_##opname, a, b, &r));                         \
        sp--;                                                                 \
        PEEK(0) = r;                                                          \
        DISPATCH();                                                           \
    }
    COMPARE(COMPARE_LT, <)
    COMPARE(COMPARE_LE, <=)
    COMPARE(COMPARE_GT, >)
    COMPARE(COMPARE_GE, >=)
    COMPARE(COMPARE_EQ, ==)
    COMPARE(COMPARE_NE, !=)
#undef COMPARE
    TARGET(IS) {
        Value b = POP();
        PEEK(0) = VM_BOOL(vm_value_is(PEEK(0), b));
        DISPATCH();
    }
    TARGET(IS_NOT) {
        Value b = POP();
        PEEK(0) = VM_BOOL(!vm_value_is(PEEK(0), b));
        DISPATCH();
    }
    TARGET(CONTAINS) {
        SYNC();
        int r = vm_contains(th, PEEK(0), PEEK(1));
        if (r < 0) THROW();
        sp--;
        PEEK(0) = VM_BOOL(r);
        DISPATCH();
    }
    TARGET(NOT_CONTAINS) {
        SYNC();
        int r = vm_contains(th, PEEK(0), PEEK(1));
        if (r < 0) THROW();
        sp--;
        PEEK(0) = VM_BOOL(!r);
        DISPATCH();
    }

    TARGET(JUMP) {
        ip = code->code + arg;
        DISPATCH();
    }
    TARGET(JUMP_BACK) {
        /* Poll before jumping, so an exception raised here (KeyboardInterrupt,
         * MemoryError) is attributed to this instruction and its handler. */
        SAFE_POINT();
        ip = code->code + arg;
        DISPATCH();
    }
    TARGET(POP_JUMP_IF_FALSE) {
        Value v = POP();
        if (v.type == VAL_BOOL) {
            if (!v.as.b) ip = code->code + arg;
            DISPATCH();
        }
        SYNC();
        int t = vm_truthy(th, v);
        if (t < 0) THROW();
        if (!t) ip = code->code + arg;
        DISPATCH();
    }
    TARGET(POP_JUMP_IF_TRUE) {
        Value v = POP();
        if (v.type == VAL_BOOL) {
            if (v.as.b) ip = code->code + arg;
            DISPATCH();
        }
        SYNC();
        int t = vm_truthy(th, v);
        if (t < 0) THROW();
        if (t) ip = code->code + arg;
        DISPATCH();
    }
    TARGET(JUMP_IF_FALSE_OR_POP) {
        SYNC();
        int t = vm_truthy(th, PEEK(0));
        if (t < 0) THROW();
        if (!t)
            ip = code->code + arg;
        else
            sp--;
        DISPATCH();
    }
    TARGET(JUMP_IF_TRUE_OR_POP) {
        SYNC();
        int t = vm_truthy(th, PEEK(0));
        if (t < 0) THROW();
        if (t)
            ip = code->code + arg;
        else
            sp--;
        DISPATCH();
    }
    TARGET(GET_ITER) {
        Value v = PEEK(0);
        SYNC();
        Value it;
        if (VM_IS_RANGE(v)) {
            ObjRange *r = VM_AS_RANGE(v);
            ObjIterator *ri =
                vm_iterator_new(vm, vm->cls.iterator, range_iter_next, v);
            ri->index = r->start;
            ri->end = r->stop;
            ri->step = r->step;
            it = VM_OBJ(ri);
        } else {
            CHECK(vm_get_iter(th, v, &it));
        }
        PEEK(0) = it;
        DISPATCH();
    }
    TARGET(FOR_ITER) {
        Value it = PEEK(0);
        if (it.type == VAL_OBJ && it.as.o->kind == OBJ_ITERATOR) {
            ObjIterator *iter = (ObjIterator *)it.as.o;
            if (iter->next == range_iter_next) {
                /* The counting loop of every benchmark: no call at all. */
                int64_t i = iter->index;
                if (iter->step > 0 ? i < iter->end : i > iter->end) {
                    iter->index = i + iter->step;
                    PUSH(VM_INT(i));
                    DISPATCH();
                }
                sp--;
                ip = code->code + arg;
                DISPATCH();
            }
            SYNC();
            Value v;
            int r = iter->next(th, iter, &v);
            if (r > 0) {
                PUSH(v);
                DISPATCH();
            }
            if (r < 0) THROW();
            sp--;
            ip = code->code + arg;
            DISPATCH();
        }
        SYNC();
        Value v;
        int r = vm_iter_next(th, it, &v);
        if (r > 0) {
            PUSH(v);
            DISPATCH();
        }
        if (r < 0) THROW();
        sp--;
        ip = code->code + arg;
        DISPATCH();
    }
    TARGET(RETURN_VALUE) {
        Value v = POP();
        VmFrame *done = frame;
        th->frame_count--;
        if (done->gen) done->gen->state = GEN_CLOSED;
        if (done->c_boundary) {
            th->stack_top = done->ret_slot;
            th->bytecodes += executed;
            th->vtime_ps += vcost;
            *result = v;
            return true;
        }
        *done->ret_slot = v;
        sp = done->ret_slot + 1;
        LOAD_FRAME();
        DISPATCH();
    }
    TARGET(YIELD_VALUE) {
        Value v = POP();
        ObjGenerator *g = frame->gen;
        if (!g) {
            SYNC();
            vm_raise(th, vm->cls.RuntimeError, "yield outside a generator");
            THROW();
        }
        int32_t count = (int32_t)(sp - slots);
        if (count > g->saved_capacity) {
            int32_t old = g->saved_capacity;
            g->saved_capacity = count + 8;
            g->saved = VM_GROW_ARRAY(&vm->heap, Value, g->saved, old,
                                     g->saved_capacity);
        }
        safe_memcpy(g->saved, slots, sizeof(Value) * (size_t)count);
        g->saved_count = count;
        g->resume_pc = (uint32_t)(ip - code->code);
        g->state = GEN_SUSPENDED;
        th->frame_count--;
        th->stack_top = frame->ret_slot;
        th->bytecodes += executed;
            th->vtime_ps += vcost;
        *result = v;
        return true;
    }

    TARGET(BUILD_TUPLE) {
        SYNC();
        ObjTuple *t = vm_tuple_from(vm, sp - arg, arg);
        sp -= arg;
        PUSH(VM_OBJ(t));
        DISPATCH();
    }
    TARGET(BUILD_LIST) {
        SYNC();
        ObjList *l = vm_list_from(vm, sp - arg, arg);
        sp -= arg;
        PUSH(VM_OBJ(l));
        DISPATCH();
    }
    TARGET(BUILD_DICT) {
        SYNC();
        ObjDict *d = vm_dict_new(vm);
        Value *items = sp - 2 * arg;
        /* Root the new dict above the pairs while keys are hashed, since
         * hashing a user object can run Python code. */
        *sp = VM_OBJ(d);
        th->stack_top = sp + 1;
        for (uint32_t i = 0; i < arg; i++)
            CHECK(vm_dict_set(th, d, items[2 * i], items[2 * i + 1]));
        sp -= 2 * arg;
        PUSH(VM_OBJ(d));
        DISPATCH();
    }
    TARGET(BUILD_SLICE) {
        SYNC();
        Value step = arg == 3 ? POP() : VM_NONE;
        Value stop = POP();
        Value start = POP();
        PUSH(VM_OBJ(vm_slice_new(vm, start, stop, step)));
        DISPATCH();
    }
    TARGET(BUILD_STRING) {
        SYNC();
        Value r;
        CHECK(build_string(th, sp - arg, (int)arg, &r));
        sp -= arg;
        PUSH(r);
        DISPATCH();
    }
    TARGET(FORMAT_VALUE) {
        SYNC();
        Value spec = (arg & 4) ? PEEK(0) : VM_UNDEF;
        Value v = (arg & 4) ? PEEK(1) : PEEK(0);
        Value r;
        CHECK(format_value(th, v, arg, spec, &r));
        if (arg & 4) sp--;
        PEEK(0) = r;
        DISPATCH();
    }
    TARGET(LIST_APPEND) {
        SYNC();
        Value v = PEEK(0);
        ObjList *l = VM_AS_LIST(sp[-1 - (int)arg]);
        vm_list_append(vm, l, v);
        sp--;
        DISPATCH();
    }
    TARGET(MAP_ADD) {
        SYNC();
        ObjDict *d = VM_AS_DICT(sp[-2 - (int)arg]);
        CHECK(vm_dict_set(th, d, PEEK(1), PEEK(0)));
        sp -= 2;
        DISPATCH();
    }
    TARGET(LIST_EXTEND) {
        SYNC();
        CHECK(vm_list_extend(th, VM_AS_LIST(PEEK(1)), PEEK(0)));
        sp--;
        DISPATCH();
    }
    TARGET(DICT_UPDATE) {
        SYNC();
        if (!VM_IS_DICT(PEEK(0))) {
            vm_raise(th, vm->cls.TypeError, "'%s' object is not a mapping",
                     vm_value_type_name(vm, PEEK(0)));
            THROW();
        }
        CHECK(vm_dict_update(th, VM_AS_DICT(PEEK(1)), PEEK(0)));
        sp--;
        DISPATCH();
    }
    TARGET(DICT_MERGE) {
        SYNC();
        Value src = PEEK(0);
        if (!VM_IS_DICT(src)) {
            vm_raise(th, vm->cls.TypeError,
                     "argument after ** must be a mapping, not %s",
                     vm_value_type_name(vm, src));
            THROW();
        }
        ObjDict *dst = VM_AS_DICT(PEEK(1));
        int64_t pos = 0;
        Value k, v, old;
        while (vm_dict_next(VM_AS_DICT(src), &pos, &k, &v)) {
            int found = vm_dict_get(th, dst, k, &old);
            if (found < 0) THROW();
            if (found) {
                ObjStr *ks;
                if (VM_IS_STR(k)) {
                    ks = VM_AS_STR(k);
                } else {
                    CHECK(vm_repr(th, k, &ks));
                }
                /* DICT_MERGE builds a call's keywords: the callee is the
                 * value under the positional tuple and this dict. */
                char fname[256];
                describe_callee(PEEK(3), fname, sizeof fname);
                vm_raise(th, vm->cls.TypeError,
                         "%s got multiple values for keyword argument '%s'",
                         fname, ks->chars);
                THROW();
            }
            CHECK(vm_dict_set(th, dst, k, v));
        }
        sp--;
        DISPATCH();
    }
    TARGET(LIST_TO_TUPLE) {
        SYNC();
        ObjList *l = VM_AS_LIST(PEEK(0));
        PEEK(0) = VM_OBJ(vm_tuple_from(vm, l->items, l->count));
        DISPATCH();
    }
    TARGET(UNPACK_SEQUENCE) {
        SYNC();
        Value seq = PEEK(0);
        if (sp - 1 + arg > th->stack_limit) {
            vm_raise(th, vm->cls.RecursionError, "stack overflow");
            THROW();
        }
        /* Keep seq rooted above the destination while unpacking. */
        sp[arg > 0 ? arg - 1 : 0] = seq;
        th->stack_top = sp + arg;
        CHECK(unpack_sequence(th, seq, (int)arg, sp - 1));
        sp += (int)arg - 1;
        DISPATCH();
    }
    TARGET(UNPACK_EX) {
        SYNC();
        int before = (int)(arg & 0xFF), after = (int)(arg >> 8);
        int total = before + 1 + after;
        Value seq = PEEK(0);
        sp[total] = seq;
        th->stack_top = sp + total + 1;
        CHECK(unpack_ex(th, seq, before, after, sp - 1));
        sp += total - 1;
        DISPATCH();
    }

    TARGET(POP_TOP) {
        sp--;
        DISPATCH();
    }
    TARGET(DUP_TOP) {
        Value v = PEEK(0);
        PUSH(v);
        DISPATCH();
    }
    TARGET(DUP_TOP_TWO) {
        Value a = PEEK(1), b = PEEK(0);
        PUSH(a);
        PUSH(b);
        DISPATCH();
    }
    TARGET(ROT_TWO) {
        Value t = PEEK(0);
        PEEK(0) = PEEK(1);
        PEEK(1) = t;
        DISPATCH();
    }
    TARGET(ROT_THREE) {
        Value t = PEEK(0);
        PEEK(0) = PEEK(1);
        PEEK(1) = PEEK(2);
        PEEK(2) = t;
        DISPATCH();
    }
    TARGET(ROT_FOUR) {
        Value t = PEEK(0);
        PEEK(0) = PEEK(1);
        PEEK(1) = PEEK(2);
        PEEK(2) = PEEK(3);
        PEEK(3) = t;
        DISPATCH();
    }

    TARGET(MAKE_FUNCTION) {
        SYNC();
        int n = 1 + (arg & 1) + ((arg >> 1) & 1) + ((arg >> 2) & 1);
        Value r;
        CHECK(make_function(th, frame, arg, sp - n, &r));
        sp -= n;
        PUSH(r);
        DISPATCH();
    }
    TARGET(LOAD_BUILD_CLASS) {
        PUSH(VM_OBJ(vm->build_class));
        DISPATCH();
    }
    TARGET(LOAD_SUPER) {
        SYNC();
        ObjClass *owner = frame->func->owner;
        if (!owner) {
            vm_raise(th, vm->cls.RuntimeError, "super(): __class__ cell not found");
            THROW();
        }
        PEEK(0) = vm__super_new(vm, owner, PEEK(0));
        DISPATCH();
    }
    TARGET(IMPORT_NAME) {
        SYNC();
        Value m;
        CHECK(vm_import(th, VM_AS_STR(code->names->items[arg]), &m));
        PUSH(m);
        DISPATCH();
    }
    TARGET(IMPORT_FROM) {
        SYNC();
        Value v;
        CHECK(import_from(th, PEEK(0), VM_AS_STR(code->names->items[arg]), &v));
        PUSH(v);
        DISPATCH();
    }

    /* Superinstructions (vm/peephole.c): ip points at the second word of
     * the fused sequence; its operands are read from the words after. */
#define IMM_ARITH(x, word, out_ok)                                            \
    int64_t k_ = (int64_t)VM_INSTR_ARG(word) - VM_SMALL_INT_BIAS;             \
    Opcode aop_ = VM_INSTR_OP(ip[1]);                                         \
    int64_t r_;                                                               \
    bool out_ok = (aop_ == OP_BINARY_ADD || aop_ == OP_INPLACE_ADD)           \
                      ? !__builtin_add_overflow((x).as.i, k_, &r_)            \
                      : !__builtin_sub_overflow((x).as.i, k_, &r_)
#define IMM_COMPARE(x, word)                                                  \
    int64_t k_ = (int64_t)VM_INSTR_ARG(word) - VM_SMALL_INT_BIAS;             \
    int64_t xv_ = (x).as.i;                                                   \
    bool c_;                                                                  \
    switch (VM_INSTR_OP(ip[1])) {                                             \
    case OP_COMPARE_LT: c_ = xv_ < k_; break;                                 \
    case OP_COMPARE_LE: c_ = xv_ <= k_; break;                                \
    case OP_COMPARE_GT: c_ = xv_ > k_; break;                                 \
    case OP_COMPARE_GE: c_ = xv_ >= k_; break;                                \
    case OP_COMPARE_EQ: c_ = xv_ == k_; break;                                \
    default: c_ = xv_ != k_; break;                                           \
    }                                                                         \
    if (VM_INSTR_OP(ip[2]) == OP_POP_JUMP_IF_FALSE) c_ = !c_;                 \
    executed += 3;                                                            \
    ip = c_ ? code->code + VM_INSTR_ARG(ip[2]) : ip + 3
    TARGET(FAST_IMM_ARITH_STORE) {
        Value x = slots[arg];
        if (x.type == VAL_INT) {
            IMM_ARITH(x, ip[0], ok);
            if (ok) {
                slots[VM_INSTR_ARG(ip[2])] = VM_INT(r_);
                ip += 3;
                executed += 3;
                DISPATCH();
            }
        }
        goto do_load_fast;
    }
    TARGET(FAST_IMM_ARITH) {
        Value x = slots[arg];
        if (x.type == VAL_INT) {
            IMM_ARITH(x, ip[0], ok);
            if (ok) {
                PUSH(VM_INT(r_));
                ip += 2;
                executed += 2;
                DISPATCH();
            }
        }
        goto do_load_fast;
    }
    TARGET(FAST_IMM_COMPARE_JUMP) {
        Value x = slots[arg];
        if (x.type == VAL_INT) {
            IMM_COMPARE(x, ip[0]);
            DISPATCH();
        }
        goto do_load_fast;
    }
    TARGET(GLOBAL_IMM_ARITH_STORE) {
        ObjModule *m = frame->func->module;
        uint32_t dst = VM_INSTR_ARG(ip[2]);
        if (arg < (uint32_t)m->values.count && dst < (uint32_t)m->values.count) {
            Value x = m->values.values[arg];
            if (x.type == VAL_INT) {
                IMM_ARITH(x, ip[0], ok);
                if (ok) {
                    m->values.values[dst] = VM_INT(r_);
                    ip += 3;
                    executed += 3;
                    DISPATCH();
                }
            }
        }
        goto do_load_global;
    }
    TARGET(GLOBAL_IMM_COMPARE_JUMP) {
        ObjModule *m = frame->func->module;
        if (arg < (uint32_t)m->values.count) {
            Value x = m->values.values[arg];
            if (x.type == VAL_INT) {
                IMM_COMPARE(x, ip[0]);
                DISPATCH();
            }
        }
        goto do_load_global;
    }
#undef IMM_ARITH
#undef IMM_COMPARE

    TARGET(RAISE) {
        SYNC();
        if (arg == 0) {
            if (VM_IS_NONE(th->handled) || VM_IS_UNDEF(th->handled)) {
                vm_raise(th, vm->cls.RuntimeError, "No active exception to reraise");
                THROW();
            }
            th->exception = th->handled;
            THROW();
        }
        Value exc = arg == 2 ? PEEK(1) : PEEK(0);
        sp -= arg;
        vm_raise_value(th, exc);
        THROW();
    }
    TARGET(RERAISE) {
        th->exception = POP();
        SYNC();
        goto unwind_keep_trace;
    }
    TARGET(PUSH_EXC_INFO) {
        Value exc = PEEK(0);
        PEEK(0) = VM_IS_UNDEF(th->handled) ? VM_NONE : th->handled;
        PUSH(exc);
        th->handled = exc;
        DISPATCH();
    }
    TARGET(POP_EXCEPT) {
        th->handled = POP();
        DISPATCH();
    }
    TARGET(CHECK_EXC_MATCH) {
        SYNC();
        bool match;
        CHECK(check_exc_match(th, PEEK(1), PEEK(0), &match));
        PEEK(0) = VM_BOOL(match);
        DISPATCH();
    }
    TARGET(BEFORE_WITH) {
        SYNC();
        Value exit_fn, entered;
        CHECK(before_with(th, PEEK(0), &exit_fn, &entered));
        PEEK(0) = exit_fn;
        PUSH(entered);
        DISPATCH();
    }
    TARGET(WITH_EXIT) {
        SYNC();
        bool suppress;
        CHECK(with_exit(th, PEEK(1), PEEK(0), &suppress));
        PEEK(1) = PEEK(0);
        PEEK(0) = VM_BOOL(suppress);
        DISPATCH();
    }

#if !GILT_COMPUTED_GOTO
    default: break;
    }
#endif
    vm_raise(th, vm->cls.RuntimeError, "gilt: bad opcode %u", word & 0xff);

unwind:
unwind_keep_trace:
    for (;;) {
        uint32_t pc = (uint32_t)(ip - code->code) - 1;
        /* The exception passes through this frame here: one traceback
         * entry per activation, at the first line it was seen on. */
        vm__exc_add_trace(vm, th->exception, code,
                          pc < (uint32_t)code->count ? code->lines[pc]
                                                     : code->firstline,
                          frame->serial);
        const ExcTableEntry *handler = NULL;
        for (int32_t i = 0; i < code->exc_count; i++) {
            const ExcTableEntry *e = &code->exc_table[i];
            if (pc >= e->start && pc < e->end) {
                handler = e;
                break;
            }
        }
        if (handler) {
            sp = slots + code->nlocals + handler->depth;
            PUSH(th->exception);
            th->exception = VM_UNDEF;
            ip = code->code + handler->handler;
            DISPATCH();
        }
        VmFrame *done = frame;
        th->frame_count--;
        if (done->gen) done->gen->state = GEN_CLOSED;
        if (done->c_boundary) {
            th->stack_top = done->ret_slot;
            th->bytecodes += executed;
            th->vtime_ps += vcost;
            return false;
        }
        sp = done->ret_slot;
        LOAD_FRAME();
    }

#undef SYNC
#undef LOAD_FRAME
#undef PUSH
#undef POP
#undef PEEK
#undef THROW
#undef CHECK
#undef SAFE_POINT
#undef BINARY_SLOW_PATH
#undef FINISH_CALL
#undef TARGET
#undef DISPATCH
}
