#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# enumsvc review: the review of RFC 6117 §6 from submission to registration,
# illegal transitions (exit 1, nothing changed), the comment window of §6.3,
# changes required and rejection (§6.5), the checklist of §7.2 (text and
# JSON), a non-RFC specification with its escrow copy (§11.3): hash round
# trip and a damaged copy refused; usage errors (exit 2).
set -u
EF_SRC=${EF_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
ENUMSVC=${ENUMSVC:-$EF_SRC/build/enumsvc}
T=$EF_SRC/tests/data/templates
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    printf '#   %s\n' "$2"
}
check() { if [ "$2" = 0 ]; then ok "$1"; else not_ok "$1" "$3"; fi; }

if [ ! -x "$ENUMSVC" ]; then
    echo "Bail out! no enumsvc binary at $ENUMSVC"
    exit 1
fi
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
DB=$TMP/reg.db
rv() { "$ENUMSVC" review --db "$DB" "$@"; }
reg() { "$ENUMSVC" registry --db "$DB" "$@"; }
dump() { sqlite3 "$DB" 'SELECT * FROM reviews; SELECT * FROM review_history;' | cksum; }
# expect NAME RC COMMAND...: the exit status and, for 1, an unchanged database
expect() {
    local name=$1 want=$2 before rc
    shift 2
    before=$(dump)
    "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" = "$want" ] && { [ "$want" = 0 ] || [ "$(dump)" = "$before" ]; }; then
        ok "$name"
    else
        not_ok "$name" "rc $rc (want $want): $(cat "$TMP/err")"
    fi
}
state() { rv status "$1" --json | jq -r '.reviews[0].state'; }

reg import "$T/iana-enum-services.xml" >/dev/null 2>&1
expect "submit without --by -> 2" 2 rv submit "$T/valid-xmpp.xml"
expect "submit a template with errors -> 1 (§11.8)" 1 rv submit "$T/bad-E121-type.xml" --by a
expect "submit the IANA registry (many records) -> 1" 1 rv submit "$T/iana-enum-services.xml" --by a
expect "submit Appendix A example" 0 rv submit "$T/warn-appendix-a1.xml" --by alice --at 2026-01-05
grep -qF 'review 1: email:mailto is written' "$TMP/out"
check "submit prints the new review" $? "$(cat "$TMP/out")"
grep -qF 'W150' "$TMP/err"
check "submit shows the template warnings" $? "$(cat "$TMP/err")"

