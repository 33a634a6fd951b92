#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# enumsvc check: findings, verdict lines, exit codes and --json output for RFC 6117
# §5.2 / §11.2 registration templates (tests/data/templates), and the refusal of
# XML attacks (external entity, entity expansion, deep nesting) without reading
# any other file.
# Needs: bash; jq for the --json checks (skipped without it).
set -u
EF_SRC=${EF_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
ENUMSVC=${ENUMSVC:-$EF_SRC/build/enumsvc}
T=$EF_SRC/tests/data/templates
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
    OUT=$("$ENUMSVC" check "$@" 2>"$tmp")
    RC=$?
    ERR=$(<"$tmp")
    rm -f "$tmp"
}

# has RC PATTERN ARGS...: exit status and a line of stdout containing PATTERN (fixed string)
has() {
    local want_rc=$1 pat=$2
    shift 2
    run "$@"
    if [ "$RC" = "$want_rc" ] && grep -qF -- "$pat" <<<"$OUT"; then
        ok "check ${*##*/} -> $want_rc, \"$pat\""
    else
        not_ok "check ${*##*/} -> $want_rc, \"$pat\"" "rc $RC, stdout: $OUT stderr: $ERR"
    fi
}

# only CODE FILE: exit 1, exactly one finding and it is CODE
only() {
    local code=$1 file=$2 lines
    run "$T/$file"
    lines=$(grep -c ': error \|: warning ' <<<"$OUT")
    if [ "$RC" = 1 ] && [ "$lines" = 1 ] && grep -qF -- " error $code " <<<"$OUT" &&
        grep -qxF -- "$T/$file: invalid (1 errors, 0 warnings)" <<<"$OUT"; then
        ok "check $file -> 1, only $code"
    else
        not_ok "check $file -> 1, only $code" "rc $RC, stdout: $OUT"
    fi
}

if [ ! -x "$ENUMSVC" ]; then
    echo "Bail out! no enumsvc binary at $ENUMSVC"
    exit 1
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/enumfed-check.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# valid templates
for f in valid-xmpp.xml valid-record-only.xml valid-email-subtypes.xml; do
    run "$T/$f"
    if [ "$RC" = 0 ] && [ "$OUT" = "$T/$f: valid" ]; then
        ok "check $f -> 0, valid, no findings"
    else
        not_ok "check $f -> 0, valid, no findings" "rc $RC, stdout: $OUT"
    fi
done

# valid with warnings
has 0 "warning W150 Protocol-Based with a Subtype" "$T/warn-appendix-a1.xml"
has 0 "$T/warn-appendix-a1.xml:4: warning W151 " "$T/warn-appendix-a1.xml"
has 0 "warning W120 class \"Other\"" "$T/warn-other-obsolete.xml"
has 0 "warning W125 usage OBSOLETE" "$T/warn-other-obsolete.xml"
has 0 "warning W123 <urischeme> \"sip, sips\"" "$T/warn-legacy.xml"
has 0 "warning W126 usage DEPRECATED" "$T/warn-legacy.xml"
has 0 "$T/warn-legacy.xml: valid" "$T/warn-legacy.xml"

