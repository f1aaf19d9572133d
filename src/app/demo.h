/*
 * demo.h - the embedded demo capture (data/demo.pcap compiled into the program), replayed
 * by --demo at its recorded pace, looping, so the tool can be tried with no traffic and no
 * privileges. The bytes are generated into the build from data/demo.pcap.
 */
#ifndef FLOWDRILL_DEMO_H
#define FLOWDRILL_DEMO_H

#include <stddef.h>

extern const unsigned char demo_pcap[];
extern const size_t demo_pcap_len;

/* The local networks of the demo's synthetic office. */
extern const char *const demo_local_nets[];

#endif
