/*
 * history_cli.h - `flowdrill --history`: batch queries of the history store for cron and
 * scripts (text or --json), and the time words --since/--until take.
 */
#ifndef FLOWDRILL_HISTORY_CLI_H
#define FLOWDRILL_HISTORY_CLI_H

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

#endif
