/*
 * resolver.h - asynchronous reverse DNS for the interactive UI, never blocking the loop.
 *
 * The UI asks resolver_lookup() for every address it draws. A cached name comes back at once;
 * anything else returns NULL (the caller shows the address) and, within the limits, starts a
 * lookup on libuv's threadpool: uv_getnameinfo with NI_NAMEREQD, or an injected backend (tests).
 * When a name arrives, on_update runs on the loop thread so the UI can mark itself dirty.
 *
 * Bounded everywhere (guarantee G2): at most max_entries cached answers (positive and
 * negative, least recently used evicted first), at most max_inflight lookups running and
 * max_per_sec started in any one-second window. A miss over a limit queues nothing: it is
 * counted (rate_limited) and the caller's next lookup of that address, e.g. on the next redraw,
 * tries again. Numeric answers count as failures. Names are reduced by sanitize_hostname to
 * letters, digits, '-', '.', '_' (anything else becomes '?') and to RESOLVER_NAME_MAX bytes
 * before they are cached, so they are safe to draw (G4).
 *
 * Quitting never waits on DNS: resolver_free returns at once and detaches the lookups still
 * running. Their completion callbacks are still delivered by uv_run on that loop, and only free
 * the request; a program that exits without running the loop again simply exits. This module
 * owns no libuv handle, only requests. Loop thread only (like libuv itself).
 */
#ifndef FLOWDRILL_RESOLVER_H
#define FLOWDRILL_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "flowdrill/flow.h"

/* Longest name kept, in bytes, not counting the NUL (a DNS name has at most 253 characters). */
#define RESOLVER_NAME_MAX 255

/* The defaults used for the zero fields of struct resolver_config. */
#define RESOLVER_DEFAULT_MAX_ENTRIES 4096
#define RESOLVER_DEFAULT_MAX_INFLIGHT 8
#define RESOLVER_DEFAULT_MAX_PER_SEC 50
#define RESOLVER_DEFAULT_TTL_S 600
#define RESOLVER_DEFAULT_NEG_TTL_S 60

/*
 * A lookup backend in place of getnameinfo (tests, or another source of names). It runs on a
 * libuv threadpool thread, so it must be thread-safe and must not touch the loop. Write a
 * NUL-terminated name of at most len - 1 bytes into `name` and return 0, or return non-zero
 * for "no name". The bytes written are untrusted: they are sanitized afterwards.
 */
typedef int (*resolver_backend_fn)(const struct flow_addr *a, char *name, size_t len, void *ctx);

struct resolver_config {
    size_t max_entries;   /* cached answers, positive and negative; 0 = default */
    size_t max_inflight;  /* lookups running at once; 0 = default */
    unsigned max_per_sec; /* lookups started in any 1000 ms window; 0 = default */
    unsigned ttl_s;       /* lifetime of a name; 0 = default */
    unsigned neg_ttl_s;   /* lifetime of a failure; 0 = default */
    uint64_t seed;        /* hash seed (a random value makes the table collision-resistant) */
    /* NULL = uv_getnameinfo. Otherwise run through uv_queue_work with backend_ctx, which must
     * stay valid until every lookup has completed, including those detached by resolver_free. */
    resolver_backend_fn backend;
    void *backend_ctx;
    /* The clock for expiry and rate limits, in milliseconds; NULL = uv_now(loop). */
    uint64_t (*now_ms)(void *ctx);
    void *now_ctx;
};

struct resolver_stats {
    uint64_t hits;         /* answered from the cache (a name or a cached failure) */
    uint64_t misses;       /* not cached, or expired */
    uint64_t started;      /* lookups started */
    uint64_t failed;       /* lookups that gave no usable name (errors and numeric answers) */
    uint64_t rate_limited; /* misses not started because of max_inflight or max_per_sec */
    uint64_t evicted;      /* cache entries dropped to make room */
    uint64_t sanitized;    /* names that had characters replaced or were cut short */
    size_t entries;        /* cache entries now, pending lookups included */
};

struct resolver;

/*
 * Create a resolver on `loop` (borrowed; must outlive the resolver and the lookups it starts).
 * `cfg` is copied. `on_update(arg)` (may be NULL) runs on the loop thread each time a lookup
 * produces a name, never from within resolver_lookup. The resolver starts enabled.
 * Free with resolver_free.
 */
struct resolver *resolver_new(uv_loop_t *loop, const struct resolver_config *cfg,
                              void (*on_update)(void *arg), void *arg);

/*
 * The cached name of `addr`, or NULL when it is unknown, pending, failed, expired or the
 * resolver is disabled. The string is owned by the resolver and valid until the next
 * resolver_lookup or resolver_free (copy it to keep it longer). On a miss (not cached, or
 * expired), starts a lookup if the limits allow it; asking again while that lookup runs
 * returns NULL, starts nothing and counts neither a hit nor a miss.
 */
const char *resolver_lookup(struct resolver *r, const struct flow_addr *addr);

/* Turn lookups on or off (the UI's `n` key). While off, resolver_lookup returns NULL and
 * starts nothing; the cache is kept and lookups already running still fill it. */
void resolver_set_enabled(struct resolver *r, bool on);
bool resolver_enabled(const struct resolver *r);

/* Lookups running now (started and not yet delivered to the loop). */
size_t resolver_inflight(const struct resolver *r);

void resolver_stats(const struct resolver *r, struct resolver_stats *st);

/*
 * Free the resolver and its cache without waiting. Lookups still queued are cancelled where
 * libuv allows it; those already running are detached: when uv_run later delivers their
 * completions, the request frees itself and never touches the freed resolver or calls
 * on_update. The loop stays alive (uv_loop_close returns UV_EBUSY) until they are delivered;
 * a program that is quitting need not run it.
 */
void resolver_free(struct resolver *r);

#endif
