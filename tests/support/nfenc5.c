/*
 * nfenc5.c - NetFlow v5 datagram builder, recording sink and collector helpers for the tests
 * (see nfenc5.h).
 */
#include "config.h"

#include "nfenc5.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

void nfenc5_hdr_default(struct nfenc5_hdr *h)
{
    memset(h, 0, sizeof *h);
    h->version = 5;
    h->uptime_ms = 100000;
    h->unix_secs = 1700000000u;
}

void nfenc5_rec_default(struct nfenc5_rec *r)
{
    memset(r, 0, sizeof *r);
    r->src = "10.1.1.1";
    r->dst = "10.2.2.2";
    r->nexthop = "10.9.9.9";
    r->in_if = 3;
    r->out_if = 4;
    r->packets = 3;
    r->octets = 300;
    r->first_ms = 90000;
    r->last_ms = 99000;
    r->sport = 1234;
    r->dport = 80;
    r->tcp_flags = 0x1b;
    r->proto = 6;
    r->tos = 0x10;
    r->src_as = 64500;
    r->dst_as = 64501;
    r->src_mask = 24;
    r->dst_mask = 16;
}

void nfenc5_put_u8(struct nfenc5 *m, size_t off, uint8_t v)
{
    if (off < NFENC5_MAX)
        m->buf[off] = v;
}

void nfenc5_put_u16(struct nfenc5 *m, size_t off, uint16_t v)
{
    nfenc5_put_u8(m, off, (uint8_t)(v >> 8));
    nfenc5_put_u8(m, off + 1, (uint8_t)v);
}

void nfenc5_put_u32(struct nfenc5 *m, size_t off, uint32_t v)
{
    nfenc5_put_u16(m, off, (uint16_t)(v >> 16));
    nfenc5_put_u16(m, off + 2, (uint16_t)v);
}

static uint16_t nfenc5_get_u16(const struct nfenc5 *m, size_t off)
{
    return (uint16_t)(m->buf[off] << 8 | m->buf[off + 1]);
}

void nfenc5_init(struct nfenc5 *m, const struct nfenc5_hdr *h)
{
    memset(m->buf, 0, NFENC5_HEADER_LEN);
    nfenc5_put_u16(m, 0, h->version);
    nfenc5_put_u16(m, 2, 0);
    nfenc5_put_u32(m, 4, h->uptime_ms);
    nfenc5_put_u32(m, 8, h->unix_secs);
    nfenc5_put_u32(m, 12, h->unix_nsecs);
    nfenc5_put_u32(m, 16, h->sequence);
    nfenc5_put_u8(m, 20, h->engine_type);
    nfenc5_put_u8(m, 21, h->engine_id);
    nfenc5_put_u16(m, 22, h->sampling);
    m->len = NFENC5_HEADER_LEN;
}

static void nfenc5_put_addr(struct nfenc5 *m, size_t off, const char *s)
{
    uint8_t a[4] = {0, 0, 0, 0};

    if (s && inet_pton(AF_INET, s, a) != 1)
        memset(a, 0, sizeof a);
    memcpy(m->buf + off, a, 4);
}

