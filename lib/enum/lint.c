/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lint.c -- the checks of `enumsvc lint-zone`: every NAPTR of a zone against
 * the provisioning rules of RFC 6116 §5.1 (Services syntax, Regexp form,
 * ORDER, non-terminals), the naming rules of RFC 6117 §3.2 and the URI scheme
 * each common Enumservice registers, plus the loops non-terminals can form
 * among themselves (RFC 6116 §5.2.1). With a registry (RFC 6117 §11), each
 * Enumservice is looked up: registered, its Intended Usage, its URI schemes.
 *
 * The checks reuse the client's parsers (naptr.c, enumsvc.c, ddds.c, uri/):
 * a record is judged the way a resolver would read it. Names are kept as
 * lowercase presentation text with the final dot; comparisons are textual.
 */
#include <errno.h>
#include <libzscanner/scanner.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enumfed/ddds.h"
#include "enumfed/e164.h"
#include "enumfed/enumsvc.h"
#include "enumfed/lint.h"
#include "enumfed/naptr.h"
#include "enumfed/uri.h"

#define DNS_TYPE_SOA 6
#define DNS_TYPE_NAPTR 35
#define DNS_CLASS_IN 1
#define DEFAULT_TTL 3600
#define ORDER_RECOMMENDED 100      /* RFC 6116 §5.1 */
#define SAMPLE_AUS "+441632960083" /* a UK drama number (Ofcom), never in service */
#define AUS_MAX 64
#define SCHEME_MAX 32

typedef struct {
    char *owner;    /* lowercase presentation, final dot */
    char *target;   /* replacement, same form; "." for none */
    uint8_t *rdata; /* our copy; rr's slices point into it */
    ef_naptr_t rr;
} lint_rec_t;

struct ef_lint_zone {
    char apex[EF_DNAME_TEXT_MAX];
    lint_rec_t *recs;
    size_t n, cap;
    ef_lint_finding_t *found;
    size_t n_found, cap_found;
    bool oom;
    ef_reg_t *reg; /* borrowed; NULL: no registry checks */
    int reg_error; /* the first failed lookup */
    char **strs;   /* details built for findings, freed with them */
    size_t n_strs, cap_strs;
};

const char *ef_lint_severity_name(ef_lint_severity_t sev)
{
    return sev == EF_LINT_ERROR ? "error" : "warning";
}

/* Lowercase copy of a presentation name with exactly one final dot. */
static int normalise(const char *name, char *out, size_t cap)
{
    size_t i, n = strlen(name);

    if (n + 2 > cap)
        return EF_EINVAL;
    for (i = 0; i < n; i++)
        out[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] - 'A' + 'a') : name[i];
    if (n == 0 || out[n - 1] != '.')
        out[n++] = '.';
    out[n] = '\0';
    return 0;
}

ef_lint_zone_t *ef_lint_zone_new(const char *apex)
{
    ef_lint_zone_t *z = calloc(1, sizeof(*z));

    if (z != NULL && apex != NULL && normalise(apex, z->apex, sizeof(z->apex)) != 0) {
        free(z);
        return NULL;
    }
    return z;
}

/* The details of the last check. */
static void free_strs(ef_lint_zone_t *z)
{
    for (size_t i = 0; i < z->n_strs; i++)
        free(z->strs[i]);
    z->n_strs = 0;
}

void ef_lint_zone_free(ef_lint_zone_t *z)
{
    if (z == NULL)
        return;
    free_strs(z);
    free(z->strs);
    for (size_t i = 0; i < z->n; i++) {
        free(z->recs[i].owner);
        free(z->recs[i].target);
        free(z->recs[i].rdata);
    }
    free(z->recs);
    free(z->found);
    free(z);
}

const char *ef_lint_zone_apex(const ef_lint_zone_t *z)
{
    return z->apex;
}

size_t ef_lint_zone_records(const ef_lint_zone_t *z)
{
    return z->n;
}

void ef_lint_zone_set_registry(ef_lint_zone_t *z, ef_reg_t *reg)
{
    if (z != NULL)
        z->reg = reg;
}

static char *dup_name(const char *name)
{
    char tmp[EF_DNAME_TEXT_MAX];

    if (normalise(name, tmp, sizeof(tmp)) != 0)
        return NULL;
    return strdup(tmp);
}

