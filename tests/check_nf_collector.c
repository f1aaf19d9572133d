/*
 * check_nf_collector.c - Check suite for the collector core (src/ingest/nf_collector.c).
 *
 * Most tests drive the public API with NetFlow v5 datagrams (tests/support/nfenc5.h) and a
 * fixed, injected arrival clock: dispatch (DX-01, DX-02), sequence accounting (N9-18 through
 * the v5 path), uptime restarts (N9-19), the exporter table and its limits, clock skew,
 * sampling configuration and the exporter list. The internal seam (nf_priv.h) is used directly
 * only where no v5 datagram can reach: 32-bit sampling rates, per-sampler rates, int64 extremes
 * of export time (G7), and records without times.
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
#include "nf_priv.h"
#include "nf5check.h"
#include "nfenc5.h"

#define SEC INT64_C(1000000)

static int feed_from(const struct flow_addr *a, uint16_t port, const uint8_t *buf, size_t len,
                     int64_t now_us)
{
    if (!col)
        start();
    return nfenc5_feed(col, a, port, buf, len, now_us);
}

/* One v5 datagram from 192.0.2.1:2055 with `nrec` records, arriving at `now_us`. */
static int send_v5(size_t nrec, int64_t now_us)
{
    struct nfenc5_rec r;

    nfenc5_rec_default(&r); /* 3 packets, 300 bytes, aged 10 s .. 1 s */
    nfenc5_init(M, &H);
    ck_assert_int_eq(nfenc5_add_n(M, &r, nrec), 0);
    return feed_from(&EXP, 2055, M->buf, M->len, now_us);
}

/* Send a datagram carrying sequence `seq` and `nrec` records (export time = arrival). */
static void send_seq(uint32_t seq, size_t nrec)
{
    H.sequence = seq;
    ck_assert_int_eq(send_v5(nrec, EXPORT_US), 0);
}

static const struct nf_counters *ctr(void)
{
    return nf_collector_counters(col);
}

static uint64_t count(enum nf_reason r)
{
    return ctr()->count[r];
}

static struct nf_exporter_info exporter0(void)
{
    struct nf_exporter_info info;
    ck_assert(nfenc5_find_exporter(col, &EXP, 2055, 0, &info));
    return info;
}

/* ---- configuration and names ---- */

START_TEST(config_defaults)
{
    static const struct nf_config want = {.template_timeout_s = 1800,
                                          .max_exporters = 256,
                                          .max_domains = 16,
                                          .max_templates = 4096,
                                          .max_template_bytes = 4u << 20,
                                          .max_held_bytes = 1u << 20,
                                          .tpl_quota = 1024,
                                          .tpl_quota_bytes = 1u << 20,
                                          .held_quota_bytes = 256u << 10,
                                          .held_timeout_s = 10};
    /* the unnamed fields (sampling, source id) are 0; padding is 0 in both */
    memset(&cfg, 0xa5, sizeof cfg);
    nf_config_default(&cfg);
    ck_assert_mem_eq(&cfg, &want, sizeof want);
}
END_TEST

