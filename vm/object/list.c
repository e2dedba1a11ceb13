/*
 * vm/object/list.c - tuples, lists and ranges: construction, growth, sorting, and
 * the natives (methods and dunders) of the three sequence types.
 *
 * Allocation rules (vm/object/object.c frees these): a tuple is one block of
 * sizeof(ObjTuple) + count values; a list's items array has `capacity`
 * values on the VM heap.
 */
#include "vm/object/list.h"

#include <string.h>

#include "vm/runtime/memory.h"
#include "vm/object/ops.h"
#include "vm/object/str.h"

/* ---- construction ------------------------------------------------------ */

ObjTuple *vm_tuple_new(VmShared *vm, int64_t count) {
    ObjTuple *t = (ObjTuple *)vm_obj_alloc(
        vm, sizeof(ObjTuple) + sizeof(Value) * (size_t)count, OBJ_TUPLE,
        vm->cls.tuple);
    t->count = count;
    for (int64_t i = 0; i < count; i++) t->items[i] = VM_UNDEF;
    return t;
}

ObjTuple *vm_tuple_from(VmShared *vm, const Value *items, int64_t count) {
    ObjTuple *t = vm_tuple_new(vm, count);
    if (count) safe_memcpy(t->items, items, sizeof(Value) * (size_t)count);
    return t;
}

static void list_reserve(VmShared *vm, ObjList *l, int64_t need) {
    if (need <= l->capacity) return;
    int64_t cap = l->capacity < 8 ? 8 : l->capacity;
    while (cap < need) cap = cap + cap / 2 + 8;
    l->items = VM_GROW_ARRAY(&vm->heap, Value, l->items, l->capacity, cap);
    l->capacity = cap;
}

ObjList *vm_list_new(VmShared *vm, int64_t capacity) {
    ObjList *l = (ObjList *)vm_obj_alloc(vm, sizeof(ObjList), OBJ_LIST,
                                         vm->cls.list);
    if (capacity > 0) list_reserve(vm, l, capacity);
    return l;
}

ObjList *vm_list_from(VmShared *vm, const Value *items, int64_t count) {
    ObjList *l = vm_list_new(vm, count);
    if (count) safe_memcpy(l->items, items, sizeof(Value) * (size_t)count);
    l->count = count;
    return l;
}

void vm_list_append(VmShared *vm, ObjList *l, Value v) {
    if (l->count == l->capacity) list_reserve(vm, l, l->count + 1);
    l->items[l->count++] = v;
}

void vm_list_insert(VmShared *vm, ObjList *l, int64_t index, Value v) {
    if (index < 0) index = 0;
    if (index > l->count) index = l->count;
    list_reserve(vm, l, l->count + 1);
    safe_memmove(l->items + index + 1, l->items + index,
            sizeof(Value) * (size_t)(l->count - index));
    l->items[index] = v;
    l->count++;
}

Value vm_list_remove_at(ObjList *l, int64_t index) {
    Value v = l->items[index];
    safe_memmove(l->items + index, l->items + index + 1,
            sizeof(Value) * (size_t)(l->count - index - 1));
    l->count--;
    return v;
}

void vm_list_clear(VmShared *vm, ObjList *l) {
    VM_FREE_ARRAY(&vm->heap, Value, l->items, l->capacity);
    l->items = NULL;
    l->count = l->capacity = 0;
}

bool vm_list_extend(VmThread *th, ObjList *l, Value iterable) {
    VmShared *vm = th->vm;
    if (VM_IS_LIST(iterable) || VM_IS_TUPLE(iterable)) {
        int64_t n = VM_IS_LIST(iterable) ? VM_AS_LIST(iterable)->count
                                         : VM_AS_TUPLE(iterable)->count;
        /* An empty list may have no items array at all: no pointer
         * arithmetic on it (NULL + 0 is undefined). */
        if (n == 0) return true;
        list_reserve(vm, l, l->count + n);
        /* Re-read the source after growing: l may be the source. */
        Value *src = VM_IS_LIST(iterable) ? VM_AS_LIST(iterable)->items
                                          : VM_AS_TUPLE(iterable)->items;
        safe_memmove(l->items + l->count, src, sizeof(Value) * (size_t)n);
        l->count += n;
        return true;
    }
    if (VM_IS_RANGE(iterable)) {
        ObjRange *r = VM_AS_RANGE(iterable);
        for (int64_t i = r->start; r->step > 0 ? i < r->stop : i > r->stop;
             i += r->step)
            vm_list_append(vm, l, VM_INT(i));
        return true;
    }
    Value it;
    if (!vm_get_iter(th, iterable, &it)) return false;
    vm_push_root(th, it);
    Value v;
    int r;
    while ((r = vm_iter_next(th, it, &v)) == 1) vm_list_append(vm, l, v);
    vm_pop_roots(th, 1);
    return r == 0;
}

bool vm_list_from_iterable(VmThread *th, Value iterable, ObjList **out) {
    ObjList *l = vm_list_new(th->vm, 0);
    vm_push_root(th, VM_OBJ(l));
    bool ok = vm_list_extend(th, l, iterable);
    vm_pop_roots(th, 1);
    *out = l;
    return ok;
}

bool vm_tuple_from_iterable(VmThread *th, Value iterable, ObjTuple **out) {
    if (VM_IS_TUPLE(iterable)) {
        *out = VM_AS_TUPLE(iterable);
        return true;
    }
    ObjList *l;
    if (!vm_list_from_iterable(th, iterable, &l)) return false;
    *out = vm_tuple_from(th->vm, l->items, l->count);
    return true;
}

/* ---- sorting: a stable merge sort ---------------------------------------- */

