/*
 * detect.c - the detector engine: configuration, the record loop that hands each record to
 * the detectors that want it, and the alert list (see detect.h).
 *
 * The list holds at most max_alerts alerts in the order raised (ids ascending, so an id is
 * found by binary search). A new alert that finds the list full takes the place of the oldest
 * ended one (counted in `expired`); when every kept alert is active it is dropped (counted in
 * `dropped`), since the ones on screen are the ones an admin is already working on.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/xalloc.h"

#include "detect_priv.h"

static const char *const kind_names[DETECT_K_MAX] = {
    "port_scan", "host_sweep", "syn_flood", "udp_flood", "icmp_flood", "unfamiliar", "talker",
};
static const char *const kind_options[DETECT_K_MAX] = {
    "scan", "sweep", "syn", "udp", "icmp", "unfamiliar", "talker",
};

const char *detect_kind_name(enum detect_kind k)
{
    return (unsigned)k < DETECT_K_MAX ? kind_names[k] : "?";
}

const char *detect_kind_option(enum detect_kind k)
{
    return (unsigned)k < DETECT_K_MAX ? kind_options[k] : "?";
}

void detect_config_default(struct detect_config *c)
{
    memset(c, 0, sizeof *c);
    for (int k = 0; k < DETECT_K_MAX; k++)
        c->enabled[k] = true;
    c->scan_ports = 100;
    c->sweep_hosts = 64;
    c->syn_pps = 300;
    c->udp_pps = 500;
    c->icmp_pps = 200;
    c->flood_sources = 16;
    c->factor = 10;
    c->unfamiliar_packets = 5000;
    c->unfamiliar_bytes = 10000000;
    c->learn_s = 300;
    c->talker_bps = 10000000;
    c->talker_factor = 20;
    c->max_alerts = 1024;
    c->slots = 4096;
}

/* A positive integer of at most `max`; 0 on success. */
static int parse_count(const char *v, uint64_t max, uint64_t *out)
{
    if (*v < '0' || *v > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || *end || n == 0 || n > max)
        return -1;
    *out = n;
    return 0;
}

int detect_config_set(struct detect_config *c, const char *spec, char *err, size_t errlen)
{
    static const struct {
        const char *name;
        int kind;      /* the detector "off" disables */
        uint64_t max;
        const char *unit;
    } names[] = {
        {"scan", DETECT_PORT_SCAN, 65536, "distinct ports"},
        {"sweep", DETECT_HOST_SWEEP, 1u << 24, "distinct hosts"},
        {"syn", DETECT_SYN_FLOOD, UINT32_MAX, "packets/s"},
        {"udp", DETECT_UDP_FLOOD, UINT32_MAX, "packets/s"},
        {"icmp", DETECT_ICMP_FLOOD, UINT32_MAX, "packets/s"},
        {"sources", -1, 256, "distinct sources"},
        {"factor", -1, 1000000, "times the baseline"},
        {"unfamiliar", DETECT_UNFAMILIAR, UINT64_MAX / 2, "packets"},
        {"unfamiliar-bytes", DETECT_UNFAMILIAR, UINT64_MAX / 2000000, "MB"},
        {"talker", DETECT_TALKER, UINT64_MAX / 2000000, "Mbit/s"},
        {"talker-factor", -1, 1000000, "times the baseline"},
    };
    const char *eq = strchr(spec, '=');
    size_t nl = eq ? (size_t)(eq - spec) : strlen(spec);
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == nl && strncmp(spec, names[i].name, nl) == 0)
            break;
    if (i == sizeof names / sizeof names[0]) {
        snprintf(err, errlen,
                 "--alert '%s': unknown detector; use one of scan, sweep, syn, udp, icmp, "
                 "sources, factor, unfamiliar, unfamiliar-bytes, talker, talker-factor "
                 "(NAME=VALUE or NAME=off)",
                 spec);
        return -1;
    }
    if (!eq || !eq[1]) {
        snprintf(err, errlen, "--alert '%s': give a value, as in --alert %s=%s or %s=off", spec,
                 names[i].name, i == 0 ? "200" : "N", names[i].name);
        return -1;
    }
    const char *v = eq + 1;
    if (strcmp(v, "off") == 0) {
        if (names[i].kind < 0) {
            snprintf(err, errlen,
                     "--alert '%s': %s is a setting, not a detector; give a number", spec,
                     names[i].name);
            return -1;
        }
        c->enabled[names[i].kind] = false;
        return 0;
    }
    uint64_t n;
    if (parse_count(v, names[i].max, &n) != 0) {
        snprintf(err, errlen, "--alert '%s': the value must be a whole number of %s from 1 to %" PRIu64
                              ", or off",
                 spec, names[i].unit, names[i].max);
        return -1;
    }
    switch (i) {
    case 0: c->scan_ports = (uint32_t)n; break;
    case 1: c->sweep_hosts = (uint32_t)n; break;
    case 2: c->syn_pps = (uint32_t)n; break;
    case 3: c->udp_pps = (uint32_t)n; break;
    case 4: c->icmp_pps = (uint32_t)n; break;
    case 5: c->flood_sources = (uint32_t)n; break;
    case 6: c->factor = (uint32_t)n; break;
    case 7: c->unfamiliar_packets = n; break;
    case 8: c->unfamiliar_bytes = n * 1000000; break;
    case 9: c->talker_bps = n * 1000000; break;
    default: c->talker_factor = (uint32_t)n; break;
    }
    if (names[i].kind >= 0)
        c->enabled[names[i].kind] = true;
    return 0;
}

