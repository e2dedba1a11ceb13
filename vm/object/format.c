/*
 * vm/object/format.c - text from values the way CPython writes it: repr of floats
 * (shortest round-trip), the format-spec mini-language (format(), f-strings,
 * str.format) and printf-style `%` formatting.
 */
#include "vm/object/format.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/object/dict.h"
#include "vm/object/list.h"
#include "vm/object/ops.h"

/* ---- numbers ------------------------------------------------------------- */

void vm_format_int(int64_t i, char *buf, size_t size) {
    snprintf(buf, size, "%lld", (long long)i);
}

/* Shortest digits that read back as d, in CPython's repr layout: exponent
 * form when the decimal exponent is < -4 or >= 16, else positional with at
 * least one digit after the point. */
void vm_format_float_repr(double d, char *buf, size_t size) {
    if (isnan(d)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, size, d < 0 ? "-inf" : "inf");
        return;
    }
    if (d == 0) {
        snprintf(buf, size, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    char tmp[64];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d) break;
    }
    /* tmp = [-]D.DDDDe[+-]XX: split digits and exponent. */
    char digits[32];
    int nd = 0;
    const char *p = tmp;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    for (; *p && *p != 'e'; p++)
        if (isdigit((unsigned char)*p)) digits[nd++] = *p;
    digits[nd] = '\0';
    int exp = atoi(p + 1);
    /* Trim trailing zeros of the significand. */
    while (nd > 1 && digits[nd - 1] == '0') digits[--nd] = '\0';
    char out[64];
    int o = 0;
    if (neg) out[o++] = '-';
    if (exp < -4 || exp >= 16) {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            for (int i = 1; i < nd; i++) out[o++] = digits[i];
        }
        o += snprintf(out + o, sizeof out - (size_t)o, "e%c%02d", exp < 0 ? '-' : '+',
                      exp < 0 ? -exp : exp);
    } else if (exp < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = 0; i < -exp - 1; i++) out[o++] = '0';
        for (int i = 0; i < nd; i++) out[o++] = digits[i];
        out[o] = '\0';
    } else {
        for (int i = 0; i <= exp; i++) out[o++] = i < nd ? digits[i] : '0';
        out[o++] = '.';
        if (nd > exp + 1) {
            for (int i = exp + 1; i < nd; i++) out[o++] = digits[i];
        } else {
            out[o++] = '0';
        }
        out[o] = '\0';
    }
    snprintf(buf, size, "%s", out);
}

/* ---- the format-spec mini-language ---------------------------------------- */

typedef struct {
    char fill;            /* one byte fill (ASCII) */
    char fill_utf8[5];    /* the fill character as UTF-8 */
    char align;           /* '<' '>' '^' '=' or 0 */
    char sign;            /* '+' '-' ' ' or 0 */
    bool alt;             /* '#' */
    bool zero;            /* '0' */
    int width;            /* -1 when absent */
    char grouping;        /* ',' '_' or 0 */
    int precision;        /* -1 when absent */
    char type;            /* 0 when absent */
} Spec;

static bool parse_spec(VmThread *th, ObjStr *s, Spec *sp) {
    memset(sp, 0, sizeof *sp);
    sp->width = -1;
    sp->precision = -1;
    strcpy(sp->fill_utf8, " ");
    const char *p = s->chars, *end = s->chars + s->length;
    /* [[fill]align] */
    if (p < end) {
        int n = vm_utf8_seq_len((unsigned char)*p);
        if (p + n < end && strchr("<>^=", p[n])) {
            memcpy(sp->fill_utf8, p, (size_t)n);
            sp->fill_utf8[n] = '\0';
            sp->fill = *p;
            sp->align = p[n];
            p += n + 1;
        } else if (strchr("<>^=", *p)) {
            sp->align = *p++;
        }
    }
    if (p < end && strchr("+- ", *p)) sp->sign = *p++;
    if (p < end && *p == '#') {
        sp->alt = true;
        p++;
    }
    if (p < end && *p == '0') {
        sp->zero = true;
        p++;
    }
    if (p < end && isdigit((unsigned char)*p)) {
        sp->width = 0;
        while (p < end && isdigit((unsigned char)*p)) sp->width = sp->width * 10 + (*p++ - '0');
    }
    if (p < end && (*p == ',' || *p == '_')) sp->grouping = *p++;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !isdigit((unsigned char)*p))
            return vm_raise(th, th->vm->cls.ValueError, "Format specifier missing precision");
        sp->precision = 0;
        while (p < end && isdigit((unsigned char)*p))
            sp->precision = sp->precision * 10 + (*p++ - '0');
    }
    if (p < end) sp->type = *p++;
    if (p < end)
        return vm_raise(th, th->vm->cls.ValueError, "Invalid format specifier");
    return true;
}

