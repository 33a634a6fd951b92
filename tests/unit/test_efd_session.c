/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_efd_session.c -- the pure parts of daemon/session.c: the RFC 3840
 * "methods" feature tag of a Contact, and the table of what registered
 * contacts take (noted, replaced, forgotten, expired, unknown = everything).
 */
#include <time.h>

#include "enumfed/sip_hdr.h"
#include "session.h"
#include "tap.h"

static ef_str_t S(const char *s)
{
    return (ef_str_t){s, strlen(s)};
}

static void test_methods(void)
{
    unsigned m = 0;
    CHECK_INT(efd_session_methods(S("\"INVITE,BYE,MESSAGE\""), &m), 0);
    CHECK_INT(m, EFD_METHOD_INVITE | EFD_METHOD_BYE | EFD_METHOD_MESSAGE);
    CHECK_INT(efd_session_methods(S("\"MESSAGE, OPTIONS , PUBLISH\""), &m), 0);
    CHECK_INT(m, EFD_METHOD_MESSAGE | EFD_METHOD_OPTIONS | EFD_METHOD_OTHER);
    CHECK_INT(efd_session_methods(S("MESSAGE"), &m), 0); /* unquoted single value */
    CHECK_INT(m, EFD_METHOD_MESSAGE);
    CHECK_INT(efd_session_methods(S("\"invite\""), &m), 0); /* methods have case */
    CHECK_INT(m, EFD_METHOD_OTHER);
    CHECK_INT(efd_session_methods(S(""), &m), EF_ESYNTAX);
    CHECK_INT(efd_session_methods(S("\"\""), &m), EF_ESYNTAX);
    CHECK_INT(efd_session_methods(S("\"INVITE"), &m), EF_ESYNTAX);
    CHECK_INT(efd_session_methods(S("\"INVITE,,BYE\""), &m), EF_ESYNTAX);
    CHECK_INT(efd_session_methods(S("\"IN VITE\""), &m), EF_ESYNTAX);
    CHECK_INT(efd_session_methods(S("\"INVITE,\""), &m), EF_ESYNTAX);
    CHECK_INT(efd_session_methods((ef_str_t){NULL, 0}, &m), EF_ESYNTAX);
}

/* Contact parameters as a REGISTER would carry them */
static ef_sip_params_t params(const char *contact)
{
    ef_sip_addr_t a;
    if (ef_sip_parse_addr(contact, strlen(contact), &a, NULL) != 0)
        a.params.n = 0;
    return a.params;
}

static void test_contacts(void)
{
    const char *aor = "bob@b.example", *c1 = "sip:bob@192.0.2.1:5070", *c2 = "sip:bob@192.0.2.2";
    ef_sip_params_t pm = params("<sip:bob@192.0.2.1:5070>;methods=\"MESSAGE,OPTIONS\";expires=60");
    ef_sip_params_t none = params("<sip:bob@192.0.2.1:5070>;expires=60");
    ef_sip_params_t bad = params("<sip:bob@192.0.2.1:5070>;methods=\"MESSAGE");

    efd_session_reset();
    CHECK_INT(efd_session_contact_methods(aor, c1, 100), EFD_METHOD_ALL); /* unknown */
    efd_session_note_contact(aor, c1, &pm, 200);
    CHECK_INT(efd_session_contact_methods(aor, c1, 100), EFD_METHOD_MESSAGE | EFD_METHOD_OPTIONS);
    CHECK_INT(efd_session_contact_methods("BOB@b.example", c1, 100),
              EFD_METHOD_ALL); /* the user part has case */
    CHECK_INT(efd_session_contact_methods(aor, c2, 100), EFD_METHOD_ALL);
    CHECK_INT(efd_session_contact_methods(aor, c1, 200), EFD_METHOD_ALL); /* expired */
    efd_session_note_contact(aor, c1, &none, 300); /* re-registered without the tag */
    CHECK_INT(efd_session_contact_methods(aor, c1, 100), EFD_METHOD_ALL);
    efd_session_note_contact(aor, c1, &pm, 200);
    efd_session_note_contact(aor, c1, NULL, 0); /* the binding went */
    CHECK_INT(efd_session_contact_methods(aor, c1, 100), EFD_METHOD_ALL);
    efd_session_note_contact(aor, c1, &bad, 200); /* unreadable: excludes nothing */
    CHECK_INT(efd_session_contact_methods(aor, c1, 100), EFD_METHOD_ALL);
    /* many contacts: every one is found while the table has room */
    char c[64];
    int found = 0;
    for (int i = 0; i < 1000; i++) {
        snprintf(c, sizeof c, "sip:u%d@192.0.2.3", i);
        efd_session_note_contact(aor, c, &pm, 500);
    }
    for (int i = 0; i < 1000; i++) {
        snprintf(c, sizeof c, "sip:u%d@192.0.2.3", i);
        found +=
            efd_session_contact_methods(aor, c, 100) == (EFD_METHOD_MESSAGE | EFD_METHOD_OPTIONS);
    }
    CHECK_INT(found, 1000);
    efd_session_reset();
    CHECK_INT(efd_session_contact_methods(aor, "sip:u7@192.0.2.3", 100), EFD_METHOD_ALL);
}

static void test_pick(void)
{
    const char *aor = "bob@b.example";
    ef_sip_params_t pm = params("<sip:bob@192.0.2.1>;methods=\"MESSAGE,OPTIONS\"");
    efd_store_binding_t b[3] = {
        {.contact = "sip:bob@192.0.2.1", .q = 1000}, /* page mode only, highest q */
        {.contact = "sip:bob@192.0.2.2", .q = 500},
        {.contact = "sip:bob@192.0.2.3", .q = -1},
    };

    efd_session_reset();
    CHECK_INT(efd_session_method_bit("INVITE"), EFD_METHOD_INVITE);
    CHECK_INT(efd_session_method_bit("PUBLISH"), EFD_METHOD_OTHER);
    CHECK_INT(efd_session_pick(aor, b, 3, "INVITE"), 0); /* nothing known: highest q */
    efd_session_note_contact(aor, b[0].contact, &pm, (int64_t)time(NULL) + 60);
    CHECK_INT(efd_session_pick(aor, b, 3, "INVITE"), 1);  /* the best that takes INVITE */
    CHECK_INT(efd_session_pick(aor, b, 3, "MESSAGE"), 0); /* page mode: the highest q */
    CHECK_INT(efd_session_pick(aor, b, 1, "INVITE"), 0);  /* none takes it: the highest q */
    efd_session_reset();
}

int main(void)
{
    test_methods();
    test_contacts();
    test_pick();
    TAP_DONE();
}
