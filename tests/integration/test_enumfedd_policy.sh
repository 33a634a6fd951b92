#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# test_enumfedd_policy.sh -- the trust and spam policy of enumfedd between
# two communities on loopback (seed 9.2, 10.1): the user trust level asserted
# in P-Asserted-Identity toward the peer, an assertion the peer's certificate
# does not cover removed, token-bucket limits per sender (non-trusted and
# trusted), per recipient and per peer community holding within 5 % of their
# configured rates, their answers (403 / 480 / 503 with Retry-After), the
# connection of a community that goes on past its limit dropped, and the
# counters logged on SIGUSR1.
#
# TAP on stdout; exit status 0 only when every check passed.
# Environment: ENUMFEDD (default $EF_SRC/build-it/enumfedd), EF_SRC.

# shellcheck disable=SC2034,SC2154
NAME=enumfedd_policy
NET=127.0.13
DEADLINE=120
. "$(dirname "$0")/enumfedd_common.sh"

need_tools sipp openssl python3 ss
pick_ports
make_zones
mkcerts "$T/certs" a.example b.example
C=$T/certs
TLSA="--tls --cert $C/a.example.crt --key $C/a.example.key --ca $C/ca.pem"

# load N RATE TO: N MESSAGEs at RATE/s from A's user through A; how many
# reached B's user (refusals end a transaction quietly: no extra request)
load() {
    before=$(uas_got b "MESSAGE $3 ")
    sipp "$A:$A_INT" -sf "$SIPP_DIR/message_uac_load.xml" -i "$A" -p "$A_UAC" -m "$1" \
        -r "$2" -key to "$3" -key from "${4:-alice@a.example}" -key text x -nostdin \
        -timeout 30s >/dev/null 2>&1
    sleep 0.3
    echo $(($(uas_got b "MESSAGE $3 ") - before))
}
# within N LOW HIGH: LOW <= N <= HIGH
within() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ] && echo yes || echo "no: $1"; }

# --- the user trust level toward the peer (seed 9.2) --------------------------
write_conf "$T/a.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" '{ domain = "b.example"; }' \
    '' "$NO_RATES"
write_conf "$T/b.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" \
    '{ domain = "a.example"; }, { domain = "x.example"; }' '' "$NO_RATES"
start_edge a "$T/a.conf"
start_edge b "$T/b.conf"
start_uas b "$B" "$B_UA"

uac "$A" "$A_UAC" "$A:$A_INT" sip:bob@b.example alice@a.example
check "A -> B: 200" 0 "$RC"
check "B's user sees A's assertion: P-Asserted-Identity <sip:alice@a.example;trust=verified>" 1 \
    "$(cat "$T/uas-b"/*_messages.log | grep -c '^P-Asserted-Identity: <sip:alice@a.example;trust=verified>')"

sipc "$A:$A_INT" -l "$A" -u sip:bob@b.example -f sip:alice@a.example \
    -H 'P-Asserted-Identity: <sip:alice@a.example;trust=gold>' -b hi
check "an assertion made inside A (a registrar's) is kept: 200" 200 "$ST"
check "B's user sees trust=gold, and no second assertion" "1 0" \
    "$(cat "$T/uas-b"/*_messages.log | grep -c 'trust=gold>') $(cat "$T/uas-b"/*_messages.log | grep -c '^P-Asserted-Identity: <sip:alice@a.example;trust=verified>$' | sed 's/^1$/0/')"

sipc "$B:$B_FED" $TLSA -l "$A" -u sip:bob@b.example -f sip:eve@a.example \
    -H 'P-Asserted-Identity: <sip:eve@x.example;trust=verified>' -b hi
check "a peer's assertion for another domain: the request still passes (200)" 200 "$ST"
check "... but B removes the assertion its certificate does not cover (RFC 3325 5)" 0 \
    "$(cat "$T/uas-b"/*_messages.log | grep -c 'eve@x.example')"
stop_pid "$PID_a"
stop_pid "$PID_b"

# reconf X RATES: rewrite B's policy and reload it with SIGHUP (policy is reloadable)
reconf_b() {
    write_conf "$T/b.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" '{ domain = "a.example"; }' \
        '' "$1"
    kill -HUP "$PID_b"
    i=0
    while [ "$(count "$T/b.log" 'reloaded ')" -lt "$2" ] && [ $i -lt 30 ]; do
        sleep 0.1; i=$((i + 1))
    done
}

# A must not hold re-sends back during these measurements: the limiter under
# test is B's. Expected deliveries: the burst, plus the rate over the time
# from the first request to the last.

# --- per sender, non-trusted: A asserts nothing, B allows 20/s (burst 5) ----------
RATES='policy = { assert_level = ""; rate_sender = { rate = 20.0; burst = 5.0; };
  rate_trusted_sender = { rate = 0.0; }; rate_recipient = { rate = 0.0; };
  rate_peer = { rate = 0.0; }; };'
write_conf "$T/a.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" '{ domain = "b.example"; }' \
    'hold_after_4xx = 0;' "$RATES"
write_conf "$T/b.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" '{ domain = "a.example"; }' \
    '' "$RATES"
start_edge a "$T/a.conf"
start_edge b "$T/b.conf"
got=$(load 200 40 sip:bob@b.example)
check "non-trusted sender, 200 at 40/s against 20/s: 5 + 99.5 delivered within 5 % (99..110)" \
    yes "$(within "$got" 99 110)"
