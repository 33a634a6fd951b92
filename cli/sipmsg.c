/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sipmsg -- read SIP messages from files and say what libenumfed makes of
 * them: whether each is valid SIP (check), what an element would answer to it
 * (check --respond), and its parsed structure (dump --json).
 *
 *   sipmsg check [--respond] [--proxy] FILE...     exit 1 if any is invalid
 *   sipmsg dump --json FILE
 * FILE "-" is standard input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enumfed/sip.h"
#include "enumfed/sip_check.h"
#include "enumfed/sip_hdr.h"
#include "json.h"

#define MAX_HDRS EF_SIP_MAX_HEADERS
#define READ_MAX (EF_SIP_MAX_MESSAGE + 1) /* one more byte tells an oversize message */

enum { EXIT_OK = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
    fputs("usage: sipmsg check [--respond] [--proxy] FILE...\n"
          "       sipmsg dump --json FILE\n"
          "  check      FILE: valid, or FILE: invalid: REASON (exit 1 if any is invalid)\n"
          "  --respond  also print the status code an element would answer\n"
          "  --proxy    judge as a proxy (RFC 3261 §16.3) instead of a user agent (§8.2)\n"
          "  dump       the parsed structure as JSON\n"
          "FILE - reads standard input.\n",
          out);
}

/* The whole file (or stdin) into buf; returns its length or -errno. */
static long read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t n;

    if (f == NULL)
        return -errno;
    n = fread(buf, 1, cap, f);
    if (ferror(f)) {
        int e = errno;
        if (f != stdin)
            fclose(f);
        return -e;
    }
    if (f != stdin)
        fclose(f);
    return (long)n;
}

struct parsed {
    char buf[READ_MAX];
    long len;
    ef_sip_header_t hdrs[MAX_HDRS];
    ef_sip_msg_t msg;
    ef_perr_t err;
    int rc;
};

static int load(const char *path, struct parsed *p)
{
    p->len = read_file(path, p->buf, sizeof(p->buf));
    if (p->len < 0) {
        fprintf(stderr, "sipmsg: %s: %s\n", path, strerror((int)-p->len));
        return -1;
    }
    memset(&p->err, 0, sizeof(p->err));
    p->rc = ef_sip_parse(p->buf, (size_t)p->len, EF_SIP_DATAGRAM, &p->msg, p->hdrs, MAX_HDRS, NULL,
                         &p->err);
    return 0;
}

static int check_one(const char *path, bool respond, const ef_sip_check_opts_t *opts,
                     struct parsed *p)
{
    ef_sip_verdict_t v;

    if (load(path, p) < 0)
        return EXIT_INVALID;
    if (p->rc < 0) {
        printf("%s: invalid: %s at byte %zu%s\n", path, p->err.reason, p->err.offset,
               !respond            ? ""
               : p->rc == EF_E2BIG ? " (513)"
                                   : " (400)");
        return EXIT_INVALID;
    }
    if (ef_sip_check_syntax(&p->msg, &v) != 0) {
        const char *h = ef_sip_hdr_name(v.header);
        printf("%s: invalid: %s%s%s%s", path, v.reason, h ? " (" : "", h ? h : "", h ? ")" : "");
        if (respond)
            printf(" (%d)", p->msg.is_request ? v.status : -1);
        putchar('\n');
        return EXIT_INVALID;
    }
    if (!respond) {
        printf("%s: valid\n", path);
        return EXIT_OK;
    }
    ef_sip_check(&p->msg, opts, &v);
    if (v.status == 0)
        printf("%s: valid: accept\n", path);
    else if (v.status < 0)
        printf("%s: valid: drop (%s)\n", path, v.reason);
    else
        printf("%s: valid: %d (%s)\n", path, v.status, v.reason);
    return EXIT_OK;
}

