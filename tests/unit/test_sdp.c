/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_sdp.c -- the SDP reader and writers (lib/sip/sdp.c): the examples of
 * RFC 8866 §5 and RFC 3264 §9, the session-mode IM offer of
 * draft-levin-simple-interdomain §6.3.2 ("m=message 5060 sip sip:..."), every
 * refusal with its reason, the limits, and the writers. Inputs sit right
 * before an unreadable page (guard.h).
 */
#include <stdlib.h>

#include "enumfed/sdp.h"
#include "guard.h"
#include "tap.h"

#define MAX_LINES 64

static ef_sdp_line_t lines[MAX_LINES];

static int parse(const char *s, ef_sdp_t *sdp, ef_perr_t *e)
{
    size_t n = strlen(s);
    const char *in = n <= 4096 ? guarded(s, n) : s; /* the guard holds one page */
    return ef_sdp_parse(in, n, sdp, lines, MAX_LINES, e);
}

/* RFC 8866 §5 */
static const char rfc8866[] = "v=0\r\n"
                              "o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\n"
                              "s=Call to John Smith\r\n"
                              "i=SDP Offer #1\r\n"
                              "u=http://www.jdoe.example.com/home.html\r\n"
                              "e=Jane Doe <jane@jdoe.example.com>\r\n"
                              "p=+1 617 555-6011\r\n"
                              "c=IN IP4 198.51.100.1\r\n"
                              "t=0 0\r\n"
                              "m=audio 49170 RTP/AVP 0\r\n"
                              "m=audio 49180 RTP/AVP 0\r\n"
                              "m=video 51372 RTP/AVP 99\r\n"
                              "c=IN IP6 2001:db8::2\r\n"
                              "a=rtpmap:99 h263-1998/90000\r\n";

static void test_rfc8866_example(void)
{
    ef_sdp_t sdp;
    ef_perr_t e = {0};
    ef_str_t v;
    CHECK_INT(parse(rfc8866, &sdp, &e), 0);
    CHECK_INT(sdp.n_lines, 14);
    CHECK_STRN(sdp.o_user.ptr, sdp.o_user.len, "jdoe");
    CHECK_STRN(sdp.o_sess_id.ptr, sdp.o_sess_id.len, "3724394400");
    CHECK_STRN(sdp.o_sess_version.ptr, sdp.o_sess_version.len, "3724394405");
    CHECK_STRN(sdp.o_addrtype.ptr, sdp.o_addrtype.len, "IP4");
    CHECK_STRN(sdp.o_address.ptr, sdp.o_address.len, "198.51.100.1");
    CHECK_STRN(sdp.session_name.ptr, sdp.session_name.len, "Call to John Smith");
    CHECK_STRN(sdp.connection.ptr, sdp.connection.len, "IN IP4 198.51.100.1");
    CHECK_INT(sdp.session_end, 9);
    CHECK_INT(sdp.n_media, 3);
    CHECK_STRN(sdp.media[2].media.ptr, sdp.media[2].media.len, "video");
    CHECK_INT(sdp.media[2].port, 51372);
    CHECK_STRN(sdp.media[2].proto.ptr, sdp.media[2].proto.len, "RTP/AVP");
    CHECK_INT(sdp.media[2].n_fmts, 1);
    CHECK_STRN(sdp.media[2].fmts[0].ptr, sdp.media[2].fmts[0].len, "99");
    CHECK_INT(sdp.media[2].line, 11);
    CHECK_INT(sdp.media[2].end, 14);
    CHECK(ef_sdp_attr(&sdp, 2, "rtpmap", &v));
    CHECK_STRN(v.ptr, v.len, "99 h263-1998/90000");
    CHECK(!ef_sdp_attr(&sdp, 0, "rtpmap", NULL));
    CHECK(!ef_sdp_attr(&sdp, (size_t)-1, "rtpmap", NULL));
    /* kept lines of types it does not interpret */
    CHECK_INT(sdp.lines[4].type, 'u');
    CHECK_STRN(sdp.lines[6].value.ptr, sdp.lines[6].value.len, "+1 617 555-6011");
    CHECK_INT(ef_sdp_find_media(&sdp, "video", NULL), 2);
    CHECK_INT(ef_sdp_find_media(&sdp, "message", "sip"), -1);
}

