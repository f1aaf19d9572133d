/*
 * mksflow.c - turn a capture into the sFlow v5 an agent sampling 1:N would have sent, as a
 * capture of datagrams (Ethernet/IPv4/UDP 192.0.2.1:4444 -> 127.0.0.1:6343), so that
 * `flowdrill -r OUT -l 6343` can be compared with `flowdrill -r IN` (tests/sflow_generated.sh).
 *
 * Every Nth frame (N = 1 by default: every frame, so totals compare exactly) becomes a flow
 * sample with rate N: a raw packet header record of its first HLEN captured bytes (128 by
 * default), frame_length = wire length + 4 (an FCS), stripped = 4; Ethernet frames keep
 * header protocol 1, raw IP frames become 11 (IPv4) or 12 (IPv6); other link types are
 * skipped (and counted on stderr). Samples alternate between the compact (1) and expanded
 * (3) formats, up to 8 per datagram and 1400 bytes. Every 50th datagram also carries a
 * counter sample of interface 1 whose octet and packet counters are the totals so far (wire
 * lengths), so counter values are known exactly too; the last datagram always carries one.
 * Datagrams take the time of their last frame; the sequence number counts datagrams.
 * Reads classic pcap only (pcap_file.h).
 *
 * -R REPEAT reads the capture REPEAT times over (times shifted by its span each round), to
 * make large inputs for bench/sflow.sh.
 *
 * usage: mksflow [-n N] [-H HLEN] [-R REPEAT] IN.pcap OUT.pcap
 * Prints "frames F sampled S skipped K datagrams D in_octets O" on stdout.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flowdrill/packet.h"
#include "flowdrill/pcap_file.h"
#include "frames.h"
#include "pcapw.h"
#include "sfenc.h"

#define AGENT "192.0.2.1"
#define MAX_SAMPLES 8
#define MAX_DGRAM 1400

struct mksflow {
    struct pcapw *out;
    struct sfenc m;
    struct frame f;
    uint32_t seq, nsamples, sample_seq, datagrams;
    uint64_t octets, packets;
    int64_t ts_us;
    int err;
};

static void mksflow_counters(struct mksflow *s)
{
    struct sfenc_if k;

    memset(&k, 0, sizeof k);
    k.ifindex = 1;
    k.iftype = 6;
    k.speed = 1000000000u;
    k.status = 3;
    k.in_octets = s->octets;
    k.in_ucast = (uint32_t)s->packets;
    sfenc_counter_sample(&s->m, false, s->datagrams, 1, 1);
    sfenc_generic_counters(&s->m, &k);
    sfenc_end(&s->m);
}

static void mksflow_start(struct mksflow *s)
{
    s->seq++;
    sfenc_init(&s->m, AGENT, 0, s->seq, (uint32_t)(s->ts_us / 1000));
    s->nsamples = 0;
}

static void mksflow_flush(struct mksflow *s, bool last)
{
    if (s->nsamples == 0 && !last)
        return;
    if (last || s->datagrams % 50 == 49)
        mksflow_counters(s);
    sfenc_finish(&s->m);
    if (s->m.overflow) {
        s->err = -EOVERFLOW;
        return;
    }
    frame_init(&s->f);
    frame_eth(&s->f, 0x0800);
    frame_ipv4(&s->f, &(struct frame_ip4){.src = AGENT, .dst = "127.0.0.1", .proto = 17});
    frame_udp(&s->f, 4444, 6343);
    frame_bytes(&s->f, s->m.buf, s->m.len);
    if (frame_finish(&s->f) < 0) {
        s->err = -EOVERFLOW;
        return;
    }
    if (pcapw_write(s->out, s->ts_us, s->f.buf, (uint32_t)s->f.len, (uint32_t)s->f.len) < 0)
        s->err = -EIO;
    s->datagrams++;
    mksflow_start(s);
}

/* Header protocol of a frame, or 0 when sFlow cannot carry this link type. */
static uint32_t mksflow_proto(int linktype, const struct pcap_file_pkt *p)
{
    if (linktype == PACKET_LT_EN10MB)
        return 1;
    if ((linktype == PACKET_LT_RAW || linktype == PACKET_LT_RAW_OBSD ||
         linktype == PACKET_LT_IPV4 || linktype == PACKET_LT_IPV6) &&
        p->caplen > 0)
        return p->data[0] >> 4 == 6 ? 12 : 11;
    return 0;
}

