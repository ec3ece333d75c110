# SPDX-License-Identifier: GPL-2.0
# libmmctl's sources, for lib/Makefile and for builds that compile them with
# their own flags (the libFuzzer targets in tests/Makefile). Paths are
# relative to lib/; LIBMMCTL_DIR is where lib/ is from the includer.
LIBMMCTL_SRCS := check.c fields.c dump.c order.c backend_kmod.c checkrun.c json.c backend_bpf.c
LIBMMCTL_HDRS := check.h rules.h idtab.h fields.h vmflags.h dump.h checkrun.h json.h
# What a program linking libmmctl.a needs (static members are pulled on
# demand: a program that never reads JSON or loads BPF needs none of these).
LIBMMCTL_PKGS := json-c libbpf libsodium
