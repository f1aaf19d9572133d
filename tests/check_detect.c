/*
 * check_detect.c - the threat detectors: each raises exactly the alert its traffic calls for,
 * and none on the benign shapes that look like it (answered connections, one heavy stream,
 * a busy server with its own history, a host that was always loud).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/detect.h"
#include "checkrun.h"
#include "recs.h"

#define T0 1700000000u
#define US 1000000LL

static struct detect_config cfg;

static void setup(void)
{
    detect_config_default(&cfg);
}

static struct flow_rec rec_at(const char *src, uint16_t sport, const char *dst, uint16_t dport,
                              uint8_t proto, uint8_t flags, uint64_t bytes, int64_t us)
{
    struct flow_rec r = recs_make(src, sport, dst, dport, proto, bytes, T0);
    r.tcp_flags = flags;
    r.first_us = r.last_us = us;
    return r;
}

static void add(struct detect *d, struct flow_rec r)
{
    detect_add(d, &r, 1);
}

static size_t count_kind(struct detect *d, enum detect_kind k, const struct detect_alert **last)
{
    const struct detect_alert *al;
    size_t n = detect_alerts(d, &al), c = 0;
    for (size_t i = 0; i < n; i++)
        if (al[i].kind == k) {
            c++;
            if (last)
                *last = &al[i];
        }
    return c;
}

static size_t n_alerts(struct detect *d)
{
    const struct detect_alert *al;
    return detect_alerts(d, &al);
}

static void addr(struct flow_addr *a, const char *s)
{
    ck_assert_int_eq(flow_addr_parse(s, a), 0);
}

/* A SYN scan of `ports` ports of 10.0.0.20 from 203.0.113.66 over 5 s; open ports answer. */
static void syn_scan(struct detect *d, int ports, int open_every)
{
    for (int p = 1; p <= ports; p++) {
        int64_t t = (int64_t)T0 * US + (int64_t)p * 5 * US / ports;
        add(d, rec_at("203.0.113.66", 45121, "10.0.0.20", (uint16_t)p, 6, 0x02, 44, t));
        if (open_every && p % open_every == 0)
            add(d, rec_at("10.0.0.20", (uint16_t)p, "203.0.113.66", 45121, 6, 0x12, 44,
                          t + 1000));
        else
            add(d, rec_at("10.0.0.20", (uint16_t)p, "203.0.113.66", 45121, 6, 0x14, 40,
                          t + 1000));
    }
}

START_TEST(test_port_scan_raised_once)
{
    struct detect *d = detect_new(&cfg, 7);
    syn_scan(d, 300, 0);
    const struct detect_alert *a = NULL;
    ck_assert_uint_eq(count_kind(d, DETECT_PORT_SCAN, &a), 1);
    ck_assert_uint_eq(n_alerts(d), 1); /* nothing else: no sweep, no flood */
    struct flow_addr s, t;
    addr(&s, "203.0.113.66");
    addr(&t, "10.0.0.20");
    ck_assert(flow_addr_eq(&a->src, &s) && flow_addr_eq(&a->dst, &t));
    ck_assert_uint_eq(a->proto, 6);
    ck_assert_uint_ge(a->count, 270); /* an estimate of 300 */
    ck_assert_uint_le(a->count, 330);
    ck_assert_uint_eq(a->threshold, 100);
    /* raised at about the 100th port; every probe after it is in the alert */
    ck_assert_uint_ge(a->packets, 190);
    ck_assert_uint_le(a->packets, 215);
    ck_assert(detect_alert_active(d, a));
    struct detect_stats st;
    detect_stats(d, &st);
    ck_assert_uint_eq(st.raised, 1);
    ck_assert_uint_eq(st.active, 1);
    detect_free(d);
}
END_TEST

START_TEST(test_answered_ports_are_no_scan)
{
    /* a client talking to 300 open ports of one server: every SYN answered */
    struct detect *d = detect_new(&cfg, 7);
    syn_scan(d, 300, 1);
    ck_assert_uint_eq(n_alerts(d), 0);
    detect_free(d);
    /* 60 closed ports: below the threshold */
    d = detect_new(&cfg, 7);
    syn_scan(d, 60, 0);
    ck_assert_uint_eq(n_alerts(d), 0);
    detect_free(d);
    /* the threshold lowered */
    ck_assert_int_eq(detect_config_set(&cfg, "scan=40", NULL, 0), 0);
    d = detect_new(&cfg, 7);
    syn_scan(d, 60, 0);
    ck_assert_uint_eq(count_kind(d, DETECT_PORT_SCAN, NULL), 1);
    detect_free(d);
}
END_TEST

