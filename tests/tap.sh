# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# The one TAP library of the shell tests and of scripts/check*.sh
# (Documentation/testing.rst, "The test harness"). Sourced, never run.
#
# Results, numbered in $tap_n and counted in $tap_pass/$tap_fail/$tap_skip:
#   ok DESC                     a pass
#   notok DESC [DETAIL]         a failure; DETAIL lines follow as "#   "
#   skip DESC [REASON]          "ok N - DESC # SKIP REASON"
#   result STATUS DESC [DIRECTIVE]
#                               one line, STATUS "ok" or "not ok",
#                               DIRECTIVE "SKIP ..." or "TODO ..."
#   relay LINE [SUFFIX]         a test program's "ok"/"not ok" LINE as our
#                               result, "(SUFFIX)" after its name, its
#                               SKIP or TODO (any case) kept;
#                               "ok N - D", "ok - D", "ok N D" and "ok D"
#   relay_log LOG RC SUFFIX     a test program's output (LOG; RC its exit
#                               status) as our results: its results
#                               relayed, its plan dropped, its "#" lines
#                               shown, other lines (a sanitizer report)
#                               as "#   " lines when RC is non-zero; a
#                               "Bail out!" or a non-zero RC with no
#                               failed result is one more failure
#   check DESC CMD...           ok when CMD succeeds, else its output
#   expect DESC WANT_RC CMD...  run CMD, keep its stdout+stderr in $OUT
#                               and its status in $RC; pass when the
#                               status is WANT_RC ("nz": any non-zero)
#   has REGEX / hasnt REGEX     and $OUT matches (does not match) REGEX;
#   why TEXT                    and a check of the caller's own failed
#                               for the reason TEXT;
#   done_                       judge the case expect opened
#   scratch NAME                a fresh empty dir $T/NAME, echoed
#   tap_done                    the plan and a "# N passed, ..." comment;
#                               exits 1 on a failure, else 0
#
# Counting (the only place that turns TAP into totals):
#   tap_count [FILE...]         "N passed, N failed, N skipped" over the
#                               top-level results of the TAP streams
#   tap_step LOG [--name NAME] CMD...
#                               run CMD, its output to stdout and LOG, then
#                               judge what its TAP cannot say: a step with
#                               no result is one, by its exit status; a
#                               non-zero exit with no failed result is one
#                               more failure, named NAME (default: CMD).
#                               Returns CMD's status.
#
# Mutants (a test suite must catch a planted bug):
#   tap_mutants TABLE BASE OUT TRY
#                               one result per line "file|name|sed -z
#                               expression" of TABLE: BASE/file with the
#                               expression applied goes to OUT/<line>/,
#                               and TRY FILE COPY DIR (the line's file,
#                               its mutated copy, that dir) must fail
#                               with a "not ok" test in its output
#
# C test builds:
#   default_ccs                 when ccs (the --cc list) is empty: $CC if
#                               set, else gcc and clang, each installed
#   $san                        the sanitizer flags of the test builds
#   san_env                     export ASAN_OPTIONS, UBSAN_OPTIONS (the
#                               caller's own win)

tap_pass=0 tap_fail=0 tap_skip=0 tap_n=0

result() {
	tap_n=$((tap_n + 1))
	echo "$1 $tap_n - $2${3:+ # $3}"
	case "$1:${3:-}" in
	ok:SKIP* | "not ok:TODO"*) tap_skip=$((tap_skip + 1)) ;;
	ok:*) tap_pass=$((tap_pass + 1)) ;;
	*) tap_fail=$((tap_fail + 1)) ;;
	esac
}

ok() { result ok "$1"; }

notok() {
	result "not ok" "$1"
	[[ -z ${2:-} ]] || printf '%s\n' "$2" | head -n 40 | sed 's/^/#   /'
}

skip() { result ok "$1" "SKIP ${2:-}"; }

relay() {
	local status rest sfx=${2:+ ($2)} re='^(not ok|ok)( [0-9]+)?( - )?(.*)$'
	[[ $1 =~ $re ]] || return 1
	status=${BASH_REMATCH[1]} rest=${BASH_REMATCH[4]}
	rest=${rest# }
	case $rest in
	*" # "[Ss][Kk][Ii][Pp]*)
		result "$status" "${rest%% # [Ss][Kk][Ii][Pp]*}$sfx" "SKIP${rest#* # [Ss][Kk][Ii][Pp]}" ;;
	*" # "[Tt][Oo][Dd][Oo]*)
		result "$status" "${rest%% # [Tt][Oo][Dd][Oo]*}$sfx" "TODO${rest#* # [Tt][Oo][Dd][Oo]}"
		[[ $status == "not ok" ]] || echo "# the TODO above passes now: drop its TODO mark"
		;;
	*) result "$status" "$rest$sfx" ;;
	esac
}

