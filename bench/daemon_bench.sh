#!/usr/bin/env bash
# Benchmarks of `nodenet daemon` (the boot-time daemon, issue 11) side by side with its peers in one
# run: systemd-networkd (+ systemd-networkd-wait-online) and, for DHCP, dhcpcd. Everything happens in
# network namespaces this script creates (`ip netns add nodenet-daemon-bench-$$-...`) and deletes on
# exit; each program runs in a private mount and UTS namespace on top (`unshare -m -u`, a tmpfs on
# /run): this machine's interfaces, routes, /etc and host name are never touched.
#
#   sudo bench/daemon_bench.sh                      # RUNS=5, medians
#   sudo RUNS=3 IDLE_SECONDS=30 NODENET=/path/to/nodenet bench/daemon_bench.sh
#
# Cases (CASES, default "static dhcp noop steady"):
#   static  exec -> READY for the 200-route static config (veth eth0 whose peer is up, 10.0.0.2/16,
#           ROUTES routes via 10.0.0.1; a fresh namespace each run). nodenet daemon: until sd_notify
#           READY=1 (reported) and until the --ready-file appears (shown); every route must be in the
#           kernel when READY arrives. networkd: from its exec until systemd-networkd-wait-online
#           (started at the same moment) exits 0, the routes checked the same way. For both, also
#           exec -> the last route's rtnetlink notification (configuring, without the signalling).
#   dhcp    exec -> READY for a DHCP link against dnsmasq in a peer namespace: nodenet daemon
#           (`dhcp: true`), networkd (DHCP=ipv4) + wait-online, and `dhcpcd -1 -4` (exit); for each
#           also exec -> leased address in the kernel. eth0 starts down, as at boot.
#   noop    a re-apply of an unchanged NOOP_ROUTES-route config: one-shot `nodenet apply` twice (the
#           second is the no-op), and through a running daemon (`nodenet apply --runtime-dir`) twice.
#   steady  a daemon configuring LINKS veth links (an address and 3 routes each): VmRSS/VmHWM/RssAnon/Pss
#           once READY, and context switches (voluntary + involuntary, all threads) over IDLE_SECONDS
#           of idleness starting IDLE_SETTLE (2) s after READY; networkd in the same set-up, both
#           running at the same time and measured over the same seconds.
#
# Environment: RUNS (5), NODENET (build/gcc/nodenet), NETWORKD (/lib/systemd/systemd-networkd),
# WAIT_ONLINE (/lib/systemd/systemd-networkd-wait-online), ROUTES (200), NOOP_ROUTES (10000),
# LINKS (10), IDLE_SECONDS (60), IDLE_SETTLE (2), DHCP_TIMEOUT (10: seconds the daemon gets for
# READY on the DHCP link before the case is reported as skipped), CASES, KEEP_WORK=1 (keep the
# logs). Needs python3 (the readiness listener); installs dnsmasq-base and dhcpcd-base with apt-get
# when missing.
#
# How READY is observed: a listener (python3, started in the namespace before the program) binds the
# NOTIFY_SOCKET datagram socket with SO_TIMESTAMPNS — the kernel stamps the datagram when the daemon
# sends it — and watches the ready file's directory with inotify (no polling); it also subscribes to
# rtnetlink address and route notifications (stamped when it reads them, so they lag a little on a
# busy machine). t0 is $EPOCHREALTIME in the shell that forks the program, in the namespace, after
# all set-up (for networkd after its private dbus-daemon is up). The namespaces used are kept until
# the script exits: deleting one makes the kernel hold the RTNL lock while it tears it down, which
# would delay the next measurement.
set -euo pipefail
export LC_ALL=C  # $EPOCHREALTIME and awk must use a decimal point

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BENCH_LIB=$here/bench/lib.sh
# shellcheck source=bench/lib.sh
. "$BENCH_LIB"
RUNS=${RUNS:-5}
NODENET=${NODENET:-$here/build/gcc/nodenet}
export NETWORKD=${NETWORKD:-/lib/systemd/systemd-networkd}
export WAIT_ONLINE=${WAIT_ONLINE:-/lib/systemd/systemd-networkd-wait-online}
export ROUTES=${ROUTES:-200}
NOOP_ROUTES=${NOOP_ROUTES:-10000}
LINKS=${LINKS:-10}
IDLE_SECONDS=${IDLE_SECONDS:-60}
IDLE_SETTLE=${IDLE_SETTLE:-2}
export DHCP_TIMEOUT=${DHCP_TIMEOUT:-10}
CASES=${CASES:-static dhcp noop steady}
PREFIX=nodenet-daemon-bench-$$
MAC=52:54:00:6e:6e:02

die() { echo "daemon_bench: $*" >&2; exit 1; }
say() { echo "daemon_bench: $*" >&2; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces): sudo $0"
[[ $IDLE_SETTLE =~ ^[0-9]+$ ]] || die "IDLE_SETTLE must be a whole number of seconds"
for v in RUNS ROUTES NOOP_ROUTES LINKS IDLE_SECONDS DHCP_TIMEOUT; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done
[ "$LINKS" -le 100 ] || die "LINKS must be at most 100"
for c in $CASES; do case $c in static | dhcp | noop | steady) ;; *) die "unknown case $c" ;; esac; done
[ -x "$NODENET" ] || die "$NODENET not found: set NODENET (scripts/build gcc makes build/gcc/nodenet)"
command -v ip >/dev/null || die "iproute2 (ip) is missing"
command -v unshare >/dev/null || die "unshare (util-linux) is missing"
export PATH=$PATH:/usr/sbin:/sbin  # sudo may drop them; dnsmasq and dhcpcd live there
PYTHON=${PYTHON:-$(command -v python3 || true)}
[ -n "$PYTHON" ] || die "python3 is missing (it listens for READY=1)"
export PYTHON
need=()
if [[ " $CASES " == *" dhcp "* ]]; then
    command -v dnsmasq >/dev/null || need+=(dnsmasq-base)
    command -v dhcpcd >/dev/null || need+=(dhcpcd-base)
