/*
 * check_sflow.c - Check suite for the sFlow v5 decoder (src/ingest/sflow.c, sflow_counters.c)
 * through the public collector API.
 *
 * Datagrams are built with tests/support/sfenc.h (sampled headers with frames.h), copied to
 * exact-size heap blocks (so ASan sees an over-read) and fed to nf_collector_input with a
 * fixed arrival clock. Each test asserts the return value, every reason counter (those not
 * named must stay 0), and the exact records the recording sink got: totals scaled by the
 * sampling rate, the agent as exporter, counters and the rates derived from them, and one
 * reason for each malformed shape.
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
#include "frames.h"
#include "sfenc.h"

#define NOW_US INT64_C(1700000000000000)
#define MAXREC 8192
#define AGENT "198.51.100.7"
#define SENDER "192.0.2.1"

struct rec_sink {
    struct flow_rec r[MAXREC];
    size_t n;
};

static struct rec_sink rs;
static struct nf_collector *col;
static struct nf_config cfg;
static struct sfenc m;
static struct frame fr;

static void rec_emit(void *ctx, const struct flow_rec *r, size_t n)
{
    struct rec_sink *s = ctx;
    for (size_t i = 0; i < n && s->n < MAXREC; i++)
        s->r[s->n++] = r[i];
}

static void setup(void)
{
    memset(&rs, 0, sizeof rs);
    nf_config_default(&cfg);
    col = nf_collector_new(&cfg, (struct flow_sink){rec_emit, &rs});
}

static void teardown(void)
{
    nf_collector_free(col);
    col = NULL;
}

static int feed_bytes_at(const uint8_t *buf, size_t len, int64_t now_us)
{
    struct flow_addr a;
    uint8_t *copy = malloc(len ? len : 1);
    int rc;

    ck_assert_ptr_nonnull(copy);
    memcpy(copy, buf, len);
    flow_addr_parse(SENDER, &a);
    rc = nf_collector_input(col, &a, 6343, copy, len, now_us);
    free(copy);
    return rc;
}

static int feed(void)
{
    ck_assert(!m.overflow);
    return feed_bytes_at(m.buf, m.len, NOW_US);
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

/* Ethernet / IPv4 / TCP frame with `payload` bytes after the TCP header into fr. */
static void tcp4_frame(const char *src, const char *dst, uint16_t sport, uint16_t dport,
                       size_t payload)
{
    frame_init(&fr);
    frame_eth(&fr, 0x0800);
    frame_ipv4(&fr, &(struct frame_ip4){.src = src, .dst = dst, .proto = 6});
    frame_tcp(&fr, sport, dport, FRAME_TCP_ACK, 0);
    frame_fill(&fr, 0xab, payload);
    ck_assert_int_eq(frame_finish(&fr), 0);
}

/* One flow sample holding the first `hlen` bytes of fr (the whole frame + 4 bytes FCS on
 * the wire, FCS stripped). */
static void add_header_sample(uint32_t rate, uint32_t hlen, uint32_t in, uint32_t out)
{
    if (hlen > fr.len)
        hlen = (uint32_t)fr.len;
    sfenc_flow_sample(&m, 1, 3, rate, 1000, 7, in, out, 1);
    sfenc_raw_header(&m, 1, (uint32_t)fr.len + 4, 4, fr.buf, hlen);
    sfenc_end(&m);
}

static struct nf_exporter_info the_agent(void)
{
    struct nf_exporter_info e;
    ck_assert_uint_eq(nf_collector_exporters(col, &e, 1), 1);
    return e;
}

/* ---- flow samples ---- */

