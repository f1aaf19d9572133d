/*
 * nf.h - the flow-export collector's decoding side: NetFlow v5, NetFlow v9 (RFC 3954),
 * IPFIX (RFC 7011) and sFlow v5 datagrams in, normalized flow records out (to a sink).
 *
 * Pure: no sockets, no libuv, no clock of its own. The caller hands each datagram with the
 * exporter's address and port and the arrival time; nf_collector keeps per-exporter state
 * (templates, sequence numbers, sampling rates, clock skew) and emits records whose bytes
 * and packets are already scaled by the sampling rate in force, with absolute first/last
 * times corrected for the exporter's clock skew. Malformed input is counted by named reason,
 * never trusted: every read goes through wire.h.
 *
 * Memory is bounded by nf_config (exporters, domains per exporter, templates, held data).
 */
#ifndef FLOWDRILL_NF_H
#define FLOWDRILL_NF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/flow.h"
#include "flowdrill/sink.h"

struct nf_collector;

/* Why a datagram, set or record was not (fully) used, or what was odd about it.
 * Keep nf_reason_name() in step. */
enum nf_reason {
    NF_R_SHORT = 0,          /* datagram shorter than its header */
    NF_R_BAD_VERSION,        /* version not 5, 9 or 10 */
    NF_R_V5_BAD_COUNT,       /* v5 record count 0 < n, n > 30 or past the datagram: clamped */
    NF_R_BAD_LENGTH,         /* IPFIX message length < 16 or > datagram */
    NF_R_BAD_SET_LEN,        /* set/flowset length < 4 or past the message: rest skipped */
    NF_R_RESERVED_SET,       /* set id reserved (v9 2..255, IPFIX 0, 1, 4..255): skipped */
    NF_R_TPL_BAD,            /* malformed template (id < 256, 0 fields, length 0, PEN cut) */
    NF_R_TPL_TOO_MANY_FIELDS,/* more than NF_MAX_FIELDS fields */
    NF_R_TPL_LIMIT,          /* template cache full (count or bytes): template rejected */
    NF_R_FIELD_LEN_MISMATCH, /* known field with an illegal length: treated as opaque */
    NF_R_NO_TEMPLATE,        /* data set whose template never came (held data expired or
                                dropped for space): its records are lost */
    NF_R_HELD,               /* data set held until its template arrives (note) */
    NF_R_RECORD_TRUNCATED,   /* variable-length field or record past the set end */
    NF_R_SEQ_GAP,            /* a sequence gap was seen (lost records: nf_counters.seq_lost) */
    NF_R_EXPORTER_RESTART,   /* sequence or sysUptime reset: templates marked stale */
    NF_R_EXPORTER_LIMIT,     /* exporter table full: least recently seen one evicted */
    NF_R_DOMAIN_LIMIT,       /* too many domains/source ids for one exporter: dropped */
    NF_R_REJECTED_EXPORTER,  /* sender outside --allow: dropped before any state */
    NF_R_SAMPLING_ZERO,      /* sampling interval 0 announced: treated as 1 (note) */
    NF_R_TRAILING_BYTES,     /* bytes after the last record (note) */
    NF_R_TRUNCATED_DATAGRAM, /* datagram larger than the receive buffer: dropped */
    NF_R_TPL_RECYCLED,       /* a template forgotten to make room: its exporter was over its
                                quota, or held more than the one asking (note; per exporter:
                                nf_exporter_info.tpl_recycled) */
    /* sFlow v5 (sflow.c) */
    NF_R_SFLOW_BAD_ADDR,     /* agent address type not 1 (IPv4) or 2 (IPv6): dropped whole */
    NF_R_SFLOW_SAMPLE_LEN,   /* sample length past the datagram: it and the rest dropped */
    NF_R_SFLOW_TOO_MANY,     /* more samples (or records) announced than the datagram (or
                                sample) can hold, or more than the limit: the rest dropped */
    NF_R_SFLOW_ZERO_LEN,     /* sample or record of length 0: skipped */
    NF_R_SFLOW_NESTED_LEN,   /* record past its sample, or shorter than its fixed fields */
    NF_R_SFLOW_HEADER_LEN,   /* raw packet header longer than its record: sample dropped */
    NF_R_SFLOW_HEADER_UNDECODED, /* sampled header of an unknown protocol, or not IP */
    NF_R_SFLOW_UNKNOWN_FORMAT,   /* sample or record format we do not read: skipped by its
                                    length (note) */
    NF_R_SFLOW_IF_LIMIT,     /* interface counter table full: the least recently updated
                                interface forgotten (note) */
    NF_R_MAX
};

const char *nf_reason_name(enum nf_reason r);
/* True for reasons that lose data (drops); false for notes. */
bool nf_reason_is_drop(enum nf_reason r);

#define NF_MAX_FIELDS 256

/* How the address family of a record was chosen when its template has both IPv4 (8/12) and
 * IPv6 (27/28) address elements (counted per exporter: nf_exporter_info.family). Keep
 * nf_family_rule_name() in step. */
enum nf_family_rule {
    NF_FAM_V4_ONLY = 0, /* only an IPv4 address non-zero: IPv4 */
    NF_FAM_V6_ONLY,     /* only an IPv6 address non-zero: IPv6 */
    NF_FAM_BOTH_IPVER,  /* both non-zero: the family ipVersion (60) names */
    NF_FAM_BOTH_V4,     /* both non-zero, no ipVersion of 4 or 6: IPv4 */
    NF_FAM_NEITHER,     /* all zero: ipVersion's family, else IPv4 */
    NF_FAM_MAX
};

/* "v4_only", "v6_only", "both_ip_version", "both_default_v4", "neither" ("?" out of range). */
const char *nf_family_rule_name(enum nf_family_rule r);

