/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pidf_int.h -- what the PIDF decoder, encoder and composer share: namespace
 * tests, the XML output helpers and the copy of a model into an arena.
 */
#ifndef EF_PIDF_INT_H
#define EF_PIDF_INT_H

#include <libxml/tree.h>
#include <string.h>

#include "enumfed/pidf.h"
#include "util/arena.h"

/** True when node is an element named `name` in namespace `ns`. */
bool ef__pidf_is(const xmlNode *node, const char *ns, const char *name);

/** RFC 3863 §4.1.5: a contact priority, "0" to "1" with at most three decimals. */
bool ef__pidf_is_qvalue(ef_str_t q);

/** An ef_str_t over a NUL-terminated string. */
static inline ef_str_t ef__pidf_cstr(const char *s)
{
    return (ef_str_t){s, s != NULL ? strlen(s) : 0};
}

/** A copy of s in the arena (NUL-terminated); s.len 0 gives an empty slice. */
int ef__pidf_dup(struct ef_arena *a, ef_str_t *dst, ef_str_t s);

/** Deep copies into the arena, for the composer. @return 0 or EF_ENOMEM */
int ef__pidf_copy_tuple(struct ef_arena *a, ef_pidf_tuple_t *dst, const ef_pidf_tuple_t *src);
int ef__pidf_copy_rich(struct ef_arena *a, ef_pidf_rich_t *dst, const ef_pidf_rich_t *src);
int ef__pidf_copy_notes(struct ef_arena *a, ef_pidf_note_t **dst, size_t *n,
                        const ef_pidf_note_t *src, size_t n_src);

/**
 * A stable identifier that looks random: 'x' and 11 characters of base32 of
 * HMAC-SHA256(key, parts joined by NUL), as a NUL-terminated string in out[13].
 * @return 0 or EF_ENOMEM
 */
int ef__pidf_stable_id(const void *key, size_t keylen, const ef_str_t *parts, size_t n,
                       char out[13]);

/**
 * Check a string for the encoder: UTF-8 and no control character other than
 * tab, LF and CR; copy it NUL-terminated into a malloc'ed buffer.
 * @return the copy (free with free), or NULL with *rc set (EF_EINVAL, EF_ENOMEM)
 */
char *ef__pidf_text(ef_str_t s, int *rc);

/** Append a serialized libxml2 document to out. @return 0, EF_E2BIG, EF_ENOMEM */
int ef__pidf_dump(xmlDocPtr doc, ef_buf_t *out);

#endif
