#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# test_enumfedd_consent.sh -- watcher authorization, watcherinfo, publication
# expiry and presence state across a restart. a.example's edge is its
# community's presence agent with community.presence_auth = "confirm": bob of
# b.example subscribes to alice and stays pending (no state of alice leaks);
# alice watches her watchers (RFC 3857 presence.winfo) and sees him ask; her
# decisions (enumfedctl presence rule: allow, polite-block, block) take effect
# on the live subscription; carol asks for consent without subscribing (a
# fetch, seed 9.3) and waits; a publication that runs out is notified
# (RFC 3903 5). Then A is stopped (SIGTERM, then SIGKILL) and started again:
# dave's subscription and alice's publication come back from the store, a
# change reaches dave over a new connection to b.example, and refreshes in
# the dialog still work.
#
# TAP on stdout; exit status 0 only when every check passed.
# Environment: ENUMFEDD, ENUMFEDCTL (defaults under $EF_SRC/build-it), EF_SRC.

# shellcheck disable=SC2034,SC2154
NAME=enumfedd_consent
NET=127.0.21
DEADLINE=120
. "$(dirname "$0")/enumfedd_common.sh"
ENUMFEDCTL=${ENUMFEDCTL:-$EF_SRC/build-it/enumfedctl}

need_tools openssl python3 ss
pick_ports
make_zones
mkcerts "$T/certs" a.example b.example

STORE=$T/a-store.db
printf 'alice-pw\n' | "$ENUMFEDCTL" -d "$STORE" user add alice@a.example --password-stdin >/dev/null
write_conf "$T/a.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" '{ domain = "b.example"; }' \
    'notify_refresh = 0;' "$NO_RATES community = { store = \"$STORE\"; notify_min_ms = 0;
    presence_auth = \"confirm\"; min_expires = 1; };"
write_conf "$T/b.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" '{ domain = "a.example"; }' \
    'hold_after_4xx = 0;' "$NO_RATES"
start_edge a "$T/a.conf"
start_edge b "$T/b.conf"