START_TEST(raw_header_scaled)
{
    tcp4_frame("10.0.0.1", "10.0.0.2", 40000, 443, 1000); /* IP total length 1040 */
    sfenc_init(&m, AGENT, 3, 1, 5000);
    add_header_sample(512, 128, 11, 12);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    EXPECT_NO_REASONS();
    ck_assert_uint_eq(rs.n, 1);
    const struct flow_rec *r = &rs.r[0];
    expect_addr(&r->src, "10.0.0.1");
    expect_addr(&r->dst, "10.0.0.2");
    expect_addr(&r->exporter, AGENT);
    ck_assert_uint_eq(r->sport, 40000);
    ck_assert_uint_eq(r->dport, 443);
    ck_assert_uint_eq(r->proto, 6);
    ck_assert_uint_eq(r->bytes, 1040u * 512);
    ck_assert_uint_eq(r->packets, 512);
    ck_assert_uint_eq(r->sampling, 512);
    ck_assert_uint_eq(r->in_if, 11);
    ck_assert_uint_eq(r->out_if, 12);
    ck_assert_uint_eq(r->domain, 3);
    ck_assert(r->flags & FLOW_REC_EXPORTED);

    struct nf_exporter_info e = the_agent();
    expect_addr(&e.addr, AGENT);
    ck_assert_uint_eq(e.domain, 3);
    ck_assert_uint_eq(e.version, NF_VERSION_SFLOW5);
    ck_assert_uint_eq(e.sampling, 512);
    ck_assert_uint_eq(e.sflow_samples, 1);
    ck_assert_uint_eq(e.sflow_pool, 1000);
    ck_assert_uint_eq(e.sflow_drops, 7);
    ck_assert_uint_eq(e.records, 1);
    ck_assert_uint_eq(e.bytes, 1040u * 512);
}
END_TEST

/* Many samples of different sizes and rates in one datagram: totals are exact. */
START_TEST(totals_exact)
{
    uint64_t want_bytes = 0, want_pkts = 0;

    sfenc_init(&m, AGENT, 0, 1, 5000);
    for (uint32_t i = 0; i < 20; i++) {
        uint32_t rate = 1 + i * 7;
        tcp4_frame("10.0.0.1", "10.0.0.9", (uint16_t)(1000 + i), 80, i * 50);
        add_header_sample(rate, 128, 1, 2);
        want_bytes += (uint64_t)(40 + i * 50) * rate;
        want_pkts += rate;
    }
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    EXPECT_NO_REASONS();
    ck_assert_uint_eq(rs.n, 20);
    uint64_t b = 0, p = 0;
    for (size_t i = 0; i < rs.n; i++) {
        b += rs.r[i].bytes;
        p += rs.r[i].packets;
    }
    ck_assert_uint_eq(b, want_bytes);
    ck_assert_uint_eq(p, want_pkts);
    ck_assert_uint_eq(nf_collector_counters(col)->bytes, want_bytes);
    ck_assert_uint_eq(nf_collector_counters(col)->packets, want_pkts);
}
END_TEST

/* A header cut at 64 bytes of a 1500-byte packet: bytes are still the IP total length. */
START_TEST(truncated_header_counts_ip_length)
{
    tcp4_frame("10.0.0.1", "10.0.0.2", 1234, 80, 1460); /* IP total length 1500 */
    sfenc_init(&m, AGENT, 0, 1, 5000);
    add_header_sample(10, 64, 1, 2);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    EXPECT_NO_REASONS();
    ck_assert_uint_eq(rs.n, 1);
    ck_assert_uint_eq(rs.r[0].bytes, 15000);
}
END_TEST

/* An agent that reports as `stripped` what it left out after the header (frame_length -
 * header_length): the IP length still counts. */
START_TEST(stripped_past_header)
{
    tcp4_frame("10.0.0.1", "10.0.0.2", 1234, 80, 1304); /* IP total length 1344 */
    sfenc_init(&m, AGENT, 0, 1, 5000);
    sfenc_flow_sample(&m, 1, 0, 256, 0, 0, 1, 2, 1);
    sfenc_raw_header(&m, 1, (uint32_t)fr.len + 4, (uint32_t)fr.len + 4 - 128, fr.buf, 128);
    sfenc_end(&m);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    EXPECT_NO_REASONS();
    ck_assert_uint_eq(rs.n, 1);
    ck_assert_uint_eq(rs.r[0].bytes, 1344u * 256);
}
END_TEST

/* An IP length that claims more than the frame (the capture path's ip_len_mismatch): the
 * sampled packet counts what the frame holds, its FCS not included, as capture counts it. */
