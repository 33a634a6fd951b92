#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
#
# sipc.py -- a one-request SIP client for the enumfedd integration tests.
#
# Sends one request and waits for its final response, then prints
#
#     STATUS REASON
#     Warning: TEXT          (one line per Warning header, when there is one)
#     ...the whole response  (with --full)
#
# Exit status: 0 a final response came; 1 no final response before the
# timeout ("timeout" is printed); 3 the connection was closed without a final
# response ("closed" is printed); 2 usage or socket error.
#
#   sipc.py [options] HOST:PORT
#     -m METHOD        request method (MESSAGE)
#     -u URI           Request-URI (required unless --raw)
#     -f URI           From URI (sip:alice@a.example)
#     -t URI           To URI (the Request-URI)
#     -H 'Name: value' extra header, repeatable; extra Via headers go right
#                      after ours, the others after the standard ones
#     -b TEXT          body (text/plain)
#     --cseq VALUE     CSeq value instead of "1 METHOD"
#     --max-forwards N Max-Forwards (70)
#     -l ADDR[:PORT]   local address to send from (UDP bind / TCP bind)
#     --timeout SECS   how long to wait for the final response (5)
#     --full           print the whole final response after the summary
#     --tcp            send over plain TCP instead of UDP
#     --tls            send over TLS; with --cert, --key (client certificate)
#                      and --ca (CA the server certificate must chain to)
#     --raw FILE       send the bytes of FILE instead of a request ('-' = a
#                      kilobyte of random bytes); prints "closed" if the server
#                      closes the connection, "timeout" if it stays silent
#     --size N         pad the body so the request is N bytes long
#     --hold SECS      keep a stream connection open SECS after the answer
#     --ctype TYPE     Content-Type of the body (text/plain)
#     --call-id ID     Call-ID instead of a random one (a request in a dialog)
#     --to-tag TAG     a To tag (a request in a dialog)
#     --body-file FILE the body, from FILE
#     --auth USER:PASS answer a 401 once with digest credentials (RFC 7616,
#                      qop=auth) for the first challenge whose algorithm is
#                      --algorithm (SHA-256, or MD5)
#     --algorithm ALG  SHA-256 (default) or MD5
import argparse
import hashlib
import os
import random
import select
import socket
import ssl
import sys
import time


def parse_hostport(s, default_port=None):
    if s.startswith('['):
        host, _, rest = s[1:].partition(']')
        port = rest[1:] if rest.startswith(':') else ''
    elif s.count(':') == 1:
        host, port = s.split(':')
    else:
        host, port = s, ''
    if port:
        return host, int(port)
    return host, default_port


def build(a, local):
    branch = 'z9hG4bK-sipc-%08x' % random.getrandbits(32)
    tag = '%08x' % random.getrandbits(32)
    callid = a.call_id or '%016x@sipc' % random.getrandbits(64)
    proto = 'TLS' if a.tls else 'TCP' if a.tcp else 'UDP'
    body = a.body or ''
    vias = ['Via: SIP/2.0/%s %s:%d;branch=%s;rport' % (proto, local[0], local[1], branch)]
    others = []
    for h in a.header:
        (vias if h.lower().startswith('via:') else others).append(h)
    hdrs = vias + [
        'Max-Forwards: %s' % a.max_forwards,
        'From: <%s>;tag=%s' % (a.from_uri, tag),
        'To: <%s>%s' % (a.to or a.uri, ';tag=' + a.to_tag if a.to_tag else ''),
        'Call-ID: %s' % callid,
        'CSeq: %s' % (a.cseq or '1 ' + a.method),
    ] + others
    if body or a.size:
        hdrs.append('Content-Type: ' + a.ctype)

    def render(b):
        bb = b.encode()
        return ('%s %s SIP/2.0\r\n' % (a.method, a.uri) + '\r\n'.join(hdrs) +
                '\r\nContent-Length: %d\r\n\r\n' % len(bb)).encode() + bb

    msg = render(body)
    if a.size and len(msg) < a.size:
        pad = a.size - len(msg)
        msg = render(body + 'x' * pad)
        msg = render(body + 'x' * (pad - (len(msg) - a.size)))
    return msg


