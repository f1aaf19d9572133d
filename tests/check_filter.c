/*
 * check_filter.c - the UI's filter expressions: every primitive and qualifier on IPv4 and IPv6
 * keys, precedence, the pcap shorthand, the Hosts view's reading, every error message and
 * column, and the limits. check_filter_fuzz.c has the random tests.
 */
#include "config.h"

#include "checkrun.h"
#include "filtercheck.h"

/* ================================ matching ================================ */

static const struct {
    const char *expr;
    int key;
    bool want;
} match_cases[] = {
    /* host, with every direction, both families */
    {"host 10.0.0.1", K_TCP4, true},
    {"host 10.0.0.1", K_UDP4, true},
    {"host 10.0.0.1", K_ICMP4, false},
    {"host 10.0.0.1", K_TCP6, false},
    {"src host 10.0.0.1", K_TCP4, true},
    {"src host 10.0.0.1", K_UDP4, false},
    {"dst host 10.0.0.1", K_UDP4, true},
    {"dst host 10.0.0.1", K_TCP4, false},
    {"src or dst host 192.168.1.5", K_TCP4, true},
    {"src or dst host 192.168.1.5", K_UDP4, true},
    {"dst or src host 10.0.0.2", K_ICMP4, true},
    {"src and dst host 10.0.0.1", K_TCP4, false},
    {"host 2001:db8::1", K_TCP6, true},
    {"host 2001:DB8:0::1", K_ICMP6, true},
    {"host 2001:db8::1", K_UDP6, false},
    {"host 2001:db8::1", K_TCP4, false},
    {"src host 2001:db8::1", K_ICMP6, true},
    {"dst host 2001:db8::1", K_ICMP6, false},
    {"dst host 2001:db8::2", K_ICMP6, true},
    {"host ::ffff:10.0.0.1", K_TCP4, true},
    /* net */
    {"net 10.0.0.0/8", K_TCP4, true},
    {"net 10.0.0.0/8", K_UDP4, true},
    {"net 10.0.0.0/8", K_GRE4, false},
    {"net 172.16.0.0/12", K_GRE4, true},
    {"net 10.0.0.1", K_TCP4, true},
    {"net 10.0.0.1", K_ICMP4, false},
    {"net 10.0.0.0/31", K_ICMP4, false},
    {"net 10.0.0.2/31", K_ICMP4, true},
    {"net 10.0.0.0/30", K_ICMP4, true},
    {"net 0.0.0.0/0", K_TCP4, true},
    {"net 0.0.0.0/0", K_TCP6, false},
    {"src net 10.0.0.0/8", K_UDP4, false},
    {"dst net 10.0.0.0/8", K_UDP4, true},
    {"src and dst net 10.1.2.0/24", K_SCTP4, true},
    {"src and dst net 10.1.2.0/24", K_TCP4, false},
    {"dst and src net 10.1.2.0/29", K_SCTP4, true},
    {"dst and src net 10.1.2.0/30", K_SCTP4, false},
    {"net 2001:db8::/32", K_TCP6, true},
    {"net 2001:db8::/32", K_UDP6, false},
    {"net 2001:db8::/32", K_TCP4, false},
    {"dst net 2001:db8:1::/48", K_TCP6, true},
    {"src net 2001:db8:1::/48", K_TCP6, false},
    {"net fe80::/10", K_UDP6, true},
    {"src net ff00::/8", K_UDP6, false},
    {"dst net ff00::/8", K_UDP6, true},
    {"net ::/0", K_ESP6, true},
    {"net ::/0", K_TCP4, false},
    {"net 2001:db8::1", K_ICMP6, true},
    {"net 2001:db8::1/128", K_UDP6, false},
    /* port and portrange: only protocols with ports */
    {"port 80", K_TCP4, true},
    {"port 80", K_UDP4, false},
    {"port 40000", K_TCP4, true},
    {"src port 40000", K_TCP4, true},
    {"dst port 40000", K_TCP4, false},
    {"dst port 80", K_TCP4, true},
    {"src and dst port 2905", K_SCTP4, true},
    {"src and dst port 80", K_TCP4, false},
    {"src or dst port 5353", K_UDP4, true},
    {"port 0", K_ICMP4, false},
    {"port 0", K_GRE4, false},
    {"port 443", K_TCP6, true},
    {"src port 546", K_UDP6, true},
    {"src port 547", K_UDP6, false},
    {"port 65535", K_TCP4, false},
    {"portrange 1-1023", K_TCP4, true},
    {"portrange 81-1023", K_TCP4, false},
    {"src portrange 1-1023", K_TCP4, false},
    {"dst portrange 0-80", K_TCP4, true},
    {"portrange 1023-1", K_TCP4, true},
    {"portrange 40000-40000", K_TCP4, true},
    {"portrange 0-65535", K_ICMP4, false},
    {"portrange 0-65535", K_SCTP4, true},
    {"portrange 500-600", K_UDP6, true},
    {"dst portrange 500-546", K_UDP6, false},
    /* proto */
    {"proto tcp", K_TCP4, true},
    {"proto 6", K_TCP6, true},
    {"proto 17", K_TCP4, false},
    {"proto icmp6", K_ICMP6, true},
    {"proto ipv6-icmp", K_ICMP6, true},
    {"proto icmpv6", K_ICMP6, true},
    {"proto 58", K_ICMP4, false},
    {"proto gre", K_GRE4, true},
    {"proto 47", K_GRE4, true},
    {"proto esp", K_ESP6, true},
    {"proto 50", K_ESP6, true},
    {"proto sctp", K_SCTP4, true},
    {"proto 0", K_TCP4, false},
    {"proto ICMP", K_ICMP4, true},
    {"proto 255", K_ICMP4, false},
    /* protocol words and families */
    {"tcp", K_TCP4, true},
    {"tcp", K_TCP6, true},
    {"tcp", K_UDP4, false},
    {"udp", K_UDP6, true},
    {"icmp", K_ICMP4, true},
    {"icmp", K_ICMP6, false},
    {"icmp6", K_ICMP6, true},
    {"icmp6", K_ICMP4, false},
    {"sctp", K_SCTP4, true},
    {"ip", K_TCP4, true},
    {"ip", K_TCP6, false},
    {"ip6", K_TCP6, true},
    {"ip6", K_GRE4, false},
    /* tcpdump's protocol qualifier on ports */
    {"tcp port 80", K_TCP4, true},
    {"udp port 80", K_TCP4, false},
    {"udp port 53", K_UDP4, true},
    {"tcp dst port 80", K_TCP4, true},
    {"tcp src port 80", K_TCP4, false},
    {"udp src or dst port 547", K_UDP6, true},
    {"tcp portrange 400-500", K_TCP6, true},
    {"sctp port 2905", K_SCTP4, true},
    /* bare addresses */
    {"10.0.0.1", K_TCP4, true},
    {"10.0.0.1", K_GRE4, false},
    {"10.0.0.0/8", K_UDP4, true},
    {"2001:db8::1", K_ICMP6, true},
    {"src 10.0.0.1", K_UDP4, false},
    {"dst 10.0.0.1", K_UDP4, true},
    {"dst 10.0.0.0/24", K_UDP4, true},
    /* keywords in any case */
    {"HOST 10.0.0.1 AND TCP", K_TCP4, true},
    {"Src Port 40000 Or Dst Port 1", K_TCP4, true},
    {"NOT Ip6", K_TCP6, false},
    /* precedence: not > and > or (pcap itself would read the first as (tcp or udp) and ...) */
    {"tcp or udp and port 53", K_TCP4, true},
    {"(tcp or udp) and port 53", K_TCP4, false},
    {"tcp or udp and port 53", K_UDP4, true},
    {"udp and port 80 or tcp", K_TCP6, true},
    {"udp and (port 80 or tcp)", K_TCP6, false},
    {"not tcp and udp", K_UDP4, true},
    {"not tcp and udp", K_TCP4, false},
    {"not (tcp or udp)", K_ICMP4, true},
    {"not (tcp or udp)", K_UDP4, false},
    {"not tcp or udp", K_TCP4, false},
    {"!tcp", K_TCP4, false},
    {"! ! tcp", K_TCP4, true},
    {"not not not tcp", K_TCP4, false},
    {"tcp&&port 80", K_TCP4, true},
    {"udp||icmp", K_ICMP4, true},
    {"ip6 || icmp && port 3", K_TCP6, true},
    {"ip6 || icmp && port 3", K_ICMP4, false},
    {"(((tcp)))", K_TCP4, true},
    {"not port 80 and not port 443", K_TCP6, false},
    {"not host 10.0.0.1 and tcp", K_TCP6, true},
    {"not host 10.0.0.1 and tcp", K_TCP4, false},
    {"!(ip&&tcp)&&!(ip6&&udp)", K_ICMP6, true},
    {"!(ip&&tcp)&&!(ip6&&udp)", K_UDP6, false},
    /* the shorthand repeats the last qualifiers and keyword */
    {"host 10.0.0.9 or 10.0.0.1", K_TCP4, true},
    {"host 10.0.0.9 or 10.0.0.8", K_TCP4, false},
    {"src host 10.0.0.9 or 192.168.1.5", K_TCP4, false},
    {"src host 10.0.0.9 or 10.0.0.1", K_TCP4, true},
    {"port 22 or 80", K_TCP4, true},
    {"port 22 or 443", K_TCP4, false},
    {"dst port 22 or 40000", K_TCP4, false},
    {"tcp dst port 22 or 443", K_TCP6, true},
    {"udp port 22 or 80", K_TCP4, false},
    {"proto gre or 50", K_ESP6, true},
    {"proto gre or esp", K_ESP6, true},
    {"proto 1 or udp", K_UDP6, true},
    {"net 10.0.0.0/8 or 172.16.0.0/12", K_GRE4, true},
    {"host 10.0.0.1 and not 192.168.1.5", K_TCP4, false},
    {"host 10.0.0.1 and not 192.168.1.6", K_TCP4, true},
    {"host 10.0.0.1 and (192.168.1.5 or 8.8.8.8)", K_TCP4, true},
    {"portrange 1-10 or 70-90", K_TCP4, true},
    {"port 80 and tcp or 53", K_UDP4, true},
    {"host 2001:db8::9 or 2001:db8::2", K_ICMP6, true},
};

