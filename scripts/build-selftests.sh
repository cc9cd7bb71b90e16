#!/bin/bash
# Build the KVM selftest library of the target kernel series and our
# selftests/*.c against it, as static binaries for the test VM (its
# initramfs has no libc).
#
#   scripts/build-selftests.sh [-j N] [--upstream TEST]... [--no-ours]
#                              [--print-flags] [--clean]
#
#   (default)          $BUILD/selftests/libkvm.a and every selftests/NAME.c
#                      -> $BUILD/selftests/bin/NAME; also the upstream
#                      tests the VM lane runs unmodified (vm_upstream
#                      below) -> $BUILD/selftests/bin/BASENAME ($BUILD:
#                      build/ for 6.1, build/6.12/ for 6.12; kver.sh)
#   --upstream TEST    also build one upstream selftest for debugging,
#                      TEST as in its Makefile (x86_64/kvm_pv_test,
#                      set_memory_region_test, ...)
#                      -> build/selftests/upstream/TEST; never in bin/, so
#                      the VM runner does not pick it up by default
#   --no-ours          skip our selftests (with --upstream)
#   --print-flags      print the compile and link flags a test gets, exit
#   --clean            remove build/selftests (keeps the extracted sources)
#
# Env: CC (gcc), EXTRA_CFLAGS, EXTRA_LDLIBS, and those of scripts/kver.sh.
#
# The KVM selftest sources are never committed: they are extracted from
# KSRC_TARBALL into build/ksrc/ once (stamp file). The logic lives here;
# make only does the incremental part, from a small generated Makefile.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/kver.sh"

jobs=$(nproc)
upstream=()
ours=1
print_flags=0
while (($#)); do
	case $1 in
	-j) jobs=$2; shift 2 ;;
	-j*) jobs=${1#-j}; shift ;;
	--upstream) upstream+=("$2"); shift 2 ;;
	--no-ours) ours=0; shift ;;
	--print-flags) print_flags=1; shift ;;
	--clean) rm -rf "$BUILD/selftests"; exit 0 ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "build-selftests.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done

KSRC=$BUILD/ksrc
OUT=$BUILD/selftests
mkdir -p "$OUT"
# Engineers share the work tree: one build at a time (held until exit).
exec 9>"$OUT/.lock"
flock 9
KST=$KSRC/tools/testing/selftests # kselftest.h lives here
KVMST=$KST/kvm

# --- 1. extract what the selftest library needs, once per tarball -------
# tools/include + tools/arch/x86/include: the tools' own kernel-ish headers
# the library is written against; tools/lib/rbtree.c: included by the
# library's lib/rbtree.c (not the kernel's lib/rbtree.c, which needs RCU
# helpers tools/ lacks); rseq: only for the upstream rseq_test.
paths=(tools/include tools/arch/x86/include tools/lib/rbtree.c
	tools/testing/selftests/kselftest.h
	tools/testing/selftests/kselftest_harness.h tools/testing/selftests/kvm
	tools/testing/selftests/rseq include/uapi arch/x86/include/uapi
	scripts/headers_install.sh scripts/unifdef.c)
