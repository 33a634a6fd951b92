/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * build.c -- the writing side of the SIP layer: the output buffer with its
 * sticky error bit, responses copied from requests (RFC 3261 §8.2.6.2), and
 * proxy edits applied while the original bytes are copied, header by header.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enumfed/sip_build.h"
#include "enumfed/sip_hdr.h"

/* --- the buffer ---------------------------------------------------------- */

void ef_buf_init(ef_buf_t *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max;
}

void ef_buf_close(ef_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static bool buf_reserve(ef_buf_t *b, size_t n)
{
    size_t cap;
    char *grown;

    if (b->failed || n > b->max - b->len || b->len + n > b->max) {
        b->failed = true;
        return false;
    }
    if (b->len + n <= b->cap)
        return true;
    cap = b->cap ? b->cap : 512;
    while (cap < b->len + n)
        cap *= 2;
    cap = cap > b->max ? b->max : cap;
    grown = realloc(b->data, cap + 1); /* +1: data stays NUL-terminated */
    if (grown == NULL) {
        b->failed = true;
        return false;
    }
    b->data = grown;
    b->cap = cap;
    return true;
}

void ef_buf_append(ef_buf_t *b, const char *p, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ef_buf_str(ef_buf_t *b, ef_str_t s)
{
    ef_buf_append(b, s.ptr, s.len);
}

void ef_buf_cstr(ef_buf_t *b, const char *s)
{
    ef_buf_append(b, s, strlen(s));
}

void ef_buf_printf(ef_buf_t *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        ef_buf_append(b, small, (size_t)n);
        return;
    }
    if (!buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* --- responses ------------------------------------------------------------ */

const char *ef_sip_reason_phrase(int status)
{
    static const struct {
        int code;
        const char *text;
    } rows[] = {
        {100, "Trying"},
        {180, "Ringing"},
        {181, "Call Is Being Forwarded"},
        {182, "Queued"},
        {183, "Session Progress"},
        {200, "OK"},
        {202, "Accepted"},
        {204, "No Notification"},
        {300, "Multiple Choices"},
        {301, "Moved Permanently"},
        {302, "Moved Temporarily"},
        {305, "Use Proxy"},
        {380, "Alternative Service"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {402, "Payment Required"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {406, "Not Acceptable"},
        {407, "Proxy Authentication Required"},
        {408, "Request Timeout"},
        {410, "Gone"},
        {412, "Conditional Request Failed"},
        {413, "Request Entity Too Large"},
        {414, "Request-URI Too Long"},
        {415, "Unsupported Media Type"},
        {416, "Unsupported URI Scheme"},
        {420, "Bad Extension"},
        {421, "Extension Required"},
        {423, "Interval Too Brief"},
        {480, "Temporarily Unavailable"},
        {481, "Call/Transaction Does Not Exist"},
        {482, "Loop Detected"},
        {483, "Too Many Hops"},
        {484, "Address Incomplete"},
        {485, "Ambiguous"},
        {486, "Busy Here"},
        {487, "Request Terminated"},
        {488, "Not Acceptable Here"},
        {489, "Bad Event"},
        {491, "Request Pending"},
        {493, "Undecipherable"},
        {500, "Server Internal Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Server Time-out"},
        {505, "Version Not Supported"},
        {513, "Message Too Large"},
        {600, "Busy Everywhere"},
        {603, "Decline"},
        {604, "Does Not Exist Anywhere"},
        {606, "Not Acceptable"},
    };
    size_t i;

    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (rows[i].code == status)
            return rows[i].text;
    return "";
}

/* Does a To value carry a tag parameter (RFC 3261 §8.2.6.2)? A To that does
 * not parse is copied as it is. */
static bool has_tag(ef_str_t to)
{
    ef_sip_addr_t a;

    return ef_sip_parse_addr(to.ptr, to.len, &a, NULL) < 0 ||
           ef_sip_param_get(&a.params, "tag") != NULL;
}

int ef_sip_build_response(const ef_sip_msg_t *req, int status, const char *reason,
                          const char *to_tag, const char *extra, ef_buf_t *out)
{
    static const ef_sip_hdr_t copied[] = {EF_HDR_FROM, EF_HDR_CALL_ID, EF_HDR_CSEQ};
    const ef_sip_header_t *to = ef_sip_msg_header(req, EF_HDR_TO);
    size_t i;

    if (!req->is_request || req->first[EF_HDR_VIA] == 0 || to == NULL ||
        req->first[EF_HDR_FROM] == 0 || req->first[EF_HDR_CALL_ID] == 0 ||
        req->first[EF_HDR_CSEQ] == 0 || status < 100 || status > 699)
        return EF_EINVAL;
    ef_buf_printf(out, "SIP/2.0 %d %s\r\n", status,
                  reason != NULL ? reason : ef_sip_reason_phrase(status));
    for (i = 0; i < req->n_headers; i++) /* every Via, in order (RFC 3261 §8.2.6.2) */
        if (req->headers[i].id == EF_HDR_VIA)
            ef_buf_str(out, req->headers[i].raw);
    ef_buf_str(out, ef_sip_msg_header(req, EF_HDR_FROM)->raw);
    if (to_tag != NULL && status != 100 && !has_tag(to->value)) {
        ef_buf_str(out, to->name);
        ef_buf_cstr(out, ": ");
        ef_buf_str(out, to->value);
        ef_buf_printf(out, ";tag=%s\r\n", to_tag);
    } else {
        ef_buf_str(out, to->raw);
    }
    for (i = 1; i < sizeof(copied) / sizeof(copied[0]); i++)
        ef_buf_str(out, ef_sip_msg_header(req, copied[i])->raw);
    if (extra != NULL)
        ef_buf_cstr(out, extra);
    ef_buf_cstr(out, "Content-Length: 0\r\n\r\n");
    return out->failed ? EF_ENOMEM : 0;
}

/* --- edits ------------------------------------------------------------------ */

static int edit_add(ef_sip_edits_t *ed, int op, size_t index, const char *name, ef_str_t value)
{
    struct ef_sip_edit *e;

    if (ed->n >= EF_SIP_EDITS_MAX)
        return EF_E2BIG;
    e = &ed->e[ed->n++];
    e->op = op;
    e->index = index;
    e->name = name;
    e->value = value;
    return 0;
}

int ef_sip_edit_insert(ef_sip_edits_t *ed, size_t index, const char *name, ef_str_t value)
{
    return edit_add(ed, EF_EDIT_INSERT, index, name, value);
}

int ef_sip_edit_replace(ef_sip_edits_t *ed, size_t index, ef_str_t value)
{
    return edit_add(ed, EF_EDIT_REPLACE_VALUE, index, NULL, value);
}

int ef_sip_edit_remove(ef_sip_edits_t *ed, size_t index)
{
    return edit_add(ed, EF_EDIT_REMOVE, index, NULL, EF_STR_NULL);
}

/* RFC 3261 §16.6 step 3: decrement Max-Forwards, or add it with 70. */
static int edit_max_forwards(ef_sip_edits_t *ed, const ef_sip_msg_t *msg, size_t at, char mf_buf[4])
{
    const ef_sip_header_t *mf = ef_sip_msg_header(msg, EF_HDR_MAX_FORWARDS);
    unsigned v = 0;
    size_t i;

    if (mf == NULL) {
        memcpy(mf_buf, "70", 3);
        return ef_sip_edit_insert(ed, at, "Max-Forwards", (ef_str_t){mf_buf, 2});
    }
    if (mf->value.len == 0 || mf->value.len > 3)
        return EF_EINVAL;
    for (i = 0; i < mf->value.len; i++) {
        if (mf->value.ptr[i] < '0' || mf->value.ptr[i] > '9')
            return EF_EINVAL;
        v = v * 10 + (unsigned)(mf->value.ptr[i] - '0');
    }
    if (v == 0 || v > 255) /* 0: the caller answers 483 (RFC 3261 §16.3 step 2) */
        return EF_EINVAL;
    snprintf(mf_buf, 4, "%u", v - 1);
    return ef_sip_edit_replace(ed, (size_t)(mf - msg->headers), (ef_str_t){mf_buf, strlen(mf_buf)});
}

int ef_sip_edit_proxy(ef_sip_edits_t *ed, const ef_sip_msg_t *msg, ef_str_t via,
                      ef_str_t record_route, char mf_buf[4])
{
    size_t via_at = msg->first[EF_HDR_VIA] ? msg->first[EF_HDR_VIA] - 1 : 0, rr_at;
    int rc = 0;

    if (via.ptr != NULL)
        rc = ef_sip_edit_insert(ed, via_at, "Via", via);
    if (rc == 0 && record_route.ptr != NULL) {
        rr_at = msg->first[EF_HDR_RECORD_ROUTE];
        if (rr_at > 0) {
            rr_at--;
        } else { /* after the last of the leading Via fields */
            for (rr_at = via_at; rr_at < msg->n_headers && msg->headers[rr_at].id == EF_HDR_VIA;
                 rr_at++)
                ;
        }
        rc = ef_sip_edit_insert(ed, rr_at, "Record-Route", record_route);
    }
    if (rc == 0)
        rc = edit_max_forwards(ed, msg, via_at, mf_buf);
    return rc;
}

int ef_sip_edit_pop_via(ef_sip_edits_t *ed, const ef_sip_msg_t *msg)
{
    const ef_sip_header_t *via = ef_sip_msg_header(msg, EF_HDR_VIA);
    const char *p, *end;
    bool quoted = false;

    if (via == NULL)
        return EF_EINVAL;
    p = via->value.ptr;
    end = p + via->value.len;
    for (; p < end; p++) { /* the first comma outside a quoted-string (RFC 3261 §7.3.1) */
        if (*p == '\\' && quoted && p + 1 < end)
            p++;
        else if (*p == '"')
            quoted = !quoted;
        else if (*p == ',' && !quoted)
            break;
    }
    if (p == end)
        return ef_sip_edit_remove(ed, (size_t)(via - msg->headers));
    for (p++; p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'); p++)
        ;
    return ef_sip_edit_replace(ed, (size_t)(via - msg->headers), (ef_str_t){p, (size_t)(end - p)});
}

/* Inserts before header `index`, in the order they were added. */
static void write_inserts(const ef_sip_edits_t *ed, size_t index, ef_buf_t *out)
{
    size_t k;

    for (k = 0; k < ed->n; k++) {
        if (ed->e[k].op != EF_EDIT_INSERT || ed->e[k].index != index)
            continue;
        ef_buf_cstr(out, ed->e[k].name);
        ef_buf_cstr(out, ": ");
        ef_buf_str(out, ed->e[k].value);
        ef_buf_cstr(out, "\r\n");
    }
}

/* One original header: removed, its value replaced, or copied as it was. */
static void write_header(const ef_sip_edits_t *ed, const ef_sip_header_t *h, size_t index,
                         ef_buf_t *out)
{
    size_t k;

    for (k = 0; k < ed->n; k++) {
        if (ed->e[k].index != index || ed->e[k].op == EF_EDIT_INSERT)
            continue;
        if (ed->e[k].op == EF_EDIT_REMOVE)
            return;
        ef_buf_str(out, h->name);
        ef_buf_cstr(out, ": ");
        ef_buf_str(out, ed->e[k].value);
        ef_buf_cstr(out, "\r\n");
        return;
    }
    ef_buf_str(out, h->raw);
}

int ef_sip_edit_write(const ef_sip_msg_t *msg, const char *buf, const ef_sip_edits_t *ed,
                      ef_buf_t *out)
{
    const char *headers_end = buf + msg->header_bytes;
    const char *start_end;
    size_t i;

    /* the empty line is "\r\n" or "\n"; a datagram may even lack it */
    if (msg->n_headers > 0)
        start_end = msg->headers[0].raw.ptr;
    else
        start_end = memchr(buf, '\n', msg->header_bytes) + 1;
    if (msg->is_request && ed->new_uri.ptr != NULL) {
        ef_buf_str(out, msg->method);
        ef_buf_cstr(out, " ");
        ef_buf_str(out, ed->new_uri);
        ef_buf_cstr(out, " ");
        ef_buf_str(out, msg->version);
        ef_buf_cstr(out, "\r\n");
    } else {
        ef_buf_append(out, buf, (size_t)(start_end - buf));
    }
    for (i = 0; i < msg->n_headers; i++) {
        write_inserts(ed, i, out);
        write_header(ed, &msg->headers[i], i, out);
    }
    write_inserts(ed, msg->n_headers, out);
    {
        const ef_sip_header_t *last = msg->n_headers ? &msg->headers[msg->n_headers - 1] : NULL;
        const char *after = last != NULL ? last->raw.ptr + last->raw.len : start_end;

        if (headers_end > after) /* the empty line as it was */
            ef_buf_append(out, after, (size_t)(headers_end - after));
        else /* a datagram that ended with its last header: write the empty line */
            ef_buf_cstr(out, "\r\n");
    }
    ef_buf_str(out, msg->body);
    return out->failed ? EF_ENOMEM : 0;
}
