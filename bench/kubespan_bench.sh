#!/usr/bin/env bash
# Benchmark of the daemon's KubeSpan: a nodenet daemon (KubeSpan on, wireguard-go as the
# `kubespan` device) in a cluster where bench/kubespan_publish.cpp publishes PEERS (500) synthetic
# Talos nodes with KubeSpan: real affiliates sealed with the cluster secret, each with an X25519
# public key, a ULA KubeSpan address, a pod CIDR (a /26 of 10.244.0.0/16), two node addresses and
# ENDPOINTS (1) endpoint(s). Nothing answers on the other end: the peers stay unknown, then down.
#
#   sudo bench/kubespan_bench.sh                      # about 5 minutes
#   sudo RUNS=5 PEERS=500 IDLE_TICKS=60 bench/kubespan_bench.sh
#
# Each run has a network namespace of its own (`ip netns add nodenet-ks-bench-$$-<run>`: loopback,
# a veth eth0, `nodenet discovery-server` on 127.0.0.1:3000, the publisher), deleted with every
# process in it at the end of the run and on exit. The daemon runs there in a private mount and
# UTS namespace (`unshare -m -u`, a tmpfs on /run: wireguard-go's socket /run/wireguard/kubespan.sock
# is the daemon's own); `wg` and `nft` are run in its namespaces with nsenter.
#
# What is measured (medians over RUNS runs, each with a fresh daemon, server and cluster):
#   a) time to a configured mesh: `wg show kubespan` lists PEERS peers, each with its allowed IPs,
#      and the routed set (`nft -j list set inet nodenet kubespan_targets_ipv4`) has every peer's
#      pod CIDR: (start) the daemon started with the PEERS affiliates already published, from its
#      start; (publish) the daemon running, connected, with an empty cluster, from the publisher's
#      first and from its last AffiliateUpdate (both acknowledged) to the configured mesh. Polled
#      back to back; the time is taken at the end of the poll that sees it, so it is high by up to
#      one poll (the table gives a poll's duration).
#   b) the daemon's CPU per unchanged tick (--kubespan-tick 1; utime+stime from /proc/PID/stat over
#      IDLE_TICKS ticks, after the peers have settled as down), per tick and per Talos 30 s tick;
#      then the device's requests over another IDLE_TICKS ticks, counted outside the daemon:
#      strace on the daemon, its writes with `set=1` (writes) and `get=1` (reads) to the UAPI socket.
#   c) one peer's change (one affiliate's pod CIDR, or its endpoint's port, moved by the publisher):
#      first one of each under strace, the peers named by the daemon's set=1 request that carries
#      it (`public_key=` lines); then PROBES of each, timed from the AffiliateUpdate's answer until
#      `wg show kubespan dump` (asked back to back) shows it. Side by side, on an equivalent
#      wireguard-go device (`wg showconf kubespan` of the daemon's, loaded in a namespace of its
#      own): `wg syncconf` of one endpoint's change, its time and the peers it sends (strace), and
#      bench/wg_patch_bench (nodenet's read, diff and one-peer write, as the daemon does it).
#      The discovery service adds endpoints, it does not replace them: a peer whose endpoint
#      "changed" has two from then on and, down, rotates between them at each connect timeout.
#   d) memory: the daemon's VmRSS and RssAnon connected with 0 peers (publish runs) and with PEERS,
#      wireguard-go's VmRSS with each.
#
# With two cores or more the daemon (and the wireguard-go it starts) run on core 1, the server and
# the publisher on core 0 (`taskset`); the script's `wg` and `nft` polls run unpinned.
#
# Environment: BUILD (build/gcc; nodenet and kubespan_publish are built there with cmake when
# missing), NODENET, PUBLISH, PATCH (wg_patch_bench, left out when missing), RUNS (3), PEERS
# (500), ENDPOINTS (1: with 2, a down peer's endpoint rotates at every connect timeout, and each
# rotation is a write), IDLE_TICKS (30), PROBES (5), KEEP_WORK=1 (keep the logs).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
BUILD=${BUILD:-$here/build/gcc}
NODENET=${NODENET:-$BUILD/nodenet}
PUBLISH=${PUBLISH:-$BUILD/bench/kubespan_publish}
PATCH=${PATCH:-$BUILD/bench/wg_patch_bench}
RUNS=${RUNS:-3}
PEERS=${PEERS:-500}
ENDPOINTS=${ENDPOINTS:-1}
IDLE_TICKS=${IDLE_TICKS:-30}
PROBES=${PROBES:-5}
CONNECT_TIMEOUT=3
PREFIX=nodenet-ks-bench-$$

