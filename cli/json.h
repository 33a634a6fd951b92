/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json.h -- a small streaming JSON writer for the tools' --json output: it
 * tracks commas and nesting, escapes strings per RFC 8259 §7, and writes to a
 * FILE. It only writes; the tools never read JSON.
 */
#ifndef EF_CLI_JSON_H
#define EF_CLI_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_DEPTH_MAX 16

typedef struct {
    FILE *out;
    int depth;
    bool first[JSON_DEPTH_MAX];
} json_t;

void json_init(json_t *j, FILE *out);
void json_begin_object(json_t *j, const char *key);
void json_end_object(json_t *j);
void json_begin_array(json_t *j, const char *key);
void json_end_array(json_t *j);
/** A string member (key != NULL) or array element (key == NULL); NULL value prints null. */
void json_string(json_t *j, const char *key, const char *value);
void json_uint(json_t *j, const char *key, unsigned long value);
void json_bool(json_t *j, const char *key, bool value);

#endif