/* keys[i] is what is compared, vals[i] what is moved along. */
static bool merge_sort(VmThread *th, Value *keys, Value *vals, Value *tk,
                       Value *tv, int64_t n, bool reverse) {
    if (n < 2) return true;
    if (n <= 8) {
        /* Insertion sort: stable, few comparisons on short runs. */
        for (int64_t i = 1; i < n; i++) {
            Value k = keys[i], v = vals[i];
            int64_t j = i;
            while (j > 0) {
                int lt = reverse ? vm_less(th, keys[j - 1], k)
                                 : vm_less(th, k, keys[j - 1]);
                if (lt < 0) return false;
                if (!lt) break;
                keys[j] = keys[j - 1];
                vals[j] = vals[j - 1];
                j--;
            }
            keys[j] = k;
            vals[j] = v;
        }
        return true;
    }
    int64_t mid = n / 2;
    if (!merge_sort(th, keys, vals, tk, tv, mid, reverse)) return false;
    if (!merge_sort(th, keys + mid, vals + mid, tk, tv, n - mid, reverse))
        return false;
    safe_memcpy(tk, keys, sizeof(Value) * (size_t)mid);
    safe_memcpy(tv, vals, sizeof(Value) * (size_t)mid);
    int64_t i = 0, j = mid, k = 0;
    while (i < mid && j < n) {
        /* Take from the right only when strictly before the left: stable. */
        int lt = reverse ? vm_less(th, tk[i], keys[j]) : vm_less(th, keys[j], tk[i]);
        if (lt < 0) return false;
        if (lt) {
            keys[k] = keys[j];
            vals[k++] = vals[j++];
        } else {
            keys[k] = tk[i];
            vals[k++] = tv[i++];
        }
    }
    while (i < mid) {
        keys[k] = tk[i];
        vals[k++] = tv[i++];
    }
    return true;
}

bool vm_list_sort(VmThread *th, ObjList *l, Value key, bool reverse) {
    VmShared *vm = th->vm;
    int64_t n = l->count;
    /* Work on copies held by rooted lists, so comparisons that run Python
     * code (and may collect) cannot lose them, and a list mutated during
     * the sort is detected instead of corrupted. */
    ObjList *keys = vm_list_from(vm, l->items, n);
    vm_push_root(th, VM_OBJ(keys));
    ObjList *vals = vm_list_from(vm, l->items, n);
    vm_push_root(th, VM_OBJ(vals));
    bool ok = true;
    if (!VM_IS_UNDEF(key) && !VM_IS_NONE(key)) {
        for (int64_t i = 0; i < n && ok; i++) {
            Value arg = vals->items[i], r;
            ok = vm_call(th, key, &arg, 1, NULL, &r);
            if (ok) keys->items[i] = r;
        }
    }
    ObjList *tk = vm_list_new(vm, n / 2 + 1);
    vm_push_root(th, VM_OBJ(tk));
    ObjList *tv = vm_list_new(vm, n / 2 + 1);
    vm_push_root(th, VM_OBJ(tv));
    if (ok) {
        /* A reverse sort compares the other way round but still takes the
         * left element on ties, so equal keys keep their order. */
        ok = merge_sort(th, keys->items, vals->items, tk->items, tv->items, n,
                        reverse);
    }
    if (ok && l->count != n)
        ok = vm_raise(th, vm->cls.ValueError, "list modified during sort");
    if (ok && n) safe_memcpy(l->items, vals->items, sizeof(Value) * (size_t)n);
    vm_pop_roots(th, 4);
    return ok;
}

/* ---- shared helpers for the natives ------------------------------------ */

#define NO_KW(name)                                                           \
    if (kwnames && kwnames->count)                                            \
    return vm_raise(th, th->vm->cls.TypeError,                                \
                    name "() takes no keyword arguments")

static bool arg_count(VmThread *th, const char *name, int nargs, int min,
                      int max) {
    int given = nargs - 1;
    if (given >= min && given <= max) return true;
    if (min == max) {
        if (min == 0)
            return vm_raise(th, th->vm->cls.TypeError,
                            "%s() takes no arguments (%d given)", name, given);
        return vm_raise(th, th->vm->cls.TypeError,
                        "%s() takes exactly one argument (%d given)", name,
                        given);
    }
    if (given < min)
        return vm_raise(th, th->vm->cls.TypeError,
                        "%s expected at least %d argument%s, got %d", name, min,
                        min == 1 ? "" : "s", given);
    return vm_raise(th, th->vm->cls.TypeError,
                    "%s expected at most %d argument%s, got %d", name, max,
                    max == 1 ? "" : "s", given);
}

static Value *seq_items(Value v, int64_t *count) {
    if (VM_IS_LIST(v)) {
        *count = VM_AS_LIST(v)->count;
        return VM_AS_LIST(v)->items;
    }
    *count = VM_AS_TUPLE(v)->count;
    return VM_AS_TUPLE(v)->items;
}

static bool seq_repr(VmThread *th, Value self, const char *open,
                     const char *close, Value *r) {
    int64_t n;
    Value *items = seq_items(self, &n);
    if (n == 0) {
        *r = VM_OBJ(vm_str_printf(th->vm, "%s%s", open, close));
        return true;
    }
    StrBuf b;
    vm_strbuf_init(&b);
    vm_strbuf_append_cstr(&b, open);
    for (int64_t i = 0; i < n; i++) {
        if (i) vm_strbuf_append(&b, ", ", 2);
        items = seq_items(self, &n);
        if (i >= n) break;
        if (vm_value_is(items[i], self)) {
            vm_strbuf_append_cstr(&b, VM_IS_LIST(self) ? "[...]" : "(...)");
            continue;
        }
        ObjStr *s;
        if (!vm_repr(th, items[i], &s)) {
            vm_strbuf_fini(&b);
            return false;
        }
        vm_strbuf_append_str(&b, s);
    }
    if (VM_IS_TUPLE(self) && n == 1) vm_strbuf_append_char(&b, ',');
    vm_strbuf_append_cstr(&b, close);
    *r = VM_OBJ(vm_strbuf_finish(th->vm, &b));
    return true;
}

