/*
 * demo.c - what the demo needs besides its bytes (which are generated into demo_pcap.c).
 */
#include "config.h"

#include "demo.h"

#include <stddef.h>

/* The synthetic office of data/demo.pcap (tools/trafficgen --profile demo). */
const char *const demo_local_nets[] = {"10.0.0.0/8", "fd00::/8", NULL};
