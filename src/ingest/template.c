/*
 * template.c - the NetFlow v9 / IPFIX template cache and the data held for missing
 * templates. Contracts and documented choices are in template.h; the collector-facing
 * functions (nf_templates_*) are declared in nf_priv.h.
 *
 * Depends on nf_priv.h (counters, exporter keys), nf_fields.h (element meanings) and
 * xalloc.h. No clock of its own: the collector's arrival time (c->now_us) is used.
 */
#include "config.h"

#include "template.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/xalloc.h"

struct nf_held {
    struct nf_held *next;
    uint32_t owner; /* exporter slot index */
    struct flow_addr addr;
    uint16_t port;
    uint32_t domain;
    uint8_t version;
    uint16_t set_id;
    uint32_t serial;
    int64_t arrival_us;
    struct nf_time_ctx t;
    size_t len;
    uint8_t data[];
};

/* Per-domain state that lives with the templates (IPFIX systemInitTimeMilliseconds). */
struct nf_tpl_dom {
    struct nf_tpl_dom *next;
    struct flow_addr addr;
    uint16_t port;
    uint32_t domain;
    int64_t sysinit_ms;
    int64_t refreshed_us;
};

/* What one exporter slot holds (indexed like nf_collector.exp). */
struct nf_tpl_owner {
    uint32_t count;
    size_t bytes, held;
    struct nf_tpl *lru_head, *lru_tail; /* least recently announced first */
};

#define NF_OWNER_NONE UINT32_MAX

struct nf_templates {
    uint32_t max_templates;
    size_t max_bytes, max_held;
    uint32_t quota;           /* 0 = none */
    size_t quota_bytes, quota_held;
    struct nf_tpl_owner *own; /* n_own slots */
    size_t n_own;
    int64_t timeout_us, held_timeout_us;
    struct nf_tpl **bucket;
    size_t n_bucket; /* power of two */
    uint32_t count;
    size_t bytes;
    struct nf_held *held_head, *held_tail;
    size_t held_bytes;
    uint64_t owed_no_template; /* held sets dropped where no counters were at hand */
    uint32_t serial;
    struct nf_tpl_dom *dom;
};

struct nf_templates *nf_templates_new(const struct nf_config *cfg)
{
    struct nf_templates *t = xcalloc(1, sizeof *t);
    t->max_templates = cfg->max_templates;
    t->max_bytes = cfg->max_template_bytes;
    t->max_held = cfg->max_held_bytes;
    t->timeout_us = (int64_t)cfg->template_timeout_s * 1000000;
    t->held_timeout_us = (int64_t)cfg->held_timeout_s * 1000000;
    t->quota = cfg->tpl_quota;
    t->quota_bytes = cfg->tpl_quota_bytes;
    t->quota_held = cfg->held_quota_bytes;
    t->n_own = (size_t)(cfg->max_exporters ? cfg->max_exporters : 1) *
               (cfg->max_domains ? cfg->max_domains : 1);
    t->own = xcalloc(t->n_own, sizeof *t->own);
    t->n_bucket = 64;
    while (t->n_bucket < cfg->max_templates && t->n_bucket < 65536)
        t->n_bucket <<= 1;
    t->bucket = xcalloc(t->n_bucket, sizeof *t->bucket);
    return t;
}

static bool nf_tpl_same_domain(const struct nf_exporter *e, const struct flow_addr *addr,
                               uint16_t port, uint32_t domain)
{
    return e->port == port && e->domain == domain && memcmp(&e->addr, addr, sizeof *addr) == 0;
}

static size_t nf_tpl_hash_key(const struct nf_templates *t, const struct flow_addr *addr,
                              uint16_t port, uint32_t domain, uint8_t version, uint16_t id)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < sizeof addr->b; i++)
        h = (h ^ addr->b[i]) * UINT64_C(1099511628211);
    uint64_t k = (uint64_t)port << 48 ^ (uint64_t)domain << 16 ^ (uint64_t)id ^
                 (uint64_t)version << 40;
    for (int i = 0; i < 8; i++)
        h = (h ^ (k >> (i * 8) & 0xff)) * UINT64_C(1099511628211);
    return (size_t)(h ^ h >> 29) & (t->n_bucket - 1);
}

