/*
 * fuzz_nf.c - libFuzzer targets for the flow-export decoders, built five times:
 *   FUZZ_VERSION=5, 9 or 10: every datagram is forced to that version (v5, v9, IPFIX);
 *   FUZZ_VERSION=NF_VERSION_SFLOW5 (105): every datagram starts with the 32-bit sFlow
 *   version 5;
 *   FUZZ_VERSION=0: the stateful target (F2/F3/F7): versions as given, four exporters,
 *   ticks that expire templates and held data, tight limits so eviction paths run.
 *
 * Input: a sequence of datagrams, each [1 byte exporter+tick][2 bytes length][bytes]. The
 * collector lives for one input; ASan/LSan check every path, and the sink checks the
 * invariants every record must hold.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/nf.h"

#ifndef FUZZ_VERSION
#define FUZZ_VERSION 0
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_sink(void *ctx, const struct flow_rec *recs, size_t n)
{
    int64_t now = *(const int64_t *)ctx;
    for (size_t i = 0; i < n; i++) {
        const struct flow_rec *r = &recs[i];
        if (r->first_us > r->last_us || r->last_us > now)
            abort(); /* times clamped: first <= last <= arrival */
        if (!(r->flags & FLOW_REC_EXPORTED) || r->sampling == 0)
            abort();
        if (r->af != FLOW_AF_INET && r->af != FLOW_AF_INET6 && r->af != FLOW_AF_NONE)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t now = 1700000000LL * 1000000;
    struct nf_config cfg;
    nf_config_default(&cfg);
    /* small tables: a fresh collector per input must be cheap to build */
    cfg.max_exporters = 4;
    cfg.max_domains = 4;
    cfg.max_templates = 64;
    if (FUZZ_VERSION == 0) {
        cfg.max_exporters = 2;
        cfg.max_domains = 2;
        cfg.max_templates = 8;
        cfg.max_template_bytes = 4096;
        cfg.max_held_bytes = 2048;
        cfg.held_timeout_s = 2;
        cfg.template_timeout_s = 10;
    }
    struct flow_sink sink = {fuzz_sink, &now};
    struct nf_collector *c = nf_collector_new(&cfg, sink);
    static const char *const senders[4] = {"192.0.2.1", "192.0.2.2", "2001:db8::1", "10.0.0.1"};
    uint8_t dgram[65536];
    while (size >= 3) {
        uint8_t ctl = data[0];
        size_t len = (size_t)data[1] << 8 | data[2];
        data += 3;
        size -= 3;
        if (len > size)
            len = size;
        memcpy(dgram, data, len);
        if (FUZZ_VERSION == NF_VERSION_SFLOW5 && len >= 4) {
            dgram[0] = dgram[1] = dgram[2] = 0;
            dgram[3] = 5;
        } else if (FUZZ_VERSION && FUZZ_VERSION != NF_VERSION_SFLOW5 && len >= 2) {
            dgram[0] = 0;
            dgram[1] = FUZZ_VERSION;
        }
        struct flow_addr a;
        flow_addr_parse(senders[ctl & 3], &a);
        /* the heap copy is exactly the datagram: reads past it are ASan reports */
        uint8_t *heap = malloc(len ? len : 1);
        memcpy(heap, dgram, len);
        nf_collector_input(c, &a, (uint16_t)(2055 + (ctl >> 2 & 1)), heap, len, now);
        free(heap);
        if (ctl & 0x80) {
            now += (int64_t)(ctl & 0x70) * 1000000; /* up to 112 s later */
            nf_collector_tick(c, now);
        }
        data += len;
        size -= len;
    }
    struct nf_exporter_info info[8];
    nf_collector_exporters(c, info, 8);
    struct nf_interface_info ifs[8];
    nf_collector_interfaces(c, ifs, 8);
    nf_collector_free(c);
    return 0;
}