die() { echo "kubespan_bench: $*" >&2; exit 1; }
say() { echo "kubespan_bench: $*" >&2; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces): sudo $0"
for v in RUNS PEERS ENDPOINTS IDLE_TICKS PROBES; do [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number"; done
((PEERS >= 1 && PEERS <= 1024)) || die "PEERS: 1 to 1024"
for tool in ip unshare nsenter taskset wireguard-go wg nft strace jq; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done

if [ ! -x "$NODENET" ] || [ ! -x "$PUBLISH" ]; then
    say "building nodenet and kubespan_publish in $BUILD"
    [ -f "$BUILD/build.ninja" ] || [ -f "$BUILD/Makefile" ] ||
        cmake -S "$here" -B "$BUILD" -G Ninja -DNODENET_BENCH=ON >/dev/null
    cmake --build "$BUILD" --target nodenet kubespan_publish -j2 >/dev/null || die "the build failed"
fi
[ -x "$NODENET" ] || die "$NODENET not found: set NODENET or BUILD"
[ -x "$PUBLISH" ] || die "$PUBLISH not found: set PUBLISH or BUILD (configured with -DNODENET_BENCH=ON)"

work=$(mktemp -d /tmp/nodenet-ks-bench.XXXXXX)
# Private copies: a rebuild during the run must not change what is measured.
cp "$NODENET" "$(dirname "$NODENET")"/nodenet-*.so "$work/"
cp "$PUBLISH" "$work/kubespan_publish"
if [ -x "$PATCH" ]; then cp "$PATCH" "$work/wg_patch_bench"; PATCH=$work/wg_patch_bench; else PATCH=; fi
NODENET=$work/nodenet
PUBLISH=$work/kubespan_publish
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    exec 7>&-
    bench_cleanup_netns "$PREFIX"
    wait 2>/dev/null || true
    if [ "${KEEP_WORK:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$(nproc)" -ge 2 ]; then daemon_core=1 other_core=0; else daemon_core=0 other_core=0; fi

# ---------------------------------------------------------------- helpers
stop_pid() {
    local _
    kill "$1" 2>/dev/null || return 0
    for _ in $(seq 500); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.01; done
    kill -9 "$1" 2>/dev/null || true
}
now() { echo "$EPOCHREALTIME"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f", (b - a) * 1000}'; }
# In the daemon's network and mount namespaces (wg finds wireguard-go's socket there).
ks() { nsenter -t "$daemon_pid" -m -n -- "$@"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
mb() { awk -v k="$1" 'BEGIN {if (k == "") print "-"; else printf "%.1f", k / 1024}'; }
wg_go_pid() { ip netns pids "$NS" | while read -r p; do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = wireguard-go ] && echo "$p"; done | head -1; }
HZ=$(getconf CLK_TCK)

# Addresses in the routed IPv4 set (nft prints it merged: prefixes and ranges), as "<in the pod
# CIDRs' 10.244.0.0/15> <elsewhere>".
# shellcheck disable=SC2016 # jq's variables
routed_jq='def n: split(".") | map(tonumber) | .[0] * 16777216 + .[1] * 65536 + .[2] * 256 + .[3];
  [.nftables[] | select(.set) | .set.elem[]? | (if type == "object" and has("elem") then .elem.val else . end) |
   if type == "string" then {a: n, c: 1}
   elif has("prefix") then {a: (.prefix.addr | n), c: pow(2; 32 - .prefix.len)}
   elif has("range") then {a: (.range[0] | n), c: ((.range[1] | n) - (.range[0] | n) + 1)}
   else empty end] |
  ("10.244.0.0" | n) as $lo | ("10.246.0.0" | n) as $hi |
  "\(map(select(.a >= $lo and .a < $hi) | .c) | add // 0) \(map(select(.a < $lo or .a >= $hi) | .c) | add // 0)"'
routed_addresses() {
    ks nft -j list set inet nodenet kubespan_targets_ipv4 2>/dev/null | jq -r "$routed_jq" 2>/dev/null || echo "0 0"
}
# The mesh's state: "<peers> <peers with allowed IPs> <pod CIDR addresses routed> <others routed>".
mesh_state() {
    local peers ips
    peers=$(ks wg show kubespan peers 2>/dev/null | grep -c . || true)
    ips=$(ks wg show kubespan allowed-ips 2>/dev/null | grep -vc '(none)' || true)
    echo "${peers:-0} ${ips:-0} $(routed_addresses)"
}
# Waits (up to a minute or so) for the full mesh; prints the time it was first seen (at the end
# of the poll that saw it) and how long that poll took (its resolution), in ms.
wait_mesh() {
    local _ p i r t
    for _ in $(seq 1200); do
        t=$(now)
        read -r p i r _ < <(mesh_state)
        if [ "$p" -eq "$PEERS" ] && [ "$i" -eq "$PEERS" ] && [ "$r" -eq $((PEERS * 64)) ]; then
            t2=$(now)
            echo "$t2 $(ms "$t" "$t2")"
            return 0
        fi
        sleep 0.02
    done
    say "no mesh of $PEERS peers (peers, with allowed IPs, pod and other addresses routed: $(mesh_state)): $(tail -2 "$run_dir/daemon.log")"
    kill -TERM $$  # from inside $(...): end the script, not only this subshell
    exit 1
}

# ---------------------------------------------------------------- one run's machine
# new_ns RUN: the namespace, its veth and a discovery server; sets NS, run_dir, cluster_id, secret.
new_ns() {
    NS=$PREFIX-$1
    run_dir=$work/$1
    mkdir -p "$run_dir/state" "$run_dir/run"
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    ip -n "$NS" link add eth0 type veth peer name peer0
    ip -n "$NS" link set peer0 up
    rm -f "$run_dir/server-ready"
    bench_in_ns_pid "$run_dir/server.pid" taskset -c "$other_core" "$NODENET" discovery-server --listen 127.0.0.1:3000 \
        --rate-limit 0 --ready-file "$run_dir/server-ready" 2>"$run_dir/server.log" &
    pids+=($!)
    local _
    for _ in $(seq 1000); do [ -s "$run_dir/server-ready" ] && break; sleep 0.01; done
    [ -s "$run_dir/server-ready" ] || die "discovery-server did not start: $(tail -2 "$run_dir/server.log")"
    cluster_id=ksbench-$1-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
    secret=$(head -c 32 /dev/urandom | base64)
}
# kill_ns NAME: every process in the namespace (wireguard-go outlives the daemon), then the namespace.
kill_ns() {
    local _
    ip netns pids "$1" 2>/dev/null | xargs -r kill 2>/dev/null || true
    for _ in $(seq 100); do [ -z "$(ip netns pids "$1" 2>/dev/null)" ] && break; sleep 0.02; done
    ip netns pids "$1" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$1" 2>/dev/null || true
}
end_ns() {
    exec 7>&-  # the publisher ends at EOF
    wait "$publish_pid" 2>/dev/null || true
    kill_ns "$NS"
}
# start_daemon: sets daemon_pid; returns once it is ready and connected to the server.
start_daemon() {
    cat >"$run_dir/config.yaml" <<YAML
version: v1alpha1
machine:
  type: worker
  network:
    hostname: ksbench-node
    interfaces:
      - interface: eth0
        addresses: [10.99.0.2/24]
    kubespan:
      enabled: true
cluster:
  id: $cluster_id
  secret: $secret
  discovery:
    enabled: true
    registries:
      kubernetes:
        disabled: true
      service:
        endpoint: http://127.0.0.1:3000
YAML
    rm -f "$run_dir/ready"
    # shellcheck disable=SC2016 # expanded by the inner shell
    bench_in_ns_pid "$run_dir/daemon.pid" unshare -m -u sh -c \
        'mount --make-rprivate / && mount -t tmpfs tmpfs /run && mkdir /run/wireguard && exec "$@"' sh \
        taskset -c "$daemon_core" "$NODENET" daemon -c "$run_dir/config.yaml" --state-dir "$run_dir/state" \
        --runtime-dir "$run_dir/run" --ready-file "$run_dir/ready" --resolver none --log-level warn \
        --kubespan-tick 1 --kubespan-connect-timeout "$CONNECT_TIMEOUT" >"$run_dir/daemon.log" 2>&1 &
    pids+=($!)
    daemon_pid=$(bench_wait_pid "$run_dir/daemon.pid")
    pids+=("$daemon_pid")
}
daemon_connected() {
    "$NODENET" status -o json --runtime-dir "$run_dir/run" 2>/dev/null | grep -q '"connected": *true'
}
wait_connected() {
    local _
    for _ in $(seq 1500); do [ -e "$run_dir/ready" ] && daemon_connected && return 0; sleep 0.02; done
    die "the daemon did not connect to the server: $(tail -3 "$run_dir/daemon.log")"
}
# start_publisher: the publisher on fd 7 (commands) and $run_dir/publish.out (answers); returns
# once every affiliate is published.
start_publisher() {
    rm -f "$run_dir/publish.in"
    mkfifo "$run_dir/publish.in"
    ip netns exec "$NS" taskset -c "$other_core" "$PUBLISH" --target 127.0.0.1:3000 --cluster-id "$cluster_id" \
        --secret "$secret" --affiliates "$PEERS" --endpoints "$ENDPOINTS" \
        <"$run_dir/publish.in" >"$run_dir/publish.out" 2>"$run_dir/publish.err" &
    publish_pid=$!
    pids+=("$publish_pid")
    exec 7>"$run_dir/publish.in"
    local _
    for _ in $(seq 3000); do grep -q '^published' "$run_dir/publish.out" && return 0; sleep 0.01; done
    die "the publisher did not publish: $(tail -2 "$run_dir/publish.err")"
}
# field LINE KEY: KEY's value in a `key=value ...` line.
field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k {sub(/^[^=]*=/, ""); print; exit}'; }
# ask COMMAND: sends it to the publisher; prints its `done` answer.
ask() {
    local n
    n=$(grep -c '^done' "$run_dir/publish.out" || true)
    echo "$1" >&7
    local _
    for _ in $(seq 1000); do
        if [ "$(grep -c '^done' "$run_dir/publish.out" || true)" -gt "$n" ]; then grep '^done' "$run_dir/publish.out" | tail -1; return 0; fi
        sleep 0.005
    done
    say "no answer from the publisher to $1: $(tail -2 "$run_dir/publish.err")"
    kill -TERM $$
    exit 1
}
# wait_shown KIND KEY VALUE: until `wg show kubespan dump` shows the peer KEY with that endpoint or
# allowed IP; prints the time (up to 30 s).
wait_shown() {
    local _ line
    for _ in $(seq 30000); do
        line=$(ks wg show kubespan dump | awk -v k="$2" '$1 == k')
        case $1 in
        endpoint) [ "$(cut -f3 <<<"$line")" = "$3" ] && { now; return 0; } ;;
        address) [[ ",$(cut -f4 <<<"$line")," == *",$3,"* ]] && { now; return 0; } ;;
        esac
    done
    say "the device never showed $1 $3 for $2"
    kill -TERM $$
    exit 1
}
# strace_start FILE / strace_stop: the daemon's writes to sockets (the UAPI's) while it runs.
strace_start() {
    strace -f -qq -p "$daemon_pid" -e trace=write,writev,sendmsg,sendto -s 1000000 -o "$1" &
    strace_pid=$!
    sleep 0.5  # attached to every thread
}
strace_stop() { kill -INT "$strace_pid" 2>/dev/null || true; wait "$strace_pid" 2>/dev/null || true; }
# requests FILE: "<set=1 requests> <get=1 requests> <public_key= lines in the set=1 requests> <their bytes>"
requests() {
    awk '/"set=1\\n/ {s++; n += gsub(/public_key=/, "&"); b += $NF} /"get=1\\n/ {g++} END {printf "%d %d %d %d\n", s, g, n, b}' "$1"
}

