#!/usr/bin/env bash
# make install DESTDIR=<scratch root>: both modules land in its updates/,
# depmod (-b) prefers them over the distro's, and modinfo shows our
# version; the CLI, library, headers, man page, bash completion and JSON
# Schemas land under the prefix, and a program builds against the
# installed library with pkg-config; and nothing outside DESTDIR changed
# (the live /lib/modules/$KVER and the prefix's directories, by path,
# size and mtime, before and after).
#
#   scripts/check-install.sh
#   scripts/check-install.sh --modversion DIR...
#                   the version check alone: in every DIR, kvm.ko and
#                   kvm-amd.ko both have a version, the same one, and it
#                   is the VERSION file's as build-modules.sh stamps it,
#                   VERSION[+g<commit>[-dirty]] (two modules with no
#                   version must not pass as "equal"). Prints
#                   "check-install: version <version>", or one error line
#                   and exits 1.
set -euo pipefail

die() {
	echo "check-install: error: $*" >&2
	exit 1
}

modversion() {
	local top base re want='' d m f v
	top=$(cd "$(dirname "$0")/.." && pwd)
	(($#)) || die "usage: $0 --modversion DIR..."
	base=$(tr -d ' \n' <"$top/VERSION")
	[[ -n $base ]] || die "$top/VERSION is empty"
	# The VERSION file's dots are literal.
	re="^${base//./\\.}(\\+g[0-9a-f]{4,40}(-dirty)?)?\$"
	for d in "$@"; do
		for m in kvm kvm-amd; do
			f=$d/$m.ko
			[[ -f $f ]] || die "$f missing"
			v=$(modinfo -F version "$f" 2>/dev/null) || die "modinfo cannot read $f"
			[[ -n $v ]] || die "$f has no version (MODULE_VERSION)"
			[[ $v =~ $re ]] || die "$f has version '$v', want VERSION ${base}[+g<commit>[-dirty]]"
			want=${want:-$v}
			[[ $v == "$want" ]] || die "$f has version '$v', but $1/kvm.ko has '$want'"
		done
	done
	echo "check-install: version $want"
}

if [[ ${1:-} == --modversion ]]; then
	shift
	modversion "$@"
	exit
fi
. "$(dirname "$0")/kver.sh"

make -C "$REPO" -s BUILD="$BUILD" lib pgenc >/dev/null
root=$BUILD/install-test
rm -rf "$root"
mkdir -p "$root/lib/modules/$KVER"
# depmod -b needs the distro's module list beside ours to rank them.
cp /lib/modules/"$KVER"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$KVER/" 2>/dev/null || true
# What make install would touch on the live system without DESTDIR.
live=("/lib/modules/$KVER" /usr/bin /usr/lib /usr/include/pgenc /usr/include/linux
	/usr/share/man/man1 /usr/share/bash-completion/completions /usr/share/pgenc)
snapshot() {
	local d
	for d in "${live[@]}"; do
		[[ -e $d ]] || { echo "absent $d"; continue; }
		find "$d" -maxdepth 2 -printf '%p %s %T@\n' 2>/dev/null
	done | sort
}
before=$(snapshot)
env -u INSTALL_MOD_PATH DESTDIR="$root" PREFIX=/usr "$(dirname "$0")/install.sh" >/dev/null
changed=$(diff <(echo "$before") <(snapshot) | grep '^[<>]' | head -n 4 | tr '\n' ' ') || true
[[ -z $changed ]] || die "make install DESTDIR=$root changed the live system: $changed"

# Built and installed, both modules: one non-empty version, VERSION's.
want=$(modversion "$BUILD/modules" "$root/lib/modules/$KVER/updates")
want=${want#check-install: version }
grep -q 'updates/kvm.ko' "$root/lib/modules/$KVER/modules.dep" ||
	{ echo "check-install: depmod did not index updates/kvm.ko" >&2; exit 1; }
for f in usr/bin/pgenc usr/share/man/man1/pgenc.1 usr/lib/libpgenc.a \
	usr/lib/libpgenc.so.0 usr/include/pgenc/pgenc.h usr/include/pgenc/bitmap.h \
	usr/include/pgenc/format.h usr/include/pgenc/kvm.h usr/include/pgenc/sev.h \
	usr/include/linux/kvm_pgenc.h usr/lib/pkgconfig/pgenc.pc \
	usr/share/bash-completion/completions/pgenc usr/share/pgenc/schema/pgenc-bitmap.schema.json; do
	[[ -e $root/$f ]] || { echo "check-install: $f missing" >&2; exit 1; }
done
"$root/usr/bin/pgenc" --version >/dev/null ||
	{ echo "check-install: installed pgenc does not run" >&2; exit 1; }
# A VMM's build: the installed .pc, headers and static library.
cat >"$root/vmm.c" <<'C'
#include <pgenc/pgenc.h>
#include <stdio.h>
int main(void)
{
	printf("%s %#x\n", pgenc_version(), KVM_CAP_PAGE_ENC_BITMAP);
	return 0;
}
C
pc=$root/usr/lib/pkgconfig
flags=$(PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_PATH=$pc pkg-config --cflags pgenc)
libs=$(PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_PATH=$pc pkg-config --static --libs pgenc)
cc -std=c11 $flags "$root/vmm.c" -o "$root/vmm" -static $libs ||
	{ echo "check-install: a program does not build against the installed libpgenc" >&2; exit 1; }
"$root/vmm" >/dev/null || { echo "check-install: linked program fails" >&2; exit 1; }
# The prefix is restored for the build tree.
make -C "$REPO/tools/lib" -s O="$BUILD" >/dev/null
echo "check-install: pgenc, libpgenc (pkg-config), headers and man page under $root/usr"
echo "check-install: kvm.ko and kvm-amd.ko ($want) in $root/lib/modules/$KVER/updates, indexed by depmod"
echo "check-install: nothing outside DESTDIR changed (/lib/modules/$KVER, /usr)"
