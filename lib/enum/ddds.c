/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ddds.c -- the DDDS substitution expression of RFC 3402 §3.2, as found in the
 * Regexp field of an ENUM NAPTR, applied to the Application Unique String. The
 * expression is split at its three unescaped delimiters into a POSIX Extended
 * Regular Expression, handed to the libc regcomp()/regexec(), a replacement
 * string with back-references \1-\9, and the optional "i" flag.
 *
 * Parsing is strict (RFC 6116 §5.2: a NAPTR whose Regexp cannot be interpreted
 * is discarded), and defensive: the Regexp comes from the DNS, so the
 * expression is never read past its length, NUL bytes are refused, and EREs
 * on which glibc's regcomp or regexec would spend seconds or minutes (nested
 * repetitions, repetitions of what matches the empty string, many anchors) are
 * refused before regcomp sees them; see lint_ere().
 *
 * Compiled rules live in a caller-owned LRU cache keyed by the exact bytes of
 * the expression; rules that fail to parse are cached too (negative entries),
 * with their error, so a bad record is not re-parsed on every query.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "enumfed/ddds.h"

#define EXPR_MAX 1024    /* the longest expression we look at */
#define IN_MAX 255       /* the longest Application Unique String */
#define DUP_MAX 255      /* the largest {m,n} bound (POSIX RE_DUP_MAX minimum) */
#define ERE_COST_MAX 256 /* the largest estimated compiled ERE, in nodes (see lint_ere) */
#define ERE_DEPTH_MAX 16 /* the deepest nesting of ( ) */
#define ERE_ASSERT_MAX 4 /* the most anchors (^, $, GNU \\b \\< ...) in an ERE */
#define NREF 10          /* \0 (the whole match) and \1-\9 */
#define TOK_MAX (EXPR_MAX * 2 / 3 + 2) /* a literal byte and \N alternating */
#define CACHE_BUCKETS_MAX ((size_t)1 << 16)
#define MEMO_IN_MAX 32   /* an AUS is at most 16 bytes */
#define MEMO_OUT_MAX 256 /* longer results are simply not remembered */

/* A piece of the replacement: literal text lit[off, off+len) when ref is 0,
 * else the back-reference \ref, written at offset `off` of the expression. */
struct repl_tok {
    uint16_t off;
    uint16_t len;
    uint8_t ref;
};

/* A parsed rule: the compiled ERE and the replacement, or a parse error. */
struct ddds_rule {
    regex_t re;
    int status; /* 0: re is compiled; else the error of a negative entry */
    size_t err_off;
    const char *reason;
    size_t ntok;
    const struct repl_tok *tok;
    const char *lit;
};

/* The result of parsing an expression, before compilation. */
struct rule_src {
    char ere[EXPR_MAX + 1];     /* the ERE as regcomp gets it, NUL-terminated */
    uint16_t ere_map[EXPR_MAX]; /* ere[i] comes from expr[ere_map[i]] */
    size_t ere_len;
    int cflags;
    char lit[EXPR_MAX];
    size_t lit_len;
    struct repl_tok tok[TOK_MAX];
    size_t ntok;
};

struct lru_link {
    struct lru_link *prev, *next;
};

struct cache_entry {
    struct lru_link lru; /* first member: the list links entries */
    struct cache_entry *hnext;
    uint64_t hash;
    size_t key_len;
    const char *key;
    struct ddds_rule rule;
    /*
     * The last application. A rule is a pure function of its input, and an
     * ENUM client applies the same rule to the same number over and over (every
     * cached lookup of that number), so this spares the regexec().
     */
    bool memo_valid;
    uint8_t memo_in_len;
    int memo_rc; /* result length, or EF_ENOMATCH */
    char memo_in[MEMO_IN_MAX];
    char memo_out[MEMO_OUT_MAX];
    /* followed by the tokens, the literal text and the key */
};

struct ef_ddds_cache {
    size_t capacity, count;
    size_t mask;
    struct cache_entry **buckets;
    struct lru_link lru; /* head.next is the most recently used */
};

