/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sdp.c -- the SDP reader of sdp.h (RFC 8866 §5, §9 grammar) and two small
 * writers. One pass over the lines: each is checked for its form and its
 * place (v=, o=, s= first; t= before the media; only i=, c=, b=, k=, a= in
 * a media section), the fields that matter to a SIP edge are split, and every
 * line is kept, known or not, so that a description can be copied with an
 * attribute added and nothing else changed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "enumfed/sdp.h"

#define FAIL(code, at, why)                                                                        \
    do {                                                                                           \
        if (err != NULL) {                                                                         \
            err->offset = (size_t)((at)-buf);                                                      \
            err->reason = (why);                                                                   \
        }                                                                                          \
        return (code);                                                                             \
    } while (0)

/* RFC 8866 §9 token-char: %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E */
static bool token_char(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2A || c == 0x2B || c == 0x2D ||
           c == 0x2E || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) ||
           (c >= 0x5E && c <= 0x7E);
}

static bool is_token(ef_str_t s)
{
    if (s.len == 0)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (!token_char((unsigned char)s.ptr[i]))
            return false;
    return true;
}

static bool is_digits(ef_str_t s, size_t max_len)
{
    if (s.len == 0 || s.len > max_len)
        return false;
    for (size_t i = 0; i < s.len; i++)
        if (s.ptr[i] < '0' || s.ptr[i] > '9')
            return false;
    return true;
}

/* proto = token *("/" token) */
static bool is_proto(ef_str_t s)
{
    size_t start = 0;
    for (size_t i = 0; i <= s.len; i++)
        if (i == s.len || s.ptr[i] == '/') {
            if (!is_token((ef_str_t){s.ptr + start, i - start}))
                return false;
            start = i + 1;
        }
    return true;
}

/* Split v at single spaces into at most cap fields; returns the count, or
 * cap + 1 when there are more. An empty field (two spaces) counts as one. */
static size_t split(ef_str_t v, ef_str_t *f, size_t cap)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= v.len; i++)
        if (i == v.len || v.ptr[i] == ' ') {
            if (n == cap)
                return cap + 1;
            f[n++] = (ef_str_t){v.ptr + start, i - start};
            start = i + 1;
        }
    return n;
}

static bool eq(ef_str_t s, const char *c)
{
    return s.len == strlen(c) && memcmp(s.ptr, c, s.len) == 0;
}

static int parse_origin(const char *buf, ef_sdp_t *out, ef_str_t v, ef_perr_t *err)
{
    ef_str_t f[6];
    if (split(v, f, 6) != 6)
        FAIL(EF_ESYNTAX, v.ptr,
             "o= needs 6 fields: username sess-id sess-version nettype "
             "addrtype address");
    for (size_t i = 0; i < 6; i++)
        if (f[i].len == 0)
            FAIL(EF_ESYNTAX, f[i].ptr, "o= has an empty field");
    if (!is_digits(f[1], 64) || !is_digits(f[2], 64))
        FAIL(EF_ESYNTAX, f[1].ptr, "o= sess-id and sess-version must be digits");
    if (!is_token(f[3]) || !is_token(f[4]))
        FAIL(EF_ESYNTAX, f[3].ptr, "o= nettype and addrtype must be tokens");
    out->o_user = f[0];
    out->o_sess_id = f[1];
    out->o_sess_version = f[2];
    out->o_nettype = f[3];
    out->o_addrtype = f[4];
    out->o_address = f[5];
    return 0;
}

static int check_connection(const char *buf, ef_str_t v, ef_perr_t *err)
{
    ef_str_t f[3];
    if (split(v, f, 3) != 3 || f[2].len == 0)
        FAIL(EF_ESYNTAX, v.ptr, "c= needs 3 fields: nettype addrtype connection-address");
    if (!is_token(f[0]) || !is_token(f[1]))
        FAIL(EF_ESYNTAX, v.ptr, "c= nettype and addrtype must be tokens");
    return 0;
}

