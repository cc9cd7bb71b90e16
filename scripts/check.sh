#!/usr/bin/env bash
# make check: every lane in order, each logged under build/check/. A lane
# that prints "N passed, N failed, N skipped" counts those; any other lane
# counts as one test judged by its exit code. The last line is the total.
#
#   scripts/check.sh [LANE...]    default: all lanes
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
logs=$repo/build/check
mkdir -p "$logs"

all_lanes=(deps unit style modules install selftests vm)
lanes=("${@:-${all_lanes[@]}}")

lane_cmd() {
	case $1 in
	deps) echo "$here/deps.sh" ;;
	unit) echo "$repo/tests/run.sh" ;;
	style) echo "$here/check-style.sh --lane full" ;;
	modules) echo "$here/build-modules.sh" ;;
	install) echo "$here/check-install.sh" ;;
	selftests) echo "$here/build-selftests.sh" ;;
	vm) echo "$repo/selftests/vm/run.sh --modparam kvm_amd:sevsim=1" ;;
	*) return 1 ;;
	esac
}

pass=0 fail=0 skip=0 failed_lanes=()
for lane in "${lanes[@]}"; do
	cmd=$(lane_cmd "$lane") || { echo "check: unknown lane $lane (have: ${all_lanes[*]})" >&2; exit 2; }
	echo "=== $lane: $cmd"
	start=$SECONDS
	$cmd 2>&1 | tee "$logs/$lane.log"
	rc=${PIPESTATUS[0]}
	counts=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$logs/$lane.log" | tail -n 1)
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
	((f > 0)) && failed_lanes+=("$lane")
	echo "=== $lane: exit $rc, $p passed, $f failed, $s skipped ($((SECONDS - start)) s)"
	# Nothing can be tested without the dependencies or the modules.
	if ((rc != 0)) && [[ $lane == deps || $lane == modules ]]; then
		echo "check: lane $lane failed; stopping" >&2
		break
	fi
done

((${#failed_lanes[@]})) && echo "check: failed lanes: ${failed_lanes[*]}"
echo "$pass passed, $fail failed, $skip skipped"
((fail == 0))