START_TEST(test_scan_in_exports)
{
    /* the same scan as SYN-only flow records, and the completed connections of real clients
     * (SYN|ACK|PSH|FIN in both directions) beside it */
    struct detect *d = detect_new(&cfg, 9);
    for (int p = 1; p <= 200; p++) {
        struct flow_rec r = rec_at("198.51.100.9", 40000, "10.0.0.7", (uint16_t)p, 6, 0x02, 44,
                                   (int64_t)(T0 + p / 50) * US);
        r.flags |= FLOW_REC_EXPORTED;
        add(d, r);
        struct flow_rec c = rec_at("10.0.0.3", (uint16_t)(30000 + p), "10.0.0.7", (uint16_t)p,
                                   6, 0x1b, 4000, (int64_t)(T0 + p / 50) * US);
        c.packets = 8;
        c.first_us = c.last_us - 2 * US;
        add(d, c);
    }
    const struct detect_alert *a;
    ck_assert_uint_eq(count_kind(d, DETECT_PORT_SCAN, &a), 1);
    ck_assert_uint_eq(n_alerts(d), 1);
    struct flow_addr s;
    addr(&s, "198.51.100.9");
    ck_assert(flow_addr_eq(&a->src, &s));
    detect_free(d);
}
END_TEST

static void sweep(struct detect *d, int hosts, bool answered)
{
    for (int h = 1; h <= hosts; h++) {
        char dst[32];
        snprintf(dst, sizeof dst, "10.1.%d.%d", h / 250, h % 250 + 1);
        int64_t t = (int64_t)T0 * US + h * 20000;
        add(d, rec_at("10.0.0.5", 51000, dst, 22, 6, 0x02, 60, t));
        if (answered)
            add(d, rec_at(dst, 22, "10.0.0.5", 51000, 6, 0x12, 60, t + 500));
    }
}

START_TEST(test_host_sweep)
{
    struct detect *d = detect_new(&cfg, 3);
    sweep(d, 150, false);
    const struct detect_alert *a;
    ck_assert_uint_eq(count_kind(d, DETECT_HOST_SWEEP, &a), 1);
    ck_assert_uint_eq(n_alerts(d), 1);
    ck_assert_uint_eq(a->port, 22);
    ck_assert(a->has_src && !a->has_dst);
    ck_assert_uint_ge(a->count, 130);
    detect_free(d);
    d = detect_new(&cfg, 3); /* a monitoring box that reaches 150 servers that answer */
    sweep(d, 150, true);
    ck_assert_uint_eq(n_alerts(d), 0);
    detect_free(d);
    /* ICMP echo to many hosts (ping sweep), no replies */
    d = detect_new(&cfg, 3);
    for (int h = 1; h <= 100; h++) {
        char dst[32];
        snprintf(dst, sizeof dst, "10.2.0.%d", h);
        struct flow_rec r = rec_at("10.0.0.9", 0, dst, 0, 1, 0, 84, (int64_t)T0 * US + h * 1000);
        r.icmp_type = 8 << 8;
        add(d, r);
    }
    ck_assert_uint_eq(count_kind(d, DETECT_HOST_SWEEP, &a), 1);
    ck_assert_uint_eq(a->proto, 1);
    detect_free(d);
}
END_TEST

/* `pps` packets a second for `secs` seconds to dst, from `nsrc` sources, starting at sec0. */
static void stream(struct detect *d, const char *dst, uint8_t proto, uint8_t flags, int nsrc,
                   int pps, int secs, uint32_t sec0, uint64_t bytes)
{
    for (int s = 0; s < secs; s++)
        for (int i = 0; i < pps; i++) {
            char src[32];
            int k = nsrc > 1 ? (i + s * pps) % nsrc : 0;
            snprintf(src, sizeof src, "198.18.%d.%d", k / 250, k % 250 + 1);
            struct flow_rec r =
                rec_at(src, (uint16_t)(1024 + i), dst, 53, proto, flags, bytes,
                       (int64_t)(sec0 + s) * US + (int64_t)i * US / pps);
            if (proto == 1)
                r.icmp_type = 8 << 8;
            add(d, r);
        }
}

START_TEST(test_udp_flood)
{
    struct detect *d = detect_new(&cfg, 5);
    stream(d, "10.0.0.20", 17, 0, 200, 1000, 3, T0, 60);
    const struct detect_alert *a;
    ck_assert_uint_eq(count_kind(d, DETECT_UDP_FLOOD, &a), 1);
    ck_assert_uint_eq(n_alerts(d), 1);
    ck_assert(!a->has_src && a->has_dst);
    ck_assert_uint_ge(a->peak, 1000);
    ck_assert_uint_ge(a->count, 16);
    /* raised at the 500th packet of the first second; the rest are in it */
    ck_assert_uint_eq(a->packets, 3000 - 499);
    ck_assert_uint_eq(a->bytes, (3000 - 499) * 60);
    detect_free(d);
}
END_TEST

