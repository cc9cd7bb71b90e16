#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM (busybox sh, kvm_amd sevsim=1), started by
# tests/cli/vmm/vm.sh: `pgenc run` guests driven through `pgenc ctl` and
# `pgenc dump`. Every case leaves NAME.cmd (the command line), NAME.out,
# NAME.err and NAME.rc in /tmp/out, and its NAME in order in /tmp/out/cases
# (the order of tests/cli/vmm-vm.cram); files the host checks byte for byte
# go there too. At the end /tmp/out is sent back as a base64 tar.gz
# between "=== PGENC-CLI-OUT BEGIN" and "=== PGENC-CLI-OUT END": the host
# judges everything (transcripts, dumps, counters).

O=/tmp/out
S=/tmp/pgenc.sock
TIK='/sys/kernel/debug/sevsim/%h/tik'
mkdir -p "$O"
cd /tmp || exit 1

# c NAME CMD...: run CMD, keep its outputs and status.
c() {
	n=$1
	shift
	echo "$n" >>"$O/cases"
	echo "$*" >"$O/$n.cmd"
	timeout 120 "$@" >"$O/$n.out" 2>"$O/$n.err"
	echo $? >"$O/$n.rc"
	echo "case $n: exit $(cat "$O/$n.rc")"
}

# start NAME ARGS...: `pgenc run ARGS --ctl $S` in the background; waits
# for the socket. Its outputs become case NAME when stop is called.
start() {
	rn=$1
	shift
	echo "$rn" >>"$O/cases"
	rm -f "$S"
	echo "pgenc run $* --ctl $S" >"$O/$rn.cmd"
	pgenc run "$@" --ctl "$S" >"$O/$rn.out" 2>"$O/$rn.err" &
	rpid=$!
	i=0
	while [ ! -S "$S" ] && [ $i -lt 300 ] && kill -0 $rpid 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	echo "started $rn (pid $rpid)"
}

# stop: quit (when not done already) and collect the exit status.
stop() {
	[ -S "$S" ] && pgenc ctl "$S" quit >/dev/null 2>&1
	i=0
	while kill -0 $rpid 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 $rpid 2>/dev/null && kill -KILL $rpid
	wait $rpid
	echo $? >"$O/$rn.rc"
	echo "case $rn: exit $(cat "$O/$rn.rc")"
}

# --- the SEV demo, with every control command ----------------------------
start sev_run --demo --sev --verify --tik-file "$TIK"
stat -c %A "$S" >"$O/sock_mode.txt"
c sev_wait pgenc ctl "$S" wait
c sev_stats pgenc ctl "$S" stats
c sev_stats_json pgenc ctl "$S" stats --json
c sev_version pgenc ctl "$S" version
c sev_export_ranges pgenc ctl "$S" export --format ranges
c sev_export_json pgenc ctl "$S" export --format json -o "$O/bitmap.json"
c sev_export_raw pgenc ctl "$S" export --format raw -o "$O/bitmap.raw"
c sev_export_part pgenc ctl "$S" export --format ranges --start-gfn 0x200 --num-pages 0x10
c sev_export_past pgenc ctl "$S" export --start-gfn 0x4000
c sev_export_badfmt pgenc ctl "$S" export --format yaml

# Dumps: the measured secret (private: firmware), the shared pages after
# it (bypass), a range across both at odd offsets, chunked.
c sev_dump_secret pgenc dump --socket "$S" --gpa 0x200000 --len 0x2000 -o "$O/secret.bin"
c sev_dump_shared pgenc dump --socket "$S" --gpa 0x400000 --len 0x4000 -o "$O/shared.bin"
c sev_dump_mixed pgenc dump --socket "$S" --gpa 0x201234 --len 0x1f00 -o "$O/mixed.bin" --json
c sev_dump_chunked pgenc ctl "$S" dump --gpa 0x201000 --len 0x3000 --chunk 0x1000 -o "$O/chunked.bin"
c sev_dump_hex pgenc dump --socket "$S" --gpa 0x201fd0 --len 0x50
c sev_dump_shared_hex pgenc dump --socket "$S" --gpa 0x408fc0 --len 0x80 --chunk 4K
c sev_dump_outside pgenc dump --socket "$S" --gpa 0x3fff000 --len 0x2000
c sev_dump_big pgenc ctl "$S" send '{"cmd":"dump","gpa":0,"len":16777217}'

