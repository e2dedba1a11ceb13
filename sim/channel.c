/*
 * sim/channel.c - byte streams between simulated threads (sim/channel.h).
 */
#include "sim/channel.h"

#include "sim/alloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct SimChannel {
    char *buf;
    size_t start, len, cap;   /* buffered bytes are buf[start, start+len) */
    bool closed;
    int refs;
    SimWaitQueue readers;
};

SimChannel *sim_channel_new(void) {
    SimChannel *c = sim_alloc_zeroed(1, sizeof *c);
    c->refs = 2;
    return c;
}

void sim_channel_unref(SimChannel *c) {
    if (--c->refs > 0) return;
    free(c->buf);
    free(c);
}

void sim_channel_write(Sim *s, SimChannel *c, const char *data, size_t len) {
    /* The bytes exist for the reader only once the send has cost its
     * time: charge first, catch up with everything due before the end of
     * the call, then append. */
    sim_cpu(s, sim_config(s)->msg_ns + len * SIM_CHANNEL_BYTE_PS / 1000);
    sim_sync(s);
    if (c->start + c->len + len > c->cap) {
        /* Compact, then grow. */
        if (c->len) memmove(c->buf, c->buf + c->start, c->len);
        c->start = 0;
        size_t cap = c->cap ? c->cap : 256;
        while (cap < c->len + len) cap *= 2;
        c->buf = sim_realloc(c->buf, cap);
        c->cap = cap;
    }
    memcpy(c->buf + c->start + c->len, data, len);
    c->len += len;
    sim_wake_all(s, &c->readers);
}

size_t sim_channel_read(Sim *s, SimChannel *c, char *buf, size_t max) {
    /* Entering the call costs a system call before the buffer is seen. */
    sim_cpu(s, sim_config(s)->syscall_ns);
    sim_sync(s);
    while (c->len == 0 && !c->closed && max > 0) sim_block_on(s, &c->readers, SIM_FOREVER);
    size_t n = c->len < max ? c->len : max;
    memcpy(buf, c->buf + c->start, n);
    c->start += n;
    c->len -= n;
    sim_cpu(s, n * SIM_CHANNEL_BYTE_PS / 1000);
    return n;
}

void sim_channel_close(Sim *s, SimChannel *c) {
    sim_cpu(s, sim_config(s)->syscall_ns);
    sim_sync(s);
    c->closed = true;
    sim_wake_all(s, &c->readers);
}

size_t sim_channel_pending(const SimChannel *c) { return c->len; }
