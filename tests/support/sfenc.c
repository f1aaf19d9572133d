/*
 * sfenc.c - the sFlow v5 test encoder (sfenc.h).
 */
#include "config.h"

#include "sfenc.h"

#include <arpa/inet.h>
#include <string.h>

static bool sfenc_room(struct sfenc *m, size_t n)
{
    if (m->overflow || SFENC_MAX - m->len < n) {
        m->overflow = true;
        return false;
    }
    return true;
}

void sfenc_put_u32(struct sfenc *m, size_t off, uint32_t v)
{
    if (off + 4 > m->len)
        return;
    m->buf[off] = (uint8_t)(v >> 24);
    m->buf[off + 1] = (uint8_t)(v >> 16);
    m->buf[off + 2] = (uint8_t)(v >> 8);
    m->buf[off + 3] = (uint8_t)v;
}

void sfenc_u32(struct sfenc *m, uint32_t v)
{
    if (!sfenc_room(m, 4))
        return;
    m->len += 4;
    sfenc_put_u32(m, m->len - 4, v);
}

void sfenc_u64(struct sfenc *m, uint64_t v)
{
    sfenc_u32(m, (uint32_t)(v >> 32));
    sfenc_u32(m, (uint32_t)v);
}

void sfenc_opaque(struct sfenc *m, const void *p, size_t n)
{
    size_t pad = (4 - n % 4) % 4;

    if (!sfenc_room(m, n + pad))
        return;
    memcpy(m->buf + m->len, p, n);
    memset(m->buf + m->len + n, 0, pad);
    m->len += n + pad;
}

/* Address type and bytes of a literal. */
static void sfenc_addr(struct sfenc *m, const char *s, bool with_type)
{
    uint8_t a[16];

    if (inet_pton(AF_INET, s, a) == 1) {
        if (with_type)
            sfenc_u32(m, 1);
        sfenc_opaque(m, a, 4);
    } else if (inet_pton(AF_INET6, s, a) == 1) {
        if (with_type)
            sfenc_u32(m, 2);
        sfenc_opaque(m, a, 16);
    } else {
        m->overflow = true;
    }
}

void sfenc_init(struct sfenc *m, const char *agent, uint32_t sub_agent, uint32_t seq,
                uint32_t uptime_ms)
{
    memset(m, 0, sizeof *m);
    sfenc_u32(m, 5);
    sfenc_addr(m, agent, true);
    sfenc_u32(m, sub_agent);
    sfenc_u32(m, seq);
    sfenc_u32(m, uptime_ms);
    m->nsamples_off = m->len;
    sfenc_u32(m, 0);
}

size_t sfenc_begin(struct sfenc *m, uint32_t format)
{
    size_t off;

    if (m->depth == SFENC_DEPTH) {
        m->overflow = true;
        return 0;
    }
    if (m->depth == 0)
        m->nsamples++;
    sfenc_u32(m, format);
    off = m->len;
    sfenc_u32(m, 0);
    m->open[m->depth++] = off;
    return off;
}

void sfenc_end(struct sfenc *m)
{
    size_t off;

    if (m->depth == 0) {
        m->overflow = true;
        return;
    }
    off = m->open[--m->depth];
    sfenc_put_u32(m, off, (uint32_t)(m->len - off - 4));
}

void sfenc_finish_n(struct sfenc *m, uint32_t n)
{
    sfenc_put_u32(m, m->nsamples_off, n);
}

void sfenc_finish(struct sfenc *m)
{
    sfenc_finish_n(m, m->nsamples);
}

void sfenc_flow_sample(struct sfenc *m, uint32_t seq, uint32_t source, uint32_t rate,
                       uint32_t pool, uint32_t drops, uint32_t in, uint32_t out, uint32_t nrec)
{
    sfenc_begin(m, 1);
    sfenc_u32(m, seq);
    sfenc_u32(m, source);
    sfenc_u32(m, rate);
    sfenc_u32(m, pool);
    sfenc_u32(m, drops);
    sfenc_u32(m, in);
    sfenc_u32(m, out);
    sfenc_u32(m, nrec);
}

