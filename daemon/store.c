/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * store.c -- enumfedd's SQLite store (store.h). One connection per handle,
 * statements prepared once and cached, every change inside one IMMEDIATE
 * transaction that is rolled back on the first failure, the schema brought
 * up to date step by step when the file is opened.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "enumfed/common.h"
#include "store.h"

#define BUSY_MS 5000 /* how long to wait for another writer (enumfedctl beside enumfedd) */
#define DAY 86400

/* The statements; their SQL is in sql_text[] in the same order. */
enum {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_USER_GET,
    Q_USER_ADD,
    Q_USER_DISABLE,
    Q_USER_DEL,
    Q_USER_LIST,
    Q_TOMB_GET,
    Q_TOMB_PUT,
    Q_TOMB_DEL,
    Q_TOMB_LIST,
    Q_BIND_GET,
    Q_BIND_PUT,
    Q_BIND_COUNT,
    Q_BIND_DEL,
    Q_BIND_DEL_AOR,
    Q_BIND_DEL_EXPIRED_AOR,
    Q_BIND_LIST,
    Q_BIND_EXPIRE,
    Q_MSG_COUNT,
    Q_MSG_PUT,
    Q_MSG_LIST,
    Q_MSG_DEL,
    Q_MSG_DEL_AOR,
    Q_MSG_EXPIRE,
    /* presence: publications, subscriptions, authorization rules */
    Q_PUB_PUT,
    Q_PUB_MOVE,
    Q_PUB_DEL,
    Q_PUB_EXPIRE,
    Q_PUB_DEL_AOR,
    Q_RULE_DEL_AOR,
    Q_PUB_LOAD,
    Q_SUB_PUT,
    Q_SUB_DEL,
    Q_SUB_EXPIRE,
    Q_SUB_LOAD,
    Q_RULE_PUT,
    Q_RULE_DEL,
    Q_RULE_GET,
    Q_RULE_LIST,
    Q_RULE_LIST_ALL,
    Q_RULE_CHANGED,
    Q_GONE_SINCE,
    /* external contacts: the lists checked by re-SUBSCRIBE */
    Q_CT_COUNT,
    Q_CT_GET,
    Q_CT_ADD,
    Q_CT_LEARN,
    Q_CT_DEL,
    Q_CT_LIST,
    Q_CT_LIST_OWNER,
    Q_CT_RECHECK,
    Q_CT_RECHECK_OWNER,
    Q_CT_DUE,
    Q_CT_LAST_SENT,
    Q_CT_SENT,
    Q_CT_DEFER,
    Q_CT_VALID,
    Q_CT_INVALID,
    Q_CT_FAILED,
    Q_CT_INVALIDATE,
    Q_CT_UNDEFER,
    Q__N
};

static const char *const sql_text[Q__N] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_USER_GET] = "SELECT user, domain, ha1_md5, ha1_sha256, disabled, created FROM users"
                   " WHERE user = ?1 AND domain = ?2",
    [Q_USER_ADD] = "INSERT INTO users (user, domain, ha1_md5, ha1_sha256, disabled, created)"
                   " VALUES (?1, ?2, ?3, ?4, 0, ?5)",
    [Q_USER_DISABLE] = "UPDATE users SET disabled = ?3 WHERE user = ?1 AND domain = ?2",
    [Q_USER_DEL] = "DELETE FROM users WHERE user = ?1 AND domain = ?2",
    [Q_USER_LIST] = "SELECT user, domain, ha1_md5, ha1_sha256, disabled, created FROM users"
                    " ORDER BY domain, user",
    [Q_TOMB_GET] = "SELECT removed_at FROM tombstones WHERE aor = ?1",
    [Q_TOMB_PUT] = "INSERT OR REPLACE INTO tombstones (aor, removed_at) VALUES (?1, ?2)",
    [Q_TOMB_DEL] = "DELETE FROM tombstones WHERE aor = ?1",
    [Q_TOMB_LIST] = "SELECT aor, removed_at FROM tombstones ORDER BY removed_at, aor",
    [Q_BIND_GET] = "SELECT call_id, cseq FROM bindings WHERE aor = ?1 AND contact = ?2",
    [Q_BIND_PUT] = "INSERT INTO bindings (aor, contact, expires, q, call_id, cseq, instance,"
                   " received, path) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                   " ON CONFLICT (aor, contact) DO UPDATE SET expires = ?3, q = ?4,"
                   " call_id = ?5, cseq = ?6, instance = ?7, received = ?8, path = ?9",
    [Q_BIND_COUNT] = "SELECT count(*) FROM bindings WHERE aor = ?1",
    [Q_BIND_DEL] = "DELETE FROM bindings WHERE aor = ?1 AND contact = ?2",
    [Q_BIND_DEL_AOR] = "DELETE FROM bindings WHERE aor = ?1",
    [Q_BIND_DEL_EXPIRED_AOR] = "DELETE FROM bindings WHERE aor = ?1 AND expires <= ?2",
    [Q_BIND_LIST] = "SELECT aor, contact, expires, q, call_id, cseq, instance, received, path"
                    " FROM bindings WHERE aor = ?1 AND expires > ?2 ORDER BY q DESC, contact",
    [Q_BIND_EXPIRE] = "DELETE FROM bindings WHERE expires <= ?1",
    [Q_MSG_COUNT] = "SELECT count(*) FROM messages WHERE aor = ?1 AND expires_at > ?2",
    [Q_MSG_PUT] = "INSERT INTO messages (aor, sender, content_type, body, received_at,"
                  " expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_MSG_LIST] = "SELECT id, aor, sender, content_type, body, received_at, expires_at"
                   " FROM messages WHERE aor = ?1 AND expires_at > ?2 ORDER BY id",
    [Q_MSG_DEL] = "DELETE FROM messages WHERE id = ?1",
    [Q_MSG_DEL_AOR] = "DELETE FROM messages WHERE aor = ?1",
    [Q_MSG_EXPIRE] = "DELETE FROM messages WHERE expires_at <= ?1",
    /* presence */
    [Q_PUB_PUT] = "INSERT OR REPLACE INTO publications (etag, aor, body, expires)"
                  " VALUES (?1, ?2, ?3, ?4)",
    [Q_PUB_MOVE] = "UPDATE publications SET etag = ?2, expires = ?3 WHERE etag = ?1",
    [Q_PUB_DEL] = "DELETE FROM publications WHERE etag = ?1",
    [Q_PUB_EXPIRE] = "DELETE FROM publications WHERE expires <= ?1",
    [Q_PUB_DEL_AOR] = "DELETE FROM publications WHERE aor = ?1",
    [Q_RULE_DEL_AOR] = "DELETE FROM presence_rules WHERE aor = ?1",
    [Q_PUB_LOAD] = "SELECT etag, aor, body, expires FROM publications ORDER BY rowid",
    [Q_SUB_PUT] = "INSERT OR REPLACE INTO subscriptions (call_id, our_tag, aor, event,"
                  " their_tag, watcher, target, routes, cseq, expires, side, transport, address,"
                  " peer) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [Q_SUB_DEL] = "DELETE FROM subscriptions WHERE call_id = ?1 AND our_tag = ?2",
    [Q_SUB_EXPIRE] = "DELETE FROM subscriptions WHERE expires <= ?1",
    [Q_SUB_LOAD] = "SELECT call_id, our_tag, aor, event, their_tag, watcher, target, routes,"
                   " cseq, expires, side, transport, address, peer FROM subscriptions"
                   " ORDER BY rowid",
    [Q_RULE_PUT] = "INSERT OR REPLACE INTO presence_rules (aor, watcher, action, updated)"
                   " VALUES (?1, ?2, ?3, ?4)",
    [Q_RULE_DEL] = "DELETE FROM presence_rules WHERE aor = ?1 AND watcher = ?2",
    [Q_RULE_GET] = "SELECT action FROM presence_rules WHERE aor = ?1 AND watcher = ?2",
    [Q_RULE_LIST] = "SELECT aor, watcher, action, updated FROM presence_rules WHERE aor = ?1"
                    " ORDER BY watcher",
    [Q_RULE_LIST_ALL] = "SELECT aor, watcher, action, updated FROM presence_rules"
                        " ORDER BY aor, watcher",
    [Q_RULE_CHANGED] = "SELECT DISTINCT aor FROM presence_rules WHERE updated >= ?1",
    [Q_GONE_SINCE] = "SELECT aor FROM tombstones WHERE removed_at >= ?1"
                     " UNION SELECT user || '@' || domain FROM users WHERE disabled = 1",
    /* external contacts */
    [Q_CT_COUNT] = "SELECT count(*) FROM contacts WHERE owner = ?1",
    [Q_CT_GET] = "SELECT status FROM contacts WHERE owner = ?1 AND uri = ?2",
    [Q_CT_ADD] = "INSERT INTO contacts (owner, uri, added) VALUES (?1, ?2, ?3)"
                 " ON CONFLICT (owner, uri) DO NOTHING",
    [Q_CT_LEARN] = "INSERT INTO contacts (owner, uri, added, checked, status) VALUES (?1, ?2, ?3,"
                   " ?3, 1) ON CONFLICT (owner, uri) DO UPDATE SET checked = ?3, status = 1,"
                   " retry_at = 0, reason = ''",
    [Q_CT_DEL] = "DELETE FROM contacts WHERE owner = ?1 AND uri = ?2",
    [Q_CT_LIST] = "SELECT owner, uri, added, checked, status, sent, retry_at, reason, call_id"
                  " FROM contacts ORDER BY owner, uri",
    [Q_CT_LIST_OWNER] = "SELECT owner, uri, added, checked, status, sent, retry_at, reason,"
                        " call_id FROM contacts WHERE owner = ?1 ORDER BY uri",
    [Q_CT_RECHECK] = "UPDATE contacts SET status = 0, checked = 0, retry_at = 0, reason = ''"
                     " WHERE owner = ?1 AND uri = ?2",
    [Q_CT_RECHECK_OWNER] = "UPDATE contacts SET status = 0, checked = 0, retry_at = 0,"
                           " reason = '' WHERE owner = ?1",
    [Q_CT_DUE] = "SELECT owner, uri, added, checked, status, sent, retry_at, reason, call_id"
                 " FROM contacts WHERE status != 2 AND checked <= ?1 AND retry_at <= ?2"
                 " ORDER BY checked, retry_at, owner, uri LIMIT ?3",
    [Q_CT_LAST_SENT] = "SELECT coalesce(max(sent), 0) FROM contacts WHERE uri = ?1",
    [Q_CT_SENT] = "UPDATE contacts SET sent = ?3, call_id = ?4 WHERE owner = ?1 AND uri = ?2",
    [Q_CT_DEFER] = "UPDATE contacts SET retry_at = ?3, reason = ?4 WHERE owner = ?1 AND uri = ?2",
    [Q_CT_VALID] = "UPDATE contacts SET status = 1, checked = ?2, retry_at = 0, reason = ?3"
                   " WHERE call_id = ?1 AND status != 2",
    [Q_CT_INVALID] = "UPDATE contacts SET status = 2, checked = ?2, retry_at = 0, reason = ?3"
                     " WHERE call_id = ?1",
    [Q_CT_FAILED] = "UPDATE contacts SET status = 3, retry_at = ?4, reason = ?3"
                    " WHERE call_id = ?1 AND status != 2 AND checked < sent AND ?2 >= sent",
    [Q_CT_INVALIDATE] = "UPDATE contacts SET status = 2, checked = ?3, retry_at = 0, reason = ?4"
                        " WHERE owner = ?1 AND uri = ?2",
    [Q_CT_UNDEFER] = "UPDATE contacts SET retry_at = 0 WHERE status IN (0, 1) AND retry_at > 0",
};

