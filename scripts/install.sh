#!/usr/bin/env bash
# make install:
#  - the modules into $INSTALL_MOD_PATH/lib/modules/$KVER/updates/ (which
#    depmod ranks above the distro's kernel/ tree, whose modules may be
#    compressed, as 6.12's .ko.xz are: the name decides, not the file),
#    then depmod;
#  - the pgenc CLI, its man page, libpgenc, its headers and pkg-config
#    file under $DESTDIR$PREFIX (PREFIX defaults to /usr/local).
# Build first (make).
set -euo pipefail
. "$(dirname "$0")/kver.sh"

prefix=${PREFIX:-/usr/local}
dest=${DESTDIR:-}$prefix
need=("$BUILD/modules/kvm.ko" "$BUILD/modules/kvm-amd.ko" "$BUILD/bin/pgenc"
	"$BUILD/lib/libpgenc.a" "$BUILD/lib/libpgenc.so.0")
for f in "${need[@]}"; do
	[[ -e $f ]] || { echo "install: error: $f missing: run make first" >&2; exit 1; }
done

root=${INSTALL_MOD_PATH:-}
mods=$root/lib/modules/$KVER/updates
install -d "$mods"
install -m 0644 "$BUILD/modules/kvm.ko" "$BUILD/modules/kvm-amd.ko" "$mods/"
if [[ -z $root ]]; then
	depmod -a "$KVER"
else
	depmod -a -b "$root" "$KVER" 2>/dev/null || true
fi

# pgenc.pc for this prefix (tools/lib/Makefile writes it from PREFIX).
make -C "$REPO/tools/lib" -s O="$BUILD" PREFIX="$prefix" >/dev/null
install -D -m 0755 "$BUILD/bin/pgenc" "$dest/bin/pgenc"
install -D -m 0644 "$REPO/tools/pgenc/pgenc.1" "$dest/share/man/man1/pgenc.1"
install -d "$dest/lib/pkgconfig" "$dest/include/pgenc" "$dest/include/linux"
install -m 0644 "$BUILD/lib/libpgenc.a" "$dest/lib/"
cp -P "$BUILD"/lib/libpgenc.so* "$dest/lib/"
install -m 0644 "$BUILD/lib/pgenc.pc" "$dest/lib/pkgconfig/"
install -m 0644 "$REPO"/tools/lib/include/pgenc/*.h "$dest/include/pgenc/"
install -m 0644 "$REPO"/uapi/linux/*.h "$dest/include/linux/"

echo "install: modules $(modinfo -F version "$mods/kvm.ko") -> $mods"
echo "install: pgenc, libpgenc, headers, man page -> $dest"
[[ -n $root || -n ${DESTDIR:-} ]] ||
	echo "install: reload with: modprobe -r kvm_amd kvm && modprobe kvm_amd (stop all VMs first)"
