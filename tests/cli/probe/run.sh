#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests of "pgenc probe" against faked hosts: PGENC_SYSROOT
# trees of /proc/sys/kernel/osrelease, /sys/module and /dev files built
# here, one per kind of host (sevsim, real SEV, stock KVM, no KVM, a
# kernel series pgenc does not support, ...). Under a sysroot, dev/kvm
# is a regular file holding what KVM_CHECK_EXTENSION(KVM_CAP_PAGE_ENC_
# BITMAP) would return (the output then says "mocked"); the real ioctl
# is exercised by tests/cli/probe/vm.sh in the test VM.
# Checks the text and --json output against tests/cli/probe.cram,
# that the JSON parses and agrees with the text, and the exit codes
# (0 usable, 3 unsupported, 1 trouble, 2 usage).
# Prints TAP, then "N passed, N failed, N skipped"; exits 1 on a failure.
#
# Usage: tests/cli/probe/run.sh [--regenerate]
# Environment: PGENC=path (no build), BUILD.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/cli/cli_lib.sh
. "$here/../cli_lib.sh"
# shellcheck source=tests/cli/transcript.sh
. "$here/../transcript.sh"
t_driver probe "$@"

# mkroot NAME [key=value]...: a fake host under $WORK/NAME.
#   kernel=RELEASE|none|dir|empty   proc/sys/kernel/osrelease (default
#                             Debian 12's 6.1; dir: a directory there)
#   kvm=VERSION|stock|none    /sys/module/kvm (version file unless stock)
#   amd=VERSION|stock|none    /sys/module/kvm_amd
#   sev=Y|N sev_es=Y|N sevsim=Y|N bypass=Y|N   kvm_amd parameters
#                             (sevsim/bypass only when amd is not stock)
#   cap=N|none                dev/kvm holding N; none: no dev/kvm
#   dev_sev=1 dev_sevsim=1    those device nodes (as plain files)
mkroot() {
	local r=$WORK/$1 kvm=$cli_version amd=$cli_version sev=Y sev_es=Y
	local sevsim=N bypass=Y cap=7 dev_sev=0 dev_sevsim=0 kv
	local kernel=6.1.0-57-amd64 rel
	shift
	for kv in "$@"; do
		local "${kv%%=*}"="${kv#*=}"
	done
	mkdir -p "$r/sys/module" "$r/dev"
	rel=$r/proc/sys/kernel/osrelease
	case $kernel in
	none) ;;
	dir) mkdir -p "$rel" ;;
	empty) mkdir -p "${rel%/*}" && : >"$rel" ;;
	*) mkdir -p "${rel%/*}" && echo "$kernel" >"$rel" ;;
	esac
	if [[ $kvm != none ]]; then
		mkdir -p "$r/sys/module/kvm/parameters"
		[[ $kvm == stock ]] || echo "$kvm" >"$r/sys/module/kvm/version"
	fi
	if [[ $amd != none ]]; then
		mkdir -p "$r/sys/module/kvm_amd/parameters"
		[[ $amd == stock ]] || echo "$amd" >"$r/sys/module/kvm_amd/version"
		echo "$sev" >"$r/sys/module/kvm_amd/parameters/sev"
		echo "$sev_es" >"$r/sys/module/kvm_amd/parameters/sev_es"
		if [[ $amd != stock ]]; then
			echo "$sevsim" >"$r/sys/module/kvm_amd/parameters/sevsim"
			echo "$bypass" >"$r/sys/module/kvm_amd/parameters/pgenc_dbg_bypass"
		fi
	fi
	[[ $cap == none ]] || echo "$cap" >"$r/dev/kvm"
	[[ $dev_sev == 0 ]] || : >"$r/dev/sev"
	[[ $dev_sevsim == 0 ]] || : >"$r/dev/sevsim"
}