int nfenc5_add(struct nfenc5 *m, const struct nfenc5_rec *r)
{
    size_t o = m->len;

    if (o + NFENC5_RECORD_LEN > NFENC5_MAX)
        return -1;
    memset(m->buf + o, 0, NFENC5_RECORD_LEN);
    nfenc5_put_addr(m, o, r->src);
    nfenc5_put_addr(m, o + 4, r->dst);
    nfenc5_put_addr(m, o + 8, r->nexthop);
    nfenc5_put_u16(m, o + 12, r->in_if);
    nfenc5_put_u16(m, o + 14, r->out_if);
    nfenc5_put_u32(m, o + 16, r->packets);
    nfenc5_put_u32(m, o + 20, r->octets);
    nfenc5_put_u32(m, o + 24, r->first_ms);
    nfenc5_put_u32(m, o + 28, r->last_ms);
    nfenc5_put_u16(m, o + 32, r->sport);
    nfenc5_put_u16(m, o + 34, r->dport);
    nfenc5_put_u8(m, o + 37, r->tcp_flags);
    nfenc5_put_u8(m, o + 38, r->proto);
    nfenc5_put_u8(m, o + 39, r->tos);
    nfenc5_put_u16(m, o + 40, r->src_as);
    nfenc5_put_u16(m, o + 42, r->dst_as);
    nfenc5_put_u8(m, o + 44, r->src_mask);
    nfenc5_put_u8(m, o + 45, r->dst_mask);
    m->len = o + NFENC5_RECORD_LEN;
    nfenc5_set_count(m, (uint16_t)(nfenc5_get_u16(m, 2) + 1));
    return 0;
}

int nfenc5_add_n(struct nfenc5 *m, const struct nfenc5_rec *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (nfenc5_add(m, r) != 0)
            return -1;
    return 0;
}

void nfenc5_set_count(struct nfenc5 *m, uint16_t count)
{
    nfenc5_put_u16(m, 2, count);
}

int nfenc5_pad(struct nfenc5 *m, size_t n, uint8_t fill)
{
    if (n > NFENC5_MAX - m->len)
        return -1;
    memset(m->buf + m->len, fill, n);
    m->len += n;
    return 0;
}

void nfenc5_truncate(struct nfenc5 *m, size_t len)
{
    if (len < m->len)
        m->len = len;
}

/* ---- recording sink ---- */

static void nfenc5_recorder_emit(void *ctx, const struct flow_rec *recs, size_t n)
{
    struct nfenc5_recorder *r = ctx;

    if (r->n + n > r->cap) {
        size_t cap = r->cap ? r->cap : 64;
        while (cap < r->n + n)
            cap *= 2;
        r->recs = realloc(r->recs, cap * sizeof *r->recs);
        if (!r->recs)
            abort();
        r->cap = cap;
    }
    memcpy(r->recs + r->n, recs, n * sizeof *recs);
    r->n += n;
    r->batches++;
}

void nfenc5_recorder_init(struct nfenc5_recorder *r)
{
    memset(r, 0, sizeof *r);
}

void nfenc5_recorder_free(struct nfenc5_recorder *r)
{
    free(r->recs);
    memset(r, 0, sizeof *r);
}

void nfenc5_recorder_clear(struct nfenc5_recorder *r)
{
    r->n = 0;
    r->batches = 0;
}

struct flow_sink nfenc5_recorder_sink(struct nfenc5_recorder *r)
{
    struct flow_sink s = {nfenc5_recorder_emit, r};
    return s;
}

/* ---- driving a collector ---- */

int nfenc5_feed(struct nf_collector *c, const struct flow_addr *a, uint16_t port, const void *buf,
                size_t len, int64_t now_us)
{
    uint8_t *copy = malloc(len ? len : 1);
    int rc;

    if (!copy)
        abort();
    if (len)
        memcpy(copy, buf, len);
    rc = nf_collector_input(c, a, port, copy, len, now_us);
    free(copy);
    return rc;
}

bool nfenc5_find_exporter(const struct nf_collector *c, const struct flow_addr *a, uint16_t port,
                          uint32_t domain, struct nf_exporter_info *out)
{
    size_t n = nf_collector_exporters(c, NULL, 0);
    struct nf_exporter_info *all = calloc(n ? n : 1, sizeof *all);
    bool found = false;

    if (!all)
        abort();
    n = nf_collector_exporters(c, all, n);
    for (size_t i = 0; i < n && !found; i++) {
        if (memcmp(&all[i].addr, a, sizeof *a) == 0 && all[i].port == port &&
            all[i].domain == domain) {
            *out = all[i];
            found = true;
        }
    }
    free(all);
    return found;
}
