/*
 * nf_fields.h - what NetFlow v9 / IPFIX information elements mean to a flow_rec (private to
 * src/ingest).
 *
 * One table maps (enterprise number, element id) to a meaning (enum nf_field_sem) and the
 * lengths that meaning accepts. The template cache resolves every template field once, when
 * the template is learned; data decoding then feeds each field's bytes to nf_fields_apply(),
 * which accumulates into a struct nf_fields_acc, and nf_fields_finish() turns the accumulator
 * into one flow record, or two when reverse-direction counters are present (RFC 5103
 * reverse elements, Cisco ASA NSEL responder counters).
 *
 * Documented choices:
 *  - Integers accept any length 1..8 (reduced-size encoding); a longer integer, an IPv4
 *    address that is not 4 bytes or an IPv6 address that is not 16 bytes is a length
 *    mismatch: the field becomes opaque (skipped by length).
 *  - octetTotalCount/packetTotalCount (85/86) are used only when the delta counters (1/2) are
 *    absent. They are the flow's counts since it started, right for exporters that report a
 *    flow once at its end (YAF, pflow), an overcount for periodic reports of long flows.
 *  - postOctet/PacketDeltaCount (23/24) are ignored (they duplicate 1/2 after a middlebox).
 *  - NSEL initiator/responder octets and packets (231/232, 298/299) are used when 1/2 are
 *    absent; the responder side becomes a second record with addresses and ports swapped.
 *  - RFC 5103 reverse elements (PEN 29305: 1, 2, 85, 86) always become the second record and
 *    are never taken for the forward meaning (IX-07). Other enterprise elements are opaque.
 *  - A repeated element in one template: the first occurrence wins, later ones are opaque
 *    (IX-11); resolved by the template cache with nf_fields_resolve().
 *  - ICMP: icmpTypeCode (32/139) or type/code (176..179); without them and with protocol
 *    1/58, the destination port is taken as type << 8 | code (Cisco convention). ICMP
 *    records carry no ports.
 *  - Address family: a template with only IPv4 (8/12) or only IPv6 (27/28) address elements
 *    gives every record that family. A template with both (routers send one template for
 *    both families and fill one per record; tunnels fill both) chooses per record: the
 *    family whose source or destination is non-zero; when both are, the one ipVersion (60)
 *    names (4 or 6), else IPv4; when neither is, ipVersion, else IPv4. As Wireshark and
 *    pmacct book them. Which rule each record took is returned (enum nf_family_rule) for
 *    the exporter's counts. The views show no other address (no next hop), so no other
 *    element needs the rule.
 *  - Counts are never invented: a record without a packet counter books 0 packets (the
 *    collector counts the case per exporter), a record of 0 octets and 0 packets books 0.
 */
#ifndef FLOWDRILL_INGEST_NF_FIELDS_H
#define FLOWDRILL_INGEST_NF_FIELDS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "flowdrill/flow.h"
#include "flowdrill/nf.h"
#include "wire.h"

#define NF_PEN_REVERSE 29305u /* RFC 5103 reverse information elements */

enum nf_field_sem {
    NFF_NONE = 0, /* opaque: skipped by length */
    NFF_BYTES,
    NFF_PKTS,
    NFF_BYTES_TOTAL,
    NFF_PKTS_TOTAL,
    NFF_PROTO,
    NFF_TCP_FLAGS,
    NFF_SPORT,
    NFF_DPORT,
    NFF_SRC4,
    NFF_DST4,
    NFF_SRC6,
    NFF_DST6,
    NFF_IN_IF,
    NFF_OUT_IF,
    NFF_SRC_AS,
    NFF_DST_AS,
    NFF_LAST_UPTIME,
    NFF_FIRST_UPTIME, /* 21/22: ms of sysUptime */
    NFF_START_S,
    NFF_END_S,
    NFF_START_MS,
    NFF_END_MS,
    NFF_START_US,
    NFF_END_US,
    NFF_START_NS,
    NFF_END_NS, /* NTP format */
    NFF_START_DELTA_US,
    NFF_END_DELTA_US, /* before export time */
    NFF_SYSINIT_MS,
    NFF_ICMP_TC4,
    NFF_ICMP_TC6,
    NFF_ICMP_TYPE,
    NFF_ICMP_CODE,
    NFF_SAMP_INTERVAL,
    NFF_SAMP_ALGO,
    NFF_SAMPLER_ID,
    NFF_SAMPLER_MODE,
    NFF_SAMPLER_RANDOM,
    NFF_SAMP_PKT_INTERVAL,
    NFF_SAMP_PKT_SPACE,
    NFF_SAMP_SIZE,
    NFF_SAMP_POPULATION,
    NFF_INIT_OCTETS,
    NFF_RESP_OCTETS,
    NFF_INIT_PKTS,
    NFF_RESP_PKTS,
    NFF_REV_BYTES,
    NFF_REV_PKTS,
    NFF_REV_BYTES_TOTAL,
    NFF_REV_PKTS_TOTAL,
    NFF_IP_VERSION, /* 60: 4 or 6 (chooses the family of a dual-family record) */
    NFF_MAX
};

