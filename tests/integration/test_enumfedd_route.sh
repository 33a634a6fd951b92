#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# test_enumfedd_route.sh -- enumfedd routing between two communities on
# loopback: a.example (edge A, 127.0.10.1) and b.example (edge B, 127.0.10.2),
# mutual TLS between the edges, sipp user agents behind each. Delivery by
# number (ENUM, E2U+im then E2U+sip) and by URI, both directions over one TLS
# connection, and the refusals of daemon/route.c and daemon/proxy.c with
# their status codes and Warning texts: 404 (no ENUM record), 403 (not a
# peer, From not ours), 483, 482, 400, 408 (timers.b_ms), OPTIONS answered
# by the edge, and the hold-back after a 4xx (federation.hold_after_4xx).
#
# TAP on stdout; exit status 0 only when every check passed.
# Environment: ENUMFEDD (default $EF_SRC/build-it/enumfedd), EF_SRC.
# Needs: sipp, openssl, python3, ss (iproute2).

# shellcheck disable=SC2034,SC2154,SC2317 # PID_x and UAS_x are set by eval; traps call functions
NAME=enumfedd_route
NET=127.0.10
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
    WARN=$(printf '%s\n' "$R" | sed -n 's/^Warning: //p' | head -n 1)
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
mkcerts "$T/certs" a.example b.example

# A: the 408 comes from A's own timer (b_ms 2000) before B's (4000) could.
write_conf "$T/a.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" '{ domain = "b.example"; }' \
    'hold_after_4xx = 2;' "timers = { t1_ms = 100; b_ms = 2000; }; $NO_RATES"
write_conf "$T/b.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" '{ domain = "a.example"; }' \
    'hold_after_4xx = 2;' "timers = { t1_ms = 100; b_ms = 4000; }; $NO_RATES"
start_edge a "$T/a.conf"
start_edge b "$T/b.conf"
start_uas b "$B" "$B_UA"
start_uas a "$A" "$A_UA"

# --- delivery A -> B --------------------------------------------------------
uac "$A" "$A_UAC" "$A:$A_INT" "tel:+441632960200" alice@a.example
check "tel:+441632960200 from A's user: 200 (sipp)" 0 "$RC"
check "tel:+441632960200 reached B's user as sip:bob@b.example (ENUM E2U+im)" 1 \
    "$(uas_got b 'MESSAGE sip:bob@b.example SIP/2.0')"
check_has "A's log: ENUM +441632960200 -> im:bob@b.example" \
    "ENUM +441632960200 -> im:bob@b.example" "$(grep 'ENUM' "$T/a.log")"

uac "$A" "$A_UAC" "$A:$A_INT" "sip:+441632960200@a.example;user=phone" alice@a.example
check "sip:+441632960200@a.example;user=phone: 200 (sipp)" 0 "$RC"
check "sip:...;user=phone reached B's user as sip:bob@b.example" 2 \
    "$(uas_got b 'MESSAGE sip:bob@b.example SIP/2.0')"

uac "$A" "$A_UAC" "$A:$A_INT" "sip:bob@b.example" alice@a.example
check "sip:bob@b.example: 200 (sipp)" 0 "$RC"
uac "$A" "$A_UAC" "$A:$A_INT" "im:bob@b.example" alice@a.example
check "im:bob@b.example: 200 (sipp)" 0 "$RC"
check "sip: and im: URIs reached B's user as sip:bob@b.example" 4 \
    "$(uas_got b 'MESSAGE sip:bob@b.example SIP/2.0')"

uac "$A" "$A_UAC" "$A:$A_INT" "tel:+441632960201" alice@a.example
check "tel:+441632960201 (E2U+sip only): 200 (sipp)" 0 "$RC"
check "tel:+441632960201 reached B's user as sip:carol@b.example (fallback to E2U+sip)" 1 \
    "$(uas_got b 'MESSAGE sip:carol@b.example SIP/2.0')"

# --- delivery B -> A, over the connection A opened ---------------------------
uac "$B" "$B_UAC" "$B:$B_INT" "tel:+441632960100" bob@b.example
check "B -> A: tel:+441632960100 from B's user: 200 (sipp)" 0 "$RC"
check "B -> A: reached A's user as sip:alice@a.example" 1 \
    "$(uas_got a 'MESSAGE sip:alice@a.example SIP/2.0')"
