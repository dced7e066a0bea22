#!/usr/bin/env bash
# Benchmark of one peer's change on a wireguard-go device with PEERS peers (default 500): nodenet's
# patch (wg_patch_bench: read, diff, write the one changed peer) side by side with `wg syncconf` of
# the same change (wg reads the device and the whole file, and sends every peer of the file without
# replace_peers, plus removals). For each: the peers the request names, its bytes, and the time.
# Everything happens in a network namespace this script creates (`ip netns add
# nodenet-wg-bench-$$-dev`); the device's UAPI socket is /var/run/wireguard/nnwgb<pid>.sock.
#
#   sudo bench/wg_patch_bench.sh                      # RUNS=5, PEERS=500, medians
#   sudo RUNS=9 PEERS=1000 BENCH=/path/to/wg_patch_bench bench/wg_patch_bench.sh
#
# wg's request is counted with strace in a second, untimed run (the "public_key=" in what it writes to the socket; a line cut
# between two write() calls may be missed, so its peer count can be low by one or two).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/bench/lib.sh"
RUNS=${RUNS:-5}
PEERS=${PEERS:-500}
BENCH=${BENCH:-$here/build/ccgcc/bench/wg_patch_bench}
PREFIX=nodenet-wg-bench-$$
NS=$PREFIX-dev
IFACE=nnwgb$(($$ % 100000))
work=$(mktemp -d)

for tool in wireguard-go wg strace; do
    command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }
done
[ -x "$BENCH" ] || { echo "$BENCH missing: cmake --build <dir> --target wg_patch_bench" >&2; exit 1; }

cleanup() {
    ip netns exec "$NS" ip link del "$IFACE" 2>/dev/null || true
    bench_cleanup_netns "$PREFIX"
    rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" wireguard-go "$IFACE" >/dev/null 2>&1
ip netns exec "$NS" ip link set "$IFACE" up

# The device: PEERS peers with random keys, one /24 each, endpoints on the namespace's loopback.
conf() {  # $1: the allowed IPs of the peer in the middle
    echo "[Interface]"
    echo "PrivateKey = $(wg genkey)"
    echo "ListenPort = 51820"
    local i
    for ((i = 0; i < PEERS; i++)); do
        echo "[Peer]"
        echo "PublicKey = ${keys[$i]}"
        echo "Endpoint = 127.0.0.1:$((20000 + i))"
        if ((i == PEERS / 2)); then echo "AllowedIPs = $1"; else echo "AllowedIPs = 10.$((i / 256)).$((i % 256)).0/24"; fi
    done
}
keys=()
for ((i = 0; i < PEERS; i++)); do keys+=("$(head -c 32 /dev/urandom | base64)"); done
conf 10.200.0.0/24 >"$work/base.conf"
private=$(sed -n 's/^PrivateKey = //p' "$work/base.conf")
ip netns exec "$NS" wg setconf "$IFACE" "$work/base.conf"
# The same device with the middle peer moved, for wg syncconf, alternating.
for v in a b; do
    net=$([ $v = a ] && echo 10.201.0.0/24 || echo 10.200.0.0/24)
    conf "$net" | sed "s|^PrivateKey = .*|PrivateKey = $private|" >"$work/$v.conf"
done

# The index of the middle peer in public-key order, which is how wg_patch_bench counts.
middle=$(printf '%s\n' "${keys[@]}" | while read -r k; do echo "$k" | base64 -d | xxd -p -c 32; done |
    sort | grep -n "^$(echo "${keys[$((PEERS / 2))]}" | base64 -d | xxd -p -c 32)\$" | cut -d: -f1)
middle=$((middle - 1))

n_peers=() n_bytes=() n_us=() w_peers=() w_bytes=() w_us=()
for ((run = 1; run <= RUNS; run++)); do
    read -r peers bytes read_us write_us < <("$BENCH" "$IFACE" "$middle")
    n_peers+=("$peers"); n_bytes+=("$bytes"); n_us+=("$((read_us + write_us))")

    # Timed without strace; then the other variant again under strace, to count what wg sends.
    t0=$EPOCHREALTIME
    ip netns exec "$NS" wg syncconf "$IFACE" "$work/a.conf"
    t1=$EPOCHREALTIME
    w_us+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%d", (b - a) * 1e6}')")
    ip netns exec "$NS" strace -f -qq -e trace=write -s 100000000 -o "$work/trace" wg syncconf "$IFACE" "$work/b.conf"
    # Only the writes from "set=1" on (the request), not wg's reads or its own output.
    awk '/write\(.*"set=1/ {on=1} on' "$work/trace" >"$work/set"
    w_peers+=("$(grep -o 'public_key=' "$work/set" | wc -l)")
    w_bytes+=("$(awk -F'= ' '{s += $NF} END {print s+0}' "$work/set")")
done

printf 'one peer changed on a %d-peer wireguard-go device, median of %d runs\n' "$PEERS" "$RUNS"
printf '%-28s %8s %10s %12s\n' "" peers bytes "time (us)"
printf '%-28s %8s %10s %12s\n' "nodenet patch (read+write)" "$(echo "${n_peers[*]}" | bench_median)" \
    "$(echo "${n_bytes[*]}" | bench_median)" "$(echo "${n_us[*]}" | bench_median)"
printf '%-28s %8s %10s %12s\n' "wg syncconf" "$(echo "${w_peers[*]}" | bench_median)" \
    "$(echo "${w_bytes[*]}" | bench_median)" "$(echo "${w_us[*]}" | bench_median)"
