# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# scripts/check-route.sh, as the module build runs it: the staged sev.c's
# uses of the names kernel/svm/sev_route.h renames must be the series'
# committed list. A fake KVM tree whose sev.c stands in for a stable
# update: a call added, one dropped, one more in the same function, and
# mere line drift. A difference stops the build before kbuild with one
# line naming each call; drift does not.

rd=$(scratch route)
mkdir -p "$rd/kdir" "$rd/patches/6.1"
: >"$rd/kdir/Makefile" # kver.sh's check; kbuild is never reached
: >"$rd/vmlinuz"
: >"$rd/tarball"

# A sev.c in the kernel's style. Names in comments, strings and
# #include lines are not uses, nor is a function-like name without a
# call (the member cpuid); an object-like one is renamed wherever it
# appears (sev_guest_activate as a value, outside any function: "-"); a
# call in a #define's body, continued or not, is the macro's.
base_sev() {
	cat <<'EOF'
// SPDX-License-Identifier: GPL-2.0-only
#include "cpuid.h"
#define SEV_NOTE "boot_cpu_has(X86_FEATURE_SEV)" /* cpuid( */ \
	cpuid(1, a, b, c, d)

/* sev_guest_df_flush(&error) is not called here */
static int (*hook)(void) = sev_guest_activate;

static int sev_bind_asid(struct kvm *kvm, unsigned int handle, int *error)
{
	pr_info("sev_guest_activate(x)\n");
	return sev_guest_activate(&activate, error);
}

void __init sev_hardware_setup(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!boot_cpu_has(X86_FEATURE_SEV) ||
	    WARN_ON_ONCE(!boot_cpu_has
			 (X86_FEATURE_DECODEASSISTS)))
		return;
	cpuid(0x8000001f, &eax, &ebx, &ecx, &edx);
}

static void sev_init_vmcb(struct vcpu_svm *svm)
{
	svm->vmcb->control.nested_ctl |= SVM_NESTED_CTL_SEV_ENABLE;
	svm->cpuid = 0;
}
EOF
}
# The list for base_sev() as staged: the hook patch adds the call in
# sev_hook().
cat >"$rd/patches/6.1/sev_route.calls" <<'EOF'
# A comment line.
- sev_guest_activate
macro:SEV_NOTE cpuid
sev_bind_asid sev_guest_activate
sev_hardware_setup boot_cpu_has
sev_hardware_setup boot_cpu_has
sev_hardware_setup cpuid
sev_hook sev_guest_df_flush
sev_init_vmcb SVM_NESTED_CTL_SEV_ENABLE
EOF
base_sev >"$rd/base.c"
{
	base_sev
	printf '\nint sev_hook(void)\n{\n\treturn 0;\n}\n'
} >"$rd/a.c"
sed 's/return 0;/return sev_guest_df_flush(NULL);/' "$rd/a.c" >"$rd/b.c"
mkdir -p "$rd/a/arch/x86/kvm/svm" "$rd/b/arch/x86/kvm/svm"
cp "$rd/a.c" "$rd/a/arch/x86/kvm/svm/sev.c"
cp "$rd/b.c" "$rd/b/arch/x86/kvm/svm/sev.c"
(cd "$rd" && diff -ru a b) >"$rd/patches/6.1/0001-hook.patch"

# build NAME SEV_C: the module build of a tree whose sev.c is SEV_C
# (before the hook patch), each in a fresh KSRC and BUILD.
build() {
	local k=$rd/ksrc-$1
	mkdir -p "$k/arch/x86/kvm/svm" "$k/virt/kvm"
	: >"$k/arch/x86/kvm/x86.c"
	cat >"$k/arch/x86/kvm/svm/sev.c"
	env KVER=6.1.0-harness-amd64 PGENC_PATCHES="$rd/patches" \
		BUILD="$rd/build-$1" KSRC="$k" KDIR="$rd/kdir" \
		PGENC_KIMAGE="$rd/vmlinuz" KSRC_TARBALL="$rd/tarball" \
		"$REPO/scripts/build-modules.sh"
}
# stops DESC REGEX: the build stopped with exactly one line after the
# staging's, the route error matching REGEX, before kbuild.
stops() {
	local out
	out=$(grep -v '^stage-kvm: staged' <<<"$OUT")
	[[ $(wc -l <<<"$out") == 1 ]] || why "want one line, got $(wc -l <<<"$out")"
	has "^check-route: error: .*$1"
	hasnt 'check-uapi|make|Entering directory'
}

