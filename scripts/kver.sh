# shellcheck shell=bash
# Sourced, not run: picks the target kernel for the build and the test VM.
#
#   . scripts/kver.sh || exit 1
#
# Exports (each overridable from the environment):
#   KVER          kernel release, default: the running kernel (uname -r)
#                 when pgenc can build for it (its series is supported,
#                 its headers are installed) and SERIES, if set, is its
#                 series; else the newest installed amd64 kernel of SERIES
#                 that has headers, an image and a modules tree, with one
#                 "kver.sh: note:" line on stderr saying why the running
#                 kernel was not taken (unless SERIES asked for another
#                 series). Documentation/admin-guide.rst, "Building"
#   SERIES        (input only) the series KVER defaults from when the
#                 running kernel is not taken, default 6.1; with KVER set
#                 it must be KVER's series
#   PGENC_BUILD_ONLY (input only) 1: KVER is only built for (DKMS, make
#                 deb's checks): its image and modules tree need not be
#                 installed, only its headers
#   KDIR          kernel build dir (headers), default /lib/modules/$KVER/build
#   KSRC_TARBALL  Debian's linux-source tarball of KVER's series, default
#                 /usr/src/linux-source-<series>.tar.xz
#   BUILD         build output root, default <repo>/build for 6.1 and
#                 <repo>/build/<series> for any other, so series coexist
#   PGENC_SERIES  KVER's series (6.1, 6.12...): a directory of hook
#                 patches under $PGENC_PATCHES (default kernel/patches)
#   PGENC_KIMAGE  (optional) a kernel image built elsewhere, e.g. the debug
#                 kernel of scripts/check-debug.sh: the test VM boots it, and
#                 KVER need not be installed in /boot and /lib/modules
#   REPO          the repository root (always derived from this file's
#                 location: a stray REPO in the environment must not win)
#
# It must not change the caller's shell options, so it avoids `set` and
# reports problems with one line on stderr and a non-zero return.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/series.sh
. "$REPO/scripts/series.sh"

_kver_err() {
	echo "kver.sh: error: $*" >&2
	return 1
}

_kver_pick() {
	# Newest first (sort -V), taking the release from the headers dirs:
	# a headers dir alone is not enough, the VM needs the image and the
	# stock modules tree of the same release. The glob's "." after the
	# series keeps 6.1 from matching 6.12.
	local d k
	for d in $(printf '%s\n' "/usr/src/linux-headers-$1."*-amd64 | sort -rV); do
		[[ -d $d ]] || continue # the unmatched glob itself
		k=${d#/usr/src/linux-headers-}
		if [[ -e /boot/vmlinuz-$k && -d /lib/modules/$k/kernel ]]; then
			echo "$k"
			return 0
		fi
	done
	return 1
}

_kver_main() {
	# The series is what the hook patches exist for; anything else stops
	# here, before any other check, with the list of what is supported.
	local want=${SERIES:-6.1} run why
	if [[ -z ${KVER:-} ]]; then
		series_check "$want" "kver.sh: error: SERIES=$want" || return 1
		if run=$(series_running) && [[ -z ${SERIES:-} || $SERIES == "$(series_of "$run")" ]]; then
			KVER=$run
		else
			KVER=$(_kver_pick "$want") ||
				{ _kver_err "no linux-headers-$want.*-amd64 with matching /boot/vmlinuz and /lib/modules (make deps SERIES=$want)"; return 1; }
			if [[ -z ${SERIES:-} ]]; then
				run=$(uname -r)
				why="has no headers (/lib/modules/$run/build)"
				[[ ! -e /lib/modules/$run/build/Makefile ]] ||
					why="is of series $(series_of "$run"), which has no hook patches"
				echo "kver.sh: note: building for $KVER, the newest $want installed: the running kernel $run $why; KVER= picks another" >&2
			fi
		fi
	fi
	PGENC_SERIES=$(series_of "$KVER")
	series_check "$PGENC_SERIES" "kver.sh: error: KVER=$KVER" || return 1
	[[ -z ${SERIES:-} || $SERIES == "$PGENC_SERIES" ]] ||
		{ _kver_err "KVER=$KVER is not of SERIES=$SERIES"; return 1; }
	KDIR=${KDIR:-/lib/modules/$KVER/build}
	KSRC_TARBALL=${KSRC_TARBALL:-/usr/src/linux-source-$PGENC_SERIES.tar.xz}
	BUILD=${BUILD:-$(series_build "$PGENC_SERIES")}

	if [[ ${PGENC_BUILD_ONLY:-} == 1 ]]; then
		: # headers only: nothing boots KVER
	elif [[ -n ${PGENC_KIMAGE:-} ]]; then
		[[ -f $PGENC_KIMAGE ]] || { _kver_err "PGENC_KIMAGE=$PGENC_KIMAGE: no such kernel image"; return 1; }
		export PGENC_KIMAGE
	else
		[[ -e /boot/vmlinuz-$KVER ]] || { _kver_err "KVER=$KVER: /boot/vmlinuz-$KVER missing (linux-image-$KVER)"; return 1; }
		[[ -d /lib/modules/$KVER/kernel ]] || { _kver_err "KVER=$KVER: /lib/modules/$KVER missing (linux-image-$KVER)"; return 1; }
	fi
	[[ -e $KDIR/Makefile ]] || { _kver_err "KDIR=$KDIR: no kernel headers there (linux-headers-$KVER)"; return 1; }
	[[ -n ${KSRC:-} || -r $KSRC_TARBALL ]] || { _kver_err "KSRC_TARBALL=$KSRC_TARBALL missing (linux-source-$PGENC_SERIES, or set KSRC to a kernel source tree)"; return 1; }
	export KVER KDIR KSRC_TARBALL BUILD REPO PGENC_SERIES
}

_kver_rc=0
_kver_main || _kver_rc=$?
unset -f _kver_err _kver_pick _kver_main
return $_kver_rc
