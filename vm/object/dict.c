/*
 * vm/object/dict.c - insertion-ordered hash tables and the dict type's methods.
 *
 * Layout (CPython 3.6+ "compact dict"): `entries` holds key/value/hash in
 * insertion order; `index` is a power-of-two table of int32 entry numbers
 * (DKIX_EMPTY -1, DKIX_DUMMY -2) probed with CPython's perturbation scheme.
 * Deleting leaves a hole (key UNDEF) in entries and a dummy in the index;
 * resizing compacts both.  Allocation rule (vm/object/object.c frees dicts):
 * entries is `capacity` DictEntry and index is `index_size` int32_t, both
 * on the VM heap.
 */
#include "vm/object/dict.h"

#include <string.h>

#include "vm/object/list.h"
#include "vm/runtime/memory.h"
#include "vm/object/ops.h"
#include "vm/object/str.h"

#define DKIX_EMPTY (-1)
#define DKIX_DUMMY (-2)
#define PERTURB_SHIFT 5

ObjDict *vm_dict_new(VmShared *vm) {
    return (ObjDict *)vm_obj_alloc(vm, sizeof(ObjDict), OBJ_DICT, vm->cls.dict);
}

/* Rebuild the index for `new_size` slots and compact the entries. */
static void dict_resize(VmShared *vm, ObjDict *d, int64_t min_entries) {
    int64_t size = 8;
    while (size * 2 < min_entries * 3) size *= 2;
    /* Compact entries in place. */
    int64_t j = 0;
    for (int64_t i = 0; i < d->used; i++)
        if (!VM_IS_UNDEF(d->entries[i].key)) d->entries[j++] = d->entries[i];
    d->used = j;
    int64_t cap = size * 2 / 3;
    if (cap < min_entries) cap = min_entries;
    if (cap != d->capacity) {
        d->entries = VM_GROW_ARRAY(&vm->heap, DictEntry, d->entries, d->capacity, cap);
        d->capacity = cap;
    }
    VM_FREE_ARRAY(&vm->heap, int32_t, d->index, d->index_size);
    d->index = VM_ALLOCATE(&vm->heap, int32_t, size);
    d->index_size = size;
    for (int64_t i = 0; i < size; i++) d->index[i] = DKIX_EMPTY;
    uint64_t mask = (uint64_t)size - 1;
    for (int64_t i = 0; i < d->used; i++) {
        uint64_t h = d->entries[i].hash, perturb = h, slot = h & mask;
        while (d->index[slot] != DKIX_EMPTY) {
            perturb >>= PERTURB_SHIFT;
            slot = (slot * 5 + perturb + 1) & mask;
        }
        d->index[slot] = (int32_t)i;
    }
}

static bool keys_equal_fast(Value a, Value b, int *result) {
    /* Cases that need no Python code: identical values, str/str, numbers. */
    if (vm_value_is(a, b)) {
        *result = 1;
        return true;
    }
    if (VM_IS_STR(a) && VM_IS_STR(b)) {
        *result = vm_str_equal(VM_AS_STR(a), VM_AS_STR(b));
        return true;
    }
    if (a.type != VAL_OBJ && b.type != VAL_OBJ) {
        double x = a.type == VAL_FLOAT ? a.as.f
                   : a.type == VAL_INT ? (double)a.as.i
                   : a.type == VAL_BOOL ? (double)a.as.b : 0;
        double y = b.type == VAL_FLOAT ? b.as.f
                   : b.type == VAL_INT ? (double)b.as.i
                   : b.type == VAL_BOOL ? (double)b.as.b : 0;
        bool anum = a.type == VAL_INT || a.type == VAL_FLOAT || a.type == VAL_BOOL;
        bool bnum = b.type == VAL_INT || b.type == VAL_FLOAT || b.type == VAL_BOOL;
        if (anum && bnum) {
            if (a.type == VAL_INT && b.type == VAL_INT)
                *result = a.as.i == b.as.i;
            else
                *result = x == y;
        } else {
            *result = a.type == b.type; /* None == None */
        }
        return true;
    }
    if (a.type != VAL_OBJ || b.type != VAL_OBJ) {
        if ((a.type == VAL_OBJ && VM_IS_STR(a)) || (b.type == VAL_OBJ && VM_IS_STR(b))) {
            *result = 0;
            return true;
        }
    }
    return false;
}

