/*
 * viewbench.c - what one refresh of the screen costs on big tables: a capture is read into
 * the aggregator (as `-r` does), then each kind of view is refreshed ROUNDS times and the
 * median wall time printed. A refresh reads the live tables, sorts and keeps the selection;
 * it runs once a second (-d), so it must stay well under that.
 *
 *   bench/out/viewbench FILE.pcap [ROUNDS]
 * Built by bench/view_refresh.sh against the project's library (make bench).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flowdrill/agg.h"
#include "flowdrill/filter.h"
#include "flowdrill/packet.h"
#include "flowdrill/pcap_file.h"
#include "flowdrill/service.h"
#include "flowdrill/view.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void load(struct agg *a, const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(path);
        exit(1);
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    struct pcap_file pf;
    if (map == MAP_FAILED || pcap_file_open(&pf, map, (size_t)st.st_size) != 0) {
        fprintf(stderr, "viewbench: %s: not a classic pcap file\n", path);
        exit(1);
    }
    struct packet_stats ps;
    memset(&ps, 0, sizeof ps);
    struct pcap_file_pkt pk;
    struct flow_rec batch[64];
    size_t n = 0;
    while (pcap_file_next(&pf, &pk) == 1) {
        if (packet_decode(&ps, pf.linktype, pk.data, pk.caplen, pk.wirelen, pk.ts_us, &batch[n]))
            n++;
        if (n == 64) {
            agg_add(a, batch, n);
            n = 0;
        }
    }
    agg_add(a, batch, n);
    agg_finish(a);
    munmap(map, (size_t)st.st_size);
    close(fd);
}

/* Median ms of `rounds` refreshes of the view as it stands. */
static double time_refresh(struct view *v, const struct agg *a, int rounds)
{
    double t[64];
    for (int i = 0; i < rounds; i++) {
        double t0 = now_ms();
        view_refresh(v, a, 0);
        t[i] = now_ms() - t0;
    }
    qsort(t, (size_t)rounds, sizeof t[0], cmp_double);
    return t[rounds / 2];
}

static void row(const char *what, struct view *v, const struct agg *a, int rounds)
{
    double ms = time_refresh(v, a, rounds);
    printf("%-44s %8zu rows %9.1f ms\n", what, v->res.total, ms);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: viewbench FILE.pcap [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (rounds < 1 || rounds > 64)
        rounds = 5;
    struct agg_limits lim;
    agg_limits_default(&lim);
    struct localnet ln;
    localnet_init(&ln);
    struct service_db *svc = service_db_new(true);
    struct agg *a = agg_new(&lim, &ln, svc, 1);
    double t0 = now_ms();
    load(a, argv[1]);
    struct agg_totals tot;
    agg_totals(a, &tot);
    printf("loaded %s: %u conversations, %u hosts, %u pairs in %.0f ms\n", argv[1],
           tot.active_flows, tot.rows[AGG_T_HOST], tot.rows[AGG_T_PAIR], now_ms() - t0);

    struct view v;
    view_init(&v, svc, TOPN_SORT_RATE2);
    row("Hosts (host table)", &v, a, rounds);
    view_sort_by(&v, COL_TOTAL);
    row("Hosts by total", &v, a, rounds);
    view_set_kind(&v, VIEW_CONVS);
    row("Conversations (pair table)", &v, a, rounds);
    view_set_kind(&v, VIEW_FLOWS);
    row("Flows (conversation table)", &v, a, rounds);

    /* the busiest host's peers (pair table), then its ports (summed from conversations) */
    view_set_kind(&v, VIEW_HOSTS);
    view_refresh(&v, a, 0);
    char msg[128];
    if (v.res.n && view_drill(&v, msg, sizeof msg)) {
        row("a host's peers (pair table, scanned)", &v, a, rounds);
        view_set_kind(&v, VIEW_PORTS);
        row("a host's ports (summed from conversations)", &v, a, rounds);
        view_back(&v);
    }
    struct filter *f = NULL;
    char err[160];
    unsigned col;
    if (filter_compile("net 10.0.0.0/8 and not port 443", &f, err, sizeof err, &col) == 0) {
        view_set_filter(&v, f, "net 10.0.0.0/8 and not port 443");
        view_set_kind(&v, VIEW_HOSTS);
        row("Hosts under a filter (every conversation)", &v, a, rounds);
        view_set_kind(&v, VIEW_PORTS);
        row("Ports under a filter", &v, a, rounds);
    }
    view_free(&v);
    agg_free(a);
    service_db_free(svc);
    return 0;
}
