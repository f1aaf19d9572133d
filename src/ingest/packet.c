/*
 * packet.c - decode one captured frame (link -> IP -> L4) into a flow record.
 *
 * Implements packet.h. Every read goes through the wire.h cursor; nothing is cast onto the
 * frame. The link layer is peeled off first and tells what follows (IPv4, IPv6, or "look at
 * the version nibble"); then the outermost IP header is decoded and counted, and the L4
 * header, when present and whole, gives ports, TCP flags or the ICMP type. Tunnels are not
 * followed: a GRE packet is a proto-47 record with the outer addresses.
 *
 * Drops are decided before any note is taken, so a dropped frame counts exactly one reason;
 * notes are gathered in a bit mask and counted only when the frame yields a record.
 *
 * Depends on wire.h and flow.h only (no libpcap: link types are plain numbers).
 */
#include "config.h"

#include "flowdrill/packet.h"

#include <stddef.h>

#include "flowdrill/flow.h"
#include "wire.h"

/* EtherTypes we act on. */
enum {
    ET_IPV4 = 0x0800,
    ET_IPV6 = 0x86dd,
    ET_VLAN = 0x8100,
    ET_QINQ = 0x88a8,
    ET_QINQ_OLD = 0x9100,
    ET_MPLS_UC = 0x8847,
    ET_MPLS_MC = 0x8848,
    ET_PPPOE_SESSION = 0x8864,
    ET_MIN_TYPE = 0x0600 /* below this an Ethernet "type" is an 802.3 length */
};

/* PPP protocol numbers. */
enum { PPP_IPV4 = 0x0021, PPP_IPV6 = 0x0057, PPP_MPLS_UC = 0x0281, PPP_MPLS_MC = 0x0283 };

enum {
    MPLS_BOS = 0x100,         /* bottom-of-stack bit in a label stack entry */
    NFULA_PAYLOAD = 9,        /* NFLOG TLV carrying the packet */
    NFLOG_TYPE_MASK = 0x3fff, /* netlink attribute type without NESTED/BYTEORDER flags */
    NFPROTO_IPV4 = 2,
    NFPROTO_IPV6 = 10
};

enum {
    IPPROTO_NUM_ICMP = 1,
    IPPROTO_NUM_TCP = 6,
    IPPROTO_NUM_UDP = 17,
    IPPROTO_NUM_DCCP = 33,
    IPPROTO_NUM_ICMPV6 = 58,
    IPPROTO_NUM_SCTP = 132,
    IPPROTO_NUM_UDPLITE = 136
};

/* What the link layer left in front of the cursor. */
enum l3_kind {
    L3_DROP, /* no IP here; the reason is in *why */
    L3_IPV4,
    L3_IPV6,
    L3_GUESS /* IP of either version: decide from the version nibble */
};

#define NOTE(r) (1u << (r))

static enum l3_kind drop(enum packet_reason *why, enum packet_reason r)
{
    *why = r;
    return L3_DROP;
}

/* ---- link layer ---------------------------------------------------------------------- */

/* MPLS label stack: at most PACKET_MAX_MPLS entries, then guess the payload from its first
 * nibble. A 0 nibble is a pseudowire control word (Ethernet over MPLS...): not IP for us. */
static enum l3_kind link_mpls(struct wire *w, enum packet_reason *why)
{
    uint32_t lse;
    uint8_t first;

    for (unsigned n = 1;; n++) {
        if (!wire_u32(w, &lse))
            return drop(why, PACKET_R_LINK_TRUNCATED);
        if (lse & MPLS_BOS)
            break;
        if (n == PACKET_MAX_MPLS)
            return drop(why, PACKET_R_MPLS_DEPTH);
    }
    if (!wire_peek_u8(w, 0, &first))
        return drop(why, PACKET_R_LINK_TRUNCATED);
    switch (first >> 4) {
    case 4:
        return L3_IPV4;
    case 6:
        return L3_IPV6;
    default:
        return drop(why, PACKET_R_NON_IP);
    }
}

