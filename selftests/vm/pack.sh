#!/bin/bash
# Pack the test VM's initramfs: busybox, the KVM modules and their
# dependencies, the test binaries, init.sh as /init and its config.
#
#   pack.sh --out DIR [--modules DIR|stock] [--tests DIR] [--only NAME]...
#           [--extra-file SRC:DST]... [--cmd "shell command"]
#           [--test-timeout S] [--modparam MODULE:ARGS]... [--host-root]
#
# Writes DIR/initramfs.cpio.gz (staging tree in DIR/root). Normally called
# by run.sh, which documents the options.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../scripts/kver.sh"

die() { echo "pack.sh: error: $*" >&2; exit 1; }

out=
modules=$BUILD/modules
tests=$BUILD/selftests/bin
only=()
extra=()
cmd=
mode=tests
test_timeout=300
kvm_params=
kvm_amd_params=
host_root=0
while (($#)); do
	case $1 in
	--out) out=$2; shift 2 ;;
	--modules) modules=$2; shift 2 ;;
	--tests) tests=$2; shift 2 ;;
	--only) IFS=', ' read -ra names <<<"$2"; only+=("${names[@]}"); shift 2 ;;
	--extra-file) extra+=("$2"); shift 2 ;;
	--cmd) cmd=$2; mode=cmd; shift 2 ;;
	--test-timeout) test_timeout=$2; shift 2 ;;
	--host-root) host_root=1; shift ;;
	--modparam)
		case ${2%%:*} in
		kvm) kvm_params+=" ${2#*:}" ;;
		kvm_amd | kvm-amd) kvm_amd_params+=" ${2#*:}" ;;
		*) die "--modparam $2: only kvm: and kvm_amd: take parameters" ;;
		esac
		shift 2 ;;
	*) die "unknown argument: $1" ;;
	esac
done
[[ -n $out ]] || die "--out DIR is required"

root=$out/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,modules/deps,tests}

# --- busybox: the whole userland; it must be static (no libc in here) ----
bb=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
file -L "$bb" | grep -q 'statically linked' || die "$bb is not static (apt-get install busybox-static)"
cp "$bb" "$root/bin/busybox"
for applet in $("$bb" --list-full); do
	[[ -e $root/$applet ]] || ln -s /bin/busybox "$root/$applet"
done
install -m 755 "$here/init.sh" "$root/init"
# The kernel opens /dev/console for PID 1 before init mounts devtmpfs.
# Creating the node needs root (we are, here and in CI); without it init
# still works, as it re-opens the console itself.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

# --- modules ---------------------------------------------------------------
if [[ $modules == stock ]]; then
	kvm_ko=$(modinfo -k "$KVER" -n kvm) || die "no stock kvm module for $KVER"
	kvm_amd_ko=$(modinfo -k "$KVER" -n kvm_amd) || die "no stock kvm_amd module for $KVER"
else
	kvm_ko=$modules/kvm.ko
	kvm_amd_ko=$modules/kvm-amd.ko
	[[ -f $kvm_ko && -f $kvm_amd_ko ]] ||
		die "$modules has no kvm.ko + kvm-amd.ko (build them, or use --modules stock)"
	vm=$(modinfo -F vermagic "$kvm_ko" | cut -d' ' -f1)
	[[ $vm == "$KVER" ]] || die "$kvm_ko is built for '$vm', the VM boots $KVER"
fi

# copy_ko SRC DST: uncompressed, since busybox insmod's support for
# compressed modules depends on its build options (Debian 12's 6.1 ships
# plain .ko anyway, CONFIG_MODULE_COMPRESS_NONE).
copy_ko() {
	case $1 in
	*.ko) cp "$1" "$2" ;;
	*.ko.xz) xz -dc "$1" >"$2" ;;
	*.ko.zst) zstd -qdc "$1" >"$2" ;;
	*.ko.gz) gzip -dc "$1" >"$2" ;;
	*) die "unknown module format: $1" ;;
	esac
}

# Our modules can carry full debug info (tens of MB, slow to unpack under
# TCG); insmod needs none of it and kallsyms keeps symbol names in traces.
# Stock modules are left alone: stripping drops their signature.
if [[ $modules == stock ]]; then
	copy_ko "$kvm_ko" "$root/modules/kvm.ko"
	copy_ko "$kvm_amd_ko" "$root/modules/kvm-amd.ko"
else
	strip --strip-debug -o "$root/modules/kvm.ko" "$kvm_ko"
	strip --strip-debug -o "$root/modules/kvm-amd.ko" "$kvm_amd_ko"
fi

