/*
 * vm/runtime/vm.h - interpreter state: what is shared by all threads of one program
 * (VmShared: heap, modules, built-in classes, the lock) and what each thread
 * owns (VmThread: value stack, call frames, pending exception), plus the
 * entry points to run code, call values and raise exceptions.
 *
 * There is no global VM (CONVENTIONS.md item 7): every function takes the
 * VmShared or the VmThread it works on, as lua_State / global_State do.
 * A VmThread points at its VmShared through th->vm.
 */
#ifndef GILT_VM_RUNTIME_VM_H
#define GILT_VM_RUNTIME_VM_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>

#include "vm/object/object.h"
#include "vm/object/value.h"
#include "vm/platform/platform.h"
#include "vm/runtime/vm_config.h"

struct GilOps;

typedef enum {
    VM_OK = 0,
    VM_COMPILE_ERROR,
    VM_RUNTIME_ERROR,
} VmResult;

/* Bits of the eval-breaker word, polled at back edges and calls. */
enum {
    VM_BREAK_GIL_DROP = 1u << 0,   /* another thread asks for the GIL */
    VM_BREAK_GC = 1u << 1,         /* the heap crossed its threshold */
    VM_BREAK_SIGNAL = 1u << 2,     /* SIGINT arrived: KeyboardInterrupt */
    VM_BREAK_MEMORY = 1u << 3,     /* live heap over --max-heap */
    VM_BREAK_ASYNC_EXC = 1u << 4,  /* reserved: exception set by another thread */
};

/* The built-in classes, reachable without a lookup. */
typedef struct {
    ObjClass *object, *type, *none_type, *bool_, *int_, *float_, *str,
        *tuple, *list, *dict, *range, *slice, *function, *native, *method,
        *cell, *code, *module, *generator, *iterator, *property,
        *staticmethod, *classmethod, *super_, *dict_keys, *dict_values,
        *dict_items, *not_implemented_type;
    /* exceptions */
    ObjClass *BaseException, *Exception, *SystemExit, *KeyboardInterrupt,
        *GeneratorExit, *StopIteration, *ArithmeticError, *ZeroDivisionError,
        *OverflowError, *AssertionError, *AttributeError, *LookupError,
        *IndexError, *KeyError, *NameError, *UnboundLocalError, *TypeError,
        *ValueError, *RuntimeError, *RecursionError, *NotImplementedError,
        *MemoryError, *ImportError, *ModuleNotFoundError, *OSError,
        *TimeoutError, *UnicodeError, *SyntaxError;
} VmClasses;

/* Interned strings the VM looks up often. */
typedef struct {
    ObjStr *init, *new_, *repr, *str, *eq, *ne, *lt, *le, *gt, *ge, *hash,
        *len, *iter, *next, *getitem, *setitem, *delitem, *contains, *call,
        *enter, *exit, *bool_, *add, *sub, *mul, *truediv, *floordiv, *mod,
        *pow, *neg, *name, *qualname, *module, *main, *doc, *class_, *dict,
        *args, *builtins, *format, *getattr, *setattr;
} VmNames;

typedef struct VmHeap {
    size_t bytes_allocated;   /* live + garbage since the last collection */
    size_t next_gc;           /* collect when bytes_allocated crosses this */
    size_t max_heap;          /* MemoryError above this after a collection */
    size_t live_after_gc;     /* bytes surviving the last collection */
    uint64_t collections;
    Obj *objects;             /* every heap object */
    Obj **gray;               /* mark stack */
    int64_t gray_count, gray_capacity;
    /* Eval breaker of the thread that is allocating (the GIL holder); the
     * funnel sets VM_BREAK_GC there when the threshold is crossed.  Under
     * --gil none it stays on the main thread (see begin_hold). */
    _Atomic uint32_t *alloc_breaker;
    /* Under --gil none several threads allocate at once: then `concurrent`
     * is set, byte counts are updated atomically, linking a new object,
     * interning and the module table (vm->modules) take `lock`, and no
     * collection runs while more than one thread is alive (the collector
     * needs the world stopped). */
    bool concurrent;
    pthread_mutex_t lock;
    /* Allocations (growing calls of the funnel): the cost model charges
     * each one alloc_ps of CPU to the running thread through the platform
     * (zero in real mode), and gilt calibrate counts them. */
    uint64_t allocations;
    uint32_t alloc_ps;
    VmPlatform platform;
} VmHeap;

