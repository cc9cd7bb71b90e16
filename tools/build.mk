# SPDX-License-Identifier: GPL-2.0-only
#
# What every userspace Makefile shares (tools/lib, tools/pgenc, bench,
# tests/build.mk): include it after setting `here` to the Makefile's
# directory. Documentation/admin-guide.rst, "Building".
#
#   TOP, O       the repository and the build root (default TOP/build)
#   CC           gcc unless set (make's built-in default is cc)
#   Q, msg       quiet commands and one "  CC      file.c" line a step,
#                unless V=1 (commands shown) or make -s (nothing shown)
#   record_flags a flags file's recipe: $(call record_flags,KEY) rewrites
#                $@ only when KEY (compiler and flags) changed, so objects
#                that depend on $@ are rebuilt on a change of compiler or
#                flags and only then

TOP := $(abspath $(or $(TOP),$(dir $(lastword $(MAKEFILE_LIST)))..))
O := $(abspath $(or $(O),$(TOP)/build))
EXTRA_CFLAGS ?=

ifeq ($(origin CC),default)
CC := gcc
endif

ifneq ($(V),1)
Q := @
ifeq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
msg = @printf '  %-7s %s\n' $(1) $(2);
endif
endif

record_flags = @mkdir -p $(@D); k='$(subst ','\'',$(1))'; \
	echo "$$k" | cmp -s - $@ || echo "$$k" >$@

# No target here: the includer's first target stays its default. Each
# Makefile ends with an empty FORCE: rule.
.DELETE_ON_ERROR:
.PHONY: FORCE
