/*
 * topn.c - top-N snapshots of the live tables (see topn.h).
 *
 * Pass 1 walks the table and keeps the best N (index, sort value) pairs in a min-heap
 * (the weakest kept row on top, so a candidate is compared against one value). Pass 2
 * copies only the winners into rows and sorts those N.
 */
#include "config.h"

#include "flowdrill/topn.h"

#include <stdlib.h>
#include <string.h>

#include "flowdrill/xalloc.h"

const uint32_t topn_windows[3] = {2, 10, 40};

static const char *const topn_sort_names[TOPN_SORT_MAX] = {"bytes",  "packets", "flows",
                                                           "rate2", "rate10",  "rate40"};

const char *topn_sort_name(enum topn_sort s)
{
    return (unsigned)s < TOPN_SORT_MAX ? topn_sort_names[s] : "?";
}

int topn_sort_parse(const char *name)
{
    for (int i = 0; i < TOPN_SORT_MAX; i++)
        if (strcmp(name, topn_sort_names[i]) == 0)
            return i;
    return -1;
}

enum topn_measure topn_sort_measure(enum topn_sort s)
{
    switch (s) {
    case TOPN_SORT_PACKETS:
        return TOPN_BY_PACKETS;
    case TOPN_SORT_FLOWS:
        return TOPN_BY_FLOWS;
    case TOPN_SORT_RATE2:
    case TOPN_SORT_RATE10:
    case TOPN_SORT_RATE40:
        return TOPN_BY_WINDOW;
    default:
        return TOPN_BY_BYTES;
    }
}

int topn_sort_window(enum topn_sort s)
{
    return topn_sort_measure(s) == TOPN_BY_WINDOW ? (int)(s - TOPN_SORT_RATE2) : -1;
}

enum topn_sort topn_sort_for(enum agg_table t, enum topn_sort s)
{
    if (t == AGG_T_FLOW && (s == TOPN_SORT_RATE10 || s == TOPN_SORT_RATE40))
        return TOPN_SORT_RATE2;
    return (unsigned)s < TOPN_SORT_MAX ? s : TOPN_SORT_BYTES;
}

uint64_t topn_row_value(const struct topn_row *r, enum topn_sort s)
{
    s = topn_sort_for((enum agg_table)r->table, s);
    switch (topn_sort_measure(s)) {
    case TOPN_BY_PACKETS:
        return r->packets;
    case TOPN_BY_FLOWS:
        return r->flows;
    case TOPN_BY_WINDOW:
        return r->win[topn_sort_window(s)];
    default:
        return r->bytes;
    }
}

void topn_row_pair_to_peer(struct topn_row *r, const uint8_t host[16])
{
    bool host_first = memcmp(r->key.raw, host, 16) == 0;
    uint8_t peer[16];
    memcpy(peer, host_first ? r->key.raw + 16 : r->key.raw, 16);
    memset(r->key.raw, 0, sizeof r->key.raw);
    memcpy(r->key.raw, peer, 16);
    if (host_first) {
        /* pair [0] is host -> peer: the peer received it, so it goes to [1] */
        uint64_t t = r->bytes_dir[0];
        r->bytes_dir[0] = r->bytes_dir[1];
        r->bytes_dir[1] = t;
        t = r->pkts_dir[0];
        r->pkts_dir[0] = r->pkts_dir[1];
        r->pkts_dir[1] = t;
    }
    r->table = AGG_T_HOST;
    r->flags &= ~(uint32_t)STAT_F_LOCAL; /* the pair's, not the peer's */
}

uint64_t topn_row_rate_bps(const struct topn_row *r, int w)
{
    uint32_t s = r->win_secs[w] ? r->win_secs[w] : 1;
    return r->win[w] * 8 / s;
}

struct topn_cand {
    uint64_t value;
    uint32_t idx;
};

struct topn_ctx {
    const struct agg *a;
    enum agg_table t;
    enum topn_sort sort;
    uint32_t secs[3];
};