/* Lexicographic comparison of two sequences for op (COMPARE_*). */
static bool seq_compare(VmThread *th, Value a, Value b, Opcode op, Value *r) {
    int64_t na, nb;
    seq_items(a, &na);
    seq_items(b, &nb);
    if ((op == OP_COMPARE_EQ || op == OP_COMPARE_NE) && na != nb) {
        *r = VM_BOOL(op == OP_COMPARE_NE);
        return true;
    }
    int64_t i = 0;
    for (;; i++) {
        Value *ia = seq_items(a, &na), *ib = seq_items(b, &nb);
        if (i >= na || i >= nb) break;
        Value x = ia[i], y = ib[i];
        if (vm_value_is(x, y)) continue;
        int e = vm_eq(th, x, y);
        if (e < 0) return false;
        if (!e) {
            if (op == OP_COMPARE_EQ) {
                *r = VM_FALSE;
                return true;
            }
            if (op == OP_COMPARE_NE) {
                *r = VM_TRUE;
                return true;
            }
            return vm_compare(th, op, x, y, r);
        }
    }
    bool res;
    switch (op) {
    case OP_COMPARE_LT: res = na < nb; break;
    case OP_COMPARE_LE: res = na <= nb; break;
    case OP_COMPARE_GT: res = na > nb; break;
    case OP_COMPARE_GE: res = na >= nb; break;
    case OP_COMPARE_EQ: res = na == nb; break;
    default: res = na != nb; break;
    }
    *r = VM_BOOL(res);
    return true;
}

#define SEQ_CMP(fname, op, kind)                                              \
    static bool fname(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) { \
        (void)kw;                                                             \
        if (n != 2) return arg_count(th, #op, n, 1, 1);                       \
        if (!vm_is_kind(a[1], kind) || !vm_is_kind(a[0], kind)) {             \
            *r = th->vm->not_implemented;                                     \
            return true;                                                      \
        }                                                                     \
        return seq_compare(th, a[0], a[1], op, r);                            \
    }
SEQ_CMP(list_lt, OP_COMPARE_LT, OBJ_LIST)
SEQ_CMP(list_le, OP_COMPARE_LE, OBJ_LIST)
SEQ_CMP(list_gt, OP_COMPARE_GT, OBJ_LIST)
SEQ_CMP(list_ge, OP_COMPARE_GE, OBJ_LIST)
SEQ_CMP(list_eq, OP_COMPARE_EQ, OBJ_LIST)
SEQ_CMP(list_ne, OP_COMPARE_NE, OBJ_LIST)
SEQ_CMP(tuple_lt, OP_COMPARE_LT, OBJ_TUPLE)
SEQ_CMP(tuple_le, OP_COMPARE_LE, OBJ_TUPLE)
SEQ_CMP(tuple_gt, OP_COMPARE_GT, OBJ_TUPLE)
SEQ_CMP(tuple_ge, OP_COMPARE_GE, OBJ_TUPLE)
SEQ_CMP(tuple_eq, OP_COMPARE_EQ, OBJ_TUPLE)
SEQ_CMP(tuple_ne, OP_COMPARE_NE, OBJ_TUPLE)
#undef SEQ_CMP

static bool seq_getitem(VmThread *th, Value self, Value key, const char *what,
                        Value *r) {
    VmShared *vm = th->vm;
    int64_t n;
    Value *items = seq_items(self, &n);
    if (vm_is_kind(key, OBJ_SLICE)) {
        int64_t start, stop, step, count;
        if (!vm_slice_indices(th, (ObjSlice *)VM_AS_OBJ(key), n, &start, &stop,
                              &step, &count))
            return false;
        items = seq_items(self, &n);
        if (VM_IS_LIST(self)) {
            ObjList *l = vm_list_new(vm, count);
            for (int64_t i = 0, j = start; i < count; i++, j += step)
                l->items[i] = items[j];
            l->count = count;
            *r = VM_OBJ(l);
        } else {
            ObjTuple *t = vm_tuple_new(vm, count);
            for (int64_t i = 0, j = start; i < count; i++, j += step)
                t->items[i] = items[j];
            *r = VM_OBJ(t);
        }
        return true;
    }
    int64_t i;
    if (!vm_index_normalize(th, key, n, what, &i)) return false;
    *r = items[i];
    return true;
}

static bool seq_contains(VmThread *th, Value self, Value x, Value *r) {
    int64_t n;
    for (int64_t i = 0;; i++) {
        Value *items = seq_items(self, &n);
        if (i >= n) break;
        Value item = items[i];
        if (vm_value_is(item, x)) {
            *r = VM_TRUE;
            return true;
        }
        int e = vm_eq(th, item, x);
        if (e < 0) return false;
        if (e) {
            *r = VM_TRUE;
            return true;
        }
    }
    *r = VM_FALSE;
    return true;
}

static bool seq_count(VmThread *th, Value self, Value x, Value *r) {
    int64_t n, c = 0;
    for (int64_t i = 0;; i++) {
        Value *items = seq_items(self, &n);
        if (i >= n) break;
        int e = vm_value_is(items[i], x) ? 1 : vm_eq(th, items[i], x);
        if (e < 0) return false;
        c += e;
    }
    *r = VM_INT(c);
    return true;
}

static bool seq_index(VmThread *th, Value *a, int nargs, const char *what,
                      Value *r) {
    int64_t n;
    seq_items(a[0], &n);
    int64_t start = 0, stop = n;
    if (nargs > 2) {
        if (!vm_to_int64(th, a[2], &start)) return false;
        if (start < 0) start = start + n < 0 ? 0 : start + n;
    }
    if (nargs > 3) {
        if (!vm_to_int64(th, a[3], &stop)) return false;
        if (stop < 0) stop = stop + n < 0 ? 0 : stop + n;
    }
    for (int64_t i = start; i < stop; i++) {
        Value *items = seq_items(a[0], &n);
        if (i >= n) break;
        int e = vm_value_is(items[i], a[1]) ? 1 : vm_eq(th, items[i], a[1]);
        if (e < 0) return false;
        if (e) {
            *r = VM_INT(i);
            return true;
        }
    }
    if (VM_IS_LIST(a[0])) {
        ObjStr *s;
        if (!vm_repr(th, a[1], &s)) return false;
        return vm_raise(th, th->vm->cls.ValueError, "%s is not in list",
                        s->chars);
    }
    return vm_raise(th, th->vm->cls.ValueError, "%s.index(x): x not in %s",
                    what, what);
}

static int seq_iter_next(VmThread *th, ObjIterator *it, Value *out) {
    (void)th;
    int64_t n;
    if (VM_IS_UNDEF(it->source)) return 0;
    Value *items = seq_items(it->source, &n);
    if (it->index >= n) {
        it->source = VM_UNDEF;
        return 0;
    }
    *out = items[it->index++];
    return 1;
}

static int seq_reversed_next(VmThread *th, ObjIterator *it, Value *out) {
    (void)th;
    int64_t n;
    if (VM_IS_UNDEF(it->source)) return 0;
    Value *items = seq_items(it->source, &n);
    if (it->index < 0 || it->index >= n) {
        it->source = VM_UNDEF;
        return 0;
    }
    *out = items[it->index--];
    return 1;
}

static bool seq_iter(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1) return arg_count(th, "__iter__", n, 0, 0);
    *r = VM_OBJ(vm_iterator_new(th->vm, th->vm->cls.iterator, seq_iter_next, a[0]));
    return true;
}

