#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# test_enumfedd_limits.sh -- enumfedd's limits and life cycle, with edge A
# (a.example, 127.0.12.1) and edge B (b.example, 127.0.12.2): Record-Route
# larger than federation.max_record_route (513), a datagram larger than
# federation.max_message, garbage on a TLS connection, too many connections
# from one peer (max_inbound_per_peer), SIGTERM with a transaction open, the
# peer killed and restarted mid-traffic, enumfedd -t, and SIGHUP adding a peer
# without dropping the live connection.
#
# TAP on stdout; exit status 0 only when every check passed.
# Environment: ENUMFEDD (default $EF_SRC/build-it/enumfedd), EF_SRC.
# Needs: sipp, openssl, python3, ss (iproute2).

# shellcheck disable=SC2034,SC2154,SC2317 # PID_x and UAS_x are set by eval; traps call functions
NAME=enumfedd_limits
NET=127.0.12
DEADLINE=100
. "$(dirname "$0")/enumfedd_common.sh"

need_tools sipp openssl python3 ss
pick_ports
make_zones
mkcerts "$T/certs" a.example b.example c.example
C=$T/certs
TLSA="--tls --cert $C/a.example.crt --key $C/a.example.key --ca $C/ca.pem"

write_conf "$T/a.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" '{ domain = "b.example"; }' \
    'max_message = 2000; max_record_route = 1000;' "timers = { t1_ms = 100; b_ms = 2000; }; $NO_RATES"
B_FEDX='max_inbound_per_peer = 2; max_record_route = 100; max_message = 4096;'
write_conf "$T/b.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" '{ domain = "a.example"; }' \
    "$B_FEDX" "timers = { t1_ms = 100; b_ms = 4000; }; $NO_RATES"
# the same, with c.example allowlisted too (for SIGHUP)
write_conf "$T/b-more.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" \
    '{ domain = "a.example"; }, { domain = "c.example"; }' \
    "$B_FEDX" "timers = { t1_ms = 100; b_ms = 4000; }; $NO_RATES"
cp "$T/b.conf" "$T/b-one.conf"

# --- enumfedd -t ------------------------------------------------------------------
out=$("$ENUMFEDD" -t -c "$T/a.conf" 2>&1); rc=$?
check "enumfedd -t on a good configuration: exit 0" 0 "$rc"
check_has "enumfedd -t on a good configuration: prints ok" "ok" "$out"
{ head -n 5 "$T/a.conf"; echo "timers = { t1_ms = 100; b_ms = 50; }; $NO_RATES"; } >"$T/broken.conf"
out=$("$ENUMFEDD" -t -c "$T/broken.conf" 2>&1); rc=$?
check "enumfedd -t on a broken configuration (b_ms < t1_ms): exit 1" 1 "$rc"
check_has "enumfedd -t on a broken configuration: names FILE:LINE" "$T/broken.conf:6:" "$out"
{ cat "$T/a.conf"; echo 'federation_typo = 1;'; } >"$T/typo.conf"
line=$(wc -l <"$T/typo.conf")
out=$("$ENUMFEDD" -t -c "$T/typo.conf" 2>&1); rc=$?
check "enumfedd -t with an unknown setting: exit 1" 1 "$rc"
check_has "enumfedd -t with an unknown setting: names FILE:LINE and the setting" \
    "$T/typo.conf:$line: federation_typo" "$out"

start_edge b "$T/b.conf"
start_uas b "$B" "$B_UA"

# --- max_inbound_per_peer = 2 -------------------------------------------------------
HOLDERS=
for _ in 1 2; do
    (sleep 20 | openssl s_client -connect "$B:$B_FED" -CAfile "$C/ca.pem" -cert "$C/a.example.crt" \
        -key "$C/a.example.key" -quiet >/dev/null 2>&1) 2>/dev/null &
    HOLDERS="$HOLDERS $!"
    PIDS="$PIDS $!"
