/*
 * vm/object/object.c - allocation and freeing of heap objects, the class of any
 * value, and the constructors of the small object kinds.
 *
 * The containers (str, tuple, list, dict) are built in their own files but
 * freed here, so the sizes below must match how those files allocate: see
 * the allocation rules in vm/object/str.c, vm/object/list.c and vm/dict.c.
 */
#include "vm/object/object.h"
#include "vm/object/bigint.h"

#include <string.h>

#include "vm/runtime/memory.h"
#include "vm/object/str.h"
#include "vm/runtime/vm.h"

Obj *vm_obj_alloc(VmShared *vm, size_t size, ObjKind kind, ObjClass *cls) {
    Obj *o = (Obj *)vm_realloc(&vm->heap, NULL, 0, size);
    memset(o, 0, size);
    o->cls = cls;
    o->kind = (uint8_t)kind;
    o->marked = 0;
    if (vm->heap.concurrent) pthread_mutex_lock(&vm->heap.lock);
    o->next = vm->heap.objects;
    vm->heap.objects = o;
    if (vm->heap.concurrent) pthread_mutex_unlock(&vm->heap.lock);
    return o;
}

#define FREE_OBJ(type) vm_realloc(heap, o, sizeof(type), 0)

void vm_obj_free(VmShared *vm, Obj *o) {
    VmHeap *heap = &vm->heap;
    switch ((ObjKind)o->kind) {
    case OBJ_STR: {
        ObjStr *s = (ObjStr *)o;
        vm_realloc(heap, o, sizeof(ObjStr) + (size_t)s->length + 1, 0);
        break;
    }
    case OBJ_TUPLE: {
        ObjTuple *t = (ObjTuple *)o;
        vm_realloc(heap, o, sizeof(ObjTuple) + sizeof(Value) * (size_t)t->count,
                   0);
        break;
    }
    case OBJ_LIST: {
        ObjList *l = (ObjList *)o;
        VM_FREE_ARRAY(heap, Value, l->items, l->capacity);
        FREE_OBJ(ObjList);
        break;
    }
    case OBJ_DICT: {
        ObjDict *d = (ObjDict *)o;
        VM_FREE_ARRAY(heap, DictEntry, d->entries, d->capacity);
        VM_FREE_ARRAY(heap, int32_t, d->index, d->index_size);
        FREE_OBJ(ObjDict);
        break;
    }
    case OBJ_CODE: {
        /* The compiler sizes these arrays as it likes and they live as long
         * as the program, so they are released without byte accounting. */
        ObjCode *c = (ObjCode *)o;
        vm_realloc(NULL, c->code, 0, 0);
        vm_realloc(NULL, c->lines, 0, 0);
        vm_realloc(NULL, c->cols, 0, 0);
        vm_realloc(NULL, c->exc_table, 0, 0);
        vm_realloc(NULL, c->consts.values, 0, 0);
        FREE_OBJ(ObjCode);
        break;
    }
    case OBJ_FUNCTION: FREE_OBJ(ObjFunction); break;
    case OBJ_CELL: FREE_OBJ(ObjCell); break;
    case OBJ_CLASS: FREE_OBJ(ObjClass); break;
    case OBJ_INSTANCE: FREE_OBJ(ObjInstance); break;
    case OBJ_EXCEPTION: {
        ObjException *e = (ObjException *)o;
        VM_FREE_ARRAY(heap, TraceEntry, e->trace, e->trace_capacity);
        FREE_OBJ(ObjException);
        break;
    }
    case OBJ_BOUND_METHOD: FREE_OBJ(ObjBoundMethod); break;
    case OBJ_NATIVE: FREE_OBJ(ObjNative); break;
    case OBJ_MODULE: {
        ObjModule *m = (ObjModule *)o;
        vm_value_array_fini(heap, &m->values);
        vm_value_array_fini(heap, &m->names);
        FREE_OBJ(ObjModule);
        break;
    }
    case OBJ_RANGE: FREE_OBJ(ObjRange); break;
    case OBJ_SLICE: FREE_OBJ(ObjSlice); break;
    case OBJ_ITERATOR: FREE_OBJ(ObjIterator); break;
    case OBJ_GENERATOR: {
        ObjGenerator *g = (ObjGenerator *)o;
        VM_FREE_ARRAY(heap, Value, g->saved, g->saved_capacity);
        FREE_OBJ(ObjGenerator);
        break;
    }
    case OBJ_PROPERTY: FREE_OBJ(ObjProperty); break;
    case OBJ_OPAQUE: {
        ObjOpaque *op = (ObjOpaque *)o;
        if (op->finalize) op->finalize(vm, op);
        FREE_OBJ(ObjOpaque);
        break;
    }
    case OBJ_BIGINT:
        vm_bigint_free(vm, (ObjBigInt *)o);
        FREE_OBJ(ObjBigInt);
        break;
    case OBJ_KIND_COUNT: break;
    }
}

