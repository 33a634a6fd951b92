#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# test_dnssec_knot.sh -- enumq --dnssec against Knot DNS.
#
#   "signed"    e164.arpa.zone signed by Knot itself (ECDSA P-256, NSEC;
#               template "signed" of tests/data/zones/knot.conf.in)
#   "plain"     the same zone, unsigned
#   "tampered"  the zone file Knot wrote after signing, with the Regexp of one
#               NAPTR of +441632960083 changed and its RRSIG kept, served by a
#               second Knot that does not sign (template "presigned")
#
# The trust anchor is the KSK (DNSKEY flags 257) of the signed zone, read with
# kdig; a DS anchor is made from it with ldns-key2ds (ldnsutils).
#
# TAP on stdout; exit status 0 only when every check passed.

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ef_init test_dnssec_knot 50

start_knot signed e164.arpa=e164.arpa.zone,signed
start_knot plain e164.arpa=e164.arpa.zone
SP=${KNOT_PORT[signed]}
UP=${KNOT_PORT[plain]}

# --- fixtures -------------------------------------------------------------------
act=$(kq "$SP" +dnssec NAPTR 3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa | grep -c 'RRSIG[[:space:]]*NAPTR 13 ')
check "fixture: Knot signed the zone (RRSIG NAPTR, algorithm 13)" "1" "$act"

TA=$EF_TMP/trust-anchor.dnskey
kq "$SP" +short DNSKEY e164.arpa | awk '$1 == 257 { print "e164.arpa. 3600 IN DNSKEY " $0 }' >"$TA"
act=$(grep -c ' DNSKEY 257 3 13 ' "$TA")
check "fixture: trust anchor = the KSK (flags 257) of e164.arpa" "1" "$act"
TA_DS=$EF_TMP/trust-anchor.ds
if command -v ldns-key2ds >/dev/null 2>&1; then
    ldns-key2ds -n -2 "$TA" >"$TA_DS" 2>"$EF_TMP/key2ds.err"
fi
act=$(grep -Ec '^e164\.arpa\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+DS[[:space:]]+[0-9]+ 13 2 ' "$TA_DS" 2>/dev/null)
check "fixture: DS trust anchor (SHA-256) made with ldns-key2ds" "1" "$act"

# The signed zone file, written back by Knot (zonefile-sync: 0).
knotc_ signed zone-flush e164.arpa >/dev/null 2>&1
SIGNED=${KNOT_DIR[signed]}/zones/e164.arpa.zone
for i in $(seq 50); do
    grep -q 'RRSIG' "$SIGNED" && break
    sleep 0.1
done
TAMPERED=$EF_TMP/e164.arpa.tampered.zone
sed -e '/^3\.8\.0\.0\.6\.9\.2\.3\.6\.1\.4\.4\.e164\.arpa\.[[:space:]].*NAPTR[[:space:]]*100 50 /s/sip:\\\\1@example\.com!/sip:\\\\1@evil.example.com!/' \
    "$SIGNED" >"$TAMPERED"
act=$(diff "$SIGNED" "$TAMPERED" | grep -c '^>')
check "fixture: exactly one record changed in the tampered copy" "1" "$act"
if command -v ldns-verify-zone >/dev/null 2>&1; then
    check_cmd "fixture: ldns-verify-zone: the zone file Knot signed verifies under the anchor" \
        ldns-verify-zone -k "$TA" "$SIGNED"
    act=$(ldns-verify-zone -k "$TA" "$TAMPERED" 2>&1 | grep -c 'Bogus DNSSEC signature for 3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa.')
    check "fixture: ldns-verify-zone: the tampered NAPTR RRset is bogus" "1" "$act"
fi
start_knot tampered "e164.arpa=$TAMPERED,presigned"
TP=${KNOT_PORT[tampered]}
act=$(kq "$TP" +dnssec NAPTR 3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa | grep -Ec 'evil\.example\.com|RRSIG[[:space:]]*NAPTR')
check "fixture: the tampered zone is served with the old RRSIG" "2" "$act"
act=$(kq "$UP" +dnssec NAPTR 3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa | grep -c 'RRSIG')
check "fixture: the plain zone has no RRSIG" "0" "$act"

require_enumq

RFC6116_EXAMPLE='100 50 sip sip:+441632960083@example.com
100 51 h323 h323:operator@example.com
100 52 email:mailto mailto:info@example.com'

# --- secure ------------------------------------------------------------------------
S=(--server "127.0.0.1:$SP")
q "${S[@]}" --dnssec validate --trust-anchor "$TA" +441632960083
expect_rc 0 "signed zone, --dnssec validate: exit 0"
expect_out "$RFC6116_EXAMPLE" "signed zone, --dnssec validate: the results"
q "${S[@]}" --json --dnssec validate --trust-anchor "$TA" +441632960083
expect_json '.dnssec' "secure" "signed zone, validate: dnssec secure"
expect_json '[.results[].dnssec] | unique | join(" ")' "secure" "signed zone, validate: every result secure"
expect_json '.status' "ok" "signed zone, validate: status ok"