START_TEST(test_benign_heavy_udp)
{
    /* one video stream at 3000 packets a second: one source, no flood */
    struct detect *d = detect_new(&cfg, 5);
    stream(d, "10.0.0.31", 17, 0, 1, 3000, 5, T0, 1200);
    ck_assert_uint_eq(count_kind(d, DETECT_UDP_FLOOD, NULL), 0);
    detect_free(d);
    /* a busy DNS server: 400/s from 300 clients for a minute, then 1.5 times that */
    d = detect_new(&cfg, 5);
    stream(d, "10.0.0.53", 17, 0, 300, 400, 60, T0, 70);
    stream(d, "10.0.0.53", 17, 0, 300, 600, 5, T0 + 60, 70);
    ck_assert_uint_eq(count_kind(d, DETECT_UDP_FLOOD, NULL), 0);
    detect_free(d);
    /* a busy server seen from the first second (no history): 2000 queries a second from
     * 300 clients, each answered */
    d = detect_new(&cfg, 5);
    for (int s = 0; s < 3; s++)
        for (int i = 0; i < 2000; i++) {
            char cli[32];
            snprintf(cli, sizeof cli, "198.18.%d.%d", (i % 300) / 250, (i % 300) % 250 + 1);
            int64_t t = (int64_t)(T0 + s) * US + (int64_t)i * 400;
            add(d, rec_at(cli, 40000, "10.0.0.53", 53, 17, 0, 70, t));
            add(d, rec_at("10.0.0.53", 53, cli, 40000, 17, 0, 200, t + 100));
        }
    ck_assert_uint_eq(n_alerts(d), 0);
    detect_free(d);
}
END_TEST

START_TEST(test_syn_and_icmp_floods)
{
    struct detect *d = detect_new(&cfg, 11);
    stream(d, "10.0.0.80", 6, 0x02, 500, 800, 2, T0, 40);
    stream(d, "10.0.0.81", 1, 0, 100, 400, 2, T0, 84);
    ck_assert_uint_eq(count_kind(d, DETECT_SYN_FLOOD, NULL), 1);
    ck_assert_uint_eq(count_kind(d, DETECT_ICMP_FLOOD, NULL), 1);
    /* the spoofed SYNs and pings from 600 sources to two hosts are also no sweep or scan */
    ck_assert_uint_eq(n_alerts(d), 2);
    detect_free(d);
    /* turned off */
    ck_assert_int_eq(detect_config_set(&cfg, "syn=off", NULL, 0), 0);
    d = detect_new(&cfg, 11);
    stream(d, "10.0.0.80", 6, 0x02, 500, 800, 2, T0, 40);
    ck_assert_uint_eq(n_alerts(d), 0);
    detect_free(d);
}
END_TEST

START_TEST(test_sampled_export_flood)
{
    /* 1:100 sampled exports: each record is 10 sampled packets scaled to 1000, over 0.5 s */
    struct detect *d = detect_new(&cfg, 13);
    for (int i = 0; i < 20; i++) {
        char src[32];
        snprintf(src, sizeof src, "198.19.0.%d", i + 1);
        struct flow_rec r = rec_at(src, 40000, "10.0.0.9", 9999, 17, 0, 60000, (T0 + 1) * US);
        r.packets = 1000;
        r.sampling = 100;
        r.first_us = r.last_us - US / 2;
        r.flags |= FLOW_REC_EXPORTED;
        add(d, r);
    }
    ck_assert_uint_eq(count_kind(d, DETECT_UDP_FLOOD, NULL), 1);
    detect_free(d);
    /* a long flow exported at its end counts as its rate, not all at once: 20 sources of
     * 60 s flows of 6000 packets are 2000 packets a second, one flood; 20 of 600 s are 200 */
    d = detect_new(&cfg, 13);
    for (int i = 0; i < 20; i++) {
        char src[32];
        snprintf(src, sizeof src, "198.19.0.%d", i + 1);
        struct flow_rec r = rec_at(src, 40000, "10.0.0.9", 9999, 17, 0, 360000, (T0 + 1) * US);
        r.packets = 6000;
        r.first_us = r.last_us - 600 * US;
        add(d, r);
    }
    ck_assert_uint_eq(n_alerts(d), 0);
    detect_free(d);
}
END_TEST

