/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * decode.c -- a PIDF document (RFC 3863) with RPID (RFC 4480) and CIPID
 * (RFC 4482) elements into an ef_pidf_t. libxml2 reads the bytes through the
 * library's safe reader (no DTD, no entities, no network, a depth limit); this
 * file walks the tree. Each container collects its children first (notes,
 * tuples, unknown elements) so that every limit is checked before memory is
 * taken, then fills exact-size arrays in the document's arena. Unknown
 * elements are copied into a document of their own, which carries the
 * namespace declarations they use, and serialized from there.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "enum/xml_safe.h"
#include "pidf/pidf_int.h"
#include "util/errbuf.h"

struct dctx {
    struct ef_arena *a;
    size_t n_unknown; /* in the whole document, EF_PIDF_MAX_UNKNOWN */
    char *errbuf;
    size_t errcap;
};

/* Children collected before they are converted. */
struct nodes {
    xmlNodePtr v[EF_PIDF_MAX_UNKNOWN];
    size_t n;
};

static const char *const activity_names[] = {"",
#define ACT_NAME(code, name) name,
                                             EF_RPID_ACTIVITY_MAP(ACT_NAME)
#undef ACT_NAME
};

ef_rpid_activity_t ef_rpid_activity(ef_str_t name)
{
    for (size_t i = 1; i < sizeof(activity_names) / sizeof(activity_names[0]); i++)
        if (strlen(activity_names[i]) == name.len &&
            memcmp(activity_names[i], name.ptr, name.len) == 0)
            return (ef_rpid_activity_t)i;
    return EF_RPID_ACT_NONE;
}

const char *ef_rpid_activity_name(ef_rpid_activity_t a)
{
    if ((size_t)a >= sizeof(activity_names) / sizeof(activity_names[0]))
        return "";
    return activity_names[a];
}

__attribute__((format(printf, 4, 5))) static int fail(struct dctx *d, int rc, const xmlNode *n,
                                                      const char *fmt, ...)
{
    char msg[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ef__errf(d->errbuf, d->errcap, "line %ld: %s", n != NULL ? xmlGetLineNo(n) : 0L, msg);
    return rc;
}

/* Add a child to a collection, or refuse past `cap`. */
static int collect(struct dctx *d, struct nodes *c, size_t cap, xmlNodePtr n, const char *what)
{
    if (c->n >= cap)
        return fail(d, EF_E2BIG, n, "more than %zu %s", cap, what);
    c->v[c->n++] = n;
    return 0;
}

/* An element kept as XML counts against the document-wide limit. */
static int keep(struct dctx *d, struct nodes *c, xmlNodePtr n)
{
    if (d->n_unknown >= EF_PIDF_MAX_UNKNOWN)
        return fail(d, EF_E2BIG, n, "more than %d unknown elements", EF_PIDF_MAX_UNKNOWN);
    d->n_unknown++;
    c->v[c->n++] = n;
    return 0;
}

static bool declares_default(const xmlNode *n)
{
    for (const xmlNs *ns = n->nsDef; ns != NULL; ns = ns->next)
        if (ns->prefix == NULL)
            return true;
    return false;
}

/* An element in no namespace within n that no default declaration inside n covers. */
static bool bare(const xmlNode *n)
{
    if (declares_default(n))
        return false;
    if (n->ns == NULL)
        return true;
    for (const xmlNode *c = n->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && bare(c))
            return true;
    return false;
}

/* The subtree of n with the namespace declarations it uses (RFC 3863 §4.2.3: passed on). */
static int serialize(struct dctx *d, xmlNodePtr n, ef_str_t *out)
{
    xmlDocPtr tmp = xmlNewDoc(BAD_CAST "1.0");
    xmlBufferPtr buf = xmlBufferCreate();
    xmlNodePtr copy = tmp != NULL ? xmlDocCopyNode(n, tmp, 1) : NULL;
    int rc = EF_ENOMEM;

    if (copy != NULL && buf != NULL) {
        xmlDocSetRootElement(tmp, copy);
        /*
         * Elements in no namespace must stay so under the default namespace
         * the encoder declares: say xmlns="" unless the copy declares a default.
         */
        if (bare(copy) && xmlNewNs(copy, BAD_CAST "", NULL) == NULL)
            rc = EF_ENOMEM, copy = NULL;
        if (copy != NULL && xmlNodeDump(buf, tmp, copy, 0, 0) >= 0)
            rc = ef__pidf_dup(
                d->a, out,
                (ef_str_t){(const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf)});
    } else if (copy != NULL) {
        xmlFreeNode(copy);
    }
    xmlBufferFree(buf);
    xmlFreeDoc(tmp);
    return rc;
}

static int take_ext(struct dctx *d, const struct nodes *c, ef_str_t **out, size_t *n)
{
    *n = 0;
    if (c->n == 0)
        return 0;
    *out = ef__arena_alloc(d->a, c->n * sizeof(**out));
    if (*out == NULL)
        return EF_ENOMEM;
    for (size_t i = 0; i < c->n; i++) {
        int rc = serialize(d, c->v[i], &(*out)[i]);
        if (rc != 0)
            return rc;
        (*n)++;
    }
    return 0;
}

/* Only text (and comments) inside: a value the model can hold. */
static bool is_leaf(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c != NULL; c = c->next)
        if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE &&
            c->type != XML_COMMENT_NODE)
            return false;
    return true;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The text of a leaf, trimmed of XML white space when `trim` (URIs, tokens, dates). */
