/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enumfedctl -- manage the users of an enumfedd store: add users (their
 * password is read from a file, standard input or the terminal, never from
 * the command line, and only its HA1s are kept), disable, enable and remove
 * them, and list users, the tombstones of removed AoRs and the offline
 * messages waiting for a user.
 *
 *   enumfedctl [-d STORE] [--hold-days N] user add USER@DOMAIN
 *              [--password-file FILE | --password-stdin]
 *   enumfedctl [-d STORE] user disable|enable|remove USER@DOMAIN
 *   enumfedctl [-d STORE] user list | tombstones | messages USER@DOMAIN
 *   enumfedctl [-d STORE] contact add|remove USER@DOMAIN URI
 *   enumfedctl [-d STORE] contact list [USER@DOMAIN] | contact recheck USER@DOMAIN [URI]
 *   enumfedctl [-d STORE] presence rule|forget|rules ...
 *
 * Exit status: 0 done, 1 refused or failed (no such user, AoR held, store
 * error), 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "enumfed/common.h"
#include "enumfed/digest.h"
#include "store.h"

#define DEFAULT_STORE "/var/lib/enumfedd/store.db"
#define PASSWORD_MAX 1024

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef struct {
    const char *db;
    int hold_days;
    efd_store_t *st;
    int64_t now;
} ctl_t;

static void usage(FILE *out)
{
    fputs("usage: enumfedctl [-d STORE] [--hold-days N] COMMAND\n"
          "  user add USER@DOMAIN [--password-file FILE | --password-stdin]\n"
          "  user disable USER@DOMAIN\n"
          "  user enable USER@DOMAIN\n"
          "  user remove USER@DOMAIN   (the AoR is then held for --hold-days, at least 90)\n"
          "  user list\n"
          "  tombstones\n"
          "  messages USER@DOMAIN\n"
          "  contact add USER@DOMAIN URI     (an external contact, checked by enumfedd)\n"
          "  contact remove USER@DOMAIN URI\n"
          "  contact list [USER@DOMAIN]\n"
          "  contact recheck USER@DOMAIN [URI]   (again, even after a 4xx)\n"
          "  presence rule USER@DOMAIN WATCHER allow|block|polite-block|confirm\n"
          "  presence forget USER@DOMAIN WATCHER\n"
          "  presence rules [USER@DOMAIN]\n"
          "     WATCHER: an address (sip:bob@b.example), a domain, or * for everyone\n"
          "  -d, --db STORE   the store (default " DEFAULT_STORE ")\n"
          "Without a password option, the password is asked on the terminal.\n",
          out);
}

static const char *iso(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, cap, "%lld", (long long)t);
    return buf;
}