/* A PPP protocol field (1 byte when compressed: its low bit is set) and what it carries. */
static enum l3_kind link_ppp_proto(struct wire *w, enum packet_reason *why)
{
    uint8_t b;
    uint16_t proto;

    if (!wire_peek_u8(w, 0, &b))
        return drop(why, PACKET_R_LINK_TRUNCATED);
    if (b & 1) {
        wire_skip(w, 1);
        proto = b;
    } else if (!wire_u16(w, &proto)) {
        return drop(why, PACKET_R_LINK_TRUNCATED);
    }
    switch (proto) {
    case PPP_IPV4:
        return L3_IPV4;
    case PPP_IPV6:
        return L3_IPV6;
    case PPP_MPLS_UC:
    case PPP_MPLS_MC:
        return link_mpls(w, why);
    default:
        return drop(why, PACKET_R_NON_IP);
    }
}

/* PPPoE session header (ver/type, code, session id, length), then PPP. */
static enum l3_kind link_pppoe(struct wire *w, enum packet_reason *why)
{
    if (!wire_skip(w, 6))
        return drop(why, PACKET_R_LINK_TRUNCATED);
    return link_ppp_proto(w, why);
}

/* 802.2 LLC after an 802.3 length field: IP only when it is SNAP with OUI 0 and an IP type. */
static enum l3_kind link_llc(struct wire *w, enum packet_reason *why)
{
    uint8_t dsap, ssap, ctl, oui[3];
    uint16_t type;

    if (!(wire_u8(w, &dsap) && wire_u8(w, &ssap) && wire_u8(w, &ctl)))
        return drop(why, PACKET_R_LINK_TRUNCATED);
    if (dsap != 0xaa || ssap != 0xaa || ctl != 0x03)
        return drop(why, PACKET_R_NON_IP);
    if (!(wire_bytes(w, oui, 3) && wire_u16(w, &type)))
        return drop(why, PACKET_R_LINK_TRUNCATED);
    if (oui[0] | oui[1] | oui[2])
        return drop(why, PACKET_R_NON_IP);
    if (type == ET_IPV4)
        return L3_IPV4;
    if (type == ET_IPV6)
        return L3_IPV6;
    return drop(why, PACKET_R_NON_IP);
}

/*
 * Everything that can follow an EtherType: VLAN tags (at most PACKET_MAX_VLAN), MPLS, PPPoE
 * session, IP. `llc` says whether a value below 0x0600 is an 802.3 length (Ethernet, and
 * inside VLAN tags) rather than a protocol number of its own (Linux cooked captures).
 */
static enum l3_kind link_ethertype(struct wire *w, uint16_t type, bool llc, enum packet_reason *why)
{
    unsigned tags = 0;

    for (;;) {
        switch (type) {
        case ET_IPV4:
            return L3_IPV4;
        case ET_IPV6:
            return L3_IPV6;
        case ET_VLAN:
        case ET_QINQ:
        case ET_QINQ_OLD:
            if (tags++ == PACKET_MAX_VLAN)
                return drop(why, PACKET_R_VLAN_DEPTH);
            if (!(wire_skip(w, 2) && wire_u16(w, &type)))
                return drop(why, PACKET_R_LINK_TRUNCATED);
            llc = true;
            break;
        case ET_MPLS_UC:
        case ET_MPLS_MC:
            return link_mpls(w, why);
        case ET_PPPOE_SESSION:
            return link_pppoe(w, why);
        default:
            if (type < ET_MIN_TYPE && llc)
                return link_llc(w, why);
            return drop(why, PACKET_R_NON_IP);
        }
    }
}

/* BSD loopback address family values for IPv4 and the IPv6 values of the BSDs and Darwin. */
static enum l3_kind link_af(uint32_t af)
{
    switch (af) {
    case 2:
        return L3_IPV4;
    case 24:
    case 28:
    case 30:
        return L3_IPV6;
    default:
        return L3_DROP;
    }
}

/* DLT_NULL: the family is in the capturing host's byte order, which need not be ours. */
static enum l3_kind link_null(struct wire *w, bool either_order, enum packet_reason *why)
{
    struct wire le = *w;
    uint32_t af, af_le;
    enum l3_kind k;

