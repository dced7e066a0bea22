#!/usr/bin/env bash
# Benchmark of a one-shot DHCPv4 client: the time from the client's start to its leased address in
# the kernel, for nodenet, systemd-networkd, busybox udhcpc and dhcpcd, each against the same
# dnsmasq over the same veth pair (same names, same MAC, created anew for each run). Everything
# happens in two network namespaces this script creates (`ip netns add nodenet-dhcp-bench-$$-client`
# and `-server`), and each client also runs in a private mount and UTS namespace: the host's
# interfaces, routes, resolv.conf and hostname are never touched.
#
#   sudo bench/dhcp_bench.sh                  # RUNS=5 runs per client, medians
#   sudo RUNS=9 NODENET=/path/to/nodenet bench/dhcp_bench.sh
#
# Environment: RUNS (default 5), NODENET (default build/gcc/nodenet), NETWORKD (default
# /lib/systemd/systemd-networkd), CLIENTS (default "nodenet networkd udhcpc dhcpcd dhcpcd-defaults").
# Installs busybox and dhcpcd-base (and dnsmasq-base) with apt-get when they are missing; python3,
# where present, runs the packet capture.
#
# Fair start for every client and run: a new veth pair, a new dnsmasq with an empty lease file
# and --no-ping, no lease state left from an earlier run (so each run is a full
# DISCOVER/OFFER/REQUEST/ACK from INIT, checked on the wire), and eth0 already up with carrier.
# No client probes the address with ARP or waits a random time before its first DISCOVER, except
# "dhcpcd-defaults" (dhcpcd with Debian's own dhcpcd.conf), shown for reference.
#
# Timing: t0 is read ($EPOCHREALTIME, no fork) in the shell that starts the client, after the
# namespace and mount setup. "address" and "default route" are the timestamps `ip -ts monitor
# address route` (started in the client's namespace before the client) prints for them; "exit" is
# when a one-shot client exited. A packet capture on dnsmasq's link (kernel timestamps) splits the
# time into start -> first DISCOVER, DISCOVER -> ACK (the exchange) and ACK -> address (applying).
set -euo pipefail
export LC_ALL=C  # $EPOCHREALTIME and awk must use a decimal point

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BENCH_LIB=$here/bench/lib.sh
# shellcheck source=bench/lib.sh
. "$BENCH_LIB"
RUNS=${RUNS:-5}
NODENET=${NODENET:-$here/build/gcc/nodenet}
NETWORKD=${NETWORKD:-/lib/systemd/systemd-networkd}
CLIENTS=${CLIENTS:-nodenet networkd udhcpc dhcpcd dhcpcd-defaults}
PREFIX=nodenet-dhcp-bench-$$
MAC=52:54:00:6e:6e:01  # one MAC for every client: dnsmasq picks the address from it

die() { echo "dhcp_bench: $*" >&2; exit 1; }
say() { echo "dhcp_bench: $*" >&2; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces): sudo $0"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer"
for c in $CLIENTS; do
    case $c in nodenet | networkd | udhcpc | dhcpcd | dhcpcd-defaults) ;; *) die "unknown client $c" ;; esac
done
[ -x "$NODENET" ] || die "$NODENET not found: set NODENET (scripts/build gcc makes build/gcc/nodenet)"
command -v ip >/dev/null || die "iproute2 (ip) is missing"
command -v unshare >/dev/null || die "unshare (util-linux) is missing"
export PATH=$PATH:/usr/sbin:/sbin  # sudo may drop them; dnsmasq and dhcpcd live there

need=()
command -v busybox >/dev/null || need+=(busybox)
command -v dhcpcd >/dev/null || need+=(dhcpcd-base)
command -v dnsmasq >/dev/null || need+=(dnsmasq-base)
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    # a machine that never ran apt-get update has no package lists yet
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; } ||
        die "cannot install ${need[*]}"
fi
DNSMASQ=$(command -v dnsmasq)
# The capture is optional: without python3 the table has no exchange columns.
PYTHON=$(command -v python3 || true)

