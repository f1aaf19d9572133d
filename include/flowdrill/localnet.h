/*
 * localnet.h - the set of local networks (--local CIDR) that decides what "in" and "out" mean.
 * A small list; lookups are linear (there are a handful of networks, and lookups happen once
 * per new host, not per packet).
 */
#ifndef FLOWDRILL_LOCALNET_H
#define FLOWDRILL_LOCALNET_H

#include <stdbool.h>
#include <stddef.h>

#include "flowdrill/flow.h"

#define LOCALNET_MAX 64

struct localnet {
    struct flow_addr net[LOCALNET_MAX]; /* masked network address */
    uint8_t bits[LOCALNET_MAX];         /* prefix length over the 128-bit form */
    size_t n;
    /* the same as two 64-bit words each, for lookups: (address & mask) == net */
    uint64_t net_w[LOCALNET_MAX][2], mask_w[LOCALNET_MAX][2];
};

void localnet_init(struct localnet *ln);

/* Parse "10.0.0.0/8", "2001:db8::/32" or a bare address (a /32 or /128) and add it.
 * Returns 0, -EINVAL for bad syntax or prefix, -ENOSPC when the list is full. */
int localnet_add_cidr(struct localnet *ln, const char *cidr);

/* Add an address with a prefix length in its own family (0..32 for IPv4, 0..128 for IPv6). */
int localnet_add(struct localnet *ln, const struct flow_addr *a, unsigned prefix);

bool localnet_contains(const struct localnet *ln, const struct flow_addr *a);

/* Format entry i as text "10.0.0.0/8". */
void localnet_format(const struct localnet *ln, size_t i, char *buf, size_t len);

#endif