fi
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; } ||
        die "cannot install ${need[*]}"
fi

work=$(mktemp -d /tmp/nodenet-daemon-bench.XXXXXX)
# a private copy: a rebuild during the run must not change what is measured; with the modules
# beside it (nodenet looks for them next to its binary), or sd_notify's module is not found and the
# daemon never says READY=1
cp "$NODENET" "$work/nodenet"
for m in "$(dirname "$NODENET")"/nodenet-*.so; do [ -e "$m" ] && cp "$m" "$work/"; done
NODENET_SRC=$NODENET
export NODENET=$work/nodenet
export WORK=$work
cleanup() {
    bench_cleanup_netns "$PREFIX"
    if [ "${KEEP_WORK:-0}" = 1 ]; then echo "daemon_bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

networkd_missing=$(bench_networkd_missing "$NETWORKD")
[ -n "$networkd_missing" ] || [ -x "$WAIT_ONLINE" ] || networkd_missing="$WAIT_ONLINE not installed"

# ---------------------------------------------------------------- inputs
bench_gen_routes_yaml "$ROUTES" >"$work/static.yaml"
bench_gen_routes_network "$ROUTES" >"$work/static.network"
bench_gen_routes_yaml "$NOOP_ROUTES" >"$work/noop.yaml"
bench_gen_routes_yaml 0 >"$work/base.yaml"
cat >"$work/dhcp.yaml" <<'YAML'
version: v1alpha1
machine:
  type: worker
  network:
    interfaces:
      - interface: eth0
        dhcp: true
YAML
# Use* off: networkd would otherwise hand DNS, NTP and the host name to resolved, timesyncd and
# hostnamed (as in dhcp_bench.sh); the daemon runs with --resolver none.
cat >"$work/dhcp.network" <<'NET'
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
# As dhcp_bench.sh: like nodenet's defaults, no ARP probe and no random start-up delay.
printf 'noarp\nnodelay\n' >"$work/dhcpcd.conf"
# steady: eth<i> with 10.<100+i>.0.2/24 (peer up), routes 10.<200+i>.{0,1,2}.0/24 via 10.<100+i>.0.1
{
    printf 'version: v1alpha1\nmachine:\n  type: worker\n  network:\n    interfaces:\n'
    for i in $(seq 0 $((LINKS - 1))); do
        printf '      - interface: eth%d\n        addresses: [10.%d.0.2/24]\n        routes:\n' "$i" $((100 + i))
        for j in 0 1 2; do printf '          - network: 10.%d.%d.0/24\n            gateway: 10.%d.0.1\n' $((100 + i)) "$j" $((100 + i)); done
    done
} >"$work/steady.yaml"
mkdir -p "$work/steady.networkd"
for i in $(seq 0 $((LINKS - 1))); do
    {
        printf '[Match]\nName=eth%d\n\n[Network]\nAddress=10.%d.0.2/24\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n\n' "$i" $((100 + i))
        for j in 0 1 2; do printf '[Route]\nDestination=10.%d.%d.0/24\nGateway=10.%d.0.1\nMetric=1024\n\n' $((100 + i)) "$j" $((100 + i)); done
    } >"$work/steady.networkd/50-eth$i.network"
done
"$NODENET" validate "$work/static.yaml" "$work/noop.yaml" "$work/base.yaml" "$work/dhcp.yaml" "$work/steady.yaml" >/dev/null ||
    die "a generated config does not validate"

# ---------------------------------------------------------------- the listener
# Prints, one line each, with the kernel's time (s.ns, realtime):
#   ready T    the first datagram on the NOTIFY_SOCKET that holds READY=1 (SO_TIMESTAMPNS: stamped
#              when the sender queued it)
#   notify T TEXT   every datagram (its lines joined with "; ")
#   file T     the ready file renamed (or created) into its directory (inotify; the time read on wake-up)
#   addr T A   the first new IPv4 address starting with the --addr prefix (rtnetlink; time of receipt)
#   routes T   the --routes'th IPv4 route added to the main table (rtnetlink; time of receipt)
# and exits 0 once everything in --want was seen, 2 after --timeout seconds.
cat >"$work/listen.py" <<'PY'
import argparse, ctypes, os, select, socket, struct, sys, time
SO_TIMESTAMPNS = 35
p = argparse.ArgumentParser()
p.add_argument("--notify"); p.add_argument("--ready-file"); p.add_argument("--addr")
p.add_argument("--routes", type=int, default=0)
p.add_argument("--want", default=""); p.add_argument("--timeout", type=float, default=30)
a = p.parse_args()
want = set(w for w in a.want.split(",") if w)
seen = set()
def out(*f):
    print(*f, flush=True)
def stamp(anc):
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
            sec, nsec = struct.unpack("qq", data[:16])
            return "%d.%09d" % (sec, nsec)
    return "%d.%09d" % divmod(time.time_ns(), 1000000000)
fds = {}
if a.notify:
    n = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    n.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    n.bind(a.notify)
    fds[n.fileno()] = ("notify", n)
if a.ready_file:
    libc = ctypes.CDLL(None, use_errno=True)
    ino = libc.inotify_init1(0o2004000)  # IN_CLOEXEC | IN_NONBLOCK
    IN_CREATE, IN_MOVED_TO = 0x100, 0x80
    if ino < 0 or libc.inotify_add_watch(ino, os.path.dirname(a.ready_file).encode(), IN_CREATE | IN_MOVED_TO) < 0:
        sys.exit("inotify: " + os.strerror(ctypes.get_errno()))
    fds[ino] = ("file", None)
    ready_name = os.path.basename(a.ready_file).encode()
routes_seen = 0
if a.addr or a.routes:
    r = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    r.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    r.bind((0, (0x10 if a.addr else 0) | (0x40 if a.routes else 0)))  # RTMGRP_IPV4_IFADDR, RTMGRP_IPV4_ROUTE
    fds[r.fileno()] = ("netlink", r)
out("listening")
deadline = time.monotonic() + a.timeout
poller = select.poll()
for fd in fds:
    poller.register(fd, select.POLLIN)
while not want <= seen:
    left = deadline - time.monotonic()
    if left <= 0:
        out("timeout", ",".join(sorted(want - seen)))
        sys.exit(2)
    for fd, _ in poller.poll(left * 1000):
        kind, s = fds[fd]
        if kind == "notify":
            data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(16))
            t = stamp(anc)
            text = data.decode(errors="replace")
            out("notify", t, "; ".join(text.splitlines()))
            if "ready" not in seen and "READY=1" in text.splitlines():
                seen.add("ready")
                out("ready", t)
        elif kind == "file":
            t = "%d.%09d" % divmod(time.time_ns(), 1000000000)
            try:
                buf = os.read(fd, 65536)
            except BlockingIOError:
                continue
            i = 0
            while i + 16 <= len(buf):
                _, mask, _, length = struct.unpack_from("iIII", buf, i)
                name = buf[i + 16:i + 16 + length].rstrip(b"\0")
                i += 16 + length
                if name == ready_name and "file" not in seen:
                    seen.add("file")
                    out("file", t)
        else:
            data, anc, _, _ = s.recvmsg(1 << 16, socket.CMSG_SPACE(16))
            t = stamp(anc)
            i = 0
            while i + 16 <= len(data):
                length, mtype = struct.unpack_from("IH", data, i)
                if length < 16:
                    break
                if mtype == 24 and a.routes and data[i + 16] == socket.AF_INET and data[i + 20] == 254:  # RTM_NEWROUTE, main table
                    routes_seen += 1
                    if routes_seen == a.routes:
                        seen.add("routes")
                        out("routes", t)
                if mtype == 20 and a.addr and "addr" not in seen:  # RTM_NEWADDR
                    family, plen = data[i + 16], data[i + 17]
                    j = i + 16 + 8
                    while family == socket.AF_INET and j + 4 <= i + length:
                        alen, atype = struct.unpack_from("HH", data, j)
                        if alen < 4:
                            break
                        if atype in (1, 2) and alen == 8:  # IFA_ADDRESS, IFA_LOCAL
                            ip = socket.inet_ntoa(data[j + 4:j + 8])
                            if ip.startswith(a.addr):
                                seen.add("addr")
                                out("addr", t, "%s/%d" % (ip, plen))
                                break
                        j += (alen + 3) & ~3
                i += (length + 3) & ~3
