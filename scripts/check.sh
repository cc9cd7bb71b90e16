#!/usr/bin/env bash
# make check: every lane in order, each step logged under build/check/. A
# step that prints "N passed, N failed, N skipped" counts those; any other
# step counts as one test judged by its exit code. The last line is the
# total over all lanes.
#
#   scripts/check.sh [LANE...]    default: all lanes, in this order
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
logs=$repo/build/check
mkdir -p "$logs"

all_lanes=(deps harness unit lib fuzz cli style modules install selftests vm cli-vm)
lanes=("${@:-${all_lanes[@]}}")

# The steps of a lane, one command per line.
lane_steps() {
	case $1 in
	deps) echo "$here/deps.sh" ;;
	harness) echo "$repo/tests/harness/run.sh" ;;
	unit) printf '%s\n' "$repo/tests/run.sh" "$repo/tests/run.sh --mutants" ;;
	lib) echo "$repo/tests/lib/run.sh" ;;
	fuzz) echo "$repo/tests/fuzz/run.sh 10" ;;
	cli) printf '%s\n' "$repo/tests/cli/bitmap/run.sh" \
		"$repo/tests/cli/probe/run.sh" "$repo/tests/cli/vmm/run.sh" ;;
	style) echo "$here/check-style.sh --lane full" ;;
	modules) echo "$here/build-modules.sh" ;;
	install) echo "$here/check-install.sh" ;;
	selftests) echo "$here/build-selftests.sh" ;;
	vm) echo "$here/vm-lane.sh --modparam kvm_amd:sevsim=1" ;;
	cli-vm) printf '%s\n' "$repo/tests/cli/vmm/vm.sh" \
		"$repo/tests/cli/bitmap/vm.sh" "$repo/tests/cli/probe/vm.sh" \
		"$repo/tests/lib/vm.sh" "$here/demo.sh --no-build" ;;
	*) return 1 ;;
	esac
}

pass=0 fail=0 skip=0 failed_lanes=() run_logs=()
for lane in "${lanes[@]}"; do
	steps=$(lane_steps "$lane") ||
		{ echo "check: unknown lane $lane (have: ${all_lanes[*]})" >&2; exit 2; }
	start=$SECONDS lane_fail=0 lane_rc=0 n=0
	# fd 3: a step that reads stdin must not eat the list.
	while IFS= read -r cmd <&3; do
		n=$((n + 1))
		log=$logs/$lane.$n.log
		run_logs+=("$log")
		echo "=== $lane: $cmd"
		$cmd 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		counts=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" | tail -n 1)
		if [[ -n $counts ]]; then
			read -r p f s <<<"$(echo "$counts" | sed -E 's/^[A-Za-z-]+: //; s/([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?/\1 \2 \4/')"
			s=${s:-0}
			((rc != 0 && f == 0)) && f=1
		elif ((rc == 0)); then
			p=1 f=0 s=0
		else
			p=0 f=1 s=0
		fi
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
		lane_fail=$((lane_fail + f))
		((rc != 0)) && lane_rc=$rc
		echo "=== $lane: exit $rc, $p passed, $f failed, $s skipped"
	done 3<<<"$steps"
	((lane_fail > 0)) && failed_lanes+=("$lane")
	echo "=== $lane: done in $((SECONDS - start)) s"
	# Nothing can be tested without the dependencies or the modules.
	if ((lane_rc != 0)) && [[ $lane == deps || $lane == modules ]]; then
		echo "check: lane $lane failed; stopping" >&2
		break
	fi
done

# Calls fuzzed, stress iterations, faults injected, splats, leaks.
"$here/figures.sh" "${run_logs[@]}" || failed_lanes+=(figures)
if ((${#failed_lanes[@]})); then
	echo "check: failed lanes: ${failed_lanes[*]}"
	# Repeat the failures last: CI shows only the tail of the output.
	for lane in "${failed_lanes[@]}"; do
		grep -h -E '^(# )*not ok|FAIL|BUG:|WARNING:|Kernel panic|stalled' \
			"$logs/$lane".*.log 2>/dev/null | head -n 20 | sed "s/^/check: $lane: /"
	done
fi
echo "$pass passed, $fail failed, $skip skipped"
((fail == 0 && ${#failed_lanes[@]} == 0))
