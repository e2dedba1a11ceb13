/*
 * vm/bytecode/opcodes.c - names, operand shapes and stack effects of the opcodes,
 * expanded from the one table in vm/bytecode/opcodes.def so they cannot drift apart.
 */
#include "vm/bytecode/opcodes.h"

/* The CMP shape is listed in opcodes.def's header but used by no opcode;
 * map it to a plain number so the table stays total. */
#define OPFMT_CMP OPFMT_INT

static const char *const opcode_names[] = {
#define OP(name, fmt, effect) #name,
#include "vm/bytecode/opcodes.def"
#undef OP
};

static const OpFormat opcode_formats[] = {
#define OP(name, fmt, effect) OPFMT_##fmt,
#include "vm/bytecode/opcodes.def"
#undef OP
};

const char *vm_opcode_name(Opcode op) {
    return (unsigned)op < OP__COUNT ? opcode_names[op] : "???";
}

OpFormat vm_opcode_format(Opcode op) {
    return (unsigned)op < OP__COUNT ? opcode_formats[op] : OPFMT_NONE;
}

int vm_opcode_stack_effect(Opcode op, uint32_t arg) {
    /* EFFECT columns are expressions of A; evaluate them as signed ints. */
    int A = (int)arg;
    (void)A;
    switch (op) {
#define OP(name, fmt, effect) \
    case OP_##name:           \
        return (effect);
#include "vm/bytecode/opcodes.def"
#undef OP
    default:
        return 0;
    }
}
