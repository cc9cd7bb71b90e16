# SPDX-License-Identifier: GPL-2.0-only
#
# Shared by the test programs' Makefiles (tests/Makefile,
# tests/lib/Makefile, tests/fuzz/Makefile); the runners call them, one
# program a target (`make -C tests O=DIR CC=clang test_pgenc_bits`).
# A program is one source compiled and linked in one step, with -MD -MP.
#
# Variables: O (where the programs go; each runner has its own, one a
# compiler or a mutant), CC (gcc), EXTRA_CFLAGS (sanitizers; include dirs
# that must win, as a mutant's), V=1 (show the commands). Another CC or
# other flags in the same O rebuild its programs.
# Before including: here (the Makefile's dir) and progs (its programs);
# after: CFLAGS, LDLIBS, and key := $(CC) $(CFLAGS) $(LDLIBS), what the
# programs of $(O) were built with.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
O := $(abspath $(or $(O),$(TOP)/build/tests))
include $(TOP)/tools/build.mk

TEST_CFLAGS := -std=c11 -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer

.PHONY: all $(progs)

all: $(progs)
$(progs): %: $(O)/%

# When $(key) changes, every program of $(O) is rebuilt.
$(O)/flags: FORCE
	$(call record_flags,$(key))

$(O)/%: $(here)/%.c $(O)/flags
	$(Q)$(CC) $(CFLAGS) -MD -MP -MF $@.d -o $@ $< $(filter %.o %.a,$^) $(LDLIBS)

FORCE:

-include $(wildcard $(O)/*.d)
