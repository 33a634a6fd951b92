/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_efd_config.c -- enumfedd's configuration loader (libconfig plus our
 * table of settings) on any bytes: every input is loaded or refused with a
 * reason, and whatever loads dumps to text that loads again to the same
 * dump (efd_config_dump is what `enumfedd -t` users read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "enumfed/common.h"

static char path[64];

static char *dump(const efd_config_t *c, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (f == NULL)
        abort();
    efd_config_dump(c, f);
    fclose(f);
    return text;
}

static void write_all(const char *p, const void *data, size_t size)
{
    FILE *f = fopen(p, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    efd_config_t *c = NULL, *again = NULL;
    char err[1024];
    size_t n1, n2;

    if (path[0] == '\0')
        snprintf(path, sizeof path, "/tmp/fuzz_efd_config.%ld.conf", (long)getpid());
    write_all(path, data, size);
    int rc = efd_config_load(path, &c, err, sizeof err);
    if (rc != 0) {
        if (c != NULL || err[0] == '\0' || (rc != EF_ECONFIG && rc != EF_ENOMEM))
            abort(); /* a refusal always says why */
        return 0;
    }
    char *d1 = dump(c, &n1);
    write_all(path, d1, n1);
    if (efd_config_load(path, &again, err, sizeof err) != 0)
        abort(); /* the dump of a loaded config loads */
    char *d2 = dump(again, &n2);
    if (n1 != n2 || memcmp(d1, d2, n1) != 0)
        abort();
    free(d1);
    free(d2);
    efd_config_free(c);
    efd_config_free(again);
    return 0;
}