/* Find the index slot for key: returns the entry number or -1, and the
 * slot where it is or would be inserted.  -2 on error. */
static int64_t lookup(VmThread *th, ObjDict *d, Value key, uint64_t hash,
                      uint64_t *slot_out) {
    if (d->index_size == 0) {
        *slot_out = 0;
        return -1;
    }
    uint64_t mask = (uint64_t)d->index_size - 1;
    uint64_t perturb = hash, slot = hash & mask;
    int64_t free_slot = -1;
    for (;;) {
        int32_t ix = d->index[slot];
        if (ix == DKIX_EMPTY) {
            *slot_out = free_slot >= 0 ? (uint64_t)free_slot : slot;
            return -1;
        }
        if (ix == DKIX_DUMMY) {
            if (free_slot < 0) free_slot = (int64_t)slot;
        } else {
            DictEntry *e = &d->entries[ix];
            if (e->hash == hash) {
                int eq;
                if (!keys_equal_fast(e->key, key, &eq)) {
                    Value k = e->key;
                    eq = vm_eq(th, k, key);
                    if (eq < 0) return -2;
                }
                if (eq) {
                    *slot_out = slot;
                    return ix;
                }
            }
        }
        perturb >>= PERTURB_SHIFT;
        slot = (slot * 5 + perturb + 1) & mask;
    }
}

int vm_dict_get(VmThread *th, ObjDict *d, Value key, Value *out) {
    uint64_t h;
    if (!vm_hash(th, key, &h)) return -1;
    uint64_t slot;
    int64_t ix = lookup(th, d, key, h, &slot);
    if (ix == -2) return -1;
    if (ix < 0) return 0;
    *out = d->entries[ix].value;
    return 1;
}

static void insert_new(VmShared *vm, ObjDict *d, Value key, Value value,
                       uint64_t hash) {
    if (d->index_size == 0 || (d->used + 1) * 3 >= d->index_size * 2 ||
        d->used >= d->capacity)
        dict_resize(vm, d, (d->count + 1) * 2);
    uint64_t mask = (uint64_t)d->index_size - 1;
    uint64_t perturb = hash, slot = hash & mask;
    while (d->index[slot] >= 0) {
        perturb >>= PERTURB_SHIFT;
        slot = (slot * 5 + perturb + 1) & mask;
    }
    DictEntry *e = &d->entries[d->used];
    e->key = key;
    e->value = value;
    e->hash = hash;
    d->index[slot] = (int32_t)d->used;
    d->used++;
    d->count++;
}

bool vm_dict_set(VmThread *th, ObjDict *d, Value key, Value value) {
    uint64_t h;
    if (!vm_hash(th, key, &h)) return false;
    uint64_t slot;
    int64_t ix = lookup(th, d, key, h, &slot);
    if (ix == -2) return false;
    if (ix >= 0) {
        d->entries[ix].value = value;
        return true;
    }
    insert_new(th->vm, d, key, value, h);
    return true;
}

static void delete_at(ObjDict *d, uint64_t slot, int64_t ix) {
    d->index[slot] = DKIX_DUMMY;
    d->entries[ix].key = VM_UNDEF;
    d->entries[ix].value = VM_UNDEF;
    d->count--;
}

int vm_dict_delete(VmThread *th, ObjDict *d, Value key, Value *old) {
    uint64_t h;
    if (!vm_hash(th, key, &h)) return -1;
    uint64_t slot;
    int64_t ix = lookup(th, d, key, h, &slot);
    if (ix == -2) return -1;
    if (ix < 0) return 0;
    if (old) *old = d->entries[ix].value;
    delete_at(d, slot, ix);
    return 1;
}

/* ---- string-keyed fast paths ----------------------------------------- */

static int64_t lookup_str(ObjDict *d, const char *chars, int64_t length,
                          uint64_t hash, ObjStr *key, uint64_t *slot_out) {
    if (d->index_size == 0) return -1;
    uint64_t mask = (uint64_t)d->index_size - 1;
    uint64_t perturb = hash, slot = hash & mask;
    for (;;) {
        int32_t ix = d->index[slot];
        if (ix == DKIX_EMPTY) return -1;
        if (ix >= 0) {
            DictEntry *e = &d->entries[ix];
            if (e->hash == hash && VM_IS_STR(e->key)) {
                ObjStr *k = VM_AS_STR(e->key);
                if (k == key || (k->length == length &&
                                 memcmp(k->chars, chars, (size_t)length) == 0)) {
                    if (slot_out) *slot_out = slot;
                    return ix;
                }
            }
        }
        perturb >>= PERTURB_SHIFT;
        slot = (slot * 5 + perturb + 1) & mask;
    }
}

