#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM (busybox sh), started by tests/cli/migrate/basic.sh:
# `pgenc migrate` between two `pgenc run` processes. Each check prints
# "PASS: NAME" or "FAIL: NAME: WHY"; the host side judges the set.
P=/bin/pgenc
T=/tmp/mig
MEM=32M
mkdir -p $T
cd $T || exit 1
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up 2>/dev/null

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; }
check() { # NAME CONDITION-STATUS [WHY]
	if [ "$2" -eq 0 ]; then pass "$1"; else fail "$1" "${3:-}"; fi
}
wait_sock() {
	i=0
	while [ ! -S "$1" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S "$1" ]
}
# The bitmap (raw) and all memory of the VM at SOCK into PREFIX.*.
snapshot() {
	$P bitmap export --socket "$1" -f raw -o "$2.bitmap" >/dev/null 2>"$2.err" &&
		$P dump --socket "$1" --gpa 0 --len $MEM --chunk 16M -o "$2.mem" >/dev/null 2>>"$2.err"
}
# A source running the demo guest (halted) on src.sock, snapshotted.
start_source() {
	rm -f src.sock
	$P run --demo --mem $MEM --ctl src.sock >src.log 2>&1 &
	SRC=$!
	wait_sock src.sock && $P ctl src.sock wait >/dev/null && snapshot src.sock src
}
# Target on dst.sock after a migration: same bitmap, same memory.
judge_target() { # NAME
	if ! wait_sock dst.sock; then
		fail "$1: target serves its socket" "$(tail -5 dst.log)"
		return
	fi
	snapshot dst.sock dst
	cmp -s src.bitmap dst.bitmap
	check "$1: bitmap equal on both ends" $? "$(cmp src.bitmap dst.bitmap 2>&1)"
	[ "$(od -An -tx1 src.bitmap | tr -d ' \n' | tr -d 'f')" != "" ]
	check "$1: the bitmap has shared pages" $?
	cmp -s src.mem dst.mem
	check "$1: memory equal on both ends" $? "$(cmp src.mem dst.mem 2>&1 | head -3)"
	$P ctl dst.sock stats | grep -q "state: *halted"
	check "$1: the target's guest is halted, as on the source" $? "$($P ctl dst.sock stats 2>&1 | head -2)"
	$P ctl dst.sock quit >/dev/null
	wait "$DST"
	check "$1: target exits 0" $?
}
# migrate NAME URI [ARGS]: the source migrates, exits 0, reports JSON.
migrate_ok() {
	name=$1
	uri=$2
	shift 2
	$P migrate src.sock "$uri" --json "$@" >mig.json 2>mig.err
	rc=$?
	check "$name: pgenc migrate exits 0" $rc "rc $rc: $(cat mig.err) $(tail -3 src.log)"
	grep -q '"result":"migrated"' mig.json && grep -q '"iterations":[1-9]' mig.json &&
		grep -q '"pages_plain":[1-9]' mig.json && grep -q '"pages_fw":0,' mig.json &&
		grep -q '"stream_bytes":[1-9]' mig.json && grep -q '"downtime_ms":' mig.json &&
		grep -q '"final_pass_pages":' mig.json
	check "$name: the JSON report" $? "$(cat mig.json)"
	wait "$SRC"
	rc=$?
	check "$name: the source VMM exits 0 after the ack" $rc "rc $rc: $(tail -3 src.log)"
	grep -q "migrated to $uri" src.log
	check "$name: the source logs the migration" $? "$(tail -3 src.log)"
}

# --- over a UNIX socket, with a failed attempt first ------------------------
if start_source; then pass "unix: source ready"; else fail "unix: source ready" "$(tail -5 src.log)"; fi
rm -f dst.sock
$P run --incoming unix:$T/in.sock --mem 64M --ctl dst.sock >bad.log 2>&1 &
BAD=$!
$P migrate src.sock unix:$T/in.sock >mig.out 2>mig.err
rc=$?
check "mismatch: pgenc migrate exits 1" $((rc != 1)) "rc $rc: $(cat mig.err)"
wait $BAD
rc=$?
check "mismatch: the target exits 1" $((rc != 1)) "rc $rc"
grep -q "incoming migration failed: --mem 64 MiB, but the stream's VM has 32 MiB; the target VM is destroyed" bad.log
check "mismatch: the target says why" $? "$(cat bad.log)"
grep -q "the target refused: --mem 64 MiB" mig.err
check "mismatch: the source reports the target's reason" $? "$(cat mig.err)"
$P ctl src.sock stats | grep -q "state: *halted"
check "mismatch: the source VMM still serves its guest" $? "$(tail -3 src.log)"