/* The replacement of a decoded record as a normalised name ("." for the root). */
static char *dup_target(const ef_naptr_t *rr)
{
    char tmp[EF_DNAME_TEXT_MAX];

    if (ef_naptr_replacement_text(rr, tmp, sizeof(tmp)) < 0)
        return NULL;
    return dup_name(tmp);
}

static int grow_recs(ef_lint_zone_t *z)
{
    lint_rec_t *r;
    size_t cap = z->cap == 0 ? 16 : z->cap * 2;

    if (z->n < z->cap)
        return 0;
    r = realloc(z->recs, cap * sizeof(*r));
    if (r == NULL)
        return EF_ENOMEM;
    z->recs = r;
    z->cap = cap;
    return 0;
}

int ef_lint_zone_add(ef_lint_zone_t *z, const char *owner, const uint8_t *rdata, size_t len,
                     ef_perr_t *err)
{
    lint_rec_t rec = {0};
    int rc;

    if (z == NULL || owner == NULL || (rdata == NULL && len != 0))
        return EF_EINVAL;
    rec.rdata = malloc(len > 0 ? len : 1);
    if (rec.rdata == NULL || grow_recs(z) != 0) {
        free(rec.rdata);
        return EF_ENOMEM;
    }
    if (len > 0)
        memcpy(rec.rdata, rdata, len);
    rc = ef_naptr_decode(rec.rdata, len, &rec.rr, err);
    if (rc != 0) {
        free(rec.rdata);
        return rc;
    }
    rec.rr.index = z->n;
    rec.owner = dup_name(owner);
    rec.target = dup_target(&rec.rr);
    if (rec.owner == NULL || rec.target == NULL) {
        free(rec.owner);
        free(rec.target);
        free(rec.rdata);
        return EF_EINVAL;
    }
    z->recs[z->n++] = rec;
    return 0;
}

/* --- loading a master file ----------------------------------------------- */

struct load_ctx {
    ef_lint_zone_t *z;
    bool soa_seen;
    int rc;
    int zs_error;            /* the zone parser's first error, 0 if none */
    unsigned long long line; /* and its line */
};

/* A wire-format owner from the zone parser as text, through naptr.c's printer. */
static int owner_text(const zs_scanner_t *s, char *out, size_t cap)
{
    ef_naptr_t fake = {0};

    fake.replacement = (ef_str_t){(const char *)s->r_owner, s->r_owner_length};
    return ef_naptr_replacement_text(&fake, out, cap);
}

static void load_record_cb(zs_scanner_t *s)
{
    struct load_ctx *ctx = s->process.data;
    char owner[EF_DNAME_TEXT_MAX];

    if ((s->r_type != DNS_TYPE_SOA && s->r_type != DNS_TYPE_NAPTR) ||
        owner_text(s, owner, sizeof(owner)) < 0)
        return;
    if (s->r_type == DNS_TYPE_SOA) {
        if (!ctx->soa_seen)
            normalise(owner, ctx->z->apex, sizeof(ctx->z->apex));
        ctx->soa_seen = true;
        return;
    }
    ctx->rc = ef_lint_zone_add(ctx->z, owner, s->r_data, s->r_data_length, NULL);
    if (ctx->rc == EF_ENOMEM)
        s->state = ZS_STATE_STOP;
}

/* The first error of the zone parser stops it: its line is the one reported. */
static void load_error_cb(zs_scanner_t *s)
{
    struct load_ctx *ctx = s->process.data;

    if (ctx->zs_error == 0) {
        ctx->zs_error = s->error.code;
        ctx->line = (unsigned long long)s->line_counter;
    }
    s->state = ZS_STATE_STOP;
}

/* "PATH: line N: MSG" (line 0: no line) into errbuf. */
static int load_fail(char *errbuf, size_t errcap, int rc, const char *path, unsigned long long line,
                     const char *msg)
{
    if (errbuf == NULL || errcap == 0)
        return rc;
    if (line > 0)
        snprintf(errbuf, errcap, "%s: line %llu: %s", path, line, msg);
    else
        snprintf(errbuf, errcap, "%s: %s", path, msg);
    return rc;
}

