/*
 * vm/bytecode/peephole.h - rewrites hot instruction sequences into superinstructions
 * after compilation (see the superinstruction section of vm/bytecode/opcodes.def).
 */
#ifndef GILT_VM_BYTECODE_PEEPHOLE_H
#define GILT_VM_BYTECODE_PEEPHOLE_H

#include "vm/object/object.h"

/* Optimise code and every code object among its constants, in place. */
void vm_peephole_optimize(ObjCode *code);

#endif /* GILT_VM_BYTECODE_PEEPHOLE_H */