$P run --incoming unix:$T/in.sock --ctl dst.sock >dst.log 2>&1 &
DST=$!
migrate_ok unix unix:$T/in.sock
judge_target unix

# --- over TCP on the loopback -------------------------------------------------
start_source || fail "tcp: source ready" "$(tail -5 src.log)"
rm -f dst.sock
$P run --incoming tcp:127.0.0.1:4444 --ctl dst.sock >dst.log 2>&1 &
DST=$!
migrate_ok tcp tcp:127.0.0.1:4444 --max-iterations 3
judge_target tcp

# --- save and restore through a file ------------------------------------------
start_source || fail "file: source ready" "$(tail -5 src.log)"
migrate_ok file file:$T/vm.img
rm -f dst.sock
$P run --from-file $T/vm.img --ctl dst.sock >dst.log 2>&1 &
DST=$!
judge_target file
# A truncated file: refused, with the record named.
head -c 50000 vm.img >cut.img
$P run --from-file $T/cut.img >cut.log 2>&1
rc=$?
check "file: a truncated file exits 1" $((rc != 1)) "rc $rc"
grep -q "incoming migration failed: record [0-9]* .*truncated" cut.log
check "file: a truncated file is named as such" $? "$(cat cut.log)"

# --- a running guest on two vCPUs (each spins: jmp .) ---------------------------
printf '\353\376' >spin.bin
rm -f src.sock dst.sock
$P run --image spin.bin --vcpus 2 --mem $MEM --ctl src.sock >src.log 2>&1 &
SRC=$!
wait_sock src.sock && snapshot src.sock src
$P run --incoming unix:$T/in.sock --vcpus 2 --ctl dst.sock >dst.log 2>&1 &
DST=$!
migrate_ok running unix:$T/in.sock
if wait_sock dst.sock; then
	$P ctl dst.sock stats | grep -q "state: *running"
	check "running: the guest runs on the target" $? "$($P ctl dst.sock stats 2>&1 | head -3)"
	snapshot dst.sock dst
	cmp -s src.mem dst.mem
	check "running: memory equal on both ends" $? "$(cmp src.mem dst.mem 2>&1 | head -3)"
	$P ctl dst.sock quit >/dev/null
	wait "$DST"
	check "running: target exits 0 after quit" $?
else
	fail "running: the guest runs on the target" "$(tail -5 dst.log)"
fi

# --- a guest that keeps dirtying 1024 pages: pre-copy iterates ---------------
# loop: mov rax, 0x400000; 1: inc qword [rax]; add rax, 0x1000;
# cmp rax, 0x800000; jb 1b; jmp loop
printf '\110\270\000\000\100\000\000\000\000\000\110\377\000\110\005\000\020\000\000\110\075\000\000\200\000\162\357\353\343' >dirty.bin
rm -f src.sock dst.sock
$P run --image dirty.bin --mem $MEM --ctl src.sock >src.log 2>&1 &
SRC=$!
wait_sock src.sock
$P run --incoming unix:$T/in.sock --ctl dst.sock >dst.log 2>&1 &
DST=$!
migrate_ok dirtying unix:$T/in.sock --max-iterations 3
it=$(sed -n 's/.*"iterations":\([0-9]*\).*/\1/p' mig.json)
fp=$(sed -n 's/.*"final_pass_pages":\([0-9]*\).*/\1/p' mig.json)
[ "$it" -ge 2 ] && [ "$fp" -gt 0 ]
check "dirtying: pre-copy iterated and the final pass sent dirty pages" $? "$(cat mig.json)"
if wait_sock dst.sock; then
	a=$($P dump --socket dst.sock --gpa 0x400000 --len 8 2>&1)
	sleep 1
	b=$($P dump --socket dst.sock --gpa 0x400000 --len 8 2>&1)
	[ -n "$a" ] && [ "$a" != "$b" ]
	check "dirtying: the guest goes on counting on the target" $? "$a / $b"
	$P ctl dst.sock quit >/dev/null
	wait "$DST"
	check "dirtying: target exits 0 after quit" $?