void sfenc_flow_sample_exp(struct sfenc *m, uint32_t seq, uint32_t rate, uint32_t pool,
                           uint32_t drops, uint32_t in, uint32_t out, uint32_t nrec)
{
    sfenc_begin(m, 3);
    sfenc_u32(m, seq);
    sfenc_u32(m, 0); /* source type */
    sfenc_u32(m, in); /* source index */
    sfenc_u32(m, rate);
    sfenc_u32(m, pool);
    sfenc_u32(m, drops);
    sfenc_u32(m, 0);
    sfenc_u32(m, in);
    sfenc_u32(m, 0);
    sfenc_u32(m, out);
    sfenc_u32(m, nrec);
}

void sfenc_counter_sample(struct sfenc *m, bool expanded, uint32_t seq, uint32_t source,
                          uint32_t nrec)
{
    sfenc_begin(m, expanded ? 4 : 2);
    sfenc_u32(m, seq);
    if (expanded) {
        sfenc_u32(m, source >> 24);
        sfenc_u32(m, source & 0xffffffu);
    } else {
        sfenc_u32(m, source);
    }
    sfenc_u32(m, nrec);
}

void sfenc_raw_header(struct sfenc *m, uint32_t proto, uint32_t frame_len, uint32_t stripped,
                      const uint8_t *hdr, uint32_t hlen)
{
    sfenc_begin(m, 1);
    sfenc_u32(m, proto);
    sfenc_u32(m, frame_len);
    sfenc_u32(m, stripped);
    sfenc_u32(m, hlen);
    sfenc_opaque(m, hdr, hlen);
    sfenc_end(m);
}

static void sfenc_sampled_ip(struct sfenc *m, uint32_t format, uint32_t length, uint8_t proto,
                             const char *src, const char *dst, uint16_t sport, uint16_t dport,
                             uint8_t tcp_flags)
{
    sfenc_begin(m, format);
    sfenc_u32(m, length);
    sfenc_u32(m, proto);
    sfenc_addr(m, src, false);
    sfenc_addr(m, dst, false);
    sfenc_u32(m, sport);
    sfenc_u32(m, dport);
    sfenc_u32(m, tcp_flags);
    sfenc_u32(m, 0);
    sfenc_end(m);
}

void sfenc_sampled_ipv4(struct sfenc *m, uint32_t length, uint8_t proto, const char *src,
                        const char *dst, uint16_t sport, uint16_t dport, uint8_t tcp_flags)
{
    sfenc_sampled_ip(m, 3, length, proto, src, dst, sport, dport, tcp_flags);
}

void sfenc_sampled_ipv6(struct sfenc *m, uint32_t length, uint8_t proto, const char *src,
                        const char *dst, uint16_t sport, uint16_t dport, uint8_t tcp_flags)
{
    sfenc_sampled_ip(m, 4, length, proto, src, dst, sport, dport, tcp_flags);
}

void sfenc_generic_counters(struct sfenc *m, const struct sfenc_if *k)
{
    sfenc_begin(m, 1);
    sfenc_u32(m, k->ifindex);
    sfenc_u32(m, k->iftype);
    sfenc_u64(m, k->speed);
    sfenc_u32(m, k->direction);
    sfenc_u32(m, k->status);
    sfenc_u64(m, k->in_octets);
    sfenc_u32(m, k->in_ucast);
    sfenc_u32(m, k->in_mcast);
    sfenc_u32(m, k->in_bcast);
    sfenc_u32(m, k->in_discards);
    sfenc_u32(m, k->in_errors);
    sfenc_u32(m, k->in_unknown);
    sfenc_u64(m, k->out_octets);
    sfenc_u32(m, k->out_ucast);
    sfenc_u32(m, k->out_mcast);
    sfenc_u32(m, k->out_bcast);
    sfenc_u32(m, k->out_discards);
    sfenc_u32(m, k->out_errors);
    sfenc_u32(m, k->promisc);
    sfenc_end(m);
}
