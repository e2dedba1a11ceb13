/*
 * vm/lib/lib.c - the built-in library as a whole: what every new VM gets
 * (vm_shared_new calls vm__lib_install).  A new module written in C is
 * added here, one written in Python under vm/lib/pylib/ (see pylib.c).
 */
#include "vm/lib/builtins.h"

void vm__lib_install(VmShared *vm) {
    vm__builtins_init(vm);
    /* Made on first import, in the order of this table. */
    vm_register_module(vm, "math", vm__mod_math_init);
    vm_register_module(vm, "time", vm__mod_time_init);
    vm_register_module(vm, "sys", vm__mod_sys_init);
    vm_register_module(vm, "os", vm__mod_os_init);
    vm_register_module(vm, "random", vm__mod_random_init);
    vm_register_module(vm, "_thread", vm__mod_thread_init);
    vm_register_module(vm, "gilt", vm__mod_gilt_init);
    vm_register_module(vm, "socket", vm__mod_socket_init);
    vm__pylib_register(vm);
}
