# shellcheck shell=bash
# SPDX-License-Identifier: BSD-2-Clause
#
# lib.sh -- shared by the integration tests (tests/integration/test_*.sh).
#
#   . "$(dirname "$0")/lib.sh"
#   ef_init NAME DEADLINE_SECONDS
#
# Environment (set by CTest, see CMakeLists.txt):
#   EF_SRC  the repository root          (default: this file's ../..)
#   ENUMQ   the enumq binary to test     (default: $EF_SRC/build/enumq)
#
# What it provides:
#   - a private temporary directory ($EF_TMP), removed on exit together with
#     every process started here (Knot, the black hole, the watchdog);
#   - a watchdog: the script bails out after DEADLINE_SECONDS;
#   - free_port, start_knot / stop_knot (Knot DNS on 127.0.0.1 only),
#     start_blackhole (a UDP+TCP port that reads queries and never answers);
#   - q: run enumq once (bounded by $EF_CMD_TIMEOUT seconds), keeping its
#     stdout ($OUT), stderr ($ERR), exit status ($RC) and run time ($MS);
#   - TAP output: ok / not_ok / check / expect_* ; ef_done prints the plan
#     and exits non-zero when any check failed. A failed check prints the
#     command, the expected and the actual value as TAP diagnostics ("# ").
#
# Needs: bash, coreutils (timeout, mktemp), iproute2 (ss), knot (knotd,
# knotc), knot-dnsutils (kdig), jq, python3 (the black hole).

set -u
set -o pipefail
# (so grep -q below reads here-strings, not pipes: with pipefail, the writer's
# SIGPIPE when grep stops at the first match would count as a failure)

