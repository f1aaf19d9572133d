/*
 * resolver.c - bounded, rate-limited asynchronous reverse DNS (see resolver.h).
 *
 * The cache is a fixed array of entries (allocated up to max_entries, then reused by
 * eviction) with a hindex over the addresses and an LRU list through the entries. An entry is
 * pending while its one lookup runs; pending entries are never evicted, so a completion always
 * finds its entry. Each lookup is a heap request on the resolver's in-flight list; the
 * threadpool side of a request reads only its own copy of the address and backend.
 */
#include "config.h"

#include "flowdrill/resolver.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "flowdrill/hash.h"
#include "flowdrill/hindex.h"
#include "flowdrill/sanitize.h"
#include "flowdrill/xalloc.h"

#define RESOLVER_NONE UINT32_MAX
#define RESOLVER_MAX_ENTRIES (1u << 24) /* keeps the index arithmetic in 32 bits */
#define RESOLVER_MAX_PER_SEC 100000u

enum resolver_state {
    RESOLVER_PENDING, /* a lookup is running */
    RESOLVER_NAMED,   /* `name` holds the sanitized answer */
    RESOLVER_FAILED,  /* no usable name (cached negatively) */
};

struct resolver_entry {
    struct flow_addr addr;
    char *name;          /* owned; NAMED only */
    uint64_t expires_ms; /* NAMED and FAILED */
    uint32_t hash;
    uint32_t prev, next; /* LRU list, most recently used first */
    uint8_t state;       /* enum resolver_state */
};

struct resolver_req {
    union {
        uv_work_t work;       /* with a backend */
        uv_getnameinfo_t gni; /* without */
    } u;
    struct resolver *r;               /* NULL once resolver_free detached the request */
    struct resolver_req *prev, *next; /* r's in-flight list */
    struct flow_addr addr;
    resolver_backend_fn backend; /* copies: the threadpool side never reads r */
    void *backend_ctx;
    int rc;
    char name[NI_MAXHOST];
};

struct resolver {
    uv_loop_t *loop;
    struct resolver_config cfg; /* defaults filled in */
    void (*on_update)(void *);
    void *arg;
    bool enabled;
    struct resolver_entry *e;
    uint32_t used; /* entries handed out so far; all of them are in the index */
    uint32_t lru_head, lru_tail;
    struct hindex idx;
    uint64_t *starts; /* ring of the last max_per_sec start times */
    unsigned n_starts, start_pos;
    struct resolver_req *inflight;
    size_t n_inflight;
    struct resolver_stats st;
};

static uint64_t resolver_now(const struct resolver *r)
{
    return r->cfg.now_ms ? r->cfg.now_ms(r->cfg.now_ctx) : uv_now(r->loop);
}

static size_t resolver_clamp(size_t v, size_t dflt, size_t max)
{
    return v == 0 ? dflt : v > max ? max : v;
}

struct resolver *resolver_new(uv_loop_t *loop, const struct resolver_config *cfg,
                              void (*on_update)(void *arg), void *arg)
{
    struct resolver *r = xcalloc(1, sizeof *r);
    r->loop = loop;
    r->cfg = *cfg;
    r->cfg.max_entries =
        resolver_clamp(cfg->max_entries, RESOLVER_DEFAULT_MAX_ENTRIES, RESOLVER_MAX_ENTRIES);
    r->cfg.max_inflight =
        resolver_clamp(cfg->max_inflight, RESOLVER_DEFAULT_MAX_INFLIGHT, RESOLVER_MAX_ENTRIES);
    r->cfg.max_per_sec = (unsigned)resolver_clamp(cfg->max_per_sec, RESOLVER_DEFAULT_MAX_PER_SEC,
                                                  RESOLVER_MAX_PER_SEC);
    r->cfg.ttl_s = (unsigned)resolver_clamp(cfg->ttl_s, RESOLVER_DEFAULT_TTL_S, UINT32_MAX);
    r->cfg.neg_ttl_s =
        (unsigned)resolver_clamp(cfg->neg_ttl_s, RESOLVER_DEFAULT_NEG_TTL_S, UINT32_MAX);
    r->on_update = on_update;
    r->arg = arg;
    r->enabled = true;
    r->e = xcalloc(r->cfg.max_entries, sizeof *r->e);
    r->lru_head = r->lru_tail = RESOLVER_NONE;
    uint32_t cap = 8;
    while (cap < 2 * r->cfg.max_entries)
        cap *= 2; /* at most half full, so the index never grows */
    hindex_init(&r->idx, cap);
    r->starts = xcalloc(r->cfg.max_per_sec, sizeof *r->starts);
    return r;
}

/* ---- the cache ---- */

