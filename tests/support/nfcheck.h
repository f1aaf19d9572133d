/*
 * nfcheck.h - the fixture shared by the NetFlow v9 / IPFIX / template Check suites: a
 * collector with default limits (or adjusted ones), a recording sink, an encoder buffer, and
 * assertions on counters and addresses. Include once per test program, after nf_priv.h.
 */
#ifndef FLOWDRILL_TESTS_NFCHECK_H
#define FLOWDRILL_TESTS_NFCHECK_H

#include <check.h>
#include <string.h>

#include "flowdrill/nf.h"
#include "nf_priv.h"
#include "nfenc.h"

#define T0 1700000000u /* export time of every message unless a test says otherwise */
#define MAXREC 4096

struct rec_sink {
    struct flow_rec r[MAXREC];
    size_t n;
};

static struct rec_sink rs;
static struct nf_collector *col;
static struct nf_config cfg;
static struct nfenc m;

static inline void rec_emit(void *ctx, const struct flow_rec *r, size_t n)
{
    struct rec_sink *s = ctx;
    for (size_t i = 0; i < n && s->n < MAXREC; i++)
        s->r[s->n++] = r[i];
}

static inline void setup_cfg(void (*adjust)(struct nf_config *))
{
    memset(&rs, 0, sizeof rs);
    nf_config_default(&cfg);
    if (adjust)
        adjust(&cfg);
    col = nf_collector_new(&cfg, (struct flow_sink){rec_emit, &rs});
}

static inline void setup(void)
{
    setup_cfg(NULL);
}

static inline void teardown(void)
{
    nf_collector_free(col);
    col = NULL;
}

static inline uint64_t ctr(enum nf_reason r)
{
    return nf_collector_counters(col)->count[r];
}

/* Feed the message in `m` from exporter `ip`:`port` at Unix second `sec`. */
static inline int feed_from(const char *ip, uint16_t port, uint32_t sec)
{
    struct flow_addr a;
    flow_addr_parse(ip, &a);
    ck_assert(!m.overflow);
    return nf_collector_input(col, &a, port, m.buf, m.len, (int64_t)sec * 1000000);
}

static inline int feed(void)
{
    return feed_from("192.0.2.1", 2055, T0);
}

static inline void assert_addr(const struct flow_addr *a, const char *want)
{
    char buf[FLOW_ADDR_STRLEN];
    flow_addr_format(a, buf, sizeof buf);
    ck_assert_str_eq(buf, want);
}

/* No counter moved except those listed (as a bit set of reasons). */
static inline void assert_only(uint32_t allowed)
{
    for (int r = 0; r < NF_R_MAX; r++)
        if (!(allowed >> r & 1u))
            ck_assert_msg(ctr((enum nf_reason)r) == 0, "%s = %llu",
                          nf_reason_name((enum nf_reason)r),
                          (unsigned long long)ctr((enum nf_reason)r));
}
#define BIT(r) (1u << (r))

/* The collector's state for exporter ip:2055 and domain (created when missing). */
static inline struct nf_exporter *exp_of(const char *ip, uint32_t domain, uint8_t version)
{
    struct flow_addr a;
    flow_addr_parse(ip, &a);
    return nf_exporter_get(col, &a, 2055, domain, version);
}

#endif
