/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * naptr.h -- NAPTR resource records (RFC 3403 §4.1): decoding the rdata from
 * DNS wire format, bounds-checked, and the ORDER/PREFERENCE sort of RFC 6116
 * §5.2.
 */
#ifndef ENUMFED_NAPTR_H
#define ENUMFED_NAPTR_H

#include "enumfed/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One decoded NAPTR. Every slice points into the rdata given to ef_naptr_decode(). */
typedef struct {
    uint16_t order;
    uint16_t preference;
    ef_str_t flags;       /**< character-string, may be empty */
    ef_str_t services;    /**< character-string, may be empty */
    ef_str_t regexp;      /**< character-string, may be empty */
    ef_str_t replacement; /**< the uncompressed wire-format domain name, root = "\0" */
    size_t index;         /**< position in the RRset as received (ties keep it, RFC 6116 §5.2) */
} ef_naptr_t;

/**
 * Decode one NAPTR rdata (without the RDLENGTH prefix). Refuses a truncated
 * record, trailing bytes, a compressed or malformed replacement name, and a
 * replacement longer than 255 octets.
 *
 * @return 0, or EF_ESYNTAX with err->offset/err->reason set when err is non-NULL
 */
int ef_naptr_decode(const uint8_t *rdata, size_t len, ef_naptr_t *out, ef_perr_t *err);

/** True when the replacement is the root name "." (i.e. "no replacement"). */
bool ef_naptr_replacement_is_root(const ef_naptr_t *rr);

/**
 * The replacement as presentation text ("sip.example.com."), with RFC 1035 §5.1
 * escapes (\. \\ \DDD) for bytes that need them.
 *
 * @return the text length, or EF_E2BIG if cap is too small (EF_DNAME_TEXT_MAX always fits)
 */
int ef_naptr_replacement_text(const ef_naptr_t *rr, char *out, size_t cap);

/**
 * Sort records by ORDER (major) then PREFERENCE (minor), lowest first; equal
 * records keep the sequence in which the DNS delivered them (RFC 6116 §5.2).
 */
void ef_naptr_sort(ef_naptr_t *recs, size_t n);

/**
 * Classify the Flags field for ENUM (RFC 6116 §3.4.2, RFC 3403 §4.1: flags are
 * case-insensitive A-Z 0-9). Returns EF_NAPTR_TERMINAL for "u", EF_NAPTR_NONTERMINAL
 * for an empty field, EF_NAPTR_UNKNOWN for anything else (the client MUST skip it).
 */
enum ef_naptr_kind { EF_NAPTR_TERMINAL, EF_NAPTR_NONTERMINAL, EF_NAPTR_UNKNOWN };
enum ef_naptr_kind ef_naptr_kind(const ef_naptr_t *rr);

#ifdef __cplusplus
}
#endif

#endif