static size_t nf_tpl_hash(const struct nf_templates *t, const struct nf_exporter *e,
                          uint8_t version, uint16_t id)
{
    return nf_tpl_hash_key(t, &e->addr, e->port, e->domain, version, id);
}

static void nf_lru_remove(struct nf_tpl_owner *o, struct nf_tpl *x)
{
    if (x->lru_prev)
        x->lru_prev->lru_next = x->lru_next;
    else
        o->lru_head = x->lru_next;
    if (x->lru_next)
        x->lru_next->lru_prev = x->lru_prev;
    else
        o->lru_tail = x->lru_prev;
    x->lru_prev = x->lru_next = NULL;
}

static void nf_lru_append(struct nf_tpl_owner *o, struct nf_tpl *x)
{
    x->lru_next = NULL;
    x->lru_prev = o->lru_tail;
    if (o->lru_tail)
        o->lru_tail->lru_next = x;
    else
        o->lru_head = x;
    o->lru_tail = x;
}

static void nf_tpl_unlink(struct nf_templates *t, struct nf_tpl **pp)
{
    struct nf_tpl *x = *pp;
    struct nf_tpl_owner *o = &t->own[x->owner];
    *pp = x->next;
    nf_lru_remove(o, x);
    o->count--;
    o->bytes -= x->bytes;
    t->count--;
    t->bytes -= x->bytes;
    free(x);
}

/* Forget one template found by pointer (recycling: not found through an exporter). */
static void nf_tpl_recycle(struct nf_collector *c, struct nf_tpl *x)
{
    struct nf_templates *t = c->tpl;
    struct nf_tpl **pp =
        &t->bucket[nf_tpl_hash_key(t, &x->addr, x->port, x->domain, x->version, x->id)];
    while (*pp != x)
        pp = &(*pp)->next;
    c->exp[x->owner].tpl_recycled++;
    nf_count(c, NF_R_TPL_RECYCLED);
    nf_tpl_unlink(t, pp);
}

/* The owner other than `self` holding the most templates (by bytes when `by_bytes`), or
 * NF_OWNER_NONE. Scans the owners: only called when the pool is full. */
static uint32_t nf_tpl_greediest(const struct nf_templates *t, uint32_t self, bool by_bytes)
{
    uint32_t best = NF_OWNER_NONE;
    size_t most = 0;
    for (size_t i = 0; i < t->n_own; i++) {
        size_t v = by_bytes ? t->own[i].bytes : t->own[i].count;
        if (i != self && v > most) {
            most = v;
            best = (uint32_t)i;
        }
    }
    return best;
}

/* The oldest template of owner `o` other than `keep`, or NULL. */
static struct nf_tpl *nf_tpl_oldest(const struct nf_templates *t, uint32_t o,
                                    const struct nf_tpl *keep)
{
    struct nf_tpl *x = t->own[o].lru_head;
    if (x == keep)
        x = x->lru_next;
    return x;
}

/*
 * Make room for a template of `bytes` for owner `me` (replacing `old`, its own, or NULL):
 * recycle the owner's own oldest past its quota, then, while the pool is full, the oldest of
 * the owner holding the most if it holds more than `me` would after learning. Returns false
 * when there is no fair room (nothing recycled for that last step).
 */
static bool nf_tpl_make_room(struct nf_collector *c, uint32_t me, const struct nf_tpl *old,
                             size_t bytes)
{
    struct nf_templates *t = c->tpl;
    struct nf_tpl_owner *mine = &t->own[me];
    size_t old_bytes = old ? old->bytes : 0;
    uint32_t add = old ? 0 : 1;

    for (;;) {
        bool over_count = t->quota && mine->count + add > t->quota;
        bool over_bytes = t->quota_bytes && mine->bytes - old_bytes + bytes > t->quota_bytes;
        if (!over_count && !over_bytes)
            break;
        struct nf_tpl *x = nf_tpl_oldest(t, me, old);
        if (!x)
            return false; /* this template alone is past the quota */
        nf_tpl_recycle(c, x);
    }
    for (;;) {
        bool full_count = t->count + add > t->max_templates;
        bool full_bytes = t->bytes - old_bytes + bytes > t->max_bytes;
        if (!full_count && !full_bytes)
            return true;
        uint32_t g = nf_tpl_greediest(t, me, !full_count);
        if (g == NF_OWNER_NONE)
            return false;
        bool fair = full_count ? t->own[g].count > mine->count + add
                               : t->own[g].bytes > mine->bytes - old_bytes + bytes;
        if (!fair)
            return false;
        nf_tpl_recycle(c, t->own[g].lru_head);
    }
}

