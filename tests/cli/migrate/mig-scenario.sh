# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
#
# Sourced by tests/cli/migrate/scenario.sh in the test VM (kvm_amd
# sevsim=1 sevsim_memcrypt=0), with its helpers (start, rounds, stop,
# poke, waitfor, HOLD, RELEASE) and O. The churn guest under SEV
# migrated while it runs, then held and migrated again to compare both
# ends; every tampering and fault case through tests/cli/migrate's
# tamper proxy against one source that must survive them all and then
# migrate; a NOSEND guest. Each migration leaves NAME.json/NAME.err (the
# source's `pgenc migrate --json`), NAME.rc, NAME.tgt.out/.err/.rc (the
# target), NAME.proxy (the proxy's log and status) in $O.
# shellcheck disable=SC2154 # rpid is scenario.sh's start's

MEM=16M
MEMB=$((16 << 20))

# target NAME URI: `pgenc run --incoming URI --ctl /tmp/NAME.sock` in the
# background (tpid); waits for a UNIX URI's socket.
target() {
	rm -f "/tmp/$1.sock" "${2#unix:}"
	pgenc run --incoming "$2" --ctl "/tmp/$1.sock" >"$O/$1.tgt.out" 2>"$O/$1.tgt.err" &
	tpid=$!
	i=0
	while [ ! -S "${2#unix:}" ] && [ $i -lt 300 ] && kill -0 $tpid 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
}

# migrate NAME SRC-SOCK URI [ARGS]: pgenc migrate --json, at most 3
# pre-copy iterations (the guest dirties faster than TCG sends); NAME.rc.
migrate() {
	n=$1 ms=$2 mu=$3
	shift 3
	timeout 300 pgenc migrate "$ms" "$mu" --json --max-iterations 3 "$@" >"$O/$n.json" 2>"$O/$n.err"
	echo $? >"$O/$n.rc"
	echo "migrate $n: exit $(cat "$O/$n.rc")"
}

# reap NAME PID: the target's exit status (60 s at most, then KILL).
reap() {
	i=0
	while kill -0 "$2" 2>/dev/null && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 "$2" 2>/dev/null && kill -KILL "$2"
	wait "$2"
	echo $? >"$O/$1.tgt.rc"
}

# snap NAME SOCK: the VM's raw bitmap, all its memory, its stats.
snap() {
	pgenc bitmap export --socket "$2" --format raw -o "/tmp/$1.bitmap" >/dev/null 2>&1
	pgenc dump --socket "$2" --gpa 0 --len $MEM --chunk 16M -o "/tmp/$1.mem" >"$O/$1.dump" 2>&1
	pgenc ctl "$2" stats --json >"$O/$1.stats" 2>&1
	cp "/tmp/$1.bitmap" "$O/$1.bitmap"
}

# --- (a) the churn guest migrated while it runs -------------------------------
start src /tmp/src.sock --churn --sev --mem $MEM
spid=$rpid
rounds src 3
target live unix:/tmp/in.sock
lpid=$tpid
migrate live /tmp/src.sock unix:/tmp/in.sock
reap src "$spid"
# The guest goes on on the target: 4 more rounds verified there.
rounds live.tgt 4
pgenc ctl /tmp/live.sock stats --json >"$O/live.stats" 2>&1

