/*
 * agg_rows.c - finding a conversation's rows and booking amounts into them (agg_priv.h).
 * The keys come from agg_key.h; both captured and exported amounts end in agg_book.
 */
#include "config.h"

#include "agg_priv.h"

/* The keys of hosts x and y and of their pair, and their hashes: the hosts' own, and the
 * pair's joined from theirs (the host and pair tables share a seed: stat_table.h). */
void agg_keys_of(const struct agg *a, const struct flow_addr *x, const struct flow_addr *y,
                        struct agg_keys *kh)
{
    _Static_assert(sizeof *x == 16, "hosts are hashed as 16-byte keys");
    bool swap = agg_pair_key(x, y, kh->pair);
    uint64_t hx = stat_hash16(x, a->addr_seed), hy = stat_hash16(y, a->addr_seed);
    kh->host_hash[0] = stat_hash_fold(hx);
    kh->host_hash[1] = stat_hash_fold(hy);
    kh->swapped = swap;
    kh->pair_hash = swap ? stat_hash_join(hy, hx) : stat_hash_join(hx, hy);
}

uint32_t agg_host(struct agg *a, const struct flow_addr *addr, uint32_t hash)
{
    bool created;
    struct stat_table *t = a->st[AGG_T_HOST];
    uint32_t idx = stat_table_get_hashed(t, addr, hash, a->now, &created);
    if (created && a->ln && localnet_contains(a->ln, addr))
        stat_table_entry(t, idx)->flags |= STAT_F_LOCAL;
    return idx;
}

uint32_t agg_app(struct agg *a, uint8_t proto, uint16_t port, bool has_port)
{
    uint8_t key[STAT_KEY_MAX];
    bool created;
    agg_app_key_of(a->svc, proto, port, has_port, key);
    return stat_table_get(a->st[AGG_T_APP], key, a->now, &created);
}

uint32_t agg_proto(struct agg *a, uint8_t proto)
{
    if (a->proto_idx[proto] == STAT_NONE) {
        bool created;
        a->proto_idx[proto] = stat_table_get(a->st[AGG_T_PROTO], &proto, a->now, &created);
    }
    return a->proto_idx[proto];
}

/* Port row of a conversation, with its application row cached in the port row's aux
 * (the application table never evicts, so the cached index stays valid). */
uint32_t agg_port(struct agg *a, const struct flow_key *k, uint32_t *app, int *to_svc)
{
    uint16_t svc = service_db_pick(a->svc, k->proto, k->pa, k->pb);
    uint8_t key[3] = {(uint8_t)(svc >> 8), (uint8_t)svc, k->proto};
    bool created;
    struct stat_table *t = a->st[AGG_T_PORT];
    uint32_t idx = stat_table_get(t, key, a->now, &created);
    struct stat_entry *e = stat_table_entry(t, idx);
    *to_svc = agg_to_svc(k, svc);
    if (idx == STAT_OTHER) {
        *app = agg_app(a, k->proto, svc, true);
    } else {
        if (created || !e->aux)
            e->aux = (uint64_t)agg_app(a, k->proto, svc, true) + 1;
        *app = (uint32_t)e->aux - 1;
    }
    return idx;
}

/* The port, application and protocol rows of conversation k (counting it in their flows with
 * `count`). */
void agg_service_rows(struct agg *a, const struct flow_key *k, bool count,
                             struct agg_rows *rw)
{
    rw->port = rw->app = STAT_NONE;
    rw->to_svc = 0;
    if (flow_proto_has_ports(k->proto) && (k->pa || k->pb)) {
        rw->port = agg_port(a, k, &rw->app, &rw->to_svc);
        if (count) {
            stat_table_entry(a->st[AGG_T_PORT], rw->port)->flows++;
            stat_table_entry(a->st[AGG_T_APP], rw->app)->flows++;
        }
    } else if (!flow_proto_has_ports(k->proto)) {
        if (a->app_by_proto[k->proto] == STAT_NONE)
            a->app_by_proto[k->proto] = agg_app(a, k->proto, 0, false);
        rw->app = a->app_by_proto[k->proto];
        if (count)
            stat_table_entry(a->st[AGG_T_APP], rw->app)->flows++;
    }
    /* else: ports unknown (non-first fragments): hosts and protocol only */
    if (count)
        stat_table_entry(a->st[AGG_T_PROTO], agg_proto(a, k->proto))->flows++;
}

/* ... from the host rows' flags */
static int agg_dir(const struct stat_entry *ha, const struct stat_entry *hb)
{
    return agg_dir_local(ha->flags & STAT_F_LOCAL, hb->flags & STAT_F_LOCAL);
}

/* Book amounts of conversation (k, c) into the rows `rw` it holds (hosts and pair always;
 * port and application when it has them), its protocol's row, the totals and their history,
 * the bytes falling on the seconds of span `sp`. A flow export that holds no rows of its own
 * books less (agg_add_export). */
void agg_book(struct agg *a, const struct flow_key *k, struct flow_cold *c,
                     const struct agg_rows *rw, const uint64_t bytes[2], const uint64_t pkts[2],
                     const struct stat_span *sp)
{
    agg_book_conv(c, bytes, pkts, sp);

    struct stat_table *host = a->st[AGG_T_HOST];
    /* hosts: [0] sent, [1] received. A host talking to itself (a == b) is booked once, as
     * the pair and the conversation book it: what it sent a->b (as tshark and nfdump count
     * it, never twice) */
    stat_table_add_span(host, rw->host[0], bytes[0], pkts[0], bytes[1], pkts[1], sp);
    if (!flow_addr_eq(&k->a, &k->b))
        stat_table_add_span(host, rw->host[1], bytes[1], pkts[1], bytes[0], pkts[0], sp);

    /* pairs: [0] lower address -> higher */
    int s = agg_pair_swapped(&k->a, &k->b);
    stat_table_add_span(a->st[AGG_T_PAIR], rw->pair, bytes[s], pkts[s], bytes[!s], pkts[!s], sp);

    int f = rw->to_svc; /* ports and applications: [0] towards the service, [1] from it */
    if (rw->port != STAT_NONE)
        stat_table_add_span(a->st[AGG_T_PORT], rw->port, bytes[f], pkts[f], bytes[!f], pkts[!f],
                            sp);
    if (rw->app != STAT_NONE)
        stat_table_add_span(a->st[AGG_T_APP], rw->app, bytes[f], pkts[f], bytes[!f], pkts[!f],
                            sp);
    stat_table_add_span(a->st[AGG_T_PROTO], agg_proto(a, k->proto), bytes[0], pkts[0], bytes[1],
                        pkts[1], sp);

    int dir = agg_dir(stat_table_centry(host, rw->host[0]), stat_table_centry(host, rw->host[1]));
    agg_book_dir(a, dir, bytes, pkts);
    if (!stat_hist_add_span_fast(a->hist_d, a->hist_last, a->hist_shift, &a->hist_max, sp))
        stat_hist_add_span(
            (struct stat_hist){a->hist_d, &a->hist_last, &a->hist_shift, &a->hist_max}, sp);
}
