/*
 * check_resolver.c - asynchronous reverse DNS without the network: an injected backend on the
 * threadpool and an injected clock. Names, positive and negative caching, expiry, the LRU
 * bound, both rate limits, hostile answers, IPv6, freeing with lookups in flight, the off
 * switch; and one real getnameinfo of 127.0.0.1 that accepts a name or a failure.
 */
#include "config.h"

#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flowdrill/resolver.h"

#include "checkrun.h"

/* The fake backend's behaviour is chosen by the address's last byte:
 *   0x01-0x7f  "host-N.example"         0x80-0xbf  fails
 *   0xc0       a hostile name with ESC/BEL  0xc1  a numeric answer  0xc2  a 300-byte name
 *   0xd0       sleeps 100 ms, then names it */
struct fake {
    atomic_int calls;
    atomic_int done;
};

static int fake_backend(const struct flow_addr *a, char *name, size_t len, void *ctx)
{
    struct fake *f = ctx;
    unsigned last = a->b[15];
    atomic_fetch_add(&f->calls, 1);
    int rc = 0;
    if (last >= 0x80 && last < 0xc0) {
        rc = -1;
    } else if (last == 0xc0) {
        snprintf(name, len, "%s", "\x1b[31mevil\x07.example");
    } else if (last == 0xc1) {
        snprintf(name, len, "%s", "10.0.0.1");
    } else if (last == 0xc2) {
        memset(name, 'a', 300);
        name[300] = '\0';
    } else {
        if (last == 0xd0)
            nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
        snprintf(name, len, "host-%u.%s", last, flow_addr_is_v4(a) ? "example" : "v6.example");
    }
    atomic_fetch_add(&f->done, 1);
    return rc;
}

struct fixture {
    uv_loop_t loop;
    struct fake fake;
    uint64_t now;
    int updates;
    struct resolver_config cfg;
    struct resolver *r;
};

static uint64_t fake_now(void *ctx)
{
    return *(uint64_t *)ctx;
}

static void on_update(void *arg)
{
    ((struct fixture *)arg)->updates++;
}

static void fx_init(struct fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    ck_assert_int_eq(uv_loop_init(&fx->loop), 0);
    fx->now = 1000000;
    fx->cfg.backend = fake_backend;
    fx->cfg.backend_ctx = &fx->fake;
    fx->cfg.now_ms = fake_now;
    fx->cfg.now_ctx = &fx->now;
    fx->cfg.max_inflight = 100;
    fx->cfg.max_per_sec = 1000;
    fx->cfg.ttl_s = 600;
    fx->cfg.neg_ttl_s = 60;
    fx->cfg.seed = 0x1234;
}

static void fx_start(struct fixture *fx)
{
    fx->r = resolver_new(&fx->loop, &fx->cfg, on_update, fx);
}

/* Deliver every completion. */
static void fx_drain(struct fixture *fx)
{
    while (resolver_inflight(fx->r))
        uv_run(&fx->loop, UV_RUN_ONCE);
}

static void fx_close(struct fixture *fx)
{
    resolver_free(fx->r);
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&fx->loop), 0);
}

static struct flow_addr v4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    struct flow_addr x;
    flow_addr_set_v4(&x, (const uint8_t[]){(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d});
    return x;
}

static struct resolver_stats stats(struct fixture *fx)
{
    struct resolver_stats st;
    resolver_stats(fx->r, &st);
    return st;
}

/* Look up and drain, returning the name then cached (or NULL). */
static const char *resolve(struct fixture *fx, const struct flow_addr *a)
{
    resolver_lookup(fx->r, a);
    fx_drain(fx);
    return resolver_lookup(fx->r, a);
}

START_TEST(test_name_arrives)
{
    struct fixture fx;
    fx_init(&fx);
    fx_start(&fx);
    struct flow_addr a = v4(192, 0, 2, 7);
    ck_assert_ptr_null(resolver_lookup(fx.r, &a));
    ck_assert_uint_eq(resolver_inflight(fx.r), 1);
    ck_assert_ptr_null(resolver_lookup(fx.r, &a)); /* pending: no second lookup */
    ck_assert_int_eq(fx.updates, 0);
    fx_drain(&fx);
    ck_assert_int_eq(fx.updates, 1);
    ck_assert_str_eq(resolver_lookup(fx.r, &a), "host-7.example");
    struct resolver_stats st = stats(&fx);
    ck_assert_uint_eq(st.started, 1);
    ck_assert_uint_eq(st.misses, 1);
    ck_assert_uint_eq(st.hits, 1);
    ck_assert_uint_eq(st.failed, 0);
    ck_assert_uint_eq(st.entries, 1);
    fx_close(&fx);
}
END_TEST

