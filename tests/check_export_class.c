/*
 * check_export_class.c - export records summed by class (export_class.h) and pending history
 * rings (stat_pend in stat_hist.h): what reaches the rows must be what booking every record
 * on its own gives. The aggregator test checks exporter, interface, protocol and port rows
 * and the all-traffic history against a model written from the records alone.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/agg.h"
#include "flowdrill/export_class.h"
#include "flowdrill/service.h"
#include "flowdrill/stat_hist.h"
#include "flowdrill/stat_table.h"
#include "checkrun.h"
#include "recs.h"
#include "rowsum.h"

#define T0 1700000000u

static uint64_t rng_state = 7;
static uint32_t rnd32(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

/* ---- pending rings against booking span by span ---- */

static void check_pend_equals_spans(uint8_t shift0, uint32_t ring_lag)
{
    /* ring A books every span; ring B gets the same spans summed in a pending ring */
    uint32_t da[STAT_HIST] = {0}, la = T0 - ring_lag, ma = 0;
    uint32_t db[STAT_HIST] = {0}, lb = T0 - ring_lag, mb = 0;
    uint8_t sa = shift0, sb = shift0;
    struct stat_hist ha = {da, &la, &sa, &ma}, hb = {db, &lb, &sb, &mb};
    uint32_t now = T0 + 50;
    uint64_t spans = 0; /* each may round a second down by a unit in ring A */
    for (int round = 0; round < 20; round++, now += 1 + rnd32() % 3) {
        struct stat_pend p;
        memset(&p, 0, sizeof p);
        int n = 1 + (int)(rnd32() % 200);
        for (int i = 0; i < n; i++) {
            uint32_t lag = rnd32() % 70, len = rnd32() % 90;
            struct stat_span sp = {0, now - lag, 0, 0};
            sp.first = sp.last - len;
            uint64_t bytes = rnd32() % 5000000;
            sp.per = bytes / (len + 1);
            sp.rem = bytes - sp.per * (len + 1);
            stat_pend_add_span(&p, now, &sp);
            spans++;
            /* what booking it alone gives, clamped as the pending ring clamps */
            if (now - sp.last < STAT_HIST)
                stat_hist_add_span(ha, &sp);
        }
        /* ring A may not have moved to `now` if no span ended there: move it as B will */
        struct stat_span zero = {now, now, 0, 0};
        stat_hist_add_span(ha, &zero);
        stat_hist_add_pend(hb, &p, now, stat_pend_max(&p, now));
        ck_assert_uint_eq(lb, la);
        for (uint32_t s = now - (STAT_HIST - 1); s <= now; s++) {
            uint64_t va = stat_hist_at(da, la, sa, s), vb = stat_hist_at(db, lb, sb, s);
            if (sa == 0 && sb == 0)
                ck_assert_uint_eq(vb, va);
            else /* units of 2^shift: B rounds once per second, A once per span */
                ck_assert_msg(vb + (spans << sb) >= va && va + (spans << sa) >= vb,
                              "second %u: %llu vs %llu (shift %u/%u)", now - s,
                              (unsigned long long)va, (unsigned long long)vb, sa, sb);
        }
    }
}

START_TEST(test_pend_equals_spans)
{
    check_pend_equals_spans(0, 0);
    check_pend_equals_spans(0, 200); /* the ring far behind: it starts over */
    check_pend_equals_spans(3, 10);  /* a ring in units of 8 bytes: the careful path */
}
END_TEST

/* ---- the shifted fast path against the careful path it replaces ---- */

/* What stat_hist_add_pend did before it had a path for a nonzero shift, written out whole
 * from its contract: the same window and unit add bucket by bucket when the bound allows;
 * anything else decodes the ring, adds every second's pending bytes in the ring's units,
 * rescales until the largest second fits 31 bits, encodes again and makes `max` exact. */