check "one TLS connection: A's log says 'connected to b.example' once" 1 \
    "$(count "$T/a.log" 'conn [0-9]+ .* connected to b\.example')"
check "one TLS connection: B's log says 'accepted from a.example' once" 1 \
    "$(count "$T/b.log" 'conn [0-9]+ .* accepted from a\.example')"
check "one TLS connection: A accepted no connection" 0 "$(count "$T/a.log" 'accepted from')"
check "one TLS connection: B opened no connection" 0 "$(count "$T/b.log" 'connected to|connecting to')"
check "B -> A: B's log shows the MESSAGE sent over the link to a.example" 1 \
    "$(count "$T/b.log" 'link >> a\.example conn [0-9]+: MESSAGE sip:alice@a\.example')"

# --- load: 100 MESSAGEs at 50 a second from A's user ------------------------------
before=$(uas_got b 'MESSAGE sip:bob@b.example SIP/2.0')
sipp "$A:$A_INT" -sf "$SIPP_DIR/message_uac.xml" -i "$A" -p "$A_UAC" -m 100 -r 50 -l 50 \
    -key to "tel:+441632960200" -key from alice@a.example -key text load -nostdin \
    -timeout 20s -timeout_error >"$T/load.out" 2>&1
check "load: 100 MESSAGEs by number at 50/s, every one answered 200 (sipp exit 0)" 0 "$?"
i=0
while [ "$(uas_got b 'MESSAGE sip:bob@b.example SIP/2.0')" -lt $((before + 100)) ] && [ $i -lt 30 ]; do
    sleep 0.1; i=$((i + 1))
done
check "load: B's user received the 100 MESSAGEs" $((before + 100)) "$(uas_got b 'MESSAGE sip:bob@b.example SIP/2.0')"
check "load: still one TLS connection between A and B" "1 0" \
    "$(count "$T/a.log" 'connected to b\.example') $(count "$T/a.log" 'accepted from')"

# --- refusals of A (route.c) ------------------------------------------------
sipc "$A:$A_INT" -l "$A" -u "tel:+441632960999" -f sip:alice@a.example -b hi
check "number without an ENUM record: 404" 404 "$ST"
check_has "number without an ENUM record: Warning names ENUM" '"ENUM: +441632960999' "$WARN"

sipc "$A:$A_INT" -l "$A" -u "tel:+441632960300" -f sip:alice@a.example -b hi
check "number of c.example (not a peer): 403" 403 "$ST"
check_has "number of c.example: Warning 'not a federation peer'" \
    "c.example is not a federation peer of a.example" "$WARN"

sipc "$A:$A_INT" -l "$A" -u "sip:x@c.example" -f sip:alice@a.example -b hi
check "sip:x@c.example: 403" 403 "$ST"
check_has "sip:x@c.example: Warning 'not a federation peer'" \
    "c.example is not a federation peer of a.example" "$WARN"

sipc "$A:$A_INT" -l "$A" -u "sip:bob@b.example" -f sip:mallory@x.example -b hi
check "From @x.example on A's internal side: 403" 403 "$ST"
check_has "From @x.example: Warning 'not a domain of this community'" \
    "x.example is not a domain of this community" "$WARN"

# OPTIONS from B's side for A's user: A answers it (answer_options), its user sees nothing.
sipc "$B:$B_INT" -l "$B" -m OPTIONS -u "sip:alice@a.example" -f sip:bob@b.example --full
check "OPTIONS from the peer for sip:alice@a.example: 200" 200 "$ST"
allow=$(printf '%s\n' "$R" | grep -i '^Allow:')
check_has "OPTIONS: the 200 has Allow with MESSAGE" "MESSAGE" "$allow"
check "OPTIONS: answered by A, not relayed to A's user" 0 "$(uas_got a 'OPTIONS')"
check "OPTIONS: crossed the link to A" 1 "$(count "$T/a.log" 'link << b\.example conn [0-9]+: OPTIONS sip:alice@a\.example')"

