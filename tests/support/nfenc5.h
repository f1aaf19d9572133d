/*
 * nfenc5.h - building NetFlow v5 datagrams for the collector tests, a recording sink, and two
 * helpers for driving a collector.
 *
 * A `struct nfenc5` is a byte buffer holding one datagram: nfenc5_init writes the header with
 * count 0, nfenc5_add appends a record and bumps the count, and the raw helpers overwrite any
 * byte, field or the length afterwards to build malformed datagrams. Nothing is validated:
 * producing bad input is the point. Test-only; depends on flow.h, nf.h and the C library.
 */
#ifndef FLOWDRILL_TESTS_NFENC5_H
#define FLOWDRILL_TESTS_NFENC5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/flow.h"
#include "flowdrill/nf.h"
#include "flowdrill/sink.h"

#define NFENC5_MAX 65536 /* bytes in a datagram buffer (more than any UDP payload) */
#define NFENC5_HEADER_LEN 24
#define NFENC5_RECORD_LEN 48

/* Header fields (host order). nfenc5_hdr_default gives a valid, unsampled header. */
struct nfenc5_hdr {
    uint16_t version;
    uint32_t uptime_ms, unix_secs, unix_nsecs, sequence;
    uint8_t engine_type, engine_id;
    uint16_t sampling; /* mode << 14 | interval */
};

/* One flow record (host order); addresses are dotted quads, NULL for 0.0.0.0. */
struct nfenc5_rec {
    const char *src, *dst, *nexthop;
    uint16_t in_if, out_if;
    uint32_t packets, octets;
    uint32_t first_ms, last_ms; /* sysUptime stamps */
    uint16_t sport, dport;
    uint8_t tcp_flags, proto, tos;
    uint16_t src_as, dst_as;
    uint8_t src_mask, dst_mask;
};

struct nfenc5 {
    uint8_t buf[NFENC5_MAX];
    size_t len;
};

/* version 5, uptime 100 s, Unix time 1,700,000,000 s, sequence 0, engine 0/0, unsampled. */
void nfenc5_hdr_default(struct nfenc5_hdr *h);

/* A plain TCP record: 10.1.1.1:1234 -> 10.2.2.2:80 via 10.9.9.9, interfaces 3 -> 4, 3 packets,
 * 300 bytes, First 90000 and Last 99000 (10 s and 1 s before the default header's uptime),
 * flags 0x1b, tos 0x10, AS 64500 -> 64501, masks /24 and /16. */
void nfenc5_rec_default(struct nfenc5_rec *r);

/* Start a datagram: the 24-byte header with count 0. */
void nfenc5_init(struct nfenc5 *m, const struct nfenc5_hdr *h);

/* Append one record and increment the header's count. Returns 0, or -1 when it does not fit. */
int nfenc5_add(struct nfenc5 *m, const struct nfenc5_rec *r);

/* Append `n` records copied from `r` (the same flow n times). Returns 0 or -1. */
int nfenc5_add_n(struct nfenc5 *m, const struct nfenc5_rec *r, size_t n);

/* Raw changes for malformed datagrams. Writes past NFENC5_MAX are ignored. */
void nfenc5_set_count(struct nfenc5 *m, uint16_t count);
void nfenc5_put_u8(struct nfenc5 *m, size_t off, uint8_t v);
void nfenc5_put_u16(struct nfenc5 *m, size_t off, uint16_t v);
void nfenc5_put_u32(struct nfenc5 *m, size_t off, uint32_t v);
/* Append n bytes of value `fill` (trailing garbage). Returns 0 or -1. */
int nfenc5_pad(struct nfenc5 *m, size_t n, uint8_t fill);
/* Cut the datagram to `len` bytes (no-op if it is already shorter). */
void nfenc5_truncate(struct nfenc5 *m, size_t len);

/* Byte offset of record i's first byte. */
static inline size_t nfenc5_rec_off(size_t i)
{
    return NFENC5_HEADER_LEN + i * NFENC5_RECORD_LEN;
}

/*
 * A sink that copies every record it receives into a growing array (owned; free with
 * nfenc5_recorder_free) and counts the batches.
 */
struct nfenc5_recorder {
    struct flow_rec *recs;
    size_t n, cap;
    size_t batches;
};

void nfenc5_recorder_init(struct nfenc5_recorder *r);
void nfenc5_recorder_free(struct nfenc5_recorder *r);
void nfenc5_recorder_clear(struct nfenc5_recorder *r);
/* A flow_sink writing into `r` (borrowed: `r` must outlive the sink's users). */
struct flow_sink nfenc5_recorder_sink(struct nfenc5_recorder *r);

/* Hand `len` bytes to nf_collector_input from an exact-size heap copy, so that ASan reports
 * any read past the datagram. Returns what nf_collector_input returns. */
int nfenc5_feed(struct nf_collector *c, const struct flow_addr *a, uint16_t port, const void *buf,
                size_t len, int64_t now_us);

/* Copy the exporter domain (a, port, domain) out of nf_collector_exporters into `out`;
 * false when the collector does not know it. */
bool nfenc5_find_exporter(const struct nf_collector *c, const struct flow_addr *a, uint16_t port,
                          uint32_t domain, struct nf_exporter_info *out);

#endif
