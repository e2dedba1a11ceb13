/*
 * vm/compile/symtable.c - scope analysis (see vm/compile/symtable.h for the model).
 *
 * Pass one walks the AST and records, per scope, every name with how it is
 * used.  Pass two resolves each scope top-down: explicit `global` names and
 * unbound names are globals, assigned names and parameters are locals, and
 * a name neither bound here nor global is free if an enclosing function
 * binds it.  Free variables propagate upwards: every scope between the user
 * and the binder passes the variable through (as a free variable of its
 * own), and the binder turns its local into a cell.  Errors carry CPython's
 * messages and unwind with longjmp; everything lives in the AST arena.
 */
#include "vm/compile/symtable.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vm/compile/lexer.h"

typedef struct {
    AstArena *arena;
    VmCompileError *err;
    jmp_buf fail;
    int depth;          /* statements and expressions being visited */
} Builder;

static _Noreturn void st_error(Builder *b, const AstNode *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static _Noreturn void st_error(Builder *b, const AstNode *at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->err->message, sizeof b->err->message, fmt, ap);
    va_end(ap);
    snprintf(b->err->type, sizeof b->err->type, "SyntaxError");
    b->err->line = at ? at->line : 1;
    b->err->col = at ? at->col : 1;
    longjmp(b->fail, 1);
}

static Symbol *find(const Scope *s, const char *name) {
    for (int i = 0; i < s->nsyms; i++)
        if (strcmp(s->syms[i].name, name) == 0) return &s->syms[i];
    return NULL;
}

static Symbol *add(Builder *b, Scope *s, const char *name) {
    Symbol *sym = find(s, name);
    if (sym) return sym;
    if (s->nsyms == s->capacity) {
        int cap = s->capacity < 8 ? 8 : s->capacity * 2;
        Symbol *syms = vm_ast_alloc(b->arena, sizeof(Symbol) * (size_t)cap);
        if (s->nsyms) memcpy(syms, s->syms, sizeof(Symbol) * (size_t)s->nsyms);
        s->syms = syms;
        s->capacity = cap;
    }
    sym = &s->syms[s->nsyms++];
    sym->name = name;
    sym->flags = 0;
    sym->access = NAME_GLOBAL;
    sym->slot = -1;
    sym->decl = NULL;
    return sym;
}

static char *concat3(Builder *b, const char *x, const char *y, const char *z) {
    size_t lx = strlen(x), ly = strlen(y), lz = strlen(z);
    char *r = vm_ast_alloc(b->arena, lx + ly + lz + 1);
    memcpy(r, x, lx);
    memcpy(r + lx, y, ly);
    memcpy(r + lx + ly, z, lz + 1);
    return r;
}

static Scope *new_scope(Builder *b, ScopeKind kind, const char *name, Scope *parent,
                        AstNode *node) {
    Scope *s = vm_ast_alloc(b->arena, sizeof *s);
    s->kind = kind;
    s->name = name;
    s->parent = parent;
    s->node = node;
    if (node) node->scope = s;
    if (!parent || parent->kind == SCOPE_MODULE)
        s->qualname = concat3(b, name, "", "");
    else if (parent->kind == SCOPE_CLASS)
        s->qualname = concat3(b, parent->qualname, ".", name);
    else
        s->qualname = concat3(b, parent->qualname, ".<locals>.", name);
    if (parent) {
        if (parent->nchildren == parent->children_capacity) {
            int cap = parent->children_capacity < 4 ? 4 : parent->children_capacity * 2;
            Scope **c = vm_ast_alloc(b->arena, sizeof(Scope *) * (size_t)cap);
            if (parent->nchildren)
                memcpy(c, parent->children, sizeof(Scope *) * (size_t)parent->nchildren);
            parent->children = c;
            parent->children_capacity = cap;
        }
        parent->children[parent->nchildren++] = s;
    }
    return s;
}

/* ---- pass one: record uses ------------------------------------------- */

static void visit_expr(Builder *b, Scope *s, AstNode *e);
static void visit_stmts(Builder *b, Scope *s, AstList *l);

static void use_name(Builder *b, Scope *s, const char *name) {
    add(b, s, name)->flags |= SYM_USED;
}

static void bind_name(Builder *b, Scope *s, const char *name) {
    add(b, s, name)->flags |= SYM_ASSIGNED;
}

