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
# ---- common part: TAP, processes, addresses, certificates, configurations ----
set -u
EF_SRC=${EF_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
ENUMFEDD=${ENUMFEDD:-$EF_SRC/build-it/enumfedd}
SIPC="$EF_SRC/tests/integration/sipc.py"
SIPP_DIR=$EF_SRC/tests/sipp
DEMO=$EF_SRC/examples/demo

N=0        # checks run
FAILED=0   # checks failed
PIDS=""    # every process started here, killed on exit
WATCHDOG=
T=$(mktemp -d "${TMPDIR:-/tmp}/enumfedd-$NAME.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }

cleanup() {
    rc=$?
    trap - EXIT INT TERM HUP USR1
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    if [ -n "$WATCHDOG" ]; then kill "$WATCHDOG" 2>/dev/null; wait "$WATCHDOG" 2>/dev/null; fi
    if [ -n "${EF_KEEP_TMP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "Bail out! interrupted"; exit 1' INT TERM HUP
trap 'echo "not ok $((N + 1)) - $NAME did not finish: deadline of $DEADLINE s exceeded"; echo "Bail out! deadline"; exit 1' USR1
(
    sp=
    trap '[ -n "$sp" ] && kill "$sp" 2>/dev/null; exit 0' TERM
    sleep "$DEADLINE" &
    sp=$!
    wait "$sp"
    kill -USR1 $$ 2>/dev/null
) &
WATCHDOG=$!

ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() {
    N=$((N + 1)); FAILED=$((FAILED + 1))
    echo "not ok $N - $1"
    shift
    for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
}
skip() { N=$((N + 1)); echo "ok $N # SKIP $1"; }
# check NAME EXPECTED ACTUAL: equal strings
check() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "got: $3"; fi
}
# check_has NAME SUBSTRING TEXT: TEXT contains SUBSTRING
check_has() {
    case $3 in
    *"$2"*) ok "$1" ;;
    *) not_ok "$1" "expected to contain: $2" "got: $3" ;;
    esac
}
done_tap() {
    echo "1..$N"
    if [ "$FAILED" -ne 0 ]; then
        echo "# $NAME: $FAILED of $N checks failed"
        exit 1
    fi
    echo "# $NAME: all $N checks passed"
    exit 0
}
bail() { echo "Bail out! $*"; exit 1; }

now_ms() { python3 -c 'import time; print(int(time.monotonic() * 1000))'; }

# sipc ARGS...: one request with sipc.py; $R holds its output, $RC its exit
# status, $ST the status code (or "timeout"/"closed"), $WARN the Warning lines.
sipc() {
    R=$(python3 "$SIPC" "$@" 2>&1)
    RC=$?
    ST=$(printf '%s\n' "$R" | sed -n '1{s/ .*//;p;}')
    WARN=$(printf '%s\n' "$R" | sed -n 's/^Warning: //p')
}

# Ports: a random base, none of them in use on our addresses.
pick_ports() {
    tries=0
    while :; do
        base=$(( ($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 2000) * 10 + 20000 ))
        inuse=$(ss -Htaun 2>/dev/null | awk '{print $5}')
        free=yes
        for p in 0 1 2 3 4 5 6 7 8 9; do
            printf '%s\n' "$inuse" | grep -q "^$NET\.[0-9]*:$((base + p))\$" && free=no
        done
        [ $free = yes ] && break
        tries=$((tries + 1))
        [ $tries -lt 20 ] || bail "no free ports on $NET.x"
    done
    A_INT=$base; A_FED=$((base + 1)); A_UA=$((base + 2)); A_UAC=$((base + 3))
    B_INT=$((base + 4)); B_FED=$((base + 5)); B_UA=$((base + 6)); B_UAC=$((base + 7))
    A=$NET.1; B=$NET.2
}

# The zones: ENUM as in the demo; each edge's SRV records lead to its address and port.
make_zones() {
    cp "$DEMO/e164.zone" "$T/e164.zone"
    sed -e "s/127\.0\.0\.1/$A/g" -e "s/ 5061 / $A_FED /g" "$DEMO/a.example.zone" >"$T/a.example.zone"
    sed -e "s/127\.0\.0\.2/$B/g" -e "s/ 5061 / $B_FED /g" "$DEMO/b.example.zone" >"$T/b.example.zone"
}

# policy rates off: the tests send more than the default rates allow
NO_RATES='policy = { rate_sender = { rate = 0.0; }; rate_recipient = { rate = 0.0; };
    rate_peer = { rate = 0.0; }; rate_trusted_sender = { rate = 0.0; }; };'

