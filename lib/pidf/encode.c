/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * encode.c -- an ef_pidf_t into a PIDF document, built as a libxml2 tree and
 * serialized without libxml2's formatter: the indentation is added here, as
 * text between known elements only, so that an unknown element comes out
 * byte for byte as it was kept. Known elements go in the schema order of
 * RFC 3863 §4.4 (tuple: status, extensions, contact, note, timestamp) and of
 * the data model's person (extensions, note, timestamp).
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "enum/xml_safe.h"
#include "pidf/pidf_int.h"

struct ectx {
    xmlDocPtr doc;
    xmlNsPtr pidf, dm, rpid, cipid;
    int rc; /* sticky: the first error; later calls do nothing */
};

static void indent(struct ectx *e, xmlNodePtr parent, int depth)
{
    static const char spaces[] = "\n                                ";
    xmlNodePtr t;

    if (e->rc != 0)
        return;
    t = xmlNewDocTextLen(e->doc, BAD_CAST spaces, 1 + 2 * (depth < 16 ? depth : 16));
    if (t == NULL || xmlAddChild(parent, t) == NULL) {
        xmlFreeNode(t);
        e->rc = EF_ENOMEM;
    }
}

/* A new element at `depth` (the root's children are 1). @return it, or NULL with e->rc set */
static xmlNodePtr add_el(struct ectx *e, xmlNodePtr parent, xmlNsPtr ns, const char *name,
                         int depth)
{
    xmlNodePtr n;

    indent(e, parent, depth);
    if (e->rc != 0)
        return NULL;
    n = xmlNewDocNode(e->doc, ns, BAD_CAST name, NULL);
    if (n == NULL || xmlAddChild(parent, n) == NULL) {
        xmlFreeNode(n);
        e->rc = EF_ENOMEM;
        return NULL;
    }
    return n;
}

/* Close a container that got element children: its end tag on a line of its own. */
static void end_el(struct ectx *e, xmlNodePtr n, int depth)
{
    if (e->rc == 0 && n != NULL && xmlGetLastChild(n) != NULL)
        indent(e, n, depth);
}

static void set_text(struct ectx *e, xmlNodePtr n, ef_str_t s)
{
    char *t;

    if (e->rc != 0 || n == NULL || s.len == 0)
        return;
    if (s.len > EF_PIDF_MAX_BYTES) {
        e->rc = EF_EINVAL;
        return;
    }
    t = ef__pidf_text(s, &e->rc);
    if (t != NULL)
        xmlNodeAddContentLen(n, BAD_CAST t, (int)s.len);
    free(t);
}

static void set_attr(struct ectx *e, xmlNodePtr n, const char *name, ef_str_t v)
{
    char *t;

    if (e->rc != 0 || n == NULL || v.len == 0)
        return;
    t = ef__pidf_text(v, &e->rc);
    if (t != NULL && xmlSetProp(n, BAD_CAST name, BAD_CAST t) == NULL)
        e->rc = EF_ENOMEM;
    free(t);
}

static void set_lang(struct ectx *e, xmlNodePtr n, ef_str_t lang)
{
    char *t;

    if (e->rc != 0 || n == NULL || lang.len == 0)
        return;
    t = ef__pidf_text(lang, &e->rc);
    if (t != NULL)
        xmlNodeSetLang(n, BAD_CAST t);
    free(t);
}

/* A text element, left out when the text is empty. */
static xmlNodePtr add_text(struct ectx *e, xmlNodePtr parent, xmlNsPtr ns, const char *name,
                           ef_str_t s, int depth)
{
    xmlNodePtr n;

    if (s.len == 0)
        return NULL;
    n = add_el(e, parent, ns, name, depth);
    set_text(e, n, s);
    return n;
}

static void add_notes(struct ectx *e, xmlNodePtr parent, xmlNsPtr ns, const ef_pidf_note_t *v,
                      size_t n, int depth)
{
    for (size_t i = 0; i < n && e->rc == 0; i++) {
        xmlNodePtr note = add_el(e, parent, ns, "note", depth);

        set_text(e, note, v[i].text);
        set_lang(e, note, v[i].lang);
    }
}

