// SPDX-License-Identifier: GPL-2.0
/*
 * Module vs BPF dump cost for the same process, in one run: a child maps N
 * one-page anonymous VMAs (alternating protections so they cannot merge),
 * writes each, and is dumped 7 times by each backend (no folio walk: BPF
 * has none); the medians are printed side by side. Asserts both backends
 * see the same number of VMAs.
 *
 * usage: dumpcmp [N]   (default 1000)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/tap.h"
#include "dump.h"
#include "timing.h"

#define RUNS 7

static size_t target_vmas(const struct mm_dump *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nr_vmas; i++)
		n += !!(d->vmas[i]->flags & MMCTL_VMAF_TARGET);
	return n;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000, pg = sysconf(_SC_PAGESIZE);
	double tk[RUNS], tb[RUNS], first_bpf = 0;
	size_t vk = 0, vb = 0;
	int ready[2], ok = 1;
	pid_t c;
	char x;

	if (pipe(ready))
		return 2;
	c = fork();
	if (c == 0) {
		char *base = (char *)0x300000000000UL;

		for (long i = 0; i < n; i++) {
			char *p = mmap(base + i * pg, pg, PROT_READ | PROT_WRITE | (i & 1 ? PROT_EXEC : 0),
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

			if (p == MAP_FAILED)
				_exit(1);
			*p = 1;
		}
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	if (read(ready[0], &x, 1) != 1)
		return 2;
	for (int r = 0; r < RUNS && ok; r++) {
		struct mm_dump d;
		double t0 = now_ms();

		ok &= mm_dump_kmod(&d, c, MMCTL_DUMP_NO_FOLIOS) == 0;
		tk[r] = now_ms() - t0;
		if (ok) {
			vk = target_vmas(&d);
			mm_dump_free(&d);
		}
		t0 = now_ms();
		ok &= mm_dump_bpf(&d, c, 0) == 0;
		tb[r] = now_ms() - t0;
		if (!r) {
			/* The first dump loads and verifies the program. */
			first_bpf = tb[r];
			t0 = now_ms();
			mm_dump_free(&d);
			ok &= mm_dump_bpf(&d, c, 0) == 0;
			tb[r] = now_ms() - t0;
		}
		if (ok) {
			vb = target_vmas(&d);
			mm_dump_free(&d);
		}
	}
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	if (ok) {
		double mk = median(tk, RUNS), mb = median(tb, RUNS);

		printf("# dump of a %ld-VMA process (median of %d, no folios): module %.2f ms, BPF %.2f ms (%.2fx); BPF's first dump, loading the program: %.2f ms\n",
		       n, RUNS, mk, mb, mb / mk, first_bpf);
	} else {
		printf("#   %s\n", mm_bpf_error());
	}
	tap_result("bench: module and BPF dumps of one process, both complete and the same size",
		   ok && vk == vb && vk >= (size_t)n);
	return tap_failed ? 1 : 0;
}
