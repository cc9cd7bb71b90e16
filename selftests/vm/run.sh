#!/bin/bash
# Boot the test VM (Debian's $KVER kernel under QEMU TCG, nested SVM),
# load the KVM modules there, run the selftests, and judge the run.
#
#   selftests/vm/run.sh [--modules DIR|stock] [--tests DIR] [--only NAME]...
#                       [--extra-file SRC:DST]... [--cmd "shell command"]
#                       [--timeout S] [--test-timeout S] [--stall S]
#                       [--modparam kvm:ARGS|kvm_amd:ARGS]... [--out DIR]
#                       [--host-root]
#
#   --modules DIR   kvm.ko + kvm-amd.ko to load (default build/modules);
#                   "stock" = Debian's own from /lib/modules/$KVER.
#                   Their dependencies (irqbypass, ccp) always come from
#                   the stock tree.
#   --tests DIR     static test binaries (default build/selftests/bin);
#                   all are packed, all run unless --only is given
#   --only NAME     run only these (repeat, or NAME,NAME)
#   --extra-file SRC:DST  also put SRC at absolute path DST in the VM
#   --cmd CMD       load the modules, run CMD (sh -c) instead of the tests;
#                   its stdout+stderr are the TAP port's content
#   --timeout S     whole VM run, host side (default 900)
#   --test-timeout S  each test, guest side (default 300)
#   --stall S       stop the VM when its output has not changed for S s
#                   (default: test timeout + 120; 0 = never; --cmd: never)
#                   and dump its vCPUs to DIR/stall.txt (watchdog.sh)
#   --modparam M:ARGS  insmod parameters for kvm or kvm_amd
#   --out DIR       where the initramfs and logs go (default build/vm)
#   --host-root     share the host's / read-only over 9p, mounted at /host
#                   in the VM (its programs run there with chroot /host;
#                   tests/qemu/vm.sh runs the host's QEMU that way)
#
# Env: PGENC_VM_BZIMAGE=1 boots /boot/vmlinuz-$KVER as is, not the faster
# PVH entry of the same kernel (see vmlinux.sh); PGENC_VM_APPEND adds to the
# kernel command line (e.g. dyndbg=...); PGENC_VM_MEM sets the guest's RAM
# (QEMU -m, default 2G: upstream's memstress tests touch 1 GiB per vCPU);
# PGENC_VM_TCG_THREAD=multi runs
# QEMU's multi-threaded TCG instead of the single-threaded default, only
# to measure the wedge it causes (README.md, "Wedged guests");
# KVER etc. as in kver.sh.
#
# Outputs in DIR: console.log (serial 0: kernel + init), results.tap
# (serial 1: TAP, or the --cmd output), dmesg.log (serial 2: the full
# dmesg at the end), monitor.sock (QEMU's HMP monitor while it runs),
# stall.txt (vCPU state if the watchdog stopped it). The TAP is echoed to
# stdout while the VM runs, then verdict.sh's own results and its
# verdict. Exit 0 only on a pass.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/kver.sh"

timeout=900
test_timeout=300 # pack.sh's default, repeated for the stall default
stall=
out=$BUILD/vm
cmd_mode=0
pack_args=()
virtfs=()
while (($#)); do
	case $1 in
	--timeout) timeout=$2; shift 2 ;;
	--stall) stall=$2; shift 2 ;;
	--test-timeout) test_timeout=$2; pack_args+=("$1" "$2"); shift 2 ;;
	--out) out=$2; shift 2 ;;
	--host-root)
		pack_args+=("$1")
		virtfs=(-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap")
		shift ;;
	--cmd) cmd_mode=1; pack_args+=("$1" "$2"); shift 2 ;;
	--modules | --tests | --only | --extra-file | --modparam)
		pack_args+=("$1" "$2"); shift 2 ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
	esac
done

command -v qemu-system-x86_64 >/dev/null ||
	{ echo "run.sh: error: qemu-system-x86_64 missing (apt-get install qemu-system-x86)" >&2; exit 1; }

