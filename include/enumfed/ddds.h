/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ddds.h -- the DDDS substitution expression (RFC 3402 §3.2) applied to an
 * Application Unique String: any legal delimiter, escaped delimiters, the "i"
 * flag, back-references \1-\9, POSIX Extended Regular Expressions from libc.
 * Compiled rules are cached in a rule cache owned by the caller.
 */
#ifndef ENUMFED_DDDS_H
#define ENUMFED_DDDS_H

#include "enumfed/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The longest URI a rule may produce. Longer output is refused (RFC 6116 §5.1). */
#define EF_DDDS_OUT_MAX 2048

/** A cache of compiled substitution expressions. Not thread-safe: one per thread. */
typedef struct ef_ddds_cache ef_ddds_cache_t;

/**
 * Create a rule cache holding at most `capacity` compiled rules (least recently
 * used are evicted). @return the cache (free with ef_ddds_cache_free), or NULL on ENOMEM.
 */
ef_ddds_cache_t *ef_ddds_cache_new(size_t capacity);

/** Free the cache and every compiled rule in it. NULL is allowed. */
void ef_ddds_cache_free(ef_ddds_cache_t *cache);

/**
 * Apply the substitution expression `expr` (the NAPTR Regexp field, as on the
 * wire: one backslash per escape) to `in`.
 *
 * @param cache  a rule cache, or NULL to compile the rule for this call only
 * @param out    receives the NUL-terminated result
 * @param cap    size of out
 * @param err    optional; receives the offset in expr and the reason for EF_ESYNTAX
 * @return the length of the result (>= 0); EF_ENOMATCH when the ERE does not
 *         match `in`; EF_ESYNTAX for a malformed expression (bad delimiter, not
 *         exactly three unescaped delimiters, unknown flag, \0, a back-reference
 *         to a subexpression that does not exist, an ERE regcomp refuses);
 *         EF_E2BIG when the result does not fit in cap or EF_DDDS_OUT_MAX;
 *         EF_EINVAL for a NUL byte in `in` or NULL pointers with lengths;
 *         EF_ENOMEM when memory (or the regex engine's) runs out.
 *
 * EREs that regcomp()/regexec() would take seconds or minutes on are refused as
 * EF_ESYNTAX before they reach libc (RFC 6116 §5.2: a Regexp that is not clear
 * is discarded): back-references inside the ERE, bounds above 255, nesting
 * deeper than 16, repetitions of repetitions or of what can match empty, and
 * rules whose compiled size would pass 256 nodes. Real ENUM rules are far
 * below these limits.
 */
int ef_ddds_apply(ef_ddds_cache_t *cache, const char *expr, size_t expr_len, const char *in,
                  size_t in_len, char *out, size_t cap, ef_perr_t *err);

#ifdef __cplusplus
}
#endif

#endif