START_TEST(reason_names)
{
    static const char want[] =
        "short bad_version v5_bad_count bad_length bad_set_len reserved_set template_bad "
        "template_too_many_fields template_limit field_len_mismatch no_template held "
        "record_truncated seq_gap exporter_restart exporter_limit domain_limit "
        "rejected_exporter sampling_zero trailing_bytes truncated_datagram template_recycled "
        "sflow_bad_address sflow_sample_length sflow_too_many sflow_zero_length "
        "sflow_nested_length sflow_header_length sflow_header_undecoded sflow_unknown_format "
        "sflow_interface_limit ";
    char got[sizeof want + 64] = "";

    for (int r = 0; r < NF_R_MAX; r++) {
        strncat(got, nf_reason_name((enum nf_reason)r), sizeof got - strlen(got) - 2);
        strcat(got, " ");
    }
    ck_assert_str_eq(got, want);
    ck_assert_str_eq(nf_reason_name(NF_R_MAX), "unknown");
    ck_assert(nf_reason_is_drop(NF_R_SHORT));
    ck_assert(nf_reason_is_drop(NF_R_BAD_VERSION));
    ck_assert(nf_reason_is_drop(NF_R_NO_TEMPLATE));
    ck_assert(nf_reason_is_drop(NF_R_DOMAIN_LIMIT));
    ck_assert(nf_reason_is_drop(NF_R_TRUNCATED_DATAGRAM));
    ck_assert(!nf_reason_is_drop(NF_R_HELD));
    ck_assert(!nf_reason_is_drop(NF_R_SEQ_GAP));
    ck_assert(!nf_reason_is_drop(NF_R_SAMPLING_ZERO));
    ck_assert(!nf_reason_is_drop(NF_R_TRAILING_BYTES));
    ck_assert(!nf_reason_is_drop(NF_R_TPL_RECYCLED));
    ck_assert(!nf_reason_is_drop(NF_R_EXPORTER_RESTART));
    ck_assert(!nf_reason_is_drop(NF_R_MAX));
}
END_TEST

/* ---- dispatch ---- */

START_TEST(dx01_empty_and_one_byte)
{
    static const uint8_t one[1] = {0};

    start();
    ck_assert_int_lt(nf_collector_input(col, &EXP, 2055, NULL, 0, EXPORT_US), 0);
    ck_assert_int_lt(nf_collector_input(col, &EXP, 2055, one, 0, EXPORT_US), 0);
    ck_assert_int_lt(feed_from(&EXP, 2055, one, 1, EXPORT_US), 0);
    ck_assert_uint_eq(ctr()->datagrams, 3);
    ck_assert_uint_eq(count(NF_R_SHORT), 3);
    ck_assert_uint_eq(rec.n, 0);
    ck_assert_uint_eq(nf_collector_exporters(col, NULL, 0), 0);
}
END_TEST

START_TEST(dx02_bad_versions)
{
    static const uint16_t bad[] = {0, 1, 6, 7, 8, 11, 0x0500, 0xffff};
    uint8_t buf[64];

    memset(buf, 0, sizeof buf);
    start();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf[0] = (uint8_t)(bad[i] >> 8);
        buf[1] = (uint8_t)bad[i];
        ck_assert_int_lt(feed_from(&EXP, 2055, buf, sizeof buf, EXPORT_US), 0);
    }
    ck_assert_uint_eq(count(NF_R_BAD_VERSION), sizeof bad / sizeof bad[0]);
    ck_assert_uint_eq(nf_collector_exporters(col, NULL, 0), 0);
    /* 9 and 10 go to their decoders, whatever they make of a random body */
    buf[0] = 0;
    buf[1] = 9;
    feed_from(&EXP, 2055, buf, 2, EXPORT_US);
    buf[1] = 10;
    feed_from(&EXP, 2055, buf, sizeof buf, EXPORT_US);
    ck_assert_uint_eq(count(NF_R_BAD_VERSION), sizeof bad / sizeof bad[0]);
    ck_assert_uint_eq(ctr()->datagrams, sizeof bad / sizeof bad[0] + 2);
}
END_TEST

START_TEST(batches_flushed_per_datagram)
{
    ck_assert_int_eq(send_v5(3, EXPORT_US), 0);
    ck_assert_uint_eq(rec.n, 3);
    ck_assert_uint_eq(rec.batches, 1);
    /* 100 records (a bad count, all present): 64 + 36 */
    H.sequence = 3;
    ck_assert_int_eq(send_v5(100, EXPORT_US), 0);
    ck_assert_uint_eq(rec.n, 103);
    ck_assert_uint_eq(rec.batches, 3);
    ck_assert_uint_eq(ctr()->records, 103);
    ck_assert_uint_eq(ctr()->packets, 309);
    ck_assert_uint_eq(ctr()->bytes, 30900);
}
END_TEST

/* ---- sequence numbers (N9-18 through v5) ---- */

/* Datagrams with these (sequence, record count) pairs, then the totals expected. */
struct seq_case {
    uint32_t seq[4], n[4];
    uint64_t lost, gaps, restarts;
};

