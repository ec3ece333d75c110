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
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/harness.h"
#include "dump.h"

/* Dump @pid through the BPF backend and free the dump: 0 or -errno. */
static int dump_bpf(pid_t pid, const char *what)
{
	struct mm_dump d;
	int r = mm_dump_bpf(&d, pid, 0);

	if (r)
		printf("#   dump of %s: %s\n", what, mm_bpf_error());
	else
		mm_dump_free(&d);
	return r;
}

TEST(t_marks, "bpf: each dump starts with empty maps (marks of earlier dumps cleared)")
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t after_big, after_small;
	pid_t small;

	/* 200 one-page VMAs, each its own family (PROT_NONE gaps between). */
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
	usleep(200000);
	EXPECT_EQ(0, dump_bpf(getpid(), "the big process"));
	after_big = mm_bpf_marks();
	EXPECT_EQ(0, dump_bpf(small, "the small process"));
	after_small = mm_bpf_marks();
	printf("# marks after the 200-family dump: %zu, after the next dump: %zu\n", after_big,
	       after_small);
	kill(small, SIGKILL);
	waitpid(small, NULL, 0);
	EXPECT_GE(after_big, 200);
	EXPECT_LT(after_small, after_big);	/* the first dump's marks still held */
}

TEST_HARNESS_MAIN
