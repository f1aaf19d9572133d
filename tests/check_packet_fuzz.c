/*
 * check_packet_fuzz.c - the packet decoder: reason names, the test support code (pcap writer, frame
 * builder), and 200k mutated frames per link type (each ends a heap block: ASan catches any
 * read past caplen).
 */
#include "config.h"

#include "checkrun.h"
#include "pktcheck.h"

START_TEST(reason_names)
{
    int drops = 0;
    for (int r = 0; r < PACKET_R_MAX; r++) {
        const char *n = packet_reason_name((enum packet_reason)r);
        ck_assert_ptr_nonnull(n);
        ck_assert_str_ne(n, "unknown");
        for (const char *c = n; *c; c++)
            ck_assert((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_');
        for (int q = 0; q < r; q++)
            ck_assert_str_ne(n, packet_reason_name((enum packet_reason)q));
        drops += packet_reason_is_drop((enum packet_reason)r);
    }
    ck_assert_int_eq(drops, PACKET_R_TRUNCATED);
    ck_assert_str_eq(packet_reason_name(PACKET_R_VLAN_DEPTH), "vlan_depth");
    ck_assert_str_eq(packet_reason_name(PACKET_R_MPLS_DEPTH), "mpls_depth");
    ck_assert_str_eq(packet_reason_name(PACKET_R_MAX), "unknown");
    ck_assert(packet_reason_is_drop(PACKET_R_NON_IP));
    ck_assert(!packet_reason_is_drop(PACKET_R_TRUNCATED));
    ck_assert(!packet_reason_is_drop(PACKET_R_MAX));
}
END_TEST

/* ================================ support code ================================ */

static uint32_t le32_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

START_TEST(pcapw_roundtrip)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    uint8_t buf[256];
    struct pcapw *w;
    FILE *in;
    size_t n;

    snprintf(path, sizeof path, "%s/check_packet_%ld.pcap", dir && *dir ? dir : "/tmp",
             (long)getpid());
    frame_eth(F, ET_IPV4);
    add_ip4_tcp();
    frame_finish(F);
    w = pcapw_open(path, 1, 65535);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(pcapw_write(w, INT64_C(1500000000250000), F->buf, 20, (uint32_t)F->len), 0);
    ck_assert_int_eq(pcapw_write(w, 7, NULL, 0, 60), 0);
    ck_assert_int_eq(pcapw_write(w, 0, NULL, 5, 5), -EINVAL);
    ck_assert_int_eq(pcapw_close(w), 0);
    ck_assert_int_eq(pcapw_close(NULL), 0);

    in = fopen(path, "rb");
    ck_assert_ptr_nonnull(in);
    n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    unlink(path);
    ck_assert_uint_eq(n, 24 + 16 + 20 + 16);
    ck_assert_uint_eq(le32_at(buf), 0xa1b2c3d4u);
    ck_assert_uint_eq(buf[4] | buf[5] << 8, 2);
    ck_assert_uint_eq(buf[6] | buf[7] << 8, 4);
    ck_assert_uint_eq(le32_at(buf + 16), 65535);
    ck_assert_uint_eq(le32_at(buf + 20), 1);
    ck_assert_uint_eq(le32_at(buf + 24), 1500000000u);
    ck_assert_uint_eq(le32_at(buf + 28), 250000u);
    ck_assert_uint_eq(le32_at(buf + 32), 20);
    ck_assert_uint_eq(le32_at(buf + 36), F->len);
    ck_assert_mem_eq(buf + 40, F->buf, 20);
    ck_assert_uint_eq(le32_at(buf + 60), 0);
    ck_assert_uint_eq(le32_at(buf + 64), 7);
    ck_assert_uint_eq(le32_at(buf + 68), 0);
    ck_assert_uint_eq(le32_at(buf + 72), 60);

    ck_assert_ptr_null(pcapw_open("/nonexistent-dir/x.pcap", 1, 65535));
}
END_TEST

START_TEST(frames_bounds)
{
    size_t off;

    frame_fill(F, 0, FRAME_MAX - 2);
    ck_assert(!F->bad);
    off = frame_u16(F, 0xbeef);
    ck_assert_uint_eq(off, FRAME_MAX - 2);
    ck_assert(!F->bad);
    frame_u8(F, 1);
    ck_assert(F->bad);
    ck_assert_uint_eq(F->len, FRAME_MAX);
    ck_assert_int_eq(frame_finish(F), -1);

    frame_init(F);
    frame_ipv4(F, &(struct frame_ip4){.src = "not-an-address"});
    ck_assert_int_eq(frame_finish(F), -1);

    /* The IPv4 checksum frame_finish computes verifies. */
    frame_init(F);
    add_ip4_tcp();
    ck_assert_int_eq(frame_finish(F), 0);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)F->buf[i] << 8 | F->buf[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ck_assert_uint_eq(sum, 0xffff);
    ck_assert_uint_eq(F->buf[2] << 8 | F->buf[3], 140);
}
END_TEST

/* ================================ robustness ================================ */

/* xorshift64*: deterministic, seeded per run, state passed explicitly. */
static uint64_t rnd_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static uint32_t rnd_below(uint64_t *s, uint32_t n)
{
    return n ? (uint32_t)(rnd_next(s) % n) : 0;
}

/* A representative valid frame for a link type (with a tag, label, option or extension header
 * where one fits, so that mutations reach the deeper parsers). */
static void fuzz_base(int lt, int variant)
{
    bool v6 = variant & 1;
    bool tcp = variant & 2;

    frame_init(F);
    switch (lt) {
    case PACKET_LT_EN10MB:
        switch (variant % 5) {
        case 0:
            frame_eth(F, ET_VLAN);
            frame_vlan(F, 1, ET_QINQ);
            frame_vlan(F, 2, v6 ? ET_IPV6 : ET_IPV4);
            break;
        case 1:
            frame_eth(F, ET_MPLS);
            frame_mpls(F, 1, false, 1);
            frame_mpls(F, 2, true, 1);
            break;
        case 2:
            frame_eth(F, ET_PPPOE_SESS);
            frame_pppoe(F, v6 ? 0x0057 : 0x0021);
            break;
        case 3:
            frame_eth_8023(F);
            frame_llc_snap(F, 0, v6 ? ET_IPV6 : ET_IPV4);
            break;
        default:
            frame_eth(F, v6 ? ET_IPV6 : ET_IPV4);
            break;
        }
        break;
    case PACKET_LT_LINUX_SLL:
        frame_sll(F, v6 ? ET_IPV6 : ET_IPV4);
        break;
    case PACKET_LT_LINUX_SLL2:
        frame_sll2(F, v6 ? ET_IPV6 : ET_IPV4);
        break;
    case PACKET_LT_NULL:
    case PACKET_LT_LOOP:
        frame_null(F, v6 ? 30 : 2, lt == PACKET_LT_LOOP || (variant & 4));
        break;
    case PACKET_LT_PPP:
    case PACKET_LT_PPP_HDLC:
        frame_u8(F, 0xff);
        frame_u8(F, 0x03);
        frame_u16(F, v6 ? 0x0057 : 0x0021);
        break;
    case PACKET_LT_PPP_ETHER:
        frame_pppoe(F, v6 ? 0x0057 : 0x0021);
        break;
    case PACKET_LT_NFLOG:
        frame_nflog(F, v6 ? 10 : 2);
        break;
    case PACKET_LT_IPV4:
        v6 = false;
        break;
    case PACKET_LT_IPV6:
        v6 = true;
        break;
    default: /* raw */
        break;
    }
    if (v6) {
        frame_ipv6(F, &(struct frame_ip6){.src = "2001:db8::1", .dst = "2001:db8::2", .next = 0});
        frame_ipv6_ext(F, 44, 0);
        frame_ipv6_frag(F, tcp ? 6 : 17, 0, true, 1);
    } else {
        frame_ipv4(F, &(struct frame_ip4){.src = "10.0.0.1",
                                          .dst = "10.0.0.2",
                                          .proto = tcp ? 6 : 17,
                                          .options = "\1\1\1\0",
                                          .options_len = 4});
    }
    if (tcp)
        frame_tcp(F, 1, 2, FRAME_TCP_SYN, 6);
    else
        frame_udp(F, 3, 4);
    frame_fill(F, 0x5a, (size_t)(variant * 7) % 64);
    ck_assert_int_eq(frame_finish(F), 0);
}

START_TEST(fuzz_all_linktypes)
{
    static const int lts[] = {PACKET_LT_NULL,      PACKET_LT_EN10MB,    PACKET_LT_PPP,
                              PACKET_LT_PPP_HDLC,  PACKET_LT_PPP_ETHER, PACKET_LT_RAW,
                              PACKET_LT_RAW_OBSD,  PACKET_LT_LOOP,      PACKET_LT_LINUX_SLL,
                              PACKET_LT_IPV4,      PACKET_LT_IPV6,      PACKET_LT_NFLOG,
                              PACKET_LT_LINUX_SLL2};
    const int per_lt = 200000;
    uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);
    uint64_t ok = 0, dropped = 0;
    uint8_t *tmp = malloc(FRAME_MAX);
    uint8_t *block = malloc(FRAME_MAX);
    uint8_t *end = block + FRAME_MAX;

    ck_assert_ptr_nonnull(tmp);
    ck_assert_ptr_nonnull(block);
    for (size_t l = 0; l < sizeof lts / sizeof lts[0]; l++) {
        int lt = lts[l];
        ck_assert(packet_linktype_supported(lt));
        for (int i = 0; i < per_lt; i++) {
            uint32_t len, caplen, wirelen;
            uint64_t before = 0, after = 0;
            uint8_t *copy;

            if (i % 64 == 0)
                fuzz_base(lt, i / 64);
            len = (uint32_t)F->len;
            memcpy(tmp, F->buf, len);
            switch (rnd_below(&seed, 4)) {
            case 0: /* flip a few bits */
                for (uint32_t k = rnd_below(&seed, 8) + 1; k > 0; k--)
                    tmp[rnd_below(&seed, len)] ^= (uint8_t)(1u << rnd_below(&seed, 8));
                break;
            case 1: /* overwrite a few bytes with interesting values */
                for (uint32_t k = rnd_below(&seed, 4) + 1; k > 0; k--) {
                    static const uint8_t v[] = {0,    1,    0x3f, 0x40, 0x45, 0x4f, 0x60, 0x7f,
                                                0x80, 0x81, 0xff, 0x08, 0x86, 0xdd, 0x2c};
                    tmp[rnd_below(&seed, len)] = v[rnd_below(&seed, sizeof v)];
                }
                break;
            case 2: /* random bytes */
                len = rnd_below(&seed, 200);
                for (uint32_t k = 0; k < len; k++)
                    tmp[k] = (uint8_t)rnd_next(&seed);
                break;
            default: /* unchanged, only the lengths vary */
                break;
            }
            caplen = rnd_below(&seed, 3) ? len : rnd_below(&seed, len + 1);
            wirelen = rnd_below(&seed, 2) ? caplen : caplen + rnd_below(&seed, 3000);
            if (rnd_below(&seed, 16) == 0)
                wirelen = rnd_below(&seed, caplen + 1); /* below caplen: treated as caplen */

            /* The frame ends where the heap block ends, so ASan catches a read past caplen. */
            copy = end - caplen;
            memmove(copy, tmp, caplen);
            for (int r = 0; r < PACKET_R_MAX; r++)
                before += packet_reason_is_drop((enum packet_reason)r) ? st.count[r] : 0;
            rc = packet_decode(&st, lt, copy, caplen, wirelen, i, &rec);
            for (int r = 0; r < PACKET_R_MAX; r++)
                after += packet_reason_is_drop((enum packet_reason)r) ? st.count[r] : 0;

            /* Plain checks here: a ck_assert per iteration costs a syscall in Check. */
            if (wirelen < caplen)
                wirelen = caplen;
            if (rc == 1) {
                ok++;
                if (after != before || (rec.af != FLOW_AF_INET && rec.af != FLOW_AF_INET6) ||
                    rec.bytes < (rec.af == FLOW_AF_INET ? 20u : 40u) || rec.bytes > wirelen ||
                    rec.packets != 1 ||
                    ((rec.flags & FLOW_REC_NO_PORTS) && (rec.sport || rec.dport)) ||
                    !!(rec.flags & FLOW_REC_TRUNCATED) != (caplen < wirelen))
                    ck_abort_msg("linktype %d frame %d: bad record (bytes %llu af %u)", lt, i,
                                 (unsigned long long)rec.bytes, rec.af);
            } else {
                dropped++;
                if (rc != 0 || after != before + 1)
                    ck_abort_msg("linktype %d frame %d: rc %d, drops +%llu", lt, i, rc,
                                 (unsigned long long)(after - before));
            }
        }
    }
    free(tmp);
    free(block);
    ck_assert_uint_eq(ok + dropped, (uint64_t)per_lt * (sizeof lts / sizeof lts[0]));
    /* The mutations must leave a good share decodable, or the deep paths went untested. */
    ck_assert_uint_gt(ok, dropped / 4);
}
END_TEST


int main(void)
{
    Suite *s = suite_create("packet");
    TCase *sup = tcase_create("sup");
    TCase *fuzz = tcase_create("fuzz");
    tcase_add_checked_fixture(sup, setup, teardown);
    suite_add_tcase(s, sup);
    tcase_add_checked_fixture(fuzz, setup, teardown);
    suite_add_tcase(s, fuzz);
    tcase_add_test(sup, reason_names);
    tcase_add_test(sup, pcapw_roundtrip);
    tcase_add_test(sup, frames_bounds);
    tcase_add_test(fuzz, fuzz_all_linktypes);
    tcase_set_timeout(fuzz, 300);
    return check_run(s);
}
