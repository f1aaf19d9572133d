/*
 * mkseeds.c - writes seed inputs for the fuzz_nf* targets, built with the project's own
 * encoders: tests/fuzz/mkseeds DIR writes DIR/v5-*, DIR/v9-*, DIR/ipfix-* in the targets'
 * input format ([ctl][len16][datagram]...), and DIR/v9-shape-*, DIR/ipfix-shape-* for the
 * record shapes of real router exports (nfenc.h), and DIR/sflow-* (sfenc.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfenc.h"
#include "nfenc5.h"
#include "sfenc.h"

static void put(FILE *f, uint8_t ctl, const uint8_t *p, size_t n)
{
    uint8_t h[3] = {ctl, (uint8_t)(n >> 8), (uint8_t)n};
    fwrite(h, 1, 3, f);
    fwrite(p, 1, n, f);
}

static FILE *open_seed(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    return f;
}

static const struct nfenc_field v4_fields[] = {
    {8, 4, 0}, {12, 4, 0}, {7, 2, 0}, {11, 2, 0}, {4, 1, 0}, {6, 1, 0},
    {1, 4, 0}, {2, 4, 0},  {22, 4, 0}, {21, 4, 0}, {10, 2, 0}, {14, 2, 0},
};

static void v4_record(struct nfenc *m, uint32_t first, uint32_t last)
{
    nfenc_v4(m, "10.0.0.1");
    nfenc_v4(m, "192.0.2.7");
    nfenc_u16(m, 51000);
    nfenc_u16(m, 443);
    nfenc_u8(m, 6);
    nfenc_u8(m, 0x1b);
    nfenc_u32(m, 15000);
    nfenc_u32(m, 12);
    nfenc_u32(m, first);
    nfenc_u32(m, last);
    nfenc_u16(m, 3);
    nfenc_u16(m, 4);
}

/* The record shapes of real router exports (nfenc.h shapes: dual-family templates, v9
 * variable-length fields with 1- and 3-byte prefixes and one past its set, zero counts,
 * packet-less and self-talk records), one seed per shape and version. */
static void shape_seeds(const char *dir, struct nfenc *m)
{
    static const struct nfenc_flow f[] = {
        {.src4 = "192.0.2.11", .dst4 = "10.10.0.35", .ip_version = 4, .proto = 6,
         .sport = 40000, .dport = 443, .bytes = 5000, .pkts = 5, .vrf = "red", .app = "http"},
        {.src6 = "2001:db8::1", .dst6 = "2001:db8::2", .ip_version = 6, .proto = 17,
         .sport = 53, .dport = 53, .bytes = 300, .pkts = 3, .vrf = "blue", .long_form = true},
        {.src4 = "198.51.100.1", .dst4 = "198.51.100.2", .src6 = "2001:db8::a",
         .dst6 = "2001:db8::b", .ip_version = 6, .proto = 47, .bytes = 2000, .pkts = 2},
        {.src4 = "0.0.0.0", .dst4 = "0.0.0.0", .proto = 0, .bytes = 0, .pkts = 0},
    };
    static const struct {
        const char *name;
        enum nfenc_shape s;
        bool past; /* a variable-length field past the set after the records */
    } shapes[] = {{"dual", NFENC_S_DUAL, false},     {"dualver", NFENC_S_DUAL_VER, false},
                  {"varlen", NFENC_S_VARLEN, false}, {"varlen-past", NFENC_S_VARLEN, true},
                  {"nopkt", NFENC_S_NOPKT, false},   {"selftalk-zero", NFENC_S_V4, false}};
    for (int ipfix = 0; ipfix < 2; ipfix++) {
        for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
            char name[64];
            snprintf(name, sizeof name, "%s-shape-%s", ipfix ? "ipfix" : "v9", shapes[i].name);
            FILE *out = open_seed(dir, name);
            if (ipfix)
                nfenc_ipfix(m, 1700000000, 0, 7);
            else
                nfenc_v9(m, 100000, 1700000000, 1, 0);
            nfenc_set_begin(m, ipfix ? 2 : 0);
            nfenc_shape_template(m, shapes[i].s, 400);
            nfenc_set_end(m);
            nfenc_set_begin(m, 400);
            for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
                nfenc_shape_record(m, shapes[i].s, &f[k]);
            if (shapes[i].past) {
                nfenc_zeros(m, 21);
                nfenc_u8(m, 255);
                nfenc_u16(m, 4000);
            }
            nfenc_set_end(m);
            put(out, ipfix ? 2 : 0, m->buf, nfenc_finish(m, 5));
            fclose(out);
        }
    }
}

/* sFlow v5: a flow sample with a raw IPv4/TCP header, an expanded one with a sampled IPv6
 * record, a counter sample; then the same agent's next datagram. */