static int text_of(struct dctx *d, xmlNodePtr n, bool trim, ef_str_t *out)
{
    xmlChar *t = xmlNodeGetContent(n);
    ef_str_t s = ef__pidf_cstr((const char *)t);
    int rc;

    if (t == NULL)
        return n->children == NULL ? (*out = EF_STR_NULL, 0) : EF_ENOMEM;
    while (trim && s.len > 0 && is_space(s.ptr[0]))
        s.ptr++, s.len--;
    while (trim && s.len > 0 && is_space(s.ptr[s.len - 1]))
        s.len--;
    rc = ef__pidf_dup(d->a, out, s);
    xmlFree(t);
    return rc;
}

static int attr_of(struct dctx *d, xmlNodePtr n, const char *name, const char *ns, ef_str_t *out)
{
    xmlChar *v =
        ns != NULL ? xmlGetNsProp(n, BAD_CAST name, BAD_CAST ns) : xmlGetNoNsProp(n, BAD_CAST name);
    int rc;

    *out = EF_STR_NULL;
    if (v == NULL)
        return 0;
    rc = ef__pidf_dup(d->a, out, ef__pidf_cstr((const char *)v));
    xmlFree(v);
    return rc;
}

/* A text-only element the schema defines; element content is malformed. */
static int leaf(struct dctx *d, xmlNodePtr n, bool trim, ef_str_t *out)
{
    if (!is_leaf(n))
        return fail(d, EF_ESYNTAX, n, "<%s> holds elements", (const char *)n->name);
    return text_of(d, n, trim, out);
}

/* A singular element (maxOccurs 1 in the schema) seen twice is malformed. */
static int once(struct dctx *d, xmlNodePtr n, bool trim, ef_str_t *out)
{
    if (out->len > 0)
        return fail(d, EF_ESYNTAX, n, "<%s> repeated", (const char *)n->name);
    return leaf(d, n, trim, out);
}

static int take_notes(struct dctx *d, const struct nodes *c, ef_pidf_note_t **out, size_t *n)
{
    *n = 0;
    if (c->n == 0)
        return 0;
    *out = ef__arena_alloc(d->a, c->n * sizeof(**out));
    if (*out == NULL)
        return EF_ENOMEM;
    for (size_t i = 0; i < c->n; i++) {
        ef_pidf_note_t *note = &(*out)[i];
        int rc = leaf(d, c->v[i], false, &note->text);

        if (rc == 0)
            rc = attr_of(d, c->v[i], "lang", (const char *)XML_XML_NAMESPACE, &note->lang);
        if (rc != 0)
            return rc;
        (*n)++;
    }
    return 0;
}

/* The values of <activities>/<mood>; 1 when one is not a value the model can hold. */
static int set_tokens(struct dctx *d, const struct nodes *c, ef_rpid_set_t *set)
{
    set->n_tokens = 0;
    if (c->n == 0)
        return 0;
    set->tokens = ef__arena_alloc(d->a, c->n * sizeof(*set->tokens));
    if (set->tokens == NULL)
        return EF_ENOMEM;
    for (size_t i = 0; i < c->n; i++) {
        ef_rpid_token_t *t = &set->tokens[i];
        int rc = ef__pidf_dup(d->a, &t->name, ef__pidf_cstr((const char *)c->v[i]->name));

        t->text = t->lang = EF_STR_NULL;
        if (rc == 0 && strcmp((const char *)c->v[i]->name, "other") == 0) {
            rc = text_of(d, c->v[i], false, &t->text);
            if (rc == 0)
                rc = attr_of(d, c->v[i], "lang", (const char *)XML_XML_NAMESPACE, &t->lang);
        }
        if (rc != 0)
            return rc;
        set->n_tokens++;
    }
    return 0;
}

