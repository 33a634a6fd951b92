#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# test_enumfedd_interdomain.sh -- the inter-domain presence rules between two
# real edges, each its community's registrar and presence agent: a.example
# (alice, carol) and b.example (bob, dan).
#
#   - a contact is learned when alice's SUBSCRIBE to bob@b.example gets a 2xx;
#   - it is checked by a fetch SUBSCRIBE (Expires: 0) every
#     federation.contact_check, the edge answering the fetch's NOTIFY itself;
#   - a contact B answers 404 is invalid and never checked again
#     automatically (seed 5.1), even once it would succeed, until
#     enumfedctl contact recheck or the user's own SUBSCRIBE succeeds; a
#     fetch's NOTIFY terminated;reason=noresource makes a contact invalid;
#   - the two-hour rule (seed 5.3.1): with the peer's resubscribe_min lowered
#     (a bilateral agreement) fetches go every few seconds; without it none
#     goes again, whoever the owner, across a restart of A too;
#   - a user's SUBSCRIBE after a 4xx is held back (seed 6.2 hold-back);
#   - policing B: an unchanged NOTIFY before the agreed interval is answered
#     200 by A and not passed on (seed 5.3.2), a SUBSCRIBE repeated after A's
#     404 gets the 404 from memory (seed 5.1), a second fetch of one
#     presentity within resubscribe_min gets 503 with Retry-After;
#   - the counters on SIGUSR1; state kept over a restart of A.
#
# TAP on stdout; exit status 0 only when every check passed.
# Environment: ENUMFEDD, ENUMFEDCTL (defaults under $EF_SRC/build-it), EF_SRC.

# shellcheck disable=SC2034,SC2154
NAME=enumfedd_interdomain
NET=127.0.17
DEADLINE=150
. "$(dirname "$0")/enumfedd_common.sh"
ENUMFEDCTL=${ENUMFEDCTL:-$EF_SRC/build-it/enumfedctl}

need_tools openssl python3 ss
pick_ports
make_zones
mkcerts "$T/certs" a.example b.example

SA=$T/a-store.db
SB=$T/b-store.db
for u in alice carol; do
    printf 'pw\n' | "$ENUMFEDCTL" -d "$SA" user add "$u@a.example" --password-stdin >/dev/null
done
for u in bob dan; do
    printf 'pw\n' | "$ENUMFEDCTL" -d "$SB" user add "$u@b.example" --password-stdin >/dev/null
done
ctl_a() { "$ENUMFEDCTL" -d "$SA" "$@"; }

# A: contacts checked every 3 s; with b.example a 2 s resubscribe_min (an
# agreement) and a 30 s NOTIFY interval; 4 s hold-back after a 4xx.
A_COMMON="$NO_RATES community = { store = \"$SA\"; notify_min_ms = 0; };"
write_conf "$T/a-agreed.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" \
    '{ domain = "b.example"; resubscribe_min = 2; notify_interval = 30.0; }' \
    'contact_check = 3; hold_after_4xx = 4;' "$A_COMMON"
# the same without the lowered resubscribe_min: the two-hour rule
write_conf "$T/a-default.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" \
    '{ domain = "b.example"; notify_interval = 30.0; }' \
    'contact_check = 3; hold_after_4xx = 4;' "$A_COMMON"
cp "$T/a-agreed.conf" "$T/a.conf"
# B: sends unchanged NOTIFYs to a.example every 0.5 s (it thinks that was agreed),
# takes A's fetches every 2 s, and does not hold its users' SUBSCRIBEs back.
write_conf "$T/b.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" \
    '{ domain = "a.example"; notify_interval = 0.5; resubscribe_min = 2; }' \
    'hold_after_4xx = 0;' "$NO_RATES community = { store = \"$SB\"; notify_min_ms = 0; };"

# config: less than two hours is refused without an agreement
write_conf "$T/bad.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" '{ domain = "b.example"; }' \
    'resubscribe_min = 600;' "$A_COMMON"
