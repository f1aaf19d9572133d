/*
 * flow_addr.c - formatting and parsing of flow addresses and protocol names.
 * Depends on the C library and POSIX inet_ntop/inet_pton only.
 */
#include "config.h"

#include "flowdrill/flow.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

char *flow_addr_format(const struct flow_addr *a, char *buf, size_t len)
{
    const char *r;
    if (flow_addr_is_v4(a))
        r = inet_ntop(AF_INET, a->b + 12, buf, (socklen_t)len);
    else
        r = inet_ntop(AF_INET6, a->b, buf, (socklen_t)len);
    if (!r && len)
        buf[0] = '\0';
    return buf;
}

int flow_addr_parse(const char *s, struct flow_addr *out)
{
    uint8_t b[16];
    if (inet_pton(AF_INET, s, b) == 1) {
        flow_addr_set_v4(out, b);
        return 0;
    }
    if (inet_pton(AF_INET6, s, b) == 1) {
        flow_addr_set_v6(out, b);
        return 0;
    }
    return -EINVAL;
}

const char *flow_proto_name(uint8_t proto)
{
    switch (proto) {
    case 1: return "icmp";
    case 2: return "igmp";
    case 4: return "ipip";
    case 6: return "tcp";
    case 17: return "udp";
    case 41: return "ipv6";
    case 47: return "gre";
    case 50: return "esp";
    case 51: return "ah";
    case 58: return "icmp6";
    case 89: return "ospf";
    case 103: return "pim";
    case 112: return "vrrp";
    case 132: return "sctp";
    case 136: return "udplite";
    default: return NULL;
    }
}
