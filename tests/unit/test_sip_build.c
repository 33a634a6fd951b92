/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_sip_build.c -- responses built from requests (RFC 3261 §8.2.6.2) and
 * proxy edits (RFC 3261 §16.6) written over the original bytes: the result is
 * parsed again and compared header by header.
 */
#include <stdlib.h>

#include "enumfed/sip_build.h"
#include "tap.h"

#define MAX_HDRS 64

static const char req[] = "MESSAGE sip:bob@example.org SIP/2.0\r\n"
                          "v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n"
                          "Via: SIP/2.0/TCP b.example.com;branch=z9hG4bK2,\r\n"
                          " SIP/2.0/TCP c.example.com;branch=z9hG4bK3\r\n"
                          "Max-Forwards: 5\r\n"
                          "From: \"Alice\" <sip:alice@example.com>;tag=49583\r\n"
                          "To: <sip:bob@example.org>\r\n"
                          "Call-ID: asd88asd77a@1.2.3.4\r\n"
                          "CSeq: 1 MESSAGE\r\n"
                          "X-Odd:   spacing kept  \r\n"
                          "Content-Length: 5\r\n"
                          "\r\n"
                          "hello";

static int parse(const char *s, size_t n, ef_sip_msg_t *m, ef_sip_header_t *h)
{
    return ef_sip_parse(s, n, EF_SIP_DATAGRAM, m, h, MAX_HDRS, NULL, NULL);
}

static void test_response(void)
{
    ef_sip_header_t h[MAX_HDRS], rh[MAX_HDRS];
    ef_sip_msg_t m, r;
    ef_buf_t out;

    CHECK_INT(parse(req, sizeof(req) - 1, &m, h), sizeof(req) - 1);
    ef_buf_init(&out, 65535);
    CHECK_INT(ef_sip_build_response(&m, 202, NULL, "xyz", "Expires: 10\r\n", &out), 0);
    CHECK_INT(parse(out.data, out.len, &r, rh), out.len);
    CHECK_INT(r.status, 202);
    CHECK_STRN(r.reason.ptr, r.reason.len, "Accepted");
    CHECK_INT(r.n_headers, 8); /* 2 Via fields, From, To, Call-ID, CSeq, Expires, C-L */
    CHECK_STRN(rh[1].raw.ptr, rh[1].raw.len,
               "Via: SIP/2.0/TCP b.example.com;branch=z9hG4bK2,\r\n"
               " SIP/2.0/TCP c.example.com;branch=z9hG4bK3\r\n");
    CHECK_STRN(rh[3].value.ptr, rh[3].value.len, "<sip:bob@example.org>;tag=xyz");
    CHECK_STRN(rh[2].raw.ptr, rh[2].raw.len,
               "From: \"Alice\" <sip:alice@example.com>;tag=49583\r\n");
    CHECK_INT(r.content_length, 0);
    ef_buf_close(&out);
    /* 100 Trying: no tag; a To that has one keeps it */
    ef_buf_init(&out, 65535);
    CHECK_INT(ef_sip_build_response(&m, 100, NULL, "xyz", NULL, &out), 0);
    CHECK(strstr(out.data, "tag=xyz") == NULL);
    ef_buf_close(&out);
    /* the buffer's limit makes the build fail once, cleanly */
    ef_buf_init(&out, 40);
    CHECK_INT(ef_sip_build_response(&m, 404, NULL, NULL, NULL, &out), EF_ENOMEM);
    CHECK(out.failed);
    ef_buf_close(&out);
    CHECK_STR(ef_sip_reason_phrase(483), "Too Many Hops");
}

static void test_proxy_edits(void)
{
    ef_sip_header_t h[MAX_HDRS], eh[MAX_HDRS];
    ef_sip_msg_t m, e;
    ef_sip_edits_t ed;
    ef_buf_t out;
    char mf[4];
    static const char via[] = "SIP/2.0/TLS edge.example.com:5061;branch=z9hG4bKedge";
    static const char rr[] = "<sip:edge.example.com;transport=tls;lr>";

    parse(req, sizeof(req) - 1, &m, h);
    memset(&ed, 0, sizeof(ed));
    ed.new_uri = (ef_str_t){"sip:bob@192.0.2.7:5060", 22};
    CHECK_INT(ef_sip_edit_proxy(&ed, &m, (ef_str_t){via, sizeof(via) - 1},
                                (ef_str_t){rr, sizeof(rr) - 1}, mf),
              0);
    ef_buf_init(&out, 65535);
    CHECK_INT(ef_sip_edit_write(&m, req, &ed, &out), 0);
    CHECK_INT(parse(out.data, out.len, &e, eh), out.len);
    CHECK_STRN(e.uri.ptr, e.uri.len, "sip:bob@192.0.2.7:5060");
    CHECK_INT(eh[0].id, EF_HDR_VIA);
    CHECK_STRN(eh[0].value.ptr, eh[0].value.len, via);
    CHECK_STRN(eh[1].raw.ptr, eh[1].raw.len, "v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n");
    CHECK_INT(eh[3].id, EF_HDR_RECORD_ROUTE); /* after the leading Vias */
    CHECK_STRN(eh[3].value.ptr, eh[3].value.len, rr);
    CHECK_STRN(ef_sip_msg_header(&e, EF_HDR_MAX_FORWARDS)->value.ptr, 1, "4");
    CHECK(strstr(out.data, "X-Odd:   spacing kept  \r\n") != NULL);
    CHECK_STRN(e.body.ptr, e.body.len, "hello");
    CHECK_INT(e.n_headers, m.n_headers + 2);
    ef_buf_close(&out);
}

