/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_sip.c -- the first-level SIP parser and the stream framer on any bytes:
 * as a datagram, as a stream, and framed in pieces; every slice must lie inside
 * the input, and the stream parse must agree with the framer on lengths.
 */
#include <stdlib.h>
#include <string.h>

#include "enumfed/sip.h"

#define MAX_HDRS 64

static void in_bounds(const uint8_t *data, size_t size, ef_str_t s)
{
    if (s.len > 0 &&
        ((const uint8_t *)s.ptr < data || (const uint8_t *)s.ptr + s.len > data + size))
        abort();
}

static void check_msg(const uint8_t *data, size_t size, const ef_sip_msg_t *m)
{
    size_t i;

    in_bounds(data, size, m->method);
    in_bounds(data, size, m->uri);
    in_bounds(data, size, m->reason);
    in_bounds(data, size, m->body);
    for (i = 0; i < m->n_headers; i++) {
        in_bounds(data, size, m->headers[i].name);
        in_bounds(data, size, m->headers[i].value);
        in_bounds(data, size, m->headers[i].raw);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ef_sip_header_t h[MAX_HDRS];
    ef_sip_msg_t m;
    ef_sip_framer_t st = {0};
    ef_sip_frame_t kind;
    const char *buf = (const char *)data;
    size_t off = 0;
    int rc;

    if (ef_sip_parse(buf, size, EF_SIP_DATAGRAM, &m, h, MAX_HDRS, NULL, NULL) >= 0)
        check_msg(data, size, &m);
    rc = ef_sip_parse(buf, size, EF_SIP_STREAM, &m, h, MAX_HDRS, NULL, NULL);
    if (rc >= 0)
        check_msg(data, size, &m);
    /* frame the stream, feeding it in two pieces to exercise the resumed scan */
    while (off < size) {
        size_t half = (size - off) / 2;
        int fr = half > 0 ? ef_sip_frame(&st, buf + off, half, NULL, &kind, NULL) : EF_EAGAIN;
        if (fr == EF_EAGAIN)
            fr = ef_sip_frame(&st, buf + off, size - off, NULL, &kind, NULL);
        if (fr <= 0)
            break;
        if ((size_t)fr > size - off)
            abort();
        if (kind == EF_SIP_FRAME_MESSAGE) {
            int pr =
                ef_sip_parse(buf + off, (size_t)fr, EF_SIP_STREAM, &m, h, MAX_HDRS, NULL, NULL);
            if (pr >= 0 && pr != fr) /* a frame the parser accepts has the framer's length */
                abort();
        }
        memset(&st, 0, sizeof(st));
        off += (size_t)fr;
    }
    return 0;
}
