/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registry.c -- the Enumservice registry of RFC 6117 §11 in SQLite: import of
 * IANA registry XML with libxml2, listing, show and export.
 *
 * Safety: a file is checked with ef_tpl_check_memory (lib/enum/template.c)
 * before anything is written: errors refuse it, so entity declarations (XXE,
 * expansion), oversized and too deeply nested files never reach the import.
 * The import parses the same bytes again through the same safe reader as the
 * check (enum/xml_safe.h). SQL is static text with bound parameters only.
 *
 * Rules: Type:Subtype is the key, compared case-insensitively (COLLATE NOCASE)
 * and stored as given; a record for a registered key is a clash (§11.4) that
 * is either an identical re-registration (no change) or an update (§5.3):
 * the fields take the new values, the old registration documents stay and the
 * new ones are added as supplementary. Nothing is ever deleted (§11.7).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <strings.h>

#include "enum/registry_db.h"
#include "enum/xml_safe.h"
#include "enumfed/registry.h"
#include "util/errbuf.h"

#define IANA_NS "http://www.iana.org/assignments"
#define EF__STR(x) #x
#define EF__XSTR(x) EF__STR(x)
#define EF__REG_VERSION_STR EF__XSTR(EF_REG_SCHEMA_VERSION)
#define LIST_MAX 64 /* schemes, documents, requesters per record */
#define FIND_CAP 1024

struct ef_reg {
    sqlite3 *db;
};

struct doc {
    char *kind, *data;
    bool supplementary;
};

/* One <record>, strings malloc'd and whitespace-folded. */
struct rec {
    char *type, *subtype, *klass, *usage, *fspec, *security, *addinfo, *date, *updated;
    char *schemes[LIST_MAX];
    size_t n_schemes;
    struct doc docs[LIST_MAX];
    size_t n_docs;
    char *reqs[LIST_MAX];
    size_t n_reqs;
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS enumservices(id INTEGER PRIMARY KEY,"
    " type TEXT NOT NULL COLLATE NOCASE, subtype TEXT COLLATE NOCASE, class TEXT NOT NULL,"
    " usage TEXT NOT NULL, functionalspec TEXT NOT NULL, security TEXT NOT NULL,"
    " additionalinfo TEXT, created TEXT, updated TEXT);"
    "CREATE UNIQUE INDEX IF NOT EXISTS enumservices_name ON enumservices("
    " type COLLATE NOCASE, ifnull(subtype, '') COLLATE NOCASE);"
    "CREATE TABLE IF NOT EXISTS urischemes(enumservice INTEGER NOT NULL"
    " REFERENCES enumservices(id), pos INTEGER NOT NULL, scheme TEXT NOT NULL COLLATE NOCASE,"
    " PRIMARY KEY(enumservice, scheme));"
    "CREATE TABLE IF NOT EXISTS registrationdocs(id INTEGER PRIMARY KEY,"
    " enumservice INTEGER NOT NULL REFERENCES enumservices(id), kind TEXT NOT NULL,"
    " data TEXT NOT NULL, supplementary INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE(enumservice, kind, data));"
    "CREATE TABLE IF NOT EXISTS people(id TEXT PRIMARY KEY, name TEXT, org TEXT, uri TEXT,"
    " updated TEXT);"
    "CREATE TABLE IF NOT EXISTS requesters(enumservice INTEGER NOT NULL"
    " REFERENCES enumservices(id), pos INTEGER NOT NULL, person TEXT NOT NULL,"
    " PRIMARY KEY(enumservice, person));"
    "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '" EF__REG_VERSION_STR "');";

/*
 * Version 2: escrow copies of non-RFC specifications (§11.3) and the review
 * workflow of §6 (lib/enum/workflow.c). Every statement is idempotent, so the
 * same text creates a new database and upgrades a version 1 one in place.
 * Escrow rows are never deleted, like the registrations they belong to (§11.7).
 */
static const char schema_v2_sql[] =
    "CREATE TABLE IF NOT EXISTS escrow(id INTEGER PRIMARY KEY,"
    " enumservice INTEGER NOT NULL REFERENCES enumservices(id), doc TEXT NOT NULL,"
    " size INTEGER NOT NULL, sha256 TEXT NOT NULL, data BLOB NOT NULL, stored TEXT NOT NULL,"
    " UNIQUE(enumservice, sha256));"
    "CREATE TABLE IF NOT EXISTS reviews(id INTEGER PRIMARY KEY,"
    " type TEXT NOT NULL COLLATE NOCASE, subtype TEXT COLLATE NOCASE, state TEXT NOT NULL,"
    " template BLOB NOT NULL, spec BLOB, spec_sha256 TEXT, comments_from TEXT,"
    " comments_to TEXT, created TEXT NOT NULL, updated TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS review_history(id INTEGER PRIMARY KEY,"
    " review INTEGER NOT NULL REFERENCES reviews(id), from_state TEXT, to_state TEXT NOT NULL,"
    " by TEXT NOT NULL, at TEXT NOT NULL, note TEXT);"
    "UPDATE meta SET value = '2' WHERE key = 'schema_version' AND value = '1';";

static const char cols_sql[] =
    "SELECT id, type, subtype, class, usage, functionalspec, security, additionalinfo,"
    " created, updated FROM enumservices";

/* ---- SQL helpers: static statements, text parameters bound (NULL binds NULL) ---- */

static int prepare(sqlite3 *db, const char *sql, const char *const *params, size_t n,
                   sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return EF_ECONFIG;
    for (size_t i = 0; i < n; i++) {
        int rc = params[i] != NULL
                     ? sqlite3_bind_text(*st, (int)i + 1, params[i], -1, SQLITE_TRANSIENT)
                     : sqlite3_bind_null(*st, (int)i + 1);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(*st);
            *st = NULL;
            return EF_ECONFIG;
        }
    }
    return 0;
}

/* Run a statement with text parameters; *changes (may be NULL) gets the rows changed. */
static int exec_p(sqlite3 *db, const char *sql, const char *const *params, size_t n, int *changes)
{
    sqlite3_stmt *st;
    int rc = prepare(db, sql, params, n, &st);

    if (rc != 0)
        return rc;
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : EF_ECONFIG;
    sqlite3_finalize(st);
    if (rc == 0 && changes != NULL)
        *changes = sqlite3_changes(db);
    return rc;
}

/* The integer of the first column of the first row; 1 found, 0 no row, < 0 error. */
static int query_int(sqlite3 *db, const char *sql, const char *const *params, size_t n,
                     sqlite3_int64 *val)
{
    sqlite3_stmt *st;
    int rc = prepare(db, sql, params, n, &st), step;

    if (rc != 0)
        return rc;
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *val = sqlite3_column_int64(st, 0);
        rc = 1;
    } else {
        rc = step == SQLITE_DONE ? 0 : EF_ECONFIG;
    }
    sqlite3_finalize(st);
    return rc;
}

typedef int (*row_fn)(void *arg, sqlite3_stmt *st);