static int cmd_check(int argc, char **argv)
{
    ef_sip_check_opts_t opts = {.role = EF_ROLE_UAS};
    struct parsed *p = malloc(sizeof(*p));
    bool respond = false;
    int i, rc = EXIT_OK, files = 0;

    if (p == NULL)
        return EXIT_USAGE;
    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--respond") == 0) {
            respond = true;
        } else if (strcmp(argv[i], "--proxy") == 0) {
            opts.role = EF_ROLE_PROXY;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "sipmsg: unknown option %s (see sipmsg --help)\n", argv[i]);
            free(p);
            return EXIT_USAGE;
        }
    }
    for (i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            continue;
        files++;
        if (check_one(argv[i], respond, &opts, p) != EXIT_OK)
            rc = EXIT_INVALID;
    }
    free(p);
    if (files == 0) {
        fputs("sipmsg: check needs at least one FILE (see sipmsg --help)\n", stderr);
        return EXIT_USAGE;
    }
    return rc;
}

/* --- dump --json ------------------------------------------------------------- */

static void json_str(json_t *j, const char *key, ef_str_t s)
{
    char tmp[EF_SIP_MAX_HEADER_LINE + 1];
    size_t n = s.len < sizeof(tmp) - 1 ? s.len : sizeof(tmp) - 1;

    if (s.ptr == NULL) {
        json_string(j, key, NULL);
        return;
    }
    memcpy(tmp, s.ptr, n);
    tmp[n] = '\0';
    json_string(j, key, tmp);
}

static void json_params(json_t *j, const ef_sip_params_t *ps)
{
    size_t i;

    json_begin_object(j, "params");
    for (i = 0; i < ps->n; i++) {
        char key[256];
        size_t n = ps->p[i].name.len < sizeof(key) - 1 ? ps->p[i].name.len : sizeof(key) - 1;
        memcpy(key, ps->p[i].name.ptr, n);
        key[n] = '\0';
        if (ps->p[i].value.ptr != NULL)
            json_str(j, key, ps->p[i].value);
        else
            json_bool(j, key, true);
    }
    json_end_object(j);
}

static void dump_addr(json_t *j, const ef_sip_addr_t *a)
{
    json_begin_object(j, NULL);
    json_str(j, "display", a->display);
    json_str(j, "uri", a->uri);
    json_params(j, &a->params);
    json_end_object(j);
}

static void dump_via(json_t *j, const ef_sip_via_t *v)
{
    json_begin_object(j, NULL);
    json_str(j, "protocol", v->protocol);
    json_str(j, "transport", v->transport);
    json_str(j, "host", v->host);
    if (v->port >= 0)
        json_uint(j, "port", (unsigned long)v->port);
    json_params(j, &v->params);
    json_end_object(j);
}