expect "iana before comments -> 1" 1 rv iana 1 --by alice --at 2026-01-06
grep -qF 'illegal transition' "$TMP/err"
check "illegal transition message" $? "$(cat "$TMP/err")"
expect "expert approve while written -> 1" 1 rv expert 1 --approve --by bob --at 2026-01-06
expect "publish while written -> 1" 1 rv publish 1 --at 2026-01-06
expect "register while written -> 1" 1 rv register 1 --at 2026-01-06
expect "13-day window -> 1" 1 rv comments 1 --from 2026-01-06 --to 2026-01-19 --by alice --at 2026-01-06
grep -qF 'shorter than two weeks' "$TMP/err"
check "short window message" $? "$(cat "$TMP/err")"
expect "window before submission -> 1" 1 rv comments 1 --from 2026-01-01 --to 2026-01-20 --by alice --at 2026-01-06
expect "invalid date -> 1" 1 rv comments 1 --from 2026-02-30 --to 2026-03-20 --by alice --at 2026-01-06
expect "35-day window -> 0" 0 rv comments 1 --from 2026-01-06 --to 2026-02-10 --by alice --at 2026-01-06
grep -qF 'longer than four weeks' "$TMP/err"
check "long window warns" $? "$(cat "$TMP/err")"
expect "further comments, 14 days (§6.3.3)" 0 rv comments 1 --from 2026-01-06 --to 2026-01-20 --by alice --at 2026-01-06
[ ! -s "$TMP/err" ]
check "14-day window has no warning" $? "$(cat "$TMP/err")"
[ "$(state 1)" = comments-requested ]
check "state comments-requested" $? "$(state 1)"
expect "iana before the window ends -> 1" 1 rv iana 1 --by alice --at 2026-01-19
expect "revise with another Enumservice -> 1" 1 rv revise 1 "$T/valid-xmpp.xml" --by alice --at 2026-01-19
expect "revise during comments (§6.3.2)" 0 rv revise 1 "$T/warn-appendix-a1.xml" --by alice --at 2026-01-19
expect "iana after the window" 0 rv iana 1 --by alice --at 2026-01-21
expect "step dated before the last -> 1" 1 rv expert 1 --start --by iana --at 2026-01-20
expect "expert without decision -> 2" 2 rv expert 1 --by iana
expect "expert start" 0 rv expert 1 --start --by iana --at 2026-01-22
expect "changes required without note -> 1" 1 rv expert 1 --changes-required --by bob --at 2026-01-23
expect "changes required" 0 rv expert 1 --changes-required --by bob --note "one scheme" --at 2026-01-23
expect "approve while changes-required -> 1" 1 rv expert 1 --approve --by bob --at 2026-01-24
expect "revised document back to expert review (§6.5.2)" 0 rv revise 1 "$T/warn-appendix-a1.xml" --by alice --at 2026-01-25
[ "$(state 1)" = expert-review ]
check "state expert-review after revision" $? "$(state 1)"
expect "approve" 0 rv expert 1 --approve --by bob --at 2026-01-26
expect "register before publication -> 1" 1 rv register 1 --at 2026-01-27
expect "escrow for an RFC -> 1 (§11.3)" 1 rv publish 1 --escrow "$T/valid-xmpp.xml" --at 2026-01-27
expect "publish" 0 rv publish 1 --by alice --at 2026-01-27
expect "register" 0 rv register 1 --by iana --at 2026-01-28
grep -qF '0 added, 1 updated' "$TMP/out"
check "register of a registered Type:Subtype is an update (§11.4)" $? "$(cat "$TMP/out")"
[ "$(state 1)" = registered ]
check "state registered" $? "$(state 1)"
expect "register twice -> 1" 1 rv register 1 --at 2026-01-29
[ "$(rv status 1 --json | jq '.reviews[0].history | length')" = 11 ]
check "history has every step" $? "$(rv status 1 --json)"
rv status 1 --json | jq -e '.reviews[0].history[-1] | .by == "iana" and .at == "2026-01-28T00:00:00Z" and .to == "registered"' >/dev/null
check "history records who and when" $? "$(rv status 1 --json)"
rv status 1 | grep -qF 'changes-required   by bob: one scheme'
check "status shows the note" $? "$(rv status 1)"

# Rejection ends a review.
rv submit "$T/valid-xmpp.xml" --by carol --at 2026-02-01 >/dev/null 2>&1
rv comments 2 --from 2026-02-01 --to 2026-02-15 --by carol --at 2026-02-01 >/dev/null 2>&1
rv iana 2 --by carol --at 2026-02-16 >/dev/null 2>&1
rv expert 2 --start --by iana --at 2026-02-16 >/dev/null 2>&1
expect "reject" 0 rv expert 2 --reject --by bob --note "use xmpp" --at 2026-02-17
expect "revise after rejection -> 1" 1 rv revise 2 "$T/valid-xmpp.xml" --by carol --at 2026-02-18
expect "unknown review -> 1" 1 rv status 99

# The checklist (§7.2) on the Appendix A example.
rv submit "$T/warn-appendix-a1.xml" --by dave --at 2026-03-01 >/dev/null 2>&1
rv checklist 3 >"$TMP/cl"
grep -q '^\[warn\] clash (RFC 6117 §11.4): email:mailto is already registered' "$TMP/cl"
check "checklist: clash" $? "$(cat "$TMP/cl")"
grep -q '^\[info\] similar .*sms:mailto: the same URI Scheme mailto' "$TMP/cl"
check "checklist: same URI scheme" $? "$(cat "$TMP/cl")"
grep -q '^\[warn\] template (RFC 6117 §4.2.2.2): W150' "$TMP/cl"
check "checklist: template warnings" $? "$(cat "$TMP/cl")"
grep -q '^\[open\] sections (RFC 6117 §3, §5)' "$TMP/cl"
check "checklist: open questions" $? "$(cat "$TMP/cl")"
rv checklist 3 --json | jq -e '[.items[] | select(.verdict == "open")] | length >= 6' >/dev/null
check "checklist --json" $? "$(rv checklist 3 --json | head -c 300)"

