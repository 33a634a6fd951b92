/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h -- enumfedd's log: levels, stderr or syslog, one line per event. A
 * line about a connection carries its id, its peer and the stage it is in
 * (`conn->action`), so one exchange can be followed through the edge.
 */
#ifndef ENUMFEDD_LOG_H
#define ENUMFEDD_LOG_H

#include <stdbool.h>

#include "config.h"

/** Set the threshold and the destination (process-wide, before workers start). */
void efd_log_open(efd_level_t level, bool use_syslog);

/** Change the threshold (SIGHUP). */
void efd_log_level(efd_level_t level);

/** Is a line at this level written? Lets callers skip costly formatting. */
bool efd_log_on(efd_level_t level);

/** One line; a final newline is added. Thread-safe. */
void efd_log(efd_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define EFD_ERR(...) efd_log(EFD_LOG_ERR, __VA_ARGS__)
#define EFD_WARN(...) efd_log(EFD_LOG_WARN, __VA_ARGS__)
#define EFD_NOTICE(...) efd_log(EFD_LOG_NOTICE, __VA_ARGS__)
#define EFD_INFO(...)                                                                              \
    do {                                                                                           \
        if (efd_log_on(EFD_LOG_INFO))                                                              \
            efd_log(EFD_LOG_INFO, __VA_ARGS__);                                                    \
    } while (0)
#define EFD_DEBUG(...)                                                                             \
    do {                                                                                           \
        if (efd_log_on(EFD_LOG_DEBUG))                                                             \
            efd_log(EFD_LOG_DEBUG, __VA_ARGS__);                                                   \
    } while (0)

#endif
