#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The guest of the migration tests in the test VM (selftests/vm/run.sh,
# our modules, kvm_amd sevsim=1): scenario.sh runs `pgenc run --churn`
# there and sends back its consoles, stats and exit statuses. Judged here:
#   - under SEV (sevsim) the churn guest verifies round after round and
#     keeps running: "churn: round N verify ok" with N counting up, no
#     FAIL, MSR_KVM_MIGRATION_CONTROL = 1, half of its area shared;
#   - held (HOLD written at 0x3ff000 through /proc/PID/mem) it changes
#     nothing; released, it goes on verifying;
#   - the check can fail: a byte flipped in 3 guest pages through
#     /proc/PID/mem of `pgenc run` makes the guest print "churn: verify
#     FAIL page 0xGPA" for one of them, and halt.
# Prints TAP, then "N passed, N failed, N skipped"; exits 1 on a failure.
#
# Then, when the modules' sevsim can send (sevsim_memcrypt), the
# migration (mig-scenario.sh in the VM, mig-judge.sh here): the churn
# guest migrated while it runs, verifying on the target; held and
# migrated again, both ends equal (bitmap, every page, firmware
# commands); every tampering and fault case refused by the target with
# a defined error, the source running on and migrating afterwards; a
# NOSEND guest refused before any page leaves.
#
# Usage: tests/cli/migrate/vm.sh
# Needs: build/modules/{kvm,kvm-amd}.ko (scripts/build-modules.sh), what
# selftests/vm/run.sh needs (QEMU, Debian's 6.1 kernel image), python3.
# Environment: PGENC=path (no build), BUILD, MODULES (default
# build/modules).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/cli/cli_lib.sh
. "$here/../cli_lib.sh"

cli_init migrate-vm
cli_build
PGENC=$(realpath "$PGENC")

if [[ ! -f ${MODULES:-${BUILD:-$cli_repo/build}/modules}/kvm.ko || ! -f ${MODULES:-${BUILD:-$cli_repo/build}/modules}/kvm-amd.ko ]]; then
	skip "the churn guest in the test VM" "no build/modules (scripts/build-modules.sh)"
	cli_summary
fi

# --- the proxy, and whether sevsim can send --------------------------------
mods=${MODULES:-${BUILD:-$cli_repo/build}/modules}
tb=$cli_out/tools
if make -C "$cli_repo/tools/lib" O="$tb" SRC="$cli_repo/tools/lib" EXTRA_CFLAGS= static \
	>"$cli_out/tools.log" 2>&1 && make -C "$here/.." O="$tb" tamper_proxy >>"$cli_out/tools.log" 2>&1; then
	ok "build the tamper proxy (static)"
else
	notok "build the tamper proxy" "$(tail -20 "$cli_out/tools.log")"
	cli_summary
fi
# The migration part needs sevsim's SEND/RECEIVE and its plain memory
# mode (Documentation/sevsim.rst, "Migration").
mig=mig modparam=kvm_amd:sevsim=1
if modinfo -p "$mods/kvm-amd.ko" 2>/dev/null | grep -q '^sevsim_memcrypt:'; then
	modparam="kvm_amd:sevsim=1 sevsim_memcrypt=0"
else
	mig=none
fi

# --- the VM run -------------------------------------------------------------
mkdir -p "$cli_out/empty"
vmlog=$cli_out/vm.log
if "$cli_repo/selftests/vm/run.sh" --stall 300 --modules "$mods" --modparam "$modparam" \
	--tests "$cli_out/empty" --out "$cli_out/vm" --timeout 1500 \
	--extra-file "$PGENC:/bin/pgenc" --extra-file "$here/scenario.sh:/scenario.sh" \
	--extra-file "$here/mig-scenario.sh:/mig-scenario.sh" \
	--extra-file "$here/churn-lib.sh:/churn-lib.sh" \
	--extra-file "$tb/tamper_proxy:/bin/tamper_proxy" \
	--cmd "sh /scenario.sh $mig" >"$vmlog" 2>&1; then
	ok "the scenario ran in the VM (verdict PASS: no splat, no taint)"
else
	notok "the scenario ran in the VM" "$(tail -25 "$vmlog")"
fi
cli_vm_results "$vmlog"
res=$cli_res

# json FILE KEY: one top-level value of a JSON object file.
json() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2" 2>&1; }

