/*
 * report.c - batch text and JSON Lines reports (see report.h).
 */
#include "config.h"

#include "flowdrill/report.h"
#include "flowdrill/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flowdrill/agg_key.h"
#include "flowdrill/alert_fmt.h"
#include "flowdrill/rowfmt.h"
#include "flowdrill/stat_table.h"

/* ---- JSON ---- */

void report_json_str(FILE *o, const char *s)
{
    fputc('"', o);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(o, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(o, "\\u%04x", *p);
        else
            fputc(*p, o);
    }
    fputc('"', o);
}

static void json_u64(FILE *o, const char *name, uint64_t v, bool comma)
{
    fprintf(o, "%s\"%s\":%" PRIu64, comma ? "," : "", name, v);
}

static void json_rates(FILE *o, const struct topn_row *r)
{
    fputs(",\"rate_bps\":[", o);
    for (int w = 0; w < 3; w++) {
        if (w)
            fputc(',', o);
        if (r->win_secs[w])
            fprintf(o, "%" PRIu64, topn_row_rate_bps(r, w));
        else
            fputs("null", o);
    }
    fputc(']', o);
}

/* The export protocol of an exporter row: "netflow5", "netflow9", "ipfix" or "sflow5". */
static const char *json_protocol(uint8_t version)
{
    switch (version) {
    case 5:
        return "netflow5";
    case 9:
        return "netflow9";
    case 10:
        return "ipfix";
    case NF_VERSION_SFLOW5:
        return "sflow5";
    default:
        return "unknown";
    }
}

/* The datagram version as the exporter wrote it (sFlow's 5 is kept apart internally). */
static uint8_t json_version(uint8_t version)
{
    return version == NF_VERSION_SFLOW5 ? 5 : version;
}

/* sFlow agents: what their flow and counter samples said. */
static void json_sflow_agent(FILE *o, const struct nf_exporter_info *e)
{
    if (e->version != NF_VERSION_SFLOW5)
        return;
    json_u64(o, "sflow_flow_samples", e->sflow_samples, true);
    json_u64(o, "sflow_counter_samples", e->sflow_counter_samples, true);
    json_u64(o, "sflow_sample_pool", e->sflow_pool, true);
    json_u64(o, "sflow_drops", e->sflow_drops, true);
    json_u64(o, "sflow_samples_lost", e->sflow_samples_lost, true);
}

/* Latest interface counters of the sFlow agents, and the rates derived from them. */
static void json_interfaces(FILE *o, const struct nf_collector *nf)
{
    size_t n = nf_collector_interfaces(nf, NULL, 0);
    struct nf_interface_info *x = xmalloc((n ? n : 1) * sizeof *x);
    n = nf_collector_interfaces(nf, x, n);
    fputs(",\"interfaces\":[", o);
    for (size_t i = 0; i < n; i++) {
        char a[FLOW_ADDR_STRLEN];
        fputs(i ? ",{\"agent\":" : "{\"agent\":", o);
        report_json_str(o, flow_addr_format(&x[i].agent, a, sizeof a));
        json_u64(o, "sub_agent", x[i].domain, true);
        json_u64(o, "ifindex", x[i].ifindex, true);
        json_u64(o, "speed_bps", x[i].speed_bps, true);
        json_u64(o, "status", x[i].status, true);
        json_u64(o, "in_octets", x[i].in_octets, true);
        json_u64(o, "out_octets", x[i].out_octets, true);
        json_u64(o, "in_packets", x[i].in_packets, true);
        json_u64(o, "out_packets", x[i].out_packets, true);
        json_u64(o, "in_errors", x[i].in_errors, true);
        json_u64(o, "out_errors", x[i].out_errors, true);
        json_u64(o, "in_discards", x[i].in_discards, true);
        json_u64(o, "out_discards", x[i].out_discards, true);
        json_u64(o, "in_bps", x[i].in_bps, true);
        json_u64(o, "out_bps", x[i].out_bps, true);
        json_u64(o, "in_util_permille", x[i].in_util_permille, true);
        json_u64(o, "out_util_permille", x[i].out_util_permille, true);
        json_u64(o, "samples", x[i].samples, true);
        json_u64(o, "last_seen", x[i].last_us > 0 ? (uint64_t)(x[i].last_us / 1000000) : 0,
                 true);
        fputc('}', o);
    }
    fputc(']', o);
    free(x);
}

