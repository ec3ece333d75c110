/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test processes driven over pipes. The driver (the test itself) creates a
 * pool, then spawns P0 and asks processes to mmap, write, fork, exit...
 * Each command is acknowledged, so every step is complete before the next
 * (deterministic). Mappings live at fixed addresses so every process of a
 * family names them the same way.
 */
#ifndef MMCTL_TEST_PROCS_H
#define MMCTL_TEST_PROCS_H

#include <stddef.h>
#include <sys/types.h>

#define PROCS_MAX 64
#define PROCS_BASE 0x200000000000UL	/* mapping k lives at BASE + k * 1 GiB */
#define PROCS_ADDR(k) (PROCS_BASE + (unsigned long)(k) * (1UL << 30))

struct procs {
	pid_t pid[PROCS_MAX];
	int cmd[PROCS_MAX][2];
	int ack[PROCS_MAX][2];
	int alive[PROCS_MAX];
	long page;
};

int procs_init(struct procs *p);
/* Start process @i as a child of the driver. */
int procs_spawn(struct procs *p, int i);
/* Process @parent forks process @child. */
int procs_fork(struct procs *p, int parent, int child);
/* Process @i exits (the driver reaps direct children). */
int procs_exit(struct procs *p, int i);
void procs_cleanup(struct procs *p);

/* Memory operations on mapping @k (a number, or an address >= PROCS_BASE)
 * of process @i, page units. */
int procs_mmap(struct procs *p, int i, unsigned long k, unsigned long pages);
/* Like procs_mmap at an explicit address, with options: */
#define PROCS_MAP_FILE	1	/* MAP_PRIVATE of a temporary file of @pages */
#define PROCS_MAP_THP	2	/* MADV_HUGEPAGE instead of MADV_NOHUGEPAGE */
#define PROCS_MAP_RO	4	/* PROT_READ only */
int procs_mmap_at(struct procs *p, int i, unsigned long addr, unsigned long pages, int flags);
int procs_write(struct procs *p, int i, unsigned long k, unsigned long first, unsigned long n);
int procs_read(struct procs *p, int i, unsigned long k, unsigned long first, unsigned long n);
int procs_munmap(struct procs *p, int i, unsigned long k, unsigned long first, unsigned long n);
int procs_mprotect(struct procs *p, int i, unsigned long k, unsigned long first,
		   unsigned long n, int prot);
/* mremap all @pages of mapping @k to mapping @to (number or address). */
int procs_mremap(struct procs *p, int i, unsigned long k, unsigned long pages, unsigned long to,
		 int flags);
int procs_madvise(struct procs *p, int i, unsigned long k, unsigned long first,
		  unsigned long n, int advice);

#endif /* MMCTL_TEST_PROCS_H */
