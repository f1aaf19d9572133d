/*
 * options.c - command-line parsing (see options.h).
 */
#include "config.h"

#include "flowdrill/options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/history_cli.h"
#include "flowdrill/nf.h"
#include "flowdrill/store.h"
#include "flowdrill/udp_listener.h"
#include "flowdrill/xalloc.h"

enum {
    OPT_BUFFER = 256,
    OPT_NO_PROMISC,
    OPT_REALTIME,
    OPT_DEMO,
    OPT_LOCAL,
    OPT_MAX_FLOWS,
    OPT_MAX_HOSTS,
    OPT_IDLE,
    OPT_JSON,
    OPT_COUNT,
    OPT_BY,
    OPT_TOP,
    OPT_SORT,
    OPT_RCVBUF,
    OPT_ALLOW,
    OPT_DEFAULT_SAMPLING,
    OPT_FORCE_SAMPLING,
    OPT_TEMPLATE_TIMEOUT,
    OPT_TEMPLATE_QUOTA,
    OPT_TEMPLATE_QUOTA_SIZE,
    OPT_HELD_QUOTA_SIZE,
    OPT_NO_COLOR,
    OPT_STORE,
    OPT_NO_STORE,
    OPT_STORE_MAX,
    OPT_HISTORY,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_CAPACITY,
    OPT_ALERT,
    OPT_LEARN,
    OPT_NO_ALERTS,
    OPT_ALERTS_ONLY,
};

static const struct option long_opts[] = {
    {"interface", required_argument, NULL, 'i'},
    {"filter", required_argument, NULL, 'f'},
    {"snaplen", required_argument, NULL, 's'},
    {"buffer-size", required_argument, NULL, OPT_BUFFER},
    {"no-promisc", no_argument, NULL, OPT_NO_PROMISC},
    {"read", required_argument, NULL, 'r'},
    {"realtime", no_argument, NULL, OPT_REALTIME},
    {"demo", no_argument, NULL, OPT_DEMO},
    {"user", required_argument, NULL, 'Z'},
    {"local", required_argument, NULL, OPT_LOCAL},
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"max-hosts", required_argument, NULL, OPT_MAX_HOSTS},
    {"idle-timeout", required_argument, NULL, OPT_IDLE},
    {"batch", no_argument, NULL, 't'},
    {"json", no_argument, NULL, OPT_JSON},
    {"interval", required_argument, NULL, 'd'},
    {"count", required_argument, NULL, OPT_COUNT},
    {"by", required_argument, NULL, OPT_BY},
    {"top", required_argument, NULL, OPT_TOP},
    {"sort", required_argument, NULL, OPT_SORT},
    {"listen", required_argument, NULL, 'l'},
    {"rcvbuf", required_argument, NULL, OPT_RCVBUF},
    {"allow", required_argument, NULL, OPT_ALLOW},
    {"default-sampling", required_argument, NULL, OPT_DEFAULT_SAMPLING},
    {"force-sampling", required_argument, NULL, OPT_FORCE_SAMPLING},
    {"template-timeout", required_argument, NULL, OPT_TEMPLATE_TIMEOUT},
    {"template-quota", required_argument, NULL, OPT_TEMPLATE_QUOTA},
    {"template-quota-size", required_argument, NULL, OPT_TEMPLATE_QUOTA_SIZE},
    {"held-quota-size", required_argument, NULL, OPT_HELD_QUOTA_SIZE},
    {"no-dns", no_argument, NULL, 'n'},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"store", required_argument, NULL, OPT_STORE},
    {"no-store", no_argument, NULL, OPT_NO_STORE},
    {"store-max-size", required_argument, NULL, OPT_STORE_MAX},
    {"history", no_argument, NULL, OPT_HISTORY},
    {"capacity", no_argument, NULL, OPT_CAPACITY},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"alert", required_argument, NULL, OPT_ALERT},
    {"learn", required_argument, NULL, OPT_LEARN},
    {"no-alerts", no_argument, NULL, OPT_NO_ALERTS},
    {"alerts-only", no_argument, NULL, OPT_ALERTS_ONLY},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

