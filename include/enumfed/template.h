/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * template.h -- Enumservice IANA Registration Templates, the XML chunks of
 * RFC 6117 §5.2 and §11.2 (<record>, <people>), checked against the rules of
 * RFC 6117 §4.2 and §5.2: what `enumsvc check` reports.
 *
 * The XML comes from strangers: it is parsed with libxml2 without network
 * access, without loading a DTD and without substituting entities; a DOCTYPE
 * that declares entities, a file over EF_TPL_SIZE_MAX bytes or elements nested
 * deeper than EF_TPL_DEPTH_MAX are refused. Nothing else is ever read.
 */
#ifndef ENUMFED_TEMPLATE_H
#define ENUMFED_TEMPLATE_H

#include "enumfed/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Larger files are refused (E102). */
#define EF_TPL_SIZE_MAX (1024 * 1024)
/** Deeper element nesting is refused (E103); the root is depth 1. */
#define EF_TPL_DEPTH_MAX 32

/** One finding. code and section are static strings. */
typedef struct {
    const char *code;    /**< stable code: "E1xx" errors, "W1xx" warnings */
    bool warning;        /**< true: a warning (the template stays valid) */
    long line;           /**< line in the file, 0 when unknown */
    char message[160];   /**< one line, no trailing period */
    const char *section; /**< e.g. "RFC 6117 §5.2.1" */
} ef_tpl_finding_t;

/**
 * Check the templates in a file: a <record> chunk, a <people> chunk, or any
 * element holding one or more <record> and optionally a <people> (such as
 * the IANA registry), in the namespace "http://www.iana.org/assignments" or none.
 *
 * Findings come in document order, checks on the whole document last.
 *
 * @param out     room for cap findings
 * @param n_out   set to the number stored in out
 * @param errbuf  for EF_ESYNTAX / EF_EINVAL / -errno: why (may be NULL)
 * @return 0 when the file was judged (see the findings);
 *         EF_E2BIG when there were more than cap findings (out holds the first cap);
 *         EF_ESYNTAX when the file is not well-formed XML (one finding E100 with
 *         libxml2's line, errbuf with line and column);
 *         EF_EINVAL when the file is refused for safety (one finding: E101
 *         entities, E102 size, E103 depth) or for NULL arguments;
 *         -errno when the file cannot be read; EF_ENOMEM
 */
int ef_tpl_check_file(const char *path, ef_tpl_finding_t *out, size_t cap, size_t *n_out,
                      char *errbuf, size_t errcap);

/** The same for a document in memory; name is used in messages only (may be NULL). */
int ef_tpl_check_memory(const char *buf, size_t len, const char *name, ef_tpl_finding_t *out,
                        size_t cap, size_t *n_out, char *errbuf, size_t errcap);

/** True when none of the n findings is an error (warnings allowed). */
bool ef_tpl_findings_ok(const ef_tpl_finding_t *findings, size_t n);

#ifdef __cplusplus
}
#endif

#endif