/* An empty RPID value element, or <other> with text. */
static bool is_token(xmlNodePtr n)
{
    xmlChar *t;
    bool blank = true;

    if (!is_leaf(n) || n->properties != NULL)
        return strcmp((const char *)n->name, "other") == 0 && is_leaf(n);
    if (strcmp((const char *)n->name, "other") == 0)
        return true;
    t = xmlNodeGetContent(n);
    for (const xmlChar *p = t; p != NULL && *p != '\0'; p++)
        blank = blank && is_space((char)*p);
    xmlFree(t);
    return blank;
}

/*
 * <activities> or <mood> (RFC 4480 §3.2, §3.5). @return 0, 1 when the element
 * uses RPID values in a way the model cannot hold (the caller keeps it as XML),
 * or an error.
 */
static int decode_set(struct dctx *d, xmlNodePtr n, ef_rpid_set_t *set)
{
    struct nodes notes = {.n = 0}, tokens = {.n = 0}, ext = {.n = 0};
    int rc = 0;

    for (xmlNodePtr c = n->children; c != NULL && rc == 0; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (ef__pidf_is(c, EF_PIDF_NS_RPID, "note"))
            rc = is_leaf(c) ? collect(d, &notes, EF_PIDF_MAX_NOTES, c, "notes") : 1;
        else if (c->ns != NULL && strcmp((const char *)c->ns->href, EF_PIDF_NS_RPID) == 0)
            rc = is_token(c) ? collect(d, &tokens, EF_PIDF_MAX_TOKENS, c, "values") : 1;
        else
            rc = keep(d, &ext, c);
    }
    if (rc != 0) {
        d->n_unknown -= ext.n; /* the whole element is kept instead */
        return rc;
    }
    set->present = true;
    if ((rc = attr_of(d, n, "id", NULL, &set->id)) != 0 ||
        (rc = attr_of(d, n, "from", NULL, &set->from)) != 0 ||
        (rc = attr_of(d, n, "until", NULL, &set->until)) != 0 ||
        (rc = take_notes(d, &notes, &set->notes, &set->n_notes)) != 0 ||
        (rc = set_tokens(d, &tokens, set)) != 0)
        return rc;
    return take_ext(d, &ext, &set->ext, &set->n_ext);
}

/* A CIPID URI or display-name, the first of its kind. @return 1 taken, 0 not, or an error */
static int decode_cipid(struct dctx *d, xmlNodePtr n, ef_pidf_rich_t *r)
{
    static const struct {
        const char *name;
        size_t off;
    } uris[] = {{"icon", offsetof(ef_pidf_rich_t, icon)},
                {"card", offsetof(ef_pidf_rich_t, card)},
                {"homepage", offsetof(ef_pidf_rich_t, homepage)}};
    int rc;

    if (ef__pidf_is(n, EF_PIDF_NS_CIPID, "display-name")) {
        if (r->display_name.text.len > 0)
            return 0; /* another language: kept as XML */
        rc = leaf(d, n, false, &r->display_name.text);
        if (rc == 0)
            rc = attr_of(d, n, "lang", (const char *)XML_XML_NAMESPACE, &r->display_name.lang);
        return rc != 0 ? rc : 1;
    }
    for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
        ef_str_t *dst = (ef_str_t *)(void *)((char *)r + uris[i].off);

        if (!ef__pidf_is(n, EF_PIDF_NS_CIPID, uris[i].name))
            continue;
        if (dst->len > 0)
            return 0;
        rc = leaf(d, n, true, dst);
        return rc != 0 ? rc : 1;
    }
    return 0;
}

/* An RPID or CIPID child of a person or tuple. @return 1 taken, 0 not, or an error */
static int decode_rich(struct dctx *d, xmlNodePtr n, ef_pidf_rich_t *r)
{
    ef_rpid_set_t *set = NULL;
    int rc;

    if (ef__pidf_is(n, EF_PIDF_NS_RPID, "activities"))
        set = &r->activities;
    else if (ef__pidf_is(n, EF_PIDF_NS_RPID, "mood"))
        set = &r->mood;
    if (set == NULL)
        return decode_cipid(d, n, r);
    if (set->present)
        return 0; /* RFC 4480 §3.2: several, each with its own from/until; kept as XML */
    rc = decode_set(d, n, set);
    return rc < 0 ? rc : rc == 0;
}

