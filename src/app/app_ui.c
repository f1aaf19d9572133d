/*
 * app_ui.c - the interactive screen inside the application: when to refresh rows, when to
 * draw, what the header says. Data arrival never draws: the refresh timer (-d) re-reads the
 * tables and draws; a key draws at once (only what changed reaches the terminal).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "flowdrill/canvas.h"
#include "flowdrill/resolver.h"
#include "flowdrill/tui.h"
#include "flowdrill/ui.h"
#include "flowdrill/xalloc.h"

#include "app_priv.h"

#define RING 64

struct sample {
    uint32_t sec;
    uint64_t in, out, packets, flows;
};

struct app_ui {
    struct ui ui;
    struct tui *tui;
    struct resolver *dns;
    bool no_wait; /* quit with lookups still running: exit without waiting for them */
    struct ui_status st;
    struct sample ring[RING];
    size_t ring_n, ring_head; /* newest at ring_head - 1 */
    /* file reading speed */
    uint64_t read_last_ms, read_last_pkts, read_last_bytes;
    double read_pps, read_bps;
    struct app_trends *trends; /* the Trends screen's store reads */
};

static uint64_t aui_now_ms(void)
{
    return uv_hrtime() / 1000000u;
}

/* ---- header figures ---- */

static void aui_sample(struct app_ui *u, const struct agg_totals *t)
{
    const struct sample *last = u->ring_n ? &u->ring[(u->ring_head + RING - 1) % RING] : NULL;
    struct sample s = {t->now_sec, t->bytes_dir[FLOW_DIR_IN], t->bytes_dir[FLOW_DIR_OUT],
                       t->packets, t->flows};
    if (last && last->sec == s.sec) {
        u->ring[(u->ring_head + RING - 1) % RING] = s;
        return;
    }
    u->ring[u->ring_head] = s;
    u->ring_head = (u->ring_head + 1) % RING;
    if (u->ring_n < RING)
        u->ring_n++;
}

/* Per-second rates over about `secs` seconds from the samples. */
static void aui_rates(const struct app_ui *u, uint32_t secs, struct ui_status *st)
{
    st->bps_in = st->bps_out = st->pps = st->fps = 0;
    if (u->ring_n < 2)
        return;
    const struct sample *now = &u->ring[(u->ring_head + RING - 1) % RING];
    const struct sample *old = NULL;
    for (size_t i = 2; i <= u->ring_n; i++) {
        const struct sample *s = &u->ring[(u->ring_head + RING - i) % RING];
        old = s;
        if (now->sec - s->sec >= secs)
            break;
    }
    uint32_t dt = now->sec > old->sec ? now->sec - old->sec : 0;
    if (!dt)
        return;
    st->bps_in = (now->in - old->in) * 8 / dt;
    st->bps_out = (now->out - old->out) * 8 / dt;
    st->pps = (now->packets - old->packets) / dt;
    st->fps = (now->flows - old->flows) / dt;
}

static void aui_sources(struct app *a, struct ui_status *st)
{
    app_fill_sources(a);
    st->n_src = 0;
    for (size_t i = 0; i < a->n_src && st->n_src < UI_MAX_SOURCES; i++) {
        const char *kind = a->rsrc[i].kind, *state;
        bool live = strcmp(kind, "interface") == 0, file = strcmp(kind, "file") == 0;
        if (a->src_failed[i])
            state = "error";
        else if (a->src_done[i])
            state = "done";
        else if (live)
            state = "capturing";
        else if (file)
            state = "reading";
        else if (strcmp(kind, "demo") == 0)
            state = "(looping)";
        else
            state = "listening";
        snprintf(st->src[st->n_src].kind, sizeof st->src[0].kind, "%s", kind);
        snprintf(st->src[st->n_src].name, sizeof st->src[0].name, "%s%.58s",
                 strcmp(kind, "listener") == 0 ? "udp " : "", a->rsrc[i].name);
        snprintf(st->src[st->n_src].state, sizeof st->src[0].state, "%s", state);
        st->n_src++;
    }
}

