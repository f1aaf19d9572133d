/*
 * check_pcap_shrink.c - a capture file truncated while `-r` reads it (issue 19, point 2).
 *
 * The file is truncated from inside the source's own sink callback, after the first batch
 * of packets has been read, so the point of the shrink is exact. The reader must not die of
 * SIGBUS; it stops at the last whole record inside the new size (or where it already was),
 * ends with PCAP_SOURCE_ETRUNC and a message that says the file shrank.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "flowdrill/packet.h"
#include "flowdrill/pcap_source.h"
#include "checkrun.h"
#include "frames.h"
#include "pcapw.h"

#define NPKT 400
#define CAPLEN 1000u
#define REC (16u + CAPLEN)
#define AT(i) (24u + REC * (unsigned)(i))

struct run {
    const char *path;
    off_t cut; /* < 0: no truncation */
    bool cut_done;
    int status;
    bool done;
};

static void write_capture(const char *path)
{
    struct pcapw *w = pcapw_open(path, 1, 65535);
    ck_assert_ptr_nonnull(w);
    for (int i = 0; i < NPKT; i++) {
        struct frame f;
        frame_init(&f);
        frame_eth(&f, 0x0800);
        struct frame_ip4 ip = {.src = "192.0.2.1", .dst = "198.51.100.2", .proto = 17};
        frame_ipv4(&f, &ip);
        frame_u16(&f, (uint16_t)(1000 + i));
        frame_u16(&f, 53);
        frame_u16(&f, (uint16_t)(CAPLEN - 34));
        frame_u16(&f, 0);
        frame_fill(&f, 0x5a, CAPLEN - 42);
        ck_assert_int_eq(frame_finish(&f), 0);
        ck_assert_uint_eq(f.len, CAPLEN);
        ck_assert_int_eq(pcapw_write(w, 1700000000000000LL + i, f.buf, CAPLEN, CAPLEN), 0);
    }
    ck_assert_int_eq(pcapw_close(w), 0);
}

static void on_emit(void *ctx, const struct flow_rec *recs, size_t n)
{
    (void)recs;
    (void)n;
    struct run *r = ctx;
    if (r->cut >= 0 && !r->cut_done) {
        ck_assert_int_eq(truncate(r->path, r->cut), 0);
        r->cut_done = true;
    }
}

static void on_done(struct pcap_source *src, int status, void *arg)
{
    (void)src;
    struct run *r = arg;
    r->status = status;
    r->done = true;
}

static uint64_t read_with_cut(off_t cut, int *status, char *msg, size_t msglen)
{
    char path[] = "/tmp/fd-shrink-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    write_capture(path);

    struct run r = {.path = path, .cut = cut};
    struct packet_stats stats;
    memset(&stats, 0, sizeof stats);
    struct pcap_source_config cfg = {.kind = PCAP_SOURCE_FILE, .name = path, .snaplen = 65535};
    struct pcap_source *src = NULL;
    char err[256] = "";
    uv_loop_t loop;
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    ck_assert_int_eq(pcap_source_open(&src, &cfg, &stats, (struct flow_sink){on_emit, &r}, err,
                                      sizeof err), 0);
    ck_assert_int_eq(pcap_source_start(src, &loop, on_done, &r), 0);
    while (!r.done && uv_run(&loop, UV_RUN_ONCE))
        ;
    ck_assert(r.done);
    uint64_t received = 0, kd = 0, id = 0;
    pcap_source_counters(src, &received, &kd, &id);
    snprintf(msg, msglen, "%s", r.status < 0 ? pcap_source_error(src) : "");
    *status = r.status;
    pcap_source_close(src, NULL, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
    unlink(path);
    return received;
}

static void expect_cut(off_t cut, uint64_t want)
{
    int status = 0;
    char msg[512];
    uint64_t got = read_with_cut(cut, &status, msg, sizeof msg);
    ck_assert_msg(got == want, "cut at %lld: read %llu packets, want %llu", (long long)cut,
                  (unsigned long long)got, (unsigned long long)want);
    ck_assert_int_eq(status, PCAP_SOURCE_ETRUNC);
    ck_assert_msg(strstr(msg, "shrank") != NULL, "message: %s", msg);
}

START_TEST(test_whole_file)
{
    int status = -1;
    char msg[512];
    ck_assert_uint_eq(read_with_cut(-1, &status, msg, sizeof msg), NPKT);
    ck_assert_int_eq(status, 0);
}
END_TEST

/* the first sink batch is 64 packets: those were read before the shrink */
START_TEST(test_cut_to_zero) { expect_cut(0, 64); }
END_TEST
START_TEST(test_cut_inside_header) { expect_cut(10, 64); }
END_TEST
START_TEST(test_cut_behind_reader) { expect_cut(AT(30) + 500, 64); }
END_TEST
START_TEST(test_cut_at_record_boundary) { expect_cut(AT(200), 200); }
END_TEST
START_TEST(test_cut_inside_record) { expect_cut(AT(300) + 500, 300); }
END_TEST
START_TEST(test_cut_inside_record_header) { expect_cut(AT(301) + 8, 301); }
END_TEST

int main(void)
{
    Suite *s = suite_create("pcap_shrink");
    TCase *tc = tcase_create("shrink");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_whole_file);
    tcase_add_test(tc, test_cut_to_zero);
    tcase_add_test(tc, test_cut_inside_header);
    tcase_add_test(tc, test_cut_behind_reader);
    tcase_add_test(tc, test_cut_at_record_boundary);
    tcase_add_test(tc, test_cut_inside_record);
    tcase_add_test(tc, test_cut_inside_record_header);
    suite_add_tcase(s, tc);
    return check_run(s);
}