    if (!(wire_u32(w, &af) && wire_u32_le(&le, &af_le)))
        return drop(why, PACKET_R_LINK_TRUNCATED);
    k = link_af(af);
    if (k == L3_DROP && either_order)
        k = link_af(af_le);
    if (k == L3_DROP)
        *why = PACKET_R_NON_IP;
    return k;
}

/* DLT_PPP / DLT_PPP_SERIAL: optional 0xff 0x03 address/control; PPP_SERIAL may also carry
 * Cisco HDLC (address 0x0f or 0x8f, control 0, then an EtherType). */
static enum l3_kind link_ppp(struct wire *w, bool cisco, enum packet_reason *why)
{
    uint8_t addr, ctl;
    uint16_t type;

    if (wire_peek_u8(w, 0, &addr) && wire_peek_u8(w, 1, &ctl)) {
        if (addr == 0xff && ctl == 0x03) {
            wire_skip(w, 2);
        } else if (cisco && (addr == 0x0f || addr == 0x8f) && ctl == 0x00) {
            wire_skip(w, 2);
            if (!wire_u16(w, &type))
                return drop(why, PACKET_R_LINK_TRUNCATED);
            return link_ethertype(w, type, false, why);
        }
    }
    return link_ppp_proto(w, why);
}

/* NFLOG: family, version, resource id, then little-endian TLVs padded to 4 bytes. The cursor
 * is left at the NFULA_PAYLOAD value. */
static enum l3_kind link_nflog(struct wire *w, bool snapped, enum packet_reason *why)
{
    uint8_t family;

    if (!(wire_u8(w, &family) && wire_skip(w, 3)))
        return drop(why, PACKET_R_LINK_TRUNCATED);
    for (;;) {
        struct wire tlv = *w;
        uint16_t len, type;

        if (!(wire_u16_le(&tlv, &len) && wire_u16_le(&tlv, &type)) || len < 4)
            break;
        if ((type & NFLOG_TYPE_MASK) == NFULA_PAYLOAD) {
            *w = tlv;
            if (family == NFPROTO_IPV4)
                return L3_IPV4;
            if (family == NFPROTO_IPV6)
                return L3_IPV6;
            return L3_GUESS;
        }
        if (!wire_skip(w, ((size_t)len + 3) & ~(size_t)3))
            break;
    }
    /* No payload attribute: cut off by the snap length, or a log entry without a packet. */
    return drop(why, snapped ? PACKET_R_LINK_TRUNCATED : PACKET_R_NON_IP);
}

/* Peel off the link layer of `linktype`; the cursor is left at the L3 header. */
static enum l3_kind link_decode(struct wire *w, int linktype, bool snapped, enum packet_reason *why)
{
    uint16_t type;

    switch (linktype) {
    case PACKET_LT_EN10MB:
        if (!(wire_skip(w, 12) && wire_u16(w, &type)))
            return drop(why, PACKET_R_LINK_TRUNCATED);
        if (type == ET_IPV4)
            return L3_IPV4;
        return link_ethertype(w, type, true, why);
    case PACKET_LT_LINUX_SLL:
        if (!(wire_skip(w, 14) && wire_u16(w, &type)))
            return drop(why, PACKET_R_LINK_TRUNCATED);
        return link_ethertype(w, type, false, why);
    case PACKET_LT_LINUX_SLL2:
        if (!(wire_u16(w, &type) && wire_skip(w, 18)))
            return drop(why, PACKET_R_LINK_TRUNCATED);
        return link_ethertype(w, type, false, why);
    case PACKET_LT_RAW:
    case PACKET_LT_RAW_OBSD:
        return L3_GUESS;
    case PACKET_LT_IPV4:
        return L3_IPV4;
    case PACKET_LT_IPV6:
        return L3_IPV6;
    case PACKET_LT_NULL:
        return link_null(w, true, why);
    case PACKET_LT_LOOP:
        return link_null(w, false, why);
    case PACKET_LT_PPP:
        return link_ppp(w, false, why);
    case PACKET_LT_PPP_HDLC:
        return link_ppp(w, true, why);
    case PACKET_LT_PPP_ETHER:
        return link_pppoe(w, why);
    case PACKET_LT_NFLOG:
        return link_nflog(w, snapped, why);
    default:
        return drop(why, PACKET_R_UNKNOWN_LINKTYPE);
    }
}

