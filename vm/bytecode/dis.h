/*
 * vm/bytecode/dis.h - the disassembler (clox's debug.c): one helper per operand
 * shape, used by `gilt dis` and by --trace-exec.
 */
#ifndef GILT_VM_BYTECODE_DIS_H
#define GILT_VM_BYTECODE_DIS_H

#include <stdio.h>

#include "vm/object/object.h"

/* Print a whole code object as `python -m dis` does (a header with its
 * qualified name, file and first line; the source line where one starts,
 * ">>" on jump targets, decoded arguments; its exception table) and,
 * after it, every code object in its constants (nested functions,
 * classes, comprehensions), recursively. */
void vm_dis_code(FILE *out, ObjCode *code);
/* Print instruction `index` of code as one line without its source line
 * (--trace-exec says file:line itself):
 *   "   4 LOAD_CONST                   2 (3.5)"   (index, name, arg, meaning) */
void vm_dis_operation(FILE *out, ObjCode *code, int32_t index);

#endif /* GILT_VM_BYTECODE_DIS_H */
