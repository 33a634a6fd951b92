#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# test_enum_knot.sh -- enumq against a real Knot DNS server (unsigned zones):
# ordering and selection, the NAPTR fields, non-terminal rules, enum: URIs,
# the error kinds and their exit codes, im:/pres:/sip: location, suffixes,
# bad input. The zones and what each record exercises are in
# tests/data/zones/*.zone; the numbers used below are documented there.
#
# TAP on stdout; exit status 0 only when every check passed.

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
ef_init test_enum_knot 50

start_knot main \
    e164.arpa=e164.arpa.zone \
    example.com=example.com.zone \
    example.net=example.net.zone \
    enum.example=enum.example.zone \
    9.9.9.6.9.2.3.6.1.4.4.e164.arpa=broken.zone,broken
P=${KNOT_PORT[main]}
S=(--server "127.0.0.1:$P")
start_blackhole

# --- the fixtures themselves (kdig) -----------------------------------------
act=$(kq "$P" +short NAPTR 3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa | LC_ALL=C sort)
check "fixture: Knot serves the RFC 6116 section 4 NAPTRs" \
    '100 50 "u" "E2U+sip" "!^(\\+441632960083)$!sip:\\1@example.com!" .
100 51 "u" "E2U+h323" "!^\\+441632960083$!h323:operator@example.com!" .
100 52 "u" "E2U+email:mailto" "!^.*$!mailto:info@example.com!" .' "$act"
act=$(kq "$P" NAPTR 1.9.9.9.6.9.2.3.6.1.4.4.e164.arpa | grep -o 'status: [A-Z]*')
check "fixture: Knot answers SERVFAIL in the zone that failed to load" "status: SERVFAIL" "$act"
act=$(kq "$P" NAPTR 9.9.9.0.6.9.2.3.6.1.4.4.e164.arpa | grep -o 'status: [A-Z]*')
check "fixture: Knot answers NXDOMAIN for +441632960999" "status: NXDOMAIN" "$act"
act=$(kq "$BLACKHOLE_PORT" NAPTR 3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa 2>&1 | grep -c 'status:')
check "fixture: the black hole on port $BLACKHOLE_PORT never answers (UDP)" "0" "$act"
act=$(kq "$BLACKHOLE_PORT" +tcp NAPTR 3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa 2>&1 | grep -c 'status:')
check "fixture: the black hole never answers (TCP)" "0" "$act"

require_enumq

RFC6116_EXAMPLE='100 50 sip sip:+441632960083@example.com
100 51 h323 h323:operator@example.com
100 52 email:mailto mailto:info@example.com'

# --- 1. RFC 6116 section 4; ORDER/PREFERENCE (RFC 6116 section 5.2) ------------
q "${S[@]}" +441632960083
expect_rc 0 "RFC 6116 sec. 4 example: exit 0"
expect_out "$RFC6116_EXAMPLE" "RFC 6116 sec. 4 example: three results, sorted, back-reference to the AUS"

for input in "tel:+44-1632-960083" "enum:+441632960083;x=y" "+44 1632 960083" "+44-1632-960.083"; do
    q "${S[@]}" "$input"
    expect_rc 0 "input '$input': exit 0"
    expect_out "$RFC6116_EXAMPLE" "input '$input': same results as +441632960083"
done

q "${S[@]}" --service sip +441632960083
expect_out "100 50 sip sip:+441632960083@example.com" "--service sip selects the sip rule"
q "${S[@]}" --service email:mailto +441632960083
expect_out "100 52 email:mailto mailto:info@example.com" "--service email:mailto (exact type:subtype)"
q "${S[@]}" --service email +441632960083
expect_out "100 52 email:mailto mailto:info@example.com" "--service email (a type matches any subtype)"
q "${S[@]}" --service h323 --service email +441632960083
expect_out "100 51 h323 h323:operator@example.com
100 52 email:mailto mailto:info@example.com" "--service repeated: either service"

