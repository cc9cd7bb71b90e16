#!/bin/bash
# Build the KVM selftest library of the target kernel series and our
# selftests/*.c against it, as static binaries for the test VM (its
# initramfs has no libc).
#
#   scripts/build-selftests.sh [-j N] [--upstream TEST]... [--no-ours]
#                              [--print-flags] [--clean]
#
#   (default)          build/selftests/libkvm.a and every selftests/NAME.c
#                      -> build/selftests/bin/NAME; also the upstream
#                      tests the VM lane runs unmodified (vm_upstream
#                      below) -> build/selftests/bin/BASENAME
#   --upstream TEST    also build one upstream 6.1 selftest for debugging,
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
	tools/testing/selftests/kselftest.h tools/testing/selftests/kvm
	tools/testing/selftests/rseq)
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
	rm -rf "$KSRC/tools" "$stamp"
	mkdir -p "$KSRC"
	tar -xJf "$KSRC_TARBALL" -C "$KSRC" --strip-components=1 "${paths[@]/#/$top/}"
	echo "$top" >"$KSRC/.pgenc-series"
	echo "$want" >"$stamp"
}
extract

# --- 2. uapi headers -----------------------------------------------------
# Choice: the system's /usr/include (linux-libc-dev). Upstream's Makefile
# wants `make headers_install` output, which needs the whole kernel tree
# (scripts/, arch/, Kbuild) to be extracted and configured; Debian's
# linux-libc-dev is that very output for the same series (6.1.x), so we
# only check the series matches instead. Our own ABI comes from uapi/.
series=$(sed 's/^linux-source-//' "$KSRC/.pgenc-series")
code=$(awk '/define LINUX_VERSION_CODE/ {print $3}' /usr/include/linux/version.h 2>/dev/null || true)
[[ -n $code ]] || { echo "build-selftests.sh: error: /usr/include/linux/version.h missing (apt-get install linux-libc-dev)" >&2; exit 1; }
hdr_series="$((code >> 16)).$(((code >> 8) & 255))"
if [[ $hdr_series != "$series" ]]; then
	echo "build-selftests.sh: error: linux-libc-dev headers are $hdr_series, the selftest library is $series" >&2
	exit 1
fi

# --- 3. flags ------------------------------------------------------------
# Upstream's CFLAGS (tools/testing/selftests/kvm/Makefile) minus its
# per-directory -I$(<D); -fno-stack-protector and -fno-PIE matter for the
# guest code, which runs identity-mapped without TLS.
CC=${CC:-gcc}
incs="-I$REPO/uapi -I$REPO/selftests/lib -I$KVMST/include -I$KVMST/include/x86_64 -I$KST -I$KSRC/tools/include -I$KSRC/tools/arch/x86/include"
cflags="-Wall -Wstrict-prototypes -Wuninitialized -O2 -g -std=gnu99 -U_FORTIFY_SOURCE -fno-stack-protector -fno-PIE -MMD -MP $incs ${EXTRA_CFLAGS:-}"
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
# Upstream 6.1 tests run in the VM lane as they are, beside ours: they
# hold pgenc to stock KVM's own expectations (sev_migrate_tests: SEV
# context moves and mirrors, on sevsim through /dev/sev).
vm_upstream=(x86_64/sev_migrate_tests)
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
