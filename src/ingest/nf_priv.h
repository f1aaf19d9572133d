/*
 * nf_priv.h - what the flow-export decoders share inside src/ingest (not a public header).
 *
 * nf_collector.c owns the collector: config, counters, the exporter table, sequence and
 * sampling state, clock-skew estimates, and record emission. nf5.c, nf9.c, ipfix.c and sflow.c
 * decode their formats and call back into it; template.c holds the v9/IPFIX template cache and the
 * data held while a template is missing.
 */
#ifndef FLOWDRILL_INGEST_NF_PRIV_H
#define FLOWDRILL_INGEST_NF_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/nf.h"
#include "wire.h"

#define NF_BATCH 64
#define NF_MAX_SAMPLERS 16 /* sampler ids remembered per exporter domain */

struct nf_templates; /* template.c */
struct sflow_ifs;    /* sflow_counters.c */

/* One exporter observation domain: (address, port, domain). */
/* One sFlow data source (an interface or VLAN the agent samples): its flow samples'
 * sequence, and its latest sample pool and drops. */
#define NF_SFLOW_SOURCES 16
struct nf_sflow_source {
    uint32_t id;          /* source_id word: type << 24 | index */
    uint32_t seq;         /* of its latest flow sample */
    uint32_t pool, drops; /* of its latest flow sample */
    uint32_t last;        /* the exporter's sf_samples when it was last seen: the oldest goes */
};

struct nf_exporter {
    struct flow_addr addr;
    uint16_t port;
    uint32_t domain;
    uint8_t version;
    bool used;
    /* sequence numbers (v5: flows, v9: export packets, IPFIX: data records) */
    bool seq_valid;
    uint32_t seq_next;
    /* sampling: exporter-wide (v5 header, options data without sampler id) and per sampler */
    uint32_t sampling;                  /* 0 = none announced */
    uint32_t sampler_id[NF_MAX_SAMPLERS];
    uint32_t sampler_rate[NF_MAX_SAMPLERS];
    uint32_t n_samplers;
    /* clocks */
    uint32_t last_uptime_ms;            /* v5/v9 sysUptime of the last datagram */
    bool uptime_valid;
    int64_t skew_us;                    /* exporter clock minus arrival clock (smoothed) */
    bool skew_valid;
    /* statistics */
    uint64_t datagrams, records, bytes, packets, seq_lost, restarts;
    int64_t last_seen_us, newest_flow_us;
    uint64_t family[NF_FAM_MAX]; /* dual-family template records by rule (nf.h) */
    uint64_t no_packets;         /* flow records without a packet counter */
    uint64_t tpl_refused, tpl_recycled, held_dropped; /* template.c: quotas and fair shares */
    /* sFlow agents (sflow.c) */
    uint64_t sf_samples, sf_counter_samples;
    uint64_t sf_pool, sf_drops; /* summed over its data sources' latest flow samples */
    uint64_t sf_samples_lost;   /* gaps in each data source's flow sample sequence */
    struct nf_sflow_source sf_src[NF_SFLOW_SOURCES];
    uint32_t n_sf_src;
    uint32_t sf_uptime_ms;      /* agent uptime of the latest datagram */
};

struct nf_collector {
    struct nf_config cfg;
    struct flow_sink sink;
    struct nf_counters ctr;
    struct nf_templates *tpl;            /* owned */
    struct sflow_ifs *sf_ifs;            /* owned; NULL until the first counter sample */
    struct nf_exporter *exp;             /* cfg.max_exporters * cfg.max_domains slots */
    size_t n_exp;
    int64_t now_us;                      /* arrival time of the datagram being decoded */
    struct flow_rec batch[NF_BATCH + 1]; /* records waiting for the sink (+1: nf_slot) */
    size_t n_batch;
};

static inline void nf_count(struct nf_collector *c, enum nf_reason r)
{
    c->ctr.count[r]++;
}

/*
 * The state of (addr, port, domain), created on first sight. Returns NULL when the exporter
 * already has cfg.max_domains domains (NF_R_DOMAIN_LIMIT counted). When the table is full
 * the least recently seen exporter is evicted (NF_R_EXPORTER_LIMIT), with its templates.
 */
