/*
 * filter_priv.h - what the filter compiler's files share inside src/view (not a public header).
 *
 * filter.c runs compiled programs, generates them from the parse tree, drives compilation and
 * formats error messages; filter_lex.c splits text into tokens and knows the keywords;
 * filter_parse.c holds the grammar; filter_value.c reads the value of one primitive into a
 * test. All compiler state lives in one struct filter_parser with fixed-size arrays, so no
 * stage allocates and every stage is bounded by the limits in filter.h.
 */
#ifndef FLOWDRILL_VIEW_FILTER_PRIV_H
#define FLOWDRILL_VIEW_FILTER_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "flowdrill/filter.h"

/* ---- the compiled program ---- */

enum filter_op { FILTER_OP_ADDR, FILTER_OP_PORT, FILTER_OP_PROTO, FILTER_OP_AF };
enum filter_dir { FILTER_DIR_EITHER, FILTER_DIR_SRC, FILTER_DIR_DST, FILTER_DIR_BOTH };

/* Jump targets past the end of any program (programs hold at most FILTER_MAX_NODES tests). */
#define FILTER_ACCEPT 0xffffu
#define FILTER_REJECT 0xfffeu

/* One test; the parser fills everything but the jumps, the generator adds those. */
struct filter_insn {
    uint64_t net[2], mask[2]; /* ADDR: masked network and mask over the 16-byte form */
    uint16_t lo, hi;          /* PORT: inclusive range */
    uint16_t jt, jf;          /* next instruction when the test is true / false */
    uint8_t op;               /* enum filter_op */
    uint8_t dir;              /* enum filter_dir (ADDR, PORT) */
    uint8_t af;               /* ADDR, AF: FLOW_AF_INET or FLOW_AF_INET6 */
    uint8_t proto;            /* PROTO; PORT: the protocol, 0 for any that has ports */
};

struct filter {
    unsigned n;       /* instructions, at least one */
    const char *text; /* normalized text, stored after insn[] */
    struct filter_insn insn[];
};

/* ---- "could it pass?" for rows that know only part of a conversation ---- */

/* A test's outcome on such a row: decided, or not knowable from what the row has. */
enum filter_tri { FILTER_NO, FILTER_YES, FILTER_MAYBE };

/* One forward pass over f (jumps only go forward) marking every instruction some outcome
 * of test reaches; true when FILTER_ACCEPT is reachable, i.e. some conversation the row
 * stands for may pass. Inline so each caller's test is inlined with it. */
static inline bool filter_reachable(const struct filter *f,
                                    enum filter_tri (*test)(const struct filter_insn *,
                                                            const void *),
                                    const void *row)
{
    bool reach[FILTER_MAX_NODES];
    memset(reach, 0, f->n * sizeof reach[0]);
    reach[0] = true;
    for (unsigned pc = 0; pc < f->n; pc++) {
        if (!reach[pc])
            continue;
        const struct filter_insn *in = &f->insn[pc];
        enum filter_tri t = test(in, row);
        uint16_t next[2] = {t != FILTER_NO ? in->jt : FILTER_REJECT,
                            t != FILTER_YES ? in->jf : FILTER_REJECT};
        for (int i = 0; i < 2; i++) {
            if (next[i] == FILTER_ACCEPT)
                return true;
            if (next[i] < f->n)
                reach[next[i]] = true;
        }
    }
    return false;
}

/* ---- tokens ---- */

enum filter_tok_type { TOK_END, TOK_WORD, TOK_LPAREN, TOK_RPAREN, TOK_AND, TOK_OR, TOK_NOT };

/* The protocol words KW_TCP..KW_IP6 are contiguous. */
enum filter_kw {
    KW_NONE,
    KW_HOST,
    KW_NET,
    KW_PORT,
    KW_PORTRANGE,
    KW_PROTO,
    KW_SRC,
    KW_DST,
    KW_TCP,
    KW_UDP,
    KW_ICMP,
    KW_ICMP6,
    KW_SCTP,
    KW_IP,
    KW_IP6,
    KW_AND,
    KW_OR,
    KW_NOT,
};

struct filter_tok {
    uint16_t off, len; /* bytes into the text */
    uint8_t type;      /* enum filter_tok_type */
    uint8_t kw;        /* enum filter_kw for TOK_WORD */
};

/* ---- the parse tree and the compiler's state ---- */