static const char *const delim_count_reason[] = {
    "expected 3 unescaped delimiters, found 0",          "expected 3 unescaped delimiters, found 1",
    "expected 3 unescaped delimiters, found 2",          "expected 3 unescaped delimiters, found 3",
    "expected 3 unescaped delimiters, found 4",          "expected 3 unescaped delimiters, found 5",
    "expected 3 unescaped delimiters, found 6",          "expected 3 unescaped delimiters, found 7",
    "expected 3 unescaped delimiters, found 8",          "expected 3 unescaped delimiters, found 9",
    "expected 3 unescaped delimiters, found 10 or more",
};

static const char *const backref_reason[NREF] = {
    "\\0 is not a valid back-reference", "\\1 refers to no subexpression",
    "\\2 refers to no subexpression",    "\\3 refers to no subexpression",
    "\\4 refers to no subexpression",    "\\5 refers to no subexpression",
    "\\6 refers to no subexpression",    "\\7 refers to no subexpression",
    "\\8 refers to no subexpression",    "\\9 refers to no subexpression",
};

static int fail(ef_perr_t *err, size_t offset, const char *reason, int code)
{
    if (err != NULL) {
        err->offset = offset;
        err->reason = reason;
    }
    return code;
}

/* The characters that are special in an ERE outside a bracket expression. */
static bool is_ere_special(unsigned char c)
{
    return c != '\0' && strchr(".[]()*+?{}|^$", c) != NULL;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/*
 * Find the unescaped delimiters: pos[0] and pos[1] receive the offsets of the
 * second and third. A backslash escapes whatever follows it, everywhere.
 */
static int split_expr(const char *expr, size_t len, size_t pos[2], ef_perr_t *err)
{
    unsigned char delim;
    size_t found = 1, fourth = 0, i;

    if (len == 0)
        return fail(err, 0, "empty substitution expression", EF_ESYNTAX);
    delim = (unsigned char)expr[0];
    /* RFC 3402 §3.2: digits MUST NOT be delimiters, nor may a flag character. */
    if (is_digit(delim) || delim == '\\' || delim == 'i' || delim == 'I' || delim == '\0')
        return fail(err, 0, "invalid delimiter", EF_ESYNTAX);
    for (i = 1; i < len; i++) {
        bool escaped = expr[i] == '\\' && i + 1 < len;

        i += escaped;
        if (expr[i] == '\0')
            return fail(err, i, "NUL byte in the substitution expression", EF_ESYNTAX);
        if (escaped || (unsigned char)expr[i] != delim)
            continue;
        if (found < 3)
            pos[found - 1] = i;
        else if (found == 3)
            fourth = i;
        found += found < 10;
    }
    /* RFC 6116 §5.2: discard a Regexp without exactly 3 unescaped delimiters. */
    if (found != 3)
        return fail(err, found > 3 ? fourth : len, delim_count_reason[found], EF_ESYNTAX);
    return 0;
}

/* RFC 3402 §3.2: flags = "i" (we also take "I"); nothing else may follow. */
static int parse_flags(const char *expr, size_t from, size_t len, int *cflags, ef_perr_t *err)
{
    size_t i;

    *cflags = REG_EXTENDED;
    for (i = from; i < len; i++) {
        if (expr[i] != 'i' && expr[i] != 'I')
            return fail(err, i, "unknown regexp flag", EF_ESYNTAX);
        *cflags |= REG_ICASE;
    }
    return 0;
}

/*
 * Copy the ERE expr[start, end) into src->ere for regcomp. An escaped
 * delimiter stands for the delimiter itself: a literal, so it stays escaped
 * when it is special in an ERE and loses its backslash otherwise. Other escapes
 * are regcomp's business and pass unchanged.
 */
static void build_ere(const char *expr, size_t start, size_t end, struct rule_src *src)
{
    char delim = expr[0];
    size_t i = start, n = 0;

    while (i < end) {
        if (expr[i] == '\\' && i + 1 < end && expr[i + 1] == delim &&
            !is_ere_special((unsigned char)delim)) {
            src->ere_map[n] = (uint16_t)i;
            src->ere[n++] = delim;
            i += 2;
            continue;
        }
        src->ere_map[n] = (uint16_t)i;
        src->ere[n++] = expr[i++];
    }
    src->ere[n] = '\0';
    src->ere_len = n;
}

/* The index just past the bracket expression that starts at s[i] == '['. */
static size_t bracket_end(const char *s, size_t i, size_t end)
{
    i++;
    if (i < end && s[i] == '^')
        i++;
    if (i < end && s[i] == ']')
        i++;
    while (i < end && s[i] != ']') {
        if (s[i] == '[' && i + 1 < end && (s[i + 1] == ':' || s[i + 1] == '.' || s[i + 1] == '=')) {
            char kind = s[i + 1];
            size_t j = i + 2;

            while (j + 1 < end && !(s[j] == kind && s[j + 1] == ']'))
                j++;
            if (j + 1 >= end)
                return end;
            i = j + 2;
        } else {
            i++;
        }
    }
    return i < end ? i + 1 : end;
}

/* A parsed interval {m,n}: copies is what regcomp makes of the operand. */
struct interval {
    size_t min, copies;
    bool too_big;
};

/*
 * Parse the interval at s[i] == '{': "{m}", "{m,}", "{m,n}" or "{,n}". Returns
 * the index past '}', or 0 when this is no interval (regcomp then decides what
 * it is).
 */
static size_t parse_interval(const char *s, size_t i, size_t end, struct interval *iv)
{
    size_t m = 0, n = 0, digits = 0;
    bool comma = false, has_n = false;

    for (i++; i < end && is_digit((unsigned char)s[i]); i++, digits++)
        m = m > 100000 ? m : m * 10 + (size_t)(s[i] - '0');
    if (i < end && s[i] == ',') {
        comma = true;
        for (i++; i < end && is_digit((unsigned char)s[i]); i++, has_n = true)
            n = n > 100000 ? n : n * 10 + (size_t)(s[i] - '0');
    }
    if (i >= end || s[i] != '}' || (digits == 0 && !comma))
        return 0;
    iv->too_big = m > DUP_MAX || n > DUP_MAX;
    iv->min = m;
    if (!comma)
        n = m;
    else if (!has_n)
        n = m + 1;
    iv->copies = m > n ? m : n;
    if (iv->copies == 0)
        iv->copies = 1;
    return i + 1;
}

/* One level of ( ) in lint_ere. */
struct ere_level {
    size_t cost;     /* estimated nodes so far */
    bool any_empty;  /* an earlier alternative can match the empty string */
    bool head_empty; /* so can every atom of this alternative before the last */
};

struct ere_lint {
    struct ere_level lv[ERE_DEPTH_MAX + 1];
    size_t depth;
    size_t last;     /* nodes of the last atom: what a repetition repeats */
    bool last_empty; /* the last atom can match the empty string */
    bool after_dup;  /* the last token was a repetition */
    size_t asserts;  /* anchors so far */
};

static void lint_atom(struct ere_lint *l, size_t cost, bool empty)
{
    struct ere_level *lv = &l->lv[l->depth];

    lv->head_empty = lv->head_empty && l->last_empty;
    lv->cost += cost;
    l->last = cost;
    l->last_empty = empty;
    l->after_dup = false;
}

/* Open a new alternative (at '(' or '|'). */
static void lint_alt(struct ere_lint *l)
{
    l->lv[l->depth].head_empty = true;
    l->last = 0;
    l->last_empty = true;
    l->after_dup = false;
}

static void lint_close(struct ere_lint *l)
{
    const struct ere_level *in = &l->lv[l->depth];
    bool empty = in->any_empty || (in->head_empty && l->last_empty);
    size_t cost = in->cost > 0 ? in->cost : 1;

    l->depth--;
    l->last_empty = true; /* folded into head_empty at '(' already */
    lint_atom(l, cost, empty);
}

/*
 * A repetition of the last atom: '*', '?', '+' or an interval. POSIX leaves a
 * repetition of a repetition undefined, and glibc's regcomp takes exponential
 * time on repetitions of what can match the empty string ("^(((a*)+)+)+",
 * "$a*++++" and "^(a*|b)*(a*|b)*..." run for seconds to minutes); neither has
 * a use (x** is x*), so both are refused.
 */
static const char *lint_dup(struct ere_lint *l, char op, const struct interval *iv)
{
    size_t *cost = &l->lv[l->depth].cost;

    if (l->after_dup)
        return "repetition of a repetition";
    if (l->last_empty)
        return "repetition of an expression that can match the empty string";
    if (op == '+') {
        *cost += l->last + 1;
        l->last += l->last + 1;
    } else if (op == '{') {
        *cost += l->last * (iv->copies - 1);
        l->last *= iv->copies;
        l->last_empty = iv->min == 0;
    } else {
        *cost += 1;
        l->last += 1;
        l->last_empty = true;
    }
    l->after_dup = true;
    return NULL;
}

/* Zero-width GNU escapes: they match the empty string. */
static bool is_zero_width_escape(char c)
{
    return c == 'b' || c == 'B' || c == '<' || c == '>' || c == '`' || c == '\'';
}

/* An anchor or a zero-width GNU escape: it matches the empty string. */
static void lint_assert(struct ere_lint *l, const char **why)
{
    if (++l->asserts > ERE_ASSERT_MAX)
        *why = "more than 4 anchors in the ERE";
    lint_atom(l, 1, true);
}

/* Lint the token at s[i] and return the index past it; *why is set to refuse. */
static size_t lint_token(struct ere_lint *l, const char *s, size_t i, size_t end, const char **why)
{
    struct interval iv;
    size_t next;

    switch (s[i]) {
    case '\\':
        if (i + 1 < end && s[i + 1] >= '1' && s[i + 1] <= '9')
            *why = "back-reference in the ERE";
        else if (i + 1 < end && is_zero_width_escape(s[i + 1]))
            lint_assert(l, why);
        else
            lint_atom(l, 1, false);
        return i + 2;
    case '[':
        lint_atom(l, 1, false);
        return bracket_end(s, i, end);
    case '(':
        if (l->depth == ERE_DEPTH_MAX) {
            *why = "ERE nested too deeply";
            return i + 1;
        }
        l->lv[l->depth].head_empty = l->lv[l->depth].head_empty && l->last_empty;
        l->lv[++l->depth] = (struct ere_level){.cost = 0, .any_empty = false, .head_empty = true};
        lint_alt(l);
        return i + 1;
    case '|':
        l->lv[l->depth].any_empty |= l->lv[l->depth].head_empty && l->last_empty;
        l->lv[l->depth].cost++;
        lint_alt(l);
        return i + 1;
    case '*':
    case '?':
    case '+':
        *why = lint_dup(l, s[i], NULL);
        return i + 1;
    case '{':
        if ((next = parse_interval(s, i, end, &iv)) == 0)
            break;
        *why = iv.too_big ? "repetition bound above 255" : lint_dup(l, '{', &iv);
        return next;
    case ')':
        if (l->depth == 0)
            break;
        lint_close(l);
        return i + 1;
    }
    if (s[i] == '^' || s[i] == '$')
        lint_assert(l, why);
    else
        lint_atom(l, 1, false);
    return i + 1;
}

/*
 * Refuse what a rule from the DNS should not make regcomp and regexec do. The
 * Regexp is attacker-controlled, and glibc's regcomp is exponential in time on
 * some short EREs (measured with glibc 2.36: "(a{1,32767})" takes a minute,
 * "$a*+++++" nine seconds, "^(a*|b)*" x 16 half a second, each doubling with
 * one more operator). So we refuse:
 *  - a back-reference in the ERE (undefined in POSIX ERE; glibc's support is
 *    exponential and has crashed, CVE-2019-9192);
 *  - a bound above DUP_MAX, nesting deeper than ERE_DEPTH_MAX;
 *  - the repetitions lint_dup() refuses;
 *  - more than ERE_ASSERT_MAX anchors: each multiplies glibc's epsilon
 *    closures ("(^|a*)($|b*)" x 24 takes 11 s); ENUM needs "^...$";
 *  - an ERE whose compiled size, estimated the way glibc builds it (a{m,n} is
 *    max(m,n) copies of a, a+ is two), exceeds ERE_COST_MAX nodes.
 * Within these limits the worst EREs we found take ~10 ms to compile and first
 * match and 1-2 ms per match of a 255-byte input after that. Any ERE of
 * characters, classes, alternatives, '*' and '?' that fits in a NAPTR (255
 * octets) stays below the cost limit. All of this is undefined in POSIX or has
 * no use in ENUM, and RFC 6116 §5.2 wants a Regexp that is not clear discarded.
 * Invariant: last <= cost <= ERE_COST_MAX before each token: nothing overflows.
 */
static int lint_ere(const struct rule_src *src, ef_perr_t *err)
{
    struct ere_lint l;
    const char *why = NULL;
    size_t i = 0, at;

    l.depth = 0;
    l.asserts = 0;
    l.lv[0] = (struct ere_level){.cost = 0, .any_empty = false, .head_empty = true};
    lint_alt(&l);
    while (i < src->ere_len) {
        at = src->ere_map[i];
        i = lint_token(&l, src->ere, i, src->ere_len, &why);
        if (why == NULL && l.lv[l.depth].cost > ERE_COST_MAX)
            why = "ERE too complex";
        if (why != NULL)
            return fail(err, at, why, EF_ESYNTAX);
    }
    return 0;
}

static bool repl_lit(struct rule_src *src, char c)
{
    struct repl_tok *t = src->ntok > 0 ? &src->tok[src->ntok - 1] : NULL;

    if (t == NULL || t->ref != 0) {
        if (src->ntok == TOK_MAX)
            return false;
        t = &src->tok[src->ntok++];
        *t = (struct repl_tok){.off = (uint16_t)src->lit_len, .len = 0, .ref = 0};
    }
    src->lit[src->lit_len++] = c;
    t->len++;
    return true;
}

static bool repl_ref(struct rule_src *src, int ref, size_t at)
{
    if (src->ntok == TOK_MAX)
        return false;
    src->tok[src->ntok++] = (struct repl_tok){.off = (uint16_t)at, .len = 0, .ref = (uint8_t)ref};
    return true;
}

/* RFC 3402 §3.2: repl = *(string / backref), backref = "\" POS-DIGIT. */
static int parse_repl(const char *expr, size_t start, size_t end, struct rule_src *src,
                      ef_perr_t *err)
{
    char delim = expr[0];
    size_t i = start;
    bool ok = true;

    while (i < end && ok) {
        char c = expr[i], d = i + 1 < end ? expr[i + 1] : '\0';

        if (c != '\\' || i + 1 == end) {
            ok = repl_lit(src, c);
            i++;
            continue;
        }
        if (d == delim || d == '\\') /* escapeddelim, and \\ for one backslash */
            ok = repl_lit(src, d);
        else if (d >= '1' && d <= '9')
            ok = repl_ref(src, d - '0', i);
        else if (d == '0')
            return fail(err, i, backref_reason[0], EF_ESYNTAX);
        else /* anychar: the backslash is an ordinary character */
            ok = repl_lit(src, c) && repl_lit(src, d);
        i += 2;
    }
    if (!ok) /* cannot happen: TOK_MAX covers the longest expression */
        return fail(err, i, "replacement too long", EF_E2BIG);
    return 0;
}

/* Split and check the expression; src receives the ERE, flags and replacement. */
static int parse_rule(const char *expr, size_t len, struct rule_src *src, ef_perr_t *err)
{
    size_t pos[2];
    int rc;

    src->ntok = 0;
    src->lit_len = 0;
    if ((rc = split_expr(expr, len, pos, err)) < 0)
        return rc;
    if ((rc = parse_flags(expr, pos[1] + 1, len, &src->cflags, err)) < 0)
        return rc;
    /* An empty ERE is not a POSIX ERE; libcs differ on what it matches. */
    if (pos[0] == 1)
        return fail(err, 1, "empty ERE", EF_ESYNTAX);
    build_ere(expr, 1, pos[0], src);
    if ((rc = lint_ere(src, err)) < 0)
        return rc;
    return parse_repl(expr, pos[0] + 1, pos[1], src, err);
}

/* Compile the ERE of src into rule->re, which must already hold the tokens. */
static int compile_rule(struct ddds_rule *rule, const struct rule_src *src, ef_perr_t *err)
{
    size_t i;
    int rc = regcomp(&rule->re, src->ere, src->cflags);

    if (rc == REG_ESPACE)
        return EF_ENOMEM;
    if (rc != 0)
        return fail(err, 1, "invalid ERE", EF_ESYNTAX);
    /* RFC 3402 §3.2: \5..\9 of (A(B(C)DE)(F)G) are an error. */
    for (i = 0; i < rule->ntok; i++) {
        if (rule->tok[i].ref > rule->re.re_nsub) {
            regfree(&rule->re);
            return fail(err, rule->tok[i].off, backref_reason[rule->tok[i].ref], EF_ESYNTAX);
        }
    }
    rule->status = 0;
    return 0;
}

static bool out_append(char *out, size_t limit, size_t *n, const char *p, size_t len)
{
    if (len > limit - *n)
        return false;
    memcpy(out + *n, p, len);
    *n += len;
    return true;
}

/*
 * Apply a compiled rule. RFC 3402 leaves open what becomes of the input around
 * the match; like sed, and like every ENUM client we know of (Kamailio,
 * Asterisk, libenum), the result is the input before the match, the expanded
 * replacement, then the input after the match. ENUM rules are anchored
 * (^...$), where this is the expanded replacement alone.
 */
static int rule_apply(const struct ddds_rule *rule, const char *in, size_t in_len, char *out,
                      size_t cap, ef_perr_t *err)
{
    char buf[IN_MAX + 1];
    regmatch_t m[NREF];
    size_t limit, n = 0, i;
    bool ok;
    int rc;

    if (in_len > 0)
        memcpy(buf, in, in_len);
    buf[in_len] = '\0';
    rc = regexec(&rule->re, buf, NREF, m, 0);
    if (rc == REG_NOMATCH)
        return EF_ENOMATCH;
    if (rc != 0)
        return EF_ENOMEM; /* REG_ESPACE, the only other failure */
    limit = cap == 0 ? 0 : cap - 1;
    limit = limit > EF_DDDS_OUT_MAX ? EF_DDDS_OUT_MAX : limit;
    ok = cap > 0 && out_append(out, limit, &n, buf, (size_t)m[0].rm_so);
    for (i = 0; ok && i < rule->ntok; i++) {
        const struct repl_tok *t = &rule->tok[i];
        const regmatch_t *r = &m[t->ref];

        if (t->ref == 0)
            ok = out_append(out, limit, &n, rule->lit + t->off, t->len);
        else if (r->rm_so >= 0) /* a group that did not take part expands to nothing */
            ok = out_append(out, limit, &n, buf + r->rm_so, (size_t)(r->rm_eo - r->rm_so));
    }
    if (!ok || !out_append(out, limit, &n, buf + m[0].rm_eo, in_len - (size_t)m[0].rm_eo))
        return fail(err, 0, "result too long", EF_E2BIG);
    out[n] = '\0';
    return (int)n;
}

static int apply_uncached(const char *expr, size_t expr_len, const char *in, size_t in_len,
                          char *out, size_t cap, ef_perr_t *err)
{
    struct rule_src src;
    struct ddds_rule rule;
    int rc;

    if ((rc = parse_rule(expr, expr_len, &src, err)) < 0)
        return rc;
    rule.ntok = src.ntok;
    rule.tok = src.tok;
    rule.lit = src.lit;
    if ((rc = compile_rule(&rule, &src, err)) < 0)
        return rc;
    rc = rule_apply(&rule, in, in_len, out, cap, err);
    regfree(&rule.re);
    return rc;
}

/* --- the rule cache: a chained hash table and an LRU list --------------- */

/* FNV-1a, 64 bits. */
static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;

    while (n-- > 0) {
        h ^= (unsigned char)*p++;
        h *= 0x100000001b3u;
    }
    return h ^ (h >> 32);
}