q "${S[@]}" --json +441632960083
expect_rc 0 "--json: exit 0"
expect_json '.status' "ok" "--json: status ok"
expect_json '.number' "+441632960083" "--json: number as given"
expect_json '.aus' "+441632960083" "--json: aus"
expect_json '.dnssec' "insecure" "--json: dnssec insecure (no trust anchor)"
expect_json '.bad_records' "0" "--json: no bad records"
expect_json '.queries >= 1' "true" "--json: queries counted"
expect_json "$JQ_LINES" "$RFC6116_EXAMPLE" "--json: the same three results"
expect_json '[.results[].domain] | unique | join(" ")' "3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa." "--json: the domain of the results"
expect_json '[.results[].dnssec] | unique | join(" ")' "insecure" "--json: per-result dnssec insecure"
expect_json '.results[0].order | type' "number" "--json: order is a number"
expect_json '.results[2].services | tojson' '["email:mailto"]' "--json: services is an array of lowercase strings"

q "${S[@]}" --json "tel:+44-1632-960083"
expect_json '.number' "tel:+44-1632-960083" "--json tel: input: number is the input as given"
expect_json '.aus' "+441632960083" "--json tel: input: aus"

q "${S[@]}" --trace +441632960083
expect_rc 0 "--trace: exit 0"
expect_out "$RFC6116_EXAMPLE" "--trace: stdout unchanged"
act=$(printf '%s\n' "$ERR" | grep -vc '^;; ')
check "--trace: every stderr line begins with ';; '" "0" "$act"
act=$(printf '%s' "$ERR" | grep -c '^;; ')
check "--trace: explains something" "true" "$([ "$act" -gt 0 ] && echo true || echo "false ($act lines)")"

# records provisioned out of order
q "${S[@]}" +441632960001
expect_rc 0 "out-of-order RRset: exit 0"
expect_out "100 10 sip sip:p10@example.com
100 20 email:mailto mailto:p20@example.com
100 30 sip sip:p30@example.com" "out-of-order RRset: sorted by PREFERENCE within the lowest ORDER (ORDER major)"
q "${S[@]}" --all +441632960001
expect_out "100 10 sip sip:p10@example.com
100 20 email:mailto mailto:p20@example.com
100 30 sip sip:p30@example.com
200 10 sip sip:order200@example.com
300 5 im im:order300@example.com" "--all: every ORDER, ORDER major and PREFERENCE minor"

# the lowest ORDER that matches ends the search
q "${S[@]}" +441632960002
expect_out "10 10 email:mailto mailto:low@example.com" "lowest ORDER (10) only"
q "${S[@]}" --service sip +441632960002
expect_rc 0 "--service sip: the ORDER 10 rule does not match, exit 0"
expect_out "20 10 sip sip:mid@example.com" "--service sip: ORDER 20 matches and ends the search (ORDER 30 not used)"
q "${S[@]}" --service im +441632960002
expect_out "20 20 im im:mid@example.com" "--service im: the im rule of ORDER 20"
q "${S[@]}" --service sip --all +441632960002
expect_out "20 10 sip sip:mid@example.com
30 10 sip sip:high@example.com" "--service sip --all: higher ORDERs too"
q "${S[@]}" --all +441632960002
expect_out "10 10 email:mailto mailto:low@example.com
20 10 sip sip:mid@example.com
20 20 im im:mid@example.com
30 10 sip sip:high@example.com" "--all: all four"

# ties: the set, after the PREFERENCE 5 record
q "${S[@]}" +441632960003
expect_line 1 "100 5 sip sip:first@example.com" "ties: the better PREFERENCE first"
expect_out_set "100 5 sip sip:first@example.com
100 10 sip sip:tie-a@example.com
100 10 sip sip:tie-b@example.com
100 10 sip sip:tie-c@example.com" "ties: all three equal records accepted"