START_TEST(test_cache_hit)
{
    struct fixture fx;
    fx_init(&fx);
    fx_start(&fx);
    struct flow_addr a = v4(192, 0, 2, 8);
    ck_assert_str_eq(resolve(&fx, &a), "host-8.example");
    fx.now += 599 * 1000;
    for (int i = 0; i < 100; i++)
        ck_assert_str_eq(resolver_lookup(fx.r, &a), "host-8.example");
    ck_assert_uint_eq(resolver_inflight(fx.r), 0);
    ck_assert_int_eq(atomic_load(&fx.fake.calls), 1);
    ck_assert_uint_eq(stats(&fx).hits, 101);
    ck_assert_uint_eq(stats(&fx).started, 1);
    ck_assert_int_eq(fx.updates, 1);
    fx_close(&fx);
}
END_TEST

START_TEST(test_negative_cache)
{
    struct fixture fx;
    fx_init(&fx);
    fx_start(&fx);
    struct flow_addr a = v4(192, 0, 2, 0x90);
    ck_assert_ptr_null(resolve(&fx, &a));
    for (int i = 0; i < 10; i++)
        ck_assert_ptr_null(resolver_lookup(fx.r, &a));
    ck_assert_int_eq(atomic_load(&fx.fake.calls), 1);
    struct resolver_stats st = stats(&fx);
    ck_assert_uint_eq(st.failed, 1);
    ck_assert_uint_eq(st.hits, 11);
    ck_assert_int_eq(fx.updates, 0); /* a failure changes nothing on screen */
    fx_close(&fx);
}
END_TEST

START_TEST(test_expiry)
{
    struct fixture fx;
    fx_init(&fx);
    fx.cfg.ttl_s = 10;
    fx.cfg.neg_ttl_s = 2;
    fx_start(&fx);
    struct flow_addr named = v4(192, 0, 2, 9), failing = v4(192, 0, 2, 0x91);
    ck_assert_str_eq(resolve(&fx, &named), "host-9.example");
    ck_assert_ptr_null(resolve(&fx, &failing));
    ck_assert_int_eq(atomic_load(&fx.fake.calls), 2);

    fx.now += 1999; /* both still fresh */
    ck_assert_str_eq(resolver_lookup(fx.r, &named), "host-9.example");
    ck_assert_ptr_null(resolver_lookup(fx.r, &failing));
    ck_assert_uint_eq(resolver_inflight(fx.r), 0);

    fx.now += 1; /* the failure expires: asked again */
    ck_assert_str_eq(resolver_lookup(fx.r, &named), "host-9.example");
    ck_assert_ptr_null(resolver_lookup(fx.r, &failing));
    ck_assert_uint_eq(resolver_inflight(fx.r), 1);
    fx_drain(&fx);
    ck_assert_int_eq(atomic_load(&fx.fake.calls), 3);

    fx.now += 8000; /* 10 s after the name arrived: it expires and is asked again */
    ck_assert_ptr_null(resolver_lookup(fx.r, &named));
    ck_assert_uint_eq(resolver_inflight(fx.r), 1);
    fx_drain(&fx);
    ck_assert_str_eq(resolver_lookup(fx.r, &named), "host-9.example");
    ck_assert_int_eq(atomic_load(&fx.fake.calls), 4);
    ck_assert_int_eq(fx.updates, 2);
    ck_assert_uint_eq(stats(&fx).entries, 2);
    fx_close(&fx);
}
END_TEST

