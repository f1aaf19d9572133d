/*
 * detect.h - the threat detectors: port scans, host sweeps, SYN/UDP/ICMP floods, traffic to
 * unfamiliar destinations and sudden talkers, over the same normalized records the
 * aggregator sees (packet capture and flow exports alike).
 *
 * Time is the records' own (last_us), so a file raises its alerts at the file's times; the
 * program moves it with the wall clock too (detect_advance) so alerts end when traffic stops.
 * Every detector keeps its state in a fixed-size table chosen at detect_new: memory never
 * grows with the traffic, and an entry pushed out to make room is counted in
 * detect_stats.evicted. An alert, once raised, follows its traffic (packets, bytes, last
 * seen) until it has been quiet for DETECT_QUIET_S; it is then "ended" and stays listed.
 *
 * What a detector counts (the definitions the man page gives, section ALERTS):
 *  - a probe: TCP with SYN and without ACK; UDP of at most 128 bytes a packet from a port
 *    >= 1024; ICMP/ICMPv6 echo request. An answer: TCP with SYN and ACK, any UDP back, an
 *    echo reply. A TCP RST is neither (a closed port stays unanswered).
 *  - port_scan: one source's probes to one host reach `scan_ports` distinct unanswered
 *    destination ports within DETECT_EPOCH_S.
 *  - host_sweep: one source's probes on one protocol and port reach `sweep_hosts` distinct
 *    unanswered hosts within DETECT_EPOCH_S.
 *  - syn_flood / udp_flood / icmp_flood: one destination receives at least `*_pps` SYN-only,
 *    UDP or ICMP packets in one second, from at least `flood_sources` distinct sources over
 *    the last 10 s, and at least `factor` times its own baseline (a slow average of its
 *    earlier seconds); for UDP, while it sends back fewer than half as many datagrams. An
 *    exported flow counts as its average packet rate.
 *  - unfamiliar: after the learning window (`learn_s` from the first record), a source sends
 *    `unfamiliar_packets` packets or `unfamiliar_bytes` bytes to an address never seen (as
 *    source or destination) during the window.
 *  - talker: a source's last-10 s rate is at least `talker_bps` and `talker_factor` times its
 *    baseline, once the source has been seen for 40 s.
 * Depends on flow.h only.
 */
#ifndef FLOWDRILL_DETECT_H
#define FLOWDRILL_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/flow.h"

enum detect_kind {
    DETECT_PORT_SCAN = 0,
    DETECT_HOST_SWEEP,
    DETECT_SYN_FLOOD,
    DETECT_UDP_FLOOD,
    DETECT_ICMP_FLOOD,
    DETECT_UNFAMILIAR,
    DETECT_TALKER,
    DETECT_K_MAX
};

#define DETECT_EPOCH_S 60 /* scans and sweeps count distinct ports/hosts over this long */
#define DETECT_QUIET_S 60 /* an alert ends after this long without its traffic */

struct detect_config {
    bool enabled[DETECT_K_MAX];
    uint32_t scan_ports;    /* distinct unanswered ports, default 100 */
    uint32_t sweep_hosts;   /* distinct unanswered hosts, default 64 */
    uint32_t syn_pps, udp_pps, icmp_pps; /* defaults 300, 500, 200 */
    uint32_t flood_sources; /* default 16 */
    uint32_t factor;        /* flood: times the destination's baseline, default 10 */
    uint64_t unfamiliar_packets; /* default 5000 */
    uint64_t unfamiliar_bytes;   /* default 10 MB (10,000,000) */
    uint32_t learn_s;            /* default 300 */
    uint64_t talker_bps;         /* default 10 Mbit/s */
    uint32_t talker_factor;      /* default 20 */
    size_t max_alerts;           /* alerts kept, default 1024 */
    size_t slots;                /* entries per detector table, default 4096 */
};

void detect_config_default(struct detect_config *c);

/* Apply one "NAME=VALUE" or "NAME=off" (the --alert option). Names: scan, sweep, syn, udp,
 * icmp, sources, factor, unfamiliar, unfamiliar-bytes (MB), talker (Mbit/s), talker-factor.
 * Returns 0, or -1 with a one-line message naming the problem and the fix in err. */
int detect_config_set(struct detect_config *c, const char *spec, char *err, size_t errlen);

struct detect_alert {
    uint32_t id;      /* 1, 2, ... in the order raised */
    uint8_t kind;     /* enum detect_kind */
    uint8_t proto;    /* the probes' or flood's protocol; 0 for unfamiliar and talker */
    uint16_t port;    /* host_sweep: the port swept; else 0 */
    struct flow_addr src; /* the scanner, sweeper, sender; zero for floods (many sources) */
    struct flow_addr dst; /* the target; zero for sweeps and talkers */
    bool has_src, has_dst;
    int64_t first_us, last_us; /* the traffic behind it: first and last record */
    uint64_t packets, bytes;   /* from the record that raised it on (unfamiliar: since the
                                  first contact) */
    uint64_t count;       /* scan: ports; sweep: hosts; flood: sources; others: 0 */
    uint64_t peak;        /* flood: packets/s; talker: bits/s over 10 s; scan/sweep: = count;
                             unfamiliar: packets */
    uint64_t threshold;   /* what `peak` had to reach */
};

struct detect_stats {
    bool learning;        /* the unfamiliar detector is still learning */
    uint32_t learn_left_s;
    uint64_t raised;      /* alerts raised */
    uint64_t dropped;     /* alerts not kept: the list was full of active alerts */
    uint64_t expired;     /* ended alerts dropped from the list to make room */
    uint64_t records;     /* records looked at */
    uint64_t evicted[DETECT_K_MAX]; /* table entries pushed out (scan, sweep, floods share
                                       the flood table: counted under syn_flood) */
    size_t active, kept;  /* alerts active now / in the list */
    size_t memory;        /* bytes of every table */
};

struct detect;

/* NULL when every detector is off. `seed` keys the table hashes (see hash.h). */
struct detect *detect_new(const struct detect_config *c, uint64_t seed);
void detect_free(struct detect *d);

/* Look at n records. */
void detect_add(struct detect *d, const struct flow_rec *recs, size_t n);

/* The clock moved to `sec` (Unix seconds) without records. */
void detect_advance(struct detect *d, uint32_t sec);

/* Called once per new alert, at the end of the detect_add that raised it. */
void detect_on_raise(struct detect *d, void (*fn)(void *ctx, const struct detect_alert *),
                     void *ctx);

/* Every kept alert, oldest first; valid until the next detect_add/advance. */
size_t detect_alerts(const struct detect *d, const struct detect_alert **out);
bool detect_alert_active(const struct detect *d, const struct detect_alert *a);
uint32_t detect_now(const struct detect *d); /* Unix seconds; 0 before any record */
void detect_stats(const struct detect *d, struct detect_stats *s);
const struct detect_config *detect_config_of(const struct detect *d);

const char *detect_kind_name(enum detect_kind k); /* "port_scan", ... */
/* The --alert name of a kind's main threshold ("scan", ...). */
const char *detect_kind_option(enum detect_kind k);

/* Rates of an alert over its span (at least one second). */
uint64_t detect_alert_bps(const struct detect_alert *a);
uint64_t detect_alert_pps(const struct detect_alert *a);

#endif