# --- 2. Services, Flags, Regexp -----------------------------------------------
q "${S[@]}" +441632960010
expect_out "100 10 voice:tel+sms:tel tel:+441632960010
100 20 sip sip:n10@example.com" "compound NAPTR: services joined by '+', left to right"
for svc in sms sms:tel voice voice:tel SMS; do
    q "${S[@]}" --service "$svc" +441632960010
    expect_rc 0 "compound NAPTR, --service $svc: exit 0"
    # Which Enumservices the line lists for a compound record selected by one
    # of them is not fixed by the contract: the record's, or the matching one.
    expect_out_match '^100 10 (voice:tel\+sms:tel|sms:tel|voice:tel) tel:\+441632960010$' \
        "compound NAPTR, --service $svc: the compound rule, only it"
done
q "${S[@]}" --json --service sms +441632960010
expect_json '.results | length' "1" "compound NAPTR, --json --service sms: one result"
expect_json 'any(.results[0].services[]; . == "sms:tel")' "true" "compound NAPTR, --json --service sms: services include sms:tel"
expect_failure no-match 1 +441632960010 "${S[@]}" --service sms:mms

q "${S[@]}" +441632960011
expect_rc 0 "tel: result: exit 0"
expect_out "100 10 voice:tel tel:+441632960012" "tel: result returned as is"
q "${S[@]}" --json +441632960011
expect_json '.queries' "1" "tel: result: not re-submitted (one query)"
expect_out_lacks "should-not-appear" "tel: result: the tel: number's own records not used"

q "${S[@]}" --service sip +441632960020
expect_rc 0 "case: flags \"U\", services \"e2u+SIP\": exit 0"
expect_out "100 10 sip sip:MixedCase@Example.COM" "case: matched case-insensitively, lowercase services, Repl case kept"
q "${S[@]}" --service SIP +441632960020
expect_out "100 10 sip sip:MixedCase@Example.COM" "case: --service SIP"

q "${S[@]}" --service sip +441632960021
expect_rc 0 "obsolete \"sip+E2U\": exit 0"
expect_out "100 10 sip sip:old@example.com" "obsolete \"sip+E2U\" (RFC 2916 form) supported"

q "${S[@]}" +441632960022
expect_rc 0 "non-E2U records in the RRset: exit 0"
expect_out "100 10 sip sip:e2u@example.com" "non-E2U records (\"SIP+D2U\", flags s and u) ignored"
q "${S[@]}" --json +441632960022
expect_json '.bad_records' "0" "non-E2U records are not bad records"

q "${S[@]}" +441632960023
expect_out "100 20 sip sip:public@example.com" "P- Enumservice discarded by default"
q "${S[@]}" --private +441632960023
expect_out "100 10 p-pbx sip:pbx@private.example
100 20 sip sip:public@example.com" "--private: P- Enumservice accepted"
expect_failure no-match 1 +441632960024 "${S[@]}"
q "${S[@]}" --private +441632960024
expect_rc 0 "only a P- record, --private: exit 0"
expect_out "100 10 p-pbx sip:pbx-only@private.example" "only a P- record, --private: it is the result"

q "${S[@]}" +441632960025
expect_rc 0 "unknown flags: exit 0"
expect_out "100 10 sip sip:flag-u@example.com" "records with flags \"x\" and \"s\" skipped"

q "${S[@]}" +441632960026
expect_rc 0 "terminal rule with Regexp and Replacement: exit 0"
expect_out "100 10 sip sip:good@example.com" "terminal rule with Regexp and Replacement skipped"
q "${S[@]}" --json +441632960026
expect_json '.bad_records' "1" "terminal rule with Regexp and Replacement counted as a bad record"
expect_json '.status' "ok" "terminal rule with Regexp and Replacement: status ok"