# Import: a changed bitmap, a malformed one, then the original back.
awk '$0 == "0x0204-0x03ff encrypted" {
	print "0x0204-0x0207 shared"; print "0x0208-0x03ff encrypted"; next
} { print }' "$O/sev_export_ranges.out" >"$O/changed.ranges"
c sev_import_changed pgenc ctl "$S" import "$O/changed.ranges"
c sev_stats_changed pgenc ctl "$S" stats
printf '0x0000-0x0003 encrypted\n0x0005-0x0009 shared\n' >"$O/gap.ranges"
c sev_import_gap pgenc ctl "$S" import "$O/gap.ranges"
printf '0x0000-0x7fff shared\n' >"$O/toobig.ranges"
c sev_import_toobig pgenc ctl "$S" import "$O/toobig.ranges"
c sev_import_raw pgenc ctl "$S" import "$O/bitmap.raw"
# pgenc bitmap import of malformed files: refused with the line and
# column, and the VM's bitmap stays as it was (sev_export_after).
printf '0x0000-0x1fff encrypted\n0x2000-0x3fff sharde\n' >"$O/badstate.ranges"
c bad_bitmap_import_state pgenc bitmap import "$O/badstate.ranges" --socket "$S"
printf '{"start_gfn": 0, "num_pages": 16384, "ranges": [\n' >"$O/trunc.json"
c bad_bitmap_import_json pgenc bitmap import "$O/trunc.json" --socket "$S"
head -c 40 "$O/bitmap.raw" >"$O/trunc.raw"
c bad_bitmap_import_raw pgenc bitmap import "$O/trunc.raw" --socket "$S"
c sev_export_after pgenc ctl "$S" export --format ranges

# The protocol, raw.
c proto_unknown_cmd pgenc ctl "$S" send '{"cmd":"reboot","id":7}'
c proto_no_cmd pgenc ctl "$S" send '{"id":"x"}'
c proto_bad_json pgenc ctl "$S" send '{"cmd":"stats",}'
c proto_nested pgenc ctl "$S" send '{"cmd":"stats","x":{}}'
c proto_unknown_key pgenc ctl "$S" send '{"cmd":"stats","verbose":true}'
c proto_dup_key pgenc ctl "$S" send '{"cmd":"stats","cmd":"quit"}'
c proto_bad_type pgenc ctl "$S" send '{"cmd":"dump","gpa":"0x1000","len":16}'
c proto_negative pgenc ctl "$S" send '{"cmd":"dump","gpa":-1,"len":16}'
c proto_float pgenc ctl "$S" send '{"cmd":"dump","gpa":1.5,"len":16}'
c proto_dump_len0 pgenc ctl "$S" send '{"cmd":"dump","gpa":0,"len":0}'
c proto_dump_ok pgenc ctl "$S" send '{"cmd":"dump","gpa":2105344,"len":12,"id":"a\u00e9"}'
c proto_export_n0 pgenc ctl "$S" send '{"cmd":"export","num_pages":0}'
c proto_import_b64 pgenc ctl "$S" send '{"cmd":"import","data":"not base64!"}'
c proto_wait pgenc ctl "$S" send '{"cmd":"wait","timeout_ms":10}'
c proto_version pgenc ctl "$S" send '{"cmd":"version"}'
c proto_not_json pgenc ctl "$S" send 'this is not json'
c proto_array pgenc ctl "$S" send '[1,2]'
c proto_truncated pgenc ctl "$S" send '{"cmd":"stats"'
c proto_empty pgenc ctl "$S" send ''

# Bad arguments against the live VMM: usage errors (2) never reach the
# socket, refusals by the VMM or the kernel are failures (1).
c bad_ctl_unknown pgenc ctl "$S" reboot
c bad_ctl_missing pgenc ctl /tmp/missing.sock stats
c bad_dump_missing pgenc dump --socket /tmp/missing.sock --gpa 0 --len 16
c bad_dump_end pgenc dump --socket "$S" --gpa 0x4000000 --len 1
c bad_dump_last pgenc dump --socket "$S" --gpa 0x3ffffff --len 2
c bad_dump_len0 pgenc dump --socket "$S" --gpa 0x200000 --len 0
c bad_dump_chunk pgenc dump --socket "$S" --gpa 0x200000 --len 0x2000 --chunk 0x1800
c bad_ctl_dump_len0 pgenc ctl "$S" dump --gpa 0x200000 --len 0
c sev_stats_end pgenc ctl "$S" stats
c sev_quit pgenc ctl "$S" quit
stop
[ -e "$S" ] && echo present >"$O/sock_after.txt" || echo absent >"$O/sock_after.txt"
c ctl_after_quit pgenc ctl "$S" stats

