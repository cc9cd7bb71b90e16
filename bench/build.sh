#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the benchmark program, $BUILD/bench/bin/pgenc-bench ($BUILD as in
# scripts/kver.sh: build/ for 6.1, build/6.12/ for 6.12): static, for the
# test VM, with the KVM selftest library's flags and libkvm.a
# (scripts/build-selftests.sh --print-flags) and a private static libpgenc
# (make -C tools/lib O=$BUILD/bench static); bench/Makefile compiles it.
#
# Usage: bench/build.sh [--no-deps]
#   --no-deps   do not (re)build libkvm.a and libpgenc; use what is there
#
# One deliberate difference from the selftests' link line: no
# string_override.o. That object replaces memcpy/memset with byte loops
# that guest code can call; here the memcpy baselines must be glibc's own,
# as a VMM calls it. The price is that guest code must call no function
# at all, which this script checks in the disassembly of every guest_*
# function.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# The series' build root, as scripts/build-selftests.sh sees it.
# shellcheck source=scripts/kver.sh
. "$repo/scripts/kver.sh"
build=$BUILD
out=$build/bench
deps=1
case ${1:-} in
--no-deps) deps=0 ;;
"") ;;
*) sed -n '/^# Usage:/,/^# One/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac

mkdir -p "$out/obj" "$out/bin"
if ((deps)); then
	"$repo/scripts/build-selftests.sh" >"$out/build-selftests.log" 2>&1 ||
		{ tail -20 "$out/build-selftests.log"; echo "bench/build.sh: scripts/build-selftests.sh failed" >&2; exit 1; }
	make -C "$repo/tools/lib" O="$out" static >"$out/build-lib.log" 2>&1 ||
		{ tail -20 "$out/build-lib.log"; echo "bench/build.sh: make -C tools/lib failed" >&2; exit 1; }
fi

flags=$("$repo/scripts/build-selftests.sh" --print-flags)
cflags=$(sed -n 's/^CFLAGS  *= //p' <<<"$flags")
ldflags=$(sed -n 's/^LDFLAGS *= //p' <<<"$flags")
[[ -n $cflags && -n $ldflags ]] || { echo "bench/build.sh: cannot parse --print-flags" >&2; exit 1; }
# The link line minus string_override.o (see above) and the optional
# [libselftest.a] placeholder; the real one is added when it exists.
link=()
for w in $ldflags; do
	case $w in
	*/string_override.o) ;;
	\[*\]) w=${w#[}; w=${w%]}; [[ -f $w ]] && link+=("$w") ;;
	*) link+=("$w") ;;
	esac
done
for f in "$build/selftests/libkvm.a" "$out/lib/libpgenc.a"; do
	[[ -f $f ]] || { echo "bench/build.sh: $f missing (run without --no-deps)" >&2; exit 1; }
done

# -std=gnu11 after the library's gnu99, and -Wextra: the upstream
# library's headers (build/ksrc) are not -Wextra clean, so they come in as
# system headers; ours (selftests/lib, uapi, libpgenc) get every warning.
# bench/Makefile adds -std=gnu11 -Wextra.
cf=()
for w in $cflags; do
	case $w in
	-I"$build"/ksrc/*) cf+=(-isystem "${w#-I}") ;;
	*) cf+=("$w") ;;
	esac
done
make -C "$here" --no-print-directory O="$build" BENCH_CFLAGS="${cf[*]}" BENCH_LDLIBS="${link[*]}"

# Guest code must be self-contained: no call, no jump out of itself. Ours
# only: 6.12's library has guest_*printf() for its guest asserts, which
# our guest code does not use.
bin=$out/bin/pgenc-bench
for fn in $(nm "$out"/obj/*.o | awk '$3 ~ /^guest_/ && ($2 == "t" || $2 == "T") { print $3 }' | sort -u); do
	if objdump -d --no-show-raw-insn --disassemble="$fn" "$bin" | grep -Eq '\s(call|jmp\s+\*)'; then
		objdump -d --no-show-raw-insn --disassemble="$fn" "$bin" >&2
		echo "bench/build.sh: guest function $fn calls out; guest code must be self-contained" >&2
		exit 1
	fi
	n=$((${n:-0} + 1))
done
((${n:-0} >= 2)) || { echo "bench/build.sh: guest functions not found in $bin" >&2; exit 1; }
echo "bench/build.sh: $bin ($n guest functions checked)"
