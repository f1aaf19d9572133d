/*
 * query.h - the rows of one view: (table kind, drill-down scope, filter) -> copied rows.
 *
 * Two ways to answer, chosen per query:
 *  - exact: straight from a stat table (every table at the top level; a host's peers and
 *    conversations from the pair table; an exporter's interfaces from the interface table).
 *    Rows carry all three rate windows and a sparkline of the last minute.
 *  - derived: by walking the live conversations, keeping those inside the scope and the
 *    filter, and summing them by the view's key. Totals cover the conversations still in
 *    the table; only the 2 s window is known (conversations keep no longer history), so the
 *    10 s / 40 s windows and sparklines are marked unavailable rather than guessed.
 * Rows are copies: nothing points into the live tables. No I/O, no curses.
 */
#ifndef FLOWDRILL_QUERY_H
#define FLOWDRILL_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flowdrill/agg.h"
#include "flowdrill/filter.h"
#include "flowdrill/topn.h"

/* The views a user can look at. */
enum view_kind {
    VIEW_HOSTS = 0,
    VIEW_CONVS, /* host pairs */
    VIEW_PORTS,
    VIEW_APPS,
    VIEW_PROTOS,
    VIEW_FLOWS,
    VIEW_EXPORTERS,
    VIEW_IFACES,
    VIEW_KIND_MAX
};

/* Table behind a view kind (AGG_T_HOST, ...). */
enum agg_table view_kind_table(enum view_kind k);
/* "Hosts", "Conversations", ... */
const char *view_kind_title(enum view_kind k);

/* One drill-down step: "traffic of this host / pair / port / ...". */
enum scope_kind {
    SCOPE_HOST = 0, /* key: 16-byte address */
    SCOPE_PAIR,     /* key: two 16-byte addresses, lower first (the pair table's key) */
    SCOPE_PORT,     /* key: port (2 bytes, network order) + protocol (the port table's key) */
    SCOPE_APP,      /* key: application name (the app table's key) */
    SCOPE_PROTO,    /* key: protocol number (1 byte) */
    SCOPE_EXPORTER, /* key: exporter address (16) + domain (4) */
    SCOPE_IFACE     /* key: exporter address (16) + domain (4) + interface index (4) */
};

#define SCOPE_KEY_MAX 40
#define QUERY_MAX_SCOPE 8

struct scope {
    uint8_t kind; /* enum scope_kind */
    uint8_t key[SCOPE_KEY_MAX];
};

/* The scope a row of `kind` opens when drilled into; false for rows that cannot be drilled
 * (flows, "other"). */
bool scope_from_row(enum view_kind kind, const struct topn_row *row, struct scope *out);

/* The interface row an interface scope names (STAT_NONE for other scopes, or when the row is
 * gone); resolve it once per query and pass it to scope_match_flow. */
uint32_t scope_iface_row(const struct agg *a, const struct scope *s);

/* Does conversation `flow_idx` (key k) fall inside scope `s`? An interface scope holds the
 * conversations whose latest export went in or out through that interface (agg_flow_ifaces);
 * an exporter scope alone selects nothing (it opens the exporter's interfaces). */
bool scope_match_flow(const struct agg *a, const struct scope *s, uint32_t iface_row,
                      uint32_t flow_idx, const struct flow_key *k);

/* Which views make sense inside these scopes (bit per enum view_kind). */
unsigned scope_views(const struct scope *s, size_t n);

/* Values a row actually knows (view_row.avail). */
enum {
    VIEW_AV_WIN2 = 1u << 0,
    VIEW_AV_WIN10 = 1u << 1,
    VIEW_AV_WIN40 = 1u << 2,
    VIEW_AV_SPARK = 1u << 3,
    VIEW_AV_PEERS = 1u << 4, /* topn_row.aux: distinct peers */
};

#define VIEW_SPARK 60 /* seconds in a sparkline */

#define VIEW_FAM_RULES 5 /* = NF_FAM_MAX (checked where the rows are filled) */

/* What the collector knows about an exporter row (filled by the application; see
 * view.h's decorate hook). */
struct view_exporter {
    bool known;
    uint8_t version;      /* 5, 9 or 10 */
    uint32_t sampling;    /* rate in force */
    uint32_t templates;   /* templates held */
    uint64_t seq_lost;    /* records (v5, IPFIX) or packets (v9) lost */
    uint32_t seen_ago_s;  /* since its last datagram */
    /* records of templates with both IPv4 and IPv6 address elements, by the rule that chose
     * their family (enum nf_family_rule order: IPv4 only, IPv6 only, both by ipVersion, both
     * by default IPv4, neither), and flow records without a packet counter */
    uint64_t family[VIEW_FAM_RULES];
    uint64_t no_packets;
    /* what its quota or a fair share of the template pool cost it (nf_exporter_info) */
    uint64_t tpl_refused, tpl_recycled, held_dropped;
};

/* What an sFlow agent's counter samples say of one of its interfaces (interface rows). */
struct view_iface {
    bool known;                    /* counter samples seen for it, speed known */
    uint32_t in_util, out_util;    /* per mille of ifSpeed, over the last two samples */
};

struct view_row {
    struct topn_row r;
    uint32_t avail;           /* VIEW_AV_* */
    uint8_t spark[VIEW_SPARK]; /* oldest first; 0 = nothing, 1..255 relative to the row's max */
    struct view_exporter exp; /* exporter rows only */
    struct view_iface ifc;    /* interface rows only */
};

struct query {
    enum view_kind kind;
    const struct scope *scope; /* n_scope steps, all must hold */
    size_t n_scope;
    const struct filter *filter; /* NULL = everything */
    enum topn_sort prefer;       /* which rows to keep first when more than max_rows */
    size_t max_rows;             /* 0 = QUERY_DEFAULT_ROWS */
};

#define QUERY_DEFAULT_ROWS 20000

struct query_result {
    struct view_row *rows; /* malloc'ed; free with query_result_free */
    size_t n;
    size_t total;   /* rows before the max_rows cut */
    bool exact;     /* answered from a stat table (all windows known) */
    bool filter_ignored; /* exporter/interface views: the flow filter does not apply */
    /* all the traffic these rows are part of, per window (2 s, 10 s, 40 s, total): the
     * denominator of share %; hosts count each byte once, not once per end */
    uint64_t denom[4];
};

/* Run a query against the live tables. Never fails (allocation failure aborts). */
void query_run(const struct agg *a, const struct query *q, struct query_result *out);
void query_result_free(struct query_result *res);

#endif
