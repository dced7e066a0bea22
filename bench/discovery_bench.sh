#!/usr/bin/env bash
# Benchmarks of `nodenet discovery-server` and of the daemon's discovery client (issue 12), driven by
# the load generator bench/discovery_load.cpp. Everything runs on the loopback of a network
# namespace this script creates (`ip netns add nodenet-disc-bench-$$`) and deletes on exit; the
# daemon runs there in a private mount and UTS namespace on top (`unshare -m -u`).
#
#   sudo bench/discovery_bench.sh                         # every case, about 4 minutes
#   sudo CASES="server maxrate" bench/discovery_bench.sh
#
# Cases (CASES, default "server clusters maxrate client"):
#   server    1 cluster × AFFILIATES (1,000) affiliates updating at RATE (1,000/s in all: each once a
#             second), with 1 and then 10 watchers (a fresh server each): update → watch latency,
#             per delivery and until every watcher of the cluster has it (p50/p99/max); the server's
#             VmRSS/RssAnon idle, with the connections open, with the affiliates, and its CPU.
#   clusters  100 clusters × 100 affiliates (10,000 affiliates on 1,000 connections, 10 to a
#             connection), one watcher per cluster, RATE updates/s.
#   maxrate   1 cluster × 1,000, one watcher; rates MAX_RATES in turn until one is not sustained
#             (an error, a lost delivery, the sender behind, or p99 above 4× the first step's and
#             20 ms): the highest sustained rate on one core.
#   client    a nodenet daemon (one veth link, discovery on) in a cluster where the generator keeps
#             500 affiliates sealed with the cluster secret (real ones, which the daemon decrypts):
#             its VmRSS/RssAnon connected to an empty cluster and with the 500; its CPU over
#             CLIENT_IDLE_SECONDS (20) without changes, then over CLIENT_SECONDS (60) while
#             CLIENT_RATE (10) affiliates a second change (a new host name each time: real work
#             for the daemon); then PROBES (20) updates of one affiliate timed until `nodenet get
#             affiliates -o json` (asked back to back) and `nodenet events` (followed) show it.
#
# The server runs with `--rate-limit 0`: every simulated node connects from 127.0.0.1, and the
# 15 requests/s per client IP would otherwise be the limit measured. On a machine with two cores or
# more the server (and the daemon) run on core 1 (`taskset -c 1`: "one core" is meant), the
# generator on core 0; the generator reports its own CPU so that one can tell when it, not the
# server, is the bottleneck.
#
# Environment: BUILD (build/gcc: built there with cmake when nodenet or discovery_load is missing),
# NODENET, LOAD (the binaries), CASES, AFFILIATES, RATE, MAX_RATES ("1000 2000 4000 8000 16000
# 32000"), SECONDS_PER_RATE (10), CLIENT_RATE, CLIENT_SECONDS, CLIENT_IDLE_SECONDS, PROBES,
# KEEP_WORK=1 (keep the logs).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
BUILD=${BUILD:-$here/build/gcc}
NODENET=${NODENET:-$BUILD/nodenet}
LOAD=${LOAD:-$BUILD/bench/discovery_load}
CASES=${CASES:-server clusters maxrate client}
AFFILIATES=${AFFILIATES:-1000}
RATE=${RATE:-1000}
MAX_RATES=${MAX_RATES:-1000 2000 4000 8000 16000 32000}
SECONDS_PER_RATE=${SECONDS_PER_RATE:-10}
CLIENT_RATE=${CLIENT_RATE:-10}
CLIENT_SECONDS=${CLIENT_SECONDS:-60}
CLIENT_IDLE_SECONDS=${CLIENT_IDLE_SECONDS:-20}
PROBES=${PROBES:-20}
PREFIX=nodenet-disc-bench
NS=$PREFIX-$$
# The next server listens one port up: gRPC listens with SO_REUSEPORT, so a server that had not
# quite gone yet would otherwise share the port with the next one.
port=3000

die() { echo "discovery_bench: $*" >&2; exit 1; }
say() { echo "discovery_bench: $*" >&2; }
[ "$(id -u)" -eq 0 ] || die "needs root (a network namespace): sudo $0"
for c in $CASES; do case $c in server | clusters | maxrate | client) ;; *) die "unknown case $c" ;; esac; done
for v in AFFILIATES RATE SECONDS_PER_RATE CLIENT_RATE CLIENT_SECONDS CLIENT_IDLE_SECONDS PROBES; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number"
done
command -v ip >/dev/null || die "iproute2 (ip) is missing"
command -v unshare >/dev/null || die "unshare (util-linux) is missing"

