#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# test_enumfedd_community.sh -- enumfedd as the registrar and message store
# of its community (community.store), federated with another edge: REGISTER
# with digest authentication (RFC 7616, SHA-256 and MD5, wrong password,
# 423 Min-Expires, unregister with "*"), a MESSAGE by phone number for a user
# who is offline kept (202) and delivered when the user registers, through a
# restart of the edge (nothing stored is lost), requests for registered users
# routed to their contact, unknown users 404.
#
# TAP on stdout; exit status 0 only when every check passed.
# Environment: ENUMFEDD, ENUMFEDCTL (defaults under $EF_SRC/build-it), EF_SRC.

# shellcheck disable=SC2034,SC2154
NAME=enumfedd_community
NET=127.0.14
DEADLINE=90
. "$(dirname "$0")/enumfedd_common.sh"
ENUMFEDCTL=${ENUMFEDCTL:-$EF_SRC/build-it/enumfedctl}

need_tools sipp openssl python3 ss
pick_ports
make_zones
mkcerts "$T/certs" a.example b.example

STORE=$T/b-store.db
printf 'bob-secret\n' | "$ENUMFEDCTL" -d "$STORE" user add bob@b.example --password-stdin >/dev/null
check "enumfedctl adds bob@b.example" 0 "$?"

write_conf "$T/a.conf" a.example "$A" "$A_INT" "$A_FED" "$A_UA" '{ domain = "b.example"; }' \
    'hold_after_4xx = 0;' "$NO_RATES"
write_conf "$T/b.conf" b.example "$B" "$B_INT" "$B_FED" "$B_UA" '{ domain = "a.example"; }' \
    '' "$NO_RATES community = { store = \"$STORE\"; min_expires = 60; };"
start_edge a "$T/a.conf"
start_edge b "$T/b.conf"

# reg ARGS...: a REGISTER for bob from B's side
reg() {
    sipc "$B:$B_INT" -l "$B" -m REGISTER -u sip:b.example -f sip:bob@b.example \
        -t sip:bob@b.example "$@"
}
msg_to_bob() {
    sipc "$A:$A_INT" -l "$A" -u tel:+441632960200 -f sip:alice@a.example -b "$1"
}
stored() { "$ENUMFEDCTL" -d "$STORE" messages bob@b.example | grep -c . ; }

# --- offline: kept, answered 202 (RFC 3428 7: 202 for a message not yet delivered)
msg_to_bob "while you were out"
check "bob offline: A's user gets 202 Accepted" 202 "$ST"
msg_to_bob "second one"
check "a second message: 202" 202 "$ST"
check "both are in the store" 2 "$(stored)"
sipc "$A:$A_INT" -l "$A" -u sip:carol@b.example -f sip:alice@a.example -b x
check "unknown user of B: 404" 404 "$ST"
check_has "404 says why" "no such user" "$WARN"

# --- a restart keeps what is stored
stop_pid "$PID_b"
check "B exits 0 on SIGTERM" 0 "$STOP_RC"
start_edge b "$T/b.conf"
check "after the restart both messages are still stored" 2 "$(stored)"

# --- REGISTER with digest authentication
reg -H "Contact: <sip:bob@$B:$B_UA>" -H "Expires: 600"
check "REGISTER without credentials: 401" 401 "$ST"
reg -H "Contact: <sip:bob@$B:$B_UA>" -H "Expires: 600" --full
check_has "401 offers SHA-256 first (RFC 7616 3.7)" "algorithm=SHA-256" \
    "$(printf '%s\n' "$R" | grep -i '^WWW-Authenticate' | head -n 1)"
check_has "401 offers MD5 too" "algorithm=MD5" \
    "$(printf '%s\n' "$R" | grep -i '^WWW-Authenticate' | sed -n 2p)"
reg -H "Contact: <sip:bob@$B:$B_UA>" -H "Expires: 600" --auth bob:wrong
check "a wrong password: 403" 403 "$ST"
kill -USR1 "$PID_b"
sleep 0.3
check_has "... counted (SIGUSR1)" "authentication failures 1" "$(grep 'counters:' "$T/b.log" | tail -n 1)"
# community.digest (SIGHUP): the order of the challenges, or one algorithm alone
www() { printf '%s\n' "$R" | grep -i '^WWW-Authenticate' | sed 's/.*algorithm=\([A-Z0-9-]*\).*/\1/' |
    paste -sd, -; }
for d in "md5,sha256 MD5,SHA-256" "sha256 SHA-256" "md5 MD5" "sha256,md5 SHA-256,MD5"; do
    sed -i "s/community = { store = \"\([^\"]*\)\"; [^}]*};/community = { store = \"\1\"; min_expires = 60; digest = \"${d% *}\"; };/" "$T/b.conf"
    kill -HUP "$PID_b"
    sleep 0.4
    reg -H "Contact: <sip:bob@$B:$B_UA>" -H "Expires: 600" --full
    check "community.digest = ${d% *}: the 401 offers ${d#* }" "${d#* }" "$(www)"
done
reg -H "Contact: <sip:bob@$B:$B_UA>" -H "Expires: 10" --auth bob:bob-secret --algorithm MD5
check "credentials computed with an algorithm offered: taken (423 for Expires 10)" 423 "$ST"
reg -H "Contact: <sip:bob@$B:$B_UA>" -H "Expires: 10" --auth bob:bob-secret --full
check "Expires 10 below min_expires 60: 423" 423 "$ST"
check_has "423 carries Min-Expires: 60" "Min-Expires: 60" "$R"
check "no message delivered before a successful REGISTER" 2 "$(stored)"

start_uas b "$B" "$B_UA"
reg -H "Contact: <sip:bob@$B:$B_UA>" -H "Expires: 600" --auth bob:bob-secret --full
check "REGISTER with SHA-256 credentials: 200" 200 "$ST"
check_has "200 lists the binding" "Contact: <sip:bob@$B:$B_UA>;expires=" "$R"
sleep 1
check "the stored messages reached bob's contact" 2 "$(uas_got b 'MESSAGE sip:bob@')"
check_has "with their text" "while you were out" "$(cat "$T/uas-b"/*_messages.log)"
check "and left the store" 0 "$(stored)"

# --- online: routed to the contact
msg_to_bob "now you are here"
check "bob online: 200 from his user agent" 200 "$ST"
check "the MESSAGE reached bob's contact" 3 "$(uas_got b 'MESSAGE sip:bob@')"

# --- MD5 credentials, unregister with "*"
reg -H "Contact: <sip:bob@$B:$B_UA>" -H "Expires: 600" --auth bob:bob-secret --algorithm MD5
check "REGISTER with MD5 credentials: 200" 200 "$ST"
reg -H "Contact: *" -H "Expires: 0" --auth bob:bob-secret
check "unregister with Contact: * and Expires: 0: 200" 200 "$ST"
msg_to_bob "gone again"
check "after unregistering, a message is kept again: 202" 202 "$ST"
check "one message stored" 1 "$(stored)"

# --- the users' side of the store
"$ENUMFEDCTL" -d "$STORE" user disable bob@b.example >/dev/null
msg_to_bob "disabled"
check "a disabled user: 404" 404 "$ST"

stop_edges
done_tap