static void ref_add_pend(struct stat_hist h, const struct stat_pend *p, uint32_t last,
                         uint64_t vmax)
{
    if (!vmax)
        return;
    if (last > *h.last) {
        if (last - *h.last >= STAT_HIST) {
            memset(h.d, 0, STAT_HIST * sizeof *h.d);
            *h.max = 0;
        } else {
            for (uint32_t s = *h.last + 1; s <= last; s++)
                h.d[s % STAT_HIST] = 0;
        }
        *h.last = last;
    }
    if (last == *h.last && *h.shift == 0 && vmax <= UINT32_MAX - *h.max) {
        *h.max += (uint32_t)vmax;
        for (uint32_t i = 0; i < STAT_HIST; i++)
            h.d[i] += (uint32_t)p->d[i];
        return;
    }
    uint32_t hl = *h.last, oldest = hl - (STAT_HIST - 1); /* the test's seconds are > 64 */
    uint64_t v[STAT_HIST], acc = 0, max = 0;
    uint32_t dec = 0;
    for (uint32_t k = 0; k < STAT_HIST; k++) {
        dec += h.d[(hl - k) % STAT_HIST];
        v[k] = dec;
    }
    for (uint32_t k = 0; k < STAT_HIST; k++) {
        uint32_t s = last - k;
        acc += p->d[s % STAT_HIST];
        if (s >= oldest && s <= hl) {
            uint64_t add = acc >> *h.shift;
            v[hl - s] = add > UINT64_MAX - v[hl - s] ? UINT64_MAX : v[hl - s] + add;
        }
    }
    for (uint32_t k = 0; k < STAT_HIST; k++)
        max = v[k] > max ? v[k] : max;
    for (; max > UINT32_MAX / 2; max >>= 1, (*h.shift)++)
        for (uint32_t k = 0; k < STAT_HIST; k++)
            v[k] >>= 1;
    for (uint32_t k = 0; k < STAT_HIST; k++)
        h.d[(hl - k) % STAT_HIST] = (uint32_t)(v[k] - (k ? v[k - 1] : 0));
    *h.max = (uint32_t)max;
}

START_TEST(test_pend_shifted_matches_careful_path)
{
    /* ring A through stat_hist_add_pend, ring B through ref_add_pend; both also take the same
     * single spans. Every ring word must agree after every step. */
    uint32_t da[STAT_HIST] = {0}, la = T0, ma = 0;
    uint32_t db[STAT_HIST] = {0}, lb = T0, mb = 0;
    uint8_t sa = 0, sb = 0;
    struct stat_hist ha = {da, &la, &sa, &ma}, hb = {db, &lb, &sb, &mb};
    uint32_t now = T0;
    int shifted = 0, shifted_rescaled = 0, behind = 0;
    rng_state = 11;
    for (int round = 0; round < 20000; round++) {
        uint32_t r = rnd32();
        now += r % 8 == 0 ? 0 : r % 64 == 1 ? 70 : 1 + r % 3;
        /* per-span bytes rising from 2^8 to 2^40 over the rounds, give or take 2^4: the
         * largest second crosses 2^31 units again and again, so shifts grow one by one, and
         * mostly with a bound that leaves the fast path to rescale */
        uint32_t mag = 8 + (uint32_t)round * 32 / 20000 + rnd32() % 5;
        struct stat_pend p;
        memset(&p, 0, sizeof p);
        int n = 1 + (int)(rnd32() % 40);
        for (int i = 0; i < n; i++) {
            uint32_t lag = rnd32() % 70, len = rnd32() % 90;
            uint64_t bytes = ((uint64_t)rnd32() << 32 | rnd32()) >> (64 - mag);
            struct stat_span sp = stat_span_even(now - lag - len, now - lag, bytes);
            stat_pend_add_span(&p, now, &sp);
        }
        if (rnd32() % 4 == 0) { /* a single booking on both, now or (rarely) ahead */
            uint32_t at = now + (rnd32() % 16 == 0 ? 1 + rnd32() % 3 : 0);
            uint64_t bytes = ((uint64_t)rnd32() << 32 | rnd32()) >> (64 - mag);
            struct stat_span sp = stat_span_even(at - rnd32() % 5, at, bytes);
            stat_hist_add_span(ha, &sp);
            stat_hist_add_span(hb, &sp);
        }
        uint64_t vmax = stat_pend_max(&p, now);
        uint8_t shift_before = sb;
        /* whether the fast path may take it: the ring not ahead, a nonzero shift, the bound
         * (a ring that starts over has max 0) */
        uint64_t mb_after = lb <= now && now - lb >= STAT_HIST ? 0 : mb;
        int fast = lb <= now && sb != 0 && mb_after + (vmax >> sb) <= UINT32_MAX;
        behind += lb > now;
        stat_hist_add_pend(ha, &p, now, vmax);
        ref_add_pend(hb, &p, now, vmax);
        shifted += fast && vmax;
        shifted_rescaled += fast && vmax && sb != shift_before;
        ck_assert_uint_eq(la, lb);
        ck_assert_uint_eq(sa, sb);
        ck_assert_uint_eq(ma, mb);
        ck_assert_msg(!memcmp(da, db, sizeof da), "round %d: rings differ (shift %u)", round,
                      sb);
        uint64_t wa = stat_hist_window(da, la, sa, la + 1, STAT_HIST);
        ck_assert_uint_eq(wa, stat_hist_window(db, lb, sb, lb + 1, STAT_HIST));
    }
    /* the drive reached what it is for */
    ck_assert_int_gt(shifted, 1000);
    ck_assert_int_gt(shifted_rescaled, 10);
    ck_assert_int_gt(behind, 10);
}
END_TEST