/* Options that change how a program runs (set from the command line). */
typedef struct {
    bool trace_exec;          /* --trace-exec: print each instruction */
    bool trace_exec_all;      /* --trace-exec=all: also those of the
                                 built-in Python modules ("<gilt:...>") */
    size_t max_heap;          /* --max-heap bytes */
    int recursion_limit;
    const char *gil_name;     /* --gil */
    double switch_interval;   /* seconds, sys.setswitchinterval */
    bool switch_interval_set; /* given explicitly (else fifo and bfs use
                                 their own default quantum) */
    int check_interval;       /* legacy policy: ticks */
    bool force_switching;
    const VmPlatform *platform; /* what the VM runs on: NULL for real
                                 mode, vm_platform_sim(sim) for --sim */
    uint64_t seed;            /* random's default seed */
    bool seed_set;
} VmOptions;

typedef struct VmThread VmThread;

/* What the lock did to one thread; written by the thread itself (under the
 * GIL or inside the policy's mutex), read after it has finished. */
typedef struct {
    uint64_t held_ns;          /* total time holding the GIL */
    uint64_t wait_ns;          /* total time waiting to take it */
    uint64_t acquisitions;
    uint64_t drop_requests;    /* drop requests it honoured */
    uint64_t forced_switches;  /* releases that waited for another taker */
    uint64_t futile_wakeups;   /* woken while waiting, but the lock was taken */
    uint64_t io_releases;      /* releases around blocking calls */
    uint64_t switched_in;      /* acquisitions that took the lock over from
                                  another thread (a real switch) */
    uint64_t acquired_at_ns;   /* start of the current hold */
} GilStats;

struct VmShared {
    VmHeap heap;
    VmOptions options;
    VmClasses cls;
    VmNames names;
    ObjDict *strings;         /* intern table: str -> str */
    ObjDict *builtins;        /* the builtins namespace: name -> value */
    ObjDict *modules;         /* imported built-in modules: name -> module */
    ObjDict *module_makers;   /* name -> native that builds the module */
    ObjModule *main_module;
    ObjList *argv;            /* sys.argv */
    Value not_implemented;    /* the NotImplemented singleton */
    ObjNative *build_class;   /* what LOAD_BUILD_CLASS pushes */
    ObjNative *object_init;   /* object.__init__, to spot classes without one */
    VmThread *threads;        /* every live thread (linked by next) */
    VmThread *main_thread;
    _Atomic uint64_t last_gil_holder; /* ident of the latest GIL holder */
    /* Ticked loops: ticking instructions left until the policy's next check
     * (legacy).  One countdown for the whole VM, as CPython 2's _Py_Ticker
     * was one global: a thread that takes the lock after a blocking call
     * goes on with what the last holder left, so threads check at
     * different points of the same loop.  Only the holder touches it. */
    int gil_ticks;
    /* The switch interval in nanoseconds, 0 while nobody set it (the
     * policy's own default applies).  Written by sys.setswitchinterval
     * while waiters read it under the policy's mutex: atomic, read and
     * written only through vm_switch_interval_ns / vm_set_switch_interval. */
    _Atomic uint64_t switch_interval_ns;
    const struct GilOps *gil_ops;
    void *gil;                /* the policy's state */
    /* Threads (vm/lib/mod_thread.c).  sched_lock protects the counters below;
     * it is a plain pthread mutex taken for a few instructions, never while
     * waiting for anything else. */
    pthread_mutex_t sched_lock;
    int live_threads;         /* threads started and not finished, + main */
    int blocked_threads;      /* of those, blocked with no timeout on a
                                 program lock: if it equals live_threads,
                                 nothing can ever wake them (deadlock) */
    uint64_t next_ident;      /* thread idents, from 1 (main) */
    int unfinished_threads;   /* started threads whose C code has not yet
                                 returned; teardown waits for them (exit_cond) */
    pthread_cond_t exit_cond;
    GilStats *finished_stats; /* statistics of threads that have ended */
    char (*finished_names)[64];
    uint64_t *finished_idents;
    uint64_t *finished_bytecodes;
    int finished_count, finished_capacity;
    /* Under --gil none imports run one at a time (vm_import): a module's
     * body runs once, and a thread importing while another one runs it
     * waits instead of seeing half a module.  Re-entrant for the importing
     * thread (import_owner, by ident; import_depth nested imports), and a
     * platform lock, as the body may block or run in virtual time. */
    VmMutex import_mutex;
    VmCond import_cond;
    uint64_t import_owner;
    int import_depth;
    struct VmRecorder *recorder; /* --hist/--trace state, or NULL */
    /* The world: locks, time, threads, sockets (vm/platform/platform.h). */
    VmPlatform platform;
    /* The virtual cost of each opcode in picoseconds (--sim and gilt
     * calibrate; all zero otherwise). */
    uint32_t op_cost_ps[256];
    /* (1 << VM_COST_SHIFT) | op_cost_ps[op]: what the costed loop adds per
     * instruction (vm/runtime/interp_loop.h); set with vm_set_op_costs. */
    uint64_t op_cost_packed[256];
    bool charge_costs;        /* run the costed interpreter loop (--sim and
                                 gilt calibrate); the plain one otherwise */
    const char *cost_source;  /* where the costs came from (run record) */
    FILE *out;                /* stdout of the program */
    FILE *err;                /* where tracebacks go */
    int out_errno;            /* why a flush of out failed unreported
                                 (glibc then drops the data: the exit's
                                 flush succeeds, yet must fail) */
    int exit_status;          /* set by SystemExit */
    bool exit_sigint;         /* the main thread ended on an uncaught
                                 KeyboardInterrupt: exit as killed by
                                 SIGINT, as CPython does (status 130) */
    bool exiting;
};