/* A store or delete target. */
static void visit_target(Builder *b, Scope *s, AstNode *t) {
    switch (t->kind) {
    case AST_NAME: bind_name(b, s, t->name); break;
    case AST_TUPLE: case AST_LIST:
        for (int i = 0; i < t->list.count; i++) visit_target(b, s, t->list.items[i]);
        break;
    case AST_STARRED: visit_target(b, s, t->a); break;
    case AST_ATTRIBUTE: visit_expr(b, s, t->a); break;
    case AST_SUBSCRIPT:
        visit_expr(b, s, t->a);
        visit_expr(b, s, t->b);
        break;
    default: visit_expr(b, s, t); break;
    }
}

static void add_param(Builder *b, Scope *s, AstNode *arg) {
    Symbol *sym = find(s, arg->name);
    if (sym && (sym->flags & SYM_PARAM))
        st_error(b, arg, "duplicate argument '%s' in function definition", arg->name);
    sym = add(b, s, arg->name);
    sym->flags |= SYM_PARAM;
}

/* Defaults are evaluated in the enclosing scope; the body gets a scope of
 * its own holding the parameters. */
static Scope *visit_function(Builder *b, Scope *s, AstNode *fn, const char *name) {
    AstParams *p = fn->params;
    for (int i = 0; i < p->args.count; i++)
        if (p->args.items[i]->a) visit_expr(b, s, p->args.items[i]->a);
    for (int i = 0; i < p->kwonly.count; i++)
        if (p->kwonly.items[i]->a) visit_expr(b, s, p->kwonly.items[i]->a);
    Scope *f = new_scope(b, SCOPE_FUNCTION, name, s, fn);
    f->class_method = s->kind == SCOPE_CLASS;
    for (int i = 0; i < p->args.count; i++) add_param(b, f, p->args.items[i]);
    for (int i = 0; i < p->kwonly.count; i++) add_param(b, f, p->kwonly.items[i]);
    if (p->vararg) add_param(b, f, p->vararg);
    if (p->kwarg) add_param(b, f, p->kwarg);
    f->nargs = p->args.count;
    f->nkwonly = p->kwonly.count;
    f->varargs = p->vararg != NULL;
    f->varkw = p->kwarg != NULL;
    return f;
}

static void visit_comprehension(Builder *b, Scope *s, AstNode *e, const char *name) {
    AstNode *first = e->list.items[0];
    visit_expr(b, s, first->b);
    Scope *c = new_scope(b, SCOPE_FUNCTION, name, s, e);
    c->comprehension = true;
    c->generator = e->kind == AST_GENEXP;
    c->nargs = 1;
    add(b, c, ".0")->flags |= SYM_PARAM;
    for (int i = 0; i < e->list.count; i++) {
        AstNode *gen = e->list.items[i];
        if (i > 0) visit_expr(b, c, gen->b);
        visit_target(b, c, gen->a);
        for (int j = 0; j < gen->list.count; j++) visit_expr(b, c, gen->list.items[j]);
    }
    if (e->a) visit_expr(b, c, e->a);
    if (e->b) visit_expr(b, c, e->b);
}

static void visit_expr_node(Builder *b, Scope *s, AstNode *e) {
    switch (e->kind) {
    case AST_NAME:
        use_name(b, s, e->name);
        /* Zero-argument super() needs the method's first parameter. */
        break;
    case AST_INT: case AST_FLOAT: case AST_STR: case AST_NONE: case AST_TRUE:
    case AST_FALSE:
        break;
    case AST_LAMBDA: {
        Scope *f = visit_function(b, s, e, "<lambda>");
        visit_expr(b, f, e->a);
        break;
    }
    case AST_LISTCOMP: visit_comprehension(b, s, e, "<listcomp>"); break;
    case AST_DICTCOMP: visit_comprehension(b, s, e, "<dictcomp>"); break;
    case AST_GENEXP: visit_comprehension(b, s, e, "<genexpr>"); break;
    case AST_YIELD:
        if (s->kind != SCOPE_FUNCTION) st_error(b, e, "'yield' outside function");
        if (s->comprehension) {
            const char *what = s->node->kind == AST_LISTCOMP ? "list comprehension"
                               : s->node->kind == AST_DICTCOMP ? "dict comprehension"
                                                               : "generator expression";
            st_error(b, e, "'yield' inside %s", what);
        }
        s->generator = true;
        visit_expr(b, s, e->a);
        break;
    case AST_COMPARE:
        visit_expr(b, s, e->a);
        for (int i = 0; i < e->list.count; i++) visit_expr(b, s, e->list.items[i]);
        break;
    case AST_DICT:
        for (int i = 0; i < e->list.count; i++) {
            visit_expr(b, s, e->list.items[i]);
            visit_expr(b, s, e->list2.items[i]);
        }
        break;
    case AST_CALL:
        visit_expr(b, s, e->a);
        for (int i = 0; i < e->list.count; i++) visit_expr(b, s, e->list.items[i]);
        for (int i = 0; i < e->list2.count; i++) visit_expr(b, s, e->list2.items[i]->a);
        break;
    default:
        visit_expr(b, s, e->a);
        visit_expr(b, s, e->b);
        visit_expr(b, s, e->c);
        for (int i = 0; i < e->list.count; i++) visit_expr(b, s, e->list.items[i]);
        for (int i = 0; i < e->list2.count; i++) visit_expr(b, s, e->list2.items[i]);
        break;
    }
}