if [ ! -x "$NODENET" ] || [ ! -x "$LOAD" ]; then
    say "building nodenet and discovery_load in $BUILD"
    [ -f "$BUILD/build.ninja" ] || [ -f "$BUILD/Makefile" ] ||
        cmake -S "$here" -B "$BUILD" -G Ninja -DNODENET_BENCH=ON >/dev/null
    cmake --build "$BUILD" --target nodenet discovery_load -j"$(nproc)" >/dev/null || die "the build failed"
fi
[ -x "$NODENET" ] || die "$NODENET not found: set NODENET or BUILD"
[ -x "$LOAD" ] || die "$LOAD not found: set LOAD or BUILD (configured with -DNODENET_BENCH=ON)"

work=$(mktemp -d /tmp/nodenet-disc-bench.XXXXXX)
# Private copies (with the modules nodenet loads from beside itself): a rebuild during the run must
# not change what is measured.
cp "$NODENET" "$(dirname "$NODENET")"/nodenet-*.so "$work/"
cp "$LOAD" "$work/discovery_load"
NODENET=$work/nodenet
LOAD=$work/discovery_load
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    bench_cleanup_netns "$PREFIX-$$"
    ip netns del "$NS" 2>/dev/null || true
    if [ "${KEEP_WORK:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS"
ip -n "$NS" link set lo up
in_ns() { ip netns exec "$NS" "$@"; }
if [ "$(nproc)" -ge 2 ]; then
    server_core=1
    cores="server on core 1, generator on core 0"
else
    server_core=0
    cores="one core for everything"
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# start_server NAME: a fresh server in the namespace on a new port; sets server_pid and port.
start_server() {
    port=$((port + 1))
    rm -f "$work/ready"
    bench_in_ns_pid "$work/server.pid" taskset -c "$server_core" \
        "$NODENET" discovery-server --listen 127.0.0.1:$port --rate-limit 0 --ready-file "$work/ready" \
        2>"$work/server-$1.log" &
    pids+=($!)
    local _
    for _ in $(seq 1000); do [ -s "$work/ready" ] && break; sleep 0.01; done
    [ -s "$work/ready" ] || die "discovery-server did not start: $(tail -2 "$work/server-$1.log")"
    server_pid=$(bench_wait_pid "$work/server.pid")
    pids+=("$server_pid")
}
# stop_pid PID: SIGTERM, then SIGKILL after 5 s; returns once it is gone.
stop_pid() {
    local _
    kill "$1" 2>/dev/null || return 0
    for _ in $(seq 500); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.01; done
    kill -9 "$1" 2>/dev/null || true
    for _ in $(seq 500); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.01; done
}
stop_server() { stop_pid "$server_pid"; }

# load NAME ARGS...: the generator on its core; its output in $work/NAME.out (shown as it goes).
load() {
    local name=$1
    shift
    local rc
    set +e
    in_ns taskset -c 0 "$LOAD" --target 127.0.0.1:$port "$@" 2>&1 | tee "$work/$name.out" |
        sed -e '/^RESULT/d' -e "s/^/  [$name] /" >&2
    rc=${PIPESTATUS[0]}
    set -e
    [ "$rc" -eq 0 ] || die "the generator failed in $name: $(tail -3 "$work/$name.out")"
}
# val NAME WHAT KEY [N]: KEY's value on the Nth (default: first) `RESULT WHAT` line of NAME's output,
# and for `observe`, WHAT is "observe name=X phase=Y".
val() {
    local line
    line=$(grep "^RESULT $2\( \|$\)" "$work/$1.out" | sed -n "${4:-1}p")
    tr ' ' '\n' <<<"$line" | awk -F= -v k="$3" '$1 == k {print $2; exit}'
}
mb() { awk -v k="$1" 'BEGIN {if (k == "") print "-"; else printf "%.1f MB", k / 1024}'; }

results=()
row() { results+=("| $1 | $2 | $3 |"); }

# window_row LABEL NAME [N]: latency and throughput of the Nth window of NAME.
window_row() {
    local w="window" n=${3:-1}
    row "$1" "p50 $(val "$2" $w all_p50_ms "$n") ms, p99 $(val "$2" $w all_p99_ms "$n") ms, max $(val "$2" $w all_max_ms "$n") ms" \
        "$(val "$2" $w achieved "$n") updates/s; $(val "$2" $w delivered "$n")/$(val "$2" $w expected "$n") deliveries; errors $(val "$2" $w codes "$n"); server CPU $(val "$2" $w server_cpu_pct "$n") % of a core; generator CPU $(val "$2" $w gen_cpu_pct "$n") %"
}
# server_memory_row NAME AFFILIATES CONNECTIONS WATCHERS: the server's VmRSS at each phase of NAME's
# run, and what each step added: the connections, the affiliates, the watchers (their own
# connections and snapshots), then the update load (gRPC's buffers and allocator arenas).
server_memory_row() {
    local name=$1 n=$2 conns=$3 watchers=$4 idle conn pop watch end
    idle=$(val "$name" "observe name=server phase=idle" rss_kb)
    conn=$(val "$name" "observe name=server phase=connected" rss_kb)
    pop=$(val "$name" "observe name=server phase=populated" rss_kb)
    watch=$(val "$name" "observe name=server phase=watching" rss_kb)
    end=$(val "$name" "observe name=server phase=end" rss_kb)
    row "server VmRSS ($name): idle → $conns connections → $n affiliates → $watchers watcher(s) → after the load" \
        "$(mb "$idle") → $(mb "$conn") → $(mb "$pop") → $(mb "$watch") → $(mb "$end")" \
        "$(awk -v i="$idle" -v c="$conn" -v p="$pop" -v w="$watch" -v e="$end" -v n="$n" -v k="$conns" -v ws="$watchers" 'BEGIN {
            printf "%.1f KB per connection; %.2f MB per 1,000 affiliates stored; %.0f KB per watcher; %.1f MB per 1,000 affiliates all told", (c - i) / k, (p - c) / n * 1000 / 1024, (w - p) / ws, (e - i) / n * 1000 / 1024}'); RssAnon at the end $(mb "$(val "$name" "observe name=server phase=end" anon_kb)"), $(val "$name" "observe name=server phase=end" threads) threads"
}

