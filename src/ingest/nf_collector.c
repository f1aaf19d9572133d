/*
 * nf_collector.c - the flow-export collector core: configuration, reason names, version
 * dispatch, the exporter table, sequence/uptime/clock/sampling state, and record emission.
 *
 * The format decoders (nf5.c, nf9.c, ipfix.c) parse; this file owns every piece of state they
 * share. Depends on wire.h for the dispatch peek, xalloc.h, and template.c for the template
 * cache (created and freed here, dropped or marked stale when an exporter goes away or
 * restarts). No clock of its own: every time comes from nf_collector_input/tick.
 *
 * Exporter table layout: cfg.max_exporters groups of cfg.max_domains slots. One (address,
 * port) owns one group; its domains fill the group's slots from the front and are only ever
 * removed together (eviction), so slot 0 of a group is in use exactly when the group is.
 * Lookup is linear over the groups, then over the group's domains: it runs once per datagram.
 */
#include "config.h"

#include "flowdrill/nf.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "flowdrill/xalloc.h"
#include "nf_priv.h"
#include "sflow.h"

/* Sequence numbers: a forward jump of at most this many messages' worth (times the message's
 * own count) is loss; anything further is taken as a restart. */
#define NF_SEQ_GAP_MAX_MSGS 1000000u
/* A message this many messages' worth behind the expected number is reordering. */
#define NF_SEQ_REORDER_MSGS 1000u
/* sysUptime: a decrease of at most this much is reordering, not a restart. */
#define NF_UPTIME_REORDER_MS 10000u
/* sysUptime: passing 2^32 ms with at most this much time between two datagrams is a wrap. */
#define NF_UPTIME_WRAP_MS (6u * 3600u * 1000u)
/* Clock skew: a sample this far from the estimate replaces it (the exporter's clock was set). */
#define NF_SKEW_STEP_US INT64_C(10000000)
/* Clock skew: each sample moves the estimate by 1/NF_SKEW_EWMA of the difference. */
#define NF_SKEW_EWMA 8

static const char *const nf_reason_names[NF_R_MAX] = {
    [NF_R_SHORT] = "short",
    [NF_R_BAD_VERSION] = "bad_version",
    [NF_R_V5_BAD_COUNT] = "v5_bad_count",
    [NF_R_BAD_LENGTH] = "bad_length",
    [NF_R_BAD_SET_LEN] = "bad_set_len",
    [NF_R_RESERVED_SET] = "reserved_set",
    [NF_R_TPL_BAD] = "template_bad",
    [NF_R_TPL_TOO_MANY_FIELDS] = "template_too_many_fields",
    [NF_R_TPL_LIMIT] = "template_limit",
    [NF_R_TPL_RECYCLED] = "template_recycled",
    [NF_R_FIELD_LEN_MISMATCH] = "field_len_mismatch",
    [NF_R_NO_TEMPLATE] = "no_template",
    [NF_R_HELD] = "held",
    [NF_R_RECORD_TRUNCATED] = "record_truncated",
    [NF_R_SEQ_GAP] = "seq_gap",
    [NF_R_EXPORTER_RESTART] = "exporter_restart",
    [NF_R_EXPORTER_LIMIT] = "exporter_limit",
    [NF_R_DOMAIN_LIMIT] = "domain_limit",
    [NF_R_REJECTED_EXPORTER] = "rejected_exporter",
    [NF_R_SAMPLING_ZERO] = "sampling_zero",
    [NF_R_TRAILING_BYTES] = "trailing_bytes",
    [NF_R_TRUNCATED_DATAGRAM] = "truncated_datagram",
    [NF_R_SFLOW_BAD_ADDR] = "sflow_bad_address",
    [NF_R_SFLOW_SAMPLE_LEN] = "sflow_sample_length",
    [NF_R_SFLOW_TOO_MANY] = "sflow_too_many",
    [NF_R_SFLOW_ZERO_LEN] = "sflow_zero_length",
    [NF_R_SFLOW_NESTED_LEN] = "sflow_nested_length",
    [NF_R_SFLOW_HEADER_LEN] = "sflow_header_length",
    [NF_R_SFLOW_HEADER_UNDECODED] = "sflow_header_undecoded",
    [NF_R_SFLOW_UNKNOWN_FORMAT] = "sflow_unknown_format",
    [NF_R_SFLOW_IF_LIMIT] = "sflow_interface_limit",
};