/*
 * The schema, one step per version: migrations[v] takes a file at version v
 * to v + 1. A step is never edited once released; changes are new steps.
 */
static const char *const migrations[EFD_STORE_SCHEMA] = {
    /* 0 -> 1: users, bindings, tombstones */
    "CREATE TABLE users (user TEXT NOT NULL, domain TEXT NOT NULL, ha1_md5 TEXT NOT NULL,"
    " ha1_sha256 TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
    " created INTEGER NOT NULL, PRIMARY KEY (user, domain));"
    "CREATE TABLE bindings (aor TEXT NOT NULL, contact TEXT NOT NULL,"
    " expires INTEGER NOT NULL, q INTEGER NOT NULL, call_id TEXT NOT NULL,"
    " cseq INTEGER NOT NULL, instance TEXT, received TEXT, path TEXT,"
    " PRIMARY KEY (aor, contact));"
    "CREATE INDEX bindings_expires ON bindings (expires);"
    "CREATE TABLE tombstones (aor TEXT PRIMARY KEY, removed_at INTEGER NOT NULL);",
    /* 1 -> 2: offline messages */
    "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, aor TEXT NOT NULL,"
    " sender TEXT NOT NULL, content_type TEXT NOT NULL, body BLOB NOT NULL,"
    " received_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);"
    "CREATE INDEX messages_aor ON messages (aor, id);"
    "CREATE INDEX messages_expires ON messages (expires_at);",
    /* 2 -> 3: presence state that outlives a restart, watcher authorization, external contacts */
    "CREATE TABLE publications (etag TEXT PRIMARY KEY, aor TEXT NOT NULL,"
    " body BLOB NOT NULL, expires INTEGER NOT NULL);"
    "CREATE INDEX publications_aor ON publications (aor);"
    "CREATE TABLE subscriptions (call_id TEXT NOT NULL, our_tag TEXT NOT NULL,"
    " aor TEXT NOT NULL, event TEXT NOT NULL, their_tag TEXT NOT NULL, watcher TEXT NOT NULL,"
    " target TEXT NOT NULL, routes TEXT, cseq INTEGER NOT NULL, expires INTEGER NOT NULL,"
    " side INTEGER NOT NULL, transport INTEGER NOT NULL, address TEXT NOT NULL,"
    " peer TEXT NOT NULL, PRIMARY KEY (call_id, our_tag));"
    "CREATE INDEX subscriptions_aor ON subscriptions (aor);"
    "CREATE TABLE presence_rules (aor TEXT NOT NULL, watcher TEXT NOT NULL,"
    " action TEXT NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY (aor, watcher));"
    "CREATE TABLE contacts (owner TEXT NOT NULL, uri TEXT NOT NULL, added INTEGER NOT NULL,"
    " checked INTEGER NOT NULL DEFAULT 0, status INTEGER NOT NULL DEFAULT 0,"
    " sent INTEGER NOT NULL DEFAULT 0, retry_at INTEGER NOT NULL DEFAULT 0,"
    " reason TEXT NOT NULL DEFAULT '', call_id TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY (owner, uri));"
    "CREATE INDEX contacts_uri ON contacts (uri);"
    "CREATE INDEX contacts_due ON contacts (checked);",
};

struct efd_store {
    sqlite3 *db;
    sqlite3_stmt *q[Q__N];
    bool batch; /* a transaction of presence writes is open (efd_store_flush ends it) */
    char err[256];
};

/* A normalised AoR: "user@domain", domain in lower case, and its two halves. */
typedef struct {
    char aor[2 * EFD_STORE_NAME_MAX];
    char user[EFD_STORE_NAME_MAX];
    char domain[EFD_STORE_NAME_MAX];
} aor_t;

/* --- plumbing ---------------------------------------------------------------------- */

/* Remember SQLite's reason and map its code to ours. */
static int db_err(efd_store_t *st, int code)
{
    snprintf(st->err, sizeof st->err, "%s", sqlite3_errmsg(st->db));
    return (code & 0xff) == SQLITE_NOMEM ? EF_ENOMEM : -EIO;
}

/* The cached statement id, reset and unbound, or NULL (st->err says why). */
static sqlite3_stmt *stmt(efd_store_t *st, int id)
{
    if (st->q[id] == NULL) {
        if (sqlite3_prepare_v3(st->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT, &st->q[id],
                               NULL) != SQLITE_OK) {
            db_err(st, SQLITE_ERROR);
            return NULL;
        }
    }
    sqlite3_reset(st->q[id]);
    sqlite3_clear_bindings(st->q[id]);
    return st->q[id];
}