/* RFC 3264 §9: a capability description, LF line ends (RFC 8866 §5 SHOULD accept) */
static void test_rfc3264_capability(void)
{
    ef_sdp_t sdp;
    const char *s = "v=0\no=carol 28908764872 28908764872 IN IP4 100.3.6.6\ns=-\nt=0 0\n"
                    "c=IN IP4 192.0.2.4\nm=audio 0 RTP/AVP 0 1 3\na=rtpmap:0 PCMU/8000\n"
                    "a=rtpmap:1 1016/8000\na=rtpmap:3 GSM/8000\nm=video 0 RTP/AVP 31 34\n"
                    "a=rtpmap:31 H261/90000\na=rtpmap:34 H263/90000\n";
    CHECK_INT(parse(s, &sdp, NULL), 0);
    CHECK_INT(sdp.n_media, 2);
    CHECK_INT(sdp.media[0].port, 0);
    CHECK_INT(sdp.media[0].n_fmts, 3);
    CHECK_STRN(sdp.media[0].fmts[2].ptr, sdp.media[0].fmts[2].len, "3");
    CHECK_INT(sdp.media[1].end, 12);
}

/* the seed's session-mode IM offer, with and without the URI; unknown attributes kept */
static void test_message_session(void)
{
    ef_sdp_t sdp;
    ef_str_t v;
    const char *s = "v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
                    "t=0 0\r\nm=message 5060 sip sip:alice@a.example\r\na=x-unknown:42\r\n"
                    "a=sendrecv\r\n";
    CHECK_INT(parse(s, &sdp, NULL), 0);
    long m = ef_sdp_find_media(&sdp, "message", "sip");
    CHECK_INT(m, 0);
    CHECK_INT(sdp.media[0].port, 5060);
    CHECK_INT(sdp.media[0].n_fmts, 1);
    CHECK_STRN(sdp.media[0].fmts[0].ptr, sdp.media[0].fmts[0].len, "sip:alice@a.example");
    CHECK(ef_sdp_attr(&sdp, 0, "x-unknown", &v));
    CHECK_STRN(v.ptr, v.len, "42");
    CHECK(ef_sdp_attr(&sdp, 0, "sendrecv", &v));
    CHECK_INT(v.len, 0);
    CHECK(!ef_sdp_attr(&sdp, 0, "send", NULL)); /* a prefix is not a name */
    const char *bare = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns= \r\nt=0 0\r\nm=message 5060 sip";
    CHECK_INT(parse(bare, &sdp, NULL), 0); /* no URI (§6.3.2 MAY), no final line end */
    CHECK_INT(sdp.media[0].n_fmts, 0);
    CHECK_STRN(sdp.session_name.ptr, sdp.session_name.len, " ");
}

struct bad {
    const char *sdp;
    int rc;
    const char *reason;
    size_t offset;
};

#define HEAD "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n" /* 36 bytes */

