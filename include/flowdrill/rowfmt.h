/*
 * rowfmt.h - turning snapshot rows into text: keys ("10.0.0.1", "443/tcp", ...) and human
 * units. Shared by the batch/JSON reports and the terminal UI, so every output names things
 * the same way. Everything written is plain printable ASCII.
 */
#ifndef FLOWDRILL_ROWFMT_H
#define FLOWDRILL_ROWFMT_H

#include <stddef.h>
#include <stdint.h>

#include "flowdrill/service.h"
#include "flowdrill/topn.h"

/* Key of a row as text: host "10.0.0.1"; pair "10.0.0.1 <-> 10.0.0.2"; port "443/tcp";
 * app "https"; proto "tcp" (or the number); exporter "192.0.2.1/0" (address/domain);
 * iface "192.0.2.1/0 if 3"; flow "10.0.0.1:51000 <-> 10.0.0.2:443 tcp"
 * (IPv6 endpoints in brackets). The "other" row is "other". Returns buf. */
char *rowfmt_key(const struct topn_row *r, char *buf, size_t len);

/* Service name of a port row ("https"), "" when none. Borrowed from svc. */
const char *rowfmt_service(const struct topn_row *r, const struct service_db *svc);

/* Protocol text: "tcp", or the decimal number. */
void rowfmt_proto(uint8_t proto, char *buf, size_t len);

/* "1.21 GiB", "512 B" (powers of 1024, 3 significant digits). */
char *rowfmt_bytes(uint64_t bytes, char *buf, size_t len);

/* Bits per second: "12.3 Mb", "800 b" (powers of 1000, like iftop). */
char *rowfmt_rate(uint64_t bps, char *buf, size_t len);

/* Plain count: "1.2M", "34.5k", "999". */
char *rowfmt_count(uint64_t n, char *buf, size_t len);

/* TCP flags as the letters of the flags set, in bit order F S R P A U E C ("" for none). */
char *rowfmt_tcp_flags(uint8_t flags, char *buf, size_t len);

#endif
