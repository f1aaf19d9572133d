/*
 * flow.h - the normalized flow record every source emits.
 *
 * Packet capture emits one record per packet (packets = 1, bytes = layer-3 length); flow
 * exports (NetFlow/IPFIX) emit one per exported flow. Everything downstream (aggregator,
 * tables, output) sees only this struct. Addresses are 16 bytes; IPv4 is stored as an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) so one comparison serves both families.
 * Depends on nothing but the C library.
 */
#ifndef FLOWDRILL_FLOW_H
#define FLOWDRILL_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct flow_addr {
    uint8_t b[16];
};

enum flow_af {
    FLOW_AF_NONE = 0,
    FLOW_AF_INET = 4,
    FLOW_AF_INET6 = 6,
};

/* Direction relative to the local networks (--local). */
enum flow_dir {
    FLOW_DIR_UNKNOWN = 0,
    FLOW_DIR_IN,       /* from outside into a local network */
    FLOW_DIR_OUT,      /* from a local network to outside */
    FLOW_DIR_INTERNAL, /* both ends local */
    FLOW_DIR_TRANSIT,  /* neither end local */
};

/* flow_rec.flags */
enum {
    FLOW_REC_NO_PORTS = 1u << 0, /* ports unknown (non-first fragment, truncated L4 header) */
    FLOW_REC_FRAGMENT = 1u << 1, /* part of a fragmented IP datagram */
    FLOW_REC_TRUNCATED = 1u << 2, /* captured length < wire length */
    FLOW_REC_EXPORTED = 1u << 3   /* from a flow export: `exporter` and `domain` are valid */
};

struct flow_rec {
    struct flow_addr src, dst;
    uint16_t sport, dport; /* host order; 0 when the protocol has none */
    uint8_t proto;         /* IP protocol number */
    uint8_t af;            /* enum flow_af */
    uint8_t tcp_flags;     /* OR of the TCP flags seen */
    uint8_t direction;     /* enum flow_dir; FLOW_DIR_UNKNOWN until classified */
    uint16_t flags;        /* FLOW_REC_* */
    uint16_t icmp_type;    /* (type << 8 | code) for ICMP/ICMPv6, else 0 */
    uint64_t bytes;        /* layer-3 bytes (IP total length), already scaled by sampling */
    uint64_t packets;      /* already scaled by sampling */
    int64_t first_us;      /* Unix time of the first packet, microseconds */
    int64_t last_us;       /* Unix time of the last packet, microseconds */
    uint32_t in_if, out_if; /* SNMP interface indexes, 0 when unknown */
    uint32_t src_as, dst_as;
    uint32_t sampling;  /* sampling rate applied to bytes/packets (1 = unsampled) */
    uint32_t source_id; /* which source produced it (index in the app's source list) */
    /* flow exports only (FLOW_REC_EXPORTED); packet capture leaves them unset */
    struct flow_addr exporter; /* the exporter's address */
    uint32_t domain;           /* v9 source id / IPFIX observation domain */
};

static inline bool flow_addr_is_v4(const struct flow_addr *a)
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a->b, prefix, 12) == 0;
}

/* An address as two 64-bit words in memory order. */
static inline void flow_addr_words(const struct flow_addr *a, uint64_t w[2])
{
    memcpy(w, a->b, 16);
}

/* Equal addresses (two 64-bit compares: the hot tables compare addresses per record). */
static inline bool flow_addr_eq(const struct flow_addr *x, const struct flow_addr *y)
{
    uint64_t a[2], b[2];
    flow_addr_words(x, a);
    flow_addr_words(y, b);
    return ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0;
}

/* memcmp(x, y, 16) > 0 without the call: byte order is the order of big-endian words. */
static inline bool flow_addr_gt(const struct flow_addr *x, const struct flow_addr *y)
{
    uint64_t a[2], b[2];
    flow_addr_words(x, a);
    flow_addr_words(y, b);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (int i = 0; i < 2; i++)
        a[i] = __builtin_bswap64(a[i]), b[i] = __builtin_bswap64(b[i]);
#endif
    return a[0] != b[0] ? a[0] > b[0] : a[1] > b[1];
}

/* Store an IPv4 address given as 4 network-order bytes. */
static inline void flow_addr_set_v4(struct flow_addr *a, const uint8_t v4[4])
{
    /* as two 8-byte words: the tables read addresses a word at a time, and a word read back
     * from several smaller stores is not forwarded from them (it waits for the cache) */
    uint8_t lo[8] = {0, 0, 0xff, 0xff, v4[0], v4[1], v4[2], v4[3]};
    uint64_t w[2] = {0, 0};
    memcpy(&w[1], lo, 8);
    memcpy(a->b, w, 16);
}

static inline void flow_addr_set_v6(struct flow_addr *a, const uint8_t v6[16])
{
    memcpy(a->b, v6, 16);
}

/* Bytes needed for flow_addr_format's output, including the NUL. */
#define FLOW_ADDR_STRLEN 46

/* Format as dotted quad (IPv4-mapped) or RFC 5952 IPv6 text. Returns buf. */
char *flow_addr_format(const struct flow_addr *a, char *buf, size_t len);

/* Parse "a.b.c.d" or an IPv6 literal. Returns 0 or -EINVAL. */
int flow_addr_parse(const char *s, struct flow_addr *out);

/* Name of an IP protocol ("tcp", "udp", "icmp", ...) or NULL when unknown. */
const char *flow_proto_name(uint8_t proto);

/* True when the protocol carries 16-bit ports at the start of its header. */
static inline bool flow_proto_has_ports(uint8_t proto)
{
    return proto == 6 || proto == 17 || proto == 132 || proto == 33 || proto == 136;
}

#endif
