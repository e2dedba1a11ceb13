/*
 * vm/object/object.h - the heap objects of the VM: their layouts and constructors.
 *
 * Every heap object starts with an Obj header: its class (what type(x)
 * returns), its kind (which C struct it is), a mark bit for the collector and
 * a link in the heap's list of all objects (clox's `objects` list).  Built-in
 * types are ObjClass objects too (int, str, list, ...), so attribute lookup,
 * isinstance and type() work the same way for built-in and user classes.
 *
 * Invariants the whole VM relies on:
 *  - Objects are only allocated by the thread holding the GIL.
 *  - The collector runs only at safe points of the interpreter loop (see
 *    vm/runtime/gc.h), never inside an allocation.  So C code may hold unrooted
 *    objects in locals as long as it does not call back into Python (vm_call
 *    and friends); across such a call it must root them with vm_push_root().
 *  - Strings are immutable UTF-8 with a cached hash; identifiers are interned,
 *    so attribute and global lookups compare pointers first.
 */
#ifndef GILT_VM_OBJECT_OBJECT_H
#define GILT_VM_OBJECT_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/object/value.h"

struct VmShared;
struct VmThread;
typedef struct VmShared VmShared;
typedef struct VmThread VmThread;

typedef enum {
    OBJ_STR,
    OBJ_TUPLE,
    OBJ_LIST,
    OBJ_DICT,
    OBJ_CODE,
    OBJ_FUNCTION,
    OBJ_CELL,
    OBJ_CLASS,
    OBJ_INSTANCE,
    OBJ_EXCEPTION,
    OBJ_BOUND_METHOD,
    OBJ_NATIVE,
    OBJ_MODULE,
    OBJ_RANGE,
    OBJ_SLICE,
    OBJ_ITERATOR,
    OBJ_GENERATOR,
    OBJ_PROPERTY,   /* property / staticmethod / classmethod wrappers */
    OBJ_OPAQUE,     /* C data owned by a native module (locks, histograms) */
    OBJ_BIGINT,     /* an int beyond int64 (vm/object/bigint.h) */
    OBJ_KIND_COUNT
} ObjKind;

typedef struct ObjClass ObjClass;

struct Obj {
    ObjClass *cls;   /* type(x); never NULL once constructed */
    Obj *next;       /* heap's list of all objects, for the sweep */
    uint8_t kind;    /* an ObjKind */
    uint8_t marked;  /* GC mark bit */
};

/* ---- strings ---------------------------------------------------------- */

typedef struct {
    Obj obj;
    int64_t length;   /* bytes, excluding the trailing NUL */
    int64_t nchars;   /* code points */
    uint64_t hash;    /* 0 until computed (vm_str_hash never gives 0) */
    bool ascii;       /* every byte < 0x80: indexing is O(1) */
    bool interned;
    char chars[];     /* UTF-8, NUL-terminated */
} ObjStr;

/* ---- tuples and lists ------------------------------------------------- */

typedef struct {
    Obj obj;
    int64_t count;
    Value items[];
} ObjTuple;

typedef struct {
    Obj obj;
    int64_t count;
    int64_t capacity;
    Value *items;
} ObjList;

/* ---- dicts: insertion-ordered, CPython 3.6+ compact layout ------------ */

typedef struct {
    Value key;       /* VAL_UNDEF marks a deleted entry */
    Value value;
    uint64_t hash;
} DictEntry;

typedef struct {
    Obj obj;
    int64_t count;        /* live entries */
    int64_t used;         /* entries[] slots used, live or deleted */
    int64_t capacity;     /* entries[] allocated */
    int64_t index_size;   /* power of two, 0 when empty */
    int32_t *index;       /* -1 empty, -2 deleted, else entry number */
    DictEntry *entries;
} ObjDict;

/* ---- code, functions, closures ---------------------------------------- */

