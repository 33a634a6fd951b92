/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json.c -- the streaming JSON writer of json.h. Output is compact, one
 * document per line, so that it pipes into jq or a log line by line.
 */
#include "json.h"

void json_init(json_t *j, FILE *out)
{
    j->out = out;
    j->depth = 0;
    j->first[0] = true;
}

static void json_escaped(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out); /* UTF-8 passes through; NAPTR text is bytes, see RFC 6116 §5.1 */
    }
    fputc('"', out);
}

/* The comma and key in front of every value. */
static void json_lead(json_t *j, const char *key)
{
    if (!j->first[j->depth])
        fputc(',', j->out);
    j->first[j->depth] = false;
    if (key != NULL) {
        json_escaped(j->out, key);
        fputc(':', j->out);
    }
}

static void json_open(json_t *j, const char *key, char c)
{
    json_lead(j, key);
    fputc(c, j->out);
    if (j->depth + 1 < JSON_DEPTH_MAX)
        j->depth++;
    j->first[j->depth] = true;
}

static void json_close(json_t *j, char c)
{
    fputc(c, j->out);
    if (j->depth > 0)
        j->depth--;
    if (j->depth == 0)
        fputc('\n', j->out);
}

void json_begin_object(json_t *j, const char *key)
{
    json_open(j, key, '{');
}

void json_end_object(json_t *j)
{
    json_close(j, '}');
}

void json_begin_array(json_t *j, const char *key)
{
    json_open(j, key, '[');
}

void json_end_array(json_t *j)
{
    json_close(j, ']');
}

void json_string(json_t *j, const char *key, const char *value)
{
    json_lead(j, key);
    if (value == NULL)
        fputs("null", j->out);
    else
        json_escaped(j->out, value);
}

void json_uint(json_t *j, const char *key, unsigned long value)
{
    json_lead(j, key);
    fprintf(j->out, "%lu", value);
}

void json_bool(json_t *j, const char *key, bool value)
{
    json_lead(j, key);
    fputs(value ? "true" : "false", j->out);
}