work=$(mktemp -d /tmp/nodenet-dhcp-bench.XXXXXX)
# a private copy: a rebuild during the run must not change what is measured
cp "$NODENET" "$work/nodenet"
cp "$(dirname "$NODENET")"/nodenet-*.so "$work/" 2>/dev/null || true   # its modules, found beside it
NODENET_SRC=$NODENET
NODENET=$work/nodenet
cleanup() {
    bench_cleanup_netns "$PREFIX"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helper files
# Packets to and from dnsmasq on its link, one line each: kernel receive/transmit time (s.ns, realtime)
# and DHCP message type. ETH_P_ALL on the link also sees dnsmasq's own replies going out.
cat >"$work/capture.py" <<'PY'
import socket, struct, sys, time
SO_TIMESTAMPNS = 35
names = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK", 7: "RELEASE", 8: "INFORM"}
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
s.bind((sys.argv[1], 3))  # Python swaps the protocol into network order here, unlike in socket()
print("ready", flush=True)
while True:
    data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(16))
    ts = time.time_ns()
    for level, kind, cdata in anc:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
            sec, nsec = struct.unpack("qq", cdata[:16])
            ts = sec * 1000000000 + nsec
    if len(data) < 34 or data[12:14] != b"\x08\x00" or data[23] != 17:
        continue
    udp = 14 + (data[14] & 15) * 4
    if len(data) < udp + 8 + 240:
        continue
    ports = struct.unpack("!HH", data[udp:udp + 4])
    dhcp = udp + 8
    if sorted(ports) != [67, 68] or data[dhcp + 236:dhcp + 240] != b"\x63\x82\x53\x63":
        continue
    i, kind = dhcp + 240, None
    while i + 1 < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        if data[i] == 53:
            kind = data[i + 2]
            break
        i += 2 + data[i + 1]
    print("%d.%09d" % divmod(ts, 1000000000), names.get(kind, "?"), flush=True)
PY

# What busybox's default script does for an address and routers, minus resolv.conf: the host's
# must stay untouched, and no other client here writes one either.
cat >"$work/udhcpc.script" <<'SH'
#!/bin/sh
case "$1" in
deconfig)
    ip -4 addr flush dev "$interface"
    ip link set dev "$interface" up
    ;;
bound | renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/$mask" ${broadcast:+broadcast "$broadcast"} dev "$interface"
    metric=0
    for r in $router; do
        ip route replace default via "$r" dev "$interface" metric "$metric"
        metric=$((metric + 1))
    done
    ;;
esac
exit 0
SH
chmod +x "$work/udhcpc.script"

# Like nodenet's defaults: no ARP probe (RFC 5227 is opt-in there), no random start-up delay.
printf 'noarp\nnodelay\n' >"$work/dhcpcd.conf"
DHCPCD_DEFAULTS_CONF=/etc/dhcpcd.conf
[ -f "$DHCPCD_DEFAULTS_CONF" ] || DHCPCD_DEFAULTS_CONF=/dev/null

# Use* off: networkd would otherwise hand DNS, NTP and the host name to resolved, timesyncd and
# hostnamed; none of them is on the private bus, and nothing may reach the host's.
cat >"$work/networkd.network" <<'NET'
[Match]
Name=eth0

[Network]
DHCP=ipv4
LinkLocalAddressing=no
IPv6AcceptRA=no

[DHCPv4]
UseDNS=no
UseNTP=no
UseHostname=no
UseDomains=no
NET

# Starts one client in the client namespace, in a private mount and UTS namespace of its own
# (`unshare -m -u`), and writes "t0 t1 rc" to DIR/times: t1 is a one-shot client's exit, or for
# networkd when the poll below saw the lease in place.
cat >"$work/client.sh" <<'CLIENT'
#!/usr/bin/env bash
set -uo pipefail
export LC_ALL=C
client=$1 dir=$2 work=$3 networkd=$4 defaults_conf=$5
# shellcheck source=bench/lib.sh
. "$BENCH_LIB"
# Whatever a client keeps under /run (pid files, sockets, networkd's state) goes to a throwaway tmpfs.
bench_private_run
# A private empty resolv.conf, in case a client writes one anyway. A symlink into /run now dangles
# into the tmpfs above, which is just as private.
: >"$dir/resolv.conf"
if [ -e /etc/resolv.conf ]; then mount --bind "$dir/resolv.conf" /etc/resolv.conf; fi
rc=0
oneshot() {
    t0=$EPOCHREALTIME
    "$@" >"$dir/client.out" 2>"$dir/client.err" || rc=$?
    t1=$EPOCHREALTIME
}
case $client in
nodenet)
    oneshot "$work/nodenet" dhcp eth0 --once --apply --state-dir "$dir/state" --timeout 30 --resolver none
    ;;
