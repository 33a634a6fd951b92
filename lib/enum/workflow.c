/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * workflow.c -- the review of Enumservice registrations, RFC 6117 §6, §7 and
 * §11, in the registry's SQLite database (tables reviews and review_history,
 * created by lib/enum/registry.c): the states and the steps between them, the
 * comment window of §6.3, the escrow copy of §11.3, the final registration
 * through the registry's own store step (so the clash rule of §11.4 applies)
 * and the automatic part of the expert's checklist of §7.2.
 *
 * Each step runs in one BEGIN IMMEDIATE transaction: the state is read, the
 * step looked up in a table of allowed transitions, its work done and the
 * history row written; any error rolls all of it back. SQL is static text
 * with bound parameters only.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/tree.h>

#include "enum/registry_db.h"
#include "enum/xml_safe.h"
#include "enumfed/workflow.h"
#include "util/errbuf.h"

#define SCHEMES_MAX 16
#define FIND_CAP 256
#define NAME_LEN 80

static const char *const state_names[EF_WF_STATE_COUNT] = {
    "written",          "comments-requested", "submitted-to-iana", "expert-review", "approved",
    "changes-required", "rejected",           "published",         "registered"};

/* The steps. */
enum act {
    A_COMMENTS,
    A_REVISE,
    A_IANA,
    A_START,
    A_APPROVE,
    A_CHANGES,
    A_REJECT,
    A_PUBLISH,
    A_REGISTER
};

static const char *const act_names[] = {
    "request comments", "revise",          "submit to IANA", "start expert review",
    "approve",          "require changes", "reject",         "publish",
    "register"};

/* Every allowed transition; anything else is refused (§6, Figures 1 and 2). */
static const struct step {
    enum act act;
    ef_wf_state_t from, to;
} steps[] = {
    {A_COMMENTS, EF_WF_WRITTEN, EF_WF_COMMENTS},    /* §6.3 */
    {A_COMMENTS, EF_WF_COMMENTS, EF_WF_COMMENTS},   /* §6.3.3: further comments */
    {A_REVISE, EF_WF_WRITTEN, EF_WF_WRITTEN},       /* §6.2 */
    {A_REVISE, EF_WF_COMMENTS, EF_WF_COMMENTS},     /* §6.3.2, §6.3.3 */
    {A_REVISE, EF_WF_CHANGES, EF_WF_EXPERT},        /* §6.5.2: the experts continue */
    {A_REVISE, EF_WF_APPROVED, EF_WF_EXPERT},       /* §11.6.1: changes need approval */
    {A_IANA, EF_WF_COMMENTS, EF_WF_IANA},           /* §6.4 */
    {A_START, EF_WF_IANA, EF_WF_EXPERT},            /* §6.5, §11.5 */
    {A_APPROVE, EF_WF_EXPERT, EF_WF_APPROVED},      /* §6.5.1 */
    {A_CHANGES, EF_WF_EXPERT, EF_WF_CHANGES},       /* §6.5.2 */
    {A_REJECT, EF_WF_EXPERT, EF_WF_REJECTED},       /* §6.5.3 */
    {A_PUBLISH, EF_WF_APPROVED, EF_WF_PUBLISHED},   /* §6.6 */
    {A_REGISTER, EF_WF_PUBLISHED, EF_WF_REGISTERED} /* §6.7, §11.6: only once approved */
};

/* What the workflow reads from a template: its one <record>. */
struct tpl {
    size_t records;
    char type[NAME_LEN], subtype[NAME_LEN], klass[NAME_LEN];
    char schemes[SCHEMES_MAX][NAME_LEN];
    size_t n_schemes;
    bool has_subtype, non_rfc;
};

/* One step in progress. */
struct ctx {
    ef_reg_t *reg;
    sqlite3 *db;
    int64_t id;
    const ef_wf_actor_t *who;
    ef_wf_state_t from, to;
    char at[21], last_at[21];
    char *errbuf;
    size_t errcap;
    const char *win_from, *win_to; /* comments */
    bool *long_window;
    const char *buf; /* revise: the template; publish, register: the specification */
    size_t len;
    const struct tpl *tpl; /* revise */
    ef_reg_stats_t *stats;
};

typedef int (*hook_fn)(struct ctx *c);

const char *ef_wf_state_name(ef_wf_state_t state)
{
    return (unsigned)state < EF_WF_STATE_COUNT ? state_names[state] : "unknown";
}

const char *ef_wf_verdict_name(ef_wf_verdict_t verdict)
{
    static const char *const names[] = {"pass", "info", "warn", "fail", "open"};

    return (unsigned)verdict < sizeof names / sizeof names[0] ? names[verdict] : "unknown";
}

static int state_of(const char *name)
{
    for (int i = 0; i < EF_WF_STATE_COUNT; i++)
        if (name != NULL && strcmp(name, state_names[i]) == 0)
            return i;
    return -1;
}

/* ---- SQL: ?1 is the review id (when the statement has parameters), ?2... text ---- */

static int prep(sqlite3 *db, const char *sql, int64_t id, size_t n, const char *const *p,
                sqlite3_stmt **st)
{
    int count;

    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return EF_ECONFIG;
    count = sqlite3_bind_parameter_count(*st);
    if (count > 0)
        sqlite3_bind_int64(*st, 1, id);
    for (size_t i = 0; i < n && (int)i + 2 <= count; i++) {
        int rc = p[i] != NULL ? sqlite3_bind_text(*st, (int)i + 2, p[i], -1, SQLITE_TRANSIENT)
                              : sqlite3_bind_null(*st, (int)i + 2);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(*st);
            *st = NULL;
            return EF_ECONFIG;
        }
    }
    return 0;
}

static int exec_id(sqlite3 *db, const char *sql, int64_t id, size_t n, const char *const *p)
{
    sqlite3_stmt *st;
    int rc = prep(db, sql, id, n, p, &st);

    if (rc != 0)
        return rc;
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : EF_ECONFIG;
    sqlite3_finalize(st);
    return rc;
}

