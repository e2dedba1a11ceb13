/*
 * vm/bytecode/dis.c - the disassembler, in the style of clox's debug.c: one helper
 * per operand shape (opcodes.def's FMT column), used by `gilt dis` and by
 * instruction tracing.  A listing reads as CPython's `python -m dis`: the
 * source line where one starts, ">>" on jump targets, the instruction's
 * index, its name, its argument and what the argument means; a header
 * names each code object, without addresses, so listings compare.
 */
#include "vm/bytecode/dis.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vm/bytecode/opcodes.h"
#include "vm/runtime/memory.h"

/* What a header and a constant call a code object: its qualified name. */
static const char *code_name(const ObjCode *c) {
    if (c->qualname) return c->qualname->chars;
    return c->name ? c->name->chars : "?";
}

/* A small repr for the kinds of constants a compiler emits.  It cannot use
 * vm_repr (that needs a running thread), and constants are simple. */
static void print_const(FILE *out, Value v, int depth) {
    switch (v.type) {
    case VAL_NONE: fputs("None", out); return;
    case VAL_BOOL: fputs(v.as.b ? "True" : "False", out); return;
    case VAL_INT: fprintf(out, "%" PRId64, v.as.i); return;
    case VAL_FLOAT: {
        double d = v.as.f;
        if (isinf(d)) {
            fputs(d > 0 ? "inf" : "-inf", out);
            return;
        }
        if (isnan(d)) {
            fputs("nan", out);
            return;
        }
        char buf[40];
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, d);
            double back;
            if (sscanf(buf, "%lf", &back) == 1 && back == d) break;
        }
        fputs(buf, out);
        if (!strpbrk(buf, ".eEn")) fputs(".0", out);
        return;
    }
    case VAL_OBJ: break;
    default: fputs("<undef>", out); return;
    }
    Obj *o = v.as.o;
    switch (o->kind) {
    case OBJ_STR: {
        ObjStr *s = (ObjStr *)o;
        bool has_single = memchr(s->chars, '\'', (size_t)s->length) != NULL;
        bool has_double = memchr(s->chars, '"', (size_t)s->length) != NULL;
        char q = has_single && !has_double ? '"' : '\'';
        fputc(q, out);
        for (int64_t i = 0; i < s->length; i++) {
            unsigned char ch = (unsigned char)s->chars[i];
            if (ch == '\n') fputs("\\n", out);
            else if (ch == '\t') fputs("\\t", out);
            else if (ch == '\r') fputs("\\r", out);
            else if (ch == '\\') fputs("\\\\", out);
            else if (ch == (unsigned char)q) fprintf(out, "\\%c", q);
            else if (ch < 0x20 || ch == 0x7F) fprintf(out, "\\x%02x", ch);
            else fputc(ch, out);
        }
        fputc(q, out);
        return;
    }
    case OBJ_TUPLE: {
        ObjTuple *t = (ObjTuple *)o;
        fputc('(', out);
        for (int64_t i = 0; i < t->count; i++) {
            if (i) fputs(", ", out);
            if (depth > 4) fputs("...", out);
            else print_const(out, t->items[i], depth + 1);
        }
        if (t->count == 1) fputc(',', out);
        fputc(')', out);
        return;
    }
    case OBJ_CODE: {
        ObjCode *c = (ObjCode *)o;
        fprintf(out, "<code %s, line %d>", code_name(c), c->firstline);
        return;
    }
    default:
        fputs("<object>", out);
        return;
    }
}

static const char *tuple_name(ObjTuple *t, uint32_t i) {
    if (!t || i >= (uint64_t)t->count || !VM_IS_STR(t->items[i])) return "?";
    return VM_AS_CSTRING(t->items[i]);
}

/* The operator of a BINARY_* opcode ("+" for BINARY_ADD), or NULL. */
static const char *binary_symbol(uint32_t op) {
    switch (op) {
    case OP_BINARY_ADD: return "+";
    case OP_BINARY_SUB: return "-";
    case OP_BINARY_MUL: return "*";
    case OP_BINARY_TRUEDIV: return "/";
    case OP_BINARY_FLOORDIV: return "//";
    case OP_BINARY_MOD: return "%";
    case OP_BINARY_POW: return "**";
    case OP_BINARY_LSHIFT: return "<<";
    case OP_BINARY_RSHIFT: return ">>";
    case OP_BINARY_AND: return "&";
    case OP_BINARY_OR: return "|";
    case OP_BINARY_XOR: return "^";
    case OP_INPLACE_ADD: return "+";
    case OP_INPLACE_SUB: return "-";
    case OP_INPLACE_MUL: return "*";
    default: return NULL;
    }
}

