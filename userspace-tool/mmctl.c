// SPDX-License-Identifier: GPL-2.0
/*
 * mmctl: command-line front end to the mmctl anon_vma observer.
 *
 * Exit codes: 0 success, 1 the command ran and found a problem (e.g. a check
 * failed), 2 usage error, 3 the backend is unavailable (module not loaded,
 * no permission), 4 the target is gone or invalid.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mmctl.h>

#include "dump.h"
#include "mmctl.h"

#define MMCTL_CLI_VERSION "0.1.0"
#define DEBUGFS_DIR "/sys/kernel/debug/mmctl"


struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static int do_help(int argc, char **argv);

void p_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mmctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

int report_dump_error(int err, long pid)
{
	switch (-err) {
	case ENOENT:
		p_err("module not loaded (%s missing): insmod module/mmctl.ko", MMCTL_CTL_PATH);
		return EXIT_BACKEND;
	case EPERM:
	case EACCES:
		p_err("pid %ld: permission denied (need root with CAP_SYS_ADMIN, and ptrace read access)",
		      pid);
		return EXIT_BACKEND;
	case ESRCH:
		p_err("pid %ld: no such process (or it has exited)", pid);
		return EXIT_TARGET;
	case EINVAL:
		p_err("pid %ld: invalid target (a kernel thread has no user memory)", pid);
		return EXIT_TARGET;
	default:
		p_err("pid %ld: dump failed: %s", pid, strerror(-err));
		return EXIT_BACKEND;
	}
}

int parse_pid(const char *cmd, const char *s, long *pid)
{
	char *end;

	*pid = strtol(s, &end, 10);
	if (!*s || *end || *pid <= 0 || *pid > 0x7fffffff) {
		p_err("%s: '%s' is not a pid", cmd, s);
		return -1;
	}
	return 0;
}

const char *mm_short_id(uint64_t id)
{
	static char ring[8][20];
	static int next;
	char *s = ring[next++ % 8];

	snprintf(s, sizeof(ring[0]), "%016llx", (unsigned long long)id);
	return s;
}

static int do_version(int argc, char **argv)
{
	char line[128];
	FILE *f;

	(void)argc;
	(void)argv;
	printf("mmctl %s (abi %u)\n", MMCTL_CLI_VERSION, MMCTL_ABI_VERSION);
	f = fopen(DEBUGFS_DIR "/version", "r");
	if (!f) {
		printf("module: not available (%s)\n", strerror(errno));
		return EXIT_OK;
	}
	if (fgets(line, sizeof(line), f))
		printf("module: %s", line);
	fclose(f);
	return EXIT_OK;
}

static const struct cmd cmds[] = {
	{ "help", do_help, "show this help" },
	{ "check", do_check, "PID...: check anon_vma invariants I1-I9" },
	{ "tree", do_tree, "PID: anon_vma tree(s) of a process" },
	{ "version", do_version, "print CLI and module versions" },
};

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("usage: mmctl [-V|--version] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		printf("  %-10s %s\n", cmds[i].name, cmds[i].help);
	printf("\nexit codes: 0 ok, 1 problem found, 2 usage, 3 backend unavailable, 4 bad target\n");
	return EXIT_OK;
}

/* bpftool-style prefix matching: a unique prefix selects a command. */
static const struct cmd *find_cmd(const char *name)
{
	const struct cmd *hit = NULL;
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
		if (strncmp(cmds[i].name, name, len) == 0) {
			if (hit)
				return NULL;
			hit = &cmds[i];
		}
	}
	return hit;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		do_help(0, NULL);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))
		return do_version(0, NULL);
	c = find_cmd(argv[1]);
	if (!c) {
		fprintf(stderr, "mmctl: unknown or ambiguous command '%s' (see 'mmctl help')\n", argv[1]);
		return EXIT_USAGE;
	}
	return c->fn(argc - 1, argv + 1);
}
