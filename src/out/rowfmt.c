/*
 * rowfmt.c - text for row keys and quantities (see rowfmt.h).
 */
#include "config.h"

#include "flowdrill/rowfmt.h"

#include <stdio.h>
#include <string.h>

#include "flowdrill/agg_key.h"
#include "flowdrill/stat_table.h"

void rowfmt_proto(uint8_t proto, char *buf, size_t len)
{
    const char *n = flow_proto_name(proto);
    if (n)
        snprintf(buf, len, "%s", n);
    else
        snprintf(buf, len, "%u", proto);
}

static void rowfmt_endpoint(const struct flow_addr *a, uint16_t port, char *buf, size_t len,
                            int with_port)
{
    char s[FLOW_ADDR_STRLEN];
    flow_addr_format(a, s, sizeof s);
    if (!with_port)
        snprintf(buf, len, "%s", s);
    else if (flow_addr_is_v4(a))
        snprintf(buf, len, "%s:%u", s, port);
    else
        snprintf(buf, len, "[%s]:%u", s, port);
}

char *rowfmt_key(const struct topn_row *r, char *buf, size_t len)
{
    char x[FLOW_ADDR_STRLEN + 8], y[FLOW_ADDR_STRLEN + 8], p[8];
    if (r->table != AGG_T_FLOW && (r->flags & STAT_F_OTHER)) {
        snprintf(buf, len, "other");
        return buf;
    }
    switch (r->table) {
    case AGG_T_HOST: {
        struct flow_addr a;
        memcpy(a.b, r->key.raw, 16);
        flow_addr_format(&a, buf, len);
        break;
    }
    case AGG_T_PAIR: {
        struct flow_addr a, b;
        memcpy(a.b, r->key.raw, 16);
        memcpy(b.b, r->key.raw + 16, 16);
        flow_addr_format(&a, x, sizeof x);
        flow_addr_format(&b, y, sizeof y);
        snprintf(buf, len, "%s <-> %s", x, y);
        break;
    }
    case AGG_T_PORT:
        rowfmt_proto(r->key.raw[2], p, sizeof p);
        snprintf(buf, len, "%u/%s", (unsigned)(r->key.raw[0] << 8 | r->key.raw[1]), p);
        break;
    case AGG_T_APP:
        snprintf(buf, len, "%.*s", STAT_KEY_MAX, (const char *)r->key.raw);
        break;
    case AGG_T_PROTO:
        rowfmt_proto(r->key.raw[0], buf, len);
        break;
    case AGG_T_EXPORTER:
    case AGG_T_IFACE: {
        struct agg_iface_id id;
        agg_iface_key_parse(r->key.raw, r->table == AGG_T_IFACE, &id);
        flow_addr_format(&id.exporter, x, sizeof x);
        if (r->table == AGG_T_EXPORTER)
            snprintf(buf, len, "%s/%u", x, id.domain);
        else
            snprintf(buf, len, "%s/%u if %u", x, id.domain, id.ifindex);
        break;
    }
    case AGG_T_FLOW: {
        const struct flow_key *k = &r->key.flow;
        int ports = flow_proto_has_ports(k->proto);
        rowfmt_endpoint(&k->a, k->pa, x, sizeof x, ports);
        rowfmt_endpoint(&k->b, k->pb, y, sizeof y, ports);
        rowfmt_proto(k->proto, p, sizeof p);
        snprintf(buf, len, "%s <-> %s %s", x, y, p);
        break;
    }
    default:
        snprintf(buf, len, "?");
    }
    return buf;
}

const char *rowfmt_service(const struct topn_row *r, const struct service_db *svc)
{
    if (r->table != AGG_T_PORT || (r->flags & STAT_F_OTHER))
        return "";
    uint16_t port = (uint16_t)(r->key.raw[0] << 8 | r->key.raw[1]);
    return service_db_name(svc, service_db_id(svc, port, r->key.raw[2]));
}

static char *rowfmt_scaled(uint64_t v, unsigned base, const char *const *units, size_t nunits,
                           char *buf, size_t len)
{
    if (v < base) {
        snprintf(buf, len, "%llu %s", (unsigned long long)v, units[0]);
        return buf;
    }
    double d = (double)v;
    size_t u = 0;
    while (d >= base && u + 1 < nunits) {
        d /= base;
        u++;
    }
    if (d >= 99.95)
        snprintf(buf, len, "%.0f %s", d, units[u]);
    else if (d >= 9.995)
        snprintf(buf, len, "%.1f %s", d, units[u]);
    else
        snprintf(buf, len, "%.2f %s", d, units[u]);
    return buf;
}

char *rowfmt_bytes(uint64_t bytes, char *buf, size_t len)
{
    static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    return rowfmt_scaled(bytes, 1024, u, 7, buf, len);
}

char *rowfmt_rate(uint64_t bps, char *buf, size_t len)
{
    static const char *const u[] = {"b", "Kb", "Mb", "Gb", "Tb", "Pb", "Eb"};
    return rowfmt_scaled(bps, 1000, u, 7, buf, len);
}

char *rowfmt_count(uint64_t n, char *buf, size_t len)
{
    if (n < 1000)
        snprintf(buf, len, "%llu", (unsigned long long)n);
    else if (n < 1000000)
        snprintf(buf, len, "%.1fk", (double)n / 1e3);
    else if (n < 1000000000)
        snprintf(buf, len, "%.1fM", (double)n / 1e6);
    else
        snprintf(buf, len, "%.1fG", (double)n / 1e9);
    return buf;
}

char *rowfmt_tcp_flags(uint8_t flags, char *buf, size_t len)
{
    static const char letters[] = "FSRPAUEC"; /* bit 0 = FIN ... bit 7 = CWR */
    size_t o = 0;
    for (int i = 0; i < 8 && o + 1 < len; i++)
        if (flags & (1u << i))
            buf[o++] = letters[i];
    if (len)
        buf[o < len ? o : len - 1] = '\0';
    return buf;
}