/* What the collector knows about an exporter domain (summed over its source ports). */
static void json_exporter_state(FILE *o, const struct nf_collector *nf,
                                const struct flow_addr *addr, uint32_t domain)
{
    struct nf_exporter_info info[64];
    size_t n = nf_collector_exporters(nf, info, 64);
    if (n > 64)
        n = 64;
    uint64_t lost = 0, restarts = 0, datagrams = 0, family[NF_FAM_MAX] = {0}, no_pkts = 0;
    uint32_t templates = 0, sampling = 1, version = 0;
    uint64_t refused = 0, recycled = 0, held_dropped = 0;
    int64_t seen = 0, newest = 0;
    const struct nf_exporter_info *sf = NULL; /* the last of its rows: sFlow fields */
    for (size_t i = 0; i < n; i++) {
        if (info[i].domain != domain || memcmp(&info[i].addr, addr, sizeof *addr) != 0)
            continue;
        lost += info[i].seq_lost;
        restarts += info[i].restarts;
        datagrams += info[i].datagrams;
        templates += info[i].templates;
        for (int f = 0; f < NF_FAM_MAX; f++)
            family[f] += info[i].family[f];
        no_pkts += info[i].no_packets;
        refused += info[i].tpl_refused;
        recycled += info[i].tpl_recycled;
        held_dropped += info[i].held_dropped;
        sampling = info[i].sampling;
        version = info[i].version;
        sf = &info[i];
        if (info[i].last_seen_us > seen)
            seen = info[i].last_seen_us;
        if (info[i].newest_flow_us > newest)
            newest = info[i].newest_flow_us;
    }
    json_u64(o, "version", json_version((uint8_t)version), true);
    fputs(",\"protocol\":", o);
    report_json_str(o, json_protocol((uint8_t)version));
    json_u64(o, "datagrams", datagrams, true);
    json_u64(o, "sampling", sampling, true);
    json_u64(o, "sequence_lost", lost, true);
    json_u64(o, "restarts", restarts, true);
    json_u64(o, "templates", templates, true);
    json_u64(o, "templates_refused", refused, true);
    json_u64(o, "templates_recycled", recycled, true);
    json_u64(o, "held_dropped", held_dropped, true);
    json_u64(o, "last_seen", seen > 0 ? (uint64_t)(seen / 1000000) : 0, true);
    json_u64(o, "newest_flow", newest > 0 ? (uint64_t)(newest / 1000000) : 0, true);
    /* records of templates with both address families, by the rule that chose each one's */
    fputs(",\"address_family\":{", o);
    for (int f = 0; f < NF_FAM_MAX; f++)
        json_u64(o, nf_family_rule_name((enum nf_family_rule)f), family[f], f > 0);
    fputc('}', o);
    json_u64(o, "no_packet_counter", no_pkts, true);
    if (sf)
        json_sflow_agent(o, sf);
}

/* Every exporter domain the collector holds state for, records or not (a sender that only
 * floods templates shows here, with what its quota cost it). */
static void json_senders(FILE *o, const struct nf_collector *nf)
{
    size_t n = nf_collector_exporters(nf, NULL, 0);
    struct nf_exporter_info *info = xmalloc((n ? n : 1) * sizeof *info);
    n = nf_collector_exporters(nf, info, n);
    fputs(",\"exporters\":[", o);
    for (size_t i = 0; i < n; i++) {
        char a[FLOW_ADDR_STRLEN];
        fputs(i ? ",{\"address\":" : "{\"address\":", o);
        report_json_str(o, flow_addr_format(&info[i].addr, a, sizeof a));
        json_u64(o, "port", info[i].port, true);
        json_u64(o, "domain", info[i].domain, true);
        json_u64(o, "version", json_version(info[i].version), true);
        fputs(",\"protocol\":", o);
        report_json_str(o, json_protocol(info[i].version));
        json_u64(o, "datagrams", info[i].datagrams, true);
        json_u64(o, "records", info[i].records, true);
        json_u64(o, "templates", info[i].templates, true);
        json_u64(o, "templates_refused", info[i].tpl_refused, true);
        json_u64(o, "templates_recycled", info[i].tpl_recycled, true);
        json_u64(o, "held_dropped", info[i].held_dropped, true);
        json_sflow_agent(o, &info[i]);
        fputc('}', o);
    }
    fputc(']', o);
    free(info);
}