static const struct bad bads[] = {
    {"", EF_ESYNTAX, "empty description", 0},
    {"o=- 1 1 IN IP4 h\r\n", EF_ESYNTAX, "a description starts with v=", 0},
    {"v=1\r\n", EF_ESYNTAX, "v= must be 0", 2},
    {"v=0\r\ns=x\r\n", EF_ESYNTAX, "o= must follow v=", 5},
    {"v=0\r\no=- 1 1 IN IP4 h\r\nt=0 0\r\n", EF_ESYNTAX, "s= must follow o=", 23},
    {"v=0\r\no=- x 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n", EF_ESYNTAX,
     "o= sess-id and sess-version must be digits", 9},
    {"v=0\r\no=- 1 1 IN IP4\r\ns=-\r\nt=0 0\r\n", EF_ESYNTAX,
     "o= needs 6 fields: username sess-id sess-version nettype addrtype address", 7},
    {"v=0\r\no=- 1 1 IN IP4 h\r\ns=\r\nt=0 0\r\n", EF_ESYNTAX,
     "s= is empty (RFC 8866 5.3: use \"s= \" or \"s=-\")", 25},
    {HEAD "t=0 0\r\nx=1\r\n", EF_ESYNTAX,
     "unknown type letter (RFC 8866 5: the description is ignored)", 43},
    {HEAD "t=0 0\r\nm=message 5060 sip x\r\nt=0 0\r\n", EF_ESYNTAX,
     "u=, e=, p=, t=, r= and z= belong to the session level", 65},
    {HEAD "m=message 5060 sip x\r\n", EF_ESYNTAX, "no t= line before the first m= line", 38},
    {HEAD, EF_ESYNTAX, "no t= line", 36},
    {HEAD "t=0\r\n", EF_ESYNTAX, "t= needs a start and a stop time, both decimal", 38},
    {HEAD "t=0 0\r\nm=audio 70000 RTP/AVP 0\r\n", EF_ESYNTAX,
     "m= port or number of ports out of range", 51},
    {HEAD "t=0 0\r\nm=audio 5x RTP/AVP 0\r\n", EF_ESYNTAX,
     "m= port is not <port>[/<number of ports>] in decimal", 51},
    {HEAD "t=0 0\r\nm=audio 5004 RTP/AVP\r\n", EF_ESYNTAX, "m= line without a format", 63},
    {HEAD "t=0 0\r\nm=audio 5004\r\n", EF_ESYNTAX, "m= needs media, port and proto", 45},
    {HEAD "t=0 0\r\nm=audio  5004 RTP/AVP 0\r\n", EF_ESYNTAX,
     "m= has an empty field (two spaces or a trailing space)", 51},
    {HEAD "t=0 0\r\nm=audio 5004 RTP//AVP 0\r\n", EF_ESYNTAX,
     "m= proto is not token *(\"/\" token)", 56},
    {HEAD "t=0 0\r\nc=IN IP4\r\n", EF_ESYNTAX,
     "c= needs 3 fields: nettype addrtype connection-address", 45},
    {HEAD "t=0 0\r\na=:x\r\n", EF_ESYNTAX, "a= attribute name is not a token", 45},
    {HEAD "t=0 0\r\nnot a line\r\n", EF_ESYNTAX, "a line is not <type>=<value>", 43},
    {HEAD "t=0 0\r\na=x\ry\r\n", EF_ESYNTAX, "CR without LF in a line", 46},
    {HEAD "r=7d 1h 0 25h\r\nt=0 0\r\n", EF_ESYNTAX, "r= or z= outside a time description", 36},
    {HEAD "t=0 0\r\nv=0\r\n", EF_ESYNTAX, "v=, o= or s= repeated", 43},
};

static void test_refusals(void)
{
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        ef_sdp_t sdp;
        ef_perr_t e = {0};
        int rc = parse(bads[i].sdp, &sdp, &e);
        CHECK_INT(rc, bads[i].rc);
        CHECK_STR(e.reason, bads[i].reason);
        CHECK_INT(e.offset, bads[i].offset);
    }
    /* a NUL inside a line (strlen cannot carry it) */
    static const char nul[] = HEAD "t=0 0\r\na=x\0y\r\n";
    ef_sdp_t sdp;
    ef_perr_t e = {0};
    CHECK_INT(
        ef_sdp_parse(guarded(nul, sizeof nul - 1), sizeof nul - 1, &sdp, lines, MAX_LINES, &e),
        EF_ESYNTAX);
    CHECK_STR(e.reason, "NUL byte in a line");
}

