/*
 * vm/compile/ast.c - AST allocation (a bump arena) and the S-expression printer the
 * parser tests use to check tree shapes.
 */
#include "vm/compile/ast.h"

#include <string.h>

#include "vm/compile/lexer.h"
#include "vm/runtime/memory.h"

#define ARENA_CHUNK_SIZE (64 * 1024)

struct AstArenaChunk {
    AstArenaChunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

void vm_ast_arena_init(AstArena *arena) { arena->chunks = NULL; }

void vm_ast_arena_fini(AstArena *arena) {
    AstArenaChunk *c = arena->chunks;
    while (c) {
        AstArenaChunk *next = c->next;
        vm_realloc(NULL, c, sizeof *c + c->size, 0);
        c = next;
    }
    arena->chunks = NULL;
}

void *vm_ast_alloc(AstArena *arena, size_t size) {
    size = (size + 15) & ~(size_t)15;
    AstArenaChunk *c = arena->chunks;
    if (!c || c->used + size > c->size) {
        size_t cap = size > ARENA_CHUNK_SIZE ? size : ARENA_CHUNK_SIZE;
        c = vm_realloc(NULL, NULL, 0, sizeof *c + cap);
        c->size = cap;
        c->used = 0;
        c->next = arena->chunks;
        arena->chunks = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *vm_ast_strdup(AstArena *arena, const char *s, size_t len) {
    char *d = vm_ast_alloc(arena, len + 1);
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

AstNode *vm_ast_new(AstArena *arena, AstKind kind, int line, int col) {
    AstNode *n = vm_ast_alloc(arena, sizeof *n);
    n->kind = kind;
    n->line = line;
    n->col = col;
    n->op = -1;
    return n;
}

void vm_ast_list_push(AstArena *arena, AstList *list, AstNode *node) {
    if (list->count == list->capacity) {
        int cap = list->capacity < 4 ? 4 : list->capacity * 2;
        AstNode **items = vm_ast_alloc(arena, sizeof(AstNode *) * (size_t)cap);
        if (list->count)
            memcpy(items, list->items, sizeof(AstNode *) * (size_t)list->count);
        list->items = items;
        list->capacity = cap;
    }
    list->items[list->count++] = node;
}

static const char *const kind_names[] = {
#define VM_AST_NAME(k) #k,
    VM_AST_KINDS(VM_AST_NAME)
#undef VM_AST_NAME
};

const char *vm_ast_kind_name(AstKind kind) {
    return (unsigned)kind < AST__COUNT ? kind_names[kind] : "?";
}

static void print_list(FILE *out, const char *label, const AstList *l) {
    fprintf(out, " (%s", label);
    for (int i = 0; i < l->count; i++) {
        fputc(' ', out);
        vm_ast_print(out, l->items[i]);
    }
    fputc(')', out);
}

static void print_opt(FILE *out, const AstNode *n) {
    fputc(' ', out);
    vm_ast_print(out, n);
}

static const char *op_text(int op) {
    if (op == AST_CMP_NOT_IN) return "not in";
    if (op == AST_CMP_IS_NOT) return "is not";
    return vm_token_type_name((TokenType)op);
}

static void print_params(FILE *out, const AstParams *p) {
    fputs(" (params", out);
    for (int i = 0; i < p->args.count; i++) print_opt(out, p->args.items[i]);
    if (p->vararg) {
        fputs(" *", out);
        vm_ast_print(out, p->vararg);
    } else if (p->kwonly.count) {
        fputs(" *", out);
    }
    for (int i = 0; i < p->kwonly.count; i++) print_opt(out, p->kwonly.items[i]);
    if (p->kwarg) {
        fputs(" **", out);
        vm_ast_print(out, p->kwarg);
    }
    fputc(')', out);
}

static void print_items(FILE *out, const AstList *l) {
    for (int i = 0; i < l->count; i++) print_opt(out, l->items[i]);
}

void vm_ast_print(FILE *out, const AstNode *n) {
    if (!n) {
        fputs("-", out);
        return;
    }
    switch (n->kind) {
    case AST_NAME: fprintf(out, "(Name %s)", n->name); return;
    case AST_INT: fprintf(out, "(Int %lld)", (long long)n->ival); return;
    case AST_FLOAT: fprintf(out, "(Float %.17g)", n->fval); return;
    case AST_STR:
        fputs("(Str \"", out);
        for (int64_t i = 0; i < n->slen; i++) {
            unsigned char ch = (unsigned char)n->str[i];
            if (ch == '\n') fputs("\\n", out);
            else if (ch == '"' || ch == '\\') fprintf(out, "\\%c", ch);
            else if (ch < 0x20) fprintf(out, "\\x%02x", ch);
            else fputc(ch, out);
        }
        fputs("\")", out);
        return;
    case AST_NONE: fputs("(None)", out); return;
    case AST_TRUE: fputs("(True)", out); return;
    case AST_FALSE: fputs("(False)", out); return;
    case AST_BREAK: fputs("(Break)", out); return;
    case AST_CONTINUE: fputs("(Continue)", out); return;
    case AST_PASS: fputs("(Pass)", out); return;
    default: break;
    }
    fprintf(out, "(%s", vm_ast_kind_name(n->kind));
    switch (n->kind) {
    case AST_EXPR_STMT: case AST_STARRED: case AST_YIELD: case AST_RETURN:
        print_opt(out, n->a);
        break;
    case AST_ASSIGN:
        print_list(out, "targets", &n->list);
        print_opt(out, n->a);
        break;
    case AST_AUGASSIGN: case AST_BINOP:
        fprintf(out, " %s", op_text(n->op));
        print_opt(out, n->a);
        print_opt(out, n->b);
        break;
    case AST_UNARYOP:
        fprintf(out, " %s", op_text(n->op));
        print_opt(out, n->a);
        break;
    case AST_ANNASSIGN: case AST_RAISE: case AST_ASSERT: case AST_WITHITEM:
    case AST_SUBSCRIPT:
        print_opt(out, n->a);
        print_opt(out, n->b);
        break;
    case AST_FUNCDEF:
        fprintf(out, " %s", n->name);
        print_params(out, n->params);
        print_list(out, "body", &n->list);
        if (n->list2.count) print_list(out, "decorators", &n->list2);
        break;
    case AST_LAMBDA:
        print_params(out, n->params);
        print_opt(out, n->a);
        break;
    case AST_ARG:
        fprintf(out, " %s", n->name);
        if (n->a) print_opt(out, n->a);
        break;
    case AST_GLOBAL: case AST_NONLOCAL: case AST_DEL: case AST_TUPLE:
    case AST_LIST: case AST_JOINEDSTR: case AST_IMPORT:
        print_items(out, &n->list);
        break;
    case AST_CLASSDEF:
        fprintf(out, " %s", n->name);
        print_opt(out, n->a);
        print_list(out, "body", &n->list);
        if (n->list2.count) print_list(out, "decorators", &n->list2);
        break;
    case AST_IF: case AST_WHILE:
        print_opt(out, n->a);
        print_list(out, "body", &n->list);
        if (n->list2.count) print_list(out, "else", &n->list2);
        break;
    case AST_FOR:
        print_opt(out, n->a);
        print_opt(out, n->b);
        print_list(out, "body", &n->list);
        if (n->list2.count) print_list(out, "else", &n->list2);
        break;
    case AST_TRY:
        print_list(out, "body", &n->list);
        if (n->list2.count) print_list(out, "handlers", &n->list2);
        if (n->list3.count) print_list(out, "else", &n->list3);
        if (n->list4.count) print_list(out, "finally", &n->list4);
        break;
    case AST_HANDLER:
        print_opt(out, n->a);
        fprintf(out, " %s", n->name ? n->name : "-");
        print_list(out, "body", &n->list);
        break;
    case AST_WITH:
        print_items(out, &n->list2);
        print_list(out, "body", &n->list);
        break;
    case AST_IMPORTFROM:
        fprintf(out, " %s", n->name);
        print_items(out, &n->list);
        break;
    case AST_ALIAS:
        fprintf(out, " %s", n->name);
        if (n->str) fprintf(out, " %s", n->str);
        break;
    case AST_FORMATTED:
        print_opt(out, n->a);
        if (n->op > 0) fprintf(out, " !%c", n->op);
        if (n->b) print_opt(out, n->b);
        break;
    case AST_BOOLOP:
        fprintf(out, " %s", op_text(n->op));
        print_items(out, &n->list);
        break;
    case AST_COMPARE:
        print_opt(out, n->a);
        for (int i = 0; i < n->list.count; i++) {
            fprintf(out, " %s", op_text(n->ops[i]));
            print_opt(out, n->list.items[i]);
        }
        break;
    case AST_IFEXP: case AST_SLICE:
        print_opt(out, n->a);
        print_opt(out, n->b);
        print_opt(out, n->c);
        break;
    case AST_CALL:
        print_opt(out, n->a);
        print_items(out, &n->list);
        print_items(out, &n->list2);
        break;
    case AST_KEYWORD:
        fprintf(out, " %s", n->name ? n->name : "**");
        print_opt(out, n->a);
        break;
    case AST_ATTRIBUTE:
        print_opt(out, n->a);
        fprintf(out, " %s", n->name);
        break;
    case AST_DICT:
        for (int i = 0; i < n->list.count; i++) {
            if (n->list.items[i]) print_opt(out, n->list.items[i]);
            else fputs(" **", out);
            print_opt(out, n->list2.items[i]);
        }
        break;
    case AST_LISTCOMP: case AST_GENEXP:
        print_opt(out, n->a);
        print_items(out, &n->list);
        break;
    case AST_DICTCOMP:
        print_opt(out, n->a);
        print_opt(out, n->b);
        print_items(out, &n->list);
        break;
    case AST_COMPREHENSION:
        print_opt(out, n->a);
        print_opt(out, n->b);
        for (int i = 0; i < n->list.count; i++) {
            fputs(" if", out);
            print_opt(out, n->list.items[i]);
        }
        break;
    default:
        break;
    }
    fputc(')', out);
}

void vm_ast_print_module(FILE *out, const AstList *body) {
    fputs("(Module", out);
    for (int i = 0; i < body->count; i++) print_opt(out, body->items[i]);
    fputc(')', out);
}
