/*
 * alert_fmt.h - alerts as text and JSON, for the reports, --alerts-only and the screen.
 *
 * The JSON shape of one alert (man/flowdrill.8, section ALERTS):
 *   {"id":1,"kind":"port_scan","state":"active","src":"203.0.113.66","dst":"10.0.0.20",
 *    "proto":"tcp","port":0,"first":1700000002,"last":1700000006,"packets":310,
 *    "bytes":13640,"rate_bps":21824,"pps":62,"count":298,"peak":298,"threshold":100}
 * "src" or "dst" is null where the alert has none (a flood's many sources, a sweep's many
 * targets, a talker's many peers). Times are Unix seconds.
 */
#ifndef FLOWDRILL_ALERT_FMT_H
#define FLOWDRILL_ALERT_FMT_H

#include <stddef.h>
#include <stdio.h>

#include "flowdrill/detect.h"

/* One alert as a JSON object (no newline). */
void alert_fmt_json(FILE *o, const struct detect *d, const struct detect_alert *a);

/* --alerts-only: {"time":NOW, ...the alert's keys...} and a newline. 0 or -1 (errno). */
int alert_fmt_line(FILE *o, const struct detect *d, const struct detect_alert *a);

/* The report's keys: ,"alerts":[...],"detectors":{...} (d may be NULL: detectors off). */
void alert_fmt_report_json(FILE *o, const struct detect *d);

/* The text report's block: a summary line and one line per alert, newest last. */
void alert_fmt_report_text(FILE *o, const struct detect *d);

/* What the alert measured, for a column: "298 ports", "70 hosts on 22/tcp",
 * "31 sources, 1.2k pkt/s", "new destination", "peak 41.2 Mb". Returns buf. */
char *alert_fmt_detail(const struct detect_alert *a, char *buf, size_t len);

/* The source and target columns: an address, or "*" (many) where it has none. */
char *alert_fmt_src(const struct detect_alert *a, char *buf, size_t len);
char *alert_fmt_dst(const struct detect_alert *a, char *buf, size_t len);

#endif
