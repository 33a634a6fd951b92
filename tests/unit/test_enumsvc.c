/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_enumsvc.c -- unit tests for enumsvc.c: Services fields of RFC 6116
 * §3.4.3 (single and compound), the obsolete RFC 2916 form, fields of other
 * DDDS applications, every malformed field with its reason and offset, the
 * 32-character token limit and the 64-service limit, and what clients ask for:
 * parsing, matching, private types and the canonical lowercase form. Inputs
 * are placed flush against a PROT_NONE page to prove there is no over-read.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "enumfed/enumsvc.h"
#include "guard.h"
#include "tap.h"

static ef_svcfield_t field;
static ef_perr_t perr;

static int parse_field(const char *s)
{
    size_t n = strlen(s);

    memset(&field, 0xA5, sizeof field);
    memset(&perr, 0, sizeof perr);
    return ef_svcfield_parse(guarded(s, n), n, &field, &perr);
}

/* svc is "type" or "type:subtype" */
static void svc_is(const ef_enumsvc_t *svc, const char *type, const char *subtype)
{
    CHECK_STRN(svc->type.ptr, svc->type.len, type);
    CHECK_STRN(svc->subtype.ptr, svc->subtype.len, subtype);
}

static void field_bad(const char *in, int code, size_t offset, const char *reason)
{
    CHECK_INT(parse_field(in), code);
    CHECK_INT(perr.offset, offset);
    CHECK_STR(perr.reason, reason);
}

static void not_e2u(const char *in, const char *app)
{
    CHECK_INT(parse_field(in), EF_ENOTE2U);
    CHECK_STRN(field.app.ptr, field.app.len, app);
    CHECK_INT(field.n, 0);
    CHECK(!field.obsolete);
}

static void test_field_ok(void)
{
    CHECK_INT(parse_field("E2U+sip"), 0);
    CHECK_STRN(field.app.ptr, field.app.len, "E2U");
    CHECK(!field.obsolete);
    CHECK_INT(field.n, 1);
    svc_is(&field.svc[0], "sip", "");

    CHECK_INT(parse_field("e2u+SIP"), 0);
    CHECK_STRN(field.app.ptr, field.app.len, "e2u");
    svc_is(&field.svc[0], "SIP", "");

    CHECK_INT(parse_field("E2U+voice:tel+sms:tel"), 0); /* RFC 6116 §3.4.3.2 */
    CHECK_INT(field.n, 2);
    svc_is(&field.svc[0], "voice", "tel");
    svc_is(&field.svc[1], "sms", "tel");

    CHECK_INT(parse_field("E2U+email:mailto"), 0); /* RFC 6116 §4 */
    CHECK_INT(field.n, 1);
    svc_is(&field.svc[0], "email", "mailto");

    CHECK_INT(parse_field("E2U+a:b:c+P-x-9:Y"), 0);
    CHECK_INT(field.n, 2);
    svc_is(&field.svc[0], "a", "b:c");
    svc_is(&field.svc[1], "P-x-9", "Y");

    CHECK_INT(parse_field("E2U+E2U"), 0);
    svc_is(&field.svc[0], "E2U", "");
}

static void test_field_obsolete(void)
{
    CHECK_INT(parse_field("sip+E2U"), 0); /* RFC 6116 §5.2, RFC 2916 */
    CHECK(field.obsolete);
    CHECK_STRN(field.app.ptr, field.app.len, "E2U");
    CHECK_INT(field.n, 1);
    svc_is(&field.svc[0], "sip", "");

    CHECK_INT(parse_field("mailto+e2u"), 0);
    CHECK(field.obsolete);
    CHECK_STRN(field.app.ptr, field.app.len, "e2u");
    svc_is(&field.svc[0], "mailto", "");

    CHECK_INT(parse_field("tel+E2U"), 0);
    svc_is(&field.svc[0], "tel", "");

    CHECK_INT(parse_field("a+b:c+E2U"), 0);
    CHECK(field.obsolete);
    CHECK_INT(field.n, 2);
    svc_is(&field.svc[0], "a", "");
    svc_is(&field.svc[1], "b", "c");
}

