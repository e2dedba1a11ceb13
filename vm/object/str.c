/*
 * vm/object/str.c - string objects: creation, interning, hashing, comparison,
 * repr, UTF-8 indexing and slicing, and the StrBuf builder.
 *
 * Allocation rule (shared with vm/object/object.c, which frees strings): one block
 * of sizeof(ObjStr) + length + 1 bytes, characters inline and NUL-terminated.
 */
#include "vm/object/str.h"

#include <stdio.h>
#include <string.h>

#include "vm/object/dict.h"
#include "vm/runtime/memory.h"

/* ---- UTF-8 ------------------------------------------------------------ */

int vm_utf8_seq_len(unsigned char c) {
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) return 2;
    if ((c & 0xF0) == 0xE0) return 3;
    if ((c & 0xF8) == 0xF0) return 4;
    return 1; /* invalid lead byte: treat as one unit rather than overrun */
}

int vm_utf8_decode(const char *p, uint32_t *cp) {
    const unsigned char *s = (const unsigned char *)p;
    int n = vm_utf8_seq_len(s[0]);
    uint32_t c;
    switch (n) {
    case 1: c = s[0]; break;
    case 2: c = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F); break;
    case 3:
        c = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
            (s[2] & 0x3F);
        break;
    default:
        c = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
            ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        break;
    }
    *cp = c;
    return n;
}

int vm_utf8_encode(uint32_t cp, char *out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- creation ---------------------------------------------------------- */

ObjStr *vm_str_alloc(VmShared *vm, int64_t length) {
    ObjStr *s = (ObjStr *)vm_obj_alloc(vm, sizeof(ObjStr) + (size_t)length + 1,
                                       OBJ_STR, vm->cls.str);
    s->length = length;
    s->chars[length] = '\0';
    return s;
}

void vm_str_finish(ObjStr *s) {
    int64_t n = 0;
    bool ascii = true;
    for (int64_t i = 0; i < s->length; i++) {
        unsigned char c = (unsigned char)s->chars[i];
        if (c >= 0x80) ascii = false;
        if ((c & 0xC0) != 0x80) n++;
    }
    s->nchars = n;
    s->ascii = ascii;
    s->chars[s->length] = '\0';
    s->hash = 0;
}

ObjStr *vm_str_copy(VmShared *vm, const char *chars, int64_t length) {
    ObjStr *s = vm_str_alloc(vm, length);
    if (length) safe_memcpy(s->chars, chars, (size_t)length);
    vm_str_finish(s);
    return s;
}

ObjStr *vm_str_from_cstr(VmShared *vm, const char *cstr) {
    return vm_str_copy(vm, cstr, (int64_t)strlen(cstr));
}

ObjStr *vm_str_printf(VmShared *vm, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n < sizeof small) return vm_str_copy(vm, small, n);
    ObjStr *s = vm_str_alloc(vm, n);
    va_start(ap, fmt);
    vsnprintf(s->chars, (size_t)n + 1, fmt, ap);
    va_end(ap);
    vm_str_finish(s);
    return s;
}

/* FNV-1a, 64-bit: simple, fast on short identifiers, good enough spread for
 * the dict's perturbed probing.  Never 0, which marks a str whose hash is
 * not computed yet. */