START_TEST(test_match)
{
    const char *expr = match_cases[_i].expr;
    const struct flow_key *k = &keys[match_cases[_i].key];
    struct filter *f = compile_ok(expr);
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(filter_match(f, k) == match_cases[_i].want, "'%s' on %s -> %s: want %d", expr,
                  key_spec[match_cases[_i].key].a, key_spec[match_cases[_i].key].b,
                  match_cases[_i].want);
    /* the negation must say the opposite */
    char neg[256];
    snprintf(neg, sizeof neg, "not (%s)", expr);
    struct filter *g = compile_ok(neg);
    ck_assert(filter_match(g, k) != match_cases[_i].want);
    filter_free(g);
    filter_free(f);
}
END_TEST

START_TEST(test_empty_matches_all)
{
    static const char *const blanks[] = {"", " ", "\t \n ", NULL};
    for (int i = 0; i < 4; i++) {
        struct filter *f = (struct filter *)1;
        unsigned col = 7;
        char err[8] = "x";
        ck_assert_int_eq(filter_compile(blanks[i], &f, err, sizeof err, &col), 0);
        ck_assert_ptr_null(f);
        ck_assert_uint_eq(col, 0);
        ck_assert_str_eq(err, "x"); /* untouched on success */
        for (int k = 0; k < K_COUNT; k++)
            ck_assert(filter_match(f, &keys[k]));
        ck_assert_str_eq(filter_text(f), "");
        filter_free(f);
    }
    struct flow_addr h = addr("10.0.0.1");
    ck_assert(filter_match_host(NULL, &h));
}
END_TEST

