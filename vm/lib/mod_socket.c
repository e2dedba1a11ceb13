/*
 * vm/lib/mod_socket.c - the `socket` module subset gilt's experiments need:
 * socketpair() and socket objects with send, sendall, recv, close.
 *
 * These are real AF_UNIX stream sockets, and every call that can block
 * releases the GIL around the system call (vm_blocking_begin/end), which is
 * what makes the convoy effect of bpo-7946 visible: the echo thread's
 * recv() returns, and then it must wait for the GIL held by a CPU-bound
 * thread.
 *
 * gilt has no bytes type, so data is str, sent as UTF-8 and received as
 * str (recv(n) reads at most n bytes and never splits a UTF-8 character it
 * could complete).  A CPython program would use b'...' literals here: that
 * difference is documented, and socket programs live in gilt_only/.
 *
 * The streams are the platform's (vm/platform/platform.h): under --sim the
 * pair is virtual, so sends and receives happen at virtual times, blocking
 * the simulated thread (never the host) exactly where a real recv() would.
 * A blocking call interrupted by Ctrl-C raises KeyboardInterrupt.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "vm/lib/builtins.h"
#include "vm/object/dict.h"
#include "vm/object/list.h"
#include "vm/runtime/memory.h"
#include "vm/object/ops.h"
#include "vm/object/str.h"

typedef struct {
    VmStream *stream;  /* NULL once closed */
    bool open;
} SockData;

/* Close one end: the peer reads end of stream. */
static void sock_close(VmShared *vm, SockData *d) {
    if (!d->open) return;
    d->open = false;
    vm->platform.ops->stream_close(vm->platform.ctx, d->stream);
    d->stream = NULL;
}

static void sock_finalize(VmShared *vm, ObjOpaque *self) {
    SockData *d = self->data;
    if (!d) return;
    /* A collected socket is dropped: no simulated time may pass inside
     * the collector. */
    if (d->open) vm->platform.ops->stream_drop(vm->platform.ctx, d->stream);
    vm_realloc(NULL, d, sizeof *d, 0);
    self->data = NULL;
}

static SockData *sock_of(VmThread *th, Value *a, int n) {
    if (n < 1 || !vm_is_kind(a[0], OBJ_OPAQUE) ||
        ((ObjOpaque *)VM_AS_OBJ(a[0]))->finalize != sock_finalize) {
        vm_raise(th, th->vm->cls.TypeError, "expected a socket");
        return NULL;
    }
    SockData *d = ((ObjOpaque *)VM_AS_OBJ(a[0]))->data;
    if (!d->open) {
        vm_raise(th, th->vm->cls.OSError, "[Errno 9] Bad file descriptor");
        return NULL;
    }
    return d;
}

static bool os_error(VmThread *th, int err) {
    return vm_raise(th, th->vm->cls.OSError, "[Errno %d] %s", err, strerror(err));
}

static Value sock_new(VmShared *vm, ObjClass *cls, VmStream *stream) {
    SockData *d = (SockData *)vm_realloc(NULL, NULL, 0, sizeof *d);
    d->stream = stream;
    d->open = true;
    ObjOpaque *o = vm_opaque_new(vm, cls, d);
    o->finalize = sock_finalize;
    return VM_OBJ(o);
}

/* A blocking call came back with EINTR: true (go on) unless Ctrl-C is
 * pending, in which case KeyboardInterrupt is raised once the GIL is back. */
static bool keep_waiting(VmThread *th) {
    return !(atomic_load(&th->eval_breaker) & VM_BREAK_SIGNAL);
}

static bool interrupted(VmThread *th) {
    atomic_fetch_and(&th->eval_breaker, ~(uint32_t)VM_BREAK_SIGNAL);
    return vm_raise(th, th->vm->cls.KeyboardInterrupt, "%s", "");
}

/* Send all of buf, releasing the GIL while the kernel may block. */
static bool send_bytes(VmThread *th, SockData *d, const char *buf, size_t len, bool all,
                       size_t *sent) {
    const VmPlatform *p = &th->vm->platform;
    size_t done = 0;
    int err;
    vm_blocking_begin(th, VM_BLOCK_SEND);
    for (;;) {
        size_t k = 0;
        err = p->ops->stream_send(p->ctx, d->stream, buf + done, len - done, all, &k);
        done += k;
        if (err != EINTR || !keep_waiting(th)) break;
        if (!all && done) break;
    }
    vm_blocking_end(th);
    if (err == EINTR) return interrupted(th);
    if (err) return os_error(th, err);
    *sent = done;
    return true;
}

static bool s_send(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r, bool all) {
    (void)kw;
    SockData *d = sock_of(th, a, n);
    if (!d) return false;
    if (n != 2 || !VM_IS_STR(a[1]))
        return vm_raise(th, th->vm->cls.TypeError,
                        "a str is required (gilt sockets carry str as UTF-8)");
    /* Copy the data out: the string must not be touched without the GIL. */
    ObjStr *s = VM_AS_STR(a[1]);
    size_t len = (size_t)s->length;
    char *copy = (char *)vm_realloc(NULL, NULL, 0, len + 1);
    memcpy(copy, s->chars, len);
    size_t sent = 0;
    bool ok = send_bytes(th, d, copy, len, all, &sent);
    vm_realloc(NULL, copy, len + 1, 0);
    if (!ok) return false;
    *r = all ? VM_NONE : VM_INT((int64_t)sent);
    return true;
}

