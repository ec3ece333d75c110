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

#include "../lib/tap.h"
#include "dump.h"

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t after_big, after_small;
	struct mm_dump d;
	int ok = 1, r;
	pid_t small;

	/* 200 one-page VMAs, each its own family (PROT_NONE gaps between). */
	for (int i = 0; i < 200; i++) {
		char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (p == MAP_FAILED || mprotect(p + pg, pg, PROT_NONE))
			return 2;
		p[0] = 1;
	}
	small = fork();
	if (small == 0) {
		/* A new image: none of our families. */
		execl("/bin/sleep", "sleep", "100", (char *)NULL);
		_exit(1);
	}
	usleep(200000);
	r = mm_dump_bpf(&d, getpid(), 0);
	EXPECT(&ok, r == 0, "dump of the big process: %s", mm_bpf_error());
	if (!r)
		mm_dump_free(&d);
	after_big = mm_bpf_marks();
	r = mm_dump_bpf(&d, small, 0);
	EXPECT(&ok, r == 0, "dump of the small process: %s", mm_bpf_error());
	if (!r)
		mm_dump_free(&d);
	after_small = mm_bpf_marks();
	printf("# marks after the 200-family dump: %zu, after the next dump: %zu\n", after_big,
	       after_small);
	EXPECT(&ok, after_big >= 200 && after_small < after_big,
	       "marks of the first dump still held");
	kill(small, SIGKILL);
	waitpid(small, NULL, 0);
	tap_result("bpf: each dump starts with empty maps (marks of earlier dumps cleared)", ok);
	return tap_failed ? 1 : 0;
}
