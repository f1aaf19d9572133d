/*
 * fuzz_packet.c - libFuzzer target for the packet decoder (./configure CC=clang
 * --enable-fuzzing; run tests/fuzz/fuzz_packet [corpus dir]).
 *
 * The first two input bytes choose the link type among those the decoder supports, the
 * third how much of the frame was "captured"; the rest is the frame. The frame is copied to
 * a heap block of exactly its captured length, so any read past caplen is an ASan report.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {
    PACKET_LT_NULL,     PACKET_LT_EN10MB,     PACKET_LT_PPP,       PACKET_LT_PPP_HDLC,
    PACKET_LT_PPP_ETHER, PACKET_LT_RAW,       PACKET_LT_RAW_OBSD,  PACKET_LT_LOOP,
    PACKET_LT_LINUX_SLL, PACKET_LT_IPV4,      PACKET_LT_IPV6,      PACKET_LT_NFLOG,
    PACKET_LT_LINUX_SLL2, 147 /* unsupported: must be counted, not guessed */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    int lt = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
    size_t frame_len = size - 3;
    /* a caplen shorter than the frame on the wire, sometimes */
    size_t caplen = data[2] & 1 ? frame_len * data[1] / 255 : frame_len;
    uint8_t *frame = malloc(caplen ? caplen : 1);
    memcpy(frame, data + 3, caplen);
    struct packet_stats st;
    memset(&st, 0, sizeof st);
    struct flow_rec r;
    int ok = packet_decode(&st, lt, frame, (uint32_t)caplen, (uint32_t)frame_len, 0, &r);
    uint64_t drops = 0;
    for (int i = 0; i < PACKET_R_MAX; i++)
        if (packet_reason_is_drop(i))
            drops += st.count[i];
    /* every frame lands in exactly one place */
    if ((ok == 1) != (drops == 0) || drops > 1)
        abort();
    if (ok && r.bytes > frame_len + 40)
        abort(); /* bytes never exceed what the wire carried (+ the IPv6 fixed header rule) */
    free(frame);
    return 0;
}
