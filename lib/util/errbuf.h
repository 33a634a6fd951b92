/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * errbuf.h -- the optional error buffer through which library functions say
 * why they failed (the library never logs: STYLE "Errors").
 */
#ifndef EF_UTIL_ERRBUF_H
#define EF_UTIL_ERRBUF_H

#include <stddef.h>

/** printf into errbuf; nothing when errbuf is NULL or errcap is 0. */
void ef__errf(char *errbuf, size_t errcap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
