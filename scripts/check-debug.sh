#!/usr/bin/env bash
# The debug-kernel lane (Documentation/testing.rst, "Debug-kernel lane"): build a small 6.1 kernel with
# KASAN, UBSAN, lockdep, kmemleak, fault injection and DEBUG_LIST from the
# same linux-source tarball as the modules, build our kvm.ko + kvm-amd.ko
# against it, boot it in the test VM (selftests/vm) and run every selftest
# with sevsim, then a kmemleak scan, which must report nothing; then the
# live-migration tests (tests/cli/migrate/vm.sh) on the same kernel.
#
#   scripts/check-debug.sh [--no-vm] [run.sh options, e.g. --only smoke_test]
#
# Everything goes to build/debug-kernel/ (gitignored):
#   src/      the tarball extracted once (never committed)
#   obj/      the kernel build (O=); the VM boots its bzImage
#   deps/     irqbypass.ko, kvm.ko's one dependency, from that tree
#   modules/  our kvm.ko + kvm-amd.ko built against obj/
#   vm/       the VM run's logs (console.log, results.tap, dmesg.log)
#   migrate.log  the migration tests' TAP; their files in tests/cli/migrate-vm/
# The config is `make allnoconfig` with scripts/debug-kernel.config forced
# in (KCONFIG_ALLCONFIG), then olddefconfig; every line of the fragment
# must survive. Heavy steps run under nice -n 19 with -j2 at most
# (PGENC_DEBUG_JOBS). Documentation/testing.rst, "Debug-kernel lane".
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "check-debug: error: $*" >&2; exit 1; }
note() { echo "check-debug: $*"; }
now() { date +%s; }

vm=1
run_args=()
while (($#)); do
	case $1 in
	--no-vm) vm=0; shift ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) run_args+=("$1"); shift ;;
	esac
done

