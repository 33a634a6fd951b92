#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# test_enumfedd_tls.sh -- admission of federation connections by enumfedd
# (daemon/conn.c, daemon/tls.c; seed 4.3, RFC 5922 section 7): what edge B
# (b.example, 127.0.11.2) does with clients that present no certificate, one
# from an unknown CA, an expired one, plain TCP, a certificate naming a
# community that is not allowlisted, a From domain the certificate does not
# name, and a second certificate for a community that has a live connection;
# and what edge A (a.example, 127.0.11.1) does when the server it reaches for
# b.example presents a certificate that does not name b.example.
#
# TAP on stdout; exit status 0 only when every check passed.
# Environment: ENUMFEDD (default $EF_SRC/build-it/enumfedd), EF_SRC.
# Needs: sipp, openssl, python3, ss (iproute2).

# shellcheck disable=SC2034,SC2154,SC2317 # PID_x and UAS_x are set by eval; traps call functions
NAME=enumfedd_tls
NET=127.0.11
DEADLINE=90
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
mkcerts "$T/certs" a.example b.example z.example
mkcerts --ca otherca "$T/unknown" a.example          # signed by a CA B does not trust
mkdir -p "$T/expired" "$T/reissued"
cp "$T/certs/ca.pem" "$T/certs/ca.key" "$T/expired/"
mkcerts --expired "$T/expired" a.example
cp "$T/certs/ca.pem" "$T/certs/ca.key" "$T/reissued/"
mkcerts --force "$T/reissued" a.example
C=$T/certs

# B allowlists a.example and x.example (which no certificate here names).
write_conf "$T/b.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" \
    '{ domain = "a.example"; }, { domain = "x.example"; }' '' 'timers = { t1_ms = 100; b_ms = 2000; };'
start_edge b "$T/b.conf"
start_uas b "$B" "$B_UA"

# sclient NAME CERT_DIR|- [SECONDS [MSGFILE]]: openssl s_client to B's federation port with
# the certificate DIR/a.example.crt (- = none), feeding MSGFILE then waiting SECONDS.
# Output in $T/NAME.out and $T/NAME.err, exit status in $SRC.
sclient() {
    if [ "$2" = - ]; then set -- "$1" "" "${3:-2}" "${4:-/dev/null}"
    else set -- "$1" "-cert $2/a.example.crt -key $2/a.example.key" "${3:-2}" "${4:-/dev/null}"; fi
    # shellcheck disable=SC2086 # $2 is the certificate options
    (cat "$4"; sleep "$3") | timeout $(($3 + 5)) openssl s_client -connect "$B:$B_FED" \
        -CAfile "$C/ca.pem" $2 -quiet -no_ign_eof >"$T/$1.out" 2>"$T/$1.err"
    SRC=$?
}
# sip_request FILE FROM_URI: a MESSAGE for sip:bob@b.example as a peer's edge sends it
sip_request() {
    printf 'MESSAGE sip:bob@b.example SIP/2.0\r\nVia: SIP/2.0/TLS %s:%s;branch=z9hG4bK-sc-%s\r\nMax-Forwards: 70\r\nFrom: <%s>;tag=sc1\r\nTo: <sip:bob@b.example>\r\nCall-ID: %s@sclient\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi' \
        "$A" "$A_FED" "$(basename "$1" .msg)$$" "$2" "$(basename "$1" .msg)$$" >"$1"
}
refusals() { count "$T/b.log" "$1"; }

# --- 1. no client certificate ---------------------------------------------------

# --- 1. no client certificate ---------------------------------------------------
sclient nocert - 1
check "no client certificate: s_client fails" 1 "$([ $SRC -ne 0 ] && echo 1 || echo 0)"
check_has "no client certificate: the handshake is refused (alert certificate required)" \
    "alert certificate required" "$(cat "$T/nocert.err")"
check "no client certificate: B logs the TLS failure" 1 \
    "$(refusals 'closed: tls: .*peer did not return a certificate')"

# --- 2. a certificate from a CA B does not trust ----------------------------------
sip_request "$T/ok.msg" sip:alice@a.example
sclient unknownca "$T/unknown" 1 "$T/ok.msg"
check "unknown CA: s_client fails" 1 "$([ $SRC -ne 0 ] && echo 1 || echo 0)"
check_has "unknown CA: refused with alert unknown ca" "alert unknown ca" "$(cat "$T/unknownca.err")"
check "unknown CA: no SIP answer" "" "$(grep 'SIP/2.0' "$T/unknownca.out")"
check "unknown CA: B logs the verify failure" 1 "$(refusals 'closed: tls: .*certificate verify failed')"

# --- 3. an expired certificate ----------------------------------------------------
sclient expired "$T/expired" 1 "$T/ok.msg"
check "expired certificate: s_client fails" 1 "$([ $SRC -ne 0 ] && echo 1 || echo 0)"
check_has "expired certificate: refused with alert certificate expired" "alert certificate expired" \
    "$(cat "$T/expired.err")"
check "expired certificate: no SIP answer" "" "$(grep 'SIP/2.0' "$T/expired.out")"
check "expired certificate: B logs it" 1 "$(refusals 'closed: tls: .*\(certificate has expired\)')"