PY

# ---------------------------------------------------------------- one program, in a namespace
# run.sh MODE DIR [ARGS]: runs in a network namespace of the script and a private mount + UTS
# namespace of its own; writes "key value" lines to DIR/result, or the reason to DIR/why (exit != 0).
cat >"$work/run.sh" <<'RUN'
#!/usr/bin/env bash
set -uo pipefail
export LC_ALL=C
mode=$1 dir=$2
shift 2
# shellcheck source=bench/lib.sh
. "$BENCH_LIB"
trap bench_stop_pids EXIT
trap 'exit 0' TERM
bench_private_run
: >"$dir/resolv.conf"
if [ -e /etc/resolv.conf ]; then mount --bind "$dir/resolv.conf" /etc/resolv.conf; fi
ip link set lo up
result() { echo "$1 $2" >>"$dir/result"; }
fail() { echo "$*" >"$dir/why"; exit 1; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b - a) * 1000}'; }
routes() { ip -j -4 route show table main | grep -o '"dst"' | wc -l; }
# listen WANT TIMEOUT [--addr PREFIX]: starts the listener and waits until it listens
listen() {
    local want=$1 timeout=$2 i
    shift 2
    mkdir -p /run/ready
    "$PYTHON" "$WORK/listen.py" --notify "$dir/notify.sock" --ready-file /run/ready/ready --want "$want" \
        --timeout "$timeout" "$@" >"$dir/listen.out" 2>"$dir/listen.err" &
    listener=$!
    bench_pids+=("$listener")
    for i in $(seq 1000); do grep -q '^listening' "$dir/listen.out" && return 0; sleep 0.01; done
    fail "the listener did not start: $(tail -1 "$dir/listen.err")"
}
# wait_ready WHAT: the listener's verdict; the reason when the daemon exited or did not get ready
wait_ready() {
    wait "$listener" && return 0
    kill -0 "$daemon" 2>/dev/null || fail "the daemon exited: $(tail -1 "$dir/daemon.log")"
    fail "no READY=1 within $1 s ($(tail -1 "$dir/listen.out")); $(daemon_status)"
}
heard() { awk -v k="$1" '$1 == k {print $2; exit}' "$dir/listen.out"; }
# start_daemon CONFIG: the daemon in the background, t0 just before the fork. Its state directory
# is on the disk (as /var/lib/nodenet would be), its runtime directory on the tmpfs /run.
start_daemon() {
    local cfg=$1
    mkdir -p "$dir/state"
    t0=$EPOCHREALTIME
    NOTIFY_SOCKET="$dir/notify.sock" "$NODENET" daemon -c "$cfg" --state-dir "$dir/state" --runtime-dir /run/nodenet \
        --ready-file /run/ready/ready --resolver none --log-level "${LOG_LEVEL:-warn}" >"$dir/daemon.log" 2>&1 &
    daemon=$!
    bench_pids+=("$daemon")
}
# the daemon's status, short: what it waits for and its DHCP clients
daemon_status() {
    "$NODENET" status -o json --runtime-dir /run/nodenet 2>&1 | "$PYTHON" -c '
import json, sys
try:
    s = json.load(sys.stdin)
except ValueError:
    sys.exit("no status")
dhcp = ["%s %s %s" % (l.get("name"), d.get("family"), d.get("state")) for l in s.get("links", []) for d in l.get("dhcp", [])]
print("waiting for: %s; DHCP clients: %s" % ("; ".join(s.get("waiting_for", [])) or "nothing", ", ".join(dhcp) or "none"))'
}
# stop_daemon: SIGTERM must end it with 0 and leave the routes in place
stop_daemon() {
    local before rc=0
    before=$(routes)
    kill -TERM "$daemon"
    wait "$daemon" || rc=$?
    result term_rc "$rc"
    [ "$rc" = 0 ] || fail "the daemon exited $rc on SIGTERM: $(tail -1 "$dir/daemon.log")"
    [ "$(routes)" = "$before" ] || fail "the routes changed when the daemon stopped ($before before, $(routes) after)"
}
# networkd's set-up; then start_networkd starts networkd and wait-online at the same moment
networkd_env() {
    # The reason goes to why only on failure: the steady case takes an existing why as "gave up".
    bench_networkd_env 2>"$dir/networkd-env.err" || { mv "$dir/networkd-env.err" "$dir/why"; exit 3; }
    cp "$@" /etc/systemd/network/
}
start_networkd() {
    t0=$EPOCHREALTIME
    SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=notice "$NETWORKD" >"$dir/networkd.log" 2>&1 &
    networkd=$!
    bench_pids+=("$networkd")
    "$WAIT_ONLINE" --timeout=60 >"$dir/wait-online.log" 2>&1 &
    wait_online=$!
}
wait_networkd() {
    local rc=0
    wait "$wait_online" || rc=$?
    t1=$EPOCHREALTIME
    [ "$rc" = 0 ] || fail "systemd-networkd-wait-online exited $rc: $(tail -1 "$dir/wait-online.log"); networkd: $(grep -m1 -i 'fail' "$dir/networkd.log" || tail -1 "$dir/networkd.log")"
    kill -0 "$networkd" 2>/dev/null || fail "systemd-networkd exited: $(tail -1 "$dir/networkd.log")"
}
veth() {  # eth$1 (down) with its peer up
    ip link add "eth$1" type veth peer name "peer$1"
    ip link set "peer$1" up
}
idle() {  # for steady: say where the program is, then sleep until the script ends it
    result pid "$1"
    : >"$dir/up"
    while :; do sleep 3600 & bench_pids+=($!); wait $! || true; done
}