# one rule broken, one error
for f in "$T"/bad-E*.xml; do
    b=${f##*/}
    code=${b#bad-}
    only "${code%%-*}" "$b"
done
has 1 "$T/bad-E100-syntax.xml:5: error E100 not well-formed XML" "$T/bad-E100-syntax.xml"
has 1 "(line 5, column" "$T/bad-E100-syntax.xml"
has 1 "(RFC 6117 §5.2.4)" "$T/bad-E110-missing-urischeme.xml"

# the IANA registry: many records, legacy quirks are warnings
has 0 "$T/iana-enum-services.xml: valid" "$T/iana-enum-services.xml"
has 0 "warning W123 <urischeme> \"http, https\"" "$T/iana-enum-services.xml"
has 0 "warning W140 person date" "$T/iana-enum-services.xml"

# attacks: refused, nothing else read
secret="enumfed-secret-$$-$RANDOM"
echo "$secret" >"$TMP/secret.txt"
sed "s#SECRET_PATH#$TMP/secret.txt#" "$T/attack-xxe.xml" >"$TMP/xxe.xml"
run "$TMP/xxe.xml"
if [ "$RC" = 1 ] && grep -qF "error E101 refused" <<<"$OUT" && ! grep -qF "$secret" <<<"$OUT$ERR"; then
    ok "check xxe.xml -> 1, E101, the secret not shown"
else
    not_ok "check xxe.xml -> 1, E101, the secret not shown" "rc $RC, stdout: $OUT stderr: $ERR"
fi
if command -v jq >/dev/null; then
    run --json "$TMP/xxe.xml"
    if [ "$RC" = 1 ] && ! grep -qF "$secret" <<<"$OUT$ERR"; then
        ok "check --json xxe.xml -> 1, the secret not shown"
    else
        not_ok "check --json xxe.xml -> 1, the secret not shown" "rc $RC, stdout: $OUT"
    fi
fi
if command -v strace >/dev/null && strace -f -e trace=none true 2>/dev/null; then
    strace -f -e trace=open,openat -o "$TMP/trace" "$ENUMSVC" check "$TMP/xxe.xml" >/dev/null 2>&1
    if ! grep -qF "secret.txt" "$TMP/trace"; then
        ok "check xxe.xml never opens the secret file"
    else
        not_ok "check xxe.xml never opens the secret file" "$(grep -F secret.txt "$TMP/trace")"
    fi
fi
only E101 attack-billion-laughs.xml
only E103 attack-deep.xml
only E100 attack-not-xml.xml
head -c $((1024 * 1024 + 10)) /dev/zero | tr '\0' ' ' >"$TMP/big.xml"
has 1 "error E102 refused: larger than" "$TMP/big.xml"

# several files, exit codes
has 1 "$T/bad-E120-class.xml: invalid (1 errors, 0 warnings)" "$T/valid-xmpp.xml" "$T/bad-E120-class.xml"
has 0 "$T/valid-xmpp.xml: valid" "$T/valid-xmpp.xml" "$T/warn-legacy.xml"
run "$T/valid-xmpp.xml" "$TMP/no-such.xml"
if [ "$RC" = 2 ] && grep -qF "no-such.xml" <<<"$ERR"; then
    ok "check of an unreadable file -> 2"
else
    not_ok "check of an unreadable file -> 2" "rc $RC, stderr: $ERR"
fi
run
if [ "$RC" = 2 ] && [ -z "$OUT" ]; then ok "check without files -> 2"; else not_ok "check without files -> 2" "rc $RC"; fi
run --bogus "$T/valid-xmpp.xml"
if [ "$RC" = 2 ] && [ -z "$OUT" ]; then ok "check --bogus -> 2"; else not_ok "check --bogus -> 2" "rc $RC"; fi
has 0 "usage: enumsvc check" --help

# --json
if command -v jq >/dev/null; then
    run --json "$T/valid-xmpp.xml" "$T/bad-E131-requester.xml"
    got=$(jq -c '[.[] | [.file, .valid, [.findings[] | .code, .severity, .line, .section]]]' <<<"$OUT" 2>&1)
    want="[[\"$T/valid-xmpp.xml\",true,[]],[\"$T/bad-E131-requester.xml\",false,[\"E131\",\"error\",22,\"RFC 6117 §5.2.9\"]]]"
    if [ "$RC" = 1 ] && [ "$got" = "$want" ]; then
        ok "check --json -> 1, one object per file"
    else
        not_ok "check --json -> 1, one object per file" "rc $RC, got $got"
    fi
    run --json "$T/iana-enum-services.xml"
    if [ "$RC" = 0 ] && jq -e '.[0].valid and ([.[0].findings[] | select(.severity == "error")] | length == 0)' <<<"$OUT" >/dev/null; then
        ok "check --json iana-enum-services.xml -> 0, warnings only"
    else
        not_ok "check --json iana-enum-services.xml -> 0, warnings only" "rc $RC"
    fi
else
    echo "# jq not found: --json checks skipped"
fi

echo "1..$n"
[ "$failed" = 0 ]
