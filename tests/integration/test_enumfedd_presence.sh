#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# test_enumfedd_presence.sh -- presence across the federation link: a.example's
# edge is its community's presence agent (community.store); bob of b.example
# subscribes to alice@a.example through his own edge. The first NOTIFY says
# "closed"; alice publishes "away, in a meeting" (RPID) and bob's next NOTIFY
# says so, an unknown XML extension passed on unchanged (seed 5.2). PUBLISH
# entity tags (RFC 3903: 200 with SIP-ETag, 412 for an unknown one, 400 for a
# document that is not PIDF), SUBSCRIBE refusals (489 unknown event, 406 no
# PIDF in Accept, 404 unknown presentity), a refresh and an unsubscribe inside
# the dialog (NOTIFY terminated), both ways through the Record-Route of bob's
# edge.
#
# TAP on stdout; exit status 0 only when every check passed.
# Environment: ENUMFEDD, ENUMFEDCTL (defaults under $EF_SRC/build-it), EF_SRC.

# shellcheck disable=SC2034,SC2154
NAME=enumfedd_presence
NET=127.0.15
DEADLINE=120
. "$(dirname "$0")/enumfedd_common.sh"
ENUMFEDCTL=${ENUMFEDCTL:-$EF_SRC/build-it/enumfedctl}

need_tools openssl python3 ss
pick_ports
make_zones
mkcerts "$T/certs" a.example b.example

STORE=$T/a-store.db
printf 'alice-pw\n' | "$ENUMFEDCTL" -d "$STORE" user add alice@a.example --password-stdin >/dev/null
# NOTIFYs at most every second (RFC 3856 6.10), unchanged ones to b.example every 3 s (seed 5.1)
write_conf "$T/a.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" '{ domain = "b.example"; }' \
    'notify_refresh = 3;' "$NO_RATES community = { store = \"$STORE\"; notify_min_ms = 1000; };"
# B would hold bob's SUBSCRIBEs back after A's 4xx (seed 5.3): off, to test A's answers;
# B polices early unchanged NOTIFYs from A (seed 5.3.2) with the same agreed 3 s
write_conf "$T/b.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" '{ domain = "a.example"; }' \
    'hold_after_4xx = 0; notify_refresh = 3;' "$NO_RATES"
start_edge a "$T/a.conf"
start_edge b "$T/b.conf"

# bob's user agent: answers every NOTIFY 200 and keeps them
python3 "$EF_SRC/tests/integration/sipuas.py" "$B:$B_UAC" "$T/bob.log" --seconds 80 &
PIDS="$PIDS $!"
sleep 0.3
notifies() { grep -c '^NOTIFY ' "$T/bob.log" 2>/dev/null || true; }
last_notify() { awk '/^NOTIFY /{n=""} {n=n $0 "\n"} END{printf "%s", n}' "$T/bob.log"; }

sub() { # ARGS...: a SUBSCRIBE from bob through B
    sipc "$B:$B_INT" -l "$B" -m SUBSCRIBE -u sip:alice@a.example -f sip:bob@b.example \
        -t sip:alice@a.example -H "Contact: <sip:bob@$B:$B_UAC>" "$@"
}
pub() { # FILE ARGS...: a PUBLISH from alice inside A
    f=$1
    shift
    sipc "$A:$A_INT" -l "$A" -m PUBLISH -u sip:alice@a.example -f sip:alice@a.example \
        -H "Event: presence" --ctype application/pidf+xml --body-file "$f" "$@"
}

# --- refusals ------------------------------------------------------------------
sub -H "Event: dialog" -H "Expires: 600"
check "SUBSCRIBE for an unknown event package: 489" 489 "$ST"
sub -H "Event: presence" -H "Accept: text/plain" -H "Expires: 600"
check "SUBSCRIBE that does not accept PIDF: 406" 406 "$ST"
sipc "$B:$B_INT" -l "$B" -m SUBSCRIBE -u sip:nobody@a.example -f sip:bob@b.example \
    -t sip:nobody@a.example -H "Contact: <sip:bob@$B:$B_UAC>" -H "Event: presence"