case $mode in
static-nodenet)
    veth 0
    listen ready,file,routes 60 --routes $((ROUTES + 1))
    start_daemon "$WORK/static.yaml"
    wait_ready 60
    result routes "$(routes)"
    result ready_ms "$(ms "$t0" "$(heard ready)")"
    result file_ms "$(ms "$t0" "$(heard file)")"
    result routes_ms "$(ms "$t0" "$(heard routes)")"
    # `nodenet wait-online` once the daemon is READY: its exec and one round trip
    w0=$EPOCHREALTIME
    "$NODENET" wait-online --runtime-dir /run/nodenet --timeout 10 >"$dir/wait-online.log" 2>&1 ||
        fail "nodenet wait-online failed after READY: $(tail -1 "$dir/wait-online.log")"
    result wait_online_ms "$(ms "$w0" "$EPOCHREALTIME")"
    stop_daemon
    ;;
static-networkd)
    networkd_env "$WORK/static.network"
    veth 0
    listen routes 60 --routes $((ROUTES + 1))
    start_networkd
    wait_networkd
    result routes "$(routes)"
    result ready_ms "$(ms "$t0" "$t1")"
    wait "$listener" || fail "the listener did not see $((ROUTES + 1)) routes: $(tail -1 "$dir/listen.out")"
    result routes_ms "$(ms "$t0" "$(heard routes)")"
    ;;
dhcp-nodenet)
    listen ready,file,addr "$DHCP_TIMEOUT" --addr 10.77.0.
    start_daemon "$WORK/dhcp.yaml"
    if ! wait "$listener"; then
        kill -0 "$daemon" 2>/dev/null || fail "the daemon exited: $(tail -1 "$dir/daemon.log")"
        status=$(daemon_status)
        err=$(grep -m1 -iE 'error|warn' "$dir/daemon.log" | cut -d' ' -f3- | cut -c1-200)
        echo "nodenet daemon with dhcp: true did not reach READY within $DHCP_TIMEOUT s (status: ${status:-none}; log: ${err:-nothing})" >"$dir/why"
        # no DHCP client in the status: this build's daemon has no DHCP sessions yet (skipped);
        # a client that runs but gets no lease is a failure
        [[ $status == *"DHCP clients: none"* ]] || exit 1
        exit 5
    fi
    ip -4 -o addr show dev eth0 | grep -q ' inet 10\.77\.0\.' || fail "READY without the leased address"
    ip -4 route show default | grep -q 'via 10\.77\.0\.1' || fail "READY without the default route"
    result ready_ms "$(ms "$t0" "$(heard ready)")"
    result file_ms "$(ms "$t0" "$(heard file)")"
    result addr_ms "$(ms "$t0" "$(heard addr)")"
    stop_daemon
    ;;
dhcp-networkd)
    networkd_env "$WORK/dhcp.network"
    listen addr 60 --addr 10.77.0.
    start_networkd
    wait_networkd
    ip -4 route show default | grep -q 'via 10\.77\.0\.1' || fail "wait-online exited without the default route"
    wait "$listener" || fail "no leased address seen"
    result ready_ms "$(ms "$t0" "$t1")"
    result addr_ms "$(ms "$t0" "$(heard addr)")"
    ;;
