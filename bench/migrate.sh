#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM after pgenc-bench (bench/vm.sh): the migration
# part of `make bench` (Documentation/benchmarks.rst, "8. Migration"),
# with the churn guest under SEV (sevsim, its plain memory mode) between
# two `pgenc run` processes. Prints PGENC-BENCH lines (bench/bench.h):
#
#   - driven by the bitmap vs --no-bitmap, interleaved, on the same
#     guest held between rounds (boot.h: so the accounting is exact):
#     mig.bitmap.total_ms / mig.nobitmap.total_ms, with every report
#     field and the guest's private and shared pages in meta;
#   - pre-copy convergence, live, bitmap, at most 5 iterations, for
#     known dirty rates (--churn-rate R: at most R + 32 pages per round):
#     mig.converge.rR.iterations, with final_pass_pages and downtime_ms;
#     the held runs above are the guest dirtying nothing.
#
#   sh /bench-migrate.sh REPS     (at most 3 repetitions are run)
# Exit: 0 when every migration ran (whatever its figures), 1 otherwise.

reps=${1:-3}
[ "$reps" -gt 3 ] && reps=3
MEM=32M
MEMB=$((32 << 20))
CMEM=16M
RATES="0 1024"
# shellcheck source=tests/cli/migrate/churn-lib.sh
. /churn-lib.sh
cd /tmp || exit 1
p=/sys/module/kvm_amd/parameters/sevsim_memcrypt
if [ ! -w $p ]; then
	echo "PGENC-BENCH {\"name\": \"migration\", \"info\": {\"skipped\": \"no $p: sevsim cannot send\"}}"
	exit 0
fi
old=$(cat $p)
echo N >$p
rc=0
t0=$(date +%s)

# key FILE KEY: an integer of a one-line JSON object.
key() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$1"; }

# one NAME MEM RATE HOLD [MIGRATE-ARGS]: a source, a target, a migration;
# NAME.json is the report, NAME.stats the source's stats before it.
one() {
	n=$1 m=$2 r=$3 h=$4
	shift 4
	rm -f s.sock t.sock in.sock
	pgenc run --churn --churn-rate "$r" --sev --mem "$m" --ctl s.sock >"$n.src" 2>&1 &
	s=$!
	waitfor "$n.src" 'churn: round 2 verify ok'
	if [ "$h" = 1 ]; then
		poke $s $((0x3ff000)) $MEMB "$HOLD"
		waitfor "$n.src" 'churn: holding'
	fi
	pgenc ctl s.sock stats --json >"$n.stats" 2>&1
	pgenc run --incoming unix:/tmp/in.sock --ctl t.sock >"$n.tgt" 2>&1 &
	t=$!
	waitfor "$n.tgt" 'waiting on'
	pgenc migrate s.sock unix:/tmp/in.sock --json "$@" >"$n.json" 2>"$n.err" || {
		rc=1
		cat "$n.err" >&2
	}
	wait $s
	pgenc ctl t.sock quit >/dev/null 2>&1
	wait $t
}

# series NAME UNIT FIELD FILES...: one PGENC-BENCH line, the samples are
# FIELD of each report; meta has every report field and the pages.
series() {
	name=$1 unit=$2 field=$3
	shift 3
	meta=
	for k in iterations pages_plain pages_zero pages_fw fw_commands \
		stream_bytes total_ms downtime_ms final_pass_pages; do
		l=
		for f in "$@"; do l="$l${l:+, }$(key "$f.json" $k)"; done
		meta="$meta\"$k\": [$l], "
	done
	for k in encrypted_pages shared_pages mem_bytes; do
		l=
		for f in "$@"; do l="$l${l:+, }$(key "$f.stats" $k)"; done
		meta="$meta\"$k\": [$l], "
	done
	l=
	for f in "$@"; do l="$l${l:+, }$(key "$f.json" "$field")"; done
	echo "PGENC-BENCH {\"name\": \"$name\", \"unit\": \"$unit\", \"samples\": [$l], \"meta\": {${meta%, }}}"
}

# (Loop variables apart from the helpers': sh has no local variables.)
rep=1
b='' nb=''
while [ $rep -le "$reps" ]; do
	one "bm$rep" $MEM 64 1
	one "nb$rep" $MEM 64 1 --no-bitmap
	b="$b bm$rep" nb="$nb nb$rep"
	rep=$((rep + 1))
done
# shellcheck disable=SC2086 # the lists split
series mig.bitmap.total_ms ms total_ms $b
# shellcheck disable=SC2086
series mig.nobitmap.total_ms ms total_ms $nb
for rate in $RATES; do
	rep=1 runs=''
	while [ $rep -le "$reps" ]; do
		one "c$rate.$rep" $CMEM "$rate" 0 --max-iterations 5
		runs="$runs c$rate.$rep"
		rep=$((rep + 1))
	done
	# shellcheck disable=SC2086
	series "mig.converge.r$rate.iterations" iterations iterations $runs
done
echo "$old" >$p
echo "PGENC-BENCH {\"name\": \"part\", \"info\": {\"part\": \"migration\", \"seconds\": $(($(date +%s) - t0))}}"
exit $rc
