#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# test_offline.sh -- enumq --zone FILE: master zone files loaded into the
# resolver, no DNS server.
#
#   1. the test zones of tests/data/zones/ answer offline as documented there;
#   2. the same questions asked to Knot DNS serving the same files give the
#      same output and exit status;
#   3. a zone file signed offline (ldns-keygen + ldns-signzone, ldnsutils) with
#      --trust-anchor is secure; a tampered copy is bogus; an unsigned file
#      under --dnssec require is insecure.
#
# TAP on stdout; exit status 0 only when every check passed.

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ef_init test_offline 50

Z=$EF_ZONES
ZE=(--zone "$Z/e164.arpa.zone")
ZALL=(--zone "$Z/e164.arpa.zone" --zone "$Z/example.com.zone" --zone "$Z/example.net.zone")

# --- fixture: a zone file signed offline ---------------------------------------------
SIGN=$EF_TMP/sign
mkdir -p "$SIGN"
KSK='' ZSK=''
if command -v ldns-keygen >/dev/null 2>&1 && command -v ldns-signzone >/dev/null 2>&1; then
    KSK=$(cd "$SIGN" && ldns-keygen -a ECDSAP256SHA256 -k e164.arpa 2>/dev/null)
    ZSK=$(cd "$SIGN" && ldns-keygen -a ECDSAP256SHA256 e164.arpa 2>/dev/null)
    (cd "$SIGN" && ldns-signzone -o e164.arpa. -f "$SIGN/e164.arpa.signed" "$Z/e164.arpa.zone" "$KSK" "$ZSK") \
        >"$SIGN/signzone.log" 2>&1
fi
SIGNED=$SIGN/e164.arpa.signed
TA=$SIGN/$KSK.key
TA_DS=$SIGN/$KSK.ds
act=$(grep -Ec 'RRSIG[[:space:]]+NAPTR' "$SIGNED" 2>/dev/null)
check "fixture: e164.arpa.zone signed with ldns-signzone (ECDSA P-256)" "true" \
    "$([ "${act:-0}" -gt 20 ] && echo true || echo "false: ${act:-no} RRSIG NAPTR; $(cat "$SIGN/signzone.log" 2>/dev/null)")"
act=$(grep -c 'DNSKEY[[:space:]]*257 3 13 ' "$TA" 2>/dev/null)
check "fixture: trust anchor = the KSK (DNSKEY 257) in zone-file format" "1" "$act"
TAMPERED=$SIGN/e164.arpa.tampered
sed -e '/^3\.8\.0\.0\.6\.9\.2\.3\.6\.1\.4\.4\.e164\.arpa\.[[:space:]].*NAPTR[[:space:]]*100 50 /s/sip:\\\\1@example\.com!/sip:\\\\1@evil.example.com!/' \
    "$SIGNED" >"$TAMPERED"
act=$(diff "$SIGNED" "$TAMPERED" | grep -c '^>')
check "fixture: exactly one record changed in the tampered copy" "1" "$act"
if command -v ldns-verify-zone >/dev/null 2>&1; then
    act=$(ldns-verify-zone -k "$TA" "$TAMPERED" 2>&1 | grep -c 'Bogus DNSSEC signature for 3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa.')
    check "fixture: ldns-verify-zone: the tampered NAPTR RRset is bogus" "1" "$act"
fi

require_enumq

RFC6116_EXAMPLE='100 50 sip sip:+441632960083@example.com
100 51 h323 h323:operator@example.com
100 52 email:mailto mailto:info@example.com'

# --- 1. offline answers -------------------------------------------------------------
q "${ZE[@]}" +441632960083
expect_rc 0 "offline: RFC 6116 sec. 4 example: exit 0"
expect_out "$RFC6116_EXAMPLE" "offline: RFC 6116 sec. 4 example"
q "${ZE[@]}" --json +441632960083
expect_json '.status' "ok" "offline --json: status ok"
expect_json '[.results[].domain] | unique | join(" ")' "3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa." "offline --json: domain"
expect_json '.dnssec' "insecure" "offline, unsigned, no anchor: insecure"