bool vm_dict_get_str(ObjDict *d, ObjStr *key, Value *out) {
    int64_t ix = lookup_str(d, key->chars, key->length, vm_str_hash(key), key, NULL);
    if (ix < 0) return false;
    *out = d->entries[ix].value;
    return true;
}

void vm_dict_set_str(VmShared *vm, ObjDict *d, ObjStr *key, Value value) {
    uint64_t h = vm_str_hash(key);
    int64_t ix = lookup_str(d, key->chars, key->length, h, key, NULL);
    if (ix >= 0) {
        d->entries[ix].value = value;
        return;
    }
    insert_new(vm, d, VM_OBJ(key), value, h);
}

bool vm_dict_delete_str(ObjDict *d, ObjStr *key) {
    uint64_t slot;
    int64_t ix = lookup_str(d, key->chars, key->length, vm_str_hash(key), key, &slot);
    if (ix < 0) return false;
    delete_at(d, slot, ix);
    return true;
}

ObjStr *vm_dict_find_string(ObjDict *d, const char *chars, int64_t length,
                            uint64_t hash) {
    int64_t ix = lookup_str(d, chars, length, hash, NULL, NULL);
    return ix < 0 ? NULL : VM_AS_STR(d->entries[ix].key);
}

bool vm_dict_next(ObjDict *d, int64_t *pos, Value *key, Value *value) {
    while (*pos < d->used) {
        DictEntry *e = &d->entries[(*pos)++];
        if (!VM_IS_UNDEF(e->key)) {
            if (key) *key = e->key;
            if (value) *value = e->value;
            return true;
        }
    }
    return false;
}

void vm_dict_clear(VmShared *vm, ObjDict *d) {
    VM_FREE_ARRAY(&vm->heap, DictEntry, d->entries, d->capacity);
    VM_FREE_ARRAY(&vm->heap, int32_t, d->index, d->index_size);
    d->entries = NULL;
    d->index = NULL;
    d->capacity = d->index_size = d->used = d->count = 0;
}

ObjDict *vm_dict_copy(VmShared *vm, ObjDict *d) {
    ObjDict *c = vm_dict_new(vm);
    int64_t pos = 0;
    while (pos < d->used) {
        DictEntry *e = &d->entries[pos++];
        if (!VM_IS_UNDEF(e->key)) insert_new(vm, c, e->key, e->value, e->hash);
    }
    return c;
}

bool vm_dict_update(VmThread *th, ObjDict *d, Value other) {
    VmShared *vm = th->vm;
    if (VM_IS_DICT(other)) {
        ObjDict *o = VM_AS_DICT(other);
        int64_t pos = 0;
        Value k, v;
        while (vm_dict_next(o, &pos, &k, &v))
            if (!vm_dict_set(th, d, k, v)) return false;
        return true;
    }
    Value it;
    if (!vm_get_iter(th, other, &it)) return false;
    vm_push_root(th, it);
    Value item;
    int r;
    int64_t n = 0;
    bool ok = true;
    while ((r = vm_iter_next(th, it, &item)) == 1) {
        vm_push_root(th, item);
        ObjList *pair;
        if (!vm_list_from_iterable(th, item, &pair)) {
            if (vm_exception_matches(th, vm->cls.TypeError))
                vm_raise(th, vm->cls.TypeError,
                         "cannot convert dictionary update sequence element "
                         "#%lld to a sequence",
                         (long long)n);
            ok = false;
        } else if (pair->count != 2) {
            vm_raise(th, vm->cls.ValueError,
                     "dictionary update sequence element #%lld has length "
                     "%lld; 2 is required",
                     (long long)n, (long long)pair->count);
            ok = false;
        } else {
            vm_push_root(th, VM_OBJ(pair));
            ok = vm_dict_set(th, d, pair->items[0], pair->items[1]);
            vm_pop_roots(th, 1);
        }
        vm_pop_roots(th, 1);
        if (!ok) break;
        n++;
    }
    vm_pop_roots(th, 1);
    return ok && r >= 0;
}

