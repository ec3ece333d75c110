# SPDX-License-Identifier: GPL-2.0
# mmctl top-level Makefile. `make` builds the module and the CLI;
# `make demo` and `make check` install what is missing first.

# Headers of the kernel the tests boot: Debian's newest linux-headers-*-amd64.
KDIR ?= $(lastword $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V))
KVER ?= $(shell sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
BUILD ?= $(CURDIR)/build

export KDIR KVER

PREFIX ?= /usr/local

.PHONY: all module cli clean check check-run demo demo-run deps checkpatch install

all: module cli

module:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "make: no kernel headers (KDIR='$(KDIR)'); run scripts/install-deps or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

cli:
	$(MAKE) -C userspace-tool
	$(MAKE) -C tests

deps:
	./scripts/install-deps

# The CLI, its man page and completion; the module under extra/ of KVER,
# unsigned (out-of-tree builds have no signing key; Debian does not enforce).
install: all
	install -D -m 0755 userspace-tool/mmctl $(DESTDIR)$(PREFIX)/sbin/mmctl
	install -D -m 0644 docs/mmctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/mmctl.8
	install -D -m 0644 userspace-tool/completion/mmctl \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/mmctl
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra \
		CONFIG_MODULE_SIG_ALL= \
		modules_install

# check/demo re-enter make after installing so that KDIR is found afresh.
check: deps
	@$(MAKE) --no-print-directory check-run

check-run:
	./tests/run-all

demo: deps
	@$(MAKE) --no-print-directory demo-run

demo-run: all
	./tests/demo/run-demo

clean:
	-test -n "$(KDIR)" -a -d "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace-tool clean
	$(MAKE) -C tests clean
	rm -rf $(BUILD)
