#!/usr/bin/env bash
# The version our modules carry, as modinfo shows it: in every DIR given,
# kvm.ko and kvm-amd.ko must both have a version, the same one, and it
# must be the VERSION file's, as build-modules.sh stamps it:
# VERSION[+g<commit>[-dirty]]. Two modules with no version at all must
# not pass as "equal".
#
#   scripts/check-modversion.sh DIR...    e.g. build/modules and updates/
#
# Prints "check-modversion: <version>" and exits 0, or one error line and
# exits 1.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

die() {
	echo "check-modversion: error: $*" >&2
	exit 1
}

(($#)) || die "usage: $0 DIR..."
base=$(tr -d ' \n' <"$repo/VERSION")
[[ -n $base ]] || die "$repo/VERSION is empty"
# The VERSION file's dots are literal.
re="^${base//./\\.}(\\+g[0-9a-f]{4,40}(-dirty)?)?\$"
want=
for d in "$@"; do
	for m in kvm kvm-amd; do
		f=$d/$m.ko
		[[ -f $f ]] || die "$f missing"
		v=$(modinfo -F version "$f" 2>/dev/null) || die "modinfo cannot read $f"
		[[ -n $v ]] || die "$f has no version (MODULE_VERSION)"
		[[ $v =~ $re ]] || die "$f has version '$v', want VERSION ${base}[+g<commit>[-dirty]]"
		want=${want:-$v}
		[[ $v == "$want" ]] || die "$f has version '$v', but $1/kvm.ko has '$want'"
	done
done
echo "check-modversion: $want"