/* Call fn for every row of sql, whose only parameter (if any) is the integer id. */
static int each_row(sqlite3 *db, const char *sql, sqlite3_int64 id, row_fn fn, void *arg)
{
    sqlite3_stmt *st;
    int rc = 0, step;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return EF_ECONFIG;
    if (sqlite3_bind_parameter_count(st) > 0)
        sqlite3_bind_int64(st, 1, id);
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn(arg, st);
    if (rc == 0 && step != SQLITE_DONE)
        rc = EF_ECONFIG;
    sqlite3_finalize(st);
    return rc;
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static const char *nz(const char *s)
{
    return s != NULL ? s : "";
}

/* ---- open / close ---- */

int ef_reg_open(const char *path, ef_reg_t **out, char *errbuf, size_t errcap)
{
    ef_reg_t *reg;
    sqlite3_int64 v = 0;
    char *msg = NULL;

    if (path == NULL || out == NULL)
        return EF_EINVAL;
    *out = NULL;
    reg = calloc(1, sizeof *reg);
    if (reg == NULL)
        return EF_ENOMEM;
    if (sqlite3_open_v2(path, &reg->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK)
        goto fail;
    sqlite3_busy_timeout(reg->db, 5000);
    if (sqlite3_exec(reg->db, "PRAGMA foreign_keys=ON; BEGIN IMMEDIATE;", NULL, NULL, &msg) !=
            SQLITE_OK ||
        sqlite3_exec(reg->db, schema_sql, NULL, NULL, &msg) != SQLITE_OK)
        goto fail;
    if (query_int(reg->db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key='schema_version'",
                  NULL, 0, &v) != 1 ||
        v < 1 || v > EF_REG_SCHEMA_VERSION) {
        sqlite3_exec(reg->db, "ROLLBACK;", NULL, NULL, NULL);
        ef__errf(errbuf, errcap, "%s: schema version %lld, expected 1 to %d", path, (long long)v,
                 EF_REG_SCHEMA_VERSION);
        ef_reg_close(reg);
        return EF_ECONFIG;
    }
    /* Version 1 is upgraded in the same transaction: all of it or nothing. */
    if (sqlite3_exec(reg->db, schema_v2_sql, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(reg->db, "COMMIT;", NULL, NULL, &msg) != SQLITE_OK)
        goto fail;
    *out = reg;
    return 0;
fail:
    ef__errf(errbuf, errcap, "%s: %s", path, msg != NULL ? msg : sqlite3_errmsg(reg->db));
    sqlite3_free(msg);
    if (reg->db != NULL)
        sqlite3_exec(reg->db, "ROLLBACK;", NULL, NULL, NULL);
    ef_reg_close(reg);
    return EF_ECONFIG;
}

void ef_reg_close(ef_reg_t *reg)
{
    if (reg == NULL)
        return;
    sqlite3_close(reg->db);
    free(reg);
}

/* ---- reading the XML ---- */

static bool is_el(xmlNodePtr n, const char *name)
{
    if (n == NULL || n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name) != 0)
        return false;
    return n->ns == NULL || n->ns->href == NULL || strcmp((const char *)n->ns->href, IANA_NS) == 0;
}

/* s with whitespace trimmed and runs folded to one space; paragraph breaks ("\n\n") kept. */
static char *fold(const char *s)
{
    char *buf = malloc(2 * strlen(s) + 1);
    size_t k = 0;
    int space = 0; /* 1 a space, 2 a paragraph break */

    if (buf == NULL)
        return NULL;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '\x01') { /* the mark of a paragraph boundary */
            space = 2;
            continue;
        }
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            if (space == 0)
                space = 1;
            continue;
        }
        if (space != 0 && k > 0)
            k += (size_t)sprintf(buf + k, "%s", space == 2 ? "\n\n" : " ");
        space = 0;
        buf[k++] = *p;
    }
    buf[k] = '\0';
    return buf;
}

static char *attr(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    char *s = v != NULL ? fold((const char *)v) : NULL;

    xmlFree(v);
    return s;
}

/* Render mixed content: text as is, <xref> as its text or "[data]", <paragraph> breaks. */
static void render(xmlBufferPtr b, xmlNodePtr n)
{
    for (xmlNodePtr k = n->children; k != NULL; k = k->next) {
        if (k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) {
            xmlBufferCat(b, k->content);
        } else if (is_el(k, "xref") && k->children == NULL) {
            xmlChar *d = xmlGetProp(k, (const xmlChar *)"data");
            xmlBufferCCat(b, "[");
            xmlBufferCat(b, d != NULL ? d : (const xmlChar *)"");
            xmlBufferCCat(b, "]");
            xmlFree(d);
        } else if (k->type == XML_ELEMENT_NODE) {
            if (is_el(k, "paragraph"))
                xmlBufferCCat(b, "\x01");
            render(b, k);
            if (is_el(k, "paragraph"))
                xmlBufferCCat(b, "\x01");
        }
    }
}

static char *text(xmlNodePtr n)
{
    xmlBufferPtr b = xmlBufferCreate();
    char *s;

    if (b == NULL)
        return NULL;
    render(b, n);
    s = fold((const char *)xmlBufferContent(b));
    xmlBufferFree(b);
    return s;
}

static void rec_free(struct rec *r)
{
    char **f[] = {&r->type,     &r->subtype, &r->klass, &r->usage,  &r->fspec,
                  &r->security, &r->addinfo, &r->date,  &r->updated};

    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        free(*f[i]);
    for (size_t i = 0; i < r->n_schemes; i++)
        free(r->schemes[i]);
    for (size_t i = 0; i < r->n_docs; i++) {
        free(r->docs[i].kind);
        free(r->docs[i].data);
    }
    for (size_t i = 0; i < r->n_reqs; i++)
        free(r->reqs[i]);
    memset(r, 0, sizeof *r);
}

/* "sip, sips" (the IANA legacy form, W123 from the check) is two schemes (§5.2.4). */
static int add_schemes(struct rec *r, const char *s)
{
    char *copy = strdup(s), *save = NULL;

    if (copy == NULL)
        return EF_ENOMEM;
    for (char *t = strtok_r(copy, ", \t", &save); t != NULL; t = strtok_r(NULL, ", \t", &save)) {
        if (r->n_schemes == LIST_MAX || (r->schemes[r->n_schemes] = strdup(t)) == NULL) {
            free(copy);
            return r->n_schemes == LIST_MAX ? EF_E2BIG : EF_ENOMEM;
        }
        r->n_schemes++;
    }
    free(copy);
    return 0;
}

static int add_xrefs(struct rec *r, xmlNodePtr n, bool docs)
{
    for (xmlNodePtr x = n->children; x != NULL; x = x->next) {
        if (!is_el(x, "xref"))
            continue;
        if ((docs ? r->n_docs : r->n_reqs) == LIST_MAX)
            return EF_E2BIG;
        if (docs) {
            struct doc *d = &r->docs[r->n_docs++];
            char *sup = attr(x, "supplementary");
            d->kind = attr(x, "type");
            d->data = attr(x, "data");
            if (d->data == NULL)
                d->data = text(x);
            if (d->kind == NULL)
                d->kind = strdup("");
            d->supplementary = sup != NULL && strcmp(sup, "yes") == 0;
            free(sup);
            if (d->kind == NULL || d->data == NULL)
                return EF_ENOMEM;
        } else if ((r->reqs[r->n_reqs++] = attr(x, "data")) == NULL) {
            r->n_reqs--;
        }
    }
    return 0;
}

