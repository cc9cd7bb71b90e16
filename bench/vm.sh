#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the test VM (selftests/vm/run.sh --cmd "sh /bench.sh REPS"):
# describes the machine, runs every benchmark part once (pgenc-bench's,
# then bench/migrate.sh's) and frames the results for scripts/bench.sh,
# which decodes them on the host.
#
#   PGENC-BENCH-BEGIN
#   PGENC-BENCH {...}        one line per series or fact (bench/bench.h)
#   PGENC-BENCH-END <0 when pgenc-bench and the migration part ran>

reps=${1:-7}

# A JSON string of $1, minus the characters that would need escaping.
# shellcheck disable=SC1003 # '"\\' is a quote and a backslash for tr
json_str() {
	printf '"%s"' "$(printf '%s' "$1" | tr -d '"\\\\' | tr '\t' ' ')"
}

echo "PGENC-BENCH-BEGIN"
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
flags=$(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -n1)
has() { case " $flags " in *" $1 "*) echo true ;; *) echo false ;; esac; }
mem=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
printf 'PGENC-BENCH {"name": "vm", "info": {"kernel": %s, "cpu": %s, "cpus": %s, "mem_kib": %s, "erms": %s, "fsrm": %s, "avx2": %s, "nrips": %s, "kvm_version": %s, "sevsim": %s, "mem_auto_init": %s}}\n' \
	"$(json_str "$(uname -r)")" "$(json_str "$model")" \
	"$(grep -c '^processor' /proc/cpuinfo)" "${mem:-0}" \
	"$(has erms)" "$(has fsrm)" "$(has avx2)" \
	"$(json_str "$(cat /sys/module/kvm_amd/parameters/nrips 2>/dev/null)")" \
	"$(json_str "$(cat /sys/module/kvm/version 2>/dev/null)")" \
	"$(json_str "$(cat /sys/module/kvm_amd/parameters/sevsim 2>/dev/null)")" \
	"$(json_str "$(dmesg | sed -n 's/.*mem auto-init: //p' | head -n1)")"

/bin/pgenc-bench --reps "$reps" all
rc=$?
# The migration part (bench/migrate.sh), when scripts/bench.sh shipped it.
if [ -f /bench-migrate.sh ]; then
	sh /bench-migrate.sh "$reps" || rc=1
fi
echo "PGENC-BENCH-END $rc"
exit $rc
