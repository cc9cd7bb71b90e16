#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check uapi/linux/kvm_pgenc.h:
#  (a) it compiles on its own as C11 and as C++11/C++17 (gcc, g++, and
#      clang if installed; -m32 too when the toolchain can), warning-free
#      with -Wall -Wextra -Werror -pedantic, and together with the target
#      kernel's <linux/kvm.h> and <linux/kvm_para.h> in either order (our
#      other uapi/linux/*.h headers: alone, as C11 and C++17);
#  (b) none of its numbers collides with the target kernel's <linux/kvm.h>:
#      no KVM_CAP_* value equals one of ours, no ioctl equals one of ours,
#      no KVMIO ioctl uses one of our ioctls' _IOC_NR, and every hypercall
#      number of ours equals exactly the upstream one it is meant to alias
#      (KVM_HC_PAGE_ENC_STATUS == KVM_HC_MAP_GPA_RANGE) and no other.
#
# Usage: scripts/check-uapi.sh [--numbers] [--header FILE] [--kdir DIR]
#   --numbers      (b) only, in ~1 s: what the module build runs
#   --header FILE  check FILE instead of uapi/linux/kvm_pgenc.h; it is
#                  included as <linux/kvm_pgenc.h> (e.g. a scratch copy
#                  with a colliding value, to see the check fail)
#   --kdir DIR     target kernel headers (default: $KDIR, else the one
#                  scripts/kver.sh picks, else /usr/include with a note);
#                  "--kdir system" checks against /usr/include
#
# The target's uapi headers are used as they are in the kernel tree (KDIR
# and, for Debian's split headers packages, the -common tree it includes):
# a shim stands in for the few edits headers_install.sh would make.
# Exits 0 when every check passes, 1 on a failure, 2 on a usage error.
set -euo pipefail
export LC_ALL=C # plain quotes in compiler messages, which are parsed below

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
header=$REPO/uapi/linux/kvm_pgenc.h
kdir=${KDIR:-}
numbers_only=0

usage() {
	sed -n '/^# Usage:/,/^#   --kdir/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [[ $# -gt 0 ]]; do
	case $1 in
	--header) header=$(realpath "${2:?}"); shift 2 ;;
	--kdir) kdir=${2:?}; shift 2 ;;
	--numbers) numbers_only=1; shift ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
done
[[ -r $header ]] || { echo "check-uapi: error: $header not readable" >&2; exit 2; }