static void sflow_seeds(const char *dir)
{
    static struct sfenc m;
    static const uint8_t ip4_tcp[40] = {0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0,
                                        10, 0, 0, 1, 10, 0, 0, 2, 0x04, 0xd2, 0, 80};
    struct sfenc_if k;
    FILE *f = open_seed(dir, "sflow-flow-counters");

    memset(&k, 0, sizeof k);
    k.ifindex = 3;
    k.speed = 1000000000u;
    k.in_octets = 123456;
    for (uint32_t seq = 1; seq <= 2; seq++) {
        sfenc_init(&m, "192.0.2.9", 0, seq, 1000 * seq);
        sfenc_flow_sample(&m, seq, 1, 100, 1000, 0, 1, 2, 1);
        sfenc_raw_header(&m, 11, 44, 4, ip4_tcp, sizeof ip4_tcp);
        sfenc_end(&m);
        sfenc_flow_sample_exp(&m, seq, 10, 100, 0, 5, 6, 1);
        sfenc_sampled_ipv6(&m, 900, 17, "2001:db8::1", "2001:db8::2", 53, 5353, 0);
        sfenc_end(&m);
        sfenc_counter_sample(&m, seq == 2, seq, 3, 1);
        sfenc_generic_counters(&m, &k);
        sfenc_end(&m);
        sfenc_finish(&m);
        put(f, seq == 2 ? 0x90 : 0, m.buf, m.len);
        k.in_octets += 1000000;
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkseeds DIR\n");
        return 2;
    }
    static struct nfenc m;
    static struct nfenc5 m5;

    sflow_seeds(argv[1]);

    /* v5: two records */
    struct nfenc5_hdr h5;
    struct nfenc5_rec r5;
    nfenc5_hdr_default(&h5);
    nfenc5_rec_default(&r5);
    nfenc5_init(&m5, &h5);
    nfenc5_add(&m5, &r5);
    nfenc5_add(&m5, &r5);
    FILE *f = open_seed(argv[1], "v5-two-records");
    put(f, 0, m5.buf, m5.len);
    fclose(f);

    /* v9: template and data in one datagram; then data alone; then options with sampling */
    f = open_seed(argv[1], "v9-template-data");
    nfenc_v9(&m, 100000, 1700000000, 1, 0);
    nfenc_set_begin(&m, 0);
    nfenc_template(&m, 256, v4_fields, sizeof v4_fields / sizeof v4_fields[0]);
    nfenc_set_end(&m);
    nfenc_set_begin(&m, 256);
    v4_record(&m, 90000, 99000);
    v4_record(&m, 95000, 99500);
    nfenc_set_end(&m);
    put(f, 0, m.buf, nfenc_finish(&m, 3));
    nfenc_v9(&m, 101000, 1700000001, 2, 0);
    nfenc_set_begin(&m, 256);
    v4_record(&m, 99000, 100900);
    nfenc_set_end(&m);
    put(f, 0x80 | 0x10, m.buf, nfenc_finish(&m, 1));
    static const struct nfenc_field opt[] = {{1, 4, 0}, {34, 4, 0}, {35, 1, 0}};
    nfenc_v9(&m, 102000, 1700000002, 3, 0);
    nfenc_set_begin(&m, 1);
    nfenc_options_template(&m, 257, opt, 3, 1);
    nfenc_set_end(&m);
    nfenc_set_begin(&m, 257);
    nfenc_u32(&m, 0);
    nfenc_u32(&m, 100);
    nfenc_u8(&m, 1);
    nfenc_set_end(&m);
    put(f, 0, m.buf, nfenc_finish(&m, 2));
    fclose(f);

    /* IPFIX: enterprise and variable-length fields, absolute times, a withdrawal */
    static const struct nfenc_field ix[] = {
        {8, 4, 0},    {12, 4, 0},   {7, 2, 0},  {11, 2, 0},       {4, 1, 0},
        {1, 8, 0},    {2, 8, 0},    {152, 8, 0}, {153, 8, 0},     {82, NFENC_VARLEN, 0},
        {1, 8, 29305}, {100, 4, 9},
    };
    f = open_seed(argv[1], "ipfix-template-data");
    nfenc_ipfix(&m, 1700000000, 0, 7);
    nfenc_set_begin(&m, 2);
    nfenc_template(&m, 300, ix, sizeof ix / sizeof ix[0]);
    nfenc_set_end(&m);
    nfenc_set_begin(&m, 300);
    nfenc_v4(&m, "10.0.0.2");
    nfenc_v4(&m, "198.51.100.9");
    nfenc_u16(&m, 40000);
    nfenc_u16(&m, 53);
    nfenc_u8(&m, 17);
    nfenc_uint(&m, 300, 8);
    nfenc_uint(&m, 2, 8);
    nfenc_uint(&m, 1699999999000ULL, 8);
    nfenc_uint(&m, 1699999999500ULL, 8);
    nfenc_varlen(&m, "eth0", 4, false);
    nfenc_uint(&m, 900, 8);
    nfenc_u32(&m, 1);
    nfenc_set_end(&m);
    put(f, 2, m.buf, nfenc_finish(&m, 0));
    nfenc_ipfix(&m, 1700000001, 1, 7);
    nfenc_set_begin(&m, 2);
    nfenc_withdraw(&m, 300);
    nfenc_set_end(&m);
    put(f, 2, m.buf, nfenc_finish(&m, 0));
    fclose(f);
    shape_seeds(argv[1], &m);
    return 0;
}
