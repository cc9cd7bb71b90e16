# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# A newcomer's fresh clone (no build/): `make demo` runs its steps up to
# the test VM, make rebuilds the CLI incrementally, and bench's flags key
# holds its link flags. The clone is a copy of this tree as `git add -A`
# would commit it, in a repository of its own. What needs root, the
# network or minutes is stubbed in the clone: scripts/deps.sh,
# scripts/build-modules.sh (fake .ko files), the VM runner (it stops the
# demo), apt-get and sudo; libpgenc and pgenc are built for real.

cl_=$(scratch clone)
# make as a newcomer runs it: not as a sub-make of `make harness`.
mk=(env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory)
c=$cl_/repo

# tree_copy SRC DEST: SRC's tracked and untracked, not ignored files
# committed in a new repository DEST under a fixed identity.
tree_copy() {
	mkdir -p "$2" || return
	(cd "$1" && git ls-files -co --exclude-standard -z |
		while IFS= read -r -d '' f; do
			if [[ -e $f || -L $f ]]; then printf '%s\0' "$f"; fi
		done | tar --null -T - -c) | tar -x -C "$2" || return
	cd "$2" && git init -q && git add -A &&
		GIT_AUTHOR_NAME=harness GIT_AUTHOR_EMAIL=harness@invalid \
			GIT_COMMITTER_NAME=harness GIT_COMMITTER_EMAIL=harness@invalid \
			git commit -qm "harness: the working tree"
}
# As a newcomer or a CI container: no git identity, no config.
mkdir -p "$cl_/home"
expect "clone: a copy of the working tree, with no git identity" 0 \
	env HOME="$cl_/home" GIT_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$cl_/home" \
	bash -c "$(declare -f tree_copy); tree_copy \"\$1\" \"\$2\"" copy "$REPO" "$c"
[[ -f $c/Makefile && -z $(git -C "$c" status --porcelain) ]] ||
	why "the copy lacks the Makefile or is not committed"
! git -C "$REPO" cat-file -e "$(git -C "$c" rev-parse HEAD)" 2>/dev/null ||
	why "the copy's commit was written to the repository"
done_

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

# bench's flags key (what rebuilds and relinks it) holds its link flags
# too: bench/build.sh passes both.
bf=$cl_/bench/bench/obj/flags
"${mk[@]}" -C "$c/bench" O="$cl_/bench" BENCH_LDLIBS=-lone "$bf" >/dev/null 2>&1 && cp "$bf" "$cl_/flags.one"
expect "make -C bench: other link flags change its flags key" 0 \
	"${mk[@]}" -C "$c/bench" O="$cl_/bench" BENCH_LDLIBS=-ltwo "$bf"
[[ -s $cl_/flags.one ]] || why "no flags key with -lone"
! cmp -s "$cl_/flags.one" "$bf" || why "the same key: $(cat "$bf")"
done_