/* One activation of a Python function.  slots[0..nlocals) are its locals
 * (arguments first), and the operand stack follows them in the same thread
 * value stack, so a call's arguments become the callee's first locals
 * without copying (clox's CallFrame window). */
typedef struct {
    ObjFunction *func;
    ObjCode *code;
    uint32_t *ip;             /* next instruction */
    Value *slots;             /* locals; the operand stack starts at
                                 slots + code->nlocals */
    ObjDict *ns;              /* class-body namespace, or NULL */
    ObjGenerator *gen;        /* generator this frame runs, or NULL */
    Value *ret_slot;          /* where the caller wants the result; the
                                 caller's stack top is ret_slot + 1 after */
    bool c_boundary;          /* returning from this frame leaves run() */
    uint64_t serial;          /* unique per activation (traceback entries) */
} VmFrame;

struct VmThread {
    VmShared *vm;
    VmThread *next;
    /* Set by other threads and signal handlers; read at safe points. */
    _Atomic uint32_t eval_breaker;
    Value *stack;             /* GILT_STACK_VALUES values, never moved */
    Value *stack_top;         /* first free slot */
    Value *stack_limit;
    VmFrame *frames;
    int frame_count;
    int frame_capacity;
    int c_depth;              /* nested vm_run invocations */
    uint64_t frame_serial;    /* last VmFrame.serial handed out */
    Value exception;          /* the exception being raised, or UNDEF */
    Value handled;            /* the exception being handled (bare raise) */
    Value thread_obj;         /* the threading.Thread, or UNDEF */
    uint64_t ident;
    char name[64];            /* "MainThread", "Thread-1 (worker)": for
                                 statistics, traces and deadlock reports */
    uint64_t bytecodes;       /* instructions executed */
    /* Virtual CPU consumed, in picoseconds: every instruction adds its cost
     * from vm->op_cost_ps (all zero in real mode).  When it reaches
     * cpu_horizon_ps the thread checks in with the simulator at its next
     * safe point (UINT64_MAX in real mode: never). */
    uint64_t vtime_ps;
    uint64_t cpu_horizon_ps;
    bool holds_gil;
    GilStats gil_stats;
    struct VmRecord *rec;     /* this thread's recording, or NULL */
    _Atomic uint64_t drop_asked; /* recording: the number of the first drop
                                 request aimed at this thread's hold, or 0
                                 (vm/record/record.c draws its arrow) */
    bool gil_from_io;         /* the coming acquisition follows a blocking
                                 call (iopri and bfs treat it specially) */
    uint64_t gil_deadline_ns; /* bfs: this thread's virtual deadline */
    void *user;               /* owner-specific data (threading module) */
    /* What the thread waits for while blocked without a timeout (a lock's
     * repr in waiting_buf, or a fixed text), else NULL: read by the
     * deadlock report of another thread, so atomic; waiting_buf is
     * written and read only under vm->sched_lock (vm/lib/mod_thread.c). */
    _Atomic(const char *) waiting_for;
    char waiting_buf[96];
};

/* ---- lifecycle (vm/runtime/vm.c) ---------------------------------------------- */

