# shellcheck shell=bash
# Sourced, not run: the kernel series pgenc supports, which are the
# directories of hook patches under $PGENC_PATCHES (default
# kernel/patches; Documentation/admin-guide.rst, "Adding a kernel series").
#
#   . scripts/series.sh
#   series_of RELEASE        prints the series of a release (6.12.118+deb12-amd64: 6.12)
#   series_want              the series asked for: SERIES, else KVER's, else 6.1
#   series_check SERIES WHAT returns 1 with one line on stderr, naming
#                            WHAT and the supported series, if unsupported
#   series_build SERIES      the default build root of a series: build/
#                            for 6.1, build/SERIES/ for any other, so that
#                            series coexist
#   series_running           prints the running kernel's release (uname -r)
#                            if pgenc can build for it: a supported series
#                            and its headers installed
#                            (/lib/modules/RELEASE/build); returns 1 with
#                            nothing printed otherwise

series_of() {
	echo "$1" | cut -d. -f1,2
}

series_want() {
	if [[ -n ${SERIES:-} ]]; then
		echo "$SERIES"
	else
		series_of "${KVER:-6.1}"
	fi
}

series_check() {
	local root=${PGENC_PATCHES:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/kernel/patches}
	local d supported=
	[[ -n $1 && -d $root/$1 ]] && return 0
	for d in "$root"/*/; do
		[[ -d $d ]] && supported+="$(basename "$d") "
	done
	echo "$2: no hook patch set for kernel series ${1:-?}; supported: ${supported% }" >&2
	return 1
}

series_build() {
	local top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build
	if [[ $1 == 6.1 ]]; then
		echo "$top"
	else
		echo "$top/$1"
	fi
}

series_running() {
	local r
	r=$(uname -r) || return 1
	[[ -e /lib/modules/$r/build/Makefile ]] || return 1
	series_check "$(series_of "$r")" series_running 2>/dev/null || return 1
	echo "$r"
}
