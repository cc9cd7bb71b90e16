#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The Debian packages (make deb), checked as an operator would meet them
# (Documentation/admin-guide.rst, "DKMS"):
#  - lintian (--pedantic) reports no error and no warning (overrides, each
#    with its reason, are in debian/*.lintian-overrides);
#  - in a clean chroot of this machine's Debian (mmdebstrap, variant apt,
#    plus the packages' dependencies: the base), the four packages
#    install; DKMS builds kvm.ko and kvm-amd.ko for the installed headers
#    (dkms status: installed), modinfo shows VERSION, `pgenc --version`
#    runs, the bash completion completes, a program builds with
#    pkg-config against libpgenc-dev;
#  - purging them leaves the chroot's files as they were before the
#    install (paths and types, /var/cache and /var/log aside).
# Prints TAP (tests/tap.sh); exits 1 on a failure.
#
#   scripts/check-deb.sh [--no-build]
#   --no-build   check the packages already in $BUILD/deb/
#
# The base is made once and kept as $PGENC_DEB_CACHE/base-<key>.tar
# (default $BUILD/deb-chroot/; a directory outside the tree keeps it
# across clones, as CI's are; key: the hash of its package list and of
# the apt sources); packages
# come through the host's apt cache (/var/cache/apt/archives, bind
# mounted), so a warm run downloads nothing. Remove $BUILD/deb-chroot/
# to make a new base. Mostly I/O plus one kbuild of KVM: it can run
# beside the VM lanes. Needs root, mmdebstrap, lintian, debhelper,
# dh-dkms (scripts/deps.sh --test).
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$REPO/build}
# shellcheck source=tests/tap.sh
. "$REPO/tests/tap.sh"

build=1
case ${1:-} in
--no-build) build=0 ;;
"") ;;
*) echo "check-deb: usage: $0 [--no-build]" >&2; exit 2 ;;
esac
if ((EUID != 0)); then
	skip "packages in a chroot" "needs root (mmdebstrap, chroot, mounts)"
	tap_done
fi
for t in mmdebstrap lintian dpkg-buildpackage dh_dkms; do
	command -v "$t" >/dev/null || { notok "check-deb: $t is installed" "scripts/deps.sh --test"; tap_done; }
done

version=$(tr -d ' \n' <"$REPO/VERSION")
debs=$BUILD/deb
log=$BUILD/deb-chroot
mkdir -p "$log"
if ((build)); then
	check "make deb (scripts/build-deb.sh)" "$REPO/scripts/build-deb.sh" || tap_done
fi
pkgs=(pgenc-dkms pgenc libpgenc0 libpgenc-dev)
files=()
for p in "${pkgs[@]}"; do
	f=$(compgen -G "$debs/${p}_${version}_*.deb" | head -n 1)
	[[ -n $f ]] || { notok "package $p $version in $debs" "missing: make deb"; tap_done; }
	files+=("$f")
done

# lintian: errors and warnings fail; infos and pedantic tags are shown.
if lintian --pedantic --fail-on error,warning "$debs"/pgenc_"$version"_*.changes >"$log/lintian.log" 2>&1; then
	ok "lintian: no errors or warnings"
else
	notok "lintian: no errors or warnings" "$(grep -E '^[EW]:' "$log/lintian.log")"
fi
grep -E '^[IP]:' "$log/lintian.log" | sed 's/^/# /'

