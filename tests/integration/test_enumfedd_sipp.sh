#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# test_enumfedd_sipp.sh -- the community role of enumfedd (registrar and
# presence agent) driven by real user agents, SIPp and baresip, across two
# communities, a.example and b.example, joined by mutual TLS. b.example's edge
# keeps bob in its store.
#   - register_auth.xml: bob REGISTERs with digest authentication (RFC 7616):
#     401 offering MD5, then 200 listing the binding; a wrong password is
#     refused, 403, logged and counted as a local 4xx (SIGUSR1 counters). A
#     SIPp that answers only the first challenge (SHA-256 here, as RFC 8760
#     2.4 orders them) cannot: that check is skipped, and register_digest.xml
#     sends MD5 credentials computed here for the nonce of the 401 instead.
#   - subscribe_notify.xml: two watchers of a.example subscribe to bob, one by
#     URI, one by number (ENUM E2U+pres on a.example's edge), and check each
#     NOTIFY that crosses the federation link (PIDF, RPID), then unsubscribe
#     inside the dialog and get a terminating NOTIFY.
#   - publish.xml, while they watch: "away, in a meeting" (RFC 3903), a modify
#     by entity tag ("on the phone"), a refresh, a removal (Expires: 0), and
#     the removed entity tag again, 412.
#   - baresip (headless: account, contact, presence and console modules only):
#     bob's registers (skipped when it cannot answer the SHA-256 challenge
#     first) and publishes online and offline; erin's, of a.example, watches
#     bob through her edge and must see both.
# Every SIPp run must exit 0, and what the scenarios logged (-trace_logs:
# bindings, entity tags, each NOTIFY's state) is checked here.
#
# TAP on stdout; exit status 0 only when every check passed.
# Environment: ENUMFEDD, ENUMFEDCTL (defaults under $EF_SRC/build-it), EF_SRC;
# EF_SIPP_STEP_MS (pause between PUBLISH steps, 600), EF_SIPP_QUIET_MS (how
# long a watcher waits for one more NOTIFY before it unsubscribes, 3000),
# BARESIP_MODULES (/usr/lib/baresip/modules). Needs sipp; the baresip part
# also baresip (baresip-core), knotd and kdig, and is skipped without them.

# shellcheck disable=SC2034,SC2154
NAME=enumfedd_sipp
NET=127.0.18
DEADLINE=60
. "$(dirname "$0")/enumfedd_common.sh"
ENUMFEDCTL=${ENUMFEDCTL:-$EF_SRC/build-it/enumfedctl}
STEP_MS=${EF_SIPP_STEP_MS:-600}
QUIET_MS=${EF_SIPP_QUIET_MS:-3000}

need_tools sipp openssl python3 ss
pick_ports
W_NUM=$((B_UAC + 1)) # the second watcher's port on A
make_zones
mkcerts "$T/certs" a.example b.example

STORE=$T/b-store.db
printf 'bob-secret\n' | "$ENUMFEDCTL" -d "$STORE" user add bob@b.example --password-stdin >/dev/null
check "enumfedctl adds bob@b.example" 0 "$?"

# A drains within timers.b_ms: 5 s, should a NOTIFY toward a watcher that is gone
# wait for Timer F
write_conf "$T/a.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" '{ domain = "b.example"; }' \
    'hold_after_4xx = 0;' "$NO_RATES timers = { b_ms = 5000; };"
# NOTIFYs at most every 200 ms, so each PUBLISH step (EF_SIPP_STEP_MS apart) makes its own;
# the 401 offers MD5 alone (community.digest): SIPp 3.6 answers only the first
# challenge, and baresip 1.0 gives up when any is SHA-256
write_conf "$T/b.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" '{ domain = "a.example"; }' \
    '' "$NO_RATES community = { store = \"$STORE\"; notify_min_ms = 200; digest = \"md5\"; };"
start_edge a "$T/a.conf"
start_edge b "$T/b.conf"