q "${S[@]}" +441632960030
expect_rc 0 "substitution expressions: exit 0"
expect_out_has "100 10 sip sip:960030@slash.example.com" "delimiter '/', back-reference \\3"
expect_out_has "100 20 sip sip:hash@example.com" "delimiter '#'"
expect_out_has "100 30 sip sip:at@example.com" "delimiter '@', escaped in the Repl"
expect_out_has "100 40 sip sip:bang!@example.com" "escaped '!' in the Repl"
expect_out_has "100 50 sip sip:960030@ICASE.example.com" "trailing 'i' flag accepted"
expect_out_has "100 60 sip sip:069236144-444@many.example.com" "nine groups, eleven back-references"
expect_out_lacks "zero.example.com" "\\0 back-reference: record skipped"
expect_out "100 10 sip sip:960030@slash.example.com
100 20 sip sip:hash@example.com
100 30 sip sip:at@example.com
100 40 sip sip:bang!@example.com
100 50 sip sip:960030@ICASE.example.com
100 60 sip sip:069236144-444@many.example.com" "substitution expressions: the six good rules, in order"
q "${S[@]}" --json +441632960030
expect_json '.bad_records' "1" "\\0 back-reference counted as a bad record"

expect_failure bad-record 1 +441632960031 "${S[@]}"
q "${S[@]}" --json +441632960031
expect_json '.bad_records' "4" "malformed-only RRset: four bad records"

# --- 3. non-terminal NAPTRs (RFC 6116 section 5.2.1) ---------------------------
q "${S[@]}" +441632960040
expect_rc 0 "non-terminal: exit 0"
expect_out "100 10 sip sip:441632960040@nt-a.example.com" "non-terminal followed; the Regexp there applied to the original AUS"
q "${S[@]}" --json +441632960040
expect_json '.results[0].domain' "nt-a.e164.arpa." "non-terminal: the result's domain is the target"
expect_json '.queries >= 2' "true" "non-terminal: at least two queries"

q "${S[@]}" +441632960041
expect_rc 0 "chain of three non-terminals: exit 0"
expect_out "100 10 sip sip:441632960041@chain.example.com" "chain of three non-terminals followed"
q "${S[@]}" --service sip +441632960041
expect_out "100 10 sip sip:441632960041@chain.example.com" "chain, --service sip: Services of a non-terminal ignored"
q "${S[@]}" --json +441632960041
expect_json '.results[0].domain' "nt-chain3.e164.arpa." "chain: result found at the end of the chain"

expect_failure loop 1 +441632960042 "${S[@]}"
check "non-terminal loop A->B->A: ends quickly (< 5 s)" "true" "$([ "$MS" -lt 5000 ] && echo true || echo "false: $MS ms")"

q "${S[@]}" +441632960043
expect_rc 0 "non-terminal to a missing domain: exit 0"
expect_out "100 20 sip sip:fallback@example.com" "non-terminal to a missing domain skipped, next rule used"

q "${S[@]}" +441632960044
expect_rc 0 "non-terminal to a domain whose rules are all discarded: exit 0"
expect_out "100 20 sip sip:after-bad@example.com" "non-terminal to a domain whose rules are all discarded: next rule of the referring RRset"
q "${S[@]}" +441632960045
expect_rc 0 "non-terminal with a Regexp: exit 0"
expect_out "100 10 sip sip:441632960045@nt-a.example.com" "non-terminal with a Regexp: Regexp ignored, Replacement followed"
q "${S[@]}" +441632960046
expect_rc 0 "non-terminal with an empty Replacement: exit 0"
expect_out "100 20 sip sip:after-empty@example.com" "non-terminal with an empty Replacement discarded, next rule used"

