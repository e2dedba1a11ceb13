/*
 * vm/lib/pylib.c - registers the built-in modules that are written in Python
 * (the .py files under vm/lib/pylib/, embedded at build time by
 * vm/lib/pylib_embed.sh).
 *
 * As in CPython, the synchronisation classes above a plain lock
 * (Condition, Semaphore, Event, Barrier, Queue...) are Python code running
 * on the VM, so they take the GIL, switch and block exactly as a user's own
 * code would; only the primitives (threads, locks) are C (vm/lib/mod_thread.c).
 */
#include "vm/lib/builtins.h"
#include "vm/lib/pylib_sources.h"
#include "vm/runtime/vm.h"

void vm__pylib_register(VmShared *vm) {
    for (size_t i = 0; i < sizeof pylib_modules / sizeof pylib_modules[0]; i++)
        vm_register_source_module(vm, pylib_modules[i].name,
                                  pylib_modules[i].source);
}
