/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lint.h -- checking the NAPTRs of an ENUM zone against the provisioning rules
 * of RFC 6116 §5.1, the Enumservice naming rules of RFC 6117 §3.2 and the URI
 * schemes the common Enumservices register (RFC 3764, RFC 3953, RFC 5028...).
 * A zone is loaded from a master file (Knot's zone parser) or built record by
 * record; each rule it breaks is one finding with a stable code. Given an
 * Enumservice registry (registry.h), the Enumservices are also checked against
 * it: registered, not deprecated, and the URI schemes it lists.
 */
#ifndef ENUMFED_LINT_H
#define ENUMFED_LINT_H

#include "enumfed/common.h"
#include "enumfed/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { EF_LINT_WARNING, EF_LINT_ERROR } ef_lint_severity_t;

/**
 * One broken rule. Strings are static or owned by the zone; valid until the
 * zone is checked again or freed.
 */
typedef struct {
    const char *code; /**< stable short name ("obsolete-syntax"), never changes */
    ef_lint_severity_t severity;
    const char *owner; /**< the record's owner, lowercase, with the final dot */
    uint16_t order;
    uint16_t preference;
    size_t record;       /**< index of the record in the zone (order of the file) */
    const char *message; /**< one line, static */
    const char *detail;  /**< a static reason ("unbalanced parenthesis"), or NULL */
    const char *rfc;     /**< where the rule is written: "RFC 6116 §5.1" */
} ef_lint_finding_t;

typedef struct ef_lint_zone ef_lint_zone_t;

/** Severity as text: "error" or "warning". */
const char *ef_lint_severity_name(ef_lint_severity_t sev);

/**
 * An empty zone whose apex is `apex` (presentation form, final dot optional),
 * or NULL for "not known yet" (ef_lint_zone_load() takes it from the SOA).
 * @return the zone or NULL on ENOMEM / a name longer than a domain name
 */
ef_lint_zone_t *ef_lint_zone_new(const char *apex);

void ef_lint_zone_free(ef_lint_zone_t *z);

/**
 * Add one NAPTR: `owner` in presentation form, `rdata` its wire-format rdata
 * (copied). @return 0, EF_ESYNTAX (rdata ef_naptr_decode() refuses, err set),
 * EF_EINVAL, EF_ENOMEM
 */
int ef_lint_zone_add(ef_lint_zone_t *z, const char *owner, const uint8_t *rdata, size_t len,
                     ef_perr_t *err);

/**
 * Read a master file: every NAPTR is added, the apex is the owner of the first
 * SOA, else `origin` (also the initial $ORIGIN; NULL means "."). A file
 * without SOA and no origin is refused.
 *
 * @return the zone in *out, or EF_ESYNTAX / EF_ECONFIG / EF_ENOMEM with a
 *         one-line reason in errbuf ("line 12: ..." from the zone parser)
 */
int ef_lint_zone_load(const char *path, const char *origin, ef_lint_zone_t **out, char *errbuf,
                      size_t errcap);

/** The apex (lowercase, final dot), or "" when not set. */
const char *ef_lint_zone_apex(const ef_lint_zone_t *z);

/** Number of NAPTRs in the zone. */
size_t ef_lint_zone_records(const ef_lint_zone_t *z);

/**
 * Check the Enumservices against a registry too (RFC 6117 §11), from the next
 * ef_lint_zone_check() on; NULL switches it off (the default). The registry
 * is borrowed: keep it open while checking. With a registry, an Enumservice
 * of a well-formed ENUM Services field that is not a P- or X- one gives:
 *
 * - enumservice-unregistered (warning): not in the registry; detail: its name
 * - enumservice-deprecated / enumservice-obsolete (warning): its Intended
 *   Usage (RFC 6117 §5.2.7); detail: its name
 * - uri-scheme (error): the URI the rule produces has a scheme the registry
 *   does not list for it (RFC 6117 §5.2.4); detail: "NAME registers SCHEMES".
 *   The registry replaces the built-in scheme table for the Enumservices it
 *   holds; the table still applies to those it does not.
 */
void ef_lint_zone_set_registry(ef_lint_zone_t *z, ef_reg_t *reg);

/**
 * Run every check (again) and return the findings in record order.
 * @return 0 with *findings / *n set; EF_ENOMEM; with a registry, its error
 *         (EF_ECONFIG) when a lookup fails
 */
int ef_lint_zone_check(ef_lint_zone_t *z, const ef_lint_finding_t **findings, size_t *n);

#ifdef __cplusplus
}
#endif

#endif