START_TEST(test_unfamiliar_destination)
{
    ck_assert_int_eq(detect_config_set(&cfg, "unfamiliar=1000", NULL, 0), 0);
    cfg.learn_s = 10;
    struct detect *d = detect_new(&cfg, 17);
    struct detect_stats st;
    for (int s = 0; s < 10; s++)
        stream(d, "192.0.2.10", 6, 0x10, 1, 50, 1, T0 + (uint32_t)s, 600);
    detect_stats(d, &st);
    ck_assert(st.learning);
    ck_assert_uint_eq(st.learn_left_s, 1);
    /* after: much more to the known address, and 1500 packets to a new one */
    stream(d, "192.0.2.10", 6, 0x10, 1, 2000, 1, T0 + 10, 600);
    detect_stats(d, &st);
    ck_assert(!st.learning);
    ck_assert_uint_eq(n_alerts(d), 0);
    stream(d, "203.0.113.200", 6, 0x10, 1, 1500, 1, T0 + 11, 600);
    const struct detect_alert *a;
    ck_assert_uint_eq(count_kind(d, DETECT_UNFAMILIAR, &a), 1);
    ck_assert_uint_eq(n_alerts(d), 1);
    struct flow_addr t;
    addr(&t, "203.0.113.200");
    ck_assert(flow_addr_eq(&a->dst, &t));
    ck_assert_uint_eq(a->packets, 1500); /* all of it, from the first contact */
    ck_assert_uint_eq(a->bytes, 1500 * 600);
    detect_free(d);
}
END_TEST

/* 10.0.0.7 sends `bps` bytes a second as 10 records a second for `secs` seconds. */
static void talk(struct detect *d, uint64_t bytes_per_s, int secs, uint32_t sec0)
{
    for (int s = 0; s < secs; s++)
        for (int i = 0; i < 10; i++)
            add(d, rec_at("10.0.0.7", 40000, "192.0.2.44", 443, 6, 0x10, bytes_per_s / 10,
                          (int64_t)(sec0 + s) * US + i * 100000));
}

START_TEST(test_sudden_talker)
{
    cfg.enabled[DETECT_UNFAMILIAR] = false;
    struct detect *d = detect_new(&cfg, 19);
    talk(d, 20000, 60, T0);          /* 160 kbit/s for a minute */
    ck_assert_uint_eq(n_alerts(d), 0);
    talk(d, 5000000, 5, T0 + 60);    /* then 40 Mbit/s */
    const struct detect_alert *a;
    ck_assert_uint_eq(count_kind(d, DETECT_TALKER, &a), 1);
    ck_assert_uint_ge(a->peak, 10000000);
    detect_free(d);
    /* always that loud: no jump, no alert */
    d = detect_new(&cfg, 19);
    talk(d, 5000000, 90, T0);
    ck_assert_uint_eq(n_alerts(d), 0);
    detect_free(d);
}
END_TEST

START_TEST(test_alert_ends_and_list_bounds)
{
    cfg.max_alerts = 2;
    ck_assert_int_eq(detect_config_set(&cfg, "sweep=10", NULL, 0), 0);
    struct detect *d = detect_new(&cfg, 23);
    const char *srcs[3] = {"10.9.0.1", "10.9.0.2", "10.9.0.3"};
    for (int k = 0; k < 3; k++)
        for (int h = 1; h <= 20; h++) {
            char dst[32];
            snprintf(dst, sizeof dst, "10.3.%d.%d", k, h);
            add(d, rec_at(srcs[k], 50000, dst, 445, 6, 0x02, 40, (int64_t)T0 * US + h));
        }
    struct detect_stats st;
    detect_stats(d, &st);
    ck_assert_uint_eq(st.raised, 2);
    ck_assert_uint_eq(st.dropped, 1); /* the list is full of active alerts */
    const struct detect_alert *al;
    ck_assert_uint_eq(detect_alerts(d, &al), 2);
    detect_advance(d, T0 + DETECT_QUIET_S + 1);
    ck_assert(!detect_alert_active(d, &al[0]));
    detect_stats(d, &st);
    ck_assert_uint_eq(st.active, 0);
    /* a new one takes the place of the oldest ended one */
    for (int h = 1; h <= 20; h++) {
        char dst[32];
        snprintf(dst, sizeof dst, "10.4.0.%d", h);
        add(d, rec_at("10.9.0.4", 50000, dst, 445, 6, 0x02, 40,
                      (int64_t)(T0 + DETECT_QUIET_S + 2) * US + h));
    }
    detect_stats(d, &st);
    ck_assert_uint_eq(st.raised, 3);
    ck_assert_uint_eq(st.expired, 1);
    ck_assert_uint_eq(detect_alerts(d, &al), 2);
    ck_assert_uint_eq(al[0].id, 2);
    ck_assert_uint_eq(al[1].id, 3);
    detect_free(d);
}
END_TEST

