/*
 * pcap_source.c - libpcap capture in the libuv loop (see pcap_source.h).
 * The only file that includes <pcap.h>.
 */
#include "config.h"

#include "flowdrill/pcap_source.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/time.h>

#include <pcap/pcap.h>

#include "flowdrill/map_guard.h"
#include "flowdrill/pcap_file.h"
#include "flowdrill/xalloc.h"

#define SRC_BATCH 64
#define SRC_BUDGET_LIVE 8192  /* packets per loop callback, live */
#define SRC_BUDGET_FILE 16384 /* packets per loop callback, file */
#define SRC_LIVE_TIMER_MS 100

struct pcap_source {
    struct pcap_source_config cfg;
    char *name;
    pcap_t *p;             /* libpcap handle (live, pcapng, stdin); NULL with the own reader */
    struct pcap_file pf;   /* own zero-copy reader for classic pcap in memory */
    bool own;              /* reading through pf */
    void *map;             /* mmap of the file for pf */
    size_t map_len;
    size_t map_released;   /* bytes of the mapping already given back */
    size_t map_populated;  /* bytes of the mapping already faulted in */
    int map_fd;            /* the mapped file, kept open to notice it shrinking (fstat) */
    size_t map_checked;    /* page-aligned end up to which the file's size was last checked */
    bool shrunk;           /* the file was truncated while being read */
    pcap_t *dead;          /* compiles the filter for pf */
    struct bpf_program prog;
    bool have_prog;
    int linktype;
    struct packet_stats *stats;
    struct flow_sink sink;
    struct flow_rec batch[SRC_BATCH];
    size_t nbatch;
    uint64_t received;
    int64_t ts_offset_us;    /* added to capture timestamps (the demo is shifted to now) */
    /* pacing (realtime and memory sources) */
    bool have_pending;
    struct pcap_file_pkt pending;
    int64_t pace_wall0_us, pace_ts0_us;
    int64_t first_ts_us, last_ts_us;
    uint64_t file_size;
    /* loop */
    uv_loop_t *loop;
    uv_poll_t poll;
    uv_timer_t timer;
    uv_idle_t idle;
    bool has_poll, has_timer, has_idle;
    int open_handles;
    bool finished;
    char error[PCAP_ERRBUF_SIZE + 64]; /* why a source stopped early */
    int64_t nf_tick_sec;               /* capture second of the last collector tick */
    pcap_source_done_cb done;
    void *done_arg;
    void (*close_cb)(void *);
    void *close_arg;
};

static int64_t wall_now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static int64_t hdr_ts_us(const struct pcap_pkthdr *h)
{
    return (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
}

static void src_flush(struct pcap_source *s)
{
    flow_sink_emit(&s->sink, s->batch, s->nbatch);
    s->nbatch = 0;
}

/* A frame of a capture that carries flow exports: datagrams to an export port go to the
 * collector (their sender is the exporter, the capture time the arrival time). */
static void src_packet_exports(struct pcap_source *s, const struct pcap_file_pkt *pk)
{
    struct flow_rec *r = &s->batch[s->nbatch];
    const uint8_t *payload;
    size_t len;
    int64_t ts = pk->ts_us + s->ts_offset_us;
    if (!packet_decode_udp(s->stats, s->linktype, pk->data, pk->caplen, pk->wirelen, ts, r,
                           &payload, &len))
        return;
    if (r->proto == 17 && payload && !(r->flags & FLOW_REC_NO_PORTS)) {
        for (size_t i = 0; i < s->cfg.n_export_ports; i++) {
            if (r->dport != s->cfg.export_ports[i])
                continue;
            if (ts / 1000000 != s->nf_tick_sec) {
                nf_collector_tick(s->cfg.nf, ts);
                s->nf_tick_sec = ts / 1000000;
            }
            src_flush(s); /* keep records in time order ahead of the collector's */
            nf_collector_input(s->cfg.nf, &r->src, r->sport, payload, len, ts);
            return;
        }
    }
    r->source_id = s->cfg.source_id;
    if (++s->nbatch == SRC_BATCH)
        src_flush(s);
}

static void src_packet(struct pcap_source *s, const struct pcap_file_pkt *pk)
{
    s->received++;
    if (s->cfg.nf) {
        src_packet_exports(s, pk);
        return;
    }
    struct flow_rec *r = &s->batch[s->nbatch];
    if (packet_decode(s->stats, s->linktype, pk->data, pk->caplen, pk->wirelen,
                      pk->ts_us + s->ts_offset_us, r)) {
        r->source_id = s->cfg.source_id;
        if (++s->nbatch == SRC_BATCH)
            src_flush(s);
    }
}

static void src_pcap_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct pcap_file_pkt pk = {hdr_ts_us(h), h->caplen, h->len < h->caplen ? h->caplen : h->len,
                               bytes};
    src_packet((struct pcap_source *)user, &pk);
}

