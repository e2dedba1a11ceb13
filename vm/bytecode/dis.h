/*
 * vm/bytecode/dis.h - the disassembler (clox's debug.c): one helper per operand
 * shape, used by `gilt dis` and by --trace-exec.
 */
#ifndef GILT_VM_BYTECODE_DIS_H
#define GILT_VM_BYTECODE_DIS_H

#include <stdio.h>

#include "vm/object/object.h"

/* Print a whole code object and, after it, every code object in its
 * constants (nested functions, classes, comprehensions). */
void vm_dis_code(FILE *out, ObjCode *code);
/* Print instruction `index` of code as one line:
 *   "  12     4 LOAD_CONST               2 (3.5)"   (line, index, name, arg, meaning) */
void vm_dis_instruction(FILE *out, ObjCode *code, int32_t index);

#endif /* GILT_VM_BYTECODE_DIS_H */