START_TEST(ip_length_past_frame_clamped_without_fcs)
{
    frame_init(&fr);
    frame_eth(&fr, 0x0800);
    frame_ipv4(&fr, &(struct frame_ip4){.src = "10.31.0.1", .dst = "10.31.0.2", .proto = 1,
                                        .set_total_len = true, .total_len = 1000});
    frame_fill(&fr, 0, 72); /* 92 bytes of IP in the frame, 1000 claimed */
    ck_assert_int_eq(frame_finish(&fr), 0);
    sfenc_init(&m, AGENT, 0, 1, 5000);
    add_header_sample(1, 128, 1, 2); /* frame_length = frame + 4 (FCS), stripped 4 */
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rs.n, 1);
    ck_assert_uint_eq(rs.r[0].bytes, 92);
}
END_TEST

START_TEST(expanded_ipv6_header)
{
    frame_init(&fr);
    frame_ipv6(&fr, &(struct frame_ip6){.src = "2001:db8::1", .dst = "2001:db8::2", .next = 17});
    frame_udp(&fr, 5353, 53);
    frame_fill(&fr, 0, 100);
    ck_assert_int_eq(frame_finish(&fr), 0); /* IPv6 payload 108: 148 bytes */
    sfenc_init(&m, "2001:db8::ff", 1, 9, 5000);
    sfenc_flow_sample_exp(&m, 1, 4, 100, 0, 70000, 70001, 1);
    sfenc_raw_header(&m, 12, (uint32_t)fr.len, 0, fr.buf, (uint32_t)fr.len);
    sfenc_end(&m);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    EXPECT_NO_REASONS();
    ck_assert_uint_eq(rs.n, 1);
    expect_addr(&rs.r[0].src, "2001:db8::1");
    expect_addr(&rs.r[0].exporter, "2001:db8::ff");
    ck_assert_uint_eq(rs.r[0].proto, 17);
    ck_assert_uint_eq(rs.r[0].dport, 53);
    ck_assert_uint_eq(rs.r[0].bytes, 148u * 4);
    ck_assert_uint_eq(rs.r[0].packets, 4);
    ck_assert_uint_eq(rs.r[0].in_if, 70000); /* expanded: 32-bit ifIndex */
    ck_assert_uint_eq(rs.r[0].out_if, 70001);
}
END_TEST

/* Without a raw header the sampled IPv4/IPv6 record is used; with both, the header wins. */
START_TEST(sampled_ip_records)
{
    sfenc_init(&m, AGENT, 0, 1, 5000);
    sfenc_flow_sample(&m, 1, 0, 3, 0, 0, 1, 2, 1);
    sfenc_sampled_ipv4(&m, 700, 17, "10.1.1.1", "10.1.1.2", 1111, 2222, 0);
    sfenc_end(&m);
    sfenc_flow_sample(&m, 2, 0, 5, 0, 0, 1, 2, 1);
    sfenc_sampled_ipv6(&m, 900, 6, "2001:db8::5", "2001:db8::6", 3333, 4444, 0x12);
    sfenc_end(&m);
    tcp4_frame("10.0.0.1", "10.0.0.2", 1, 2, 0); /* 40 bytes */
    sfenc_flow_sample(&m, 3, 0, 2, 0, 0, 1, 2, 2);
    sfenc_sampled_ipv4(&m, 9999, 17, "10.9.9.9", "10.9.9.8", 1, 1, 0);
    sfenc_raw_header(&m, 1, (uint32_t)fr.len, 0, fr.buf, (uint32_t)fr.len);
    sfenc_end(&m);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    EXPECT_NO_REASONS();
    ck_assert_uint_eq(rs.n, 3);
    expect_addr(&rs.r[0].src, "10.1.1.1");
    ck_assert_uint_eq(rs.r[0].sport, 1111);
    ck_assert_uint_eq(rs.r[0].bytes, 2100);
    ck_assert_uint_eq(rs.r[0].packets, 3);
    expect_addr(&rs.r[1].dst, "2001:db8::6");
    ck_assert_uint_eq(rs.r[1].tcp_flags, 0x12);
    ck_assert_uint_eq(rs.r[1].bytes, 4500);
    expect_addr(&rs.r[2].src, "10.0.0.1");
    ck_assert_uint_eq(rs.r[2].bytes, 80);
}
END_TEST