static int bind_text(sqlite3_stmt *s, int i, const char *v)
{
    return v == NULL ? sqlite3_bind_null(s, i) : sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* Run a statement with no rows; the number of rows it changed, or an error. */
static int run(efd_store_t *st, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return db_err(st, rc);
    return sqlite3_changes(st->db);
}

/* Step once: 1 a row, 0 none, or an error. The caller resets. */
static int row(efd_store_t *st, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    sqlite3_reset(s);
    return db_err(st, rc);
}

/* count(*) of a prepared and bound statement. */
static int64_t count(efd_store_t *st, sqlite3_stmt *s)
{
    int r = row(st, s);
    int64_t n = r > 0 ? sqlite3_column_int64(s, 0) : r;
    sqlite3_reset(s);
    return n;
}

static int tx_begin(efd_store_t *st)
{
    int f = efd_store_flush(st); /* a change of its own is never held in a batch */
    if (f < 0)
        return f;
    sqlite3_stmt *s = stmt(st, Q_BEGIN);
    return s == NULL ? -EIO : run(st, s) < 0 ? -EIO : 0;
}

/* Commit when rc says success, else roll back; rc, or the commit's failure. */
static int tx_end(efd_store_t *st, int rc)
{
    sqlite3_stmt *s = stmt(st, rc >= 0 ? Q_COMMIT : Q_ROLLBACK);
    int r = s == NULL ? -EIO : run(st, s);

    if (rc >= 0 && r < 0) {
        /* a failed COMMIT may leave the transaction open: end it */
        if (!sqlite3_get_autocommit(st->db))
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
    }
    return rc;
}

/* "user@domain" split at its last '@', the domain folded to lower case. */
static int aor_parse(const char *in, aor_t *a)
{
    const char *at = in == NULL ? NULL : strrchr(in, '@');
    size_t ul, dl;

    if (at == NULL || (ul = (size_t)(at - in)) == 0 || ul >= EFD_STORE_NAME_MAX ||
        (dl = strlen(at + 1)) == 0 || dl >= EFD_STORE_NAME_MAX)
        return EF_EINVAL;
    memcpy(a->user, in, ul);
    a->user[ul] = '\0';
    for (size_t i = 0; i <= dl; i++) {
        char c = at[1 + i];
        a->domain[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    snprintf(a->aor, sizeof a->aor, "%s@%s", a->user, a->domain);
    return 0;
}

static int aor_make(const char *user, const char *domain, aor_t *a)
{
    char buf[2 * EFD_STORE_NAME_MAX + 1];

    if (user == NULL || domain == NULL || strchr(user, '@') != NULL ||
        strlen(user) >= EFD_STORE_NAME_MAX || strlen(domain) >= EFD_STORE_NAME_MAX)
        return EF_EINVAL;
    snprintf(buf, sizeof buf, "%s@%s", user, domain);
    return aor_parse(buf, a);
}

/* --- open, close, schema ---------------------------------------------------------------- */

static int user_version(efd_store_t *st, int *v)
{
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL);

    if (rc != SQLITE_OK)
        return db_err(st, rc);
    if ((rc = sqlite3_step(s)) == SQLITE_ROW)
        *v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : db_err(st, rc);
}

/*
 * One step at a time, each in its own IMMEDIATE transaction that reads the
 * version again, so two processes opening one old file upgrade it once.
 */
static int migrate(efd_store_t *st)
{
    char sql[64];
    int v = 0, rc;

    for (;;) {
        if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            return db_err(st, SQLITE_ERROR);
        if ((rc = user_version(st, &v)) < 0 || v >= EFD_STORE_SCHEMA)
            break;
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
        if (sqlite3_exec(st->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
            rc = db_err(st, SQLITE_ERROR);
            break;
        }
        if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            rc = db_err(st, SQLITE_ERROR);
            break;
        }
    }
    if (rc == 0 && v > EFD_STORE_SCHEMA) {
        snprintf(st->err, sizeof st->err, "schema version %d is newer than this program's %d", v,
                 EFD_STORE_SCHEMA);
        rc = EF_ECONFIG;
    }
    sqlite3_exec(st->db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int efd_store_open(const char *path, efd_store_t **out, char *err, size_t errcap)
{
    efd_store_t *st = calloc(1, sizeof *st);
    int rc;

    *out = NULL;
    if (st == NULL) {
        snprintf(err, errcap, "out of memory");
        return EF_ENOMEM;
    }
    rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        rc = st->db != NULL ? db_err(st, rc) : EF_ENOMEM;
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 1);
    sqlite3_busy_timeout(st->db, BUSY_MS);
    /* WAL lets readers work beside the writer; FULL syncs each commit to disk */
    if (sqlite3_exec(st->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL", NULL, NULL,
                     NULL) != SQLITE_OK) {
        rc = db_err(st, SQLITE_ERROR);
        goto fail;
    }
    if ((rc = migrate(st)) < 0)
        goto fail;
    *out = st;
    return 0;
fail:
    snprintf(err, errcap, "%s: %s", path, st->err[0] ? st->err : ef_strerror(rc));
    efd_store_close(st);
    return rc;
}

void efd_store_close(efd_store_t *st)
{
    if (st == NULL)
        return;
    efd_store_flush(st);
    for (int i = 0; i < Q__N; i++)
        sqlite3_finalize(st->q[i]);
    sqlite3_close(st->db);
    free(st);
}

const char *efd_store_errmsg(const efd_store_t *st)
{
    return st->err;
}

int efd_store_version(efd_store_t *st)
{
    int v = 0, rc = user_version(st, &v);
    return rc < 0 ? rc : v;
}

/* --- users ------------------------------------------------------------------------------ */

static bool hex_ok(const char *s, size_t n)
{
    if (s == NULL || strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static int hold_days_floor(int hold_days)
{
    return hold_days < EFD_STORE_HOLD_MIN_DAYS ? EFD_STORE_HOLD_MIN_DAYS : hold_days;
}

/* 1 held, 0 free (no tombstone, or its hold is over), or an error; until set when one exists. */
static int tomb_held(efd_store_t *st, const char *aor, int64_t now, int hold_days, int64_t *until)
{
    sqlite3_stmt *s = stmt(st, Q_TOMB_GET);
    int r;

    if (s == NULL)
        return -EIO;
    bind_text(s, 1, aor);
    if ((r = row(st, s)) <= 0)
        return r;
    /* a removed AoR is not reassigned for at least 90 days
       (draft-levin-simple-interdomain-reqs §10.2) */
    int64_t end = sqlite3_column_int64(s, 0) + (int64_t)hold_days_floor(hold_days) * DAY;
    sqlite3_reset(s);
    if (until != NULL)
        *until = end;
    return now < end ? 1 : 0;
}

/* A text column, "" for NULL (and for the NULL SQLite returns when out of memory). */
static const char *col(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t == NULL ? "" : (const char *)t;
}

static void user_row(sqlite3_stmt *s, efd_store_user_t *u)
{
    snprintf(u->user, sizeof u->user, "%s", col(s, 0));
    snprintf(u->domain, sizeof u->domain, "%s", col(s, 1));
    snprintf(u->ha1_md5, sizeof u->ha1_md5, "%s", col(s, 2));
    snprintf(u->ha1_sha256, sizeof u->ha1_sha256, "%s", col(s, 3));
    u->disabled = sqlite3_column_int(s, 4) != 0;
    u->created = sqlite3_column_int64(s, 5);
}

/* Whether a user exists: 1 (u filled when non-NULL), 0, or an error. */
static int user_find(efd_store_t *st, const aor_t *a, efd_store_user_t *u)
{
    sqlite3_stmt *s = stmt(st, Q_USER_GET);
    int r;

    if (s == NULL)
        return -EIO;
    bind_text(s, 1, a->user);
    bind_text(s, 2, a->domain);
    if ((r = row(st, s)) > 0 && u != NULL)
        user_row(s, u);
    sqlite3_reset(s);
    return r;
}

static int user_add_tx(efd_store_t *st, const aor_t *a, const char *md5, const char *sha,
                       int64_t now, int hold_days, int64_t *until)
{
    sqlite3_stmt *s;
    int r;

    if ((r = user_find(st, a, NULL)) != 0)
        return r > 0 ? -EEXIST : r;
    if ((r = tomb_held(st, a->aor, now, hold_days, until)) != 0)
        return r > 0 ? -EACCES : r;
    /* the hold is over (or there was none): the AoR may belong to someone new */
    if ((s = stmt(st, Q_TOMB_DEL)) == NULL)
        return -EIO;
    bind_text(s, 1, a->aor);
    if ((r = run(st, s)) < 0)
        return r;
    if ((s = stmt(st, Q_USER_ADD)) == NULL)
        return -EIO;
    bind_text(s, 1, a->user);
    bind_text(s, 2, a->domain);
    bind_text(s, 3, md5);
    bind_text(s, 4, sha);
    sqlite3_bind_int64(s, 5, now);
    return (r = run(st, s)) < 0 ? r : 0;
}

int efd_store_user_add(efd_store_t *st, const char *user, const char *domain, const char *ha1_md5,
                       const char *ha1_sha256, int64_t now, int hold_days, int64_t *until)
{
    aor_t a;
    int rc;

    if (aor_make(user, domain, &a) < 0 || !hex_ok(ha1_md5, 32) || !hex_ok(ha1_sha256, 64))
        return EF_EINVAL;
    if ((rc = tx_begin(st)) < 0)
        return rc;
    return tx_end(st, user_add_tx(st, &a, ha1_md5, ha1_sha256, now, hold_days, until));
}

int efd_store_user_set_disabled(efd_store_t *st, const char *user, const char *domain,
                                bool disabled)
{
    sqlite3_stmt *s;
    aor_t a;
    int rc;

    if (aor_make(user, domain, &a) < 0)
        return EF_EINVAL;
    if ((s = stmt(st, Q_USER_DISABLE)) == NULL)
        return -EIO;
    bind_text(s, 1, a.user);
    bind_text(s, 2, a.domain);
    sqlite3_bind_int(s, 3, disabled);
    /* one statement is its own transaction */
    if ((rc = run(st, s)) < 0)
        return rc;
    return rc == 0 ? -ENOENT : 0;
}

/* Delete by AoR with statement id; the number of rows, or an error. */
static int del_aor(efd_store_t *st, int id, const char *aor)
{
    sqlite3_stmt *s = stmt(st, id);
    if (s == NULL)
        return -EIO;
    bind_text(s, 1, aor);
    return run(st, s);
}

static int user_remove_tx(efd_store_t *st, const aor_t *a, int64_t now, efd_store_removed_t *out)
{
    sqlite3_stmt *s;
    int r;

    if ((r = user_find(st, a, NULL)) <= 0)
        return r == 0 ? -ENOENT : r;
    if ((r = del_aor(st, Q_BIND_DEL_AOR, a->aor)) < 0)
        return r;
    out->bindings = (unsigned)r;
    /* messages kept for the old user must never reach a later holder
     * (draft-levin-simple-interdomain-reqs §10.2) */
    if ((r = del_aor(st, Q_MSG_DEL_AOR, a->aor)) < 0)
        return r;
    out->messages = (unsigned)r;
    /* nor its published state or its authorization rules; its subscriptions stay
     * until the daemon has told their watchers (presence.c) */
    if ((r = del_aor(st, Q_PUB_DEL_AOR, a->aor)) < 0 ||
        (r = del_aor(st, Q_RULE_DEL_AOR, a->aor)) < 0)
        return r;
    if ((s = stmt(st, Q_USER_DEL)) == NULL)
        return -EIO;
    bind_text(s, 1, a->user);
    bind_text(s, 2, a->domain);
    if ((r = run(st, s)) < 0)
        return r;
    if ((s = stmt(st, Q_TOMB_PUT)) == NULL)
        return -EIO;
    bind_text(s, 1, a->aor);
    sqlite3_bind_int64(s, 2, now);
    out->removed_at = now;
    return (r = run(st, s)) < 0 ? r : 0;
}

int efd_store_user_remove(efd_store_t *st, const char *user, const char *domain, int64_t now,
                          efd_store_removed_t *out)
{
    efd_store_removed_t tmp = {0, 0, 0};
    aor_t a;
    int rc;

    if (aor_make(user, domain, &a) < 0)
        return EF_EINVAL;
    if ((rc = tx_begin(st)) < 0)
        return rc;
    rc = tx_end(st, user_remove_tx(st, &a, now, &tmp));
    if (rc == 0 && out != NULL)
        *out = tmp;
    return rc;
}

int efd_store_user_get(efd_store_t *st, const char *user, const char *domain, efd_store_user_t *out)
{
    aor_t a;
    int r;

    if (aor_make(user, domain, &a) < 0)
        return EF_EINVAL;
    r = user_find(st, &a, out);
    return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

/* An array of size-byte elements with room for more than n, or NULL (arr is kept). */
static void *grow(void *arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return arr;
    size_t c = *cap ? *cap * 2 : 16;
    void *q = realloc(arr, c * size);
    if (q != NULL)
        *cap = c;
    return q;
}

int efd_store_user_list(efd_store_t *st, efd_store_user_t **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, Q_USER_LIST);
    efd_store_user_t *v = NULL;
    size_t cap = 0, k = 0;
    int r = s == NULL ? -EIO : 0;

    while (r == 0 && (r = row(st, s)) > 0) {
        efd_store_user_t *g = grow(v, &cap, k, sizeof *v);
        if (g == NULL) {
            r = EF_ENOMEM;
            break;
        }
        v = g;
        user_row(s, &v[k++]);
        r = 0;
    }
    if (s != NULL)
        sqlite3_reset(s);
    if (r < 0) {
        free(v);
        v = NULL, k = 0;
    }
    *out = v;
    *n = k;
    return r < 0 ? r : 0;
}

/* --- tombstones -------------------------------------------------------------------------- */

int efd_store_tomb_check(efd_store_t *st, const char *aor, int64_t now, int hold_days,
                         int64_t *until)
{
    aor_t a;

    if (aor_parse(aor, &a) < 0)
        return EF_EINVAL;
    return tomb_held(st, a.aor, now, hold_days, until);
}

int efd_store_tomb_list(efd_store_t *st, efd_store_tomb_t **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, Q_TOMB_LIST);
    efd_store_tomb_t *v = NULL;
    size_t cap = 0, k = 0;
    int r = s == NULL ? -EIO : 0;

    while (r == 0 && (r = row(st, s)) > 0) {
        efd_store_tomb_t *g = grow(v, &cap, k, sizeof *v);
        if (g == NULL) {
            r = EF_ENOMEM;
            break;
        }
        v = g;
        snprintf(v[k].aor, sizeof v[k].aor, "%s", col(s, 0));
        v[k++].removed_at = sqlite3_column_int64(s, 1);
        r = 0;
    }
    if (s != NULL)
        sqlite3_reset(s);
    if (r < 0) {
        free(v);
        v = NULL, k = 0;
    }
    *out = v;
    *n = k;
    return r < 0 ? r : 0;
}

/* --- bindings ------------------------------------------------------------------------------ */

/* 0 when the AoR's user may hold bindings; -ENOENT, -EACCES or an error. */
static int user_active(efd_store_t *st, const aor_t *a)
{
    efd_store_user_t u;
    int r = user_find(st, a, &u);
    return r < 0 ? r : r == 0 ? -ENOENT : u.disabled ? -EACCES : 0;
}

/* RFC 3261 §10.3 step 7: same Call-ID, CSeq not higher: out of order. 1 new, 0 known. */
static int binding_order(efd_store_t *st, const efd_store_binding_t *b, const char *aor)
{
    sqlite3_stmt *s = stmt(st, Q_BIND_GET);
    int r;

    if (s == NULL)
        return -EIO;
    bind_text(s, 1, aor);
    bind_text(s, 2, b->contact);
    if ((r = row(st, s)) <= 0)
        return r < 0 ? r : 1;
    bool old =
        strcmp(col(s, 0), b->call_id) == 0 && (uint32_t)sqlite3_column_int64(s, 1) >= b->cseq;
    sqlite3_reset(s);
    return old ? -EALREADY : 0;
}

static int binding_upsert_tx(efd_store_t *st, const efd_store_binding_t *b, const aor_t *a,
                             int64_t now, size_t max)
{
    sqlite3_stmt *s;
    int r, fresh;

    if ((r = user_active(st, a)) < 0)
        return r;
    if ((s = stmt(st, Q_BIND_DEL_EXPIRED_AOR)) == NULL)
        return -EIO;
    bind_text(s, 1, a->aor);
    sqlite3_bind_int64(s, 2, now);
    if ((r = run(st, s)) < 0 || (fresh = binding_order(st, b, a->aor)) < 0)
        return r < 0 ? r : fresh;
    if (fresh) {
        if ((s = stmt(st, Q_BIND_COUNT)) == NULL)
            return -EIO;
        bind_text(s, 1, a->aor);
        int64_t k = count(st, s);
        if (k < 0 || (size_t)k >= max)
            return k < 0 ? (int)k : EF_E2BIG;
    }
    if ((s = stmt(st, Q_BIND_PUT)) == NULL)
        return -EIO;
    bind_text(s, 1, a->aor);
    bind_text(s, 2, b->contact);
    sqlite3_bind_int64(s, 3, b->expires);
    sqlite3_bind_int(s, 4, b->q);
    bind_text(s, 5, b->call_id);
    sqlite3_bind_int64(s, 6, b->cseq);
    bind_text(s, 7, b->instance);
    bind_text(s, 8, b->received);
    bind_text(s, 9, b->path);
    return (r = run(st, s)) < 0 ? r : 0;
}

int efd_store_binding_upsert(efd_store_t *st, const efd_store_binding_t *b, int64_t now, size_t max)
{
    aor_t a;
    int rc;

    if (b == NULL || aor_parse(b->aor, &a) < 0 || b->contact == NULL || b->contact[0] == '\0' ||
        b->call_id == NULL || b->q < -1 || b->q > 1000)
        return EF_EINVAL;
    if ((rc = tx_begin(st)) < 0)
        return rc;
    return tx_end(st, binding_upsert_tx(st, b, &a, now, max));
}

int efd_store_binding_remove(efd_store_t *st, const char *aor, const char *contact)
{
    sqlite3_stmt *s;
    aor_t a;
    int r;

    if (aor_parse(aor, &a) < 0 || contact == NULL)
        return EF_EINVAL;
    if ((s = stmt(st, Q_BIND_DEL)) == NULL)
        return -EIO;
    bind_text(s, 1, a.aor);
    bind_text(s, 2, contact);
    if ((r = run(st, s)) < 0)
        return r;
    return r == 0 ? -ENOENT : 0;
}

int efd_store_binding_remove_all(efd_store_t *st, const char *aor)
{
    aor_t a;

    if (aor_parse(aor, &a) < 0)
        return EF_EINVAL;
    return del_aor(st, Q_BIND_DEL_AOR, a.aor);
}

/* A copy of a text column, NULL for SQL NULL; false when out of memory. */
static bool dup_col(sqlite3_stmt *s, int i, char **out)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    *out = t == NULL ? NULL : strdup((const char *)t);
    return t != NULL ? *out != NULL : sqlite3_column_type(s, i) == SQLITE_NULL;
}

static int binding_row(sqlite3_stmt *s, efd_store_binding_t *b)
{
    memset(b, 0, sizeof *b);
    b->expires = sqlite3_column_int64(s, 2);
    b->q = sqlite3_column_int(s, 3);
    b->cseq = (uint32_t)sqlite3_column_int64(s, 5);
    /* every column is copied, even after a failure, so the caller frees one shape */
    int ok = dup_col(s, 0, &b->aor);
    ok &= dup_col(s, 1, &b->contact);
    ok &= dup_col(s, 4, &b->call_id);
    ok &= dup_col(s, 6, &b->instance);
    ok &= dup_col(s, 7, &b->received);
    ok &= dup_col(s, 8, &b->path);
    return ok ? 0 : EF_ENOMEM;
}

/* The rows of query q for one AoR still valid at now, each read by row_fn into
 * an array of elem-byte elements; free_fn frees what was read on failure. */
static int list_by_aor(efd_store_t *st, int q, const char *aor, int64_t now, size_t elem,
                       int (*row_fn)(sqlite3_stmt *, void *), void (*free_fn)(void *, size_t),
                       void **out, size_t *n)
{
    sqlite3_stmt *s;
    char *v = NULL;
    size_t cap = 0, k = 0;
    aor_t a;
    int r;

    *out = NULL;
    *n = 0;
    if (aor_parse(aor, &a) < 0)
        return EF_EINVAL;
    if ((s = stmt(st, q)) == NULL)
        return -EIO;
    bind_text(s, 1, a.aor);
    sqlite3_bind_int64(s, 2, now);
    while ((r = row(st, s)) > 0) {
        char *g = grow(v, &cap, k, elem);
        if (g == NULL) {
            r = EF_ENOMEM;
            break;
        }
        v = g;
        if ((r = row_fn(s, v + elem * k++)) < 0)
            break;
    }
    sqlite3_reset(s);
    if (r < 0) {
        free_fn(v, k);
        return r;
    }
    *out = v;
    *n = k;
    return 0;
}

static int binding_row_v(sqlite3_stmt *s, void *b)
{
    return binding_row(s, b);
}

static void bindings_free_v(void *b, size_t n)
{
    efd_store_bindings_free(b, n);
}

int efd_store_binding_list(efd_store_t *st, const char *aor, int64_t now, efd_store_binding_t **out,
                           size_t *n)
{
    return list_by_aor(st, Q_BIND_LIST, aor, now, sizeof **out, binding_row_v, bindings_free_v,
                       (void **)out, n);
}

/* Delete rows older than now with statement id; the number deleted. */
static int expire(efd_store_t *st, int id, int64_t now)
{
    sqlite3_stmt *s = stmt(st, id);
    if (s == NULL)
        return -EIO;
    sqlite3_bind_int64(s, 1, now);
    return run(st, s);
}

int efd_store_binding_expire(efd_store_t *st, int64_t now)
{
    return expire(st, Q_BIND_EXPIRE, now);
}

void efd_store_bindings_free(efd_store_binding_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(b[i].aor);
        free(b[i].contact);
        free(b[i].call_id);
        free(b[i].instance);
        free(b[i].received);
        free(b[i].path);
    }
    free(b);
}

/* --- offline messages ------------------------------------------------------------------------ */

static int msg_put_tx(efd_store_t *st, const efd_store_msg_t *m, const aor_t *a, size_t cap,
                      int64_t *id)
{
    sqlite3_stmt *s;
    int r;

    if ((r = user_find(st, a, NULL)) <= 0)
        return r == 0 ? -ENOENT : r;
    if ((s = stmt(st, Q_MSG_COUNT)) == NULL)
        return -EIO;
    bind_text(s, 1, a->aor);
    sqlite3_bind_int64(s, 2, m->received_at);
    int64_t k = count(st, s);
    if (k < 0 || (size_t)k >= cap)
        return k < 0 ? (int)k : EF_E2BIG;
    if ((s = stmt(st, Q_MSG_PUT)) == NULL)
        return -EIO;
    bind_text(s, 1, a->aor);
    bind_text(s, 2, m->sender);
    bind_text(s, 3, m->content_type);
    /* a zero-length blob, not NULL, for an empty body */
    sqlite3_bind_blob(s, 4, m->body_len ? (const void *)m->body : "", (int)m->body_len,
                      SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, m->received_at);
    sqlite3_bind_int64(s, 6, m->expires_at);
    if ((r = run(st, s)) < 0)
        return r;
    if (id != NULL)
        *id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int efd_store_msg_put(efd_store_t *st, const efd_store_msg_t *m, size_t cap, int64_t *id)
{
    aor_t a;
    int rc;

    if (m == NULL || aor_parse(m->aor, &a) < 0 || m->sender == NULL || m->content_type == NULL ||
        (m->body == NULL && m->body_len > 0))
        return EF_EINVAL;
    if (m->body_len > EFD_STORE_MSG_MAX)
        return EF_E2BIG;
    if ((rc = tx_begin(st)) < 0)
        return rc;
    return tx_end(st, msg_put_tx(st, m, &a, cap, id));
}

static int msg_row(sqlite3_stmt *s, efd_store_msg_t *m)
{
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(s, 0);
    m->received_at = sqlite3_column_int64(s, 5);
    m->expires_at = sqlite3_column_int64(s, 6);
    int ok = dup_col(s, 1, &m->aor);
    ok &= dup_col(s, 2, &m->sender);
    ok &= dup_col(s, 3, &m->content_type);
    if (!ok)
        return EF_ENOMEM;
    const void *body = sqlite3_column_blob(s, 4);
    m->body_len = (size_t)sqlite3_column_bytes(s, 4);
    /* one byte more, so a text body can be used as a string */
    if ((m->body = malloc(m->body_len + 1)) == NULL)
        return EF_ENOMEM;
    if (m->body_len > 0)
        memcpy(m->body, body, m->body_len);
    m->body[m->body_len] = '\0';
    return 0;
}

static int msg_row_v(sqlite3_stmt *s, void *m)
{
    return msg_row(s, m);
}

static void msgs_free_v(void *m, size_t n)
{
    efd_store_msgs_free(m, n);
}

int efd_store_msg_list(efd_store_t *st, const char *aor, int64_t now, efd_store_msg_t **out,
                       size_t *n)
{
    return list_by_aor(st, Q_MSG_LIST, aor, now, sizeof **out, msg_row_v, msgs_free_v, (void **)out,
                       n);
}

int efd_store_msg_done(efd_store_t *st, int64_t id)
{
    sqlite3_stmt *s = stmt(st, Q_MSG_DEL);
    int r;

    if (s == NULL)
        return -EIO;
    sqlite3_bind_int64(s, 1, id);
    if ((r = run(st, s)) < 0)
        return r;
    return r == 0 ? -ENOENT : 0;
}

int efd_store_msg_expire(efd_store_t *st, int64_t now)
{
    return expire(st, Q_MSG_EXPIRE, now);
}

void efd_store_msgs_free(efd_store_msg_t *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].aor);
        free(m[i].sender);
        free(m[i].content_type);
        free(m[i].body);
    }
    free(m);
}