START_TEST(test_text_is_normalized)
{
    struct filter *f = compile_ok("  \ttcp \t and   port 80\n ");
    ck_assert_str_eq(filter_text(f), "tcp and port 80");
    filter_free(f);
    f = compile_ok("Host 10.0.0.1&&!(udp||ip6)");
    ck_assert_str_eq(filter_text(f), "Host 10.0.0.1&&!(udp||ip6)");
    filter_free(f);
}
END_TEST

/* ================================ hosts ================================ */

static const struct {
    const char *expr, *host;
    bool want;
} host_cases[] = {
    {"host 10.0.0.1", "10.0.0.1", true},
    {"host 10.0.0.1", "10.0.0.2", false},
    {"src host 10.0.0.1", "10.0.0.1", true},
    {"dst host 10.0.0.1", "10.0.0.1", true},
    {"src and dst host 10.0.0.1", "10.0.0.1", true},
    {"host 10.0.0.1 or 10.0.0.2", "10.0.0.2", true},
    {"net 10.0.0.0/8 and port 80", "10.9.9.9", true},
    {"net 10.0.0.0/8 and port 80", "192.168.0.1", false},
    {"not host 10.0.0.1", "10.0.0.1", false},
    {"not host 10.0.0.1", "10.0.0.2", true},
    {"tcp", "10.0.0.1", true},
    {"not tcp", "2001:db8::1", true},
    {"tcp and not tcp", "10.0.0.1", true}, /* each occurrence on its own */
    {"port 80 or host 10.0.0.1", "8.8.8.8", true},
    {"proto gre and host 10.0.0.1", "8.8.8.8", false},
    {"ip6", "10.0.0.1", false},
    {"ip6", "::1", true},
    {"ip", "::1", false},
    {"net ::/0", "10.0.0.1", false},
    {"net ::/0", "fe80::1", true},
    {"net 2001:db8::/32", "2001:db8:ffff::1", true},
    {"net 2001:db8::/32", "2001:db9::1", false},
    {"not (net 10.0.0.0/8 or net 192.168.0.0/16)", "192.168.3.3", false},
    {"not (net 10.0.0.0/8 or net 192.168.0.0/16)", "172.16.3.3", true},
};