/* Pad body (with its sign/prefix already split off) to the width. */
static ObjStr *pad(VmShared *vm, const Spec *sp, const char *prefix,
                   const char *body, char default_align) {
    StrBuf b;
    vm_strbuf_init(&b);
    size_t plen = strlen(prefix);
    int64_t nchars = 0;
    for (const char *q = body; *q; q++)
        if (((unsigned char)*q & 0xC0) != 0x80) nchars++;
    int64_t total = (int64_t)plen + nchars;
    char align = sp->align ? sp->align : default_align;
    int64_t padn = sp->width > total ? sp->width - total : 0;
    const char *fill = sp->fill_utf8;
    if (sp->zero && !sp->align) {
        align = '=';
        fill = "0";
    }
    int64_t left = 0, right = 0;
    switch (align) {
    case '<': right = padn; break;
    case '^': left = padn / 2; right = padn - left; break;
    default: left = padn; break;
    }
    if (align == '=') {
        vm_strbuf_append_cstr(&b, prefix);
        for (int64_t i = 0; i < left; i++) vm_strbuf_append_cstr(&b, fill);
        vm_strbuf_append_cstr(&b, body);
    } else {
        for (int64_t i = 0; i < left; i++) vm_strbuf_append_cstr(&b, fill);
        vm_strbuf_append_cstr(&b, prefix);
        vm_strbuf_append_cstr(&b, body);
        for (int64_t i = 0; i < right; i++) vm_strbuf_append_cstr(&b, fill);
    }
    return vm_strbuf_finish(vm, &b);
}

/* Insert thousands separators into a run of digits. */
static void group_digits(const char *in, char sep, char *out, int every) {
    size_t n = strlen(in);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        out[o++] = in[i];
        size_t left = n - i - 1;
        if (sep && left > 0 && left % (size_t)every == 0) out[o++] = sep;
    }
    out[o] = '\0';
}

static bool format_int_spec(VmThread *th, int64_t v, const Spec *sp, ObjStr **out) {
    char digits[80], grouped[160], body[200];
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    const char *prefix = "";
    char type = sp->type ? sp->type : 'd';
    int every = 3;
    switch (type) {
    case 'd': case 'n': snprintf(digits, sizeof digits, "%llu", (unsigned long long)mag); break;
    case 'x': snprintf(digits, sizeof digits, "%llx", (unsigned long long)mag); prefix = "0x"; every = 4; break;
    case 'X': snprintf(digits, sizeof digits, "%llX", (unsigned long long)mag); prefix = "0X"; every = 4; break;
    case 'o': snprintf(digits, sizeof digits, "%llo", (unsigned long long)mag); prefix = "0o"; every = 4; break;
    case 'b': {
        int n = 0;
        char tmp[70];
        do {
            tmp[n++] = (char)('0' + (mag & 1));
            mag >>= 1;
        } while (mag);
        for (int i = 0; i < n; i++) digits[i] = tmp[n - 1 - i];
        digits[n] = '\0';
        prefix = "0b";
        every = 4;
        break;
    }
    case 'c': {
        if (v < 0 || v > 0x10FFFF)
            return vm_raise(th, th->vm->cls.OverflowError, "%%c arg not in range(0x110000)");
        char enc[5] = {0};
        vm_utf8_encode((uint32_t)v, enc);
        Spec s2 = *sp;
        *out = pad(th->vm, &s2, "", enc, '<');
        return true;
    }
    default:
        return vm_raise(th, th->vm->cls.ValueError,
                        "Unknown format code '%c' for object of type 'int'", type);
    }
    group_digits(digits, sp->grouping, grouped, every);
    char sign[8] = "";
    if (v < 0) strcpy(sign, "-");
    else if (sp->sign == '+') strcpy(sign, "+");
    else if (sp->sign == ' ') strcpy(sign, " ");
    char pre[16];
    snprintf(pre, sizeof pre, "%s%s", sign, sp->alt ? prefix : "");
    snprintf(body, sizeof body, "%s", grouped);
    *out = pad(th->vm, sp, pre, body, '>');
    return true;
}