/* ---- layer 4 ------------------------------------------------------------------------- */

/*
 * Ports, TCP flags or ICMP type from the L4 header. `l4` covers the captured part of the IP
 * payload; `declared` is the payload length the IP header claims. A header that does not fit
 * gives no ports: L4_TRUNCATED when the capture cut it, L4_BAD_HEADER when the IP payload is
 * too short to hold it.
 */
static void l4_decode(struct wire *l4, uint64_t declared, struct flow_rec *out, unsigned *notes,
                      struct wire *udp_payload)
{
    size_t need;
    uint16_t sport = 0, dport = 0, len = 0;
    uint8_t b12 = 0, b13 = 0; /* read only from a header wire_has() has vouched for */

    switch (out->proto) {
    case IPPROTO_NUM_TCP:
        need = 20;
        break;
    case IPPROTO_NUM_UDP:
    case IPPROTO_NUM_UDPLITE:
        need = 8;
        break;
    case IPPROTO_NUM_SCTP:
    case IPPROTO_NUM_DCCP:
        need = 12;
        break;
    case IPPROTO_NUM_ICMP:
    case IPPROTO_NUM_ICMPV6:
        need = 2;
        if (!(wire_u8(l4, &b12) && wire_u8(l4, &b13)))
            goto short_header;
        out->icmp_type = (uint16_t)(b12 << 8 | b13);
        return;
    default:
        return;
    }
    if (!(wire_has(l4, need) && wire_u16(l4, &sport) && wire_u16(l4, &dport)))
        goto short_header;
    out->sport = sport;
    out->dport = dport;
    if (out->proto == IPPROTO_NUM_TCP) {
        /* 4 bytes read; sequence and ack numbers follow, then offset and flags. */
        wire_peek_u8(l4, 8, &b12);
        wire_peek_u8(l4, 9, &b13);
        out->tcp_flags = b13;
        if ((b12 >> 4) < 5 || (uint64_t)(b12 >> 4) * 4 > declared)
            *notes |= NOTE(PACKET_R_L4_BAD_HEADER);
    } else if (out->proto == IPPROTO_NUM_UDP) {
        wire_u16(l4, &len);
        if (len < 8 || len > declared)
            *notes |= NOTE(PACKET_R_L4_BAD_HEADER);
        if (udp_payload && wire_skip(l4, 2)) {
            /* the payload as far as both the capture and the UDP length go */
            *udp_payload = *l4;
            if (len >= 8 && udp_payload->left > (size_t)len - 8)
                udp_payload->left = (size_t)len - 8;
        }
    }
    return;

short_header:
    *notes |= NOTE(declared >= need ? PACKET_R_L4_TRUNCATED : PACKET_R_L4_BAD_HEADER);
    out->flags |= FLOW_REC_NO_PORTS;
}

/* ---- layer 3 ------------------------------------------------------------------------- */

/*
 * A header of `hlen` bytes is not all captured: the snap length cut it if the wire carried
 * enough (`avail` bytes from the L3 start), else the frame really is too short.
 */
static enum packet_reason ip_short(uint64_t avail, size_t hlen, enum packet_reason bad)
{
    return avail >= hlen ? PACKET_R_IP_TRUNCATED : bad;
}