done
i=0
while [ "$(count "$T/b.log" 'accepted from a\.example')" -lt 2 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "two connections from a.example accepted" 2 "$(count "$T/b.log" 'accepted from a\.example')"
sipc "$B:$B_FED" $TLSA -l "$A" -m OPTIONS -u sip:bob@b.example -f sip:alice@a.example --timeout 4
check "the third connection from a.example: closed, no SIP answer" closed "$ST"
check "the third connection: B logs 'too many connections'" 1 \
    "$(count "$T/b.log" 'refused: too many connections from this community')"
kill_tree() { for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$c"; kill "$c" 2>/dev/null; done; }
for h in $HOLDERS; do kill_tree "$h"; wait "$h" 2>/dev/null; done
i=0
while [ "$(count "$T/b.log" 'read: closed')" -lt 2 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

# --- Record-Route from the peer -----------------------------------------------------
rr60="Record-Route: <sip:$(printf '%040d' 0).example;lr>"
rr200="Record-Route: <sip:$(printf '%0180d' 0).example;lr>"
sipc "$B:$B_FED" $TLSA -l "$A" -u sip:bob@b.example -f sip:alice@a.example -b hi -H "$rr60"
check "Record-Route of 60 bytes from the peer (max_record_route 100): 200" 200 "$ST"
sipc "$B:$B_FED" $TLSA -l "$A" -u sip:bob@b.example -f sip:alice@a.example -b hi -H "$rr200"
check "Record-Route of 200 bytes from the peer: 513" 513 "$ST"
check_has "513: Warning 'Record-Route exceeds 100 bytes'" "Record-Route exceeds 100 bytes" "$WARN"
sipc "$B:$B_FED" $TLSA -l "$A" -u sip:bob@b.example -f sip:alice@a.example -b hi \
    -H "Record-Route: <sip:$(printf '%060d' 0).example;lr>" -H "$rr60"
check "Record-Route in two headers adding up to 140 bytes: 513" 513 "$ST"

kill -0 "$UAS_b" 2>/dev/null || echo "# B's user agent (sipp) is gone: $(tail -3 "$T/uas-b/screen.log")"
start_edge a "$T/a.conf"
start_uas a "$A" "$A_UA"
uac "$A" "$A_UAC" "$A:$A_INT" "sip:bob@b.example" alice@a.example
check "A -> B delivers (sipp): 200" 0 "$RC"

# --- a datagram larger than max_message (2000) on A's internal side ------------------
sipc "$A:$A_INT" -l "$A" -u sip:bob@b.example -f sip:alice@a.example --size 3000 --timeout 2
check "3000-byte MESSAGE over UDP (max_message 2000): dropped, no answer" timeout "$ST"
check "A logs the datagram as dropped (too-big)" 1 "$(count "$T/a.log" "from $A:[0-9]+: dropped: too-big")"
check "A relayed nothing for it" 1 "$(count "$T/a.log" 'link >> b\.example conn [0-9]+: MESSAGE')"
sipc "$A:$A_INT" -l "$A" -u sip:bob@b.example -f sip:alice@a.example --size 1500
check "A still works after it: a 1500-byte MESSAGE gets 200" 200 "$ST"

# --- SIGHUP adding a peer --------------------------------------------------------
TLSC="--tls --cert $C/c.example.crt --key $C/c.example.key --ca $C/ca.pem"
sipc "$B:$B_FED" $TLSC -l "$A" -m OPTIONS -u sip:bob@b.example -f sip:carl@c.example --timeout 4
check "before SIGHUP: a c.example certificate is refused (closed)" closed "$ST"
acc_b=$(count "$T/b.log" 'accepted from a\.example')
cp "$T/b-more.conf" "$T/b.conf"
kill -HUP "$PID_b"
i=0
while [ "$(count "$T/b.log" 'reloaded .*: 2 peers')" -lt 1 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "B logs the reload with 2 peers" 1 "$(count "$T/b.log" 'reloaded .*: 2 peers')"
sipc "$B:$B_FED" $TLSC -l "$A" -m OPTIONS -u sip:bob@b.example -f sip:carl@c.example --timeout 4
check "after SIGHUP: c.example is allowed (OPTIONS 200)" 200 "$ST"
sipc "$A:$A_INT" -l "$A" -u sip:bob@b.example -f sip:alice@a.example -b hi
check "after SIGHUP: A -> B still 200" 200 "$ST"
check "after SIGHUP: the live A-B connection was kept (no new 'accepted from a.example')" \
    "$acc_b" "$(count "$T/b.log" 'accepted from a\.example')"
check "after SIGHUP: A did not reconnect" 1 "$(count "$T/a.log" 'connected to b\.example')"
cp "$T/b-one.conf" "$T/b.conf"

# --- B's user silent; SIGTERM to A with the transaction open ----------------------
stop_pid "$UAS_b"
n0=$(count "$T/a.log" 'txn .* MESSAGE: relayed to b\.example')
python3 "$SIPC" "$A:$A_INT" -l "$A" -u sip:bob@b.example -f sip:alice@a.example -b hi --timeout 8 \
    >"$T/term.out" 2>&1 &
SP=$!
PIDS="$PIDS $SP"
i=0
while [ "$(count "$T/a.log" 'txn .* MESSAGE: relayed to b\.example')" -le "$n0" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t0=$(now_ms)
kill -TERM "$PID_a"
wait "$SP"
st=$(sed -n '1{s/ .*//;p;}' "$T/term.out")
check "SIGTERM with a transaction open: A answers its user 408" 408 "$st"
check_has "SIGTERM: Warning 'no answer from the peer community'" "no answer from the peer community" \
    "$(cat "$T/term.out")"
stop_pid "$PID_a" 0
t1=$(now_ms)
check "SIGTERM: A exits 0" 0 "$STOP_RC"
el=$((t1 - t0))
check "SIGTERM: A exits within b_ms + 2 s" yes "$([ $el -le 4000 ] && echo yes || echo "no: $el ms")"

# --- B killed with a transaction open, then restarted -------------------------------
start_edge a "$T/a.conf"
n0=$(count "$T/b.log" 'txn .* MESSAGE: relayed to the internal next hop')
python3 "$SIPC" "$A:$A_INT" -l "$A" -u sip:bob@b.example -f sip:alice@a.example -b hi --timeout 8 \
    >"$T/kill.out" 2>&1 &
SP=$!
PIDS="$PIDS $SP"
i=0
while [ "$(count "$T/b.log" 'txn .* MESSAGE: relayed to the internal next hop')" -le "$n0" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
stop_pid "$PID_b" KILL
wait "$SP"
st=$(sed -n '1{s/ .*//;p;}' "$T/kill.out")
check "B killed with a transaction open: A answers its user 503" 503 "$st"
check_has "B killed: Warning 'connection to the peer lost'" "connection to the peer lost" "$(cat "$T/kill.out")"
start_edge b "$T/b.conf"
start_uas b2 "$B" "$B_UA"
uac "$A" "$A_UAC" "$A:$A_INT" "sip:bob@b.example" alice@a.example
check "B restarted: the next MESSAGE is delivered (sipp 200)" 0 "$RC"
check "B restarted: A opened a new connection" 3 "$(count "$T/a.log" 'connected to b\.example')"

# --- garbage on a TLS connection ---------------------------------------------------
head -c 8192 /dev/urandom >"$T/garbage"
sipc "$B:$B_FED" $TLSA -l "$A" --raw "$T/garbage" --timeout 4
check "8 KB of random bytes after the handshake: B closes that connection" closed "$ST"
check "B logs the unframeable input" 1 "$(count "$T/b.log" 'closed: unframeable input')"
sipc "$A:$A_INT" -l "$A" -u sip:bob@b.example -f sip:alice@a.example -b hi
check "the A-B connection is unaffected: A -> B 200" 200 "$ST"
check "A still has the connection it opened after the restart" 3 "$(count "$T/a.log" 'connected to b\.example')"

stop_edges
done_tap
