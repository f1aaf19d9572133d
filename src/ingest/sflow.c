/*
 * sflow.c - sFlow v5 decoder (sflow.org/sflow_version_5.txt): the datagram and sample walk,
 * flow samples into flow records, counter samples handed to sflow_counters.c.
 *
 * Reads through wire.h only; keeps no state of its own (nf_priv.h, sflow.h). Layout (XDR,
 * network order, 4-byte words):
 *   datagram: version(4)=5 agent_address_type(4) agent(4|16) sub_agent_id(4) sequence(4)
 *             uptime_ms(4) num_samples(4) then samples
 *   sample:   data_format(4: enterprise << 12 | format) length(4) body(length)
 *   flow sample (0:1):   seq source_id rate pool drops input output num_records records
 *   expanded (0:3):      seq source_type source_index rate pool drops input_format input
 *                        output_format output num_records records
 *   counter sample (0:2): seq source_id num_records records;  expanded (0:4): seq
 *                        source_type source_index num_records records
 *   record:   data_format(4) length(4) body(length)
 *     flow 0:1 raw header: protocol frame_length stripped header_length header(padded)
 *     flow 0:3 IPv4: length protocol src(4) dst(4) sport dport tcp_flags tos
 *     flow 0:4 IPv6: length protocol src(16) dst(16) sport dport tcp_flags priority
 *     counters 0:1 generic interface: 88 bytes (sflow_counters.c)
 *
 * Rules:
 *  - first word not 5: NF_R_BAD_VERSION; header cut off: NF_R_SHORT; agent address type not
 *    1 or 2: NF_R_SFLOW_BAD_ADDR; each drops the datagram whole;
 *  - num_samples over SFLOW_MAX_SAMPLES or over what the datagram could hold (8 bytes each):
 *    NF_R_SFLOW_TOO_MANY, the samples present are read; a sample whose length runs past the
 *    datagram (or whose header is cut): NF_R_SFLOW_SAMPLE_LEN, it and the rest dropped;
 *    bytes after the last announced sample: NF_R_TRAILING_BYTES (note);
 *  - inside a sample the same for records (NF_R_SFLOW_TOO_MANY; a record past its sample or
 *    a sample shorter than its fixed fields: NF_R_SFLOW_NESTED_LEN, the rest of the sample
 *    dropped; a known record shorter than its fields: NF_R_SFLOW_NESTED_LEN, skipped);
 *  - length 0 (sample or record): NF_R_SFLOW_ZERO_LEN, skipped;
 *  - formats of other enterprises, or standard ones we do not know: skipped by their length,
 *    NF_R_SFLOW_UNKNOWN_FORMAT (note); standard formats we know but do not need (extended
 *    switch/router/gateway data, other counter blocks) are skipped silently;
 *  - raw header longer than its record: NF_R_SFLOW_HEADER_LEN, record skipped; header of a
 *    protocol other than Ethernet (1), PPP (7), IPv4 (11), IPv6 (12), or one the packet
 *    decoder finds no IP packet in: NF_R_SFLOW_HEADER_UNDECODED;
 *  - one flow record per flow sample: from the raw header when it decodes, else from a
 *    sampled IPv4/IPv6 record; bytes = the sampled packet's IP length (the header's IPv4
 *    total length / IPv6 payload length + 40, clamped to frame_length less the FCS (at most
 *    4 of `stripped`: some agents fill stripped with frame_length - header_length); the IPv4/6
 *    record's length), packets = 1, scaled by the sample's rate (0: NF_R_SAMPLING_ZERO, 1);
 *  - input/output ifIndex: the sample's, 0 when it names a discard or several interfaces.
 */
#include "config.h"

#include "sflow.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "flowdrill/flow.h"
#include "flowdrill/packet.h"
#include "wire.h"
#include "nf_priv.h"