/* ---- the dict type ------------------------------------------------------ */

static bool raise_key_error(VmThread *th, Value key) {
    return vm_raise_value(th, vm_exception_new(th, th->vm->cls.KeyError, &key, 1));
}

static bool check_self(VmThread *th, Value *args, int nargs, int min, int max,
                       const char *name) {
    if (nargs < 1 || !VM_IS_DICT(args[0]))
        return vm_raise(th, th->vm->cls.TypeError,
                        "descriptor '%s' requires a 'dict' object", name);
    if (nargs - 1 < min || nargs - 1 > max) {
        if (min == max)
            return vm_raise(th, th->vm->cls.TypeError,
                            "%s() takes exactly %d argument%s (%d given)",
                            name, min, min == 1 ? "" : "s", nargs - 1);
        return vm_raise(th, th->vm->cls.TypeError,
                        "%s expected at most %d arguments, got %d", name, max,
                        nargs - 1);
    }
    return true;
}

#define NO_KW(name)                                                           \
    if (kwnames && kwnames->count)                                            \
    return vm_raise(th, th->vm->cls.TypeError,                                \
                    name "() takes no keyword arguments")

static bool dict_len(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (!check_self(th, a, n, 0, 0, "__len__")) return false;
    *r = VM_INT(VM_AS_DICT(a[0])->count);
    return true;
}

static bool dict_getitem(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                         Value *r) {
    NO_KW("__getitem__");
    if (!check_self(th, a, n, 1, 1, "__getitem__")) return false;
    int f = vm_dict_get(th, VM_AS_DICT(a[0]), a[1], r);
    if (f < 0) return false;
    if (f == 0) return raise_key_error(th, a[1]);
    return true;
}

static bool dict_setitem(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                         Value *r) {
    NO_KW("__setitem__");
    if (!check_self(th, a, n, 2, 2, "__setitem__")) return false;
    *r = VM_NONE;
    return vm_dict_set(th, VM_AS_DICT(a[0]), a[1], a[2]);
}

static bool dict_delitem(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                         Value *r) {
    NO_KW("__delitem__");
    if (!check_self(th, a, n, 1, 1, "__delitem__")) return false;
    int f = vm_dict_delete(th, VM_AS_DICT(a[0]), a[1], NULL);
    if (f < 0) return false;
    if (f == 0) return raise_key_error(th, a[1]);
    *r = VM_NONE;
    return true;
}

static bool dict_contains(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                          Value *r) {
    NO_KW("__contains__");
    if (!check_self(th, a, n, 1, 1, "__contains__")) return false;
    Value v;
    int f = vm_dict_get(th, VM_AS_DICT(a[0]), a[1], &v);
    if (f < 0) return false;
    *r = VM_BOOL(f);
    return true;
}

static bool dict_get(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("get");
    if (!check_self(th, a, n, 1, 2, "get")) return false;
    int f = vm_dict_get(th, VM_AS_DICT(a[0]), a[1], r);
    if (f < 0) return false;
    if (f == 0) *r = n > 2 ? a[2] : VM_NONE;
    return true;
}

static bool dict_pop(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("pop");
    if (!check_self(th, a, n, 1, 2, "pop")) return false;
    int f = vm_dict_delete(th, VM_AS_DICT(a[0]), a[1], r);
    if (f < 0) return false;
    if (f == 0) {
        if (n > 2) {
            *r = a[2];
            return true;
        }
        return raise_key_error(th, a[1]);
    }
    return true;
}

static bool dict_popitem(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                         Value *r) {
    NO_KW("popitem");
    if (!check_self(th, a, n, 0, 0, "popitem")) return false;
    ObjDict *d = VM_AS_DICT(a[0]);
    for (int64_t i = d->used - 1; i >= 0; i--) {
        if (VM_IS_UNDEF(d->entries[i].key)) continue;
        Value pair[2] = {d->entries[i].key, d->entries[i].value};
        *r = VM_OBJ(vm_tuple_from(th->vm, pair, 2));
        vm_dict_delete(th, d, pair[0], NULL);
        return true;
    }
    Value msg = VM_OBJ(vm_str_from_cstr(th->vm, "popitem(): dictionary is empty"));
    return raise_key_error(th, msg);
}

