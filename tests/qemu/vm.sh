#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Stock QEMU (Debian's qemu-system-x86 7.2, unmodified) as an SEV client
# of our modules, in the test VM: selftests/vm/run.sh --host-root shares
# the host's / over 9p and scenario.sh runs there, chrooted into it, with
# kvm_amd sevsim=1 sevsim_memcrypt=0 (sevsim's plain launch: launched data
# is measured, not transformed, so the firmware executes;
# Documentation/sevsim.rst, "Migration"). QEMU launches tests/qemu/fw.bin
# (-bios) and is driven over QMP. Judged here:
#   - the transcript tests/qemu/qemu-vm.cram (--regenerate rewrites it):
#     QEMU's refusals at startup (cbitpos against the L1's CPUID, reduced
#     physical bits, the SEV device, a -bios that is not a multiple of
#     64 KiB), query-sev before and after LAUNCH_FINISH,
#     query-sev-capabilities (the base64 blobs as their lengths), and the
#     firmware's port output: CPUID bit 17 with -cpu host,migratable=off
#     and with -cpu host, its hypercalls' results;
#   - query-sev-launch-measure verified with libpgenc (qemu_measure) from
#     the image, the TIK in sevsim's debugfs and query-sev's API version,
#     build and policy; one flipped byte must not verify;
#   - the guest's hypercalls in the VM's pgenc_stats (KVM's debugfs);
#   - pgenc vms (table and --json, against its schema) lists QEMU's VM
#     with those counts; bitmap show|export --vm of it (the transcript,
#     and export -f raw equal to pgenc_bitmap's bytes) give exactly the
#     ranges fw.S converts, and those its port output reports accepted,
#     replayed on an all-encrypted bitmap: GET cannot be called inside
#     QEMU (Documentation/testing.rst, "Stock QEMU").
# Prints TAP, then "N passed, N failed, N skipped"; exits 1 on a failure.
#
# Usage: tests/qemu/vm.sh [--regenerate]
# Needs: build/modules/{kvm,kvm-amd}.ko (scripts/build-modules.sh), what
# selftests/vm/run.sh needs, qemu-system-x86 and python3 on the host (the
# VM runs the host's), python3-jsonschema for the schema check.
# Environment: BUILD, PGENC.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/cli/cli_lib.sh
. "$here/../cli/cli_lib.sh"
# shellcheck source=tests/cli/transcript.sh
. "$here/../cli/transcript.sh"
t_args "$@"

cli_init qemu
mods=${BUILD:-$cli_repo/build}/modules
if [[ ! -f $mods/kvm.ko || ! -f $mods/kvm-amd.ko ]]; then
	skip "stock QEMU in the test VM" "no $mods (scripts/build-modules.sh)"
	cli_summary
fi

# --- the image and the checker ------------------------------------------------
cli_build
tools=$cli_out/tools
mkdir -p "$tools" "$cli_out/empty"
if make -C "$cli_repo/tools/lib" O="$tools" EXTRA_CFLAGS= static >"$cli_out/tools.log" 2>&1 &&
	make -C "$here" O="$tools" fw.bin qemu_measure >>"$cli_out/tools.log" 2>&1; then
	ok "build fw.bin and qemu_measure"
else
	notok "build fw.bin and qemu_measure" "$(tail -20 "$cli_out/tools.log")"
	cli_summary
fi

