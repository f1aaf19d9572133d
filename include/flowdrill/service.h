/*
 * service.h - port numbers to service names, and which side of a conversation is the service.
 *
 * Names come from the system services database (getservent, read once at start) with a
 * built-in table for when /etc/services is missing or thin. Each distinct name gets a small
 * integer id, so the application table can be keyed by id. Immutable after service_db_new;
 * safe to share read-only.
 */
#ifndef FLOWDRILL_SERVICE_H
#define FLOWDRILL_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

struct service_db;

/* Load names. `use_system` false skips /etc/services (tests use the built-in table only). */
struct service_db *service_db_new(bool use_system);
void service_db_free(struct service_db *db);

/* Name id for (port, proto), 0 when unknown. SCTP, DCCP and UDP-Lite use the TCP and UDP
 * names respectively. */
uint16_t service_db_id(const struct service_db *db, uint16_t port, uint8_t proto);

/* Name of an id (never NULL for ids returned by this db; "" for 0). Borrowed from db. */
const char *service_db_name(const struct service_db *db, uint16_t id);

/*
 * The service port of a conversation between ports pa and pb: the well-known (< 1024) side
 * if exactly one is, else the side with a registered name if exactly one has one, else the
 * lower port. Returns 0 when the protocol has no ports.
 */
uint16_t service_db_pick(const struct service_db *db, uint8_t proto, uint16_t pa, uint16_t pb);

#endif