fails=0
fail() {
	echo "check-uapi: FAIL: $*"
	fails=$((fails + 1))
}
note() {
	echo "check-uapi: note: $*"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-uapi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Our header is reached as <linux/kvm_pgenc.h> through a directory of its
# own, so that --header can point at any file.
mkdir -p "$tmp/ours/linux"
cp "$header" "$tmp/ours/linux/kvm_pgenc.h"

# --- the target kernel's uapi include path --------------------------------
if [[ -z $kdir ]]; then
	if (. "$REPO/scripts/kver.sh") >/dev/null 2>&1; then
		kdir=$(. "$REPO/scripts/kver.sh" && echo "$KDIR")
	fi
fi
src=
[[ $kdir != system ]] || kdir=
if [[ -n $kdir ]]; then
	[[ -d $kdir ]] || { echo "check-uapi: error: KDIR=$kdir is not a directory" >&2; exit 2; }
	if [[ -f $kdir/include/uapi/linux/kvm.h ]]; then
		src=$kdir # a full kernel tree
	elif [[ -f $kdir/Makefile ]] &&
		common=$(sed -n 's@^include \(/.*\)/Makefile$@\1@p' "$kdir/Makefile" | head -1) &&
		[[ -n $common && -f $common/include/uapi/linux/kvm.h ]]; then
		src=$common # Debian: linux-headers-$KVER includes linux-headers-*-common
	else
		for d in "$kdir/source" "$(dirname "$kdir")/source"; do
			if [[ -f $d/include/uapi/linux/kvm.h ]]; then
				src=$(realpath "$d")
				break
			fi
		done
	fi
	[[ -n $src ]] || { echo "check-uapi: error: no include/uapi/linux/kvm.h under KDIR=$kdir or the source tree it names" >&2; exit 2; }
fi

if [[ -n $src ]]; then
	# What headers_install.sh would do: drop <linux/compiler*.h> includes,
	# the __user/__force/__iomem/__attribute_const__ annotations and
	# the "kernel headers from user space" warning; the preprocessor
	# drops the __KERNEL__ parts.
	mkdir -p "$tmp/shim/linux"
	: >"$tmp/shim/linux/compiler.h"
	: >"$tmp/shim/linux/compiler_types.h"
	# -isystem, as installed headers are to a VMM (the kernel's own are
	# not -pedantic clean); they come before /usr/include, which still
	# serves libc.
	kinc=(-isystem "$tmp/shim"
		-isystem "$src/arch/x86/include/uapi"
		-isystem "$kdir/arch/x86/include/generated/uapi"
		-isystem "$src/include/uapi"
		-isystem "$kdir/include/generated/uapi"
		-D__EXPORTED_HEADERS__ -D__user= -D__force= -D__iomem=
		-D__attribute_const__= "-D__packed=__attribute__((packed))")
	target="$src (KDIR=$kdir)"
else
	kinc=()
	target="/usr/include (linux-libc-dev $(dpkg-query -W -f='${Version}' linux-libc-dev 2>/dev/null || echo '?'))"
	note "no target kernel headers (set KDIR or install linux-headers-\$KVER): checking against $target, which is the libc's copy, not necessarily the target kernel's"
fi
echo "check-uapi: header $header"
echo "check-uapi: target uapi $target"

# --- (a) standalone and combined compiles ----------------------------------
compiles=0
if ((!numbers_only)); then
	try_compile() { # label, compiler and flags..., source on stdin
		local label=$1 out
		shift
		if out=$("$@" -fsyntax-only -x "$lang" - 2>&1 <"$tmp/src"); then
			compiles=$((compiles + 1))
		else
			fail "$label does not compile cleanly:"
			printf '%s\n' "$out" | head -20 | sed 's/^/    /'
		fi
	}

	# Standalone: the header is the first and only include, against the
	# system's <linux/types.h> (what a VMM builds with) and the target's.
	cwarn=(-Wall -Wextra -Werror -pedantic)
	printf '#include <linux/kvm_pgenc.h>\n' >"$tmp/src"
	for inc in sys target; do
		if [[ $inc == sys ]]; then
			incs=(-I "$tmp/ours")
		else
			[[ -n $src ]] || continue
			incs=(-I "$tmp/ours" "${kinc[@]}")
		fi
		lang=c
		try_compile "gcc -std=c11 ($inc headers)" gcc -std=c11 "${cwarn[@]}" "${incs[@]}"
		lang='c++'
		try_compile "g++ -std=c++11 ($inc headers)" g++ -std=c++11 "${cwarn[@]}" "${incs[@]}"
		try_compile "g++ -std=c++17 ($inc headers)" g++ -std=c++17 "${cwarn[@]}" "${incs[@]}"
	done
	if command -v clang >/dev/null; then
		lang=c
		try_compile "clang -std=c11" clang -std=c11 "${cwarn[@]}" -I "$tmp/ours"
		lang='c++'
		try_compile "clang++ -std=c++11" clang++ -std=c++11 "${cwarn[@]}" -I "$tmp/ours"
	else
		note "clang not installed: skipped the clang compiles"
	fi
	# 32-bit userspace (the compat ioctl path): same layout, 24 bytes.
	if printf '#include <linux/types.h>\n' | gcc -m32 -fsyntax-only -x c - >/dev/null 2>&1; then
		lang=c
		try_compile "gcc -m32 -std=c11" gcc -m32 -std=c11 "${cwarn[@]}" -I "$tmp/ours"
	else
		note "no 32-bit libc headers (gcc-multilib): skipped the -m32 compile"
	fi

	# Our other uapi headers (uapi/linux/*.h): each alone, C11 and C++17.
	for h in "$REPO"/uapi/linux/*.h; do
		[[ $(basename "$h") != kvm_pgenc.h ]] || continue
		# (A header of macros only leaves an empty unit, which -pedantic rejects.)
		printf '#include <linux/%s>\ntypedef int check_uapi_not_empty;\n' "$(basename "$h")" >"$tmp/src"
		lang=c
		try_compile "$(basename "$h"): gcc -std=c11" gcc -std=c11 "${cwarn[@]}" -I "$REPO/uapi"
		lang='c++'
		try_compile "$(basename "$h"): g++ -std=c++17" g++ -std=c++17 "${cwarn[@]}" -I "$REPO/uapi"
	done

	# Together with the target's headers, in both orders: catches a macro or
	# struct name of ours that the kernel also defines differently (a macro
	# redefined inside a system header is not reported, hence both orders).
	if [[ -n $src ]]; then
		both=(-I "$tmp/ours" "${kinc[@]}")
	else
		both=(-I "$tmp/ours")
	fi
	for order in "kvm_pgenc.h kvm.h kvm_para.h" "kvm.h kvm_para.h kvm_pgenc.h"; do
		: >"$tmp/src"
		for h in $order; do
			printf '#include <linux/%s>\n' "$h" >>"$tmp/src"
		done
		lang=c
		try_compile "C with <linux/${order// />, <linux/}>" gcc -std=gnu11 -Wall -Wextra -Werror "${both[@]}"
		lang='c++'
		try_compile "C++ with <linux/${order// />, <linux/}>" g++ -std=c++17 -Wall -Wextra -Werror "${both[@]}"
	done
fi

# --- (b) numbers ----------------------------------------------------------
# Object-like macros of a set of headers: "NAME BODY" per line.
macros() { # include lines on stdin; compiler flags as arguments
	gcc -std=gnu11 -dM -E -x c - "$@" |
		sed -n 's/^#define \([A-Za-z_][A-Za-z0-9_]*\) \(.*\)$/\1 \2/p' | sort
}
# Classify "NAME BODY" lines into "class NAME" lines: cap, ioctl, hc.
classify() {
	awk '
	$1 ~ /^KVM_CAP_/ { print "cap", $1; next }
	$1 ~ /^KVM_HC_/ { print "hc", $1; next }
	/ _IO(R|W|WR)?(_BAD)? *\(/ { print "ioctl", $1 }'
}
# Print "class NAME VALUE" lines, "ioctl NAME VALUE IOC_TYPE IOC_NR" for
# ioctls, for the classified names, by compiling and running a program
# with the given includes and flags. An ioctl whose argument type this
# arch lacks (e.g. KVM_ARM_*) has no value ("-"), but its type and number
# still count: they are taken with _IOC_TYPECHECK() redefined to 0.
evaluate() { # list file, include lines, compiler flags...
	local list=$1 incl=$2
	shift 2
	local c=$tmp/eval.c bin=$tmp/eval bad=
	for _ in 1 2 3 4; do
		{
			printf '#include <stdio.h>\n%b' "$incl"
			printf 'static void values(void)\n{\n'
			awk -v bad=" $bad " 'index(bad, " " $2 " ") { next }
			$1 == "ioctl" {
				printf "\tprintf(\"value %s %%llu\\n\", (unsigned long long)(%s));\n", $2, $2; next }
			{ printf "\tprintf(\"%s %s %%lld\\n\", (long long)(%s));\n", $1, $2, $2 }' "$list"
			printf '}\n\n#undef _IOC_TYPECHECK\n#define _IOC_TYPECHECK(t) 0\n'
			printf 'static void numbers(void)\n{\n'
			awk '$1 == "ioctl" {
				printf "\tprintf(\"nr %s %%llu %%llu\\n\", (unsigned long long)_IOC_TYPE(%s), (unsigned long long)_IOC_NR(%s));\n", $2, $2, $2 }' "$list"
			printf '}\n\nint main(void)\n{\n\tvalues();\n\tnumbers();\n\treturn 0;\n}\n'
		} >"$c"
		if gcc -std=gnu11 -w "$@" -o "$bin" "$c" 2>"$tmp/eval.err"; then
			[[ -z $bad ]] || note "no value (type not defined here), number still checked:$bad" >&2
			"$bin" | awk '
				$1 == "value" { v[$2] = $3; next }
				$1 == "nr" { print "ioctl", $2, ($2 in v ? v[$2] : "-"), $3, $4; next }
				{ print }'
			return
		fi
		# Errors name a line of values(), which names one macro.
		local more
		more=$(sed -n "s@^$c:\([0-9]*\):[0-9]*: error:.*@\1@p" "$tmp/eval.err" | sort -un |
			while read -r n; do sed -n "${n}s/.*printf(\"value \([A-Za-z0-9_]*\) .*/\1/p" "$c"; done)
		[[ -n $more ]] || break
		bad+=" $(echo $more)"
	done
	echo "check-uapi: error: cannot evaluate the macros of: $incl" >&2
	head -20 "$tmp/eval.err" >&2
	exit 1
}

