/*
 * mkseeds.c - writes seed inputs for the fuzz_nf* targets, built with the project's own
 * encoders: tests/fuzz/mkseeds DIR writes DIR/v5-*, DIR/v9-*, DIR/ipfix-* in the targets'
 * input format ([ctl][len16][datagram]...).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfenc.h"
#include "nfenc5.h"

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

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkseeds DIR\n");
        return 2;
    }
    static struct nfenc m;
    static struct nfenc5 m5;

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
    return 0;
}
