# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The test VM's packing on each installed series, without booting it:
# selftests/vm/vmlinux.sh finds the ELF vmlinux (PVH entry) in Debian's
# bzImage, XZ on 6.1 and zstd on 6.12; selftests/vm/pack.sh unpacks the
# stock .ko.xz dependencies of fake kvm/kvm-amd modules and skips a soft
# dependency built into the kernel. A series whose packages are not
# installed is skipped.

id=$(scratch vm)
echo 'int pgenc_harness_fake;' | gcc -c -x c - -o "$id/empty.o"

# vm_env KVER: the environment kver.sh accepts for KVER, or fail.
vm_env() {
	local s
	s=$(cut -d. -f1,2 <<<"$1")
	[[ -e /boot/vmlinuz-$1 && -d /lib/modules/$1/kernel && -e /lib/modules/$1/build/Makefile &&
		-r /usr/src/linux-source-$s.tar.xz ]] || return 1
	echo "KVER=$1 KSRC_TARBALL=/usr/src/linux-source-$s.tar.xz BUILD=$id/$1"
}

# fakemod FILE KVER DEPENDS [SOFTDEP]: an ELF object with a .modinfo.
fakemod() {
	printf 'license=GPL\0vermagic=%s SMP mod_unload\0depends=%s\0%s' \
		"$2" "$3" "${4:+softdep=$4}" >"$id/modinfo"
	printf '\0' >>"$id/modinfo"
	objcopy --add-section .modinfo="$id/modinfo" "$id/empty.o" "$1"
}

kvers=()
for v in /usr/src/linux-headers-6.1.*-amd64 /usr/src/linux-headers-6.12.*-amd64; do
	[[ -d $v ]] && kvers+=("${v#/usr/src/linux-headers-}")
done
mkdir -p "$id/tests"
printf '#!/bin/sh\nexit 0\n' >"$id/tests/fake_test"
chmod +x "$id/tests/fake_test"

for kv in 6.1.0 6.12.; do
	k=
	for v in "${kvers[@]}"; do
		[[ $v == "$kv"* ]] && k=$v
	done
	if [[ -z $k ]] || ! e=$(vm_env "$k"); then
		skip "vmlinux.sh, pack.sh on ${kv%.}" "its image, headers or source are not installed"
		continue
	fi
	# shellcheck disable=SC2086 # e is VAR=value words
	expect "vmlinux.sh $k: an ELF vmlinux with its PVH entry" 0 env $e "$REPO/selftests/vm/vmlinux.sh"
	[[ $OUT == "$id/$k/vm-kernel/vmlinux-$k" ]] || why "want $id/$k/vm-kernel/vmlinux-$k"
	readelf -n "$OUT" 2>/dev/null | grep -q 'Xen.*(0x00000012)' || why "no PVH entry note (Xen, 0x12)"
	done_

	m=$id/$k/modules
	mkdir -p "$m"
	fakemod "$m/kvm.ko" "$k" irqbypass
	fakemod "$m/kvm-amd.ko" "$k" kvm,ccp "pre: drbg pgenc_no_such_module"
	# shellcheck disable=SC2086
	expect "pack.sh $k: stock dependencies unpacked, built-in soft ones skipped" 0 \
		env $e "$REPO/selftests/vm/pack.sh" --out "$id/$k/vm" --modules "$m" --tests "$id/tests"
	r=$id/$k/vm/root
	# drbg is a module on 6.1, built in on 6.12; the unknown one is skipped.
	want="irqbypass.ko ccp.ko"
	[[ -f $(modinfo -k "$k" -n drbg 2>/dev/null) ]] && want="irqbypass.ko drbg.ko ccp.ko"
	# shellcheck disable=SC1090,SC1091 # pack.sh writes it for init.sh
	got=$(. "$r/etc/pgenc-vm.conf" && echo "$DEP_MODULES")
	[[ $got == "$want" ]] || why "DEP_MODULES '$got', want '$want'"
	for d in irqbypass ccp; do
		[[ $(head -c4 "$r/modules/deps/$d.ko" 2>/dev/null | od -An -c | tr -d ' ') == '177ELF' ]] ||
			why "$d.ko is not an uncompressed ELF module"
	done
	[[ -s $id/$k/vm/initramfs.cpio.gz ]] || why "no initramfs"
	done_
done
