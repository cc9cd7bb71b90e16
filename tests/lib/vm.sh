#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# libpgenc against the real kernel path: build tests/lib/vm_test.c
# statically against libpgenc.a and run it in the test VM
# (selftests/vm/run.sh, our modules, kvm_amd sevsim=1): the launch
# sequence (SEV and SEV-ES, verified with sevsim's TIK), its failures,
# LAUNCH_START with shared keys, DBG write/read round trips across
# private and shared pages, pgenc_vm_reset(). The VM's verdict (no
# kernel warning, taint, exit status) is one more result.
# Prints TAP (tests/tap.sh); exits 1 on a failure.
#
# Usage: tests/lib/vm.sh
# Needs: build/modules/{kvm,kvm-amd}.ko (scripts/build-modules.sh), what
# selftests/vm/run.sh needs (QEMU, Debian's 6.1 kernel image), gcc and
# the static libcrypto (libssl-dev). Outputs: build/tests/lib-vm/.
# Environment: BUILD (default build/), PGENC_LIB_SRC (the library
# sources to test, default tools/lib).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${BUILD:-$repo/build}
out=$build/tests/lib-vm
lib=${PGENC_LIB_SRC:-$repo/tools/lib}
rm -rf "$out"
mkdir -p "$out/empty"

. "$repo/tests/tap.sh"

if make -C "$lib" O="$out" static >"$out/build.log" 2>&1 &&
	make -C "$here" O="$out" LIB="$lib" vm_test >>"$out/build.log" 2>&1; then
	result ok "vm_test builds, static, against libpgenc.a"
else
	grep -v 'statically linked applications requires' "$out/build.log" | head -30 | sed 's/^/#   /'
	result "not ok" "vm_test builds, static, against libpgenc.a"
	tap_done
fi

if [[ ! -f $build/modules/kvm.ko || ! -f $build/modules/kvm-amd.ko ]]; then
	result ok "libpgenc in the test VM" "SKIP no build/modules (scripts/build-modules.sh)"
	tap_done
fi

"$repo/selftests/vm/run.sh" --stall 120 --modparam kvm_amd:sevsim=1 --tests "$out/empty" \
	--out "$out/vm" --timeout 300 --extra-file "$out/vm_test:/bin/pgenc_lib_vm_test" \
	--cmd /bin/pgenc_lib_vm_test >"$out/vm.log" 2>&1
vm_rc=$?

# vm_test's own TAP, renumbered; its "#" lines are shown.
tap=$(tr -d '\r' <"$out/vm/results.tap" 2>/dev/null)
plan='' got=0
while IFS= read -r line; do
	case $line in
	"ok "* | "not ok "*)
		got=$((got + 1))
		relay "$line"
		;;
	1..*) plan=${line#1..}; plan=${plan%% *} ;;
	"# PGENC-VM"*) ;;
	"#"*) echo "$line" ;;
	esac
done <<<"$(sed -n '/^TAP version 13$/,$p' <<<"$tap")"
if [[ -z $plan || $plan != "$got" ]]; then
	result "not ok" "vm_test ran to its end (plan '${plan:-none}', $got results)"
fi
if [[ $vm_rc -eq 0 ]]; then
	result ok "the VM run: vm_test exited 0, no kernel warning, no taint"
else
	tail -20 "$out/vm.log" | sed 's/^/#   /'
	result "not ok" "the VM run (selftests/vm/run.sh exited $vm_rc; $out/vm.log)"
fi
tap_done
