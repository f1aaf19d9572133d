/*
 * check_filter_fuzz.c - the filter under random input: random expression trees rendered with
 * random spellings, spacing and parentheses against a direct evaluation of the tree (for
 * conversations and for Hosts rows), and a few hundred thousand compiles of random strings and
 * token soups that must each give a filter that round-trips through its text or one clean
 * line of error. ASan and LSan watch every compile in the sanitizer build.
 */
#include "config.h"

#include "checkrun.h"
#include "filtercheck.h"

/* ================================ random trees against a direct evaluation ================ */

/* Primitives whose truth on each key comes from compiling them alone (checked above). */
static const char *const prims[] = {
    "tcp",
    "udp",
    "icmp",
    "ip",
    "ip6",
    "port 80",
    "src port 40000",
    "dst port 53",
    "host 10.0.0.1",
    "net 2001:db8::/32",
    "src net 10.0.0.0/8",
    "proto 47",
    "portrange 500-600",
    "dst host 8.8.8.8",
    "src and dst net 10.1.2.0/24",
    "tcp port 443",
    "dst net fe80::/10",
    "net 10.0.0.0/8",
};
#define NPRIMS (sizeof prims / sizeof prims[0])

static const char *const hosts[] = {"10.0.0.1", "8.8.8.8", "2001:db8::1", "fe80::1", "10.1.2.3"};
#define NHOSTS (sizeof hosts / sizeof hosts[0])

struct tnode {
    int op; /* 0 leaf, 1 and, 2 or, 3 not */
    int prim;
    struct tnode *l, *r;
};

static bool prim_truth[NPRIMS][K_COUNT];
static int prim_host[NPRIMS][NHOSTS]; /* 0 no, 1 yes, 2 maybe */
static struct flow_addr host_addr[NHOSTS];

static unsigned rng_state = 12345;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) % n;
}

static struct tnode *tree_new(int depth, int *budget)
{
    struct tnode *t = calloc(1, sizeof *t);
    CHECK(t, "out of memory");
    unsigned c = depth > 6 || *budget <= 0 ? 0 : rnd(5);
    (*budget)--;
    if (c == 0 || c == 1) {
        t->op = 0;
        t->prim = (int)rnd(NPRIMS);
    } else if (c == 4) {
        t->op = 3;
        t->l = tree_new(depth + 1, budget);
    } else {
        t->op = (int)c - 1;
        t->l = tree_new(depth + 1, budget);
        t->r = tree_new(depth + 1, budget);
    }
    return t;
}

static void tree_free(struct tnode *t)
{
    if (t) {
        tree_free(t->l);
        tree_free(t->r);
        free(t);
    }
}

static bool tree_eval(const struct tnode *t, int k)
{
    switch (t->op) {
    case 0:
        return prim_truth[t->prim][k];
    case 1:
        return tree_eval(t->l, k) && tree_eval(t->r, k);
    case 2:
        return tree_eval(t->l, k) || tree_eval(t->r, k);
    default:
        return !tree_eval(t->l, k);
    }
}

/* Kleene logic; exact for a formula that uses each leaf once. */
static int tree_eval_host(const struct tnode *t, int h)
{
    int a, b;
    switch (t->op) {
    case 0:
        return prim_host[t->prim][h];
    case 1:
        a = tree_eval_host(t->l, h), b = tree_eval_host(t->r, h);
        return a == 0 || b == 0 ? 0 : a == 1 && b == 1 ? 1 : 2;
    case 2:
        a = tree_eval_host(t->l, h), b = tree_eval_host(t->r, h);
        return a == 1 || b == 1 ? 1 : a == 0 && b == 0 ? 0 : 2;
    default:
        a = tree_eval_host(t->l, h);
        return a == 2 ? 2 : !a;
    }
}

static int prec(const struct tnode *t)
{
    static const int p[] = {4, 2, 1, 3};
    return p[t->op];
}