say "$(nproc) cores, $cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

for case in $CASES; do
    case $case in
    server)
        for w in 1 10; do
            say "case server: 1 cluster x $AFFILIATES affiliates, $RATE updates/s, $w watcher(s)"
            start_server "server-w$w"
            load "server-w$w" --clusters 1 --affiliates "$AFFILIATES" --watchers $w --rate "$RATE" \
                --warmup 2 --duration "$SECONDS_PER_RATE" --observe server="$server_pid"
            stop_server
            window_row "1 × $AFFILIATES affiliates, $RATE updates/s, $w watcher(s): update → every watcher" "server-w$w"
            row "  same, per delivery" "p50 $(val "server-w$w" window p50_ms) ms, p99 $(val "server-w$w" window p99_ms) ms" \
                "AffiliateUpdate RPC p50 $(val "server-w$w" window rpc_p50_ms) ms, p99 $(val "server-w$w" window rpc_p99_ms) ms; snapshot of $(val "server-w$w" snapshot affiliates) affiliates to $w watcher(s) within $(val "server-w$w" snapshot max_ms) ms"
            [ $w -eq 1 ] && server_memory_row "server-w$w" "$AFFILIATES" "$((AFFILIATES < 1000 ? AFFILIATES : 1000))" $w
        done
        ;;
    clusters)
        say "case clusters: 100 clusters x 100 affiliates, $RATE updates/s, 1 watcher each"
        start_server clusters
        load clusters --clusters 100 --affiliates 100 --watchers 1 --connections 1000 --rate "$RATE" \
            --warmup 2 --duration "$SECONDS_PER_RATE" --observe server="$server_pid"
        stop_server
        window_row "100 × 100 affiliates, $RATE updates/s, 1 watcher per cluster: update → watcher" clusters
        server_memory_row clusters 10000 1000 100
        ;;
    maxrate)
        say "case maxrate: 1 cluster x 1000 affiliates, 1 watcher, rates $MAX_RATES until one is not sustained"
        start_server maxrate
        load maxrate --clusters 1 --affiliates 1000 --watchers 1 --rate "$(tr ' ' ',' <<<"$MAX_RATES")" --ramp \
            --warmup 1 --duration 4 --observe server="$server_pid"
        stop_server
        n=$(grep -c '^RESULT window' "$work/maxrate.out")
        for i in $(seq "$n"); do
            window_row "max rate: step $i, $(val maxrate window rate "$i")/s offered" maxrate "$i"
        done
        row "highest sustained rate, 1 watcher, server on one core" "$(val maxrate ramp sustained) updates/s" \
            "stopped by: $(val maxrate ramp stopped_by | tr '_' ' ')"
        ;;
    client)
        say "case client: a nodenet daemon in a 500-affiliate cluster, $CLIENT_RATE changes/s for $CLIENT_SECONDS s, then $PROBES probes"
        start_server client
        d=$work/daemon
        mkdir -p "$d/state" "$d/run"
        ip -n "$NS" link add eth0 type veth peer name peer0
        ip -n "$NS" link set peer0 up
        cluster_id=$(head -c 32 /dev/urandom | base64)
        secret=$(head -c 32 /dev/urandom | base64)
        cat >"$d/config.yaml" <<YAML