/* IPv4 at the cursor. Returns PACKET_R_MAX when *out holds a record, else the drop reason. */
static enum packet_reason ip4_decode(struct wire *w, uint64_t avail, struct flow_rec *out,
                                     unsigned *notes, struct wire *udp_payload)
{
    struct wire h, l4;
    uint8_t vihl, proto, src[4], dst[4];
    uint16_t total, frag;
    size_t hlen;
    uint64_t bytes;

    if (!wire_peek_u8(w, 0, &vihl))
        return ip_short(avail, 1, PACKET_R_IPV4_BAD_HEADER);
    hlen = (size_t)(vihl & 0x0f) * 4;
    if ((vihl >> 4) != 4 || hlen < 20)
        return PACKET_R_IPV4_BAD_HEADER;
    if (!wire_sub(w, hlen, &h))
        return ip_short(avail, hlen, PACKET_R_IPV4_BAD_HEADER);
    /* Cannot fail: h holds at least 20 bytes. Options are skipped with the rest of h. */
    if (!(wire_skip(&h, 2) && wire_u16(&h, &total) && wire_skip(&h, 2) && wire_u16(&h, &frag) &&
          wire_skip(&h, 1) && wire_u8(&h, &proto) && wire_skip(&h, 2) && wire_bytes(&h, src, 4) &&
          wire_bytes(&h, dst, 4)))
        return PACKET_R_IPV4_BAD_HEADER;
    if (total < hlen)
        return PACKET_R_IPV4_BAD_HEADER;

    out->af = FLOW_AF_INET;
    out->proto = proto;
    flow_addr_set_v4(&out->src, src);
    flow_addr_set_v4(&out->dst, dst);
    bytes = total;
    if (bytes > avail) {
        *notes |= NOTE(PACKET_R_IP_LEN_MISMATCH);
        bytes = avail;
    }
    out->bytes = bytes;

    if (frag & 0x3fff) { /* MF or a fragment offset */
        *notes |= NOTE(PACKET_R_FRAGMENT);
        out->flags |= FLOW_REC_FRAGMENT;
        if (frag & 0x1fff) {
            out->flags |= FLOW_REC_NO_PORTS;
            return PACKET_R_MAX;
        }
    }
    if (!wire_sub(w, total - hlen, &l4))
        l4 = *w;
    l4_decode(&l4, total - hlen, out, notes, udp_payload);
    return PACKET_R_MAX;
}

static bool ip6_is_ext(uint8_t nh)
{
    switch (nh) {
    case 0:   /* hop-by-hop options */
    case 43:  /* routing */
    case 44:  /* fragment */
    case 51:  /* authentication header */
    case 60:  /* destination options */
    case 135: /* mobility */
        return true;
    default:
        return false;
    }
}

/* IPv6 at the cursor. Returns PACKET_R_MAX when *out holds a record, else the drop reason. */
static enum packet_reason ip6_decode(struct wire *w, uint64_t avail, struct flow_rec *out,
                                     unsigned *notes, struct wire *udp_payload)
{
    struct wire h, pl;
    uint8_t ver, nh, src[16], dst[16];
    uint16_t plen;
    uint64_t bytes, declared;

    if (!wire_peek_u8(w, 0, &ver))
        return ip_short(avail, 1, PACKET_R_IPV6_BAD_HEADER);
    if ((ver >> 4) != 6)
        return PACKET_R_IPV6_BAD_HEADER;
    if (!wire_sub(w, 40, &h))
        return ip_short(avail, 40, PACKET_R_IPV6_BAD_HEADER);
    if (!(wire_skip(&h, 4) && wire_u16(&h, &plen) && wire_u8(&h, &nh) && wire_skip(&h, 1) &&
          wire_bytes(&h, src, 16) && wire_bytes(&h, dst, 16)))
        return PACKET_R_IPV6_BAD_HEADER;

    out->af = FLOW_AF_INET6;
    flow_addr_set_v6(&out->src, src);
    flow_addr_set_v6(&out->dst, dst);
    if (plen == 0) {
        /* Jumbogram (or a GSO super-packet): the length is whatever the wire carried. */
        bytes = avail;
        declared = avail - 40;
        pl = *w;
    } else {
        bytes = (uint64_t)plen + 40;
        if (bytes > avail) {
            *notes |= NOTE(PACKET_R_IP_LEN_MISMATCH);
            bytes = avail;
        }
        declared = plen;
        if (!wire_sub(w, plen, &pl))
            pl = *w;
    }
    out->bytes = bytes;

    /* Walk the extension headers. Anything odd fails closed: the protocol is the header we
     * could not get past, and no ports are read from the middle of the chain. */
    for (unsigned n = 0; ip6_is_ext(nh); n++) {
        uint8_t next, hl;
        uint16_t offlg;
        size_t len;

        if (n == PACKET_MAX_IPV6_EXT || !wire_peek_u8(&pl, 0, &next) || !wire_peek_u8(&pl, 1, &hl))
            goto fail_closed;
        if (nh == 44) {
            if (!wire_peek_u16(&pl, 2, &offlg) || !wire_has(&pl, 8))
                goto fail_closed;
            if (offlg & 0xfff9) { /* offset or M */
                *notes |= NOTE(PACKET_R_FRAGMENT);
                out->flags |= FLOW_REC_FRAGMENT;
            }
            if (offlg & 0xfff8) {
                out->proto = next;
                out->flags |= FLOW_REC_NO_PORTS;
                return PACKET_R_MAX;
            }
            len = 8;
        } else if (nh == 51) {
            len = ((size_t)hl + 2) * 4;
        } else {
            len = ((size_t)hl + 1) * 8;
        }
        if (!wire_skip(&pl, len))
            goto fail_closed;
        declared -= len; /* pl never holds more than `declared`, so this cannot wrap */
        nh = next;
    }
    out->proto = nh;
    l4_decode(&pl, declared, out, notes, udp_payload);
    return PACKET_R_MAX;

fail_closed:
    *notes |= NOTE(PACKET_R_IPV6_EXT_LIMIT);
    out->proto = nh;
    out->flags |= FLOW_REC_NO_PORTS;
    return PACKET_R_MAX;
}