void options_usage(FILE *out)
{
    fputs("Usage: flowdrill [OPTIONS] [BPF FILTER EXPRESSION]\n"
          "Live top-N of who uses the bandwidth: hosts, conversations, ports, applications,\n"
          "protocols, exporters and flows, from packet capture and NetFlow/IPFIX exports.\n"
          "\n"
          "Sources (default: capture on the interface of the default route):\n"
          "  -i, --interface IFACE   capture on IFACE (repeatable)\n"
          "  -l, --listen [ADDR:]PORT  collect NetFlow v5/v9 and IPFIX on UDP PORT (repeatable;\n"
          "                          PORT alone = every address); with -r, decode the\n"
          "                          exports sent to PORT inside the capture file\n"
          "  -r, --read FILE         read a pcap or pcapng file ('-' = standard input)\n"
          "      --realtime          with -r: replay at the recorded pace\n"
          "      --demo              replay the embedded demo capture, looping (no privileges)\n"
          "\n"
          "Capture:\n"
          "  -f, --filter EXPR       BPF filter (also taken from trailing arguments)\n"
          "  -s, --snaplen BYTES     bytes captured per packet (default 160: headers only)\n"
          "      --buffer-size KIB   kernel capture buffer in KiB (default: libpcap's)\n"
          "      --no-promisc        do not put the interface into promiscuous mode\n"
          "  -Z, --user USER         drop root to USER once capture is open (default nobody;\n"
          "                          -Z root keeps root)\n"
          "\n"
          "Flow exports:\n"
          "      --rcvbuf BYTES      socket receive buffer to ask for (the kernel may cap it)\n"
          "      --allow CIDR        accept exports only from these networks (repeatable)\n"
          "      --default-sampling N  rate for exporters that announce none\n"
          "      --force-sampling N  use this rate for every exporter (1 = raw counts)\n"
          "      --template-timeout SECS  forget v9/IPFIX templates not refreshed (default 1800)\n"
          "      --template-quota N  templates one exporter domain may hold (default 1024 of\n"
          "                          the 4096 shared; 0 = no quota, the pool is the limit)\n"
          "      --template-quota-size KIB  template KiB per exporter domain (default 1024\n"
          "                          of 4096; 0 = no quota)\n"
          "      --held-quota-size KIB  data held for missing templates per exporter\n"
          "                          domain (default 256 of 1024; 0 = no quota)\n"
          "\n"
          "Tables:\n"
          "      --local CIDR        a local network, deciding in/out (repeatable; default:\n"
          "                          the capture interfaces' own networks)\n"
          "      --max-flows N       conversations kept (default 250000)\n"
          "      --max-hosts N       hosts kept (default 100000)\n"
          "      --idle-timeout SECS forget a conversation idle this long (default 60)\n"
          "\n"
          "Screen (the default when standard output is a terminal):\n"
          "  -d, --interval SECS     seconds between refreshes (default 1; reports: 2)\n"
          "  -n, --no-dns            no reverse DNS names (key n toggles them)\n"
          "      --no-color          monochrome (so does the NO_COLOR variable)\n"
          "                          keys: ? or h inside the screen, or flowdrill(8)\n"
          "\n"
          "Output for scripts:\n"
          "  -t, --batch             no screen: print text reports\n"
          "      --json              print JSON Lines reports instead of text (implies --batch)\n"
          "      --count N           stop after N live reports or screen refreshes (default:\n"
          "                          until interrupted)\n"
          "      --by TABLES         comma list of host,pair,port,app,proto,exporter,iface,flow\n"
          "                          (default host)\n"
          "      --top N             rows per table (default 10; 0 = every row)\n"
          "      --sort KEY          bytes, packets, flows, rate2, rate10, rate40 (default bytes;\n"
          "                          the screen starts on rate2 unless given)\n"
          "\n"
          "History (an SQLite store of per-minute roll-ups; see HISTORY in flowdrill(8)):\n"
          "      --store DIR         keep history in DIR (default $XDG_DATA_HOME/flowdrill or\n"
          "                          ~/.local/share/flowdrill; on by default for live capture\n"
          "                          and collection, off for -r and --demo unless given)\n"
          "      --no-store          keep no history\n"
          "      --store-max-size MIB  size cap of the store (default 1024)\n"
          "      --history           print the history instead of capturing: the range's\n"
          "                          totals and the busiest rows of --by with mean, 95th\n"
          "                          percentile, peak and growth (text, or --json); trailing\n"
          "                          words are a screen filter (host 10.0.0.1 and port 443)\n"
          "      --since TIME        start of the range (default 24h: 90m, 7d, 2w back from now,\n"
          "                          a UTC date 2026-12-06T14:30, or @UNIXSECONDS)\n"
          "      --until TIME        end of the range (default now)\n"
          "      --capacity          --history's capacity planning: the total and the --top\n"
          "                          busiest exporters and interfaces (0: all) with mean, p95,\n"
          "                          peak and growth first week to last (default --since 30d)\n"
          "\n"
          "Alerts (scans, sweeps, floods, unfamiliar destinations, sudden talkers; on by\n"
          "default; see ALERTS in flowdrill(8)):\n"
          "      --alert NAME=VALUE  change a threshold, or NAME=off to turn a detector off\n"
          "                          (repeatable): scan=100 ports, sweep=64 hosts, syn=300,\n"
          "                          udp=500, icmp=200 packets/s, sources=16, factor=10,\n"
          "                          unfamiliar=5000 packets, unfamiliar-bytes=10 MB,\n"
          "                          talker=10 Mbit/s, talker-factor=20\n"
          "      --learn SECS        the unfamiliar detector's learning window (default 300)\n"
          "      --no-alerts         run no detector\n"
          "      --alerts-only       no reports: print one JSON line per new alert (implies\n"
          "                          --batch; --count N stops after N report intervals)\n"
          "\n"
          "  -h, --help              show this help and exit\n"
          "  -V, --version           show the version and exit\n"
          "\n"
          "Bytes are layer-3 bytes (IP total length), as NetFlow counts them. With -r the\n"
          "report covers the whole file and flowdrill exits when it ends.\n"
          "Exit status: 0 success, 1 runtime failure, 2 usage error. See flowdrill(8).\n",
          out);
}

