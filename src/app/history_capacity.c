/*
 * history_capacity.c - `flowdrill --capacity`: the capacity-planning report of the history
 * store (see history_cli.h). For the range's total, every exporter and every interface (or
 * the --top busiest of each): mean, 95th-percentile and peak rate, bytes, and growth between
 * the range's first and last week (halves when shorter than two weeks), as aligned text or
 * one JSON object. The figures are store_query.c's, the same as `--history --by
 * exporter,iface` gives; this is the view of them sized for planning links.
 */
#include "config.h"

#include "flowdrill/history_cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "flowdrill/report.h"
#include "flowdrill/rowfmt.h"
#include "flowdrill/store_query.h"

static void hc_key(const struct store_row *r, char *buf, size_t len)
{
    if (!r->key_len) {
        snprintf(buf, len, "rest");
        return;
    }
    struct topn_row tr;
    memset(&tr, 0, sizeof tr);
    tr.table = r->table;
    memcpy(tr.key.raw, r->key, r->key_len);
    rowfmt_key(&tr, buf, len);
}

static void hc_json(FILE *o, const char *key, const struct store_stats *s)
{
    fputs("{\"key\":", o);
    report_json_str(o, key);
    fprintf(o, ",\"bytes\":%" PRIu64 ",\"mean_bps\":%" PRIu64 ",\"p95_bps\":%" PRIu64
               ",\"peak_bps\":%" PRIu64 ",\"growth_pct\":",
            s->sum, s->mean, s->p95, s->peak);
    if (s->growth_known)
        fprintf(o, "%.1f}", s->growth);
    else
        fputs("null}", o);
}

static void hc_text(FILE *o, const char *what, const char *key, const struct store_stats *s)
{
    char b[5][32], name[200];
    snprintf(name, sizeof name, "%s%s%s", what, *what ? " " : "", key);
    if (s->growth_known)
        snprintf(b[4], sizeof b[4], "%+.1f%%", s->growth);
    else
        snprintf(b[4], sizeof b[4], "-");
    fprintf(o, "%-42s %10s %10s %10s %10s %8s\n", name, rowfmt_rate(s->mean, b[0], sizeof b[0]),
            rowfmt_rate(s->p95, b[1], sizeof b[1]), rowfmt_rate(s->peak, b[2], sizeof b[2]),
            rowfmt_bytes(s->sum, b[3], sizeof b[3]), b[4]);
}

int history_capacity_print(struct sqlite3 *db, const struct store_series *ser,
                           const struct filter *f, size_t top, uint32_t since, uint32_t until,
                           bool json, FILE *out, FILE *err)
{
    static const int tables[2] = {AGG_T_EXPORTER, AGG_T_IFACE};
    struct store_qrow *rows[2] = {NULL, NULL};
    size_t n[2] = {0, 0};
    char msg[512];
    for (int i = 0; i < 2; i++)
        if (store_query_rows(db, ser, tables[i], f, top, &rows[i], &n[i], msg, sizeof msg)) {
            fprintf(err, "flowdrill: %s\n", msg);
            free(rows[0]);
            return 1;
        }
    const char *basis = ser->stats.weeks ? "weeks" : "halves";
    if (json) {
        fprintf(out, "{\"capacity\":{\"since\":%" PRIu32 ",\"until\":%" PRIu32
                     ",\"step\":%" PRIu32 ",\"samples\":%zu,\"growth_basis\":\"%s\",\"total\":",
                since, until, ser->step, ser->n, basis);
        hc_json(out, "total", &ser->stats);
        for (int i = 0; i < 2; i++) {
            fprintf(out, ",\"%s\":[", agg_table_name(tables[i]));
            for (size_t j = 0; j < n[i]; j++) {
                char key[160];
                hc_key(&rows[i][j].row, key, sizeof key);
                if (j)
                    fputc(',', out);
                hc_json(out, key, &rows[i][j].stats);
            }
            fputc(']', out);
        }
        fputs("}}\n", out);
    } else {
        char t1[32], t2[32];
        time_t a = since, b = until;
        struct tm tm;
        strftime(t1, sizeof t1, "%Y-%m-%d %H:%M", gmtime_r(&a, &tm));
        strftime(t2, sizeof t2, "%Y-%m-%d %H:%M", gmtime_r(&b, &tm));
        fprintf(out, "flowdrill capacity %s .. %s UTC: %zu %s samples; growth: %s\n", t1, t2,
                ser->n, ser->step == 60 ? "1-minute" : "1-hour",
                ser->stats.weeks ? "last week against the first"
                                 : "last half of the range against the first");
        fprintf(out, "%-42s %10s %10s %10s %10s %8s\n", "", "mean", "p95", "peak", "bytes",
                "growth");
        hc_text(out, "", "total", &ser->stats);
        for (int i = 0; i < 2; i++)
            for (size_t j = 0; j < n[i]; j++) {
                char key[160];
                hc_key(&rows[i][j].row, key, sizeof key);
                hc_text(out, i == 0 ? "exporter" : "iface", key, &rows[i][j].stats);
            }
        if (!n[0] && !n[1])
            fputs("(no exporters or interfaces in the range: they come from flow exports, -l "
                  "PORT)\n",
                  out);
    }
    free(rows[0]);
    free(rows[1]);
    return fflush(out) == 0 ? 0 : 1;
}
