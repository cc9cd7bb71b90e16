# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# A newcomer's fresh clone (no build/): `make demo` runs its steps up to
# the test VM, and make rebuilds the CLI incrementally. The clone is
# `git clone --shared` of this tree as `git add -A` would commit it (a
# temporary index; HEAD and the real index are left alone). What needs
# root, the network or minutes is stubbed in the clone: scripts/deps.sh,
# scripts/build-modules.sh (fake .ko files), the VM runner (it stops the
# demo), apt-get and sudo; libpgenc and pgenc are built for real.

cl_=$(scratch clone)
# make as a newcomer runs it: not as a sub-make of `make harness`.
mk=(env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory)
c=$cl_/repo
idx=$cl_/index
if ! snap=$(cd "$REPO" && GIT_INDEX_FILE=$idx git read-tree HEAD &&
	GIT_INDEX_FILE=$idx git add -A &&
	git commit-tree -p HEAD -m "harness: the working tree" "$(GIT_INDEX_FILE=$idx git write-tree)") ||
	! git clone -q --shared --no-checkout "$REPO" "$c" || ! git -C "$c" checkout -q "$snap"; then
	notok "clone: a git clone of the working tree"
fi

if [[ -f $c/scripts/demo.sh ]]; then
	# The demo's own stubs, each leaving a line to find in its output.
	printf '#!/bin/sh\necho "stub: deps.sh"\n' >"$c/scripts/deps.sh"
	cat >"$c/scripts/build-modules.sh" <<'EOF'
#!/bin/sh
b=${BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build}
mkdir -p "$b/modules" && touch "$b/modules/kvm.ko" "$b/modules/kvm-amd.ko"
echo "stub: build-modules.sh"
EOF
	# shellcheck disable=SC2016 # demo.sh's own text: "$repo/.../run.sh"
	vm=$(grep -oE '"\$repo/[^"]*/run\.sh"' "$c/scripts/demo.sh" | head -n 1 | tr -d '"')
	vm=${vm#\$repo/}
	mkdir -p "$cl_/bin"
	# shellcheck disable=SC2016 # the stub's own $0 and $*
	printf '#!/bin/sh\necho "stub: $0 $*" >&2\nexit 1\n' |
		tee "$cl_/bin/apt-get" "$cl_/bin/sudo" >"$c/$vm"
	chmod +x "$c/scripts/deps.sh" "$c/scripts/build-modules.sh" "$c/$vm" "$cl_/bin"/*

	# make's own status when demo.sh fails: 2.
	expect "clone: make demo runs its steps up to the test VM" 2 \
		env -u BUILD PATH="$cl_/bin:$PATH" "${mk[@]}" -C "$c" demo
	has 'stub: deps\.sh'
	has 'stub: build-modules\.sh'
	has "stub: .*$vm"
	has 'demo FAILED: the VM session'
	hasnt 'No such file|not found|missing'
	[[ -f $c/build/demo-modules.log && -x $c/build/bin/pgenc ]] ||
		why "no build/demo-modules.log or build/bin/pgenc"
	done_
fi

# make -C tools/pgenc NAME ARGS...: $OUT and $RC, the lines make printed
# ("  CC      dump.c") in $built, one a line.
cli_make() {
	expect "$1" 0 "${mk[@]}" -C "$c/tools/pgenc" "${@:2}"
	built=$(grep -E '^  [A-Z]+ +' <<<"$OUT" | sed -E 's/^  ([A-Z]+) +/\1 /; s|/.*/||')
}

if [[ -x $c/build/bin/pgenc ]]; then
	cli_make "make -C tools/pgenc with nothing changed does nothing"
	[[ -z $built ]] || why "rebuilt: $built"
	done_

	srcs=("$c"/tools/pgenc/*.c "$c"/tools/pgenc/guest/*.[cS])
	one=${srcs[0]##*/}
	touch "$c/tools/pgenc/$one"
	cli_make "make -C tools/pgenc after touching $one: that file and the link only"
	[[ $built == "CC $one"$'\n'"LD pgenc" ]] || why "built: ${built:-nothing}"
	done_

	touch "$c/tools/lib/diff.c"
	cli_make "make -C tools/pgenc after touching tools/lib/diff.c: it, the archive and the link"
	[[ $built == "CC lib/diff.c"$'\n'"AR libpgenc.a"$'\n'"LD pgenc" ]] ||
		why "built: ${built:-nothing}"
	done_

	cli_make "make -C tools/pgenc with other flags rebuilds every object" EXTRA_CFLAGS=-DPGENC_HARNESS
	[[ $(grep -c '^CC ' <<<"$built") == "${#srcs[@]}" ]] ||
		why "want ${#srcs[@]} compiled, built: $built"
	done_

	expect "make -C tools/pgenc: a missing static library names its package" 2 \
		"${mk[@]}" -C "$c/tools/pgenc" -W "$c/tools/pgenc/$one" LIBS="z:zlib1g-dev pgencnone:pgenc-none-dev"
	has 'no static libpgencnone\.a: apt-get install zlib1g-dev pgenc-none-dev'
	done_

	sed -i 's/\. = 0x100000;/. = 0x200000;/' "$c/tools/pgenc/guest/guest.lds"
	expect "make -C tools/pgenc: the demo guest must start at its first byte" 2 \
		"${mk[@]}" -C "$c/tools/pgenc"
	has '_start is not at 0x100000'
	done_
	git -C "$c" checkout -q -- tools/pgenc/guest/guest.lds
else
	skip "make -C tools/pgenc incremental rebuilds" "no pgenc built in the clone"
fi