# --- 4. enum: URIs (draft-brandner-enum-uri-01) --------------------------------
q "${S[@]}" --service esx +432221234567890
expect_rc 0 "enum: redirect (draft sec. 3.2.2), --service esx: exit 0"
expect_out "10 10 esx sip:esx@example.org" "enum: redirect followed: the esx result of +4311234567890"
q "${S[@]}" --json --service esx +432221234567890
expect_json '.aus' "+432221234567890" "enum: redirect: aus is the number asked for"
expect_json '.results[0].domain' "0.9.8.7.6.5.4.3.2.1.1.3.4.e164.arpa." "enum: redirect: result from the domain of +4311234567890"
expect_out_lacks "enum:" "enum: redirect: the enum: URI itself is not a result"
q "${S[@]}" +432221234567890
expect_rc 0 "enum: redirect, no --service: exit 0"
expect_out "10 10 esx sip:esx@example.org
10 20 im im:bob@example.org" "enum: redirect, no --service: the results of +4311234567890"
expect_failure no-match 1 +432221234567890 "${S[@]}" --service im
q "${S[@]}" enum:+4311234567890
expect_out "10 10 esx sip:esx@example.org
10 20 im im:bob@example.org" "enum: URI as input"

expect_failure loop 1 +441632960050 "${S[@]}"
expect_failure loop 1 +441632960051 "${S[@]}"
check "enum: loop A->B->A ends quickly (< 5 s)" "true" "$([ "$MS" -lt 5000 ] && echo true || echo "false: $MS ms")"

# --- 5. error kinds -------------------------------------------------------------
expect_failure nxdomain 1 +441632960999 "${S[@]}"
expect_failure no-naptr 1 +441632960060 "${S[@]}"
expect_failure no-match 1 +441632960061 "${S[@]}" --service im
expect_failure servfail 3 +441632969991 "${S[@]}"
expect_failure timeout 3 +441632960083 --server "127.0.0.1:$BLACKHOLE_PORT" --timeout 500
check "timeout: --timeout 500 ends within 5 s" "true" "$([ "$MS" -lt 5000 ] && echo true || echo "false: $MS ms")"

# --- 6. im:, pres:, --resolve ---------------------------------------------------
q "${S[@]}" --service im +441632960070
expect_rc 0 "E2U+im: exit 0"
expect_out "100 10 im im:alice@example.com" "E2U+im yields the im: URI (RFC 5028)"
q "${S[@]}" --service pres +441632960070
expect_out "100 20 pres pres:alice@example.com" "E2U+pres yields the pres: URI"

q "${S[@]}" --service im --resolve +441632960070
expect_rc 0 "im: --resolve: exit 0"
expect_out "100 10 im im:alice@example.com
  -> tcp im1.example.com. 5060 192.0.2.11
  -> tcp im2.example.com. 5062 192.0.2.12" "im: located via _im._sip._tcp SRV, priority order (RFC 3861)"
q "${S[@]}" --json --service im --resolve +441632960070
expect_json '[.results[0].targets[] | "\(.transport) \(.host) \(.port) \(.address)"] | join("\n")' \
    "tcp im1.example.com. 5060 192.0.2.11
tcp im2.example.com. 5062 192.0.2.12" "im: --resolve --json: targets"
expect_json '.results[0].targets[0].port | type' "number" "--json: target port is a number"

q "${S[@]}" --service pres --resolve +441632960070
expect_rc 0 "pres: --resolve: exit 0"
expect_line 1 "100 20 pres pres:alice@example.com" "pres: --resolve: the result line first"
expect_line 2 "  -> tcp pres0.example.com. 5064 192.0.2.20" "pres: priority 5 target first"
expect_out_set "100 20 pres pres:alice@example.com
  -> tcp pres0.example.com. 5064 192.0.2.20
  -> tcp pres1.example.com. 5065 192.0.2.21
  -> tcp pres2.example.com. 5066 192.0.2.22" "pres: the two weighted priority-10 targets follow"

q "${S[@]}" --service sip --resolve +441632960070
expect_out "100 30 sip sip:alice@example.com
  -> tcp sip1.example.com. 5060 192.0.2.31
  -> tcp sip2.example.com. 5070 192.0.2.32" "sip: no NAPTR, _sip._tcp SRV in priority order (RFC 3263)"