# sipp_run DIR ARGS...: one SIPp run in $T/DIR (its traces stay there), at
# most 15 s; $RC its exit status.
sipp_run() {
    d=$T/$1
    shift
    mkdir -p "$d"
    (cd "$d" && exec sipp "$@" -m 1 -nd -nostdin -timeout 15s -timeout_error -trace_msg -trace_err \
        -trace_logs >"$d/screen.log" 2>&1)
    RC=$?
}
logs() { cat "$T/$1"/*_logs.log 2>/dev/null; }
errors() { cat "$T/$1"/*_errors.log 2>/dev/null | grep -v '^$' | tail -n 5; }
# counter NAME: the edge B's counter "local 4xx N" and friends, after SIGUSR1
counter() {
    before=$(grep -c 'counters:' "$T/b.log")
    kill -USR1 "$PID_b"
    i=0
    while [ "$(grep -c 'counters:' "$T/b.log")" -le "$before" ] && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    grep 'counters:' "$T/b.log" | tail -n 1 | sed -n "s/.*$1 \([0-9]*\).*/\1/p"
}
# md5_auth USER PASSWORD REALM NONCE URI: an Authorization value (RFC 7616 3.4, qop=auth)
md5_auth() {
    python3 - "$@" <<'PY'
import hashlib, sys
user, pw, realm, nonce, uri = sys.argv[1:6]
h = lambda s: hashlib.md5(s.encode()).hexdigest()
ha1, ha2, cnonce = h('%s:%s:%s' % (user, realm, pw)), h('REGISTER:' + uri), '0a4f113b'
resp = h('%s:%s:00000001:%s:auth:%s' % (ha1, nonce, cnonce, ha2))
print('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=MD5, '
      'qop=auth, nc=00000001, cnonce="%s"' % (user, realm, nonce, uri, resp, cnonce))
PY
}

# --- REGISTER with digest (RFC 7616, MD5) ------------------------------------------
REG_KEYS="-key user bob -key domain b.example -key expires 600"
# shellcheck disable=SC2086
sipp_run reg "$B:$B_INT" -sf "$SIPP_DIR/register_auth.xml" -i "$B" -p "$B_UA" $REG_KEYS \
    -au bob -ap bob-secret -auth_uri b.example
check_has "REGISTER without credentials: 401 offering MD5" "algorithm=MD5" \
    "$(logs reg | grep '^challenge ')"
