/*
 * vm/runtime/cstack.c - measuring the C stack of each thread (cstack.h).
 */
#include "vm/runtime/cstack.h"

#include <pthread.h>
#include <sys/resource.h>

_Thread_local uintptr_t vm__c_stack_floor;

uintptr_t vm__c_stack_measure(void) {
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    uintptr_t low = 0;
    size_t size = 0;
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *addr;
        if (pthread_attr_getstack(&attr, &addr, &size) != 0) size = 0;
        low = (uintptr_t)addr;
        pthread_attr_destroy(&attr);
    }
    if (size == 0 || here <= low || here - low > size) {
        /* Not known: assume the soft limit (or 1 MiB) counts from here. */
        struct rlimit rl;
        size = 1u << 20;
        if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
            rl.rlim_cur < size)
            size = (size_t)rl.rlim_cur;
        low = here > size ? here - size : 0;
    }
    size_t reserve = size / 8;
    if (reserve > GILT_C_STACK_RESERVE) reserve = GILT_C_STACK_RESERVE;
    vm__c_stack_floor = low + reserve;
    return vm__c_stack_floor;
}

bool vm__c_recursion_error(VmThread *th, const char *where) {
    return vm_raise(th, th->vm->cls.RecursionError,
                    "maximum recursion depth exceeded%s", where);
}
