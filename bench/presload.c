/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * presload.c -- the load generator of bench_presence.sh: many watchers of a
 * presence agent over UDP on loopback, in one process with one epoll loop.
 *
 * It holds SUBSCRIBE dialogs (distinct Call-IDs and From tags, each watcher's
 * Contact on one of several local sockets), answers every NOTIFY with 200 OK
 * (Via, From, To, Call-ID and CSeq copied), sends PUBLISHes (RFC 3903 entity
 * tags kept per presentity) and measures, in phases:
 *
 *   hold    N subscriptions to P presentities h0..h(P-1), in two halves;
 *           the memory of the server (RSS and PSS from /proc) before, after
 *           each half, each time SETTLE s after the last answer;
 *   fan     F more subscriptions to one presentity "fan0", then R PUBLISHes
 *           for it, one at a time: each must bring F NOTIFYs;
 *   stream  PUBLISHes at Q/s for S seconds, round robin over h0..h(P-1),
 *           each bringing N/P NOTIFYs.
 *
 * The CPU time of the server (utime + stime of every given process, from
 * /proc/PID/stat) is read around each phase. Everything it prints is one
 * "key=value" line per figure, for the script to read. Requests are
 * retransmitted on UDP (500 ms doubling to 4 s, 6 times at most); a phase
 * ends when the server has not answered for TIMEOUT s (-T, 60), every wait
 * is bounded, so it always ends.
 *
 * usage: presload -s IP:PORT -l IP [-b PORT] [-k SOCKETS] -d DOMAIN -n N -P P
 *                 [-f F] [-r R] [-q Q] [-t S] [-R RATE] [-w WINDOW] [-e EXPIRES]
 *                 [-W SETTLE] [-T TIMEOUT] [PID...]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SOCKS_MAX 64
#define PIDS_MAX 256
#define BATCH 64         /* datagrams per recvmmsg */
#define PKT_MAX 8192     /* what a NOTIFY of this benchmark can be */
#define RETRIES 6        /* retransmissions of a request */
#define ETAG_MAX 64      /* an entity tag kept for SIP-If-Match */
#define SUBS_MAX 4000000 /* subscriptions one run may hold */

enum kind { K_SUB, K_PUB };
enum state { ST_IDLE, ST_PENDING, ST_OK, ST_FAIL, ST_TIMEOUT };

/* a request in flight: SUBSCRIBE (one per watcher) or PUBLISH */
struct req {
    uint32_t sent_ms; /* last (re)transmission, ms since start */
    uint8_t state, tries;
    uint16_t status;
    uint16_t notify_cseq; /* SUBSCRIBE: the highest NOTIFY CSeq seen */
};

struct ring_ent {
    uint32_t id; /* kind in the top bit, index below */
    uint32_t sent_ms;
};

static struct {
    struct sockaddr_in server, local[SOCKS_MAX];
    int fd[SOCKS_MAX], nsock, ep;
    const char *domain, *local_ip;
    uint32_t n_hold, n_pres, n_fan, fan_rounds, stream_rate, stream_secs;
    uint32_t rate, window, expires, settle_s, timeout_s;
    pid_t pids[PIDS_MAX];
    int npids;
    unsigned nonce;
    struct timespec t0;

    struct req *subs; /* 0..n_hold-1: hold set, then the fan set */
    struct req *pubs; /* every PUBLISH of the run, in order */
    uint32_t n_pubs, pubs_cap;
    uint32_t *pub_pres;     /* presentity of each PUBLISH */
    char (*etag)[ETAG_MAX]; /* per presentity; index n_pres = fan0 */
    uint8_t *pres_busy;     /* a PUBLISH of this presentity is in flight */
    uint32_t pub_seq;

    struct ring_ent *ring; /* requests in flight, oldest first */
    uint32_t ring_cap, ring_head, ring_tail;
    uint32_t inflight;
    uint64_t finals; /* requests finished (answered or given up) */

    /* counters */
    uint64_t notify_hold, notify_fan, notify_terminated, notify_other, notify_dup, rx, tx, bad;
    uint64_t codes[7]; /* final responses by class, 1..6; [0] unparsed */
} G;

static uint32_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint32_t)((t.tv_sec - G.t0.tv_sec) * 1000 + (t.tv_nsec - G.t0.tv_nsec) / 1000000);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - G.t0.tv_sec) + (double)(t.tv_nsec - G.t0.tv_nsec) / 1e9;
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("presload: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void out(const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s=", key);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    va_end(ap);
}

/* ---- the server's processes, from /proc ----------------------------------------- */