struct nf_config {
    uint32_t default_sampling;   /* for exporters that announce none (0 = 1) */
    uint32_t force_sampling;     /* overrides every exporter (0 = off; 1 = raw counts) */
    uint32_t template_timeout_s; /* templates not refreshed this long expire (default 1800) */
    uint32_t max_exporters;      /* (address, port) pairs (default 256) */
    uint32_t max_domains;        /* per exporter (default 16) */
    uint32_t max_templates;      /* in all (default 4096) */
    size_t max_template_bytes;   /* in all (default 4 MiB) */
    size_t max_held_bytes;       /* data held for missing templates (default 1 MiB) */
    /* Fair shares of the pools above, per exporter domain (0 = no quota: the pool is the
     * limit). An exporter over its quota recycles its own oldest template or held set; a
     * full pool recycles from the exporter holding the most, never from one holding fewer
     * than the one asking (template.h). */
    uint32_t tpl_quota;          /* templates per exporter domain (default 1024) */
    size_t tpl_quota_bytes;      /* template bytes per exporter domain (default 1 MiB) */
    size_t held_quota_bytes;     /* held data per exporter domain (default 256 KiB) */
    uint32_t held_timeout_s;     /* held data waits this long for its template (default 10) */
    uint32_t source_id;          /* stamped on every record */
};

void nf_config_default(struct nf_config *c);

struct nf_counters {
    uint64_t datagrams, records, bytes, packets; /* records/bytes/packets as emitted */
    uint64_t seq_lost;                           /* records (v5, IPFIX) or packets (v9) lost */
    uint64_t count[NF_R_MAX];
};

/* One exporter observation domain, for the exporter table in reports and the UI. */
struct nf_exporter_info {
    struct flow_addr addr;
    uint16_t port;
    uint32_t domain;         /* v9 source id / IPFIX observation domain (0 for v5) */
    uint8_t version;         /* 5, 9 or 10 of the last datagram, or NF_VERSION_SFLOW5 */
    uint64_t datagrams, records, bytes, packets;
    uint64_t seq_lost, restarts;
    uint32_t templates;      /* templates held for this domain */
    uint32_t sampling;       /* rate in force (1 = unsampled) */
    int64_t last_seen_us;    /* arrival time of the last datagram */
    int64_t newest_flow_us;  /* newest flow end time seen (data age = now - this) */
    int64_t skew_us;         /* exporter clock minus ours, as estimated */
    uint64_t family[NF_FAM_MAX]; /* records of dual-family templates, by the rule taken */
    uint64_t no_packets;     /* flow records with no packet counter (booked with 0 packets) */
    uint64_t tpl_refused;    /* its templates refused: no room in its quota or the pool */
    uint64_t tpl_recycled;   /* its templates forgotten to make room (quota, fair share) */
    uint64_t held_dropped;   /* its held data sets dropped to make room (quota, fair share) */
    /* sFlow agents (version NF_VERSION_SFLOW5): address = agent address, domain = sub-agent */
    uint64_t sflow_samples;  /* flow samples decoded */
    uint64_t sflow_counter_samples; /* counter samples decoded */
    uint64_t sflow_pool;     /* sample_pool (packets seen) of each data source's latest flow
                                sample, summed over its sources (the 16 seen most recently) */
    uint64_t sflow_drops;    /* drops (the agent ran out of room), summed the same way */
    uint64_t sflow_samples_lost; /* flow samples missing from each data source's sequence */
};

/* nf_exporter_info.version of an sFlow v5 agent (NetFlow v5 is 5). */
#define NF_VERSION_SFLOW5 105

/* Latest generic interface counters (sFlow counter samples) of one agent interface. */
struct nf_interface_info {
    struct flow_addr agent;
    uint32_t domain;         /* sub-agent id */
    uint32_t ifindex;
    uint64_t speed_bps;      /* ifSpeed */
    uint32_t status;         /* ifStatus: bit 0 admin up, bit 1 oper up */
    uint64_t in_octets, out_octets;   /* ifIn/OutOctets */
    uint64_t in_packets, out_packets; /* unicast + multicast + broadcast */
    uint64_t in_errors, out_errors, in_discards, out_discards;
    uint64_t in_bps, out_bps;         /* from the last two samples (0 until there are two) */
    uint32_t in_util_permille, out_util_permille; /* bps / ifSpeed, 0 when speed unknown */
    uint64_t samples;        /* counter records seen for this interface */
    int64_t last_us;         /* arrival time of the latest */
};

/* Copy up to `max` interfaces into out (may be NULL); returns how many there are in all. */
size_t nf_collector_interfaces(const struct nf_collector *c, struct nf_interface_info *out,
                               size_t max);

/* `sink` receives the records; it is borrowed and must outlive the collector. */
struct nf_collector *nf_collector_new(const struct nf_config *cfg, struct flow_sink sink);
void nf_collector_free(struct nf_collector *c);

/*
 * Decode one datagram from exporter addr:port that arrived at `now_us` (Unix µs). The bytes
 * are borrowed for the call. Emits zero or more records. Returns 0, or a negative errno-style
 * value when the datagram was dropped whole (the reason is counted either way).
 */
int nf_collector_input(struct nf_collector *c, const struct flow_addr *addr, uint16_t port,
                       const uint8_t *buf, size_t len, int64_t now_us);

/* Expire templates, held data and silent exporters. Call about once a second. */
void nf_collector_tick(struct nf_collector *c, int64_t now_us);

const struct nf_counters *nf_collector_counters(const struct nf_collector *c);

/* Copy up to `max` exporter domains into out; returns how many there are in all. */
size_t nf_collector_exporters(const struct nf_collector *c, struct nf_exporter_info *out,
                              size_t max);

#endif