static const char *const nf_family_names[NF_FAM_MAX] = {
    [NF_FAM_V4_ONLY] = "v4_only",
    [NF_FAM_V6_ONLY] = "v6_only",
    [NF_FAM_BOTH_IPVER] = "both_ip_version",
    [NF_FAM_BOTH_V4] = "both_default_v4",
    [NF_FAM_NEITHER] = "neither",
};

const char *nf_family_rule_name(enum nf_family_rule r)
{
    return (unsigned)r < NF_FAM_MAX ? nf_family_names[r] : "?";
}

void nf_config_default(struct nf_config *c)
{
    memset(c, 0, sizeof *c);
    c->default_sampling = 0;
    c->force_sampling = 0;
    c->template_timeout_s = 1800;
    c->max_exporters = 256;
    c->max_domains = 16;
    c->max_templates = 4096;
    c->max_template_bytes = (size_t)4 << 20;
    c->max_held_bytes = (size_t)1 << 20;
    c->tpl_quota = 1024;
    c->tpl_quota_bytes = (size_t)1 << 20;
    c->held_quota_bytes = (size_t)256 << 10;
    c->held_timeout_s = 10;
    c->source_id = 0;
}

const char *nf_reason_name(enum nf_reason r)
{
    if ((unsigned)r >= NF_R_MAX)
        return "unknown";
    return nf_reason_names[r];
}

/*
 * Drops are reasons where bytes of this datagram (or a template that later data needs) were
 * discarded here. Notes are everything else: oddities that lost nothing of what arrived
 * (held data, trailing bytes, a zero sampling rate, an opaque field), upstream loss measured
 * by sequence numbers (its size is nf_counters.seq_lost), restarts and evictions of state
 * (the records they cost show up as no_template later).
 */
bool nf_reason_is_drop(enum nf_reason r)
{
    switch (r) {
    case NF_R_HELD:
    case NF_R_SEQ_GAP:
    case NF_R_EXPORTER_RESTART:
    case NF_R_EXPORTER_LIMIT:
    case NF_R_SAMPLING_ZERO:
    case NF_R_TRAILING_BYTES:
    case NF_R_FIELD_LEN_MISMATCH:
    case NF_R_TPL_RECYCLED:
    case NF_R_SFLOW_UNKNOWN_FORMAT:
    case NF_R_SFLOW_IF_LIMIT:
        return false;
    default:
        return (unsigned)r < NF_R_MAX;
    }
}

/* ---- saturating arithmetic (G7) ---- */