def split_response(data):
    """One complete message from the front of a stream buffer: (msg, rest) or (None, data)."""
    head, sep, rest = data.partition(b'\r\n\r\n')
    if not sep:
        return None, data
    clen = 0
    for line in head.split(b'\r\n')[1:]:
        name, _, value = line.partition(b':')
        if name.strip().lower() in (b'content-length', b'l'):
            clen = int(value.strip() or 0)
    if len(rest) < clen:
        return None, data
    return head + sep + rest[:clen], rest[clen:]


def report(msg, full):
    text = msg.decode('utf-8', 'replace')
    lines = text.split('\r\n')
    print(lines[0][len('SIP/2.0 '):])
    for line in lines[1:]:
        if not line:
            break
        name, _, value = line.partition(':')
        if name.strip().lower() == 'warning':
            print('Warning: ' + value.strip())
    if full:
        print(text.rstrip('\r\n'))
    sys.stdout.flush()


def status_of(msg):
    try:
        return int(msg.split(b' ', 2)[1])
    except (IndexError, ValueError):
        return 0


def is_response(msg):
    return msg.startswith(b'SIP/2.0 ')


def challenges(msg):
    """The parameters of each WWW-Authenticate Digest challenge of a response."""
    out = []
    for line in msg.decode('utf-8', 'replace').split('\r\n')[1:]:
        name, _, value = line.partition(':')
        if name.strip().lower() != 'www-authenticate':
            continue
        scheme, _, rest = value.strip().partition(' ')
        params = {}
        for part in rest.split(','):
            k, _, v = part.strip().partition('=')
            params[k.strip().lower()] = v.strip().strip('"')
        out.append(params)
    return out


def authorization(a, msg):
    """An Authorization header answering the challenge of msg, or None."""
    user, _, password = a.auth.partition(':')
    alg = a.algorithm.upper()
    for c in challenges(msg):
        if c.get('algorithm', 'MD5').upper() != alg:
            continue
        h = (lambda x: hashlib.sha256(x.encode()).hexdigest()) if alg == 'SHA-256' else \
            (lambda x: hashlib.md5(x.encode()).hexdigest())
        cnonce, nc = '%016x' % random.getrandbits(64), '00000001'
        ha1 = h('%s:%s:%s' % (user, c['realm'], password))
        ha2 = h('%s:%s' % (a.method, a.uri))
        resp = h(':'.join([ha1, c['nonce'], nc, cnonce, 'auth', ha2]))
        return ('Authorization: Digest username="%s", realm="%s", nonce="%s", uri="%s", '
                'response="%s", algorithm=%s, qop=auth, nc=%s, cnonce="%s"'
                % (user, c['realm'], c['nonce'], a.uri, resp, alg, nc, cnonce))
    return None


def run_udp(a, dest):
    fam = socket.AF_INET6 if ':' in dest[0] else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    lhost, lport = parse_hostport(a.local or ('::' if fam == socket.AF_INET6 else '0.0.0.0'), 0)
    s.bind((lhost, lport or 0))
    local = s.getsockname()
    if lhost in ('0.0.0.0', '::'):
        probe = socket.socket(fam, socket.SOCK_DGRAM)
        probe.connect(dest)
        local = (probe.getsockname()[0], local[1])
        probe.close()
    msg = open(a.raw, 'rb').read() if a.raw and a.raw != '-' else build(a, local)
    s.sendto(msg, dest)
    end = time.monotonic() + a.timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            print('timeout')
            return 1
        r, _, _ = select.select([s], [], [], left)
        if not r:
            continue
        data, _ = s.recvfrom(70000)
        if is_response(data) and status_of(data) == 401 and a.auth and not a.authed:
            cred = authorization(a, data)
            if cred is not None:
                a.authed = True
                a.header.append(cred)
                a.cseq = '2 ' + a.method
                s.sendto(build(a, local), dest)
                end = time.monotonic() + a.timeout
                continue
        if is_response(data) and status_of(data) >= 200:
            report(data, a.full)
            return 0


