/*
 * vm/runtime/vm_config.h - every compile-time knob of the gilt VM, in one place.
 *
 * Each knob has a paragraph saying what it does and a default behind #ifndef,
 * so a build can override it with -DNAME=value (the wren_common.h pattern).
 */
#ifndef GILT_VM_RUNTIME_VM_CONFIG_H
#define GILT_VM_RUNTIME_VM_CONFIG_H

/* Use GCC's computed goto ("labels as values") for the dispatch loop.  It lets
 * each handler jump straight to the next one, which helps the branch predictor
 * and is worth 15-25% on the interpreter benchmarks.  Off falls back to a
 * portable switch. */
#ifndef GILT_COMPUTED_GOTO
#  if defined(__GNUC__)
#    define GILT_COMPUTED_GOTO 1
#  else
#    define GILT_COMPUTED_GOTO 0
#  endif
#endif

/* Maximum depth of Python-level calls before RecursionError, as CPython's
 * sys.getrecursionlimit() default. */
#ifndef GILT_RECURSION_LIMIT
#define GILT_RECURSION_LIMIT 1000
#endif

/* Maximum nesting of C-level re-entries into the interpreter (a native that
 * calls back into Python, such as sorted(key=...) or __repr__ from print).
 * Each one uses C stack, so it is bounded separately and lower. */
#ifndef GILT_C_RECURSION_LIMIT
#define GILT_C_RECURSION_LIMIT 800
#endif

/* C stack kept free under the deepest level of C recursion, for raising
 * the RecursionError and unwinding (vm/runtime/cstack.h): an eighth of the
 * thread's stack, at most this many bytes. */
#ifndef GILT_C_STACK_RESERVE
#define GILT_C_STACK_RESERVE (256 * 1024)
#endif

/* Maximum nesting of statements and expressions that the compiler walks
 * (vm/compile/symtable.c, compiler.c) before "RecursionError: maximum
 * recursion depth exceeded during compilation", as CPython 3.11's (its
 * recursion limit times COMPILER_STACK_FRAME_SCALE, 3). */
#ifndef GILT_COMPILER_RECURSION_LIMIT
#define GILT_COMPILER_RECURSION_LIMIT 3000
#endif

/* Frames each thread can hold.  The frame array never moves (pointers into
 * it stay valid while natives call back into Python), so it is allocated
 * whole; sys.setrecursionlimit cannot go above this. */
#ifndef GILT_MAX_FRAMES
#define GILT_MAX_FRAMES 20000
#endif

/* Size of each thread's value stack, in Values.  Frames are carved out of it;
 * it never moves, so pointers into it stay valid. 256 Ki values = 4 MiB. */
#ifndef GILT_STACK_VALUES
#define GILT_STACK_VALUES (256 * 1024)
#endif

/* First garbage collection happens after this many bytes are allocated; after
 * each collection the threshold becomes GILT_GC_GROWTH times the live heap. */
#ifndef GILT_GC_INITIAL_THRESHOLD
#define GILT_GC_INITIAL_THRESHOLD (8u * 1024 * 1024)
#endif
#ifndef GILT_GC_GROWTH
#define GILT_GC_GROWTH 2
#endif

/* Default limit on the live heap; above it the running thread gets a
 * MemoryError at its next safe point.  --max-heap overrides it at run time. */
#ifndef GILT_DEFAULT_MAX_HEAP
#define GILT_DEFAULT_MAX_HEAP (4ull * 1024 * 1024 * 1024)
#endif

/* Stress mode: run a full collection at every safe point (clox's
 * DEBUG_STRESS_GC).  Slow; for finding missing roots. */
#ifndef GILT_STRESS_GC
#define GILT_STRESS_GC 0
#endif

/* Stress mode: request a GIL drop before every instruction, under every
 * policy, so that every instruction boundary is a switch opportunity (Lua's
 * HARDSTACKTESTS in spirit): all policies then run the ticked loop with a
 * countdown of one.  Build with CPPFLAGS=-DGILT_STRESS_SWITCH=1. */
#ifndef GILT_STRESS_SWITCH
#define GILT_STRESS_SWITCH 0
#endif

#endif /* GILT_VM_RUNTIME_VM_CONFIG_H */
