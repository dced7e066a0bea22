#!/usr/bin/env bash
# The installed systemd units, checked by the real systemd. Installs this build into a temporary
# DESTDIR (prefix /usr, stripped, as a package would), then:
#   * the files are where packagers expect them: sbin/nodenet, the module, the man page, the units;
#   * ExecStart= of both units names the installed binary (/usr/sbin/nodenet);
#   * `systemd-analyze verify --root=DESTDIR` loads both units as systemd would from that tree:
#     every directive known and valid, every dependency resolvable, every Exec*= binary present
#     and executable *in the tree* (the staged nodenet, not one on this machine), and, with the man
#     page installed, Documentation=man:nodenet(8) found by man(1). Any message at all is a
#     failure: systemd only warns about an unknown or misspelt directive, and exits 0.
#     The tree gets a copy of this machine's own units (targets, systemd-udevd...) and of
#     /bin/kill (ExecReload=), which a real system has;
#   * the installed program finds its module relative to itself (the installed tree under DESTDIR,
#     no build tree): `plan --resolver resolved` with no system bus fails at the bus, not at the
#     module.
# Usage: verify_units.sh BUILD_DIR UNIT_DIR man|no-man   (UNIT_DIR as configured: absolute or
# relative to the prefix). Exit 77: skipped (no systemd-analyze).
set -euo pipefail
build=$1 unit_dir=$2 man=$3

if ! command -v systemd-analyze >/dev/null; then
  echo "SKIPPED: systemd-analyze not installed"
  exit 77
fi
fail() { echo "FAIL: $*" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
DESTDIR=$root cmake --install "$build" --prefix /usr --strip >"$work/install.log" 2>&1 ||
  { cat "$work/install.log" >&2; fail "cmake --install failed"; }

case "$unit_dir" in
  /*) units=$root$unit_dir ;;
  *) units=$root/usr/$unit_dir ;;
esac
[ -x "$root/usr/sbin/nodenet" ] || fail "no executable usr/sbin/nodenet in the installation"
module=$(find "$root/usr/lib" -path '*/nodenet/nodenet-resolved.so' | head -n 1)
[ -n "$module" ] || fail "no nodenet/nodenet-resolved.so under usr/lib"
if [ "$man" = man ]; then
  [ -f "$root/usr/share/man/man8/nodenet.8" ] || fail "no usr/share/man/man8/nodenet.8"
fi
for unit in nodenet.service nodenet-wait-online.service; do
  [ -f "$units/$unit" ] || fail "no $unit in ${units#"$root"}"
  grep -q '@[A-Z_]*@' "$units/$unit" && fail "$unit: a placeholder was not substituted: $(grep '@[A-Z_]*@' "$units/$unit")"
  grep -Eq '^ExecStart=/usr/sbin/nodenet ' "$units/$unit" || fail "$unit: ExecStart= does not name /usr/sbin/nodenet"
done

# What a real system has beside the units: systemd's own units (never overwriting the installed
# ones) and the kill(1) of ExecReload=.
mkdir -p "$root/lib/systemd/system" "$root/bin"
cp -an /lib/systemd/system/. "$root/lib/systemd/system/"
[ -x /bin/kill ] || fail "/bin/kill (ExecReload=) is missing on this machine"
cp /bin/kill "$root/bin/kill"

verify_flags=(--root="$root")
[ "$man" = man ] || verify_flags+=(--man=no)
rc=0
MANPATH=$root/usr/share/man systemd-analyze verify "${verify_flags[@]}" nodenet.service nodenet-wait-online.service \
  >"$work/verify.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] || [ -s "$work/verify.log" ]; then
  cat "$work/verify.log" >&2
  fail "systemd-analyze verify: exit status $rc, $(wc -l <"$work/verify.log") message(s)"
fi
echo "systemd-analyze verify: nodenet.service and nodenet-wait-online.service load cleanly"

# The installed program loads its module from the installed tree.
cat >"$work/names.yaml" <<'YAML'
version: v1alpha1
machine:
  type: worker
  network:
    hostname: verify-units
YAML
rc=0
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$work/no-bus unshare --net "$root/usr/sbin/nodenet" plan -c "$work/names.yaml" \
  --resolver resolved --state-dir "$work/state" >"$work/plan.log" 2>&1 || rc=$?
if [ "$rc" -ne 1 ] || ! grep -q 'system bus' "$work/plan.log" || grep -q 'nodenet-resolved.so' "$work/plan.log"; then
  cat "$work/plan.log" >&2
  fail "the installed nodenet did not load its module (exit status $rc)"
fi
echo "installed nodenet loads ${module#"$root"}"