/* The exporters that went past their share of the template cache, one line each. */
static void text_greedy_senders(FILE *o, const struct nf_collector *nf)
{
    size_t n = nf_collector_exporters(nf, NULL, 0);
    struct nf_exporter_info *info = xmalloc((n ? n : 1) * sizeof *info);
    n = nf_collector_exporters(nf, info, n);
    for (size_t i = 0; i < n; i++) {
        const struct nf_exporter_info *e = &info[i];
        if (!e->tpl_refused && !e->tpl_recycled && !e->held_dropped)
            continue;
        char a[FLOW_ADDR_STRLEN];
        fprintf(o,
                "exporter %s/%" PRIu32 " past its template share: %" PRIu32 " held, %" PRIu64
                " refused, %" PRIu64 " recycled, %" PRIu64 " held data sets dropped\n",
                flow_addr_format(&e->addr, a, sizeof a), e->domain, e->templates,
                e->tpl_refused, e->tpl_recycled, e->held_dropped);
    }
    free(info);
}

static void json_row(FILE *o, const struct report_ctx *c, const struct topn_row *r)
{
    char key[160], a[FLOW_ADDR_STRLEN], b[FLOW_ADDR_STRLEN], p[8];
    bool other = r->table != AGG_T_FLOW && (r->flags & STAT_F_OTHER);
    fputs("{\"key\":", o);
    report_json_str(o, rowfmt_key(r, key, sizeof key));
    switch (r->table) {
    case AGG_T_HOST:
        json_u64(o, "bytes", r->bytes, true);
        json_u64(o, "packets", r->packets, true);
        json_u64(o, "flows", r->flows, true);
        json_u64(o, "bytes_in", r->bytes_dir[1], true);
        json_u64(o, "bytes_out", r->bytes_dir[0], true);
        json_u64(o, "packets_in", r->pkts_dir[1], true);
        json_u64(o, "packets_out", r->pkts_dir[0], true);
        json_u64(o, "peers", r->aux, true);
        fprintf(o, ",\"local\":%s", (r->flags & STAT_F_LOCAL) ? "true" : "false");
        break;
    case AGG_T_PAIR:
        if (!other) {
            struct flow_addr x, y;
            memcpy(x.b, r->key.raw, 16);
            memcpy(y.b, r->key.raw + 16, 16);
            fputs(",\"a\":", o);
            report_json_str(o, flow_addr_format(&x, a, sizeof a));
            fputs(",\"b\":", o);
            report_json_str(o, flow_addr_format(&y, b, sizeof b));
        }
        json_u64(o, "bytes", r->bytes, true);
        json_u64(o, "packets", r->packets, true);
        json_u64(o, "flows", r->flows, true);
        json_u64(o, "bytes_ab", r->bytes_dir[0], true);
        json_u64(o, "bytes_ba", r->bytes_dir[1], true);
        json_u64(o, "packets_ab", r->pkts_dir[0], true);
        json_u64(o, "packets_ba", r->pkts_dir[1], true);
        break;
    case AGG_T_PORT:
    case AGG_T_APP:
        if (r->table == AGG_T_PORT) {
            fputs(",\"service\":", o);
            report_json_str(o, rowfmt_service(r, agg_services(c->agg)));
            if (!other) {
                json_u64(o, "port", (uint64_t)(r->key.raw[0] << 8 | r->key.raw[1]), true);
                rowfmt_proto(r->key.raw[2], p, sizeof p);
                fputs(",\"proto\":", o);
                report_json_str(o, p);
            }
        }
        json_u64(o, "bytes", r->bytes, true);
        json_u64(o, "packets", r->packets, true);
        json_u64(o, "flows", r->flows, true);
        json_u64(o, "bytes_to_service", r->bytes_dir[0], true);
        json_u64(o, "bytes_from_service", r->bytes_dir[1], true);
        break;
    case AGG_T_PROTO:
        if (!other)
            json_u64(o, "number", r->key.raw[0], true);
        json_u64(o, "bytes", r->bytes, true);
        json_u64(o, "packets", r->packets, true);
        json_u64(o, "flows", r->flows, true);
        break;
    case AGG_T_EXPORTER:
    case AGG_T_IFACE: {
        struct agg_iface_id id;
        agg_iface_key_parse(r->key.raw, r->table == AGG_T_IFACE, &id);
        if (!other) {
            fputs(",\"exporter\":", o);
            report_json_str(o, flow_addr_format(&id.exporter, a, sizeof a));
            json_u64(o, "domain", id.domain, true);
        }
        json_u64(o, "bytes", r->bytes, true);
        json_u64(o, "packets", r->packets, true);
        json_u64(o, "flows", r->flows, true);
        if (r->table == AGG_T_IFACE) {
            if (!other)
                json_u64(o, "ifindex", id.ifindex, true);
            json_u64(o, "bytes_in", r->bytes_dir[1], true);
            json_u64(o, "bytes_out", r->bytes_dir[0], true);
            json_u64(o, "packets_in", r->pkts_dir[1], true);
            json_u64(o, "packets_out", r->pkts_dir[0], true);
        } else if (c->nf && !other) {
            json_exporter_state(o, c->nf, &id.exporter, id.domain);
        }
        break;
    }
    case AGG_T_FLOW: {
        const struct flow_key *k = &r->key.flow;
        char f[12];
        fputs(",\"src\":", o);
        report_json_str(o, flow_addr_format(&k->a, a, sizeof a));
        json_u64(o, "sport", k->pa, true);
        fputs(",\"dst\":", o);
        report_json_str(o, flow_addr_format(&k->b, b, sizeof b));
        json_u64(o, "dport", k->pb, true);
        rowfmt_proto(k->proto, p, sizeof p);
        fputs(",\"proto\":", o);
        report_json_str(o, p);
        json_u64(o, "bytes", r->bytes, true);
        json_u64(o, "packets", r->packets, true);
        json_u64(o, "bytes_ab", r->bytes_dir[0], true);
        json_u64(o, "bytes_ba", r->bytes_dir[1], true);
        json_u64(o, "packets_ab", r->pkts_dir[0], true);
        json_u64(o, "packets_ba", r->pkts_dir[1], true);
        if (k->proto == 6) {
            fputs(",\"tcp_flags_ab\":", o);
            report_json_str(o, rowfmt_tcp_flags(r->tcp_flags[0], f, sizeof f));
            fputs(",\"tcp_flags_ba\":", o);
            report_json_str(o, rowfmt_tcp_flags(r->tcp_flags[1], f, sizeof f));
        }
        json_u64(o, "first", r->first_sec, true);
        json_u64(o, "last", r->last_sec, true);
        break;
    }
    default:
        break;
    }
    json_rates(o, r);
    fputc('}', o);
}