struct detect *detect_new(const struct detect_config *c, uint64_t seed)
{
    bool any = false;
    for (int k = 0; k < DETECT_K_MAX; k++)
        any |= c->enabled[k];
    if (!any)
        return NULL;
    struct detect *d = xcalloc(1, sizeof *d);
    d->cfg = *c;
    if (d->cfg.max_alerts < 1)
        d->cfg.max_alerts = 1;
    if (d->cfg.slots < DET_WAYS)
        d->cfg.slots = DET_WAYS;
    d->seed = seed;
    d->al = xcalloc(d->cfg.max_alerts, sizeof *d->al);
    d->next_id = 1;
    if (c->enabled[DETECT_PORT_SCAN] || c->enabled[DETECT_HOST_SWEEP])
        d->spread = det_spread_new(d);
    if (c->enabled[DETECT_SYN_FLOOD] || c->enabled[DETECT_UDP_FLOOD] ||
        c->enabled[DETECT_ICMP_FLOOD])
        d->flood = det_flood_new(d);
    if (c->enabled[DETECT_UNFAMILIAR] || c->enabled[DETECT_TALKER])
        d->watch = det_watch_new(d);
    return d;
}

void detect_free(struct detect *d)
{
    if (!d)
        return;
    if (d->spread)
        det_spread_free(d->spread);
    if (d->flood)
        det_flood_free(d->flood);
    if (d->watch)
        det_watch_free(d->watch);
    free(d->al);
    free(d);
}

void detect_on_raise(struct detect *d, void (*fn)(void *, const struct detect_alert *), void *ctx)
{
    d->on_raise = fn;
    d->on_raise_ctx = ctx;
}

void detect_advance(struct detect *d, uint32_t sec)
{
    if (sec > d->now)
        d->now = sec;
    if (!d->first_sec && sec)
        d->first_sec = sec;
    if (d->first_sec)
        d->learning = d->now - d->first_sec < d->cfg.learn_s;
    if (d->probers)
        det_probers_roll(d->probers, d->now);
}

/* Tell the hook of the alerts raised since id `from`, once their first records are in. */
static void tell_raised(struct detect *d, uint32_t from)
{
    if (!d->on_raise || from == d->next_id)
        return;
    for (size_t i = 0; i < d->n_al; i++)
        if (d->al[i].id >= from)
            d->on_raise(d->on_raise_ctx, &d->al[i]);
}