static bool format_float_spec(VmThread *th, double d, const Spec *sp, ObjStr **out) {
    char type = sp->type;
    int prec = sp->precision;
    char body[512];
    bool neg = signbit(d) && !isnan(d);
    double mag = fabs(d);
    if (isinf(mag) || isnan(mag)) {
        bool upper = type == 'E' || type == 'F' || type == 'G';
        snprintf(body, sizeof body, "%s", isnan(mag) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf"));
        if (type == '%') strcat(body, "%");
    } else {
        switch (type) {
        case 'e': case 'E': case 'f': case 'F': case '%': {
            if (prec < 0) prec = 6;
            char fmt[16];
            double val = type == '%' ? mag * 100 : mag;
            char t = type == '%' ? 'f' : type;
            snprintf(fmt, sizeof fmt, "%%.%d%c", prec > 400 ? 400 : prec, t);
            snprintf(body, sizeof body - 2, fmt, val);
            if (sp->alt && prec == 0 && (t == 'f' || t == 'F')) strcat(body, ".");
            if (type == '%') strcat(body, "%");
            break;
        }
        case 'g': case 'G': {
            if (prec < 0) prec = 6;
            if (prec == 0) prec = 1;
            char fmt[16];
            snprintf(fmt, sizeof fmt, sp->alt ? "%%#.%d%c" : "%%.%d%c", prec, type);
            snprintf(body, sizeof body, fmt, mag);
            break;
        }
        case 0:
        case 'n': {
            if (prec < 0) {
                vm_format_float_repr(mag, body, sizeof body);
            } else {
                /* Like 'g' but always shows at least one digit after the
                 * point when the result has no exponent... CPython: like
                 * 'g' except that fixed-point has at least one digit past
                 * the decimal point. */
                if (prec == 0) prec = 1;
                char fmt[16];
                snprintf(fmt, sizeof fmt, "%%.%dg", prec);
                snprintf(body, sizeof body, fmt, mag);
                if (!strchr(body, '.') && !strchr(body, 'e') && !strchr(body, 'n') &&
                    !strchr(body, 'i'))
                    strcat(body, ".0");
            }
            break;
        }
        default:
            return vm_raise(th, th->vm->cls.ValueError,
                            "Unknown format code '%c' for object of type 'float'", type);
        }
    }
    if (sp->grouping) {
        /* Group the integer part only. */
        char intpart[400], rest[200], grouped[600];
        size_t k = strspn(body, "0123456789");
        if (k >= sizeof intpart) k = sizeof intpart - 1;
        memcpy(intpart, body, k);
        intpart[k] = '\0';
        snprintf(rest, sizeof rest, "%s", body + k);
        group_digits(intpart, sp->grouping, grouped, 3);
        size_t gl = strlen(grouped), rl = strlen(rest);
        if (gl + rl < sizeof body) {
            memcpy(body, grouped, gl);
            memcpy(body + gl, rest, rl + 1);
        }
    }
    const char *sign = neg ? "-" : sp->sign == '+' ? "+" : sp->sign == ' ' ? " " : "";
    *out = pad(th->vm, sp, sign, body, '>');
    return true;
}

static bool format_str_spec(VmThread *th, ObjStr *s, const Spec *sp, ObjStr **out) {
    if (sp->type && sp->type != 's')
        return vm_raise(th, th->vm->cls.ValueError,
                        "Unknown format code '%c' for object of type 'str'", sp->type);
    if (sp->sign)
        return vm_raise(th, th->vm->cls.ValueError,
                        "Sign not allowed in string format specifier");
    if (sp->align == '=')
        return vm_raise(th, th->vm->cls.ValueError,
                        "'=' alignment not allowed in string format specifier");
    ObjStr *body = s;
    if (sp->precision >= 0 && sp->precision < s->nchars)
        body = vm_str_slice(th->vm, s, 0, sp->precision, 1, sp->precision);
    Spec s2 = *sp;
    s2.zero = sp->zero && sp->align;
    *out = pad(th->vm, &s2, "", body->chars, '<');
    return true;
}

bool vm_format_value(VmThread *th, Value v, ObjStr *spec, ObjStr **out) {
    VmShared *vm = th->vm;
    if (v.type == VAL_OBJ && v.as.o->kind != OBJ_STR) {
        Value fn;
        if (v.as.o->kind != OBJ_CLASS &&
            vm_class_lookup(v.as.o->cls, vm->names.format, &fn)) {
            Value *base = th->stack_top;
            base[0] = v;
            base[1] = VM_OBJ(spec);
            th->stack_top += 2;
            Value r;
            bool ok = vm_call(th, fn, base, 2, NULL, &r);
            th->stack_top = base;
            if (!ok) return false;
            if (!VM_IS_STR(r))
                return vm_raise(th, vm->cls.TypeError,
                                "__format__ must return a str, not %s",
                                vm_value_type_name(vm, r));
            *out = VM_AS_STR(r);
            return true;
        }
        if (spec->length == 0) return vm_str(th, v, out);
        return vm_raise(th, vm->cls.TypeError,
                        "unsupported format string passed to %s.__format__",
                        vm_value_type_name(vm, v));
    }
    if (spec->length == 0 && !VM_IS_FLOAT(v)) return vm_str(th, v, out);
    Spec sp;
    if (!parse_spec(th, spec, &sp)) return false;
    switch ((ValueType)v.type) {
    case VAL_BOOL:
        if (!sp.type) {
            ObjStr *s;
            if (!vm_str(th, v, &s)) return false;
            return format_str_spec(th, s, &sp, out);
        }
        /* fallthrough */
    case VAL_INT: {
        int64_t i = v.type == VAL_BOOL ? v.as.b : v.as.i;
        if (sp.type && strchr("eEfFgG%", sp.type))
            return format_float_spec(th, (double)i, &sp, out);
        if (sp.precision >= 0)
            return vm_raise(th, vm->cls.ValueError,
                            "Precision not allowed in integer format specifier");
        return format_int_spec(th, i, &sp, out);
    }
    case VAL_FLOAT:
        if (spec->length == 0) {
            char buf[64];
            vm_format_float_repr(v.as.f, buf, sizeof buf);
            *out = vm_str_from_cstr(vm, buf);
            return true;
        }
        return format_float_spec(th, v.as.f, &sp, out);
    case VAL_NONE: {
        ObjStr *s;
        if (!vm_str(th, v, &s)) return false;
        if (spec->length)
            return vm_raise(th, vm->cls.TypeError,
                            "unsupported format string passed to NoneType.__format__");
        *out = s;
        return true;
    }
    default: break;
    }
    return format_str_spec(th, VM_AS_STR(v), &sp, out);
}

/* ---- printf-style % -------------------------------------------------------- */

bool vm_format_percent(VmThread *th, ObjStr *fmt, Value args, ObjStr **out) {
    VmShared *vm = th->vm;
    Value *items;
    int64_t nitems;
    Value single = args;
    ObjDict *mapping = NULL;
    if (VM_IS_TUPLE(args)) {
        items = VM_AS_TUPLE(args)->items;
        nitems = VM_AS_TUPLE(args)->count;
    } else {
        items = &single;
        nitems = 1;
        if (VM_IS_DICT(args)) mapping = VM_AS_DICT(args);
    }
    int64_t next = 0;
    bool used_mapping = false;
    StrBuf b;
    vm_strbuf_init(&b);
    const char *p = fmt->chars, *end = fmt->chars + fmt->length;
    while (p < end) {
        if (*p != '%') {
            const char *q = p;
            while (q < end && *q != '%') q++;
            vm_strbuf_append(&b, p, q - p);
            p = q;
            continue;
        }
        p++;
        if (p >= end) {
            vm_strbuf_fini(&b);
            return vm_raise(th, vm->cls.ValueError, "incomplete format");
        }
        if (*p == '%') {
            vm_strbuf_append_char(&b, '%');
            p++;
            continue;
        }
        Value arg = VM_UNDEF;
        if (*p == '(') {
            const char *q = ++p;
            int depth = 1;
            while (q < end && depth) {
                if (*q == '(') depth++;
                else if (*q == ')') depth--;
                if (depth) q++;
            }
            if (!mapping) {
                vm_strbuf_fini(&b);
                return vm_raise(th, vm->cls.TypeError, "format requires a mapping");
            }
            Value key = VM_OBJ(vm_str_copy(vm, p, q - p));
            int f = vm_dict_get(th, mapping, key, &arg);
            if (f <= 0) {
                vm_strbuf_fini(&b);
                if (f == 0) vm_raise_value(th, vm_exception_new(th, vm->cls.KeyError, &key, 1));
                return false;
            }
            used_mapping = true;
            p = q + 1;
        }
        Spec sp;
        memset(&sp, 0, sizeof sp);
        sp.width = -1;
        sp.precision = -1;
        strcpy(sp.fill_utf8, " ");
        bool left = false;
        for (; p < end && strchr("-+ #0", *p); p++) {
            if (*p == '-') left = true;
            else if (*p == '+') sp.sign = '+';
            else if (*p == ' ') { if (sp.sign != '+') sp.sign = ' '; }
            else if (*p == '#') sp.alt = true;
            else sp.zero = true;
        }
        if (p < end && *p == '*') {
            if (next >= nitems || !VM_IS_INT(items[next])) {
                vm_strbuf_fini(&b);
                return vm_raise(th, vm->cls.TypeError, "* wants int");
            }
            sp.width = (int)VM_AS_INT(items[next++]);
            if (sp.width < 0) {
                left = true;
                sp.width = -sp.width;
            }
            p++;
        } else {
            while (p < end && isdigit((unsigned char)*p)) {
                if (sp.width < 0) sp.width = 0;
                sp.width = sp.width * 10 + (*p++ - '0');
            }
        }
        if (p < end && *p == '.') {
            p++;
            sp.precision = 0;
            if (p < end && *p == '*') {
                if (next >= nitems || !VM_IS_INT(items[next])) {
                    vm_strbuf_fini(&b);
                    return vm_raise(th, vm->cls.TypeError, "* wants int");
                }
                sp.precision = (int)VM_AS_INT(items[next++]);
                p++;
            } else {
                while (p < end && isdigit((unsigned char)*p))
                    sp.precision = sp.precision * 10 + (*p++ - '0');
            }
        }
        while (p < end && (*p == 'l' || *p == 'h' || *p == 'L')) p++;
        if (p >= end) {
            vm_strbuf_fini(&b);
            return vm_raise(th, vm->cls.ValueError, "incomplete format");
        }
        char conv = *p++;
        if (VM_IS_UNDEF(arg)) {
            if (next >= nitems) {
                vm_strbuf_fini(&b);
                return vm_raise(th, vm->cls.TypeError, "not enough arguments for format string");
            }
            arg = items[next++];
        }
        if (left) sp.align = '<';
        else if (!sp.zero) sp.align = '>';
        ObjStr *piece = NULL;
        bool ok = true;
        switch (conv) {
        case 's': case 'r': case 'a': {
            ObjStr *s;
            ok = conv == 's' ? vm_str(th, arg, &s) : vm_repr(th, arg, &s);
            if (ok) {
                Spec s2 = sp;
                s2.zero = false;
                if (!left) s2.align = '>';
                s2.sign = 0;
                ok = format_str_spec(th, s, &s2, &piece);
            }
            break;
        }
        case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': {
            int64_t iv;
            if (VM_IS_FLOAT(arg) && (conv == 'd' || conv == 'i' || conv == 'u')) {
                iv = (int64_t)VM_AS_FLOAT(arg);
            } else if (VM_IS_INT(arg) || VM_IS_BOOL(arg)) {
                iv = VM_IS_INT(arg) ? VM_AS_INT(arg) : VM_AS_BOOL(arg);
            } else {
                vm_strbuf_fini(&b);
                if (conv == 'x' || conv == 'X' || conv == 'o')
                    return vm_raise(th, vm->cls.TypeError,
                                    "%%%c format: an integer is required, not %s", conv,
                                    vm_value_type_name(vm, arg));
                return vm_raise(th, vm->cls.TypeError,
                                "%%%c format: a real number is required, not %s", conv,
                                vm_value_type_name(vm, arg));
            }
            Spec s2 = sp;
            s2.type = (conv == 'i' || conv == 'u') ? 'd' : conv;
            if (sp.zero && !left) {
                s2.align = 0;
                s2.zero = true;
            }
            int prec = sp.precision;
            s2.precision = -1;
            ok = format_int_spec(th, iv, &s2, &piece);
            if (ok && prec > 0) {
                /* %.3d pads the digits with zeros. */
                char digits[100];
                snprintf(digits, sizeof digits, "%lld", (long long)(iv < 0 ? -iv : iv));
                if ((int)strlen(digits) < prec && conv == 'd' && prec < 100) {
                    char padded[256];
                    snprintf(padded, sizeof padded, "%s%0*lld", iv < 0 ? "-" : "", prec,
                             (long long)(iv < 0 ? -iv : iv));
                    Spec s3 = s2;
                    s3.sign = 0;
                    piece = pad(vm, &s3, "", padded, '>');
                }
            }
            break;
        }
        case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': {
            double dv;
            if (!vm_to_double(th, arg, &dv)) {
                vm_strbuf_fini(&b);
                vm_clear_exception(th);
                return vm_raise(th, vm->cls.TypeError,
                                "must be real number, not %s", vm_value_type_name(vm, arg));
            }
            Spec s2 = sp;
            s2.type = conv;
            if (s2.precision < 0) s2.precision = 6;
            if (sp.zero && !left) {
                s2.align = 0;
                s2.zero = true;
            }
            ok = format_float_spec(th, dv, &s2, &piece);
            break;
        }
        case 'c': {
            if (VM_IS_STR(arg) && VM_AS_STR(arg)->nchars == 1) {
                piece = VM_AS_STR(arg);
            } else if (VM_IS_INT(arg)) {
                char enc[5] = {0};
                vm_utf8_encode((uint32_t)VM_AS_INT(arg), enc);
                piece = vm_str_from_cstr(vm, enc);
            } else {
                vm_strbuf_fini(&b);
                return vm_raise(th, vm->cls.TypeError, "%%c requires int or char");
            }
            Spec s2 = sp;
            s2.zero = false;
            piece = pad(vm, &s2, "", piece->chars, '>');
            break;
        }
        default:
            vm_strbuf_fini(&b);
            return vm_raise(th, vm->cls.ValueError,
                            "unsupported format character '%c' (0x%x) at index %d",
                            conv, (unsigned)(unsigned char)conv,
                            (int)(p - fmt->chars - 1));
        }
        if (!ok) {
            vm_strbuf_fini(&b);
            return false;
        }
        vm_strbuf_append_str(&b, piece);
    }
    if (!mapping && next < nitems && !used_mapping) {
        vm_strbuf_fini(&b);
        return vm_raise(th, vm->cls.TypeError,
                        "not all arguments converted during string formatting");
    }
    *out = vm_strbuf_finish(vm, &b);
    return true;
}