udhcpc)
    oneshot busybox udhcpc -i eth0 -f -q -n -s "$work/udhcpc.script"
    ;;
dhcpcd | dhcpcd-defaults)
    # dhcpcd keeps its leases and DUID here; a fresh tmpfs per run means no INIT-REBOOT
    if [ -d /var/lib/dhcpcd ]; then mount -t tmpfs tmpfs /var/lib/dhcpcd; else mount -t tmpfs tmpfs /var/lib; fi
    conf=$work/dhcpcd.conf
    [ "$client" = dhcpcd ] || conf=$defaults_conf
    # -c "": no hook script at all (resolv.conf, hostname, NTP); dhcpcd sets addresses and routes itself
    oneshot dhcpcd -f "$conf" -c "" -1 -4 -B -t 30 eth0
    ;;
networkd)
    # Set up as for every networkd run (bench/lib.sh): a fresh read-only sysfs tells sd-device that
    # udev is absent, so networkd does not wait for udev to initialize the link; a private system bus.
    trap bench_stop_pids EXIT
    if ! bench_networkd_env 2>"$dir/why"; then
        echo "0 0 3" >"$dir/times"
        exit 3
    fi
    cp "$work/networkd.network" /etc/systemd/network/50-eth0.network
    t0=$EPOCHREALTIME
    SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=notice "$networkd" >"$dir/client.err" 2>&1 &
    networkd_pid=$!
    bench_pids+=("$networkd_pid")
    # Only decides when to stop networkd: the time reported comes from ip monitor. A slow poll
    # leaves the CPU to networkd on a small machine.
    until ip -4 -o addr show dev eth0 | grep -q ' inet 10\.77\.0\.' && ip -4 route show default | grep -q 'via 10\.77\.0\.1'; do
        if ! kill -0 "$networkd_pid" 2>/dev/null; then echo "systemd-networkd exited: $(tail -1 "$dir/client.err")" >"$dir/why"; rc=3; break; fi
        if grep -q '^eth0: Failed' "$dir/client.err"; then echo "eth0 failed: $(grep -m1 'Failed' "$dir/client.err")" >"$dir/why"; rc=4; break; fi
        if [ $(( ${EPOCHREALTIME/./} - ${t0/./} )) -gt 30000000 ]; then echo "no lease after 30 s" >"$dir/why"; rc=5; break; fi
        sleep 0.01
    done
    t1=$EPOCHREALTIME
    ;;
esac
echo "$t0 $t1 $rc" >"$dir/times"
CLIENT

# ---------------------------------------------------------------- one measurement
# "[2026-11-27T11:11:09.571191] ..." (local time, as ip prints it) -> seconds since the epoch
mon_time() { local ts=${1#\[}; date -d "${ts%%]*}" +%s.%6N; }
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b - a) * 1000}'; }
# waits up to $3 s (a multiple of 0.01) for a line of file $1 matching the extended regex $2
wait_line() {
    local i
    for i in $(seq "$(awk -v s="$3" 'BEGIN {printf "%d", s * 100}')"); do grep -Eq "$2" "$1" 2>/dev/null && return 0; sleep 0.01; done
    return 1
}

# One client and one server namespace for the whole benchmark. Deleting a namespace leaves the
# kernel tearing it down in the background for a while (holding the RTNL lock that dnsmasq's ARP
# entries and every address change need); measured in that shadow, the fastest client's exchange
# took ~10 ms instead of ~2. A veth deleted with `ip link del` is gone when the command returns.
CNS=$PREFIX-client
SNS=$PREFIX-server
ip netns add "$CNS"
ip netns add "$SNS"
ip -n "$CNS" link set lo up
ip -n "$SNS" link set lo up

