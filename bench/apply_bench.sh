#!/usr/bin/env bash
# Benchmarks of `nodenet apply` against the kernel-bound baseline (`ip -batch`) and systemd-networkd,
# side by side in one run. Everything happens inside network namespaces this script creates
# (`ip netns add nodenet-bench-$$-...` and `unshare -m -n`); the host's own network is never touched.
#
#   sudo bench/apply_bench.sh              # RUNS=5 runs per case, medians
#   sudo RUNS=9 bench/apply_bench.sh
#
# Environment: RUNS (default 5), NODENET (default build/gcc/nodenet), ROUTES (default 10000),
# SMALL_ROUTES (default 200), BRIDGES (default 500), SKIP_NETWORKD=1 to leave networkd out.
# Times are wall clock from process start to exit (or, for networkd, from exec until the routes are
# in the kernel); every command runs through `ip netns exec`, so the exec overhead is the same on
# each side. Speed is reported as ratios against a peer measured in the same run.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BENCH_LIB=$here/bench/lib.sh
# shellcheck source=bench/lib.sh
. "$BENCH_LIB"
RUNS=${RUNS:-5}
NODENET=${NODENET:-$here/build/gcc/nodenet}
ROUTES=${ROUTES:-10000}
SMALL_ROUTES=${SMALL_ROUTES:-200}
BRIDGES=${BRIDGES:-500}
SKIP_NETWORKD=${SKIP_NETWORKD:-0}
NETWORKD=${NETWORKD:-/lib/systemd/systemd-networkd}
PREFIX=nodenet-bench-$$

die() { echo "apply_bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces): sudo $0"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer"
[ -x "$NODENET" ] || die "$NODENET not found: build it first (scripts/build gcc)"
command -v ip >/dev/null || die "iproute2 (ip) is missing"
if [ ! -x /usr/bin/time ]; then
    echo "apply_bench: installing GNU time (for peak RSS)" >&2
    apt-get install -y -qq time >/dev/null || die "cannot install GNU time"
fi

work=$(mktemp -d /tmp/nodenet-bench.XXXXXX)
# a private copy: a rebuild during the run must not change what is measured (with the modules
# built beside it, which the copy finds beside itself: common/module_loader.h)
cp "$NODENET" "$work/nodenet"
cp "$(dirname "$NODENET")"/nodenet-*.so "$work/" 2>/dev/null || true
NODENET_SRC=$NODENET
NODENET=$work/nodenet
nscount=0
cleanup() {
    bench_cleanup_netns "$PREFIX"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000 )) | awk '{printf "%.1f", $1 / 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b + 0 == 0) print "nan"; else printf "%.2f", a / b}'; }

# A fresh namespace: lo up; with "veth", eth0 (down, as a fresh NIC) whose peer is up (carrier).
new_ns() {
    nscount=$((nscount + 1))
    local ns=$PREFIX-$1-$nscount
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    if [ "${2:-}" = veth ]; then
        ip -n "$ns" link add eth0 type veth peer name peer0
        ip -n "$ns" link set peer0 up
    fi
    echo "$ns"
}
del_ns() { ip netns pids "$1" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; ip netns del "$1"; }

# ---------------------------------------------------------------- inputs
# route i (0-based) is 10.<1 + i/256>.<i%256>.0/24 via 10.0.0.1, metric 1024 (what nodenet's metric 0 means)
# (bench_route_awk, bench_gen_routes_yaml and bench_gen_routes_network are in bench/lib.sh)
gen_routes_batch() {
    printf 'link set eth0 up\naddress add 10.0.0.2/16 dev eth0\n'
    awk -v n="$1" "$bench_route_awk"' BEGIN { for (i = 0; i < n; i++) printf "route add %s via 10.0.0.1 dev eth0 metric 1024\n", net(i) }'
}
bridge_awk='function addr(i) { return sprintf("10.%d.%d.1/24", 1 + int(i / 256), i % 256) }'
gen_bridges_yaml() {
    printf 'version: v1alpha1\nmachine:\n  type: worker\n  network:\n    interfaces:\n'
    awk -v n="$1" "$bridge_awk"' BEGIN { for (i = 0; i < n; i++) printf "      - interface: br%d\n        bridge:\n          stp:\n            enabled: false\n        addresses: [%s]\n", i, addr(i) }'
}
gen_bridges_batch() {
    awk -v n="$1" "$bridge_awk"' BEGIN { for (i = 0; i < n; i++) printf "link add br%d type bridge stp_state 0\naddress add %s dev br%d\nlink set br%d up\n", i, addr(i), i, i }'
}

