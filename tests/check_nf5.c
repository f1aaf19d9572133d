/*
 * check_nf5.c - Check suite for the NetFlow v5 decoder (src/ingest/nf5.c) through the public
 * collector API.
 *
 * Each test builds datagrams with tests/support/nfenc5.h, feeds them to nf_collector_input with
 * a fixed arrival clock, and asserts the return value, every reason counter (the ones not named
 * must stay 0) and the exact records a recording sink received. The robustness cases follow
 * the NetFlow v5 table of ROBUSTNESS.md (N5-01 .. N5-05). The last tests decode the real v5
 * exports of the shared corpus (FLOWDRILL_TESTDATA, default $TOP_SRCDIR/../shared/testdata)
 * when it is present, checking counts and fields against the TShark oracle; they pass with a
 * note when the corpus is absent. Datagrams are copied to exact-size heap blocks so ASan sees over-reads.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "flowdrill/flow.h"
#include "flowdrill/nf.h"
#include "checkrun.h"
#include "nf5check.h"
#include "nfenc5.h"


static int feed_bytes(const uint8_t *buf, size_t len, int64_t now_us)
{
    return nfenc5_feed(col, &EXP, 2055, buf, len, now_us);
}

static int feed(void)
{
    if (!col)
        start();
    return feed_bytes(M->buf, M->len, EXPORT_US);
}

static void expect_reasons_at(int line, const int *list)
{
    const struct nf_counters *k = nf_collector_counters(col);
    uint64_t want[NF_R_MAX] = {0};

    for (; *list >= 0; list++)
        want[*list]++;
    for (int r = 0; r < NF_R_MAX; r++)
        ck_assert_msg(k->count[r] == want[r], "line %d: reason %s: got %llu, want %llu", line,
                      nf_reason_name((enum nf_reason)r), (unsigned long long)k->count[r],
                      (unsigned long long)want[r]);
}
#define EXPECT_REASONS(...) expect_reasons_at(__LINE__, (const int[]){__VA_ARGS__, -1})
#define EXPECT_NO_REASONS() expect_reasons_at(__LINE__, (const int[]){-1})

static void expect_addr(const struct flow_addr *a, const char *want)
{
    char buf[FLOW_ADDR_STRLEN];
    ck_assert_str_eq(flow_addr_format(a, buf, sizeof buf), want);
}

static struct nfenc5_rec plain_rec(void)
{
    struct nfenc5_rec r;
    nfenc5_rec_default(&r);
    return r;
}

static void build(size_t nrec)
{
    struct nfenc5_rec r = plain_rec();
    nfenc5_init(M, &H);
    ck_assert_int_eq(nfenc5_add_n(M, &r, nrec), 0);
}

/* ---- N5-01 .. N5-05 ---- */

START_TEST(n5_01_short)
{
    build(1);
    start();
    for (size_t len = 2; len < NFENC5_HEADER_LEN; len++)
        ck_assert_int_lt(feed_bytes(M->buf, len, EXPORT_US), 0);
    ck_assert_uint_eq(nf_collector_counters(col)->count[NF_R_SHORT], 22);
    ck_assert_uint_eq(rec.n, 0);
    ck_assert_uint_eq(nf_collector_counters(col)->datagrams, 22);
    /* no state was created for a datagram without a whole header */
    ck_assert_uint_eq(nf_collector_exporters(col, NULL, 0), 0);
}
END_TEST

START_TEST(n5_02_count_zero)
{
    build(0);
    ck_assert_int_eq(feed(), 0);
    EXPECT_NO_REASONS();
    ck_assert_uint_eq(rec.n, 0);
    ck_assert_uint_eq(rec.batches, 0);
    ck_assert_uint_eq(nf_collector_exporters(col, NULL, 0), 1);
    ck_assert_uint_eq(nf_collector_counters(col)->records, 0);
}
END_TEST

START_TEST(n5_03_count_past_datagram)
{
    build(2);
    nfenc5_set_count(M, 3);
    nfenc5_pad(M, 47, 0xee); /* a record minus one byte */
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_V5_BAD_COUNT);
    ck_assert_uint_eq(rec.n, 2);
}
END_TEST

