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

static bool nf_fields_time(const struct nf_fields_acc *a, const struct nf_time_ctx *t, bool start,
                           int64_t *out)
{
    const enum nf_field_sem ms = start ? NFF_START_MS : NFF_END_MS;
    const enum nf_field_sem us = start ? NFF_START_US : NFF_END_US;
    const enum nf_field_sem ns = start ? NFF_START_NS : NFF_END_NS;
    const enum nf_field_sem s = start ? NFF_START_S : NFF_END_S;
    const enum nf_field_sem d = start ? NFF_START_DELTA_US : NFF_END_DELTA_US;
    const enum nf_field_sem up = start ? NFF_FIRST_UPTIME : NFF_LAST_UPTIME;

    if (nf_fields_has(a, ms)) {
        *out = nf_fields_ms_to_us(a->v[ms]);
    } else if (nf_fields_has(a, us)) {
        *out = nf_fields_ntp_us(a->v[us]);
    } else if (nf_fields_has(a, ns)) {
        *out = nf_fields_ntp_us(a->v[ns]);
    } else if (nf_fields_has(a, s)) {
        *out = (int64_t)(a->v[s] & 0xffffffffu) * 1000000;
    } else if (nf_fields_has(a, d)) {
        *out = t->export_us - (int64_t)(a->v[d] & 0xffffffffu);
    } else if (nf_fields_has(a, up)) {
        return nf_fields_uptime(t, a->v[up], out);
    } else {
        return false;
    }
    return true;
}

static uint64_t nf_fields_pick(const struct nf_fields_acc *a, enum nf_field_sem s1,
                               enum nf_field_sem s2, enum nf_field_sem s3, bool *found)
{
    *found = true;
    if (nf_fields_has(a, s1))
        return a->v[s1];
    if (nf_fields_has(a, s2))
        return a->v[s2];
    if (s3 != NFF_NONE && nf_fields_has(a, s3))
        return a->v[s3];
    *found = false;
    return 0;
}

int nf_fields_finish(const struct nf_fields_acc *a, const struct nf_time_ctx *t,
                     struct flow_rec out[2], uint32_t *sampler_id)
{
    struct flow_rec *r = &out[0];
    bool found, rb, rp;

    memset(r, 0, sizeof *r);
    if (nf_fields_has(a, NFF_SRC6) || nf_fields_has(a, NFF_DST6)) {
        r->af = FLOW_AF_INET6;
        if (nf_fields_has(a, NFF_SRC6))
            flow_addr_set_v6(&r->src, a->src);
        if (nf_fields_has(a, NFF_DST6))
            flow_addr_set_v6(&r->dst, a->dst);
    } else if (nf_fields_has(a, NFF_SRC4) || nf_fields_has(a, NFF_DST4)) {
        r->af = FLOW_AF_INET;
        flow_addr_set_v4(&r->src, nf_fields_has(a, NFF_SRC4) ? a->src : (const uint8_t[4]){0});
        flow_addr_set_v4(&r->dst, nf_fields_has(a, NFF_DST4) ? a->dst : (const uint8_t[4]){0});
    }
    r->proto = (uint8_t)(nf_fields_has(a, NFF_PROTO) ? a->v[NFF_PROTO] : 0);
    r->tcp_flags = (uint8_t)(nf_fields_has(a, NFF_TCP_FLAGS) ? a->v[NFF_TCP_FLAGS] : 0);
    r->sport = (uint16_t)(nf_fields_has(a, NFF_SPORT) ? a->v[NFF_SPORT] : 0);
    r->dport = (uint16_t)(nf_fields_has(a, NFF_DPORT) ? a->v[NFF_DPORT] : 0);
    if (r->proto == 1 || r->proto == 58) {
        if (nf_fields_has(a, NFF_ICMP_TC4) || nf_fields_has(a, NFF_ICMP_TC6))
            r->icmp_type =
                (uint16_t)a->v[nf_fields_has(a, NFF_ICMP_TC4) ? NFF_ICMP_TC4 : NFF_ICMP_TC6];
        else if (nf_fields_has(a, NFF_ICMP_TYPE) || nf_fields_has(a, NFF_ICMP_CODE))
            r->icmp_type =
                (uint16_t)((nf_fields_has(a, NFF_ICMP_TYPE) ? a->v[NFF_ICMP_TYPE] : 0) << 8 |
                           (nf_fields_has(a, NFF_ICMP_CODE) ? a->v[NFF_ICMP_CODE] & 0xff : 0));
        else
            r->icmp_type = r->dport;
        r->sport = r->dport = 0;
    }
    r->in_if = (uint32_t)(nf_fields_has(a, NFF_IN_IF) ? a->v[NFF_IN_IF] : 0);
    r->out_if = (uint32_t)(nf_fields_has(a, NFF_OUT_IF) ? a->v[NFF_OUT_IF] : 0);
    r->src_as = (uint32_t)(nf_fields_has(a, NFF_SRC_AS) ? a->v[NFF_SRC_AS] : 0);
    r->dst_as = (uint32_t)(nf_fields_has(a, NFF_DST_AS) ? a->v[NFF_DST_AS] : 0);

    bool fwd_delta = nf_fields_has(a, NFF_BYTES) || nf_fields_has(a, NFF_PKTS);
    r->bytes = nf_fields_pick(a, NFF_BYTES, NFF_BYTES_TOTAL, fwd_delta ? NFF_NONE : NFF_INIT_OCTETS,
                              &found);
    r->packets =
        nf_fields_pick(a, NFF_PKTS, NFF_PKTS_TOTAL, fwd_delta ? NFF_NONE : NFF_INIT_PKTS, &found);

    bool hf = nf_fields_time(a, t, true, &r->first_us);
    bool hl = nf_fields_time(a, t, false, &r->last_us);
    if (!hf && !hl)
        r->first_us = r->last_us = t->export_us;
    else if (!hf)
        r->first_us = r->last_us;
    else if (!hl)
        r->last_us = r->first_us;

    *sampler_id = (uint32_t)(nf_fields_has(a, NFF_SAMPLER_ID) ? a->v[NFF_SAMPLER_ID] : 0);

    /* Reverse direction: RFC 5103 elements first, NSEL responder counters otherwise. */
    uint64_t rbytes = nf_fields_pick(a, NFF_REV_BYTES, NFF_REV_BYTES_TOTAL, NFF_NONE, &rb);
    uint64_t rpkts = nf_fields_pick(a, NFF_REV_PKTS, NFF_REV_PKTS_TOTAL, NFF_NONE, &rp);
    if (!rb && !rp && !fwd_delta) {
        rbytes = nf_fields_pick(a, NFF_RESP_OCTETS, NFF_NONE, NFF_NONE, &rb);
        rpkts = nf_fields_pick(a, NFF_RESP_PKTS, NFF_NONE, NFF_NONE, &rp);
    }
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
