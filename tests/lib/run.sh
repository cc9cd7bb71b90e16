#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# libpgenc unit tests. For each compiler: build the library with ASan and
# UBSan (tools/lib/build.sh --static-only), build every tests/lib/test_*.c
# against it and run it (TAP). Then, once, check the packaging: the
# default build (-Werror, shared and static), the exported symbols, the
# public header alone in C and C++, pkg-config, and clang-format.
# Prints TAP, then "N passed, N failed, N skipped"; exits non-zero on any
# failure. Binaries and logs go to build/tests/lib/.
#
# Usage: tests/lib/run.sh [--cc CC]... [--no-package]
#   --cc CC        compiler; repeatable (default: $CC if set, else gcc
#                  and clang, each that is installed)
#   --no-package   skip the packaging checks
# Environment: PGENC_TEST_SEED (a number, or "random"), PGENC_TEST_ITERS.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${BUILD:-$repo/build}/tests/lib
lib=$repo/tools/lib

ccs=()
package=1
while [[ $# -gt 0 ]]; do
	case $1 in
	--cc) ccs+=("${2:?--cc needs a compiler}"); shift 2 ;;
	--no-package) package=0; shift ;;
	*) sed -n '/^# Usage:/,/^# Environment/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
if [[ ${#ccs[@]} -eq 0 ]]; then
	if [[ -n ${CC:-} ]]; then
		ccs=("$CC")
	else
		for c in gcc clang; do
			command -v "$c" >/dev/null && ccs+=("$c")
		done
	fi
fi
[[ ${#ccs[@]} -gt 0 ]] || { echo "tests/lib/run.sh: no C compiler" >&2; exit 2; }

san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cflags=(-std=c11 -Wall -Wextra -Werror -g -O1 $san
	-I "$lib/include" -I "$repo/uapi" -I "$here")
version=$(tr -d ' \n' <"$repo/VERSION")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

pass=0 fail=0 skip=0 n=0

# One result of run.sh's own: status (ok/not ok), name, [directive].
result() {
	n=$((n + 1))
	echo "$1 $n - $2${3:+ # $3}"
	case "$1:${3:-}" in
	ok:SKIP*) skip=$((skip + 1)) ;;
	ok:*) pass=$((pass + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
}

# Renumber a test binary's TAP (in $1) into ours; $2 is its exit code,
# $3 a suffix for the names. Its "#" lines are shown; other output (a
# sanitizer report) only when it failed.
merge() {
	local log=$1 rc=$2 sfx=$3 line status rest
	while IFS= read -r line; do
		case $line in
		"ok "* | "not ok "*)
			status=${line%% [0-9]*}
			rest=${line#"$status "}
			rest=${rest#* - }
			if [[ $rest == *" # SKIP"* ]]; then
				result "$status" "${rest%% # SKIP*} ($sfx)" "SKIP${rest#* # SKIP}"
			else
				result "$status" "$rest ($sfx)"
			fi
			;;
		1..*) ;;
		"#"*) echo "$line" ;;
		*) [[ $rc -ne 0 ]] && echo "#   $line" ;;
		esac
	done <"$log"
	if [[ $rc -ne 0 ]] && ! grep -q '^not ok' "$log"; then
		result "not ok" "$(basename "$log" .log) ($sfx): exited $rc (see $log)"
	fi
}

for cc in "${ccs[@]}"; do
	name=$(basename "$cc")
	dir=$out/$name
	mkdir -p "$dir"
	echo "# libpgenc with $cc, ASan + UBSan"
	if ! "$lib/build.sh" --cc "$cc" --static-only --out "$dir/lib" \
		--cflags "$san" >"$dir/lib.log" 2>&1; then
		sed 's/^/#   /' "$dir/lib.log" | head -40
		result "not ok" "libpgenc builds with $cc and sanitizers"
		continue
	fi
	for src in "$here"/test_*.c; do
		t=$(basename "$src" .c)
		extra=()
		case $t in
		test_hypercall)
			# The kernel's decoder, compiled alone (kernel types).
			if ! "$cc" "${cflags[@]}" -I "$repo/kernel" -c \
				-o "$dir/kref.o" "$here/kref.c" 2>"$dir/$t.build"; then
				sed 's/^/#   /' "$dir/$t.build" | head -30
				result "not ok" "$t ($name): kref.c does not build"
				continue
			fi
			extra=("$dir/kref.o") ;;
		test_ioctl) extra=(-Wl,--wrap=ioctl) ;;
		esac
		if ! "$cc" "${cflags[@]}" -DEXPECTED_VERSION="\"$version\"" \
			-o "$dir/$t" "$src" "${extra[@]}" "$dir/lib/libpgenc.a" \
			-lcrypto 2>"$dir/$t.build"; then
			sed 's/^/#   /' "$dir/$t.build" | head -30
			result "not ok" "$t ($name): does not build"
			continue
		fi
		(cd "$dir" && "./$t") >"$dir/$t.log" 2>&1
		merge "$dir/$t.log" $? "$name"
	done
done

if [[ $package -eq 1 ]]; then
	pkg=$out/package
	rm -rf "$pkg"
	mkdir -p "$pkg"
	echo "# packaging"

	if "$lib/build.sh" --out "$pkg/lib" >"$pkg/build.log" 2>&1; then
		result ok "build.sh: shared and static library, -Werror (gcc)"
	else
		sed 's/^/#   /' "$pkg/build.log" | head -40
		result "not ok" "build.sh: shared and static library, -Werror (gcc)"
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

	# The header alone, first in a translation unit, C and C++.
	printf '#include <pgenc/pgenc.h>\nint pgenc_header_only;\n' >"$pkg/hdr.c"
	cp "$pkg/hdr.c" "$pkg/hdr.cc"
	hdr_ok=1
	for c in "gcc -std=c11 -pedantic" "gcc -std=gnu11" "clang -std=c11 -pedantic" \
		"g++ -std=c++11 -x c++" "g++ -std=c++17 -x c++" "clang++ -std=c++14 -x c++"; do
		read -r -a cmd <<<"$c"
		command -v "${cmd[0]}" >/dev/null || continue
		src=$pkg/hdr.c
		[[ $c == *c++* ]] && src=$pkg/hdr.cc
		if ! "${cmd[@]}" -Wall -Wextra -Werror -I "$lib/include" -I "$repo/uapi" \
			-c -o /dev/null "$src" 2>"$pkg/hdr.log"; then
			sed 's/^/#   /' "$pkg/hdr.log" | head -20
			echo "#   with: $c"
			hdr_ok=0
		fi
	done
	if [[ $hdr_ok -eq 1 ]]; then
		result ok "pgenc.h is self-contained, C11 and C++ clean"
	else
		result "not ok" "pgenc.h is self-contained, C11 and C++ clean"
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
		files=("$lib"/*.[ch] "$lib"/include/pgenc/*.h "$here"/*.[ch] "$repo"/tests/fuzz/*.[ch])
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

echo "1..$n"
echo "$pass passed, $fail failed, $skip skipped"
[[ $fail -eq 0 ]]
