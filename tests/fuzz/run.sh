#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fuzz libpgenc's parsers with libFuzzer: build the library and each
# target (fuzz_*.c) with clang -fsanitize=fuzzer,address,undefined, then
# run each for SECONDS (default 20) from its committed seeds
# (corpus/<target>/) plus what earlier runs found (build/fuzz/corpus/,
# kept). A target passes if no property, sanitizer, timeout or memory
# limit trips. kbits, the kernel's pure logic against the unit tests'
# models, runs a number of inputs instead (FUZZ_KBITS_RUNS, default
# 10^6, bounded by 300 s) and must complete them; its count is the
# "calls fuzzed" figure. Prints TAP (tests/tap.sh); exits
# non-zero on a failure. A crashing input is saved to
# build/fuzz/artifacts/<target>-crash-*; replay it with
#   build/fuzz/fuzz_<target> build/fuzz/artifacts/<target>-crash-...
#
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]
#   TARGET: raw ranges json auto diff kbits mig (default: all)
# Environment: CC (default clang), FUZZ_JOBS (parallel targets, default 1),
# PGENC_LIB_SRC (the library sources to fuzz, default tools/lib).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${BUILD:-$repo/build}/fuzz
secs=20
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
	secs=$1
	shift
fi
if [[ $# -gt 0 && $1 == -* ]]; then
	sed -n '/^# Usage:/,/^# Environment/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
targets=("${@:-raw ranges json auto diff kbits mig}")
read -r -a targets <<<"${targets[*]}"
cc=${CC:-clang}
jobs=${FUZZ_JOBS:-1}
kbits_runs=${FUZZ_KBITS_RUNS:-1000000}

. "$repo/tests/tap.sh"

mkdir -p "$out/artifacts" "$out/corpus"
# libFuzzer present? (clang with libclang-rt-*-dev on Debian)
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
	"$cc" -fsanitize=fuzzer -x c -o "$out/probe" - >/dev/null 2>&1; then
	for t in "${targets[@]}"; do
		result ok "fuzz_$t" "SKIP $cc cannot link -fsanitize=fuzzer (apt-get install clang libclang-rt-14-dev)"
	done
	tap_done
fi

lib=${PGENC_LIB_SRC:-$repo/tools/lib}
if ! make -C "$lib" O="$out" CC="$cc" EXTRA_CFLAGS="-g -O1 -fsanitize=fuzzer-no-link $san" \
	static >"$out/lib.log" 2>&1; then
	sed 's/^/#   /' "$out/lib.log" | head -40
	result "not ok" "libpgenc builds for fuzzing"
	tap_done
fi

# Build every target first, so a run measures fuzzing only.
built=()
for t in "${targets[@]}"; do
	src=$here/fuzz_$t.c
	if [[ ! -f $src ]]; then
		result "not ok" "fuzz_$t: no $src"
		continue
	fi
	if make -s -C "$here" O="$out" CC="$cc" LIB="$lib" EXTRA_CFLAGS="$san" "fuzz_$t" \
		2>"$out/fuzz_$t.build"; then
		built+=("$t")
	else
		sed 's/^/#   /' "$out/fuzz_$t.build" | head -30
		result "not ok" "fuzz_$t: does not build"
	fi
done

# One target: run it, leave its exit code in $out/fuzz_$t.rc.
run_one() {
	local t=$1 dict=() d limit=(-max_total_time="$secs" -max_len=4096)
	case $t in
	raw | ranges | json) dict=(-dict="$here/$t.dict") ;;
	kbits) limit=(-runs="$kbits_runs" -max_total_time=300 -max_len=512) ;;
	mig) limit=(-max_total_time="$secs" -max_len=16384) ;;
	*)
		cat "$here"/raw.dict "$here"/ranges.dict "$here"/json.dict >"$out/all.dict"
		dict=(-dict="$out/all.dict")
		;;
	esac
	d=$out/corpus/$t
	mkdir -p "$d"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
		UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$out/fuzz_$t" "${limit[@]}" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$t-" "${dict[@]}" \
		"$d" "$here/corpus/$t" >"$out/fuzz_$t.log" 2>&1
	echo $? >"$out/fuzz_$t.rc"
}

start=$SECONDS
i=0
for t in "${built[@]}"; do
	run_one "$t" &
	i=$((i + 1))
	if ((i % jobs == 0)); then
		wait
	fi
done
wait

for t in "${built[@]}"; do
	rc=$(cat "$out/fuzz_$t.rc" 2>/dev/null || echo 99)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz_$t.log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+' "$out/fuzz_$t.log" | tail -n 1)
	if [[ $t == kbits && $rc -eq 0 ]]; then
		echo "# FIGURE calls_fuzzed ${runs:-0}"
		if ((${runs:-0} < kbits_runs)); then
			result "not ok" "fuzz_kbits: ${runs:-?} of $kbits_runs runs within 300 s"
			continue
		fi
	fi
	took=$(sed -nE 's/^Done [0-9]+ runs in ([0-9]+) second.*/\1/p' "$out/fuzz_$t.log" | tail -n 1)
	if [[ $rc -eq 0 ]]; then
		result ok "fuzz_$t: ${runs:-?} runs in ${took:-$secs} s, ${cov:-cov: ?}, corpus $(find "$out/corpus/$t" -type f | wc -l) files"
	else
		grep -E 'ERROR|property failed|SUMMARY|Test unit written|^#[0-9]+ .*(crash|deadly)' \
			"$out/fuzz_$t.log" | head -20 | sed 's/^/#   /'
		result "not ok" "fuzz_$t: exit $rc (log $out/fuzz_$t.log)"
	fi
done
echo "# fuzzing took $((SECONDS - start)) s"
tap_done