/* The typed value of one header as a "parsed" member; a parse error as "error". */
static void dump_typed(json_t *j, const ef_sip_header_t *h)
{
    union {
        ef_sip_via_t via[16];
        ef_sip_addr_t addr[16];
        ef_sip_cseq_t cseq;
        ef_str_t tokens[64];
        ef_sip_media_t media;
    } u;
    ef_perr_t e = {0, NULL};
    const char *p = h->value.ptr;
    size_t n = h->value.len;
    uint32_t num;
    bool star = false;
    int rc, i;

    switch (h->id) {
    case EF_HDR_VIA:
        if ((rc = ef_sip_parse_via(p, n, u.via, 16, &e)) >= 0) {
            json_begin_array(j, "parsed");
            for (i = 0; i < rc; i++)
                dump_via(j, &u.via[i]);
            json_end_array(j);
        }
        break;
    case EF_HDR_FROM:
    case EF_HDR_TO:
        if ((rc = ef_sip_parse_addr(p, n, u.addr, &e)) >= 0) {
            json_begin_array(j, "parsed");
            dump_addr(j, u.addr);
            json_end_array(j);
        }
        break;
    case EF_HDR_CONTACT:
    case EF_HDR_ROUTE:
    case EF_HDR_RECORD_ROUTE:
    case EF_HDR_P_ASSERTED_IDENTITY:
        if ((rc = ef_sip_parse_addr_list(p, n, u.addr, 16, &star, &e)) >= 0) {
            json_begin_array(j, "parsed");
            for (i = 0; i < rc; i++)
                dump_addr(j, &u.addr[i]);
            if (star)
                json_string(j, NULL, "*");
            json_end_array(j);
        }
        break;
    case EF_HDR_CSEQ:
        if ((rc = ef_sip_parse_cseq(p, n, &u.cseq, &e)) >= 0) {
            json_begin_object(j, "parsed");
            json_uint(j, "seq", u.cseq.seq);
            json_str(j, "method", u.cseq.method);
            json_end_object(j);
        }
        break;
    case EF_HDR_MAX_FORWARDS:
    case EF_HDR_EXPIRES:
    case EF_HDR_MIN_EXPIRES:
    case EF_HDR_CONTENT_LENGTH:
        if ((rc = ef_sip_parse_uint(p, n, h->id == EF_HDR_MAX_FORWARDS ? 255 : UINT32_MAX, &num,
                                    &e)) >= 0)
            json_uint(j, "parsed", num);
        break;
    case EF_HDR_CONTENT_TYPE:
        if ((rc = ef_sip_parse_media(p, n, &u.media, &e)) >= 0) {
            json_begin_object(j, "parsed");
            json_str(j, "type", u.media.type);
            json_str(j, "subtype", u.media.subtype);
            json_params(j, &u.media.params);
            json_end_object(j);
        }
        break;
    case EF_HDR_ALLOW:
    case EF_HDR_SUPPORTED:
    case EF_HDR_REQUIRE:
    case EF_HDR_PROXY_REQUIRE:
    case EF_HDR_UNSUPPORTED:
    case EF_HDR_ALLOW_EVENTS:
        if ((rc = ef_sip_parse_tokens(p, n, u.tokens, 64, &e)) >= 0) {
            json_begin_array(j, "parsed");
            for (i = 0; i < rc; i++)
                json_str(j, NULL, u.tokens[i]);
            json_end_array(j);
        }
        break;
    default:
        return;
    }
    if (rc < 0)
        json_string(j, "error", e.reason ? e.reason : ef_strerror(rc));
}

static void dump_start(json_t *j, const ef_sip_msg_t *m)
{
    json_begin_object(j, "start");
    if (m->is_request) {
        json_string(j, "type", "request");
        json_str(j, "method", m->method);
        json_str(j, "uri", m->uri);
    } else {
        json_string(j, "type", "response");
        json_uint(j, "status", (unsigned long)m->status);
        json_str(j, "reason", m->reason);
    }
    json_str(j, "version", m->version);
    json_end_object(j);
}

static int cmd_dump(int argc, char **argv)
{
    struct parsed *p;
    json_t j;
    size_t i;

    if (argc != 2 || strcmp(argv[0], "--json") != 0) {
        fputs("sipmsg: usage: sipmsg dump --json FILE\n", stderr);
        return EXIT_USAGE;
    }
    p = malloc(sizeof(*p));
    if (p == NULL || load(argv[1], p) < 0) {
        free(p);
        return EXIT_INVALID;
    }
    json_init(&j, stdout);
    json_begin_object(&j, NULL);
    json_string(&j, "file", argv[1]);
    json_bool(&j, "parsed", p->rc >= 0);
    if (p->rc < 0) {
        json_string(&j, "error", p->err.reason);
        json_uint(&j, "offset", p->err.offset);
    } else {
        dump_start(&j, &p->msg);
        json_begin_array(&j, "headers");
        for (i = 0; i < p->msg.n_headers; i++) {
            const ef_sip_header_t *h = &p->msg.headers[i];
            json_begin_object(&j, NULL);
            json_str(&j, "name", h->name);
            json_string(&j, "id", ef_sip_hdr_name(h->id));
            json_str(&j, "value", h->value);
            dump_typed(&j, h);
            json_end_object(&j);
        }
        json_end_array(&j);
        json_uint(&j, "body_length", p->msg.body.len);
    }
    json_end_object(&j);
    i = p->rc >= 0 ? EXIT_OK : EXIT_INVALID;
    free(p);
    return (int)i;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return EXIT_OK;
    }
    if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        printf("sipmsg %s\n", EF_VERSION);
        return EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "check") == 0)
        return cmd_check(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "dump") == 0)
        return cmd_dump(argc - 2, argv + 2);
    usage(stderr);
    return EXIT_USAGE;
}
