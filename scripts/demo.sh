#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The demo: installs what is needed, builds, and resolves the numbers of the
# bundled example zones offline (no DNS server): a number to im:, pres: and
# sip: URIs with the servers that take them, and an enum: redirect followed.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh build
cmake -S . -B build-demo -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEF_TESTS=OFF >/dev/null
cmake --build build-demo -j"$(nproc)" >/dev/null
enumq() { ./build-demo/enumq --zone examples/e164.zone --zone examples/example.zone \
    --zone examples/example-org.zone "$@"; }

run() {
    echo "\$ enumq $*"
    enumq "$@" || echo "(exit $?)"
    echo
}
run --resolve +44-1632-960083
run --service im --json +441632960083
run --service pres --resolve tel:+44-1632-960083
run --trace --service esx +432221234567890
run --service im enum:+4311234567890
