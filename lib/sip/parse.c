/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * parse.c -- the first level of the SIP parser (RFC 3261 §7): start line,
 * header fields, body, and the stream framer. One pass over the bytes with
 * memchr() for line ends; nothing is copied or allocated, and every limit is
 * checked before the bytes it guards are looked at.
 */
#include <ctype.h>
#include <string.h>

#include "enumfed/sip.h"

struct hdr_row {
    const char *name;
    size_t len;
    char compact;
};

static const struct hdr_row hdr_rows[EF_HDR__COUNT] = {{NULL, 0, 0},
#define EF__HDR_ROW(id, name, compact) {name, sizeof(name) - 1, compact},
                                                       EF_SIP_HEADER_MAP(EF__HDR_ROW)
#undef EF__HDR_ROW
};

/* RFC 3261 §25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
 */
static const unsigned char token_chars[256] = {
    ['-'] = 1,  ['.'] = 1, ['!'] = 1, ['%'] = 1, ['*'] = 1, ['_'] = 1, ['+'] = 1, ['`'] = 1,
    ['\''] = 1, ['~'] = 1,
#define D(c) [c] = 1
    D('0'),     D('1'),    D('2'),    D('3'),    D('4'),    D('5'),    D('6'),    D('7'),
    D('8'),     D('9'),    D('a'),    D('b'),    D('c'),    D('d'),    D('e'),    D('f'),
    D('g'),     D('h'),    D('i'),    D('j'),    D('k'),    D('l'),    D('m'),    D('n'),
    D('o'),     D('p'),    D('q'),    D('r'),    D('s'),    D('t'),    D('u'),    D('v'),
    D('w'),     D('x'),    D('y'),    D('z'),    D('A'),    D('B'),    D('C'),    D('D'),
    D('E'),     D('F'),    D('G'),    D('H'),    D('I'),    D('J'),    D('K'),    D('L'),
    D('M'),     D('N'),    D('O'),    D('P'),    D('Q'),    D('R'),    D('S'),    D('T'),
    D('U'),     D('V'),    D('W'),    D('X'),    D('Y'),    D('Z'),
#undef D
};

static int fail(ef_perr_t *err, size_t off, const char *reason, int code)
{
    if (err != NULL) {
        err->offset = off;
        err->reason = reason;
    }
    return code;
}

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* blanks and the line breaks of folded values */
static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

