# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# tests/tap.sh's counter, step judge and mutant runner, which make check's
# total rests on, on fabricated TAP streams, steps and mutants.

td=$(scratch tap)
lib=$REPO/tests/tap.sh

# count TEXT: tap_count over TEXT, as a file.
count() {
	printf '%s\n' "$1" >"$td/in.tap"
	tap_count "$td/in.tap"
}
counts() { # DESC WANT TEXT
	expect "tap_count: $1" 0 count "$3"
	[[ $OUT == "$2" ]] || why "counted '$OUT', want '$2'"
	done_
}
counts "results, whatever their numbers" "3 passed, 1 failed, 0 skipped" \
	"$(printf '%s\n' 'TAP version 13' 'ok 1 - a' 'ok 1 - b' 'not ok 7 - c' 'ok' '1..4')"
counts "SKIP and a known failure (TODO) skip, a passing TODO passes" "1 passed, 0 failed, 2 skipped" \
	"$(printf '%s\n' 'ok 1 - a # SKIP no SEV' 'not ok 2 - b # TODO known' 'ok 3 - c # TODO fixed')"
counts "nested and quoted TAP is not counted again" "1 passed, 0 failed, 0 skipped" \
	"$(printf '%s\n' '# not ok 1 - inner' '    not ok 2 - indented' 'check: unit: not ok 3' 'okay' 'ok 1 - outer')"
counts "CRLF line ends" "1 passed, 1 failed, 0 skipped" "$(printf 'ok 1 - a\r\nnot ok 2 - b\r')"
counts "directives in any case" "1 passed, 0 failed, 3 skipped" \
	"$(printf '%s\n' 'ok 1 - a # Skip no SEV' 'ok 2 - b # skip' 'not ok 3 - c # todo known' 'ok 4 - d')"
counts "a Bail out! fails" "1 passed, 1 failed, 0 skipped" \
	"$(printf '%s\n' 'ok 1 - a' 'Bail out! no device' '# Bail out! quoted')"
counts "a summary line is no result" "0 passed, 0 failed, 0 skipped" "3 passed, 0 failed, 0 skipped"

# step NAME RC TEXT: tap_step on a command printing TEXT, exiting RC;
# the count of its log.
step() {
	(
		# shellcheck disable=SC2016 # the fake step's own arguments
		tap_step "$td/$1.log" bash -c 'printf "%s\n" "$1"; exit "$2"' step "$3" "$2" >/dev/null
		echo "rc $?: $(tap_count "$td/$1.log")"
	)
}
steps() { # DESC WANT NAME RC TEXT
	expect "tap_step: $1" 0 step "$3" "$4" "$5"
	[[ $OUT == "$2" ]] || why "got '$OUT', want '$2'"
	done_
}
steps "no TAP, exit 0: one pass" "rc 0: 1 passed, 0 failed, 0 skipped" quiet0 0 "built"
steps "no TAP, exit 2: one failure" "rc 2: 0 passed, 1 failed, 0 skipped" quiet2 2 "error"
steps "all ok but exit 1: one more failure" "rc 1: 2 passed, 1 failed, 0 skipped" \
	crash 1 "$(printf '%s\n' 'ok 1 - a' 'ok 2 - b')"
steps "a Bail out! and exit 0: a failure" "rc 0: 1 passed, 1 failed, 0 skipped" \
	bail 0 "$(printf '%s\n' 'ok 1 - a' 'Bail out! no device')"
steps "a failure and exit 1: counted once" "rc 1: 1 passed, 1 failed, 0 skipped" \
	fail 1 "$(printf '%s\n' 'ok 1 - a' 'not ok 2 - b')"

# Mutants of a two-line file; the "tests" fail when it says "two".
printf 'one\ntwo\n' >"$td/m.txt"
table='m.txt|caught|s/two/zwei/
m.txt|survives|s/one/eins/
m.txt|stale|s/three/drei/
m.txt|broken|s/one/broken/'
# The try fails a test for "zwei", and breaks (fails with no test) for
# "broken": a run that breaks catches nothing.
# shellcheck disable=SC2016 # the script's own arguments
expect "tap_mutants: caught, surviving, stale and broken runs" 1 \
	bash -c '. "$1"; try_m() { grep -q broken "$2" && return 1; grep -q two "$2" || { echo "not ok 1 - t"; return 1; }; }; tap_mutants "$2" "$3" "$3/out" try_m; tap_done' \
	mutants "$lib" "$table" "$td"
