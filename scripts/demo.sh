#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make demo`: the main job, end to end, on a machine with no SEV and no
# module loading. Installs what is missing, builds kvm.ko + kvm-amd.ko,
# libpgenc and pgenc, then boots the test VM (Debian's 6.1 kernel under
# QEMU, our modules, kvm_amd sevsim=1: simulated SEV firmware, NO memory
# encryption) and runs a scripted session there:
#
#   pgenc probe
#   pgenc run --demo --sev --verify ... --ctl SOCK &   launch, measure,
#                                      verify; the guest converts pages
#   pgenc ctl SOCK wait | stats
#   pgenc bitmap export --socket SOCK (json, ranges, raw)
#   pgenc bitmap show (a map; PNG)
#   pgenc dump across private and shared pages, with the counters
#   pgenc run --incoming unix:M --ctl SOCK2 &     a second VMM
#   pgenc migrate SOCK unix:M          the guest moves: its summary line
#                                      (pages plain, through the firmware)
#   pgenc ctl SOCK2 stats | bitmap export | dump: the same guest there
#   pgenc ctl SOCK2 quit
#
# The artifacts come back to the host under build/demo/: bitmap.json,
# bitmap.ranges, bitmap.raw, bitmap.png, the dumps, session.log (the
# whole session), run.log (the VMM's own output) and steps/ (each step's
# output). Each step must succeed and show what it claims (the sevsim
# warning, the verified measurement, the guest's 272 shared pages, N
# firmware commands for N private pages and none for shared ones; the
# migration: 272 pages plain, 16112 through the firmware, the bitmap and
# the dumped memory the same on the target); on the
# host the three exports must agree, bitmap.json must parse, bitmap.png
# must be a PNG of one pixel a page, the dumps must hold the guest's
# known bytes. Anything else fails the demo (non-zero exit, the reason).
#
# Usage: scripts/demo.sh [--no-build]
#   --no-build   skip deps and builds (use what build/ holds; the cli-vm
#                lane of scripts/check.sh runs it so)
# Environment: KVER etc. as in scripts/kver.sh; BUILD (default build/).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-$repo/build}
out=$build/demo
nobuild=0
case ${1:-} in
--no-build) nobuild=1 ;;
"") ;;
*) sed -n '/^# Usage:/,/^# Environment/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

bold='' red='' off=''
if [[ -t 1 ]]; then bold=$'\033[1m' red=$'\033[1;31m' off=$'\033[0m'; fi
say() { printf '\n%s==> %s%s\n' "$bold" "$*" "$off"; }
# The last line is the demo's TAP result, after the VM runner's own
# (Documentation/testing.rst, "The test harness").
die() {
	printf '\n%sdemo FAILED: %s%s\n' "$red" "$*" "$off" >&2
	echo "not ok - demo: ${*//$'\n'/ }"
	exit 1
}
t0=$SECONDS