START_TEST(test_lru_bound)
{
    struct fixture fx;
    fx_init(&fx);
    fx.cfg.max_entries = 4;
    fx_start(&fx);
    struct flow_addr a[6];
    for (unsigned i = 0; i < 6; i++)
        a[i] = v4(198, 51, 100, 1 + i);
    for (int i = 0; i < 4; i++)
        ck_assert_ptr_nonnull(resolve(&fx, &a[i]));
    ck_assert_ptr_nonnull(resolver_lookup(fx.r, &a[0])); /* a[0] is now the most recent */
    ck_assert_ptr_nonnull(resolve(&fx, &a[4]));          /* evicts a[1] */
    ck_assert_ptr_nonnull(resolve(&fx, &a[5]));          /* evicts a[2] */
    struct resolver_stats st = stats(&fx);
    ck_assert_uint_eq(st.entries, 4);
    ck_assert_uint_eq(st.evicted, 2);
    int calls = atomic_load(&fx.fake.calls);
    ck_assert_int_eq(calls, 6);
    ck_assert_str_eq(resolver_lookup(fx.r, &a[0]), "host-1.example");
    ck_assert_str_eq(resolver_lookup(fx.r, &a[3]), "host-4.example");
    ck_assert_int_eq(atomic_load(&fx.fake.calls), calls);
    ck_assert_ptr_null(resolver_lookup(fx.r, &a[1])); /* gone: asked again */
    ck_assert_uint_eq(resolver_inflight(fx.r), 1);
    fx_drain(&fx);
    ck_assert_uint_eq(stats(&fx).entries, 4);
    fx_close(&fx);
}
END_TEST

START_TEST(test_pending_not_evicted)
{
    struct fixture fx;
    fx_init(&fx);
    fx.cfg.max_entries = 2;
    fx_start(&fx);
    struct flow_addr a = v4(203, 0, 113, 1), b = v4(203, 0, 113, 2), c = v4(203, 0, 113, 3);
    resolver_lookup(fx.r, &a);
    resolver_lookup(fx.r, &b);
    resolver_lookup(fx.r, &c); /* both entries pending: nowhere to put it */
    ck_assert_uint_eq(resolver_inflight(fx.r), 2);
    ck_assert_uint_eq(stats(&fx).rate_limited, 1);
    fx_drain(&fx);
    ck_assert_str_eq(resolver_lookup(fx.r, &a), "host-1.example");
    ck_assert_str_eq(resolver_lookup(fx.r, &b), "host-2.example");
    ck_assert_ptr_null(resolver_lookup(fx.r, &c)); /* now evicts a, the least recent */
    fx_drain(&fx);
    ck_assert_str_eq(resolver_lookup(fx.r, &c), "host-3.example");
    ck_assert_uint_eq(stats(&fx).evicted, 1);
    fx_close(&fx);
}
END_TEST

START_TEST(test_inflight_limit)
{
    struct fixture fx;
    fx_init(&fx);
    fx.cfg.max_inflight = 2;
    fx_start(&fx);
    struct flow_addr a[5];
    for (unsigned i = 0; i < 5; i++) {
        a[i] = v4(198, 51, 100, 20 + i);
        ck_assert_ptr_null(resolver_lookup(fx.r, &a[i]));
    }
    /* completions are only delivered by uv_run, so the count is exact */
    ck_assert_uint_eq(resolver_inflight(fx.r), 2);
    struct resolver_stats st = stats(&fx);
    ck_assert_uint_eq(st.started, 2);
    ck_assert_uint_eq(st.rate_limited, 3);
    ck_assert_uint_eq(st.entries, 2); /* refused misses leave nothing behind */
    fx_drain(&fx);
    /* the refused ones are retried by later calls */
    for (int round = 0; round < 3; round++) {
        for (unsigned i = 0; i < 5; i++)
            resolver_lookup(fx.r, &a[i]);
        ck_assert_uint_le(resolver_inflight(fx.r), 2);
        fx_drain(&fx);
    }
    for (unsigned i = 0; i < 5; i++)
        ck_assert_ptr_nonnull(resolver_lookup(fx.r, &a[i]));
    ck_assert_int_eq(atomic_load(&fx.fake.calls), 5);
    fx_close(&fx);
}
END_TEST

