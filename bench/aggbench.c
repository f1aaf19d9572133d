/*
 * aggbench.c - what the aggregator costs per flow-export record, without sockets or decoding:
 * synthetic export records are fed to agg_add in datagram-sized batches, the way the collector
 * hands them over, and the CPU time per record is timed once the tables are full.
 *
 *   bench/aggbench [PROFILE [ROUNDS [RECORDS]]]
 *
 * PROFILE
 *   flood  bench/flowgen.c's traffic: 65,536 clients x 1,000 servers picked uniformly, an
 *          ephemeral port per record. Nearly every record is a new conversation and a new host
 *          pair, so every table that has one evicts on every record: the worst case.
 *   zipf   clients and servers drawn from Zipf(1) popularity (20,000 clients, 5,000 servers):
 *          the same hosts and pairs come back, most conversations are still new.
 *   spoof  a flood from spoofed sources: clients drawn from 16 M addresses, so nearly every
 *          record brings a new host too, and the host table is full and folds.
 *   both   (default) flood, then zipf.
 * ROUNDS   runs per profile (default 5); the median is printed.
 * RECORDS  records per run (default 3,000,000); the first third fills the tables and is not
 *          timed. Data time advances 500,000 records per second.
 *
 * With AGGBENCH_DETECT=1 in the environment every batch goes through the threat detectors
 * first (detect_add, then agg_add: the program's sink), with their default configuration, so
 * the two runs tell what the detectors cost per record (bench/detect.sh); the detectors'
 * memory, evictions and alerts are printed after each run, and the process's peak RSS at the
 * end.
 *
 * Built by `make bench` against the project's library (EXTRA_PROGRAMS).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "flowdrill/agg.h"
#include "flowdrill/detect.h"
#include "flowdrill/flow.h"
#include "flowdrill/localnet.h"
#include "flowdrill/service.h"

#define PER_SEC 500000u /* records per data second */
#define BATCH 30         /* records per datagram (v5, v9) */
#define T0 1700000000u

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Zipf(1) over [0, n): inverse of the cumulative weights, by binary search */
struct zipf {
    double *cdf;
    uint32_t n;
};

static void zipf_init(struct zipf *z, uint32_t n)
{
    z->n = n;
    z->cdf = malloc(n * sizeof *z->cdf);
    if (!z->cdf)
        abort();
    double s = 0;
    for (uint32_t i = 0; i < n; i++)
        z->cdf[i] = (s += 1.0 / (i + 1));
    for (uint32_t i = 0; i < n; i++)
        z->cdf[i] /= s;
}