static const uint8_t *topn_key(const struct topn_ctx *c, uint32_t idx, size_t *len)
{
    if (c->t == AGG_T_FLOW) {
        *len = sizeof(struct flow_key);
        return (const uint8_t *)&flow_table_hot(agg_flow_table(c->a))[idx].key;
    }
    *len = STAT_KEY_MAX;
    return stat_table_centry(agg_stat_table(c->a, c->t), idx)->key;
}

/* true when x ranks before y */
static bool topn_before(const struct topn_ctx *c, const struct topn_cand *x,
                        const struct topn_cand *y)
{
    if (x->value != y->value)
        return x->value > y->value;
    size_t lx, ly;
    const uint8_t *kx = topn_key(c, x->idx, &lx), *ky = topn_key(c, y->idx, &ly);
    int cmp = memcmp(kx, ky, lx < ly ? lx : ly);
    return cmp != 0 ? cmp < 0 : x->idx < y->idx;
}

uint64_t topn_flow_win2(const struct flow_cold *c, uint32_t now)
{
    uint64_t sum = 0;
    for (uint32_t k = 1; k <= 2; k++) {
        if (now < k)
            break;
        uint32_t s = now - k;
        if (s == c->r_sec)
            sum += c->r[0];
        else if (s + 1 == c->r_sec)
            sum += c->r[1];
    }
    return sum;
}

/* The live entry's topn_row_value, read in place (c->sort is already topn_sort_for's). */
static uint64_t topn_value(const struct topn_ctx *c, uint32_t idx)
{
    uint32_t now = agg_now(c->a);
    enum topn_measure m = topn_sort_measure(c->sort);
    if (c->t == AGG_T_FLOW) {
        const struct flow_cold *fc = &flow_table_cold(agg_flow_table(c->a))[idx];
        const struct flow_hot *fh = &flow_table_hot(agg_flow_table(c->a))[idx];
        switch (m) {
        case TOPN_BY_PACKETS:
            return fc->pkts[0] + fc->pkts[1] + fh->d_pkts[0] + fh->d_pkts[1];
        case TOPN_BY_FLOWS:
            return 1;
        case TOPN_BY_WINDOW:
            return topn_flow_win2(fc, now);
        default:
            return fc->bytes[0] + fc->bytes[1] + fh->d_bytes[0] + fh->d_bytes[1];
        }
    }
    const struct stat_entry *e = stat_table_centry(agg_stat_table(c->a, c->t), idx);
    switch (m) {
    case TOPN_BY_PACKETS:
        return e->pkts[0] + e->pkts[1];
    case TOPN_BY_FLOWS:
        return e->flows;
    case TOPN_BY_WINDOW:
        return stat_entry_window(e, now, topn_windows[topn_sort_window(c->sort)]);
    default:
        return e->bytes[0] + e->bytes[1];
    }
}

static void topn_fill(const struct topn_ctx *c, uint32_t idx, struct topn_row *r)
{
    topn_copy_row(c->a, c->t, idx, c->secs, r);
}

void topn_window_secs(const struct agg *a, uint32_t secs[3])
{
    struct agg_totals tot;
    agg_totals(a, &tot);
    uint32_t elapsed = tot.now_sec > tot.start_sec ? tot.now_sec - tot.start_sec : 1;
    for (int w = 0; w < 3; w++)
        secs[w] = elapsed < topn_windows[w] ? elapsed : topn_windows[w];
}