/* Compact interface words: format 1 (discard) and 2 (several) give ifIndex 0. */
START_TEST(compact_interfaces)
{
    tcp4_frame("10.0.0.1", "10.0.0.2", 1, 2, 0);
    sfenc_init(&m, AGENT, 0, 1, 5000);
    add_header_sample(1, 128, 0x40000001u, 0x80000003u);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rs.n, 1);
    ck_assert_uint_eq(rs.r[0].in_if, 0);
    ck_assert_uint_eq(rs.r[0].out_if, 0);
}
END_TEST

START_TEST(sequence_loss_and_subagents)
{
    tcp4_frame("10.0.0.1", "10.0.0.2", 1, 2, 0);
    for (uint32_t seq = 1; seq <= 10; seq++) {
        if (seq == 4 || seq == 5)
            continue; /* two datagrams lost */
        sfenc_init(&m, AGENT, 0, seq, 5000 + seq);
        add_header_sample(1, 128, 1, 2);
        sfenc_finish(&m);
        ck_assert_int_eq(feed(), 0);
    }
    sfenc_init(&m, AGENT, 1, 100, 5000); /* another sub-agent: its own sequence */
    add_header_sample(1, 128, 1, 2);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_SEQ_GAP);
    struct nf_exporter_info e[4];
    ck_assert_uint_eq(nf_collector_exporters(col, e, 4), 2);
    ck_assert_uint_eq(e[0].domain, 0);
    ck_assert_uint_eq(e[0].seq_lost, 2);
    ck_assert_uint_eq(e[0].datagrams, 8);
    ck_assert_uint_eq(e[1].domain, 1);
    ck_assert_uint_eq(e[1].seq_lost, 0);
    ck_assert_uint_eq(nf_collector_counters(col)->seq_lost, 2);
}
END_TEST

/* Flow samples lost between the agent and us: gaps in each data source's own sequence (an
 * agent interleaves its sources, so one sequence would see gaps that are none); pool and
 * drops summed over the sources' latest samples. */
START_TEST(samples_lost_per_source)
{
    static const uint32_t seq3[] = {1, 2, 3, 6, 7}, seq5[] = {10, 11, 12, 13, 14};
    tcp4_frame("10.0.0.1", "10.0.0.2", 1, 2, 0);
    for (int i = 0; i < 5; i++) {
        sfenc_init(&m, AGENT, 0, (uint32_t)i + 1, 5000);
        sfenc_flow_sample(&m, seq3[i], 3, 10, 1000 + (uint32_t)i, 1, 1, 2, 1);
        sfenc_raw_header(&m, 1, (uint32_t)fr.len + 4, 4, fr.buf, (uint32_t)fr.len);
        sfenc_end(&m);
        sfenc_flow_sample(&m, seq5[i], 5, 10, 2000 + (uint32_t)i, 2, 1, 2, 1);
        sfenc_raw_header(&m, 1, (uint32_t)fr.len + 4, 4, fr.buf, (uint32_t)fr.len);
        sfenc_end(&m);
        sfenc_finish(&m);
        ck_assert_int_eq(feed(), 0);
    }
    struct nf_exporter_info e = the_agent();
    ck_assert_uint_eq(e.sflow_samples, 10);
    ck_assert_uint_eq(e.sflow_samples_lost, 2); /* 4 and 5 of source 3 */
    ck_assert_uint_eq(e.seq_lost, 0);           /* no datagram lost */
    ck_assert_uint_eq(e.sflow_pool, 1004 + 2004);
    ck_assert_uint_eq(e.sflow_drops, 1 + 2);
}
END_TEST

START_TEST(sampling_zero_and_force)
{
    tcp4_frame("10.0.0.1", "10.0.0.2", 1, 2, 0);
    sfenc_init(&m, AGENT, 0, 1, 5000);
    add_header_sample(0, 128, 1, 2);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_SAMPLING_ZERO);
    ck_assert_uint_eq(rs.r[0].bytes, 40);
    teardown();

    memset(&rs, 0, sizeof rs);
    nf_config_default(&cfg);
    cfg.force_sampling = 1;
    col = nf_collector_new(&cfg, (struct flow_sink){rec_emit, &rs});
    sfenc_init(&m, AGENT, 0, 1, 5000);
    add_header_sample(1000, 128, 1, 2);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(rs.r[0].bytes, 40);
    ck_assert_uint_eq(rs.r[0].packets, 1);
}
END_TEST

