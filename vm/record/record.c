/*
 * vm/record/record.c - per-thread recording and the --hist / --trace writers
 * (see vm/record/record.h for the design).
 */
#include "vm/record/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/object/dict.h"
#include "vm/object/list.h"
#include "vm/runtime/memory.h"
#include "vm/object/str.h"
#include "vm/record/outfile.h"

void vm_record_enable(VmShared *vm, const char *hist_path, const char *trace_path) {
    VmRecorder *r = (VmRecorder *)vm_realloc(NULL, NULL, 0, sizeof *r);
    memset(r, 0, sizeof *r);
    r->hist_path = hist_path;
    r->trace_path = trace_path;
    r->start_ns = vm_now_ns(vm);
    r->user_hists = vm_list_new(vm, 0);
    vm->recorder = r;
    for (VmThread *t = vm->threads; t; t = t->next) vm_record_thread_start(t);
}

void vm_record_thread_start(VmThread *th) {
    if (!th->vm->recorder || th->rec) return;
    VmRecord *rec = (VmRecord *)vm_realloc(NULL, NULL, 0, sizeof *rec);
    memset(rec, 0, sizeof *rec);
    vm_hist_init(&rec->gil_wait);
    vm_hist_init(&rec->io_to_running);
    rec->ident = th->ident;
    th->rec = rec;
}

void vm_record_thread_exit(VmThread *th) {
    VmRecord *rec = th->rec;
    if (!rec) return;
    memcpy(rec->name, th->name, sizeof rec->name);
    rec->next = th->vm->recorder->finished;
    th->vm->recorder->finished = rec;
    th->rec = NULL;
}

static void free_record(VmRecord *r);

void vm_record_thread_discard(VmThread *th) {
    if (!th->rec) return;
    free_record(th->rec);
    th->rec = NULL;
}

static void push_event(VmRecord *rec, RecKind kind, uint64_t start, uint64_t dur,
                       char *label) {
    if (!rec->last || rec->last->count == REC_CHUNK) {
        RecChunk *c = (RecChunk *)vm_realloc(NULL, NULL, 0, sizeof(RecChunk));
        c->next = NULL;
        c->count = 0;
        if (rec->last) rec->last->next = c;
        else rec->first = c;
        rec->last = c;
    }
    RecEvent *e = &rec->last->events[rec->last->count++];
    e->start_ns = start;
    e->dur_ns = dur;
    e->kind = kind;
    e->label = label;
}

void vm_record_wait_begin(VmThread *th, uint64_t now) {
    if (th->rec) th->rec->wait_since = now;
}

void vm_record_acquired(VmThread *th, uint64_t now) {
    VmRecord *rec = th->rec;
    if (!rec) return;
    uint64_t waited = now - rec->wait_since;
    vm_hist_record(&rec->gil_wait, waited);
    if (rec->block_ended) {
        vm_hist_record(&rec->io_to_running, now - rec->block_ended);
        rec->block_ended = 0;
    }
    if (waited > 0) push_event(rec, REC_WAIT, rec->wait_since, waited, NULL);
}

void vm_record_released(VmThread *th, uint64_t held_since, uint64_t now) {
    if (th->rec) push_event(th->rec, REC_HOLD, held_since, now - held_since, NULL);
}

void vm_record_blocking_begin(VmThread *th, uint64_t now) {
    if (th->rec) th->rec->blocked_since = now;
}

void vm_record_blocking_end(VmThread *th, uint64_t now) {
    VmRecord *rec = th->rec;
    if (!rec) return;
    push_event(rec, REC_BLOCKED, rec->blocked_since, now - rec->blocked_since, NULL);
    rec->block_ended = now;
}

void vm_record_drop(VmThread *th, uint64_t now) {
    if (th->rec) push_event(th->rec, REC_DROP, now, 0, NULL);
}

void vm_record_mark(VmThread *th, const char *label) {
    if (!th->rec) return;
    size_t n = strlen(label);
    char *copy = (char *)vm_realloc(NULL, NULL, 0, n + 1);
    memcpy(copy, label, n + 1);
    push_event(th->rec, REC_MARK, vm_now_ns(th->vm), 0, copy);
}

