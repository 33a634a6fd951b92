/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registry_db.h -- what the review workflow (lib/enum/workflow.c) needs from
 * the registry (lib/enum/registry.c) beyond the public API: the database
 * handle, for its own tables in the same file and transactions that span both,
 * and the store step of an import without a transaction of its own.
 */
#ifndef EF_ENUM_REGISTRY_DB_H
#define EF_ENUM_REGISTRY_DB_H

#include <sqlite3.h>

#include "enumfed/registry.h"

/** An escrow copy of a specification (RFC 6117 §11.3): bytes borrowed from the caller. */
struct ef__escrow {
    const char *data;
    size_t len; /**< 1 to EF_REG_ESCROW_MAX */
};

/** The database handle of reg, owned by reg. */
sqlite3 *ef__reg_db(ef_reg_t *reg);

/**
 * Check and store a registration template held in memory, as ef_reg_import_file
 * does, inside the caller's transaction (none is begun, committed or rolled
 * back here); esc (may be NULL) is attached to the template's one record.
 * @return 0; EF_EINVAL / EF_ESYNTAX when refused (why says why); EF_ECONFIG
 */
int ef__reg_store(ef_reg_t *reg, const char *buf, size_t len, const char *name,
                  const struct ef__escrow *esc, ef_reg_stats_t *stats, char *why, size_t whycap);

/**
 * The template check of an import (lib/enum/template.c): its first cap
 * findings go to out; a template with errors is refused (RFC 6117 §11.8).
 * @return 0; EF_EINVAL (refused, errbuf says why); EF_ESYNTAX; EF_ENOMEM
 */
int ef__reg_check(const char *buf, size_t len, const char *path, ef_tpl_finding_t *out, size_t cap,
                  size_t *n_out, char *errbuf, size_t errcap);

/**
 * Read a specification for an escrow copy: 1 to EF_REG_ESCROW_MAX bytes.
 * @param buf on success malloc'd, owned by the caller
 * @return 0; EF_EINVAL (empty); EF_E2BIG; -errno; errbuf says which file and why
 */
int ef__reg_load_spec(const char *path, char **buf, size_t *len, char *errbuf, size_t errcap);

/** The SHA-256 of len bytes as 64 lowercase hex digits and a NUL. @return 0; EF_ENOMEM */
int ef__sha256_hex(const void *data, size_t len, char hex[65]);

#endif