/* --- external contacts ------------------------------------------------------------------- */

/* Does s start with the lowercase prefix p, in any case? */
static bool prefix_ci(const char *s, const char *p)
{
    for (; *p != '\0'; s++, p++)
        if (*s == '\0' || (*s >= 'A' && *s <= 'Z' ? *s + 32 : *s) != *p)
            return false;
    return true;
}

int efd_store_contact_norm(const char *in, char *out, size_t cap)
{
    static const char *const schemes[] = {"sip:", "sips:", "pres:", "im:"};
    aor_t a;

    if (in == NULL)
        return EF_EINVAL;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (prefix_ci(in, schemes[i])) {
            in += strlen(schemes[i]);
            break;
        }
    /* a bare AoR: no parameters, headers, port, brackets or blanks */
    if (strpbrk(in, ";?<>:\" \t\r\n,") != NULL || strchr(in, '@') != strrchr(in, '@') ||
        aor_parse(in, &a) < 0)
        return EF_EINVAL;
    if ((size_t)snprintf(out, cap, "sip:%s", a.aor) >= cap)
        return EF_EINVAL;
    return 0;
}

/* Owner and URI in their stored forms. */
static int contact_key(const char *owner, const char *uri, aor_t *a, char *u, size_t cap)
{
    if (aor_parse(owner, a) < 0 || strpbrk(a->aor, ";?<>:\" \t\r\n,") != NULL)
        return EF_EINVAL;
    return efd_store_contact_norm(uri, u, cap);
}

