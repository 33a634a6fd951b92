/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xml_safe.h -- the one way the library reads untrusted XML (registration
 * templates, registry files): from a buffer of bounded size, with libxml2's
 * network access, DTD loading and entity substitution off, and the first
 * entity declaration stopping the parse, so XXE and entity expansion never run.
 */
#ifndef EF_ENUM_XML_SAFE_H
#define EF_ENUM_XML_SAFE_H

#include <libxml/tree.h>
#include <stddef.h>

/** Why a document was not returned. */
struct ef__xml_error {
    int status; /**< 0, EF_ESYNTAX (not well-formed), EF_EINVAL (entities), EF_E2BIG, EF_ENOMEM */
    int line, column;
    char msg[128]; /**< libxml2's message, trimmed */
};

/**
 * Parse len bytes (the caller bounds len); `name` is used in messages only.
 * @return the document (free with xmlFreeDoc), or NULL with err set
 */
xmlDocPtr ef__xml_read(const char *buf, size_t len, const char *name, struct ef__xml_error *err);

/**
 * ef__xml_read for namespaced formats (PIDF): a nesting limit checked as each
 * start tag arrives -- an element deeper than max_depth (the root is 1) stops
 * the parse with status EF_E2BIG and its line -- and the document must also
 * be namespace-well-formed (an undeclared prefix is EF_ESYNTAX), so that no
 * name can change its meaning when the element is copied elsewhere.
 * @return the document (free with xmlFreeDoc), or NULL with err set
 */
xmlDocPtr ef__xml_read_ns(const char *buf, size_t len, const char *name, unsigned max_depth,
                          struct ef__xml_error *err);

/**
 * Read at most max + 1 bytes of a file into a malloc'ed buffer (one byte more
 * than max tells the caller the file is too large).
 * @return 0, -errno, EF_ENOMEM
 */
int ef__xml_slurp(const char *path, size_t max, char **buf, size_t *len);

#endif