static void test_limits(void)
{
    ef_sdp_t sdp;
    ef_perr_t e = {0};
    char *big = malloc(EF_SDP_MAX_LINE + 200);
    ef_buf_t b;

    /* a line of 4097 bytes */
    snprintf(big, 64, HEAD "t=0 0\r\na=");
    size_t n = strlen(big);
    memset(big + n, 'x', EF_SDP_MAX_LINE - 1);
    strcpy(big + n + EF_SDP_MAX_LINE - 1, "\r\n");
    CHECK_INT(parse(big, &sdp, &e), EF_E2BIG);
    CHECK_STR(e.reason, "a line is longer than 4096 bytes");
    big[n + EF_SDP_MAX_LINE - 2] = '\r'; /* 4096 bytes: accepted */
    big[n + EF_SDP_MAX_LINE - 1] = '\n';
    big[n + EF_SDP_MAX_LINE] = '\0';
    CHECK_INT(parse(big, &sdp, &e), 0);
    free(big);

    /* more lines than the caller's array */
    ef_buf_init(&b, 65536);
    ef_buf_cstr(&b, HEAD "t=0 0\r\n");
    for (int i = 0; i < MAX_LINES; i++)
        ef_buf_cstr(&b, "a=x\r\n");
    ef_buf_append(&b, "", 1);
    CHECK_INT(parse(b.data, &sdp, &e), EF_E2BIG);
    CHECK_STR(e.reason, "more lines than the caller's limit");
    ef_buf_close(&b);

    /* 33 m= lines */
    static ef_sdp_line_t many[128];
    ef_buf_init(&b, 65536);
    ef_buf_cstr(&b, HEAD "t=0 0\r\n");
    for (int i = 0; i <= EF_SDP_MAX_MEDIA; i++)
        ef_buf_cstr(&b, "m=audio 0 RTP/AVP 0\r\n");
    CHECK_INT(ef_sdp_parse(b.data, b.len, &sdp, many, 128, &e), EF_E2BIG);
    CHECK_STR(e.reason, "more than 32 m= lines");
    ef_buf_close(&b);

    /* 65 formats */
    ef_buf_init(&b, 65536);
    ef_buf_cstr(&b, HEAD "t=0 0\r\nm=audio 0 RTP/AVP");
    for (int i = 0; i <= EF_SDP_MAX_FMTS; i++)
        ef_buf_printf(&b, " %d", i);
    ef_buf_cstr(&b, "\r\n");
    CHECK_INT(ef_sdp_parse(b.data, b.len, &sdp, many, 128, &e), EF_E2BIG);
    CHECK_STR(e.reason, "more than 64 formats on one m= line");
    ef_buf_close(&b);

    /* the whole description */
    CHECK_INT(ef_sdp_parse(rfc8866, EF_SDP_MAX_SIZE + 1, &sdp, many, 128, &e), EF_E2BIG);
    CHECK_STR(e.reason, "the description is longer than 65535 bytes");
}

static void test_writers(void)
{
    ef_buf_t b;
    ef_sdp_t sdp, again;
    static ef_sdp_line_t l2[MAX_LINES];

    ef_buf_init(&b, 4096);
    ef_sdp_write_capability(&b, "bob", 7, "192.0.2.9", "sip:bob@b.example");
    ef_buf_append(&b, "", 1);
    CHECK_STR(b.data, "v=0\r\no=bob 7 7 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\n"
                      "t=0 0\r\nm=message 0 sip sip:bob@b.example\r\n");
    CHECK_INT(ef_sdp_parse(b.data, b.len - 1, &sdp, lines, MAX_LINES, NULL), 0);
    ef_buf_close(&b);
    ef_buf_init(&b, 4096);
    ef_sdp_write_capability(&b, "-", 1, "2001:db8::1", NULL);
    ef_buf_append(&b, "", 1);
    CHECK_STR(b.data, "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::1\r\n"
                      "t=0 0\r\nm=message 0 sip\r\n");
    ef_buf_close(&b);

    /* a=record:on (RFC 7866 6.1) added to the message section only, once */
    const char *s = "v=0\no=a 1 1 IN IP4 h\ns=-\nt=0 0\nm=audio 5004 RTP/AVP 0\n"
                    "m=message 5060 sip sip:a@h\na=x\n";
    CHECK_INT(parse(s, &sdp, NULL), 0);
    ef_buf_init(&b, 4096);
    CHECK_INT(ef_sdp_write_with_attr(&b, &sdp, "message", "record:on"), 1);
    ef_buf_append(&b, "", 1);
    CHECK_STR(b.data, "v=0\r\no=a 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\n"
                      "m=message 5060 sip sip:a@h\r\na=x\r\na=record:on\r\n");
    CHECK_INT(ef_sdp_parse(b.data, b.len - 1, &again, l2, MAX_LINES, NULL), 0);
    ef_str_t v;
    CHECK(ef_sdp_attr(&again, 1, "record", &v));
    CHECK_STRN(v.ptr, v.len, "on");
    ef_buf_t b2;
    ef_buf_init(&b2, 4096);
    CHECK_INT(ef_sdp_write_with_attr(&b2, &again, "message", "record:on"), 0); /* already there */
    CHECK_INT(b2.len, b.len - 1);
    ef_buf_close(&b2);
    ef_buf_close(&b);
    ef_buf_init(&b, 4096);
    CHECK_INT(ef_sdp_write_with_attr(&b, &sdp, NULL, "record:on"), 2); /* every section */
    ef_buf_close(&b);
}

int main(void)
{
    test_rfc8866_example();
    test_rfc3264_capability();
    test_message_session();
    test_refusals();
    test_limits();
    test_writers();
    TAP_DONE();
}
