// SPDX-License-Identifier: GPL-2.0
/*
 * stopcheck: run CMD under ptrace and `mmctl check` it where it stands, at
 * random exits of its memory-map system calls, for the workload batch
 * (tests/guest/workload --stops). Some of the kernel's selftests live a
 * few milliseconds: a sampler that picks processes from /proc never meets
 * them. Here every run of CMD is checked at least once, deterministically:
 * at the exit of an mm system call chosen at random (seeded), or else when
 * it exits (PTRACE_EVENT_EXIT comes before exit_mm(): its mappings are
 * still there). Only once CMD has been exec'd (a failed exec is not
 * checked), and not during the first SKIP mm system calls after it (the
 * dynamic loader's and libc's setup: 13 of about 45 in mremap_dontunmap
 * and madv_populate, by strace). The traced thread is stopped while
 * checked (other threads run on); children are not traced (the sampler
 * meets them). SIGSTOP does not stop CMD (no PTRACE_SEIZE: the group-stop
 * cannot be told from a signal); the selftests run here do not use it.
 *
 * usage: stopcheck [-p PERMILLE] [-m MAX] [-s SKIP] -- CMD [ARGS...]
 *   -p  chance per mm system call exit of a check, in 1/1000 (default 100)
 *   -m  at most MAX checks per run (default 1)
 *   -s  no check in the first SKIP mm system calls after exec (default 16)
 * Environment: MMCTL_STOP_DIR (where each check goes: PID-N.txt, its stderr
 * PID-N.txt.err, then mmctl's exit status PID-N.rc: a check cut short
 * by timeout(1) has no .rc), MMCTL (the CLI),
 * MMCTL_WORKLOAD_SEED (the seed, with the tracee's pid).
 * Exits with CMD's status (128 + signal when killed), 2 on bad usage,
 * 3 when tracing fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

static const char *dir, *mmctl;
static int checks;

static int is_mm_syscall(unsigned long nr)
{
	switch (nr) {
	case SYS_mmap: case SYS_munmap: case SYS_mremap: case SYS_mprotect:
	case SYS_madvise: case SYS_brk: case SYS_clone: case SYS_clone3:
	case SYS_mlock: case SYS_munlock: case SYS_ioctl: case SYS_process_madvise:
#ifdef SYS_fork
	case SYS_fork: case SYS_vfork:
#endif
		return 1;
	}
	return 0;
}

/* mmctl check PID, its output in DIR/PID-N.txt, its status in DIR/PID-N.rc. */
static void check(pid_t pid, const char *why)
{
	char out[4096], err[4200], rcf[4200], tmp[4300], keep[4200], pids[16];
	int status, fd;
	pid_t c;
	FILE *f;

	snprintf(out, sizeof(out), "%s/%d-%d.txt", dir, pid, checks);
	snprintf(err, sizeof(err), "%s.err", out);
	snprintf(rcf, sizeof(rcf), "%s/%d-%d.rc", dir, pid, checks);
	snprintf(keep, sizeof(keep), "--keep-errors=%s", dir);
	snprintf(pids, sizeof(pids), "%d", pid);
	checks++;
	c = fork();
	if (c == 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execlp(mmctl, mmctl, "check", keep, pids, (char *)NULL);
		fprintf(stderr, "stopcheck: %s: %s\n", mmctl, strerror(errno));
		_exit(127);
	}
	if (c < 0 || waitpid(c, &status, 0) != c)
		status = 127 << 8;
	/* written whole, then renamed: the reader takes a .rc as complete */
	snprintf(tmp, sizeof(tmp), "%s.tmp", rcf);
	f = fopen(tmp, "w");
	if (f) {
		fprintf(f, "%d %s\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128, why);
		if (fclose(f) == 0)
			rename(tmp, rcf);
	}
}

int main(int argc, char **argv)
{
	long permille = 100, max = 1, skip = 16, seed, mm_calls = 0;
	struct __ptrace_syscall_info info;
	unsigned long nr = 0;
	int opt, status, sig, execd = 0;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+p:m:s:")) != -1) {
		switch (opt) {
		case 'p': permille = strtol(optarg, NULL, 10); break;
		case 'm': max = strtol(optarg, NULL, 10); break;
		case 's': skip = strtol(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	dir = getenv("MMCTL_STOP_DIR");
	mmctl = getenv("MMCTL") ? getenv("MMCTL") : "mmctl";
	if (optind >= argc || !dir || permille < 0 || permille > 1000 || max < 1 || skip < 0)
		goto usage;
	seed = getenv("MMCTL_WORKLOAD_SEED") ? strtol(getenv("MMCTL_WORKLOAD_SEED"), NULL, 10) : 1;

	pid = fork();
	if (pid < 0) {
		perror("stopcheck: fork");
		return 3;
	}
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(126);
		raise(SIGSTOP);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "stopcheck: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	srandom((unsigned int)(seed * 65599 + pid));
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    ptrace(PTRACE_SETOPTIONS, pid, NULL, PTRACE_O_TRACESYSGOOD |
		   PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)) {
		perror("stopcheck: ptrace");
		kill(pid, SIGKILL);
		return 3;
	}
	sig = 0;
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, pid, NULL, sig) && errno != ESRCH) {
			perror("stopcheck: PTRACE_SYSCALL");
			kill(pid, SIGKILL);
			return 3;
		}
		sig = 0;
		if (waitpid(pid, &status, __WALL) != pid) {
			perror("stopcheck: waitpid");
			return 3;
		}
		if (WIFEXITED(status))
			return WEXITSTATUS(status);
		if (WIFSIGNALED(status))
			return 128 + WTERMSIG(status);
		if (!WIFSTOPPED(status))
			continue;
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), &info) <= 0)
				continue;
			if (info.op == PTRACE_SYSCALL_INFO_ENTRY)
				nr = info.entry.nr;
			else if (info.op == PTRACE_SYSCALL_INFO_EXIT && execd &&
				 is_mm_syscall(nr) && ++mm_calls > skip &&
				 checks < max && random() % 1000 < permille)
				check(pid, "syscall");
		} else if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
			if (execd && !checks)
				check(pid, "exit");
		} else if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
			execd = 1;
			mm_calls = 0;
		} else {
			sig = WSTOPSIG(status);	/* a signal: deliver it */
		}
	}
usage:
	fprintf(stderr, "usage: MMCTL_STOP_DIR=DIR stopcheck [-p PERMILLE] [-m MAX] [-s SKIP] -- CMD [ARGS...]\n");
	return 2;
}
