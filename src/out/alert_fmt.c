/*
 * alert_fmt.c - alerts as text and JSON (see alert_fmt.h).
 */
#include "config.h"

#include "flowdrill/alert_fmt.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "flowdrill/report.h"
#include "flowdrill/rowfmt.h"

static const char *state_name(const struct detect *d, const struct detect_alert *a)
{
    return detect_alert_active(d, a) ? "active" : "ended";
}

static void json_addr(FILE *o, const char *key, bool has, const struct flow_addr *x)
{
    fprintf(o, ",\"%s\":", key);
    if (!has) {
        fputs("null", o);
        return;
    }
    char s[FLOW_ADDR_STRLEN];
    report_json_str(o, flow_addr_format(x, s, sizeof s));
}

static void json_body(FILE *o, const struct detect *d, const struct detect_alert *a)
{
    char p[16];
    fprintf(o, "\"id\":%" PRIu32 ",\"kind\":\"%s\",\"state\":\"%s\"", a->id,
            detect_kind_name((enum detect_kind)a->kind), state_name(d, a));
    json_addr(o, "src", a->has_src, &a->src);
    json_addr(o, "dst", a->has_dst, &a->dst);
    fputs(",\"proto\":", o);
    if (a->proto) {
        rowfmt_proto(a->proto, p, sizeof p);
        report_json_str(o, p);
    } else {
        fputs("null", o);
    }
    fprintf(o,
            ",\"port\":%u,\"first\":%" PRId64 ",\"last\":%" PRId64 ",\"packets\":%" PRIu64
            ",\"bytes\":%" PRIu64 ",\"rate_bps\":%" PRIu64 ",\"pps\":%" PRIu64
            ",\"count\":%" PRIu64 ",\"peak\":%" PRIu64 ",\"threshold\":%" PRIu64,
            a->port, a->first_us / 1000000, a->last_us / 1000000, a->packets, a->bytes,
            detect_alert_bps(a), detect_alert_pps(a), a->count, a->peak, a->threshold);
}

void alert_fmt_json(FILE *o, const struct detect *d, const struct detect_alert *a)
{
    fputc('{', o);
    json_body(o, d, a);
    fputc('}', o);
}

int alert_fmt_line(FILE *o, const struct detect *d, const struct detect_alert *a)
{
    fprintf(o, "{\"time\":%" PRIu32 ",", detect_now(d));
    json_body(o, d, a);
    fputs("}\n", o);
    return ferror(o) ? -1 : 0;
}

void alert_fmt_report_json(FILE *o, const struct detect *d)
{
    fputs(",\"alerts\":[", o);
    if (!d) {
        fputs("],\"detectors\":{\"enabled\":false}", o);
        return;
    }
    const struct detect_alert *al;
    size_t n = detect_alerts(d, &al);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', o);
        alert_fmt_json(o, d, &al[i]);
    }
    struct detect_stats s;
    detect_stats(d, &s);
    const struct detect_config *c = detect_config_of(d);
    fputs("],\"detectors\":{\"enabled\":true,\"on\":[", o);
    bool first = true;
    for (int k = 0; k < DETECT_K_MAX; k++)
        if (c->enabled[k]) {
            fprintf(o, "%s\"%s\"", first ? "" : ",", detect_kind_name((enum detect_kind)k));
            first = false;
        }
    fprintf(o,
            "],\"active\":%zu,\"raised\":%" PRIu64 ",\"dropped\":%" PRIu64
            ",\"expired\":%" PRIu64 ",\"learning\":%s,\"learn_left_s\":%" PRIu32
            ",\"records\":%" PRIu64 ",\"memory_bytes\":%zu,\"evicted\":{\"scan\":%" PRIu64
            ",\"sweep\":%" PRIu64 ",\"flood\":%" PRIu64 ",\"unfamiliar\":%" PRIu64
            ",\"talker\":%" PRIu64 "}}",
            s.active, s.raised, s.dropped, s.expired, s.learning ? "true" : "false",
            s.learn_left_s, s.records, s.memory, s.evicted[DETECT_PORT_SCAN],
            s.evicted[DETECT_HOST_SWEEP], s.evicted[DETECT_SYN_FLOOD],
            s.evicted[DETECT_UNFAMILIAR], s.evicted[DETECT_TALKER]);
}

