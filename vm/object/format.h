/*
 * vm/object/format.h - turning values into text the way CPython does: int and
 * float repr (shortest round-trip floats), the format-spec mini-language of
 * format() / f-strings / str.format, and printf-style `%` formatting.
 */
#ifndef GILT_VM_OBJECT_FORMAT_H
#define GILT_VM_OBJECT_FORMAT_H

#include "vm/object/object.h"
#include "vm/object/str.h"
#include "vm/runtime/vm.h"

/* repr(float) into buf (at least 32 bytes): "0.1", "1e+16", "inf", "nan",
 * "-0.0", "3.0" - the shortest string that reads back to the same double. */
void vm_format_float_repr(double d, char *buf, size_t size);
/* repr(int). */
void vm_format_int(int64_t i, char *buf, size_t size);

/* format(v, spec): fill/align/sign/#/0/width/,/_/.precision/type for int,
 * float and str; other objects use str(v) when spec is empty and call
 * __format__ if their class defines it. */
bool vm_format_value(VmThread *th, Value v, ObjStr *spec, ObjStr **out);
/* fmt % args (args a tuple, a dict for %(name)s, or a single value). */
bool vm_format_percent(VmThread *th, ObjStr *fmt, Value args, ObjStr **out);
/* fmt.format(*args, **kwargs); args/kwnames in the native convention. */
bool vm_format_str_format(VmThread *th, ObjStr *fmt, Value *args, int nargs,
                          ObjTuple *kwnames, ObjStr **out);

#endif /* GILT_VM_OBJECT_FORMAT_H */
