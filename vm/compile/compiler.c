/*
 * vm/compile/compiler.c - code generation: AST + scopes to ObjCode objects.
 *
 * One Unit per code object being built (module, def, lambda, class body,
 * comprehension), nested like the scopes.  Instructions follow the
 * conventions of vm/README.md and the semantics column of vm/opcodes.def.
 * Jumps go to labels that are resolved when a unit is finished, so forward
 * and backward jumps are written the same way.  Exception regions are kept
 * as ranges with a label for the handler; a region is split around code
 * that leaves it early (the finally copy run by `return`, the POP_EXCEPT of
 * a `break` out of an except body) so that code is not protected by the
 * region it is leaving.  max_stack comes from a flow analysis over the
 * finished instructions using the stack effects of opcodes.def.
 *
 * All module-global names of a file share one `globals` tuple; its indexes
 * are assigned as names are met and the tuple is built and stored in every
 * code object of the file at the end.
 */
#include "vm/compile/compiler.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vm/compile/ast.h"
#include "vm/compile/lexer.h"
#include "vm/object/list.h"
#include "vm/runtime/cstack.h"
#include "vm/runtime/memory.h"
#include "vm/bytecode/opcodes.h"
#include "vm/compile/parser.h"
#include "vm/object/str.h"
#include "vm/compile/symtable.h"

/* Blocks the compiler is inside of, for break/continue/return. */
typedef enum {
    FB_WHILE,          /* nothing on the stack */
    FB_FOR,            /* the iterator on the stack */
    FB_TRY_FINALLY,    /* in a try body that has a finally */
    FB_TRY_EXCEPT,     /* in a try body with handlers (region only) */
    FB_HANDLER,        /* in an except body: prev exc on the stack */
    FB_FINALLY_EXC,    /* in the exceptional finally copy: prev, exc */
    FB_WITH,           /* in a with body: exit on the stack */
} FBlockKind;

typedef struct {
    FBlockKind kind;
    int continue_label;    /* loops */
    int break_label;       /* loops */
    AstNode *finally_body; /* FB_TRY_FINALLY */
    const char *handler_name; /* FB_HANDLER: the `as` name to clear */
    /* The exception region this block keeps open (-1 for none). */
    int region_label;      /* handler label */
    int region_start;      /* instruction index where the open piece began */
    int region_depth;
} FBlock;

typedef struct {
    uint32_t start, end;
    int handler_label;
    uint32_t depth;
} PendingExc;

typedef struct {
    int instr;
    int label;
} Fixup;

typedef struct Unit Unit;
struct Unit {
    Unit *parent;
    Scope *scope;
    ObjCode *code;
    uint32_t *instrs;
    int32_t *lines, *cols;
    int count, capacity;
    Value *names;
    int nnames, names_capacity;
    PendingExc *excs;
    int nexc, exc_capacity;
    int *labels;
    int nlabels, labels_capacity;
    Fixup *fixups;
    int nfixups, fixups_capacity;
    FBlock fblocks[64];
    int nfblocks;
    int depth;            /* operand stack depth at the current point */
    int extra;            /* values kept under a finally copy (a return value) */
    int line, col;        /* position of the node being compiled */
};

typedef struct {
    VmShared *vm;
    VmCompileError *err;
    jmp_buf fail;
    ObjStr *filename;
    Unit *unit;
    /* File-wide global names: index in the shared globals tuple. */
    ObjStr **globals;
    int nglobals, globals_capacity;
    /* Every code object of the file, to receive the globals tuple. */
    ObjCode **codes;
    int ncodes, codes_capacity;
    int depth;          /* statements and expressions being compiled */
} Compiler;

