/*
 * nfenc.c - the NetFlow v9 / IPFIX test encoder (see nfenc.h).
 */
#include "config.h"

#include "nfenc.h"

#include <arpa/inet.h>
#include <string.h>

void nfenc_bytes(struct nfenc *m, const void *p, size_t len)
{
    if (len > NFENC_MAX - m->len) {
        m->overflow = true;
        return;
    }
    if (p)
        memcpy(m->buf + m->len, p, len);
    else
        memset(m->buf + m->len, 0, len);
    m->len += len;
}

void nfenc_zeros(struct nfenc *m, size_t len)
{
    nfenc_bytes(m, NULL, len);
}

void nfenc_uint(struct nfenc *m, uint64_t v, size_t len)
{
    uint8_t b[8];
    if (len == 0 || len > 8) {
        m->overflow = true;
        return;
    }
    for (size_t i = 0; i < len; i++)
        b[i] = (uint8_t)(v >> (8 * (len - 1 - i)));
    nfenc_bytes(m, b, len);
}

void nfenc_u8(struct nfenc *m, uint8_t v)
{
    nfenc_uint(m, v, 1);
}

void nfenc_u16(struct nfenc *m, uint16_t v)
{
    nfenc_uint(m, v, 2);
}

void nfenc_u32(struct nfenc *m, uint32_t v)
{
    nfenc_uint(m, v, 4);
}

void nfenc_v4(struct nfenc *m, const char *s)
{
    uint8_t b[4] = {0};
    inet_pton(AF_INET, s, b);
    nfenc_bytes(m, b, 4);
}

void nfenc_v6(struct nfenc *m, const char *s)
{
    uint8_t b[16] = {0};
    inet_pton(AF_INET6, s, b);
    nfenc_bytes(m, b, 16);
}

void nfenc_varlen(struct nfenc *m, const void *p, size_t len, bool long_form)
{
    if (long_form || len >= 255) {
        nfenc_u8(m, 255);
        nfenc_u16(m, (uint16_t)len);
    } else {
        nfenc_u8(m, (uint8_t)len);
    }
    nfenc_bytes(m, p, len);
}

void nfenc_put_u16_at(struct nfenc *m, size_t off, uint16_t v)
{
    if (off + 2 > m->len) {
        m->overflow = true;
        return;
    }
    m->buf[off] = (uint8_t)(v >> 8);
    m->buf[off + 1] = (uint8_t)v;
}

void nfenc_put_u32_at(struct nfenc *m, size_t off, uint32_t v)
{
    nfenc_put_u16_at(m, off, (uint16_t)(v >> 16));
    nfenc_put_u16_at(m, off + 2, (uint16_t)v);
}

void nfenc_v9(struct nfenc *m, uint32_t uptime_ms, uint32_t unix_secs, uint32_t seq,
              uint32_t source_id)
{
    m->len = 0;
    m->overflow = false;
    m->version = 9;
    nfenc_u16(m, 9);
    nfenc_u16(m, 0);
    nfenc_u32(m, uptime_ms);
    nfenc_u32(m, unix_secs);
    nfenc_u32(m, seq);
    nfenc_u32(m, source_id);
}

void nfenc_ipfix(struct nfenc *m, uint32_t export_secs, uint32_t seq, uint32_t domain)
{
    m->len = 0;
    m->overflow = false;
    m->version = 10;
    nfenc_u16(m, 10);
    nfenc_u16(m, 0);
    nfenc_u32(m, export_secs);
    nfenc_u32(m, seq);
    nfenc_u32(m, domain);
}

size_t nfenc_finish(struct nfenc *m, uint16_t v9_count)
{
    if (m->version == 9)
        nfenc_put_u16_at(m, 2, v9_count);
    else
        nfenc_put_u16_at(m, 2, (uint16_t)m->len);
    return m->len;
}

void nfenc_set_begin(struct nfenc *m, uint16_t id)
{
    m->set_start = m->len;
    nfenc_u16(m, id);
    nfenc_u16(m, 0);
}

size_t nfenc_set_end(struct nfenc *m)
{
    size_t len = m->len - m->set_start;
    nfenc_put_u16_at(m, m->set_start + 2, (uint16_t)len);
    return len;
}

size_t nfenc_set_end_pad(struct nfenc *m, size_t align)
{
    size_t len = m->len - m->set_start;
    if (align > 1 && len % align)
        nfenc_zeros(m, align - len % align);
    return nfenc_set_end(m);
}

void nfenc_template_set_begin(struct nfenc *m)
{
    nfenc_set_begin(m, m->version == 9 ? 0 : 2);
}

size_t nfenc_template_set(struct nfenc *m, uint16_t tid, const struct nfenc_field *f, size_t n)
{
    nfenc_template_set_begin(m);
    nfenc_template(m, tid, f, n);
    return nfenc_set_end(m);
}

static void nfenc_field_spec(struct nfenc *m, const struct nfenc_field *f)
{
    if (m->version == 10 && f->pen) {
        nfenc_u16(m, (uint16_t)(f->id | 0x8000));
        nfenc_u16(m, f->len);
        nfenc_u32(m, f->pen);
    } else {
        nfenc_u16(m, f->id);
        nfenc_u16(m, f->len);
    }
}

