/*
 * pcap_file.c - in-place reader of classic pcap files (see pcap_file.h).
 */
#include "config.h"

#include "flowdrill/pcap_file.h"

#include <errno.h>
#include <string.h>

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_GLOBAL_HDR 24
#define PCAP_REC_HDR 16
#define PCAP_MAX_CAPLEN (256u * 1024u)

static uint32_t rd32(const uint8_t *p, bool swapped)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swapped ? __builtin_bswap32(v) : v;
}

static int magic_kind(const uint8_t *p, bool *swapped, bool *nsec)
{
    uint32_t m;
    memcpy(&m, p, 4);
    if (m == PCAP_MAGIC_US || m == PCAP_MAGIC_NS) {
        *swapped = false;
        *nsec = m == PCAP_MAGIC_NS;
        return 0;
    }
    m = __builtin_bswap32(m);
    if (m == PCAP_MAGIC_US || m == PCAP_MAGIC_NS) {
        *swapped = true;
        *nsec = m == PCAP_MAGIC_NS;
        return 0;
    }
    return -EINVAL;
}

bool pcap_file_is_classic(const void *buf, size_t len)
{
    bool s, n;
    return buf && len >= PCAP_GLOBAL_HDR && magic_kind(buf, &s, &n) == 0;
}

int pcap_file_open(struct pcap_file *f, const void *buf, size_t len)
{
    memset(f, 0, sizeof *f);
    if (!pcap_file_is_classic(buf, len))
        return -EINVAL;
    const uint8_t *p = buf;
    magic_kind(p, &f->swapped, &f->nsec);
    f->base = p;
    f->len = len;
    f->off = PCAP_GLOBAL_HDR;
    f->snaplen = rd32(p + 16, f->swapped);
    /* the upper bits of the link type field may carry FCS information */
    f->linktype = (int)(rd32(p + 20, f->swapped) & 0x03ffffffu);
    return 0;
}

int pcap_file_next(struct pcap_file *f, struct pcap_file_pkt *p)
{
    size_t left = f->len - f->off;
    if (left == 0)
        return 0;
    if (left < PCAP_REC_HDR)
        return -EINVAL;
    const uint8_t *h = f->base + f->off;
    uint32_t sec = rd32(h, f->swapped), frac = rd32(h + 4, f->swapped);
    uint32_t caplen = rd32(h + 8, f->swapped), wirelen = rd32(h + 12, f->swapped);
    if (caplen > PCAP_MAX_CAPLEN || caplen > left - PCAP_REC_HDR)
        return -EINVAL;
    p->ts_us = (int64_t)sec * 1000000 + (f->nsec ? frac / 1000 : frac);
    p->caplen = caplen;
    p->wirelen = wirelen < caplen ? caplen : wirelen;
    p->data = h + PCAP_REC_HDR;
    f->off += PCAP_REC_HDR + caplen;
    return 1;
}

void pcap_file_rewind(struct pcap_file *f)
{
    f->off = PCAP_GLOBAL_HDR;
}
