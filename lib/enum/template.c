/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * template.c -- checks of Enumservice IANA Registration Templates (RFC 6117
 * §5.2, §11.2) with libxml2.
 *
 * Safety: the parser runs with XML_PARSE_NONET and without XML_PARSE_NOENT or
 * XML_PARSE_DTDLOAD, on a buffer read here (at most EF_TPL_SIZE_MAX bytes); the
 * first entity declaration stops the parse (no XXE, no entity expansion), and
 * errors go to a per-context handler, never to libxml2's global one.
 *
 * Codes (a contract; see docs/enumsvc.1):
 *   E100 not well-formed XML                         §11.2
 *   E101 DOCTYPE declares entities (refused)         §11.2
 *   E102 file larger than EF_TPL_SIZE_MAX (refused)  §11.2
 *   E103 nesting deeper than EF_TPL_DEPTH_MAX        §11.2
 *   E104 no <record> or <people> chunk               §11.2
 *   E110 a required element is missing               §5.2.x
 *   E111 an element given more than once             §5.2.x
 *   E112 a required element is empty                 §5.2.x
 *   E120 unknown <class>            W120 class "Other"             §5.2.1, §4.2.5
 *   E121/W121 <type> name rules     E122/W122 <subtype> name rules  (ef_enumsvc_check_name)
 *   E123 ':' in <urischeme>         W123 two schemes in one <urischeme>  §5.2.4
 *   E124 <urischeme> not a URI scheme name                         §5.2.4
 *   E125 unknown <usage>   W125 usage OBSOLETE   W126 usage DEPRECATED  §5.2.7, §11.2
 *   E130 a second template for the same type:subtype               §5.2.3
 *   E131 requester not in <people>  E132 <person> without <name>
 *   E133 <person> without id                                       §5.2.9
 *   E140 a date not YYYY-MM-DD      W140 a person date YYYY-MM     §11.2
 *   W150 Protocol-Based with a Subtype but a single URI scheme    §4.2.2.2
 *   W151 a Type with exactly one Subtype                          §4.2.1
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "enum/xml_safe.h"
#include "enumfed/enumsvc.h"
#include "enumfed/template.h"
#include "util/errbuf.h"

#define IANA_NS "http://www.iana.org/assignments"
#define TEXT_MAX 256
#define NAME_MAX_SHOWN 40

/* The state of one check. */
struct ctx {
    ef_tpl_finding_t *out;
    size_t cap, n;
    bool overflow;
    xmlNodePtr people; /* the first <people>, or NULL */
};

/* One <record> as the document-wide checks need it. */
struct rec {
    char type[TEXT_MAX], subtype[TEXT_MAX];
    bool has_subtype;
    long line;
};

static void add(struct ctx *c, const char *code, long line, const char *section, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));

static void add(struct ctx *c, const char *code, long line, const char *section, const char *fmt,
                ...)
{
    ef_tpl_finding_t *f;
    va_list ap;

    if (c->n >= c->cap) {
        c->overflow = true;
        return;
    }
    f = &c->out[c->n++];
    f->code = code;
    f->warning = code[0] == 'W';
    f->line = line;
    f->section = section;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
}

static bool is_el(xmlNodePtr n, const char *name)
{
    if (n == NULL || n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, name) != 0)
        return false;
    return n->ns == NULL || n->ns->href == NULL || strcmp((const char *)n->ns->href, IANA_NS) == 0;
}

static long line_of(xmlNodePtr n)
{
    return n != NULL ? xmlGetLineNo(n) : 0;
}

/* The text content of n, whitespace trimmed and runs of it folded to one space. */
static void text_of(xmlNodePtr n, char *buf, size_t cap)
{
    xmlChar *s = xmlNodeGetContent(n);
    size_t k = 0;
    bool space = false;

    buf[0] = '\0';
    if (s == NULL)
        return;
    for (const xmlChar *p = s; *p != '\0' && k + 1 < cap; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            space = k > 0;
            continue;
        }
        if (space && k + 2 < cap)
            buf[k++] = ' ';
        space = false;
        buf[k++] = (char)*p;
    }
    buf[k] = '\0';
    xmlFree(s);
}

/* True when n has no text and no child elements (comments only, as in §11.2). */
static bool is_empty(xmlNodePtr n)
{
    char buf[8];

    for (xmlNodePtr k = n->children; k != NULL; k = k->next)
        if (k->type == XML_ELEMENT_NODE)
            return false;
    text_of(n, buf, sizeof buf);
    return buf[0] == '\0';
}