static void aui_drops(struct app *a, const struct agg_totals *t, struct ui_status *st)
{
    st->kernel_drop = st->socket_drop = st->malformed = st->seq_loss = st->evicted = 0;
    for (size_t i = 0; i < a->n_src; i++)
        if (strcmp(a->rsrc[i].kind, "listener") != 0)
            st->kernel_drop += a->rsrc[i].kernel_drop + a->rsrc[i].if_drop;
    for (size_t i = 0; i < a->n_udp; i++)
        st->socket_drop += a->udp_st[i].kernel_drop;
    for (int r = 0; r < PACKET_R_MAX; r++)
        if (packet_reason_is_drop((enum packet_reason)r))
            st->malformed += a->pkt.count[r];
    for (int i = 0; i < AGG_T_MAX; i++)
        st->evicted += t->evicted[i] + t->folded[i];
    st->exports = a->nf != NULL;
    st->data_age_s = -1;
    if (!a->nf)
        return;
    const struct nf_counters *nc = nf_collector_counters(a->nf);
    for (int r = 0; r < NF_R_MAX; r++)
        if (nf_reason_is_drop((enum nf_reason)r) && r != NF_R_SEQ_GAP)
            st->malformed += nc->count[r];
    st->seq_loss = nc->seq_lost;
    struct nf_exporter_info ex[64];
    size_t n = nf_collector_exporters(a->nf, ex, 64);
    int64_t newest = 0;
    for (size_t i = 0; i < n && i < 64; i++)
        if (ex[i].newest_flow_us > newest)
            newest = ex[i].newest_flow_us;
    if (newest) {
        int64_t now_us;
        if (a->wall_clock || a->n_udp) {
            struct timeval tv;
            gettimeofday(&tv, NULL);
            now_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
        } else {
            now_us = (int64_t)t->now_sec * 1000000; /* offline: the capture's clock */
        }
        st->data_age_s = now_us > newest ? (now_us - newest) / 1000000 : 0;
    }
}

static void aui_progress(struct app *a, struct app_ui *u, struct ui_status *st)
{
    st->reading = false;
    for (size_t i = 0; i < a->n_src; i++) {
        if (!a->src[i] || a->src_done[i] || strcmp(a->rsrc[i].kind, "file") != 0)
            continue;
        uint64_t done, total, now = aui_now_ms();
        pcap_source_progress(a->src[i], &done, &total);
        if (!total)
            continue;
        uint64_t pkts = a->rsrc[i].received;
        if (u->read_last_ms && now > u->read_last_ms) {
            double dt = (double)(now - u->read_last_ms) / 1000.0;
            u->read_pps = (double)(pkts - u->read_last_pkts) / dt;
            u->read_bps = (double)(done - u->read_last_bytes) / dt;
        }
        u->read_last_ms = now;
        u->read_last_pkts = pkts;
        u->read_last_bytes = done;
        st->reading = true;
        st->progress = total ? (double)done / (double)total : 0;
        if (st->progress > 1)
            st->progress = 1;
        st->read_pps = u->read_pps;
        st->eta_s = u->read_bps > 0 ? (double)(total - done) / u->read_bps : 0;
    }
}

static void aui_status(struct app *a)
{
    struct app_ui *u = a->ui;
    struct ui_status *st = &u->st;
    struct agg_totals t;
    agg_totals(a->agg, &t);
    aui_sources(a, st);
    aui_sample(u, &t);
    static const uint32_t wsecs[VIEW_W_MAX] = {2, 10, 40, 0};
    enum view_window w = u->ui.view.window;
    uint32_t elapsed = t.now_sec > t.start_sec ? t.now_sec - t.start_sec : 1;
    uint32_t secs = w == VIEW_WTOTAL ? elapsed : wsecs[w];
    if (secs > elapsed)
        secs = elapsed;
    if (!secs)
        secs = 1;
    st->window_secs = secs;
    st->bps_total = (w == VIEW_WTOTAL ? t.bytes : agg_total_window(a->agg, secs)) * 8 / secs;
    aui_rates(u, secs, st);
    st->active_flows = t.active_flows;
    aui_drops(a, &t, st);
    aui_progress(a, u, st);
}

/* ---- drawing ---- */

static void aui_draw(struct app *a, bool full)
{
    struct app_ui *u = a->ui;
    if (!u || !u->tui)
        return;
    if (u->dns)
        resolver_set_enabled(u->dns, u->ui.view.dns); /* the n key */
    struct canvas *c = tui_canvas(u->tui);
    ui_layout(&u->ui, c->w, c->h, &u->st);
    ui_render(&u->ui, c, &u->st, aui_now_ms());
    tui_present(u->tui, full);
}