static void test_field_other_apps(void)
{
    not_e2u("SIP+D2U", "D2U");
    not_e2u("SIPS+D2T", "D2T");
    not_e2u("http+I2R", "I2R");
    not_e2u("x-foo", "x-foo");
    not_e2u("D2U", "D2U");
    not_e2u("", "");
    not_e2u("E2Ux+sip", "sip");
    not_e2u("E2U:sip", "E2U:sip");
    not_e2u("E2", "E2");
    not_e2u("sip+E2UX", "E2UX");
    not_e2u("sip:E2U", "sip:E2U");
    not_e2u("foo+", "");
    CHECK_INT(ef_svcfield_parse(NULL, 0, &field, &perr), EF_ENOTE2U);
    CHECK_INT(ef_svcfield_parse(NULL, 1, &field, &perr), EF_EINVAL);
    CHECK_INT(ef_svcfield_parse("E2U+sip", 7, NULL, &perr), EF_EINVAL);
}

static void test_field_malformed(void)
{
    field_bad("E2U", EF_ESYNTAX, 3, "no Enumservice after E2U");
    field_bad("e2u", EF_ESYNTAX, 3, "no Enumservice after E2U");
    field_bad("E2U+", EF_ESYNTAX, 4, "empty Enumservice type");
    field_bad("E2U++sip", EF_ESYNTAX, 4, "empty Enumservice type");
    field_bad("E2U+sip+", EF_ESYNTAX, 8, "empty Enumservice type");
    field_bad("E2U+:tel", EF_ESYNTAX, 4, "empty Enumservice type");
    field_bad("E2U+sip:", EF_ESYNTAX, 8, "empty Enumservice subtype");
    field_bad("E2U+sip:+sms", EF_ESYNTAX, 8, "empty Enumservice subtype");
    field_bad("E2U+a::b", EF_ESYNTAX, 6, "empty Enumservice subtype");
    field_bad("E2U+si_p", EF_ESYNTAX, 6, "illegal character in Enumservice");
    field_bad("E2U+sip tel", EF_ESYNTAX, 7, "illegal character in Enumservice");
    field_bad("E2U+voice:t.l", EF_ESYNTAX, 11, "illegal character in Enumservice");
    field_bad("E2U+sip\x80", EF_ESYNTAX, 7, "illegal character in Enumservice");
    field_bad("+E2U", EF_ESYNTAX, 0, "empty Enumservice type");
    field_bad("a++E2U", EF_ESYNTAX, 2, "empty Enumservice type");
    field_bad("s p+E2U", EF_ESYNTAX, 1, "illegal character in Enumservice");
    CHECK_INT(ef_svcfield_parse("E2U+s\0p", 7, &field, &perr), EF_ESYNTAX);
    CHECK_INT(perr.offset, 5);
    /* the length is honoured */
    CHECK_INT(ef_svcfield_parse("E2U+sip_", 7, &field, &perr), 0);
    CHECK_INT(field.n, 1);
}

static void test_field_limits(void)
{
    char buf[400];
    const char *t32 = "abcdefghijklmnopqrstuvwxyz012345";

    CHECK_INT(strlen(t32), 32);
    snprintf(buf, sizeof buf, "E2U+%s:%s", t32, t32);
    CHECK_INT(parse_field(buf), 0);
    svc_is(&field.svc[0], t32, t32);
    snprintf(buf, sizeof buf, "E2U+%s6", t32);
    field_bad(buf, EF_ESYNTAX, 36, "Enumservice type longer than 32 characters");
    snprintf(buf, sizeof buf, "E2U+sip:%s6", t32);
    field_bad(buf, EF_ESYNTAX, 40, "Enumservice subtype longer than 32 characters");
    snprintf(buf, sizeof buf, "%s6+E2U", t32);
    field_bad(buf, EF_ESYNTAX, 32, "Enumservice type longer than 32 characters");

    /* 64 services fit, 65 do not */
    strcpy(buf, "E2U");
    for (int i = 0; i < EF_ENUMSVC_MAX; i++)
        strcat(buf, "+a");
    CHECK_INT(parse_field(buf), 0);
    CHECK_INT(field.n, EF_ENUMSVC_MAX);
    strcat(buf, "+b");
    field_bad(buf, EF_E2BIG, 3 + 2 * EF_ENUMSVC_MAX + 1, "more than 64 Enumservices");
    strcpy(buf, "");
    for (int i = 0; i <= EF_ENUMSVC_MAX; i++)
        strcat(buf, "a+");
    strcat(buf, "E2U");
    field_bad(buf, EF_E2BIG, 2 * EF_ENUMSVC_MAX, "more than 64 Enumservices");
}

