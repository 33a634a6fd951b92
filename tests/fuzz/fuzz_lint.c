/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_lint.c -- the zone lint on any NAPTR records: the input is a sequence
 * of (owner selector, 16-bit length, rdata) items, added to one zone and
 * checked; every finding must name a record of the zone and a rule.
 */
#include <stdlib.h>
#include <string.h>

#include "enumfed/lint.h"

static const char *const owners[] = {
    "4.4.e164.arpa.",     "3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa.",
    "1.4.4.e164.arpa.",   "x.4.4.e164.arpa.",
    "other.example.",     "2.1.4.4.e164.arpa.",
    "a.b.4.4.e164.arpa.", "9.4.4.e164.arpa.",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ef_lint_zone_t *z = ef_lint_zone_new("4.4.e164.arpa.");
    const ef_lint_finding_t *f;
    size_t pos = 0, n, i, added = 0;

    if (z == NULL)
        return 0;
    while (pos + 3 <= size && added < 64) {
        const char *owner = owners[data[pos] % (sizeof(owners) / sizeof(owners[0]))];
        size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];

        pos += 3;
        if (len > size - pos)
            len = size - pos;
        if (ef_lint_zone_add(z, owner, data + pos, len, NULL) == 0)
            added++;
        pos += len;
    }
    if (ef_lint_zone_check(z, &f, &n) == 0)
        for (i = 0; i < n; i++)
            if (f[i].record >= added || f[i].code == NULL || f[i].message == NULL)
                abort();
    ef_lint_zone_free(z);
    return 0;
}
