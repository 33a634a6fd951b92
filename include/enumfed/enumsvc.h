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

#ifdef __cplusplus
}
#endif

#endif