START_TEST(n5_03_count_huge)
{
    build(2);
    nfenc5_set_count(M, 65535);
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_V5_BAD_COUNT);
    ck_assert_uint_eq(rec.n, 2);
    /* the sequence advanced by the 2 decoded records, not by 65535 */
    H.sequence = 2;
    build(1);
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_V5_BAD_COUNT);
    ck_assert_uint_eq(nf_collector_counters(col)->seq_lost, 0);
}
END_TEST

START_TEST(n5_03_count_over_30)
{
    /* 31 records really present: counted as bad, but every whole record is used */
    build(31);
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_V5_BAD_COUNT);
    ck_assert_uint_eq(rec.n, 31);
}
END_TEST

START_TEST(n5_03_count_30_ok)
{
    build(30);
    ck_assert_int_eq(feed(), 0);
    EXPECT_NO_REASONS();
    ck_assert_uint_eq(rec.n, 30);
}
END_TEST

START_TEST(n5_03_invalid01_shape)
{
    /* the shape of netflow5_test_invalid01.dat: count 55582 in 1464 bytes (30 records) */
    build(30);
    nfenc5_set_count(M, 55582);
    ck_assert_uint_eq(M->len, 1464);
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_V5_BAD_COUNT);
    ck_assert_uint_eq(rec.n, 30);
}
END_TEST

START_TEST(trailing_bytes)
{
    build(2);
    nfenc5_pad(M, 1728 - M->len, 0x55); /* the netflow5.dat quirk: count 2 in 1728 bytes */
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_TRAILING_BYTES);
    ck_assert_uint_eq(rec.n, 2);
}
END_TEST

START_TEST(n5_04_sampling_none)
{
    build(1);
    ck_assert_int_eq(feed(), 0);
    EXPECT_NO_REASONS();
    ck_assert_uint_eq(rec.recs[0].sampling, 1);
    ck_assert_uint_eq(rec.recs[0].bytes, 300);
}
END_TEST

START_TEST(n5_04_sampling_mode_without_interval)
{
    H.sampling = 1u << 14; /* deterministic sampling, interval 0 */
    build(1);
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_SAMPLING_ZERO);
    ck_assert_uint_eq(rec.recs[0].sampling, 1);
    ck_assert_uint_eq(rec.recs[0].packets, 3);
}
END_TEST

START_TEST(n5_05_first_after_last)
{
    struct nfenc5_rec r = plain_rec();
    r.first_ms = 99000;
    r.last_ms = 90000;
    nfenc5_init(M, &H);
    nfenc5_add(M, &r);
    ck_assert_int_eq(feed(), 0);
    EXPECT_NO_REASONS();
    ck_assert_int_eq(rec.recs[0].last_us, EXPORT_US - 10000000);
    ck_assert_int_eq(rec.recs[0].first_us, rec.recs[0].last_us);
}
END_TEST

START_TEST(n5_05_uptime_wrapped_after_first)
{
    /* netflow5.dat record 1: First 0xFFFFFFFF, Last 2577, sysUptime 3381 */
    struct nfenc5_rec r = plain_rec();
    H.uptime_ms = 3381;
    r.first_ms = 0xFFFFFFFFu;
    r.last_ms = 2577;
    nfenc5_init(M, &H);
    nfenc5_add(M, &r);
    ck_assert_int_eq(feed(), 0);
    ck_assert_int_eq(rec.recs[0].first_us, EXPORT_US - 3382000);
    ck_assert_int_eq(rec.recs[0].last_us, EXPORT_US - 804000);
}
END_TEST

START_TEST(n5_05_stamp_after_uptime)
{
    /* First/Last later than the header's uptime (bogus): age 0, never in the future */
    struct nfenc5_rec r = plain_rec();
    r.first_ms = 100500;
    r.last_ms = 200000;
    nfenc5_init(M, &H);
    nfenc5_add(M, &r);
    ck_assert_int_eq(feed(), 0);
    ck_assert_int_eq(rec.recs[0].first_us, EXPORT_US);
    ck_assert_int_eq(rec.recs[0].last_us, EXPORT_US);
}
END_TEST

/* ---- record fields ---- */

