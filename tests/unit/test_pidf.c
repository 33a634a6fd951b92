/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_pidf.c -- PIDF / RPID / CIPID decode and encode (lib/pidf), on the
 * RFC 3863, RFC 4480 and RFC 4482 examples in $EF_TEST_DATA/pidf and on
 * documents built here: round trips, unknown extensions passed on byte for
 * byte, composition of two devices, the closed document, watcherinfo output
 * re-read with libxml2, and every limit and XML attack refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "enumfed/pidf.h"
#include "guard.h"
#include "tap.h"

#define EQ(s, lit) ((s).len == strlen(lit) && memcmp((s).ptr, (lit), (s).len) == 0)

static const char *data_dir;
static char errbuf[256];
static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";

static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    FILE *f;
    char *buf = malloc(EF_PIDF_MAX_BYTES + 1);

    snprintf(path, sizeof path, "%s/pidf/%s", data_dir, name);
    f = fopen(path, "rb");
    if (f == NULL || buf == NULL) {
        printf("# cannot read %s\n", path);
        exit(1);
    }
    *len = fread(buf, 1, EF_PIDF_MAX_BYTES, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* Decode from memory placed against a guard page when it fits in one. */
static int decode(const char *s, size_t n, ef_pidf_t **p)
{
    errbuf[0] = '\0';
    if (n < 4096)
        s = guarded(s, n);
    return ef_pidf_decode(s, n, p, errbuf, sizeof errbuf);
}

static int decode_file(const char *name, ef_pidf_t **p)
{
    size_t n;
    char *s = slurp(name, &n);
    int rc = decode(s, n, p);

    free(s);
    return rc;
}

/* Encode into a fresh buffer; the caller closes it. */
static int encode(const ef_pidf_t *p, ef_buf_t *b)
{
    ef_buf_init(b, 1 << 20);
    return ef_pidf_encode(p, b);
}

static void test_rfc3863(void)
{
    ef_pidf_t *a = NULL, *b = NULL, *p = NULL;
    ef_buf_t ea, eb;

    CHECK_INT(decode_file("rfc3863-4.1.3-prefixed.xml", &a), 0);
    CHECK_INT(decode_file("rfc3863-4.1.3-default.xml", &b), 0);
    if (a == NULL || b == NULL)
        return;
    CHECK_STRN(a->entity.ptr, a->entity.len, "pres:someone@example.com");
    CHECK_INT(a->n_tuples, 1);
    CHECK_STRN(a->tuples[0].id.ptr, a->tuples[0].id.len, "sg89ae");
    CHECK_INT(a->tuples[0].basic, EF_PIDF_BASIC_OPEN);
    CHECK_STRN(a->tuples[0].contact.ptr, a->tuples[0].contact.len, "tel:+09012345678");
    CHECK_STRN(a->tuples[0].priority.ptr, a->tuples[0].priority.len, "0.8");
    CHECK_INT(a->n_ext + a->tuples[0].n_ext + a->tuples[0].n_status_ext, 0);
    CHECK(!a->person.present);
    /* A prefix or a default namespace: the same document. */
    CHECK_INT(encode(a, &ea), 0);
    CHECK_INT(encode(b, &eb), 0);
    CHECK(ea.len == eb.len && memcmp(ea.data, eb.data, ea.len) == 0);
    ef_buf_close(&ea);
    ef_buf_close(&eb);
    ef_pidf_free(a);
    ef_pidf_free(b);

    CHECK_INT(decode_file("rfc3863-4.2.4-location.xml", &p), 0);
    if (p != NULL) {
        CHECK_INT(p->tuples[0].n_status_ext, 1);
        CHECK_STRN(p->tuples[0].status_ext[0].ptr, p->tuples[0].status_ext[0].len,
                   "<local:location xmlns:local=\"urn:example-com:pidf-status-type\">home"
                   "</local:location>");
        CHECK_INT(p->tuples[0].priority.len, 0);
        ef_pidf_free(p);
    }
    CHECK_INT(decode_file("rfc3863-4.3.1-im.xml", &p), 0);
    if (p != NULL) {
        const ef_pidf_tuple_t *t = &p->tuples[0];

        CHECK_INT(p->n_tuples, 2);
        CHECK_INT(t->n_status_ext, 2);
        CHECK_INT(t->n_notes, 2);
        CHECK_STRN(t->notes[0].text.ptr, t->notes[0].text.len, "Don't Disturb Please!");
        CHECK_STRN(t->notes[0].lang.ptr, t->notes[0].lang.len, "en");
        CHECK_STRN(t->notes[1].lang.ptr, t->notes[1].lang.len, "fr");
        CHECK_STRN(t->timestamp.ptr, t->timestamp.len, "2001-10-27T16:49:29Z");
        CHECK_INT(p->n_notes, 1);
        CHECK_STRN(p->notes[0].text.ptr, p->notes[0].text.len, "I'll be in Tokyo next week");
        CHECK_INT(p->notes[0].lang.len, 0);
        CHECK_STRN(p->tuples[1].priority.ptr, p->tuples[1].priority.len, "1.0");
        ef_pidf_free(p);
    }
}

static void test_rfc3863_extensions(void)
{
    ef_pidf_t *p = NULL;

    CHECK_INT(decode_file("rfc3863-4.3.2-extensions.xml", &p), 0);
    if (p != NULL) {
        CHECK_INT(p->tuples[0].n_ext, 1);
        CHECK_STRN(p->tuples[0].ext[0].ptr, p->tuples[0].ext[0].len,
                   "<myex:mytupletag xmlns:myex=\"http://id.example.com/presence/\">Extended value "
                   "in tuple</myex:mytupletag>");
        CHECK_STRN(p->tuples[1].contact.ptr, p->tuples[1].contact.len,
                   "im:someone@mobilecarrier.net");
        CHECK_INT(p->n_ext, 1);
        CHECK_STRN(p->ext[0].ptr, p->ext[0].len,
                   "<myex:mytag xmlns:myex=\"http://id.example.com/presence/\">My extended "
                   "presentity information</myex:mytag>");
        ef_pidf_free(p);
    }
    /* RFC 3863 §4.2.3: a mustUnderstand extension is unrecognized as a whole, and kept. */
    CHECK_INT(decode_file("rfc3863-4.3.3-must-understand.xml", &p), 0);
    if (p != NULL) {
        CHECK_INT(p->tuples[0].n_ext, 1);
        CHECK_STRN(p->tuples[0].ext[0].ptr, p->tuples[0].ext[0].len,
                   "<myex:complexExtension xmlns:myex=\"http://id.mycompany.com/presence/\" "
                   "xmlns:impp=\"urn:ietf:params:xml:ns:pidf\">\n"
                   "      <myex:ex1 impp:mustUnderstand=\"1\">val1</myex:ex1>\n"
                   "      <myex:ex2>val2</myex:ex2>\n"
                   "    </myex:complexExtension>");
        CHECK_STRN(p->tuples[0].priority.ptr, p->tuples[0].priority.len, "0.725");
        ef_pidf_free(p);
    }
}

static void test_rfc4480(void)
{
    ef_pidf_t *p = NULL;
    const ef_pidf_person_t *pe;

    CHECK_INT(decode_file("rfc4480-4-example.xml", &p), 0);
    if (p == NULL)
        return;
    pe = &p->person;
    CHECK_INT(p->n_tuples, 3);
    CHECK_INT(p->tuples[0].n_ext, 3); /* deviceID, relationship, service-class */
    CHECK_INT(p->tuples[2].n_ext, 4);
    CHECK_INT(p->n_ext, 1); /* the <dm:device> */
    CHECK(pe->present);
    CHECK_STRN(pe->id.ptr, pe->id.len, "p1");
    CHECK(pe->rich.activities.present);
    CHECK_INT(pe->rich.activities.n_tokens, 1);
    CHECK_STRN(pe->rich.activities.tokens[0].name.ptr, pe->rich.activities.tokens[0].name.len,
               "away");
    CHECK_INT(ef_rpid_activity(pe->rich.activities.tokens[0].name), EF_RPID_ACT_AWAY);
    CHECK_STRN(pe->rich.activities.from.ptr, pe->rich.activities.from.len,
               "2005-05-30T12:00:00+05:00");
    CHECK_STRN(pe->rich.activities.until.ptr, pe->rich.activities.until.len,
               "2005-05-30T17:00:00+05:00");
    CHECK_INT(pe->rich.activities.n_notes, 1);
    CHECK_STRN(pe->rich.activities.notes[0].text.ptr, pe->rich.activities.notes[0].text.len,
               "Far away");
    CHECK(pe->rich.mood.present);
    CHECK_INT(pe->rich.mood.n_tokens, 2);
    CHECK_STRN(pe->rich.mood.tokens[0].name.ptr, pe->rich.mood.tokens[0].name.len, "angry");
    CHECK_STRN(pe->rich.mood.tokens[1].text.ptr, pe->rich.mood.tokens[1].text.len, "brooding");
    CHECK_INT(pe->n_ext, 7); /* class, place-is, place-type, privacy, sphere, status-icon, offset */
    CHECK_INT(pe->n_notes, 1);
    CHECK_STRN(pe->notes[0].text.ptr, pe->notes[0].text.len, "Scoring 120");
    CHECK_STRN(pe->timestamp.ptr, pe->timestamp.len, "2005-05-30T16:09:44+05:00");
    /* The place-type value uses a prefix declared on the root: it travels with it. */
    CHECK(pe->n_ext > 2 &&
          strstr(pe->ext[2].ptr, "xmlns:lt=\"urn:ietf:params:xml:ns:location-type\"") != NULL);
    ef_pidf_free(p);
}

static void test_rfc4482(void)
{
    ef_pidf_t *p = NULL;
    const ef_pidf_rich_t *r;

    CHECK_INT(decode_file("rfc4482-4-cipid.xml", &p), 0);
    if (p != NULL) {
        r = &p->person.rich;
        CHECK_STRN(r->display_name.text.ptr, r->display_name.text.len, "Alice Lewis");
        CHECK_STRN(r->card.ptr, r->card.len, "http://example.com/~alice/card.vcd");
        CHECK_STRN(r->homepage.ptr, r->homepage.len, "http://example.com/~alice");
        CHECK_STRN(r->icon.ptr, r->icon.len, "http://example.com/~alice/me.png");
        CHECK_INT(p->person.n_ext, 2); /* map, sound */
        ef_pidf_free(p);
    }
    /* As printed in RFC 4482 the example closes <c:display-name> with </c:card>. */
    CHECK_INT(decode_file("rfc4482-4-cipid-erratum.xml", &p), EF_ESYNTAX);
    CHECK(p == NULL);
    CHECK(strstr(errbuf, "line 17") != NULL);
    CHECK_INT(decode_file("rfc4482-4-rpid-cipid.xml", &p), 0);
    if (p != NULL) {
        CHECK_INT(p->tuples[1].basic, EF_PIDF_BASIC_CLOSED);
        CHECK_STRN(p->tuples[1].rich.card.ptr, p->tuples[1].rich.card.len,
                   "http://example.com/~assistant/card.vcd");
        CHECK_INT(p->tuples[1].n_ext, 1);
        CHECK_STRN(p->person.rich.icon.ptr, p->person.rich.icon.len,
                   "http://example.com/~someone/icon.gif");
        CHECK_INT(p->person.rich.display_name.text.len, 0);
        ef_pidf_free(p);
    }
}

/* decode -> encode -> decode -> encode: the two encodings are the same bytes. */
static void round_trip(const char *name)
{
    ef_pidf_t *a = NULL, *b = NULL;
    ef_buf_t e1, e2;

    CHECK_INT(decode_file(name, &a), 0);
    CHECK_INT(encode(a, &e1), 0);
    CHECK_INT(decode(e1.data, e1.len, &b), 0);
    CHECK_INT(encode(b, &e2), 0);
    CHECK(e1.len == e2.len && memcmp(e1.data, e2.data, e1.len) == 0);
    if (a != NULL && b != NULL) {
        CHECK_INT(a->n_tuples, b->n_tuples);
        CHECK_INT(a->n_ext, b->n_ext);
        CHECK_INT(a->n_notes, b->n_notes);
        CHECK_INT(a->person.n_ext, b->person.n_ext);
        CHECK_INT(a->person.rich.activities.n_tokens, b->person.rich.activities.n_tokens);
        /* Every unknown element comes back byte for byte. */
        for (size_t i = 0; i < a->n_ext && i < b->n_ext; i++)
            CHECK_STRN(b->ext[i].ptr, b->ext[i].len, a->ext[i].ptr);
        for (size_t i = 0; i < a->person.n_ext && i < b->person.n_ext; i++)
            CHECK_STRN(b->person.ext[i].ptr, b->person.ext[i].len, a->person.ext[i].ptr);
        for (size_t t = 0; t < a->n_tuples && t < b->n_tuples; t++) {
            CHECK_STRN(b->tuples[t].id.ptr, b->tuples[t].id.len, a->tuples[t].id.ptr);
            CHECK_STRN(b->tuples[t].contact.ptr, b->tuples[t].contact.len,
                       a->tuples[t].contact.ptr);
            CHECK_INT(b->tuples[t].n_ext, a->tuples[t].n_ext);
            for (size_t i = 0; i < a->tuples[t].n_ext && i < b->tuples[t].n_ext; i++)
                CHECK_STRN(b->tuples[t].ext[i].ptr, b->tuples[t].ext[i].len,
                           a->tuples[t].ext[i].ptr);
        }
    }
    ef_buf_close(&e1);
    ef_buf_close(&e2);
    ef_pidf_free(a);
    ef_pidf_free(b);
}

static void test_round_trips(void)
{
    static const char *const files[] = {
        "rfc3863-4.1.3-prefixed.xml",   "rfc3863-4.1.3-default.xml",
        "rfc3863-4.2.4-location.xml",   "rfc3863-4.3.1-im.xml",
        "rfc3863-4.3.2-extensions.xml", "rfc3863-4.3.3-must-understand.xml",
        "rfc4480-4-example.xml",        "rfc4482-4-cipid.xml",
        "rfc4482-4-rpid-cipid.xml",     "extensions-mixed.xml"};

    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        round_trip(files[i]);
}

/* The unknown element appears in the encoded text exactly as it was written. */
static void test_unknown_verbatim(void)
{
    static const char doc[] =
        "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@example.com'>"
        "<tuple id='t'><status><basic>open</basic></status>"
        "<x:geo xmlns:x=\"urn:example:geo\" x:kind=\"gps\"><x:lat>48.1</x:lat><x:lon>11.6</x:lon>"
        "<!-- keep --><x:e>&lt;&amp;é</x:e></x:geo></tuple></presence>";
    ef_pidf_t *p = NULL;
    ef_buf_t e;

    CHECK_INT(decode(doc, strlen(doc), &p), 0);
    if (p == NULL)
        return;
    CHECK_INT(p->tuples[0].n_ext, 1);
    CHECK_STRN(p->tuples[0].ext[0].ptr, p->tuples[0].ext[0].len,
               "<x:geo xmlns:x=\"urn:example:geo\" x:kind=\"gps\"><x:lat>48.1</x:lat><x:lon>11.6"
               "</x:lon><!-- keep --><x:e>&lt;&amp;é</x:e></x:geo>");
    CHECK_INT(encode(p, &e), 0);
    CHECK(strstr(e.data, "<x:geo xmlns:x=\"urn:example:geo\" x:kind=\"gps\"><x:lat>48.1</x:lat>"
                         "<x:lon>11.6</x:lon><!-- keep --><x:e>&lt;&amp;é</x:e></x:geo>") != NULL);
    ef_buf_close(&e);
    ef_pidf_free(p);
}

static ef_pidf_t *device(const char *contact, const char *act, const char *ts, const char *extra)
{
    char doc[2048];
    ef_pidf_t *p = NULL;

    snprintf(doc, sizeof doc,
             "<presence xmlns='urn:ietf:params:xml:ns:pidf' "
             "xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model' "
             "xmlns:r='urn:ietf:params:xml:ns:pidf:rpid' "
             "xmlns:c='urn:ietf:params:xml:ns:pidf:cipid' entity='sip:tom@example.com'>"
             "<tuple id='t1'><status><basic>open</basic></status><contact>%s</contact></tuple>"
             "<dm:person id='p'><r:activities><r:%s/></r:activities>%s"
             "<dm:timestamp>%s</dm:timestamp></dm:person>"
             "<e:shared xmlns:e='urn:example:e'/></presence>",
             contact, act, extra, ts);
    CHECK_INT(decode(doc, strlen(doc), &p), 0);
    return p;
}

static void test_compose(void)
{
    ef_pidf_t *pc =
        device("sip:tom-pc@example.com", "away", "2005-05-30T16:00:00Z",
               "<c:display-name>Tom Jones</c:display-name><e:pc xmlns:e='urn:example:e'/>");
    /* Earlier in UTC (17:09+05:00 is 12:09Z) although it reads later: the PC is newer. */
    ef_pidf_t *ph = device("sip:tom-phone@example.com", "on-the-phone", "2005-05-30T17:09:44+05:00",
                           "<c:icon>http://example.com/t.png</c:icon>");
    ef_pidf_t *ph2 = device("sip:tom-phone@example.com", "on-the-phone", "2005-05-30T16:00:01Z",
                            "<c:icon>http://example.com/t.png</c:icon>");
    const ef_pidf_t *docs[2] = {pc, ph};
    ef_pidf_t *c = NULL, *c2 = NULL, *back = NULL;
    ef_buf_t e;

    if (pc == NULL || ph == NULL || ph2 == NULL)
        return;
    CHECK_INT(ef_pidf_compose(docs, 2, key, sizeof key, &c), 0);
    CHECK_INT(ef_pidf_compose(docs, 2, key, sizeof key, &c2), 0);
    if (c == NULL || c2 == NULL)
        return;
    CHECK_INT(c->n_tuples, 2);
    CHECK(c->tuples[0].id.len == 12 && !EQ(c->tuples[0].id, "t1"));
    CHECK(!EQ(c->tuples[0].id, c->tuples[1].id.ptr)); /* both were "t1" */
    CHECK_STRN(c2->tuples[1].id.ptr, c2->tuples[1].id.len, c->tuples[1].id.ptr); /* stable */
    CHECK_STRN(c->tuples[1].contact.ptr, c->tuples[1].contact.len, "sip:tom-phone@example.com");
    CHECK_STRN(c->person.rich.activities.tokens[0].name.ptr,
               c->person.rich.activities.tokens[0].name.len, "away");
    CHECK_STRN(c->person.rich.display_name.text.ptr, c->person.rich.display_name.text.len,
               "Tom Jones");
    CHECK_STRN(c->person.rich.icon.ptr, c->person.rich.icon.len, "http://example.com/t.png");
    CHECK_INT(c->n_ext, 1); /* <e:shared/> once */
    CHECK_INT(c->person.n_ext, 1);
    CHECK_INT(encode(c, &e), 0);
    CHECK_INT(decode(e.data, e.len, &back), 0);
    CHECK(back != NULL && back->n_tuples == 2 && back->person.present);
    ef_buf_close(&e);
    ef_pidf_free(back);
    ef_pidf_free(c);
    /* A later timestamp in UTC wins. */
    docs[1] = ph2;
    CHECK_INT(ef_pidf_compose(docs, 2, key, sizeof key, &c), 0);
    if (c != NULL)
        CHECK_STRN(c->person.rich.activities.tokens[0].name.ptr,
                   c->person.rich.activities.tokens[0].name.len, "on-the-phone");
    ef_pidf_free(c);
    ef_pidf_free(c2);
    /* One presentity only; a key of some length. */
    ph2->entity = (ef_str_t){"sip:other@example.com", 21};
    CHECK_INT(ef_pidf_compose(docs, 2, key, sizeof key, &c), EF_EINVAL);
    CHECK_INT(ef_pidf_compose(docs, 1, key, 8, &c), EF_EINVAL);
    CHECK_INT(ef_pidf_compose(docs, 0, key, sizeof key, &c), EF_EINVAL);
    ef_pidf_free(pc);
    ef_pidf_free(ph);
    ef_pidf_free(ph2);
}

/* Everything up to the first tuple's id: root, namespaces, entity. */
static size_t shape_end(const char *s)
{
    const char *id = strstr(s, "<tuple id=\"");

    return id != NULL ? (size_t)(id - s) + 11 : 0;
}

static void test_closed(void)
{
    const ef_str_t ent = {"sip:tom@example.com", 19};
    ef_pidf_t *cl = NULL, *cl2 = NULL, *back = NULL, *real;
    ef_buf_t e1, e2, er;
    const ef_pidf_t *docs[1];
    ef_pidf_t *c = NULL;

    CHECK_INT(ef_pidf_closed(ent, key, sizeof key, &cl), 0);
    CHECK_INT(ef_pidf_closed(ent, key, sizeof key, &cl2), 0);
    if (cl == NULL || cl2 == NULL)
        return;
    CHECK_INT(encode(cl, &e1), 0);
    CHECK_INT(encode(cl2, &e2), 0);
    CHECK(e1.len == e2.len && memcmp(e1.data, e2.data, e1.len) == 0); /* stable */
    CHECK_INT(decode(e1.data, e1.len, &back), 0);
    CHECK(back != NULL && back->n_tuples == 1 && back->tuples[0].basic == EF_PIDF_BASIC_CLOSED &&
          !back->person.present && back->tuples[0].id.len == 12);
    /* Shaped like a real one: same root and namespaces, a tuple id of the same form. */
    real = device("sip:tom-pc@example.com", "away", "2005-05-30T16:00:00Z", "");
    docs[0] = real;
    CHECK_INT(ef_pidf_compose(docs, 1, key, sizeof key, &c), 0);
    CHECK_INT(encode(c, &er), 0);
    CHECK(shape_end(e1.data) > 0 && shape_end(e1.data) == shape_end(er.data) &&
          memcmp(e1.data, er.data, shape_end(e1.data)) == 0);
    CHECK(c != NULL && c->tuples[0].id.len == back->tuples[0].id.len);
    ef_pidf_free(cl2);
    CHECK_INT(ef_pidf_closed((ef_str_t){"sip:ann@example.com", 19}, key, sizeof key, &cl2), 0);
    CHECK(cl2 != NULL && !EQ(cl2->tuples[0].id, cl->tuples[0].id.ptr));
    ef_pidf_free(cl2);
    CHECK_INT(ef_pidf_closed(EF_STR_NULL, key, sizeof key, &cl2), EF_EINVAL);
    ef_buf_close(&e1);
    ef_buf_close(&e2);
    ef_buf_close(&er);
    ef_pidf_free(back);
    ef_pidf_free(c);
    ef_pidf_free(real);
    ef_pidf_free(cl);
}

static const char *prop(xmlNodePtr n, const char *name)
{
    static char v[4][128];
    static int k;
    xmlChar *s = xmlGetProp(n, BAD_CAST name);

    k = (k + 1) & 3;
    snprintf(v[k], sizeof v[k], "%s", s != NULL ? (const char *)s : "(none)");
    xmlFree(s);
    return v[k];
}

static void test_winfo(void)
{
    const ef_winfo_watcher_t w[2] = {{{"7768a77s", 8},
                                      {"sip:A@example.com", 17},
                                      EF_WINFO_ACTIVE,
                                      EF_WINFO_EV_APPROVED,
                                      {"Ann <& \"Co\">", 12}},
                                     {{"ffff", 4},
                                      {"sip:B@example.org", 17},
                                      EF_WINFO_PENDING,
                                      EF_WINFO_EV_SUBSCRIBE,
                                      EF_STR_NULL}};
    ef_winfo_t wi = {3, true, {"sip:pres@example.com", 20}, EF_STR_NULL, w, 2};
    ef_buf_t b;
    xmlDocPtr doc;
    xmlNodePtr root, list, x;

    ef_buf_init(&b, 1 << 16);
    CHECK_INT(ef_winfo_encode(&wi, &b), 0);
    doc = xmlReadMemory(b.data, (int)b.len, "winfo", NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    CHECK(doc != NULL);
    root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
    CHECK(root != NULL && strcmp((const char *)root->name, "watcherinfo") == 0 &&
          root->ns != NULL && strcmp((const char *)root->ns->href, EF_WINFO_NS) == 0);
    if (root != NULL) {
        CHECK_STR(prop(root, "version"), "3");
        CHECK_STR(prop(root, "state"), "full");
        list = xmlFirstElementChild(root);
        CHECK(list != NULL && strcmp((const char *)list->name, "watcher-list") == 0);
        CHECK_STR(prop(list, "resource"), "sip:pres@example.com");
        CHECK_STR(prop(list, "package"), "presence");
        CHECK_INT(xmlChildElementCount(list), 2);
        x = xmlFirstElementChild(list);
        CHECK_STR(prop(x, "id"), "7768a77s");
        CHECK_STR(prop(x, "status"), "active");
        CHECK_STR(prop(x, "event"), "approved");
        CHECK_STR(prop(x, "display-name"), "Ann <& \"Co\">");
        CHECK(x->ns != NULL && strcmp((const char *)x->ns->href, EF_WINFO_NS) == 0);
        x = xmlNextElementSibling(x);
        CHECK_STR(prop(x, "status"), "pending");
        CHECK_STR(prop(x, "display-name"), "(none)");
        xmlChar *uri = xmlNodeGetContent(x);
        CHECK_STR((const char *)uri, "sip:B@example.org");
        xmlFree(uri);
    }
    xmlFreeDoc(doc);
    ef_buf_close(&b);
    wi.full = false;
    ef_buf_init(&b, 1 << 16);
    CHECK_INT(ef_winfo_encode(&wi, &b), 0);
    CHECK(strstr(b.data, "state=\"partial\"") != NULL);
    ef_buf_close(&b);
    ef_winfo_watcher_t bad = w[1];
    bad.id = EF_STR_NULL;
    wi.watchers = &bad;
    wi.n_watchers = 1;
    ef_buf_init(&b, 1 << 16);
    CHECK_INT(ef_winfo_encode(&wi, &b), EF_EINVAL);
    bad = w[1];
    bad.uri = (ef_str_t){"sip:\x01@x", 8};
    CHECK_INT(ef_winfo_encode(&wi, &b), EF_EINVAL);
    bad.uri = w[1].uri;
    bad.status = (ef_winfo_status_t)9;
    CHECK_INT(ef_winfo_encode(&wi, &b), EF_EINVAL);
    ef_buf_close(&b);
}

/* A document with `n` copies of `item` inside the tuple (in_tuple) or the presence. */
static char *repeat(const char *head, const char *item, size_t n, const char *tail, size_t *len)
{
    size_t hl = strlen(head), il = strlen(item), tl = strlen(tail);
    char *s = malloc(hl + il * n + tl + 1);

    memcpy(s, head, hl);
    for (size_t i = 0; i < n; i++)
        memcpy(s + hl + i * il, item, il);
    memcpy(s + hl + il * n, tail, tl + 1);
    *len = hl + il * n + tl;
    return s;
}

#define ROOT "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'>"
#define TUPLE_HEAD ROOT "<tuple id='t'><status><basic>open</basic></status>"

static int limit(const char *head, const char *item, size_t n, const char *tail)
{
    size_t len;
    char *s = repeat(head, item, n, tail, &len);
    ef_pidf_t *p = NULL;
    int rc = decode(s, len, &p);

    if ((rc == 0) != (p != NULL))
        rc = -1;
    ef_pidf_free(p);
    free(s);
    return rc;
}

static void test_limits(void)
{
    CHECK_INT(limit(ROOT, "<tuple id='x'/>", EF_PIDF_MAX_TUPLES, "</presence>"), 0);
    CHECK_INT(limit(ROOT, "<tuple id='x'/>", EF_PIDF_MAX_TUPLES + 1, "</presence>"), EF_E2BIG);
    CHECK(strstr(errbuf, "tuples") != NULL);
    CHECK_INT(limit(TUPLE_HEAD, "<note>n</note>", EF_PIDF_MAX_NOTES, "</tuple></presence>"), 0);
    CHECK_INT(limit(TUPLE_HEAD, "<note>n</note>", EF_PIDF_MAX_NOTES + 1, "</tuple></presence>"),
              EF_E2BIG);
    CHECK_INT(limit(ROOT, "<note>n</note>", EF_PIDF_MAX_NOTES + 1, "</presence>"), EF_E2BIG);
    CHECK_INT(
        limit(TUPLE_HEAD, "<x:y xmlns:x='urn:x'/>", EF_PIDF_MAX_UNKNOWN, "</tuple></presence>"), 0);
    CHECK_INT(
        limit(TUPLE_HEAD, "<x:y xmlns:x='urn:x'/>", EF_PIDF_MAX_UNKNOWN + 1, "</tuple></presence>"),
        EF_E2BIG);
    CHECK_INT(limit(ROOT "<dm:person xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model' "
                         "xmlns:r='urn:ietf:params:xml:ns:pidf:rpid'><r:activities>",
                    "<r:busy/>", EF_PIDF_MAX_TOKENS + 1, "</r:activities></dm:person></presence>"),
              EF_E2BIG);
    /* Depth: the root is 1; EF_PIDF_MAX_DEPTH levels pass, one more does not. */
    CHECK_INT(limit(ROOT, "<a xmlns='urn:x'>", EF_PIDF_MAX_DEPTH - 1, ""), EF_ESYNTAX);
    {
        size_t n = EF_PIDF_MAX_DEPTH - 1, len1, len2;
        char *open = repeat(ROOT, "<a xmlns='urn:x'>", n, "", &len1);
        char *doc = repeat(open, "</a>", n, "</presence>", &len2);
        ef_pidf_t *p = NULL;

        CHECK_INT(decode(doc, len2, &p), 0);
        ef_pidf_free(p);
        free(open);
        free(doc);
        open = repeat(ROOT, "<a xmlns='urn:x'>", n + 1, "", &len1);
        doc = repeat(open, "</a>", n + 1, "</presence>", &len2);
        CHECK_INT(decode(doc, len2, &p), EF_E2BIG);
        CHECK(strstr(errbuf, "deeper") != NULL);
        free(open);
        free(doc);
    }
    CHECK_INT(limit(ROOT, "<a>", 10000, ""), EF_E2BIG);
    /* Size: refused before parsing. */
    CHECK_INT(limit(ROOT "<!--", "x", EF_PIDF_MAX_BYTES, "--></presence>"), EF_E2BIG);
    CHECK(strstr(errbuf, "larger") != NULL);
    CHECK_INT(limit(ROOT "<!--", "x", 1000, "--></presence>"), 0);
}

/* A FIFO holding bytes: if anything opened and read it, the bytes would be gone. */
static void test_attacks(void)
{
    char dir[] = "/tmp/ef-pidf-XXXXXX", fifo[64], doc[1024];
    static const char *const fmts[] = {
        "<?xml version='1.0'?><!DOCTYPE presence [<!ENTITY x SYSTEM 'file://%s'>]>" ROOT
        "<note>&x;</note></presence>",
        "<?xml version='1.0'?><!DOCTYPE presence [<!ENTITY %% p SYSTEM '%s'> %%p;]>" ROOT
        "</presence>",
        "<?xml version='1.0'?><!DOCTYPE presence SYSTEM '%s'>" ROOT "</presence>",
    };
    int fd;
    ef_pidf_t *p = NULL;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(fifo, sizeof fifo, "%s/secret", dir);
    CHECK_INT(mkfifo(fifo, 0600), 0);
    fd = open(fifo, O_RDWR | O_NONBLOCK);
    CHECK(fd >= 0);
    CHECK_INT(write(fd, "SECRET", 6), 6);
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        snprintf(doc, sizeof doc, fmts[i], fifo);
        CHECK_INT(decode(doc, strlen(doc), &p), EF_ESYNTAX);
        CHECK(p == NULL && strstr(errbuf, "SECRET") == NULL && strstr(errbuf, "line") != NULL);
    }
    {
        char back[16];
        CHECK_INT(read(fd, back, sizeof back), 6); /* still there: nothing read the file */
    }
    close(fd);
    unlink(fifo);
    rmdir(dir);

    static const char laughs[] =
        "<?xml version='1.0'?><!DOCTYPE presence [<!ENTITY a 'lol'>"
        "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>"
        "<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'><!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'>"
        "<!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'><!ENTITY g '&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'>"
        "]>" ROOT "<note>&g;&g;&g;&g;&g;&g;&g;&g;</note></presence>";
    CHECK_INT(decode(laughs, strlen(laughs), &p), EF_ESYNTAX);
    CHECK(strstr(errbuf, "entities") != NULL);
}

static void test_malformed(void)
{
    static const struct {
        const char *doc, *why;
    } bad[] = {
        {"<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'><tuple id='t'>",
         "line 1 column"},
        {"<presence xmlns='urn:example' entity='sip:a@b'/>", "root"},
        {"<presents xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'/>", "root"},
        {"<presence entity='sip:a@b'/>", "root"},
        {"<presence xmlns='urn:ietf:params:xml:ns:pidf'/>", "entity"},
        {ROOT "<tuple><status/></tuple></presence>", "id"},
        {TUPLE_HEAD "</tuple><tuple id='u'><status><basic>ajar</basic></status></tuple></presence>",
         "basic"},
        {ROOT "<tuple id='t'><status/><contact priority='1.5'>x</contact></tuple></presence>",
         "qvalue"},
        {ROOT "<tuple id='t'><status/><contact>a</contact><contact>b</contact></tuple></presence>",
         "repeated"},
        {ROOT "<tuple id='t'><status/><note><b>x</b></note></tuple></presence>", "elements"},
        {ROOT "<dm:person id='p'/></presence>", "not defined"}, /* undeclared prefix */
        {"", "line"},
        {"\xff\xfe<", "line"},
    };
    ef_pidf_t *p = NULL;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(decode(bad[i].doc, strlen(bad[i].doc), &p), EF_ESYNTAX);
        CHECK(p == NULL && strstr(errbuf, bad[i].why) != NULL);
        if (strstr(errbuf, bad[i].why) == NULL)
            printf("#   errbuf: %s\n", errbuf);
    }
    CHECK_INT(ef_pidf_decode(NULL, 0, NULL, NULL, 0), EF_EINVAL);
}