const char *ef_sip_hdr_name(ef_sip_hdr_t id)
{
    return id > EF_HDR_OTHER && id < EF_HDR__COUNT ? hdr_rows[id].name : NULL;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive equality of n bytes; no locale, unlike strncasecmp. */
static bool same_icase(const char *a, const char *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

/*
 * The rows are in alphabetical order (test_sip checks it), so a binary search
 * on the first letter finds the few candidates; this runs for every header of
 * every message.
 */
ef_sip_hdr_t ef_sip_hdr_lookup(const char *name, size_t len)
{
    char first;
    int lo = 1, hi = EF_HDR__COUNT, i;

    if (len == 0)
        return EF_HDR_OTHER;
    first = lower(name[0]);
    if (len == 1) {
        for (i = 1; i < EF_HDR__COUNT; i++)
            if (hdr_rows[i].compact == first)
                return (ef_sip_hdr_t)i;
        return EF_HDR_OTHER;
    }
    while (lo < hi) { /* the first row whose name starts at or after `first` */
        int mid = (lo + hi) / 2;
        if (lower(hdr_rows[mid].name[0]) < first)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (i = lo; i < EF_HDR__COUNT && lower(hdr_rows[i].name[0]) == first; i++)
        if (hdr_rows[i].len == len && same_icase(hdr_rows[i].name, name, len))
            return (ef_sip_hdr_t)i;
    return EF_HDR_OTHER;
}

static void limits(const ef_sip_limits_t *in, ef_sip_limits_t *out)
{
    out->max_message = in && in->max_message ? in->max_message : EF_SIP_MAX_MESSAGE;
    out->max_headers = in && in->max_headers ? in->max_headers : EF_SIP_MAX_HEADERS;
    out->max_header_line = in && in->max_header_line ? in->max_header_line : EF_SIP_MAX_HEADER_LINE;
    out->max_uri = in && in->max_uri ? in->max_uri : EF_SIP_MAX_URI;
    out->max_via = in && in->max_via ? in->max_via : EF_SIP_MAX_VIA;
    out->max_route = in && in->max_route ? in->max_route : EF_SIP_MAX_ROUTE;
}

/* The end of the line starting at p: the index of its '\n', or len when there is none. */
static size_t line_end(const char *buf, size_t p, size_t len)
{
    const char *nl = memchr(buf + p, '\n', len - p);

    return nl != NULL ? (size_t)(nl - buf) : len;
}

/* The line [p, nl) without its CR. */
static size_t trim_cr(const char *buf, size_t p, size_t nl)
{
    return nl > p && buf[nl - 1] == '\r' ? nl - 1 : nl;
}

/* RFC 3261 §7.1: SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT */
static bool sip_version(const char *s, size_t n)
{
    size_t i = 4, d1, d2;

    if (n < 7 || strncasecmp(s, "SIP/", 4) != 0)
        return false;
    for (d1 = i; i < n && isdigit((unsigned char)s[i]); i++)
        ;
    if (i == d1 || i >= n || s[i++] != '.')
        return false;
    for (d2 = i; i < n && isdigit((unsigned char)s[i]); i++)
        ;
    return i == n && i > d2;
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF */
static int status_line(const char *s, size_t n, size_t sp, ef_sip_msg_t *msg, ef_perr_t *err)
{
    size_t i = sp + 1;

    if (n < i + 3 || !isdigit((unsigned char)s[i]) || !isdigit((unsigned char)s[i + 1]) ||
        !isdigit((unsigned char)s[i + 2]) || s[i] == '0' || (n > i + 3 && s[i + 3] != ' '))
        return fail(err, i, "Status-Code must be three digits, 100 to 699", EF_ESYNTAX);
    msg->status = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
    if (msg->status < 100 || msg->status > 699)
        return fail(err, i, "Status-Code must be three digits, 100 to 699", EF_ESYNTAX);
    msg->reason.ptr = s + (n > i + 3 ? i + 4 : n);
    msg->reason.len = n > i + 3 ? n - i - 4 : 0;
    return 0;
}

/* Request-Line = Method SP Request-URI SP SIP-Version CRLF (RFC 3261 §7.1: single spaces) */
static int request_line(const char *s, size_t n, size_t sp, ef_sip_msg_t *msg,
                        const ef_sip_limits_t *lim, ef_perr_t *err)
{
    size_t i, uri_end;

    for (i = 0; i < sp; i++)
        if (!token_chars[(unsigned char)s[i]])
            return fail(err, i, "Method is not a token", EF_ESYNTAX);
    for (uri_end = sp + 1; uri_end < n && s[uri_end] != ' '; uri_end++)
        if ((unsigned char)s[uri_end] <= ' ' || s[uri_end] == 0x7f)
            return fail(err, uri_end, "control character in Request-URI", EF_ESYNTAX);
    if (uri_end == sp + 1)
        return fail(err, sp + 1, "empty Request-URI or more than one space", EF_ESYNTAX);
    if (uri_end - sp - 1 > lim->max_uri)
        return fail(err, sp + 1, "Request-URI longer than the limit", EF_E2BIG);
    if (uri_end == n || !sip_version(s + uri_end + 1, n - uri_end - 1))
        return fail(err, uri_end < n ? uri_end + 1 : n,
                    "expected SIP-Version after the Request-URI (one space between)", EF_ESYNTAX);
    msg->is_request = true;
    msg->method = (ef_str_t){s, sp};
    msg->uri = (ef_str_t){s + sp + 1, uri_end - sp - 1};
    msg->version = (ef_str_t){s + uri_end + 1, n - uri_end - 1};
    return 0;
}

/* The start line; returns the offset of the first header line. */
static int start_line(const char *buf, size_t len, ef_sip_msg_t *msg, const ef_sip_limits_t *lim,
                      bool more, ef_perr_t *err)
{
    size_t nl = line_end(buf, 0, len), n, sp;
    int rc;

    if (nl == len)
        return more ? EF_EAGAIN : fail(err, len, "no end of the start line", EF_ESYNTAX);
    n = trim_cr(buf, 0, nl);
    if (n == 0 || buf[0] == ' ' || buf[0] == '\t')
        return fail(err, 0, "the start line is empty or starts with a blank", EF_ESYNTAX);
    for (sp = 0; sp < n && buf[sp] != ' '; sp++)
        ;
    if (sp == n)
        return fail(err, n, "the start line has no space", EF_ESYNTAX);
    if (sip_version(buf, sp)) {
        msg->is_request = false;
        msg->version = (ef_str_t){buf, sp};
        rc = status_line(buf, n, sp, msg, err);
    } else {
        rc = request_line(buf, n, sp, msg, lim, err);
    }
    return rc < 0 ? rc : (int)(nl + 1);
}

/* RFC 3261 §20.14: Content-Length = 1*DIGIT (bounded here by the message limit). */
static int content_length(const ef_sip_header_t *h, size_t limit, size_t off, bool stream,
                          long *out, ef_perr_t *err)
{
    long v = 0;
    size_t i;

    if (h->value.len == 0)
        return fail(err, off, "Content-Length is empty", EF_ESYNTAX);
    for (i = 0; i < h->value.len; i++) {
        if (!isdigit((unsigned char)h->value.ptr[i]))
            return fail(err, off + i, "Content-Length is not a number", EF_ESYNTAX);
        v = v * 10 + (h->value.ptr[i] - '0');
        if ((size_t)v > limit)
            return fail(err, off, "Content-Length larger than the message limit", EF_E2BIG);
    }
    /*
     * Several values: on a stream nothing says where the next message starts, so
     * the connection is lost; a datagram is framed by its first value and the
     * element answers 400 (RFC 4475 §3.3.9 mcl01, see sip_check.h).
     */
    if (*out >= 0 && *out != v && stream)
        return fail(err, off, "conflicting Content-Length headers", EF_ESYNTAX);
    if (*out < 0)
        *out = v;
    return 0;
}

/* One header field at p (its first line is [p, nl)); folded lines follow. Returns its end. */
static int header_field(const char *buf, size_t len, size_t p, bool more, ef_sip_header_t *h,
                        const ef_sip_limits_t *lim, ef_perr_t *err)
{
    size_t i = p, end, vstart, vend, nl = line_end(buf, p, len);

    if (nl == len && more)
        return EF_EAGAIN; /* not even the first line of the field is here */
    while (i < nl && token_chars[(unsigned char)buf[i]])
        i++;
    h->name = (ef_str_t){buf + p, i - p};
    while (i < nl && is_wsp(buf[i])) /* HCOLON = *( SP / HTAB ) ":" SWS */
        i++;
    if (h->name.len == 0 || i >= nl || buf[i] != ':')
        return fail(err, i, "a header line without name and ':'", EF_ESYNTAX);
    /* Folding: the field goes on while the next line starts with a blank (RFC 3261 §7.3.1). */
    for (;;) {
        if (nl >= len)
            return more ? EF_EAGAIN
                        : fail(err, len, "the message ends inside the headers", EF_ESYNTAX);
        if (nl - p > lim->max_header_line)
            return fail(err, p, "a header field longer than the limit", EF_E2BIG);
        if (nl + 1 >= len && more)
            return EF_EAGAIN; /* the next byte decides whether the field is folded */
        if (nl + 1 >= len || !is_wsp(buf[nl + 1]))
            break;
        nl = line_end(buf, nl + 1, len);
    }
    end = nl + 1;
    if (end - p > lim->max_header_line)
        return fail(err, p, "a header field longer than the limit", EF_E2BIG);
    for (vstart = i + 1; vstart < nl && is_blank(buf[vstart]); vstart++)
        ;
    for (vend = nl; vend > vstart && is_blank(buf[vend - 1]); vend--)
        ;
    h->value = (ef_str_t){buf + vstart, vend - vstart};
    h->raw = (ef_str_t){buf + p, end - p};
    h->id = ef_sip_hdr_lookup(h->name.ptr, h->name.len);
    return (int)end;
}

/* Comma-separated values in a field (RFC 3261 §7.3.1), commas in quoted-strings and <> aside. */
static size_t count_values(ef_str_t v)
{
    size_t i, n = 1;
    bool quoted = false, angle = false;

    for (i = 0; i < v.len; i++) {
        char c = v.ptr[i];
        if (quoted && c == '\\')
            i++;
        else if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == '<' || c == '>'))
            angle = c == '<';
        else if (c == ',' && !quoted && !angle)
            n++;
    }
    return n;
}

/* The Via and Route limits, counted as the fields arrive. */
static int count_limits(ef_sip_msg_t *msg, const ef_sip_header_t *h, const char *buf,
                        const ef_sip_limits_t *lim, ef_perr_t *err)
{
    size_t *n = h->id == EF_HDR_VIA            ? &msg->n_via
                : h->id == EF_HDR_ROUTE        ? &msg->n_route
                : h->id == EF_HDR_RECORD_ROUTE ? &msg->n_record_route
                                               : NULL;

    if (n == NULL)
        return 0;
    *n += count_values(h->value);
    if (*n > (h->id == EF_HDR_VIA ? lim->max_via : lim->max_route))
        return fail(err, (size_t)(h->name.ptr - buf),
                    h->id == EF_HDR_VIA ? "more Via values than the limit"
                                        : "more Route or Record-Route values than the limit",
                    EF_E2BIG);
    return 0;
}

/* Header fields from p to the empty line; returns the offset after the empty line. */
static int header_fields(const char *buf, size_t len, size_t p, bool more, ef_sip_msg_t *msg,
                         size_t max_hdrs, const ef_sip_limits_t *lim, ef_perr_t *err)
{
    for (;;) {
        ef_sip_header_t *h;
        int next, rc; /* next: where the following field starts */

        if (p >= len && more)
            return EF_EAGAIN;
        if (p >= len) /* a datagram ending right after a whole header line: no body */
            return (int)p;
        if (buf[p] == '\n')
            return (int)(p + 1);
        if (buf[p] == '\r') {
            if (p + 1 >= len)
                return more ? EF_EAGAIN : fail(err, p, "a lone CR", EF_ESYNTAX);
            if (buf[p + 1] == '\n')
                return (int)(p + 2);
            return fail(err, p, "a lone CR", EF_ESYNTAX);
        }
        if (msg->n_headers >= max_hdrs || msg->n_headers >= lim->max_headers)
            return fail(err, p, "more header fields than the limit", EF_E2BIG);
        h = &msg->headers[msg->n_headers];
        next = header_field(buf, len, p, more, h, lim, err);
        if (next < 0)
            return next;
        if (h->id == EF_HDR_CONTENT_LENGTH &&
            (rc = content_length(h, lim->max_message, (size_t)(h->value.ptr - buf), more,
                                 &msg->content_length, err)) < 0)
            return rc;
        if ((rc = count_limits(msg, h, buf, lim, err)) < 0)
            return rc;
        if (msg->first[h->id] == 0)
            msg->first[h->id] = msg->n_headers + 1;
        msg->n_headers++;
        p = (size_t)next;
    }
}

/* The body after the headers (RFC 3261 §18.3). */
static int body(const char *buf, size_t len, size_t hlen, ef_sip_transport_t transport,
                ef_sip_msg_t *msg, ef_perr_t *err)
{
    size_t avail = len - hlen, blen;

    if (msg->content_length < 0) {
        if (transport == EF_SIP_STREAM) /* RFC 3261 §18.3: MUST be used with streams */
            return fail(err, hlen, "no Content-Length on a stream transport", EF_ESYNTAX);
        blen = avail;
    } else if ((size_t)msg->content_length > avail) {
        if (transport == EF_SIP_STREAM)
            return EF_EAGAIN;
        return fail(err, hlen, "Content-Length larger than the datagram", EF_ESYNTAX);
    } else {
        blen = (size_t)msg->content_length; /* a datagram's extra bytes are discarded */
    }
    msg->body = (ef_str_t){buf + hlen, blen};
    return (int)(hlen + blen);
}

int ef_sip_parse(const char *buf, size_t len, ef_sip_transport_t transport, ef_sip_msg_t *msg,
                 ef_sip_header_t *hdrs, size_t max_hdrs, const ef_sip_limits_t *lim_in,
                 ef_perr_t *err)
{
    bool more = transport == EF_SIP_STREAM;
    ef_sip_limits_t lim;
    int p, rc;

    limits(lim_in, &lim);
    memset(msg, 0, sizeof(*msg));
    msg->headers = hdrs;
    msg->content_length = -1;
    if (len > lim.max_message && !more)
        return fail(err, lim.max_message, "message larger than the limit", EF_E2BIG);
    p = start_line(buf, len, msg, &lim, more, err);
    if (p >= 0)
        p = header_fields(buf, len, (size_t)p, more, msg, max_hdrs, &lim, err);
    if (p == EF_EAGAIN && len > lim.max_message)
        return fail(err, lim.max_message, "message larger than the limit", EF_E2BIG);
    if (p < 0)
        return p;
    msg->header_bytes = (size_t)p;
    rc = body(buf, len, (size_t)p, transport, msg, err);
    if (rc > 0 && (size_t)rc > lim.max_message)
        return fail(err, lim.max_message, "message larger than the limit", EF_E2BIG);
    if (rc == EF_EAGAIN && (size_t)p + (size_t)msg->content_length > lim.max_message)
        return fail(err, (size_t)p, "message larger than the limit", EF_E2BIG);
    return rc;
}

const ef_sip_header_t *ef_sip_msg_header(const ef_sip_msg_t *msg, ef_sip_hdr_t id)
{
    if (id <= EF_HDR_OTHER || id >= EF_HDR__COUNT || msg->first[id] == 0)
        return NULL;
    return &msg->headers[msg->first[id] - 1];
}

/* --- the stream framer ------------------------------------------------------ */

/* The offset after the empty line ending the headers, searched from `from`, or 0. */
static size_t headers_end(const char *buf, size_t len, size_t from)
{
    size_t i = from;

    while (i < len) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t at;

        if (nl == NULL)
            return 0;
        at = (size_t)(nl - buf);
        if (at + 1 < len && buf[at + 1] == '\n')
            return at + 2;
        if (at + 2 < len && buf[at + 1] == '\r' && buf[at + 2] == '\n')
            return at + 3;
        i = at + 1;
    }
    return 0;
}

/* Content-Length of a complete header block, read line by line; -1 when absent. */
static int frame_length(const char *buf, size_t hend, const ef_sip_limits_t *lim, long *cl,
                        ef_perr_t *err)
{
    size_t p = line_end(buf, 0, hend) + 1;

    *cl = -1;
    while (p < hend) {
        size_t nl = line_end(buf, p, hend), i = p;
        ef_sip_header_t h;

        while (i < nl && token_chars[(unsigned char)buf[i]])
            i++;
        if (ef_sip_hdr_lookup(buf + p, i - p) == EF_HDR_CONTENT_LENGTH) {
            size_t v = i;
            while (v < nl && (is_wsp(buf[v]) || buf[v] == ':'))
                v++;
            h.value = (ef_str_t){buf + v, trim_cr(buf, v, nl) - v};
            while (h.value.len > 0 && is_wsp(h.value.ptr[h.value.len - 1]))
                h.value.len--;
            int rc = content_length(&h, lim->max_message, v, true, cl, err);
            if (rc < 0)
                return rc;
        }
        p = nl + 1;
    }
    if (*cl < 0) /* RFC 3261 §18.3 */
        return fail(err, 0, "no Content-Length on a stream transport", EF_ESYNTAX);
    return 0;
}

int ef_sip_frame(ef_sip_framer_t *st, const char *buf, size_t len, const ef_sip_limits_t *lim_in,
                 ef_sip_frame_t *kind, ef_perr_t *err)
{
    ef_sip_limits_t lim;
    size_t hend;
    long cl;
    int rc;

    limits(lim_in, &lim);
    /* RFC 5626 §3.5.1: CRLFCRLF is a ping, a lone CRLF the pong */
    if (len >= 1 && buf[0] == '\r') {
        if (len < 2)
            return EF_EAGAIN;
        if (buf[1] != '\n')
            return fail(err, 1, "a lone CR between messages", EF_ESYNTAX);
        *kind =
            len >= 4 && buf[2] == '\r' && buf[3] == '\n' ? EF_SIP_FRAME_PING : EF_SIP_FRAME_PONG;
        st->scanned = 0;
        return *kind == EF_SIP_FRAME_PING ? 4 : 2;
    }
    /* Resume 3 bytes back: a terminator found (or cut) before ends at most there. */
    hend = headers_end(buf, len, st->scanned > 3 ? st->scanned - 3 : 0);
    if (hend == 0) {
        st->scanned = len;
        if (len > lim.max_message)
            return fail(err, lim.max_message, "message larger than the limit", EF_E2BIG);
        return EF_EAGAIN;
    }
    st->scanned = hend;
    if ((rc = frame_length(buf, hend, &lim, &cl, err)) < 0)
        return rc;
    if (hend + (size_t)cl > lim.max_message)
        return fail(err, 0, "message larger than the limit", EF_E2BIG);
    if (hend + (size_t)cl > len)
        return EF_EAGAIN;
    st->scanned = 0;
    *kind = EF_SIP_FRAME_MESSAGE;
    return (int)(hend + (size_t)cl);
}
