#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# sipmsg over the RFC 4475 torture messages, driven by tests/data/sip/rfc4475/EXPECTED:
# valid messages are "valid", grammar errors "invalid", and for every message the RFC
# gives a response code for, `check --respond` answers one of the codes it allows.
set -u
EF_SRC=${EF_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
SIPMSG=${SIPMSG:-$EF_SRC/build/sipmsg}
dir=$EF_SRC/tests/data/sip/rfc4475
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    echo "#   $2"
}

while IFS=$'\t' read -r file section class verdict reason code parse _notes; do
    case "$file" in "#"* | "") continue ;; esac
    out=$("$SIPMSG" check --respond "$dir/$file" 2>&1)
    role_out=$("$SIPMSG" check --respond --proxy "$dir/$file" 2>&1)
    # RFC 4475 §3.1.1 messages are valid, §3.1.2 invalid; the rest are valid SIP whose
    # trouble is in the transaction or application layer.
    if [ "$class" = invalid ]; then
        if [[ $out == *": invalid: "* ]]; then ok "$file ($section) is invalid"; else not_ok "$file ($section) is invalid" "$out"; fi
    else
        if [[ $out == *": valid"* ]]; then ok "$file ($section) is valid"; else not_ok "$file ($section) is valid" "$out"; fi
    fi
    # The answer, where the RFC names one (a|b: either is right; accept where it allows).
    [ "$code" = "-" ] && continue
    if [[ $verdict == *accept* ]] && [[ $out == *"valid: accept"* ]]; then
        ok "$file ($reason): accepted, as the RFC allows"
        continue
    fi
    got=$(grep -oE '(valid: |\()[0-9]{3}' <<<"$out" | grep -oE '[0-9]{3}' | tail -1)
    got_proxy=$(grep -oE '(valid: |\()[0-9]{3}' <<<"$role_out" | grep -oE '[0-9]{3}' | tail -1)
    match=""
    for c in ${code//|/ }; do
        if [ "$c" = "$got" ] || [ "$c" = "$got_proxy" ]; then match=$c; fi
    done
    if [ -n "$match" ]; then
        ok "$file ($reason): answered $match"
    else
        not_ok "$file ($reason): answered one of $code" "uas: $out / proxy: $role_out"
    fi
done <"$dir/EXPECTED"

# stdin, several files, exit codes, dump
printf 'OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\nFrom: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: x@y\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nl: 0\r\n\r\n' >"${TMPDIR:-/tmp}/sipmsg.$$"
out=$("$SIPMSG" check - <"${TMPDIR:-/tmp}/sipmsg.$$")
[ "$out" = "-: valid" ] && ok "stdin" || not_ok "stdin" "$out"
"$SIPMSG" check "$dir/wsinv.dat" "$dir/lwsstart.dat" >/dev/null
[ $? -eq 1 ] && ok "exit 1 when one of several is invalid" || not_ok "exit 1 when one is invalid" "exit $?"
json=$("$SIPMSG" dump --json "${TMPDIR:-/tmp}/sipmsg.$$")
rm -f "${TMPDIR:-/tmp}/sipmsg.$$"
if command -v jq >/dev/null; then
    got=$(jq -r '[.start.method, .headers[0].parsed[0].params.branch, .headers[4].parsed.seq, .body_length] | map(tostring) | join(" ")' <<<"$json")
    [ "$got" = "OPTIONS z9hG4bK1 1 0" ] && ok "dump --json" || not_ok "dump --json" "$got / $json"
fi
"$SIPMSG" frobnicate >/dev/null 2>&1
[ $? -eq 2 ] && ok "unknown command: exit 2" || not_ok "unknown command: exit 2" "exit $?"

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
