#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# test_enumfedd_session.sh -- session-mode IM across the federation link (MESSAGE
# inside an INVITE dialog, seed 6.3.2), OPTIONS answered for users (seed 6.1,
# 6.2), INFO, and the recording notice (seed 9.1). Both edges are the
# registrars of their communities. alice (a sipp UAC behind a.example) invites
# bob@b.example by URI with m=message; bob (a sipp UAS registered at b.example
# with digest) answers; two MESSAGEs go each way inside the dialog and an INFO
# along the Record-Route of both edges, then BYE. b.example logs everything
# (community.recording = "all"): the offer bob gets and the answer alice gets
# carry a=record:on (RFC 7866), 2xx to page-mode MESSAGEs a Warning 399.
# a.example has session-mode IM off: an INVITE with m=message for alice gets
# 488 naming page mode, and so does one for carol@b.example, whose only
# contact registered methods="MESSAGE,OPTIONS" (RFC 3840); bob's INVITE goes to
# the device of his that takes INVITE, not to the page-mode-only one with the
# higher q. INVITEs without an
# SDP offer or with a broken one get 400, INFO outside a dialog 481.
#
# TAP on stdout; exit status 0 only when every check passed.
# Environment: ENUMFEDD, ENUMFEDCTL (defaults under $EF_SRC/build-it), EF_SRC.

# shellcheck disable=SC2034,SC2154
NAME=enumfedd_session
NET=127.0.16
DEADLINE=120
. "$(dirname "$0")/enumfedd_common.sh"
ENUMFEDCTL=${ENUMFEDCTL:-$EF_SRC/build-it/enumfedctl}

need_tools sipp openssl python3 ss
pick_ports
make_zones
mkcerts "$T/certs" a.example b.example

A_STORE=$T/a-store.db
B_STORE=$T/b-store.db
printf 'alice-pw\n' | "$ENUMFEDCTL" -d "$A_STORE" user add alice@a.example --password-stdin >/dev/null
for u in bob carol dave; do
    printf '%s-pw\n' "$u" | "$ENUMFEDCTL" -d "$B_STORE" user add "$u@b.example" --password-stdin \
        >/dev/null || bail "enumfedctl user add $u failed"
done

write_conf "$T/a.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" '{ domain = "b.example"; }' \
    'hold_after_4xx = 0;' "$NO_RATES community = { store = \"$A_STORE\"; session_im = false; };"
write_conf "$T/b.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" '{ domain = "a.example"; }' \
    'hold_after_4xx = 0;' "$NO_RATES community = { store = \"$B_STORE\"; recording = \"all\"; };"
# B answers OPTIONS through its registrar, which knows what the user's contacts take
sed -i 's/answer_options = true/answer_options = false/' "$T/b.conf"
start_edge a "$T/a.conf"
start_edge b "$T/b.conf"

# carol's device: answers every request 200 and keeps them
python3 "$EF_SRC/tests/integration/sipuas.py" "$B:$B_UAC" "$T/carol.log" --seconds 90 &
PIDS="$PIDS $!"

reg() { # USER CONTACT: a REGISTER with digest from B's side
    sipc "$B:$B_INT" -l "$B" -m REGISTER -u sip:b.example -f "sip:$1@b.example" \
        -t "sip:$1@b.example" -H "Contact: $2" -H "Expires: 600" --auth "$1:$1-pw"
}
reg bob "<sip:bob@$B:$B_UA>"
check "bob registers at b.example (digest)" 200 "$ST"
reg carol "<sip:carol@$B:$B_UAC>;methods=\"MESSAGE,OPTIONS\""
check "carol registers a contact that takes MESSAGE and OPTIONS only" 200 "$ST"

printf 'v=0\r\no=alice 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=message %s sip sip:alice@%s:%s\r\n' \
    "$A" "$A" "$A_UAC" "$A" "$A_UAC" >"$T/offer.sdp"
printf 'v=0\r\no=alice 1 1 IN IP4 %s\r\nt=0 0\r\ns=-\r\nm=message 5060 sip sip:alice@x\r\n' \
    "$A" >"$T/broken.sdp"
from_a() { # URI ARGS...: a request from alice through A
    u=$1
    shift
    sipc "$A:$A_INT" -l "$A" -u "$u" -f sip:alice@a.example -t "$u" "$@"
}

