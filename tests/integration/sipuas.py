#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
#
# sipuas.py -- a user agent for the enumfedd integration tests that answers
# every request it gets over UDP with 200 OK and appends each request to a
# log file (a blank line after each), until it is killed or --seconds pass.
#
#   sipuas.py ADDR:PORT LOGFILE [--seconds N]
import socket
import sys
import time


def main():
    host, port = sys.argv[1].rsplit(':', 1)
    log = open(sys.argv[2], 'ab', buffering=0)
    until = time.monotonic() + (float(sys.argv[4]) if len(sys.argv) > 4 else 120.0)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, int(port)))
    s.settimeout(0.5)
    while time.monotonic() < until:
        try:
            data, peer = s.recvfrom(70000)
        except socket.timeout:
            continue
        if data.startswith(b'SIP/2.0'):
            continue
        log.write(data + b'\r\n\r\n')
        head = data.split(b'\r\n\r\n', 1)[0].split(b'\r\n')
        keep = [h for h in head[1:] if h.split(b':', 1)[0].strip().lower() in
                (b'via', b'v', b'from', b'f', b'to', b't', b'call-id', b'i', b'cseq')]
        resp = b'SIP/2.0 200 OK\r\n' + b'\r\n'.join(
            h + (b';tag=uas' if h.lower().startswith((b'to:', b't:')) and b'tag=' not in h else b'')
            for h in keep) + b'\r\nContent-Length: 0\r\n\r\n'
        s.sendto(resp, peer)


if __name__ == '__main__':
    main()
