/*
 * sink.h - seam 1: where decoders put the records they produce.
 *
 * A decoder never knows who consumes its records. It calls `emit` with a batch of records
 * (n >= 1) that are valid only during the call; the consumer copies what it keeps. Batches
 * let the aggregator prefetch its hash slots (see flow_table.h). Tests use a recording sink.
 */
#ifndef FLOWDRILL_SINK_H
#define FLOWDRILL_SINK_H

#include <stddef.h>

#include "flowdrill/flow.h"

struct flow_sink {
    /* Consume n records. `recs` is borrowed for the duration of the call only. */
    void (*emit)(void *ctx, const struct flow_rec *recs, size_t n);
    void *ctx;
};

static inline void flow_sink_emit(const struct flow_sink *s, const struct flow_rec *recs, size_t n)
{
    if (n)
        s->emit(s->ctx, recs, n);
}

#endif
