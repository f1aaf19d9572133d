/*
 * check_options.c - command-line parsing: defaults, every option, every error message.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/nf.h"
#include "flowdrill/options.h"

#include "checkrun.h"

static char errbuf[4096], outbuf[8192];

/* Parse a NULL-terminated word list; stdout and stderr are captured into outbuf/errbuf. */
static int parse(struct options *o, const char **words)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"flowdrill";
    for (; *words; words++)
        argv[argc++] = (char *)*words;
    argv[argc] = NULL;
    FILE *out = fmemopen(outbuf, sizeof outbuf, "w");
    FILE *err = fmemopen(errbuf, sizeof errbuf, "w");
    int r = options_parse(o, argc, argv, out, err);
    fclose(out);
    fclose(err);
    return r;
}

#define PARSE(o, ...) parse(o, (const char *[]){__VA_ARGS__, NULL})

START_TEST(test_defaults)
{
    struct options o;
    ck_assert_int_eq(parse(&o, (const char *[]){NULL}), OPTIONS_OK);
    ck_assert_uint_eq(o.snaplen, 160);
    ck_assert(o.promisc);
    ck_assert(!o.batch);
    ck_assert_uint_eq(o.tables, 1u << AGG_T_HOST);
    ck_assert_uint_eq(o.top, 10);
    ck_assert_int_eq(o.sort, TOPN_SORT_BYTES);
    ck_assert_uint_eq(o.limits.max_flows, 250000);
    ck_assert(o.interval > 0.99 && o.interval < 1.01); /* the screen: every second */
    ck_assert(!o.no_dns && !o.no_color && !o.sort_given);
    options_free(&o);
    ck_assert_int_eq(PARSE(&o, "--batch"), OPTIONS_OK);
    ck_assert(o.interval > 1.99 && o.interval < 2.01); /* reports: every two */
    options_free(&o);
    ck_assert_int_eq(PARSE(&o, "-n", "--no-color", "--sort", "rate10", "-d", "3"), OPTIONS_OK);
    ck_assert(o.no_dns && o.no_color && o.sort_given);
    ck_assert(o.interval > 2.99 && o.interval < 3.01);
    options_free(&o);
}
END_TEST

START_TEST(test_everything)
{
    struct options o;
    ck_assert_int_eq(PARSE(&o, "-i", "eth0", "-i", "eth1", "-s", "256", "--buffer-size", "4096",
                           "--no-promisc", "-Z", "root", "--local", "10.0.0.0/8", "--local",
                           "2001:db8::/32", "--max-flows", "1000", "--max-hosts", "500",
                           "--idle-timeout", "30", "--json", "-d", "0.5", "--count", "3", "--by",
                           "host,port,flow", "--top", "0", "--sort", "rate10", "tcp", "port",
                           "443"),
                     OPTIONS_OK);
    ck_assert_uint_eq(o.n_ifaces, 2);
    ck_assert_str_eq(o.ifaces[1], "eth1");
    ck_assert_uint_eq(o.snaplen, 256);
    ck_assert_uint_eq(o.buffer_kib, 4096);
    ck_assert(!o.promisc);
    ck_assert_str_eq(o.user, "root");
    ck_assert_uint_eq(o.local.n, 2);
    ck_assert_uint_eq(o.limits.max_flows, 1000);
    ck_assert_uint_eq(o.limits.max_hosts, 500);
    ck_assert_uint_eq(o.limits.idle_timeout, 30);
    ck_assert(o.json && o.batch);
    ck_assert_uint_eq(o.count, 3);
    ck_assert_uint_eq(o.tables, 1u << AGG_T_HOST | 1u << AGG_T_PORT | 1u << AGG_T_FLOW);
    ck_assert_uint_eq(o.top, 0);
    ck_assert_int_eq(o.sort, TOPN_SORT_RATE10);
    ck_assert_str_eq(o.bpf, "tcp port 443");
    options_free(&o);

    ck_assert_int_eq(PARSE(&o, "-i", "eth0", "-l", "2055", "-l", "127.0.0.1:9995", "-l",
                           "[::1]:4739", "--rcvbuf", "8388608", "--allow", "192.0.2.0/24",
                           "--default-sampling", "100", "--force-sampling", "1",
                           "--template-timeout", "600"),
                     OPTIONS_OK);
    ck_assert_uint_eq(o.n_listen, 3);
    ck_assert_str_eq(o.listen[2], "[::1]:4739");
    ck_assert_uint_eq(o.rcvbuf, 8388608);
    ck_assert_uint_eq(o.allow.n, 1);
    ck_assert_uint_eq(o.default_sampling, 100);
    ck_assert_uint_eq(o.force_sampling, 1);
    ck_assert_uint_eq(o.template_timeout, 600);
    options_free(&o);

    ck_assert_int_eq(PARSE(&o, "-r", "x.pcap", "--realtime", "-t", "-f", "udp"), OPTIONS_OK);
    ck_assert_str_eq(o.file, "x.pcap");
    ck_assert(o.realtime && o.batch && !o.json);
    ck_assert_str_eq(o.bpf, "udp");
    options_free(&o);
}
END_TEST