q "${ZE[@]}" +441632960001
expect_out "100 10 sip sip:p10@example.com
100 20 email:mailto mailto:p20@example.com
100 30 sip sip:p30@example.com" "offline: ORDER/PREFERENCE sort"
q "${ZE[@]}" --service sip +441632960002
expect_out "20 10 sip sip:mid@example.com" "offline: the lowest matching ORDER"
q "${ZE[@]}" +441632960030
expect_out "100 10 sip sip:960030@slash.example.com
100 20 sip sip:hash@example.com
100 30 sip sip:at@example.com
100 40 sip sip:bang!@example.com
100 50 sip sip:960030@ICASE.example.com
100 60 sip sip:069236144-444@many.example.com" "offline: substitution expressions"
q "${ZE[@]}" +441632960041
expect_out "100 10 sip sip:441632960041@chain.example.com" "offline: chain of non-terminals"
q "${ZE[@]}" +441632960043
expect_out "100 20 sip sip:fallback@example.com" "offline: non-terminal to a missing domain skipped"
q "${ZE[@]}" --service esx +432221234567890
expect_out "10 10 esx sip:esx@example.org" "offline: enum: redirect"
q "${ZE[@]}" +441632960011
expect_out "100 10 voice:tel tel:+441632960012" "offline: tel: result not re-submitted"

expect_failure nxdomain 1 +441632960999 "${ZE[@]}"
expect_failure no-naptr 1 +441632960060 "${ZE[@]}"
expect_failure no-match 1 +441632960061 "${ZE[@]}" --service im
expect_failure loop 1 +441632960042 "${ZE[@]}"
expect_failure loop 1 +441632960051 "${ZE[@]}"
expect_failure bad-record 1 +441632960031 "${ZE[@]}"

q "${ZALL[@]}" --service im --resolve +441632960070
expect_out "100 10 im im:alice@example.com
  -> tcp im1.example.com. 5060 192.0.2.11
  -> tcp im2.example.com. 5062 192.0.2.12" "offline --resolve: im: via SRV, priority order"
q "${ZALL[@]}" --service sip --resolve +441632960072
expect_out "100 20 sip sip:erin@example.net
  -> tcp sip.example.net. 5080 192.0.2.51" "offline --resolve: sip: NAPTR -> SRV -> A"

# --- 3. DNSSEC offline ------------------------------------------------------------------
q --zone "$SIGNED" --dnssec validate --trust-anchor "$TA" +441632960083
expect_rc 0 "offline signed zone, validate: exit 0"
expect_out "$RFC6116_EXAMPLE" "offline signed zone, validate: the results"
q --zone "$SIGNED" --json --dnssec require --trust-anchor "$TA" +441632960083
expect_rc 0 "offline signed zone, require: exit 0"
expect_json '.dnssec' "secure" "offline signed zone + --trust-anchor (DNSKEY): secure"
expect_json '[.results[].dnssec] | unique | join(" ")' "secure" "offline signed zone: every result secure"
q --zone "$SIGNED" --json --dnssec require --trust-anchor "$TA_DS" +441632960083
expect_rc 0 "offline signed zone, DS anchor, require: exit 0"
expect_json '.dnssec' "secure" "offline signed zone + --trust-anchor (DS): secure"
# Secure NXDOMAIN: the closest encloser is an existing name (+4416329600831).
n=+4416329600831
expect_failure nxdomain 1 "$n" --zone "$SIGNED" --dnssec require --trust-anchor "$TA"
q --zone "$SIGNED" --json --dnssec require --trust-anchor "$TA" "$n"
expect_json '.dnssec' "secure" "offline signed zone, NXDOMAIN proven by NSEC ($n): dnssec secure"
# Known limitation of libunbound 1.17's auth-zone (the offline loader), not of
# the zone: when the closest encloser is an empty non-terminal
# (0.6.9.2.3.6.1.4.4.e164.arpa. for +441632960999) it proves "no wildcard" at the
# apex instead of at that name (RFC 4035 §3.1.3.2), and the validator rightly
# calls the answer bogus. The same zone served by Knot gives a secure NXDOMAIN
# (test_dnssec_knot.sh). This check records today's behaviour; when libunbound
# is fixed it fails, and the expectation above should cover this number too.
expect_failure bogus 4 +441632960999 --zone "$SIGNED" --dnssec require --trust-anchor "$TA"
expect_failure bogus 4 +441632960083 --zone "$TAMPERED" --dnssec validate --trust-anchor "$TA"
q --zone "$TAMPERED" --json --dnssec require --trust-anchor "$TA" +441632960001
expect_rc 0 "offline tampered zone, an untouched RRset: exit 0"
expect_json '.dnssec' "secure" "offline tampered zone, an untouched RRset: secure"
expect_failure insecure 4 +441632960083 "${ZE[@]}" --dnssec require

