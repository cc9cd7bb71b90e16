# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# scripts/check-uapi.sh --numbers (what the module build runs) on scratch
# copies of uapi/linux/kvm_pgenc.h whose numbers collide with the target
# kernel's <linux/kvm.h>/<linux/kvm_para.h>, one kind each; then the
# module build itself against a fake target whose <linux/kvm.h> took our
# capability number: it must stop before kbuild.

ud=$(scratch uapi)
U=$REPO/scripts/check-uapi.sh
H=$REPO/uapi/linux/kvm_pgenc.h
# The target's headers as the build sees them (kver.sh), else skip.
ukdir=$(. "$REPO/scripts/kver.sh" 2>/dev/null && echo "$KDIR") || ukdir=

if [[ -z $ukdir ]]; then
	skip "uapi: collision checks" "no target kernel headers (make deps)"
else
	# collide NAME SED DESC REASON: a header edited by SED must fail.
	collide() {
		sed "$2" "$H" >"$ud/$1.h"
		if cmp -s "$H" "$ud/$1.h"; then
			notok "uapi: $3: the edit did not apply"
			return
		fi
		expect "uapi: $3: check fails" 1 "$U" --numbers --kdir "$ukdir" --header "$ud/$1.h"
		has "^check-uapi: FAIL: $4"
		hasnt '^check-uapi: ok'
		done_
	}

	expect "uapi: the real header passes" 0 "$U" --numbers --kdir "$ukdir"
	has '^check-uapi: ok, no collisions'
	done_
	# _IOW(KVMIO, 0x01, ...) has KVM_CREATE_VM's number, another size.
	collide ioc_nr 's/_IOW(KVMIO, 0xd9,/_IOW(KVMIO, 0x01,/' \
		"ioctl number of KVM_CREATE_VM" \
		'KVM_GET_PAGE_ENC_BITMAP has _IOC_NR 0x1 like KVMIO ioctl KVM_CREATE_VM'
	# The whole value of KVM_CREATE_VM.
	collide ioc_val 's/^#define KVM_SET_PAGE_ENC_BITMAP .*/#define KVM_SET_PAGE_ENC_BITMAP _IO(KVMIO, 0x01)/' \
		"ioctl value of KVM_CREATE_VM" \
		'KVM_SET_PAGE_ENC_BITMAP = 44545 collides with ioctl KVM_CREATE_VM'
	collide ioc_own 's/_IOW(KVMIO, 0xda,/_IOW(KVMIO, 0xd9,/' \
		"our two ioctls share a number" \
		'KVM_SET_PAGE_ENC_BITMAP has the same _IOC_NR as KVM_GET_PAGE_ENC_BITMAP'
	# 1 is KVM_CAP_HLT.
	collide cap 's/^#define KVM_CAP_PAGE_ENC_BITMAP 0x1000$/#define KVM_CAP_PAGE_ENC_BITMAP 1/' \
		"capability number of KVM_CAP_HLT" \
		'KVM_CAP_PAGE_ENC_BITMAP = 1 collides with KVM_CAP_HLT'
	# 11 is KVM_HC_SCHED_YIELD, and no longer KVM_HC_MAP_GPA_RANGE.
	collide hc 's/^#define KVM_HC_PAGE_ENC_STATUS 12$/#define KVM_HC_PAGE_ENC_STATUS 11/' \
		"hypercall number of KVM_HC_SCHED_YIELD" \
		'KVM_HC_PAGE_ENC_STATUS = 11 also equals KVM_HC_SCHED_YIELD'

	# The build: a fake target whose kvm.h defines our capability number.
	# Symlinked copies of the target's uapi trees, kvm.h edited.
	common=$(sed -n 's@^include \(/.*\)/Makefile$@\1@p' "$ukdir/Makefile" | head -1)
	[[ -f ${common:-$ukdir}/include/uapi/linux/kvm.h ]] || common=$ukdir
	fk=$ud/kdir
	mkdir -p "$fk/include" "$fk/arch/x86/include"
	cp -rs "$common/include/uapi" "$fk/include/"
	cp -rs "$common/arch/x86/include/uapi" "$fk/arch/x86/include/"
	for g in include/generated/uapi arch/x86/include/generated/uapi; do
		[[ -d $ukdir/$g ]] && mkdir -p "$fk/$(dirname "$g")" && cp -rs "$ukdir/$g" "$fk/$(dirname "$g")/"
	done
	rm "$fk/include/uapi/linux/kvm.h"
	sed 's/^#define KVM_CAP_HLT[[:space:]].*$/&\n#define KVM_CAP_PGENC_CLASH 0x1000/' \
		"$common/include/uapi/linux/kvm.h" >"$fk/include/uapi/linux/kvm.h"
	: >"$fk/Makefile" # kver.sh's check; kbuild must never get this far

	# The staging of tests/harness/stage.sh, if it ran, else a minimal one.
	sd=$T/stage
	if [[ ! -d $sd/patches-good ]]; then
		mkdir -p "$sd/ksrc/arch/x86/kvm/svm" "$sd/ksrc/virt/kvm" "$sd/patches-good/6.1"
		: >"$sd/ksrc/arch/x86/kvm/x86.c"
		: >"$sd/ksrc/arch/x86/kvm/svm/sev.c"
		: >"$sd/patches-good/6.1/sev_route.calls"
		printf -- '--- a/virt/kvm/new.c\n+++ b/virt/kvm/new.c\n@@ -0,0 +1 @@\n+new\n' \
			>"$sd/patches-good/6.1/0001-new.patch"
		: >"$sd/vmlinuz"
	fi
	build() {
		env KVER=6.1.0-harness-amd64 PGENC_PATCHES="$sd/patches-good" \
			BUILD="$ud/build" KSRC="$sd/ksrc" KDIR="$1" \
			PGENC_KIMAGE="$sd/vmlinuz" KSRC_TARBALL="$H" \
			"$REPO/scripts/build-modules.sh"
	}
	expect "uapi: make stops when the target's kvm.h takes our cap" 1 build "$fk"
	grep -q '^#define KVM_CAP_PGENC_CLASH 0x1000$' "$fk/include/uapi/linux/kvm.h" ||
		why "the fake kvm.h was not edited"
	has '^check-uapi: FAIL: KVM_CAP_PAGE_ENC_BITMAP = 4096 collides with KVM_CAP_PGENC_CLASH'
	has '^build-modules: error: uapi/linux/kvm_pgenc.h collides'
	hasnt 'make|Entering directory|CC'
	[[ ! -e $ud/build/modules ]] || why "modules were built"
	done_
	# The same fake target, unedited: the check passes and kbuild is
	# reached (and fails on the empty Makefile), so the stop above was
	# the collision's.
	cp "$common/include/uapi/linux/kvm.h" "$fk/include/uapi/linux/kvm.h"
	expect "uapi: make passes the check on the unedited fake target" nz build "$fk"
	hasnt 'check-uapi|build-modules: error'
	has 'make'
	done_
fi
