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
#include "vm/record/stats.h"

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

static RecEvent *push_event(VmRecord *rec, RecKind kind, uint64_t start, uint64_t dur) {
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
    e->u.ident = 0;
    return e;
}

void vm_record_wait_begin(VmThread *th, uint64_t now) {
    if (th->rec) th->rec->wait_since = now;
}

void vm_record_acquired(VmThread *th, uint64_t now, uint64_t previous_holder) {
    VmRecord *rec = th->rec;
    if (!rec) return;
    uint64_t waited = now - rec->wait_since;
    vm_hist_record(&rec->gil_wait, waited);
    if (rec->blocked_on) {
        /* Back from a blocking call: its span, then the wait. */
        push_event(rec, REC_OFF, rec->blocked_since, rec->block_ended - rec->blocked_since)
            ->u.site = rec->blocked_on;
        rec->blocked_on = NULL;
        vm_hist_record(&rec->io_to_running, now - rec->block_ended);
    }
    if (waited > 0) push_event(rec, REC_WAIT, rec->wait_since, waited);
    for (int i = 0; i < rec->asks; i++)
        push_event(rec, REC_ASK, rec->ask_ns[i], rec->ask_target[i])->u.ident = rec->ask_number[i];
    rec->asks = 0;
    /* A request left from an earlier hold is stale unless the policy kept
     * the drop for this one (a request made while the lock was on its way
     * here). */
    if (!(atomic_load(&th->eval_breaker) & VM_BREAK_GIL_DROP)) atomic_store(&th->drop_asked, 0);
    /* The hold itself is pushed when it ends; who held the lock before is
     * kept meanwhile in the slot the hold will fill. */
    rec->previous_holder = previous_holder;
}

void vm_record_released(VmThread *th, uint64_t held_since, uint64_t now) {
    VmRecord *rec = th->rec;
    if (!rec) return;
    push_event(rec, REC_HOLD, held_since, now - held_since)->u.ident = rec->previous_holder;
    /* Until the next acquisition says otherwise. */
    rec->previous_holder = th->ident;
}

/* ---- where a thread left the GIL ---------------------------------------- */

