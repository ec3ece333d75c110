# SPDX-License-Identifier: GPL-2.0
# mmctl top-level Makefile. `make` builds the module and the CLI;
# `make demo` and `make check` install what is missing first.

# Headers of the kernel the tests boot: Debian's newest linux-headers-*-amd64.
KDIR ?= $(lastword $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V))
KVER ?= $(shell sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
BUILD ?= $(CURDIR)/build

# The kernel matrix of make check (tests/run-kernels): Debian kernel series.
KERNELS ?= 6.1 6.12 7.2

export KDIR KVER KERNELS

PREFIX ?= /usr/local

.PHONY: all module cli tests clean check check-run check-debug check-debug-run check-kernel check-kernel-run \
	check-postmortem check-postmortem-run \
	lab lab-run zoo zoo-run bench bench-run bench-profile bench-profile-run demo demo-run deps checkpatch install

all: module cli

module:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "make: no kernel headers (KDIR='$(KDIR)'); run scripts/install-deps or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules
	@./scripts/check-symbols $(KDIR) module/mmctl.ko >/dev/null

cli:
	$(MAKE) -C userspace-tool

# The test programs, fuzzers and the lockdown test module (tests/winmod):
# what make check, demo, lab, zoo and bench run besides mmctl itself.
tests: all
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/winmod modules
	$(MAKE) -C tests

deps:
	./scripts/install-deps

# The CLI, its man page and completion; the module under extra/ of KVER,
# unsigned (out-of-tree builds have no signing key; Debian does not enforce).
install: all
	install -D -m 0755 userspace-tool/mmctl $(DESTDIR)$(PREFIX)/sbin/mmctl
	install -D -m 0755 userspace-tool/drgn/mmctl-drgn $(DESTDIR)$(PREFIX)/sbin/mmctl-drgn
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

# Only the debug kernel tier (KASAN, lockdep, DEBUG_VM, kmemleak): builds the
# kernel once into ~/.cache/mmctl (MMCTL_CACHE), then runs the guest suite on it.
check-debug: deps
	@$(MAKE) --no-print-directory check-debug-run

check-debug-run:
	./tests/run-all --debug-only

# Post-mortem alone: the debug kernel (built once, cached), the scenarios
# standing in its guest, a vmcore of it read with the drgn producer; then
# the same on zoo mutant 01 (the lab copy of the tree, rebuilt).
check-postmortem: deps
	@$(MAKE) --no-print-directory check-postmortem-run

check-postmortem-run: all tests
	@mkdir -p $(BUILD)/results
	scripts/build-debug-kernel >/dev/null
	MMCTL_BUILD=$(BUILD) ./tests/postmortem/run
	MMCTL_BUILD=$(BUILD) ./tests/postmortem/mutant

# The guest suite on a kernel tree you configured and built (with the
# options of tests/vm/mmctl.config): make check-kernel KSRC=/path/to/linux
check-kernel: deps
	@$(MAKE) --no-print-directory check-kernel-run

check-kernel-run:
	@test -n "$(KSRC)" || { echo "make check-kernel: say which tree: KSRC=DIR (configured and built)" >&2; exit 2; }
	./tests/run-all --tree "$(KSRC)"

# What a kernel patch changes in the anon_vma state: base and patched trees
# booted with the same scenarios, compared by structure (docs/lab.md).
# make lab PATCH=FILE [BASE=DIR] [EXPECT=FILE]   (BASE: default the cached
# debug kernel; EXPECT: what the comparison must show, labdiff --expect)
lab: deps
	@$(MAKE) --no-print-directory lab-run

lab-run: tests
	@test -n "$(PATCH)" || { echo "make lab: say which patch: PATCH=FILE [BASE=DIR] [EXPECT=FILE]" >&2; exit 2; }
	./tests/lab/run-lab $(if $(EXPECT),--expect "$(EXPECT)") "$(PATCH)" $(BASE)

# The bug zoo (docs/zoo.md): each tests/zoo/*.patch put back into the lab
# copy of the debug kernel, booted, and what caught it. ZOO="01 04" picks.
zoo: deps
	@$(MAKE) --no-print-directory zoo-run

zoo-run: tests
	MMCTL_ZOO="$(ZOO)" ./tests/zoo/run-zoo

# The performance benchmark (not part of check, which runs its smoke
# version): one 4 GiB guest boot, figures side by side with /proc baselines.
bench: deps
	@$(MAKE) --no-print-directory bench-run

bench-run: tests
	@mkdir -p $(BUILD)
	MMCTL_BUILD=$(BUILD) ./tests/vm/vm-run --kver "$(KVER)" --mem 4096 --timeout 3600 -- \
		./tests/bench/guest-bench > $(BUILD)/bench.txt; rc=$$?; cat $(BUILD)/bench.txt; exit $$rc

# Where tree --no-folios of A-64k and check of B spend their time: perf in the guest.
bench-profile: deps
	@$(MAKE) --no-print-directory bench-profile-run

bench-profile-run: tests
	@mkdir -p $(BUILD)
	MMCTL_BUILD=$(BUILD) ./tests/vm/vm-run --kver "$(KVER)" --mem 4096 --timeout 3600 -- \
		./tests/bench/guest-bench --profile > $(BUILD)/bench-profile.txt; rc=$$?; \
		cat $(BUILD)/bench-profile.txt; exit $$rc

demo: deps
	@$(MAKE) --no-print-directory demo-run

demo-run: tests
	./tests/demo/run-demo

clean:
	-test -n "$(KDIR)" -a -d "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-test -n "$(KDIR)" -a -d "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR)/tests/winmod clean
	$(MAKE) -C userspace-tool clean
	$(MAKE) -C tests clean
	rm -rf $(BUILD)
