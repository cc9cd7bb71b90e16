#!/usr/bin/env bash
# The vm lane of make check: the selftests in the test VM, stopped by the
# stall watchdog if QEMU wedges a vCPU, and then run once more
# (selftests/vm/README.md, "Wedged guests").
exec "$(dirname "$0")/../selftests/vm/run.sh" --stall 180 --retry-stall "$@"