/* USER@DOMAIN: a SIP user part (RFC 3261 §25.1) and a host name, domain lowered. */
static bool parse_aor(const char *s, char *user, char *domain)
{
    const char *at = strrchr(s, '@');
    size_t ul = at ? (size_t)(at - s) : 0, dl = at ? strlen(at + 1) : 0;

    if (ul == 0 || ul >= EFD_STORE_NAME_MAX || dl == 0 || dl >= EFD_STORE_NAME_MAX)
        return false;
    for (size_t i = 0; i < ul; i++)
        if (strchr("-_.!~*'()&=+$,;?/%", s[i]) == NULL && !(s[i] >= 'a' && s[i] <= 'z') &&
            !(s[i] >= 'A' && s[i] <= 'Z') && !(s[i] >= '0' && s[i] <= '9'))
            return false;
    memcpy(user, s, ul);
    user[ul] = '\0';
    for (size_t i = 0; i <= dl; i++) {
        char c = at[1 + i];
        if (c != '\0' && c != '.' && c != '-' && !(c >= 'a' && c <= 'z') &&
            !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9'))
            return false;
        domain[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    return true;
}

/* One line into buf, without its end of line; -1 on EOF, overlong or empty. */
static int read_line(FILE *f, char *buf, size_t cap)
{
    if (fgets(buf, (int)cap, f) == NULL)
        return -1;
    size_t n = strlen(buf);
    if (n == cap - 1 && buf[n - 1] != '\n' && !feof(f))
        return -1;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return n > 0 ? 0 : -1;
}

/* Ask twice on the terminal without echo. */
static int ask_password(char *pw, size_t cap)
{
    char again[PASSWORD_MAX];
    struct termios old, quiet;
    FILE *tty = fopen("/dev/tty", "r+");
    int rc = -1;

    if (tty == NULL || tcgetattr(fileno(tty), &old) != 0) {
        fputs("enumfedctl: no terminal: use --password-file or --password-stdin\n", stderr);
        if (tty != NULL)
            fclose(tty);
        return -1;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    fputs("Password: ", tty);
    fflush(tty);
    if (read_line(tty, pw, cap) == 0) {
        fputs("\nAgain: ", tty);
        fflush(tty);
        rc = read_line(tty, again, sizeof again) == 0 && strcmp(pw, again) == 0 ? 0 : -1;
    }
    fputs("\n", tty);
    tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fclose(tty);
    OPENSSL_cleanse(again, sizeof again);
    if (rc != 0)
        fputs("enumfedctl: the passwords are empty or differ\n", stderr);
    return rc;
}

/* The password from --password-file, --password-stdin or the terminal. */
static int get_password(const char *file, bool from_stdin, char *pw, size_t cap)
{
    FILE *f;
    int rc;

    if (file == NULL && !from_stdin)
        return ask_password(pw, cap);
    if ((f = from_stdin ? stdin : fopen(file, "r")) == NULL) {
        fprintf(stderr, "enumfedctl: %s: %s\n", file, strerror(errno));
        return -1;
    }
    rc = read_line(f, pw, cap);
    if (f != stdin)
        fclose(f);
    if (rc != 0)
        fprintf(stderr, "enumfedctl: %s: no password on its first line (at most %d bytes)\n",
                from_stdin ? "standard input" : file, PASSWORD_MAX - 1);
    return rc;
}

/* The HA1s of user at realm (= domain) for both algorithms; the password is wiped. */
static int make_ha1s(const char *user, const char *domain, char *pw, char *md5, char *sha)
{
    ef_str_t u = {user, strlen(user)}, r = {domain, strlen(domain)}, p = {pw, strlen(pw)};
    int rc = ef_digest_ha1(EF_DIGEST_MD5, u, r, p, md5, EF_DIGEST_HEX_MAX);

    if (rc == 0)
        rc = ef_digest_ha1(EF_DIGEST_SHA256, u, r, p, sha, EF_DIGEST_HEX_MAX);
    OPENSSL_cleanse(pw, PASSWORD_MAX);
    return rc;
}

/* Say why a store call failed; the exit status. */
static int store_fail(const ctl_t *c, const char *aor, int rc)
{
    const char *why = rc == -ENOENT                              ? "no such user"
                      : rc == -EEXIST                            ? "the user exists"
                      : rc == -EIO && efd_store_errmsg(c->st)[0] ? efd_store_errmsg(c->st)
                                                                 : ef_strerror(rc);
    fprintf(stderr, "enumfedctl: %s: %s\n", aor, why);
    return EXIT_FAIL;
}

static int cmd_user_add(ctl_t *c, int argc, char **argv)
{
    char user[EFD_STORE_NAME_MAX], domain[EFD_STORE_NAME_MAX], pw[PASSWORD_MAX];
    char md5[EF_DIGEST_HEX_MAX], sha[EF_DIGEST_HEX_MAX], when[32];
    const char *aor = NULL, *file = NULL;
    bool from_stdin = false;
    int64_t until = 0;
    int rc;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--password-file") == 0 && i + 1 < argc && file == NULL)
            file = argv[++i];
        else if (strcmp(argv[i], "--password-stdin") == 0)
            from_stdin = true;
        else if (argv[i][0] != '-' && aor == NULL)
            aor = argv[i];
        else
            return usage(stderr), EXIT_USAGE;
    }
    if (aor == NULL || (file != NULL && from_stdin))
        return usage(stderr), EXIT_USAGE;
    if (!parse_aor(aor, user, domain)) {
        fprintf(stderr, "enumfedctl: %s: not USER@DOMAIN\n", aor);
        return EXIT_USAGE;
    }
    if (get_password(file, from_stdin, pw, sizeof pw) != 0 ||
        make_ha1s(user, domain, pw, md5, sha) != 0)
        return EXIT_FAIL;
    rc = efd_store_user_add(c->st, user, domain, md5, sha, c->now, c->hold_days, &until);
    if (rc == -EACCES) {
        fprintf(stderr, "enumfedctl: %s@%s: removed, held until %s\n", user, domain,
                iso(until, when, sizeof when));
        return EXIT_FAIL;
    }
    if (rc < 0)
        return store_fail(c, aor, rc);
    printf("%s@%s added\n", user, domain);
    return EXIT_OK;
}

static int cmd_user_change(ctl_t *c, const char *verb, int argc, char **argv)
{
    char user[EFD_STORE_NAME_MAX], domain[EFD_STORE_NAME_MAX], when[32];
    efd_store_removed_t r;
    int rc;

    if (argc != 1)
        return usage(stderr), EXIT_USAGE;
    if (!parse_aor(argv[0], user, domain)) {
        fprintf(stderr, "enumfedctl: %s: not USER@DOMAIN\n", argv[0]);
        return EXIT_USAGE;
    }
    if (strcmp(verb, "remove") != 0) {
        rc = efd_store_user_set_disabled(c->st, user, domain, strcmp(verb, "disable") == 0);
        if (rc < 0)
            return store_fail(c, argv[0], rc);
        printf("%s@%s %sd\n", user, domain, verb);
        return EXIT_OK;
    }
    if ((rc = efd_store_user_remove(c->st, user, domain, c->now, &r)) < 0)
        return store_fail(c, argv[0], rc);
    printf("%s@%s removed: %u binding%s, %u message%s; held until %s\n", user, domain, r.bindings,
           r.bindings == 1 ? "" : "s", r.messages, r.messages == 1 ? "" : "s",
           iso(r.removed_at + (int64_t)c->hold_days * 86400, when, sizeof when));
    return EXIT_OK;
}

/* USER@DOMAIN, enabled or disabled, created */
static int cmd_user_list(ctl_t *c, int argc)
{
    efd_store_user_t *u;
    char when[32];
    size_t n;
    int rc;

    if (argc != 0)
        return usage(stderr), EXIT_USAGE;
    if ((rc = efd_store_user_list(c->st, &u, &n)) < 0)
        return store_fail(c, c->db, rc);
    for (size_t i = 0; i < n; i++)
        printf("%s@%s\t%s\t%s\n", u[i].user, u[i].domain, u[i].disabled ? "disabled" : "enabled",
               iso(u[i].created, when, sizeof when));
    free(u);
    return EXIT_OK;
}

/* AOR, removed at, free at (with --hold-days), held or free now */
static int cmd_tombstones(ctl_t *c, int argc)
{
    efd_store_tomb_t *t;
    char w1[32], w2[32];
    size_t n;
    int rc;

    if (argc != 0)
        return usage(stderr), EXIT_USAGE;
    if ((rc = efd_store_tomb_list(c->st, &t, &n)) < 0)
        return store_fail(c, c->db, rc);
    for (size_t i = 0; i < n; i++) {
        int64_t free_at = t[i].removed_at + (int64_t)c->hold_days * 86400;
        printf("%s\t%s\t%s\t%s\n", t[i].aor, iso(t[i].removed_at, w1, sizeof w1),
               iso(free_at, w2, sizeof w2), c->now < free_at ? "held" : "free");
    }
    free(t);
    return EXIT_OK;
}

/* ID, received, expires, sender, content type, bytes: never the body */
static int cmd_messages(ctl_t *c, int argc, char **argv)
{
    char user[EFD_STORE_NAME_MAX], domain[EFD_STORE_NAME_MAX], aor[2 * EFD_STORE_NAME_MAX];
    char w1[32], w2[32];
    efd_store_msg_t *m;
    size_t n;
    int rc;

    if (argc != 1)
        return usage(stderr), EXIT_USAGE;
    if (!parse_aor(argv[0], user, domain)) {
        fprintf(stderr, "enumfedctl: %s: not USER@DOMAIN\n", argv[0]);
        return EXIT_USAGE;
    }
    snprintf(aor, sizeof aor, "%s@%s", user, domain);
    if ((rc = efd_store_msg_list(c->st, aor, c->now, &m, &n)) < 0)
        return store_fail(c, argv[0], rc);
    for (size_t i = 0; i < n; i++)
        printf("%lld\t%s\t%s\t%s\t%s\t%zu\n", (long long)m[i].id,
               iso(m[i].received_at, w1, sizeof w1), iso(m[i].expires_at, w2, sizeof w2),
               m[i].sender, m[i].content_type, m[i].body_len);
    efd_store_msgs_free(m, n);
    return EXIT_OK;
}

/*
 * The presentity's decisions on its watchers (draft-levin-simple-interdomain-reqs
 * §9.3): a running enumfedd applies them to live subscriptions within
 * seconds, or at once on SIGHUP.
 */
static int cmd_presence(ctl_t *c, int argc, char **argv)
{
    char user[EFD_STORE_NAME_MAX], domain[EFD_STORE_NAME_MAX], aor[2 * EFD_STORE_NAME_MAX];
    char key[2 * EFD_STORE_NAME_MAX], when[32];
    efd_store_user_t rec;
    efd_rule_t r = EFD_RULE_NONE;
    int want = strcmp(argv[0], "rule") == 0 ? 4 : strcmp(argv[0], "forget") == 0 ? 3 : -1;
    int rc;

    if (strcmp(argv[0], "rules") == 0 && argc <= 2) {
        efd_store_rule_row_t *rows;
        size_t n;
        if (argc == 2 && !parse_aor(argv[1], user, domain)) {
            fprintf(stderr, "enumfedctl: %s: not USER@DOMAIN\n", argv[1]);
            return EXIT_USAGE;
        }
        snprintf(aor, sizeof aor, "%s@%s", user, domain);
        if ((rc = efd_store_rule_list(c->st, argc == 2 ? aor : NULL, &rows, &n)) < 0)
            return store_fail(c, c->db, rc);
        for (size_t i = 0; i < n; i++)
            printf("%s\t%s\t%s\t%s\n", rows[i].aor, rows[i].watcher, efd_rule_name(rows[i].action),
                   iso(rows[i].updated, when, sizeof when));
        efd_store_rules_free(rows, n);
        return EXIT_OK;
    }
    if (argc != want)
        return usage(stderr), EXIT_USAGE;
    if (!parse_aor(argv[1], user, domain)) {
        fprintf(stderr, "enumfedctl: %s: not USER@DOMAIN\n", argv[1]);
        return EXIT_USAGE;
    }
    if (efd_store_watcher_key(argv[2], key, sizeof key) != 0) {
        fprintf(stderr, "enumfedctl: %s: not an address, a domain or *\n", argv[2]);
        return EXIT_USAGE;
    }
    if (want == 4 && (efd_rule_parse(argv[3], &r) != 0 || r == EFD_RULE_WAITING)) {
        fprintf(stderr, "enumfedctl: %s: not allow, block, polite-block or confirm\n", argv[3]);
        return EXIT_USAGE;
    }
    if ((rc = efd_store_user_get(c->st, user, domain, &rec)) < 0)
        return store_fail(c, argv[1], rc);
    snprintf(aor, sizeof aor, "%s@%s", user, domain);
    rc = want == 4 ? efd_store_rule_set(c->st, aor, key, r, c->now)
                   : efd_store_rule_del(c->st, aor, key);
    if (rc == -ENOENT) {
        fprintf(stderr, "enumfedctl: %s: no rule for %s\n", aor, key);
        return EXIT_FAIL;
    }
    if (rc < 0)
        return store_fail(c, argv[1], rc);
    if (want == 4)
        printf("%s: %s %s\n", aor, efd_rule_name(r), key);
    else
        printf("%s: rule for %s forgotten\n", aor, key);
    return EXIT_OK;
}

/* --- external contacts (draft-levin-simple-interdomain-reqs §10.2) --- */

static const char *const contact_status[] = {"unchecked", "valid", "invalid", "failed"};

static int contact_fail(const ctl_t *c, const char *what, int rc)
{
    const char *why = rc == -ENOENT     ? "no such user or contact"
                      : rc == EF_EINVAL ? "not USER@DOMAIN and a sip:, pres: or im: URI"
                      : rc == EF_E2BIG  ? "the user has the most contacts allowed"
                      : rc == -EIO && efd_store_errmsg(c->st)[0] ? efd_store_errmsg(c->st)
                                                                 : ef_strerror(rc);
    fprintf(stderr, "enumfedctl: %s: %s\n", what, why);
    return EXIT_FAIL;
}

/* OWNER, URI, status, checked, next automatic check not before, reason */
static int cmd_contact_list(ctl_t *c, int argc, char **argv)
{
    efd_store_contact_t *l;
    char w1[32], w2[32];
    size_t n;
    int rc;

    if (argc > 1)
        return usage(stderr), EXIT_USAGE;
    if ((rc = efd_store_contact_list(c->st, argc ? argv[0] : NULL, &l, &n)) < 0)
        return contact_fail(c, argc ? argv[0] : c->db, rc);
    for (size_t i = 0; i < n; i++)
        printf("%s\t%s\t%s\t%s\t%s\t%s\n", l[i].owner, l[i].uri, contact_status[l[i].status],
               l[i].checked ? iso(l[i].checked, w1, sizeof w1) : "-",
               l[i].retry_at ? iso(l[i].retry_at, w2, sizeof w2) : "-",
               l[i].reason[0] ? l[i].reason : "-");
    free(l);
    return EXIT_OK;
}

static int cmd_contact(ctl_t *c, const char *verb, int argc, char **argv)
{
    int rc;

    if (strcmp(verb, "list") == 0)
        return cmd_contact_list(c, argc, argv);
    if (strcmp(verb, "recheck") == 0) {
        if (argc < 1 || argc > 2)
            return usage(stderr), EXIT_USAGE;
        if ((rc = efd_store_contact_recheck(c->st, argv[0], argc == 2 ? argv[1] : NULL)) < 0)
            return contact_fail(c, argv[0], rc);
        if (rc == 0 && argc == 2)
            return contact_fail(c, argv[1], -ENOENT);
        printf("%d contact%s of %s to be checked again\n", rc, rc == 1 ? "" : "s", argv[0]);
        return EXIT_OK;
    }
    if (argc != 2)
        return usage(stderr), EXIT_USAGE;
    if (strcmp(verb, "add") == 0) {
        if ((rc = efd_store_contact_add(c->st, argv[0], argv[1], c->now, false)) < 0)
            return contact_fail(c, argv[1], rc);
        printf("%s %s %s\n", argv[1], rc == 1 ? "added to" : "already in", argv[0]);
        return EXIT_OK;
    }
    if ((rc = efd_store_contact_remove(c->st, argv[0], argv[1])) < 0)
        return contact_fail(c, argv[1], rc);
    printf("%s removed from %s\n", argv[1], argv[0]);
    return EXIT_OK;
}

static int run(ctl_t *c, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[0], "presence") == 0)
        return cmd_presence(c, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[0], "user") == 0) {
        if (strcmp(argv[1], "add") == 0)
            return cmd_user_add(c, argc - 2, argv + 2);
        if (strcmp(argv[1], "disable") == 0 || strcmp(argv[1], "enable") == 0 ||
            strcmp(argv[1], "remove") == 0)
            return cmd_user_change(c, argv[1], argc - 2, argv + 2);
        if (strcmp(argv[1], "list") == 0)
            return cmd_user_list(c, argc - 2);
    } else if (argc >= 1 && strcmp(argv[0], "tombstones") == 0) {
        return cmd_tombstones(c, argc - 1);
    } else if (argc >= 1 && strcmp(argv[0], "messages") == 0) {
        return cmd_messages(c, argc - 1, argv + 1);
    } else if (argc >= 2 && strcmp(argv[0], "contact") == 0) {
        return cmd_contact(c, argv[1], argc - 2, argv + 2);
    }
    usage(stderr);
    return EXIT_USAGE;
}