static int check_timing(const char *buf, ef_str_t v, ef_perr_t *err)
{
    ef_str_t f[2];
    if (split(v, f, 2) != 2 || !is_digits(f[0], 20) || !is_digits(f[1], 20))
        FAIL(EF_ESYNTAX, v.ptr, "t= needs a start and a stop time, both decimal");
    return 0;
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 8866 §5.14) */
static int parse_media(const char *buf, ef_sdp_media_t *m, ef_str_t v, ef_perr_t *err)
{
    ef_str_t f[EF_SDP_MAX_FMTS + 3];
    size_t n = split(v, f, EF_SDP_MAX_FMTS + 3);
    if (n > EF_SDP_MAX_FMTS + 3)
        FAIL(EF_E2BIG, v.ptr, "more than 64 formats on one m= line");
    if (n < 3)
        FAIL(EF_ESYNTAX, v.ptr, "m= needs media, port and proto");
    for (size_t i = 0; i < n; i++)
        if (f[i].len == 0)
            FAIL(EF_ESYNTAX, f[i].ptr, "m= has an empty field (two spaces or a trailing space)");
    if (!is_token(f[0]))
        FAIL(EF_ESYNTAX, f[0].ptr, "m= media is not a token");
    const char *slash = memchr(f[1].ptr, '/', f[1].len);
    ef_str_t port = {f[1].ptr, slash ? (size_t)(slash - f[1].ptr) : f[1].len};
    ef_str_t count = slash ? (ef_str_t){slash + 1, f[1].len - port.len - 1} : (ef_str_t){0};
    if (!is_digits(port, 5) || (slash != NULL && !is_digits(count, 5)))
        FAIL(EF_ESYNTAX, f[1].ptr, "m= port is not <port>[/<number of ports>] in decimal");
    unsigned p = 0, c = 0;
    for (size_t i = 0; i < port.len; i++)
        p = p * 10 + (unsigned)(port.ptr[i] - '0');
    for (size_t i = 0; i < count.len; i++)
        c = c * 10 + (unsigned)(count.ptr[i] - '0');
    if (p > 65535 || (slash != NULL && (c == 0 || c > 65535)))
        FAIL(EF_ESYNTAX, f[1].ptr, "m= port or number of ports out of range");
    if (!is_proto(f[2]))
        FAIL(EF_ESYNTAX, f[2].ptr, "m= proto is not token *(\"/\" token)");
    /* the seed's "m=message 5060 sip" may leave the URI out (§6.3.2) */
    if (n == 3 && !(eq(f[0], "message") && eq(f[2], "sip")))
        FAIL(EF_ESYNTAX, f[2].ptr + f[2].len, "m= line without a format");
    m->media = f[0];
    m->port = p;
    m->n_ports = c;
    m->proto = f[2];
    m->n_fmts = n - 3;
    for (size_t i = 3; i < n; i++)
        m->fmts[i - 3] = f[i];
    return 0;
}

/* a=<attribute-name>[:<attribute-value>] */
static int check_attribute(const char *buf, ef_str_t v, ef_perr_t *err)
{
    const char *colon = memchr(v.ptr, ':', v.len);
    ef_str_t name = {v.ptr, colon ? (size_t)(colon - v.ptr) : v.len};
    if (!is_token(name))
        FAIL(EF_ESYNTAX, v.ptr, "a= attribute name is not a token");
    return 0;
}

/* Where a line of this type may stand; 0 or an error. */
static int check_place(const char *buf, const char *at, char type, size_t idx, bool in_media,
                       char prev, ef_perr_t *err)
{
    static const char order[3] = {'v', 'o', 's'};
    if (idx < 3) {
        if (type != order[idx])
            FAIL(EF_ESYNTAX, at,
                 idx == 0   ? "a description starts with v="
                 : idx == 1 ? "o= must follow v="
                            : "s= must follow o=");
        return 0;
    }
    if (type == 'v' || type == 'o' || type == 's')
        FAIL(EF_ESYNTAX, at, "v=, o= or s= repeated");
    if (in_media && strchr("uepzrt", type) != NULL)
        FAIL(EF_ESYNTAX, at, "u=, e=, p=, t=, r= and z= belong to the session level");
    if ((type == 'r' || type == 'z') && prev != 't' && prev != 'r')
        FAIL(EF_ESYNTAX, at, "r= or z= outside a time description");
    return 0;
}

