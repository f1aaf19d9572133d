/*
 * check_report.c - batch reports: the JSON shape and numbers, and the text layout.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/report.h"
#include "flowdrill/rowfmt.h"
#include "checkrun.h"
#include "jsoncheck.h"
#include "recs.h"

#define T0 1700000000u

static struct service_db *svc;
static struct localnet ln;
static struct agg *agg;
static struct packet_stats pkt;
static char buf[1 << 16];
static enum topn_sort sort = TOPN_SORT_BYTES;

static void setup(void)
{
    svc = service_db_new(false);
    localnet_init(&ln);
    localnet_add_cidr(&ln, "10.0.0.0/8");
    struct agg_limits l;
    agg_limits_default(&l);
    agg = agg_new(&l, &ln, svc, 3);
    struct flow_rec r[] = {
        recs_make("10.0.0.1", 50000, "192.0.2.7", 443, 6, 100, T0),
        recs_make("192.0.2.7", 443, "10.0.0.1", 50000, 6, 1400, T0),
        recs_make("10.0.0.2", 40000, "192.0.2.53", 53, 17, 60, T0 + 1),
        recs_make("2001:db8::1", 0, "2001:db8::2", 0, 58, 104, T0 + 1),
    };
    r[0].tcp_flags = 0x02;
    r[1].tcp_flags = 0x12;
    agg_add(agg, r, 4);
    agg_finish(agg);
    sort = TOPN_SORT_BYTES;
    memset(&pkt, 0, sizeof pkt);
    pkt.count[PACKET_R_NON_IP] = 7;
    pkt.count[PACKET_R_TRUNCATED] = 2;
}

static void teardown(void)
{
    agg_free(agg);
    service_db_free(svc);
}

static const char *render(bool json, unsigned tables, size_t top)
{
    struct report_source src = {"file", "x \"quoted\".pcap", 9, 0, 0};
    struct report_ctx c = {.agg = agg, .pkt = &pkt, .sources = &src, .n_sources = 1,
                           .tables = tables, .sort = sort, .top = top, .final = true};
    FILE *f = fmemopen(buf, sizeof buf, "w");
    int r = json ? report_json(f, &c) : report_text(f, &c);
    fclose(f);
    ck_assert_int_eq(r, 0);
    return buf;
}

START_TEST(test_json_is_valid_and_exact)
{
    const char *j = render(true, (1u << AGG_T_MAX) - 1, 0);
    ck_assert_msg(jsoncheck(j), "invalid JSON: %s", j);
    ck_assert_int_eq(j[strlen(j) - 1], '\n');
    ck_assert_ptr_null(strchr(j, '\n') == j + strlen(j) - 1 ? NULL : j); /* one line */
    ck_assert_ptr_nonnull(strstr(j, "\"time\":1700000002,"));
    ck_assert_ptr_nonnull(strstr(j, "\"totals\":{\"bytes\":1664,\"packets\":4,\"flows\":3,"));
    ck_assert_ptr_nonnull(strstr(j, "\"bytes_in\":1400,\"bytes_out\":160,"));
    ck_assert_ptr_nonnull(strstr(j, "\"name\":\"x \\\"quoted\\\".pcap\""));
    ck_assert_ptr_nonnull(strstr(j, "\"non_ip\":7"));
    ck_assert_ptr_nonnull(strstr(j, "\"notes\":{"));
    ck_assert_ptr_nonnull(strstr(j, "\"truncated\":2"));
    ck_assert_ptr_nonnull(strstr(j, "\"kernel\":0"));
    ck_assert_ptr_nonnull(strstr(j, "{\"key\":\"10.0.0.1\",\"bytes\":1500,\"packets\":2,"
                                    "\"flows\":1,\"bytes_in\":1400,\"bytes_out\":100,"
                                    "\"packets_in\":1,\"packets_out\":1,\"peers\":1,"
                                    "\"local\":true,\"rate_bps\":[6000,6000,6000]}"));
    ck_assert_ptr_nonnull(strstr(j, "{\"key\":\"443/tcp\",\"service\":\"https\",\"port\":443,"
                                    "\"proto\":\"tcp\",\"bytes\":1500,"));
    ck_assert_ptr_nonnull(strstr(j, "{\"key\":\"tcp\",\"number\":6,\"bytes\":1500,"));
    ck_assert_ptr_nonnull(strstr(j, "{\"key\":\"icmp6\",\"number\":58,\"bytes\":104,"));
    ck_assert_ptr_nonnull(strstr(j, "\"key\":\"10.0.0.1:50000 <-> 192.0.2.7:443 tcp\""));
    ck_assert_ptr_nonnull(strstr(j, "\"tcp_flags_ab\":\"S\",\"tcp_flags_ba\":\"SA\""));
    ck_assert_ptr_nonnull(strstr(j, "\"key\":\"2001:db8::1 <-> 2001:db8::2 icmp6\""));
    ck_assert_ptr_nonnull(strstr(j, "\"app\":[{\"key\":\"https\""));
}
END_TEST