static void lru_unlink(struct lru_link *l)
{
    l->prev->next = l->next;
    l->next->prev = l->prev;
}

static void lru_push_front(ef_ddds_cache_t *cache, struct lru_link *l)
{
    l->prev = &cache->lru;
    l->next = cache->lru.next;
    cache->lru.next->prev = l;
    cache->lru.next = l;
}

static void entry_free(struct cache_entry *e)
{
    if (e->rule.status == 0)
        regfree(&e->rule.re);
    free(e);
}

ef_ddds_cache_t *ef_ddds_cache_new(size_t capacity)
{
    ef_ddds_cache_t *cache = calloc(1, sizeof *cache);
    size_t nbuckets = 8;

    if (cache == NULL)
        return NULL;
    while (nbuckets < capacity && nbuckets < CACHE_BUCKETS_MAX)
        nbuckets <<= 1;
    cache->buckets = calloc(nbuckets, sizeof *cache->buckets);
    if (cache->buckets == NULL) {
        free(cache);
        return NULL;
    }
    cache->mask = nbuckets - 1;
    cache->capacity = capacity;
    cache->lru.prev = cache->lru.next = &cache->lru;
    return cache;
}

void ef_ddds_cache_free(ef_ddds_cache_t *cache)
{
    struct lru_link *l, *next;

    if (cache == NULL)
        return;
    for (l = cache->lru.next; l != &cache->lru; l = next) {
        next = l->next;
        entry_free((struct cache_entry *)l);
    }
    free(cache->buckets);
    free(cache);
}

