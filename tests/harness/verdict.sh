# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# selftests/vm/verdict.sh against fabricated runs: results.tap and
# console.log as init.sh and the kernel write them (protocol:
# selftests/vm/README.md), and QEMU's exit status. Each bad run must give
# "VM verdict: FAIL", the reason, exit 1 and a failed result; the clean
# ones must pass. What make check counts is the guest's TAP (run.sh
# streams it) followed by the verdict's own results: tap_count over both.

V=$REPO/selftests/vm/verdict.sh
vd=$(scratch verdict)

# A clean run of one test plus the reload cycle and the rerun.
clean_tap() {
	cat <<'EOF'
TAP version 13
1..3
# smoke_test
# TAP version 13
# 1..1
# ok 1 - vm runs
# # 1 passed, 0 failed, 0 skipped
ok 1 - smoke_test
# rmmod kvm_amd kvm; insmod kvm kvm-amd (x1)
ok 2 - rmmod kvm_amd kvm; insmod kvm kvm-amd (x1)
# smoke_test after reload
ok 3 - smoke_test after reload
# PGENC-VM-TAINT 12288
# 3 passed, 0 failed, 0 skipped
PGENC-VM-END
EOF
}

clean_console() {
	cat <<'EOF'
[    0.000000] Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org)
[    2.100000] Run /init as init process
[    3.200000] kvm: loading out-of-tree module taints kernel.
[    3.200001] kvm: module verification failed: signature and/or required key missing - tainting kernel
[    3.400000] pgenc-vm: modules loaded
[    5.000000] pgenc-vm: test smoke_test: start
[    6.000000] pgenc-vm: test smoke_test: exit 0
EOF
}

# run_verdict NAME RC [verdict args...]: judge $vd/NAME.{tap,con}.
run_verdict() {
	local name=$1 rc=$2
	shift 2
	"$V" --results "$vd/$name.tap" --console "$vd/$name.con" --rc "$rc" "$@"
}

# counted NAME: what make check counts of the run NAME just judged.
counted() {
	{ cat "$vd/$1.tap" 2>/dev/null; echo "$OUT"; } | tap_count
}

# case_ok DESC NAME RC COUNTS [args]: a pass, counted as COUNTS.
case_ok() {
	local d=$1 name=$2 rc=$3 counts=$4 got
	shift 4
	expect "verdict: $d: PASS" 0 run_verdict "$name" "$rc" "$@"
	has '^VM verdict: PASS'
	got=$(counted "$name")
	[[ $got == "$counts" ]] || why "counted '$got', want '$counts'"
	done_
}

# case_fail DESC NAME RC REASON_REGEX [args]: a fail for that reason.
case_fail() {
	local d=$1 name=$2 rc=$3 why=$4
	shift 4
	expect "verdict: $d: FAIL" 1 run_verdict "$name" "$rc" "$@"
	has '^VM verdict: FAIL'
	has "$why"
	hasnt 'PASS'
	# make check counts the results: one at least must fail.
	[[ $(counted "$name") == *" 0 failed,"* ]] && why "no failed result: $(counted "$name")"
	done_
}

# mk NAME: the clean pair, then edits: mk NAME < /dev/null; sed -i on it.
mk() {
	clean_tap >"$vd/$1.tap"
	clean_console >"$vd/$1.con"
}

mk clean
# The guest's 3 results and the verdict's 5: QEMU's exit, end marker,
# console, taint, plan.
case_ok "clean run" clean 0 "8 passed, 0 failed, 0 skipped"

# A test's own TAP is indented: its "not ok" is not ours to judge.
mk nested
sed -i 's/^# ok 1 - vm runs/# not ok 1 - vm runs/' "$vd/nested.tap"
case_ok "a test's own indented 'not ok'" nested 0 "8 passed, 0 failed, 0 skipped"

mk crlf
sed -i 's/$/\r/' "$vd/crlf.tap" "$vd/crlf.con"
case_ok "CRLF line ends" crlf 0 "8 passed, 0 failed, 0 skipped"

mk skipped
sed -i 's/^ok 1 - smoke_test$/ok 1 - smoke_test # SKIP no SEV/' "$vd/skipped.tap"
case_ok "a skipped test" skipped 0 "7 passed, 0 failed, 1 skipped"

mk taint_o
sed -i 's/^# PGENC-VM-TAINT .*/# PGENC-VM-TAINT 4096/' "$vd/taint_o.tap"
case_ok "taint O only" taint_o 0 "8 passed, 0 failed, 0 skipped"