# A non-RFC specification: tel: loop flag, escrow copy kept at registration.
sed -e 's|<type>email</type>|<type>fooservice</type>|' -e 's|<subtype>mailto</subtype>||' \
    -e 's|<urischeme>mailto</urischeme>|<urischeme>tel</urischeme>|' \
    -e 's|<xref type="rfc" data="rfc4355"/>\s*</registrationdocs>|<xref type="uri" data="http://example.com/spec"/></registrationdocs>|' \
    "$T/warn-appendix-a1.xml" | tr -d '\n' | sed 's|<registrationdocs>\s*<xref type="rfc" data="rfc4355"/>|<registrationdocs><xref type="uri" data="http://example.com/spec"/>|' >"$TMP/nonrfc.xml"
head -c 100000 /dev/urandom >"$TMP/spec.bin"
rv submit "$TMP/nonrfc.xml" --by erin --at 2026-04-01 >/dev/null 2>&1
rv checklist 4 | grep -q '^\[warn\] loop'
check "checklist: tel flagged for loops" $? "$(rv checklist 4)"
rv comments 4 --from 2026-04-01 --to 2026-04-20 --by erin --at 2026-04-01 >/dev/null 2>&1
rv iana 4 --by erin --at 2026-04-21 >/dev/null 2>&1
rv expert 4 --start --by iana --at 2026-04-21 >/dev/null 2>&1
rv expert 4 --approve --by bob --at 2026-04-22 >/dev/null 2>&1
rv publish 4 --by erin --at 2026-04-23 >/dev/null 2>&1
expect "register non-RFC without escrow -> 1" 1 rv register 4 --at 2026-04-24
reg show fooservice >/dev/null 2>&1
check "nothing registered after the refusal" "$([ $? = 1 ]; echo $?)" ""
expect "register with escrow" 0 rv register 4 --escrow "$TMP/spec.bin" --at 2026-04-24
sha=$(sha256sum "$TMP/spec.bin" | cut -d' ' -f1)
reg show fooservice | grep -qF "100000 bytes, sha256 $sha"
check "show prints escrow hash and size" $? "$(reg show fooservice)"
reg escrow fooservice -o "$TMP/back.bin" 2>/dev/null && cmp -s "$TMP/spec.bin" "$TMP/back.bin"
check "escrow round trip" $? ""
sqlite3 "$DB" "UPDATE escrow SET data = x'00' || data"
reg escrow fooservice -o "$TMP/bad.bin" 2>"$TMP/err"
rc=$?
[ "$rc" = 1 ] && [ ! -e "$TMP/bad.bin" ] && grep -qF 'damaged' "$TMP/err"
check "damaged escrow refused" $? "rc $rc $(cat "$TMP/err")"

# registry import --escrow.
D2=$TMP/two.db
"$ENUMSVC" registry --db "$D2" import "$TMP/nonrfc.xml" --escrow "$TMP/spec.bin" >/dev/null 2>&1
"$ENUMSVC" registry --db "$D2" escrow fooservice | cmp -s - "$TMP/spec.bin"
check "import --escrow round trip" $? ""
"$ENUMSVC" registry --db "$D2" import "$T/valid-xmpp.xml" --escrow "$TMP/spec.bin" >/dev/null 2>&1
check "import --escrow for an RFC -> 1" "$([ $? = 1 ]; echo $?)" ""
"$ENUMSVC" registry --db "$D2" show xmpp >/dev/null 2>&1
check "refused import left nothing" "$([ $? = 1 ]; echo $?)" ""

for args in "" "frobnicate" "status 1 2 3 4" "checklist" "comments 1 --by a" "iana x --by a" \
    "expert 1 --approve --reject --by a" "submit a.xml --by a --bogus"; do
    # shellcheck disable=SC2086
    rv $args >/dev/null 2>&1
    rc=$?
    [ "$rc" = 2 ]
    check "usage error \"$args\" -> 2" $? "rc $rc"
done

echo "1..$n"
[ "$failed" = 0 ]
