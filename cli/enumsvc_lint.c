/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enumsvc_lint.c -- `enumsvc lint-zone [--json] [--origin NAME] [--registry
 * FILE] ZONEFILE`: every NAPTR of a master file checked by the library
 * (lib/enum/lint.c), one line per finding and a summary, or one JSON object.
 * With a registry database (--registry, else $ENUMFED_REGISTRY) the
 * Enumservices are checked against it too. Exit 0 when the zone is clean, 1
 * on findings (errors or warnings), 2 on usage, an unreadable zone or registry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enumfed/lint.h"
#include "enumsvc.h"
#include "json.h"

#define EXIT_CLEAN 0
#define EXIT_FINDINGS 1
#define EXIT_USAGE 2

struct lint_options {
    bool json;
    const char *origin;
    const char *registry; /* NULL or "": none */
    const char *path;
};

static int lint_usage(void)
{
    fputs("usage: enumsvc lint-zone [--json] [--origin NAME] [--registry FILE] ZONEFILE\n", stderr);
    return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct lint_options *o)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            o->json = true;
        } else if (strcmp(argv[i], "--origin") == 0 && i + 1 < argc) {
            o->origin = argv[++i];
        } else if (strncmp(argv[i], "--origin=", 9) == 0) {
            o->origin = argv[i] + 9;
        } else if (strcmp(argv[i], "--registry") == 0 && i + 1 < argc) {
            o->registry = argv[++i];
        } else if (strncmp(argv[i], "--registry=", 11) == 0) {
            o->registry = argv[i] + 11;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "enumsvc lint-zone: unknown option %s\n", argv[i]);
            return -1;
        } else if (o->path == NULL) {
            o->path = argv[i];
        } else {
            fputs("enumsvc lint-zone: one ZONEFILE only\n", stderr);
            return -1;
        }
    }
    return o->path != NULL ? 0 : -1;
}

static void print_text(const ef_lint_finding_t *f, size_t n, size_t records)
{
    size_t errors = 0;

    for (size_t i = 0; i < n; i++) {
        errors += f[i].severity == EF_LINT_ERROR;
        printf("%s %u %u: %s %s %s%s%s (%s)\n", f[i].owner, f[i].order, f[i].preference,
               ef_lint_severity_name(f[i].severity), f[i].code, f[i].message,
               f[i].detail != NULL ? ": " : "", f[i].detail != NULL ? f[i].detail : "", f[i].rfc);
    }
    printf("%zu records, %zu errors, %zu warnings\n", records, errors, n - errors);
}

static void print_json(const char *apex, const ef_lint_finding_t *f, size_t n, size_t records)
{
    json_t j;

    json_init(&j, stdout);
    json_begin_object(&j, NULL);
    json_string(&j, "zone", apex);
    json_uint(&j, "records", records);
    json_begin_array(&j, "findings");
    for (size_t i = 0; i < n; i++) {
        json_begin_object(&j, NULL);
        json_string(&j, "owner", f[i].owner);
        json_uint(&j, "order", f[i].order);
        json_uint(&j, "preference", f[i].preference);
        json_string(&j, "severity", ef_lint_severity_name(f[i].severity));
        json_string(&j, "code", f[i].code);
        json_string(&j, "message", f[i].message);
        json_string(&j, "detail", f[i].detail);
        json_string(&j, "rfc", f[i].rfc);
        json_end_object(&j);
    }
    json_end_array(&j);
    json_end_object(&j);
}

int enumsvc_lint_zone_main(int argc, char **argv)
{
    struct lint_options o = {.registry = getenv("ENUMFED_REGISTRY")};
    const ef_lint_finding_t *found;
    ef_lint_zone_t *z = NULL;
    ef_reg_t *reg = NULL;
    char errbuf[512];
    size_t n;
    int rc;

    if (parse_args(argc, argv, &o) != 0)
        return lint_usage();
    if (o.registry != NULL && o.registry[0] != '\0' &&
        ef_reg_open_readonly(o.registry, &reg, errbuf, sizeof(errbuf)) != 0) {
        fprintf(stderr, "enumsvc lint-zone: registry %s\n", errbuf);
        return EXIT_USAGE;
    }
    rc = ef_lint_zone_load(o.path, o.origin, &z, errbuf, sizeof(errbuf));
    if (rc != 0) {
        fprintf(stderr, "enumsvc lint-zone: %s\n", errbuf);
        ef_reg_close(reg);
        return EXIT_USAGE;
    }
    ef_lint_zone_set_registry(z, reg);
    rc = ef_lint_zone_check(z, &found, &n);
    if (rc != 0) {
        fprintf(stderr, "enumsvc lint-zone: %s\n", ef_strerror(rc));
        ef_lint_zone_free(z);
        ef_reg_close(reg);
        return EXIT_USAGE;
    }
    if (o.json)
        print_json(ef_lint_zone_apex(z), found, n, ef_lint_zone_records(z));
    else
        print_text(found, n, ef_lint_zone_records(z));
    ef_lint_zone_free(z);
    ef_reg_close(reg);
    return n > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}