START_TEST(test_pend_max)
{
    struct stat_pend p;
    memset(&p, 0, sizeof p);
    struct stat_span a = {T0 + 10, T0 + 20, 100, 5}, b = {T0 + 15, T0 + 15, 1000, 0};
    stat_pend_add_span(&p, T0 + 30, &a);
    stat_pend_add_span(&p, T0 + 30, &b);
    ck_assert_uint_eq(stat_pend_max(&p, T0 + 30), 1100);
    struct stat_span old = {T0 - 100, T0 - 40, 7, 0}; /* older than the window: left out */
    stat_pend_add_span(&p, T0 + 30, &old);
    ck_assert_uint_eq(stat_pend_max(&p, T0 + 30), 1100);
}
END_TEST

/* ---- the set ---- */

START_TEST(test_class_set_get_full_reset)
{
    struct export_class_set s;
    export_class_init(&s, 100, 3);
    struct export_class_key key;
    bool created;
    for (uint32_t i = 0; i < 100; i++) {
        memset(&key, 0, sizeof key);
        key.w[2] = (uint64_t)i << 32;
        struct export_class *c = export_class_get(&s, &key, &created);
        ck_assert_ptr_nonnull(c);
        ck_assert(created);
        ck_assert_uint_eq(c->first, UINT32_MAX);
        c->records = i + 1;
    }
    memset(&key, 0, sizeof key);
    uint32_t extra = 1000;
    key.w[2] = (uint64_t)extra << 32;
    ck_assert_ptr_null(export_class_get(&s, &key, &created)); /* full */
    for (uint32_t i = 0; i < 100; i++) {
        key.w[2] = (uint64_t)i << 32;
        struct export_class *c = export_class_get(&s, &key, &created);
        ck_assert(!created);
        ck_assert_uint_eq(c->records, i + 1);
    }
    export_class_reset(&s);
    ck_assert_uint_eq(s.n, 0);
    for (uint32_t i = 0; i < 100; i++) {
        key.w[2] = (uint64_t)i << 32;
        struct export_class *c = export_class_get(&s, &key, &created);
        ck_assert(created);
        ck_assert_uint_eq(c->records, 0);
    }
    export_class_reset(&s); /* the other way of emptying the index (many classes) */
    key.w[2] = (uint64_t)extra << 32;
    ck_assert_ptr_nonnull(export_class_get(&s, &key, &created));
    ck_assert(created);
    export_class_free(&s);
}
END_TEST