check "SUBSCRIBE for an unknown presentity: 404" 404 "$ST"

# --- subscription across the link ------------------------------------------------
sub -H "Event: presence" -H "Accept: application/pidf+xml" -H "Expires: 600" --full
check "bob subscribes to alice@a.example through b.example: 200" 200 "$ST"
TAG=$(printf '%s\n' "$R" | sed -n 's/^To: .*;tag=\([^;]*\).*/\1/p' | tr -d '\r')
CALLID=$(printf '%s\n' "$R" | sed -n 's/^Call-ID: *//p' | tr -d '\r')
TARGET=$(printf '%s\n' "$R" | sed -n 's/^Contact: *<\([^>]*\)>.*/\1/p' | tr -d '\r')
ROUTES=$(printf '%s\n' "$R" | sed -n 's/^Record-Route: *//p' | tr -d '\r' | paste -sd, -)
check "the 200 has a To tag, a Contact and b.example's Record-Route" yes \
    "$([ -n "$TAG" ] && [ -n "$TARGET" ] && [ -n "$ROUTES" ] && echo yes || echo no)"
sleep 0.5
check "a first NOTIFY reaches bob" 1 "$(notifies)"
check_has "... with the state closed (nobody has published)" "<basic>closed</basic>" "$(last_notify)"
check_has "... Subscription-State active" "Subscription-State: active;expires=" "$(last_notify)"

cat >"$T/away.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"
    xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="pres:alice@a.example">
  <tuple id="laptop"><status><basic>open</basic></status></tuple>
  <dm:person id="alice"><rpid:activities><rpid:away/><rpid:meeting/></rpid:activities></dm:person>
  <x:mood-ring xmlns:x="urn:example:unknown">teal</x:mood-ring>
</presence>
XML
pub "$T/away.xml" -H "Expires: 600" --full
check "alice publishes away / in a meeting: 200" 200 "$ST"
ETAG=$(printf '%s\n' "$R" | sed -n 's/^SIP-ETag: *//p' | tr -d '\r')
check "the 200 carries a SIP-ETag (RFC 3903 11.3.1)" yes "$([ -n "$ETAG" ] && echo yes || echo no)"
sleep 1.2
check "bob gets a second NOTIFY (within notify_min_ms of the first)" 2 "$(notifies)"
check_has "... open" "<basic>open</basic>" "$(last_notify)"
check_has "... in a meeting (RPID)" "rpid:meeting" "$(last_notify)"
check_has "... with the unknown extension passed on (seed 5.2)" "teal</x:mood-ring>" "$(last_notify)"

pub "$T/away.xml" -H "Expires: 600" -H "SIP-If-Match: not-$ETAG"
check "PUBLISH with an unknown entity tag: 412" 412 "$ST"
printf '<presence>no namespace</presence>' >"$T/bad.xml"
pub "$T/bad.xml" -H "Expires: 600"
check "PUBLISH of a document that is not PIDF: 400" 400 "$ST"
check "the refused PUBLISHes notified nobody" 2 "$(notifies)"

# --- NOTIFY pacing --------------------------------------------------------------------
sed 's/<rpid:meeting\/>/<rpid:busy\/>/' "$T/away.xml" >"$T/busy.xml"
sed 's/<rpid:meeting\/>/<rpid:on-the-phone\/>/' "$T/away.xml" >"$T/phone.xml"
sleep 1.1
etag() { printf '%s\n' "$R" | sed -n 's/^SIP-ETag: *//p' | tr -d '\r'; }
pub "$T/busy.xml" -H "Expires: 600" -H "SIP-If-Match: $ETAG" --full
ETAG=$(etag)
pub "$T/phone.xml" -H "Expires: 600" -H "SIP-If-Match: $ETAG" --full
ETAG=$(etag)
check "modifying a publication by its entity tag: 200 with a new tag" yes \
    "$([ "$ST" = 200 ] && [ -n "$ETAG" ] && echo yes || echo no)"
