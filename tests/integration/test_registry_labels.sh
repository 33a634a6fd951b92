#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# test_registry_labels.sh -- the Enumservice registry's consumers (RFC 6117 §11):
#
#   1. a registry imported from the IANA copy with `enumsvc registry import`,
#      and a second one updated with sip DEPRECATED (warn-legacy.xml) and a
#      Type-only "web" OBSOLETE (warn-other-obsolete.xml);
#   2. `enumq --zone ... --registry`: class and usage of each Enumservice in
#      the text and --json output, warnings (stderr and "warnings") for
#      unregistered, deprecated and wrong-scheme results, P- labelled private,
#      $ENUMFED_REGISTRY, no labels without a registry, a missing registry;
#   3. `enumsvc lint-zone --registry` on tests/data/lint/registry.zone: the
#      codes of each owner, the same zone without a registry, the env default.
#
# Needs jq. TAP on stdout; exit 0 only when every check passed.
set -u
EF_SRC=${EF_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
ENUMQ=${ENUMQ:-$EF_SRC/build/enumq}
ENUMSVC=${ENUMSVC:-$EF_SRC/build/enumsvc}
T=$EF_SRC/tests/data/templates
EX=$EF_SRC/examples
LZ=$EF_SRC/tests/data/lint/registry.zone
APEX=0.6.9.2.3.6.1.4.4.e164.arpa.
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

if ! command -v jq >/dev/null 2>&1; then
    echo "1..0 # SKIP jq not installed"
    exit 0
fi
if [ ! -x "$ENUMQ" ] || [ ! -x "$ENUMSVC" ]; then
    echo "Bail out! enumq or enumsvc not built"
    exit 1
fi
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
unset ENUMFED_REGISTRY

# q ARGS...: enumq, stdout to $TMP/out, stderr to $TMP/err, status to $rc
q() {
    "$ENUMQ" --dnssec off "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}
# lint ARGS...: the same for enumsvc lint-zone
lint() {
    "$ENUMSVC" lint-zone "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}
# codes OWNER: the codes lint-zone reported for OWNER (relative to the apex)
codes() {
    awk -v o="$1.$APEX" '$1 == o { print $5 }' "$TMP/out" | paste -sd' ' -
}

# --- 1. the registries -------------------------------------------------------------------
"$ENUMSVC" registry --db "$TMP/iana.db" import "$T/iana-enum-services.xml" >/dev/null 2>&1
check "import the IANA copy" 0 "$?"
cp "$TMP/iana.db" "$TMP/upd.db"
"$ENUMSVC" registry --db "$TMP/upd.db" import "$T/warn-legacy.xml" >/dev/null 2>&1
check "update: sip DEPRECATED" 0 "$?"
"$ENUMSVC" registry --db "$TMP/upd.db" import "$T/warn-other-obsolete.xml" >/dev/null 2>&1
check "add: web OBSOLETE" 0 "$?"

# --- 2. enumq ------------------------------------------------------------------------------
A=+441632960083
q --zone "$EX/e164.zone" --all --json --registry "$TMP/iana.db" "$A"
check "examples $A: exit 0" 0 "$rc"
check "examples $A: one label per Enumservice" \
    'im im:alice@example.com|pres pres:alice@example.com|sip sip:alice@example.com|voice:tel,sms:tel tel:+441632960083' \
    "$(jq -r '[.results[] | ([.registry[].name] | join(",")) + " " + .uri] | join("|")' "$TMP/out")"
check "examples $A: sip is Protocol-Based, COMMON, active, sip/sips" \
    'Protocol-Based|COMMON|active|sip,sips|true|false' \
    "$(jq -r '.results[] | select(.uri | startswith("sip:")) | .registry[0] |
        [.class, .usage, .status, (.schemes | join(",")), .registered, .private] | join("|")' "$TMP/out")"
check "examples $A: voice:tel and sms:tel classes" \
    'Application-Based, Common|Application-Based, Common' \
    "$(jq -r '.results[3].registry | map(.class) | join("|")' "$TMP/out")"
check "examples $A: no warnings" 0 "$(jq '[.results[].warnings[]] | length' "$TMP/out")"
check "examples $A: nothing on stderr" "" "$(cat "$TMP/err")"

q --zone "$EX/e164.zone" --all --json --registry "$TMP/upd.db" "$A"
check "updated registry: sip DEPRECATED" 'DEPRECATED deprecated' \
    "$(jq -r '.results[2].registry[0] | .usage + " " + .status' "$TMP/out")"
check "updated registry: the warning in JSON" '["Enumservice sip is DEPRECATED in the registry"]' \
    "$(jq -c '.results[2].warnings' "$TMP/out")"
check "updated registry: the warning on stderr" \
    'enumq: warning: sip:alice@example.com: Enumservice sip is DEPRECATED in the registry' \
    "$(cat "$TMP/err")"

B=+4311234567890
q --zone "$EX/e164.zone" --all --json --registry "$TMP/iana.db" "$B"
check "examples $B: esx not registered" 'esx false false null' \
    "$(jq -r '.results[0].registry[0] | "\(.name) \(.registered) \(.private) \(.class)"' "$TMP/out")"
check "examples $B: its warning" '["Enumservice esx is not registered"]' \
    "$(jq -c '.results[0].warnings' "$TMP/out")"
check "examples $B: im registered, no warning" 'true 0' \
    "$(jq -r '.results[1] | "\(.registry[0].registered) \(.warnings | length)"' "$TMP/out")"

q --zone "$EX/e164.zone" --all --registry "$TMP/iana.db" "$B"
check "text: the labels" \
    "10 10 esx sip:bob@example.org|  = esx: not registered|10 20 im im:bob@example.org|  = im: Application-Based, Common (COMMON)" \
    "$(paste -sd'|' "$TMP/out")"
check "text: the warning on stderr" \
    'enumq: warning: sip:bob@example.org: Enumservice esx is not registered' "$(cat "$TMP/err")"

ENUMFED_REGISTRY=$TMP/upd.db q --zone "$EX/e164.zone" --all "$A"
check "ENUMFED_REGISTRY: labels" '  = sip: Protocol-Based (DEPRECATED)' \
    "$(grep -F '= sip:' "$TMP/out")"
ENUMFED_REGISTRY=$TMP/upd.db q --zone "$EX/e164.zone" --all --registry "" "$A"
check "--registry \"\": no labels" 4 "$(wc -l <"$TMP/out" | tr -d ' ')"
q --zone "$EX/e164.zone" --all --json "$A"
check "no registry: no new fields" 'false false' \
    "$(jq -r '[(.results[0] | has("registry")), (.results[0] | has("warnings"))] | join(" ")' "$TMP/out")"
q --zone "$EX/e164.zone" --registry "$TMP/missing.db" "$A"
check "missing registry: exit 2" 2 "$rc"
check "missing registry: not created" absent "$([ -e "$TMP/missing.db" ] && echo present || echo absent)"

q --zone "$EF_SRC/tests/data/unit/e164.zone" --private --all --json --registry "$TMP/iana.db" \
    +441632960002
check "P- Enumservice: private, not unknown, no warning" 'p-corp false true 0' \
    "$(jq -r '.results[] | select(.services == ["p-corp"]) |
        "\(.registry[0].name) \(.registry[0].registered) \(.registry[0].private) \(.warnings | length)"' "$TMP/out")"

q --zone "$LZ" --all --json --registry "$TMP/iana.db" +441632960014
check "wrong scheme: h323 -> sip:" '["URI scheme sip is not registered for Enumservice h323 (h323)"]' \
    "$(jq -c '.results[] | select(.services == ["h323"]) | .warnings' "$TMP/out")"
check "wrong scheme: vcard -> ftp:" \
    '["URI scheme ftp is not registered for Enumservice vcard (http, https)"]' \
    "$(jq -c '.results[] | select(.services == ["vcard"]) | .warnings' "$TMP/out")"
check "wrong scheme: two lines on stderr" 2 "$(grep -c '^enumq: warning: .*URI scheme' "$TMP/err")"
q --zone "$LZ" --all --json --registry "$TMP/upd.db" +441632960015
check "Type-only web OBSOLETE, web:http COMMON" 'web:OBSOLETE web:http:COMMON' \
    "$(jq -r '[.results[].registry[0] | .name + ":" + .usage] | join(" ")' "$TMP/out")"

# --- 3. enumsvc lint-zone --------------------------------------------------------------------
lint "$LZ"
check "no registry: exit 1 (the P- record only)" 1 "$rc"
check "no registry: summary" "11 records, 0 errors, 1 warnings" "$(tail -n 1 "$TMP/out")"
lint --registry "$TMP/upd.db" "$LZ"
check "--registry: exit 1" 1 "$rc"
while read -r owner expected; do
    check "--registry: $owner: $expected" "$expected" "$(codes "$owner")"
done <<'EOT'
1.1.0 
2.1.0 enumservice-deprecated
3.1.0 enumservice-unregistered enumservice-unregistered
4.1.0 uri-scheme uri-scheme
5.1.0 enumservice-obsolete
6.1.0 private-enumservice
EOT
check "--registry: summary" "11 records, 2 errors, 5 warnings" "$(tail -n 1 "$TMP/out")"
check "--registry: the wrong-scheme line" \
    "4.1.0.$APEX 100 20: error uri-scheme the URI scheme is not among the registry's schemes for this Enumservice: vcard registers http, https (RFC 6117 §5.2.4)" \
    "$(grep ' 100 20: error uri-scheme' "$TMP/out")"
lint --json --registry "$TMP/upd.db" "$LZ"
check "--json --registry: details" 'sip esx voice web' \
    "$(jq -r '[.findings[] | select(.code | startswith("enumservice-")) | .detail] | join(" ")' "$TMP/out")"
ENUMFED_REGISTRY=$TMP/iana.db lint "$LZ"
check "ENUMFED_REGISTRY: unregistered web, sip not deprecated" \
    "enumservice-unregistered|" "$(codes 5.1.0)|$(codes 2.1.0)"
lint --registry "$TMP/missing.db" "$LZ"
check "missing registry: exit 2" 2 "$rc"
lint --registry "$TMP/iana.db" "$EF_SRC/tests/data/lint/clean.zone"
check "clean.zone against the IANA copy: exit 0" 0 "$rc"

echo "1..$n"
[ "$failed" -eq 0 ]