START_TEST(test_json_top_limits_rows)
{
    const char *j = render(true, 1u << AGG_T_HOST, 1);
    ck_assert(jsoncheck(j));
    ck_assert_ptr_nonnull(strstr(j, "\"host\":[{\"key\":\"10.0.0.1\""));
    ck_assert_ptr_null(strstr(j, "192.0.2.7"));
    ck_assert_ptr_null(strstr(j, "\"port\":["));
}
END_TEST

START_TEST(test_text_layout)
{
    const char *t = render(false, 1u << AGG_T_HOST | 1u << AGG_T_PORT, 0);
    ck_assert_ptr_nonnull(strstr(t, "total: 1.62 KiB in 4 packets, 3 flows"));
    ck_assert_ptr_nonnull(strstr(t, "dropped non_ip: 7"));
    ck_assert_ptr_nonnull(strstr(t, "note truncated: 2"));
    ck_assert_ptr_nonnull(strstr(t, "host: 6 rows by bytes"));
    ck_assert_ptr_nonnull(strstr(t, "443/tcp (https)"));
    /* every line is plain printable ASCII */
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        ck_assert(*p == '\n' || (*p >= 0x20 && *p < 0x7f));
}
END_TEST

/* Conversations keep a 2-s rate only: asked for rate10, the flow table says it used rate2,
 * and the values it ranks by are the ones topn_row_value reads from each row. */
START_TEST(test_flow_sort_is_stated)
{
    sort = TOPN_SORT_RATE10;
    const char *j = render(true, 1u << AGG_T_HOST | 1u << AGG_T_FLOW, 0);
    ck_assert(jsoncheck(j));
    ck_assert_ptr_nonnull(strstr(j, "\"sort\":\"rate10\",\"table_sort\":{\"host\":\"rate10\","
                                    "\"flow\":\"rate2\"},\"tables\":{"));
    const char *t = render(false, 1u << AGG_T_HOST | 1u << AGG_T_FLOW, 0);
    ck_assert_ptr_nonnull(strstr(t, "host: 6 rows by rate10\n"));
    ck_assert_ptr_nonnull(strstr(t, "flow: 3 rows by rate2 (conversations keep a 2 s rate only)"));

    ck_assert_int_eq(topn_sort_for(AGG_T_FLOW, TOPN_SORT_RATE40), TOPN_SORT_RATE2);
    ck_assert_int_eq(topn_sort_for(AGG_T_FLOW, TOPN_SORT_PACKETS), TOPN_SORT_PACKETS);
    ck_assert_int_eq(topn_sort_for(AGG_T_HOST, TOPN_SORT_RATE40), TOPN_SORT_RATE40);
    struct topn_row *rows;
    size_t n = topn_select(agg, AGG_T_FLOW, TOPN_SORT_RATE40, 0, &rows);
    ck_assert_uint_eq(n, 3);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(topn_row_value(&rows[i], TOPN_SORT_RATE40), rows[i].win[0]);
        if (i)
            ck_assert_uint_ge(rows[i - 1].win[0], rows[i].win[0]);
    }
    free(rows);
    n = topn_select(agg, AGG_T_HOST, TOPN_SORT_PACKETS, 0, &rows);
    for (size_t i = 1; i < n; i++)
        ck_assert_uint_ge(topn_row_value(&rows[i - 1], TOPN_SORT_PACKETS),
                          topn_row_value(&rows[i], TOPN_SORT_PACKETS));
    ck_assert_uint_eq(topn_row_value(&rows[0], TOPN_SORT_PACKETS), rows[0].packets);
    ck_assert_uint_eq(topn_row_value(&rows[0], TOPN_SORT_RATE10), rows[0].win[1]);
    ck_assert_uint_eq(topn_row_value(&rows[0], TOPN_SORT_FLOWS), rows[0].flows);
    free(rows);
}
END_TEST

START_TEST(test_units)
{
    char b[32];
    ck_assert_str_eq(rowfmt_bytes(0, b, sizeof b), "0 B");
    ck_assert_str_eq(rowfmt_bytes(1023, b, sizeof b), "1023 B");
    ck_assert_str_eq(rowfmt_bytes(1536, b, sizeof b), "1.50 KiB");
    ck_assert_str_eq(rowfmt_bytes(10ULL << 30, b, sizeof b), "10.0 GiB");
    ck_assert_str_eq(rowfmt_rate(999, b, sizeof b), "999 b");
    ck_assert_str_eq(rowfmt_rate(12300000, b, sizeof b), "12.3 Mb");
    ck_assert_str_eq(rowfmt_count(1234567, b, sizeof b), "1.2M");
    ck_assert_str_eq(rowfmt_tcp_flags(0x13, b, sizeof b), "FSA");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_json_is_valid_and_exact);
    tcase_add_test(tc, test_json_top_limits_rows);
    tcase_add_test(tc, test_text_layout);
    tcase_add_test(tc, test_flow_sort_is_stated);
    tcase_add_test(tc, test_units);
    suite_add_tcase(s, tc);
    return check_run(s);
}