static void nf_held_free_all(struct nf_templates *t)
{
    struct nf_held *h = t->held_head;
    while (h) {
        struct nf_held *n = h->next;
        free(h);
        h = n;
    }
    t->held_head = t->held_tail = NULL;
    t->held_bytes = 0;
}

void nf_templates_free(struct nf_templates *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_bucket; i++)
        while (t->bucket[i])
            nf_tpl_unlink(t, &t->bucket[i]);
    nf_held_free_all(t);
    while (t->dom) {
        struct nf_tpl_dom *n = t->dom->next;
        free(t->dom);
        t->dom = n;
    }
    free(t->bucket);
    free(t->own);
    free(t);
}

uint32_t nf_tpl_message_begin(struct nf_collector *c)
{
    struct nf_templates *t = c->tpl;
    c->ctr.count[NF_R_NO_TEMPLATE] += t->owed_no_template;
    t->owed_no_template = 0;
    return ++t->serial;
}

const struct nf_tpl *nf_tpl_find(struct nf_templates *t, const struct nf_exporter *e,
                                 uint8_t version, uint16_t id)
{
    for (struct nf_tpl *x = t->bucket[nf_tpl_hash(t, e, version, id)]; x; x = x->next)
        if (x->id == id && x->version == version &&
            nf_tpl_same_domain(e, &x->addr, x->port, x->domain))
            return x;
    return NULL;
}

static struct nf_tpl **nf_tpl_slot(struct nf_templates *t, const struct nf_exporter *e,
                                   uint8_t version, uint16_t id)
{
    struct nf_tpl **pp = &t->bucket[nf_tpl_hash(t, e, version, id)];
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->id == id && (*pp)->version == version &&
            nf_tpl_same_domain(e, &(*pp)->addr, (*pp)->port, (*pp)->domain))
            break;
    return pp;
}

