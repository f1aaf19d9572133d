/*
 * udp_listener.h - a UDP socket on the libuv loop receiving flow exports (NetFlow v5, v9,
 * IPFIX on one port, told apart by the version field) for an nf_collector.
 *
 * Receives in batches (recvmmsg through UV_UDP_RECVMMSG), drops datagrams from senders
 * outside the allow list before any state is created, drops and counts datagrams larger
 * than the receive buffer, and reads the kernel's drop counter for the socket from
 * /proc/net/udp{,6}. Lifecycle: udp_listener_open (binds: needs privileges below port 1024),
 * udp_listener_close (asynchronous; frees in the close callback).
 */
#ifndef FLOWDRILL_UDP_LISTENER_H
#define FLOWDRILL_UDP_LISTENER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <uv.h>

#include "flowdrill/localnet.h"
#include "flowdrill/nf.h"

/*
 * Parse "[ADDR:]PORT": "2055" (every IPv4 and IPv6 address), "127.0.0.1:2055",
 * "[::1]:2055". Returns 0, or -EINVAL with a message naming the problem in err.
 */
int udp_listener_parse(const char *spec, struct sockaddr_storage *out, char *err, size_t errlen);

struct udp_listener_config {
    const char *spec;            /* as given to -l */
    size_t rcvbuf;               /* SO_RCVBUF to ask for, 0 = leave the system default */
    const struct localnet *allow; /* borrowed; NULL or empty = accept every sender */
};

struct udp_listener_stats {
    uint64_t datagrams;   /* received and handed to the collector */
    uint64_t rejected;    /* senders outside the allow list */
    uint64_t truncated;   /* larger than the receive buffer */
    uint64_t kernel_drop; /* the socket's drop counter (receive buffer overflow) */
    size_t rcvbuf;        /* receive buffer the kernel actually gave */
};

struct udp_listener;

/* Bind and start receiving into `nf` (borrowed). On failure returns a negative libuv error
 * and writes one line (without the program name) naming the problem and the fix into err. */
int udp_listener_open(struct udp_listener **out, uv_loop_t *loop,
                      const struct udp_listener_config *cfg, struct nf_collector *nf, char *err,
                      size_t errlen);

void udp_listener_stats(struct udp_listener *l, struct udp_listener_stats *st);

/* Close; `cb` (may be NULL) runs after the handle is closed and the listener freed. */
void udp_listener_close(struct udp_listener *l, void (*cb)(void *arg), void *arg);

#endif