enum {
    SFLOW_SAMPLE_FLOW = 1,
    SFLOW_SAMPLE_COUNTERS = 2,
    SFLOW_SAMPLE_FLOW_EXP = 3,
    SFLOW_SAMPLE_COUNTERS_EXP = 4,
    SFLOW_FLOW_RAW = 1,
    SFLOW_FLOW_IPV4 = 3,
    SFLOW_FLOW_IPV6 = 4,
    SFLOW_CTR_GENERIC = 1,
    SFLOW_HDR_ETHERNET = 1,
    SFLOW_HDR_PPP = 7,
    SFLOW_HDR_IPV4 = 11,
    SFLOW_HDR_IPV6 = 12,
};

#define SFLOW_IPV4_LEN 32
#define SFLOW_IPV6_LEN 56
#define SFLOW_GENERIC_LEN 88

/* The record a flow sample yields: from its raw header, else from a sampled IP record. */
struct sflow_pick {
    struct flow_rec hdr, ip;
    bool have_hdr, have_ip;
};

/* Standard (enterprise 0) formats that exist but carry nothing we book. */
static bool sflow_known_flow_record(uint32_t fmt)
{
    return fmt == 2 || (fmt >= 1001 && fmt <= 1036);
}

static bool sflow_known_counter_record(uint32_t fmt)
{
    return (fmt >= 2 && fmt <= 10) || (fmt >= 1001 && fmt <= 1005) ||
           (fmt >= 2000 && fmt <= 2210);
}

static int sflow_linktype(uint32_t proto)
{
    switch (proto) {
    case SFLOW_HDR_ETHERNET:
        return PACKET_LT_EN10MB;
    case SFLOW_HDR_PPP:
        return PACKET_LT_PPP;
    case SFLOW_HDR_IPV4:
        return PACKET_LT_IPV4;
    case SFLOW_HDR_IPV6:
        return PACKET_LT_IPV6;
    default:
        return -1;
    }
}

/* Raw packet header (flow record 0:1) through the capture decoder. */
static void sflow_raw_header(struct nf_collector *c, struct wire *r, struct sflow_pick *pk)
{
    uint32_t proto, frame_len, stripped, hlen, wirelen;
    struct packet_stats ps;
    int lt;

    if (!wire_u32(r, &proto) || !wire_u32(r, &frame_len) || !wire_u32(r, &stripped) ||
        !wire_u32(r, &hlen)) {
        nf_count(c, NF_R_SFLOW_NESTED_LEN);
        return;
    }
    if (hlen > r->left) {
        nf_count(c, NF_R_SFLOW_HEADER_LEN);
        return;
    }
    lt = sflow_linktype(proto);
    if (lt < 0) {
        nf_count(c, NF_R_SFLOW_HEADER_UNDECODED);
        return;
    }
    /* The frame on the wire bounds what its IP length may claim, less its FCS: frame_length
     * counts the FCS (sFlow v5, 0:1), which is no part of the packet, and an IP length field
     * that claims more than the frame (the capture's ip_len_mismatch) is clamped there as the
     * capture path clamps it. Not less all of `stripped`: some agents put there the bytes
     * left out after the header (frame_length - header_length), which would cut every sampled
     * packet to its header; at most the 4 of the FCS. */
    wirelen = frame_len - (stripped < 4 ? stripped : 4);
    if (frame_len < 4)
        wirelen = frame_len;
    if (wirelen < hlen)
        wirelen = hlen;
    memset(&ps, 0, sizeof ps);
    memset(&pk->hdr, 0, sizeof pk->hdr);
    if (packet_decode(&ps, lt, r->p, hlen, wirelen, c->now_us, &pk->hdr) == 1)
        pk->have_hdr = true;
    else
        nf_count(c, NF_R_SFLOW_HEADER_UNDECODED);
}

/* Sampled IPv4 (0:3) or IPv6 (0:4) record. */
static void sflow_sampled_ip(struct nf_collector *c, struct wire *r, bool v6,
                             struct sflow_pick *pk)
{
    uint8_t src[16], dst[16];
    uint32_t length, proto, sport, dport, flags, tos;
    size_t alen = v6 ? 16 : 4;
    struct flow_rec *o = &pk->ip;