relay_log() {
	local log=$1 rc=$2 sfx=$3 line name
	name="$(basename "$log" .log) ($sfx)"
	while IFS= read -r line; do
		case $line in
		ok | "ok "* | "not ok" | "not ok "*) relay "$line" "$sfx" ;;
		1..*) ;;
		"Bail out!"*) result "not ok" "$name: $line" ;;
		"#"*) echo "$line" ;;
		*) ((rc == 0)) || echo "#   $line" ;;
		esac
	done <"$log"
	if ((rc != 0)) && ! grep -q '^not ok' "$log"; then
		result "not ok" "$name: exited $rc (see $log)"
	fi
}

check() {
	local d=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$d"
	else
		notok "$d" "$out"
	fi
}

# One open case at a time: expect ... has ... hasnt ... done_.
tap_why=''
expect() {
	tap_desc=$1
	local want=$2
	shift 2
	OUT=$("$@" 2>&1)
	RC=$?
	tap_why=
	if [[ $want == nz ]]; then
		((RC != 0)) || tap_why+="exit 0, want non-zero"$'\n'
	elif ((RC != want)); then
		tap_why+="exit $RC, want $want"$'\n'
	fi
}

has() {
	grep -qE -- "$1" <<<"$OUT" || tap_why+="output lacks /$1/"$'\n'
}

hasnt() {
	grep -qE -- "$1" <<<"$OUT" && tap_why+="output has /$1/"$'\n'
	return 0
}

why() { tap_why+="$1"$'\n'; }

done_() {
	if [[ -z $tap_why ]]; then
		ok "$tap_desc"
	else
		notok "$tap_desc" "$tap_why--- output:"$'\n'"$(tail -n 15 <<<"$OUT")"
	fi
}

scratch() {
	rm -rf "${T:?}/$1"
	mkdir -p "$T/$1"
	echo "$T/$1"
}

tap_done() {
	echo "1..$tap_n"
	echo "# $tap_pass passed, $tap_fail failed, $tap_skip skipped"
	((tap_fail == 0))
	exit
}

# The counter. A result is a line that starts with "ok" or "not ok"
# (nested TAP is indented or "#"-prefixed, and is not counted again):
# "# SKIP" and a known failure ("not ok ... # TODO") skip, directives in
# any case as TAP has them. A "Bail out!" is a failure: the stream gave
# up. Numbers are ignored: the streams of several steps concatenate. A
# stream that stops early fails by its exit status (tap_step) or its own
# check (the VM's verdict.sh).
tap_count() {
	awk '{ sub(/\r$/, ""); l = tolower($0) }
	/^(not )?ok( |$)/ {
		if (l ~ /^ok/ && l ~ / #[ \t]*skip/) s++
		else if (l ~ /^not ok/ && l ~ / #[ \t]*todo/) s++
		else if (l ~ /^ok/) p++
		else f++
	}
	/^Bail out!/ { f++ }
	END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$@"
}

tap_step() {
	local log=$1 rc counts what
	shift
	what=${*//$'\n'/ }
	if [[ $1 == --name ]]; then
		what=$2
		shift 2
	fi
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	counts=$(tap_count "$log")
	if [[ $counts == "0 passed, 0 failed, 0 skipped" ]]; then
		if ((rc == 0)); then
			ok "$what (exit 0, no TAP)"
		else
			result "not ok" "$what (exit $rc, no TAP)"
		fi
	elif ((rc != 0)) && [[ $counts == *" 0 failed,"* ]]; then
		result "not ok" "$what (exit $rc)"
	fi >"$log.judged"
	cat "$log.judged"
	cat "$log.judged" >>"$log"
	rm -f "$log.judged"
	return "$rc"
}

tap_mutants() {
	local table=$1 base=$2 out=$3 try=$4 file name expr dir m=0
	while IFS='|' read -r file name expr; do
		[[ -n $file ]] || continue
		m=$((m + 1))
		dir=$out/$m
		rm -rf "$dir"
		mkdir -p "$dir"
		sed -z "$expr" "$base/$file" >"$dir/${file##*/}"
		if cmp -s "$dir/${file##*/}" "$base/$file"; then
			skip "mutant '$name'" "does not apply to $file"
		elif "$try" "$file" "$dir/${file##*/}" "$dir" >"$dir/run.log" 2>&1; then
			notok "mutant '$name' survives: the tests miss it"
		elif ! grep -q '^not ok' "$dir/run.log"; then
			# A failure that no test reports is not a catch.
			notok "mutant '$name': no test failed; the run broke ($dir/run.log)"
		else
			ok "mutant '$name' is caught ($(grep -c '^not ok' "$dir/run.log") failing)"
		fi
	done <<<"$table"
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
