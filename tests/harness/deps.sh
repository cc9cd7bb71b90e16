# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# scripts/deps.sh (make deps) with fake dpkg-query, apt-get and sudo first
# in PATH: dpkg-query reports every package installed except those in
# $FAKE_MISSING; apt-get and sudo only record their calls. Nothing is
# installed and no root is needed.

dd_=$(scratch deps)
mkdir -p "$dd_/bin"
cat >"$dd_/bin/dpkg-query" <<'EOF'
#!/bin/bash
# dpkg-query -W -f='${Status}' PKG
pkg=${!#}
for m in $FAKE_MISSING; do
	[[ $m != "$pkg" ]] || { echo "dpkg-query: no packages found matching $pkg" >&2; exit 1; }
done
printf 'install ok installed'
EOF
for tool in apt-get sudo; do
	cat >"$dd_/bin/$tool" <<EOF
#!/bin/bash
echo "$tool \$*" >>"\$FAKE_LOG"
[[ $tool != sudo ]] || exec "\$@"
# FAKE_APT_FAIL=1: the install fails (the update still works).
[[ \$1 != install || \${FAKE_APT_FAIL:-} != 1 ]]
EOF
done
chmod +x "$dd_/bin"/*

# deps MISSING [args]: run deps.sh with those packages missing.
deps() {
	local missing=$1
	shift
	: >"$dd_/log"
	env PATH="$dd_/bin:$PATH" FAKE_MISSING="$missing" FAKE_LOG="$dd_/log" \
		FAKE_APT_FAIL="${FAKE_APT_FAIL:-}" \
		"$REPO/scripts/deps.sh" "$@"
}
apt_calls() { grep -c '^apt-get' "$dd_/log"; }

expect "deps: all present: nothing to do" 0 deps ""
has '^deps: all [0-9]+ packages present$'
[[ ! -s $dd_/log ]] || why "apt-get or sudo called: $(cat "$dd_/log")"
done_

expect "deps: two missing: apt-get installs exactly them" 0 deps "qemu-system-x86 sparse"
has '^deps: installing qemu-system-x86 sparse$'
grep -qx 'apt-get update -q' "$dd_/log" || why "no apt-get update"
grep -qx 'apt-get install -y -q --no-install-recommends qemu-system-x86 sparse' "$dd_/log" ||
	why "install line wrong: $(cat "$dd_/log")"
[[ $(apt_calls) == 2 ]] || why "want 2 apt-get calls, got $(apt_calls)"
# Root runs apt-get itself; anyone else through sudo.
if ((EUID == 0)); then
	! grep -q '^sudo' "$dd_/log" || why "sudo used as root"
else
	[[ $(grep -c '^sudo apt-get' "$dd_/log") == 2 ]] || why "apt-get not through sudo"
fi
done_

FAKE_APT_FAIL=1 expect "deps: a failing apt-get fails make deps" nz deps busybox-static
[[ $(apt_calls) -ge 1 ]] || why "apt-get not called"
done_

expect "deps --check: missing listed, nothing installed" 1 deps "cpio libnuma-dev" --check
has '^deps: missing cpio libnuma-dev$'
[[ ! -s $dd_/log ]] || why "apt-get or sudo called: $(cat "$dd_/log")"
done_

expect "deps --check: all present" 0 deps "" --check
has '^deps: all [0-9]+ packages present$'
done_

# What the build and the tests need must be in the list (a package dropped from it
# would never be installed on a fresh machine).
need="linux-headers-amd64 linux-source-6.1 libssl-dev debhelper dh-dkms linux-image-amd64 qemu-system-x86 busybox-static cpio libnuma-dev sparse clang-format python3-jsonschema lintian mmdebstrap"
expect "deps: the packages the build and tests need are all required" 1 deps "$need" --check
has "^deps: missing $need\$"
done_

# --build: what a host (and make deb) needs, no test VM, QEMU or lint;
# --test: the rest, no compiler or kernel headers twice.
expect "deps --build: the build's packages only" 1 deps "$need gcc" --build --check
has "^deps: missing linux-headers-amd64 linux-source-6\\.1 gcc libssl-dev debhelper dh-dkms\$"
done_
expect "deps --test: the tests' packages only" 1 deps "$need gcc" --test --check
has "^deps: missing linux-image-amd64 qemu-system-x86 busybox-static cpio libnuma-dev sparse clang-format python3-jsonschema lintian mmdebstrap\$"
done_
expect "deps --build --test: refused" 2 deps "" --build --test
has '^deps: --build and --test exclude each other'
done_

# KVER picks the kernel packages: the image (unsigned, or the signed one
# already installed), headers and source of its series.
k612=6.12.118+deb12-amd64
KVER=$k612 expect "deps: KVER=6.12.N installs that kernel's packages" 0 \
	deps "linux-image-$k612-unsigned linux-image-$k612 linux-headers-$k612 linux-source-6.12"
has "^deps: installing linux-headers-${k612//+/\\+} linux-source-6\\.12 linux-image-${k612//+/\\+}-unsigned\$"
done_
KVER=$k612 expect "deps: KVER's signed image will do" 0 deps "linux-image-$k612-unsigned"
has '^deps: all [0-9]+ packages present$'
done_