# --- the VM run ---------------------------------------------------------------
# The VM's /dev, /proc, /sys, debugfs and a /tmp over the host's, then the
# scenario in the host's root. A checkout or build root under the host's
# /tmp (a CI clone) is bound back over that tmpfs, or the scenario and
# its tools would be hidden.
setup='mount -o bind /dev /host/dev && mount -t proc proc /host/proc &&
mount -t sysfs sysfs /host/sys && mount -t debugfs debugfs /host/sys/kernel/debug &&
mkdir -p /keep-tmp && mount -o bind /host/tmp /keep-tmp &&
mount -t tmpfs tmpfs /host/tmp'
binds=("$cli_repo")
[[ ${BUILD:-$cli_repo/build}/ == "$cli_repo"/* ]] || binds+=("$BUILD")
for d in "${binds[@]}"; do
	[[ $d == /tmp/* ]] || continue
	setup+=" && mkdir -p /host$d && mount -o bind /keep-tmp${d#/tmp} /host$d"
done
vmlog=$cli_out/vm.log
start=$(date +%s.%N)
if "$cli_repo/selftests/vm/run.sh" --host-root --stall 180 \
	--modparam "kvm_amd:sevsim=1 sevsim_memcrypt=0" --tests "$cli_out/empty" \
	--out "$cli_out/vm" --timeout 600 \
	--cmd "$setup && chroot /host /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /bin/bash $here/scenario.sh $tools $PGENC" \
	>"$vmlog" 2>&1; then
	ok "the scenario ran in the VM (verdict PASS)"
else
	notok "the scenario ran in the VM" "$(tail -25 "$vmlog")"
fi
vm_time=$(echo "$(date +%s.%N) - $start" | bc)
cli_vm_results "$vmlog"
res=$cli_res

# --- the transcript -----------------------------------------------------------
# The base64 blobs (measurement, certificates, chip ID) as their lengths; the
# image's directory as @BUILD@; the firmware's port output stands for the
# runs' stdout (QEMU writes none); QEMU's VM directory in debugfs as
# @PID@-@FD@.
b64len() {
	python3 -c '
import base64, json, re, sys
def f(m):
    return "\"%s\": \"@BASE64 %d bytes@\"" % (m.group(1), len(base64.b64decode(m.group(2))))
sys.stdout.write(re.sub(r"\"([a-z0-9-]+)\": \"([A-Za-z0-9+/=]{16,})\"", f, sys.stdin.read()))' <"$1" >"$1.norm" &&
		mv "$1.norm" "$1"
}
cp "$res/query_measure.out" "$res/query_measure.raw" 2>/dev/null
for f in query_measure query_caps; do
	[[ -f $res/$f.out ]] && b64len "$res/$f.out"
done
for f in sev_run cpu_host; do
	[[ -f $res/$f.fw ]] && cp "$res/$f.fw" "$res/$f.out"
done
t_open "$here/qemu-vm.cram" -e "s|$tools|@BUILD@|g" \
	-e 's|/sys/kernel/debug/kvm/[0-9]*-[0-9]*/|/sys/kernel/debug/kvm/@PID@-@FD@/|'
while IFS= read -r name; do
	t_case "$name" "$(cat "$res/$name.cmd")" "$(cat "$res/$name.rc" 2>/dev/null || echo '?')" \
		"$res/$name.out" "$res/$name.err"
done <"$res/cases"
t_close

# --- the measurement, with libpgenc -------------------------------------------
# query-sev (LSECRET): api-major, api-minor, build-id, policy.
sevinfo=$(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
print(j["policy"], j["api-major"], j["api-minor"], j["build-id"])' \
	"$res/query_sev_launched.out" 2>&1)
read -r policy major minor build <<<"$sevinfo"
blob=$cli_out/measure.bin
python3 -c '
import base64, json, sys
sys.stdout.buffer.write(base64.b64decode(json.load(open(sys.argv[1]))["data"]))' \
	"$res/query_measure.raw" >"$blob" 2>/dev/null
tik=$(tr -d '\n' <"$res/tik" 2>/dev/null)
if out=$("$tools/qemu_measure" "$tools/fw.bin" "$tik" "$policy" "$major" "$minor" "$build" "$blob" 2>&1); then
	ok "query-sev-launch-measure verifies with libpgenc: $out"
else
	notok "query-sev-launch-measure verifies with libpgenc" "$out (query-sev: $sevinfo; TIK '$tik')"
fi
# The same blob with its first byte flipped must not verify.
python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[0] ^= 1
open(sys.argv[2], "wb").write(b)' "$blob" "$blob.bad" 2>/dev/null
"$tools/qemu_measure" "$tools/fw.bin" "$tik" "$policy" "$major" "$minor" "$build" "$blob.bad" >/dev/null 2>&1
check "a measurement with one bit flipped does not verify (exit 1)" test $? -eq 1
check "the guest was launched in sevsim's plain mode (memcrypt N)" grep -qx N "$res/memcrypt"

# --- the guest's hypercalls in KVM's debugfs -----------------------------------
# 4 pages shared, 1 of them private again, 1 call refused; the MSR written.
stats=$(tr '\n' ' ' <"$res/pgenc_stats" 2>/dev/null)
if [[ $stats == *"shared_pages: 3 "* && $stats == *"hypercalls: 2 "* &&
	$stats == *"hypercall_errors: 1 "* && $stats == *"migration_control: 1 "* ]]; then
	ok "pgenc_stats of QEMU's VM: 3 shared pages, 2 hypercalls, 1 refused, migration control 1"
else
	notok "pgenc_stats of QEMU's VM: 3 shared pages, 2 hypercalls, 1 refused, migration control 1" "$stats"
fi

# --- the same VM through debugfs: pgenc vms, bitmap show|export --vm ----------
# fw.S's calls: gfns 0x100-0x103 shared, 0x101 encrypted again, the call
# at 0xfff00000 refused. Expected in two ways: those gfns, and the calls
# the firmware's port output reports accepted (rax 0) replayed on an
# all-encrypted bitmap. The raw bitmap: 1 encrypted, holes 1 (api.rst,
# "Bitmap file (debugfs)").
if /usr/bin/python3 - "$res" "$cli_repo/tools/lib/schema/pgenc-vms.schema.json" <<-'EOF' >"$cli_out/vmview.txt" 2>&1; then
	import json, os, re, struct, sys
	res, schema = sys.argv[1], sys.argv[2]
	def rd(n, mode="r"):
	    return open(os.path.join(res, n), mode).read()
	pid = int(rd("qpid"))
	assert rd("vms.rc").strip() == "0", rd("vms.txt")
	assert rd("vms_json.rc").strip() == "0", rd("vms_json.err")
	assert rd("export_vm_raw.rc").strip() == "0", rd("export_vm_raw.err")
	# export --vm -f raw: pgenc_bitmap's bytes, a header and the bits.
	raw = rd("export_vm.raw", "rb")
	assert raw == rd("pgenc_bitmap.raw", "rb"), "export -f raw != pgenc_bitmap"
	magic, ver, hsz, start, n = struct.unpack("<8sIIQQ", raw[:32])
	assert (magic, ver, hsz, start) == (b"PGENCBM\0", 1, 32, 0), raw[:32]
	assert len(raw) == 32 + (n + 7) // 8, (len(raw), n)
	# To 4 GiB: the highest memslot is the BIOS image, mapped below 4 GiB.
	assert n == 0x100000, n
	bits = raw[32:]
	shared = [g for g in range(n) if not bits[g // 8] >> (g % 8) & 1]
	want = {0x100, 0x102, 0x103}
	assert set(shared) == want, ["%#x" % g for g in shared[:20]]
	replay = set()
	for l in rd("sev_run.fw").splitlines():
	    m = re.match(r"pgenc-fw: hc12 (\w+) (\w+) (\w+) rax (\w+)$", l)
	    if m and int(m.group(4), 16) == 0:
	        g0, cnt, attr = (int(x, 16) for x in m.group(1, 2, 3))
	        for g in range(g0 >> 12, (g0 >> 12) + cnt):
	            (replay.discard if attr & 0x10 else replay.add)(g)
	assert replay == want, ("the firmware's calls", sorted(replay))
	# export --vm -f ranges: the same ranges.
	exp = [(0, 0xff, "encrypted"), (0x100, 0x100, "shared"),
	       (0x101, 0x101, "encrypted"), (0x102, 0x103, "shared"),
	       (0x104, n - 1, "encrypted")]
	got = [(int(a, 16), int(b, 16), s) for a, b, s in
	       re.findall(r"^(\w+)-(\w+) (\w+)$", rd("export_vm_ranges.out"), re.M)]
	assert got == exp, got
	# pgenc vms --json: QEMU's VM with the counts the firmware implies.
	vms = json.loads(rd("vms.json"))
	try:
	    import jsonschema
	    s = json.load(open(schema))
	    jsonschema.Draft202012Validator(s).validate(vms)
	    valid = "schema-valid"
	except ImportError:
	    valid = "schema not checked: python3-jsonschema not installed"
	mine = [v for v in vms if v["pid"] == pid]
	assert len(mine) == 1 and len(vms) == 1, vms
	v = mine[0]
	assert v["vm"] == "%d-%d" % (pid, v["fd"]) and v["name"] == "qemu-system-x86", v
	for k, w in (("shared_pages", 3), ("hypercalls", 2), ("hypercall_errors", 1),
	             ("migration_control", 1), ("dbg_fw_cmds", 0), ("dbg_bypassed_pages", 0)):
	    assert v[k] == w, (k, v[k], w)
	assert 0 < v["tracked_pages"] <= n, (v["tracked_pages"], n)
	stats = dict(l.split(": ", 1) for l in rd("pgenc_stats").splitlines() if ": " in l)
	assert int(stats["tracked_pages"]) == v["tracked_pages"], stats
	# pgenc vms: its line in the table.
	row = [l.split() for l in rd("vms.txt").splitlines()[1:]]
	assert row == [[v["vm"], str(pid), "qemu-system-x86", str(v["tracked_pages"]), "3", "2",
	                "0", "0"]], row
	print("%s: %d tracked pages (bitmap %d), shared %s, 2 hypercalls, %s" %
	      (v["vm"], v["tracked_pages"], n, ",".join("%#x" % g for g in shared), valid))
	EOF
	ok "pgenc vms and bitmap show|export --vm of QEMU's VM: $(cat "$cli_out/vmview.txt")"
else
	notok "pgenc vms and bitmap show|export --vm of QEMU's VM" "$(tail -5 "$cli_out/vmview.txt")"
fi

# What an operator sees: `pgenc vms` in the VM, QEMU's VM in its list.
echo "# pgenc vms, in the VM while QEMU ran:"
sed 's/^/#   /' "$res/vms.txt" 2>/dev/null
printf '# pgenc vms, bitmap show|export --vm in the VM (s): %s\n' "$(cat "$res/vmview.time" 2>/dev/null)"
printf '# QEMU runs in the VM (s): SEV guest %s, -cpu host %s; the whole VM run %.1f\n' \
	"$(cat "$res/sev_run.time" 2>/dev/null)" "$(cat "$res/cpu_host.time" 2>/dev/null)" "$vm_time"
cli_summary
