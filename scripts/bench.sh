#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make bench`: pgenc's benchmarks, each figure beside its baseline,
# measured side by side in one run of the test VM (Debian's $KVER kernel
# under QEMU TCG, our modules, kvm_amd sevsim=1). Builds what it needs,
# boots the VM once, runs bench/vm.sh there and decodes the results on the
# host (bench/report.py):
#
# then bench/migrate.sh there: the migration part (pgenc run --churn,
# pgenc migrate with the bitmap and with --no-bitmap).
#
#   stdout                  one markdown table: figure, ours median
#                           [min-max], baseline median, ratio, target,
#                           met/MISSED; then the profiles of the misses
#   $BUILD/bench/results.json  every figure, series, sample and profile
#   $BUILD/bench/bench.png     cost against size: GET/SET and hypercall 12
#   $BUILD/bench/table.md      the table; raw.jsonl, vm.log: the VM's output
#
# $BUILD is the series' build root (scripts/kver.sh): build/ for 6.1,
# build/6.12/ for 6.12, so each series keeps its own results.
#
# The KVM guests are nested (L2) under an emulated CPU: absolute times are
# meaningless, only ratios of the same run carry over, and not all of them
# (Documentation/benchmarks.rst). A missed target does not fail the run:
# the exit status is 0 when every part ran, whatever the figures say.
#
# Usage: scripts/bench.sh [--no-build] [--reps N]
#   --no-build   skip deps and builds (use what $BUILD holds)
#   --reps N     repetitions of every figure (default 7, at least 5)
# Environment: KVER, SERIES, BUILD etc. as in scripts/kver.sh.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/kver.sh
. "$repo/scripts/kver.sh"
build=$BUILD
out=$build/bench
nobuild=0
reps=7
while (($#)); do
	case $1 in
	--no-build) nobuild=1; shift ;;
	--reps) reps=${2:?--reps needs a number}; shift 2 ;;
	*) sed -n '/^# Usage:/,/^# Environment/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
if ! [[ $reps =~ ^[0-9]+$ ]] || ((reps < 5 || reps > 64)); then
	echo "bench.sh: --reps must be 5..64" >&2
	exit 2
fi

say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\n\033[1;31mbench FAILED: %s\033[0m\n' "$*" >&2; exit 1; }
t0=$SECONDS
mkdir -p "$out"

if ((!nobuild)); then
	say "dependencies (scripts/deps.sh)"
	"$repo/scripts/deps.sh" >&2 || die "scripts/deps.sh"
	# libpgenc needs OpenSSL's headers; the plot needs gnuplot.
	missing=()
	for p in libssl-dev gnuplot-nox; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if ((${#missing[@]})); then
		echo "bench: installing ${missing[*]}" >&2
		sudo=()
		((EUID == 0)) || sudo=(sudo)
		DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
			--no-install-recommends "${missing[@]}" >&2 || die "apt-get install ${missing[*]}"
	fi
	say "kvm.ko + kvm-amd.ko (scripts/build-modules.sh)"
	"$repo/scripts/build-modules.sh" >"$out/build-modules.log" 2>&1 ||
		{ tail -30 "$out/build-modules.log" >&2; die "building the modules (log: $out/build-modules.log)"; }
	tail -n1 "$out/build-modules.log" >&2
	say "selftest library, libpgenc, pgenc-bench (bench/build.sh)"
	"$repo/bench/build.sh" >"$out/build.log" 2>&1 ||
		{ tail -30 "$out/build.log" >&2; die "bench/build.sh (log: $out/build.log)"; }
	tail -n1 "$out/build.log" >&2
	say "pgenc, for the migration part (make -C tools/pgenc)"
	make -C "$repo/tools/pgenc" O="$build" >"$out/pgenc-build.log" 2>&1 ||
		{ tail -30 "$out/pgenc-build.log" >&2; die "make -C tools/pgenc (log: $out/pgenc-build.log)"; }
fi
for f in "$build/modules/kvm.ko" "$build/modules/kvm-amd.ko" "$out/bin/pgenc-bench" \
	"$build/bin/pgenc"; do
	[[ -f $f ]] || die "missing $f (run without --no-build)"
done
command -v python3 >/dev/null || die "python3 missing (scripts/deps.sh installs it)"

# The host, for the record: the VM's own view is reported from inside.
host_json() {
	local model qemu load
	model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
	qemu=$(qemu-system-x86_64 --version | head -n1)
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	python3 - "$model" "$(nproc)" "$qemu" "$(uname -r)" "$load" \
		"$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$reps" <<'PY'
import json, sys
k = ["cpu", "cpus", "qemu", "kernel", "loadavg_at_start", "commit", "date",
     "reps"]
print(json.dumps(dict(zip(k, sys.argv[1:]))))
PY
}
host_json >"$out/host.json"

say "the benchmarks in the test VM ($KVER, QEMU TCG, nested KVM, kvm_amd sevsim=1)"
rm -rf "$out/empty" && mkdir -p "$out/empty"
vm_t0=$SECONDS
set +e
"$repo/selftests/vm/run.sh" --stall 300 --modparam kvm_amd:sevsim=1 --tests "$out/empty" \
	--out "$out/vm" --timeout 2400 \
	--extra-file "$out/bin/pgenc-bench:/bin/pgenc-bench" \
	--extra-file "$repo/bench/vm.sh:/bench.sh" --extra-file "$build/bin/pgenc:/bin/pgenc" \
	--extra-file "$repo/bench/migrate.sh:/bench-migrate.sh" \
	--extra-file "$repo/tests/cli/migrate/churn-lib.sh:/churn-lib.sh" --cmd "sh /bench.sh $reps" \
	>"$out/vm.log" 2>&1 &
vm_pid=$!
# Progress: one line per finished part.
tail -n +1 -s 1 -f --pid="$vm_pid" "$out/vm.log" 2>/dev/null |
	sed -un 's/^PGENC-BENCH {"name": "part", "info": {"part": "\([a-z]*\)", "seconds": \([0-9.]*\)}}.*/  \1: done in \2 s/p' >&2
wait "$vm_pid"
vm_rc=$?
set -e
vm_secs=$((SECONDS - vm_t0))

tr -d '\r' <"$out/vm/results.tap" |
	sed -n '/^PGENC-BENCH-BEGIN$/,/^PGENC-BENCH-END/p' >"$out/vm-results.txt" || true
end=$(sed -n 's/^PGENC-BENCH-END \([0-9]*\)$/\1/p' "$out/vm-results.txt")
if ((vm_rc != 0)) || [[ $end != 0 ]]; then
	tail -40 "$out/vm.log" >&2
	die "the VM run (run.sh exit $vm_rc, pgenc-bench exit ${end:-none}; log: $out/vm.log, console: $out/vm/console.log)"
fi
sed -n 's/^PGENC-BENCH {/{/p' "$out/vm-results.txt" >"$out/raw.jsonl"

say "results"
python3 "$repo/bench/report.py" "$out/raw.jsonl" "$out" --host "$out/host.json" |
	tee "$out/table.md"
echo
echo "bench: done in $((SECONDS - t0)) s (VM $vm_secs s); $out/results.json, $out/bench.png"
