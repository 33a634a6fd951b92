# SPDX-License-Identifier: BSD-2-Clause
#
# enumfedd_common.sh -- what the enumfedd integration tests share, sourced by
# each test_enumfedd_*.sh after it sets NAME, NET (its own 127.0.X network, so
# scripts can run side by side) and DEADLINE (seconds): TAP checks, a
# watchdog, cleanup of every process started, free ports, the demo zones
# rewritten to the script's addresses, certificates, configurations, edges,
# sipp user agents and the sipc.py client.
# shellcheck shell=sh disable=SC2034,SC2154,SC2317
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

# stop_edges: SIGTERM to both edges; each must exit 0, with no sanitizer report in its log.
stop_edges() {
    stop_pid "$PID_a"
    check "A exits 0 on SIGTERM" 0 "$STOP_RC"
    stop_pid "$PID_b"
    check "B exits 0 on SIGTERM" 0 "$STOP_RC"
    check "no sanitizer report in the logs" 0 "$(cat "$T/a.log" "$T/b.log" | grep -c 'Sanitizer')"
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