int report_json(FILE *o, const struct report_ctx *c)
{
    struct agg_totals t;
    agg_totals(c->agg, &t);
    fprintf(o, "{\"time\":%" PRIu32 ",\"final\":%s", t.now_sec, c->final ? "true" : "false");

    fputs(",\"sources\":[", o);
    for (size_t i = 0; i < c->n_sources; i++) {
        const struct report_source *s = &c->sources[i];
        fprintf(o, "%s{\"kind\":", i ? "," : "");
        report_json_str(o, s->kind);
        fputs(",\"name\":", o);
        report_json_str(o, s->name);
        json_u64(o, "received", s->received, true);
        fputc('}', o);
    }
    fputc(']', o);

    uint32_t elapsed = t.now_sec > t.start_sec ? t.now_sec - t.start_sec : 1;
    fputs(",\"totals\":{", o);
    json_u64(o, "bytes", t.bytes, false);
    json_u64(o, "packets", t.packets, true);
    json_u64(o, "flows", t.flows, true);
    json_u64(o, "active_flows", t.active_flows, true);
    json_u64(o, "bytes_in", t.bytes_dir[FLOW_DIR_IN], true);
    json_u64(o, "bytes_out", t.bytes_dir[FLOW_DIR_OUT], true);
    json_u64(o, "bytes_internal", t.bytes_dir[FLOW_DIR_INTERNAL], true);
    json_u64(o, "bytes_transit", t.bytes_dir[FLOW_DIR_TRANSIT], true);
    json_u64(o, "packets_in", t.packets_dir[FLOW_DIR_IN], true);
    json_u64(o, "packets_out", t.packets_dir[FLOW_DIR_OUT], true);
    fputs(",\"rate_bps\":[", o);
    for (int w = 0; w < 3; w++) {
        uint32_t secs = elapsed < topn_windows[w] ? elapsed : topn_windows[w];
        fprintf(o, "%s%" PRIu64, w ? "," : "", agg_total_window(c->agg, secs) * 8 / secs);
    }
    fputs("]}", o);

    /* every loss, by reason; zeros included so scripts can rely on the keys */
    fputs(",\"dropped\":{", o);
    bool first = true;
    uint64_t kd = 0, id = 0;
    for (size_t i = 0; i < c->n_sources; i++) {
        kd += c->sources[i].kernel_drop;
        id += c->sources[i].if_drop;
    }
    json_u64(o, "kernel", kd, !first);
    first = false;
    json_u64(o, "interface", id, true);
    for (int r = 0; r < PACKET_R_MAX; r++)
        if (packet_reason_is_drop(r))
            json_u64(o, packet_reason_name(r), c->pkt ? c->pkt->count[r] : 0, true);
    fputs("},\"notes\":{", o);
    first = true;
    for (int r = 0; r < PACKET_R_MAX; r++)
        if (!packet_reason_is_drop(r)) {
            json_u64(o, packet_reason_name(r), c->pkt ? c->pkt->count[r] : 0, !first);
            first = false;
        }
    fputs("},\"evicted\":{", o);
    for (int i = 0; i < AGG_T_MAX; i++)
        json_u64(o, agg_table_name(i), t.evicted[i], i > 0);
    fputs("},\"folded\":{", o);
    for (int i = 0; i < AGG_T_MAX; i++)
        json_u64(o, agg_table_name(i), t.folded[i], i > 0);
    fputc('}', o);
    if (c->nf) {
        const struct nf_counters *nc = nf_collector_counters(c->nf);
        uint64_t sock = 0, rej = 0, trunc = 0;
        size_t rcvbuf = 0;
        for (size_t i = 0; i < c->n_udp; i++) {
            sock += c->udp[i].kernel_drop;
            rej += c->udp[i].rejected;
            trunc += c->udp[i].truncated;
            rcvbuf = c->udp[i].rcvbuf;
        }
        fputs(",\"flow_exports\":{", o);
        json_u64(o, "datagrams", nc->datagrams, false);
        json_u64(o, "records", nc->records, true);
        json_u64(o, "bytes", nc->bytes, true);
        json_u64(o, "packets", nc->packets, true);
        json_u64(o, "sequence_lost", nc->seq_lost, true);
        json_u64(o, "socket_drops", sock, true);
        json_u64(o, "rcvbuf", rcvbuf, true);
        fputs(",\"dropped\":{", o);
        json_u64(o, "rejected_exporter", rej + nc->count[NF_R_REJECTED_EXPORTER], false);
        json_u64(o, "truncated_datagram", trunc + nc->count[NF_R_TRUNCATED_DATAGRAM], true);
        for (int r = 0; r < NF_R_MAX; r++)
            if (nf_reason_is_drop(r) && r != NF_R_REJECTED_EXPORTER &&
                r != NF_R_TRUNCATED_DATAGRAM)
                json_u64(o, nf_reason_name(r), nc->count[r], true);
        fputs("},\"notes\":{", o);
        bool nfirst = true;
        for (int r = 0; r < NF_R_MAX; r++)
            if (!nf_reason_is_drop(r)) {
                json_u64(o, nf_reason_name(r), nc->count[r], !nfirst);
                nfirst = false;
            }
        fputc('}', o);
        json_senders(o, c->nf);
        json_interfaces(o, c->nf);
        fputc('}', o);
    }
    json_u64(o, "expired_flows", t.expired_flows, true);
    json_u64(o, "memory_bytes", t.memory, true);
    alert_fmt_report_json(o, c->det);

    /* the sort asked for, and the one each table used (flows have a 2-s rate only) */
    fprintf(o, ",\"sort\":\"%s\",\"table_sort\":{", topn_sort_name(c->sort));
    first = true;
    for (int tb = 0; tb < AGG_T_MAX; tb++) {
        if (!(c->tables & (1u << tb)))
            continue;
        fprintf(o, "%s\"%s\":\"%s\"", first ? "" : ",", agg_table_name(tb),
                topn_sort_name(topn_sort_for(tb, c->sort)));
        first = false;
    }
    fputs("},\"tables\":{", o);
    first = true;
    for (int tb = 0; tb < AGG_T_MAX; tb++) {
        if (!(c->tables & (1u << tb)))
            continue;
        struct topn_row *rows;
        size_t n = topn_select(c->agg, tb, c->sort, c->top, &rows);
        fprintf(o, "%s\"%s\":[", first ? "" : ",", agg_table_name(tb));
        first = false;
        for (size_t i = 0; i < n; i++) {
            if (i)
                fputc(',', o);
            json_row(o, c, &rows[i]);
        }
        fputc(']', o);
        free(rows);
    }
    fputs("}}\n", o);
    return ferror(o) ? -1 : 0;
}

