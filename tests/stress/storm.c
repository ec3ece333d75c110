// SPDX-License-Identifier: GPL-2.0
/*
 * Storm: W worker processes of one fork family mutate their address spaces
 * at random (fork, exit, mmap, munmap, partial mprotect, mremap move / grow
 * / DONTUNMAP, madvise DONTNEED / WIPEONFORK / MERGEABLE / HUGEPAGE, write
 * faults) for T seconds, while D dumper threads dump random family members
 * through the ioctl and run the checker, and a reader loops on the debugfs
 * text files. Pass: every ioctl succeeds or returns a documented errno, and
 * no dump has an error verdict (a snapshot is taken under the kernel's
 * locks, so an error is a bug in mmctl or the kernel). The kernel console
 * is checked by the harness.
 *
 * usage: storm [-w W] [-d D] [-t SECONDS] [-s SEED]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/tap.h"
#include "checkrun.h"
#include "dump.h"

#define SLOTS 8
#define SLOT_PAGES 64
#define SLOT(k) ((char *)0x400000000000UL + (unsigned long)(k) * (1UL << 30))
#define MAXW 64

struct shared {
	atomic_int pids[MAXW];
	atomic_int population;
	atomic_int stop;
	atomic_long ops[10];
};

static const char *const op_names[10] = { "fork", "exit", "mmap", "munmap", "mprotect",
					  "mremap", "madvise", "write", "dontunmap", "grow" };
static struct shared *sh;
static long pg;
static int workers = 8, dumpers = 2, seconds = 60;
static unsigned long seed;

static unsigned long rnd(unsigned long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void reg(int on)
{
	for (int i = 0; i < MAXW; i++) {
		int expect = on ? 0 : getpid();

		if (atomic_compare_exchange_strong(&sh->pids[i], &expect, on ? getpid() : 0))
			return;
	}
}

static sigjmp_buf segv_env;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(segv_env, 1);
}

/* Write one byte per page; a page that cannot take it jumps back here. */
static void try_writes(char *a, unsigned long n)
{
	if (!sigsetjmp(segv_env, 1))
		for (unsigned long i = 0; i < n; i++)
			((volatile char *)a)[i * pg] = (char)i;
}

static void worker(unsigned long s)
{
	struct sigaction sa = { .sa_handler = on_segv, .sa_flags = SA_NODEFER };

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGCHLD, SIG_IGN);
	reg(1);
	while (!atomic_load(&sh->stop)) {
		int op = (int)(rnd(&s) % 10), k = (int)(rnd(&s) % SLOTS), j = (int)(rnd(&s) % SLOTS);
		unsigned long first = rnd(&s) % SLOT_PAGES, n = 1 + rnd(&s) % 16;
		char *a = SLOT(k) + first * pg;

		if (first + n > SLOT_PAGES)
			n = SLOT_PAGES - first;
		switch (op) {
		case 0:	/* fork */
			if (atomic_load(&sh->population) < workers) {
				pid_t c = fork();

				if (c == 0) {
					atomic_fetch_add(&sh->population, 1);
					s ^= (unsigned long)getpid() * 0x9e3779b97f4a7c15UL;
					reg(1);
				}
			}
			break;
		case 1:	/* exit, keeping a few alive */
			if (atomic_load(&sh->population) > 2 && rnd(&s) % 4 == 0) {
				atomic_fetch_sub(&sh->population, 1);
				reg(0);
				_exit(0);
			}
			break;
		case 2:
			mmap(SLOT(k), SLOT_PAGES * pg, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			break;
		case 3:
			munmap(a, n * pg);
			break;
		case 4:
			mprotect(a, n * pg, rnd(&s) & 1 ? PROT_READ : PROT_READ | PROT_WRITE);
			break;
		case 5:	/* move all of slot k to slot j */
			mremap(SLOT(k), SLOT_PAGES * pg, SLOT_PAGES * pg, MREMAP_MAYMOVE | MREMAP_FIXED,
			       SLOT(j));
			break;
		case 6: {
			static const int adv[] = { MADV_DONTNEED, MADV_WIPEONFORK, MADV_KEEPONFORK,
						   MADV_MERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE };

			madvise(a, n * pg, adv[rnd(&s) % 6]);
			break;
		}
		case 7:	/* write faults, where the pages take them */
			try_writes(a, n);
			break;
		case 8:
			mremap(SLOT(k), SLOT_PAGES * pg, SLOT_PAGES * pg,
			       MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, SLOT(j));
			break;
		case 9:
			mremap(a, n * pg, (n + 4) * pg, 0);
			break;
		}
		atomic_fetch_add(&sh->ops[op], 1);
	}
	reg(0);
	_exit(0);
}

/* ---- the dumpers and the reader ------------------------------------------ */

struct dstats {
	long dumps, gone, again, errors, warnings, transient, bad_errno, checked;
	unsigned long s;
};

static pid_t pick(unsigned long *s)
{
	for (int tries = 0; tries < 4 * MAXW; tries++) {
		int p = atomic_load(&sh->pids[rnd(s) % MAXW]);

		if (p)
			return p;
	}
	return 0;
}

/* Every error verdict in full, as mmctl check prints it. */
static void print_error(void *arg, const struct mmctl_violation *v)
{
	const struct mmctl_rule_info *ri = &mmctl_rules[v->rule];

	if (v->severity != MMCTL_SEV_ERROR)
		return;
	printf("#   pid %d: error %s %s %016llx expected %llu found %llu aux %llx: %s\n",
	       *(pid_t *)arg, ri->name, ri->object, (unsigned long long)v->object,
	       (unsigned long long)v->expected, (unsigned long long)v->found,
	       (unsigned long long)v->aux, ri->explain);
}

