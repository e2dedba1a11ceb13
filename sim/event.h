/*
 * sim/event.h - the simulator's event heap: a binary min-heap of events
 * ordered by (time, seq).
 *
 * seq is handed out by the heap in insertion order, so two events at the
 * same virtual time always come out in the order they were scheduled - the
 * tie-break that makes a simulation replay bit for bit (libuv's timer
 * start_id, CONVENTIONS.md item 9).
 */
#ifndef GILT_SIM_EVENT_H
#define GILT_SIM_EVENT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t time_ns;   /* virtual time the event fires */
    uint64_t seq;       /* insertion order, the tie-break */
    int kind;           /* what happens (the scheduler's enum) */
    void *target;       /* whom it happens to */
} SimEvent;

typedef struct {
    SimEvent *items;
    int64_t count;
    int64_t capacity;
    uint64_t next_seq;
} SimEventHeap;

void sim_event_heap_init(SimEventHeap *h);
void sim_event_heap_fini(SimEventHeap *h);
/* Schedule an event; returns its seq. */
uint64_t sim_event_push(SimEventHeap *h, uint64_t time_ns, int kind, void *target);
/* Remove the earliest event into *out; false when empty. */
bool sim_event_pop(SimEventHeap *h, SimEvent *out);
/* The earliest event without removing it; false when empty. */
bool sim_event_peek(const SimEventHeap *h, SimEvent *out);

#endif /* GILT_SIM_EVENT_H */
