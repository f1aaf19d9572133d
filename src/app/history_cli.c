/*
 * history_cli.c - `flowdrill --history` (see history_cli.h): one query of the history store,
 * printed as aligned text or as one JSON object. The range's totals (with their mean, 95th
 * percentile, peak and growth: the capacity-planning figures) and, for each table of --by,
 * its busiest rows with the same figures. The filter is the screen's language, applied to
 * what each stored row knows (filter_match_facts).
 */
#include "config.h"

#include "flowdrill/history_cli.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <sqlite3.h>

#include "flowdrill/filter.h"
#include "flowdrill/report.h"
#include "flowdrill/rowfmt.h"
#include "flowdrill/store.h"
#include "flowdrill/store_query.h"

static int history_cli_date(const char *s, uint32_t *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *forms[] = {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M",
                           "%Y-%m-%d %H:%M", "%Y-%m-%d"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        memset(&tm, 0, sizeof tm);
        const char *end = strptime(s, forms[i], &tm);
        if (end && !*end) {
            time_t t = timegm(&tm);
            if (t < 0 || (uint64_t)t > UINT32_MAX)
                return -1;
            *out = (uint32_t)t;
            return 0;
        }
    }
    return -1;
}

int history_cli_parse_time(const char *s, uint32_t now, uint32_t *out)
{
    if (!s || !*s)
        return -1;
    if (strcmp(s, "now") == 0) {
        *out = now;
        return 0;
    }
    if (strchr(s, '-'))
        return history_cli_date(s, out);
    const char *p = s[0] == '@' ? s + 1 : s;
    if (!isdigit((unsigned char)*p))
        return -1;
    char *end;
    unsigned long long v = strtoull(p, &end, 10);
    if (s[0] == '@') {
        if (*end || v > UINT32_MAX)
            return -1;
        *out = (uint32_t)v;
        return 0;
    }
    unsigned long long mul = 1;
    if (*end) {
        if (end[1])
            return -1;
        switch (*end) {
        case 's': mul = 1; break;
        case 'm': mul = 60; break;
        case 'h': mul = 3600; break;
        case 'd': mul = 86400; break;
        case 'w': mul = 7 * 86400; break;
        default: return -1;
        }
    }
    if (v > UINT32_MAX / mul)
        return -1;
    v *= mul;
    *out = v >= now ? 0 : now - (uint32_t)v;
    return 0;
}

