// SPDX-License-Identifier: GPL-2.0
/*
 * failsplit: a VMA split whose anon_vma_clone() runs out of memory, for the
 * bug zoo's ENOMEM mutant (tests/zoo/05-*.patch; driven by tests/zoo/zoo-extra).
 *
 * Maps 4 pages, writes them (the VMA gets its anon_vma), then, with
 * /proc/self/make-it-fail set, mprotect()s the upper half: __split_vma()
 * calls anon_vma_clone(), whose chain-entry allocations fail when failslab
 * is set up for this task and the anon_vma_chain cache (zoo-extra does
 * that: slub_debug=A,anon_vma_chain, cache-filter, task-filter). A healthy
 * kernel then returns ENOMEM with the anon_vma state as it was; the mutant
 * also returns ENOMEM but has decremented the anon_vma's num_active_vmas.
 *
 * Prints "mprotect: ENOMEM" (or what it got instead) and "ready PID",
 * then waits for its stdin to close, so that mmctl can check it alive.
 * Exit 0 when mprotect() failed with ENOMEM, 1 when it did not (the fault
 * injection missed: nothing was shown), 2 on a setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

static int set_fail(int fd, const char *v)
{
	return pwrite(fd, v, strlen(v), 0) == (ssize_t)strlen(v) ? 0 : -1;
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p, c;
	int fd, rc, err;

	p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("failsplit: mmap");
		return 2;
	}
	memset(p, 0x5a, 4 * pg);
	/* Opened before the flag is set: nothing may allocate in between. */
	fd = open("/proc/self/make-it-fail", O_WRONLY);
	if (fd < 0) {
		perror("failsplit: /proc/self/make-it-fail (CONFIG_FAULT_INJECTION)");
		return 2;
	}
	if (set_fail(fd, "1")) {
		perror("failsplit: make-it-fail 1");
		return 2;
	}
	rc = mprotect(p + 2 * pg, 2 * pg, PROT_READ);
	err = errno;
	if (set_fail(fd, "0")) {
		perror("failsplit: make-it-fail 0");
		return 2;
	}
	close(fd);
	printf("mprotect: %s\n", rc == 0 ? "succeeded" : err == ENOMEM ? "ENOMEM" : strerror(err));
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	/* Still mapped and as written: the failed split lost nothing. */
	for (long i = 0; i < 4 * pg; i++)
		if (p[i] != 0x5a) {
			printf("failsplit: byte %ld changed\n", i);
			return 2;
		}
	return rc != 0 && err == ENOMEM ? 0 : 1;
}
