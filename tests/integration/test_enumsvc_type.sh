#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# enumsvc check-type: the verdict lines, exit codes and --json output for Enumservice
# names against RFC 6116 §3.4.3, §3.4.3.1 and RFC 6117 §3.2, §5.2.3, §11.8.
# Needs: bash; jq for the --json checks (skipped without it).
set -u
EF_SRC=${EF_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
ENUMSVC=${ENUMSVC:-$EF_SRC/build/enumsvc}
n=0
failed=0
OUT='' ERR='' RC=''

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    printf '#   %s\n' "$2"
}

# run ARGS...: keeps stdout in $OUT, stderr in $ERR, the exit status in $RC
run() {
    local tmp
    tmp=$(mktemp) || exit 1
    OUT=$("$ENUMSVC" check-type "$@" 2>"$tmp")
    RC=$?
    ERR=$(<"$tmp")
    rm -f "$tmp"
}

# expect RC OUTPUT ARGS...: exact stdout and exit status
expect() {
    local want_rc=$1 want_out=$2
    shift 2
    run "$@"
    if [ "$RC" = "$want_rc" ] && [ "$OUT" = "$want_out" ]; then
        ok "check-type $* -> $want_rc"
    else
        not_ok "check-type $* -> $want_rc" "rc $RC, stdout: $OUT; expected: $want_out"
    fi
}

# has RC PATTERN ARGS...: exit status and a line of stdout containing PATTERN (fixed string)
has() {
    local want_rc=$1 pat=$2
    shift 2
    run "$@"
    if [ "$RC" = "$want_rc" ] && grep -qF -- "$pat" <<<"$OUT"; then
        ok "check-type $* -> $want_rc, \"$pat\""
    else
        not_ok "check-type $* -> $want_rc, \"$pat\"" "rc $RC, stdout: $OUT"
    fi
}

if [ ! -x "$ENUMSVC" ]; then
    echo "Bail out! no enumsvc binary at $ENUMSVC"
    exit 1
fi

a32=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
UPPER='W001 uppercase letter: lowercase is recommended (comparison ignores case) (RFC 6117 §3.2)'

# valid names (RFC 6117 Appendix A examples and registered ones)
expect 0 "email:mailto: ok" email:mailto
expect 0 $'sip: ok\nvoice:tel: ok\nvoicemsg:sip: ok' sip voice:tel voicemsg:sip
expect 0 "$a32: ok" "$a32"
expect 0 "$a32:$a32: ok" "$a32:$a32"
expect 0 "ee2u: ok" ee2u
expect 0 "foobar: ok" foobar

# RFC 6116 §3.4.3: 1*32(ALPHA / DIGIT / "-")
expect 1 "${a32}a: invalid: E002 longer than 32 characters (RFC 6116 §3.4.3)" "${a32}a"
expect 1 "sip:${a32}a: invalid: E002 longer than 32 characters (RFC 6116 §3.4.3)" "sip:${a32}a"
expect 1 "sip.tel: invalid: E003 a character other than a letter, a digit or '-' (RFC 6116 §3.4.3)" sip.tel
expect 1 "voice:: invalid: E001 empty Type or Subtype (RFC 6116 §3.4.3)" voice:
expect 1 ":tel: invalid: E001 empty Type or Subtype (RFC 6116 §3.4.3)" :tel
expect 1 "a:b:c: invalid: E011 more than one ':' (a registration has at most one Subtype) (RFC 6117 §5.2.3)" a:b:c

# RFC 6117 §3.2: dashes
expect 1 "sip-: invalid: E005 '-' as the last character (RFC 6117 §3.2)" sip-
expect 1 "-sip: invalid: E004 '-' as the first character (RFC 6117 §3.2)" -- -sip
expect 1 "a-sip: invalid: E006 '-' as the second character is reserved for facets (RFC 6117 §3.2)" a-sip
expect 0 "ab-cd: ok" ab-cd

# RFC 6116 §3.4.3.1: facets, named
has 1 'x-trial: invalid: E007 the "X-" facet is for experimental or trial use, not registrable (RFC 6116 §3.4.3.1)' x-trial
has 1 'P-sip: invalid: E008 the "P-" facet is for private networks only, not registrable (RFC 6116 §3.4.3.1)' P-sip
has 1 "P-sip: warning: $UPPER" P-sip