n=0
# Runs client $1 once. On success sets M_addr M_route M_exit M_disc M_dora M_turn M_apply
# (ms; "-" where not measured); on failure returns 1 with the reason in M_why.
measure() {
    local client=$1
    n=$((n + 1))
    local cns=$CNS sns=$SNS d=$work/$n-$client
    mkdir -p "$d"
    M_addr=- M_route=- M_exit=- M_disc=- M_dora=- M_turn=- M_apply=- M_why=""
    # a new link each time: nothing a client set on the last one (sysctls, addresses) is left
    ip -n "$cns" link add eth0 address "$MAC" type veth peer name peer0 netns "$sns"
    ip -n "$sns" addr add 10.77.0.1/24 dev peer0
    ip -n "$sns" link set peer0 up
    ip -n "$cns" link set eth0 up
    # carrier reaches operstate through the kernel's linkwatch, up to a second later; a client
    # started before then would wait for it, and that is not what is measured
    local i
    for i in $(seq 500); do ip -n "$cns" -o link show eth0 | grep -q 'state UP' && break; sleep 0.01; done

    # Background processes are started from a subshell that exits at once: bash then reports nothing
    # when drop kills them, and drop finds them all by namespace.
    (ip netns exec "$sns" "$DNSMASQ" --no-daemon --conf-file=/dev/null --no-resolv --no-hosts --port=0 \
        --interface=peer0 --bind-interfaces --no-ping --dhcp-range=10.77.0.50,10.77.0.99,255.255.255.0,1h \
        --dhcp-option=option:router,10.77.0.1 --dhcp-leasefile="$d/dnsmasq.leases" \
        --log-facility="$d/dnsmasq.log" --pid-file= >"$d/dnsmasq.out" 2>&1 &)
    if ! wait_line "$d/dnsmasq.log" 'sockets bound exclusively' 10; then
        M_why="dnsmasq did not start: $(tail -1 "$d/dnsmasq.out")"; drop "$cns" "$sns"; return 1
    fi
    if [ -n "$PYTHON" ]; then
        (ip netns exec "$sns" "$PYTHON" "$work/capture.py" peer0 >"$d/capture" 2>"$d/capture.err" &)
        wait_line "$d/capture" '^ready' 10 || { M_why="the capture did not start: $(tail -1 "$d/capture.err")"; drop "$cns" "$sns"; return 1; }
    fi
    (ip netns exec "$cns" ip -ts monitor address route >"$d/monitor" 2>&1 &)
    # ip monitor has subscribed once it reports a change of our own; one made before it subscribed
    # is never reported, so the change is made again until one is
    local seen=""
    for i in $(seq 100); do
        ip -n "$cns" addr add 127.0.0.2/8 dev lo
        wait_line "$d/monitor" 'inet 127\.0\.0\.2/' 0.1 && seen=1
        ip -n "$cns" addr del 127.0.0.2/8 dev lo
        [ -z "$seen" ] || break
    done
    [ -n "$seen" ] || { M_why="ip monitor did not start"; drop "$cns" "$sns"; return 1; }

    timeout 90 ip netns exec "$cns" unshare -m -u bash "$work/client.sh" "$client" "$d" "$work" "$NETWORKD" \
        "$DHCPCD_DEFAULTS_CONF" >"$d/launcher.out" 2>&1 || true
    local t0 t1 rc
    if ! read -r t0 t1 rc <"$d/times" 2>/dev/null; then
        M_why="the launcher failed: $(tail -1 "$d/launcher.out")"; drop "$cns" "$sns"; return 1
    fi
    if [ "$rc" != 0 ]; then
        M_why="exit $rc: $(cat "$d/why" 2>/dev/null || tail -1 "$d/client.err")"; drop "$cns" "$sns"; return 1
    fi
    # the kernel has sent both events by now; ip monitor may not have printed them yet
    local added_addr='^\[[^]]*\] [0-9]+: eth0 +inet 10\.77\.0\.[0-9]+/24' added_route='^\[[^]]*\] default via 10\.77\.0\.1 '
    if ! { wait_line "$d/monitor" "$added_addr" 5 && wait_line "$d/monitor" "$added_route" 5; }; then
        M_why="no leased address or default route in the kernel (exit $rc)"; drop "$cns" "$sns"; return 1
    fi
    local a r
    a=$(mon_time "$(grep -Em1 "$added_addr" "$d/monitor")")
    r=$(mon_time "$(grep -Em1 "$added_route" "$d/monitor")")
    M_addr=$(ms_between "$t0" "$a")
    M_route=$(ms_between "$t0" "$r")
    if [ "$client" != networkd ]; then
        M_exit=$(ms_between "$t0" "$t1")
        # a one-shot client must leave the lease in place when it exits
        if ! { ip -n "$cns" -4 -o addr show dev eth0 | grep -q ' inet 10\.77\.0\.' &&
            ip -n "$cns" -4 route show default | grep -q 'via 10\.77\.0\.1'; }; then
            M_why="exited 0 but the address or the default route is gone"; drop "$cns" "$sns"; return 1
        fi
    fi
    if [ -n "$PYTHON" ]; then
        local first disc offer request ack
        wait_line "$d/capture" ' ACK$' 2 || true
        first=$(awk 'NR > 1 && $2 != "OFFER" && $2 != "ACK" && $2 != "NAK" {print $2; exit}' "$d/capture")
        if [ "$first" != DISCOVER ]; then
            M_why="the client's first message was ${first:-none}, not DISCOVER"; drop "$cns" "$sns"; return 1
        fi
        disc=$(awk '$2 == "DISCOVER" {print $1; exit}' "$d/capture")
        offer=$(awk '$2 == "OFFER" {print $1; exit}' "$d/capture")
        request=$(awk -v o="$offer" '$2 == "REQUEST" && $1 > o {print $1; exit}' "$d/capture")
        ack=$(awk '$2 == "ACK" {print $1; exit}' "$d/capture")
        if [ -n "$ack" ] && [ -n "$request" ]; then
            M_disc=$(ms_between "$t0" "$disc")
            M_dora=$(ms_between "$disc" "$ack")
            M_turn=$(ms_between "$offer" "$request")
            M_apply=$(ms_between "$ack" "$a")
        fi
    elif ! grep -q 'DHCPDISCOVER' "$d/dnsmasq.log"; then
        M_why="dnsmasq saw no DISCOVER"; drop "$cns" "$sns"; return 1
    fi
    cp "$d/client.err" "$work/last-$client.err" 2>/dev/null || true
    drop "$cns" "$sns"
}
# Ends every process in both namespaces (dnsmasq, the capture, ip monitor, whatever a client left
# running) and deletes the veth pair.
drop() {
    local ns i
    for ns in "$@"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; done
    for i in $(seq 500); do
        [ -z "$(for ns in "$@"; do ip netns pids "$ns" 2>/dev/null; done)" ] && break
        sleep 0.01
    done
    ip -n "$1" link del eth0 2>/dev/null || true
}