/* Records are looked at in chunks: the first pass hashes the addresses, tells what each
 * detector wants of a record (its role in scans, its flood kind, the key hashes) and starts
 * loading the entries the second pass will touch (the talker's, the flood's, the Bloom
 * filter's blocks), so their cache misses overlap instead of following one another. The
 * second pass calls a detector only for the records it looks at. */
#define DET_CHUNK 32

void detect_add(struct detect *d, const struct flow_rec *recs, size_t n)
{
    uint32_t from = d->next_id;
    struct det_rec x[DET_CHUNK];
    const bool talk = d->watch && d->cfg.enabled[DETECT_TALKER];
    for (size_t base = 0; base < n; base += DET_CHUNK) {
        size_t m = n - base < DET_CHUNK ? n - base : DET_CHUNK, k = 0;
        for (size_t i = 0; i < m; i++) {
            const struct flow_rec *r = &recs[base + i];
            if (r->last_us <= 0 || !r->packets)
                continue;
            struct det_rec *y = &x[k++];
            y->r = r;
            y->hs = det_addr_hash(d->seed, &r->src);
            y->hd = det_addr_hash(d->seed, &r->dst);
            y->role = d->spread ? (uint8_t)det_role_of(r) : 0;
            y->kind = d->flood ? (int8_t)det_flood_kind(&d->cfg, r) : -1;
            if (y->kind >= 0) {
                y->hf = det_key_hash(y->hd, 0, 100 + (uint64_t)y->kind);
                det_flood_prefetch(d->flood, y);
            }
            if (talk)
                y->ht = det_key_hash(y->hs, 0, 200);
            if (d->watch)
                det_watch_prefetch(d, d->watch, y);
        }
        d->records += k;
        for (size_t i = 0; i < k; i++) {
            const struct det_rec *y = &x[i];
            uint32_t sec = (uint32_t)(y->r->last_us / 1000000);
            if (sec > d->now || !d->first_sec)
                detect_advance(d, sec); /* the record's own clock moves the detectors' */
            /* an answer matters only to a source that probed lately */
            if ((y->role & DET_PROBE) ||
                (y->role && det_probers_has(d->probers, y->hd)))
                det_spread_add(d, d->spread, y);
            if (y->kind >= 0)
                det_flood_add(d, d->flood, y);
            if (d->watch)
                det_watch_add(d, d->watch, y);
        }
    }
    tell_raised(d, from);
}

/* ---- the alert list ---- */

static bool alert_active(const struct detect *d, const struct detect_alert *a)
{
    uint32_t last = (uint32_t)(a->last_us / 1000000);
    return d->now < last + DETECT_QUIET_S;
}

bool detect_alert_active(const struct detect *d, const struct detect_alert *a)
{
    return alert_active(d, a);
}

