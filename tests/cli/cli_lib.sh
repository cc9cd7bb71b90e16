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
#   ok, notok, skip, check    # tests/tap.sh
#   cli_summary               # tap_done: the plan; exit 1 on a failure

cli_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/tap.sh
. "$cli_repo/tests/tap.sh"

# Sets cli_out, WORK (cwd of the cases) and cli_version for the drivers.
# shellcheck disable=SC2034
cli_init() {
	cli_name=$1
	# make -C runs in another directory: a relative BUILD made absolute.
	[[ -z ${BUILD:-} ]] || BUILD=$(realpath -m -- "$BUILD")
	cli_out=${BUILD:-$cli_repo/build}/tests/cli/$cli_name
	cli_version=$(tr -d ' \n' <"$cli_repo/VERSION")
	rm -rf "$cli_out"
	mkdir -p "$cli_out/work"
	WORK=$cli_out/work
	export LC_ALL=C COLUMNS=80
	unset NO_COLOR PGENC_SYSROOT
}

# The results and the plan are tests/tap.sh's; cli_summary is its
# tap_done under the name the runners here call.
cli_summary() { tap_done; }

# The files a VM scenario sent back (a base64 tar.gz between "===
# PGENC-CLI-OUT BEGIN" and "=== PGENC-CLI-OUT END" in the VM's TAP,
# $cli_out/vm/results.tap), unpacked into cli_res=$cli_out/res. Without
# them nothing more can be judged: the summary, with VMLOG's tail.
# shellcheck disable=SC2034
cli_vm_results() {
	local vmlog=$1
	cli_res=$cli_out/res
	mkdir -p "$cli_res"
	if sed -n '/^=== PGENC-CLI-OUT BEGIN$/,/^=== PGENC-CLI-OUT END$/p' "$cli_out/vm/results.tap" |
		sed '1d;$d' | tr -d '\r' | base64 -d | tar -xzf - -C "$cli_res"; then
		ok "the scenario's results came back"
	else
		notok "the scenario's results came back" "$(tail -25 "$vmlog")"
		cli_summary
	fi
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