tcg_thread=${PGENC_VM_TCG_THREAD:-single}
[[ $tcg_thread == single || $tcg_thread == multi ]] ||
	{ echo "run.sh: PGENC_VM_TCG_THREAD=$tcg_thread: want single or multi" >&2; exit 2; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
# One VM run per output dir at a time: engineers share the work tree, and
# two runs writing one console.log give nonsense verdicts. Held until exit.
exec 9>"$out/.lock"
if ! flock -n 9; then
	echo "run.sh: $out is busy with another VM run; waiting (--out DIR runs in parallel)" >&2
	flock 9
fi
"$here/pack.sh" --out "$out" "${pack_args[@]}"
kernel=$("$here/vmlinux.sh")

console=$out/console.log
results=$out/results.tap
: >"$console"
: >"$results"
: >"$out/dmesg.log"
rm -f "$out/stalled" "$out/stall.txt"

# -cpu max under TCG has SVM with NPT (and NRIPS, VGIF...), so the stock
# kvm_amd loads and uses nested paging. phys-bits=48, as on AMD hosts,
# instead of TCG's default 40: tests place memslots at 2^45 and above.
# xlevel=0x8000001f: the CPUID leaf of SEV exists (all zero, as on an AMD
# CPU without SEV), so that KVM_GET_SUPPORTED_CPUID can report sevsim's
# SEV there, which upstream's sev_migrate_tests requires
# (Documentation/sevsim.rst, "Enabling"). thread=single: QEMU runs the vCPUs
# in turn on one host thread. Multi-threaded TCG does not make the guest
# kernel's cross-modifying code (text_poke_bp() for static keys) safe
# across vCPUs, and wedged a vCPU in nested SVM (README.md, "Wedged
# guests"); the guest still has two vCPUs that interleave. quiet + loglevel=5 keep the serial
# console short (it is slow under TCG) but still show every warning; the
# full log is in dmesg.log. The panic options turn any kernel trouble
# into a stopped VM, which the missing end marker then reports.
# The soft-lockup detector and RCU stall warnings are off: under TCG on
# a loaded or paused host, the guest's clock jumps (26 s and 157 s were
# seen), and both then panicked guests whose every CPU sat in the idle
# loop, with no pgenc frame anywhere. A real lockup still stops the run:
# no output for --stall seconds (watchdog.sh dumps the vCPUs' RIPs), the
# per-test timeout, and in the debug lane lockdep and atomic-sleep checks.
# no_timer_check: the boot-time check that the IO-APIC timer ticks
# panicked one boot ("IO-APIC + timer doesn't work") on a loaded host,
# where TCG's ticks come late; the test VM's timer is QEMU's, known good.
append="console=ttyS0 quiet loglevel=5 panic=-1 oops=panic panic_on_warn=1"
append+=" nosoftlockup rcupdate.rcu_cpu_stall_suppress=1 hung_task_panic=1"
append+=" no_timer_check"
append+=" ${PGENC_VM_APPEND:-}"

# The QEMU monitor, for watchdog.sh or a person (socat - UNIX:$mon);
# a unix socket path must fit in 108 bytes.
mon=$out/monitor.sock
((${#mon} < 100)) || mon=$(mktemp -u /tmp/pgenc-vm-monitor.XXXXXX)

start=$(date +%s.%N)
rc=0
timeout -k 10 "$timeout" qemu-system-x86_64 \
	-nodefaults -nographic -no-reboot \
	-accel "tcg,thread=$tcg_thread" -cpu max,phys-bits=48,xlevel=0x8000001f \
	-smp 2 -m "${PGENC_VM_MEM:-2G}" \
	-kernel "$kernel" -initrd "$out/initramfs.cpio.gz" \
	-append "$append" \
	-serial "file:$console" -serial "file:$results" -serial "file:$out/dmesg.log" \
	-monitor "unix:$mon,server=on,wait=off" "${virtfs[@]}" &
qemu=$!
if [[ -z $stall ]]; then
	((cmd_mode)) && stall=0 || stall=$((test_timeout + 120))
fi
watchdog=
if ((stall > 0)); then
	"$here/watchdog.sh" "$qemu" "$stall" "$mon" "$out" "$console" "$results" &
	watchdog=$!
fi
# Stream the TAP as it comes; tail stops once QEMU is gone and reaped.
tail -n +1 -s 0.3 -f --pid="$qemu" "$results" &
tailer=$!
wait "$qemu" || rc=$?
wait "$tailer" || true
if [[ -n $watchdog ]]; then
	kill "$watchdog" 2>/dev/null || true
	wait "$watchdog" 2>/dev/null || true
fi
end=$(date +%s.%N)
printf 'VM run: %.1f s (qemu exit %d)\n' "$(echo "$end - $start" | bc)" "$rc"

verdict_args=(--results "$results" --console "$console" --rc "$rc")
[[ -f $out/stalled ]] && verdict_args+=(--stalled "$(<"$out/stalled")" --stall-dump "$out/stall.txt")
((cmd_mode)) && verdict_args+=(--cmd)
exec "$here/verdict.sh" "${verdict_args[@]}"