START_TEST(test_spoofed_flood_memory_bounded)
{
    cfg.slots = 4096;
    struct detect *d = detect_new(&cfg, 29);
    struct detect_stats st;
    detect_stats(d, &st);
    size_t mem0 = st.memory;
    /* 200,000 distinct spoofed sources, 2000 a second, at one host */
    for (uint32_t i = 0; i < 200000; i++) {
        struct flow_rec r = rec_at("10.0.0.1", 2000, "10.0.0.20", 53, 17, 0, 60,
                                   (int64_t)T0 * US + (int64_t)i * 500);
        uint8_t v4[4] = {(uint8_t)(100 + (i >> 16)), (uint8_t)(i >> 8), (uint8_t)i, 1};
        flow_addr_set_v4(&r.src, v4);
        add(d, r);
    }
    detect_stats(d, &st);
    ck_assert_uint_eq(st.memory, mem0);
    ck_assert_uint_gt(st.evicted[DETECT_TALKER], 150000);
    ck_assert_uint_eq(count_kind(d, DETECT_UDP_FLOOD, NULL), 1);
    ck_assert_uint_eq(st.records, 200000);
    detect_free(d);
}
END_TEST

static int raised_calls;
static uint64_t raised_packets;
static void on_raise(void *ctx, const struct detect_alert *a)
{
    (void)ctx;
    raised_calls++;
    raised_packets = a->packets;
}

START_TEST(test_raise_hook_once)
{
    struct detect *d = detect_new(&cfg, 31);
    detect_on_raise(d, on_raise, NULL);
    raised_calls = 0;
    syn_scan(d, 300, 0);
    ck_assert_int_eq(raised_calls, 1);
    ck_assert_uint_eq(raised_packets, 1); /* told at the end of the batch that raised it */
    detect_free(d);
}
END_TEST

START_TEST(test_config_parse)
{
    char err[256];
    ck_assert_int_eq(detect_config_set(&cfg, "talker=50", err, sizeof err), 0);
    ck_assert_uint_eq(cfg.talker_bps, 50000000);
    ck_assert_int_eq(detect_config_set(&cfg, "unfamiliar-bytes=3", err, sizeof err), 0);
    ck_assert_uint_eq(cfg.unfamiliar_bytes, 3000000);
    ck_assert_int_eq(detect_config_set(&cfg, "udp=off", err, sizeof err), 0);
    ck_assert(!cfg.enabled[DETECT_UDP_FLOOD]);
    ck_assert_int_eq(detect_config_set(&cfg, "udp=900", err, sizeof err), 0);
    ck_assert(cfg.enabled[DETECT_UDP_FLOOD]);
    ck_assert_uint_eq(cfg.udp_pps, 900);
    ck_assert_int_eq(detect_config_set(&cfg, "portscan=3", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "unknown detector"));
    ck_assert_int_eq(detect_config_set(&cfg, "scan", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "scan=200"));
    ck_assert_int_eq(detect_config_set(&cfg, "scan=0", err, sizeof err), -1);
    ck_assert_int_eq(detect_config_set(&cfg, "scan=12x", err, sizeof err), -1);
    ck_assert_int_eq(detect_config_set(&cfg, "scan=-5", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "whole number"));
    ck_assert_int_eq(detect_config_set(&cfg, "factor=off", err, sizeof err), -1);
    for (int k = 0; k < DETECT_K_MAX; k++)
        cfg.enabled[k] = false;
    ck_assert_ptr_null(detect_new(&cfg, 1));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("detect");
    TCase *tc = tcase_create("detect");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_port_scan_raised_once);
    tcase_add_test(tc, test_answered_ports_are_no_scan);
    tcase_add_test(tc, test_scan_in_exports);
    tcase_add_test(tc, test_host_sweep);
    tcase_add_test(tc, test_udp_flood);
    tcase_add_test(tc, test_benign_heavy_udp);
    tcase_add_test(tc, test_syn_and_icmp_floods);
    tcase_add_test(tc, test_sampled_export_flood);
    tcase_add_test(tc, test_unfamiliar_destination);
    tcase_add_test(tc, test_sudden_talker);
    tcase_add_test(tc, test_alert_ends_and_list_bounds);
    tcase_add_test(tc, test_spoofed_flood_memory_bounded);
    tcase_add_test(tc, test_raise_hook_once);
    tcase_add_test(tc, test_config_parse);
    suite_add_tcase(s, tc);
    return check_run(s);
}
