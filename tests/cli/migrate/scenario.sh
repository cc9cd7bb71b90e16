#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM (busybox sh, kvm_amd sevsim=1), started by
# tests/cli/migrate/vm.sh: the churn guest (`pgenc run --churn`, the
# guest of the migration tests) on its own. Every run leaves NAME.out,
# NAME.err and NAME.rc in /tmp/out, with what the host judges; at the
# end /tmp/out goes back as a base64 tar.gz between "=== PGENC-CLI-OUT
# BEGIN" and "=== PGENC-CLI-OUT END". The host judges everything. With
# the argument "mig" (sevsim has SEND/RECEIVE), mig-scenario.sh runs
# after the guest's own checks, with this file's helpers.

O=/tmp/out
mkdir -p "$O"
cd /tmp || exit 1

# start NAME SOCK ARGS...: `pgenc run ARGS --ctl SOCK` in the background;
# waits for the socket. Sets rpid.
start() {
	rn=$1 rs=$2
	shift 2
	rm -f "$rs"
	echo "pgenc run $* --ctl $rs" >"$O/$rn.cmd"
	pgenc run "$@" --ctl "$rs" >"$O/$rn.out" 2>"$O/$rn.err" &
	rpid=$!
	i=0
	while [ ! -S "$rs" ] && [ $i -lt 300 ] && kill -0 $rpid 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	echo "started $rn (pid $rpid)"
}

# rounds NAME N: wait (60 s at most) until NAME's console has N ok rounds.
rounds() {
	i=0
	while [ "$(grep -c 'churn: round [0-9]* verify ok$' "$O/$1.out")" -lt "$2" ] &&
		[ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# stop NAME SOCK: quit, collect the exit status.
stop() {
	pgenc ctl "$2" quit >/dev/null 2>&1
	i=0
	while kill -0 $rpid 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -0 $rpid 2>/dev/null && kill -KILL $rpid
	wait $rpid
	echo $? >"$O/$1.rc"
	echo "stopped $1: exit $(cat "$O/$1.rc")"
}

. /churn-lib.sh

# --- the churn guest under SEV (sevsim): rounds verify, the VM runs -------
S=/tmp/churn.sock
start churn_sev "$S" --churn --sev --mem 16M
rounds churn_sev 4
pgenc ctl "$S" stats --json >"$O/churn_sev_stats.json" 2>&1
rounds churn_sev 8
pgenc ctl "$S" stats --json >"$O/churn_sev_stats2.json" 2>&1
# Held: nothing changes (two dumps and the counters agree), then resumed.
poke $rpid $((0x3ff000)) $((16 << 20)) "$HOLD"
waitfor "$O/churn_sev.out" 'churn: holding after round'
pgenc ctl "$S" stats --json >"$O/hold1.json" 2>&1
pgenc dump --socket "$S" --gpa 0x400000 --len 4M -o /tmp/hold1.bin >/dev/null 2>&1
sleep 1
pgenc ctl "$S" stats --json >"$O/hold2.json" 2>&1
pgenc dump --socket "$S" --gpa 0x400000 --len 4M -o /tmp/hold2.bin >/dev/null 2>&1
if [ -s /tmp/hold1.bin ] && cmp -s /tmp/hold1.bin /tmp/hold2.bin; then
	echo same >"$O/hold.cmp"
else
	echo differ >"$O/hold.cmp"
fi
grep -c 'verify ok$' "$O/churn_sev.out" >"$O/hold.rounds"
poke $rpid $((0x3ff000)) $((16 << 20)) "$RELEASE"
waitfor "$O/churn_sev.out" 'churn: resumed'
rounds churn_sev $(($(cat "$O/hold.rounds") + 2))
stop churn_sev "$S"

# --- a corrupted page makes the verification fail ------------------------
# No round-robin writes (--churn-rate 0): only one pair of ranges is
# rewritten per round, so of 3 pages in 3 different ranges at least 2
# are still corrupted at the next verification.
start churn_poke "$S" --churn --churn-rate 0 --mem 24M
rounds churn_poke 3
: >"$O/poked"
for gpa in 0x405000 0x4a3000 0x712000; do
	poke $rpid $((gpa)) $((24 << 20)) '\125' && echo "$gpa" >>"$O/poked"
done
waitfor "$O/churn_poke.out" 'churn: verify FAIL'
pgenc ctl "$S" wait --timeout 10 >/dev/null 2>&1
pgenc ctl "$S" stats --json >"$O/churn_poke_stats.json" 2>&1
stop churn_poke "$S"

[ "${1:-}" = mig ] || { echo "no migration part (no sevsim SEND/RECEIVE)" >"$O/mig.skip"; }
[ -e "$O/mig.skip" ] || . /mig-scenario.sh

echo "=== PGENC-CLI-OUT BEGIN"
tar -C "$O" -cf - . | gzip -c | base64
echo "=== PGENC-CLI-OUT END"