static int decode_status(struct dctx *d, xmlNodePtr n, ef_pidf_tuple_t *t)
{
    struct nodes ext = {.n = 0};
    ef_str_t basic = EF_STR_NULL;
    int rc = 0;

    for (xmlNodePtr c = n->children; c != NULL && rc == 0; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (ef__pidf_is(c, EF_PIDF_NS, "basic"))
            rc = once(d, c, true, &basic);
        else
            rc = keep(d, &ext, c);
        if (rc == 0 && basic.len > 0 && t->basic == EF_PIDF_BASIC_NONE) {
            /* RFC 3863 §4.1.4: the value is "open" or "closed". */
            if (strcmp(basic.ptr, "open") == 0)
                t->basic = EF_PIDF_BASIC_OPEN;
            else if (strcmp(basic.ptr, "closed") == 0)
                t->basic = EF_PIDF_BASIC_CLOSED;
            else
                return fail(d, EF_ESYNTAX, c, "<basic> is neither open nor closed");
        }
    }
    return rc != 0 ? rc : take_ext(d, &ext, &t->status_ext, &t->n_status_ext);
}

static int decode_contact(struct dctx *d, xmlNodePtr n, ef_pidf_tuple_t *t)
{
    int rc = once(d, n, true, &t->contact);

    if (rc == 0)
        rc = attr_of(d, n, "priority", NULL, &t->priority);
    if (rc == 0 && t->priority.ptr != NULL && !ef__pidf_is_qvalue(t->priority))
        return fail(d, EF_ESYNTAX, n, "priority is not a qvalue");
    return rc;
}

/* One child of <tuple>: the PIDF elements, then RPID/CIPID, the rest kept. */
static int tuple_child(struct dctx *d, xmlNodePtr c, ef_pidf_tuple_t *t, struct nodes *notes,
                       struct nodes *ext, bool *status)
{
    int rc;

    if (ef__pidf_is(c, EF_PIDF_NS, "status")) {
        if (*status)
            return fail(d, EF_ESYNTAX, c, "<status> repeated");
        *status = true;
        return decode_status(d, c, t);
    }
    if (ef__pidf_is(c, EF_PIDF_NS, "contact"))
        return decode_contact(d, c, t);
    if (ef__pidf_is(c, EF_PIDF_NS, "note"))
        return collect(d, notes, EF_PIDF_MAX_NOTES, c, "notes");
    if (ef__pidf_is(c, EF_PIDF_NS, "timestamp"))
        return once(d, c, true, &t->timestamp);
    rc = decode_rich(d, c, &t->rich);
    return rc != 0 ? (rc < 0 ? rc : 0) : keep(d, ext, c);
}

