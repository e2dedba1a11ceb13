/*
 * vm/lib/builtins.h - the builtins namespace and the built-in modules.
 *
 * vm_shared_new() creates the built-in classes (vm/runtime/vm.c), then calls these
 * initialisers in order: the per-type method tables, the builtins functions,
 * and the registration of each built-in module (made lazily on import).
 */
#ifndef GILT_VM_LIB_BUILTINS_H
#define GILT_VM_LIB_BUILTINS_H

#include "vm/runtime/vm.h"

/* print, len, range, sum, min, max, abs, sorted, enumerate, zip, isinstance,
 * ... and the construct hooks of int, float, bool, str (vm/lib/builtins.c). */
void vm__builtins_init(VmShared *vm);

/* Built-in modules (vm/mod_*.c): each returns the module object. */
ObjModule *vm__mod_math_init(VmShared *vm);
ObjModule *vm__mod_time_init(VmShared *vm);
ObjModule *vm__mod_sys_init(VmShared *vm);
ObjModule *vm__mod_os_init(VmShared *vm);
ObjModule *vm__mod_random_init(VmShared *vm);
ObjModule *vm__mod_thread_init(VmShared *vm);
ObjModule *vm__mod_gilt_init(VmShared *vm);
ObjModule *vm__mod_socket_init(VmShared *vm);

/* Register the modules written in Python (vm/lib/pylib.c). */
void vm__pylib_register(VmShared *vm);


#endif /* GILT_VM_LIB_BUILTINS_H */