static uint64_t nf_sat_add_u64(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t nf_sat_mul_u64(uint64_t a, uint32_t b)
{
    if (b != 0 && a > UINT64_MAX / b)
        return UINT64_MAX;
    return a * b;
}

static int64_t nf_sat_sub_i64(int64_t a, int64_t b)
{
    if (b > 0 && a < INT64_MIN + b)
        return INT64_MIN;
    if (b < 0 && a > INT64_MAX + b)
        return INT64_MAX;
    return a - b;
}

/* ---- collector lifecycle and dispatch ---- */

struct nf_collector *nf_collector_new(const struct nf_config *cfg, struct flow_sink sink)
{
    struct nf_collector *c = xcalloc(1, sizeof *c);

    c->cfg = *cfg;
    /* A zero cap would make every datagram evict; one slot is the smallest working table. */
    if (c->cfg.max_exporters == 0)
        c->cfg.max_exporters = 1;
    if (c->cfg.max_domains == 0)
        c->cfg.max_domains = 1;
    c->sink = sink;
    c->exp = xcalloc((size_t)c->cfg.max_exporters * c->cfg.max_domains, sizeof *c->exp);
    c->tpl = nf_templates_new(&c->cfg);
    return c;
}

void nf_collector_free(struct nf_collector *c)
{
    if (!c)
        return;
    nf_flush(c);
    nf_templates_free(c->tpl);
    sflow_ifs_free(c->sf_ifs);
    free(c->exp);
    free(c);
}

int nf_collector_input(struct nf_collector *c, const struct flow_addr *addr, uint16_t port,
                       const uint8_t *buf, size_t len, int64_t now_us)
{
    struct wire w;
    uint16_t version;
    int rc;

    c->ctr.datagrams++;
    c->now_us = now_us;
    wire_init(&w, buf, len);
    /* An empty datagram (DX-01) is a datagram too: counted, never "no more data". */
    if (!wire_peek_u16(&w, 0, &version)) {
        nf_count(c, NF_R_SHORT);
        return -EINVAL;
    }
    switch (version) {
    case 5:
        rc = nf5_decode(c, addr, port, &w);
        break;
    case 9:
        rc = nf9_decode(c, addr, port, &w);
        break;
    case 10:
        rc = ipfix_decode(c, addr, port, &w);
        break;
    case 0: /* sFlow: a 32-bit version */
        rc = sflow_decode(c, addr, port, &w);
        break;
    default:
        nf_count(c, NF_R_BAD_VERSION);
        rc = -EPROTONOSUPPORT;
        break;
    }
    nf_flush(c);
    return rc;
}

/*
 * Silent exporters are not expired: the table is capped and evicts the least recently seen
 * exporter when a new one arrives, and an exporter that went quiet stays visible (with its
 * last_seen_us) in nf_collector_exporters, which is what the UI wants to show.
 */
void nf_collector_tick(struct nf_collector *c, int64_t now_us)
{
    nf_templates_tick(c, now_us);
    nf_flush(c);
}

const struct nf_counters *nf_collector_counters(const struct nf_collector *c)
{
    return &c->ctr;
}

static size_t nf_slots(const struct nf_collector *c)
{
    return (size_t)c->cfg.max_exporters * c->cfg.max_domains;
}

size_t nf_collector_exporters(const struct nf_collector *c, struct nf_exporter_info *out,
                              size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < nf_slots(c); i++) {
        const struct nf_exporter *e = &c->exp[i];
        struct nf_exporter_info *o;

        if (!e->used)
            continue;
        if (n < max && out) {
            o = &out[n];
            memset(o, 0, sizeof *o);
            o->addr = e->addr;
            o->port = e->port;
            o->domain = e->domain;
            o->version = e->version;
            o->datagrams = e->datagrams;
            o->records = e->records;
            o->bytes = e->bytes;
            o->packets = e->packets;
            o->seq_lost = e->seq_lost;
            o->restarts = e->restarts;
            o->templates = nf_templates_count(c->tpl, e);
            o->tpl_refused = e->tpl_refused;
            o->tpl_recycled = e->tpl_recycled;
            o->held_dropped = e->held_dropped;
            o->sampling = nf_sampling_get(c, e, 0);
            o->last_seen_us = e->last_seen_us;
            o->newest_flow_us = e->newest_flow_us;
            o->skew_us = e->skew_valid ? e->skew_us : 0;
            memcpy(o->family, e->family, sizeof o->family);
            o->no_packets = e->no_packets;
            o->sflow_samples = e->sf_samples;
            o->sflow_counter_samples = e->sf_counter_samples;
            o->sflow_pool = e->sf_pool;
            o->sflow_drops = e->sf_drops;
            o->sflow_samples_lost = e->sf_samples_lost;
        }
        n++;
    }
    return n;
}

