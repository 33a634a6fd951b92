/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enumsvc_workflow.c -- `enumsvc review ...`: the review of a new Enumservice
 * registration (RFC 6117 §6, §7, §11) kept in the registry database, with the
 * work in lib/enum/workflow.c. Each subcommand is one step of the review
 * (submit, comments, iana, expert, publish, register, revise) or a report
 * (status, checklist; --json for both).
 *
 * The database: --db FILE, else $ENUMSVC_DB, else ./enumservices.db.
 *
 * Exit codes (a contract): 0 done; 1 failure (step refused or not allowed in
 * the review's state, review not found, database error); 2 usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enumfed/workflow.h"
#include "enumsvc.h"
#include "json.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

#define FINDINGS_CAP 1024
#define ITEMS_CAP 512
#define LIST_CAP 4096
#define HISTORY_CAP 256

enum decision { D_NONE = -1, D_START = 3 };

struct opts {
    const char *by, *at, *note, *from, *to, *escrow;
    bool json;
    int decision; /* D_NONE, D_START or an ef_wf_decision_t */
    const char *pos[3];
    int npos;
};

static void usage(FILE *out)
{
    fputs("usage: enumsvc review [--db FILE] submit TEMPLATE.xml --by NAME [--at DATE]\n"
          "       enumsvc review [--db FILE] comments ID --from DATE --to DATE --by NAME\n"
          "       enumsvc review [--db FILE] revise ID TEMPLATE.xml --by NAME\n"
          "       enumsvc review [--db FILE] iana ID --by NAME\n"
          "       enumsvc review [--db FILE] expert ID --start|--approve|--changes-required|\n"
          "                                  --reject --by NAME [--note TEXT]\n"
          "       enumsvc review [--db FILE] publish ID [--escrow FILE] [--by NAME]\n"
          "       enumsvc review [--db FILE] register ID [--escrow FILE] [--by NAME]\n"
          "       enumsvc review [--db FILE] status [ID] [--json]\n"
          "       enumsvc review [--db FILE] checklist ID [--json]\n"
          "  every step takes --at YYYY-MM-DD (default: now, UTC) and --note TEXT\n"
          "  --db FILE  the database (default: $ENUMSVC_DB, else ./enumservices.db)\n"
          "exit: 0 done, 1 refused, not allowed in this state, or not found, 2 usage\n",
          out);
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "enumsvc review: %s (see enumsvc review --help)\n", msg);
    return EXIT_USAGE;
}

static int decision_of(const char *arg)
{
    static const struct {
        const char *flag;
        int d;
    } flags[] = {{"--start", D_START},
                 {"--approve", EF_WF_APPROVE},
                 {"--changes-required", EF_WF_REQUIRE_CHANGES},
                 {"--reject", EF_WF_REJECT}};

    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (strcmp(arg, flags[i].flag) == 0)
            return flags[i].d;
    return D_NONE;
}

/* Options anywhere after the subcommand; 0 or a usage error message. */
static const char *parse(int argc, char **argv, struct opts *o)
{
    static const char *const names[] = {"--by", "--at", "--note", "--from", "--to", "--escrow"};
    const char **dst[] = {&o->by, &o->at, &o->note, &o->from, &o->to, &o->escrow};

    for (int i = 0; i < argc; i++) {
        size_t k = 0;
        int d = decision_of(argv[i]);
        while (k < 6 && strcmp(argv[i], names[k]) != 0)
            k++;
        if (k < 6) {
            if (i + 1 == argc)
                return "an option needs a value";
            *dst[k] = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0) {
            o->json = true;
        } else if (d != D_NONE) {
            if (o->decision != D_NONE)
                return "give one of --start, --approve, --changes-required, --reject";
            o->decision = d;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return "unknown option";
        } else if (o->npos == 3) {
            return "too many arguments";
        } else {
            o->pos[o->npos++] = argv[i];
        }
    }
    return NULL;
}

static int parse_id(const char *s, int64_t *id)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || end == s || v <= 0)
        return -1;
    *id = v;
    return 0;
}

static void print_findings(const char *path, const ef_tpl_finding_t *f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%s:%ld: %s %s %s (%s)\n", path, f[i].line,
                f[i].warning ? "warning" : "error", f[i].code, f[i].message, f[i].section);
}

/* "review N: NAME is STATE" after a step. */
static int done(ef_reg_t *reg, int64_t id, int rc, const char *err)
{
    ef_wf_review_t r;

    if (rc != 0) {
        fprintf(stderr, "enumsvc review: %s\n", err[0] != '\0' ? err : ef_strerror(rc));
        return EXIT_FAIL;
    }
    if (ef_wf_get(reg, id, &r) != 0)
        return EXIT_FAIL;
    printf("review %lld: %s is %s\n", (long long)id, r.name, ef_wf_state_name(r.state));
    return EXIT_OK;
}