int ef_lint_zone_load(const char *path, const char *origin, ef_lint_zone_t **out, char *errbuf,
                      size_t errcap)
{
    zs_scanner_t *s = calloc(1, sizeof(*s));
    struct load_ctx ctx = {.z = ef_lint_zone_new(origin)};
    const char *start = origin != NULL ? origin : ".";
    int rc = 0;

    errno = 0;
    if (s == NULL || ctx.z == NULL) {
        rc = load_fail(errbuf, errcap, EF_ENOMEM, path, 0, "out of memory");
    } else if (zs_init(s, start, DNS_CLASS_IN, DEFAULT_TTL) != 0 ||
               zs_set_input_file(s, path) != 0 ||
               zs_set_processing(s, load_record_cb, load_error_cb, &ctx) != 0) {
        rc = load_fail(errbuf, errcap, EF_ECONFIG, path, 0,
                       errno != 0 ? strerror(errno) : zs_strerror(s->error.code));
    } else if (zs_parse_all(s) != 0 || ctx.zs_error != 0) {
        rc = load_fail(errbuf, errcap, EF_ESYNTAX, path, ctx.line,
                       zs_strerror(ctx.zs_error != 0 ? ctx.zs_error : s->error.code));
    } else if (ctx.rc == EF_ENOMEM) {
        rc = load_fail(errbuf, errcap, EF_ENOMEM, path, 0, "out of memory");
    } else if (ctx.z->apex[0] == '\0') {
        rc = load_fail(errbuf, errcap, EF_ECONFIG, path, 0,
                       "no SOA record and no --origin: cannot tell the zone apex");
    }
    if (s != NULL)
        zs_deinit(s);
    free(s);
    if (rc != 0)
        ef_lint_zone_free(ctx.z);
    else
        *out = ctx.z;
    return rc;
}

/* --- reporting ----------------------------------------------------------- */

typedef struct {
    ef_lint_zone_t *z;
    const lint_rec_t *rec;
} check_t;

static void report(check_t *c, ef_lint_severity_t sev, const char *code, const char *msg,
                   const char *detail, const char *rfc)
{
    ef_lint_zone_t *z = c->z;

    if (z->n_found == z->cap_found) {
        size_t cap = z->cap_found == 0 ? 32 : z->cap_found * 2;
        ef_lint_finding_t *f = realloc(z->found, cap * sizeof(*f));
        if (f == NULL) {
            z->oom = true;
            return;
        }
        z->found = f;
        z->cap_found = cap;
    }
    z->found[z->n_found++] = (ef_lint_finding_t){
        .code = code,
        .severity = sev,
        .owner = c->rec->owner,
        .order = c->rec->rr.order,
        .preference = c->rec->rr.preference,
        .record = c->rec->rr.index,
        .message = msg,
        .detail = detail,
        .rfc = rfc,
    };
}

/* A copy of s owned by the zone until the next check, for a finding's detail; NULL on ENOMEM. */
static const char *keep(ef_lint_zone_t *z, const char *s)
{
    char *copy;

    if (z->n_strs == z->cap_strs) {
        size_t cap = z->cap_strs == 0 ? 16 : z->cap_strs * 2;
        char **p = realloc(z->strs, cap * sizeof(*p));
        if (p == NULL) {
            z->oom = true;
            return NULL;
        }
        z->strs = p;
        z->cap_strs = cap;
    }
    copy = strdup(s);
    if (copy == NULL) {
        z->oom = true;
        return NULL;
    }
    z->strs[z->n_strs++] = copy;
    return copy;
}

/* --- names --------------------------------------------------------------- */

/* True when `name` is `apex` or below it (both normalised). */
static bool in_zone(const char *name, const char *apex)
{
    size_t n = strlen(name), a = strlen(apex);

    if (strcmp(apex, ".") == 0 || strcmp(name, apex) == 0)
        return true;
    return n > a && strcmp(name + n - a, apex) == 0 && name[n - a - 1] == '.';
}

/*
 * The AUS a client would hold when it reached this owner (RFC 6116 §3.2): the
 * single-digit labels of the owner reversed, with a "+". Used only when every
 * label below the apex is one digit; otherwise a fixed sample number.
 */