static void aui_refresh_rows(struct app *a)
{
    if (a->wall_clock)
        app_advance(a, app_wall_sec());
    else
        agg_flush(a->agg);
    app_exporters_seen(a);
    aui_status(a);
    if (a->ui->ui.rewind_req)
        app_rewind_apply(a, &a->ui->ui, aui_now_ms());
    view_refresh(&a->ui->ui.view, a->agg, aui_now_ms());
    alerts_view_set(&a->ui->ui.alerts, a->det);
    if (a->ui->ui.mode == UI_TRENDS || a->ui->ui.help_back == UI_TRENDS)
        app_trends_poll(a->ui->trends);
}

static void aui_trends_done(struct app *a)
{
    aui_draw(a, false);
}

static void aui_on_key(void *arg, int key)
{
    struct app *a = arg;
    if (!a->ui || a->stopping)
        return;
    switch (ui_key(&a->ui->ui, key, aui_now_ms())) {
    case UI_ACT_QUIT:
        app_ui_quit(a);
        app_stop(a);
        return;
    case UI_ACT_REFRESH:
        aui_refresh_rows(a);
        aui_draw(a, false);
        return;
    case UI_ACT_REDRAW:
        aui_draw(a, true);
        return;
    case UI_ACT_DRAW:
        aui_draw(a, false);
        return;
    default:
        return;
    }
}

/* Interface rows get what the sFlow agent's counter samples say: utilisation in and out. */
static void aui_decorate_ifaces(struct app *a, struct view_row *rows, size_t n)
{
    size_t ni = nf_collector_interfaces(a->nf, NULL, 0);
    if (!ni)
        return;
    struct nf_interface_info *x = xmalloc(ni * sizeof *x);
    ni = nf_collector_interfaces(a->nf, x, ni);
    for (size_t i = 0; i < n; i++) {
        struct agg_iface_id id;
        agg_iface_key_parse(rows[i].r.key.raw, true, &id);
        for (size_t j = 0; j < ni; j++) {
            if (!flow_addr_eq(&id.exporter, &x[j].agent) || id.domain != x[j].domain ||
                id.ifindex != x[j].ifindex || !x[j].speed_bps || x[j].samples < 2)
                continue;
            rows[i].ifc.known = true;
            rows[i].ifc.in_util = x[j].in_util_permille;
            rows[i].ifc.out_util = x[j].out_util_permille;
        }
    }
    free(x);
}

/* Exporter rows get what the collector knows: version, sampling, losses, templates, age. */
static void aui_decorate(void *ctx, enum view_kind k, struct view_row *rows, size_t n)
{
    struct app *a = ctx;
    if (k == VIEW_IFACES && a->nf && n) {
        aui_decorate_ifaces(a, rows, n);
        return;
    }
    if (k != VIEW_EXPORTERS || !a->nf || !n)
        return;
    enum { MAXEX = 1024 };
    struct nf_exporter_info *ex = xmalloc(MAXEX * sizeof *ex);
    size_t ne = nf_collector_exporters(a->nf, ex, MAXEX);
    if (ne > MAXEX)
        ne = MAXEX;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    int64_t now_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
    if (!a->wall_clock && !a->n_udp)
        now_us = (int64_t)agg_now(a->agg) * 1000000; /* exports inside a file: its clock */
    for (size_t i = 0; i < n; i++) {
        struct view_exporter *e = &rows[i].exp;
        struct agg_iface_id id;
        agg_iface_key_parse(rows[i].r.key.raw, false, &id);
        for (size_t j = 0; j < ne; j++) {
            if (!flow_addr_eq(&id.exporter, &ex[j].addr) || id.domain != ex[j].domain)
                continue;
            /* one row per address and domain; several source ports add up */
            uint32_t ago = now_us > ex[j].last_seen_us
                               ? (uint32_t)((now_us - ex[j].last_seen_us) / 1000000)
                               : 0;
            if (!e->known || ago < e->seen_ago_s)
                e->seen_ago_s = ago;
            e->known = true;
            e->version = ex[j].version;
            e->sampling = ex[j].sampling;
            e->templates += ex[j].templates;
            e->seq_lost += ex[j].seq_lost;
            _Static_assert(VIEW_FAM_RULES == NF_FAM_MAX, "one family count per rule");
            for (int f = 0; f < NF_FAM_MAX; f++)
                e->family[f] += ex[j].family[f];
            e->no_packets += ex[j].no_packets;
            e->tpl_refused += ex[j].tpl_refused;
            e->tpl_recycled += ex[j].tpl_recycled;
            e->held_dropped += ex[j].held_dropped;
        }
    }
    free(ex);
}

