#!/usr/bin/env bash
# Every test: make check (the default lanes, ~15 min), then make
# check-debug (the selftests on a KASAN/UBSAN/lockdep/kmemleak/fault-
# injection kernel, ~20 min cold), then libpgenc's mutants (each must be
# caught by tests/lib; ~4-15 min, too slow for the default lanes). Every
# part runs even when one before it failed. This is what .ci/run and the
# README run. The last line is the total: "N passed, N failed, N skipped".
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
log=$repo/build/check
mkdir -p "$log"

part() {
	local name=$1 start=$SECONDS rc
	shift
	echo "##### $name"
	"$@" 2>&1 | tee "$log/all.$name.log"
	rc=${PIPESTATUS[0]}
	echo "##### $name: exit $rc in $((SECONDS - start)) s"
	return "$rc"
}

rc=0
part check "$repo/scripts/check.sh" || rc=1
part check-debug "$repo/scripts/check-debug.sh" || rc=1
part lib-mutants "$repo/tests/lib/run.sh" --mutants || rc=1

# The totals: each part's last count line.
p=0 f=0 s=0
for name in check check-debug lib-mutants; do
	counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' \
		"$log/all.$name.log" | tail -n 1)
	[[ -n $counts ]] || { f=$((f + 1)); continue; }
	read -r a b c <<<"$(sed -E 's/([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/' <<<"$counts")"
	p=$((p + a)) f=$((f + b)) s=$((s + c))
	echo "check-all: $name: $counts"
done
((rc == 0 || f > 0)) || f=1
echo "$p passed, $f failed, $s skipped"
exit "$rc"