/* ---- counter samples ---- */

static struct sfenc_if if_at(uint32_t ifindex, uint64_t in_octets, uint64_t out_octets)
{
    struct sfenc_if k;
    memset(&k, 0, sizeof k);
    k.ifindex = ifindex;
    k.iftype = 6;
    k.speed = 1000000000u;
    k.status = 3;
    k.in_octets = in_octets;
    k.out_octets = out_octets;
    k.in_ucast = 100;
    k.in_mcast = 2;
    k.in_bcast = 1;
    k.out_ucast = 50;
    k.in_errors = 4;
    k.out_discards = 5;
    return k;
}

START_TEST(counters_and_utilisation)
{
    struct sfenc_if k = if_at(7, 1000000, 2000000);

    sfenc_init(&m, AGENT, 0, 1, 10000);
    sfenc_counter_sample(&m, false, 1, 7, 1);
    sfenc_generic_counters(&m, &k);
    sfenc_end(&m);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);

    struct nf_interface_info x[4];
    ck_assert_uint_eq(nf_collector_interfaces(col, x, 4), 1);
    expect_addr(&x[0].agent, AGENT);
    ck_assert_uint_eq(x[0].ifindex, 7);
    ck_assert_uint_eq(x[0].speed_bps, 1000000000u);
    ck_assert_uint_eq(x[0].in_octets, 1000000);
    ck_assert_uint_eq(x[0].out_octets, 2000000);
    ck_assert_uint_eq(x[0].in_packets, 103);
    ck_assert_uint_eq(x[0].out_packets, 50);
    ck_assert_uint_eq(x[0].in_errors, 4);
    ck_assert_uint_eq(x[0].out_discards, 5);
    ck_assert_uint_eq(x[0].in_bps, 0); /* one sample: no rate yet */
    ck_assert_uint_eq(x[0].samples, 1);

    /* 20 s later (agent uptime), an expanded sample: +250 MB in, +25 MB out */
    k = if_at(7, 1000000 + 250000000u, 2000000 + 25000000u);
    sfenc_init(&m, AGENT, 0, 2, 30000);
    sfenc_counter_sample(&m, true, 2, 7, 1);
    sfenc_generic_counters(&m, &k);
    sfenc_end(&m);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    EXPECT_NO_REASONS();
    ck_assert_uint_eq(nf_collector_interfaces(col, x, 4), 1);
    ck_assert_uint_eq(x[0].in_bps, 100000000u);
    ck_assert_uint_eq(x[0].out_bps, 10000000u);
    ck_assert_uint_eq(x[0].in_util_permille, 100);
    ck_assert_uint_eq(x[0].out_util_permille, 10);
    ck_assert_uint_eq(x[0].samples, 2);
    ck_assert_uint_eq(the_agent().sflow_counter_samples, 2);
    ck_assert_uint_eq(rs.n, 0); /* counters are not flows */

    /* counters went backwards (agent restart): no rate for that interval */
    k = if_at(7, 10, 10);
    sfenc_init(&m, AGENT, 0, 3, 50000);
    sfenc_counter_sample(&m, false, 3, 7, 1);
    sfenc_generic_counters(&m, &k);
    sfenc_end(&m);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    ck_assert_uint_eq(nf_collector_interfaces(col, x, 4), 1);
    ck_assert_uint_eq(x[0].in_bps, 0);
    ck_assert_uint_eq(x[0].in_octets, 10);
}
END_TEST

START_TEST(interface_limit)
{
    for (uint32_t i = 0; i <= 4096; i++) {
        struct sfenc_if k = if_at(i + 1, i, i);
        sfenc_init(&m, AGENT, 0, i + 1, 10000 + i);
        sfenc_counter_sample(&m, false, i, i + 1, 1);
        sfenc_generic_counters(&m, &k);
        sfenc_end(&m);
        sfenc_finish(&m);
        ck_assert_int_eq(feed_bytes_at(m.buf, m.len, NOW_US + i), 0);
    }
    EXPECT_REASONS(NF_R_SFLOW_IF_LIMIT);
    ck_assert_uint_eq(nf_collector_interfaces(col, NULL, 0), 4096);
}
END_TEST

