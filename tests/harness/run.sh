#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host tests of the build and test harness itself: the scripts that judge
# everything else must fail when they should. Each group drives one script
# with fabricated inputs (a fake KVM tree and patch sets, consoles and TAP
# files, colliding headers, a fake apt and fake modules) in build/tests/
# harness/; nothing needs a VM, root or the network.
#
#   tap       tests/tap.sh: the counter, the step judge, the mutants
#   verdict   selftests/vm/verdict.sh: FAIL on each kind of bad run, PASS
#             on a clean one
#   stage     scripts/stage-kvm.sh: a patch that does not apply with no
#             fuzz, a series with no patch set: one error line, no tree
#             left half-patched, the previous staged tree intact
#   uapi      scripts/check-uapi.sh: fails on a colliding ioctl, cap or
#             hypercall number
#   route     scripts/check-route.sh: a sev.c whose calls renamed by
#             sev_route.h differ from the series' list stops the build
#             with one line naming them
#   install   scripts/check-install.sh --modversion, the version check
#   deps      scripts/deps.sh: no apt call when all is there, the missing
#             packages requested otherwise
#   vm        selftests/vm/vmlinux.sh and pack.sh on each installed
#             series: the PVH vmlinux out of an XZ or zstd bzImage, stock
#             .ko.xz dependencies unpacked, built-in soft ones skipped
#   lanes     the lane tables of README.md and Documentation/testing.rst
#             are what check.sh --lanes-doc writes; the comments' pointers
#             to Documentation/ sections name sections there
#   clone     a fresh clone: `make demo` up to the test VM (stubbed), then
#             make's incremental rebuilds of the CLI
#
# Usage: tests/harness/run.sh [GROUP...]    (default: all, in this order)
# Prints TAP (tests/tap.sh); exits 1 on a failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$here/../.." && pwd)
T=${BUILD:-$REPO/build}/tests/harness
export LC_ALL=C
# shellcheck source=tests/tap.sh
. "$REPO/tests/tap.sh"

groups=("${@:-tap verdict stage uapi route install deps vm lanes clone}")
# shellcheck disable=SC2068 # the default is one word list
for g in ${groups[@]}; do
	[[ -f $here/$g.sh ]] || { echo "harness: unknown group $g" >&2; exit 2; }
done
rm -rf "$T"
mkdir -p "$T"
# shellcheck disable=SC2068
for g in ${groups[@]}; do
	echo "# $g"
	# shellcheck source=/dev/null
	. "$here/$g.sh"
done

tap_done
