/*
 * nf_fields.c - the information element table and record assembly for NetFlow v9 / IPFIX.
 *
 * Depends on wire.h and flow.h only. Choices are documented in nf_fields.h.
 */
#include "config.h"

#include "nf_fields.h"

#include <stddef.h>
#include <string.h>

_Static_assert(NFF_MAX <= 64, "nf_fields_acc.have is a 64-bit set");

enum nf_field_kind {
    NFK_UINT, /* big-endian integer, 1..8 bytes */
    NFK_V4,   /* exactly 4 bytes */
    NFK_V6,   /* exactly 16 bytes */
    NFK_NTP,  /* exactly 8 bytes: NTP seconds and fraction */
};

struct nf_field_def {
    uint32_t pen;
    uint16_t id;
    uint8_t sem;  /* enum nf_field_sem */
    uint8_t kind; /* enum nf_field_kind */
};

/* The one table from element id to record meaning. */
static const struct nf_field_def nf_field_table[] = {
    {0, 1, NFF_BYTES, NFK_UINT},
    {0, 2, NFF_PKTS, NFK_UINT},
    {0, 4, NFF_PROTO, NFK_UINT},
    {0, 6, NFF_TCP_FLAGS, NFK_UINT},
    {0, 7, NFF_SPORT, NFK_UINT},
    {0, 8, NFF_SRC4, NFK_V4},
    {0, 10, NFF_IN_IF, NFK_UINT},
    {0, 11, NFF_DPORT, NFK_UINT},
    {0, 12, NFF_DST4, NFK_V4},
    {0, 14, NFF_OUT_IF, NFK_UINT},
    {0, 16, NFF_SRC_AS, NFK_UINT},
    {0, 17, NFF_DST_AS, NFK_UINT},
    {0, 21, NFF_LAST_UPTIME, NFK_UINT},
    {0, 22, NFF_FIRST_UPTIME, NFK_UINT},
    {0, 27, NFF_SRC6, NFK_V6},
    {0, 28, NFF_DST6, NFK_V6},
    {0, 32, NFF_ICMP_TC4, NFK_UINT},
    {0, 34, NFF_SAMP_INTERVAL, NFK_UINT},
    {0, 35, NFF_SAMP_ALGO, NFK_UINT},
    {0, 48, NFF_SAMPLER_ID, NFK_UINT},
    {0, 49, NFF_SAMPLER_MODE, NFK_UINT},
    {0, 50, NFF_SAMPLER_RANDOM, NFK_UINT},
    {0, 60, NFF_IP_VERSION, NFK_UINT},
    {0, 85, NFF_BYTES_TOTAL, NFK_UINT},
    {0, 86, NFF_PKTS_TOTAL, NFK_UINT},
    {0, 139, NFF_ICMP_TC6, NFK_UINT},
    {0, 150, NFF_START_S, NFK_UINT},
    {0, 151, NFF_END_S, NFK_UINT},
    {0, 152, NFF_START_MS, NFK_UINT},
    {0, 153, NFF_END_MS, NFK_UINT},
    {0, 154, NFF_START_US, NFK_NTP},
    {0, 155, NFF_END_US, NFK_NTP},
    {0, 156, NFF_START_NS, NFK_NTP},
    {0, 157, NFF_END_NS, NFK_NTP},
    {0, 158, NFF_START_DELTA_US, NFK_UINT},
    {0, 159, NFF_END_DELTA_US, NFK_UINT},
    {0, 160, NFF_SYSINIT_MS, NFK_UINT},
    {0, 176, NFF_ICMP_TYPE, NFK_UINT},
    {0, 177, NFF_ICMP_CODE, NFK_UINT},
    {0, 178, NFF_ICMP_TYPE, NFK_UINT},
    {0, 179, NFF_ICMP_CODE, NFK_UINT},
    {0, 231, NFF_INIT_OCTETS, NFK_UINT},
    {0, 232, NFF_RESP_OCTETS, NFK_UINT},
    {0, 298, NFF_INIT_PKTS, NFK_UINT},
    {0, 299, NFF_RESP_PKTS, NFK_UINT},
    {0, 302, NFF_SAMPLER_ID, NFK_UINT},
    {0, 305, NFF_SAMP_PKT_INTERVAL, NFK_UINT},
    {0, 306, NFF_SAMP_PKT_SPACE, NFK_UINT},
    {0, 309, NFF_SAMP_SIZE, NFK_UINT},
    {0, 310, NFF_SAMP_POPULATION, NFK_UINT},
    {NF_PEN_REVERSE, 1, NFF_REV_BYTES, NFK_UINT},
    {NF_PEN_REVERSE, 2, NFF_REV_PKTS, NFK_UINT},
    {NF_PEN_REVERSE, 85, NFF_REV_BYTES_TOTAL, NFK_UINT},
    {NF_PEN_REVERSE, 86, NFF_REV_PKTS_TOTAL, NFK_UINT},
};