/* The per-exporter shares of the template cache: the collector's defaults, any share of the
 * pool, 0 for none. */
START_TEST(test_quotas)
{
    struct options o;
    struct nf_config def;
    nf_config_default(&def);
    ck_assert_int_eq(parse(&o, (const char *[]){NULL}), OPTIONS_OK);
    ck_assert_uint_eq(o.tpl_quota, def.tpl_quota);
    ck_assert_uint_eq(o.tpl_quota, 1024);
    ck_assert_uint_eq(o.tpl_quota_bytes, def.tpl_quota_bytes);
    ck_assert_uint_eq(o.held_quota_bytes, def.held_quota_bytes);
    options_free(&o);
    ck_assert_int_eq(PARSE(&o, "-l", "2055", "--template-quota", "64", "--template-quota-size",
                           "128", "--held-quota-size", "32"),
                     OPTIONS_OK);
    ck_assert_uint_eq(o.tpl_quota, 64);
    ck_assert_uint_eq(o.tpl_quota_bytes, 128u << 10);
    ck_assert_uint_eq(o.held_quota_bytes, 32u << 10);
    options_free(&o);
    ck_assert_int_eq(PARSE(&o, "--template-quota", "0", "--template-quota-size", "0",
                           "--held-quota-size", "0"),
                     OPTIONS_OK);
    ck_assert_uint_eq(o.tpl_quota, 0);
    ck_assert_uint_eq(o.tpl_quota_bytes, 0);
    ck_assert_uint_eq(o.held_quota_bytes, 0);
    options_free(&o);
    /* the whole pool is a valid share */
    ck_assert_int_eq(PARSE(&o, "--template-quota", "4096", "--template-quota-size", "4096",
                           "--held-quota-size", "1024"),
                     OPTIONS_OK);
    ck_assert_uint_eq(o.tpl_quota, def.max_templates);
    ck_assert_uint_eq(o.tpl_quota_bytes, def.max_template_bytes);
    ck_assert_uint_eq(o.held_quota_bytes, def.max_held_bytes);
    options_free(&o);
    ck_assert_int_eq(PARSE(&o, "--help"), OPTIONS_EXIT);
    ck_assert_ptr_nonnull(strstr(outbuf, "--template-quota N"));
    ck_assert_ptr_nonnull(strstr(outbuf, "--template-quota-size KIB"));
    ck_assert_ptr_nonnull(strstr(outbuf, "--held-quota-size KIB"));
    options_free(&o);
}
END_TEST

START_TEST(test_help_and_version)
{
    struct options o;
    ck_assert_int_eq(PARSE(&o, "--help"), OPTIONS_EXIT);
    ck_assert_ptr_nonnull(strstr(outbuf, "Usage: flowdrill"));
    ck_assert_ptr_nonnull(strstr(outbuf, "--max-flows"));
    options_free(&o);
    ck_assert_int_eq(PARSE(&o, "-V"), OPTIONS_EXIT);
    ck_assert_ptr_nonnull(strstr(outbuf, "flowdrill " PACKAGE_VERSION));
    options_free(&o);
}
END_TEST

