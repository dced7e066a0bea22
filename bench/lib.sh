# Shared parts of the benchmark scripts (apply_bench.sh, dhcp_bench.sh, daemon_bench.sh): sourced,
# defines functions only. Also sourced by the helper scripts they run inside a namespace
# (BENCH_LIB names this file there).
# shellcheck shell=bash

# Deletes every network namespace whose name starts with "$1-", killing what still runs in it first.
bench_cleanup_netns() {
    local ns
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$1-" || true); do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
}

# Prints why systemd-networkd (path $1) cannot run standalone here, or nothing when it can.
bench_networkd_missing() {
    if [ ! -x "$1" ]; then echo "$1 not installed"
    elif ! getent passwd systemd-network >/dev/null; then echo "no systemd-network user"
    elif ! command -v dbus-daemon >/dev/null; then echo "dbus-daemon not installed"
    elif ! command -v unshare >/dev/null; then echo "unshare not installed"
    fi
}

# Median of numbers given one a line or space-separated; "-" and empty entries are left out; "-"
# when nothing is left.
bench_median() {
    tr ' ' '\n' | { grep -v '^-\?$' || true; } | sort -g |
        awk '{v[NR]=$1} END {if (NR == 0) {print "-"; exit} if (NR % 2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2] + v[NR/2+1]) / 2}'
}

# bench_in_ns_pid FILE COMMAND...: COMMAND in the namespace "$NS", its PID written to FILE (every
# exec on the way keeps the PID: `ip netns exec`, sh, unshare without --fork, taskset).
bench_in_ns_pid() {
    local file=$1
    shift
    rm -f "$file"
    # shellcheck disable=SC2016 # expanded by the inner shell
    ip netns exec "$NS" sh -c 'echo $$ >"$0.new" && mv "$0.new" "$0" && exec "$@"' "$file" "$@"
}
# bench_wait_pid FILE: the PID FILE names, once it does (up to 10 s; the caller's `die` otherwise).
bench_wait_pid() {
    local _
    for _ in $(seq 1000); do [ -s "$1" ] && { cat "$1"; return 0; }; sleep 0.01; done
    die "no PID in $1"
}

# ---------------------------------------------------------------- inside a private mount namespace
# The rest runs in a helper script started with `unshare -m` (and a network namespace of its own):
# nothing it mounts is seen outside.

# Processes the helper started; bench_stop_pids ends them (an EXIT trap calls it).
bench_pids=()
bench_stop_pids() {
    local p
    for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}

# Mount propagation off, and a throwaway tmpfs on /run: whatever a program keeps there (pid files,
# sockets, networkd's state) stays private.
bench_private_run() {
    mount --make-rprivate /
    mount -t tmpfs tmpfs /run
}

# systemd-networkd runs standalone: tmpfs on /etc/systemd/network (the caller puts its .network
# files there afterwards), a fresh read-only sysfs (read-only /sys tells sd-device that udev is
# absent, so networkd does not wait for udev to initialize the links), its state directories owned
# by the systemd-network user, and a private system dbus-daemon (added to bench_pids). Call after
# bench_private_run. Returns 1 with the reason on stderr when the bus does not come up.
bench_networkd_env() {
    mount -t tmpfs tmpfs /etc/systemd/network
    umount -l /sys
    mount -t sysfs -o ro sysfs /sys
    mkdir -p /run/dbus /run/systemd/netif/links /run/systemd/netif/leases /run/systemd/netif/lldp
    chown -R systemd-network:systemd-network /run/systemd/netif
    cat >/run/dbus/system.conf <<'CONF'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
CONF
    dbus-daemon --config-file=/run/dbus/system.conf --nofork --nopidfile 2>/run/dbus/log &
    bench_pids+=($!)
    local _
    for _ in $(seq 200); do [ -S /run/dbus/system_bus_socket ] && return 0; sleep 0.01; done
    echo "private dbus-daemon did not start: $(tail -1 /run/dbus/log)" >&2
    return 1
}

# ---------------------------------------------------------------- configs
# Route i (0-based) is 10.<1 + i/256>.<i%256>.0/24 via 10.0.0.1, metric 1024 (what nodenet's metric 0
# means), on eth0 with 10.0.0.2/16: the same routes as a nodenet config and as a networkd .network.
bench_route_awk='function net(i) { return sprintf("10.%d.%d.0/24", 1 + int(i / 256), i % 256) }'
bench_gen_routes_yaml() {
    printf 'version: v1alpha1\nmachine:\n  type: worker\n  network:\n    interfaces:\n'
    printf '      - interface: eth0\n        addresses: [10.0.0.2/16]\n'
    [ "$1" -gt 0 ] || return 0
    printf '        routes:\n'
    awk -v n="$1" "$bench_route_awk"' BEGIN { for (i = 0; i < n; i++) printf "          - network: %s\n            gateway: 10.0.0.1\n", net(i) }'
}
bench_gen_routes_network() {
    printf '[Match]\nName=eth0\n\n[Network]\nAddress=10.0.0.2/16\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n\n'
    awk -v n="$1" "$bench_route_awk"' BEGIN { for (i = 0; i < n; i++) printf "[Route]\nDestination=%s\nGateway=10.0.0.1\nMetric=1024\n\n", net(i) }'
}