/* Next packet from whichever reader the source uses: 1, 0 at end, negative on error. */
/*
 * The mapped file may shrink under the reader (see map_guard.h). Touch the record so any
 * fault happens here, then ask the file's size again when the guard tripped, when the record
 * reaches a page not checked yet, or when its header is all zeros (what the tail of a page
 * past a new end reads as). A record that does not lie wholly inside the file is not read:
 * the reader stops at the last whole record, as for a file that ends inside a record.
 */
static int src_check_shrink(struct pcap_source *s, size_t start, const struct pcap_file_pkt *pk)
{
    if (s->map_fd < 0)
        return 0;
    const volatile uint8_t *d = pk->data;
    size_t end = s->pf.off;
    for (size_t i = 0; i < pk->caplen; i += 4096)
        (void)d[i];
    if (pk->caplen)
        (void)d[pk->caplen - 1];
    bool zero = pk->caplen == 0 && pk->wirelen == 0 && pk->ts_us == 0;
    if (!map_guard_tripped() && !zero && end <= s->map_checked)
        return 0;
    struct stat st;
    if (fstat(s->map_fd, &st) != 0)
        return 0;
    size_t size = (size_t)st.st_size;
    /* up to the end of this page (later records in it need no syscall), never past the file */
    s->map_checked = (end + 4095) & ~(size_t)4095;
    if (s->map_checked > size)
        s->map_checked = size;
    if (end <= size)
        return 0;
    s->shrunk = true;
    s->pf.off = start;
    s->pf.len = size < start ? start : size;
    snprintf(s->error, sizeof s->error,
             "the capture file shrank from %zu to %zu bytes while it was read (truncated or "
             "replaced), after its first %zu bytes",
             s->map_len, size, start);
    return -EINVAL;
}

