/*
 * columns.c - which columns each view has, and the text of every cell (see view.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "flowdrill/nf.h"
#include "flowdrill/rowfmt.h"
#include "flowdrill/stat_table.h"
#include "flowdrill/view.h"

/* drop: higher numbers go first when the terminal is narrow */
static const struct col_def col_defs[COL_MAX] = {
    [COL_KEY] = {COL_KEY, "KEY", 15, 0, true, true},
    [COL_PEERS] = {COL_PEERS, "PEERS", 6, 7, true, false},
    [COL_RATE2] = {COL_RATE2, "2s", 9, 1, true, false},
    [COL_RATE10] = {COL_RATE10, "10s", 9, 4, true, false},
    [COL_RATE40] = {COL_RATE40, "40s", 9, 6, true, false},
    [COL_TOTAL] = {COL_TOTAL, "TOTAL", 9, 3, true, false},
    [COL_PACKETS] = {COL_PACKETS, "PKTS", 7, 8, true, false},
    [COL_FLOWS] = {COL_FLOWS, "FLOWS", 6, 9, true, false},
    [COL_SHARE] = {COL_SHARE, "SHARE", 6, 5, false, false},
    [COL_FLAGS] = {COL_FLAGS, "FLAGS", 13, 10, false, true},
    [COL_VERSION] = {COL_VERSION, "VER", 5, 12, true, false},
    [COL_SAMPLING] = {COL_SAMPLING, "SAMPLING", 8, 8, true, false},
    [COL_LOSS] = {COL_LOSS, "LOST", 7, 6, true, false},
    [COL_TEMPLATES] = {COL_TEMPLATES, "TPL", 5, 12, true, false},
    [COL_SEEN] = {COL_SEEN, "SEEN", 6, 9, true, false},
    [COL_FAMILY] = {COL_FAMILY, "AF 4/6/v/d/0", 16, 13, true, false},
    [COL_NOPKTS] = {COL_NOPKTS, "NOPKT", 6, 13, true, false},
    [COL_TPLDROP] = {COL_TPLDROP, "TPLDROP", 8, 13, true, false},
    [COL_UTIL] = {COL_UTIL, "UTIL in/out", 13, 8, true, false},
    [COL_SPARK] = {COL_SPARK, "LAST 60s", 10, 11, false, true},
};

/* Each sort key and its column, the one home of the mapping (see view.h). */
static const struct {
    enum topn_sort sort;
    enum col_id col;
} col_sorts[] = {
    {TOPN_SORT_BYTES, COL_TOTAL}, {TOPN_SORT_PACKETS, COL_PACKETS}, {TOPN_SORT_FLOWS, COL_FLOWS},
    {TOPN_SORT_RATE2, COL_RATE2}, {TOPN_SORT_RATE10, COL_RATE10}, {TOPN_SORT_RATE40, COL_RATE40},
};

enum col_id view_sort_col(enum topn_sort s)
{
    for (size_t i = 0; i < sizeof col_sorts / sizeof col_sorts[0]; i++)
        if (col_sorts[i].sort == s)
            return col_sorts[i].col;
    return COL_RATE2;
}

enum topn_sort view_col_sort(enum col_id c)
{
    for (size_t i = 0; i < sizeof col_sorts / sizeof col_sorts[0]; i++)
        if (col_sorts[i].col == c)
            return col_sorts[i].sort;
    return TOPN_SORT_BYTES;
}

const struct col_def *view_col(enum col_id c)
{
    return &col_defs[(unsigned)c < COL_MAX ? c : COL_KEY];
}

bool view_has_column(const struct view *v, enum col_id c)
{
    enum view_kind k = view_ccur(v)->kind;
    switch (c) {
    case COL_PEERS:
        return k == VIEW_HOSTS;
    case COL_RATE10:
    case COL_RATE40:
    case COL_SPARK:
        return k != VIEW_FLOWS;
    case COL_FLAGS:
        return k == VIEW_FLOWS;
    case COL_VERSION:
    case COL_SAMPLING:
    case COL_LOSS:
    case COL_TEMPLATES:
    case COL_SEEN:
    case COL_FAMILY:
    case COL_NOPKTS:
    case COL_TPLDROP:
        return k == VIEW_EXPORTERS;
    case COL_UTIL:
        return k == VIEW_IFACES;
    case COL_FLOWS:
        return k != VIEW_FLOWS && v->totals;
    case COL_TOTAL:
    case COL_PACKETS:
        return v->totals;
    default:
        return true;
    }
}