# --- the demo zones of examples/ (the README's first commands) -------------------------
X=$EF_SRC/examples
q --zone "$X/e164.zone" +441632960083
expect_rc 0 "examples/e164.zone: exit 0"
expect_out "100 10 im im:alice@example.com
100 20 pres pres:alice@example.com
100 30 sip sip:alice@example.com
100 40 voice:tel+sms:tel tel:+441632960083" "examples/e164.zone: Alice's four rules"
q --zone "$X/e164.zone" --zone "$X/example.zone" --resolve +441632960083
expect_out "100 10 im im:alice@example.com
  -> tls edge.example.com. 5061 127.0.0.1
  -> tcp edge.example.com. 5060 127.0.0.1
100 20 pres pres:alice@example.com
  -> tls edge.example.com. 5061 127.0.0.1
  -> tcp edge.example.com. 5060 127.0.0.1
100 30 sip sip:alice@example.com
  -> tls edge.example.com. 5061 127.0.0.1
  -> tcp edge.example.com. 5060 127.0.0.1
100 40 voice:tel+sms:tel tel:+441632960083" "examples: Alice's URIs located at edge.example.com (tel: is not located)"
q --zone "$X/e164.zone" --zone "$X/example-org.zone" --resolve +432221234567890
expect_rc 0 "examples: the enum: redirect: exit 0"
expect_out "10 10 esx sip:bob@example.org
  -> tcp edge.example.org. 5060 127.0.0.1
10 20 im im:bob@example.org
  -> tcp edge.example.org. 5060 127.0.0.1" "examples: +432221234567890 redirected by enum: to Bob (+4311234567890)"

# --- 2. offline = Knot ------------------------------------------------------------------
start_knot main e164.arpa=e164.arpa.zone example.com=example.com.zone example.net=example.net.zone
S=(--server "127.0.0.1:${KNOT_PORT[main]}")
same() { # DESCRIPTION ARGS...: --server and --zone give the same exit status and stdout
    local desc=$1 rc_s out_s cmd_s
    shift
    q "${S[@]}" "$@"
    rc_s=$RC out_s=$OUT cmd_s=$EF_CMD
    q "${ZALL[@]}" "$@"
    if [ "$rc_s" == "$RC" ] && [ "$(printf '%s\n' "$out_s" | LC_ALL=C sort)" == "$(printf '%s\n' "$OUT" | LC_ALL=C sort)" ]; then
        ok "offline = Knot: $desc"
    else
        local d
        mapfile -t d < <(ef_diag "(as $cmd_s) exit $rc_s:
$out_s" "$OUT")
        not_ok "offline = Knot: $desc" "${d[@]}"
    fi
}
same "+441632960083" +441632960083
same "+441632960001 --all" --all +441632960001
same "+441632960003 (ties, as a set)" +441632960003
same "+441632960010 --service sms" --service sms +441632960010
same "+441632960022 (non-E2U)" +441632960022
same "+441632960026 (Regexp and Replacement)" +441632960026
same "+441632960030 (substitutions)" +441632960030
same "+441632960040 (non-terminal)" +441632960040
same "+441632960043 (non-terminal to nowhere)" +441632960043
same "+432221234567890 (enum: redirect)" +432221234567890
same "+441632960999 (nxdomain)" +441632960999
same "+441632960060 (no-naptr)" +441632960060
same "+441632960042 (loop)" +441632960042
same "+441632960070 --service im --resolve" --service im --resolve +441632960070
same "+441632960071 --resolve" --resolve +441632960071

ef_done
