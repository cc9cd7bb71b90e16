#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
#
# Build libpgenc into build/lib/ (or --out DIR):
#   libpgenc.a
#   libpgenc.so.0.<version>, with the links libpgenc.so.0 and libpgenc.so
#     (soname libpgenc.so.0; only pgenc_* exported, libpgenc.map)
#   pgenc.pc             for an installed copy under --prefix
#   pgenc-uninstalled.pc for this tree: pkg-config prefers it when
#                        PKG_CONFIG_PATH holds build/lib
#
# Usage: tools/lib/build.sh [--out DIR] [--cc CC] [--cflags FLAGS]
#                           [--static-only] [--prefix PREFIX]
#   --cflags FLAGS  added when compiling (e.g. sanitizers; repeatable)
#   --static-only   only libpgenc.a (for sanitizer and fuzzer builds)
# Environment: CC (default gcc), AR (default ar), PREFIX (/usr/local).
# Needs OpenSSL's libcrypto headers (Debian: libssl-dev).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=$repo/build/lib
cc=${CC:-gcc}
ar=${AR:-ar}
prefix=${PREFIX:-/usr/local}
extra=()
static_only=0

while [[ $# -gt 0 ]]; do
	case $1 in
	--out) out=${2:?--out needs a directory}; shift 2 ;;
	--cc) cc=${2:?--cc needs a compiler}; shift 2 ;;
	--cflags) read -r -a f <<<"${2?--cflags needs flags}"; extra+=("${f[@]}"); shift 2 ;;
	--static-only) static_only=1; shift ;;
	--prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
	*) sed -n '/^# Usage:/,/^# Needs/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done

version=$(tr -d ' \n' <"$repo/VERSION")
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "build.sh: bad VERSION '$version'" >&2; exit 1; }
major=0 # the soname's; bump it (and LIBPGENC_0 in libpgenc.map) on an ABI break

srcs=(bitmap.c diff.c error.c format.c fmt_json.c fmt_ranges.c fmt_raw.c
	hypercall.c kvm.c sev_cmd.c sev_launch.c)

crypto_cflags=() crypto_libs=(-lcrypto)
if pkg-config --exists libcrypto 2>/dev/null; then
	read -r -a crypto_cflags <<<"$(pkg-config --cflags libcrypto)"
	read -r -a crypto_libs <<<"$(pkg-config --libs libcrypto)"
fi
if ! echo '#include <openssl/hmac.h>' | "$cc" "${crypto_cflags[@]}" -E -x c - >/dev/null 2>&1; then
	echo "build.sh: OpenSSL headers not found: apt-get install libssl-dev" >&2
	exit 1
fi

cflags=(-std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
	-Wmissing-prototypes -Wpointer-arith -Wvla -O2 -g -fPIC
	-DPGENC_VERSION_STRING="\"$version\""
	-I "$here/include" -I "$repo/uapi" "${crypto_cflags[@]}" "${extra[@]}")

mkdir -p "$out/obj"
objs=()
for s in "${srcs[@]}"; do
	o=$out/obj/${s%.c}.o
	"$cc" "${cflags[@]}" -c -o "$o" "$here/$s"
	objs+=("$o")
done

rm -f "$out/libpgenc.a"
"$ar" rcs "$out/libpgenc.a" "${objs[@]}"

if [[ $static_only -eq 0 ]]; then
	real=libpgenc.so.$major.${version#*.}
	"$cc" "${extra[@]}" -shared -o "$out/$real" "${objs[@]}" \
		-Wl,-soname,libpgenc.so.$major \
		-Wl,--version-script="$here/libpgenc.map" \
		-Wl,-z,defs -Wl,-z,relro -Wl,-z,now "${crypto_libs[@]}"
	ln -sfn "$real" "$out/libpgenc.so.$major"
	ln -sfn "libpgenc.so.$major" "$out/libpgenc.so"
fi

pc() {
	sed -e "s|@PREFIX@|$1|" -e "s|@LIBDIR@|$2|" -e "s|@INCLUDEDIR@|$3|" \
		-e "s|@UAPIDIR@|$4|" -e "s|@VERSION@|$version|" \
		"$here/pgenc.pc.in" >"$5.tmp"
	mv "$5.tmp" "$5"
}
pc "$prefix" '${prefix}/lib' '${prefix}/include' '${includedir}' "$out/pgenc.pc"
pc "$repo" "$out" "$here/include" "$repo/uapi" "$out/pgenc-uninstalled.pc"

echo "libpgenc $version: $out/libpgenc.a$([[ $static_only -eq 1 ]] || echo " $out/libpgenc.so.$major")"
