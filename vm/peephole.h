/*
 * vm/peephole.h - rewrites hot instruction sequences into superinstructions
 * after compilation (see the superinstruction section of vm/opcodes.def).
 */
#ifndef GILT_VM_PEEPHOLE_H
#define GILT_VM_PEEPHOLE_H

#include "vm/object.h"

/* Optimise code and every code object among its constants, in place. */
void vm_peephole_optimize(ObjCode *code);

#endif /* GILT_VM_PEEPHOLE_H */