static void sample_aus(const char *owner, const char *apex, char *out, size_t cap)
{
    size_t len = strlen(owner), below = 0, i, n = 0;
    char digits[AUS_MAX];

    if (in_zone(owner, apex)) /* the labels below the apex: owner[0 .. below) */
        below = len - (strcmp(apex, ".") == 0 ? 1 : strlen(apex));
    for (i = 0; i + 1 < len && owner[i] >= '0' && owner[i] <= '9' && owner[i + 1] == '.' &&
                n + 1 < sizeof(digits);
         i += 2)
        digits[n++] = owner[i];
    if (below == 0 || i < below) {
        snprintf(out, cap, "%s", SAMPLE_AUS);
        return;
    }
    out[0] = '+';
    for (i = 0; i < n && i + 2 < cap; i++)
        out[i + 1] = digits[n - 1 - i];
    out[i + 1] = '\0';
}

/* --- per-record checks --------------------------------------------------- */

static bool printable_ascii(ef_str_t s)
{
    for (size_t i = 0; i < s.len; i++)
        if ((unsigned char)s.ptr[i] < 0x20 || (unsigned char)s.ptr[i] > 0x7e)
            return false;
    return true;
}

/* RFC 6116 §5.1: printable US-ASCII only; ORDER 100; no two records alike. */
static void check_fields(check_t *c)
{
    const ef_naptr_t *rr = &c->rec->rr;

    if (!printable_ascii(rr->flags) || !printable_ascii(rr->services) ||
        !printable_ascii(rr->regexp))
        report(c, EF_LINT_WARNING, "non-ascii",
               "a field holds bytes outside printable US-ASCII (U+0020-U+007E)", NULL,
               "RFC 6116 §5.1");
    if (rr->order != ORDER_RECOMMENDED)
        report(c, EF_LINT_WARNING, "order-not-100",
               "ORDER is not the recommended default 100; some clients pre-discard higher ORDERs",
               NULL, "RFC 6116 §5.1");
    for (size_t i = 0; i < rr->index; i++) {
        const lint_rec_t *o = &c->z->recs[i];
        if (strcmp(o->owner, c->rec->owner) == 0 && o->rr.order == rr->order &&
            o->rr.preference == rr->preference) {
            report(c, EF_LINT_WARNING, "same-order-pref",
                   "another NAPTR of this RRset has the same ORDER and PREFERENCE", NULL,
                   "RFC 6116 §5.1");
            break;
        }
    }
}

/* RFC 6117 §3.2 on one Type or Subtype token: no '-' first, second or last, no "e2u" start. */
static bool token_name_ok(const char *t, size_t n, bool facet_allowed)
{
    if (n == 0)
        return true;
    if (t[0] == '-' || t[n - 1] == '-' || (n > 1 && t[1] == '-' && !facet_allowed))
        return false;
    return !(n >= 3 && (t[0] | 0x20) == 'e' && t[1] == '2' && (t[2] | 0x20) == 'u');
}

static bool subtypes_ok(ef_str_t sub)
{
    size_t start = 0;

    for (size_t i = 0; i <= sub.len; i++) {
        if (i < sub.len && sub.ptr[i] != ':')
            continue;
        if (!token_name_ok(sub.ptr + start, i - start, false))
            return false;
        start = i + 1;
    }
    return true;
}

static bool is_experimental(const ef_enumsvc_t *svc)
{
    return svc->type.len >= 2 && (svc->type.ptr[0] | 0x20) == 'x' && svc->type.ptr[1] == '-';
}

/*
 * The registry's entry for svc (not P-, not X-: private facets are never
 * registered, RFC 6116 §3.4.3.1); its name, lowercase, in name.
 * @return 0; EF_ENODATA (not registered, or no registry); an error is kept in the zone
 */
static int reg_entry(check_t *c, const ef_enumsvc_t *svc, ef_reg_entry_t *e, char *name, size_t cap)
{
    char *colon;
    int rc;

    if (c->z->reg == NULL || ef_enumsvc_is_private(svc) || is_experimental(svc) ||
        ef_enumsvc_format(svc, name, cap) < 0)
        return EF_ENODATA;
    colon = strchr(name, ':');
    if (colon != NULL)
        *colon = '\0';
    rc = ef_reg_lookup(c->z->reg, name, colon != NULL ? colon + 1 : NULL, e);
    if (colon != NULL)
        *colon = ':';
    if (rc != 0 && rc != EF_ENODATA && c->z->reg_error == 0)
        c->z->reg_error = rc;
    return rc;
}