static const char *compare_symbol(Opcode op) {
    switch (op) {
    case OP_COMPARE_LT: return "<";
    case OP_COMPARE_LE: return "<=";
    case OP_COMPARE_EQ: return "==";
    case OP_COMPARE_NE: return "!=";
    case OP_COMPARE_GT: return ">";
    case OP_COMPARE_GE: return ">=";
    default: return "?";
    }
}

/* The words after a superinstruction are its operands (peephole.c):
 * [LOAD x][LOAD_SMALL_INT k][op][STORE y | POP_JUMP_IF_* t]. */
static void dis_fused(FILE *out, const ObjCode *code, int32_t index, ObjTuple *names) {
    if (index + 2 >= code->count) return;
    const uint32_t *w = code->code + index;
    const char *x = tuple_name(names, VM_INSTR_ARG(w[0]));
    int64_t k = (int64_t)VM_INSTR_ARG(w[1]) - VM_SMALL_INT_BIAS;
    Opcode op = VM_INSTR_OP(w[2]);
    Opcode fused = VM_INSTR_OP(w[0]);
    if (fused == OP_FAST_IMM_COMPARE_JUMP || fused == OP_GLOBAL_IMM_COMPARE_JUMP) {
        if (index + 3 >= code->count) return;
        fprintf(out, " (%s %s %" PRId64 ", jump if %s to %u)", x, compare_symbol(op), k,
                VM_INSTR_OP(w[3]) == OP_POP_JUMP_IF_TRUE ? "true" : "false",
                VM_INSTR_ARG(w[3]));
        return;
    }
    const char *sym = binary_symbol(op);
    if (fused == OP_FAST_IMM_ARITH) {
        fprintf(out, " (%s %s %" PRId64 ")", x, sym ? sym : "?", k);
        return;
    }
    if (index + 3 >= code->count) return;
    fprintf(out, " (%s = %s %s %" PRId64 ")", tuple_name(names, VM_INSTR_ARG(w[3])), x,
            sym ? sym : "?", k);
}

/* One instruction from its name on: "LOAD_CONST   0 (2.5)" (without a
 * trailing newline). */
static void dis_operation(FILE *out, const ObjCode *code, int32_t index) {
    uint32_t w = code->code[index];
    Opcode op = VM_INSTR_OP(w);
    uint32_t arg = VM_INSTR_ARG(w);
    OpFormat fmt = vm_opcode_format(op);
    if (fmt == OPFMT_NONE) {
        fputs(vm_opcode_name(op), out);
        return;
    }
    fprintf(out, "%-20s ", vm_opcode_name(op));
    if (op == OP_LOAD_SMALL_INT) {
        /* The argument is biased; what it means is the value. */
        fprintf(out, "%5" PRId64, (int64_t)arg - VM_SMALL_INT_BIAS);
        return;
    }
    fprintf(out, "%5u", arg);
    switch (fmt) {
    case OPFMT_NONE:
    case OPFMT_COUNT:
        break;
    case OPFMT_INT:
        if (op == OP_INPLACE_OP) {
            const char *sym = binary_symbol(arg);
            fprintf(out, " (%s=)", sym ? sym : "?");
        } else if (op == OP_MAKE_FUNCTION && (arg & 7)) {
            static const char *const flags[] = {"defaults", "kwdefaults", "closure"};
            const char *sep = " (";
            for (int b = 0; b < 3; b++)
                if (arg & (1u << b)) {
                    fprintf(out, "%s%s", sep, flags[b]);
                    sep = ", ";
                }
            fputc(')', out);
        } else if (op == OP_FORMAT_VALUE) {
            static const char *const conv[] = {"str", "repr", "ascii", "?"};
            fprintf(out, " (%s%s)", conv[arg & 3], arg & 4 ? ", with format" : "");
        } else if (op == OP_UNPACK_EX) {
            fprintf(out, " (%u before the star, %u after)", arg & 0xFF, (arg >> 8) & 0xFF);
        }
        break;
    case OPFMT_CONST:
        fputs(" (", out);
        if ((int)arg < code->consts.count) print_const(out, code->consts.values[arg], 0);
        else fputs("?", out);
        fputc(')', out);
        break;
    case OPFMT_NAME:
        fprintf(out, " (%s)", tuple_name(code->names, arg));
        break;
    case OPFMT_GLOBAL:
    case OPFMT_LOCAL: {
        ObjTuple *names = fmt == OPFMT_GLOBAL ? code->globals : code->varnames;
        if (op == OP_FAST_IMM_ARITH_STORE || op == OP_FAST_IMM_COMPARE_JUMP ||
            op == OP_FAST_IMM_ARITH || op == OP_GLOBAL_IMM_ARITH_STORE ||
            op == OP_GLOBAL_IMM_COMPARE_JUMP)
            dis_fused(out, code, index, names);
        else
            fprintf(out, " (%s)", tuple_name(names, arg));
        break;
    }
    case OPFMT_JUMP:
        fprintf(out, " (to %u)", arg);
        break;
    }
}

