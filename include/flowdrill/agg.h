/*
 * agg.h - the aggregator: projects flow records onto every live table.
 *
 * Records go into the conversation table (flow_table.h) as they arrive; once per second of
 * data time (and whenever asked) the aggregator *flushes*: each conversation that moved
 * since the last flush pushes its deltas into the host, pair, port, application and
 * protocol tables and into that second's history bucket. So the per-packet cost is one
 * compact entry, and the wider tables are fed from deltas once per tick.
 *
 * Time is "data seconds": Unix seconds taken from the records (capture timestamps, or the
 * arrival clock the caller stamps on live data). The aggregator's `now` only moves forward;
 * a record older than `now` is booked into `now` (its bytes still count), a newer one
 * advances `now` (after a flush). Rates are computed over complete seconds before `now`.
 *
 * A flow export is booked as it arrives, its bytes spread evenly over its [first, last]
 * seconds (so a long flow reported at its active timeout does not make a spike at the moment
 * it arrives; seconds older than the history only reach the totals): into its conversation
 * row at once; into its pair row at the next flush, and into its two host rows after that
 * (stat_defer.h: held bookings applied grouped by index region, so that a row is missed in
 * the cache about once per flush, not once per record; whether the pair is new, a new peer of
 * both hosts, is known once it is booked); and into its port, application, protocol, exporter
 * and interface rows and the totals' history at the next flush too, summed with every other
 * record that shares all of those rows (export_class.h), so that each row is booked once per
 * flush for all of them.
 * Its rows are found by hashing, not kept on the conversation: an exported conversation
 * holds no references (stat_table_ref), so its rows stay evictable. A conversation seen both
 * by capture and by export is counted in its rows' flows once for each.
 *
 * Memory is bounded by agg_limits: a full conversation table evicts the stalest of a few
 * entries under a clock hand; a full stat table evicts a small unreferenced row the same way,
 * or folds the new key into an "other" row. All counted. For flow exports full tables also
 * admit new keys: a new host or pair gets a row on its second sighting (doorkeeper.h) or at
 * once if its record is above the mean row, a new conversation only if its record is larger
 * than the conversation to be evicted next; the others are counted as folded (a conversation
 * not admitted still reaches every other table).
 * No I/O, no libuv, no curses.
 */
#ifndef FLOWDRILL_AGG_H
#define FLOWDRILL_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/flow.h"
#include "flowdrill/flow_table.h"
#include "flowdrill/stat_table.h"
#include "flowdrill/localnet.h"
#include "flowdrill/service.h"
#include "flowdrill/sink.h"

enum agg_table {
    AGG_T_HOST = 0,
    AGG_T_PAIR,
    AGG_T_PORT,
    AGG_T_APP,
    AGG_T_PROTO,
    AGG_T_EXPORTER, /* flow exports: per (exporter address, domain) */
    AGG_T_IFACE,    /* flow exports: per (exporter, domain, interface index) */
    AGG_T_FLOW,     /* conversations (the flow table; every other is a stat table) */
    AGG_T_MAX
};

/* Name used on the command line and in JSON ("host", "pair", ...). */
const char *agg_table_name(enum agg_table t);
/* Parse a name; returns -1 when unknown. */
int agg_table_parse(const char *name);

struct agg_limits {
    uint32_t max_flows;    /* conversations (--max-flows) */
    uint32_t max_hosts;
    uint32_t max_pairs;
    uint32_t max_ports;
    uint32_t max_apps;
    uint32_t idle_timeout; /* seconds without packets before a conversation expires */
};

/* Defaults: 250k flows, 100k hosts, 100k pairs, 16k ports, 8k apps, 60 s; exporters 4k and
 * interfaces 64k (not configurable). */
void agg_limits_default(struct agg_limits *l);

struct agg_totals {
    uint64_t bytes, packets, flows;
    uint64_t bytes_dir[5], packets_dir[5]; /* by enum flow_dir */
    uint32_t active_flows;
    uint64_t evicted[AGG_T_MAX]; /* entries evicted (merged into "other") */
    uint64_t folded[AGG_T_MAX];  /* new keys folded into "other" because the table was full */
    uint64_t expired_flows;
    uint32_t rows[AGG_T_MAX];    /* current rows */
    size_t memory;               /* bytes held by all tables */
    uint32_t now_sec, start_sec;
};

struct agg;

/*
 * Create an aggregator. `ln` and `svc` are borrowed and must outlive it. `seed` randomizes
 * hashing (pass a random value in production, a constant in tests).
 */
struct agg *agg_new(const struct agg_limits *lim, const struct localnet *ln,
                    const struct service_db *svc, uint64_t seed);
void agg_free(struct agg *a);

/* Add records (the sink entry point). */
void agg_add(struct agg *a, const struct flow_rec *recs, size_t n);

/* Make sure the exporter table lists exporter domain (exporter, domain), with nothing booked
 * when it has sent no record yet: a sender of templates only (a template flood) then has a
 * row, on which the collector's refusals show (the Exporters view, --by exporter). Never
 * evicts a row: a full table lists it nowhere. */
void agg_exporter_seen(struct agg *a, const struct flow_addr *exporter, uint32_t domain);

/* A sink that feeds agg_add. */
struct flow_sink agg_sink(struct agg *a);

/* Where captured conversations' per-second deltas go (the threat detectors, detect.h): at
 * every flush, each conversation that moved makes one record per direction that moved, with
 * that direction's packets and bytes since the last flush, its TCP flags so far (the OR over
 * the conversation's life), the flush's second as first_us = last_us, and no
 * FLOW_REC_EXPORTED. ICMP and ICMPv6 conversations, whose key holds no message type, and flow
 * exports (booked without deltas) make none. Records come in batches during agg_flush and
 * agg_advance. An empty sink (emit NULL) turns it off, the default. */
void agg_set_delta_sink(struct agg *a, struct flow_sink s);

/* Move data time forward to `now_sec` (flushes; expires idle conversations). No-op if older. */
void agg_advance(struct agg *a, uint32_t now_sec);

/* Push every pending delta into the tables now (at the current second). */
void agg_flush(struct agg *a);

/* End of input (offline file): flush and close the current second so rates include it. */
void agg_finish(struct agg *a);

void agg_totals(const struct agg *a, struct agg_totals *out);

/* Bytes in the last `secs` complete seconds, all traffic. */
uint64_t agg_total_window(const struct agg *a, uint32_t secs);

uint32_t agg_now(const struct agg *a);

/* Accessors for the snapshot module (topn.c); borrowed, valid while `a` lives and until the
 * next agg_add/agg_advance. */
struct stat_table *agg_stat_table(const struct agg *a, enum agg_table t);
struct flow_table *agg_flow_table(const struct agg *a);
const struct service_db *agg_services(const struct agg *a);
/* The keys a conversation books under (so a derived view names rows exactly as the live
 * tables do): agg_key.h, with agg_services(a). */

/* Flow exports: the interface rows (AGG_T_IFACE indexes; [0] input, [1] output, STAT_NONE
 * when unknown) of the export that last reported conversation `flow_idx`. False when no
 * export named an interface for it (captured conversations, exporters sending index 0). */
bool agg_flow_ifaces(const struct agg *a, uint32_t flow_idx, uint32_t ifrow[2]);

#endif
