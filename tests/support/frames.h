/*
 * frames.h - build test frames layer by layer into a fixed buffer.
 *
 * Append headers outermost first; each call writes one header at the end of the buffer and
 * returns the offset where it starts, so a test can patch bytes afterwards. Each header's
 * "what follows" field is an argument (EtherType, PPP protocol, IP next header...), so any
 * stacking, valid or not, can be built. Length fields that depend on what follows (IPv4 total
 * length and checksum, IPv6 payload length, UDP length, PPPoE length, NFLOG payload TLV length,
 * 802.3 length) are filled in by frame_finish() unless the caller gave an explicit value.
 *
 * Every append is bounds-checked: on overflow (or an unparsable address) nothing is written,
 * `f->bad` is set and frame_finish() returns -1. A struct frame is about 64 KiB: prefer static
 * or heap storage to deep stacks. Depends on the C library and inet_pton only.
 *
 * Example: Ethernet / IPv4 / TCP with 100 bytes of payload
 *
 *     struct frame f;
 *     frame_init(&f);
 *     frame_eth(&f, 0x0800);
 *     frame_ipv4(&f, &(struct frame_ip4){.src = "10.0.0.1", .dst = "10.0.0.2", .proto = 6});
 *     frame_tcp(&f, 1234, 80, FRAME_TCP_SYN, 0);
 *     frame_fill(&f, 0xab, 100);
 *     frame_finish(&f);   // now f.buf / f.len hold the frame
 */
#ifndef FLOWDRILL_TESTS_FRAMES_H
#define FLOWDRILL_TESTS_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX 65600
#define FRAME_MAX_FIXUPS 32

enum {
    FRAME_TCP_FIN = 0x01,
    FRAME_TCP_SYN = 0x02,
    FRAME_TCP_RST = 0x04,
    FRAME_TCP_PSH = 0x08,
    FRAME_TCP_ACK = 0x10,
    FRAME_TCP_URG = 0x20
};

/* IPv4 flags/fragment-offset field bits (host order). */
enum { FRAME_IPV4_DF = 0x4000, FRAME_IPV4_MF = 0x2000 };

struct frame_fixup {
    size_t off;    /* where the header starts */
    unsigned kind; /* internal: which length field to fill */
};

struct frame {
    uint8_t buf[FRAME_MAX];
    size_t len;
    bool bad; /* an append did not fit or had a bad argument */
    unsigned nfix;
    struct frame_fixup fix[FRAME_MAX_FIXUPS];
};

/* IPv4 header options; zero fields mean "the usual". */
struct frame_ip4 {
    const char *src, *dst; /* dotted quads (NULL = 0.0.0.0) */
    uint8_t proto;
    uint8_t ttl;         /* 0 = 64 */
    uint8_t version;     /* 0 = 4; set to test a wrong nibble */
    uint8_t ihl;         /* 0 = 5 + options_len / 4; else written as given (low 4 bits) */
    const void *options; /* options bytes, appended after the 20-byte header */
    size_t options_len;  /* should be a multiple of 4 */
    uint16_t frag;       /* flags + offset field: FRAME_IPV4_MF | offset_in_8_byte_units */
    bool set_total_len;  /* true: write total_len as given instead of computing it */
    uint16_t total_len;
};

/* IPv6 header options. */
struct frame_ip6 {
    const char *src, *dst; /* IPv6 literals (NULL = ::) */
    uint8_t next;          /* next header */
    uint8_t hop_limit;     /* 0 = 64 */
    uint8_t version;       /* 0 = 6 */
    bool set_plen;         /* true: write plen as given instead of computing it */
    uint16_t plen;
};

void frame_init(struct frame *f);

/* Fill in the deferred length fields and the IPv4 header checksums. Returns 0, or -1 when the
 * frame is bad (something did not fit). May be called once per frame. */
int frame_finish(struct frame *f);

/* Raw appends. */
size_t frame_bytes(struct frame *f, const void *p, size_t n);
size_t frame_fill(struct frame *f, uint8_t byte, size_t n);
size_t frame_u8(struct frame *f, uint8_t v);
size_t frame_u16(struct frame *f, uint16_t v); /* big-endian */
size_t frame_u32(struct frame *f, uint32_t v); /* big-endian */
size_t frame_u16_le(struct frame *f, uint16_t v);
size_t frame_u32_le(struct frame *f, uint32_t v);

/* Link layer. */
size_t frame_eth(struct frame *f, uint16_t type); /* dst 02:..:02, src 02:..:01, type */
size_t frame_eth_8023(struct frame *f);           /* 802.3: length field set by finish */
size_t frame_llc_snap(struct frame *f, uint32_t oui, uint16_t type); /* AA AA 03 OUI type */
size_t frame_llc(struct frame *f, uint8_t dsap, uint8_t ssap, uint8_t ctl);
size_t frame_vlan(struct frame *f, uint16_t tci, uint16_t type); /* after a TPID */
size_t frame_mpls(struct frame *f, uint32_t label, bool bottom, uint8_t ttl);
size_t frame_pppoe(struct frame *f, uint16_t ppp_proto); /* session header + PPP protocol */
size_t frame_sll(struct frame *f, uint16_t proto);       /* Linux cooked v1, 16 bytes */
size_t frame_sll2(struct frame *f, uint16_t proto);      /* Linux cooked v2, 20 bytes */
size_t frame_null(struct frame *f, uint32_t af, bool big_endian); /* BSD NULL / LOOP */
/* NFLOG header + NFULA_PACKET_HDR + NFULA_PREFIX ("test") + the payload TLV header. */
size_t frame_nflog(struct frame *f, uint8_t family);

/* Layer 3. */
size_t frame_ipv4(struct frame *f, const struct frame_ip4 *ip);
size_t frame_ipv6(struct frame *f, const struct frame_ip6 *ip);
/* Hop-by-hop / routing / destination options style header: (units + 1) * 8 bytes. */
size_t frame_ipv6_ext(struct frame *f, uint8_t next, uint8_t units);
size_t frame_ipv6_ah(struct frame *f, uint8_t next, uint8_t units); /* (units + 2) * 4 bytes */
size_t frame_ipv6_frag(struct frame *f, uint8_t next, uint16_t offset8, bool more, uint32_t id);

/* Layer 4. `doff` is the TCP data offset in words (0 = 5). */
size_t frame_tcp(struct frame *f, uint16_t sport, uint16_t dport, uint8_t flags, uint8_t doff);
size_t frame_udp(struct frame *f, uint16_t sport, uint16_t dport); /* length set by finish */
size_t frame_udp_len(struct frame *f, uint16_t sport, uint16_t dport, uint16_t len);
size_t frame_icmp(struct frame *f, uint8_t type, uint8_t code);     /* 8 bytes, ICMP or ICMPv6 */
size_t frame_sctp(struct frame *f, uint16_t sport, uint16_t dport); /* 12-byte common header */
/* Any ports-first header (DCCP, UDP-Lite...): ports, then zeros up to hdrlen bytes. */
size_t frame_ports(struct frame *f, uint16_t sport, uint16_t dport, size_t hdrlen);

#endif