static bool known(int argc, char **argv)
{
    static const char *const verbs[] = {"add", "disable", "enable", "remove", "list"};

    if (argc >= 1 && (strcmp(argv[0], "tombstones") == 0 || strcmp(argv[0], "messages") == 0))
        return true;
    if (argc >= 2 && strcmp(argv[0], "presence") == 0)
        return true;
    for (size_t k = 0; argc >= 2 && strcmp(argv[0], "user") == 0 && k < 5; k++)
        if (strcmp(argv[1], verbs[k]) == 0)
            return true;
    if (argc >= 2 && strcmp(argv[0], "contact") == 0)
        return strcmp(argv[1], "add") == 0 || strcmp(argv[1], "remove") == 0 ||
               strcmp(argv[1], "list") == 0 || strcmp(argv[1], "recheck") == 0;
    return false;
}

/* Global options; the index of the command, or -1 after printing why (exit 2). */
static int options(ctl_t *c, int argc, char **argv)
{
    int i = 1;

    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *o = argv[i];
        if ((strcmp(o, "-d") == 0 || strcmp(o, "--db") == 0) && i + 1 < argc) {
            c->db = argv[++i];
        } else if (strcmp(o, "--hold-days") == 0 && i + 1 < argc) {
            char *end;
            long d = strtol(argv[++i], &end, 10);
            /* not less than the floor of draft-levin-simple-interdomain-reqs §10.2 */
            if (*end != '\0' || d < EFD_STORE_HOLD_MIN_DAYS || d > 36500) {
                fprintf(stderr, "enumfedctl: --hold-days: %d to 36500\n", EFD_STORE_HOLD_MIN_DAYS);
                return -1;
            }
            c->hold_days = (int)d;
        } else {
            usage(stderr);
            return -1;
        }
    }
    return i;
}

int main(int argc, char **argv)
{
    ctl_t c = {DEFAULT_STORE, EFD_STORE_HOLD_MIN_DAYS, NULL, (int64_t)time(NULL)};
    char err[512];
    int i, rc;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return EXIT_OK;
    }
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        printf("enumfedctl %s\n", EF_VERSION);
        return EXIT_OK;
    }
    if ((i = options(&c, argc, argv)) < 0)
        return EXIT_USAGE;
    if (!known(argc - i, argv + i)) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (efd_store_open(c.db, &c.st, err, sizeof err) < 0) {
        fprintf(stderr, "enumfedctl: %s\n", err);
        return EXIT_FAIL;
    }
    rc = run(&c, argc - i, argv + i);
    efd_store_close(c.st);
    return rc;
}