/* utime + stime (clock ticks) of every server process, its threads included */
static uint64_t cpu_ticks(void)
{
    uint64_t sum = 0;
    for (int i = 0; i < G.npids; i++) {
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)G.pids[i]);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *p = strrchr(buf, ')'); /* the command name may hold spaces */
        unsigned long ut = 0, st = 0;
        /* after ")": state ppid pgrp session tty tpgid flags minflt cminflt
         * majflt cmajflt utime stime (fields 3..15 of proc(5)) */
        if (p != NULL &&
            sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
            sum += ut + st;
    }
    return sum;
}

static uint64_t proc_kb(pid_t pid, const char *file, const char *key)
{
    char path[64], line[256];
    size_t kl = strlen(key);
    uint64_t v = 0;
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, key, kl) == 0) {
            v = strtoull(line + kl, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

/* RSS and PSS (kB) summed over the server's processes; PSS counts a page
 * shared by k processes 1/k in each, so its sum is what they hold together */
static void memory(const char *tag)
{
    uint64_t rss = 0, pss = 0;
    for (int i = 0; i < G.npids; i++) {
        rss += proc_kb(G.pids[i], "status", "VmRSS:");
        pss += proc_kb(G.pids[i], "smaps_rollup", "Pss:");
    }
    char k[64];
    snprintf(k, sizeof k, "%s_rss_kb", tag);
    out(k, "%" PRIu64, rss);
    snprintf(k, sizeof k, "%s_pss_kb", tag);
    out(k, "%" PRIu64, pss);
}

/* ---- building requests -------------------------------------------------------- */

static int sock_of(uint32_t i)
{
    return (int)(i % (uint32_t)G.nsock);
}

static const char *pres_name(uint32_t p, char *buf, size_t cap)
{
    if (p == G.n_pres)
        snprintf(buf, cap, "fan0");
    else
        snprintf(buf, cap, "h%" PRIu32, p);
    return buf;
}

/* subscription i: watcher w<i>, presentity h<i % P> or fan0 (the fan set) */
static int build_subscribe(uint32_t i, char *b, size_t cap)
{
    char pres[32];
    int s = sock_of(i);
    unsigned port = ntohs(G.local[s].sin_port);
    pres_name(i < G.n_hold ? i % G.n_pres : G.n_pres, pres, sizeof pres);
    return snprintf(b, cap,
                    "SUBSCRIBE sip:%s@%s SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK-s%" PRIu32 ".%x;rport\r\n"
                    "Max-Forwards: 70\r\n"
                    "From: <sip:w%" PRIu32 "@%s>;tag=f%" PRIu32 ".%x\r\n"
                    "To: <sip:%s@%s>\r\n"
                    "Call-ID: s%" PRIu32 ".%x@presload\r\n"
                    "CSeq: 1 SUBSCRIBE\r\n"
                    "Contact: <sip:w%" PRIu32 "@%s:%u>\r\n"
                    "Event: presence\r\n"
                    "Accept: application/pidf+xml\r\n"
                    "Expires: %" PRIu32 "\r\n"
                    "Content-Length: 0\r\n\r\n",
                    pres, G.domain, G.local_ip, port, i, G.nonce, i, G.domain, i, G.nonce, pres,
                    G.domain, i, G.nonce, i, G.local_ip, port, G.expires);
}

/* PUBLISH k: its presentity's state alternates open/closed, with a note that
 * changes every time, so every PUBLISH is a change to notify */
static int build_publish(uint32_t k, char *b, size_t cap)
{
    char pres[32], body[600], match[ETAG_MAX + 32] = "";
    uint32_t p = G.pub_pres[k];
    int s = sock_of(k);
    unsigned port = ntohs(G.local[s].sin_port);
    pres_name(p, pres, sizeof pres);
    int bl = snprintf(body, sizeof body,
                      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
                      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"pres:%s@%s\">\r\n"
                      "<tuple id=\"t1\"><status><basic>%s</basic></status>"
                      "<note>update %" PRIu32 "</note></tuple>\r\n</presence>\r\n",
                      pres, G.domain, k % 2 ? "closed" : "open", k);
    if (G.etag[p][0] != '\0')
        snprintf(match, sizeof match, "SIP-If-Match: %s\r\n", G.etag[p]);
    return snprintf(b, cap,
                    "PUBLISH sip:%s@%s SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK-p%" PRIu32 ".%x;rport\r\n"
                    "Max-Forwards: 70\r\n"
                    "From: <sip:%s@%s>;tag=p%" PRIu32 ".%x\r\n"
                    "To: <sip:%s@%s>\r\n"
                    "Call-ID: p%" PRIu32 ".%x@presload\r\n"
                    "CSeq: 1 PUBLISH\r\n"
                    "Event: presence\r\n"
                    "Expires: %" PRIu32 "\r\n"
                    "%s"
                    "Content-Type: application/pidf+xml\r\n"
                    "Content-Length: %d\r\n\r\n%s",
                    pres, G.domain, G.local_ip, port, k, G.nonce, pres, G.domain, k, G.nonce, pres,
                    G.domain, k, G.nonce, G.expires, match, bl, body);
}

static void send_req(enum kind kind, uint32_t idx)
{
    char b[PKT_MAX];
    int len = kind == K_SUB ? build_subscribe(idx, b, sizeof b) : build_publish(idx, b, sizeof b);
    int s = sock_of(idx);
    if (len <= 0 || (size_t)len >= sizeof b)
        die("request %u too long", idx);
    /* a full socket buffer loses it like the network would: retransmitted */
    if (sendto(G.fd[s], b, (size_t)len, 0, (struct sockaddr *)&G.server, sizeof G.server) > 0)
        G.tx++;
}

static struct req *req_of(uint32_t id)
{
    return (id >> 31) ? &G.pubs[id & 0x7fffffffu] : &G.subs[id];
}

static bool ring_push(uint32_t id, uint32_t ms)
{
    uint32_t next = (G.ring_tail + 1) % G.ring_cap;
    if (next == G.ring_head)
        return false;
    G.ring[G.ring_tail] = (struct ring_ent){id, ms};
    G.ring_tail = next;
    return true;
}

static bool start_req(enum kind kind, uint32_t idx)
{
    uint32_t id = kind == K_PUB ? (idx | 0x80000000u) : idx;
    struct req *r = req_of(id);
    uint32_t ms = now_ms();
    if (!ring_push(id, ms))
        return false;
    r->sent_ms = ms;
    r->state = ST_PENDING;
    r->tries = 0;
    G.inflight++;
    send_req(kind, idx);
    return true;
}

static void req_done(struct req *r, int state, int status)
{
    if (r->state != ST_PENDING)
        return;
    r->state = (uint8_t)state;
    r->status = (uint16_t)status;
    G.inflight--;
    G.finals++;
}

/* retransmissions of requests that got no final response (RFC 3261 §17.1.2.2) */
static void retransmit(void)
{
    uint32_t ms = now_ms();
    while (G.ring_head != G.ring_tail) {
        struct ring_ent e = G.ring[G.ring_head];
        struct req *r = req_of(e.id);
        if (r->state != ST_PENDING || r->sent_ms != e.sent_ms) { /* answered, or queued again */
            G.ring_head = (G.ring_head + 1) % G.ring_cap;
            continue;
        }
        uint32_t wait = 500u << (r->tries < 3 ? r->tries : 3);
        if (ms - e.sent_ms < wait)
            break;
        G.ring_head = (G.ring_head + 1) % G.ring_cap;
        if (r->tries >= RETRIES) {
            req_done(r, ST_TIMEOUT, 408);
            if (e.id >> 31)
                G.pres_busy[G.pub_pres[e.id & 0x7fffffffu]] = 0;
            continue;
        }
        r->tries++;
        r->sent_ms = ms;
        if (!ring_push(e.id, ms)) { /* cannot happen: one entry was just taken */
            req_done(r, ST_TIMEOUT, 408);
            continue;
        }
        send_req((e.id >> 31) ? K_PUB : K_SUB, e.id & 0x7fffffffu);
    }
}

/* ---- receiving ---------------------------------------------------------------- */

/* the value of the first header named name (or its compact form c), trimmed */
static bool header(const char *m, size_t len, const char *name, char c, const char **v, size_t *vl)
{
    const char *p = memchr(m, '\n', len), *end = m + len;
    size_t nl = strlen(name);
    while (p != NULL && ++p < end && *p != '\r' && *p != '\n') {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *e = eol != NULL ? eol : end;
        const char *colon = memchr(p, ':', (size_t)(e - p));
        if (colon != NULL) {
            const char *ne = colon;
            while (ne > p && (ne[-1] == ' ' || ne[-1] == '\t'))
                ne--;
            size_t n = (size_t)(ne - p);
            if ((n == nl && strncasecmp(p, name, nl) == 0) ||
                (n == 1 && c != 0 && (*p | 0x20) == c)) {
                const char *s = colon + 1;
                while (s < e && (*s == ' ' || *s == '\t'))
                    s++;
                const char *t = e;
                while (t > s && (t[-1] == '\r' || t[-1] == ' '))
                    t--;
                *v = s;
                *vl = (size_t)(t - s);
                return true;
            }
        }
        p = eol;
    }
    return false;
}

/* our Call-IDs: s<index>.<nonce>@presload or p<index>.<nonce>@presload */
static bool our_call_id(const char *m, size_t len, char *kind, uint32_t *idx)
{
    const char *v;
    size_t vl;
    char buf[64];
    unsigned nonce;
    if (!header(m, len, "Call-ID", 'i', &v, &vl) || vl >= sizeof buf)
        return false;
    memcpy(buf, v, vl);
    buf[vl] = '\0';
    return sscanf(buf, "%c%" SCNu32 ".%x@presload", kind, idx, &nonce) == 3 && nonce == G.nonce &&
           (*kind == 's' || *kind == 'p');
}

static void on_response(const char *m, size_t len)
{
    char kind;
    uint32_t idx;
    int status = atoi(m + 8);
    if (status < 100 || status > 699 || !our_call_id(m, len, &kind, &idx)) {
        G.bad++;
        return;
    }
    if (status < 200)
        return;
    if (kind == 's') {
        if (idx >= G.n_hold + G.n_fan)
            return;
        if (G.subs[idx].state == ST_PENDING)
            G.codes[status / 100]++;
        req_done(&G.subs[idx], status < 300 ? ST_OK : ST_FAIL, status);
        return;
    }
    if (idx >= G.n_pubs || G.pubs[idx].state != ST_PENDING)
        return;
    G.codes[status / 100]++;
    uint32_t p = G.pub_pres[idx];
    const char *v;
    size_t vl;
    if (status < 300 && header(m, len, "SIP-ETag", 0, &v, &vl) && vl < ETAG_MAX) {
        memcpy(G.etag[p], v, vl);
        G.etag[p][vl] = '\0';
    } else if (status == 412) {
        G.etag[p][0] = '\0'; /* RFC 3903 §6: the next one starts afresh */
    }
    G.pres_busy[p] = 0;
    req_done(&G.pubs[idx], status < 300 ? ST_OK : ST_FAIL, status);
}

/* 200 OK to a NOTIFY: Via (every one), From, To, Call-ID, CSeq (RFC 3261 §8.2.6.2) */
static size_t answer_notify(const char *m, size_t len, char *b, size_t cap)
{
    static const struct {
        const char *name;
        char c;
    } copy[] = {{"Via", 'v'}, {"From", 'f'}, {"To", 't'}, {"Call-ID", 'i'}, {"CSeq", 0}};
    size_t o = (size_t)snprintf(b, cap, "SIP/2.0 200 OK\r\n");
    for (size_t k = 0; k < sizeof copy / sizeof copy[0]; k++) {
        const char *p = memchr(m, '\n', len), *end = m + len;
        size_t nl = strlen(copy[k].name);
        while (p != NULL && ++p < end && *p != '\r' && *p != '\n') {
            const char *eol = memchr(p, '\n', (size_t)(end - p));
            const char *e = eol != NULL ? eol + 1 : end;
            const char *colon = memchr(p, ':', (size_t)(e - p));
            if (colon != NULL) {
                const char *ne = colon;
                while (ne > p && (ne[-1] == ' ' || ne[-1] == '\t'))
                    ne--;
                size_t n = (size_t)(ne - p);
                if (((n == nl && strncasecmp(p, copy[k].name, nl) == 0) ||
                     (n == 1 && copy[k].c != 0 && (*p | 0x20) == copy[k].c)) &&
                    o + (size_t)(e - p) + 2 < cap) {
                    memcpy(b + o, p, (size_t)(e - p));
                    o += (size_t)(e - p);
                    if (b[o - 1] != '\n') { /* the last line of a message without a body */
                        b[o++] = '\r';
                        b[o++] = '\n';
                    }
                }
            }
            p = eol;
        }
    }
    o += (size_t)snprintf(b + o, cap - o, "Content-Length: 0\r\n\r\n");
    return o < cap ? o : 0;
}

static void on_notify(const char *m, size_t len)
{
    char kind;
    uint32_t idx;
    const char *v;
    size_t vl;
    if (!our_call_id(m, len, &kind, &idx) || kind != 's' || idx >= G.n_hold + G.n_fan) {
        G.notify_other++;
        return;
    }
    /* a retransmission (our 200 was lost or late) is answered, not counted */
    unsigned long cseq = header(m, len, "CSeq", 0, &v, &vl) ? strtoul(v, NULL, 10) : 0;
    if (cseq <= G.subs[idx].notify_cseq) {
        G.notify_dup++;
        return;
    }
    G.subs[idx].notify_cseq = (uint16_t)(cseq < UINT16_MAX ? cseq : UINT16_MAX);
    if (idx < G.n_hold)
        G.notify_hold++;
    else
        G.notify_fan++;
    if (header(m, len, "Subscription-State", 0, &v, &vl) && vl >= 10 &&
        strncasecmp(v, "terminated", 10) == 0)
        G.notify_terminated++;
}

static void drain(int s)
{
    static char bufs[BATCH][PKT_MAX], reps[BATCH][1024];
    static struct mmsghdr in[BATCH], rep[BATCH];
    static struct iovec iov[BATCH], riov[BATCH];
    static struct sockaddr_in from[BATCH];
    for (int round = 0; round < 16; round++) { /* then the other sockets get a turn */
        for (int i = 0; i < BATCH; i++) {
            iov[i] = (struct iovec){bufs[i], PKT_MAX - 1};
            in[i].msg_hdr = (struct msghdr){.msg_name = &from[i],
                                            .msg_namelen = sizeof from[i],
                                            .msg_iov = &iov[i],
                                            .msg_iovlen = 1};
        }
        int n = recvmmsg(G.fd[s], in, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
            return;
        int nr = 0;
        for (int i = 0; i < n; i++) {
            char *m = bufs[i];
            size_t len = in[i].msg_len;
            G.rx++;
            if (len < 12) {
                G.bad++;
                continue;
            }
            m[len] = '\0';
            if (strncmp(m, "SIP/2.0 ", 8) == 0) {
                on_response(m, len);
            } else if (strncmp(m, "NOTIFY ", 7) == 0) {
                on_notify(m, len);
                size_t rl = answer_notify(m, len, reps[nr], sizeof reps[nr]);
                if (rl > 0) {
                    riov[nr] = (struct iovec){reps[nr], rl};
                    rep[nr].msg_hdr = (struct msghdr){.msg_name = &from[i],
                                                      .msg_namelen = in[i].msg_hdr.msg_namelen,
                                                      .msg_iov = &riov[nr],
                                                      .msg_iovlen = 1};
                    nr++;
                }
            } else {
                G.bad++;
            }
        }
        for (int k = 0; k < nr;) {
            int sent = sendmmsg(G.fd[s], rep + k, (unsigned)(nr - k), 0);
            if (sent <= 0)
                break; /* a lost 200: the server retransmits its NOTIFY */
            k += sent;
            G.tx += (uint64_t)sent;
        }
        if (n < BATCH)
            return;
    }
}

/* one turn of the loop: what has arrived, then retransmissions */
static void poll_once(int timeout_ms)
{
    struct epoll_event ev[SOCKS_MAX];
    int n = epoll_wait(G.ep, ev, SOCKS_MAX, timeout_ms);
    for (int i = 0; i < n; i++)
        drain((int)ev[i].data.u32);
    retransmit();
}

/* answer for secs seconds, or until done() says so */
static void run_for(double secs, bool (*done)(void))
{
    double end = now_s() + secs;
    while (now_s() < end && (done == NULL || !done()))
        poll_once(5);
}

/* ---- phases ------------------------------------------------------------------- */

static uint32_t want_notify;
static uint64_t *watch_counter;
static bool none_in_flight(void)
{
    return G.inflight == 0;
}
static bool notifies_in(void)
{
    return *watch_counter >= want_notify;
}

/* subscribe [from, to): at most G.rate a second, G.window in flight */
static void subscribe_range(const char *tag, uint32_t from, uint32_t to, uint64_t *counter)
{
    double t0 = now_s(), t_prog = t0;
    uint64_t n0 = *counter, c0 = cpu_ticks(), done = G.finals;
    uint32_t next = from;
    char k[64];
    /* as long as the server answers: stopped by -T seconds without an answer */
    while (next < to && now_s() - t_prog < G.timeout_s) {
        if (G.finals != done) {
            done = G.finals;
            t_prog = now_s();
        }
        double allowed = (now_s() - t0) * G.rate + 64;
        while (next < to && G.inflight < G.window && (double)(next - from) < allowed &&
               start_req(K_SUB, next))
            next++;
        poll_once(1);
    }
    run_for(G.timeout_s, none_in_flight);
    double t1 = now_s();
    uint32_t ok = 0, fail = 0, timeout = 0, first_fail = 0;
    for (uint32_t i = from; i < to; i++) {
        if (G.subs[i].state == ST_OK)
            ok++;
        else if (G.subs[i].state == ST_FAIL && fail++ == 0)
            first_fail = G.subs[i].status;
        else if (G.subs[i].state != ST_FAIL)
            timeout++;
    }
    /* the first NOTIFY of each (RFC 6665 §4.2.1.1), a few seconds at most */
    want_notify = (uint32_t)n0 + ok;
    watch_counter = counter;
    run_for(10, notifies_in);
    uint64_t c1 = cpu_ticks();
#define OUT(name, ...)                                                                             \
    do {                                                                                           \
        snprintf(k, sizeof k, "%s_%s", tag, name);                                                 \
        out(k, __VA_ARGS__);                                                                       \
    } while (0)
    OUT("sent", "%" PRIu32, next - from);
    OUT("ok", "%" PRIu32, ok);
    OUT("failed", "%" PRIu32, fail);
    OUT("first_failure", "%" PRIu32, first_fail);
    OUT("timeout", "%" PRIu32, timeout);
    OUT("secs", "%.3f", t1 - t0);
    OUT("per_s", "%.0f", t1 > t0 ? ok / (t1 - t0) : 0.0);
    OUT("notify", "%" PRIu64, *counter - n0);
    OUT("cpu_ticks", "%" PRIu64, c1 - c0);
}

static uint32_t new_pub(uint32_t pres)
{
    if (G.n_pubs >= G.pubs_cap)
        return UINT32_MAX;
    uint32_t k = G.n_pubs++;
    G.pub_pres[k] = pres;
    G.pres_busy[pres] = 1;
    if (!start_req(K_PUB, k)) {
        G.pres_busy[pres] = 0;
        G.n_pubs--;
        return UINT32_MAX;
    }
    return k;
}

/* R PUBLISHes of fan0, one after another; each must bring n_fan NOTIFYs */
static void fan_phase(void)
{
    uint32_t rounds_ok = 0, pub_fail = 0;
    uint64_t got = 0;
    double busy = 0, worst = 0;
    uint64_t c0 = cpu_ticks(), dup0 = G.notify_dup;
    for (uint32_t r = 0; r < G.fan_rounds; r++) {
        uint64_t n0 = G.notify_fan;
        double t0 = now_s();
        uint32_t k = new_pub(G.n_pres);
        if (k == UINT32_MAX)
            break;
        want_notify = (uint32_t)(n0 + G.n_fan);
        watch_counter = &G.notify_fan;
        run_for(G.timeout_s, notifies_in);
        double t1 = now_s();
        run_for(G.timeout_s, none_in_flight); /* its 200 (it may come after the NOTIFYs) */
        if (G.pubs[k].state != ST_OK)
            pub_fail++;
        got += G.notify_fan - n0;
        if (G.notify_fan - n0 >= G.n_fan)
            rounds_ok++;
        busy += t1 - t0;
        if (t1 - t0 > worst)
            worst = t1 - t0;
        run_for(0.2, NULL); /* stragglers, retransmissions: not counted in the time */
    }
    uint64_t c1 = cpu_ticks();
    out("fan_rounds", "%" PRIu32, G.fan_rounds);
    out("fan_rounds_complete", "%" PRIu32, rounds_ok);
    out("fan_publish_failed", "%" PRIu32, pub_fail);
    out("fan_notify", "%" PRIu64, got);
    out("fan_secs", "%.3f", busy);
    out("fan_worst_round_secs", "%.3f", worst);
    out("fan_notify_per_s", "%.0f", busy > 0 ? (double)got / busy : 0.0);
    out("fan_cpu_ticks", "%" PRIu64, c1 - c0);
    out("fan_notify_retransmitted", "%" PRIu64, G.notify_dup - dup0);
}

/* PUBLISHes at Q/s for S seconds over the hold presentities, round robin */
static void stream_phase(void)
{
    uint64_t n0 = G.notify_hold, c0 = cpu_ticks(), dup0 = G.notify_dup;
    uint32_t k0 = G.n_pubs, next_pres = 0, skipped = 0;
    double t0 = now_s(), end = t0 + G.stream_secs;
    uint64_t sent = 0;
    while (now_s() < end) {
        double allowed = (now_s() - t0) * G.stream_rate;
        while ((double)sent < allowed && G.inflight < G.window) {
            uint32_t p = next_pres;
            next_pres = (next_pres + 1) % G.n_pres;
            if (G.pres_busy[p]) {
                skipped++;
                if (skipped > G.n_pres * 4u)
                    break;
                continue;
            }
            if (new_pub(p) == UINT32_MAX)
                break;
            sent++;
        }
        poll_once(1);
    }
    double t_sent = now_s();
    run_for(G.timeout_s, none_in_flight);
    uint32_t ok = 0;
    for (uint32_t k = k0; k < G.n_pubs; k++)
        ok += G.pubs[k].state == ST_OK;
    /* every watcher of each published presentity: N/P NOTIFYs a PUBLISH */
    uint32_t per = G.n_hold / G.n_pres;
    want_notify = (uint32_t)(n0 + (uint64_t)ok * per);
    watch_counter = &G.notify_hold;
    uint64_t last = G.notify_hold;
    double t_last = now_s(), limit = now_s() + G.timeout_s;
    while (G.notify_hold < want_notify && now_s() < limit && now_s() - t_last < 3) {
        poll_once(5);
        if (G.notify_hold != last) {
            last = G.notify_hold;
            t_last = now_s();
        }
    }
    uint64_t c1 = cpu_ticks();
    double secs = (G.notify_hold >= want_notify ? now_s() : t_last) - t0;
    out("stream_publish_sent", "%" PRIu64, sent);
    out("stream_publish_ok", "%" PRIu32, ok);
    out("stream_publish_secs", "%.3f", t_sent - t0);
    out("stream_publish_per_s", "%.0f", (double)ok / (t_sent - t0));
    out("stream_notify_expected", "%" PRIu64, (uint64_t)ok * per);
    out("stream_notify", "%" PRIu64, G.notify_hold - n0);
    out("stream_secs", "%.3f", secs);
    out("stream_notify_per_s", "%.0f", secs > 0 ? (double)(G.notify_hold - n0) / secs : 0.0);
    out("stream_cpu_ticks", "%" PRIu64, c1 - c0);
    out("stream_notify_retransmitted", "%" PRIu64, G.notify_dup - dup0);
}

/* ---- set-up -------------------------------------------------------------------- */

static void parse_addr(const char *s, struct sockaddr_in *a)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    if (colon == NULL || (size_t)(colon - s) >= sizeof host)
        die("%s: not IP:PORT", s);
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
        die("%s: not an IPv4 address", host);
}

static uint32_t num(const char *s, uint32_t min, uint32_t max, char opt)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < min || v > max)
        die("-%c %s: not a number in %u..%u", opt, s, min, max);
    return (uint32_t)v;
}