#undef FREE_OBJ

ObjClass *vm_value_class(VmShared *vm, Value v) {
    switch ((ValueType)v.type) {
    case VAL_NONE: return vm->cls.none_type;
    case VAL_BOOL: return vm->cls.bool_;
    case VAL_INT: return vm->cls.int_;
    case VAL_FLOAT: return vm->cls.float_;
    case VAL_OBJ: return v.as.o->cls;
    case VAL_UNDEF: break;
    }
    return vm->cls.none_type;
}

const char *vm_value_type_name(VmShared *vm, Value v) {
    return vm_value_class(vm, v)->name->chars;
}

ObjCode *vm_code_new(VmShared *vm) {
    ObjCode *c =
        (ObjCode *)vm_obj_alloc(vm, sizeof(ObjCode), OBJ_CODE, vm->cls.code);
    vm_value_array_init(&c->consts);
    return c;
}

ObjCell *vm_cell_new(VmShared *vm, Value v) {
    ObjCell *c =
        (ObjCell *)vm_obj_alloc(vm, sizeof(ObjCell), OBJ_CELL, vm->cls.cell);
    c->value = v;
    return c;
}

ObjFunction *vm_function_new(VmShared *vm, ObjCode *code, ObjModule *m) {
    ObjFunction *f = (ObjFunction *)vm_obj_alloc(vm, sizeof(ObjFunction),
                                                 OBJ_FUNCTION, vm->cls.function);
    f->code = code;
    f->module = m;
    f->name = code->name;
    f->qualname = code->qualname ? code->qualname : code->name;
    return f;
}

ObjNative *vm_native_new(VmShared *vm, const char *name, VmNativeFn fn) {
    ObjStr *s = vm_str_intern_cstr(vm, name);
    ObjNative *n = (ObjNative *)vm_obj_alloc(vm, sizeof(ObjNative), OBJ_NATIVE,
                                             vm->cls.native);
    n->fn = fn;
    n->name = s;
    n->data = VM_UNDEF;
    return n;
}

ObjBoundMethod *vm_bound_method_new(VmShared *vm, Value self, Value callable) {
    ObjBoundMethod *b = (ObjBoundMethod *)vm_obj_alloc(
        vm, sizeof(ObjBoundMethod), OBJ_BOUND_METHOD, vm->cls.method);
    b->self = self;
    b->callable = callable;
    return b;
}

ObjRange *vm_range_new(VmShared *vm, int64_t start, int64_t stop,
                       int64_t step) {
    ObjRange *r = (ObjRange *)vm_obj_alloc(vm, sizeof(ObjRange), OBJ_RANGE,
                                           vm->cls.range);
    r->start = start;
    r->stop = stop;
    r->step = step;
    return r;
}

ObjSlice *vm_slice_new(VmShared *vm, Value start, Value stop, Value step) {
    ObjSlice *s = (ObjSlice *)vm_obj_alloc(vm, sizeof(ObjSlice), OBJ_SLICE,
                                           vm->cls.slice);
    s->start = start;
    s->stop = stop;
    s->step = step;
    return s;
}

ObjIterator *vm_iterator_new(VmShared *vm, ObjClass *cls, VmIterNextFn next,
                             Value source) {
    ObjIterator *it = (ObjIterator *)vm_obj_alloc(vm, sizeof(ObjIterator),
                                                  OBJ_ITERATOR, cls);
    it->next = next;
    it->source = source;
    it->extra = VM_UNDEF;
    return it;
}

ObjOpaque *vm_opaque_new(VmShared *vm, ObjClass *cls, void *data) {
    ObjOpaque *o = (ObjOpaque *)vm_obj_alloc(vm, sizeof(ObjOpaque), OBJ_OPAQUE,
                                             cls);
    o->data = data;
    return o;
}

ObjInstance *vm_instance_new(VmShared *vm, ObjClass *cls) {
    return (ObjInstance *)vm_obj_alloc(vm, sizeof(ObjInstance), OBJ_INSTANCE,
                                       cls);
}