static int src_next(struct pcap_source *s, struct pcap_file_pkt *pk)
{
    if (s->own) {
        for (;;) {
            if (s->shrunk)
                return -EINVAL;
            size_t start = s->pf.off;
            int r = pcap_file_next(&s->pf, pk);
            if (r > 0 && src_check_shrink(s, start, pk) < 0)
                r = -EINVAL;
            if (r <= 0 || !s->have_prog)
                return r;
            struct pcap_pkthdr h;
            h.ts.tv_sec = (time_t)(pk->ts_us / 1000000);
            h.ts.tv_usec = (suseconds_t)(pk->ts_us % 1000000);
            h.caplen = pk->caplen;
            h.len = pk->wirelen;
            if (pcap_offline_filter(&s->prog, &h, pk->data))
                return 1;
        }
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    int r = pcap_next_ex(s->p, &h, &data);
    if (r == PCAP_ERROR_BREAK)
        return 0;
    if (r < 0) {
        snprintf(s->error, sizeof s->error, "%s", pcap_geterr(s->p));
        return -EIO;
    }
    if (r == 0)
        return 0; /* live capture only: nothing now */
    pk->ts_us = hdr_ts_us(h);
    pk->caplen = h->caplen;
    pk->wirelen = h->len < h->caplen ? h->caplen : h->len;
    pk->data = data;
    return 1;
}

__attribute__((format(printf, 3, 4))) static void src_set_err(char *err, size_t len,
                                                                const char *fmt, ...)
{
    va_list ap;
    if (!err || !len)
        return;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

static int src_apply_filter(struct pcap_source *s, char *err, size_t errlen)
{
    if (!s->cfg.bpf || !*s->cfg.bpf)
        return 0;
    if (s->own) {
        if (!s->dead)
            s->dead = pcap_open_dead(s->pf.linktype, 262144);
        if (!s->dead || pcap_compile(s->dead, &s->prog, s->cfg.bpf, 1, PCAP_NETMASK_UNKNOWN)) {
            src_set_err(err, errlen, "bad filter expression '%s': %s; see pcap-filter(7)",
                        s->cfg.bpf, s->dead ? pcap_geterr(s->dead) : "no memory");
            return s->dead ? PCAP_SOURCE_EFILTER : PCAP_SOURCE_EIO;
        }
        s->have_prog = true;
        return 0;
    }
    struct bpf_program prog;
    if (pcap_compile(s->p, &prog, s->cfg.bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        src_set_err(err, errlen, "bad filter expression '%s': %s; see pcap-filter(7)",
                    s->cfg.bpf, pcap_geterr(s->p));
        return PCAP_SOURCE_EFILTER;
    }
    int r = pcap_setfilter(s->p, &prog);
    pcap_freecode(&prog);
    if (r != 0) {
        src_set_err(err, errlen, "cannot apply filter '%s': %s", s->cfg.bpf, pcap_geterr(s->p));
        return PCAP_SOURCE_EINVAL;
    }
    return 0;
}

static int src_open_live(struct pcap_source *s, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    s->p = pcap_create(s->name, ebuf);
    if (!s->p) {
        src_set_err(err, errlen, "cannot capture on %s: %s", s->name, ebuf);
        return PCAP_SOURCE_EIO;
    }
    pcap_set_snaplen(s->p, (int)s->cfg.snaplen);
    pcap_set_promisc(s->p, s->cfg.promisc);
    pcap_set_timeout(s->p, SRC_LIVE_TIMER_MS);
    if (s->cfg.buffer_kib)
        pcap_set_buffer_size(s->p, (int)(s->cfg.buffer_kib * 1024u));
    int r = pcap_activate(s->p);
    if (r < 0) {
        const char *why = pcap_geterr(s->p);
        switch (r) {
        case PCAP_ERROR_PERM_DENIED:
        case PCAP_ERROR_PROMISC_PERM_DENIED:
            src_set_err(err, errlen,
                        "no permission to capture on %s (%s); need root or CAP_NET_RAW: try "
                        "sudo, or --demo, or -r FILE",
                        s->name, why);
            return PCAP_SOURCE_EPERM;
        case PCAP_ERROR_NO_SUCH_DEVICE:
            src_set_err(err, errlen,
                        "no such interface '%s' (%s); list interfaces with 'ip link'", s->name,
                        why);
            return PCAP_SOURCE_ENODEV;
        case PCAP_ERROR_IFACE_NOT_UP:
            src_set_err(err, errlen, "interface %s is down; bring it up with 'ip link set "
                        "dev %s up'", s->name, s->name);
            return PCAP_SOURCE_ENODEV;
        default:
            src_set_err(err, errlen, "cannot capture on %s: %s", s->name, why);
            return PCAP_SOURCE_EIO;
        }
    }
    char e2[PCAP_ERRBUF_SIZE];
    if (pcap_setnonblock(s->p, 1, e2) != 0) {
        src_set_err(err, errlen, "cannot capture on %s: %s", s->name, e2);
        return PCAP_SOURCE_EIO;
    }
    if (pcap_get_selectable_fd(s->p) < 0) {
        src_set_err(err, errlen, "cannot capture on %s: %s", s->name,
                    "no selectable file descriptor");
        return PCAP_SOURCE_EIO;
    }
    return 0;
}

/* Map a regular file and use the own reader when it is a classic pcap; else leave it to
 * libpcap (pcapng, compressed, special files). */
static int src_map_classic(struct pcap_source *s, const struct stat *st)
{
    if (!S_ISREG(st->st_mode) || st->st_size < 24)
        return -1;
    int fd = open(s->name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    void *m = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED || map_guard_arm(m, (size_t)st->st_size) != 0) {
        if (m != MAP_FAILED)
            munmap(m, (size_t)st->st_size);
        close(fd);
        return -1;
    }
    if (pcap_file_open(&s->pf, m, (size_t)st->st_size) != 0) {
        map_guard_disarm();
        munmap(m, (size_t)st->st_size);
        close(fd);
        return -1;
    }
    /* a file that grows meanwhile is read as it was when opened: the mapping's length */
    s->map_fd = fd;
    madvise(m, (size_t)st->st_size, MADV_SEQUENTIAL);
    madvise(m, (size_t)st->st_size, MADV_WILLNEED);
    s->map = m;
    s->map_len = (size_t)st->st_size;
    s->own = true;
    return 0;
}

static int src_open_file(struct pcap_source *s, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    if (s->cfg.kind == PCAP_SOURCE_MEMORY && pcap_file_open(&s->pf, s->cfg.data,
                                                            s->cfg.data_len) == 0) {
        s->own = true;
        s->file_size = s->cfg.data_len;
        return 0;
    }
    if (s->cfg.kind == PCAP_SOURCE_MEMORY) {
        FILE *fp = fmemopen((void *)(uintptr_t)s->cfg.data, s->cfg.data_len, "rb");
        if (!fp) {
            src_set_err(err, errlen, "cannot open the embedded capture: %s", strerror(errno));
            return PCAP_SOURCE_EIO;
        }
        s->p = pcap_fopen_offline(fp, ebuf);
        if (!s->p) {
            fclose(fp);
            src_set_err(err, errlen, "embedded capture unreadable: %s", ebuf);
            return PCAP_SOURCE_EINVAL;
        }
        s->file_size = s->cfg.data_len;
        return 0;
    }
    if (strcmp(s->name, "-") != 0) {
        struct stat st;
        if (stat(s->name, &st) != 0) {
            src_set_err(err, errlen, "cannot read '%s': %s", s->name, strerror(errno));
            return PCAP_SOURCE_ENOENT;
        }
        if (S_ISDIR(st.st_mode)) {
            src_set_err(err, errlen, "cannot read '%s': %s; give a pcap or pcapng file", s->name,
                        "it is a directory");
            return PCAP_SOURCE_EINVAL;
        }
        s->file_size = (uint64_t)st.st_size;
        if (src_map_classic(s, &st) == 0)
            return 0;
    }
    s->p = pcap_open_offline_with_tstamp_precision(s->name, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
    if (!s->p) {
        int e = errno;
        if (e == EACCES) {
            src_set_err(err, errlen, "cannot read '%s': %s", s->name, strerror(e));
            return PCAP_SOURCE_ENOENT;
        }
        src_set_err(err, errlen, "'%s' is not a capture file libpcap can read: %s", s->name,
                    ebuf);
        return PCAP_SOURCE_EINVAL;
    }
    return 0;
}

static void src_free(struct pcap_source *s)
{
    if (s->p)
        pcap_close(s->p);
    if (s->have_prog)
        pcap_freecode(&s->prog);
    if (s->dead)
        pcap_close(s->dead);
    if (s->map) {
        map_guard_disarm();
        munmap(s->map, s->map_len);
    }
    if (s->map_fd >= 0)
        close(s->map_fd);
    free(s->name);
    free(s);
}

int pcap_source_open(struct pcap_source **out, const struct pcap_source_config *cfg,
                     struct packet_stats *stats, struct flow_sink sink, char *err, size_t errlen)
{
    struct pcap_source *s = xcalloc(1, sizeof *s);
    s->map_fd = -1;
    s->cfg = *cfg;
    s->name = xstrdup(cfg->name ? cfg->name : "?");
    s->stats = stats;
    s->sink = sink;
    int r = cfg->kind == PCAP_SOURCE_LIVE ? src_open_live(s, err, errlen)
                                          : src_open_file(s, err, errlen);
    if (r == 0)
        r = src_apply_filter(s, err, errlen);
    if (r == 0) {
        s->linktype = s->own ? s->pf.linktype : pcap_datalink(s->p);
        if (!packet_linktype_supported(s->linktype)) {
            const char *n = pcap_datalink_val_to_name(s->linktype);
            /* pcap_datalink_val_to_name knows the DLT_ names of LINKTYPE_ values too */
            char num[16];
            snprintf(num, sizeof num, "%d", s->linktype);
            src_set_err(err, errlen, "%s: link type %s is not supported", s->name, n ? n : num);
            r = PCAP_SOURCE_EINVAL;
        }
    }
    if (r != 0) {
        src_free(s);
        *out = NULL;
        return r;
    }
    *out = s;
    return 0;
}

/* ---- delivery ---- */

static void src_finish(struct pcap_source *s, int status)
{
    if (s->finished)
        return;
    s->finished = true;
    src_flush(s);
    if (s->has_idle)
        uv_idle_stop(&s->idle);
    if (s->has_timer)
        uv_timer_stop(&s->timer);
    if (s->has_poll)
        uv_poll_stop(&s->poll);
    if (s->done)
        s->done(s, status, s->done_arg);
}

/* Give back the pages of the mapping already read: they stay in the page cache, but not in
 * our resident set, so reading a 10 GB file costs no more memory than a small one. */
static void src_release_mapped(struct pcap_source *s)
{
    if (!s->map)
        return;
    size_t done = s->pf.off & ~((size_t)(1u << 20) - 1);
    if (done > s->map_released) {
        madvise((uint8_t *)s->map + s->map_released, done - s->map_released, MADV_DONTNEED);
        s->map_released = done;
    }
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

/* Map the pages ahead of the reader in one call instead of one fault per few pages. */
static void src_populate_ahead(struct pcap_source *s)
{
    const size_t window = (size_t)8 << 20;
    if (!s->map || s->map_populated >= s->map_len || s->pf.off + window / 2 < s->map_populated)
        return;
    size_t from = s->map_populated, to = from + window;
    if (to > s->map_len)
        to = s->map_len;
    /* an old kernel without MADV_POPULATE_READ just faults the pages in as before */
    madvise((uint8_t *)s->map + from, to - from, MADV_POPULATE_READ);
    s->map_populated = to;
}

static void src_on_idle(uv_idle_t *h)
{
    struct pcap_source *s = h->data;
    if (s->own) {
        src_populate_ahead(s);
        struct pcap_file_pkt pk;
        for (int n = 0; n < SRC_BUDGET_FILE; n++) {
            int r = src_next(s, &pk);
            if (r <= 0) {
                src_finish(s, r == 0 ? 0 : PCAP_SOURCE_ETRUNC);
                return;
            }
            src_packet(s, &pk);
        }
        src_flush(s);
        src_release_mapped(s);
        return;
    }
    int n = pcap_dispatch(s->p, SRC_BUDGET_FILE, src_pcap_cb, (u_char *)s);
    src_flush(s);
    if (n == 0 || n == PCAP_ERROR_BREAK) {
        src_finish(s, 0);
    } else if (n < 0) {
        snprintf(s->error, sizeof s->error, "%s", pcap_geterr(s->p));
        src_finish(s, PCAP_SOURCE_EIO);
    }
}

static void src_live_drain(struct pcap_source *s)
{
    if (s->finished)
        return;
    int n = pcap_dispatch(s->p, SRC_BUDGET_LIVE, src_pcap_cb, (u_char *)s);
    src_flush(s);
    if (n == PCAP_ERROR) {
        snprintf(s->error, sizeof s->error, "%s", pcap_geterr(s->p));
        src_finish(s, PCAP_SOURCE_EIO);
    }
}

static void src_on_poll(uv_poll_t *h, int status, int events)
{
    (void)events;
    struct pcap_source *s = h->data;
    if (status < 0) {
        src_finish(s, PCAP_SOURCE_EIO);
        return;
    }
    src_live_drain(s);
}

static void src_on_live_timer(uv_timer_t *h)
{
    src_live_drain(h->data);
}

/* Reopen the in-memory capture for another lap, shifted so it continues from now. */
static int src_rewind_memory(struct pcap_source *s)
{
    char ebuf[PCAP_ERRBUF_SIZE];
    if (s->own) {
        pcap_file_rewind(&s->pf);
        return 0;
    }
    pcap_close(s->p);
    s->p = NULL;
    FILE *fp = fmemopen((void *)(uintptr_t)s->cfg.data, s->cfg.data_len, "rb");
    if (!fp)
        return -1;
    s->p = pcap_fopen_offline(fp, ebuf);
    if (!s->p) {
        fclose(fp);
        return -1;
    }
    if (s->cfg.bpf && *s->cfg.bpf && src_apply_filter(s, NULL, 0) != 0)
        return -1;
    return 0;
}

/* Paced delivery: hand over every packet whose time has come, then sleep until the next. */
static void src_on_pace(uv_timer_t *h)
{
    struct pcap_source *s = h->data;
    int64_t now = wall_now_us();
    for (int n = 0; n < SRC_BUDGET_FILE; n++) {
        if (!s->have_pending) {
            int r = src_next(s, &s->pending);
            if (r == 0) { /* end of capture */
                if (s->cfg.kind == PCAP_SOURCE_MEMORY && s->received) {
                    src_flush(s);
                    if (src_rewind_memory(s) != 0) {
                        src_finish(s, PCAP_SOURCE_EIO);
                        return;
                    }
                    /* next lap starts one second after this one ended */
                    s->pace_wall0_us = now + 1000000;
                    s->pace_ts0_us = -1;
                    continue;
                }
                src_finish(s, 0);
                return;
            }
            if (r < 0) {
                src_finish(s, PCAP_SOURCE_ETRUNC);
                return;
            }
            s->have_pending = true;
            if (s->pace_ts0_us < 0) {
                s->pace_ts0_us = s->pending.ts_us;
                if (s->cfg.kind == PCAP_SOURCE_MEMORY)
                    s->ts_offset_us = s->pace_wall0_us - s->pending.ts_us;
            }
        }
        int64_t due = s->pace_wall0_us + (s->pending.ts_us - s->pace_ts0_us);
        if (due > now) {
            src_flush(s);
            int64_t wait_ms = (due - now) / 1000 + 1;
            if (wait_ms > 200)
                wait_ms = 200;
            uv_timer_start(&s->timer, src_on_pace, (uint64_t)wait_ms, 0);
            return;
        }
        s->have_pending = false;
        src_packet(s, &s->pending);
    }
    src_flush(s);
    uv_timer_start(&s->timer, src_on_pace, 1, 0);
}

int pcap_source_start(struct pcap_source *s, uv_loop_t *loop, pcap_source_done_cb done,
                      void *arg)
{
    s->loop = loop;
    s->done = done;
    s->done_arg = arg;
    int r;
    if (s->cfg.kind == PCAP_SOURCE_LIVE) {
        if ((r = uv_poll_init(loop, &s->poll, pcap_get_selectable_fd(s->p))) != 0)
            return r;
        s->has_poll = true;
        s->open_handles++;
        s->poll.data = s;
        uv_timer_init(loop, &s->timer);
        s->has_timer = true;
        s->open_handles++;
        s->timer.data = s;
        uv_poll_start(&s->poll, UV_READABLE, src_on_poll);
        uv_timer_start(&s->timer, src_on_live_timer, SRC_LIVE_TIMER_MS, SRC_LIVE_TIMER_MS);
        return 0;
    }
    if (s->cfg.kind == PCAP_SOURCE_MEMORY || s->cfg.realtime) {
        uv_timer_init(loop, &s->timer);
        s->has_timer = true;
        s->open_handles++;
        s->timer.data = s;
        s->pace_wall0_us = wall_now_us();
        s->pace_ts0_us = -1;
        uv_timer_start(&s->timer, src_on_pace, 0, 0);
        return 0;
    }
    uv_idle_init(loop, &s->idle);
    s->has_idle = true;
    s->open_handles++;
    s->idle.data = s;
    uv_idle_start(&s->idle, src_on_idle);
    return 0;
}

void pcap_source_counters(struct pcap_source *s, uint64_t *received, uint64_t *kernel_drop,
                          uint64_t *if_drop)
{
    *received = s->received;
    *kernel_drop = *if_drop = 0;
    if (s->cfg.kind == PCAP_SOURCE_LIVE && s->p) {
        struct pcap_stat ps;
        if (pcap_stats(s->p, &ps) == 0) {
            *kernel_drop = ps.ps_drop;
            *if_drop = ps.ps_ifdrop;
        }
    }
}

const char *pcap_source_error(const struct pcap_source *s)
{
    if (s->error[0])
        return s->error;
    return "the capture ends inside a packet record (truncated or corrupt file)";
}

void pcap_source_progress(struct pcap_source *s, uint64_t *done, uint64_t *total)
{
    *done = 0;
    *total = s->file_size;
    if (s->own) {
        *done = s->pf.off;
        return;
    }
    if (s->p && s->cfg.kind != PCAP_SOURCE_LIVE) {
        FILE *fp = pcap_file(s->p);
        long pos = fp ? ftell(fp) : -1;
        if (pos > 0)
            *done = (uint64_t)pos;
    }
}

static void src_handle_closed(uv_handle_t *h)
{
    struct pcap_source *s = h->data;
    if (--s->open_handles > 0)
        return;
    void (*cb)(void *) = s->close_cb;
    void *arg = s->close_arg;
    src_free(s);
    if (cb)
        cb(arg);
}

void pcap_source_close(struct pcap_source *s, void (*cb)(void *), void *arg)
{
    s->close_cb = cb;
    s->close_arg = arg;
    s->finished = true;
    if (!s->open_handles) { /* never started: nothing to wait for */
        src_free(s);
        if (cb)
            cb(arg);
        return;
    }
    if (s->has_poll)
        uv_close((uv_handle_t *)&s->poll, src_handle_closed);
    if (s->has_timer)
        uv_close((uv_handle_t *)&s->timer, src_handle_closed);
    if (s->has_idle)
        uv_close((uv_handle_t *)&s->idle, src_handle_closed);
}

/* ---- interfaces ---- */

static unsigned mask_bits(const uint8_t *m, size_t n)
{
    unsigned bits = 0;
    for (size_t i = 0; i < n; i++)
        for (int b = 7; b >= 0; b--)
            if (m[i] & (1u << b))
                bits++;
    return bits;
}

int pcap_source_iface_networks(const char *iface, struct localnet *ln)
{
    struct ifaddrs *ifa, *i;
    int added = 0;
    if (getifaddrs(&ifa) != 0)
        return 0;
    for (i = ifa; i; i = i->ifa_next) {
        if (!i->ifa_addr || !i->ifa_netmask || strcmp(i->ifa_name, iface) != 0)
            continue;
        struct flow_addr a;
        unsigned bits;
        if (i->ifa_addr->sa_family == AF_INET) {
            const struct sockaddr_in *sa = (const void *)i->ifa_addr;
            const struct sockaddr_in *nm = (const void *)i->ifa_netmask;
            flow_addr_set_v4(&a, (const uint8_t *)&sa->sin_addr);
            bits = mask_bits((const uint8_t *)&nm->sin_addr, 4);
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            const struct sockaddr_in6 *sa = (const void *)i->ifa_addr;
            const struct sockaddr_in6 *nm = (const void *)i->ifa_netmask;
            flow_addr_set_v6(&a, sa->sin6_addr.s6_addr);
            bits = mask_bits(nm->sin6_addr.s6_addr, 16);
        } else {
            continue;
        }
        if (localnet_add(ln, &a, bits) == 0)
            added++;
    }
    freeifaddrs(ifa);
    return added;
}

int pcap_source_default_iface(char *buf, size_t len)
{
    FILE *f = fopen("/proc/net/route", "r");
    if (f) {
        char line[256], name[64];
        unsigned long dest, gw, flags;
        while (fgets(line, sizeof line, f)) {
            if (sscanf(line, "%63s %lx %lx %lx", name, &dest, &gw, &flags) == 4 && dest == 0 &&
                (flags & 1)) {
                snprintf(buf, len, "%s", name);
                fclose(f);
                return 0;
            }
        }
        fclose(f);
    }
    pcap_if_t *all = NULL;
    char ebuf[PCAP_ERRBUF_SIZE];
    int r = -ENODEV;
    if (pcap_findalldevs(&all, ebuf) == 0) {
        for (pcap_if_t *d = all; d; d = d->next) {
            if ((d->flags & PCAP_IF_LOOPBACK) || !(d->flags & PCAP_IF_UP) ||
                strcmp(d->name, "any") == 0)
                continue;
            snprintf(buf, len, "%s", d->name);
            r = 0;
            break;
        }
        pcap_freealldevs(all);
    }
    return r;
}