static bool dict_setdefault(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                            Value *r) {
    NO_KW("setdefault");
    if (!check_self(th, a, n, 1, 2, "setdefault")) return false;
    int f = vm_dict_get(th, VM_AS_DICT(a[0]), a[1], r);
    if (f < 0) return false;
    if (f == 1) return true;
    *r = n > 2 ? a[2] : VM_NONE;
    return vm_dict_set(th, VM_AS_DICT(a[0]), a[1], *r);
}

static bool dict_update_m(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                          Value *r) {
    if (!check_self(th, a, n, 0, 1, "update")) return false;
    ObjDict *d = VM_AS_DICT(a[0]);
    if (n > 1 && !vm_dict_update(th, d, a[1])) return false;
    if (kwnames)
        for (int64_t i = 0; i < kwnames->count; i++)
            vm_dict_set_str(th->vm, d, VM_AS_STR(kwnames->items[i]), a[n + i]);
    *r = VM_NONE;
    return true;
}

static bool dict_copy_m(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                        Value *r) {
    NO_KW("copy");
    if (!check_self(th, a, n, 0, 0, "copy")) return false;
    *r = VM_OBJ(vm_dict_copy(th->vm, VM_AS_DICT(a[0])));
    return true;
}

static bool dict_clear_m(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                         Value *r) {
    NO_KW("clear");
    if (!check_self(th, a, n, 0, 0, "clear")) return false;
    vm_dict_clear(th->vm, VM_AS_DICT(a[0]));
    *r = VM_NONE;
    return true;
}

static bool dict_fromkeys(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                          Value *r) {
    NO_KW("fromkeys");
    /* Called as dict.fromkeys(it[, v]) (no self) or d.fromkeys(it[, v]). */
    if (n >= 1 && (VM_IS_DICT(a[0]) || VM_IS_CLASS(a[0]))) {
        a++;
        n--;
    }
    if (n < 1 || n > 2)
        return vm_raise(th, th->vm->cls.TypeError,
                        "fromkeys expected at least 1 argument, got %d", n);
    ObjDict *d = vm_dict_new(th->vm);
    vm_push_root(th, VM_OBJ(d));
    Value it, k;
    bool ok = vm_get_iter(th, a[0], &it);
    if (ok) {
        vm_push_root(th, it);
        int rr;
        while ((rr = vm_iter_next(th, it, &k)) == 1)
            if (!vm_dict_set(th, d, k, n > 1 ? a[1] : VM_NONE)) {
                rr = -1;
                break;
            }
        ok = rr == 0;
        vm_pop_roots(th, 1);
    }
    vm_pop_roots(th, 1);
    *r = VM_OBJ(d);
    return ok;
}

/* Iterators and views. */

static int dict_iter_next(VmThread *th, ObjIterator *it, Value *out) {
    ObjDict *d = VM_AS_DICT(it->source);
    if (d->count != it->end) {
        it->end = -1;
        vm_raise(th, th->vm->cls.RuntimeError,
                 "dictionary changed size during iteration");
        return -1;
    }
    Value k, v;
    int64_t pos = it->index;
    if (!vm_dict_next(d, &pos, &k, &v)) return 0;
    it->index = pos;
    switch (it->step) {
    case 0: *out = k; break;
    case 1: *out = v; break;
    default: {
        Value pair[2] = {k, v};
        *out = VM_OBJ(vm_tuple_from(th->vm, pair, 2));
    }
    }
    return 1;
}

static Value dict_iter_new(VmShared *vm, ObjDict *d, int64_t what) {
    ObjIterator *it = vm_iterator_new(vm, vm->cls.iterator, dict_iter_next,
                                      VM_OBJ(d));
    it->index = 0;
    it->end = d->count;
    it->step = what;
    return VM_OBJ(it);
}

static bool dict_iter(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (!check_self(th, a, n, 0, 0, "__iter__")) return false;
    *r = dict_iter_new(th->vm, VM_AS_DICT(a[0]), 0);
    return true;
}

static ObjClass *view_class(VmShared *vm, int64_t what) {
    return what == 0 ? vm->cls.dict_keys
                     : what == 1 ? vm->cls.dict_values : vm->cls.dict_items;
}

