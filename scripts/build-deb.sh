#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make deb: the Debian packages pgenc-dkms, pgenc, libpgenc0 and
# libpgenc-dev (debian/), built with dpkg-buildpackage in a copy of the
# tree under $BUILD/deb/ (git's tracked and untracked-but-not-ignored
# files, so work in progress is packaged and the tree is never written),
# into $BUILD/deb/*.deb. The version is VERSION's, in a changelog entry
# written into the copy. Documentation/admin-guide.rst, "DKMS".
#
#   scripts/build-deb.sh
# Needs debhelper, dh-dkms and the libraries' -dev packages
# (scripts/deps.sh --build). One "build-deb: error:" line on failure.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$REPO/build}
die() {
	echo "build-deb: error: $*" >&2
	exit 1
}

version=$(tr -d ' \n' <"$REPO/VERSION")
# dkms.conf names the series with hook patches: the same as kernel/patches/.
series=$(cd "$REPO/kernel/patches" && ls -d */ | tr -d / | sort -V | paste -sd'|' | sed 's/\./\\./g')
grep -qxF "BUILD_EXCLUSIVE_KERNEL=\"^($series)\\.\"" "$REPO/dkms.conf" ||
	die "dkms.conf's BUILD_EXCLUSIVE_KERNEL is not ^($series)\\. (the series of kernel/patches/)"
out=$BUILD/deb
src=$out/pgenc-$version
command -v dpkg-buildpackage >/dev/null && command -v dh_dkms >/dev/null ||
	die "dpkg-buildpackage or dh_dkms missing (scripts/deps.sh --build)"
rm -rf "$out"
mkdir -p "$src"
if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$REPO" ls-files -z --cached --others --exclude-standard |
		(cd "$REPO" && tar --null -T - --ignore-failed-read -cf -) | tar -xf - -C "$src"
else
	(cd "$REPO" && tar --exclude=./build -cf - .) | tar -xf - -C "$src"
fi
# The date of the last commit keeps rebuilds of one commit identical.
when=$(git -C "$REPO" log -1 --format=%aD 2>/dev/null) || when=$(date -R)
cat >"$src/debian/changelog" <<CL
pgenc ($version) unstable; urgency=medium

  * pgenc $version (VERSION); the project's history is its git log.

 -- pgenc developers <pgenc@example.org>  $when
CL
log=$out/build.log
(cd "$src" && dpkg-buildpackage -us -uc -b -j"$(nproc)") >"$log" 2>&1 ||
	die "dpkg-buildpackage failed (see $log): $(grep -m1 -E 'error|Error' "$log")"
rm -rf "$src"
ls "$out"/*.deb >/dev/null 2>&1 || die "no .deb in $out"
echo "build-deb: $(cd "$out" && echo ./*.deb | sed 's|\./||g') in $out"