static char *history_cli_time(uint32_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

static void history_cli_key(const struct store_row *r, char *buf, size_t len)
{
    struct topn_row tr;
    memset(&tr, 0, sizeof tr);
    tr.table = r->table;
    memcpy(tr.key.raw, r->key, r->key_len);
    if (!r->key_len)
        tr.flags = STAT_F_OTHER;
    rowfmt_key(&tr, buf, len);
    if (!r->key_len)
        snprintf(buf, len, "rest");
}

static void history_cli_json_stats(FILE *o, const struct store_stats *s)
{
    fprintf(o, "\"bytes\":%" PRIu64 ",\"mean_bps\":%" PRIu64 ",\"p95_bps\":%" PRIu64
               ",\"peak_bps\":%" PRIu64 ",\"growth_pct\":",
            s->sum, s->mean, s->p95, s->peak);
    if (s->growth_known)
        fprintf(o, "%.1f", s->growth);
    else
        fputs("null", o);
}

static void history_cli_growth(const struct store_stats *s, char *buf, size_t len)
{
    if (s->growth_known)
        snprintf(buf, len, "%+.1f%%", s->growth);
    else
        snprintf(buf, len, "-");
}

struct history_cli_ctx {
    sqlite3 *db;
    const struct options *o;
    const struct filter *f;
    struct store_series ser;
    uint32_t since, until;
};

static int history_cli_tables(struct history_cli_ctx *c, FILE *out, FILE *err, bool json)
{
    bool first = true;
    for (int tb = 0; tb < STORE_TABLES; tb++) {
        if (!(c->o->tables & (1u << tb)))
            continue;
        struct store_qrow *rows;
        size_t n;
        char msg[512];
        if (store_query_rows(c->db, &c->ser, tb, c->f, c->o->top, &rows, &n, msg, sizeof msg)) {
            fprintf(err, "flowdrill: %s\n", msg);
            return -1;
        }
        if (json) {
            fprintf(out, "%s\"%s\":[", first ? "" : ",", agg_table_name(tb));
        } else {
            fprintf(out, "\n%s (%zu rows)\n", agg_table_name(tb), n);
            fprintf(out, "%-40s %10s %10s %10s %10s %8s\n", "key", "bytes", "mean", "p95",
                    "peak", "growth");
        }
        for (size_t i = 0; i < n; i++) {
            char key[160], b[5][32];
            history_cli_key(&rows[i].row, key, sizeof key);
            const struct store_row *r = &rows[i].row;
            if (json) {
                fputs(i ? ",{\"key\":" : "{\"key\":", out);
                report_json_str(out, key);
                fprintf(out, ",\"packets\":%" PRIu64 ",\"flows\":%" PRIu64 ",",
                        r->c.pkts[0] + r->c.pkts[1], r->c.flows);
                fprintf(out, "\"bytes_dir\":[%" PRIu64 ",%" PRIu64 "],", r->c.bytes[0],
                        r->c.bytes[1]);
                history_cli_json_stats(out, &rows[i].stats);
                fputc('}', out);
            } else {
                history_cli_growth(&rows[i].stats, b[4], sizeof b[4]);
                fprintf(out, "%-40s %10s %10s %10s %10s %8s\n", key,
                        rowfmt_bytes(rows[i].stats.sum, b[0], sizeof b[0]),
                        rowfmt_rate(rows[i].stats.mean, b[1], sizeof b[1]),
                        rowfmt_rate(rows[i].stats.p95, b[2], sizeof b[2]),
                        rowfmt_rate(rows[i].stats.peak, b[3], sizeof b[3]), b[4]);
            }
        }
        if (json)
            fputc(']', out);
        free(rows);
        first = false;
    }
    return 0;
}

static void history_cli_totals(const struct history_cli_ctx *c, FILE *out, bool json)
{
    const struct store_series *s = &c->ser;
    uint64_t pk = 0, fl = 0, bi = 0, bo = 0;
    for (size_t i = 0; i < s->n; i++) {
        pk += s->s[i].packets;
        fl += s->s[i].flows;
        bi += s->s[i].bytes_in;
        bo += s->s[i].bytes_out;
    }
    if (json) {
        fprintf(out, "{\"history\":{\"since\":%" PRIu32 ",\"until\":%" PRIu32
                     ",\"step\":%" PRIu32 ",\"samples\":%zu,\"filter\":",
                c->since, c->until, s->step, s->n);
        report_json_str(out, filter_text(c->f));
        fprintf(out, ",\"growth_basis\":\"%s\",\"total\":{", s->stats.weeks ? "weeks" : "halves");
        history_cli_json_stats(out, &s->stats);
        fprintf(out, ",\"packets\":%" PRIu64 ",\"flows\":%" PRIu64 ",\"bytes_in\":%" PRIu64
                     ",\"bytes_out\":%" PRIu64 "},\"series\":[",
                pk, fl, bi, bo);
        for (size_t i = 0; i < s->n; i++)
            fprintf(out, "%s[%" PRIu32 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "]", i ? "," : "",
                    s->s[i].t, s->s[i].bytes, s->s[i].bytes_in, s->s[i].bytes_out);
        fputs("],\"tables\":{", out);
        return;
    }
    char t1[32], t2[32], b[8][32];
    fprintf(out, "flowdrill history %s .. %s: %zu %s samples%s%s\n",
            history_cli_time(c->since, t1, sizeof t1), history_cli_time(c->until, t2, sizeof t2),
            s->n, s->step == 60 ? "1-minute" : "1-hour", c->f ? ", filter: " : "",
            filter_text(c->f));
    history_cli_growth(&s->stats, b[5], sizeof b[5]);
    fprintf(out, "total: %s in %s packets, %s flows; in %s, out %s\n",
            rowfmt_bytes(s->stats.sum, b[0], sizeof b[0]), rowfmt_count(pk, b[1], sizeof b[1]),
            rowfmt_count(fl, b[2], sizeof b[2]), rowfmt_bytes(bi, b[3], sizeof b[3]),
            rowfmt_bytes(bo, b[4], sizeof b[4]));
    fprintf(out, "rate: mean %s, p95 %s, peak %s; growth %s (%s)\n",
            rowfmt_rate(s->stats.mean, b[0], sizeof b[0]),
            rowfmt_rate(s->stats.p95, b[1], sizeof b[1]),
            rowfmt_rate(s->stats.peak, b[2], sizeof b[2]), b[5],
            s->stats.weeks ? "last week against the first" : "last half against the first");
}

int history_cli_run(const struct options *o, FILE *out, FILE *err)
{
    char dir[4096], msg[4400];
    if (o->store_dir) {
        snprintf(dir, sizeof dir, "%s", o->store_dir);
    } else if (store_schema_default_dir(dir, sizeof dir) != 0) {
        fputs("flowdrill: --history: neither XDG_DATA_HOME nor HOME is set; name the store "
              "with --store DIR\n",
              err);
        return 2;
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    uint32_t now = (uint32_t)tv.tv_sec;
    struct history_cli_ctx c = {.o = o};
    if (history_cli_parse_time(o->since ? o->since : o->capacity ? "30d" : "24h", now, &c.since) ||
        history_cli_parse_time(o->until ? o->until : "now", now, &c.until)) {
        fputs("flowdrill: --since/--until: not a time; use a duration back from now (24h, 7d), "
              "a UTC date (2026-12-06T14:30) or @UNIXSECONDS\n",
              err);
        return 2;
    }
    if (c.until <= c.since) {
        fputs("flowdrill: --history: --until must be later than --since\n", err);
        return 2;
    }
    struct filter *f = NULL;
    unsigned col = 0;
    if (filter_compile(o->bpf, &f, msg, sizeof msg, &col) != 0) {
        fprintf(err, "flowdrill: --history filter: %s\n", msg);
        return 2;
    }
    c.f = f;
    c.db = store_schema_open(dir, false, msg, sizeof msg);
    if (!c.db) {
        fprintf(err, "flowdrill: %s\n", msg);
        filter_free(f);
        return 1;
    }
    int rc = 1;
    if (store_query_series(c.db, c.since, c.until, &c.ser, msg, sizeof msg) != 0) {
        fprintf(err, "flowdrill: %s\n", msg);
        goto out;
    }
    if (o->capacity) {
        rc = history_capacity_print(c.db, &c.ser, f, o->top, c.since,
                                    c.until, o->json, out, err);
        store_series_free(&c.ser);
        goto out;
    }
    history_cli_totals(&c, out, o->json);
    if (history_cli_tables(&c, out, err, o->json) == 0) {
        if (o->json)
            fputs("}}}\n", out);
        rc = fflush(out) == 0 ? 0 : 1;
    }
    store_series_free(&c.ser);
out:
    sqlite3_close(c.db);
    filter_free(f);
    return rc;
}
