#!/usr/bin/env bash
# Install, with apt, what pgenc needs. Does nothing (and needs no root)
# when everything is already there.
# Documentation/admin-guide.rst, "Building"
#
#   scripts/deps.sh [--build | --test] [--check]
#   --build   what a host needs to build and install pgenc (kbuild, the
#             target kernel's headers and KVM sources, the CLI's and
#             libpgenc's libraries) and to build the packages (make deb):
#             nothing more goes on a production hypervisor
#   --test    what the tests and CI need besides: the target kernel's
#             image for the test VM, QEMU, busybox, the style gates,
#             sanitizers, lintian and mmdebstrap (make check-all)
#   (neither) both: a developer's machine (make deps)
#   --check   install nothing: list what is missing, exit 1 if anything is
#
# KVER (e.g. 6.12.118+deb12-amd64) picks the target kernel: its image
# (linux-image-$KVER-unsigned, or the signed one if that is installed),
# headers and its series' source. Without KVER, SERIES (default 6.1)
# picks the newest of the series, through Debian's meta-packages.
set -euo pipefail

check_only=0 want_build=1 want_test=1
for a in "$@"; do
	case $a in
	--check) check_only=1 ;;
	--build) want_test=0 ;;
	--test) want_build=0 ;;
	*) echo "deps: usage: $0 [--build | --test] [--check]" >&2; exit 2 ;;
	esac
done
((want_build || want_test)) || { echo "deps: --build and --test exclude each other (neither: both)" >&2; exit 2; }

# The target kernel: image for the test VM, headers for kbuild, and the
# KVM sources (stage-kvm.sh checks that headers and sources match). An
# entry "a|b" is met by either package; a is the one installed.
# shellcheck source=scripts/series.sh
. "$(dirname "$0")/series.sh"
if [[ -n ${KVER:-} ]]; then
	series_check "$(series_of "$KVER")" "deps: KVER=$KVER" || exit 2
	kernel=("linux-image-$KVER-unsigned|linux-image-$KVER" "linux-headers-$KVER"
		"linux-source-$(series_of "$KVER")")
elif [[ ${SERIES:-6.1} == 6.1 ]]; then
	kernel=(linux-image-amd64 linux-headers-amd64 linux-source-6.1)
else
	series_check "$SERIES" "deps: SERIES=$SERIES" || exit 2
	kernel=("linux-image-$SERIES-amd64" "linux-headers-$SERIES-amd64" "linux-source-$SERIES")
fi
build=(
	"${kernel[@]:1}"
	# kbuild and the module tools
	gcc make patch xz-utils kmod bc
	# libpgenc and the pgenc CLI (static libcrypto, libpng, libjansson:
	# the control protocol's JSON)
	pkg-config libpng-dev zlib1g-dev libjansson-dev libssl-dev
	# make deb
	dpkg-dev debhelper dh-dkms
)
test=(
	"${kernel[0]}"
	# make check-debug builds a kernel from the tarball
	flex bison libelf-dev
	# the test VM
	qemu-system-x86 busybox-static cpio
	# the KVM selftest library; libcrypto for measurements in tests
	libnuma-dev linux-libc-dev
	# style gates (checkpatch is perl; check-uapi compiles C++) and
	# sanitizers / libFuzzer
	sparse clang clang-format libclang-rt-14-dev g++ perl shellcheck
	python3-docutils
	# CLI tests: JSON checks and the JSON Schemas, man page rendering,
	# a pty
	python3 python3-jsonschema groff-base bsdutils
	# make bench: the plot
	gnuplot-nox
	# scripts/check-deb.sh: the packages' lint and a clean chroot
	lintian mmdebstrap
)
pkgs=()
((!want_build)) || pkgs+=("${build[@]}")
((!want_test)) || pkgs+=("${test[@]}")

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}
missing=()
for p in "${pkgs[@]}"; do
	IFS='|' read -ra alt <<<"$p"
	for a in "${alt[@]}"; do
		! installed "$a" || continue 2
	done
	missing+=("${alt[0]}")
done
if ((${#missing[@]} == 0)); then
	echo "deps: all ${#pkgs[@]} packages present"
	exit 0
fi

if ((check_only)); then
	echo "deps: missing ${missing[*]}"
	exit 1
fi
echo "deps: installing ${missing[*]}"
sudo=()
((EUID == 0)) || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
