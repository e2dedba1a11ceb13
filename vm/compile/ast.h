/*
 * vm/compile/ast.h - the abstract syntax tree the parser builds and the compiler
 * walks.
 *
 * One node struct serves every kind, with generic child slots whose meaning
 * per kind is listed next to the kind below; that keeps the parser, the
 * symbol table pass and the compiler free of per-kind boilerplate.  All
 * nodes live in an arena owned by the compilation (allocated through
 * vm_realloc with no heap), freed in one go after code generation.
 */
#ifndef GILT_VM_COMPILE_AST_H
#define GILT_VM_COMPILE_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VM_AST_KINDS(X)                                                       \
    /* statements */                                                          \
    X(EXPR_STMT)   /* a: expression */                                        \
    X(ASSIGN)      /* list: targets (a = b = v), a: value */                  \
    X(AUGASSIGN)   /* a: target, op: binary TokenType, b: value */            \
    X(ANNASSIGN)   /* a: target, b: value or NULL (annotation dropped) */     \
    X(FUNCDEF)     /* name, params, list: body, list2: decorators */          \
    X(RETURN)      /* a: value or NULL */                                     \
    X(GLOBAL)      /* list: NAME nodes */                                     \
    X(NONLOCAL)    /* list: NAME nodes */                                     \
    X(CLASSDEF)    /* name, a: base or NULL, list: body, list2: decorators */ \
    X(IF)          /* a: test, list: body, list2: orelse */                   \
    X(WHILE)       /* a: test, list: body, list2: orelse */                   \
    X(FOR)         /* a: target, b: iterable, list: body, list2: orelse */    \
    X(BREAK) X(CONTINUE) X(PASS)                                              \
    X(DEL)         /* list: targets */                                        \
    X(TRY)         /* list: body, list2: handlers, list3: orelse,             \
                      list4: finally body */                                  \
    X(HANDLER)     /* a: type or NULL, name or NULL, list: body */            \
    X(RAISE)       /* a: exception or NULL, b: cause or NULL */               \
    X(WITH)        /* list2: WITHITEMs, list: body */                         \
    X(WITHITEM)    /* a: context manager, b: target or NULL */                \
    X(ASSERT)      /* a: test, b: message or NULL */                          \
    X(IMPORT)      /* list: ALIAS nodes */                                    \
    X(IMPORTFROM)  /* name: module, list: ALIAS nodes */                      \
    X(ALIAS)       /* name (dotted), str: as-name or NULL */                  \
    /* expressions */                                                         \
    X(NAME)        /* name */                                                 \
    X(INT)         /* ival */                                                 \
    X(FLOAT)       /* fval */                                                 \
    X(STR)         /* str/slen: decoded UTF-8 */                              \
    X(NONE) X(TRUE) X(FALSE)                                                  \
    X(JOINEDSTR)   /* list: STR and FORMATTED parts (an f-string) */          \
    X(FORMATTED)   /* a: value, op: conversion (-1, 's', 'r', 'a'),           \
                      b: spec (JOINEDSTR) or NULL */                          \
    X(BINOP)       /* op: TokenType (TOK_PLUS ...), a, b */                   \
    X(UNARYOP)     /* op: TOK_MINUS/TOK_PLUS/TOK_TILDE/TOK_NOT, a */          \
    X(BOOLOP)      /* op: TOK_AND/TOK_OR, list: two or more values */         \
    X(COMPARE)     /* a: left, list: comparators, ops[]: one per comparator  \
                      (TOK_LT ..., TOK_IN, TOK_IS, NOT_IN, IS_NOT) */         \
    X(IFEXP)       /* a: test, b: body, c: orelse */                          \
    X(LAMBDA)      /* params, a: body */                                      \
    X(CALL)        /* a: function, list: args (STARRED for *x),               \
                      list2: KEYWORDs */                                      \
    X(KEYWORD)     /* name (NULL for **x), a: value */                        \
    X(ATTRIBUTE)   /* a: object, name */                                      \
    X(SUBSCRIPT)   /* a: object, b: index (SLICE, TUPLE ...) */               \
    X(SLICE)       /* a: lower, b: upper, c: step; each may be NULL */        \
    X(STARRED)     /* a: value */                                             \
    X(TUPLE)       /* list: items */                                          \
    X(LIST)        /* list: items */                                          \
    X(DICT)        /* list: keys (NULL for **x), list2: values */             \
    X(LISTCOMP)    /* a: element, list: COMPREHENSIONs */                     \
    X(DICTCOMP)    /* a: key, b: value, list: COMPREHENSIONs */               \
    X(GENEXP)      /* a: element, list: COMPREHENSIONs */                     \
    X(COMPREHENSION) /* a: target, b: iterable, list: if-conditions */        \
    X(YIELD)       /* a: value or NULL */                                     \
    X(ARG)         /* name, a: default or NULL (a parameter) */

typedef enum {
#define VM_AST_ENUM(k) AST_##k,
    VM_AST_KINDS(VM_AST_ENUM)
#undef VM_AST_ENUM
    AST__COUNT
} AstKind;

/* Comparison operators beyond the token types. */
enum { AST_CMP_NOT_IN = 1000, AST_CMP_IS_NOT = 1001 };

typedef struct AstNode AstNode;

typedef struct {
    AstNode **items;
    int count;
    int capacity;
} AstList;

/* Parameters of a def or lambda. */
typedef struct {
    AstList args;        /* ARG nodes: positional parameters */
    AstList kwonly;      /* ARG nodes after * or *args */
    AstNode *vararg;     /* ARG for *args, or NULL */
    AstNode *kwarg;      /* ARG for **kwargs, or NULL */
} AstParams;

struct AstNode {
    AstKind kind;
    int line, col;       /* 1-based start of the node */
    int op;
    AstNode *a, *b, *c;
    AstList list, list2, list3, list4;
    const char *name;    /* NUL-terminated identifier (arena copy) */
    char *str;           /* decoded string bytes (STR), NUL-terminated */
    int64_t slen;
    int64_t ival;
    double fval;
    int *ops;            /* COMPARE operators */
    AstParams *params;   /* FUNCDEF, LAMBDA */
    void *scope;         /* symtable scope of a def/lambda/class/comprehension */
};

/* The arena every node of one compilation is allocated from. */
typedef struct AstArenaChunk AstArenaChunk;
typedef struct {
    AstArenaChunk *chunks;
} AstArena;

void vm_ast_arena_init(AstArena *arena);
void vm_ast_arena_fini(AstArena *arena);
/* Zeroed, 16-byte aligned memory that lives until vm_ast_arena_fini. */
void *vm_ast_alloc(AstArena *arena, size_t size);
char *vm_ast_strdup(AstArena *arena, const char *s, size_t len);

AstNode *vm_ast_new(AstArena *arena, AstKind kind, int line, int col);
void vm_ast_list_push(AstArena *arena, AstList *list, AstNode *node);

const char *vm_ast_kind_name(AstKind kind);

/* Print a node as an S-expression, e.g. "(Assign (targets (Name x)) (Int 1))"
 * - the parser tests compare these. */
void vm_ast_print(FILE *out, const AstNode *node);
/* A whole module: "(Module stmt ...)". */
void vm_ast_print_module(FILE *out, const AstList *body);

#endif /* GILT_VM_COMPILE_AST_H */