static void *dumper(void *arg)
{
	struct dstats *st = arg;

	while (!atomic_load(&sh->stop)) {
		struct mmctl_check_result res;
		struct mm_dump d;
		pid_t p = pick(&st->s);
		uint32_t flags = rnd(&st->s) % 5 == 0 ? MMCTL_DUMP_MEMBER_FOLIOS : 0;
		int r;

		if (!p)
			continue;
		r = mm_dump_kmod(&d, p, flags);
		st->dumps++;
		if (r == -ESRCH) {
			st->gone++;
			continue;
		}
		if (r == -EAGAIN) {
			st->again++;
			continue;
		}
		if (r) {
			printf("#   dump of pid %d: undocumented result %s\n", (int)p, strerror(-r));
			st->bad_errno++;
			continue;
		}
		if (mm_check_buf(d.buf, d.len, print_error, &p, &res) == 0) {
			st->checked++;
			st->errors += res.count[MMCTL_SEV_ERROR];
			st->warnings += res.count[MMCTL_SEV_WARNING];
			st->transient += res.count[MMCTL_SEV_TRANSIENT];
			if (res.count[MMCTL_SEV_ERROR]) {
				char path[256];
				FILE *f;

				/* Keep the evidence: the dump, for mmctl check FILE. */
				snprintf(path, sizeof(path), "%s/storm-error-%d-%ld.bin",
					 getenv("MMCTL_DUMP_DIR") ?: "/tmp", (int)p, st->dumps);
				f = fopen(path, "w");
				if (f) {
					fwrite(d.buf, 1, d.len, f);
					fclose(f);
				}
				printf("#   pid %d: %u error verdicts (dump saved to %s)\n", (int)p,
				       res.count[MMCTL_SEV_ERROR], path);
			}
		}
		mm_dump_free(&d);
	}
	return NULL;
}

static void *reader(void *arg)
{
	long *reads = arg;
	unsigned long s = seed ^ 0x5eedUL;
	static const char *const files[] = { "/sys/kernel/debug/mmctl/tree",
					     "/sys/kernel/debug/mmctl/check" };
	char buf[65536];

	while (!atomic_load(&sh->stop)) {
		int fd = open(files[rnd(&s) % 2], O_RDWR);
		char pid[16];
		pid_t p = pick(&s);

		if (fd < 0)
			continue;
		snprintf(pid, sizeof(pid), "%d", (int)p);
		if (write(fd, pid, strlen(pid)) > 0)
			while (read(fd, buf, sizeof(buf)) > 0)
				;
		close(fd);
		(*reads)++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct dstats st[8] = { 0 };
	pthread_t th[8], rd;
	long reads = 0, total = 0;
	int c, ok = 1;
	pid_t root;

	seed = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
	while ((c = getopt(argc, argv, "w:d:t:s:")) != -1) {
		switch (c) {
		case 'w': workers = atoi(optarg); break;
		case 'd': dumpers = atoi(optarg); break;
		case 't': seconds = atoi(optarg); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		default: return 2;
		}
	}
	if (workers < 2 || workers > MAXW || dumpers < 1 || dumpers > 8)
		return 2;
	pg = sysconf(_SC_PAGESIZE);
	printf("# storm: %d workers, %d dumpers, %d s, seed %#lx (rerun: -s %#lx)\n", workers,
	       dumpers, seconds, seed, seed);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	memset(sh, 0, sizeof(*sh));
	atomic_store(&sh->population, 1);
	root = fork();
	if (root == 0) {
		setpgid(0, 0);
		/* The family's first anon_vma: a faulted slot before any fork. */
		mmap(SLOT(0), SLOT_PAGES * pg, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		memset(SLOT(0), 1, SLOT_PAGES * pg);
		worker(seed);
	}
	setpgid(root, root);
	for (int i = 0; i < dumpers; i++) {
		st[i].s = seed ^ ((unsigned long)(i + 1) * 0x9e3779b97f4a7c15UL);
		pthread_create(&th[i], NULL, dumper, &st[i]);
	}
	pthread_create(&rd, NULL, reader, &reads);
	sleep((unsigned int)seconds);
	atomic_store(&sh->stop, 1);
	for (int i = 0; i < dumpers; i++)
		pthread_join(th[i], NULL);
	pthread_join(rd, NULL);
	kill(-root, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	for (int i = 0; i < 10; i++)
		total += atomic_load(&sh->ops[i]);
	printf("# operations: %ld (", total);
	for (int i = 0; i < 10; i++)
		printf("%s%s %ld", i ? ", " : "", op_names[i], atomic_load(&sh->ops[i]));
	printf(")\n");
	for (int i = 1; i < dumpers; i++) {
		st[0].dumps += st[i].dumps;
		st[0].gone += st[i].gone;
		st[0].again += st[i].again;
		st[0].errors += st[i].errors;
		st[0].warnings += st[i].warnings;
		st[0].transient += st[i].transient;
		st[0].bad_errno += st[i].bad_errno;
		st[0].checked += st[i].checked;
	}
	printf("# dumps: %ld (%ld checked, %ld ESRCH, %ld EAGAIN); verdicts: %ld errors, %ld warnings, %ld transient; debugfs reads: %ld\n",
	       st[0].dumps, st[0].checked, st[0].gone, st[0].again, st[0].errors, st[0].warnings,
	       st[0].transient, reads);
	ok = st[0].errors == 0 && st[0].bad_errno == 0 && st[0].checked > 0 && total > 0;
	tap_result("storm: racing fork/exit/mmap/mprotect/mremap/madvise with dumps: no error verdict, documented errnos only",
		   ok);
	return tap_failed ? 1 : 0;
}
