#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Runs every libFuzzer target for a bounded time over its seed corpus and
# dictionary. New inputs go to a temporary directory, never into the tree.
#   run.sh BUILD_DIR [SECONDS_PER_TARGET]
set -eu
build=$1
secs=${2:-20}
src=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LSAN_OPTIONS="suppressions=$src/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fails=0
for bin in "$build"/fuzz_*; do
    name=${bin##*/fuzz_}
    mkdir -p "$work/$name"
    dict=""
    [ -f "$src/$name.dict" ] && dict="-dict=$src/$name.dict"
    # Seeds kept with the test data too (the SIP torture messages and traffic corpus).
    seeds="$src/corpus/$name"
    [ "$name" = sip ] && seeds="$seeds $src/../data/sip/rfc4475 $src/../data/sip/corpus"
    # shellcheck disable=SC2086
    if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/" $dict "$work/$name" $seeds \
        >"$work/$name.log" 2>&1; then
        echo "ok fuzz_$name: $(grep -E 'stat::number_of_executed_units' "$work/$name.log" | awk '{print $2}') runs, no finding"
    else
        echo "not ok fuzz_$name"
        tail -40 "$work/$name.log"
        fails=$((fails + 1))
    fi
done
[ "$fails" -eq 0 ]