static ef_enumsvc_t svc(const char *s)
{
    ef_enumsvc_t out;
    ef_perr_t err;

    memset(&out, 0, sizeof out);
    if (ef_enumsvc_parse(s, strlen(s), &out, &err) != 0)
        printf("# cannot parse \"%s\": %s\n", s, err.reason);
    return out;
}

static void enumsvc_bad(const char *in, size_t offset, const char *reason)
{
    ef_enumsvc_t out;
    ef_perr_t err;
    size_t n = strlen(in);

    memset(&err, 0, sizeof err);
    CHECK_INT(ef_enumsvc_parse(guarded(in, n), n, &out, &err), EF_ESYNTAX);
    CHECK_INT(err.offset, offset);
    CHECK_STR(err.reason, reason);
}

static void test_enumsvc_parse(void)
{
    ef_enumsvc_t s;
    ef_perr_t err;

    CHECK_INT(ef_enumsvc_parse(guarded("im", 2), 2, &s, &err), 0);
    svc_is(&s, "im", "");
    CHECK_INT(ef_enumsvc_parse(guarded("voice:tel", 9), 9, &s, &err), 0);
    svc_is(&s, "voice", "tel");
    CHECK_INT(ef_enumsvc_parse(guarded("E2U+sip", 7), 7, &s, &err), 0);
    svc_is(&s, "sip", "");
    CHECK_INT(ef_enumsvc_parse(guarded("e2u+SMS:tel", 11), 11, &s, &err), 0);
    svc_is(&s, "SMS", "tel");
    CHECK_INT(ef_enumsvc_parse(guarded("a:b:c", 5), 5, &s, &err), 0);
    svc_is(&s, "a", "b:c");
    CHECK_INT(ef_enumsvc_parse(guarded("E2U", 3), 3, &s, &err), 0);
    svc_is(&s, "E2U", "");

    enumsvc_bad("", 0, "empty Enumservice type");
    enumsvc_bad("E2U+", 4, "empty Enumservice type");
    enumsvc_bad(":tel", 0, "empty Enumservice type");
    enumsvc_bad("voice:", 6, "empty Enumservice subtype");
    enumsvc_bad("voice:tel+sms:tel", 9, "illegal character in Enumservice");
    enumsvc_bad("E2U+E2U+sip", 7, "illegal character in Enumservice");
    enumsvc_bad("sip+E2U", 3, "illegal character in Enumservice");
    enumsvc_bad("voice tel", 5, "illegal character in Enumservice");
    enumsvc_bad("abcdefghijklmnopqrstuvwxyz0123456", 32,
                "Enumservice type longer than 32 characters");
    CHECK_INT(ef_enumsvc_parse("abcdefghijklmnopqrstuvwxyz012345", 32, &s, &err), 0);
    CHECK_INT(ef_enumsvc_parse(NULL, 0, &s, &err), EF_ESYNTAX);
    CHECK_INT(ef_enumsvc_parse("im", 2, NULL, &err), EF_EINVAL);
}

