#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# "pgenc bitmap" against a real VM: in the test VM (our modules, sevsim),
# "pgenc run --demo --sev --ctl SOCK" runs the demo guest; then bitmap
# export --socket, pgenc ctl export, show --png, import, import back and
# a refused import, through the real control socket and KVM's GET/SET.
# The exported bitmap is checked against the guest's own log: every
# hypercall 12 it reports as accepted, replayed here on an all-encrypted
# bitmap, must give exactly the exported ranges; the PNG (decoded in the
# VM by pngpix) must have one pixel per page in the right colours.
# Through debugfs, as any other process sees a VM (pgenc_bitmap,
# Documentation/api.rst, "Bitmap file (debugfs)"): bitmap export --vm of
# pgenc run's VM equals the socket's export, and of a VM that
# page_enc_debugfs_test --serve made, byte for byte what GET returned in
# that process (also read by dd in odd sizes); show --vm agrees; pgenc vms
# lists both VMs with the counts the test knows; a reader loop that runs
# while that VM is destroyed leaves no kernel trouble (the verdict).
# Prints TAP, then "N passed, N failed, N skipped"; exits 1 on a failure.
#
# Usage: tests/cli/bitmap/vm.sh
# Needs: build/modules (scripts/build-modules.sh), what selftests/vm/run.sh
# and scripts/build-selftests.sh need, gcc and libpng-dev (static),
# python3. Environment: PGENC, BUILD.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/cli/cli_lib.sh
. "$here/../cli_lib.sh"

cli_init bitmap-vm
cli_build

if [[ ! -f ${BUILD:-$cli_repo/build}/modules/kvm.ko || ! -f ${BUILD:-$cli_repo/build}/modules/kvm-amd.ko ]]; then
	skip "bitmap in the test VM" "no build/modules (scripts/build-modules.sh)"
	cli_summary
fi
if ! make -C "$here/.." O="$cli_out" pngpix-static >"$cli_out/pngpix.log" 2>&1 ||
	! mv "$cli_out/pngpix-static" "$cli_out/pngpix"; then
	notok "build pngpix (static)" "$(cat "$cli_out/pngpix.log")"
	cli_summary
fi
# page_enc_debugfs_test --serve: a VM of another process (incremental).
if ! "$cli_repo/scripts/build-selftests.sh" >"$cli_out/selftests.log" 2>&1; then
	notok "build the selftests (scripts/build-selftests.sh)" "$(tail -15 "$cli_out/selftests.log")"
	cli_summary
fi
dbgfs_test=${BUILD:-$cli_repo/build}/selftests/bin/page_enc_debugfs_test

