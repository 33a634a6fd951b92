#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Installs the Debian 12 packages enumfed builds and tests with. Runs as root;
# only asks apt for what is missing, so a second run costs nothing.
#   deps.sh build   - what building and the demo need
#   deps.sh test    - that, plus the peers and tools of the tests
#   deps.sh bench   - that, plus the peers the benchmarks compare with
set -eu

build="build-essential cmake pkg-config libunbound-dev libevent-dev libknot-dev libxml2-dev libsqlite3-dev libssl-dev libconfig-dev openssl sip-tester python3 dns-root-data"
test="$build clang libclang-rt-14-dev knot knot-dnsutils ldnsutils jq valgrind python3 clang-format iproute2 libosip2-dev libsofia-sip-ua-dev baresip-core"
bench="$test kamailio kamailio-tls-modules kamailio-presence-modules"

case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
bench) want=$bench ;;
*) echo "usage: deps.sh build|test|bench" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
# knot's package starts a system knotd; the tests start their own on free ports.
systemctl disable --now knot >/dev/null 2>&1 || true
systemctl disable --now kamailio >/dev/null 2>&1 || true
