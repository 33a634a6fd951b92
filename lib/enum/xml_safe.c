/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xml_safe.c -- libxml2 configured for untrusted input, shared by the template
 * checker and the registry import. A parser context per call, its own error
 * hook (no global handler), xmlInitParser() once.
 */
#include <errno.h>
#include <limits.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enum/xml_safe.h"
#include "enumfed/common.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* What the SAX hooks see through ctxt->_private. */
struct read_state {
    struct ef__xml_error *err;
    unsigned depth, max_depth;
};

static void init_parser(void)
{
    xmlInitParser();
}

/* The first entity declaration stops the parse: nothing may be expanded or fetched. */
static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                           const xmlChar *system_id, xmlChar *content)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct ef__xml_error *err = ((struct read_state *)ctxt->_private)->err;

    (void)name, (void)type, (void)public_id, (void)system_id, (void)content;
    err->status = EF_EINVAL;
    err->line = ctxt->input != NULL ? ctxt->input->line : 0;
    snprintf(err->msg, sizeof(err->msg), "the DOCTYPE declares entities");
    xmlStopParser(ctxt);
}

/* The nesting limit, counted as start tags arrive, before a deep tree is built. */
static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int nb_ns, const xmlChar **ns, int nb_attr, int nb_def, const xmlChar **attr)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct read_state *st = ctxt->_private;

    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_ns, ns, nb_attr, nb_def, attr);
    if (++st->depth > st->max_depth && st->err->status == 0) {
        st->err->status = EF_E2BIG;
        st->err->line = ctxt->input != NULL ? ctxt->input->line : 0;
        st->err->column = ctxt->input != NULL ? ctxt->input->col : 0;
        snprintf(st->err->msg, sizeof(st->err->msg), "elements nested deeper than %u",
                 st->max_depth);
        xmlStopParser(ctxt);
    }
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct read_state *st = ctxt->_private;

    xmlSAX2EndElementNs(ctx, localname, prefix, uri);
    st->depth--;
}

static void on_error(void *data, xmlErrorPtr e)
{
    (void)data, (void)e; /* read from ctxt->lastError; this only keeps libxml2 quiet */
}

static void syntax_error(const xmlParserCtxtPtr ctxt, struct ef__xml_error *err)
{
    const xmlError *e = &ctxt->lastError;
    size_t k;

    err->status = EF_ESYNTAX;
    err->line = e->line;
    err->column = e->int2;
    snprintf(err->msg, sizeof(err->msg), "%s", e->message != NULL ? e->message : "parse error");
    k = strlen(err->msg);
    while (k > 0 && (err->msg[k - 1] == '\n' || err->msg[k - 1] == ' '))
        err->msg[--k] = '\0';
}

static xmlDocPtr read_doc(const char *buf, size_t len, const char *name, unsigned max_depth,
                          struct ef__xml_error *err);

xmlDocPtr ef__xml_read(const char *buf, size_t len, const char *name, struct ef__xml_error *err)
{
    return read_doc(buf, len, name, 0, err);
}

xmlDocPtr ef__xml_read_ns(const char *buf, size_t len, const char *name, unsigned max_depth,
                          struct ef__xml_error *err)
{
    return read_doc(buf, len, name, max_depth > 0 ? max_depth : UINT_MAX, err);
}

/* max_depth 0: libxml2's own limit, and namespace errors tolerated (templates, registry). */
static xmlDocPtr read_doc(const char *buf, size_t len, const char *name, unsigned max_depth,
                          struct ef__xml_error *err)
{
    struct read_state st = {err, 0, max_depth};
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;

    memset(err, 0, sizeof(*err));
    if (len > INT32_MAX) {
        err->status = EF_E2BIG;
        return NULL;
    }
    pthread_once(&init_once, init_parser);
    ctxt = xmlNewParserCtxt();
    if (ctxt == NULL) {
        err->status = EF_ENOMEM;
        return NULL;
    }
    ctxt->_private = &st;
    ctxt->sax->entityDecl = on_entity_decl;
    if (max_depth > 0) {
        ctxt->sax->startElementNs = on_start;
        ctxt->sax->endElementNs = on_end;
    }
    ctxt->sax->serror = on_error;
    doc = xmlCtxtReadMemory(ctxt, buf, (int)len, name, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                XML_PARSE_NOCDATA);
    if (err->status == 0 &&
        (doc == NULL || !ctxt->wellFormed || (max_depth > 0 && !ctxt->nsWellFormed)))
        syntax_error(ctxt, err);
    if (err->status != 0) {
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

int ef__xml_slurp(const char *path, size_t max, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    int rc = 0;

    if (f == NULL)
        return -errno;
    *buf = malloc(max + 1);
    if (*buf == NULL) {
        fclose(f);
        return EF_ENOMEM;
    }
    *len = fread(*buf, 1, max + 1, f);
    if (ferror(f)) {
        rc = errno != 0 ? -errno : -EIO;
        free(*buf);
        *buf = NULL;
    }
    fclose(f);
    return rc;
}