size_t view_columns(const struct view *v, enum col_id *out, size_t max)
{
    static const enum col_id order[] = {COL_KEY,   COL_RATE2,   COL_RATE10, COL_RATE40,
                                        COL_TOTAL, COL_PACKETS, COL_FLOWS,  COL_PEERS,
                                        COL_SHARE, COL_FLAGS,   COL_VERSION,
                                        COL_SAMPLING, COL_LOSS, COL_TEMPLATES, COL_SEEN,
                                        COL_FAMILY, COL_NOPKTS, COL_TPLDROP, COL_UTIL,
                                        COL_SPARK};
    size_t n = 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0] && n < max; i++)
        if (view_has_column(v, order[i]))
            out[n++] = order[i];
    return n;
}

/* An exporter's dual-family records by rule, "4/6/v/d/0" (IPv4 only, IPv6 only, both chosen
 * by ipVersion, both defaulting to IPv4, neither non-zero); "-" when it sent none. */
static char *vc_family(const struct view_exporter *e, char *buf, size_t len)
{
    uint64_t n = 0;
    for (int i = 0; i < VIEW_FAM_RULES; i++)
        n += e->family[i];
    if (!n)
        return snprintf(buf, len, "-"), buf;
    size_t off = 0;
    for (int i = 0; i < VIEW_FAM_RULES && off < len; i++) {
        char c[16];
        rowfmt_count(e->family[i], c, sizeof c);
        int w = snprintf(buf + off, len - off, "%s%s", i ? "/" : "", c);
        off += w > 0 ? (size_t)w : 0;
    }
    return buf;
}

uint64_t view_row_window(const struct view *v, const struct view_row *r)
{
    if (v->window == VIEW_WTOTAL)
        return r->r.bytes;
    return r->r.win[v->window];
}

/* ---- keys ---- */

static void vk_host(const struct view *v, const uint8_t *raw, char *buf, size_t len)
{
    struct flow_addr a;
    memcpy(a.b, raw, 16);
    const char *name = v->dns && v->name_fn ? v->name_fn(v->name_ctx, &a) : NULL;
    if (name)
        snprintf(buf, len, "%s", name);
    else
        flow_addr_format(&a, buf, len);
}

static void vk_port(const struct view *v, uint16_t port, uint8_t proto, char *buf, size_t len)
{
    const char *name = "";
    if (v->port_names && v->svc)
        name = service_db_name(v->svc, service_db_id(v->svc, port, proto));
    if (*name)
        snprintf(buf, len, "%s", name);
    else
        snprintf(buf, len, "%u", port);
}

static void vk_endpoint(const struct view *v, const struct flow_addr *a, uint16_t port,
                        uint8_t proto, char *buf, size_t len)
{
    char h[FLOW_ADDR_STRLEN + 256], p[40];
    vk_host(v, a->b, h, sizeof h);
    if (!flow_proto_has_ports(proto)) {
        snprintf(buf, len, "%s", h);
        return;
    }
    vk_port(v, port, proto, p, sizeof p);
    bool bracket = !flow_addr_is_v4(a) && strchr(h, ':');
    snprintf(buf, len, bracket ? "[%s]:%s" : "%s:%s", h, p);
}

char *view_key_text(const struct view *v, const struct view_row *r, char *buf, size_t len)
{
    const struct topn_row *t = &r->r;
    char x[FLOW_ADDR_STRLEN + 300], y[FLOW_ADDR_STRLEN + 300], p[16];
    if (t->table != AGG_T_FLOW && (t->flags & STAT_F_OTHER)) {
        snprintf(buf, len, "(other)");
        return buf;
    }
    switch (t->table) {
    case AGG_T_HOST:
        vk_host(v, t->key.raw, buf, len);
        break;
    case AGG_T_PAIR:
        vk_host(v, t->key.raw, x, sizeof x);
        vk_host(v, t->key.raw + 16, y, sizeof y);
        snprintf(buf, len, "%s <-> %s", x, y);
        break;
    case AGG_T_PORT: {
        uint16_t port = (uint16_t)(t->key.raw[0] << 8 | t->key.raw[1]);
        rowfmt_proto(t->key.raw[2], p, sizeof p);
        const char *name = "";
        if (v->port_names && v->svc)
            name = service_db_name(v->svc, service_db_id(v->svc, port, t->key.raw[2]));
        if (*name)
            snprintf(buf, len, "%u/%s %s", port, p, name);
        else
            snprintf(buf, len, "%u/%s", port, p);
        break;
    }
    case AGG_T_FLOW: {
        const struct flow_key *k = &t->key.flow;
        vk_endpoint(v, &k->a, k->pa, k->proto, x, sizeof x);
        vk_endpoint(v, &k->b, k->pb, k->proto, y, sizeof y);
        rowfmt_proto(k->proto, p, sizeof p);
        snprintf(buf, len, "%s <-> %s %s", x, y, p);
        break;
    }
    default:
        rowfmt_key(t, buf, len);
    }
    return buf;
}

