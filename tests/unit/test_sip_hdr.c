/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_sip_hdr.c -- the typed SIP header parsers: the RFC 3261 §20 examples of
 * each header (and RFC 6665, RFC 3325, RFC 3581 ones), every error reason with
 * its offset, the limits (parameters, caller capacities), long inputs that
 * must finish in linear time, and every header with an id of the RFC 4475
 * torture messages and of the traffic corpus, split by ef_sip_parse. Every
 * input sits flush against a PROT_NONE page (guard.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <dirent.h>

#include "enumfed/sip.h"
#include "enumfed/sip_hdr.h"
#include "guard.h"
#include "rfc4475.h"
#include "tap.h"

#define CAP 64

/* Every output of one typed parse, whatever the header. */
typedef struct {
    ef_sip_via_t via[CAP];
    ef_sip_addr_t addr[CAP];
    ef_sip_cseq_t cseq;
    uint32_t num;
    ef_str_t str[CAP];
    ef_sip_media_t media[CAP];
    ef_sip_event_t event;
    ef_sip_substate_t sub;
    ef_sip_warning_t warn[CAP];
    ef_sip_auth_t auth;
    bool star;
} out_t;

static out_t o; /* large: kept out of the stack */

/* Runs the typed parser of header id on s (copied flush before a guard page when it fits). */
static int typed(ef_sip_hdr_t id, const char *s, size_t n, ef_perr_t *e)
{
    const char *b = n <= 4096 ? guarded(s, n) : s;

    memset(e, 0, sizeof(*e));
    switch (id) {
    case EF_HDR_VIA:
        return ef_sip_parse_via(b, n, o.via, CAP, e);
    case EF_HDR_FROM:
    case EF_HDR_TO:
        return ef_sip_parse_addr(b, n, o.addr, e);
    case EF_HDR_CONTACT:
    case EF_HDR_ROUTE:
    case EF_HDR_RECORD_ROUTE:
    case EF_HDR_P_ASSERTED_IDENTITY:
        return ef_sip_parse_addr_list(b, n, o.addr, CAP, &o.star, e);
    case EF_HDR_CSEQ:
        return ef_sip_parse_cseq(b, n, &o.cseq, e);
    case EF_HDR_MAX_FORWARDS:
        return ef_sip_parse_uint(b, n, 255, &o.num, e);
    case EF_HDR_EXPIRES:
    case EF_HDR_MIN_EXPIRES:
    case EF_HDR_CONTENT_LENGTH:
        return ef_sip_parse_uint(b, n, UINT32_MAX, &o.num, e);
    case EF_HDR_CALL_ID:
        return ef_sip_parse_callid(b, n, o.str, e);
    case EF_HDR_CONTENT_TYPE:
        return ef_sip_parse_media(b, n, o.media, e);
    case EF_HDR_ACCEPT:
        return ef_sip_parse_accept(b, n, o.media, CAP, e);
    case EF_HDR_ALLOW:
    case EF_HDR_SUPPORTED:
    case EF_HDR_REQUIRE:
    case EF_HDR_PROXY_REQUIRE:
    case EF_HDR_UNSUPPORTED:
    case EF_HDR_ALLOW_EVENTS:
        return ef_sip_parse_tokens(b, n, o.str, CAP, e);
    case EF_HDR_EVENT:
        return ef_sip_parse_event(b, n, &o.event, e);
    case EF_HDR_SUBSCRIPTION_STATE:
        return ef_sip_parse_substate(b, n, &o.sub, e);
    case EF_HDR_WARNING:
        return ef_sip_parse_warning(b, n, o.warn, CAP, e);
    case EF_HDR_AUTHORIZATION:
    case EF_HDR_PROXY_AUTHORIZATION:
    case EF_HDR_WWW_AUTHENTICATE:
    case EF_HDR_PROXY_AUTHENTICATE:
        return ef_sip_parse_auth(b, n, &o.auth, e);
    default:
        return -1;
    }
}

static int T(ef_sip_hdr_t id, const char *s)
{
    ef_perr_t e;
    int rc = typed(id, s, strlen(s), &e);

    if (rc < 0)
        printf("#   %s: \"%s\": %s at %zu\n", ef_err_name(rc), s, e.reason ? e.reason : "-",
               e.offset);
    return rc;
}

#define CHECK_S(slice, lit) CHECK_STRN((slice).ptr, (slice).len, lit)
#define PARAM(ps, name) ef_sip_param_get(&(ps), name)

static void test_via(void)
{
    CHECK_INT(T(EF_HDR_VIA, "SIP/2.0/UDP erlang.bell-telephone.com:5060;branch=z9hG4bK87asdks7"),
              1);
    CHECK_S(o.via[0].protocol, "SIP/2.0");
    CHECK_S(o.via[0].transport, "UDP");
    CHECK_S(o.via[0].host, "erlang.bell-telephone.com");
    CHECK_INT(o.via[0].port, 5060);
    CHECK_S(o.via[0].branch, "z9hG4bK87asdks7");
    CHECK(o.via[0].received.ptr == NULL);
    CHECK_INT(o.via[0].rport, -1);
    CHECK_INT(T(EF_HDR_VIA, "SIP/2.0/UDP 192.0.2.1:5060 ;received=192.0.2.207\r\n"
                            " ;branch=z9hG4bK77asjd"),
              1);
    CHECK_S(o.via[0].received, "192.0.2.207");
    CHECK_S(o.via[0].branch, "z9hG4bK77asjd");
    CHECK_INT(o.via[0].params.n, 2);
    /* RFC 3261 §20.42: LWS around the slashes and the colon */
    CHECK_INT(T(EF_HDR_VIA, "SIP / 2.0 / UDP first.example.com: 4000;ttl=16\r\n"
                            " ;maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1"),
              1);
    CHECK_S(o.via[0].protocol, "SIP / 2.0");
    CHECK_S(o.via[0].host, "first.example.com");
    CHECK_INT(o.via[0].port, 4000);
    CHECK_S(PARAM(o.via[0].params, "MADDR")->value, "224.2.0.1");
    CHECK_INT(T(EF_HDR_VIA, "SIP/2.0/UDP host.a;branch=z9hG4bK1, SIP/2.0/TCP host.b:5061"), 2);
    CHECK_S(o.via[1].transport, "TCP");
    CHECK_INT(o.via[1].port, 5061);
    CHECK(o.via[1].branch.ptr == NULL);
    /* IPv6 sent-by and received with and without brackets; RFC 3581 rport */
    CHECK_INT(T(EF_HDR_VIA, "SIP/2.0/UDP [2001:db8::10]:5062;received=[2001:db8::9];rport="
                            "50612;branch=z9hG4bKv6"),
              1);
    CHECK_S(o.via[0].host, "[2001:db8::10]");
    CHECK_INT(o.via[0].port, 5062);
    CHECK_S(o.via[0].received, "[2001:db8::9]");
    CHECK_INT(o.via[0].rport, 50612);
    CHECK_INT(T(EF_HDR_VIA, "SIP/2.0/UDP [2001:db8::1];received=2001:db8::9;rport"), 1);
    CHECK_S(o.via[0].received, "2001:db8::9");
    CHECK_INT(o.via[0].rport, 0);
    CHECK_INT(o.via[0].port, -1);
    CHECK_INT(T(EF_HDR_VIA, "SIP/2.0/UDP h;rport=5060;received=192.0.2.1"), 1);
    CHECK_INT(o.via[0].rport, 5060);
    /* wsinv.dat: folds everywhere */
    CHECK_INT(T(EF_HDR_VIA, "SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw"), 1);
    CHECK_S(o.via[0].transport, "UDP");
    CHECK_S(o.via[0].host, "192.0.2.2");
    CHECK_INT(T(EF_HDR_VIA, "SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   "
                            "z9hG4bK9ikj8  ,\r\n SIP  /    2.0   / UDP  192.168.255.111   ; "
                            "branch=\r\n z9hG4bK30239"),
              2);
    CHECK_S(o.via[0].branch, "z9hG4bK9ikj8");
    CHECK_S(o.via[1].branch, "z9hG4bK30239");
    CHECK_S(o.via[1].host, "192.168.255.111");
    CHECK_INT(T(EF_HDR_VIA, "SIP/2.0/UDP h;x=\"quoted, with comma\";branch=z9hG4bK-.!%66*_+`'~"),
              1);
    CHECK_S(o.via[0].branch, "z9hG4bK-.!%66*_+`'~");
    CHECK_S(o.via[0].params.p[0].value, "\"quoted, with comma\"");
}

static void test_addr(void)
{
    /* intmeth.dat: quoted-pairs of BEL, NUL and DEL */
    static const char nul_name[] = "\"BEL:\\\x07 NUL:\\\0 DEL:\\\x7f\" <sip:u@example.com>";
    char text[64];
    ef_perr_t e;

    CHECK_INT(T(EF_HDR_FROM, "\"A. G. Bell\" <sip:agb@bell-telephone.com> ;tag=a48s"), 0);
    CHECK_S(o.addr[0].display, "\"A. G. Bell\"");
    CHECK_S(o.addr[0].uri, "sip:agb@bell-telephone.com");
    CHECK(o.addr[0].angle);
    CHECK_S(PARAM(o.addr[0].params, "tag")->value, "a48s");
    CHECK_INT(T(EF_HDR_FROM, "sip:+12125551212@server.phone2net.com;tag=887s"), 0);
    CHECK(!o.addr[0].angle);
    CHECK_INT(o.addr[0].display.len, 0);
    CHECK_S(o.addr[0].uri, "sip:+12125551212@server.phone2net.com");
    CHECK_S(PARAM(o.addr[0].params, "TAG")->value, "887s");
    CHECK_INT(T(EF_HDR_FROM, "Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8"), 0);
    CHECK_S(o.addr[0].display, "Anonymous");
    CHECK_INT(T(EF_HDR_TO, "The Operator <sip:operator@cs.columbia.edu>;tag=287447"), 0);
    CHECK_S(o.addr[0].display, "The Operator");
    CHECK_INT(T(EF_HDR_TO, "sip:+12125551212@server.phone2net.com"), 0);
    CHECK(o.addr[0].params.n == 0);
    /* RFC 4475 §3.1.1.6: no LWS before '<' */
    CHECK_INT(T(EF_HDR_FROM, "caller<sip:caller@example.com>;tag=323"), 0);
    CHECK_S(o.addr[0].display, "caller");
    /* wsinv.dat: folds, blanks around '=' and a quoted-pair */
    CHECK_INT(T(EF_HDR_FROM, "\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n "
                             " tag = 98asjd8"),
              0);
    CHECK_S(o.addr[0].display, "\"J Rosenberg \\\\\\\"\"");
    CHECK_S(PARAM(o.addr[0].params, "tag")->value, "98asjd8");
    CHECK_INT(ef_sip_display_text(o.addr[0].display, text, sizeof(text)), 14);
    CHECK_STR(text, "J Rosenberg \\\"");
    CHECK_INT(ef_sip_display_text(o.addr[0].display, text, 5), EF_E2BIG);
    CHECK_INT(T(EF_HDR_TO, "\r\n sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n"), 0);
    CHECK_S(o.addr[0].uri, "sip:vivekg@chair-dnrc.example.com");
    CHECK_S(PARAM(o.addr[0].params, "tag")->value, "1918181833n");
    CHECK_INT(typed(EF_HDR_TO, nul_name, sizeof(nul_name) - 1, &e), 0);
    CHECK_INT(ef_sip_display_text(o.addr[0].display, text, sizeof(text)), 17);
    CHECK(text[10] == '\0' && text[16] == 0x7f && text[17] == '\0');
    CHECK_INT(T(EF_HDR_TO, "The\r\n Operator <sip:op@example.com>"), 0);
    CHECK_INT(ef_sip_display_text(o.addr[0].display, text, sizeof(text)), 12);
    CHECK_STR(text, "The Operator");
    /* RFC 3261 §20.10: Contact */
    CHECK_INT(T(EF_HDR_CONTACT, "\"Mr. Watson\" <sip:watson@worcester.bell-telephone.com>\r\n"
                                "   ;q=0.7; expires=3600,\r\n   \"Mr. Watson\" "
                                "<mailto:watson@bell-telephone.com> ;q=0.1"),
              2);
    CHECK_S(PARAM(o.addr[0].params, "expires")->value, "3600");
    CHECK_S(o.addr[1].uri, "mailto:watson@bell-telephone.com");
    CHECK_S(PARAM(o.addr[1].params, "q")->value, "0.1");
    CHECK(!o.star);
    CHECK_INT(T(EF_HDR_CONTACT, "<sips:bob@192.0.2.4>;expires=60"), 1);
    CHECK_INT(T(EF_HDR_CONTACT, "*"), 0);
    CHECK(o.star);
    CHECK_INT(T(EF_HDR_CONTACT, " * "), 0);
    CHECK(o.star);
    /* addr-spec form: ';' starts header parameters, ',' the next address */
    CHECK_INT(T(EF_HDR_CONTACT, "sip:a@example.com;expires=5, sip:b@example.com"), 2);
    CHECK_S(o.addr[0].uri, "sip:a@example.com");
    CHECK_S(o.addr[1].uri, "sip:b@example.com");
    CHECK_INT(T(EF_HDR_CONTACT, "<sip:user;par=u%40example.net@example.com;lr>;a, <tel:+1>"), 2);
    CHECK_S(o.addr[0].uri, "sip:user;par=u%40example.net@example.com;lr");
    CHECK_INT(
        T(EF_HDR_ROUTE, "<sip:bigbox3.site3.atlanta.com;lr>,\r\n <sip:server10.biloxi.com;lr>"), 2);
    CHECK_S(o.addr[1].uri, "sip:server10.biloxi.com;lr");
    CHECK_INT(T(EF_HDR_RECORD_ROUTE, "<sip:server10.biloxi.com;lr>,<sip:bigbox3.site3.atlanta."
                                     "com;lr>"),
              2);
    /* RFC 3325 §9.1 */
    CHECK_INT(T(EF_HDR_P_ASSERTED_IDENTITY, "\"Cullen Jennings\" <sip:fluffy@cisco.com>"), 1);
    CHECK_INT(T(EF_HDR_P_ASSERTED_IDENTITY, "tel:+14085264000"), 1);
    CHECK_S(o.addr[0].uri, "tel:+14085264000");
    CHECK_INT(T(EF_HDR_P_ASSERTED_IDENTITY, "<sip:a@example.com>, tel:+1"), 2);
    /* IPv6 in the URI and in a parameter */
    CHECK_INT(T(EF_HDR_TO, "<sip:bob@[2001:db8::20]:5060>;x=[2001:db8::1]"), 0);
    CHECK_S(o.addr[0].params.p[0].value, "[2001:db8::1]");
}

static void test_scalars(void)
{
    CHECK_INT(T(EF_HDR_CSEQ, "4711 INVITE"), 0);
    CHECK_INT(o.cseq.seq, 4711);
    CHECK_S(o.cseq.method, "INVITE");
    CHECK_INT(T(EF_HDR_CSEQ, "0009\r\n  INVITE"), 0);
    CHECK_INT(o.cseq.seq, 9);
    CHECK_INT(T(EF_HDR_CSEQ, "4294967295 ACK"), 0);
    CHECK_INT(o.cseq.seq, 4294967295u);
    CHECK_INT(T(EF_HDR_MAX_FORWARDS, "6"), 0);
    CHECK_INT(o.num, 6);
    CHECK_INT(T(EF_HDR_MAX_FORWARDS, "0068"), 0);
    CHECK_INT(o.num, 68);
    CHECK_INT(T(EF_HDR_MAX_FORWARDS, "255"), 0);
    CHECK_INT(T(EF_HDR_EXPIRES, "5"), 0);
    CHECK_INT(T(EF_HDR_EXPIRES, "4294967295"), 0);
    CHECK_INT(o.num, 4294967295u);
    CHECK_INT(T(EF_HDR_CONTENT_LENGTH, "349"), 0);
    CHECK_INT(T(EF_HDR_CALL_ID, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@biloxi.com"), 0);
    CHECK_S(o.str[0], "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@biloxi.com");
    CHECK_INT(T(EF_HDR_CALL_ID, "9dbf03c7b41e@2001:db8::10"), 0);
    CHECK_INT(T(EF_HDR_CALL_ID, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"), 0);
    CHECK_INT(T(EF_HDR_CALL_ID, " a84b4c76e66710 "), 0);
    CHECK_S(o.str[0], "a84b4c76e66710");
}

static void test_lists(void)
{
    CHECK_INT(T(EF_HDR_ALLOW, "INVITE, ACK, OPTIONS, CANCEL, BYE"), 5);
    CHECK_S(o.str[4], "BYE");
    CHECK_INT(T(EF_HDR_ALLOW, ""), 0);
    CHECK_INT(T(EF_HDR_SUPPORTED, "100rel"), 1);
    CHECK_INT(T(EF_HDR_REQUIRE, "100rel,\r\n timer"), 2);
    CHECK_INT(T(EF_HDR_PROXY_REQUIRE, "foo"), 1);
    CHECK_INT(T(EF_HDR_ALLOW_EVENTS, "presence, presence.winfo"), 2);
    CHECK_S(o.str[1], "presence.winfo");
    CHECK_INT(T(EF_HDR_CONTENT_TYPE, "application/sdp"), 0);
    CHECK_S(o.media[0].type, "application");
    CHECK_S(o.media[0].subtype, "sdp");
    CHECK_INT(T(EF_HDR_CONTENT_TYPE, "text/html; charset=ISO-8859-4"), 0);
    CHECK_S(PARAM(o.media[0].params, "Charset")->value, "ISO-8859-4");
    CHECK_INT(T(EF_HDR_CONTENT_TYPE, "multipart/mixed;boundary=\"7a9c bec\""), 0);
    CHECK_S(o.media[0].params.p[0].value, "\"7a9c bec\"");
    CHECK_INT(T(EF_HDR_ACCEPT, "application/sdp;level=1, application/x-private, text/html"), 3);
    CHECK_S(PARAM(o.media[0].params, "level")->value, "1");
    CHECK_S(o.media[2].subtype, "html");
    CHECK_INT(T(EF_HDR_ACCEPT, "*/*;q=0.5, application/*"), 2);
    CHECK_S(o.media[0].type, "*");
    CHECK_S(o.media[1].subtype, "*");
    CHECK_INT(T(EF_HDR_ACCEPT, ""), 0);
    CHECK_INT(T(EF_HDR_WARNING, "307 isi.edu \"Session parameter 'foo' not understood\""), 1);
    CHECK_INT(o.warn[0].code, 307);
    CHECK_S(o.warn[0].agent, "isi.edu");
    CHECK_S(o.warn[0].text, "\"Session parameter 'foo' not understood\"");
    CHECK_INT(T(EF_HDR_WARNING, "301 isi.edu \"Incompatible network address type 'E.164'\", "
                                "370 [2001:db8::1]:5060 \"x\""),
              2);
    CHECK_S(o.warn[1].agent, "[2001:db8::1]:5060");
}

static void test_events(void)
{
    CHECK_INT(T(EF_HDR_EVENT, "presence"), 0);
    CHECK_S(o.event.package, "presence");
    CHECK(o.event.id.ptr == NULL);
    CHECK_INT(T(EF_HDR_EVENT, "presence.winfo;id=12ab;foo"), 0);
    CHECK_S(o.event.package, "presence.winfo");
    CHECK_S(o.event.id, "12ab");
    CHECK_INT(o.event.params.n, 2);
    CHECK_INT(T(EF_HDR_SUBSCRIPTION_STATE, "active;expires=60"), 0);
    CHECK_S(o.sub.state, "active");
    CHECK_INT(o.sub.expires, 60);
    CHECK_INT(o.sub.retry_after, -1);
    CHECK(o.sub.reason.ptr == NULL);
    CHECK_INT(T(EF_HDR_SUBSCRIPTION_STATE, "terminated;reason=timeout;retry-after=3600"), 0);
    CHECK_S(o.sub.reason, "timeout");
    CHECK_INT(o.sub.retry_after, 3600);
    CHECK_INT(o.sub.expires, -1);
    CHECK_INT(T(EF_HDR_SUBSCRIPTION_STATE, "pending"), 0);
}

static void test_auth(void)
{
    CHECK_INT(T(EF_HDR_AUTHORIZATION, "Digest username=\"Alice\", realm=\"atlanta.com\",\r\n "
                                      "nonce=\"84a4cc6f3082121f32b42a2187831a9e\",\r\n "
                                      "response=\"7587245234b3434cc3412213e5f113a5432\""),
              0);
    CHECK_S(o.auth.scheme, "Digest");
    CHECK_INT(o.auth.params.n, 4);
    CHECK_S(PARAM(o.auth.params, "realm")->value, "\"atlanta.com\"");
    CHECK_INT(T(EF_HDR_WWW_AUTHENTICATE, "Digest realm=\"atlanta.com\",\r\n "
                                         "domain=\"sip:boxesbybob.com\", qop=\"auth\",\r\n "
                                         "nonce=\"f84f1cec41e6cbe5aea9c8e88d359\",\r\n "
                                         "opaque=\"\", stale=FALSE, algorithm=MD5"),
              0);
    CHECK_S(PARAM(o.auth.params, "stale")->value, "FALSE");
    CHECK_S(PARAM(o.auth.params, "opaque")->value, "\"\"");
    CHECK_INT(T(EF_HDR_PROXY_AUTHORIZATION, "digest username=\"a\", nc=00000001, qop=auth, "
                                            "algorithm=SHA-256-sess, userhash=true"),
              0);
    CHECK_S(PARAM(o.auth.params, "nc")->value, "00000001");
    CHECK_INT(T(EF_HDR_AUTHORIZATION, "NoOneKnowsThisScheme opaque-data=here"), 0);
    CHECK_S(o.auth.scheme, "NoOneKnowsThisScheme");
    CHECK_INT(T(EF_HDR_PROXY_AUTHENTICATE, "Other token=\"a\\\"b\""), 0);
}

/* One bad value: the code, the offset and the reason. */
struct bad {
    ef_sip_hdr_t id;
    const char *in;
    int rc;
    size_t off;
    const char *reason;
};

static const struct bad bad[] = {
    {EF_HDR_VIA, "SIP/2.0/UDP 192.0.2.15;;,;,,", EF_ESYNTAX, 23, "empty parameter"},
    {EF_HDR_VIA, "SIP/2.0/UDP h;branch", EF_ESYNTAX, 14, "missing branch value"},
    {EF_HDR_VIA, "SIP/2.0/UDP h;branch=", EF_ESYNTAX, 21, "missing branch value"},
    {EF_HDR_VIA, "SIP/2.0/UDP h;branch=\"x\"", EF_ESYNTAX, 14, "branch value is not a token"},
    {EF_HDR_VIA, "SIP/2.0 h", EF_ESYNTAX, 8, "expected '/' in sent-protocol"},
    {EF_HDR_VIA, "/2.0/UDP h", EF_ESYNTAX, 0, "expected the protocol name"},
    {EF_HDR_VIA, "SIP//UDP h", EF_ESYNTAX, 4, "expected the protocol version"},
    {EF_HDR_VIA, "SIP/2.0/;x", EF_ESYNTAX, 8, "expected the transport"},
    {EF_HDR_VIA, "SIP/2.0/ h", EF_ESYNTAX, 10, "expected LWS between sent-protocol and sent-by"},
    {EF_HDR_VIA, "SIP/2.0/UDP", EF_ESYNTAX, 11, "expected LWS between sent-protocol and sent-by"},
    {EF_HDR_VIA, "SIP/2.0/UDP ;branch=x", EF_ESYNTAX, 12, "expected the sent-by host"},
    {EF_HDR_VIA, "SIP/2.0/UDP h:", EF_ESYNTAX, 14, "expected the port after ':'"},
    {EF_HDR_VIA, "SIP/2.0/UDP h:65536", EF_ESYNTAX, 14, "port out of range"},
    {EF_HDR_VIA, "SIP/2.0/UDP [2001:db8::1", EF_ESYNTAX, 12,
     "expected ']' closing the IPv6 reference"},
    {EF_HDR_VIA, "SIP/2.0/UDP [2001:db8:x::1]", EF_ESYNTAX, 22,
     "invalid character in an IPv6 reference"},
    {EF_HDR_VIA, "SIP/2.0/UDP [1]", EF_ESYNTAX, 12, "invalid IPv6 reference"},
    {EF_HDR_VIA, "SIP/2.0/UDP h;received=host.example", EF_ESYNTAX, 14,
     "received is not an IP address"},
    {EF_HDR_VIA, "SIP/2.0/UDP h;received=1.2.3.256", EF_ESYNTAX, 14,
     "received is not an IP address"},
    {EF_HDR_VIA, "SIP/2.0/UDP h;rport=70000", EF_ESYNTAX, 20, "rport is not a port number"},
    {EF_HDR_VIA, "SIP/2.0/UDP h;ttl=256", EF_ESYNTAX, 18, "ttl is not a number from 0 to 255"},
    {EF_HDR_VIA, "SIP/2.0/UDP h;ttl", EF_ESYNTAX, 14, "ttl is not a number from 0 to 255"},
    {EF_HDR_VIA, "SIP/2.0/UDP h x", EF_ESYNTAX, 14, "expected ',' or ';' after the Via value"},
    {EF_HDR_VIA, "SIP/2.0/UDP h,", EF_ESYNTAX, 14, "expected the protocol name"},
    {EF_HDR_VIA, "SIP/2.0/UDP h;x=\"open", EF_ESYNTAX, 16, "unterminated quoted-string"},
    {EF_HDR_TO, "\"Mr. J. User <sip:j.user@example.com>", EF_ESYNTAX, 0,
     "unterminated quoted-string"},
    {EF_HDR_TO, "\"Watson, Thomas\" < sip:t.watson@example.org >", EF_ESYNTAX, 18,
     "whitespace inside the URI"},
    {EF_HDR_TO, "Watson, Thomas <sip:t.watson@example.org>", EF_ESYNTAX, 6,
     "invalid character in the display-name (quote it)"},
    {EF_HDR_TO, "<sip:a@example.com", EF_ESYNTAX, 0, "expected '>'"},
    {EF_HDR_TO, "\"x\" sip:a@example.com", EF_ESYNTAX, 4, "expected '<' after the display-name"},
    {EF_HDR_TO, "Bob", EF_ESYNTAX, 3, "expected '<' after the display-name"},
    {EF_HDR_TO, "<>", EF_ESYNTAX, 1, "URI without a scheme"},
    {EF_HDR_TO, "<a@example.com>", EF_ESYNTAX, 1, "URI without a scheme"},
    {EF_HDR_TO, "alan@jasomi.com", EF_ESYNTAX, 4,
     "invalid character in the display-name (quote it)"},
    {EF_HDR_TO, "<sip:a\"b@example.com>", EF_ESYNTAX, 6, "invalid character in the URI"},
    {EF_HDR_TO, "", EF_ESYNTAX, 0, "empty address"},
    {EF_HDR_TO, "@", EF_ESYNTAX, 0, "expected an address"},
    {EF_HDR_TO, "<sip:a@b> x", EF_ESYNTAX, 10, "unexpected character after the address"},
    {EF_HDR_TO, "sip:a@b, sip:c@d", EF_ESYNTAX, 7, "unexpected character after the address"},
    {EF_HDR_TO, "<sip:a@b>;tag", EF_OK, 0, NULL},
    {EF_HDR_TO, "<sip:a@b>;tag=", EF_ESYNTAX, 14, "missing parameter value"},
    {EF_HDR_TO, "\"a\\", EF_ESYNTAX, 0, "unterminated quoted-string"},
    {EF_HDR_TO, "\"a\r\nb\" <sip:a@b>", EF_ESYNTAX, 2, "line break inside a quoted-string"},
    {EF_HDR_TO, "\"a\x01\" <sip:a@b>", EF_ESYNTAX, 2, "control character inside a quoted-string"},
    {EF_HDR_TO, "\"a\\\n\" <sip:a@b>", EF_ESYNTAX, 2, "invalid quoted-pair"},
    {EF_HDR_CONTACT, "\"Joe\" <sip:joe@example.org>;;;;", EF_ESYNTAX, 28, "empty parameter"},
    {EF_HDR_CONTACT, "*, <sip:a@b>", EF_ESYNTAX, 0, "'*' must stand alone in Contact"},
    {EF_HDR_CONTACT, "<sip:a@b>, *", EF_ESYNTAX, 11, "'*' must stand alone in Contact"},
    {EF_HDR_CONTACT, "<sip:a@b>,", EF_ESYNTAX, 10, "empty address"},
    {EF_HDR_CONTACT, "<sip:a@b> <sip:c@d>", EF_ESYNTAX, 10, "expected ',' between addresses"},
    {EF_HDR_CSEQ, "9292394834772304023312 OPTIONS", EF_ESYNTAX, 0, "CSeq number out of range"},
    {EF_HDR_CSEQ, "4294967296 ACK", EF_ESYNTAX, 0, "CSeq number out of range"},
    {EF_HDR_CSEQ, "INVITE", EF_ESYNTAX, 0, "expected the CSeq number"},
    {EF_HDR_CSEQ, "1INVITE", EF_ESYNTAX, 1, "expected LWS between the CSeq number and method"},
    {EF_HDR_CSEQ, "1", EF_ESYNTAX, 1, "expected the CSeq method"},
    {EF_HDR_CSEQ, "1 ", EF_ESYNTAX, 2, "expected the CSeq method"},
    {EF_HDR_CSEQ, "1 INVITE x", EF_ESYNTAX, 9, "unexpected character after the CSeq method"},
    {EF_HDR_MAX_FORWARDS, "300", EF_ESYNTAX, 0, "Max-Forwards above 255"},
    {EF_HDR_MAX_FORWARDS, "", EF_ESYNTAX, 0, "empty number"},
    {EF_HDR_MAX_FORWARDS, "-1", EF_ESYNTAX, 0, "not a number"},
    {EF_HDR_MAX_FORWARDS, "7 7", EF_ESYNTAX, 2, "not a number"},
    {EF_HDR_EXPIRES, "10000000000000000000000000000000000000000", EF_ESYNTAX, 0,
     "number out of range"},
    {EF_HDR_CALL_ID, "", EF_ESYNTAX, 0, "empty Call-ID"},
    {EF_HDR_CALL_ID, "a b", EF_ESYNTAX, 2, "invalid character in Call-ID"},
    {EF_HDR_CALL_ID, "a@", EF_ESYNTAX, 2, "expected a word after '@' in Call-ID"},
    {EF_HDR_CALL_ID, "a@b@c", EF_ESYNTAX, 3, "invalid character in Call-ID"},
    {EF_HDR_CALL_ID, "=x", EF_ESYNTAX, 0, "invalid character in Call-ID"},
    {EF_HDR_ALLOW, "INVITE, , ACK", EF_ESYNTAX, 8, "empty token in list"},
    {EF_HDR_ALLOW, "INVITE,", EF_ESYNTAX, 7, "empty token in list"},
    {EF_HDR_ALLOW, ",INVITE", EF_ESYNTAX, 0, "empty token in list"},
    {EF_HDR_ALLOW, "INVITE ACK", EF_ESYNTAX, 7, "expected ',' between tokens"},
    {EF_HDR_SUPPORTED, "a, @", EF_ESYNTAX, 3, "expected a token"},
    {EF_HDR_CONTENT_TYPE, "application", EF_ESYNTAX, 11, "expected '/' in the media type"},
    {EF_HDR_CONTENT_TYPE, "/sdp", EF_ESYNTAX, 0, "expected the media type"},
    {EF_HDR_CONTENT_TYPE, "application/", EF_ESYNTAX, 12, "expected the media subtype"},
    {EF_HDR_CONTENT_TYPE, "text/plain;charset", EF_ESYNTAX, 18,
     "expected '=' after the parameter name"},
    {EF_HDR_CONTENT_TYPE, "text/plain, text/html", EF_ESYNTAX, 10,
     "unexpected character after the media type"},
    {EF_HDR_ACCEPT, "text/plain,", EF_ESYNTAX, 11, "expected the media type"},
    {EF_HDR_ACCEPT, "text/plain text/html", EF_ESYNTAX, 11, "expected ',' between media ranges"},
    {EF_HDR_EVENT, "", EF_ESYNTAX, 0, "expected the event package"},
    {EF_HDR_EVENT, "presence..winfo", EF_ESYNTAX, 8, "empty event package or template"},
    {EF_HDR_EVENT, ".winfo", EF_ESYNTAX, 0, "empty event package or template"},
    {EF_HDR_EVENT, "presence;id=\"x\"", EF_ESYNTAX, 9, "id is not a token"},
    {EF_HDR_EVENT, "presence, dialog", EF_ESYNTAX, 8, "unexpected character after the Event value"},
    {EF_HDR_SUBSCRIPTION_STATE, ";expires=5", EF_ESYNTAX, 0, "expected the subscription state"},
    {EF_HDR_SUBSCRIPTION_STATE, "active;expires=soon", EF_ESYNTAX, 7,
     "Subscription-State delta-seconds is not a 32-bit number"},
    {EF_HDR_SUBSCRIPTION_STATE, "active;retry-after=99999999999", EF_ESYNTAX, 7,
     "Subscription-State delta-seconds is not a 32-bit number"},
    {EF_HDR_SUBSCRIPTION_STATE, "terminated;reason=\"x\"", EF_ESYNTAX, 18, "reason is not a token"},
    {EF_HDR_SUBSCRIPTION_STATE, "active x", EF_ESYNTAX, 7,
     "unexpected character after the Subscription-State value"},
    {EF_HDR_WARNING, "1812 overture \"In Progress\"", EF_ESYNTAX, 0,
     "warn-code must be three digits"},
    {EF_HDR_WARNING, "37 x \"y\"", EF_ESYNTAX, 0, "warn-code must be three digits"},
    {EF_HDR_WARNING, "370\"y\"", EF_ESYNTAX, 3, "expected SP after the warn-code"},
    {EF_HDR_WARNING, "370 \"y\"", EF_ESYNTAX, 4, "expected the warn-agent"},
    {EF_HDR_WARNING, "370 x", EF_ESYNTAX, 5, "expected SP after the warn-agent"},
    {EF_HDR_WARNING, "370 x y", EF_ESYNTAX, 6, "expected the quoted warn-text"},
    {EF_HDR_WARNING, "370 x \"y\" z", EF_ESYNTAX, 10, "expected ',' between warnings"},
    {EF_HDR_AUTHORIZATION, "", EF_ESYNTAX, 0, "expected the auth-scheme"},
    {EF_HDR_AUTHORIZATION, "Digest", EF_ESYNTAX, 6, "expected auth-param after the auth-scheme"},
    {EF_HDR_AUTHORIZATION, "Digest,realm=\"a\"", EF_ESYNTAX, 6,
     "expected LWS after the auth-scheme"},
    {EF_HDR_AUTHORIZATION, "Digest realm=\"a\",, nonce=\"b\"", EF_ESYNTAX, 17, "empty auth-param"},
    {EF_HDR_AUTHORIZATION, "Digest realm", EF_ESYNTAX, 12, "expected '=' in auth-param"},
    {EF_HDR_AUTHORIZATION, "Digest realm=", EF_ESYNTAX, 13, "missing parameter value"},
    {EF_HDR_AUTHORIZATION, "Digest realm=a.com", EF_ESYNTAX, 13,
     "Digest parameter must be a quoted-string"},
    {EF_HDR_AUTHORIZATION, "Digest realm=\"a\" nonce=\"b\"", EF_ESYNTAX, 17,
     "expected ',' between auth-params"},
    {EF_HDR_AUTHORIZATION, "Digest =x", EF_ESYNTAX, 7, "expected an auth-param name"},
    {EF_HDR_WWW_AUTHENTICATE, "Digest realm=\"a", EF_ESYNTAX, 13, "unterminated quoted-string"},
};

static void test_bad(void)
{
    size_t k;

    for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        const struct bad *b = &bad[k];
        ef_perr_t e;
        int rc = typed(b->id, b->in, strlen(b->in), &e);
        int ok = b->rc == EF_OK ? rc >= 0
                                : rc == b->rc && e.offset == b->off && e.reason != NULL &&
                                      strcmp(e.reason, b->reason) == 0;

        tap_result(ok, __FILE__, __LINE__, b->reason != NULL ? b->reason : "accepted");
        if (!ok)
            printf("#   %s: got %d at %zu \"%s\", expected %d at %zu \"%s\"\n",
                   ef_sip_hdr_name(b->id), rc, e.offset, e.reason ? e.reason : "-", b->rc, b->off,
                   b->reason ? b->reason : "-");
    }
}

/* A value of a prefix and n copies of a unit, in a buffer of exactly its size. */
static char *repeat(const char *prefix, const char *unit, size_t count, size_t *len)
{
    size_t p = strlen(prefix), u = strlen(unit), i;
    char *s = malloc(p + u * count);

    if (s == NULL)
        abort();
    memcpy(s, prefix, p);
    for (i = 0; i < count; i++)
        memcpy(s + p + i * u, unit, u);
    *len = p + u * count;
    return s;
}

static void check_big(ef_sip_hdr_t id, const char *prefix, const char *unit, size_t count, int want)
{
    size_t n;
    char *s = repeat(prefix, unit, count, &n);
    ef_perr_t e;
    clock_t t0 = clock();
    int rc = typed(id, s, n, &e);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;

    tap_result(want == EF_OK ? rc >= 0 : rc == want, __FILE__, __LINE__, prefix);
    if (want == EF_OK ? rc < 0 : rc != want)
        printf("#   %s: got %d (%s at %zu)\n", prefix, rc, e.reason ? e.reason : "-", e.offset);
    tap_result(secs < 0.2, __FILE__, __LINE__, "linear time");
    free(s);
}

static void test_limits(void)
{
    ef_sip_via_t via[2];
    ef_sip_addr_t addr[2];
    ef_str_t tok[2];
    ef_perr_t e;
    char buf[512];
    int i, n;

    /* 24 parameters fit, 25 do not */
    n = snprintf(buf, sizeof(buf), "SIP/2.0/UDP h");
    for (i = 0; i < 24; i++)
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, ";p%d=%d", i, i);
    CHECK_INT(T(EF_HDR_VIA, buf), 1);
    CHECK_INT(o.via[0].params.n, 24);
    snprintf(buf + n, sizeof(buf) - (size_t)n, ";p24");
    CHECK_INT(typed(EF_HDR_VIA, buf, strlen(buf), &e), EF_E2BIG);
    CHECK_INT(e.offset, (size_t)n + 1);
    CHECK_STR(e.reason, "more parameters than EF_SIP_PARAMS_MAX");
    CHECK_INT(typed(EF_HDR_CONTACT, buf + 13, strlen(buf + 13), &e), EF_ESYNTAX);
    /* the caller's capacity */
    CHECK_INT(ef_sip_parse_via(guarded("SIP/2.0/UDP a, SIP/2.0/UDP b", 28), 28, via, 1, &e),
              EF_E2BIG);
    CHECK_INT(e.offset, 15);
    CHECK_INT(ef_sip_parse_via(guarded("SIP/2.0/UDP a, SIP/2.0/UDP b", 28), 28, via, 2, &e), 2);
    /* the top value alone, however many follow */
    CHECK_INT(ef_sip_parse_via_first(
                  guarded("SIP/2.0/TLS a:5061;branch=z9hG4bKx, SIP/2.0/UDP b", 48), 48, via, &e),
              0);
    CHECK(via[0].port == 5061 && via[0].branch.len == 8 &&
          memcmp(via[0].branch.ptr, "z9hG4bKx", 8) == 0);
    CHECK_INT(ef_sip_parse_via_first(guarded("SIP/2.0/UDP ;x", 14), 14, via, &e), EF_ESYNTAX);
    CHECK_INT(ef_sip_parse_addr_list(guarded("<sip:a>,<sip:b>", 15), 15, addr, 1, NULL, &e),
              EF_E2BIG);
    CHECK_INT(ef_sip_parse_addr_list(guarded("*", 1), 1, addr, 0, NULL, &e), 0);
    CHECK_INT(ef_sip_parse_tokens(guarded("a, b, c", 7), 7, tok, 2, &e), EF_E2BIG);
    CHECK_INT(e.offset, 6);
    CHECK_INT(ef_sip_parse_tokens(guarded("a, b", 4), 4, tok, 2, &e), 2);
    /* long values: 60 KB of parameters stop at the 25th, fast */
    check_big(EF_HDR_VIA, "SIP/2.0/UDP h", ";a=b", 15000, EF_E2BIG);
    check_big(EF_HDR_TO, "<sip:a@b>", ";a=b", 15000, EF_E2BIG);
    check_big(EF_HDR_CONTENT_TYPE, "text/plain", ";a=b", 15000, EF_E2BIG);
    check_big(EF_HDR_EVENT, "presence", ";a", 30000, EF_E2BIG);
    check_big(EF_HDR_SUBSCRIPTION_STATE, "active", ";a=\"b\"", 10000, EF_E2BIG);
    check_big(EF_HDR_AUTHORIZATION, "Digest ", "a=b,", 15000, EF_E2BIG);
    check_big(EF_HDR_ALLOW, "X", ",X", 30000, EF_E2BIG);
    check_big(EF_HDR_VIA, "SIP/2.0/UDP h", ", SIP/2.0/UDP h", 4000, EF_E2BIG);
    /* long single values and long blank runs are accepted */
    check_big(EF_HDR_CALL_ID, "a", "b", 60000, EF_OK);
    check_big(EF_HDR_WARNING, "399 h \"", "xy", 30000, EF_ESYNTAX); /* unterminated */
    check_big(EF_HDR_TO, "<sip:", "a", 60000, EF_ESYNTAX);          /* no '>' */
    check_big(EF_HDR_CSEQ, "1", "\r\n ", 20000, EF_ESYNTAX);        /* folds, no method */
    check_big(EF_HDR_TO, "A", " B", 30000, EF_ESYNTAX);             /* display without '<' */
    check_big(EF_HDR_CSEQ, "", "9", 60000, EF_ESYNTAX);             /* out of range */
}

/* The typed headers checked on whole messages. */
static bool is_typed(ef_sip_hdr_t id)
{
    static const ef_sip_hdr_t ids[] = {EF_HDR_VIA,
                                       EF_HDR_FROM,
                                       EF_HDR_TO,
                                       EF_HDR_CONTACT,
                                       EF_HDR_ROUTE,
                                       EF_HDR_RECORD_ROUTE,
                                       EF_HDR_CSEQ,
                                       EF_HDR_MAX_FORWARDS,
                                       EF_HDR_EXPIRES,
                                       EF_HDR_MIN_EXPIRES,
                                       EF_HDR_CALL_ID,
                                       EF_HDR_CONTENT_TYPE,
                                       EF_HDR_ACCEPT,
                                       EF_HDR_ALLOW,
                                       EF_HDR_SUPPORTED,
                                       EF_HDR_REQUIRE,
                                       EF_HDR_PROXY_REQUIRE,
                                       EF_HDR_UNSUPPORTED,
                                       EF_HDR_ALLOW_EVENTS,
                                       EF_HDR_EVENT,
                                       EF_HDR_SUBSCRIPTION_STATE,
                                       EF_HDR_WARNING,
                                       EF_HDR_AUTHORIZATION,
                                       EF_HDR_PROXY_AUTHORIZATION,
                                       EF_HDR_WWW_AUTHENTICATE,
                                       EF_HDR_PROXY_AUTHENTICATE,
                                       EF_HDR_P_ASSERTED_IDENTITY,
                                       EF_HDR_CONTENT_LENGTH};
    size_t k;

    for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++)
        if (ids[k] == id)
            return true;
    return false;
}

/*
 * The headers that must fail in RFC 4475 messages: the grammar errors of the
 * 'error' rows that sit in a header value, and the out-of-range scalars of
 * scalar02 ('constraint': the ABNF parses, the 32-bit / 255 bounds do not).
 * ltgtruri (Request-URI) and baddate (Date, no typed parser) have none.
 */
static const struct {
    const char *file;
    ef_sip_hdr_t ids[3];
} must_fail[] = {
    {"quotbal.dat", {EF_HDR_TO}},
    {"badaspec.dat", {EF_HDR_TO}},
    {"baddn.dat", {EF_HDR_FROM, EF_HDR_TO}},
    {"badinv01.dat", {EF_HDR_VIA, EF_HDR_CONTACT}},
    {"scalarlg.dat", {EF_HDR_CSEQ, EF_HDR_WARNING}},
    {"scalar02.dat", {EF_HDR_CSEQ, EF_HDR_MAX_FORWARDS, EF_HDR_EXPIRES}},
};

static bool fails_in(const char *file, ef_sip_hdr_t id)
{
    size_t k, j;

    for (k = 0; k < sizeof(must_fail) / sizeof(must_fail[0]); k++)
        for (j = 0; strcmp(file, must_fail[k].file) == 0 && j < 3; j++)
            if (must_fail[k].ids[j] == id)
                return true;
    return false;
}

/* Every typed header of one message; returns the number that failed. */
static size_t check_message(const char *file, const char *buf, size_t n, bool strict)
{
    ef_sip_header_t h[128];
    ef_sip_msg_t m;
    ef_perr_t e;
    size_t k, failed = 0;

    if (ef_sip_parse(buf, n, EF_SIP_DATAGRAM, &m, h, 128, NULL, &e) < 0) {
        tap_result(!strict, __FILE__, __LINE__, file);
        printf("# %s: no first-level parse (%s)\n", file, e.reason);
        return 0;
    }
    for (k = 0; k < m.n_headers; k++) {
        bool want_fail = fails_in(file, h[k].id);
        int rc;

        if (!is_typed(h[k].id))
            continue;
        rc = typed(h[k].id, h[k].value.ptr, h[k].value.len, &e);
        failed += rc < 0;
        tap_result((rc < 0) == want_fail, __FILE__, __LINE__, file);
        if ((rc < 0) != want_fail)
            printf("#   %s %.*s: %d %s at %zu\n", file, (int)h[k].name.len, h[k].name.ptr, rc,
                   rc < 0 ? e.reason : "", e.offset);
    }
    return failed;
}

static void test_rfc4475(const char *dir)
{
    static char buf[16384];
    char path[512], line[2048];
    struct rfc4475_row row;
    FILE *list;
    size_t files = 0, k;

    snprintf(path, sizeof(path), "%s/sip/rfc4475/EXPECTED", dir);
    list = fopen(path, "r");
    CHECK(list != NULL);
    while (list != NULL && rfc4475_next(list, line, sizeof(line), &row)) {
        const char *file = row.file;
        bool valid, listed = false;
        size_t n, failed;

        snprintf(path, sizeof(path), "%s/sip/rfc4475/%s", dir, file);
        n = rfc4475_load(path, buf, sizeof(buf));
        CHECK(n > 0);
        files++;
        valid = strcmp(row.parse, "ok") == 0 || strcmp(row.parse, "constraint") == 0;
        failed = check_message(file, buf, n, valid);
        for (k = 0; k < sizeof(must_fail) / sizeof(must_fail[0]); k++)
            listed |= strcmp(file, must_fail[k].file) == 0;
        if (listed) /* the grammar error was found, in the header named */
            tap_result(failed > 0, __FILE__, __LINE__, file);
    }
    if (list != NULL)
        fclose(list);
    CHECK(files >= 50);
}

static void test_corpus(const char *dir)
{
    static char buf[16384];
    char path[512];
    struct dirent *d;
    DIR *dp;
    size_t files = 0;

    snprintf(path, sizeof(path), "%s/sip/corpus", dir);
    dp = opendir(path);
    CHECK(dp != NULL);
    while (dp != NULL && (d = readdir(dp)) != NULL) {
        size_t nl = strlen(d->d_name), n;

        if (nl < 5 || strcmp(d->d_name + nl - 4, ".sip") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/sip/corpus/%s", dir, d->d_name);
        n = rfc4475_load(path, buf, sizeof(buf));
        CHECK(n > 0);
        files++;
        CHECK_INT(check_message(d->d_name, buf, n, true), 0);
    }
    if (dp != NULL)
        closedir(dp);
    CHECK(files >= 12);
}

int main(void)
{
    const char *dir = getenv("EF_TEST_DATA");

    test_via();
    test_addr();
    test_scalars();
    test_lists();
    test_events();
    test_auth();
    test_bad();
    test_limits();
    test_rfc4475(dir != NULL ? dir : "tests/data");
    test_corpus(dir != NULL ? dir : "tests/data");
    TAP_DONE();
}
