#!/bin/sh
# PID 1 of the test VM (busybox sh). Loads the KVM modules, runs the tests
# (or one command) and writes the results to the TAP port, /dev/ttyS1;
# kernel messages and init's own progress go to the console, /dev/ttyS0.
# Protocol: selftests/vm/README.md. Host side: run.sh, verdict.sh.
#
# Whatever happens it must reach `poweroff -f`: if PID 1 exits the kernel
# panics, and with panic=-1 -no-reboot QEMU then exits 0, so the host
# trusts only the end marker written last.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin:/tests
END_MARKER=PGENC-VM-END

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# In case the initramfs had no /dev/console node for the kernel to open.
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm /tmp /sys/kernel/debug /sys/fs/cgroup
mount -t debugfs debugfs /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /dev/shm

# Written by run.sh: MODE, TESTS, RERUN, TEST_TIMEOUT, DEP_MODULES,
# KVM_PARAMS, KVM_AMD_PARAMS, HOST_ROOT.
. /etc/pgenc-vm.conf

# -opost: no \n -> \r\n, so the host gets plain lines.
stty -F /dev/ttyS1 raw -echo -opost 2>/dev/null
exec 3>/dev/ttyS1

tap() { echo "$*" >&3; }
log() { echo "<4>pgenc-vm: $*" >/dev/kmsg; }

finish() {
	tap "# PGENC-VM-TAINT $(cat /proc/sys/kernel/tainted)"
	[ -n "$1" ] && tap "$1"
	tap "$END_MARKER"
	# Closing the last fd of a tty waits until its output is sent, so the
	# marker reaches the host before the power goes.
	exec 3>&-
	dmesg >/dev/ttyS2 2>/dev/null
	sync
	poweroff -f
	sleep 10 # poweroff -f does not return; never let PID 1 exit
}

bail() {
	tap "Bail out! $*"
	log "Bail out! $*"
	finish ""
}

# load_mod FILE [PARAMS...]: insmod, keeping its complaint in LOAD_ERR.
load_mod() {
	insmod "$@" >/tmp/insmod.out 2>&1 && return 0
	LOAD_ERR="insmod $*: $(cat /tmp/insmod.out)"
	return 1
}

# The parameter lists are split into words on purpose.
# shellcheck disable=SC2086
load_kvm() {
	load_mod /modules/kvm.ko $KVM_PARAMS || return 1
	load_mod /modules/kvm-amd.ko $KVM_AMD_PARAMS || return 1
	[ -c /dev/kvm ] || { LOAD_ERR="no /dev/kvm after insmod"; return 1; }
}

# Dependencies (irqbypass, ccp, ...) come from the stock tree, in order.
for m in $DEP_MODULES; do
	load_mod "/modules/deps/$m" || bail "$LOAD_ERR"
done
load_kvm || bail "$LOAD_ERR"
log "modules loaded"
# run.sh --host-root: the host's / (read-only 9p) at /host.
if [ "$HOST_ROOT" = 1 ]; then
	mkdir -p /host
	mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=262144,cache=loose \
		hostroot /host || bail "mount of the host's root (9p) failed"
	log "host root at /host"
fi

if [ "$MODE" = cmd ]; then
	log "running /cmd.sh"
	sh /cmd.sh >&3 2>&1
	rc=$?
	tap "# PGENC-VM-CMD-EXIT $rc"
	finish ""
fi

n=0
pass=0
fail=0
skip=0

# result NAME RC: one top-level TAP line for a finished test.
result() {
	n=$((n + 1))
	case $2 in
	0) pass=$((pass + 1)); tap "ok $n - $1" ;;
	4) skip=$((skip + 1)); tap "ok $n - $1 # SKIP $(skip_reason)" ;;
	*) fail=$((fail + 1)); tap "not ok $n - $1 # exit $2$(timed_out "$2")" ;;
	esac
}
timed_out() { case $1 in 124 | 143) echo " (timeout ${TEST_TIMEOUT}s?)" ;; esac; }
# The test's own last "SKIP" line says why, e.g. "1..0 # SKIP no /dev/kvm".
skip_reason() {
	r=$(grep -o 'SKIP.*' /tmp/out | tail -n1 | sed 's/^SKIP *//')
	echo "${r:-skipped}"
}

# run_test NAME [LABEL]: runs /tests/NAME, its output (its own TAP)
# indented as "# " comments under ours, streamed so a crash still shows how
# far it got.
run_test() {
	log "test $1: start"
	tap "# ${2:-$1}"
	{
		timeout "$TEST_TIMEOUT" "/tests/$1" 2>&1
		echo $? >/tmp/rc
	} | tee /tmp/out | sed 's/^/# /' >&3
	rc=$(cat /tmp/rc)
	log "test $1: exit $rc"
	result "${2:-$1}" "$rc"
}

planned=0
for t in $TESTS; do planned=$((planned + 1)); done
planned=$((planned + 1)) # the unload/reload cycle
[ -n "$RERUN" ] && planned=$((planned + 1))
# sev_launch_test, if it ran, runs again after the reload cycle: a reload
# that leaves sevsim's platform, handles or ASIDs broken fails it there.
SEV_RERUN=
case " $TESTS " in *" sev_launch_test "*) SEV_RERUN=sev_launch_test ;; esac
[ -n "$SEV_RERUN" ] && planned=$((planned + 1))
[ -f /post.sh ] && planned=$((planned + 1)) # PGENC_VM_POST (pack.sh)
tap "TAP version 13"
tap "1..$planned"

for t in $TESTS; do
	run_test "$t"
done

# Unload and reload, RELOADS times: module exit paths (sevsim's too), and
# a fresh init after them; a leak or a stale pointer shows up as a splat.
log "module reload cycle x${RELOADS:-1}"
LOAD_ERR=
i=0 rc=0
while [ "$i" -lt "${RELOADS:-1}" ] && [ "$rc" = 0 ]; do
	{ rmmod kvm_amd && rmmod kvm && load_kvm; } >/tmp/out 2>&1
	rc=$?
	i=$((i + 1))
done
[ -n "$LOAD_ERR" ] && echo "$LOAD_ERR" >>/tmp/out
sed 's/^/# /' /tmp/out >&3
result "rmmod kvm_amd kvm; insmod kvm kvm-amd (x$i)" "$rc"

[ -n "$RERUN" ] && run_test "$RERUN" "$RERUN after reload"
[ -n "$SEV_RERUN" ] && run_test "$SEV_RERUN" "$SEV_RERUN after reload"

# PGENC_VM_POST (pack.sh): one host-given command after everything else.
if [ -f /post.sh ]; then
	log "post command"
	tap "# post"
	{
		sh /post.sh 2>&1
		echo $? >/tmp/rc
	} | sed 's/^/# /' >&3
	# Named by its first line, minus a leading "# ".
	result "post: $(head -n1 /post.sh | sed 's/^# *//' | cut -c1-60)" "$(cat /tmp/rc)"
fi

finish "# $pass passed, $fail failed, $skip skipped"
