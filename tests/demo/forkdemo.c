// SPDX-License-Identifier: GPL-2.0
/*
 * forkdemo: build the primer's P1 -> P2 -> P3 topology and run a command
 * while it stands. P1 writes 4 pages of a private anonymous mapping, forks
 * P2, which forks P3; P3 writes page 0. The command gets the pids in
 * $MMCTL_P1, $MMCTL_P2, $MMCTL_P3 and the mapping address in $MMCTL_ADDR.
 *
 * usage: forkdemo CMD [ARGS...]   (exit status is the command's)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NPAGES 4
#define DEMO_ADDR 0x200000000000UL

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* Block until the peer closes or writes to fd. */
static void wait_fd(int fd)
{
	char c;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	long pg = sysconf(_SC_PAGESIZE);
	int ready[2], done[2], status;
	pid_t p2, p3 = 0, cmd;
	char *map;
	char buf[64];

	if (argc < 2) {
		fprintf(stderr, "usage: forkdemo CMD [ARGS...]\n");
		return 2;
	}
	/*
	 * A fixed address with no neighbour: next to another anonymous VMA the
	 * first fault could share that VMA's anon_vma, and the demo would no
	 * longer show the primer's A(2,1,3).
	 */
	map = mmap((void *)DEMO_ADDR, NPAGES * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (map == MAP_FAILED)
		die("mmap");
	madvise(map, NPAGES * pg, MADV_NOHUGEPAGE);
	memset(map, 1, NPAGES * pg);
	if (pipe(ready) || pipe(done))
		die("pipe");

	p2 = fork();
	if (p2 < 0)
		die("fork");
	if (p2 == 0) {
		p3 = fork();
		if (p3 < 0)
			die("fork");
		if (p3 == 0) {
			map[0] = 3;
			/* Tell P1 that the tree stands: write P3's pid. */
			if (write(ready[1], &(int){ getpid() }, sizeof(int)) != sizeof(int))
				_exit(2);
			close(done[1]);
			wait_fd(done[0]);
			_exit(0);
		}
		close(done[1]);
		wait_fd(done[0]);
		waitpid(p3, NULL, 0);
		_exit(0);
	}
	if (read(ready[0], &p3, sizeof(p3)) != sizeof(p3))
		die("read");

	snprintf(buf, sizeof(buf), "%d", (int)getpid());
	setenv("MMCTL_P1", buf, 1);
	snprintf(buf, sizeof(buf), "%d", (int)p2);
	setenv("MMCTL_P2", buf, 1);
	snprintf(buf, sizeof(buf), "%d", (int)p3);
	setenv("MMCTL_P3", buf, 1);
	snprintf(buf, sizeof(buf), "%p", (void *)map);
	setenv("MMCTL_ADDR", buf, 1);

	cmd = fork();
	if (cmd < 0)
		die("fork");
	if (cmd == 0) {
		close(done[1]);
		execvp(argv[1], argv + 1);
		die(argv[1]);
	}
	waitpid(cmd, &status, 0);
	close(done[1]);
	waitpid(p2, NULL, 0);
	munmap(map, NPAGES * pg);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}
