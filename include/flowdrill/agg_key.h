/*
 * agg_key.h - how a conversation projects onto the rows of the live tables: the one home of
 * the rules the aggregator books by (src/agg) and the view's drill-down matches and derives
 * rows by (src/view/query.c), so that both name a row the same way.
 *
 *   host      the address, 16 bytes (struct flow_addr). A host talking to itself (a == b)
 *             is one host, booked once (as tshark and nfdump count it).
 *   pair      the two addresses, lower first (agg_pair_key); its [0] direction is lower ->
 *             higher.
 *   port      the service port of the conversation (service_db_pick: the known or lower
 *             port) and the protocol, 3 bytes (agg_port_key); its [0] direction is towards
 *             the service. Conversations without ports (non-first fragments) have none.
 *   app       the service's name, or "unknown/tcp", or the protocol's name for protocols
 *             without ports ("icmp", "ip-47"); STAT_KEY_MAX bytes, zero-padded.
 *   proto     the protocol number, 1 byte.
 *   exporter  (exporter address, observation domain), 20 bytes; interface: the same and the
 *             interface index, 24 bytes (agg_iface_key, agg_iface_key_parse).
 *   flow      the conversation's key (struct flow_key).
 * Every key of every table fits AGG_KEY_MAX bytes, zero-padded (topn rows, view selections).
 * Direction of a->b traffic relative to the local networks: agg_dir_local.
 */
#ifndef FLOWDRILL_AGG_KEY_H
#define FLOWDRILL_AGG_KEY_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "flowdrill/flow.h"
#include "flowdrill/flow_table.h"
#include "flowdrill/service.h"
#include "flowdrill/stat_table.h"

#define AGG_KEY_MAX 40      /* the widest key of any table: a conversation's */
#define AGG_HOST_KEY 16     /* struct flow_addr */
#define AGG_PAIR_KEY 32     /* two addresses, lower first */
#define AGG_PORT_KEY 3      /* service port (network order), protocol */
#define AGG_EXPORTER_KEY 20 /* exporter address, observation domain */
#define AGG_IFACE_KEY 24    /* exporter address, observation domain, interface index */

_Static_assert(sizeof(struct flow_key) <= AGG_KEY_MAX, "a conversation key fits a row key");
_Static_assert(sizeof(struct flow_addr) == AGG_HOST_KEY, "a host key is an address");
_Static_assert(STAT_KEY_MAX <= AGG_KEY_MAX, "every stat table key fits a row key");

/* Whether the pair of hosts x and y has y first (y is the lower address): the pair's [0]
 * direction, lower -> higher, is then y -> x. */
static inline bool agg_pair_swapped(const struct flow_addr *x, const struct flow_addr *y)
{
    return flow_addr_gt(x, y);
}

/* The pair key of hosts x and y, lower address first; agg_pair_swapped(x, y). */
static inline bool agg_pair_key(const struct flow_addr *x, const struct flow_addr *y,
                                uint8_t key[AGG_PAIR_KEY])
{
    bool swap = agg_pair_swapped(x, y);
    memcpy(key, swap ? y : x, AGG_HOST_KEY);
    memcpy(key + AGG_HOST_KEY, swap ? x : y, AGG_HOST_KEY);
    return swap;
}

/* Which of conversation k's directions goes towards service port svc: 0 (a->b) when the
 * service is b's port, else 1. */
static inline int agg_to_svc(const struct flow_key *k, uint16_t svc)
{
    return svc == k->pb ? 0 : 1;
}

/* The service port of conversation k and its direction towards it (agg_to_svc); false when
 * k has no ports (a protocol without them, or ports unknown). */
bool agg_service_of(const struct service_db *svc, const struct flow_key *k, uint16_t *port,
                    int *to_svc);

/* Port key of conversation k and its direction towards the service; false without ports. */
bool agg_port_key(const struct service_db *svc, const struct flow_key *k,
                  uint8_t key[AGG_PORT_KEY], int *to_svc);

/* Application key of conversation k; false when it has none (ports unknown). */
bool agg_app_key(const struct service_db *svc, const struct flow_key *k,
                 uint8_t key[STAT_KEY_MAX]);

/* Application key of protocol proto and service port `port` (has_port false: a protocol
 * without ports, named by itself). */
void agg_app_key_of(const struct service_db *svc, uint8_t proto, uint16_t port, bool has_port,
                    uint8_t key[STAT_KEY_MAX]);

/* Direction (enum flow_dir) of traffic from a host that is local (la) or not to one that is
 * local (lb) or not. */
static inline int agg_dir_local(bool la, bool lb)
{
    if (la && lb)
        return FLOW_DIR_INTERNAL;
    if (la)
        return FLOW_DIR_OUT;
    if (lb)
        return FLOW_DIR_IN;
    return FLOW_DIR_TRANSIT;
}

/* An exporter's or interface's identity, as its key holds it. */
struct agg_iface_id {
    struct flow_addr exporter;
    uint32_t domain;  /* observation domain (v9 source id) */
    uint32_t ifindex; /* 0 in an exporter's key */
};

/* The interface key (AGG_IFACE_KEY bytes) of an identity; its first AGG_EXPORTER_KEY bytes
 * are the exporter's key. */
static inline void agg_iface_key(const struct agg_iface_id *id, uint8_t key[AGG_IFACE_KEY])
{
    memcpy(key, id->exporter.b, AGG_HOST_KEY);
    memcpy(key + AGG_HOST_KEY, &id->domain, 4);
    memcpy(key + AGG_EXPORTER_KEY, &id->ifindex, 4);
}

/* The identity in an exporter's (ifindex 0) or interface's key. */
static inline void agg_iface_key_parse(const uint8_t *key, bool is_iface, struct agg_iface_id *id)
{
    memcpy(id->exporter.b, key, AGG_HOST_KEY);
    memcpy(&id->domain, key + AGG_HOST_KEY, 4);
    id->ifindex = 0;
    if (is_iface)
        memcpy(&id->ifindex, key + AGG_EXPORTER_KEY, 4);
}

#endif
