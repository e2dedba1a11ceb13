/*
 * vm/compile/symtable.h - scope analysis: which names are local, global, cell or
 * free in every function, class body and comprehension.
 *
 * The pass runs between the parser and the compiler, as CPython's
 * symtable.c does: a first walk records how each scope uses each name
 * (assigned, used, declared global/nonlocal, parameter) and a second one
 * resolves free variables against the enclosing function scopes (class
 * bodies are not enclosing scopes for their methods), marking the captured
 * locals as cells.  It also lays out the local slots of each function:
 * parameters first, then other locals and cells, then free variables.
 */
#ifndef GILT_VM_COMPILE_SYMTABLE_H
#define GILT_VM_COMPILE_SYMTABLE_H

#include <stdbool.h>

#include "vm/compile/ast.h"
#include "vm/compile/compiler.h"

typedef enum { SCOPE_MODULE, SCOPE_FUNCTION, SCOPE_CLASS } ScopeKind;

/* How the compiler reaches a name from one scope. */
typedef enum {
    NAME_GLOBAL,        /* *_GLOBAL (module level, `global`, or unbound) */
    NAME_LOCAL,         /* *_FAST */
    NAME_CELL,          /* *_DEREF on a local captured by an inner scope */
    NAME_FREE,          /* *_DEREF on a variable of an enclosing function */
    NAME_CLASS,         /* *_NAME in a class body */
} NameAccess;

/* Usage flags collected by the first walk. */
enum {
    SYM_ASSIGNED = 1 << 0,
    SYM_PARAM = 1 << 1,
    SYM_GLOBAL = 1 << 2,
    SYM_NONLOCAL = 1 << 3,
    SYM_USED = 1 << 4,
    SYM_CHILD_FREE = 1 << 5,   /* an inner scope reads it as a free variable */
};

typedef struct {
    const char *name;
    int flags;
    NameAccess access;
    int slot;           /* local slot for LOCAL/CELL/FREE, else -1 */
    const AstNode *decl; /* the global/nonlocal statement, for errors */
} Symbol;

typedef struct Scope Scope;
struct Scope {
    ScopeKind kind;
    const char *name;       /* "f", "<lambda>", "<listcomp>", "C", "<module>" */
    char *qualname;
    Scope *parent;
    AstNode *node;          /* FUNCDEF/LAMBDA/CLASSDEF/comprehension, NULL for module */
    Symbol *syms;
    int nsyms, capacity;
    Scope **children;
    int nchildren, children_capacity;
    bool generator;         /* contains yield (or is a generator expression) */
    bool comprehension;
    bool class_method;      /* a def directly inside a class body */
    /* Slot layout, filled by the analysis for function and class scopes. */
    const char **varnames;
    int nvarnames;
    int nargs, nkwonly, nfree;
    bool varargs, varkw;
};

/* Analyse a parsed module.  Returns the module scope (allocated in the
 * arena; def/lambda/class/comprehension nodes get node->scope set), or NULL
 * with *err filled on a scope error such as "no binding for nonlocal 'x'
 * found". */
Scope *vm_symtable_build(AstArena *arena, AstList *body, VmCompileError *err);

/* Resolve `name` as seen from `scope`. */
const Symbol *vm_symtable_lookup(const Scope *scope, const char *name);

#endif /* GILT_VM_COMPILE_SYMTABLE_H */
