/*
 * service.c - port -> service name (see service.h).
 *
 * Two 64 Ki arrays of name ids (TCP-like, UDP-like) filled once at start; lookups are a
 * single array read, because they run once per new conversation.
 */
#include "config.h"

#include "flowdrill/service.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "flowdrill/xalloc.h"

#define SERVICE_NAME_MAX 4096

struct service_db {
    uint16_t tcp[65536];
    uint16_t udp[65536];
    char *names[SERVICE_NAME_MAX]; /* names[0] = "" */
    uint16_t n_names;
};

/* Used when the system database lacks an entry (minimal containers ship no /etc/services). */
static const struct {
    uint16_t port;
    const char *tcp, *udp;
} builtin_services[] = {
    {20, "ftp-data", NULL},      {21, "ftp", NULL},
    {22, "ssh", NULL},           {23, "telnet", NULL},
    {25, "smtp", NULL},          {53, "domain", "domain"},
    {67, NULL, "bootps"},        {68, NULL, "bootpc"},
    {69, NULL, "tftp"},          {80, "http", "http"},
    {88, "kerberos", "kerberos"}, {110, "pop3", NULL},
    {111, "sunrpc", "sunrpc"},   {119, "nntp", NULL},
    {123, NULL, "ntp"},          {137, NULL, "netbios-ns"},
    {138, NULL, "netbios-dgm"},  {139, "netbios-ssn", NULL},
    {143, "imap2", NULL},        {161, NULL, "snmp"},
    {162, NULL, "snmp-trap"},    {179, "bgp", NULL},
    {389, "ldap", NULL},         {443, "https", "https"},
    {445, "microsoft-ds", NULL}, {465, "submissions", NULL},
    {500, NULL, "isakmp"},       {514, NULL, "syslog"},
    {515, "printer", NULL},      {546, NULL, "dhcpv6-client"},
    {547, NULL, "dhcpv6-server"}, {587, "submission", NULL},
    {636, "ldaps", NULL},        {853, "domain-s", "domain-s"},
    {873, "rsync", NULL},        {993, "imaps", NULL},
    {995, "pop3s", NULL},        {1194, "openvpn", "openvpn"},
    {1433, "ms-sql-s", NULL},    {1812, NULL, "radius"},
    {1883, "mqtt", NULL},        {2049, "nfs", "nfs"},
    {2055, NULL, "netflow"},     {3306, "mysql", NULL},
    {3389, "ms-wbt-server", NULL}, {3478, NULL, "stun"},
    {4500, NULL, "ipsec-nat-t"}, {4739, NULL, "ipfix"},
    {5060, "sip", "sip"},        {5353, NULL, "mdns"},
    {5432, "postgresql", NULL},  {5671, "amqps", NULL},
    {5672, "amqp", NULL},        {5900, "rfb", NULL},
    {6343, NULL, "sflow"},       {6379, "redis", NULL},
    {6443, "sun-sr-https", NULL}, {6514, "syslog-tls", NULL},
    {8080, "http-alt", NULL},    {8443, "https-alt", NULL},
    {9092, "kafka", NULL},       {9200, "elasticsearch", NULL},
    {11211, "memcache", "memcache"}, {27017, "mongodb", NULL},
    {51820, NULL, "wireguard"},
};

static uint16_t service_intern(struct service_db *db, const char *name)
{
    for (uint16_t i = 1; i < db->n_names; i++)
        if (strcmp(db->names[i], name) == 0)
            return i;
    if (db->n_names >= SERVICE_NAME_MAX)
        return 0;
    char buf[32];
    size_t n = strlen(name);
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    /* keep names short and printable: they end up in table keys and on the terminal */
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        buf[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                         c == '-' || c == '_' || c == '.' || c == '/'
                     ? c
                     : '_';
    }
    buf[n] = '\0';
    db->names[db->n_names] = xstrdup(buf);
    return db->n_names++;
}

struct service_db *service_db_new(bool use_system)
{
    struct service_db *db = xcalloc(1, sizeof *db);
    db->names[0] = xstrdup("");
    db->n_names = 1;
    if (use_system) {
        struct servent *se;
        setservent(0);
        while ((se = getservent()) != NULL) {
            uint16_t port = ntohs((uint16_t)se->s_port);
            uint16_t *slot = NULL;
            if (strcmp(se->s_proto, "tcp") == 0)
                slot = &db->tcp[port];
            else if (strcmp(se->s_proto, "udp") == 0)
                slot = &db->udp[port];
            if (slot && !*slot)
                *slot = service_intern(db, se->s_name);
        }
        endservent();
    }
    for (size_t i = 0; i < sizeof builtin_services / sizeof builtin_services[0]; i++) {
        uint16_t p = builtin_services[i].port;
        if (builtin_services[i].tcp && !db->tcp[p])
            db->tcp[p] = service_intern(db, builtin_services[i].tcp);
        if (builtin_services[i].udp && !db->udp[p])
            db->udp[p] = service_intern(db, builtin_services[i].udp);
    }
    return db;
}

void service_db_free(struct service_db *db)
{
    if (!db)
        return;
    for (uint16_t i = 0; i < db->n_names; i++)
        free(db->names[i]);
    free(db);
}

uint16_t service_db_id(const struct service_db *db, uint16_t port, uint8_t proto)
{
    switch (proto) {
    case 6:   /* tcp */
    case 132: /* sctp */
    case 33:  /* dccp */
        return db->tcp[port];
    case 17:  /* udp */
    case 136: /* udplite */
        return db->udp[port];
    default:
        return 0;
    }
}

const char *service_db_name(const struct service_db *db, uint16_t id)
{
    return id < db->n_names ? db->names[id] : "";
}

uint16_t service_db_pick(const struct service_db *db, uint8_t proto, uint16_t pa, uint16_t pb)
{
    bool wa = pa != 0 && pa < 1024, wb = pb != 0 && pb < 1024;
    if (wa != wb)
        return wa ? pa : pb;
    bool na = service_db_id(db, pa, proto) != 0, nb = service_db_id(db, pb, proto) != 0;
    if (na != nb)
        return na ? pa : pb;
    if (pa == 0)
        return pb;
    if (pb == 0)
        return pa;
    return pa < pb ? pa : pb;
}