struct nf_exporter *nf_exporter_get(struct nf_collector *c, const struct flow_addr *addr,
                                    uint16_t port, uint32_t domain, uint8_t version);

/*
 * Sequence accounting for one message: `seq` is the header's sequence number, `count` how
 * far it advances the sequence (v5: flows in it; v9: 1 per export packet; IPFIX: data records
 * in it). Counts gaps into seq_lost (NF_R_SEQ_GAP), tolerates small reordering, and treats a
 * large jump backwards as a restart (NF_R_EXPORTER_RESTART). Call after decoding the records.
 */
void nf_seq_update(struct nf_collector *c, struct nf_exporter *e, uint32_t seq, uint32_t count);

/* v5/v9: feed the sysUptime of a datagram; a decrease means the exporter restarted, and its
 * templates are marked stale. Returns true on restart. */
bool nf_uptime_update(struct nf_collector *c, struct nf_exporter *e, uint32_t uptime_ms);

/* Export time from the header (Unix µs) versus arrival: updates the skew estimate. */
void nf_clock_update(struct nf_collector *c, struct nf_exporter *e, int64_t export_us);

/* Sampling announced by the exporter: sampler_id 0 = exporter-wide. An interval of 0 is
 * counted (NF_R_SAMPLING_ZERO) and treated as 1. */
void nf_sampling_set(struct nf_collector *c, struct nf_exporter *e, uint32_t sampler_id,
                     uint32_t interval);

/* The rate in force for a record (force_sampling > sampler's > exporter-wide >
 * default_sampling > 1). */
uint32_t nf_sampling_get(const struct nf_collector *c, const struct nf_exporter *e,
                         uint32_t sampler_id);

/*
 * Emit one decoded record. The decoder fills addresses, ports, proto, tcp_flags, af,
 * in_if/out_if, AS numbers, bytes and packets as counted by the exporter (unscaled), and
 * first_us/last_us on the exporter's clock. nf_emit scales bytes/packets by the sampling rate
 * in force (saturating), shifts the times by the skew estimate, clamps last >= first and
 * last <= now, stamps exporter/domain/source_id/FLOW_REC_EXPORTED/sampling, updates the
 * exporter's statistics and batches it for the sink.
 */
void nf_emit(struct nf_collector *c, struct nf_exporter *e, struct flow_rec *r,
             uint32_t sampler_id);

/* Where the next emitted record will go, with room for one more after it: a decoder that
 * fills one or two records there and passes each to nf_emit saves a copy (and the stall of
 * reading back, a vector at a time, a record just written a field at a time). Valid until
 * the next nf_emit or nf_flush. */
static inline struct flow_rec *nf_slot(struct nf_collector *c)
{
    return &c->batch[c->n_batch];
}

/* Hand batched records to the sink (called at the end of every datagram). */
void nf_flush(struct nf_collector *c);

/* Format decoders (each returns 0, or a negative value when the datagram was dropped whole;
 * `w` covers exactly the datagram). */
int nf5_decode(struct nf_collector *c, const struct flow_addr *addr, uint16_t port,
               struct wire *w);
int nf9_decode(struct nf_collector *c, const struct flow_addr *addr, uint16_t port,
               struct wire *w);
int ipfix_decode(struct nf_collector *c, const struct flow_addr *addr, uint16_t port,
                 struct wire *w);
/* sFlow v5 (sflow.c; its contracts are in sflow.h). */
int sflow_decode(struct nf_collector *c, const struct flow_addr *addr, uint16_t port,
                 struct wire *w);

/* Template cache (template.c): created with the collector. */
struct nf_templates *nf_templates_new(const struct nf_config *cfg);
void nf_templates_free(struct nf_templates *t);
/* Expire templates and held data (arrival clock, µs). */
void nf_templates_tick(struct nf_collector *c, int64_t now_us);
/* Templates held for one exporter domain. */
uint32_t nf_templates_count(const struct nf_templates *t, const struct nf_exporter *e);
/* Forget (evicted exporter) or mark stale (restart) every template of a domain. */
void nf_templates_drop(struct nf_templates *t, const struct nf_exporter *e);
void nf_templates_mark_stale(struct nf_templates *t, const struct nf_exporter *e);

#endif
