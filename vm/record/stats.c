/*
 * vm/record/stats.c - writes the --stats CSV (see vm/record/stats.h), and
 * the run's settings columns that --hist repeats.
 *
 * Columns: policy, switch_interval_s, check_interval, force_switching,
 * cores, mode, seed (the settings), wall_ms, virtual_ms, context_switches,
 * preemptions (the run), os_timeslice_ns ... os_lookahead_ns (the OS model,
 * one figure a column: VM_OS_MODEL_FIGURES of vm/platform/platform.h) and
 * costs (where the opcode costs came from), then thread (ident), name,
 * held_ms, wait_ms, acquisitions, drop_requests, forced_switches,
 * futile_wakeups, io_releases, bytecodes, switched_in (the thread;
 * switched_in counts the acquisitions that took the lock over from another
 * thread).
 *
 * In real mode virtual_ms, context_switches, preemptions and the OS-model
 * columns are empty, so every row of either mode has the same columns.  In
 * --sim wall_ms is empty instead, so two runs with the same seed write the
 * same bytes.
 */
#include "vm/record/stats.h"

#include <stdio.h>

#include "vm/record/outfile.h"
#include "vm/record/record.h"

void vm_stats_csv_string(FILE *f, const char *s) {
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

void vm_stats_settings_header(FILE *f) {
    fprintf(f, "policy,switch_interval_s,check_interval,force_switching,cores,mode,seed");
}

void vm_stats_settings_cells(FILE *f, VmShared *vm, const VmPlatformReport *rep) {
    const VmOptions *o = &vm->options;
    fprintf(f, "%s,%g,%d,%d,%ld,%s,", o->gil_name, vm_switch_interval(vm), o->check_interval,
            o->force_switching ? 1 : 0, rep->cores, rep->mode);
    if (o->seed_set) fprintf(f, "%llu", (unsigned long long)o->seed);
}

void vm_stats_model_header(FILE *f) {
#define OS_COLUMN(name) fprintf(f, ",os_" #name);
    VM_OS_MODEL_FIGURES(OS_COLUMN)
#undef OS_COLUMN
    fprintf(f, ",costs");
}

void vm_stats_model_cells(FILE *f, VmShared *vm, const VmPlatformReport *rep) {
    if (!rep->virtual_time) {
#define OS_EMPTY(name) fputc(',', f);
        VM_OS_MODEL_FIGURES(OS_EMPTY)
#undef OS_EMPTY
        fputc(',', f);   /* costs */
        return;
    }
#define OS_CELL(name) fprintf(f, ",%llu", (unsigned long long)rep->os.name);
    VM_OS_MODEL_FIGURES(OS_CELL)
#undef OS_CELL
    /* Quoted, and kept free of commas and quotes all the same, so that
     * awk -F, and cut read the file as well as a CSV parser. */
    fprintf(f, ",\"");
    for (const char *p = vm->cost_source ? vm->cost_source : "?"; *p; p++)
        fputc(*p == ',' ? ';' : *p == '"' ? '\'' : *p, f);
    fputc('"', f);
}

static void write_row(FILE *f, VmShared *vm, const VmPlatformReport *rep, uint64_t wall_ns,
                      uint64_t ident, const char *name, const GilStats *s, uint64_t bytecodes) {
    vm_stats_settings_cells(f, vm, rep);
    fputc(',', f);
    /* A virtual run's wall time says how fast the host simulated, not
     * anything about the program: it is left out. */
    if (!rep->virtual_time) fprintf(f, "%.3f", (double)wall_ns / 1e6);
    fputc(',', f);
    if (rep->virtual_time)
        fprintf(f, "%.6f,%llu,%llu", (double)rep->virtual_ns / 1e6,
                (unsigned long long)rep->context_switches,
                (unsigned long long)rep->preemptions);
    else
        fprintf(f, ",,");   /* virtual_ms, context_switches, preemptions */
    vm_stats_model_cells(f, vm, rep);
    fprintf(f, ",%llu,", (unsigned long long)ident);
    vm_stats_csv_string(f, name);
    fprintf(f, ",%.3f,%.3f,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n", (double)s->held_ns / 1e6,
            (double)s->wait_ns / 1e6, (unsigned long long)s->acquisitions,
            (unsigned long long)s->drop_requests, (unsigned long long)s->forced_switches,
            (unsigned long long)s->futile_wakeups, (unsigned long long)s->io_releases,
            (unsigned long long)bytecodes, (unsigned long long)s->switched_in);
}

int vm_stats_write(VmShared *vm, const char *path, uint64_t wall_ns) {
    VmOutFile out;
    if (vm_outfile_open(&out, path) != 0) return -1;
    FILE *f = out.f;
    VmPlatformReport rep;
    vm->platform.ops->report(vm->platform.ctx, &rep);
    vm_stats_settings_header(f);
    fprintf(f, ",wall_ms,virtual_ms,context_switches,preemptions");
    vm_stats_model_header(f);
    fprintf(f, ",thread,name,held_ms,wait_ms,acquisitions,drop_requests,"
               "forced_switches,futile_wakeups,io_releases,bytecodes,switched_in\n");
    /* The holds still open end where the trace ends them. */
    uint64_t now = vm_record_end_ns(vm);
    /* Daemon threads may still be finishing (under --gil none, running):
     * the finished figures and the thread list are the sched_lock's. */
    pthread_mutex_lock(&vm->sched_lock);
    for (int i = 0; i < vm->finished_count; i++)
        write_row(f, vm, &rep, wall_ns, vm->finished_idents[i], vm->finished_names[i],
                  &vm->finished_stats[i], vm->finished_bytecodes[i]);
    for (VmThread *t = vm->threads; t; t = t->next) {
        GilStats s = t->gil_stats;
        if (t->holds_gil) s.held_ns += now - s.acquired_at_ns;
        write_row(f, vm, &rep, wall_ns, t->ident, t->name, &s, t->bytecodes);
    }
    pthread_mutex_unlock(&vm->sched_lock);
    return vm_outfile_commit(&out);
}