/* Create the shared state with the built-in classes, builtins and module
 * table; options are copied.  Returns NULL only if the host is out of memory. */
VmShared *vm_shared_new(const VmOptions *options);
void vm_shared_destroy(VmShared *vm);
void vm_options_default(VmOptions *o);
/* A new thread state registered in vm->threads (the first is the main one). */
VmThread *vm_thread_new(VmShared *vm);
void vm_thread_destroy(VmThread *th);

/* Compile and run a whole program as module __main__; prints any uncaught
 * exception's traceback to vm->err.  VM_OK, VM_COMPILE_ERROR (message
 * already printed) or VM_RUNTIME_ERROR. */
VmResult vm_run_source(VmThread *th, const char *source, const char *filename);
/* The same for source[0..length), NUL bytes included (vm_compile_n). */
VmResult vm_run_source_n(VmThread *th, const char *source, size_t length,
                         const char *filename);

/* ---- calling (vm/runtime/call.c) ---------------------------------------------- */

/* Call any callable.  args[0..nargs) are positional followed by one value
 * per kwnames entry.  The caller keeps args alive (they are normally on the
 * stack).  Returns false with th->exception set on error. */
bool vm_call(VmThread *th, Value callable, Value *args, int nargs,
             ObjTuple *kwnames, Value *result);
/* Look up `name` on obj the way obj.name(...) would and call it.  Returns 1
 * on success, 0 if there is no such attribute (nothing raised), -1 on error. */
int vm_call_method(VmThread *th, Value obj, ObjStr *name, Value *args,
                   int nargs, Value *result);

/* Keep values alive across a call back into Python by pushing them on the
 * thread's stack; pop them afterwards in LIFO order. */
static inline void vm_push_root(VmThread *th, Value v) { *th->stack_top++ = v; }
static inline void vm_pop_roots(VmThread *th, int n) { th->stack_top -= n; }

/* ---- raising (vm/runtime/exc.c) ----------------------------------------------- */

/* Make an instance of exception class cls with a printf-style message and
 * set it as th->exception.  Always returns false, so natives can write
 * `return vm_raise(th, th->vm->cls.TypeError, "...")`. */