START_TEST(test_rate_limit)
{
    struct fixture fx;
    fx_init(&fx);
    fx.cfg.max_per_sec = 3;
    fx_start(&fx);
    struct flow_addr a[5];
    for (unsigned i = 0; i < 5; i++) {
        a[i] = v4(198, 51, 100, 40 + i);
        resolver_lookup(fx.r, &a[i]);
    }
    ck_assert_uint_eq(stats(&fx).started, 3);
    ck_assert_uint_eq(stats(&fx).rate_limited, 2);
    fx_drain(&fx);
    fx.now += 999; /* still the same second, even with nothing in flight */
    resolver_lookup(fx.r, &a[3]);
    ck_assert_uint_eq(resolver_inflight(fx.r), 0);
    ck_assert_uint_eq(stats(&fx).rate_limited, 3);
    fx.now += 1;
    resolver_lookup(fx.r, &a[3]);
    resolver_lookup(fx.r, &a[4]);
    ck_assert_uint_eq(resolver_inflight(fx.r), 2);
    ck_assert_uint_eq(stats(&fx).started, 5);
    fx_drain(&fx);
    ck_assert_str_eq(resolver_lookup(fx.r, &a[4]), "host-44.example");
    /* a sliding window, not a calendar second: one start from t is still in the window, so
     * one more may start now and then none until t + 2000 ms */
    struct flow_addr b[4];
    for (unsigned i = 0; i < 4; i++) {
        b[i] = v4(198, 51, 101, 1 + i);
        resolver_lookup(fx.r, &b[i]);
    }
    ck_assert_uint_eq(stats(&fx).started, 6);
    fx_drain(&fx);
    fx_close(&fx);
}
END_TEST

START_TEST(test_hostile_names)
{
    struct fixture fx;
    fx_init(&fx);
    fx_start(&fx);
    struct flow_addr evil = v4(192, 0, 2, 0xc0), numeric = v4(192, 0, 2, 0xc1),
                     longname = v4(192, 0, 2, 0xc2);
    const char *n = resolve(&fx, &evil);
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(n, "??31mevil?.example");
    for (const char *p = n; *p; p++)
        ck_assert_msg(*p >= 0x20 && *p < 0x7f, "control byte 0x%02x", (unsigned char)*p);
    ck_assert_ptr_null(strchr(n, '\x1b'));
    ck_assert_ptr_null(resolve(&fx, &numeric)); /* a numeric answer is no name */
    n = resolve(&fx, &longname);
    ck_assert_ptr_nonnull(n);
    ck_assert_uint_eq(strlen(n), RESOLVER_NAME_MAX);
    struct resolver_stats st = stats(&fx);
    ck_assert_uint_eq(st.failed, 1);
    ck_assert_uint_eq(st.sanitized, 2);
    fx_close(&fx);
}
END_TEST

START_TEST(test_ipv6)
{
    struct fixture fx;
    fx_init(&fx);
    fx_start(&fx);
    struct flow_addr a, b;
    ck_assert_int_eq(flow_addr_parse("2001:db8::2a", &a), 0);
    ck_assert_int_eq(flow_addr_parse("2001:db8::1:2a", &b), 0); /* same last byte */
    ck_assert_str_eq(resolve(&fx, &a), "host-42.v6.example");
    ck_assert_str_eq(resolve(&fx, &b), "host-42.v6.example");
    struct flow_addr c = v4(192, 0, 2, 42); /* and distinct from the IPv4 address */
    ck_assert_str_eq(resolve(&fx, &c), "host-42.example");
    ck_assert_uint_eq(stats(&fx).entries, 3);
    fx_close(&fx);
}
END_TEST

START_TEST(test_free_in_flight)
{
    struct fixture fx;
    fx_init(&fx);
    fx_start(&fx);
    /* more than libuv's 4 threads, so some are still queued (cancelled) when freed */
    for (unsigned i = 0; i < 8; i++) {
        struct flow_addr a;
        uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (uint8_t)i, 0xd0};
        flow_addr_set_v6(&a, b);
        resolver_lookup(fx.r, &a);
    }
    ck_assert_uint_eq(resolver_inflight(fx.r), 8);
    /* wait until at least one is running on the threadpool (it then sleeps 100 ms) */
    for (int i = 0; i < 1000 && atomic_load(&fx.fake.calls) == 0; i++)
        nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
    ck_assert_int_ge(atomic_load(&fx.fake.calls), 1);
    uint64_t t0 = uv_hrtime();
    resolver_free(fx.r); /* returns without waiting for the 100 ms lookups */
    ck_assert_uint_lt(uv_hrtime() - t0, 50 * 1000 * 1000ull);
    fx.r = NULL;
    uv_run(&fx.loop, UV_RUN_DEFAULT); /* delivers the detached completions; they free themselves */
    ck_assert_int_eq(uv_loop_close(&fx.loop), 0);
    ck_assert_int_eq(fx.updates, 0);
    ck_assert_int_eq(atomic_load(&fx.fake.calls), atomic_load(&fx.fake.done));
}
END_TEST