void vm_dis_operation(FILE *out, ObjCode *code, int32_t index) {
    fprintf(out, "%4d ", index);
    dis_operation(out, code, index);
    fputc('\n', out);
}

static int digits(int64_t v) {
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

void vm_dis_code(FILE *out, ObjCode *code) {
    fprintf(out, "Disassembly of %s (%s, line %d):\n", code_name(code),
            code->filename ? code->filename->chars : "?", code->firstline);
    /* Jump targets and exception handlers get ">>", as in CPython. */
    uint8_t *target = (uint8_t *)vm_realloc(NULL, NULL, 0, (size_t)code->count + 1);
    memset(target, 0, (size_t)code->count + 1);
    int32_t max_line = 0;
    for (int32_t i = 0; i < code->count; i++) {
        Opcode op = VM_INSTR_OP(code->code[i]);
        uint32_t arg = VM_INSTR_ARG(code->code[i]);
        if (vm_opcode_format(op) == OPFMT_JUMP && arg <= (uint32_t)code->count) target[arg] = 1;
        if (code->lines && code->lines[i] > max_line) max_line = code->lines[i];
    }
    for (int32_t e = 0; e < code->exc_count; e++)
        if (code->exc_table[e].handler <= (uint32_t)code->count)
            target[code->exc_table[e].handler] = 1;
    int line_width = digits(max_line) > 3 ? digits(max_line) : 3;
    int index_width = digits(code->count) > 4 ? digits(code->count) : 4;
    int32_t last_line = -1;
    for (int32_t i = 0; i < code->count; i++) {
        int32_t line = code->lines ? code->lines[i] : 0;
        bool starts = line > 0 && line != last_line;
        if (starts && i > 0) fputc('\n', out);
        if (starts) fprintf(out, "%*d", line_width, line);
        else fprintf(out, "%*s", line_width, "");
        fprintf(out, "     %s %*d ", target[i] ? ">>" : "  ", index_width, i);
        dis_operation(out, code, i);
        fputc('\n', out);
        if (line > 0) last_line = line;
    }
    vm_realloc(NULL, target, (size_t)code->count + 1, 0);
    if (code->exc_count) {
        fputs("ExceptionTable:\n", out);
        for (int32_t i = 0; i < code->exc_count; i++) {
            ExcTableEntry *e = &code->exc_table[i];
            /* As CPython: the last instruction covered, not the first past. */
            fprintf(out, "  %u to %u -> %u [%u]\n", e->start, e->end > e->start ? e->end - 1 : e->start,
                    e->handler, e->depth);
        }
    }
    /* Nested code objects after their parent, each followed by its own. */
    for (int i = 0; i < code->consts.count; i++) {
        Value v = code->consts.values[i];
        if (VM_IS_CODE(v)) {
            fputc('\n', out);
            vm_dis_code(out, VM_AS_CODE(v));
        }
    }
}