static bool is_date(const char *s, size_t len)
{
    static const char pat[] = "dddd-dd-dd";

    if (strlen(s) != len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
            return false;
    return true;
}

/* A date: YYYY-MM-DD; a person's date may be the legacy IANA YYYY-MM (warning). */
static void check_date(struct ctx *c, const char *what, const char *s, long line, bool person)
{
    int month, day;

    if (is_date(s, 10)) {
        month = (s[5] - '0') * 10 + (s[6] - '0');
        day = (s[8] - '0') * 10 + (s[9] - '0');
        if (month >= 1 && month <= 12 && day >= 1 && day <= 31)
            return;
    } else if (person && is_date(s, 7)) {
        month = (s[5] - '0') * 10 + (s[6] - '0');
        if (month >= 1 && month <= 12) {
            add(c, "W140", line, "RFC 6117 §11.2",
                "%s \"%s\" has no day: the template asks for YYYY-MM-DD", what, s);
            return;
        }
    }
    add(c, "E140", line, "RFC 6117 §11.2", "%s \"%.*s\" is not a date YYYY-MM-DD", what,
        NAME_MAX_SHOWN, s);
}

static const char *const classes[] = {
    "Protocol-Based",
    "Application-Based, Common",
    "Application-Based, Subset",
    "Application-Based, Ancillary",
    "Application-Based, Alternative",
    "Data Type-Based",
    "Other",
};

static void check_class(struct ctx *c, xmlNodePtr n, bool *protocol)
{
    char s[TEXT_MAX];

    text_of(n, s, sizeof s);
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        if (strcasecmp(s, classes[i]) != 0)
            continue;
        *protocol = i == 0;
        if (strcasecmp(s, "Other") == 0)
            add(c, "W120", line_of(n), "RFC 6117 §4.2.5",
                "class \"Other\": the specification must explain why no other class fits");
        return;
    }
    add(c, "E120", line_of(n), "RFC 6117 §5.2.1",
        "unknown class \"%.*s\" (Protocol-Based, Application-Based, Common/Subset/Ancillary/"
        "Alternative, Data Type-Based, Other)",
        NAME_MAX_SHOWN, s);
}

/* <type> or <subtype> text against the Enumservice name rules. */
static void check_name(struct ctx *c, xmlNodePtr n, const char *s, bool subtype)
{
    ef_enumsvc_problem_t p[EF_ENUMSVC_PROBLEMS_MAX];
    int k = ef_enumsvc_check_name(s, strlen(s), false, p, EF_ENUMSVC_PROBLEMS_MAX);

    if (k == EF_E2BIG)
        k = EF_ENUMSVC_PROBLEMS_MAX;
    for (int i = 0; i < k; i++) {
        const char *code =
            subtype ? (p[i].warning ? "W122" : "E122") : (p[i].warning ? "W121" : "E121");
        add(c, code, line_of(n), p[i].section, "<%s> \"%.*s\": %s %s", subtype ? "subtype" : "type",
            NAME_MAX_SHOWN, s, p[i].code, p[i].message);
    }
}

/* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static bool is_scheme(const char *s, size_t len)
{
    if (len == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return false;
    for (size_t i = 1; i < len; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '+' || ch == '-' || ch == '.'))
            return false;
    }
    return true;
}

static void check_urischeme(struct ctx *c, xmlNodePtr n)
{
    char s[TEXT_MAX];
    const char *p;

    text_of(n, s, sizeof s);
    if (strchr(s, ':') != NULL) {
        add(c, "E123", line_of(n), "RFC 6117 §5.2.4",
            "<urischeme> \"%.*s\": the scheme name goes without ':'", NAME_MAX_SHOWN, s);
        return;
    }
    if (strpbrk(s, " ,") != NULL) {
        /* legacy IANA entries: "sip, sips" in one element */
        for (p = s; *p != '\0';) {
            size_t len = strcspn(p, " ,");
            if (len > 0 && !is_scheme(p, len))
                break;
            p += len;
            p += strspn(p, " ,");
        }
        if (*p == '\0') {
            add(c, "W123", line_of(n), "RFC 6117 §5.2.4",
                "<urischeme> \"%.*s\" lists several schemes: use one <urischeme> each",
                NAME_MAX_SHOWN, s);
            return;
        }
    }
    if (!is_scheme(s, strlen(s)))
        add(c, "E124", line_of(n), "RFC 6117 §5.2.4",
            "<urischeme> \"%.*s\" is not a URI scheme name (RFC 3986 §3.1)", NAME_MAX_SHOWN, s);
}