else
	fail "dirtying: the guest goes on counting on the target" "$(tail -5 dst.log)"
fi

# --- an SEV guest on sevsim (sevsim_memcrypt=0: memory as the guest sees it) ---
# json FIELD: the number in mig.json
json() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" mig.json; }
sev_case() { # NAME [ARGS]
	name=$1
	shift
	rm -f src.sock dst.sock
	$P run --demo --sev --mem $MEM --ctl src.sock >src.log 2>&1 &
	SRC=$!
	wait_sock src.sock && $P ctl src.sock wait >/dev/null && snapshot src.sock src
	shared=$($P ctl src.sock stats | sed -n 's/^shared pages: *//p')
	private=$($P ctl src.sock stats | sed -n 's/^encrypted pages: *//p')
	$P run --incoming unix:$T/in.sock --ctl dst.sock >dst.log 2>&1 &
	DST=$!
	$P migrate src.sock unix:$T/in.sock --json "$@" >mig.json 2>mig.err
	rc=$?
	check "$name: pgenc migrate exits 0" $rc "rc $rc: $(cat mig.err) $(tail -3 src.log) $(tail -3 dst.log)"
	wait "$SRC"
	check "$name: the source VMM exits 0 after the ack" $? "$(tail -3 src.log)"
	if ! wait_sock dst.sock; then
		fail "$name: target serves its socket" "$(tail -5 dst.log)"
		return
	fi
	handle=$($P ctl dst.sock stats | sed -n 's/^sev: *yes, handle \([0-9]*\).*/\1/p')
	cmds=$(cat /sys/kernel/debug/sevsim/"$handle"/commands 2>/dev/null)
	fw=$(json pages_fw)
	if [ "$name" = sev ]; then
		[ "$fw" = "$private" ] && [ "$(json pages_plain)" -gt 0 ] &&
			[ $(($(json pages_plain) + $(json pages_zero))) = "$shared" ]
		check "$name: private pages through the firmware, shared in plain" $? \
			"fw $fw plain $(json pages_plain) zero $(json pages_zero), guest: $private private, $shared shared"
	else
		[ "$fw" = $((private + shared)) ] && [ "$(json pages_plain)" = 0 ] && [ "$(json pages_zero)" = 0 ]
		check "$name: every page through the firmware" $? \
			"fw $fw plain $(json pages_plain), guest: $private private, $shared shared"
	fi
	[ "$(json fw_commands)" = "$fw" ] && [ "$cmds" = "$fw" ]
	check "$name: firmware commands equal the firmware pages sent" $? \
		"fw_commands $(json fw_commands), target RECEIVE_UPDATE_DATA $cmds, pages_fw $fw"
	snapshot dst.sock dst
	cmp -s src.bitmap dst.bitmap
	check "$name: bitmap equal on both ends" $? "$(cmp src.bitmap dst.bitmap 2>&1)"
	cmp -s src.mem dst.mem
	check "$name: memory equal on both ends (DBG_DECRYPT)" $? "$(cmp src.mem dst.mem 2>&1 | head -3)"
	$P ctl dst.sock stats | grep -q "state: *halted"
	check "$name: the target's guest is halted, as on the source" $?
	$P ctl dst.sock quit >/dev/null
	wait "$DST"
	check "$name: target exits 0" $?
}
sev_case sev
sev_case sev-no-bitmap --no-bitmap

# --- an SEV guest that never wrote KVM_MIGRATION_READY -------------------------
printf '\364' >hlt.bin
rm -f sev.sock
$P run --sev --image hlt.bin --ctl sev.sock >sev.log 2>&1 &
SEV=$!
wait_sock sev.sock && $P ctl sev.sock wait >/dev/null
$P migrate sev.sock unix:$T/never.sock >mig.out 2>mig.err
rc=$?
check "not ready: pgenc migrate exits 1" $((rc != 1)) "rc $rc: $(cat mig.err)"
grep -q "has not written KVM_MIGRATION_READY.*--force" mig.err
check "not ready: it says why and how to override" $? "$(cat mig.err)"
[ ! -e never.sock ]
check "not ready: nothing was sent" $?
$P ctl sev.sock stats >/dev/null
check "not ready: the source keeps its guest" $?
$P ctl sev.sock quit >/dev/null
wait $SEV
echo "DONE"