/* 1 when (owner, uri) is a row, 0 when not, or an error. */
static int contact_exists(efd_store_t *st, const aor_t *a, const char *uri)
{
    sqlite3_stmt *s = stmt(st, Q_CT_GET);
    if (s == NULL)
        return -EIO;
    bind_text(s, 1, a->aor);
    bind_text(s, 2, uri);
    int r = row(st, s);
    sqlite3_reset(s);
    return r;
}

static int contact_add_tx(efd_store_t *st, const aor_t *a, const char *uri, int64_t now,
                          bool learned)
{
    sqlite3_stmt *s;
    int r = user_find(st, a, NULL), had;

    if (r <= 0)
        return r < 0 ? r : -ENOENT;
    if ((had = contact_exists(st, a, uri)) < 0)
        return had;
    if (!had) {
        if ((s = stmt(st, Q_CT_COUNT)) == NULL)
            return -EIO;
        bind_text(s, 1, a->aor);
        int64_t k = count(st, s);
        if (k < 0)
            return (int)k;
        if (k >= EFD_STORE_CONTACTS_MAX)
            return EF_E2BIG;
    }
    if ((s = stmt(st, learned ? Q_CT_LEARN : Q_CT_ADD)) == NULL)
        return -EIO;
    bind_text(s, 1, a->aor);
    bind_text(s, 2, uri);
    sqlite3_bind_int64(s, 3, now);
    r = run(st, s);
    return r < 0 ? r : had ? 0 : 1;
}