static void test_max_forwards(void)
{
    static const char zero[] = "OPTIONS sip:a@b SIP/2.0\r\nMax-Forwards: 0\r\nl: 0\r\n\r\n";
    static const char none[] = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP x\r\nl: 0\r\n\r\n";
    ef_sip_header_t h[MAX_HDRS];
    ef_sip_msg_t m;
    ef_sip_edits_t ed;
    ef_buf_t out;
    char mf[4];

    parse(zero, sizeof(zero) - 1, &m, h);
    memset(&ed, 0, sizeof(ed));
    CHECK_INT(ef_sip_edit_proxy(&ed, &m, EF_STR_NULL, EF_STR_NULL, mf), EF_EINVAL);
    parse(none, sizeof(none) - 1, &m, h);
    memset(&ed, 0, sizeof(ed));
    CHECK_INT(ef_sip_edit_proxy(&ed, &m, EF_STR_NULL, EF_STR_NULL, mf), 0);
    ef_buf_init(&out, 4096);
    CHECK_INT(ef_sip_edit_write(&m, none, &ed, &out), 0);
    CHECK(strstr(out.data, "Max-Forwards: 70\r\nVia: SIP/2.0/UDP x\r\n") != NULL);
    ef_buf_close(&out);
    /* remove and replace by index; no edits writes the message back unchanged */
    memset(&ed, 0, sizeof(ed));
    CHECK_INT(ef_sip_edit_remove(&ed, 0), 0);
    ef_buf_init(&out, 4096);
    ef_sip_edit_write(&m, none, &ed, &out);
    CHECK_STR(out.data, "OPTIONS sip:a@b SIP/2.0\r\nl: 0\r\n\r\n");
    ef_buf_close(&out);
    memset(&ed, 0, sizeof(ed));
    ef_buf_init(&out, 4096);
    ef_sip_edit_write(&m, none, &ed, &out);
    CHECK_STR(out.data, none);
    ef_buf_close(&out);
    for (int i = 0; i < EF_SIP_EDITS_MAX; i++)
        ef_sip_edit_remove(&ed, 0);
    CHECK_INT(ef_sip_edit_remove(&ed, 0), EF_E2BIG);
}

static void test_pop_via(void)
{
    ef_sip_header_t h[MAX_HDRS], eh[MAX_HDRS];
    ef_sip_msg_t m, e;
    ef_sip_edits_t ed;
    ef_buf_t out;

    parse(req, sizeof(req) - 1, &m, h);
    memset(&ed, 0, sizeof(ed)); /* one value in the first field: the field goes */
    CHECK_INT(ef_sip_edit_pop_via(&ed, &m), 0);
    ef_buf_init(&out, 65535);
    ef_sip_edit_write(&m, req, &ed, &out);
    CHECK_INT(parse(out.data, out.len, &e, eh), out.len);
    CHECK_STRN(
        eh[0].value.ptr, eh[0].value.len,
        "SIP/2.0/TCP b.example.com;branch=z9hG4bK2,\r\n SIP/2.0/TCP c.example.com;branch=z9hG4bK3");
    /* two values in it: the first goes, the field stays */
    memset(&ed, 0, sizeof(ed));
    CHECK_INT(ef_sip_edit_pop_via(&ed, &e), 0);
    {
        ef_buf_t out2;
        ef_sip_msg_t f;
        ef_sip_header_t fh[MAX_HDRS];

        ef_buf_init(&out2, 65535);
        ef_sip_edit_write(&e, out.data, &ed, &out2);
        CHECK_INT(parse(out2.data, out2.len, &f, fh), out2.len);
        CHECK_STRN(fh[0].value.ptr, fh[0].value.len, "SIP/2.0/TCP c.example.com;branch=z9hG4bK3");
        CHECK_INT(f.n_headers, e.n_headers);
        ef_buf_close(&out2);
    }
    ef_buf_close(&out);
}

int main(void)
{
    test_response();
    test_proxy_edits();
    test_max_forwards();
    test_pop_via();
    TAP_DONE();
}