static bool seq_reversed(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1) return arg_count(th, "__reversed__", n, 0, 0);
    int64_t count;
    seq_items(a[0], &count);
    ObjIterator *it =
        vm_iterator_new(th->vm, th->vm->cls.iterator, seq_reversed_next, a[0]);
    it->index = count - 1;
    *r = VM_OBJ(it);
    return true;
}

static bool seq_len(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1) return arg_count(th, "__len__", n, 0, 0);
    int64_t count;
    seq_items(a[0], &count);
    *r = VM_INT(count);
    return true;
}

/* The repeat count of seq * k, with the heap limit checked up front so
 * [0] * 10**12 is a MemoryError rather than a fatal host failure. */
static bool repeat_count(VmThread *th, Value times, int64_t len, int64_t *out) {
    int64_t k;
    if (!VM_IS_INT(times) && !VM_IS_BOOL(times)) return false;
    if (!vm_to_int64(th, times, &k)) return false;
    if (k < 0) k = 0;
    if (len && k > INT64_MAX / len / (int64_t)sizeof(Value))
        return vm_raise(th, th->vm->cls.MemoryError, "%s", "");
    if (!vm_heap_check(th, (size_t)(len * k) * sizeof(Value))) return false;
    *out = k;
    return true;
}

/* ---- list natives --------------------------------------------------------- */

static bool check_list(VmThread *th, Value *a, int n, const char *name) {
    if (n < 1 || !VM_IS_LIST(a[0]))
        return vm_raise(th, th->vm->cls.TypeError,
                        "descriptor '%s' requires a 'list' object", name);
    return true;
}

static bool list_append(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                        Value *r) {
    NO_KW("append");
    if (!check_list(th, a, n, "append") || !arg_count(th, "list.append", n, 1, 1))
        return false;
    vm_list_append(th->vm, VM_AS_LIST(a[0]), a[1]);
    *r = VM_NONE;
    return true;
}

static bool list_extend_m(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                          Value *r) {
    NO_KW("extend");
    if (!check_list(th, a, n, "extend") || !arg_count(th, "list.extend", n, 1, 1))
        return false;
    *r = VM_NONE;
    return vm_list_extend(th, VM_AS_LIST(a[0]), a[1]);
}

static bool list_insert(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                        Value *r) {
    NO_KW("insert");
    if (!check_list(th, a, n, "insert")) return false;
    if (n != 3)
        return vm_raise(th, th->vm->cls.TypeError,
                        "insert expected 2 arguments, got %d", n - 1);
    int64_t i;
    if (!vm_to_int64(th, a[1], &i)) return false;
    ObjList *l = VM_AS_LIST(a[0]);
    if (i < 0) i += l->count;
    vm_list_insert(th->vm, l, i, a[2]);
    *r = VM_NONE;
    return true;
}

static bool list_pop(VmThread *th, Value *a, int n, ObjTuple *kwnames, Value *r) {
    NO_KW("pop");
    if (!check_list(th, a, n, "pop") || !arg_count(th, "pop", n, 0, 1))
        return false;
    ObjList *l = VM_AS_LIST(a[0]);
    if (l->count == 0)
        return vm_raise(th, th->vm->cls.IndexError, "pop from empty list");
    int64_t i = l->count - 1;
    if (n > 1) {
        int64_t k;
        if (!vm_to_int64(th, a[1], &k)) return false;
        if (k < 0) k += l->count;
        if (k < 0 || k >= l->count)
            return vm_raise(th, th->vm->cls.IndexError, "pop index out of range");
        i = k;
    }
    *r = vm_list_remove_at(l, i);
    return true;
}

static bool list_remove(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                        Value *r) {
    NO_KW("remove");
    if (!check_list(th, a, n, "remove") || !arg_count(th, "list.remove", n, 1, 1))
        return false;
    ObjList *l = VM_AS_LIST(a[0]);
    for (int64_t i = 0; i < l->count; i++) {
        int e = vm_value_is(l->items[i], a[1]) ? 1 : vm_eq(th, l->items[i], a[1]);
        if (e < 0) return false;
        if (e) {
            vm_list_remove_at(l, i);
            *r = VM_NONE;
            return true;
        }
    }
    return vm_raise(th, th->vm->cls.ValueError, "list.remove(x): x not in list");
}