int efd_store_contact_add(efd_store_t *st, const char *owner, const char *uri, int64_t now,
                          bool learned)
{
    char u[EFD_STORE_URI_MAX];
    aor_t a;
    int rc;

    if (contact_key(owner, uri, &a, u, sizeof u) < 0)
        return EF_EINVAL;
    if ((rc = tx_begin(st)) < 0)
        return rc;
    return tx_end(st, contact_add_tx(st, &a, u, now, learned));
}

/* Run statement id bound to (owner, uri) then more int64 values; the rows changed. */
static int contact_update(efd_store_t *st, int id, const aor_t *a, const char *uri,
                          const int64_t *v, size_t nv, const char *text, int text_at)
{
    sqlite3_stmt *s = stmt(st, id);
    if (s == NULL)
        return -EIO;
    bind_text(s, 1, a->aor);
    if (uri != NULL)
        bind_text(s, 2, uri);
    for (size_t i = 0; i < nv; i++)
        sqlite3_bind_int64(s, (int)i + 3, v[i]);
    if (text != NULL)
        bind_text(s, text_at, text);
    return run(st, s);
}

int efd_store_contact_remove(efd_store_t *st, const char *owner, const char *uri)
{
    char u[EFD_STORE_URI_MAX];
    aor_t a;

    if (contact_key(owner, uri, &a, u, sizeof u) < 0)
        return EF_EINVAL;
    int r = contact_update(st, Q_CT_DEL, &a, u, NULL, 0, NULL, 0);
    return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

static void contact_row(sqlite3_stmt *s, efd_store_contact_t *c)
{
    snprintf(c->owner, sizeof c->owner, "%s", col(s, 0));
    snprintf(c->uri, sizeof c->uri, "%s", col(s, 1));
    c->added = sqlite3_column_int64(s, 2);
    c->checked = sqlite3_column_int64(s, 3);
    int v = sqlite3_column_int(s, 4);
    c->status = v >= EFD_CONTACT_UNCHECKED && v <= EFD_CONTACT_FAILED ? (efd_contact_status_t)v
                                                                      : EFD_CONTACT_UNCHECKED;
    c->sent = sqlite3_column_int64(s, 5);
    c->retry_at = sqlite3_column_int64(s, 6);
    snprintf(c->reason, sizeof c->reason, "%s", col(s, 7));
    snprintf(c->call_id, sizeof c->call_id, "%s", col(s, 8));
}

/* Every row of a prepared and bound statement into a new array. */
static int contact_rows(efd_store_t *st, sqlite3_stmt *s, efd_store_contact_t **out, size_t *n)
{
    efd_store_contact_t *v = NULL;
    size_t cap = 0, k = 0;
    int r;

    while ((r = row(st, s)) > 0) {
        efd_store_contact_t *g = grow(v, &cap, k, sizeof *v);
        if (g == NULL) {
            r = EF_ENOMEM;
            break;
        }
        v = g;
        contact_row(s, &v[k++]);
    }
    sqlite3_reset(s);
    if (r < 0) {
        free(v);
        return r;
    }
    *out = v;
    *n = k;
    return 0;
}

int efd_store_contact_list(efd_store_t *st, const char *owner, efd_store_contact_t **out, size_t *n)
{
    sqlite3_stmt *s;
    aor_t a;

    *out = NULL;
    *n = 0;
    if (owner != NULL && aor_parse(owner, &a) < 0)
        return EF_EINVAL;
    if ((s = stmt(st, owner != NULL ? Q_CT_LIST_OWNER : Q_CT_LIST)) == NULL)
        return -EIO;
    if (owner != NULL)
        bind_text(s, 1, a.aor);
    return contact_rows(st, s, out, n);
}

int efd_store_contact_recheck(efd_store_t *st, const char *owner, const char *uri)
{
    char u[EFD_STORE_URI_MAX];
    aor_t a;

    if (uri == NULL) {
        if (aor_parse(owner, &a) < 0)
            return EF_EINVAL;
        return contact_update(st, Q_CT_RECHECK_OWNER, &a, NULL, NULL, 0, NULL, 0);
    }
    if (contact_key(owner, uri, &a, u, sizeof u) < 0)
        return EF_EINVAL;
    return contact_update(st, Q_CT_RECHECK, &a, u, NULL, 0, NULL, 0);
}

int efd_store_contact_due(efd_store_t *st, int64_t now, int64_t interval, size_t max,
                          efd_store_contact_t **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, Q_CT_DUE);

    *out = NULL;
    *n = 0;
    if (s == NULL)
        return -EIO;
    sqlite3_bind_int64(s, 1, now - interval);
    sqlite3_bind_int64(s, 2, now);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
    return contact_rows(st, s, out, n);
}

int64_t efd_store_contact_last_sent(efd_store_t *st, const char *uri)
{
    char u[EFD_STORE_URI_MAX];
    sqlite3_stmt *s;

    if (efd_store_contact_norm(uri, u, sizeof u) < 0)
        return EF_EINVAL;
    if ((s = stmt(st, Q_CT_LAST_SENT)) == NULL)
        return -EIO;
    bind_text(s, 1, u);
    return count(st, s);
}