    if (!wire_u32(r, &length) || !wire_u32(r, &proto) || !wire_bytes(r, src, alen) ||
        !wire_bytes(r, dst, alen) || !wire_u32(r, &sport) || !wire_u32(r, &dport) ||
        !wire_u32(r, &flags) || !wire_u32(r, &tos)) {
        nf_count(c, NF_R_SFLOW_NESTED_LEN);
        return;
    }
    memset(o, 0, sizeof *o);
    if (v6) {
        flow_addr_set_v6(&o->src, src);
        flow_addr_set_v6(&o->dst, dst);
        o->af = FLOW_AF_INET6;
    } else {
        flow_addr_set_v4(&o->src, src);
        flow_addr_set_v4(&o->dst, dst);
        o->af = FLOW_AF_INET;
    }
    o->proto = (uint8_t)proto;
    if (proto == 6 || proto == 17 || proto == 132) {
        o->sport = (uint16_t)sport;
        o->dport = (uint16_t)dport;
    }
    if (proto == 6)
        o->tcp_flags = (uint8_t)flags;
    o->bytes = length;
    o->packets = 1;
    o->first_us = o->last_us = c->now_us;
    pk->have_ip = true;
}

/*
 * Split the next record (or sample) off `w` into `sub`. Returns false when the walk must stop
 * (the header or body runs past `w`: `past` counted); zero-length ones are counted and
 * returned with *fmt = 0 so the caller skips them.
 */
static bool sflow_next(struct nf_collector *c, struct wire *w, enum nf_reason past, uint32_t *fmt,
                       struct wire *sub)
{
    uint32_t len;

    if (!wire_u32(w, fmt) || !wire_u32(w, &len) || !wire_sub(w, len, sub)) {
        nf_count(c, past);
        return false;
    }
    if (len == 0) {
        nf_count(c, NF_R_SFLOW_ZERO_LEN);
        *fmt = 0;
    }
    return true;
}

/* How many of `announced` entries of at least 8 bytes to walk in `w`. */
static uint32_t sflow_count(struct nf_collector *c, const struct wire *w, uint32_t announced,
                            uint32_t limit, bool *too_many)
{
    uint32_t fit = (uint32_t)(w->left / 8 < limit ? w->left / 8 : limit);

    *too_many = announced > fit;
    if (*too_many) {
        nf_count(c, NF_R_SFLOW_TOO_MANY);
        return fit;
    }
    return announced;
}

/* Walk the records of a sample; `counters` chooses the record kind. */
static void sflow_records(struct nf_collector *c, struct nf_exporter *e, struct wire *s,
                          bool counters, struct sflow_pick *pk)
{
    uint32_t nrec, fmt;
    bool too_many;
    struct wire r;

    if (!wire_u32(s, &nrec)) {
        nf_count(c, NF_R_SFLOW_NESTED_LEN);
        return;
    }
    nrec = sflow_count(c, s, nrec, SFLOW_MAX_RECORDS, &too_many);
    for (uint32_t i = 0; i < nrec; i++) {
        if (too_many && s->left == 0)
            return; /* counted once as too many */
        if (!sflow_next(c, s, NF_R_SFLOW_NESTED_LEN, &fmt, &r))
            return;
        if (fmt == 0)
            continue;
        if (fmt >> 12 != 0) {
            nf_count(c, NF_R_SFLOW_UNKNOWN_FORMAT);
            continue;
        }
        if (counters) {
            struct sflow_if_counters k;
            if (fmt == SFLOW_CTR_GENERIC) {
                if (sflow_generic_read(&r, &k))
                    sflow_ifs_update(c, e, e->sf_uptime_ms, &k);
                else
                    nf_count(c, NF_R_SFLOW_NESTED_LEN);
            } else if (!sflow_known_counter_record(fmt)) {
                nf_count(c, NF_R_SFLOW_UNKNOWN_FORMAT);
            }
        } else if (fmt == SFLOW_FLOW_RAW) {
            sflow_raw_header(c, &r, pk);
        } else if (fmt == SFLOW_FLOW_IPV4 || fmt == SFLOW_FLOW_IPV6) {
            sflow_sampled_ip(c, &r, fmt == SFLOW_FLOW_IPV6, pk);
        } else if (!sflow_known_flow_record(fmt)) {
            nf_count(c, NF_R_SFLOW_UNKNOWN_FORMAT);
        }
    }
    if (!too_many && s->left)
        nf_count(c, NF_R_TRAILING_BYTES);
}