/* ---- exporter table ---- */

static bool nf_same_sender(const struct nf_exporter *e, const struct flow_addr *addr, uint16_t port)
{
    return e->port == port && memcmp(e->addr.b, addr->b, sizeof addr->b) == 0;
}

/* Group index of the least recently seen exporter (ties: the lowest index). */
static size_t nf_lru_group(const struct nf_collector *c)
{
    size_t best = 0;
    int64_t best_seen = INT64_MAX;

    for (size_t g = 0; g < c->cfg.max_exporters; g++) {
        const struct nf_exporter *grp = &c->exp[g * c->cfg.max_domains];
        int64_t seen = INT64_MIN;

        for (size_t d = 0; d < c->cfg.max_domains && grp[d].used; d++)
            if (grp[d].last_seen_us > seen)
                seen = grp[d].last_seen_us;
        if (seen < best_seen) {
            best_seen = seen;
            best = g;
        }
    }
    return best;
}

static void nf_evict_group(struct nf_collector *c, size_t g)
{
    struct nf_exporter *grp = &c->exp[g * c->cfg.max_domains];

    for (size_t d = 0; d < c->cfg.max_domains && grp[d].used; d++) {
        nf_templates_drop(c->tpl, &grp[d]);
        memset(&grp[d], 0, sizeof grp[d]);
        c->n_exp--;
    }
    nf_count(c, NF_R_EXPORTER_LIMIT);
}

static struct nf_exporter *nf_exporter_init(struct nf_collector *c, struct nf_exporter *e,
                                            const struct flow_addr *addr, uint16_t port,
                                            uint32_t domain)
{
    memset(e, 0, sizeof *e);
    e->addr = *addr;
    e->port = port;
    e->domain = domain;
    e->used = true;
    c->n_exp++;
    return e;
}

/*
 * Besides finding the state, this records the datagram on it (version, last_seen_us,
 * datagrams): decoders call it once per datagram (IPFIX: once per message).
 */
struct nf_exporter *nf_exporter_get(struct nf_collector *c, const struct flow_addr *addr,
                                    uint16_t port, uint32_t domain, uint8_t version)
{
    size_t nd = c->cfg.max_domains;
    struct nf_exporter *grp = NULL, *e = NULL;
    size_t free_group = SIZE_MAX;

    for (size_t g = 0; g < c->cfg.max_exporters; g++) {
        struct nf_exporter *first = &c->exp[g * nd];
        if (!first->used) {
            if (free_group == SIZE_MAX)
                free_group = g;
        } else if (nf_same_sender(first, addr, port)) {
            grp = first;
            break;
        }
    }
    if (grp) {
        size_t d;
        for (d = 0; d < nd && grp[d].used; d++) {
            if (grp[d].domain == domain) {
                e = &grp[d];
                break;
            }
        }
        if (!e) {
            if (d == nd) {
                nf_count(c, NF_R_DOMAIN_LIMIT);
                return NULL;
            }
            e = nf_exporter_init(c, &grp[d], addr, port, domain);
        }
    } else {
        if (free_group == SIZE_MAX) {
            free_group = nf_lru_group(c);
            nf_evict_group(c, free_group);
        }
        e = nf_exporter_init(c, &c->exp[free_group * nd], addr, port, domain);
    }
    e->version = version;
    e->last_seen_us = c->now_us;
    e->datagrams++;
    return e;
}

/* ---- sequence numbers, uptime, clock ---- */

static void nf_restart(struct nf_collector *c, struct nf_exporter *e)
{
    nf_count(c, NF_R_EXPORTER_RESTART);
    e->restarts++;
    nf_templates_mark_stale(c->tpl, e);
}

