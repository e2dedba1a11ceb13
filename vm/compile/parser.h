/*
 * vm/compile/parser.h - recursive-descent parser from tokens to the AST of
 * vm/ast.h.
 *
 * The parser knows the language subset: constructs outside it are reported
 * as compile errors naming the construct ("'async def' is not supported in
 * gilt yet"), with the position of the offending token.
 */
#ifndef GILT_VM_COMPILE_PARSER_H
#define GILT_VM_COMPILE_PARSER_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/compile/ast.h"
#include "vm/compile/compiler.h"

/* Parse a whole file into `body` (a list of statements).  Every node is
 * allocated from `arena`.  Returns false and fills *err on a syntax error. */
bool vm_parse_module(const char *source, int64_t length, AstArena *arena,
                     AstList *body, VmCompileError *err);

#endif /* GILT_VM_COMPILE_PARSER_H */