static const struct seq_case seq_cases[] = {
    {{1000, 1030, 1060, 1060}, {30, 30, 0, 5}, 0, 0, 0},              /* in order, count 0 */
    {{1000, 1060, 1090}, {30, 30, 30}, 30, 1, 0},                     /* 1030..1059 lost */
    {{1000, 1000, 1030}, {30, 30, 30}, 0, 0, 0},                      /* duplicate */
    {{1000, 1060, 1030, 1090}, {30, 30, 30, 30}, 30, 1, 0},           /* late: not credited back */
    {{5000, 0, 30}, {30, 30, 30}, 0, 0, 1},                           /* reset to 0, re-synced */
    {{0xFFFFFFE2u, 0, 30, 0xFFFFFFE2u}, {30, 30, 30, 30}, 0, 0, 0},   /* wrap; late across it */
    {{0xFFFFFFF0u, 0x20}, {30, 30}, 0x12, 1, 0},                      /* loss across the wrap */
    {{1000, 1000 + 0x7FFFFFFFu, 500, 530}, {30, 30, 30, 1}, 0, 0, 2}, /* implausible jumps */
    {{530, 531 + 999999}, {1, 1}, 999999, 1, 0},                      /* within 10^6 x count */
    {{530, 531 + 1000000}, {1, 1}, 0, 0, 1},                          /* beyond: a restart */
};

START_TEST(seq_scenarios)
{
    const struct seq_case *k = &seq_cases[_i];
    struct nf_exporter_info e;
    size_t total = 0;

    for (size_t i = 0; i < 4 && (i == 0 || k->seq[i] || k->n[i]); i++) {
        send_seq(k->seq[i], k->n[i]);
        total += k->n[i];
    }
    e = exporter0();
    ck_assert_msg(ctr()->seq_lost == k->lost && e.seq_lost == k->lost, "case %d: lost %llu", _i,
                  (unsigned long long)ctr()->seq_lost);
    ck_assert_msg(count(NF_R_SEQ_GAP) == k->gaps, "case %d: gaps", _i);
    ck_assert_msg(count(NF_R_EXPORTER_RESTART) == k->restarts && e.restarts == k->restarts,
                  "case %d: restarts %llu", _i, (unsigned long long)e.restarts);
    ck_assert_uint_eq(rec.n, total); /* duplicates and late datagrams are still decoded */
}
END_TEST

/* ---- sysUptime (N9-19 through v5) ---- */

START_TEST(uptime_backwards_is_restart)
{
    H.uptime_ms = 5000000;
    send_seq(1000, 30);
    H.uptime_ms = 20000; /* rebooted: the sequence restarts too, but it is one restart */
    send_seq(0, 30);
    ck_assert_uint_eq(count(NF_R_EXPORTER_RESTART), 1);
    ck_assert_uint_eq(exporter0().restarts, 1);
    ck_assert_uint_eq(ctr()->seq_lost, 0);
    H.uptime_ms = 21000;
    send_seq(30, 30);
    ck_assert_uint_eq(count(NF_R_EXPORTER_RESTART), 1);
    ck_assert_uint_eq(count(NF_R_SEQ_GAP), 0);
}
END_TEST

START_TEST(uptime_wrap_and_reorder)
{
    H.uptime_ms = 0xFFFFF000u;
    send_seq(0, 1);
    H.uptime_ms = 0x00000800u; /* passed 2^32 ms: a wrap */
    send_seq(1, 1);
    H.uptime_ms = 0x00000400u; /* 1 s back: a late datagram */
    send_seq(2, 1);
    H.uptime_ms = 0x00001000u;
    send_seq(3, 1);
    ck_assert_uint_eq(count(NF_R_EXPORTER_RESTART), 0);
    ck_assert_uint_eq(exporter0().restarts, 0);
}
END_TEST

/* ---- exporter table ---- */