static bool nf_tpl_same_layout(const struct nf_tpl *x, bool options, uint16_t n_scope,
                               const struct nf_tpl_field *f, size_t n)
{
    if (x->options != options || x->n_scope != n_scope || x->n_fields != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (x->f[i].pen != f[i].pen || x->f[i].id != f[i].id || x->f[i].len != f[i].len)
            return false;
    return true;
}

/* Give every field its meaning; repeated meanings after the first become opaque (IX-11).
 * Returns the number of length mismatches. */
static unsigned nf_tpl_resolve(struct nf_tpl *x)
{
    uint64_t seen = 0;
    unsigned mismatches = 0;
    for (size_t i = 0; i < x->n_fields; i++) {
        struct nf_tpl_field *fl = &x->f[i];
        bool mismatch = false;
        enum nf_field_sem s = NFF_NONE;
        if (!(fl->scope && x->version == 9))
            s = nf_fields_lookup(fl->pen, fl->id, fl->len, &mismatch);
        if (mismatch)
            mismatches++;
        if (s != NFF_NONE && (seen >> s & 1u))
            s = NFF_NONE;
        seen |= UINT64_C(1) << s;
        fl->sem = (uint8_t)s;
    }
    return mismatches;
}

int nf_tpl_learn(struct nf_collector *c, const struct nf_exporter *e, uint8_t version, uint16_t id,
                 bool options, uint16_t n_scope, const struct nf_tpl_field *f, size_t n,
                 const struct nf_tpl **out)
{
    struct nf_templates *t = c->tpl;
    size_t fixed = 0, min_len = 0;
    bool varlen = false;

    if (n > NF_MAX_FIELDS) {
        nf_count(c, NF_R_TPL_TOO_MANY_FIELDS);
        return -EINVAL;
    }
    if (n == 0 || (options && (n_scope == 0 || n_scope > n))) {
        nf_count(c, NF_R_TPL_BAD);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (f[i].len == NF_TPL_VARLEN) {
            /* IPFIX variable length, and in v9 too: RFC 3954 has none, but exporters
             * (H3C/HPE NetStream) send 65535 and an RFC 7011 section 7 length prefix in
             * each record, as Wireshark reads them; 65535 cannot be a fixed length (no
             * flowset holds it) */
            varlen = true;
            min_len += 1;
        } else {
            fixed += f[i].len;
        }
    }
    min_len += fixed;
    if (min_len == 0 || fixed > 65535) {
        nf_count(c, NF_R_TPL_BAD);
        return -EINVAL;
    }

    struct nf_tpl **pp = nf_tpl_slot(t, e, version, id);
    struct nf_tpl *old = *pp;
    uint32_t me = (uint32_t)(e - c->exp);
    if (old && nf_tpl_same_layout(old, options, n_scope, f, n)) {
        old->refreshed_us = c->now_us;
        old->stale = false;
        nf_lru_remove(&t->own[me], old);
        nf_lru_append(&t->own[me], old);
        *out = old;
        return 0;
    }
    size_t bytes = sizeof(struct nf_tpl) + n * sizeof(struct nf_tpl_field);
    if (!nf_tpl_make_room(c, me, old, bytes)) {
        c->exp[me].tpl_refused++;
        nf_count(c, NF_R_TPL_LIMIT);
        return -ENOSPC;
    }
    pp = nf_tpl_slot(t, e, version, id); /* recycling may have changed the chain */
    struct nf_tpl *x = xmalloc(bytes);
    memset(x, 0, sizeof *x);
    x->addr = e->addr;
    x->port = e->port;
    x->domain = e->domain;
    x->version = version;
    x->id = id;
    x->options = options;
    x->varlen = varlen;
    x->n_fields = (uint16_t)n;
    x->n_scope = options ? n_scope : 0;
    x->min_len = min_len;
    x->refreshed_us = c->now_us;
    x->bytes = bytes;
    x->owner = me;
    memcpy(x->f, f, n * sizeof *f);
    for (size_t i = 0; i < n; i++)
        x->f[i].scope = options && i < n_scope;
    c->ctr.count[NF_R_FIELD_LEN_MISMATCH] += nf_tpl_resolve(x);
    if (old) {
        x->next = old->next;
        nf_tpl_unlink(t, pp);
    }
    x->next = *pp;
    *pp = x;
    t->count++;
    t->bytes += bytes;
    t->own[me].count++;
    t->own[me].bytes += bytes;
    nf_lru_append(&t->own[me], x);
    *out = x;
    return 0;
}

void nf_tpl_withdraw(struct nf_templates *t, const struct nf_exporter *e, uint8_t version,
                     uint16_t id)
{
    struct nf_tpl **pp = nf_tpl_slot(t, e, version, id);
    if (*pp)
        nf_tpl_unlink(t, pp);
}

/* Remove the templates of e's domain matching (version, options); version 0 matches all. */
static void nf_tpl_remove_domain(struct nf_templates *t, const struct nf_exporter *e,
                                 uint8_t version, int options)
{
    for (size_t i = 0; i < t->n_bucket; i++) {
        struct nf_tpl **pp = &t->bucket[i];
        while (*pp) {
            struct nf_tpl *x = *pp;
            if (nf_tpl_same_domain(e, &x->addr, x->port, x->domain) &&
                (version == 0 || x->version == version) &&
                (options < 0 || x->options == (options != 0)))
                nf_tpl_unlink(t, pp);
            else
                pp = &x->next;
        }
    }
}

void nf_tpl_withdraw_all(struct nf_templates *t, const struct nf_exporter *e, uint8_t version,
                         bool options)
{
    nf_tpl_remove_domain(t, e, version, options);
}

uint32_t nf_templates_count(const struct nf_templates *t, const struct nf_exporter *e)
{
    uint32_t n = 0;
    for (size_t i = 0; i < t->n_bucket; i++)
        for (const struct nf_tpl *x = t->bucket[i]; x; x = x->next)
            n += nf_tpl_same_domain(e, &x->addr, x->port, x->domain);
    return n;
}

void nf_templates_mark_stale(struct nf_templates *t, const struct nf_exporter *e)
{
    for (size_t i = 0; i < t->n_bucket; i++)
        for (struct nf_tpl *x = t->bucket[i]; x; x = x->next)
            if (nf_tpl_same_domain(e, &x->addr, x->port, x->domain))
                x->stale = true;
}

/* ---- held data ---- */

static void nf_held_unlink(struct nf_templates *t, struct nf_held **pp, struct nf_held *prev)
{
    struct nf_held *h = *pp;
    *pp = h->next;
    if (t->held_tail == h)
        t->held_tail = prev;
    t->held_bytes -= sizeof *h + h->len;
    t->own[h->owner].held -= sizeof *h + h->len;
    free(h);
}

/* Drop the oldest held set of owner `o` to make room (counted on its row). */
static bool nf_held_drop_oldest(struct nf_collector *c, uint32_t o)
{
    struct nf_templates *t = c->tpl;
    struct nf_held **pp = &t->held_head, *prev = NULL;
    while (*pp && (*pp)->owner != o) {
        prev = *pp;
        pp = &prev->next;
    }
    if (!*pp)
        return false;
    nf_held_unlink(t, pp, prev);
    c->exp[o].held_dropped++;
    nf_count(c, NF_R_NO_TEMPLATE);
    return true;
}

/* The owner other than `self` holding the most held bytes, or NF_OWNER_NONE. */
static uint32_t nf_held_greediest(const struct nf_templates *t, uint32_t self)
{
    uint32_t best = NF_OWNER_NONE;
    size_t most = 0;
    for (size_t i = 0; i < t->n_own; i++)
        if (i != self && t->own[i].held > most) {
            most = t->own[i].held;
            best = (uint32_t)i;
        }
    return best;
}

void nf_templates_drop(struct nf_templates *t, const struct nf_exporter *e)
{
    nf_tpl_remove_domain(t, e, 0, -1);
    struct nf_held **pp = &t->held_head, *prev = NULL;
    while (*pp) {
        if (nf_tpl_same_domain(e, &(*pp)->addr, (*pp)->port, (*pp)->domain)) {
            nf_held_unlink(t, pp, prev);
            t->owed_no_template++;
        } else {
            prev = *pp;
            pp = &prev->next;
        }
    }
    for (struct nf_tpl_dom **dp = &t->dom; *dp; dp = &(*dp)->next) {
        if (nf_tpl_same_domain(e, &(*dp)->addr, (*dp)->port, (*dp)->domain)) {
            struct nf_tpl_dom *d = *dp;
            *dp = d->next;
            free(d);
            break;
        }
    }
}

void nf_tpl_hold(struct nf_collector *c, const struct nf_exporter *e, uint8_t version,
                 uint16_t set_id, const uint8_t *p, size_t len, const struct nf_time_ctx *t,
                 uint32_t serial)
{
    struct nf_templates *tc = c->tpl;
    size_t need = sizeof(struct nf_held) + len;

    uint32_t me = (uint32_t)(e - c->exp);
    struct nf_tpl_owner *mine = &tc->own[me];

    if (len > NF_HELD_SET_MAX || need > tc->max_held ||
        (tc->quota_held && need > tc->quota_held)) {
        c->exp[me].held_dropped++;
        nf_count(c, NF_R_NO_TEMPLATE);
        return;
    }
    /* past its quota: its own oldest sets go */
    while (tc->quota_held && mine->held + need > tc->quota_held)
        nf_held_drop_oldest(c, me);
    /* pool full: the oldest of whoever holds more than this domain would, else its own */
    while (tc->held_bytes + need > tc->max_held) {
        uint32_t g = nf_held_greediest(tc, me);
        if (g != NF_OWNER_NONE && tc->own[g].held > mine->held + need)
            nf_held_drop_oldest(c, g);
        else if (!nf_held_drop_oldest(c, me)) {
            c->exp[me].held_dropped++;
            nf_count(c, NF_R_NO_TEMPLATE);
            return;
        }
    }
    struct nf_held *h = xmalloc(need);
    h->next = NULL;
    h->owner = me;
    h->addr = e->addr;
    h->port = e->port;
    h->domain = e->domain;
    h->version = version;
    h->set_id = set_id;
    h->serial = serial;
    h->arrival_us = c->now_us;
    h->t = *t;
    h->len = len;
    if (len)
        memcpy(h->data, p, len);
    if (tc->held_tail)
        tc->held_tail->next = h;
    else
        tc->held_head = h;
    tc->held_tail = h;
    tc->held_bytes += need;
    mine->held += need;
    nf_count(c, NF_R_HELD);
}

uint32_t nf_tpl_release(struct nf_collector *c, struct nf_exporter *e, const struct nf_tpl *tpl,
                        nf_tpl_decode_fn fn, uint32_t serial, uint32_t *n_sets)
{
    struct nf_templates *t = c->tpl;
    struct nf_held **pp = &t->held_head, *prev = NULL;
    uint32_t recs = 0;

    *n_sets = 0;
    while (*pp) {
        struct nf_held *h = *pp;
        if (h->version == tpl->version && h->set_id == tpl->id &&
            nf_tpl_same_domain(e, &h->addr, h->port, h->domain)) {
            /* Unlink first so the callback sees a consistent list. */
            *pp = h->next;
            if (t->held_tail == h)
                t->held_tail = prev;
            t->held_bytes -= sizeof *h + h->len;
            t->own[h->owner].held -= sizeof *h + h->len;
            struct wire w;
            wire_init(&w, h->data, h->len);
            uint32_t n = fn(c, e, tpl, &w, &h->t);
            if (h->serial == serial) {
                recs += n;
                (*n_sets)++;
            }
            free(h);
        } else {
            prev = h;
            pp = &h->next;
        }
    }
    return recs;
}

/* ---- per-domain state ---- */

void nf_tpl_sysinit_set(struct nf_templates *t, const struct nf_exporter *e, int64_t ms,
                        int64_t now_us)
{
    struct nf_tpl_dom *d = t->dom;
    while (d && !nf_tpl_same_domain(e, &d->addr, d->port, d->domain))
        d = d->next;
    if (!d) {
        d = xcalloc(1, sizeof *d);
        d->addr = e->addr;
        d->port = e->port;
        d->domain = e->domain;
        d->next = t->dom;
        t->dom = d;
    }
    d->sysinit_ms = ms;
    d->refreshed_us = now_us;
}

bool nf_tpl_sysinit_get(struct nf_templates *t, const struct nf_exporter *e, int64_t *ms)
{
    for (struct nf_tpl_dom *d = t->dom; d; d = d->next)
        if (nf_tpl_same_domain(e, &d->addr, d->port, d->domain)) {
            *ms = d->sysinit_ms;
            return true;
        }
    return false;
}

/* ---- expiry ---- */

void nf_templates_tick(struct nf_collector *c, int64_t now_us)
{
    struct nf_templates *t = c->tpl;

    c->ctr.count[NF_R_NO_TEMPLATE] += t->owed_no_template;
    t->owed_no_template = 0;
    if (t->timeout_us > 0) {
        for (size_t i = 0; i < t->n_bucket; i++) {
            struct nf_tpl **pp = &t->bucket[i];
            while (*pp) {
                if (now_us - (*pp)->refreshed_us > t->timeout_us)
                    nf_tpl_unlink(t, pp);
                else
                    pp = &(*pp)->next;
            }
        }
        struct nf_tpl_dom **dp = &t->dom;
        while (*dp) {
            if (now_us - (*dp)->refreshed_us > t->timeout_us) {
                struct nf_tpl_dom *d = *dp;
                *dp = d->next;
                free(d);
            } else {
                dp = &(*dp)->next;
            }
        }
    }
    /* Held sets are in arrival order: the expired ones are at the head. */
    while (t->held_head && now_us - t->held_head->arrival_us > t->held_timeout_us) {
        nf_held_unlink(t, &t->held_head, NULL);
        nf_count(c, NF_R_NO_TEMPLATE);
    }
}
