#!/usr/bin/env bash
# Every test CI runs: make check (the default lanes, 6.1, but for
# migrate-vm, which check-debug runs), the kernel
# lanes and style gates again for 6.12, then make check-debug (the
# selftests and migration tests on a KASAN/UBSAN/lockdep/kmemleak/fault-
# injection 6.1 kernel). libpgenc's mutants are `make check-mutants`,
# outside: CI's hour holds no more (Documentation/testing.rst). Every
# part runs even when one before it failed. This is what .ci/run and the
# README run. The last line is the total, counted by tests/tap.sh over
# the parts' TAP (Documentation/testing.rst, "The test harness"):
# "N passed, N failed, N skipped".
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/tap.sh
. "$repo/tests/tap.sh"
log=$repo/build/check
mkdir -p "$log"

logs=()
part() {
	local name=$1 start=$SECONDS rc
	shift
	echo "##### $name"
	logs+=("$log/all.$name.log")
	tap_step "$log/all.$name.log" --name "$name" "$@"
	rc=$?
	echo "##### $name: exit $rc in $((SECONDS - start)) s, $(tap_count "$log/all.$name.log")"
	return "$rc"
}

rc=0
# The dependencies first, for the debug kernel's build below on a fresh
# machine (flex, bison, the 6.1 tarball); the deps lane of check then
# finds them, or fails and shows why.
"$repo/scripts/deps.sh" >"$log/all.deps.log" 2>&1
# The debug kernel builds from the start (nice 19), beside every part
# before check-debug: the VM lanes keep one core busy, single-threaded
# TCG, and leave the other mostly idle. check-debug below then finds it
# built; a failure there shows again. It writes only build/debug-kernel/.
"$repo/scripts/check-debug.sh" --no-vm >"$log/all.debug-build.log" 2>&1 &
debug_build=$!
# The live-migration scenario (lane migrate-vm) runs once, on the debug
# kernel at the end, where kmemleak judges its tampering cases too: three
# runs of it would not fit CI's hour (Documentation/testing.rst,
# "Debug-kernel lane").
mapfile -t lanes < <("$repo/scripts/check.sh" --lanes names | grep -vx migrate-vm)
part check "$repo/scripts/check.sh" "${lanes[@]}" || rc=1
# The second series (Documentation/testing.rst, "Linux 6.12"): what
# depends on the kernel, in build/6.12/; the host-only lanes above hold
# for both. Without BUILD, which make exports as 6.1's build/: each
# script takes the series' own root (scripts/series.sh).
part check-6.12 env -u BUILD SERIES=6.12 "$repo/scripts/check.sh" deps modules install selftests vm cli-vm || rc=1
part swprot-6.12 env -u BUILD SERIES=6.12 "$repo/selftests/vm/swprot.sh" || rc=1
part style-6.12 env -u BUILD SERIES=6.12 "$repo/scripts/check-style.sh" --gate checkpatch --gate w1 --gate sparse || rc=1
wait "$debug_build"
echo "##### debug kernel built beside the parts above: exit $?, $(tail -n1 "$log/all.debug-build.log")"
# The packages (make deb, lintian, a chroot install and purge: mostly
# I/O and one kbuild) beside check-debug's VM runs, which leave a core
# mostly idle as above; at nice 19, so that the VMs keep their pace.
nice -n 19 "$repo/scripts/check-deb.sh" >"$log/all.deb.log" 2>&1 &
deb=$!
part check-debug "$repo/scripts/check-debug.sh" || rc=1
wait "$deb" || rc=1
logs+=("$log/all.deb.log")
echo "##### deb (scripts/check-deb.sh) beside check-debug: $(tap_count "$log/all.deb.log")"

tap_count "${logs[@]}"
exit "$rc"