static void test_match(void)
{
    ef_enumsvc_t sip = svc("sip"), voice_tel = svc("voice:tel"), voice_sip = svc("VOICE:SIP");
    ef_enumsvc_t want_voice = svc("Voice"), want_voice_tel = svc("voice:TEL");
    ef_enumsvc_t abc = svc("a:b:c"), want_ab = svc("a:b");

    CHECK(ef_enumsvc_match(&sip, &sip));
    CHECK(ef_enumsvc_match(&voice_tel, &want_voice));
    CHECK(ef_enumsvc_match(&voice_sip, &want_voice));
    CHECK(ef_enumsvc_match(&voice_tel, &want_voice_tel));
    CHECK(!ef_enumsvc_match(&voice_sip, &want_voice_tel));
    CHECK(!ef_enumsvc_match(&want_voice, &want_voice_tel)); /* no subtype, one wanted */
    CHECK(!ef_enumsvc_match(&sip, &want_voice));
    CHECK(!ef_enumsvc_match(&abc, &want_ab)); /* subtypes are compared whole */
    CHECK(ef_enumsvc_match(&abc, &abc));
    CHECK(!ef_enumsvc_match(&sip, NULL));
    CHECK(!ef_enumsvc_match(NULL, &sip));

    CHECK_INT(parse_field("E2U+SIP+voice:TEL"), 0);
    CHECK(ef_enumsvc_match(&field.svc[0], &sip));
    CHECK(ef_enumsvc_match(&field.svc[1], &want_voice_tel));
}

static void test_private_and_format(void)
{
    ef_enumsvc_t p1 = svc("P-foo"), p2 = svc("p-bar:x"), np = svc("pfoo"), x = svc("X-foo");
    ef_enumsvc_t p = svc("p"), vt = svc("Voice:TEL"), abc = svc("A:B:C");
    char out[100];

    CHECK(ef_enumsvc_is_private(&p1));
    CHECK(ef_enumsvc_is_private(&p2));
    CHECK(!ef_enumsvc_is_private(&np));
    CHECK(!ef_enumsvc_is_private(&x));
    CHECK(!ef_enumsvc_is_private(&p));
    CHECK(!ef_enumsvc_is_private(NULL));

    CHECK_INT(ef_enumsvc_format(&vt, out, sizeof out), 9);
    CHECK_STR(out, "voice:tel");
    CHECK_INT(ef_enumsvc_format(&p1, out, sizeof out), 5);
    CHECK_STR(out, "p-foo");
    CHECK_INT(ef_enumsvc_format(&abc, out, sizeof out), 5);
    CHECK_STR(out, "a:b:c");
    CHECK_INT(ef_enumsvc_format(&vt, out, 10), 9);
    CHECK_INT(ef_enumsvc_format(&vt, out, 9), EF_E2BIG);
    CHECK_INT(ef_enumsvc_format(&vt, NULL, 0), EF_E2BIG);
    memset(&x, 0, sizeof x);
    CHECK_INT(ef_enumsvc_format(&x, out, sizeof out), EF_EINVAL);

    /* a chain of subtypes is valid but may not fit */
    {
        char in[200], big[200];
        ef_enumsvc_t chain;
        snprintf(in, sizeof in, "E2U+T:%s:%s:%s:%s", "abcdefghijklmnopqrstuvwxyz012345",
                 "abcdefghijklmnopqrstuvwxyz012345", "abcdefghijklmnopqrstuvwxyz012345", "X");
        CHECK_INT(ef_enumsvc_parse(in, strlen(in), &chain, NULL), 0);
        CHECK_INT(chain.subtype.len, 3 * 33 + 1);
        CHECK_INT(ef_enumsvc_format(&chain, out, sizeof out), EF_E2BIG);
        CHECK_INT(ef_enumsvc_format(&chain, big, sizeof big), 102);
        CHECK_STR(big + 97, "345:x");
    }
}

int main(void)
{
    test_field_ok();
    test_field_obsolete();
    test_field_other_apps();
    test_field_malformed();
    test_field_limits();
    test_enumsvc_parse();
    test_match();
    test_private_and_format();
    TAP_DONE();
}