/* One line at p (up to end): its value, and where the next one starts. */
static int next_line(const char *buf, const char *p, const char *end, ef_str_t *line,
                     const char **next, ef_perr_t *err)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *e = nl != NULL ? nl : end;
    *next = nl != NULL ? nl + 1 : end;
    if (e > p && e[-1] == '\r')
        e--;
    if ((size_t)(e - p) > EF_SDP_MAX_LINE)
        FAIL(EF_E2BIG, p, "a line is longer than 4096 bytes");
    for (const char *q = p; q < e; q++)
        if (*q == '\0' || *q == '\r')
            FAIL(EF_ESYNTAX, q, *q == '\0' ? "NUL byte in a line" : "CR without LF in a line");
    *line = (ef_str_t){p, (size_t)(e - p)};
    return 0;
}

static bool only_line_ends(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != '\r' && *p != '\n')
            return false;
    return true;
}

/* The typed checks of one line; media sections are opened here. */
static int take_line(const char *buf, ef_sdp_t *out, char type, ef_str_t v, bool *t_seen,
                     ef_perr_t *err)
{
    int rc = 0;
    switch (type) {
    case 'v':
        if (!eq(v, "0"))
            FAIL(EF_ESYNTAX, v.ptr, "v= must be 0");
        break;
    case 'o':
        rc = parse_origin(buf, out, v, err);
        break;
    case 's':
        if (v.len == 0)
            FAIL(EF_ESYNTAX, v.ptr, "s= is empty (RFC 8866 5.3: use \"s= \" or \"s=-\")");
        out->session_name = v;
        break;
    case 'c':
        rc = check_connection(buf, v, err);
        if (rc == 0 && out->n_media == 0)
            out->connection = v;
        break;
    case 't':
        rc = check_timing(buf, v, err);
        *t_seen = true;
        break;
    case 'a':
        rc = check_attribute(buf, v, err);
        break;
    case 'm':
        if (!*t_seen)
            FAIL(EF_ESYNTAX, v.ptr, "no t= line before the first m= line");
        if (out->n_media == EF_SDP_MAX_MEDIA)
            FAIL(EF_E2BIG, v.ptr, "more than 32 m= lines");
        if (out->n_media == 0)
            out->session_end = out->n_lines;
        else
            out->media[out->n_media - 1].end = out->n_lines;
        rc = parse_media(buf, &out->media[out->n_media], v, err);
        out->media[out->n_media].line = out->n_lines;
        out->n_media++;
        break;
    default: /* i= u= e= p= b= r= z= k=: kept as they are */
        break;
    }
    return rc;
}

int ef_sdp_parse(const char *buf, size_t len, ef_sdp_t *out, ef_sdp_line_t *lines, size_t max_lines,
                 ef_perr_t *err)
{
    const char *p = buf, *end = buf + len;
    bool t_seen = false;
    char prev = 0;

    memset(out, 0, sizeof *out);
    out->lines = lines;
    if (len > EF_SDP_MAX_SIZE)
        FAIL(EF_E2BIG, buf, "the description is longer than 65535 bytes");
    if (len == 0)
        FAIL(EF_ESYNTAX, buf, "empty description");
    while (p < end && !only_line_ends(p, end)) {
        ef_str_t line;
        const char *next;
        int rc = next_line(buf, p, end, &line, &next, err);
        if (rc != 0)
            return rc;
        if (line.len < 2 || line.ptr[1] != '=')
            FAIL(EF_ESYNTAX, p, "a line is not <type>=<value>");
        char type = line.ptr[0];
        /* RFC 8866 §5: a description with a type letter it does not know MUST be ignored */
        if (type < 'a' || type > 'z' || strchr("vosiuepcbtrzkam", type) == NULL)
            FAIL(EF_ESYNTAX, p, "unknown type letter (RFC 8866 5: the description is ignored)");
        if ((rc = check_place(buf, p, type, out->n_lines, out->n_media > 0, prev, err)) != 0)
            return rc;
        if (out->n_lines == max_lines)
            FAIL(EF_E2BIG, p, "more lines than the caller's limit");
        ef_str_t v = {line.ptr + 2, line.len - 2};
        if ((rc = take_line(buf, out, type, v, &t_seen, err)) != 0)
            return rc;
        lines[out->n_lines++] = (ef_sdp_line_t){type, v};
        prev = type;
        p = next;
    }
    if (out->n_lines < 3)
        FAIL(EF_ESYNTAX, end, "a description needs v=, o= and s=");
    if (!t_seen)
        FAIL(EF_ESYNTAX, end, "no t= line");
    if (out->n_media == 0)
        out->session_end = out->n_lines;
    else
        out->media[out->n_media - 1].end = out->n_lines;
    return 0;
}