static bool s_send1(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    return s_send(th, a, n, kw, r, false);
}

static bool s_sendall(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    return s_send(th, a, n, kw, r, true);
}

static bool s_recv(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    SockData *d = sock_of(th, a, n);
    if (!d) return false;
    int64_t want;
    if (n != 2 || !vm_to_int64(th, a[1], &want)) {
        if (n != 2) return vm_raise(th, th->vm->cls.TypeError, "recv() takes one argument (bufsize)");
        return false;
    }
    if (want < 0) return vm_raise(th, th->vm->cls.ValueError, "negative buffersize in recv");
    if (!vm_heap_check(th, (size_t)want)) return false;
    char *buf = (char *)vm_realloc(NULL, NULL, 0, (size_t)want + 4);
    const VmPlatform *p = &th->vm->platform;
    size_t k = 0;
    int err;
    vm_blocking_begin(th, VM_BLOCK_RECV);
    /* A fixed text, so publishing the pointer is all (see VmThread). */
    atomic_store_explicit(&th->waiting_for, "data on a socket (recv)", memory_order_relaxed);
    do {
        err = p->ops->stream_recv(p->ctx, d->stream, buf, (size_t)want, &k);
    } while (err == EINTR && keep_waiting(th));
    /* Complete a UTF-8 character cut at the end, if more bytes come. */
    if (!err && k > 0) {
        size_t start = k - 1;
        while (start > 0 && ((unsigned char)buf[start] & 0xC0) == 0x80) start--;
        size_t need = (size_t)vm_utf8_seq_len((unsigned char)buf[start]);
        while (!err && k - start < need) {
            size_t extra = 0;
            err = p->ops->stream_recv(p->ctx, d->stream, buf + k, need - (k - start), &extra);
            if (err == EINTR && keep_waiting(th)) err = 0;
            if (!err && extra == 0) break;   /* end of stream */
            k += extra;
        }
    }
    atomic_store_explicit(&th->waiting_for, NULL, memory_order_relaxed);
    vm_blocking_end(th);
    if (err) {
        vm_realloc(NULL, buf, 0, 0);
        return err == EINTR ? interrupted(th) : os_error(th, err);
    }
    *r = VM_OBJ(vm_str_copy(th->vm, buf, k));
    vm_realloc(NULL, buf, 0, 0);
    return true;
}

static bool s_close(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (n < 1 || !vm_is_kind(a[0], OBJ_OPAQUE))
        return vm_raise(th, th->vm->cls.TypeError, "expected a socket");
    SockData *d = ((ObjOpaque *)VM_AS_OBJ(a[0]))->data;
    if (d) sock_close(th->vm, d);
    *r = VM_NONE;
    return true;
}

static bool s_fileno(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    SockData *d = sock_of(th, a, n);
    if (!d) return false;
    *r = VM_INT(th->vm->platform.ops->stream_fileno(th->vm->platform.ctx, d->stream));
    return true;
}

static bool s_enter(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)kw;
    if (!sock_of(th, a, n)) return false;
    *r = a[0];
    return true;
}

static bool s_exit(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    if (!s_close(th, a, n, kw, r)) return false;
    *r = VM_FALSE;
    return true;
}

static bool m_socketpair(VmThread *th, Value *a, int n, ObjTuple *kw, Value *r) {
    (void)a; (void)kw;
    if (n) return vm_raise(th, th->vm->cls.TypeError, "gilt's socketpair() takes no arguments");
    VmStream *ends[2];
    int err = th->vm->platform.ops->stream_pair(th->vm->platform.ctx, ends);
    if (err) return os_error(th, err);
    ObjModule *mod;
    Value cls;
    ObjClass *sc = th->vm->cls.object;
    if (vm_module_lookup(th->vm, "socket", &mod) &&
        vm_module_get(mod, vm_str_intern_cstr(th->vm, "socket"), &cls))
        sc = VM_AS_CLASS(cls);
    Value pair[2] = {sock_new(th->vm, sc, ends[0]), VM_NONE};
    vm_push_root(th, pair[0]);
    pair[1] = sock_new(th->vm, sc, ends[1]);
    vm_pop_roots(th, 1);
    *r = VM_OBJ(vm_tuple_from(th->vm, pair, 2));
    return true;
}

ObjModule *vm__mod_socket_init(VmShared *vm) {
    ObjModule *m = vm_module_new(vm, "socket");
    ObjClass *sc = vm_class_new_builtin(vm, "socket", vm->cls.object, "socket");
    vm_define_native(vm, sc->dict, "send", s_send1);
    vm_define_native(vm, sc->dict, "sendall", s_sendall);
    vm_define_native(vm, sc->dict, "recv", s_recv);
    vm_define_native(vm, sc->dict, "close", s_close);
    vm_define_native(vm, sc->dict, "fileno", s_fileno);
    vm_define_native(vm, sc->dict, "__enter__", s_enter);
    vm_define_native(vm, sc->dict, "__exit__", s_exit);
    vm_module_set(vm, m, "socket", VM_OBJ(sc));
    vm_module_set(vm, m, "socketpair", VM_OBJ(vm_native_new(vm, "socketpair", m_socketpair)));
    vm_module_set(vm, m, "AF_UNIX", VM_INT(AF_UNIX));
    vm_module_set(vm, m, "SOCK_STREAM", VM_INT(SOCK_STREAM));
    return m;
}
