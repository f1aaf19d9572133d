/*
 * detect_spread.c - port scans (one source, many ports of one host) and host sweeps (one
 * source, many hosts on one port), counted as distinct probes left unanswered.
 *
 * Each (source, target) entry holds two 512-bit maps for the current DETECT_EPOCH_S: the
 * ports (or hosts) probed and those that answered. The figure compared with the threshold is
 * the linear-counting estimate of "probed and not answered", so a client that opens many
 * connections that succeed is no scanner, while SYNs into closed or filtered ports are.
 * An answer looks up the entry of the other direction only; it never makes one.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "flowdrill/hash.h"
#include "flowdrill/xalloc.h"

#include "detect_priv.h"

struct scan_key {
    struct flow_addr src, dst;
};

struct sweep_key {
    struct flow_addr src;
    uint16_t port;
    uint8_t proto;
    uint8_t pad[5];
};

struct spread_state {
    uint32_t epoch;    /* first second of the current epoch */
    uint16_t count;    /* the estimate from `unans` */
    uint16_t unans;    /* bits set in probed and not in answered (kept as bits change) */
    uint64_t probed[DET_MAP_WORDS];
    uint64_t answered[DET_MAP_WORDS];
};

struct scan_entry {
    struct det_head h;
    struct scan_key k;
    struct spread_state s;
};

struct sweep_entry {
    struct det_head h;
    struct sweep_key k;
    struct spread_state s;
};

struct det_spread {
    struct det_table scan, sweep;
    bool do_scan, do_sweep;
    struct det_probers probers;
};

void det_probers_roll_(struct det_probers *p, uint32_t ep)
{
    if (ep == p->epoch + 1)
        memcpy(p->old, p->cur, sizeof p->cur);
    else
        memset(p->old, 0, sizeof p->old);
    memset(p->cur, 0, sizeof p->cur);
    p->epoch = ep;
}

struct det_spread *det_spread_new(struct detect *d)
{
    struct det_spread *s = xcalloc(1, sizeof *s);
    s->do_scan = d->cfg.enabled[DETECT_PORT_SCAN];
    s->do_sweep = d->cfg.enabled[DETECT_HOST_SWEEP];
    if (s->do_scan)
        det_table_init(&s->scan, d->cfg.slots, sizeof(struct scan_entry),
                       offsetof(struct scan_entry, k), sizeof(struct scan_key), DETECT_EPOCH_S);
    if (s->do_sweep)
        det_table_init(&s->sweep, d->cfg.slots, sizeof(struct sweep_entry),
                       offsetof(struct sweep_entry, k), sizeof(struct sweep_key),
                       DETECT_EPOCH_S);
    d->probers = &s->probers;
    return s;
}

void det_spread_free(struct det_spread *s)
{
    det_table_free(&s->scan);
    det_table_free(&s->sweep);
    free(s);
}

size_t det_spread_bytes(const struct det_spread *s)
{
    return sizeof *s + (s->do_scan ? det_table_bytes(&s->scan) : 0) +
           (s->do_sweep ? det_table_bytes(&s->sweep) : 0);
}

void det_spread_evicted(const struct det_spread *s, uint64_t *scan, uint64_t *sweep)
{
    *scan = s->scan.evicted;
    *sweep = s->sweep.evicted;
}

static void sweep_key_of(struct sweep_key *k, const struct flow_addr *src, uint16_t port,
                         uint8_t proto)
{
    memset(k, 0, sizeof *k);
    k->src = *src;
    k->port = port;
    k->proto = proto;
}

/* A probe into an entry's maps; the new estimate. */
static uint32_t spread_probe(struct spread_state *s, uint32_t now, uint64_t bit_hash)
{
    if (now - s->epoch >= DETECT_EPOCH_S || !s->epoch) {
        memset(s->probed, 0, sizeof s->probed);
        memset(s->answered, 0, sizeof s->answered);
        s->epoch = now;
        s->unans = s->count = 0;
    }
    size_t bit = (size_t)(bit_hash % (DET_MAP_WORDS * 64));
    uint64_t m = 1ull << (bit % 64);
    if (!(s->probed[bit / 64] & m)) {
        s->probed[bit / 64] |= m;
        if (!(s->answered[bit / 64] & m)) {
            s->unans++;
            s->count = (uint16_t)det_map_count(s->unans, DET_MAP_WORDS);
        }
    }
    return s->count;
}

