#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-side tests of "pgenc vms" and "pgenc bitmap show|export --vm"
# against faked KVM debugfs trees (PGENC_SYSROOT: sys/kernel/debug/kvm/
# PID-FD/pgenc_stats and pgenc_bitmap, proc/PID/comm), built here: the
# table, --json (parsed, and validated against tools/lib/schema/
# pgenc-vms.schema.json when python3-jsonschema is installed), --watch
# with --count, and the errors: debugfs not mounted, kvm not loaded (exit
# 3), a malformed pgenc_stats (exit 1), --vm naming no VM or a pid with
# two (exit 1, the candidates listed), bad arguments (exit 2). As
# root, the not-root case runs as nobody (exit 3). The real files are
# read in the test VM by tests/cli/bitmap/vm.sh.
# Checks the outputs against tests/cli/vms.cram.
# Prints TAP, then "N passed, N failed, N skipped"; exits 1 on a failure.
#
# Usage: tests/cli/vms/run.sh [--regenerate]
# Environment: PGENC=path (no build), BUILD.
# Needs: python3 (python3-jsonschema, for /usr/bin/python3, for the schema
# check).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/cli/cli_lib.sh
. "$here/../cli_lib.sh"
# shellcheck source=tests/cli/transcript.sh
. "$here/../transcript.sh"
t_driver vms "$@"

# stats FILE TRACKED SHARED HYPERCALLS DBG BYPASSED: a pgenc_stats.
stats() {
	cat >"$1" <<-EOF
		tracking: on
		tracked_pages: $2
		shared_pages: $3
		bitmap_bytes: $(($2 / 8 + 16))
		bitmap_slots: 1
		hypercalls: $4
		hypercall_errors: 0
		migration_control: 1
		dbg_fw_cmds: $5
		dbg_bypassed_pages: $6
		max_hold_ns: 0
		max_hold_bits: 0
	EOF
}

# vm ROOT PID-FD [COMM]: a tracked VM of 4096 pages with a pgenc_bitmap
# (the ranges of $WORK/vm.ranges) in fake host ROOT.
vm() {
	local d=$WORK/$1/sys/kernel/debug/kvm/$2
	mkdir -p "$d"
	stats "$d/pgenc_stats" 4096 40 7 2 1
	"$PGENC" bitmap export --from "$WORK/vm.ranges" -f raw -o "$d/pgenc_bitmap"
	if [[ -n ${3:-} ]]; then
		mkdir -p "$WORK/$1/proc/${2%-*}"
		echo "$3" >"$WORK/$1/proc/${2%-*}/comm"
	fi
}

printf '0x0-0x9ff encrypted\n0xa00-0xa27 shared\n0xa28-0xfff encrypted\n' >"$WORK/vm.ranges"

# host: two VMs of qemu (pid 4242, one untracked, one tracking off), one
# of pgenc run (pid 77), one whose process is gone (pid 9000001), and
# what is not a VM's directory.
vm host 4242-11 qemu-system-x86
mkdir -p "$WORK/host/sys/kernel/debug/kvm/4242-14" "$WORK/host/sys/kernel/debug/kvm/4242-19"
echo "tracking: off" >"$WORK/host/sys/kernel/debug/kvm/4242-19/pgenc_stats"
vm host 77-9 pgenc
stats "$WORK/host/sys/kernel/debug/kvm/77-9/pgenc_stats" 262144 1024 123456 0 0
vm host 9000001-5
mkdir -p "$WORK/host/sys/kernel/debug/kvm/x-1" "$WORK/host/sys/kernel/debug/kvm/12"
# two: pid 500 has two tracked VMs, and one with no memory.
vm two 500-10 pgenc
vm two 500-12 pgenc
vm two 600-3 pgenc
stats "$WORK/two/sys/kernel/debug/kvm/600-3/pgenc_stats" 0 0 0 0 0
# empty: kvm loaded, no VM. nokvm: debugfs without kvm. nodebugfs.
mkdir -p "$WORK/empty/sys/kernel/debug/kvm" "$WORK/nokvm/sys/kernel/debug" "$WORK/nodebugfs/proc"
# kvmfile: kvm is not a directory. bad: a pgenc_stats without hypercalls.
mkdir -p "$WORK/kvmfile/sys/kernel/debug" && : >"$WORK/kvmfile/sys/kernel/debug/kvm"
mkdir -p "$WORK/bad/sys/kernel/debug/kvm/1-2"
stats "$WORK/bad/sys/kernel/debug/kvm/1-2/pgenc_stats" 1 0 0 0 0
sed -i '/^hypercalls:/d' "$WORK/bad/sys/kernel/debug/kvm/1-2/pgenc_stats"

sr() { echo "PGENC_SYSROOT=$WORK/$1"; }