/*
 * gap = seq - expected (mod 2^32):
 *   0                                   in order;
 *   forward, < 2^31 and < 10^6 messages loss: seq_lost += gap, NF_R_SEQ_GAP (this includes
 *                                       passing 2^32 with a loss);
 *   behind by <= 1000 messages          late or duplicate message: tolerated, nothing counted,
 *                                       expected stays where it is. A late message is not
 *                                       credited back against seq_lost: without a bitmap a
 *                                       late fill and a duplicate look alike, so seq_lost is
 *                                       an upper bound when the network reorders;
 *   anything else                       restart (re-sync, no loss counted). This includes a
 *                                       jump back to 0 by more than one message: the exporter
 *                                       reset its counter.
 * "Messages" are measured in this message's count (at least 1), so the windows suit v5 (flows),
 * v9 (packets) and IPFIX (records) alike. seq_lost only ever grows by a bounded gap (N9-18).
 */
void nf_seq_update(struct nf_collector *c, struct nf_exporter *e, uint32_t seq, uint32_t count)
{
    uint64_t unit = count ? count : 1;
    uint32_t gap = seq - e->seq_next;
    uint32_t behind = e->seq_next - seq;

    if (!e->seq_valid) {
        e->seq_valid = true;
    } else if (gap == 0) {
        /* in order */
    } else if (gap < UINT32_C(0x80000000) && gap < unit * NF_SEQ_GAP_MAX_MSGS) {
        e->seq_lost += gap;
        c->ctr.seq_lost += gap;
        nf_count(c, NF_R_SEQ_GAP);
    } else if (behind <= unit * NF_SEQ_REORDER_MSGS && (seq != 0 || behind <= unit)) {
        return;
    } else {
        nf_restart(c, e);
    }
    e->seq_next = seq + count;
}

/*
 * sysUptime only grows, modulo 2^32 ms (49.7 days). A decrease is:
 *   a wrap, when going forward from the old value through 2^32 reaches the new one within
 *   6 hours (so a reboot within 6 hours of the wrap is missed);
 *   reordering, when it is at most 10 s (nothing changes);
 *   else a restart: counted, templates marked stale, and the sequence number re-synced from
 *   the next message (so one reboot is one restart, not two).
 */
bool nf_uptime_update(struct nf_collector *c, struct nf_exporter *e, uint32_t uptime_ms)
{
    uint32_t last = e->last_uptime_ms;

    if (!e->uptime_valid || uptime_ms >= last) {
        e->uptime_valid = true;
        e->last_uptime_ms = uptime_ms;
        return false;
    }
    if ((uint32_t)(uptime_ms - last) <= NF_UPTIME_WRAP_MS) {
        e->last_uptime_ms = uptime_ms;
        return false;
    }
    if (last - uptime_ms <= NF_UPTIME_REORDER_MS)
        return false;
    e->last_uptime_ms = uptime_ms;
    e->seq_valid = false;
    nf_restart(c, e);
    return true;
}

/*
 * skew sample = export time - arrival time (true skew minus network delay and header
 * rounding). The estimate is an EWMA with weight 1/8; a sample more than 10 s off replaces it
 * at once (the exporter's clock was stepped, or this is the first one). All in int64 µs with
 * saturating subtraction, so export times ±10 years (or any int64) cannot overflow (G7).
 */
void nf_clock_update(struct nf_collector *c, struct nf_exporter *e, int64_t export_us)
{
    int64_t s = nf_sat_sub_i64(export_us, c->now_us);
    int64_t d;

    if (!e->skew_valid) {
        e->skew_valid = true;
        e->skew_us = s;
        return;
    }
    d = nf_sat_sub_i64(s, e->skew_us);
    if (d > NF_SKEW_STEP_US || d < -NF_SKEW_STEP_US)
        e->skew_us = s;
    else
        e->skew_us += d / NF_SKEW_EWMA;
}

/* ---- sampling ---- */