static void open_sockets(uint32_t base)
{
    G.ep = epoll_create1(EPOLL_CLOEXEC);
    if (G.ep < 0)
        die("epoll_create1: %s", strerror(errno));
    for (int i = 0; i < G.nsock; i++) {
        int buf = 8 << 20;
        G.local[i] = (struct sockaddr_in){.sin_family = AF_INET,
                                          .sin_port = htons((uint16_t)(base + (uint32_t)i))};
        inet_pton(AF_INET, G.local_ip, &G.local[i].sin_addr);
        G.fd[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (G.fd[i] < 0 || bind(G.fd[i], (struct sockaddr *)&G.local[i], sizeof G.local[i]) != 0)
            die("bind %s:%u: %s", G.local_ip, base + (uint32_t)i, strerror(errno));
        setsockopt(G.fd[i], SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
        setsockopt(G.fd[i], SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        if (epoll_ctl(G.ep, EPOLL_CTL_ADD, G.fd[i], &ev) != 0)
            die("epoll_ctl: %s", strerror(errno));
    }
}

static void usage(void)
{
    fputs("usage: presload -s IP:PORT -l IP [-b PORT] [-k SOCKETS] -d DOMAIN -n N -P P\n"
          "                [-f F] [-r R] [-q Q] [-t S] [-R RATE] [-w WINDOW] [-e EXPIRES]\n"
          "                [-W SETTLE] [-T TIMEOUT] [PID...]\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    int c;
    uint32_t base = 5100;
    const char *server = NULL;
    G.nsock = 8;
    G.n_fan = 10000;
    G.fan_rounds = 5;
    G.stream_rate = 2000;
    G.stream_secs = 10;
    G.rate = 20000;
    G.window = 2000;
    G.expires = 3600;
    G.settle_s = 7;
    G.timeout_s = 60;
    while ((c = getopt(argc, argv, "s:l:b:k:d:n:P:f:r:q:t:R:w:e:W:T:")) != -1) {
        switch (c) {
        case 's':
            server = optarg;
            break;
        case 'l':
            G.local_ip = optarg;
            break;
        case 'b':
            base = num(optarg, 1024, 65000, 'b');
            break;
        case 'k':
            G.nsock = (int)num(optarg, 1, SOCKS_MAX, 'k');
            break;
        case 'd':
            G.domain = optarg;
            break;
        case 'n':
            G.n_hold = num(optarg, 1, SUBS_MAX, 'n');
            break;
        case 'P':
            G.n_pres = num(optarg, 1, SUBS_MAX, 'P');
            break;
        case 'f':
            G.n_fan = num(optarg, 0, SUBS_MAX, 'f');
            break;
        case 'r':
            G.fan_rounds = num(optarg, 0, 1000, 'r');
            break;
        case 'q':
            G.stream_rate = num(optarg, 0, 1000000, 'q');
            break;
        case 't':
            G.stream_secs = num(optarg, 0, 3600, 't');
            break;
        case 'R':
            G.rate = num(optarg, 1, 10000000, 'R');
            break;
        case 'w':
            G.window = num(optarg, 1, 1000000, 'w');
            break;
        case 'e':
            G.expires = num(optarg, 60, 86400, 'e');
            break;
        case 'W':
            G.settle_s = num(optarg, 0, 600, 'W');
            break;
        case 'T':
            G.timeout_s = num(optarg, 1, 3600, 'T');
            break;
        default:
            usage();
        }
    }
    if (server == NULL || G.local_ip == NULL || G.domain == NULL || G.n_hold == 0 ||
        G.n_pres == 0 || G.n_pres > G.n_hold)
        usage();
    for (int i = optind; i < argc && G.npids < PIDS_MAX; i++)
        G.pids[G.npids++] = (pid_t)num(argv[i], 1, 1u << 30, 'p');
    if (G.n_hold + G.n_fan > SUBS_MAX)
        die("too many subscriptions");
    parse_addr(server, &G.server);
    clock_gettime(CLOCK_MONOTONIC, &G.t0);
    G.nonce = (unsigned)getpid() ^ (unsigned)time(NULL);
    G.subs = calloc(G.n_hold + G.n_fan, sizeof *G.subs);
    G.pubs_cap = G.fan_rounds + G.stream_rate * G.stream_secs + 16;
    G.pubs = calloc(G.pubs_cap, sizeof *G.pubs);
    G.pub_pres = calloc(G.pubs_cap, sizeof *G.pub_pres);
    G.etag = calloc(G.n_pres + 1, sizeof *G.etag);
    G.pres_busy = calloc(G.n_pres + 1, 1);
    G.ring_cap = 2 * G.window + 1024;
    G.ring = calloc(G.ring_cap, sizeof *G.ring);
    if (G.subs == NULL || G.pubs == NULL || G.pub_pres == NULL || G.etag == NULL ||
        G.pres_busy == NULL || G.ring == NULL)
        die("out of memory");
    open_sockets(base);

    out("subs", "%" PRIu32, G.n_hold);
    out("presentities", "%" PRIu32, G.n_pres);
    out("watchers_per_presentity", "%" PRIu32, G.n_hold / G.n_pres);
    memory("base");
    /* in two halves, each left to settle (finished transactions leave the
     * server): the second half's growth is what a subscription costs, once
     * the memory of transactions is there to be reused */
    subscribe_range("half", 0, G.n_hold / 2, &G.notify_hold);
    run_for(G.settle_s, NULL);
    memory("half");
    subscribe_range("hold", G.n_hold / 2, G.n_hold, &G.notify_hold);
    memory("hold");
    run_for(G.settle_s, NULL);
    memory("settled");
    if (G.n_fan > 0) {
        subscribe_range("fansub", G.n_hold, G.n_hold + G.n_fan, &G.notify_fan);
        run_for(1, NULL);
        if (G.fan_rounds > 0)
            fan_phase();
    }
    if (G.stream_rate > 0 && G.stream_secs > 0) {
        run_for(1, NULL);
        stream_phase();
    }
    out("responses_1xx_6xx", "%" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64,
        G.codes[1], G.codes[2], G.codes[3], G.codes[4], G.codes[5], G.codes[6]);
    out("notify_terminated", "%" PRIu64, G.notify_terminated);
    out("notify_unknown", "%" PRIu64, G.notify_other);
    out("notify_retransmitted", "%" PRIu64, G.notify_dup);
    out("unparsed", "%" PRIu64, G.bad);
    out("datagrams_in", "%" PRIu64, G.rx);
    out("datagrams_out", "%" PRIu64, G.tx);
    memory("end");
    return 0;
}
