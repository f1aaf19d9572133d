/*
 * udp_listener.c - flow exports over UDP into an nf_collector (see udp_listener.h).
 */
#include "config.h"

#include "flowdrill/udp_listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "flowdrill/xalloc.h"

#define UDP_CHUNK (64 * 1024)  /* one datagram at most (libuv's recvmmsg slot size) */
#define UDP_SLOTS 32           /* datagrams per recvmmsg call */

struct udp_listener {
    uv_udp_t udp;
    struct nf_collector *nf;
    const struct localnet *allow;
    char *buf; /* UDP_SLOTS * UDP_CHUNK, reused for every receive */
    struct udp_listener_stats st;
    void (*close_cb)(void *);
    void *close_arg;
};

static int64_t udp_now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static void udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct udp_listener *l = h->data;
    (void)suggested;
    /* one buffer for the whole batch; libuv hands it back chunk by chunk */
    *buf = uv_buf_init(l->buf, UDP_SLOTS * UDP_CHUNK);
}

static void udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
                     const struct sockaddr *addr, unsigned flags)
{
    struct udp_listener *l = h->data;
    if (flags & UV_UDP_MMSG_FREE)
        return; /* the buffer is ours and reused */
    if (nread < 0 || addr == NULL)
        return; /* an error on the socket, or nothing more to read right now */
    if (flags & UV_UDP_PARTIAL) {
        l->st.truncated++;
        return;
    }
    struct flow_addr from;
    uint16_t port;
    if (addr->sa_family == AF_INET) {
        const struct sockaddr_in *a4 = (const struct sockaddr_in *)addr;
        flow_addr_set_v4(&from, (const uint8_t *)&a4->sin_addr);
        port = ntohs(a4->sin_port);
    } else if (addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)addr;
        flow_addr_set_v6(&from, a6->sin6_addr.s6_addr); /* v4 senders arrive v4-mapped */
        port = ntohs(a6->sin6_port);
    } else {
        return;
    }
    if (l->allow && l->allow->n && !localnet_contains(l->allow, &from)) {
        l->st.rejected++;
        return;
    }
    l->st.datagrams++;
    nf_collector_input(l->nf, &from, port, (const uint8_t *)buf->base, (size_t)nread,
                       udp_now_us());
}

int udp_listener_open(struct udp_listener **out, uv_loop_t *loop,
                      const struct udp_listener_config *cfg, struct nf_collector *nf, char *err,
                      size_t errlen)
{
    struct sockaddr_storage sa;
    int r = udp_listener_parse(cfg->spec, &sa, err, errlen);
    if (r)
        return UV_EINVAL;
    struct udp_listener *l = xcalloc(1, sizeof *l);
    l->nf = nf;
    l->allow = cfg->allow;
    l->buf = xmalloc(UDP_SLOTS * UDP_CHUNK);
    r = uv_udp_init_ex(loop, &l->udp, (unsigned)sa.ss_family | UV_UDP_RECVMMSG);
    if (r) {
        snprintf(err, errlen, "cannot create a UDP socket: %s", uv_strerror(r));
        free(l->buf);
        free(l);
        return r;
    }
    l->udp.data = l;
    *out = l;
    /* dual stack on "::" so -l PORT takes IPv4 and IPv6 exporters alike */
    r = uv_udp_bind(&l->udp, (const struct sockaddr *)&sa, 0);
    if (r == 0 && cfg->rcvbuf) {
        int v = (int)cfg->rcvbuf;
        uv_recv_buffer_size((uv_handle_t *)&l->udp, &v);
    }
    if (r == 0)
        r = uv_udp_recv_start(&l->udp, udp_alloc, udp_recv);
    if (r) {
        unsigned port = ntohs(((struct sockaddr_in *)&sa)->sin_port);
        if (r == UV_EADDRINUSE)
            snprintf(err, errlen,
                     "-l %s: port %u is already in use (another collector running?); choose "
                     "another port",
                     cfg->spec, port);
        else if (r == UV_EACCES)
            snprintf(err, errlen,
                     "-l %s: port %u needs root or CAP_NET_BIND_SERVICE; use a port above 1023",
                     cfg->spec, port);
        else if (r == UV_EADDRNOTAVAIL)
            snprintf(err, errlen, "-l %s: this machine has no such address", cfg->spec);
        else
            snprintf(err, errlen, "-l %s: %s", cfg->spec, uv_strerror(r));
        udp_listener_close(l, NULL, NULL);
        *out = NULL;
        return r;
    }
    int v = 0;
    if (uv_recv_buffer_size((uv_handle_t *)&l->udp, &v) == 0)
        l->st.rcvbuf = (size_t)v;
    return 0;
}

/* The kernel's drop counter for our socket: the "drops" column of /proc/net/udp{,6}. */
static uint64_t udp_kernel_drops(struct udp_listener *l)
{
    uv_os_fd_t fd;
    struct stat st;
    if (uv_fileno((uv_handle_t *)&l->udp, &fd) != 0 || fstat(fd, &st) != 0)
        return l->st.kernel_drop;
    const char *files[] = {"/proc/net/udp", "/proc/net/udp6"};
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(files[i], "r");
        if (!f)
            continue;
        char line[512];
        while (fgets(line, sizeof line, f)) {
            unsigned long inode = 0;
            unsigned long long drops = 0;
            /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops */
            if (sscanf(line, " %*s %*s %*s %*s %*s %*s %*s %*s %*s %lu %*s %*s %llu", &inode,
                       &drops) == 2 &&
                inode == (unsigned long)st.st_ino) {
                fclose(f);
                return drops;
            }
        }
        fclose(f);
    }
    return l->st.kernel_drop;
}

void udp_listener_stats(struct udp_listener *l, struct udp_listener_stats *st)
{
    l->st.kernel_drop = udp_kernel_drops(l);
    *st = l->st;
}

static void udp_closed(uv_handle_t *h)
{
    struct udp_listener *l = h->data;
    void (*cb)(void *) = l->close_cb;
    void *arg = l->close_arg;
    free(l->buf);
    free(l);
    if (cb)
        cb(arg);
}

void udp_listener_close(struct udp_listener *l, void (*cb)(void *), void *arg)
{
    l->close_cb = cb;
    l->close_arg = arg;
    uv_udp_recv_stop(&l->udp);
    uv_close((uv_handle_t *)&l->udp, udp_closed);
}