static bool list_index(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                       Value *r) {
    NO_KW("index");
    if (!check_list(th, a, n, "index") || !arg_count(th, "index", n, 1, 3))
        return false;
    return seq_index(th, a, n, "list", r);
}

static bool list_count(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                       Value *r) {
    NO_KW("count");
    if (!check_list(th, a, n, "count") || !arg_count(th, "list.count", n, 1, 1))
        return false;
    return seq_count(th, a[0], a[1], r);
}

static bool list_reverse(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                         Value *r) {
    NO_KW("reverse");
    if (!check_list(th, a, n, "reverse") || !arg_count(th, "list.reverse", n, 0, 0))
        return false;
    ObjList *l = VM_AS_LIST(a[0]);
    for (int64_t i = 0, j = l->count - 1; i < j; i++, j--) {
        Value t = l->items[i];
        l->items[i] = l->items[j];
        l->items[j] = t;
    }
    *r = VM_NONE;
    return true;
}

static bool list_sort_m(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                        Value *r) {
    if (!check_list(th, a, n, "sort")) return false;
    if (n > 1)
        return vm_raise(th, th->vm->cls.TypeError,
                        "sort() takes no positional arguments");
    Value key = VM_UNDEF;
    bool reverse = false;
    for (int64_t i = 0; kwnames && i < kwnames->count; i++) {
        const char *k = VM_AS_STR(kwnames->items[i])->chars;
        if (strcmp(k, "key") == 0) {
            key = a[n + i];
        } else if (strcmp(k, "reverse") == 0) {
            int t = vm_truthy(th, a[n + i]);
            if (t < 0) return false;
            reverse = t;
        } else {
            return vm_raise(th, th->vm->cls.TypeError,
                            "sort() got an unexpected keyword argument '%s'", k);
        }
    }
    *r = VM_NONE;
    return vm_list_sort(th, VM_AS_LIST(a[0]), key, reverse);
}

static bool list_copy(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                      Value *r) {
    NO_KW("copy");
    if (!check_list(th, a, n, "copy") || !arg_count(th, "list.copy", n, 0, 0))
        return false;
    ObjList *l = VM_AS_LIST(a[0]);
    *r = VM_OBJ(vm_list_from(th->vm, l->items, l->count));
    return true;
}

static bool list_clear_m(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                         Value *r) {
    NO_KW("clear");
    if (!check_list(th, a, n, "clear") || !arg_count(th, "list.clear", n, 0, 0))
        return false;
    vm_list_clear(th->vm, VM_AS_LIST(a[0]));
    *r = VM_NONE;
    return true;
}

static bool list_getitem(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                         Value *r) {
    NO_KW("__getitem__");
    if (!check_list(th, a, n, "__getitem__") ||
        !arg_count(th, "__getitem__", n, 1, 1))
        return false;
    return seq_getitem(th, a[0], a[1], "list", r);
}

/* l[slice] = iterable */
static bool list_set_slice(VmThread *th, ObjList *l, ObjSlice *s, Value v) {
    VmShared *vm = th->vm;
    ObjList *src;
    if (!vm_list_from_iterable(th, v, &src)) {
        if (vm_exception_matches(th, vm->cls.TypeError))
            return vm_raise(th, vm->cls.TypeError,
                            "must assign iterable to extended slice");
        return false;
    }
    vm_push_root(th, VM_OBJ(src));
    int64_t start, stop, step, count;
    bool ok = vm_slice_indices(th, s, l->count, &start, &stop, &step, &count);
    if (ok && step == 1) {
        int64_t n = src->count;
        if (stop < start) stop = start;
        int64_t newcount = l->count - (stop - start) + n;
        list_reserve(vm, l, newcount);
        if (newcount > 0) { /* else l may have no items array */
            safe_memmove(l->items + start + n, l->items + stop,
                    sizeof(Value) * (size_t)(l->count - stop));
            safe_memcpy(l->items + start, src->items, sizeof(Value) * (size_t)n);
        }
        l->count = newcount;
    } else if (ok) {
        if (src->count != count) {
            ok = vm_raise(th, vm->cls.ValueError,
                          "attempt to assign sequence of size %lld to extended "
                          "slice of size %lld",
                          (long long)src->count, (long long)count);
        } else {
            for (int64_t i = 0, j = start; i < count; i++, j += step)
                l->items[j] = src->items[i];
        }
    }
    vm_pop_roots(th, 1);
    return ok;
}

static bool list_setitem(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                         Value *r) {
    NO_KW("__setitem__");
    if (!check_list(th, a, n, "__setitem__") ||
        !arg_count(th, "__setitem__", n, 2, 2))
        return false;
    ObjList *l = VM_AS_LIST(a[0]);
    *r = VM_NONE;
    if (vm_is_kind(a[1], OBJ_SLICE))
        return list_set_slice(th, l, (ObjSlice *)VM_AS_OBJ(a[1]), a[2]);
    int64_t i;
    if (!vm_index_normalize(th, a[1], l->count, "list assignment", &i))
        return false;
    l->items[i] = a[2];
    return true;
}

static bool list_delitem(VmThread *th, Value *a, int n, ObjTuple *kwnames,
                         Value *r) {
    NO_KW("__delitem__");
    if (!check_list(th, a, n, "__delitem__") ||
        !arg_count(th, "__delitem__", n, 1, 1))
        return false;
    ObjList *l = VM_AS_LIST(a[0]);
    *r = VM_NONE;
    if (vm_is_kind(a[1], OBJ_SLICE)) {
        int64_t start, stop, step, count;
        if (!vm_slice_indices(th, (ObjSlice *)VM_AS_OBJ(a[1]), l->count, &start,
                              &stop, &step, &count))
            return false;
        if (count <= 0) return true;
        if (step < 0) {
            start = start + step * (count - 1);
            step = -step;
        }
        /* Compact: keep items not in {start, start+step, ...}. */
        int64_t w = start, next_del = start, deleted = 0;
        for (int64_t i = start; i < l->count; i++) {
            if (deleted < count && i == next_del) {
                deleted++;
                next_del += step;
                continue;
            }
            l->items[w++] = l->items[i];
        }
        l->count = w;
        return true;
    }
    int64_t i;
    if (!vm_index_normalize(th, a[1], l->count, "list assignment", &i))
        return false;
    vm_list_remove_at(l, i);
    return true;
}