bench_gen_routes_yaml "$ROUTES" >"$work/routes.yaml"
gen_routes_batch "$ROUTES" >"$work/routes.batch"
bench_gen_routes_network "$ROUTES" >"$work/routes.network"
bench_gen_routes_yaml "$SMALL_ROUTES" >"$work/small.yaml"
bench_gen_routes_network "$SMALL_ROUTES" >"$work/small.network"
gen_bridges_yaml "$BRIDGES" >"$work/bridges.yaml"
gen_bridges_batch "$BRIDGES" >"$work/bridges.batch"
"$NODENET" validate "$work/routes.yaml" "$work/small.yaml" "$work/bridges.yaml" >/dev/null ||
    die "a generated config does not validate"

# ---------------------------------------------------------------- runners
# Each prints "MS RSS_KB" of one run of the command inside namespace $1. Output goes to $work/last.out.
timed() {
    local ns=$1; shift
    local t0 rc=0
    t0=$(now_ns)
    /usr/bin/time -f %M -o "$work/rss" ip netns exec "$ns" "$@" >"$work/last.out" 2>&1 || rc=$?
    local ms; ms=$(ms_since "$t0")
    if [ $rc -ne 0 ]; then
        echo "apply_bench: failed (exit $rc) in $ns: $*" >&2
        tail -5 "$work/last.out" >&2
        return 1
    fi
    echo "$ms $(tail -1 "$work/rss")"
}

# check that namespace $1 holds $2 IPv4 routes in the main table
expect_routes() {
    local n; n=$(ip -n "$1" -4 route show table main | wc -l)
    [ "$n" -eq "$2" ] || die "$1: expected $2 routes, found $n"
}

# networkd runs standalone in a private mount+net namespace, set up as bench/lib.sh describes
# (bench_networkd_env): tmpfs on /run and /etc/systemd/network, a fresh read-only sysfs, a private
# system dbus-daemon, and the systemd-network user.
cat >"$work/networkd_inner.sh" <<'INNER'
#!/usr/bin/env bash
set -euo pipefail
netfile=$1 want=$2 networkd=$3 log=$4
# shellcheck source=bench/lib.sh
. "$BENCH_LIB"
trap bench_stop_pids EXIT
bench_private_run
bench_networkd_env 2>"$log.env" || { echo "blocked: $(cat "$log.env")" >&2; exit 3; }
cp "$netfile" /etc/systemd/network/50-eth0.network
ip link set lo up
ip link add eth0 type veth peer name peer0
ip link set peer0 up
t0=$(date +%s%N)
SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=notice "$networkd" >"$log" 2>&1 &
networkd_pid=$!
bench_pids+=("$networkd_pid")
n=0
while :; do
    n=$(ip -4 route show table main | wc -l)
    [ "$n" -ge "$want" ] && break
    if ! kill -0 "$networkd_pid" 2>/dev/null; then echo "blocked: systemd-networkd exited: $(tail -1 "$log")" >&2; exit 3; fi
    if grep -q '^eth0: Failed' "$log"; then
        echo "failed: eth0 went to state failed after $(( ($(date +%s%N) - t0) / 1000000 )) ms with $n of $want routes: $(grep -m1 'Failed to' "$log")" >&2
        exit 4
    fi
    if [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 60000 ]; then echo "blocked: $n of $want routes after 60 s" >&2; exit 3; fi
    sleep 0.002
done
t1=$(date +%s%N)
echo $(( (t1 - t0) / 1000 ))
INNER

# prints ms of one networkd run with .network $1 expecting $2 routes; on failure prints the reason to stderr
networkd_once() {
    local us
    us=$(unshare -m -n bash "$work/networkd_inner.sh" "$1" "$2" "$NETWORKD" "$work/networkd.log" 2>"$work/networkd.err") ||
        { grep -E -m1 '^(blocked|failed):' "$work/networkd.err" >&2 || tail -1 "$work/networkd.err" >&2; return 1; }
    awk -v us="$us" 'BEGIN {printf "%.1f\n", us / 1000}'
}

networkd_blocked=""
networkd_big_failed=""
if [ "$SKIP_NETWORKD" = 1 ]; then networkd_blocked="skipped (SKIP_NETWORKD=1)"
else networkd_blocked=$(bench_networkd_missing "$NETWORKD"); fi

