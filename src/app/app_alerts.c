/*
 * app_alerts.c - the program's side of the threat detectors. Flow exports, and ICMP packets
 * (whose message type the conversation table does not keep), reach them record by record,
 * through a thin sink in front of the history store's and the aggregator's. Every other
 * captured packet reaches them summed: once a second, as the aggregator's deltas of each
 * conversation that moved (agg_set_delta_sink), so that their cost follows conversations per
 * second, not packets. They move with the same clock (app_advance). With --alerts-only each
 * new alert is printed as one JSON line the moment the batch that raised it has been looked
 * at, and flushed, for a pipe.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "flowdrill/alert_fmt.h"

#include "app_priv.h"

/* Whether a record reaches the detectors here (the deltas will not carry it). */
static inline bool alerts_direct(const struct flow_rec *r)
{
    return (r->flags & FLOW_REC_EXPORTED) || r->proto == 1 || r->proto == 58;
}

static void app_alerts_emit(void *ctx, const struct flow_rec *recs, size_t n)
{
    struct app *a = ctx;
    /* the records the deltas will not carry, in runs, kept in order; a capture's batch is
     * mostly TCP/UDP, skipped in a tight loop */
    for (size_t i = 0; i < n;) {
        while (i < n && !alerts_direct(&recs[i]))
            i++;
        size_t from = i;
        while (i < n && alerts_direct(&recs[i]))
            i++;
        if (i > from)
            detect_add(a->det, recs + from, i - from);
    }
    flow_sink_emit(&a->det_inner, recs, n);
}

static void app_alerts_deltas(void *ctx, const struct flow_rec *recs, size_t n)
{
    struct app *a = ctx;
    detect_add(a->det, recs, n);
}

static void app_alerts_print(void *ctx, const struct detect_alert *al)
{
    struct app *a = ctx;
    if (a->alerts_broken)
        return;
    if (alert_fmt_line(stdout, a->det, al) != 0 || fflush(stdout) != 0) {
        a->alerts_broken = true; /* the reader went away: stop at the next turn of the loop */
        if (errno != EPIPE)
            fprintf(stderr, "flowdrill: cannot write the alert: %s\n", strerror(errno));
    }
}

void app_alerts_open(struct app *a, uint64_t seed)
{
    if (a->o->no_alerts)
        return;
    a->det = detect_new(&a->o->detect, seed);
    if (!a->det)
        return;
    if (a->o->alerts_only)
        detect_on_raise(a->det, app_alerts_print, a);
    struct flow_sink deltas = {app_alerts_deltas, a};
    agg_set_delta_sink(a->agg, deltas);
}

struct flow_sink app_sink(struct app *a)
{
    struct flow_sink inner = app_store_sink(a);
    if (!a->det)
        return inner;
    a->det_inner = inner;
    struct flow_sink k = {app_alerts_emit, a};
    return k;
}

void app_alerts_close(struct app *a)
{
    detect_free(a->det);
    a->det = NULL;
}