static void test_encode_invalid(void)
{
    ef_pidf_tuple_t t = {.id = {"t", 1}, .basic = EF_PIDF_BASIC_OPEN};
    ef_pidf_t p = {.entity = {"sip:a@b", 7}, .tuples = &t, .n_tuples = 1};
    ef_str_t ext = {"<x:a xmlns:x='urn:x'>", 21};
    ef_pidf_note_t note = {{"bell\a", 5}, EF_STR_NULL};
    ef_rpid_token_t tok = {{"not a name", 10}, EF_STR_NULL, EF_STR_NULL};
    ef_buf_t b;

    CHECK_INT(encode(&p, &b), 0);
    ef_buf_close(&b);
    p.entity = EF_STR_NULL;
    CHECK_INT(encode(&p, &b), EF_EINVAL);
    ef_buf_close(&b);
    p.entity = (ef_str_t){"sip:a@b", 7};
    t.ext = &ext, t.n_ext = 1;
    CHECK_INT(encode(&p, &b), EF_EINVAL);
    ef_buf_close(&b);
    t.n_ext = 0;
    p.notes = &note, p.n_notes = 1;
    CHECK_INT(encode(&p, &b), EF_EINVAL);
    ef_buf_close(&b);
    p.n_notes = 0;
    t.priority = (ef_str_t){"2", 1};
    t.contact = (ef_str_t){"sip:a@b", 7};
    CHECK_INT(encode(&p, &b), EF_EINVAL);
    ef_buf_close(&b);
    t.priority = EF_STR_NULL;
    p.person.present = true;
    p.person.rich.activities = (ef_rpid_set_t){.present = true, .tokens = &tok, .n_tokens = 1};
    CHECK_INT(encode(&p, &b), EF_EINVAL);
    ef_buf_close(&b);
    tok.name = (ef_str_t){"meeting", 7};
    CHECK_INT(encode(&p, &b), 0);
    CHECK(b.data != NULL && strstr(b.data, "<rpid:activities>") != NULL &&
          strstr(b.data, "<rpid:meeting/>") != NULL);
    ef_buf_close(&b);
    ef_buf_init(&b, 100);
    CHECK_INT(ef_pidf_encode(&p, &b), EF_E2BIG);
    ef_buf_close(&b);
}

