#!/usr/bin/env bash
# Install the built modules into $INSTALL_MOD_PATH/lib/modules/$KVER/updates/
# (which depmod ranks above the distro's kernel/ tree) and run depmod.
set -euo pipefail
. "$(dirname "$0")/kver.sh"

mods=("$BUILD/modules/kvm.ko" "$BUILD/modules/kvm-amd.ko")
for m in "${mods[@]}"; do
	[[ -f $m ]] || { echo "install: error: $m missing: run make first" >&2; exit 1; }
done

root=${INSTALL_MOD_PATH:-}
dest=$root/lib/modules/$KVER/updates
install -d "$dest"
install -m 0644 "${mods[@]}" "$dest/"
if [[ -z $root ]]; then
	depmod -a "$KVER"
else
	depmod -a -b "$root" "$KVER" 2>/dev/null || true
fi
echo "install: $(modinfo -F version "$dest/kvm.ko") -> $dest"
echo "install: reload with: modprobe -r kvm_amd kvm && modprobe kvm_amd (stop all VMs first)"
