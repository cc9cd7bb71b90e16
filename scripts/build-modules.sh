#!/usr/bin/env bash
# Build kvm.ko and kvm-amd.ko for $KVER into $BUILD/modules/.
# Extra arguments go to kbuild (e.g. C=2, W=1).
set -euo pipefail
. "$(dirname "$0")/kver.sh"
"$REPO/scripts/stage-kvm.sh"
tree=$BUILD/kvm-$KVER
# sev_route.h renames calls throughout sev.c: a call the target kernel
# adds or drops must be reviewed, not rerouted unseen (one error line).
"$REPO/scripts/check-route.sh" "$tree/arch/x86/kvm/svm/sev.c" \
	"${PGENC_PATCHES:-$REPO/kernel/patches}/$PGENC_SERIES/sev_route.calls"
# Our ioctl, capability and hypercall numbers must not collide with the
# target's <linux/kvm.h> (Documentation/api.rst); the full header check
# (C/C++ compiles) is the style lane's.
if ! uapi=$("$REPO/scripts/check-uapi.sh" --numbers --kdir "$KDIR" 2>&1); then
	grep -E '^check-uapi: (FAIL|error)' <<<"$uapi" >&2 || true
	echo "build-modules: error: uapi/linux/kvm_pgenc.h collides with the target's <linux/kvm.h> or cannot be checked (scripts/check-uapi.sh --numbers)" >&2
	exit 1
fi

# Our sources are copied, not linked, so kbuild's outputs stay in build/.
rm -rf "$tree/pgenc" "$tree/uapi"
mkdir -p "$tree/pgenc/svm" "$tree/uapi/linux"
cp -p "$REPO"/kernel/*.[ch] "$tree/pgenc/"
cp -p "$REPO"/kernel/svm/*.[ch] "$tree/pgenc/svm/" 2>/dev/null || true
cp -p "$REPO"/uapi/linux/*.h "$tree/uapi/linux/"
cp -p "$REPO/Kbuild" "$tree/Kbuild"

version=$(cat "$REPO/VERSION")
if rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null); then
	version+="+g$rev"
	git -C "$REPO" diff --quiet HEAD -- kernel uapi Kbuild 2>/dev/null || version+="-dirty"
fi

# PGENC_TEST_SW_PROTECTED=1: the test-only variant of Kbuild's knob, into
# modules-swprot/, which `make install` never takes.
mods=$BUILD/modules tag=
if [[ ${PGENC_TEST_SW_PROTECTED:-} == 1 ]]; then
	set -- PGENC_TEST_SW_PROTECTED=1 "$@"
	mods=$BUILD/modules-swprot
	tag=+swprot # Kbuild appends it to the modules' version
fi

make -C "$KDIR" M="$tree" PGENC_VERSION="$version" -j"$(nproc)" "$@" modules
mkdir -p "$mods"
cp "$tree/kvm.ko" "$tree/kvm-amd.ko" "$mods/"
echo "build-modules: $mods/{kvm,kvm-amd}.ko for $KVER, pgenc $version$tag"