cat >"$cli_out/cmd.sh" <<'EOF'
S=/tmp/vm.sock
r() { echo "=== rc $1 $2"; }
pgenc run --demo --sev --ctl $S >/tmp/run.log 2>&1 &
RP=$!
i=0
while [ ! -S $S ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
pgenc ctl $S wait >/dev/null; r wait $?
pgenc bitmap export --socket $S -f ranges -o /tmp/a.ranges; r export $?
echo "=== a.ranges"; cat /tmp/a.ranges; echo "=== end"
pgenc ctl $S export --format json -o /tmp/b.json; r ctl-export $?
pgenc bitmap diff -q /tmp/a.ranges /tmp/b.json; r diff-ctl $?
pgenc bitmap export --vm $RP -o /tmp/v.ranges; r export-vm-run $?
pgenc bitmap diff -q /tmp/a.ranges /tmp/v.ranges; r diff-vm-run $?
mkdir /tmp/srv
/bin/page_enc_debugfs_test --serve /tmp/srv >/tmp/srv.log 2>&1 &
SP=$!
i=0
while [ ! -e /tmp/srv/ready ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
VMID=$(sed -n 's/^vm //p' /tmp/srv/info)
F=/sys/kernel/debug/kvm/$VMID/pgenc_bitmap
pgenc bitmap export --vm $SP -f raw -o /tmp/vm.raw; r export-vm $?
cmp /tmp/srv/get.raw /tmp/vm.raw; r cmp-export-vm $?
pgenc bitmap export --vm $VMID -f raw | cmp /tmp/srv/get.raw -; r cmp-export-vm-fd $?
dd if=$F bs=4099 2>/dev/null | cmp /tmp/srv/get.raw -; r cmp-dd-4099 $?
dd if=$F bs=65537 2>/dev/null | cmp /tmp/srv/get.raw -; r cmp-dd-65537 $?
pgenc bitmap show --vm $SP --json --limit 0 >/tmp/show-vm.json; r show-vm $?
pgenc vms --json >/tmp/vms.json; r vms $?
pgenc vms >/tmp/vms.txt; r vms-text $?
(while cat $F >/dev/null 2>&1; do :; done) &
RL=$!
sleep 1
kill $SP; wait $SP; r serve $?
wait $RL
pgenc vms --json >/tmp/vms-after.json; r vms-after $?
for f in srv.log srv/info vms.json vms.txt show-vm.json vms-after.json; do
	echo "=== $f"; cat /tmp/$f; echo "=== end"
done
pgenc bitmap show /tmp/a.ranges --png /tmp/a.png --no-color >/tmp/show.txt; r show $?
echo "=== png"; pngpix /tmp/a.png; echo "=== end"
printf '0x0-0x3fff encrypted\n' >/tmp/enc.ranges
pgenc bitmap import /tmp/enc.ranges --socket $S; r import $?
pgenc bitmap export --socket $S | pgenc bitmap diff -q /tmp/enc.ranges -; r diff-enc $?
pgenc bitmap import /tmp/a.ranges --socket $S; r import-back $?
pgenc bitmap export --socket $S -f raw -o /tmp/c.raw; r export-raw $?
pgenc bitmap diff -q /tmp/a.ranges /tmp/c.raw; r diff-back $?
printf '0x0-0x4000 encrypted\n' >/tmp/big.ranges
pgenc bitmap import /tmp/big.ranges --socket $S 2>/tmp/err.txt; r import-outside $?
echo "=== err"; cat /tmp/err.txt; echo "=== end"
pgenc bitmap export --socket $S -o /tmp/d.ranges; r export-unchanged $?
pgenc bitmap diff -q /tmp/a.ranges /tmp/d.ranges; r diff-unchanged $?
pgenc ctl $S quit >/dev/null; r quit $?
wait; r run $?
echo "=== run.log"; cat /tmp/run.log; echo "=== end"
EOF

if "$cli_repo/selftests/vm/run.sh" --stall 120 --modparam kvm_amd:sevsim=1 --out "$cli_out/vm" \
	--extra-file "$PGENC:/bin/pgenc" --extra-file "$cli_out/pngpix:/bin/pngpix" \
	--extra-file "$dbgfs_test:/bin/page_enc_debugfs_test" \
	--extra-file "$cli_out/cmd.sh:/bin/cmd.sh" --cmd "sh /bin/cmd.sh" \
	>"$cli_out/vm.log" 2>&1; then
	ok "the VM ran (verdict PASS)"
else
	notok "the VM run failed" "$(tail -15 "$cli_out/vm.log")"
fi
out=$cli_out/vm/results.tap
[[ -f $out ]] || : >"$out"

rc_is() {
	local what=$1 want=$2 got
	got=$(sed -n "s/^=== rc $what \([0-9]*\)\$/\1/p" "$out" | tr -d '\r')
	if [[ $got == "$want" ]]; then
		ok "$what: exit $want${3:+ ($3)}"
	else
		notok "$what: exit '${got:-none}', expected $want${3:+ ($3)}"
	fi
}

rc_is wait 0
rc_is export 0 "bitmap export --socket"
rc_is ctl-export 0
rc_is diff-ctl 0 "bitmap export and ctl export agree"
rc_is export-vm-run 0 "bitmap export --vm PID of pgenc run's VM (debugfs)"
rc_is diff-vm-run 0 "export --vm and export --socket agree"
rc_is export-vm 0 "export --vm PID of the selftest's VM"
rc_is cmp-export-vm 0 "export --vm -f raw is GET's bytes in the VM's process"
rc_is cmp-export-vm-fd 0 "export --vm PID-FD the same"
rc_is cmp-dd-4099 0 "pgenc_bitmap read in 4099-byte reads is GET's bytes"
rc_is cmp-dd-65537 0 "pgenc_bitmap read in 65537-byte reads is GET's bytes"
rc_is show-vm 0
rc_is vms 0
rc_is vms-text 0
rc_is serve 0 "the selftest's VM destroyed while a loop reads its file"
rc_is vms-after 0
rc_is show 0
rc_is import 0 "all encrypted"
rc_is diff-enc 0 "the VM now has the imported bitmap"
rc_is import-back 0
rc_is export-raw 0
rc_is diff-back 0 "the VM has the original bitmap again"
rc_is import-outside 1 "a bitmap past tracked memory is refused"
rc_is export-unchanged 0
rc_is diff-unchanged 0 "a refused import changes nothing"
rc_is quit 0
rc_is run 0

# The exported bitmap is what the guest's accepted hypercalls make, and
# the PNG shows it pixel for pixel.
if python3 - "$out" <<-'EOF' >"$cli_out/replay.txt" 2>&1; then
	import re, sys
	out = open(sys.argv[1], errors="replace").read().replace("\r", "")
	def part(name):
	    return out.split("=== %s\n" % name)[1].split("=== end")[0]
	log = part("run.log")
	m = re.search(r"VM: (\d+) MiB", log)
	pages = int(m.group(1)) * 256
	enc = [True] * pages
	n = 0
	for gpa, npages, a2, ret in re.findall(
	        r"hypercall 12 gpa=(0x[0-9a-f]+) npages=(\d+) a2=(0x[0-9a-f]+) -> (-?\d+)", log):
	    if int(ret) != 0:
	        continue
	    a2 = int(a2, 16)
	    e = bool(a2 & 0x10) or a2 == 1
	    first = int(gpa, 16) >> 12
	    for g in range(first, first + int(npages)):
	        enc[g] = e
	    n += 1
	assert n >= 3, "too few hypercalls in the guest log: %d" % n
	want = []
	start = 0
	for i in range(1, pages + 1):
	    if i == pages or enc[i] != enc[start]:
	        want.append((start, i - 1, "encrypted" if enc[start] else "shared"))
	        start = i
	got = []
	for line in part("a.ranges").splitlines():
	    span, state = line.split()
	    a, b = span.split("-")
	    got.append((int(a, 16), int(b, 16), state))
	assert got == want, ("exported", got, "replayed", want)
	print("replayed %d hypercalls: %d ranges" % (n, len(want)))
	# PNG: 512 pixels a row, one a page.
	png = part("png").splitlines()
	assert png[0] == "512x%d" % (pages // 512), png[0]
	colour = {True: "2e7d32", False: "f9a825"}
	rows = {}
	for line in png[1:]:
	    m = re.match(r"rows (\d+)-(\d+): (.*)", line)
	    for y in range(int(m.group(1)), int(m.group(2)) + 1):
	        rows[y] = m.group(3)
	for y in range(pages // 512):
	    px = []
	    for x in range(512):
	        px.append(colour[enc[y * 512 + x]])
	    rle, x = [], 0
	    while x < 512:
	        k = x
	        while k < 512 and px[k] == px[x]:
	            k += 1
	        rle.append("%s*%d" % (px[x], k - x))
	        x = k
	    assert rows[y] == " ".join(rle), (y, rows[y], rle)
	print("png matches, %d rows" % (pages // 512))
	EOF
	ok "the export equals the guest's accepted hypercalls replayed; the PNG matches ($(tr '\n' ';' <"$cli_out/replay.txt"))"
else
	notok "export vs the guest's hypercalls, PNG" "$(tail -5 "$cli_out/replay.txt")"
fi
# pgenc vms and show --vm against what the selftest did and GET said.
if python3 - "$out" <<-'EOF' >"$cli_out/vms.txt" 2>&1; then
	import json, re, sys
	out = open(sys.argv[1], errors="replace").read().replace("\r", "")
	def part(name):
	    return out.split("=== %s\n" % name)[1].split("=== end")[0]
	info = dict(l.split(" ", 1) for l in part("srv/info").splitlines())
	vms = {v["vm"]: v for v in json.loads(part("vms.json"))}
	v = vms[info["vm"]]
	for k in ("pid", "fd", "tracked_pages", "shared_pages", "hypercalls"):
	    assert v[k] == int(info[k]), (k, v[k], info[k])
	assert v["name"] == "page_enc_debugf", v["name"]
	assert v["dbg_fw_cmds"] == 0 and v["dbg_bypassed_pages"] == 0, v
	run = [x for x in vms.values() if x["name"] == "pgenc"]
	m = re.search(r"VM: (\d+) MiB", part("run.log"))
	assert len(run) == 1 and run[0]["tracked_pages"] == int(m.group(1)) * 256, run
	show = json.loads(part("show-vm.json"))
	assert show["shared_pages"] == int(info["shared_pages"]), show
	assert show["start_gfn"] == 0 and show["num_pages"] == 0x100000 + 600003, show
	assert info["vm"] in part("vms.txt") and "page_enc_debugf" in part("vms.txt")
	after = [x["vm"] for x in json.loads(part("vms-after.json"))]
	assert info["vm"] not in after and len(after) == 1, after
	print("vms: %s %s, %d shared pages, %d hypercalls; pgenc run's VM too; gone after" %
	      (info["vm"], v["name"], v["shared_pages"], v["hypercalls"]))
	EOF
	ok "pgenc vms and show --vm: the counts the selftest knows ($(tr '\n' ';' <"$cli_out/vms.txt"))"
else
	notok "pgenc vms, show --vm" "$(tail -5 "$cli_out/vms.txt")"
fi
if grep -q "the VM refused: .*more than 16384 pages" "$out"; then
	ok "the refused import says why"
else
	notok "the refused import's message" "$(sed -n '/=== err/,/=== end/p' "$out")"
fi

cli_summary
