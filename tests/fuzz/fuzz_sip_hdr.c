/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_sip_hdr.c -- the typed SIP header parsers on any bytes: the first byte
 * picks the parser, the rest is the header value. Every slice a parser returns
 * must lie inside the value, counts must respect the capacities, and the
 * display-name text must never pass its buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "enumfed/sip_hdr.h"

#define CAP 8

static const uint8_t *lo, *hi;

static void in(ef_str_t s)
{
    if (s.ptr == NULL) {
        if (s.len != 0)
            abort();
        return;
    }
    if ((const uint8_t *)s.ptr < lo || (const uint8_t *)s.ptr + s.len > hi)
        abort();
}

static void params(const ef_sip_params_t *ps)
{
    size_t i;

    if (ps->n > EF_SIP_PARAMS_MAX)
        abort();
    for (i = 0; i < ps->n; i++) {
        if (ps->p[i].name.len == 0)
            abort();
        in(ps->p[i].name);
        in(ps->p[i].value);
    }
}

static void count(int rc, size_t cap)
{
    if (rc >= 0 && (size_t)rc > cap)
        abort();
    if (rc < 0 && rc != EF_ESYNTAX && rc != EF_E2BIG)
        abort();
}

static void addrs(const ef_sip_addr_t *a, int rc)
{
    char text[64];
    int i;

    for (i = 0; i < rc; i++) {
        in(a[i].display);
        in(a[i].uri);
        params(&a[i].params);
        if (ef_sip_display_text(a[i].display, text, sizeof(text)) >= (int)sizeof(text))
            abort();
    }
}

static void run_a(unsigned pick, const char *b, size_t n)
{
    static ef_sip_via_t via[CAP];
    ef_sip_addr_t addr[CAP];
    ef_sip_cseq_t cs;
    ef_str_t str[CAP];
    uint32_t v;
    bool star;
    int rc, i;

    switch (pick) {
    case 0:
        count(rc = ef_sip_parse_via(b, n, via, CAP, NULL), CAP);
        for (i = 0; i < rc; i++) {
            in(via[i].protocol), in(via[i].transport), in(via[i].host), in(via[i].branch);
            in(via[i].received), params(&via[i].params);
            if (via[i].port > 65535 || via[i].rport > 65535 || via[i].host.len == 0)
                abort();
        }
        break;
    case 1:
        count(rc = ef_sip_parse_addr(b, n, addr, NULL), 0);
        addrs(addr, rc == 0 ? 1 : 0);
        break;
    case 2:
        count(rc = ef_sip_parse_addr_list(b, n, addr, CAP, &star, NULL), CAP);
        addrs(addr, rc);
        if (star && rc != 0)
            abort();
        break;
    case 3:
        if (ef_sip_parse_cseq(b, n, &cs, NULL) == 0)
            in(cs.method);
        break;
    case 4:
        if (ef_sip_parse_uint(b, n, 255, &v, NULL) == 0 && v > 255)
            abort();
        break;
    case 5:
        if (ef_sip_parse_callid(b, n, str, NULL) == 0)
            in(str[0]);
        break;
    default:
        count(rc = ef_sip_parse_tokens(b, n, str, CAP, NULL), CAP);
        for (i = 0; i < rc; i++)
            in(str[i]);
        break;
    }
}

static void run_b(unsigned pick, const char *b, size_t n)
{
    static ef_sip_media_t m[CAP];
    ef_sip_event_t ev;
    ef_sip_substate_t ss;
    ef_sip_warning_t w[CAP];
    static ef_sip_auth_t au;
    int rc, i;

    switch (pick) {
    case 7:
        count(rc = ef_sip_parse_accept(b, n, m, CAP, NULL), CAP);
        for (i = 0; i < rc; i++)
            in(m[i].type), in(m[i].subtype), params(&m[i].params);
        if (ef_sip_parse_media(b, n, m, NULL) == 0)
            in(m[0].type), in(m[0].subtype), params(&m[0].params);
        break;
    case 8:
        if (ef_sip_parse_event(b, n, &ev, NULL) == 0)
            in(ev.package), in(ev.id), params(&ev.params);
        break;
    case 9:
        if (ef_sip_parse_substate(b, n, &ss, NULL) == 0)
            in(ss.state), in(ss.reason), params(&ss.params);
        break;
    case 10:
        count(rc = ef_sip_parse_warning(b, n, w, CAP, NULL), CAP);
        for (i = 0; i < rc; i++)
            in(w[i].agent), in(w[i].text);
        break;
    default:
        count(rc = ef_sip_parse_auth(b, n, &au, NULL), 0);
        if (rc == 0)
            in(au.scheme), params(&au.params);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned pick;
    ef_perr_t err = {0, NULL};
    static ef_sip_addr_t one;

    if (size < 1)
        return 0;
    pick = data[0] % 12;
    lo = data + 1;
    hi = data + size;
    if (pick < 7)
        run_a(pick, (const char *)lo, size - 1);
    else
        run_b(pick, (const char *)lo, size - 1);
    /* an error always carries an offset inside the value and a reason */
    if (ef_sip_parse_addr((const char *)lo, size - 1, &one, &err) < 0 &&
        (err.reason == NULL || err.offset > size - 1))
        abort();
    return 0;
}