# ok_rounds NAME: the round numbers of NAME's "verify ok" lines.
ok_rounds() { sed -n 's/^\[guest\] churn: round \([0-9]*\) verify ok$/\1/p' "$res/$1.out"; }

# --- the churn guest under SEV ------------------------------------------------
out=$res/churn_sev.out
mapfile -t r < <(ok_rounds churn_sev)
if ((${#r[@]} >= 8)) && [[ ${r[*]} == "$(seq -s ' ' 0 $((${#r[@]} - 1)))" ]]; then
	ok "churn guest (SEV): ${#r[@]} rounds verified ok, numbered 0, 1, 2, ..."
else
	notok "churn guest (SEV): 8 rounds or more verified ok, in order" "$(tail -20 "$out")"
fi
if grep -q 'FAIL' "$out" || ! grep -qx '\[guest\] churn: MSR_KVM_MIGRATION_CONTROL = 1 (KVM_MIGRATION_READY)' "$out"; then
	notok "churn guest (SEV): MIGRATION_CONTROL written, no FAIL" "$(head -20 "$out")"
else
	ok "churn guest (SEV): MIGRATION_CONTROL written, no FAIL"
fi
st=$res/churn_sev_stats2.json
if [[ $(json "$st" state) == running && $(json "$st" migration_control) == 1 ]] &&
	[[ " 496 512 528 " == *" $(json "$st" shared_pages) "* ]]; then
	ok "churn guest (SEV): still running after 8 rounds, migration control 1, half its area shared"
else
	notok "churn guest (SEV): still running, migration control 1, 512 +- 16 shared pages" "$(cat "$st")"
fi
if [[ $(json "$res/churn_sev_stats.json" hypercalls) -lt $(json "$st" hypercalls) ]]; then
	ok "churn guest (SEV): keeps converting pages (hypercall count grows)"
else
	notok "churn guest (SEV): keeps converting pages" "$(cat "$res/churn_sev_stats.json" "$st")"
fi
if [[ $(cat "$res/churn_sev.rc") == 0 ]]; then
	ok "churn guest (SEV): quit stops it (exit 0)"
else
	notok "churn guest (SEV): quit stops it (exit 0)" "$(cat "$res/churn_sev.rc" "$res/churn_sev.err")"
fi

h1=$res/hold1.json h2=$res/hold2.json
if grep -q '^\[guest\] churn: holding after round [0-9]*$' "$out" && [[ $(cat "$res/hold.cmp") == same ]] &&
	[[ $(json "$h1" hypercalls) == "$(json "$h2" hypercalls)" && $(json "$h1" state) == running ]]; then
	ok "churn guest held (HOLD at 0x3ff000): its area and hypercall count do not change, it still runs"
else
	notok "churn guest held: nothing changes" "$(cat "$res/hold.cmp" "$h1" "$h2"; grep hold "$out")"
fi
if grep -q '^\[guest\] churn: resumed$' "$out" &&
	(($(ok_rounds churn_sev | wc -l) >= $(cat "$res/hold.rounds") + 2)); then
	ok "churn guest released: it resumes and verifies 2 more rounds"
else
	notok "churn guest released: it resumes" "$(tail -5 "$out")"
fi

# --- a corrupted page is caught -------------------------------------------------
out=$res/churn_poke.out
fail=$(sed -n 's/^\[guest\] churn: verify FAIL page \(0x[0-9a-f]*\) .*/\1/p' "$out")
if [[ $(wc -l <"$res/poked") == 3 && -n $fail ]] && grep -qx "$fail" "$res/poked"; then
	ok "a byte flipped in 3 guest pages: the guest reports FAIL for one of them ($fail)"
else
	notok "a byte flipped in 3 guest pages: the guest reports FAIL for one of them" \
		"poked: $(cat "$res/poked"); $(tail -5 "$out"; cat "$res/churn_poke.err")"
fi
if [[ $(json "$res/churn_poke_stats.json" state) == halted ]] && grep -qx '\[guest\] churn: halting' "$out"; then
	ok "after the FAIL, the churn guest halts"
else
	notok "after the FAIL, the churn guest halts" "$(cat "$res/churn_poke_stats.json")"
fi

if [[ -e $res/mig.skip ]]; then
	skip "migration of the churn guest, tampering, NOSEND" "$(cat "$res/mig.skip"): $mods/kvm-amd.ko has no sevsim_memcrypt"
	cli_summary
fi
# shellcheck source=tests/cli/migrate/mig-judge.sh
. "$here/mig-judge.sh"
cli_summary