enum nf_field_sem nf_fields_lookup(uint32_t pen, uint16_t id, uint16_t len, bool *mismatch)
{
    *mismatch = false;
    if (len == 0 || len == 65535)
        return NFF_NONE;
    for (size_t i = 0; i < sizeof nf_field_table / sizeof nf_field_table[0]; i++) {
        const struct nf_field_def *d = &nf_field_table[i];
        if (d->pen != pen || d->id != id)
            continue;
        bool ok;
        switch (d->kind) {
        case NFK_V4:
            ok = len == 4;
            break;
        case NFK_V6:
            ok = len == 16;
            break;
        case NFK_NTP:
            ok = len == 8;
            break;
        default:
            ok = len <= 8;
            break;
        }
        if (!ok) {
            *mismatch = true;
            return NFF_NONE;
        }
        return (enum nf_field_sem)d->sem;
    }
    return NFF_NONE;
}

void nf_fields_apply(struct nf_fields_acc *a, enum nf_field_sem sem, struct wire *f)
{
    nf_fields_put(a, sem, f->p, f->left);
    f->p += f->left;
    f->left = 0;
}

/* NTP (seconds since 1900 . 32-bit fraction) to Unix µs. */
static int64_t nf_fields_ntp_us(uint64_t ntp)
{
    int64_t secs = (int64_t)(ntp >> 32) - INT64_C(2208988800);
    int64_t frac_us = (int64_t)(((ntp & 0xffffffffu) * UINT64_C(1000000)) >> 32);
    return secs * 1000000 + frac_us;
}

/* An exporter's ms counter turned into µs without overflow for any 64-bit input. */
static int64_t nf_fields_ms_to_us(uint64_t ms)
{
    if (ms > (uint64_t)(INT64_MAX / 1000))
        return INT64_MAX;
    return (int64_t)ms * 1000;
}

/* sysUptime-relative time (21/22). v9: relative to the header's uptime and unix secs; the
 * difference is taken modulo 2^32 as a signed value, so it survives the uptime wrap and a
 * record slightly newer than its header; flows older than 24.8 days are misdated. IPFIX:
 * relative to systemInitTimeMilliseconds. Returns false when there is no reference. */
static bool nf_fields_uptime(const struct nf_time_ctx *t, uint64_t sw, int64_t *out)
{
    if (t->has_uptime) {
        int32_t ago = (int32_t)(uint32_t)(t->uptime_ms - (uint32_t)sw);
        *out = t->export_us - (int64_t)ago * 1000;
        return true;
    }
    if (t->has_sysinit) {
        *out = nf_fields_ms_to_us((uint64_t)t->sysinit_ms + (sw & 0xffffffffu));
        return true;
    }
    return false;
}

/* A time field's form (nf_fields_plan.first_kind, last_kind). */
enum { NFT_NONE, NFT_MS, NFT_NTP, NFT_S, NFT_DELTA, NFT_UPTIME };

