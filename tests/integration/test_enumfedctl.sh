#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# test_enumfedctl.sh -- enumfedctl on a store file of its own:
#
#   1. usage errors exit 2; a password is never an argument;
#   2. user add from a file and from standard input; only the HA1s (MD5 and
#      SHA-256 of USER:DOMAIN:PASSWORD, realm = domain) reach the file;
#   3. user list / disable / enable, unknown users and duplicates exit 1;
#   4. user remove leaves a tombstone: the AoR cannot be added again for 90
#      days (draft-levin-simple-interdomain-reqs §10.2) or a longer
#      --hold-days, and can be once the hold is over (the clock is moved by
#      editing removed_at with sqlite3);
#   5. messages lists what waits for a user, without the body.
#
# Environment: ENUMFEDCTL (set by CTest). Needs sqlite3, md5sum, sha256sum,
# setsid for some checks (skipped without them).
# TAP on stdout; exit status 0 only when every check passed.

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ef_init test_enumfedctl 60

ENUMFEDCTL=${ENUMFEDCTL:-$EF_SRC/build/enumfedctl}
DB=$EF_TMP/store.db
HAVE_SQLITE=$(command -v sqlite3 >/dev/null 2>&1 && echo 1 || echo 0)

if [ ! -x "$ENUMFEDCTL" ]; then
    not_ok "enumfedctl binary exists" "ENUMFEDCTL=$ENUMFEDCTL is not an executable file"
    ef_done
fi
ok "enumfedctl binary: $ENUMFEDCTL"

# ctl [--stdin TEXT] ARGS...: run enumfedctl on $DB; sets OUT, ERR, RC, EF_CMD.
ctl() {
    local input=''
    if [ "${1-}" == "--stdin" ]; then
        input=$2
        shift 2
    fi
    EF_CMD="enumfedctl$(printf ' %q' "$@")"
    # setsid: no controlling terminal, so a missing password is never asked for
    printf '%s' "$input" | setsid timeout -k 2 "$EF_CMD_TIMEOUT" "$ENUMFEDCTL" "$@" \
        >"$EF_TMP/c.out" 2>"$EF_TMP/c.err"
    RC=$?
    MS=0
    OUT=$(cat "$EF_TMP/c.out")
    ERR=$(cat "$EF_TMP/c.err")
    return 0
}

expect_err_has() { # TEXT DESCRIPTION
    if [[ "$ERR" == *"$1"* ]]; then
        ok "$2"
    else
        local d
        mapfile -t d < <(ef_diag "stderr containing: $1" "$ERR")
        not_ok "$2" "${d[@]}"
    fi
}

sql() { sqlite3 "$DB" "$1"; }

# --- 1. usage -----------------------------------------------------------------------
ctl
expect_rc 2 "usage: no command: exit 2"
ctl -d "$DB" frobnicate
expect_rc 2 "usage: unknown command: exit 2"
check "usage: nothing created for a usage error" "absent" "$([ -e "$DB" ] && echo present || echo absent)"
ctl --help
expect_rc 0 "usage: --help: exit 0"
expect_out_match "user add USER@DOMAIN" "usage: --help names user add"
ctl -d "$DB" user add alice@a.example --password 'secret'
expect_rc 2 "usage: no --password option: a password is never an argument"
ctl -d "$DB" user add alice --password-stdin
expect_rc 2 "usage: an address without a domain: exit 2"
ctl -d "$DB" user add 'al ice@a.example' --password-stdin
expect_rc 2 "usage: a user part with a space: exit 2"
ctl -d "$DB" --hold-days 30 tombstones
expect_rc 2 "usage: --hold-days below 90: exit 2"
expect_err_has "90" "usage: --hold-days below 90: says the floor"
ctl -d "$DB" user add x@a.example --password-file f --password-stdin
expect_rc 2 "usage: two password sources: exit 2"