EF_SRC=${EF_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ENUMQ=${ENUMQ:-$EF_SRC/build/enumq}
EF_ZONES=$EF_SRC/tests/data/zones
EF_CMD_TIMEOUT=${EF_CMD_TIMEOUT:-15}

EF_N=0           # checks run
EF_FAILED=0      # checks failed
EF_TMP=
EF_NAME=
EF_WATCHDOG=
EF_CHILD=        # the enumq (timeout) process currently running
EF_PIDS=()       # background processes to kill on exit
EF_USED_PORTS=" "
# shellcheck disable=SC2034 # KNOT_PORT is read by the test scripts
declare -A KNOT_PORT=() KNOT_PID=() KNOT_DIR=()

OUT='' ERR='' RC='' MS='' EF_CMD=''

# ---------------------------------------------------------------------------
# setup and teardown
# ---------------------------------------------------------------------------

ef_init() {
    EF_NAME=$1
    local deadline=${2:-55}

    EF_TMP=$(mktemp -d "${TMPDIR:-/tmp}/enumfed-$EF_NAME.XXXXXX") || {
        echo "Bail out! mktemp failed"
        exit 1
    }
    trap ef_cleanup EXIT
    trap 'ef_abort "interrupted"' INT TERM HUP

    # The watchdog: a subshell that sleeps, then tells the script to stop. It
    # kills its own sleep when it is stopped, so no process keeps our stdout.
    (
        sp=
        trap '[ -n "$sp" ] && kill "$sp" 2>/dev/null; exit 0' TERM
        sleep "$deadline" &
        sp=$!
        wait "$sp"
        echo "# $EF_NAME: deadline of $deadline s exceeded"
        kill -USR1 $$ 2>/dev/null
    ) &
    EF_WATCHDOG=$!
    trap 'ef_abort "deadline exceeded"' USR1

    local tool
    for tool in knotd knotc kdig jq ss timeout; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "Bail out! $tool is not installed"
            exit 1
        fi
    done
}

ef_abort() {
    trap - INT TERM HUP USR1
    echo "not ok $((EF_N + 1)) - $EF_NAME did not finish: $1"
    echo "Bail out! $1"
    EF_N=$((EF_N + 1))
    EF_FAILED=$((EF_FAILED + 1))
    exit 1
}

ef_cleanup() {
    local rc=$?
    local pid
    trap - EXIT INT TERM HUP USR1
    if [ -n "$EF_CHILD" ]; then
        kill "$EF_CHILD" 2>/dev/null
        wait "$EF_CHILD" 2>/dev/null
    fi
    for pid in "${EF_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${EF_PIDS[@]}"; do
        ef_wait_gone "$pid"
    done
    if [ -n "$EF_WATCHDOG" ]; then
        kill "$EF_WATCHDOG" 2>/dev/null
        wait "$EF_WATCHDOG" 2>/dev/null
    fi
    if [ -n "$EF_TMP" ] && [ -d "$EF_TMP" ]; then
        if [ -n "${EF_KEEP_TMP:-}" ]; then
            echo "# kept $EF_TMP"
        else
            rm -rf "$EF_TMP"
        fi
    fi
    exit "$rc"
}

# Wait up to 5 s for a process of ours to end, then kill it hard.
ef_wait_gone() {
    local pid=$1 i
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# ef_done: print the plan; the exit status says whether every check passed.
ef_done() {
    echo "1..$EF_N"
    if [ "$EF_FAILED" -ne 0 ]; then
        echo "# $EF_NAME: $EF_FAILED of $EF_N checks failed"
        exit 1
    fi
    exit 0
}

# ---------------------------------------------------------------------------
# TAP
# ---------------------------------------------------------------------------

ok() {
    EF_N=$((EF_N + 1))
    echo "ok $EF_N - $*"
}

# not_ok DESCRIPTION [DIAGNOSTIC LINE...]
not_ok() {
    local desc=$1 line
    shift
    EF_N=$((EF_N + 1))
    EF_FAILED=$((EF_FAILED + 1))
    echo "not ok $EF_N - $desc"
    for line in "$@"; do
        printf '%s\n' "$line" | sed 's/^/#   /'
    done
}

# Names used elsewhere for the same helpers.
fail() { not_ok "$@"; }
expect_output() { expect_out "$@"; }
expect_exit() { expect_rc "$@"; }

# The standard diagnostics of a failed check on the last enumq run.
ef_diag() { # EXPECTED ACTUAL
    local lines=("command:  $EF_CMD" "exit:     $RC  (${MS} ms)")
    lines+=("expected:" "$(printf '%s' "$1" | sed 's/^/    /')")
    lines+=("actual:" "$(printf '%s' "$2" | sed 's/^/    /')")
    if [ -n "$ERR" ] && [ "$2" != "$ERR" ]; then
        lines+=("stderr:" "$(printf '%s' "$ERR" | head -n 20 | sed 's/^/    /')")
    fi
    printf '%s\n' "${lines[@]}"
}

# check DESCRIPTION EXPECTED ACTUAL: pass when equal.
check() {
    local desc=$1 exp=$2 act=$3
    if [ "$exp" == "$act" ]; then
        ok "$desc"
    else
        local d
        mapfile -t d < <(ef_diag "$exp" "$act")
        not_ok "$desc" "${d[@]}"
    fi
}

# check_cmd DESCRIPTION CMD...: pass when the command succeeds (for fixtures).
check_cmd() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then
        ok "$desc"
    else
        not_ok "$desc" "command:  $*" "output:" "$(printf '%s' "$out" | head -n 30 | sed 's/^/    /')"
    fi
}

# ---------------------------------------------------------------------------
# running enumq
# ---------------------------------------------------------------------------

# q ARGS...: run enumq; sets OUT, ERR, RC, MS and EF_CMD.
q() {
    local t0 t1
    EF_CMD="enumq$(printf ' %q' "$@")"
    t0=$(date +%s%N)
    timeout -k 2 "$EF_CMD_TIMEOUT" "$ENUMQ" "$@" >"$EF_TMP/q.out" 2>"$EF_TMP/q.err" </dev/null &
    EF_CHILD=$!
    wait "$EF_CHILD"
    RC=$?
    EF_CHILD=
    t1=$(date +%s%N)
    MS=$(((t1 - t0) / 1000000))
    OUT=$(cat "$EF_TMP/q.out")
    ERR=$(cat "$EF_TMP/q.err")
    if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
        not_ok "enumq ended within $EF_CMD_TIMEOUT s" "command:  $EF_CMD" "it was killed after ${MS} ms"
    fi
    return 0
}

expect_rc() { # EXPECTED_RC DESCRIPTION
    local exp=$1 desc=$2
    if [ "$RC" == "$exp" ]; then
        ok "$desc"
    else
        local d
        mapfile -t d < <(ef_diag "exit status $exp" "exit status $RC; stdout:
$OUT")
        not_ok "$desc" "${d[@]}"
    fi
}

# expect_out EXPECTED DESCRIPTION: stdout is exactly EXPECTED (final newline
# ignored).
expect_out() {
    check "$2" "$1" "$OUT"
}

# expect_out_set EXPECTED DESCRIPTION: the same lines, in any order.
expect_out_set() {
    local exp act
    exp=$(printf '%s\n' "$1" | LC_ALL=C sort)
    act=$(printf '%s\n' "$OUT" | LC_ALL=C sort)
    if [ "$exp" == "$act" ]; then
        ok "$2"
    else
        local d
        mapfile -t d < <(ef_diag "(any order)
$1" "$OUT")
        not_ok "$2" "${d[@]}"
    fi
}

# expect_line N EXPECTED DESCRIPTION: line N (1-based) of stdout.
expect_line() {
    local act
    act=$(printf '%s\n' "$OUT" | sed -n "${1}p")
    check "$3" "$2" "$act"
}

# expect_out_match ERE DESCRIPTION: the whole stdout matches the ERE (grep -Ez).
expect_out_match() {
    if grep -Eqz -- "$1" < <(printf '%s' "$OUT"); then
        ok "$2"
    else
        local d
        mapfile -t d < <(ef_diag "stdout matching the ERE $1" "$OUT")
        not_ok "$2" "${d[@]}"
    fi
}

# expect_out_has LINE DESCRIPTION: stdout has this exact line.
expect_out_has() {
    if grep -Fxq -- "$1" <<<"$OUT"; then
        ok "$2"
    else
        local d
        mapfile -t d < <(ef_diag "a line: $1" "$OUT")
        not_ok "$2" "${d[@]}"
    fi
}

# expect_out_lacks STRING DESCRIPTION: stdout does not contain STRING.
expect_out_lacks() {
    if grep -Fq -- "$1" <<<"$OUT"; then
        local d
        mapfile -t d < <(ef_diag "no \"$1\" anywhere" "$OUT")
        not_ok "$2" "${d[@]}"
    else
        ok "$2"
    fi
}

expect_out_empty() {
    check "$1" "" "$OUT"
}

# expect_err_line PREFIX DESCRIPTION: stderr is exactly one line, starting
# with PREFIX (fixed string).
expect_err_line() {
    local n
    n=$(printf '%s' "$ERR" | grep -c '')
    if [ "$n" -eq 1 ] && [ "${ERR#"$1"}" != "$ERR" ]; then
        ok "$2"
    else
        local d
        mapfile -t d < <(ef_diag "one stderr line beginning with: $1" "$ERR")
        not_ok "$2" "${d[@]}"
    fi
}

# expect_json JQ_FILTER EXPECTED DESCRIPTION: `jq -r FILTER` on stdout.
expect_json() {
    local filter=$1 exp=$2 desc=$3 act
    if ! act=$(printf '%s' "$OUT" | jq -r "$filter" 2>&1); then
        act="(jq failed: $act) stdout was:
$OUT"
    fi
    if [ "$exp" == "$act" ]; then
        ok "$desc"
    else
        local d
        mapfile -t d < <(ef_diag "jq '$filter' -> $exp" "$act")
        not_ok "$desc" "${d[@]}"
    fi
}

# The results of --json output as "ORDER PREFERENCE SERVICES URI" lines.
# shellcheck disable=SC2034 # used by the test scripts
JQ_LINES='[.results[] | "\(.order) \(.preference) \(.services | join("+")) \(.uri)"] | join("\n")'

# expect_failure KIND RC INPUT ARGS...: enumq ARGS... INPUT fails with this
# error kind: exit RC, nothing on stdout, one stderr line
# "enumq: INPUT: KIND: ..."; and with --json: exit RC, status KIND, no results.
expect_failure() {
    local kind=$1 rc=$2 input=$3
    shift 3
    q "$@" "$input"
    expect_rc "$rc" "$input $*: exit $rc ($kind)"
    expect_out_empty "$input $*: nothing on stdout ($kind)"
    expect_err_line "enumq: $input: $kind: " "$input $*: one line \"enumq: INPUT: $kind: ...\" on stderr"
    q --json "$@" "$input"
    expect_rc "$rc" "$input --json $*: exit $rc ($kind)"
    expect_json '.status' "$kind" "$input --json $*: status $kind"
    expect_json '.results | length' "0" "$input --json $*: no results"
}

# ---------------------------------------------------------------------------
# ports, Knot, black hole
# ---------------------------------------------------------------------------

# free_port: a port that nothing listens on, over UDP or TCP, on any address.
free_port() {
    local base p
    base=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    for ((p = base; p < base + 500; p++)); do
        case $EF_USED_PORTS in *" $p "*) continue ;; esac
        if ss -Hlnu "( sport = :$p )" 2>/dev/null | grep -q . ||
            ss -Hlnt "( sport = :$p )" 2>/dev/null | grep -q .; then
            continue
        fi
        EF_USED_PORTS="$EF_USED_PORTS$p "
        echo "$p"
        return 0
    done
    return 1
}

# kq PORT ARGS...: kdig against 127.0.0.1@PORT, one try, short timeout.
kq() {
    local port=$1
    shift
    kdig @127.0.0.1 -p "$port" +timeout=1 +retry=0 "$@"
}

# start_knot NAME SPEC...: start a Knot DNS instance called NAME.
#   SPEC = DOMAIN=FILE[,TEMPLATE]
#   FILE      a file of tests/data/zones/, or an absolute path
#   TEMPLATE  default | signed | presigned (see knot.conf.in), or broken: the
#             default template, for a zone whose file fails to load (we then
#             wait for SERVFAIL instead of its SOA)
# Sets KNOT_PORT[NAME], KNOT_PID[NAME], KNOT_DIR[NAME]. Returns when every
# zone answers (signed zones: with their DNSKEY RRset signed).
start_knot() {
    local name=$1
    shift
    local dir=$EF_TMP/knot-$name port spec domain file tmpl i
    port=$(free_port) || {
        echo "Bail out! no free port"
        exit 1
    }
    mkdir -p "$dir/run" "$dir/db" "$dir/zones"
    sed -e "s|{{DIR}}|$dir|g" -e "s|{{PORT}}|$port|g" "$EF_ZONES/knot.conf.in" >"$dir/knot.conf"
    for spec in "$@"; do
        domain=${spec%%=*}
        file=${spec#*=}
        tmpl=default
        case $file in *,*)
            tmpl=${file#*,}
            file=${file%%,*}
            ;;
        esac
        case $file in /*) ;; *) file=$EF_ZONES/$file ;; esac
        cp "$file" "$dir/zones/$domain.zone"
        {
            echo "  - domain: $domain"
            echo "    file: \"$dir/zones/$domain.zone\""
            if [ "$tmpl" = broken ]; then
                echo "    template: default"
            else
                echo "    template: $tmpl"
            fi
        } >>"$dir/knot.conf"
    done

    knotd -c "$dir/knot.conf" >"$dir/knotd.out" 2>&1 &
    KNOT_PID[$name]=$!
    # shellcheck disable=SC2034 # read by the test scripts
    KNOT_PORT[$name]=$port
    KNOT_DIR[$name]=$dir
    EF_PIDS+=("$!")

    for spec in "$@"; do
        domain=${spec%%=*}
        tmpl=default
        case $spec in *,*) tmpl=${spec##*,} ;; esac
        for i in $(seq 100); do
            if ! kill -0 "${KNOT_PID[$name]}" 2>/dev/null; then
                echo "Bail out! knotd ($name) died; its log:"
                sed 's/^/# /' "$dir/knotd.log" "$dir/knotd.out" 2>/dev/null | tail -n 30
                exit 1
            fi
            case $tmpl in
            broken)
                kq "$port" SOA "$domain" 2>/dev/null | grep -q 'status: SERVFAIL' && break ;;
            signed)
                kq "$port" +dnssec DNSKEY "$domain" 2>/dev/null | grep -q 'RRSIG.*DNSKEY' && break ;;
            *)
                kq "$port" +short SOA "$domain" 2>/dev/null | grep -q . && break ;;
            esac
            sleep 0.1
        done
        if [ "$i" -ge 100 ]; then
            echo "Bail out! knotd ($name) does not serve $domain after 10 s; its log:"
            sed 's/^/# /' "$dir/knotd.log" 2>/dev/null | tail -n 30
            exit 1
        fi
    done
    echo "# knotd '$name' on 127.0.0.1@$port serves:$(printf ' %s' "${@%%=*}")"
}

# knotc_ NAME ARGS...: knotc on that instance's control socket.
knotc_() {
    local name=$1
    shift
    knotc -c "${KNOT_DIR[$name]}/knot.conf" "$@"
}

stop_knot() {
    local name=$1
    kill "${KNOT_PID[$name]}" 2>/dev/null
    ef_wait_gone "${KNOT_PID[$name]}"
}

# start_blackhole: a server on 127.0.0.1@BLACKHOLE_PORT, UDP and TCP, that
# reads every query and never answers (TCP connections are accepted and held
# open). It ends by itself after 120 s in case nobody stops it.
start_blackhole() {
    if ! command -v python3 >/dev/null 2>&1; then
        echo "Bail out! python3 is not installed"
        exit 1
    fi
    BLACKHOLE_PORT=$(free_port)
    cat >"$EF_TMP/blackhole.py" <<'PY'
import select, socket, sys, time
port = int(sys.argv[1])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", port))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.1", port))
t.listen(16)
conns = []
end = time.time() + 120
while time.time() < end:
    r, _, _ = select.select([u, t] + conns, [], [], 1.0)
    for s in r:
        if s is u:
            u.recvfrom(65535)
        elif s is t:
            c, _ = t.accept()
            conns.append(c)
        else:
            try:
                d = s.recv(65535)
            except OSError:
                d = b""
            if not d:
                conns.remove(s)
                s.close()
PY
    python3 "$EF_TMP/blackhole.py" "$BLACKHOLE_PORT" >"$EF_TMP/blackhole.log" 2>&1 &
    EF_PIDS+=("$!")
    local i
    for i in $(seq 50); do
        ss -Hlnu "( sport = :$BLACKHOLE_PORT )" | grep -q . &&
            ss -Hlnt "( sport = :$BLACKHOLE_PORT )" | grep -q . && return 0
        sleep 0.1
    done
    echo "Bail out! the black hole does not listen on $BLACKHOLE_PORT"
    exit 1
}

# require_enumq: the rest of the script needs the binary.
require_enumq() {
    if [ -x "$ENUMQ" ]; then
        ok "enumq binary: $ENUMQ"
        return 0
    fi
    not_ok "enumq binary exists" "ENUMQ=$ENUMQ is not an executable file"
    ef_done
}
