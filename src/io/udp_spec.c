/*
 * udp_spec.c - parsing -l [ADDR:]PORT (kept apart from the socket code so option parsing
 * and its tests need no collector).
 */
#include "config.h"

#include "flowdrill/udp_listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int udp_listener_parse(const char *spec, struct sockaddr_storage *out, char *err, size_t errlen)
{
    char host[64] = "";
    const char *port_s = spec;
    memset(out, 0, sizeof *out);
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= sizeof host) {
            snprintf(err, errlen, "'%s' is not [IPv6]:PORT", spec);
            return -EINVAL;
        }
        memcpy(host, spec + 1, (size_t)(end - spec - 1));
        port_s = end + 2;
    } else {
        const char *colon = strrchr(spec, ':');
        if (colon) {
            if (strchr(spec, ':') != colon) {
                snprintf(err, errlen, "'%s': write an IPv6 address in brackets, e.g. [::1]:2055",
                         spec);
                return -EINVAL;
            }
            if ((size_t)(colon - spec) >= sizeof host) {
                snprintf(err, errlen, "'%s' is not an address", spec);
                return -EINVAL;
            }
            memcpy(host, spec, (size_t)(colon - spec));
            port_s = colon + 1;
        }
    }
    char *end;
    errno = 0;
    unsigned long port = strtoul(port_s, &end, 10);
    if (!*port_s || *end || errno || port == 0 || port > 65535 || *port_s == '-' ||
        *port_s == '+') {
        snprintf(err, errlen, "'%s' is not a port from 1 to 65535", port_s);
        return -EINVAL;
    }
    if (!host[0]) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
        a6->sin6_family = AF_INET6;
        a6->sin6_addr = in6addr_any;
        a6->sin6_port = htons((uint16_t)port);
        return 0;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)out;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        return 0;
    }
    snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", host);
    return -EINVAL;
}