static int decode_tuple(struct dctx *d, xmlNodePtr n, ef_pidf_tuple_t *t)
{
    struct nodes notes = {.n = 0}, ext = {.n = 0};
    bool status = false;
    int rc = attr_of(d, n, "id", NULL, &t->id);

    if (rc == 0 && t->id.len == 0)
        return fail(d, EF_ESYNTAX, n, "<tuple> without id (RFC 3863 §4.1.2)");
    for (xmlNodePtr c = n->children; c != NULL && rc == 0; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            rc = tuple_child(d, c, t, &notes, &ext, &status);
    if (rc == 0)
        rc = take_notes(d, &notes, &t->notes, &t->n_notes);
    return rc != 0 ? rc : take_ext(d, &ext, &t->ext, &t->n_ext);
}

static int decode_person(struct dctx *d, xmlNodePtr n, ef_pidf_person_t *p)
{
    struct nodes notes = {.n = 0}, ext = {.n = 0};
    int rc = attr_of(d, n, "id", NULL, &p->id);

    p->present = true;
    for (xmlNodePtr c = n->children; c != NULL && rc == 0; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (ef__pidf_is(c, EF_PIDF_NS_DM, "note"))
            rc = collect(d, &notes, EF_PIDF_MAX_NOTES, c, "notes");
        else if (ef__pidf_is(c, EF_PIDF_NS_DM, "timestamp"))
            rc = once(d, c, true, &p->timestamp);
        else if ((rc = decode_rich(d, c, &p->rich)) == 0)
            rc = keep(d, &ext, c);
        else if (rc > 0)
            rc = 0;
    }
    if (rc == 0)
        rc = take_notes(d, &notes, &p->notes, &p->n_notes);
    return rc != 0 ? rc : take_ext(d, &ext, &p->ext, &p->n_ext);
}

static int take_tuples(struct dctx *d, const struct nodes *c, ef_pidf_t *p)
{
    p->n_tuples = 0;
    if (c->n == 0)
        return 0;
    p->tuples = ef__arena_alloc(d->a, c->n * sizeof(*p->tuples));
    if (p->tuples == NULL)
        return EF_ENOMEM;
    memset(p->tuples, 0, c->n * sizeof(*p->tuples));
    for (size_t i = 0; i < c->n; i++) {
        int rc = decode_tuple(d, c->v[i], &p->tuples[i]);
        if (rc != 0)
            return rc;
        p->n_tuples++;
    }
    return 0;
}

static int decode_presence(struct dctx *d, xmlNodePtr root, ef_pidf_t *p)
{
    struct nodes tuples = {.n = 0}, notes = {.n = 0}, ext = {.n = 0};
    int rc = attr_of(d, root, "entity", NULL, &p->entity);

    if (rc == 0 && p->entity.len == 0)
        return fail(d, EF_ESYNTAX, root, "<presence> without entity (RFC 3863 §4.1.1)");
    for (xmlNodePtr c = root->children; c != NULL && rc == 0; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (ef__pidf_is(c, EF_PIDF_NS, "tuple"))
            rc = collect(d, &tuples, EF_PIDF_MAX_TUPLES, c, "tuples");
        else if (ef__pidf_is(c, EF_PIDF_NS, "note"))
            rc = collect(d, &notes, EF_PIDF_MAX_NOTES, c, "notes");
        else if (ef__pidf_is(c, EF_PIDF_NS_DM, "person") && !p->person.present)
            rc = decode_person(d, c, &p->person);
        else
            rc = keep(d, &ext, c);
    }
    if (rc == 0)
        rc = take_tuples(d, &tuples, p);
    if (rc == 0)
        rc = take_notes(d, &notes, &p->notes, &p->n_notes);
    return rc != 0 ? rc : take_ext(d, &ext, &p->ext, &p->n_ext);
}

/* libxml2 parses; the checks before the walk are RFC 3863 §4.1 and the reader's limits. */
static xmlDocPtr read_doc(struct dctx *d, const char *buf, size_t len, int *rc)
{
    struct ef__xml_error xe;
    xmlDocPtr doc = ef__xml_read_ns(buf, len, "pidf", EF_PIDF_MAX_DEPTH, &xe);

    if (doc == NULL) {
        /* A DOCTYPE declaring entities is not a PIDF document: a syntax error here. */
        *rc = xe.status == EF_EINVAL ? EF_ESYNTAX : xe.status;
        ef__errf(d->errbuf, d->errcap, "line %d column %d: %s", xe.line, xe.column, xe.msg);
        return NULL;
    }
    if (doc->intSubset != NULL || doc->extSubset != NULL) {
        *rc = fail(d, EF_ESYNTAX, NULL, "a DOCTYPE is not allowed");
        xmlFreeDoc(doc);
        return NULL;
    }
    if (!ef__pidf_is(xmlDocGetRootElement(doc), EF_PIDF_NS, "presence")) {
        *rc = fail(d, EF_ESYNTAX, xmlDocGetRootElement(doc),
                   "the root is not <presence> in " EF_PIDF_NS " (RFC 3863 §4.1)");
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

int ef_pidf_decode(const char *buf, size_t len, ef_pidf_t **out, char *errbuf, size_t errcap)
{
    struct dctx d = {NULL, 0, errbuf, errcap};
    xmlDocPtr doc;
    ef_pidf_t *p;
    int rc = 0;

    if (out == NULL || (buf == NULL && len > 0))
        return EF_EINVAL;
    *out = NULL;
    if (len > EF_PIDF_MAX_BYTES)
        return fail(&d, EF_E2BIG, NULL, "document larger than %d bytes", EF_PIDF_MAX_BYTES);
    doc = read_doc(&d, buf != NULL ? buf : "", len, &rc);
    if (doc == NULL)
        return rc;
    d.a = ef__arena_new();
    p = d.a != NULL ? ef__arena_alloc(d.a, sizeof(*p)) : NULL;
    if (p == NULL) {
        rc = EF_ENOMEM;
    } else {
        memset(p, 0, sizeof(*p));
        p->arena = d.a;
        rc = decode_presence(&d, xmlDocGetRootElement(doc), p);
    }
    xmlFreeDoc(doc);
    if (rc != 0) {
        ef__arena_free(d.a);
        return rc;
    }
    *out = p;
    return 0;
}

void ef_pidf_free(ef_pidf_t *p)
{
    if (p != NULL)
        ef__arena_free(p->arena);
}
