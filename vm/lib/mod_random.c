/*
 * vm/lib/mod_random.c - the random module: the Mersenne Twister seeded and used
 * exactly as CPython's _random and Lib/random.py do, so a program that
 * calls random.seed(42) draws the same numbers under gilt and CPython.
 *
 * The generator state belongs to the VM (an opaque object each native
 * points to through its data field), never to the process.  Without an
 * explicit seed it is seeded from --seed when given, else from the clock
 * and the process id.
 */
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "vm/lib/builtins.h"
#include "vm/object/dict.h"
#include "vm/object/list.h"
#include "vm/runtime/memory.h"
#include "vm/object/ops.h"
#include "vm/object/str.h"

#define MT_N 624
#define MT_M 397

typedef struct {
    uint32_t mt[MT_N];
    int index;
    bool has_gauss;
    double gauss_next;
    /* Under --gil none threads draw in parallel: each draw, each seeding
     * and the gauss pair take `lock` (a host mutex: nothing inside blocks
     * or calls back into Python).  With a GIL the lock is the GIL. */
    bool concurrent;
    pthread_mutex_t lock;
} MtState;

static void state_lock(MtState *s) {
    if (s->concurrent) pthread_mutex_lock(&s->lock);
}
static void state_unlock(MtState *s) {
    if (s->concurrent) pthread_mutex_unlock(&s->lock);
}

static void init_genrand(MtState *s, uint32_t seed) {
    s->mt[0] = seed;
    for (int i = 1; i < MT_N; i++)
        s->mt[i] = 1812433253u * (s->mt[i - 1] ^ (s->mt[i - 1] >> 30)) + (uint32_t)i;
    s->index = MT_N;
}

static void init_by_array(MtState *s, const uint32_t *key, size_t len) {
    init_genrand(s, 19650218u);
    size_t i = 1, j = 0;
    size_t k = MT_N > len ? MT_N : len;
    for (; k; k--) {
        s->mt[i] = (s->mt[i] ^ ((s->mt[i - 1] ^ (s->mt[i - 1] >> 30)) * 1664525u)) +
                   key[j] + (uint32_t)j;
        i++;
        j++;
        if (i >= MT_N) {
            s->mt[0] = s->mt[MT_N - 1];
            i = 1;
        }
        if (j >= len) j = 0;
    }
    for (k = MT_N - 1; k; k--) {
        s->mt[i] = (s->mt[i] ^ ((s->mt[i - 1] ^ (s->mt[i - 1] >> 30)) * 1566083941u)) -
                   (uint32_t)i;
        i++;
        if (i >= MT_N) {
            s->mt[0] = s->mt[MT_N - 1];
            i = 1;
        }
    }
    s->mt[0] = 0x80000000u;
    s->has_gauss = false;
}

static uint32_t genrand(MtState *s) {
    static const uint32_t mag01[2] = {0, 0x9908b0dfu};
    state_lock(s);
    if (s->index >= MT_N) {
        int kk;
        uint32_t y;
        for (kk = 0; kk < MT_N - MT_M; kk++) {
            y = (s->mt[kk] & 0x80000000u) | (s->mt[kk + 1] & 0x7fffffffu);
            s->mt[kk] = s->mt[kk + MT_M] ^ (y >> 1) ^ mag01[y & 1];
        }
        for (; kk < MT_N - 1; kk++) {
            y = (s->mt[kk] & 0x80000000u) | (s->mt[kk + 1] & 0x7fffffffu);
            s->mt[kk] = s->mt[kk + (MT_M - MT_N)] ^ (y >> 1) ^ mag01[y & 1];
        }
        y = (s->mt[MT_N - 1] & 0x80000000u) | (s->mt[0] & 0x7fffffffu);
        s->mt[MT_N - 1] = s->mt[MT_M - 1] ^ (y >> 1) ^ mag01[y & 1];
        s->index = 0;
    }
    uint32_t y = s->mt[s->index++];
    y ^= (y >> 11);
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= (y >> 18);
    state_unlock(s);
    return y;
}

