/*
 * store_rollup.c - what the live tables added since the last call (see store.h).
 *
 * Runs on the event loop thread, once a minute. For every stat table it keeps, per entry
 * index (entries never move: stat_table.h), the counters seen last time and the entry's
 * identity (hash and first second). An entry whose identity changed, or whose counters went
 * down, is a new row (the slot was reused after an eviction): its whole count is new, and
 * what the evicted row held when last seen is taken off the "other" row it was merged into,
 * so each byte is counted in one minute only. The totals are differenced the same way. Depends on agg only.
 */
#include "config.h"

#include "flowdrill/store.h"

#include <stdlib.h>
#include <string.h>

#include "flowdrill/flow.h"
#include "flowdrill/xalloc.h"

struct store_prev {
    uint32_t hash, first_sec;
    uint64_t b[2], p[2], flows;
    bool used;
};

struct store_rollup {
    struct store_prev *prev[STORE_TABLES];
    uint32_t n_prev[STORE_TABLES];
    struct agg_totals tot;
};

/* Key bytes stored per table (0: the key is a string, trimmed of its zero padding). */
static const uint8_t store_key_len[STORE_TABLES] = {16, 32, 3, 0, 1, 20, 24};

void store_minute_free(struct store_minute *m)
{
    if (!m)
        return;
    free(m->rows);
    free(m);
}

static void store_rollup_push(struct store_minute *m, size_t *cap, const struct store_row *r)
{
    if (m->n_rows == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        m->rows = xrealloc(m->rows, *cap * sizeof *m->rows);
    }
    m->rows[m->n_rows++] = *r;
}

static void store_prev_add(struct store_prev *to, const struct store_prev *p)
{
    to->b[0] += p->b[0];
    to->b[1] += p->b[1];
    to->p[0] += p->p[0];
    to->p[1] += p->p[1];
    to->flows += p->flows;
}

static uint64_t store_sub(uint64_t x, uint64_t y)
{
    return x > y ? x - y : 0;
}

static void store_rollup_table(struct store_rollup *r, const struct agg *a, int t,
                               struct store_minute *m, size_t *cap)
{
    const struct stat_table *st = agg_stat_table(a, (enum agg_table)t);
    uint32_t slots = stat_table_slots(st);
    if (slots > r->n_prev[t]) {
        r->prev[t] = xrealloc(r->prev[t], slots * sizeof *r->prev[t]);
        memset(r->prev[t] + r->n_prev[t], 0, (slots - r->n_prev[t]) * sizeof *r->prev[t]);
        r->n_prev[t] = slots;
    }
    /* what evicted rows had when last seen: their eviction merged it into the "other" row,
     * which must not count it again */
    struct store_prev merged = {0};
    struct store_row other = {.table = (uint8_t)t};
    bool have_other = false;
    for (uint32_t i = 0; i < slots; i++) {
        const struct stat_entry *e = stat_table_centry(st, i);
        struct store_prev *p = &r->prev[t][i];
        if (!(e->flags & STAT_F_USED)) {
            if (p->used)
                store_prev_add(&merged, p);
            p->used = false;
            continue;
        }
        /* the "other" row stays itself (its first second moves as older rows merge in) */
        bool same = p->used &&
                    ((e->flags & STAT_F_OTHER) ||
                     (p->hash == e->hash && p->first_sec == e->first_sec)) &&
                    e->bytes[0] >= p->b[0] && e->bytes[1] >= p->b[1] && e->pkts[0] >= p->p[0] &&
                    e->pkts[1] >= p->p[1] && e->flows >= p->flows;
        if (!same) {
            if (p->used && !(e->flags & STAT_F_OTHER))
                store_prev_add(&merged, p);
            memset(p, 0, sizeof *p);
        }
        struct store_row row = {.table = (uint8_t)t};
        row.c.bytes[0] = e->bytes[0] - p->b[0];
        row.c.bytes[1] = e->bytes[1] - p->b[1];
        row.c.pkts[0] = e->pkts[0] - p->p[0];
        row.c.pkts[1] = e->pkts[1] - p->p[1];
        row.c.flows = e->flows - p->flows;
        *p = (struct store_prev){e->hash, e->first_sec, {e->bytes[0], e->bytes[1]},
                                 {e->pkts[0], e->pkts[1]}, e->flows, true};
        if (e->flags & STAT_F_OTHER) {
            other = row; /* the live "other" row joins the stored "rest", after the merges */
            have_other = true;
            continue;
        }
        if (!(row.c.bytes[0] | row.c.bytes[1] | row.c.pkts[0] | row.c.pkts[1] | row.c.flows))
            continue;
        if (store_key_len[t]) {
            row.key_len = store_key_len[t];
            memcpy(row.key, e->key, row.key_len);
        } else {
            row.key_len = (uint8_t)strnlen((const char *)e->key, STAT_KEY_MAX);
            memcpy(row.key, e->key, row.key_len);
            if (!row.key_len)
                continue; /* an application row always has a name */
        }
        store_rollup_push(m, cap, &row);
    }
    if (!have_other)
        return;
    other.c.bytes[0] = store_sub(other.c.bytes[0], merged.b[0]);
    other.c.bytes[1] = store_sub(other.c.bytes[1], merged.b[1]);
    other.c.pkts[0] = store_sub(other.c.pkts[0], merged.p[0]);
    other.c.pkts[1] = store_sub(other.c.pkts[1], merged.p[1]);
    other.c.flows = store_sub(other.c.flows, merged.flows);
    if (other.c.bytes[0] | other.c.bytes[1] | other.c.pkts[0] | other.c.pkts[1] | other.c.flows)
        store_rollup_push(m, cap, &other);
}

struct store_minute *store_rollup_take(struct store_rollup *r, const struct agg *a, uint32_t t)
{
    struct store_minute *m = xcalloc(1, sizeof *m);
    m->t = t - t % 60;
    struct agg_totals now;
    agg_totals(a, &now);
    m->bytes = now.bytes - r->tot.bytes;
    m->packets = now.packets - r->tot.packets;
    m->flows = now.flows - r->tot.flows;
    m->bytes_in = now.bytes_dir[FLOW_DIR_IN] - r->tot.bytes_dir[FLOW_DIR_IN];
    m->bytes_out = now.bytes_dir[FLOW_DIR_OUT] - r->tot.bytes_dir[FLOW_DIR_OUT];
    m->packets_in = now.packets_dir[FLOW_DIR_IN] - r->tot.packets_dir[FLOW_DIR_IN];
    m->packets_out = now.packets_dir[FLOW_DIR_OUT] - r->tot.packets_dir[FLOW_DIR_OUT];
    r->tot = now;
    size_t cap = 0;
    for (int i = 0; i < STORE_TABLES; i++)
        store_rollup_table(r, a, i, m, &cap);
    return m;
}

struct store_rollup *store_rollup_new(const struct agg *a)
{
    struct store_rollup *r = xcalloc(1, sizeof *r);
    store_minute_free(store_rollup_take(r, a, 0)); /* start from the tables as they are */
    return r;
}

void store_rollup_free(struct store_rollup *r)
{
    if (!r)
        return;
    for (int i = 0; i < STORE_TABLES; i++)
        free(r->prev[i]);
    free(r);
}