# host NAME RC: text and JSON transcript cases, and JSON checks.
host() {
	local name=$1 rc=$2
	t_run "$name" "$rc" -e "PGENC_SYSROOT=$WORK/$name" pgenc probe
	cp "$WORK/.out" "$cli_out/$name.text"
	t_run "$name-json" "$rc" -e "PGENC_SYSROOT=$WORK/$name" pgenc probe --json
	if python3 - "$WORK/.out" "$cli_out/$name.text" "$rc" "$cli_repo/kernel/patches" <<-'EOF' >"$cli_out/$name.check" 2>&1; then
		import json, os, sys
		j = json.load(open(sys.argv[1]))
		text = open(sys.argv[2]).read().splitlines()
		rc = int(sys.argv[3])
		keys = {"pgenc_version", "sysroot", "usable", "simulated",
		        "memory_encryption", "kernel", "kvm", "kvm_amd", "dev_sev",
		        "dev_sevsim", "checks"}
		assert set(j) == keys, sorted(set(j) ^ keys)
		k = j["kernel"]
		assert set(k) == {"release", "series", "supported",
		                  "supported_series"}, k
		# The supported list is the patch sets, and nothing else.
		d = sys.argv[4]
		want = sorted(s for s in os.listdir(d) if os.path.isdir(os.path.join(d, s)))
		assert k["supported_series"] == want, (k["supported_series"], want)
		if k["series"] is not None:
		    assert k["release"].startswith(k["series"]), k
		    assert k["supported"] == (k["series"] in want), k
		else:
		    assert k["supported"] is None, k
		if k["supported"] is False:
		    assert not j["usable"] and rc == 3, (j["usable"], rc)
		assert set(j["kvm"]) == {"loaded", "version", "dev_kvm",
		                         "cap_page_enc_bitmap"}, j["kvm"]
		assert set(j["kvm_amd"]) == {"loaded", "version", "sev", "sev_es",
		                             "sevsim", "pgenc_dbg_bypass"}, j["kvm_amd"]
		assert j["usable"] == (rc == 0) or rc == 1, (j["usable"], rc)
		if j["simulated"]:
		    assert not j["memory_encryption"]
		    assert any("NO MEMORY ENCRYPTION" in l for l in text), "not loud"
		# Simulated only while sevsim runs: the parameter and its device.
		amd = j["kvm_amd"]
		assert j["simulated"] == (amd["sevsim"] is True and
		                          j["dev_sevsim"] is True), "simulated"
		if j["memory_encryption"]:
		    assert j["dev_sev"] and amd["sev"] and not j["simulated"]
		    assert "SEV: available" in text[-1], text[-1]
		# No line contradicts another one or the verdict.
		st = {c["name"]: c["status"] for c in j["checks"]}
		if amd["sev"] is not True:
		    assert st.get("sev_es") != "pass", "sev_es passes without sev"
		for c in j["checks"]:
		    assert j["usable"] or "works for non-SEV" not in c["message"], c
		cap = j["kvm"]["cap_page_enc_bitmap"]
		if cap is not None:
		    assert cap["mocked"] is True
		    assert cap["bitmap"] == bool(cap["flags"] & 1)
		    assert cap["hypercall"] == bool(cap["flags"] & 2)
		    assert cap["migration_control"] == bool(cap["flags"] & 4)
		# Every check is a text line, in order, with the same status.
		lines = [l.strip() for l in text if l.strip().startswith("[ ")]
		assert len(lines) == len(j["checks"]), (lines, j["checks"])
		for l, c in zip(lines, j["checks"]):
		    want = "[ %s ] - %s" % (c["status"].upper(), c["message"])
		    assert l == want, (l, want)
	EOF
		ok "$name: JSON has the documented keys and agrees with the text"
	else
		notok "$name: JSON checks" "$(cat "$cli_out/$name.check")"
	fi
}

mkroot sevsim-host sevsim=Y dev_sevsim=1
host sevsim-host 0
mkroot sevsim-dev-sev-host sevsim=Y dev_sevsim=1 dev_sev=1
host sevsim-dev-sev-host 0
mkroot sev-host dev_sev=1
host sev-host 0
mkroot sev-only-host dev_sev=1 sev_es=N
host sev-only-host 0
mkroot no-sev-host sev=N sev_es=N
host no-sev-host 0
mkroot no-kvm-host kvm=none amd=none cap=none
host no-kvm-host 3
mkroot stock-kvm-host kvm=stock amd=stock cap=0 dev_sev=1
host stock-kvm-host 3
mkroot intel-host amd=none
host intel-host 0
mkroot no-bitmap-flag-host cap=6 dev_sev=1
host no-bitmap-flag-host 3
mkroot future-flags-host cap=15 dev_sev=1
host future-flags-host 0
mkroot version-mismatch-host amd=0.0.1 dev_sev=1
host version-mismatch-host 0
mkroot git-build-host kvm="$cli_version+gabc1234-dirty" amd="$cli_version+gabc1234-dirty" dev_sev=1
host git-build-host 0
mkroot old-tool-host kvm=9.9.9 amd=9.9.9 dev_sev=1
host old-tool-host 0
mkroot bypass-off-host sevsim=Y bypass=N dev_sevsim=1
host bypass-off-host 0
mkroot ioctl-error-host cap=-5
host ioctl-error-host 1
mkroot bad-param-host sev=maybe dev_sev=1
host bad-param-host 1
mkroot bad-sevsim-host sevsim=perhaps dev_sev=1
host bad-sevsim-host 1
mkroot old-kernel-params-host sev=1 sev_es=0 dev_sev=1
host old-kernel-params-host 0
# The sevsim parameter says what was asked for; /dev/sevsim says that
# sevsim runs (Documentation/sevsim.rst). Left set on a host with real
# SEV, sevsim never started: SEV is the real one.
mkroot sevsim-requested-sev-host sevsim=Y dev_sev=1
host sevsim-requested-sev-host 0
mkroot sevsim-requested-no-sev-host sevsim=Y
host sevsim-requested-no-sev-host 0
# sev=N: SEV-ES cannot be on, whatever its parameter says.
mkroot sev-off-es-on-host sev=N sev_es=Y
host sev-off-es-on-host 0
# kvm without kvm_amd has no /dev/kvm: no tracking, of any VM.
mkroot kvm-only-host amd=none cap=none
host kvm-only-host 3

