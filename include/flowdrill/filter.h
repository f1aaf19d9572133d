/*
 * filter.h - the conversation filter typed at the UI's `f` prompt: a pcap-like expression over
 * the fields of a conversation key, compiled once and then tested against every key in the flow
 * table at each refresh.
 *
 * Grammar (keywords are case-insensitive; precedence not > and > or; juxtaposition is an error):
 *
 *   expr    := and ( ("or" | "||") and )*
 *   and     := unary ( ("and" | "&&") unary )*
 *   unary   := ("not" | "!") unary | "(" expr ")" | prim
 *   prim    := [dir] "host" ADDR | [dir] "net" CIDR | [pq] [dir] "port" N
 *            | [pq] [dir] "portrange" N-M | "proto" (NAME | 0..255)
 *            | "tcp" | "udp" | "icmp" | "icmp6" | "sctp" | "ip" | "ip6"
 *            | [dir] ADDR | [dir] CIDR          (a bare address is a host, a bare CIDR a net)
 *            | VALUE                            (after and/or/not: repeats the last keyword)
 *   dir     := "src" | "dst" | "src or dst" | "src and dst"     (default: src or dst)
 *   pq      := "tcp" | "udp" | "sctp"           (pcap's `tcp port 80`: that protocol only)
 *
 * Endpoint `a` of a key is "src", `b` is "dst". ADDR is an IPv4 or IPv6 literal; hostnames are
 * never resolved (the UI must not block). CIDR is ADDR/len; a bare address in `net` is a /32 or
 * /128, and host bits set under the prefix are an error. An IPv4 host/net only matches IPv4
 * conversations and an IPv6 one only IPv6 conversations. `port` and `portrange` only match
 * protocols that carry ports (flow_proto_has_ports). As in pcap, a bare value where a primitive
 * is expected reuses the qualifiers and keyword of the last primitive that took a value:
 * `host 10.0.0.1 or 10.0.0.2`, `tcp dst port 80 or 443`, `proto gre or 50`.
 *
 * The compiled form is a small branch program (each test jumps forward on true or false), so
 * filter_match never allocates, never recurses and does at most one test per primitive.
 * Limits: FILTER_MAX_LEN bytes of text, FILTER_MAX_NODES terms and operators, FILTER_MAX_DEPTH
 * levels of parentheses and `not`; past them compilation fails with a message.
 *
 * A compiled filter is immutable: share it read-only between threads. Depends on flow.h and
 * flow_table.h (struct flow_key) only.
 */
#ifndef FLOWDRILL_FILTER_H
#define FLOWDRILL_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "flowdrill/flow.h"
#include "flowdrill/flow_table.h"

#define FILTER_MAX_LEN 1024  /* bytes of expression text */
#define FILTER_MAX_NODES 256 /* primitives plus and/or/not operators */
#define FILTER_MAX_DEPTH 64  /* nesting of parentheses and `not` */

/* Room for any message filter_compile writes, including the NUL. */
#define FILTER_ERR_LEN 160

struct filter;

/*
 * Compile `text` (NULL is taken as ""). On success returns 0 and sets *out to a filter owned by
 * the caller (free with filter_free), or to NULL when the text is empty or blank: NULL is the
 * "match everything" filter that every function here accepts.
 * On failure returns -EINVAL, sets *out to NULL, writes a one-line message of printable ASCII
 * into err (truncated to errlen bytes; err may be NULL when errlen is 0) and the 1-based column
 * where the problem starts into *errcol (when errcol is not NULL). Columns count characters
 * (UTF-8 code points), and the end of the text is column strlen + 1. The message names the
 * problem and the column: "expected an address after 'host' at column 6".
 */
int filter_compile(const char *text, struct filter **out, char *err, size_t errlen,
                   unsigned *errcol);

/* Does conversation `k` pass? f == NULL matches everything. Cheap: no allocation. */
bool filter_match(const struct filter *f, const struct flow_key *k);

/*
 * For a Hosts view: could a row for host `h` pass, judging only what a host row knows?
 * Every host/net primitive asks whether h itself is in it (whatever its direction qualifier),
 * ip/ip6 ask h's family, and the primitives a host row cannot answer (port, portrange, proto
 * and the protocol words) may come out either way, each occurrence on its own. Returns false
 * only when no such outcome makes the filter true: `net 10.0.0.0/8 and port 80` keeps the
 * hosts in 10/8, `not host 10.0.0.1` drops that one host, `tcp` keeps everything.
 * f == NULL matches everything. No allocation.
 */
bool filter_match_host(const struct filter *f, const struct flow_addr *h);

/*
 * For a row that knows only part of a conversation (the history's stored rows): up to two
 * addresses (a host: one; a pair: both ends, no direction), the protocol and the service port
 * (-1 when unknown). Address tests ask whether either end is in the network, whatever their
 * src/dst qualifier (a row carries both directions; "src and dst" asks for both ends); port
 * tests ask the service port; a test the row cannot answer may come out either way, as in
 * filter_match_host. f == NULL matches everything. No allocation.
 */
struct filter_facts {
    struct flow_addr addr[2];
    int n_addr; /* 0, 1 or 2 */
    int proto;  /* 0..255, or -1 */
    int port;   /* 0..65535, or -1 */
};
bool filter_match_facts(const struct filter *f, const struct filter_facts *x);

/* The expression as compiled: the text with leading and trailing blanks removed and each run of
 * blanks made one space; printable ASCII. "" for NULL. Borrowed: valid while f lives. */
const char *filter_text(const struct filter *f);

/* Free a compiled filter; NULL is a no-op. */
void filter_free(struct filter *f);

#endif
