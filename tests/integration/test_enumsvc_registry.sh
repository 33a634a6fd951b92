#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# enumsvc registry: import of the IANA registry copy (RFC 6117 §11), re-import
# as no change (§11.4), an update with supplementary documents (§5.3), refused
# files leaving the database unchanged, list/show/export and the XML round
# trip, usage errors. Each run uses a fresh database in a temporary directory.
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
# check NAME CONDITION-STATUS DETAIL
check() { if [ "$2" = 0 ]; then ok "$1"; else not_ok "$1" "$3"; fi; }

if [ ! -x "$ENUMSVC" ]; then
    echo "Bail out! no enumsvc binary at $ENUMSVC"
    exit 1
fi
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT
DB=$TMP/reg.db
reg() { "$ENUMSVC" registry --db "$DB" "$@"; }
sum() { reg export --format xml | cksum; }

records=$(grep -c '<record[ >]' "$T/iana-enum-services.xml")
out=$(reg import "$T/iana-enum-services.xml" 2>"$TMP/err"); rc=$?
check "import IANA copy -> 0" "$rc" "rc $rc"
grep -qF "$records records: $records added" <<<"$out"
check "import adds $records records" $? "$out"
grep -qF 'W123' "$TMP/err"
check "import warns on \"sip, sips\"" $? "$(cat "$TMP/err")"
[ "$(reg list | wc -l)" = "$records" ]
check "list has $records lines" $? "$(reg list | wc -l)"
reg list | grep -qxF 'email:mailto  Application-Based, Common  COMMON  mailto'
check "list email:mailto" $? "$(reg list)"
reg list | grep -qxF 'sip  Protocol-Based  COMMON  sip,sips'
check "list sip as two schemes" $? "$(reg list)"
out=$(reg import "$T/iana-enum-services.xml" 2>/dev/null)
grep -qF "0 added, 0 updated, $records unchanged" <<<"$out"
check "re-import is no change" $? "$out"
reg show SIP | grep -qF 'Registration docs:   rfc:rfc3764, rfc:rfc6118'
check "show SIP (case-insensitive)" $? "$(reg show SIP)"
reg show nosuch >/dev/null 2>&1
rc=$?
[ "$rc" = 1 ]
check "show unknown -> 1" $? "rc $rc"

cat >"$TMP/changed.xml" <<'XML'
<?xml version="1.0"?>
<record updated="2026-01-01"><class>Protocol-Based</class><type>SIP</type>
<urischeme>sip</urischeme><urischeme>sips</urischeme>
<functionalspec><paragraph>See RFC 3764.</paragraph></functionalspec>
<security>See RFC 3764, Section 6.</security><usage>DEPRECATED</usage>
<registrationdocs><xref type="rfc" data="rfc9999"/></registrationdocs>
<requesters><xref type="person" data="Jon_Peterson"/></requesters></record>
XML
out=$(reg import "$TMP/changed.xml" 2>/dev/null)
grep -qF '1 updated' <<<"$out"
check "changed record is an update" $? "$out"
reg show sip | grep -qF 'rfc:rfc3764, rfc:rfc6118, rfc:rfc9999 (supplementary)'
check "update keeps old documents, adds supplementary" $? "$(reg show sip)"
reg show sip | grep -qF 'Usage:               DEPRECATED'
check "update records DEPRECATED" $? "$(reg show sip)"

for f in attack-xxe.xml attack-billion-laughs.xml bad-E100-syntax.xml bad-E121-type.xml; do
    before=$(sum)
    reg import "$T/$f" >/dev/null 2>&1
    rc=$?
    [ "$rc" = 1 ] && [ "$(sum)" = "$before" ]
    check "import $f -> 1, database unchanged" $? "rc $rc"
done

reg export --format xml >"$TMP/e1.xml"
"$ENUMSVC" registry --db "$TMP/two.db" import "$TMP/e1.xml" >/dev/null 2>&1
"$ENUMSVC" registry --db "$TMP/two.db" export --format xml >"$TMP/e2.xml"
cmp -s "$TMP/e1.xml" "$TMP/e2.xml"
check "export xml round trip is byte-identical" $? "$(diff "$TMP/e1.xml" "$TMP/e2.xml" | head)"
reg export --format text | grep -q '^email:mailto '
check "export text" $? ""
reg export --format html | grep -qF '<td>email:mailto</td>'
check "export html" $? ""
ENUMSVC_DB=$DB "$ENUMSVC" registry list | grep -q '^sip '
check "\$ENUMSVC_DB selects the database" $? ""

for args in "" "--db" "frobnicate" "list extra" "show" "export" "export --format pdf"; do
    # shellcheck disable=SC2086
    reg $args >/dev/null 2>&1
    rc=$?
    [ "$rc" = 2 ]
    check "usage error \"$args\" -> 2" $? "rc $rc"
done

echo "1..$n"
[ "$failed" = 0 ]
