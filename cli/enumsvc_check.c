/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enumsvc_check.c -- `enumsvc check [--json] TEMPLATE.xml...`: Enumservice IANA
 * Registration Templates (RFC 6117 §5.2, §11.2) against the rules of RFC 6117
 * §4.2 and §5.2, with the checks themselves in lib/enum/template.c.
 *
 * Text output, per file: one line per finding, then a verdict:
 *   FILE:LINE: error|warning CODE message (RFC 6117 §x)
 *   FILE: valid | FILE: invalid (E errors, W warnings)
 * --json prints one JSON array with one object per file instead.
 *
 * Exit codes (a contract): 0 no errors in any file (warnings allowed);
 * 1 errors in some file (XML errors and refused files included); 2 usage
 * error or an unreadable file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enumfed/template.h"
#include "enumsvc.h"
#include "json.h"

enum { EXIT_VALID = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

/* Room for the findings of one file; the IANA registry gives a few dozen. */
#define FINDINGS_CAP 1024

struct result {
    ef_tpl_finding_t findings[FINDINGS_CAP];
    size_t n, errors, warnings;
    bool truncated, valid;
    int rc;
    char err[256];
};

static void usage(FILE *out)
{
    fputs("usage: enumsvc check [--json] [--] TEMPLATE.xml...\n"
          "  -j, --json  print one JSON array, one object per file\n"
          "  -h, --help  this text\n"
          "exit: 0 no errors (warnings allowed), 1 errors in some file, 2 usage or unreadable\n",
          out);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("enumsvc check: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see enumsvc check --help)\n", stderr);
    return EXIT_USAGE;
}

static void check_one(const char *path, struct result *r)
{
    r->err[0] = '\0';
    r->rc = ef_tpl_check_file(path, r->findings, FINDINGS_CAP, &r->n, r->err, sizeof r->err);
    r->truncated = r->rc == EF_E2BIG;
    r->errors = r->warnings = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (r->findings[i].warning)
            r->warnings++;
        else
            r->errors++;
    }
    r->valid = (r->rc == 0 || r->truncated) && r->errors == 0;
}

/* Neither judged nor refused: the file could not be read. */
static bool unreadable(const struct result *r)
{
    return r->rc != 0 && r->rc != EF_E2BIG && r->n == 0;
}

static void print_text(const char *path, const struct result *r)
{
    if (unreadable(r)) {
        fprintf(stderr, "enumsvc check: %s: %s\n", path, r->err[0] ? r->err : ef_strerror(r->rc));
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        const ef_tpl_finding_t *f = &r->findings[i];
        printf("%s:%ld: %s %s %s (%s)\n", path, f->line, f->warning ? "warning" : "error", f->code,
               f->message, f->section);
    }
    if (r->truncated)
        printf("%s: more than %d findings, the first %d shown\n", path, FINDINGS_CAP, FINDINGS_CAP);
    if (r->valid)
        printf("%s: valid\n", path);
    else
        printf("%s: invalid (%zu errors, %zu warnings)\n", path, r->errors, r->warnings);
}

static void print_json(json_t *j, const char *path, const struct result *r)
{
    json_begin_object(j, NULL);
    json_string(j, "file", path);
    json_bool(j, "valid", r->valid);
    if (unreadable(r))
        json_string(j, "error", r->err[0] ? r->err : ef_strerror(r->rc));
    if (r->truncated)
        json_bool(j, "truncated", true);
    json_begin_array(j, "findings");
    for (size_t i = 0; i < r->n; i++) {
        const ef_tpl_finding_t *f = &r->findings[i];
        json_begin_object(j, NULL);
        json_string(j, "code", f->code);
        json_string(j, "severity", f->warning ? "warning" : "error");
        json_uint(j, "line", f->line > 0 ? (unsigned long)f->line : 0);
        json_string(j, "message", f->message);
        json_string(j, "section", f->section);
        json_end_object(j);
    }
    json_end_array(j);
    json_end_object(j);
}

int enumsvc_check_main(int argc, char **argv)
{
    static const char *const flags[] = {"--json", "-j", NULL};
    bool set[2] = {false, false}, any_unreadable = false, any_invalid = false;
    char **files = malloc(((size_t)argc + 1) * sizeof *files);
    struct result *r = malloc(sizeof *r);
    json_t j;
    int rc = EXIT_USAGE;

    if (files == NULL || r == NULL) {
        fputs("enumsvc check: out of memory\n", stderr);
        goto done;
    }
    int n = enumsvc_args(argc, argv, flags, set, files);
    if (n == ENUMSVC_ARGS_HELP) {
        usage(stdout);
        rc = EXIT_VALID;
        goto done;
    }
    if (n == ENUMSVC_ARGS_BAD || n == 0) {
        rc = n == 0 ? usage_error("%s", "expected at least one TEMPLATE.xml")
                    : usage_error("unknown option %s (a file starting with '-' goes after --)",
                                  files[0]);
        goto done;
    }
    bool json = set[0] || set[1];
    if (json) {
        json_init(&j, stdout);
        json_begin_array(&j, NULL);
    }
    for (int i = 0; i < n; i++) {
        check_one(files[i], r);
        if (unreadable(r))
            any_unreadable = true;
        else if (!r->valid)
            any_invalid = true;
        if (json)
            print_json(&j, files[i], r);
        else
            print_text(files[i], r);
    }
    if (json)
        json_end_array(&j);
    rc = any_unreadable ? EXIT_USAGE : any_invalid ? EXIT_INVALID : EXIT_VALID;
done:
    free(r);
    free(files);
    return rc;
}
