#!/usr/bin/env bash
# The vm lane of make check: the selftests in the test VM. QEMU's nested
# SVM emulation occasionally wedges a guest CPU, with no output and no
# watchdog inside the guest able to fire (selftests/vm/README.md). The
# stall watchdog stops such a run, and it is repeated once; a run that
# fails for any other reason is never retried.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${BUILD:-$repo/build}/vm
rc=1
for try in 1 2; do
	"$repo/selftests/vm/run.sh" --stall 180 "$@"
	rc=$?
	if ((rc == 0)) || [[ ! -f $out/stalled ]]; then
		exit "$rc"
	fi
	echo "vm-lane: try $try: the VM stalled (vCPU state in $out/stall.txt)" >&2
	cp "$out/stall.txt" "$out/stall.$try.txt" 2>/dev/null || true
done
exit "$rc"