/* Zero-cost exception handling: when an instruction in [start, end) raises,
 * the operand stack is cut back to `depth` values, the exception is pushed
 * and execution continues at `handler`.  Entries are innermost first. */
typedef struct {
    uint32_t start, end, handler;
    uint32_t depth;
} ExcTableEntry;

enum {
    CODE_VARARGS = 1 << 0,    /* has *args: slot nargs+nkwonly */
    CODE_VARKW = 1 << 1,      /* has **kwargs: the slot after *args */
    CODE_GENERATOR = 1 << 2,  /* body contains yield */
    CODE_CLASS_BODY = 1 << 3, /* names go through the namespace dict */
    CODE_MODULE = 1 << 4,     /* top level of a file */
};

typedef struct {
    Obj obj;
    uint32_t *code;           /* instruction words, see vm/bytecode/opcodes.h */
    int32_t count;
    int32_t *lines;           /* source line of each instruction */
    int32_t *cols;            /* source column (1-based) of each instruction */
    ValueArray consts;        /* constants: None/bool/int/float/str/tuple/code */
    ObjTuple *names;          /* attribute / NAME names (ObjStr, interned) */
    ObjTuple *globals;        /* module-global names of the whole file; the
                                 arg of LOAD_GLOBAL indexes this tuple, and the
                                 module keeps a slot per entry (see ObjModule)
                                 - shared by every code object of one file */
    ObjTuple *varnames;       /* names of all local slots, parameters first,
                                 then other locals and cells, then freevars */
    int32_t nargs;            /* positional parameters */
    int32_t nkwonly;          /* keyword-only parameters, after positionals */
    int32_t nlocals;          /* total local slots, including freevars */
    int32_t nfree;            /* last nfree slots are filled from the closure */
    int32_t max_stack;        /* operand stack depth the body needs */
    uint32_t flags;           /* CODE_* */
    ExcTableEntry *exc_table;
    int32_t exc_count;
    ObjStr *name;             /* "f", "<module>", "<lambda>", "<genexpr>" */
    ObjStr *qualname;         /* "C.f" */
    ObjStr *filename;
    int32_t firstline;
} ObjCode;

typedef struct {
    Obj obj;
    Value value;              /* VAL_UNDEF when the variable is unbound */
} ObjCell;

struct ObjModule;

typedef struct {
    Obj obj;
    ObjCode *code;
    struct ObjModule *module; /* where its globals live */
    ObjTuple *defaults;       /* for the last len(defaults) positionals, or NULL */
    ObjDict *kwdefaults;      /* keyword-only defaults, or NULL */
    ObjTuple *closure;        /* ObjCell per freevar, or NULL */
    ObjClass *owner;          /* class whose body defined it (zero-arg super) */
    ObjStr *name;
    ObjStr *qualname;
    ObjDict *dict;            /* function attributes, lazily created */
} ObjFunction;

/* ---- classes and instances -------------------------------------------- */

struct ObjClass {
    Obj obj;
    ObjStr *name;
    ObjStr *qualname;
    ObjClass *base;           /* single inheritance; NULL only for object */
    ObjDict *dict;            /* methods and class attributes */
    uint8_t instance_kind;    /* ObjKind of its instances (OBJ_INSTANCE,
                                 OBJ_EXCEPTION, ...), inherited from the base */
    bool builtin;             /* defined in C; cannot be modified */
    bool subclassable;
    ObjStr *module_name;      /* "builtins", "__main__", "threading" ... */
    /* Called by type(...) to make a new instance for built-in types that
     * have no __init__ protocol (int("3"), str(x), list(it)); NULL means the
     * generic object protocol: allocate instance_kind, then call __init__. */
    bool (*construct)(VmThread *th, ObjClass *cls, Value *args, int nargs,
                      ObjTuple *kwnames, Value *result);
};

typedef struct {
    Obj obj;
    ObjDict *dict;            /* instance attributes */
} ObjInstance;

