/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registry.h -- the Enumservice registry (RFC 6117 §5.2, §11) in an SQLite
 * database: import of IANA registry XML (or any file `enumsvc check` reads),
 * listing, one entry in full, and export as IANA-style XML, text or HTML.
 *
 * Imports follow RFC 6117: an identical Type:Subtype already registered is a
 * clash (§11.4), so a record for it is either no change or an update that keeps
 * the old registration documents and adds the new ones as supplementary (§5.3);
 * entries are never deleted, only marked DEPRECATED or OBSOLETE (§11.7).
 * Type and Subtype compare case-insensitively and are stored as given.
 *
 * Every import is one transaction: a file that is refused (not well-formed, an
 * entity declaration, errors from the template check) or fails part way
 * leaves the database exactly as it was.
 *
 * Where an Enumservice Specification is not an RFC, the registry holds an
 * escrow copy of it (§11.3): the bytes and their SHA-256, checked again
 * whenever the copy is read back. The same database holds the tables of the
 * review workflow (enumfed/workflow.h).
 */
#ifndef ENUMFED_REGISTRY_H
#define ENUMFED_REGISTRY_H

#include <stdio.h>

#include "enumfed/common.h"
#include "enumfed/template.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The schema version stored in the database (table meta, key "schema_version").
 * 2 added escrow copies and the review workflow; ef_reg_open upgrades a
 * version 1 database in place.
 */
#define EF_REG_SCHEMA_VERSION 2

/** Larger specification files are refused as escrow copies (EF_E2BIG). */
#define EF_REG_ESCROW_MAX (16 * 1024 * 1024)

/** An open registry database. */
typedef struct ef_reg ef_reg_t;

/** What an import did. */
typedef struct {
    size_t records;   /**< <record> elements read */
    size_t added;     /**< new Enumservices */
    size_t updated;   /**< existing Enumservices changed (§5.3) */
    size_t unchanged; /**< identical re-registrations */
    size_t people;    /**< <person> entries added or changed */
} ef_reg_stats_t;

/** Export formats. */
typedef enum { EF_REG_XML, EF_REG_TEXT, EF_REG_HTML } ef_reg_format_t;

/**
 * Open (creating when needed) the database at path and its schema; a version 1
 * database is upgraded to EF_REG_SCHEMA_VERSION in one transaction.
 * @return 0; EF_ECONFIG when the file is not a registry of a known schema version;
 *         EF_EINVAL; EF_ENOMEM; errbuf says why (may be NULL)
 */
int ef_reg_open(const char *path, ef_reg_t **out, char *errbuf, size_t errcap);

/** Close the database; NULL is fine. */
void ef_reg_close(ef_reg_t *reg);

/**
 * Import a registry XML file in one transaction. The file is checked first
 * with ef_tpl_check_file: its findings go to out (warnings such as W123, two
 * schemes in one <urischeme>, which loads as two schemes); any error refuses it.
 * @return 0; EF_ESYNTAX / EF_EINVAL when refused (nothing changed);
 *         -errno when unreadable; EF_ECONFIG on a database error (rolled back)
 */
int ef_reg_import_file(ef_reg_t *reg, const char *path, ef_reg_stats_t *stats,
                       ef_tpl_finding_t *out, size_t cap, size_t *n_out, char *errbuf,
                       size_t errcap);

/** One line per Enumservice: "type[:subtype]  class  usage  scheme,scheme". */
int ef_reg_list(ef_reg_t *reg, FILE *out);

/**
 * Every field of one Enumservice, "TYPE" or "TYPE:SUBTYPE" (case-insensitive).
 * @return 0; EF_ENODATA when not registered; EF_EINVAL; EF_ECONFIG
 */
int ef_reg_show(ef_reg_t *reg, const char *name, FILE *out);

/**
 * ef_reg_import_file, and in the same transaction an escrow copy of the
 * specification in spec_path (RFC 6117 §11.3) for the file's one <record>,
 * whose <registrationdocs> must name a document that is not an RFC. An
 * identical copy already held is no change; older copies are kept.
 * @param spec_path  the specification, 1 to EF_REG_ESCROW_MAX bytes; NULL: none
 * @return as ef_reg_import_file; also EF_EINVAL when the file holds more or
 *         fewer than one record or only RFCs, EF_E2BIG when the specification
 *         is too large (nothing changed)
 */