/* ---- public -------------------------------------------------------------------------- */

/*
 * Start a record: every field but the addresses, which the IP decoders always write whole.
 * Field by field on purpose: for a struct this size, memset (or copying a mostly-zero
 * constant) often compiles to `rep stos`, which costs more than the rest of the decode. The
 * assertion trips when flow_rec gains a field, so that this function is updated with it.
 * The exporter fields after source_id are only valid with FLOW_REC_EXPORTED, never set here.
 */
_Static_assert(offsetof(struct flow_rec, icmp_type) == 42 &&
                   offsetof(struct flow_rec, bytes) <= 48 &&
                   offsetof(struct flow_rec, in_if) == offsetof(struct flow_rec, bytes) + 32 &&
                   offsetof(struct flow_rec, source_id) == offsetof(struct flow_rec, in_if) + 20 &&
                   offsetof(struct flow_rec, exporter) == offsetof(struct flow_rec, source_id) + 4,
               "struct flow_rec changed: update rec_start()");

static void rec_start(struct flow_rec *out, int64_t ts_us)
{
    out->sport = 0;
    out->dport = 0;
    out->proto = 0;
    out->af = FLOW_AF_NONE;
    out->tcp_flags = 0;
    out->direction = FLOW_DIR_UNKNOWN;
    out->flags = 0;
    out->icmp_type = 0;
    out->bytes = 0;
    out->packets = 1;
    out->first_us = ts_us;
    out->last_us = ts_us;
    out->in_if = 0;
    out->out_if = 0;
    out->src_as = 0;
    out->dst_as = 0;
    out->sampling = 1;
    out->source_id = 0;
}

static int packet_decode_with(struct packet_stats *stats, int linktype, const uint8_t *data,
                              uint32_t caplen, uint32_t wirelen, int64_t ts_us,
                              struct flow_rec *out, struct wire *udp_payload)
{
    struct wire w;
    enum packet_reason why = PACKET_R_NON_IP;
    enum l3_kind kind;
    uint64_t avail;
    unsigned notes = 0;
    uint8_t first;

    if (wirelen < caplen)
        wirelen = caplen;
    wire_init(&w, data, caplen);
    kind = link_decode(&w, linktype, caplen < wirelen, &why);
    if (kind == L3_DROP)
        goto dropped;

