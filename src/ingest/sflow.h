/*
 * sflow.h - sFlow v5 inside the flow-export collector (private to src/ingest).
 *
 * sflow.c walks a datagram (sflow_decode, declared in nf_priv.h): header, samples, records.
 * Flow samples (formats 1 and 3) become flow records: the raw packet header record (1) goes
 * through packet_decode() (packet.h) with the header's protocol, else a sampled IPv4 (3) or
 * IPv6 (4) record is used. Bytes are layer-3 bytes (the IP length of the sampled packet),
 * packets 1, both scaled by the sample's sampling rate in nf_emit. Counter samples (formats
 * 2 and 4) hand their generic interface records (format 1) to sflow_counters.c, which keeps
 * the latest counters of each (agent, sub-agent, ifIndex) and derives rates from the deltas.
 *
 * An agent is an exporter (nf_exporter): address = the datagram's agent address, port = the
 * sender's UDP port, domain = sub-agent id, version NF_VERSION_SFLOW5. Its datagram sequence
 * number feeds nf_seq_update (one per datagram), its uptime nf_uptime_update.
 *
 * Limits: at most SFLOW_MAX_SAMPLES samples per datagram and SFLOW_MAX_RECORDS records per
 * sample (NF_R_SFLOW_TOO_MANY beyond), at most SFLOW_MAX_IFS interfaces in all (the least
 * recently updated one is forgotten: NF_R_SFLOW_IF_LIMIT).
 */
#ifndef FLOWDRILL_INGEST_SFLOW_H
#define FLOWDRILL_INGEST_SFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/nf.h"
#include "wire.h"
#include "nf_priv.h"

#define SFLOW_VERSION 5
#define SFLOW_MAX_SAMPLES 1024
#define SFLOW_MAX_RECORDS 256
#define SFLOW_MAX_IFS 4096

/* The generic interface counters of one counter record (sFlow counters format 1). */
struct sflow_if_counters {
    uint32_t ifindex, iftype, direction, status;
    uint64_t speed, in_octets, out_octets;
    uint32_t in_ucast, in_mcast, in_bcast, in_discards, in_errors, in_unknown;
    uint32_t out_ucast, out_mcast, out_bcast, out_discards, out_errors, promisc;
};

/* Read a generic interface counter record (88 bytes; more is allowed, as later versions may
 * append). Returns false, cursor somewhere inside, when it is shorter. */
bool sflow_generic_read(struct wire *r, struct sflow_if_counters *k);

/*
 * Record one interface's counters for exporter `e` (agent, sub-agent) at agent uptime
 * `uptime_ms` (rates come from uptime deltas; a counter that went backwards restarts the
 * rate). Creates the table on first use (c->sf_ifs, freed with sflow_ifs_free).
 */
void sflow_ifs_update(struct nf_collector *c, const struct nf_exporter *e, uint32_t uptime_ms,
                      const struct sflow_if_counters *k);

/* Free the table (NULL is fine). */
void sflow_ifs_free(struct sflow_ifs *t);

#endif