void vm_record_user_hist(VmShared *vm, Value hist) {
    if (!vm->recorder) return;
    /* Any thread may make a histogram (in parallel under --gil none). */
    pthread_mutex_lock(&vm->sched_lock);
    vm_list_append(vm, vm->recorder->user_hists, hist);
    pthread_mutex_unlock(&vm->sched_lock);
}

/* ---- writers ----------------------------------------------------------------- */

static void hist_row(FILE *f, const char *name, const VmHist *h) {
    fprintf(f, "\"%s\",%llu,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f\n", name,
            (unsigned long long)h->count, h->count ? (double)h->min / 1e3 : 0.0,
            (double)vm_hist_percentile(h, 50) / 1e3, (double)vm_hist_percentile(h, 90) / 1e3,
            (double)vm_hist_percentile(h, 99) / 1e3, (double)vm_hist_percentile(h, 99.9) / 1e3,
            (double)h->max / 1e3, vm_hist_mean(h) / 1e3);
}

/* Every record: those of finished threads and those still attached. */
typedef struct {
    VmRecord **items;
    int count;
} RecList;

static RecList all_records(VmShared *vm) {
    RecList l = {NULL, 0};
    int n = 0;
    for (VmRecord *r = vm->recorder->finished; r; r = r->next) n++;
    for (VmThread *t = vm->threads; t; t = t->next)
        if (t->rec) n++;
    l.items = (VmRecord **)vm_realloc(NULL, NULL, 0, sizeof(VmRecord *) * (size_t)(n + 1));
    for (VmThread *t = vm->threads; t; t = t->next)
        if (t->rec) {
            memcpy(t->rec->name, t->name, sizeof t->rec->name);
            l.items[l.count++] = t->rec;
        }
    for (VmRecord *r = vm->recorder->finished; r; r = r->next) l.items[l.count++] = r;
    /* Sort by ident so output is in thread order. */
    for (int i = 1; i < l.count; i++) {
        VmRecord *x = l.items[i];
        int j = i;
        while (j > 0 && l.items[j - 1]->ident > x->ident) {
            l.items[j] = l.items[j - 1];
            j--;
        }
        l.items[j] = x;
    }
    return l;
}

static int write_hist(VmShared *vm, const RecList *l) {
    VmOutFile out;
    if (vm_outfile_open(&out, vm->recorder->hist_path) != 0) return -1;
    FILE *f = out.f;
    fprintf(f, "name,count,min_us,p50_us,p90_us,p99_us,p999_us,max_us,mean_us\n");
    VmHist wait, io;
    vm_hist_init(&wait);
    vm_hist_init(&io);
    for (int i = 0; i < l->count; i++) {
        vm_hist_merge(&wait, &l->items[i]->gil_wait);
        vm_hist_merge(&io, &l->items[i]->io_to_running);
    }
    hist_row(f, "gil_wait", &wait);
    hist_row(f, "io_to_running", &io);
    vm_hist_fini(&wait);
    vm_hist_fini(&io);
    ObjList *uh = vm->recorder->user_hists;
    for (int64_t i = 0; i < uh->count; i++) {
        ObjOpaque *o = (ObjOpaque *)VM_AS_OBJ(uh->items[i]);
        Value name;
        const char *n = "?";
        if (o->dict && vm_dict_get_str(o->dict, vm_str_intern_cstr(vm, "name"), &name) &&
            VM_IS_STR(name))
            n = VM_AS_CSTRING(name);
        if (o->data) hist_row(f, n, (const VmHist *)o->data);
    }
    return vm_outfile_commit(&out);
}

