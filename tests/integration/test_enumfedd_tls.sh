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
. "$(dirname "$0")/enumfedd_common.sh"

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