# --- OPTIONS answered for the user (seed 6.1, 6.2, 6.3.2) -------------------------
from_a sip:bob@b.example -m OPTIONS --full
check "OPTIONS for bob across the link: 200 from b.example" 200 "$ST"
check_has "... Allow lists MESSAGE and INVITE" "Allow: INVITE, ACK, CANCEL, BYE, MESSAGE, OPTIONS" "$R"
check_has "... Accept names text/plain" "Accept: application/sdp, text/plain" "$R"
check_has "... an SDP capability body" "Content-Type: application/sdp" "$R"
check_has "... with the m=message line (port 0, RFC 3264 9)" "m=message 0 sip sip:bob@b.example" "$R"
check_has "... and t=0 0" "t=0 0" "$R"
check "bob's device saw no OPTIONS" 0 "$(uas_got bob OPTIONS)"
from_a sip:carol@b.example -m OPTIONS --full
check "OPTIONS for carol: 200" 200 "$ST"
check_has "... Allow: MESSAGE, OPTIONS (her device takes no INVITE)" "Allow: MESSAGE, OPTIONS" "$R"
case $R in *m=message*) not_ok "... no m=message line for carol" "$R" ;; *) ok "... no m=message line for carol" ;; esac
from_a sip:nobody@b.example -m OPTIONS
check "OPTIONS for an unknown user of b.example: 404, as for MESSAGE" 404 "$ST"
sipc "$B:$B_INT" -l "$B" -m OPTIONS -u sip:alice@a.example -f sip:bob@b.example \
    -t sip:alice@a.example --full
check "OPTIONS for alice (a.example, session IM off): 200" 200 "$ST"
check_has "... Allow: MESSAGE, OPTIONS" "Allow: MESSAGE, OPTIONS" "$R"
case $R in *INVITE*|*m=message*) not_ok "... neither INVITE nor m=message" "$R" ;; *) ok "... neither INVITE nor m=message" ;; esac

# --- INVITEs that cannot become a session ------------------------------------------
from_a sip:carol@b.example -m INVITE --ctype application/sdp --body-file "$T/offer.sdp" --full
check "INVITE with m=message for carol: 488" 488 "$ST"
check_has "... Warning 304 says why and names page mode" \
    "304 b.example \"no device of carol@b.example takes INVITE; page mode is available: send MESSAGE" "$R"
check_has "... Allow lists MESSAGE" "Allow: MESSAGE, OPTIONS" "$R"
check "carol's device saw no INVITE" 0 "$(grep -c '^INVITE ' "$T/carol.log" 2>/dev/null || true)"
sipc "$B:$B_INT" -l "$B" -m INVITE -u sip:alice@a.example -f sip:bob@b.example \
    -t sip:alice@a.example --ctype application/sdp --body-file "$T/offer.sdp" --full
check "INVITE with m=message for alice, a.example has session IM off: 488" 488 "$ST"
check_has "... Warning 304 from a.example" \
    "304 a.example \"session-mode IM (MESSAGE inside INVITE) is off in a.example; page mode" "$R"
from_a sip:bob@b.example -m INVITE
check "INVITE without SDP: 400" 400 "$ST"
check_has "... which says so" "the INVITE carries no SDP offer" "$WARN"
from_a sip:bob@b.example -m INVITE --ctype application/sdp --body-file "$T/broken.sdp"
check "INVITE with SDP that does not parse: 400" 400 "$ST"
check_has "... with the parser's reason" "the SDP offer is malformed at byte" "$WARN"
check_has "... precisely" "s= must follow o=" "$WARN"
from_a sip:bob@b.example -m INFO -b x
check "INFO outside a dialog: 481 (RFC 6086)" 481 "$ST"

# --- page mode and the recording notice ------------------------------------------------
from_a sip:carol@b.example -b "hello carol" --full
check "page-mode MESSAGE to carol: 200 from her device" 200 "$ST"
check_has "... with the recording notice (Warning 399)" \
    'Warning: 399 b.example "instant messages are logged by b.example"' "$R"
from_a sip:dave@b.example -b "hello dave"
check "MESSAGE to dave (offline): kept, 202" 202 "$ST"
check_has "... with the same notice" "instant messages are logged by b.example" "$WARN"
sipc "$B:$B_INT" -l "$B" -u sip:alice@a.example -f sip:bob@b.example -t sip:alice@a.example \
    -b hi --full
check "bob's MESSAGE to alice (offline at a.example): 202" 202 "$ST"
check "... b.example's notice, none from a.example, which logs nothing" \
    '0 Warning: 399 b.example "instant messages are logged by b.example"' \
    "$(printf '%s\n' "$R" | grep -c '^Warning: 399 a.example') $(printf '%s\n' "$R" |
        grep '^Warning: 399' | head -n 1 | tr -d '\r')"

# --- a second device of bob's, for page mode only, with the higher q -----------------------
reg bob "<sip:bob@$B:$B_UAC>;q=1.0;methods=\"MESSAGE,OPTIONS\""
check "bob adds a page-mode-only device with q=1.0" 200 "$ST"
from_a sip:bob@b.example -b "page mode for bob"
check "page-mode MESSAGE to bob: 200" 200 "$ST"
check "... delivered to his q=1.0 device" 1 "$(grep -c '^MESSAGE sip:bob@' "$T/carol.log")"