static void declare(Builder *b, Scope *s, AstNode *stmt, bool global) {
    const char *kw = global ? "global" : "nonlocal";
    if (!global && s->kind == SCOPE_MODULE)
        st_error(b, stmt, "nonlocal declaration not allowed at module level");
    for (int i = 0; i < stmt->list.count; i++) {
        const char *name = stmt->list.items[i]->name;
        Symbol *sym = find(s, name);
        if (sym) {
            if (sym->flags & SYM_PARAM)
                st_error(b, stmt, "name '%s' is parameter and %s", name, kw);
            if (global && (sym->flags & SYM_NONLOCAL))
                st_error(b, stmt, "name '%s' is nonlocal and global", name);
            if (!global && (sym->flags & SYM_GLOBAL))
                st_error(b, stmt, "name '%s' is nonlocal and global", name);
            if (sym->flags & SYM_USED)
                st_error(b, stmt, "name '%s' is used prior to %s declaration", name, kw);
            if (sym->flags & SYM_ASSIGNED)
                st_error(b, stmt, "name '%s' is assigned to before %s declaration", name, kw);
        }
        sym = add(b, s, name);
        sym->flags |= global ? SYM_GLOBAL : SYM_NONLOCAL;
        sym->decl = stmt;
    }
}

/* visit_expr and visit_stmt count the nesting, as CPython's symtable does:
 * `1+1+...+1` is as deep as it is long. */
static void visit_expr(Builder *b, Scope *s, AstNode *e) {
    if (!e) return;
    if (vm_compile_too_deep(++b->depth, e->line, e->col, b->err)) longjmp(b->fail, 1);
    visit_expr_node(b, s, e);
    b->depth--;
}

static void visit_stmt_node(Builder *b, Scope *s, AstNode *st);

static void visit_stmt(Builder *b, Scope *s, AstNode *st) {
    if (vm_compile_too_deep(++b->depth, st->line, st->col, b->err)) longjmp(b->fail, 1);
    visit_stmt_node(b, s, st);
    b->depth--;
}

