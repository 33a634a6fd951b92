/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enumsvc.h -- the subcommands of enumsvc, one file each. Each takes the
 * arguments after its name and returns the process exit code.
 */
#ifndef EF_CLI_ENUMSVC_H
#define EF_CLI_ENUMSVC_H

#include <stdbool.h>

#define ENUMSVC_ARGS_HELP (-1) /* --help or -h was given */
#define ENUMSVC_ARGS_BAD (-2)  /* an unknown option, left in operands[0] */

/**
 * Options and operands of a subcommand: every flag of the NULL-terminated
 * list flags that is given sets its set[] entry; "--" ends the options; "-"
 * and anything not starting with '-' is an operand, copied to operands
 * (room for argc). Unknown options fail before any work is done.
 * @return the number of operands, ENUMSVC_ARGS_HELP or ENUMSVC_ARGS_BAD
 */
int enumsvc_args(int argc, char **argv, const char *const *flags, bool *set, char **operands);

/**
 * The "--db FILE" that may open the arguments of `registry` and `review`,
 * consumed from *argc / *argv; without it $ENUMSVC_DB, else ./enumservices.db.
 * @return the database path (static or argv); NULL when --db has no FILE
 */
const char *enumsvc_db_arg(int *argc, char ***argv);

/** enumsvc check-type [--json] [--allow-examples] TYPE[:SUBTYPE]... (cli/enumsvc_type.c) */
int enumsvc_check_type_main(int argc, char **argv);

/** enumsvc check [--json] TEMPLATE.xml... (cli/enumsvc_check.c) */
int enumsvc_check_main(int argc, char **argv);

/**
 * enumsvc registry [--db FILE] import|list|show|escrow|export ... (cli/enumsvc_registry.c);
 * the database path: --db, else $ENUMSVC_DB, else ./enumservices.db
 */
int enumsvc_registry_main(int argc, char **argv);

/**
 * enumsvc review [--db FILE] submit|comments|revise|iana|expert|publish|register|
 * status|checklist ... (cli/enumsvc_workflow.c); the database as for registry
 */
int enumsvc_review_main(int argc, char **argv);

/** enumsvc lint-zone [--json] [--origin NAME] ZONEFILE (cli/enumsvc_lint.c) */
int enumsvc_lint_zone_main(int argc, char **argv);

#endif