static int do_template(ef_reg_t *reg, const struct opts *o, bool revise, int64_t id)
{
    ef_tpl_finding_t *f = calloc(FINDINGS_CAP, sizeof *f);
    ef_wf_actor_t who = {o->by, o->at, o->note};
    const char *path = o->pos[revise ? 1 : 0];
    char err[256] = "";
    size_t n = 0;
    int rc;

    if (f == NULL)
        return EXIT_FAIL;
    rc = revise ? ef_wf_revise(reg, id, path, &who, f, FINDINGS_CAP, &n, err, sizeof err)
                : ef_wf_submit(reg, path, &who, &id, f, FINDINGS_CAP, &n, err, sizeof err);
    print_findings(path, f, n);
    free(f);
    return done(reg, id, rc, err);
}

static int do_step(ef_reg_t *reg, const char *cmd, const struct opts *o, int64_t id)
{
    ef_wf_actor_t who = {o->by, o->at, o->note};
    ef_reg_stats_t st;
    char err[320] = "";
    bool long_window = false;
    int rc;

    if (strcmp(cmd, "comments") == 0) {
        rc = ef_wf_comments(reg, id, o->from, o->to, &who, &long_window, err, sizeof err);
        if (rc == 0 && long_window)
            fprintf(stderr, "enumsvc review: warning: the comment window is longer than four"
                            " weeks (RFC 6117 §6.3)\n");
    } else if (strcmp(cmd, "iana") == 0) {
        rc = ef_wf_iana(reg, id, &who, err, sizeof err);
    } else if (strcmp(cmd, "expert") == 0) {
        rc = o->decision == D_START
                 ? ef_wf_expert_start(reg, id, &who, err, sizeof err)
                 : ef_wf_decide(reg, id, (ef_wf_decision_t)o->decision, &who, err, sizeof err);
    } else if (strcmp(cmd, "publish") == 0) {
        rc = ef_wf_publish(reg, id, o->escrow, &who, err, sizeof err);
    } else {
        rc = ef_wf_register(reg, id, o->escrow, &who, &st, err, sizeof err);
        if (rc == 0)
            printf("registry: %zu added, %zu updated, %zu unchanged\n", st.added, st.updated,
                   st.unchanged);
    }
    return done(reg, id, rc, err);
}

static void json_review(json_t *j, ef_reg_t *reg, const ef_wf_review_t *r, bool history)
{
    ef_wf_event_t *ev = history ? calloc(HISTORY_CAP, sizeof *ev) : NULL;
    size_t n = 0;

    json_begin_object(j, NULL);
    json_uint(j, "id", (unsigned long)r->id);
    json_string(j, "enumservice", r->name);
    json_string(j, "state", ef_wf_state_name(r->state));
    json_string(j, "comments_from", r->comments_from[0] ? r->comments_from : NULL);
    json_string(j, "comments_to", r->comments_to[0] ? r->comments_to : NULL);
    json_string(j, "specification_sha256", r->spec_sha256[0] ? r->spec_sha256 : NULL);
    json_string(j, "created", r->created);
    json_string(j, "updated", r->updated);
    if (ev != NULL && ef_wf_history(reg, r->id, ev, HISTORY_CAP, &n) == 0) {
        json_begin_array(j, "history");
        for (size_t i = 0; i < n; i++) {
            json_begin_object(j, NULL);
            json_string(j, "from", ev[i].from[0] ? ev[i].from : NULL);
            json_string(j, "to", ev[i].to);
            json_string(j, "by", ev[i].by);
            json_string(j, "at", ev[i].at);
            json_string(j, "note", ev[i].note[0] ? ev[i].note : NULL);
            json_end_object(j);
        }
        json_end_array(j);
    }
    json_end_object(j);
    free(ev);
}

static void text_review(ef_reg_t *reg, const ef_wf_review_t *r)
{
    ef_wf_event_t *ev = calloc(HISTORY_CAP, sizeof *ev);
    size_t n = 0;

    printf("Review:              %lld\n", (long long)r->id);
    printf("Enumservice:         %s\n", r->name);
    printf("State:               %s\n", ef_wf_state_name(r->state));
    if (r->comments_from[0] != '\0')
        printf("Comment window:      %s to %s\n", r->comments_from, r->comments_to);
    if (r->spec_sha256[0] != '\0')
        printf("Specification:       sha256 %s\n", r->spec_sha256);
    printf("History:\n");
    if (ev != NULL && ef_wf_history(reg, r->id, ev, HISTORY_CAP, &n) == 0)
        for (size_t i = 0; i < n; i++)
            printf("    %s  %-18s -> %-18s by %s%s%s\n", ev[i].at,
                   ev[i].from[0] ? ev[i].from : "(submitted)", ev[i].to, ev[i].by,
                   ev[i].note[0] ? ": " : "", ev[i].note);
    free(ev);
}