static bool list_contains(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 2) return arg_count(th, "__contains__", n, 1, 1);
    return seq_contains(th, a[0], a[1], r);
}

static bool list_add(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 2) return arg_count(th, "__add__", n, 1, 1);
    if (!VM_IS_LIST(a[1]))
        return vm_raise(th, th->vm->cls.TypeError,
                        "can only concatenate list (not \"%s\") to list",
                        vm_value_type_name(th->vm, a[1]));
    ObjList *x = VM_AS_LIST(a[0]), *y = VM_AS_LIST(a[1]);
    ObjList *l = vm_list_new(th->vm, x->count + y->count);
    safe_memcpy(l->items, x->items, sizeof(Value) * (size_t)x->count);
    if (y->count) /* else l may have no items array */
        safe_memcpy(l->items + x->count, y->items, sizeof(Value) * (size_t)y->count);
    l->count = x->count + y->count;
    *r = VM_OBJ(l);
    return true;
}

static bool list_iadd(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 2) return arg_count(th, "__iadd__", n, 1, 1);
    if (!vm_list_extend(th, VM_AS_LIST(a[0]), a[1])) return false;
    *r = a[0];
    return true;
}

static bool seq_mul(VmThread *th, Value *a, int n, Value *r) {
    if (n != 2) return arg_count(th, "__mul__", n, 1, 1);
    int64_t len;
    Value *items = seq_items(a[0], &len);
    int64_t k = 0;
    if (!VM_IS_INT(a[1]) && !VM_IS_BOOL(a[1])) {
        *r = th->vm->not_implemented;
        return true;
    }
    if (!repeat_count(th, a[1], len, &k)) return false;
    items = seq_items(a[0], &len);
    Value *dst;
    if (VM_IS_LIST(a[0])) {
        ObjList *l = vm_list_new(th->vm, len * k);
        l->count = len * k;
        dst = l->items;
        *r = VM_OBJ(l);
    } else {
        ObjTuple *t = vm_tuple_new(th->vm, len * k);
        dst = t->items;
        *r = VM_OBJ(t);
    }
    for (int64_t i = 0; i < k && len > 0; i++) /* [] * k may have no array */
        safe_memcpy(dst + i * len, items, sizeof(Value) * (size_t)len);
    return true;
}

static bool list_mul(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    return seq_mul(th, a, n, r);
}

static bool list_imul(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    Value res;
    if (!seq_mul(th, a, n, &res)) return false;
    if (!VM_IS_LIST(res)) {
        *r = res;
        return true;
    }
    ObjList *l = VM_AS_LIST(a[0]), *m = VM_AS_LIST(res);
    list_reserve(th->vm, l, m->count);
    safe_memcpy(l->items, m->items, sizeof(Value) * (size_t)m->count);
    l->count = m->count;
    *r = a[0];
    return true;
}

static bool list_repr(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (!check_list(th, a, n, "__repr__")) return false;
    return seq_repr(th, a[0], "[", "]", r);
}

static bool list_construct(VmThread *th, ObjClass *cls, Value *args, int nargs,
                           ObjTuple *kwnames, Value *result) {
    (void)cls;
    if (kwnames && kwnames->count)
        return vm_raise(th, th->vm->cls.TypeError,
                        "list() takes no keyword arguments");
    if (nargs > 1)
        return vm_raise(th, th->vm->cls.TypeError,
                        "list expected at most 1 argument, got %d", nargs);
    if (nargs == 0) {
        *result = VM_OBJ(vm_list_new(th->vm, 0));
        return true;
    }
    ObjList *l;
    if (!vm_list_from_iterable(th, args[0], &l)) return false;
    *result = VM_OBJ(l);
    return true;
}

/* ---- tuple natives -------------------------------------------------------- */

static bool tuple_getitem(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 2) return arg_count(th, "__getitem__", n, 1, 1);
    return seq_getitem(th, a[0], a[1], "tuple", r);
}

static bool tuple_contains(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 2) return arg_count(th, "__contains__", n, 1, 1);
    return seq_contains(th, a[0], a[1], r);
}

static bool tuple_add(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 2) return arg_count(th, "__add__", n, 1, 1);
    if (!VM_IS_TUPLE(a[1]))
        return vm_raise(th, th->vm->cls.TypeError,
                        "can only concatenate tuple (not \"%s\") to tuple",
                        vm_value_type_name(th->vm, a[1]));
    ObjTuple *x = VM_AS_TUPLE(a[0]), *y = VM_AS_TUPLE(a[1]);
    ObjTuple *t = vm_tuple_new(th->vm, x->count + y->count);
    safe_memcpy(t->items, x->items, sizeof(Value) * (size_t)x->count);
    safe_memcpy(t->items + x->count, y->items, sizeof(Value) * (size_t)y->count);
    *r = VM_OBJ(t);
    return true;
}

static bool tuple_mul(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    return seq_mul(th, a, n, r);
}

static bool tuple_count(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 2) return arg_count(th, "tuple.count", n, 1, 1);
    return seq_count(th, a[0], a[1], r);
}

static bool tuple_index(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (!arg_count(th, "index", n, 1, 3)) return false;
    return seq_index(th, a, n, "tuple", r);
}

