#!/usr/bin/env bash
# make install into a scratch root: both modules land in updates/, depmod
# prefers them over the distro's, and modinfo shows our version.
set -euo pipefail
. "$(dirname "$0")/kver.sh"

root=$BUILD/install-test
rm -rf "$root"
mkdir -p "$root/lib/modules/$KVER"
# depmod -b needs the distro's module list beside ours to rank them.
cp /lib/modules/"$KVER"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$KVER/" 2>/dev/null || true
INSTALL_MOD_PATH=$root "$(dirname "$0")/install.sh" >/dev/null

want=$(modinfo -F version "$BUILD/modules/kvm.ko")
for m in kvm kvm-amd; do
	f=$root/lib/modules/$KVER/updates/$m.ko
	[[ -f $f ]] || { echo "check-install: $f missing" >&2; exit 1; }
	got=$(modinfo -F version "$f")
	[[ $got == "$want" ]] || { echo "check-install: $m version '$got', want '$want'" >&2; exit 1; }
done
grep -q 'updates/kvm.ko' "$root/lib/modules/$KVER/modules.dep" ||
	{ echo "check-install: depmod did not index updates/kvm.ko" >&2; exit 1; }
echo "check-install: kvm.ko and kvm-amd.ko ($want) in $root/lib/modules/$KVER/updates, indexed by depmod"