# ---------------------------------------------------------------- runs
declare -A R_addr R_route R_exit R_disc R_dora R_turn R_apply R_split OK FAIL
read -ra clients <<<"$CLIENTS"
for c in "${clients[@]}"; do OK[$c]=0; FAIL[$c]=""; done
if why=$(bench_networkd_missing "$NETWORKD") && [ -n "$why" ]; then FAIL[networkd]="cannot run: $why"; fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "$RUNS run(s) per client; nodenet = $NODENET_SRC ($(git -C "$here" describe --always --dirty 2>/dev/null || echo unknown))"
for run in $(seq "$RUNS"); do
    # a different client goes first each run, so a slow moment of a shared machine is spread out
    order=()
    for i in "${!clients[@]}"; do order+=("${clients[(i + run - 1) % ${#clients[@]}]}"); done
    say "run $run/$RUNS: ${order[*]}"
    for c in "${order[@]}"; do
        [ -z "${FAIL[$c]}" ] || continue  # a client that failed once is not retried (each try may cost its timeout)
        if measure "$c"; then
            OK[$c]=$((OK[$c] + 1))
            R_addr[$c]+=" $M_addr"; R_route[$c]+=" $M_route"; R_exit[$c]+=" $M_exit"
            R_disc[$c]+=" $M_disc"; R_dora[$c]+=" $M_dora"; R_turn[$c]+=" $M_turn"; R_apply[$c]+=" $M_apply"
            R_split[$c]+=" $M_disc/$M_dora/$M_apply"
        else
            FAIL[$c]="run $run: $M_why"
            say "$c failed: $M_why"
        fi
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# One more nodenet run, not counted, for where nodenet's own time goes.
timings=""
if [[ " $CLIENTS " == *" nodenet "* ]] && [ -z "${FAIL[nodenet]}" ]; then
    export NODENET_TIMINGS=1
    if measure nodenet; then
        timings=$(grep -v '^$' "$work/last-nodenet.err" || true)
        timings_split="start -> DISCOVER $M_disc ms, DISCOVER -> ACK $M_dora ms (OFFER -> REQUEST $M_turn ms), ACK -> address $M_apply ms, start -> exit $M_exit ms"
    else
        timings="(the timing run failed: $M_why)"
    fi
    unset NODENET_TIMINGS
fi

