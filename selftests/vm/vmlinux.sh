#!/bin/bash
# Print the kernel image the test VM should boot for $KVER.
#
# Debian's /boot/vmlinuz is a compressed bzImage (XZ on 6.1, zstd on
# 6.12); under TCG its decompressor alone takes ~9 s. Its payload is the
# (stripped) ELF vmlinux, which QEMU boots directly through the PVH entry
# (CONFIG_PVH=y), skipping real mode and decompression: the same kernel,
# ~6 s faster per run. The ELF is unpacked once on the host (~2 s) into
# build/vm-kernel/.
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
# The payload's place is in the boot header (the kernel's x86 boot
# protocol, boot.rst: setup_sects, payload_offset, payload_length); the
# build appends the uncompressed size (4 bytes) to the stream.
u32() { od -An -tu4 -j "$1" -N4 "$bz" | tr -d ' '; }
sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$bz" | tr -d ' ')
((sects)) || sects=4
start=$(((sects + 1) * 512 + $(u32 $((0x248)))))
len=$(($(u32 $((0x24c))) - 4))
case $(od -An -tx1 -j "$start" -N4 "$bz" | tr -d ' \n') in
fd377a58) dec=(xz -dc) ;;
28b52ffd) dec=(zstd -qdc) ;;
*) fallback "payload is neither XZ nor zstd" ;;
esac
tmp=$(mktemp "$elf.XXXXXX")
if ! dd if="$bz" iflag=skip_bytes,count_bytes skip="$start" count="$len" status=none |
	"${dec[@]}" >"$tmp" 2>/dev/null ||
	[[ $(head -c4 "$tmp" | od -An -c | tr -d ' ') != '177ELF' ]]; then
	rm -f "$tmp"
	fallback "payload is not an ELF vmlinux"
fi
# Rename last: concurrent runs see either nothing or the whole file.
chmod 644 "$tmp"
mv "$tmp" "$elf"
echo "$stamp" >"$elf.stamp"
echo "$elf"