void nf_sampling_set(struct nf_collector *c, struct nf_exporter *e, uint32_t sampler_id,
                     uint32_t interval)
{
    uint32_t i;

    if (interval == 0) {
        nf_count(c, NF_R_SAMPLING_ZERO);
        interval = 1;
    }
    if (sampler_id == 0) {
        e->sampling = interval;
        return;
    }
    for (i = 0; i < e->n_samplers; i++) {
        if (e->sampler_id[i] == sampler_id) {
            e->sampler_rate[i] = interval;
            return;
        }
    }
    if (e->n_samplers == NF_MAX_SAMPLERS) {
        /* Full: forget the oldest sampler (its records fall back to the exporter-wide rate). */
        memmove(&e->sampler_id[0], &e->sampler_id[1], (NF_MAX_SAMPLERS - 1) * sizeof(uint32_t));
        memmove(&e->sampler_rate[0], &e->sampler_rate[1], (NF_MAX_SAMPLERS - 1) * sizeof(uint32_t));
        e->n_samplers--;
    }
    e->sampler_id[e->n_samplers] = sampler_id;
    e->sampler_rate[e->n_samplers] = interval;
    e->n_samplers++;
}

uint32_t nf_sampling_get(const struct nf_collector *c, const struct nf_exporter *e,
                         uint32_t sampler_id)
{
    if (c->cfg.force_sampling)
        return c->cfg.force_sampling;
    if (e) {
        if (sampler_id != 0)
            for (uint32_t i = 0; i < e->n_samplers; i++)
                if (e->sampler_id[i] == sampler_id)
                    return e->sampler_rate[i];
        if (e->sampling)
            return e->sampling;
    }
    return c->cfg.default_sampling ? c->cfg.default_sampling : 1;
}

/* ---- emission ---- */

/*
 * Times: a missing one is copied from the other, a record with neither is "now"; then both are
 * moved onto our clock by the skew estimate. last is clamped to the arrival time with no slack
 * (nf_priv.h: last <= now; the skew estimate already absorbs the network delay), first to last.
 */
void nf_emit(struct nf_collector *c, struct nf_exporter *e, struct flow_rec *r, uint32_t sampler_id)
{
    uint32_t rate = nf_sampling_get(c, e, sampler_id);
    int64_t now = c->now_us;

    r->bytes = nf_sat_mul_u64(r->bytes, rate);
    r->packets = nf_sat_mul_u64(r->packets, rate);
    r->sampling = rate;

    if (r->first_us == 0 && r->last_us == 0) {
        r->first_us = r->last_us = now;
    } else {
        if (r->first_us == 0)
            r->first_us = r->last_us;
        if (r->last_us == 0)
            r->last_us = r->first_us;
        if (e->skew_valid) {
            r->first_us = nf_sat_sub_i64(r->first_us, e->skew_us);
            r->last_us = nf_sat_sub_i64(r->last_us, e->skew_us);
        }
    }
    if (r->last_us > now)
        r->last_us = now;
    if (r->first_us > r->last_us)
        r->first_us = r->last_us;

    r->flags |= FLOW_REC_EXPORTED;
    r->exporter = e->addr;
    r->domain = e->domain;
    r->source_id = c->cfg.source_id;

    e->records++;
    e->bytes = nf_sat_add_u64(e->bytes, r->bytes);
    e->packets = nf_sat_add_u64(e->packets, r->packets);
    if (r->last_us > e->newest_flow_us)
        e->newest_flow_us = r->last_us;
    c->ctr.records++;
    c->ctr.bytes = nf_sat_add_u64(c->ctr.bytes, r->bytes);
    c->ctr.packets = nf_sat_add_u64(c->ctr.packets, r->packets);

    if (r != &c->batch[c->n_batch]) /* else filled in place (nf_slot) */
        c->batch[c->n_batch] = *r;
    c->n_batch++;
    if (c->n_batch == NF_BATCH)
        nf_flush(c);
}

void nf_flush(struct nf_collector *c)
{
    flow_sink_emit(&c->sink, c->batch, c->n_batch);
    c->n_batch = 0;
}