/* ---- malformed input: each shape has its reason ---- */

START_TEST(short_and_version)
{
    static const uint8_t v4[] = {0, 0, 0, 4, 0, 0, 0, 1};
    sfenc_init(&m, AGENT, 0, 1, 5000);
    sfenc_finish(&m);
    for (size_t len = 2; len < m.len; len++)
        ck_assert_int_lt(feed_bytes_at(m.buf, len, NOW_US), 0);
    EXPECT_REASONS(NF_R_SHORT, NF_R_SHORT, NF_R_SHORT, NF_R_SHORT, NF_R_SHORT, NF_R_SHORT,
                   NF_R_SHORT, NF_R_SHORT, NF_R_SHORT, NF_R_SHORT, NF_R_SHORT, NF_R_SHORT,
                   NF_R_SHORT, NF_R_SHORT, NF_R_SHORT, NF_R_SHORT, NF_R_SHORT, NF_R_SHORT,
                   NF_R_SHORT, NF_R_SHORT, NF_R_SHORT, NF_R_SHORT, NF_R_SHORT, NF_R_SHORT,
                   NF_R_SHORT, NF_R_SHORT);
    ck_assert_int_lt(feed_bytes_at(v4, sizeof v4, NOW_US), 0);
    ck_assert_uint_eq(nf_collector_counters(col)->count[NF_R_BAD_VERSION], 1);
    ck_assert_uint_eq(nf_collector_exporters(col, NULL, 0), 0);
}
END_TEST

START_TEST(bad_address_type)
{
    sfenc_init(&m, AGENT, 0, 1, 5000);
    sfenc_finish(&m);
    sfenc_put_u32(&m, 4, 3);
    ck_assert_int_lt(feed(), 0);
    EXPECT_REASONS(NF_R_SFLOW_BAD_ADDR);
    ck_assert_uint_eq(nf_collector_exporters(col, NULL, 0), 0);
}
END_TEST

START_TEST(sample_length_past_datagram)
{
    tcp4_frame("10.0.0.1", "10.0.0.2", 1, 2, 0);
    sfenc_init(&m, AGENT, 0, 1, 5000);
    add_header_sample(1, 128, 1, 2);
    size_t off = sfenc_begin(&m, 1);
    sfenc_u32(&m, 1);
    sfenc_end(&m);
    sfenc_finish(&m);
    sfenc_put_u32(&m, off, 1000);
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_SFLOW_SAMPLE_LEN);
    ck_assert_uint_eq(rs.n, 1); /* the sample before it still counts */
}
END_TEST

START_TEST(header_longer_than_record)
{
    tcp4_frame("10.0.0.1", "10.0.0.2", 1, 2, 0);
    sfenc_init(&m, AGENT, 0, 1, 5000);
    sfenc_flow_sample(&m, 1, 0, 1, 0, 0, 1, 2, 1);
    size_t off = sfenc_begin(&m, 1);
    sfenc_u32(&m, 1);
    sfenc_u32(&m, (uint32_t)fr.len);
    sfenc_u32(&m, 0);
    sfenc_u32(&m, (uint32_t)fr.len + 100); /* header_length */
    sfenc_opaque(&m, fr.buf, fr.len);
    sfenc_end(&m);
    sfenc_end(&m);
    sfenc_finish(&m);
    (void)off;
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_SFLOW_HEADER_LEN);
    ck_assert_uint_eq(rs.n, 0);
}
END_TEST