START_TEST(test_match_host)
{
    struct filter *f = compile_ok(host_cases[_i].expr);
    struct flow_addr h = addr(host_cases[_i].host);
    ck_assert_msg(filter_match_host(f, &h) == host_cases[_i].want, "'%s' on host %s: want %d",
                  host_cases[_i].expr, host_cases[_i].host, host_cases[_i].want);
    filter_free(f);
}
END_TEST

/* ================================ errors ================================ */

static const struct {
    const char *expr, *msg;
    unsigned col;
} error_cases[] = {
    {"host", "expected an address after 'host' at column 5", 5},
    {"host and tcp", "expected an address after 'host' at column 6", 6},
    {"net (", "expected a network after 'net' at column 5", 5},
    {"port", "expected a port number after 'port' at column 5", 5},
    {"portrange tcp", "expected a port range after 'portrange' at column 11", 11},
    {"proto host", "expected a protocol name or number after 'proto' at column 7", 7},
    {"tcp port", "expected a port number after 'port' at column 9", 9},
    {"hots 10.0.0.1", "unknown word 'hots' at column 1 (did you mean 'host'?)", 1},
    {"tcp and portrnage 1-2", "unknown word 'portrnage' at column 9 (did you mean 'portrange'?)",
     9},
    {"gre", "unknown word 'gre' at column 1 (did you mean 'proto gre'?)", 1},
    {"gree", "unknown word 'gree' at column 1 (did you mean 'proto gre'?)", 1},
    {"frobnicate", "unknown word 'frobnicate' at column 1", 1},
    {"host 10.0.0.1 or localhost", "unknown word 'localhost' at column 18", 18},
    {"tcp and (udp or icmp))", "unbalanced ')' at column 22 (no matching '(')", 22},
    {")", "unbalanced ')' at column 1 (no matching '(')", 1},
    {"tcp )", "unbalanced ')' at column 5 (no matching '(')", 5},
    {"(tcp", "unbalanced '(' at column 1 (no matching ')')", 1},
    {"tcp and ((udp)", "unbalanced '(' at column 9 (no matching ')')", 9},
    {"()", "expected an expression after '(' at column 2", 2},
    {"tcp and", "expected an expression after 'and' at column 8", 8},
    {"tcp and or udp", "expected an expression after 'and' at column 9", 9},
    {"not", "expected an expression after 'not' at column 4", 4},
    {"tcp || !", "expected an expression after '!' at column 9", 9},
    {"and tcp", "unexpected 'and' at column 1", 1},
    {"tcp udp", "missing 'and' or 'or' before 'udp' at column 5", 5},
    {"tcp 80", "missing 'and' or 'or' before '80' at column 5", 5},
    {"host 10.0.0.1 port 80", "missing 'and' or 'or' before 'port' at column 15", 15},
    {"tcp (udp)", "missing 'and' or 'or' before '(' at column 5", 5},
    {"tcp not udp", "missing 'and' or 'or' before 'not' at column 5", 5},
    {"icmp src host 10.0.0.1", "missing 'and' or 'or' before 'src' at column 6", 6},
    {"tcp & udp", "'&' is not an operator at column 5 (use '&&' or 'and')", 5},
    {"tcp | udp", "'|' is not an operator at column 5 (use '||' or 'or')", 5},
    {"80", "bare number '80' at column 1 (write 'port 80' or 'proto 80')", 1},
    {"port 70000", "port 70000 out of range (0-65535) at column 6", 6},
    {"port 80 or 99999999999999999999",
     "port 99999999999999999999 out of range (0-65535) at column 12", 12},
    {"port http", "bad port 'http' at column 6 (give a number from 0 to 65535)", 6},
    {"port -1", "bad port '-1' at column 6 (give a number from 0 to 65535)", 6},
    {"portrange 80", "bad port range '80' at column 11 (write it as first-last, e.g. 1024-2047)",
     11},
    {"portrange 1-70000", "port 70000 out of range (0-65535) at column 13", 13},
    {"portrange -5", "bad port '' at column 11 (give a number from 0 to 65535)", 11},
    {"proto 256", "protocol 256 out of range (0-255) at column 7", 7},
    {"proto tpc", "unknown protocol 'tpc' at column 7 (did you mean 'tcp'?)", 7},
    {"proto zzzzzz",
     "unknown protocol 'zzzzzz' at column 7 (give a name like tcp or a number 0-255)", 7},
    {"net 10.0.0.0/33", "bad prefix length /33 for IPv4 (0-32) at column 13", 13},
    {"net 2001:db8::/129", "bad prefix length /129 for IPv6 (0-128) at column 15", 15},
    {"net 10.0.0.0/x", "bad prefix length '/x' at column 13", 13},
    {"net 10.0.0.0/", "bad prefix length '/' at column 13", 13},
    {"net 10.0.0.1/8", "host bits set in '10.0.0.1/8' at column 5 (the network is 10.0.0.0/8)", 5},
    {"net 2001:db8::1/32",
     "host bits set in '2001:db8::1/32' at column 5 (the network is 2001:db8::/32)", 5},
    {"net 10.1/16", "bad address '10.1/16' at column 5", 5},
    {"host 10.0.0.0/8",
     "'10.0.0.0/8' is a network, not a host at column 6 (write 'net 10.0.0.0/8')", 6},
    {"host 10.0.0.300", "bad address '10.0.0.300' at column 6", 6},
    {"host fe80::1%eth0", "bad address 'fe80::1%eth0' at column 6", 6},
    {"host example.com",
     "hostname 'example.com' at column 6 (hostnames are not resolved here; give an address)", 6},
    {"host localhost",
     "hostname 'localhost' at column 6 (hostnames are not resolved here; give an address)", 6},
    {"example.com",
     "hostname 'example.com' at column 1 (hostnames are not resolved here; give an address)", 1},
    {"net example.com/24",
     "hostname 'example.com' at column 5 (hostnames are not resolved here; give an address)", 5},
    {"icmp port 80", "'icmp' has no ports at column 6", 6},
    {"icmp6 portrange 1-2", "'icmp6' has no ports at column 7", 7},
    {"tcp src host 10.0.0.1", "expected 'port' or 'portrange' after 'src' at column 9", 9},
    {"src tcp", "expected 'host', 'net', 'port' or 'portrange' after 'src' at column 5", 5},
    {"src or dst", "expected 'host', 'net', 'port' or 'portrange' after 'dst' at column 11", 11},
    {"dst 80", "expected 'host', 'net', 'port' or 'portrange' after 'dst' at column 5", 5},
    {"host 10.0.0.1 or 10.0.0.0/8",
     "'10.0.0.0/8' is a network, not a host at column 18 (write 'net 10.0.0.0/8')", 18},
    {"port 80 or 10.0.0.1", "bad port '10.0.0.1' at column 12 (give a number from 0 to 65535)", 12},
    /* non-printable and non-ASCII input is shown as '?'; columns count characters */
    {"host \x01\x02", "bad address '?\?' at column 6", 6},
    {"\xc3\xa9 &", "'&' is not an operator at column 3 (use '&&' or 'and')", 3},
    {"h\xc3\xa9llo", "bad address 'h??llo' at column 1", 1},
    {"host xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
     "hostname 'xxxxxxxxxxxxxxxxxxxxxxxx...' at column 6 (hostnames are not resolved here; give "
     "an address)",
     6},
};

