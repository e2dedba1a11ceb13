/*
 * vm/runtime/gc.c - mark-sweep collection (clox's tricolour scheme with an explicit
 * gray stack, so deep structures cannot overflow the C stack).
 */
#include "vm/runtime/gc.h"

#include <stdlib.h>

#include "vm/runtime/memory.h"
#include "vm/object/object.h"
#include "vm/record/record.h"

void vm_gc_mark_object(VmShared *vm, Obj *o) {
    if (!o || o->marked) return;
    o->marked = 1;
    VmHeap *h = &vm->heap;
    if (h->gray_count == h->gray_capacity) {
        int64_t cap = h->gray_capacity < 256 ? 256 : h->gray_capacity * 2;
        /* The gray stack is the collector's own scratch: not counted. */
        h->gray = (Obj **)vm_realloc(NULL, h->gray, 0, sizeof(Obj *) * (size_t)cap);
        h->gray_capacity = cap;
    }
    h->gray[h->gray_count++] = o;
}

void vm_gc_mark_value(VmShared *vm, Value v) {
    if (v.type == VAL_OBJ) vm_gc_mark_object(vm, v.as.o);
}

static void mark_values(VmShared *vm, const Value *v, int64_t n) {
    for (int64_t i = 0; i < n; i++) vm_gc_mark_value(vm, v[i]);
}

#define MARK(o) vm_gc_mark_object(vm, (Obj *)(o))

/* Mark everything o refers to. */
static void blacken(VmShared *vm, Obj *o) {
    MARK(o->cls);
    switch ((ObjKind)o->kind) {
    case OBJ_STR:
    case OBJ_RANGE:
    case OBJ_BIGINT:
    case OBJ_KIND_COUNT: break;
    case OBJ_TUPLE: {
        ObjTuple *t = (ObjTuple *)o;
        mark_values(vm, t->items, t->count);
        break;
    }
    case OBJ_LIST: {
        ObjList *l = (ObjList *)o;
        mark_values(vm, l->items, l->count);
        break;
    }
    case OBJ_DICT: {
        ObjDict *d = (ObjDict *)o;
        for (int64_t i = 0; i < d->used; i++) {
            vm_gc_mark_value(vm, d->entries[i].key);
            vm_gc_mark_value(vm, d->entries[i].value);
        }
        break;
    }
    case OBJ_CODE: {
        ObjCode *c = (ObjCode *)o;
        mark_values(vm, c->consts.values, c->consts.count);
        MARK(c->names);
        MARK(c->globals);
        MARK(c->varnames);
        MARK(c->name);
        MARK(c->qualname);
        MARK(c->filename);
        break;
    }
    case OBJ_FUNCTION: {
        ObjFunction *f = (ObjFunction *)o;
        MARK(f->code);
        MARK(f->module);
        MARK(f->defaults);
        MARK(f->kwdefaults);
        MARK(f->closure);
        MARK(f->owner);
        MARK(f->name);
        MARK(f->qualname);
        MARK(f->dict);
        break;
    }
    case OBJ_CELL: vm_gc_mark_value(vm, ((ObjCell *)o)->value); break;
    case OBJ_CLASS: {
        ObjClass *c = (ObjClass *)o;
        MARK(c->name);
        MARK(c->qualname);
        MARK(c->base);
        MARK(c->dict);
        MARK(c->module_name);
        break;
    }
    case OBJ_INSTANCE: MARK(((ObjInstance *)o)->dict); break;
    case OBJ_EXCEPTION: {
        ObjException *e = (ObjException *)o;
        MARK(e->dict);
        MARK(e->args);
        for (int32_t i = 0; i < e->trace_count; i++) MARK(e->trace[i].code);
        break;
    }
    case OBJ_BOUND_METHOD: {
        ObjBoundMethod *b = (ObjBoundMethod *)o;
        vm_gc_mark_value(vm, b->self);
        vm_gc_mark_value(vm, b->callable);
        break;
    }
    case OBJ_NATIVE: {
        ObjNative *n = (ObjNative *)o;
        MARK(n->name);
        vm_gc_mark_value(vm, n->data);
        break;
    }
    case OBJ_MODULE: {
        ObjModule *m = (ObjModule *)o;
        MARK(m->name);
        MARK(m->slot_of);
        mark_values(vm, m->values.values, m->values.count);
        mark_values(vm, m->names.values, m->names.count);
        break;
    }
    case OBJ_SLICE: {
        ObjSlice *s = (ObjSlice *)o;
        vm_gc_mark_value(vm, s->start);
        vm_gc_mark_value(vm, s->stop);
        vm_gc_mark_value(vm, s->step);
        break;
    }
    case OBJ_ITERATOR: {
        ObjIterator *it = (ObjIterator *)o;
        vm_gc_mark_value(vm, it->source);
        vm_gc_mark_value(vm, it->extra);
        break;
    }
    case OBJ_GENERATOR: {
        ObjGenerator *g = (ObjGenerator *)o;
        MARK(g->func);
        MARK(g->name);
        vm_gc_mark_value(vm, g->return_value);
        /* A running generator's values are on the thread stack instead. */
        if (g->state != GEN_RUNNING) mark_values(vm, g->saved, g->saved_count);
        break;
    }
    case OBJ_PROPERTY: {
        ObjProperty *p = (ObjProperty *)o;
        vm_gc_mark_value(vm, p->get);
        vm_gc_mark_value(vm, p->set);
        break;
    }
    case OBJ_OPAQUE: {
        ObjOpaque *op = (ObjOpaque *)o;
        MARK(op->dict);
        if (op->trace) op->trace(vm, op);
        break;
    }
    }
}