bool ef_sdp_attr(const ef_sdp_t *sdp, size_t m, const char *name, ef_str_t *value)
{
    size_t from = 0, to = sdp->session_end, nlen = strlen(name);
    if (m != (size_t)-1) {
        if (m >= sdp->n_media)
            return false;
        from = sdp->media[m].line + 1;
        to = sdp->media[m].end;
    }
    for (size_t i = from; i < to; i++) {
        ef_str_t v = sdp->lines[i].value;
        if (sdp->lines[i].type != 'a' || v.len < nlen || memcmp(v.ptr, name, nlen) != 0 ||
            (v.len > nlen && v.ptr[nlen] != ':'))
            continue;
        if (value != NULL)
            *value = v.len > nlen ? (ef_str_t){v.ptr + nlen + 1, v.len - nlen - 1}
                                  : (ef_str_t){v.ptr + v.len, 0};
        return true;
    }
    return false;
}

long ef_sdp_find_media(const ef_sdp_t *sdp, const char *media, const char *proto)
{
    for (size_t i = 0; i < sdp->n_media; i++)
        if (eq(sdp->media[i].media, media) && (proto == NULL || eq(sdp->media[i].proto, proto)))
            return (long)i;
    return -1;
}

void ef_sdp_write_capability(ef_buf_t *out, const char *user, uint64_t sess_id, const char *address,
                             const char *uri)
{
    const char *ip = strchr(address, ':') != NULL ? "IP6" : "IP4";
    /* RFC 3264 §9: t=0 0, a session id unique per capability description, port zero */
    ef_buf_printf(out, "v=0\r\no=%s %" PRIu64 " %" PRIu64 " IN %s %s\r\ns=-\r\nc=IN %s %s\r\n",
                  user, sess_id, sess_id, ip, address, ip, address);
    ef_buf_printf(out, "t=0 0\r\nm=message 0 sip%s%s\r\n", uri != NULL ? " " : "",
                  uri != NULL ? uri : "");
}

size_t ef_sdp_write_with_attr(ef_buf_t *out, const ef_sdp_t *sdp, const char *media,
                              const char *attr)
{
    char name[128];
    size_t changed = 0, k = 0;
    const char *colon = strchr(attr, ':');
    size_t nlen = colon != NULL ? (size_t)(colon - attr) : strlen(attr);

    snprintf(name, sizeof name, "%.*s", (int)nlen, attr);
    for (size_t i = 0; i < sdp->n_lines; i++) {
        ef_buf_printf(out, "%c=", sdp->lines[i].type);
        ef_buf_str(out, sdp->lines[i].value);
        ef_buf_cstr(out, "\r\n");
        while (k < sdp->n_media && sdp->media[k].end == i + 1) {
            if ((media == NULL || eq(sdp->media[k].media, media)) &&
                !ef_sdp_attr(sdp, k, name, NULL)) {
                ef_buf_printf(out, "a=%s\r\n", attr);
                changed++;
            }
            k++;
        }
    }
    return changed;
}
