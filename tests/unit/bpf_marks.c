// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF backend's marks (families walked, anon_vmas written) belong to
 * one dump: after dumping a process with many families and then one with
 * few, in one run (as mmctl top does), the maps hold the second dump's
 * marks only. Before, they accumulated until the maps were full and every
 * later dump walked its families again and again. Needs root and BTF.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/harness.h"
#include "dump.h"

/* Dump @pid through the BPF backend and free the dump: 0 or -errno. */
/* A dump of @pid; its anon_vma records in *@avs. */
static int dump_bpf(pid_t pid, const char *what, size_t *avs)
{
	struct mm_dump d;
	int r = mm_dump_bpf(&d, pid, 0);

	if (r) {
		printf("#   dump of %s: %s\n", what, mm_bpf_error());
	} else {
		*avs = d.nr_avs;
		mm_dump_free(&d);
	}
	return r;
}

TEST(t_marks, "bpf: each dump starts with empty maps (marks of earlier dumps cleared)")
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t after_big, after_small, avs_big = 0, avs_small = 0;
	pid_t small, holder;

	/*
	 * A program of this process's own: a pinned one's marks are cleared
	 * after each dump (tests/host/tooling bpf-pin), and may be another
	 * mmctl's meanwhile.
	 */
	setenv("MMCTL_NO_BPF_PIN", "1", 1);

	/* 200 one-page VMAs, faulted (the kernel may share anon_vmas among them). */
	for (int i = 0; i < 200; i++) {
		char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		ASSERT_TRUE(p != MAP_FAILED && !mprotect(p + pg, pg, PROT_NONE));
		p[0] = 1;
	}
	small = fork();
	if (small == 0) {
		/* A new image: none of our families. */
		execl("/bin/sleep", "sleep", "100", (char *)NULL);
		_exit(1);
	}
	ASSERT_GT(small, 0);
	/* A second member of each family: a family only we map is not walked. */
	holder = fork();
	if (holder == 0) {
		pause();
		_exit(0);
	}
	ASSERT_GT(holder, 0);
	usleep(200000);
	/*
	 * The first dump of a process may probe the chain order (dump.h),
	 * which dumps a process of its own: done here, not in between.
	 */
	EXPECT_EQ(0, dump_bpf(small, "the small process, first", &avs_small));
	EXPECT_EQ(0, dump_bpf(getpid(), "the big process", &avs_big));
	after_big = mm_bpf_marks();
	EXPECT_EQ(0, dump_bpf(small, "the small process", &avs_small));
	after_small = mm_bpf_marks();
	printf("# marks after the big dump (%zu anon_vmas): %zu, after the small one (%zu): %zu\n",
	       avs_big, after_big, avs_small, after_small);
	kill(small, SIGKILL);
	waitpid(small, NULL, 0);
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	/* Every anon_vma record written is marked (and every family root walked). */
	EXPECT_GE(avs_big, 50);
	EXPECT_GE(after_big, avs_big);
	/* The small dump's marks alone: at most one per record and one per root. */
	EXPECT_LE(after_small, 2 * avs_small);
	EXPECT_LT(after_small, after_big);
}

TEST_HARNESS_MAIN
