#!/bin/bash
# Print the kernel image the test VM should boot for $KVER.
#
# Debian's /boot/vmlinuz is an XZ-compressed bzImage; under TCG its
# decompressor alone takes ~9 s. Its payload is the (stripped) ELF vmlinux,
# which QEMU boots directly through the PVH entry (CONFIG_PVH=y), skipping
# real mode and decompression: the same kernel, ~6 s faster per run. The
# ELF is unpacked once on the host (~2 s) into build/vm-kernel/.
# Falls back to the bzImage if it cannot (other compression, no PVH), or
# when PGENC_VM_BZIMAGE=1 (to exercise the ordinary boot path).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/kver.sh"

# A kernel built elsewhere (scripts/check-debug.sh): booted as given.
if [[ -n ${PGENC_KIMAGE:-} ]]; then
	echo "$PGENC_KIMAGE"
	exit 0
fi

bz=/boot/vmlinuz-$KVER
fallback() {
	echo "vmlinux.sh: note: booting $bz ($1)" >&2
	echo "$bz"
	exit 0
}

[[ ${PGENC_VM_BZIMAGE:-0} == 1 ]] && fallback "PGENC_VM_BZIMAGE=1"
grep -qx 'CONFIG_PVH=y' "/boot/config-$KVER" 2>/dev/null || fallback "no CONFIG_PVH"

dir=$BUILD/vm-kernel
elf=$dir/vmlinux-$KVER
stamp="$(stat -c '%s %Y' "$bz")"
if [[ -f $elf && -f $elf.stamp && $(<"$elf.stamp") == "$stamp" ]]; then
	echo "$elf"
	exit 0
fi

mkdir -p "$dir"
# The payload is the first XZ stream (magic FD 37 7A 58 5A 00).
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$bz" | head -n1 | cut -d: -f1 || true)
[[ -n $off ]] || fallback "no XZ payload found"
tmp=$(mktemp "$elf.XXXXXX")
# (xz stops after that stream; tail's SIGPIPE then is not an error.)
if ! xz -dc --single-stream <(tail -c +$((off + 1)) "$bz") >"$tmp" 2>/dev/null ||
	[[ $(head -c4 "$tmp" | od -An -c | tr -d ' ') != '177ELF' ]]; then
	rm -f "$tmp"
	fallback "payload is not an ELF vmlinux"
fi
# Rename last: concurrent runs see either nothing or the whole file.
chmod 644 "$tmp"
mv "$tmp" "$elf"
echo "$stamp" >"$elf.stamp"
echo "$elf"
