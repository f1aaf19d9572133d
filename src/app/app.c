/*
 * app.c - wiring: sources -> aggregator -> reports, on one libuv loop.
 *
 * Start-up order (ROBUSTNESS.md): parse options, open captures, drop privileges, then run.
 * Time: live and demo sources stamp records with the wall clock, and a 1 s timer moves the
 * aggregator forward even when no packet arrives. File sources drive time by their own
 * timestamps only.
 */
#include "config.h"

#include "flowdrill/app.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include <uv.h>

#include "flowdrill/agg.h"
#include "demo.h"
#include "flowdrill/history_cli.h"
#include "flowdrill/nf.h"
#include "flowdrill/packet.h"
#include "flowdrill/pcap_source.h"
#include "flowdrill/privdrop.h"
#include "flowdrill/report.h"
#include "flowdrill/service.h"
#include "flowdrill/tui.h"
#include "flowdrill/udp_listener.h"
#include "flowdrill/xalloc.h"

#include "app_priv.h"

uint32_t app_wall_sec(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint32_t)tv.tv_sec;
}

/* The hash seeds of the tables. Live input is keyed at random, so that nobody who can send
 * packets or exports can aim at one bucket; a file (-r, --demo) is read with a fixed seed, so
 * that the same file gives the same report every time, as tcpdump's and nfdump's do (the
 * detectors' distinct-port counts and which row a full table gives up both follow the seed). */
static uint64_t app_seed(const struct options *o, uint64_t salt)
{
    if (o->file || o->demo)
        return 0x6a09e667f3bcc908ULL ^ salt;
    uint64_t s = 0;
    if (getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s)
        s = (uint64_t)app_wall_sec() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
    return s;
}

void app_fill_sources(struct app *a)
{
    size_t u = 0;
    for (size_t i = 0; i < a->n_src; i++) {
        if (a->src[i]) {
            pcap_source_counters(a->src[i], &a->rsrc[i].received, &a->rsrc[i].kernel_drop,
                                 &a->rsrc[i].if_drop);
        } else if (strcmp(a->rsrc[i].kind, "listener") == 0 && u < a->n_udp) {
            if (a->udp[u])
                udp_listener_stats(a->udp[u], &a->udp_st[u]);
            a->rsrc[i].received = a->udp_st[u].datagrams;
            a->rsrc[i].kernel_drop = a->udp_st[u].kernel_drop;
            u++;
        }
    }
}

void app_exporters_seen(struct app *a)
{
    if (!a->nf)
        return;
    size_t n = nf_collector_exporters(a->nf, NULL, 0);
    if (!n)
        return;
    struct nf_exporter_info *ex = xmalloc(n * sizeof *ex);
    n = nf_collector_exporters(a->nf, ex, n);
    for (size_t i = 0; i < n; i++)
        if (!ex[i].records)
            agg_exporter_seen(a->agg, &ex[i].addr, ex[i].domain);
    free(ex);
}

static void app_report(struct app *a, bool final)
{
    app_fill_sources(a);
    app_exporters_seen(a);
    struct report_ctx c = {
        .agg = a->agg,
        .pkt = &a->pkt,
        .sources = a->rsrc,
        .n_sources = a->n_src,
        .tables = a->o->tables,
        .sort = a->o->sort,
        .top = a->o->top,
        .final = final,
        .nf = a->nf,
        .udp = a->udp_st,
        .n_udp = a->n_udp,
        .det = a->det,
    };
    if (a->o->alerts_only) { /* the alerts were printed as they came */
        a->reports++;
        if (a->alerts_broken && !a->stopping) {
            a->exit_code = 0;
            app_stop(a);
        }
        return;
    }
    int r = a->o->json ? report_json(stdout, &c) : report_text(stdout, &c);
    if (r == 0 && fflush(stdout) != 0)
        r = -1;
    if (r != 0) {
        /* reader went away (| head): stop quietly; anything else is worth a line */
        if (errno != EPIPE)
            fprintf(stderr, "flowdrill: cannot write the report: %s\n", strerror(errno));
        else
            a->exit_code = 0;
        if (!a->stopping)
            app_stop(a);
    }
    a->reports++;
}