static uint64_t hash_str(uint64_t h, const char *s) {
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static uint64_t site_hash(VmBlockOn on, const char *name, const char *at) {
    return hash_str(hash_str(14695981039346656037ull ^ (uint64_t)on, name), at);
}

static char *copy_str(const char *s) {
    size_t n = strlen(s) + 1;
    return memcpy(vm_realloc(NULL, NULL, 0, n), s, n);
}

/* The record's one site for (on, name, at), made on first use (an
 * allocation once per distinct place, not per call). */
static const RecSite *intern_site(VmRecord *rec, VmBlockOn on, const char *name, const char *at) {
    if (2 * (rec->site_count + 1) > rec->site_slots) {
        size_t n = rec->site_slots ? 2 * rec->site_slots : 16;
        RecSite **slots = vm_realloc(NULL, NULL, 0, n * sizeof *slots);
        memset(slots, 0, n * sizeof *slots);
        for (size_t i = 0; i < rec->site_slots; i++) {
            RecSite *x = rec->sites[i];
            if (!x) continue;
            size_t j = site_hash(x->on, x->name, x->at) & (n - 1);
            while (slots[j]) j = (j + 1) & (n - 1);
            slots[j] = x;
        }
        vm_realloc(NULL, rec->sites, 0, 0);
        rec->sites = slots;
        rec->site_slots = n;
    }
    size_t mask = rec->site_slots - 1, j = site_hash(on, name, at) & mask;
    for (; rec->sites[j]; j = (j + 1) & mask) {
        RecSite *x = rec->sites[j];
        if (x->on == on && strcmp(x->name, name) == 0 && strcmp(x->at, at) == 0) return x;
    }
    RecSite *x = vm_realloc(NULL, NULL, 0, sizeof *x);
    x->on = on;
    x->name = copy_str(name);
    x->at = copy_str(at);
    rec->sites[j] = x;
    rec->site_count++;
    return x;
}

/* Where th is in the program: its innermost frame outside gilt's own
 * Python modules (<gilt:threading>, <gilt:queue>), as file:line in at;
 * returns the qualified name of the outermost of the gilt frames above
 * that one (the threading or queue call the program made: Thread.join,
 * Queue.get), or NULL if the program called the native itself. */
static const char *where(const VmThread *th, char *at, size_t size) {
    const char *entry = NULL;
    snprintf(at, size, "?");
    for (int i = th->frame_count - 1; i >= 0; i--) {
        const VmFrame *f = &th->frames[i];
        const ObjCode *code = f->code;
        const char *file = code->filename ? code->filename->chars : "?";
        if (strncmp(file, "<gilt:", 6) == 0 && i > 0) {
            const ObjStr *q = code->qualname ? code->qualname : code->name;
            entry = q ? q->chars : entry;
            continue;
        }
        int32_t pc = (int32_t)(f->ip - code->code) - 1;
        snprintf(at, size, "%s:%d", file,
                 pc >= 0 && pc < code->count ? code->lines[pc] : code->firstline);
        break;
    }
    return entry;
}

void vm_record_blocking_begin(VmThread *th, VmBlockOn on, uint64_t now) {
    VmRecord *rec = th->rec;
    if (!rec) return;
    static const char *const what[] = {
        [VM_BLOCK_SLEEP] = "sleep",   [VM_BLOCK_IO] = "gilt.io",
        [VM_BLOCK_RECV] = "recv",     [VM_BLOCK_SEND] = "send",
        [VM_BLOCK_LOCK] = "lock acquire", [VM_BLOCK_NATIVE] = "",
    };
    char at[256], name[192];
    const char *entry = where(th, at, sizeof at);
    if (on == VM_BLOCK_NATIVE) snprintf(name, sizeof name, "running without the GIL");
    else snprintf(name, sizeof name, "blocked on %s", entry ? entry : what[on]);
    rec->blocked_since = now;
    rec->blocked_on = intern_site(rec, on, name, at);
}

void vm_record_blocking_end(VmThread *th, uint64_t now) {
    if (th->rec) th->rec->block_ended = now;
}

void vm_record_drop(VmThread *th, uint64_t now) {
    if (th->rec) push_event(th->rec, REC_DROP, now, 0)->u.ident = atomic_exchange(&th->drop_asked, 0);
}

void vm_record_drop_asked(VmThread *th, VmThread *target) {
    VmRecord *rec = th->rec;
    if (!rec) return;
    uint64_t number = atomic_fetch_add(&th->vm->recorder->asks, 1) + 1;
    /* The first request since the target's hold began is the one it
     * honours (later ones find the drop already asked for). */
    uint64_t none = 0;
    if (target) atomic_compare_exchange_strong(&target->drop_asked, &none, number);
    if (rec->asks < REC_ASKS) {
        rec->ask_ns[rec->asks] = vm_now_ns(th->vm);
        rec->ask_number[rec->asks] = number;
        rec->ask_target[rec->asks++] = target ? target->ident : 0;
    }
}

void vm_record_mark(VmThread *th, const char *label) {
    if (!th->rec) return;
    push_event(th->rec, REC_MARK, vm_now_ns(th->vm), 0)->u.label = copy_str(label);
}

void vm_record_user_hist(VmShared *vm, Value hist) {
    if (!vm->recorder) return;
    /* Any thread may make a histogram (in parallel under --gil none). */
    pthread_mutex_lock(&vm->sched_lock);
    vm_list_append(vm, vm->recorder->user_hists, hist);
    pthread_mutex_unlock(&vm->sched_lock);
}

uint64_t vm_record_end_ns(VmShared *vm) {
    VmRecorder *r = vm->recorder;
    if (!r) return vm_now_ns(vm);
    if (!r->ended) {
        r->end_ns = vm_now_ns(vm);
        r->ended = true;
    }
    return r->end_ns;
}

/* ---- writers ----------------------------------------------------------------- */

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

/* Nanoseconds as microseconds with three decimals: exact, so that spans
 * that meet in the record meet in the file. */
static void put_us(FILE *f, uint64_t ns) {
    fprintf(f, "%llu.%03llu", (unsigned long long)(ns / 1000), (unsigned long long)(ns % 1000));
}

/* A percentile or bound in microseconds, an empty cell for an empty
 * histogram. */
static void us_cell(FILE *f, const VmHist *h, uint64_t ns) {
    fputc(',', f);
    if (h->count) put_us(f, ns);
}

/* A --hist row up to its count: the run's settings (vm/record/stats.h),
 * kind, name, count. */
static void hist_row_start(FILE *f, VmShared *vm, const VmPlatformReport *rep, const char *kind,
                           const char *name, uint64_t count) {
    vm_stats_settings_cells(f, vm, rep);
    vm_stats_model_cells(f, vm, rep);
    fprintf(f, ",%s,", kind);
    vm_stats_csv_string(f, name);
    fprintf(f, ",%llu", (unsigned long long)count);
}

/* One histogram: its summary row, then one row per non-empty bucket. */
static void hist_rows(FILE *f, VmShared *vm, const VmPlatformReport *rep, const char *name,
                      const VmHist *h) {
    hist_row_start(f, vm, rep, "summary", name, h->count);
    us_cell(f, h, h->min);
    static const double pcts[] = {50, 90, 99, 99.9};
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++)
        us_cell(f, h, vm_hist_percentile(h, pcts[i]));
    us_cell(f, h, h->max);
    fputc(',', f);
    if (h->count) fprintf(f, "%.3f", vm_hist_mean(h) / 1e3);
    fprintf(f, ",,\n");
    int it = 0;
    uint64_t lo, hi, count;
    while (vm_hist_bucket_next(h, &it, &lo, &hi, &count)) {
        hist_row_start(f, vm, rep, "bucket", name, count);
        fprintf(f, ",,,,,,,,");
        put_us(f, lo);
        fputc(',', f);
        put_us(f, hi + 1);
        fputc('\n', f);
    }
}

