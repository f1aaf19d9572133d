/*
 * packet.h - decode one captured frame into a flow record (link -> IP -> L4).
 *
 * Pure and allocation-free: takes the link type (a DLT_/LINKTYPE_ number), the captured bytes,
 * their captured and wire lengths and the timestamp; fills a `struct flow_rec` with packets = 1
 * and bytes = the outermost IP header's length (IPv4 total length; IPv6 payload length + 40),
 * never the frame length. Never includes <pcap.h>; never reads past `caplen`.
 *
 * Every frame lands in exactly one place: a record (return 1), or a drop reason (return 0 and
 * stats->count[reason] += 1). Some reasons are notes on a frame that still produced a record
 * (truncated capture, fragment, bad TCP offset...): packet_reason_is_drop() tells them apart.
 */
#ifndef FLOWDRILL_PACKET_H
#define FLOWDRILL_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/flow.h"

/* Link types we decode (values are the LINKTYPE_/DLT_ numbers pcap files carry). */
enum packet_linktype {
    PACKET_LT_NULL = 0,        /* BSD loopback: 4-byte host-order AF */
    PACKET_LT_EN10MB = 1,      /* Ethernet (802.1Q, QinQ, MPLS, PPPoE inside) */
    PACKET_LT_PPP = 9,         /* PPP, optionally with HDLC address/control */
    PACKET_LT_PPP_HDLC = 50,   /* PPP in HDLC-like framing */
    PACKET_LT_PPP_ETHER = 51,  /* PPPoE session without Ethernet */
    PACKET_LT_RAW = 101,       /* raw IPv4/IPv6 */
    PACKET_LT_RAW_OBSD = 12,   /* raw IP, as some systems number it */
    PACKET_LT_LOOP = 108,      /* OpenBSD loopback: 4-byte network-order AF */
    PACKET_LT_LINUX_SLL = 113, /* Linux cooked v1 */
    PACKET_LT_IPV4 = 228,
    PACKET_LT_IPV6 = 229,
    PACKET_LT_NFLOG = 239,     /* Linux NFLOG (TLVs, host order) */
    PACKET_LT_LINUX_SLL2 = 276 /* Linux cooked v2 */
};

/* Why a frame produced no record (drops) or what was odd about one that did (notes).
 * Keep packet_reason_name() and packet_reason_is_drop() in step with this list. */
enum packet_reason {
    /* drops: the frame is not counted in any table */
    PACKET_R_NON_IP = 0,       /* valid frame carrying something else (ARP, LLDP, STP, ...) */
    PACKET_R_UNKNOWN_LINKTYPE, /* link type we do not decode */
    PACKET_R_LINK_TRUNCATED,   /* frame ends inside the link-layer header(s) */
    PACKET_R_VLAN_DEPTH,       /* more than PACKET_MAX_VLAN tags */
    PACKET_R_MPLS_DEPTH,       /* more than PACKET_MAX_MPLS labels without bottom of stack */
    PACKET_R_IPV4_BAD_HEADER,  /* IHL < 5, IHL past the capture, total length < IHL*4 ... */
    PACKET_R_IPV6_BAD_HEADER,  /* header cut off, version mismatch */
    PACKET_R_IP_TRUNCATED,     /* IP header itself cut off by the snap length */
    /* notes: the frame was counted, with this caveat */
    PACKET_R_TRUNCATED,        /* caplen < wire length; counted from the IP length */
    PACKET_R_FRAGMENT,         /* an IP fragment (non-first ones carry no ports) */
    PACKET_R_IPV6_EXT_LIMIT,   /* extension-header chain too long or cut off: L4 unknown */
    PACKET_R_L4_TRUNCATED,     /* L4 header cut off: ports unknown */
    PACKET_R_L4_BAD_HEADER,    /* TCP data offset < 5, UDP length < 8 or past the IP payload */
    PACKET_R_IP_LEN_MISMATCH,  /* IP length larger than the frame on the wire: clamped */
    PACKET_R_MAX
};

#define PACKET_MAX_VLAN 8
#define PACKET_MAX_MPLS 16
#define PACKET_MAX_IPV6_EXT 8

struct packet_stats {
    uint64_t count[PACKET_R_MAX];
};

/* Stable snake_case name of a reason ("non_ip", "vlan_depth", ...), as shown in JSON. */
const char *packet_reason_name(enum packet_reason r);

/* True for reasons that mean "no record was produced". */
bool packet_reason_is_drop(enum packet_reason r);

/* True when `linktype` is one packet_decode() understands. */
bool packet_linktype_supported(int linktype);

/*
 * Decode one frame. `data` is borrowed for the call; `caplen` bytes of it are readable;
 * `wirelen` is the original length on the wire (>= caplen; a smaller value is treated as
 * caplen). On success fills *out (src/dst, ports, proto, af, tcp_flags, flags, bytes,
 * packets = 1, first_us = last_us = ts_us, sampling = 1; other fields zero) and returns 1.
 * Otherwise bumps stats->count[reason] and returns 0. Notes are counted in stats too.
 */
int packet_decode(struct packet_stats *stats, int linktype, const uint8_t *data, uint32_t caplen,
                  uint32_t wirelen, int64_t ts_us, struct flow_rec *out);

/*
 * packet_decode, and for a UDP datagram (first fragment or whole) also the UDP payload as
 * far as it was captured and the UDP length allows: *payload points into `data` (NULL and
 * length 0 for anything else). Used to read flow exports out of a capture file.
 */
int packet_decode_udp(struct packet_stats *stats, int linktype, const uint8_t *data,
                      uint32_t caplen, uint32_t wirelen, int64_t ts_us, struct flow_rec *out,
                      const uint8_t **payload, size_t *payload_len);

#endif
