/*
 * pcapw.c - minimal classic-pcap file writer for test fixtures (see pcapw.h).
 * Integers are encoded byte by byte, so the output is little-endian on any host.
 */
#include "config.h"

#include "pcapw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct pcapw {
    FILE *f;
    int err; /* first negative errno seen, or 0 */
};

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static int pcapw_put(struct pcapw *w, const void *buf, size_t n)
{
    if (n && fwrite(buf, 1, n, w->f) != n) {
        if (!w->err)
            w->err = errno ? -errno : -EIO;
        return w->err;
    }
    return 0;
}

struct pcapw *pcapw_open(const char *path, int linktype, uint32_t snaplen)
{
    uint8_t hdr[24];
    struct pcapw *w;

    if (!path) {
        errno = EINVAL;
        return NULL;
    }
    w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->f = fopen(path, "wb");
    if (!w->f) {
        free(w);
        return NULL;
    }
    put_le32(hdr, 0xa1b2c3d4u); /* magic: microsecond timestamps */
    put_le16(hdr + 4, 2);       /* version major */
    put_le16(hdr + 6, 4);       /* version minor */
    put_le32(hdr + 8, 0);       /* thiszone */
    put_le32(hdr + 12, 0);      /* sigfigs */
    put_le32(hdr + 16, snaplen);
    put_le32(hdr + 20, (uint32_t)linktype);
    if (pcapw_put(w, hdr, sizeof hdr) < 0) {
        int e = w->err;
        fclose(w->f);
        free(w);
        errno = -e;
        return NULL;
    }
    return w;
}

int pcapw_write(struct pcapw *w, int64_t ts_us, const void *frame, uint32_t caplen,
                uint32_t wirelen)
{
    uint8_t rec[16];
    int r;

    if (!w || (!frame && caplen))
        return -EINVAL;
    if (ts_us < 0)
        ts_us = 0;
    if (wirelen < caplen)
        wirelen = caplen;
    put_le32(rec, (uint32_t)(ts_us / 1000000));
    put_le32(rec + 4, (uint32_t)(ts_us % 1000000));
    put_le32(rec + 8, caplen);
    put_le32(rec + 12, wirelen);
    r = pcapw_put(w, rec, sizeof rec);
    if (r == 0)
        r = pcapw_put(w, frame, caplen);
    return r;
}

int pcapw_close(struct pcapw *w)
{
    int err;

    if (!w)
        return 0;
    err = w->err;
    if (fclose(w->f) != 0 && !err)
        err = errno ? -errno : -EIO;
    free(w);
    return err;
}