static void visit_stmt_node(Builder *b, Scope *s, AstNode *st) {
    switch (st->kind) {
    case AST_EXPR_STMT: visit_expr(b, s, st->a); break;
    case AST_ASSIGN:
        visit_expr(b, s, st->a);
        for (int i = 0; i < st->list.count; i++) visit_target(b, s, st->list.items[i]);
        break;
    case AST_AUGASSIGN:
        if (st->a->kind == AST_NAME) use_name(b, s, st->a->name);
        visit_target(b, s, st->a);
        visit_expr(b, s, st->b);
        break;
    case AST_ANNASSIGN:
        if (st->b) {
            visit_expr(b, s, st->b);
            visit_target(b, s, st->a);
        } else if (st->a->kind != AST_NAME) {
            visit_target(b, s, st->a);
        } else {
            /* `x: int` alone makes x local without binding it. */
            bind_name(b, s, st->a->name);
        }
        break;
    case AST_FUNCDEF: {
        for (int i = 0; i < st->list2.count; i++) visit_expr(b, s, st->list2.items[i]);
        Scope *f = visit_function(b, s, st, st->name);
        bind_name(b, s, st->name);
        visit_stmts(b, f, &st->list);
        break;
    }
    case AST_CLASSDEF: {
        for (int i = 0; i < st->list2.count; i++) visit_expr(b, s, st->list2.items[i]);
        visit_expr(b, s, st->a);
        Scope *c = new_scope(b, SCOPE_CLASS, st->name, s, st);
        visit_stmts(b, c, &st->list);
        bind_name(b, s, st->name);
        break;
    }
    case AST_RETURN:
        if (s->kind != SCOPE_FUNCTION) st_error(b, st, "'return' outside function");
        visit_expr(b, s, st->a);
        break;
    case AST_GLOBAL: declare(b, s, st, true); break;
    case AST_NONLOCAL: declare(b, s, st, false); break;
    case AST_IF: case AST_WHILE:
        visit_expr(b, s, st->a);
        visit_stmts(b, s, &st->list);
        visit_stmts(b, s, &st->list2);
        break;
    case AST_FOR:
        visit_expr(b, s, st->b);
        visit_target(b, s, st->a);
        visit_stmts(b, s, &st->list);
        visit_stmts(b, s, &st->list2);
        break;
    case AST_DEL:
        for (int i = 0; i < st->list.count; i++) visit_target(b, s, st->list.items[i]);
        break;
    case AST_TRY:
        visit_stmts(b, s, &st->list);
        for (int i = 0; i < st->list2.count; i++) {
            AstNode *h = st->list2.items[i];
            visit_expr(b, s, h->a);
            if (h->name) bind_name(b, s, h->name);
            visit_stmts(b, s, &h->list);
        }
        visit_stmts(b, s, &st->list3);
        visit_stmts(b, s, &st->list4);
        break;
    case AST_RAISE: case AST_ASSERT:
        visit_expr(b, s, st->a);
        visit_expr(b, s, st->b);
        break;
    case AST_WITH:
        for (int i = 0; i < st->list2.count; i++) {
            AstNode *item = st->list2.items[i];
            visit_expr(b, s, item->a);
            if (item->b) visit_target(b, s, item->b);
        }
        visit_stmts(b, s, &st->list);
        break;
    case AST_IMPORT:
        for (int i = 0; i < st->list.count; i++) {
            AstNode *al = st->list.items[i];
            if (al->str) {
                bind_name(b, s, al->str);
            } else {
                const char *dot = strchr(al->name, '.');
                bind_name(b, s, dot ? vm_ast_strdup(b->arena, al->name,
                                                    (size_t)(dot - al->name))
                                    : al->name);
            }
        }
        break;
    case AST_IMPORTFROM:
        for (int i = 0; i < st->list.count; i++) {
            AstNode *al = st->list.items[i];
            bind_name(b, s, al->str ? al->str : al->name);
        }
        break;
    case AST_BREAK: case AST_CONTINUE: case AST_PASS:
        break;
    default:
        visit_expr(b, s, st);
        break;
    }
}

static void visit_stmts(Builder *b, Scope *s, AstList *l) {
    for (int i = 0; i < l->count; i++) visit_stmt(b, s, l->items[i]);
}

/* ---- pass two: resolve ------------------------------------------------ */

/* Names bound by enclosing function scopes, visible to a nested scope. */
typedef struct {
    const char **names;
    int count;
} NameSet;

static bool set_has(const NameSet *set, const char *name) {
    for (int i = 0; i < set->count; i++)
        if (strcmp(set->names[i], name) == 0) return true;
    return false;
}

static void analyze(Builder *b, Scope *s, const NameSet *bound);

/* A child needs `name` free: make it a cell here if we bind it, otherwise
 * pass it through as a free variable of our own. */
static void child_needs(Builder *b, Scope *s, const char *name) {
    Symbol *sym = add(b, s, name);
    if (s->kind == SCOPE_FUNCTION &&
        (sym->access == NAME_LOCAL || sym->access == NAME_CELL)) {
        sym->access = NAME_CELL;
        return;
    }
    if (sym->access == NAME_FREE) return;
    if (s->kind == SCOPE_CLASS && sym->access == NAME_CLASS) {
        /* The class body binds the name itself, but methods see the
         * enclosing function's variable: pass it through without making
         * the class's own accesses use it. */
        sym->flags |= SYM_CHILD_FREE;
        return;
    }
    sym->access = NAME_FREE;
}

