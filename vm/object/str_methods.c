/*
 * vm/object/str_methods.c - the methods and dunders of str.
 *
 * Case mapping and character classes cover ASCII fully and Latin-1
 * letters for upper/lower; other code points are left unchanged, which is
 * enough for the teaching programs gilt runs (documented limit).
 */
#include <ctype.h>
#include <string.h>

#include "vm/object/dict.h"
#include "vm/object/format.h"
#include "vm/object/list.h"
#include "vm/object/ops.h"
#include "vm/object/str.h"

#define SELF (VM_AS_STR(a[0]))

static bool need_args(VmThread *th, const char *name, int n, int min, int max) {
    int given = n - 1;
    if (given >= min && given <= max) return true;
    if (min == max && min == 0)
        return vm_raise(th, th->vm->cls.TypeError,
                        "str.%s() takes no arguments (%d given)", name, given);
    if (given < min)
        return vm_raise(th, th->vm->cls.TypeError,
                        "%s() takes at least %d argument%s (%d given)", name, min,
                        min == 1 ? "" : "s", given);
    return vm_raise(th, th->vm->cls.TypeError,
                    "%s() takes at most %d argument%s (%d given)", name, max,
                    max == 1 ? "" : "s", given);
}

static bool check_self(VmThread *th, Value *a, int n, const char *name) {
    if (n < 1 || !VM_IS_STR(a[0]))
        return vm_raise(th, th->vm->cls.TypeError,
                        "descriptor '%s' requires a 'str' object", name);
    return true;
}

static bool str_arg(VmThread *th, Value v, const char *fname, int pos, ObjStr **out) {
    if (!VM_IS_STR(v))
        return vm_raise(th, th->vm->cls.TypeError,
                        "%s() argument %d must be str, not %s", fname, pos,
                        vm_value_type_name(th->vm, v));
    *out = VM_AS_STR(v);
    return true;
}

#define METHOD(name) \
    static bool s_##name(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r)

/* ---- case and classes ----------------------------------------------------- */

static uint32_t cp_upper(uint32_t c) {
    if (c >= 'a' && c <= 'z') return c - 32;
    if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;
    if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;
    if (c >= 0x430 && c <= 0x44F) return c - 32;
    return c;
}

static uint32_t cp_lower(uint32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
    if (c >= 0x391 && c <= 0x3A9) return c + 32;
    if (c >= 0x410 && c <= 0x42F) return c + 32;
    return c;
}

static bool cp_isupper(uint32_t c) { return cp_lower(c) != c; }
static bool cp_islower(uint32_t c) { return cp_upper(c) != c; }
static bool cp_isalpha(uint32_t c) {
    return (c < 0x80 && isalpha((int)c)) || cp_isupper(c) || cp_islower(c) || c == 0xDF;
}
static bool cp_isdigit(uint32_t c) { return c >= '0' && c <= '9'; }
static bool cp_isspace(uint32_t c) {
    return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1C && c <= 0x1F) ||
           c == 0x85 || c == 0xA0 || c == 0x2028 || c == 0x2029 || c == 0x3000;
}

static ObjStr *map_chars(VmShared *vm, ObjStr *s, int mode) {
    StrBuf b;
    vm_strbuf_init(&b);
    const char *p = s->chars, *end = s->chars + s->length;
    bool word_start = true, first = true;
    while (p < end) {
        uint32_t c;
        p += vm_utf8_decode(p, &c);
        uint32_t o = c;
        switch (mode) {
        case 0: o = cp_upper(c); break;
        case 1: o = cp_lower(c); break;
        case 2: o = cp_isupper(c) ? cp_lower(c) : cp_upper(c); break; /* swapcase */
        case 3: o = word_start ? cp_upper(c) : cp_lower(c); break;    /* title */
        case 4: o = first ? cp_upper(c) : cp_lower(c); break;         /* capitalize */
        }
        word_start = !cp_isalpha(c);
        first = false;
        char enc[4];
        vm_strbuf_append(&b, enc, vm_utf8_encode(o, enc));
    }
    return vm_strbuf_finish(vm, &b);
}

