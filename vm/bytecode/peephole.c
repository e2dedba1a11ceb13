/*
 * vm/bytecode/peephole.c - superinstructions for the loops every GIL experiment
 * runs (`while n > 0: n -= 1`, `fib(n - 1)`).
 *
 * The pass only overwrites the first word of a recognised sequence; the
 * rest stay in place as the superinstruction's operands and as its slow
 * path.  A sequence is fused only if no jump lands inside it and no
 * exception-table boundary splits it, so control flow and error handling
 * are exactly those of the unfused code.
 */
#include "vm/bytecode/peephole.h"

#include <stdlib.h>
#include <string.h>

#include "vm/runtime/memory.h"
#include "vm/bytecode/opcodes.h"

static bool is_jump(Opcode op) {
    return op == OP_JUMP || op == OP_JUMP_BACK || op == OP_POP_JUMP_IF_FALSE ||
           op == OP_POP_JUMP_IF_TRUE || op == OP_JUMP_IF_FALSE_OR_POP ||
           op == OP_JUMP_IF_TRUE_OR_POP || op == OP_FOR_ITER;
}

static bool is_compare(Opcode op) {
    return op >= OP_COMPARE_LT && op <= OP_COMPARE_GE;
}

static bool is_addsub(Opcode op) {
    return op == OP_BINARY_ADD || op == OP_BINARY_SUB || op == OP_INPLACE_ADD ||
           op == OP_INPLACE_SUB;
}

/* May instructions [i+1, i+len) be skipped over as one? */
static bool fusable(const ObjCode *c, const uint8_t *target, int32_t i,
                    int32_t len) {
    if (i + len > c->count) return false;
    for (int32_t k = i + 1; k < i + len; k++)
        if (target[k]) return false;
    for (int32_t e = 0; e < c->exc_count; e++) {
        const ExcTableEntry *x = &c->exc_table[e];
        for (int32_t k = i + 1; k < i + len; k++)
            if ((uint32_t)k == x->start || (uint32_t)k == x->end) return false;
    }
    return true;
}

static void optimize_one(ObjCode *c) {
    int32_t n = c->count;
    uint8_t *target = (uint8_t *)vm_realloc(NULL, NULL, 0, (size_t)n + 1);
    memset(target, 0, (size_t)n + 1);
    for (int32_t i = 0; i < n; i++) {
        Opcode op = VM_INSTR_OP(c->code[i]);
        if (is_jump(op)) {
            uint32_t t = VM_INSTR_ARG(c->code[i]);
            if (t <= (uint32_t)n) target[t] = 1;
        }
    }
    for (int32_t e = 0; e < c->exc_count; e++)
        if (c->exc_table[e].handler <= (uint32_t)n) target[c->exc_table[e].handler] = 1;

    for (int32_t i = 0; i + 2 < n; i++) {
        Opcode op0 = VM_INSTR_OP(c->code[i]);
        if (op0 != OP_LOAD_FAST && op0 != OP_LOAD_GLOBAL) continue;
        if (VM_INSTR_OP(c->code[i + 1]) != OP_LOAD_SMALL_INT) continue;
        Opcode op2 = VM_INSTR_OP(c->code[i + 2]);
        Opcode op3 = i + 3 < n ? VM_INSTR_OP(c->code[i + 3]) : OP_NOP;
        uint32_t a0 = VM_INSTR_ARG(c->code[i]);
        bool fast = op0 == OP_LOAD_FAST;
        if (is_addsub(op2) &&
            ((fast && op3 == OP_STORE_FAST) || (!fast && op3 == OP_STORE_GLOBAL)) &&
            fusable(c, target, i, 4)) {
            c->code[i] = VM_INSTR(fast ? OP_FAST_IMM_ARITH_STORE
                                       : OP_GLOBAL_IMM_ARITH_STORE, a0);
            i += 3;
        } else if (is_compare(op2) &&
                   (op3 == OP_POP_JUMP_IF_FALSE || op3 == OP_POP_JUMP_IF_TRUE) &&
                   fusable(c, target, i, 4)) {
            c->code[i] = VM_INSTR(fast ? OP_FAST_IMM_COMPARE_JUMP
                                       : OP_GLOBAL_IMM_COMPARE_JUMP, a0);
            i += 3;
        } else if (fast && (op2 == OP_BINARY_ADD || op2 == OP_BINARY_SUB) &&
                   fusable(c, target, i, 3)) {
            c->code[i] = VM_INSTR(OP_FAST_IMM_ARITH, a0);
            i += 2;
        }
    }
    vm_realloc(NULL, target, (size_t)n + 1, 0);
}

void vm_peephole_optimize(ObjCode *code) {
    optimize_one(code);
    for (int i = 0; i < code->consts.count; i++)
        if (VM_IS_CODE(code->consts.values[i]))
            vm_peephole_optimize(VM_AS_CODE(code->consts.values[i]));
}
