# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# scripts/stage-kvm.sh (and the build that calls it) against a tiny fake
# KVM tree (KSRC) and scratch patch sets (PGENC_PATCHES): a patch that
# applies only with fuzz, a series with no patch set and an empty one.
# Each must stop with exactly one "stage-kvm: error:" line naming the
# cause, leave no scratch or half-patched tree, and keep the tree staged
# before intact.

sd=$(scratch stage)
mkdir -p "$sd/ksrc/arch/x86/kvm/svm" "$sd/ksrc/virt/kvm" "$sd/kdir"
# kver.sh's checks, satisfied without an installed kernel.
: >"$sd/kdir/Makefile"
: >"$sd/vmlinuz"
: >"$sd/tarball"
printf 'line %s\n' 1 2 3 4 5 6 7 8 9 10 11 12 >"$sd/ksrc/arch/x86/kvm/x86.c"
printf 'line %s\n' a b c d e f >"$sd/ksrc/virt/kvm/kvm_main.c"
# The module build checks sev.c's renamed calls (tests/harness/route.sh);
# this one has none, as its list says.
: >"$sd/ksrc/arch/x86/kvm/svm/sev.c"

# mkpatch FILE SED_SCRIPT: a -p1 patch of FILE (relative to ksrc) made
# by running SED_SCRIPT on the given base text (stdin).
mkpatch() {
	local f=$1 script=$2 w=$sd/work
	rm -rf "$w"
	mkdir -p "$w/a/$(dirname "$f")" "$w/b/$(dirname "$f")"
	cat >"$w/a/$f"
	sed "$script" "$w/a/$f" >"$w/b/$f"
	(cd "$w" && diff -u "a/$f" "b/$f") || true
}

good=$sd/patches-good/6.1
mkdir -p "$good"
mkpatch arch/x86/kvm/x86.c 's/^line 6$/line 6 hooked/' \
	<"$sd/ksrc/arch/x86/kvm/x86.c" >"$good/0001-x86.patch"
mkpatch virt/kvm/kvm_main.c 's/^line c$/line c hooked/' \
	<"$sd/ksrc/virt/kvm/kvm_main.c" >"$good/0002-main.patch"