has "^ok 1 - mutant 'caught' is caught \\(1 failing\\)"
has "^not ok 2 - mutant 'survives' survives"
has "^ok 3 - mutant 'stale' # SKIP does not apply to m.txt$"
has "^not ok 4 - mutant 'broken': no test failed; the run broke"
[[ -f $td/out/1/m.txt && $(cat "$td/out/1/m.txt") == $'one\nzwei' ]] || why "no mutated copy in out/1"
done_

# why: a caller's own check fails the open case, with its reason.
# shellcheck disable=SC2016 # the script's own text
expect "why: a caller's failed check fails the case expect opened" 1 \
	bash -c '. "$1"; expect c 0 true; why "reason here"; done_; tap_done' why "$lib"
has '^not ok 1 - c$'
has '^#   reason here$'
done_
# Callers judge through expect/has/hasnt/why: a write to a variable of
# tests/tap.sh (or of a lib that is gone) is never judged.
expect "no test writes tests/tap.sh's internal variables" 1 \
	grep -rnE '(^|[^a-z_])[a-z]*_why\+?=' "$REPO/tests" "$REPO/scripts" "$REPO/selftests" \
	--include=*.sh --exclude=tap.sh
hasnt .
done_

# relay LINE...: each LINE relayed in a fresh script, its output and
# count.
relayed() {
	# shellcheck disable=SC2016 # the script's own arguments
	bash -c '. "$1"; shift; for l; do relay "$l" sfx; done; tap_done' relay "$lib" "$@"
}
relays() { # DESC RC WANT LINE...
	expect "relay: $1" "$2" relayed "${@:4}"
	[[ $OUT == "$3" ]] || why "got '$OUT'"
	done_
}
relays "numbered, bare and kselftest-style lines" 1 \
	"$(printf '%s\n' 'ok 1 - a (sfx)' 'ok 2 - foo (sfx)' 'ok 3 - foo (sfx)' 'not ok 4 - bar (sfx)' \
		'ok 5 -  (sfx)' '1..5' '# 4 passed, 1 failed, 0 skipped')" \
	'ok 7 - a' 'ok - foo' 'ok 4 foo' 'not ok bar' 'ok'
relays "directives in any case" 0 \
	"$(printf '%s\n' 'ok 1 - a (sfx) # SKIP no SEV' 'ok 2 - b (sfx) # SKIP' \
		'not ok 3 - c (sfx) # TODO known' '1..3' '# 0 passed, 0 failed, 3 skipped')" \
	'ok 1 - a # SKIP no SEV' 'ok 2 b # skip' 'not ok 3 - c # Todo known'

# relay_log LOG RC: a program's output as our results.
logged() { # RC TEXT
	printf '%s\n' "$2" >"$td/prog.log"
	# shellcheck disable=SC2016 # the script's own arguments
	bash -c '. "$1"; relay_log "$2" "$3" cc; tap_done' logged "$lib" "$td/prog.log" "$1"
}
prog=$(printf '%s\n' 'TAP version 13' '1..2' 'ok 1 - a' '# seed 5' 'ASan: heap overflow' 'ok 2 - b')
expect "relay_log: a passing program's results and # lines, nothing else" 0 logged 0 "$prog"
[[ $OUT == "$(printf '%s\n' 'ok 1 - a (cc)' '# seed 5' 'ok 2 - b (cc)' '1..2' '# 2 passed, 0 failed, 0 skipped')" ]] ||
	why "got '$OUT'"
done_
expect "relay_log: a failing program's other lines as #, its exit a failure" 1 logged 1 "$prog"
has '^#   ASan: heap overflow$'
has '^#   TAP version 13$'
has '^not ok 3 - prog \(cc\): exited 1 '
has '^# 2 passed, 1 failed, 0 skipped$'
done_
expect "relay_log: a Bail out! is a failure" 1 logged 0 "$(printf '%s\n' 'ok 1 - a' 'Bail out! no device')"
has '^not ok 2 - prog \(cc\): Bail out! no device$'
done_
