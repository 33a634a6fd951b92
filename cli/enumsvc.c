/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enumsvc -- Enumservice registrations (RFC 6117) and the ENUM zones that use
 * them: checks Type/Subtype strings and registration templates, and lints
 * zone files, keeps the Enumservice registry (RFC 6117 §11) and runs the
 * review of new registrations (RFC 6117 §6, §7).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enumfed/common.h"
#include "enumsvc.h"

static void usage(FILE *out)
{
    fputs("usage: enumsvc check-type [--json] [--allow-examples] TYPE[:SUBTYPE]...\n"
          "       enumsvc check [--json] TEMPLATE.xml...\n"
          "       enumsvc registry [--db FILE] import FILE [--escrow SPEC] | list |\n"
          "                        show TYPE[:SUBTYPE] | escrow TYPE[:SUBTYPE] [-o FILE] |\n"
          "                        export --format xml|text|html\n"
          "       enumsvc review [--db FILE] submit|comments|revise|iana|expert|publish|\n"
          "                      register|status|checklist ... (see enumsvc review --help)\n"
          "       enumsvc lint-zone [--json] [--origin NAME] ZONEFILE\n"
          "  check-type  every RFC 6117 rule each Enumservice name breaks (exit 1 if any)\n"
          "  check       an RFC 6117 registration template (exit 1 on errors)\n"
          "  registry    the Enumservice registry (SQLite): import IANA XML, list, show, escrow\n"
          "              copies of non-RFC specifications, export\n"
          "  review      the review of a new registration: comments, IANA, Expert Review,\n"
          "              publication, registration; the expert's checklist\n"
          "  lint-zone   every NAPTR of a zone file against RFC 6116 and RFC 6117 (exit 1 on\n"
          "              findings)\n",
          out);
}

int enumsvc_args(int argc, char **argv, const char *const *flags, bool *set, char **operands)
{
    bool options = true;
    int n = 0;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!options || a[0] != '-' || a[1] == '\0') {
            operands[n++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options = false;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return ENUMSVC_ARGS_HELP;
        size_t k = 0;
        while (flags[k] != NULL && strcmp(flags[k], a) != 0)
            k++;
        if (flags[k] == NULL) {
            operands[0] = argv[i];
            return ENUMSVC_ARGS_BAD;
        }
        set[k] = true;
    }
    return n;
}

const char *enumsvc_db_arg(int *argc, char ***argv)
{
    const char *db = getenv("ENUMSVC_DB");

    if (*argc >= 1 && strcmp((*argv)[0], "--db") == 0) {
        if (*argc < 2)
            return NULL;
        db = (*argv)[1];
        *argc -= 2;
        *argv += 2;
    }
    return db == NULL || db[0] == '\0' ? "enumservices.db" : db;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        printf("enumsvc %s\n", EF_VERSION);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "check-type") == 0)
        return enumsvc_check_type_main(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "check") == 0)
        return enumsvc_check_main(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "registry") == 0)
        return enumsvc_registry_main(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "review") == 0)
        return enumsvc_review_main(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "lint-zone") == 0)
        return enumsvc_lint_zone_main(argc - 2, argv + 2);
    usage(stderr);
    return 2;
}