extract() {
	local stamp=$KSRC/.pgenc-selftests-stamp want top
	# Re-extract when the tarball or the path list changes.
	want="$(readlink -f "$KSRC_TARBALL") $(stat -c '%s %Y' "$KSRC_TARBALL") ${paths[*]}"
	if [[ -f $stamp && $(<"$stamp") == "$want" ]]; then
		return 0
	fi
	# The first member names the top dir (linux-source-6.1/); head closes
	# the pipe early, so this does not decompress the whole tarball.
	top=$(tar -tJf "$KSRC_TARBALL" 2>/dev/null | head -n1 || true)
	top=${top%%/*}
	[[ -n $top ]] || { echo "build-selftests.sh: error: cannot list $KSRC_TARBALL" >&2; exit 1; }
	echo "  EXTRACT $KSRC_TARBALL ($top) -> $KSRC"
	rm -rf "$KSRC/tools" "$KSRC/include" "$KSRC/arch" "$KSRC/scripts" "$stamp"
	mkdir -p "$KSRC"
	tar -xJf "$KSRC_TARBALL" -C "$KSRC" --strip-components=1 "${paths[@]/#/$top/}"
	echo "$top" >"$KSRC/.pgenc-series"
	echo "$want" >"$stamp"
}
extract

# --- 2. uapi headers -----------------------------------------------------
# The series' own, as upstream's `make headers` installs them (its
# usr/include): the system's linux-libc-dev is one series only (Debian
# 12's 6.1), and `make headers` needs the whole tree extracted and
# configured. So the kernel's own scripts/headers_install.sh (and its
# unifdef) process include/uapi and arch/x86/include/uapi from the tarball
# and the generated ones (unistd_64.h, asm-generic wrappers, version.h)
# from the headers package of the same release, KDIR. Our ABI comes from
# uapi/, first.
series=$(sed 's/^linux-source-//' "$KSRC/.pgenc-series")
[[ $KVER == "$series".* ]] || {
	echo "build-selftests.sh: error: KSRC_TARBALL=$KSRC_TARBALL is linux-source-$series, KVER=$KVER is not" >&2
	exit 1
}
UAPI=$KSRC/usr/include
install_uapi() {
	local stamp=$KSRC/.pgenc-uapi-stamp want gen
	want="$(<"$KSRC/.pgenc-selftests-stamp") $(readlink -f "$KDIR")"
	[[ -f $stamp && $(<"$stamp") == "$want" ]] && return 0
	for gen in "$KDIR/arch/x86/include/generated/uapi/asm/unistd_64.h" "$KDIR/include/generated/uapi/linux/version.h"; do
		[[ -f $gen ]] || { echo "build-selftests.sh: error: $gen missing (linux-headers-$KVER)" >&2; exit 1; }
	done
	echo "  UAPI    $KSRC/usr/include (headers_install.sh)"
	rm -rf "${KSRC:?}/usr" "$stamp"
	${CC:-gcc} -O2 -o "$KSRC/scripts/unifdef" "$KSRC/scripts/unifdef.c"
	# DIR:DEST pairs; headers_install.sh calls scripts/unifdef, from $KSRC.
	(
		cd "$KSRC"
		for pair in include/uapi:. arch/x86/include/uapi:. \
			"$KDIR/include/generated/uapi:." "$KDIR/arch/x86/include/generated/uapi:."; do
			dir=${pair%%:*}
			(cd "$dir" && find . -name '*.h') | sed "s|^\./||; s|^|$dir |"
		done | while read -r dir h; do
			mkdir -p "usr/include/$(dirname "$h")"
			printf '%s\0%s\0' "$dir/$h" "usr/include/$h"
		done | xargs -0 -n 2 -P "$jobs" scripts/headers_install.sh
	) || { echo "build-selftests.sh: error: headers_install.sh failed" >&2; exit 1; }
	echo "$want" >"$stamp"
}
install_uapi

# --- 3. flags ------------------------------------------------------------
# Upstream's CFLAGS (tools/testing/selftests/kvm/Makefile) minus its
# per-directory -I$(<D); -fno-stack-protector and -fno-PIE matter for the
# guest code, which runs identity-mapped without TLS.
CC=${CC:-gcc}
incs="-I$REPO/uapi -I$REPO/selftests/lib -I$KVMST/include -I$KVMST/include/x86_64 -I$KST -I$KSRC/tools/include -I$KSRC/tools/arch/x86/include -isystem $UAPI"
cflags="-Wall -Wstrict-prototypes -Wuninitialized -O2 -g -std=gnu99 -U_FORTIFY_SOURCE -fno-stack-protector -fno-PIE -MMD -MP $incs ${EXTRA_CFLAGS:-}"
# 6.12's Makefiles add these: its tools headers want CONFIG_64BIT, guest
# code must not become calls to the host's string functions, and lib.mk
# defines _GNU_SOURCE (empty: files that define it again do not warn).
[[ $series == 6.1 ]] ||
	cflags+=" -D_GNU_SOURCE= -DCONFIG_64BIT -fno-builtin-memcmp -fno-builtin-memcpy -fno-builtin-memset -fno-builtin-strnlen -fno-strict-aliasing -march=x86-64-v2"
# Our tests must build warning-free; upstream's files get upstream's flags.
ours_cflags="-Werror"
# Static: the guest has no libc. libnuma only links in if a test uses it.
# libcrypto: tests recompute SEV measurements independently of the kernel.
ldlibs="-lnuma -lcrypto ${EXTRA_LDLIBS:-}"
ldflags="-static -no-pie -pthread"

if ((print_flags)); then
	echo "CFLAGS  = $cflags $ours_cflags"
	echo "LDFLAGS = $ldflags $OUT/obj/string_override.o [$OUT/libselftest.a] $OUT/libkvm.a $ldlibs"
	exit 0
fi

# --- 4. the generated Makefile -------------------------------------------
# Library sources: upstream's LIBKVM + LIBKVM_x86_64 lists, read from its
# Makefile so a different 6.1.y keeps working. string_override.c (the
# guest-safe memcpy/memset/memcmp) is kept out of libkvm.a and linked as
# an object so it always wins over static glibc's IFUNC versions, which
# the guest cannot call.
lib_srcs=$(sed -n 's/^LIBKVM\(_x86_64\)\? *+= *lib\///p' "$KVMST/Makefile" | tr '\n' ' ')
[[ $lib_srcs == *kvm_util.c* ]] || { echo "build-selftests.sh: error: cannot read LIBKVM from $KVMST/Makefile" >&2; exit 1; }

our_tests=()
if ((ours)); then
	for f in "$REPO"/selftests/*.c; do
		[[ -e $f ]] && our_tests+=("$(basename "$f" .c)")
	done
fi
# Upstream tests run in the VM lane as they are, beside ours: they hold
# pgenc to stock KVM's own expectations (sev_migrate_tests: SEV context
# moves and mirrors, on sevsim through /dev/sev). On 6.12, the peer suite
# of Documentation/testing.rst, "Linux 6.12", but sev_smoke_test, which
# cannot run on sevsim (--upstream x86_64/sev_smoke_test builds it).
case $series in
6.1) vm_upstream=(x86_64/sev_migrate_tests) ;;
*)
	vm_upstream=(x86_64/cpuid_test x86_64/fix_hypercall_test guest_memfd_test
		kvm_binary_stats_test kvm_create_max_vcpus x86_64/kvm_pv_test
		x86_64/max_vcpuid_cap_test memslot_modification_stress_test
		x86_64/platform_info_test x86_64/set_sregs_test x86_64/state_test
		x86_64/svm_int_ctl_test x86_64/svm_nested_shutdown_test
		x86_64/svm_vmcall_test x86_64/sync_regs_test
		x86_64/triple_fault_event_test x86_64/userspace_io_test
		x86_64/userspace_msr_exit_test x86_64/sev_init2_tests
		x86_64/sev_migrate_tests
		x86_64/private_mem_conversions_test
		x86_64/private_mem_kvm_exits_test x86_64/xss_msr_test)
	;;
esac
keep=" ${vm_upstream[*]##*/} " # never removed as stale below
if ((ours)); then
	for t in "${vm_upstream[@]}"; do
		[[ -e $KVMST/$t.c ]] || { echo "build-selftests.sh: error: upstream test $t.c missing from $KVMST" >&2; exit 1; }
	done
else
	vm_upstream=()
fi
our_libs=
for f in "$REPO"/selftests/lib/*.c; do
	[[ -e $f ]] && our_libs+="lib/$(basename "$f") "
done

mkdir -p "$OUT/bin" "$OUT/obj"

# Objects depend on this file; it changes only when the flags do.
flags_file=$OUT/flags
printf '%s\n' "$CC" "$cflags" "$ours_cflags" "$ldflags" "$ldlibs" >"$flags_file.new"
if cmp -s "$flags_file.new" "$flags_file"; then rm "$flags_file.new"; else mv "$flags_file.new" "$flags_file"; fi

mk=$OUT/Makefile
cat >"$mk.new" <<EOF
# Generated by scripts/build-selftests.sh; edit that, not this.
CC := $CC
CFLAGS := $cflags
OURS_CFLAGS := $ours_cflags
LDFLAGS := $ldflags
LDLIBS := $ldlibs
KVMST := $KVMST
SRC := $REPO/selftests
O := $OUT
LIB_OBJS := \$(patsubst %,\$(O)/obj/lib/%.o,${lib_srcs/string_override.c/})
OUR_LIB_OBJS := \$(patsubst %,\$(O)/obj/ours/%.o,$our_libs)
OUR_LIB := \$(if \$(OUR_LIB_OBJS),\$(O)/libselftest.a)
TESTS := \$(patsubst %,\$(O)/bin/%,${our_tests[*]:-})
VM_UPSTREAM := ${vm_upstream[*]:-}
UPSTREAM := \$(patsubst %,\$(O)/upstream/%,${upstream[*]:-})

all: \$(TESTS) \$(UPSTREAM) \$(foreach t,\$(VM_UPSTREAM),\$(O)/bin/\$(notdir \$(t)))

\$(O)/obj/lib/%.o: \$(KVMST)/lib/% \$(O)/flags
	@mkdir -p \$(@D); echo "  CC      lib/\$*"
	\$(CC) \$(CFLAGS) -I\$(<D) -c \$< -o \$@

\$(O)/obj/string_override.o: \$(KVMST)/lib/string_override.c \$(O)/flags
	@echo "  CC      lib/string_override.c (freestanding)"
	\$(CC) \$(CFLAGS) -ffreestanding -c \$< -o \$@

\$(O)/libkvm.a: \$(LIB_OBJS)
	@echo "  AR      \$@"
	rm -f \$@; ar rcs \$@ \$^

\$(O)/obj/ours/%.o: \$(SRC)/% \$(O)/flags
	@mkdir -p \$(@D); echo "  CC      selftests/\$*"
	\$(CC) \$(CFLAGS) \$(OURS_CFLAGS) -c \$< -o \$@

\$(O)/libselftest.a: \$(OUR_LIB_OBJS)
	rm -f \$@; ar rcs \$@ \$^

LINK_DEPS = \$(O)/obj/string_override.o \$(OUR_LIB) \$(O)/libkvm.a

\$(O)/bin/%: \$(O)/obj/ours/%.c.o \$(LINK_DEPS)
	@echo "  LD      \$@"
	\$(CC) \$(LDFLAGS) \$^ -o \$@ \$(LDLIBS)

\$(O)/obj/upstream/%.o: \$(KVMST)/%.c \$(O)/flags
	@mkdir -p \$(@D); echo "  CC      upstream \$*"
	\$(CC) \$(CFLAGS) -I\$(<D) -I\$(KVMST)/../rseq -c \$< -o \$@

\$(O)/upstream/%: \$(O)/obj/upstream/%.o \$(LINK_DEPS)
	@mkdir -p \$(@D); echo "  LD      \$@"
	\$(CC) \$(LDFLAGS) \$^ -o \$@ \$(LDLIBS)

# An upstream test of the VM lane: linked into bin/ under its base name.
define vm_upstream_rule
\$(O)/bin/\$(notdir \$(1)): \$(O)/obj/upstream/\$(1).o \$(LINK_DEPS)
	@echo "  LD      \$\$@ (upstream)"
	\$(CC) \$(LDFLAGS) \$\$^ -o \$\$@ \$(LDLIBS)
endef
\$(foreach t,\$(VM_UPSTREAM),\$(eval \$(call vm_upstream_rule,\$(t))))

# Keep the pattern-chained objects (not deleted as intermediates); named
# explicitly, since a bare .SECONDARY: would also make the -MP stubs of
# vanished headers secondary, and then a missing header rebuilds nothing.
.SECONDARY: \$(patsubst \$(O)/bin/%,\$(O)/obj/ours/%.c.o,\$(TESTS)) \$(patsubst \$(O)/upstream/%,\$(O)/obj/upstream/%.o,\$(UPSTREAM)) \$(patsubst %,\$(O)/obj/upstream/%.o,\$(VM_UPSTREAM))
.DELETE_ON_ERROR:
-include \$(shell find \$(O)/obj -name '*.d' 2>/dev/null)
EOF
if cmp -s "$mk.new" "$mk"; then rm "$mk.new"; else mv "$mk.new" "$mk"; fi

# Drop binaries whose source is gone, so the VM runner does not pack them.
for b in "$OUT"/bin/*; do
	[[ -e $b ]] || continue
	[[ $keep == *" $(basename "$b") "* ]] && continue
	[[ -e $REPO/selftests/$(basename "$b").c ]] || { echo "  RM      $b (no source)"; rm -f "$b"; }
done

# -s: the echo lines above say what is built; the full command lines are
# in build/selftests/Makefile, and errors still print.
make -s -j"$jobs" -f "$mk" all