static void test_activity_names(void)
{
    CHECK_INT(ef_rpid_activity((ef_str_t){"on-the-phone", 12}), EF_RPID_ACT_ON_THE_PHONE);
    CHECK_INT(ef_rpid_activity((ef_str_t){"meeting", 7}), EF_RPID_ACT_MEETING);
    CHECK_INT(ef_rpid_activity((ef_str_t){"angry", 5}), EF_RPID_ACT_NONE);
    CHECK_INT(ef_rpid_activity(EF_STR_NULL), EF_RPID_ACT_NONE);
    CHECK_STR(ef_rpid_activity_name(EF_RPID_ACT_OTHER), "other");
    CHECK_STR(ef_rpid_activity_name((ef_rpid_activity_t)999), "");
}

int main(void)
{
    data_dir = getenv("EF_TEST_DATA");
    if (data_dir == NULL)
        data_dir = "tests/data";
    test_rfc3863();
    test_rfc3863_extensions();
    test_rfc4480();
    test_rfc4482();
    test_round_trips();
    test_unknown_verbatim();
    test_compose();
    test_closed();
    test_winfo();
    test_limits();
    test_attacks();
    test_malformed();
    test_encode_invalid();
    test_activity_names();
    xmlCleanupParser();
    TAP_DONE();
}