if ((!nobuild)); then
	say "dependencies (scripts/deps.sh)"
	"$repo/scripts/deps.sh" || die "scripts/deps.sh"
	# The CLI links OpenSSL, libpng and zlib statically.
	missing=()
	for p in libssl-dev libpng-dev zlib1g-dev; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	if ((${#missing[@]})); then
		echo "demo: installing ${missing[*]}"
		sudo=()
		((EUID == 0)) || sudo=(sudo)
		DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
			--no-install-recommends "${missing[@]}" || die "apt-get install ${missing[*]}"
	fi
	say "kvm.ko + kvm-amd.ko (scripts/build-modules.sh)"
	# A fresh clone has no build/ yet.
	mkdir -p "$build"
	"$repo/scripts/build-modules.sh" >"$build/demo-modules.log" 2>&1 ||
		{ tail -30 "$build/demo-modules.log"; die "building the modules (log: $build/demo-modules.log)"; }
	tail -n1 "$build/demo-modules.log"
	say "libpgenc and pgenc"
	make -C "$repo" -j"$(nproc)" --no-print-directory BUILD="$build" lib pgenc ||
		die "building libpgenc and pgenc (make lib pgenc)"
fi
for f in "$build/modules/kvm.ko" "$build/modules/kvm-amd.ko" "$build/bin/pgenc"; do
	[[ -f $f ]] || die "missing $f (run without --no-build)"
done

rm -rf "$out"
mkdir -p "$out/empty"

# The session, run by busybox sh in the VM. Every step must exit 0, and
# what the demo says it shows is asserted: the demo guest is fixed (64
# MiB, 16384 pages; 272 left shared: 0x202-0x203, 0x400-0x403,
# 0x408-0x40f, 0x800-0x8ff, 0x1000, 0x1002), so are its counters.
cat >"$out/session.sh" <<'SESSION'
S=/tmp/pgenc.sock
A=/tmp/demo
T=$A/steps
TIK='/sys/kernel/debug/sevsim/%h/tik'
mkdir -p $A $T
exec 2>&1

step() { echo; echo "==> $*"; }
show() { echo "\$ $*"; }
fail() {
	echo
	echo "DEMO STEP FAILED: $*"
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null
	exit 1
}
# do_ NAME CMD...: show and run CMD, its output kept in $T/NAME and
# shown; fail the demo if it fails.
do_() {
	n=$1
	shift
	show "$*"
	"$@" >$T/$n 2>&1
	r=$?
	cat $T/$n
	[ $r -eq 0 ] || fail "$* (exit $r)"
}
# want NAME ERE WHY: a line of $T/NAME must match ERE.
want() { grep -qE "$2" $T/$1 || fail "$3 (no line matching '$2' in the output above)"; }

step "what this host can do"
do_ probe pgenc probe
want probe '^\[ PASS \] - KVM_CAP_PAGE_ENC_BITMAP: ' "probe: no KVM_CAP_PAGE_ENC_BITMAP"
want probe '^  \[ WARN \] - sevsim: ACTIVE: SIMULATED SEV FIRMWARE, NO MEMORY ENCRYPTION' \
	"probe: sevsim is not flagged"

step "launch the demo guest under SEV (sevsim), measure and verify it"
show "pgenc run --demo --sev --verify --tik-file '$TIK' --trace-hypercalls --ctl $S &"
pgenc run --demo --sev --verify --tik-file "$TIK" --trace-hypercalls --ctl $S \
	>$A/run.log 2>&1 &
rpid=$!
i=0
while [ ! -S $S ] && [ $i -lt 300 ] && kill -0 $rpid 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
[ -S $S ] || { cat $A/run.log; fail "pgenc run did not open $S"; }
pgenc ctl $S wait >$T/wait 2>&1
wrc=$?
# The VMM's output so far: the launch, then each hypercall as the VMM
# saw it (--trace-hypercalls) beside the guest's own console lines.
cat $A/run.log
echo "\$ pgenc ctl $S wait"
cat $T/wait
[ $wrc -eq 0 ] || fail "pgenc ctl wait (exit $wrc)"
cp $A/run.log $T/run
# 48 bytes (measurement, mnonce): 64 base64 characters.
want run '^pgenc run: LAUNCH_MEASURE: measurement\+mnonce \(base64\): [A-Za-z0-9+/]{64}$' \
	"no measurement printed"
want run '^pgenc run: measurement verified: ' "the measurement was not verified"
want wait '^guest halted$' "the guest did not halt cleanly"

step "the VM's page state and counters"
do_ stats pgenc ctl $S stats
want stats '^shared pages: +272$' "stats: not the demo guest's 272 shared pages"
want stats '^hypercalls: +7 applied, 2 refused$' "stats: not 7 hypercalls applied, 2 refused"
want stats '^DBG firmware cmds: +0$' "stats: DBG commands before any dump"

step "export the bitmap (KVM_GET_PAGE_ENC_BITMAP) in the three formats"
do_ export-json pgenc bitmap export --socket $S --format json -o $A/bitmap.json
do_ export-ranges pgenc bitmap export --socket $S --format ranges -o $A/bitmap.ranges
do_ export-raw pgenc bitmap export --socket $S --format raw -o $A/bitmap.raw

step "the map of guest memory"
do_ show pgenc bitmap show $A/bitmap.json --png $A/bitmap.png --no-color --limit 0
want show '^pages: +16384 ' "show: not 16384 pages"
want show '^shared: +272 ' "show: not 272 shared pages"

# A dump reports N firmware commands for N private pages and bypasses
# the shared ones. dumped NAME FW BYPASSED: its counters.
dumped() {
	want $1 "^firmware commands issued \(DBG_DECRYPT\): $2\$" "$1: not $2 firmware commands"
	want $1 "^pages bypassed \(shared: copied without the firmware\): $3\$" "$1: not $3 pages bypassed"
}
step "dump memory: the measured secret (private) and the pages after it (shared)"
do_ dump-secret-end pgenc dump --socket $S --gpa 0x201fc0 --len 0x80
dumped dump-secret-end 1 1
do_ dump-0x200000 pgenc dump --socket $S --gpa 0x200000 --len 0x4000 -o $A/dump-0x200000.bin
dumped dump-0x200000 2 2
step "dump 16 pages at 4 MiB: shared, private (never written: noise), shared"
do_ dump-0x400000 pgenc dump --socket $S --gpa 0x400000 --len 0x10000 -o $A/dump-0x400000.bin
dumped dump-0x400000 4 12
step "dump 2 shared pages: no firmware command at all"
do_ dump-shared pgenc dump --socket $S --gpa 0x202000 --len 0x2000 -o $A/dump-0x202000.bin
dumped dump-shared 0 2
do_ stats-end pgenc ctl $S stats
want stats-end '^DBG firmware cmds: +7$' "stats: not the dumps' 7 DBG commands"
want stats-end '^DBG bypassed pages: +17$' "stats: not the dumps' 17 bypassed pages"

step "migrate the guest to a second VMM: shared pages plain, private ones through the firmware"
S2=/tmp/pgenc2.sock
M=/tmp/migrate.sock
show "pgenc run --incoming unix:$M --ctl $S2 &"
pgenc run --incoming unix:$M --ctl $S2 >$A/run2.log 2>&1 &
tpid=$!
i=0
while [ ! -S $M ] && [ $i -lt 300 ] && kill -0 $tpid 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
[ -S $M ] || { cat $A/run2.log; fail "pgenc run --incoming did not listen on $M"; }
do_ migrate pgenc migrate $S unix:$M
# 272 shared pages of text (none zero), 16112 private: one firmware
# command each; the guest is halted, so one pass and an empty final one.
want migrate '^migrated to unix:/tmp/migrate.sock: 1 iteration\(s\), 272 plain \+ 0 zero \+ 16112 firmware pages \(16112 firmware commands\), [0-9]+ stream bytes, ' \
	"migrate: not 272 plain and 16112 firmware pages in one pass"
wait $rpid
rc=$?
echo "(the source VMM, after the target's acknowledgement)"
tail -n 2 $A/run.log
echo "pgenc run: exit status $rc"
[ $rc -eq 0 ] || fail "the source pgenc run exited $rc"
i=0
while [ ! -S $S2 ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "\$ cat run2.log   # the target VMM"
cat $A/run2.log
cp $A/run2.log $T/run2
want run2 '^pgenc run: incoming migration: done, guest running$' "the target did not resume the guest"

step "the guest on the target: same page states, same memory"
do_ stats2 pgenc ctl $S2 stats
want stats2 '^shared pages: +272$' "target stats: not 272 shared pages"
want stats2 '^migration control: +1' "target stats: MIGRATION_CONTROL not migrated"
do_ export2 pgenc bitmap export --socket $S2 --format ranges -o $A/bitmap2.ranges
show "cmp bitmap.ranges bitmap2.ranges"
cmp $A/bitmap.ranges $A/bitmap2.ranges || fail "the target's bitmap differs from the source's"
echo "(the same)"
do_ dump2 pgenc dump --socket $S2 --gpa 0x200000 --len 0x4000 -o $A/dump2-0x200000.bin
dumped dump2 2 2
show "cmp dump-0x200000.bin dump2-0x200000.bin"
cmp $A/dump-0x200000.bin $A/dump2-0x200000.bin || fail "the target's memory differs from the source's"
echo "(the same)"

step "stop the VMM"
do_ quit pgenc ctl $S2 quit
wait $tpid
rc=$?
tail -n 1 $A/run2.log
echo "pgenc run: exit status $rc"
[ $rc -eq 0 ] || fail "pgenc run exited $rc"

echo
echo "=== PGENC-DEMO-ARTIFACTS BEGIN"
tar -C $A -cf - . | gzip -c | base64
echo "=== PGENC-DEMO-ARTIFACTS END"
echo "demo session: OK"
SESSION

say "the session in the test VM (QEMU TCG, our modules, kvm_amd sevsim=1)"
vm_t0=$SECONDS
set +e
"$repo/selftests/vm/run.sh" --stall 120 --modparam kvm_amd:sevsim=1 --tests "$out/empty" \
	--out "$out/vm" --timeout 300 --extra-file "$build/bin/pgenc:/bin/pgenc" \
	--extra-file "$out/session.sh:/demo.sh" --cmd "sh /demo.sh" 2>&1 |
	while IFS= read -r line; do
		case $line in
		'=== PGENC-DEMO-ARTIFACTS BEGIN') skip=1 ;;
		'=== PGENC-DEMO-ARTIFACTS END') skip=0; echo "(artifacts sent to the host)" ;;
		*) [[ ${skip:-0} == 1 ]] || printf '%s\n' "$line" ;;
		esac
	done
vm_rc=${PIPESTATUS[0]}
set -e
vm_secs=$((SECONDS - vm_t0))
((vm_rc == 0)) || die "the VM session (exit $vm_rc; console: $out/vm/console.log)"

say "artifacts on the host"
tr -d '\r' <"$out/vm/results.tap" >"$out/session.log"
sed -n '/^=== PGENC-DEMO-ARTIFACTS BEGIN$/,/^=== PGENC-DEMO-ARTIFACTS END$/p' "$out/session.log" |
	sed '1d;$d' | base64 -d | tar -xzf - -C "$out" ||
	die "could not unpack the artifacts"
sed -i '/^=== PGENC-DEMO-ARTIFACTS BEGIN$/,/^=== PGENC-DEMO-ARTIFACTS END$/d' "$out/session.log"
for f in bitmap.json bitmap.ranges bitmap.raw bitmap.png dump-0x200000.bin \
	dump-0x400000.bin dump-0x202000.bin run.log run2.log bitmap2.ranges dump2-0x200000.bin; do
	[[ -s $out/$f ]] || die "artifact $f missing"
done
# The three exports through pgenc's own strict parsers: the same bitmap.
for f in bitmap.ranges bitmap.raw bitmap2.ranges; do
	"$build/bin/pgenc" bitmap diff -q "$out/bitmap.json" "$out/$f" ||
		die "bitmap.json and $f differ, or one does not parse"
done
# Then independently: the JSON (python3's json), the PNG (one pixel a
# page), the dumped bytes (the guest's known text).
python3 - "$out" <<'EOF' || die "the artifacts are not what the session claims"
import json, struct, sys, zlib

out, PAGE = sys.argv[1], 4096
SHARED = {0x202, 0x203} | set(range(0x400, 0x404)) | set(range(0x408, 0x410)) \
    | set(range(0x800, 0x900)) | {0x1000, 0x1002}


def rd(name):
    with open("%s/%s" % (out, name), "rb") as f:
        return f.read()


j = json.loads(rd("bitmap.json"))
assert j["num_pages"] == 16384, j["num_pages"]
shared, nxt = set(), 0
for r in j["ranges"]:
    assert r["first"] == nxt and r["last"] >= r["first"], ("not contiguous", r)
    nxt = r["last"] + 1
    if r["state"] == "shared":
        shared |= set(range(r["first"], r["last"] + 1))
    else:
        assert r["state"] == "encrypted", r
assert nxt == 16384, nxt
assert shared == SHARED, sorted(shared ^ SHARED)

png = rd("bitmap.png")
assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, chunks, idat = 8, [], b""
while pos < len(png):
    n, typ = struct.unpack(">I4s", png[pos:pos + 8])
    body = png[pos + 8:pos + 8 + n]
    (crc,) = struct.unpack(">I", png[pos + 8 + n:pos + 12 + n])
    assert zlib.crc32(typ + body) == crc, ("bad CRC", typ)
    chunks.append(typ)
    if typ == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    if typ == b"IDAT":
        idat += body
    pos += 12 + n
assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND", chunks
assert (w, h) == (512, 16384 // 512), ("not one pixel a page", w, h)
bpp = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype] * depth
assert len(zlib.decompress(idat)) == h * (1 + (w * bpp + 7) // 8), "pixel data size"


def lines(fmt):
    return b"".join(("%-63s\n" % fmt(l)).encode() for l in range(64))


def page(gfn):
    if gfn in (0x200, 0x201):
        return lines(lambda l: "pgenc demo secret page %u line %02u: measured at launch"
                     % (gfn - 0x200, l))
    assert gfn in SHARED
    return lines(lambda l: "shared page 0x%08x line %02u: guest plaintext" % (gfn * PAGE, l))


assert rd("dump-0x200000.bin") == b"".join(page(g) for g in range(0x200, 0x204)), \
    "dump-0x200000.bin: not the secret and the shared text"
d = rd("dump-0x400000.bin")
assert len(d) == 16 * PAGE
for g in range(0x400, 0x410):
    if g in SHARED:  # the 4 private pages were never written: noise
        assert d[(g - 0x400) * PAGE:(g - 0x3ff) * PAGE] == page(g), "dump-0x400000.bin: gfn %#x" % g
assert rd("dump-0x202000.bin") == page(0x202) + page(0x203), "dump-0x202000.bin"
assert rd("dump2-0x200000.bin") == rd("dump-0x200000.bin"), "dump2-0x200000.bin (the target)"
print("artifacts: the exports agree (272 shared of 16384 pages), bitmap.png is %ux%u, "
      "the dumps hold the guest's text, on both ends of the migration" % (w, h))
EOF
for f in "$out"/*.json "$out"/*.ranges "$out"/*.raw "$out"/*.png "$out"/*.bin "$out"/*.log; do
	[[ -f $f ]] && printf '  %-22s %9s bytes\n' "${f##*/}" "$(stat -c %s "$f")"
done
echo
echo "demo: OK in $((SECONDS - t0)) s (VM session $vm_secs s); artifacts in $out/"
echo "ok - demo: every step shows what it claims"
