/*
 * localnet.c - local network list (see localnet.h).
 */
#include "config.h"

#include "flowdrill/localnet.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void localnet_init(struct localnet *ln)
{
    memset(ln, 0, sizeof *ln);
}

static void localnet_mask(struct flow_addr *a, unsigned bits)
{
    for (unsigned i = 0; i < 16; i++) {
        unsigned lo = i * 8;
        if (bits >= lo + 8)
            continue;
        a->b[i] &= bits <= lo ? 0 : (uint8_t)(0xff << (8 - (bits - lo)));
    }
}

int localnet_add(struct localnet *ln, const struct flow_addr *a, unsigned prefix)
{
    bool v4 = flow_addr_is_v4(a);
    if (prefix > (v4 ? 32u : 128u))
        return -EINVAL;
    if (ln->n >= LOCALNET_MAX)
        return -ENOSPC;
    unsigned bits = v4 ? prefix + 96 : prefix;
    struct flow_addr m = *a;
    localnet_mask(&m, bits);
    for (size_t i = 0; i < ln->n; i++)
        if (ln->bits[i] == bits && memcmp(&ln->net[i], &m, sizeof m) == 0)
            return 0; /* already there */
    ln->net[ln->n] = m;
    ln->bits[ln->n] = (uint8_t)bits;
    struct flow_addr ones;
    memset(&ones, 0xff, sizeof ones);
    localnet_mask(&ones, bits);
    memcpy(ln->net_w[ln->n], &m, sizeof m);
    memcpy(ln->mask_w[ln->n], &ones, sizeof ones);
    ln->n++;
    return 0;
}

int localnet_add_cidr(struct localnet *ln, const char *cidr)
{
    char buf[64];
    size_t len = strlen(cidr);
    if (len == 0 || len >= sizeof buf)
        return -EINVAL;
    memcpy(buf, cidr, len + 1);
    char *slash = strchr(buf, '/');
    long prefix = -1;
    if (slash) {
        *slash = '\0';
        char *end;
        errno = 0;
        prefix = strtol(slash + 1, &end, 10);
        if (errno || end == slash + 1 || *end || prefix < 0)
            return -EINVAL;
    }
    struct flow_addr a;
    if (flow_addr_parse(buf, &a) != 0)
        return -EINVAL;
    if (prefix < 0)
        prefix = flow_addr_is_v4(&a) ? 32 : 128;
    return localnet_add(ln, &a, (unsigned)prefix);
}

bool localnet_contains(const struct localnet *ln, const struct flow_addr *a)
{
    uint64_t w[2];
    memcpy(w, a, sizeof w);
    for (size_t i = 0; i < ln->n; i++)
        if ((w[0] & ln->mask_w[i][0]) == ln->net_w[i][0] &&
            (w[1] & ln->mask_w[i][1]) == ln->net_w[i][1])
            return true;
    return false;
}

void localnet_format(const struct localnet *ln, size_t i, char *buf, size_t len)
{
    char a[FLOW_ADDR_STRLEN];
    flow_addr_format(&ln->net[i], a, sizeof a);
    bool v4 = flow_addr_is_v4(&ln->net[i]) && ln->bits[i] >= 96;
    snprintf(buf, len, "%s/%u", a, v4 ? ln->bits[i] - 96u : ln->bits[i]);
}