static void mark_thread(VmShared *vm, VmThread *th) {
    mark_values(vm, th->stack, th->stack_top - th->stack);
    for (int i = 0; i < th->frame_count; i++) {
        VmFrame *f = &th->frames[i];
        MARK(f->func);
        MARK(f->code);
        MARK(f->ns);
        MARK(f->gen);
    }
    vm_gc_mark_value(vm, th->exception);
    vm_gc_mark_value(vm, th->handled);
    vm_gc_mark_value(vm, th->thread_obj);
}

static void mark_roots(VmShared *vm) {
    for (VmThread *th = vm->threads; th; th = th->next) mark_thread(vm, th);
    /* Every field of VmClasses and VmNames is an object pointer. */
    Obj **classes = (Obj **)&vm->cls;
    for (size_t i = 0; i < sizeof vm->cls / sizeof(Obj *); i++) MARK(classes[i]);
    Obj **names = (Obj **)&vm->names;
    for (size_t i = 0; i < sizeof vm->names / sizeof(Obj *); i++) MARK(names[i]);
    MARK(vm->strings);
    MARK(vm->builtins);
    MARK(vm->modules);
    MARK(vm->module_makers);
    MARK(vm->main_module);
    MARK(vm->argv);
    MARK(vm->build_class);
    MARK(vm->object_init);
    vm_gc_mark_value(vm, vm->not_implemented);
    if (vm->recorder) MARK(vm->recorder->user_hists);
}

static void trace_references(VmShared *vm) {
    VmHeap *h = &vm->heap;
    while (h->gray_count > 0) blacken(vm, h->gray[--h->gray_count]);
}

static void sweep(VmShared *vm) {
    Obj **link = &vm->heap.objects;
    while (*link) {
        Obj *o = *link;
        if (o->marked) {
            o->marked = 0;
            link = &o->next;
        } else {
            *link = o->next;
            vm_obj_free(vm, o);
        }
    }
}

void vm_gc_collect(VmShared *vm) {
    mark_roots(vm);
    trace_references(vm);
    sweep(vm);
    VmHeap *h = &vm->heap;
    h->collections++;
    h->live_after_gc = h->bytes_allocated;
    size_t next = h->bytes_allocated * GILT_GC_GROWTH;
    h->next_gc = next < GILT_GC_INITIAL_THRESHOLD ? GILT_GC_INITIAL_THRESHOLD : next;
}

void vm_gc_free_all(VmShared *vm) {
    Obj *o = vm->heap.objects;
    /* Finalisers of opaque objects may look at other objects, so free those
     * first while everything is still intact. */
    for (Obj *p = o; p; p = p->next) {
        if (p->kind == OBJ_OPAQUE) {
            ObjOpaque *op = (ObjOpaque *)p;
            if (op->finalize) op->finalize(vm, op);
            op->finalize = NULL;
        }
    }
    while (o) {
        Obj *next = o->next;
        vm_obj_free(vm, o);
        o = next;
    }
    vm->heap.objects = NULL;
}
