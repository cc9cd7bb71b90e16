# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Shared by the host test runners tests/run.sh, tests/lib/run.sh,
# tests/lib/vm.sh and tests/fuzz/run.sh (sourced, never run alone), so
# that they count, build and summarise alike:
#
#   result STATUS NAME [DIRECTIVE]  one TAP line, numbered in $n and
#                                   counted in $pass, $fail or $skip
#                                   ("ok" with "SKIP ..." skips)
#   relay LINE [SUFFIX]             a test program's "ok"/"not ok" LINE
#                                   as our result, "(SUFFIX)" after its
#                                   name; its SKIP kept
#   summary                         the plan and "N passed, N failed,
#                                   N skipped"; exits 1 on a failure
#   default_ccs                     when ccs (the --cc list) is empty:
#                                   $CC if set, else gcc and clang,
#                                   each that is installed
#   $san                            the sanitizer flags of the test builds
#   san_env                         export ASAN_OPTIONS, UBSAN_OPTIONS
#                                   (the caller's own win)

pass=0 fail=0 skip=0 n=0

result() {
	n=$((n + 1))
	echo "$1 $n - $2${3:+ # $3}"
	case "$1:${3:-}" in
	ok:SKIP*) skip=$((skip + 1)) ;;
	ok:*) pass=$((pass + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
}

relay() {
	local status=${1%% [0-9]*} rest sfx=${2:+ ($2)}
	rest=${1#"$status "}
	rest=${rest#* - }
	if [[ $rest == *" # SKIP"* ]]; then
		result "$status" "${rest%% # SKIP*}$sfx" "SKIP${rest#* # SKIP}"
	else
		result "$status" "$rest$sfx"
	fi
}

summary() {
	echo "1..$n"
	echo "$pass passed, $fail failed, $skip skipped"
	[[ $fail -eq 0 ]]
	exit
}

default_ccs() {
	local c
	[[ ${#ccs[@]} -eq 0 ]] || return 0
	if [[ -n ${CC:-} ]]; then
		ccs=("$CC")
		return
	fi
	for c in gcc clang; do
		command -v "$c" >/dev/null && ccs+=("$c")
	done
	return 0
}

# Recover from nothing: the first report fails the test.
# shellcheck disable=SC2034 # for the runners
san="-fsanitize=address,undefined -fno-sanitize-recover=all"

san_env() {
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
}