/* ---- the aggregator against a model ---- */

#define SECS 30
#define PER_SEC 2000
#define N_EXP 3
#define N_IF 2048
#define BASE (T0 - 128) /* the model's first second */

struct mrow {
    uint64_t b[2], flows;
    uint64_t v[SECS + 128]; /* bytes of second BASE + i */
    uint32_t last_now;     /* the latest second it was booked at */
    bool used;
};

struct model {
    struct mrow exporter[N_EXP], iface[N_EXP][N_IF], proto[256], total;
    struct mrow port[5];
};

static const uint16_t svc_port[5] = {22, 80, 443, 53, 123};
static const uint8_t svc_proto[5] = {6, 6, 6, 17, 17};

/* Book `bytes` over [first, last] (the aggregator's spreading) into m, booked at second now. */
static void mrow_book(struct mrow *m, int side, uint64_t bytes, uint64_t flows, uint32_t first,
                      uint32_t last, uint32_t now)
{
    m->used = true;
    m->b[side] += bytes;
    m->flows += flows;
    if (now > m->last_now)
        m->last_now = now;
    uint64_t n = (uint64_t)(last - first) + 1, per = bytes / n;
    for (uint32_t s = first; s <= last; s++)
        if (s + (STAT_HIST - 1) >= now)
            m->v[s - BASE] += per + (s == last ? bytes - per * n : 0);
}

static void mrow_check(const char *what, const struct mrow *m, const struct stat_table *t,
                       const void *key, uint32_t now)
{
    if (!m->used)
        return;
    uint32_t idx = stat_table_find(t, key);
    ck_assert_msg(idx != STAT_NONE, "%s: no row", what);
    const struct stat_entry *e = stat_table_centry(t, idx);
    ck_assert_msg(e->bytes[0] == m->b[0] && e->bytes[1] == m->b[1],
                  "%s: bytes %llu/%llu, model %llu/%llu", what, (unsigned long long)e->bytes[0],
                  (unsigned long long)e->bytes[1], (unsigned long long)m->b[0],
                  (unsigned long long)m->b[1]);
    ck_assert_msg(e->flows == m->flows, "%s: flows %llu, model %llu", what,
                  (unsigned long long)e->flows, (unsigned long long)m->flows);
    uint64_t series[40];
    stat_entry_series(e, now + 1, 40, series);
    for (uint32_t k = 0; k < 40; k++) {
        uint32_t s = now + 1 - 40 + k;
        uint64_t want = s + (STAT_HIST - 1) >= m->last_now ? m->v[s - BASE] : 0;
        ck_assert_msg(series[k] == want, "%s: second %d: %llu, model %llu", what,
                      (int)(s - T0),
                      (unsigned long long)series[k], (unsigned long long)want);
    }
}

struct conv {
    uint8_t kind; /* 0..4 a service, 5 ICMP, 6 TCP without ports (a fragment) */
    uint32_t client, server;
    uint16_t cport;
    bool seen;
};

