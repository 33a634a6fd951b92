#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The unit tests and the tools under valgrind (a build without sanitizers):
# no invalid access, no leak at shutdown.
#   valgrind.sh BUILD_DIR
set -eu
build=$1
src=$(cd "$(dirname "$0")/.." && pwd)
export EF_TEST_DATA="$src/tests/data"
vg="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
fails=0
run() {
    if $vg "$@" >/dev/null 2>"$build/valgrind.log"; then
        echo "ok valgrind: $*"
    else
        rc=$?
        if [ "$rc" -eq 99 ]; then
            echo "not ok valgrind: $*"
            cat "$build/valgrind.log"
            fails=$((fails + 1))
        else
            echo "ok valgrind: $* (exit $rc, memory clean)"
        fi
    fi
}
for t in "$build"/test_*; do
    run "$t"
done
zones="--zone $src/examples/e164.zone --zone $src/examples/example.zone --zone $src/examples/example-org.zone"
# shellcheck disable=SC2086
run "$build/enumq" $zones --resolve --trace +441632960083
# shellcheck disable=SC2086
run "$build/enumq" $zones --json --service esx +432221234567890
run "$build/enumq" "+44 16a2"
run "$build/sipmsg" check --respond "$src"/tests/data/sip/rfc4475/*.dat
run "$build/enumsvc" check-type im voice:tel E2U-x Foo
run "$build/enumsvc" check "$src/tests/data/templates/iana-enum-services.xml" "$src/tests/data/templates/attack-billion-laughs.xml"
db=$(mktemp -d)
run "$build/enumsvc" registry --db "$db/r.db" import "$src/tests/data/templates/iana-enum-services.xml"
run "$build/enumsvc" registry --db "$db/r.db" export --format html
run "$build/enumsvc" registry --db "$db/r.db" show email:mailto
rm -rf "$db"
run "$build/enumsvc" lint-zone --json "$src/tests/data/lint/mistakes.zone"
run "$build/sipmsg" dump --json "$src/tests/data/sip/corpus/notify-presence-pidf.sip"
[ "$fails" -eq 0 ]
