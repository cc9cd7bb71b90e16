#!/usr/bin/env bash
# The vm lane of make check: the selftests in the test VM, stopped by the
# stall watchdog (and failed, with a vCPU dump) if a vCPU wedges
# (selftests/vm/README.md, "Wedged guests").
exec "$(dirname "$0")/../selftests/vm/run.sh" --stall 180 "$@"
