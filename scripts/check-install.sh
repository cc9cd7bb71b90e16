#!/usr/bin/env bash
# make install into a scratch root: both modules land in updates/, depmod
# prefers them over the distro's, and modinfo shows our version; the CLI,
# library, headers and man page land under the prefix, and a program
# builds against the installed library with pkg-config.
set -euo pipefail
. "$(dirname "$0")/kver.sh"

make -C "$REPO" -s BUILD="$BUILD" lib pgenc >/dev/null
root=$BUILD/install-test
rm -rf "$root"
mkdir -p "$root/lib/modules/$KVER"
# depmod -b needs the distro's module list beside ours to rank them.
cp /lib/modules/"$KVER"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$KVER/" 2>/dev/null || true
INSTALL_MOD_PATH=$root DESTDIR=$root PREFIX=/usr "$(dirname "$0")/install.sh" >/dev/null

# Built and installed, both modules: one non-empty version, VERSION's.
want=$("$REPO/scripts/check-modversion.sh" "$BUILD/modules" "$root/lib/modules/$KVER/updates") ||
	exit 1
want=${want#check-modversion: }
grep -q 'updates/kvm.ko' "$root/lib/modules/$KVER/modules.dep" ||
	{ echo "check-install: depmod did not index updates/kvm.ko" >&2; exit 1; }
for f in usr/bin/pgenc usr/share/man/man1/pgenc.1 usr/lib/libpgenc.a \
	usr/lib/libpgenc.so.0 usr/include/pgenc/pgenc.h usr/include/pgenc/bitmap.h \
	usr/include/pgenc/format.h usr/include/pgenc/kvm.h usr/include/pgenc/sev.h \
	usr/include/linux/kvm_pgenc.h usr/lib/pkgconfig/pgenc.pc; do
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