bool vm_raise(VmThread *th, ObjClass *cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool vm_raise_value(VmThread *th, Value exc);   /* exception or class */
/* Is the pending exception an instance of cls?  Clears nothing. */
bool vm_exception_matches(VmThread *th, ObjClass *cls);
void vm_clear_exception(VmThread *th);
/* Flush vm->out before writing to stderr; a failure is remembered in
 * vm->out_errno for the exit to report. */
void vm_flush_out(VmShared *vm);
/* Print "Traceback (most recent call last):" ... "Type: message". */
void vm_print_traceback(VmThread *th, Value exc, FILE *out);
/* Line `line` of `filename`, stripped of indentation and line end, into
 * out (cap bytes); "" if the file cannot be read. */
void vm_source_line(const char *filename, int32_t line, char *out, size_t cap);
/* Build an exception instance without raising it. */
Value vm_exception_new(VmThread *th, ObjClass *cls, Value *args, int nargs);

/* ---- natives and modules ---------------------------------------------- */

/* Register a native as name in a namespace dict (builtins, a class dict). */
ObjNative *vm_define_native(VmShared *vm, ObjDict *ns, const char *name,
                            VmNativeFn fn);
/* A new built-in class named name deriving from base, in module modname. */
ObjClass *vm_class_new_builtin(VmShared *vm, const char *name,
                               ObjClass *base, const char *modname);
/* Set module.name = value (creating the slot). */
void vm_module_set(VmShared *vm, ObjModule *m, const char *name, Value v);
/* A module's attribute by name; false if unbound. */
bool vm_module_get(ObjModule *m, ObjStr *name, Value *out);
ObjModule *vm_module_new(VmShared *vm, const char *name);
/* Helper for natives (vm/runtime/call.c): bind positional and keyword
 * arguments to `names` (NULL-terminated): the first nrequired must be
 * given, at most npositional may be given by position.  Unfilled slots are
 * VAL_UNDEF.  Raises TypeError with CPython's wording on missing, duplicate
 * or unexpected arguments.  out has room for every name. */
bool vm_parse_args(VmThread *th, const char *fname, Value *args, int nargs,
                   ObjTuple *kwnames, const char *const *names, int nrequired,
                   int npositional, Value *out);

/* Install the built-in library in a new VM: the builtins and every
 * built-in module (defined in vm/lib/lib.c - the runtime's one call up into
 * the library it runs). */
void vm__lib_install(VmShared *vm);

/* A built-in module is made on first import by a function of this type. */
typedef ObjModule *(*VmModuleInit)(VmShared *vm);
void vm_register_module(VmShared *vm, const char *name, VmModuleInit init);
/* A built-in module written in Python: `source` is compiled and run as the
 * module body on first import (vm/lib/pylib.c registers them). */
void vm_register_source_module(VmShared *vm, const char *name,
                               const char *source);
/* Import a built-in module by name (cached in vm->modules). */
bool vm_import(VmThread *th, ObjStr *name, Value *module);
/* Natives of a module find their module (its classes, its state) in the
 * module table: this looks it up safely under --gil none.  False if the
 * module was never imported. */
bool vm_module_lookup(VmShared *vm, const char *name, ObjModule **out);

/* MemoryError (returning false) unless `bytes` more fit under --max-heap.
 * Natives about to build something huge ([0] * 10**12) call this first. */
bool vm_heap_check(VmThread *th, size_t bytes);

/* ---- blocking calls: the one hook where the GIL is released ----------- */

/* What a thread does while it runs without the GIL, for the recorder
 * (vm/record/record.h): what it blocks on, or computing (a long C call). */
typedef enum {
    VM_BLOCK_SLEEP,    /* time.sleep */
    VM_BLOCK_IO,       /* gilt.io: waiting for a simulated device */
    VM_BLOCK_RECV,     /* a socket's recv */
    VM_BLOCK_SEND,     /* a socket's send or sendall */
    VM_BLOCK_LOCK,     /* a _thread lock's acquire (and so everything of
                          threading and queue that waits: join, Condition,
                          Event, Queue, ...) */
    VM_BLOCK_NATIVE,   /* not blocked: computing without the GIL
                          (gilt.native(release_gil=True)) */
} VmBlockOn;

/* Natives that block (sleep, I/O, waiting on a lock) wrap the blocking part
 * in vm_blocking_begin/end, saying what they block on.  Between them the
 * thread must not touch any VM object.  With no GIL policy loaded these
 * are no-ops. */
void vm_blocking_begin(VmThread *th, VmBlockOn on);
void vm_blocking_end(VmThread *th);

/* The costed loop packs an instruction count and picoseconds in one word:
 * 2^36 ps (68 ms) below, counts above.  Costs are capped so that the
 * simulator's checkpoints (at most 10 ms apart) keep the low part small. */
#define VM_COST_SHIFT 36
#define VM_COST_MASK ((UINT64_C(1) << VM_COST_SHIFT) - 1)
#define VM_OP_COST_MAX_PS 10000000u  /* 10 us per instruction */

/* Install a per-opcode cost table (picoseconds, capped at
 * VM_OP_COST_MAX_PS) and switch the VM to the costed loop. */
void vm_set_op_costs(VmShared *vm, const uint32_t *ps, int count);
/* The same, plus what each heap allocation costs and where the figures
 * came from (for the run record): what a virtual run installs. */
void vm_set_costs(VmShared *vm, const uint32_t *op_ps, int count, uint32_t alloc_ps,
                  const char *source);

/* The switch interval in nanoseconds, or default_ns while nobody set one
 * (--switch-interval, sys.setswitchinterval); never 0. */
uint64_t vm_switch_interval_ns(const VmShared *vm, uint64_t default_ns);
/* What sys.getswitchinterval() says, in seconds (CPython's 0.005 while unset). */
double vm_switch_interval(const VmShared *vm);
/* NULL if s seconds is a valid switch interval, else why not (in buf). */
const char *vm_switch_interval_invalid(double s, char *buf, size_t size);
/* Set it (s already valid). */
void vm_set_switch_interval(VmShared *vm, double s);
#define VM_DEFAULT_SWITCH_INTERVAL_NS 5000000u
#define VM_MAX_SWITCH_INTERVAL_S 3600.0  /* an hour, as every duration of the model */

/* Monotonic nanoseconds on the VM's platform (host or virtual time). */
static inline uint64_t vm_now_ns(const VmShared *vm) {
    return vm_platform_now_ns(&vm->platform);
}

/* Report every thread's wait (who waits for which lock, where) and exit
 * with status 1: the simulator calls it when no simulated thread can run
 * again (ctx is the VmShared). */
void vm_thread_report_deadlock_hook(void *ctx);

#endif /* GILT_VM_RUNTIME_VM_H */