START_TEST(test_disabled)
{
    struct fixture fx;
    fx_init(&fx);
    fx_start(&fx);
    struct flow_addr a = v4(192, 0, 2, 10), b = v4(192, 0, 2, 11);
    ck_assert(resolver_enabled(fx.r));
    ck_assert_str_eq(resolve(&fx, &a), "host-10.example");
    resolver_set_enabled(fx.r, false);
    ck_assert(!resolver_enabled(fx.r));
    ck_assert_ptr_null(resolver_lookup(fx.r, &a));
    ck_assert_ptr_null(resolver_lookup(fx.r, &b));
    ck_assert_uint_eq(resolver_inflight(fx.r), 0);
    ck_assert_uint_eq(stats(&fx).started, 1);
    resolver_set_enabled(fx.r, true);
    ck_assert_str_eq(resolver_lookup(fx.r, &a), "host-10.example"); /* the cache was kept */
    ck_assert_ptr_null(resolver_lookup(fx.r, &b));
    ck_assert_uint_eq(resolver_inflight(fx.r), 1);
    fx_drain(&fx);
    ck_assert_int_eq(atomic_load(&fx.fake.calls), 2);
    fx_close(&fx);
}
END_TEST

START_TEST(test_disabled_from_start)
{
    struct fixture fx;
    fx_init(&fx);
    fx_start(&fx);
    resolver_set_enabled(fx.r, false);
    for (unsigned i = 0; i < 50; i++) {
        struct flow_addr a = v4(10, 0, 0, i);
        ck_assert_ptr_null(resolver_lookup(fx.r, &a));
    }
    struct resolver_stats st = stats(&fx);
    ck_assert_uint_eq(st.started + st.misses + st.hits + st.rate_limited + st.entries, 0);
    ck_assert_int_eq(atomic_load(&fx.fake.calls), 0);
    fx_close(&fx);
}
END_TEST

/* The real getnameinfo on the loopback address: the hosts file differs between machines, so
 * either a non-numeric, sanitized name or a failure is right; the point is the plumbing. */
START_TEST(test_getnameinfo_loopback)
{
    struct fixture fx;
    fx_init(&fx);
    fx.cfg.backend = NULL;
    fx.cfg.now_ms = NULL;
    fx_start(&fx);
    struct flow_addr a = v4(127, 0, 0, 1);
    ck_assert_ptr_null(resolver_lookup(fx.r, &a));
    fx_drain(&fx);
    const char *n = resolver_lookup(fx.r, &a);
    struct resolver_stats st = stats(&fx);
    ck_assert_uint_eq(st.started, 1);
    if (n) {
        ck_assert_uint_gt(strlen(n), 0);
        ck_assert_int_ne(strcmp(n, "127.0.0.1"), 0);
        ck_assert_int_eq(fx.updates, 1);
    } else {
        ck_assert_uint_eq(st.failed, 1);
    }
    fx_close(&fx);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("resolver");
    TCase *tc = tcase_create("cache");
    tcase_add_test(tc, test_name_arrives);
    tcase_add_test(tc, test_cache_hit);
    tcase_add_test(tc, test_negative_cache);
    tcase_add_test(tc, test_expiry);
    tcase_add_test(tc, test_lru_bound);
    tcase_add_test(tc, test_pending_not_evicted);
    tcase_add_test(tc, test_ipv6);
    suite_add_tcase(s, tc);
    TCase *tl = tcase_create("limits");
    tcase_add_test(tl, test_inflight_limit);
    tcase_add_test(tl, test_rate_limit);
    tcase_add_test(tl, test_hostile_names);
    tcase_add_test(tl, test_disabled);
    tcase_add_test(tl, test_disabled_from_start);
    suite_add_tcase(s, tl);
    TCase *tf = tcase_create("lifecycle");
    tcase_add_test(tf, test_free_in_flight);
    suite_add_tcase(s, tf);
    TCase *tg = tcase_create("getnameinfo");
    /* a slow or absent DNS server can take a resolver timeout or two */
    tcase_set_timeout(tg, 60);
    tcase_add_test(tg, test_getnameinfo_loopback);
    suite_add_tcase(s, tg);
    return check_run(s);
}
