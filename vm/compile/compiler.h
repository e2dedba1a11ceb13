/*
 * vm/compile/compiler.h - source text to code object: the front end's one entry.
 *
 * The pipeline is lexer (vm/compile/lexer.c, indentation-aware tokens) -> parser
 * (vm/compile/parser.c, recursive descent building the AST of vm/compile/ast.h) -> scope
 * analysis (vm/compile/symtable.c: local / global / cell / free for every name) ->
 * code generation (vm/compile/compiler.c, emitting vm/bytecode/opcodes.def instructions).
 * Anything outside the language subset is a compile error that names the
 * construct, with its line and column, never a crash.
 */
#ifndef GILT_VM_COMPILE_COMPILER_H
#define GILT_VM_COMPILE_COMPILER_H

#include "vm/object/object.h"
#include "vm/runtime/vm.h"

typedef struct {
    int line;           /* 1-based */
    int col;            /* 1-based */
    char type[32];      /* "SyntaxError", "IndentationError", ... */
    char message[256];  /* "invalid syntax", "'yield from' is not supported" */
} VmCompileError;

/* Compile a whole file as a module body.  On success returns the module's
 * code object (flags CODE_MODULE); on failure returns NULL and fills *err.
 * Allocates through vm's heap; never collects. */
ObjCode *vm_compile(VmShared *vm, const char *source, const char *filename,
                    VmCompileError *err);
/* The same for source[0..length) (source[length] is a NUL too), which may
 * hold NUL bytes: they are a SyntaxError, "source code cannot contain null
 * bytes", as in CPython (vm_compile's NUL-terminated text cannot show them). */
ObjCode *vm_compile_n(VmShared *vm, const char *source, size_t length,
                      const char *filename, VmCompileError *err);

/* For the walks of the tree (vm/compile/symtable.c, compiler.c), entering
 * a node `depth` levels down at (line, col): true, with *err filled as
 * CPython's "RecursionError: maximum recursion depth exceeded during
 * compilation", when that is deeper than GILT_COMPILER_RECURSION_LIMIT or
 * the C stack is running out. */
bool vm_compile_too_deep(int depth, int line, int col, VmCompileError *err);

#endif /* GILT_VM_COMPILE_COMPILER_H */
