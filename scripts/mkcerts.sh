#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# mkcerts.sh -- certificates for testing enumfedd's mutual TLS (RFC 5922 §7).
# Makes a test CA in DIR when it is missing (DIR/ca.pem, DIR/ca.key) and, for
# each DOMAIN, an EC P-256 key and a certificate signed by that CA
# (DIR/DOMAIN.key, DIR/DOMAIN.crt) naming the domain the way RFC 5922 §7.1
# reads it: subjectAltName URI:sip:DOMAIN and DNS:DOMAIN, CN=DOMAIN. Options
# make the odd certificates tests need. Existing files are kept, so running it
# again changes nothing (--force reissues the domain certificates). Offline;
# needs only the openssl command.
#
# usage: mkcerts.sh [options] DIR DOMAIN...
#   --ca NAME        sign with CA NAME (DIR/NAME.pem, DIR/NAME.key; made if missing)
#   --expired        a validity period wholly in the past (2020-2021)
#   --san-only-dns   subjectAltName without the sip URI: DNS:DOMAIN only
#   --cn-only        no subjectAltName at all, only CN=DOMAIN
#   --dns NAME       add DNS:NAME to subjectAltName (repeatable; '*.x' for wildcards)
#   --uri URI        add URI:URI to subjectAltName (repeatable)
#   --cn NAME        CN=NAME instead of CN=DOMAIN
#   --force          reissue domain certificates that exist
set -eu

usage() {
    echo "usage: mkcerts.sh [--ca NAME] [--expired] [--san-only-dns | --cn-only]" >&2
    echo "                  [--dns NAME]... [--uri URI]... [--cn NAME] [--force] DIR DOMAIN..." >&2
    exit 2
}

ca=ca
expired=no
mode=full
extra=
cn=
force=no
while [ $# -gt 0 ]; do
    case $1 in
    --ca) [ $# -ge 2 ] || usage; ca=$2; shift 2 ;;
    --expired) expired=yes; shift ;;
    --san-only-dns) mode=dns; shift ;;
    --cn-only) mode=cn; shift ;;
    --dns) [ $# -ge 2 ] || usage; extra="$extra, DNS:$2"; shift 2 ;;
    --uri) [ $# -ge 2 ] || usage; extra="$extra, URI:$2"; shift 2 ;;
    --cn) [ $# -ge 2 ] || usage; cn=$2; shift 2 ;;
    --force) force=yes; shift ;;
    --) shift; break ;;
    -*) usage ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || usage
dir=$1
shift
if [ "$mode" = cn ] && [ -n "$extra" ]; then
    echo "mkcerts.sh: --cn-only takes no --dns or --uri" >&2
    exit 2
fi

mkdir -p "$dir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkcerts.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
umask 077

# One private config: the system openssl.cnf must not add extensions of its own.
cat >"$tmp/openssl.cnf" <<EOF
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $tmp/index.txt
new_certs_dir = $tmp
serial = $tmp/serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ policy_any ]
commonName = supplied
EOF
: >"$tmp/index.txt"
echo 01 >"$tmp/serial"

cacert=$dir/$ca.pem
cakey=$dir/$ca.key
if [ ! -s "$cacert" ] || [ ! -s "$cakey" ]; then
    openssl req -x509 -config "$tmp/openssl.cnf" -extensions v3_ca \
        -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$cakey" -out "$cacert" -days 3650 \
        -subj "/CN=enumfed test CA $ca" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    chmod 644 "$cacert"
fi

for domain in "$@"; do
    crt=$dir/$domain.crt
    key=$dir/$domain.key
    if [ "$force" = no ] && [ -s "$crt" ] && [ -s "$key" ]; then
        continue
    fi
    {
        echo "[ leaf ]"
        echo "basicConstraints = critical, CA:false"
        echo "keyUsage = critical, digitalSignature"
        echo "extendedKeyUsage = serverAuth, clientAuth"
        echo "subjectKeyIdentifier = hash"
        echo "authorityKeyIdentifier = keyid"
        case $mode in
        full) echo "subjectAltName = URI:sip:$domain, DNS:$domain$extra" ;;
        dns) echo "subjectAltName = DNS:$domain$extra" ;;
        cn) ;;
        esac
    } >"$tmp/leaf.cnf"
    if [ "$expired" = yes ]; then
        validity="-startdate 200101000000Z -enddate 210101000000Z"
    else
        validity="-days 825"
    fi
    openssl req -new -config "$tmp/openssl.cnf" \
        -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$tmp/leaf.key" -out "$tmp/leaf.csr" -subj "/CN=${cn:-$domain}" \
        2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    # shellcheck disable=SC2086 # $validity is two or four words
    openssl ca -batch -config "$tmp/openssl.cnf" -notext -rand_serial \
        -cert "$cacert" -keyfile "$cakey" -in "$tmp/leaf.csr" -out "$tmp/leaf.crt" \
        -extfile "$tmp/leaf.cnf" -extensions leaf $validity \
        2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    mv "$tmp/leaf.key" "$key"
    chmod 644 "$tmp/leaf.crt"
    mv "$tmp/leaf.crt" "$crt"
done