#define CASE_METHOD(fname, mode)                                              \
    METHOD(fname) {                                                           \
        (void)kwnames;                                                        \
        if (!check_self(th, a, n, #fname) || !need_args(th, #fname, n, 0, 0)) \
            return false;                                                     \
        *r = VM_OBJ(map_chars(th->vm, SELF, mode));                           \
        return true;                                                          \
    }
CASE_METHOD(upper, 0)
CASE_METHOD(lower, 1)
CASE_METHOD(swapcase, 2)
CASE_METHOD(title, 3)
CASE_METHOD(capitalize, 4)

static bool all_chars(ObjStr *s, bool (*pred)(uint32_t)) {
    if (s->length == 0) return false;
    const char *p = s->chars, *end = s->chars + s->length;
    while (p < end) {
        uint32_t c;
        p += vm_utf8_decode(p, &c);
        if (!pred(c)) return false;
    }
    return true;
}

static bool cp_isalnum(uint32_t c) { return cp_isalpha(c) || cp_isdigit(c); }

#define PRED_METHOD(fname, pred)                                              \
    METHOD(fname) {                                                           \
        (void)kwnames;                                                        \
        if (!check_self(th, a, n, #fname) || !need_args(th, #fname, n, 0, 0)) \
            return false;                                                     \
        *r = VM_BOOL(all_chars(SELF, pred));                                  \
        return true;                                                          \
    }
PRED_METHOD(isdigit, cp_isdigit)
PRED_METHOD(isdecimal, cp_isdigit)
PRED_METHOD(isnumeric, cp_isdigit)
PRED_METHOD(isalpha, cp_isalpha)
PRED_METHOD(isalnum, cp_isalnum)
PRED_METHOD(isspace, cp_isspace)

static bool cased(ObjStr *s, bool want_upper) {
    bool any = false;
    const char *p = s->chars, *end = s->chars + s->length;
    while (p < end) {
        uint32_t c;
        p += vm_utf8_decode(p, &c);
        if (want_upper ? cp_islower(c) : cp_isupper(c)) return false;
        if (want_upper ? cp_isupper(c) : cp_islower(c)) any = true;
    }
    return any;
}

METHOD(isupper) {
    (void)kwnames;
    if (!check_self(th, a, n, "isupper") || !need_args(th, "isupper", n, 0, 0)) return false;
    *r = VM_BOOL(cased(SELF, true));
    return true;
}
METHOD(islower) {
    (void)kwnames;
    if (!check_self(th, a, n, "islower") || !need_args(th, "islower", n, 0, 0)) return false;
    *r = VM_BOOL(cased(SELF, false));
    return true;
}
METHOD(isidentifier) {
    (void)kwnames;
    if (!check_self(th, a, n, "isidentifier")) return false;
    ObjStr *s = SELF;
    bool ok = s->length > 0 && (isalpha((unsigned char)s->chars[0]) || s->chars[0] == '_');
    for (int64_t i = 0; ok && i < s->length; i++)
        ok = isalnum((unsigned char)s->chars[i]) || s->chars[i] == '_';
    *r = VM_BOOL(ok);
    return true;
}

/* ---- searching ------------------------------------------------------------- */

/* Byte offset of needle in hay within [from, to) bytes; -1 if absent. */
static int64_t find_bytes(ObjStr *hay, ObjStr *needle, int64_t from, int64_t to,
                          bool reverse) {
    if (needle->length > to - from) return -1;
    if (!reverse) {
        for (int64_t i = from; i + needle->length <= to; i++)
            if (memcmp(hay->chars + i, needle->chars, (size_t)needle->length) == 0)
                return i;
    } else {
        for (int64_t i = to - needle->length; i >= from; i--)
            if (memcmp(hay->chars + i, needle->chars, (size_t)needle->length) == 0)
                return i;
    }
    return -1;
}

static int64_t char_index_of(ObjStr *s, int64_t byte) {
    if (s->ascii) return byte;
    int64_t n = 0;
    for (int64_t i = 0; i < byte; i++)
        if (((unsigned char)s->chars[i] & 0xC0) != 0x80) n++;
    return n;
}

/* Resolve optional start/end (code points) to byte offsets. */
static bool range_args(VmThread *th, ObjStr *s, Value *a, int n, int first,
                       int64_t *from, int64_t *to) {
    int64_t start = 0, end = s->nchars;
    if (n > first && !VM_IS_NONE(a[first])) {
        if (!vm_to_int64(th, a[first], &start)) return false;
        if (start < 0) start = start + s->nchars < 0 ? 0 : start + s->nchars;
    }
    if (n > first + 1 && !VM_IS_NONE(a[first + 1])) {
        if (!vm_to_int64(th, a[first + 1], &end)) return false;
        if (end < 0) end = end + s->nchars < 0 ? 0 : end + s->nchars;
    }
    if (end > s->nchars) end = s->nchars;
    if (start > s->nchars) {
        *from = s->length + 1;
        *to = s->length;
        return true;
    }
    *from = vm_str_byte_offset(s, start);
    *to = end < start ? *from : vm_str_byte_offset(s, end);
    return true;
}

static bool do_find(VmThread *th, Value *a, int n, const char *name, bool reverse,
                    bool raise, Value *r) {
    if (!check_self(th, a, n, name) || !need_args(th, name, n, 1, 3)) return false;
    ObjStr *sub;
    if (!VM_IS_STR(a[1]))
        return vm_raise(th, th->vm->cls.TypeError,
                        "must be str, not %s", vm_value_type_name(th->vm, a[1]));
    sub = VM_AS_STR(a[1]);
    int64_t from, to;
    if (!range_args(th, SELF, a, n, 2, &from, &to)) return false;
    int64_t pos = from > to ? -1 : find_bytes(SELF, sub, from, to, reverse);
    if (pos < 0 && raise)
        return vm_raise(th, th->vm->cls.ValueError, "substring not found");
    *r = VM_INT(pos < 0 ? -1 : char_index_of(SELF, pos));
    return true;
}

METHOD(find) { (void)kwnames; return do_find(th, a, n, "find", false, false, r); }
METHOD(rfind) { (void)kwnames; return do_find(th, a, n, "rfind", true, false, r); }
METHOD(index) { (void)kwnames; return do_find(th, a, n, "index", false, true, r); }
METHOD(rindex) { (void)kwnames; return do_find(th, a, n, "rindex", true, true, r); }

METHOD(count) {
    (void)kwnames;
    if (!check_self(th, a, n, "count") || !need_args(th, "count", n, 1, 3)) return false;
    ObjStr *sub;
    if (!str_arg(th, a[1], "count", 1, &sub)) return false;
    int64_t from, to;
    if (!range_args(th, SELF, a, n, 2, &from, &to)) return false;
    int64_t c = 0;
    if (sub->length == 0) {
        c = from > to ? 0 : char_index_of(SELF, to) - char_index_of(SELF, from) + 1;
    } else {
        int64_t pos = from;
        while (pos <= to) {
            int64_t f = find_bytes(SELF, sub, pos, to, false);
            if (f < 0) break;
            c++;
            pos = f + sub->length;
        }
    }
    *r = VM_INT(c);
    return true;
}

static bool affix(VmThread *th, Value *a, int n, bool start, Value *r) {
    const char *name = start ? "startswith" : "endswith";
    if (!check_self(th, a, n, name) || !need_args(th, name, n, 1, 3)) return false;
    int64_t from, to;
    if (!range_args(th, SELF, a, n, 2, &from, &to)) return false;
    Value *opts = &a[1];
    int64_t nopts = 1;
    if (VM_IS_TUPLE(a[1])) {
        opts = VM_AS_TUPLE(a[1])->items;
        nopts = VM_AS_TUPLE(a[1])->count;
    }
    for (int64_t i = 0; i < nopts; i++) {
        if (!VM_IS_STR(opts[i]))
            return vm_raise(th, th->vm->cls.TypeError,
                            "%s first arg must be str or a tuple of str, not %s",
                            name, vm_value_type_name(th->vm, opts[i]));
        ObjStr *s = VM_AS_STR(opts[i]);
        if (s->length > to - from) continue;
        const char *at = start ? SELF->chars + from : SELF->chars + to - s->length;
        if (memcmp(at, s->chars, (size_t)s->length) == 0) {
            *r = VM_TRUE;
            return true;
        }
    }
    *r = VM_FALSE;
    return true;
}

METHOD(startswith) { (void)kwnames; return affix(th, a, n, true, r); }
METHOD(endswith) { (void)kwnames; return affix(th, a, n, false, r); }

/* ---- splitting and joining ---------------------------------------------- */

static bool split_impl(VmThread *th, Value *a, int n, ObjTuple *kwnames, bool right,
                       Value *r) {
    static const char *const names[] = {"self", "sep", "maxsplit", NULL};
    Value v[3];
    if (!vm_parse_args(th, right ? "rsplit" : "split", a, n, kwnames, names, 1, 3, v))
        return false;
    ObjStr *s = VM_AS_STR(v[0]);
    int64_t maxsplit = -1;
    if (!VM_IS_UNDEF(v[2]) && !vm_to_int64(th, v[2], &maxsplit)) return false;
    VmShared *vm = th->vm;
    ObjList *out = vm_list_new(vm, 0);
    const char *b = s->chars, *e = s->chars + s->length;
    if (VM_IS_UNDEF(v[1]) || VM_IS_NONE(v[1])) {
        /* Runs of whitespace separate; leading/trailing whitespace ignored. */
        if (!right) {
            const char *p = b;
            while (p < e) {
                while (p < e && cp_isspace((unsigned char)*p)) p++;
                if (p >= e) break;
                if (maxsplit >= 0 && out->count == maxsplit) {
                    const char *q = e;
                    while (q > p && cp_isspace((unsigned char)q[-1])) q--;
                    vm_list_append(vm, out, VM_OBJ(vm_str_copy(vm, p, q - p)));
                    break;
                }
                const char *q = p;
                while (q < e && !cp_isspace((unsigned char)*q)) q++;
                vm_list_append(vm, out, VM_OBJ(vm_str_copy(vm, p, q - p)));
                p = q;
            }
        } else {
            const char *p = e;
            while (p > b) {
                while (p > b && cp_isspace((unsigned char)p[-1])) p--;
                if (p <= b) break;
                if (maxsplit >= 0 && out->count == maxsplit) {
                    const char *q = b;
                    while (q < p && cp_isspace((unsigned char)*q)) q++;
                    vm_list_insert(vm, out, 0, VM_OBJ(vm_str_copy(vm, q, p - q)));
                    break;
                }
                const char *q = p;
                while (q > b && !cp_isspace((unsigned char)q[-1])) q--;
                vm_list_insert(vm, out, 0, VM_OBJ(vm_str_copy(vm, q, p - q)));
                p = q;
            }
        }
        *r = VM_OBJ(out);
        return true;
    }
    ObjStr *sep;
    if (!VM_IS_STR(v[1]))
        return vm_raise(th, vm->cls.TypeError, "must be str or None, not %s",
                        vm_value_type_name(vm, v[1]));
    sep = VM_AS_STR(v[1]);
    if (sep->length == 0) return vm_raise(th, vm->cls.ValueError, "empty separator");
    if (!right) {
        int64_t pos = 0;
        while (maxsplit < 0 || out->count < maxsplit) {
            int64_t f = find_bytes(s, sep, pos, s->length, false);
            if (f < 0) break;
            vm_list_append(vm, out, VM_OBJ(vm_str_copy(vm, s->chars + pos, f - pos)));
            pos = f + sep->length;
        }
        vm_list_append(vm, out, VM_OBJ(vm_str_copy(vm, s->chars + pos, s->length - pos)));
    } else {
        int64_t end = s->length;
        int64_t splits = 0;
        while (maxsplit < 0 || splits < maxsplit) {
            int64_t f = find_bytes(s, sep, 0, end, true);
            if (f < 0) break;
            vm_list_insert(vm, out, 0,
                           VM_OBJ(vm_str_copy(vm, s->chars + f + sep->length,
                                              end - f - sep->length)));
            end = f;
            splits++;
        }
        vm_list_insert(vm, out, 0, VM_OBJ(vm_str_copy(vm, s->chars, end)));
    }
    *r = VM_OBJ(out);
    return true;
}

METHOD(split) { return split_impl(th, a, n, kwnames, false, r); }
METHOD(rsplit) { return split_impl(th, a, n, kwnames, true, r); }

METHOD(splitlines) {
    static const char *const names[] = {"self", "keepends", NULL};
    Value v[2];
    if (!vm_parse_args(th, "splitlines", a, n, kwnames, names, 1, 2, v)) return false;
    bool keep = !VM_IS_UNDEF(v[1]) && vm_truthy(th, v[1]) > 0;
    ObjStr *s = VM_AS_STR(v[0]);
    ObjList *out = vm_list_new(th->vm, 0);
    int64_t i = 0, start = 0;
    while (i < s->length) {
        char c = s->chars[i];
        if (c == '\n' || c == '\r') {
            int64_t eol = i;
            if (c == '\r' && i + 1 < s->length && s->chars[i + 1] == '\n') i++;
            i++;
            vm_list_append(th->vm, out,
                           VM_OBJ(vm_str_copy(th->vm, s->chars + start,
                                              (keep ? i : eol) - start)));
            start = i;
        } else {
            i++;
        }
    }
    if (start < s->length)
        vm_list_append(th->vm, out,
                       VM_OBJ(vm_str_copy(th->vm, s->chars + start, s->length - start)));
    *r = VM_OBJ(out);
    return true;
}

METHOD(join) {
    (void)kwnames;
    if (!check_self(th, a, n, "join") || !need_args(th, "join", n, 1, 1)) return false;
    ObjList *items;
    if (!vm_list_from_iterable(th, a[1], &items)) return false;
    StrBuf b;
    vm_strbuf_init(&b);
    for (int64_t i = 0; i < items->count; i++) {
        if (!VM_IS_STR(items->items[i])) {
            vm_strbuf_fini(&b);
            return vm_raise(th, th->vm->cls.TypeError,
                            "sequence item %lld: expected str instance, %s found",
                            (long long)i, vm_value_type_name(th->vm, items->items[i]));
        }
        if (i) vm_strbuf_append_str(&b, SELF);
        vm_strbuf_append_str(&b, VM_AS_STR(items->items[i]));
    }
    *r = VM_OBJ(vm_strbuf_finish(th->vm, &b));
    return true;
}

static bool in_set(ObjStr *chars, uint32_t c) {
    if (!chars) return cp_isspace(c);
    const char *p = chars->chars, *e = chars->chars + chars->length;
    while (p < e) {
        uint32_t d;
        p += vm_utf8_decode(p, &d);
        if (d == c) return true;
    }
    return false;
}

static bool strip_impl(VmThread *th, Value *a, int n, int mode, Value *r) {
    const char *name = mode == 0 ? "strip" : mode == 1 ? "lstrip" : "rstrip";
    if (!check_self(th, a, n, name) || !need_args(th, name, n, 0, 1)) return false;
    ObjStr *chars = NULL;
    if (n > 1 && !VM_IS_NONE(a[1])) {
        if (!VM_IS_STR(a[1]))
            return vm_raise(th, th->vm->cls.TypeError,
                            "%s arg must be None or str", name);
        chars = VM_AS_STR(a[1]);
    }
    ObjStr *s = SELF;
    const char *b = s->chars, *e = s->chars + s->length;
    if (mode != 2) {
        while (b < e) {
            uint32_t c;
            int k = vm_utf8_decode(b, &c);
            if (!in_set(chars, c)) break;
            b += k;
        }
    }
    if (mode != 1) {
        while (e > b) {
            const char *q = e - 1;
            while (q > b && ((unsigned char)*q & 0xC0) == 0x80) q--;
            uint32_t c;
            vm_utf8_decode(q, &c);
            if (!in_set(chars, c)) break;
            e = q;
        }
    }
    *r = VM_OBJ(vm_str_copy(th->vm, b, e - b));
    return true;
}

METHOD(strip) { (void)kwnames; return strip_impl(th, a, n, 0, r); }
METHOD(lstrip) { (void)kwnames; return strip_impl(th, a, n, 1, r); }
METHOD(rstrip) { (void)kwnames; return strip_impl(th, a, n, 2, r); }

METHOD(replace) {
    (void)kwnames;
    if (!check_self(th, a, n, "replace") || !need_args(th, "replace", n, 2, 3)) return false;
    ObjStr *old, *new_;
    if (!str_arg(th, a[1], "replace", 1, &old) || !str_arg(th, a[2], "replace", 2, &new_))
        return false;
    int64_t count = -1;
    if (n > 3 && !vm_to_int64(th, a[3], &count)) return false;
    ObjStr *s = SELF;
    StrBuf b;
    vm_strbuf_init(&b);
    int64_t pos = 0, done = 0;
    if (old->length == 0) {
        const char *p = s->chars, *e = s->chars + s->length;
        while (count < 0 || done < count) {
            vm_strbuf_append_str(&b, new_);
            done++;
            if (p >= e) break;
            int k = vm_utf8_seq_len((unsigned char)*p);
            vm_strbuf_append(&b, p, k);
            p += k;
        }
        vm_strbuf_append(&b, p, e - p);
    } else {
        while (count < 0 || done < count) {
            int64_t f = find_bytes(s, old, pos, s->length, false);
            if (f < 0) break;
            vm_strbuf_append(&b, s->chars + pos, f - pos);
            vm_strbuf_append_str(&b, new_);
            pos = f + old->length;
            done++;
        }
        vm_strbuf_append(&b, s->chars + pos, s->length - pos);
    }
    *r = VM_OBJ(vm_strbuf_finish(th->vm, &b));
    return true;
}

static bool justify(VmThread *th, Value *a, int n, const char *name, int mode, Value *r) {
    if (!check_self(th, a, n, name) || !need_args(th, name, n, 1, 2)) return false;
    int64_t width;
    if (!vm_to_int64(th, a[1], &width)) return false;
    const char *fill = " ";
    int fill_len = 1;
    if (n > 2) {
        if (!VM_IS_STR(a[2]) || VM_AS_STR(a[2])->nchars != 1)
            return vm_raise(th, th->vm->cls.TypeError,
                            "The fill character must be exactly one character long");
        fill = VM_AS_STR(a[2])->chars;
        fill_len = (int)VM_AS_STR(a[2])->length;
    }
    ObjStr *s = SELF;
    int64_t padn = width - s->nchars;
    if (padn <= 0) {
        *r = a[0];
        return true;
    }
    int64_t left = mode == 0 ? 0 : mode == 1 ? padn : padn / 2 + (padn & width & 1);
    int64_t right = padn - left;
    StrBuf b;
    vm_strbuf_init(&b);
    for (int64_t i = 0; i < left; i++) vm_strbuf_append(&b, fill, fill_len);
    vm_strbuf_append_str(&b, s);
    for (int64_t i = 0; i < right; i++) vm_strbuf_append(&b, fill, fill_len);
    *r = VM_OBJ(vm_strbuf_finish(th->vm, &b));
    return true;
}

METHOD(ljust) { (void)kwnames; return justify(th, a, n, "ljust", 0, r); }
METHOD(rjust) { (void)kwnames; return justify(th, a, n, "rjust", 1, r); }
METHOD(center) { (void)kwnames; return justify(th, a, n, "center", 2, r); }

METHOD(zfill) {
    (void)kwnames;
    if (!check_self(th, a, n, "zfill") || !need_args(th, "zfill", n, 1, 1)) return false;
    int64_t width;
    if (!vm_to_int64(th, a[1], &width)) return false;
    ObjStr *s = SELF;
    int64_t padn = width - s->nchars;
    if (padn <= 0) {
        *r = a[0];
        return true;
    }
    StrBuf b;
    vm_strbuf_init(&b);
    int64_t start = 0;
    if (s->length && (s->chars[0] == '-' || s->chars[0] == '+')) {
        vm_strbuf_append_char(&b, s->chars[0]);
        start = 1;
    }
    for (int64_t i = 0; i < padn; i++) vm_strbuf_append_char(&b, '0');
    vm_strbuf_append(&b, s->chars + start, s->length - start);
    *r = VM_OBJ(vm_strbuf_finish(th->vm, &b));
    return true;
}

static bool partition_impl(VmThread *th, Value *a, int n, bool right, Value *r) {
    const char *name = right ? "rpartition" : "partition";
    if (!check_self(th, a, n, name) || !need_args(th, name, n, 1, 1)) return false;
    ObjStr *sep;
    if (!VM_IS_STR(a[1]))
        return vm_raise(th, th->vm->cls.TypeError, "must be str, not %s",
                        vm_value_type_name(th->vm, a[1]));
    sep = VM_AS_STR(a[1]);
    if (sep->length == 0) return vm_raise(th, th->vm->cls.ValueError, "empty separator");
    ObjStr *s = SELF;
    int64_t f = find_bytes(s, sep, 0, s->length, right);
    VmShared *vm = th->vm;
    Value parts[3];
    ObjStr *empty = vm_str_intern_cstr(vm, "");
    if (f < 0) {
        parts[0] = right ? VM_OBJ(empty) : a[0];
        parts[1] = VM_OBJ(empty);
        parts[2] = right ? a[0] : VM_OBJ(empty);
    } else {
        parts[0] = VM_OBJ(vm_str_copy(vm, s->chars, f));
        parts[1] = a[1];
        parts[2] = VM_OBJ(vm_str_copy(vm, s->chars + f + sep->length,
                                      s->length - f - sep->length));
    }
    *r = VM_OBJ(vm_tuple_from(vm, parts, 3));
    return true;
}

METHOD(partition) { (void)kwnames; return partition_impl(th, a, n, false, r); }
METHOD(rpartition) { (void)kwnames; return partition_impl(th, a, n, true, r); }

METHOD(format) {
    if (!check_self(th, a, n, "format")) return false;
    ObjStr *s;
    if (!vm_format_str_format(th, SELF, a + 1, n - 1, kwnames, &s)) return false;
    *r = VM_OBJ(s);
    return true;
}

METHOD(removeprefix) {
    (void)kwnames;
    if (!check_self(th, a, n, "removeprefix") || !need_args(th, "removeprefix", n, 1, 1)) return false;
    ObjStr *p;
    if (!str_arg(th, a[1], "removeprefix", 1, &p)) return false;
    ObjStr *s = SELF;
    if (p->length <= s->length && memcmp(s->chars, p->chars, (size_t)p->length) == 0)
        *r = VM_OBJ(vm_str_copy(th->vm, s->chars + p->length, s->length - p->length));
    else
        *r = a[0];
    return true;
}

METHOD(removesuffix) {
    (void)kwnames;
    if (!check_self(th, a, n, "removesuffix") || !need_args(th, "removesuffix", n, 1, 1)) return false;
    ObjStr *p;
    if (!str_arg(th, a[1], "removesuffix", 1, &p)) return false;
    ObjStr *s = SELF;
    if (p->length && p->length <= s->length &&
        memcmp(s->chars + s->length - p->length, p->chars, (size_t)p->length) == 0)
        *r = VM_OBJ(vm_str_copy(th->vm, s->chars, s->length - p->length));
    else
        *r = a[0];
    return true;
}

/* ---- dunders ---------------------------------------------------------------- */

METHOD(str_len) {
    (void)kwnames;
    if (!check_self(th, a, n, "__len__")) return false;
    *r = VM_INT(SELF->nchars);
    return true;
}

METHOD(str_getitem) {
    (void)kwnames;
    if (!check_self(th, a, n, "__getitem__") || !need_args(th, "__getitem__", n, 1, 1))
        return false;
    ObjStr *s = SELF;
    if (vm_is_kind(a[1], OBJ_SLICE)) {
        int64_t start, stop, step, count;
        if (!vm_slice_indices(th, (ObjSlice *)VM_AS_OBJ(a[1]), s->nchars, &start,
                              &stop, &step, &count))
            return false;
        *r = VM_OBJ(vm_str_slice(th->vm, s, start, stop, step, count));
        return true;
    }
    int64_t i;
    if (!vm_index_normalize(th, a[1], s->nchars, "string", &i)) return false;
    *r = VM_OBJ(vm_str_char_at(th->vm, s, i));
    return true;
}

METHOD(str_contains) {
    (void)kwnames;
    if (!check_self(th, a, n, "__contains__") || !need_args(th, "__contains__", n, 1, 1))
        return false;
    if (!VM_IS_STR(a[1]))
        return vm_raise(th, th->vm->cls.TypeError,
                        "'in <string>' requires string as left operand, not %s",
                        vm_value_type_name(th->vm, a[1]));
    *r = VM_BOOL(find_bytes(SELF, VM_AS_STR(a[1]), 0, SELF->length, false) >= 0);
    return true;
}

static int str_iter_next(VmThread *th, ObjIterator *it, Value *out) {
    ObjStr *s = VM_AS_STR(it->source);
    if (it->index >= s->length) return 0;
    int k = vm_utf8_seq_len((unsigned char)s->chars[it->index]);
    *out = VM_OBJ(k == 1 ? vm_str_intern(th->vm, s->chars + it->index, 1)
                         : vm_str_copy(th->vm, s->chars + it->index, k));
    it->index += k;
    return 1;
}

METHOD(str_iter) {
    (void)kwnames;
    if (!check_self(th, a, n, "__iter__")) return false;
    *r = VM_OBJ(vm_iterator_new(th->vm, th->vm->cls.iterator, str_iter_next, a[0]));
    return true;
}

METHOD(str_add) {
    (void)kwnames;
    if (!check_self(th, a, n, "__add__") || !need_args(th, "__add__", n, 1, 1)) return false;
    if (!VM_IS_STR(a[1]))
        return vm_raise(th, th->vm->cls.TypeError,
                        "can only concatenate str (not \"%s\") to str",
                        vm_value_type_name(th->vm, a[1]));
    *r = VM_OBJ(vm_str_concat(th->vm, SELF, VM_AS_STR(a[1])));
    return true;
}

METHOD(str_mul) {
    (void)kwnames;
    if (!check_self(th, a, n, "__mul__") || !need_args(th, "__mul__", n, 1, 1)) return false;
    if (!VM_IS_INT(a[1]) && !VM_IS_BOOL(a[1])) {
        *r = th->vm->not_implemented;
        return true;
    }
    int64_t k;
    if (!vm_to_int64(th, a[1], &k)) return false;
    if (k < 0) k = 0;
    ObjStr *s = SELF;
    if (s->length && k > INT64_MAX / s->length)
        return vm_raise(th, th->vm->cls.OverflowError, "repeated string is too long");
    if (!vm_heap_check(th, (size_t)(s->length * k))) return false;
    ObjStr *o = vm_str_alloc(th->vm, s->length * k);
    for (int64_t i = 0; i < k; i++)
        memcpy(o->chars + i * s->length, s->chars, (size_t)s->length);
    vm_str_finish(o);
    *r = VM_OBJ(o);
    return true;
}

METHOD(str_mod) {
    (void)kwnames;
    if (!check_self(th, a, n, "__mod__") || !need_args(th, "__mod__", n, 1, 1)) return false;
    ObjStr *s;
    if (!vm_format_percent(th, SELF, a[1], &s)) return false;
    *r = VM_OBJ(s);
    return true;
}

#define STR_CMP(fname, expr)                                                  \
    METHOD(fname) {                                                           \
        (void)kwnames;                                                        \
        if (!check_self(th, a, n, #fname) || !need_args(th, #fname, n, 1, 1)) \
            return false;                                                     \
        if (!VM_IS_STR(a[1])) {                                               \
            *r = th->vm->not_implemented;                                     \
            return true;                                                      \
        }                                                                     \
        int c = vm_str_compare(SELF, VM_AS_STR(a[1]));                        \
        *r = VM_BOOL(expr);                                                   \
        return true;                                                          \
    }
STR_CMP(str_lt, c < 0)
STR_CMP(str_le, c <= 0)
STR_CMP(str_gt, c > 0)
STR_CMP(str_ge, c >= 0)
STR_CMP(str_eq, c == 0)
STR_CMP(str_ne, c != 0)

METHOD(str_hash) {
    (void)kwnames;
    if (!check_self(th, a, n, "__hash__")) return false;
    *r = VM_INT((int64_t)(vm_str_hash(SELF) >> 1));
    return true;
}

METHOD(str_repr) {
    (void)kwnames;
    if (!check_self(th, a, n, "__repr__")) return false;
    *r = VM_OBJ(vm_str_repr(th->vm, SELF));
    return true;
}

METHOD(str_str) {
    (void)kwnames;
    if (!check_self(th, a, n, "__str__")) return false;
    *r = a[0];
    return true;
}

METHOD(str_format_dunder) {
    (void)kwnames;
    if (!check_self(th, a, n, "__format__") || !need_args(th, "__format__", n, 1, 1))
        return false;
    if (!VM_IS_STR(a[1]))
        return vm_raise(th, th->vm->cls.TypeError, "format spec must be str");
    ObjStr *s;
    if (!vm_format_value(th, a[0], VM_AS_STR(a[1]), &s)) return false;
    *r = VM_OBJ(s);
    return true;
}

static bool str_construct(VmThread *th, ObjClass *cls, Value *a, int n,
                          ObjTuple *kwnames, Value *r) {
    (void)cls;
    if (kwnames && kwnames->count)
        return vm_raise(th, th->vm->cls.TypeError,
                        "str() keyword arguments are not supported in gilt");
    if (n > 1)
        return vm_raise(th, th->vm->cls.TypeError,
                        "str() takes at most 1 argument (%d given)", n);
    if (n == 0) {
        *r = VM_OBJ(vm_str_intern_cstr(th->vm, ""));
        return true;
    }
    ObjStr *s;
    if (!vm_str(th, a[0], &s)) return false;
    *r = VM_OBJ(s);
    return true;
}

void vm__str_methods_init(VmShared *vm) {
    static const struct {
        const char *name;
        VmNativeFn fn;
    } m[] = {
        {"upper", s_upper}, {"lower", s_lower}, {"swapcase", s_swapcase}, {"title", s_title},
        {"capitalize", s_capitalize}, {"isdigit", s_isdigit}, {"isdecimal", s_isdecimal},
        {"isnumeric", s_isnumeric}, {"isalpha", s_isalpha}, {"isalnum", s_isalnum},
        {"isspace", s_isspace}, {"isupper", s_isupper}, {"islower", s_islower},
        {"isidentifier", s_isidentifier}, {"find", s_find}, {"rfind", s_rfind},
        {"index", s_index}, {"rindex", s_rindex}, {"count", s_count},
        {"startswith", s_startswith}, {"endswith", s_endswith}, {"split", s_split},
        {"rsplit", s_rsplit}, {"splitlines", s_splitlines}, {"join", s_join},
        {"strip", s_strip}, {"lstrip", s_lstrip}, {"rstrip", s_rstrip},
        {"replace", s_replace}, {"ljust", s_ljust}, {"rjust", s_rjust},
        {"center", s_center}, {"zfill", s_zfill}, {"partition", s_partition},
        {"rpartition", s_rpartition}, {"format", s_format},
        {"removeprefix", s_removeprefix}, {"removesuffix", s_removesuffix},
        {"__len__", s_str_len}, {"__getitem__", s_str_getitem},
        {"__contains__", s_str_contains}, {"__iter__", s_str_iter},
        {"__add__", s_str_add}, {"__mul__", s_str_mul}, {"__rmul__", s_str_mul},
        {"__mod__", s_str_mod}, {"__lt__", s_str_lt}, {"__le__", s_str_le},
        {"__gt__", s_str_gt}, {"__ge__", s_str_ge}, {"__eq__", s_str_eq},
        {"__ne__", s_str_ne}, {"__hash__", s_str_hash}, {"__repr__", s_str_repr},
        {"__str__", s_str_str}, {"__format__", s_str_format_dunder},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        vm_define_native(vm, vm->cls.str->dict, m[i].name, m[i].fn);
    vm->cls.str->construct = str_construct;
}