START_TEST(test_errors)
{
    const char *expr = error_cases[_i].expr;
    struct filter *f = (struct filter *)1;
    char err[FILTER_ERR_LEN];
    unsigned col = 0;
    memset(err, 'Z', sizeof err);
    ck_assert_int_eq(filter_compile(expr, &f, err, sizeof err, &col), -EINVAL);
    ck_assert_ptr_null(f);
    ck_assert_str_eq(err, error_cases[_i].msg);
    ck_assert_uint_eq(col, error_cases[_i].col);
    ck_assert(printable_line(err));
}
END_TEST

static char *repeat(const char *head, const char *unit, unsigned n, const char *tail)
{
    size_t len = strlen(head) + strlen(unit) * n + strlen(tail) + 1;
    char *s = malloc(len);
    ck_assert_ptr_nonnull(s);
    strcpy(s, head);
    for (unsigned i = 0; i < n; i++)
        strcat(s, unit);
    strcat(s, tail);
    return s;
}

START_TEST(test_error_buffers)
{
    struct filter *f;
    char err[8];
    unsigned col = 0;
    /* a short buffer gets a truncated, terminated message */
    ck_assert_int_eq(filter_compile("hots", &f, err, sizeof err, &col), -EINVAL);
    ck_assert_str_eq(err, "unknown");
    ck_assert_uint_eq(col, 1);
    /* no buffer and no column are fine */
    ck_assert_int_eq(filter_compile("hots", &f, NULL, 0, NULL), -EINVAL);
    ck_assert_ptr_null(f);
    ck_assert_int_eq(filter_compile("tcp", &f, NULL, 0, NULL), 0);
    ck_assert_ptr_nonnull(f);
    filter_free(f);

    /* FILTER_ERR_LEN holds the longest messages whole: long quotes, 4-digit columns */
    char big[FILTER_ERR_LEN + 64], *s = repeat("", " ", 990, "1234567890123456789012345678901");
    ck_assert_int_eq(filter_compile(s, &f, big, sizeof big, &col), -EINVAL);
    ck_assert_str_eq(big, "bare number '123456789012345678901234...' at column 991 (write 'port "
                          "123456789012345678901234...' or 'proto 123456789012345678901234...')");
    ck_assert_uint_lt(strlen(big), FILTER_ERR_LEN);
    free(s);
    s = repeat("", " ", 970, "net ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff1/127");
    ck_assert_int_eq(filter_compile(s, &f, big, sizeof big, &col), -EINVAL);
    ck_assert_str_eq(big, "host bits set in 'ffff:ffff:ffff:ffff:ffff...' at column 975 (the "
                          "network is ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/127)");
    ck_assert_uint_lt(strlen(big), FILTER_ERR_LEN);
    free(s);
}
END_TEST

