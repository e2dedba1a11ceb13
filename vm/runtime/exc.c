/*
 * vm/runtime/exc.c - raising exceptions from C, and printing tracebacks.
 *
 * An exception is an ObjException: its class, the args tuple and a trace of
 * (code, line) pairs, innermost first, appended by the interpreter as the
 * exception is raised in or propagates into each frame (once per frame
 * activation, so a re-raise keeps the original line).  gilt does not chain exceptions (__context__
 * / __cause__ are not recorded); `raise X from Y` raises X.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vm/object/class.h"
#include "vm/runtime/interp.h"
#include "vm/object/list.h"
#include "vm/runtime/memory.h"
#include "vm/object/ops.h"
#include "vm/object/str.h"
#include "vm/runtime/vm.h"

Value vm_exception_new(VmThread *th, ObjClass *cls, Value *args, int nargs) {
    VmShared *vm = th->vm;
    ObjException *e = (ObjException *)vm_obj_alloc(vm, sizeof(ObjException),
                                                   OBJ_EXCEPTION, cls);
    e->args = vm_tuple_from(vm, args, nargs);
    return VM_OBJ(e);
}

bool vm_raise(VmThread *th, ObjClass *cls, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    Value msg = VM_OBJ(vm_str_from_cstr(th->vm, buf));
    /* An empty message means "no arguments", as MemoryError() prints. */
    th->exception = vm_exception_new(th, cls, &msg, buf[0] ? 1 : 0);
    return false;
}

bool vm_raise_value(VmThread *th, Value exc) {
    VmShared *vm = th->vm;
    if (VM_IS_CLASS(exc) &&
        vm_is_subclass(VM_AS_CLASS(exc), vm->cls.BaseException)) {
        Value inst;
        if (!vm_call(th, exc, NULL, 0, NULL, &inst)) return false;
        exc = inst;
    }
    if (!VM_IS_EXCEPTION(exc))
        return vm_raise(th, vm->cls.TypeError,
                        "exceptions must derive from BaseException");
    th->exception = exc;
    return false;
}

bool vm_exception_matches(VmThread *th, ObjClass *cls) {
    return !VM_IS_UNDEF(th->exception) &&
           vm_isinstance(th->vm, th->exception, cls);
}

void vm_clear_exception(VmThread *th) { th->exception = VM_UNDEF; }

void vm__exc_add_trace(VmShared *vm, Value exc, ObjCode *code, int32_t line,
                       uint64_t serial) {
    if (!VM_IS_EXCEPTION(exc)) return;
    ObjException *e = VM_AS_EXCEPTION(exc);
    if (e->trace_count > 0 && e->trace[e->trace_count - 1].frame_serial == serial)
        return;
    if (e->trace_count == e->trace_capacity) {
        int32_t old = e->trace_capacity;
        e->trace_capacity = VM_GROW_CAPACITY(old);
        e->trace = VM_GROW_ARRAY(&vm->heap, TraceEntry, e->trace, old,
                                 e->trace_capacity);
    }
    e->trace[e->trace_count].code = code;
    e->trace[e->trace_count].line = line;
    e->trace[e->trace_count].frame_serial = serial;
    e->trace_count++;
}

/* The stripped text of line `line` of `filename`, or "" if it cannot be
 * read: what tracebacks print under "File ..., line N" and warnings under
 * "file:line: Category: message". */
void vm_source_line(const char *filename, int32_t line, char *out, size_t cap) {
    out[0] = '\0';
    FILE *f = fopen(filename, "r");
    if (!f) return;
    char buf[1024];
    int32_t n = 0;
    while (fgets(buf, sizeof buf, f)) {
        size_t len = strlen(buf);
        bool whole = len > 0 && buf[len - 1] == '\n';
        if (++n == line) {
            char *s = buf;
            while (*s == ' ' || *s == '\t') s++;
            len = strlen(s);
            while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
                s[--len] = '\0';
            snprintf(out, cap, "%s", s);
            break;
        }
        /* A line longer than the buffer continues in the next read. */
        while (!whole && fgets(buf, sizeof buf, f)) {
            len = strlen(buf);
            whole = len > 0 && buf[len - 1] == '\n';
        }
    }
    fclose(f);
}

static void print_source_line(FILE *out, const char *filename, int32_t line) {
    char text[1024];
    vm_source_line(filename, line, text, sizeof text);
    if (text[0]) fprintf(out, "    %s\n", text);
}

void vm_print_traceback(VmThread *th, Value exc, FILE *out) {
    VmShared *vm = th->vm;
    if (VM_IS_EXCEPTION(exc)) {
        ObjException *e = VM_AS_EXCEPTION(exc);
        if (e->trace_count > 0) {
            fprintf(out, "Traceback (most recent call last):\n");
            for (int32_t i = e->trace_count - 1; i >= 0; i--) {
                ObjCode *c = e->trace[i].code;
                const char *file = c->filename ? c->filename->chars : "<unknown>";
                fprintf(out, "  File \"%s\", line %d, in %s\n", file,
                        (int)e->trace[i].line, c->name ? c->name->chars : "?");
                print_source_line(out, file, e->trace[i].line);
            }
        }
    }
    ObjClass *cls = vm_value_class(vm, exc);
    ObjStr *msg = NULL;
    Value saved = th->exception;
    if (!vm_str(th, exc, &msg)) msg = NULL;
    th->exception = saved;
    const char *mod = cls->module_name ? cls->module_name->chars : "builtins";
    if (strcmp(mod, "builtins") != 0 && strcmp(mod, "__main__") != 0)
        fprintf(out, "%s.", mod);
    if (!msg)
        fprintf(out, "%s: <exception str() failed>\n", cls->name->chars);
    else if (msg->length > 0)
        fprintf(out, "%s: %s\n", cls->name->chars, msg->chars);
    else
        fprintf(out, "%s\n", cls->name->chars);
    fflush(out);
}