out=$("$ENUMFEDD" -t -c "$T/bad.conf" 2>&1)
check "federation.resubscribe_min below 7200 is refused" 1 "$?"
check_has "... naming the setting" "resubscribe_min" "$out"
write_conf "$T/bad2.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" '{ domain = "b.example"; }' \
    'contact_check = 3888001;' "$A_COMMON"
"$ENUMFEDD" -t -c "$T/bad2.conf" >/dev/null 2>&1
check "federation.contact_check above 45 days is refused" 1 "$?"

start_edge a "$T/a.conf"
start_edge b "$T/b.conf"

python3 "$EF_SRC/tests/integration/sipuas.py" "$A:$A_UAC" "$T/alice.log" --seconds 140 &
PIDS="$PIDS $!"
# B's users' agent: takes the NOTIFYs of their subscriptions to A
python3 "$EF_SRC/tests/integration/sipuas.py" "$B:$B_UAC" "$T/b-users.log" --seconds 140 &
PIDS="$PIDS $!"
sleep 0.3
notifies() { grep -c '^NOTIFY ' "$T/alice.log" 2>/dev/null || true; }
# wait_for SECONDS COMMAND...: until COMMAND succeeds (polled every 0.2 s)
wait_for() {
    n=$(($1 * 5))
    shift
    while [ "$n" -gt 0 ]; do
        "$@" && return 0
        sleep 0.2
        n=$((n - 1))
    done
    return 1
}
checks_to() { grep -c "contact check .*: SUBSCRIBE $1 for $2" "$T/a.log" 2>/dev/null || true; }
status_of() { ctl_a contact list "$1" | awk -v u="$2" '$2 == u {print $3}'; }
a_sub() { # WHO URI ARGS...: an initial SUBSCRIBE of one of A's users
    w=$1
    u=$2
    shift 2
    sipc "$A:$A_INT" -l "$A" -m SUBSCRIBE -u "$u" -f "sip:$w@a.example" -t "$u" \
        -H "Contact: <sip:$w@$A:$A_UAC>" -H "Event: presence" -H "Accept: application/pidf+xml" "$@"
}
b_sub() { # WHO URI ARGS...: an initial SUBSCRIBE of one of B's users, to A
    w=$1
    u=$2
    shift 2
    sipc "$B:$B_INT" -l "$B" -m SUBSCRIBE -u "$u" -f "sip:$w@b.example" -t "$u" \
        -H "Contact: <sip:$w@$B:$B_UAC>" -H "Event: presence" -H "Accept: application/pidf+xml" "$@"
}

# --- a contact learned from a SUBSCRIBE that succeeded -----------------------------------
a_sub alice sip:bob@b.example -H "Expires: 600" --full
check "alice subscribes to bob@b.example through both edges: 200" 200 "$ST"
check "the contact is learned, valid" valid "$(status_of alice@a.example sip:bob@b.example)"
check_has "A says so" "contact sip:bob@b.example of alice@a.example: learned" "$(cat "$T/a.log")"
wait_for 3 test "$(notifies)" -ge 1
check "alice's UA gets the first NOTIFY of her subscription" 1 "$(notifies)"
a_sub carol sip:nobody@b.example -H "Expires: 600"
check "carol subscribes to nobody@b.example: 404, nothing learned" "404 " \
    "$ST $(status_of carol@a.example sip:nobody@b.example)"

# --- hold-back of a user's SUBSCRIBE after a 4xx (seed 6.2) -----------------------------------
before=$(grep -c 'SUBSCRIBE: answered 404: no such presentity' "$T/b.log")
a_sub carol sip:nobody@b.example -H "Expires: 600"
check "carol's SUBSCRIBE to nobody again within hold_after_4xx: 404" 404 "$ST"
check_has "... answered by A, held back" "held back" "$WARN"
check "... B never saw it" "$before" "$(grep -c 'SUBSCRIBE: answered 404: no such presentity' "$T/b.log")"