# Dependencies not provided by our two modules come from the stock tree
# for $KVER, resolved recursively, each one after its own dependencies.
declare -A seen=([kvm]=1 [kvm_amd]=1)
dep_order=()
add_dep() {
	local name=$1 path d
	[[ -n ${seen[$name]:-} ]] && return 0
	seen[$name]=1
	# PGENC_VM_DEPS=DIR: dependencies as DIR/<name>.ko first (a kernel
	# built elsewhere has no /lib/modules/$KVER; scripts/check-debug.sh).
	if [[ -n ${PGENC_VM_DEPS:-} && -f $PGENC_VM_DEPS/$name.ko ]]; then
		path=$PGENC_VM_DEPS/$name.ko
	else
		path=$(modinfo -k "$KVER" -n "$name") || die "dependency $name not found for $KVER"
	fi
	for d in $(modinfo -F depends "$path" | tr ',' ' '); do
		add_dep "$d"
	done
	copy_ko "$path" "$root/modules/deps/$name.ko"
	dep_order+=("$name.ko")
}
for ko in "$kvm_ko" "$kvm_amd_ko"; do
	# Soft dependencies ("pre:"; kvm-amd's for sevsim: its cipher, and
	# the default RNG that ecdh_generic's self-tests need when it loads):
	# the guest has no modprobe to load them on demand. First, as
	# modprobe loads them: before the module's own dependencies. Skipped
	# where the kernel has no such module (built in, as in the debug
	# kernel).
	for d in $(modinfo -F softdep "$ko" | sed -n 's/^pre: *//p'); do
		# (modinfo -n answers "(builtin)" for those on 6.12.)
		if [[ -f ${PGENC_VM_DEPS:-/nonexistent}/$d.ko ||
			-f $(modinfo -k "$KVER" -n "$d" 2>/dev/null) ]]; then
			add_dep "$d"
		fi
	done
	for d in $(modinfo -F depends "$ko" | tr ',' ' '); do
		add_dep "$d"
	done
done
# --host-root: 9p over virtio-pci for the host's root (run.sh's -virtfs),
# where they are modules.
if ((host_root)); then
	for d in virtio_pci 9pnet_virtio 9p; do
		[[ -f $(modinfo -k "$KVER" -n "$d" 2>/dev/null) ]] && add_dep "$d"
	done
fi

# --- tests -----------------------------------------------------------------
[[ -d $tests ]] || die "no tests dir $tests (run scripts/build-selftests.sh)"
all=()
for f in "$tests"/*; do
	[[ -f $f && -x $f ]] && all+=("$(basename "$f")")
done
if ((${#only[@]})); then
	for t in "${only[@]}"; do
		[[ -x $tests/$t ]] || die "--only $t: no $tests/$t"
	done
	run_list=("${only[@]}")
else
	run_list=("${all[@]}")
fi
[[ $mode == cmd ]] || ((${#run_list[@]})) || die "no test binaries in $tests"
# Every binary goes in (a --cmd may want any of them); the list says what
# runs. smoke_test also reruns after the module reload cycle.
for t in "${all[@]}"; do
	cp "$tests/$t" "$root/tests/$t"
done
rerun=
[[ -x $root/tests/smoke_test ]] && rerun=smoke_test

# --- extra files (other test lanes: CLI binaries, data) ----------------------
for x in "${extra[@]}"; do
	src=${x%%:*}
	dst=${x#*:}
	[[ $x == *:* && -n $src && $dst == /* ]] || die "--extra-file $x: want SRC:/ABS/DST"
	[[ -f $src ]] || die "--extra-file $x: no file $src"
	if readelf -l "$src" 2>/dev/null | grep -q 'program interpreter'; then
		echo "pack.sh: warning: $src is dynamically linked; the VM has no libc" >&2
	fi
	mkdir -p "$root$(dirname "$dst")"
	cp -p "$src" "$root$dst"
done

# --- config for init.sh (shell syntax, sourced there) ------------------------
{
	printf 'MODE=%q\n' "$mode"
	printf 'TESTS=%q\n' "${run_list[*]:-}"
	printf 'RERUN=%q\n' "$rerun"
	printf 'TEST_TIMEOUT=%q\n' "$test_timeout"
	# Unload/reload cycles after the tests (PGENC_VM_RELOADS, default 20).
	printf 'RELOADS=%q\n' "${PGENC_VM_RELOADS:-20}"
	printf 'DEP_MODULES=%q\n' "${dep_order[*]:-}"
	printf 'KVM_PARAMS=%q\n' "${kvm_params# }"
	printf 'KVM_AMD_PARAMS=%q\n' "${kvm_amd_params# }"
	printf 'HOST_ROOT=%q\n' "$host_root"
} >"$root/etc/pgenc-vm.conf"
[[ $mode == cmd ]] && printf '%s\n' "$cmd" >"$root/cmd.sh"
# PGENC_VM_POST="shell command": init.sh runs it after the tests and the
# reload cycle as one more TAP result (scripts/check-debug.sh: kmemleak).
[[ $mode != cmd && -n ${PGENC_VM_POST:-} ]] && printf '%s\n' "$PGENC_VM_POST" >"$root/post.sh"

# gzip -1: the kernel unpacks it under TCG, where a smaller, slower to
# decompress archive is not a win.
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$out/initramfs.cpio.gz.new"
mv "$out/initramfs.cpio.gz.new" "$out/initramfs.cpio.gz"
