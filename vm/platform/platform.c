/*
 * vm/platform/platform.c - what both platforms share: making a lock or a
 * condition variable records the platform it was made on, so every later
 * call on it reaches the same implementation (vm/platform/platform.h).
 */
#include "vm/platform/platform.h"

void vm_mutex_init(VmMutex *m, const VmPlatform *p) {
    m->p = *p;
    p->ops->mutex_init(p->ctx, m);
}

void vm_cond_init(VmCond *c, const VmPlatform *p) {
    c->p = *p;
    p->ops->cond_init(p->ctx, c);
}
