/*
 * nf9.c - NetFlow v9 (RFC 3954) datagrams: header, template and options template flowsets,
 * data flowsets.
 *
 * Parsing is driven by flowset lengths only; the header's record count is not trusted
 * (N9-01). A flowset length below 4 or past the datagram ends the datagram
 * (NF_R_BAD_SET_LEN). Flowset ids 2..255 are skipped (NF_R_RESERVED_SET). Data for an unknown
 * template is held (template.h) and decoded when the template arrives, also later in the
 * same datagram (N9-11). RFC 3954 has no variable-length fields, but H3C/HPE NetStream
 * exporters send length 65535 with an IPFIX-style length prefix in each record: read as in
 * IPFIX (template.h), as Wireshark does, bounded by the flowset. The sequence number counts export packets: +1 per datagram.
 *
 * Depends on nf_priv.h (collector callbacks), template.h and wire.h.
 */
#include "config.h"

#include <errno.h>

#include "nf_priv.h"
#include "template.h"

#define NF9_HDR_LEN 20

static uint32_t nf9_held_decode(struct nf_collector *c, struct nf_exporter *e,
                                const struct nf_tpl *tpl, struct wire *set,
                                const struct nf_time_ctx *t)
{
    return nf_tpl_records(c, e, tpl, set, t);
}

static void nf9_learned(struct nf_collector *c, struct nf_exporter *e, const struct nf_tpl *tpl,
                        uint32_t serial)
{
    uint32_t n_sets;
    nf_tpl_release(c, e, tpl, nf9_held_decode, serial, &n_sets);
}

/* Template flowset (id 0): records of template id, field count, (type, length) pairs. */
static void nf9_template_set(struct nf_collector *c, struct nf_exporter *e, struct wire *s,
                             uint32_t serial)
{
    struct nf_tpl_field f[NF_MAX_FIELDS];

    while (s->left >= 4) {
        uint16_t id, count;
        wire_u16(s, &id);
        wire_u16(s, &count);
        if (id == 0 && count == 0)
            return; /* padding */
        if ((size_t)count * 4 > s->left) {
            /* More fields than the flowset holds (N9-05): the rest cannot be located. */
            nf_count(c, NF_R_TPL_TOO_MANY_FIELDS);
            return;
        }
        size_t n = 0;
        for (uint16_t i = 0; i < count; i++) {
            uint16_t type = 0, len = 0;
            /* the lengths were checked above; a short read leaves zeros, never garbage */
            (void)(wire_u16(s, &type) && wire_u16(s, &len));
            if (n < NF_MAX_FIELDS)
                f[n++] = (struct nf_tpl_field){.id = type, .len = len};
        }
        if (id < 256) {
            nf_count(c, NF_R_TPL_BAD);
            continue;
        }
        const struct nf_tpl *tpl;
        if (nf_tpl_learn(c, e, 9, id, false, 0, f, count > NF_MAX_FIELDS ? count : n, &tpl) == 0)
            nf9_learned(c, e, tpl, serial);
    }
}

/* Options template flowset (id 1): template id, scope length, option length (bytes), then
 * scope and option (type, length) pairs; padding to 4 bytes at the end. */
static void nf9_options_set(struct nf_collector *c, struct nf_exporter *e, struct wire *s,
                            uint32_t serial)
{
    struct nf_tpl_field f[NF_MAX_FIELDS];

    while (s->left >= 6) {
        uint16_t id, scope_len, opt_len;
        wire_u16(s, &id);
        wire_u16(s, &scope_len);
        wire_u16(s, &opt_len);
        if (id == 0 && scope_len == 0 && opt_len == 0)
            return; /* padding */
        if ((size_t)scope_len + opt_len > s->left) {
            nf_count(c, NF_R_TPL_BAD); /* N9-14: the rest cannot be located */
            return;
        }
        if (scope_len == 0 || scope_len % 4 || opt_len % 4 || id < 256) {
            nf_count(c, NF_R_TPL_BAD);
            wire_skip(s, (size_t)scope_len + opt_len);
            continue;
        }
        size_t count = ((size_t)scope_len + opt_len) / 4, n = 0;
        for (size_t i = 0; i < count; i++) {
            uint16_t type = 0, len = 0;
            /* the lengths were checked above; a short read leaves zeros, never garbage */
            (void)(wire_u16(s, &type) && wire_u16(s, &len));
            if (n < NF_MAX_FIELDS)
                f[n++] = (struct nf_tpl_field){.id = type, .len = len};
        }
        const struct nf_tpl *tpl;
        if (nf_tpl_learn(c, e, 9, id, true, (uint16_t)(scope_len / 4), f,
                         count > NF_MAX_FIELDS ? count : n, &tpl) == 0)
            nf9_learned(c, e, tpl, serial);
    }
}

/* True when every byte left is zero. */
static bool nf9_all_zero(const struct wire *w)
{
    for (size_t i = 0; i < w->left; i++)
        if (w->p[i])
            return false;
    return true;
}

int nf9_decode(struct nf_collector *c, const struct flow_addr *addr, uint16_t port, struct wire *w)
{
    uint16_t version, count;
    uint32_t uptime, secs, seq, source_id;

    if (!wire_has(w, NF9_HDR_LEN)) {
        nf_count(c, NF_R_SHORT);
        return -EINVAL;
    }
    wire_u16(w, &version);
    wire_u16(w, &count); /* not trusted (N9-01) */
    wire_u32(w, &uptime);
    wire_u32(w, &secs);
    wire_u32(w, &seq);
    wire_u32(w, &source_id);
    if (version != 9) {
        nf_count(c, NF_R_BAD_VERSION);
        return -EINVAL;
    }
    struct nf_exporter *e = nf_exporter_get(c, addr, port, source_id, 9);
    if (!e)
        return -ENOSPC;
    uint32_t serial = nf_tpl_message_begin(c);
    nf_uptime_update(c, e, uptime);
    nf_clock_update(c, e, (int64_t)secs * 1000000);
    const struct nf_time_ctx t = {
        .export_us = (int64_t)secs * 1000000, .uptime_ms = uptime, .has_uptime = true};

    while (w->left > 0) {
        uint16_t id, len;
        struct wire s;
        if (w->left < 4 || nf9_all_zero(w)) {
            /* a few bytes, or zero padding after the last flowset (Cisco ACI pads with 64):
             * nothing lost, a note */
            nf_count(c, NF_R_TRAILING_BYTES);
            break;
        }
        wire_u16(w, &id);
        wire_u16(w, &len);
        if (len < 4 || !wire_sub(w, (size_t)len - 4, &s)) {
            nf_count(c, NF_R_BAD_SET_LEN); /* N9-02/03 */
            break;
        }
        if (id == 0) {
            nf9_template_set(c, e, &s, serial);
        } else if (id == 1) {
            nf9_options_set(c, e, &s, serial);
        } else if (id < 256) {
            nf_count(c, NF_R_RESERVED_SET);
        } else {
            const struct nf_tpl *tpl = nf_tpl_find(c->tpl, e, 9, id);
            if (tpl)
                nf_tpl_records(c, e, tpl, &s, &t);
            else
                nf_tpl_hold(c, e, 9, id, s.p, s.left, &t, serial);
        }
    }
    nf_seq_update(c, e, seq, 1);
    return 0;
}