static void check_usage(struct ctx *c, xmlNodePtr n)
{
    char s[TEXT_MAX];

    text_of(n, s, sizeof s);
    if (strcmp(s, "COMMON") == 0 || strcmp(s, "LIMITED") == 0 || strcmp(s, "LIMITED USE") == 0)
        return;
    if (strcmp(s, "DEPRECATED") == 0)
        add(c, "W126", line_of(n), "RFC 6117 §5.2.7",
            "usage DEPRECATED: not to be used in new deployments (§11.2's template says "
            "OBSOLETE)");
    else if (strcmp(s, "OBSOLETE") == 0)
        add(c, "W125", line_of(n), "RFC 6117 §11.2",
            "usage OBSOLETE: the §11.2 template's word; §5.2.7 defines DEPRECATED");
    else
        add(c, "E125", line_of(n), "RFC 6117 §5.2.7",
            "unknown usage \"%.*s\" (COMMON, LIMITED USE, DEPRECATED or OBSOLETE)", NAME_MAX_SHOWN,
            s);
}

/* Is there a <person id="id"> in <people>? */
static bool person_known(const struct ctx *c, const xmlChar *id)
{
    for (xmlNodePtr p = c->people->children; p != NULL; p = p->next) {
        xmlChar *pid;
        bool eq;

        if (!is_el(p, "person"))
            continue;
        pid = xmlGetProp(p, BAD_CAST "id");
        eq = pid != NULL && xmlStrcmp(pid, id) == 0;
        xmlFree(pid);
        if (eq)
            return true;
    }
    return false;
}

static void check_requesters(struct ctx *c, xmlNodePtr n)
{
    if (c->people == NULL)
        return;
    for (xmlNodePtr x = n->children; x != NULL; x = x->next) {
        xmlChar *type, *data;

        if (!is_el(x, "xref"))
            continue;
        type = xmlGetProp(x, BAD_CAST "type");
        data = xmlGetProp(x, BAD_CAST "data");
        if (type != NULL && xmlStrcmp(type, BAD_CAST "person") == 0 && data != NULL &&
            !person_known(c, data))
            add(c, "E131", line_of(x), "RFC 6117 §5.2.9",
                "requester \"%.*s\" has no <person id=\"%.*s\"> in <people>", NAME_MAX_SHOWN,
                (const char *)data, NAME_MAX_SHOWN, (const char *)data);
        xmlFree(type);
        xmlFree(data);
    }
}

/* The required elements of a <record> (§5.2) and where each is defined. */
static const struct {
    const char *name, *section;
} required[] = {
    {"class", "RFC 6117 §5.2.1"},
    {"type", "RFC 6117 §5.2.2"},
    {"urischeme", "RFC 6117 §5.2.4"},
    {"functionalspec", "RFC 6117 §5.2.5"},
    {"security", "RFC 6117 §5.2.6"},
    {"usage", "RFC 6117 §5.2.7"},
    {"registrationdocs", "RFC 6117 §5.2.8"},
    {"requesters", "RFC 6117 §5.2.9"},
};

static void check_record(struct ctx *c, xmlNodePtr r, struct rec *out)
{
    xmlNodePtr first[sizeof required / sizeof required[0]] = {0};
    xmlNodePtr subtype = NULL;
    size_t n_schemes = 0;
    bool protocol = false;
    xmlChar *date;

    memset(out, 0, sizeof *out);
    out->line = line_of(r);
    date = xmlGetProp(r, BAD_CAST "date");
    if (date != NULL)
        check_date(c, "record date", (const char *)date, out->line, false);
    xmlFree(date);
    for (xmlNodePtr k = r->children; k != NULL; k = k->next) {
        if (k->type != XML_ELEMENT_NODE)
            continue;
        if (is_el(k, "subtype")) {
            if (subtype != NULL)
                add(c, "E111", line_of(k), "RFC 6117 §5.2.3",
                    "<subtype> given more than once: one template per Subtype");
            else
                subtype = k;
            continue;
        }
        if (is_el(k, "created") || is_el(k, "updated")) {
            char s[TEXT_MAX];
            text_of(k, s, sizeof s);
            check_date(c, is_el(k, "created") ? "<created>" : "<updated>", s, line_of(k), false);
            continue;
        }
        for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
            if (!is_el(k, required[i].name))
                continue;
            if (i == 2) {
                n_schemes++;
                check_urischeme(c, k);
            } else if (first[i] != NULL) {
                add(c, "E111", line_of(k), required[i].section, "<%s> given more than once",
                    required[i].name);
                break;
            }
            if (first[i] == NULL)
                first[i] = k;
            break;
        }
    }
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (first[i] == NULL) {
            add(c, "E110", out->line, required[i].section, "<record> has no <%s>",
                required[i].name);
            continue;
        }
        if (i != 0 && i != 1 && i != 2 && i != 5 && is_empty(first[i]))
            add(c, "E112", line_of(first[i]), required[i].section, "<%s> is empty",
                required[i].name);
    }
    if (first[0] != NULL)
        check_class(c, first[0], &protocol);
    if (first[1] != NULL) {
        text_of(first[1], out->type, sizeof out->type);
        check_name(c, first[1], out->type, false);
    }
    if (subtype != NULL) {
        out->has_subtype = true;
        text_of(subtype, out->subtype, sizeof out->subtype);
        check_name(c, subtype, out->subtype, true);
        if (protocol && n_schemes == 1)
            add(c, "W150", line_of(subtype), "RFC 6117 §4.2.2.2",
                "Protocol-Based with a Subtype but a single URI scheme: a Subtype SHOULD NOT "
                "be specified");
    }
    if (first[5] != NULL)
        check_usage(c, first[5]);
    if (first[7] != NULL)
        check_requesters(c, first[7]);
}