static uint32_t resolver_find(const struct resolver *r, const struct flow_addr *a, uint32_t h)
{
    for (uint32_t i = hindex_home(&r->idx, h); r->idx.slot[i]; i = (i + 1) & r->idx.mask) {
        uint64_t s = r->idx.slot[i];
        uint32_t k = hindex_entry(s);
        if (hindex_tag(s) == h && memcmp(&r->e[k].addr, a, sizeof *a) == 0)
            return k;
    }
    return RESOLVER_NONE;
}

static void resolver_lru_unlink(struct resolver *r, uint32_t i)
{
    struct resolver_entry *e = &r->e[i];
    if (e->prev != RESOLVER_NONE)
        r->e[e->prev].next = e->next;
    else
        r->lru_head = e->next;
    if (e->next != RESOLVER_NONE)
        r->e[e->next].prev = e->prev;
    else
        r->lru_tail = e->prev;
}

static void resolver_lru_push(struct resolver *r, uint32_t i)
{
    struct resolver_entry *e = &r->e[i];
    e->prev = RESOLVER_NONE;
    e->next = r->lru_head;
    if (r->lru_head != RESOLVER_NONE)
        r->e[r->lru_head].prev = i;
    r->lru_head = i;
    if (r->lru_tail == RESOLVER_NONE)
        r->lru_tail = i;
}

static void resolver_touch(struct resolver *r, uint32_t i)
{
    if (r->lru_head == i)
        return;
    resolver_lru_unlink(r, i);
    resolver_lru_push(r, i);
}

/* A free entry: a new one while under the cap, else the least recently used one that is not
 * pending (there are at most max_inflight of those). RESOLVER_NONE when every entry is. */
static uint32_t resolver_take_slot(struct resolver *r)
{
    if (r->used < r->cfg.max_entries)
        return r->used++;
    uint32_t i = r->lru_tail;
    while (i != RESOLVER_NONE && r->e[i].state == RESOLVER_PENDING)
        i = r->e[i].prev;
    if (i == RESOLVER_NONE)
        return RESOLVER_NONE;
    struct resolver_entry *e = &r->e[i];
    hindex_delete(&r->idx, e->hash, i);
    resolver_lru_unlink(r, i);
    free(e->name);
    e->name = NULL;
    r->st.evicted++;
    return i;
}

/* ---- limits ---- */

/* Whether one more lookup may start now; counts a refusal. */
static bool resolver_may_start(struct resolver *r, uint64_t now)
{
    bool full = r->n_starts == r->cfg.max_per_sec;
    if (r->n_inflight >= r->cfg.max_inflight || (full && now - r->starts[r->start_pos] < 1000)) {
        r->st.rate_limited++;
        return false;
    }
    return true;
}

static void resolver_note_start(struct resolver *r, uint64_t now)
{
    /* once the ring is full, start_pos is its oldest element */
    r->starts[r->start_pos] = now;
    r->start_pos = (r->start_pos + 1) % r->cfg.max_per_sec;
    if (r->n_starts < r->cfg.max_per_sec)
        r->n_starts++;
}

/* ---- completion (loop thread) ---- */

/* Sanitize `raw` into name; false when it is no usable name (empty or numeric). */
static bool resolver_clean(struct resolver *r, const char *raw, char *name, size_t len)
{
    struct flow_addr tmp;
    size_t n = sanitize_hostname(name, len, raw);
    if (n == 0 || flow_addr_parse(raw, &tmp) == 0 || flow_addr_parse(name, &tmp) == 0)
        return false;
    if (raw[n] != '\0' || memcmp(name, raw, n) != 0)
        r->st.sanitized++;
    return true;
}

/* Store the answer for `a` (raw NULL = failure) and tell the UI about a new name. */
static void resolver_store(struct resolver *r, const struct flow_addr *a, const char *raw)
{
    char name[RESOLVER_NAME_MAX + 1];
    uint32_t i = resolver_find(r, a, (uint32_t)hash_bytes(a, sizeof *a, r->cfg.seed));
    if (i == RESOLVER_NONE)
        return; /* cannot happen: pending entries are never evicted */
    struct resolver_entry *e = &r->e[i];
    bool ok = raw && resolver_clean(r, raw, name, sizeof name);
    uint64_t ttl_s = ok ? r->cfg.ttl_s : r->cfg.neg_ttl_s;
    e->state = ok ? RESOLVER_NAMED : RESOLVER_FAILED;
    e->name = ok ? xstrdup(name) : NULL;
    e->expires_ms = resolver_now(r) + ttl_s * 1000;
    if (!ok)
        r->st.failed++;
    else if (r->on_update)
        r->on_update(r->arg);
}

static void resolver_finish(struct resolver_req *q, const char *raw)
{
    struct resolver *r = q->r;
    if (r) {
        if (q->prev)
            q->prev->next = q->next;
        else
            r->inflight = q->next;
        if (q->next)
            q->next->prev = q->prev;
        r->n_inflight--;
        resolver_store(r, &q->addr, raw);
    }
    free(q);
}