/* Each bad command line: usage status, one line naming the option. */
static const struct {
    const char *words[6];
    const char *expect;
} bad_lines[] = {
    {{"--frobnicate"}, "unknown option '--frobnicate'"},
    {{"-q"}, "unknown option '-q'"},
    {{"-i"}, "needs a value"},
    {{"--top", "ten"}, "--top: 'ten' is not a whole number"},
    {{"--top", "-1"}, "--top: '-1'"},
    {{"-s", "10"}, "-s: '10' is not a whole number from 64"},
    {{"--max-flows", "99999999999999999999"}, "--max-flows"},
    {{"--sort", "size"}, "--sort: unknown sort key 'size'"},
    {{"--by", "hosts"}, "--by: unknown table 'hosts'"},
    {{"--local", "10.0.0.0/40"}, "--local: not a network: '10.0.0.0/40'"},
    {{"--local", "example.com"}, "--local"},
    {{"-d", "0"}, "-d: not a number of seconds"},
    {{"-d", "abc"}, "-d"},
    {{"--count", "0"}, "--count"},
    {{"-r", "a", "--demo"}, "choose the sources"},
    {{"-i", "eth0", "-r", "a"}, "choose the sources"},
    {{"--demo", "-l", "2055"}, "choose the sources"},
    {{"-l", "70000"}, "-l: '70000' is not a port"},
    {{"-l", "::1:2055"}, "in brackets"},
    {{"-l", "300.0.0.1:2055"}, "not an IPv4 or IPv6 address"},
    {{"--allow", "x"}, "--allow: not a network"},
    {{"--force-sampling", "0"}, "--force-sampling"},
    {{"--rcvbuf", "12"}, "--rcvbuf"},
    {{"--realtime"}, "--realtime only applies"},
    {{"-f", "tcp", "udp"}, "use one"},
    {{"-r", ""}, "-r: empty file name"},
    {{"--alert", "portscan=5"}, "unknown detector; use one of scan"},
    {{"--alert", "scan"}, "give a value, as in --alert scan=200"},
    {{"--alert", "udp=fast"}, "whole number of packets/s"},
    {{"--alert", "factor=off"}, "a setting, not a detector"},
    {{"--learn", "5m"}, "--learn: '5m' is not a whole number"},
    {{"--alerts-only", "--json"}, "drop --json"},
    {{"--alerts-only", "--no-alerts"}, "drop --no-alerts"},
    {{"--template-quota", "many"}, "--template-quota: 'many' is not a whole number; give "
                                   "templates per exporter, from 1 to 4096, or 0 for no quota"},
    {{"--template-quota", "-1"}, "--template-quota: '-1' is not a whole number"},
    {{"--template-quota", "4097"}, "--template-quota: '4097' is more than the 4096 templates "
                                   "all exporters share; give at most 4096, or 0 for no quota"},
    {{"--template-quota", "99999999999999999999999"}, "--template-quota: '9999"},
    {{"--template-quota-size", "1M"}, "--template-quota-size: '1M' is not a whole number; "
                                      "give KiB per exporter, from 1 to 4096"},
    {{"--template-quota-size", "4097"}, "more than the 4096 KiB all exporters share"},
    {{"--held-quota-size", ""}, "--held-quota-size: '' is not a whole number"},
    {{"--held-quota-size", "1025"}, "--held-quota-size: '1025' is more than the 1024 KiB"},
    {{"--held-quota-size"}, "needs a value"},
};

START_TEST(test_bad_usage)
{
    struct options o;
    const char **w = (const char **)bad_lines[_i].words;
    const char *argv[8];
    size_t n = 0;
    for (; n < 6 && w[n]; n++)
        argv[n] = w[n];
    argv[n] = NULL;
    ck_assert_int_eq(parse(&o, argv), OPTIONS_USAGE);
    ck_assert_msg(strstr(errbuf, bad_lines[_i].expect) != NULL, "for %s: got '%s'", w[0],
                  errbuf);
    ck_assert_msg(strncmp(errbuf, "flowdrill: ", 11) == 0, "no program name: %s", errbuf);
    ck_assert_msg(strchr(errbuf, '\n') == errbuf + strlen(errbuf) - 1, "not one line: %s",
                  errbuf);
    options_free(&o);
}
END_TEST

START_TEST(test_alerts)
{
    struct options o;
    ck_assert_int_eq(parse(&o, (const char *[]){NULL}), OPTIONS_OK);
    for (int k = 0; k < DETECT_K_MAX; k++)
        ck_assert(o.detect.enabled[k]); /* every detector on by default */
    ck_assert_uint_eq(o.detect.scan_ports, 100);
    ck_assert_uint_eq(o.detect.learn_s, 300);
    ck_assert(!o.no_alerts && !o.alerts_only);
    options_free(&o);
    ck_assert_int_eq(PARSE(&o, "--alert", "scan=20", "--alert", "talker=off", "--alert",
                           "unfamiliar-bytes=2", "--learn", "60", "--alerts-only"),
                     OPTIONS_OK);
    ck_assert_uint_eq(o.detect.scan_ports, 20);
    ck_assert(!o.detect.enabled[DETECT_TALKER]);
    ck_assert_uint_eq(o.detect.unfamiliar_bytes, 2000000);
    ck_assert_uint_eq(o.detect.learn_s, 60);
    ck_assert(o.alerts_only && o.batch);
    options_free(&o);
    ck_assert_int_eq(PARSE(&o, "--no-alerts", "--json"), OPTIONS_OK);
    ck_assert(o.no_alerts);
    options_free(&o);
    ck_assert_int_eq(PARSE(&o, "--help"), OPTIONS_EXIT);
    ck_assert_ptr_nonnull(strstr(outbuf, "--alerts-only"));
    ck_assert_ptr_nonnull(strstr(outbuf, "--alert NAME=VALUE"));
    options_free(&o);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_everything);
    tcase_add_test(tc, test_help_and_version);
    tcase_add_test(tc, test_alerts);
    tcase_add_test(tc, test_quotas);
    tcase_add_loop_test(tc, test_bad_usage, 0, sizeof bad_lines / sizeof bad_lines[0]);
    suite_add_tcase(s, tc);
    return check_run(s);
}