START_TEST(exact_fields)
{
    const struct flow_rec *f;

    H.unix_nsecs = 250000000;
    H.engine_type = 1;
    H.engine_id = 2;
    cfg.source_id = 7;
    build(1);
    start();
    ck_assert_int_eq(feed_bytes(M->buf, M->len, EXPORT_US + 250000), 0);
    EXPECT_NO_REASONS();
    ck_assert_uint_eq(rec.n, 1);
    f = &rec.recs[0];
    expect_addr(&f->src, "10.1.1.1");
    expect_addr(&f->dst, "10.2.2.2");
    expect_addr(&f->exporter, "192.0.2.1");
    ck_assert_uint_eq(f->af, FLOW_AF_INET);
    ck_assert_uint_eq(f->sport, 1234);
    ck_assert_uint_eq(f->dport, 80);
    ck_assert_uint_eq(f->proto, 6);
    ck_assert_uint_eq(f->tcp_flags, 0x1b);
    ck_assert_uint_eq(f->icmp_type, 0);
    ck_assert_uint_eq(f->in_if, 3);
    ck_assert_uint_eq(f->out_if, 4);
    ck_assert_uint_eq(f->src_as, 64500);
    ck_assert_uint_eq(f->dst_as, 64501);
    ck_assert_uint_eq(f->packets, 3);
    ck_assert_uint_eq(f->bytes, 300);
    ck_assert_uint_eq(f->sampling, 1);
    ck_assert_int_eq(f->first_us, EXPORT_US + 250000 - 10000000);
    ck_assert_int_eq(f->last_us, EXPORT_US + 250000 - 1000000);
    ck_assert_uint_eq(f->flags, FLOW_REC_EXPORTED);
    ck_assert_uint_eq(f->direction, FLOW_DIR_UNKNOWN);
    ck_assert_uint_eq(f->domain, 0x0102);
    ck_assert_uint_eq(f->source_id, 7);
}
END_TEST

START_TEST(icmp_type_from_dport)
{
    struct nfenc5_rec r = plain_rec();
    r.proto = 1;
    r.sport = 0;
    r.dport = 0x0800;
    nfenc5_init(M, &H);
    nfenc5_add(M, &r);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rec.recs[0].icmp_type, 0x0800);
    ck_assert_uint_eq(rec.recs[0].sport, 0);
    ck_assert_uint_eq(rec.recs[0].dport, 0);
}
END_TEST

START_TEST(records_in_order)
{
    struct nfenc5_rec r = plain_rec();
    nfenc5_init(M, &H);
    for (uint16_t i = 0; i < 30; i++) {
        r.sport = (uint16_t)(1000 + i);
        nfenc5_add(M, &r);
    }
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rec.n, 30);
    for (uint16_t i = 0; i < 30; i++)
        ck_assert_uint_eq(rec.recs[i].sport, 1000 + i);
}
END_TEST

/* ---- sampling ---- */

START_TEST(sampling_from_header)
{
    H.sampling = 1u << 14 | 100;
    build(1);
    ck_assert_int_eq(feed(), 0);
    EXPECT_NO_REASONS();
    ck_assert_uint_eq(rec.recs[0].sampling, 100);
    ck_assert_uint_eq(rec.recs[0].bytes, 30000);
    ck_assert_uint_eq(rec.recs[0].packets, 300);
}
END_TEST

START_TEST(sampling_max_interval_and_counters)
{
    struct nfenc5_rec r = plain_rec();
    H.sampling = 2u << 14 | 0x3fff;
    r.packets = 0xFFFFFFFFu;
    r.octets = 0xFFFFFFFFu;
    nfenc5_init(M, &H);
    nfenc5_add(M, &r);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rec.recs[0].sampling, 16383);
    ck_assert_uint_eq(rec.recs[0].bytes, (uint64_t)0xFFFFFFFFu * 16383);
    ck_assert_uint_eq(rec.recs[0].packets, (uint64_t)0xFFFFFFFFu * 16383);
}
END_TEST

START_TEST(sampling_interval_without_mode)
{
    H.sampling = 10; /* mode bits 0 but an interval: used */
    build(1);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rec.recs[0].sampling, 10);
}
END_TEST

