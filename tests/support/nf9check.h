/*
 * nf9check.h - NetFlow v9 building blocks shared by check_nf9.c and check_nf9_robust.c:
 * a plain IPv4 template and records for it. Include after nfcheck.h.
 */
#ifndef FLOWDRILL_TESTS_NF9CHECK_H
#define FLOWDRILL_TESTS_NF9CHECK_H

#include "nfcheck.h"

/* A plain IPv4 template: 38-byte records. */
static const struct nfenc_field v4f[] = {
    {8, 4, 0}, {12, 4, 0}, {7, 2, 0},  {11, 2, 0}, {4, 1, 0},  {6, 1, 0},  {1, 4, 0},
    {2, 4, 0}, {10, 2, 0}, {14, 2, 0}, {16, 2, 0}, {17, 2, 0}, {22, 4, 0}, {21, 4, 0},
};
#define NV4 (sizeof v4f / sizeof v4f[0])

static inline void v9_tpl(uint16_t tid)
{
    nfenc_template_set(&m, tid, v4f, NV4);
}

static inline void v4_rec(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint32_t bytes,
                   uint32_t pkts)
{
    nfenc_v4(&m, src);
    nfenc_v4(&m, dst);
    nfenc_u16(&m, sport);
    nfenc_u16(&m, dport);
    nfenc_u8(&m, 6);
    nfenc_u8(&m, 0x12);
    nfenc_u32(&m, bytes);
    nfenc_u32(&m, pkts);
    nfenc_u16(&m, 3);
    nfenc_u16(&m, 4);
    nfenc_u16(&m, 64500);
    nfenc_u16(&m, 64501);
    nfenc_u32(&m, 90000);
    nfenc_u32(&m, 99000);
}

static inline void v9_data(uint16_t tid, int n)
{
    nfenc_set_begin(&m, tid);
    for (int i = 0; i < n; i++)
        v4_rec("10.0.0.1", (uint16_t)(1000 + i), "192.0.2.9", 443, 1500, 3);
    nfenc_set_end(&m);
}

/* v9 header with sysUptime 100 s at T0. */
static inline void v9_hdr(uint32_t seq, uint32_t source_id)
{
    nfenc_v9(&m, 100000, T0, seq, source_id);
}


#endif
