/*
 * viewcheck.h - a small, known traffic mix in a live aggregator, shared by the view model and
 * screen tests.
 *
 *   A 10.0.0.1 -> C 192.0.2.1  tcp 40000 -> 443   10 x 1000 B
 *   B 10.0.0.2 -> C 192.0.2.1  udp 50000 -> 53     5 x  100 B
 *   A 10.0.0.1 -> D 192.0.2.2  tcp 40001 -> 22     3 x  500 B
 *   D 192.0.2.2 -> B 10.0.0.2  icmp                2 x   84 B
 *
 * Host totals: A 11500, C 10500, D 1668, B 668.
 */
#ifndef FLOWDRILL_TESTS_VIEWCHECK_H
#define FLOWDRILL_TESTS_VIEWCHECK_H

#include "flowdrill/agg.h"
#include "flowdrill/localnet.h"
#include "flowdrill/service.h"
#include "recs.h"

#define VC_A "10.0.0.1"
#define VC_B "10.0.0.2"
#define VC_C "192.0.2.1"
#define VC_D "192.0.2.2"
#define VC_T0 1000000u

struct vc {
    struct localnet ln;
    struct service_db *svc;
    struct agg *agg;
};

static inline void vc_add(struct vc *f, const char *s, uint16_t sp, const char *d, uint16_t dp,
                          uint8_t proto, uint64_t bytes, int n, uint32_t sec)
{
    for (int i = 0; i < n; i++) {
        struct flow_rec r = recs_make(s, sp, d, dp, proto, bytes, sec + (uint32_t)(i % 3));
        agg_add(f->agg, &r, 1);
    }
}

static inline void vc_setup(struct vc *f)
{
    struct agg_limits lim;
    agg_limits_default(&lim);
    localnet_init(&f->ln);
    localnet_add_cidr(&f->ln, "10.0.0.0/8");
    f->svc = service_db_new(false);
    f->agg = agg_new(&lim, &f->ln, f->svc, 42);
    vc_add(f, VC_A, 40000, VC_C, 443, 6, 1000, 10, VC_T0);
    vc_add(f, VC_B, 50000, VC_C, 53, 17, 100, 5, VC_T0);
    vc_add(f, VC_A, 40001, VC_D, 22, 6, 500, 3, VC_T0);
    vc_add(f, VC_D, 0, VC_B, 0, 1, 84, 2, VC_T0);
    agg_advance(f->agg, VC_T0 + 5);
}

static inline void vc_teardown(struct vc *f)
{
    agg_free(f->agg);
    service_db_free(f->svc);
}

#endif