static int do_status(ef_reg_t *reg, const struct opts *o, bool one, int64_t id)
{
    ef_wf_review_t *r = calloc(one ? 1 : LIST_CAP, sizeof *r);
    size_t n = 1;
    json_t j;
    int rc;

    if (r == NULL)
        return EXIT_FAIL;
    rc = one ? ef_wf_get(reg, id, r) : ef_wf_list(reg, r, LIST_CAP, &n);
    if (rc != 0) {
        fprintf(stderr, "enumsvc review: %s\n",
                rc == EF_ENODATA ? "no such review" : ef_strerror(rc));
        free(r);
        return EXIT_FAIL;
    }
    json_init(&j, stdout);
    if (o->json) {
        json_begin_object(&j, NULL);
        json_begin_array(&j, "reviews");
    }
    for (size_t i = 0; i < n; i++) {
        if (o->json)
            json_review(&j, reg, &r[i], one);
        else if (one)
            text_review(reg, &r[i]);
        else
            printf("%lld  %s  %s  %s\n", (long long)r[i].id, r[i].name,
                   ef_wf_state_name(r[i].state), r[i].updated);
    }
    if (o->json) {
        json_end_array(&j);
        json_end_object(&j);
        fputc('\n', stdout);
    }
    free(r);
    return EXIT_OK;
}

static int do_checklist(ef_reg_t *reg, const struct opts *o, int64_t id)
{
    ef_wf_item_t *it = calloc(ITEMS_CAP, sizeof *it);
    size_t n = 0;
    json_t j;
    int rc;

    if (it == NULL)
        return EXIT_FAIL;
    rc = ef_wf_checklist(reg, id, it, ITEMS_CAP, &n);
    if (rc != 0 && rc != EF_E2BIG) {
        fprintf(stderr, "enumsvc review: %s\n",
                rc == EF_ENODATA ? "no such review" : ef_strerror(rc));
        free(it);
        return EXIT_FAIL;
    }
    json_init(&j, stdout);
    if (o->json) {
        json_begin_object(&j, NULL);
        json_uint(&j, "review", (unsigned long)id);
        json_begin_array(&j, "items");
    }
    for (size_t i = 0; i < n; i++) {
        if (!o->json) {
            printf("[%s] %s (%s): %s\n", ef_wf_verdict_name(it[i].verdict), it[i].code,
                   it[i].section, it[i].text);
            continue;
        }
        json_begin_object(&j, NULL);
        json_string(&j, "code", it[i].code);
        json_string(&j, "verdict", ef_wf_verdict_name(it[i].verdict));
        json_string(&j, "section", it[i].section);
        json_string(&j, "text", it[i].text);
        json_end_object(&j);
    }
    if (o->json) {
        json_end_array(&j);
        json_bool(&j, "truncated", rc == EF_E2BIG);
        json_end_object(&j);
        fputc('\n', stdout);
    }
    free(it);
    return EXIT_OK;
}

/* The subcommand's positional arguments and required options; NULL when fine. */
static const char *validate(const char *cmd, const struct opts *o)
{
    static const struct {
        const char *cmd;
        int min, max;
        bool by;
    } cmds[] = {{"submit", 1, 1, true},    {"revise", 2, 2, true},  {"comments", 1, 1, true},
                {"iana", 1, 1, true},      {"expert", 1, 1, true},  {"publish", 1, 1, false},
                {"register", 1, 1, false}, {"status", 0, 1, false}, {"checklist", 1, 1, false}};

    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (strcmp(cmd, cmds[i].cmd) != 0)
            continue;
        if (o->npos < cmds[i].min || o->npos > cmds[i].max)
            return "wrong number of arguments";
        if (cmds[i].by && o->by == NULL)
            return "--by NAME is required";
        if (strcmp(cmd, "comments") == 0 && (o->from == NULL || o->to == NULL))
            return "comments needs --from DATE and --to DATE";
        if (strcmp(cmd, "expert") == 0 && o->decision == D_NONE)
            return "expert needs --start, --approve, --changes-required or --reject";
        return NULL;
    }
    return "unknown subcommand";
}

static int run(ef_reg_t *reg, const char *cmd, struct opts *o)
{
    int64_t id = 0;
    bool has_id = strcmp(cmd, "submit") != 0 && o->npos > 0;

    if (has_id && parse_id(o->pos[0], &id) != 0)
        return usage_error("ID must be a review number");
    if (o->by == NULL) {
        o->by = getenv("USER");
        if (o->by == NULL || o->by[0] == '\0')
            o->by = "unknown";
    }
    if (strcmp(cmd, "submit") == 0 || strcmp(cmd, "revise") == 0)
        return do_template(reg, o, cmd[0] == 'r', id);
    if (strcmp(cmd, "status") == 0)
        return do_status(reg, o, has_id, id);
    if (strcmp(cmd, "checklist") == 0)
        return do_checklist(reg, o, id);
    return do_step(reg, cmd, o, id);
}

int enumsvc_review_main(int argc, char **argv)
{
    struct opts o = {.decision = D_NONE};
    const char *db, *cmd, *msg;
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
    cmd = argv[0];
    msg = parse(argc - 1, argv + 1, &o);
    if (msg == NULL)
        msg = validate(cmd, &o);
    if (msg != NULL)
        return usage_error(msg);
    if (ef_reg_open(db, &reg, err, sizeof err) != 0) {
        fprintf(stderr, "enumsvc review: %s\n", err);
        return EXIT_FAIL;
    }
    rc = run(reg, cmd, &o);
    ef_reg_close(reg);
    return rc;
}