/* ================================ limits ================================ */

static void expect_error(const char *expr, const char *msg, unsigned col)
{
    struct filter *f;
    char err[FILTER_ERR_LEN];
    unsigned c = 0;
    ck_assert_int_eq(filter_compile(expr, &f, err, sizeof err, &c), -EINVAL);
    ck_assert_ptr_null(f);
    ck_assert_str_eq(err, msg);
    ck_assert_uint_eq(c, col);
}

START_TEST(test_length_limit)
{
    char *s = repeat("tcp", " ", FILTER_MAX_LEN - 3, "");
    ck_assert_uint_eq(strlen(s), FILTER_MAX_LEN);
    struct filter *f = compile_ok(s);
    ck_assert_str_eq(filter_text(f), "tcp");
    filter_free(f);
    free(s);
    s = repeat("tcp", " ", FILTER_MAX_LEN - 2, "");
    expect_error(s, "expression too long at column 1025 (at most 1024 bytes)", 1025);
    free(s);
    /* far longer, with multi-byte characters before the cut */
    s = repeat("", "\xc3\xa9", 4000, "");
    expect_error(s, "expression too long at column 513 (at most 1024 bytes)", 513);
    free(s);
}
END_TEST

START_TEST(test_depth_limit)
{
    char *open = repeat("", "(", FILTER_MAX_DEPTH, "tcp");
    char *s = repeat(open, ")", FILTER_MAX_DEPTH, "");
    struct filter *f = compile_ok(s);
    ck_assert(filter_match(f, &keys[K_TCP6]));
    filter_free(f);
    free(s);
    free(open);
    s = repeat("", "(", FILTER_MAX_DEPTH + 1, "tcp");
    expect_error(s,
                 "expression nested too deeply at column 65 (at most 64 levels of parentheses "
                 "and 'not')",
                 65);
    free(s);
    s = repeat("", "not ", FILTER_MAX_DEPTH, "tcp");
    f = compile_ok(s);
    ck_assert(filter_match(f, &keys[K_TCP4])); /* an even number of nots */
    filter_free(f);
    free(s);
    s = repeat("", "not ", FILTER_MAX_DEPTH + 1, "tcp");
    expect_error(s,
                 "expression nested too deeply at column 257 (at most 64 levels of parentheses "
                 "and 'not')",
                 257);
    free(s);
    s = repeat("", "(!", FILTER_MAX_DEPTH / 2, "udp");
    char *t = repeat(s, ")", FILTER_MAX_DEPTH / 2, "");
    f = compile_ok(t);
    ck_assert(filter_match(f, &keys[K_UDP4]));
    filter_free(f);
    free(t);
    free(s);
    /* as deep as the length allows: refused, not a stack overflow */
    s = repeat("", "(", FILTER_MAX_LEN, "");
    expect_error(s,
                 "expression nested too deeply at column 65 (at most 64 levels of parentheses "
                 "and 'not')",
                 65);
    free(s);
}
END_TEST