static void check_people(struct ctx *c, xmlNodePtr people)
{
    for (xmlNodePtr p = people->children; p != NULL; p = p->next) {
        bool name = false;
        xmlChar *id;

        if (!is_el(p, "person"))
            continue;
        id = xmlGetProp(p, BAD_CAST "id");
        if (id == NULL || id[0] == '\0')
            add(c, "E133", line_of(p), "RFC 6117 §5.2.9", "<person> has no id attribute");
        for (xmlNodePtr k = p->children; k != NULL; k = k->next) {
            char s[TEXT_MAX];

            if (is_el(k, "name") && !is_empty(k))
                name = true;
            if (!is_el(k, "updated") && !is_el(k, "created"))
                continue;
            text_of(k, s, sizeof s);
            check_date(c, "person date", s, line_of(k), true);
        }
        if (!name)
            add(c, "E132", line_of(p), "RFC 6117 §5.2.9", "<person id=\"%.*s\"> has no <name>",
                NAME_MAX_SHOWN, id != NULL ? (const char *)id : "");
        xmlFree(id);
    }
}

/* Collect <record>s (not inside <people>) and the first <people>, depth first. */
static int collect(xmlNodePtr n, xmlNodePtr **recs, size_t *n_recs, size_t *cap_recs,
                   xmlNodePtr *people)
{
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is_el(n, "people")) {
            if (*people == NULL)
                *people = n;
            continue;
        }
        if (is_el(n, "record")) {
            if (*n_recs == *cap_recs) {
                size_t cap = *cap_recs ? *cap_recs * 2 : 16;
                xmlNodePtr *p = realloc(*recs, cap * sizeof *p);
                if (p == NULL)
                    return EF_ENOMEM;
                *recs = p;
                *cap_recs = cap;
            }
            (*recs)[(*n_recs)++] = n;
            continue;
        }
        if (collect(n->children, recs, n_recs, cap_recs, people) != 0)
            return EF_ENOMEM;
    }
    return 0;
}

static int max_depth(xmlNodePtr n, int depth)
{
    int m = depth - 1;

    for (; n != NULL; n = n->next) {
        int d;
        if (n->type != XML_ELEMENT_NODE)
            continue;
        d = depth > EF_TPL_DEPTH_MAX ? depth : max_depth(n->children, depth + 1);
        if (d > m)
            m = d;
        if (m > EF_TPL_DEPTH_MAX)
            break;
    }
    return m;
}

/* The checks that need every record: duplicates (E130) and lone Subtypes (W151). */
static void check_all(struct ctx *c, const struct rec *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t subtypes = 0, plain = 0;
        bool dup = false;

        if (r[i].type[0] == '\0')
            continue;
        for (size_t k = 0; k < n; k++) {
            if (strcasecmp(r[k].type, r[i].type) != 0)
                continue;
            if (r[k].has_subtype)
                subtypes++;
            else
                plain++;
            if (k < i && r[k].has_subtype == r[i].has_subtype &&
                strcasecmp(r[k].subtype, r[i].subtype) == 0)
                dup = true;
        }
        if (dup)
            add(c, "E130", r[i].line, "RFC 6117 §5.2.3",
                "a second template for Enumservice \"%.*s%s%.*s\"", NAME_MAX_SHOWN, r[i].type,
                r[i].has_subtype ? ":" : "", NAME_MAX_SHOWN, r[i].subtype);
        else if (r[i].has_subtype && subtypes == 1 && plain == 0)
            add(c, "W151", r[i].line, "RFC 6117 §4.2.1",
                "Type \"%.*s\" has a single Subtype: define at least two Subtypes if any",
                NAME_MAX_SHOWN, r[i].type);
    }
}

