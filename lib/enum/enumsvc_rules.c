/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enumsvc_rules.c -- Enumservice names ("type", "type:subtype") against the
 * registration rules: the ABNF of RFC 6116 §3.4.3, the facets of RFC 6116
 * §3.4.3.1, the naming requirements of RFC 6117 §3.2 and the restrictions of
 * RFC 6117 §11.8. Every rule broken is reported, with a stable code, the
 * section and the byte offset; see ef_enumsvc_check_name() in enumsvc.h.
 *
 * Inputs are byte slices that need not be NUL-terminated; nothing here reads
 * past the given length, allocates or logs.
 */
#include <limits.h>

#include "enumfed/enumsvc.h"

#define SEC_ABNF "RFC 6116 §3.4.3"
#define SEC_FACET "RFC 6116 §3.4.3.1"
#define SEC_NAMING "RFC 6117 §3.2"

/* One rule: its code, id, severity, message and section. */
typedef struct {
    const char *code, *id;
    bool warning;
    const char *message, *section;
} rule_t;

enum {
    R_EMPTY,
    R_TOO_LONG,
    R_BAD_CHAR,
    R_DASH_FIRST,
    R_DASH_LAST,
    R_DASH_SECOND,
    R_FACET_X,
    R_FACET_P,
    R_E2U,
    R_EXAMPLE,
    R_MULTI,
    R_UPPER,
    R_COUNT
};

static const rule_t rules[R_COUNT] = {
    [R_EMPTY] = {"E001", "empty", false, "empty Type or Subtype", SEC_ABNF},
    [R_TOO_LONG] = {"E002", "too-long", false, "longer than 32 characters", SEC_ABNF},
    [R_BAD_CHAR] = {"E003", "bad-char", false, "a character other than a letter, a digit or '-'",
                    SEC_ABNF},
    [R_DASH_FIRST] = {"E004", "dash-first", false, "'-' as the first character", SEC_NAMING},
    [R_DASH_LAST] = {"E005", "dash-last", false, "'-' as the last character", SEC_NAMING},
    [R_DASH_SECOND] = {"E006", "dash-second", false,
                       "'-' as the second character is reserved for facets", SEC_NAMING},
    [R_FACET_X] = {"E007", "facet-x", false,
                   "the \"X-\" facet is for experimental or trial use, not registrable", SEC_FACET},
    [R_FACET_P] = {"E008", "facet-p", false,
                   "the \"P-\" facet is for private networks only, not registrable", SEC_FACET},
    [R_E2U] = {"E009", "e2u-prefix", false, "starts with \"e2u\" (the obsolete syntax)",
               "RFC 6117 §3.2, §11.8"},
    [R_EXAMPLE] = {"E010", "example-name", false,
                   "\"foo\", \"bar\" and \"sbar\" are reserved for examples", "RFC 6117 §11.8"},
    [R_MULTI] = {"E011", "multiple-subtypes", false,
                 "more than one ':' (a registration has at most one Subtype)", "RFC 6117 §5.2.3"},
    [R_UPPER] = {"W001", "uppercase", true,
                 "uppercase letter: lowercase is recommended (comparison ignores case)",
                 SEC_NAMING},
};

/* The problems found so far; n counts past cap, only the first cap are stored. */
typedef struct {
    ef_enumsvc_problem_t *out;
    size_t cap, n;
} list_t;

static void add(list_t *l, int rule, size_t offset)
{
    const rule_t *r = &rules[rule];

    if (l->n < l->cap)
        l->out[l->n] =
            (ef_enumsvc_problem_t){r->code, r->id, r->warning, r->message, r->section, offset};
    l->n++;
}

static unsigned char to_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* RFC 6116 §3.4.3: type / subtype = 1*32(ALPHA / DIGIT / "-"), as enumsvc.c */
static bool is_token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* s[0..n) equals the lowercase word w, ignoring case. */
static bool is_word(const char *s, size_t n, const char *w, size_t wn)
{
    if (n != wn)
        return false;
    for (size_t i = 0; i < n; i++)
        if (to_lower((unsigned char)s[i]) != (unsigned char)w[i])
            return false;
    return true;
}

static bool is_example(const char *s, size_t n)
{
    return is_word(s, n, "foo", 3) || is_word(s, n, "bar", 3) || is_word(s, n, "sbar", 4);
}

/* The offset of the first character outside ALPHA / DIGIT / "-" in s[0..n), or n. */
static size_t first_bad_char(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && is_token_char((unsigned char)s[i]))
        i++;
    return i;
}

/* The offset of the first uppercase letter in s[0..n), or n. */
static size_t first_upper(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && !(s[i] >= 'A' && s[i] <= 'Z'))
        i++;
    return i;
}

/* The rule for '-' as the second character: the facet of a type, or E006. */
static int second_dash_rule(const char *s, bool type)
{
    if (type && to_lower((unsigned char)s[0]) == 'x')
        return R_FACET_X;
    if (type && to_lower((unsigned char)s[0]) == 'p')
        return R_FACET_P;
    return R_DASH_SECOND;
}

/* One type (type == true) or subtype token s[0..n) at offset base of the name. */
static void check_token(list_t *l, const char *s, size_t n, size_t base, bool type,
                        bool allow_examples)
{
    size_t i;

    if (n == 0) {
        add(l, R_EMPTY, base);
        return;
    }
    if (n > EF_ENUMSVC_TOKEN_MAX)
        add(l, R_TOO_LONG, base + EF_ENUMSVC_TOKEN_MAX);
    i = first_bad_char(s, n);
    if (i < n)
        add(l, R_BAD_CHAR, base + i);
    if (s[0] == '-')
        add(l, R_DASH_FIRST, base);
    if (n >= 2 && s[n - 1] == '-')
        add(l, R_DASH_LAST, base + n - 1);
    if (n >= 2 && s[1] == '-')
        add(l, second_dash_rule(s, type), base + 1);
    if (n >= 3 && is_word(s, 3, "e2u", 3))
        add(l, R_E2U, base);
    if (!allow_examples && is_example(s, n))
        add(l, R_EXAMPLE, base);
    i = first_upper(s, n);
    if (i < n)
        add(l, R_UPPER, base + i);
}

int ef_enumsvc_check_name(const char *buf, size_t len, bool allow_examples,
                          ef_enumsvc_problem_t *out, size_t cap)
{
    list_t l = {out, cap, 0};
    size_t start = 0, colons = 0;

    if ((buf == NULL && len != 0) || (out == NULL && cap != 0))
        return EF_EINVAL;
    for (size_t p = 0;; p++) {
        if (p < len && buf[p] != ':')
            continue;
        check_token(&l, buf + start, p - start, start, start == 0, allow_examples);
        if (p == len)
            break;
        if (++colons == 2)
            add(&l, R_MULTI, p);
        start = p + 1;
    }
    if (l.n > cap || l.n > (size_t)INT_MAX)
        return EF_E2BIG;
    return (int)l.n;
}

bool ef_enumsvc_problems_ok(const ef_enumsvc_problem_t *problems, size_t n)
{
    if (problems == NULL)
        return n == 0;
    for (size_t i = 0; i < n; i++)
        if (!problems[i].warning)
            return false;
    return true;
}
