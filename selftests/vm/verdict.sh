#!/bin/bash
# Host verdict on one test VM run: exit 0 only if every check passes.
#
#   verdict.sh --results FILE --console FILE --rc N [--cmd]
#              [--stalled S --stall-dump FILE]
#
# --rc is the exit status of `timeout ... qemu-system-x86_64` (124 = the
# run timed out). --cmd: the run executed one command, not the test list.
# QEMU exits 0 even after a guest panic (panic=-1 -no-reboot), so a pass
# needs the guest's end marker, written last, and a clean console.
# --stalled: run.sh's watchdog stopped a VM silent for S seconds.
#
# Prints the reasons for a failure, the console tail on failure, and last
# a closing line "N passed, N failed, N skipped": the guest's TAP counts,
# plus one failure for the VM itself when a check outside the TAP failed.
set -euo pipefail

results=
console=
rc=
cmd=0
stalled=
stall_dump=
while (($#)); do
	case $1 in
	--results) results=$2; shift 2 ;;
	--console) console=$2; shift 2 ;;
	--rc) rc=$2; shift 2 ;;
	--cmd) cmd=1; shift ;;
	--stalled) stalled=$2; shift 2 ;;
	--stall-dump) stall_dump=$2; shift 2 ;;
	*) echo "verdict.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done

# Out-of-tree (O, 4096) and unsigned (E, 8192) are expected for our
# modules; any other taint bit means something went wrong in the kernel.
ALLOWED_TAINT=12288
END_MARKER=PGENC-VM-END
# 6.1 prints a general protection fault without "Oops" on its line.
BAD_CONSOLE='Kernel panic|BUG:|WARNING:|Oops|general protection fault|Call Trace|UBSAN|KASAN|lockdep'

problems=()
vm_problems=0 # problems outside the tests' own TAP results
problem() { problems+=("$*"); vm_problems=$((vm_problems + 1)); }

tap=$(tr -d '\r' <"$results" 2>/dev/null || true)
con=$(tr -d '\r' <"$console" 2>/dev/null || true)

if [[ -n $stalled ]]; then
	problem "stalled: no output from the VM for ${stalled}s, stopped (vCPU state: $stall_dump)"
elif ((rc == 124 || rc == 137)); then # 137: it needed the -k KILL
	problem "timeout: the VM did not finish in time"
elif ((rc != 0)); then
	problem "qemu exited $rc"
fi

grep -qx "$END_MARKER" <<<"$tap" || problem "no end marker ($END_MARKER): the guest did not finish"
if bail=$(grep -m1 '^Bail out!' <<<"$tap"); then problem "guest: $bail"; fi

# For the end-of-run summary (scripts/figures.sh): the splats themselves,
# one header line each, not their call traces.
splats=$(grep -cE 'Kernel panic|BUG:|WARNING:|Oops:|general protection fault|UBSAN:|KASAN:|possible (circular|recursive) locking|inconsistent lock state' <<<"$con" || true)
echo "# FIGURE splats $splats"
if hits=$(grep -nE "$BAD_CONSOLE" <<<"$con" | head -n5) && [[ -n $hits ]]; then
	problem "console shows kernel trouble:"$'\n'"$hits"
fi

# taint_letters N: the kernel's one-letter names of the set taint bits.
taint_letters() {
	local flags=PFSRMBUDAWCIOELKXT i s=
	for ((i = 0; i < ${#flags}; i++)); do
		(($1 >> i & 1)) && s+=${flags:i:1}
	done
	echo "$s"
}
taint=$(sed -n 's/^# PGENC-VM-TAINT \([0-9]*\)$/\1/p' <<<"$tap" | tail -n1)
# init.sh writes the taint line just before the marker, on every path: a
# finished run without it has not been checked for taint.
if [[ -z $taint ]]; then
	if grep -qx "$END_MARKER" <<<"$tap"; then
		problem "no taint line (# PGENC-VM-TAINT N) before the end marker"
	fi
elif ((taint & ~ALLOWED_TAINT)); then
	problem "kernel tainted $taint ($(taint_letters "$taint")); only O/E (12288) are allowed"
fi

passed=0 failed=0 skipped=0
if ((cmd)); then
	cmd_rc=$(sed -n 's/^# PGENC-VM-CMD-EXIT \([0-9]*\)$/\1/p' <<<"$tap" | tail -n1)
	if [[ $cmd_rc == 0 ]]; then
		passed=1
	else
		failed=1
		problem "command exited ${cmd_rc:-?}"
		vm_problems=$((vm_problems - 1))
	fi
else
	# Top-level TAP only: the tests' own output is indented as "# ...".
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' <<<"$tap" | head -n1)
	results_n=$(grep -cE '^(not )?ok [0-9]+' <<<"$tap" || true)
	failed=$(grep -cE '^not ok [0-9]+' <<<"$tap" || true)
	skipped=$(grep -cE '^ok [0-9]+ .*# SKIP' <<<"$tap" || true)
	passed=$((results_n - failed - skipped))
	if [[ -z $plan ]]; then
		problem "no TAP plan line"
	elif ((plan != results_n)); then
		problem "plan 1..$plan but $results_n results"
	fi
	if ((failed)); then
		problem "$failed test(s) not ok:"$'\n'"$(grep -E '^not ok' <<<"$tap")"
		vm_problems=$((vm_problems - 1))
	fi
fi

if ((${#problems[@]} == 0)); then
	echo "VM verdict: PASS${taint:+ (taint $taint)}"
	echo "$passed passed, $failed failed, $skipped skipped"
	exit 0
fi

echo "VM verdict: FAIL"
for p in "${problems[@]}"; do
	echo "  - $p"
done
echo "---- console tail ($console) ----"
tail -n 40 <<<"$con"
echo "----"
# A failure outside the tests' own results counts as one more.
((vm_problems == 0)) || failed=$((failed + 1))
echo "$passed passed, $failed failed, $skipped skipped"
exit 1