static bool make_view(VmThread *th, Value *a, int n, int64_t what, Value *r) {
    if (!check_self(th, a, n, 0, 0, what == 0 ? "keys" : what == 1 ? "values" : "items"))
        return false;
    ObjIterator *v = vm_iterator_new(th->vm, view_class(th->vm, what), NULL, a[0]);
    v->step = what;
    *r = VM_OBJ(v);
    return true;
}

static bool dict_keys(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    return make_view(th, a, n, 0, r);
}
static bool dict_values(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    return make_view(th, a, n, 1, r);
}
static bool dict_items(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    return make_view(th, a, n, 2, r);
}

static ObjIterator *view_self(Value *a, int n) {
    if (n < 1 || !vm_is_kind(a[0], OBJ_ITERATOR)) return NULL;
    return (ObjIterator *)VM_AS_OBJ(a[0]);
}

static bool view_iter(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    ObjIterator *v = view_self(a, n);
    if (!v) return vm_raise(th, th->vm->cls.TypeError, "bad view");
    *r = dict_iter_new(th->vm, VM_AS_DICT(v->source), v->step);
    return true;
}

static bool view_len(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    ObjIterator *v = view_self(a, n);
    if (!v) return vm_raise(th, th->vm->cls.TypeError, "bad view");
    *r = VM_INT(VM_AS_DICT(v->source)->count);
    return true;
}

static bool view_contains(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    ObjIterator *v = view_self(a, n);
    if (!v || n != 2) return vm_raise(th, th->vm->cls.TypeError, "bad view");
    ObjDict *d = VM_AS_DICT(v->source);
    Value found;
    if (v->step == 0) {
        int f = vm_dict_get(th, d, a[1], &found);
        if (f < 0) return false;
        *r = VM_BOOL(f);
        return true;
    }
    if (v->step == 2) {
        if (!VM_IS_TUPLE(a[1]) || VM_AS_TUPLE(a[1])->count != 2) {
            *r = VM_FALSE;
            return true;
        }
        int f = vm_dict_get(th, d, VM_AS_TUPLE(a[1])->items[0], &found);
        if (f < 0) return false;
        if (!f) {
            *r = VM_FALSE;
            return true;
        }
        int e = vm_eq(th, found, VM_AS_TUPLE(a[1])->items[1]);
        if (e < 0) return false;
        *r = VM_BOOL(e);
        return true;
    }
    int64_t pos = 0;
    Value k, val;
    while (vm_dict_next(d, &pos, &k, &val)) {
        int e = vm_eq(th, val, a[1]);
        if (e < 0) return false;
        if (e) {
            *r = VM_TRUE;
            return true;
        }
    }
    *r = VM_FALSE;
    return true;
}

static bool view_repr(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    ObjIterator *v = view_self(a, n);
    if (!v) return vm_raise(th, th->vm->cls.TypeError, "bad view");
    ObjList *l = vm_list_new(th->vm, 0);
    vm_push_root(th, VM_OBJ(l));
    bool ok = vm_list_extend(th, l, a[0]);
    ObjStr *inner = NULL;
    if (ok) ok = vm_repr(th, VM_OBJ(l), &inner);
    vm_pop_roots(th, 1);
    if (!ok) return false;
    *r = VM_OBJ(vm_str_printf(th->vm, "%s(%s)", v->obj.cls->name->chars,
                              inner->chars));
    return true;
}

/* repr with a guard against a dict that contains itself. */
static bool dict_repr(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (!check_self(th, a, n, 0, 0, "__repr__")) return false;
    ObjDict *d = VM_AS_DICT(a[0]);
    if (d->count == 0) {
        *r = VM_OBJ(vm_str_intern_cstr(th->vm, "{}"));
        return true;
    }
    /* A dict directly containing itself prints "{...}" (identity check
     * below); deeper cycles are bounded by the C recursion limit. */
    StrBuf b;
    vm_strbuf_init(&b);
    vm_strbuf_append_char(&b, '{');
    int64_t pos = 0;
    Value k, v;
    bool first = true;
    while (vm_dict_next(d, &pos, &k, &v)) {
        ObjStr *ks, *vs;
        if (!first) vm_strbuf_append(&b, ", ", 2);
        first = false;
        if (vm_value_is(k, a[0])) {
            vm_strbuf_append_cstr(&b, "{...}");
        } else {
            if (!vm_repr(th, k, &ks)) goto fail;
            vm_strbuf_append_str(&b, ks);
        }
        vm_strbuf_append(&b, ": ", 2);
        if (vm_value_is(v, a[0])) {
            vm_strbuf_append_cstr(&b, "{...}");
        } else {
            if (!vm_repr(th, v, &vs)) goto fail;
            vm_strbuf_append_str(&b, vs);
        }
    }
    vm_strbuf_append_char(&b, '}');
    *r = VM_OBJ(vm_strbuf_finish(th->vm, &b));
    return true;
fail:
    vm_strbuf_fini(&b);
    return false;
}