# ---------------------------------------------------------------- measurements
declare -a t_batch t_apply t_reapply t_wrap rss_apply rss_batch t_nd t_small t_nd_small t_brb t_bra rss_bra
echo "apply_bench: $RUNS run(s) per case; nodenet = $NODENET_SRC ($(git -C "$here" describe --always --dirty 2>/dev/null || echo unknown))" >&2
for run in $(seq "$RUNS"); do
    echo "apply_bench: run $run/$RUNS" >&2
    # 1a: ip -batch, 10,000 routes
    ns=$(new_ns batch veth)
    out=$(timed "$ns" ip -batch "$work/routes.batch"); read -r ms rss <<<"$out"
    t_batch+=("$ms"); rss_batch+=("$rss")
    expect_routes "$ns" $((ROUTES + 1)); del_ns "$ns"
    # 1b, 1c, 1d: nodenet apply, then the no-op re-apply
    ns=$(new_ns apply veth); st=$work/state-$ns; mkdir -p "$st"
    out=$(timed "$ns" "$NODENET" apply -c "$work/routes.yaml" --state-dir "$st"); read -r ms rss <<<"$out"
    t_apply+=("$ms"); rss_apply+=("$rss")
    expect_routes "$ns" $((ROUTES + 1))
    out=$(timed "$ns" "$NODENET" apply -c "$work/routes.yaml" --state-dir "$st"); read -r ms _ <<<"$out"
    grep -q '^No changes' "$work/last.out" || die "re-apply was not a no-op: $(tail -1 "$work/last.out")"
    t_reapply+=("$ms")
    # What every timed command pays before and after the program itself (/usr/bin/time, ip netns
    # exec): the same for the apply and the no-op, so it is taken out of their ratio.
    out=$(timed "$ns" true); read -r ms _ <<<"$out"
    t_wrap+=("$ms")
    del_ns "$ns"
    # 2: 200 routes, nodenet
    ns=$(new_ns small veth); st=$work/state-$ns; mkdir -p "$st"
    out=$(timed "$ns" "$NODENET" apply -c "$work/small.yaml" --state-dir "$st"); read -r ms _ <<<"$out"
    t_small+=("$ms")
    expect_routes "$ns" $((SMALL_ROUTES + 1)); del_ns "$ns"
    # 3: 500 bridges
    ns=$(new_ns brbatch)
    out=$(timed "$ns" ip -batch "$work/bridges.batch"); read -r ms _ <<<"$out"
    t_brb+=("$ms"); del_ns "$ns"
    ns=$(new_ns brapply); st=$work/state-$ns; mkdir -p "$st"
    out=$(timed "$ns" "$NODENET" apply -c "$work/bridges.yaml" --state-dir "$st"); read -r ms rss <<<"$out"
    t_bra+=("$ms"); rss_bra+=("$rss")
    n=$(ip -n "$ns" -4 -o addr show | grep -c ' br[0-9]* ')
    [ "$n" -eq "$BRIDGES" ] || die "bridges: expected $BRIDGES addresses, found $n"
    del_ns "$ns"
    # 1e and 2: systemd-networkd
    if [ -z "$networkd_blocked" ] && [ -z "$networkd_big_failed" ]; then
        if ms=$(networkd_once "$work/routes.network" $((ROUTES + 1)) 2>"$work/nd.reason"); then t_nd+=("$ms")
        elif grep -q '^failed:' "$work/nd.reason"; then networkd_big_failed=$(head -1 "$work/nd.reason")
        else networkd_blocked=$(head -1 "$work/nd.reason" | sed 's/^blocked: //'); fi
    fi
    if [ -z "$networkd_blocked" ]; then
        if ms=$(networkd_once "$work/small.network" $((SMALL_ROUTES + 1)) 2>"$work/nd.reason"); then t_nd_small+=("$ms")
        else networkd_blocked=$(head -1 "$work/nd.reason" | sed 's/^blocked: //'); fi
    fi
done

