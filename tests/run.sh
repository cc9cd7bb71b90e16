#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests: build every tests/test_*.c with ASan and UBSan into
# build/tests/<cc>/ and run it; each prints TAP ("ok N - name"). Ends with
# "N passed, N failed, N skipped" (a TAP "# TODO" failure, a known one,
# counts as skipped) and exits non-zero on any failure.
#
# Usage: tests/run.sh [--cc CC]... [--mutants]
#   --cc CC    compiler to use; repeatable (default: $CC if set, else gcc
#              and clang, each that is installed)
#   --mutants  instead, check the tests themselves: build them against
#              copies of kernel/pgenc_bits.h with one small bug each
#              (off-by-ones, a flipped mask...) and fail unless every
#              such mutant makes them fail
# Environment: PGENC_TEST_SEED (a number, or "random"), PGENC_TEST_ITERS.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$REPO/build}
out=$BUILD/tests
. "$REPO/tests/run_lib.sh"

ccs=()
mutants=0
while [[ $# -gt 0 ]]; do
	case $1 in
	--cc) ccs+=("${2:?--cc needs a compiler}"); shift 2 ;;
	--mutants) mutants=1; shift ;;
	*) sed -n '/^# Usage:/,/^# Environment/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
default_ccs
[[ ${#ccs[@]} -gt 0 ]] || { echo "tests/run.sh: no C compiler (gcc or clang)" >&2; exit 2; }

# shellcheck disable=SC2206 # $san is several flags
cflags=(-std=c11 -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer $san)
san_env

# Build one test: compiler, source, output binary, extra include dirs
# (searched before kernel/, for --mutants).
build() {
	local cc=$1 src=$2 bin=$3
	shift 3
	mkdir -p "$(dirname "$bin")"
	"$cc" "${cflags[@]}" "$@" -I "$REPO/tests" -I "$REPO/kernel" \
		-I "$REPO/uapi" -o "$bin" "$src"
}

srcs=("$REPO"/tests/test_*.c)

if [[ $mutants -eq 1 ]]; then
	# One sed expression per line: "name|expression" on pgenc_bits.h.
	list='range_inside <= to <|s/start <= limit - n;/start < limit - n;/
range_valid empty|s/return n \&\& start + n > start;/return start + n >= start;/
range_valid end at 2^64|s/return n \&\& start + n > start;/return n \&\& start + n - 1 >= start;/
hc alignment mask|s/((1ULL << PGENC_HC_PAGE_SHIFT) - 1)/((1ULL << PGENC_HC_PAGE_SHIFT) - 2)/
hc hint limit|s/^\(\s*\)KVM_PAGE_ENC_ATTR_PAGE_SZ_1G)/\1KVM_PAGE_ENC_ATTR_PAGE_SZ_1G + 1)/
hc reserved bits ignored|s/if (attrs \& KVM_PAGE_ENC_ATTR_RESERVED)/if (attrs \& KVM_PAGE_ENC_ATTR_RESERVED \& ~(1ULL << 63))/
hc seed encoding|s/attrs == KVM_PAGE_ENC_SEED_ENCRYPTED/attrs <= KVM_PAGE_ENC_SEED_ENCRYPTED/
hc gfn shift|s/u64 gfn = gpa >> PGENC_HC_PAGE_SHIFT;/u64 gfn = gpa >> (PGENC_HC_PAGE_SHIFT - 1);/
put_bits mask length|s/BITMAP_LAST_WORD_MASK(len) << off/BITMAP_LAST_WORD_MASK(len - 1) << off/
word_at past nbits|s/if (pos >= nbits)/if (pos > nbits)/
word_at next word bound|s/(idx + 1) \* BITS_PER_LONG < nbits/(idx + 1) * BITS_PER_LONG <= nbits/
word_at tail mask|s/if (nbits - pos < BITS_PER_LONG)/if (nbits - pos + 1 < BITS_PER_LONG)/
word_at tail mask length|s/~BITMAP_LAST_WORD_MASK(nbits - pos)/~BITMAP_LAST_WORD_MASK(nbits - pos - 1)/
get_bytes byte-aligned copy|s/if (!(pos % 8) \&\& pos + 8ULL \* len <= nbits)/if (!(pos % 4) \&\& pos + 8ULL * len <= nbits)/
get_bytes copy past nbits|s/pos + 8ULL \* len <= nbits)/pos <= nbits)/
get_bytes word position|s/w = pgenc_word_at(map, nbits, pos + 8ULL \* i);/w = pgenc_word_at(map, nbits, pos + i);/
get_bytes tail length|s/memcpy(dst + i, \&w, len - i);/memcpy(dst + i, \&w, len - i - 1);/
get_last_byte position|s/start + (n \& ~7ULL));/start + n);/
put_bits keeps bits past len|s/((v << off) \& mask)/(v << off)/
bits_write shifted word|s/(p\[1\] << (BITS_PER_LONG - s))/(p[1] << (BITS_PER_LONG - s - 1))/
bits_write src past n|s/if (off \&\& idx + 1 < BITS_TO_LONGS(n))/if (off)/
bits_write head length|s/done = head < n ? head : n;/done = head < n ? head - 1 : n;/
bits_fill length|s/bitmap_set(w, off, k);/bitmap_set(w, off, k + 1);/
bits_fill chunk advance|s/start += k;/start += k - 1;/
bits_fill bit in word|s/unsigned int off = start % BITS_PER_LONG;/unsigned int off = start % 32;/
bits_fill clear|s/bitmap_clear(w, off, k);/bitmap_set(w, off, k);/'
	cc=${ccs[0]}
	killed=0 survived=0 skipped=0 n=0
	while IFS='|' read -r name expr; do
		n=$((n + 1))
		dir=$out/mutant/$n
		mkdir -p "$dir"
		sed "$expr" "$REPO/kernel/pgenc_bits.h" >"$dir/pgenc_bits.h"
		if cmp -s "$dir/pgenc_bits.h" "$REPO/kernel/pgenc_bits.h"; then
			echo "ok $n - mutant '$name' # SKIP does not apply to this pgenc_bits.h"
			skipped=$((skipped + 1))
			continue
		fi
		dead=1
		for src in "${srcs[@]}"; do
			bin=$dir/$(basename "$src" .c)
			if build "$cc" "$src" "$bin" -I "$dir" 2>"$dir/build.log" &&
				PGENC_TEST_ITERS=${PGENC_TEST_ITERS:-3000} "$bin" >"$dir/run.log" 2>&1; then
				dead=0
			fi
		done
		if [[ $dead -eq 1 ]]; then
			echo "ok $n - mutant '$name' is caught"
			killed=$((killed + 1))
		else
			echo "not ok $n - mutant '$name' survives: the tests miss it"
			survived=$((survived + 1))
		fi
	done <<<"$list"
	echo "1..$n"
	echo "$killed passed, $survived failed, $skipped skipped"
	[[ $survived -eq 0 ]]
	exit
