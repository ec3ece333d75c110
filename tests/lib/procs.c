// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procs.h"

enum op { OP_MMAP_AT = 20, OP_MMAP = 1, OP_WRITE, OP_READ, OP_FORK, OP_EXIT, OP_MUNMAP,
	  OP_MPROTECT, OP_MREMAP, OP_MADVISE };

struct msg {
	int op;
	unsigned long k;	/* a mapping number, or an address */
	unsigned long a, b, c, d;
};

struct reply {
	long ret;	/* 0 or -errno */
	long val;
};

static void serve(struct procs *p, int self, int driver_child);

static int xwrite(int fd, const void *buf, size_t n)
{
	return write(fd, buf, n) == (ssize_t)n ? 0 : -1;
}

static int xread(int fd, void *buf, size_t n)
{
	ssize_t r;

	do {
		r = read(fd, buf, n);
	} while (r < 0 && errno == EINTR);
	return r == (ssize_t)n ? 0 : -1;
}

int procs_init(struct procs *p)
{
	memset(p, 0, sizeof(*p));
	p->page = sysconf(_SC_PAGESIZE);
	for (int i = 0; i < PROCS_MAX; i++)
		if (pipe(p->cmd[i]) || pipe(p->ack[i]))
			return -errno;
	return 0;
}

static long do_op(struct procs *p, int self, const struct msg *m, long *val)
{
	char *base = m->k >= PROCS_BASE ? (char *)m->k : (char *)PROCS_ADDR(m->k);
	long pg = p->page;
	volatile char sink;
	pid_t pid;

	switch (m->op) {
	case OP_MMAP:
		if (mmap(base, m->a * pg, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != base)
			return -errno;
		/* Debian defaults THP to always: keep expectations per page. */
		madvise(base, m->a * pg, MADV_NOHUGEPAGE);
		return 0;
	case OP_MMAP_AT: {
		char *at = (char *)m->a;
		int fd = -1, prot = (m->c & PROCS_MAP_RO) ? PROT_READ : PROT_READ | PROT_WRITE;
		int fl = MAP_PRIVATE | MAP_FIXED_NOREPLACE;
		void *r;

		if (m->c & PROCS_MAP_FILE) {
			char path[] = "/tmp/mmctl-topo-XXXXXX";
			char *zero = calloc(1, (size_t)pg);

			fd = mkstemp(path);
			if (fd < 0 || !zero)
				return -errno;
			unlink(path);
			/* Distinct content per page: KSM must not merge file pages. */
			for (unsigned long i = 0; i < m->b; i++) {
				zero[0] = (char)(i + 1);
				if (write(fd, zero, (size_t)pg) != pg) {
					free(zero);
					close(fd);
					return -EIO;
				}
			}
			free(zero);
		} else {
			fl |= MAP_ANONYMOUS;
		}
		r = mmap(at, m->b * pg, prot, fl, fd, 0);
		if (fd >= 0)
			close(fd);
		if (r != at)
			return r == MAP_FAILED ? -errno : -EEXIST;
		madvise(at, m->b * pg, (m->c & PROCS_MAP_THP) ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
		return 0;
	}
	case OP_WRITE:
		for (unsigned long i = 0; i < m->b; i++)
			base[(m->a + i) * pg] = (char)(self + 1);
		return 0;
	case OP_READ:
		for (unsigned long i = 0; i < m->b; i++)
			sink = base[(m->a + i) * pg];
		(void)sink;
		return 0;
	case OP_FORK:
		pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0) {
			serve(p, (int)m->a, 0);
			_exit(0);
		}
		*val = pid;
		return 0;
	case OP_MUNMAP:
		return munmap(base + m->a * pg, m->b * pg) ? -errno : 0;
	case OP_MPROTECT:
		return mprotect(base + m->a * pg, m->b * pg, (int)m->c) ? -errno : 0;
	case OP_MREMAP: {
		/* m->b: a mapping number, or an address when it is one. */
		char *to = m->b >= PROCS_BASE ? (char *)m->b : (char *)PROCS_ADDR(m->b);

		if (mremap(base, m->a * pg, m->a * pg,
			   MREMAP_MAYMOVE | MREMAP_FIXED | (int)m->c, to) != to)
			return -errno;
		return 0;
	}
	case OP_MADVISE:
		return madvise(base + m->a * pg, m->b * pg, (int)m->c) ? -errno : 0;
	}
	return -EINVAL;
}

/*
 * Command loop of process @self. A process the driver spawned dies with
 * it; forked ones must outlive their parent (scenarios exit middle and
 * root processes), so drivers run in their own process group and kill it.
 */
static void serve(struct procs *p, int self, int driver_child)
{
	struct msg m;
	struct reply r;

	if (driver_child)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGCHLD, SIG_IGN);	/* children exit without zombies */
	for (;;) {
		if (xread(p->cmd[self][0], &m, sizeof(m)))
			_exit(1);
		if (m.op == OP_EXIT) {
			r.ret = 0;
			r.val = 0;
			xwrite(p->ack[self][1], &r, sizeof(r));
			_exit(0);
		}
		r.val = 0;
		r.ret = do_op(p, self, &m, &r.val);
		if (xwrite(p->ack[self][1], &r, sizeof(r)))
			_exit(1);
	}
}