/* The first of s1, s2, s3 present (NFF_NONE: none; s3 may be NFF_NONE). */
static uint8_t nf_fields_first(uint64_t have, enum nf_field_sem s1, enum nf_field_sem s2,
                               enum nf_field_sem s3)
{
    if (have >> s1 & 1)
        return (uint8_t)s1;
    if (have >> s2 & 1)
        return (uint8_t)s2;
    if (s3 != NFF_NONE && (have >> s3 & 1))
        return (uint8_t)s3;
    return NFF_NONE;
}

/* Where a start (or end) time comes from: milliseconds, then micro- and nanoseconds (NTP),
 * seconds, a delta before export, sysUpTime. */
static void nf_fields_plan_time(uint64_t have, bool start, uint8_t *kind, uint8_t *sem)
{
    static const struct {
        enum nf_field_sem start, end;
        uint8_t kind;
    } order[] = {{NFF_START_MS, NFF_END_MS, NFT_MS},
                 {NFF_START_US, NFF_END_US, NFT_NTP},
                 {NFF_START_NS, NFF_END_NS, NFT_NTP},
                 {NFF_START_S, NFF_END_S, NFT_S},
                 {NFF_START_DELTA_US, NFF_END_DELTA_US, NFT_DELTA},
                 {NFF_FIRST_UPTIME, NFF_LAST_UPTIME, NFT_UPTIME}};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        enum nf_field_sem s = start ? order[i].start : order[i].end;
        if (have >> s & 1) {
            *kind = order[i].kind;
            *sem = (uint8_t)s;
            return;
        }
    }
    *kind = NFT_NONE;
    *sem = NFF_NONE;
}

void nf_fields_plan_make(uint64_t have, struct nf_fields_plan *p)
{
    memset(p, 0, sizeof *p); /* every sem NFF_NONE: reads the accumulator's zero */
    p->have = have;
    p->src4 = (uint8_t)(have >> NFF_SRC4 & 1);
    p->dst4 = (uint8_t)(have >> NFF_DST4 & 1);
    p->src6 = (uint8_t)(have >> NFF_SRC6 & 1);
    p->dst6 = (uint8_t)(have >> NFF_DST6 & 1);
    bool v6 = p->src6 || p->dst6, v4 = p->src4 || p->dst4;
    p->dual = v4 && v6; /* the family of each record is chosen when it is built */
    p->af = v6 ? FLOW_AF_INET6 : v4 ? FLOW_AF_INET : 0;
    p->src = v6 ? p->src6 : p->src4;
    p->dst = v6 ? p->dst6 : p->dst4;
    p->ip_version = nf_fields_first(have, NFF_IP_VERSION, NFF_NONE, NFF_NONE);
    p->proto = nf_fields_first(have, NFF_PROTO, NFF_NONE, NFF_NONE);
    p->tcp_flags = nf_fields_first(have, NFF_TCP_FLAGS, NFF_NONE, NFF_NONE);
    p->sport = nf_fields_first(have, NFF_SPORT, NFF_NONE, NFF_NONE);
    p->dport = nf_fields_first(have, NFF_DPORT, NFF_NONE, NFF_NONE);
    p->in_if = nf_fields_first(have, NFF_IN_IF, NFF_NONE, NFF_NONE);
    p->out_if = nf_fields_first(have, NFF_OUT_IF, NFF_NONE, NFF_NONE);
    p->src_as = nf_fields_first(have, NFF_SRC_AS, NFF_NONE, NFF_NONE);
    p->dst_as = nf_fields_first(have, NFF_DST_AS, NFF_NONE, NFF_NONE);
    p->sampler = nf_fields_first(have, NFF_SAMPLER_ID, NFF_NONE, NFF_NONE);
    /* ICMP type and code (used when the protocol is ICMP): a combined field, else the two
     * halves, else the destination port (the NetFlow convention) */
    p->icmp_tc = nf_fields_first(have, NFF_ICMP_TC4, NFF_ICMP_TC6, NFF_NONE);
    p->icmp_split = p->icmp_tc == NFF_NONE &&
                    ((have >> NFF_ICMP_TYPE & 1) || (have >> NFF_ICMP_CODE & 1));
    p->icmp_type = nf_fields_first(have, NFF_ICMP_TYPE, NFF_NONE, NFF_NONE);
    p->icmp_code = nf_fields_first(have, NFF_ICMP_CODE, NFF_NONE, NFF_NONE);
    bool fwd_delta = (have >> NFF_BYTES & 1) || (have >> NFF_PKTS & 1);
    p->bytes = nf_fields_first(have, NFF_BYTES, NFF_BYTES_TOTAL,
                               fwd_delta ? NFF_NONE : NFF_INIT_OCTETS);
    p->pkts = nf_fields_first(have, NFF_PKTS, NFF_PKTS_TOTAL, fwd_delta ? NFF_NONE : NFF_INIT_PKTS);
    nf_fields_plan_time(have, true, &p->first_kind, &p->first);
    nf_fields_plan_time(have, false, &p->last_kind, &p->last);
    /* Reverse direction: RFC 5103 elements first, NSEL responder counters otherwise. */
    p->rbytes = nf_fields_first(have, NFF_REV_BYTES, NFF_REV_BYTES_TOTAL, NFF_NONE);
    p->rpkts = nf_fields_first(have, NFF_REV_PKTS, NFF_REV_PKTS_TOTAL, NFF_NONE);
    if (p->rbytes == NFF_NONE && p->rpkts == NFF_NONE && !fwd_delta) {
        p->rbytes = nf_fields_first(have, NFF_RESP_OCTETS, NFF_NONE, NFF_NONE);
        p->rpkts = nf_fields_first(have, NFF_RESP_PKTS, NFF_NONE, NFF_NONE);
    }
}