void app_stop(struct app *a)
{
    if (a->stopping)
        return;
    a->stopping = true;
    app_ui_quit(a);
    for (size_t i = 0; i < a->n_src; i++) {
        if (a->src[i]) {
            /* keep the final counters: the source is gone after this */
            pcap_source_counters(a->src[i], &a->rsrc[i].received, &a->rsrc[i].kernel_drop,
                                 &a->rsrc[i].if_drop);
            pcap_source_close(a->src[i], NULL, NULL);
            a->src[i] = NULL;
        }
    }
    for (size_t i = 0; i < a->n_udp; i++) {
        if (a->udp[i]) {
            udp_listener_stats(a->udp[i], &a->udp_st[i]);
            udp_listener_close(a->udp[i], NULL, NULL);
            a->udp[i] = NULL;
        }
    }
    uv_close((uv_handle_t *)&a->tick, NULL);
    uv_close((uv_handle_t *)&a->report, NULL);
    uv_close((uv_handle_t *)&a->sigint, NULL);
    uv_close((uv_handle_t *)&a->sigterm, NULL);
}

static void app_on_tick(uv_timer_t *t)
{
    struct app *a = t->data;
    if (a->nf && a->n_udp) {
        struct timeval tv;
        gettimeofday(&tv, NULL);
        nf_collector_tick(a->nf, (int64_t)tv.tv_sec * 1000000 + tv.tv_usec);
    }
    app_advance(a, app_wall_sec());
}

static void app_on_report(uv_timer_t *t)
{
    struct app *a = t->data;
    if (a->wall_clock)
        app_advance(a, app_wall_sec());
    if (a->ui) {
        app_ui_tick(a);
        if (a->o->count && ++a->reports >= a->o->count && !a->stopping)
            app_stop(a); /* --count on the screen: that many refreshes */
        return;
    }
    app_report(a, false);
    if (a->o->count && a->reports >= a->o->count && !a->stopping)
        app_stop(a);
}

static void app_on_signal(uv_signal_t *s, int signum)
{
    struct app *a = s->data;
    (void)signum;
    if (a->stopping)
        return;
    if (a->ui) {
        /* Ctrl-C on the screen: quit at once, terminal restored */
        app_ui_quit(a);
        app_stop(a);
        return;
    }
    if (a->wall_clock)
        app_advance(a, app_wall_sec());
    agg_finish(a->agg);
    app_report(a, true);
    app_stop(a);
}

static void app_on_source_done(struct pcap_source *src, int status, void *arg)
{
    struct app *a = arg;
    size_t i;
    for (i = 0; i < a->n_src && a->src[i] != src; i++)
        ;
    const char *name = i < a->n_src ? a->rsrc[i].name : "?";
    if (status < 0) {
        /* like tcpdump: what was read is reported, and the exit status says it stopped early */
        if (!a->ui)
            fprintf(stderr, "flowdrill: %s: %s; the report covers what came before\n", name,
                    pcap_source_error(src));
        a->exit_code = 1;
    }
    if (a->n_running)
        a->n_running--;
    if (a->ui) {
        /* the screen stays: the final state is there to explore */
        if (a->n_running == 0 && a->n_udp == 0)
            agg_finish(a->agg);
        app_ui_source_done(a, i, status);
        return;
    }
    if (a->n_running == 0 && a->n_udp == 0 && !a->stopping) {
        agg_finish(a->agg);
        app_report(a, true);
        app_stop(a);
    }
}

static int app_open_listeners(struct app *a)
{
    const struct options *o = a->o;
    char err[512];
    for (size_t i = 0; i < o->n_listen; i++) {
        struct udp_listener_config uc = {o->listen[i], o->rcvbuf, &o->allow};
        if (udp_listener_open(&a->udp[i], &a->loop, &uc, a->nf, err, sizeof err) != 0) {
            fprintf(stderr, "flowdrill: %s\n", err);
            return -1;
        }
        a->n_udp++;
        size_t k = a->n_src++;
        a->names[k] = xstrdup(o->listen[i]);
        a->rsrc[k].name = a->names[k];
        a->rsrc[k].kind = "listener";
    }
    return 0;
}