static long call(struct procs *p, int i, struct msg m, long *val)
{
	struct reply r;

	if (i < 0 || i >= PROCS_MAX || !p->alive[i])
		return -ESRCH;
	if (xwrite(p->cmd[i][1], &m, sizeof(m)) || xread(p->ack[i][0], &r, sizeof(r)))
		return -EPIPE;
	if (val)
		*val = r.val;
	return r.ret;
}

int procs_spawn(struct procs *p, int i)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		serve(p, i, 1);
		_exit(0);
	}
	p->pid[i] = pid;
	p->alive[i] = 1;
	return 0;
}

int procs_fork(struct procs *p, int parent, int child)
{
	long pid;
	long r = call(p, parent, (struct msg){ .op = OP_FORK, .a = child }, &pid);

	if (r)
		return (int)r;
	p->pid[child] = (pid_t)pid;
	p->alive[child] = 1;
	return 0;
}

/* Gone or a zombie: either way its mm has been torn down. */
static int exited(pid_t pid)
{
	char path[64], buf[256], *s;
	FILE *f;
	int n;

	if (waitpid(pid, NULL, WNOHANG) == pid)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 1;
	n = (int)fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n > 0 ? n : 0] = 0;
	s = strrchr(buf, ')');
	return s && s[1] == ' ' && (s[2] == 'Z' || s[2] == 'X');
}

int procs_exit(struct procs *p, int i)
{
	long r = call(p, i, (struct msg){ .op = OP_EXIT }, NULL);

	for (int t = 0; r == 0 && !exited(p->pid[i]) && t < 10000; t++)
		usleep(1000);
	p->alive[i] = 0;
	return (int)r;
}

void procs_cleanup(struct procs *p)
{
	for (int i = 0; i < PROCS_MAX; i++) {
		if (p->alive[i])
			kill(p->pid[i], SIGKILL);
		p->alive[i] = 0;
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	for (int i = 0; i < PROCS_MAX; i++) {
		close(p->cmd[i][0]);
		close(p->cmd[i][1]);
		close(p->ack[i][0]);
		close(p->ack[i][1]);
	}
}

int procs_mmap(struct procs *p, int i, unsigned long k, unsigned long pages)
{
	return (int)call(p, i, (struct msg){ .op = OP_MMAP, .k = k, .a = pages }, NULL);
}

int procs_mmap_at(struct procs *p, int i, unsigned long addr, unsigned long pages, int flags)
{
	return (int)call(p, i, (struct msg){ .op = OP_MMAP_AT, .a = addr, .b = pages,
					      .c = (unsigned long)flags }, NULL);
}

int procs_write(struct procs *p, int i, unsigned long k, unsigned long first, unsigned long n)
{
	return (int)call(p, i, (struct msg){ .op = OP_WRITE, .k = k, .a = first, .b = n }, NULL);
}

int procs_read(struct procs *p, int i, unsigned long k, unsigned long first, unsigned long n)
{
	return (int)call(p, i, (struct msg){ .op = OP_READ, .k = k, .a = first, .b = n }, NULL);
}

int procs_munmap(struct procs *p, int i, unsigned long k, unsigned long first, unsigned long n)
{
	return (int)call(p, i, (struct msg){ .op = OP_MUNMAP, .k = k, .a = first, .b = n }, NULL);
}

int procs_mprotect(struct procs *p, int i, unsigned long k, unsigned long first,
		   unsigned long n, int prot)
{
	return (int)call(p, i, (struct msg){ .op = OP_MPROTECT, .k = k, .a = first,
					      .b = n, .c = (unsigned long)prot }, NULL);
}

int procs_mremap(struct procs *p, int i, unsigned long k, unsigned long pages, unsigned long to,
		 int flags)
{
	return (int)call(p, i, (struct msg){ .op = OP_MREMAP, .k = k, .a = pages,
					      .b = (unsigned long)to,
					      .c = (unsigned long)flags }, NULL);
}

int procs_madvise(struct procs *p, int i, unsigned long k, unsigned long first,
		  unsigned long n, int advice)
{
	return (int)call(p, i, (struct msg){ .op = OP_MADVISE, .k = k, .a = first,
					      .b = n, .c = (unsigned long)advice }, NULL);
}
