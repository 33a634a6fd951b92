/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * err.c -- the names and messages of the error table in common.h. Errors that
 * are not ours are -errno and are described by strerror().
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "enumfed/common.h"
#include "util/errbuf.h"

struct err_row {
    const char *name;
    const char *msg;
};

static const struct err_row err_rows[] = {
#define EF__ERR_ROW(code, name, msg) {name, msg},
    EF_ERR_MAP(EF__ERR_ROW)
#undef EF__ERR_ROW
};

static const struct err_row *err_row(int err)
{
    if (err <= EF__ERR_BASE || err >= EF__ERR_END)
        return NULL;
    return &err_rows[err - EF__ERR_BASE - 1];
}

const char *ef_strerror(int err)
{
    const struct err_row *row = err_row(err);

    if (err == 0)
        return "success";
    if (row != NULL)
        return row->msg;
    return strerror(-err);
}

const char *ef_err_name(int err)
{
    const struct err_row *row = err_row(err);

    if (err == 0)
        return "ok";
    if (row != NULL)
        return row->name;
    return "system";
}

void ef__errf(char *errbuf, size_t errcap, const char *fmt, ...)
{
    va_list ap;

    if (errbuf == NULL || errcap == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, errcap, fmt, ap);
    va_end(ap);
}