# The kernel series: 6.1 is every host above. A pgenc capability on a
# series pgenc does not support is not trusted (exit 3); an unknown
# series leaves the verdict to the capability.
mkroot series-6.12-host kernel=6.12.118+deb12-amd64 sevsim=Y dev_sevsim=1
host series-6.12-host 0
mkroot series-6.6-host kernel=6.6.15-amd64 dev_sev=1
host series-6.6-host 3
mkroot series-6.10-host kernel=6.10.0-1-amd64 dev_sev=1
host series-6.10-host 3
mkroot series-6.6-stock-host kernel=6.6.15-amd64 kvm=stock amd=stock cap=0 dev_sev=1
host series-6.6-stock-host 3
mkroot no-osrelease-host kernel=none dev_sev=1
host no-osrelease-host 0
mkroot unreadable-osrelease-host kernel=dir dev_sev=1
host unreadable-osrelease-host 1
mkroot empty-osrelease-host kernel=empty dev_sev=1
host empty-osrelease-host 1
mkroot bad-osrelease-host kernel=Linux dev_sev=1
host bad-osrelease-host 1

# Usage errors: one line and the hint, exit 2.
t_run usage-arg 2 pgenc probe extra
t_run usage-option 2 pgenc probe --bogus
t_run usage-sysroot 2 -e PGENC_SYSROOT=/nonexistent/root pgenc probe
t_run help 0 pgenc probe --help
t_run usage-color 2 pgenc probe --color sometimes

# Colour, as bitmap show's (--color WHEN, NO_COLOR): the statuses on a
# terminal (script(1) makes one), not with NO_COLOR set, TERM=dumb or
# --color never, never in --json; --color always anywhere.
esc=$'\033['
on_tty() {
	script -qec "$(printf '%q ' env PGENC_SYSROOT="$WORK/sevsim-host" "$@")" /dev/null
}
colour() { # DESC WANT(1|0) ARGS...: is there an SGR in the output?
	local desc=$1 want=$2 out got=0
	shift 2
	out=$("$@" 2>&1)
	[[ $out == *"$esc"* ]] && got=1
	if [[ $got == "$want" ]]; then
		ok "probe colour: $desc"
	else
		notok "probe colour: $desc" "$(printf '%s' "$out" | head -3 | od -c | head -5)"
	fi
}
if command -v script >/dev/null; then
	colour "a terminal: yes" 1 on_tty "$PGENC" probe
	check "probe colour: a terminal, PASS in green" \
		grep -qF "[ ${esc}1;32mPASS${esc}0m ] - /dev/kvm: present" <(on_tty "$PGENC" probe)
	colour "a terminal, NO_COLOR=1: no" 0 on_tty NO_COLOR=1 "$PGENC" probe
	colour "a terminal, NO_COLOR empty: yes" 1 on_tty NO_COLOR= "$PGENC" probe
	colour "a terminal, TERM=dumb: no" 0 on_tty TERM=dumb "$PGENC" probe
	colour "a terminal, --color never: no" 0 on_tty "$PGENC" probe --color never
	colour "a terminal, --no-color: no" 0 on_tty "$PGENC" probe --no-color
	colour "a terminal, --json: no" 0 on_tty "$PGENC" probe --json
else
	skip "probe colour on a terminal" "no script(1) (apt-get install bsdutils)"
fi
colour "a pipe: no" 0 env PGENC_SYSROOT="$WORK/sevsim-host" "$PGENC" probe
colour "a pipe, --color always: yes" 1 env PGENC_SYSROOT="$WORK/sevsim-host" "$PGENC" probe --color always

# The host this runs on: whatever it is, the exit is 0, 1 or 3 and the
# JSON parses (it must not crash on a real /dev/kvm or its absence).
(cd "$WORK" && "$PGENC" probe --json >"$cli_out/real.json" 2>"$cli_out/real.err")
rc=$?
if [[ $rc == 0 || $rc == 1 || $rc == 3 ]] &&
	python3 -m json.tool "$cli_out/real.json" >/dev/null 2>&1; then
	ok "this host: exit $rc, JSON parses"
else
	notok "this host: exit $rc" "$(cat "$cli_out/real.err" "$cli_out/real.json")"
fi

t_close
cli_summary
