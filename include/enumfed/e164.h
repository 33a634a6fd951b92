/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * e164.h -- E.164 numbers as ENUM input: the user's number, a tel: URI
 * (RFC 3966 global numbers) or an enum: URI (draft-brandner-enum-uri) becomes
 * the Application Unique String (RFC 6116 §3.1) and, under a suffix, the first
 * key of the DDDS (RFC 6116 §3.2).
 */
#ifndef ENUMFED_E164_H
#define ENUMFED_E164_H

#include "enumfed/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** E.164 numbers have at most 15 digits (ITU-T E.164 §6). */
#define EF_E164_MAX_DIGITS 15
/** A domain name in presentation form, with its final dot, fits in this many bytes. */
#define EF_DNAME_TEXT_MAX 1025

/** An Application Unique String: '+' and 1..15 digits, NUL-terminated. */
typedef struct {
    char aus[EF_E164_MAX_DIGITS + 2];
    size_t len; /**< strlen(aus) */
} ef_e164_t;

/**
 * Parse a number as a user or a NAPTR gives it:
 *   "+44 1632 960083", "+44-1632-960083", "+44 (1632) 960.083"
 *   "tel:+44-1632-960083;foo=bar"   (RFC 3966 global number; parameters ignored)
 *   "enum:+441632960083;x=y"        (draft-brandner §3.1: parameters ignored)
 * Scheme names are case-insensitive. Local numbers (no leading '+', or a tel:
 * URI with phone-context) are refused: ENUM needs a global E.164 number
 * (RFC 6116 §3.7).
 *
 * @param buf,len  the input; not modified, need not be NUL-terminated
 * @param out      receives the AUS
 * @param err      optional; on error receives the offset and the reason
 * @return 0, or EF_ESYNTAX (malformed), EF_E2BIG (more than 15 digits)
 */
int ef_e164_parse(const char *buf, size_t len, ef_e164_t *out, ef_perr_t *err);

/**
 * The ENUM domain of a number under a suffix (RFC 6116 §3.2): digits reversed,
 * dot-separated, then the suffix with exactly one final dot.
 * ("+441632960083", "e164.arpa") -> "3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa."
 *
 * @param num     a parsed number
 * @param suffix  a domain name, with or without its final dot; "" or "." is the root
 * @param out     receives the NUL-terminated name
 * @param cap     size of out
 * @return the length of the name, or EF_E2BIG when it does not fit in cap or is
 *         longer than a domain name may be (255 octets on the wire)
 */
int ef_e164_domain(const ef_e164_t *num, const char *suffix, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