med() { printf '%s\n' "$@" | bench_median; }
m_batch=$(med "${t_batch[@]}"); m_apply=$(med "${t_apply[@]}"); m_reapply=$(med "${t_reapply[@]}"); m_wrap=$(med "${t_wrap[@]}")
m_rss=$(med "${rss_apply[@]}"); m_rss_batch=$(med "${rss_batch[@]}")
m_small=$(med "${t_small[@]}"); m_brb=$(med "${t_brb[@]}"); m_bra=$(med "${t_bra[@]}"); m_rss_bra=$(med "${rss_bra[@]}")
verdict() { awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN { ok = (op == "<=" ? v <= g : op == "<" ? v < g : v >= g); print (ok ? "met" : "MISSED") }'; }

r_apply=$(ratio "$m_apply" "$m_batch")
r_reapply=$(ratio "$m_reapply" "$m_apply")
r_reapply_net=$(awk -v n="$m_reapply" -v a="$m_apply" -v w="$m_wrap" 'BEGIN {printf "%.4f", (n - w) / (a - w)}')
r_br=$(ratio "$m_bra" "$m_brb")
echo
echo "nodenet apply benchmarks - $(uname -r), $(nproc) CPUs, $RUNS runs, medians (ms; RSS in MB)"
echo
printf '| %-58s | %10s | %-34s | %-6s |\n' "case" "median" "ratio" "goal"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..36})" "$(printf -- '-%.0s' {1..8})"
row() { printf '| %-58s | %10s | %-34s | %-6s |\n' "$1" "$2" "$3" "$4"; }
row "1a ip -batch: link up + address + $ROUTES routes" "$m_batch" "1.00 (baseline)" ""
row "1b nodenet apply: same, from a fresh namespace" "$m_apply" "$r_apply x ip -batch (goal <= 1.3)" "$(verdict "$r_apply" "<=" 1.3)"
row "1c nodenet re-apply (no-op)" "$m_reapply" "$(awk -v r="$r_reapply" 'BEGIN{printf "%.1f", r*100}') % of apply with the wrapper" ""
row "   the same without the wrapper (time, ip netns exec: $m_wrap)" "" "$(awk -v r="$r_reapply_net" 'BEGIN{printf "%.1f", r*100}') % of apply (goal <= 10 %)" "$(verdict "$r_reapply_net" "<=" 0.10)"
row "1d peak RSS nodenet apply ($ROUTES routes)" "$(awk -v k="$m_rss" 'BEGIN{printf "%.1f MB", k/1024}')" "ip -batch: $(awk -v k="$m_rss_batch" 'BEGIN{printf "%.1f MB", k/1024}')" ""
if [ -z "$networkd_blocked" ]; then
    m_nd_small=$(med "${t_nd_small[@]}"); r_small=$(ratio "$m_nd_small" "$m_small")
    if [ -n "$networkd_big_failed" ]; then
        row "1e systemd-networkd: exec -> $ROUTES routes in kernel" "-" "networkd: $networkd_big_failed" ""
    else
        m_nd=$(med "${t_nd[@]}"); r_nd=$(ratio "$m_nd" "$m_apply")
        row "1e systemd-networkd: exec -> $ROUTES routes in kernel" "$m_nd" "nodenet is ${r_nd}x faster" ""
    fi
    row "2  nodenet apply: $SMALL_ROUTES routes, start -> converged" "$m_small" "" ""
    row "2  systemd-networkd: $SMALL_ROUTES routes, exec -> converged" "$m_nd_small" "nodenet is ${r_small}x faster (one-shot)" ""
else
    row "1e systemd-networkd" "-" "networkd: blocked: $networkd_blocked" ""
    row "2  nodenet apply: $SMALL_ROUTES routes, start -> converged" "$m_small" "" ""
    row "2  systemd-networkd: $SMALL_ROUTES routes" "-" "networkd: blocked: $networkd_blocked" ""
fi
row "3a ip -batch: $BRIDGES bridges (add, address, up)" "$m_brb" "1.00 (baseline)" ""
row "3b nodenet apply: $BRIDGES bridges with an address each" "$m_bra" "$r_br x ip -batch" ""
row "   peak RSS nodenet apply ($BRIDGES bridges)" "$(awk -v k="$m_rss_bra" 'BEGIN{printf "%.1f MB", k/1024}')" "" ""
echo
echo "all runs (ms):"
echo "  ip-batch routes:   ${t_batch[*]}"
echo "  nodenet apply:     ${t_apply[*]}"
echo "  nodenet re-apply:  ${t_reapply[*]}"
echo "  wrapper (true):    ${t_wrap[*]}"
if [ -z "$networkd_blocked" ] && [ -z "$networkd_big_failed" ]; then echo "  networkd $ROUTES:    ${t_nd[*]}"; fi
echo "  nodenet $SMALL_ROUTES:       ${t_small[*]}"
if [ -z "$networkd_blocked" ]; then echo "  networkd $SMALL_ROUTES:      ${t_nd_small[*]}"; fi
echo "  ip-batch bridges:  ${t_brb[*]}"
echo "  nodenet bridges:   ${t_bra[*]}"