static void cat(char *buf, size_t size, const char *s)
{
    CHECK(strlen(buf) + strlen(s) < size, "rendered expression too long");
    strcat(buf, s);
}

static const char *spaces(void)
{
    static const char *const sp[] = {"", " ", "  ", "\t"};
    return sp[rnd(4)];
}

/* Render with only the parentheses precedence needs, plus some extra, in random spellings. */
static void render(const struct tnode *t, int need, char *buf, size_t size)
{
    bool paren = prec(t) < need || rnd(6) == 0;
    if (paren) {
        cat(buf, size, "(");
        cat(buf, size, spaces());
    }
    switch (t->op) {
    case 0:
        cat(buf, size, prims[t->prim]);
        break;
    case 3:
        cat(buf, size, rnd(2) ? "not " : "!");
        cat(buf, size, spaces());
        render(t->l, 3, buf, size);
        break;
    default: {
        static const char *const ops[2][4] = {{" and ", "&&", " AND ", " && "},
                                              {" or ", "||", " Or ", " || "}};
        render(t->l, prec(t), buf, size);
        cat(buf, size, ops[t->op - 1][rnd(4)]);
        render(t->r, prec(t), buf, size);
        break;
    }
    }
    if (paren) {
        cat(buf, size, spaces());
        cat(buf, size, ")");
    }
}

START_TEST(test_random_trees)
{
    for (size_t i = 0; i < NPRIMS; i++) {
        struct filter *f = compile_ok(prims[i]), *nf;
        char neg[64];
        snprintf(neg, sizeof neg, "not %s", prims[i]);
        nf = compile_ok(neg);
        for (int k = 0; k < K_COUNT; k++)
            prim_truth[i][k] = filter_match(f, &keys[k]);
        for (size_t h = 0; h < NHOSTS; h++) {
            struct flow_addr a = host_addr[h] = addr(hosts[h]);
            bool pos = filter_match_host(f, &a), negd = filter_match_host(nf, &a);
            ck_assert(pos || negd);
            prim_host[i][h] = pos && negd ? 2 : pos ? 1 : 0;
        }
        filter_free(nf);
        filter_free(f);
    }
    /* the primitives must not all agree, or the test proves nothing */
    ck_assert(prim_truth[0][K_TCP4] && !prim_truth[0][K_UDP4]);
    ck_assert_int_eq(prim_host[8][0], 1); /* host 10.0.0.1 on 10.0.0.1 */
    ck_assert_int_eq(prim_host[8][1], 0);
    ck_assert_int_eq(prim_host[0][0], 2); /* tcp */

    for (int iter = 0; iter < 20000; iter++) {
        int budget = 30;
        struct tnode *t = tree_new(0, &budget);
        char text[4096] = "";
        render(t, 0, text, sizeof text);
        struct filter *f = compile_ok(text);
        struct filter *again = compile_ok(filter_text(f));
        for (int k = 0; k < K_COUNT; k++) {
            bool want = tree_eval(t, k);
            CHECK(filter_match(f, &keys[k]) == want, "'%s' on key %d: want %d", text, k, want);
            CHECK(filter_match(again, &keys[k]) == want, "'%s' recompiled from '%s' on key %d",
                  filter_text(f), text, k);
        }
        for (size_t h = 0; h < NHOSTS; h++) {
            bool want = tree_eval_host(t, (int)h) != 0;
            CHECK(filter_match_host(f, &host_addr[h]) == want, "'%s' on host %s: want %d", text,
                  hosts[h], want);
        }
        filter_free(again);
        filter_free(f);
        tree_free(t);
    }
}
END_TEST

/* ================================ robustness ================================ */