static bool tuple_hash(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1) return arg_count(th, "__hash__", n, 0, 0);
    ObjTuple *t = VM_AS_TUPLE(a[0]);
    /* xxHash-style combination, as CPython's tuplehash. */
    uint64_t acc = 2870177450012600261ull;
    for (int64_t i = 0; i < t->count; i++) {
        uint64_t h;
        if (!vm_hash(th, t->items[i], &h)) return false;
        acc += h * 14029467366897019727ull;
        acc = (acc << 31) | (acc >> 33);
        acc *= 11400714785074694791ull;
    }
    acc += (uint64_t)t->count ^ (2870177450012600261ull ^ 3527539ull);
    *r = VM_INT((int64_t)(acc >> 1));
    return true;
}

static bool tuple_repr(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1) return arg_count(th, "__repr__", n, 0, 0);
    return seq_repr(th, a[0], "(", ")", r);
}

static bool tuple_construct(VmThread *th, ObjClass *cls, Value *args, int nargs,
                            ObjTuple *kwnames, Value *result) {
    (void)cls;
    if (kwnames && kwnames->count)
        return vm_raise(th, th->vm->cls.TypeError,
                        "tuple() takes no keyword arguments");
    if (nargs > 1)
        return vm_raise(th, th->vm->cls.TypeError,
                        "tuple expected at most 1 argument, got %d", nargs);
    if (nargs == 0) {
        *result = VM_OBJ(vm_tuple_new(th->vm, 0));
        return true;
    }
    ObjTuple *t;
    if (!vm_tuple_from_iterable(th, args[0], &t)) return false;
    *result = VM_OBJ(t);
    return true;
}

/* ---- range ---------------------------------------------------------------- */

static int64_t range_len(ObjRange *r) {
    if (r->step > 0 && r->start < r->stop)
        return (r->stop - r->start - 1) / r->step + 1;
    if (r->step < 0 && r->start > r->stop)
        return (r->start - r->stop - 1) / (-r->step) + 1;
    return 0;
}

static bool range_len_m(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1) return arg_count(th, "__len__", n, 0, 0);
    *r = VM_INT(range_len(VM_AS_RANGE(a[0])));
    return true;
}

static bool range_getitem(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 2) return arg_count(th, "__getitem__", n, 1, 1);
    ObjRange *rg = VM_AS_RANGE(a[0]);
    int64_t len = range_len(rg);
    if (vm_is_kind(a[1], OBJ_SLICE)) {
        int64_t start, stop, step, count;
        if (!vm_slice_indices(th, (ObjSlice *)VM_AS_OBJ(a[1]), len, &start,
                              &stop, &step, &count))
            return false;
        /* As CPython: the sub-range's bounds map through this range. */
        int64_t st = rg->step * step;
        *r = VM_OBJ(vm_range_new(th->vm, rg->start + start * rg->step,
                                 rg->start + stop * rg->step, st));
        return true;
    }
    int64_t i;
    if (!vm_index_normalize(th, a[1], len, "range object", &i)) return false;
    *r = VM_INT(rg->start + i * rg->step);
    return true;
}

static bool range_contains(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 2) return arg_count(th, "__contains__", n, 1, 1);
    ObjRange *rg = VM_AS_RANGE(a[0]);
    if (VM_IS_INT(a[1]) || VM_IS_BOOL(a[1])) {
        int64_t x = VM_IS_INT(a[1]) ? VM_AS_INT(a[1]) : VM_AS_BOOL(a[1]);
        bool in = rg->step > 0 ? (x >= rg->start && x < rg->stop)
                               : (x <= rg->start && x > rg->stop);
        *r = VM_BOOL(in && (x - rg->start) % rg->step == 0);
        return true;
    }
    int64_t len = range_len(rg);
    for (int64_t i = 0; i < len; i++) {
        int e = vm_eq(th, VM_INT(rg->start + i * rg->step), a[1]);
        if (e < 0) return false;
        if (e) {
            *r = VM_TRUE;
            return true;
        }
    }
    *r = VM_FALSE;
    return true;
}

static int range_iter_next(VmThread *th, ObjIterator *it, Value *out) {
    (void)th;
    int64_t i = it->index;
    if (it->step > 0 ? i < it->end : i > it->end) {
        it->index = i + it->step;
        *out = VM_INT(i);
        return 1;
    }
    return 0;
}

static bool range_iter(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1) return arg_count(th, "__iter__", n, 0, 0);
    ObjRange *rg = VM_AS_RANGE(a[0]);
    ObjIterator *it =
        vm_iterator_new(th->vm, th->vm->cls.iterator, range_iter_next, a[0]);
    it->index = rg->start;
    it->end = rg->stop;
    it->step = rg->step;
    *r = VM_OBJ(it);
    return true;
}

static bool range_reversed(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1) return arg_count(th, "__reversed__", n, 0, 0);
    ObjRange *rg = VM_AS_RANGE(a[0]);
    int64_t len = range_len(rg);
    ObjIterator *it =
        vm_iterator_new(th->vm, th->vm->cls.iterator, range_iter_next, a[0]);
    it->index = rg->start + (len - 1) * rg->step;
    it->step = -rg->step;
    it->end = rg->start - rg->step;
    if (len == 0) it->end = it->index;
    *r = VM_OBJ(it);
    return true;
}

static bool range_eq(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 2) return arg_count(th, "__eq__", n, 1, 1);
    if (!VM_IS_RANGE(a[1])) {
        *r = th->vm->not_implemented;
        return true;
    }
    ObjRange *x = VM_AS_RANGE(a[0]), *y = VM_AS_RANGE(a[1]);
    int64_t lx = range_len(x), ly = range_len(y);
    bool eq = lx == ly && (lx == 0 || (x->start == y->start &&
                                       (lx == 1 || x->step == y->step)));
    *r = VM_BOOL(eq);
    return true;
}