int efd_store_contact_sent(efd_store_t *st, const char *owner, const char *uri, const char *call_id,
                           int64_t now)
{
    char u[EFD_STORE_URI_MAX];
    aor_t a;

    if (contact_key(owner, uri, &a, u, sizeof u) < 0 || call_id == NULL ||
        strlen(call_id) >= EFD_STORE_CALL_ID_MAX)
        return EF_EINVAL;
    int r = contact_update(st, Q_CT_SENT, &a, u, &now, 1, call_id, 4);
    return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

int efd_store_contact_defer(efd_store_t *st, const char *owner, const char *uri, int64_t until,
                            const char *why)
{
    char u[EFD_STORE_URI_MAX];
    aor_t a;

    if (contact_key(owner, uri, &a, u, sizeof u) < 0)
        return EF_EINVAL;
    int r = contact_update(st, Q_CT_DEFER, &a, u, &until, 1, why != NULL ? why : "", 4);
    return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

int efd_store_contact_result(efd_store_t *st, const char *call_id, efd_contact_status_t status,
                             const char *why, int64_t now, int64_t retry_at)
{
    int id = status == EFD_CONTACT_VALID     ? Q_CT_VALID
             : status == EFD_CONTACT_INVALID ? Q_CT_INVALID
             : status == EFD_CONTACT_FAILED  ? Q_CT_FAILED
                                             : -1;
    sqlite3_stmt *s;

    if (id < 0 || call_id == NULL || call_id[0] == '\0')
        return EF_EINVAL;
    if ((s = stmt(st, id)) == NULL)
        return -EIO;
    bind_text(s, 1, call_id);
    sqlite3_bind_int64(s, 2, now);
    bind_text(s, 3, why != NULL ? why : "");
    if (id == Q_CT_FAILED)
        sqlite3_bind_int64(s, 4, retry_at);
    return run(st, s);
}

int efd_store_contact_undefer(efd_store_t *st)
{
    sqlite3_stmt *s = stmt(st, Q_CT_UNDEFER);
    return s == NULL ? -EIO : run(st, s);
}

int efd_store_contact_invalidate(efd_store_t *st, const char *owner, const char *uri,
                                 const char *why, int64_t now)
{
    char u[EFD_STORE_URI_MAX];
    aor_t a;

    if (contact_key(owner, uri, &a, u, sizeof u) < 0)
        return EF_EINVAL;
    return contact_update(st, Q_CT_INVALIDATE, &a, u, &now, 1, why != NULL ? why : "", 4);
}

/* --- presence ------------------------------------------------------------------------------ */

/*
 * Presence writes come at the rate of PUBLISH and SUBSCRIBE: they join one
 * open transaction that the daemon commits a few milliseconds later
 * (efd_store_flush), so one sync to disk covers many of them. Any other change
 * commits that batch before its own transaction begins.
 */
static int batch_on(efd_store_t *st)
{
    if (st->batch)
        return 0;
    sqlite3_stmt *s = stmt(st, Q_BEGIN);
    if (s == NULL || run(st, s) < 0)
        return -EIO;
    st->batch = true;
    return 0;
}

int efd_store_flush(efd_store_t *st)
{
    if (st == NULL || !st->batch)
        return 0;
    st->batch = false;
    return tx_end(st, 0) < 0 ? -EIO : 0;
}

bool efd_store_pending(const efd_store_t *st)
{
    return st != NULL && st->batch;
}

/* One batched statement: prepared, bound by fill, run. */
static int batched(efd_store_t *st, int id, void (*fill)(sqlite3_stmt *, const void *),
                   const void *arg)
{
    sqlite3_stmt *s;
    int r = batch_on(st);
    if (r < 0 || (s = stmt(st, id)) == NULL)
        return r < 0 ? r : -EIO;
    fill(s, arg);
    return run(st, s);
}

static void pub_fill(sqlite3_stmt *s, const void *arg)
{
    const efd_store_pub_t *p = arg;
    bind_text(s, 1, p->etag);
    bind_text(s, 2, p->aor);
    sqlite3_bind_blob(s, 3, p->body, (int)p->body_len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, p->expires);
}

struct pub_move {
    const char *old;
    const efd_store_pub_t *p;
};

static void pub_move_fill(sqlite3_stmt *s, const void *arg)
{
    const struct pub_move *m = arg;
    bind_text(s, 1, m->old);
    bind_text(s, 2, m->p->etag);
    sqlite3_bind_int64(s, 3, m->p->expires);
}

static void key1_fill(sqlite3_stmt *s, const void *arg)
{
    bind_text(s, 1, arg);
}

int efd_store_pub_put(efd_store_t *st, const char *old_etag, const efd_store_pub_t *p)
{
    if (p == NULL || p->etag == NULL || p->aor == NULL || (p->body == NULL && old_etag == NULL) ||
        p->body_len > EFD_STORE_MSG_MAX)
        return EF_EINVAL;
    if (p->body == NULL) { /* a refresh: the document stays, under the new tag */
        struct pub_move m = {old_etag, p};
        int r = batched(st, Q_PUB_MOVE, pub_move_fill, &m);
        return r < 0 ? r : r == 0 ? -ENOENT : 0;
    }
    if (old_etag != NULL) {
        int r = batched(st, Q_PUB_DEL, key1_fill, old_etag);
        if (r < 0)
            return r;
    }
    int r = batched(st, Q_PUB_PUT, pub_fill, p);
    return r < 0 ? r : 0;
}

int efd_store_pub_del(efd_store_t *st, const char *etag)
{
    int r = batched(st, Q_PUB_DEL, key1_fill, etag);
    return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

static void sub_fill(sqlite3_stmt *s, const void *arg)
{
    const efd_store_sub_t *b = arg;
    bind_text(s, 1, b->call_id);
    bind_text(s, 2, b->our_tag);
    bind_text(s, 3, b->aor);
    bind_text(s, 4, b->event);
    bind_text(s, 5, b->their_tag);
    bind_text(s, 6, b->watcher);
    bind_text(s, 7, b->target);
    bind_text(s, 8, b->routes);
    sqlite3_bind_int64(s, 9, b->cseq);
    sqlite3_bind_int64(s, 10, b->expires);
    sqlite3_bind_int(s, 11, b->side);
    sqlite3_bind_int(s, 12, b->transport);
    bind_text(s, 13, b->address);
    bind_text(s, 14, b->peer != NULL ? b->peer : "");
}

int efd_store_sub_put(efd_store_t *st, const efd_store_sub_t *b)
{
    if (b == NULL || b->call_id == NULL || b->our_tag == NULL || b->aor == NULL ||
        b->event == NULL || b->their_tag == NULL || b->watcher == NULL || b->target == NULL ||
        b->address == NULL)
        return EF_EINVAL;
    int r = batched(st, Q_SUB_PUT, sub_fill, b);
    return r < 0 ? r : 0;
}

struct sub_key {
    const char *call_id, *our_tag;
};

static void sub_key_fill(sqlite3_stmt *s, const void *arg)
{
    const struct sub_key *k = arg;
    bind_text(s, 1, k->call_id);
    bind_text(s, 2, k->our_tag);
}

int efd_store_sub_del(efd_store_t *st, const char *call_id, const char *our_tag)
{
    struct sub_key k = {call_id, our_tag};
    int r = batched(st, Q_SUB_DEL, sub_key_fill, &k);
    return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t != NULL ? (const char *)t : "";
}

/* Rows of a load query handed to a callback, after what expired at now is deleted. */
static int load_rows(efd_store_t *st, int expire_q, int load_q, int64_t now,
                     int (*row_cb)(sqlite3_stmt *, void *), void *arg)
{
    int r = efd_store_flush(st);
    sqlite3_stmt *s;
    if (r < 0 || (r = expire(st, expire_q, now)) < 0)
        return r;
    if ((s = stmt(st, load_q)) == NULL)
        return -EIO;
    int n = 0;
    while ((r = row(st, s)) > 0) {
        if ((r = row_cb(s, arg)) < 0)
            break;
        n++;
    }
    sqlite3_reset(s);
    return r < 0 ? r : n;
}

struct load_cb {
    int (*pub)(void *, const efd_store_pub_t *);
    int (*sub)(void *, const efd_store_sub_t *);
    void *arg;
};

static int pub_row(sqlite3_stmt *s, void *arg)
{
    const struct load_cb *l = arg;
    efd_store_pub_t p = {.etag = col_text(s, 0),
                         .aor = col_text(s, 1),
                         .body = sqlite3_column_blob(s, 2),
                         .body_len = (size_t)sqlite3_column_bytes(s, 2),
                         .expires = sqlite3_column_int64(s, 3)};
    return l->pub(l->arg, &p);
}

int efd_store_pub_load(efd_store_t *st, int64_t now, int (*cb)(void *, const efd_store_pub_t *),
                       void *arg)
{
    struct load_cb l = {.pub = cb, .arg = arg};
    return load_rows(st, Q_PUB_EXPIRE, Q_PUB_LOAD, now, pub_row, &l);
}

static int sub_row(sqlite3_stmt *s, void *arg)
{
    const struct load_cb *l = arg;
    efd_store_sub_t b = {.call_id = col_text(s, 0),
                         .our_tag = col_text(s, 1),
                         .aor = col_text(s, 2),
                         .event = col_text(s, 3),
                         .their_tag = col_text(s, 4),
                         .watcher = col_text(s, 5),
                         .target = col_text(s, 6),
                         .routes = sqlite3_column_type(s, 7) == SQLITE_NULL ? NULL : col_text(s, 7),
                         .cseq = (uint32_t)sqlite3_column_int64(s, 8),
                         .expires = sqlite3_column_int64(s, 9),
                         .side = sqlite3_column_int(s, 10),
                         .transport = sqlite3_column_int(s, 11),
                         .address = col_text(s, 12),
                         .peer = col_text(s, 13)};
    return l->sub(l->arg, &b);
}

int efd_store_sub_load(efd_store_t *st, int64_t now, int (*cb)(void *, const efd_store_sub_t *),
                       void *arg)
{
    struct load_cb l = {.sub = cb, .arg = arg};
    return load_rows(st, Q_SUB_EXPIRE, Q_SUB_LOAD, now, sub_row, &l);
}

/* --- presence authorization rules ------------------------------------------------------------ */

static const char *const rule_names[] = {
    [EFD_RULE_NONE] = "none",       [EFD_RULE_ALLOW] = "allow",
    [EFD_RULE_BLOCK] = "block",     [EFD_RULE_POLITE_BLOCK] = "polite-block",
    [EFD_RULE_CONFIRM] = "confirm", [EFD_RULE_WAITING] = "waiting",
};

const char *efd_rule_name(efd_rule_t r)
{
    return (unsigned)r < sizeof rule_names / sizeof rule_names[0] ? rule_names[r] : "?";
}

int efd_rule_parse(const char *text, efd_rule_t *out)
{
    for (size_t i = EFD_RULE_ALLOW; text != NULL && i < sizeof rule_names / sizeof rule_names[0];
         i++)
        if (strcmp(text, rule_names[i]) == 0) {
            *out = (efd_rule_t)i;
            return 0;
        }
    return EF_EINVAL;
}

/*
 * A watcher key as stored: "*", a domain (lower case), or an AoR "user@domain"
 * (domain in lower case); a "sip:"/"sips:"/"pres:" scheme and URI parameters
 * are dropped.
 */
static int watcher_key(const char *in, char *out, size_t cap)
{
    if (in == NULL || *in == '\0')
        return EF_EINVAL;
    if (strcmp(in, "*") == 0) {
        snprintf(out, cap, "*");
        return 0;
    }
    static const char *const schemes[] = {"sip:", "sips:", "pres:", "im:"};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (strncasecmp(in, schemes[i], strlen(schemes[i])) == 0) {
            in += strlen(schemes[i]);
            break;
        }
    size_t n = strcspn(in, ";?>");
    if (n == 0 || n >= cap)
        return EF_EINVAL;
    const char *at = memchr(in, '@', n);
    size_t dom = at != NULL ? (size_t)(at - in) + 1 : 0;
    if (dom == n)
        return EF_EINVAL;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if ((unsigned char)c <= ' ' || c == '"' || c == '<')
            return EF_EINVAL;
        out[i] = i >= dom && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    out[n] = '\0';
    return 0;
}

int efd_store_watcher_key(const char *in, char *out, size_t cap)
{
    return watcher_key(in, out, cap);
}

int efd_store_rule_set(efd_store_t *st, const char *aor, const char *watcher, efd_rule_t r,
                       int64_t now)
{
    char key[2 * EFD_STORE_NAME_MAX];
    aor_t a;
    sqlite3_stmt *s;
    int rc;

    if (aor_parse(aor, &a) < 0 || watcher_key(watcher, key, sizeof key) < 0 || r <= EFD_RULE_NONE ||
        r > EFD_RULE_WAITING)
        return EF_EINVAL;
    if ((rc = tx_begin(st)) < 0)
        return rc;
    if ((s = stmt(st, Q_RULE_PUT)) == NULL)
        return tx_end(st, -EIO);
    bind_text(s, 1, a.aor);
    bind_text(s, 2, key);
    bind_text(s, 3, rule_names[r]);
    sqlite3_bind_int64(s, 4, now);
    rc = run(st, s);
    return tx_end(st, rc < 0 ? rc : 0);
}

int efd_store_rule_del(efd_store_t *st, const char *aor, const char *watcher)
{
    char key[2 * EFD_STORE_NAME_MAX];
    aor_t a;
    sqlite3_stmt *s;
    int rc;

    if (aor_parse(aor, &a) < 0 || watcher_key(watcher, key, sizeof key) < 0)
        return EF_EINVAL;
    if ((rc = tx_begin(st)) < 0)
        return rc;
    if ((s = stmt(st, Q_RULE_DEL)) == NULL)
        return tx_end(st, -EIO);
    bind_text(s, 1, a.aor);
    bind_text(s, 2, key);
    rc = run(st, s);
    return tx_end(st, rc < 0 ? rc : rc == 0 ? -ENOENT : 0);
}

/* The action stored for exactly (aor, key), EFD_RULE_NONE when none. */
static int rule_get(efd_store_t *st, const char *aor, const char *key, efd_rule_t *out)
{
    sqlite3_stmt *s = stmt(st, Q_RULE_GET);
    int r;
    *out = EFD_RULE_NONE;
    if (s == NULL)
        return -EIO;
    bind_text(s, 1, aor);
    bind_text(s, 2, key);
    if ((r = row(st, s)) > 0 && efd_rule_parse(col_text(s, 0), out) < 0)
        *out = EFD_RULE_NONE;
    sqlite3_reset(s);
    return r < 0 ? r : 0;
}

int efd_store_rule_find(efd_store_t *st, const char *aor, const char *watcher, efd_rule_t *out,
                        char *matched, size_t cap)
{
    char key[2 * EFD_STORE_NAME_MAX];
    aor_t a;
    int r;

    *out = EFD_RULE_NONE;
    if (aor_parse(aor, &a) < 0 || watcher_key(watcher, key, sizeof key) < 0)
        return EF_EINVAL;
    const char *at = strrchr(key, '@');
    const char *tries[] = {key, at != NULL ? at + 1 : NULL, "*"};
    for (size_t i = 0; i < 3; i++) {
        if (tries[i] == NULL)
            continue;
        if ((r = rule_get(st, a.aor, tries[i], out)) < 0)
            return r;
        if (*out != EFD_RULE_NONE) {
            if (matched != NULL)
                snprintf(matched, cap, "%s", tries[i]);
            return 0;
        }
    }
    return 0;
}

static int rule_row(sqlite3_stmt *s, void *v)
{
    efd_store_rule_row_t *r = v;
    r->aor = strdup(col_text(s, 0));
    r->watcher = strdup(col_text(s, 1));
    if (efd_rule_parse(col_text(s, 2), &r->action) < 0)
        r->action = EFD_RULE_NONE;
    r->updated = sqlite3_column_int64(s, 3);
    return r->aor != NULL && r->watcher != NULL ? 0 : EF_ENOMEM;
}

static void rules_free_v(void *v, size_t n)
{
    efd_store_rules_free(v, n);
}

int efd_store_rule_list(efd_store_t *st, const char *aor, efd_store_rule_row_t **out, size_t *n)
{
    sqlite3_stmt *s;
    efd_store_rule_row_t *v = NULL;
    size_t cap = 0, k = 0;
    aor_t a;
    int r;

    *out = NULL;
    *n = 0;
    if (aor != NULL && aor_parse(aor, &a) < 0)
        return EF_EINVAL;
    if ((s = stmt(st, aor != NULL ? Q_RULE_LIST : Q_RULE_LIST_ALL)) == NULL)
        return -EIO;
    if (aor != NULL)
        bind_text(s, 1, a.aor);
    while ((r = row(st, s)) > 0) {
        efd_store_rule_row_t *g = grow(v, &cap, k, sizeof *v);
        if (g == NULL) {
            r = EF_ENOMEM;
            break;
        }
        v = g;
        memset(&v[k], 0, sizeof v[k]);
        if ((r = rule_row(s, &v[k++])) < 0)
            break;
    }
    sqlite3_reset(s);
    if (r < 0) {
        rules_free_v(v, k);
        return r;
    }
    *out = v;
    *n = k;
    return 0;
}

void efd_store_rules_free(efd_store_rule_row_t *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(r[i].aor);
        free(r[i].watcher);
    }
    free(r);
}

/* Each AoR of a one-column query with ?1 = since handed to cb. */
static int aors_since(efd_store_t *st, int q, int64_t since, int (*cb)(void *, const char *aor),
                      void *arg)
{
    sqlite3_stmt *s = stmt(st, q);
    int r, n = 0;
    if (s == NULL)
        return -EIO;
    sqlite3_bind_int64(s, 1, since);
    while ((r = row(st, s)) > 0) {
        if ((r = cb(arg, col_text(s, 0))) < 0)
            break;
        n++;
    }
    sqlite3_reset(s);
    return r < 0 ? r : n;
}

int efd_store_rule_changed(efd_store_t *st, int64_t since, int (*cb)(void *, const char *aor),
                           void *arg)
{
    return aors_since(st, Q_RULE_CHANGED, since, cb, arg);
}

int efd_store_gone_since(efd_store_t *st, int64_t since, int (*cb)(void *, const char *aor),
                         void *arg)
{
    return aors_since(st, Q_GONE_SINCE, since, cb, arg);
}
