#!/usr/bin/env bash
# The end-of-run summary of make check and make check-debug
# (Documentation/testing.rst, "Testing pgenc"):
# sums the "FIGURE <name> <n>" lines that the selftests, the VM verdict
# and the kmemleak scan print, over the given logs. A figure no log has
# is "n/a" with the reason. Exit 1 if splats or leaks are above 0.
#
#   scripts/figures.sh [--leaks-na REASON] LOG...
set -euo pipefail
leaks_na="no kmemleak in this kernel (make check-debug has it)"
if [[ ${1:-} == --leaks-na ]]; then
	leaks_na=$2
	shift 2
fi

sum() {
	cat -- "$@" 2>/dev/null | tr -d '\r' |
		sed -nE "s/^(# )*FIGURE $name ([0-9]+)\$/\\2/p" |
		awk '{ s += $1; n++ } END { if (n) print s }'
}

bad=0
echo "summary:"
for name in calls_fuzzed stress_iterations faults_injected splats leaks; do
	v=$(sum "$@")
	why=
	if [[ -z $v ]]; then
		case $name in
		faults_injected) why="n/a: this kernel has no fail-nth (make check-debug has it)" ;;
		leaks) why="n/a: $leaks_na" ;;
		*) why="n/a: no run printed it" ;;
		esac
	fi
	case $name in
	splats | leaks)
		[[ -n $v ]] && ((v > 0)) && { why="must be 0"; bad=1; }
		[[ $name == splats && -z $v ]] && { why="n/a: no test-VM verdict in these logs"; } ;;
	esac
	printf '  %-18s %s%s\n' "${name//_/ }" "${v:--}" "${why:+  ($why)}"
done
exit "$bad"
