// SPDX-License-Identifier: GPL-2.0
/*
 * Checker scaling: one synthetic family of N VMAs and N/10 anon_vmas,
 * checked repeatedly; prints time per VMA at each size side by side. The
 * anon_vma hierarchy has depth 3 at every size (root, then a fan-out k per
 * level), so chains are equally long and only the size changes.
 *
 * With --once, one check per size and nothing timed: tests/host/run counts
 * its instructions with callgrind and asserts the linear scaling on them
 * (time per VMA at 100k VMAs against 1k measures the machine's caches as
 * much as the checker: 1.38x to 2.35x across runs of one unchanged build
 * on these machines).
 *
 * glibc would hand the large scratch arrays of big sizes out as fresh
 * mmap()s, page-faulted and zeroed by the kernel on every check, while small
 * sizes reuse warm heap; mallopt() keeps freed memory in the heap for every
 * size, so the comparison measures the checker, not the allocator.
 *
 * usage: check_bench [--once] [N...]   (default 1000 100000)
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkrun.h"
#include "model.h"
#include "../lib/tap.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void build(struct model *m, int nvma)
{
	int nav = nvma / 10, k = 1, n = 0, level_start = 0, level_end;

	model_init(m);
	while (1 + k + k * k + k * k * k < nav)
		k++;
	model_av(m, 1, -1);
	n = 1;
	level_end = 1;
	/* Breadth-first: each anon_vma of a level gets k children. */
	for (int depth = 0; depth < 3 && n < nav; depth++) {
		for (int p = level_start; p < level_end && n < nav; p++)
			for (int c = 0; c < k && n < nav; c++, n++)
				model_av(m, (uint64_t)n + 1, p);
		level_start = level_end;
		level_end = n;
	}
	/* Ten VMAs per anon_vma (one process's split mapping each). */
	for (int v = 0; v < nvma; v++) {
		int a = v % nav;

		model_vma(m, 0x100000 + (uint64_t)v, (uint32_t)(a + 1),
			  0x200000000000ULL + (uint64_t)v * 0x10000, 4, a);
	}
}

/* Seconds per check of @s: the best of several repetitions. */
static double time_check(const struct snap *s, int reps, struct mmctl_check_result *res)
{
	double best = 1e9;

	for (int r = 0; r < reps; r++) {
		double t0 = now();

		if (mm_check_buf(s->buf, s->len, NULL, NULL, res))
			return -1;
		if (now() - t0 < best)
			best = now() - t0;
	}
	return best;
}

int main(int argc, char **argv)
{
	int sizes[8] = { 1000, 100000 }, nsizes = 2, once = 0, first = 1;
	double per[8];
	int ok = 1;

	mallopt(M_MMAP_THRESHOLD, 1 << 30);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	if (argc > 1 && !strcmp(argv[1], "--once"))
		once = first = 2;
	if (argc > first) {
		nsizes = 0;
		for (int i = first; i < argc && nsizes < 8; i++)
			sizes[nsizes++] = atoi(argv[i]);
	}
	if (once) {
		/* One check per size, for an instruction count (callgrind). */
		for (int i = 0; i < nsizes; i++) {
			struct mmctl_check_result res;
			struct model m;
			struct snap s;

			build(&m, sizes[i]);
			model_emit(&m, &s);
			model_free(&m);
			ok &= mm_check_buf(s.buf, s.len, NULL, NULL, &res) == 0 &&
				!res.count[MMCTL_SEV_ERROR] && !res.count[MMCTL_SEV_WARNING];
			snap_free(&s);
		}
		return ok ? 0 : 1;
	}
	printf("# %10s %10s %10s %10s %12s %12s %8s\n", "vmas", "anon_vmas", "chain",
	       "tree", "check ms", "ns/vma", "errors");
	for (int i = 0; i < nsizes; i++) {
		struct mmctl_check_result res;
		struct model m;
		struct snap s;
		/* Many repetitions at small sizes so the minimum is stable. */
		int reps = sizes[i] >= 50000 ? 5 : 200000 / sizes[i];
		double t;

		build(&m, sizes[i]);
		model_emit(&m, &s);
		model_free(&m);
		t = time_check(&s, reps, &res);
		per[i] = t * 1e9 / sizes[i];
		printf("# %10u %10u %10u %10u %12.3f %12.1f %8u\n", res.nr_vmas, res.nr_anon_vmas,
		       res.nr_chain, res.nr_tree, t * 1e3, per[i], res.count[MMCTL_SEV_ERROR]);
		ok &= t > 0 && res.count[MMCTL_SEV_ERROR] == 0 && res.count[MMCTL_SEV_WARNING] == 0;
		snap_free(&s);
	}
	printf("# time per VMA at %d: %.1f ns, at %d: %.1f ns, ratio %.2f (instructions: tests/host/run)\n",
	       sizes[0], per[0], sizes[nsizes - 1], per[nsizes - 1], per[nsizes - 1] / per[0]);
	tap_result("check_bench: a clean family of every size checks clean", ok);
	return tap_failed ? 1 : 0;
}
