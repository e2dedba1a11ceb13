/*
 * vm/runtime/interp_loop.h - the body of the interpreter loop, included four
 * times by vm/runtime/interp.c, with RUN_COSTED and RUN_TICKED each 0 or 1:
 *
 *   run_plain          real mode: no cost accounting, no per-instruction check
 *   run_costed         --sim and gilt calibrate: each instruction's virtual
 *                      cost goes to the thread's CPU counter, and safe points
 *                      check the simulator's horizon
 *   run_ticked         real mode under a policy that may switch between any
 *                      two instructions (legacy: CPython 2's _Py_Ticker)
 *   run_costed_ticked  both, and the horizon is checked at every ticking
 *                      instruction too, so that threads running at once in
 *                      virtual time (--gil none) interleave inside a
 *                      statement as real cores do
 *
 * The plain loop pays nothing for the other three.  In the ticked loops a
 * superinstruction of vm/bytecode/peephole.c runs fused only where no tick
 * could have fallen due inside it, so that the program behaves as in an
 * interpreter without superinstructions.
 *
 * Not a normal header: it defines a function and must be included with
 * RUN_FN, RUN_COSTED and RUN_TICKED defined.
 */
static bool RUN_FN(VmThread *th, Value *result) {
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
#if RUN_TICKED
    /* Ticks taken since the last SYNC, folded into vm->gil_ticks there: a
     * register count, so the countdown is not a store and a load of the
     * same word at every instruction (a store-to-load chain that made the
     * ticked loop twice as slow as the plain one). */
    int ticks_spent = 0;
#define SYNC_TICKS() (vm->gil_ticks -= ticks_spent, ticks_spent = 0)
#else
#define SYNC_TICKS() ((void)0)
#endif
    /* Their virtual cost in picoseconds (zero in real mode), folded into
     * th->vtime_ps the same way. */
#if RUN_COSTED
    /* In the costed loop `executed` packs both: the instruction count in
     * the bits from VM_COST_SHIFT up, the virtual picoseconds below, and
     * one add of vm->op_cost_packed[op] counts an instruction and its
     * cost together, so the costed loop keeps the plain loop's register
     * use.  The simulator checks in at least every max_segment_ns (10 ms),
     * far below the 2^40 ps (1.1 s) the low field holds. */
    const uint64_t *const op_packed = vm->op_cost_packed;
#define COUNT_INSTR(word) (executed += op_packed[VM_INSTR_OP(word)])
#define COUNT_MORE(n) (executed += (uint64_t)(n) << VM_COST_SHIFT)
#define EXECUTED_COUNT() (executed >> VM_COST_SHIFT)
#define EXECUTED_PS() (executed & VM_COST_MASK)
#define PAST_HORIZON() __builtin_expect(th->vtime_ps + EXECUTED_PS() >= th->cpu_horizon_ps, 0)
#else
#define COUNT_INSTR(word) (executed++)
#define COUNT_MORE(n) (executed += (n))
#define EXECUTED_COUNT() executed
#define EXECUTED_PS() 0
#define PAST_HORIZON() false
#endif
#if RUN_TICKED
    /* A tick is due before an instruction that ticks (vm__op_no_tick): the
     * policy's countdown ran out, or, in virtual time, the thread's CPU
     * passed its horizon. */
#define TICK_DUE(word)                                                        \
    __builtin_expect(!vm__op_no_tick[VM_INSTR_OP(word)] &&                     \
                         (vm->gil_ticks - ++ticks_spent <= 0 || PAST_HORIZON()), 0)
#define TICK_CHECK(word)                                                      \
    if (TICK_DUE(word)) goto tick_point
    /* A superinstruction may run fused only if no tick could fall due
     * inside it: the countdown has more than `extra` ticks left (what its
     * words after the first take, paid when the fast path is taken), and,
     * in virtual time, the thread is still short of its horizon with the
     * superinstruction's cost counted (it was counted at dispatch).
     * Otherwise its words run one by one, each ticking, as in an
     * interpreter without superinstructions. */
#define FUSION_OK(extra) (vm->gil_ticks - ticks_spent > (extra) && !PAST_HORIZON())
#define FUSION_TICKS(extra) (ticks_spent += (extra))
#else
#define TICK_CHECK(word) ((void)0)
#define FUSION_OK(extra) 1
#define FUSION_TICKS(extra) ((void)0)
#endif
#define SYNC()                                                                \
    (frame->ip = ip, th->stack_top = sp, th->bytecodes += EXECUTED_COUNT(),  \
     th->vtime_ps += EXECUTED_PS(), executed = 0, SYNC_TICKS())
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
    /* In the costed variant a safe point also checks the simulator's
     * horizon (cpu_horizon_ps is UINT64_MAX outside --sim). */
#define SAFE_POINT()                                                          \
    do {                                                                      \
        if (atomic_load_explicit(&th->eval_breaker, memory_order_relaxed) ||  \
            PAST_HORIZON()) {                                                 \
            SYNC();                                                           \
            CHECK(vm__eval_breaker_handle(th));                               \
        }                                                                     \
    } while (0)

#if GILT_COMPUTED_GOTO
    static void *const dispatch_table[OP__COUNT] = {
#define OP(name, fmt, effect) &&L_##name,
#include "vm/bytecode/opcodes.def"
#undef OP
    };
    const bool tracing = vm->options.trace_exec;
#define TARGET(name) L_##name:
#define DISPATCH()                                                            \
    do {                                                                      \
        word = *ip++;                                                         \
        TICK_CHECK(word);                                                     \
        arg = VM_INSTR_ARG(word);                                             \
        COUNT_INSTR(word);                                                    \
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
    goto next_instruction;
#endif
#if RUN_TICKED
    /* Between two instructions, the one at ip not yet run: stop here as
     * at a safe point (the stack is whole), let the policy switch or the
     * simulator catch up, then run it. */
tick_point:
    ip--;
    SYNC();
    CHECK(vm__tick_point(th));
    DISPATCH();
#endif
#if !GILT_COMPUTED_GOTO
next_instruction:
    word = *ip++;
    TICK_CHECK(word);
    arg = VM_INSTR_ARG(word);
    COUNT_INSTR(word);
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
            th->bytecodes += EXECUTED_COUNT();
            th->vtime_ps += EXECUTED_PS();
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
        th->bytecodes += EXECUTED_COUNT();
            th->vtime_ps += EXECUTED_PS();
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

    /* Superinstructions (vm/bytecode/peephole.c): ip points at the second word of
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
    COUNT_MORE(3);                                                            \
    ip = c_ ? code->code + VM_INSTR_ARG(ip[2]) : ip + 3
    TARGET(FAST_IMM_ARITH_STORE) {
        Value x = slots[arg];
        if (FUSION_OK(1) && x.type == VAL_INT) {
            IMM_ARITH(x, ip[0], ok);
            if (ok) {
                FUSION_TICKS(1);
                slots[VM_INSTR_ARG(ip[2])] = VM_INT(r_);
                ip += 3;
                COUNT_MORE(3);
                DISPATCH();
            }
        }
        goto do_load_fast;
    }
    TARGET(FAST_IMM_ARITH) {
        Value x = slots[arg];
        if (FUSION_OK(1) && x.type == VAL_INT) {
            IMM_ARITH(x, ip[0], ok);
            if (ok) {
                FUSION_TICKS(1);
                PUSH(VM_INT(r_));
                ip += 2;
                COUNT_MORE(2);
                DISPATCH();
            }
        }
        goto do_load_fast;
    }
    TARGET(FAST_IMM_COMPARE_JUMP) {
        Value x = slots[arg];
        if (FUSION_OK(2) && x.type == VAL_INT) {
            FUSION_TICKS(2);
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
            if (FUSION_OK(2) && x.type == VAL_INT) {
                IMM_ARITH(x, ip[0], ok);
                if (ok) {
                    FUSION_TICKS(2);
                    m->values.values[dst] = VM_INT(r_);
                    ip += 3;
                    COUNT_MORE(3);
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
            if (FUSION_OK(2) && x.type == VAL_INT) {
                FUSION_TICKS(2);
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
            th->bytecodes += EXECUTED_COUNT();
            th->vtime_ps += EXECUTED_PS();
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
#undef COUNT_INSTR
#undef COUNT_MORE
#undef EXECUTED_COUNT
#undef EXECUTED_PS
#undef PAST_HORIZON
#undef TICK_DUE
#undef TICK_CHECK
#undef SYNC_TICKS
#undef FUSION_OK
#undef FUSION_TICKS
}
