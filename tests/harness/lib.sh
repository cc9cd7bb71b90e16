# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# TAP helpers for tests/harness/*.sh, sourced by tests/harness/run.sh
# (never run alone). Every case runs in the host, in a scratch dir, with
# no VM, no root and no network.
#
#   ok "description"                a pass
#   notok "description" [detail]    a failure; detail lines become "#   "
#   skip "description" "reason"
#   expect "description" WANT_RC CMD...
#                                   run CMD, keep its stdout+stderr in $OUT
#                                   and its status in $RC; pass when the
#                                   status is WANT_RC ("nz": any non-zero)
#                                   and every following `has`/`hasnt` holds
#   has REGEX / hasnt REGEX         an extended regex $OUT must (not) match;
#                                   call them right after expect, then `done_`
#   done_                           judge the case expect opened
#   scratch NAME                    a fresh empty dir $T/NAME, echoed

h_pass=0 h_fail=0 h_skip=0 h_n=0

ok() {
	h_n=$((h_n + 1)) h_pass=$((h_pass + 1))
	echo "ok $h_n - $1"
}

notok() {
	h_n=$((h_n + 1)) h_fail=$((h_fail + 1))
	echo "not ok $h_n - $1"
	[[ -z ${2:-} ]] || printf '%s\n' "$2" | head -n 30 | sed 's/^/#   /'
}

skip() {
	h_n=$((h_n + 1)) h_skip=$((h_skip + 1))
	echo "ok $h_n - $1 # SKIP $2"
}

# One open case at a time: expect ... has ... hasnt ... done_.
h_desc='' h_why=''
expect() {
	h_desc=$1
	local want=$2
	shift 2
	OUT=$("$@" 2>&1)
	RC=$?
	h_why=
	if [[ $want == nz ]]; then
		((RC != 0)) || h_why+="exit 0, want non-zero"$'\n'
	elif ((RC != want)); then
		h_why+="exit $RC, want $want"$'\n'
	fi
}

has() {
	grep -qE -- "$1" <<<"$OUT" || h_why+="output lacks /$1/"$'\n'
}

hasnt() {
	grep -qE -- "$1" <<<"$OUT" && h_why+="output has /$1/"$'\n'
	return 0
}

done_() {
	if [[ -z $h_why ]]; then
		ok "$h_desc"
	else
		notok "$h_desc" "$h_why--- output:"$'\n'"$(tail -n 15 <<<"$OUT")"
	fi
}

scratch() {
	rm -rf "${T:?}/$1"
	mkdir -p "$T/$1"
	echo "$T/$1"
}