# Kernel trouble on the console, one kind per case, each in the middle of
# an otherwise clean run (the guest still reached its end marker).
splats=(
	'BUG: kernel NULL pointer dereference, address: 0000000000000008'
	'BUG: unable to handle page fault for address: ffffc90000a3f000'
	'WARNING: CPU: 1 PID: 212 at arch/x86/kvm/x86.c:10529 kvm_arch_vcpu_ioctl_run+0x1c2/0x1d0 [kvm]'
	'BUG: KASAN: slab-out-of-bounds in pgenc_bitmap_set+0x8e/0x120 [kvm]'
	'KASAN: null-ptr-deref in range [0x0000000000000008-0x000000000000000f]'
	'general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] PREEMPT SMP NOPTI'
	'Oops: 0002 [#1] PREEMPT SMP NOPTI'
	'UBSAN: shift-out-of-bounds in arch/x86/kvm/x86.c:9876:12'
	'WARNING: possible circular locking dependency detected'
	'Kernel panic - not syncing: Fatal exception'
	'Call Trace:'
)
i=0
for s in "${splats[@]}"; do
	i=$((i + 1))
	mk "splat$i"
	sed -i "5a [    5.500000] $s" "$vd/splat$i.con"
	case_fail "console: ${s:0:40}" "splat$i" 0 'console shows kernel trouble'
done

mk taint_w
sed -i 's/^# PGENC-VM-TAINT .*/# PGENC-VM-TAINT 12800/' "$vd/taint_w.tap"
case_fail "taint W (512) beside O/E" taint_w 0 'kernel tainted 12800 \(WOE\)'

mk taint_none
sed -i '/^# PGENC-VM-TAINT/d' "$vd/taint_none.tap"
case_fail "no taint line" taint_none 0 'no taint line'

mk notok
sed -i 's/^ok 1 - smoke_test$/not ok 1 - smoke_test # exit 1/' "$vd/notok.tap"
case_fail "a top-level 'not ok'" notok 0 '1 test\(s\) not ok'
expect "verdict: a 'not ok' counts as one failure" 1 run_verdict notok 0
[[ $(counted notok) == "7 passed, 1 failed, 0 skipped" ]] || why "counted $(counted notok)"
done_

mk nomarker
sed -i '/^PGENC-VM-END$/d' "$vd/nomarker.tap"
case_fail "no end marker" nomarker 0 'no end marker'

mk badmarker
sed -i 's/^PGENC-VM-END$/PGENC-VM-END-ish/' "$vd/badmarker.tap"
case_fail "end marker not a whole line" badmarker 0 'no end marker'

# A guest that panicked mid-run: QEMU still exits 0 (panic=-1).
mk panicked
sed -i '/^# rmmod/,$d' "$vd/panicked.tap"
case_fail "output stops mid-run, qemu exit 0" panicked 0 'no end marker'

mk plan_more
sed -i 's/^1\.\.3$/1..4/' "$vd/plan_more.tap"
case_fail "plan 1..4, 3 results" plan_more 0 'plan 1\.\.4 but 3 results'

mk plan_less
sed -i 's/^1\.\.3$/1..2/' "$vd/plan_less.tap"
case_fail "plan 1..2, 3 results" plan_less 0 'plan 1\.\.2 but 3 results'

mk noplan
sed -i '/^1\.\.3$/d' "$vd/noplan.tap"
case_fail "no plan line" noplan 0 'no TAP plan line'

mk bail
sed -i '3,$d' "$vd/bail.tap"
printf '%s\n' 'Bail out! insmod /modules/kvm.ko: Invalid module format' \
	'# PGENC-VM-TAINT 0' PGENC-VM-END >>"$vd/bail.tap"
case_fail "Bail out!" bail 0 'guest: Bail out! insmod'

mk timeout
case_fail "timeout (124)" timeout 124 'timeout: the VM did not finish'
mk killed
case_fail "timeout, killed (137)" killed 137 'timeout: the VM did not finish'
mk qemu_err
case_fail "qemu exit 1" qemu_err 1 'qemu exited 1'
mk stalled
: >"$vd/stall.txt"
case_fail "watchdog stop" stalled 143 'stalled: no output from the VM for 180s' \
	--stalled 180 --stall-dump "$vd/stall.txt"

rm -f "$vd/none.tap" "$vd/none.con"
case_fail "no results file at all" none 0 'no end marker'

# --cmd: the command's exit status is the test.
cmd_tap() {
	printf '%s\n' 'pgenc 0.1.0' "# PGENC-VM-CMD-EXIT $1" '# PGENC-VM-TAINT 12288' PGENC-VM-END
}
cmd_tap 0 >"$vd/cmd0.tap"
clean_console >"$vd/cmd0.con"
case_ok "--cmd exit 0" cmd0 0 "5 passed, 0 failed, 0 skipped" --cmd
cmd_tap 3 >"$vd/cmd3.tap"
clean_console >"$vd/cmd3.con"
case_fail "--cmd exit 3" cmd3 0 'command exited 3' --cmd
cmd_tap 0 | grep -v CMD-EXIT >"$vd/cmdnone.tap"
clean_console >"$vd/cmdnone.con"
case_fail "--cmd, no exit line" cmdnone 0 'command exited \?' --cmd