START_TEST(unknown_formats_skipped)
{
    tcp4_frame("10.0.0.1", "10.0.0.2", 1, 2, 0);
    sfenc_init(&m, AGENT, 0, 1, 5000);
    sfenc_begin(&m, 4300u << 12 | 1); /* another enterprise's sample */
    sfenc_u32(&m, 42);
    sfenc_end(&m);
    sfenc_begin(&m, 77); /* a standard sample format that does not exist */
    sfenc_u32(&m, 42);
    sfenc_end(&m);
    sfenc_flow_sample(&m, 1, 0, 1, 0, 0, 1, 2, 4);
    sfenc_begin(&m, 1001); /* extended switch: known, skipped silently */
    sfenc_u32(&m, 1);
    sfenc_u32(&m, 2);
    sfenc_u32(&m, 3);
    sfenc_u32(&m, 4);
    sfenc_end(&m);
    sfenc_begin(&m, 999); /* unknown record */
    sfenc_u32(&m, 0);
    sfenc_end(&m);
    sfenc_begin(&m, 9u << 12 | 1); /* another enterprise's record */
    sfenc_u32(&m, 0);
    sfenc_end(&m);
    sfenc_raw_header(&m, 1, (uint32_t)fr.len, 0, fr.buf, (uint32_t)fr.len);
    sfenc_end(&m);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_SFLOW_UNKNOWN_FORMAT, NF_R_SFLOW_UNKNOWN_FORMAT,
                   NF_R_SFLOW_UNKNOWN_FORMAT, NF_R_SFLOW_UNKNOWN_FORMAT);
    ck_assert(!nf_reason_is_drop(NF_R_SFLOW_UNKNOWN_FORMAT));
    ck_assert_uint_eq(rs.n, 1);
    ck_assert_uint_eq(rs.r[0].bytes, 40);
}
END_TEST

START_TEST(zero_length_sample_and_record)
{
    tcp4_frame("10.0.0.1", "10.0.0.2", 1, 2, 0);
    sfenc_init(&m, AGENT, 0, 1, 5000);
    sfenc_begin(&m, 1);
    sfenc_end(&m);
    sfenc_flow_sample(&m, 1, 0, 1, 0, 0, 1, 2, 2);
    sfenc_begin(&m, 1);
    sfenc_end(&m);
    sfenc_raw_header(&m, 1, (uint32_t)fr.len, 0, fr.buf, (uint32_t)fr.len);
    sfenc_end(&m);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_SFLOW_ZERO_LEN, NF_R_SFLOW_ZERO_LEN);
    ck_assert_uint_eq(rs.n, 1);
}
END_TEST

START_TEST(nested_lengths)
{
    tcp4_frame("10.0.0.1", "10.0.0.2", 1, 2, 0);
    /* a record whose length runs past its sample */
    sfenc_init(&m, AGENT, 0, 1, 5000);
    sfenc_flow_sample(&m, 1, 0, 1, 0, 0, 1, 2, 1);
    size_t off = sfenc_begin(&m, 1);
    sfenc_u32(&m, 1);
    sfenc_end(&m);
    sfenc_end(&m);
    /* a flow sample shorter than its fixed fields */
    sfenc_begin(&m, 1);
    sfenc_u32(&m, 1);
    sfenc_u32(&m, 2);
    sfenc_end(&m);
    /* a sampled IPv4 record shorter than its fields */
    sfenc_flow_sample(&m, 1, 0, 1, 0, 0, 1, 2, 1);
    sfenc_begin(&m, 3);
    sfenc_u32(&m, 100);
    sfenc_end(&m);
    sfenc_end(&m);
    /* a generic counter record shorter than 88 bytes */
    sfenc_counter_sample(&m, false, 1, 1, 1);
    sfenc_begin(&m, 1);
    sfenc_u32(&m, 1);
    sfenc_end(&m);
    sfenc_end(&m);
    sfenc_finish(&m);
    sfenc_put_u32(&m, off, 64);
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_SFLOW_NESTED_LEN, NF_R_SFLOW_NESTED_LEN, NF_R_SFLOW_NESTED_LEN,
                   NF_R_SFLOW_NESTED_LEN);
    ck_assert_uint_eq(rs.n, 0);
    ck_assert_uint_eq(nf_collector_interfaces(col, NULL, 0), 0);
}
END_TEST

