#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# bench_edge.sh -- enumfedd against Kamailio as a pair of SIP federation edges,
# in one run, on loopback:
#
#   sipp UAC 127.0.20.1:5090 --udp--> edge A 127.0.20.1:5070
#        edge A 127.0.20.1 --mutual TLS--> edge B 127.0.20.2:5061
#        edge B 127.0.20.2:5070 --udp--> sipp UAS 127.0.20.2:5080
#
# For each product (enumfedd with workers = 1 and 2, then Kamailio with
# bench/kamailio/edge.cfg) and each variant (URI: sipp sends to
# sip:bob@b.example, A routes statically to B; ENUM: sipp sends to
# tel:+441632960200 and A resolves it, enumfedd from its offline zone,
# Kamailio with its enum module from Knot DNS via the system resolver):
#
#   1. a fixed rate (5000/s, ENUM 2000/s, for 4 x SECONDS) that both handle:
#      messages relayed, failures, p50/p99/mean response time, and the CPU time per
#      relayed message of each edge, from utime+stime in /proc/PID/stat of
#      every process of the edge (for Kamailio the main process and all its
#      children) before and after;
#   2. rate steps (1000, 2000, 5000, 10000, 20000, 40000 MESSAGE/s, SECONDS
#      each) until the first step with a failure or where sipp cannot keep
#      up: the highest rate passed, and p50/p99 there.
#
# Then the table and the ratios enumfedd / Kamailio. Prints figures, never
# fails on speed; exits non-zero only when it cannot run at all.
#
# usage: bench/bench_edge.sh [SECONDS]      (default 5 s a step, ~10 minutes)
# Environment:
#   ENUMFEDD             the enumfedd binary (default: build build-bench here)
#   EF_BENCH_RATES       the rate steps ("1000 2000 5000 10000 20000 40000")
#   EF_BENCH_FIXED_RATE  the rate of the CPU measurement, URI variant (5000)
#   EF_BENCH_FIXED_RATE_ENUM  the same, ENUM variant (2000)
#   EF_BENCH_WORKERS     enumfedd worker counts measured ("1 2")
#   EF_BENCH_VARIANTS    "uri enum" (default) or one of them
#   EF_BENCH_PRODUCTS    "enumfedd kamailio" (default) or one of them
#   EF_BENCH_KAM_CHILDREN  Kamailio UDP worker processes (-n, default: CPUs)
#   EF_BENCH_KAM_MEM     Kamailio memory manager (-x, default fm; see README)
#   EF_BENCH_KAM_TCP_CHILDREN  Kamailio TCP/TLS workers (default 1, see README)
#   EF_BENCH_KEEP=1      keep the temporary directory (logs, sipp files)
# Needs: sipp, kamailio + kamailio-tls-modules, knotd + kdig, openssl, ss,
# unshare and mount (util-linux; root for the ENUM variant of Kamailio).

set -u
set -o pipefail

STEP=${1:-5}
case $STEP in '' | *[!0-9]*) echo "usage: bench_edge.sh [SECONDS]" >&2; exit 2 ;; esac
[ "$STEP" -ge 2 ] || STEP=2
RATES=${EF_BENCH_RATES:-"1000 2000 5000 10000 20000 40000"}
FIXED_RATE_URI=${EF_BENCH_FIXED_RATE:-5000}
# Kamailio's enum module blocks a worker for each DNS query: 5000/s
# overloads it on a small host, so the ENUM variant's CPU run is slower.
FIXED_RATE_ENUM=${EF_BENCH_FIXED_RATE_ENUM:-2000}
FIXED_SECS=$((STEP * 4))
WORKERS=${EF_BENCH_WORKERS:-"1 2"}
VARIANTS=${EF_BENCH_VARIANTS:-"uri enum"}
PRODUCTS=${EF_BENCH_PRODUCTS:-"enumfedd kamailio"}
KAM_CHILDREN=${EF_BENCH_KAM_CHILDREN:-$(nproc)}
KAM_MEM=${EF_BENCH_KAM_MEM:-fm}
KAM_TCP_CHILDREN=${EF_BENCH_KAM_TCP_CHILDREN:-1}
KAM_SHM=2048
KAM_PKG=64
# A run past this many seconds skips the remaining rate steps.
BUDGET=${EF_BENCH_BUDGET:-$((STEP * 100 + 60))}