expect "route: the staged sev.c matching the list passes to the next step" 1 build same <"$rd/a.c"
hasnt 'check-route'
has '^build-modules: error: uapi' # the check after it ran
done_

# Unrelated drift: lines moved, code added that calls nothing renamed.
{
	printf '\n\n/* drift */\nstatic int sev_other(void)\n{\n\treturn cpu_has(c, 1);\n}\n'
	cat "$rd/a.c"
} | sed 's/^\tunsigned int eax/\tint unrelated = 0;\n&/' >"$rd/drift.c"
expect "route: line drift and unrelated calls pass" 1 build drift <"$rd/drift.c"
hasnt 'check-route'
done_

sed 's/^static void sev_init_vmcb(struct vcpu_svm \*svm)$/static void sev_es_init(void)\n{\n\tif (boot_cpu_has(X86_FEATURE_SEV_ES))\n\t\treturn;\n}\n\n&/' \
	"$rd/a.c" >"$rd/new.c"
expect "route: a stable update adding a call fails the build, naming it" 1 build new <"$rd/new.c"
stops 'new: boot_cpu_has in sev_es_init\(\);'
hasnt 'vanished'
[[ ! -e $rd/build-new/modules ]] || why "modules were built"
done_

sed 's/^#include "cpuid.h"$/&\n#define SEV_HAS(f) boot_cpu_has(f)/' "$rd/a.c" >"$rd/macro.c"
expect "route: a macro of sev.c's own that calls a renamed name fails the build" 1 build macro <"$rd/macro.c"
stops 'new: boot_cpu_has in macro:SEV_HAS\(\);'
done_

sed 's/return sev_guest_activate(&activate, error);/return 0;/' "$rd/a.c" >"$rd/gone.c"
expect "route: a call that vanished fails the build, naming it" 1 build gone <"$rd/gone.c"
stops 'vanished: sev_guest_activate in sev_bind_asid\(\);'
hasnt 'new:'
done_

sed 's/^\tcpuid(0x8000001f,.*/&\n\tcpuid(0x80000020, \&eax, \&ebx, \&ecx, \&edx);/' "$rd/a.c" >"$rd/twice.c"
expect "route: one more call in a function that has one fails the build" 1 build twice <"$rd/twice.c"
stops 'new: cpuid in sev_hardware_setup\(\);'
done_

# The list is of the staged sev.c: without the hook patch's call, the
# list names a call sev.c lacks.
expect "route: the list is checked against the hook-patched sev.c" 1 \
	env PGENC_PATCHES="$rd/patches" bash -c "sed 's/^sev_hook .*//' '$rd/patches/6.1/sev_route.calls' >'$rd/nohook.calls' &&
		'$REPO/scripts/check-route.sh' '$rd/ksrc-same/arch/x86/kvm/svm/sev.c' '$rd/nohook.calls' &&
		'$REPO/scripts/check-route.sh' '$rd/build-same/kvm-6.1.0-harness-amd64/arch/x86/kvm/svm/sev.c' '$rd/nohook.calls'"
has '^check-route: error: .* new: sev_guest_df_flush in sev_hook\(\);'
done_

rm "$rd/patches/6.1/sev_route.calls"
expect "route: a series without a list fails the build" 1 build nolist <"$rd/a.c"
stops 'no list of renamed calls .*/6\.1/sev_route\.calls'
done_
