// SPDX-License-Identifier: GPL-2.0
/*
 * Topologies for the CLI tests. Runs shell commands at fixed points with
 * the processes' pids in $MMCTL_P0.. and mapping addresses in $MMCTL_M0..
 *
 *   cliscen fork CMD1 CMD2        P0 writes 4 pages at M0; CMD1; P0 forks
 *                                 P1; CMD2 (a snapshot before and after fork)
 *   cliscen mremap CMD            P0 faults 4 pages at M0 and 4 at M1, then
 *                                 mremaps M0's to just below M1 (at M2)
 *   cliscen fork-split CMD        P0 faults 4 pages at M0, mprotects the middle
 *                                 two, forks P1; P1 restores the protection
 *   cliscen chain CMD             P0 -> P1 -> P2, P2 writes page 0 (the primer)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/procs.h"

static long pg;

static void env(struct procs *p)
{
	char k[32], v[32];

	for (int i = 0; i < PROCS_MAX; i++) {
		if (!p->alive[i])
			continue;
		snprintf(k, sizeof(k), "MMCTL_P%d", i);
		snprintf(v, sizeof(v), "%d", (int)p->pid[i]);
		setenv(k, v, 1);
	}
	for (int k2 = 0; k2 < 4; k2++) {
		snprintf(k, sizeof(k), "MMCTL_M%d", k2);
		snprintf(v, sizeof(v), "0x%lx", PROCS_ADDR(k2));
		setenv(k, v, 1);
	}
	/* M2: where the mremap scenario puts M0's pages, just below M1. */
	snprintf(v, sizeof(v), "0x%lx", PROCS_ADDR(1) - 4 * pg);
	setenv("MMCTL_M2", v, 1);
}

static int run(struct procs *p, const char *cmd)
{
	int st;

	env(p);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 125;
}

#define TRY(x) do { int _r = (x); if (_r) { fprintf(stderr, "cliscen: %s failed: %d\n", #x, _r); goto fail; } } while (0)

int main(int argc, char **argv)
{
	struct procs p;
	int rc = 2;

	pg = sysconf(_SC_PAGESIZE);
	if (argc < 3 || procs_init(&p))
		return 2;
	TRY(procs_spawn(&p, 0));
	if (!strcmp(argv[1], "fork") && argc == 4) {
		TRY(procs_mmap(&p, 0, 0, 4));
		TRY(procs_write(&p, 0, 0, 0, 4));
		rc = run(&p, argv[2]);
		if (rc)
			goto fail;
		TRY(procs_fork(&p, 0, 1));
		rc = run(&p, argv[3]);
	} else if (!strcmp(argv[1], "mremap")) {
		TRY(procs_mmap(&p, 0, 0, 4));
		TRY(procs_write(&p, 0, 0, 0, 4));
		TRY(procs_mmap(&p, 0, 1, 4));
		TRY(procs_write(&p, 0, 1, 0, 4));
		/* Move M0's 4 pages to [M1 - 4 pages, M1), next to M1's. */
		TRY(procs_mremap(&p, 0, 0, 4, PROCS_ADDR(1) - 4 * pg, 0));
		rc = run(&p, argv[2]);
	} else if (!strcmp(argv[1], "fork-split")) {
		TRY(procs_mmap(&p, 0, 0, 4));
		TRY(procs_write(&p, 0, 0, 0, 4));
		TRY(procs_mprotect(&p, 0, 0, 1, 2, PROT_READ));
		TRY(procs_fork(&p, 0, 1));
		TRY(procs_mprotect(&p, 1, 0, 1, 2, PROT_READ | PROT_WRITE));
		rc = run(&p, argv[2]);
	} else if (!strcmp(argv[1], "chain")) {
		TRY(procs_mmap(&p, 0, 0, 4));
		TRY(procs_write(&p, 0, 0, 0, 4));
		TRY(procs_fork(&p, 0, 1));
		TRY(procs_fork(&p, 1, 2));
		TRY(procs_write(&p, 2, 0, 0, 1));
		rc = run(&p, argv[2]);
	} else {
		fprintf(stderr, "cliscen: unknown scenario or arguments\n");
	}
fail:
	procs_cleanup(&p);
	return rc;
}
