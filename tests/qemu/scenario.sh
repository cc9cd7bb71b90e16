#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM, chrooted into the host's root (run.sh
# --host-root; our modules, kvm_amd sevsim=1 sevsim_memcrypt=0), started
# by tests/qemu/vm.sh: Debian's QEMU launches fw.bin as an SEV guest on
# sevsim, driven over QMP (qmp.py).
#
#   scenario.sh DIR PGENC   DIR holds fw.bin (the host's build dir),
#                           PGENC is the pgenc binary
#
# Every case leaves NAME.cmd, NAME.out, NAME.err and NAME.rc in /tmp/out
# and its NAME in order in /tmp/out/cases (the order of
# tests/qemu/qemu-vm.cram); the files the host checks go there too: the
# measurement, the TIK, query-sev's answers, pgenc_stats, pgenc vms and
# the VM's bitmap (export --vm -f raw, pgenc_bitmap), the firmware's port
# output, the time of each QEMU run. At the end /tmp/out is sent
# back as a base64 tar.gz between "=== PGENC-CLI-OUT BEGIN" and
# "=== PGENC-CLI-OUT END": the host judges everything.
set -u

dir=$1
PGENC=$2
here=$(cd "$(dirname "$0")" && pwd)
O=/tmp/out
QS=/tmp/qmp.sock
QEMU=/usr/bin/qemu-system-x86_64
FW=$dir/fw.bin
mkdir -p "$O"
cd /tmp || exit 1

# c NAME CMD...: run CMD, keep its outputs and status.
c() {
	local n=$1
	shift
	echo "$n" >>"$O/cases"
	echo "$*" | sed -e "s|$here/|tests/qemu/|g" -e "s|$dir/|@BUILD@/|g" -e "s|$PGENC|pgenc|g" \
		-e "s|--vm ${qpid:-@}\$|--vm @PID@|" -e "s|--vm ${qpid:-@} |--vm @PID@ |" >"$O/$n.cmd"
	timeout 120 "$@" >"$O/$n.out" 2>"$O/$n.err"
	echo $? >"$O/$n.rc"
	echo "case $n: exit $(cat "$O/$n.rc")"
}

QMP=(python3 "$here/qmp.py" "$QS")

# The SEV guest's QEMU command line, with the sev-guest object's options.
sev_args=(-nodefaults -no-user-config -display none -machine "pc,accel=kvm,memory-encryption=s0"
	-m 32M -bios "$FW")
sev_obj=sev-guest,id=s0,sev-device=/dev/sevsim,reduced-phys-bits=1

# wait_fw LOG: until the firmware wrote "done", 60 s at most (by the
# clock: a guest that runs amok slows each poll down).
wait_fw() {
	local end=$((SECONDS + 60))
	echo "waiting for the firmware ($1)"
	until grep -q '^pgenc-fw: done$' "$1" 2>/dev/null; do
		if ((SECONDS >= end)); then
			echo "the firmware did not finish in 60 s"
			return 1
		fi
		sleep 0.5
	done
}

# start NAME CPU [QEMU ARGS...]: QEMU in the background, its outputs the
# case NAME once stop is called; the firmware's port output in NAME.fw.
start() {
	rn=$1
	shift
	echo "$rn" >>"$O/cases"
	rm -f "$QS"
	echo "qemu-system-x86_64 ${sev_args[*]} $* -debugcon file:/tmp/$rn.fw -qmp unix:$QS,server=on,wait=off" |
		sed "s|$dir/|@BUILD@/|g" >"$O/$rn.cmd"
	t0=$(date +%s.%N)
	"$QEMU" "${sev_args[@]}" "$@" -debugcon "file:/tmp/$rn.fw" \
		-qmp "unix:$QS,server=on,wait=off" >"$O/$rn.out" 2>"$O/$rn.err" &
	qpid=$!
}

# stop: quit over QMP, collect the exit status, the firmware's output.
stop() {
	local end=$((SECONDS + 30))
	"${QMP[@]}" quit >/dev/null 2>&1
	while kill -0 "$qpid" 2>/dev/null && ((SECONDS < end)); do
		sleep 0.2
	done
	kill -0 "$qpid" 2>/dev/null && kill -KILL "$qpid"
	wait "$qpid"
	echo $? >"$O/$rn.rc"
	cp "/tmp/$rn.fw" "$O/$rn.fw" 2>/dev/null || : >"$O/$rn.fw"
	echo "$(date +%s.%N) - $t0" | bc >"$O/$rn.time"
	echo "case $rn: exit $(cat "$O/$rn.rc") ($(cat "$O/$rn.time") s)"
}