/* Threadpool thread: touches only the request. */
static void resolver_work(uv_work_t *w)
{
    struct resolver_req *q = w->data;
    q->name[0] = '\0';
    q->rc = q->backend(&q->addr, q->name, sizeof q->name, q->backend_ctx);
    q->name[sizeof q->name - 1] = '\0';
}

static void resolver_work_done(uv_work_t *w, int status)
{
    struct resolver_req *q = w->data;
    resolver_finish(q, status == 0 && q->rc == 0 ? q->name : NULL);
}

static void resolver_gni_done(uv_getnameinfo_t *g, int status, const char *host,
                              const char *service)
{
    (void)service;
    resolver_finish(g->data, status == 0 ? host : NULL);
}

/* ---- starting a lookup ---- */

static void resolver_sockaddr(const struct flow_addr *a, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (flow_addr_is_v4(a)) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, a->b + 12, 4);
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, a->b, 16);
    }
}

static int resolver_submit(struct resolver *r, struct resolver_req *q)
{
    if (q->backend) {
        q->u.work.data = q;
        return uv_queue_work(r->loop, &q->u.work, resolver_work, resolver_work_done);
    }
    struct sockaddr_storage ss;
    resolver_sockaddr(&q->addr, &ss);
    q->u.gni.data = q;
    /* NI_NAMEREQD: no name is a failure rather than the address as text */
    return uv_getnameinfo(r->loop, &q->u.gni, resolver_gni_done, (const struct sockaddr *)&ss,
                          NI_NAMEREQD | NI_NUMERICSERV);
}

/* Start the lookup for entry i (limits already checked). */
static void resolver_start(struct resolver *r, uint32_t i, uint64_t now)
{
    struct resolver_entry *e = &r->e[i];
    struct resolver_req *q = xcalloc(1, sizeof *q);
    q->r = r;
    q->addr = e->addr;
    q->backend = r->cfg.backend;
    q->backend_ctx = r->cfg.backend_ctx;
    free(e->name);
    e->name = NULL;
    resolver_note_start(r, now);
    if (resolver_submit(r, q) != 0) {
        /* libuv never calls back after a failed submit */
        free(q);
        e->state = RESOLVER_FAILED;
        e->expires_ms = now + (uint64_t)r->cfg.neg_ttl_s * 1000;
        r->st.failed++;
        return;
    }
    e->state = RESOLVER_PENDING;
    q->next = r->inflight;
    if (r->inflight)
        r->inflight->prev = q;
    r->inflight = q;
    r->n_inflight++;
    r->st.started++;
}

/* A miss for an address not in the cache: make a pending entry and start, within limits. */
static void resolver_miss(struct resolver *r, const struct flow_addr *a, uint32_t h, uint64_t now)
{
    if (!resolver_may_start(r, now))
        return;
    uint32_t i = resolver_take_slot(r);
    if (i == RESOLVER_NONE) {
        r->st.rate_limited++; /* every entry is pending: the cap is below max_inflight */
        return;
    }
    struct resolver_entry *e = &r->e[i];
    e->addr = *a;
    e->hash = h;
    e->state = RESOLVER_PENDING;
    hindex_put(&r->idx, h, i);
    resolver_lru_push(r, i);
    resolver_start(r, i, now);
}

const char *resolver_lookup(struct resolver *r, const struct flow_addr *addr)
{
    if (!r->enabled)
        return NULL;
    uint64_t now = resolver_now(r);
    uint32_t h = (uint32_t)hash_bytes(addr, sizeof *addr, r->cfg.seed);
    uint32_t i = resolver_find(r, addr, h);
    if (i == RESOLVER_NONE) {
        r->st.misses++;
        resolver_miss(r, addr, h, now);
        return NULL;
    }
    struct resolver_entry *e = &r->e[i];
    resolver_touch(r, i);
    if (e->state == RESOLVER_PENDING)
        return NULL;
    if (now < e->expires_ms) {
        r->st.hits++;
        return e->name; /* NULL for a cached failure */
    }
    r->st.misses++;
    if (resolver_may_start(r, now))
        resolver_start(r, i, now);
    return NULL;
}

void resolver_set_enabled(struct resolver *r, bool on)
{
    r->enabled = on;
}

bool resolver_enabled(const struct resolver *r)
{
    return r->enabled;
}

size_t resolver_inflight(const struct resolver *r)
{
    return r->n_inflight;
}

void resolver_stats(const struct resolver *r, struct resolver_stats *st)
{
    *st = r->st;
    st->entries = r->used;
}

void resolver_free(struct resolver *r)
{
    if (!r)
        return;
    for (struct resolver_req *q = r->inflight; q; q = q->next) {
        q->r = NULL;
        /* still queued: its callback comes early with a "cancelled" status; running: no-op */
        uv_cancel((uv_req_t *)&q->u);
    }
    for (uint32_t i = 0; i < r->used; i++)
        free(r->e[i].name);
    free(r->e);
    hindex_free(&r->idx);
    free(r->starts);
    free(r);
}