/* ---- str.format ------------------------------------------------------------ */

static bool lookup_field(VmThread *th, const char *name, size_t n, Value *args,
                         int nargs, ObjTuple *kwnames, int *auto_idx,
                         Value *out) {
    VmShared *vm = th->vm;
    /* first part: index or keyword, up to '.' or '[' */
    size_t k = 0;
    while (k < n && name[k] != '.' && name[k] != '[') k++;
    if (k == 0) {
        if (*auto_idx < 0)
            return vm_raise(th, vm->cls.ValueError,
                            "cannot switch from manual field specification to "
                            "automatic field numbering");
        int idx = (*auto_idx)++;
        if (idx >= nargs)
            return vm_raise(th, vm->cls.IndexError,
                            "Replacement index %d out of range for positional "
                            "args tuple", idx);
        *out = args[idx];
    } else if (isdigit((unsigned char)name[0])) {
        if (*auto_idx > 0)
            return vm_raise(th, vm->cls.ValueError,
                            "cannot switch from automatic field numbering to "
                            "manual field specification");
        *auto_idx = -1;
        int idx = atoi(name);
        if (idx >= nargs)
            return vm_raise(th, vm->cls.IndexError,
                            "Replacement index %d out of range for positional "
                            "args tuple", idx);
        *out = args[idx];
    } else {
        bool found = false;
        for (int64_t i = 0; kwnames && i < kwnames->count; i++) {
            ObjStr *kn = VM_AS_STR(kwnames->items[i]);
            if ((size_t)kn->length == k && memcmp(kn->chars, name, k) == 0) {
                *out = args[nargs + i];
                found = true;
            }
        }
        if (!found) {
            Value key = VM_OBJ(vm_str_copy(vm, name, (int64_t)k));
            return vm_raise_value(th, vm_exception_new(th, vm->cls.KeyError, &key, 1));
        }
    }
    while (k < n) {
        if (name[k] == '.') {
            size_t s = ++k;
            while (k < n && name[k] != '.' && name[k] != '[') k++;
            ObjStr *attr = vm_str_intern(vm, name + s, (int64_t)(k - s));
            if (!vm_getattr(th, *out, attr, out)) return false;
        } else {
            size_t s = ++k;
            while (k < n && name[k] != ']') k++;
            Value key;
            bool digits = k > s;
            for (size_t q = s; q < k; q++)
                if (!isdigit((unsigned char)name[q])) digits = false;
            key = digits ? VM_INT(atoll(name + s))
                         : VM_OBJ(vm_str_copy(vm, name + s, (int64_t)(k - s)));
            if (!vm_getitem(th, *out, key, out)) return false;
            k++;
        }
    }
    return true;
}