/* The fields of one <record> (RFC 6117 §5.2). */
static int read_record(xmlNodePtr n, struct rec *r)
{
    static const char *const names[] = {"type",  "subtype",  "class",
                                        "usage", "security", "additionalinfo"};
    char **dst[] = {&r->type, &r->subtype, &r->klass, &r->usage, &r->security, &r->addinfo};
    int rc = 0;

    r->date = attr(n, "date");
    r->updated = attr(n, "updated");
    for (xmlNodePtr k = n->children; k != NULL && rc == 0; k = k->next) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (is_el(k, names[i]) && *dst[i] == NULL && (*dst[i] = text(k)) == NULL)
                rc = EF_ENOMEM;
        if (is_el(k, "functionalspec") && r->fspec == NULL && (r->fspec = text(k)) == NULL)
            rc = EF_ENOMEM;
        if (is_el(k, "urischeme")) {
            char *s = text(k);
            rc = s != NULL ? add_schemes(r, s) : EF_ENOMEM;
            free(s);
        }
        if (is_el(k, "registrationdocs"))
            rc = add_xrefs(r, k, true);
        if (is_el(k, "requesters"))
            rc = add_xrefs(r, k, false);
    }
    if (rc == 0 && (r->type == NULL || r->klass == NULL || r->usage == NULL || r->fspec == NULL ||
                    r->security == NULL))
        rc = EF_ESYNTAX; /* the check refuses these first (E110) */
    if (r->subtype != NULL && r->subtype[0] == '\0') {
        free(r->subtype);
        r->subtype = NULL;
    }
    return rc;
}

/* ---- import ---- */

/* A registered Type:Subtype (§11.4: the clash is on the identical pair, case-insensitive). */
static int find_id(sqlite3 *db, const char *type, const char *subtype, sqlite3_int64 *id)
{
    const char *p[] = {type, subtype};

    return query_int(db,
                     "SELECT id FROM enumservices WHERE type = ?1 AND"
                     " ((?2 IS NULL AND subtype IS NULL) OR subtype = ?2)",
                     p, 2, id);
}

/* 1 when r differs from the stored row id or brings schemes, documents or requesters. */
static int differs(sqlite3 *db, const char *ids, const struct rec *r)
{
    sqlite3_int64 v;
    int rc;
    const char *p[] = {ids, r->klass, r->usage, r->fspec, r->security, r->addinfo};

    rc = query_int(db,
                   "SELECT 1 FROM enumservices WHERE id = ?1 AND class = ?2 AND usage = ?3"
                   " AND functionalspec = ?4 AND security = ?5 AND additionalinfo IS ?6",
                   p, 6, &v);
    if (rc != 1)
        return rc < 0 ? rc : 1;
    for (size_t i = 0; i < r->n_schemes; i++) {
        const char *q[] = {ids, r->schemes[i]};
        rc = query_int(db, "SELECT 1 FROM urischemes WHERE enumservice = ?1 AND scheme = ?2", q, 2,
                       &v);
        if (rc != 1)
            return rc < 0 ? rc : 1;
    }
    for (size_t i = 0; i < r->n_docs; i++) {
        const char *q[] = {ids, r->docs[i].kind, r->docs[i].data};
        rc = query_int(db,
                       "SELECT 1 FROM registrationdocs WHERE enumservice = ?1 AND kind = ?2"
                       " AND data = ?3",
                       q, 3, &v);
        if (rc != 1)
            return rc < 0 ? rc : 1;
    }
    for (size_t i = 0; i < r->n_reqs; i++) {
        const char *q[] = {ids, r->reqs[i]};
        rc = query_int(db, "SELECT 1 FROM requesters WHERE enumservice = ?1 AND person = ?2", q, 2,
                       &v);
        if (rc != 1)
            return rc < 0 ? rc : 1;
    }
    return 0;
}

/* Schemes, documents and requesters not yet stored; documents of an update are
 * supplementary (§5.3). Existing rows stay (§11.7). */
static int add_lists(sqlite3 *db, const char *ids, const struct rec *r, bool update)
{
    int rc = 0;

    for (size_t i = 0; i < r->n_schemes && rc == 0; i++) {
        const char *q[] = {ids, r->schemes[i]};
        rc = exec_p(db,
                    "INSERT OR IGNORE INTO urischemes(enumservice, pos, scheme) SELECT ?1,"
                    " (SELECT count(*) FROM urischemes WHERE enumservice = ?1), ?2",
                    q, 2, NULL);
    }
    for (size_t i = 0; i < r->n_docs && rc == 0; i++) {
        const char *sup = update || r->docs[i].supplementary ? "1" : "0";
        const char *q[] = {ids, r->docs[i].kind, r->docs[i].data, sup};
        rc = exec_p(db,
                    "INSERT OR IGNORE INTO registrationdocs(enumservice, kind, data,"
                    " supplementary) VALUES(?1, ?2, ?3, CAST(?4 AS INTEGER))",
                    q, 4, NULL);
    }
    for (size_t i = 0; i < r->n_reqs && rc == 0; i++) {
        const char *q[] = {ids, r->reqs[i]};
        rc = exec_p(db,
                    "INSERT OR IGNORE INTO requesters(enumservice, pos, person) SELECT ?1,"
                    " (SELECT count(*) FROM requesters WHERE enumservice = ?1), ?2",
                    q, 2, NULL);
    }
    return rc;
}

static int store_record(sqlite3 *db, const struct rec *r, ef_reg_stats_t *stats)
{
    sqlite3_int64 id = 0;
    char ids[24];
    int rc = find_id(db, r->type, r->subtype, &id);

    if (rc == 0) {
        const char *p[] = {r->type,     r->subtype, r->klass, r->usage,  r->fspec,
                           r->security, r->addinfo, r->date,  r->updated};
        rc = exec_p(db,
                    "INSERT INTO enumservices(type, subtype, class, usage, functionalspec,"
                    " security, additionalinfo, created, updated)"
                    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    p, 9, NULL);
        snprintf(ids, sizeof ids, "%lld", (long long)sqlite3_last_insert_rowid(db));
        stats->added++;
        return rc != 0 ? rc : add_lists(db, ids, r, false);
    }
    if (rc < 0)
        return rc;
    snprintf(ids, sizeof ids, "%lld", (long long)id);
    rc = differs(db, ids, r);
    if (rc <= 0) {
        stats->unchanged += rc == 0;
        return rc;
    }
    {
        const char *p[] = {ids,
                           r->klass,
                           r->usage,
                           r->fspec,
                           r->security,
                           r->addinfo,
                           r->updated ? r->updated : r->date};
        rc = exec_p(db,
                    "UPDATE enumservices SET class = ?2, usage = ?3, functionalspec = ?4,"
                    " security = ?5, additionalinfo = ?6, updated = coalesce(?7, updated)"
                    " WHERE id = ?1",
                    p, 7, NULL);
    }
    stats->updated++;
    return rc != 0 ? rc : add_lists(db, ids, r, true);
}

