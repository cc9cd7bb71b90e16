#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests of "pgenc bitmap export|import|show|diff" (no VM: the
# commands work on files, and on a stand-in control socket, fake_ctl.py).
# Builds pgenc (make -C tools/pgenc), then checks each command on the
# samples in samples/ against the transcript tests/cli/bitmap.cram,
# format round trips, malformed inputs (exit 1, FILE:LINE:COLUMN), bad
# arguments (exit 2, a message and a --help hint), the PNG's size and
# pixels (decoded with libpng by pngpix.c), that --json output parses,
# and that a 1 TiB guest (2^28 pages) stays small in both maps.
# Prints TAP, then "N passed, N failed, N skipped"; exits 1 on a failure.
#
# Usage: tests/cli/bitmap/run.sh [--regenerate]
# Environment: PGENC=path (test this binary, no build),
# BUILD (default build/).
# Needs: gcc, libpng-dev, python3.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/cli/cli_lib.sh
. "$here/../cli_lib.sh"
# shellcheck source=tests/cli/transcript.sh
. "$here/../transcript.sh"
t_driver bitmap "$@"
S=$here/samples
cp "$S"/* "$WORK/"

# The PNG decoder.
pngpix=$cli_out/pngpix
if make -C "$here/.." O="$cli_out" pngpix >"$cli_out/pngpix.log" 2>&1; then
	ok "build pngpix (libpng decoder)"
else
	notok "build pngpix" "$(cat "$cli_out/pngpix.log")"
	cli_summary
fi

pg() { (cd "$WORK" && "$PGENC" "$@"); }

# json NAME: the last t_run case's stdout parses as JSON.
json() {
	if python3 -m json.tool "$WORK/.out" >/dev/null 2>"$cli_out/json.err"; then
		ok "$1: stdout is valid JSON"
	else
		notok "$1: stdout is not valid JSON" "$(cat "$cli_out/json.err")"
	fi
}

# ------------------------------------------------------------ dispatcher
# (main.c: "pgenc COMMAND ...", here as the bitmap commands' front door.)
t_run main-help 0 pgenc --help
t_run main-version 0 pgenc --version
t_run main-missing 2 pgenc
t_run main-unknown 2 pgenc frobnicate
t_run main-option 2 pgenc --frobnicate
t_run main-help-unknown 2 pgenc help frobnicate
t_run main-help-sub 0 pgenc help bitmap show
t_run main-help-extra 2 pgenc help bitmap show extra
for c in probe run ctl dump bitmap "bitmap export" "bitmap import" "bitmap show" "bitmap diff"; do
	read -r -a cv <<<"$c"
	(cd "$WORK" && "$PGENC" "${cv[@]}" --help >"$WORK/.out" 2>"$WORK/.err")
	rc=$?
	if [[ $rc == 0 ]] && grep -q '^Usage: pgenc' "$WORK/.out" && [[ ! -s $WORK/.err ]]; then
		ok "pgenc $c --help: exit 0, usage on stdout"
	else
		notok "pgenc $c --help: exit $rc" "$(head -3 "$WORK/.out" "$WORK/.err")"
	fi
done

# ------------------------------------------------------------------ help
t_run help-bitmap 0 pgenc bitmap --help
for c in export import show diff; do
	t_run "help-$c" 0 pgenc bitmap "$c" --help
done
t_run help-bitmap-via-help 0 pgenc help bitmap

# ------------------------------------------------------------------ show
t_run show-mixed 0 pgenc bitmap show mixed.ranges
t_run show-mixed-color 0 pgenc bitmap show mixed.ranges --color always
t_run show-mixed-rows4 0 pgenc bitmap show mixed.ranges --rows 4 --limit 3
t_run show-mixed-nolimit 0 pgenc bitmap show mixed.ranges --limit 0 --no-map
t_run show-offset 0 pgenc bitmap show offset.json
t_run show-small 0 pgenc bitmap show small.ranges
t_run show-stdin 0 -i "$WORK/small.ranges" pgenc bitmap show - --no-map
t_run show-mixed-json 0 pgenc bitmap show mixed.ranges --json --limit 4
json show-mixed-json
t_run show-offset-json 0 pgenc bitmap show offset.json --json --png offset.png
json show-offset-json
odd=$(printf 'odd\377\001"name.ranges')
cp "$WORK/small.ranges" "$WORK/$odd"
pg bitmap show "$odd" --json >"$cli_out/odd.json"
check "show --json: a file name that is not UTF-8 still gives valid JSON" \
	python3 -c 'import json, sys; f = json.load(open(sys.argv[1]))["file"]; assert f == "odd\ufffd\u0001\"name.ranges", f' "$cli_out/odd.json"
t_run show-nocolor-env 0 -e NO_COLOR=1 pgenc bitmap show small.ranges --no-map
check "NO_COLOR and no tty: no escapes" test "$(grep -c $'\033' "$WORK/.out")" -eq 0

# On a terminal (script(1) gives a pty): colour by default, not with
# NO_COLOR or --no-color; raw is not written to it.
if command -v script >/dev/null; then
	tty_run() { (cd "$WORK" && script -qec "$1" /dev/null </dev/null 2>&1); }
	check "tty: colour by default" \
		test "$(tty_run "$PGENC bitmap show small.ranges" | grep -c $'\033\\[30;42m')" -gt 0
	check "tty: no colour with NO_COLOR=1" \
		test "$(tty_run "NO_COLOR=1 $PGENC bitmap show small.ranges" | grep -c $'\033')" -eq 0
	check "tty: no colour with --no-color" \
		test "$(tty_run "$PGENC bitmap show small.ranges --no-color" | grep -c $'\033')" -eq 0
	tty_run "$PGENC bitmap export --from small.ranges -f raw; echo rc=\$?" >"$cli_out/tty-raw.txt"
	check "tty: raw export to a terminal is refused (exit 2)" \
		grep -q "refusing to write raw binary to a terminal" "$cli_out/tty-raw.txt"
	check "tty: raw export refusal exits 2" grep -q "^rc=2" "$cli_out/tty-raw.txt"
else
	skip "tty tests" "no script(1) (bsdutils)"
fi

# ---------------------------------------------------------------- export
t_run export-mixed-json 0 pgenc bitmap export --from mixed.ranges --format json
t_run export-offset-ranges 0 pgenc bitmap export --from offset.json
pg bitmap export --from mixed.ranges -f raw -o mixed.raw
t_run export-raw-hexdump-src 0 pgenc bitmap export --from mixed.raw -f ranges
od -An -tx1 -v "$WORK/mixed.raw" >"$cli_out/mixed.raw.hex"
((t_regen)) && cp "$cli_out/mixed.raw.hex" "$here/mixed.raw.hex"
if cmp -s "$cli_out/mixed.raw.hex" "$here/mixed.raw.hex"; then
	ok "raw export of mixed.ranges is byte for byte the recorded one"
else
	notok "raw export differs from bitmap/mixed.raw.hex" \
		"$(diff "$here/mixed.raw.hex" "$cli_out/mixed.raw.hex" | head)"
fi

# Round trips: every format to every other and back gives the same file.
for s in mixed.ranges mixed2.ranges offset.json small.ranges; do
	pg bitmap export --from "$s" -f ranges -o "$s.canon" || true
	bad=
	for f in raw ranges json; do
		for g in raw ranges json; do
			pg bitmap export --from "$s.canon" -f "$f" -o "$s.$f" &&
				pg bitmap export --from "$s.$f" -f "$g" -o "$s.$f.$g" &&
				pg bitmap export --from "$s.$f.$g" -f ranges -o "$s.$f.$g.back" &&
				cmp -s "$WORK/$s.canon" "$WORK/$s.$f.$g.back" || bad+=" $f->$g"
			[[ $f != "$g" ]] || cmp -s "$WORK/$s.$f" "$WORK/$s.$f.$g" || bad+=" $f-idempotent"
		done
	done
	if [[ -z $bad ]]; then
		ok "round trips of $s through raw, ranges, json"
	else
		notok "round trips of $s:$bad"
	fi
done
if pg bitmap export --from - -f json <"$WORK/small.ranges" | cmp -s - "$WORK/small.ranges.ranges.json"; then
	ok "export --from - (stdin)"
else
	notok "export --from - (stdin)"
fi
t_run export-input-format 1 pgenc bitmap export --from mixed.ranges --input-format json
t_run export-unwritable 1 pgenc bitmap export --from mixed.ranges -o no/such/dir/x

# ------------------------------------------------------------------ diff
t_run diff-same 0 pgenc bitmap diff mixed.ranges mixed.ranges.json
t_run diff-changed 1 pgenc bitmap diff mixed.ranges mixed2.ranges
t_run diff-changed-json 1 pgenc bitmap diff mixed.ranges mixed2.ranges --json
json diff-changed-json
t_run diff-span 1 pgenc bitmap diff small.ranges mixed.ranges
t_run diff-span-json 1 pgenc bitmap diff small.ranges mixed.ranges --json
json diff-span-json
t_run diff-quiet 1 pgenc bitmap diff -q mixed.ranges mixed2.ranges
t_run diff-quiet-same 0 pgenc bitmap diff --quiet mixed.ranges mixed.ranges.raw
t_run diff-stdin 1 -i "$WORK/mixed2.ranges" pgenc bitmap diff mixed.ranges -
t_run diff-bad-input 2 pgenc bitmap diff mixed.ranges bad-state.ranges
t_run diff-missing-file 2 pgenc bitmap diff mixed.ranges nosuchfile
# One page is "1 page".
echo '0x10-0x10 shared' >"$WORK/one.ranges"
echo '0x10-0x10 encrypted' >"$WORK/one2.ranges"
t_run one-page-diff 1 pgenc bitmap diff one.ranges one2.ranges
t_run one-page-check 0 pgenc bitmap import one.ranges --check

# ---------------------------------------------------- malformed inputs: 1
t_run bad-state 1 pgenc bitmap show bad-state.ranges
t_run bad-gap 1 pgenc bitmap show bad-gap.ranges
t_run bad-syntax-json 1 pgenc bitmap show bad-syntax.json
t_run bad-key-json 1 pgenc bitmap export --from bad-key.json
t_run bad-cover-json 1 pgenc bitmap import --check bad-cover.json
t_run bad-too-big 1 pgenc bitmap show too-big.json
t_run bad-max-pages 1 pgenc bitmap show mixed.ranges --max-pages 1000
head -c 40 "$WORK/mixed.raw" >"$WORK/truncated.raw"
t_run bad-raw-truncated 1 pgenc bitmap show truncated.raw
{ printf 'PGENCBM\0\2\0\0\0'; tail -c +13 "$WORK/mixed.raw"; } >"$WORK/badversion.raw"
t_run bad-raw-version 1 pgenc bitmap show badversion.raw
: >"$WORK/empty"
t_run bad-empty 1 pgenc bitmap show empty
t_run bad-nofile 1 pgenc bitmap show nosuchfile
t_run bad-directory 1 pgenc bitmap show .
t_run import-check 0 pgenc bitmap import --check mixed.ranges

# ------------------------------------------------------- bad arguments: 2
bad_args=(
	"bitmap"
	"bitmap frobnicate"
	"bitmap --json"
	"bitmap show"
	"bitmap show a b"
	"bitmap show mixed.ranges --bogus"
	"bitmap show mixed.ranges -x"
	"bitmap show mixed.ranges --width"
	"bitmap show mixed.ranges --width 0"
	"bitmap show mixed.ranges --width 12abc"
	"bitmap show mixed.ranges --width 65537"
	"bitmap show mixed.ranges --color sometimes"
	"bitmap show mixed.ranges --format yaml"
	"bitmap show mixed.ranges --json=yes"
	"bitmap show mixed.ranges --rows -1"
	"bitmap export"
	"bitmap export --from a --socket b"
	"bitmap export --from a --start 5"
	"bitmap export --from a --num-pages 5"
	"bitmap export --socket s --input-format json"
	"bitmap export --from a extra"
	"bitmap export --from a -f auto"
	"bitmap export --socket s --num-pages 0"
	"bitmap import"
	"bitmap import mixed.ranges"
	"bitmap import mixed.ranges --check --socket s"
	"bitmap diff mixed.ranges"
	"bitmap diff a b c"
	"bitmap diff - -"
	"bitmap diff --json -q a b"
)
i=0
for a in "${bad_args[@]}"; do
	i=$((i + 1))
	read -r -a av <<<"$a"
	t_run "$(printf 'usage-%02d' "$i")" 2 pgenc "${av[@]}"
	if [[ $(wc -l <"$WORK/.err") -eq 2 && -s $WORK/.err ]] &&
		sed -n 2p "$WORK/.err" | grep -q "^Try 'pgenc .*--help'\.$" &&
		[[ ! -s $WORK/.out ]]; then
		ok "usage-$(printf %02d "$i"): one message line, then the --help hint"
	else
		notok "usage-$(printf %02d "$i"): stderr is not 'message' + 'Try ... --help'" "$(cat "$WORK/.err")"
	fi
done

# -------------------------------------------------------------------- PNG
t_run png-mixed 0 pgenc bitmap show mixed.ranges --png mixed.png --no-map
"$pngpix" "$WORK/mixed.png" >"$cli_out/png-mixed.pix" 2>&1
cat >"$cli_out/png-mixed.want" <<'EOF'
512x2
rows 0-0: 2e7d32*160 f9a825*32 2e7d32*64 f9a825*4 2e7d32*252
rows 1-1: 2e7d32*256 f9a825*1 2e7d32*254 f9a825*1
EOF
if diff -u "$cli_out/png-mixed.want" "$cli_out/png-mixed.pix" >"$cli_out/png-mixed.diff"; then
	ok "png: 512x2, one pixel per page, green encrypted, amber shared"
else
	notok "png: mixed pixels" "$(cat "$cli_out/png-mixed.diff")"
fi
pg bitmap show mixed.ranges --png mixed100.png --width 100 >/dev/null
"$pngpix" "$WORK/mixed100.png" >"$cli_out/png-100.pix" 2>&1
if [[ $(head -1 "$cli_out/png-100.pix") == 100x11 ]] &&
	[[ $("$pngpix" "$WORK/mixed100.png" 60 1) == f9a825 ]] &&
	[[ $("$pngpix" "$WORK/mixed100.png" 59 1) == 2e7d32 ]] &&
	[[ $("$pngpix" "$WORK/mixed100.png" 23 10) == f9a825 ]] &&
	[[ $("$pngpix" "$WORK/mixed100.png" 24 10) == 000000 ]] &&
	[[ $("$pngpix" "$WORK/mixed100.png" 99 10) == 000000 ]]; then
	ok "png --width 100: 100x11, wraps rows, black past the last page"
else
	notok "png --width 100" "$(cat "$cli_out/png-100.pix")"
fi
pg bitmap show small.ranges --png small.png >/dev/null
check "png of 20 pages is 20x1" test "$("$pngpix" "$WORK/small.png" | head -1)" = 20x1
t_run png-downscale 0 pgenc bitmap show mixed.ranges --png mixed-ds.png --max-pixels 1000 --no-map
"$pngpix" "$WORK/mixed-ds.png" >"$cli_out/png-ds.pix" 2>&1
cat >"$cli_out/png-ds.want" <<'EOF'
512x1
rows 0-0: 2e7d32*80 f9a825*16 2e7d32*32 f9a825*2 2e7d32*254 8e24aa*1 2e7d32*126 8e24aa*1
EOF
if diff -u "$cli_out/png-ds.want" "$cli_out/png-ds.pix" >"$cli_out/png-ds.diff"; then
	ok "png --max-pixels 1000: 2 pages a pixel, purple where mixed"
else
	notok "png downscaled pixels" "$(cat "$cli_out/png-ds.diff")"
fi
t_run png-unwritable 1 pgenc bitmap show mixed.ranges --png no/such/dir/x.png

# ------------------------------------------- 1 TiB guest: 2^28 pages
start=$(date +%s)
# 25 bytes of ranges can span 2^32-1 pages: the text formats stop at
# 2^28 pages (a 32 MiB bitmap) unless --max-pages says more, so a small
# file cannot make show allocate 512 MiB (under 256 MiB of address space
# the refusal is the bound's, not an allocation failure); 2^28 pages fit.
printf '0x0-0xfffffffe encrypted\n' >"$WORK/span.ranges"
printf '{"start_gfn": 0, "num_pages": 4294967295, "ranges": []}\n' >"$WORK/span.json"
printf '0x0-0xfffffff encrypted\n' >"$WORK/span1t.ranges"
t_run span-ranges 1 -v 262144 pgenc bitmap show span.ranges
t_run span-json 1 -v 262144 pgenc bitmap show span.json
t_run span-import 1 -v 262144 pgenc bitmap import span.ranges --check
t_run span-1t 0 -v 262144 pgenc bitmap show span1t.ranges --no-map
t_run span-max-pages 1 -v 262144 pgenc bitmap show span.ranges --max-pages 0x100000000
t_run huge-show 0 -e COLUMNS=100 pgenc bitmap show huge.json --png huge.png
end=$(date +%s)
"$pngpix" "$WORK/huge.png" >"$cli_out/huge.pix" 2>&1
{
	echo 512x32768
	echo "rows 0-0: 2e7d32*256 f9a825*256"
	# 0x5000005-0x500000a: pixel 0x500000 = row 10240, x 0, mixed
	echo "rows 1-10239: 2e7d32*512"
	echo "rows 10240-10240: 8e24aa*1 2e7d32*511"
	echo "rows 10241-32766: 2e7d32*512"
	echo "rows 32767-32767: 2e7d32*511 8e24aa*1"
} >"$cli_out/huge.want"
if diff -u "$cli_out/huge.want" "$cli_out/huge.pix" >"$cli_out/huge.diff"; then
	ok "1 TiB guest: png 512x32768 at 16 pages a pixel"
else
	notok "1 TiB guest png" "$(head -20 "$cli_out/huge.diff")"
fi
sz=$(stat -c %s "$WORK/huge.png")
check "1 TiB guest: png is $sz bytes (< 1 MiB)" test "$sz" -lt 1048576
check "1 TiB guest: show took $((end - start)) s (<= 30)" test $((end - start)) -le 30
for cols in 40 100 200; do
	COLUMNS=$cols pg bitmap show huge.json --limit 1 >"$cli_out/huge-$cols.txt"
	map=$(grep -c '^0x' "$cli_out/huge-$cols.txt")
	wide=$(awk -v c="$cols" 'length($0) > c' "$cli_out/huge-$cols.txt" | grep -c '^0x')
	if [[ $map -ge 1 && $map -le 24 && $wide -eq 0 ]]; then
		ok "1 TiB guest: text map at COLUMNS=$cols is $map rows, none wider"
	else
		notok "1 TiB guest: text map at COLUMNS=$cols: $map rows, $wide too wide"
	fi
done
t_run huge-json 0 pgenc bitmap show huge.json --json --limit 3
json huge-json

# --------------------------------------------------- control socket
sock=$WORK/vm.sock
fake() {
	rm -f "$sock"
	python3 "$here/fake_ctl.py" "$sock" "$@" --log "$cli_out/ctl.log" &
	fake_pid=$!
	for _ in $(seq 50); do
		[[ -S $sock ]] && return 0
		sleep 0.1
	done
	return 1
}
stop_fake() {
	python3 - "$sock" <<-'EOF' >/dev/null 2>&1
		import socket, sys
		s = socket.socket(socket.AF_UNIX)
		s.connect(sys.argv[1])
		s.sendall(b'{"cmd":"quit"}\n')
		s.recv(100)
	EOF
	wait "$fake_pid" 2>/dev/null
}
if fake "$WORK/mixed.ranges"; then
	: >"$cli_out/ctl.log"
	t_run sock-export 0 pgenc bitmap export --socket vm.sock
	check "socket: a connection asks the protocol version first" \
		test "$(head -1 "$cli_out/ctl.log")" = '{"cmd": "version"}'
	t_run sock-export-part 0 pgenc bitmap export --socket vm.sock --start-gfn 0xfc --num-pages 16 -f json
	json sock-export-part
	t_run sock-import 0 pgenc bitmap import mixed2.ranges --socket vm.sock
	# pgenc ctl SOCK export|import: aliases, the same code and output.
	t_run sock-import-alias 0 pgenc ctl vm.sock import mixed2.ranges
	t_run sock-export-alias 0 pgenc ctl vm.sock export --start-gfn 0xfc --num-pages 16 -f json
	check "ctl SOCK export: the same bytes as bitmap export --socket" \
		cmp -s <(pg bitmap export --socket vm.sock) <(pg ctl vm.sock export)
	pg bitmap export --socket vm.sock -f raw -o after.raw
	check "socket: export after import gives the imported bitmap" \
		pg bitmap diff -q after.raw mixed2.ranges
	t_run sock-import-outside 1 pgenc bitmap import offset.json --socket vm.sock
	t_run sock-import-bad 1 pgenc bitmap import bad-state.ranges --socket vm.sock
	t_run sock-export-start-past 1 pgenc bitmap export --socket vm.sock --start-gfn 0x400
	# More pages than one request: the VM's size is asked first, and
	# nothing is exported (nor a bitmap of 2^40 bits allocated).
	: >"$cli_out/ctl.log"
	t_run sock-export-pages-past 1 pgenc bitmap export --socket vm.sock --num-pages 0x10000000000
	check "socket: --num-pages past the VM: no export request" \
		test "$(grep -c '"export"' "$cli_out/ctl.log")" -eq 0
	stop_fake
else
	notok "start fake_ctl.py"
fi
t_run sock-none 1 pgenc bitmap export --socket vm.sock
if fake "$WORK/mixed.ranges" --garbage; then
	t_run sock-garbage 1 pgenc bitmap export --socket vm.sock
	kill "$fake_pid" 2>/dev/null
	wait "$fake_pid" 2>/dev/null
else
	notok "start fake_ctl.py --garbage"
fi
# A server of another protocol: every client refuses it (exit 3) after
# its first request, "version", and asks nothing else.
if fake "$WORK/mixed.ranges" --proto 2; then
	: >"$cli_out/ctl.log"
	t_run sock-proto-2 3 pgenc bitmap export --socket vm.sock
	t_run sock-proto-2-ctl 3 pgenc ctl vm.sock stats
	t_run sock-proto-2-dump 3 pgenc dump --socket vm.sock --gpa 0 --len 16
	t_run sock-proto-2-migrate 3 pgenc migrate vm.sock file:"$WORK/x.mig"
	check "protocol 2: no request but version" \
		test "$(grep -vc '^{"cmd": "version"}$' "$cli_out/ctl.log")" -eq 0
	stop_fake
else
	notok "start fake_ctl.py --proto 2"
fi
# A guest larger than one export request: chunks of 2^25 pages, stitched.
n=$(((1 << 25) + 4096))
printf '0x0-0x1ffffef encrypted\n0x1fffff0-0x200000f shared\n0x2000010-%#x encrypted\n%#x-%#x shared\n' \
	$((n - 2)) $((n - 1)) $((n - 1)) >"$WORK/chunks.ranges"
if fake "$WORK/chunks.ranges"; then
	: >"$cli_out/ctl.log"
	pg bitmap export --socket vm.sock -f ranges -o chunks.out
	if pg bitmap diff -q chunks.out chunks.ranges; then
		ok "socket: chunked export of $n pages is exact across the 2^25 boundary"
	else
		notok "socket: chunked export" "$(pg bitmap diff chunks.out chunks.ranges | head)"
	fi
	check "socket: 2 export requests for $n pages" \
		test "$(grep -c '"export"' "$cli_out/ctl.log")" -eq 2
	stop_fake
else
	notok "start fake_ctl.py (chunks)"
fi

# ------------------------------------------------------------ --help texts
# No line of any command's help ends in a space.
trailing=
for c in "" probe run ctl dump migrate bitmap "bitmap export" "bitmap import" \
	"bitmap show" "bitmap diff"; do
	read -r -a cv <<<"$c"
	"$PGENC" "${cv[@]}" --help 2>&1 | grep -q ' $' && trailing+=" pgenc${c:+ $c} --help"
done
"$PGENC" help bitmap 2>&1 | grep -q ' $' && trailing+=" pgenc help bitmap"
if [[ -z $trailing ]]; then
	ok "no help line ends in a space"
else
	notok "help lines end in a space:$trailing"
fi

# ---------------------------------------------------------- man page
# It renders without warnings, and it names every long option that any
# command's --help lists (so a new option cannot go undocumented).
man1=$cli_repo/tools/pgenc/pgenc.1
if command -v groff >/dev/null; then
	check "pgenc.1 renders with no groff warning" \
		test -z "$(groff -man -Tutf8 -ww -z "$man1" 2>&1)"
	groff -man -Tutf8 -P-c -P-b -P-u "$man1" 2>/dev/null >"$cli_out/pgenc.1.txt"
	missing=
	for c in "" probe run ctl dump "bitmap" "bitmap export" "bitmap import" \
		"bitmap show" "bitmap diff" vms; do
		read -r -a cv <<<"$c"
		for o in $("$PGENC" "${cv[@]}" --help 2>&1 | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
			# The whole name: --tik must not pass on --tik-file.
			grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|\$)" "$cli_out/pgenc.1.txt" ||
				missing+=" pgenc $c $o"
		done
	done
	if [[ -z $missing ]]; then
		ok "pgenc.1 documents every long option of every --help"
	else
		notok "pgenc.1 lacks:$missing"
	fi
else
	skip "pgenc.1 checks" "no groff (apt-get install groff-base)"
fi

t_close
cli_summary