q "${S[@]}" --service sip --resolve +441632960071
expect_rc 0 "sip: A fallback: exit 0"
expect_out "100 20 sip sip:carol@a-only.example.com
  -> udp a-only.example.com. 5060 192.0.2.40" "sip: no NAPTR, no SRV: the A record, UDP port 5060 (RFC 3263 sec. 4)"
q "${S[@]}" --json --service im --resolve +441632960071
expect_json '[.results[0].targets[] | "\(.host) \(.address)"] | join("\n")' \
    "a-only.example.com. 192.0.2.40" "im: no SRV: the A record as an implicit SRV (RFC 3861 sec. 4)"
echo "# im: A fallback target reported as: $(printf '%s' "$OUT" | jq -c '.results[0].targets' 2>/dev/null)"

q "${S[@]}" --json --service im --resolve +441632960072
expect_json '[.results[0].targets[] | "\(.host) \(.port) \(.address)"] | join("\n")' \
    "im.example.net. 5061 192.0.2.50" "im: located via the RFC 3861 name _im._sip.example.net"
q "${S[@]}" --service sip --resolve +441632960072
expect_out "100 20 sip sip:erin@example.net
  -> tcp sip.example.net. 5080 192.0.2.51" "sip: NAPTR SIP+D2T -> SRV -> A (RFC 3263 sec. 4.1)"
expect_out_lacks "stray" "sip: an SRV record no NAPTR names is not used"

# --- suffixes ------------------------------------------------------------------
q "${S[@]}" --suffix e164.arpa --suffix enum.example +441632960083
expect_out "$RFC6116_EXAMPLE" "--suffix e164.arpa --suffix enum.example: the first suffix wins"
q "${S[@]}" --suffix enum.example --suffix e164.arpa +441632960083
expect_out "100 10 sip sip:second-suffix@example.com" "--suffix enum.example --suffix e164.arpa: the first suffix wins"
q "${S[@]}" --suffix e164.arpa --suffix enum.example +441632960080
expect_rc 0 "number only under the second suffix: exit 0"
expect_out "100 10 sip sip:only-second@example.com" "number only under the second suffix: its result"
q "${S[@]}" --json --suffix e164.arpa --suffix enum.example +441632960080
expect_json '.results[0].domain' "0.8.0.0.6.9.2.3.6.1.4.4.enum.example." "second suffix: the result's domain"
expect_failure nxdomain 1 +441632960001 "${S[@]}" --suffix enum.example.

# --- 9. bad input ----------------------------------------------------------------
for input in "+44 16a2" "441632960083" "+4416329600831234" "tel:1632960083;phone-context=+44" "+" ""; do
    q "${S[@]}" "$input"
    expect_rc 2 "bad input '$input': exit 2"
    expect_out_empty "bad input '$input': nothing on stdout"
    expect_err_line "enumq: " "bad input '$input': one line on stderr"
done
q "${S[@]}" --json "+44 16a2"
expect_rc 2 "bad input with --json: exit 2"
for args in "--no-such-option +441632960083" "--dnssec sometimes +441632960083" "--timeout soon +441632960083" \
    "--service bad!service +441632960083"; do
    # shellcheck disable=SC2086
    q "${S[@]}" $args
    expect_rc 2 "usage error '$args': exit 2"
    expect_out_empty "usage error '$args': nothing on stdout"
    act=$(printf '%s' "$ERR" | grep -c '')
    check "usage error '$args': a message on stderr" "true" "$([ "$act" -ge 1 ] && echo true || echo false)"
done
q
expect_rc 2 "no argument: exit 2"
q --help
expect_rc 0 "--help: exit 0"
expect_out_match '--service' "--help lists the options"
q --version
expect_rc 0 "--version: exit 0"
expect_out_match '[0-9]+\.[0-9]+' "--version prints a version"

ef_done