static int store_person(sqlite3 *db, xmlNodePtr n, ef_reg_stats_t *stats)
{
    static const char *const names[] = {"name", "org", "uri", "updated"};
    char *v[5] = {attr(n, "id"), NULL, NULL, NULL, NULL};
    int rc = 0, changes = 0;

    for (xmlNodePtr k = n->children; k != NULL; k = k->next)
        for (size_t i = 0; i < 4; i++)
            if (is_el(k, names[i]) && v[i + 1] == NULL)
                v[i + 1] = text(k);
    if (v[0] != NULL) {
        const char *p[] = {v[0], v[1], v[2], v[3], v[4]};
        rc = exec_p(db,
                    "INSERT INTO people(id, name, org, uri, updated) VALUES(?1, ?2, ?3, ?4, ?5)"
                    " ON CONFLICT(id) DO UPDATE SET name = excluded.name, org = excluded.org,"
                    " uri = excluded.uri, updated = excluded.updated WHERE name IS NOT"
                    " excluded.name OR org IS NOT excluded.org OR uri IS NOT excluded.uri"
                    " OR updated IS NOT excluded.updated",
                    p, 5, &changes);
        stats->people += (size_t)changes;
    }
    for (size_t i = 0; i < 5; i++)
        free(v[i]);
    return rc;
}

/* Every <record> and <person> under n, in document order. */
static int store_tree(sqlite3 *db, xmlNodePtr n, ef_reg_stats_t *stats)
{
    int rc = 0;

    if (is_el(n, "record")) {
        struct rec r = {0};
        stats->records++;
        rc = read_record(n, &r);
        if (rc == 0)
            rc = store_record(db, &r, stats);
        rec_free(&r);
        return rc;
    }
    if (is_el(n, "person"))
        return store_person(db, n, stats);
    for (xmlNodePtr k = n->children; k != NULL && rc == 0; k = k->next)
        if (k->type == XML_ELEMENT_NODE)
            rc = store_tree(db, k, stats);
    return rc;
}

/* The template check (lib/enum/template.c); its first cap findings go to out. */
int ef__reg_check(const char *buf, size_t len, const char *path, ef_tpl_finding_t *out, size_t cap,
                  size_t *n_out, char *errbuf, size_t errcap)
{
    ef_tpl_finding_t *all = calloc(FIND_CAP, sizeof *all);
    size_t n = 0;
    int rc;

    if (all == NULL)
        return EF_ENOMEM;
    rc = ef_tpl_check_memory(buf, len, path, all, FIND_CAP, &n, errbuf, errcap);
    if (rc == EF_E2BIG || (rc == 0 && !ef_tpl_findings_ok(all, n))) {
        /* §11.8: such requests are rejected before Expert Review starts */
        ef__errf(errbuf, errcap, "refused: the template check found errors (RFC 6117 §11.8)");
        rc = EF_EINVAL;
    }
    *n_out = n < cap ? n : cap;
    if (*n_out > 0)
        memcpy(out, all, *n_out * sizeof *all);
    free(all);
    return rc;
}

/* ---- escrow copies (§11.3) ---- */