/* An element kept as XML: parsed again (it must be one well-formed element) and copied in. */
static void add_ext(struct ectx *e, xmlNodePtr parent, const ef_str_t *v, size_t n, int depth)
{
    for (size_t i = 0; i < n && e->rc == 0; i++) {
        struct ef__xml_error xe = {.status = EF_EINVAL};
        xmlDocPtr tmp = v[i].len <= EF_PIDF_MAX_BYTES && v[i].ptr != NULL
                            ? ef__xml_read_ns(v[i].ptr, v[i].len, "ext", EF_PIDF_MAX_DEPTH, &xe)
                            : NULL;
        xmlNodePtr copy = NULL;

        if (tmp == NULL || tmp->intSubset != NULL) {
            e->rc = xe.status == EF_ENOMEM ? EF_ENOMEM : EF_EINVAL;
        } else {
            indent(e, parent, depth);
            copy = e->rc == 0 ? xmlDocCopyNode(xmlDocGetRootElement(tmp), e->doc, 1) : NULL;
            if (e->rc == 0 && (copy == NULL || xmlAddChild(parent, copy) == NULL)) {
                xmlFreeNode(copy);
                e->rc = EF_ENOMEM;
            }
        }
        xmlFreeDoc(tmp);
    }
}

/* <activities> or <mood> (RFC 4480 §3.2, §3.5): notes, values, other-namespace values. */
static void add_set(struct ectx *e, xmlNodePtr parent, const char *name, const ef_rpid_set_t *s,
                    int depth)
{
    xmlNodePtr n;

    if (!s->present)
        return;
    n = add_el(e, parent, e->rpid, name, depth);
    set_attr(e, n, "id", s->id);
    set_attr(e, n, "from", s->from);
    set_attr(e, n, "until", s->until);
    add_notes(e, n, e->rpid, s->notes, s->n_notes, depth + 1);
    for (size_t i = 0; i < s->n_tokens && e->rc == 0; i++) {
        const ef_rpid_token_t *t = &s->tokens[i];
        char *tok = ef__pidf_text(t->name, &e->rc);
        xmlNodePtr v;

        /* A value is an element name: it must be one (an NCName). */
        if (tok != NULL && (t->name.len == 0 || xmlValidateNCName(BAD_CAST tok, 0) != 0))
            e->rc = EF_EINVAL;
        v = e->rc == 0 ? add_el(e, n, e->rpid, tok, depth + 1) : NULL;
        free(tok);
        set_text(e, v, t->text);
        set_lang(e, v, t->lang);
    }
    add_ext(e, n, s->ext, s->n_ext, depth + 1);
    end_el(e, n, depth);
}

static void add_rich(struct ectx *e, xmlNodePtr parent, const ef_pidf_rich_t *r, int depth)
{
    xmlNodePtr dn;

    add_set(e, parent, "activities", &r->activities, depth);
    add_set(e, parent, "mood", &r->mood, depth);
    dn = add_text(e, parent, e->cipid, "display-name", r->display_name.text, depth);
    set_lang(e, dn, r->display_name.lang);
    add_text(e, parent, e->cipid, "icon", r->icon, depth);
    add_text(e, parent, e->cipid, "card", r->card, depth);
    add_text(e, parent, e->cipid, "homepage", r->homepage, depth);
}