/* RFC 6117 §11: registered, and (§5.2.7) not DEPRECATED or OBSOLETE. */
static void check_registered(check_t *c, const ef_enumsvc_t *svc)
{
    char name[2 * EF_ENUMSVC_TOKEN_MAX * EF_ENUMSVC_MAX];
    ef_reg_entry_t e;
    int rc;

    if (c->z->reg == NULL || ef_enumsvc_is_private(svc) || is_experimental(svc))
        return;
    rc = reg_entry(c, svc, &e, name, sizeof(name));
    if (rc == EF_ENODATA)
        report(c, EF_LINT_WARNING, "enumservice-unregistered",
               "the Enumservice is not in the registry", keep(c->z, name), "RFC 6117 §11");
    else if (rc == 0 && e.usage == EF_REG_DEPRECATED)
        report(c, EF_LINT_WARNING, "enumservice-deprecated",
               "the registry marks the Enumservice DEPRECATED (not for new deployments)",
               keep(c->z, name), "RFC 6117 §5.2.7");
    else if (rc == 0 && e.usage == EF_REG_OBSOLETE)
        report(c, EF_LINT_WARNING, "enumservice-obsolete",
               "the registry marks the Enumservice OBSOLETE (not for new deployments)",
               keep(c->z, name), "RFC 6117 §5.2.7");
}

/* RFC 6116 §3.4.3.1 facets and RFC 6117 §3.2 names, for one Enumservice. */
static void check_enumservice(check_t *c, const ef_enumsvc_t *svc)
{
    char canon[2 * EF_ENUMSVC_TOKEN_MAX * EF_ENUMSVC_MAX];
    bool facet = ef_enumsvc_is_private(svc) || is_experimental(svc);

    if (ef_enumsvc_is_private(svc))
        report(c, EF_LINT_WARNING, "private-enumservice",
               "P- Enumservice: must not be visible outside its private network", NULL,
               "RFC 6116 §3.4.3.1");
    if (is_experimental(svc))
        report(c, EF_LINT_WARNING, "experimental-enumservice",
               "X- Enumservice: experimental or trial use only, cannot be registered", NULL,
               "RFC 6116 §3.4.3.1");
    if (ef_enumsvc_format(svc, canon, sizeof(canon)) > 0 &&
        (memcmp(canon, svc->type.ptr, svc->type.len) != 0 ||
         (svc->subtype.len > 0 &&
          memcmp(canon + svc->type.len + 1, svc->subtype.ptr, svc->subtype.len) != 0)))
        report(c, EF_LINT_WARNING, "enumservice-case",
               "Enumservice Type/Subtype SHOULD be written in lowercase", NULL, "RFC 6117 §3.2");
    if (!token_name_ok(svc->type.ptr, svc->type.len, facet) || !subtypes_ok(svc->subtype))
        report(c, EF_LINT_WARNING, "enumservice-name",
               "Enumservice name breaks the naming rules ('-' first, second or last, or "
               "starts with \"e2u\")",
               NULL, "RFC 6117 §3.2");
    check_registered(c, svc);
}

/* The Services field (RFC 6116 §3.4.3). @return true for a well-formed ENUM field. */
static bool check_services(check_t *c, ef_svcfield_t *field)
{
    const ef_naptr_t *rr = &c->rec->rr;
    ef_perr_t perr = {0};
    int rc = ef_svcfield_parse(rr->services.ptr, rr->services.len, field, &perr);

    if (rc == EF_ENOTE2U) {
        report(c, EF_LINT_WARNING, "not-enum", "not an ENUM rule: no E2U application tag", NULL,
               "RFC 6116 §3.4.3");
        return false;
    }
    if (rc != 0) {
        report(c, EF_LINT_ERROR, "services-syntax", "malformed Services field", perr.reason,
               "RFC 6116 §3.4.3");
        return false;
    }
    if (field->obsolete)
        report(c, EF_LINT_ERROR, "obsolete-syntax",
               "obsolete RFC 2916 \"type+E2U\" Services field: write \"E2U+type\"", NULL,
               "RFC 6116 §5.1");
    for (size_t i = 0; i < field->n; i++)
        check_enumservice(c, &field->svc[i]);
    return true;
}

/* --- the Regexp field ---------------------------------------------------- */

