/*
 * check_pcap_file.c - the in-place classic pcap reader, against files written by our own
 * writer (tests/support/pcapw.c) and hand-made headers for the other byte order and for
 * nanosecond files.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flowdrill/pcap_file.h"
#include "checkrun.h"
#include "pcapw.h"

static size_t slurp(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static uint8_t buf[1 << 16];

START_TEST(test_reads_own_writer)
{
    char path[] = "/tmp/fd-pcapfile-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    struct pcapw *w = pcapw_open(path, 1, 65535);
    uint8_t frame[100];
    for (int i = 0; i < 100; i++)
        frame[i] = (uint8_t)i;
    pcapw_write(w, 1700000000123456LL, frame, 60, 60);
    pcapw_write(w, 1700000001000001LL, frame, 100, 1514); /* cut by a snap length */
    ck_assert_int_eq(pcapw_close(w), 0);
    size_t n = slurp(path, buf, sizeof buf);
    unlink(path);

    struct pcap_file f;
    struct pcap_file_pkt p;
    ck_assert(pcap_file_is_classic(buf, n));
    ck_assert_int_eq(pcap_file_open(&f, buf, n), 0);
    ck_assert_int_eq(f.linktype, 1);
    ck_assert_int_eq(pcap_file_next(&f, &p), 1);
    ck_assert_int_eq(p.ts_us, 1700000000123456LL);
    ck_assert_uint_eq(p.caplen, 60);
    ck_assert_uint_eq(p.wirelen, 60);
    ck_assert_int_eq(p.data[59], 59);
    ck_assert_int_eq(pcap_file_next(&f, &p), 1);
    ck_assert_uint_eq(p.caplen, 100);
    ck_assert_uint_eq(p.wirelen, 1514);
    ck_assert_int_eq(pcap_file_next(&f, &p), 0);
    pcap_file_rewind(&f);
    ck_assert_int_eq(pcap_file_next(&f, &p), 1);
    ck_assert_int_eq(p.ts_us, 1700000000123456LL);

    /* cut inside the last record: an error, after the good one */
    ck_assert_int_eq(pcap_file_open(&f, buf, n - 10), 0);
    ck_assert_int_eq(pcap_file_next(&f, &p), 1);
    ck_assert_int_lt(pcap_file_next(&f, &p), 0);
    /* cut inside a record header */
    ck_assert_int_eq(pcap_file_open(&f, buf, 24 + 16 + 60 + 7), 0);
    ck_assert_int_eq(pcap_file_next(&f, &p), 1);
    ck_assert_int_lt(pcap_file_next(&f, &p), 0);
}
END_TEST

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

START_TEST(test_big_endian_nanoseconds)
{
    uint8_t b[24 + 16 + 4];
    memset(b, 0, sizeof b);
    be32(b, 0xa1b23c4d); /* nanosecond magic, written big-endian */
    be32(b + 16, 65535);
    be32(b + 20, 101);
    be32(b + 24, 1700000000);
    be32(b + 28, 999999999);
    be32(b + 32, 4);
    be32(b + 36, 40);
    struct pcap_file f;
    struct pcap_file_pkt p;
    ck_assert_int_eq(pcap_file_open(&f, b, sizeof b), 0);
    ck_assert_int_eq(f.linktype, 101);
    ck_assert_int_eq(pcap_file_next(&f, &p), 1);
    ck_assert_int_eq(p.ts_us, 1700000000999999LL);
    ck_assert_uint_eq(p.caplen, 4);
    ck_assert_uint_eq(p.wirelen, 40);
}
END_TEST

START_TEST(test_rejects_garbage)
{
    struct pcap_file f;
    struct pcap_file_pkt p;
    ck_assert_int_ne(pcap_file_open(&f, "not a pcap file at all!!", 24), 0);
    ck_assert_int_ne(pcap_file_open(&f, "\xd4\xc3\xb2\xa1", 4), 0);
    ck_assert(!pcap_file_is_classic(NULL, 0));
    /* pcapng section header block */
    uint8_t ng[28] = {0x0a, 0x0d, 0x0d, 0x0a};
    ck_assert(!pcap_file_is_classic(ng, sizeof ng));
    /* a record claiming 1 GiB */
    uint8_t b[24 + 16] = {0xd4, 0xc3, 0xb2, 0xa1};
    b[24 + 8 + 3] = 0x40;
    ck_assert_int_eq(pcap_file_open(&f, b, sizeof b), 0);
    ck_assert_int_lt(pcap_file_next(&f, &p), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pcap_file");
    TCase *tc = tcase_create("reader");
    tcase_add_test(tc, test_reads_own_writer);
    tcase_add_test(tc, test_big_endian_nanoseconds);
    tcase_add_test(tc, test_rejects_garbage);
    suite_add_tcase(s, tc);
    return check_run(s);
}
