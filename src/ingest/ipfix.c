/*
 * ipfix.c - IPFIX (RFC 7011) messages: header, template and options template sets (with
 * withdrawals), data sets with variable-length fields.
 *
 * The message length must lie in 16..datagram (NF_R_BAD_LENGTH otherwise); a shorter
 * message than the datagram is parsed up to its length and the rest counted as
 * NF_R_TRAILING_BYTES. Set ids 0, 1 and 4..255 are skipped (NF_R_RESERVED_SET). Template
 * records with an id below 256, a PEN cut off (IX-06) or fields past the set are rejected
 * (NF_R_TPL_BAD); a set cut short ends the template set.
 *
 * Sequence numbers: RFC 7011 section 3.1 counts all Data Records, and options data records
 * are Data Records (section 2); only template records do not count. The real Cisco export
 * in testdata/ipfix/pmacct/112 confirms it (a message with one options data record advances
 * the sequence by 1, one with 17 by 17), and ipfixcol #118 (cited by IX-13) was a bug where
 * options data records did not advance it. So the count passed to nf_seq_update() is all
 * data records of the message, options data included (IPFIX_SEQ_COUNTS_OPTIONS). When a
 * data set had to be held (its records cannot be counted until its template
 * comes), the count for this message is unknown: the sequence is resynchronised on the next
 * message (e->seq_valid cleared after nf_seq_update) instead of reporting a false gap.
 *
 * Depends on nf_priv.h (collector callbacks), template.h and wire.h.
 */
#include "config.h"

#include <errno.h>

#include "nf_priv.h"
#include "template.h"

#define IPFIX_HDR_LEN 16

/* Whether options data records count in the sequence number (see the file comment). */
#define IPFIX_SEQ_COUNTS_OPTIONS 1

struct ipfix_msg {
    uint32_t serial;
    uint32_t n_data; /* data records of this message decoded so far */
    uint32_t held;   /* sets of this message held and not yet released */
};

static uint32_t ipfix_set_records(struct nf_collector *c, struct nf_exporter *e,
                                  const struct nf_tpl *tpl, struct wire *set,
                                  const struct nf_time_ctx *t)
{
    uint32_t n = nf_tpl_records(c, e, tpl, set, t);
    return tpl->options && !IPFIX_SEQ_COUNTS_OPTIONS ? 0 : n;
}

static void ipfix_learned(struct nf_collector *c, struct nf_exporter *e, const struct nf_tpl *tpl,
                          struct ipfix_msg *m)
{
    uint32_t n_sets;
    m->n_data += nf_tpl_release(c, e, tpl, ipfix_set_records, m->serial, &n_sets);
    m->held -= n_sets <= m->held ? n_sets : m->held;
}

/* Read `count` field specifiers into f (at most NF_MAX_FIELDS kept). False when the set
 * ends inside them (IX-06: enterprise bit with the PEN cut off). */
static bool ipfix_fields(struct wire *s, uint16_t count, struct nf_tpl_field *f, size_t *n)
{
    *n = 0;
    for (uint16_t i = 0; i < count; i++) {
        uint16_t id, len;
        uint32_t pen = 0;
        if (!wire_u16(s, &id) || !wire_u16(s, &len))
            return false;
        if ((id & 0x8000) && !wire_u32(s, &pen))
            return false;
        if (*n < NF_MAX_FIELDS)
            f[(*n)++] = (struct nf_tpl_field){.pen = pen, .id = id & 0x7fff, .len = len};
    }
    return true;
}

/* Template set (2) or options template set (3). */
static void ipfix_template_set(struct nf_collector *c, struct nf_exporter *e, struct wire *s,
                               bool options, struct ipfix_msg *m)
{
    struct nf_tpl_field f[NF_MAX_FIELDS];

    /* A record header is 4 bytes: fewer left is padding, and never underflows (IX-03). */
    while (s->left >= 4) {
        uint16_t id, count, scope = 0;
        wire_u16(s, &id);
        wire_u16(s, &count);
        if (count == 0) {
            if (id == 0)
                return; /* padding */
            if (id == 2 || id == 3)
                nf_tpl_withdraw_all(c->tpl, e, 10, id == 3);
            else if (id >= 256)
                nf_tpl_withdraw(c->tpl, e, 10, id); /* unknown id: harmless */
            else
                nf_count(c, NF_R_TPL_BAD);
            continue;
        }
        if (options && !wire_u16(s, &scope)) {
            nf_count(c, NF_R_TPL_BAD);
            return;
        }
        size_t n;
        if (!ipfix_fields(s, count, f, &n)) {
            nf_count(c, NF_R_TPL_BAD);
            return;
        }
        if (id < 256) {
            nf_count(c, NF_R_TPL_BAD); /* IX-05 */
            continue;
        }
        const struct nf_tpl *tpl;
        if (nf_tpl_learn(c, e, 10, id, options, scope, f, count > NF_MAX_FIELDS ? count : n,
                         &tpl) == 0)
            ipfix_learned(c, e, tpl, m);
    }
}

int ipfix_decode(struct nf_collector *c, const struct flow_addr *addr, uint16_t port,
                 struct wire *w)
{
    uint16_t version, length;
    uint32_t export_s, seq, domain;
    struct wire msg;

    if (!wire_has(w, IPFIX_HDR_LEN)) {
        nf_count(c, NF_R_SHORT);
        return -EINVAL;
    }
    wire_u16(w, &version);
    wire_u16(w, &length);
    wire_u32(w, &export_s);
    wire_u32(w, &seq);
    wire_u32(w, &domain);
    if (version != 10) {
        nf_count(c, NF_R_BAD_VERSION);
        return -EINVAL;
    }
    if (length < IPFIX_HDR_LEN || (size_t)length - IPFIX_HDR_LEN > w->left) {
        nf_count(c, NF_R_BAD_LENGTH); /* IX-01 */
        return -EINVAL;
    }
    wire_sub(w, (size_t)length - IPFIX_HDR_LEN, &msg);
    if (w->left)
        nf_count(c, NF_R_TRAILING_BYTES);
    struct nf_exporter *e = nf_exporter_get(c, addr, port, domain, 10);
    if (!e)
        return -ENOSPC;

    struct ipfix_msg m = {.serial = nf_tpl_message_begin(c)};
    const int64_t export_us = (int64_t)export_s * 1000000;
    const struct nf_time_ctx t = {.export_us = export_us};
    nf_clock_update(c, e, export_us);

    while (msg.left > 0) {
        uint16_t id, len;
        struct wire s;
        if (msg.left < 4 || (wire_u16(&msg, &id), wire_u16(&msg, &len), len < 4) ||
            !wire_sub(&msg, (size_t)len - 4, &s)) {
            nf_count(c, NF_R_BAD_SET_LEN);
            break;
        }
        if (id == 2 || id == 3) {
            ipfix_template_set(c, e, &s, id == 3, &m);
        } else if (id < 256) {
            nf_count(c, NF_R_RESERVED_SET);
        } else {
            const struct nf_tpl *tpl = nf_tpl_find(c->tpl, e, 10, id);
            if (tpl) {
                m.n_data += ipfix_set_records(c, e, tpl, &s, &t);
            } else {
                /* Counted even when it cannot be held: its records are unknown either way. */
                nf_tpl_hold(c, e, 10, id, s.p, s.left, &t, m.serial);
                m.held++;
            }
        }
    }
    nf_seq_update(c, e, seq, m.n_data);
    if (m.held)
        e->seq_valid = false; /* this message's record count is unknown: resync */
    return 0;
}
