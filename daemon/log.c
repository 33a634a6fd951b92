/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c -- enumfedd's log. stderr lines carry a UTC timestamp and the level;
 * syslog gets the level as its priority. Each line is formatted into one
 * buffer and written with one call, so lines of several workers never mix.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static atomic_int threshold = EFD_LOG_NOTICE;
static bool to_syslog;

static const char *const level_names[] = {"err", "warn", "notice", "info", "debug"};
static const int syslog_prio[] = {LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG};

void efd_log_open(efd_level_t level, bool use_syslog)
{
    atomic_store(&threshold, (int)level);
    to_syslog = use_syslog;
    if (use_syslog)
        openlog("enumfedd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void efd_log_level(efd_level_t level)
{
    atomic_store(&threshold, (int)level);
}

bool efd_log_on(efd_level_t level)
{
    return (int)level <= atomic_load_explicit(&threshold, memory_order_relaxed);
}

void efd_log(efd_level_t level, const char *fmt, ...)
{
    char line[2048];
    size_t n = 0;
    va_list ap;

    if (!efd_log_on(level))
        return;
    if (!to_syslog) {
        struct timeval tv;
        struct tm tm;
        gettimeofday(&tv, NULL);
        gmtime_r(&tv.tv_sec, &tm);
        n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
        n += (size_t)snprintf(line + n, sizeof line - n, ".%03ldZ %s: ", (long)tv.tv_usec / 1000,
                              level_names[level]);
    }
    va_start(ap, fmt);
    int k = vsnprintf(line + n, sizeof line - n, fmt, ap);
    va_end(ap);
    n = k < 0 ? n : n + (size_t)k < sizeof line - 1 ? n + (size_t)k : sizeof line - 2;
    if (to_syslog) {
        syslog(syslog_prio[level], "%.*s", (int)n, line);
        return;
    }
    line[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, n);
    (void)w; /* nothing useful to do when stderr is gone */
}
