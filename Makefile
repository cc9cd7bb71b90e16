# pgenc: thin entry points; the logic lives in scripts/.
#
#   make            build kvm.ko and kvm-amd.ko for KVER ($BUILD/modules/),
#                   libpgenc (build/lib/) and the pgenc CLI (build/bin/);
#                   -j works
#   make lib        libpgenc alone (tools/lib/Makefile)
#   make pgenc      the CLI (tools/pgenc/Makefile), libpgenc first
#   make deps       apt-install what the build and the tests need
#   make check-all  what CI runs: check, the 6.12 lanes, check-debug
#   make check-mutants libpgenc's mutants (~6 min; not in check-all)
#   make check      the default lanes (~6 min); ends with "N passed, N failed, N skipped"
#   make harness    host tests of the build and test scripts (tests/harness/)
#   make check-debug the selftests and migration tests on a KASAN/lockdep/kmemleak kernel
#   make demo       the main job: a tracked guest in the test VM
#   make install    put the modules in /lib/modules/$KVER/updates/ and the
#                   CLI and libpgenc under PREFIX; DESTDIR stages it all
#   make deb        the Debian packages into build/deb/ (pgenc-dkms, pgenc,
#                   libpgenc0, libpgenc-dev)
#   make check-deb  them through lintian, then installed, checked and
#                   purged in a clean chroot (root; part of check-all)
#   make bench      benchmarks in the test VM (ratios against baselines)
#
# Variables (environment or command line): KVER, KDIR, KSRC (a kernel
# source tree instead of Debian's linux-source tarball), KSRC_TARBALL,
# BUILD (the build root, default build/), V=1 (show the commands).
# KVER picks the kernel series; without it the running kernel is the
# target when its headers are installed, else SERIES (6.1, 6.12; default
# 6.1) picks the newest installed kernel of that series (scripts/kver.sh),
# and `make deps SERIES=6.12` installs it. A series other than 6.1 builds
# into build/<series>/ by default, as kver.sh does.

KSERIES := $(if $(KVER),$(shell echo '$(KVER)' | cut -d. -f1,2),$(or $(SERIES),$(shell \
	bash -c '. scripts/series.sh && r=$$(series_running) && series_of "$$r"' 2>/dev/null)))
BUILD ?= $(CURDIR)/build$(if $(filter-out 6.1,$(KSERIES)),/$(KSERIES))
export KVER SERIES KDIR KSRC KSRC_TARBALL INSTALL_MOD_PATH BUILD

.PHONY: all modules lib pgenc selftests deps check check-all check-debug unit harness style \
	vm-test install demo bench clean check-mutants deb check-deb

all: modules lib pgenc

lib:
	$(MAKE) -C tools/lib O=$(BUILD)

# After lib: both would build libpgenc's objects otherwise.
pgenc: lib
	$(MAKE) -C tools/pgenc O=$(BUILD)

modules:
	scripts/build-modules.sh

selftests:
	scripts/build-selftests.sh

deps:
	scripts/deps.sh

check:
	scripts/check.sh

check-debug:
	scripts/check-debug.sh

check-all:
	scripts/check-all.sh

check-mutants:
	tests/lib/run.sh --mutants

unit:
	tests/run.sh

harness:
	tests/harness/run.sh

style:
	scripts/check-style.sh --lane full

vm-test: modules selftests
	selftests/vm/run.sh --modparam kvm_amd:sevsim=1

install:
	scripts/install.sh

deb:
	scripts/build-deb.sh

check-deb:
	scripts/check-deb.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

clean:
	rm -rf build
