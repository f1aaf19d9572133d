/*
 * filtercheck.h - the fixture shared by the filter's Check suites (check_filter*.c): a
 * conversation key of each kind, IPv4 and IPv6, and small helpers. Each test program includes
 * it once.
 */
#ifndef FLOWDRILL_TESTS_FILTERCHECK_H
#define FLOWDRILL_TESTS_FILTERCHECK_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "flowdrill/filter.h"
#include "flowdrill/flow.h"
#include "flowdrill/flow_table.h"

enum {
    K_TCP4,  /* tcp 10.0.0.1:40000 -> 192.168.1.5:80 */
    K_UDP4,  /* udp 192.168.1.5:53 -> 10.0.0.1:5353 */
    K_ICMP4, /* icmp 10.0.0.2 -> 8.8.8.8 */
    K_SCTP4, /* sctp 10.1.2.3:2905 -> 10.1.2.4:2905 */
    K_GRE4,  /* gre 172.16.0.1 -> 172.16.0.2 */
    K_TCP6,  /* tcp [2001:db8::1]:51000 -> [2001:db8:1::80]:443 */
    K_UDP6,  /* udp [fe80::1]:546 -> [ff02::1:2]:547 */
    K_ICMP6, /* icmp6 2001:db8::1 -> 2001:db8::2 */
    K_ESP6,  /* esp 2001:db8::1 -> 2001:db8::dead */
    K_COUNT
};

static const struct {
    const char *a, *b;
    uint16_t pa, pb;
    uint8_t proto;
} key_spec[K_COUNT] = {
    [K_TCP4] = {"10.0.0.1", "192.168.1.5", 40000, 80, 6},
    [K_UDP4] = {"192.168.1.5", "10.0.0.1", 53, 5353, 17},
    [K_ICMP4] = {"10.0.0.2", "8.8.8.8", 0, 0, 1},
    [K_SCTP4] = {"10.1.2.3", "10.1.2.4", 2905, 2905, 132},
    [K_GRE4] = {"172.16.0.1", "172.16.0.2", 0, 0, 47},
    [K_TCP6] = {"2001:db8::1", "2001:db8:1::80", 51000, 443, 6},
    [K_UDP6] = {"fe80::1", "ff02::1:2", 546, 547, 17},
    [K_ICMP6] = {"2001:db8::1", "2001:db8::2", 0, 0, 58},
    [K_ESP6] = {"2001:db8::1", "2001:db8::dead", 0, 0, 50},
};

static struct flow_key keys[K_COUNT];

/* ck_assert records every passing check with a system call, which loops of millions of checks
 * cannot afford; they check with this instead. */
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

static inline struct flow_addr addr(const char *s)
{
    struct flow_addr a;
    ck_assert_int_eq(flow_addr_parse(s, &a), 0);
    return a;
}

static inline void setup(void)
{
    for (int i = 0; i < K_COUNT; i++) {
        struct flow_key *k = &keys[i];
        memset(k, 0, sizeof *k);
        k->a = addr(key_spec[i].a);
        k->b = addr(key_spec[i].b);
        k->pa = key_spec[i].pa;
        k->pb = key_spec[i].pb;
        k->proto = key_spec[i].proto;
        k->af = flow_addr_is_v4(&k->a) ? FLOW_AF_INET : FLOW_AF_INET6;
    }
}

static inline struct filter *compile_ok(const char *text)
{
    struct filter *f = (struct filter *)1;
    char err[FILTER_ERR_LEN] = "";
    unsigned col = 99;
    int r = filter_compile(text, &f, err, sizeof err, &col);
    CHECK(r == 0, "'%s' did not compile: %s", text, err);
    CHECK(col == 0, "'%s' compiled with column %u", text, col);
    return f;
}

static inline bool printable_line(const char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e)
            return false;
    return true;
}

#endif