# ---------------------------------------------------------------- report
median() { bench_median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2fx", a / b}'; }
label() {
    case $1 in
    nodenet) echo "nodenet dhcp --once --apply" ;;
    networkd) echo "systemd-networkd (DHCP=ipv4)" ;;
    udhcpc) echo "busybox udhcpc -q -n -f" ;;
    dhcpcd) echo "dhcpcd -1 -4 (noarp, nodelay)" ;;
    dhcpcd-defaults) echo "dhcpcd -1 -4, Debian's dhcpcd.conf (ARP probe, start delay)" ;;
    esac
}
version() {
    case $1 in
    nodenet) echo "$("$NODENET" --version 2>/dev/null) ($NODENET_SRC; work tree $(git -C "$here" describe --always --dirty 2>/dev/null || echo "?"))" ;;
    networkd) "$NETWORKD" --version 2>/dev/null | head -1 | awk '{print $1, $2}' ;;
    udhcpc) busybox 2>/dev/null | head -1 | awk '{print $1, $2}' ;;
    dhcpcd*) dhcpcd --version 2>/dev/null | head -1 ;;
    esac
}
m_nodenet=$(median <<<"${R_addr[nodenet]:-}")
echo
echo "DHCPv4 one-shot: start -> bound lease in the kernel. $(uname -r), $(nproc) CPUs, $RUNS runs per client, medians in ms."
echo "Load average (1, 5, 15 min): $load_before before, $load_after after. Server: $("$DNSMASQ" --version | head -1 | awk '{print $1, $2, $3}') --no-ping, fresh lease file per run."
echo
echo "| client | start -> address in kernel | vs nodenet | start -> default route | start -> exit | start -> DISCOVER | DISCOVER -> ACK | of which OFFER -> REQUEST | ACK -> address | runs ok |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in "${clients[@]}"; do
    if [ "${OK[$c]}" -eq 0 ]; then
        echo "| $(label "$c") | failed: ${FAIL[$c]} | | | | | | | | 0/$RUNS |"
        continue
    fi
    m=$(median <<<"${R_addr[$c]}")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(label "$c")" "$m" "$(ratio "$m" "$m_nodenet")" \
        "$(median <<<"${R_route[$c]}")" "$(median <<<"${R_exit[$c]}")" "$(median <<<"${R_disc[$c]}")" \
        "$(median <<<"${R_dora[$c]}")" "$(median <<<"${R_turn[$c]}")" "$(median <<<"${R_apply[$c]}")" "${OK[$c]}/$RUNS"
done
echo
echo "How each is timed: start = \$EPOCHREALTIME in the shell that starts the client, after namespace and mount"
echo "setup (for networkd also after its private dbus-daemon is up); address and default route = timestamps of"
echo "'ip -ts monitor address route', started beforehand in the client's namespace; exit = when the one-shot"
echo "client exited (networkd keeps running: -). 'vs nodenet' is the ratio of the address column (above 1: slower"
echo "than nodenet)."
if [ -n "$PYTHON" ]; then
    echo "DISCOVER/OFFER/REQUEST/ACK = kernel timestamps of the first of each on dnsmasq's link (AF_PACKET capture);"
    echo "OFFER -> REQUEST is the client's own share of the exchange. Every run was checked to start with DISCOVER"
    echo "(no INIT-REBOOT)."
else
    echo "No python3: the exchange itself (DISCOVER -> ACK) was not measured; dnsmasq's log showed a DISCOVER in every run."
fi
for c in "${clients[@]}"; do
    if [ -n "${FAIL[$c]}" ] && [ "${OK[$c]}" -gt 0 ]; then echo "$(label "$c"): stopped after ${OK[$c]} good runs: ${FAIL[$c]}"; fi
done
echo
echo "Versions:"
for c in "${clients[@]}"; do printf '  %-16s %s\n' "$c" "$(version "$c")"; done
echo
echo "All runs, start -> address (ms):"
for c in "${clients[@]}"; do printf '  %-16s %s\n' "$c" "${R_addr[$c]:-}"; done
if [ -n "$PYTHON" ]; then
    echo "The same runs, start -> DISCOVER / DISCOVER -> ACK / ACK -> address (ms):"
    for c in "${clients[@]}"; do printf '  %-16s %s\n' "$c" "${R_split[$c]:-}"; done
fi
if [ -n "$timings" ]; then
    echo
    echo "nodenet, one more run with NODENET_TIMINGS=1 (not in the table): ${timings_split:-}"
    while IFS= read -r line; do echo "    $line"; done <<<"$timings"
fi