reconf_b 'policy = { assert_level = ""; rate_sender = { rate = 1.0; burst = 1.0; };
  rate_trusted_sender = { rate = 0.0; }; rate_recipient = { rate = 0.0; };
  rate_peer = { rate = 0.0; }; };' 1
sleep 1.2 # the bucket keeps its state across the reload: let it refill
sipc "$A:$A_INT" -l "$A" -u sip:bob@b.example -f sip:alice@a.example -b hi
check "SIGHUP: B at 1/s per sender; after a second, a request passes (200)" 200 "$ST"
sipc "$A:$A_INT" -l "$A" -u sip:bob@b.example -f sip:alice@a.example -b hi --full
check "over the sender's rate: 403" 403 "$ST"
check_has "403 says why" "alice@a.example sends more than this community accepts from a non-trusted user" "$WARN"
check_has "403 carries a Retry-After" "Retry-After: 1" "$R"
sipc "$A:$A_INT" -l "$A" -u sip:bob@b.example -f sip:carol@a.example -b hi
check "another sender is not held by alice's limit: 200" 200 "$ST"
stop_pid "$PID_a"
stop_pid "$PID_b"

# --- per sender, trusted: A asserts "verified", B trusts it at 30/s -------------
RATES='policy = { rate_sender = { rate = 5.0; burst = 1.0; };
  rate_trusted_sender = { rate = 30.0; burst = 5.0; }; rate_recipient = { rate = 0.0; };
  rate_peer = { rate = 0.0; }; };'
write_conf "$T/a.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" '{ domain = "b.example"; }' \
    'hold_after_4xx = 0;' "$RATES"
write_conf "$T/b.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" '{ domain = "a.example"; }' \
    '' "$RATES"
start_edge a "$T/a.conf"
start_edge b "$T/b.conf"
got=$(load 240 60 sip:bob@b.example)
check "trusted sender, 240 at 60/s against 30/s: 5 + 119.5 delivered within 5 % (118..131)" \
    yes "$(within "$got" 118 131)"
stop_pid "$PID_a"
stop_pid "$PID_b"

# --- per recipient (480) and per community (503, then the connection) -------------
RATES='policy = { rate_sender = { rate = 0.0; }; rate_trusted_sender = { rate = 0.0; };
  rate_recipient = { rate = 10.0; burst = 5.0; }; rate_peer = { rate = 0.0; }; };'
write_conf "$T/a.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" '{ domain = "b.example"; }' \
    'hold_after_4xx = 0;' "$NO_RATES"
write_conf "$T/b.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" '{ domain = "a.example"; }' \
    '' "$RATES"
start_edge a "$T/a.conf"
start_edge b "$T/b.conf"
got=$(load 100 20 sip:bob@b.example)
check "one recipient, 100 at 20/s against 10/s: 5 + 49.5 delivered within 5 % (52..57)" yes \
    "$(within "$got" 52 57)"
reconf_b 'policy = { rate_sender = { rate = 0.0; }; rate_trusted_sender = { rate = 0.0; };
  rate_recipient = { rate = 1.0; burst = 1.0; }; rate_peer = { rate = 0.0; }; };' 1
sipc "$A:$A_INT" -l "$A" -u sip:dave@b.example -f sip:alice@a.example -b hi
sipc "$A:$A_INT" -l "$A" -u sip:dave@b.example -f sip:carol@a.example -b hi --full
check "over the recipient's rate: 480 (degraded service)" 480 "$ST"
check_has "480 says why" "dave@b.example receives more requests than it accepts now" "$WARN"
reconf_b 'policy = { rate_sender = { rate = 0.0; }; rate_trusted_sender = { rate = 0.0; };
  rate_recipient = { rate = 0.0; }; rate_peer = { rate = 0.5; burst = 2.0; }; };' 2
sleep 0.5 # whatever the bucket holds, at most 2 pass before a 503
i=0 st=""
while [ $i -lt 4 ] && [ "$st" != 503 ]; do # other users, other recipients: only the community limit
    sipc "$A:$A_INT" -l "$A" -u "sip:u$i@b.example" -f "sip:s$i@a.example" -b hi --full
    st=$ST
    i=$((i + 1))
done
check "a community over its rate (0.5/s, burst 2): 503 by the third request" 503 "$ST"
check_has "503 says why" "a.example sends more than this community accepts" "$WARN"
check_has "503 carries a Retry-After" "Retry-After: " "$R"
got=$(load 60 30 sip:w@b.example)
check "a community going on at 30/s: next to nothing delivered (0..3)" yes "$(within "$got" 0 3)"
check "going on a whole burst past the limit, its connection is dropped" yes \
    "$([ "$(count "$T/b.log" 'dropped: over the rate limit by a whole burst')" -ge 1 ] && echo yes || echo no)"
kill -USR1 "$PID_b"
sleep 0.3
check_has "SIGUSR1 logs the rate-limit counters" "rate-limited peer" "$(grep counters "$T/b.log")"
check "the counters count the refusals" yes \
    "$(grep counters "$T/b.log" | tail -1 | grep -Eq 'rate-limited peer [1-9][0-9]* sender 0 recipient [1-9]' && echo yes || echo no)"
stop_edges
done_tap