/*
 * The meaning of element (pen, id) at `len` bytes (pen 0 = IANA / NetFlow v9). Sets
 * *mismatch when the element is known but `len` is illegal for it (the result is then
 * NFF_NONE). Length 0 always resolves to NFF_NONE without a mismatch (N9-07). Variable
 * length (65535) resolves to NFF_NONE: no element we read is variable-length.
 */
enum nf_field_sem nf_fields_lookup(uint32_t pen, uint16_t id, uint16_t len, bool *mismatch);

/* Clock context of the message a record came in. */
struct nf_time_ctx {
    int64_t export_us;  /* header export time (v9 unix secs, IPFIX export time), Unix µs */
    uint32_t uptime_ms; /* v9 sysUptime */
    bool has_uptime;    /* v9 only */
    int64_t sysinit_ms; /* IPFIX systemInitTimeMilliseconds from options data */
    bool has_sysinit;
};

/* One record's values while its fields are read. Zero it (nf_fields_acc_init) per record. */
struct nf_fields_acc {
    uint64_t have; /* bit per enum nf_field_sem seen */
    uint64_t v[NFF_MAX];
    uint8_t src[16], dst[16];  /* IPv6 address bytes (27/28) */
    uint8_t src4[4], dst4[4];  /* IPv4 address bytes (8/12): kept apart, a record may have both */
};

static inline void nf_fields_acc_init(struct nf_fields_acc *a)
{
    a->have = 0;
    a->v[NFF_NONE] = 0; /* what a plan reads for a field that is absent */
}

/* Feed one field of meaning `sem` whose `len` bytes are in `f` (a cursor over exactly the
 * field). Fields of meaning NFF_NONE are ignored. */
void nf_fields_apply(struct nf_fields_acc *a, enum nf_field_sem sem, struct wire *f);

/* One field's store into the accumulator, decided from its meaning and length alone
 * (nf_fields_op_of), so that a template's records can be read by a list of these made once
 * per set instead of deciding per field per record. */
enum { NFO_U8, NFO_U16, NFO_U32, NFO_U64, NFO_UN, NFO_ADDR };
struct nf_fields_op {
    uint16_t off; /* the field's offset in the record */
    uint8_t len, sem, kind;
};

/* The store of a field of meaning `sem` and `len` bytes at offset `off`; false when it stores
 * nothing: an opaque field, or an integer of 0 or more than 8 bytes. Addresses take their
 * first 16 bytes; other fields are big-endian integers of 1 to 8 bytes (NTP timestamps are 8
 * bytes read as one integer too). */
static inline bool nf_fields_op_of(enum nf_field_sem sem, size_t len, size_t off,
                                   struct nf_fields_op *op)
{
    op->off = (uint16_t)off;
    op->len = (uint8_t)(len > 16 ? 16 : len);
    op->sem = (uint8_t)sem;
    switch (sem) {
    case NFF_NONE:
        return false;
    case NFF_SRC4:
    case NFF_SRC6:
    case NFF_DST4:
    case NFF_DST6:
        op->kind = NFO_ADDR;
        return true;
    default:
        if (sem >= NFF_MAX || len == 0 || len > 8)
            return false;
        op->kind = len == 1 ? NFO_U8 : len == 2 ? NFO_U16 : len == 4 ? NFO_U32 : len == 8 ? NFO_U64
                                                                               : NFO_UN;
        return true;
    }
}

/* Store op's field of the record at rec (op->off + op->len bytes of it readable), leaving
 * a->have to the caller: a fixed-length template sets every record's bits at once. */