START_TEST(default_sampling_when_none_announced)
{
    cfg.default_sampling = 50;
    build(1);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rec.recs[0].sampling, 50);
    ck_assert_uint_eq(rec.recs[0].bytes, 15000);
    /* an announced rate wins over the default */
    H.sampling = 1u << 14 | 100;
    H.sequence = 1;
    build(1);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rec.recs[1].sampling, 100);
    /* and a later header announcing none falls back to the default */
    H.sampling = 0;
    H.sequence = 2;
    build(1);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rec.recs[2].sampling, 50);
    EXPECT_NO_REASONS();
}
END_TEST

START_TEST(force_sampling_raw)
{
    cfg.force_sampling = 1;
    cfg.default_sampling = 50;
    H.sampling = 1u << 14 | 100;
    build(1);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rec.recs[0].sampling, 1);
    ck_assert_uint_eq(rec.recs[0].bytes, 300);
    ck_assert_uint_eq(rec.recs[0].packets, 3);
}
END_TEST

START_TEST(force_sampling_rate)
{
    cfg.force_sampling = 10;
    H.sampling = 1u << 14 | 100;
    build(1);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rec.recs[0].sampling, 10);
    ck_assert_uint_eq(rec.recs[0].bytes, 3000);
}
END_TEST

/* ---- robustness ---- */

START_TEST(mutation_fuzz)
{
    uint8_t *buf;
    size_t len;
    unsigned seed = 12345;

    start();
    for (int i = 0; i < 20000; i++) {
        H.sequence = (uint32_t)i * 7;
        build((size_t)(rand_r(&seed) % 32));
        len = M->len;
        for (int k = rand_r(&seed) % 8; k > 0; k--)
            M->buf[(size_t)rand_r(&seed) % len] = (uint8_t)rand_r(&seed);
        if (rand_r(&seed) % 4 == 0)
            len = (size_t)rand_r(&seed) % (len + 1);
        buf = malloc(len ? len : 1);
        ck_assert_ptr_nonnull(buf);
        memcpy(buf, M->buf, len);
        nf_collector_input(col, &EXP, (uint16_t)(rand_r(&seed) % 4), buf, len,
                           EXPORT_US + (int64_t)i * 1000);
        free(buf);
    }
    ck_assert_uint_eq(nf_collector_counters(col)->datagrams, 20000);
    for (size_t i = 0; i < rec.n; i++) {
        ck_assert_int_le(rec.recs[i].first_us, rec.recs[i].last_us);
        ck_assert_uint_ne(rec.recs[i].sampling, 0);
    }
}
END_TEST

/* ---- the shared corpus ---- */

static size_t load(const char *rel, uint8_t *buf, size_t cap)
{
    const char *dir = getenv("FLOWDRILL_TESTDATA"), *top = getenv("TOP_SRCDIR");
    char path[1024];
    FILE *f;
    size_t n;

    /* as the conformance scripts: the corpus sits beside the source tree */
    if (dir)
        snprintf(path, sizeof path, "%s/%s", dir, rel);
    else
        snprintf(path, sizeof path, "%s/../shared/testdata/%s", top ? top : ".", rel);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "check_nf5: %s not found, skipped\n", path);
        return 0;
    }
    n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

START_TEST(corpus_netflow5_dat)
{
    static uint8_t buf[65536];
    size_t n = load("netflow/v5/logstash/netflow5.dat", buf, sizeof buf);
    const struct flow_rec *f;
    const int64_t exp_us = INT64_C(1430591888) * 1000000 + 280328;

    if (!n)
        return;
    start();
    ck_assert_uint_eq(n, 1728);
    ck_assert_int_eq(feed_bytes(buf, n, exp_us), 0);
    EXPECT_REASONS(NF_R_TRAILING_BYTES);
    ck_assert_uint_eq(rec.n, 2); /* TShark: Count 2, pdu 1/2 and 2/2 */
    f = &rec.recs[0];
    expect_addr(&f->src, "10.0.2.2");
    expect_addr(&f->dst, "10.0.2.15");
    ck_assert_uint_eq(f->packets, 5);
    ck_assert_uint_eq(f->bytes, 230);
    ck_assert_uint_eq(f->sport, 54435);
    ck_assert_uint_eq(f->dport, 22);
    ck_assert_uint_eq(f->tcp_flags, 0x10);
    /* StartTime 4294967.295 s (before the wrap), EndTime 2.577 s, SysUptime 3.381 s */
    ck_assert_int_eq(f->last_us - f->first_us, 2578000);
    ck_assert_int_eq(f->last_us, exp_us - 804000);
    expect_addr(&rec.recs[1].src, "10.0.2.15");
    ck_assert_uint_eq(rec.recs[1].packets, 4);
    ck_assert_uint_eq(rec.recs[1].bytes, 304);
}
END_TEST