START_TEST(exporter_limit_evicts_lru)
{
    struct flow_addr a[5];
    struct nf_exporter_info info;
    char s[32];

    cfg.max_exporters = 4;
    start();
    nfenc5_init(M, &H);
    for (int i = 0; i < 5; i++) {
        snprintf(s, sizeof s, "198.51.100.%d", i + 1);
        flow_addr_parse(s, &a[i]);
    }
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(feed_from(&a[i], 2055, M->buf, M->len, EXPORT_US + i * SEC), 0);
    /* touch exporter 0 again: exporter 1 is now the least recently seen */
    ck_assert_int_eq(feed_from(&a[0], 2055, M->buf, M->len, EXPORT_US + 10 * SEC), 0);
    ck_assert_uint_eq(count(NF_R_EXPORTER_LIMIT), 0);
    ck_assert_int_eq(feed_from(&a[4], 2055, M->buf, M->len, EXPORT_US + 11 * SEC), 0);
    ck_assert_uint_eq(count(NF_R_EXPORTER_LIMIT), 1);
    ck_assert_uint_eq(nf_collector_exporters(col, NULL, 0), 4);
    ck_assert(!nfenc5_find_exporter(col, &a[1], 2055, 0, &info));
    ck_assert(nfenc5_find_exporter(col, &a[0], 2055, 0, &info));
    ck_assert_uint_eq(info.datagrams, 2);
    ck_assert(nfenc5_find_exporter(col, &a[4], 2055, 0, &info));
    ck_assert(nfenc5_find_exporter(col, &a[2], 2055, 0, &info));
    /* the same address from another port is another exporter */
    ck_assert_int_eq(feed_from(&a[4], 2056, M->buf, M->len, EXPORT_US + 12 * SEC), 0);
    ck_assert_uint_eq(count(NF_R_EXPORTER_LIMIT), 2);
    ck_assert(!nfenc5_find_exporter(col, &a[2], 2055, 0, &info));
}
END_TEST

START_TEST(exporter_eviction_takes_all_domains)
{
    struct flow_addr b;
    struct nf_exporter_info info;

    cfg.max_exporters = 1;
    cfg.max_domains = 4;
    start();
    for (uint8_t d = 0; d < 3; d++) {
        H.engine_id = d;
        nfenc5_init(M, &H);
        ck_assert_int_eq(feed_from(&EXP, 2055, M->buf, M->len, EXPORT_US), 0);
    }
    ck_assert_uint_eq(nf_collector_exporters(col, NULL, 0), 3);
    flow_addr_parse("2001:db8::1", &b);
    ck_assert_int_eq(feed_from(&b, 2055, M->buf, M->len, EXPORT_US + SEC), 0);
    ck_assert_uint_eq(count(NF_R_EXPORTER_LIMIT), 1);
    ck_assert_uint_eq(nf_collector_exporters(col, NULL, 0), 1);
    ck_assert(nfenc5_find_exporter(col, &b, 2055, 2, &info));
}
END_TEST

START_TEST(domain_limit)
{
    struct flow_addr other;
    struct nfenc5_rec r;

    nfenc5_rec_default(&r);

    cfg.max_domains = 2;
    start();
    for (uint8_t d = 0; d < 3; d++) {
        H.engine_type = 1;
        H.engine_id = d;
        nfenc5_init(M, &H);
        nfenc5_add(M, &r);
        if (d < 2)
            ck_assert_int_eq(feed_from(&EXP, 2055, M->buf, M->len, EXPORT_US), 0);
        else
            ck_assert_int_lt(feed_from(&EXP, 2055, M->buf, M->len, EXPORT_US), 0);
    }
    ck_assert_uint_eq(count(NF_R_DOMAIN_LIMIT), 1);
    ck_assert_uint_eq(rec.n, 2);
    ck_assert_uint_eq(rec.recs[1].domain, 0x0101);
    ck_assert_uint_eq(nf_collector_exporters(col, NULL, 0), 2);
    /* known domains keep working; another sender has its own allowance */
    H.engine_id = 1;
    nfenc5_init(M, &H);
    ck_assert_int_eq(feed_from(&EXP, 2055, M->buf, M->len, EXPORT_US), 0);
    flow_addr_parse("192.0.2.99", &other);
    H.engine_id = 2;
    nfenc5_init(M, &H);
    ck_assert_int_eq(feed_from(&other, 2055, M->buf, M->len, EXPORT_US), 0);
    ck_assert_uint_eq(count(NF_R_DOMAIN_LIMIT), 1);
    ck_assert_uint_eq(count(NF_R_EXPORTER_LIMIT), 0);
}
END_TEST

