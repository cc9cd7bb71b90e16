#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# libpgenc unit tests. For each compiler: build the library with ASan and
# UBSan (make -C tools/lib static), build every tests/lib/test_*.c
# against it and run it (TAP). Then, once, check the packaging: the
# default build (-Werror, shared and static), the exported symbols, the
# public header alone in C and C++, pkg-config, and clang-format.
# Prints TAP (tests/tap.sh); exits non-zero on any failure. Binaries and
# logs go to build/tests/lib/.
#
# Usage: tests/lib/run.sh [--cc CC]... [--no-package] [--mutants]
#   --cc CC        compiler; repeatable (default: $CC if set, else gcc
#                  and clang, each that is installed)
#   --no-package   skip the packaging checks
#   --mutants      instead, check the tests themselves: plant one small
#                  bug at a time in a copy of tools/lib and fail unless
#                  the tests catch every one
# Environment: PGENC_TEST_SEED (a number, or "random"), PGENC_TEST_ITERS,
# PGENC_LIB_SRC (the library sources to test, default tools/lib).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${BUILD:-$repo/build}/tests/lib
lib=${PGENC_LIB_SRC:-$repo/tools/lib}
. "$repo/tests/tap.sh"

ccs=()
package=1
mutants=0
while [[ $# -gt 0 ]]; do
	case $1 in
	--cc) ccs+=("${2:?--cc needs a compiler}"); shift 2 ;;
	--no-package) package=0; shift ;;
	--mutants) mutants=1; shift ;;
	*) sed -n '/^# Usage:/,/^# Environment/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