# A third patch made against a slightly different x86.c (its outermost
# context line differs): plain `patch` applies it with fuzz 1, stage-kvm
# must not.
fuzzy=$sd/patches-fuzzy/6.1
mkdir -p "$fuzzy"
cp "$good"/*.patch "$fuzzy/"
sed 's/^line 8$/line eight/' "$sd/ksrc/arch/x86/kvm/x86.c" |
	mkpatch arch/x86/kvm/x86.c 's/^line 11$/line 11 hooked/' >"$fuzzy/0003-fuzzy.patch"
echo '# no renamed calls' >"$good/sev_route.calls"
mkdir -p "$sd/patches-empty/6.1"
: >"$sd/patches-empty/6.1/README"

kver=6.1.0-harness-amd64
# stage KVER PATCH_ROOT BUILD [script]: run the staging (or build) script.
stage() {
	env KVER="$1" PGENC_PATCHES="$2" BUILD="$3" KSRC="$sd/ksrc" \
		KDIR="$sd/kdir" PGENC_KIMAGE="$sd/vmlinuz" KSRC_TARBALL="$sd/tarball" \
		"$REPO/scripts/${4:-stage-kvm.sh}"
}
# one_error REGEX: the output is exactly one line, the error, matching.
one_error() {
	[[ $(wc -l <<<"$OUT") == 1 ]] || why "want one line, got $(wc -l <<<"$OUT")"
	has "^stage-kvm: error: $1"
}
# A fingerprint of a tree: every file's path and content.
tree_sum() { (cd "$1" 2>/dev/null && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum; }

b=$sd/build
expect "stage: a clean patch set stages" 0 stage "$kver" "$sd/patches-good" "$b"
has '^stage-kvm: staged KVM of 6\.1\.0-harness-amd64 .* with 2 hook patches$'
grep -qx 'line 6 hooked' "$b/kvm-$kver/arch/x86/kvm/x86.c" 2>/dev/null ||
	why "x86.c not patched"
grep -qx 'line c hooked' "$b/kvm-$kver/virt/kvm/kvm_main.c" 2>/dev/null ||
	why "kvm_main.c not patched"
[[ -f $b/kvm-$kver/.staged ]] || why "no .staged stamp"
done_
before=$(tree_sum "$b/kvm-$kver")

# The fuzzy patch really is one that fuzz would let through.
if patch -d "$b/kvm-$kver" -p1 --dry-run -s -f <"$fuzzy/0003-fuzzy.patch" >/dev/null 2>&1 &&
	! patch -d "$b/kvm-$kver" -p1 --dry-run --fuzz=0 -s -f <"$fuzzy/0003-fuzzy.patch" >/dev/null 2>&1; then
	ok "stage: the fuzzy patch applies with fuzz only"
else
	notok "stage: the fuzzy patch applies with fuzz only"
fi

expect "stage: a patch needing fuzz stops the staging" 1 stage "$kver" "$sd/patches-fuzzy" "$b"
one_error 'hook patch 0003-fuzzy\.patch does not apply cleanly'
[[ ! -e $b/kvm-$kver.tmp ]] || why "scratch tree $b/kvm-$kver.tmp left behind"
[[ $(tree_sum "$b/kvm-$kver") == "$before" ]] || why "the previously staged tree changed"
done_

b=$sd/build-fresh
expect "stage: a patch needing fuzz, nothing staged before" 1 stage "$kver" "$sd/patches-fuzzy" "$b"
one_error 'hook patch 0003-fuzzy\.patch'
[[ ! -e $b/kvm-$kver && ! -e $b/kvm-$kver.tmp ]] || why "a staged or scratch tree was left: $(ls "$b")"
done_

# kver.sh refuses a series with no patch set first, naming the supported ones.
mkdir -p "$sd/patches-good/6.12"
b=$sd/build-noseries
expect "stage: no patch set for the series" 1 stage 9.9.0-harness-amd64 "$sd/patches-good" "$b"
[[ $(wc -l <<<"$OUT") == 1 ]] || why "want one line, got $(wc -l <<<"$OUT")"
has '^kver\.sh: error: KVER=9\.9\.0-harness-amd64: no hook patch set for kernel series 9\.9; supported: 6\.1 6\.12$'
[[ ! -e $b/kvm-9.9.0-harness-amd64 && ! -e $b/kvm-9.9.0-harness-amd64.tmp ]] ||
	why "a tree was staged"
done_

expect "stage: an empty patch set" 1 stage "$kver" "$sd/patches-empty" "$b"
one_error 'the hook patch set for kernel series 6\.1 .* has no \*\.patch$'
[[ ! -e $b/kvm-$kver ]] || why "a tree was staged"
done_

# The build stops there too, adding nothing.
expect "stage: make (build-modules.sh) stops on a missing series" 1 \
	stage 9.9.0-harness-amd64 "$sd/patches-good" "$b" build-modules.sh
[[ $(wc -l <<<"$OUT") == 1 ]] || why "want one line, got $(wc -l <<<"$OUT")"
has '^kver\.sh: error: KVER=9\.9\.0-harness-amd64: no hook patch set for kernel series 9\.9; supported: 6\.1 6\.12$'
done_
expect "stage: make (build-modules.sh) stops on a fuzzy patch" 1 \
	stage "$kver" "$sd/patches-fuzzy" "$sd/build" build-modules.sh
one_error 'hook patch 0003-fuzzy\.patch'
[[ $(tree_sum "$sd/build/kvm-$kver") == "$before" ]] || why "the previously staged tree changed"
done_

# The series picks the build root (build/ for 6.1 only, so series coexist)
# and the tarball (linux-source-<series>; an empty KSRC_TARBALL is unset).
# shellcheck disable=SC2016 # the inner script's own expansions
kv() {
	env KVER="$1" PGENC_PATCHES="$sd/patches-good" KSRC_TARBALL="$2" BUILD= \
		KDIR="$sd/kdir" PGENC_KIMAGE="$sd/vmlinuz" \
		bash -c '. "$1/scripts/kver.sh" && echo "$PGENC_SERIES $BUILD $KSRC_TARBALL"' kv "$REPO"
}
expect "kver: 6.1 builds in build/" 0 kv "$kver" "$sd/tarball"
has "^6\\.1 $REPO/build $sd/tarball\$"
done_
expect "kver: 6.12 builds in build/6.12/" 0 kv 6.12.1+deb12-amd64 "$sd/tarball"
has "^6\\.12 $REPO/build/6\\.12 $sd/tarball\$"
done_
# Named in the output whether it is installed (then echoed) or not (the error).
kv_any() { kv "$@" || true; }
expect "kver: the tarball follows the series" 0 kv_any 6.12.1+deb12-amd64 ""
has '/usr/src/linux-source-6\.12\.tar\.xz'
done_

# Without KSRC, the source package must be the headers' version; when it
# is not (or is missing), one line says where that version comes from.
# A fake dpkg-query answers for the two packages.
mkdir -p "$sd/bin"
cat >"$sd/bin/dpkg-query" <<'SH'
#!/bin/bash
case ${!#} in
linux-headers-*) echo -n 6.1.99-1 ;;
linux-source-*) [[ -n $FAKE_SRC ]] || exit 1; echo -n "$FAKE_SRC" ;;
*) exit 1 ;;
esac
SH
chmod +x "$sd/bin/dpkg-query"
nosrc() {
	env PATH="$sd/bin:$PATH" FAKE_SRC="$1" KVER="$kver" PGENC_PATCHES="$sd/patches-good" \
		BUILD="$sd/build-nosrc" KDIR="$sd/kdir" PGENC_KIMAGE="$sd/vmlinuz" \
		KSRC_TARBALL="$sd/tarball" KSRC= "$REPO/scripts/stage-kvm.sh"
}
snap='https://snapshot\.debian\.org/package/linux/6\.1\.99-1/, or set KSRC'
expect "stage: linux-source of another version: where the right one is" 1 nosrc 6.1.100-1
one_error "linux-source-6\\.1 is 6\\.1\\.100-1 but linux-headers-$kver is 6\\.1\\.99-1: install linux-source-6\\.1_6\\.1\\.99-1_all\\.deb from $snap"
[[ ! -e $sd/build-nosrc/kvm-$kver ]] || why "a tree was staged"
done_
expect "stage: no linux-source: where it is" 1 nosrc ""
one_error "linux-source-6\\.1 is not installed: install 6\\.1\\.99-1, .*$snap"
done_

# With no KVER or SERIES, the running kernel is the target when it has
# headers; one that has none (a fake uname's) is named in a note, and the
# newest installed 6.1 is taken as before (or none is there: the error).
mkdir -p "$sd/uname"
printf '#!/bin/sh\necho 6.1.0-harness-nothere-amd64\n' >"$sd/uname/uname"
chmod +x "$sd/uname/uname"
# shellcheck disable=SC2016 # the inner script's own expansions
run_kv() {
	env -u KVER -u SERIES -u KDIR -u BUILD PATH="$sd/uname:$PATH" \
		bash -c '. "$1/scripts/kver.sh" && echo "KVER=$KVER"' kv "$REPO" || true
}
expect "kver: a running kernel without headers is not the default" 0 run_kv
! grep -q 'KVER=6\.1\.0-harness-nothere' <<<"$OUT" || why "took the running kernel"
if grep -q '^KVER=' <<<"$OUT"; then
	has '^kver\.sh: note: building for 6\.1\..*: the running kernel 6\.1\.0-harness-nothere-amd64 has no headers'
else
	has '^kver\.sh: error: no linux-headers-6\.1'
fi
done_
