#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# bench_presence.sh -- enumfedd as a community's presence agent
# (community.store) against Kamailio 5.6 with its presence module
# (bench/kamailio/presence.cfg), in one run, on loopback:
#
#   presload 127.0.19.1:5100-5107 --udp--> enumfedd 127.0.19.2:5060
#                                 --udp--> Kamailio 127.0.19.3:5060
#
# bench/presload.c (built here) holds the watchers' side: SUBSCRIBEs, a 200 OK
# to every NOTIFY, PUBLISHes. For each product, started afresh:
#
#   1. subscriptions held: N subscriptions, W watchers for each of N/W
#      presentities; memory of the server (RSS, PSS) before, at N/2 and at N,
#      each after the finished transactions have left (SETTLE s); bytes per
#      subscription and whether 1,000,000 fit in 1 GiB (extrapolated below 1M);
#   2. NOTIFY fan-out: FAN more watchers of one presentity, then ROUNDS
#      PUBLISHes of it, one at a time: NOTIFYs delivered and answered a
#      second (goal >= 50,000), CPU time per NOTIFY;
#   3. a stream of PUBLISHes (RATE/s for SECS s) over the N/W presentities,
#      each bringing W NOTIFYs: NOTIFY/s and CPU time per NOTIFY (the PUBLISH
#      included).
#
# CPU is utime + stime from /proc/PID/stat of every process of the server
# (enumfedd: its one process; Kamailio: the main process and its children).
# Prints figures and the ratios enumfedd / Kamailio; never fails because
# something is slow; exits non-zero only when it cannot run at all.
#
# usage: bench/bench_presence.sh [N]     (N subscriptions; default scaled to
#                                         the host, at most 100000; 1000000 asks
#                                         for the goal itself)
# Environment:
#   ENUMFEDD, ENUMFEDCTL   binaries to use (default: build build-bench here)
#   EF_BENCH_WATCHERS      watchers per presentity in step 1 and 3 (10)
#   EF_BENCH_FAN           watchers of the fan-out presentity (10000)
#   EF_BENCH_FAN_ROUNDS    PUBLISHes of it (5)
#   EF_BENCH_STREAM_RATE   PUBLISH/s of step 3 (2000)
#   EF_BENCH_STREAM_SECS   its length in seconds (10)
#   EF_BENCH_SUB_RATE      SUBSCRIBE/s at most (20000), EF_BENCH_WINDOW in flight (500)
#   EF_BENCH_SETTLE        seconds before each memory reading (7)
#   EF_BENCH_PRODUCTS      "enumfedd kamailio" (default) or one of them
#   EF_BENCH_KAM_CHILDREN  Kamailio UDP worker processes (-n, default: CPUs)
#   EF_BENCH_KAM_MEM       Kamailio memory manager (-x, default tlsf; see bench/README.md)
#   EF_BENCH_KAM_SHM       Kamailio shared memory in MB (-m, default 1024 + N/100)
#   EF_BENCH_KEEP=1        keep the temporary directory (logs, presload output)
# Needs: kamailio + kamailio-presence-modules (scripts/deps.sh bench), cc,
# python3 (its sqlite3 module fills the store), openssl, ss, timeout.

set -u
set -o pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$SRC/bench
IP_LOAD=127.0.19.1
IP_EF=127.0.19.2
IP_KAM=127.0.19.3
PORT=5060
LOAD_PORT=5100
DOMAIN=pres.example
CLK_TCK=$(getconf CLK_TCK)
GIB=1073741824
GOAL_SUBS=1000000
GOAL_NOTIFY=50000

