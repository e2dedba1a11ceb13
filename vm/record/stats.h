/*
 * vm/record/stats.h - the --stats file: what the GIL did to each thread.
 */
#ifndef GILT_VM_RECORD_STATS_H
#define GILT_VM_RECORD_STATS_H

#include <stdint.h>

#include "vm/runtime/vm.h"

/* Write one tidy CSV row per thread (finished and still alive), each with
 * the run's settings repeated so files from a sweep concatenate cleanly.
 * PATH is written as vm/record/outfile.h says ("-": standard output).
 * Returns 0, or -1 with the message printed. */
int vm_stats_write(VmShared *vm, const char *path, uint64_t wall_ns);

#endif /* GILT_VM_RECORD_STATS_H */