/* The URI schemes the common Enumservices register. */
static const struct {
    const char *svc; /* lowercase "type" or "type:subtype" */
    const char *schemes[2];
    const char *rfc;
} scheme_table[] = {
    {"sip", {"sip", "sips"}, "RFC 3764 §2"},        {"im", {"im", NULL}, "RFC 5028 §2"},
    {"pres", {"pres", NULL}, "RFC 3953 §2"},        {"voice:tel", {"tel", NULL}, "RFC 4415"},
    {"fax:tel", {"tel", NULL}, "RFC 4355"},         {"sms:tel", {"tel", NULL}, "RFC 4355"},
    {"email:mailto", {"mailto", NULL}, "RFC 4355"}, {"web:http", {"http", NULL}, "RFC 4002"},
    {"web:https", {"https", NULL}, "RFC 4002"},
};

#define N_SCHEMES (sizeof(scheme_table) / sizeof(scheme_table[0]))

/* The scheme of a produced URI, lowercase, into out. */
static void uri_scheme(const char *uri, char *out, size_t cap)
{
    size_t i;

    for (i = 0; uri[i] != '\0' && uri[i] != ':' && i + 1 < cap; i++)
        out[i] = (uri[i] >= 'A' && uri[i] <= 'Z') ? (char)(uri[i] - 'A' + 'a') : uri[i];
    out[i] = '\0';
}

/*
 * With a registry: its schemes for svc decide (RFC 6117 §5.2.4).
 * @return true when the registry holds svc (a mismatch is then reported)
 */
static bool registry_scheme(check_t *c, const ef_enumsvc_t *svc, const char *scheme, bool *reported)
{
    char name[2 * EF_ENUMSVC_TOKEN_MAX * EF_ENUMSVC_MAX], detail[sizeof(name) + 512];
    ef_reg_entry_t e;
    size_t n;

    if (reg_entry(c, svc, &e, name, sizeof(name)) != 0)
        return false;
    if (ef_reg_entry_has_scheme(&e, scheme, strlen(scheme)) || e.truncated)
        return true; /* a truncated list may hold it: no finding on a guess */
    n = (size_t)snprintf(detail, sizeof(detail), "%s registers", name);
    for (size_t i = 0; i < e.n_schemes && n < sizeof(detail); i++)
        n += (size_t)snprintf(detail + n, sizeof(detail) - n, "%s %s", i > 0 ? "," : "",
                              e.schemes[i]);
    report(c, EF_LINT_ERROR, "uri-scheme",
           "the URI scheme is not among the registry's schemes for this Enumservice",
           keep(c->z, detail), "RFC 6117 §5.2.4");
    *reported = true;
    return true;
}

/* Without a registry entry: the built-in table, for the Enumservices it knows. */
static bool table_scheme(check_t *c, const char *name, const char *scheme)
{
    for (size_t k = 0; k < N_SCHEMES; k++) {
        const char *const *s = scheme_table[k].schemes;
        if (strcmp(name, scheme_table[k].svc) != 0)
            continue;
        if (strcmp(scheme, s[0]) != 0 && (s[1] == NULL || strcmp(scheme, s[1]) != 0)) {
            report(c, EF_LINT_ERROR, "uri-scheme",
                   "the URI scheme is not the one this Enumservice registers", scheme_table[k].svc,
                   scheme_table[k].rfc);
            return true;
        }
    }
    return false;
}

/* The URI a rule produces must have a scheme its Enumservice registered. */
static void check_uri(check_t *c, const ef_svcfield_t *field, const char *uri)
{
    char scheme[SCHEME_MAX], name[2 * EF_ENUMSVC_TOKEN_MAX * EF_ENUMSVC_MAX];
    ef_uri_t *parsed = malloc(sizeof(*parsed));
    ef_perr_t perr = {0};
    bool reported = false;

    if (parsed != NULL && ef_uri_parse(uri, strlen(uri), parsed, &perr) != 0)
        report(c, EF_LINT_WARNING, "uri-syntax", "the rule produces a malformed URI", perr.reason,
               "RFC 3986 §4.3");
    free(parsed);
    uri_scheme(uri, scheme, sizeof(scheme));
    if (strcmp(scheme, "enum") == 0) /* a redirection (draft-brandner-enum-uri), any service */
        return;
    for (size_t i = 0; i < field->n && !reported; i++) {
        if (registry_scheme(c, &field->svc[i], scheme, &reported))
            continue;
        if (ef_enumsvc_format(&field->svc[i], name, sizeof(name)) >= 0)
            reported = table_scheme(c, name, scheme);
    }
}