def run_stream(a, dest):
    fam = socket.AF_INET6 if ':' in dest[0] else socket.AF_INET
    raw = socket.socket(fam, socket.SOCK_STREAM)
    if a.local:
        lhost, lport = parse_hostport(a.local, 0)
        raw.bind((lhost, lport or 0))
    raw.settimeout(a.timeout)
    try:
        raw.connect(dest)
    except OSError as e:
        print('connect: %s' % e)
        return 2
    s = raw
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        if a.ca:
            ctx.load_verify_locations(a.ca)
        else:
            ctx.verify_mode = ssl.CERT_NONE
        if a.cert:
            ctx.load_cert_chain(a.cert, a.key)
        try:
            s = ctx.wrap_socket(raw)
        except (ssl.SSLError, OSError) as e:
            print('closed (handshake: %s)' % e)
            return 3
    local = s.getsockname()
    if a.raw == '-':
        msg = bytes(random.getrandbits(8) for _ in range(1024))
    elif a.raw:
        msg = open(a.raw, 'rb').read()
    else:
        msg = build(a, local)
    try:
        s.sendall(msg)
    except (ssl.SSLError, OSError):
        print('closed')
        return 3
    buf = b''
    end = time.monotonic() + a.timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            print('timeout')
            return 1
        s.settimeout(left)
        try:
            data = s.recv(65536)
        except socket.timeout:
            continue
        except (ssl.SSLError, OSError):
            data = b''
        if not data:
            print('closed')
            return 3
        buf += data
        while True:
            buf = buf.lstrip(b'\r\n')
            m, buf = split_response(buf)
            if m is None:
                break
            if is_response(m) and status_of(m) >= 200:
                report(m, a.full)
                if a.hold:
                    time.sleep(a.hold)
                return 0


def main():
    p = argparse.ArgumentParser(description='send one SIP request, print the final status')
    p.add_argument('dest')
    p.add_argument('-m', dest='method', default='MESSAGE')
    p.add_argument('-u', dest='uri')
    p.add_argument('-f', dest='from_uri', default='sip:alice@a.example')
    p.add_argument('-t', dest='to')
    p.add_argument('-H', dest='header', action='append', default=[])
    p.add_argument('-b', dest='body')
    p.add_argument('--cseq')
    p.add_argument('--max-forwards', default='70')
    p.add_argument('-l', dest='local')
    p.add_argument('--timeout', type=float, default=5.0)
    p.add_argument('--full', action='store_true')
    p.add_argument('--tcp', action='store_true')
    p.add_argument('--tls', action='store_true')
    p.add_argument('--cert')
    p.add_argument('--key')
    p.add_argument('--ca')
    p.add_argument('--raw')
    p.add_argument('--size', type=int, default=0)
    p.add_argument('--hold', type=float, default=0.0)
    p.add_argument('--ctype', default='text/plain')
    p.add_argument('--call-id')
    p.add_argument('--to-tag')
    p.add_argument('--body-file')
    p.add_argument('--auth')
    p.add_argument('--algorithm', default='SHA-256')
    a = p.parse_args()
    a.authed = False
    if a.body_file:
        a.body = open(a.body_file).read()
    if not a.uri and not a.raw:
        p.error('-u URI is required')
    dest = parse_hostport(a.dest, 5061 if a.tls else 5060)
    try:
        if a.tls or a.tcp:
            return run_stream(a, dest)
        return run_udp(a, dest)
    except OSError as e:
        print('error: %s' % e)
        return 2


if __name__ == '__main__':
    sys.exit(main())