if [ "$RC" -ne 0 ] && errors reg | grep -q 'createAuthHeader: authentication must use MD5'; then
    # This SIPp reads only the first algorithm= of the 401, SHA-256 here (RFC
    # 7616 3.7, RFC 8760 2.4: the preferred one first); it cannot answer.
    skip "SIPp's [authentication] answers the MD5 challenge: this SIPp takes only the first (SHA-256)"
    NONCE=$(grep -m 1 '^WWW-Authenticate: .*algorithm=MD5' "$T/reg"/*_messages.log |
        sed 's/.*nonce="\([^"]*\)".*/\1/')
    # shellcheck disable=SC2086
    sipp_run reg2 "$B:$B_INT" -sf "$SIPP_DIR/register_digest.xml" -i "$B" -p "$B_UA" $REG_KEYS \
        -key authorization "$(md5_auth bob bob-secret b.example "$NONCE" sip:b.example)"
    REGDIR=reg2
else
    REGDIR=reg
fi
check "SIPp REGISTER with MD5 credentials: exit 0" 0 "$RC"
check "... 200 listing the binding" "outcome=200 binding=<sip:bob@$B:$B_UA>;expires=600" \
    "$(logs $REGDIR | grep '^outcome=')"
# a SIPp that knows SHA-256 may answer that challenge, the first
check "... the Authorization answers with $([ $REGDIR = reg ] && echo 'MD5 or SHA-256' || echo MD5)" 1 \
    "$(grep -ciE "^Authorization: .*algorithm=$([ $REGDIR = reg ] && echo '(MD5|SHA-256)' || echo MD5)" \
        "$T/$REGDIR"/*_messages.log)"
check_has "B logged the 200" "REGISTER: answered 200" "$(grep 'REGISTER: answered' "$T/b.log")"

FOURXX=$(counter 4xx)
AUTHFAIL=$(counter 'authentication failures')
if [ $REGDIR = reg ]; then
    # shellcheck disable=SC2086
    sipp_run bad "$B:$B_INT" -sf "$SIPP_DIR/register_auth.xml" -i "$B" -p "$B_UA" $REG_KEYS \
        -au bob -ap wrong -auth_uri b.example
else
    # shellcheck disable=SC2086
    sipp_run bad "$B:$B_INT" -sf "$SIPP_DIR/register_digest.xml" -i "$B" -p "$B_UA" $REG_KEYS \
        -key authorization "$(md5_auth bob wrong b.example "$NONCE" sip:b.example)"
fi
check "a wrong password: the scenario ends (exit 0)" 0 "$RC"
check "... with 403" "outcome=403" "$(logs bad | grep '^outcome=')"
check_has "B logged why" "REGISTER: answered 403: wrong credentials" "$(grep 'answered 403' "$T/b.log")"
# the fallback sends only the second REGISTER; [authentication] both (401, then 403)
check "B counted the refusals as local 4xx" $((FOURXX + $([ $REGDIR = reg ] && echo 2 || echo 1))) \
    "$(counter 4xx)"
if [ -n "$AUTHFAIL" ]; then
    check "... and one authentication failure (the 401 is none)" $((AUTHFAIL + 1)) \
        "$(counter 'authentication failures')"
else
    skip "B's authentication failures counter: this enumfedd has none"
fi

# --- SUBSCRIBE across the link, by URI and by number ---------------------------------
# watch DIR PORT TARGET: a watcher of a.example in the background; $W its pid
watch() {
    mkdir -p "$T/$1"
    (cd "$T/$1" && exec sipp "$A:$A_INT" -sf "$SIPP_DIR/subscribe_notify.xml" -i "$A" -p "$2" \
        -key target "$3" -key watcher carol@a.example -key expires 600 -recv_timeout "$QUIET_MS" \
        -m 1 -nd -nostdin -timeout 30s -timeout_error -trace_msg -trace_err -trace_logs \
        >"$T/$1/screen.log" 2>&1) &
    W=$!
    PIDS="$PIDS $W"
}
notifies() { logs "$1" | grep -c '^notify '; }
# wait_notifies DIR N: until watcher DIR has logged N NOTIFYs (at most 10 s)
wait_notifies() {
    i=0
    while [ "$(notifies "$1")" -lt "$2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
watch w-uri "$A_UAC" sip:bob@b.example
W_URI=$W
watch w-num "$W_NUM" tel:+441632960200
W_NUMBER=$W
wait_notifies w-uri 1
wait_notifies w-num 1
check "the watcher by URI is subscribed across the link" "subscribed expires=600" \
    "$(logs w-uri | grep '^subscribed')"
check "the watcher by number is subscribed" "subscribed expires=600" \
    "$(logs w-num | grep '^subscribed')"
check_has "A resolved the number with ENUM (E2U+pres)" "ENUM +441632960200 -> pres:bob@b.example" \
    "$(grep ENUM "$T/a.log")"
CLOSED="notify basic=closed activity= note="
check "first NOTIFY by URI: closed, nobody publishes" "$CLOSED" "$(logs w-uri | grep '^notify ')"
check "first NOTIFY by number: closed" "$CLOSED" "$(logs w-num | grep '^notify ')"

# --- PUBLISH, while both watch -------------------------------------------------------
sipp_run pub "$B:$B_INT" -sf "$SIPP_DIR/publish.xml" -i "$B" -p "$B_UAC" -key user bob \
    -key domain b.example -key expires 600 -d "$STEP_MS"
check "SIPp PUBLISH life cycle: exit 0" 0 "$RC"
for step in 1 2 3; do
    eval "ETAG$step=\$(logs pub | sed -n 's/^step $step etag=\\([^ ]*\\) expires=600\$/\\1/p')"
done
check "initial PUBLISH, modify, refresh: 200 with a SIP-ETag and Expires 600 each" yes \
    "$([ -n "$ETAG1" ] && [ -n "$ETAG2" ] && [ -n "$ETAG3" ] && echo yes || echo no)"
check "each gave a new entity tag (RFC 3903 6 step 8)" 3 \
    "$(printf '%s\n' "$ETAG1" "$ETAG2" "$ETAG3" | sort -u | grep -c .)"
check "the modify carried SIP-If-Match with the first tag" 1 \
    "$(grep -c "^SIP-If-Match: $ETAG1" "$T/pub"/*_messages.log)"
check "removal (Expires: 0): 200 with Expires: 0" "step 4 removed expires=0" \
    "$(logs pub | grep '^step 4')"
check "the removed entity tag again: 412" "step 5 412" "$(logs pub | grep '^step 5')"

wait_notifies w-uri 4
wait_notifies w-num 4
EXPECT="$CLOSED
notify basic=open activity=away note=in a meeting
notify basic=open activity=on-the-phone note=on the phone
$CLOSED"
check "NOTIFYs by URI: closed, away + in a meeting, on the phone, closed after the removal" \
    "$EXPECT" "$(logs w-uri | grep '^notify ')"
check "NOTIFYs by number: the same" "$EXPECT" "$(logs w-num | grep '^notify ')"

# --- unsubscribe (after EF_SIPP_QUIET_MS without a NOTIFY) ---------------------------
wait "$W_URI"
check "watcher by URI: exit 0 (every NOTIFY as expected, unsubscribed)" 0 "$?"
check "... its unsubscribe got 200 and a terminating NOTIFY" \
    "unsubscribed final terminated;reason=timeout" \
    "$(logs w-uri | grep -E '^(unsubscribed|final)' | paste -sd' ' -)"
# The To of a dialog made by number is tel:+441632960200: a.example's edge
# finds the peer of the dialog in its own Record-Route entry (peer=), not in
# the To URI.
wait "$W_NUMBER"
check "watcher by number: exit 0" 0 "$?"
check "... its unsubscribe got 200 and a terminating NOTIFY" \
    "unsubscribed final terminated;reason=timeout" \
    "$(logs w-num | grep -E '^(unsubscribed|final)' | paste -sd' ' -)"

# --- a user agent that sends to its edge as outbound proxy ------------------------
# RFC 3261 16.4: the edge removes the Route value that names it, then routes by
# the Request-URI (16.5): a user agent may use its edge as outbound proxy.
sipc "$B:$B_INT" -l "$B" -m REGISTER -u sip:b.example -f sip:bob@b.example -t sip:bob@b.example \
    -H "Route: <sip:$B:$B_INT;transport=udp;lr>" -H "Contact: <sip:bob@$B:$B_UA>" -H "Expires: 600"
check "REGISTER with Route: <the edge;lr> (outbound proxy): challenged, 401" 401 "$ST"

# --- baresip: bob publishes at b.example, erin watches from a.example ----------------
# free_udp ADDR PORT: the first port from PORT on that nothing listens on ADDR (UDP)
free_udp() {
    p=$2
    while ss -Hlun "sport = :$p" 2>/dev/null | grep -q "$1:$p" && [ "$p" -lt $(($2 + 50)) ]; do
        p=$((p + 1))
    done
    echo "$p"
}

# baresip_conf DIR ADDR PORT ACCOUNT CONTACTS: a headless baresip (no audio, no
# video, commands over UDP on the next port) with one account
baresip_conf() {
    mkdir -p "$1"
    cat >"$1/config" <<CONF
poll_method		poll
sip_listen		$2:$3
dns_server		$B:$DNS_PORT
module_path		$BARESIP_MODULES
module			account.so
module			contact.so
module			presence.so
module			cons.so
cons_listen		$2:$(free_udp "$2" $(($3 + 100)))
CONF
    printf '%s\n' "$4" >"$1/accounts"
    printf '%s\n' "$5" >"$1/contacts"
}
# baresip_cmd DIR COMMAND: a command to that baresip's console
baresip_cmd() {
    python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
h, p = sys.argv[1].rsplit(":", 1)
s.sendto(sys.argv[2].encode() + b"\n", (h, int(p)))' "$(sed -n 's/^cons_listen[[:space:]]*//p' "$1/config")" "$2"
}
# wait_log FILE PATTERN [N]: until FILE has N lines matching PATTERN (grep -E; at most 10 s)
wait_log() {
    i=0
    while n=$(count "$1" "$2") && [ "${n:-0}" -lt "${3:-1}" ] && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
}

# Knot DNS serving b.example with only _sip._udp: bob's baresip finds
# b.example's registrar and presence agent through RFC 3263, without an
# outbound proxy (erin's uses one).
start_dns() {
    mkdir -p "$T/knot/run" "$T/knot/db" "$T/knot/zones"
    cat >"$T/knot/zones/b.example.zone" <<ZONE
\$ORIGIN b.example.
\$TTL 60
@          SOA ns.b.example. hostmaster.b.example. 1 3600 900 604800 60
@          NS  ns.b.example.
ns         A   $B
edge       A   $B
_sip._udp  SRV 0 0 $B_INT edge.b.example.
ZONE
    cat >"$T/knot/knot.conf" <<KNOT
server:
    rundir: "$T/knot/run"
    listen: $B@$DNS_PORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$T/knot/db"
log:
  - target: "$T/knot/knotd.log"
    any: info
template:
  - id: default
    storage: "$T/knot/zones"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: b.example
KNOT
    knotd -c "$T/knot/knot.conf" >"$T/knot/knotd.out" 2>&1 &
    PIDS="$PIDS $!"
    i=0
    until kdig @"$B" -p "$DNS_PORT" +timeout=1 +retry=0 +short SRV _sip._udp.b.example 2>/dev/null |
        grep -q "$B_INT"; do
        i=$((i + 1))
        [ $i -lt 50 ] || bail "knotd did not serve b.example: $(tail -5 "$T/knot/knotd.log")"
        sleep 0.1
    done
}

baresip_part() {
    for tool in baresip knotd kdig stdbuf; do
        command -v $tool >/dev/null 2>&1 || { skip "baresip part: $tool is not installed"; return 0; }
    done
    BARESIP_MODULES=${BARESIP_MODULES:-/usr/lib/baresip/modules}
    DNS_PORT=$((base + 9))
    start_dns
    baresip_conf "$T/bs-bob" "$B" "$B_UA" \
        "<sip:bob@b.example;transport=udp>;auth_pass=bob-secret;regint=600;pubint=600" ""
    baresip_conf "$T/bs-erin" "$A" "$A_UAC" \
        "<sip:erin@a.example;transport=udp>;outbound=\"sip:$A:$A_INT;transport=udp\";regint=0" \
        "\"Bob\" <sip:bob@b.example>;presence=p2p"
    # -s: SIP trace, line-buffered so it can be watched; -t: the longest each may run
    (cd "$T/bs-bob" && exec stdbuf -oL baresip -f "$T/bs-bob" -s -t 20 >"$T/bs-bob/out" 2>&1) &
    BOB=$!
    PIDS="$PIDS $BOB"
    wait_log "$T/bs-bob/out" "^SIP/2.0 [0-9]+ .*" 2 # REGISTER's and the first PUBLISH's answers
    (cd "$T/bs-erin" && exec stdbuf -oL baresip -f "$T/bs-erin" -s -t 20 \
        >"$T/bs-erin/out" 2>&1) &
    ERIN=$!
    PIDS="$PIDS $ERIN"
    wait_log "$T/b.log" "NOTIFY bob@b.example -> sip:erin@a.example: active"
    sleep 0.2 # erin answers the NOTIFY
    check_has "baresip's REGISTER reaches B through DNS: 401 offering MD5" "algorithm=MD5" \
        "$(grep '^WWW-Authenticate:' "$T/bs-bob/out")"
    if grep -q 'Register: Function not implemented' "$T/bs-bob/out"; then
        # libre answers only the first challenge, SHA-256 here (RFC 8760 2.4: the
        # preferred first), and gives up on an algorithm it does not know
        skip "baresip registers with MD5: this baresip stops at the first challenge (SHA-256)"
    else
        wait_log "$T/b.log" "REGISTER: answered 200"
        check_has "baresip registers with MD5: 200" "REGISTER: answered 200" "$(grep 'REGISTER: answered' "$T/b.log")"
    fi
    check_has "bob's registered baresip publishes its state: 200 with a SIP-ETag" "SIP-ETag:" \
        "$(grep -A8 '^SIP/2.0 200' "$T/bs-bob/out" | grep '^SIP-ETag:')"
    check_has "erin's baresip subscribes to bob through A (outbound proxy): the first NOTIFY crosses" \
        "<basic>open</basic>" "$(grep '<basic>' "$T/bs-erin/out" | head -n 1)"
    baresip_cmd "$T/bs-bob" /presence_offline
    wait_log "$T/bs-erin/out" "changed status from .*Online.* to .*Offline"
    check_has "bob goes offline: erin's baresip is told (NOTIFY across the link)" "Offline" \
        "$(grep 'changed status' "$T/bs-erin/out" | tail -n 1)"
    baresip_cmd "$T/bs-bob" /presence_online
    wait_log "$T/bs-erin/out" "changed status from .*Offline.* to .*Online"
    check_has "... and online again" "Online" \
        "$(grep 'changed status' "$T/bs-erin/out" | tail -n 1 | sed 's/.* to //')"
    baresip_cmd "$T/bs-erin" /quit
    wait "$ERIN"
    check "erin's baresip quits: exit 0" 0 "$?"
    check_has "... unsubscribing: B sends the terminating NOTIFY" \
        "NOTIFY bob@b.example -> sip:erin@a.example: terminated" "$(grep 'NOTIFY bob' "$T/b.log")"
    baresip_cmd "$T/bs-bob" /quit
    wait "$BOB"
    check "bob's baresip quits: exit 0" 0 "$?"
}

baresip_part

stop_edges
done_tap
