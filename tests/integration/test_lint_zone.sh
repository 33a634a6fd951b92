#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# test_lint_zone.sh -- `enumsvc lint-zone` on the zones of tests/data/lint/:
#
#   1. clean.zone: no finding, exit 0, the summary line, the JSON object;
#   2. mistakes.zone: the exact codes of each owner (one mistake per record,
#      as its comment in the file says), the counts, exit 1, the same in JSON;
#   3. exit 2: no argument, an unknown option, a missing file, a zone parser
#      error (with its line number), a file without SOA and without --origin;
#      --origin gives such a file its apex.
#
# ENUMSVC defaults to $EF_SRC/build/enumsvc; EF_SRC to the directory two
# levels above this script. TAP on stdout; exit 0 only when every check passed.

EF_SRC=${EF_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
ENUMSVC=${ENUMSVC:-$EF_SRC/build/enumsvc}
DATA=$EF_SRC/tests/data/lint
APEX=0.6.9.2.3.6.1.4.4.e164.arpa.
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

n=0 failed=0

# check DESCRIPTION EXPECTED ACTUAL
check() {
    n=$((n + 1))
    if [ "$2" == "$3" ]; then
        echo "ok $n - $1"
    else
        failed=$((failed + 1))
        echo "not ok $n - $1"
        printf '#   expected: %s\n#   got:      %s\n' "$2" "$3"
    fi
}

# lint ARGS...: stdout to $TMP/out, stderr to $TMP/err, exit status to $rc
lint() {
    "$ENUMSVC" lint-zone "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

# codes OWNER: the codes reported for OWNER (relative to the apex), space-separated
codes() {
    awk -v o="$1.$APEX" '$1 == o { print $5 }' "$TMP/out" | paste -sd' ' -
}

check "enumsvc binary: $ENUMSVC" executable "$([ -x "$ENUMSVC" ] && echo executable || echo missing)"
if [ "$failed" -ne 0 ]; then
    echo "Bail out! $ENUMSVC is not built"
    exit 1
fi

# --- 1. the clean zone ---------------------------------------------------------------
lint "$DATA/clean.zone"
check "clean.zone: exit 0" 0 "$rc"
check "clean.zone: only the summary" "12 records, 0 errors, 0 warnings" "$(cat "$TMP/out")"
lint --json "$DATA/clean.zone"
check "clean.zone --json: exit 0" 0 "$rc"
check "clean.zone --json: the object" \
    "{\"zone\":\"$APEX\",\"records\":12,\"findings\":[]}" "$(cat "$TMP/out")"

# --- 2. the zone with every mistake ----------------------------------------------------
lint "$DATA/mistakes.zone"
check "mistakes.zone: exit 1" 1 "$rc"
while read -r owner expected; do
    check "mistakes.zone: $owner: $expected" "$expected" "$(codes "$owner")"
done <<'EOT'
1.0.0 services-syntax
2.0.0 not-enum
3.0.0 obsolete-syntax
4.0.0 private-enumservice
5.0.0 experimental-enumservice
6.0.0 enumservice-case
7.0.0 enumservice-name
8.0.0 uri-scheme
9.0.0 uri-syntax
0.1.0 regexp-syntax
1.1.0 regexp-unanchored
2.1.0 regexp-case-flag
3.1.0 regexp-syntax regexp-unescaped-plus
4.1.0 regexp-delimiter
5.1.0 terminal-regexp-and-replacement
6.1.0 nonterminal-no-target
7.1.0 nonterminal-regexp
8.1.0 nonterminal-services
9.1.0 nonterminal-leaves-zone
0.2.0 nonterminal-loop
1.2.0 nonterminal-loop
2.2.0 unknown-flags
3.2.0 same-order-pref
4.2.0 order-not-100
5.2.0 non-ascii uri-syntax
EOT
check "mistakes.zone: summary" "26 records, 10 errors, 17 warnings" "$(tail -n 1 "$TMP/out")"
check "mistakes.zone: line format" \
    "3.0.0.$APEX 100 10: error obsolete-syntax obsolete RFC 2916 \"type+E2U\" Services field: write \"E2U+type\" (RFC 6116 §5.1)" \
    "$(grep " obsolete-syntax " "$TMP/out")"
check "mistakes.zone: regexp-syntax gives the reason" "1" \
    "$(grep -c "^0.1.0.$APEX 100 10: error regexp-syntax malformed Regexp field: .\+ (RFC 3402 §3.2)$" "$TMP/out")"
lint --json "$DATA/mistakes.zone"
check "mistakes.zone --json: exit 1" 1 "$rc"
check "mistakes.zone --json: 27 findings" 27 "$(grep -o '"code":' "$TMP/out" | wc -l | tr -d ' ')"
check "mistakes.zone --json: a finding" 1 "$(grep -c "{\"owner\":\"4.2.0.$APEX\",\"order\":10,\"preference\":10,\"severity\":\"warning\",\"code\":\"order-not-100\"" "$TMP/out")"
if command -v python3 >/dev/null 2>&1; then
    check "mistakes.zone --json: valid JSON" "$APEX 26 27" \
        "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["zone"], d["records"], len(d["findings"]))' <"$TMP/out")"
fi

# --- 3. usage and unreadable zones -----------------------------------------------------
lint
check "no argument: exit 2" 2 "$rc"
lint --frobnicate "$DATA/clean.zone"
check "unknown option: exit 2" 2 "$rc"
lint "$DATA/clean.zone" "$DATA/mistakes.zone"
check "two files: exit 2" 2 "$rc"
lint "$TMP/missing.zone"
check "missing file: exit 2" 2 "$rc"
check "missing file: the reason" 1 "$(grep -c 'missing.zone: No such file or directory' "$TMP/err")"
# shellcheck disable=SC2016 # a literal master file
printf '$ORIGIN x.\n@ SOA a. b. 1 2 3 4 5\n\nfoo NAPTR 100 bad\n' >"$TMP/broken.zone"
lint "$TMP/broken.zone"
check "zone parser error: exit 2" 2 "$rc"
check "zone parser error: its line" 1 "$(grep -c 'broken.zone: line 4: ' "$TMP/err")"
# shellcheck disable=SC2016
printf '$TTL 60\n1.0 NAPTR 100 10 "u" "E2U+sip" "!^.*$!sip:a@example.com!" .\n' >"$TMP/nosoa.zone"
lint "$TMP/nosoa.zone"
check "no SOA, no --origin: exit 2" 2 "$rc"
lint --json --origin 4.4.e164.arpa "$TMP/nosoa.zone"
check "no SOA, --origin: exit 0" 0 "$rc"
check "no SOA, --origin: the apex" '{"zone":"4.4.e164.arpa.","records":1,"findings":[]}' \
    "$(cat "$TMP/out")"

echo "1..$n"
[ "$failed" -eq 0 ]
