/*
 * vm/record/stats.h - the --stats file: what the GIL did to each thread.
 */
#ifndef GILT_VM_RECORD_STATS_H
#define GILT_VM_RECORD_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "vm/runtime/vm.h"

/* Write one tidy CSV row per thread (finished and still alive), each with
 * the run's settings repeated so files from a sweep concatenate cleanly.
 * PATH is written as vm/record/outfile.h says ("-": standard output).
 * Returns 0, or -1 with the message printed. */
int vm_stats_write(VmShared *vm, const char *path, uint64_t wall_ns);

/* The run's settings as CSV columns, which --hist repeats on its rows:
 * policy, switch interval, check interval, force switching, cores, mode,
 * seed (the header's names, then one row's cells, no trailing comma)... */
void vm_stats_settings_header(FILE *f);
void vm_stats_settings_cells(FILE *f, VmShared *vm, const VmPlatformReport *rep);
/* ... and the OS model, one figure a column (",os_timeslice_ns", ...,
 * ",costs"; each cell after a comma, all empty in real mode). */
void vm_stats_model_header(FILE *f);
void vm_stats_model_cells(FILE *f, VmShared *vm, const VmPlatformReport *rep);
/* A CSV string cell: quoted, quotes doubled. */
void vm_stats_csv_string(FILE *f, const char *s);

#endif /* GILT_VM_RECORD_STATS_H */
