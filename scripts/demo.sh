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
#   pgenc ctl SOCK wait | stats | export (json, ranges, raw)
#   pgenc bitmap show (a map; PNG)
#   pgenc dump across private and shared pages, with the counters
#   pgenc ctl SOCK quit
#
# The artifacts come back to the host under build/demo/: bitmap.json,
# bitmap.ranges, bitmap.raw, bitmap.png, the dumps, session.log (the
# whole session) and run.log (the VMM's own output). Any failing step
# fails the demo (non-zero exit, and the reason).
#
# Usage: scripts/demo.sh [--no-build]
#   --no-build   skip deps and builds (use what build/ holds)
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
die() { printf '\n%sdemo FAILED: %s%s\n' "$red" "$*" "$off" >&2; exit 1; }
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
	"$repo/scripts/build-modules.sh" >"$build/demo-modules.log" 2>&1 ||
		{ tail -30 "$build/demo-modules.log"; die "building the modules (log: $build/demo-modules.log)"; }
	tail -n1 "$build/demo-modules.log"
	say "libpgenc and pgenc"
	"$repo/tools/lib/build.sh" || die "building libpgenc"
	"$repo/tools/pgenc/build.sh" || die "building pgenc"
fi
for f in "$build/modules/kvm.ko" "$build/modules/kvm-amd.ko" "$build/bin/pgenc"; do
	[[ -f $f ]] || die "missing $f (run without --no-build)"
done

rm -rf "$out"
mkdir -p "$out/empty"

# The session, run by busybox sh in the VM.
cat >"$out/session.sh" <<'SESSION'
S=/tmp/pgenc.sock
A=/tmp/demo
TIK='/sys/kernel/debug/sevsim/%h/tik'
mkdir -p $A
exec 2>&1

step() { echo; echo "==> $*"; }
show() { echo "\$ $*"; }
fail() {
	echo
	echo "DEMO STEP FAILED: $*"
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null
	exit 1
}
# do_ CMD...: show and run CMD; fail the demo if it fails.
do_() { show "$*"; "$@" || fail "$* (exit $?)"; }

if pgenc probe --help >/dev/null 2>&1; then
	step "what this host can do"
	do_ pgenc probe
fi

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
pgenc ctl $S wait >$A/wait.out 2>&1
wrc=$?
# The VMM's output so far: the launch, then each hypercall as the VMM
# saw it (--trace-hypercalls) beside the guest's own console lines.
cat $A/run.log
echo "\$ pgenc ctl $S wait"
cat $A/wait.out
[ $wrc -eq 0 ] || fail "pgenc ctl wait (exit $wrc)"
grep -q "measurement verified" $A/run.log || fail "the measurement was not verified"
grep -qx "guest halted" $A/wait.out || fail "the guest did not halt cleanly"

step "the VM's page state and counters"
do_ pgenc ctl $S stats

step "export the bitmap (KVM_GET_PAGE_ENC_BITMAP) in the three formats"
do_ pgenc ctl $S export --format json -o $A/bitmap.json
do_ pgenc ctl $S export --format ranges -o $A/bitmap.ranges
do_ pgenc ctl $S export --format raw -o $A/bitmap.raw

step "the map of guest memory"
if pgenc bitmap show --help >/dev/null 2>&1; then
	do_ pgenc bitmap show $A/bitmap.json --png $A/bitmap.png --no-color --limit 0
else
	do_ cat $A/bitmap.ranges
fi

step "dump memory: the measured secret (private) and the pages after it (shared)"
do_ pgenc dump --socket $S --gpa 0x201fc0 --len 0x80
do_ pgenc dump --socket $S --gpa 0x200000 --len 0x4000 -o $A/dump-0x200000.bin
step "dump 16 pages at 4 MiB: shared, private (never written: noise), shared"
do_ pgenc dump --socket $S --gpa 0x400000 --len 0x10000 -o $A/dump-0x400000.bin
do_ pgenc ctl $S stats

step "stop the VMM"
do_ pgenc ctl $S quit
wait $rpid
rc=$?
tail -n 1 $A/run.log
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
"$repo/selftests/vm/run.sh" --modparam kvm_amd:sevsim=1 --tests "$out/empty" \
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
rm -f "$out/wait.out"
for f in bitmap.json bitmap.ranges bitmap.raw dump-0x200000.bin dump-0x400000.bin run.log; do
	[[ -s $out/$f ]] || die "artifact $f missing"
done
"$build/bin/pgenc" bitmap show "$out/bitmap.json" --no-map >/dev/null 2>&1 ||
	grep -q '"ranges"' "$out/bitmap.json" || die "bitmap.json does not parse"
if [[ -f $out/bitmap.png ]]; then
	[[ $(head -c 8 "$out/bitmap.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] ||
		die "bitmap.png is not a PNG"
fi
for f in "$out"/*.json "$out"/*.ranges "$out"/*.raw "$out"/*.png "$out"/*.bin "$out"/*.log; do
	[[ -f $f ]] && printf '  %-22s %9s bytes\n' "${f##*/}" "$(stat -c %s "$f")"
done
echo
echo "demo: OK in $((SECONDS - t0)) s (VM session $vm_secs s); artifacts in $out/"
