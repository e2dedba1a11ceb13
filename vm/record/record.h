/*
 * vm/record/record.h - what a run records: GIL wait and I/O-return histograms
 * (--hist) and a Chrome trace-event timeline (--trace).
 *
 * Implementation notes
 * --------------------
 * - Recording must not distort what it measures, so every thread records
 *   into its own VmRecord: no lock is taken and nothing is allocated on the
 *   hot path except a new 4096-event chunk once per 4096 events.  The hooks
 *   are the GIL wrappers in vm/gil/gil.c and the blocking-call hook; when no
 *   output was asked for, th->rec is NULL and each hook is one test.
 * - When a thread ends, its record moves into the VM's recorder (under the
 *   GIL, the thread still holds it); at exit the recorder merges the
 *   histograms and writes the files through vm/record/outfile.h: a regular
 *   file is renamed into place whole, a device or "-" (standard output)
 *   is written directly.
 */
#ifndef GILT_VM_RECORD_RECORD_H
#define GILT_VM_RECORD_RECORD_H

#include <stdint.h>

#include "vm/record/hist.h"
#include "vm/runtime/vm.h"

typedef enum {
    REC_HOLD,      /* span: the thread held the GIL */
    REC_WAIT,      /* span: the thread waited for the GIL */
    REC_BLOCKED,   /* span: the thread ran without the GIL (blocking call) */
    REC_DROP,      /* instant: it honoured a drop request */
    REC_MARK,      /* instant: gilt.mark(label) */
} RecKind;

typedef struct {
    uint64_t start_ns;
    uint64_t dur_ns;
    RecKind kind;
    char *label;   /* REC_MARK only, owned by the record */
} RecEvent;

#define REC_CHUNK 4096

typedef struct RecChunk {
    struct RecChunk *next;
    int count;
    RecEvent events[REC_CHUNK];
} RecChunk;

typedef struct VmRecord {
    struct VmRecord *next;     /* in the recorder's list of finished ones */
    uint64_t ident;
    char name[64];
    VmHist gil_wait;           /* ns waited per acquisition */
    VmHist io_to_running;      /* ns from the end of a blocking call until
                                  the thread runs again (holds the GIL) */
    RecChunk *first, *last;
    uint64_t blocked_since;    /* start of the current blocking call */
    uint64_t block_ended;      /* end of the last blocking call, or 0 */
    uint64_t wait_since;       /* start of the current GIL wait */
} VmRecord;

typedef struct VmRecorder {
    const char *hist_path;     /* --hist FILE.csv, or NULL */
    const char *trace_path;    /* --trace FILE.json, or NULL */
    uint64_t start_ns;
    VmRecord *finished;
    ObjList *user_hists;       /* gilt.Histogram objects, kept alive */
} VmRecorder;

/* Turn recording on for this VM (before any thread runs). */
void vm_record_enable(VmShared *vm, const char *hist_path, const char *trace_path);
/* Per-thread lifecycle: start creates th->rec, exit moves it to the VM. */
void vm_record_thread_start(VmThread *th);
void vm_record_thread_exit(VmThread *th);
/* A thread that never ran (its start failed): drop its record. */
void vm_record_thread_discard(VmThread *th);

/* Hooks (cheap no-ops when th->rec is NULL). */
void vm_record_wait_begin(VmThread *th, uint64_t now);
void vm_record_acquired(VmThread *th, uint64_t now);
void vm_record_released(VmThread *th, uint64_t held_since, uint64_t now);
void vm_record_blocking_begin(VmThread *th, uint64_t now);
void vm_record_blocking_end(VmThread *th, uint64_t now);
void vm_record_drop(VmThread *th, uint64_t now);
void vm_record_mark(VmThread *th, const char *label);
/* gilt.Histogram objects created while recording are written to --hist. */
void vm_record_user_hist(VmShared *vm, Value hist);

/* Write the requested files; 0 or -1 with a message already printed. */
int vm_record_finish(VmShared *vm);
/* Free everything (VM teardown). */
void vm_record_free(VmShared *vm);

#endif /* GILT_VM_RECORD_RECORD_H */
