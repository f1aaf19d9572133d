/*
 * pcapw.h - a minimal writer of classic pcap files, for making test fixtures.
 *
 * Writes the original libpcap format: a little-endian global header with magic 0xa1b2c3d4
 * (microsecond timestamps), version 2.4, the given snap length and link type, then one
 * 16-byte record header plus `caplen` bytes per frame. No pcapng, no nanoseconds, no
 * libpcap dependency. Depends on the C library only.
 */
#ifndef FLOWDRILL_TESTS_PCAPW_H
#define FLOWDRILL_TESTS_PCAPW_H

#include <stdint.h>

/* An open pcap file being written (opaque; owned by the caller, freed by pcapw_close). */
struct pcapw;

/*
 * Create (or truncate) `path` and write the global header. `linktype` is a LINKTYPE_ number
 * (1 = Ethernet, 101 = raw IP, 113 = Linux SLL, ...); `snaplen` is stored as given (use
 * 65535 or 262144 when in doubt). Returns NULL with errno set on failure.
 */
struct pcapw *pcapw_open(const char *path, int linktype, uint32_t snaplen);

/*
 * Append one frame: `ts_us` is the Unix time in microseconds (negative values are written as
 * 0), `frame` holds `caplen` bytes (borrowed for the call), `wirelen` is the original length
 * (a value below caplen is written as caplen). Returns 0, or -EINVAL for a NULL writer or a
 * NULL frame with caplen > 0, or a negative errno on a write error.
 */
int pcapw_write(struct pcapw *w, int64_t ts_us, const void *frame, uint32_t caplen,
                uint32_t wirelen);

/* Flush, close and free the writer (NULL is allowed). Returns 0, or a negative errno if a
 * write error happened at any point since pcapw_open. */
int pcapw_close(struct pcapw *w);

#endif
