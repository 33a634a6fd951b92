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
. "$(dirname "$0")/enumfedd_common.sh"

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

stop_edges

done_tap