# The base: what the packages depend on, from this machine's sources.
# The running kernel is not Debian's on CI: the headers are
# linux-headers-amd64's, and DKMS builds for them.
base_pkgs=dkms,openssl,kmod,patch,xz-utils,linux-headers-amd64,linux-source-6.1,libjansson4,libpng16-16,libssl3,libssl-dev,pkgconf,gcc,libc6-dev
sources=(/etc/apt/sources.list.d/*.sources /etc/apt/sources.list)
mapfile -t sources < <(ls "${sources[@]}" 2>/dev/null)
key=$( (echo "$base_pkgs"; cat "${sources[@]}") | sha256sum | cut -c1-12)
cache=${PGENC_DEB_CACHE:-$log}
mkdir -p "$cache"
base=$cache/base-$key.tar
if [[ ! -f $base ]]; then
	rm -f "$cache"/base-*.tar
	# --skip=download/empty: the host's cache is bind-mounted, never emptied.
	# shellcheck disable=SC2016 # mmdebstrap's hooks expand $1
	if mmdebstrap --variant=apt --format=tar --skip=download/empty \
		--aptopt='Acquire::Check-Valid-Until "false"' --include="$base_pkgs" \
		--setup-hook='mkdir -p "$1/var/cache/apt/archives" && mount -o bind /var/cache/apt/archives "$1/var/cache/apt/archives"' \
		--customize-hook='umount "$1/var/cache/apt/archives"' \
		"$(. /etc/os-release && echo "$VERSION_CODENAME")" "$base.tmp" "${sources[@]}" >"$log/mmdebstrap.log" 2>&1; then
		mv "$base.tmp" "$base"
		ok "chroot base made (mmdebstrap --variant=apt)"
	else
		rm -f "$base.tmp"
		notok "chroot base made (mmdebstrap --variant=apt)" "$(tail -n 5 "$log/mmdebstrap.log")"
		tap_done
	fi
fi

root=$log/root
mounted=()
cleanup() {
	local m
	for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || umount -l "$m"; done
	mounted=()
}
trap cleanup EXIT
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xf "$base" || { notok "the chroot base unpacks" "$base: remove it and rerun"; tap_done; }
for m in proc dev/pts var/cache/apt/archives; do
	mkdir -p "$root/$m"
	case $m in
	proc) mount -t proc proc "$root/proc" ;;
	dev/pts) mount -t devpts devpts "$root/dev/pts" ;;
	*) mount -o bind "/$m" "$root/$m" ;;
	esac
	mounted=("$root/$m" "${mounted[@]}")
done
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"; }
# Files (path and type) outside what changes by itself. DKMS's signing
# key (/var/lib/dkms/mok.*) is dkms's: made at its first build, kept
# for every later one (Documentation/admin-guide.rst, "Secure Boot").
snapshot() {
	(cd "$root" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./var/cache -o \
		-path ./var/log -o -path ./tmp -o -path ./var/lib/apt/lists -o \
		-path './var/lib/dkms/mok.*' \) -prune -o -printf '%p %y\n') | sort
}
kver=$(cd "$root/lib/modules" && ls -d [0-9]* | sort -V | tail -n 1)

# The base has the kernel's headers, not its image: on a host, the
# image's depmod indices are there before pgenc comes, and DKMS's depmod
# rewrites them. So they exist in the base too.
in_root depmod "$kver" 2>/dev/null # no modules.order: no image
before=$(snapshot)
mkdir -p "$root/tmp/debs"
cp "${files[@]}" "$root/tmp/debs/"
in_root dpkg-query -W -f='${Package}\n' | sort >"$log/pkgs.before"
if in_root apt-get install -y -q --no-install-recommends -o Debug::pkgProblemResolver=0 \
	"${files[@]/#$debs//tmp/debs}" >"$log/install.log" 2>&1; then
	ok "the four packages install in a clean $(. /etc/os-release && echo "$VERSION_CODENAME") chroot"
else
	notok "the four packages install in a clean chroot" "$(tail -n 15 "$log/install.log")"
	tap_done
fi
in_root dpkg-query -W -f='${Package}\n' | sort >"$log/pkgs.after"
extra=$(comm -13 "$log/pkgs.before" "$log/pkgs.after" | grep -vxF -f <(printf '%s\n' "${pkgs[@]}") | tr '\n' ' ')
[[ -z $extra ]] && ok "nothing installed beyond the four packages" ||
	notok "nothing installed beyond the four packages" "also installed: $extra(add them to the base)"

expect "dkms status: pgenc $version installed for $kver" 0 in_root dkms status pgenc
has "^pgenc/$version, $kver, x86_64: installed"
done_
mods=$root/lib/modules/$kver/updates/dkms
expect "modinfo: kvm.ko and kvm-amd.ko in updates/dkms, version $version" 0 \
	"$REPO/scripts/check-install.sh" --modversion "$mods"
has "^check-install: version $version\$"
done_
expect "signed with DKMS's key (Secure Boot)" 0 in_root modinfo -F signer "/lib/modules/$kver/updates/dkms/kvm-amd.ko"
has '^DKMS module signing key$'
done_
expect "modprobe would load them: modinfo -n kvm points to updates/dkms" 0 in_root modinfo -k "$kver" -n kvm
has "^/lib/modules/$kver/updates/dkms/kvm\\.ko"
done_
expect "pgenc --version" 0 in_root pgenc --version
has "$version"
done_
# shellcheck disable=SC2016 # expanded in the chroot
expect "bash completion: pgenc bitmap s<TAB>" 0 in_root bash -c \
	'. /usr/share/bash-completion/completions/pgenc; COMP_WORDS=(pgenc bitmap s); COMP_CWORD=2; _pgenc pgenc; echo "${COMPREPLY[*]}"'
has '^show$'
done_
cat >"$root/tmp/vmm.c" <<'C'
#include <pgenc/pgenc.h>
#include <stdio.h>
int main(void)
{
	printf("%s\n", pgenc_version());
	return 0;
}
C
# shellcheck disable=SC2016 # expanded in the chroot
expect "libpgenc-dev: a program builds with pkg-config and runs" 0 in_root sh -c \
	'cc -std=c11 /tmp/vmm.c -o /tmp/vmm $(pkg-config --cflags --libs pgenc) && /tmp/vmm'
has "^$version\$"
done_
schemas=$(find "$root/usr/share/pgenc/schema" -name '*.schema.json' | wc -l)
((schemas >= 7)) && ok "libpgenc-dev: the JSON Schemas ($schemas)" ||
	notok "libpgenc-dev: the JSON Schemas" "$schemas in /usr/share/pgenc/schema"

rm -rf "$root/tmp/debs" "$root/tmp/vmm" "$root/tmp/vmm.c"
if in_root apt-get purge -y -q "${pkgs[@]}" >"$log/purge.log" 2>&1; then
	ok "apt-get purge of the four packages"
else
	notok "apt-get purge of the four packages" "$(tail -n 15 "$log/purge.log")"
fi
left=$(diff <(echo "$before") <(snapshot) | grep '^[<>]') || true
[[ -z $left ]] && ok "purge leaves no file behind (and removes none)" ||
	notok "purge leaves no file behind (and removes none)" "$(head -n 20 <<<"$left")"
cleanup
rm -rf "$root"
tap_done
