#!/usr/bin/env bash
# make install:
#  - the modules into $DESTDIR/lib/modules/$KVER/updates/ (which depmod
#    ranks above the distro's kernel/ tree, whose modules may be
#    compressed, as 6.12's .ko.xz are: the name decides, not the file),
#    then depmod, on that root (depmod -b) when DESTDIR is set;
#    INSTALL_MOD_PATH, kbuild's name for that root, wins for the modules;
#  - the pgenc CLI, its man page and bash completion, libpgenc, its
#    headers, pkg-config file and JSON Schemas under $DESTDIR$PREFIX
#    (PREFIX defaults to /usr/local).
#    (PREFIX defaults to /usr/local; LIBDIR, the libraries' directory,
#    to $PREFIX/lib).
# With DESTDIR (or INSTALL_MOD_PATH) set nothing outside it is written:
# scripts/check-install.sh checks that. Build first (make).
#
#   scripts/install.sh [--userspace]
#   --userspace  the CLI and library part only, no kernel needed (the
#                packages: debian/rules; the modules are pgenc-dkms's)
set -euo pipefail
userspace=0
[[ ${1:-} != --userspace ]] || userspace=1
if ((userspace)); then
	REPO=$(cd "$(dirname "$0")/.." && pwd)
	BUILD=${BUILD:-$REPO/build}
else
	. "$(dirname "$0")/kver.sh"
fi

prefix=${PREFIX:-/usr/local}
dest=${DESTDIR:-}$prefix
libdir=${LIBDIR:-$prefix/lib}
need=("$BUILD/bin/pgenc" "$BUILD/lib/libpgenc.a" "$BUILD/lib/libpgenc.so.0")
((userspace)) || need+=("$BUILD/modules/kvm.ko" "$BUILD/modules/kvm-amd.ko")
for f in "${need[@]}"; do
	[[ -e $f ]] || { echo "install: error: $f missing: run make first" >&2; exit 1; }
done

if ((!userspace)); then
	root=${INSTALL_MOD_PATH:-${DESTDIR:-}}
	mods=$root/lib/modules/$KVER/updates
	install -d "$mods"
	install -m 0644 "$BUILD/modules/kvm.ko" "$BUILD/modules/kvm-amd.ko" "$mods/"
	if [[ -z $root ]]; then
		depmod -a "$KVER"
	else
		# A staged root usually holds our modules alone: depmod indexes what
		# is there, and a packager's postinst runs depmod on the real one.
		depmod -a -b "$root" "$KVER" 2>/dev/null || true
	fi
fi

# pgenc.pc for this prefix (tools/lib/Makefile writes it from PREFIX).
make -C "$REPO/tools/lib" -s O="$BUILD" PREFIX="$prefix" LIBDIR="$libdir" >/dev/null
install -D -m 0755 "$BUILD/bin/pgenc" "$dest/bin/pgenc"
install -D -m 0644 "$REPO/tools/pgenc/pgenc.1" "$dest/share/man/man1/pgenc.1"
install -D -m 0644 "$REPO/tools/pgenc/pgenc.bash-completion" \
	"$dest/share/bash-completion/completions/pgenc"
install -d "$dest/share/pgenc/schema"
install -m 0644 "$REPO"/tools/lib/schema/*.schema.json "$dest/share/pgenc/schema/"
install -d "${DESTDIR:-}$libdir/pkgconfig" "$dest/include/pgenc" "$dest/include/linux"
install -m 0644 "$BUILD/lib/libpgenc.a" "${DESTDIR:-}$libdir/"
cp -P "$BUILD"/lib/libpgenc.so* "${DESTDIR:-}$libdir/"
install -m 0644 "$BUILD/lib/pgenc.pc" "${DESTDIR:-}$libdir/pkgconfig/"
install -m 0644 "$REPO"/tools/lib/include/pgenc/*.h "$dest/include/pgenc/"
install -m 0644 "$REPO"/uapi/linux/*.h "$dest/include/linux/"

((userspace)) || echo "install: modules $(modinfo -F version "$mods/kvm.ko") -> $mods"
echo "install: pgenc, libpgenc, headers, man page -> $dest"
[[ $userspace == 1 || -n $root || -n ${DESTDIR:-} ]] ||
	echo "install: reload with: modprobe -r kvm_amd kvm && modprobe kvm_amd (stop all VMs first)"