# --- the periodic check: a fetch every contact_check (3 s), peer agreed to 2 s ---------------
wait_for 10 test "$(checks_to sip:bob@b.example alice@a.example)" -ge 2
check "A checks bob for alice by fetch SUBSCRIBE, again after contact_check" yes \
    "$([ "$(checks_to sip:bob@b.example alice@a.example)" -ge 2 ] && echo yes || echo no)"
wait_for 3 grep -q "reason=timeout, valid" "$T/a.log"
check_has "A answers the fetch's NOTIFY itself: terminated, contact valid (RFC 6665 4.4.3)" \
    "NOTIFY terminated;reason=timeout, valid" "$(cat "$T/a.log")"
check_has "B answered the fetch 200" ": 200, valid" "$(grep 'contact check' "$T/a.log")"
check "the fetch NOTIFYs never reach alice's UA" 0 "$(grep -c '^Call-ID: efdcc-' "$T/alice.log")"
check_has "B took it as alice's fetch (Expires: 0): its one NOTIFY terminates at once" \
    "NOTIFY bob@b.example -> sip:alice@a.example: terminated;reason=timeout" "$(cat "$T/b.log")"
check "... and alice's own subscription goes on at B (no NOTIFY of hers terminated)" 0 \
    "$(grep -c '^Subscription-State: terminated' "$T/alice.log")"

# --- a 4xx: invalid, and never again automatically (seed 5.1) -------------------------------
ctl_a contact add alice@a.example sip:gone@b.example >/dev/null
check "enumfedctl contact add: a contact B does not know" 0 "$?"
ctl_a contact add alice@a.example im:later@b.example >/dev/null
wait_for 6 test "$(status_of alice@a.example sip:gone@b.example)" = invalid
check "its check gets 404 from B: invalid" invalid "$(status_of alice@a.example sip:gone@b.example)"
wait_for 3 test "$(status_of alice@a.example sip:later@b.example)" = invalid
check "another one too (added as im:, kept as sip:)" invalid \
    "$(status_of alice@a.example sip:later@b.example)"
check_has "... the reason kept" "404 to the check SUBSCRIBE from b.example" \
    "$(ctl_a contact list alice@a.example)"
for u in gone later; do
    printf 'pw\n' | "$ENUMFEDCTL" -d "$SB" user add "$u@b.example" --password-stdin >/dev/null
done
sleep 7 # more than contact_check + resubscribe_min + hold_after_4xx
check "no automatic retry, though it would now succeed: one SUBSCRIBE each" "1 1" \
    "$(checks_to sip:gone@b.example alice@a.example) $(checks_to sip:later@b.example alice@a.example)"
check "still invalid" invalid "$(status_of alice@a.example sip:gone@b.example)"
ctl_a contact recheck alice@a.example sip:gone@b.example >/dev/null
check "enumfedctl contact recheck (the user's intervention)" 0 "$?"
wait_for 6 test "$(status_of alice@a.example sip:gone@b.example)" = valid
check "checked again at once, now valid" "yes valid" \
    "$([ "$(checks_to sip:gone@b.example alice@a.example)" -ge 2 ] && echo yes || echo no) $(status_of alice@a.example sip:gone@b.example)"
a_sub alice sip:later@b.example -H "Expires: 0"
check "alice's own fetch of the other one succeeds: 200" 200 "$ST"
check "... which lifts the invalid mark, with no automatic SUBSCRIBE" "valid 1" \
    "$(status_of alice@a.example sip:later@b.example) $(checks_to sip:later@b.example alice@a.example)"

# --- another contact, checked valid -----------------------------------------------------------
ctl_a contact add alice@a.example sip:dan@b.example >/dev/null
wait_for 6 test "$(status_of alice@a.example sip:dan@b.example)" = valid
check "alice's contact dan@b.example is checked: valid" valid \
    "$(status_of alice@a.example sip:dan@b.example)"

# --- policing B: an early unchanged NOTIFY (seed 5.3.2) ----------------------------------------
cat >"$T/bob.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:bob@b.example">
  <tuple id="desk"><status><basic>open</basic></status><note>at my desk</note></tuple>