# ---------------------------------------------------------------- the runs
start_ms=() pub_first_ms=() pub_last_ms=() idle_cpu_ms=() idle_sets=() idle_gets=()
rss0=() anon0=() wg0=() rss_n=() anon_n=() wg_n=()
ep_ms=() addr_ms=() ep_peers=() ep_bytes=() addr_peers=() addr_bytes=() sync_ms=() sync_peers=() sync_bytes=()
routed_n=() poll_ms=() wg_cpu_ms=() patch_peers=() patch_bytes=() patch_ms=()
say "$(nproc) cores, daemon on core $daemon_core; $PEERS peers, $RUNS runs; load $(cut -d' ' -f1-3 /proc/loadavg)"

for ((run = 1; run <= RUNS; run++)); do
    # (a, start) the affiliates first, then the daemon.
    say "run $run: daemon started with $PEERS affiliates published"
    new_ns "s$run"
    start_publisher
    t0=$(now)
    start_daemon
    read -r t1 poll < <(wait_mesh)
    start_ms+=("$(ms "$t0" "$t1")") poll_ms+=("$poll")
    stop_pid "$daemon_pid"
    end_ns

    # (a, publish) the daemon first, then the affiliates; then b, c and d on this mesh.
    say "run $run: $PEERS affiliates published to a running daemon; idle ticks, probes"
    new_ns "p$run"
    start_daemon
    wait_connected
    for _ in $(seq 500); do ks wg show kubespan >/dev/null 2>&1 && break; sleep 0.02; done
    sleep 3
    rss0+=("$(status_kb "$daemon_pid" VmRSS)") anon0+=("$(status_kb "$daemon_pid" RssAnon)")
    wgp=$(wg_go_pid)
    wg0+=("$(status_kb "$wgp" VmRSS)")
    start_publisher
    read -r t1 poll < <(wait_mesh)
    poll_ms+=("$poll")
    line=$(grep '^published' "$run_dir/publish.out")
    pub_first_ms+=("$(ms "$(field "$line" first)" "$t1")")
    pub_last_ms+=("$(ms "$(field "$line" last)" "$t1")")
    routed_n+=("$(mesh_state | cut -d' ' -f3-4 | tr ' ' /)")

    # (b) settled: every peer past its connect timeout (down), a few ticks more.
    sleep $((CONNECT_TIMEOUT + 4))
    c0=$(cpu_ticks "$daemon_pid") w0=$(cpu_ticks "$wgp")
    sleep "$IDLE_TICKS"
    c1=$(cpu_ticks "$daemon_pid") w1=$(cpu_ticks "$wgp")
    wg_cpu_ms+=("$(awk -v a="$w0" -v b="$w1" -v hz="$HZ" -v n="$IDLE_TICKS" 'BEGIN {printf "%.2f", (b - a) * 1000 / hz / n}')")
    idle_cpu_ms+=("$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v n="$IDLE_TICKS" 'BEGIN {printf "%.2f", (b - a) * 1000 / hz / n}')")
    strace_start "$run_dir/idle.trace"
    sleep "$IDLE_TICKS"
    strace_stop
    read -r s g _ _ < <(requests "$run_dir/idle.trace")
    idle_sets+=("$s") idle_gets+=("$g")
    rss_n+=("$(status_kb "$daemon_pid" VmRSS)") anon_n+=("$(status_kb "$daemon_pid" RssAnon)") wg_n+=("$(status_kb "$wgp" VmRSS)")

    # (c) one peer's change: first one of each counted under strace (before any endpoint change:
    # the discovery service adds endpoints, it does not replace them, so from then on the peer has
    # two and, down, rotates between them at every connect timeout, which is a write of its own).
    for kind in address endpoint; do
        strace_start "$run_dir/$kind.trace"
        if [ $kind = endpoint ]; then line=$(ask "endpoint $((PEERS - 1))"); else line=$(ask "address $((PEERS - 2))"); fi
        value=$(field "$line" "$([ $kind = endpoint ] && echo endpoint || echo cidr)")
        wait_shown "$kind" "$(field "$line" key)" "$value" >/dev/null
        strace_stop
        # The request that carried the change: the one naming the peer with its new value.
        hex=$(field "$line" key | base64 -d | od -An -tx1 | tr -d ' \n')
        grep '"set=1\\n' "$run_dir/$kind.trace" | grep "public_key=$hex" | grep -F "$value" | tail -1 >"$run_dir/$kind.set" || true
        read -r _ _ n b < <(requests "$run_dir/$kind.set")
        if [ $kind = endpoint ]; then ep_peers+=("$n") ep_bytes+=("$b"); else addr_peers+=("$n") addr_bytes+=("$b"); fi
    done

    # (c) then timed, without strace (PROBES of each kind, other peers).
    for ((i = 0; i < PROBES; i++)); do
        peer=$((PEERS * (2 * i + 1) / (4 * PROBES + 2)))
        line=$(ask "endpoint $peer")
        t2=$(wait_shown endpoint "$(field "$line" key)" "$(field "$line" endpoint)")
        ep_ms+=("$(ms "$(field "$line" acked)" "$t2")")
        peer=$((PEERS * (2 * i + 2) / (4 * PROBES + 2)))
        line=$(ask "address $peer")
        t2=$(wait_shown address "$(field "$line" key)" "$(field "$line" cidr)")
        addr_ms+=("$(ms "$(field "$line" acked)" "$t2")")
    done
    # (c, peer) wg syncconf of one endpoint's change on an equivalent device: the daemon's, as
    # `wg showconf` prints it, on a wireguard-go of its own (namespace and /run of its own).
    ks wg showconf kubespan >"$run_dir/base.conf"
    stop_pid "$daemon_pid"
    ref=$PREFIX-ref$run
    ip netns add "$ref"
    # shellcheck disable=SC2016
    ip netns exec "$ref" unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs tmpfs /run && mkdir /run/wireguard &&
        exec env WG_PROCESS_FOREGROUND=1 taskset -c "$0" wireguard-go kubespan' "$daemon_core" >/dev/null 2>&1 &
    pids+=($!)
    ref_pid=$!
    for _ in $(seq 500); do nsenter -t "$ref_pid" -m -n -- wg show kubespan >/dev/null 2>&1 && break; sleep 0.02; done
    nsenter -t "$ref_pid" -m -n -- wg setconf kubespan "$run_dir/base.conf"
    # The peer in the middle of the file: its endpoint's port moved, then moved back.
    key=$(awk '/^PublicKey/ {n++; if (n == '"$((PEERS / 2))"') {print $3; exit}}' "$run_dir/base.conf")
    awk -v k="$key" '/^PublicKey/ {on = ($3 == k)} on && /^Endpoint/ {sub(/:[0-9]+$/, ":40000")} {print}' \
        "$run_dir/base.conf" >"$run_dir/a.conf"
    t0=$(now)
    nsenter -t "$ref_pid" -m -n -- wg syncconf kubespan "$run_dir/a.conf"
    t1=$(now)
    sync_ms+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) * 1000}')")
    nsenter -t "$ref_pid" -m -n -- strace -f -qq -e trace=write -s 100000000 -o "$run_dir/sync.trace" \
        wg syncconf kubespan "$run_dir/base.conf"
    awk '/write\(.*"set=1/ {on=1} on' "$run_dir/sync.trace" >"$run_dir/sync.set"
    sync_peers+=("$(grep -o 'public_key=' "$run_dir/sync.set" | wc -l)")
    sync_bytes+=("$(awk -F'= ' '{s += $NF} END {print s+0}' "$run_dir/sync.set")")
    if [ -n "$PATCH" ]; then
        read -r peers bytes read_us write_us < <(nsenter -t "$ref_pid" -m -n -- "$PATCH" kubespan "$((PEERS / 2))")
        patch_peers+=("$peers") patch_bytes+=("$bytes") patch_ms+=("$(awk -v r="$read_us" -v w="$write_us" 'BEGIN {printf "%.1f", (r + w) / 1000}')")
    fi
    stop_pid "$ref_pid"
    kill_ns "$ref"
    end_ns
