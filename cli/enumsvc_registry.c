/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enumsvc_registry.c -- `enumsvc registry [--db FILE] import FILE.xml
 * [--escrow SPEC] | list | show TYPE[:SUBTYPE] | escrow TYPE[:SUBTYPE] [-o FILE]
 * | export --format xml|text|html`: the Enumservice registry of RFC 6117 §11
 * in SQLite, with the work in lib/enum/registry.c. --escrow stores an escrow
 * copy of a specification that is not an RFC (§11.3); escrow writes it back
 * out after checking its SHA-256.
 *
 * The database: --db FILE, else $ENUMSVC_DB, else ./enumservices.db.
 * import prints the template check's warnings on stderr (FILE:LINE: warning
 * CODE message) and one summary line on stdout.
 *
 * Exit codes (a contract): 0 done; 1 failure (file refused, database error,
 * Enumservice not registered); 2 usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enumfed/registry.h"
#include "enumsvc.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

#define FINDINGS_CAP 1024

static void usage(FILE *out)
{
    fputs("usage: enumsvc registry [--db FILE] import FILE.xml [--escrow SPEC]\n"
          "       enumsvc registry [--db FILE] list\n"
          "       enumsvc registry [--db FILE] show TYPE[:SUBTYPE]\n"
          "       enumsvc registry [--db FILE] escrow TYPE[:SUBTYPE] [-o FILE]\n"
          "       enumsvc registry [--db FILE] export --format xml|text|html\n"
          "  --db FILE      the database (default: $ENUMSVC_DB, else ./enumservices.db)\n"
          "  --escrow SPEC  keep an escrow copy of the non-RFC specification (RFC 6117 §11.3)\n"
          "  -o FILE        write the escrow copy to FILE (default: standard output)\n"
          "exit: 0 done, 1 failure or not found, 2 usage\n",
          out);
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "enumsvc registry: %s (see enumsvc registry --help)\n", msg);
    return EXIT_USAGE;
}

static int do_import(ef_reg_t *reg, const char *path, const char *spec)
{
    ef_tpl_finding_t *f = calloc(FINDINGS_CAP, sizeof *f);
    ef_reg_stats_t st;
    size_t n = 0;
    char err[256] = "";
    int rc;

    if (f == NULL)
        return EXIT_FAIL;
    rc = ef_reg_import_escrow(reg, path, spec, &st, f, FINDINGS_CAP, &n, err, sizeof err);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%s:%ld: %s %s %s (%s)\n", path, f[i].line,
                f[i].warning ? "warning" : "error", f[i].code, f[i].message, f[i].section);
    free(f);
    if (rc != 0) {
        fprintf(stderr, "enumsvc registry: %s: %s\n", path, err[0] ? err : ef_strerror(rc));
        return EXIT_FAIL;
    }
    printf("%s: %zu records: %zu added, %zu updated, %zu unchanged; %zu people\n", path, st.records,
           st.added, st.updated, st.unchanged, st.people);
    return EXIT_OK;
}

static int do_export(ef_reg_t *reg, int argc, char **argv)
{
    ef_reg_format_t fmt;
    const char *f = NULL;

    if (argc == 2 && strcmp(argv[0], "--format") == 0)
        f = argv[1];
    else if (argc == 1 && strncmp(argv[0], "--format=", 9) == 0)
        f = argv[0] + 9;
    if (f == NULL)
        return usage_error("export needs --format xml|text|html");
    if (strcmp(f, "xml") == 0)
        fmt = EF_REG_XML;
    else if (strcmp(f, "text") == 0)
        fmt = EF_REG_TEXT;
    else if (strcmp(f, "html") == 0)
        fmt = EF_REG_HTML;
    else
        return usage_error("unknown --format (xml, text or html)");
    return ef_reg_export(reg, fmt, stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

/* The copy is checked against its hash first and written only when it matches. */
static int do_escrow(ef_reg_t *reg, const char *name, const char *path)
{
    char *data = NULL, sha[65], err[256] = "";
    size_t len = 0;
    FILE *f;
    int rc = ef_reg_escrow_get(reg, name, &data, &len, sha, err, sizeof err);

    if (rc != 0) {
        fprintf(stderr, "enumsvc registry: %s: %s\n", name, err[0] ? err : ef_strerror(rc));
        return EXIT_FAIL;
    }
    f = path != NULL ? fopen(path, "wb") : stdout;
    if (f == NULL || fwrite(data, 1, len, f) != len || (path != NULL && fclose(f) != 0)) {
        fprintf(stderr, "enumsvc registry: %s: %s\n", path != NULL ? path : "stdout",
                strerror(errno));
        free(data);
        return EXIT_FAIL;
    }
    if (path != NULL)
        fprintf(stderr, "%s: %zu bytes, sha256 %s\n", path, len, sha);
    free(data);
    return EXIT_OK;
}

/* The subcommand and its argument count, checked before the database is opened. */
static bool valid_cmd(int argc, char **argv)
{
    if (strcmp(argv[0], "import") == 0)
        return argc == 2 || (argc == 4 && strcmp(argv[2], "--escrow") == 0);
    if (strcmp(argv[0], "escrow") == 0)
        return argc == 2 || (argc == 4 && strcmp(argv[2], "-o") == 0);
    if (strcmp(argv[0], "show") == 0)
        return argc == 2;
    if (strcmp(argv[0], "list") == 0)
        return argc == 1;
    return strcmp(argv[0], "export") == 0;
}

static int run(ef_reg_t *reg, int argc, char **argv)
{
    int rc;

    if (strcmp(argv[0], "import") == 0)
        return do_import(reg, argv[1], argc == 4 ? argv[3] : NULL);
    if (strcmp(argv[0], "escrow") == 0)
        return do_escrow(reg, argv[1], argc == 4 ? argv[3] : NULL);
    if (strcmp(argv[0], "list") == 0)
        return ef_reg_list(reg, stdout) == 0 ? EXIT_OK : EXIT_FAIL;
    if (strcmp(argv[0], "show") == 0) {
        rc = ef_reg_show(reg, argv[1], stdout);
        if (rc == EF_ENODATA)
            fprintf(stderr, "enumsvc registry: %s: not registered\n", argv[1]);
        return rc == 0 ? EXIT_OK : EXIT_FAIL;
    }
    return do_export(reg, argc - 1, argv + 1);
}

int enumsvc_registry_main(int argc, char **argv)
{
    const char *db;
    ef_reg_t *reg = NULL;
    char err[256] = "";
    int rc;

    if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
        usage(stdout);
        return EXIT_OK;
    }
    if ((db = enumsvc_db_arg(&argc, &argv)) == NULL)
        return usage_error("--db needs a file");
    if (argc < 1)
        return usage_error("missing subcommand");
    if (!valid_cmd(argc, argv))
        return usage_error("unknown subcommand or wrong arguments");
    if (ef_reg_open(db, &reg, err, sizeof err) != 0) {
        fprintf(stderr, "enumsvc registry: %s\n", err);
        return EXIT_FAIL;
    }
    rc = run(reg, argc, argv);
    ef_reg_close(reg);
    return rc;
}