dhcp-dhcpcd)
    # dhcpcd keeps its leases and DUID here; a fresh tmpfs per run means no INIT-REBOOT
    if [ -d /var/lib/dhcpcd ]; then mount -t tmpfs tmpfs /var/lib/dhcpcd; else mount -t tmpfs tmpfs /var/lib; fi
    listen addr 60 --addr 10.77.0.
    t0=$EPOCHREALTIME
    rc=0
    # -c "": no hook script (resolv.conf, host name, NTP); dhcpcd sets addresses and routes itself
    dhcpcd -f "$WORK/dhcpcd.conf" -c "" -1 -4 -B -t 30 eth0 >"$dir/dhcpcd.log" 2>&1 || rc=$?
    t1=$EPOCHREALTIME
    [ "$rc" = 0 ] || fail "dhcpcd exited $rc: $(tail -1 "$dir/dhcpcd.log")"
    ip -4 route show default | grep -q 'via 10\.77\.0\.1' || fail "dhcpcd exited without the default route"
    wait "$listener" || fail "no leased address seen"
    result ready_ms "$(ms "$t0" "$t1")"
    result addr_ms "$(ms "$t0" "$(heard addr)")"
    ;;
noop-oneshot)
    veth 0
    mkdir -p "$dir/state"
    for k in apply noop; do
        t0=$EPOCHREALTIME
        "$NODENET" apply -c "$WORK/noop.yaml" --state-dir "$dir/state" --runtime-dir /run/nodenet >"$dir/$k.out" 2>&1 ||
            fail "nodenet apply ($k) failed: $(tail -1 "$dir/$k.out")"
        result "${k}_ms" "$(ms "$t0" "$EPOCHREALTIME")"
        [ "$(routes)" = "$1" ] || fail "$k: expected $1 routes, found $(routes)"
    done
    grep -q '^No changes' "$dir/noop.out" || fail "the re-apply was not a no-op: $(tail -1 "$dir/noop.out")"
    ;;
noop-daemon)
    veth 0
    cp "$WORK/base.yaml" "$dir/daemon.yaml"  # an apply through the daemon replaces its config file
    listen ready 60
    start_daemon "$dir/daemon.yaml"
    wait_ready 60
    for k in apply noop; do
        t0=$EPOCHREALTIME
        "$NODENET" apply -c "$WORK/noop.yaml" --runtime-dir /run/nodenet >"$dir/$k.out" 2>&1 ||
            fail "nodenet apply through the daemon ($k) failed: $(tail -1 "$dir/$k.out")"
        result "${k}_ms" "$(ms "$t0" "$EPOCHREALTIME")"
        [ "$(routes)" = "$1" ] || fail "$k: expected $1 routes, found $(routes)"
    done
    grep -q '^Applied' "$dir/apply.out" || fail "the apply through the daemon did not apply: $(tail -1 "$dir/apply.out")"
    grep -q '^No changes' "$dir/noop.out" || fail "the re-apply through the daemon was not a no-op: $(tail -1 "$dir/noop.out")"
    stop_daemon
    ;;
steady-nodenet)
    for i in $(seq 0 $(($1 - 1))); do veth "$i"; done
    listen ready 60
    start_daemon "$WORK/steady.yaml"
    wait_ready 60
    result routes "$(routes)"
    idle "$daemon"
    ;;
