#!/bin/bash
# How often does a test VM wedge? Runs one VM workload N times in a row,
# each with the stall watchdog, and prints one line per run (stalled or not, verdict, wall
# time, host load average before and after), then the rate. README.md,
# "Wedged guests", has the figures this measured and the commands.
#
#   selftests/vm/stall-rate.sh [--runs N] [--out DIR] [RUN.SH ARGS...]
#
#   --runs N   how many runs (default 20)
#   --out DIR  run.sh's --out for every run (default build/vm-stall); a
#              stalled run's vCPU dump and console are kept there as
#              stall.<i>.txt and console.<i>.log, and every line printed
#              goes to DIR/rate.log too
#   RUN.SH ARGS  the workload, as run.sh takes it (default:
#              --only page_enc_stress_test --modparam kvm_amd:sevsim=1,
#              the interleaved hypercall storm and the 20-reload cycle)
#
# --stall defaults to 120 s here (a wedge then costs two minutes); give
# --stall to run.sh's args to change it. PGENC_VM_TCG_THREAD=multi
# measures multi-threaded TCG (run.sh). Exit 0 when no run stalled.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/kver.sh"

runs=20
out=$BUILD/vm-stall
while (($#)); do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) break ;;
	esac
done
(($#)) || set -- --only page_enc_stress_test --modparam kvm_amd:sevsim=1
[[ " $* " == *" --stall "* ]] || set -- --stall 120 "$@"
mkdir -p "$out"
log=$out/rate.log
: >"$log"
say() { echo "$*" | tee -a "$log"; }

load() { cut -d' ' -f1 /proc/loadavg; }
say "stall-rate: $runs runs, TCG thread=${PGENC_VM_TCG_THREAD:-single}, $(nproc) host CPUs: run.sh $*"
stalled=0 failed=0 times=()
for ((i = 1; i <= runs; i++)); do
	l0=$(load) t0=$(date +%s.%N) rc=0
	"$here/run.sh" "$@" --out "$out" >"$out/run.log" 2>&1 || rc=$?
	secs=$(echo "$(date +%s.%N) - $t0" | bc)
	times+=("$secs")
	what=pass
	if [[ -f $out/stalled ]]; then
		what=STALLED stalled=$((stalled + 1))
		cp "$out/stall.txt" "$out/stall.$i.txt" 2>/dev/null || true
		cp "$out/console.log" "$out/console.$i.log"
	elif ((rc != 0)); then
		what="FAIL (exit $rc)" failed=$((failed + 1))
		cp "$out/run.log" "$out/run.$i.log"
	fi
	say "$(printf 'run %2d: %-8s %6.1f s  load %s -> %s' "$i" "$what" "$secs" "$l0" "$(load)")"
done
stats=$(printf '%s\n' "${times[@]}" | sort -n |
	awk '{ t[NR] = $1; s += $1 } END { printf "mean %.1f s, median %.1f s, min %.1f s, max %.1f s", s / NR, t[int((NR + 1) / 2)], t[1], t[NR] }')
say "stall-rate: $stalled of $runs runs stalled, $failed failed otherwise; wall time $stats"
((stalled == 0))