static bool nf_fields_time(const struct nf_fields_acc *a, const struct nf_time_ctx *t,
                           uint8_t kind, uint8_t sem, int64_t *out)
{
    uint64_t v = a->v[sem];
    switch (kind) {
    case NFT_MS:
        *out = nf_fields_ms_to_us(v);
        return true;
    case NFT_NTP:
        *out = nf_fields_ntp_us(v);
        return true;
    case NFT_S:
        *out = (int64_t)(v & 0xffffffffu) * 1000000;
        return true;
    case NFT_DELTA:
        *out = t->export_us - (int64_t)(v & 0xffffffffu);
        return true;
    case NFT_UPTIME:
        return nf_fields_uptime(t, v, out);
    default:
        return false;
    }
}

static bool nf_fields_nonzero(const uint8_t *b, size_t n)
{
    uint8_t x = 0;
    for (size_t i = 0; i < n; i++)
        x |= b[i];
    return x != 0;
}

/* The family of a record of a dual-family template (nf_fields.h), and the rule that chose it
 * (enum nf_family_rule). */
static uint8_t nf_fields_family(const struct nf_fields_acc *a, const struct nf_fields_plan *p,
                                uint8_t *fam)
{
    bool v4 = (p->src4 && nf_fields_nonzero(a->src4, 4)) ||
              (p->dst4 && nf_fields_nonzero(a->dst4, 4));
    bool v6 = (p->src6 && nf_fields_nonzero(a->src, 16)) ||
              (p->dst6 && nf_fields_nonzero(a->dst, 16));
    uint64_t ver = a->v[p->ip_version]; /* 0 when absent */
    if (v4 != v6) {
        *fam = v4 ? NF_FAM_V4_ONLY : NF_FAM_V6_ONLY;
        return v4 ? FLOW_AF_INET : FLOW_AF_INET6;
    }
    bool named = ver == 4 || ver == 6;
    *fam = v4 ? (named ? NF_FAM_BOTH_IPVER : NF_FAM_BOTH_V4) : NF_FAM_NEITHER;
    return ver == 6 ? FLOW_AF_INET6 : FLOW_AF_INET;
}