# --- policy NODBG: DBG_DECRYPT is refused, and the bypass stands aside ----
start nodbg_run --demo --sev --policy 1
c nodbg_wait pgenc ctl "$S" wait
c nodbg_dump_private pgenc dump --socket "$S" --gpa 0x200000 --len 0x1000 -o "$O/nodbg_private.bin"
c nodbg_dump_shared pgenc dump --socket "$S" --gpa 0x202000 --len 0x2000 -o "$O/nodbg_shared.bin"
stop

# --- no debugfs: no counters, and the dump still works ---------------------
start nodebugfs_run --demo --sev
c nodebugfs_wait pgenc ctl "$S" wait
umount /sys/kernel/debug
c nodebugfs_stats pgenc ctl "$S" stats
c nodebugfs_dump pgenc dump --socket "$S" --gpa 0x201ff0 --len 0x20
mount -t debugfs debugfs /sys/kernel/debug
stop

# --- a wrong TIK: the measurement does not verify -------------------------
c sev_bad_tik pgenc run --demo --sev --verify --tik 000102030405060708090a0b0c0d0e0f
c sev_tik_missing pgenc run --demo --sev --verify --tik-file /nonexistent/%h/tik

# --- policies: a malformed one (usage), ones the firmware refuses -------------
c bad_policy_junk pgenc run --demo --sev --policy 0x1z
c bad_policy_api pgenc run --demo --sev --policy 0x10000
c bad_policy_es pgenc run --demo --sev --policy 0x4

# --- hypercall exits traced ------------------------------------------------
c trace_run pgenc run --demo --sev --trace-hypercalls

# --- not SEV: 2 vCPUs, plain reads -----------------------------------------
# (No more vCPUs than the test VM's 2 CPUs: beyond that, QEMU 7.2's TCG
# emulation of nested SVM gives spurious guest triple faults, stock KVM
# included.)
start plain_run --demo --vcpus 2 --mem 48M
c plain_wait pgenc ctl "$S" wait
c plain_stats pgenc ctl "$S" stats
c plain_export pgenc ctl "$S" export --format ranges
c plain_dump pgenc dump --socket "$S" --gpa 0x300000 --len 0x2000 -o "$O/percpu.bin"
c plain_dump_zero pgenc dump --socket "$S" --gpa 0x500000 --len 0x1000
stop

# --- images ------------------------------------------------------------------
c image_elf pgenc run --image /elf_guest --mem 8M
c image_flat pgenc run --image /flat.bin@0x180000 --mem 4M
c image_entry pgenc run --image /flat_off.bin --entry 0x100003 --mem 4M
c image_shutdown pgenc run --image /ud2.bin --mem 4M
c image_low pgenc run --image /flat.bin@0x1000 --mem 4M
c image_outside pgenc run --image /flat.bin@0x3fffff --mem 4M
c image_missing pgenc run --image /nonexistent.bin
c image_elf_at pgenc run --image /elf_guest@0x100000

# --- SEV with a user image and --sev-data; SEV with 2 vCPUs ----------------
c image_sev_data pgenc run --image /flat.bin --sev --sev-data /ud2.bin@0x300000 \
	--verify --tik-file "$TIK" --mem 8M
c image_sev_nodata pgenc run --image /elf_guest --sev --mem 8M
c sev_vcpus pgenc run --demo --sev --vcpus 2

# --- a guest that never halts: wait times out, quit stops it; SIGTERM -------
start spin_run --image /spin.bin --mem 4M --vcpus 2
c spin_wait pgenc ctl "$S" wait --timeout 1
c spin_stats pgenc ctl "$S" stats
c spin_quit pgenc ctl "$S" quit
stop
echo spin_term >>"$O/cases"
echo "pgenc run --image /spin.bin --mem 4M" >"$O/spin_term.cmd"
pgenc run --image /spin.bin --mem 4M >"$O/spin_term.out" 2>"$O/spin_term.err" &
tpid=$!
sleep 1
kill -TERM $tpid
wait $tpid
echo $? >"$O/spin_term.rc"

# --- ctl's socket checks -----------------------------------------------------
touch /tmp/notasock
c run_notasock pgenc run --demo --ctl /tmp/notasock

echo "=== PGENC-CLI-OUT BEGIN"
tar -C "$O" -cf - . | gzip -c | base64
echo "=== PGENC-CLI-OUT END"