static uint32_t zipf_draw(const struct zipf *z, uint64_t r)
{
    double u = (double)(r >> 11) / 9007199254740992.0;
    uint32_t lo = 0, hi = z->n - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (z->cdf[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const uint16_t tcp_ports[] = {443, 443, 443, 443, 80, 80, 22, 25, 993, 8080, 3306, 5432};
static const uint16_t udp_ports[] = {53, 53, 443, 123, 514, 5060, 1194, 4500};

enum profile_kind { P_FLOOD, P_ZIPF, P_SPOOF };

static void make_rec(struct flow_rec *r, uint64_t *rng, uint32_t sec, enum profile_kind kind_p,
                     const struct zipf *zc, const struct zipf *zs)
{
    uint64_t a = rng_next(rng), b = rng_next(rng);
    uint32_t client, server;
    if (kind_p == P_ZIPF) {
        client = zipf_draw(zc, rng_next(rng));
        server = zipf_draw(zs, rng_next(rng));
    } else if (kind_p == P_SPOOF) {
        client = (uint32_t)(b >> 8) & 0xffffff;
        server = (uint32_t)((a >> 16) % 1000);
    } else {
        client = (uint32_t)(a & 0xffff);
        server = (uint32_t)((a >> 16) % 1000);
    }
    uint32_t kind = (uint32_t)((a >> 26) & 0xff);
    int to_server = (a >> 34) & 1;
    uint8_t cli[4] = {10, (uint8_t)(client >> 16), (uint8_t)(client >> 8), (uint8_t)client};
    uint8_t srv[4] = {198, (uint8_t)(18 + (server >> 16)), (uint8_t)(server >> 8),
                      (uint8_t)server};
    uint16_t cli_port = (uint16_t)(32768 + (a >> 35) % 28232), srv_port;
    memset(r, 0, sizeof *r);
    if (kind < 200) {
        r->proto = 6;
        srv_port = tcp_ports[(b >> 8) % (sizeof tcp_ports / sizeof tcp_ports[0])];
        r->tcp_flags = 0x1b;
    } else if (kind < 250) {
        r->proto = 17;
        srv_port = udp_ports[(b >> 8) % (sizeof udp_ports / sizeof udp_ports[0])];
    } else {
        r->proto = 1;
        srv_port = cli_port = 0;
    }
    r->af = FLOW_AF_INET;
    flow_addr_set_v4(&r->src, to_server ? cli : srv);
    flow_addr_set_v4(&r->dst, to_server ? srv : cli);
    r->sport = to_server ? cli_port : srv_port;
    r->dport = to_server ? srv_port : cli_port;
    uint32_t p = (uint32_t)(b >> 48);
    r->packets = (p & 0xc000) ? 1 + (p & 15) : 1 + (p & 0x3fff);
    r->bytes = r->packets * (40 + (uint32_t)((b >> 12) % 1461));
    uint32_t dur = (uint32_t)((b >> 40) % 60000);
    int64_t last = (int64_t)sec * 1000000 - (int64_t)((b >> 20) % 1000) * 1000;
    r->last_us = last;
    r->first_us = last - (int64_t)dur * 1000;
    r->in_if = to_server ? 1 : 2;
    r->out_if = to_server ? 2 : 1;
    r->sampling = 1;
    r->flags = FLOW_REC_EXPORTED;
    r->direction = FLOW_DIR_UNKNOWN;
    static const uint8_t exporter[4] = {127, 0, 0, 1};
    flow_addr_set_v4(&r->exporter, exporter);
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* One run: ns per timed record. */
static double run(const struct flow_rec *recs, size_t n, const struct service_db *svc,
                  const struct localnet *ln)
{
    struct agg_limits lim;
    agg_limits_default(&lim);
    struct agg *a = agg_new(&lim, ln, svc, 42);
    struct detect *d = NULL;
    const char *dv = getenv("AGGBENCH_DETECT");
    if (dv && *dv == '1') {
        struct detect_config dc;
        detect_config_default(&dc);
        d = detect_new(&dc, 43);
    }
    size_t warm = n / 3;
    double t0 = 0, start = cpu_s();
    for (size_t i = 0; i < n; i += BATCH) {
        if (i >= warm && t0 == 0)
            t0 = cpu_s();
        size_t m = n - i < BATCH ? n - i : BATCH;
        if (d)
            detect_add(d, recs + i, m);
        agg_add(a, recs + i, m);
    }
    agg_flush(a);
    double end = cpu_s(), t = end - t0;
    struct agg_totals tot;
    agg_totals(a, &tot);
    printf("  rows: hosts %u pairs %u conversations %u; evicted: pairs %llu conversations "
           "%llu; folded: pairs %llu conversations %llu\n",
           tot.rows[AGG_T_HOST], tot.rows[AGG_T_PAIR], tot.rows[AGG_T_FLOW],
           (unsigned long long)tot.evicted[AGG_T_PAIR],
           (unsigned long long)tot.evicted[AGG_T_FLOW],
           (unsigned long long)tot.folded[AGG_T_PAIR], (unsigned long long)tot.folded[AGG_T_FLOW]);
    /* the whole run too: what goes wrong while tables fill is not in the timed part */
    printf("  whole run, filling included: %.2f s CPU\n", end - start);
    if (d) {
        struct detect_stats ds;
        detect_stats(d, &ds);
        printf("  detectors: %zu bytes; evicted scan %llu sweep %llu flood %llu unfamiliar "
               "%llu talker %llu; %llu alerts\n",
               ds.memory, (unsigned long long)ds.evicted[DETECT_PORT_SCAN],
               (unsigned long long)ds.evicted[DETECT_HOST_SWEEP],
               (unsigned long long)ds.evicted[DETECT_SYN_FLOOD],
               (unsigned long long)ds.evicted[DETECT_UNFAMILIAR],
               (unsigned long long)ds.evicted[DETECT_TALKER], (unsigned long long)ds.raised);
        detect_free(d);
    }
    agg_free(a);
    return t * 1e9 / (double)(n - warm);
}

static void profile(const char *name, int rounds, size_t n, const struct service_db *svc,
                    const struct localnet *ln)
{
    enum profile_kind kind = !strcmp(name, "zipf")    ? P_ZIPF
                             : !strcmp(name, "spoof") ? P_SPOOF
                                                      : P_FLOOD;
    struct zipf zc = {0}, zs = {0};
    if (kind == P_ZIPF) {
        zipf_init(&zc, 20000);
        zipf_init(&zs, 5000);
    }
    struct flow_rec *recs = malloc(n * sizeof *recs);
    if (!recs)
        abort();
    uint64_t rng = 1;
    for (size_t i = 0; i < n; i++)
        make_rec(&recs[i], &rng, T0 + (uint32_t)(i / PER_SEC), kind, &zc, &zs);
    double *ns = malloc((size_t)rounds * sizeof *ns);
    printf("%s: %zu records, %u per data second, %d rounds\n", name, n, PER_SEC, rounds);
    for (int r = 0; r < rounds; r++) {
        ns[r] = run(recs, n, svc, ln);
        printf("  round %d: %.0f ns/record\n", r + 1, ns[r]);
    }
    if (!rounds) { /* the records only */
        free(ns);
        free(recs);
        free(zc.cdf);
        free(zs.cdf);
        return;
    }
    qsort(ns, (size_t)rounds, sizeof *ns, cmp_double);
    printf("%s: median %.0f ns/record (%.2f M records/s of one core)\n", name, ns[rounds / 2],
           1e3 / ns[rounds / 2]);
    free(ns);
    free(recs);
    free(zc.cdf);
    free(zs.cdf);
}

int main(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "both";
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    size_t n = argc > 3 ? (size_t)strtoull(argv[3], NULL, 10) : 3000000;
    if (rounds < 0 || n < 3 * BATCH ||
        (strcmp(which, "flood") && strcmp(which, "zipf") && strcmp(which, "spoof") &&
         strcmp(which, "both"))) {
        fprintf(stderr, "usage: aggbench [flood|zipf|spoof|both [ROUNDS [RECORDS]]]\n"
                        "  ROUNDS 0: make the records only (what aggcount.sh subtracts)\n");
        return 2;
    }
    struct service_db *svc = service_db_new(false);
    struct localnet local;
    localnet_init(&local);
    localnet_add_cidr(&local, "10.0.0.0/8");
    const struct localnet *ln = &local;
    if (!strcmp(which, "flood") || !strcmp(which, "both"))
        profile("flood", rounds, n, svc, ln);
    if (!strcmp(which, "zipf") || !strcmp(which, "both"))
        profile("zipf", rounds, n, svc, ln);
    if (!strcmp(which, "spoof"))
        profile("spoof", rounds, n, svc, ln);
    service_db_free(svc);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %ld KiB\n", ru.ru_maxrss);
    return 0;
}