/* Bind a blob at index i and run; st is finalized. */
static int exec_blob(sqlite3_stmt *st, int i, const char *buf, size_t len)
{
    int rc = sqlite3_bind_blob64(st, i, buf, len, SQLITE_STATIC) == SQLITE_OK &&
                     sqlite3_step(st) == SQLITE_DONE
                 ? 0
                 : EF_ECONFIG;

    sqlite3_finalize(st);
    return rc;
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);

    snprintf(dst, cap, "%s", s != NULL ? (const char *)s : "");
}

/* ---- dates: "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM:SSZ", all UTC ---- */

/* Days since 1970-01-01 of a valid "YYYY-MM-DD" (more may follow); -1 when invalid. */
static long day_number(const char *s)
{
    struct tm tm = {0}, back;
    time_t t;

    if (s == NULL || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return -1;
    tm.tm_year = atoi(s) - 1900;
    tm.tm_mon = atoi(s + 5) - 1;
    tm.tm_mday = atoi(s + 8);
    back = tm;
    t = timegm(&tm); /* normalises tm: 2026-02-30 becomes 2026-03-02 */
    if (t == (time_t)-1 || tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon)
        return -1; /* 2026-02-30 */
    return (long)(t / 86400);
}

/* The step's timestamp: who->at at midnight UTC, or now. */
static int stamp(const char *at, char out[21], char *errbuf, size_t errcap)
{
    time_t now = time(NULL);
    struct tm tm;

    if (at != NULL) {
        if (strlen(at) != 10 || day_number(at) < 0) {
            ef__errf(errbuf, errcap, "--at %s: not a date YYYY-MM-DD", at);
            return EF_EINVAL;
        }
        snprintf(out, 21, "%sT00:00:00Z", at);
        return 0;
    }
    if (gmtime_r(&now, &tm) == NULL || strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return EF_EINVAL;
    return 0;
}

static int check_actor(const ef_wf_actor_t *who, char at[21], char *errbuf, size_t errcap)
{
    if (who == NULL || who->by == NULL || who->by[0] == '\0') {
        ef__errf(errbuf, errcap, "who takes the step is required (--by NAME)");
        return EF_EINVAL;
    }
    if (strlen(who->by) > EF_WF_BY_MAX ||
        (who->note != NULL && strlen(who->note) > EF_WF_NOTE_MAX)) {
        ef__errf(errbuf, errcap, "--by longer than %d or --note longer than %d bytes", EF_WF_BY_MAX,
                 EF_WF_NOTE_MAX);
        return EF_E2BIG;
    }
    return stamp(who->at, at, errbuf, errcap);
}

/* ---- the template: its one <record> ---- */

static bool is_named(xmlNodePtr n, const char *name)
{
    return n != NULL && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The trimmed text content of n into dst. */
static void content(xmlNodePtr n, char *dst, size_t cap)
{
    xmlChar *c = xmlNodeGetContent(n);
    const char *s = c != NULL ? (const char *)c : "";
    size_t len;

    while (isspace((unsigned char)*s))
        s++;
    len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    snprintf(dst, cap, "%.*s", (int)len, s);
    xmlFree(c);
}

static void add_schemes(struct tpl *t, xmlNodePtr n)
{
    char buf[256], *save = NULL;

    content(n, buf, sizeof buf);
    for (char *s = strtok_r(buf, ", \t\n", &save); s != NULL; s = strtok_r(NULL, ", \t\n", &save))
        if (t->n_schemes < SCHEMES_MAX)
            snprintf(t->schemes[t->n_schemes++], NAME_LEN, "%s", s);
}

static void read_record(struct tpl *t, xmlNodePtr r)
{
    for (xmlNodePtr k = r->children; k != NULL; k = k->next) {
        if (is_named(k, "type"))
            content(k, t->type, sizeof t->type);
        else if (is_named(k, "subtype")) {
            content(k, t->subtype, sizeof t->subtype);
            t->has_subtype = t->subtype[0] != '\0';
        } else if (is_named(k, "class"))
            content(k, t->klass, sizeof t->klass);
        else if (is_named(k, "urischeme"))
            add_schemes(t, k);
        else if (is_named(k, "registrationdocs"))
            for (xmlNodePtr x = k->children; x != NULL; x = x->next) {
                xmlChar *kind = is_named(x, "xref") ? xmlGetProp(x, (const xmlChar *)"type") : NULL;
                if (is_named(x, "xref") && (kind == NULL || strcasecmp((char *)kind, "rfc") != 0))
                    t->non_rfc = true;
                xmlFree(kind);
            }
    }
}

static void walk(struct tpl *t, xmlNodePtr n)
{
    for (; n != NULL; n = n->next) {
        if (is_named(n, "record")) {
            if (t->records++ == 0)
                read_record(t, n);
        } else if (n->type == XML_ELEMENT_NODE) {
            walk(t, n->children);
        }
    }
}

static int tpl_read(const char *buf, size_t len, struct tpl *t)
{
    struct ef__xml_error xerr;
    xmlDocPtr doc = ef__xml_read(buf, len, "template", &xerr);

    memset(t, 0, sizeof *t);
    if (doc == NULL)
        return xerr.status != 0 ? xerr.status : EF_ESYNTAX;
    walk(t, xmlDocGetRootElement(doc));
    xmlFreeDoc(doc);
    return 0;
}

static void tpl_name(const struct tpl *t, char *dst, size_t cap)
{
    snprintf(dst, cap, "%s%s%s", t->type, t->has_subtype ? ":" : "",
             t->has_subtype ? t->subtype : "");
}

/* Read and check a template file: no errors, exactly one <record>. */
static int load_template(const char *path, char **buf, size_t *len, struct tpl *t,
                         ef_tpl_finding_t *out, size_t cap, size_t *n_out, char *errbuf,
                         size_t errcap)
{
    int rc = ef__xml_slurp(path, EF_TPL_SIZE_MAX, buf, len);

    *n_out = 0;
    if (rc != 0) {
        ef__errf(errbuf, errcap, "%s: %s", path, ef_strerror(rc));
        return rc;
    }
    rc = ef__reg_check(*buf, *len, path, out, cap, n_out, errbuf, errcap);
    if (rc == 0)
        rc = tpl_read(*buf, *len, t);
    if (rc == 0 && t->records != 1) {
        ef__errf(errbuf, errcap, "refused: a review is for one <record>, %s has %zu", path,
                 t->records);
        rc = EF_EINVAL;
    }
    if (rc != 0) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

/* ---- submission ---- */

static int insert_review(sqlite3 *db, const struct tpl *t, const char *buf, size_t len,
                         const ef_wf_actor_t *who, const char *at, int64_t *id)
{
    const char *p[] = {t->type, t->has_subtype ? t->subtype : NULL, at};
    sqlite3_stmt *st;
    int rc = prep(db,
                  "INSERT INTO reviews(type, subtype, state, template, created, updated)"
                  " VALUES(?2, ?3, 'written', ?5, ?4, ?4)",
                  0, 3, p, &st);

    if (rc == 0)
        rc = exec_blob(st, 5, buf, len);
    if (rc != 0)
        return rc;
    *id = sqlite3_last_insert_rowid(db);
    {
        const char *q[] = {who->by, at, who->note};
        return exec_id(db,
                       "INSERT INTO review_history(review, from_state, to_state, by, at, note)"
                       " VALUES(?1, NULL, 'written', ?2, ?3, ?4)",
                       *id, 3, q);
    }
}

int ef_wf_submit(ef_reg_t *reg, const char *path, const ef_wf_actor_t *who, int64_t *id,
                 ef_tpl_finding_t *out, size_t cap, size_t *n_out, char *errbuf, size_t errcap)
{
    struct tpl t;
    char at[21], *buf = NULL;
    size_t len = 0;
    sqlite3 *db;
    int rc;

    if (reg == NULL || path == NULL || id == NULL || n_out == NULL || (out == NULL && cap > 0))
        return EF_EINVAL;
    *n_out = 0;
    rc = check_actor(who, at, errbuf, errcap);
    if (rc == 0)
        rc = load_template(path, &buf, &len, &t, out, cap, n_out, errbuf, errcap);
    if (rc != 0)
        return rc;
    db = ef__reg_db(reg);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        insert_review(db, &t, buf, len, who, at, id) != 0 ||
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        ef__errf(errbuf, errcap, "nothing changed: %s", sqlite3_errmsg(db));
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        rc = EF_ECONFIG;
    }
    free(buf);
    return rc;
}

/* ---- the steps ---- */

/* The review's state and the time of its last step. */
static int load_state(struct ctx *c)
{
    sqlite3_stmt *st;
    int rc = prep(c->db,
                  "SELECT r.state, (SELECT max(at) FROM review_history WHERE review = r.id)"
                  " FROM reviews r WHERE r.id = ?1",
                  c->id, 0, NULL, &st);

    if (rc != 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW) {
        int s = state_of((const char *)sqlite3_column_text(st, 0));
        copy_col(c->last_at, sizeof c->last_at, st, 1);
        c->from = (ef_wf_state_t)s;
        rc = s >= 0 ? 0 : EF_ECONFIG;
    } else {
        ef__errf(c->errbuf, c->errcap, "no review %lld", (long long)c->id);
        rc = EF_ENODATA;
    }
    sqlite3_finalize(st);
    return rc;
}

/* The transition for act from the current state; refused with the states it is allowed from. */
static int find_step(struct ctx *c, enum act act)
{
    char allowed[160] = "";
    size_t k = 0;

    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (steps[i].act != act)
            continue;
        if (steps[i].from == c->from) {
            c->to = steps[i].to;
            return 0;
        }
        k += (size_t)snprintf(allowed + k, sizeof allowed - k, "%s%s", k > 0 ? ", " : "",
                              state_names[steps[i].from]);
        if (k >= sizeof allowed)
            k = sizeof allowed - 1;
    }
    ef__errf(c->errbuf, c->errcap,
             "illegal transition: review %lld is %s; \"%s\" is allowed only from %s (RFC 6117 §6)",
             (long long)c->id, state_names[c->from], act_names[act], allowed);
    return EF_EINVAL;
}

static int record(struct ctx *c)
{
    const char *p[] = {state_names[c->from], state_names[c->to], c->who->by, c->at, c->who->note};
    int rc = exec_id(c->db,
                     "INSERT INTO review_history(review, from_state, to_state, by, at, note)"
                     " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                     c->id, 5, p);

    if (rc == 0)
        rc = exec_id(c->db, "UPDATE reviews SET state = ?3, updated = ?5 WHERE id = ?1", c->id, 5,
                     p);
    return rc;
}

/* One step, one transaction: state, transition, the step's own work (hook), history. */
static int transition(struct ctx *c, enum act act, hook_fn hook)
{
    int rc = check_actor(c->who, c->at, c->errbuf, c->errcap);

    if (rc != 0)
        return rc;
    c->db = ef__reg_db(c->reg);
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        ef__errf(c->errbuf, c->errcap, "%s", sqlite3_errmsg(c->db));
        return EF_ECONFIG;
    }
    rc = load_state(c);
    if (rc == 0)
        rc = find_step(c, act);
    if (rc == 0 && strcmp(c->at, c->last_at) < 0) {
        ef__errf(c->errbuf, c->errcap, "%s is before the review's last step (%s)", c->at,
                 c->last_at);
        rc = EF_EINVAL;
    }
    if (rc == 0 && hook != NULL)
        rc = hook(c);
    if (rc == 0)
        rc = record(c);
    if (rc == 0 && sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = EF_ECONFIG;
    if (rc != 0) {
        if (rc == EF_ECONFIG)
            ef__errf(c->errbuf, c->errcap, "nothing changed: %s", sqlite3_errmsg(c->db));
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}

#define CTX(r, i, w, e, n)                                                                         \
    {                                                                                              \
        .reg = (r), .id = (i), .who = (w), .errbuf = (e), .errcap = (n)                            \
    }

/* §6.3: "a reasonable period of time ..., such as two to four weeks". */
static int hook_comments(struct ctx *c)
{
    long from = day_number(c->win_from), to = day_number(c->win_to);
    long last = day_number(c->last_at);
    const char *p[] = {c->win_from, c->win_to};

    if (from < 0 || to < 0 || strlen(c->win_from) != 10 || strlen(c->win_to) != 10) {
        ef__errf(c->errbuf, c->errcap, "the comment window needs --from and --to as YYYY-MM-DD");
        return EF_EINVAL;
    }
    if (from < last) {
        ef__errf(c->errbuf, c->errcap, "the comment window starts %s, before the last step (%.10s)",
                 c->win_from, c->last_at);
        return EF_EINVAL;
    }
    if (to - from < EF_WF_WINDOW_MIN) {
        ef__errf(c->errbuf, c->errcap,
                 "a comment window of %ld days is shorter than two weeks (RFC 6117 §6.3)",
                 to - from);
        return EF_EINVAL;
    }
    if (c->long_window != NULL)
        *c->long_window = to - from > EF_WF_WINDOW_LONG;
    return exec_id(c->db, "UPDATE reviews SET comments_from = ?2, comments_to = ?3 WHERE id = ?1",
                   c->id, 2, p);
}

/* The comments are collected before the document goes to IANA (§6.3, §6.4). */
static int hook_iana(struct ctx *c)
{
    sqlite3_stmt *st;
    char to[16] = "";
    int rc = prep(c->db, "SELECT comments_to FROM reviews WHERE id = ?1", c->id, 0, NULL, &st);

    if (rc != 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        copy_col(to, sizeof to, st, 0);
    sqlite3_finalize(st);
    if (strncmp(c->at, to, 10) < 0) {
        ef__errf(c->errbuf, c->errcap,
                 "the comment window runs until %s (RFC 6117 §6.3): submit to IANA after it", to);
        return EF_EINVAL;
    }
    return 0;
}

int ef_wf_comments(ef_reg_t *reg, int64_t id, const char *from, const char *to,
                   const ef_wf_actor_t *who, bool *long_window, char *errbuf, size_t errcap)
{
    struct ctx c = CTX(reg, id, who, errbuf, errcap);

    if (reg == NULL)
        return EF_EINVAL;
    if (long_window != NULL)
        *long_window = false;
    c.win_from = from != NULL ? from : "";
    c.win_to = to != NULL ? to : "";
    c.long_window = long_window;
    return transition(&c, A_COMMENTS, hook_comments);
}

int ef_wf_iana(ef_reg_t *reg, int64_t id, const ef_wf_actor_t *who, char *errbuf, size_t errcap)
{
    struct ctx c = CTX(reg, id, who, errbuf, errcap);

    return reg == NULL ? EF_EINVAL : transition(&c, A_IANA, hook_iana);
}

int ef_wf_expert_start(ef_reg_t *reg, int64_t id, const ef_wf_actor_t *who, char *errbuf,
                       size_t errcap)
{
    struct ctx c = CTX(reg, id, who, errbuf, errcap);

    return reg == NULL ? EF_EINVAL : transition(&c, A_START, NULL);
}

int ef_wf_decide(ef_reg_t *reg, int64_t id, ef_wf_decision_t decision, const ef_wf_actor_t *who,
                 char *errbuf, size_t errcap)
{
    struct ctx c = CTX(reg, id, who, errbuf, errcap);

    if (reg == NULL || (unsigned)decision > EF_WF_REJECT)
        return EF_EINVAL;
    if (decision != EF_WF_APPROVE && (who == NULL || who->note == NULL || who->note[0] == '\0')) {
        ef__errf(errbuf, errcap, "the authors need to know why: give a note (--note TEXT)");
        return EF_EINVAL;
    }
    return transition(&c,
                      decision == EF_WF_APPROVE           ? A_APPROVE
                      : decision == EF_WF_REQUIRE_CHANGES ? A_CHANGES
                                                          : A_REJECT,
                      NULL);
}

/* A revision is of the same Enumservice: another Type:Subtype is a new request. */
static int hook_revise(struct ctx *c)
{
    const char *p[] = {c->tpl->type, c->tpl->has_subtype ? c->tpl->subtype : NULL};
    sqlite3_stmt *st;
    char name[2 * NAME_LEN];
    int rc = prep(c->db,
                  "SELECT 1 FROM reviews WHERE id = ?1 AND type = ?2 AND"
                  " ((?3 IS NULL AND subtype IS NULL) OR subtype = ?3)",
                  c->id, 2, p, &st);
    bool same;

    if (rc != 0)
        return rc;
    same = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!same) {
        tpl_name(c->tpl, name, sizeof name);
        ef__errf(c->errbuf, c->errcap, "the revision is for %s, not the Enumservice under review",
                 name);
        return EF_EINVAL;
    }
    rc = prep(c->db, "UPDATE reviews SET template = ?2 WHERE id = ?1", c->id, 0, NULL, &st);
    return rc != 0 ? rc : exec_blob(st, 2, c->buf, c->len);
}

int ef_wf_revise(ef_reg_t *reg, int64_t id, const char *path, const ef_wf_actor_t *who,
                 ef_tpl_finding_t *out, size_t cap, size_t *n_out, char *errbuf, size_t errcap)
{
    struct ctx c = CTX(reg, id, who, errbuf, errcap);
    struct tpl t;
    char *buf = NULL;
    int rc;

    if (reg == NULL || path == NULL || n_out == NULL || (out == NULL && cap > 0))
        return EF_EINVAL;
    rc = load_template(path, &buf, &c.len, &t, out, cap, n_out, errbuf, errcap);
    if (rc != 0)
        return rc;
    c.buf = buf;
    c.tpl = &t;
    rc = transition(&c, A_REVISE, hook_revise);
    free(buf);
    return rc;
}

/* The template ("template") or specification ("spec") of a review, malloc'd; NULL when none. */
static int load_blob(sqlite3 *db, int64_t id, bool spec, char **buf, size_t *len)
{
    sqlite3_stmt *st;
    int rc = prep(db,
                  spec ? "SELECT spec FROM reviews WHERE id = ?1"
                       : "SELECT template FROM reviews WHERE id = ?1",
                  id, 0, NULL, &st);

    *buf = NULL;
    *len = 0;
    if (rc != 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *len = (size_t)sqlite3_column_bytes(st, 0);
        *buf = malloc(*len + 1);
        if (*buf == NULL)
            rc = EF_ENOMEM;
        else
            memcpy(*buf, sqlite3_column_blob(st, 0), *len);
    }
    sqlite3_finalize(st);
    return rc;
}

/* The review's template as read by tpl_read. */
static int stored_tpl(sqlite3 *db, int64_t id, struct tpl *t)
{
    char *buf;
    size_t len;
    int rc = load_blob(db, id, false, &buf, &len);

    if (rc == 0)
        rc = buf != NULL ? tpl_read(buf, len, t) : EF_ECONFIG;
    free(buf);
    return rc;
}

/* Keep the published specification for the escrow copy (§11.3, §11.6.2). */
static int store_spec(struct ctx *c)
{
    struct tpl t;
    sqlite3_stmt *st;
    char hex[65];
    const char *p[] = {hex};
    int rc = stored_tpl(c->db, c->id, &t);

    if (rc == 0 && !t.non_rfc) {
        ef__errf(c->errbuf, c->errcap,
                 "the specification is an RFC: no escrow copy is held (RFC 6117 §11.3)");
        return EF_EINVAL;
    }
    if (rc == 0)
        rc = ef__sha256_hex(c->buf, c->len, hex);
    if (rc == 0)
        rc = prep(c->db, "UPDATE reviews SET spec_sha256 = ?2, spec = ?3 WHERE id = ?1", c->id, 1,
                  p, &st);
    return rc != 0 ? rc : exec_blob(st, 3, c->buf, c->len);
}

static int hook_publish(struct ctx *c)
{
    return c->buf != NULL ? store_spec(c) : 0;
}

/*
 * §11.6: only an approved (and published) document is registered, through
 * the registry's store step in this same transaction, so an identical
 * Type:Subtype is the update of §11.4/§5.3. §11.3: a non-RFC specification
 * must come with its escrow copy.
 */
static int hook_register(struct ctx *c)
{
    char *tpl = NULL, *spec = NULL, why[200] = "";
    size_t tlen = 0, slen = 0;
    struct ef__escrow esc;
    struct tpl t;
    int rc = c->buf != NULL ? store_spec(c) : 0;

    if (rc == 0)
        rc = load_blob(c->db, c->id, false, &tpl, &tlen);
    if (rc == 0)
        rc = load_blob(c->db, c->id, true, &spec, &slen);
    if (rc == 0)
        rc = tpl != NULL ? tpl_read(tpl, tlen, &t) : EF_ECONFIG;
    if (rc == 0 && t.non_rfc && spec == NULL) {
        ef__errf(c->errbuf, c->errcap,
                 "the specification is not an RFC: its escrow copy is required (RFC 6117 §11.3,"
                 " §11.6.2; --escrow FILE)");
        rc = EF_EINVAL;
    }
    esc.data = spec;
    esc.len = slen;
    if (rc == 0) {
        rc = ef__reg_store(c->reg, tpl, tlen, "review", spec != NULL ? &esc : NULL, c->stats, why,
                           sizeof why);
        if (rc != 0)
            ef__errf(c->errbuf, c->errcap, "registry: %s", why[0] ? why : ef_strerror(rc));
    }
    free(tpl);
    free(spec);
    return rc;
}

static int load_spec(const char *path, char **buf, size_t *len, char *errbuf, size_t errcap)
{
    *buf = NULL;
    return path == NULL ? 0 : ef__reg_load_spec(path, buf, len, errbuf, errcap);
}

static int spec_step(ef_reg_t *reg, int64_t id, const char *spec_path, const ef_wf_actor_t *who,
                     enum act act, ef_reg_stats_t *stats, char *errbuf, size_t errcap)
{
    struct ctx c = CTX(reg, id, who, errbuf, errcap);
    ef_reg_stats_t dummy;
    char *buf = NULL;
    int rc;

    if (reg == NULL)
        return EF_EINVAL;
    c.stats = stats != NULL ? stats : &dummy;
    memset(c.stats, 0, sizeof *c.stats);
    rc = load_spec(spec_path, &buf, &c.len, errbuf, errcap);
    if (rc != 0)
        return rc;
    c.buf = buf;
    rc = transition(&c, act, act == A_PUBLISH ? hook_publish : hook_register);
    if (rc != 0)
        memset(c.stats, 0, sizeof *c.stats);
    free(buf);
    return rc;
}

int ef_wf_publish(ef_reg_t *reg, int64_t id, const char *spec_path, const ef_wf_actor_t *who,
                  char *errbuf, size_t errcap)
{
    return spec_step(reg, id, spec_path, who, A_PUBLISH, NULL, errbuf, errcap);
}

int ef_wf_register(ef_reg_t *reg, int64_t id, const char *spec_path, const ef_wf_actor_t *who,
                   ef_reg_stats_t *stats, char *errbuf, size_t errcap)
{
    return spec_step(reg, id, spec_path, who, A_REGISTER, stats, errbuf, errcap);
}

/* ---- reading reviews ---- */

static const char review_sql[] =
    "SELECT id, type, subtype, state, comments_from, comments_to, spec_sha256, created, updated"
    " FROM reviews";

static void review_row(sqlite3_stmt *st, ef_wf_review_t *r)
{
    const char *sub = (const char *)sqlite3_column_text(st, 2);
    int s = state_of((const char *)sqlite3_column_text(st, 3));

    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    snprintf(r->name, sizeof r->name, "%s%s%s", (const char *)sqlite3_column_text(st, 1),
             sub != NULL ? ":" : "", sub != NULL ? sub : "");
    r->state = s >= 0 ? (ef_wf_state_t)s : EF_WF_WRITTEN;
    copy_col(r->comments_from, sizeof r->comments_from, st, 4);
    copy_col(r->comments_to, sizeof r->comments_to, st, 5);
    copy_col(r->spec_sha256, sizeof r->spec_sha256, st, 6);
    copy_col(r->created, sizeof r->created, st, 7);
    copy_col(r->updated, sizeof r->updated, st, 8);
}

int ef_wf_get(ef_reg_t *reg, int64_t id, ef_wf_review_t *out)
{
    char sql[sizeof review_sql + 32];
    sqlite3_stmt *st;
    int rc;

    if (reg == NULL || out == NULL)
        return EF_EINVAL;
    snprintf(sql, sizeof sql, "%s WHERE id = ?1", review_sql);
    rc = prep(ef__reg_db(reg), sql, id, 0, NULL, &st);
    if (rc != 0)
        return rc;
    rc = sqlite3_step(st) == SQLITE_ROW ? 0 : EF_ENODATA;
    if (rc == 0)
        review_row(st, out);
    sqlite3_finalize(st);
    return rc;
}

int ef_wf_list(ef_reg_t *reg, ef_wf_review_t *out, size_t cap, size_t *n_out)
{
    char sql[sizeof review_sql + 32];
    sqlite3_stmt *st;
    int rc, step = SQLITE_DONE;

    if (reg == NULL || n_out == NULL || (out == NULL && cap > 0))
        return EF_EINVAL;
    *n_out = 0;
    snprintf(sql, sizeof sql, "%s ORDER BY id", review_sql);
    rc = prep(ef__reg_db(reg), sql, 0, 0, NULL, &st);
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n_out == cap)
            rc = EF_E2BIG;
        else
            review_row(st, &out[(*n_out)++]);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = EF_ECONFIG;
    if (st != NULL)
        sqlite3_finalize(st);
    return rc;
}

int ef_wf_history(ef_reg_t *reg, int64_t id, ef_wf_event_t *out, size_t cap, size_t *n_out)
{
    ef_wf_review_t r;
    sqlite3_stmt *st;
    int rc, step = SQLITE_DONE;

    if (reg == NULL || n_out == NULL || (out == NULL && cap > 0))
        return EF_EINVAL;
    *n_out = 0;
    rc = ef_wf_get(reg, id, &r);
    if (rc == 0)
        rc = prep(ef__reg_db(reg),
                  "SELECT from_state, to_state, by, at, note FROM review_history"
                  " WHERE review = ?1 ORDER BY id",
                  id, 0, NULL, &st);
    if (rc != 0)
        return rc;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        ef_wf_event_t *e;
        if (*n_out == cap) {
            rc = EF_E2BIG;
            break;
        }
        e = &out[*n_out];
        copy_col(e->from, sizeof e->from, st, 0);
        copy_col(e->to, sizeof e->to, st, 1);
        copy_col(e->by, sizeof e->by, st, 2);
        copy_col(e->at, sizeof e->at, st, 3);
        copy_col(e->note, sizeof e->note, st, 4);
        (*n_out)++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = EF_ECONFIG;
    sqlite3_finalize(st);
    return rc;
}

/* ---- the checklist of §7.2 ---- */

struct list {
    ef_wf_item_t *out;
    size_t cap, n;
    bool overflow;
};

static void add(struct list *l, const char *code, ef_wf_verdict_t v, const char *section,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add(struct list *l, const char *code, ef_wf_verdict_t v, const char *section,
                const char *fmt, ...)
{
    ef_wf_item_t *it;
    va_list ap;

    if (l->n == l->cap) {
        l->overflow = true;
        return;
    }
    it = &l->out[l->n++];
    it->code = code;
    it->verdict = v;
    it->section = section;
    va_start(ap, fmt);
    vsnprintf(it->text, sizeof it->text, fmt, ap);
    va_end(ap);
}

size_t ef_wf_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[NAME_LEN + 1];

    if (la > NAME_LEN || lb > NAME_LEN)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j],
                   cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

/* §7.2 first two items, as far as the template goes: the checker of enumfed/template.h. */
static int cl_template(struct list *l, const char *buf, size_t len)
{
    ef_tpl_finding_t *f = calloc(FIND_CAP, sizeof *f);
    size_t n = 0;
    int rc;

    if (f == NULL)
        return EF_ENOMEM;
    rc = ef_tpl_check_memory(buf, len, "template", f, FIND_CAP, &n, NULL, 0);
    for (size_t i = 0; i < n; i++)
        add(l, "template", f[i].warning ? EF_WF_WARN : EF_WF_FAIL, f[i].section,
            "%s %s (template line %ld)", f[i].code, f[i].message, f[i].line);
    if ((rc == 0 || rc == EF_E2BIG) && ef_tpl_findings_ok(f, n))
        add(l, "template", EF_WF_PASS, "RFC 6117 §5.2",
            "the registration template conforms (%zu warning(s))", n);
    free(f);
    return rc == EF_E2BIG ? 0 : rc;
}

/* §11.4/§11.5: the identical Type:Subtype registered, or requested in another review. */
static int cl_clash(struct list *l, sqlite3 *db, int64_t id, const struct tpl *t, const char *name)
{
    const char *p[] = {t->type, t->has_subtype ? t->subtype : NULL};
    sqlite3_stmt *st;
    int rc = prep(db,
                  "SELECT 1 FROM enumservices WHERE type = ?2 AND"
                  " ((?3 IS NULL AND subtype IS NULL) OR subtype = ?3)",
                  id, 2, p, &st);

    if (rc != 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        add(l, "clash", EF_WF_WARN, "RFC 6117 §11.4",
            "%s is already registered: registering it updates that entry (§5.3, §11.7); the"
            " experts resolve the clash",
            name);
    else
        add(l, "clash", EF_WF_PASS, "RFC 6117 §11.4", "%s is not registered yet", name);
    sqlite3_finalize(st);
    rc = prep(db,
              "SELECT id, state FROM reviews WHERE id <> ?1 AND type = ?2 AND"
              " ((?3 IS NULL AND subtype IS NULL) OR subtype = ?3) AND state NOT IN"
              " ('rejected', 'registered') ORDER BY id",
              id, 2, p, &st);
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
        add(l, "earlier-request", EF_WF_WARN, "RFC 6117 §11.5",
            "review %lld requests the same %s (%s): inform the experts",
            (long long)sqlite3_column_int64(st, 0), name, sqlite3_column_text(st, 1));
    if (rc == 0)
        sqlite3_finalize(st);
    return rc;
}

static bool has_scheme(const struct tpl *t, const char *s)
{
    for (size_t i = 0; i < t->n_schemes; i++)
        if (s != NULL && strcasecmp(t->schemes[i], s) == 0)
            return true;
    return false;
}

/* One registered Enumservice against the template: same Type, a near Type, a shared scheme. */
static void similar_row(struct list *l, const struct tpl *t, sqlite3_stmt *st, size_t *found)
{
    const char *type = (const char *)sqlite3_column_text(st, 0);
    const char *sub = (const char *)sqlite3_column_text(st, 1);
    const char *schemes = (const char *)sqlite3_column_text(st, 2);
    char name[2 * NAME_LEN], buf[256], *save = NULL;
    size_t d;

    snprintf(name, sizeof name, "%s%s%s", type, sub ? ":" : "", sub ? sub : "");
    if (strcasecmp(type, t->type) == 0) {
        if ((sub == NULL) == !t->has_subtype && (sub == NULL || strcasecmp(sub, t->subtype) == 0))
            return; /* the clash itself */
        add(l, "similar", EF_WF_INFO, "RFC 6117 §7.2", "%s: the same Type", name);
        (*found)++;
    } else if ((d = ef_wf_edit_distance(type, t->type)) <= 2) {
        add(l, "similar", EF_WF_INFO, "RFC 6117 §7.2", "%s: Type at edit distance %zu", name, d);
        (*found)++;
    }
    snprintf(buf, sizeof buf, "%s", schemes != NULL ? schemes : "");
    for (char *s = strtok_r(buf, ",", &save); s != NULL; s = strtok_r(NULL, ",", &save))
        if (has_scheme(t, s)) {
            add(l, "similar", EF_WF_INFO, "RFC 6117 §7.2", "%s: the same URI Scheme %s", name, s);
            (*found)++;
        }
}

static int cl_similar(struct list *l, sqlite3 *db, const struct tpl *t)
{
    sqlite3_stmt *st;
    size_t found = 0;
    int rc = prep(db,
                  "SELECT e.type, e.subtype, (SELECT group_concat(scheme, ',') FROM urischemes"
                  " WHERE enumservice = e.id) FROM enumservices e"
                  " ORDER BY e.type COLLATE NOCASE, ifnull(e.subtype, '') COLLATE NOCASE",
                  0, 0, NULL, &st);

    if (rc != 0)
        return rc;
    while (sqlite3_step(st) == SQLITE_ROW)
        similar_row(l, t, st, &found);
    sqlite3_finalize(st);
    if (found == 0)
        add(l, "similar", EF_WF_PASS, "RFC 6117 §7.2",
            "no registered Enumservice with the same Type, a Type within edit distance 2 or the"
            " same URI Scheme");
    return 0;
}

/* URI Scheme names §4.2.1 protects beyond those in the registry. */
static const char *const known_schemes[] = {
    "ftp",  "geo",  "h323", "http", "https", "iax", "im",   "imap", "ldap", "mailto", "mms",
    "news", "nntp", "pop",  "pres", "rtsp",  "sip", "sips", "sms",  "snmp", "tel",    "telnet",
    "tftp", "urn",  "xmpp", "ws",   "wss",   "dns", "data", "file", "fax",  "modem"};

/* 1 when name is a URI Scheme: a known one or one used in the registry. */
static int is_scheme(sqlite3 *db, const char *name)
{
    const char *p[] = {name};
    sqlite3_stmt *st;
    int rc;

    for (size_t i = 0; i < sizeof known_schemes / sizeof known_schemes[0]; i++)
        if (strcasecmp(name, known_schemes[i]) == 0)
            return 1;
    rc = prep(db, "SELECT 1 FROM urischemes WHERE scheme = ?2", 0, 1, p, &st);
    if (rc != 0)
        return rc;
    rc = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return rc;
}

static bool has_upper(const char *s)
{
    for (; *s != '\0'; s++)
        if (isupper((unsigned char)*s))
            return true;
    return false;
}

/* The Subtype rules of the Class (§4.2.2.2, §4.2.3.2, §4.2.4.2) and §4.2.1 on Subtypes. */
static int cl_subtype(struct list *l, sqlite3 *db, const struct tpl *t)
{
    const char *p[] = {t->type, t->has_subtype ? t->subtype : ""};
    sqlite3_stmt *st;
    int rc, others = 0;

    if (!t->has_subtype)
        return 0;
    if (!has_scheme(t, t->subtype))
        add(l, "class", EF_WF_WARN,
            strncasecmp(t->klass, "Protocol", 8) == 0 ? "RFC 6117 §4.2.2.2"
            : strncasecmp(t->klass, "Data", 4) == 0   ? "RFC 6117 §4.2.4.2"
                                                      : "RFC 6117 §4.2.3.2",
            "Subtype \"%s\" is not one of its URI Schemes (RECOMMENDED for this Class)",
            t->subtype);
    rc = prep(db, "SELECT count(*) FROM enumservices WHERE type = ?2 AND ifnull(subtype, '') <> ?3",
              0, 2, p, &st);
    if (rc != 0)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        others = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (others == 0)
        add(l, "class", EF_WF_INFO, "RFC 6117 §4.2.1",
            "the only Subtype of Type \"%s\": at least two SHOULD be defined unless a future"
            " expansion is foreseen (§9)",
            t->type);
    return 0;
}

/* What a program can judge of §3.2, §4.2 and §11.8. */
static int cl_class(struct list *l, sqlite3 *db, const struct tpl *t)
{
    static const char *const examples[] = {"foo", "bar", "sbar"};
    int rc = is_scheme(db, t->type);

    if (rc < 0)
        return rc;
    if (rc == 1 && !has_scheme(t, t->type))
        add(l, "class", EF_WF_WARN, "RFC 6117 §4.2.1",
            "Type \"%s\" is a URI Scheme name but not among its URI Schemes: it MUST NOT be"
            " used unless the Enumservice is about that protocol",
            t->type);
    if (has_upper(t->type) || (t->has_subtype && has_upper(t->subtype)))
        add(l, "class", EF_WF_WARN, "RFC 6117 §3.2", "Type and Subtype SHOULD be lowercase");
    if (strcasecmp(t->klass, "Protocol-Based") == 0 && rc != 1)
        add(l, "class", EF_WF_INFO, "RFC 6117 §4.2.2.1",
            "Type \"%s\" is not a known protocol or URI Scheme name: a Protocol-Based Type"
            " SHOULD be the protocol's name",
            t->type);
    if (strcasecmp(t->klass, "Other") == 0)
        add(l, "class", EF_WF_OPEN, "RFC 6117 §4.2.5",
            "Class \"Other\": does the specification give a convincing reason why no Class"
            " fits?");
    for (size_t i = 0; i < 3; i++)
        if (strcasecmp(t->type, examples[i]) == 0 ||
            (t->has_subtype && strcasecmp(t->subtype, examples[i]) == 0))
            add(l, "example-name", EF_WF_FAIL, "RFC 6117 §11.8",
                "\"%s\" is an example name: not registered unless the experts explicitly"
                " confirm an exception",
                examples[i]);
    return cl_subtype(l, db, t);
}

/* §5.5, §7.2: a tel URI can start another ENUM query. */
static void cl_loop(struct list *l, const struct tpl *t)
{
    if (has_scheme(t, "tel"))
        add(l, "loop", EF_WF_WARN, "RFC 6117 §5.5, §7.2",
            "returns tel: URIs, which may be input to more ENUM queries: verify the DNS"
            " Considerations address query loops (e.g. the enumdi parameter of RFC 4759)");
    else
        add(l, "loop", EF_WF_PASS, "RFC 6117 §5.5, §7.2", "no tel URI Scheme");
}

static void cl_escrow(struct list *l, const struct tpl *t, const ef_wf_review_t *r)
{
    if (!t->non_rfc)
        add(l, "escrow", EF_WF_PASS, "RFC 6117 §11.3", "the specification is an RFC");
    else if (r->spec_sha256[0] != '\0')
        add(l, "escrow", EF_WF_INFO, "RFC 6117 §11.3",
            "not an RFC: specification held for the escrow copy, sha256 %s", r->spec_sha256);
    else
        add(l, "escrow", EF_WF_INFO, "RFC 6117 §11.3, §11.6.2",
            "not an RFC: an escrow copy of the published specification is needed at"
            " registration");
}

/* §7.2 and what it refers to: for the human expert. */
static void cl_open(struct list *l, const struct tpl *t)
{
    add(l, "rfc6116", EF_WF_OPEN, "RFC 6117 §7.2, §3.1",
        "does the specification conform to RFC 6116 and define how the NAPTR and its URI are"
        " used?");
    add(l, "sections", EF_WF_OPEN, "RFC 6117 §3, §5",
        "are all required sections there and sufficient: Introduction (§5.1), IANA Registration"
        " (§5.2), Examples with NAPTRs (§5.3), DNS Considerations (§5.5), Security"
        " Considerations (§5.6), IANA Considerations (§5.7)?");
    add(l, "use-case", EF_WF_OPEN, "RFC 6117 §7.2, §5.8",
        "does the Enumservice match its use case, and could an existing Enumservice cover it?");
    add(l, "confusion", EF_WF_OPEN, "RFC 6117 §7.2",
        "can it be confused with the similar Enumservices listed above?");
    add(l, "class-principles", EF_WF_OPEN, "RFC 6117 §7.2, §4.2",
        "are the principles of the Class \"%s\" followed?", t->klass);
    add(l, "side-effects", EF_WF_OPEN, "RFC 6117 §7.2, §5.5",
        "any negative side effects on existing clients and infrastructure, the DNS in"
        " particular?");
    add(l, "security", EF_WF_OPEN, "RFC 6117 §3.3, §5.6",
        "are all known security risks identified, including access to PII?");
    add(l, "naming", EF_WF_OPEN, "RFC 6117 §4.1",
        "is the Type meaningful for the technology, and not hoarding a name?");
}

int ef_wf_checklist(ef_reg_t *reg, int64_t id, ef_wf_item_t *out, size_t cap, size_t *n_out)
{
    struct list l = {.out = out, .cap = cap};
    ef_wf_review_t r;
    char *buf = NULL, name[2 * NAME_LEN];
    size_t len = 0;
    struct tpl t;
    sqlite3 *db;
    int rc;

    if (reg == NULL || n_out == NULL || (out == NULL && cap > 0))
        return EF_EINVAL;
    *n_out = 0;
    db = ef__reg_db(reg);
    rc = ef_wf_get(reg, id, &r);
    if (rc == 0)
        rc = load_blob(db, id, false, &buf, &len);
    if (rc == 0)
        rc = buf != NULL ? tpl_read(buf, len, &t) : EF_ECONFIG;
    if (rc == 0)
        rc = cl_template(&l, buf, len);
    tpl_name(&t, name, sizeof name);
    if (rc == 0)
        rc = cl_clash(&l, db, id, &t, name);
    if (rc == 0)
        rc = cl_similar(&l, db, &t);
    if (rc == 0)
        rc = cl_class(&l, db, &t);
    if (rc == 0) {
        cl_loop(&l, &t);
        cl_escrow(&l, &t, &r);
        cl_open(&l, &t);
    }
    free(buf);
    *n_out = l.n;
    return rc == 0 && l.overflow ? EF_E2BIG : rc;
}