int nf_fields_finish_plan(const struct nf_fields_acc *a, const struct nf_fields_plan *p,
                          const struct nf_time_ctx *t, struct flow_rec out[2],
                          uint32_t *sampler_id, uint8_t *fam)
{
    struct flow_rec *r = &out[0];
    static const uint8_t zero[16];

    memset(r, 0, sizeof *r);
    *fam = NF_FAM_MAX;
    uint8_t af = p->af, has_src = p->src, has_dst = p->dst;
    if (p->dual) {
        af = nf_fields_family(a, p, fam);
        has_src = af == FLOW_AF_INET6 ? p->src6 : p->src4;
        has_dst = af == FLOW_AF_INET6 ? p->dst6 : p->dst4;
    }
    r->af = af;
    if (af == FLOW_AF_INET6) {
        if (has_src)
            flow_addr_set_v6(&r->src, a->src);
        if (has_dst)
            flow_addr_set_v6(&r->dst, a->dst);
    } else if (af == FLOW_AF_INET) {
        flow_addr_set_v4(&r->src, has_src ? a->src4 : zero);
        flow_addr_set_v4(&r->dst, has_dst ? a->dst4 : zero);
    }
    r->proto = (uint8_t)a->v[p->proto];
    r->tcp_flags = (uint8_t)a->v[p->tcp_flags];
    r->sport = (uint16_t)a->v[p->sport];
    r->dport = (uint16_t)a->v[p->dport];
    if (r->proto == 1 || r->proto == 58) {
        if (p->icmp_tc != NFF_NONE)
            r->icmp_type = (uint16_t)a->v[p->icmp_tc];
        else if (p->icmp_split)
            r->icmp_type = (uint16_t)(a->v[p->icmp_type] << 8 | (a->v[p->icmp_code] & 0xff));
        else
            r->icmp_type = r->dport;
        r->sport = r->dport = 0;
    }
    r->in_if = (uint32_t)a->v[p->in_if];
    r->out_if = (uint32_t)a->v[p->out_if];
    r->src_as = (uint32_t)a->v[p->src_as];
    r->dst_as = (uint32_t)a->v[p->dst_as];
    r->bytes = a->v[p->bytes];
    r->packets = a->v[p->pkts];

    bool hf = nf_fields_time(a, t, p->first_kind, p->first, &r->first_us);
    bool hl = nf_fields_time(a, t, p->last_kind, p->last, &r->last_us);
    if (!hf && !hl)
        r->first_us = r->last_us = t->export_us;
    else if (!hf)
        r->first_us = r->last_us;
    else if (!hl)
        r->last_us = r->first_us;

    *sampler_id = (uint32_t)a->v[p->sampler];

    uint64_t rbytes = a->v[p->rbytes], rpkts = a->v[p->rpkts];
    if (rbytes == 0 && rpkts == 0)
        return 1;
    out[1] = *r;
    out[1].src = r->dst;
    out[1].dst = r->src;
    out[1].sport = r->dport;
    out[1].dport = r->sport;
    out[1].in_if = r->out_if;
    out[1].out_if = r->in_if;
    out[1].src_as = r->dst_as;
    out[1].dst_as = r->src_as;
    out[1].bytes = rbytes;
    out[1].packets = rpkts;
    return 2;
}

int nf_fields_finish(const struct nf_fields_acc *a, const struct nf_time_ctx *t,
                     struct flow_rec out[2], uint32_t *sampler_id, uint8_t *fam)
{
    struct nf_fields_plan p;
    nf_fields_plan_make(a->have, &p);
    return nf_fields_finish_plan(a, &p, t, out, sampler_id, fam);
}
