#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host unit tests: build every tests/test_*.c with ASan and UBSan into
# build/tests/<cc>/ and run it; each prints TAP ("ok N - name"), relayed
# as one stream (tests/tap.sh; a "# TODO" failure, a known one, counts as
# skipped). Exits non-zero on any failure.
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
. "$REPO/tests/tap.sh"

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

san_env

# Build one test (tests/Makefile): compiler, source, output binary, extra
# include dirs (searched before kernel/, for --mutants).
build() {
	local cc=$1 src=$2 bin=$3
	shift 3
	make -s -C "$REPO/tests" CC="$cc" O="$(dirname "$bin")" EXTRA_CFLAGS="$san $*" \
		"$(basename "$src" .c)"
}

srcs=("$REPO"/tests/test_*.c)

if [[ $mutants -eq 1 ]]; then
	# "file|name|sed -z expression": one planted bug each (tap_mutants).
	list='pgenc_bits.h|range_inside <= to <|s/start <= limit - n;/start < limit - n;/
pgenc_bits.h|range_valid empty|s/return n \&\& start + n > start;/return start + n >= start;/
pgenc_bits.h|range_valid end at 2^64|s/return n \&\& start + n > start;/return n \&\& start + n - 1 >= start;/
pgenc_bits.h|hc alignment mask|s/((1ULL << PGENC_HC_PAGE_SHIFT) - 1)/((1ULL << PGENC_HC_PAGE_SHIFT) - 2)/
pgenc_bits.h|hc hint limit|s/\n\(\s*\)KVM_PAGE_ENC_ATTR_PAGE_SZ_1G)/\n\1KVM_PAGE_ENC_ATTR_PAGE_SZ_1G + 1)/
pgenc_bits.h|hc reserved bits ignored|s/if (attrs \& KVM_PAGE_ENC_ATTR_RESERVED)/if (attrs \& KVM_PAGE_ENC_ATTR_RESERVED \& ~(1ULL << 63))/
pgenc_bits.h|hc seed encoding|s/attrs == KVM_PAGE_ENC_SEED_ENCRYPTED/attrs <= KVM_PAGE_ENC_SEED_ENCRYPTED/
pgenc_bits.h|hc gfn shift|s/u64 gfn = gpa >> PGENC_HC_PAGE_SHIFT;/u64 gfn = gpa >> (PGENC_HC_PAGE_SHIFT - 1);/
pgenc_bits.h|put_bits mask length|s/BITMAP_LAST_WORD_MASK(len) << off/BITMAP_LAST_WORD_MASK(len - 1) << off/
pgenc_bits.h|word_at past nbits|s/if (pos >= nbits)/if (pos > nbits)/
pgenc_bits.h|word_at next word bound|s/(idx + 1) \* BITS_PER_LONG < nbits/(idx + 1) * BITS_PER_LONG <= nbits/
pgenc_bits.h|word_at tail mask|s/if (nbits - pos < BITS_PER_LONG)/if (nbits - pos + 1 < BITS_PER_LONG)/
pgenc_bits.h|word_at tail mask length|s/~BITMAP_LAST_WORD_MASK(nbits - pos)/~BITMAP_LAST_WORD_MASK(nbits - pos - 1)/
pgenc_bits.h|get_bytes byte-aligned copy|s/if (!(pos % 8) \&\& pos + 8ULL \* len <= nbits)/if (!(pos % 4) \&\& pos + 8ULL * len <= nbits)/
pgenc_bits.h|get_bytes copy past nbits|s/pos + 8ULL \* len <= nbits)/pos <= nbits)/
pgenc_bits.h|get_bytes word position|s/w = pgenc_word_at(map, nbits, pos + 8ULL \* i);/w = pgenc_word_at(map, nbits, pos + i);/
pgenc_bits.h|get_bytes tail length|s/memcpy(dst + i, \&w, len - i);/memcpy(dst + i, \&w, len - i - 1);/
pgenc_bits.h|get_merge mask width|s/((1U << (to - from)) - 1)/((1U << (to - from + 1)) - 1)/
pgenc_bits.h|get_merge bit shift|s/from - base) << (from - b));/from - base));/
pgenc_bits.h|get_slot head byte|s/if ((lo - g) % 8) {/if ((lo - g) % 4) {/
pgenc_bits.h|get_slot byte count|s/i1 = (hi - g + 7) \/ 8;/i1 = (hi - g + 8) \/ 8;/
pgenc_bits.h|get_slot clamp to slot start|s/lo = g > base ? g : base,/lo = g,/
pgenc_bits.h|get_slot tail byte|s/if (i0 < i1 \&\& (hi - g) % 8) {/if (i0 < i1 \&\& (hi - g) % 4) {/
pgenc_bits.h|bits_copy word-aligned source past snbits|s/!(spos % BITS_PER_LONG) \&\& spos + n <= snbits/!(spos % BITS_PER_LONG)/
pgenc_bits.h|bits_copy past snbits|s/n >= 8 \&\& spos + n <= snbits)/n >= 8)/
pgenc_bits.h|bits_copy whole bytes|s/k = n \& ~7ULL;/k = n \& ~3ULL;/
pgenc_bits.h|bits_copy staged position|s/pgenc_get_bytes((u8 \*)tmp, src, snbits, spos,/pgenc_get_bytes((u8 *)tmp, src, snbits, spos + 1,/
pgenc_bits.h|put_bits keeps bits past len|s/((v << off) \& mask)/(v << off)/
pgenc_bits.h|bits_write shifted word|s/unsigned long m = 1UL << (BITS_PER_LONG - s);/unsigned long m = 1UL << (BITS_PER_LONG - s - 1);/
pgenc_bits.h|bits_write odd last word|s/if (i < w)\n\t\t\td\[i\]/if (0)\n\t\t\td[i]/
pgenc_bits.h|bits_write src past n|s/if (off \&\& idx + 1 < BITS_TO_LONGS(n))/if (off \&\& n)/
pgenc_bits.h|bits_write head length|s/done = head < n ? head : n;/done = head < n ? head - 1 : n;/
pgenc_bits.h|bits_fill length|s/bitmap_set(w, off, k);/bitmap_set(w, off, k + 1);/
pgenc_bits.h|bits_fill chunk advance|s/start += k;/start += k - 1;/
pgenc_bits.h|bits_fill bit in word|s/unsigned int off = start % BITS_PER_LONG;/unsigned int off = start % 32;/
pgenc_bits.h|bits_fill clear|s/bitmap_clear(w, off, k);/bitmap_set(w, off, k);/
pgenc_bits.h|bits_fill one page clear|s/__clear_bit(start, map);/__set_bit(start, map);/'
	# The tests, built against the mutated copy of pgenc_bits.h in DIR.
	try_mutant() {
		local dir=$3 src bin rc=0
		for src in "${srcs[@]}"; do
			bin=$dir/$(basename "$src" .c)
			build "${ccs[0]}" "$src" "$bin" -I "$dir" || return 1
			# A sanitizer's abort ends the TAP early: one failure.
			PGENC_TEST_ITERS=${PGENC_TEST_ITERS:-3000} "$bin" >"$bin.log" 2>&1 ||
				{ rc=1; grep -q '^not ok' "$bin.log" || echo "not ok - $(basename "$bin") exits non-zero"; }
			cat "$bin.log"
		done
		return "$rc"
	}
	tap_mutants "$list" "$REPO/kernel" "$out/mutant" try_mutant
	tap_done
fi

for cc in "${ccs[@]}"; do
	for src in "${srcs[@]}"; do
		name=$(basename "$src" .c)
		bin=$out/$(basename "$cc")/$name
		log=$out/$(basename "$cc")/$name.log
		echo "# $name ($cc)"
		mkdir -p "$(dirname "$bin")"
		if ! build "$cc" "$src" "$bin" 2>"$log.build"; then
			sed 's/^/#   /' "$log.build" | head -30
			result "not ok" "$name ($cc): does not build"
			continue
		fi
		"$bin" >"$log" 2>&1
		rc=$?
		relay_log "$log" "$rc" "$cc"
	done
done
tap_done