sipc "$A:$A_INT" -l "$A" -u "sip:bob@b.example" -f sip:alice@a.example --max-forwards 0 -b hi
check "Max-Forwards: 0: 483" 483 "$ST"

sipc "$A:$A_INT" -l "$A" -u "sip:bob@b.example" -f sip:alice@a.example -b hi \
    -H "Via: SIP/2.0/UDP $A:$A_INT;branch=z9hG4bKefd0.1f2e3d"
check "Via with A's own address and an efd branch: 482" 482 "$ST"
check_has "482: Warning 'already passed this edge'" "already passed this edge" "$WARN"

sipc "$A:$A_INT" -l "$A" -u "sip:bob@b.example" -f sip:alice@a.example -b hi --cseq "one MESSAGE"
check "malformed CSeq ('one MESSAGE'): 400" 400 "$ST"

sipc "$A:$A_INT" -l "$A" -u "sip:bob@b.example" -f sip:alice@a.example -b hi
check "A still relays after the refusals: 200" 200 "$ST"

# --- 408: B's user does not answer ------------------------------------------
stop_pid "$UAS_b"
t0=$(now_ms)
sipc "$A:$A_INT" -l "$A" -u "sip:bob@b.example" -f sip:alice@a.example -b hi --timeout 8
t1=$(now_ms)
check "B's user silent: 408" 408 "$ST"
check_has "408: Warning 'no answer from the peer community'" "no answer from the peer community" "$WARN"
el=$((t1 - t0))
check "408 after about timers.b_ms (2000 ms): 1800..3500 ms" yes \
    "$([ $el -ge 1800 ] && [ $el -le 3500 ] && echo yes || echo "no: $el ms")"

# --- hold-back after a 4xx (hold_after_4xx = 2) -------------------------------
start_uas b404 "$B" "$B_UA" message_uas_404.xml
sipc "$A:$A_INT" -l "$A" -u "sip:erin@b.example" -f sip:alice@a.example -b hi
check "B's user answers 404: A's user gets 404" 404 "$ST"
check "the first 404 is B's user's (no Warning)" "" "$WARN"
reached=$(count "$T/b.log" 'link << a\.example conn [0-9]+: MESSAGE sip:erin@b\.example')
check "the first MESSAGE reached B" 1 "$reached"
sipc "$A:$A_INT" -l "$A" -u "sip:erin@b.example" -f sip:alice@a.example -b hi --full
check "within hold_after_4xx: A answers 404 itself, Warning 'held back'" \
    '404 399 a.example "held back: b.example answered 404 to this target"' "$ST $WARN"
ra=$(printf '%s\n' "$R" | sed -n 's/^Retry-After: *//Ip' | tr -d '\r')
check "held back: Retry-After 1 or 2 (seconds left)" yes \
    "$(case $ra in 1 | 2) echo yes ;; *) echo "no: '$ra'" ;; esac)"
check "held back: the second MESSAGE did not reach B" 1 \
    "$(count "$T/b.log" 'link << a\.example conn [0-9]+: MESSAGE sip:erin@b\.example')"
check "held back: B's user got one MESSAGE" 1 "$(uas_got b404 'MESSAGE sip:erin@b.example')"
sipc "$A:$A_INT" -l "$A" -u "sip:bob@b.example" -f sip:alice@a.example -b hi
check "held back is per target: sip:bob@b.example still reaches B's user (404)" "404 " "$ST $WARN"
sleep 2.3
sipc "$A:$A_INT" -l "$A" -u "sip:erin@b.example" -f sip:alice@a.example -b hi
check "after hold_after_4xx: 404 from B's user again (no Warning)" "404 " "$ST $WARN"
check "after hold_after_4xx: the MESSAGE reached B" 2 \
    "$(count "$T/b.log" 'link << a\.example conn [0-9]+: MESSAGE sip:erin@b\.example')"

stop_pid "$PID_a"
check "A exits 0 on SIGTERM" 0 "$STOP_RC"
stop_pid "$PID_b"
check "B exits 0 on SIGTERM" 0 "$STOP_RC"
check "no sanitizer report in the logs" 0 "$(cat "$T/a.log" "$T/b.log" | grep -c 'Sanitizer')"

done_tap
