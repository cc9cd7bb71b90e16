#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `pgenc run`, `pgenc ctl` and `pgenc dump` end to end in the test VM
# (selftests/vm/run.sh, our modules, kvm_amd sevsim=1): scenario.sh runs
# there and sends every case's command, exit status, stdout and stderr
# back, with the files it dumped. Here they are judged:
#   - the transcript tests/cli/vmm-vm.cram (--regenerate rewrites it and
#     drops the cases gone), with the random parts normalised (the
#     measurement, exactly 64 base64 characters); a case not in the
#     transcript, or one in it that did not run, fails. Bad arguments
#     against the live VMM are cases too (exit 2 usage, 1 refused);
#   - dumps byte for byte: the measured secret through the firmware, the
#     shared pages' text through the bypass, ranges across both at odd
#     offsets, chunked; counters: N shared pages -> 0 firmware commands;
#   - the socket's mode (0600) and removal, the exported raw bitmap.
# A second, short VM run with Debian's stock modules checks that `pgenc
# run` exits 3 (unsupported) without KVM_CAP_PAGE_ENC_BITMAP.
# Prints TAP, then "N passed, N failed, N skipped"; exits 1 on a failure.
#
# Usage: tests/cli/vmm/vm.sh [--no-stock] [--regenerate]
# Needs: build/modules/{kvm,kvm-amd}.ko (scripts/build-modules.sh), what
# selftests/vm/run.sh needs (QEMU, Debian's 6.1 kernel image), python3.
# Environment: PGENC=path (no build), BUILD.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/cli/cli_lib.sh
. "$here/../cli_lib.sh"
# shellcheck source=tests/cli/transcript.sh
. "$here/../transcript.sh"
t_args "$@"

stock=1
[[ ${t_rest[0]:-} == --no-stock ]] && stock=0

cli_init vmm-vm
cli_build
PGENC=$(realpath "$PGENC")

if [[ ! -f ${BUILD:-$cli_repo/build}/modules/kvm.ko || ! -f ${BUILD:-$cli_repo/build}/modules/kvm-amd.ko ]]; then
	skip "pgenc run in the test VM" "no build/modules (scripts/build-modules.sh)"
	cli_summary
fi

# --- guest images -----------------------------------------------------------
img=$cli_out/images
mkdir -p "$img" "$cli_out/empty"
if make -C "$here/.." O="$img" elf_guest >"$img/log" 2>&1; then
	ok "build the ELF test image"
else
	notok "build the ELF test image" "$(cat "$img/log")"
	cli_summary