static inline void nf_fields_store_op(struct nf_fields_acc *a, const struct nf_fields_op *op,
                                      const uint8_t *rec)
{
    const uint8_t *p = rec + op->off;
    uint64_t v = 0;
    switch (op->kind) { /* the common sizes as one load each */
    case NFO_U8:
        v = p[0];
        break;
    case NFO_U16:
        v = wire_be16(p);
        break;
    case NFO_U32:
        v = wire_be32(p);
        break;
    case NFO_U64:
        v = (uint64_t)wire_be32(p) << 32 | wire_be32(p + 4);
        break;
    case NFO_UN:
        for (size_t i = 0; i < op->len; i++)
            v = v << 8 | p[i];
        break;
    default: { /* NFO_ADDR: one store for the usual sizes: the record is built from these
                * bytes right after, a word at a time, and a word read back from several
                * byte stores waits for them to reach the cache instead of being forwarded */
        if (op->sem == NFF_SRC4 || op->sem == NFF_DST4) {
            if (op->len == 4) /* the only length an IPv4 element resolves with */
                memcpy(op->sem == NFF_SRC4 ? a->src4 : a->dst4, p, 4);
            return;
        }
        uint8_t *addr = op->sem == NFF_SRC6 ? a->src : a->dst;
        if (op->len == 16)
            memcpy(addr, p, 16);
        else
            for (size_t i = 0; i < op->len; i++)
                addr[i] = p[i];
        return;
    }
    }
    a->v[op->sem] = v;
}

/* Apply store op to the record at rec: its value and its bit in a->have. */
static inline void nf_fields_put_op(struct nf_fields_acc *a, const struct nf_fields_op *op,
                                    const uint8_t *rec)
{
    nf_fields_store_op(a, op, rec);
    a->have |= UINT64_C(1) << op->sem;
}

/* The same for the `len` bytes at p (all of them readable), deciding as it goes: the
 * cursor path (nf_fields_apply). */
static inline void nf_fields_put(struct nf_fields_acc *a, enum nf_field_sem sem,
                                 const uint8_t *p, size_t len)
{
    struct nf_fields_op op;
    if (nf_fields_op_of(sem, len, 0, &op))
        nf_fields_put_op(a, &op, p);
}

static inline bool nf_fields_has(const struct nf_fields_acc *a, enum nf_field_sem s)
{
    return (a->have >> s) & 1u;
}

/*
 * Build the flow record(s) of one data record into out[0] (forward) and out[1] (reverse,
 * when reverse counters are non-zero). Returns how many were built (1 or 2). Times are Unix
 * µs on the exporter's clock; bytes/packets unscaled. `*sampler_id` receives the samplerId /
 * selectorId of the record (0 when absent); `*fam` the rule that chose the address family
 * of a record of a dual-family template (enum nf_family_rule), NF_FAM_MAX for any other.
 */
int nf_fields_finish(const struct nf_fields_acc *a, const struct nf_time_ctx *t,
                     struct flow_rec out[2], uint32_t *sampler_id, uint8_t *fam);

/*
 * What nf_fields_finish reads, decided from the set of fields present alone (`have`): which
 * field gives each value (NFF_NONE, whose accumulator slot is 0, when none does), which form
 * each time comes in. Every record of a template of fixed-length fields has the same set, so
 * a caller makes the plan once and reuses it while `have` stays the same
 * (nf_fields_finish_plan); nf_fields_finish makes one per record.
 */
struct nf_fields_plan {
    uint64_t have;              /* the set it was made for */
    uint8_t af, src, dst;       /* address family; whether each address is present */
    uint8_t dual;               /* both families' elements: af, src, dst chosen per record */
    uint8_t src4, dst4, src6, dst6; /* dual: which address elements are present */
    uint8_t ip_version;         /* ipVersion (60), else NFF_NONE */
    uint8_t proto, tcp_flags, sport, dport, in_if, out_if, src_as, dst_as, sampler;
    uint8_t icmp_tc;            /* combined ICMP type/code field, else NFF_NONE */
    uint8_t icmp_split;         /* else type and code from two fields */
    uint8_t icmp_type, icmp_code;
    uint8_t bytes, pkts;        /* forward counters */
    uint8_t first_kind, first;  /* start time: its form and field */
    uint8_t last_kind, last;    /* end time */
    uint8_t rbytes, rpkts;      /* reverse counters (a second record when either is non-zero) */
};

void nf_fields_plan_make(uint64_t have, struct nf_fields_plan *p);

/* nf_fields_finish with plan p, made for a->have. */
int nf_fields_finish_plan(const struct nf_fields_acc *a, const struct nf_fields_plan *p,
                          const struct nf_time_ctx *t, struct flow_rec out[2],
                          uint32_t *sampler_id, uint8_t *fam);

#endif
