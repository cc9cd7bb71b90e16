# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# Shared by the CLI test runners (tests/cli/*/run.sh, vm.sh): build
# pgenc, count, summarise. Their cases' outputs are checked against
# transcripts by tests/cli/transcript.sh.
#
#   . "$(dirname "$0")/../cli_lib.sh"
#   cli_init bitmap           # out dir build/tests/cli/bitmap
#   cli_build                 # sets PGENC (or uses $PGENC if set)
#   ok "description" / notok "description" [detail] / skip "description"
#   cli_summary               # "N passed, N failed, N skipped"; exit

cli_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cli_pass=0 cli_fail=0 cli_skip=0 cli_n=0

# Sets cli_out, WORK (cwd of the cases) and cli_version for the drivers.
# shellcheck disable=SC2034
cli_init() {
	cli_name=$1
	cli_out=${BUILD:-$cli_repo/build}/tests/cli/$cli_name
	cli_version=$(tr -d ' \n' <"$cli_repo/VERSION")
	rm -rf "$cli_out"
	mkdir -p "$cli_out/work"
	WORK=$cli_out/work
	export LC_ALL=C COLUMNS=80
	unset NO_COLOR PGENC_SYSROOT
}

ok() {
	cli_n=$((cli_n + 1)) cli_pass=$((cli_pass + 1))
	echo "ok $cli_n - $1"
}

notok() {
	cli_n=$((cli_n + 1)) cli_fail=$((cli_fail + 1))
	echo "not ok $cli_n - $1"
	[[ -z ${2:-} ]] || printf '%s\n' "$2" | sed 's/^/#   /'
}

skip() {
	cli_n=$((cli_n + 1)) cli_skip=$((cli_skip + 1))
	echo "ok $cli_n - $1 # SKIP ${2:-}"
}

# check "description" COMMAND...: ok when COMMAND succeeds.
check() {
	local d=$1
	shift
	if out=$("$@" 2>&1); then
		ok "$d"
	else
		notok "$d" "$out"
	fi
}

cli_summary() {
	echo "$cli_pass passed, $cli_fail failed, $cli_skip skipped"
	[[ $cli_fail -eq 0 ]]
	exit
}

# Build pgenc with make -C tools/pgenc (build/bin/pgenc); $PGENC set by
# the caller wins (a binary to test as it is).
cli_build() {
	local log=$cli_out/build.log
	if [[ -n ${PGENC:-} ]]; then
		[[ -x $PGENC ]] || { notok "pgenc at \$PGENC=$PGENC"; cli_summary; }
		return
	fi
	if make -C "$cli_repo/tools/pgenc" O="${BUILD:-$cli_repo/build}" >"$log" 2>&1; then
		ok "build pgenc (make -C tools/pgenc)"
		PGENC=${BUILD:-$cli_repo/build}/bin/pgenc
	else
		notok "build pgenc (make -C tools/pgenc)" "$(tail -20 "$log")"
		cli_summary
	fi
}
