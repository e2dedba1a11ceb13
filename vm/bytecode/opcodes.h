/*
 * vm/bytecode/opcodes.h - opcode enum and instruction-word helpers, expanded from the
 * single table in vm/opcodes.def.
 *
 * An instruction is a 32-bit word: opcode in the low 8 bits, argument A in
 * the high 24.  The instruction index (not a byte offset) is what jumps,
 * line tables and exception tables use.
 */
#ifndef GILT_VM_BYTECODE_OPCODES_H
#define GILT_VM_BYTECODE_OPCODES_H

#include <stdint.h>

typedef enum {
#define OP(name, fmt, effect) OP_##name,
#include "vm/bytecode/opcodes.def"
#undef OP
    OP__COUNT
} Opcode;

/* Operand shapes, for the disassembler (see the FMT column). */
typedef enum {
    OPFMT_NONE,
    OPFMT_INT,
    OPFMT_CONST,
    OPFMT_NAME,
    OPFMT_GLOBAL,
    OPFMT_LOCAL,
    OPFMT_JUMP,
    OPFMT_COUNT,
} OpFormat;

#define VM_ARG_MAX 0xFFFFFF
#define VM_SMALL_INT_BIAS 0x800000
#define VM_INSTR(op, a) ((uint32_t)(op) | ((uint32_t)(a) << 8))
#define VM_INSTR_OP(w) ((Opcode)((w) & 0xFF))
#define VM_INSTR_ARG(w) ((uint32_t)(w) >> 8)

/* Name ("LOAD_CONST"), operand shape and stack effect of an opcode. */
const char *vm_opcode_name(Opcode op);
OpFormat vm_opcode_format(Opcode op);
int vm_opcode_stack_effect(Opcode op, uint32_t arg);

#endif /* GILT_VM_BYTECODE_OPCODES_H */