# --- 2. adding users -----------------------------------------------------------------
printf 'pass word\n' >"$EF_TMP/pw"
ctl -d "$DB" user add alice@a.example --password-file "$EF_TMP/pw"
expect_rc 0 "add: password from a file: exit 0"
expect_out "alice@a.example added" "add: says what was added"
ctl --stdin $'other secret\n' -d "$DB" user add bob@A.Example --password-stdin
expect_rc 0 "add: password from standard input: exit 0"
expect_out "bob@a.example added" "add: the domain is kept in lower case"
printf 'crlf pw\r\n' >"$EF_TMP/pw2"
ctl -d "$DB" user add carol@b.example --password-file "$EF_TMP/pw2"
expect_rc 0 "add: a CRLF line end is not part of the password"
ctl -d "$DB" user add dave@a.example
expect_rc 1 "add: no password option and no terminal: exit 1"
expect_err_has "password" "add: no password: says so"
ctl --stdin '' -d "$DB" user add dave@a.example --password-stdin
expect_rc 1 "add: an empty password: exit 1"
ctl -d "$DB" user add eve@a.example --password-file "$EF_TMP/nonexistent"
expect_rc 1 "add: an unreadable password file: exit 1"
ctl --stdin $'x\n' -d "$DB" user add alice@a.example --password-stdin
expect_rc 1 "add: the user exists: exit 1"
expect_err_has "exists" "add: the user exists: says so"
ctl -d "$EF_TMP/no/such/dir/store.db" user list
expect_rc 1 "store: cannot be opened: exit 1"

if [ "$HAVE_SQLITE" == 1 ]; then
    act=$(sql "SELECT ha1_md5 || ' ' || ha1_sha256 FROM users WHERE user = 'alice'")
    exp="$(printf 'alice:a.example:pass word' | md5sum | cut -d' ' -f1) $(printf 'alice:a.example:pass word' | sha256sum | cut -d' ' -f1)"
    check "add: HA1 = H(user:realm:password), realm = domain, MD5 and SHA-256" "$exp" "$act"
    act=$(sql "SELECT ha1_md5 FROM users WHERE user = 'carol'")
    check "add: CRLF password hashed without the CR" \
        "$(printf 'carol:b.example:crlf pw' | md5sum | cut -d' ' -f1)" "$act"
    act=$(sql "SELECT ha1_md5 FROM users WHERE user = 'bob'")
    check "add: realm is the lower-case domain" \
        "$(printf 'bob:a.example:other secret' | md5sum | cut -d' ' -f1)" "$act"
fi
act=$(cat "$DB" "$DB-wal" 2>/dev/null | grep -c -a 'pass word')
check "add: the password is nowhere in the store" "0" "$act"