char *alert_fmt_src(const struct detect_alert *a, char *buf, size_t len)
{
    if (!a->has_src)
        snprintf(buf, len, "*");
    else
        flow_addr_format(&a->src, buf, len);
    return buf;
}

char *alert_fmt_dst(const struct detect_alert *a, char *buf, size_t len)
{
    if (!a->has_dst)
        snprintf(buf, len, "*");
    else
        flow_addr_format(&a->dst, buf, len);
    return buf;
}

char *alert_fmt_detail(const struct detect_alert *a, char *buf, size_t len)
{
    char p[16], n[32];
    rowfmt_proto(a->proto, p, sizeof p);
    switch (a->kind) {
    case DETECT_PORT_SCAN:
        snprintf(buf, len, "%" PRIu64 " %s ports", a->count, p);
        break;
    case DETECT_HOST_SWEEP:
        if (a->proto == 1 || a->proto == 58)
            snprintf(buf, len, "%" PRIu64 " hosts pinged", a->count);
        else
            snprintf(buf, len, "%" PRIu64 " hosts on %u/%s", a->count, a->port, p);
        break;
    case DETECT_SYN_FLOOD:
    case DETECT_UDP_FLOOD:
    case DETECT_ICMP_FLOOD:
        snprintf(buf, len, "%" PRIu64 " sources, %s pkt/s", a->count,
                 rowfmt_count(a->peak, n, sizeof n));
        break;
    case DETECT_UNFAMILIAR:
        snprintf(buf, len, "new destination");
        break;
    default:
        snprintf(buf, len, "peak %s", rowfmt_rate(a->peak, n, sizeof n));
        break;
    }
    return buf;
}

static void hms(int64_t us, char *buf, size_t len)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%H:%M:%S", &tm);
}

void alert_fmt_report_text(FILE *o, const struct detect *d)
{
    if (!d)
        return;
    struct detect_stats s;
    detect_stats(d, &s);
    const struct detect_alert *al;
    size_t n = detect_alerts(d, &al);
    fprintf(o, "\nalerts: %zu (%zu active)", n, s.active);
    if (s.learning)
        fprintf(o, ", learning destinations for %" PRIu32 " s more", s.learn_left_s);
    if (s.dropped || s.expired)
        fprintf(o, ", %" PRIu64 " dropped, %" PRIu64 " expired (list full)", s.dropped,
                s.expired);
    fputs(n ? ", times UTC\n" : "\n", o);
    if (!n)
        return;
    fprintf(o, "%4s  %-10s %-6s %-28s %-28s %8s %8s %9s %10s  %s\n", "#", "kind", "state",
            "source", "target", "first", "last", "packets", "bytes", "detail");
    for (size_t i = 0; i < n; i++) {
        const struct detect_alert *a = &al[i];
        char src[FLOW_ADDR_STRLEN], dst[FLOW_ADDR_STRLEN], f[16], l[16], pk[32], by[32],
            det[64];
        hms(a->first_us, f, sizeof f);
        hms(a->last_us, l, sizeof l);
        fprintf(o, "%4" PRIu32 "  %-10s %-6s %-28s %-28s %8s %8s %9s %10s  %s\n", a->id,
                detect_kind_name((enum detect_kind)a->kind), state_name(d, a),
                alert_fmt_src(a, src, sizeof src), alert_fmt_dst(a, dst, sizeof dst), f, l,
                rowfmt_count(a->packets, pk, sizeof pk), rowfmt_bytes(a->bytes, by, sizeof by),
                alert_fmt_detail(a, det, sizeof det));
    }
}
