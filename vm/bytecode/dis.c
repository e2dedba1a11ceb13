/*
 * vm/bytecode/dis.c - the disassembler, in the style of clox's debug.c: one helper
 * per operand shape (opcodes.def's FMT column), used by `gilt dis` and by
 * instruction tracing.
 */
#include "vm/bytecode/dis.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vm/bytecode/opcodes.h"

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
        fprintf(out, "<code %s>", c->name ? c->name->chars : "?");
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

static void dis_one(FILE *out, ObjCode *code, int32_t index, bool show_line) {
    uint32_t w = code->code[index];
    Opcode op = VM_INSTR_OP(w);
    uint32_t arg = VM_INSTR_ARG(w);
    if (show_line) fprintf(out, "%4d ", code->lines ? code->lines[index] : 0);
    else fputs("     ", out);
    fprintf(out, "%5d %-24s", index, vm_opcode_name(op));
    switch (vm_opcode_format(op)) {
    case OPFMT_NONE:
        break;
    case OPFMT_INT:
        if (op == OP_LOAD_SMALL_INT)
            fprintf(out, " %6u (%" PRId64 ")", arg, (int64_t)arg - VM_SMALL_INT_BIAS);
        else if (op == OP_INPLACE_OP)
            fprintf(out, " %6u (%s)", arg, vm_opcode_name((Opcode)arg));
        else
            fprintf(out, " %6u", arg);
        break;
    case OPFMT_COUNT:
        fprintf(out, " %6u", arg);
        break;
    case OPFMT_CONST:
        fprintf(out, " %6u (", arg);
        if ((int)arg < code->consts.count) print_const(out, code->consts.values[arg], 0);
        else fputs("?", out);
        fputc(')', out);
        break;
    case OPFMT_NAME:
        fprintf(out, " %6u (%s)", arg, tuple_name(code->names, arg));
        break;
    case OPFMT_GLOBAL:
        fprintf(out, " %6u (%s)", arg, tuple_name(code->globals, arg));
        break;
    case OPFMT_LOCAL:
        fprintf(out, " %6u (%s)", arg, tuple_name(code->varnames, arg));
        break;
    case OPFMT_JUMP:
        fprintf(out, " %6u (to %u)", arg, arg);
        break;
    }
    fputc('\n', out);
}

void vm_dis_instruction(FILE *out, ObjCode *code, int32_t index) {
    dis_one(out, code, index, true);
}

void vm_dis_code(FILE *out, ObjCode *code) {
    fprintf(out, "Disassembly of <code %s> (%s), file \"%s\", line %d:\n",
            code->name ? code->name->chars : "?",
            code->qualname ? code->qualname->chars : "?",
            code->filename ? code->filename->chars : "?", code->firstline);
    fprintf(out, "  args %d, kwonly %d, locals %d, free %d, stack %d, flags",
            code->nargs, code->nkwonly, code->nlocals, code->nfree, code->max_stack);
    if (code->flags & CODE_VARARGS) fputs(" VARARGS", out);
    if (code->flags & CODE_VARKW) fputs(" VARKW", out);
    if (code->flags & CODE_GENERATOR) fputs(" GENERATOR", out);
    if (code->flags & CODE_CLASS_BODY) fputs(" CLASS_BODY", out);
    if (code->flags & CODE_MODULE) fputs(" MODULE", out);
    fputc('\n', out);
    int32_t last_line = -1;
    for (int32_t i = 0; i < code->count; i++) {
        int32_t line = code->lines ? code->lines[i] : 0;
        dis_one(out, code, i, line != last_line);
        last_line = line;
    }
    if (code->exc_count) {
        fputs("ExceptionTable:\n", out);
        for (int32_t i = 0; i < code->exc_count; i++) {
            ExcTableEntry *e = &code->exc_table[i];
            fprintf(out, "  %u to %u -> %u [%u]\n", e->start, e->end, e->handler, e->depth);
        }
    }
    for (int i = 0; i < code->consts.count; i++) {
        Value v = code->consts.values[i];
        if (VM_IS_CODE(v)) {
            fputc('\n', out);
            vm_dis_code(out, VM_AS_CODE(v));
        }
    }
}
