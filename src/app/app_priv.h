/*
 * app_priv.h - the application object shared by app.c (sources, loop, reports) and app_ui.c
 * (the interactive screen). Private to src/app.
 */
#ifndef FLOWDRILL_APP_PRIV_H
#define FLOWDRILL_APP_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "flowdrill/agg.h"
#include "flowdrill/detect.h"
#include "flowdrill/nf.h"
#include "flowdrill/options.h"
#include "flowdrill/packet.h"
#include "flowdrill/pcap_source.h"
#include "flowdrill/report.h"
#include "flowdrill/service.h"
#include "flowdrill/udp_listener.h"

struct app_ui;
struct app_store;

#define APP_MAX_SOURCES (OPTIONS_MAX_IFACES + OPTIONS_MAX_LISTEN)

struct app {
    const struct options *o;
    uv_loop_t loop;
    struct service_db *svc;
    struct localnet local;
    struct agg *agg;
    struct packet_stats pkt;
    struct pcap_source *src[APP_MAX_SOURCES];
    struct report_source rsrc[APP_MAX_SOURCES];
    char *names[APP_MAX_SOURCES]; /* owned copies: a source's name outlives option parsing */
    size_t n_src;
    size_t n_running;
    /* flow exports */
    struct nf_collector *nf;
    struct udp_listener *udp[OPTIONS_MAX_LISTEN];
    struct udp_listener_stats udp_st[OPTIONS_MAX_LISTEN];
    size_t n_udp;
    uint16_t export_ports[OPTIONS_MAX_LISTEN];
    bool wall_clock; /* live or demo: advance time with the wall clock */
    bool offline_once; /* -r without --realtime: one report at the end */
    uv_timer_t tick, report;
    uv_signal_t sigint, sigterm;
    unsigned long reports;
    int exit_code;
    bool stopping;
    struct app_ui *ui; /* the screen; NULL in batch mode */
    struct app_store *store; /* the history store; NULL when off (app_store.c) */
    struct sqlite3 *trends_db; /* the Trends screen's read-only connection until the screen
                                  takes it, and why there is none (app_trends.c) */
    char *trends_why;
    struct sqlite3 *rewind_db; /* the rewind's read-only connection (app_rewind.c) */
    struct detect *det;         /* the threat detectors; NULL with --no-alerts */
    struct flow_sink det_inner; /* where records go after the detectors */
    bool alerts_broken;         /* --alerts-only could not write: stop */
    bool src_done[APP_MAX_SOURCES];
    bool src_failed[APP_MAX_SOURCES];
};


uint32_t app_wall_sec(void);
void app_stop(struct app *a);
void app_fill_sources(struct app *a);
/* Give every exporter domain the collector knows and that has booked no record a row of
 * its own (agg_exporter_seen), before a report or a screen refresh. */
void app_exporters_seen(struct app *a);

/* The history store (app_store.c): open it when the options want it (a failure is printed
 * and the run goes on without it); the sink every source feeds (the aggregator's, behind the
 * store's minute watch); moving time with the wall clock; the last minute and closing. */
bool app_store_wanted(const struct options *o);
void app_store_open(struct app *a);
struct flow_sink app_store_sink(struct app *a);
void app_advance(struct app *a, uint32_t sec);
void app_store_close(struct app *a);

/* The threat detectors (app_alerts.c): made before any source (they see every record
 * first); the sink every source feeds (the detectors', then the store's). */
void app_alerts_open(struct app *a, uint64_t seed);
struct flow_sink app_sink(struct app *a);
void app_alerts_close(struct app *a);

/* The screen (app_ui.c). */
int app_ui_start(struct app *a);     /* after the sources are open; 0 or -1 (message printed) */
void app_ui_tick(struct app *a);     /* the refresh timer */
void app_ui_source_done(struct app *a, size_t i, int status);
void app_ui_quit(struct app *a);     /* restore the terminal; the caller stops the loop */
void app_ui_free(struct app *a);     /* after the loop ended */
bool app_ui_must_not_wait(const struct app *a); /* DNS lookups still running */

/* The Trends screen's reads of the store (app_trends.c): `done` draws after a read. */
struct trends;
struct app_trends;
void app_trends_open_db(struct app *a); /* before privileges drop */
void app_trends_release(struct app *a); /* at the end: what app_trends_open_db left */

/* The rewind ([ ] '): take the step the screen asked for (app_rewind.c). */
struct ui;
void app_rewind_apply(struct app *a, struct ui *u, uint64_t now_ms);
struct app_trends *app_trends_new(struct app *a, struct trends *t, void (*done)(struct app *));
void app_trends_poll(struct app_trends *at); /* read when the model wants it */
void app_trends_free(struct app_trends *at);

#endif