fi

pass=0 fail=0 skip=0 n=0
for cc in "${ccs[@]}"; do
	for src in "${srcs[@]}"; do
		name=$(basename "$src" .c)
		bin=$out/$(basename "$cc")/$name
		log=$out/$(basename "$cc")/$name.log
		echo "# $name ($cc)"
		mkdir -p "$(dirname "$bin")"
		if ! build "$cc" "$src" "$bin" 2>"$log.build"; then
			n=$((n + 1))
			sed 's/^/#   /' "$log.build" | head -30
			echo "not ok $n - $name ($cc): does not build"
			fail=$((fail + 1))
			continue
		fi
		"$bin" >"$log" 2>&1
		rc=$?
		# Renumber the binary's TAP lines into one sequence; show the
		# diagnostics of failures, drop its own plan line.
		while IFS= read -r line; do
			case $line in
			"ok "* | "not ok "*)
				n=$((n + 1))
				status=${line%% [0-9]*}
				rest=${line#"$status "}
				rest=${rest#* }
				echo "$status $n $rest ($cc)"
				if [[ $line == *"# TODO"* || $line == *"# SKIP"* ]]; then
					[[ $status == ok && $line == *"# TODO"* ]] &&
						echo "# the TODO above passes now: drop its TODO mark"
					if [[ $status == ok && $line == *"# TODO"* ]]; then
						pass=$((pass + 1))
					else
						skip=$((skip + 1))
					fi
				elif [[ $status == ok ]]; then
					pass=$((pass + 1))
				else
					fail=$((fail + 1))
				fi
				;;
			1..*) ;;
			"# seed"*) echo "$line" ;;
			*) [[ $rc -eq 0 ]] || echo "$line" ;;
			esac
		done <"$log"
		if [[ $rc -ne 0 ]] && ! grep -q '^not ok' "$log"; then
			# A sanitizer or a crash stopped it before it reported.
			n=$((n + 1))
			echo "not ok $n - $name ($cc): exited $rc (see $log)"
			fail=$((fail + 1))
		fi
	done
done
echo "1..$n"
echo "$pass passed, $fail failed, $skip skipped"
[[ $fail -eq 0 ]]