int ef__sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
        return EF_ENOMEM;
    for (unsigned int i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

/* The first <record> under n; *count gets how many there are. */
static xmlNodePtr first_record(xmlNodePtr n, size_t *count)
{
    xmlNodePtr found = NULL;

    if (is_el(n, "record")) {
        (*count)++;
        return n;
    }
    for (xmlNodePtr k = n->children; k != NULL; k = k->next) {
        xmlNodePtr r = k->type == XML_ELEMENT_NODE ? first_record(k, count) : NULL;
        if (found == NULL)
            found = r;
    }
    return found;
}

/* The first registration document that is not an RFC; NULL when all are RFCs. */
static const struct doc *non_rfc_doc(const struct rec *r)
{
    for (size_t i = 0; i < r->n_docs; i++)
        if (strcasecmp(r->docs[i].kind, "rfc") != 0)
            return &r->docs[i];
    return NULL;
}

static int insert_escrow(sqlite3 *db, sqlite3_int64 id, const struct doc *d,
                         const struct ef__escrow *esc)
{
    char ids[24], size[24], hex[65];
    sqlite3_stmt *st;
    int rc = ef__sha256_hex(esc->data, esc->len, hex);

    snprintf(ids, sizeof ids, "%lld", (long long)id);
    snprintf(size, sizeof size, "%zu", esc->len);
    {
        const char *p[] = {ids, d->kind, d->data, size, hex};
        if (rc == 0)
            rc = prepare(db,
                         "INSERT OR IGNORE INTO escrow(enumservice, doc, size, sha256, data,"
                         " stored) VALUES(?1, ?2 || ':' || ?3, CAST(?4 AS INTEGER), ?5, ?6,"
                         " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                         p, 5, &st);
    }
    if (rc != 0)
        return rc;
    if (sqlite3_bind_blob64(st, 6, esc->data, esc->len, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_DONE)
        rc = EF_ECONFIG;
    sqlite3_finalize(st);
    return rc;
}

/*
 * Attach the escrow copy to the one record of the document just stored. §11.3:
 * where the Enumservice Specification is not an RFC, IANA must hold an escrow
 * copy, the master reference; an RFC has none, so that is refused. A copy with
 * the same hash is kept once; older copies stay (nothing is deleted, §11.7).
 */
static int store_escrow(sqlite3 *db, xmlNodePtr root, const struct ef__escrow *esc, char *why,
                        size_t whycap)
{
    struct rec r = {0};
    size_t count = 0;
    xmlNodePtr n = first_record(root, &count);
    const struct doc *d = NULL;
    sqlite3_int64 id = 0;
    int rc;

    if (count != 1) {
        ef__errf(why, whycap, "an escrow copy needs exactly one <record>, the file has %zu", count);
        return EF_EINVAL;
    }
    rc = read_record(n, &r);
    if (rc == 0)
        rc = find_id(db, r.type, r.subtype, &id) == 1 ? 0 : EF_ECONFIG;
    if (rc == 0 && (d = non_rfc_doc(&r)) == NULL) {
        ef__errf(why, whycap, "the specification is an RFC: no escrow copy (RFC 6117 §11.3)");
        rc = EF_EINVAL;
    }
    if (rc == 0)
        rc = insert_escrow(db, id, d, esc);
    rec_free(&r);
    return rc;
}

/* ---- import transactions ---- */

/* The records and people of doc, then the escrow copy (may be NULL): no transaction. */
static int store_doc(sqlite3 *db, xmlDocPtr doc, const struct ef__escrow *esc,
                     ef_reg_stats_t *stats, char *why, size_t whycap)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int rc = store_tree(db, root, stats);

    if (rc == 0 && esc != NULL)
        rc = store_escrow(db, root, esc, why, whycap);
    return rc;
}

/* One transaction (BEGIN IMMEDIATE ... COMMIT), rolled back on any error. */
static int import_doc(ef_reg_t *reg, xmlDocPtr doc, const struct ef__escrow *esc,
                      ef_reg_stats_t *stats, char *errbuf, size_t errcap)
{
    char why[200] = "";
    int rc;

    if (sqlite3_exec(reg->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        ef__errf(errbuf, errcap, "%s", sqlite3_errmsg(reg->db));
        return EF_ECONFIG;
    }
    rc = store_doc(reg->db, doc, esc, stats, why, sizeof why);
    if (rc == 0 && sqlite3_exec(reg->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = EF_ECONFIG;
    if (rc != 0) {
        ef__errf(errbuf, errcap, "import failed, nothing changed: %s",
                 why[0] != '\0'     ? why
                 : rc == EF_ECONFIG ? sqlite3_errmsg(reg->db)
                                    : ef_strerror(rc));
        sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL);
        memset(stats, 0, sizeof *stats);
    }
    return rc;
}

/* Read, check and parse a template file; *doc on success. */
static int load_template(const char *path, xmlDocPtr *doc, ef_tpl_finding_t *out, size_t cap,
                         size_t *n_out, char *errbuf, size_t errcap)
{
    struct ef__xml_error xerr;
    char *buf = NULL;
    size_t len = 0;
    int rc = ef__xml_slurp(path, EF_TPL_SIZE_MAX, &buf, &len);

    if (rc != 0) {
        ef__errf(errbuf, errcap, "%s: %s", path, ef_strerror(rc));
        return rc;
    }
    rc = ef__reg_check(buf, len, path, out, cap, n_out, errbuf, errcap);
    if (rc == 0) {
        *doc = ef__xml_read(buf, len, path, &xerr); /* the check passed: this parse succeeds */
        if (*doc == NULL) {
            ef__errf(errbuf, errcap, "refused: %s", xerr.msg);
            rc = xerr.status;
        }
    }
    free(buf);
    return rc;
}

/* A specification file for an escrow copy: 1 to EF_REG_ESCROW_MAX bytes, malloc'd. */
int ef__reg_load_spec(const char *path, char **buf, size_t *len, char *errbuf, size_t errcap)
{
    int rc = ef__xml_slurp(path, EF_REG_ESCROW_MAX, buf, len);

    if (rc == 0 && (*len == 0 || *len > EF_REG_ESCROW_MAX)) {
        rc = *len == 0 ? EF_EINVAL : EF_E2BIG;
        free(*buf);
        *buf = NULL;
    }
    if (rc != 0)
        ef__errf(errbuf, errcap, "%s: %s", path,
                 rc == EF_EINVAL ? "empty specification file" : ef_strerror(rc));
    return rc;
}

int ef_reg_import_escrow(ef_reg_t *reg, const char *path, const char *spec_path,
                         ef_reg_stats_t *stats, ef_tpl_finding_t *out, size_t cap, size_t *n_out,
                         char *errbuf, size_t errcap)
{
    ef_reg_stats_t dummy;
    struct ef__escrow esc = {NULL, 0};
    char *spec = NULL;
    xmlDocPtr doc = NULL;
    int rc;

    if (reg == NULL || path == NULL || n_out == NULL || (out == NULL && cap > 0))
        return EF_EINVAL;
    if (stats == NULL)
        stats = &dummy;
    memset(stats, 0, sizeof *stats);
    *n_out = 0;
    if (spec_path != NULL) {
        rc = ef__reg_load_spec(spec_path, &spec, &esc.len, errbuf, errcap);
        if (rc != 0)
            return rc;
        esc.data = spec;
    }
    rc = load_template(path, &doc, out, cap, n_out, errbuf, errcap);
    if (rc == 0)
        rc = import_doc(reg, doc, spec != NULL ? &esc : NULL, stats, errbuf, errcap);
    xmlFreeDoc(doc);
    free(spec);
    return rc;
}

int ef_reg_import_file(ef_reg_t *reg, const char *path, ef_reg_stats_t *stats,
                       ef_tpl_finding_t *out, size_t cap, size_t *n_out, char *errbuf,
                       size_t errcap)
{
    return ef_reg_import_escrow(reg, path, NULL, stats, out, cap, n_out, errbuf, errcap);
}

sqlite3 *ef__reg_db(ef_reg_t *reg)
{
    return reg->db;
}

int ef__reg_store(ef_reg_t *reg, const char *buf, size_t len, const char *name,
                  const struct ef__escrow *esc, ef_reg_stats_t *stats, char *why, size_t whycap)
{
    struct ef__xml_error xerr;
    xmlDocPtr doc;
    size_t n = 0;
    int rc = ef__reg_check(buf, len, name, NULL, 0, &n, why, whycap);

    if (rc != 0)
        return rc;
    doc = ef__xml_read(buf, len, name, &xerr);
    if (doc == NULL) {
        ef__errf(why, whycap, "refused: %s", xerr.msg);
        return xerr.status;
    }
    rc = store_doc(reg->db, doc, esc, stats, why, whycap);
    xmlFreeDoc(doc);
    return rc;
}

/* ---- list, show ---- */

static int cat_row(void *arg, sqlite3_stmt *st)
{
    xmlBufferPtr b = arg;

    if (xmlBufferLength(b) > 0)
        xmlBufferCCat(b, ", ");
    xmlBufferCCat(b, nz(col(st, 0)));
    return 0;
}

/* The first column of every row of sql (parameter: id), joined with ", "; malloc'd. */
static char *joined(sqlite3 *db, const char *sql, sqlite3_int64 id)
{
    xmlBufferPtr b = xmlBufferCreate();
    char *s = NULL;

    if (b == NULL)
        return NULL;
    if (each_row(db, sql, id, cat_row, b) == 0)
        s = strdup((const char *)xmlBufferContent(b));
    xmlBufferFree(b);
    return s;
}

static const char schemes_sql[] =
    "SELECT scheme FROM urischemes WHERE enumservice = ?1 ORDER BY pos";
static const char docs_sql[] =
    "SELECT kind || ':' || data || CASE WHEN supplementary THEN ' (supplementary)' ELSE '' END"
    " FROM registrationdocs WHERE enumservice = ?1 ORDER BY id";
static const char reqs_sql[] =
    "SELECT r.person || ifnull(' (' || p.name || ')', '') FROM requesters r LEFT JOIN people p"
    " ON p.id = r.person WHERE r.enumservice = ?1 ORDER BY r.pos";
static const char order_sql[] =
    " ORDER BY type COLLATE NOCASE, ifnull(subtype, '') COLLATE NOCASE, id";

struct out_ctx {
    sqlite3 *db;
    FILE *f;
    xmlTextWriterPtr w;
};

static void print_name(FILE *f, sqlite3_stmt *st)
{
    fputs(nz(col(st, 1)), f);
    if (col(st, 2) != NULL)
        fprintf(f, ":%s", col(st, 2));
}

static int list_row(void *arg, sqlite3_stmt *st)
{
    struct out_ctx *o = arg;
    char *schemes = joined(o->db, schemes_sql, sqlite3_column_int64(st, 0));

    if (schemes == NULL)
        return EF_ENOMEM;
    for (char *p = strchr(schemes, ' '); p != NULL; p = strchr(p, ' '))
        memmove(p, p + 1, strlen(p)); /* "sip, sips" -> "sip,sips" */
    print_name(o->f, st);
    fprintf(o->f, "  %s  %s  %s\n", nz(col(st, 3)), nz(col(st, 4)), schemes);
    free(schemes);
    return 0;
}

int ef_reg_list(ef_reg_t *reg, FILE *out)
{
    struct out_ctx o = {.db = reg != NULL ? reg->db : NULL, .f = out};
    char sql[sizeof cols_sql + sizeof order_sql];

    if (reg == NULL || out == NULL)
        return EF_EINVAL;
    snprintf(sql, sizeof sql, "%s%s", cols_sql, order_sql);
    return each_row(reg->db, sql, 0, list_row, &o);
}

/* A text field: paragraphs indented by four spaces. */
static void print_prose(FILE *f, const char *label, const char *s)
{
    if (s == NULL)
        return;
    fprintf(f, "%s:\n    ", label);
    for (const char *p = s; *p != '\0'; p++) {
        if (p[0] == '\n' && p[1] == '\n') {
            fputs("\n\n    ", f);
            p++;
        } else {
            fputc(*p, f);
        }
    }
    fputc('\n', f);
}

static int escrow_row(void *arg, sqlite3_stmt *st)
{
    fprintf(((struct out_ctx *)arg)->f,
            "Escrow copy:         %s, %lld bytes, sha256 %s, stored %s\n", nz(col(st, 0)),
            (long long)sqlite3_column_int64(st, 1), nz(col(st, 2)), nz(col(st, 3)));
    return 0;
}

/* The latest escrow copy; "missing" for a non-RFC specification without one (§11.3). */
static int show_escrow(struct out_ctx *o, sqlite3_int64 id)
{
    sqlite3_int64 v = 0;
    char ids[24];
    const char *p[] = {ids};
    int rc;

    snprintf(ids, sizeof ids, "%lld", (long long)id);
    rc = query_int(o->db, "SELECT count(*) FROM escrow WHERE enumservice = ?1", p, 1, &v);
    if (rc < 0)
        return rc;
    if (v > 0)
        return each_row(o->db,
                        "SELECT doc, size, sha256, stored FROM escrow WHERE enumservice = ?1"
                        " ORDER BY id DESC LIMIT 1",
                        id, escrow_row, o);
    rc = query_int(o->db,
                   "SELECT 1 FROM registrationdocs WHERE enumservice = ?1 AND"
                   " lower(kind) <> 'rfc'",
                   p, 1, &v);
    if (rc == 1)
        fputs("Escrow copy:         missing (RFC 6117 §11.3)\n", o->f);
    return rc < 0 ? rc : 0;
}

static int show_row(void *arg, sqlite3_stmt *st)
{
    struct out_ctx *o = arg;
    sqlite3_int64 id = sqlite3_column_int64(st, 0);
    char *schemes = joined(o->db, schemes_sql, id), *docs = joined(o->db, docs_sql, id),
         *reqs = joined(o->db, reqs_sql, id);
    int rc = schemes && docs && reqs ? 0 : EF_ENOMEM;

    if (rc == 0) {
        fputs("Enumservice:         ", o->f);
        print_name(o->f, st);
        fprintf(o->f, "\nClass:               %s\n", nz(col(st, 3)));
        fprintf(o->f, "Type:                %s\n", nz(col(st, 1)));
        fprintf(o->f, "Subtype:             %s\n", col(st, 2) ? col(st, 2) : "(none)");
        fprintf(o->f, "URI Scheme(s):       %s\n", schemes);
        fprintf(o->f, "Usage:               %s\n", nz(col(st, 4)));
        fprintf(o->f, "Registration docs:   %s\n", docs);
        fprintf(o->f, "Requesters:          %s\n", reqs);
        fprintf(o->f, "Created:             %s\n", col(st, 8) ? col(st, 8) : "-");
        fprintf(o->f, "Updated:             %s\n", col(st, 9) ? col(st, 9) : "-");
        rc = show_escrow(o, id);
    }
    if (rc == 0) {
        print_prose(o->f, "Functional specification", col(st, 5));
        print_prose(o->f, "Security considerations", col(st, 6));
        print_prose(o->f, "Additional information", col(st, 7));
    }
    free(schemes);
    free(docs);
    free(reqs);
    return rc;
}

/* The id of "TYPE" or "TYPE:SUBTYPE": 0; EF_ENODATA when not registered; EF_ENOMEM. */
static int find_name(sqlite3 *db, const char *name, sqlite3_int64 *id)
{
    char *type = strdup(name), *colon;
    int rc;

    if (type == NULL)
        return EF_ENOMEM;
    colon = strchr(type, ':');
    if (colon != NULL)
        *colon++ = '\0';
    rc = find_id(db, type, colon, id);
    free(type);
    return rc == 1 ? 0 : rc == 0 ? EF_ENODATA : rc;
}

int ef_reg_show(ef_reg_t *reg, const char *name, FILE *out)
{
    struct out_ctx o = {.db = reg != NULL ? reg->db : NULL, .f = out};
    sqlite3_int64 id = 0;
    char sql[sizeof cols_sql + 32];
    int rc;

    if (reg == NULL || name == NULL || out == NULL)
        return EF_EINVAL;
    rc = find_name(reg->db, name, &id);
    if (rc != 0)
        return rc;
    snprintf(sql, sizeof sql, "%s WHERE id = ?1", cols_sql);
    return each_row(reg->db, sql, id, show_row, &o);
}

/* The latest escrow copy of the Enumservice id, checked against its stored hash. */
static int read_escrow(sqlite3 *db, sqlite3_int64 id, char **data, size_t *len, char *hex,
                       char *errbuf, size_t errcap)
{
    sqlite3_stmt *st;
    int rc = EF_ENODATA;

    if (sqlite3_prepare_v2(db,
                           "SELECT data, sha256 FROM escrow WHERE enumservice = ?1"
                           " ORDER BY id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return EF_ECONFIG;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        rc = ef__sha256_hex(blob != NULL ? blob : "", n, hex);
        if (rc == 0 && strcmp(hex, nz(col(st, 1))) != 0) {
            ef__errf(errbuf, errcap, "escrow copy damaged: sha256 %s, recorded %s", hex,
                     nz(col(st, 1)));
            rc = EF_EBADRECORD;
        }
        if (rc == 0 && (*data = malloc(n > 0 ? n : 1)) == NULL)
            rc = EF_ENOMEM;
        if (rc == 0) {
            memcpy(*data, blob != NULL ? blob : "", n);
            *len = n;
        }
    } else {
        ef__errf(errbuf, errcap, "no escrow copy held");
    }
    sqlite3_finalize(st);
    return rc;
}

int ef_reg_escrow_get(ef_reg_t *reg, const char *name, char **data, size_t *len, char sha256[65],
                      char *errbuf, size_t errcap)
{
    sqlite3_int64 id = 0;
    int rc;

    if (reg == NULL || name == NULL || data == NULL || len == NULL || sha256 == NULL)
        return EF_EINVAL;
    *data = NULL;
    *len = 0;
    rc = find_name(reg->db, name, &id);
    if (rc == EF_ENODATA)
        ef__errf(errbuf, errcap, "%s: not registered", name);
    if (rc != 0)
        return rc;
    return read_escrow(reg->db, id, data, len, sha256, errbuf, errcap);
}

/* ---- export ---- */

#define W(s) ((const xmlChar *)(s))

/* A text field as <paragraph>s, one per "\n\n"-separated part. */
static void write_prose(xmlTextWriterPtr w, const char *el, const char *s)
{
    if (s == NULL)
        return;
    xmlTextWriterStartElement(w, W(el));
    for (const char *p = s; *p != '\0';) {
        const char *end = strstr(p, "\n\n");
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        xmlTextWriterStartElement(w, W("paragraph"));
        xmlTextWriterWriteFormatString(w, "%.*s", (int)n, p);
        xmlTextWriterEndElement(w);
        p += n + (end != NULL ? 2 : 0);
    }
    xmlTextWriterEndElement(w);
}

static int xml_scheme(void *arg, sqlite3_stmt *st)
{
    xmlTextWriterWriteElement(((struct out_ctx *)arg)->w, W("urischeme"), W(nz(col(st, 0))));
    return 0;
}

static int xml_xref(void *arg, sqlite3_stmt *st)
{
    xmlTextWriterPtr w = ((struct out_ctx *)arg)->w;

    xmlTextWriterStartElement(w, W("xref"));
    xmlTextWriterWriteAttribute(w, W("type"), W(nz(col(st, 0))));
    xmlTextWriterWriteAttribute(w, W("data"), W(nz(col(st, 1))));
    if (sqlite3_column_int(st, 2))
        xmlTextWriterWriteAttribute(w, W("supplementary"), W("yes"));
    xmlTextWriterEndElement(w);
    return 0;
}

static int xml_record(void *arg, sqlite3_stmt *st)
{
    struct out_ctx *o = arg;
    xmlTextWriterPtr w = o->w;
    sqlite3_int64 id = sqlite3_column_int64(st, 0);
    int rc;

    xmlTextWriterStartElement(w, W("record"));
    if (col(st, 8) != NULL)
        xmlTextWriterWriteAttribute(w, W("date"), W(col(st, 8)));
    if (col(st, 9) != NULL)
        xmlTextWriterWriteAttribute(w, W("updated"), W(col(st, 9)));
    xmlTextWriterWriteElement(w, W("class"), W(nz(col(st, 3))));
    xmlTextWriterWriteElement(w, W("type"), W(nz(col(st, 1))));
    if (col(st, 2) != NULL)
        xmlTextWriterWriteElement(w, W("subtype"), W(col(st, 2)));
    rc = each_row(o->db, schemes_sql, id, xml_scheme, o);
    write_prose(w, "functionalspec", col(st, 5));
    write_prose(w, "security", col(st, 6));
    xmlTextWriterWriteElement(w, W("usage"), W(nz(col(st, 4))));
    xmlTextWriterStartElement(w, W("registrationdocs"));
    if (rc == 0)
        rc = each_row(o->db,
                      "SELECT kind, data, supplementary FROM registrationdocs"
                      " WHERE enumservice = ?1 ORDER BY id",
                      id, xml_xref, o);
    xmlTextWriterEndElement(w);
    xmlTextWriterStartElement(w, W("requesters"));
    if (rc == 0)
        rc = each_row(o->db,
                      "SELECT 'person', person, 0 FROM requesters WHERE enumservice = ?1"
                      " ORDER BY pos",
                      id, xml_xref, o);
    xmlTextWriterEndElement(w);
    write_prose(w, "additionalinfo", col(st, 7));
    xmlTextWriterEndElement(w);
    return rc;
}

static int xml_person(void *arg, sqlite3_stmt *st)
{
    static const char *const names[] = {"name", "org", "uri", "updated"};
    xmlTextWriterPtr w = ((struct out_ctx *)arg)->w;

    xmlTextWriterStartElement(w, W("person"));
    xmlTextWriterWriteAttribute(w, W("id"), W(nz(col(st, 0))));
    for (int i = 0; i < 4; i++)
        if (col(st, i + 1) != NULL)
            xmlTextWriterWriteElement(w, W(names[i]), W(col(st, i + 1)));
    xmlTextWriterEndElement(w);
    return 0;
}

/* IANA's layout: <registry> holding <registry id="enum-services-1"> and <people>. */
static int export_xml(struct out_ctx *o, const char *sql)
{
    xmlBufferPtr b = xmlBufferCreate();
    int rc;

    if (b == NULL || (o->w = xmlNewTextWriterMemory(b, 0)) == NULL) {
        xmlBufferFree(b);
        return EF_ENOMEM;
    }
    xmlTextWriterSetIndent(o->w, 1);
    xmlTextWriterStartDocument(o->w, "1.0", "UTF-8", NULL);
    xmlTextWriterStartElement(o->w, W("registry"));
    xmlTextWriterWriteAttribute(o->w, W("xmlns"), W(IANA_NS));
    xmlTextWriterWriteAttribute(o->w, W("id"), W("enum-services"));
    xmlTextWriterWriteElement(o->w, W("title"), W("Enumservice Registrations"));
    xmlTextWriterStartElement(o->w, W("registry"));
    xmlTextWriterWriteAttribute(o->w, W("id"), W("enum-services-1"));
    xmlTextWriterWriteElement(o->w, W("title"), W("Enumservice Registrations"));
    rc = each_row(o->db, sql, 0, xml_record, o);
    xmlTextWriterEndElement(o->w);
    xmlTextWriterStartElement(o->w, W("people"));
    if (rc == 0)
        rc = each_row(o->db, "SELECT id, name, org, uri, updated FROM people ORDER BY id", 0,
                      xml_person, o);
    xmlTextWriterEndDocument(o->w);
    xmlFreeTextWriter(o->w);
    if (rc == 0 && fwrite(xmlBufferContent(b), 1, (size_t)xmlBufferLength(b), o->f) !=
                       (size_t)xmlBufferLength(b))
        rc = -EIO;
    xmlBufferFree(b);
    return rc;
}

/* IANA's plain-text table: name, class, schemes, usage, documents. */
static int text_row(void *arg, sqlite3_stmt *st)
{
    struct out_ctx *o = arg;
    sqlite3_int64 id = sqlite3_column_int64(st, 0);
    char *schemes = joined(o->db, schemes_sql, id), *docs = joined(o->db, docs_sql, id);
    char name[256];

    if (schemes != NULL && docs != NULL) {
        snprintf(name, sizeof name, "%s%s%s", nz(col(st, 1)), col(st, 2) ? ":" : "",
                 nz(col(st, 2)));
        fprintf(o->f, "%-20s %-31s %-14s %-12s %s\n", name, nz(col(st, 3)), schemes, nz(col(st, 4)),
                docs);
    }
    free(schemes);
    free(docs);
    return schemes != NULL && docs != NULL ? 0 : EF_ENOMEM;
}

/* Text for HTML: & < > " ' escaped. */
static void put_html(FILE *f, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

static int html_row(void *arg, sqlite3_stmt *st)
{
    struct out_ctx *o = arg;
    sqlite3_int64 id = sqlite3_column_int64(st, 0);
    char *v[3] = {joined(o->db, schemes_sql, id), joined(o->db, docs_sql, id),
                  joined(o->db, reqs_sql, id)};
    const char *cells[] = {col(st, 3), v[0], col(st, 4), v[1], v[2], col(st, 5), col(st, 6)};
    int rc = v[0] && v[1] && v[2] ? 0 : EF_ENOMEM;

    if (rc == 0) {
        fputs("<tr><td>", o->f);
        put_html(o->f, col(st, 1));
        if (col(st, 2) != NULL) {
            fputc(':', o->f);
            put_html(o->f, col(st, 2));
        }
        for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
            fputs("</td><td>", o->f);
            put_html(o->f, cells[i]);
        }
        fputs("</td></tr>\n", o->f);
    }
    for (int i = 0; i < 3; i++)
        free(v[i]);
    return rc;
}

int ef_reg_export(ef_reg_t *reg, ef_reg_format_t format, FILE *out)
{
    struct out_ctx o = {.db = reg != NULL ? reg->db : NULL, .f = out};
    char sql[sizeof cols_sql + sizeof order_sql];
    int rc;

    if (reg == NULL || out == NULL)
        return EF_EINVAL;
    snprintf(sql, sizeof sql, "%s%s", cols_sql, order_sql);
    if (format == EF_REG_XML)
        return export_xml(&o, sql);
    if (format == EF_REG_TEXT) {
        fputs("Enumservice Registrations\n\n", out);
        fprintf(out, "%-20s %-31s %-14s %-12s %s\n", "Enumservice", "Class", "URI Scheme(s)",
                "Usage", "Registration Documents");
        return each_row(reg->db, sql, 0, text_row, &o);
    }
    if (format != EF_REG_HTML)
        return EF_EINVAL;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
          "<title>Enumservice Registrations</title></head>\n<body>\n"
          "<h1>Enumservice Registrations</h1>\n<table>\n<tr><th>Enumservice</th><th>Class</th>"
          "<th>URI Scheme(s)</th><th>Usage</th><th>Registration Documents</th>"
          "<th>Requesters</th><th>Functional Specification</th><th>Security</th></tr>\n",
          out);
    rc = each_row(reg->db, sql, 0, html_row, &o);
    fputs("</table>\n</body>\n</html>\n", out);
    return rc;
}

/* ---- lookup, for the registry's consumers ---- */

int ef_reg_open_readonly(const char *path, ef_reg_t **out, char *errbuf, size_t errcap)
{
    ef_reg_t *reg;
    sqlite3_int64 v = 0;
    int rc;

    if (path == NULL || out == NULL)
        return EF_EINVAL;
    *out = NULL;
    reg = calloc(1, sizeof *reg);
    if (reg == NULL)
        return EF_ENOMEM;
    if (sqlite3_open_v2(path, &reg->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        ef__errf(errbuf, errcap, "%s: %s", path,
                 reg->db != NULL ? sqlite3_errmsg(reg->db) : "out of memory");
        ef_reg_close(reg);
        return EF_ECONFIG;
    }
    sqlite3_busy_timeout(reg->db, 5000);
    rc = query_int(reg->db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key='schema_version'",
                   NULL, 0, &v);
    /* every schema version has the tables a lookup reads: older ones are read as they are */
    if (rc != 1 || v < 1 || v > EF_REG_SCHEMA_VERSION) {
        if (rc < 0)
            ef__errf(errbuf, errcap, "%s: not a registry database: %s", path,
                     sqlite3_errmsg(reg->db));
        else
            ef__errf(errbuf, errcap, "%s: schema version %lld, expected %d", path, (long long)v,
                     EF_REG_SCHEMA_VERSION);
        ef_reg_close(reg);
        return EF_ECONFIG;
    }
    *out = reg;
    return 0;
}

/* src (NULL: "") into dst of cap bytes; what does not fit is cut and noted. */
static void copy_field(char *dst, size_t cap, const char *src, bool *truncated)
{
    size_t n = src != NULL ? strlen(src) : 0;

    if (n >= cap) {
        n = cap - 1;
        *truncated = true;
    }
    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static int lookup_row(void *arg, sqlite3_stmt *st)
{
    ef_reg_entry_t *e = arg;

    copy_field(e->type, sizeof e->type, col(st, 0), &e->truncated);
    copy_field(e->subtype, sizeof e->subtype, col(st, 1), &e->truncated);
    copy_field(e->klass, sizeof e->klass, col(st, 2), &e->truncated);
    copy_field(e->usage_text, sizeof e->usage_text, col(st, 3), &e->truncated);
    /* RFC 6117 §5.2.7 says DEPRECATED, the §11.2 template OBSOLETE: neither is active */
    if (sqlite3_stricmp(nz(col(st, 3)), "DEPRECATED") == 0)
        e->usage = EF_REG_DEPRECATED;
    else if (sqlite3_stricmp(nz(col(st, 3)), "OBSOLETE") == 0)
        e->usage = EF_REG_OBSOLETE;
    else
        e->usage = EF_REG_ACTIVE;
    return 0;
}

/* A scheme that does not fit is left out, not cut: a cut name would match wrongly. */
static int lookup_scheme(void *arg, sqlite3_stmt *st)
{
    ef_reg_entry_t *e = arg;
    const char *s = nz(col(st, 0));

    if (e->n_schemes == EF_REG_SCHEMES_MAX || strlen(s) >= EF_REG_SCHEME_LEN) {
        e->truncated = true;
        return 0;
    }
    memcpy(e->schemes[e->n_schemes++], s, strlen(s) + 1);
    return 0;
}

int ef_reg_lookup(ef_reg_t *reg, const char *type, const char *subtype, ef_reg_entry_t *out)
{
    sqlite3_int64 id = 0;
    int rc;

    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (reg == NULL || type == NULL || type[0] == '\0' || out == NULL)
        return EF_EINVAL;
    rc = find_id(reg->db, type, subtype != NULL && subtype[0] != '\0' ? subtype : NULL, &id);
    if (rc <= 0)
        return rc == 0 ? EF_ENODATA : rc;
    rc = each_row(reg->db, "SELECT type, subtype, class, usage FROM enumservices WHERE id = ?1", id,
                  lookup_row, out);
    if (rc == 0)
        rc = each_row(reg->db, "SELECT scheme FROM urischemes WHERE enumservice = ?1 ORDER BY pos",
                      id, lookup_scheme, out);
    if (rc != 0)
        memset(out, 0, sizeof *out);
    return rc;
}

bool ef_reg_entry_has_scheme(const ef_reg_entry_t *e, const char *scheme, size_t len)
{
    if (e == NULL || scheme == NULL)
        return false;
    for (size_t i = 0; i < e->n_schemes; i++)
        if (strlen(e->schemes[i]) == len && sqlite3_strnicmp(e->schemes[i], scheme, (int)len) == 0)
            return true;
    return false;
}

const char *ef_reg_usage_name(ef_reg_usage_t usage)
{
    switch (usage) {
    case EF_REG_ACTIVE:
        return "active";
    case EF_REG_DEPRECATED:
        return "deprecated";
    case EF_REG_OBSOLETE:
        return "obsolete";
    }
    return "unknown";
}
