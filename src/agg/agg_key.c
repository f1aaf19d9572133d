/*
 * agg_key.c - the keys a conversation books under (agg_key.h): its service port and
 * application.
 */
#include "config.h"

#include "flowdrill/agg_key.h"

#include <stdio.h>

bool agg_service_of(const struct service_db *svc, const struct flow_key *k, uint16_t *port,
                    int *to_svc)
{
    if (!flow_proto_has_ports(k->proto) || !(k->pa || k->pb))
        return false;
    *port = service_db_pick(svc, k->proto, k->pa, k->pb);
    *to_svc = agg_to_svc(k, *port);
    return true;
}

bool agg_port_key(const struct service_db *svc, const struct flow_key *k,
                  uint8_t key[AGG_PORT_KEY], int *to_svc)
{
    uint16_t port;
    if (!agg_service_of(svc, k, &port, to_svc))
        return false;
    key[0] = (uint8_t)(port >> 8);
    key[1] = (uint8_t)port;
    key[2] = k->proto;
    return true;
}

void agg_app_key_of(const struct service_db *svc, uint8_t proto, uint16_t port, bool has_port,
                    uint8_t key[STAT_KEY_MAX])
{
    memset(key, 0, STAT_KEY_MAX);
    const char *pname = flow_proto_name(proto);
    char num[8];
    if (!pname) {
        snprintf(num, sizeof num, "ip-%u", proto);
        pname = num;
    }
    if (!has_port) {
        snprintf((char *)key, STAT_KEY_MAX, "%s", pname);
        return;
    }
    const char *name = service_db_name(svc, service_db_id(svc, port, proto));
    if (*name)
        snprintf((char *)key, STAT_KEY_MAX, "%s", name);
    else
        snprintf((char *)key, STAT_KEY_MAX, "unknown/%s", pname);
}

bool agg_app_key(const struct service_db *svc, const struct flow_key *k,
                 uint8_t key[STAT_KEY_MAX])
{
    if (!flow_proto_has_ports(k->proto)) {
        agg_app_key_of(svc, k->proto, 0, false, key);
        return true;
    }
    if (!(k->pa || k->pb))
        return false;
    agg_app_key_of(svc, k->proto, service_db_pick(svc, k->proto, k->pa, k->pb), true, key);
    return true;
}
