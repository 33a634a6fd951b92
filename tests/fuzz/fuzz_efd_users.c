/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_efd_users.c -- enumfedd's users file on any bytes: loaded or refused
 * with FILE:LINE, and every user that loads is found again by its name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enumfed/common.h"
#include "users.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    efd_users_t *u = NULL;
    char err[512] = "";

    if (path[0] == '\0')
        snprintf(path, sizeof path, "/tmp/fuzz_efd_users.%ld", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    int rc = efd_users_load(path, &u, err, sizeof err);
    if (rc != 0) {
        if (u != NULL || strstr(err, path) != err)
            abort();
        return 0;
    }
    /* each plain word of the input that loaded is a user */
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl != NULL ? nl : end;
        size_t n = (size_t)(e - p);
        if (n > 0 && n < EFD_USER_LEN && p[0] != '!' && p[0] != '#' && p[0] != ' ' &&
            p[0] != '\t' && memchr(p, '#', n) == NULL && memchr(p, ' ', n) == NULL &&
            memchr(p, '\t', n) == NULL && memchr(p, '\r', n) == NULL &&
            memchr(p, '\0', n) == NULL && efd_users_find(u, p, n) == EFD_USER_UNKNOWN)
            abort();
        p = e + 1;
    }
    efd_users_free(u);
    return 0;
}