SRC=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$SRC/bench
IP_A=127.0.20.1
IP_B=127.0.20.2
IP_DNS=127.0.20.53
TO_URI=sip:bob@b.example
TO_TEL=tel:+441632960200
CLK_TCK=$(getconf CLK_TCK)

for tool in sipp kamailio knotd kdig openssl ss timeout awk; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "bench_edge: $tool is missing (scripts/deps.sh bench installs what is needed)" >&2
        exit 1
    }
done

W=$(mktemp -d "${TMPDIR:-/tmp}/enumfed-bench-edge.XXXXXX") || exit 1
PIDS=""        # every long-running process started here
EDGE_A=""      # main pid of edge A / B of the configuration being measured
EDGE_B=""
UAS=""
cleanup() {
    trap - EXIT INT TERM HUP
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    if [ -n "${EF_BENCH_KEEP:-}" ]; then echo "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'echo "bench_edge: interrupted" >&2; exit 1' INT TERM HUP

say() { printf '%s\n' "$*"; }
die() { echo "bench_edge: $*" >&2; exit 1; }

# ---- build, certificates, zones ---------------------------------------------
if [ -z "${ENUMFEDD:-}" ]; then
    cmake -S "$SRC" -B "$SRC/build-bench" -DCMAKE_BUILD_TYPE=Release -DEF_TESTS=OFF >"$W/build.log" 2>&1 &&
        cmake --build "$SRC/build-bench" -j"$(nproc)" --target enumfedd >>"$W/build.log" 2>&1 ||
        { cat "$W/build.log" >&2; die "build failed"; }
    ENUMFEDD=$SRC/build-bench/enumfedd
fi
[ -x "$ENUMFEDD" ] || die "no enumfedd at $ENUMFEDD"
sh "$SRC/scripts/mkcerts.sh" "$W/certs" a.example b.example >/dev/null || die "mkcerts.sh failed"
mkdir -p "$W/zones"
cp "$SRC/examples/demo/e164.zone" "$W/zones/e164.zone"

# ---- helpers ---------------------------------------------------------------------
# pids of a process and all its children (Kamailio forks its workers from main)
family() {
    local main=$1 d pp
    echo "$main"
    for d in /proc/[0-9]*; do
        pp=$(awk '{sub(/^.*\) /, ""); print $2}' "$d/stat" 2>/dev/null) || continue
        [ "$pp" = "$main" ] && echo "${d#/proc/}"
    done
}
# utime + stime, in clock ticks, of the given processes (all threads of each:
# /proc/PID/stat counts every thread of the process, live or exited)
ticks() {
    local p t=0 v
    for p in "$@"; do
        v=$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat" 2>/dev/null) || continue
        t=$((t + v))
    done
    echo "$t"
}
nprocs() { echo $#; }
nthreads() {
    local p n=0
    for p in "$@"; do n=$((n + $(ls "/proc/$p/task" 2>/dev/null | wc -l))); done
    echo "$n"
}
# wait_listen PROTO(t|u) IP PORT: until something listens there (5 s at most)
wait_listen() {
    local i
    for i in $(seq 50); do
        if [ "$1" = t ]; then
            ss -Hltn "src $2:$3" 2>/dev/null | grep -q . && return 0
        else
            ss -Hlun "src $2:$3" 2>/dev/null | grep -q . && return 0
        fi
        sleep 0.1
    done
    return 1
}
# wait_free IP PORT: the TLS port is free again (5 s at most)
wait_free() {
    local i
    for i in $(seq 50); do
        ss -Hltn "src $1:$2" 2>/dev/null | grep -q . || return 0
        sleep 0.1
    done
    return 1
}
stop_pid() {
    local p=$1 i=0
    [ -n "$p" ] || return 0
    kill "$p" 2>/dev/null
    while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
    PIDS=$(printf '%s\n' $PIDS | grep -vx "$p" | tr '\n' ' ')
}
# column NAME FILE: the value of the statistics column NAME in the last line
# of a sipp statistics file
column() {
    awk -F';' -v name="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
        { last = $0 } END { if (!c || last == "") { print 0; exit } split(last, f, ";"); print f[c] + 0 }' "$2"
}
# rtt_stats DIR: "p50 p99 mean step" of the response times (ms) in DIR/*_rtt.csv
rtt_stats() {
    cat "$1"/*_rtt.csv 2>/dev/null | awk -F';' 'NR > 0 && $1 != "Date_ms" { print $2 }' | sort -n |
        awk '{ v[NR] = $1; s += $1; if ($1 > 0 && (m == "" || $1 < m)) m = $1 }
             END {
                 if (NR == 0) { print "- - - -"; exit }
                 i50 = int(NR * 0.50); if (i50 < NR * 0.50) i50++; if (i50 < 1) i50 = 1
                 i99 = int(NR * 0.99); if (i99 < NR * 0.99) i99++; if (i99 < 1) i99 = 1
                 printf "%d %d %.2f %s\n", v[i50], v[i99], s / NR, (m == "" ? "-" : m)
             }'
}

# ---- the edges ------------------------------------------------------------------
enumfedd_conf() { # SELF PEER SELF_IP PEER_IP WORKERS
    cat <<EOF
domains = [ "$1" ];
workers = $5;
log = { level = "warn"; };
listen = (
  { side = "internal"; transport = "udp"; address = "$3"; port = 5070; },
  { side = "federation"; transport = "tls"; address = "$3"; port = 5061; }
);
internal = { next_hop = "$3:5080;transport=udp"; };
tls = { certificate = "certs/$1.crt"; key = "certs/$1.key"; ca = "certs/ca.pem"; };
federation = {
  peers = ( { domain = "$2"; route = "$4:5061;transport=tls"; } );
};
enum = { zones = [ "zones/e164.zone" ]; dnssec = "off"; };
# no rate limits: the load comes from one sender to one recipient
policy = {
  rate_sender = { rate = 0.0; burst = 1.0; };
  rate_recipient = { rate = 0.0; burst = 1.0; };
  rate_peer = { rate = 0.0; burst = 1.0; };
  rate_trusted_sender = { rate = 0.0; burst = 1.0; };
};
EOF
}

start_enumfedd() { # WORKERS TAG
    local e
    enumfedd_conf a.example b.example $IP_A $IP_B "$1" >"$W/a-$2.conf"
    enumfedd_conf b.example a.example $IP_B $IP_A "$1" >"$W/b-$2.conf"
    for e in b a; do
        "$ENUMFEDD" -t -c "$W/$e-$2.conf" >"$W/$e-$2.check" 2>&1 || {
            cat "$W/$e-$2.check" >&2
            die "enumfedd -t rejects the benchmark configuration"
        }
        "$ENUMFEDD" -c "$W/$e-$2.conf" >"$W/$e-$2.log" 2>&1 &
        PIDS="$PIDS $!"
        if [ $e = a ]; then EDGE_A=$!; else EDGE_B=$!; fi
    done
    wait_listen t $IP_B 5061 && wait_listen t $IP_A 5061 && wait_listen u $IP_A 5070 ||
        { tail -n 20 "$W/a-$2.log" "$W/b-$2.log" >&2; die "enumfedd did not start"; }
}

start_kamailio() { # VARIANT TAG
    local e E args
    for e in b a; do
        E=$(echo $e | tr ab AB)
        mkdir -p "$W/kam-$e-$2"
        args=(-DD -E -f "$BENCH/kamailio/edge.cfg" -Y "$W/kam-$e-$2" -P "$W/kam-$e-$2/pid"
            -m "$KAM_SHM" -M "$KAM_PKG" -x "$KAM_MEM" -n "$KAM_CHILDREN"
            -A "EDGE_$E" -A "TCP_CHILDREN=$KAM_TCP_CHILDREN"
            -A "TLS_CERT=\"$W/certs/$e.example.crt\"" -A "TLS_KEY=\"$W/certs/$e.example.key\""
            -A "TLS_CA=\"$W/certs/ca.pem\"")
        if [ $e = a ] && [ "$1" = enum ]; then
            # a private /etc/resolv.conf, in a mount namespace of its own,
            # naming the Knot DNS server started below; /etc is not touched
            args+=(-A WITH_ENUM)
            unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
                "$W/resolv.conf" kamailio "${args[@]}" >"$W/$e-$2.log" 2>&1 &
        else
            kamailio "${args[@]}" >"$W/$e-$2.log" 2>&1 &
        fi
        PIDS="$PIDS $!"
        if [ $e = a ]; then EDGE_A=$!; else EDGE_B=$!; fi
    done
    wait_listen t $IP_B 5061 && wait_listen t $IP_A 5061 && wait_listen u $IP_A 5070 ||
        { tail -n 20 "$W/a-$2.log" "$W/b-$2.log" >&2; die "kamailio did not start"; }
    sleep 0.5 # its workers start after the sockets
}

start_uas() { # TAG
    mkdir -p "$W/uas-$1"
    (cd "$W/uas-$1" && exec sipp -sf "$SRC/tests/sipp/message_uas.xml" -i $IP_B -p 5080 -nostdin \
        -buff_size 4194304 -trace_stat -stf uas.csv -fd 1 -timeout 1800s >/dev/null 2>&1) &
    UAS=$!
    PIDS="$PIDS $UAS"
    wait_listen u $IP_B 5080 || die "sipp UAS did not start"
}

stop_all() {
    stop_pid "$EDGE_A"
    stop_pid "$EDGE_B"
    stop_pid "$UAS"
    EDGE_A="" EDGE_B="" UAS=""
    wait_free $IP_A 5061
    wait_free $IP_B 5061
}

# ---- one load run ---------------------------------------------------------------
# run_load DIR RATE COUNT TO: sipp UAC sends COUNT MESSAGEs at RATE/s; sets
# R_SENT R_OK R_FAIL R_RETR R_RATE R_P50 R_P99 R_MEAN R_TICK R_WALL
run_load() {
    local dir=$1 rate=$2 count=$3 to=$4 secs t0 t1
    secs=$(((count + rate - 1) / rate))
    mkdir -p "$dir"
    t0=$(date +%s.%N)
    (cd "$dir" && exec timeout -k 2 $((secs + 25)) sipp $IP_A:5070 -sf "$BENCH/sipp/message_uac.xml" \
        -i $IP_A -p 5090 -nostdin -m "$count" -r "$rate" -rp 1000 \
        -key from alice@a.example -key to "$to" -key text "hello from a.example" \
        -buff_size 4194304 -max_recv_loops 10000 -max_sched_loops 10000 \
        -timeout $((secs + 12))s -trace_stat -stf stat.csv -fd 1 \
        -trace_rtt -rtt_freq 1000 -trace_err >sipp.out 2>&1)
    t1=$(date +%s.%N)
    R_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    if [ ! -s "$dir/stat.csv" ]; then
        R_SENT=0 R_OK=0 R_FAIL=$count R_RETR=0 R_RATE=0 R_P50=- R_P99=- R_MEAN=- R_TICK=-
        return
    fi
    R_SENT=$(column TotalCallCreated "$dir/stat.csv")
    R_OK=$(column 'SuccessfulCall(C)' "$dir/stat.csv")
    R_FAIL=$((count - R_OK))
    R_RETR=$(column 'Retransmissions(C)' "$dir/stat.csv")
    R_RATE=$(column 'CallRate(C)' "$dir/stat.csv")
    R_RATE=${R_RATE%.*}
    read -r R_P50 R_P99 R_MEAN R_TICK <<<"$(rtt_stats "$dir")"
}

# failure detail of a run: sipp's failure counters and the first unexpected message
why() { # DIR
    local c v out=""
    for c in FailedMaxUDPRetrans FailedUnexpectedMessage FailedCallRejected FailedTimeoutOnRecv \
        FailedCannotSendMessage FailedOutboundCongestion; do
        v=$(column "$c(C)" "$1/stat.csv" 2>/dev/null)
        [ "${v:-0}" != 0 ] && out="$out $c=$v"
    done
    [ "$R_SENT" -lt "$3" ] && out="$out not-created=$(($3 - R_SENT))"
    v=$(( $3 - R_OK - $(column 'FailedCall(C)' "$1/stat.csv" 2>/dev/null) ))
    [ "$v" -gt 0 ] && out="$out unanswered-at-timeout=$v"
    echo "${out# }"
    if ls "$1"/*_errors.log >/dev/null 2>&1; then
        grep -m1 -E '^ *SIP/2.0 [0-9]{3}' "$1"/*_errors.log | sed 's/^ */      first unexpected response: /'
    fi
}

# ---- one configuration: fixed-rate CPU run, then the rate steps -------------------
# results, by key "VARIANT/TAG": max rate, its p50/p99, fixed-run figures
declare -A RES_MAX RES_MAXP RES_CPU RES_CPUA RES_CPUB RES_NOTE RES_MEAN RES_P50 RES_P99 RES_OKFIX RES_NAME

measure() { # VARIANT TAG NAME
    local variant=$1 tag=$2 key="$1/$2" to dir a0 b0 a1 b1 pa pb n rate count best bestp uas_n sent_total=0 ok_total=0 note=""
    to=$TO_URI FIXED_RATE=$FIXED_RATE_URI
    [ "$variant" = enum ] && to=$TO_TEL FIXED_RATE=$FIXED_RATE_ENUM
    RES_NAME[$key]=$3
    start_uas "$variant-$tag"
    # warm-up: the TLS connection A -> B, caches (not measured)
    run_load "$W/$variant-$tag-warm" 1000 500 "$to"
    sent_total=$((sent_total + R_SENT)); ok_total=$((ok_total + R_OK))
    if [ "$R_OK" -ne 500 ]; then
        say "  warm-up: $R_OK of 500 MESSAGEs answered 200 ($(why "$W/$variant-$tag-warm" 1000 500 | head -n 1))"
    fi
    pa=$(family "$EDGE_A")
    pb=$(family "$EDGE_B")
    # shellcheck disable=SC2086
    say "  edge A: $(nprocs $pa) process(es), $(nthreads $pa) thread(s); edge B: $(nprocs $pb) process(es), $(nthreads $pb) thread(s)"

    # 1. fixed rate, CPU time per relayed message
    count=$((FIXED_RATE * FIXED_SECS))
    dir="$W/$variant-$tag-fixed"
    # shellcheck disable=SC2086
    a0=$(ticks $pa); b0=$(ticks $pb)
    run_load "$dir" "$FIXED_RATE" "$count" "$to"
    # shellcheck disable=SC2086
    a1=$(ticks $pa); b1=$(ticks $pb)
    sent_total=$((sent_total + R_SENT)); ok_total=$((ok_total + R_OK))
    RES_OKFIX[$key]="$R_OK/$count"
    RES_P50[$key]=$R_P50 RES_P99[$key]=$R_P99 RES_MEAN[$key]=$R_MEAN
    if [ "$R_OK" -gt 0 ]; then
        RES_CPUA[$key]=$(awk -v t=$((a1 - a0)) -v n="$R_OK" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
        RES_CPUB[$key]=$(awk -v t=$((b1 - b0)) -v n="$R_OK" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
        RES_CPU[$key]=$(awk -v t=$((a1 - a0 + b1 - b0)) -v n="$R_OK" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
    else
        RES_CPUA[$key]=- RES_CPUB[$key]=- RES_CPU[$key]=-
    fi
    say "  fixed $FIXED_RATE/s x ${FIXED_SECS}s: $R_OK of $count answered 200, retransmissions $R_RETR," \
        "sipp rate ${R_RATE}/s, response p50 $R_P50 p99 $R_P99 mean $R_MEAN ms (sipp clock step ${R_TICK} ms);" \
        "CPU A $(((a1 - a0) * 1000 / CLK_TCK)) ms, B $(((b1 - b0) * 1000 / CLK_TCK)) ms" \
        "= ${RES_CPUA[$key]} + ${RES_CPUB[$key]} = ${RES_CPU[$key]} us/message"
    if [ "$R_FAIL" -gt 0 ]; then
        say "    failures at the fixed rate: $(why "$dir" "$FIXED_RATE" "$count")"
        note="loss at the fixed rate; "
    elif [ "$R_RETR" -gt 0 ] || [ "$R_RATE" -lt $((FIXED_RATE * 9 / 10)) ]; then
        say "    OVERLOADED at the fixed rate: $R_RETR retransmissions, sipp reached ${R_RATE}/s (CPU includes retransmissions)"
        note="overloaded at the fixed rate; "
    fi
    sleep 1

    # 2. rate steps
    best=0 bestp="- -"
    for rate in $RATES; do
        if [ "$SECONDS" -gt "$BUDGET" ]; then
            say "  rate $rate/s: skipped (time budget of $BUDGET s spent)"
            note="${note}steps cut by the time budget; "
            break
        fi
        count=$((rate * STEP))
        dir="$W/$variant-$tag-r$rate"
        run_load "$dir" "$rate" "$count" "$to"
        sent_total=$((sent_total + R_SENT)); ok_total=$((ok_total + R_OK))
        say "  rate $rate/s x ${STEP}s: $R_OK of $count answered 200, failed $R_FAIL, retransmissions $R_RETR," \
            "sipp rate ${R_RATE}/s (wall ${R_WALL}s), response p50 $R_P50 p99 $R_P99 mean $R_MEAN ms"
        if [ "$R_FAIL" -gt 0 ]; then
            say "    failures: $(why "$dir" "$rate" "$count")"
            note="${note}stopped at $rate/s: failures; "
            break
        fi
        if [ "$R_RATE" -lt $((rate * 9 / 10)) ]; then
            say "    sipp reached only ${R_RATE}/s of $rate/s: stopping here"
            note="${note}stopped at $rate/s: sipp could not keep up; "
            break
        fi
        best=$rate
        bestp="$R_P50 $R_P99"
        sleep 1
    done
    RES_MAX[$key]=$best
    RES_MAXP[$key]=$bestp

    # every MESSAGE the UAS received, against what the UAC sent
    sleep 2.2 # the UAS's statistics file is written every second
    uas_n=$(column TotalCallCreated "$W/uas-$variant-$tag/uas.csv" 2>/dev/null)
    say "  UAS received ${uas_n:-?} distinct MESSAGEs; UAC sent $sent_total, $ok_total answered 200"
    if ! kill -0 "$EDGE_A" 2>/dev/null || ! kill -0 "$EDGE_B" 2>/dev/null; then
        say "  AN EDGE EXITED during the run:"
        tail -n 15 "$W/a-$variant-$tag.log" "$W/b-$variant-$tag.log" 2>/dev/null | sed 's/^/    /'
        note="${note}an edge exited; "
    fi
    # warnings and errors the edges logged (both log at warning level here;
    # Kamailio's start-up banner and its notice about OpenSSL bug 1491 left out)
    for e in a b; do
        grep -aiE 'warn|err|crit|alert|emerg|fatal' "$W/$e-$variant-$tag.log" 2>/dev/null |
            grep -av 'openssl bug #1491' >"$W/$e-$variant-$tag.warn"
        n=$(grep -c . "$W/$e-$variant-$tag.warn")
        if [ "$n" -gt 0 ]; then
            say "  edge $(echo $e | tr ab AB) logged $n warning/error line(s); the first and last:"
            { head -n 3 "$W/$e-$variant-$tag.warn"; [ "$n" -gt 6 ] && echo "..."
              [ "$n" -gt 3 ] && tail -n $((n > 6 ? 3 : n - 3)) "$W/$e-$variant-$tag.warn"; } | cut -c1-220 | sed 's/^/    /'
        else
            say "  edge $(echo $e | tr ab AB) logged no warnings or errors"
        fi
    done
    RES_NOTE[$key]=${note%; }
}

# ---- Knot DNS for Kamailio's ENUM lookups ---------------------------------------
KNOT_OK=no
KNOT_WHY=""
start_knot() {
    mkdir -p "$W/knot/run" "$W/knot/db" "$W/knot/zones"
    cp "$SRC/examples/demo/e164.zone" "$W/knot/zones/e164.arpa.zone"
    cat >"$W/knot/knot.conf" <<EOF
server:
    rundir: "$W/knot/run"
    listen: $IP_DNS@53
    udp-workers: 2
    tcp-workers: 1
    background-workers: 1
control:
    listen: "$W/knot/run/knot.sock"
database:
    storage: "$W/knot/db"
log:
  - target: "$W/knot/knotd.log"
    any: warning
template:
  - id: default
    storage: "$W/knot/zones"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: e164.arpa
    file: "$W/knot/zones/e164.arpa.zone"
EOF
    printf 'nameserver %s\noptions attempts:2 timeout:1\n' $IP_DNS >"$W/resolv.conf"
    if ss -Hlun "src $IP_DNS:53" | grep -q .; then
        KNOT_WHY="port $IP_DNS:53 is busy"
        return
    fi
    knotd -c "$W/knot/knot.conf" >"$W/knot/knotd.out" 2>&1 &
    PIDS="$PIDS $!"
    local i
    for i in $(seq 50); do
        if kdig @$IP_DNS +short +timeout=1 +retry=0 NAPTR 0.0.2.0.6.9.2.3.6.1.4.4.e164.arpa 2>/dev/null | grep -q E2U; then
            break
        fi
        sleep 0.1
    done
    if [ "$i" -ge 50 ]; then
        KNOT_WHY="knotd does not answer on $IP_DNS:53: $(tail -n 3 "$W/knot/knotd.log" "$W/knot/knotd.out" 2>/dev/null | tr '\n' ' ')"
        return
    fi
    local out
    if ! out=$(unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && kdig +short +timeout=1 +retry=0 NAPTR 0.0.2.0.6.9.2.3.6.1.4.4.e164.arpa' \
        "$W/resolv.conf" 2>&1) || ! printf '%s' "$out" | grep -q E2U; then
        KNOT_WHY="no private resolv.conf in a mount namespace (unshare -m / mount --bind): $(printf '%s' "$out" | head -n 2 | tr '\n' ' ')"
        return
    fi
    KNOT_OK=yes
}

# ---- the run ------------------------------------------------------------------------
say "bench_edge: sipp UAC --udp--> edge A ($IP_A) --mutual TLS--> edge B ($IP_B) --udp--> sipp UAS"
say "host: $(nproc) CPU(s), $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
say "enumfedd: $ENUMFEDD ($(cd "$SRC" && git describe --always --dirty 2>/dev/null || echo '?'))," \
    "log.level warn, static route A -> B, policy rates off"
say "kamailio: $(kamailio -v 2>/dev/null | head -n 1 | sed 's/^version: //'), bench/kamailio/edge.cfg: tm t_relay," \
    "-n $KAM_CHILDREN UDP workers, tcp_children=$KAM_TCP_CHILDREN (Kamailio issue 3791)," \
    "-m $KAM_SHM -M $KAM_PKG -x $KAM_MEM, UDP receive buffer up to 4 MB (maxbuffer), debug=0 (warnings)"
say "sipp: $(sipp -v 2>&1 | grep -o 'SIPp v[^ ]*' | head -n 1 | sed 's/\.$//'); steps of ${STEP}s at $RATES MESSAGE/s;"
say "CPU at a fixed rate for ${FIXED_SECS}s: $FIXED_RATE_URI/s (URI), $FIXED_RATE_ENUM/s (ENUM)"
say ""

for variant in $VARIANTS; do
    case $variant in
    uri) say "=== URI variant: MESSAGE sip:bob@b.example; A relays to B by a static route (no DNS)" ;;
    enum) say "=== ENUM variant: MESSAGE tel:+441632960200; A resolves it by ENUM (E2U+im/E2U+sip -> bob@b.example)"
        say "    enumfedd from its offline zone (enum.zones); Kamailio with enum_query() via the system resolver"
        start_knot
        if [ $KNOT_OK = yes ]; then
            say "    Knot DNS (knotd) on $IP_DNS:53 serves examples/demo/e164.zone; Kamailio A gets a private"
            say "    /etc/resolv.conf naming it (unshare -m + mount --bind, its own mount namespace)"
        else
            say "    Kamailio's ENUM run is skipped: $KNOT_WHY"
        fi ;;
    *) die "unknown variant $variant" ;;
    esac
    for w in $WORKERS; do
        case " $PRODUCTS " in *" enumfedd "*) ;; *) break ;; esac
        say "--- enumfedd, workers = $w"
        start_enumfedd "$w" "$variant-ef$w"
        measure "$variant" "ef$w" "enumfedd w$w"
        stop_all
    done
    case " $PRODUCTS " in *" kamailio "*) ;; *) continue ;; esac
    if [ "$variant" = uri ] || [ $KNOT_OK = yes ]; then
        say "--- Kamailio"
        start_kamailio "$variant" "$variant-kam"
        measure "$variant" kam "Kamailio"
        stop_all
    fi
    say ""