enum filter_node_op { NODE_LEAF, NODE_AND, NODE_OR, NODE_NOT };

struct filter_node {
    uint8_t op;    /* enum filter_node_op */
    uint16_t l, r; /* children; a leaf's l indexes filter_parser.leaf */
};

/* What a bare value after and/or/not repeats (pcap's "last qualifiers"). */
struct filter_last {
    uint8_t kw; /* KW_NONE until a primitive has taken a value */
    uint8_t dir;
    uint8_t proto;
};

struct filter_parser {
    const char *text;
    struct filter_tok tok[FILTER_MAX_LEN + 1]; /* every token but the end has a byte */
    unsigned ntok, pos;
    struct filter_node node[FILTER_MAX_NODES];
    struct filter_insn leaf[FILTER_MAX_NODES];
    unsigned nnode, nleaf;
    unsigned depth, open; /* nesting of '(' and not; open '(' */
    struct filter_last last;
    unsigned slot; /* code generation: next instruction written is slot - 1 */
    bool failed;
    unsigned errcol;
    char msg[FILTER_ERR_LEN];
};

/* ---- filter.c: error messages ---- */

/* Longest piece of user text quoted in a message; quote buffers hold FILTER_QUOTE_MAX + 4. */
#define FILTER_QUOTE_MAX 24

/* Record the first error of a compilation as "<message> at column N[ (hint)]" in printable
 * ASCII, the column being that of byte `off`. Later errors are ignored. Returns -1. */
__attribute__((format(printf, 4, 5))) int filter_fail(struct filter_parser *p, size_t off,
                                                      const char *hint, const char *fmt, ...);

/* `len` bytes at `s` made fit for a message: non-printable bytes become '?', and text past
 * FILTER_QUOTE_MAX is cut with "...". Returns buf. */
const char *filter_quote_span(const char *s, size_t len, char buf[FILTER_QUOTE_MAX + 4]);

/* Token t quoted the same way; "end" for the end of the text. Returns buf. */
const char *filter_quote(const struct filter_parser *p, const struct filter_tok *t,
                         char buf[FILTER_QUOTE_MAX + 4]);

/* ---- filter_lex.c: words ---- */

/* Split p->text into p->tok, ending with a TOK_END. Returns 0 or -1 (error recorded). */
int filter_lex(struct filter_parser *p);

bool filter_lex_is_blank(char c);

/* A word that reads as a name: a letter, then letters, digits, '-' or '_'. */
bool filter_lex_is_name(const char *s, size_t len);

/* Letters, digits, '.', '-' and '_' with at least one letter (e.g. "example.com"). */
bool filter_lex_is_hostname(const char *s, size_t len);

/* One or more decimal digits and nothing else. */
bool filter_lex_is_digits(const char *s, size_t len);

/* Protocol number of KW_TCP..KW_SCTP, address family of KW_IP/KW_IP6, else 0. */
unsigned filter_lex_kw_value(unsigned kw);

/* Protocol number of a name (flow_proto_name's, any case, plus "icmpv6" and "ipv6-icmp"), or
 * -1 when unknown. */
int filter_lex_proto(const char *s, size_t len);

/* The protocol name closest to a misspelled one, or NULL when none is close. */
const char *filter_lex_proto_suggest(const char *s, size_t len);

/* Record "unknown word" for token t, with a suggestion when one is close. Returns -1. */
int filter_lex_unknown_word(struct filter_parser *p, const struct filter_tok *t);

/* ---- filter_value.c: one primitive's value into a test ----
 * Each reads token t into *in (op and the operands; dir and proto are the caller's) and
 * returns 0, or records an error and returns -1. */

int filter_value_host(struct filter_parser *p, const struct filter_tok *t, struct filter_insn *in);
int filter_value_net(struct filter_parser *p, const struct filter_tok *t, struct filter_insn *in);
int filter_value_port(struct filter_parser *p, const struct filter_tok *t, struct filter_insn *in);
int filter_value_portrange(struct filter_parser *p, const struct filter_tok *t,
                           struct filter_insn *in);
int filter_value_proto(struct filter_parser *p, const struct filter_tok *t, struct filter_insn *in);

/* ---- filter_parse.c: the grammar ---- */

/* Check the length of p->text, lex and parse it; p's counters, `last` and `failed` start
 * cleared. Returns the root node's index, -2 for an empty expression, or -1 with the error
 * recorded. */
int filter_parse(struct filter_parser *p);

#endif
