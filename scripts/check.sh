#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Every test: installs what is needed, builds with -Wall -Wextra -Werror and
# ASan+UBSan, runs the unit and integration tests (CTest), a short run of every
# fuzz target over its corpus, valgrind on the tools, and the format check.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh test
fails=0
step() { echo "== $*"; }

step "build (ASan+UBSan, -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug -DEF_WERROR=ON -DEF_SANITIZE=ON >/dev/null
cmake --build build -j"$(nproc)"

step "unit and integration tests"
(cd build && ctest --output-on-failure --timeout 300) || fails=$((fails + 1))

step "fuzz targets (clang, libFuzzer)"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DEF_FUZZ=ON -DEF_TESTS=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
sh tests/fuzz/run.sh build-fuzz "${EF_FUZZ_SECONDS:-20}" || fails=$((fails + 1))

step "valgrind (no sanitizers)"
cmake -S . -B build-vg -DCMAKE_BUILD_TYPE=Debug -DEF_TESTS=ON >/dev/null
cmake --build build-vg -j"$(nproc)" >/dev/null
sh tests/valgrind.sh build-vg || fails=$((fails + 1))

step "clang-format"
if git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror; then
    echo "formatted"
else
    fails=$((fails + 1))
fi

if [ "$fails" -ne 0 ]; then
    echo "check: $fails step(s) failed"
    exit 1
fi
echo "check: all steps passed"