# Held on the target, then migrated again (held): both ends compared.
poke $lpid $((0x3ff000)) $MEMB "$HOLD"
waitfor "$O/live.tgt.out" 'churn: holding after round'
snap held /tmp/live.sock
target again unix:/tmp/in2.sock
apid=$tpid
migrate again /tmp/live.sock unix:/tmp/in2.sock
reap live $lpid
i=0
while [ ! -S /tmp/again.sock ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
h=$(pgenc ctl /tmp/again.sock stats --json | sed -n 's/.*"sev_handle":\([0-9]*\).*/\1/p')
cat "/sys/kernel/debug/sevsim/$h/commands" >"$O/again.fwcmds" 2>&1
snap again /tmp/again.sock
cmp "/tmp/held.mem" "/tmp/again.mem" >"$O/mem.cmp" 2>&1
echo $? >"$O/mem.cmp.rc"
rm -f /tmp/held.mem /tmp/again.mem
poke $apid $((0x3ff000)) $MEMB "$RELEASE"
waitfor "$O/again.tgt.out" 'churn: resumed'
grep -c 'verify ok$' "$O/again.tgt.out" >"$O/again.before"
rounds again.tgt $(($(cat "$O/again.before") + 3))
pgenc ctl /tmp/again.sock quit >/dev/null 2>&1
reap again $apid

# --- (b) tampering and faults against one source --------------------------------
start victim /tmp/victim.sock --churn --sev --mem $MEM
vpid=$rpid
rounds victim 2
: >"$O/tamper.cases"
# tamper NAME PROXY-ARGS...: a target, the proxy in front of it, a
# migration through the proxy; then the source must still run.
tamper() {
	n=$1
	shift
	echo "$n" >>"$O/tamper.cases"
	target "$n" unix:/tmp/t.sock
	t=$tpid
	rm -f /tmp/p.sock
	/bin/tamper_proxy "$@" unix:/tmp/p.sock unix:/tmp/t.sock >"$O/$n.proxy" 2>&1 &
	p=$!
	waitfor "$O/$n.proxy" listening
	migrate "$n" /tmp/victim.sock unix:/tmp/p.sock
	wait $p
	echo "proxy exit $?" >>"$O/$n.proxy"
	reap "$n" $t
	c=$(grep -c 'verify ok$' "$O/victim.out")
	rounds victim $((c + 1))
	pgenc ctl /tmp/victim.sock stats --json >"$O/$n.src" 2>&1
}
tamper flip_packet --fix --type FW --flip 7:packet:100
tamper flip_mac --fix --type FW --flip 7:mac:0
tamper flip_iv --fix --type FW --flip 7:iv:5
tamper flip_fwhdr --fix --type FW --flip 7:fwhdr:0
tamper flip_header --type FW --flip 7:header:8
tamper flip_offset --flip-offset 200000
tamper reorder --type FW --reorder 7
tamper dup --type FW --dup 7
tamper dup_fixed --fix --type FW --dup 7
tamper drop --type FW --drop 7
tamper drop_fixed --fix --type FW --drop 7
tamper bad_pdh --reverse --fix --type PDH --flip 0:payload:64
tamper truncate --truncate 300000
tamper close --type FW --close 20

# The target killed (-9) mid-stream: the proxy, not tampering, lets the
# first FW records through; the target dies once they arrived.
echo killed >>"$O/tamper.cases"
target killed unix:/tmp/t.sock
t=$tpid
rm -f /tmp/p.sock
/bin/tamper_proxy --none unix:/tmp/p.sock unix:/tmp/t.sock >"$O/killed.proxy" 2>&1 &
p=$!
waitfor "$O/killed.proxy" listening
migrate killed /tmp/victim.sock unix:/tmp/p.sock &
m=$!
waitfor "$O/killed.tgt.out" 'RECEIVE_START'
sleep 1
kill -KILL $t
wait $m
wait $p
reap killed $t
c=$(grep -c 'verify ok$' "$O/victim.out")
rounds victim $((c + 1))
pgenc ctl /tmp/victim.sock stats --json >"$O/killed.src" 2>&1

# After all that, the source migrates, and the guest runs on.
target after unix:/tmp/in3.sock
fpid=$tpid
migrate after /tmp/victim.sock unix:/tmp/in3.sock
reap victim "$vpid"
rounds after.tgt 3
pgenc ctl /tmp/after.sock quit >/dev/null 2>&1
reap after $fpid

# kmemleak, where the kernel has it (two scans 6 s apart: objects must
# be 5 s old to be reported).
k=/sys/kernel/debug/kmemleak
if [ -w $k ]; then
	sleep 6
	echo scan >$k
	sleep 6
	echo scan >$k
	cat $k >"$O/kmemleak"
else
	echo "no $k in this kernel" >"$O/kmemleak.absent"
fi

# --- (c) a NOSEND guest is refused before any page leaves ---------------------
start nosend /tmp/nosend.sock --churn --sev --policy 0x8 --mem $MEM
rounds nosend 2
target nosend_t unix:/tmp/t.sock
t=$tpid
rm -f /tmp/p.sock
/bin/tamper_proxy --none unix:/tmp/p.sock unix:/tmp/t.sock >"$O/nosend.proxy" 2>&1 &
p=$!
waitfor "$O/nosend.proxy" listening
migrate nosend_m /tmp/nosend.sock unix:/tmp/p.sock
# The proxy ends by itself, its records printed, once both ends have
# closed; the kill only stops one that no source connected to.
waitfor "$O/nosend.proxy" 'forward records'
kill $p 2>/dev/null
wait $p
reap nosend_t $t
c=$(grep -c 'verify ok$' "$O/nosend.out")
rounds nosend $((c + 1))
stop nosend /tmp/nosend.sock