    /* Bytes the wire carried from the L3 header on: the most an IP length may claim. */
    avail = (uint64_t)wirelen - (caplen - w.left);
    if (kind == L3_GUESS) {
        if (!wire_peek_u8(&w, 0, &first)) {
            why = avail ? PACKET_R_IP_TRUNCATED : PACKET_R_NON_IP;
            goto dropped;
        }
        kind = (first >> 4) == 6 ? L3_IPV6 : L3_IPV4; /* not 4 either: ip4_decode rejects */
    }

    rec_start(out, ts_us);
    if (kind == L3_IPV4)
        why = ip4_decode(&w, avail, out, &notes, udp_payload);
    else
        why = ip6_decode(&w, avail, out, &notes, udp_payload);
    if (why != PACKET_R_MAX)
        goto dropped;

    if (caplen < wirelen) {
        notes |= NOTE(PACKET_R_TRUNCATED);
        out->flags |= FLOW_REC_TRUNCATED;
    }
    /* Stops after the highest note: one turn for the common snap-length case. */
    for (unsigned r = PACKET_R_TRUNCATED; notes >> r; r++)
        stats->count[r] += (notes >> r) & 1;
    return 1;

dropped:
    stats->count[why]++;
    return 0;
}

int packet_decode(struct packet_stats *stats, int linktype, const uint8_t *data, uint32_t caplen,
                  uint32_t wirelen, int64_t ts_us, struct flow_rec *out)
{
    return packet_decode_with(stats, linktype, data, caplen, wirelen, ts_us, out, NULL);
}

int packet_decode_udp(struct packet_stats *stats, int linktype, const uint8_t *data,
                      uint32_t caplen, uint32_t wirelen, int64_t ts_us, struct flow_rec *out,
                      const uint8_t **payload, size_t *payload_len)
{
    struct wire pl = {NULL, 0};
    int r = packet_decode_with(stats, linktype, data, caplen, wirelen, ts_us, out, &pl);
    *payload = pl.p;
    *payload_len = pl.left;
    return r;
}

const char *packet_reason_name(enum packet_reason r)
{
    static const char *const names[PACKET_R_MAX] = {
        [PACKET_R_NON_IP] = "non_ip",
        [PACKET_R_UNKNOWN_LINKTYPE] = "unknown_linktype",
        [PACKET_R_LINK_TRUNCATED] = "link_truncated",
        [PACKET_R_VLAN_DEPTH] = "vlan_depth",
        [PACKET_R_MPLS_DEPTH] = "mpls_depth",
        [PACKET_R_IPV4_BAD_HEADER] = "ipv4_bad_header",
        [PACKET_R_IPV6_BAD_HEADER] = "ipv6_bad_header",
        [PACKET_R_IP_TRUNCATED] = "ip_truncated",
        [PACKET_R_TRUNCATED] = "truncated",
        [PACKET_R_FRAGMENT] = "fragment",
        [PACKET_R_IPV6_EXT_LIMIT] = "ipv6_ext_limit",
        [PACKET_R_L4_TRUNCATED] = "l4_truncated",
        [PACKET_R_L4_BAD_HEADER] = "l4_bad_header",
        [PACKET_R_IP_LEN_MISMATCH] = "ip_len_mismatch",
    };

    if ((unsigned)r >= PACKET_R_MAX || !names[r])
        return "unknown";
    return names[r];
}

bool packet_reason_is_drop(enum packet_reason r)
{
    return (unsigned)r < PACKET_R_TRUNCATED;
}

bool packet_linktype_supported(int linktype)
{
    switch (linktype) {
    case PACKET_LT_NULL:
    case PACKET_LT_EN10MB:
    case PACKET_LT_PPP:
    case PACKET_LT_PPP_HDLC:
    case PACKET_LT_PPP_ETHER:
    case PACKET_LT_RAW:
    case PACKET_LT_RAW_OBSD:
    case PACKET_LT_LOOP:
    case PACKET_LT_LINUX_SLL:
    case PACKET_LT_IPV4:
    case PACKET_LT_IPV6:
    case PACKET_LT_NFLOG:
    case PACKET_LT_LINUX_SLL2:
        return true;
    default:
        return false;
    }
}
