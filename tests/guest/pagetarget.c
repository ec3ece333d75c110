// SPDX-License-Identifier: GPL-2.0
/*
 * The target of the retry test (tests/guest/windows.c, "retry"): a fresh
 * image (exec'd, so that none of its anon_vma families is shared with the
 * test and their records stay the same from one dump to the next). Maps
 * one written page between two PROT_NONE ones and writes its address on
 * stdout; on a 'g' from stdin, waits until mmctl.ko's injected failure has
 * happened (its fault_nowait_times parameter reads 0), discards the page
 * and says 'd'; exits at EOF.
 */
#include <stdio.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static long times_left(void)
{
	FILE *f = fopen("/sys/module/mmctl/parameters/fault_nowait_times", "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *g = mmap(NULL, 3 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p = g + pg, c;
	uint64_t addr = (uint64_t)(uintptr_t)p;
	int i;

	if (g == MAP_FAILED || mprotect(p, pg, PROT_READ | PROT_WRITE))
		return 1;
	p[0] = 1;
	if (write(1, &addr, sizeof(addr)) != sizeof(addr) || read(0, &c, 1) != 1)
		return 1;
	for (i = 0; c == 'g' && i < 20000 && times_left() != 0; i++)
		usleep(1000);
	if (c == 'g' && i < 20000 && madvise(p, pg, MADV_DONTNEED))
		return 1;
	if (write(1, "d", 1) != 1 || read(0, &c, 1) < 0)
		return 1;
	return 0;
}