base=$(printf '#include <linux/types.h>\n#include <linux/ioctl.h>\n')
if [[ -n $src ]]; then
	kflags=("${kinc[@]}")
else
	kflags=()
fi
# Theirs: what <linux/kvm.h> and <linux/kvm_para.h> add to types+ioctl.
printf '%s\n' "$base" | macros "${kflags[@]}" >"$tmp/base.m"
printf '%s\n#include <linux/kvm.h>\n#include <linux/kvm_para.h>\n' "$base" |
	macros "${kflags[@]}" >"$tmp/theirs.m"
comm -13 "$tmp/base.m" "$tmp/theirs.m" | classify >"$tmp/theirs.l"
# Ours: what our header adds to types+ioctl (system headers, as a VMM).
printf '%s\n' "$base" | macros -I "$tmp/ours" >"$tmp/base.o"
printf '%s\n#include <linux/kvm_pgenc.h>\n' "$base" | macros -I "$tmp/ours" >"$tmp/ours.m"
comm -13 "$tmp/base.o" "$tmp/ours.m" | classify >"$tmp/ours.l"

evaluate "$tmp/theirs.l" '#include <linux/kvm.h>\n#include <linux/kvm_para.h>\n' "${kflags[@]}" >"$tmp/theirs.v"
evaluate "$tmp/ours.l" '#include <linux/kvm_pgenc.h>\n' -I "$tmp/ours" >"$tmp/ours.v"