/* An ifIndex from a compact interface word: format in the top 2 bits, 0 = one interface. */
static uint32_t sflow_if_compact(uint32_t v)
{
    return v >> 30 == 0 ? v & 0x3fffffffu : 0;
}

/* A flow sample of data source `id`: count the samples its sequence skipped (a gap of less
 * than 2^20; a lower number is reordering or a restart, counted as nothing) and keep its
 * pool and drops. The agent's pool and drops are the sums over its sources' latest. A new
 * source takes the slot of the one seen least recently when all are taken. */
static void sflow_source_seen(struct nf_exporter *e, uint32_t id, uint32_t seq, uint32_t pool,
                              uint32_t drops)
{
    struct nf_sflow_source *src = NULL;
    for (uint32_t i = 0; i < e->n_sf_src; i++)
        if (e->sf_src[i].id == id) {
            src = &e->sf_src[i];
            break;
        }
    if (src) {
        uint32_t gap = seq - src->seq;
        if (gap >= 1 && gap < (1u << 20)) {
            e->sf_samples_lost += gap - 1;
            src->seq = seq;
        } else if (src->seq - seq >= (1u << 20)) {
            src->seq = seq; /* went far back: the agent restarted */
        } /* else a little back: late, already counted as lost */
    } else {
        if (e->n_sf_src < NF_SFLOW_SOURCES) {
            src = &e->sf_src[e->n_sf_src++];
        } else {
            src = &e->sf_src[0];
            for (uint32_t i = 1; i < NF_SFLOW_SOURCES; i++)
                if (e->sf_src[i].last < src->last)
                    src = &e->sf_src[i];
        }
        src->seq = seq;
    }
    src->id = id;
    src->pool = pool;
    src->drops = drops;
    src->last = (uint32_t)e->sf_samples;
    uint64_t p = 0, d = 0;
    for (uint32_t i = 0; i < e->n_sf_src; i++) {
        p += e->sf_src[i].pool;
        d += e->sf_src[i].drops;
    }
    e->sf_pool = p;
    e->sf_drops = d;
}

static void sflow_flow_sample(struct nf_collector *c, struct nf_exporter *e, struct wire *s,
                              bool expanded)
{
    uint32_t seq, src_type, src_index, rate = 0, pool = 0, drops = 0;
    uint32_t in_fmt = 0, in = 0, out_fmt = 0, out = 0;
    struct sflow_pick pk;
    struct flow_rec *r;
    bool ok;

    if (expanded)
        ok = wire_u32(s, &seq) && wire_u32(s, &src_type) && wire_u32(s, &src_index) &&
             wire_u32(s, &rate) && wire_u32(s, &pool) && wire_u32(s, &drops) &&
             wire_u32(s, &in_fmt) && wire_u32(s, &in) && wire_u32(s, &out_fmt) &&
             wire_u32(s, &out);
    else
        ok = wire_u32(s, &seq) && wire_u32(s, &src_type) && wire_u32(s, &rate) &&
             wire_u32(s, &pool) && wire_u32(s, &drops) && wire_u32(s, &in) &&
             wire_u32(s, &out);
    if (!ok) {
        nf_count(c, NF_R_SFLOW_NESTED_LEN);
        return;
    }
    e->sf_samples++;
    sflow_source_seen(e, expanded ? (src_type & 0xffu) << 24 | (src_index & 0xffffffu) : src_type,
                      seq, pool, drops);

    pk.have_hdr = pk.have_ip = false;
    sflow_records(c, e, s, false, &pk);
    if (!pk.have_hdr && !pk.have_ip)
        return;
    r = pk.have_hdr ? &pk.hdr : &pk.ip;
    if (expanded) {
        r->in_if = in_fmt == 0 ? in : 0;
        r->out_if = out_fmt == 0 ? out : 0;
    } else {
        r->in_if = sflow_if_compact(in);
        r->out_if = sflow_if_compact(out);
    }
    r->packets = 1;
    nf_sampling_set(c, e, 0, rate);
    nf_emit(c, e, r, 0);
}