START_TEST(exporters_content)
{
    struct nf_exporter_info info[2];
    struct nf_exporter_info e;

    H.sampling = 1u << 14 | 10;
    H.sequence = 100;
    ck_assert_int_eq(send_v5(2, EXPORT_US + 2 * SEC), 0);
    H.sequence = 110; /* 8 lost */
    H.unix_secs += 1;
    H.uptime_ms += 1000;
    ck_assert_int_eq(send_v5(1, EXPORT_US + 3 * SEC), 0);
    ck_assert_uint_eq(nf_collector_exporters(col, info, 0), 1);
    ck_assert_uint_eq(nf_collector_exporters(col, info, 2), 1);
    e = info[0];
    ck_assert_mem_eq(&e.addr, &EXP, sizeof EXP);
    ck_assert_uint_eq(e.port, 2055);
    ck_assert_uint_eq(e.domain, 0);
    ck_assert_uint_eq(e.version, 5);
    ck_assert_uint_eq(e.datagrams, 2);
    ck_assert_uint_eq(e.records, 3);
    ck_assert_uint_eq(e.packets, 3 * 3 * 10);
    ck_assert_uint_eq(e.bytes, 3 * 300 * 10);
    ck_assert_uint_eq(e.seq_lost, 8);
    ck_assert_uint_eq(e.restarts, 0);
    ck_assert_uint_eq(e.templates, 0);
    ck_assert_uint_eq(e.sampling, 10);
    ck_assert_int_eq(e.last_seen_us, EXPORT_US + 3 * SEC);
    /* the exporter is 2 s behind us: records aged 1 s land at arrival - 1 s */
    ck_assert_int_eq(e.skew_us, -2 * SEC);
    ck_assert_int_eq(e.newest_flow_us, EXPORT_US + SEC);
    ck_assert_int_eq(rec.recs[0].last_us, EXPORT_US + SEC);
    ck_assert_int_eq(rec.recs[2].last_us, EXPORT_US + SEC);
}
END_TEST

/* ---- clocks ---- */

START_TEST(clock_skew_one_hour_ahead)
{
    struct nf_exporter_info e;
    const int64_t now = EXPORT_US - 3600 * SEC; /* our clock; the exporter says +1 h */

    ck_assert_int_eq(send_v5(1, now), 0);
    e = exporter0();
    ck_assert_int_eq(e.skew_us, 3600 * SEC);
    /* records aged 10 s .. 1 s on the exporter's clock land 10 s .. 1 s before our now */
    ck_assert_int_eq(rec.recs[0].first_us, now - 10 * SEC);
    ck_assert_int_eq(rec.recs[0].last_us, now - 1 * SEC);
    /* a datagram delayed 800 ms moves the estimate by 1/8 of that */
    H.unix_secs += 10;
    H.uptime_ms += 10000;
    H.sequence = 1;
    ck_assert_int_eq(send_v5(1, now + 10 * SEC + 800000), 0);
    ck_assert_int_eq(exporter0().skew_us, 3600 * SEC - 100000);
    /* the exporter's clock is stepped back by a day: re-estimated at once */
    H.unix_secs = H.unix_secs + 1 - 86400;
    H.uptime_ms += 1000;
    H.sequence = 2;
    ck_assert_int_eq(send_v5(1, now + 11 * SEC), 0);
    ck_assert_int_eq(exporter0().skew_us, 3600 * SEC - 86400 * SEC);
    ck_assert_int_eq(rec.recs[2].last_us, now - SEC); /* aged 12 s by then */
}
END_TEST

