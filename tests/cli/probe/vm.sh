#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# "pgenc probe" on real KVM: the test VM (selftests/vm/run.sh) with our
# modules and sevsim, with our modules and no sevsim, and with Debian's
# stock modules. This is where KVM_CHECK_EXTENSION is asked for real
# (tests/cli/probe/run.sh mocks it under PGENC_SYSROOT).
# Checks the exit codes (0, 0, 3), the kernel series line (supported),
# the capability line (not mocked), the loud sevsim warning, the module
# version, and that the JSON parses and says the same.
# Prints TAP, then "N passed, N failed, N skipped"; exits 1 on a failure.
#
# Usage: tests/cli/probe/vm.sh
# Needs: build/modules/{kvm,kvm-amd}.ko (scripts/build-modules.sh), what
# selftests/vm/run.sh needs (QEMU, Debian's 6.1 kernel image), python3.
# Environment: PGENC=path (no build), BUILD.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/cli/cli_lib.sh
. "$here/../cli_lib.sh"

cli_init probe-vm
cli_build

if [[ ! -f ${BUILD:-$cli_repo/build}/modules/kvm.ko || ! -f ${BUILD:-$cli_repo/build}/modules/kvm-amd.ko ]]; then
	skip "probe in the test VM" "no build/modules (scripts/build-modules.sh)"
	cli_summary
fi

# The command run in the VM: text, status, JSON, status, with markers.
# The VM's console is a terminal: the text is judged without colour.
# shellcheck disable=SC2016
cmd='echo "=== text"; pgenc probe --color never; echo "=== rc $?"; echo "=== json"; pgenc probe --json; echo "=== rc $?"; echo "=== end"'

# vm NAME RUN_ARGS...: boot, run $cmd; the output in $cli_out/NAME.out.
vm() {
	local name=$1
	shift
	if "$cli_repo/selftests/vm/run.sh" --stall 120 "$@" --out "$cli_out/vm-$name" \
		--extra-file "$PGENC:/bin/pgenc" --cmd "$cmd" >"$cli_out/$name.log" 2>&1; then
		ok "$name: the VM ran (verdict PASS)"
	else
		notok "$name: the VM run failed" "$(tail -15 "$cli_out/$name.log")"
	fi
	cp "$cli_out/vm-$name/results.tap" "$cli_out/$name.out" 2>/dev/null ||
		: >"$cli_out/$name.out"
}

# probe_expect NAME PYTHON-ASSERTIONS: on t (text lines), rc_text, j (JSON),
# rc_json, version.
probe_expect() {
	local name=$1 code=$2
	if python3 - "$cli_out/$name.out" "$cli_version" <<-EOF >"$cli_out/$name.check" 2>&1; then
		import json, sys
		out = open(sys.argv[1], errors="replace").read()
		version = sys.argv[2]
		text = out.split("=== text\n")[1].split("=== rc ")[0]
		t = text.splitlines()
		rc_text = int(out.split("=== rc ")[1].split()[0])
		j = json.loads(out.split("=== json\n")[1].split("=== rc ")[0])
		rc_json = int(out.split("=== rc ")[2].split()[0])
		assert rc_text == rc_json, (rc_text, rc_json)
		assert not any("mocked" in l for l in t), "a real host is not mocked"
		cap = j["kvm"]["cap_page_enc_bitmap"]
		assert cap is not None and cap["mocked"] is False, cap
		# The VM's kernel (KVER) is a series this build supports.
		k = j["kernel"]
		assert k["supported"] is True and k["release"].startswith(k["series"] + "."), k
		assert "[ PASS ] - kernel %s: series %s, supported" % (k["release"], k["series"]) == t[0], t
		$code
	EOF
		ok "$name: probe output as expected"
	else
		notok "$name: probe output" "$(cat "$cli_out/$name.check"; head -30 "$cli_out/$name.out")"
	fi
}

vm sevsim --modparam kvm_amd:sevsim=1
probe_expect sevsim '
assert rc_text == 0, rc_text
assert "[ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control" in t, t
assert any(l.startswith("  [ WARN ] - sevsim: ACTIVE: SIMULATED SEV FIRMWARE, NO MEMORY ENCRYPTION") for l in t), t
assert "SEV: SIMULATED (kvm_amd sevsim=1): NO MEMORY ENCRYPTION, for testing only" in t, t
assert any(l.startswith("[ PASS ] - pgenc module version: kvm " + version) for l in t), t
assert j["usable"] and j["simulated"] and not j["memory_encryption"], j
assert cap["flags"] == 7, cap
assert j["kvm"]["version"].split("+")[0] == version, j["kvm"]
assert j["kvm_amd"]["sevsim"] is True and j["dev_sevsim"] is True, j
assert any(l.startswith("[ SKIP ] - /dev/sev: sevsim") for l in t), t
assert j["dev_sev"] is True, j
assert j["kvm_amd"]["pgenc_dbg_bypass"] is True, j
'

vm nosim
probe_expect nosim '
assert rc_text == 0, rc_text
assert "[ PASS ] - KVM_CAP_PAGE_ENC_BITMAP: bitmap hypercall migration-control" in t, t
assert "  [ PASS ] - sevsim: off (SEV commands go to the real firmware)" in t, t
assert "SEV: not available" in t, t
assert j["usable"] and not j["simulated"] and not j["memory_encryption"], j
assert j["kvm_amd"]["sevsim"] is False and j["dev_sevsim"] is False, j
'

vm stock --modules stock
probe_expect stock '
assert rc_text == 3, rc_text
assert any(l.startswith("[ FAIL ] - KVM_CAP_PAGE_ENC_BITMAP: not supported") for l in t), t
assert "[ FAIL ] - pgenc module version: kvm has none (stock kvm.ko)" in t, t
assert "  [ SKIP ] - pgenc_dbg_bypass: no such parameter (stock kvm-amd.ko)" in t, t
assert not j["usable"] and cap["flags"] == 0, j
assert j["kvm"]["version"] is None and j["kvm_amd"]["sevsim"] is None, j
'

cli_summary
