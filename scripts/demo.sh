#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The demo: installs what is needed, builds, then runs two federated IM
# communities on loopback -- a.example (127.0.0.1) and b.example (127.0.0.2),
# each an enumfedd edge with its own certificate, made here by a test CA.
# Alice of A messages Bob by his *phone number*: A's edge resolves the number
# with ENUM (E2U+im -> im:bob@b.example), finds B's edge with the SRV records
# of RFC 3861, opens a mutually authenticated TLS connection, and B's edge
# delivers the message to Bob's user agent. Bob answers by number over the
# same connection. DNS data comes from the zone files in examples/demo/, so no
# DNS server is needed. The user agents are sipp (Debian's sip-tester).
set -eu
cd "$(dirname "$0")/.."
src=$(pwd)
sh scripts/deps.sh build
cmake -S . -B build-demo -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEF_TESTS=OFF >/dev/null
cmake --build build-demo -j"$(nproc)" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/enumfed-demo.XXXXXX")
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "${EF_DEMO_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM

cp examples/a.example.conf examples/b.example.conf "$work/"
cp -r examples/demo "$work/demo"
sh scripts/mkcerts.sh "$work/certs" a.example b.example >/dev/null

say() { printf '\n== %s\n' "$*"; }

say "ENUM: what the numbers map to (enumq, offline zones)"
for n in +441632960200 +441632960100; do
    echo "\$ enumq --service im --resolve $n"
    ./build-demo/enumq --zone "$work/demo/e164.zone" --zone "$work/demo/a.example.zone" \
        --zone "$work/demo/b.example.zone" --dnssec off --service im --resolve "$n"
done

say "starting the edges of a.example and b.example"
edges=""
for c in a b; do
    ./build-demo/enumfedd -t -c "$work/$c.example.conf"
    ./build-demo/enumfedd -c "$work/$c.example.conf" 2>"$work/$c.log" &
    edges="$edges $!"
done
pids="$edges"
# the users' agents: each community's next hop is its user's phone
for ip in 127.0.0.2 127.0.0.1; do
    sipp -sf tests/sipp/message_uas.xml -i $ip -p 5080 -m 1 -nostdin >/dev/null 2>&1 &
    pids="$pids $!"
done
sleep 1
for p in $edges; do
    kill -0 "$p" 2>/dev/null && continue
    cat "$work"/a.log "$work"/b.log >&2
    echo "demo: an edge did not start (see above)" >&2
    exit 1
done

send() { # FROM-IP FROM-USER TO-URI TEXT
    if sipp "$1:5070" -sf tests/sipp/message_uac.xml -i "$1" -p 5090 -m 1 -nostdin \
        -key from "$2" -key to "$3" -key text "$4" -timeout 10s -timeout_error \
        >/dev/null 2>&1; then
        echo "$2 -> $3: delivered (200 OK)"
    else
        echo "$2 -> $3: NOT delivered"
        return 1
    fi
}

say "alice@a.example sends \"hello Bob\" to the number +44 1632 960200"
send 127.0.0.1 alice@a.example tel:+441632960200 "hello Bob"
say "bob@b.example answers \"hi Alice\" to the number +44 1632 960100"
send 127.0.0.2 bob@b.example tel:+441632960100 "hi Alice"
sleep 0.3

say "what crossed the federation link (from a.example's log)"
grep -E ' info: (link|txn .*ENUM|conn .*(connected|accepted))' "$work/a.log" | sed -E \
    -e 's/^[0-9-]+T([0-9:.]+)Z info: /\1  /' \
    -e 's/link >> ([^ ]+) conn [0-9]+: (.*)/a.example  ---- \2 --->  \1/' \
    -e 's/link << ([^ ]+) conn [0-9]+: (.*)/a.example  <--- \2 ----  \1/' \
    -e 's/txn [^ ]+ [A-Z]+: ENUM /a.example  ENUM /' \
    -e 's/conn [0-9]+ ([^ ]+) [a-z]+: (connected to|accepted from) (.*)/a.example  TLS \2 \3 at \1/'
echo
echo "One TLS connection, opened by a.example, carried both messages (seed 4.2)."
