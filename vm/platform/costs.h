/*
 * vm/platform/costs.h - the cost model of --sim: what each opcode costs in virtual
 * picoseconds, and the OS figures of the simulator, as a table that ships
 * with gilt, that `gilt calibrate` measures on this machine and writes to a
 * cost file, and that `--cost-file` loads.
 *
 * Opcodes are grouped into a few cost classes (simple stack and local
 * work, arithmetic and comparisons, jumps, calls and returns, attribute
 * and item access, building containers and the rest, fused
 * superinstructions).  Calibration fits
 * one cost per class from programs that stress each class; a cost file
 * lists every opcode by name, so a hand-edited file can be finer.
 */
#ifndef GILT_VM_PLATFORM_COSTS_H
#define GILT_VM_PLATFORM_COSTS_H

#include <stdint.h>
#include <stdio.h>

#include "sim/sched.h"
#include "vm/bytecode/opcodes.h"

typedef enum {
    COST_SIMPLE,    /* loads, stores, constants, stack shuffles */
    COST_ARITH,     /* arithmetic, comparisons, fused superinstructions */
    COST_JUMP,      /* jumps and loop control */
    COST_CALL,      /* calls, returns, function and generator frames */
    COST_ACCESS,    /* attributes, subscripts, globals, methods */
    COST_BUILD,     /* containers, strings, imports, exceptions */
    COST_FUSED,     /* superinstructions: load, immediate operation, store
                       or jump in one dispatch */
    COST__COUNT
} CostClass;

typedef struct {
    uint32_t op_ps[OP__COUNT];   /* picoseconds per executed opcode */
    uint32_t alloc_ps;           /* picoseconds per heap allocation */
    SimConfig os;                /* OS figures (cores and seed unused) */
    char source[256];            /* "built-in default" or the file's origin */
} CostModel;

CostClass vm_cost_class(Opcode op);
const char *vm_cost_class_name(CostClass c);

/* The table that ships with gilt. */
void vm_costs_default(CostModel *m);
/* Give every opcode of each class that class's cost. */
void vm_costs_set_classes(CostModel *m, const uint32_t class_ps[COST__COUNT]);

/* Load a cost file over *m (entries it does not name keep their value).
 * 0 on success; -1 with a message in err. */
int vm_costs_load(CostModel *m, const char *path, char *err, size_t errsize);
/* Write *m as a cost file, whole or not at all.  0 or -1 (errno set). */
int vm_costs_save(const CostModel *m, const char *path, const char *origin);

#endif /* GILT_VM_PLATFORM_COSTS_H */