# the watchers' user agents at B, and alice's at A: answer NOTIFYs 200 and keep them
python3 "$EF_SRC/tests/integration/sipuas.py" "$B:$B_UAC" "$T/b-uas.log" --seconds 100 &
PIDS="$PIDS $!"
python3 "$EF_SRC/tests/integration/sipuas.py" "$A:$A_UAC" "$T/alice.log" --seconds 100 &
PIDS="$PIDS $!"
sleep 0.3
# the NOTIFYs a log holds for a watcher; the last one of them
notifies() { awk -v w="To: <sip:$2" '/^NOTIFY /{n++; m[n]=""} {m[n]=m[n] $0 "\n"}
    END{c=0; for(i=1;i<=n;i++) if(index(m[i],w)) c++; print c}' "$T/$1.log" 2>/dev/null; }
last_notify() { awk -v w="To: <sip:$2" '/^NOTIFY /{n++; m[n]=""} {m[n]=m[n] $0 "\n"}
    END{for(i=n;i>=1;i--) if(index(m[i],w)) {printf "%s", m[i]; exit}}' "$T/$1.log" 2>/dev/null; }

sub() { # WATCHER ARGS...: a SUBSCRIBE to alice from WATCHER@b.example through B
    w=$1
    shift
    sipc "$B:$B_INT" -l "$B" -m SUBSCRIBE -u sip:alice@a.example -f "sip:$w@b.example" \
        -t sip:alice@a.example -H "Contact: <sip:$w@$B:$B_UAC>" -H "Event: presence" \
        -H "Accept: application/pidf+xml" "$@"
}
pub() { # FILE ARGS...: a PUBLISH from alice inside A
    f=$1
    shift
    sipc "$A:$A_INT" -l "$A" -m PUBLISH -u sip:alice@a.example -f sip:alice@a.example \
        -H "Event: presence" --ctype application/pidf+xml --body-file "$f" "$@"
}
rule() { "$ENUMFEDCTL" -d "$STORE" presence rule alice@a.example "$@" >/dev/null; }
winfo() { last_notify alice alice@a.example | sed -n '/<watcherinfo/,$p'; }
dialog() { # from the --full answer in $R: To tag, Call-ID, Contact, Record-Route
    TAG=$(printf '%s\n' "$R" | sed -n 's/^To: .*;tag=\([^;]*\).*/\1/p' | tr -d '\r')
    CALLID=$(printf '%s\n' "$R" | sed -n 's/^Call-ID: *//p' | tr -d '\r')
    TARGET=$(printf '%s\n' "$R" | sed -n 's/^Contact: *<\([^>]*\)>.*/\1/p' | tr -d '\r')
    ROUTES=$(printf '%s\n' "$R" | sed -n 's/^Record-Route: *//p' | tr -d '\r' | paste -sd, -)
}

cat >"$T/open.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"
    xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="pres:alice@a.example">
  <tuple id="laptop"><status><basic>open</basic></status></tuple>
  <dm:person id="alice"><rpid:activities><rpid:away/><rpid:meeting/></rpid:activities></dm:person>
</presence>
XML

# --- watcherinfo (RFC 3857) -------------------------------------------------------
sipc "$A:$A_INT" -l "$A" -m SUBSCRIBE -u sip:alice@a.example -f sip:mallory@a.example \
    -t sip:alice@a.example -H "Contact: <sip:mallory@$A:$A_UAC>" -H "Event: presence.winfo" \
    -H "Expires: 600"
check "watcherinfo of alice asked by someone else: 403 (RFC 3857 5.1)" 403 "$ST"
sipc "$A:$A_INT" -l "$A" -m SUBSCRIBE -u sip:alice@a.example -f sip:alice@a.example \
    -t sip:alice@a.example -H "Contact: <sip:alice@$A:$A_UAC>" -H "Event: presence.winfo" \
    -H "Accept: application/pidf+xml" -H "Expires: 600"
check "watcherinfo without application/watcherinfo+xml in Accept: 406" 406 "$ST"
sipc "$A:$A_INT" -l "$A" -m SUBSCRIBE -u sip:alice@a.example -f sip:alice@a.example \
    -t sip:alice@a.example -H "Contact: <sip:alice@$A:$A_UAC>" -H "Event: presence.winfo" \
    -H "Accept: application/watcherinfo+xml" -H "Expires: 600"
check "alice subscribes to her watcherinfo: 200" 200 "$ST"
sleep 0.4
check "she gets a first watcherinfo NOTIFY" 1 "$(notifies alice alice@a.example)"
check_has "... application/watcherinfo+xml, full state" 'state="full"' "$(winfo)"
check "... with nobody watching" 0 "$(winfo | grep -c '<watcher ')"

# --- pending: bob asks ---------------------------------------------------------------
sub bob -H "Expires: 600" --full
check "bob subscribes to alice (community.presence_auth confirm): 200 (RFC 6665 4.2.1.1)" 200 "$ST"
dialog
sleep 0.4
check "bob gets one NOTIFY" 1 "$(notifies b-uas bob@b.example)"
check_has "... Subscription-State: pending" "Subscription-State: pending;expires=" \
    "$(last_notify b-uas bob@b.example)"
check "... and nothing of alice's state (no body)" 0 \
    "$(last_notify b-uas bob@b.example | grep -c '<presence')"
check "alice's watcherinfo tells her of bob" 2 "$(notifies alice alice@a.example)"
check_has "... pending, by subscribe" 'event="subscribe" status="pending"' \
    "$(winfo | grep 'bob@b.example')"
pub "$T/open.xml" -H "Expires: 600" --full
check "alice publishes: 200" 200 "$ST"
ETAG=$(printf '%s\n' "$R" | sed -n 's/^SIP-ETag: *//p' | tr -d '\r')
sleep 0.4
check "a pending watcher is not notified of the publication" 1 "$(notifies b-uas bob@b.example)"

# --- alice decides -------------------------------------------------------------------
rule sip:bob@b.example allow
check "enumfedctl presence rule ... allow" 0 "$?"
kill -HUP "$PID_a"
sleep 0.6
check "bob's subscription becomes active: a NOTIFY" 2 "$(notifies b-uas bob@b.example)"
check_has "... Subscription-State active" "Subscription-State: active" \
    "$(last_notify b-uas bob@b.example)"
check_has "... with alice's state" "rpid:meeting" "$(last_notify b-uas bob@b.example)"
check_has "alice's watcherinfo: bob active" 'status="active"' "$(winfo | grep 'bob@b.example')"
rule bob@b.example polite-block
kill -HUP "$PID_a"
sleep 0.6
check "polite-block: bob gets a NOTIFY" 3 "$(notifies b-uas bob@b.example)"
check_has "... still active (RFC 5025 3.2.1)" "Subscription-State: active" \
    "$(last_notify b-uas bob@b.example)"
check_has "... with a closed document" "<basic>closed</basic>" "$(last_notify b-uas bob@b.example)"
check "... that says nothing of the meeting" 0 "$(last_notify b-uas bob@b.example | grep -c meeting)"
rule bob@b.example block
kill -HUP "$PID_a"
sleep 0.6
check "block: bob's subscription ends" 4 "$(notifies b-uas bob@b.example)"
check_has "... terminated;reason=rejected (RFC 6665 4.2.2)" \
    "Subscription-State: terminated;reason=rejected" "$(last_notify b-uas bob@b.example)"
check_has "alice's watcherinfo: bob terminated, rejected" 'event="rejected" status="terminated"' \
    "$(winfo | grep 'bob@b.example')"
sub bob -H "Expires: 600"
check "bob subscribes again: 403" 403 "$ST"
sipc "$B:$B_INT" -l "$B" -m SUBSCRIBE -u "$TARGET" -f sip:bob@b.example -t sip:alice@a.example \
    --to-tag "$TAG" --call-id "$CALLID" --cseq "2 SUBSCRIBE" -H "Route: $ROUTES" \
    -H "Contact: <sip:bob@$B:$B_UAC>" -H "Event: presence" -H "Expires: 300"
check "a refresh of the rejected subscription: 481" 481 "$ST"

# --- carol asks for consent without subscribing (seed 9.3) ------------------------------
sub carol -H "Expires: 0"
check "carol fetches alice's presence (Expires: 0): 200" 200 "$ST"
sleep 0.4
check_has "carol's NOTIFY ends the fetch" "Subscription-State: terminated" \
    "$(last_notify b-uas carol@b.example)"
check "... without alice's state" 0 "$(last_notify b-uas carol@b.example | grep -c '<presence')"
check_has "alice's watcherinfo: carol waiting (RFC 3857 5.2)" 'status="waiting"' \
    "$(winfo | grep 'carol@b.example')"
check_has "enumfedctl presence rules lists carol waiting" "carol@b.example	waiting" \
    "$("$ENUMFEDCTL" -d "$STORE" presence rules alice@a.example)"
rule b.example allow
"$ENUMFEDCTL" -d "$STORE" presence forget alice@a.example carol@b.example >/dev/null
check "enumfedctl presence forget" 0 "$?"
sub erin -H "Expires: 600"
check "erin of b.example, now allowed, subscribes: 200" 200 "$ST"
sleep 0.4
check_has "... and sees alice's state" "rpid:meeting" "$(last_notify b-uas erin@b.example)"
check_has "... active" "Subscription-State: active" "$(last_notify b-uas erin@b.example)"
"$ENUMFEDCTL" -d "$STORE" presence rule alice@a.example sip:x@y.example maybe >/dev/null 2>&1
check "enumfedctl refuses an unknown action (usage)" 2 "$?"
"$ENUMFEDCTL" -d "$STORE" presence rule nobody@a.example '*' allow >/dev/null 2>&1
check "enumfedctl refuses a rule for no user" 1 "$?"

pub "$T/open.xml" -H "Expires: 0"
check "PUBLISH Expires: 0 naming no publication: 400 (RFC 3903 6)" 400 "$ST"
check_has "... saying why" "SIP-If-Match" "$WARN"

# --- a publication that runs out (RFC 3903 5) ----------------------------------------------
sub dave -H "Expires: 600" --full
check "dave (b.example is allowed) subscribes: 200" 200 "$ST"
dialog
sleep 0.4
check_has "dave sees alice's state" "rpid:meeting" "$(last_notify b-uas dave@b.example)"
sed 's/<rpid:meeting\/>/<rpid:busy\/>/' "$T/open.xml" >"$T/busy.xml"
pub "$T/busy.xml" -H "Expires: 2" -H "SIP-If-Match: $ETAG" --full
check "alice's publication now expires in 2 s: 200" 200 "$ST"
ETAG=$(printf '%s\n' "$R" | sed -n 's/^SIP-ETag: *//p' | tr -d '\r')
sleep 0.4
n=$(notifies b-uas dave@b.example)
check_has "dave sees busy" "rpid:busy" "$(last_notify b-uas dave@b.example)"
sleep 2.5
check "when it runs out, dave is told" $((n + 1)) "$(notifies b-uas dave@b.example)"
check_has "... closed: nobody publishes now" "<basic>closed</basic>" \
    "$(last_notify b-uas dave@b.example)"

# --- restart: nothing lost ---------------------------------------------------------------------
pub "$T/busy.xml" -H "Expires: 600" --full
ETAG=$(printf '%s\n' "$R" | sed -n 's/^SIP-ETag: *//p' | tr -d '\r')
sleep 0.4
cseq_of() { last_notify b-uas dave@b.example | sed -n 's/^CSeq: *\([0-9]*\).*/\1/p'; }
c1=$(cseq_of)
n=$(notifies b-uas dave@b.example)
stop_pid "$PID_a"
check "A stops on SIGTERM" 0 "$STOP_RC"
start_edge a "$T/a.conf"
check_has "A restores the publication and the subscriptions" \
    "1 publications and 3 subscriptions restored" "$(grep restored "$T/a.log" | tail -n 1)"
sleep 0.3
check "no NOTIFY for an unchanged state after the restart" "$n" "$(notifies b-uas dave@b.example)"
pub "$T/open.xml" -H "Expires: 600" -H "SIP-If-Match: $ETAG" --full
check "the publication's entity tag survived: a modify with it is 200" 200 "$ST"
sleep 0.6
check "the change reaches dave (A opens a new connection to b.example)" $((n + 1)) \
    "$(notifies b-uas dave@b.example)"
check_has "... with the new state" "rpid:meeting" "$(last_notify b-uas dave@b.example)"
c2=$(cseq_of)
check "... with a higher CSeq in the dialog (RFC 3261 12.2.1.1)" yes \
    "$([ "${c2:-0}" -gt "${c1:-0}" ] && echo yes || echo no)"
sipc "$B:$B_INT" -l "$B" -m SUBSCRIBE -u "$TARGET" -f sip:dave@b.example -t sip:alice@a.example \
    --to-tag "$TAG" --call-id "$CALLID" --cseq "2 SUBSCRIBE" -H "Route: $ROUTES" \
    -H "Contact: <sip:dave@$B:$B_UAC>" -H "Event: presence" -H "Expires: 300"
check "dave's refresh in the dialog after the restart: 200" 200 "$ST"
sleep 0.3
stop_pid "$PID_a" KILL
start_edge a "$T/a.conf"
check_has "after SIGKILL too, the state is back" "1 publications and 3 subscriptions restored" \
    "$(grep restored "$T/a.log" | tail -n 1)"
sipc "$B:$B_INT" -l "$B" -m SUBSCRIBE -u "$TARGET" -f sip:dave@b.example -t sip:alice@a.example \
    --to-tag "$TAG" --call-id "$CALLID" --cseq "3 SUBSCRIBE" -H "Route: $ROUTES" \
    -H "Contact: <sip:dave@$B:$B_UAC>" -H "Event: presence" -H "Expires: 0"
check "dave unsubscribes after the SIGKILL: 200" 200 "$ST"
sleep 0.4
check_has "... and gets the final NOTIFY" "Subscription-State: terminated" \
    "$(last_notify b-uas dave@b.example)"

stop_edges
done_tap