tarball=${KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
frag=$REPO/scripts/debug-kernel.config
top=$REPO/build/debug-kernel
src=$top/src
obj=$top/obj
jobs=${PGENC_DEBUG_JOBS:-2}
kmake() { nice -n 19 make -C "$src" O="$obj" ARCH=x86_64 "$@"; }

"$REPO/scripts/deps.sh" >/dev/null || die "scripts/deps.sh failed"
[[ -r $tarball ]] || die "$tarball missing (apt-get install linux-source-6.1)"
t0=$(now)

# --- 1. source: the tarball, extracted once per tarball version ----------
stamp="$(stat -c '%s %Y' "$tarball") $tarball"
if [[ ! -f $src/.extracted || $(<"$src/.extracted") != "$stamp" ]]; then
	note "extracting $tarball"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	nice -n 19 tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
	echo "$stamp" >"$src.tmp/.extracted"
	mv "$src.tmp" "$src"
fi

# --- 2. config: allnoconfig + fragment, checked line by line ---------------
mkdir -p "$obj"
fstamp=$(sha256sum "$frag" | cut -d' ' -f1)
if [[ ! -f $obj/.config || ! -f $obj/.pgenc-frag || $(<"$obj/.pgenc-frag") != "$fstamp" ]]; then
	note "configuring (allnoconfig + $(basename "$frag"))"
	kmake -s KCONFIG_ALLCONFIG="$frag" allnoconfig
	kmake -s olddefconfig
	echo "$fstamp" >"$obj/.pgenc-frag"
fi
lost=0
while IFS= read -r line; do
	[[ $line =~ ^CONFIG_ ]] || continue
	key=${line%%=*} val=${line#*=}
	if [[ $val == n ]]; then
		grep -q "^$key=" "$obj/.config" || continue
	else
		grep -qx -- "$line" "$obj/.config" && continue
	fi
	echo "check-debug: fragment option lost: $line (config has: $(grep -E "^$key=|^# $key is not set" "$obj/.config" || echo nothing))" >&2
	lost=1
done <"$frag"
((lost == 0)) || { rm -f "$obj/.pgenc-frag"; die "the config lost fragment options (a dependency is missing); see above"; }

# --- 3. kernel: bzImage and irqbypass.ko --------------------------------------
# The bzImage, not obj/vmlinux through its PVH entry: QEMU resets at once
# with that one (KASAN's early shadow setup? not triaged yet).
t1=$(now)
note "building the kernel (make -j$jobs, log: $top/kernel-build.log)"
if ! kmake -j"$jobs" bzImage modules_prepare virt/lib/irqbypass.ko >"$top/kernel-build.log" 2>&1; then
	tail -n 30 "$top/kernel-build.log" >&2
	die "kernel build failed (full log: $top/kernel-build.log)"
fi
t2=$(now)
kver=$(kmake -s kernelrelease)
mkdir -p "$top/deps"
cp "$obj/virt/lib/irqbypass.ko" "$top/deps/irqbypass.ko"
note "kernel $kver built in $((t2 - t1)) s"

# --- 4. our modules against it ------------------------------------------------
# BUILD=$top keeps the staged tree and modules apart from the stock lane's.
export KVER=$kver KDIR=$obj KSRC=$src BUILD=$top PGENC_KIMAGE=$obj/arch/x86/boot/bzImage
nice -n 19 "$REPO/scripts/build-modules.sh" >"$top/modules-build.log" 2>&1 ||
	{ tail -n 30 "$top/modules-build.log" >&2; die "module build failed (log: $top/modules-build.log)"; }
tail -n1 "$top/modules-build.log"
t3=$(now)

# --no-vm: the kernel and our modules only. The selftests are the stock
# lane's build (below), which make check-all runs beside this one.
if ((vm == 0)); then
	note "built in $((t3 - t0)) s (kernel $((t2 - t1)) s); --no-vm: not booting it"
	exit 0
fi

# The selftests do not depend on the kernel: the stock lane's build.
(unset KVER KDIR KSRC BUILD PGENC_KIMAGE; nice -n 19 "$REPO/scripts/build-selftests.sh") >"$top/selftests-build.log" 2>&1 ||
	{ tail -n 30 "$top/selftests-build.log" >&2; die "selftest build failed (log: $top/selftests-build.log)"; }
t4=$(now)


# --- 5. the VM: every selftest with sevsim, then kmemleak ---------------------
# kmemleak reports objects older than 5 s, so wait before each scan; two
# scans, as an object can look unreferenced in only one.
# shellcheck disable=SC2016 # expands in the guest
kmemleak='# kmemleak scan
k=/sys/kernel/debug/kmemleak
[ -w $k ] || { echo "no $k"; exit 1; }
sleep 6; echo scan >$k; sleep 6; echo scan >$k
cat $k >/tmp/leaks
n=$(grep -c "unreferenced object" /tmp/leaks)
cat /tmp/leaks
echo "kmemleak: $n unreferenced objects"
echo "FIGURE leaks $n"
[ "$n" = 0 ]'
export PGENC_VM_DEPS=$top/deps PGENC_VM_POST=$kmemleak
# A 1 GiB hugetlb page, reserved at boot, for sev_bulk_test's 1 GiB
# contiguous launch. It needs a whole aligned GiB of RAM free while the
# kernel boots: QEMU puts the initramfs just below 2 GiB, the PCI hole
# ends RAM below 4 GiB 128 KiB short of 3 GiB, and KASAN's shadow and the
# memmap take the top of RAM above 4 GiB; with 5 GiB, 4-5 GiB stays free.
# nokaslr: the decompressor would put the kernel anywhere.
export PGENC_VM_MEM=${PGENC_VM_MEM:-5G}
export PGENC_VM_APPEND="nokaslr hugepagesz=1G hugepages=1 ${PGENC_VM_APPEND:-}"
set +e
"$REPO/selftests/vm/run.sh" --modules "$top/modules" --tests "$REPO/build/selftests/bin" \
	--out "$top/vm" --modparam kvm_amd:sevsim=1 \
	--timeout "${PGENC_DEBUG_TIMEOUT:-3600}" --test-timeout "${PGENC_DEBUG_TEST_TIMEOUT:-1200}" \
	"${run_args[@]}" 2>&1 | tee "$top/vm.log"
rc=${PIPESTATUS[0]}
set -e
t5=$(now)

# --- 6. the migration tests on the same kernel --------------------------------
# tests/cli/migrate/vm.sh: the tampering and fault cases drive sevsim's
# RECEIVE failure paths and pgenc run's error exits, and its scenario
# scans kmemleak afterwards. 2 GiB: two pgenc run guests under KASAN.
# Not with --only: that asks for some selftests alone.
mig="skipped (--only)"
if [[ " ${run_args[*]} " != *" --only "* ]]; then
	set +e
	PGENC_VM_MEM=2G PGENC_VM_APPEND="nokaslr" MODULES=$top/modules \
		"$REPO/tests/cli/migrate/vm.sh" 2>&1 | tee "$top/migrate.log"
	mrc=${PIPESTATUS[0]}
	set -e
	((mrc == 0)) || rc=1
	mig="$(($(now) - t5)) s"
fi
t6=$(now)
note "timings: kernel build $((t2 - t1)) s, modules $((t3 - t2)) s, VM run $((t5 - t4)) s, migration $mig, lane total $((t6 - t0)) s"
"$REPO/scripts/figures.sh" "$top/vm.log" || rc=1
exit "$rc"