static unsigned chars_in(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* Compile anything: either a filter that round-trips through its text, or one clean line. */
static void compile_any(const char *s, unsigned *ok)
{
    struct filter *f = (struct filter *)1;
    char err[FILTER_ERR_LEN];
    unsigned col = 0;
    err[0] = '\0';
    int r = filter_compile(s, &f, err, sizeof err, &col);
    if (r == 0) {
        CHECK(col == 0, "'%s' compiled with column %u", s, col);
        if (!f)
            return;
        (*ok)++;
        const char *text = filter_text(f);
        CHECK(printable_line(text), "text of '%s' not printable", s);
        struct filter *g = compile_ok(text);
        for (int k = 0; k < K_COUNT; k++)
            CHECK(filter_match(f, &keys[k]) == filter_match(g, &keys[k]), "'%s' != '%s'", s, text);
        const struct flow_addr *h = &keys[rnd(K_COUNT)].a;
        CHECK(filter_match_host(f, h) == filter_match_host(g, h), "'%s' != '%s'", s, text);
        filter_free(g);
        filter_free(f);
        return;
    }
    CHECK(r == -EINVAL && f == NULL, "'%s' returned %d", s, r);
    CHECK(err[0] != '\0' && printable_line(err), "bad message for '%s'", s);
    CHECK(col >= 1 && col <= chars_in(s) + 1, "column %u for '%s'", col, s);
    char at[32];
    snprintf(at, sizeof at, " at column %u", col);
    CHECK(strstr(err, at) != NULL, "'%s' for '%s' lacks '%s'", err, s, at);
}

START_TEST(test_random_strings)
{
    char s[200];
    unsigned ok = 0;
    for (int iter = 0; iter < 150000; iter++) {
        unsigned len = rnd(iter % 100 == 0 ? sizeof s : 40);
        for (unsigned i = 0; i < len; i++) {
            unsigned c = rnd(20);
            s[i] = c == 0  ? (char)(1 + rnd(255))      /* any byte */
                   : c < 4 ? "()!&| \t/:.-"[rnd(11)]   /* structure */
                   : c < 8 ? (char)('0' + rnd(10))     /* digits */
                           : (char)(0x20 + rnd(0x5f)); /* printable */
        }
        s[len] = '\0';
        compile_any(s, &ok);
    }
}
END_TEST

START_TEST(test_random_token_soup)
{
    static const char *const vocab[] = {
        "host",
        "net",
        "port",
        "portrange",
        "proto",
        "src",
        "dst",
        "and",
        "or",
        "not",
        "&&",
        "||",
        "!",
        "(",
        ")",
        "tcp",
        "udp",
        "icmp",
        "icmp6",
        "sctp",
        "ip",
        "ip6",
        "10.0.0.1",
        "10.0.0.0/8",
        "2001:db8::/32",
        "::1",
        "80",
        "65536",
        "1-1024",
        "gre",
        "example.com",
        "hots",
        "&",
        "|",
        "/",
        "-",
        "::",
        "255.255.255.255/33",
        "\xc3\xa9",
        "\x01",
        "0",
        "ipv6-icmp",
        "99999999999",
        "fe80::/10",
        "8.8.8.8",
        "AND",
        "Or",
        "NOT",
        "443",
        "53",
        "esp",
        "47",
    };
    static const char *const joins[] = {" ", " ", " ", "", "\t", "  "};
    unsigned ok = 0;
    char *s = malloc(8192);
    ck_assert_ptr_nonnull(s);
    for (int iter = 0; iter < 150000; iter++) {
        unsigned n = 1 + rnd(iter % 50 == 0 ? 600 : 12);
        s[0] = '\0';
        for (unsigned i = 0; i < n; i++) {
            strcat(s, vocab[rnd(sizeof vocab / sizeof vocab[0])]);
            strcat(s, joins[rnd(sizeof joins / sizeof joins[0])]);
        }
        compile_any(s, &ok);
    }
    free(s);
    ck_assert_uint_gt(ok, 1000); /* the soup must reach the matcher, not only the errors */
}
END_TEST

static Suite *filter_fuzz_suite(void)
{
    Suite *s = suite_create("filter_fuzz");
    TCase *tc = tcase_create("random");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_random_trees);
    tcase_add_test(tc, test_random_strings);
    tcase_add_test(tc, test_random_token_soup);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return check_run(filter_fuzz_suite());
}