default_ccs
[[ ${#ccs[@]} -gt 0 ]] || { echo "tests/lib/run.sh: no C compiler" >&2; exit 2; }

san+=" -fno-omit-frame-pointer"
version=$(tr -d ' \n' <"$repo/VERSION")
san_env

if [[ $mutants -eq 1 ]]; then
	# "file|name|sed -z expression": one planted bug each (tap_mutants).
	list='fmt_ranges.c|ranges: gaps accepted|s/} else if (first > sp->next) {/} else if (0) {/
fmt_ranges.c|ranges: overlaps accepted|s/} else if (first < sp->next) {/} else if (0) {/
fmt_ranges.c|ranges: column off by one|s/return (unsigned long)(off - rp->bol + 1);/return (unsigned long)(off - rp->bol);/
fmt_ranges.c|ranges: writer pads one digit short|s/int w = pgenc_hex_width(b->start_gfn + b->num_pages - 1);/int w = pgenc_hex_width(b->start_gfn + b->num_pages - 1) - 1;/
fmt_raw.c|raw: tail bits accepted|s/if (p\[hsz + nbytes - 1\] \& ~pgenc_tail_mask(num))/if (0)/
fmt_raw.c|raw: trailing data accepted|s/if (len - hsz > nbytes)/if (0)/
fmt_raw.c|raw: num_pages limit off by one|s/if (num > max_pages)/if (num >= max_pages)/
fmt_raw.c|raw: big-endian start_gfn|s/put_le64(hdr + OFF_START, b->start_gfn);/put_le64(hdr + OFF_START, __builtin_bswap64(b->start_gfn));/
fmt_json.c|json: duplicate keys accepted|s/if (\*seen \& (1u << k))/if (0)/
fmt_json.c|json: trailing garbage accepted|s/if (jp->pos < jp->len)/if (0)/
fmt_json.c|json: leading zeros accepted|s/return err_at(jp, \*at, "leading zeros are not allowed");/(void)0;/
fmt_json.c|json: writer last off by one|s/r.first, r.last,/r.first, r.last - 1,/
fmt_json.c|json: lone surrogates accepted|s/if (cp >= 0xdc00 \&\& cp <= 0xdfff)/if (0)/
fmt_json.c|json: range past the end accepted|s/if (r->last > last_gfn)/if (0)/
bitmap.c|find_change: word skip too far|s/pos += 64;/pos += 72;/
bitmap.c|fill: one byte short|s/(end - i) \/ 8);/(end - i) \/ 8 - 1);/
bitmap.c|count: tail mask ignored|s/ones += (uint64_t)__builtin_popcount(b->bits\[nbytes - 1\] \&/ones += (uint64_t)__builtin_popcount(b->bits[nbytes - 1] |/
bitmap.c|equal: tail compared|s/\& m);/);/
bitmap.c|new: tail bits set|s/b->bits\[nbytes - 1\] = pgenc_tail_mask(num_pages);/b->bits[nbytes - 1] = 0xff;/
diff.c|diff: counts swapped|s/d->became_encrypted += end - g + 1;/d->became_shared += end - g + 1;/
diff.c|diff: runs not merged|s/if (p->last + 1 == first \&\& p->encrypted == encrypted) {/if (0) {/
diff.c|diff: outside reads shared|s/r->encrypted = true;/r->encrypted = false;/
hypercall.c|hypercall: a2 <= 1 is encrypted|s/a2 == KVM_PAGE_ENC_SEED_ENCRYPTED;/a2 <= KVM_PAGE_ENC_SEED_ENCRYPTED;/
hypercall.c|hypercall: hint 3 accepted|s/\n\t    KVM_PAGE_ENC_ATTR_PAGE_SZ_1G)/ KVM_PAGE_ENC_ATTR_PAGE_SZ_1G + 1)/
hypercall.c|hypercall: range end inclusive|s/a1 > hi - gfn)/a1 > hi - gfn + 1)/
kvm.c|kvm: tail bits of GET kept|s/b->bits\[nbytes - 1\] \&= pgenc_tail_mask(b->num_pages);\n\treturn r;/return r;/
kvm.c|kvm: reset passes a buffer|s/num_pages, NULL);/num_pages, \&vmfd);/
kvm.c|kvm: errno not negated|s/return errno ? -errno : -EIO;/return errno;/
sev_cmd.c|sev: policy big-endian|s/msg\[4\] = (uint8_t)policy;/msg[4] = (uint8_t)(policy >> 24);/
sev_cmd.c|sev: verify compares 31 bytes|s/CRYPTO_memcmp(want, blob, PGENC_SEV_MEASURE_SIZE)/CRYPTO_memcmp(want, blob, PGENC_SEV_MEASURE_SIZE - 1)/
sev_cmd.c|sev: wrong command id|s/KVM_SEV_DBG_ENCRYPT, src, dst, len,/KVM_SEV_DBG_DECRYPT, src, dst, len,/
sev_cmd.c|sev: fw error dropped|s/set_fw(fw_error, (int)cmd.error);\n\treturn r;/return r;/
sev_launch.c|launch: FINISH after a failed MEASURE|s/return fail(res, PGENC_SEV_STEP_MEASURE, 0, r, fw);/(void)0;/
sev_launch.c|launch: going on after a failed UPDATE_DATA|s/return fail(res, PGENC_SEV_STEP_UPDATE_DATA, i, r, fw);/(void)fail(res, PGENC_SEV_STEP_UPDATE_DATA, i, r, fw);/
sev_launch.c|launch: failed region not reported|s/PGENC_SEV_STEP_UPDATE_DATA, i, r, fw);/PGENC_SEV_STEP_UPDATE_DATA, 0, r, fw);/
sev_launch.c|launch: VMSA never updated|s/if (p->update_vmsa) {/if (0) {/
sev_launch.c|launch: digest taken after UPDATE_DATA|s/r = pgenc_sev_digest_update(d, rg->addr, rg->len);/r = 0;/
sev_launch.c|launch: expected digest ignored|s/ld = p->expected_digest ? p->expected_digest : res->digest;/ld = res->digest;/
sev_launch.c|launch: mismatch does not stop FINISH|s/if (r)\n\t\t\treturn fail(res, PGENC_SEV_STEP_VERIFY, 0, r,\n\t\t\t\t    SEV_RET_NO_FW_CALL);/if (r)\n\t\t\tres->error = r;/
sev_launch.c|launch: get_tik() not called|s/if (p->verify \&\& !p->tik) {/if (0) {/
sev_launch.c|launch: SEV-ES verify without a digest accepted|s/if (p->update_vmsa \&\& !p->expected_digest)/if (0)/
sev_launch.c|launch: fw error not reported|s/\tres->fw_error = fw;\n\treturn err;/\treturn err;/
sev_launch.c|launch: handle not passed to START|s/res->handle = p->handle;/res->handle = 0;/
format.c|detect: JSON after whitespace missed|s/p\[i\] == .\\r.)/0)/
migrate.c|mig: sequence numbers not checked|s/if (seq != d->seq)/if (0)/
migrate.c|mig: checksum not checked|s/if (crc != le32(p + 12))/if (0)/
migrate.c|mig: record order not checked|s/\tif (why)\n\t\treturn dec_fail(d, err, t, "out of order/\tif (0)\n\t\treturn dec_fail(d, err, t, "out of order/
migrate.c|mig: END counts not compared|s/rec->u.end.pages_plain != d->pages_plain ||/0 ||/
migrate.c|mig: VCPU sections not required|s/if (!rec->u.vcpu.sec\[required\[i\]\].data)/if (0)/
sev_send.c|sev send: a failing query taken for an answer|s/(r == -EIO \&\& fw == SEV_RET_INVALID_LEN)/(r == -EIO \&\& fw >= 0)/
sev_send.c|sev send: session length not returned|s/\tif (!r)\n\t\t\*session_len = s.session_len;\n\treturn r;\n}\n\nint pgenc_sev_send_update_data_len/\treturn r;\n}\n\nint pgenc_sev_send_update_data_len/
sev_send.c|sev send: receive handle not passed in|s/s.handle = \*handle;/s.handle = 0;/'
	# The unit tests, on a copy of tools/lib with the mutated FILE.
	try_mutant() {
		local file=$1 copy=$2 dir=$3
		mkdir -p "$dir/tools"
		cp -r "$repo/tools/lib" "$dir/tools/lib"
		cp "$repo/tools/build.mk" "$dir/tools/build.mk"
		cp "$repo/VERSION" "$dir/VERSION"
		ln -s "$repo/uapi" "$dir/uapi"
		cp "$copy" "$dir/tools/lib/$file"
		PGENC_LIB_SRC=$dir/tools/lib BUILD=$dir/build PGENC_TEST_ITERS=${PGENC_TEST_ITERS:-60} \
			"$0" --cc "${ccs[0]}" --no-package
	}
	tap_mutants "$list" "$repo/tools/lib" "$out/mutant" try_mutant
	tap_done
fi

for cc in "${ccs[@]}"; do
	name=$(basename "$cc")
	dir=$out/$name
	mkdir -p "$dir"
	echo "# libpgenc with $cc, ASan + UBSan"
	if ! make -C "$lib" O="$dir" CC="$cc" EXTRA_CFLAGS="$san" static >"$dir/lib.log" 2>&1; then
		sed 's/^/#   /' "$dir/lib.log" | head -40
		result "not ok" "libpgenc builds with $cc and sanitizers"
		continue
	fi
	for src in "$here"/test_*.c; do
		t=$(basename "$src" .c)
		if ! make -s -C "$here" O="$dir" CC="$cc" LIB="$lib" EXTRA_CFLAGS="$san" "$t" \
			2>"$dir/$t.build"; then
			sed 's/^/#   /' "$dir/$t.build" | head -30
			result "not ok" "$t ($name): does not build"
			continue
		fi
		(cd "$dir" && "./$t") >"$dir/$t.log" 2>&1
		relay_log "$dir/$t.log" $? "$name"
	done
done

if [[ $package -eq 1 ]]; then
	pkg=$out/package
	rm -rf "$pkg"
	mkdir -p "$pkg"
	echo "# packaging"

	if make -C "$lib" O="$pkg" >"$pkg/build.log" 2>&1; then
		result ok "make: shared and static library, -Werror (gcc)"
	else
		sed 's/^/#   /' "$pkg/build.log" | head -40
		result "not ok" "make: shared and static library, -Werror (gcc)"
	fi

	# The .so exports exactly the functions the header declares.
	gcc -E -P -I "$lib/include" -I "$repo/uapi" "$lib/include/pgenc/pgenc.h" |
		grep -oE '\bpgenc_[a-z0-9_]+ *\(' | tr -d ' (' | sort -u >"$pkg/declared"
	nm -D --defined-only "$pkg/lib/libpgenc.so" 2>/dev/null |
		awk '$2 ~ /^[A-Z]$/ && $2 != "A" { sub(/@.*/, "", $3); print $3 }' |
		sort -u >"$pkg/exported"
	if [[ -s $pkg/declared ]] && diff -u "$pkg/declared" "$pkg/exported" >"$pkg/exports.diff"; then
		result ok "libpgenc.so exports exactly the $(wc -l <"$pkg/declared") declared pgenc_* functions"
	else
		sed 's/^/#   /' "$pkg/exports.diff"
		result "not ok" "libpgenc.so exports exactly the declared functions"
	fi
	soname=$(readelf -d "$pkg/lib/libpgenc.so" 2>/dev/null | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
	if [[ $soname == libpgenc.so.0 ]]; then
		result ok "soname libpgenc.so.0"
	else
		result "not ok" "soname libpgenc.so.0 (got '$soname')"
	fi

	# No mutable global state (thread safety): empty .data and .bss.
	writable=$(for o in "$pkg"/lib/obj/*.o; do
		objdump -h "$o" | awk -v o="${o##*/}" \
			'($2 == ".data" || $2 == ".bss") && $3 !~ /^0+$/ { print o, $2 }'
	done)
	if [[ -z $writable ]] && ls "$pkg"/lib/obj/*.o >/dev/null 2>&1; then
		result ok "no writable static data in libpgenc (.data and .bss empty)"
	else
		echo "$writable" | sed 's/^/#   /'
		result "not ok" "no writable static data in libpgenc (.data and .bss empty)"
	fi

	# Each header alone (the umbrella pgenc.h and its topic headers),
	# first in a translation unit, C and C++.
	hdr_ok=1
	for h in "$lib"/include/pgenc/*.h; do
		printf '#include <pgenc/%s>\nint pgenc_header_only;\n' "${h##*/}" >"$pkg/hdr.c"
		cp "$pkg/hdr.c" "$pkg/hdr.cc"
		for c in "gcc -std=c11 -pedantic" "gcc -std=gnu11" "clang -std=c11 -pedantic" \
			"g++ -std=c++11 -x c++" "g++ -std=c++17 -x c++" "clang++ -std=c++14 -x c++"; do
			read -r -a cmd <<<"$c"
			command -v "${cmd[0]}" >/dev/null || continue
			src=$pkg/hdr.c
			[[ $c == *c++* ]] && src=$pkg/hdr.cc
			if ! "${cmd[@]}" -Wall -Wextra -Werror -I "$lib/include" -I "$repo/uapi" \
				-c -o /dev/null "$src" 2>"$pkg/hdr.log"; then
				sed 's/^/#   /' "$pkg/hdr.log" | head -20
				echo "#   with: $c, <pgenc/${h##*/}>"
				hdr_ok=0
			fi
		done
	done
	if [[ $hdr_ok -eq 1 ]]; then
		result ok "each <pgenc/*.h> is self-contained, C11 and C++ clean"
	else
		result "not ok" "each <pgenc/*.h> is self-contained, C11 and C++ clean"
	fi

	# pkg-config (the uninstalled .pc), then the shared and static links.
	cat >"$pkg/prog.c" <<-'EOF'
		#include <stdio.h>
		#include <string.h>
		#include <pgenc/pgenc.h>

		int main(void)
		{
			struct pgenc_bitmap *b;
			uint8_t d[32];

			if (pgenc_bitmap_new(0, 9, true, &b) ||
			    pgenc_write(stdout, b, PGENC_FORMAT_RANGES) ||
			    pgenc_sev_launch_digest(NULL, 0, d))
				return 1;
			pgenc_bitmap_free(b);
			printf("%s\n", pgenc_version());
			return 0;
		}
	EOF
	if command -v pkg-config >/dev/null; then
		want=$(printf '0x0-0x8 encrypted\n%s' "$version")
		if pc_cflags=$(PKG_CONFIG_PATH=$pkg/lib pkg-config --cflags pgenc) &&
			pc_libs=$(PKG_CONFIG_PATH=$pkg/lib pkg-config --libs pgenc) &&
			pc_static=$(PKG_CONFIG_PATH=$pkg/lib pkg-config --static --libs pgenc) &&
			[[ $(PKG_CONFIG_PATH=$pkg/lib pkg-config --modversion pgenc) == "$version" ]] &&
			gcc -std=c11 -Wall -Werror $pc_cflags -o "$pkg/prog" "$pkg/prog.c" $pc_libs 2>"$pkg/prog.log" &&
			[[ $(LD_LIBRARY_PATH=$pkg/lib "$pkg/prog") == "$want" ]] &&
			gcc -std=c11 -Wall -Werror $pc_cflags -o "$pkg/prog-static" "$pkg/prog.c" \
				"$pkg/lib/libpgenc.a" ${pc_static/-lpgenc/} 2>>"$pkg/prog.log" &&
			[[ $("$pkg/prog-static") == "$want" ]] &&
			! ldd "$pkg/prog-static" | grep -q libpgenc; then
			result ok "pkg-config pgenc: a program links (shared and static) and runs"
		else
			sed 's/^/#   /' "$pkg/prog.log" 2>/dev/null | head -20
			result "not ok" "pkg-config pgenc: a program links (shared and static) and runs"
		fi
	else
		result ok "pkg-config pgenc" "SKIP pkg-config not installed"
	fi

	if command -v clang-format >/dev/null && [[ -f $repo/.clang-format ]]; then
		shopt -s nullglob
		files=("$lib"/*.[ch] "$lib"/include/pgenc/*.h "$here"/*.[ch] "$repo"/tests/fuzz/*.[ch])
		shopt -u nullglob
		if (cd "$repo" && clang-format --dry-run --Werror "${files[@]}") >"$pkg/format.log" 2>&1; then
			result ok "clang-format clean (${#files[@]} files)"
		else
			grep -E '^/' "$pkg/format.log" | head -20 | sed 's/^/#   /'
			result "not ok" "clang-format clean (clang-format -i the files above)"
		fi
	else
		result ok "clang-format clean" "SKIP no clang-format or .clang-format"
	fi
fi

tap_done
