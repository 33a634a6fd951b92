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
 */
#ifndef ENUMFED_REGISTRY_H
#define ENUMFED_REGISTRY_H

#include <stdio.h>

#include "enumfed/common.h"
#include "enumfed/template.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The schema version stored in the database (table meta, key "schema_version"). */
#define EF_REG_SCHEMA_VERSION 1

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
 * Open (creating when needed) the database at path and its schema.
 * @return 0; EF_ECONFIG when the file is not a registry of this schema version;
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

/** The whole registry; EF_REG_XML is read back by ef_reg_import_file. */
int ef_reg_export(ef_reg_t *reg, ef_reg_format_t format, FILE *out);

#ifdef __cplusplus
}
#endif

#endif