static uint64_t hash_bytes(const char *p, int64_t n) {
    uint64_t h = 14695981039346656037ull;
    for (int64_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h ? h : 1;
}

/* A str is immutable and threads share them freely, so under --gil none
 * two threads may hash one at once.  The cached hash is one word that is
 * either 0 or the hash, and both threads compute the same value, so
 * relaxed atomics suffice; on x86 they are the plain moves of before. */
uint64_t vm_str_hash(ObjStr *s) {
    uint64_t h = __atomic_load_n(&s->hash, __ATOMIC_RELAXED);
    if (h) return h;
    h = hash_bytes(s->chars, s->length);
    __atomic_store_n(&s->hash, h, __ATOMIC_RELAXED);
    return h;
}

ObjStr *vm_str_intern(VmShared *vm, const char *chars, int64_t length) {
    uint64_t h = hash_bytes(chars, length);
    bool locked = vm->heap.concurrent;
    if (locked) pthread_mutex_lock(&vm->heap.lock);
    ObjStr *found = vm_dict_find_string(vm->strings, chars, length, h);
    if (!found) {
        /* No allocation here takes heap.lock again: vm_obj_alloc does, so
         * build the string unlocked-style by releasing around it. */
        if (locked) pthread_mutex_unlock(&vm->heap.lock);
        ObjStr *s = vm_str_copy(vm, chars, length);
        s->hash = h;
        s->interned = true;
        if (locked) pthread_mutex_lock(&vm->heap.lock);
        found = vm_dict_find_string(vm->strings, chars, length, h);
        if (!found) {
            vm_dict_set_str(vm, vm->strings, s, VM_OBJ(s));
            found = s;
        }
    }
    if (locked) pthread_mutex_unlock(&vm->heap.lock);
    return found;
}

ObjStr *vm_str_intern_cstr(VmShared *vm, const char *cstr) {
    return vm_str_intern(vm, cstr, (int64_t)strlen(cstr));
}

bool vm_str_equal(ObjStr *a, ObjStr *b) {
    if (a == b) return true;
    if (a->length != b->length) return false;
    if (a->interned && b->interned) return false;
    uint64_t ha = __atomic_load_n(&a->hash, __ATOMIC_RELAXED);  /* see vm_str_hash */
    if (ha) {
        uint64_t hb = __atomic_load_n(&b->hash, __ATOMIC_RELAXED);
        if (hb && ha != hb) return false;
    }
    return memcmp(a->chars, b->chars, (size_t)a->length) == 0;
}

int vm_str_compare(ObjStr *a, ObjStr *b) {
    int64_t n = a->length < b->length ? a->length : b->length;
    int c = memcmp(a->chars, b->chars, (size_t)n);
    if (c) return c;
    return (a->length > b->length) - (a->length < b->length);
}

ObjStr *vm_str_concat(VmShared *vm, ObjStr *a, ObjStr *b) {
    ObjStr *s = vm_str_alloc(vm, a->length + b->length);
    safe_memcpy(s->chars, a->chars, (size_t)a->length);
    safe_memcpy(s->chars + a->length, b->chars, (size_t)b->length);
    s->nchars = a->nchars + b->nchars;
    s->ascii = a->ascii && b->ascii;
    return s;
}

/* Printable as CPython's str.isprintable() for the characters we can judge
 * cheaply: ASCII controls and the C1 range are not; other non-ASCII
 * characters are treated as printable. */
static bool printable(uint32_t cp) {
    if (cp < 0x20 || cp == 0x7F) return false;
    if (cp >= 0x80 && cp < 0xA0) return false;
    if (cp == 0xAD) return false;
    if (cp >= 0xD800 && cp < 0xE000) return false;
    if (cp == 0x2028 || cp == 0x2029) return false;
    return true;
}

ObjStr *vm_str_repr(VmShared *vm, ObjStr *s) {
    bool has_single = memchr(s->chars, '\'', (size_t)s->length) != NULL;
    bool has_double = memchr(s->chars, '"', (size_t)s->length) != NULL;
    char quote = (has_single && !has_double) ? '"' : '\'';
    StrBuf b;
    vm_strbuf_init(&b);
    vm_strbuf_append_char(&b, quote);
    const char *p = s->chars, *end = s->chars + s->length;
    while (p < end) {
        uint32_t cp;
        int n = vm_utf8_decode(p, &cp);
        switch (cp) {
        case '\\': vm_strbuf_append(&b, "\\\\", 2); break;
        case '\n': vm_strbuf_append(&b, "\\n", 2); break;
        case '\r': vm_strbuf_append(&b, "\\r", 2); break;
        case '\t': vm_strbuf_append(&b, "\\t", 2); break;
        default:
            if (cp == (uint32_t)quote) {
                vm_strbuf_append_char(&b, '\\');
                vm_strbuf_append_char(&b, quote);
            } else if (!printable(cp)) {
                if (cp < 0x100)
                    vm_strbuf_printf(&b, "\\x%02x", cp);
                else if (cp < 0x10000)
                    vm_strbuf_printf(&b, "\\u%04x", cp);
                else
                    vm_strbuf_printf(&b, "\\U%08x", cp);
            } else {
                vm_strbuf_append(&b, p, n);
            }
        }
        p += n;
    }
    vm_strbuf_append_char(&b, quote);
    return vm_strbuf_finish(vm, &b);
}

int64_t vm_str_byte_offset(ObjStr *s, int64_t index) {
    if (s->ascii) return index;
    const char *p = s->chars;
    int64_t off = 0;
    for (int64_t i = 0; i < index && off < s->length; i++)
        off += vm_utf8_seq_len((unsigned char)p[off]);
    return off;
}

ObjStr *vm_str_char_at(VmShared *vm, ObjStr *s, int64_t index) {
    int64_t off = vm_str_byte_offset(s, index);
    int n = vm_utf8_seq_len((unsigned char)s->chars[off]);
    if (n == 1 && s->chars[off] >= 0) {
        /* One-character ASCII strings are interned: cheap iteration. */
        return vm_str_intern(vm, s->chars + off, 1);
    }
    return vm_str_copy(vm, s->chars + off, n);
}

ObjStr *vm_str_slice(VmShared *vm, ObjStr *s, int64_t start, int64_t stop,
                     int64_t step, int64_t count) {
    if (count <= 0) return vm_str_intern(vm, "", 0);
    if (step == 1) {
        int64_t a = vm_str_byte_offset(s, start);
        int64_t b = stop;
        if (!s->ascii) {
            /* Walk from a over (stop - start) characters. */
            b = a;
            for (int64_t i = start; i < stop && b < s->length; i++)
                b += vm_utf8_seq_len((unsigned char)s->chars[b]);
        }
        return vm_str_copy(vm, s->chars + a, b - a);
    }
    StrBuf buf;
    vm_strbuf_init(&buf);
    int64_t idx = start;
    for (int64_t i = 0; i < count; i++, idx += step) {
        int64_t off = vm_str_byte_offset(s, idx);
        vm_strbuf_append(&buf, s->chars + off,
                         vm_utf8_seq_len((unsigned char)s->chars[off]));
    }
    return vm_strbuf_finish(vm, &buf);
}

/* ---- StrBuf ------------------------------------------------------------ */

void vm_strbuf_init(StrBuf *b) {
    b->chars = NULL;
    b->length = 0;
    b->capacity = 0;
}

static void strbuf_reserve(StrBuf *b, int64_t extra) {
    if (b->length + extra + 1 <= b->capacity) return;
    int64_t cap = b->capacity < 64 ? 64 : b->capacity;
    while (cap < b->length + extra + 1) cap *= 2;
    b->chars = (char *)vm_realloc(NULL, b->chars, (size_t)b->capacity, (size_t)cap);
    b->capacity = cap;
}

void vm_strbuf_append(StrBuf *b, const char *chars, int64_t length) {
    strbuf_reserve(b, length);
    safe_memcpy(b->chars + b->length, chars, (size_t)length);
    b->length += length;
}

void vm_strbuf_append_cstr(StrBuf *b, const char *cstr) {
    vm_strbuf_append(b, cstr, (int64_t)strlen(cstr));
}

void vm_strbuf_append_str(StrBuf *b, ObjStr *s) {
    vm_strbuf_append(b, s->chars, s->length);
}

void vm_strbuf_append_char(StrBuf *b, char c) {
    strbuf_reserve(b, 1);
    b->chars[b->length++] = c;
}

void vm_strbuf_printf(StrBuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    strbuf_reserve(b, n);
    va_start(ap, fmt);
    vsnprintf(b->chars + b->length, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->length += n;
}

ObjStr *vm_strbuf_finish(VmShared *vm, StrBuf *b) {
    ObjStr *s = vm_str_copy(vm, b->chars ? b->chars : "", b->length);
    vm_strbuf_fini(b);
    return s;
}

void vm_strbuf_fini(StrBuf *b) {
    vm_realloc(NULL, b->chars, (size_t)b->capacity, 0);
    vm_strbuf_init(b);
}