static bool dict_eq(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (!check_self(th, a, n, 1, 1, "__eq__")) return false;
    if (!VM_IS_DICT(a[1])) {
        *r = th->vm->not_implemented;
        return true;
    }
    ObjDict *x = VM_AS_DICT(a[0]), *y = VM_AS_DICT(a[1]);
    if (x->count != y->count) {
        *r = VM_FALSE;
        return true;
    }
    int64_t pos = 0;
    Value k, v, w;
    while (vm_dict_next(x, &pos, &k, &v)) {
        int f = vm_dict_get(th, y, k, &w);
        if (f < 0) return false;
        if (!f) {
            *r = VM_FALSE;
            return true;
        }
        int e = vm_eq(th, v, w);
        if (e < 0) return false;
        if (!e) {
            *r = VM_FALSE;
            return true;
        }
    }
    *r = VM_TRUE;
    return true;
}

static bool dict_ne(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    if (!dict_eq(th, a, n, kw, r)) return false;
    if (VM_IS_BOOL(*r)) *r = VM_BOOL(!VM_AS_BOOL(*r));
    return true;
}

static bool dict_construct(VmThread *th, ObjClass *cls, Value *args, int nargs,
                           ObjTuple *kwnames, Value *result) {
    (void)cls;
    if (nargs > 1)
        return vm_raise(th, th->vm->cls.TypeError,
                        "dict expected at most 1 argument, got %d", nargs);
    ObjDict *d = vm_dict_new(th->vm);
    vm_push_root(th, VM_OBJ(d));
    bool ok = nargs == 0 || vm_dict_update(th, d, args[0]);
    if (ok && kwnames)
        for (int64_t i = 0; i < kwnames->count; i++)
            vm_dict_set_str(th->vm, d, VM_AS_STR(kwnames->items[i]),
                            args[nargs + i]);
    vm_pop_roots(th, 1);
    *result = VM_OBJ(d);
    return ok;
}

void vm__dict_methods_init(VmShared *vm) {
    ObjDict *m = vm->cls.dict->dict;
    vm_define_native(vm, m, "__len__", dict_len);
    vm_define_native(vm, m, "__getitem__", dict_getitem);
    vm_define_native(vm, m, "__setitem__", dict_setitem);
    vm_define_native(vm, m, "__delitem__", dict_delitem);
    vm_define_native(vm, m, "__contains__", dict_contains);
    vm_define_native(vm, m, "__iter__", dict_iter);
    vm_define_native(vm, m, "__repr__", dict_repr);
    vm_define_native(vm, m, "__eq__", dict_eq);
    vm_define_native(vm, m, "__ne__", dict_ne);
    vm_define_native(vm, m, "get", dict_get);
    vm_define_native(vm, m, "pop", dict_pop);
    vm_define_native(vm, m, "popitem", dict_popitem);
    vm_define_native(vm, m, "setdefault", dict_setdefault);
    vm_define_native(vm, m, "update", dict_update_m);
    vm_define_native(vm, m, "copy", dict_copy_m);
    vm_define_native(vm, m, "clear", dict_clear_m);
    vm_define_native(vm, m, "fromkeys", dict_fromkeys);
    vm_define_native(vm, m, "keys", dict_keys);
    vm_define_native(vm, m, "values", dict_values);
    vm_define_native(vm, m, "items", dict_items);
    vm->cls.dict->construct = dict_construct;
    ObjClass *views[] = {vm->cls.dict_keys, vm->cls.dict_values,
                         vm->cls.dict_items};
    for (int i = 0; i < 3; i++) {
        vm_define_native(vm, views[i]->dict, "__iter__", view_iter);
        vm_define_native(vm, views[i]->dict, "__len__", view_len);
        vm_define_native(vm, views[i]->dict, "__contains__", view_contains);
        vm_define_native(vm, views[i]->dict, "__repr__", view_repr);
    }
}
