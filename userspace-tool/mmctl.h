/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the CLI's command files. */
#ifndef MMCTL_CLI_H
#define MMCTL_CLI_H

#include <stdint.h>

enum { EXIT_OK = 0, EXIT_FOUND = 1, EXIT_USAGE = 2, EXIT_BACKEND = 3, EXIT_TARGET = 4 };

void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print why a dump failed; returns the exit code for it. */
int report_dump_error(int err, long pid);
/* A pid argument of command @cmd; prints the error itself. */
int parse_pid(const char *cmd, const char *s, long *pid);
/* Short form of an ID for humans (static buffer ring, 8 entries). */
const char *mm_short_id(uint64_t id);

int do_tree(int argc, char **argv);
int do_check(int argc, char **argv);

#endif /* MMCTL_CLI_H */