static struct cache_entry *cache_find(const ef_ddds_cache_t *cache, uint64_t hash, const char *key,
                                      size_t len)
{
    struct cache_entry *e;

    for (e = cache->buckets[hash & cache->mask]; e != NULL; e = e->hnext) {
        if (e->hash == hash && e->key_len == len && memcmp(e->key, key, len) == 0)
            return e;
    }
    return NULL;
}

/* Drop the least recently used entry. */
static void cache_evict(ef_ddds_cache_t *cache)
{
    struct cache_entry *e = (struct cache_entry *)cache->lru.prev;
    struct cache_entry **pp = &cache->buckets[e->hash & cache->mask];

    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    lru_unlink(&e->lru);
    entry_free(e);
    cache->count--;
}

/* One allocation: the entry, then the tokens, the literal text and the key. */
static struct cache_entry *entry_new(const struct rule_src *src, uint64_t hash, const char *key,
                                     size_t len)
{
    size_t toks = src->ntok * sizeof(struct repl_tok);
    struct cache_entry *e = malloc(sizeof *e + toks + src->lit_len + len);
    char *p;

    if (e == NULL)
        return NULL;
    p = (char *)(e + 1);
    if (toks > 0)
        memcpy(p, src->tok, toks);
    e->rule.tok = (const struct repl_tok *)(void *)p;
    e->rule.ntok = src->ntok;
    p += toks;
    if (src->lit_len > 0)
        memcpy(p, src->lit, src->lit_len);
    e->rule.lit = p;
    p += src->lit_len;
    memcpy(p, key, len);
    e->key = p;
    e->key_len = len;
    e->hash = hash;
    e->memo_valid = false;
    return e;
}

