/*
 * filter_lex.c - the words of a filter expression (see filter_priv.h): the keyword table,
 * classes of words, the lexer, and the "did you mean" suggestions for unknown words.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "filter_priv.h"

static const struct {
    const char *word;
    uint8_t kw;    /* enum filter_kw */
    uint8_t value; /* protocol number or address family */
} filter_keywords[] = {
    {"host", KW_HOST, 0},        {"net", KW_NET, 0},
    {"port", KW_PORT, 0},        {"portrange", KW_PORTRANGE, 0},
    {"proto", KW_PROTO, 0},      {"src", KW_SRC, 0},
    {"dst", KW_DST, 0},          {"tcp", KW_TCP, 6},
    {"udp", KW_UDP, 17},         {"icmp", KW_ICMP, 1},
    {"icmp6", KW_ICMP6, 58},     {"sctp", KW_SCTP, 132},
    {"ip", KW_IP, FLOW_AF_INET}, {"ip6", KW_IP6, FLOW_AF_INET6},
    {"and", KW_AND, 0},          {"or", KW_OR, 0},
    {"not", KW_NOT, 0},
};

#define FILTER_NKEYWORDS (sizeof filter_keywords / sizeof filter_keywords[0])

bool filter_lex_is_blank(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool filter_word_char(char c)
{
    return c != '\0' && !filter_lex_is_blank(c) && !strchr("()!&|", c);
}

static char filter_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool filter_word_is(const char *s, size_t len, const char *word)
{
    if (strlen(word) != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (filter_lower(s[i]) != word[i])
            return false;
    return true;
}

static bool filter_is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool filter_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool filter_lex_is_name(const char *s, size_t len)
{
    if (len == 0 || !filter_is_letter(s[0]))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!filter_is_letter(s[i]) && !filter_is_digit(s[i]) && s[i] != '-' && s[i] != '_')
            return false;
    return true;
}

bool filter_lex_is_hostname(const char *s, size_t len)
{
    bool letter = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        letter |= filter_is_letter(c);
        if (!filter_is_letter(c) && !filter_is_digit(c) && !strchr(".-_", c))
            return false;
    }
    return letter;
}

bool filter_lex_is_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!filter_is_digit(s[i]))
            return false;
    return len > 0;
}

unsigned filter_lex_kw_value(unsigned kw)
{
    for (size_t i = 0; i < FILTER_NKEYWORDS; i++)
        if (filter_keywords[i].kw == kw)
            return filter_keywords[i].value;
    return 0;
}

int filter_lex_proto(const char *s, size_t len)
{
    if (filter_word_is(s, len, "icmpv6") || filter_word_is(s, len, "ipv6-icmp"))
        return 58;
    for (int i = 0; i < 256; i++) {
        const char *name = flow_proto_name((uint8_t)i);
        if (name && filter_word_is(s, len, name))
            return i;
    }
    return -1;
}

/* Optimal string alignment distance (edits, counting a swap of neighbours as one). */
static unsigned filter_distance(const char *a, size_t la, const char *b, size_t lb)
{
    unsigned d[FILTER_QUOTE_MAX + 1][FILTER_QUOTE_MAX + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            unsigned cost = filter_lower(a[i - 1]) != b[j - 1];
            unsigned best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && filter_lower(a[i - 1]) == b[j - 2] &&
                filter_lower(a[i - 2]) == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* Closest of `n` lower-case candidates within 1 edit (2 for words over 4 letters), or NULL. */
static const char *filter_suggest(const char *s, size_t len, const char *const *cand, size_t n)
{
    if (len > FILTER_QUOTE_MAX)
        return NULL;
    unsigned limit = len > 4 ? 2 : 1;
    const char *best = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t lc = strlen(cand[i]);
        if (lc > FILTER_QUOTE_MAX)
            continue;
        unsigned d = filter_distance(s, len, cand[i], lc);
        if (d <= limit) {
            best = cand[i];
            limit = d - 1;
            if (d == 0)
                break;
        }
    }
    return best;
}

const char *filter_lex_proto_suggest(const char *s, size_t len)
{
    const char *names[256];
    size_t n = 0;
    for (int i = 0; i < 256; i++)
        if (flow_proto_name((uint8_t)i))
            names[n++] = flow_proto_name((uint8_t)i);
    return filter_suggest(s, len, names, n);
}

int filter_lex_unknown_word(struct filter_parser *p, const struct filter_tok *t)
{
    const char *s = p->text + t->off;
    const char *words[FILTER_NKEYWORDS];
    for (size_t i = 0; i < FILTER_NKEYWORDS; i++)
        words[i] = filter_keywords[i].word;
    char q[FILTER_QUOTE_MAX + 4], hint[FILTER_QUOTE_MAX + 40];
    const char *w;
    hint[0] = '\0';
    if (filter_lex_proto(s, t->len) >= 0) /* gre, esp, ...: only the protocol words are bare */
        snprintf(hint, sizeof hint, "did you mean 'proto %s'?", filter_quote(p, t, q));
    else if ((w = filter_suggest(s, t->len, words, FILTER_NKEYWORDS)))
        snprintf(hint, sizeof hint, "did you mean '%s'?", w);
    else if ((w = filter_lex_proto_suggest(s, t->len)))
        snprintf(hint, sizeof hint, "did you mean 'proto %s'?", w);
    return filter_fail(p, t->off, hint[0] ? hint : NULL, "unknown word '%s'",
                       filter_quote(p, t, q));
}

static void filter_lex_word(struct filter_parser *p, struct filter_tok *t)
{
    const char *s = p->text + t->off;
    while (filter_word_char(s[t->len]))
        t->len++;
    t->type = TOK_WORD;
    t->kw = KW_NONE;
    for (size_t i = 0; i < FILTER_NKEYWORDS; i++)
        if (filter_word_is(s, t->len, filter_keywords[i].word))
            t->kw = filter_keywords[i].kw;
    if (t->kw == KW_AND)
        t->type = TOK_AND;
    else if (t->kw == KW_OR)
        t->type = TOK_OR;
    else if (t->kw == KW_NOT)
        t->type = TOK_NOT;
}

int filter_lex(struct filter_parser *p)
{
    const char *s = p->text;
    size_t i = 0;
    for (;;) {
        while (filter_lex_is_blank(s[i]))
            i++;
        struct filter_tok *t = &p->tok[p->ntok++];
        *t = (struct filter_tok){.off = (uint16_t)i, .len = 1};
        switch (s[i]) {
        case '\0':
            t->type = TOK_END;
            t->len = 0;
            return 0;
        case '(':
            t->type = TOK_LPAREN;
            break;
        case ')':
            t->type = TOK_RPAREN;
            break;
        case '!':
            t->type = TOK_NOT;
            break;
        case '&':
        case '|':
            if (s[i + 1] != s[i])
                return filter_fail(p, i, s[i] == '&' ? "use '&&' or 'and'" : "use '||' or 'or'",
                                   "'%c' is not an operator", s[i]);
            t->type = s[i] == '&' ? TOK_AND : TOK_OR;
            t->len = 2;
            break;
        default:
            t->len = 0;
            filter_lex_word(p, t);
            break;
        }
        i += t->len;
    }
}
