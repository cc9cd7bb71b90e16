#!/usr/bin/env bash
# Stage the target kernel's KVM sources, patched with our hooks, under
# $BUILD/kvm-$KVER/ for scripts/build-modules.sh.
#
# Sources: $KSRC (a kernel source tree) if set, else Debian's linux-source
# tarball, which must be the same package version as the headers. The
# patch set kernel/patches/<series>/ must apply with no fuzz; the tree is
# patched in a scratch copy and only published whole, so a failure never
# leaves a half-patched tree behind. Any failure is one line on stderr,
# "stage-kvm: error: ...", and exit 1.
#
# Env: PGENC_PATCHES, the root of the patch sets (default kernel/patches;
# tests/harness/stage.sh points it at scratch sets), plus kver.sh's.
set -euo pipefail
trap 'echo "stage-kvm: error: failed at line $LINENO" >&2' ERR
. "$(dirname "$0")/kver.sh" || exit 1 # it says why, in one line

die() {
	echo "stage-kvm: error: $*" >&2
	exit 1
}

series=$PGENC_SERIES # kver.sh refused a series with no patch set
patches=${PGENC_PATCHES:-$REPO/kernel/patches}/$series
compgen -G "$patches/*.patch" >/dev/null || die "the hook patch set for kernel series $series ($patches) has no *.patch"

out=$BUILD/kvm-$KVER
pristine=$BUILD/ksrc-kvm-$KVER
paths=(arch/x86/kvm virt/kvm)

# The stamp names exactly what the staged tree was made from.
if [[ -n ${KSRC:-} ]]; then
	[[ -f $KSRC/arch/x86/kvm/x86.c ]] || die "KSRC=$KSRC has no arch/x86/kvm/x86.c"
	origin="tree $KSRC"
else
	hdr_ver=$(dpkg-query -W -f='${Version}' "linux-headers-$KVER" 2>/dev/null) ||
		die "linux-headers-$KVER is not installed as a Debian package; set KSRC to its kernel source tree"
	# Debian's archive carries only the newest linux-source of a series;
	# an older kernel's comes from the snapshot archive.
	# Documentation/admin-guide.rst, "Building"
	where="linux-source-${series}_${hdr_ver}_all.deb from https://snapshot.debian.org/package/linux/$hdr_ver/, or set KSRC to that version's source tree"
	src_ver=$(dpkg-query -W -f='${Version}' "linux-source-$series" 2>/dev/null) ||
		die "linux-source-$series is not installed: install $hdr_ver, the headers' version (apt-get install linux-source-$series=$hdr_ver, else $where)"
	[[ $hdr_ver == "$src_ver" ]] ||
		die "linux-source-$series is $src_ver but linux-headers-$KVER is $hdr_ver: install $where"
	origin="tarball $KSRC_TARBALL $src_ver"
fi
stamp="$origin | $(cat "$patches"/*.patch | sha256sum | cut -d' ' -f1)"

if [[ -f $out/.staged && $(cat "$out/.staged") == "$stamp" ]]; then
	exit 0
fi

if [[ ! -f $pristine/.origin || $(cat "$pristine/.origin") != "$origin" ]]; then
	rm -rf "$pristine" "$pristine.tmp"
	mkdir -p "$pristine.tmp"
	if [[ -n ${KSRC:-} ]]; then
		(cd "$KSRC" && tar cf - "${paths[@]}") | tar xf - -C "$pristine.tmp"
	else
		top=linux-source-$series
		tar xf "$KSRC_TARBALL" -C "$pristine.tmp" --strip-components=1 \
			"${paths[@]/#/$top/}"
	fi
	echo "$origin" >"$pristine.tmp/.origin"
	mv "$pristine.tmp" "$pristine"
fi

tmp=$out.tmp
rm -rf "$tmp"
cp -a "$pristine" "$tmp"
for p in "$patches"/*.patch; do
	if ! patch -d "$tmp" -p1 --fuzz=0 --no-backup-if-mismatch -s -f <"$p" >"$tmp.log" 2>&1; then
		rm -rf "$tmp"
		die "hook patch $(basename "$p") does not apply cleanly to $origin (see ${tmp}.log)"
	fi
done
rm -f "$tmp.log"
# trace.h names itself as ../../arch/x86/kvm/trace.h relative to an
# include dir; Kbuild adds $(src)/include/trace so that resolves here.
mkdir -p "$tmp/include/trace"
echo "$stamp" >"$tmp/.staged"
rm -rf "$out"
mv "$tmp" "$out"
echo "stage-kvm: staged KVM of $KVER from $origin with $(ls "$patches"/*.patch | wc -l) hook patches"