version: v1alpha1
machine:
  type: worker
  network:
    interfaces:
      - interface: eth0
        addresses: [10.99.0.2/24]
cluster:
  id: $cluster_id
  secret: $secret
  discovery:
    enabled: true
    registries:
      kubernetes:
        disabled: true
      service:
        endpoint: http://127.0.0.1:$port
YAML
        bench_in_ns_pid "$d/pid" unshare -m -u taskset -c "$server_core" "$NODENET" daemon -c "$d/config.yaml" \
            --state-dir "$d/state" --runtime-dir "$d/run" --ready-file "$d/ready" --resolver none --log-level warn \
            >"$d/daemon.log" 2>&1 &
        pids+=($!)
        daemon_pid=$(bench_wait_pid "$d/pid")
        pids+=("$daemon_pid")
        connected() { "$NODENET" status -o json --runtime-dir "$d/run" 2>/dev/null | grep -q '"connected": *true'; }
        for _ in $(seq 1000); do [ -e "$d/ready" ] && connected && break; sleep 0.02; done
        connected || die "the daemon did not connect to the server: $(tail -3 "$d/daemon.log")"
        load client --clusters 1 --affiliates 500 --watchers 0 --cluster-id "$cluster_id" --secret "$secret" \
            --rate "0,$CLIENT_RATE" --warmup 5 --duration "$CLIENT_IDLE_SECONDS,$CLIENT_SECONDS" --probes "$PROBES" \
            --nodenet "$NODENET" --runtime-dir "$d/run" --observe daemon="$daemon_pid" --observe server="$server_pid"
        shown=$("$NODENET" get affiliates -o json --runtime-dir "$d/run" | grep -c '"hostname"' || true)
        stop_pid "$daemon_pid"
        stop_server
        di=$(val client "observe name=daemon phase=idle" rss_kb)
        dai=$(val client "observe name=daemon phase=idle" anon_kb)
        row "daemon VmRSS (RssAnon): connected, empty cluster → 500 affiliates (end)" \
            "$(mb "$di") ($(mb "$dai")) → $(mb "$(val client "observe name=daemon phase=end" rss_kb)") ($(mb "$(val client "observe name=daemon phase=end" anon_kb)"))" \
            "$(val client "observe name=daemon phase=end" threads) threads; \`get affiliates\` lists $shown"
        row "daemon CPU, 500 affiliates, no change, $CLIENT_IDLE_SECONDS s" "$(val client window daemon_cpu_pct 1) % of a core" \
            "server $(val client window server_cpu_pct 1) %"
        row "daemon CPU, $CLIENT_RATE affiliate changes/s, $CLIENT_SECONDS s" "$(val client window daemon_cpu_pct 2) % of a core" \
            "server $(val client window server_cpu_pct 2) %; generator $(val client window gen_cpu_pct 2) %; $(val client window ok 2) updates accepted"
        row "peer's update → \`nodenet get affiliates -o json\` shows it" \
            "p50 $(val client probe get_p50_ms) ms, max $(val client probe get_max_ms) ms" \
            "$PROBES probes, $(val client probe missed) missed; gets asked back to back: one of 500 affiliates takes p50 $(val client probe poll_p50_ms) ms, of the identity alone $(val client probe baseline_get_ms) ms"
        row "peer's update → \`nodenet events\` prints it" \
            "p50 $(val client probe event_p50_ms) ms, max $(val client probe event_max_ms) ms" "$(val client probe events) of $PROBES seen"
        ;;
    esac
done

echo
echo "discovery benchmarks ($cores; load $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
echo
echo "| case | result | notes |"
echo "|---|---|---|"
printf '%s\n' "${results[@]}"
echo
echo "No peer to compare with: Talos's discovery service is under the Business Source License, and there is no"
echo "other free implementation of its API to run side by side."