mkcerts() { sh "$EF_SRC/scripts/mkcerts.sh" "$@" >"$T/mkcerts.log" 2>&1 || bail "mkcerts.sh $* failed: $(cat "$T/mkcerts.log")"; }

# write_conf FILE DOMAIN ADDR INT_PORT FED_PORT UA_PORT PEERS [FEDERATION_EXTRA [EXTRA [CERTDIR]]]
write_conf() {
    cd_=${10:-$T/certs}
    cat >"$1" <<CONF
domains = [ "$2" ];
listen = ( { side = "internal"; transport = "udp"; address = "$3"; port = $4; },
           { side = "federation"; transport = "tls"; address = "$3"; port = $5; } );
internal = { next_hop = "$3:$6;transport=udp"; answer_options = true; };
tls = { certificate = "$cd_/$2.crt"; key = "$cd_/$2.key"; ca = "$T/certs/ca.pem"; };
federation = { peers = ( $7 ); ${8:-} };
enum = { zones = [ "$T/e164.zone", "$T/a.example.zone", "$T/b.example.zone" ]; dnssec = "off"; };
log = { level = "info"; };
${9:-}
CONF
}

# start_edge X CONF: enumfedd in the background, log in $T/X.log (appended);
# waits for it to be up; its pid in $PID_X.
start_edge() {
    before=$(cat "$T/$1.log" 2>/dev/null | wc -l)
    "$ENUMFEDD" -c "$2" >>"$T/$1.log" 2>&1 &
    eval "PID_$1=$!"
    PIDS="$PIDS $!"
    i=0
    while [ $i -lt 100 ]; do
        tail -n "+$((before + 1))" "$T/$1.log" 2>/dev/null | grep -q "enumfedd .* worker" && return 0
        kill -0 "$!" 2>/dev/null || break
        sleep 0.1; i=$((i + 1))
    done
    bail "enumfedd $1 did not start: $(tail -5 "$T/$1.log")"
}

# stop_pid PID [SIGNAL]: signal a process of ours and wait for it; $STOP_RC its exit status.
stop_pid() {
    kill "-${2:-TERM}" "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    STOP_RC=$?
}

# start_uas X ADDR PORT [SCENARIO]: a sipp user agent answering MESSAGEs, tracing
# what it receives in $T/uas-X/*_messages.log; its pid in $UAS_X.
start_uas() {
    mkdir -p "$T/uas-$1"
    (cd "$T/uas-$1" && exec sipp -sf "$SIPP_DIR/${4:-message_uas.xml}" -i "$2" -p "$3" \
        -nostdin -trace_msg -trace_err >"$T/uas-$1/screen.log" 2>&1) &
    eval "UAS_$1=$!"
    PIDS="$PIDS $!"
    i=0
    while [ $i -lt 50 ]; do
        ss -Hlun "sport = :$3" 2>/dev/null | grep -q "$2:$3" && return 0
        sleep 0.1; i=$((i + 1))
    done
    bail "sipp UAS $1 did not start: $(tail -5 "$T/uas-$1/screen.log")"
}
# uas_got X PATTERN: how many messages received by UAS X have the start line PATTERN
uas_got() { cat "$T/uas-$1"/*_messages.log 2>/dev/null | grep -c "^$2" ; }

# uac FROM_ADDR PORT DEST TO FROM: one MESSAGE with sipp, exit status in $RC (0 = 200)
uac() {
    sipp "$3" -sf "$SIPP_DIR/message_uac.xml" -i "$1" -p "$2" -m 1 \
        -key to "$4" -key from "$5" -key text hello -nostdin -timeout 8s -timeout_error \
        >"$T/uac.out" 2>&1
    RC=$?
}

# count FILE PATTERN: lines of FILE matching PATTERN (grep -E)
count() { grep -cE "$2" "$1" 2>/dev/null || true; }

need_tools() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || { skip "$NAME: $tool is not installed"; done_tap; }
    done
    [ -x "$ENUMFEDD" ] || bail "no enumfedd binary at $ENUMFEDD"
}
# ---- end of the common part ----------------------------------------------------

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

stop_pid "$PID_a"
check "A exits 0 on SIGTERM" 0 "$STOP_RC"
stop_pid "$PID_b"
check "B exits 0 on SIGTERM" 0 "$STOP_RC"
check "no sanitizer report in the logs" 0 "$(cat "$T/a.log" "$T/b.log" | grep -c 'Sanitizer')"
done_tap