static int app_open_sources(struct app *a)
{
    const struct options *o = a->o;
    char err[512];
    struct pcap_source_config cfg = {
        .snaplen = o->snaplen,
        .buffer_kib = o->buffer_kib,
        .promisc = o->promisc,
        .bpf = o->bpf,
        .realtime = o->realtime,
    };
    const char *live[OPTIONS_MAX_IFACES];
    size_t n_live = 0;
    char defif[64];
    a->wall_clock = false;

    if (o->demo) {
        cfg.kind = PCAP_SOURCE_MEMORY;
        cfg.name = "embedded demo capture";
        cfg.data = demo_pcap;
        cfg.data_len = demo_pcap_len;
        a->wall_clock = true;
    } else if (o->file) {
        cfg.kind = PCAP_SOURCE_FILE;
        cfg.name = o->file;
        a->offline_once = !o->realtime;
        if (a->nf) {
            /* -r FILE -l PORT: the exports inside the capture */
            for (size_t i = 0; i < o->n_listen; i++) {
                struct sockaddr_storage sa;
                udp_listener_parse(o->listen[i], &sa, err, sizeof err);
                a->export_ports[i] = ntohs(((struct sockaddr_in *)&sa)->sin_port);
            }
            cfg.nf = a->nf;
            cfg.export_ports = a->export_ports;
            cfg.n_export_ports = o->n_listen;
        }
    } else {
        cfg.kind = PCAP_SOURCE_LIVE;
        a->wall_clock = true;
        for (size_t i = 0; i < o->n_ifaces; i++)
            live[n_live++] = o->ifaces[i];
        if (!n_live && o->n_listen)
            return app_open_listeners(a); /* a collector only: no capture */
        if (!n_live) {
            if (pcap_source_default_iface(defif, sizeof defif) != 0) {
                fputs("flowdrill: no interface to capture on (no default route); use -i IFACE, "
                      "-l PORT, -r FILE or --demo\n",
                      stderr);
                return -1;
            }
            live[n_live++] = defif;
        }
    }
    size_t n = cfg.kind == PCAP_SOURCE_LIVE ? n_live : 1;
    for (size_t i = 0; i < n; i++) {
        if (cfg.kind == PCAP_SOURCE_LIVE)
            cfg.name = live[i];
        cfg.source_id = (uint32_t)i;
        int r = pcap_source_open(&a->src[i], &cfg, &a->pkt, app_sink(a), err, sizeof err);
        if (r != 0) {
            if (r == PCAP_SOURCE_EPERM && !o->n_ifaces && !o->file && !o->demo)
                fprintf(stderr, "flowdrill: %s\n(flowdrill captures on the default interface "
                                "when no source is given; to collect NetFlow/IPFIX instead, "
                                "use -l PORT)\n", err);
            else
                fprintf(stderr, "flowdrill: %s\n", err);
            return r == PCAP_SOURCE_EFILTER ? -2 : -1; /* a bad filter is a usage error */
        }
        a->names[i] = xstrdup(cfg.name);
        a->rsrc[i].name = a->names[i];
        a->rsrc[i].kind = cfg.kind == PCAP_SOURCE_LIVE ? "interface"
                          : cfg.kind == PCAP_SOURCE_FILE ? "file"
                                                         : "demo";
        a->n_src++;
    }
    if (cfg.kind == PCAP_SOURCE_LIVE && o->n_listen)
        return app_open_listeners(a);
    return 0;
}

static void app_default_local(struct app *a)
{
    const struct options *o = a->o;
    a->local = o->local;
    if (o->local_given)
        return;
    if (o->demo) {
        for (size_t i = 0; demo_local_nets[i]; i++)
            localnet_add_cidr(&a->local, demo_local_nets[i]);
        return;
    }
    for (size_t i = 0; i < a->n_src; i++)
        if (strcmp(a->rsrc[i].kind, "interface") == 0)
            pcap_source_iface_networks(a->rsrc[i].name, &a->local);
}