START_TEST(corpus_invalid01)
{
    static uint8_t buf[65536];
    size_t n = load("netflow/v5/logstash/netflow5_test_invalid01.dat", buf, sizeof buf);
    const struct flow_rec *f;

    if (!n)
        return;
    start();
    ck_assert_int_eq(feed_bytes(buf, n, INT64_C(1429252377) * 1000000), 0);
    EXPECT_REASONS(NF_R_V5_BAD_COUNT);
    ck_assert_uint_eq(rec.n, 30); /* TShark decodes 30 pdus of the claimed 55582 */
    f = &rec.recs[0];
    expect_addr(&f->src, "172.16.32.201");
    expect_addr(&f->dst, "172.16.32.1");
    ck_assert_uint_eq(f->bytes, 3405774888u);
    ck_assert_uint_eq(f->out_if, 17920);
    ck_assert_uint_eq(f->dst_as, 52992);
    ck_assert_int_eq(rec.recs[1].last_us - rec.recs[1].first_us, 39424000);
}
END_TEST

START_TEST(corpus_mikrotik)
{
    static uint8_t buf[65536];
    size_t n = load("netflow/v5/logstash/netflow5_test_microtik.dat", buf, sizeof buf);
    const int64_t exp_us = INT64_C(1469109117) * 1000000 + 514932;
    const struct flow_rec *f;

    if (!n)
        return;
    start();
    ck_assert_int_eq(feed_bytes(buf, n, exp_us), 0);
    EXPECT_NO_REASONS();
    ck_assert_uint_eq(rec.n, 30); /* TShark: Count 30 */
    f = &rec.recs[0];
    expect_addr(&f->src, "10.0.13.1");
    expect_addr(&f->dst, "192.168.0.98");
    ck_assert_uint_eq(f->in_if, 13);
    ck_assert_uint_eq(f->out_if, 50);
    ck_assert_uint_eq(f->packets, 2);
    ck_assert_uint_eq(f->bytes, 104);
    ck_assert_uint_eq(f->sport, 5228);
    ck_assert_uint_eq(f->dport, 52734);
    /* StartTime 27346.27 s against SysUptime 27361.64 s */
    ck_assert_int_eq(f->first_us, exp_us - 15370000);
    ck_assert_int_eq(f->last_us, f->first_us);
}
END_TEST

static void add_tests(Suite *s, const char *name, const TTest *const *tests, size_t n)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    for (size_t i = 0; i < n; i++)
        tcase_add_test(tc, tests[i]);
    suite_add_tcase(s, tc);
}
#define ADD_TESTS(s, name, ...)                                                                    \
    add_tests(s, name, (const TTest *const[]){__VA_ARGS__},                                        \
              sizeof((const TTest *const[]){__VA_ARGS__}) / sizeof(const TTest *))

static Suite *nf5_suite(void)
{
    Suite *s = suite_create("nf5");

    ADD_TESTS(s, "robustness", n5_01_short, n5_02_count_zero, n5_03_count_past_datagram,
              n5_03_count_huge, n5_03_count_over_30, n5_03_count_30_ok, n5_03_invalid01_shape,
              trailing_bytes, n5_04_sampling_none, n5_04_sampling_mode_without_interval,
              n5_05_first_after_last, n5_05_uptime_wrapped_after_first, n5_05_stamp_after_uptime);
    ADD_TESTS(s, "fields", exact_fields, icmp_type_from_dport, records_in_order);
    ADD_TESTS(s, "sampling", sampling_from_header, sampling_max_interval_and_counters,
              sampling_interval_without_mode, default_sampling_when_none_announced,
              force_sampling_raw, force_sampling_rate);
    ADD_TESTS(s, "corpus", corpus_netflow5_dat, corpus_invalid01, corpus_mikrotik);
    ADD_TESTS(s, "fuzz", mutation_fuzz);
    return s;
}

int main(void)
{
    return check_run(nf5_suite());
}
