/*
 * vm/record/record.h - what a run records: GIL wait and I/O-return histograms
 * (--hist) and a Chrome trace-event timeline (--trace).
 *
 * Implementation notes
 * --------------------
 * - Recording must not distort what it measures, so every thread records
 *   into its own VmRecord: no lock is taken and nothing is allocated on the
 *   hot path except a new 4096-event chunk once per 4096 events, and a
 *   RecSite the first time a thread blocks at a given place.  The hooks
 *   are the GIL wrappers in vm/gil/gil.c, the blocking-call hook and the
 *   policies' drop requests; when no output was asked for, th->rec is NULL
 *   and each hook is one test.
 * - The wrappers read the clock once per transition and pass that reading
 *   to the hooks, which is also what --stats adds up: a thread's spans
 *   meet exactly (never overlap) and sum to its statistics.
 * - A thread appends events only while it holds the GIL.  What it does
 *   without the GIL (a blocking call's end, the drop requests it makes
 *   while waiting) is kept in fields of its record and appended when it
 *   has the GIL again, so the main thread, which writes the files holding
 *   the GIL, never reads a chunk that a daemon thread appends to.  (Under
 *   --gil none there is no lock to make this so: a thread still running
 *   when the files are written races with the writer.)
 * - When a thread ends, its record moves into the VM's recorder (under the
 *   GIL, the thread still holds it); at exit the recorder merges the
 *   histograms and writes the files through vm/record/outfile.h: a regular
 *   file is renamed into place whole, a device or "-" (standard output)
 *   is written directly.
 * - The trace's arrows are worked out at exit from the records: a hold
 *   knows who held the lock before it (vm->last_gil_holder), which gives
 *   the releasing hold; a forced release knows the number of the first
 *   drop request aimed at its hold (VmThread.drop_asked).
 * - What a thread is doing when the run ends is not drawn unless it holds
 *   the GIL (that hold is closed at vm_record_end_ns): a wait or a
 *   blocking call still open has no span, as --stats counts no wait that
 *   has not ended (io_releases counts the blocking call it is in).
 */
#ifndef GILT_VM_RECORD_RECORD_H
#define GILT_VM_RECORD_RECORD_H

#include <stdint.h>

#include "vm/record/hist.h"
#include "vm/runtime/vm.h"

typedef enum {
    REC_HOLD,      /* span: the thread held the GIL; u.ident is whoever held
                      it before (vm->last_gil_holder), 0 if nobody */
    REC_WAIT,      /* span: the thread waited for the GIL */
    REC_OFF,       /* span: the thread ran without the GIL, blocked or
                      computing; u.site says on what and where */
    REC_DROP,      /* instant: a forced release (vm_gil_yield let go: a drop
                      request honoured, or a legacy check); u.ident is the
                      number of the request that caused it, 0 if none */
    REC_ASK,       /* instant: the thread asked another to drop the GIL;
                      u.ident is the request's number, dur_ns the ident of
                      the thread asked (0 if unknown) */
    REC_MARK,      /* instant: gilt.mark(label) */
} RecKind;

/* Where and on what a thread left the GIL: one per distinct (what, where)
 * in each thread's record, so a blocking call records a pointer. */
typedef struct RecSite {
    VmBlockOn on;
    char *name;    /* the span's name: "blocked on sleep", "blocked on
                      Thread.join", "running without the GIL" */
    char *at;      /* the program's file:line */
} RecSite;

typedef struct {
    uint64_t start_ns;
    uint64_t dur_ns;
    RecKind kind;
    union {
        char *label;           /* REC_MARK: owned by the record */
        const RecSite *site;   /* REC_OFF: owned by the record */
        uint64_t ident;        /* REC_HOLD: another thread; REC_ASK and
                                  REC_DROP: a drop request's number */
    } u;
} RecEvent;

#define REC_CHUNK 4096
#define REC_ASKS 8   /* drop requests kept per wait (the first matter) */

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
    RecChunk *first, *last;    /* events, appended only under the GIL */
    /* What happens without the GIL is kept here by the thread itself and
     * becomes events when it holds the GIL again, so that the events are
     * never appended to while the main thread writes them out (a daemon
     * thread may block, wake or ask for the GIL at any time). */
    uint64_t blocked_since;    /* start of the last blocking call */
    const RecSite *blocked_on; /* and on what, until its span is pushed */
    uint64_t block_ended;      /* end of that blocking call */
    uint64_t wait_since;       /* start of the current GIL wait */
    uint64_t previous_holder;  /* of the current hold (REC_HOLD's u.ident) */
    int asks;                  /* drop requests made in the current wait */
    uint64_t ask_ns[REC_ASKS], ask_number[REC_ASKS], ask_target[REC_ASKS];
    RecSite **sites;           /* hash set of this thread's sites */
    size_t site_slots, site_count;
} VmRecord;

typedef struct VmRecorder {
    const char *hist_path;     /* --hist FILE.csv, or NULL */
    const char *trace_path;    /* --trace FILE.json, or NULL */
    uint64_t start_ns;
    bool ended;                /* end_ns is fixed (vm_record_end_ns) */
    uint64_t end_ns;
    VmRecord *finished;
    ObjList *user_hists;       /* gilt.Histogram objects, kept alive */
    _Atomic uint64_t asks;     /* drop requests numbered so far */
} VmRecorder;

/* Turn recording on for this VM (before any thread runs). */
void vm_record_enable(VmShared *vm, const char *hist_path, const char *trace_path);
/* Per-thread lifecycle: start creates th->rec, exit moves it to the VM. */
void vm_record_thread_start(VmThread *th);
void vm_record_thread_exit(VmThread *th);
/* A thread that never ran (its start failed): drop its record. */
void vm_record_thread_discard(VmThread *th);

/* Hooks (cheap no-ops when th->rec is NULL).  NOW is the caller's one
 * reading of the clock at a transition, so that one state ends where the
 * next begins. */
void vm_record_wait_begin(VmThread *th, uint64_t now);
void vm_record_acquired(VmThread *th, uint64_t now, uint64_t previous_holder);
void vm_record_released(VmThread *th, uint64_t held_since, uint64_t now);
void vm_record_blocking_begin(VmThread *th, VmBlockOn on, uint64_t now);
void vm_record_blocking_end(VmThread *th, uint64_t now);
void vm_record_drop(VmThread *th, uint64_t now);
/* th (waiting) asks `target` (NULL if unknown) to drop the GIL: called by
 * the policies just before they set VM_BREAK_GIL_DROP.  The request is
 * numbered and the number left on the target, whose forced release
 * (vm_record_drop) takes it, so that the trace's arrow joins the two
 * exactly whatever their clocks say. */
void vm_record_drop_asked(VmThread *th, VmThread *target);
void vm_record_mark(VmThread *th, const char *label);
/* gilt.Histogram objects created while recording are written to --hist. */
void vm_record_user_hist(VmShared *vm, Value hist);

/* The instant a run's records end: the first of --stats and the recorder
 * to ask fixes it, so both close the holds still open at the same time
 * and agree to the nanosecond.  Without recording, simply now. */
uint64_t vm_record_end_ns(VmShared *vm);

/* Write the requested files; 0 or -1 with a message already printed. */
int vm_record_finish(VmShared *vm);
/* Free everything (VM teardown). */
void vm_record_free(VmShared *vm);

#endif /* GILT_VM_RECORD_RECORD_H */