</presence>
XML
sed 's/at my desk/out to lunch/' "$T/bob.xml" >"$T/lunch.xml"
pub() { # FILE ARGS...: a PUBLISH of bob's at B
    f=$1
    shift
    sipc "$B:$B_INT" -l "$B" -m PUBLISH -u sip:bob@b.example -f sip:bob@b.example \
        -H "Event: presence" --ctype application/pidf+xml --body-file "$f" -H "Expires: 600" "$@"
}
n0=$(notifies)
pub "$T/bob.xml" --full
ETAG=$(printf '%s\n' "$R" | sed -n 's/^SIP-ETag: *//p' | tr -d '\r')
wait_for 3 test "$(notifies)" -gt "$n0"
check "bob publishes: alice gets the NOTIFY with the change" $((n0 + 1)) "$(notifies)"
sleep 0.8
pub "$T/bob.xml" -H "SIP-If-Match: $ETAG" --full
ETAG=$(printf '%s\n' "$R" | sed -n 's/^SIP-ETag: *//p' | tr -d '\r')
wait_for 3 grep -q "not passed on" "$T/a.log"
check_has "B sends the unchanged state 0.8 s later; A answers it 200 itself" "not passed on" \
    "$(grep 'NOTIFY: answered 200' "$T/a.log")"
check "... alice's UA does not get it" $((n0 + 1)) "$(notifies)"
pub "$T/lunch.xml" -H "SIP-If-Match: $ETAG"
wait_for 3 test "$(notifies)" -gt $((n0 + 1))
check "a change goes through at once" $((n0 + 2)) "$(notifies)"
check_has "... the new state" "out to lunch" "$(tail -n 20 "$T/alice.log")"

# --- policing B: fetches of one presentity, with the agreed 2 s ---------------------------------
b_sub bob sip:alice@a.example -H "Expires: 0"
check "bob fetches alice (Expires: 0): 200" 200 "$ST"
b_sub dan sip:alice@a.example -H "Expires: 0" --full
check "dan fetches alice at once after: 503 (at most every resubscribe_min)" 503 "$ST"
check_has "... with a Retry-After" "Retry-After: " "$R"
sleep 2.2
b_sub dan sip:alice@a.example -H "Expires: 0"
check "after the agreed 2 s, a fetch is taken again: 200" 200 "$ST"

# --- the two-hour rule: the agreement withdrawn ---------------------------------------------------
cp "$T/a-default.conf" "$T/a.conf"
kill -HUP "$PID_a"
sleep 0.5
c_bob=$(checks_to sip:bob@b.example alice@a.example)
ctl_a contact add carol@a.example sip:bob@b.example >/dev/null
sleep 5
check "without the agreement, no fetch to bob again within two hours" "$c_bob" \
    "$(checks_to sip:bob@b.example alice@a.example)"
check "... whoever the owner: carol's new contact bob waits too" "0 unchecked" \
    "$(checks_to sip:bob@b.example carol@a.example) $(status_of carol@a.example sip:bob@b.example)"
check_has "... and the list says why" "sip:bob@b.example was SUBSCRIBEd" \
    "$(ctl_a contact list carol@a.example)"

# --- a NOTIFY of the last fetch saying the contact is gone (RFC 6665 4.2.2) -----------------
CID=$(sed -n 's/.*contact check \(efdcc-[^:]*\): SUBSCRIBE sip:dan@b.example for alice.*/\1/p' \
    "$T/a.log" | tail -n 1)
TLSB="--tls --cert $T/certs/b.example.crt --key $T/certs/b.example.key --ca $T/certs/ca.pem"
b_notify() { # CALL-ID STATE: a NOTIFY of b.example's for one of A's fetch dialogs
    # shellcheck disable=SC2086 # TLSB is several options
    sipc "$A:$A_FED" $TLSB -l "$B" -m NOTIFY -u "sip:$A:$A_FED;transport=tls" \
        -f sip:dan@b.example -t sip:alice@a.example --to-tag x --call-id "$1" \
        -H "Event: presence" -H "Subscription-State: $2"
}
b_notify "$CID" "terminated;reason=noresource"
check "a NOTIFY of that fetch terminated;reason=noresource: A answers 200" 200 "$ST"
check "... and the contact is invalid" invalid "$(status_of alice@a.example sip:dan@b.example)"
check_has "... saying why" "NOTIFY terminated;reason=noresource" \
    "$(ctl_a contact list alice@a.example)"