static void analyze(Builder *b, Scope *s, const NameSet *bound) {
    for (int i = 0; i < s->nsyms; i++) {
        Symbol *sym = &s->syms[i];
        if (s->kind == SCOPE_MODULE) {
            sym->access = NAME_GLOBAL;
            continue;
        }
        if (sym->flags & SYM_GLOBAL) {
            sym->access = NAME_GLOBAL;
        } else if (sym->flags & SYM_NONLOCAL) {
            if (!set_has(bound, sym->name)) {
                const AstNode *at = sym->decl ? sym->decl : s->node;
                st_error(b, at, "no binding for nonlocal '%s' found", sym->name);
            }
            sym->access = NAME_FREE;
        } else if (sym->flags & (SYM_ASSIGNED | SYM_PARAM)) {
            sym->access = s->kind == SCOPE_CLASS ? NAME_CLASS : NAME_LOCAL;
        } else if (set_has(bound, sym->name)) {
            sym->access = NAME_FREE;
        } else {
            sym->access = s->kind == SCOPE_CLASS ? NAME_CLASS : NAME_GLOBAL;
        }
    }
    /* What the children can see: for a function, everything bound by the
     * enclosing functions plus its own locals, minus its globals. */
    NameSet child_bound = *bound;
    if (s->kind == SCOPE_FUNCTION) {
        int n = bound->count + s->nsyms;
        child_bound.names = vm_ast_alloc(b->arena, sizeof(char *) * (size_t)(n + 1));
        child_bound.count = 0;
        for (int i = 0; i < bound->count; i++) {
            Symbol *mine = find(s, bound->names[i]);
            if (mine && mine->access == NAME_GLOBAL) continue;
            child_bound.names[child_bound.count++] = bound->names[i];
        }
        for (int i = 0; i < s->nsyms; i++)
            if (s->syms[i].access == NAME_LOCAL && !set_has(bound, s->syms[i].name))
                child_bound.names[child_bound.count++] = s->syms[i].name;
    } else if (s->kind == SCOPE_MODULE) {
        child_bound.names = NULL;
        child_bound.count = 0;
    }
    for (int c = 0; c < s->nchildren; c++) {
        Scope *child = s->children[c];
        analyze(b, child, &child_bound);
        for (int i = 0; i < child->nsyms; i++) {
            Symbol *cs = &child->syms[i];
            if (cs->access == NAME_FREE || (cs->flags & SYM_CHILD_FREE))
                child_needs(b, s, cs->name);
        }
    }
    if (s->kind == SCOPE_MODULE) return;

    /* Slot layout: parameters in declaration order, then locals and cells,
     * then free variables (the interpreter fills those from the closure). */
    int n = 0;
    s->varnames = vm_ast_alloc(b->arena, sizeof(char *) * (size_t)(s->nsyms + 1));
    if (s->kind == SCOPE_FUNCTION) {
        int nparams = s->nargs + s->nkwonly + s->varargs + s->varkw;
        /* Parameters were added to the symbol list first, in order. */
        for (int i = 0; i < s->nsyms && n < nparams; i++) {
            if (s->syms[i].flags & SYM_PARAM) {
                s->syms[i].slot = n;
                s->varnames[n++] = s->syms[i].name;
            }
        }
        for (int i = 0; i < s->nsyms; i++) {
            Symbol *sym = &s->syms[i];
            if (sym->slot < 0 && (sym->access == NAME_LOCAL || sym->access == NAME_CELL)) {
                sym->slot = n;
                s->varnames[n++] = sym->name;
            }
        }
    }
    int first_free = n;
    for (int i = 0; i < s->nsyms; i++) {
        Symbol *sym = &s->syms[i];
        if (sym->access == NAME_FREE || (sym->flags & SYM_CHILD_FREE)) {
            sym->slot = n;
            s->varnames[n++] = sym->name;
        }
    }
    s->nfree = n - first_free;
    s->nvarnames = n;
}

Scope *vm_symtable_build(AstArena *arena, AstList *body, VmCompileError *err) {
    Builder b;
    b.arena = arena;
    b.err = err;
    b.depth = 0;
    if (setjmp(b.fail)) return NULL;
    Scope *module = new_scope(&b, SCOPE_MODULE, "<module>", NULL, NULL);
    visit_stmts(&b, module, body);
    NameSet none = {NULL, 0};
    analyze(&b, module, &none);
    return module;
}

const Symbol *vm_symtable_lookup(const Scope *scope, const char *name) {
    return find(scope, name);
}