# RFC 6117 §3.2 and §11.8: no "e2u" prefix, any case
for name in e2u E2U e2U E2usip sip:e2utel; do
    has 1 "$name: invalid: E009 starts with \"e2u\" (the obsolete syntax) (RFC 6117 §3.2, §11.8)" "$name"
done

# RFC 6117 §11.8: example names, unless --allow-examples
for name in foo bar sbar; do
    has 1 "$name: invalid: E010 \"foo\", \"bar\" and \"sbar\" are reserved for examples (RFC 6117 §11.8)" "$name"
done
expect 0 "foo:bar: ok" --allow-examples foo:bar
expect 0 "sbar: ok" sbar --allow-examples

# uppercase: a warning, exit 0
expect 0 "SIP: ok with warnings: $UPPER" SIP
expect 0 $'Voice:Tel: ok with warnings: '"$UPPER"$'\nVoice:Tel: ok with warnings: '"$UPPER" Voice:Tel

# one invalid name among valid ones: exit 1, every name reported
run sip foo voice:tel
if [ "$RC" = 1 ] && [ "$(wc -l <<<"$OUT")" = 3 ]; then ok "mixed names: exit 1, three lines"; else not_ok "mixed names" "rc $RC: $OUT"; fi
# every rule a name breaks, one line each
run -- --Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.-
if [ "$RC" = 1 ] && [ "$(grep -oE '(E|W)[0-9]{3}' <<<"$OUT" | tr '\n' ' ')" = "E002 E003 E004 E005 E006 W001 " ]; then
    ok "every broken rule listed in order"
else
    not_ok "every broken rule listed in order" "rc $RC: $OUT"
fi

# usage errors: exit 2, nothing on stdout
for args in "" "--bogus sip" "-x sip" "--"; do
    # shellcheck disable=SC2086 # split on purpose
    run $args
    if [ "$RC" = 2 ] && [ -z "$OUT" ] && [ -n "$ERR" ]; then ok "usage error: '$args' -> 2"; else not_ok "usage error: '$args' -> 2" "rc $RC, stdout: $OUT"; fi
done
run --help
if [ "$RC" = 0 ] && grep -q "usage: enumsvc check-type" <<<"$OUT"; then ok "--help"; else not_ok "--help" "rc $RC: $OUT"; fi

# --json
if command -v jq >/dev/null 2>&1; then
    jcheck() {
        local what=$1 filter=$2
        if [ -n "$OUT" ] && jq -e "$filter" >/dev/null 2>&1 <<<"$OUT"; then ok "json: $what"; else not_ok "json: $what" "$OUT"; fi
    }
    run --json sip Voice:tel x-a:b:c
    if [ "$RC" = 1 ]; then ok "json: exit 1"; else not_ok "json: exit 1" "rc $RC"; fi
    jcheck "one array of three" 'type == "array" and length == 3'
    jcheck "a valid name" '.[0] == {"name":"sip","type":"sip","subtype":null,"valid":true,"problems":[]}'
    jcheck "a warning" '.[1].valid and .[1].subtype == "tel" and .[1].problems[0].code == "W001" and .[1].problems[0].severity == "warning" and .[1].problems[0].offset == 0 and .[1].problems[0].section == "RFC 6117 §3.2"'
    jcheck "errors" '(.[2].valid | not) and .[2].type == "x-a" and .[2].subtype == "b:c" and ([.[2].problems[].code] == ["E007","E011"]) and .[2].problems[1].offset == 5 and ([.[2].problems[].severity] | unique) == ["error"]'
    jcheck "problem keys" '[.[].problems[] | keys] | all(. == ["code","id","message","offset","section","severity"])'
    run -j foo --allow-examples
    if [ "$RC" = 0 ]; then ok "json: --allow-examples exit 0"; else not_ok "json: --allow-examples exit 0" "rc $RC"; fi
    jcheck "--allow-examples" '.[0].valid and .[0].problems == []'
    run --json 'a"b'
    jcheck "escaped name" '.[0].name == "a\"b" and .[0].problems[0].code == "E003" and .[0].problems[0].offset == 1'
else
    echo "# jq not found: --json checks skipped"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