/* One line: "flowdrill: OPTION: PROBLEM; FIX". */
static int bad(FILE *err, const char *opt, const char *problem, const char *val, const char *fix)
{
    fprintf(err, "flowdrill: %s: %s", opt, problem);
    if (val)
        fprintf(err, " '%s'", val);
    if (fix)
        fprintf(err, "; %s", fix);
    fputc('\n', err);
    return OPTIONS_USAGE;
}

/* Strict unsigned parse within [lo, hi]. */
static int parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    char *end;
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int num(FILE *err, const char *opt, const char *val, unsigned long lo, unsigned long hi,
               unsigned long *out)
{
    if (parse_ulong(val, lo, hi, out) == 0)
        return 0;
    fprintf(err, "flowdrill: %s: '%s' is not a whole number from %lu to %lu\n", opt, val, lo,
            hi);
    return -1;
}

/* --template-quota, --template-quota-size, --held-quota-size: a share of the collector's
 * shared pool (nf_config), 0 = no per-exporter quota. A share larger than the pool would
 * never bind, so it is refused rather than silently meaning 0. */
static int parse_quota(FILE *err, int opt, const char *val, struct options *o)
{
    struct nf_config def;
    nf_config_default(&def);
    const char *name, *unit;
    unsigned long pool, v;
    if (opt == OPT_TEMPLATE_QUOTA) {
        name = "--template-quota", unit = "templates";
        pool = def.max_templates;
    } else if (opt == OPT_TEMPLATE_QUOTA_SIZE) {
        name = "--template-quota-size", unit = "KiB";
        pool = (unsigned long)(def.max_template_bytes >> 10);
    } else {
        name = "--held-quota-size", unit = "KiB";
        pool = (unsigned long)(def.max_held_bytes >> 10);
    }
    if (parse_ulong(val, 0, ULONG_MAX, &v) != 0) {
        fprintf(err, "flowdrill: %s: '%s' is not a whole number; give %s per exporter, from 1 "
                "to %lu, or 0 for no quota\n", name, val, unit, pool);
        return -1;
    }
    if (v > pool) {
        fprintf(err, "flowdrill: %s: '%s' is more than the %lu %s all exporters share; give "
                "at most %lu, or 0 for no quota\n", name, val, pool, unit, pool);
        return -1;
    }
    if (opt == OPT_TEMPLATE_QUOTA)
        o->tpl_quota = (uint32_t)v;
    else if (opt == OPT_TEMPLATE_QUOTA_SIZE)
        o->tpl_quota_bytes = (size_t)v << 10;
    else
        o->held_quota_bytes = (size_t)v << 10;
    return 0;
}

