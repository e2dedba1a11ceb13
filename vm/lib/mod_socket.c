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
 * Under --sim the pair is virtual: two sim/channel.c byte streams, so
 * sends and receives happen at virtual times, blocking the simulated
 * thread (never the host) exactly where a real recv() would.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim/channel.h"
#include "vm/lib/builtins.h"
#include "vm/object/dict.h"
#include "vm/object/list.h"
#include "vm/runtime/memory.h"
#include "vm/object/ops.h"
#include "vm/object/str.h"

typedef struct {
    int fd;            /* real socket; -1 once closed (or virtual) */
    SimChannel *in;    /* --sim: what this end reads, or NULL */
    SimChannel *out;   /* --sim: what this end writes */
    bool open;
} SockData;

/* Close one end: the peer reads end of stream. */
static void sock_close(VmShared *vm, SockData *d) {
    if (!d->open) return;
    d->open = false;
    if (d->fd >= 0) {
        close(d->fd);
        d->fd = -1;
    }
    if (d->out) {
        sim_channel_close(vm->sim, d->out);
        sim_channel_unref(d->out);
        sim_channel_unref(d->in);
        d->in = d->out = NULL;
    }
}

static void sock_finalize(VmShared *vm, ObjOpaque *self) {
    SockData *d = self->data;
    if (!d) return;
    /* A collected virtual socket just drops its channels: no simulated
     * time may pass inside the collector. */
    if (d->out) {
        sim_channel_unref(d->out);
        sim_channel_unref(d->in);
        d->in = d->out = NULL;
    }
    sock_close(vm, d);
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

static Value sock_new(VmShared *vm, ObjClass *cls, int fd, SimChannel *in, SimChannel *out) {
    SockData *d = (SockData *)vm_realloc(NULL, NULL, 0, sizeof *d);
    d->fd = fd;
    d->in = in;
    d->out = out;
    d->open = true;
    ObjOpaque *o = vm_opaque_new(vm, cls, d);
    o->finalize = sock_finalize;
    return VM_OBJ(o);
}

/* Send all of buf, releasing the GIL while the kernel may block. */
static bool send_bytes(VmThread *th, SockData *d, const char *buf, size_t len, bool all,
                       size_t *sent) {
    size_t done = 0;
    int err = 0;
    int fd = d->fd;
    vm_blocking_begin(th);
    if (d->out) {
        /* Virtual: the buffer is unbounded, so every byte goes at once. */
        sim_channel_write(th->vm->sim, d->out, buf, len);
        done = len;
    }
    while (done < len) {
        ssize_t k = send(fd, buf + done, len - done, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR) continue;
            err = errno;
            break;
        }
        done += (size_t)k;
        if (!all) break;
    }
    vm_blocking_end(th);
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
    ssize_t k;
    int err = 0;
    vm_blocking_begin(th);
    th->waiting_for = "data on a socket (recv)";
    if (d->in) {
        k = (ssize_t)sim_channel_read(th->vm->sim, d->in, buf, (size_t)want);
    } else {
        do {
            k = recv(d->fd, buf, (size_t)want, 0);
        } while (k < 0 && errno == EINTR);
        if (k < 0) err = errno;
    }
    /* Complete a UTF-8 character cut at the end, if more bytes are ready. */
    if (k > 0) {
        ssize_t start = k - 1;
        while (start > 0 && ((unsigned char)buf[start] & 0xC0) == 0x80) start--;
        int need = vm_utf8_seq_len((unsigned char)buf[start]);
        ssize_t have = k - start;
        if (have < need && d->in) {
            k += (ssize_t)sim_channel_read(th->vm->sim, d->in, buf + k, (size_t)(need - have));
        } else if (have < need) {
            ssize_t extra = recv(d->fd, buf + k, (size_t)(need - have), MSG_WAITALL);
            if (extra > 0) k += extra;
        }
    }
    th->waiting_for = NULL;
    vm_blocking_end(th);
    if (err) {
        vm_realloc(NULL, buf, 0, 0);
        return os_error(th, err);
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
    *r = VM_INT(d->fd);
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
    int fds[2] = {-1, -1};
    SimChannel *ab = NULL, *ba = NULL;
    if (th->vm->sim) {
        ab = sim_channel_new();
        ba = sim_channel_new();
    } else if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
        return os_error(th, errno);
    }
    Value mod, cls;
    ObjClass *sc = th->vm->cls.object;
    ObjStr *name = vm_str_intern_cstr(th->vm, "socket");
    if (vm_dict_get_str(th->vm->modules, name, &mod) &&
        vm_module_get((ObjModule *)VM_AS_OBJ(mod), name, &cls))
        sc = VM_AS_CLASS(cls);
    Value pair[2] = {sock_new(th->vm, sc, fds[0], ba, ab), VM_NONE};
    vm_push_root(th, pair[0]);
    pair[1] = sock_new(th->vm, sc, fds[1], ab, ba);
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
