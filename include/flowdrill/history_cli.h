/*
 * history_cli.h - `flowdrill --history`: batch queries of the history store for cron and
 * scripts (text or --json), and the time words --since/--until take.
 */
#ifndef FLOWDRILL_HISTORY_CLI_H
#define FLOWDRILL_HISTORY_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flowdrill/options.h"

/*
 * A time for --since/--until, against the clock `now` (Unix seconds):
 *   a duration back from now: 90s, 45m, 24h, 7d, 2w (a bare number is seconds);
 *   "now";
 *   a UTC date and time: 2026-12-06, 2026-12-06T14:30, 2026-12-06 14:30:15;
 *   @SECONDS (Unix time).
 * Returns 0, or -1 when the text is none of those.
 */
int history_cli_parse_time(const char *s, uint32_t now, uint32_t *out);

/* Run the query the options describe, writing to out; messages to err. Returns the exit
 * status: 0, 1 (the store cannot be read), 2 (a bad filter or range). */
int history_cli_run(const struct options *o, FILE *out, FILE *err);

/* `--capacity` (history_capacity.c): the range's total and every exporter and interface
 * (top: the busiest `top` of each, 0 all) with mean, p95, peak, bytes and growth; text, or
 * one JSON object {"capacity":{since, until, step, samples, growth_basis, total, exporter[],
 * iface[]}}. Returns the exit status (0, or 1 when the store cannot be read). */
struct sqlite3;
struct store_series;
struct filter;
int history_capacity_print(struct sqlite3 *db, const struct store_series *ser,
                           const struct filter *f, size_t top, uint32_t since, uint32_t until,
                           bool json, FILE *out, FILE *err);

#endif