static void sflow_counter_sample(struct nf_collector *c, struct nf_exporter *e, struct wire *s,
                                 bool expanded)
{
    uint32_t seq, a, b;
    bool ok = wire_u32(s, &seq) && wire_u32(s, &a) && (!expanded || wire_u32(s, &b));

    if (!ok) {
        nf_count(c, NF_R_SFLOW_NESTED_LEN);
        return;
    }
    e->sf_counter_samples++;
    sflow_records(c, e, s, true, NULL);
}

int sflow_decode(struct nf_collector *c, const struct flow_addr *addr, uint16_t port,
                 struct wire *w)
{
    uint32_t version, atype, sub_agent, seq, uptime, nsamples, fmt;
    uint8_t a[16];
    struct flow_addr agent;
    struct nf_exporter *e;
    bool too_many;
    struct wire s;

    (void)addr; /* an agent is known by the address it writes, not the one it sends from */
    if (!wire_u32(w, &version)) {
        nf_count(c, NF_R_SHORT);
        return -EINVAL;
    }
    if (version != SFLOW_VERSION) {
        nf_count(c, NF_R_BAD_VERSION);
        return -EPROTONOSUPPORT;
    }
    if (!wire_u32(w, &atype)) {
        nf_count(c, NF_R_SHORT);
        return -EINVAL;
    }
    if (atype != 1 && atype != 2) {
        nf_count(c, NF_R_SFLOW_BAD_ADDR);
        return -EINVAL;
    }
    if (!wire_bytes(w, a, atype == 1 ? 4 : 16) || !wire_u32(w, &sub_agent) ||
        !wire_u32(w, &seq) || !wire_u32(w, &uptime) || !wire_u32(w, &nsamples)) {
        nf_count(c, NF_R_SHORT);
        return -EINVAL;
    }
    if (atype == 1)
        flow_addr_set_v4(&agent, a);
    else
        flow_addr_set_v6(&agent, a);
    e = nf_exporter_get(c, &agent, port, sub_agent, NF_VERSION_SFLOW5);
    if (!e)
        return -ENOSPC;
    nf_uptime_update(c, e, uptime);
    e->sf_uptime_ms = uptime;

    nsamples = sflow_count(c, w, nsamples, SFLOW_MAX_SAMPLES, &too_many);
    for (uint32_t i = 0; i < nsamples; i++) {
        if (too_many && w->left == 0)
            break; /* counted once as too many */
        if (!sflow_next(c, w, NF_R_SFLOW_SAMPLE_LEN, &fmt, &s)) {
            too_many = true; /* the rest is dropped, not trailing */
            break;
        }
        if (fmt == 0)
            continue;
        switch (fmt) {
        case SFLOW_SAMPLE_FLOW:
        case SFLOW_SAMPLE_FLOW_EXP:
            sflow_flow_sample(c, e, &s, fmt == SFLOW_SAMPLE_FLOW_EXP);
            break;
        case SFLOW_SAMPLE_COUNTERS:
        case SFLOW_SAMPLE_COUNTERS_EXP:
            sflow_counter_sample(c, e, &s, fmt == SFLOW_SAMPLE_COUNTERS_EXP);
            break;
        default:
            nf_count(c, NF_R_SFLOW_UNKNOWN_FORMAT);
            break;
        }
    }
    if (!too_many && w->left)
        nf_count(c, NF_R_TRAILING_BYTES);
    nf_seq_update(c, e, seq, 1);
    return 0;
}