START_TEST(too_many_samples_and_records)
{
    tcp4_frame("10.0.0.1", "10.0.0.2", 1, 2, 0);
    sfenc_init(&m, AGENT, 0, 1, 5000);
    add_header_sample(1, 128, 1, 2);
    sfenc_flow_sample(&m, 1, 0, 1, 0, 0, 1, 2, 100000); /* records announced */
    sfenc_raw_header(&m, 1, (uint32_t)fr.len, 0, fr.buf, (uint32_t)fr.len);
    sfenc_end(&m);
    sfenc_finish_n(&m, 0xffffffffu);
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_SFLOW_TOO_MANY, NF_R_SFLOW_TOO_MANY);
    ck_assert_uint_eq(rs.n, 2); /* what is there is read */
}
END_TEST

START_TEST(header_not_ip)
{
    frame_init(&fr);
    frame_eth(&fr, 0x0806); /* ARP */
    frame_fill(&fr, 0, 28);
    ck_assert_int_eq(frame_finish(&fr), 0);
    sfenc_init(&m, AGENT, 0, 1, 5000);
    add_header_sample(1, 128, 1, 2);
    sfenc_flow_sample(&m, 1, 0, 1, 0, 0, 1, 2, 1);
    sfenc_raw_header(&m, 5, (uint32_t)fr.len, 0, fr.buf, (uint32_t)fr.len); /* frame relay */
    sfenc_end(&m);
    sfenc_finish(&m);
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_SFLOW_HEADER_UNDECODED, NF_R_SFLOW_HEADER_UNDECODED);
    ck_assert_uint_eq(rs.n, 0);
}
END_TEST

START_TEST(trailing_bytes_note)
{
    sfenc_init(&m, AGENT, 0, 1, 5000);
    sfenc_finish(&m);
    sfenc_u32(&m, 0);
    ck_assert_int_eq(feed(), 0);
    EXPECT_REASONS(NF_R_TRAILING_BYTES);
}
END_TEST

/* Every prefix and every single-byte change of a rich datagram: no crash, no over-read
 * (ASan), never more records than samples. */
START_TEST(mutation_fuzz)
{
    static uint8_t buf[SFENC_MAX];
    struct sfenc_if k = if_at(3, 1, 2);

    tcp4_frame("10.0.0.1", "10.0.0.2", 1, 2, 30);
    sfenc_init(&m, AGENT, 0, 1, 5000);
    add_header_sample(7, 128, 1, 2);
    sfenc_flow_sample_exp(&m, 1, 4, 100, 0, 5, 6, 2);
    sfenc_sampled_ipv4(&m, 700, 17, "10.1.1.1", "10.1.1.2", 1111, 2222, 0);
    sfenc_raw_header(&m, 11, 70, 0, fr.buf + 14, (uint32_t)fr.len - 14);
    sfenc_end(&m);
    sfenc_counter_sample(&m, true, 1, 3, 1);
    sfenc_generic_counters(&m, &k);
    sfenc_end(&m);
    sfenc_finish(&m);
    ck_assert(!m.overflow);
    for (size_t len = 0; len <= m.len; len++)
        feed_bytes_at(m.buf, len, NOW_US);
    for (size_t i = 0; i < m.len; i++) {
        for (unsigned v = 0; v < 256; v += 51) {
            memcpy(buf, m.buf, m.len);
            buf[i] = (uint8_t)v;
            feed_bytes_at(buf, m.len, NOW_US);
        }
    }
    ck_assert_uint_le(rs.n, (m.len + 1 + m.len * 6) * 2);
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

static Suite *sflow_suite(void)
{
    Suite *s = suite_create("sflow");

    ADD_TESTS(s, "flows", raw_header_scaled, totals_exact, truncated_header_counts_ip_length, stripped_past_header,
              ip_length_past_frame_clamped_without_fcs, expanded_ipv6_header, sampled_ip_records, compact_interfaces,
              sequence_loss_and_subagents, samples_lost_per_source, sampling_zero_and_force);
    ADD_TESTS(s, "counters", counters_and_utilisation, interface_limit);
    ADD_TESTS(s, "malformed", short_and_version, bad_address_type, sample_length_past_datagram,
              header_longer_than_record, unknown_formats_skipped, zero_length_sample_and_record,
              nested_lengths, too_many_samples_and_records, header_not_ip, trailing_bytes_note);
    ADD_TESTS(s, "fuzz", mutation_fuzz);
    return s;
}

int main(void)
{
    return check_run(sflow_suite());
}