/* One line of a traceback: which code was running, at which instruction. */
typedef struct {
    ObjCode *code;
    int32_t line;
    uint64_t frame_serial;    /* which activation: one entry per frame */
} TraceEntry;

typedef struct {
    Obj obj;
    ObjDict *dict;            /* attributes (user exception classes add some) */
    ObjTuple *args;           /* e.args */
    TraceEntry *trace;        /* innermost frame first */
    int32_t trace_count;
    int32_t trace_capacity;
} ObjException;

typedef struct {
    Obj obj;
    Value self;
    Value callable;           /* a function or a native */
} ObjBoundMethod;

/* A function written in C.  args holds nargs positional arguments followed by
 * one value per name in kwnames (NULL when there are no keyword arguments),
 * the vectorcall convention of CPython.  A native returns true and sets
 * *result, or raises (vm_raise) and returns false.  Methods of built-in types
 * are natives whose args[0] is self. */
typedef bool (*VmNativeFn)(VmThread *th, Value *args, int nargs,
                           ObjTuple *kwnames, Value *result);

typedef struct {
    Obj obj;
    VmNativeFn fn;
    ObjStr *name;
    Value data;               /* per-native data for the C code (or UNDEF) */
    void *cdata;              /* raw C pointer, not traced */
} ObjNative;

typedef struct ObjModule {
    Obj obj;
    ObjStr *name;
    ObjDict *slot_of;         /* name -> int slot index into values */
    ValueArray values;        /* VAL_UNDEF: name not (yet) bound */
    ValueArray names;         /* names[i] is the ObjStr name of values[i] */
} ObjModule;

typedef struct {
    Obj obj;
    int64_t start, stop, step;
} ObjRange;

typedef struct {
    Obj obj;
    Value start, stop, step;  /* None when omitted */
} ObjSlice;

/* Iterators over built-in sequences, and small C-driven iterators
 * (enumerate, zip, reversed, dict views).  `next` returns 1 and sets *out,
 * 0 when exhausted, -1 on error. */
typedef struct ObjIterator ObjIterator;
typedef int (*VmIterNextFn)(VmThread *th, ObjIterator *it, Value *out);
struct ObjIterator {
    Obj obj;
    VmIterNextFn next;
    Value source;             /* the container or inner iterator(s) */
    Value extra;              /* a second traced value (zip's tuple, ...) */
    int64_t index;
    int64_t end;
    int64_t step;
};

typedef enum { GEN_CREATED, GEN_SUSPENDED, GEN_RUNNING, GEN_CLOSED } GenState;

typedef struct {
    Obj obj;
    ObjFunction *func;
    GenState state;
    Value *saved;             /* slots + operand stack, copied out on yield */
    int32_t saved_count;
    int32_t saved_capacity;
    uint32_t resume_pc;       /* instruction index to resume at */
    ObjStr *name;
    Value return_value;       /* what `return x` gave (StopIteration.value) */
} ObjGenerator;

typedef enum { PROP_PROPERTY, PROP_STATICMETHOD, PROP_CLASSMETHOD } PropKind;

typedef struct {
    Obj obj;
    PropKind prop_kind;
    Value get;                /* fget / the wrapped function */
    Value set;                /* fset or UNDEF */
} ObjProperty;

/* C data with a finaliser, for native modules (locks, queues, histograms).
 * `trace` marks any Values the data holds; both callbacks may be NULL. */
typedef struct ObjOpaque ObjOpaque;
struct ObjOpaque {
    Obj obj;
    void *data;
    void (*trace)(VmShared *vm, ObjOpaque *self);
    void (*finalize)(VmShared *vm, ObjOpaque *self);
    ObjDict *dict;            /* Python-visible attributes, or NULL */
};

/* ---- casts and checks ------------------------------------------------- */