static void mksflow_sample(struct mksflow *s, uint32_t proto, const struct pcap_file_pkt *p,
                           uint32_t rate, uint32_t hlen)
{
    uint32_t h = p->caplen < hlen ? p->caplen : hlen;
    uint32_t wire = p->wirelen > p->caplen ? p->wirelen : p->caplen;

    if (s->nsamples == MAX_SAMPLES || s->m.len + h + 120 > MAX_DGRAM)
        mksflow_flush(s, false);
    s->sample_seq++;
    if (s->sample_seq % 2)
        sfenc_flow_sample(&s->m, s->sample_seq, 1, rate, s->sample_seq * rate, 0, 1, 2, 1);
    else
        sfenc_flow_sample_exp(&s->m, s->sample_seq, rate, s->sample_seq * rate, 0, 1, 2, 1);
    sfenc_raw_header(&s->m, proto, wire + 4, 4, p->data, h);
    sfenc_end(&s->m);
    s->nsamples++;
}

static int usage(void)
{
    fputs("usage: mksflow [-n N] [-H HLEN] [-R REPEAT] IN.pcap OUT.pcap\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    static struct mksflow s;
    uint32_t rate = 1, hlen = 128, repeat = 1;
    int64_t shift = 0, first_ts = -1, last_ts = 0;
    uint64_t frames = 0, sampled = 0, skipped = 0;
    struct pcap_file pf;
    struct pcap_file_pkt p;
    FILE *in;
    uint8_t *buf;
    long size;
    int opt, rc;

    while ((opt = getopt(argc, argv, "n:H:R:")) != -1) {
        if (opt == 'n')
            rate = (uint32_t)strtoul(optarg, NULL, 10);
        else if (opt == 'H')
            hlen = (uint32_t)strtoul(optarg, NULL, 10);
        else if (opt == 'R')
            repeat = (uint32_t)strtoul(optarg, NULL, 10);
        else
            return usage();
    }
    if (argc - optind != 2 || rate == 0 || hlen == 0 || repeat == 0)
        return usage();
    in = fopen(argv[optind], "rb");
    if (!in || fseek(in, 0, SEEK_END) != 0 || (size = ftell(in)) < 0 ||
        fseek(in, 0, SEEK_SET) != 0) {
        perror(argv[optind]);
        return 1;
    }
    buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, in) != (size_t)size) {
        perror(argv[optind]);
        return 1;
    }
    fclose(in);
    if (pcap_file_open(&pf, buf, (size_t)size) != 0) {
        fprintf(stderr, "%s: not a classic pcap file\n", argv[optind]);
        return 1;
    }
    s.out = pcapw_open(argv[optind + 1], 1, 65535);
    if (!s.out) {
        perror(argv[optind + 1]);
        return 1;
    }
    mksflow_start(&s);
    for (uint32_t round = 0; round < repeat; round++) {
        if (round) {
            pcap_file_rewind(&pf);
            shift += last_ts - first_ts + 1000000;
        }
        while ((rc = pcap_file_next(&pf, &p)) == 1) {
            if (first_ts < 0)
                first_ts = p.ts_us;
            if (round == 0)
                last_ts = p.ts_us;
            p.ts_us += shift;
            uint32_t proto = mksflow_proto(pf.linktype, &p);
            uint32_t wire = p.wirelen > p.caplen ? p.wirelen : p.caplen;
            frames++;
            s.octets += wire;
            s.packets++;
            s.ts_us = p.ts_us;
            if (proto == 0) {
                skipped++;
                continue;
            }
            if ((frames - 1) % rate != 0)
                continue;
            mksflow_sample(&s, proto, &p, rate, hlen);
            sampled++;
        }
    }
    mksflow_flush(&s, true);
    if (pcapw_close(s.out) != 0 || s.err || rc < 0) {
        fprintf(stderr, "mksflow: %s\n", rc < 0 ? "bad capture" : "write failed");
        return 1;
    }
    printf("frames %llu sampled %llu skipped %llu datagrams %u in_octets %llu\n",
           (unsigned long long)frames, (unsigned long long)sampled, (unsigned long long)skipped,
           s.datagrams, (unsigned long long)s.octets);
    free(buf);
    return 0;
}