/* ---- cells ---- */

char *view_rate_text(const struct view *v, uint64_t bps, char *buf, size_t len)
{
    if (v->bits)
        return rowfmt_rate(bps, buf, len);
    char t[16];
    rowfmt_bytes(bps / 8, t, sizeof t);
    snprintf(buf, len, "%.13s/s", t);
    return buf;
}

static char *vc_rate(const struct view *v, uint64_t bytes, uint32_t secs, char *buf, size_t len)
{
    view_rate_text(v, bytes * 8 / (secs ? secs : 1), buf, len);
    /* "1.21 GiB/s" -> shorten the unit so the column stays 9 wide */
    char *i = strlen(buf) > 9 ? strstr(buf, "iB/s") : NULL;
    if (i)
        memmove(i, i + 2, strlen(i + 2) + 1); /* "GiB/s" -> "G/s" */
    return buf;
}

char *view_cell_text(const struct view *v, const struct view_row *r, enum col_id c, char *buf,
                     size_t len)
{
    const struct topn_row *t = &r->r;
    switch (c) {
    case COL_RATE2:
    case COL_RATE10:
    case COL_RATE40: {
        int w = c - COL_RATE2;
        if (!(r->avail & (VIEW_AV_WIN2 << w)) || !t->win_secs[w])
            return snprintf(buf, len, "-"), buf;
        return vc_rate(v, t->win[w], t->win_secs[w], buf, len);
    }
    case COL_TOTAL:
        return rowfmt_bytes(t->bytes, buf, len);
    case COL_PACKETS:
        return rowfmt_count(t->packets, buf, len);
    case COL_FLOWS:
        return rowfmt_count(t->flows, buf, len);
    case COL_PEERS:
        if (!(r->avail & VIEW_AV_PEERS))
            return snprintf(buf, len, "-"), buf;
        return rowfmt_count(t->aux, buf, len);
    case COL_SHARE: {
        uint64_t x = view_row_window(v, r);
        if (!v->window_total || (v->window != VIEW_WTOTAL && v->window != VIEW_W2 &&
                                 !(r->avail & (VIEW_AV_WIN2 << v->window))))
            return snprintf(buf, len, "-"), buf;
        unsigned permille = (unsigned)(x * 1000 / v->window_total);
        snprintf(buf, len, "%u.%u%%", permille / 10, permille % 10);
        return buf;
    }
    case COL_VERSION:
    case COL_SAMPLING:
    case COL_LOSS:
    case COL_TEMPLATES:
    case COL_SEEN:
    case COL_FAMILY:
    case COL_NOPKTS:
    case COL_TPLDROP:
        if (!r->exp.known)
            return snprintf(buf, len, "-"), buf;
        if (c == COL_FAMILY)
            return vc_family(&r->exp, buf, len);
        if (c == COL_NOPKTS)
            return rowfmt_count(r->exp.no_packets, buf, len);
        if (c == COL_TPLDROP)
            return rowfmt_count(r->exp.tpl_refused + r->exp.tpl_recycled + r->exp.held_dropped,
                                buf, len);
        if (c == COL_VERSION)
            snprintf(buf, len,
                     r->exp.version == 10                  ? "ipfix"
                     : r->exp.version == NF_VERSION_SFLOW5 ? "sflow5"
                                                           : "v%u",
                     r->exp.version);
        else if (c == COL_SAMPLING)
            snprintf(buf, len, "1:%u", r->exp.sampling ? r->exp.sampling : 1);
        else if (c == COL_LOSS)
            rowfmt_count(r->exp.seq_lost, buf, len);
        else if (c == COL_TEMPLATES)
            snprintf(buf, len, "%u", r->exp.templates);
        else
            snprintf(buf, len, "%us", r->exp.seen_ago_s);
        return buf;
    case COL_UTIL:
        if (!r->ifc.known)
            return snprintf(buf, len, "-"), buf;
        snprintf(buf, len, "%u.%u%%/%u.%u%%", r->ifc.in_util / 10, r->ifc.in_util % 10,
                 r->ifc.out_util / 10, r->ifc.out_util % 10);
        return buf;
    case COL_FLAGS: {
        char a[12], b[12];
        if (t->key.flow.proto != 6)
            return snprintf(buf, len, "%s", ""), buf;
        rowfmt_tcp_flags(t->tcp_flags[0], a, sizeof a);
        rowfmt_tcp_flags(t->tcp_flags[1], b, sizeof b);
        snprintf(buf, len, "%s/%s", a, b);
        return buf;
    }
    default:
        return snprintf(buf, len, "%s", ""), buf;
    }
}