START_TEST(test_agg_classes_match_model)
{
    static struct model m;
    memset(&m, 0, sizeof m);
    enum { N = SECS * PER_SEC };
    struct conv *conv = calloc(N, sizeof *conv);
    uint32_t n_conv = 0;
    struct flow_rec *r = malloc(N * sizeof *r);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t sec = T0 + i / PER_SEC;
        struct conv *c;
        if (n_conv && rnd32() % 10 == 0) {
            c = &conv[rnd32() % n_conv]; /* a conversation seen before, either way */
        } else {
            c = &conv[n_conv++];
            uint32_t k = rnd32() % 100;
            c->kind = k < 70 ? (uint8_t)(k % 3) : k < 85 ? (uint8_t)(3 + k % 2) : k < 95 ? 5 : 6;
            c->client = n_conv; /* no two conversations alike, those without ports included */
            c->server = rnd32() % 40;
            c->cport = (uint16_t)(32768 + rnd32() % 30000);
        }
        char cli[32], srv[32];
        snprintf(cli, sizeof cli, "10.%u.%u.%u", c->client >> 16, c->client >> 8 & 255,
                 c->client & 255);
        snprintf(srv, sizeof srv, "198.18.0.%u", c->server + 1);
        bool up = rnd32() & 1; /* client to server */
        uint8_t proto = c->kind < 5 ? svc_proto[c->kind] : c->kind == 5 ? 1 : 6;
        uint16_t sp = c->kind < 5 ? c->cport : 0, dp = c->kind < 5 ? svc_port[c->kind] : 0;
        uint64_t bytes = 40 + rnd32() % 200000;
        r[i] = up ? recs_make(cli, sp, srv, dp, proto, bytes, sec)
                  : recs_make(srv, dp, cli, sp, proto, bytes, sec);
        r[i].first_us -= (int64_t)(rnd32() % 80) * 1000000; /* some reach past the history */
        r[i].packets = 1 + rnd32() % 40;
        r[i].flags = FLOW_REC_EXPORTED;
        uint32_t e = rnd32() % N_EXP;
        char ex[32];
        snprintf(ex, sizeof ex, "198.51.100.%u", e + 1);
        flow_addr_parse(ex, &r[i].exporter);
        r[i].domain = e == 2 ? 7 : 0;
        r[i].in_if = rnd32() % 4; /* 0: unknown */
        r[i].out_if = rnd32() % 4;
        if (i / PER_SEC == 10) /* a second with more classes than a set holds */
            r[i].in_if = 100 + i % 1500;

        /* the model: every record booked on its own, at the second it arrives */
        uint32_t first = (uint32_t)(r[i].first_us / 1000000);
        bool is_new = !c->seen;
        c->seen = true;
        mrow_book(&m.exporter[e], 0, bytes, 1, first, sec, sec);
        if (r[i].out_if)
            mrow_book(&m.iface[e][r[i].out_if], 0, bytes, 1, first, sec, sec);
        if (r[i].in_if)
            mrow_book(&m.iface[e][r[i].in_if], 1, bytes, 1, first, sec, sec);
        mrow_book(&m.total, 0, bytes, 0, first, sec, sec);
        /* protocols: which side depends on the conversation's first record; the sum doesn't */
        mrow_book(&m.proto[proto], 0, bytes, is_new, first, sec, sec);
        if (c->kind < 5) /* ports: [0] towards the service */
            mrow_book(&m.port[c->kind], up ? 0 : 1, bytes, is_new, first, sec, sec);
    }

    struct agg_limits l;
    agg_limits_default(&l);
    l.max_flows = N; /* every conversation keeps its place: "new" is the model's */
    struct service_db *svc = service_db_new(false);
    struct agg *a = agg_new(&l, NULL, svc, 9);
    for (uint32_t i = 0; i < N; i += 25)
        agg_add(a, r + i, 25);
    agg_flush(a);
    uint32_t now = agg_now(a);
    ck_assert_uint_eq(now, T0 + SECS - 1);
    struct agg_totals t;
    agg_totals(a, &t);
    ck_assert_uint_eq(t.flows, n_conv);

    char what[64];
    uint8_t key[24] = {0};
    for (uint32_t e = 0; e < N_EXP; e++) {
        char ex[32];
        snprintf(ex, sizeof ex, "198.51.100.%u", e + 1);
        struct flow_addr ea;
        flow_addr_parse(ex, &ea);
        uint32_t dom = e == 2 ? 7 : 0;
        memset(&key, 0, sizeof key);
        memcpy(key, ea.b, 16);
        memcpy(key + 16, &dom, 4);
        snprintf(what, sizeof what, "exporter %u", e);
        mrow_check(what, &m.exporter[e], agg_stat_table(a, AGG_T_EXPORTER), key, now);
        for (uint32_t x = 0; x < N_IF; x++) {
            memcpy(key + 20, &x, 4);
            snprintf(what, sizeof what, "exporter %u iface %u", e, x);
            mrow_check(what, &m.iface[e][x], agg_stat_table(a, AGG_T_IFACE), key, now);
        }
    }
    /* protocols: the model's [0] is everything; the table splits it by the conversation's
     * direction, so compare the sum and the series */
    for (int p = 0; p < 256; p++) {
        if (!m.proto[p].used)
            continue;
        uint8_t pk = (uint8_t)p;
        uint32_t idx = stat_table_find(agg_stat_table(a, AGG_T_PROTO), &pk);
        ck_assert_uint_ne(idx, STAT_NONE);
        const struct stat_entry *e = stat_table_centry(agg_stat_table(a, AGG_T_PROTO), idx);
        ck_assert_uint_eq(e->bytes[0] + e->bytes[1], m.proto[p].b[0]);
        struct mrow mp = m.proto[p];
        mp.b[0] = e->bytes[0];
        mp.b[1] = e->bytes[1];
        snprintf(what, sizeof what, "protocol %d", p);
        mrow_check(what, &mp, agg_stat_table(a, AGG_T_PROTO), &pk, now);
    }
    for (int k = 0; k < 5; k++) {
        uint8_t pkey[3] = {(uint8_t)(svc_port[k] >> 8), (uint8_t)svc_port[k], svc_proto[k]};
        snprintf(what, sizeof what, "port %u", svc_port[k]);
        mrow_check(what, &m.port[k], agg_stat_table(a, AGG_T_PORT), pkey, now);
    }
    /* the all-traffic history: complete seconds before now */
    for (uint32_t secs = 1; secs <= 40; secs++) {
        uint64_t want = 0;
        for (uint32_t s = now - secs; s < now; s++)
            want += m.total.v[s - BASE];
        ck_assert_uint_eq(agg_total_window(a, secs), want);
    }
    ck_assert_uint_eq(t.bytes, m.total.b[0]);
    /* applications: ports' and ICMP's, nothing for the port-less TCP */
    uint64_t apps = rowsum(a, AGG_T_APP, NULL, NULL), want_apps = m.proto[1].b[0];
    for (int k = 0; k < 5; k++)
        want_apps += m.port[k].b[0] + m.port[k].b[1];
    ck_assert_uint_eq(apps, want_apps);
    agg_free(a);
    service_db_free(svc);
    free(r);
    free(conv);
}
END_TEST


