/*
 * pcap_source.h - libpcap capture (live or from a file) driven by the libuv loop.
 *
 * The only module that includes <pcap.h>. Frames are decoded with packet_decode() into
 * batches of flow records handed to a sink. Live capture is non-blocking: a uv_poll on the
 * selectable fd plus a short uv_timer (the fd does not signal every packet), each callback
 * processing at most a budget of packets so the loop never stalls. Files are read in chunks
 * from an idle handle (as fast as possible) or paced by a timer (--realtime, demo).
 *
 * Lifecycle: pcap_source_open (opens the handle: needs privileges for live capture),
 * pcap_source_start (registers with the loop), pcap_source_close (asynchronous; the
 * close callback fires once every handle is closed, then the source is freed).
 */
#ifndef FLOWDRILL_PCAP_SOURCE_H
#define FLOWDRILL_PCAP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <uv.h>

#include "flowdrill/localnet.h"
#include "flowdrill/nf.h"
#include "flowdrill/packet.h"
#include "flowdrill/sink.h"

enum pcap_source_kind {
    PCAP_SOURCE_LIVE,
    PCAP_SOURCE_FILE,
    PCAP_SOURCE_MEMORY /* an in-memory capture (the embedded demo), looped at its pace */
};

struct pcap_source_config {
    enum pcap_source_kind kind;
    const char *name;      /* interface or file path ("-" = stdin) */
    const void *data;      /* MEMORY: capture bytes (borrowed, must outlive the source) */
    size_t data_len;
    unsigned snaplen;
    unsigned buffer_kib;   /* 0 = default */
    bool promisc;
    const char *bpf;       /* NULL = none */
    bool realtime;         /* FILE: pace by timestamps; MEMORY: always */
    uint32_t source_id;    /* stamped on every record */
    /* offline flow exports (-r FILE -l PORT): UDP datagrams to one of these ports are handed
     * to `nf` as exports from their sender instead of being counted as packets */
    struct nf_collector *nf; /* borrowed; NULL = none */
    const uint16_t *export_ports;
    size_t n_export_ports;
};

/* Error classes of pcap_source_open (negative errno values). */
#define PCAP_SOURCE_EPERM (-1)   /* -EPERM: no privilege to capture */
#define PCAP_SOURCE_ENODEV (-19) /* -ENODEV: no such interface */
#define PCAP_SOURCE_EINVAL (-22) /* -EINVAL: bad file, or a filter the handle refuses */
#define PCAP_SOURCE_EFILTER (-84) /* -EILSEQ: the filter expression does not compile (a usage
                                   * error: the message names the problem) */
#define PCAP_SOURCE_ENOENT (-2)  /* -ENOENT: file missing/unreadable */
#define PCAP_SOURCE_EIO (-5)     /* anything else */
#define PCAP_SOURCE_ETRUNC (-74) /* -EBADMSG: a file ends inside a record, or a bogus record */

struct pcap_source;

/* Called once when a file or memory source has delivered everything (not for MEMORY, which
 * loops), or when a live capture fails. `status` is 0 at end of file, negative on error. */
typedef void (*pcap_source_done_cb)(struct pcap_source *src, int status, void *arg);

/*
 * Open the capture. `stats` and `sink` are borrowed and must outlive the source. On error
 * returns a negative PCAP_SOURCE_E* code and writes a one-line message (without the program
 * name) into err.
 */
int pcap_source_open(struct pcap_source **out, const struct pcap_source_config *cfg,
                     struct packet_stats *stats, struct flow_sink sink, char *err,
                     size_t errlen);

/* Register with the loop and start delivering. */
int pcap_source_start(struct pcap_source *src, uv_loop_t *loop, pcap_source_done_cb done,
                      void *arg);

/* Frames received, and the kernel's drop counters (live: pcap_stats; 0 otherwise). */
void pcap_source_counters(struct pcap_source *src, uint64_t *received, uint64_t *kernel_drop,
                          uint64_t *if_drop);

/* Why the source stopped early (valid in the done callback with a negative status).
 * Borrowed from the source. */
const char *pcap_source_error(const struct pcap_source *src);

/* Progress of a file source: bytes read so far and the file size (0 when unknown). */
void pcap_source_progress(struct pcap_source *src, uint64_t *done, uint64_t *total);

/* Add the IPv4/IPv6 networks of interface `iface` to `ln`. Returns how many were added. */
int pcap_source_iface_networks(const char *iface, struct localnet *ln);

/* The interface of the default route (or the first capturable non-loopback interface),
 * written into buf. Returns 0, or -ENODEV when there is none. */
int pcap_source_default_iface(char *buf, size_t len);

/* Close asynchronously; `cb` (may be NULL) runs after the last handle is closed and the
 * source is freed. Safe to call once, started or not. */
void pcap_source_close(struct pcap_source *src, void (*cb)(void *arg), void *arg);

#endif
