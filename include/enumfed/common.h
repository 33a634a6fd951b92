/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * common.h -- types shared by every part of libenumfed: the string slice, the
 * error table and the parse-error detail that parsers fill in.
 *
 * Conventions: 0 is success and a negative value is an error everywhere; system
 * errors are -errno, the library's own errors are the EF_E* codes below (all
 * below -1000, so they never collide with -errno).
 */
#ifndef ENUMFED_COMMON_H
#define ENUMFED_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EF_VERSION "0.1.0"

/** A slice of bytes; not NUL-terminated. Print with "%.*s", (int)s.len, s.ptr. */
typedef struct {
    const char *ptr;
    size_t len;
} ef_str_t;

#define EF_STR_NULL ((ef_str_t){NULL, 0})

/*
 * The error table. Columns: code, stable short name (used in JSON output and on
 * the command line), message. The ENUM resolution kinds (nxdomain ... bad-record)
 * are part of the external contract of enumq: their names never change.
 */
#define EF_ERR_MAP(XX)                                                                             \
    XX(EAGAIN, "again", "incomplete input, more data needed")                                      \
    XX(EINVAL, "invalid", "invalid argument")                                                      \
    XX(ENOMEM, "nomem", "out of memory")                                                           \
    XX(E2BIG, "too-big", "input exceeds a limit")                                                  \
    XX(ESYNTAX, "syntax", "malformed input")                                                       \
    XX(ENOTE2U, "not-e2u", "not an ENUM (E2U) rule")                                               \
    XX(ENXDOMAIN, "nxdomain", "the domain does not exist")                                         \
    XX(ENONAPTR, "no-naptr", "the domain has no NAPTR records")                                    \
    XX(ENOMATCH, "no-match", "records exist but none matches the requested service")               \
    XX(ESERVFAIL, "servfail", "the DNS server failed to answer")                                   \
    XX(ETIMEOUT, "timeout", "no DNS answer in time")                                               \
    XX(EBOGUS, "bogus", "DNSSEC validation failed")                                                \
    XX(EINSECURE, "insecure", "the answer is not DNSSEC-secure and secure answers are required")   \
    XX(ELOOP, "loop", "a referral or redirection loop, or the chain limit, was reached")           \
    XX(EBADRECORD, "bad-record", "only malformed records were found")                              \
    XX(ENODATA, "no-data", "the domain has no records of the requested type")                      \
    XX(ECONFIG, "config", "invalid configuration")                                                 \
    XX(ECANCELED, "canceled", "the operation was canceled")

enum ef_err {
    EF_OK = 0,
    EF__ERR_BASE = -1000,
#define EF__ERR_ENUM(code, name, msg) EF_##code,
    /* EF_EAGAIN = -999, EF_EINVAL = -998, ... */
    EF_ERR_MAP(EF__ERR_ENUM)
#undef EF__ERR_ENUM
        EF__ERR_END
};

/** A human-readable message for any error (an EF_E* code or -errno). Static string. */
const char *ef_strerror(int err);

/** The stable short name of an error ("nxdomain", "loop", ...). Static string. */
const char *ef_err_name(int err);

/**
 * Where and why a parse failed. Parsers fill it in (when non-NULL) on error:
 * `offset` is the byte offset into the input, `reason` a static string.
 */
typedef struct {
    size_t offset;
    const char *reason;
} ef_perr_t;

#ifdef __cplusplus
}
#endif

#endif