done

# ---------------------------------------------------------------- the table
med() { echo "$*" | bench_median; }
echo
echo "KubeSpan benchmark: $PEERS peers ($ENDPOINTS endpoint(s) each), medians of $RUNS runs; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo
echo "| measure | nodenet daemon | notes |"
echo "|---|---|---|"
echo "| daemon start → mesh configured ($PEERS peers in \`wg show\`, allowed IPs, routed set) | $(med "${start_ms[*]}") ms | runs: ${start_ms[*]} ms; polled back to back, one poll (wg show ×2, nft list) takes $(med "${poll_ms[*]}") ms |"
echo "| publisher's first update → mesh configured (daemon running) | $(med "${pub_first_ms[*]}") ms | runs: ${pub_first_ms[*]} ms |"
echo "| publisher's last update → mesh configured | $(med "${pub_last_ms[*]}") ms | runs: ${pub_last_ms[*]} ms; addresses in the routed IPv4 set, pod CIDRs/other: ${routed_n[*]} |"
cpu=$(med "${idle_cpu_ms[*]}")
echo "| daemon CPU per unchanged tick ($PEERS peers settled, --kubespan-tick 1) | $cpu ms | $(awk -v c="$cpu" 'BEGIN {printf "%.2f %% of a core at 1 s ticks; %.3f %% at Talos'"'"'s 30 s tick", c / 10, c / 300}'); runs: ${idle_cpu_ms[*]} ms; wireguard-go meanwhile $(med "${wg_cpu_ms[*]}") ms per tick (answering the reads) |"
echo "| device writes (set=1) during $IDLE_TICKS unchanged ticks | $(med "${idle_sets[*]}") | counted by strace on the daemon; reads (get=1): $(med "${idle_gets[*]}"); runs: ${idle_sets[*]} |"
echo "| one affiliate's endpoint changed: publisher's update → \`wg show\` | $(med "${ep_ms[*]}") ms | $PROBES probes × $RUNS runs; max $(printf '%s\n' "${ep_ms[@]}" | sort -g | tail -1) ms |"
echo "| one affiliate's pod CIDR changed: publisher's update → \`wg show\` | $(med "${addr_ms[*]}") ms | max $(printf '%s\n' "${addr_ms[@]}" | sort -g | tail -1) ms |"
echo "| peers written for one endpoint change / one CIDR change | $(med "${ep_peers[*]}") / $(med "${addr_peers[*]}") | $(med "${ep_bytes[*]}") / $(med "${addr_bytes[*]}") bytes: the daemon's set=1 request that carried the change (strace) |"
echo "| \`wg syncconf\` of one endpoint change, equivalent $PEERS-peer wireguard-go device | $(med "${sync_ms[*]}") ms | peers sent $(med "${sync_peers[*]}"), $(med "${sync_bytes[*]}") bytes (wg reads the device, sends every peer of the file) |"
[ -z "$PATCH" ] || echo "| nodenet's patch of one peer's change, same device (wg_patch_bench: read, diff, write) | $(med "${patch_ms[*]}") ms | peers sent $(med "${patch_peers[*]}"), $(med "${patch_bytes[*]}") bytes |"
echo "| daemon VmRSS (RssAnon): 0 peers → $PEERS peers | $(mb "$(med "${rss0[*]}")") ($(mb "$(med "${anon0[*]}")")) → $(mb "$(med "${rss_n[*]}")") ($(mb "$(med "${anon_n[*]}")")) MB | |"
echo "| wireguard-go VmRSS: 0 peers → $PEERS peers | $(mb "$(med "${wg0[*]}")") → $(mb "$(med "${wg_n[*]}")") MB | started by the daemon |"