static _Noreturn void compile_error(Compiler *c, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static _Noreturn void compile_error(Compiler *c, int line, int col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
    va_end(ap);
    snprintf(c->err->type, sizeof c->err->type, "SyntaxError");
    c->err->line = line;
    c->err->col = col;
    longjmp(c->fail, 1);
}

bool vm_compile_too_deep(int depth, int line, int col, VmCompileError *err) {
    if (depth <= GILT_COMPILER_RECURSION_LIMIT && !vm_c_stack_low()) return false;
    snprintf(err->type, sizeof err->type, "RecursionError");
    snprintf(err->message, sizeof err->message,
             "maximum recursion depth exceeded during compilation");
    err->line = line;
    err->col = col;
    return true;
}

/* Bracket the compilation of a node nested one level deeper. */
static void enter(Compiler *c, const AstNode *n) {
    if (vm_compile_too_deep(++c->depth, n->line, n->col, c->err)) longjmp(c->fail, 1);
}
static void leave(Compiler *c) { c->depth--; }

#define GROW(ptr, count, cap, type)                                          \
    do {                                                                     \
        if ((count) == (cap)) {                                              \
            int new_cap_ = (cap) < 8 ? 8 : (cap) * 2;                        \
            (ptr) = VM_GROW_ARRAY(NULL, type, (ptr), (cap), new_cap_);       \
            (cap) = new_cap_;                                                \
        }                                                                    \
    } while (0)

/* ---- emitting --------------------------------------------------------- */

static int emit(Compiler *c, Opcode op, uint32_t arg) {
    Unit *u = c->unit;
    if (arg > VM_ARG_MAX) compile_error(c, u->line, u->col, "too many constants or names");
    if (u->count == u->capacity) {
        int cap = u->capacity < 16 ? 16 : u->capacity * 2;
        u->instrs = VM_GROW_ARRAY(NULL, uint32_t, u->instrs, u->capacity, cap);
        u->lines = VM_GROW_ARRAY(NULL, int32_t, u->lines, u->capacity, cap);
        u->cols = VM_GROW_ARRAY(NULL, int32_t, u->cols, u->capacity, cap);
        u->capacity = cap;
    }
    u->instrs[u->count] = VM_INSTR(op, arg);
    u->lines[u->count] = u->line;
    u->cols[u->count] = u->col;
    u->depth += vm_opcode_stack_effect(op, arg);
    return u->count++;
}

static int new_label(Compiler *c) {
    Unit *u = c->unit;
    GROW(u->labels, u->nlabels, u->labels_capacity, int);
    u->labels[u->nlabels] = -1;
    return u->nlabels++;
}

static void place_label(Compiler *c, int label) { c->unit->labels[label] = c->unit->count; }

static int emit_jump(Compiler *c, Opcode op, int label) {
    Unit *u = c->unit;
    int at = emit(c, op, 0);
    GROW(u->fixups, u->nfixups, u->fixups_capacity, Fixup);
    u->fixups[u->nfixups++] = (Fixup){at, label};
    return at;
}

static void set_pos(Compiler *c, const AstNode *n) {
    c->unit->line = n->line;
    c->unit->col = n->col;
}

static void add_exc(Compiler *c, int start, int end, int handler_label, int depth) {
    Unit *u = c->unit;
    if (start >= end) return;
    GROW(u->excs, u->nexc, u->exc_capacity, PendingExc);
    u->excs[u->nexc++] = (PendingExc){(uint32_t)start, (uint32_t)end, handler_label,
                                      (uint32_t)depth};
}

/* ---- constants and names ---------------------------------------------- */

static int add_const(Compiler *c, Value v) {
    ObjCode *code = c->unit->code;
    for (int i = 0; i < code->consts.count; i++) {
        Value w = code->consts.values[i];
        if (w.type != v.type) continue;
        if (v.type == VAL_INT && w.as.i == v.as.i) return i;
        if (v.type == VAL_FLOAT && memcmp(&w.as.f, &v.as.f, sizeof(double)) == 0) return i;
        if (v.type == VAL_OBJ && w.as.o == v.as.o) return i;
    }
    vm_value_array_write(NULL, &code->consts, v);
    return code->consts.count - 1;
}

static ObjStr *intern(Compiler *c, const char *s) { return vm_str_intern_cstr(c->vm, s); }

static int name_index(Compiler *c, const char *name) {
    Unit *u = c->unit;
    ObjStr *s = intern(c, name);
    for (int i = 0; i < u->nnames; i++)
        if (VM_AS_OBJ(u->names[i]) == (Obj *)s) return i;
    GROW(u->names, u->nnames, u->names_capacity, Value);
    u->names[u->nnames] = VM_OBJ(s);
    return u->nnames++;
}

static int global_index(Compiler *c, const char *name) {
    ObjStr *s = intern(c, name);
    for (int i = 0; i < c->nglobals; i++)
        if (c->globals[i] == s) return i;
    GROW(c->globals, c->nglobals, c->globals_capacity, ObjStr *);
    c->globals[c->nglobals] = s;
    return c->nglobals++;
}

static void emit_load_const(Compiler *c, Value v) { emit(c, OP_LOAD_CONST, (uint32_t)add_const(c, v)); }

static void emit_int(Compiler *c, int64_t v) {
    if (v >= -0x800000 && v <= 0x7FFFFF)
        emit(c, OP_LOAD_SMALL_INT, (uint32_t)(v + VM_SMALL_INT_BIAS));
    else
        emit_load_const(c, VM_INT(v));
}

static Value str_const(Compiler *c, const char *s, int64_t len) {
    return VM_OBJ(vm_str_intern(c->vm, s, len));
}

typedef enum { CTX_LOAD, CTX_STORE, CTX_DEL } NameCtx;

static void compile_name(Compiler *c, const char *name, NameCtx ctx) {
    Scope *s = c->unit->scope;
    static const Opcode global_ops[] = {OP_LOAD_GLOBAL, OP_STORE_GLOBAL, OP_DELETE_GLOBAL};
    static const Opcode fast_ops[] = {OP_LOAD_FAST, OP_STORE_FAST, OP_DELETE_FAST};
    static const Opcode deref_ops[] = {OP_LOAD_DEREF, OP_STORE_DEREF, OP_DELETE_DEREF};
    static const Opcode name_ops[] = {OP_LOAD_NAME, OP_STORE_NAME, OP_DELETE_NAME};
    if (s->kind == SCOPE_MODULE) {
        emit(c, global_ops[ctx], (uint32_t)global_index(c, name));
        return;
    }
    const Symbol *sym = vm_symtable_lookup(s, name);
    NameAccess access = sym ? sym->access : (s->kind == SCOPE_CLASS ? NAME_CLASS : NAME_GLOBAL);
    switch (access) {
    case NAME_GLOBAL:
        emit(c, global_ops[ctx], (uint32_t)global_index(c, name));
        return;
    case NAME_LOCAL:
        emit(c, fast_ops[ctx], (uint32_t)sym->slot);
        return;
    case NAME_CELL:
    case NAME_FREE:
        emit(c, deref_ops[ctx], (uint32_t)sym->slot);
        return;
    case NAME_CLASS:
        emit(c, name_ops[ctx], (uint32_t)name_index(c, name));
        return;
    }
}

/* ---- units ------------------------------------------------------------ */

/* Units live on the scratch heap (not the C stack) so that an error
 * unwinding with longjmp can still release every unit being built. */
static Unit *unit_begin(Compiler *c, Scope *scope, const char *name,
                        const char *qualname, int firstline) {
    Unit *u = vm_realloc(NULL, NULL, 0, sizeof *u);
    memset(u, 0, sizeof *u);
    u->parent = c->unit;
    u->scope = scope;
    u->code = vm_code_new(c->vm);
    u->code->name = intern(c, name);
    u->code->qualname = intern(c, qualname);
    u->code->filename = c->filename;
    u->code->firstline = firstline;
    u->line = firstline;
    u->col = 1;
    GROW(c->codes, c->ncodes, c->codes_capacity, ObjCode *);
    c->codes[c->ncodes++] = u->code;
    c->unit = u;
    /* Captured locals become cells before the body runs. */
    if (scope->kind == SCOPE_FUNCTION) {
        for (int i = 0; i < scope->nsyms; i++)
            if (scope->syms[i].access == NAME_CELL)
                emit(c, OP_MAKE_CELL, (uint32_t)scope->syms[i].slot);
    }
    return u;
}

/* The stack depth each instruction starts with, by a worklist over the
 * control flow: fall-through, jumps and exception handlers. */
static int compute_max_stack(Unit *u, ExcTableEntry *table, int ntable) {
    int n = u->count;
    if (n == 0) return 0;
    int *depth = vm_realloc(NULL, NULL, 0, sizeof(int) * (size_t)n);
    int *work = vm_realloc(NULL, NULL, 0, sizeof(int) * (size_t)(n + ntable + 1));
    for (int i = 0; i < n; i++) depth[i] = -1;
    int nwork = 0, max = 0;
#define VISIT(at, d)                                                          \
    do {                                                                      \
        int at_ = (at), d_ = (d);                                             \
        if (at_ >= 0 && at_ < n && depth[at_] < d_) {                         \
            depth[at_] = d_;                                                  \
            work[nwork++] = at_;                                              \
            if (nwork > n + ntable) nwork = n + ntable;                       \
        }                                                                     \
    } while (0)
    VISIT(0, 0);
    for (int i = 0; i < ntable; i++) VISIT((int)table[i].handler, (int)table[i].depth + 1);
    while (nwork > 0) {
        int i = work[--nwork];
        int d = depth[i];
        for (; i < n;) {
            if (depth[i] > d) break;
            depth[i] = d;
            if (d > max) max = d;
            uint32_t w = u->instrs[i];
            Opcode op = VM_INSTR_OP(w);
            uint32_t arg = VM_INSTR_ARG(w);
            int after = d + vm_opcode_stack_effect(op, arg);
            if (after > max) max = after;
            switch (op) {
            case OP_JUMP: case OP_JUMP_BACK:
                VISIT((int)arg, after);
                i = n;
                continue;
            case OP_POP_JUMP_IF_FALSE: case OP_POP_JUMP_IF_TRUE:
                VISIT((int)arg, after);
                break;
            case OP_JUMP_IF_FALSE_OR_POP: case OP_JUMP_IF_TRUE_OR_POP:
                VISIT((int)arg, d);
                break;
            case OP_FOR_ITER:
                VISIT((int)arg, d - 1);
                break;
            case OP_RETURN_VALUE: case OP_RERAISE: case OP_RAISE:
                i = n;
                continue;
            default:
                break;
            }
            d = after;
            i++;
            if (i < n && depth[i] >= d) break;
        }
    }
#undef VISIT
    vm_realloc(NULL, depth, 0, 0);
    vm_realloc(NULL, work, 0, 0);
    return max + 1;
}

static ObjCode *unit_end(Compiler *c) {
    Unit *u = c->unit;
    ObjCode *code = u->code;
    /* Resolve jumps. */
    for (int i = 0; i < u->nfixups; i++) {
        int target = u->labels[u->fixups[i].label];
        uint32_t w = u->instrs[u->fixups[i].instr];
        u->instrs[u->fixups[i].instr] = VM_INSTR(VM_INSTR_OP(w), (uint32_t)target);
    }
    ExcTableEntry *table = NULL;
    if (u->nexc) {
        table = vm_realloc(NULL, NULL, 0, sizeof(ExcTableEntry) * (size_t)u->nexc);
        for (int i = 0; i < u->nexc; i++) {
            table[i].start = u->excs[i].start;
            table[i].end = u->excs[i].end;
            table[i].handler = (uint32_t)u->labels[u->excs[i].handler_label];
            table[i].depth = u->excs[i].depth;
        }
    }
    code->exc_table = table;
    code->exc_count = u->nexc;
    code->code = vm_realloc(NULL, NULL, 0, sizeof(uint32_t) * (size_t)(u->count ? u->count : 1));
    code->lines = vm_realloc(NULL, NULL, 0, sizeof(int32_t) * (size_t)(u->count ? u->count : 1));
    code->cols = vm_realloc(NULL, NULL, 0, sizeof(int32_t) * (size_t)(u->count ? u->count : 1));
    if (u->count) {
        memcpy(code->code, u->instrs, sizeof(uint32_t) * (size_t)u->count);
        memcpy(code->lines, u->lines, sizeof(int32_t) * (size_t)u->count);
        memcpy(code->cols, u->cols, sizeof(int32_t) * (size_t)u->count);
    }
    code->count = u->count;
    code->names = vm_tuple_from(c->vm, u->names, u->nnames);
    Scope *s = u->scope;
    Value *vn = vm_realloc(NULL, NULL, 0, sizeof(Value) * (size_t)(s->nvarnames + 1));
    for (int i = 0; i < s->nvarnames; i++) vn[i] = VM_OBJ(intern(c, s->varnames[i]));
    code->varnames = vm_tuple_from(c->vm, vn, s->nvarnames);
    vm_realloc(NULL, vn, 0, 0);
    code->nlocals = s->nvarnames;
    code->nfree = s->nfree;
    if (s->kind == SCOPE_FUNCTION) {
        code->nargs = s->nargs;
        code->nkwonly = s->nkwonly;
        if (s->varargs) code->flags |= CODE_VARARGS;
        if (s->varkw) code->flags |= CODE_VARKW;
        if (s->generator) code->flags |= CODE_GENERATOR;
    } else if (s->kind == SCOPE_CLASS) {
        code->flags |= CODE_CLASS_BODY;
    } else {
        code->flags |= CODE_MODULE;
    }
    code->max_stack = compute_max_stack(u, table, u->nexc);

    VM_FREE_ARRAY(NULL, uint32_t, u->instrs, u->capacity);
    VM_FREE_ARRAY(NULL, int32_t, u->lines, u->capacity);
    VM_FREE_ARRAY(NULL, int32_t, u->cols, u->capacity);
    VM_FREE_ARRAY(NULL, Value, u->names, u->names_capacity);
    VM_FREE_ARRAY(NULL, PendingExc, u->excs, u->exc_capacity);
    VM_FREE_ARRAY(NULL, int, u->labels, u->labels_capacity);
    VM_FREE_ARRAY(NULL, Fixup, u->fixups, u->fixups_capacity);
    c->unit = u->parent;
    vm_realloc(NULL, u, sizeof *u, 0);
    return code;
}

/* Free a unit's scratch arrays after an error unwound through it. */
static void unit_abandon(Unit *u) {
    VM_FREE_ARRAY(NULL, uint32_t, u->instrs, u->capacity);
    VM_FREE_ARRAY(NULL, int32_t, u->lines, u->capacity);
    VM_FREE_ARRAY(NULL, int32_t, u->cols, u->capacity);
    VM_FREE_ARRAY(NULL, Value, u->names, u->names_capacity);
    VM_FREE_ARRAY(NULL, PendingExc, u->excs, u->exc_capacity);
    VM_FREE_ARRAY(NULL, int, u->labels, u->labels_capacity);
    VM_FREE_ARRAY(NULL, Fixup, u->fixups, u->fixups_capacity);
    vm_realloc(NULL, u, sizeof *u, 0);
}

/* ---- blocks ----------------------------------------------------------- */

static FBlock *push_fblock(Compiler *c, FBlockKind kind, const AstNode *at) {
    Unit *u = c->unit;
    if (u->nfblocks == (int)(sizeof u->fblocks / sizeof u->fblocks[0]))
        compile_error(c, at->line, at->col, "too many statically nested blocks");
    FBlock *b = &u->fblocks[u->nfblocks++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->region_label = -1;
    return b;
}

static void open_region(Compiler *c, FBlock *b, int handler_label, int depth) {
    b->region_label = handler_label;
    b->region_start = c->unit->count;
    b->region_depth = depth;
}

static void close_region(Compiler *c, FBlock *b) {
    if (b->region_label < 0) return;
    add_exc(c, b->region_start, c->unit->count, b->region_label, b->region_depth);
    b->region_start = c->unit->count;
}

static void reopen_region(Compiler *c, FBlock *b) { b->region_start = c->unit->count; }

/* The operand stack depth at a statement boundary inside the current
 * blocks. */
static int base_depth(Unit *u) {
    int d = u->extra;
    for (int i = 0; i < u->nfblocks; i++) {
        switch (u->fblocks[i].kind) {
        case FB_FOR: case FB_WITH: case FB_HANDLER: d += 1; break;
        case FB_FINALLY_EXC: d += 2; break;
        default: break;
        }
    }
    return d;
}

/* ---- expressions ------------------------------------------------------ */

static void compile_expr(Compiler *c, AstNode *e);
static void compile_stmts(Compiler *c, AstList *l);
static void compile_store(Compiler *c, AstNode *t);
static ObjCode *compile_function_body(Compiler *c, AstNode *fn, bool is_lambda);

static bool is_const_atom(const AstNode *e) {
    return e->kind == AST_INT || e->kind == AST_FLOAT || e->kind == AST_STR ||
           e->kind == AST_NONE || e->kind == AST_TRUE || e->kind == AST_FALSE;
}

static Value const_value(Compiler *c, const AstNode *e) {
    switch (e->kind) {
    case AST_INT: return VM_INT(e->ival);
    case AST_FLOAT: return VM_FLOAT(e->fval);
    case AST_STR: return str_const(c, e->str, e->slen);
    case AST_TRUE: return VM_TRUE;
    case AST_FALSE: return VM_FALSE;
    default: return VM_NONE;
    }
}

static bool has_starred(const AstList *l) {
    for (int i = 0; i < l->count; i++)
        if (l->items[i]->kind == AST_STARRED) return true;
    return false;
}

/* [a, *b, c] as BUILD_LIST 0 then extends, the list left on the stack. */
static void build_list_with_stars(Compiler *c, AstList *items) {
    int run = 0;
    bool have_list = false;
    for (int i = 0; i <= items->count; i++) {
        AstNode *item = i < items->count ? items->items[i] : NULL;
        if (item && item->kind != AST_STARRED) {
            compile_expr(c, item);
            run++;
            continue;
        }
        if (run > 0 || !have_list) {
            emit(c, OP_BUILD_LIST, (uint32_t)run);
            if (have_list) emit(c, OP_LIST_EXTEND, 0);
            have_list = true;
            run = 0;
        }
        if (item) {
            compile_expr(c, item->a);
            emit(c, OP_LIST_EXTEND, 0);
        }
    }
}

static Opcode binop_opcode(int tok) {
    switch (tok) {
    case TOK_PLUS: return OP_BINARY_ADD;
    case TOK_MINUS: return OP_BINARY_SUB;
    case TOK_STAR: return OP_BINARY_MUL;
    case TOK_SLASH: return OP_BINARY_TRUEDIV;
    case TOK_DSLASH: return OP_BINARY_FLOORDIV;
    case TOK_PERCENT: return OP_BINARY_MOD;
    case TOK_DSTAR: return OP_BINARY_POW;
    case TOK_LSHIFT: return OP_BINARY_LSHIFT;
    case TOK_RSHIFT: return OP_BINARY_RSHIFT;
    case TOK_AMP: return OP_BINARY_AND;
    case TOK_PIPE: return OP_BINARY_OR;
    case TOK_CARET: return OP_BINARY_XOR;
    default: return OP_NOP;
    }
}

static Opcode compare_opcode(int op) {
    switch (op) {
    case TOK_LT: return OP_COMPARE_LT;
    case TOK_LE: return OP_COMPARE_LE;
    case TOK_EQEQ: return OP_COMPARE_EQ;
    case TOK_NE: return OP_COMPARE_NE;
    case TOK_GT: return OP_COMPARE_GT;
    case TOK_GE: return OP_COMPARE_GE;
    case TOK_IS: return OP_IS;
    case AST_CMP_IS_NOT: return OP_IS_NOT;
    case TOK_IN: return OP_CONTAINS;
    case AST_CMP_NOT_IN: return OP_NOT_CONTAINS;
    default: return OP_NOP;
    }
}

static void compile_compare(Compiler *c, AstNode *e) {
    compile_expr(c, e->a);
    int n = e->list.count;
    if (n == 1) {
        compile_expr(c, e->list.items[0]);
        set_pos(c, e);
        emit(c, compare_opcode(e->ops[0]), 0);
        return;
    }
    int cleanup = new_label(c), end = new_label(c);
    int d0 = c->unit->depth; /* the left operand is on the stack */
    for (int i = 0; i < n - 1; i++) {
        compile_expr(c, e->list.items[i]);
        set_pos(c, e);
        emit(c, OP_DUP_TOP, 0);
        emit(c, OP_ROT_THREE, 0);
        emit(c, compare_opcode(e->ops[i]), 0);
        emit_jump(c, OP_JUMP_IF_FALSE_OR_POP, cleanup);
    }
    compile_expr(c, e->list.items[n - 1]);
    set_pos(c, e);
    emit(c, compare_opcode(e->ops[n - 1]), 0);
    emit_jump(c, OP_JUMP, end);
    place_label(c, cleanup);
    c->unit->depth = d0 + 1;
    emit(c, OP_ROT_TWO, 0);
    emit(c, OP_POP_TOP, 0);
    place_label(c, end);
    c->unit->depth = d0;
}

/* Jump to `label` when the truth of e equals `cond`; fall through
 * otherwise.  and/or/not are compiled as control flow. */
static void compile_jump_if(Compiler *c, AstNode *e, bool cond, int label) {
    if (e->kind == AST_UNARYOP && e->op == TOK_NOT) {
        compile_jump_if(c, e->a, !cond, label);
        return;
    }
    if (e->kind == AST_BOOLOP) {
        bool is_and = e->op == TOK_AND;
        int n = e->list.count;
        if (is_and != cond) {
            /* and-false / or-true: any operand deciding jumps directly. */
            for (int i = 0; i < n; i++) compile_jump_if(c, e->list.items[i], cond, label);
            return;
        }
        int skip = new_label(c);
        for (int i = 0; i < n - 1; i++) compile_jump_if(c, e->list.items[i], !cond, skip);
        compile_jump_if(c, e->list.items[n - 1], cond, label);
        place_label(c, skip);
        return;
    }
    compile_expr(c, e);
    emit_jump(c, cond ? OP_POP_JUMP_IF_TRUE : OP_POP_JUMP_IF_FALSE, label);
}

static bool is_super_call(Compiler *c, AstNode *call) {
    if (call->kind != AST_CALL || call->a->kind != AST_NAME ||
        strcmp(call->a->name, "super") != 0 || call->list.count || call->list2.count)
        return false;
    Scope *s = c->unit->scope;
    if (s->kind != SCOPE_FUNCTION || !s->class_method) return false;
    const Symbol *sym = vm_symtable_lookup(s, "super");
    return !sym || sym->access == NAME_GLOBAL;
}

static void compile_super(Compiler *c, AstNode *call) {
    Scope *s = c->unit->scope;
    set_pos(c, call);
    if (s->nargs + s->nkwonly + s->varargs == 0 || s->nvarnames == 0)
        compile_error(c, call->line, call->col, "super(): no arguments");
    /* The first parameter (self or cls) - via its cell if it is captured. */
    const Symbol *first = vm_symtable_lookup(s, s->varnames[0]);
    if (first && first->access == NAME_CELL) emit(c, OP_LOAD_DEREF, 0);
    else emit(c, OP_LOAD_FAST, 0);
    emit(c, OP_LOAD_SUPER, 0);
}

static void compile_call(Compiler *c, AstNode *e) {
    AstNode *fn = e->a;
    bool star = has_starred(&e->list);
    bool dstar = false;
    for (int i = 0; i < e->list2.count; i++)
        if (!e->list2.items[i]->name) dstar = true;
    if (is_super_call(c, e)) {
        compile_super(c, e);
        return;
    }
    if (fn->kind == AST_ATTRIBUTE && !star && !dstar && e->list2.count == 0) {
        compile_expr(c, fn->a);
        set_pos(c, fn);
        emit(c, OP_LOAD_METHOD, (uint32_t)name_index(c, fn->name));
        for (int i = 0; i < e->list.count; i++) compile_expr(c, e->list.items[i]);
        set_pos(c, e);
        emit(c, OP_CALL_METHOD, (uint32_t)e->list.count);
        return;
    }
    compile_expr(c, fn);
    if (star || dstar) {
        if (star) {
            build_list_with_stars(c, &e->list);
            emit(c, OP_LIST_TO_TUPLE, 0);
        } else {
            for (int i = 0; i < e->list.count; i++) compile_expr(c, e->list.items[i]);
            emit(c, OP_BUILD_TUPLE, (uint32_t)e->list.count);
        }
        if (e->list2.count) {
            emit(c, OP_BUILD_DICT, 0);
            for (int i = 0; i < e->list2.count; i++) {
                AstNode *k = e->list2.items[i];
                if (k->name) {
                    emit_load_const(c, str_const(c, k->name, (int64_t)strlen(k->name)));
                    compile_expr(c, k->a);
                    emit(c, OP_BUILD_DICT, 1);
                } else {
                    compile_expr(c, k->a);
                }
                emit(c, OP_DICT_MERGE, 0);
            }
        }
        set_pos(c, e);
        emit(c, OP_CALL_EX, e->list2.count ? 1 : 0);
        return;
    }
    for (int i = 0; i < e->list.count; i++) compile_expr(c, e->list.items[i]);
    if (e->list2.count) {
        int nk = e->list2.count;
        Value *names = vm_realloc(NULL, NULL, 0, sizeof(Value) * (size_t)nk);
        for (int i = 0; i < nk; i++) {
            AstNode *k = e->list2.items[i];
            for (int j = 0; j < i; j++)
                if (strcmp(e->list2.items[j]->name, k->name) == 0) {
                    vm_realloc(NULL, names, 0, 0);
                    compile_error(c, k->line, k->col, "keyword argument repeated: %s", k->name);
                }
            compile_expr(c, k->a);
            names[i] = VM_OBJ(intern(c, k->name));
        }
        ObjTuple *t = vm_tuple_from(c->vm, names, nk);
        vm_realloc(NULL, names, 0, 0);
        emit_load_const(c, VM_OBJ(t));
        set_pos(c, e);
        emit(c, OP_CALL_KW, (uint32_t)(e->list.count + nk));
        return;
    }
    set_pos(c, e);
    emit(c, OP_CALL, (uint32_t)e->list.count);
}

static void compile_joined(Compiler *c, AstNode *e) {
    int n = 0;
    for (int i = 0; i < e->list.count; i++) {
        AstNode *part = e->list.items[i];
        if (part->kind == AST_STR) {
            emit_load_const(c, str_const(c, part->str, part->slen));
        } else {
            compile_expr(c, part->a);
            uint32_t flags = part->op == 'r' ? 1 : part->op == 'a' ? 2 : 0;
            if (part->b) {
                AstNode *spec = part->b;
                if (spec->list.count == 0)
                    emit_load_const(c, str_const(c, "", 0));
                else if (spec->list.count == 1 && spec->list.items[0]->kind == AST_STR)
                    emit_load_const(c, str_const(c, spec->list.items[0]->str,
                                                 spec->list.items[0]->slen));
                else
                    compile_joined(c, spec);
                flags |= 4;
            }
            set_pos(c, part);
            emit(c, OP_FORMAT_VALUE, flags);
        }
        n++;
    }
    if (n == 0) {
        emit_load_const(c, str_const(c, "", 0));
        return;
    }
    if (n == 1 && e->list.items[0]->kind == AST_STR) return;
    emit(c, OP_BUILD_STRING, (uint32_t)n);
}

/* Emit the closure tuple a child scope needs, if any; returns the
 * MAKE_FUNCTION flag bit. */
static uint32_t emit_closure(Compiler *c, Scope *child) {
    if (child->nfree == 0) return 0;
    Scope *s = c->unit->scope;
    for (int i = child->nvarnames - child->nfree; i < child->nvarnames; i++) {
        const Symbol *sym = vm_symtable_lookup(s, child->varnames[i]);
        if (!sym || sym->slot < 0)
            compile_error(c, c->unit->line, c->unit->col,
                          "internal error: no cell for free variable '%s'",
                          child->varnames[i]);
        emit(c, OP_LOAD_CLOSURE, (uint32_t)sym->slot);
    }
    emit(c, OP_BUILD_TUPLE, (uint32_t)child->nfree);
    return 4;
}

static void compile_comprehension(Compiler *c, AstNode *e) {
    Scope *scope = e->scope;
    set_pos(c, e);
    Unit *u = unit_begin(c, scope, scope->name, scope->qualname, e->line);
    u->line = e->line;
    u->col = e->col;
    bool is_gen = e->kind == AST_GENEXP;
    if (e->kind == AST_LISTCOMP) emit(c, OP_BUILD_LIST, 0);
    else if (e->kind == AST_DICTCOMP) emit(c, OP_BUILD_DICT, 0);
    int nloops = e->list.count;
    int *starts = vm_realloc(NULL, NULL, 0, sizeof(int) * (size_t)nloops * 3);
    int *ends = starts + nloops, *conts = starts + 2 * nloops;
    for (int i = 0; i < nloops; i++) {
        AstNode *gen = e->list.items[i];
        set_pos(c, gen);
        if (i == 0) {
            emit(c, OP_LOAD_FAST, 0);
        } else {
            compile_expr(c, gen->b);
            emit(c, OP_GET_ITER, 0);
        }
        starts[i] = new_label(c);
        ends[i] = new_label(c);
        conts[i] = new_label(c);
        place_label(c, starts[i]);
        emit_jump(c, OP_FOR_ITER, ends[i]);
        compile_store(c, gen->a);
        for (int j = 0; j < gen->list.count; j++)
            compile_jump_if(c, gen->list.items[j], false, conts[i]);
    }
    /* Each nested loop's iterator sits above the result container. */
    uint32_t below = (uint32_t)nloops + 1;
    if (e->kind == AST_LISTCOMP) {
        compile_expr(c, e->a);
        emit(c, OP_LIST_APPEND, below);
    } else if (e->kind == AST_DICTCOMP) {
        compile_expr(c, e->a);
        compile_expr(c, e->b);
        emit(c, OP_MAP_ADD, below);
    } else {
        compile_expr(c, e->a);
        emit(c, OP_YIELD_VALUE, 0);
        emit(c, OP_POP_TOP, 0);
    }
    for (int i = nloops - 1; i >= 0; i--) {
        /* Filters jump forward to here, so every loop iteration passes a
         * JUMP_BACK (the interpreter's safe point). */
        place_label(c, conts[i]);
        emit_jump(c, OP_JUMP_BACK, starts[i]);
        place_label(c, ends[i]);
    }
    vm_realloc(NULL, starts, 0, 0);
    if (is_gen) emit(c, OP_LOAD_NONE, 0);
    emit(c, OP_RETURN_VALUE, 0);
    ObjCode *code = unit_end(c);
    uint32_t flags = emit_closure(c, scope);
    emit_load_const(c, VM_OBJ(code));
    emit(c, OP_MAKE_FUNCTION, flags);
    compile_expr(c, e->list.items[0]->b);
    emit(c, OP_GET_ITER, 0);
    set_pos(c, e);
    emit(c, OP_CALL, 1);
}

/* Defaults, kw-defaults and closure for a def or lambda, then
 * MAKE_FUNCTION. */
static void make_function(Compiler *c, AstNode *fn, ObjCode *code) {
    AstParams *p = fn->params;
    uint32_t flags = 0;
    int ndefaults = 0;
    for (int i = 0; i < p->args.count; i++) {
        if (p->args.items[i]->a) {
            compile_expr(c, p->args.items[i]->a);
            ndefaults++;
        }
    }
    if (ndefaults) {
        emit(c, OP_BUILD_TUPLE, (uint32_t)ndefaults);
        flags |= 1;
    }
    int nkw = 0;
    for (int i = 0; i < p->kwonly.count; i++) {
        AstNode *arg = p->kwonly.items[i];
        if (arg->a) {
            emit_load_const(c, VM_OBJ(intern(c, arg->name)));
            compile_expr(c, arg->a);
            nkw++;
        }
    }
    if (nkw) {
        emit(c, OP_BUILD_DICT, (uint32_t)nkw);
        flags |= 2;
    }
    set_pos(c, fn);
    flags |= emit_closure(c, fn->scope);
    emit_load_const(c, VM_OBJ(code));
    emit(c, OP_MAKE_FUNCTION, flags);
}

static void compile_expr_node(Compiler *c, AstNode *e) {
    set_pos(c, e);
    switch (e->kind) {
    case AST_NAME: compile_name(c, e->name, CTX_LOAD); break;
    case AST_INT: emit_int(c, e->ival); break;
    case AST_FLOAT: emit_load_const(c, VM_FLOAT(e->fval)); break;
    case AST_STR: emit_load_const(c, str_const(c, e->str, e->slen)); break;
    case AST_NONE: emit(c, OP_LOAD_NONE, 0); break;
    case AST_TRUE: emit(c, OP_LOAD_TRUE, 0); break;
    case AST_FALSE: emit(c, OP_LOAD_FALSE, 0); break;
    case AST_JOINEDSTR: compile_joined(c, e); break;
    case AST_BINOP:
        compile_expr(c, e->a);
        compile_expr(c, e->b);
        set_pos(c, e);
        emit(c, binop_opcode(e->op), 0);
        break;
    case AST_UNARYOP:
        compile_expr(c, e->a);
        set_pos(c, e);
        emit(c, e->op == TOK_MINUS ? OP_UNARY_NEG : e->op == TOK_PLUS ? OP_UNARY_POS
                : e->op == TOK_TILDE ? OP_UNARY_INVERT : OP_UNARY_NOT, 0);
        break;
    case AST_BOOLOP: {
        int end = new_label(c);
        Opcode op = e->op == TOK_AND ? OP_JUMP_IF_FALSE_OR_POP : OP_JUMP_IF_TRUE_OR_POP;
        for (int i = 0; i < e->list.count - 1; i++) {
            compile_expr(c, e->list.items[i]);
            emit_jump(c, op, end);
        }
        compile_expr(c, e->list.items[e->list.count - 1]);
        place_label(c, end);
        break;
    }
    case AST_COMPARE: compile_compare(c, e); break;
    case AST_IFEXP: {
        int orelse = new_label(c), end = new_label(c);
        compile_jump_if(c, e->a, false, orelse);
        int d = c->unit->depth;
        compile_expr(c, e->b);
        emit_jump(c, OP_JUMP, end);
        place_label(c, orelse);
        c->unit->depth = d;
        compile_expr(c, e->c);
        place_label(c, end);
        break;
    }
    case AST_LAMBDA: {
        ObjCode *code = compile_function_body(c, e, true);
        make_function(c, e, code);
        break;
    }
    case AST_CALL: compile_call(c, e); break;
    case AST_ATTRIBUTE:
        compile_expr(c, e->a);
        set_pos(c, e);
        emit(c, OP_LOAD_ATTR, (uint32_t)name_index(c, e->name));
        break;
    case AST_SUBSCRIPT:
        compile_expr(c, e->a);
        compile_expr(c, e->b);
        set_pos(c, e);
        emit(c, OP_BINARY_SUBSCR, 0);
        break;
    case AST_SLICE: {
        if (e->a) compile_expr(c, e->a);
        else emit(c, OP_LOAD_NONE, 0);
        if (e->b) compile_expr(c, e->b);
        else emit(c, OP_LOAD_NONE, 0);
        if (e->c) compile_expr(c, e->c);
        emit(c, OP_BUILD_SLICE, e->c ? 3 : 2);
        break;
    }
    case AST_STARRED:
        compile_error(c, e->line, e->col, "can't use starred expression here");
    case AST_TUPLE: {
        bool all_const = e->list.count > 0;
        for (int i = 0; i < e->list.count; i++)
            if (!is_const_atom(e->list.items[i])) all_const = false;
        if (all_const) {
            int n = e->list.count;
            ObjTuple *t = vm_tuple_new(c->vm, n);
            for (int i = 0; i < n; i++) t->items[i] = const_value(c, e->list.items[i]);
            emit_load_const(c, VM_OBJ(t));
        } else if (has_starred(&e->list)) {
            build_list_with_stars(c, &e->list);
            emit(c, OP_LIST_TO_TUPLE, 0);
        } else {
            for (int i = 0; i < e->list.count; i++) compile_expr(c, e->list.items[i]);
            set_pos(c, e);
            emit(c, OP_BUILD_TUPLE, (uint32_t)e->list.count);
        }
        break;
    }
    case AST_LIST:
        if (has_starred(&e->list)) {
            build_list_with_stars(c, &e->list);
        } else {
            for (int i = 0; i < e->list.count; i++) compile_expr(c, e->list.items[i]);
            set_pos(c, e);
            emit(c, OP_BUILD_LIST, (uint32_t)e->list.count);
        }
        break;
    case AST_DICT: {
        int run = 0;
        bool have = false;
        for (int i = 0; i <= e->list.count; i++) {
            bool pair = i < e->list.count && e->list.items[i] != NULL;
            if (pair) {
                compile_expr(c, e->list.items[i]);
                compile_expr(c, e->list2.items[i]);
                run++;
                continue;
            }
            if (run > 0 || !have) {
                emit(c, OP_BUILD_DICT, (uint32_t)run);
                if (have) emit(c, OP_DICT_UPDATE, 0);
                have = true;
                run = 0;
            }
            if (i < e->list.count) {
                compile_expr(c, e->list2.items[i]);
                emit(c, OP_DICT_UPDATE, 0);
            }
        }
        break;
    }
    case AST_LISTCOMP: case AST_DICTCOMP: case AST_GENEXP:
        compile_comprehension(c, e);
        break;
    case AST_YIELD:
        if (e->a) compile_expr(c, e->a);
        else emit(c, OP_LOAD_NONE, 0);
        set_pos(c, e);
        emit(c, OP_YIELD_VALUE, 0);
        break;
    default:
        compile_error(c, e->line, e->col, "unsupported expression");
    }
}

/* ---- stores ------------------------------------------------------------ */

static void compile_expr(Compiler *c, AstNode *e) {
    enter(c, e);
    compile_expr_node(c, e);
    leave(c);
}

static void compile_store(Compiler *c, AstNode *t) {
    set_pos(c, t);
    switch (t->kind) {
    case AST_NAME: compile_name(c, t->name, CTX_STORE); break;
    case AST_ATTRIBUTE:
        compile_expr(c, t->a);
        set_pos(c, t);
        emit(c, OP_STORE_ATTR, (uint32_t)name_index(c, t->name));
        break;
    case AST_SUBSCRIPT:
        compile_expr(c, t->a);
        compile_expr(c, t->b);
        set_pos(c, t);
        emit(c, OP_STORE_SUBSCR, 0);
        break;
    case AST_TUPLE: case AST_LIST: {
        int n = t->list.count, star = -1;
        for (int i = 0; i < n; i++)
            if (t->list.items[i]->kind == AST_STARRED) star = i;
        if (star >= 0) {
            int before = star, after = n - star - 1;
            if (before > 255 || after > 0xFFFF)
                compile_error(c, t->line, t->col, "too many expressions in star-unpacking assignment");
            emit(c, OP_UNPACK_EX, (uint32_t)(before | (after << 8)));
        } else {
            emit(c, OP_UNPACK_SEQUENCE, (uint32_t)n);
        }
        for (int i = 0; i < n; i++) {
            AstNode *item = t->list.items[i];
            compile_store(c, item->kind == AST_STARRED ? item->a : item);
        }
        break;
    }
    default:
        compile_error(c, t->line, t->col, "cannot assign to expression");
    }
}

static void compile_delete(Compiler *c, AstNode *t) {
    set_pos(c, t);
    switch (t->kind) {
    case AST_NAME: compile_name(c, t->name, CTX_DEL); break;
    case AST_ATTRIBUTE:
        compile_expr(c, t->a);
        set_pos(c, t);
        emit(c, OP_DELETE_ATTR, (uint32_t)name_index(c, t->name));
        break;
    case AST_SUBSCRIPT:
        compile_expr(c, t->a);
        compile_expr(c, t->b);
        set_pos(c, t);
        emit(c, OP_DELETE_SUBSCR, 0);
        break;
    case AST_TUPLE: case AST_LIST:
        for (int i = 0; i < t->list.count; i++) compile_delete(c, t->list.items[i]);
        break;
    default:
        compile_error(c, t->line, t->col, "cannot delete expression");
    }
}

/* ---- unwinding for break / continue / return --------------------------- */

/* Leave block b (the innermost one still active), with `preserve` values
 * (0 or 1: a return value) on top of the stack.  `pop_loop_iter` pops a
 * for loop's iterator (break and return do; continue never unwinds its
 * own loop). */
static void unwind_block(Compiler *c, FBlock *b, bool preserve, bool pop_loop_iter) {
    switch (b->kind) {
    case FB_WHILE:
    case FB_TRY_EXCEPT:
        close_region(c, b);
        break;
    case FB_FOR:
        if (!pop_loop_iter) break;
        if (preserve) emit(c, OP_ROT_TWO, 0);
        emit(c, OP_POP_TOP, 0);
        break;
    case FB_TRY_FINALLY: {
        close_region(c, b);
        /* Run a copy of the finally body with this block popped, so a
         * break inside it does not re-enter it. */
        Unit *u = c->unit;
        FBlock saved = *b;
        int idx = (int)(b - u->fblocks);
        int saved_n = u->nfblocks;
        FBlock rest[64];
        int nrest = saved_n - idx - 1;
        memcpy(rest, &u->fblocks[idx + 1], sizeof(FBlock) * (size_t)nrest);
        u->nfblocks = idx;
        int d = u->depth;
        u->extra += preserve;
        compile_stmts(c, &saved.finally_body->list4);
        u->extra -= preserve;
        u->depth = d;
        u->nfblocks = saved_n;
        u->fblocks[idx] = saved;
        memcpy(&u->fblocks[idx + 1], rest, sizeof(FBlock) * (size_t)nrest);
        break;
    }
    case FB_HANDLER:
        close_region(c, b);
        if (preserve) emit(c, OP_ROT_TWO, 0);
        emit(c, OP_POP_EXCEPT, 0);
        if (b->handler_name) {
            emit(c, OP_LOAD_NONE, 0);
            compile_name(c, b->handler_name, CTX_STORE);
            compile_name(c, b->handler_name, CTX_DEL);
        }
        break;
    case FB_FINALLY_EXC:
        close_region(c, b);
        /* [prev exc (v)] */
        if (preserve) emit(c, OP_ROT_TWO, 0);
        emit(c, OP_POP_TOP, 0);
        if (preserve) emit(c, OP_ROT_TWO, 0);
        emit(c, OP_POP_EXCEPT, 0);
        break;
    case FB_WITH:
        close_region(c, b);
        if (preserve) emit(c, OP_ROT_TWO, 0);
        emit(c, OP_LOAD_NONE, 0);
        emit(c, OP_WITH_EXIT, 0);
        emit(c, OP_POP_TOP, 0);
        emit(c, OP_POP_TOP, 0);
        break;
    }
}

/* After the jump that leaves, the blocks are still open for the code that
 * follows textually: restart their region pieces. */
static void reopen_blocks(Compiler *c, int from) {
    Unit *u = c->unit;
    for (int i = from; i < u->nfblocks; i++) reopen_region(c, &u->fblocks[i]);
}

static void compile_break_continue(Compiler *c, AstNode *s, bool is_break) {
    Unit *u = c->unit;
    int loop = -1;
    for (int i = u->nfblocks - 1; i >= 0; i--)
        if (u->fblocks[i].kind == FB_WHILE || u->fblocks[i].kind == FB_FOR) {
            loop = i;
            break;
        }
    if (loop < 0)
        compile_error(c, s->line, s->col,
                      is_break ? "'break' outside loop" : "'continue' not properly in loop");
    int d = u->depth;
    for (int i = u->nfblocks - 1; i > loop; i--) {
        set_pos(c, s);
        unwind_block(c, &u->fblocks[i], false, true);
    }
    set_pos(c, s);
    FBlock *lb = &u->fblocks[loop];
    if (is_break) {
        unwind_block(c, lb, false, true);
        emit_jump(c, OP_JUMP, lb->break_label);
    } else {
        emit_jump(c, OP_JUMP_BACK, lb->continue_label);
    }
    reopen_blocks(c, loop);
    u->depth = d;
}

static void compile_return(Compiler *c, AstNode *s) {
    Unit *u = c->unit;
    if (s->a) compile_expr(c, s->a);
    else emit(c, OP_LOAD_NONE, 0);
    int d = u->depth;
    for (int i = u->nfblocks - 1; i >= 0; i--) {
        set_pos(c, s);
        unwind_block(c, &u->fblocks[i], true, true);
    }
    set_pos(c, s);
    emit(c, OP_RETURN_VALUE, 0);
    reopen_blocks(c, 0);
    u->depth = d - 1;
}

/* ---- statements -------------------------------------------------------- */

static ObjCode *compile_function_body(Compiler *c, AstNode *fn, bool is_lambda) {
    Scope *scope = fn->scope;
    unit_begin(c, scope, scope->name, scope->qualname, fn->line);
    if (is_lambda) {
        compile_expr(c, fn->a);
        if (scope->generator) {
            emit(c, OP_POP_TOP, 0);
            emit(c, OP_LOAD_NONE, 0);
        }
        emit(c, OP_RETURN_VALUE, 0);
    } else {
        compile_stmts(c, &fn->list);
        int n = c->unit->count;
        uint32_t last = n ? c->unit->instrs[n - 1] : 0;
        /* The implicit `return None`, unless the body visibly ends in a
         * return (a jump target there would still need it, so only skip
         * when the last statement is the return itself). */
        bool ends_return = n && VM_INSTR_OP(last) == OP_RETURN_VALUE && fn->list.count &&
                           fn->list.items[fn->list.count - 1]->kind == AST_RETURN;
        if (!ends_return) {
            emit(c, OP_LOAD_NONE, 0);
            emit(c, OP_RETURN_VALUE, 0);
        }
    }
    return unit_end(c);
}

static void compile_funcdef(Compiler *c, AstNode *s) {
    for (int i = 0; i < s->list2.count; i++) compile_expr(c, s->list2.items[i]);
    ObjCode *code = compile_function_body(c, s, false);
    set_pos(c, s);
    make_function(c, s, code);
    for (int i = 0; i < s->list2.count; i++) emit(c, OP_CALL, 1);
    compile_name(c, s->name, CTX_STORE);
}

static void compile_classdef(Compiler *c, AstNode *s) {
    for (int i = 0; i < s->list2.count; i++) compile_expr(c, s->list2.items[i]);
    set_pos(c, s);
    emit(c, OP_LOAD_BUILD_CLASS, 0);
    Scope *scope = s->scope;
    unit_begin(c, scope, scope->name, scope->qualname, s->line);
    compile_stmts(c, &s->list);
    emit(c, OP_LOAD_NONE, 0);
    emit(c, OP_RETURN_VALUE, 0);
    ObjCode *code = unit_end(c);
    set_pos(c, s);
    uint32_t flags = emit_closure(c, scope);
    emit_load_const(c, VM_OBJ(code));
    emit(c, OP_MAKE_FUNCTION, flags);
    emit_load_const(c, VM_OBJ(intern(c, s->name)));
    if (s->a) {
        compile_expr(c, s->a);
        set_pos(c, s);
        emit(c, OP_CALL, 3);
    } else {
        emit(c, OP_CALL, 2);
    }
    for (int i = 0; i < s->list2.count; i++) emit(c, OP_CALL, 1);
    compile_name(c, s->name, CTX_STORE);
}

/* An elif (an else holding just an if) continues the loop instead of
 * recursing, so a long chain costs no C stack here (the symtable still
 * counts it as nesting, as CPython's does). */
static void compile_if(Compiler *c, AstNode *s) {
    int end = new_label(c);
    for (;;) {
        int orelse = new_label(c);
        compile_jump_if(c, s->a, false, orelse);
        compile_stmts(c, &s->list);
        if (!s->list2.count) {
            place_label(c, orelse);
            break;
        }
        emit_jump(c, OP_JUMP, end);
        place_label(c, orelse);
        if (s->list2.count == 1 && s->list2.items[0]->kind == AST_IF) {
            s = s->list2.items[0];
            set_pos(c, s);
            continue;
        }
        compile_stmts(c, &s->list2);
        break;
    }
    place_label(c, end);
}

static void compile_while(Compiler *c, AstNode *s) {
    int start = new_label(c), orelse = new_label(c), end = new_label(c);
    place_label(c, start);
    bool forever = s->a->kind == AST_TRUE || (s->a->kind == AST_INT && s->a->ival != 0);
    if (!forever) compile_jump_if(c, s->a, false, orelse);
    FBlock *b = push_fblock(c, FB_WHILE, s);
    b->continue_label = start;
    b->break_label = end;
    compile_stmts(c, &s->list);
    c->unit->nfblocks--;
    set_pos(c, s);
    emit_jump(c, OP_JUMP_BACK, start);
    place_label(c, orelse);
    compile_stmts(c, &s->list2);
    place_label(c, end);
}

static void compile_for(Compiler *c, AstNode *s) {
    int start = new_label(c), orelse = new_label(c), end = new_label(c);
    compile_expr(c, s->b);
    set_pos(c, s);
    emit(c, OP_GET_ITER, 0);
    int d = c->unit->depth;
    place_label(c, start);
    emit_jump(c, OP_FOR_ITER, orelse);
    FBlock *b = push_fblock(c, FB_FOR, s);
    b->continue_label = start;
    b->break_label = end;
    compile_store(c, s->a);
    compile_stmts(c, &s->list);
    c->unit->nfblocks--;
    set_pos(c, s);
    emit_jump(c, OP_JUMP_BACK, start);
    place_label(c, orelse);
    c->unit->depth = d - 1;
    compile_stmts(c, &s->list2);
    place_label(c, end);
}

static void compile_try_except(Compiler *c, AstNode *s) {
    Unit *u = c->unit;
    int handler = new_label(c), cleanup = new_label(c), after = new_label(c);
    int d = base_depth(u);
    FBlock *b = push_fblock(c, FB_TRY_EXCEPT, s);
    open_region(c, b, handler, d);
    compile_stmts(c, &s->list);
    close_region(c, b);
    u->nfblocks--;
    compile_stmts(c, &s->list3);
    emit_jump(c, OP_JUMP, after);

    place_label(c, handler);
    u->depth = d + 1;
    set_pos(c, s->list2.items[0]);
    emit(c, OP_PUSH_EXC_INFO, 0);
    /* The handlers run with prev on the stack, under a cleanup region
     * that restores it if anything escapes. */
    FBlock *hb = push_fblock(c, FB_HANDLER, s);
    open_region(c, hb, cleanup, d + 1);
    for (int i = 0; i < s->list2.count; i++) {
        AstNode *h = s->list2.items[i];
        set_pos(c, h);
        int next = new_label(c);
        u->depth = d + 2;
        if (h->a) {
            compile_expr(c, h->a);
            set_pos(c, h);
            emit(c, OP_CHECK_EXC_MATCH, 0);
            emit_jump(c, OP_POP_JUMP_IF_FALSE, next);
        }
        if (h->name) compile_name(c, h->name, CTX_STORE);
        else emit(c, OP_POP_TOP, 0);
        hb->handler_name = h->name;
        compile_stmts(c, &h->list);
        hb->handler_name = NULL;
        set_pos(c, h);
        emit(c, OP_POP_EXCEPT, 0);
        if (h->name) {
            emit(c, OP_LOAD_NONE, 0);
            compile_name(c, h->name, CTX_STORE);
            compile_name(c, h->name, CTX_DEL);
        }
        emit_jump(c, OP_JUMP, after);
        place_label(c, next);
    }
    u->depth = d + 2;
    emit(c, OP_RERAISE, 0);
    close_region(c, hb);
    u->nfblocks--;

    place_label(c, cleanup);
    u->depth = d + 2;
    emit(c, OP_ROT_TWO, 0);
    emit(c, OP_POP_EXCEPT, 0);
    emit(c, OP_RERAISE, 0);
    place_label(c, after);
    u->depth = d;
}

static void compile_try(Compiler *c, AstNode *s) {
    if (!s->list4.count) {
        compile_try_except(c, s);
        return;
    }
    Unit *u = c->unit;
    int handler = new_label(c), cleanup = new_label(c), after = new_label(c);
    int d = base_depth(u);
    FBlock *b = push_fblock(c, FB_TRY_FINALLY, s);
    b->finally_body = s;
    open_region(c, b, handler, d);
    if (s->list2.count) compile_try_except(c, s);
    else compile_stmts(c, &s->list);
    close_region(c, b);
    u->nfblocks--;
    compile_stmts(c, &s->list4);
    emit_jump(c, OP_JUMP, after);

    place_label(c, handler);
    u->depth = d + 1;
    emit(c, OP_PUSH_EXC_INFO, 0);
    FBlock *fb = push_fblock(c, FB_FINALLY_EXC, s);
    open_region(c, fb, cleanup, d + 1);
    compile_stmts(c, &s->list4);
    close_region(c, fb);
    u->nfblocks--;
    u->depth = d + 2;
    emit(c, OP_ROT_TWO, 0);
    emit(c, OP_POP_EXCEPT, 0);
    emit(c, OP_RERAISE, 0);

    place_label(c, cleanup);
    u->depth = d + 2;
    emit(c, OP_ROT_TWO, 0);
    emit(c, OP_POP_EXCEPT, 0);
    emit(c, OP_RERAISE, 0);
    place_label(c, after);
    u->depth = d;
}

static void compile_with_items(Compiler *c, AstNode *s, int index) {
    Unit *u = c->unit;
    AstNode *item = s->list2.items[index];
    int handler = new_label(c), suppressed = new_label(c), after = new_label(c);
    int d = base_depth(u);
    compile_expr(c, item->a);
    set_pos(c, item);
    emit(c, OP_BEFORE_WITH, 0);
    FBlock *b = push_fblock(c, FB_WITH, s);
    open_region(c, b, handler, d + 1);
    if (item->b) compile_store(c, item->b);
    else emit(c, OP_POP_TOP, 0);
    if (index + 1 < s->list2.count) compile_with_items(c, s, index + 1);
    else compile_stmts(c, &s->list);
    close_region(c, b);
    u->nfblocks--;
    set_pos(c, s);
    u->depth = d + 1;
    emit(c, OP_LOAD_NONE, 0);
    emit(c, OP_WITH_EXIT, 0);
    emit(c, OP_POP_TOP, 0);
    emit(c, OP_POP_TOP, 0);
    emit_jump(c, OP_JUMP, after);

    place_label(c, handler);
    u->depth = d + 2;
    emit(c, OP_WITH_EXIT, 0);
    emit_jump(c, OP_POP_JUMP_IF_TRUE, suppressed);
    emit(c, OP_RERAISE, 0);
    place_label(c, suppressed);
    u->depth = d + 1;
    emit(c, OP_POP_TOP, 0);
    emit_jump(c, OP_JUMP, after);
    place_label(c, after);
    u->depth = d;
}

static void compile_augassign(Compiler *c, AstNode *s) {
    AstNode *t = s->a;
    Opcode bin = binop_opcode(s->op);
    Opcode op;
    uint32_t arg = 0;
    if (bin == OP_BINARY_ADD) op = OP_INPLACE_ADD;
    else if (bin == OP_BINARY_SUB) op = OP_INPLACE_SUB;
    else if (bin == OP_BINARY_MUL) op = OP_INPLACE_MUL;
    else {
        op = OP_INPLACE_OP;
        arg = (uint32_t)bin;
    }
    switch (t->kind) {
    case AST_NAME:
        compile_name(c, t->name, CTX_LOAD);
        compile_expr(c, s->b);
        set_pos(c, s);
        emit(c, op, arg);
        compile_name(c, t->name, CTX_STORE);
        break;
    case AST_ATTRIBUTE: {
        compile_expr(c, t->a);
        set_pos(c, t);
        emit(c, OP_DUP_TOP, 0);
        int ni = name_index(c, t->name);
        emit(c, OP_LOAD_ATTR, (uint32_t)ni);
        compile_expr(c, s->b);
        set_pos(c, s);
        emit(c, op, arg);
        emit(c, OP_ROT_TWO, 0);
        emit(c, OP_STORE_ATTR, (uint32_t)ni);
        break;
    }
    case AST_SUBSCRIPT:
        compile_expr(c, t->a);
        compile_expr(c, t->b);
        set_pos(c, t);
        emit(c, OP_DUP_TOP_TWO, 0);
        emit(c, OP_BINARY_SUBSCR, 0);
        compile_expr(c, s->b);
        set_pos(c, s);
        emit(c, op, arg);
        emit(c, OP_ROT_THREE, 0);
        emit(c, OP_STORE_SUBSCR, 0);
        break;
    default:
        compile_error(c, t->line, t->col, "illegal expression for augmented assignment");
    }
}

static void compile_import(Compiler *c, AstNode *s) {
    for (int i = 0; i < s->list.count; i++) {
        AstNode *al = s->list.items[i];
        set_pos(c, al);
        emit(c, OP_IMPORT_NAME, (uint32_t)name_index(c, al->name));
        if (al->str) {
            /* IMPORT_NAME pushes the named (sub)module itself, which is
             * what `import a.b as n` binds. */
            compile_name(c, al->str, CTX_STORE);
        } else {
            const char *dot = strchr(al->name, '.');
            if (dot) {
                /* import a.b binds a; IMPORT_NAME pushed the named module,
                 * so load the top-level package for the binding. */
                char buf[256];
                size_t len = (size_t)(dot - al->name);
                if (len >= sizeof buf) len = sizeof buf - 1;
                memcpy(buf, al->name, len);
                buf[len] = '\0';
                emit(c, OP_POP_TOP, 0);
                emit(c, OP_IMPORT_NAME, (uint32_t)name_index(c, buf));
                compile_name(c, buf, CTX_STORE);
            } else {
                compile_name(c, al->name, CTX_STORE);
            }
        }
    }
}

static void compile_import_from(Compiler *c, AstNode *s) {
    set_pos(c, s);
    emit(c, OP_IMPORT_NAME, (uint32_t)name_index(c, s->name));
    for (int i = 0; i < s->list.count; i++) {
        AstNode *al = s->list.items[i];
        set_pos(c, al);
        emit(c, OP_IMPORT_FROM, (uint32_t)name_index(c, al->name));
        compile_name(c, al->str ? al->str : al->name, CTX_STORE);
    }
    emit(c, OP_POP_TOP, 0);
}

static void compile_stmt_node(Compiler *c, AstNode *s) {
    Unit *u = c->unit;
    u->depth = base_depth(u);
    set_pos(c, s);
    switch (s->kind) {
    case AST_EXPR_STMT:
        if (is_const_atom(s->a) && u->scope->kind != SCOPE_MODULE) break; /* docstrings */
        compile_expr(c, s->a);
        set_pos(c, s);
        emit(c, OP_POP_TOP, 0);
        break;
    case AST_ASSIGN:
        compile_expr(c, s->a);
        for (int i = 0; i < s->list.count; i++) {
            if (i + 1 < s->list.count) emit(c, OP_DUP_TOP, 0);
            compile_store(c, s->list.items[i]);
        }
        break;
    case AST_AUGASSIGN: compile_augassign(c, s); break;
    case AST_ANNASSIGN:
        if (s->b) {
            compile_expr(c, s->b);
            compile_store(c, s->a);
        }
        break;
    case AST_FUNCDEF: compile_funcdef(c, s); break;
    case AST_CLASSDEF: compile_classdef(c, s); break;
    case AST_RETURN: compile_return(c, s); break;
    case AST_GLOBAL: case AST_NONLOCAL: case AST_PASS: break;
    case AST_IF: compile_if(c, s); break;
    case AST_WHILE: compile_while(c, s); break;
    case AST_FOR: compile_for(c, s); break;
    case AST_BREAK: compile_break_continue(c, s, true); break;
    case AST_CONTINUE: compile_break_continue(c, s, false); break;
    case AST_DEL:
        for (int i = 0; i < s->list.count; i++) compile_delete(c, s->list.items[i]);
        break;
    case AST_TRY: compile_try(c, s); break;
    case AST_RAISE:
        if (s->a) compile_expr(c, s->a);
        if (s->b) compile_expr(c, s->b);
        set_pos(c, s);
        emit(c, OP_RAISE, s->b ? 2 : s->a ? 1 : 0);
        break;
    case AST_WITH: compile_with_items(c, s, 0); break;
    case AST_ASSERT: {
        int ok = new_label(c);
        compile_jump_if(c, s->a, true, ok);
        set_pos(c, s);
        emit(c, OP_LOAD_GLOBAL, (uint32_t)global_index(c, "AssertionError"));
        if (s->b) {
            compile_expr(c, s->b);
            set_pos(c, s);
            emit(c, OP_CALL, 1);
        }
        emit(c, OP_RAISE, 1);
        place_label(c, ok);
        break;
    }
    case AST_IMPORT: compile_import(c, s); break;
    case AST_IMPORTFROM: compile_import_from(c, s); break;
    default:
        compile_error(c, s->line, s->col, "unsupported statement");
    }
}

static void compile_stmt(Compiler *c, AstNode *s) {
    enter(c, s);
    compile_stmt_node(c, s);
    leave(c);
}

static void compile_stmts(Compiler *c, AstList *l) {
    for (int i = 0; i < l->count; i++) compile_stmt(c, l->items[i]);
}

/* ---- entry -------------------------------------------------------------- */

/* Check that the source is valid UTF-8, as CPython's tokenizer does before
 * anything else; returns false with the error filled. */
static bool check_utf8(const char *s, size_t n, VmCompileError *err) {
    int line = 1, col = 1;
    for (size_t i = 0; i < n;) {
        unsigned char ch = (unsigned char)s[i];
        int len = ch < 0x80 ? 1 : (ch >> 5) == 0x6 ? 2 : (ch >> 4) == 0xE ? 3
                  : (ch >> 3) == 0x1E ? 4 : 0;
        bool ok = len > 0 && i + (size_t)len <= n && !(len == 2 && ch < 0xC2);
        for (int k = 1; ok && k < len; k++)
            if (((unsigned char)s[i + (size_t)k] & 0xC0) != 0x80) ok = false;
        if (!ok) {
            err->line = line;
            err->col = col;
            snprintf(err->type, sizeof err->type, "SyntaxError");
            snprintf(err->message, sizeof err->message,
                     "(unicode error) 'utf-8' codec can't decode byte 0x%02x in "
                     "position %zu: invalid %s byte", ch, i,
                     len == 0 ? "start" : "continuation");
            return false;
        }
        if (ch == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        i += (size_t)len;
    }
    return true;
}

/* A NUL byte anywhere is a SyntaxError at its position. */
static bool check_no_nul(const char *s, size_t n, VmCompileError *err) {
    const char *nul = memchr(s, '\0', n);
    if (!nul) return true;
    err->line = 1;
    err->col = 1;
    for (const char *q = s; q < nul; q++) {
        if (*q == '\n') {
            err->line++;
            err->col = 1;
        } else if (((unsigned char)*q & 0xC0) != 0x80) {
            err->col++;
        }
    }
    snprintf(err->type, sizeof err->type, "SyntaxError");
    snprintf(err->message, sizeof err->message, "source code cannot contain null bytes");
    return false;
}

ObjCode *vm_compile(VmShared *vm, const char *source, const char *filename,
                    VmCompileError *err) {
    return vm_compile_n(vm, source, strlen(source), filename, err);
}

ObjCode *vm_compile_n(VmShared *vm, const char *source, size_t length,
                      const char *filename, VmCompileError *err) {
    memset(err, 0, sizeof *err);
    if (!check_no_nul(source, length, err) || !check_utf8(source, length, err))
        return NULL;
    AstArena arena;
    vm_ast_arena_init(&arena);
    /* Universal newlines: \r\n and lone \r read as \n, as in CPython. */
    if (memchr(source, '\r', length)) {
        char *copy = vm_ast_alloc(&arena, length + 1);
        size_t n = 0;
        for (size_t i = 0; i < length; i++) {
            if (source[i] == '\r') {
                copy[n++] = '\n';
                if (i + 1 < length && source[i + 1] == '\n') i++;
            } else {
                copy[n++] = source[i];
            }
        }
        copy[n] = '\0';
        source = copy;
        length = n;
    }
    AstList body;
    if (!vm_parse_module(source, (int64_t)length, &arena, &body, err)) {
        vm_ast_arena_fini(&arena);
        return NULL;
    }
    Scope *module = vm_symtable_build(&arena, &body, err);
    if (!module) {
        vm_ast_arena_fini(&arena);
        return NULL;
    }
    Compiler c;
    memset(&c, 0, sizeof c);
    c.vm = vm;
    c.err = err;
    c.filename = vm_str_intern_cstr(vm, filename);
    ObjCode *result = NULL;
    if (setjmp(c.fail) == 0) {
        unit_begin(&c, module, "<module>", "<module>", 1);
        compile_stmts(&c, &body);
        c.unit->depth = 0;
        emit(&c, OP_LOAD_NONE, 0);
        emit(&c, OP_RETURN_VALUE, 0);
        result = unit_end(&c);
        Value *names = vm_realloc(NULL, NULL, 0, sizeof(Value) * (size_t)(c.nglobals + 1));
        for (int i = 0; i < c.nglobals; i++) names[i] = VM_OBJ(c.globals[i]);
        ObjTuple *globals = vm_tuple_from(vm, names, c.nglobals);
        vm_realloc(NULL, names, 0, 0);
        for (int i = 0; i < c.ncodes; i++) c.codes[i]->globals = globals;
    } else {
        /* Release the scratch arrays of every unit still being built; the
         * half-made code objects are garbage for the collector. */
        Unit *u = c.unit;
        while (u) {
            Unit *parent = u->parent;
            unit_abandon(u);
            u = parent;
        }
        result = NULL;
    }
    VM_FREE_ARRAY(NULL, ObjStr *, c.globals, c.globals_capacity);
    VM_FREE_ARRAY(NULL, ObjCode *, c.codes, c.codes_capacity);
    vm_ast_arena_fini(&arena);
    return result;
}