# N: asked for, or what the host holds comfortably (40 kB a subscription
# for the hungrier product, a quarter of the available memory), at most 100k
avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
DEFAULT_N=$((avail_kb / 4 / 40))
[ "$DEFAULT_N" -gt 100000 ] && DEFAULT_N=100000
[ "$DEFAULT_N" -lt 1000 ] && DEFAULT_N=1000
N=${1:-${EF_BENCH_SUBS:-$DEFAULT_N}}
case $N in '' | *[!0-9]*) echo "usage: bench_presence.sh [N]" >&2; exit 2 ;; esac
WATCHERS=${EF_BENCH_WATCHERS:-10}
[ "$N" -ge $((2 * WATCHERS)) ] || { echo "bench_presence: N must be at least $((2 * WATCHERS))" >&2; exit 2; }
PRES=$((N / WATCHERS))
N=$((PRES * WATCHERS)) # a whole number of watchers for each presentity
FAN=${EF_BENCH_FAN:-10000}
FAN_ROUNDS=${EF_BENCH_FAN_ROUNDS:-5}
STREAM_RATE=${EF_BENCH_STREAM_RATE:-2000}
STREAM_SECS=${EF_BENCH_STREAM_SECS:-10}
SUB_RATE=${EF_BENCH_SUB_RATE:-20000}
WINDOW=${EF_BENCH_WINDOW:-500}
SETTLE=${EF_BENCH_SETTLE:-7}
PRODUCTS=${EF_BENCH_PRODUCTS:-"enumfedd kamailio"}
KAM_CHILDREN=${EF_BENCH_KAM_CHILDREN:-$(nproc)}
KAM_MEM=${EF_BENCH_KAM_MEM:-tlsf}
KAM_SHM=${EF_BENCH_KAM_SHM:-$((1024 + N / 100))}
KAM_PKG=64
EXPIRES=3600
# presload's own bound: every phase of it is bounded; this is the backstop
LOAD_LIMIT=$((N / 100 + FAN / 100 + FAN_ROUNDS * 60 + STREAM_SECS + 3 * SETTLE + 400))

for tool in kamailio cc python3 openssl ss timeout awk; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "bench_presence: $tool is missing (scripts/deps.sh bench installs what is needed)" >&2
        exit 1
    }
done
KAM_DBTEXT=/usr/share/kamailio/dbtext/kamailio

W=$(mktemp -d "${TMPDIR:-/tmp}/enumfed-bench-presence.XXXXXX") || exit 1
PIDS=""   # every long-running process started here
SERVER="" # main pid of the server being measured
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
trap 'echo "bench_presence: interrupted" >&2; exit 1' INT TERM HUP

say() { printf '%s\n' "$*"; }
die() { echo "bench_presence: $*" >&2; exit 1; }

# ---- build --------------------------------------------------------------------
if [ -z "${ENUMFEDD:-}" ] || [ -z "${ENUMFEDCTL:-}" ]; then
    cmake -S "$SRC" -B "$SRC/build-bench" -DCMAKE_BUILD_TYPE=Release -DEF_TESTS=OFF >"$W/build.log" 2>&1 &&
        cmake --build "$SRC/build-bench" -j"$(nproc)" --target enumfedd enumfedctl >>"$W/build.log" 2>&1 ||
        { cat "$W/build.log" >&2; die "build failed"; }
    ENUMFEDD=${ENUMFEDD:-$SRC/build-bench/enumfedd}
    ENUMFEDCTL=${ENUMFEDCTL:-$SRC/build-bench/enumfedctl}
fi
[ -x "$ENUMFEDD" ] || die "no enumfedd at $ENUMFEDD"
[ -x "$ENUMFEDCTL" ] || die "no enumfedctl at $ENUMFEDCTL"
cc -O2 -std=c11 -Wall -Wextra -o "$W/presload" "$BENCH/presload.c" >"$W/presload-build.log" 2>&1 ||
    { cat "$W/presload-build.log" >&2; die "cannot build bench/presload.c"; }

# ---- helpers ------------------------------------------------------------------------
# the main pid and every process it forked (Kamailio's workers)
family() {
    local main=$1 d pp
    echo "$main"
    for d in /proc/[0-9]*; do
        pp=$(awk '{sub(/^.*\) /, ""); print $2}' "$d/stat" 2>/dev/null) || continue
        [ "$pp" = "$main" ] && echo "${d#/proc/}"
    done
}
wait_listen() { # IP PORT: something listens on UDP there (5 s at most)
    local i
    for i in $(seq 50); do
        ss -Hlun "src $1:$2" 2>/dev/null | grep -q . && return 0
        sleep 0.1
    done
    return 1
}
stop_pid() {
    local p=$1 i=0
    [ -n "$p" ] || return 0
    kill "$p" 2>/dev/null
    while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
    PIDS=$(printf '%s\n' $PIDS | grep -vx "$p" | tr '\n' ' ')
}
udp_drops() { awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 } else print $c["RcvbufErrors"] }' /proc/net/snmp; }

