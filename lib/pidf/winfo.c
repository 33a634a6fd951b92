/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * winfo.c -- the watcher information document (application/watcherinfo+xml,
 * RFC 3858) that the watcherinfo event package (RFC 3857) carries: the
 * subscriptions to one resource, with their status and the event that put
 * them there. Built with libxml2's xmlTextWriter, which does the escaping.
 */
#include <stdio.h>
#include <stdlib.h>

#include <libxml/xmlwriter.h>

#include "pidf/pidf_int.h"

static const char *const status_names[] = {"pending", "active", "waiting", "terminated"};
static const char *const event_names[] = {"subscribe", "approved", "deactivated", "probation",
                                          "rejected",  "timeout",  "giveup",      "noresource"};

/* An attribute from a caller's string, checked like every text the encoders write. */
static int attr(xmlTextWriterPtr w, const char *name, ef_str_t v)
{
    int rc = 0;
    char *t = ef__pidf_text(v, &rc);

    if (t == NULL)
        return rc;
    if (xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST t) < 0)
        rc = EF_ENOMEM;
    free(t);
    return rc;
}

/* <watcher id= event= status= [display-name=]>URI</watcher> (RFC 3858 §4.1, §5). */
static int watcher(xmlTextWriterPtr w, const ef_winfo_watcher_t *x)
{
    int rc = 0;
    char *uri;

    if (x->id.len == 0 || x->uri.len == 0 || (unsigned)x->status > EF_WINFO_TERMINATED ||
        (unsigned)x->event > EF_WINFO_EV_NORESOURCE)
        return EF_EINVAL;
    if (xmlTextWriterStartElement(w, BAD_CAST "watcher") < 0)
        return EF_ENOMEM;
    if ((rc = attr(w, "id", x->id)) != 0 ||
        (rc = attr(w, "event", ef__pidf_cstr(event_names[x->event]))) != 0 ||
        (rc = attr(w, "status", ef__pidf_cstr(status_names[x->status]))) != 0 ||
        (x->display_name.len > 0 && (rc = attr(w, "display-name", x->display_name)) != 0))
        return rc;
    uri = ef__pidf_text(x->uri, &rc);
    if (uri == NULL)
        return rc;
    if (xmlTextWriterWriteString(w, BAD_CAST uri) < 0 || xmlTextWriterEndElement(w) < 0)
        rc = EF_ENOMEM;
    free(uri);
    return rc;
}

static int write_doc(xmlTextWriterPtr w, const ef_winfo_t *wi)
{
    char version[24];
    int rc;

    snprintf(version, sizeof(version), "%lu", wi->version);
    if (xmlTextWriterSetIndent(w, 1) < 0 || xmlTextWriterSetIndentString(w, BAD_CAST "  ") < 0 ||
        xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
        xmlTextWriterStartElementNS(w, NULL, BAD_CAST "watcherinfo", BAD_CAST EF_WINFO_NS) < 0)
        return EF_ENOMEM;
    if ((rc = attr(w, "version", ef__pidf_cstr(version))) != 0 ||
        (rc = attr(w, "state", ef__pidf_cstr(wi->full ? "full" : "partial"))) != 0)
        return rc;
    if (xmlTextWriterStartElement(w, BAD_CAST "watcher-list") < 0)
        return EF_ENOMEM;
    if ((rc = attr(w, "resource", wi->resource)) != 0 ||
        (rc = attr(w, "package", wi->package.len > 0 ? wi->package : ef__pidf_cstr("presence"))) !=
            0)
        return rc;
    for (size_t i = 0; i < wi->n_watchers; i++)
        if ((rc = watcher(w, &wi->watchers[i])) != 0)
            return rc;
    if (xmlTextWriterEndDocument(w) < 0)
        return EF_ENOMEM;
    return 0;
}

int ef_winfo_encode(const ef_winfo_t *wi, ef_buf_t *out)
{
    xmlBufferPtr buf;
    xmlTextWriterPtr w;
    int rc;

    if (wi == NULL || out == NULL || wi->resource.len == 0 ||
        (wi->n_watchers > 0 && wi->watchers == NULL))
        return EF_EINVAL;
    buf = xmlBufferCreate();
    w = buf != NULL ? xmlNewTextWriterMemory(buf, 0) : NULL;
    if (w == NULL) {
        xmlBufferFree(buf);
        return EF_ENOMEM;
    }
    rc = write_doc(w, wi);
    xmlFreeTextWriter(w); /* flushes into buf */
    if (rc == 0 &&
        (size_t)xmlBufferLength(buf) > out->max - (out->len < out->max ? out->len : out->max))
        rc = EF_E2BIG;
    if (rc == 0) {
        ef_buf_append(out, (const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
        rc = out->failed ? EF_ENOMEM : 0;
    }
    xmlBufferFree(buf);
    return rc;
}