static char *join_words(char **w, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(w[i]) + 1;
    char *s = xmalloc(len), *p = s;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(w[i]);
        if (i)
            *p++ = ' ';
        memcpy(p, w[i], l);
        p += l;
    }
    *p = '\0';
    return s;
}

static int parse_tables(const char *arg, unsigned *out, FILE *err)
{
    char buf[256];
    if (strlen(arg) >= sizeof buf || !*arg)
        return bad(err, "--by", "not a table list:", arg,
                   "use a comma list of host,pair,port,app,proto,flow");
    strcpy(buf, arg);
    unsigned m = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int i = agg_table_parse(t);
        if (i < 0) {
            fprintf(err,
                    "flowdrill: --by: unknown table '%s'; use a comma list of "
                    "host,pair,port,app,proto,exporter,iface,flow\n",
                    t);
            return OPTIONS_USAGE;
        }
        m |= 1u << i;
    }
    *out = m;
    return OPTIONS_OK;
}

int options_parse(struct options *o, int argc, char **argv, FILE *out, FILE *err)
{
    memset(o, 0, sizeof *o);
    o->snaplen = 160;
    o->promisc = true;
    o->interval = 2.0;
    o->tables = 1u << AGG_T_HOST;
    o->top = 10;
    o->sort = TOPN_SORT_BYTES;
    localnet_init(&o->local);
    agg_limits_default(&o->limits);
    o->store_max_bytes = STORE_MAX_BYTES_DEFAULT;
    detect_config_default(&o->detect);

    unsigned long v;
    int c;
    optind = 1;
    opterr = 0;
    o->template_timeout = 1800;
    struct nf_config nfc;
    nf_config_default(&nfc);
    o->tpl_quota = nfc.tpl_quota;
    o->tpl_quota_bytes = nfc.tpl_quota_bytes;
    o->held_quota_bytes = nfc.held_quota_bytes;
    localnet_init(&o->allow);
    while ((c = getopt_long(argc, argv, ":i:l:f:s:r:Z:td:nhV", long_opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            if (o->n_ifaces == OPTIONS_MAX_IFACES) {
                fprintf(err, "flowdrill: -i: at most %d interfaces\n", OPTIONS_MAX_IFACES);
                return OPTIONS_USAGE;
            }
            if (!*optarg)
                return bad(err, "-i", "empty interface name", NULL, "name one, e.g. -i eth0");
            o->ifaces[o->n_ifaces++] = optarg;
            break;
        case 'l': {
            struct sockaddr_storage sa;
            char why[160];
            if (o->n_listen == OPTIONS_MAX_LISTEN) {
                fprintf(err, "flowdrill: -l: at most %d listeners\n", OPTIONS_MAX_LISTEN);
                return OPTIONS_USAGE;
            }
            if (udp_listener_parse(optarg, &sa, why, sizeof why) != 0) {
                fprintf(err, "flowdrill: -l: %s; use -l PORT, -l ADDR:PORT or -l [IPV6]:PORT\n",
                        why);
                return OPTIONS_USAGE;
            }
            o->listen[o->n_listen++] = optarg;
            break;
        }
        case OPT_RCVBUF:
            if (num(err, "--rcvbuf", optarg, 4096, 1UL << 30, &v))
                return OPTIONS_USAGE;
            o->rcvbuf = v;
            break;
        case OPT_ALLOW: {
            int r = localnet_add_cidr(&o->allow, optarg);
            if (r == -ENOSPC) {
                fprintf(err, "flowdrill: --allow: at most %d networks\n", LOCALNET_MAX);
                return OPTIONS_USAGE;
            }
            if (r)
                return bad(err, "--allow", "not a network:", optarg,
                           "write it as ADDRESS/PREFIX, e.g. 192.0.2.0/24");
            break;
        }
        case OPT_DEFAULT_SAMPLING:
            if (num(err, "--default-sampling", optarg, 1, UINT32_MAX, &v))
                return OPTIONS_USAGE;
            o->default_sampling = (uint32_t)v;
            break;
        case OPT_FORCE_SAMPLING:
            if (num(err, "--force-sampling", optarg, 1, UINT32_MAX, &v))
                return OPTIONS_USAGE;
            o->force_sampling = (uint32_t)v;
            break;
        case OPT_TEMPLATE_TIMEOUT:
            if (num(err, "--template-timeout", optarg, 10, 604800, &v))
                return OPTIONS_USAGE;
            o->template_timeout = (uint32_t)v;
            break;
        case OPT_TEMPLATE_QUOTA:
        case OPT_TEMPLATE_QUOTA_SIZE:
        case OPT_HELD_QUOTA_SIZE:
            if (parse_quota(err, c, optarg, o))
                return OPTIONS_USAGE;
            break;
        case 'f':
            free(o->bpf);
            o->bpf = xstrdup(optarg);
            break;
        case 's':
            if (num(err, "-s", optarg, 64, 262144, &v))
                return OPTIONS_USAGE;
            o->snaplen = (unsigned)v;
            break;
        case OPT_BUFFER:
            if (num(err, "--buffer-size", optarg, 64, 4194304, &v))
                return OPTIONS_USAGE;
            o->buffer_kib = (unsigned)v;
            break;
        case OPT_NO_PROMISC:
            o->promisc = false;
            break;
        case 'r':
            if (!*optarg)
                return bad(err, "-r", "empty file name", NULL, "use -r FILE, or -r - for stdin");
            o->file = optarg;
            break;
        case OPT_REALTIME:
            o->realtime = true;
            break;
        case OPT_DEMO:
            o->demo = true;
            break;
        case 'Z':
            if (!*optarg)
                return bad(err, "-Z", "empty user name", NULL, "e.g. -Z nobody");
            o->user = optarg;
            break;
        case OPT_LOCAL: {
            int r = localnet_add_cidr(&o->local, optarg);
            if (r == -ENOSPC) {
                fprintf(err, "flowdrill: --local: at most %d networks\n", LOCALNET_MAX);
                return OPTIONS_USAGE;
            }
            if (r)
                return bad(err, "--local", "not a network:", optarg,
                           "write it as ADDRESS/PREFIX, e.g. 10.0.0.0/8 or 2001:db8::/32");
            o->local_given = true;
            break;
        }
        case OPT_MAX_FLOWS:
            if (num(err, "--max-flows", optarg, 16, 100000000, &v))
                return OPTIONS_USAGE;
            o->limits.max_flows = (uint32_t)v;
            break;
        case OPT_MAX_HOSTS:
            if (num(err, "--max-hosts", optarg, 16, 100000000, &v))
                return OPTIONS_USAGE;
            o->limits.max_hosts = (uint32_t)v;
            o->limits.max_pairs = (uint32_t)v;
            break;
        case OPT_IDLE:
            if (num(err, "--idle-timeout", optarg, 1, 86400, &v))
                return OPTIONS_USAGE;
            o->limits.idle_timeout = (uint32_t)v;
            break;
        case 't':
            o->batch = true;
            break;
        case 'n':
            o->no_dns = true;
            break;
        case OPT_NO_COLOR:
            o->no_color = true;
            break;
        case OPT_JSON:
            o->json = true;
            o->batch = true;
            break;
        case 'd': {
            char *end;
            errno = 0;
            double d = strtod(optarg, &end);
            if (errno || end == optarg || *end || !isfinite(d) || d < 0.1 || d > 86400)
                return bad(err, "-d", "not a number of seconds:", optarg,
                           "use a value from 0.1 to 86400, e.g. -d 2");
            o->interval = d;
            o->interval_given = true;
            break;
        }
        case OPT_COUNT:
            if (num(err, "--count", optarg, 1, 1000000000, &v))
                return OPTIONS_USAGE;
            o->count = v;
            break;
        case OPT_BY:
            if (parse_tables(optarg, &o->tables, err))
                return OPTIONS_USAGE;
            break;
        case OPT_TOP:
            if (num(err, "--top", optarg, 0, 100000000, &v))
                return OPTIONS_USAGE;
            o->top = v;
            break;
        case OPT_SORT: {
            int s = topn_sort_parse(optarg);
            if (s < 0)
                return bad(err, "--sort", "unknown sort key", optarg,
                           "use bytes, packets, flows, rate2, rate10 or rate40");
            o->sort = (enum topn_sort)s;
            o->sort_given = true;
            break;
        }
        case OPT_STORE:
            if (!*optarg)
                return bad(err, "--store", "empty directory name", NULL,
                           "name one, e.g. --store /var/lib/flowdrill");
            o->store_dir = optarg;
            break;
        case OPT_NO_STORE:
            o->no_store = true;
            break;
        case OPT_STORE_MAX:
            if (num(err, "--store-max-size", optarg, 1, 16777216, &v))
                return OPTIONS_USAGE;
            o->store_max_bytes = (uint64_t)v << 20;
            break;
        case OPT_HISTORY:
            o->history = true;
            break;
        case OPT_CAPACITY:
            o->history = o->capacity = true;
            break;
        case OPT_SINCE:
        case OPT_UNTIL: {
            uint32_t t;
            if (history_cli_parse_time(optarg, 86400u * 365 * 30, &t) != 0)
                return bad(err, c == OPT_SINCE ? "--since" : "--until", "not a time", optarg,
                           "use a duration back from now (24h, 7d), a UTC date "
                           "(2026-12-06T14:30) or @UNIXSECONDS");
            if (c == OPT_SINCE)
                o->since = optarg;
            else
                o->until = optarg;
            break;
        }
        case OPT_ALERT: {
            char why[400];
            if (detect_config_set(&o->detect, optarg, why, sizeof why) != 0) {
                fprintf(err, "flowdrill: %s\n", why);
                return OPTIONS_USAGE;
            }
            break;
        }
        case OPT_LEARN:
            if (num(err, "--learn", optarg, 0, 86400 * 30, &v))
                return OPTIONS_USAGE;
            o->detect.learn_s = (uint32_t)v;
            break;
        case OPT_NO_ALERTS:
            o->no_alerts = true;
            break;
        case OPT_ALERTS_ONLY:
            o->alerts_only = true;
            o->batch = true;
            break;
        case 'h':
            options_usage(out);
            return OPTIONS_EXIT;
        case 'V':
            fprintf(out, "flowdrill %s\n", PACKAGE_VERSION);
            return OPTIONS_EXIT;
        case ':':
            fprintf(err, "flowdrill: option '%s' needs a value; see flowdrill --help\n",
                    argv[optind - 1]);
            return OPTIONS_USAGE;
        default:
            if (optopt)
                fprintf(err, "flowdrill: unknown option '-%c'; see flowdrill --help\n", optopt);
            else
                fprintf(err, "flowdrill: unknown option '%s'; see flowdrill --help\n",
                        argv[optind - 1]);
            return OPTIONS_USAGE;
        }
    }
    if (optind < argc) {
        if (o->bpf) {
            fputs("flowdrill: a filter was given with -f and as trailing words; use one\n", err);
            return OPTIONS_USAGE;
        }
        o->bpf = join_words(argv + optind, argc - optind);
    }
    int sources = (o->file != NULL) + (o->demo ? 1 : 0);
    if (sources > 1 || (o->n_ifaces && sources) || (o->demo && o->n_listen)) {
        fputs("flowdrill: choose the sources: -i IFACE and/or -l PORT, or -r FILE (with -l PORT "
              "to decode exports inside it), or --demo\n",
              err);
        return OPTIONS_USAGE;
    }
    if (o->history && (sources || o->n_ifaces || o->n_listen)) {
        fputs("flowdrill: --history reads the store and captures nothing; drop -i, -l, -r and "
              "--demo\n",
              err);
        return OPTIONS_USAGE;
    }
    if (o->history && o->no_store) {
        fputs("flowdrill: --history needs the store; drop --no-store\n", err);
        return OPTIONS_USAGE;
    }
    if ((o->since || o->until) && !o->history) {
        fputs("flowdrill: --since and --until only apply to --history\n", err);
        return OPTIONS_USAGE;
    }
    if (o->store_dir && o->no_store) {
        fputs("flowdrill: --store and --no-store contradict each other; use one\n", err);
        return OPTIONS_USAGE;
    }
    if (o->alerts_only && (o->json || o->history || o->no_alerts)) {
        fprintf(err, "flowdrill: --alerts-only prints alerts as JSON lines by itself; drop %s\n",
                o->json ? "--json" : o->history ? "--history" : "--no-alerts");
        return OPTIONS_USAGE;
    }
    if (o->history)
        o->batch = true; /* a query, never the screen */
    if (!o->batch && !o->interval_given)
        o->interval = 1.0; /* the screen refreshes every second, reports every two */
    if (o->realtime && !o->file) {
        fputs("flowdrill: --realtime only applies to -r FILE\n", err);
        return OPTIONS_USAGE;
    }
    return OPTIONS_OK;
}

void options_free(struct options *o)
{
    free(o->bpf);
    o->bpf = NULL;
}