/*
 * The ERE and flags of a substitution expression (RFC 3402 §3.2): delim ERE
 * delim repl delim flags; a backslash escapes the character after it.
 */
static bool split_regexp(ef_str_t re, ef_str_t *ere, ef_str_t *flags)
{
    size_t cut[2], n = 0;

    for (size_t i = 1; i < re.len && n < 2; i++) {
        if (re.ptr[i] == '\\')
            i++;
        else if (re.ptr[i] == re.ptr[0])
            cut[n++] = i;
    }
    if (n < 2)
        return false;
    *ere = (ef_str_t){re.ptr + 1, cut[0] - 1};
    *flags = (ef_str_t){re.ptr + cut[1] + 1, re.len - cut[1] - 1};
    return true;
}

/*
 * RFC 6116 §5.1: a literal '+' MUST be "\+". Outside a bracket expression an
 * unescaped '+' is literal where it cannot repeat anything: first, or after
 * '^', '(' or '|'.
 */
static bool has_literal_plus(ef_str_t ere)
{
    bool bracket = false;

    for (size_t i = 0; i < ere.len; i++) {
        char ch = ere.ptr[i], prev = i > 0 ? ere.ptr[i - 1] : '\0';
        if (bracket) {
            bracket =
                !(ch == ']' && prev != '[' && !(prev == '^' && i > 1 && ere.ptr[i - 2] == '['));
        } else if (ch == '\\') {
            i++;
        } else if (ch == '[') {
            bracket = true;
        } else if (ch == '+' && (i == 0 || prev == '^' || prev == '(' || prev == '|')) {
            return true;
        }
    }
    return false;
}

/*
 * The form of the Regexp field: syntax, delimiter, anchor, flags, '+'.
 * @return true when the rule is valid (*produced then holds ef_ddds_apply's result)
 */
static bool check_regexp_form(check_t *c, const char *aus, char *out, size_t cap, int *produced)
{
    ef_str_t re = c->rec->rr.regexp, ere, flags;
    ef_perr_t perr = {0};
    int rc = ef_ddds_apply(NULL, re.ptr, re.len, aus, strlen(aus), out, cap, &perr);

    *produced = rc;
    if (rc == EF_ESYNTAX)
        report(c, EF_LINT_ERROR, "regexp-syntax", "malformed Regexp field", perr.reason,
               "RFC 3402 §3.2");
    if (!split_regexp(re, &ere, &flags))
        return false;
    if (re.ptr[0] != '!')
        report(c, EF_LINT_WARNING, "regexp-delimiter", "Regexp delimiter SHOULD be '!'", NULL,
               "RFC 6116 §5.1");
    if (ere.len == 0 || ere.ptr[0] != '^')
        report(c, EF_LINT_WARNING, "regexp-unanchored",
               "ERE does not start with '^': it may match inside the AUS", NULL, "RFC 6116 §4");
    if (memchr(flags.ptr, 'i', flags.len) != NULL || memchr(flags.ptr, 'I', flags.len) != NULL)
        report(c, EF_LINT_WARNING, "regexp-case-flag",
               "the case-insensitivity flag 'i' SHOULD NOT be used in ENUM", NULL, "RFC 6116 §5.1");
    if (has_literal_plus(ere))
        report(c, EF_LINT_ERROR, "regexp-unescaped-plus", "a literal '+' in the ERE MUST be \\+",
               NULL, "RFC 6116 §5.1");
    return rc != EF_ESYNTAX;
}

/* A terminal rule ("u"): Services, Regexp and the URI it produces. */
static void check_terminal(check_t *c)
{
    const lint_rec_t *rec = c->rec;
    ef_svcfield_t *field = malloc(sizeof(*field));
    char aus[AUS_MAX], uri[EF_DDDS_OUT_MAX + 1];
    bool is_enum;
    int produced = EF_ENOMATCH;

    if (field == NULL) {
        c->z->oom = true;
        return;
    }
    is_enum = check_services(c, field);
    if (rec->rr.regexp.len > 0 && !ef_naptr_replacement_is_root(&rec->rr))
        report(c, EF_LINT_ERROR, "terminal-regexp-and-replacement",
               "a NAPTR holds both a Regexp and a Replacement", NULL, "RFC 3403 §4.1");
    sample_aus(rec->owner, c->z->apex, aus, sizeof(aus));
    if (rec->rr.regexp.len > 0 && check_regexp_form(c, aus, uri, sizeof(uri), &produced) &&
        produced >= 0 && is_enum)
        check_uri(c, field, uri);
    free(field);
}