static void add_tuple(struct ectx *e, xmlNodePtr root, const ef_pidf_tuple_t *t)
{
    static const char *const basic[] = {NULL, "open", "closed"};
    xmlNodePtr n = add_el(e, root, e->pidf, "tuple", 1), status, contact;

    if (t->id.len == 0 || (unsigned)t->basic > EF_PIDF_BASIC_CLOSED)
        e->rc = e->rc != 0 ? e->rc : EF_EINVAL; /* RFC 3863 §4.1.2: a tuple has an id */
    set_attr(e, n, "id", t->id);
    status = add_el(e, n, e->pidf, "status", 2);
    if (e->rc == 0 && t->basic != EF_PIDF_BASIC_NONE)
        add_text(e, status, e->pidf, "basic", ef__pidf_cstr(basic[t->basic]), 3);
    add_ext(e, status, t->status_ext, t->n_status_ext, 3);
    end_el(e, status, 2);
    add_rich(e, n, &t->rich, 2);
    add_ext(e, n, t->ext, t->n_ext, 2);
    contact = add_text(e, n, e->pidf, "contact", t->contact, 2);
    if (contact != NULL && t->priority.len > 0) {
        if (!ef__pidf_is_qvalue(t->priority))
            e->rc = e->rc != 0 ? e->rc : EF_EINVAL; /* RFC 3863 §4.1.5 */
        set_attr(e, contact, "priority", t->priority);
    }
    add_notes(e, n, e->pidf, t->notes, t->n_notes, 2);
    add_text(e, n, e->pidf, "timestamp", t->timestamp, 2);
    end_el(e, n, 1);
}

static void add_person(struct ectx *e, xmlNodePtr root, const ef_pidf_person_t *p)
{
    xmlNodePtr n;

    if (!p->present)
        return;
    n = add_el(e, root, e->dm, "person", 1);
    set_attr(e, n, "id", p->id);
    add_rich(e, n, &p->rich, 2);
    add_ext(e, n, p->ext, p->n_ext, 2);
    add_notes(e, n, e->dm, p->notes, p->n_notes, 2);
    add_text(e, n, e->dm, "timestamp", p->timestamp, 2);
    end_el(e, n, 1);
}

/* The root with every namespace the encoder may use, so that every document looks alike. */
static xmlNodePtr add_root(struct ectx *e, ef_str_t entity)
{
    xmlNodePtr root = xmlNewDocNode(e->doc, NULL, BAD_CAST "presence", NULL);

    if (root == NULL) {
        e->rc = EF_ENOMEM;
        return NULL;
    }
    xmlDocSetRootElement(e->doc, root);
    e->pidf = xmlNewNs(root, BAD_CAST EF_PIDF_NS, NULL);
    e->dm = xmlNewNs(root, BAD_CAST EF_PIDF_NS_DM, BAD_CAST "dm");
    e->rpid = xmlNewNs(root, BAD_CAST EF_PIDF_NS_RPID, BAD_CAST "rpid");
    e->cipid = xmlNewNs(root, BAD_CAST EF_PIDF_NS_CIPID, BAD_CAST "cipid");
    if (e->pidf == NULL || e->dm == NULL || e->rpid == NULL || e->cipid == NULL) {
        e->rc = EF_ENOMEM;
        return NULL;
    }
    xmlSetNs(root, e->pidf);
    if (entity.len == 0)
        e->rc = EF_EINVAL; /* RFC 3863 §4.1.1: entity is required */
    set_attr(e, root, "entity", entity);
    return root;
}

int ef_pidf_encode(const ef_pidf_t *p, ef_buf_t *out)
{
    struct ectx e = {.rc = 0};
    xmlNodePtr root;

    if (p == NULL || out == NULL || (p->n_tuples > 0 && p->tuples == NULL))
        return EF_EINVAL;
    e.doc = xmlNewDoc(BAD_CAST "1.0");
    if (e.doc == NULL)
        return EF_ENOMEM;
    root = add_root(&e, p->entity);
    for (size_t i = 0; i < p->n_tuples && e.rc == 0; i++)
        add_tuple(&e, root, &p->tuples[i]);
    add_notes(&e, root, e.pidf, p->notes, p->n_notes, 1);
    add_person(&e, root, &p->person);
    add_ext(&e, root, p->ext, p->n_ext, 1);
    end_el(&e, root, 0);
    if (e.rc == 0)
        e.rc = ef__pidf_dump(e.doc, out);
    xmlFreeDoc(e.doc);
    return e.rc;
}
