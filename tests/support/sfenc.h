/*
 * sfenc.h - a small sFlow v5 encoder for tests and fixture tools (XDR, network order).
 *
 * Build a datagram outermost first: sfenc_init() writes the header (agent, sub-agent,
 * sequence, uptime) with num_samples left open; sfenc_begin() opens a sample or a record
 * (data_format + a length filled in by the matching sfenc_end()); sfenc_finish() writes the
 * number of top-level samples into the header (sfenc_finish_n() writes any number, to test
 * a wrong one). Helpers write the fixed fields of the common samples and records. Appends are
 * bounds-checked: on overflow nothing is written and `overflow` is set. Lengths can be
 * patched afterwards through the offsets sfenc_begin() returns (sfenc_put_u32()).
 */
#ifndef FLOWDRILL_TESTS_SFENC_H
#define FLOWDRILL_TESTS_SFENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SFENC_MAX 65536
#define SFENC_DEPTH 4

struct sfenc {
    uint8_t buf[SFENC_MAX];
    size_t len;
    bool overflow;
    size_t nsamples_off;      /* where num_samples is */
    uint32_t nsamples;        /* top-level samples opened */
    size_t open[SFENC_DEPTH]; /* offsets of the open length words */
    int depth;
};

/* Generic interface counters (counter record 0:1). */
struct sfenc_if {
    uint32_t ifindex, iftype, direction, status;
    uint64_t speed, in_octets, out_octets;
    uint32_t in_ucast, in_mcast, in_bcast, in_discards, in_errors, in_unknown;
    uint32_t out_ucast, out_mcast, out_bcast, out_discards, out_errors, promisc;
};

/* `agent` is an IPv4 or IPv6 literal (address type 1 or 2). */
void sfenc_init(struct sfenc *m, const char *agent, uint32_t sub_agent, uint32_t seq,
                uint32_t uptime_ms);
void sfenc_u32(struct sfenc *m, uint32_t v);
void sfenc_u64(struct sfenc *m, uint64_t v);
/* n bytes, then zeros up to a multiple of 4 */
void sfenc_opaque(struct sfenc *m, const void *p, size_t n);
void sfenc_put_u32(struct sfenc *m, size_t off, uint32_t v);
/* Open a sample or record of `format` (enterprise << 12 | format); returns the offset of its
 * length word. */
size_t sfenc_begin(struct sfenc *m, uint32_t format);
void sfenc_end(struct sfenc *m);
void sfenc_finish(struct sfenc *m);
void sfenc_finish_n(struct sfenc *m, uint32_t n);

/* Open a flow sample (format 1, compact interfaces) and write its fields through
 * num_records; the caller adds the records and calls sfenc_end(). */
void sfenc_flow_sample(struct sfenc *m, uint32_t seq, uint32_t source, uint32_t rate,
                       uint32_t pool, uint32_t drops, uint32_t in, uint32_t out,
                       uint32_t nrec);
/* The same as an expanded flow sample (format 3). */
void sfenc_flow_sample_exp(struct sfenc *m, uint32_t seq, uint32_t rate, uint32_t pool,
                           uint32_t drops, uint32_t in, uint32_t out, uint32_t nrec);
/* Open a counter sample (format 2, or 4 when expanded) up to num_records. */
void sfenc_counter_sample(struct sfenc *m, bool expanded, uint32_t seq, uint32_t source,
                          uint32_t nrec);

/* Whole records. */
void sfenc_raw_header(struct sfenc *m, uint32_t proto, uint32_t frame_len, uint32_t stripped,
                      const uint8_t *hdr, uint32_t hlen);
void sfenc_sampled_ipv4(struct sfenc *m, uint32_t length, uint8_t proto, const char *src,
                        const char *dst, uint16_t sport, uint16_t dport, uint8_t tcp_flags);
void sfenc_sampled_ipv6(struct sfenc *m, uint32_t length, uint8_t proto, const char *src,
                        const char *dst, uint16_t sport, uint16_t dport, uint8_t tcp_flags);
void sfenc_generic_counters(struct sfenc *m, const struct sfenc_if *k);

#endif
