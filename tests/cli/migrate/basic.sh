#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `pgenc migrate` between two `pgenc run` processes in the test VM
# (selftests/vm/run.sh, our modules, kvm_amd sevsim=1): basic-scenario.sh
# runs there and prints one PASS/FAIL line per check. Non-SEV migration
# over a UNIX socket (after a refused attempt that the source survives),
# over TCP and through a file, each with the bitmap and memory equal on
# both ends; a running guest on two vCPUs; a guest that keeps dirtying
# 1024 pages while it moves, counting each to 2^20 then halting: every
# counter must end at 2^20 on the target (no write lost); a truncated
# file refused; an SEV guest without
# KVM_MIGRATION_READY refused; an SEV guest on sevsim (sevsim_memcrypt=0)
# with the bitmap and without (--no-bitmap), and saved and restored
# through a file (this platform's PDH): firmware commands equal the
# private pages sent (sevsim's per-guest counter on the target), bitmap
# and memory (through DBG_DECRYPT) equal on both ends. Every expected
# check must have run.
# Prints TAP, then "N passed, N failed, N skipped"; exits 1 on a failure.
#
# Usage: tests/cli/migrate/basic.sh
# Needs: build/modules/{kvm,kvm-amd}.ko (scripts/build-modules.sh), what
# selftests/vm/run.sh needs. Environment: PGENC=path (no build), BUILD.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/cli/cli_lib.sh
. "$here/../cli_lib.sh"

cli_init migrate-basic
cli_build
PGENC=$(realpath "$PGENC")

if [[ ! -f ${BUILD:-$cli_repo/build}/modules/kvm.ko || ! -f ${BUILD:-$cli_repo/build}/modules/kvm-amd.ko ]]; then
	skip "pgenc migrate in the test VM" "no build/modules (scripts/build-modules.sh)"
	cli_summary
fi

mkdir -p "$cli_out/empty"
vmlog=$cli_out/vm.log
if "$cli_repo/selftests/vm/run.sh" --modparam "kvm_amd:sevsim=1 sevsim_memcrypt=0" \
	--tests "$cli_out/empty" --out "$cli_out/vm" --timeout 1500 \
	--extra-file "$PGENC:/bin/pgenc" \
	--extra-file "$here/basic-scenario.sh:/basic-scenario.sh" \
	--cmd "sh /basic-scenario.sh" >"$vmlog" 2>&1; then
	ok "the scenario ran in the VM (verdict PASS)"
else
	notok "the scenario ran in the VM" "$(tail -25 "$vmlog")"
fi
results=$cli_out/vm/results.tap

# Each check the scenario makes; all must be there and pass.
expected=(
	"unix: source ready"
	"mismatch: pgenc migrate exits 1" "mismatch: the target exits 1"
	"mismatch: the target says why"
	"mismatch: the source reports the target's reason"
	"mismatch: the source VMM still serves its guest"
	"file: a truncated file exits 1" "file: a truncated file is named as such"
	"not ready: pgenc migrate exits 1"
	"not ready: it says why and how to override"
	"not ready: nothing was sent" "not ready: the source keeps its guest"
	"running: pgenc migrate exits 0" "running: the JSON report"
	"running: the source VMM exits 0 after the ack"
	"running: the source logs the migration"
	"running: the guest runs on the target" "running: memory equal on both ends"
	"running: target exits 0 after quit"
	"dirtying: pgenc migrate exits 0" "dirtying: the JSON report"
	"dirtying: the source VMM exits 0 after the ack"
	"dirtying: the source logs the migration"
	"dirtying: the final pass sent the pages dirtied last"
	"dirtying: every page counted to 1048576 on the target (no write lost)"
	"dirtying: target exits 0 after quit"
	"sev: private pages through the firmware, shared in plain"
	"sev-file: private pages through the firmware, shared in plain"
	"sev-no-bitmap: every page through the firmware"
)
for t in sev sev-no-bitmap sev-file; do
	expected+=("$t: pgenc migrate exits 0" "$t: the source VMM exits 0 after the ack"
		"$t: firmware commands equal the firmware pages sent"
		"$t: bitmap equal on both ends" "$t: memory equal on both ends (DBG_DECRYPT)"
		"$t: the target's guest is halted, as on the source" "$t: target exits 0")
done
for t in unix tcp file; do
	expected+=("$t: pgenc migrate exits 0" "$t: the JSON report"
		"$t: the source VMM exits 0 after the ack"
		"$t: the source logs the migration"
		"$t: bitmap equal on both ends" "$t: the bitmap has shared pages"
		"$t: memory equal on both ends"
		"$t: the target's guest is halted, as on the source"
		"$t: target exits 0")
done
for name in "${expected[@]}"; do
	if grep -qxF "PASS: $name" "$results" 2>/dev/null; then
		ok "$name"
	elif line=$(grep -F "FAIL: $name:" "$results" 2>/dev/null | head -1) && [[ -n $line ]]; then
		notok "$name" "$line"
	else
		notok "$name" "did not run"
	fi
done
check "the scenario ran to its end" grep -q '^DONE' "$results"
stray=$(grep '^FAIL: ' "$results" 2>/dev/null | grep -vF -f <(printf 'FAIL: %s:\n' "${expected[@]}"))
if [[ -z $stray ]]; then ok "no other failures"; else notok "no other failures" "$stray"; fi
cli_summary