/* ---- text ---- */

static void text_rule(FILE *o, int width)
{
    for (int i = 0; i < width; i++)
        fputc('-', o);
    fputc('\n', o);
}

int report_text(FILE *o, const struct report_ctx *c)
{
    struct agg_totals t;
    agg_totals(c->agg, &t);
    char b1[32], b2[32], b3[32], b4[32], ts[32];
    time_t now = (time_t)t.now_sec;
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S UTC", &tm);
    uint32_t elapsed = t.now_sec > t.start_sec ? t.now_sec - t.start_sec : 1;

    fprintf(o, "flowdrill report at %s%s\n", ts, c->final ? " (final)" : "");
    for (size_t i = 0; i < c->n_sources; i++)
        fprintf(o, "source: %s %s, %" PRIu64 " frames\n", c->sources[i].kind,
                c->sources[i].name, c->sources[i].received);
    fprintf(o, "total: %s in %s packets, %s flows (%" PRIu32 " active)\n",
            rowfmt_bytes(t.bytes, b1, sizeof b1), rowfmt_count(t.packets, b2, sizeof b2),
            rowfmt_count(t.flows, b3, sizeof b3), t.active_flows);
    fprintf(o, "in: %s  out: %s  internal: %s  transit: %s\n",
            rowfmt_bytes(t.bytes_dir[FLOW_DIR_IN], b1, sizeof b1),
            rowfmt_bytes(t.bytes_dir[FLOW_DIR_OUT], b2, sizeof b2),
            rowfmt_bytes(t.bytes_dir[FLOW_DIR_INTERNAL], b3, sizeof b3),
            rowfmt_bytes(t.bytes_dir[FLOW_DIR_TRANSIT], b4, sizeof b4));
    fputs("rate:", o);
    for (int w = 0; w < 3; w++) {
        uint32_t secs = elapsed < topn_windows[w] ? elapsed : topn_windows[w];
        fprintf(o, " %us %s", topn_windows[w],
                rowfmt_rate(agg_total_window(c->agg, secs) * 8 / secs, b1, sizeof b1));
    }
    fputc('\n', o);

    /* losses: only the non-zero ones, so a clean run reads clean */
    bool any = false;
    for (size_t i = 0; i < c->n_sources; i++) {
        if (c->sources[i].kernel_drop || c->sources[i].if_drop) {
            fprintf(o, "%sdropped by kernel on %s: %" PRIu64 " (interface %" PRIu64 ")\n",
                    "", c->sources[i].name, c->sources[i].kernel_drop, c->sources[i].if_drop);
            any = true;
        }
    }
    for (int r = 0; c->pkt && r < PACKET_R_MAX; r++) {
        if (!c->pkt->count[r])
            continue;
        fprintf(o, "%s %s: %" PRIu64 "\n", packet_reason_is_drop(r) ? "dropped" : "note",
                packet_reason_name(r), c->pkt->count[r]);
        any = true;
    }
    if (c->nf) {
        const struct nf_counters *nc = nf_collector_counters(c->nf);
        uint64_t sock = 0, rej = 0;
        for (size_t i = 0; i < c->n_udp; i++) {
            sock += c->udp[i].kernel_drop;
            rej += c->udp[i].rejected;
        }
        fprintf(o, "flow exports: %" PRIu64 " datagrams, %" PRIu64 " records, %" PRIu64
                   " lost in sequence gaps\n",
                nc->datagrams, nc->records, nc->seq_lost);
        if (sock)
            fprintf(o, "dropped by the socket (receive buffer full): %" PRIu64 "\n", sock);
        if (rej)
            fprintf(o, "dropped rejected_exporter: %" PRIu64 "\n", rej);
        for (int r = 0; r < NF_R_MAX; r++)
            if (nc->count[r])
                fprintf(o, "%s %s: %" PRIu64 "\n", nf_reason_is_drop(r) ? "dropped" : "note",
                        nf_reason_name(r), nc->count[r]);
        text_greedy_senders(o, c->nf);
    }
    for (int i = 0; i < AGG_T_MAX; i++) {
        if (t.evicted[i] || t.folded[i]) {
            fprintf(o, "table %s full: %" PRIu64 " evicted, %" PRIu64 " %s\n", agg_table_name(i),
                    t.evicted[i], t.folded[i],
                    i == AGG_T_FLOW ? "not admitted" : "folded into other");
            any = true;
        }
    }
    (void)any;
    alert_fmt_report_text(o, c->det);

    for (int tb = 0; tb < AGG_T_MAX; tb++) {
        if (!(c->tables & (1u << tb)))
            continue;
        struct topn_row *rows;
        size_t n = topn_select(c->agg, tb, c->sort, c->top, &rows);
        int kw = 22;
        for (size_t i = 0; i < n; i++) {
            char key[160];
            int l = (int)strlen(rowfmt_key(&rows[i], key, sizeof key));
            if (tb == AGG_T_PORT && *rowfmt_service(&rows[i], agg_services(c->agg)))
                l += (int)strlen(rowfmt_service(&rows[i], agg_services(c->agg))) + 3;
            if (l > kw)
                kw = l;
        }
        fputc('\n', o);
        enum topn_sort used = topn_sort_for(tb, c->sort);
        fprintf(o, "%s: %zu row%s by %s%s\n", agg_table_name(tb), n, n == 1 ? "" : "s",
                topn_sort_name(used),
                used != c->sort ? " (conversations keep a 2 s rate only)" : "");
        /* hosts and interfaces also show the two directions: received/in and sent/out */
        bool dirs = tb == AGG_T_HOST || tb == AGG_T_IFACE;
        const char *din = tb == AGG_T_HOST ? "received" : "in", *dout =
                                                               tb == AGG_T_HOST ? "sent" : "out";
        int width = fprintf(o, "%4s  %-*s %10s %10s %10s %10s %9s %7s", "#", kw, "key", "2s",
                            "10s", "40s", "total", "packets", "flows");
        if (dirs)
            width += fprintf(o, " %10s %10s", din, dout);
        width += fprintf(o, "\n");
        text_rule(o, width - 1);
        for (size_t i = 0; i < n; i++) {
            char key[200], keyx[240], r[3][16];
            rowfmt_key(&rows[i], key, sizeof key);
            const char *svc = tb == AGG_T_PORT ? rowfmt_service(&rows[i], agg_services(c->agg))
                                               : "";
            if (*svc)
                snprintf(keyx, sizeof keyx, "%s (%s)", key, svc);
            else
                snprintf(keyx, sizeof keyx, "%s", key);
            for (int w = 0; w < 3; w++) {
                if (rows[i].win_secs[w])
                    rowfmt_rate(topn_row_rate_bps(&rows[i], w), r[w], sizeof r[w]);
                else
                    snprintf(r[w], sizeof r[w], "-");
            }
            fprintf(o, "%4zu  %-*s %10s %10s %10s %10s %9s %7s", i + 1, kw, keyx, r[0], r[1],
                    r[2], rowfmt_bytes(rows[i].bytes, b1, sizeof b1),
                    rowfmt_count(rows[i].packets, b2, sizeof b2),
                    rowfmt_count(rows[i].flows, b3, sizeof b3));
            if (dirs)
                fprintf(o, " %10s %10s", rowfmt_bytes(rows[i].bytes_dir[1], b1, sizeof b1),
                        rowfmt_bytes(rows[i].bytes_dir[0], b2, sizeof b2));
            fputc('\n', o);
        }
        free(rows);
    }
    fputs("\n", o);
    return ferror(o) ? -1 : 0;
}