# --- what sev.c checks at startup: each refusal is QEMU's own message -------
# The L1's CPUID 0x8000001f EBX[5:0] (the test VM's TCG CPU reports 0).
c cbitpos_47 "$QEMU" "${sev_args[@]}" -object "$sev_obj,cbitpos=47"
c reduced_phys_bits_0 "$QEMU" "${sev_args[@]}" \
	-object sev-guest,id=s0,sev-device=/dev/sevsim,cbitpos=0,reduced-phys-bits=0
c sev_device_missing "$QEMU" "${sev_args[@]}" \
	-object sev-guest,id=s0,sev-device=/dev/nonexistent,cbitpos=0,reduced-phys-bits=1
# -bios must be a multiple of 64 KiB.
head -c 4096 "$FW" >/tmp/fw4k.bin
c bios_4k "$QEMU" -nodefaults -no-user-config -display none \
	-machine pc,accel=kvm,memory-encryption=s0 -m 32M -bios /tmp/fw4k.bin \
	-object "$sev_obj,cbitpos=0"

# --- the SEV guest: launched, measured, run ----------------------------------
# -S: stopped after machine-done, so after LAUNCH_MEASURE, before
# LAUNCH_FINISH (which the first `cont` issues).
start sev_run -cpu host,migratable=off -object "$sev_obj,cbitpos=0" -S
c query_sev_launched "${QMP[@]}" query-sev
c query_measure "${QMP[@]}" query-sev-launch-measure
c query_caps "${QMP[@]}" query-sev-capabilities
handle=$(sed -n 's/.*"handle": \([0-9]*\).*/\1/p' "$O/query_sev_launched.out")
cat "/sys/kernel/debug/sevsim/$handle/tik" >"$O/tik" 2>&1
cat "/sys/kernel/debug/sevsim/$handle/memcrypt" >"$O/memcrypt" 2>&1
c cont "${QMP[@]}" cont
wait_fw "/tmp/sev_run.fw"
c query_sev_running "${QMP[@]}" query-sev
# QEMU's own migration blocker for SEV guests (admin-guide.rst, "QEMU").
c migrate_blocked "${QMP[@]}" migrate '{"uri": "exec:cat >/dev/null"}'
cat /sys/kernel/debug/kvm/"$qpid"-*/pgenc_stats >"$O/pgenc_stats" 2>&1
# The same VM as any process sees it, through KVM's debugfs
# (Documentation/cli.rst, "Tracked VMs of any VMM"): the table and the
# JSON (their pid and directory vary: judged by the host, not in the
# transcript), the bitmap shown and exported, the file itself.
t1=$(date +%s.%N)
echo "$qpid" >"$O/qpid"
"$PGENC" vms >"$O/vms.txt" 2>&1
echo $? >"$O/vms.rc"
"$PGENC" vms --json >"$O/vms.json" 2>"$O/vms_json.err"
echo $? >"$O/vms_json.rc"
c show_vm "$PGENC" bitmap show --vm "$qpid" --limit 0 --no-map
c export_vm_ranges "$PGENC" bitmap export --vm "$qpid" -f ranges
"$PGENC" bitmap export --vm "$qpid" -f raw -o "$O/export_vm.raw" 2>"$O/export_vm_raw.err"
echo $? >"$O/export_vm_raw.rc"
cat /sys/kernel/debug/kvm/"$qpid"-*/pgenc_bitmap >"$O/pgenc_bitmap.raw" 2>&1
echo "$(date +%s.%N) - $t1" | bc >"$O/vmview.time"
stop

# --- bit 17 with QEMU's default: -cpu host, migratable=on ---------------------
start cpu_host -cpu host -object "$sev_obj,cbitpos=0"
wait_fw "/tmp/cpu_host.fw"
stop

echo "=== PGENC-CLI-OUT BEGIN"
tar -C "$O" -cf - . | gzip -c | base64
echo "=== PGENC-CLI-OUT END"
