/*
 * report.h - the batch reports: aligned text (like `iftop -t`) and JSON Lines.
 *
 * A report is a snapshot of the aggregator plus every loss counter, written to a FILE.
 * The JSON shape is documented in man/flowdrill.8 (section JSON OUTPUT); every number is an
 * exact integer. Writes nothing but printable ASCII (keys are sanitized at their source).
 */
#ifndef FLOWDRILL_REPORT_H
#define FLOWDRILL_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "flowdrill/agg.h"
#include "flowdrill/detect.h"
#include "flowdrill/nf.h"
#include "flowdrill/packet.h"
#include "flowdrill/topn.h"
#include "flowdrill/udp_listener.h"

struct report_source {
    const char *kind;  /* "interface", "file", "demo", "listener" */
    const char *name;  /* "eth0", "trace.pcap" */
    uint64_t received; /* frames handed to the decoder */
    uint64_t kernel_drop, if_drop; /* pcap_stats ps_drop / ps_ifdrop (live only) */
};

struct report_ctx {
    const struct agg *agg;
    const struct packet_stats *pkt; /* may be NULL */
    const struct report_source *sources;
    size_t n_sources;
    unsigned tables;     /* bit (1 << enum agg_table) for each table to print */
    enum topn_sort sort;
    size_t top;          /* 0 = every row */
    bool final;          /* last report of the run */
    const struct nf_collector *nf;         /* flow exports; NULL when not collecting */
    const struct udp_listener_stats *udp;  /* one per listener */
    size_t n_udp;
    const struct detect *det; /* the detectors; NULL when off ("alerts":[] all the same) */
};

/* One JSON object on one line, then '\n'. Returns 0, or -1 on a write error (errno set). */
int report_json(FILE *out, const struct report_ctx *c);

/* A human-readable block of aligned columns. Returns 0 or -1 on a write error. */
int report_text(FILE *out, const struct report_ctx *c);

/* Write s as a JSON string (quotes included): '"' and '\\' escaped, control and non-ASCII
 * bytes as \u00XX, so network text can never break the line or the terminal. */
void report_json_str(FILE *o, const char *s);

#endif
