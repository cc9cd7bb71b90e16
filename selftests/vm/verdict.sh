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
# Prints its checks as TAP results (run, end marker, console, taint, plan
# or command status), which tests/tap.sh counts after the guest's own
# results; then "VM verdict: PASS", or FAIL with the reasons and the
# console tail.
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

# shellcheck source=tests/tap.sh
. "$(dirname "$0")/../../tests/tap.sh"

# The verdict's own checks are TAP results after the guest's (which
# run.sh has streamed already); a failed one is also a reason below.
problems=()
judge() { # DESC [REASON]: ok without a reason
	if [[ -z ${2:-} ]]; then
		ok "vm: $1"
	else
		notok "vm: $1" "$2"
		problems+=("$2")
	fi
}

tap=$(tr -d '\r' <"$results" 2>/dev/null || true)
con=$(tr -d '\r' <"$console" 2>/dev/null || true)

why=
if [[ -n $stalled ]]; then
	why="stalled: no output from the VM for ${stalled}s, stopped (vCPU state: $stall_dump)"
elif ((rc == 124 || rc == 137)); then # 137: it needed the -k KILL
	why="timeout: the VM did not finish in time"
elif ((rc != 0)); then
	why="qemu exited $rc"
fi
judge "QEMU exited 0 in time" "$why"

finished=1
grep -qx "$END_MARKER" <<<"$tap" || finished=0
why=
((finished)) || why="no end marker ($END_MARKER): the guest did not finish"
judge "the guest wrote its end marker" "$why"
if bail=$(grep -m1 '^Bail out!' <<<"$tap"); then
	judge "the guest did not bail out" "guest: $bail"
fi

# For the end-of-run summary (scripts/figures.sh): the splats themselves,
# one header line each, not their call traces.
splats=$(grep -cE 'Kernel panic|BUG:|WARNING:|Oops:|general protection fault|UBSAN:|KASAN:|possible (circular|recursive) locking|inconsistent lock state' <<<"$con" || true)
echo "# FIGURE splats $splats"
why=
if hits=$(grep -nE "$BAD_CONSOLE" <<<"$con" | head -n5) && [[ -n $hits ]]; then
	why="console shows kernel trouble:"$'\n'"$hits"
fi
judge "the console shows no kernel trouble" "$why"

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
if [[ -z $taint ]] && ((!finished)); then
	skip "vm: the kernel is not tainted beyond O/E" "the guest did not finish"
elif [[ -z $taint ]]; then
	judge "the kernel is not tainted beyond O/E" "no taint line (# PGENC-VM-TAINT N) before the end marker"
elif ((taint & ~ALLOWED_TAINT)); then
	judge "the kernel is not tainted beyond O/E" \
		"kernel tainted $taint ($(taint_letters "$taint")); only O/E (12288) are allowed"
else
	judge "the kernel is not tainted beyond O/E (taint $taint)"
fi

if ((cmd)); then
	cmd_rc=$(sed -n 's/^# PGENC-VM-CMD-EXIT \([0-9]*\)$/\1/p' <<<"$tap" | tail -n1)
	why=
	[[ $cmd_rc == 0 ]] || why="command exited ${cmd_rc:-?}"
	judge "the command exited 0" "$why"
else
	# Top-level TAP only: the tests' own output is indented as "# ...".
	# The results themselves count where run.sh streamed them.
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' <<<"$tap" | head -n1)
	results_n=$(grep -cE '^(not )?ok [0-9]+' <<<"$tap" || true)
	why=
	if [[ -z $plan ]]; then
		why="no TAP plan line"
	elif ((plan != results_n)); then
		why="plan 1..$plan but $results_n results"
	fi
	judge "the guest's plan matches its results" "$why"
	failed=$(grep -cE '^not ok [0-9]+' <<<"$tap" || true)
	if ((failed)); then
		problems+=("$failed test(s) not ok:"$'\n'"$(grep -E '^not ok' <<<"$tap")")
	fi
fi

if ((${#problems[@]} == 0)); then
	echo "VM verdict: PASS${taint:+ (taint $taint)}"
	exit 0
fi

# Indented: a quoted "not ok" or console line is no result of its own.
echo "VM verdict: FAIL"
for p in "${problems[@]}"; do
	sed '1s/^/  - /; 2,$s/^/    /' <<<"$p"
done
echo "---- console tail ($console) ----"
tail -n 40 <<<"$con" | sed 's/^/  /'
echo "----"
exit 1
