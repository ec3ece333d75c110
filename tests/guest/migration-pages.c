// SPDX-License-Identifier: GPL-2.0
/*
 * PAGE records of a THP under migration (needs two NUMA nodes: the
 * workload boot): a child moves its PMD-mapped THP between nodes 0 and 1
 * in a loop (move_pages(2)) while the parent dumps its 512 pages one by
 * one. A PMD migration entry has no folio to take an index from: its PAGE
 * records must say index 0 for every page (they said 0, 1, 2, ... 511).
 * Present pages must be at their linear index.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/tap.h"
#include "dump.h"

#define HPAGE (2UL << 20)

static long move_pages_sys(pid_t pid, unsigned long n, void **pages, const int *nodes,
			   int *status, int flags)
{
	return syscall(SYS_move_pages, pid, n, pages, nodes, status, flags);
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	int go[2], ok = 1, dumps = 0, migr = 0, present = 0, bad = 0;
	char *raw, *thp, c;
	pid_t child;

	raw = mmap(NULL, 2 * HPAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED || pipe(go))
		return 2;
	thp = (char *)(((unsigned long)raw + HPAGE - 1) & ~(HPAGE - 1));
	madvise(thp, HPAGE, MADV_HUGEPAGE);
	child = fork();
	if (child == 0) {
		void *p = thp;
		int node = 1, status;

		memset(thp, 1, HPAGE);
		if (write(go[1], "x", 1) != 1)
			_exit(1);
		for (;;) {
			move_pages_sys(0, 1, &p, &node, &status, 0);
			node ^= 1;
		}
	}
	if (read(go[0], &c, 1) != 1)
		return 2;
	for (int i = 0; i < 400; i++) {
		struct mm_dump d;

		if (mm_dump_kmod_pages(&d, child, 0, (uint64_t)(uintptr_t)thp, HPAGE / pg))
			continue;
		dumps++;
		for (size_t k = 0; k < d.nr_pages; k++) {
			const struct mmctl_rec_page *p = d.pages[k];

			if (p->kind == MMCTL_PAGE_MIGRATION) {
				migr++;
				if (p->index) {
					if (!bad++)
						printf("#   migration entry at %llx with index %llu\n",
						       (unsigned long long)p->addr,
						       (unsigned long long)p->index);
				}
			} else if (p->kind == MMCTL_PAGE_ANON) {
				present++;
				if (p->index != p->expected_index && !bad++)
					printf("#   page at %llx index %llu, expected %llu\n",
					       (unsigned long long)p->addr,
					       (unsigned long long)p->index,
					       (unsigned long long)p->expected_index);
			}
		}
		mm_dump_free(&d);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	printf("# %d dumps of a migrating THP: %d PAGE records of migration entries, %d of present pages, %d wrong\n",
	       dumps, migr, present, bad);
	EXPECT(&ok, dumps > 0 && !bad, "wrong indexes");
	if (!migr) {
		tap_skip("PAGE records of a THP migration entry have index 0",
			 "no migration entry met in 400 dumps");
		return 0;
	}
	tap_result("PAGE records of a THP migration entry have index 0; present pages their linear index",
		   ok);
	return tap_failed ? 1 : 0;
}
