/*
 * nfenc.h - a small encoder for NetFlow v9 and IPFIX messages, for tests and fuzz seeds.
 *
 * A `struct nfenc` is a fixed 64 KiB buffer (caller storage, no allocation). Start a message
 * with nfenc_v9 / nfenc_ipfix, open a set with nfenc_set_begin, write template records,
 * data records (raw integers and addresses) or anything else, close the set with
 * nfenc_set_end (which writes its length), and call nfenc_finish (which writes the IPFIX
 * message length, or the v9 count given). The common whole sets have one call each:
 * nfenc_template_set (one template), nfenc_shape_template_set and nfenc_shape_data_set.
 * Corruptions: write raw bytes anywhere with nfenc_put_u16_at / nfenc_put_u32_at, or leave sets
 * unclosed and write lengths by hand. Writes past the buffer are ignored and set `overflow`.
 */
#ifndef FLOWDRILL_TESTS_NFENC_H
#define FLOWDRILL_TESTS_NFENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NFENC_MAX 65536
#define NFENC_VARLEN 65535

struct nfenc {
    uint8_t buf[NFENC_MAX];
    size_t len;
    size_t set_start; /* offset of the open set's header */
    int version;      /* 9 or 10 */
    bool overflow;
};

/* A template field: element id (without the enterprise bit), length (NFENC_VARLEN for an
 * IPFIX variable-length field), enterprise number (0 = none; IPFIX only). */
struct nfenc_field {
    uint16_t id;
    uint16_t len;
    uint32_t pen;
};

/* Message headers. v9: the count field is written by nfenc_finish. */
void nfenc_v9(struct nfenc *m, uint32_t uptime_ms, uint32_t unix_secs, uint32_t seq,
              uint32_t source_id);
void nfenc_ipfix(struct nfenc *m, uint32_t export_secs, uint32_t seq, uint32_t domain);

/* v9: write `count` into the header (the real record count is not checked by decoders).
 * IPFIX: write the message length. Returns the message length. */
size_t nfenc_finish(struct nfenc *m, uint16_t v9_count);

/* Open a set/flowset with id; nfenc_set_end writes its length (including the 4-byte
 * header) and returns it. */
void nfenc_set_begin(struct nfenc *m, uint16_t id);
size_t nfenc_set_end(struct nfenc *m);

/* Open the template set of m's version (flowset id 0 in v9, set id 2 in IPFIX); close it with
 * nfenc_set_end. */
void nfenc_template_set_begin(struct nfenc *m);
/* A whole template set holding the one template record `tid`; returns the set's length. */
size_t nfenc_template_set(struct nfenc *m, uint16_t tid, const struct nfenc_field *f, size_t n);
/* Close the open set after zero padding up to a multiple of `align` bytes (RFC 3954 and
 * 7011 allow it); returns the set's length. */
size_t nfenc_set_end_pad(struct nfenc *m, size_t align);

/* Template record (v9 or IPFIX form according to m->version); inside a template set. */
void nfenc_template(struct nfenc *m, uint16_t tid, const struct nfenc_field *f, size_t n);
/* Options template record: v9 form (scope/option lengths in bytes; v9 scope field ids are
 * scope types) or IPFIX form (field count, scope field count). The first n_scope fields are
 * the scope. */
void nfenc_options_template(struct nfenc *m, uint16_t tid, const struct nfenc_field *f, size_t n,
                            size_t n_scope);
/* IPFIX template withdrawal record (tid, field count 0). */
void nfenc_withdraw(struct nfenc *m, uint16_t tid);

/* Raw writers. */
void nfenc_u8(struct nfenc *m, uint8_t v);
void nfenc_u16(struct nfenc *m, uint16_t v);
void nfenc_u32(struct nfenc *m, uint32_t v);
/* Unsigned big-endian integer in `len` bytes (1..8; higher bits dropped). */
void nfenc_uint(struct nfenc *m, uint64_t v, size_t len);
void nfenc_bytes(struct nfenc *m, const void *p, size_t len);
void nfenc_zeros(struct nfenc *m, size_t len);
/* Addresses from text ("10.0.0.1", "2001:db8::1"): 4 or 16 bytes. */
void nfenc_v4(struct nfenc *m, const char *s);
void nfenc_v6(struct nfenc *m, const char *s);
/* IPFIX variable-length value: 1-byte length, or 255 + 2-byte length when `long_form` or
 * len >= 255. */
void nfenc_varlen(struct nfenc *m, const void *p, size_t len, bool long_form);

/* Overwrite bytes already written (corruptions). */
void nfenc_put_u16_at(struct nfenc *m, size_t off, uint16_t v);
void nfenc_put_u32_at(struct nfenc *m, size_t off, uint32_t v);

/*
 * Shapes: the templates and records real exporters send that a decoder must book as the
 * device meant them (issue 18), v9 or IPFIX according to m->version. Each shape is a
 * template (write it inside a template set) and a record writer for it (inside its data
 * set). A record's fields come from a struct nfenc_flow; a NULL address is written as zeros.
 *
 *  NFENC_S_DUAL   8, 12, 27, 28, 15, 62, 4, 7, 11, 1, 2: both families' source, destination
 *                 and next-hop addresses in one template (Cisco, Huawei), one filled per
 *                 record, or both (tunnels), or neither
 *  NFENC_S_DUAL_VER  the same and ipVersion (60)
 *  NFENC_S_VARLEN 8, 12, 4, 7, 11, 1, 2, then VRFname (236) and applicationName (96) of
 *                 length 65535 (variable: H3C NetStream v9, IPFIX): written with a 1-byte
 *                 length, or with 255 and a 2-byte length when nfenc_flow.long_form
 *  NFENC_S_NOPKT  8, 12, 4, 7, 11, 1: no packet counter
 *  NFENC_S_V4     8, 12, 4, 7, 11, 1, 2: zero counts and self-talk (src == dst) records
 */
enum nfenc_shape { NFENC_S_DUAL, NFENC_S_DUAL_VER, NFENC_S_VARLEN, NFENC_S_NOPKT, NFENC_S_V4 };

struct nfenc_flow {
    const char *src4, *dst4, *src6, *dst6, *nh4, *nh6;
    uint8_t ip_version; /* NFENC_S_DUAL_VER only */
    uint8_t proto;
    uint16_t sport, dport;
    uint32_t bytes, pkts;        /* pkts: not written by NFENC_S_NOPKT */
    const char *vrf, *app;       /* NFENC_S_VARLEN: the variable-length values (NULL: empty) */
    bool long_form;              /* NFENC_S_VARLEN: 3-byte length prefixes */
};

/* The template of a shape, as template record `tid`. */
void nfenc_shape_template(struct nfenc *m, enum nfenc_shape s, uint16_t tid);
/* One record of a shape. */
void nfenc_shape_record(struct nfenc *m, enum nfenc_shape s, const struct nfenc_flow *f);
/* A record's fixed-length fields alone, for writing its variable-length ones by hand (a
 * length past the set, a cut prefix); the whole record for shapes without any. */
void nfenc_shape_record_fixed(struct nfenc *m, enum nfenc_shape s, const struct nfenc_flow *f);
/* A whole template set holding the shape's template `tid`, and a whole data set of its
 * records f[0..n-1]; each returns the set's length. */
size_t nfenc_shape_template_set(struct nfenc *m, enum nfenc_shape s, uint16_t tid);
size_t nfenc_shape_data_set(struct nfenc *m, enum nfenc_shape s, uint16_t tid,
                            const struct nfenc_flow *f, size_t n);

#endif