steady-networkd)
    networkd_env "$WORK"/steady.networkd/*.network
    for i in $(seq 0 $(($1 - 1))); do veth "$i"; done
    start_networkd
    wait_networkd
    result routes "$(routes)"
    idle "$networkd"
    ;;
*) fail "unknown mode $mode" ;;
esac
RUN

# ---------------------------------------------------------------- running one
n=0
# one MODE [ARGS]: a fresh namespace (veths are made inside; deleted at exit, see retire_ns), the
# mode run in it; sets R from the
# result lines, or returns 1 with the reason in WHY (exit 5: the daemon lacks something: "skipped").
one() {
    local mode=$1 rc=0
    shift
    n=$((n + 1))
    local ns=$PREFIX-$n d=$work/$n-$mode
    mkdir -p "$d"
    ip netns add "$ns"
    timeout 180 ip netns exec "$ns" unshare -m -u bash "$work/run.sh" "$mode" "$d" "$@" >"$d/run.out" 2>&1 || rc=$?
    retire_ns "$ns"
    collect "$d" "$rc"
}
# collect DIR RC: the result lines of a run into R[key]; WHY and 1 when it failed
declare -A R
collect() {
    local key value
    R=()
    WHY="" SKIPPED=""
    if [ "$2" != 0 ]; then
        WHY=$(cat "$1/why" 2>/dev/null || tail -1 "$1/run.out")
        [ -n "$WHY" ] || WHY="exit $2"
        [ "$2" != 5 ] || SKIPPED=1
        return 1
    fi
    while read -r key value; do R[$key]=$value; done <"$1/result"
}
# retire_ns NS: ends what still runs in a used namespace but keeps the namespace until the script
# exits. A deleted namespace is torn down by the kernel in the background, holding the RTNL lock
# for milliseconds at a time: the next measurement would wait for it (the first kernel read of a
# daemon started right after a deletion took 12 ms instead of 0.3).
retire_ns() {
    local i
    ip netns pids "$1" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    for i in $(seq 300); do [ -z "$(ip netns pids "$1" 2>/dev/null)" ] && break; sleep 0.01; done
}

# The DHCP case keeps one client and one server namespace for all runs (as dhcp_bench.sh, whose
# notes say why: a namespace torn down in the background slows the next exchange); the veth pair
# and dnsmasq are new for each run.
CNS=$PREFIX-dhcp-client
SNS=$PREFIX-dhcp-server
dhcp_one() {
    local client=$1 rc=0 i
    n=$((n + 1))
    local d=$work/$n-dhcp-$client
    mkdir -p "$d"
    ip -n "$CNS" link add eth0 address "$MAC" type veth peer name peer0 netns "$SNS"
    ip -n "$SNS" addr add 10.77.0.1/24 dev peer0
    ip -n "$SNS" link set peer0 up
    (ip netns exec "$SNS" "$DNSMASQ" --no-daemon --conf-file=/dev/null --no-resolv --no-hosts --port=0 \
        --interface=peer0 --bind-interfaces --no-ping --dhcp-range=10.77.0.50,10.77.0.99,255.255.255.0,1h \
        --dhcp-option=option:router,10.77.0.1 --dhcp-leasefile="$d/dnsmasq.leases" \
        --log-facility="$d/dnsmasq.log" --pid-file= >"$d/dnsmasq.out" 2>&1 &)
    for i in $(seq 1000); do grep -q 'sockets bound exclusively' "$d/dnsmasq.log" 2>/dev/null && break; sleep 0.01; done
    if ! grep -q 'sockets bound exclusively' "$d/dnsmasq.log" 2>/dev/null; then
        dhcp_drop
        WHY="dnsmasq did not start: $(tail -1 "$d/dnsmasq.out")"
        return 1
    fi
    timeout 180 ip netns exec "$CNS" unshare -m -u bash "$work/run.sh" "dhcp-$client" "$d" >"$d/run.out" 2>&1 || rc=$?
    dhcp_drop
    collect "$d" "$rc" || return 1
    grep -q DHCPDISCOVER "$d/dnsmasq.log" || { WHY="dnsmasq saw no DISCOVER"; return 1; }
}
dhcp_drop() {
    local ns i
    for ns in "$CNS" "$SNS"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true; done
    for i in $(seq 300); do [ -z "$(ip netns pids "$CNS" 2>/dev/null)$(ip netns pids "$SNS" 2>/dev/null)" ] && break; sleep 0.01; done
    ip -n "$CNS" link del eth0 2>/dev/null || true
}

# "VmRSS VmHWM RssAnon Pss ctxt_switches threads" (kB x4, counts) from /proc/PID/status,
# /proc/PID/smaps_rollup and the status of every thread
sample() {
    local pid=$1 rss hwm anon pss
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
    anon=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status")
    pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo -)
    echo "$rss $hwm $anon ${pss:--} $(cat "/proc/$pid"/task/*/status 2>/dev/null | awk '/^(non)?voluntary_ctxt_switches:/ {s += $2} END {print s + 0}') $(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 | wc -l)"
}
# Both daemons at once, each in its own namespace, idle over the same seconds: sets S_<prog>_* or
# returns 1 with WHY.
steady_pair() {
    local progs=(nodenet) p i ns d
    [ -n "$networkd_missing" ] || progs+=(networkd)
    declare -gA S_dir S_bg S_ns
    for p in "${progs[@]}"; do
        n=$((n + 1))
        ns=$PREFIX-$n d=$work/$n-steady-$p
        mkdir -p "$d"
        ip netns add "$ns"
        S_dir[$p]=$d S_ns[$p]=$ns
        timeout $((IDLE_SECONDS + 240)) ip netns exec "$ns" unshare -m -u bash "$work/run.sh" "steady-$p" "$d" "$LINKS" >"$d/run.out" 2>&1 &
        S_bg[$p]=$!
    done
    WHY=""
    for p in "${progs[@]}"; do
        d=${S_dir[$p]}
        for i in $(seq 6000); do [ -e "$d/up" ] || [ -e "$d/why" ] || ! kill -0 "${S_bg[$p]}" 2>/dev/null && break; sleep 0.01; done
        [ -e "$d/up" ] || WHY+="$p: $(cat "$d/why" 2>/dev/null || echo "not up: $(tail -1 "$d/run.out")") "
    done
    local want=$((LINKS * 4)) pid a b
    # the echoes of its own changes (kernel notifications, the settle timer) end within moments
    [ -n "$WHY" ] || sleep "$IDLE_SETTLE"
    if [ -z "$WHY" ]; then
        for p in "${progs[@]}"; do
            d=${S_dir[$p]}
            [ "$(awk '$1 == "routes" {print $2}' "$d/result")" = "$want" ] || WHY+="$p: $(awk '$1 == "routes" {print $2}' "$d/result") routes, not $want; "
            pid=$(awk '$1 == "pid" {print $2}' "$d/result")
            sample "$pid" >"$d/sample1"
        done
    fi
    [ -n "$WHY" ] || sleep "$IDLE_SECONDS"
    for p in "${progs[@]}"; do
        d=${S_dir[$p]}
        if [ -z "$WHY" ]; then
            pid=$(awk '$1 == "pid" {print $2}' "$d/result")
            sample "$pid" >"$d/sample2"
            read -r _ _ _ _ a _ <"$d/sample1"
            read -r S_rss S_hwm S_anon S_pss b S_threads <"$d/sample2"
            printf -v "S_${p}" '%s' "$S_rss $S_hwm $S_anon $S_pss $(awk -v a="$a" -v b="$b" -v s="$IDLE_SECONDS" 'BEGIN {printf "%.1f", (b - a) * 60 / s}') $S_threads"
        fi
        kill -TERM "${S_bg[$p]}" 2>/dev/null || true
    done
    for p in "${progs[@]}"; do
        wait "${S_bg[$p]}" 2>/dev/null || true
        retire_ns "${S_ns[$p]}"
    done
    [ -z "$WHY" ]
}

