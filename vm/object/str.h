/*
 * vm/object/str.h - string objects: creation, interning, UTF-8 indexing, and a
 * growable byte buffer for building strings.
 *
 * Strings are immutable, NUL-terminated UTF-8 with a cached hash.  `ascii`
 * strings (the common case) index in O(1); others walk the bytes.  Indexes
 * in this API are code-point indexes unless the name says bytes.
 */
#ifndef GILT_VM_OBJECT_STR_H
#define GILT_VM_OBJECT_STR_H

#include <stdarg.h>

#include "vm/object/object.h"
#include "vm/runtime/vm.h"

/* Copy `length` bytes of valid UTF-8 into a new string. */
ObjStr *vm_str_copy(VmShared *vm, const char *chars, int64_t length);
ObjStr *vm_str_from_cstr(VmShared *vm, const char *cstr);
ObjStr *vm_str_printf(VmShared *vm, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The interned string with these bytes (created if needed).  Identifiers,
 * attribute names and dict keys used by C code are interned. */
ObjStr *vm_str_intern(VmShared *vm, const char *chars, int64_t length);
ObjStr *vm_str_intern_cstr(VmShared *vm, const char *cstr);

/* A new string of `length` bytes for the caller to fill, then finish (which
 * computes nchars/ascii and NUL-terminates). */
ObjStr *vm_str_alloc(VmShared *vm, int64_t length);
void vm_str_finish(ObjStr *s);

uint64_t vm_str_hash(ObjStr *s);
bool vm_str_equal(ObjStr *a, ObjStr *b);
/* <0, 0, >0 in code-point order (which is UTF-8 byte order). */
int vm_str_compare(ObjStr *a, ObjStr *b);
ObjStr *vm_str_concat(VmShared *vm, ObjStr *a, ObjStr *b);
/* repr(s): quotes chosen as CPython does, escapes \n \t \\ and non-printables. */
ObjStr *vm_str_repr(VmShared *vm, ObjStr *s);

/* Byte offset of code point `index` (0 <= index <= nchars). */
int64_t vm_str_byte_offset(ObjStr *s, int64_t index);
/* One code point as a new 1-character string. */
ObjStr *vm_str_char_at(VmShared *vm, ObjStr *s, int64_t index);
/* s[start:stop:step] on already-resolved code-point indexes. */
ObjStr *vm_str_slice(VmShared *vm, ObjStr *s, int64_t start, int64_t stop,
                     int64_t step, int64_t count);
/* Number of bytes of the UTF-8 sequence starting with byte c (1..4). */
int vm_utf8_seq_len(unsigned char c);
/* Decode one code point at p; returns bytes consumed. */
int vm_utf8_decode(const char *p, uint32_t *cp);
/* Encode a code point; returns bytes written (1..4) into out[4]. */
int vm_utf8_encode(uint32_t cp, char *out);

/* A growable byte buffer (count/capacity/pointer) for building strings.
 * Its storage is scratch memory outside the GC heap. */
typedef struct {
    char *chars;
    int64_t length;
    int64_t capacity;
} StrBuf;

void vm_strbuf_init(StrBuf *b);
void vm_strbuf_append(StrBuf *b, const char *chars, int64_t length);
void vm_strbuf_append_cstr(StrBuf *b, const char *cstr);
void vm_strbuf_append_str(StrBuf *b, ObjStr *s);
void vm_strbuf_append_char(StrBuf *b, char c);
void vm_strbuf_printf(StrBuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Make a string of the contents and release the buffer. */
ObjStr *vm_strbuf_finish(VmShared *vm, StrBuf *b);
void vm_strbuf_fini(StrBuf *b);

/* Register the str type's methods and dunders on vm->cls.str (vm/object/str_methods.c). */
void vm__str_methods_init(VmShared *vm);

#endif /* GILT_VM_OBJECT_STR_H */
