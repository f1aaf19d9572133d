/*
 * nf5.c - NetFlow v5 decoder: a 24-byte header and up to 30 fixed 48-byte flow records.
 *
 * Reads through wire.h only and keeps no state of its own: the exporter's sequence, uptime,
 * clock and sampling state live in nf_collector.c (nf_priv.h). Header layout (network order):
 *   version(2) count(2) sysUptime_ms(4) unix_secs(4) unix_nsecs(4) flow_sequence(4)
 *   engine_type(1) engine_id(1) sampling(2: mode in the top 2 bits, interval in the low 14)
 * Record layout:
 *   srcaddr(4) dstaddr(4) nexthop(4) input(2) output(2) dPkts(4) dOctets(4) First(4) Last(4)
 *   srcport(2) dstport(2) pad(1) tcp_flags(1) prot(1) tos(1) src_as(2) dst_as(2)
 *   src_mask(1) dst_mask(1) pad(2)
 *
 * Rules (ROBUSTNESS.md N5-01..05):
 *  - under 24 bytes: NF_R_SHORT, dropped whole;
 *  - count 0: accepted, no records;
 *  - count > 30 or more records than the datagram holds: NF_R_V5_BAD_COUNT, and the records
 *    that are wholly present (at most `count`) are decoded; the sequence advances by those;
 *  - bytes after the last record (count valid): NF_R_TRAILING_BYTES, ignored;
 *  - sampling: mode 0 with interval 0 means "none announced" (cfg.default_sampling applies,
 *    nothing counted); a sampling mode with interval 0 is NF_R_SAMPLING_ZERO and rate 1; any
 *    non-zero interval is the rate, whatever the mode bits say;
 *  - times: First/Last are sysUptime ms; a record's age is (sysUptime - First) modulo 2^32, so
 *    an uptime that wrapped past 2^32 after First still gives the right age. An age of 2^31 ms
 *    or more (a First "after" the header's uptime) is taken as 0: flows do not end in the
 *    future. First after Last gives a zero duration, never a negative one.
 *  - ICMP (prot 1): exporters put type << 8 | code in dstport; it goes to icmp_type and the
 *    ports are 0, as for captured packets.
 * The domain of a v5 exporter is engine_type << 8 | engine_id.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "flowdrill/flow.h"
#include "wire.h"
#include "nf_priv.h"

#define NF5_HEADER_LEN 24
#define NF5_RECORD_LEN 48
#define NF5_MAX_COUNT 30

struct nf5_header {
    uint16_t version, count;
    uint32_t uptime_ms, unix_secs, unix_nsecs, sequence;
    uint8_t engine_type, engine_id;
    uint16_t sampling;
};

static bool nf5_read_header(struct wire *w, struct nf5_header *h)
{
    return wire_u16(w, &h->version) && wire_u16(w, &h->count) && wire_u32(w, &h->uptime_ms) &&
           wire_u32(w, &h->unix_secs) && wire_u32(w, &h->unix_nsecs) && wire_u32(w, &h->sequence) &&
           wire_u8(w, &h->engine_type) && wire_u8(w, &h->engine_id) && wire_u16(w, &h->sampling);
}

/* Unix µs of an uptime stamp, given the header's uptime and export time. */
static int64_t nf5_abs_time(int64_t export_us, uint32_t uptime_ms, uint32_t stamp_ms)
{
    uint32_t age_ms = uptime_ms - stamp_ms;

    if (age_ms >= UINT32_C(0x80000000))
        age_ms = 0;
    return export_us - (int64_t)age_ms * 1000;
}

/* Decode one 48-byte record at p (the caller checked that it is all there). */
static void nf5_read_record(const uint8_t *p, const struct nf5_header *h, int64_t export_us,
                            struct flow_rec *r)
{
    /* srcaddr 0, dstaddr 4, nexthop 8, input 12, output 14, dPkts 16, dOctets 20, First 24,
     * Last 28, srcport 32, dstport 34, pad 36, tcp_flags 37, prot 38, tos 39, src_as 40,
     * dst_as 42, src_mask 44, dst_mask 45, pad 46 */
    uint8_t proto = p[38];
    uint16_t dport = wire_be16(p + 34);

    memset(r, 0, sizeof *r);
    flow_addr_set_v4(&r->src, p);
    flow_addr_set_v4(&r->dst, p + 4);
    r->af = FLOW_AF_INET;
    r->proto = proto;
    r->tcp_flags = p[37];
    if (proto == 1) {
        r->icmp_type = dport;
    } else {
        r->sport = wire_be16(p + 32);
        r->dport = dport;
    }
    r->in_if = wire_be16(p + 12);
    r->out_if = wire_be16(p + 14);
    r->src_as = wire_be16(p + 40);
    r->dst_as = wire_be16(p + 42);
    r->packets = wire_be32(p + 16);
    r->bytes = wire_be32(p + 20);
    r->first_us = nf5_abs_time(export_us, h->uptime_ms, wire_be32(p + 24));
    r->last_us = nf5_abs_time(export_us, h->uptime_ms, wire_be32(p + 28));
    if (r->first_us > r->last_us)
        r->first_us = r->last_us;
}

static void nf5_sampling(struct nf_collector *c, struct nf_exporter *e, uint16_t field)
{
    unsigned mode = field >> 14;
    uint32_t interval = field & 0x3fffu;

    if (mode == 0 && interval == 0)
        e->sampling = 0; /* none announced: default_sampling, else 1 */
    else
        nf_sampling_set(c, e, 0, interval);
}

int nf5_decode(struct nf_collector *c, const struct flow_addr *addr, uint16_t port, struct wire *w)
{
    struct nf5_header h;
    struct nf_exporter *e;
    size_t fit, n;
    int64_t export_us;

    if (!wire_has(w, NF5_HEADER_LEN) || !nf5_read_header(w, &h)) {
        nf_count(c, NF_R_SHORT);
        return -EINVAL;
    }
    e = nf_exporter_get(c, addr, port, (uint32_t)h.engine_type << 8 | h.engine_id, 5);
    if (!e)
        return -ENOSPC;

    fit = w->left / NF5_RECORD_LEN;
    n = h.count;
    if (h.count > NF5_MAX_COUNT || n > fit) {
        nf_count(c, NF_R_V5_BAD_COUNT);
        if (n > fit)
            n = fit;
    } else if (w->left > n * NF5_RECORD_LEN) {
        nf_count(c, NF_R_TRAILING_BYTES);
    }

    /* Nanoseconds past 10^9 are nonsense; cap them rather than move into the next second. */
    if (h.unix_nsecs > 999999999u)
        h.unix_nsecs = 999999999u;
    export_us = (int64_t)h.unix_secs * 1000000 + h.unix_nsecs / 1000;
    nf_uptime_update(c, e, h.uptime_ms);
    nf_clock_update(c, e, export_us);
    nf5_sampling(c, e, h.sampling);

    /* n records fit (clamped above): read them in place, each into the sink's batch */
    for (size_t i = 0; i < n; i++) {
        struct flow_rec *r = nf_slot(c);
        nf5_read_record(w->p + i * NF5_RECORD_LEN, &h, export_us, r);
        nf_emit(c, e, r, 0);
    }
    wire_skip(w, n * NF5_RECORD_LEN);
    nf_seq_update(c, e, h.sequence, (uint32_t)n);
    return 0;
}