t_run help 0 pgenc vms --help
t_run list 0 -e "$(sr host)" pgenc vms
t_run list-json 0 -e "$(sr host)" pgenc vms --json
cp "$WORK/.out" "$cli_out/host.json"
t_run empty 0 -e "$(sr empty)" pgenc vms
t_run empty-json 0 -e "$(sr empty)" pgenc vms --json
cp "$WORK/.out" "$cli_out/empty.json"
t_run watch 0 -e "$(sr host)" pgenc vms --watch 1 --count 2
t_run watch-eq 0 -e "$(sr empty)" pgenc vms --watch=2 --count 1
t_run no-debugfs 3 -e "$(sr nodebugfs)" pgenc vms
t_run no-kvm 3 -e "$(sr nokvm)" pgenc vms
t_run kvm-file 1 -e "$(sr kvmfile)" pgenc vms
t_run bad-stats 1 -e "$(sr bad)" pgenc vms
t_run usage-count 2 pgenc vms --count 2
t_run usage-json-watch 2 pgenc vms --json --watch
t_run usage-watch-0 2 pgenc vms --watch 0
t_run usage-watch-x 2 pgenc vms --watch=x
t_run usage-arg 2 pgenc vms extra
t_run usage-sysroot 2 -e PGENC_SYSROOT=/nonexistent/root pgenc vms

# --vm: the VM's pgenc_bitmap, by PID or PID-FD.
t_run show-vm 0 -e "$(sr host)" pgenc bitmap show --vm 4242 --no-map
t_run show-vm-json 0 -e "$(sr host)" pgenc bitmap show --vm 77-9 --json --limit 2
t_run export-vm 0 -e "$(sr host)" pgenc bitmap export --vm 4242-11
t_run export-vm-raw 0 -e "$(sr host)" pgenc bitmap export --vm 4242 -f raw -o vm.raw
if cmp -s "$WORK/vm.raw" "$WORK/host/sys/kernel/debug/kvm/4242-11/pgenc_bitmap"; then
	ok "export --vm -f raw writes the file's bytes"
else
	notok "export --vm -f raw differs from pgenc_bitmap"
fi
t_run vm-two 1 -e "$(sr two)" pgenc bitmap show --vm 500
t_run vm-none 1 -e "$(sr two)" pgenc bitmap export --vm 501
t_run vm-none-fd 1 -e "$(sr two)" pgenc bitmap export --vm 500-11
t_run vm-off 1 -e "$(sr host)" pgenc bitmap export --vm 4242-19
t_run vm-no-memory 1 -e "$(sr two)" pgenc bitmap show --vm 600
t_run vm-no-debugfs 3 -e "$(sr nodebugfs)" pgenc bitmap export --vm 1
t_run vm-usage-spec 2 pgenc bitmap show --vm 12-x
t_run vm-usage-socket 2 pgenc bitmap export --vm 1 --socket s
t_run vm-usage-range 2 pgenc bitmap export --vm 1 --start-gfn 4
t_run vm-usage-iformat 2 pgenc bitmap export --vm 1 --input-format raw
t_run vm-usage-file 2 pgenc bitmap show --vm 1 vm.ranges
t_run vm-usage-format 2 pgenc bitmap show --vm 1 --format raw
t_run vm-usage-alias 2 pgenc ctl s export --vm 1

# The JSON parses, agrees with the text, and fits the schema.
schema=$cli_repo/tools/lib/schema/pgenc-vms.schema.json
if python3 - "$cli_out/host.json" "$cli_out/empty.json" <<-'EOF' >"$cli_out/json.check" 2>&1; then
	import json, sys
	host = json.load(open(sys.argv[1]))
	assert json.load(open(sys.argv[2])) == []
	assert [v["vm"] for v in host] == ["77-9", "4242-11", "9000001-5"], host
	assert host[0]["hypercalls"] == 123456 and host[0]["name"] == "pgenc"
	assert host[2]["name"] is None
	EOF
	ok "vms --json parses: the tracked VMs, by pid"
else
	notok "vms --json" "$(cat "$cli_out/json.check")"
fi
if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	skip "vms --json against its schema" "python3-jsonschema not installed"
elif /usr/bin/python3 - "$schema" "$cli_out/host.json" "$cli_out/empty.json" <<-'EOF' >"$cli_out/schema.check" 2>&1; then
	import json, sys, jsonschema
	s = json.load(open(sys.argv[1]))
	jsonschema.Draft202012Validator.check_schema(s)
	for f in sys.argv[2:]:
	    jsonschema.Draft202012Validator(s).validate(json.load(open(f)))
	EOF
	ok "vms --json fits tools/lib/schema/pgenc-vms.schema.json"
else
	notok "vms --json against its schema" "$(cat "$cli_out/schema.check")"
fi

# Not root: KVM's debugfs directory cannot be read (exit 3). As root,
# the same as nobody, on a copy where nobody can reach the tree.
deny=$(mktemp -d)
cp -r "$WORK/host" "$deny/root" && cp "$PGENC" "$deny/pgenc"
chmod 755 "$deny" && chmod 700 "$deny/root/sys/kernel/debug"
if [[ $(id -u) != 0 ]]; then
	PGENC_SYSROOT=$deny/root "$deny/pgenc" vms >"$cli_out/deny.out" 2>&1
	rc=$?
elif command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env PGENC_SYSROOT="$deny/root" "$deny/pgenc" vms >"$cli_out/deny.out" 2>&1
	rc=$?
else
	rc=none
fi
if [[ $rc == none ]]; then
	skip "vms as not root" "root, and no setpriv (util-linux) to drop it"
elif [[ $rc == 3 ]] && grep -q "kvm: Permission denied: KVM's debugfs files are root's" "$cli_out/deny.out"; then
	ok "vms as not root: exit 3, says so"
else
	notok "vms as not root: exit $rc" "$(cat "$cli_out/deny.out")"
fi
rm -rf "$deny"

t_close
cli_summary
