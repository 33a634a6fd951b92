/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xml_safe.c -- libxml2 configured for untrusted input, shared by the template
 * checker and the registry import. A parser context per call, its own error
 * hook (no global handler), xmlInitParser() once.
 */
#include <errno.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enum/xml_safe.h"
#include "enumfed/common.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_parser(void)
{
    xmlInitParser();
}

/* The first entity declaration stops the parse: nothing may be expanded or fetched. */
static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                           const xmlChar *system_id, xmlChar *content)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct ef__xml_error *err = ctxt->_private;

    (void)name, (void)type, (void)public_id, (void)system_id, (void)content;
    err->status = EF_EINVAL;
    err->line = ctxt->input != NULL ? ctxt->input->line : 0;
    snprintf(err->msg, sizeof(err->msg), "the DOCTYPE declares entities");
    xmlStopParser(ctxt);
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

xmlDocPtr ef__xml_read(const char *buf, size_t len, const char *name, struct ef__xml_error *err)
{
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
    ctxt->_private = err;
    ctxt->sax->entityDecl = on_entity_decl;
    ctxt->sax->serror = on_error;
    doc = xmlCtxtReadMemory(ctxt, buf, (int)len, name, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                XML_PARSE_NOCDATA);
    if (err->status == 0 && (doc == NULL || !ctxt->wellFormed))
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
