#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The demo: installs what is needed, builds, then runs two federated IM and
# presence communities on loopback -- a.example (127.0.0.1) and b.example
# (127.0.0.2), each an enumfedd edge with its own certificate, made here by a
# test CA. B's edge is also B's registrar and presence agent.
#
#   1. Alice of A messages Bob by his *phone number* while Bob is offline: A's
#      edge resolves the number with ENUM (E2U+im -> im:bob@b.example), finds
#      B's edge with the SRV records of RFC 3861, opens a mutually
#      authenticated TLS connection; B keeps the message (202).
#   2. Bob registers (digest authentication); the kept message reaches him.
#   3. Bob answers Alice by number, over the same connection.
#   4. Bob publishes "away, in a meeting"; Alice, subscribed to his number
#      (E2U+pres), is notified across the link.
#   5. Bob is removed from B; Alice's subscription is terminated.
#
# DNS data comes from the zone files in examples/demo/, so no DNS server is
# needed. The user agents are sipp (Debian's sip-tester) and the small SIP
# client and server of the tests (tests/integration/sipc.py, sipuas.py).
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
printf 'bob-secret\n' | ./build-demo/enumfedctl -d "$work/b-store.db" user add bob@b.example \
    --password-stdin >/dev/null
sipc() { python3 tests/integration/sipc.py "$@"; }

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
# the users' agents: Alice's phone is A's next hop; Bob's registers with B
sipp -sf tests/sipp/message_uas.xml -i 127.0.0.1 -p 5080 -m 1 -nostdin >/dev/null 2>&1 &
pids="$pids $!"
sipp -sf tests/sipp/message_uas.xml -i 127.0.0.2 -p 5080 -m 2 -nostdin \
    -trace_msg -message_file "$work/bob-phone.log" >/dev/null 2>&1 &
pids="$pids $!"
python3 tests/integration/sipuas.py 127.0.0.1:5082 "$work/alice-presence.log" --seconds 60 &
pids="$pids $!"
sleep 1
for p in $edges; do
    kill -0 "$p" 2>/dev/null && continue
    cat "$work"/a.log "$work"/b.log >&2
    echo "demo: an edge did not start (see above)" >&2
    exit 1
done

send() { # FROM-IP FROM-USER TO-URI TEXT
    r=$(sipc "$1:5070" -l "$1" -u "$3" -f "sip:$2" -b "$4" | head -n 2 | tr '\n' ' ')
    echo "$2 -> $3: $r"
}

say "1. alice@a.example sends \"hello Bob\" to the number +44 1632 960200 (Bob is offline)"
send 127.0.0.1 alice@a.example tel:+441632960200 "hello Bob"

say "2. Bob's phone registers with b.example (digest; the demo offers MD5, which baresip needs); the kept message follows"
sipc 127.0.0.2:5070 -l 127.0.0.2 -m REGISTER -u sip:b.example -f sip:bob@b.example \
    -t sip:bob@b.example -H "Contact: <sip:bob@127.0.0.2:5080>" -H "Expires: 600" \
    --auth bob:bob-secret --algorithm MD5 --full | grep -E '^[0-9]|^Contact'
sleep 1
grep -A12 '^MESSAGE sip:bob' "$work/bob-phone.log" | grep -E '^(MESSAGE|From|hello)' | head -n 3

say "3. bob@b.example answers \"hi Alice\" to the number +44 1632 960100"
send 127.0.0.2 bob@b.example tel:+441632960100 "hi Alice"

say "4. Alice subscribes to Bob's number; Bob publishes \"away, in a meeting\""
sipc 127.0.0.1:5070 -l 127.0.0.1 -m SUBSCRIBE -u tel:+441632960200 -f sip:alice@a.example \
    -t tel:+441632960200 -H "Contact: <sip:alice@127.0.0.1:5082>" -H "Event: presence" \
    -H "Expires: 600" | head -n 1 | sed 's/^/SUBSCRIBE tel:+441632960200: /'
cat >"$work/away.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"
    xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="pres:bob@b.example">
  <tuple id="phone"><status><basic>open</basic></status></tuple>
  <dm:person id="bob"><rpid:activities><rpid:away/><rpid:meeting/></rpid:activities></dm:person>
</presence>
XML
sipc 127.0.0.2:5070 -l 127.0.0.2 -m PUBLISH -u sip:bob@b.example -f sip:bob@b.example \
    -H "Event: presence" -H "Expires: 600" --ctype application/pidf+xml \
    --body-file "$work/away.xml" | head -n 1 | sed 's/^/PUBLISH: /'
sleep 1.5 # NOTIFYs are paced (community.notify_min_ms)
echo "Alice's phone was notified:"
awk '/^NOTIFY /{n=""} {n=n $0 "\n"} END{printf "%s", n}' "$work/alice-presence.log" |
    grep -E 'Subscription-State|<basic>|rpid:(away|meeting)' | sed 's/^ */  /'

say "5. Bob is removed from b.example (enumfedctl, then SIGHUP)"
./build-demo/enumfedctl -d "$work/b-store.db" user remove bob@b.example
kill -HUP "$(echo $edges | cut -d' ' -f2)"
sleep 1
echo "Alice's phone was told:"
awk '/^NOTIFY /{n=""} {n=n $0 "\n"} END{printf "%s", n}' "$work/alice-presence.log" |
    grep -E 'Subscription-State' | sed 's/^ */  /'

say "what crossed the federation link (from a.example's log)"
grep -E ' info: (link|txn .*ENUM|conn .*(connected|accepted))' "$work/a.log" | sed -E \
    -e 's/^[0-9-]+T([0-9:.]+)Z info: /\1  /' \
    -e 's/link >> ([^ ]+) conn [0-9]+: (.*)/a.example  ---- \2 --->  \1/' \
    -e 's/link << ([^ ]+) conn [0-9]+: (.*)/a.example  <--- \2 ----  \1/' \
    -e 's/txn [^ ]+ [A-Z]+: ENUM /a.example  ENUM /' \
    -e 's/conn [0-9]+ ([^ ]+) [a-z]+: (connected to|accepted from) (.*)/a.example  TLS \2 \3 at \1/'
echo
echo "One TLS connection, opened by a.example, carried everything both ways (seed 4.2)."