static void check_doc(struct ctx *c, xmlDocPtr doc, int *rc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc), *recs = NULL;
    size_t n_recs = 0, cap_recs = 0;
    struct rec *r = NULL;

    if (collect(root, &recs, &n_recs, &cap_recs, &c->people) != 0) {
        *rc = EF_ENOMEM;
        goto out;
    }
    if (n_recs == 0 && c->people == NULL) {
        add(c, "E104", line_of(root), "RFC 6117 §11.2", "no <record> or <people> chunk in <%.*s>",
            NAME_MAX_SHOWN, (const char *)root->name);
        goto out;
    }
    r = calloc(n_recs ? n_recs : 1, sizeof *r);
    if (r == NULL) {
        *rc = EF_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n_recs; i++)
        check_record(c, recs[i], &r[i]);
    if (c->people != NULL)
        check_people(c, c->people);
    check_all(c, r, n_recs);
out:
    free(r);
    free(recs);
}

bool ef_tpl_findings_ok(const ef_tpl_finding_t *findings, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!findings[i].warning)
            return false;
    return true;
}

int ef_tpl_check_memory(const char *buf, size_t len, const char *name, ef_tpl_finding_t *out,
                        size_t cap, size_t *n_out, char *errbuf, size_t errcap)
{
    struct ctx c = {.out = out, .cap = cap};
    struct ef__xml_error xerr;
    xmlDocPtr doc;
    int rc = 0;

    if (n_out != NULL)
        *n_out = 0;
    if ((buf == NULL && len > 0) || (out == NULL && cap > 0) || n_out == NULL)
        return EF_EINVAL;
    ef__errf(errbuf, errcap, "%s", "");
    if (len > EF_TPL_SIZE_MAX) {
        add(&c, "E102", 0, "RFC 6117 §11.2", "refused: larger than %d bytes", EF_TPL_SIZE_MAX);
        ef__errf(errbuf, errcap, "refused: larger than %d bytes", EF_TPL_SIZE_MAX);
        *n_out = c.n;
        return EF_EINVAL;
    }
    doc = ef__xml_read(buf, len, name, &xerr);
    if (xerr.status == EF_EINVAL) {
        add(&c, "E101", xerr.line, "RFC 6117 §11.2",
            "refused: the DOCTYPE declares entities (external or expanding entities)");
        ef__errf(errbuf, errcap, "line %d: refused: the DOCTYPE declares entities", xerr.line);
        rc = EF_EINVAL;
    } else if (xerr.status == EF_ESYNTAX) {
        add(&c, "E100", xerr.line, "RFC 6117 §11.2", "not well-formed XML: %s (line %d, column %d)",
            xerr.msg, xerr.line, xerr.column);
        ef__errf(errbuf, errcap, "line %d, column %d: %s", xerr.line, xerr.column, xerr.msg);
        rc = EF_ESYNTAX;
    } else if (doc == NULL) {
        rc = xerr.status;
    } else if (max_depth(xmlDocGetRootElement(doc), 1) > EF_TPL_DEPTH_MAX) {
        add(&c, "E103", 0, "RFC 6117 §11.2", "refused: elements nested deeper than %d",
            EF_TPL_DEPTH_MAX);
        ef__errf(errbuf, errcap, "refused: elements nested deeper than %d", EF_TPL_DEPTH_MAX);
        rc = EF_EINVAL;
    } else {
        check_doc(&c, doc, &rc);
        if (rc == 0 && c.overflow)
            rc = EF_E2BIG;
    }
    xmlFreeDoc(doc);
    *n_out = c.n;
    return rc;
}

int ef_tpl_check_file(const char *path, ef_tpl_finding_t *out, size_t cap, size_t *n_out,
                      char *errbuf, size_t errcap)
{
    char *buf;
    size_t len;
    int rc;

    if (n_out != NULL)
        *n_out = 0;
    if (path == NULL || n_out == NULL || (out == NULL && cap > 0))
        return EF_EINVAL;
    rc = ef__xml_slurp(path, EF_TPL_SIZE_MAX, &buf, &len);
    if (rc < 0) {
        ef__errf(errbuf, errcap, "%s", ef_strerror(rc));
        return rc;
    }
    rc = ef_tpl_check_memory(buf, len, path, out, cap, n_out, errbuf, errcap);
    free(buf);
    return rc;
}
