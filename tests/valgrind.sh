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

# The daemon: two edges under valgrind, a message across the federation link
# each way, then SIGTERM: both must exit 0 with no invalid access and no leak.
edges() {
    dir=$(mktemp -d)
    sh "$src/scripts/mkcerts.sh" "$dir/certs" a.example b.example >/dev/null
    for c in a b; do
        me=127.0.30.1 other=127.0.30.2 peer=b.example
        [ $c = b ] && me=127.0.30.2 other=127.0.30.1 peer=a.example
        cat >"$dir/$c.conf" <<EOC
domains = [ "$c.example" ];
listen = ( { side = "internal"; transport = "udp"; address = "$me"; port = 5070; },
           { side = "federation"; transport = "tls"; address = "$me"; port = 5061; } );
internal = { next_hop = "$me:5080;transport=udp"; };
tls = { certificate = "certs/$c.example.crt"; key = "certs/$c.example.key"; ca = "certs/ca.pem"; };
federation = { peers = ( { domain = "$peer"; route = "$other:5061;transport=tls"; } ); };
enum = { zones = [ "$src/examples/demo/e164.zone" ]; dnssec = "off"; };
EOC
        $vg --log-file="$dir/$c.vg" "$build/enumfedd" -c "$dir/$c.conf" 2>"$dir/$c.log" &
        eval "pid_$c=\$!"
        sipp -sf "$src/tests/sipp/message_uas.xml" -i $me -p 5080 -m 1 -nostdin \
            >/dev/null 2>&1 &
    done
    sleep 3 # valgrind starts slowly
    sipp 127.0.30.1:5070 -sf "$src/tests/sipp/message_uac.xml" -i 127.0.30.1 -p 5090 -m 1 \
        -key to tel:+441632960200 -key from alice@a.example -key text hi -nostdin \
        -timeout 20s -timeout_error >/dev/null 2>&1 && ab=ok || ab=failed
    sipp 127.0.30.2:5070 -sf "$src/tests/sipp/message_uac.xml" -i 127.0.30.2 -p 5090 -m 1 \
        -key to sip:alice@a.example -key from bob@b.example -key text hi -nostdin \
        -timeout 20s -timeout_error >/dev/null 2>&1 && ba=ok || ba=failed
    # shellcheck disable=SC2154
    kill -TERM "$pid_a" "$pid_b"
    for c in a b; do
        eval "p=\$pid_$c"
        if wait "$p" && [ "$ab" = ok ] && [ "$ba" = ok ]; then
            echo "ok valgrind: enumfedd $c.example (messages a->b $ab, b->a $ba)"
        else
            echo "not ok valgrind: enumfedd $c.example (messages a->b $ab, b->a $ba)"
            cat "$dir/$c.vg" "$dir/$c.log"
            fails=$((fails + 1))
        fi
    done
    rm -rf "$dir"
}
edges

# The community role: a PUBLISH, a subscription and a watcherinfo subscription,
# SIGTERM, a start that reads them back from the store, a change notified,
# SIGTERM again: both runs exit 0, memory clean.
community() {
    dir=$(mktemp -d)
    me=127.0.30.3
    printf 'pw\n' | "$build/enumfedctl" -d "$dir/s.db" user add alice@c.example --password-stdin \
        >/dev/null
    sh "$src/scripts/mkcerts.sh" "$dir/certs" c.example >/dev/null
    cat >"$dir/c.conf" <<EOC
domains = [ "c.example" ];
listen = ( { side = "internal"; transport = "udp"; address = "$me"; port = 5070; },
           { side = "federation"; transport = "tls"; address = "$me"; port = 5061; } );
tls = { certificate = "certs/c.example.crt"; key = "certs/c.example.key"; ca = "certs/ca.pem"; };
community = { store = "s.db"; notify_min_ms = 0; min_expires = 1; };
enum = { zones = [ "$src/examples/demo/e164.zone" ]; dnssec = "off"; };
EOC
    python3 "$src/tests/integration/sipuas.py" "$me:5095" "$dir/uas.log" --seconds 40 &
    uas=$!
    sipc="python3 $src/tests/integration/sipc.py $me:5070 -l $me"
    printf '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:alice@c.example">'\
'<tuple id="t"><status><basic>open</basic></status></tuple></presence>' >"$dir/open.xml"
    sed 's/open</closed</' "$dir/open.xml" >"$dir/closed.xml"
    got=""
    for round in 1 2; do
        $vg --log-file="$dir/c$round.vg" "$build/enumfedd" -c "$dir/c.conf" 2>"$dir/c$round.log" &
        pid=$!
        sleep 3 # valgrind starts slowly
        f=open.xml
        [ $round = 2 ] && f=closed.xml
        st1=$($sipc -m PUBLISH -u sip:alice@c.example -f sip:alice@c.example -H "Event: presence" \
            --ctype application/pidf+xml --body-file "$dir/$f" -H "Expires: 60" | head -n 1)
        st2=200
        st3=200
        if [ $round = 1 ]; then
            st2=$($sipc -m SUBSCRIBE -u sip:alice@c.example -f sip:bob@c.example \
                -t sip:alice@c.example -H "Contact: <sip:bob@$me:5095>" -H "Event: presence" \
                -H "Expires: 600" | head -n 1)
            st3=$($sipc -m SUBSCRIBE -u sip:alice@c.example -f sip:alice@c.example \
                -t sip:alice@c.example -H "Contact: <sip:alice@$me:5095>" \
                -H "Event: presence.winfo" -H "Expires: 600" | head -n 1)
        fi
        sleep 1
        kill -TERM "$pid"
        if wait "$pid" && [ "${st1%% *}${st2%% *}${st3%% *}" = 200200200 ]; then
            echo "ok valgrind: enumfedd community, run $round"
        else
            echo "not ok valgrind: enumfedd community, run $round ($st1 / $st2 / $st3)"
            cat "$dir/c$round.vg" "$dir/c$round.log"
            fails=$((fails + 1))
        fi
        got="$got $(grep -c '^NOTIFY ' "$dir/uas.log" 2>/dev/null || echo 0)"
    done
    # run 1: bob's and alice's first NOTIFYs (winfo twice: empty, then bob); run 2: the change
    if grep -q 'restored' "$dir/c2.log" && grep -q '<basic>closed</basic>' "$dir/uas.log"; then
        echo "ok valgrind: community state read back and notified (NOTIFYs after each run:$got)"
    else
        echo "not ok valgrind: community state not read back (NOTIFYs:$got)"
        cat "$dir/c2.log"
        fails=$((fails + 1))
    fi
    kill "$uas" 2>/dev/null
    rm -rf "$dir"
}
community
[ "$fails" -eq 0 ]