bool vm_format_str_format(VmThread *th, ObjStr *fmt, Value *args, int nargs,
                          ObjTuple *kwnames, ObjStr **out) {
    VmShared *vm = th->vm;
    StrBuf b;
    vm_strbuf_init(&b);
    int auto_idx = 0;
    const char *p = fmt->chars, *end = fmt->chars + fmt->length;
    while (p < end) {
        if (*p == '{' && p + 1 < end && p[1] == '{') {
            vm_strbuf_append_char(&b, '{');
            p += 2;
            continue;
        }
        if (*p == '}' && p + 1 < end && p[1] == '}') {
            vm_strbuf_append_char(&b, '}');
            p += 2;
            continue;
        }
        if (*p == '}') {
            vm_strbuf_fini(&b);
            return vm_raise(th, vm->cls.ValueError,
                            "Single '}' encountered in format string");
        }
        if (*p != '{') {
            vm_strbuf_append_char(&b, *p++);
            continue;
        }
        const char *q = ++p;
        int depth = 1;
        while (q < end && depth) {
            if (*q == '{') depth++;
            else if (*q == '}') depth--;
            if (depth) q++;
        }
        if (q >= end) {
            vm_strbuf_fini(&b);
            return vm_raise(th, vm->cls.ValueError,
                            "Single '{' encountered in format string");
        }
        const char *field_end = p;
        while (field_end < q && *field_end != '!' && *field_end != ':') field_end++;
        Value v;
        if (!lookup_field(th, p, (size_t)(field_end - p), args, nargs, kwnames,
                          &auto_idx, &v)) {
            vm_strbuf_fini(&b);
            return false;
        }
        const char *r = field_end;
        char conv = 0;
        if (r < q && *r == '!') {
            conv = r[1];
            r += 2;
        }
        ObjStr *spec = vm_str_intern_cstr(vm, "");
        if (r < q && *r == ':') {
            ObjStr *raw = vm_str_copy(vm, r + 1, q - r - 1);
            /* Nested fields in the spec. */
            if (memchr(raw->chars, '{', (size_t)raw->length)) {
                if (!vm_format_str_format(th, raw, args, nargs, kwnames, &spec)) {
                    vm_strbuf_fini(&b);
                    return false;
                }
            } else {
                spec = raw;
            }
        }
        ObjStr *s;
        bool ok = true;
        if (conv == 'r' || conv == 'a') {
            ok = vm_repr(th, v, &s);
            v = VM_OBJ(s);
        } else if (conv == 's') {
            ok = vm_str(th, v, &s);
            v = VM_OBJ(s);
        } else if (conv) {
            vm_strbuf_fini(&b);
            return vm_raise(th, vm->cls.ValueError,
                            "Unknown conversion specifier %c", conv);
        }
        if (ok) ok = vm_format_value(th, v, spec, &s);
        if (!ok) {
            vm_strbuf_fini(&b);
            return false;
        }
        vm_strbuf_append_str(&b, s);
        p = q + 1;
    }
    *out = vm_strbuf_finish(vm, &b);
    return true;
}