# ---------------------------------------------------------------- runs
has() { [[ " $CASES " == *" $1 "* ]]; }
declare -A T F
add() { T[$1]+=" $2"; }  # one measurement (ms, kB, ...) of series $1
# a series that failed is not tried again (each try may cost its timeout); F holds the reason
failed() { F[$1]=$2; say "$1: $2"; }
DNSMASQ=$(command -v dnsmasq || true)
if has dhcp; then
    ip netns add "$CNS"
    ip netns add "$SNS"
    ip -n "$SNS" link set lo up
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "$RUNS run(s); cases: $CASES; nodenet = $NODENET_SRC ($(git -C "$here" describe --always --dirty 2>/dev/null || echo unknown))"
[ -z "$networkd_missing" ] || say "networkd left out: $networkd_missing"
for run in $(seq "$RUNS"); do
    say "run $run/$RUNS"
    if has static; then
        order=(nodenet networkd)
        [ $((run % 2)) = 1 ] || order=(networkd nodenet)  # who goes first alternates
        for p in "${order[@]}"; do
            [ -z "${F[static-$p]:-}" ] || continue
            if [ "$p" = networkd ] && [ -n "$networkd_missing" ]; then F[static-networkd]="blocked: $networkd_missing"; continue; fi
            if one "static-$p"; then
                [ "${R[routes]:-}" = $((ROUTES + 1)) ] || { failed "static-$p" "${R[routes]:-} routes in the kernel at READY, not $((ROUTES + 1))"; continue; }
                add "static-$p" "${R[ready_ms]:-}"
                add "static-$p-routes" "${R[routes_ms]:-}"
                [ "$p" != nodenet ] || { add static-file "${R[file_ms]:-}"; add static-wo "${R[wait_online_ms]:-}"; }
            else failed "static-$p" "$WHY"; fi
        done
    fi
    if has dhcp; then
        clients=(nodenet networkd dhcpcd)
        for i in 0 1 2; do
            p=${clients[(i + run - 1) % 3]}
            [ -z "${F[dhcp-$p]:-}" ] || continue
            if [ "$p" = networkd ] && [ -n "$networkd_missing" ]; then F[dhcp-networkd]="blocked: $networkd_missing"; continue; fi
            if dhcp_one "$p"; then
                add "dhcp-$p" "${R[ready_ms]:-}"
                add "dhcp-$p-addr" "${R[addr_ms]:-}"
                [ "$p" != nodenet ] || add dhcp-file "${R[file_ms]:-}"
            elif [ -n "$SKIPPED" ]; then failed "dhcp-$p" "skipped: $WHY"
            else failed "dhcp-$p" "$WHY"; fi
        done
    fi
    if has noop; then
        for p in oneshot daemon; do
            [ -z "${F[noop-$p]:-}" ] || continue
            if one "noop-$p" $((NOOP_ROUTES + 1)); then
                add "noop-$p-apply" "${R[apply_ms]:-}"
                add "noop-$p-noop" "${R[noop_ms]:-}"
                add "noop-$p-pct" "$(awk -v a="${R[apply_ms]:-}" -v b="${R[noop_ms]:-}" 'BEGIN {printf "%.1f", b * 100 / a}')"
            else failed "noop-$p" "$WHY"; fi
        done
    fi
    if has steady && [ -z "${F[steady]:-}" ]; then
        say "steady: idle for $IDLE_SECONDS s"
        if steady_pair; then
            for p in nodenet networkd; do
                v=S_$p
                [ -n "${!v:-}" ] || continue
                read -r rss hwm anon pss wake threads <<<"${!v}"
                add "steady-$p-rss" "$rss"; add "steady-$p-hwm" "$hwm"; add "steady-$p-anon" "$anon"; add "steady-$p-pss" "$pss"
                add "steady-$p-wake" "$wake"; add "steady-$p-threads" "$threads"
            done
        else failed steady "$WHY"; fi
    fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# One more static run of the daemon, not counted, with NODENET_TIMINGS=1: where its start goes.
timings=""
if has static && [ -n "${T[static-nodenet]:-}" ]; then
    n=$((n + 1))
    d=$work/$n-timings
    mkdir -p "$d"
    ns=$PREFIX-$n
    ip netns add "$ns"
    if LOG_LEVEL=info NODENET_TIMINGS=1 timeout 120 ip netns exec "$ns" unshare -m -u bash "$work/run.sh" static-nodenet "$d" >"$d/run.out" 2>&1; then
        applied=$(grep -c ' info applied ' "$d/daemon.log" || true)
        timings="exec -> READY $(awk '$1 == "ready_ms" {print $2}' "$d/result") ms in this run; the daemon's stderr ($applied 'applied' lines left out):"$'\n'"$(grep -v ' info applied ' "$d/daemon.log")"
    else
        timings="(the timing run failed: $(cat "$d/why" 2>/dev/null))"
    fi
    retire_ns "$ns"
fi

# ---------------------------------------------------------------- report
med() { bench_median <<<"${T[$1]:-}"; }
kb_mb() { awk -v k="$1" 'BEGIN {if (k == "-") print "-"; else printf "%.1f MB", k / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b}'; }
# verdict VALUE OP GOAL TEXT: "met (TEXT)" or "MISSED (TEXT)"; nothing without a value
verdict() { awk -v v="$1" -v op="$2" -v g="$3" -v t="$4" 'BEGIN { if (v == "-") exit; ok = (op == "<=" ? v <= g : op == "<" ? v < g : v >= g); print (ok ? "met" : "MISSED") " (" t ")" }'; }
faster() { [ "$1" = - ] || awk -v r="$1" 'BEGIN {if (r >= 1) printf "nodenet %.1fx faster\n", r; else printf "nodenet %.1fx slower\n", 1 / r}'; }
row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4"; }
cell() { if [ -n "${F[$1]:-}" ] && [ -z "${T[$1]:-}" ]; then echo "${F[$1]}"; else med "$1"; fi; }
runs_ok() { local v; read -ra v <<<"${T[$1]:-}"; echo "${#v[@]}/$RUNS"; }

echo
echo "nodenet daemon benchmarks - $(uname -r), $(nproc) CPUs, $RUNS runs, medians (ms unless noted)."
echo "Load average (1, 5, 15 min): $load_before before, $load_after after."
echo
echo "| case | median | ratio | goal |"
echo "|---|---:|---|---|"
if has static; then
    r=$(ratio "$(med static-networkd)" "$(med static-nodenet)")
    row "1 nodenet daemon: exec -> READY=1 (sd_notify), $ROUTES routes in the kernel [$(runs_ok static-nodenet)]" "$(cell static-nodenet)" "" ""
    row "1 nodenet daemon: exec -> --ready-file in place (inotify)" "$(med static-file)" "" ""
    row "1 nodenet wait-online after READY (exec + round trip)" "$(med static-wo)" "" ""
    row "1 systemd-networkd: exec -> wait-online exit 0, $ROUTES routes [$(runs_ok static-networkd)]" "$(cell static-networkd)" "$(faster "$r")" "$(verdict "$r" ">=" 5 ">= 5x")"
    row "1 nodenet daemon: exec -> last route added (rtnetlink)" "$(med static-nodenet-routes)" "" ""
    row "1 systemd-networkd: exec -> last route added (rtnetlink)" "$(med static-networkd-routes)" "$(faster "$(ratio "$(med static-networkd-routes)" "$(med static-nodenet-routes)")")" ""
