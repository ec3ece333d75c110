/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the CLI's command files. */
#ifndef MMCTL_CLI_H
#define MMCTL_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "../lib/check.h"
#include "checkrun.h"
#include "dump.h"

/* Exit codes (mmctl help, mmctl(8)). */
enum {
	EXIT_OK = 0,		/* success, no invariant error */
	EXIT_FOUND = 1,		/* invariant errors found */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_ENV = 3,		/* environment: no backend, no permission, pid gone,
				 * unreadable file, output failed */
};

enum mm_format { FMT_TEXT, FMT_JSON, FMT_DOT, FMT_PROM };
enum mm_backend { BK_AUTO, BK_KMOD, BK_BPF };

struct mm_opts {
	enum mm_format format;
	int pretty;
	enum mm_backend backend;
	int no_folios;
	int no_tree;	/* set by views that do not check I3 (tree, vmas): MMCTL_DUMP_NO_TREE */
	int all_members;
	int verbose;
	const char *out_path;
	FILE *out;
	/* command-specific */
	const char *sort;	/* top */
	const char *pids;	/* top */
	const char *cgroup;	/* top */
	long limit;		/* top -n */
	int watch;		/* diff --watch */
	const char *keep_dir;	/* check --keep-errors */
};

extern struct mm_opts opts;

/* ADDR operands: hex, 0x optional, nothing after; 0, or -1 after p_err. */
int mm_parse_addr(const char *cmd, const char *s, uint64_t *addr);

/* One error path: stderr, and {"error": ...} on stdout under JSON. */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print why a dump failed; returns the exit code for it. */
int report_dump_error(int err, const char *what);
struct json_object;
/* Under -j: the last error p_err() kept, taken out of the document's "errors"
 * (a command that puts it in its own place, check's per-target entries). */
struct json_object *mm_take_error(void);
/* A pid argument of command @cmd; prints the error itself. */
int parse_pid(const char *cmd, const char *s, long *pid);
/* Short form of an ID for humans (ring of static buffers). */
const char *mm_short_id(uint64_t id);

/*
 * The dump a command works on: a live pid through the chosen backend, or a
 * saved JSON dump when @arg names a file ("-" is stdin). Returns an exit
 * code (EXIT_OK on success); errors are reported.
 */
/* The BPF backend, by --backend (auto: when the module is not loaded). */
int mm_use_bpf(void);
int mm_get_dump(const char *cmd, const char *arg, struct mm_dump *d, const char **backend);
/* A command's single PID|FILE operand, loaded: mm_get_dump() after the
 * argument count is checked. */
int mm_one_target(const char *cmd, int argc, char **argv, struct mm_dump *d,
		  const char **backend);
/* Print @j (json-c object) to the output, pretty with -p; puts it. */
struct json_object;
void mm_print_json(struct json_object *j);
/* The dump and its verdicts as JSON on the output (EXIT_OK or EXIT_ENV;
 * reporting verdicts is not judging them: that is mmctl check). */
int mm_emit_dump_json(const struct mm_dump *d, const char *backend);

int do_tree(int argc, char **argv);
int do_check(int argc, char **argv);
/* mmctl help rules: the checker's rule table */
int mm_print_rules(void);
int do_vmas(int argc, char **argv);
int do_folios(int argc, char **argv);
int do_diff(int argc, char **argv);
int do_top(int argc, char **argv);
int do_merge_why(int argc, char **argv);
int do_dump(int argc, char **argv);

#endif /* MMCTL_CLI_H */