#define VM_OBJ_KIND(v) (VM_AS_OBJ(v)->kind)
static inline bool vm_is_kind(Value v, ObjKind k) {
    return v.type == VAL_OBJ && v.as.o->kind == (uint8_t)k;
}
#define VM_IS_STR(v) vm_is_kind((v), OBJ_STR)
#define VM_IS_TUPLE(v) vm_is_kind((v), OBJ_TUPLE)
#define VM_IS_LIST(v) vm_is_kind((v), OBJ_LIST)
#define VM_IS_DICT(v) vm_is_kind((v), OBJ_DICT)
#define VM_IS_CODE(v) vm_is_kind((v), OBJ_CODE)
#define VM_IS_FUNCTION(v) vm_is_kind((v), OBJ_FUNCTION)
#define VM_IS_CLASS(v) vm_is_kind((v), OBJ_CLASS)
#define VM_IS_INSTANCE(v) vm_is_kind((v), OBJ_INSTANCE)
#define VM_IS_EXCEPTION(v) vm_is_kind((v), OBJ_EXCEPTION)
#define VM_IS_NATIVE(v) vm_is_kind((v), OBJ_NATIVE)
#define VM_IS_RANGE(v) vm_is_kind((v), OBJ_RANGE)

#define VM_AS_STR(v) ((ObjStr *)VM_AS_OBJ(v))
#define VM_AS_TUPLE(v) ((ObjTuple *)VM_AS_OBJ(v))
#define VM_AS_LIST(v) ((ObjList *)VM_AS_OBJ(v))
#define VM_AS_DICT(v) ((ObjDict *)VM_AS_OBJ(v))
#define VM_AS_CODE(v) ((ObjCode *)VM_AS_OBJ(v))
#define VM_AS_FUNCTION(v) ((ObjFunction *)VM_AS_OBJ(v))
#define VM_AS_CLASS(v) ((ObjClass *)VM_AS_OBJ(v))
#define VM_AS_INSTANCE(v) ((ObjInstance *)VM_AS_OBJ(v))
#define VM_AS_EXCEPTION(v) ((ObjException *)VM_AS_OBJ(v))
#define VM_AS_NATIVE(v) ((ObjNative *)VM_AS_OBJ(v))
#define VM_AS_RANGE(v) ((ObjRange *)VM_AS_OBJ(v))
#define VM_AS_CSTRING(v) (VM_AS_STR(v)->chars)

/* ---- allocation (vm/object/object.c) ----------------------------------------- */

/* Allocate `size` bytes as an object of `kind` and class `cls`, zeroed apart
 * from the header, and link it into the heap.  Never collects. */
Obj *vm_obj_alloc(VmShared *vm, size_t size, ObjKind kind, ObjClass *cls);
/* Free one object and everything it owns (used by the sweep). */
void vm_obj_free(VmShared *vm, Obj *o);

/* The class of any value: type(v). */
ObjClass *vm_value_class(VmShared *vm, Value v);
/* Its name, for messages: "int", "NoneType", "MyClass". */
const char *vm_value_type_name(VmShared *vm, Value v);

/* Constructors of the simple kinds (each in the module that owns the kind). */
ObjCode *vm_code_new(VmShared *vm);
ObjCell *vm_cell_new(VmShared *vm, Value v);
ObjFunction *vm_function_new(VmShared *vm, ObjCode *code, struct ObjModule *m);
ObjNative *vm_native_new(VmShared *vm, const char *name, VmNativeFn fn);
ObjBoundMethod *vm_bound_method_new(VmShared *vm, Value self, Value callable);
ObjRange *vm_range_new(VmShared *vm, int64_t start, int64_t stop, int64_t step);
ObjSlice *vm_slice_new(VmShared *vm, Value start, Value stop, Value step);
ObjIterator *vm_iterator_new(VmShared *vm, ObjClass *cls, VmIterNextFn next,
                             Value source);
ObjOpaque *vm_opaque_new(VmShared *vm, ObjClass *cls, void *data);
ObjInstance *vm_instance_new(VmShared *vm, ObjClass *cls);

#endif /* GILT_VM_OBJECT_OBJECT_H */