START_TEST(test_node_limit)
{
    /* n terms joined by or make 2n - 1 nodes: 128 fit, 129 do not */
    char *s = repeat("", "ip6 or ", 127, "port 80");
    struct filter *f = compile_ok(s);
    ck_assert(filter_match(f, &keys[K_TCP4]));
    ck_assert(filter_match(f, &keys[K_ICMP6]));
    ck_assert(!filter_match(f, &keys[K_UDP4]));
    filter_free(f);
    free(s);
    s = repeat("", "ip6 or ", 128, "port 80");
    char msg[128];
    unsigned col = 7 * 127 + 5; /* the last "or": the 257th node */
    snprintf(msg, sizeof msg,
             "expression too complex at column %u (at most 256 terms and operators)", col);
    expect_error(s, msg, col);
    free(s);
    /* the shorthand counts too */
    s = repeat("port 1", " or 2", 128, "");
    snprintf(msg, sizeof msg,
             "expression too complex at column %u (at most 256 terms and operators)", 8 + 5 * 127);
    expect_error(s, msg, 8 + 5 * 127);
    free(s);
}
END_TEST

static Suite *filter_suite(void)
{
    Suite *s = suite_create("filter");
    TCase *tc = tcase_create("match");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_loop_test(tc, test_match, 0, sizeof match_cases / sizeof match_cases[0]);
    tcase_add_test(tc, test_empty_matches_all);
    tcase_add_test(tc, test_text_is_normalized);
    tcase_add_loop_test(tc, test_match_host, 0, sizeof host_cases / sizeof host_cases[0]);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_loop_test(tc, test_errors, 0, sizeof error_cases / sizeof error_cases[0]);
    tcase_add_test(tc, test_error_buffers);
    tcase_add_test(tc, test_length_limit);
    tcase_add_test(tc, test_depth_limit);
    tcase_add_test(tc, test_node_limit);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(filter_suite());
}