static const char *aui_name(void *ctx, const struct flow_addr *addr)
{
    return resolver_lookup(ctx, addr);
}

int app_ui_start(struct app *a)
{
    struct app_ui *u = xcalloc(1, sizeof *u);
    a->ui = u;
    /* live: who is busy now (iftop's 2 s); a file read to its end: who moved the most */
    enum topn_sort first = a->offline_once ? TOPN_SORT_BYTES : TOPN_SORT_RATE2;
    ui_init(&u->ui, a->svc, a->o->sort_given ? a->o->sort : first);
    /* reverse DNS: two lookups at a time (libuv's pool has four threads), off with -n */
    struct resolver_config rc = {.max_inflight = 2, .seed = uv_hrtime() ^ (uint64_t)getpid()};
    u->dns = resolver_new(&a->loop, &rc, NULL, NULL);
    u->ui.view.dns = !a->o->no_dns;
    resolver_set_enabled(u->dns, u->ui.view.dns);
    u->ui.view.name_fn = aui_name;
    u->ui.view.name_ctx = u->dns;
    u->ui.view.no_exports = a->nf == NULL;
    u->ui.view.decorate = aui_decorate;
    u->ui.view.decorate_ctx = a;
    u->trends = app_trends_new(a, &u->ui.trends, aui_trends_done);
    struct tui_config tc = {.no_color = a->o->no_color, .on_key = aui_on_key, .arg = a};
    char err[256];
    if (tui_open(&u->tui, &a->loop, &tc, err, sizeof err) != 0) {
        fprintf(stderr, "flowdrill: %s\n", err);
        return -1;
    }
    aui_refresh_rows(a);
    aui_draw(a, true);
    return 0;
}

void app_ui_tick(struct app *a)
{
    struct app_ui *u = a->ui;
    if (!u || !u->tui || a->stopping)
        return;
    if (u->ui.paused) {
        aui_status(a); /* counting goes on in the header; the rows hold still */
    } else {
        aui_refresh_rows(a);
    }
    if (tui_backlogged(u->tui))
        return; /* the link has not taken the last screen yet: skip this one */
    aui_draw(a, false);
}

void app_ui_source_done(struct app *a, size_t i, int status)
{
    if (i < a->n_src) {
        a->src_done[i] = true;
        a->src_failed[i] = status < 0;
    }
    if (!a->ui)
        return;
    if (status < 0 && i < a->n_src) {
        snprintf(a->ui->ui.msg, sizeof a->ui->ui.msg, "%.50s: %.70s; showing what came before",
                 a->rsrc[i].name, a->src[i] ? pcap_source_error(a->src[i]) : "read error");
        a->ui->ui.msg_until_ms = aui_now_ms() + 30000;
        a->ui->ui.msg_alert = true;
    }
    aui_refresh_rows(a);
    aui_draw(a, false);
}

void app_ui_quit(struct app *a)
{
    struct app_ui *u = a->ui;
    if (!u)
        return;
    if (u->tui)
        tui_close(u->tui);
    if (u->dns) {
        /* a lookup can block in the resolver library for seconds: never wait for it */
        if (resolver_inflight(u->dns)) {
            u->no_wait = true;
            uv_stop(&a->loop);
        }
        resolver_free(u->dns);
        u->dns = NULL;
        u->ui.view.name_fn = NULL;
    }
}

bool app_ui_must_not_wait(const struct app *a)
{
    return a->ui && a->ui->no_wait;
}

void app_ui_free(struct app *a)
{
    if (!a->ui)
        return;
    app_trends_free(a->ui->trends);
    tui_free(a->ui->tui);
    resolver_free(a->ui->dns);
    ui_free(&a->ui->ui);
    free(a->ui);
    a->ui = NULL;
}