void nfenc_template(struct nfenc *m, uint16_t tid, const struct nfenc_field *f, size_t n)
{
    nfenc_u16(m, tid);
    nfenc_u16(m, (uint16_t)n);
    for (size_t i = 0; i < n; i++)
        nfenc_field_spec(m, &f[i]);
}

void nfenc_options_template(struct nfenc *m, uint16_t tid, const struct nfenc_field *f, size_t n,
                            size_t n_scope)
{
    nfenc_u16(m, tid);
    if (m->version == 9) {
        nfenc_u16(m, (uint16_t)(n_scope * 4));
        nfenc_u16(m, (uint16_t)((n - n_scope) * 4));
    } else {
        nfenc_u16(m, (uint16_t)n);
        nfenc_u16(m, (uint16_t)n_scope);
    }
    for (size_t i = 0; i < n; i++)
        nfenc_field_spec(m, &f[i]);
}

void nfenc_withdraw(struct nfenc *m, uint16_t tid)
{
    nfenc_u16(m, tid);
    nfenc_u16(m, 0);
}

/* ---- shapes (nfenc.h) ---- */

static const struct nfenc_field nfenc_dual_f[] = {
    {8, 4, 0}, {12, 4, 0}, {27, 16, 0}, {28, 16, 0}, {15, 4, 0}, {62, 16, 0},
    {4, 1, 0}, {7, 2, 0},  {11, 2, 0},  {1, 4, 0},   {2, 4, 0},  {60, 1, 0},
};
static const struct nfenc_field nfenc_varlen_f[] = {
    {8, 4, 0}, {12, 4, 0}, {4, 1, 0}, {7, 2, 0}, {11, 2, 0}, {1, 4, 0}, {2, 4, 0},
    {236, NFENC_VARLEN, 0}, {96, NFENC_VARLEN, 0},
};
static const struct nfenc_field nfenc_v4_f[] = {
    {8, 4, 0}, {12, 4, 0}, {4, 1, 0}, {7, 2, 0}, {11, 2, 0}, {1, 4, 0}, {2, 4, 0},
};

void nfenc_shape_template(struct nfenc *m, enum nfenc_shape s, uint16_t tid)
{
    switch (s) {
    case NFENC_S_DUAL:
        nfenc_template(m, tid, nfenc_dual_f, 11);
        break;
    case NFENC_S_DUAL_VER:
        nfenc_template(m, tid, nfenc_dual_f, 12);
        break;
    case NFENC_S_VARLEN:
        nfenc_template(m, tid, nfenc_varlen_f, 9);
        break;
    case NFENC_S_NOPKT:
        nfenc_template(m, tid, nfenc_v4_f, 6);
        break;
    case NFENC_S_V4:
        nfenc_template(m, tid, nfenc_v4_f, 7);
        break;
    }
}

static void nfenc_addr4(struct nfenc *m, const char *a)
{
    if (a)
        nfenc_v4(m, a);
    else
        nfenc_zeros(m, 4);
}

static void nfenc_addr6(struct nfenc *m, const char *a)
{
    if (a)
        nfenc_v6(m, a);
    else
        nfenc_zeros(m, 16);
}

static void nfenc_text(struct nfenc *m, const char *t, bool long_form)
{
    nfenc_varlen(m, t ? t : "", t ? strlen(t) : 0, long_form);
}

void nfenc_shape_record_fixed(struct nfenc *m, enum nfenc_shape s, const struct nfenc_flow *f)
{
    bool dual = s == NFENC_S_DUAL || s == NFENC_S_DUAL_VER;
    nfenc_addr4(m, f->src4);
    nfenc_addr4(m, f->dst4);
    if (dual) {
        nfenc_addr6(m, f->src6);
        nfenc_addr6(m, f->dst6);
        nfenc_addr4(m, f->nh4);
        nfenc_addr6(m, f->nh6);
    }
    nfenc_u8(m, f->proto);
    nfenc_u16(m, f->sport);
    nfenc_u16(m, f->dport);
    nfenc_u32(m, f->bytes);
    if (s != NFENC_S_NOPKT)
        nfenc_u32(m, f->pkts);
    if (s == NFENC_S_DUAL_VER)
        nfenc_u8(m, f->ip_version);
}

void nfenc_shape_record(struct nfenc *m, enum nfenc_shape s, const struct nfenc_flow *f)
{
    nfenc_shape_record_fixed(m, s, f);
    if (s == NFENC_S_VARLEN) {
        nfenc_text(m, f->vrf, f->long_form);
        nfenc_text(m, f->app, f->long_form);
    }
}

size_t nfenc_shape_template_set(struct nfenc *m, enum nfenc_shape s, uint16_t tid)
{
    nfenc_template_set_begin(m);
    nfenc_shape_template(m, s, tid);
    return nfenc_set_end(m);
}

size_t nfenc_shape_data_set(struct nfenc *m, enum nfenc_shape s, uint16_t tid,
                            const struct nfenc_flow *f, size_t n)
{
    nfenc_set_begin(m, tid);
    for (size_t i = 0; i < n; i++)
        nfenc_shape_record(m, s, &f[i]);
    return nfenc_set_end(m);
}
