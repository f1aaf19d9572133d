/*
 * nf5check.h - the fixture shared by check_nf5.c and check_nf_collector.c: a collector
 * built from an editable config, a recording sink, a v5 datagram under construction and
 * its header, and the exporter address they come from. Each test program includes it once.
 */
#ifndef FLOWDRILL_TESTS_NF5CHECK_H
#define FLOWDRILL_TESTS_NF5CHECK_H

#include <stdint.h>
#include <stdlib.h>

#include <check.h>

#include "flowdrill/flow.h"
#include "flowdrill/nf.h"
#include "nfenc5.h"

#define EXPORT_SECS 1700000000u
#define EXPORT_US ((int64_t)EXPORT_SECS * 1000000)

static struct nf_config cfg;
static struct nf_collector *col;
static struct nfenc5_recorder rec;
static struct nfenc5 *M;
static struct nfenc5_hdr H;
static struct flow_addr EXP;

static inline void setup(void)
{
    nf_config_default(&cfg);
    nfenc5_recorder_init(&rec);
    M = malloc(sizeof *M);
    ck_assert_ptr_nonnull(M);
    nfenc5_hdr_default(&H);
    flow_addr_parse("192.0.2.1", &EXP);
    col = NULL;
}

static inline void teardown(void)
{
    nf_collector_free(col);
    nfenc5_recorder_free(&rec);
    free(M);
}

/* Create the collector from the (possibly edited) cfg. */
static inline void start(void)
{
    col = nf_collector_new(&cfg, nfenc5_recorder_sink(&rec));
    ck_assert_ptr_nonnull(col);
}

#endif