int app_run(const struct options *o)
{
    if (o->history)
        return history_cli_run(o, stdout, stderr);
    struct app *a = xcalloc(1, sizeof *a);
    a->o = o;
    a->exit_code = 0;
    signal(SIGPIPE, SIG_IGN);
    a->svc = service_db_new(true);
    a->local = o->local;
    a->agg = agg_new(&o->limits, &a->local, a->svc, app_seed(o, 0));
    app_store_open(a);
    app_alerts_open(a, app_seed(o, 1));
    if (!o->batch)
        app_trends_open_db(a);

    int rc = 1;
    uv_loop_init(&a->loop);
    if (!o->batch) {
        char why[256];
        if (tui_usable(why, sizeof why) != 0) {
            fprintf(stderr, "flowdrill: %s\n", why);
            rc = 2;
            goto out_sources;
        }
    }
    if (o->n_listen) {
        struct nf_config nc;
        nf_config_default(&nc);
        nc.default_sampling = o->default_sampling;
        nc.force_sampling = o->force_sampling;
        nc.template_timeout_s = o->template_timeout;
        nc.tpl_quota = o->tpl_quota;
        nc.tpl_quota_bytes = o->tpl_quota_bytes;
        nc.held_quota_bytes = o->held_quota_bytes;
        nc.source_id = OPTIONS_MAX_IFACES; /* after the capture sources */
        a->nf = nf_collector_new(&nc, app_sink(a));
    }
    int opened = app_open_sources(a);
    if (opened != 0) {
        rc = opened == -2 ? 2 : 1;
        goto out_sources;
    }
    /* the capture interfaces are known now; the aggregator reads a->local by reference */
    app_default_local(a);

    char err[256];
    if (privdrop(o->user, err, sizeof err) != 0) {
        fprintf(stderr, "flowdrill: %s\n", err);
        goto out_sources;
    }

    uv_timer_init(&a->loop, &a->tick);
    uv_timer_init(&a->loop, &a->report);
    uv_signal_init(&a->loop, &a->sigint);
    uv_signal_init(&a->loop, &a->sigterm);
    a->tick.data = a->report.data = a->sigint.data = a->sigterm.data = a;
    uv_signal_start(&a->sigint, app_on_signal, SIGINT);
    uv_signal_start(&a->sigterm, app_on_signal, SIGTERM);
    if (a->wall_clock)
        uv_timer_start(&a->tick, app_on_tick, 1000, 1000);
    if (!o->batch && app_ui_start(a) != 0) {
        a->exit_code = 1;
        app_stop(a);
    }
    if (!a->offline_once || a->ui) {
        uint64_t ms = (uint64_t)(o->interval * 1000.0 + 0.5);
        uv_timer_start(&a->report, app_on_report, ms, ms);
    }
    for (size_t i = 0; i < a->n_src; i++) {
        if (!a->src[i])
            continue; /* a listener: already receiving */
        int r = pcap_source_start(a->src[i], &a->loop, app_on_source_done, a);
        if (r != 0) {
            fprintf(stderr, "flowdrill: cannot start %s: %s\n", a->rsrc[i].name, uv_strerror(r));
            a->exit_code = 1;
            app_stop(a);
            break;
        }
        a->n_running++;
    }
    uv_run(&a->loop, UV_RUN_DEFAULT);
    rc = a->exit_code;
    if (app_ui_must_not_wait(a))
        exit(rc); /* reverse DNS lookups still blocked in the resolver: never wait on them */
    if (uv_loop_close(&a->loop) != 0)
        fputs("flowdrill: internal: loop closed with handles open\n", stderr);
    goto out;

out_sources:
    for (size_t i = 0; i < a->n_src; i++)
        if (a->src[i])
            pcap_source_close(a->src[i], NULL, NULL);
    for (size_t i = 0; i < a->n_udp; i++)
        if (a->udp[i])
            udp_listener_close(a->udp[i], NULL, NULL);
    uv_run(&a->loop, UV_RUN_DEFAULT); /* let the closes finish */
    uv_loop_close(&a->loop);
out:
    app_store_close(a);
    app_ui_free(a);
    app_alerts_close(a);
    app_trends_release(a);
    nf_collector_free(a->nf);
    agg_free(a->agg);
    service_db_free(a->svc);
    for (size_t i = 0; i < a->n_src; i++)
        free(a->names[i]);
    free(a);
    return rc;
}
