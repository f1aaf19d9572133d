/*
 * options.h - the command line: parsing, validation, --help.
 *
 * Parsing never exits and never touches the network; it returns a status and writes any
 * message to the stream it is given, so tests can drive it. Messages name the problem and
 * the fix in one line.
 */
#ifndef FLOWDRILL_OPTIONS_H
#define FLOWDRILL_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "flowdrill/agg.h"
#include "flowdrill/detect.h"
#include "flowdrill/localnet.h"
#include "flowdrill/topn.h"

#define OPTIONS_MAX_IFACES 16
#define OPTIONS_MAX_LISTEN 8

struct options {
    const char *ifaces[OPTIONS_MAX_IFACES]; /* borrowed from argv */
    size_t n_ifaces;
    const char *file;   /* -r; "-" = stdin */
    bool realtime;      /* --realtime */
    bool demo;          /* --demo */
    char *bpf;          /* -f or trailing words (owned) */
    unsigned snaplen;   /* -s */
    unsigned buffer_kib; /* --buffer-size, 0 = libpcap's default */
    bool promisc;
    const char *user;   /* -Z; NULL = "nobody" */
    const char *listen[OPTIONS_MAX_LISTEN]; /* -l [ADDR:]PORT, borrowed from argv */
    size_t n_listen;
    size_t rcvbuf;      /* --rcvbuf bytes, 0 = system default */
    struct localnet allow; /* --allow: exporters accepted (empty = all) */
    uint32_t default_sampling, force_sampling; /* 0 = not given */
    uint32_t template_timeout; /* seconds */
    /* per exporter domain shares of the template cache (nf_config; 0 = no quota) */
    uint32_t tpl_quota;        /* --template-quota N (default nf_config_default's) */
    size_t tpl_quota_bytes;    /* --template-quota-size KIB, in bytes */
    size_t held_quota_bytes;   /* --held-quota-size KIB, in bytes */
    struct localnet local;
    bool local_given;
    struct agg_limits limits;
    bool batch, json;
    double interval;    /* -d seconds (screen default 1, reports 2) */
    bool interval_given;
    bool no_dns;        /* -n */
    bool no_color;      /* --no-color */
    unsigned long count; /* --count, 0 = unlimited */
    unsigned tables;    /* --by: bit per enum agg_table */
    size_t top;         /* --top, 0 = all */
    enum topn_sort sort;
    bool sort_given;
    /* the history store (store.h) */
    const char *store_dir; /* --store DIR, borrowed; NULL = the default directory */
    bool no_store;         /* --no-store */
    uint64_t store_max_bytes; /* --store-max-size MIB, in bytes */
    bool history;          /* --history: query the store and exit */
    bool capacity;         /* --capacity: --history's capacity-planning report */
    const char *since, *until; /* --since/--until text (history_cli_parse_time), borrowed */
    /* the threat detectors (detect.h) */
    struct detect_config detect; /* --alert, --learn */
    bool no_alerts;        /* --no-alerts: no detector runs */
    bool alerts_only;      /* --alerts-only: one JSON line per new alert, no reports */
};

enum {
    OPTIONS_OK = 0,   /* run */
    OPTIONS_EXIT = 1, /* --help/--version printed: exit 0 */
    OPTIONS_USAGE = 2 /* bad usage, message printed: exit 2 */
};

/* Parse argv into *o (o is initialized here). Messages go to `err`; --help and --version to
 * `out`. Returns OPTIONS_*. Call options_free afterwards in every case. */
int options_parse(struct options *o, int argc, char **argv, FILE *out, FILE *err);
void options_free(struct options *o);

void options_usage(FILE *out);

#endif