void topn_copy_row(const struct agg *a, enum agg_table t, uint32_t idx, const uint32_t secs[3],
                   struct topn_row *r)
{
    const struct topn_ctx ctx = {a, t, TOPN_SORT_BYTES, {secs[0], secs[1], secs[2]}};
    const struct topn_ctx *c = &ctx;
    uint32_t now = agg_now(c->a);
    memset(r, 0, sizeof *r);
    r->table = (uint8_t)c->t;
    r->idx = idx;
    for (int w = 0; w < 3; w++)
        r->win_secs[w] = c->secs[w];
    if (c->t == AGG_T_FLOW) {
        const struct flow_hot *h = &flow_table_hot(agg_flow_table(c->a))[idx];
        const struct flow_cold *fc = &flow_table_cold(agg_flow_table(c->a))[idx];
        r->key.flow = h->key;
        for (int d = 0; d < 2; d++) {
            /* include what has not been flushed yet, so totals are current */
            r->bytes_dir[d] = fc->bytes[d] + h->d_bytes[d];
            r->pkts_dir[d] = fc->pkts[d] + h->d_pkts[d];
            r->tcp_flags[d] = h->tcp_flags[d];
        }
        r->flows = 1;
        r->first_sec = fc->first_sec;
        r->last_sec = h->last_sec;
        r->win[0] = topn_flow_win2(fc, now);
        r->win_secs[1] = r->win_secs[2] = 0; /* conversations keep a 2 s window only */
    } else {
        const struct stat_entry *e = stat_table_centry(agg_stat_table(c->a, c->t), idx);
        memcpy(r->key.raw, e->key, STAT_KEY_MAX);
        for (int d = 0; d < 2; d++) {
            r->bytes_dir[d] = e->bytes[d];
            r->pkts_dir[d] = e->pkts[d];
        }
        r->flows = e->flows;
        r->aux = e->aux;
        r->first_sec = e->first_sec;
        r->last_sec = e->last_sec;
        r->flags = e->flags;
        for (int w = 0; w < 3; w++)
            r->win[w] = stat_entry_window(e, now, topn_windows[w]);
    }
    r->bytes = r->bytes_dir[0] + r->bytes_dir[1];
    r->packets = r->pkts_dir[0] + r->pkts_dir[1];
}

static void topn_sift_down(const struct topn_ctx *c, struct topn_cand *h, size_t n, size_t i)
{
    /* min-heap by rank: the root is the row that ranks last */
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && topn_before(c, &h[m], &h[l]))
            m = l;
        if (r < n && topn_before(c, &h[m], &h[r]))
            m = r;
        if (m == i)
            return;
        struct topn_cand t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

size_t topn_select(const struct agg *a, enum agg_table t, enum topn_sort sort, size_t n,
                   struct topn_row **rows)
{
    struct topn_ctx c = {a, t, topn_sort_for(t, sort), {0, 0, 0}};
    topn_window_secs(a, c.secs);

    uint32_t slots;
    if (t == AGG_T_FLOW)
        slots = flow_table_slots(agg_flow_table(a));
    else
        slots = stat_table_slots(agg_stat_table(a, t));

    size_t cap = n ? n : slots;
    struct topn_cand *heap = xmalloc((cap ? cap : 1) * sizeof *heap);
    size_t used = 0;
    for (uint32_t idx = 0; idx < slots; idx++) {
        if (t == AGG_T_FLOW) {
            if (!flow_table_hot(agg_flow_table(a))[idx].key.af)
                continue;
        } else {
            const struct stat_entry *e = stat_table_centry(agg_stat_table(a, t), idx);
            if (!(e->flags & STAT_F_USED))
                continue;
            if ((e->flags & STAT_F_OTHER) && !e->pkts[0] && !e->pkts[1] && !e->flows)
                continue;
        }
        struct topn_cand cand = {topn_value(&c, idx), idx};
        if (!n) {
            heap[used++] = cand;
        } else if (used < cap) {
            heap[used++] = cand;
            if (used == cap)
                for (size_t i = cap / 2 + 1; i-- > 0;)
                    topn_sift_down(&c, heap, used, i);
        } else if (topn_before(&c, &cand, &heap[0])) {
            heap[0] = cand;
            topn_sift_down(&c, heap, used, 0);
        }
    }
    if (!n || used < cap)
        for (size_t i = used / 2 + 1; i-- > 0;)
            topn_sift_down(&c, heap, used, i);
    /* heapsort: the root ranks last, so popping it to the end leaves best-first order */
    for (size_t end = used; end > 1; end--) {
        struct topn_cand tmp = heap[0];
        heap[0] = heap[end - 1];
        heap[end - 1] = tmp;
        topn_sift_down(&c, heap, end - 1, 0);
    }

    struct topn_row *out = xcalloc(used ? used : 1, sizeof *out);
    for (size_t i = 0; i < used; i++)
        topn_fill(&c, heap[i].idx, &out[i]);
    free(heap);
    *rows = out;
    return used;
}
