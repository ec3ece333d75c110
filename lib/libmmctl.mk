# SPDX-License-Identifier: GPL-2.0
# libmmctl's sources, for lib/Makefile and for the Makefiles that link its
# archives (userspace-tool/, tests/). Paths are relative to lib/;
# LIBMMCTL_DIR is where lib/ is from the includer.
LIBMMCTL_DIR ?= ../lib
LIBMMCTL_SRCS := check.c fields.c dump.c order.c backend_kmod.c checkrun.c json.c backend_bpf.c
LIBMMCTL_HDRS := check.h rules.h idtab.h fields.h vmflags.h dump.h checkrun.h json.h
# What a program linking libmmctl.a needs (static members are pulled on
# demand: a program that never reads JSON or loads BPF needs none of these).
LIBMMCTL_PKGS := json-c libbpf libsodium
# What the archives are built from: an includer's rule to rebuild them.
LIBMMCTL_DEPS = $(addprefix $(LIBMMCTL_DIR)/,$(LIBMMCTL_SRCS) $(LIBMMCTL_HDRS) bpf/mmctl.bpf.c) \
	$(LIBMMCTL_DIR)/../uapi/linux/mmctl.h
