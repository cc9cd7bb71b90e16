#!/usr/bin/env bash
# The private-memory cases the stock-config lanes skip, run for real
# (Documentation/testing.rst, "Linux 6.12"): build kvm.ko + kvm-amd.ko
# as if configured with KVM_SW_PROTECTED_VM (scripts/build-modules.sh,
# PGENC_TEST_SW_PROTECTED=1: test-only, version tagged "+swprot", into
# $BUILD-swprot/modules-swprot/, which `make install` never takes), boot
# the test VM with them and run the tests that need a VM type with
# private memory. Here a skip of those is a failure: the type exists.
# Prints TAP (tests/tap.sh); exits 1 on a failure.
#
#   selftests/vm/swprot.sh
#
# Needs: $BUILD/selftests/bin (scripts/build-selftests.sh) and what
# selftests/vm/run.sh needs. Outputs: $BUILD-swprot/ (staged tree,
# modules-swprot/), $BUILD/vm-swprot/ (the VM run). Env: SERIES
# (default 6.12), KVER etc. as in scripts/kver.sh.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
SERIES=${SERIES:-6.12}
# shellcheck source=scripts/kver.sh
. "$repo/scripts/kver.sh" || exit 1
# shellcheck source=tests/tap.sh
. "$repo/tests/tap.sh"

if [[ $PGENC_SERIES == 6.1 ]]; then
	result ok "private-memory VM types" "SKIP 6.1 has no KVM_X86_SW_PROTECTED_VM"
	tap_done
fi

# Its own build root: the define changes every object's flags, so the
# release tree of $BUILD is never rebuilt for it (nor it for the release).
swbuild=$BUILD-swprot
mods=$swbuild/modules-swprot
out=$BUILD/vm-swprot
mkdir -p "$out"
if BUILD=$swbuild PGENC_TEST_SW_PROTECTED=1 "$repo/scripts/build-modules.sh" \
	>"$out/build.log" 2>&1; then
	result ok "the test-only modules build (PGENC_TEST_SW_PROTECTED=1)"
else
	tail -n 20 "$out/build.log" | sed 's/^/#   /'
	result "not ok" "the test-only modules build (PGENC_TEST_SW_PROTECTED=1; $out/build.log)"
	tap_done
fi
for m in kvm kvm-amd; do
	v=$(modinfo -F version "$mods/$m.ko" 2>/dev/null)
	if [[ $v == *+swprot ]]; then
		result ok "$m.ko is tagged as the test build ($v)"
	else
		result "not ok" "$m.ko is tagged as the test build (version '$v')"
	fi
done

# Ours, then upstream's private-memory tests (scripts/build-selftests.sh's
# peer suite); sev_init2_tests refuses KVM_SEV_INIT2 on the type.
tests=(page_enc_coexist_test private_mem_conversions_test
	private_mem_kvm_exits_test sev_init2_tests guest_memfd_test)
for t in "${tests[@]}"; do
	[[ -x $BUILD/selftests/bin/$t ]] && continue
	result "not ok" "$t is built ($BUILD/selftests/bin: scripts/build-selftests.sh)"
	tap_done
done
only=$(
	IFS=,
	echo "${tests[*]}"
)
"$here/run.sh" --modules "$mods" --only "$only" --stall 180 \
	--modparam kvm_amd:sevsim=1 --out "$out" >"$out/vm.log" 2>&1
vm_rc=$?

# The run's results, relayed; those that skip only without the type fail.
tap=$(tr -d '\r' <"$out/results.tap" 2>/dev/null)
while IFS= read -r line; do
	case $line in
	"ok "*private_mem_*"# SKIP"*)
		name=${line#ok * - }
		result "not ok" "${name%% #*} ran (it skipped:${line#*# SKIP})"
		;;
	"ok "* | "not ok "*) relay "$line" ;;
	esac
done <<<"$tap"
# page_enc_coexist_test's own case, one line of its nested TAP.
case=$(grep -E '^# (not )?ok [0-9]+ KVM_X86_SW_PROTECTED_VM: ' <<<"$tap")
if [[ $case == "# ok "* && $case != *"# SKIP"* ]]; then
	result ok "page_enc_coexist_test: KVM_X86_SW_PROTECTED_VM's refusal ran and passed"
else
	result "not ok" "page_enc_coexist_test: KVM_X86_SW_PROTECTED_VM's refusal ran and passed (${case:-no result})"
fi
if ((vm_rc == 0)); then
	result ok "the VM run: no kernel warning, no taint, every test ran"
else
	# verdict.sh's reasons, without the console tail that follows them
	why=$(sed -n '/^VM verdict:/,/^----/{/^----/d;p}' "$out/vm.log")
	sed 's/^/#   /' <<<"${why:-$(tail -n 20 "$out/vm.log")}"
	result "not ok" "the VM run (selftests/vm/run.sh exited $vm_rc; $out/vm.log)"
fi
tap_done