done

# ---- summary ------------------------------------------------------------------------
ratio() { # A B: A/B with two decimals, or n/a
    awk -v a="$1" -v b="$2" 'BEGIN { if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) print "n/a"; else printf "%.3g", a / b }'
}
# p99 values are multiples of sipp's clock step: no ratio when one is 0
p99ratio() { if [ "$1" = 0 ] || [ "$2" = 0 ]; then echo "n/a (below sipp's clock step)"; else ratio "$1" "$2"; fi; }
say "=== summary (response times from sipp: whole ms, its clock steps shown in the per-run lines; CPU: utime+stime of all edge processes)"
for variant in $VARIANTS; do
    say ""
    say "$variant variant"
    printf '%-14s %9s %9s %9s | %13s %7s %7s %8s | %9s %9s %9s  %s\n' product "max msg/s" "p50 ms" "p99 ms" \
        "fixed ok" "p50 ms" "p99 ms" "mean ms" "CPU A us" "CPU B us" "A+B us" notes
    for tag in $(printf 'ef%s ' $WORKERS) kam; do
        key="$variant/$tag"
        if [ -z "${RES_NAME[$key]:-}" ]; then
            case " $PRODUCTS " in *" kamailio "*) [ "$tag" = kam ] && say "Kamailio       (not run: ${KNOT_WHY:-?})" ;; esac
            continue
        fi
        read -r mp50 mp99 <<<"${RES_MAXP[$key]}"
        printf '%-14s %9s %9s %9s | %13s %7s %7s %8s | %9s %9s %9s  %s\n' "${RES_NAME[$key]}" "${RES_MAX[$key]}" \
            "$mp50" "$mp99" "${RES_OKFIX[$key]}" "${RES_P50[$key]}" "${RES_P99[$key]}" "${RES_MEAN[$key]}" \
            "${RES_CPUA[$key]}" "${RES_CPUB[$key]}" "${RES_CPU[$key]}" "${RES_NOTE[$key]}"
    done
    [ -n "${RES_NAME[$variant/kam]:-}" ] || continue
    for w in $WORKERS; do
        e="$variant/ef$w" k="$variant/kam"
        [ -n "${RES_NAME[$e]:-}" ] || continue
        say "ratios enumfedd w$w / Kamailio: max rate $(ratio "${RES_MAX[$e]}" "${RES_MAX[$k]}")," \
            "mean response at the fixed rate $(ratio "${RES_MEAN[$e]}" "${RES_MEAN[$k]}")," \
            "p99 $(p99ratio "${RES_P99[$e]}" "${RES_P99[$k]}")," \
            "CPU per message A $(ratio "${RES_CPUA[$e]}" "${RES_CPUA[$k]}") B $(ratio "${RES_CPUB[$e]}" "${RES_CPUB[$k]}")" \
            "A+B $(ratio "${RES_CPU[$e]}" "${RES_CPU[$k]}")"
    done
done
say ""
say "max msg/s: highest step with every MESSAGE answered 200 and sipp within 10% of the rate (0: none);"
say "a ratio above 1 means enumfedd is higher (rate: better; times and CPU: worse)."