# ---- the store: N/W presentities h0..h(P-1) and fan0 --------------------------------
# The first user is added with enumfedctl; the others are copies of its row
# made in one SQL statement (enumfedctl adds one user a process, ~7 ms each).
make_store() {
    printf 'bench-password\n' | "$ENUMFEDCTL" -d "$W/store.db" user add "h0@$DOMAIN" --password-stdin \
        >"$W/enumfedctl.log" 2>&1 || { cat "$W/enumfedctl.log" >&2; die "enumfedctl user add failed"; }
    python3 - "$W/store.db" "$PRES" <<'EOF' || die "cannot fill the store"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
    INSERT INTO users (user, domain, ha1_md5, ha1_sha256, disabled, created)
    SELECT 'h' || i, domain, ha1_md5, ha1_sha256, 0, created FROM users, n
    WHERE user = 'h0' AND i < ?""", (int(sys.argv[2]), int(sys.argv[2])))
db.execute("""INSERT INTO users (user, domain, ha1_md5, ha1_sha256, disabled, created)
    SELECT 'fan0', domain, ha1_md5, ha1_sha256, 0, created FROM users WHERE user = 'h0'""")
db.commit()
EOF
}

enumfedd_conf() {
    cat <<EOF
domains = [ "$DOMAIN" ];
workers = 1;
log = { level = "warn"; };
listen = (
  { side = "internal"; transport = "udp"; address = "$IP_EF"; port = $PORT; },
  { side = "federation"; transport = "tls"; address = "$IP_EF"; port = 5061; }
);
tls = { certificate = "certs/$DOMAIN.crt"; key = "certs/$DOMAIN.key"; ca = "certs/ca.pem"; };
# the presence agent; NOTIFYs not paced (every change notified at once)
community = { store = "store.db"; notify_min_ms = 0; max_expires = $EXPIRES; };
# no rate limits: the load comes from a few sources
policy = {
  rate_sender = { rate = 0.0; burst = 1.0; };
  rate_recipient = { rate = 0.0; burst = 1.0; };
  rate_peer = { rate = 0.0; burst = 1.0; };
  rate_trusted_sender = { rate = 0.0; burst = 1.0; };
};
EOF
}

start_enumfedd() {
    enumfedd_conf >"$W/enumfedd.conf"
    "$ENUMFEDD" -t -c "$W/enumfedd.conf" >"$W/enumfedd.check" 2>&1 || {
        cat "$W/enumfedd.check" >&2
        die "enumfedd -t rejects the benchmark configuration"
    }
    "$ENUMFEDD" -c "$W/enumfedd.conf" >"$W/enumfedd.log" 2>&1 &
    SERVER=$!
    PIDS="$PIDS $SERVER"
    wait_listen $IP_EF $PORT || { tail -n 20 "$W/enumfedd.log" >&2; die "enumfedd did not start"; }
}

start_kamailio() {
    rm -rf "$W/dbtext" "$W/kam-run"
    mkdir -p "$W/kam-run"
    cp -r "$KAM_DBTEXT" "$W/dbtext" || die "no db_text tables at $KAM_DBTEXT"
    kamailio -DD -E -f "$BENCH/kamailio/presence.cfg" -Y "$W/kam-run" -P "$W/kam-run/pid" \
        -m "$KAM_SHM" -M "$KAM_PKG" -x "$KAM_MEM" -n "$KAM_CHILDREN" \
        -A "DBURL=\"text://$W/dbtext\"" -A "MY_IP=$IP_KAM" >"$W/kamailio.log" 2>&1 &
    SERVER=$!
    PIDS="$PIDS $SERVER"
    wait_listen $IP_KAM $PORT || { tail -n 20 "$W/kamailio.log" >&2; die "kamailio did not start"; }
    sleep 1 # its workers start after the socket
}

# ---- one product ------------------------------------------------------------------------
declare -A R # R[product/key] = value from presload, or derived below

measure() { # PRODUCT IP
    local prod=$1 ip=$2 pids d0 d1 out=$W/$1.out
    # shellcheck disable=SC2046
    pids=$(family "$SERVER" | tr '\n' ' ')
    say "  $(echo $pids | wc -w) process(es): $pids"
    d0=$(udp_drops)
    # shellcheck disable=SC2086
    timeout -k 5 "$LOAD_LIMIT" "$W/presload" -s "$ip:$PORT" -l $IP_LOAD -b $LOAD_PORT -k 8 -d $DOMAIN \
        -n "$N" -P "$PRES" -f "$FAN" -r "$FAN_ROUNDS" -q "$STREAM_RATE" -t "$STREAM_SECS" \
        -R "$SUB_RATE" -w "$WINDOW" -e $EXPIRES -W "$SETTLE" -T 60 $pids >"$out" 2>"$W/$prod.err"
    local rc=$?
    d1=$(udp_drops)
    [ $rc -eq 0 ] || say "  presload exited with $rc: $(tail -n 2 "$W/$prod.err" | tr '\n' ' ')"
    while IFS='=' read -r k v; do R[$prod/$k]=$v; done <"$out"
    R[$prod/udp_drops]=$((d1 - d0))
    if ! kill -0 "$SERVER" 2>/dev/null; then
        say "  THE SERVER EXITED during the run:"
        tail -n 15 "$W/$prod.log" 2>/dev/null | sed 's/^/    /'
        R[$prod/note]="server exited"
    fi
    derive "$prod"
    report "$prod"
    # warnings and errors the server logged (both log at warning level)
    grep -aiE 'warn|err|crit|alert|emerg|fatal' "$W/$prod.log" >"$W/$prod.warn" 2>/dev/null
    local n
    n=$(grep -c . "$W/$prod.warn")
    if [ "$n" -gt 0 ]; then
        say "  it logged $n warning/error line(s); the first and last:"
        { head -n 3 "$W/$prod.warn"; [ "$n" -gt 6 ] && echo "..."
          [ "$n" -gt 3 ] && tail -n $((n > 6 ? 3 : n - 3)) "$W/$prod.warn"; } | cut -c1-220 | sed 's/^/    /'
    else
        say "  it logged no warnings or errors"
    fi
}

calc() { awk "BEGIN { $1 }" ; } # calc 'printf ..., expr': arithmetic in awk

derive() { # PRODUCT: figures computed from presload's
    local p=$1
    g() { echo "${R[$p/$1]:-0}"; }
    local ok base half settled
    ok=$(($(g half_ok) + $(g hold_ok)))
    R[$p/subs_ok]=$ok
    base=$(g base_pss_kb) half=$(g half_pss_kb) settled=$(g settled_pss_kb)
    R[$p/sub_per_s]=$(calc "s = $(g half_secs) + $(g hold_secs); printf \"%.0f\", (s > 0 ? $ok / s : 0)")
    R[$p/sub_cpu_us]=$(calc "printf \"%.1f\", ($ok > 0 ? ($(g half_cpu_ticks) + $(g hold_cpu_ticks)) / $CLK_TCK * 1e6 / $ok : 0)")
    R[$p/bytes_per_sub]=$(calc "printf \"%.0f\", ($ok > 0 ? ($settled - $base) * 1024 / $ok : 0)")
    R[$p/bytes_marginal]=$(calc "printf \"%.0f\", ($(g hold_ok) > 0 ? ($settled - $half) * 1024 / $(g hold_ok) : 0)")
    R[$p/fan_cpu_us]=$(calc "printf \"%.1f\", ($(g fan_notify) > 0 ? $(g fan_cpu_ticks) / $CLK_TCK * 1e6 / $(g fan_notify) : 0)")
    R[$p/stream_cpu_us]=$(calc "printf \"%.1f\", ($(g stream_notify) > 0 ? $(g stream_cpu_ticks) / $CLK_TCK * 1e6 / $(g stream_notify) : 0)")
    # a server that could not keep up with the stream: its CPU figure includes
    # retransmitted NOTIFYs and PUBLISHes, and fewer PUBLISHes were sent
    if [ "$(g stream_publish_ok)" -lt $((STREAM_RATE * STREAM_SECS * 9 / 10)) ] ||
        [ "$(g stream_notify)" -lt "$(g stream_notify_expected)" ]; then
        R[$p/note]="${R[$p/note]:+${R[$p/note]}; }stream overloaded"
    fi
    if [ "$(g fan_rounds_complete)" -lt "$FAN_ROUNDS" ]; then
        R[$p/note]="${R[$p/note]:+${R[$p/note]}; }fan-out rounds incomplete"
    fi
}

report() { # PRODUCT
    local p=$1
    g() { echo "${R[$p/$1]:-?}"; }
    say "  1. subscriptions: $(g subs_ok) of $N established (200, first NOTIFY $(($(g half_notify) + $(g hold_notify))))," \
        "$(g sub_per_s)/s, CPU $(g sub_cpu_us) us a SUBSCRIBE (with its first NOTIFY);" \
        "failed $(($(g half_failed) + $(g hold_failed))) (first status $(g hold_first_failure)), unanswered $(($(g half_timeout) + $(g hold_timeout)))"
    say "     memory, every process summed: RSS $(g base_rss_kb) kB before -> $(g settled_rss_kb) kB with $N" \
        "(PSS $(g base_pss_kb) -> $(g half_pss_kb) at N/2 -> $(g settled_pss_kb) kB)"
    say "     bytes per subscription: $(g bytes_per_sub) (PSS delta / N), $(g bytes_marginal) (second half only)"
    say "  2. fan-out: $FAN watchers of fan0 subscribed ($(g fansub_ok) ok, $(g fansub_notify) first NOTIFYs);" \
        "$(g fan_rounds_complete) of $FAN_ROUNDS PUBLISHes brought every NOTIFY:" \
        "$(g fan_notify) NOTIFYs in $(g fan_secs) s = $(g fan_notify_per_s) NOTIFY/s (slowest round $(g fan_worst_round_secs) s)," \
        "CPU $(g fan_cpu_us) us a NOTIFY"
    say "  3. stream: $(g stream_publish_ok) of $(g stream_publish_sent) PUBLISHes answered 200 ($(g stream_publish_per_s)/s);" \
        "$(g stream_notify) of $(g stream_notify_expected) NOTIFYs in $(g stream_secs) s = $(g stream_notify_per_s) NOTIFY/s," \
        "CPU $(g stream_cpu_us) us a NOTIFY (its share of the PUBLISH included)"
    case ${R[$p/note]:-} in *"stream overloaded"*)
        say "     OVERLOADED by the stream: $(g stream_publish_ok) PUBLISHes answered of $((STREAM_RATE * STREAM_SECS)) asked" \
            "(CPU includes retransmissions)" ;;
    esac
    say "     NOTIFYs retransmitted to presload: $(g notify_retransmitted) (fan-out $(g fan_notify_retransmitted), stream $(g stream_notify_retransmitted)); UDP datagrams the host dropped" \
        "for full receive buffers: $(g udp_drops); responses 1xx/2xx/3xx/4xx/5xx/6xx $(g responses_1xx_6xx)"
}

# ---- summary helpers -------------------------------------------------------------------
ratio() { # A B: A/B, or n/a
    awk -v a="$1" -v b="$2" 'BEGIN { if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) print "n/a"; else printf "%.3g", a / b }'
}
extrap() { [ "$N" -lt $GOAL_SUBS ] && echo " (extrapolated from N = $N)"; }
# ---- the run (one function, read whole before it starts: editing this file
# while it runs cannot change what runs) -------------------------------------------------
main() {
    sh "$SRC/scripts/mkcerts.sh" "$W/certs" $DOMAIN >/dev/null || die "mkcerts.sh failed"
    make_store
    say "bench_presence: presload ($IP_LOAD, 8 UDP sockets) --udp--> presence agent (enumfedd $IP_EF, Kamailio $IP_KAM)"
    say "host: $(nproc) CPU(s), $(uname -r), $((avail_kb / 1024)) MB available, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
    say "enumfedd: $ENUMFEDD ($(cd "$SRC" && git describe --always --dirty 2>/dev/null || echo '?')), workers = 1," \
        "log.level warn, community.notify_min_ms = 0 (NOTIFYs not paced), policy rates off"
    say "kamailio: $(kamailio -v 2>/dev/null | head -n 1 | sed 's/^version: //'), bench/kamailio/presence.cfg" \
        "(subs_db_mode 0, publ_cache 2, force_active), -n $KAM_CHILDREN UDP workers, -m $KAM_SHM -M $KAM_PKG -x $KAM_MEM"
    say "load: N = $N subscriptions ($PRES presentities x $WATCHERS watchers; at most $SUB_RATE SUBSCRIBE/s, $WINDOW in flight)," \
        "Expires $EXPIRES; fan-out $FAN watchers x $FAN_ROUNDS PUBLISHes; stream $STREAM_RATE PUBLISH/s x ${STREAM_SECS}s"
    [ -z "${1:-}${EF_BENCH_SUBS:-}" ] && say "(N scaled to this host; bench/bench_presence.sh 1000000 asks for the goal)"
    say ""

    for prod in $PRODUCTS; do
        case $prod in
        enumfedd)
            say "--- enumfedd"
            start_enumfedd
            measure enumfedd $IP_EF
            ;;
        kamailio)
            say "--- Kamailio"
            start_kamailio
            measure kamailio $IP_KAM
            ;;
        *) die "unknown product $prod" ;;
        esac
        stop_pid "$SERVER"
        SERVER=""
        say ""
    done

    say "=== summary (N = $N; memory: PSS of every server process summed; CPU: utime+stime of every server process)"
    printf '%-9s %9s %11s %9s %9s | %11s %9s | %11s %9s  %s\n' product "subs ok" "PSS kB" "B/sub" "B/sub 2nd" \
        "fan NTF/s" "us/NTF" "stream NTF/s" "us/NTF" notes
    for prod in $PRODUCTS; do
        g() { echo "${R[$prod/$1]:--}"; }
        printf '%-9s %9s %11s %9s %9s | %11s %9s | %11s %9s  %s\n' "$prod" "$(g subs_ok)" "$(g settled_pss_kb)" \
            "$(g bytes_per_sub)" "$(g bytes_marginal)" "$(g fan_notify_per_s)" "$(g fan_cpu_us)" \
            "$(g stream_notify_per_s)" "$(g stream_cpu_us)" "${R[$prod/note]:-}"
    done
    say ""
    for prod in $PRODUCTS; do
        g() { echo "${R[$prod/$1]:-0}"; }
        for kind in bytes_per_sub bytes_marginal; do
            bps=$(g $kind)
            if [ "${bps#-}" != "$bps" ] || [ "$bps" = 0 ]; then
                say "$prod: no growth over the second half of N (it reused the memory of ended transactions): no extrapolation from it"
                continue
            fi
            total=$(calc "printf \"%.0f\", (($bps * $GOAL_SUBS + $(g base_pss_kb) * 1024) / 1048576)")
            verdict=$(calc "print (($bps * $GOAL_SUBS + $(g base_pss_kb) * 1024 <= $GIB) ? \"meets\" : \"misses\")")
            how="PSS delta / N"
            [ $kind = bytes_marginal ] && how="growth over the second half of N"
            say "$prod: 1,000,000 subscriptions would take $total MiB$(extrap) at $bps B/sub ($how)" \
                "on top of $(($(g base_pss_kb) / 1024)) MiB at start: $verdict the goal of <= 1 GiB"
        done
        verdict=$(calc "print (($(g fan_notify_per_s) >= $GOAL_NOTIFY) ? \"meets\" : \"misses\")")
        say "$prod: fan-out $(g fan_notify_per_s) NOTIFY/s delivered and answered: $verdict the goal of >= $GOAL_NOTIFY NOTIFY/s"
    done
    case " $PRODUCTS " in *" enumfedd "*) both=${R[kamailio/subs]:+yes} ;; *) both="" ;; esac
    case $both in
    yes)
        e=enumfedd k=kamailio
        say ""
        say "ratios enumfedd / Kamailio: bytes a subscription $(ratio "${R[$e/bytes_per_sub]}" "${R[$k/bytes_per_sub]}")" \
            "(second half $(ratio "${R[$e/bytes_marginal]}" "${R[$k/bytes_marginal]}")), memory with N (PSS) $(ratio "${R[$e/settled_pss_kb]}" "${R[$k/settled_pss_kb]}")," \
            "SUBSCRIBE/s $(ratio "${R[$e/sub_per_s]}" "${R[$k/sub_per_s]}"), CPU a SUBSCRIBE $(ratio "${R[$e/sub_cpu_us]}" "${R[$k/sub_cpu_us]}"),"
        say "  fan-out NOTIFY/s $(ratio "${R[$e/fan_notify_per_s]}" "${R[$k/fan_notify_per_s]}"), CPU a fan-out NOTIFY $(ratio "${R[$e/fan_cpu_us]}" "${R[$k/fan_cpu_us]}")," \
            "stream NOTIFY/s $(ratio "${R[$e/stream_notify_per_s]}" "${R[$k/stream_notify_per_s]}"), CPU a stream NOTIFY $(ratio "${R[$e/stream_cpu_us]}" "${R[$k/stream_cpu_us]}")"
        say "a ratio above 1 means enumfedd is higher (rates: better; bytes and CPU: worse)."
        ;;
    esac
}

main "$@"
exit $?