/* --- non-terminal rules (RFC 6116 §5.1, §5.2.1) --------------------------- */

static bool is_nonterminal(const lint_rec_t *r)
{
    return ef_naptr_kind(&r->rr) == EF_NAPTR_NONTERMINAL && !ef_naptr_replacement_is_root(&r->rr);
}

/*
 * True when following non-terminals of the zone from `from` leads back to
 * `target`: a depth-first walk over owner -> replacement, each record once.
 */
static bool reaches(const ef_lint_zone_t *z, size_t from, const char *target, bool *seen,
                    size_t *stack)
{
    size_t top = 0;

    stack[top++] = from;
    seen[from] = true;
    while (top > 0) {
        const char *next = z->recs[stack[--top]].target;
        if (strcmp(next, target) == 0)
            return true;
        for (size_t i = 0; i < z->n; i++) {
            if (!seen[i] && is_nonterminal(&z->recs[i]) && strcmp(z->recs[i].owner, next) == 0) {
                seen[i] = true;
                stack[top++] = i;
            }
        }
    }
    return false;
}

static void check_loop(check_t *c)
{
    ef_lint_zone_t *z = c->z;
    bool *seen = calloc(z->n, sizeof(*seen));
    size_t *stack = calloc(z->n, sizeof(*stack));

    if (seen == NULL || stack == NULL)
        z->oom = true;
    else if (reaches(z, c->rec->rr.index, c->rec->owner, seen, stack))
        report(c, EF_LINT_ERROR, "nonterminal-loop",
               "the non-terminals of this zone lead back to this owner: a loop", NULL,
               "RFC 6116 §5.2.1");
    free(seen);
    free(stack);
}

/* A non-terminal rule (empty Flags): a target, no Regexp, no Services, no loop. */
static void check_nonterminal(check_t *c)
{
    const lint_rec_t *rec = c->rec;

    if (ef_naptr_replacement_is_root(&rec->rr)) {
        report(c, EF_LINT_ERROR, "nonterminal-no-target",
               "a non-terminal NAPTR MUST hold its target domain in the Replacement", NULL,
               "RFC 6116 §5.1");
        return;
    }
    if (rec->rr.regexp.len > 0)
        report(c, EF_LINT_WARNING, "nonterminal-regexp",
               "the Regexp of a non-terminal NAPTR MUST be empty (clients ignore it)", NULL,
               "RFC 6116 §5.1");
    if (rec->rr.services.len > 0)
        report(c, EF_LINT_WARNING, "nonterminal-services",
               "the Services field of a non-terminal NAPTR SHOULD be empty", NULL, "RFC 6116 §5.1");
    if (!in_zone(rec->target, c->z->apex))
        report(c, EF_LINT_WARNING, "nonterminal-leaves-zone",
               "the non-terminal's target is outside this zone: not checked", NULL,
               "RFC 6116 §5.2.1");
    else
        check_loop(c);
}

static void check_record(ef_lint_zone_t *z, const lint_rec_t *rec)
{
    check_t c = {z, rec};

    check_fields(&c);
    switch (ef_naptr_kind(&rec->rr)) {
    case EF_NAPTR_TERMINAL:
        check_terminal(&c);
        break;
    case EF_NAPTR_NONTERMINAL:
        check_nonterminal(&c);
        break;
    default:
        report(&c, EF_LINT_WARNING, "unknown-flags",
               "Flags other than \"u\" or empty: ENUM clients discard this NAPTR", NULL,
               "RFC 6116 §3.4.2");
    }
}

int ef_lint_zone_check(ef_lint_zone_t *z, const ef_lint_finding_t **findings, size_t *n)
{
    if (z == NULL || findings == NULL || n == NULL)
        return EF_EINVAL;
    z->n_found = 0;
    z->oom = false;
    z->reg_error = 0;
    free_strs(z);
    for (size_t i = 0; i < z->n; i++)
        check_record(z, &z->recs[i]);
    if (z->oom)
        return EF_ENOMEM;
    if (z->reg_error != 0)
        return z->reg_error;
    *findings = z->found;
    *n = z->n_found;
    return 0;
}
