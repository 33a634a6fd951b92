/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rfc4475.h -- the RFC 4475 torture messages for the tests: rows of
 * tests/data/sip/rfc4475/EXPECTED (file, section, class, verdict, reason,
 * response, parse, notes; tab-separated, '#' comments) and the message files.
 */
#ifndef EF_TESTS_RFC4475_H
#define EF_TESTS_RFC4475_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct rfc4475_row {
    const char *file, *section, *klass, *verdict, *reason, *code, *parse;
};

/* The next row of EXPECTED, split in place in `line`; false at the end. */
static inline bool rfc4475_next(FILE *list, char *line, size_t cap, struct rfc4475_row *r)
{
    while (fgets(line, (int)cap, list) != NULL) {
        const char **col[] = {&r->file,   &r->section, &r->klass, &r->verdict,
                              &r->reason, &r->code,    &r->parse};
        char *tok = strtok(line, "\t\n");
        size_t i;

        if (tok == NULL || tok[0] == '#')
            continue;
        for (i = 0; tok != NULL && i < sizeof(col) / sizeof(col[0]); i++) {
            *col[i] = tok;
            tok = strtok(NULL, "\t\n");
        }
        if (i == sizeof(col) / sizeof(col[0]))
            return true;
    }
    return false;
}

/* A whole file into buf; 0 when it cannot be read. */
static inline size_t rfc4475_load(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;

    if (f == NULL)
        return 0;
    n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

#endif