static int write_hist(VmShared *vm, const RecList *l) {
    VmOutFile out;
    if (vm_outfile_open(&out, vm->recorder->hist_path) != 0) return -1;
    FILE *f = out.f;
    VmPlatformReport rep;
    vm->platform.ops->report(vm->platform.ctx, &rep);
    vm_stats_settings_header(f);
    vm_stats_model_header(f);
    fprintf(f, ",kind,name,count,min_us,p50_us,p90_us,p99_us,p999_us,max_us,mean_us,"
               "lower_us,upper_us\n");
    VmHist wait, io;
    vm_hist_init(&wait);
    vm_hist_init(&io);
    for (int i = 0; i < l->count; i++) {
        vm_hist_merge(&wait, &l->items[i]->gil_wait);
        vm_hist_merge(&io, &l->items[i]->io_to_running);
    }
    hist_rows(f, vm, &rep, "gil_wait", &wait);
    hist_rows(f, vm, &rep, "io_to_running", &io);
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
        if (o->data) hist_rows(f, vm, &rep, n, (const VmHist *)o->data);
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

/* ---- flows: arrows between threads, worked out from the records --------- */

typedef struct {
    uint64_t start, end;
} Span;

/* A thread's holds in order (they never overlap on one thread). */
typedef struct {
    Span *items;
    size_t count;
} Holds;

static Holds holds_of(const VmRecord *r) {
    Holds h = {NULL, 0};
    size_t cap = 0;
    for (RecChunk *c = r->first; c; c = c->next)
        for (int k = 0; k < c->count; k++) {
            const RecEvent *e = &c->events[k];
            if (e->kind != REC_HOLD) continue;
            if (h.count == cap) {
                size_t n = cap ? 2 * cap : 64;
                h.items = vm_realloc(NULL, h.items, 0, n * sizeof *h.items);
                cap = n;
            }
            h.items[h.count++] = (Span){e->start_ns, e->start_ns + e->dur_ns};
        }
    return h;
}

static int find_record(const RecList *l, uint64_t ident) {
    int lo = 0, hi = l->count - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (l->items[mid]->ident == ident) return mid;
        if (l->items[mid]->ident < ident) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1;
}

/* A point of a span 1 ns in from its start or its end: a flow's end placed
 * on a boundary, where one span ends and the next begins, would bind to
 * either in a viewer. */
static uint64_t inside(Span s, bool at_end) {
    if (s.end - s.start < 2) return s.start;
    return at_end ? s.end - 1 : s.start + 1;
}

typedef struct {
    FILE *f;
    uint64_t t0;
    uint64_t next_id;
} TraceOut;

static void flow(TraceOut *o, const char *name, const char *cat, uint64_t from_tid,
                 uint64_t from_ns, uint64_t to_tid, uint64_t to_ns) {
    uint64_t id = ++o->next_id;
    fprintf(o->f, ",\n  {\"name\": \"%s\", \"cat\": \"%s\", \"ph\": \"s\", \"id\": %llu, "
                  "\"pid\": 1, \"tid\": %llu, \"ts\": ",
            name, cat, (unsigned long long)id, (unsigned long long)from_tid);
    put_us(o->f, from_ns - o->t0);
    fprintf(o->f, "},\n  {\"name\": \"%s\", \"cat\": \"%s\", \"ph\": \"f\", \"bp\": \"e\", "
                  "\"id\": %llu, \"pid\": 1, \"tid\": %llu, \"ts\": ",
            name, cat, (unsigned long long)id, (unsigned long long)to_tid);
    put_us(o->f, to_ns - o->t0);
    fputc('}', o->f);
}

/* GIL hand-offs: from the end of the hold of the thread that had the lock
 * before (REC_HOLD's u.ident) to the start of the hold that took it over,
 * when the two are different threads and the first had let go by then
 * (under --gil none holds overlap, and nothing is handed off). */
static void handoff_flows(TraceOut *o, const RecList *l, const Holds *holds) {
    for (int i = 0; i < l->count; i++) {
        const VmRecord *r = l->items[i];
        for (RecChunk *c = r->first; c; c = c->next)
            for (int k = 0; k < c->count; k++) {
                const RecEvent *e = &c->events[k];
                if (e->kind != REC_HOLD || e->u.ident == 0 || e->u.ident == r->ident) continue;
                int p = find_record(l, e->u.ident);
                if (p < 0) continue;
                const Holds *ph = &holds[p];
                /* The previous holder's last hold that ended by then. */
                size_t lo = 0, hi = ph->count;
                while (lo < hi) {
                    size_t mid = (lo + hi) / 2;
                    if (ph->items[mid].end <= e->start_ns) lo = mid + 1;
                    else hi = mid;
                }
                if (lo == 0) continue;
                if (lo < ph->count && ph->items[lo].start < e->start_ns) continue;
                Span to = {e->start_ns, e->start_ns + e->dur_ns};
                flow(o, "GIL hand-off", "gil.handoff", e->u.ident, inside(ph->items[lo - 1], true),
                     r->ident, inside(to, false));
            }
    }
}

/* Drop requests: from a waiter's request to the forced release it caused
 * (the release carries the request's number).  Requests the holder never
 * honoured (it blocked first) have no arrow.  In virtual time a request
 * may be stamped a few nanoseconds after the release it caused (threads
 * see each other's memory at once, their clocks differ by what they last
 * charged): its arrow then leaves at the release's time. */
static void drop_flows(TraceOut *o, const RecList *l, uint64_t numbered) {
    typedef struct {
        uint64_t asker, ts;
    } Ask;
    Ask *asks = vm_realloc(NULL, NULL, 0, sizeof *asks * (size_t)(numbered + 1));
    memset(asks, 0, sizeof *asks * (size_t)(numbered + 1));
    for (int i = 0; i < l->count; i++)
        for (RecChunk *c = l->items[i]->first; c; c = c->next)
            for (int k = 0; k < c->count; k++) {
                const RecEvent *e = &c->events[k];
                if (e->kind == REC_ASK && e->u.ident <= numbered)
                    asks[e->u.ident] = (Ask){l->items[i]->ident, e->start_ns};
            }
    for (int i = 0; i < l->count; i++) {
        const VmRecord *r = l->items[i];
        Span hold = {0, 0};
        for (RecChunk *c = r->first; c; c = c->next)
            for (int k = 0; k < c->count; k++) {
                const RecEvent *e = &c->events[k];
                if (e->kind == REC_HOLD) hold = (Span){e->start_ns, e->start_ns + e->dur_ns};
                if (e->kind != REC_DROP || e->u.ident == 0 || e->u.ident > numbered) continue;
                const Ask *a = &asks[e->u.ident];
                if (!a->asker) continue;   /* made in a wait that never ended */
                uint64_t to = inside(hold, true);
                flow(o, "drop request", "gil.drop", a->asker, a->ts < to ? a->ts : to, r->ident, to);
            }
    }
    vm_realloc(NULL, asks, 0, 0);
}

/* ---- the trace ---------------------------------------------------------- */

/* Each state a name, a category and one of the trace viewer's reserved
 * colours, the same in every trace (Perfetto colours by name). */
static void span(FILE *f, uint64_t t0, uint64_t tid, const RecEvent *e) {
    const char *name, *cat, *cname;
    switch (e->kind) {
    case REC_HOLD:
        name = "holding the GIL", cat = "gil.holding", cname = "thread_state_running";
        break;
    case REC_WAIT:
        name = "waiting for the GIL", cat = "gil.waiting", cname = "thread_state_runnable";
        break;
    default:
        name = e->u.site->name;
        if (e->u.site->on == VM_BLOCK_NATIVE) cat = "nogil", cname = "generic_work";
        else cat = "blocked", cname = "thread_state_iowait";
        break;
    }
    fprintf(f, ",\n  {\"name\": ");
    json_string(f, name);
    fprintf(f, ", \"cat\": \"%s\", \"cname\": \"%s\", \"ph\": \"X\", \"pid\": 1, \"tid\": %llu, "
               "\"ts\": ",
            cat, cname, (unsigned long long)tid);
    put_us(f, e->start_ns - t0);
    fprintf(f, ", \"dur\": ");
    put_us(f, e->dur_ns);
    if (e->kind == REC_OFF) {
        fprintf(f, ", \"args\": {\"at\": ");
        json_string(f, e->u.site->at);
        fputc('}', f);
    }
    fputc('}', f);
}

static void instant(FILE *f, uint64_t t0, uint64_t tid, const RecEvent *e) {
    fprintf(f, ",\n  {\"name\": ");
    json_string(f, e->kind == REC_DROP ? "forced release"
                   : e->kind == REC_ASK ? "drop request"
                                        : e->u.label);
    fprintf(f, ", \"cat\": \"%s\", ", e->kind == REC_MARK ? "mark" : "gil.drop");
    if (e->kind != REC_MARK)
        fprintf(f, "\"cname\": \"%s\", ", e->kind == REC_DROP ? "terrible" : "bad");
    fprintf(f, "\"ph\": \"i\", \"s\": \"t\", \"pid\": 1, \"tid\": %llu, \"ts\": ",
            (unsigned long long)tid);
    put_us(f, e->start_ns - t0);
    if (e->kind == REC_ASK) fprintf(f, ", \"args\": {\"holder\": %llu}", (unsigned long long)e->dur_ns);
    fputc('}', f);
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
    fprintf(f, "  {\"name\": \"process_name\", \"cat\": \"__metadata\", \"ph\": \"M\", "
               "\"pid\": 1, \"tid\": 0, \"args\": {\"name\": \"gilt\"}}");
    for (int i = 0; i < l->count; i++) {
        VmRecord *r = l->items[i];
        fprintf(f, ",\n  {\"name\": \"thread_name\", \"cat\": \"__metadata\", \"ph\": \"M\", "
                   "\"pid\": 1, \"tid\": %llu, \"args\": {\"name\": ",
                (unsigned long long)r->ident);
        json_string(f, r->name[0] ? r->name : "thread");
        fprintf(f, "}}");
        for (RecChunk *c = r->first; c; c = c->next)
            for (int k = 0; k < c->count; k++) {
                const RecEvent *e = &c->events[k];
                if (e->kind == REC_HOLD || e->kind == REC_WAIT || e->kind == REC_OFF)
                    span(f, t0, r->ident, e);
                else
                    instant(f, t0, r->ident, e);
            }
    }
    TraceOut o = {f, t0, 0};
    Holds *holds = vm_realloc(NULL, NULL, 0, sizeof *holds * (size_t)(l->count + 1));
    for (int i = 0; i < l->count; i++) holds[i] = holds_of(l->items[i]);
    handoff_flows(&o, l, holds);
    drop_flows(&o, l, atomic_load(&vm->recorder->asks));
    for (int i = 0; i < l->count; i++) vm_realloc(NULL, holds[i].items, 0, 0);
    vm_realloc(NULL, holds, 0, 0);
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
    uint64_t now = vm_record_end_ns(vm);
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
        for (int k = 0; k < c->count; k++)
            if (c->events[k].kind == REC_MARK) vm_realloc(NULL, c->events[k].u.label, 0, 0);
        vm_realloc(NULL, c, 0, 0);
        c = next;
    }
    for (size_t i = 0; i < r->site_slots; i++)
        if (r->sites[i]) {
            vm_realloc(NULL, r->sites[i]->name, 0, 0);
            vm_realloc(NULL, r->sites[i]->at, 0, 0);
            vm_realloc(NULL, r->sites[i], 0, 0);
        }
    vm_realloc(NULL, r->sites, 0, 0);
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
