/*
 * sim/channel.h - a byte stream between simulated threads: one direction
 * of a virtual socket (socket.socketpair under --sim).
 *
 * A write appends at once and wakes blocked readers, who then pay the
 * simulator's wake-up latency (the loopback delivery); the writer pays the
 * per-message cost (msg_ns) plus a per-byte copy cost.  A read takes what is buffered,
 * blocking only while the buffer is empty and the writing end is open; at
 * end of stream it returns 0, as recv() does.
 */
#ifndef GILT_SIM_CHANNEL_H
#define GILT_SIM_CHANNEL_H

#include <stddef.h>

#include "sim/sched.h"

typedef struct SimChannel SimChannel;

/* Virtual cost of copying one byte through a channel. */
#define SIM_CHANNEL_BYTE_PS 100

/* A new channel with two references (its two sockets). */
SimChannel *sim_channel_new(void);
/* Drop one reference; the last frees it. */
void sim_channel_unref(SimChannel *c);
void sim_channel_write(Sim *s, SimChannel *c, const char *data, size_t len);
/* Block until data or end of stream; copy at most max bytes. */
size_t sim_channel_read(Sim *s, SimChannel *c, char *buf, size_t max);
/* The writing end is closed: readers see end of stream. */
void sim_channel_close(Sim *s, SimChannel *c);
/* Bytes buffered (for recv's UTF-8 completion). */
size_t sim_channel_pending(const SimChannel *c);

#endif /* GILT_SIM_CHANNEL_H */
