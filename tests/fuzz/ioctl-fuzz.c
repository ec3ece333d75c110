// SPDX-License-Identifier: GPL-2.0
/*
 * Random MMCTL ioctls and debugfs writes from a printed seed: commands,
 * struct sizes, flags, reserved fields, pids, and pointers that are NULL,
 * unmapped, kernel addresses, read-only, or straddle an unmapped page.
 * Every result must be success or a documented errno; the harness fails
 * the run on any kernel splat.
 *
 * usage: ioctl-fuzz [-n CALLS] [-s SEED]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../lib/tap.h"
#include "dump.h"

static unsigned long s;

static unsigned long rnd(void)
{
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

static int documented(int e)
{
	static const int ok[] = { 0, EINVAL, E2BIG, ESRCH, EPERM, EACCES, EFAULT, ENOSPC,
				  EFBIG, EAGAIN, EINTR, ENOMEM, ENOTTY };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (e == ok[i])
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	long pg = sysconf(_SC_PAGESIZE), calls = 100000, bad = 0, counts[256] = { 0 };
	char *ro, *edge, *buf;
	int fd, c;

	s = (unsigned long)time(NULL) * 2654435761UL ^ (unsigned long)getpid();
	while ((c = getopt(argc, argv, "n:s:")) != -1) {
		if (c == 'n')
			calls = atol(optarg);
		else if (c == 's')
			s = strtoul(optarg, NULL, 0);
		else
			return 2;
	}
	if (!s)
		s = 1;
	printf("# ioctl-fuzz: %ld calls, seed %#lx (rerun: -s %#lx)\n", calls, s, s);
	fd = open(MMCTL_CTL_PATH, O_RDONLY);
	buf = malloc(1 << 20);
	ro = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* Two pages, the second unmapped: a struct or buffer across the edge. */
	edge = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || !buf || ro == MAP_FAILED || edge == MAP_FAILED)
		return 2;
	munmap(edge + pg, pg);
	for (long i = 0; i < calls; i++) {
		unsigned char raw[128];
		struct mmctl_dump_args *a = (void *)raw;
		unsigned long cmd, argp, r = rnd();
		static const unsigned long kaddr = 0xffff888000000000UL;
		int e;

		for (size_t k = 0; k < sizeof(raw); k++)
			raw[k] = (unsigned char)rnd();
		/* Mostly plausible requests, so the walk itself is reached. */
		if (r % 4) {
			memset(raw, 0, sizeof(raw));
			a->size = r % 8 ? sizeof(*a) : (uint32_t)(rnd() % 128);
			a->flags = r % 16 ? 0 : (uint32_t)rnd();
			a->pid = (uint32_t)((const long[]){ getpid(), 1, 2, 0, -1, 999999,
							     getppid() })[rnd() % 7];
			a->reserved0 = rnd() % 32 ? 0 : 1;
			a->buf_size = rnd() % 3 ? (1 << 20) : rnd() % 4096;
			a->page_count = rnd() % 4 ? 0 : (uint32_t)(rnd() % 600);
			a->page_addr = rnd() % 2 ? (uint64_t)(uintptr_t)buf & ~4095UL : rnd();
			a->reserved1 = rnd() % 32 ? 0 : 1;
		}
		switch (rnd() % 6) {
		case 0: a->buf = 0; break;
		case 1: a->buf = 8; break;				/* unmapped */
		case 2: a->buf = kaddr; break;				/* kernel */
		case 3: a->buf = (uint64_t)(uintptr_t)ro; break;	/* read-only */
		case 4: a->buf = (uint64_t)(uintptr_t)(edge + pg - 64); break; /* straddles */
		default: a->buf = (uint64_t)(uintptr_t)buf; break;
		}
		switch (rnd() % 8) {
		case 0: argp = 0; break;
		case 1: argp = kaddr; break;
		case 2: argp = (unsigned long)ro; break;
		case 3:
			/* The struct itself across the edge of the mapping. */
			memcpy(edge + pg - 24, raw, 24);
			argp = (unsigned long)(edge + pg - 24);
			break;
		default: argp = (unsigned long)raw; break;
		}
		cmd = rnd() % 8 ? MMCTL_IOC_DUMP : (unsigned long)rnd();
		e = ioctl(fd, cmd, argp) ? errno : 0;
		counts[e & 255]++;
		if (!documented(e)) {
			if (bad++ < 5)
				printf("#   call %ld: cmd %#lx: undocumented %s\n", i, cmd, strerror(e));
		}
	}
	/* debugfs text files: random writes (a pid, or garbage), then reads. */
	for (long i = 0; i < calls / 100; i++) {
		static const char *const files[] = { "/sys/kernel/debug/mmctl/tree",
						     "/sys/kernel/debug/mmctl/check",
						     "/sys/kernel/debug/mmctl/target",
						     "/sys/kernel/debug/mmctl/version" };
		char w[64];
		int f = open(files[rnd() % 4], O_RDWR), n = (int)(rnd() % sizeof(w));

		if (f < 0)
			continue;
		for (int k = 0; k < n; k++)
			w[k] = (char)(rnd() % 3 ? '0' + rnd() % 10 : rnd());
		if (write(f, w, (size_t)n) < 0 && errno != EINVAL && errno != ERANGE &&
		    errno != ESRCH && errno != EACCES && errno != EPERM) {
			if (bad++ < 5)
				printf("#   debugfs write: undocumented %s\n", strerror(errno));
		}
		lseek(f, 0, SEEK_SET);
		while (read(f, buf, 1 << 20) > 0)
			;
		close(f);
	}
	printf("# results: 0=%ld EINVAL=%ld E2BIG=%ld ESRCH=%ld EFAULT=%ld ENOSPC=%ld ENOTTY=%ld EACCES=%ld, undocumented=%ld\n",
	       counts[0], counts[EINVAL], counts[E2BIG], counts[ESRCH], counts[EFAULT],
	       counts[ENOSPC], counts[ENOTTY], counts[EACCES], bad);
	tap_result("fuzz: random ioctls and debugfs writes: only documented errnos", bad == 0 &&
		   counts[0] > 0 && counts[EFAULT] > 0 && counts[EINVAL] > 0);
	return tap_failed ? 1 : 0;
}