static struct detect_alert *alert_by_id(struct detect *d, uint32_t id)
{
    size_t lo = 0, hi = d->n_al;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->al[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->n_al && d->al[lo].id == id ? &d->al[lo] : NULL;
}

struct detect_alert *det_alert_live(struct detect *d, uint32_t id)
{
    if (!id || id == DET_DROPPED)
        return NULL;
    struct detect_alert *a = alert_by_id(d, id);
    return a && alert_active(d, a) ? a : NULL;
}

uint32_t det_alert_raise(struct detect *d, const struct detect_alert *p)
{
    /* the same incident seen again by an entry that was pushed out and made anew */
    for (size_t i = d->n_al; i-- > 0;) {
        struct detect_alert *a = &d->al[i];
        if (a->kind == p->kind && a->port == p->port && a->proto == p->proto &&
            flow_addr_eq(&a->src, &p->src) && flow_addr_eq(&a->dst, &p->dst) &&
            alert_active(d, a)) {
            if (p->count > a->count)
                a->count = p->count;
            if (p->peak > a->peak)
                a->peak = p->peak;
            return a->id;
        }
    }
    if (d->n_al == d->cfg.max_alerts) {
        size_t i;
        for (i = 0; i < d->n_al && alert_active(d, &d->al[i]); i++)
            ;
        if (i == d->n_al) {
            d->dropped++;
            return DET_DROPPED;
        }
        memmove(&d->al[i], &d->al[i + 1], (d->n_al - i - 1) * sizeof *d->al);
        d->n_al--;
        d->expired++;
    }
    struct detect_alert *a = &d->al[d->n_al++];
    *a = *p;
    a->id = d->next_id++;
    if (!a->last_us)
        a->first_us = a->last_us = (int64_t)d->now * 1000000;
    d->raised++;
    return a->id;
}

struct detect_alert *det_entry_alert_(struct detect *d, struct det_head *h)
{
    if (h->alert_id == DET_DROPPED) {
        if (d->now - h->dropped_sec >= DETECT_QUIET_S)
            h->alert_id = 0;
        return NULL;
    }
    struct detect_alert *a = det_alert_live(d, h->alert_id);
    if (!a)
        h->alert_id = 0;
    return a;
}

struct detect_alert *det_entry_raise(struct detect *d, struct det_head *h,
                                     const struct detect_alert *p)
{
    if (h->alert_id == DET_DROPPED)
        return NULL;
    h->alert_id = det_alert_raise(d, p);
    if (h->alert_id == DET_DROPPED) {
        h->dropped_sec = d->now;
        return NULL;
    }
    return det_alert_live(d, h->alert_id);
}

void det_alert_feed(struct detect_alert *a, const struct flow_rec *r)
{
    a->packets += r->packets;
    a->bytes += r->bytes;
    int64_t first = r->first_us > 0 ? r->first_us : r->last_us;
    if (!a->first_us || first < a->first_us)
        a->first_us = first;
    if (r->last_us > a->last_us)
        a->last_us = r->last_us;
}

size_t detect_alerts(const struct detect *d, const struct detect_alert **out)
{
    *out = d->al;
    return d->n_al;
}

uint32_t detect_now(const struct detect *d)
{
    return d->now;
}

const struct detect_config *detect_config_of(const struct detect *d)
{
    return &d->cfg;
}

void detect_stats(const struct detect *d, struct detect_stats *s)
{
    memset(s, 0, sizeof *s);
    s->learning = d->watch && d->cfg.enabled[DETECT_UNFAMILIAR] &&
                  det_watch_learning(d, &s->learn_left_s);
    s->raised = d->raised;
    s->dropped = d->dropped;
    s->expired = d->expired;
    s->records = d->records;
    s->kept = d->n_al;
    for (size_t i = 0; i < d->n_al; i++)
        s->active += alert_active(d, &d->al[i]);
    s->memory = sizeof *d + d->cfg.max_alerts * sizeof *d->al;
    if (d->spread) {
        s->memory += det_spread_bytes(d->spread);
        det_spread_evicted(d->spread, &s->evicted[DETECT_PORT_SCAN],
                           &s->evicted[DETECT_HOST_SWEEP]);
    }
    if (d->flood) {
        s->memory += det_flood_bytes(d->flood);
        s->evicted[DETECT_SYN_FLOOD] = det_flood_evicted(d->flood);
    }
    if (d->watch) {
        s->memory += det_watch_bytes(d->watch);
        det_watch_evicted(d->watch, &s->evicted[DETECT_UNFAMILIAR], &s->evicted[DETECT_TALKER]);
    }
}

static uint64_t span_s(const struct detect_alert *a)
{
    int64_t us = a->last_us - a->first_us;
    return us >= 1000000 ? (uint64_t)(us / 1000000) : 1;
}

uint64_t detect_alert_bps(const struct detect_alert *a)
{
    return a->bytes * 8 / span_s(a);
}

uint64_t detect_alert_pps(const struct detect_alert *a)
{
    return a->packets / span_s(a);
}
