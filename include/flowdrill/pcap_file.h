/*
 * pcap_file.h - a zero-copy reader of classic pcap files held in memory (mapped or embedded).
 *
 * libpcap reads savefiles through stdio, copying every record twice; for `-r` on a big file
 * that copying costs more than all of flowdrill's own work. This reader walks the records in
 * place. It handles the classic format only (both byte orders, micro- and nanosecond magic);
 * pcapng, stdin and anything else go through libpcap (see pcap_source.c). No <pcap.h> here.
 */
#ifndef FLOWDRILL_PCAP_FILE_H
#define FLOWDRILL_PCAP_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcap_file {
    const uint8_t *base; /* borrowed: the whole file */
    size_t len;
    size_t off;          /* next record header */
    bool swapped;        /* written on a machine of the other byte order */
    bool nsec;           /* nanosecond timestamps */
    uint32_t snaplen;
    int linktype;
};

struct pcap_file_pkt {
    int64_t ts_us;
    uint32_t caplen, wirelen;
    const uint8_t *data; /* borrowed from the file, caplen bytes */
};

/* True when the bytes start with a classic pcap magic number. */
bool pcap_file_is_classic(const void *buf, size_t len);

/* Parse the global header. Returns 0, or -EINVAL when this is not a classic pcap file. */
int pcap_file_open(struct pcap_file *f, const void *buf, size_t len);

/*
 * Next record. Returns 1 with *p filled, 0 at a clean end of file, or -EINVAL when the file
 * ends inside a record or a record header is bogus (caplen beyond 256 KiB or past the end of
 * the file); the reader then stays at that point.
 */
int pcap_file_next(struct pcap_file *f, struct pcap_file_pkt *p);

/* Start again from the first record. */
void pcap_file_rewind(struct pcap_file *f);

#endif