/* Parse and compile a rule that is not in the cache, and cache it, error or not. */
static int cache_add(ef_ddds_cache_t *cache, uint64_t hash, const char *expr, size_t len,
                     struct cache_entry **found)
{
    struct rule_src src;
    ef_perr_t perr = {0, NULL};
    struct cache_entry *e;
    int rc = parse_rule(expr, len, &src, &perr);

    if (rc < 0)
        src.ntok = src.lit_len = 0;
    if ((e = entry_new(&src, hash, expr, len)) == NULL)
        return EF_ENOMEM;
    if (rc == 0)
        rc = compile_rule(&e->rule, &src, &perr);
    if (rc == EF_ENOMEM) {
        free(e);
        return rc;
    }
    e->rule.status = rc;
    e->rule.err_off = perr.offset;
    e->rule.reason = perr.reason;
    if (cache->count >= cache->capacity)
        cache_evict(cache);
    e->hnext = cache->buckets[hash & cache->mask];
    cache->buckets[hash & cache->mask] = e;
    lru_push_front(cache, &e->lru);
    cache->count++;
    *found = e;
    return 0;
}

static int apply_cached(ef_ddds_cache_t *cache, const char *expr, size_t expr_len, const char *in,
                        size_t in_len, char *out, size_t cap, ef_perr_t *err)
{
    uint64_t hash = hash_bytes(expr, expr_len);
    struct cache_entry *e = cache_find(cache, hash, expr, expr_len);
    int rc;

    if (e != NULL) {
        lru_unlink(&e->lru);
        lru_push_front(cache, &e->lru);
    } else if ((rc = cache_add(cache, hash, expr, expr_len, &e)) < 0) {
        return rc;
    }
    if (e->rule.status != 0)
        return fail(err, e->rule.err_off, e->rule.reason, e->rule.status);
    if (e->memo_valid && e->memo_in_len == in_len && memcmp(e->memo_in, in, in_len) == 0 &&
        (e->memo_rc < 0 || (size_t)e->memo_rc < cap)) {
        if (e->memo_rc >= 0)
            memcpy(out, e->memo_out, (size_t)e->memo_rc + 1);
        return e->memo_rc;
    }
    rc = rule_apply(&e->rule, in, in_len, out, cap, err);
    e->memo_valid = in_len <= MEMO_IN_MAX && (rc == EF_ENOMATCH || (rc >= 0 && rc < MEMO_OUT_MAX));
    if (e->memo_valid) {
        e->memo_in_len = (uint8_t)in_len;
        e->memo_rc = rc;
        memcpy(e->memo_in, in, in_len);
        if (rc >= 0)
            memcpy(e->memo_out, out, (size_t)rc + 1);
    }
    return rc;
}

int ef_ddds_apply(ef_ddds_cache_t *cache, const char *expr, size_t expr_len, const char *in,
                  size_t in_len, char *out, size_t cap, ef_perr_t *err)
{
    if ((expr == NULL && expr_len > 0) || (in == NULL && in_len > 0) || (out == NULL && cap > 0))
        return EF_EINVAL;
    if (expr_len > EXPR_MAX)
        return fail(err, EXPR_MAX, "substitution expression longer than 1024 bytes", EF_E2BIG);
    if (in_len > IN_MAX)
        return fail(err, 0, "input longer than 255 bytes", EF_E2BIG);
    /* regexec() sees a C string: a NUL would silently cut the input short. */
    if (in_len > 0 && memchr(in, '\0', in_len) != NULL)
        return EF_EINVAL;
    /* A cache of capacity 0 holds nothing: every call compiles and frees. */
    if (cache == NULL || cache->capacity == 0)
        return apply_uncached(expr, expr_len, in, in_len, out, cap, err);
    return apply_cached(cache, expr, expr_len, in, in_len, out, cap, err);
}
