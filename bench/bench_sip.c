/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_sip.c -- the same SIP messages parsed, in one run, by libenumfed, by
 * libosip2 (osip_message_parse) and by sofia-sip (msg_make), each to the depth
 * a proxy needs: the first level plus Via, From, To, CSeq, Call-ID,
 * Max-Forwards and Route. Prints messages/s, MB/s and the ratios; never fails
 * on speed.
 *
 * usage: bench_sip [SECONDS] FILE...
 */
#include <osipparser2/osip_parser.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enumfed/sip.h"
#include "enumfed/sip_hdr.h"

#define MAX_MSGS 64
#define MAX_ROUNDS 2000000 /* bounded in count as well as in time */

struct corpus {
    char *msg[MAX_MSGS];
    size_t len[MAX_MSGS];
    size_t n, bytes;
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ours: first level, then the typed headers a proxy reads */
static int parse_ours(const char *buf, size_t len)
{
    ef_sip_header_t hdrs[64];
    ef_sip_msg_t m;
    ef_sip_via_t via[8];
    ef_sip_addr_t addr[8];
    ef_sip_cseq_t cseq;
    ef_str_t callid;
    uint32_t mf;
    bool star;
    size_t i;
    int bad = 0;

    if (ef_sip_parse(buf, len, EF_SIP_DATAGRAM, &m, hdrs, 64, NULL, NULL) < 0)
        return -1;
    for (i = 0; i < m.n_headers; i++) {
        const char *p = hdrs[i].value.ptr;
        size_t n = hdrs[i].value.len;

        switch (hdrs[i].id) {
        case EF_HDR_VIA:
            bad |= ef_sip_parse_via(p, n, via, 8, NULL) < 0;
            break;
        case EF_HDR_FROM:
        case EF_HDR_TO:
            bad |= ef_sip_parse_addr(p, n, addr, NULL) < 0;
            break;
        case EF_HDR_ROUTE:
            bad |= ef_sip_parse_addr_list(p, n, addr, 8, &star, NULL) < 0;
            break;
        case EF_HDR_CSEQ:
            bad |= ef_sip_parse_cseq(p, n, &cseq, NULL) < 0;
            break;
        case EF_HDR_CALL_ID:
            bad |= ef_sip_parse_callid(p, n, &callid, NULL) < 0;
            break;
        case EF_HDR_MAX_FORWARDS:
            bad |= ef_sip_parse_uint(p, n, 255, &mf, NULL) < 0;
            break;
        default:
            break;
        }
    }
    return bad ? -1 : 0;
}

/* libosip2 parses every header it knows into allocated structures */
static int parse_osip(const char *buf, size_t len)
{
    osip_message_t *m = NULL;
    int rc;

    if (osip_message_init(&m) != 0)
        return -1;
    rc = osip_message_parse(m, buf, len);
    osip_message_free(m);
    return rc == 0 ? 0 : -1;
}

/* sofia-sip: msg_make extracts and parses the headers of its SIP class */
static int parse_sofia(const char *buf, size_t len)
{
    msg_t *msg = msg_make(sip_default_mclass(), 0, buf, (isize_t)len);
    sip_t *sip = msg ? sip_object(msg) : NULL;
    int rc = sip != NULL && sip->sip_via != NULL && sip->sip_cseq != NULL && sip->sip_from &&
                     sip->sip_to && sip->sip_call_id
                 ? 0
                 : -1;

    msg_destroy(msg);
    return rc;
}

static double rate(const struct corpus *c, double seconds, int (*fn)(const char *, size_t))
{
    double start = now_s(), elapsed = 0;
    unsigned long msgs = 0;
    unsigned round;
    size_t i;

    for (round = 0; round < MAX_ROUNDS && elapsed < seconds; round++) {
        for (i = 0; i < c->n; i++)
            if (fn(c->msg[i], c->len[i]) != 0)
                return -1;
        msgs += c->n;
        if (round % 16 == 0)
            elapsed = now_s() - start;
    }
    return (double)msgs / (now_s() - start);
}

/* The best of three runs: a shared machine's noise only ever slows a run down. */
static double best_rate(const struct corpus *c, double seconds, int (*fn)(const char *, size_t))
{
    double best = 0, r;
    int i;

    for (i = 0; i < 3; i++)
        if ((r = rate(c, seconds / 3, fn)) > best)
            best = r;
    return best;
}

static int load(struct corpus *c, const char *path)
{
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t n;

    if (f == NULL || c->n >= MAX_MSGS)
        return -1;
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    c->msg[c->n] = malloc(n + 1);
    if (c->msg[c->n] == NULL)
        return -1;
    memcpy(c->msg[c->n], buf, n);
    c->msg[c->n][n] = '\0'; /* osip wants a terminated string */
    c->len[c->n++] = n;
    c->bytes += n;
    return 0;
}

int main(int argc, char **argv)
{
    struct corpus c = {.n = 0};
    double seconds = argc > 1 ? atof(argv[1]) : 0, ours, osip, sofia, mb;
    int i;

    if (seconds <= 0 || seconds > 60 || argc < 3) {
        fputs("usage: bench_sip SECONDS FILE...\n", stderr);
        return 2;
    }
    for (i = 2; i < argc; i++)
        if (load(&c, argv[i]) < 0) {
            fprintf(stderr, "bench_sip: cannot load %s\n", argv[i]);
            return 1;
        }
    parser_init();
    for (i = 0; i < (int)c.n; i++)
        if (parse_ours(c.msg[i], c.len[i]) || parse_osip(c.msg[i], c.len[i]) ||
            parse_sofia(c.msg[i], c.len[i])) {
            fprintf(stderr, "bench_sip: %s does not parse in every parser\n", argv[i + 2]);
            return 1;
        }
    mb = (double)c.bytes / (double)c.n / 1e6;
    ours = best_rate(&c, seconds, parse_ours);
    osip = best_rate(&c, seconds, parse_osip);
    sofia = best_rate(&c, seconds, parse_sofia);
    printf("%zu messages, %zu bytes on average; one thread, best of 3 runs\n", c.n, c.bytes / c.n);
    printf("libenumfed  %10.0f msg/s %8.1f MB/s\n", ours, ours * mb);
    printf("libosip2    %10.0f msg/s %8.1f MB/s\n", osip, osip * mb);
    printf("sofia-sip   %10.0f msg/s %8.1f MB/s\n", sofia, sofia * mb);
    printf("ratio libenumfed / libosip2:  %6.2f\n", ours / osip);
    printf("ratio libenumfed / sofia-sip: %6.2f\n", ours / sofia);
    for (i = 0; i < (int)c.n; i++)
        free(c.msg[i]);
    return 0;
}