static bool range_repr(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n != 1) return arg_count(th, "__repr__", n, 0, 0);
    ObjRange *rg = VM_AS_RANGE(a[0]);
    if (rg->step == 1)
        *r = VM_OBJ(vm_str_printf(th->vm, "range(%lld, %lld)",
                                  (long long)rg->start, (long long)rg->stop));
    else
        *r = VM_OBJ(vm_str_printf(th->vm, "range(%lld, %lld, %lld)",
                                  (long long)rg->start, (long long)rg->stop,
                                  (long long)rg->step));
    return true;
}

static bool range_arg(VmThread *th, Value v, int64_t *out) {
    if (VM_IS_INT(v) || VM_IS_BOOL(v)) return vm_to_int64(th, v, out);
    return vm_raise(th, th->vm->cls.TypeError,
                    "'%s' object cannot be interpreted as an integer",
                    vm_value_type_name(th->vm, v));
}

static bool range_construct(VmThread *th, ObjClass *cls, Value *args, int nargs,
                            ObjTuple *kwnames, Value *result) {
    (void)cls;
    if (kwnames && kwnames->count)
        return vm_raise(th, th->vm->cls.TypeError,
                        "range() takes no keyword arguments");
    if (nargs < 1 || nargs > 3) {
        if (nargs == 0)
            return vm_raise(th, th->vm->cls.TypeError,
                            "range expected at least 1 argument, got 0");
        return vm_raise(th, th->vm->cls.TypeError,
                        "range expected at most 3 arguments, got %d", nargs);
    }
    int64_t start = 0, stop, step = 1;
    if (nargs == 1) {
        if (!range_arg(th, args[0], &stop)) return false;
    } else {
        if (!range_arg(th, args[0], &start) || !range_arg(th, args[1], &stop))
            return false;
        if (nargs == 3) {
            if (!range_arg(th, args[2], &step)) return false;
            if (step == 0)
                return vm_raise(th, th->vm->cls.ValueError,
                                "range() arg 3 must not be zero");
        }
    }
    *result = VM_OBJ(vm_range_new(th->vm, start, stop, step));
    return true;
}

/* ---- registration --------------------------------------------------------- */

void vm__list_methods_init(VmShared *vm) {
    ObjDict *l = vm->cls.list->dict;
    vm_define_native(vm, l, "append", list_append);
    vm_define_native(vm, l, "extend", list_extend_m);
    vm_define_native(vm, l, "insert", list_insert);
    vm_define_native(vm, l, "pop", list_pop);
    vm_define_native(vm, l, "remove", list_remove);
    vm_define_native(vm, l, "index", list_index);
    vm_define_native(vm, l, "count", list_count);
    vm_define_native(vm, l, "reverse", list_reverse);
    vm_define_native(vm, l, "sort", list_sort_m);
    vm_define_native(vm, l, "copy", list_copy);
    vm_define_native(vm, l, "clear", list_clear_m);
    vm_define_native(vm, l, "__len__", seq_len);
    vm_define_native(vm, l, "__getitem__", list_getitem);
    vm_define_native(vm, l, "__setitem__", list_setitem);
    vm_define_native(vm, l, "__delitem__", list_delitem);
    vm_define_native(vm, l, "__contains__", list_contains);
    vm_define_native(vm, l, "__iter__", seq_iter);
    vm_define_native(vm, l, "__reversed__", seq_reversed);
    vm_define_native(vm, l, "__add__", list_add);
    vm_define_native(vm, l, "__iadd__", list_iadd);
    vm_define_native(vm, l, "__mul__", list_mul);
    vm_define_native(vm, l, "__rmul__", list_mul);
    vm_define_native(vm, l, "__imul__", list_imul);
    vm_define_native(vm, l, "__eq__", list_eq);
    vm_define_native(vm, l, "__ne__", list_ne);
    vm_define_native(vm, l, "__lt__", list_lt);
    vm_define_native(vm, l, "__le__", list_le);
    vm_define_native(vm, l, "__gt__", list_gt);
    vm_define_native(vm, l, "__ge__", list_ge);
    vm_define_native(vm, l, "__repr__", list_repr);
    vm->cls.list->construct = list_construct;

    ObjDict *t = vm->cls.tuple->dict;
    vm_define_native(vm, t, "count", tuple_count);
    vm_define_native(vm, t, "index", tuple_index);
    vm_define_native(vm, t, "__len__", seq_len);
    vm_define_native(vm, t, "__getitem__", tuple_getitem);
    vm_define_native(vm, t, "__contains__", tuple_contains);
    vm_define_native(vm, t, "__iter__", seq_iter);
    vm_define_native(vm, t, "__reversed__", seq_reversed);
    vm_define_native(vm, t, "__add__", tuple_add);
    vm_define_native(vm, t, "__mul__", tuple_mul);
    vm_define_native(vm, t, "__rmul__", tuple_mul);
    vm_define_native(vm, t, "__eq__", tuple_eq);
    vm_define_native(vm, t, "__ne__", tuple_ne);
    vm_define_native(vm, t, "__lt__", tuple_lt);
    vm_define_native(vm, t, "__le__", tuple_le);
    vm_define_native(vm, t, "__gt__", tuple_gt);
    vm_define_native(vm, t, "__ge__", tuple_ge);
    vm_define_native(vm, t, "__hash__", tuple_hash);
    vm_define_native(vm, t, "__repr__", tuple_repr);
    vm->cls.tuple->construct = tuple_construct;

    ObjDict *r = vm->cls.range->dict;
    vm_define_native(vm, r, "__len__", range_len_m);
    vm_define_native(vm, r, "__getitem__", range_getitem);
    vm_define_native(vm, r, "__contains__", range_contains);
    vm_define_native(vm, r, "__iter__", range_iter);
    vm_define_native(vm, r, "__reversed__", range_reversed);
    vm_define_native(vm, r, "__eq__", range_eq);
    vm_define_native(vm, r, "__repr__", range_repr);
    vm->cls.range->construct = range_construct;
}
