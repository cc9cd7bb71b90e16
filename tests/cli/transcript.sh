# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Cram-style transcripts of the CLI (tests/cli/*.cram), one per command
# group; Documentation/testing.rst, "CLI transcripts". A case is the
# line "$ COMMAND", the lines COMMAND wrote to stdout after two spaces,
# then those it wrote to stderr after "! ", then "[exit N]" and an empty
# line. An empty output line is written bare ("" or "!"), and " (no-eol)"
# ends a last line that had no newline. Lines before the first case are
# the transcript's header and are kept as they are.
#
# The drivers (tests/cli/*/run.sh, vm.sh) run the commands; t_case
# compares each run with the case of the same command in the transcript
# (the Nth run of a command with its Nth case) and prints one TAP line.
# t_close fails when the transcript holds cases no run matched. With
# --regenerate (t_args) every case passes and t_close rewrites the
# transcript from the runs, in run order, dropping the cases gone, when
# no check failed (an exit status other than the one expected, say).
#
#   t_args "$@"               # --regenerate; sets t_rest to the others
#   t_open FILE [SED-ARG...]  # SED-ARGs normalise a record (sed -e ...)
#   t_driver NAME "$@"        # a host driver's start: cli_init NAME,
#                             # cli_build, t_args, t_open_host NAME
#   t_open_host NAME          # tests/cli/NAME.cram, $WORK as @WORK@, the
#                             # version as @VERSION@
#   t_case DESC CMD RC OUT ERR [WANT]
#   t_run DESC RC [-i FILE] [-e VAR=VAL]... [-v KIB] [--] pgenc ARGS...
#                             # -v: under ulimit -v KIB (shown first)
#   t_close
#
# Needs ok/notok, $cli_out, $cli_repo, $cli_version and $WORK from
# tests/cli/cli_lib.sh.
# shellcheck disable=SC2154

t_regen=0

t_args() {
	t_rest=()
	local a
	for a in "$@"; do
		if [[ $a == --regenerate ]]; then
			t_regen=1
		else
			t_rest+=("$a")
		fi
	done
}

t_open() {
	t_file=$1
	shift
	t_sed=("$@")
	t_new=$cli_out/$(basename "$t_file")
	t_keys=$cli_out/transcript.keys
	: >"$t_keys"
	[[ -f $t_file ]] || : >"$t_file"
	sed -n '/^\$ /q;p' "$t_file" >"$t_new"
}

t_open_host() {
	t_open "$cli_repo/tests/cli/$1.cram" -e "s|$WORK|@WORK@|g" \
		-e "s|\b${cli_version//./\\.}\b|@VERSION@|g"
}

t_driver() {
	cli_init "$1"
	cli_build
	t_args "${@:2}"
	t_open_host "$1"
}

# _t_out FILE PREFIX BARE: FILE's lines after PREFIX, empty ones BARE.
_t_out() {
	[[ -s $1 ]] || return 0
	sed -e "s/^./$2&/" -e "s/^\$/$3/" "$1"
	[[ $(tail -c 1 "$1" | wc -l) -eq 1 ]] || printf ' (no-eol)\n'
}

# _t_want CMD K: the Kth case of CMD in the transcript.
_t_want() {
	T_CMD="\$ $1" T_K=$2 awk '
		/^\$ / { n += ($0 == ENVIRON["T_CMD"]); p = ($0 == ENVIRON["T_CMD"] && n == ENVIRON["T_K"]) }
		p { print }
		p && /^\[exit -?[0-9]+\]$/ { exit }' "$t_file"
}

# t_case DESC CMD RC OUT ERR [WANT]: one run of CMD, exit RC (which must
# be WANT when given), stdout in file OUT, stderr in file ERR.
t_case() {
	local desc=$1 cmd=$2 rc=$3 want=${6:-$3} k got=$cli_out/transcript.got
	{
		printf '$ %s\n' "$cmd"
		_t_out "$4" '  ' ''
		_t_out "$5" '! ' '!'
		printf '[exit %s]\n' "$rc"
	} | sed -e '' "${t_sed[@]}" >"$got"
	cmd=$(head -n 1 "$got")
	cmd=${cmd#\$ }
	printf '%s\n' "$cmd" >>"$t_keys"
	k=$(grep -cxF -- "$cmd" "$t_keys")
	{ cat "$got"; echo; } >>"$t_new"
	if [[ $rc != "$want" ]]; then
		notok "$desc: exit $rc, expected $want" "$(head -c 2000 "$got")"
		return
	elif ((t_regen)); then
		ok "$desc (exit $rc, regenerated)"
		return
	fi
	_t_want "$cmd" "$k" >"$got.want"
	if [[ ! -s $got.want ]]; then
		notok "$desc: not in $(basename "$t_file") (--regenerate writes it)" "$(cat "$got")"
	elif ! diff -u "$got.want" "$got" >"$got.diff"; then
		notok "$desc: differs from $(basename "$t_file")" "$(head -40 "$got.diff")"
	else
		ok "$desc (exit $rc, transcript)"
	fi
}

# t_close: rewrite (--regenerate), or fail on cases no run matched.
t_close() {
	local name gone
	name=$(basename "$t_file")
	if ((t_regen && tap_fail)); then
		notok "$name not rewritten: $tap_fail checks failed"
		return
	elif ((t_regen)); then
		sed '$d' "$t_new" >"$t_file"
		ok "$name rewritten ($(wc -l <"$t_keys") cases)"
		return
	fi
	gone=$(awk 'FILENAME == ARGV[1] { ran[$0]++; next }
		/^\$ / { c = substr($0, 3); if (++n[c] > ran[c]) print }' "$t_keys" "$t_file")
	if [[ -z $gone ]]; then
		ok "$name: every case ran"
	else
		notok "$name: cases no run matched (--regenerate drops them)" "$gone"
	fi
}

# t_run DESC RC [-i FILE] [-e VAR=VAL]... [--] pgenc ARGS...: run pgenc
# in $WORK as a case of the open transcript that must exit RC; stdout and
# stderr stay in $WORK/.out and $WORK/.err for further checks.
t_run() {
	local desc=$1 want=$2 in=/dev/null envs=() vlim='' rc
	shift 2
	while [[ $# -gt 0 ]]; do
		case $1 in
		-i) in=$2; shift 2 ;;
		-e) envs+=("$2"); shift 2 ;;
		-v) vlim=$2; shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	[[ $1 == pgenc ]] || { notok "$desc: t_run needs 'pgenc ...'"; return; }
	shift
	(
		cd "$WORK" || exit 99
		for e in "${envs[@]}"; do export "${e?}"; done
		[[ -z $vlim ]] || ulimit -v "$vlim" || exit 99
		exec "$PGENC" "$@" <"$in" >"$WORK/.out" 2>"$WORK/.err"
	)
	rc=$?
	local shown="pgenc $*"
	[[ ${#envs[@]} -eq 0 ]] || shown="${envs[*]} $shown"
	[[ -z $vlim ]] || shown="ulimit -v $vlim; $shown"
	[[ $in == /dev/null ]] || shown="$shown < ${in#"$WORK"/}"
	t_case "$desc" "$shown" "$rc" "$WORK/.out" "$WORK/.err" "$want"
}