fi
if has dhcp; then
    r1=$(ratio "$(med dhcp-networkd)" "$(med dhcp-nodenet)") r2=$(ratio "$(med dhcp-dhcpcd)" "$(med dhcp-nodenet)")
    r3=$(ratio "$(med dhcp-networkd-addr)" "$(med dhcp-nodenet-addr)") r4=$(ratio "$(med dhcp-dhcpcd-addr)" "$(med dhcp-nodenet-addr)")
    row "2 nodenet daemon (dhcp: true): exec -> READY=1 [$(runs_ok dhcp-nodenet)]" "$(cell dhcp-nodenet)" "" ""
    row "2 nodenet daemon: exec -> leased address in the kernel" "$(med dhcp-nodenet-addr)" "" ""
    row "2 systemd-networkd (DHCP=ipv4): exec -> wait-online exit 0 [$(runs_ok dhcp-networkd)]" "$(cell dhcp-networkd)" "$(faster "$r1")" ""
    row "2 systemd-networkd: exec -> leased address" "$(med dhcp-networkd-addr)" "$(faster "$r3")" ""
    row "2 dhcpcd -1 -4 (noarp, nodelay): exec -> exit [$(runs_ok dhcp-dhcpcd)]" "$(cell dhcp-dhcpcd)" "$(faster "$r2")" ""
    row "2 dhcpcd: exec -> leased address" "$(med dhcp-dhcpcd-addr)" "$(faster "$r4")" ""
fi
if has noop; then
    for p in oneshot daemon; do
        if [ "$p" = oneshot ]; then label="one-shot nodenet apply"; else label="nodenet apply through the daemon"; fi
        pct=$(med "noop-$p-pct")
        row "3 $label, $NOOP_ROUTES routes [$(runs_ok "noop-$p-apply")]" "$(cell "noop-$p-apply")" "" ""
        row "3 $label again (no-op)" "$(med "noop-$p-noop")" "$pct % of the apply (median of the runs' ratios)" "$(verdict "$pct" "<=" 10 "<= 10 %")"
    done
fi
if has steady; then
    if [ -n "${F[steady]:-}" ] && [ -z "${T[steady-nodenet-rss]:-}" ]; then
        row "4 steady state, $LINKS links" "${F[steady]}" "" ""
    else
        rn=$(med steady-nodenet-rss) rd=$(med steady-networkd-rss)
        row "4 nodenet daemon, $LINKS links: VmRSS (VmHWM; RssAnon; Pss)" "$(kb_mb "$rn")" "VmHWM $(kb_mb "$(med steady-nodenet-hwm)"); RssAnon $(kb_mb "$(med steady-nodenet-anon)"); Pss $(kb_mb "$(med steady-nodenet-pss)"); $(med steady-nodenet-threads) thread(s)" "$(verdict "$(awk -v k="$rn" 'BEGIN {if (k == "-") print k; else print k / 1024}')" "<" 8 "< 8 MB")"
        row "4 systemd-networkd, same links: VmRSS (VmHWM; RssAnon; Pss)" "$(kb_mb "$rd")" "VmHWM $(kb_mb "$(med steady-networkd-hwm)"); RssAnon $(kb_mb "$(med steady-networkd-anon)"); Pss $(kb_mb "$(med steady-networkd-pss)"); nodenet/networkd VmRSS $(ratio "$rn" "$rd")" ""
        row "4 nodenet daemon: wake-ups per idle minute (context switches, $IDLE_SECONDS s idle)" "$(med steady-nodenet-wake)" "expected 0: a static config has no lease timers" "$(verdict "$(med steady-nodenet-wake)" "<=" 0 "lease timers only")"
        row "4 systemd-networkd: wake-ups per idle minute" "$(med steady-networkd-wake)" "" ""
    fi
fi
echo
cat <<TEXT
How it is timed: t0 = \$EPOCHREALTIME in the shell (inside the namespace) that forks the program, after
the set-up. READY=1 = the kernel's timestamp of the daemon's sd_notify datagram (SO_TIMESTAMPNS on the
NOTIFY_SOCKET); the ready file = when inotify woke the listener for its rename (written after READY=1,
atomically). The routes were counted (ip -j route) as soon as READY arrived. networkd: until
systemd-networkd-wait-online, started with networkd, exited 0. 'leased address' and 'last route added'
= rtnetlink notifications as the listener read them (they lag on a busy machine: for nodenet the last
route can show after READY although it was in the kernel before). Wake-ups: voluntary + involuntary
context switches of all threads (/proc/PID/task/*/status) over $IDLE_SECONDS s of idleness, starting
$IDLE_SETTLE s after READY, per minute; a daemon with a static config has no timers, so the only
wake-ups expected are those of lease timers (none here).
TEXT
for k in "${!F[@]}"; do
    [ -z "${T[$k]:-}" ] || echo "note: $k stopped early: ${F[$k]}"
done
echo
echo "All runs:"
for k in $(printf '%s\n' "${!T[@]}" | sort); do printf '  %-26s %s\n' "$k" "${T[$k]}"; done
if [ -n "$timings" ]; then
    echo
    echo "nodenet daemon, one more static run with NODENET_TIMINGS=1 --log-level info (not in the table): $timings" | sed '2,$s/^/    /'
fi