fi
# Flat: "mov al, C; out 0xe9, al" per character of a line, then hlt.
flat_code() {
	local s=$1 i hex=''
	for ((i = 0; i < ${#s}; i++)); do
		hex+=$(printf '\\xb0\\x%02x\\xe6\\xe9' "'${s:i:1}")
	done
	printf '%b' "$hex\\xb0\\x0a\\xe6\\xe9\\xf4"
}
flat_code "flat image at 0x180000" >"$img/flat.bin"
{ printf '\x0f\x0b\x90'; flat_code "entry 3 bytes in"; } >"$img/flat_off.bin"
printf '\x0f\x0b' >"$img/ud2.bin"
printf '\xeb\xfe' >"$img/spin.bin"

# --- the VM run -------------------------------------------------------------
vmlog=$cli_out/vm.log
if "$cli_repo/selftests/vm/run.sh" --stall 120 --modparam kvm_amd:sevsim=1 \
	--tests "$cli_out/empty" --out "$cli_out/vm" --timeout 600 \
	--extra-file "$PGENC:/bin/pgenc" --extra-file "$here/scenario.sh:/scenario.sh" \
	--extra-file "$img/elf_guest:/elf_guest" --extra-file "$img/flat.bin:/flat.bin" \
	--extra-file "$img/flat_off.bin:/flat_off.bin" --extra-file "$img/ud2.bin:/ud2.bin" \
	--extra-file "$img/spin.bin:/spin.bin" \
	--cmd "sh /scenario.sh" >"$vmlog" 2>&1; then
	ok "the scenario ran in the VM (verdict PASS)"
else
	notok "the scenario ran in the VM" "$(tail -25 "$vmlog")"
fi
cli_vm_results "$vmlog"
res=$cli_res

# --- the transcript ---------------------------------------------------------
# The random parts normalised: the measurement (64 base64 characters).
t_open "$cli_repo/tests/cli/vmm-vm.cram" -e "s|\b${cli_version//./\\.}\b|@VERSION@|g" \
	-e 's|(base64): [A-Za-z0-9+/]\{64\}$|(base64): @MEASUREMENT@|'
# Runs of several vCPUs print their vCPUs' lines in any order.
for f in plain_run sev_vcpus spin_run; do
	[[ -f $res/$f.out ]] && sort "$res/$f.out" >"$res/$f.sorted" && mv "$res/$f.sorted" "$res/$f.out"
done
while IFS= read -r name; do
	t_case "$name" "$(cat "$res/$name.cmd")" "$(cat "$res/$name.rc" 2>/dev/null || echo '?')" \
		"$res/$name.out" "$res/$name.err"
done <"$res/cases"
t_close

# --- byte-for-byte and counters ------------------------------------------
if python3 - "$res" <<'EOF' >"$cli_out/checks.log" 2>&1; then
import json, os, struct, sys

res = sys.argv[1]
PAGE = 4096
fails = []


def rd(name, mode="rb"):
    with open(os.path.join(res, name), mode) as f:
        return f.read()


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        fails.append(what)


def lines(fmt):
    return b"".join(("%-63s\n" % fmt(l)).encode() for l in range(64))


def secret(p):
    return lines(lambda l: "pgenc demo secret page %u line %02u: measured at launch" % (p, l))


def shared(gpa):
    return lines(lambda l: "shared page 0x%08x line %02u: guest plaintext" % (gpa, l))


# The guest view of the demo's pages that tests can know.
def page(gpa):
    if gpa in (0x200000, 0x201000):
        return secret((gpa - 0x200000) // PAGE)
    return shared(gpa)


def expected(gpa, n):
    out = b""
    for p in range(gpa // PAGE, (gpa + n - 1) // PAGE + 1):
        out += page(p * PAGE)
    off = gpa % PAGE
    return out[off:off + n]


def rc(name):
    return int(rd(name + ".rc", "r"))


def report(name):
    return rd(name + ".out", "r")


check(rd("secret.bin") == secret(0) + secret(1),
      "the measured secret (2 private pages) through DBG_DECRYPT is the launched plaintext")
check("firmware commands issued (DBG_DECRYPT): 2\n" in report("sev_dump_secret")
      and "pages bypassed (shared: copied without the firmware): 0\n" in report("sev_dump_secret"),
      "2 private pages: 2 firmware commands, 0 bypassed")
check(rd("shared.bin") == b"".join(shared(0x400000 + i * PAGE) for i in range(4)),
      "4 shared pages through the bypass hold the guest's text")
check("firmware commands issued (DBG_DECRYPT): 0\n" in report("sev_dump_shared")
      and "pages bypassed (shared: copied without the firmware): 4\n" in report("sev_dump_shared"),
      "4 shared pages: 0 firmware commands, 4 bypassed")
check(rd("mixed.bin") == expected(0x201234, 0x1f00),
      "odd range across a private and 2 shared pages, byte for byte")
j = json.loads(report("sev_dump_mixed"))
check(j["fw_cmds"] == 1 and j["bypassed_pages"] == 2 and j["pages"] == 3
      and j["method"] == "dbg_decrypt" and j["counters"] == "debugfs",
      "mixed range: 1 firmware command, 2 bypassed (%s)" % j)
check(rd("chunked.bin") == expected(0x201000, 0x3000),
      "chunked dump (3 requests) byte for byte")
check("firmware commands issued (DBG_DECRYPT): 1\n" in report("sev_dump_chunked")
      and "pages bypassed (shared: copied without the firmware): 2\n" in report("sev_dump_chunked"),
      "chunked: counters summed over the requests")
check(rc("nodbg_dump_private") == 1 and not os.path.exists(os.path.join(res, "nodbg_private.bin")),
      "policy NODBG: the firmware refuses a private page (exit 1, no partial file)")
check(rc("nodbg_dump_shared") == 1 and not os.path.exists(os.path.join(res, "nodbg_shared.bin")),
      "policy NODBG: no bypass, shared pages are refused too (exit 1, no partial file)")
check(rd("percpu.bin") == bytes(PAGE) + shared(0x301000),
      "not SEV, 2 vCPUs: the AP's per-CPU page by a plain read (and vCPU 0's, untouched)")
check(rd("sock_mode.txt", "r").strip() == "srw-------", "the control socket is mode 0600")
check(rd("sock_after.txt", "r").strip() == "absent", "quit removes the control socket")

raw = rd("bitmap.raw")
magic, ver, hsz, start, n = struct.unpack("<8sIIQQ", raw[:32])
bits = raw[32:]
shared_gfns = [g for g in range(n) if not bits[g // 8] >> (g % 8) & 1]
want = [0x202, 0x203] + list(range(0x400, 0x404)) + list(range(0x408, 0x410)) \
    + list(range(0x800, 0x900)) + [0x1000, 0x1002]
check(magic == b"PGENCBM\0" and start == 0 and n == 16384 and shared_gfns == want,
      "the exported raw bitmap holds exactly the guest's 272 shared pages")
j = json.loads(rd("bitmap.json"))
check(j["num_pages"] == 16384 and sum(r["last"] - r["first"] + 1 for r in j["ranges"]
                                      if r["state"] == "shared") == 272,
      "the exported JSON bitmap agrees")
st = json.loads(report("sev_stats_json"))
check(st["shared_pages"] == 272 and st["encrypted_pages"] == 16384 - 272 and st["sev"]
      and st["hypercalls"] == 7 and st["hypercall_errors"] == 2 and st["migration_control"] == 1,
      "stats: 272 shared, 7 hypercalls applied, 2 refused, migration control 1")
sys.exit(1 if fails else 0)
EOF
	ok "dumps byte for byte, counters, socket, exported bitmaps ($(grep -c '^ok' "$cli_out/checks.log") checks)"
else
	notok "dumps byte for byte, counters, socket, exported bitmaps" "$(cat "$cli_out/checks.log")"
fi

# --- stock modules: no capability, exit 3 ------------------------------------
if ((stock)); then
	# shellcheck disable=SC2016
	if "$cli_repo/selftests/vm/run.sh" --stall 120 --modules stock --tests "$cli_out/empty" \
		--out "$cli_out/vm-stock" --timeout 300 --extra-file "$PGENC:/bin/pgenc" \
		--cmd 'pgenc run --demo --sev >/tmp/o 2>/tmp/e; echo "=== rc $?"; cat /tmp/o; echo "=== stderr"; cat /tmp/e' \
		>"$cli_out/vm-stock.log" 2>&1; then
		out=$(tr -d '\r' <"$cli_out/vm-stock/results.tap")
		if grep -qx '=== rc 3' <<<"$out" &&
			grep -q "KVM_CAP_PAGE_ENC_BITMAP is missing" <<<"$out"; then
			ok "stock modules: pgenc run exits 3 with the reason"
		else
			notok "stock modules: pgenc run exits 3 with the reason" "$out"
		fi
	else
		notok "stock modules: the VM ran" "$(tail -15 "$cli_out/vm-stock.log")"
	fi
else
	skip "stock modules: pgenc run exits 3" "--no-stock"
fi

cli_summary
