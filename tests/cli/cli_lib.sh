# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Shared by the host-side CLI test runners (tests/cli/*/run.sh): build
# pgenc, run a command against a golden file, count, summarise.
#
#   . "$(dirname "$0")/../cli_lib.sh"
#   cli_init bitmap           # out dir build/tests/cli/bitmap, goldens
#                             # tests/cli/golden/bitmap/
#   cli_build                 # sets PGENC (or uses $PGENC if set)
#   golden NAME RC [-i STDIN] [-e VAR=VAL]... [--] pgenc ARGS...
#   ok, notok, skip, check    # tests/tap.sh
#   cli_summary               # tap_done: the plan; exit 1 on a failure
#
# A golden file records the command, its exit status, stdout and stderr,
# with the work directory shown as @WORK@ and the version as @VERSION@.
# PGENC_GOLDEN_UPDATE=1 rewrites the goldens instead of comparing (each
# rewritten case still counts as a pass; review the diff in git).

cli_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/tap.sh
. "$cli_repo/tests/tap.sh"

cli_init() {
	cli_name=$1
	cli_out=${BUILD:-$cli_repo/build}/tests/cli/$cli_name
	cli_gold=$cli_repo/tests/cli/golden/$cli_name
	cli_version=$(tr -d ' \n' <"$cli_repo/VERSION")
	rm -rf "$cli_out"
	mkdir -p "$cli_out/work" "$cli_gold"
	WORK=$cli_out/work
	export LC_ALL=C COLUMNS=80
	unset NO_COLOR PGENC_SYSROOT
}

# The results and the plan are tests/tap.sh's; cli_summary is its
# tap_done under the name the runners here call.
cli_summary() { tap_done; }

# Build pgenc with tools/pgenc/build.sh (build/bin/pgenc); $PGENC set by
# the caller wins (a binary to test as it is).
cli_build() {
	local log=$cli_out/build.log
	if [[ -n ${PGENC:-} ]]; then
		[[ -x $PGENC ]] || { notok "pgenc at \$PGENC=$PGENC"; cli_summary; }
		return
	fi
	if bash "$cli_repo/tools/pgenc/build.sh" --out "${BUILD:-$cli_repo/build}" >"$log" 2>&1; then
		ok "build pgenc (tools/pgenc/build.sh)"
		PGENC=${BUILD:-$cli_repo/build}/bin/pgenc
	else
		notok "build pgenc (tools/pgenc/build.sh)" "$(tail -20 "$log")"
		cli_summary
	fi
}

# What a golden file holds for one run.
_cli_record() {
	local cmd=$1 rc=$2 so=$3 se=$4
	printf '$ %s\n[exit %s]\n[stdout]\n' "$cmd" "$rc"
	cat "$so"
	printf '[stderr]\n'
	cat "$se"
}

# golden NAME RC [-i FILE] [-e VAR=VAL]... [--] pgenc ARGS...
# Runs in $WORK; leaves stdout and stderr in $WORK/.out and $WORK/.err.
golden() {
	local name=$1 want=$2 in=/dev/null envs=() rc
	shift 2
	while [[ $# -gt 0 ]]; do
		case $1 in
		-i) in=$2; shift 2 ;;
		-e) envs+=("$2"); shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	[[ $1 == pgenc ]] || { notok "$name: golden needs 'pgenc ...'"; return; }
	shift
	(
		cd "$WORK" || exit 99
		for e in "${envs[@]}"; do export "${e?}"; done
		exec "$PGENC" "$@" <"$in" >"$WORK/.out" 2>"$WORK/.err"
	)
	rc=$?
	local shown="pgenc $*" g=$cli_gold/$name.txt
	[[ ${#envs[@]} -eq 0 ]] || shown="${envs[*]} $shown"
	[[ $in == /dev/null ]] || shown="$shown < ${in#"$WORK"/}"
	_cli_record "$shown" "$rc" "$WORK/.out" "$WORK/.err" |
		sed -e "s|$WORK|@WORK@|g" -e "s|\b${cli_version//./\\.}\b|@VERSION@|g" \
			>"$cli_out/$name.txt"
	if [[ ${PGENC_GOLDEN_UPDATE:-0} == 1 ]]; then
		cp "$cli_out/$name.txt" "$g"
	fi
	if [[ $rc != "$want" ]]; then
		notok "$name: exit $rc, expected $want" "$(head -c 2000 "$cli_out/$name.txt")"
	elif [[ ! -f $g ]]; then
		notok "$name: no golden $g (PGENC_GOLDEN_UPDATE=1 writes it)"
	elif ! diff -u "$g" "$cli_out/$name.txt" >"$cli_out/$name.diff"; then
		notok "$name: differs from its golden" "$(head -40 "$cli_out/$name.diff")"
	else
		ok "$name (exit $rc, golden)"
	fi
}