/* Through the seam: a v9-style exporter domain at arrival time EXPORT_US. */
static struct nf_exporter *seam_exporter(void)
{
    start();
    col->now_us = EXPORT_US;
    return nf_exporter_get(col, &EXP, 2055, 0, 9);
}

/* Emit one record with these exporter-clock times and counters; returns what the sink got. */
static struct flow_rec emit(struct nf_exporter *e, int64_t first, int64_t last, uint64_t bytes,
                            uint64_t packets)
{
    struct flow_rec r = {.first_us = first, .last_us = last, .bytes = bytes, .packets = packets};

    nf_emit(col, e, &r, 0);
    nf_flush(col);
    ck_assert_uint_ge(rec.n, 1);
    return rec.recs[rec.n - 1];
}

START_TEST(clock_extremes_g7)
{
    static const int64_t exports[] = {INT64_MIN, INT64_MAX, 0, -315576000 * SEC,
                                      EXPORT_US + 315576000 * SEC};
    struct nf_exporter *e = seam_exporter();
    struct flow_rec r;

    for (size_t i = 0; i < sizeof exports / sizeof exports[0]; i++) {
        nf_clock_update(col, e, exports[i]);
        r = emit(e, exports[i], exports[i], 0, 1);
        ck_assert_int_le(r.first_us, r.last_us);
        ck_assert_int_le(r.last_us, EXPORT_US);
    }
    /* v5: Unix seconds 0 and 0xFFFFFFFF (year 2106), nanoseconds past 10^9 */
    H.unix_secs = 0;
    ck_assert_int_eq(send_v5(1, EXPORT_US), 0);
    H.unix_secs = 0xFFFFFFFFu;
    H.unix_nsecs = 0xFFFFFFFFu;
    ck_assert_int_eq(send_v5(1, EXPORT_US), 0);
    ck_assert_int_le(rec.recs[rec.n - 1].last_us, EXPORT_US);
}
END_TEST

START_TEST(emit_time_clamps)
{
    struct nf_exporter *e = seam_exporter();
    struct flow_rec r;

    r = emit(e, 0, 0, 0, 0); /* no times at all: now */
    ck_assert(r.first_us == EXPORT_US && r.last_us == EXPORT_US);
    r = emit(e, 0, EXPORT_US - 5 * SEC, 0, 0); /* only a last time */
    ck_assert(r.first_us == EXPORT_US - 5 * SEC && r.last_us == EXPORT_US - 5 * SEC);
    r = emit(e, EXPORT_US + 20 * SEC, EXPORT_US + 10 * SEC, 0, 0); /* future and reversed */
    ck_assert(r.first_us == EXPORT_US && r.last_us == EXPORT_US);
    ck_assert_uint_eq(r.sampling, 1);
    ck_assert_uint_eq(r.flags, FLOW_REC_EXPORTED);
}
END_TEST

/* ---- sampling through the seam ---- */

START_TEST(sampling_saturates)
{
    struct nf_exporter *e = seam_exporter();
    struct flow_rec r;

    nf_sampling_set(col, e, 0, 0xFFFFFFFFu);
    ck_assert_uint_eq(nf_sampling_get(col, e, 0), 0xFFFFFFFFu);
    r = emit(e, 0, 0, UINT64_C(1) << 40, UINT64_C(1) << 33);
    emit(e, 0, 0, UINT64_C(1) << 40, UINT64_C(1) << 33);
    ck_assert(r.bytes == UINT64_MAX && r.packets == UINT64_MAX);
    ck_assert_uint_eq(r.sampling, 0xFFFFFFFFu);
    ck_assert(ctr()->bytes == UINT64_MAX && ctr()->packets == UINT64_MAX);
    ck_assert_uint_eq(exporter0().bytes, UINT64_MAX);
    ck_assert_uint_eq(count(NF_R_SAMPLING_ZERO), 0);
}
END_TEST