static void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static int write_trace(VmShared *vm, const RecList *l) {
    VmOutFile out;
    if (vm_outfile_open(&out, vm->recorder->trace_path) != 0) return -1;
    FILE *f = out.f;
    uint64_t t0 = vm->recorder->start_ns;
    VmPlatformReport rep;
    vm->platform.ops->report(vm->platform.ctx, &rep);
    fprintf(f, "{\"displayTimeUnit\": \"ns\", \"otherData\": {\"tool\": \"gilt\", "
               "\"policy\": \"%s\", \"switch_interval_s\": %g, \"mode\": \"%s\"",
            vm->options.gil_name, vm_switch_interval(vm),
            rep.mode);
    if (rep.virtual_time) {
        /* The run's whole model, so a trace says what produced it. */
        fprintf(f, ", \"seed\": %llu, \"cores\": %ld, \"os_model\": ",
                (unsigned long long)vm->options.seed, rep.cores);
        json_string(f, rep.os_model);
        fprintf(f, ", \"costs\": ");
        json_string(f, vm->cost_source ? vm->cost_source : "?");
    }
    fprintf(f, "},\n \"traceEvents\": [\n");
    fprintf(f, "  {\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 0, "
               "\"args\": {\"name\": \"gilt\"}}");
    for (int i = 0; i < l->count; i++) {
        VmRecord *r = l->items[i];
        fprintf(f, ",\n  {\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": %llu, "
                   "\"args\": {\"name\": ",
                (unsigned long long)r->ident);
        json_string(f, r->name[0] ? r->name : "thread");
        fprintf(f, "}}");
        for (RecChunk *c = r->first; c; c = c->next) {
            for (int k = 0; k < c->count; k++) {
                RecEvent *e = &c->events[k];
                double ts = (double)(e->start_ns - t0) / 1e3;
                switch (e->kind) {
                case REC_HOLD:
                case REC_WAIT:
                case REC_BLOCKED: {
                    const char *name = e->kind == REC_HOLD   ? "holding GIL"
                                       : e->kind == REC_WAIT ? "waiting for GIL"
                                                             : "running without GIL";
                    fprintf(f, ",\n  {\"name\": \"%s\", \"cat\": \"gil\", \"ph\": \"X\", "
                               "\"pid\": 1, \"tid\": %llu, \"ts\": %.3f, \"dur\": %.3f}",
                            name, (unsigned long long)r->ident, ts, (double)e->dur_ns / 1e3);
                    break;
                }
                case REC_DROP:
                case REC_MARK:
                    fprintf(f, ",\n  {\"name\": ");
                    json_string(f, e->kind == REC_DROP ? "drop request" : e->label);
                    fprintf(f, ", \"cat\": \"%s\", \"ph\": \"i\", \"s\": \"t\", \"pid\": 1, "
                               "\"tid\": %llu, \"ts\": %.3f}",
                            e->kind == REC_DROP ? "gil" : "mark",
                            (unsigned long long)r->ident, ts);
                    break;
                }
            }
        }
    }
    fprintf(f, "\n]}\n");
    return vm_outfile_commit(&out);
}

int vm_record_finish(VmShared *vm) {
    if (!vm->recorder) return 0;
    /* Close the spans still open: the main thread holds the GIL now.  The
     * thread list and the finished records are the sched_lock's (daemon
     * threads may be finishing).  Under --gil none every thread "holds" it
     * and daemons still run: only the main thread's span is closed, and a
     * running daemon's record is read as it grows (README.md, --gil none). */
    uint64_t now = vm_now_ns(vm);
    pthread_mutex_lock(&vm->sched_lock);
    for (VmThread *t = vm->threads; t; t = t->next)
        if (t->rec && (!vm->heap.concurrent || t == vm->main_thread) && t->holds_gil)
            vm_record_released(t, t->gil_stats.acquired_at_ns, now);
    RecList l = all_records(vm);
    pthread_mutex_unlock(&vm->sched_lock);
    int rc = 0;
    if (vm->recorder->hist_path && write_hist(vm, &l) != 0) rc = -1;
    if (vm->recorder->trace_path && write_trace(vm, &l) != 0) rc = -1;
    vm_realloc(NULL, l.items, 0, 0);
    return rc;
}

static void free_record(VmRecord *r) {
    vm_hist_fini(&r->gil_wait);
    vm_hist_fini(&r->io_to_running);
    RecChunk *c = r->first;
    while (c) {
        RecChunk *next = c->next;
        for (int k = 0; k < c->count; k++) vm_realloc(NULL, c->events[k].label, 0, 0);
        vm_realloc(NULL, c, 0, 0);
        c = next;
    }
    vm_realloc(NULL, r, 0, 0);
}

void vm_record_free(VmShared *vm) {
    VmRecorder *rec = vm->recorder;
    if (!rec) return;
    for (VmThread *t = vm->threads; t; t = t->next)
        if (t->rec) {
            free_record(t->rec);
            t->rec = NULL;
        }
    VmRecord *r = rec->finished;
    while (r) {
        VmRecord *next = r->next;
        free_record(r);
        r = next;
    }
    vm_realloc(NULL, rec, 0, 0);
    vm->recorder = NULL;
}