# --- 4. plain TCP to the TLS port -------------------------------------------------
sipc "$B:$B_FED" --tcp -l "$A" -m OPTIONS -u sip:bob@b.example -f sip:alice@a.example --timeout 4
check "plain TCP OPTIONS to the TLS port: connection closed, no SIP answer" closed "$ST"

# --- 5. a certificate naming a community that is not allowlisted ------------------
sipc "$B:$B_FED" --tls --cert "$C/z.example.crt" --key "$C/z.example.key" --ca "$C/ca.pem" \
    -l "$A" -m OPTIONS -u sip:bob@b.example -f sip:zed@z.example --timeout 4
check "certificate for z.example (not allowlisted): closed by B, no SIP answer" closed "$ST"
check "z.example: B logs the refusal" 1 \
    "$(refusals 'tls: refused: certificate names no allowlisted community')"

# --- 6. the certificate must name the From domain (RFC 5922 7.2) ------------------
sclient good "$C" 1 "$T/ok.msg"
check "a.example certificate, From @a.example: 200 from B's user" 1 \
    "$(grep -c '^SIP/2.0 200' "$T/good.out")"
sip_request "$T/x.msg" sip:mallory@x.example
sclient fromx "$C" 1 "$T/x.msg"
check "a.example certificate, From @x.example (allowlisted): 403" 1 "$(grep -c '^SIP/2.0 403' "$T/fromx.out")"
check_has "From @x.example: Warning 'does not name'" \
    "the peer's certificate does not name x.example" "$(grep -i '^Warning:' "$T/fromx.out")"
check "From @x.example: not relayed to B's user" 0 "$(cat "$T"/uas-b/*_messages.log 2>/dev/null | grep -c 'mallory@x.example')"
check "From @a.example: relayed to B's user" 1 "$(uas_got b 'MESSAGE sip:bob@b.example SIP/2.0')"

# --- 7. one community, one certificate ----------------------------------------------
(sleep 30 | openssl s_client -connect "$B:$B_FED" -CAfile "$C/ca.pem" -cert "$C/a.example.crt" \
    -key "$C/a.example.key" -quiet >"$T/first.out" 2>"$T/first.err") 2>/dev/null &
FIRST=$!
PIDS="$PIDS $FIRST"
i=0
while [ "$(refusals 'accepted from a\.example')" -lt 3 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "first connection with the a.example certificate accepted" 3 "$(refusals 'accepted from a\.example')"
sipc "$B:$B_FED" --tls --cert "$T/reissued/a.example.crt" --key "$T/reissued/a.example.key" \
    --ca "$C/ca.pem" -l "$A" -m OPTIONS -u sip:bob@b.example -f sip:alice@a.example --timeout 4
check "second a.example certificate while the first is live: closed, no SIP answer" closed "$ST"
check "second certificate: B logs 'certificate differs'" 1 \
    "$(refusals 'tls: refused: certificate differs from the community.s live connections')"
pkill_tree() { for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do pkill_tree "$c"; kill "$c" 2>/dev/null; done; }
pkill_tree "$FIRST"
wait "$FIRST" 2>/dev/null
i=0
while [ "$(count "$T/b.log" 'closed: closed by peer')" -lt 3 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
sipc "$B:$B_FED" --tls --cert "$T/reissued/a.example.crt" --key "$T/reissued/a.example.key" \
    --ca "$C/ca.pem" -l "$A" -m OPTIONS -u sip:bob@b.example -f sip:alice@a.example --timeout 4
check "after the first connection closed, the new certificate is accepted: 200 to OPTIONS" 200 "$ST"
check "new certificate: B logs 'accepted from a.example'" 4 "$(refusals 'accepted from a\.example')"

# --- 8. A refuses a server certificate that does not name b.example (RFC 5922 7.3) --
stop_pid "$PID_b"
b_lines=$(wc -l <"$T/b.log")
write_conf "$T/b2.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" '{ domain = "a.example"; }' '' \
    'timers = { t1_ms = 100; b_ms = 2000; };'
sed -i "s|$C/b.example.crt|$C/z.example.crt|; s|$C/b.example.key|$C/z.example.key|" "$T/b2.conf"
start_edge b "$T/b2.conf"
write_conf "$T/a.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" '{ domain = "b.example"; }' '' \
    'timers = { t1_ms = 100; b_ms = 2000; };'
start_edge a "$T/a.conf"
sipc "$A:$A_INT" -l "$A" -u sip:bob@b.example -f sip:alice@a.example -b hi --timeout 6
check "B's certificate names z.example, not b.example: A answers its user 503" 503 "$ST"
check_has "503: Warning names the lost connection" "connection to the peer lost" "$WARN"
check "A logs the refused server certificate" 1 "$(count "$T/a.log" 'closed: tls: .*certificate verify failed')"
check "A never reports 'connected to b.example'" 0 "$(count "$T/a.log" 'connected to b\.example')"
check "no MESSAGE reached B's user from the impostor link" 0 "$(tail -n "+$((b_lines + 1))" "$T/b.log" | grep -c 'link << .*MESSAGE')"

stop_pid "$PID_a"; stop_pid "$PID_b"
check "no sanitizer report in the logs" 0 "$(cat "$T/a.log" "$T/b.log" | grep -c 'Sanitizer')"
done_tap