static double random_double(MtState *s) {
    uint32_t a = genrand(s) >> 5, b = genrand(s) >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

static uint64_t getrandbits(MtState *s, int k) {
    if (k <= 32) return genrand(s) >> (32 - k);
    uint64_t lo = genrand(s);
    uint64_t hi = genrand(s) >> (64 - k);
    return lo | (hi << 32);
}

static int bit_length(uint64_t n) {
    int k = 0;
    while (n) {
        k++;
        n >>= 1;
    }
    return k;
}

static uint64_t randbelow(MtState *s, uint64_t n) {
    int k = bit_length(n);
    uint64_t r = getrandbits(s, k);
    while (r >= n) r = getrandbits(s, k);
    return r;
}

static void seed_int(MtState *s, int64_t a) {
    uint64_t v = a < 0 ? (uint64_t)0 - (uint64_t)a : (uint64_t)a;
    uint32_t key[2];
    size_t len = 0;
    if (v == 0) key[len++] = 0;
    while (v) {
        key[len++] = (uint32_t)v;
        v >>= 32;
    }
    state_lock(s);
    init_by_array(s, key, len);
    state_unlock(s);
}

static MtState *state_of(VmThread *th, Value *a, int n) {
    (void)a;
    (void)n;
    /* The native being called is not passed in; natives find the state
     * through the module, which vm_import keeps in vm->modules. */
    ObjModule *m;
    if (!vm_module_lookup(th->vm, "random", &m)) return NULL;
    Value st;
    if (!vm_module_get(m, vm_str_intern_cstr(th->vm, "_state"), &st))
        return NULL;
    return (MtState *)((ObjOpaque *)VM_AS_OBJ(st))->data;
}

#define GET_STATE()                                                           \
    MtState *s = state_of(th, a, n);                                          \
    if (!s) return vm_raise(th, th->vm->cls.RuntimeError, "random state missing")

/* An unseeded run's seed: the time and the process, as CPython's
 * os.urandom-less fallback (a seeded or virtual run never gets here). */
static uint64_t host_seed(VmShared *vm) {
    return vm_platform_realtime_ns(&vm->platform) ^
           ((uint64_t)vm->platform.ops->getpid(vm->platform.ctx) << 32);
}

static bool r_seed(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    GET_STATE();
    if (n == 0 || VM_IS_NONE(a[0])) {
        uint64_t x = th->vm->options.seed_set
                         ? th->vm->options.seed
                         : host_seed(th->vm);
        seed_int(s, (int64_t)(x & INT64_MAX));
    } else if (VM_IS_INT(a[0]) || VM_IS_BOOL(a[0])) {
        int64_t v;
        vm_to_int64(th, a[0], &v);
        seed_int(s, v);
    } else if (VM_IS_FLOAT(a[0])) {
        uint64_t h;
        if (!vm_hash(th, a[0], &h)) return false;
        seed_int(s, (int64_t)(h & INT64_MAX));
    } else {
        uint64_t h;
        if (!vm_hash(th, a[0], &h)) return false;
        seed_int(s, (int64_t)(h & INT64_MAX));
    }
    *r = VM_NONE;
    return true;
}

static bool r_random(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    GET_STATE();
    *r = VM_FLOAT(random_double(s));
    return true;
}

static bool r_getrandbits(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    GET_STATE();
    int64_t k;
    if (n != 1 || !vm_to_int64(th, a[0], &k)) {
        if (n != 1) return vm_raise(th, th->vm->cls.TypeError, "getrandbits() takes exactly one argument");
        return false;
    }
    if (k < 0) return vm_raise(th, th->vm->cls.ValueError, "number of bits must be non-negative");
    if (k > 63) return vm_raise(th, th->vm->cls.OverflowError, "gilt ints are 64-bit: getrandbits(k) needs k <= 63");
    *r = VM_INT(k == 0 ? 0 : (int64_t)getrandbits(s, (int)k));
    return true;
}

static bool randrange_impl(VmThread *th, MtState *s, int64_t start, bool has_stop,
                           int64_t stop, int64_t step, Value *r) {
    if (!has_stop) {
        if (start > 0) {
            *r = VM_INT((int64_t)randbelow(s, (uint64_t)start));
            return true;
        }
        return vm_raise(th, th->vm->cls.ValueError, "empty range for randrange()");
    }
    int64_t width = stop - start;
    if (step == 1) {
        if (width > 0) {
            *r = VM_INT(start + (int64_t)randbelow(s, (uint64_t)width));
            return true;
        }
        return vm_raise(th, th->vm->cls.ValueError,
                        "empty range for randrange() (%lld, %lld, %lld)",
                        (long long)start, (long long)stop, (long long)width);
    }
    if (step == 0) return vm_raise(th, th->vm->cls.ValueError, "zero step for randrange()");
    int64_t cnt;
    if (step > 0) cnt = (width + step - 1) / step;
    else cnt = (width + step + 1) / step;
    /* Python floor division for negative values. */
    if (step > 0 && (width + step - 1) % step != 0 && (width + step - 1) < 0) cnt--;
    if (step < 0 && (width + step + 1) % step != 0 && ((width + step + 1) < 0) != (step < 0)) cnt--;
    if (cnt <= 0) return vm_raise(th, th->vm->cls.ValueError, "empty range for randrange()");
    *r = VM_INT(start + step * (int64_t)randbelow(s, (uint64_t)cnt));
    return true;
}

static bool r_randrange(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    static const char *const names[] = {"start", "stop", "step", NULL};
    Value v[3];
    if (!vm_parse_args(th, "randrange", a, n, kw, names, 1, 3, v)) return false;
    GET_STATE();
    int64_t start, stop = 0, step = 1;
    if (!vm_to_int64(th, v[0], &start)) return false;
    bool has_stop = !VM_IS_UNDEF(v[1]) && !VM_IS_NONE(v[1]);
    if (has_stop && !vm_to_int64(th, v[1], &stop)) return false;
    if (!VM_IS_UNDEF(v[2]) && !vm_to_int64(th, v[2], &step)) return false;
    return randrange_impl(th, s, start, has_stop, stop, step, r);
}

static bool r_randint(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    GET_STATE();
    if (n != 2) return vm_raise(th, th->vm->cls.TypeError, "randint() takes exactly 2 positional arguments (%d given)", n);
    int64_t lo, hi;
    if (!vm_to_int64(th, a[0], &lo) || !vm_to_int64(th, a[1], &hi)) return false;
    return randrange_impl(th, s, lo, true, hi + 1, 1, r);
}

static bool r_choice(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    GET_STATE();
    if (n != 1) return vm_raise(th, th->vm->cls.TypeError, "choice() takes exactly one argument");
    int64_t len;
    if (!vm_len(th, a[0], &len)) return false;
    if (len == 0) return vm_raise(th, th->vm->cls.IndexError, "Cannot choose from an empty sequence");
    return vm_getitem(th, a[0], VM_INT((int64_t)randbelow(s, (uint64_t)len)), r);
}

static bool r_shuffle(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    GET_STATE();
    if (n != 1 || !VM_IS_LIST(a[0]))
        return vm_raise(th, th->vm->cls.TypeError, "shuffle() takes a list");
    ObjList *l = VM_AS_LIST(a[0]);
    for (int64_t i = l->count - 1; i > 0; i--) {
        int64_t j = (int64_t)randbelow(s, (uint64_t)i + 1);
        Value t = l->items[i];
        l->items[i] = l->items[j];
        l->items[j] = t;
    }
    *r = VM_NONE;
    return true;
}

static bool r_uniform(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    GET_STATE();
    double lo, hi;
    if (n != 2) return vm_raise(th, th->vm->cls.TypeError, "uniform() takes exactly 2 arguments");
    if (!vm_to_double(th, a[0], &lo) || !vm_to_double(th, a[1], &hi)) return false;
    *r = VM_FLOAT(lo + (hi - lo) * random_double(s));
    return true;
}

static bool r_gauss(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    static const char *const names[] = {"mu", "sigma", NULL};
    Value v[2];
    if (!vm_parse_args(th, "gauss", a, n, kw, names, 0, 2, v)) return false;
    GET_STATE();
    double mu = 0.0, sigma = 1.0;
    if (!VM_IS_UNDEF(v[0]) && !vm_to_double(th, v[0], &mu)) return false;
    if (!VM_IS_UNDEF(v[1]) && !vm_to_double(th, v[1], &sigma)) return false;
    /* The pair's second half is state: taken, or drawn and stored, in one
     * step (the draws lock on their own, so not under the lock). */
    double z;
    state_lock(s);
    bool cached = s->has_gauss;
    z = s->gauss_next;
    s->has_gauss = false;
    state_unlock(s);
    if (!cached) {
        double x2pi = random_double(s) * 2 * M_PI;
        double g2rad = sqrt(-2.0 * log(1.0 - random_double(s)));
        z = cos(x2pi) * g2rad;
        state_lock(s);
        s->gauss_next = sin(x2pi) * g2rad;
        s->has_gauss = true;
        state_unlock(s);
    }
    *r = VM_FLOAT(mu + z * sigma);
    return true;
}

static bool r_sample(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    static const char *const names[] = {"population", "k", NULL};
    Value v[2];
    if (!vm_parse_args(th, "sample", a, n, kw, names, 2, 2, v)) return false;
    GET_STATE();
    ObjList *pool;
    if (!vm_list_from_iterable(th, v[0], &pool)) return false;
    vm_push_root(th, VM_OBJ(pool));
    int64_t k, len = pool->count;
    if (!vm_to_int64(th, v[1], &k)) {
        vm_pop_roots(th, 1);
        return false;
    }
    if (k < 0 || k > len) {
        vm_pop_roots(th, 1);
        return vm_raise(th, th->vm->cls.ValueError, "Sample larger than population or is negative");
    }
    ObjList *result = vm_list_new(th->vm, k);
    result->count = k;
    int64_t setsize = 21;
    if (k > 5) setsize += (int64_t)pow(4.0, ceil(log((double)k * 3) / log(4.0)));
    if (len <= setsize) {
        for (int64_t i = 0; i < k; i++) {
            int64_t j = (int64_t)randbelow(s, (uint64_t)(len - i));
            result->items[i] = pool->items[j];
            pool->items[j] = pool->items[len - i - 1];
        }
    } else {
        uint8_t *selected = (uint8_t *)vm_realloc(NULL, NULL, 0, (size_t)len);
        memset(selected, 0, (size_t)len);
        for (int64_t i = 0; i < k; i++) {
            int64_t j = (int64_t)randbelow(s, (uint64_t)len);
            while (selected[j]) j = (int64_t)randbelow(s, (uint64_t)len);
            selected[j] = 1;
            result->items[i] = pool->items[j];
        }
        vm_realloc(NULL, selected, (size_t)len, 0);
    }
    vm_pop_roots(th, 1);
    *r = VM_OBJ(result);
    return true;
}

static void state_finalize(VmShared *vm, ObjOpaque *self) {
    (void)vm;
    pthread_mutex_destroy(&((MtState *)self->data)->lock);
    vm_realloc(NULL, self->data, sizeof(MtState), 0);
    self->data = NULL;
}

ObjModule *vm__mod_random_init(VmShared *vm) {
    ObjModule *m = vm_module_new(vm, "random");
    MtState *s = (MtState *)vm_realloc(NULL, NULL, 0, sizeof(MtState));
    memset(s, 0, sizeof *s);
    s->concurrent = vm->heap.concurrent;
    pthread_mutex_init(&s->lock, NULL);
    uint64_t x = vm->options.seed_set ? vm->options.seed
                                      : host_seed(vm);
    seed_int(s, (int64_t)(x & INT64_MAX));
    ObjClass *cls = vm_class_new_builtin(vm, "_MtState", vm->cls.object, "random");
    ObjOpaque *op = vm_opaque_new(vm, cls, s);
    op->finalize = state_finalize;
    vm_module_set(vm, m, "_state", VM_OBJ(op));
    static const struct {
        const char *name;
        VmNativeFn fn;
    } fns[] = {
        {"seed", r_seed}, {"random", r_random}, {"getrandbits", r_getrandbits},
        {"randrange", r_randrange}, {"randint", r_randint}, {"choice", r_choice},
        {"shuffle", r_shuffle}, {"uniform", r_uniform}, {"gauss", r_gauss},
        {"sample", r_sample},
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        vm_module_set(vm, m, fns[i].name, VM_OBJ(vm_native_new(vm, fns[i].name, fns[i].fn)));
    return m;
}