# --- the session (it must reach the device that takes INVITE, though its q is lower) ---------
A_BEFORE=$(wc -l <"$T/a.log")
B_BEFORE=$(wc -l <"$T/b.log")
# bob's device: one call (start_uas of enumfedd_common.sh serves calls until killed)
mkdir -p "$T/uas-bob"
(cd "$T/uas-bob" && exec sipp -sf "$SIPP_DIR/session_uas.xml" -i "$B" -p "$B_UA" -m 1 -nostdin \
    -trace_msg -trace_err -timeout 25s -timeout_error >"$T/uas-bob/screen.log" 2>&1) &
UAS_bob=$!
PIDS="$PIDS $UAS_bob"
i=0
while ! ss -Hlun "sport = :$B_UA" 2>/dev/null | grep -q "$B:$B_UA" && [ $i -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
mkdir -p "$T/uac"
(cd "$T/uac" && sipp "$A:$A_INT" -sf "$SIPP_DIR/session_uac.xml" -i "$A" -p "$A_UAC" -m 1 \
    -key to sip:bob@b.example -key from alice@a.example -key me alice -nostdin \
    -trace_msg -trace_err -timeout 20s -timeout_error >"$T/uac/screen.log" 2>&1)
check "alice's session (INVITE, ACK, 2+2 MESSAGEs, INFO, BYE) succeeds" 0 "$?"
i=0
while kill -0 "$UAS_bob" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill "$UAS_bob" 2>/dev/null
wait "$UAS_bob" 2>/dev/null
check "bob's side of it succeeds" 0 "$?"
UAS_LOG=$(cat "$T/uas-bob"/*_messages.log 2>/dev/null)
UAC_LOG=$(cat "$T/uac"/*_messages.log 2>/dev/null)
# block LOG RE1 RE2: the traced messages of a sipp log with lines matching both
# regular expressions, line ends made LF
block() {
    printf '%s\n' "$1" | awk -v r1="$2" -v r2="$3" '
        /^-----------/ { if (m1 && m2) printf "%s", b; b = ""; m1 = m2 = 0; next }
        { sub(/\r$/, ""); b = b $0 "\n"; if ($0 ~ r1) m1 = 1; if ($0 ~ r2) m2 = 1 }
        END { if (m1 && m2) printf "%s", b }'
}
INV=$(block "$UAS_LOG" '^INVITE ' '^INVITE ')
ANS=$(block "$UAC_LOG" '^CSeq: 1 INVITE' '^SIP/2.0 200')
check "bob's device got the INVITE" 1 "$(uas_got bob INVITE)"
check_has "... with both edges' Record-Route (RFC 5658: two values each)" \
    "<sip:$B:$B_INT;transport=udp;peer=a.example;lr>, <sip:$B:$B_FED;transport=tls;lr>" "$INV"
check_has "... A's too" \
    "<sip:$A:$A_FED;transport=tls;lr>, <sip:$A:$A_INT;transport=udp;peer=b.example;lr>" "$INV"
check "... each naming the other community on its own side's entry" 2 \
    "$(printf '%s\n' "$INV" | grep '^Record-Route' | grep -o 'peer=[a-z.]*' | wc -l)"
check_has "the offer bob got says the session is recorded (RFC 7866)" \
    "m=message $A_UAC sip sip:alice@$A:$A_UAC
a=record:on" "$INV"
check_has "the answer alice got says so too" "m=message $B_UA sip sip:bob@$B:$B_UA
a=record:on" "$ANS"
check_has "... with a Content-Length that counts it" "Content-Length: 126" "$ANS"
check "bob got alice's two MESSAGEs inside the dialog" 2 "$(uas_got bob 'MESSAGE sip:bob@')"
check "alice got bob's two MESSAGEs inside the dialog" 2 \
    "$(printf '%s\n' "$UAC_LOG" | grep -c '^MESSAGE sip:alice@')"
check_has "... sent along the route set through both edges" "first from bob" "$UAC_LOG"
check "the INFO reached bob's device" 1 "$(uas_got bob INFO)"
check "the BYE reached bob's device" 1 "$(uas_got bob BYE)"
check "A relayed the in-dialog MESSAGEs and INFO both ways" 5 \
    "$(tail -n "+$((A_BEFORE + 1))" "$T/a.log" |
        grep -cE 'txn .* (MESSAGE|INFO): relayed to (b.example|the internal next hop)')"
check "B relayed them both ways too" 5 \
    "$(tail -n "+$((B_BEFORE + 1))" "$T/b.log" |
        grep -cE 'txn .* (MESSAGE|INFO): relayed to (a.example|the internal next hop)')"
check_has "B logged adding a=record:on to the offer" "a=record:on added to the offer" "$(cat "$T/b.log")"

stop_edges
done_tap