START_TEST(sampling_samplers_and_zero)
{
    struct nf_exporter *e;

    cfg.default_sampling = 3;
    e = seam_exporter();
    ck_assert_uint_eq(nf_sampling_get(col, e, 0), 3);
    ck_assert_uint_eq(nf_sampling_get(col, NULL, 0), 3);
    nf_sampling_set(col, e, 0, 0);
    ck_assert_uint_eq(count(NF_R_SAMPLING_ZERO), 1);
    ck_assert_uint_eq(nf_sampling_get(col, e, 0), 1);
    nf_sampling_set(col, e, 0, 100);
    nf_sampling_set(col, e, 7, 50);
    ck_assert_uint_eq(nf_sampling_get(col, e, 7), 50);
    ck_assert_uint_eq(nf_sampling_get(col, e, 8), 100);
    nf_sampling_set(col, e, 7, 0);
    ck_assert_uint_eq(nf_sampling_get(col, e, 7), 1);
    ck_assert_uint_eq(count(NF_R_SAMPLING_ZERO), 2);
    /* more samplers than remembered: the oldest (7) is forgotten */
    for (uint32_t id = 100; id < 100 + NF_MAX_SAMPLERS; id++)
        nf_sampling_set(col, e, id, id);
    ck_assert_uint_eq(nf_sampling_get(col, e, 7), 100);
    ck_assert_uint_eq(nf_sampling_get(col, e, 100), 100);
    ck_assert_uint_eq(nf_sampling_get(col, e, 99 + NF_MAX_SAMPLERS), 99 + NF_MAX_SAMPLERS);
    /* --force-sampling overrides everything, 1 meaning raw counts */
    col->cfg.force_sampling = 1;
    ck_assert_uint_eq(nf_sampling_get(col, e, 100), 1);
    ck_assert_uint_eq(nf_sampling_get(col, e, 0), 1);
}
END_TEST

START_TEST(tick_keeps_exporters_zero_caps)
{
    ck_assert_int_eq(send_v5(1, EXPORT_US), 0);
    nf_collector_tick(col, EXPORT_US + 3600 * SEC);
    nf_collector_tick(col, EXPORT_US + 7200 * SEC);
    ck_assert_uint_eq(nf_collector_exporters(col, NULL, 0), 1);
    ck_assert_uint_eq(rec.n, 1);
    /* zero caps are raised to one slot: a table that always evicts would be useless */
    nf_collector_free(col);
    cfg.max_exporters = cfg.max_domains = 0;
    start();
    ck_assert_int_eq(send_v5(1, EXPORT_US), 0);
    ck_assert_uint_eq(rec.n, 2);
    ck_assert_uint_eq(nf_collector_exporters(col, NULL, 0), 1);
}
END_TEST

static TCase *add_tests(Suite *s, const char *name, const TTest *const *tests, size_t n)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, setup, teardown);
    for (size_t i = 0; i < n; i++)
        tcase_add_test(tc, tests[i]);
    suite_add_tcase(s, tc);
    return tc;
}
#define ADD_TESTS(s, name, ...)                                                                    \
    add_tests(s, name, (const TTest *const[]){__VA_ARGS__},                                        \
              sizeof((const TTest *const[]){__VA_ARGS__}) / sizeof(const TTest *))

static Suite *nf_collector_suite(void)
{
    Suite *s = suite_create("nf_collector");
    TCase *tc;

    ADD_TESTS(s, "api", config_defaults, reason_names, dx01_empty_and_one_byte, dx02_bad_versions,
              batches_flushed_per_datagram, tick_keeps_exporters_zero_caps);
    tc = ADD_TESTS(s, "sequence", uptime_backwards_is_restart, uptime_wrap_and_reorder);
    tcase_add_loop_test(tc, seq_scenarios, 0, (int)(sizeof seq_cases / sizeof seq_cases[0]));
    ADD_TESTS(s, "table", exporter_limit_evicts_lru, exporter_eviction_takes_all_domains,
              domain_limit, exporters_content);
    ADD_TESTS(s, "clock", clock_skew_one_hour_ahead, clock_extremes_g7, emit_time_clamps);
    ADD_TESTS(s, "sampling", sampling_saturates, sampling_samplers_and_zero);
    return s;
}

int main(void)
{
    return check_run(nf_collector_suite());
}