q "${S[@]}" --dnssec require --trust-anchor "$TA" +441632960083
expect_rc 0 "signed zone, --dnssec require: exit 0"
expect_out "$RFC6116_EXAMPLE" "signed zone, --dnssec require: the results"
q "${S[@]}" --json --dnssec require --trust-anchor "$TA_DS" +441632960083
expect_rc 0 "signed zone, --dnssec require, DS trust anchor: exit 0"
expect_json '.dnssec' "secure" "signed zone, DS trust anchor: dnssec secure"

q "${S[@]}" --json --dnssec require --trust-anchor "$TA" +441632960041
expect_rc 0 "signed zone, chain of non-terminals, require: exit 0"
expect_json "$JQ_LINES" "100 10 sip sip:441632960041@chain.example.com" "signed zone, chain of non-terminals: the result"
expect_json '.results[0].dnssec' "secure" "signed zone, chain of non-terminals: secure"

q "${S[@]}" --json --dnssec require --trust-anchor "$TA" --service esx +432221234567890
expect_rc 0 "signed zone, enum: redirect, require: exit 0"
expect_json "$JQ_LINES" "10 10 esx sip:esx@example.org" "signed zone, enum: redirect: the result"
expect_json '.dnssec' "secure" "signed zone, enum: redirect: secure"

# A secure denial is not a DNSSEC failure, and it is secure. Two NXDOMAIN
# proofs: for +4416329600831 the closest encloser is an existing name (the
# domain of +441632960083); for +441632960999 it is an empty non-terminal
# (0.6.9.2.3.6.1.4.4.e164.arpa., the +441632960 prefix), so the wildcard
# denied is *.0.6.9.2.3.6.1.4.4.e164.arpa. (RFC 4035 section 5.4).
for n in +4416329600831 +441632960999; do
    expect_failure nxdomain 1 "$n" "${S[@]}" --dnssec require --trust-anchor "$TA"
    q "${S[@]}" --json --dnssec require --trust-anchor "$TA" "$n"
    expect_json '.dnssec' "secure" "signed zone, NXDOMAIN proven by NSEC ($n): dnssec secure"
done
expect_failure no-naptr 1 +441632960060 "${S[@]}" --dnssec require --trust-anchor "$TA"

# --dnssec off: no validation, nothing is secure
q "${S[@]}" --json --dnssec off --trust-anchor "$TA" +441632960083
expect_rc 0 "signed zone, --dnssec off: exit 0"
expect_json '.dnssec' "insecure" "signed zone, --dnssec off: dnssec insecure"

# --- insecure ----------------------------------------------------------------------
S=(--server "127.0.0.1:$UP")
q "${S[@]}" --dnssec validate +441632960083
expect_rc 0 "unsigned zone, --dnssec validate without anchor: exit 0"
expect_out "$RFC6116_EXAMPLE" "unsigned zone, --dnssec validate: the results"
q "${S[@]}" --json --dnssec validate +441632960083
expect_json '.dnssec' "insecure" "unsigned zone, validate: dnssec insecure"
expect_json '[.results[].dnssec] | unique | join(" ")' "insecure" "unsigned zone, validate: every result insecure"
expect_failure insecure 4 +441632960083 "${S[@]}" --dnssec require
q "${S[@]}" --json --dnssec require +441632960083
expect_json '.dnssec' "insecure" "unsigned zone, require: dnssec insecure"

# Under a trust anchor, an unsigned answer cannot be insecure: it is bogus.
expect_failure bogus 4 +441632960083 "${S[@]}" --dnssec validate --trust-anchor "$TA"

# --- bogus -------------------------------------------------------------------------
S=(--server "127.0.0.1:$TP")
q "${S[@]}" --dnssec off +441632960083
expect_rc 0 "tampered zone, --dnssec off: exit 0"
expect_out_has "100 50 sip sip:+441632960083@evil.example.com" "tampered zone, --dnssec off: the tampered record is served"
expect_failure bogus 4 +441632960083 "${S[@]}" --dnssec validate --trust-anchor "$TA"
q "${S[@]}" --json --dnssec validate --trust-anchor "$TA" +441632960083
expect_json '.dnssec' "bogus" "tampered zone: dnssec bogus"
expect_out_lacks "evil.example.com" "tampered zone: the tampered URI is not reported"
expect_failure bogus 4 +441632960083 "${S[@]}" --dnssec require --trust-anchor "$TA_DS"
expect_failure bogus 4 +441632960083 "${S[@]}" --dnssec validate --trust-anchor "$TA" --service h323
q "${S[@]}" --json --dnssec require --trust-anchor "$TA" +441632960001
expect_rc 0 "tampered zone, an untouched RRset: exit 0"
expect_json '.dnssec' "secure" "tampered zone, an untouched RRset: secure"

ef_done
