/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enumsvc_type.c -- `enumsvc check-type [--json] [--allow-examples]
 * TYPE[:SUBTYPE]...`: every registration rule each Enumservice name breaks
 * (RFC 6116 §3.4.3, §3.4.3.1; RFC 6117 §3.2, §5.2.3, §11.8), with the rules
 * themselves in lib/enum/enumsvc_rules.c.
 *
 * Text output, one line per problem (a clean name gets one "ok" line):
 *   NAME: ok
 *   NAME: ok with warnings: CODE message (section)     a valid name, per warning
 *   NAME: invalid: CODE message (section)              per error
 *   NAME: warning: CODE message (section)              a warning of an invalid name
 * --json prints one JSON array with one object per name instead.
 *
 * Options are recognised anywhere before "--"; a name that starts with '-'
 * ("-sip") goes after "--". Exit codes (a contract): 0 every name valid
 * (warnings allowed); 1 some name invalid; 2 usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enumfed/enumsvc.h"
#include "enumsvc.h"
#include "json.h"

enum { EXIT_VALID = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

/* Room for the problems of one name; names with more (many ':') are cut short. */
#define PROBLEMS_CAP 256

struct result {
    ef_enumsvc_problem_t problems[PROBLEMS_CAP];
    size_t n;
    bool truncated, valid;
};

static void usage(FILE *out)
{
    fputs("usage: enumsvc check-type [--json] [--allow-examples] [--] TYPE[:SUBTYPE]...\n"
          "  -j, --json            print one JSON array, one object per name\n"
          "      --allow-examples  accept the example names foo, bar, sbar (RFC 6117 §11.8)\n"
          "  -h, --help            this text\n"
          "exit: 0 all valid (warnings allowed), 1 some name invalid, 2 usage\n",
          out);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("enumsvc check-type: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see enumsvc check-type --help)\n", stderr);
    return EXIT_USAGE;
}

static void check_one(const char *name, bool allow_examples, struct result *r)
{
    int rc = ef_enumsvc_check_name(name, strlen(name), allow_examples, r->problems, PROBLEMS_CAP);

    r->truncated = rc == EF_E2BIG;
    r->n = rc >= 0 ? (size_t)rc : (r->truncated ? PROBLEMS_CAP : 0);
    /* E2BIG comes only with many ':', which is an error (E011) */
    r->valid = !r->truncated && ef_enumsvc_problems_ok(r->problems, r->n);
}

static void print_text(const char *name, const struct result *r)
{
    if (r->n == 0) {
        printf("%s: ok\n", name);
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        const ef_enumsvc_problem_t *p = &r->problems[i];
        const char *verdict = !p->warning ? "invalid" : r->valid ? "ok with warnings" : "warning";
        printf("%s: %s: %s %s (%s)\n", name, verdict, p->code, p->message, p->section);
    }
    if (r->truncated)
        printf("%s: invalid: more than %d problems, the first %d shown\n", name, PROBLEMS_CAP,
               PROBLEMS_CAP);
}

static void print_json(json_t *j, const char *name, const struct result *r)
{
    const char *colon = strchr(name, ':');
    size_t type_len = colon != NULL ? (size_t)(colon - name) : strlen(name);
    char *type = malloc(type_len + 1);

    if (type != NULL) {
        memcpy(type, name, type_len);
        type[type_len] = '\0';
    }
    json_begin_object(j, NULL);
    json_string(j, "name", name);
    json_string(j, "type", type);
    json_string(j, "subtype", colon != NULL ? colon + 1 : NULL);
    json_bool(j, "valid", r->valid);
    if (r->truncated)
        json_bool(j, "truncated", true);
    json_begin_array(j, "problems");
    for (size_t i = 0; i < r->n; i++) {
        const ef_enumsvc_problem_t *p = &r->problems[i];
        json_begin_object(j, NULL);
        json_string(j, "code", p->code);
        json_string(j, "id", p->id);
        json_string(j, "severity", p->warning ? "warning" : "error");
        json_string(j, "message", p->message);
        json_string(j, "section", p->section);
        json_uint(j, "offset", (unsigned long)p->offset);
        json_end_object(j);
    }
    json_end_array(j);
    json_end_object(j);
    free(type);
}

int enumsvc_check_type_main(int argc, char **argv)
{
    static const char *const flags[] = {"--json", "-j", "--allow-examples", NULL};
    bool set[3] = {false, false, false};
    char **names = malloc(((size_t)argc + 1) * sizeof *names);
    struct result *r = malloc(sizeof *r);
    json_t j;
    int rc = EXIT_USAGE;

    if (names == NULL || r == NULL) {
        fputs("enumsvc check-type: out of memory\n", stderr);
        goto done;
    }
    int n = enumsvc_args(argc, argv, flags, set, names);
    if (n == ENUMSVC_ARGS_HELP) {
        usage(stdout);
        rc = EXIT_VALID;
        goto done;
    }
    if (n == ENUMSVC_ARGS_BAD || n == 0) {
        rc = n == 0 ? usage_error("%s", "expected at least one TYPE[:SUBTYPE]")
                    : usage_error("unknown option %s (a name starting with '-' goes after --)",
                                  names[0]);
        goto done;
    }
    bool json = set[0] || set[1];
    if (json) {
        json_init(&j, stdout);
        json_begin_array(&j, NULL);
    }
    rc = EXIT_VALID;
    for (int i = 0; i < n; i++) {
        check_one(names[i], set[2], r);
        if (!r->valid)
            rc = EXIT_INVALID;
        if (json)
            print_json(&j, names[i], r);
        else
            print_text(names[i], r);
    }
    if (json)
        json_end_array(&j);
done:
    free(r);
    free(names);
    return rc;
}