sleep 0.3
check "two changes at once: the first NOTIFY goes at once" 3 "$(notifies)"
check_has "... with the first change" "rpid:busy" "$(last_notify)"
sleep 1.2
check "the second waits for notify_min_ms (RFC 3856 6.10)" 4 "$(notifies)"
check_has "... and carries the latest state" "rpid:on-the-phone" "$(last_notify)"
sleep 1.1
pub "$T/phone.xml" -H "Expires: 600" -H "SIP-If-Match: $ETAG" --full
ETAG=$(etag)
sleep 0.5
check "re-publishing the same state to a watcher of another community: no NOTIFY (seed 5.1)" 4 \
    "$(notifies)"
check_has "A says it held it back" "no change, held back" "$(grep 'held back' "$T/a.log")"
sleep 3
pub "$T/phone.xml" -H "Expires: 600" -H "SIP-If-Match: $ETAG"
sleep 0.5
check "after federation.notify_refresh (3 s) the unchanged state goes again" 5 "$(notifies)"

# --- inside the dialog, through b.example's Record-Route ------------------------------
sipc "$B:$B_INT" -l "$B" -m SUBSCRIBE -u "$TARGET" -f sip:bob@b.example -t sip:alice@a.example \
    --to-tag "$TAG" --call-id "$CALLID" --cseq "2 SUBSCRIBE" -H "Route: $ROUTES" \
    -H "Contact: <sip:bob@$B:$B_UAC>" -H "Event: presence" -H "Expires: 300"
check "a refresh inside the dialog: 200" 200 "$ST"
sleep 0.5
check "the refresh brings a NOTIFY" 6 "$(notifies)"
sipc "$B:$B_INT" -l "$B" -m SUBSCRIBE -u "$TARGET" -f sip:bob@b.example -t sip:alice@a.example \
    --to-tag "$TAG" --call-id "$CALLID" --cseq "3 SUBSCRIBE" -H "Route: $ROUTES" \
    -H "Contact: <sip:bob@$B:$B_UAC>" -H "Event: presence" -H "Expires: 0"
check "unsubscribe (Expires: 0): 200" 200 "$ST"
sleep 0.5
check_has "the last NOTIFY terminates the subscription" "Subscription-State: terminated" \
    "$(last_notify)"
sipc "$B:$B_INT" -l "$B" -m SUBSCRIBE -u "$TARGET" -f sip:bob@b.example -t sip:alice@a.example \
    --to-tag "$TAG" --call-id "$CALLID" --cseq "4 SUBSCRIBE" -H "Route: $ROUTES" \
    -H "Contact: <sip:bob@$B:$B_UAC>" -H "Event: presence" -H "Expires: 300"
check "a refresh after that: 481" 481 "$ST"

# --- by phone number, then alice is removed -----------------------------------------
sipc "$B:$B_INT" -l "$B" -m SUBSCRIBE -u tel:+441632960100 -f sip:bob@b.example \
    -t tel:+441632960100 -H "Contact: <sip:bob@$B:$B_UAC>" -H "Event: presence" \
    -H "Expires: 600"
check "bob subscribes to the number +44 1632 960100 (E2U+pres -> alice): 200" 200 "$ST"
check_has "B resolved it with ENUM to pres:alice@a.example" \
    "ENUM +441632960100 -> pres:alice@a.example" "$(grep ENUM "$T/b.log")"
sleep 0.5
check_has "bob's NOTIFY by number shows alice's latest state (on the phone)" "rpid:on-the-phone" "$(last_notify)"
before=$(notifies)
"$ENUMFEDCTL" -d "$STORE" user remove alice@a.example >/dev/null
check "enumfedctl removes alice" 0 "$?"
kill -HUP "$PID_a"
sleep 1
check "bob is told at once (SIGHUP): one more NOTIFY" $((before + 1)) "$(notifies)"
check_has "... terminated;reason=noresource (RFC 6665 4.2.2)" \
    "Subscription-State: terminated;reason=noresource" "$(last_notify)"
printf 'x\n' | "$ENUMFEDCTL" -d "$STORE" user add alice@a.example --password-stdin >/dev/null 2>&1
check "alice's address cannot be given again: a tombstone (seed 10.2)" 1 "$?"

stop_edges
done_tap