# --- 3. list, disable, enable ------------------------------------------------------------
ctl -d "$DB" user list
expect_rc 0 "list: exit 0"
check "list: users by domain then user, enabled" "alice@a.example	enabled
bob@a.example	enabled
carol@b.example	enabled" "$(printf '%s\n' "$OUT" | cut -f1,2)"
act=$(printf '%s\n' "$OUT" | head -n1 | cut -f3 | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$')
check "list: the creation time in UTC" "1" "$act"
ctl -d "$DB" user disable bob@a.example
expect_rc 0 "disable: exit 0"
ctl -d "$DB" user list
check "disable: listed as disabled" "bob@a.example	disabled" "$(printf '%s\n' "$OUT" | grep '^bob' | cut -f1,2)"
ctl -d "$DB" user enable BOB@a.example
expect_rc 1 "enable: the user part is compared with case: BOB is unknown"
ctl -d "$DB" user enable bob@A.EXAMPLE
expect_rc 0 "enable: the domain without case: exit 0"
ctl -d "$DB" user list
check "enable: listed as enabled" "bob@a.example	enabled" "$(printf '%s\n' "$OUT" | grep '^bob' | cut -f1,2)"
ctl -d "$DB" user disable nobody@a.example
expect_rc 1 "disable: no such user: exit 1"
expect_err_has "no such user" "disable: no such user: says so"

# --- 4. remove and tombstones ---------------------------------------------------------------
ctl -d "$DB" user remove bob@a.example
expect_rc 0 "remove: exit 0"
expect_out_match '^bob@a\.example removed: 0 bindings, 0 messages; held until [0-9-]+T[0-9:]+Z$' \
    "remove: says what went and until when the AoR is held"
ctl -d "$DB" user remove bob@a.example
expect_rc 1 "remove: twice: exit 1"
ctl -d "$DB" tombstones
expect_rc 0 "tombstones: exit 0"
check "tombstones: the removed AoR, held" "bob@a.example	held" "$(printf '%s\n' "$OUT" | cut -f1,4)"
ctl -d "$DB" user list
check "remove: gone from the list" "alice@a.example
carol@b.example" "$(printf '%s\n' "$OUT" | cut -f1)"
ctl --stdin $'new owner\n' -d "$DB" user add bob@a.example --password-stdin
expect_rc 1 "tombstone: the AoR cannot be re-added at once"
expect_err_has "held until" "tombstone: says until when"

if [ "$HAVE_SQLITE" == 1 ]; then
    now=$(date +%s)
    sql "UPDATE tombstones SET removed_at = $((now - 89 * 86400)) WHERE aor = 'bob@a.example'"
    ctl --stdin $'new owner\n' -d "$DB" user add bob@a.example --password-stdin
    expect_rc 1 "tombstone: removed 89 days ago: still held"
    sql "UPDATE tombstones SET removed_at = $((now - 100 * 86400)) WHERE aor = 'bob@a.example'"
    ctl -d "$DB" --hold-days 120 tombstones
    check "tombstone: --hold-days 120, removed 100 days ago: held" "bob@a.example	held" \
        "$(printf '%s\n' "$OUT" | cut -f1,4)"
    ctl --stdin $'new owner\n' -d "$DB" --hold-days 120 user add bob@a.example --password-stdin
    expect_rc 1 "tombstone: --hold-days 120, removed 100 days ago: still held"
    ctl -d "$DB" tombstones
    check "tombstone: removed 100 days ago, 90-day hold: free" "bob@a.example	free" \
        "$(printf '%s\n' "$OUT" | cut -f1,4)"
    ctl --stdin $'new owner\n' -d "$DB" user add bob@a.example --password-stdin
    expect_rc 0 "tombstone: removed 100 days ago: the AoR may be reassigned"
    ctl -d "$DB" tombstones
    expect_out "" "tombstone: gone once the AoR is reassigned"
fi

# --- 5. messages -----------------------------------------------------------------------------
ctl -d "$DB" messages alice@a.example
expect_rc 0 "messages: none: exit 0"
expect_out "" "messages: none: nothing printed"
if [ "$HAVE_SQLITE" == 1 ]; then
    now=$(date +%s)
    sql "INSERT INTO messages (aor, sender, content_type, body, received_at, expires_at)
         VALUES ('alice@a.example', 'sip:zoe@c.example', 'text/plain', CAST('secret body' AS BLOB),
                 $now, $((now + 3600))),
                ('alice@a.example', 'sip:old@c.example', 'text/plain', CAST('x' AS BLOB),
                 $((now - 7200)), $((now - 3600)))"
    ctl -d "$DB" messages alice@a.example
    expect_rc 0 "messages: exit 0"
    check "messages: the pending one (not the expired one): sender, type, size" \
        "sip:zoe@c.example	text/plain	11" "$(printf '%s\n' "$OUT" | cut -f4-6)"
    expect_out_lacks "secret body" "messages: the body is not printed"
    ctl -d "$DB" user remove alice@a.example
    expect_out_match ' 0 bindings, 2 messages;' "remove: the user's messages go with it"
fi

ef_done