/* An answer to a probe: its bit leaves the unanswered count. */
static void spread_answered(struct spread_state *s, uint64_t bit_hash)
{
    size_t bit = (size_t)(bit_hash % (DET_MAP_WORDS * 64));
    uint64_t m = 1ull << (bit % 64);
    if (s->answered[bit / 64] & m)
        return;
    s->answered[bit / 64] |= m;
    if (s->probed[bit / 64] & m) {
        s->unans--;
        s->count = (uint16_t)det_map_count(s->unans, DET_MAP_WORDS);
    }
}

/* The entry's alert fed with r, raised first when count reaches the threshold; the alert's
 * kind, addresses and port come from r (a scan: r->src and r->dst; a sweep: r->src, port). */
static void spread_alert(struct detect *d, struct det_head *h, const struct flow_rec *r,
                         uint32_t count, uint32_t threshold, uint8_t kind, uint16_t port)
{
    struct detect_alert *a = det_entry_alert(d, h);
    if (!a) {
        if (count < threshold)
            return;
        struct detect_alert p = {.kind = kind, .proto = r->proto, .port = port, .src = r->src,
                                 .has_src = true, .count = count, .peak = count,
                                 .threshold = threshold};
        if (kind == DETECT_PORT_SCAN) {
            p.dst = r->dst;
            p.has_dst = true;
        }
        a = det_entry_raise(d, h, &p);
        if (!a)
            return;
    }
    if (count > a->count)
        a->count = a->peak = count;
    det_alert_feed(a, r);
}

static bool is_icmp(const struct flow_rec *r)
{
    return r->proto == 1 || r->proto == 58;
}

static uint64_t port_bit(uint64_t seed, uint16_t port)
{
    return hash_mix64(seed ^ (0x9e3779b97f4a7c15ULL * (port + 1u)));
}

static void scan_probe(struct detect *d, struct det_spread *s, const struct det_rec *x)
{
    const struct flow_rec *r = x->r;
    struct scan_key k = {r->src, r->dst};
    bool fresh;
    struct scan_entry *e = det_table_get(&s->scan, det_key_hash(x->hs, x->hd, 1), &k, d->now,
                                         &fresh);
    e->h.last_sec = d->now;
    uint32_t n = spread_probe(&e->s, d->now, port_bit(d->seed, r->dport));
    e->h.weight = n;
    spread_alert(d, &e->h, r, n, d->cfg.scan_ports, DETECT_PORT_SCAN, 0);
}

static void sweep_probe(struct detect *d, struct det_spread *s, const struct det_rec *x)
{
    const struct flow_rec *r = x->r;
    struct sweep_key k;
    uint16_t port = is_icmp(r) ? 0 : r->dport;
    sweep_key_of(&k, &r->src, port, r->proto);
    bool fresh;
    struct sweep_entry *e = det_table_get(
        &s->sweep, det_key_hash(x->hs, 0, 2 + ((uint64_t)port << 8 | r->proto)), &k, d->now,
        &fresh);
    e->h.last_sec = d->now;
    uint32_t n = spread_probe(&e->s, d->now, x->hd);
    e->h.weight = n;
    spread_alert(d, &e->h, r, n, d->cfg.sweep_hosts, DETECT_HOST_SWEEP, port);
}

/* r goes from the target back to the prober: mark it answered in the prober's entries. */
static void spread_answer(struct detect *d, struct det_spread *s, const struct det_rec *x)
{
    const struct flow_rec *r = x->r;
    if (s->do_scan && !is_icmp(r)) {
        struct scan_key k = {r->dst, r->src};
        struct scan_entry *e = det_table_find(&s->scan, det_key_hash(x->hd, x->hs, 1), &k);
        if (e)
            spread_answered(&e->s, port_bit(d->seed, r->sport));
    }
    if (s->do_sweep) {
        struct sweep_key k;
        uint16_t port = is_icmp(r) ? 0 : r->sport;
        sweep_key_of(&k, &r->dst, port, r->proto);
        struct sweep_entry *e = det_table_find(
            &s->sweep, det_key_hash(x->hd, 0, 2 + ((uint64_t)port << 8 | r->proto)), &k);
        if (e)
            spread_answered(&e->s, x->hs);
    }
}

void det_spread_add(struct detect *d, struct det_spread *s, const struct det_rec *x)
{
    if ((x->role & DET_ANSWER) && det_probers_has(&s->probers, x->hd))
        spread_answer(d, s, x);
    if (x->role & DET_PROBE) {
        det_probers_set(&s->probers, x->hs);
        if (s->do_scan && !is_icmp(x->r))
            scan_probe(d, s, x);
        if (s->do_sweep)
            sweep_probe(d, s, x);
    }
}