b_notify "efdcc-0-0@a.example" "active;expires=60"
check "a NOTIFY naming no fetch of A's: 481" 481 "$ST"

# --- policing B: a SUBSCRIBE repeated after A's 404 (seed 5.1) ------------------------------------
b_sub bob sip:zoe@a.example -H "Expires: 600"
check "bob subscribes to zoe@a.example (no such user): 404" 404 "$ST"
printf 'pw\n' | "$ENUMFEDCTL" -d "$SA" user add zoe@a.example --password-stdin >/dev/null
b_sub bob sip:zoe@a.example -H "Expires: 600"
check "he asks again (zoe exists now): the 404 from memory" 404 "$ST"
check_has "... saying why" "not again within 7200 s" "$WARN"
b_sub dan sip:zoe@a.example -H "Expires: 600"
check "another watcher of B is not concerned: 200" 200 "$ST"
b_sub bob sip:carol@a.example -H "Expires: 0"
b_sub dan sip:carol@a.example -H "Expires: 0" --full
check "a second fetch of carol within two hours: 503" 503 "$ST"
ra=$(printf '%s\n' "$R" | sed -n 's/^Retry-After: *//p' | tr -d '\r')
check "... Retry-After close to 7200 s" yes "$([ "${ra:-0}" -gt 7000 ] && echo yes || echo no)"

kill -USR1 "$PID_a"
sleep 0.3
C=$(grep 'counters' "$T/a.log" | tail -n 1)
check_has "SIGUSR1: early NOTIFYs absorbed" "peers' early NOTIFYs absorbed 1" "$C"
check_has "SIGUSR1: SUBSCRIBEs refused from memory" "SUBSCRIBEs refused from memory 1" "$C"
check_has "SIGUSR1: fetches refused" "fetches refused 2" "$C"
check_has "SIGUSR1: contacts learned" "contacts learned 1" "$C"

# --- a restart of A keeps it all -------------------------------------------------------------------
ctl_a contact list | cut -f 1-4 >"$T/before.txt"
stop_pid "$PID_a"
check "A exits 0 on SIGTERM" 0 "$STOP_RC"
start_edge a "$T/a.conf"
check "after the restart the lists are the same (owner, URI, status, when checked)" "" \
    "$(ctl_a contact list | cut -f 1-4 | diff - "$T/before.txt")"
sleep 4
check "... and the two-hour rule still holds for bob" "$c_bob 0" \
    "$(checks_to sip:bob@b.example alice@a.example) $(checks_to sip:bob@b.example carol@a.example)"
check "... gone is valid, nobody was never a contact" "valid " \
    "$(status_of alice@a.example sip:gone@b.example) $(status_of carol@a.example sip:nobody@b.example)"
cp "$T/a-agreed.conf" "$T/a.conf"
kill -HUP "$PID_a"
wait_for 6 test "$(checks_to sip:bob@b.example carol@a.example)" -ge 1
check "with the agreement back, carol's bob is checked (the stored times allow it)" yes \
    "$([ "$(checks_to sip:bob@b.example carol@a.example)" -ge 1 ] && echo yes || echo no)"

ctl_a user remove carol@a.example >/dev/null
wait_for 8 test -z "$(ctl_a contact list carol@a.example)"
check "carol removed: her contacts go too (once her last SUBSCRIBE is over 2 s old)" "" \
    "$(ctl_a contact list carol@a.example)"
check "... A says so" 1 \
    "$(grep -c 'contact sip:bob@b.example of carol@a.example: removed with its owner' "$T/a.log")"

stop_edges
done_tap