/* ---- hosts and pairs of exports, held until the flush: peers, flows, sides ---- */

#define PH 300 /* hosts */

START_TEST(test_agg_export_peers_and_pairs)
{
    /* every host's peers and flows, every pair's flows and sides, against a model; a table
     * large enough that nothing folds, so every first sighting of a pair is a new peer */
    static uint8_t seen_pair[PH][PH];
    static uint64_t pair_b[PH][PH][2], pair_f[PH][PH];
    static bool conv_seen[PH][PH][4];
    uint32_t peers[PH] = {0}, flows[PH] = {0};
    uint64_t sent[PH] = {0}, recv[PH] = {0};
    memset(seen_pair, 0, sizeof seen_pair);
    memset(pair_b, 0, sizeof pair_b);
    memset(pair_f, 0, sizeof pair_f);
    memset(conv_seen, 0, sizeof conv_seen);
    struct agg_limits l;
    agg_limits_default(&l);
    struct service_db *svc = service_db_new(false);
    struct agg *a = agg_new(&l, NULL, svc, 11);
    for (uint32_t i = 0; i < 40000; i++) {
        uint32_t x = rnd32() % PH, y = rnd32() % 8 ? rnd32() % PH : x; /* some talk to self */
        uint32_t port = rnd32() % 4;
        char sx[32], sy[32];
        snprintf(sx, sizeof sx, "10.0.%u.%u", x >> 8, x & 255);
        snprintf(sy, sizeof sy, "10.0.%u.%u", y >> 8, y & 255);
        uint64_t bytes = 1 + rnd32() % 100000;
        struct flow_rec r = recs_make(sx, (uint16_t)(40000 + port), sy, 443, 6, bytes,
                                      T0 + i / 3000);
        r.flags = FLOW_REC_EXPORTED;
        flow_addr_parse("198.51.100.1", &r.exporter);
        agg_add(a, &r, 1);
        if (i % 7000 == 6999)
            agg_flush(a); /* flushes on the way, as the screen does */
        /* the model; the pair [0] goes lower->higher (addresses order as host numbers here) */
        uint32_t lo = x < y ? x : y, hi = x < y ? y : x;
        bool new_conv = !conv_seen[x][y][port]; /* x:port -> y:443 (never sent back) */
        conv_seen[x][y][port] = true;
        if (!seen_pair[lo][hi]) {
            seen_pair[lo][hi] = 1;
            peers[lo]++;
            if (hi != lo)
                peers[hi]++;
        }
        if (new_conv) {
            flows[lo]++;
            if (hi != lo)
                flows[hi]++;
            pair_f[lo][hi]++;
        }
        pair_b[lo][hi][x == lo ? 0 : 1] += bytes;
        sent[x] += bytes;
        if (y != x)
            recv[y] += bytes; /* self-talk is booked once, as sent */
    }
    agg_flush(a);
    struct stat_table *ht = agg_stat_table(a, AGG_T_HOST), *pt = agg_stat_table(a, AGG_T_PAIR);
    for (uint32_t h = 0; h < PH; h++) {
        char sh[32];
        snprintf(sh, sizeof sh, "10.0.%u.%u", h >> 8, h & 255);
        struct flow_addr ah;
        flow_addr_parse(sh, &ah);
        uint32_t idx = stat_table_find(ht, &ah);
        if (!sent[h] && !recv[h]) {
            ck_assert_uint_eq(idx, STAT_NONE);
            continue;
        }
        ck_assert_uint_ne(idx, STAT_NONE);
        const struct stat_entry *e = stat_table_centry(ht, idx);
        ck_assert_msg(e->aux == peers[h], "host %u: %llu peers, model %u", h,
                      (unsigned long long)e->aux, peers[h]);
        ck_assert_msg(e->flows == flows[h], "host %u: %llu flows, model %u", h,
                      (unsigned long long)e->flows, flows[h]);
        ck_assert_uint_eq(e->bytes[0], sent[h]);
        ck_assert_uint_eq(e->bytes[1], recv[h]);
        for (uint32_t g = h; g < PH; g++) {
            if (!seen_pair[h][g])
                continue;
            char sg[32];
            snprintf(sg, sizeof sg, "10.0.%u.%u", g >> 8, g & 255);
            uint8_t key[32];
            flow_addr_parse(sg, (struct flow_addr *)(key + 16));
            memcpy(key, ah.b, 16);
            uint32_t pi = stat_table_find(pt, key);
            ck_assert_uint_ne(pi, STAT_NONE);
            const struct stat_entry *pe = stat_table_centry(pt, pi);
            ck_assert_uint_eq(pe->bytes[0], pair_b[h][g][0]);
            ck_assert_uint_eq(pe->bytes[1], pair_b[h][g][1]);
            ck_assert_uint_eq(pe->flows, pair_f[h][g]);
        }
    }
    agg_free(a);
    service_db_free(svc);
}
END_TEST

static Suite *export_class_suite(void)
{
    Suite *s = suite_create("export_class");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_pend_equals_spans);
    tcase_add_test(tc, test_pend_shifted_matches_careful_path);
    tcase_add_test(tc, test_pend_max);
    tcase_add_test(tc, test_class_set_get_full_reset);
    tcase_add_test(tc, test_agg_classes_match_model);
    tcase_add_test(tc, test_agg_export_peers_and_pairs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(export_class_suite());
}
