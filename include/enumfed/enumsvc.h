/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enumsvc.h -- the Services field of ENUM NAPTRs (RFC 6116 §3.4.3): the "E2U"
 * application tag and its Enumservices ("E2U+sip", "E2U+voice:tel",
 * compound "E2U+voice:tel+sms:tel"), the obsolete RFC 2916 form "sip+E2U"
 * (RFC 6116 §5.2: clients SHOULD support it), and matching an Enumservice
 * against what a client asks for.
 */
#ifndef ENUMFED_ENUMSVC_H
#define ENUMFED_ENUMSVC_H

#include "enumfed/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** At most this many Enumservices in one Services field (a NAPTR field is <= 255 bytes). */
#define EF_ENUMSVC_MAX 64
/** Type and Subtype are 1..32 characters (RFC 6116 §3.4.3). */
#define EF_ENUMSVC_TOKEN_MAX 32

/** One Enumservice. Slices point into the parsed input. subtype.len == 0: no Subtype. */
typedef struct {
    ef_str_t type;
    ef_str_t subtype; /**< everything after the first ':' ("tel", or "a:b" if several) */
} ef_enumsvc_t;

/** A parsed Services field. */
typedef struct {
    ef_str_t app;  /**< the DDDS application tag: "E2U" (any case), or another one */
    bool obsolete; /**< written in the RFC 2916 form "type+E2U" */
    size_t n;      /**< number of Enumservices, left to right */
    ef_enumsvc_t svc[EF_ENUMSVC_MAX];
} ef_svcfield_t;

/**
 * Parse a Services field. Case-insensitive.
 *
 * @return 0 for an ENUM field (out->n >= 1); EF_ENOTE2U for a well-formed field
 *         of another DDDS application (out->app names it, e.g. "SIP+D2U"
 *         gives app "D2U", its last token); EF_ESYNTAX for a malformed field, with err set.
 */
int ef_svcfield_parse(const char *buf, size_t len, ef_svcfield_t *out, ef_perr_t *err);

/**
 * Parse what a client asks for: "im", "voice:tel", "E2U+sip" (the E2U+ prefix is
 * accepted and dropped). Same character rules as the Services field.
 *
 * @return 0 or EF_ESYNTAX with err set
 */
int ef_enumsvc_parse(const char *buf, size_t len, ef_enumsvc_t *out, ef_perr_t *err);

/**
 * True when `svc` is what `want` asks for: types equal ignoring case, and either
 * `want` has no Subtype (any Subtype matches) or the Subtypes are equal ignoring case.
 */
bool ef_enumsvc_match(const ef_enumsvc_t *svc, const ef_enumsvc_t *want);

/** True for a "P-" type: private-network only (RFC 6116 §3.4.3.1). */
bool ef_enumsvc_is_private(const ef_enumsvc_t *svc);

/**
 * Write "type" or "type:subtype" in lowercase (the canonical form, RFC 6117 §3.2)
 * to out. @return the length, or EF_E2BIG if it does not fit (with its NUL).
 */
int ef_enumsvc_format(const ef_enumsvc_t *svc, char *out, size_t cap);

/*
 * Enumservice names against the registration rules (RFC 6117 §3.2, §11.8 and
 * RFC 6116 §3.4.3, §3.4.3.1): what `enumsvc check-type` reports.
 */

/** A problem of an Enumservice name ("type" or "type:subtype"). All strings are static. */
typedef struct {
    const char *code;    /**< stable code: "E001".."E011" errors, "W001" warnings */
    const char *id;      /**< stable short name, e.g. "dash-first", "e2u-prefix" */
    bool warning;        /**< true: a warning (the name stays valid); false: an error */
    const char *message; /**< what is wrong, one line, no trailing period */
    const char *section; /**< where the rule is, e.g. "RFC 6117 §3.2" */
    size_t offset;       /**< byte offset into the checked name */
} ef_enumsvc_problem_t;

/**
 * Enough room for every problem of a name with at most one ':' (at most
 * eight per token); names with more ':' may have more.
 */
#define EF_ENUMSVC_PROBLEMS_MAX 32

/**
 * Check an Enumservice name "type" or "type:subtype" as it would be
 * registered, and list every rule it breaks, left to right by token, in rule
 * order within a token. Each of the type and the subtype(s) is checked for:
 *
 * - E001 empty: empty Type or Subtype (RFC 6116 §3.4.3)
 * - E002 too-long: more than 32 characters; offset of the 33rd (RFC 6116 §3.4.3)
 * - E003 bad-char: not ALPHA, DIGIT or '-'; the first such (RFC 6116 §3.4.3)
 * - E004 dash-first: '-' as the first character (RFC 6117 §3.2)
 * - E005 dash-last: '-' as the last character, tokens of 2+ characters (RFC 6117 §3.2)
 * - E006 dash-second: '-' as the second character (RFC 6117 §3.2)
 * - E007 facet-x: a Type with the "X-" facet, experimental (RFC 6116 §3.4.3.1)
 * - E008 facet-p: a Type with the "P-" facet, private networks (RFC 6116 §3.4.3.1)
 * - E009 e2u-prefix: starts with "e2u", any case (RFC 6117 §3.2, §11.8)
 * - E010 example-name: "foo", "bar" or "sbar", any case (RFC 6117 §11.8)
 * - E011 multiple-subtypes: a second ':'; offset of it (RFC 6117 §5.2.3)
 * - W001 uppercase: an uppercase letter; the first (RFC 6117 §3.2)
 *
 * E007 and E008 replace E006 for a type ("X-", "P-", any case); a subtype
 * with '-' second gets E006. E010 is skipped when allow_examples is true.
 * The input need not be NUL-terminated; nothing is read past len.
 *
 * @param out  room for cap problems (may be NULL when cap is 0)
 * @return the number of problems (errors and warnings; 0: a clean name);
 *         EF_E2BIG when there are more than cap (out holds the first cap);
 *         EF_EINVAL for NULL buf with len > 0 or NULL out with cap > 0
 */
int ef_enumsvc_check_name(const char *buf, size_t len, bool allow_examples,
                          ef_enumsvc_problem_t *out, size_t cap);

/** True when none of the n problems is an error (warnings allowed): the name is valid. */
bool ef_enumsvc_problems_ok(const ef_enumsvc_problem_t *problems, size_t n);

#ifdef __cplusplus
}
#endif

#endif