count() { awk -v c="$1" '$1 == c' "$2" | wc -l; }
# Same name on both sides (e.g. KVMIO) is one definition, not a collision.
nk_cap=$(count cap "$tmp/theirs.v")
nk_ioctl=$(count ioctl "$tmp/theirs.v")
nk_kvmio=$(awk '$1 == "ioctl" && $4 == 174' "$tmp/theirs.v" | wc -l)
nk_hc=$(count hc "$tmp/theirs.v")
no_cap=$(count cap "$tmp/ours.v")
no_ioctl=$(count ioctl "$tmp/ours.v")
no_hc=$(count hc "$tmp/ours.v")
[[ $nk_cap -gt 0 && $nk_ioctl -gt 0 && $nk_hc -gt 0 ]] ||
	fail "found no KVM_CAP_*, ioctls or KVM_HC_* in the target's <linux/kvm.h>/<linux/kvm_para.h> (caps $nk_cap, ioctls $nk_ioctl, hypercalls $nk_hc): wrong include path?"
for name in KVM_CAP_PAGE_ENC_BITMAP KVM_GET_PAGE_ENC_BITMAP KVM_SET_PAGE_ENC_BITMAP KVM_HC_PAGE_ENC_STATUS; do
	grep -qw "$name" "$tmp/ours.v" || fail "$name is not defined (or not recognised) in $header"
done

# Hypercall numbers that are meant to alias an upstream one (ours theirs).
aliases="KVM_HC_PAGE_ENC_STATUS KVM_HC_MAP_GPA_RANGE"

collisions=$(awk -v aliases="$aliases" '
	BEGIN { n = split(aliases, a, " "); for (i = 1; i < n; i += 2) alias[a[i]] = a[i + 1] }
	FNR == NR { # theirs
		if ($1 == "ioctl") {
			ioctl[$3] = ioctl[$3] " " $2
			if ($4 == 174) nr[$5] = nr[$5] " " $2
		} else {
			val[$1, $3] = val[$1, $3] " " $2
		}
		name[$2] = $3
		next
	}
	# ours
	$1 == "ioctl" {
		v = $3
		if (v in ioctl)
			print $2 " = " v " collides with ioctl" ioctl[v]
		if ($4 != 174)
			print $2 " is not a KVMIO (0xAE) ioctl: _IOC_TYPE " sprintf("%#x", $4)
		else if ($5 in nr)
			print $2 " has _IOC_NR " sprintf("%#x", $5) " like KVMIO ioctl" nr[$5]
		if ($5 in ournr)
			print $2 " has the same _IOC_NR as " ournr[$5]
		ournr[$5] = $2
		next
	}
	$1 == "hc" && ($2 in alias) {
		want = alias[$2]
		if (!(want in name))
			print $2 " should equal " want ", which the target does not define"
		else if (name[want] != $3)
			print $2 " = " $3 " but " want " = " name[want] " (they must be the same number)"
		split(val["hc", $3], same, " ")
		for (i in same)
			if (same[i] != want)
				print $2 " = " $3 " also equals " same[i]
		next
	}
	(($1, $3) in val) {
		print $2 " = " $3 " collides with" val[$1, $3]
	}
	' "$tmp/theirs.v" "$tmp/ours.v")
if [[ -n $collisions ]]; then
	while IFS= read -r line; do
		fail "$line"
	done <<<"$collisions"
fi

((numbers_only)) ||
	echo "check-uapi: $compiles clean compiles (C11, C++11, C++17; alone and with <linux/kvm.h>)"
echo "check-uapi: target: $nk_cap KVM_CAP_* values, $nk_ioctl ioctls ($nk_kvmio KVMIO), $nk_hc KVM_HC_* values"
echo "check-uapi: ours: $no_cap caps, $no_ioctl ioctls, $no_hc hypercalls: $(awk '{ printf "%s%s=%s", sep, $2, ($1 == "ioctl" ? sprintf("%#x", $3) : $3); sep = " " }' "$tmp/ours.v")"
if [[ $fails -gt 0 ]]; then
	echo "check-uapi: $fails check(s) failed"
	exit 1
fi
echo "check-uapi: ok, no collisions; KVM_HC_PAGE_ENC_STATUS == KVM_HC_MAP_GPA_RANGE"