int ef_reg_import_escrow(ef_reg_t *reg, const char *path, const char *spec_path,
                         ef_reg_stats_t *stats, ef_tpl_finding_t *out, size_t cap, size_t *n_out,
                         char *errbuf, size_t errcap);

/**
 * The latest escrow copy of "TYPE" or "TYPE:SUBTYPE", after checking it
 * against the SHA-256 recorded when it was stored.
 * @param data    set to a malloc'd copy the caller frees (NULL on error)
 * @param sha256  64 hex digits and a NUL: the hash of the bytes read
 * @return 0; EF_ENODATA when not registered or no copy is held;
 *         EF_EBADRECORD when the bytes do not match the recorded hash (nothing
 *         returned); EF_EINVAL; EF_ENOMEM; EF_ECONFIG
 */
int ef_reg_escrow_get(ef_reg_t *reg, const char *name, char **data, size_t *len, char sha256[65],
                      char *errbuf, size_t errcap);

/** The whole registry; EF_REG_XML is read back by ef_reg_import_file. */
int ef_reg_export(ef_reg_t *reg, ef_reg_format_t format, FILE *out);

/*
 * Registry consumers: the ENUM client and the zone lint ask what the registry
 * says about an Enumservice they met in a Services field.
 */

/** At most this many URI schemes of one Enumservice in ef_reg_entry_t. */
#define EF_REG_SCHEMES_MAX 16
/** Room for one URI scheme name, with its NUL. */
#define EF_REG_SCHEME_LEN 33
/** Room for a Type or a Subtype (1..32 characters, RFC 6116 §3.4.3), with its NUL. */
#define EF_REG_TOKEN_LEN 33
/** Room for a Class ("Application-Based, Ancillary"), with its NUL. */
#define EF_REG_CLASS_LEN 64
/** Room for an Intended Usage ("LIMITED USE"), with its NUL. */
#define EF_REG_USAGE_LEN 16

/**
 * What the Intended Usage (RFC 6117 §5.2.7) means for a client: COMMON and
 * LIMITED USE are active; DEPRECATED and OBSOLETE (the word of the §11.2
 * template) are not to be used in new deployments.
 */
typedef enum { EF_REG_ACTIVE, EF_REG_DEPRECATED, EF_REG_OBSOLETE } ef_reg_usage_t;

/** One registered Enumservice, as much as a consumer needs. Plain arrays, no ownership. */
typedef struct {
    char type[EF_REG_TOKEN_LEN];       /**< as registered */
    char subtype[EF_REG_TOKEN_LEN];    /**< as registered; "" for none */
    char klass[EF_REG_CLASS_LEN];      /**< "Protocol-Based", "Application-Based, Common"... */
    char usage_text[EF_REG_USAGE_LEN]; /**< as registered: "COMMON", "DEPRECATED"... */
    ef_reg_usage_t usage;
    char schemes[EF_REG_SCHEMES_MAX][EF_REG_SCHEME_LEN]; /**< in registration order */
    size_t n_schemes;
    bool truncated; /**< a field or scheme did not fit: schemes may be incomplete */
} ef_reg_entry_t;

/**
 * Open an existing registry database read-only (a consumer needs no write
 * access; nothing is created). The schema is not upgraded: a registry of an
 * earlier schema version is read as it is.
 * @return 0; EF_ECONFIG when the file is missing, unreadable, not a registry
 *         or of a later schema version (errbuf says why, may be NULL);
 *         EF_EINVAL; EF_ENOMEM
 */
int ef_reg_open_readonly(const char *path, ef_reg_t **out, char *errbuf, size_t errcap);

/**
 * The registration of Type:Subtype, both compared ignoring case. subtype NULL
 * or "" asks for the Enumservice without a Subtype, and only that: "voice" is
 * not registered when only "voice:tel" is (a Type registered with Subtypes is
 * used with one of them), nor "sip:x" when only "sip" is.
 *
 * @param out  filled on success, cleared otherwise
 * @return 0; EF_ENODATA when not registered; EF_EINVAL; EF_ECONFIG on a
 *         database error
 */
int ef_reg_lookup(ef_reg_t *reg, const char *type, const char *subtype, ef_reg_entry_t *out);

/** True when `scheme` (len bytes, any case) is one of e's URI schemes. */
bool ef_reg_entry_has_scheme(const ef_reg_entry_t *e, const char *scheme, size_t len);

/** "active", "deprecated" or "obsolete". */
const char *ef_reg_usage_name(ef_reg_usage_t usage);

#ifdef __cplusplus
}
#endif

#endif
