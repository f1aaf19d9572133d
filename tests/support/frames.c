/*
 * frames.c - test frame builder (see frames.h). Test support code: clarity over speed.
 */
#include "config.h"

#include "frames.h"

#include <arpa/inet.h>
#include <string.h>

enum fixup_kind {
    FIX_IPV4_TOTAL, /* total length + header checksum */
    FIX_IPV4_CSUM,  /* header checksum only (explicit total length) */
    FIX_IPV6_PLEN,
    FIX_UDP_LEN,
    FIX_PPPOE_LEN,
    FIX_NFLOG_TLV,
    FIX_8023_LEN
};

void frame_init(struct frame *f)
{
    f->len = 0;
    f->bad = false;
    f->nfix = 0;
}

/* Reserve n bytes at the end; NULL (and f->bad) when they do not fit. */
static uint8_t *frame_grow(struct frame *f, size_t n)
{
    uint8_t *p;

    if (f->bad || n > FRAME_MAX - f->len) {
        f->bad = true;
        return NULL;
    }
    p = f->buf + f->len;
    f->len += n;
    return p;
}

static void frame_defer(struct frame *f, size_t off, enum fixup_kind kind)
{
    if (f->nfix == FRAME_MAX_FIXUPS) {
        f->bad = true;
        return;
    }
    f->fix[f->nfix].off = off;
    f->fix[f->nfix].kind = kind;
    f->nfix++;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

size_t frame_bytes(struct frame *f, const void *p, size_t n)
{
    size_t off = f->len;
    uint8_t *d = frame_grow(f, n);

    if (d && n)
        memcpy(d, p, n);
    return off;
}

size_t frame_fill(struct frame *f, uint8_t byte, size_t n)
{
    size_t off = f->len;
    uint8_t *d = frame_grow(f, n);

    if (d)
        memset(d, byte, n);
    return off;
}

size_t frame_u8(struct frame *f, uint8_t v)
{
    return frame_bytes(f, &v, 1);
}

size_t frame_u16(struct frame *f, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    return frame_bytes(f, b, 2);
}

size_t frame_u32(struct frame *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return frame_bytes(f, b, 4);
}

size_t frame_u16_le(struct frame *f, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    return frame_bytes(f, b, 2);
}

size_t frame_u32_le(struct frame *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return frame_bytes(f, b, 4);
}

/* ---- link layer ---- */

static const uint8_t mac_dst[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t mac_src[6] = {0x02, 0, 0, 0, 0, 0x01};

size_t frame_eth(struct frame *f, uint16_t type)
{
    size_t off = frame_bytes(f, mac_dst, 6);
    frame_bytes(f, mac_src, 6);
    frame_u16(f, type);
    return off;
}

size_t frame_eth_8023(struct frame *f)
{
    size_t off = frame_eth(f, 0);
    frame_defer(f, off, FIX_8023_LEN);
    return off;
}

size_t frame_llc(struct frame *f, uint8_t dsap, uint8_t ssap, uint8_t ctl)
{
    size_t off = frame_u8(f, dsap);
    frame_u8(f, ssap);
    frame_u8(f, ctl);
    return off;
}

size_t frame_llc_snap(struct frame *f, uint32_t oui, uint16_t type)
{
    size_t off = frame_llc(f, 0xaa, 0xaa, 0x03);
    frame_u8(f, (uint8_t)(oui >> 16));
    frame_u8(f, (uint8_t)(oui >> 8));
    frame_u8(f, (uint8_t)oui);
    frame_u16(f, type);
    return off;
}

size_t frame_vlan(struct frame *f, uint16_t tci, uint16_t type)
{
    size_t off = frame_u16(f, tci);
    frame_u16(f, type);
    return off;
}

size_t frame_mpls(struct frame *f, uint32_t label, bool bottom, uint8_t ttl)
{
    return frame_u32(f, (label & 0xfffff) << 12 | (bottom ? 0x100u : 0) | ttl);
}

size_t frame_pppoe(struct frame *f, uint16_t ppp_proto)
{
    size_t off = frame_u8(f, 0x11); /* version 1, type 1 */
    frame_u8(f, 0x00);              /* code: session data */
    frame_u16(f, 0x1234);           /* session id */
    frame_u16(f, 0);                /* length, set by finish */
    frame_u16(f, ppp_proto);
    frame_defer(f, off, FIX_PPPOE_LEN);
    return off;
}

size_t frame_sll(struct frame *f, uint16_t proto)
{
    size_t off = frame_u16(f, 0); /* packet type: to us */
    frame_u16(f, 1);              /* ARPHRD_ETHER */
    frame_u16(f, 6);              /* address length */
    frame_bytes(f, mac_src, 6);
    frame_u16(f, 0); /* address padding to 8 bytes */
    frame_u16(f, proto);
    return off;
}

size_t frame_sll2(struct frame *f, uint16_t proto)
{
    size_t off = frame_u16(f, proto);
    frame_u16(f, 0); /* reserved */
    frame_u32(f, 2); /* interface index */
    frame_u16(f, 1); /* ARPHRD_ETHER */
    frame_u8(f, 0);  /* packet type */
    frame_u8(f, 6);  /* address length */
    frame_bytes(f, mac_src, 6);
    frame_u16(f, 0);
    return off;
}

size_t frame_null(struct frame *f, uint32_t af, bool big_endian)
{
    return big_endian ? frame_u32(f, af) : frame_u32_le(f, af);
}

size_t frame_nflog(struct frame *f, uint8_t family)
{
    size_t off = frame_u8(f, family);
    size_t tlv;

    frame_u8(f, 0);     /* version */
    frame_u16(f, 0);    /* resource id (network order) */
    frame_u16_le(f, 8); /* NFULA_PACKET_HDR: hw_protocol, hook, pad */
    frame_u16_le(f, 1);
    frame_u16(f, family == 10 ? 0x86dd : 0x0800);
    frame_u8(f, 1);
    frame_u8(f, 0);
    frame_u16_le(f, 9); /* NFULA_PREFIX "test\0": 9 bytes, padded to 12 */
    frame_u16_le(f, 10);
    frame_bytes(f, "test", 5);
    frame_fill(f, 0, 3);
    tlv = frame_u16_le(f, 0); /* NFULA_PAYLOAD, length set by finish */
    frame_u16_le(f, 9);
    frame_defer(f, tlv, FIX_NFLOG_TLV);
    return off;
}

/* ---- layer 3 ---- */

static void frame_addr(struct frame *f, int af, const char *s, size_t n)
{
    uint8_t b[16] = {0};

    if (s && inet_pton(af, s, b) != 1)
        f->bad = true;
    frame_bytes(f, b, n);
}

size_t frame_ipv4(struct frame *f, const struct frame_ip4 *ip)
{
    uint8_t ver = ip->version ? ip->version : 4;
    uint8_t ihl = ip->ihl ? ip->ihl : (uint8_t)(5 + ip->options_len / 4);
    size_t off = frame_u8(f, (uint8_t)(ver << 4 | (ihl & 0x0f)));

    frame_u8(f, 0); /* DSCP/ECN */
    frame_u16(f, ip->set_total_len ? ip->total_len : 0);
    frame_u16(f, 0x4242); /* identification */
    frame_u16(f, ip->frag);
    frame_u8(f, ip->ttl ? ip->ttl : 64);
    frame_u8(f, ip->proto);
    frame_u16(f, 0); /* checksum, set by finish */
    frame_addr(f, AF_INET, ip->src, 4);
    frame_addr(f, AF_INET, ip->dst, 4);
    if (ip->options_len)
        frame_bytes(f, ip->options, ip->options_len);
    frame_defer(f, off, ip->set_total_len ? FIX_IPV4_CSUM : FIX_IPV4_TOTAL);
    return off;
}

size_t frame_ipv6(struct frame *f, const struct frame_ip6 *ip)
{
    uint8_t ver = ip->version ? ip->version : 6;
    size_t off = frame_u32(f, (uint32_t)ver << 28); /* traffic class, flow label 0 */

    frame_u16(f, ip->set_plen ? ip->plen : 0);
    frame_u8(f, ip->next);
    frame_u8(f, ip->hop_limit ? ip->hop_limit : 64);
    frame_addr(f, AF_INET6, ip->src, 16);
    frame_addr(f, AF_INET6, ip->dst, 16);
    if (!ip->set_plen)
        frame_defer(f, off, FIX_IPV6_PLEN);
    return off;
}

size_t frame_ipv6_ext(struct frame *f, uint8_t next, uint8_t units)
{
    size_t off = frame_u8(f, next);
    frame_u8(f, units);
    frame_fill(f, 0, (size_t)units * 8 + 6); /* Pad1 options */
    return off;
}

size_t frame_ipv6_ah(struct frame *f, uint8_t next, uint8_t units)
{
    size_t off = frame_u8(f, next);
    frame_u8(f, units);
    frame_fill(f, 0, ((size_t)units + 2) * 4 - 2);
    return off;
}

size_t frame_ipv6_frag(struct frame *f, uint8_t next, uint16_t offset8, bool more, uint32_t id)
{
    size_t off = frame_u8(f, next);
    frame_u8(f, 0);
    frame_u16(f, (uint16_t)(offset8 << 3 | (more ? 1 : 0)));
    frame_u32(f, id);
    return off;
}

/* ---- layer 4 ---- */

size_t frame_tcp(struct frame *f, uint16_t sport, uint16_t dport, uint8_t flags, uint8_t doff)
{
    size_t off = frame_u16(f, sport);
    uint8_t words = doff ? doff : 5;

    frame_u16(f, dport);
    frame_u32(f, 1000); /* sequence */
    frame_u32(f, 0);    /* acknowledgement */
    frame_u8(f, (uint8_t)(words << 4));
    frame_u8(f, flags);
    frame_u16(f, 65535); /* window */
    frame_u16(f, 0);     /* checksum (not computed) */
    frame_u16(f, 0);     /* urgent pointer */
    if (words > 5)
        frame_fill(f, 1, ((size_t)words - 5) * 4); /* NOP options */
    return off;
}

size_t frame_udp_len(struct frame *f, uint16_t sport, uint16_t dport, uint16_t len)
{
    size_t off = frame_u16(f, sport);
    frame_u16(f, dport);
    frame_u16(f, len);
    frame_u16(f, 0);
    return off;
}

size_t frame_udp(struct frame *f, uint16_t sport, uint16_t dport)
{
    size_t off = frame_udp_len(f, sport, dport, 0);
    frame_defer(f, off, FIX_UDP_LEN);
    return off;
}

size_t frame_icmp(struct frame *f, uint8_t type, uint8_t code)
{
    size_t off = frame_u8(f, type);
    frame_u8(f, code);
    frame_u16(f, 0);
    frame_u32(f, 0x00010001); /* identifier / sequence, or unused */
    return off;
}

size_t frame_sctp(struct frame *f, uint16_t sport, uint16_t dport)
{
    return frame_ports(f, sport, dport, 12);
}

size_t frame_ports(struct frame *f, uint16_t sport, uint16_t dport, size_t hdrlen)
{
    size_t off = frame_u16(f, sport);
    frame_u16(f, dport);
    if (hdrlen > 4)
        frame_fill(f, 0, hdrlen - 4);
    return off;
}

/* ---- finishing ---- */

static uint16_t ipv4_checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint16_t clamp16(size_t v)
{
    return v > 0xffff ? 0xffff : (uint16_t)v;
}

int frame_finish(struct frame *f)
{
    if (f->bad)
        return -1;
    /* Innermost first, so an outer checksum sees the final inner lengths (not that any
     * outer field depends on an inner one today). */
    for (unsigned i = f->nfix; i-- > 0;) {
        size_t off = f->fix[i].off;
        uint8_t *p = f->buf + off;
        size_t rest = f->len - off;
        size_t hlen;

        switch (f->fix[i].kind) {
        case FIX_IPV4_TOTAL:
            put16(p + 2, clamp16(rest));
            /* fall through */
        case FIX_IPV4_CSUM:
            hlen = (size_t)(p[0] & 0x0f) * 4;
            if (hlen > rest)
                hlen = rest;
            put16(p + 10, 0);
            put16(p + 10, ipv4_checksum(p, hlen));
            break;
        case FIX_IPV6_PLEN:
            put16(p + 4, clamp16(rest > 40 ? rest - 40 : 0));
            break;
        case FIX_UDP_LEN:
            put16(p + 4, clamp16(rest));
            break;
        case FIX_PPPOE_LEN:
            put16(p + 4, clamp16(rest > 6 ? rest - 6 : 0));
            break;
        case FIX_NFLOG_TLV:
            p[0] = (uint8_t)clamp16(rest);
            p[1] = (uint8_t)(clamp16(rest) >> 8);
            break;
        case FIX_8023_LEN:
            put16(p + 12, clamp16(rest > 14 ? rest - 14 : 0));
            break;
        default:
            break;
        }
    }
    f->nfix = 0;
    return 0;
}
