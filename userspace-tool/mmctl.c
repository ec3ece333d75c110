// SPDX-License-Identifier: GPL-2.0
/*
 * mmctl: command-line front end to the mmctl anon_vma observer.
 *
 * mmctl [OPTIONS] COMMAND [ARGS]; options may also follow the command.
 * Commands match by unique prefix (bpftool style). Exit codes: 0 ok,
 * 1 invariant errors found, 2 usage error, 3 environment error.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/mmctl.h>

#include "checkrun.h"
#include "json.h"
#include "mmctl.h"

#define MMCTL_CLI_VERSION "0.3.0"
#define DEBUGFS_DIR "/sys/kernel/debug/mmctl"

struct mm_opts opts;

/*
 * Under -j the errors are part of the one JSON document: p_err() keeps them
 * (in any format: -j is known only once every option is parsed),
 * mm_print_json() adds them to the document as "errors", and a command that
 * printed nothing ends with {"error": FIRST} (finish_output()).
 */
static struct json_object *json_errors;
static int json_printed;

void p_err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "mmctl: %s\n", msg);
	/* Kept whatever the format: a -j may come later on the command line. */
	if (!json_errors)
		json_errors = json_object_new_array();
	json_object_array_add(json_errors, json_object_new_string(msg));
}

struct json_object *mm_take_error(void)
{
	size_t n = json_errors ? json_object_array_length(json_errors) : 0;
	struct json_object *last;

	if (!n)
		return NULL;
	last = json_object_get(json_object_array_get_idx(json_errors, n - 1));
	json_object_array_del_idx(json_errors, n - 1, 1);
	return last;
}

int report_dump_error(int err, const char *what)
{
	switch (-err) {
	case ENOENT:
		p_err("%s: module not loaded (no %s or %s): insmod module/mmctl.ko", what,
		      MMCTL_DEV_PATH, MMCTL_CTL_PATH);
		break;
	case EPERM:
	case EACCES:
		p_err("%s: permission denied (need root with CAP_SYS_ADMIN, and ptrace read access)",
		      what);
		break;
	case ESRCH:
		p_err("%s: no such process (or it has exited)", what);
		break;
	case EINVAL:
		p_err("%s: invalid target (a kernel thread has no user memory)", what);
		break;
	default:
		p_err("%s: dump failed: %s", what, strerror(-err));
	}
	return EXIT_ENV;
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

int mm_parse_addr(const char *cmd, const char *s, uint64_t *addr)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 16);
	if (!*s || *end || errno || s[strspn(s, " \t")] == '-') {
		p_err("%s: '%s' is not an address (hex, 0x optional)", cmd, s);
		return -1;
	}
	*addr = v;
	return 0;
}

const char *mm_short_id(uint64_t id)
{
	static char ring[8][20];
	static int next;
	char *s = ring[next++ % 8];

	if (!id)
		return "-";
	snprintf(s, sizeof(ring[0]), "%016llx", (unsigned long long)id);
	return s;
}

static int is_file_arg(const char *arg)
{
	struct stat st;

	return !strcmp(arg, "-") || strchr(arg, '/') || strstr(arg, ".json") ||
		(stat(arg, &st) == 0 && S_ISREG(st.st_mode));
}

/* --backend resolved: bpf, or auto where neither module interface exists. */
int mm_use_bpf(void)
{
	return opts.backend == BK_BPF ||
	       (opts.backend == BK_AUTO && access(MMCTL_DEV_PATH, F_OK) &&
		access(MMCTL_CTL_PATH, F_OK));
}

int mm_get_dump(const char *cmd, const char *arg, struct mm_dump *d, const char **backend)
{
	uint32_t flags = (opts.no_folios ? MMCTL_DUMP_NO_FOLIOS : 0) |
		(opts.no_tree ? MMCTL_DUMP_NO_TREE : 0);
	char what[64];
	long pid;
	int r;

	if (is_file_arg(arg)) {
		const char *err = NULL;

		r = mm_dump_load(!strcmp(arg, "-") ? "/dev/stdin" : arg, d, &err);
		if (r) {
			p_err("%s: %s: %s", cmd, arg, err ? err : strerror(-r));
			return EXIT_ENV;
		}
		*backend = "file";
		return EXIT_OK;
	}
	if (parse_pid(cmd, arg, &pid))
		return EXIT_USAGE;
	snprintf(what, sizeof(what), "%s: pid %ld", cmd, pid);
	/* auto: the module when its device (or debugfs file) exists, else BPF. */
	if (mm_use_bpf()) {
		mm_bpf_verbose(opts.verbose);
		r = mm_dump_bpf(d, (pid_t)pid, 0);
		if (r) {
			if (r == -ESRCH || r == -EINVAL)
				return report_dump_error(r, what);
			p_err("%s: BPF backend: %s%s", what, mm_bpf_error(),
			      opts.backend == BK_AUTO ? " (and the module is not loaded)" : "");
			return EXIT_ENV;
		}
		*backend = "bpf";
		return EXIT_OK;
	}
	r = mm_dump_kmod(d, (pid_t)pid, flags);
	/* A module from before MMCTL_DUMP_NO_TREE refuses it: the full dump. */
	if (r == -EINVAL && (flags & MMCTL_DUMP_NO_TREE))
		r = mm_dump_kmod(d, (pid_t)pid, flags & ~MMCTL_DUMP_NO_TREE);
	if (r)
		return report_dump_error(r, what);
	*backend = "kmod";
	return EXIT_OK;
}

int mm_one_target(const char *cmd, int argc, char **argv, struct mm_dump *d,
		  const char **backend)
{
	if (argc != 2) {
		p_err("%s: expected one PID or FILE (see 'mmctl help %s')", cmd, cmd);
		return EXIT_USAGE;
	}
	return mm_get_dump(cmd, argv[1], d, backend);
}

void mm_print_json(struct json_object *j)
{
	int fl = opts.pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
		JSON_C_TO_STRING_PLAIN;

	if (opts.format == FMT_JSON && json_errors && json_object_array_length(json_errors) &&
	    json_object_is_type(j, json_type_object)) {
		json_object_object_add(j, "errors", json_errors);
		json_errors = NULL;
	}
	fprintf(opts.out, "%s\n", json_object_to_json_string_ext(j, fl | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
	json_printed = 1;
}

int mm_emit_dump_json(const struct mm_dump *d, const char *backend)
{
	struct mmctl_check_result res;
	struct mmctl_violation *v = NULL;
	size_t nv = 0;
	int r = mm_check_dump(d, &v, &nv, &res);

	mm_print_json(mm_dump_to_json(d, backend, v, nv));
	free(v);
	return r ? EXIT_ENV : EXIT_OK;
}

static int do_help(int argc, char **argv);

static int do_version(int argc, char **argv)
{
	char line[128] = "not loaded\n";
	FILE *f;

	(void)argc;
	(void)argv;
	f = fopen(DEBUGFS_DIR "/version", "r");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			snprintf(line, sizeof(line), "unreadable\n");
		fclose(f);
	} else if ((f = fopen("/sys/module/mmctl/version", "r"))) {
		/* No debugfs (lockdown, not mounted): the version sysfs has. */
		char v[64] = "";

		if (fgets(v, sizeof(v), f)) {
			v[strcspn(v, "\n")] = 0;
			snprintf(line, sizeof(line), "mmctl %s (no debugfs)\n", v);
		}
		fclose(f);
	}
	if (opts.format == FMT_JSON) {
		struct json_object *j = json_object_new_object();

		line[strcspn(line, "\n")] = 0;
		json_object_object_add(j, "version", json_object_new_string(MMCTL_CLI_VERSION));
		json_object_object_add(j, "abi", json_object_new_int(MMCTL_ABI_VERSION));
		json_object_object_add(j, "module", json_object_new_string(line));
		mm_print_json(j);
		return EXIT_OK;
	}
	fprintf(opts.out, "mmctl %s (abi %u)\nmodule: %s", MMCTL_CLI_VERSION,
		MMCTL_ABI_VERSION, line);
	return EXIT_OK;
}

/*
 * The options a command takes besides the global ones (-j, -p, --format
 * text|json, --backend, -v, -h; -o and -V before the command): each command
 * owns its list, and any other option is a usage error naming the command.
 */
#define O_ALL_MEMBERS	(1u << 0)
#define O_SORT		(1u << 1)
#define O_PIDS		(1u << 2)
#define O_CGROUP	(1u << 3)
#define O_LIMIT		(1u << 4)
#define O_WATCH		(1u << 5)
#define O_KEEP		(1u << 6)
#define O_NO_FOLIOS	(1u << 7)
#define O_DOT		(1u << 8)	/* --format=dot */
#define O_PROM		(1u << 9)	/* --format=prometheus */

static const struct {
	int ch;
	unsigned int bit;
	const char *name;
} cmd_opts[] = {
	{ 'a', O_ALL_MEMBERS, "--all-members" },
	{ 's', O_SORT, "--sort" },
	{ 'P', O_PIDS, "--pids" },
	{ 'C', O_CGROUP, "--cgroup" },
	{ 'n', O_LIMIT, "-n" },
	{ 'w', O_WATCH, "--watch" },
	{ 'K', O_KEEP, "--keep-errors" },
	{ 'N', O_NO_FOLIOS, "--no-folios" },
	{ 'F', O_DOT, "--format=dot" },
	{ 'F', O_PROM, "--format=prometheus" },
};
#define NCMD_OPTS (sizeof(cmd_opts) / sizeof(cmd_opts[0]))

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
	unsigned int takes;
};

static const struct cmd cmds[] = {
	{ "tree", do_tree, "PID|FILE [ADDR]", "anon_vma trees of a process (or the family at ADDR)",
	  O_ALL_MEMBERS | O_NO_FOLIOS | O_DOT },
	{ "check", do_check, "PID|FILE...", "check invariants I1-I10; exit 1 on errors",
	  O_KEEP | O_NO_FOLIOS },
	{ "vmas", do_vmas, "PID|FILE", "a table like /proc/PID/maps with anon_vma columns",
	  O_NO_FOLIOS },
	{ "folios", do_folios, "PID|FILE [ADDR[-ADDR]]", "folio summary per VMA, mismatch samples", 0 },
	{ "dump", do_dump, "PID|FILE", "the whole dump as JSON (for diff, check, saving)",
	  O_NO_FOLIOS },
	{ "diff", do_diff, "A B | --watch PID [-- CMD...]", "what changed between two dumps",
	  O_WATCH | O_NO_FOLIOS },
	{ "top", do_top, "[--pids L] [--cgroup DIR] [--sort COL] [-n N] [--format=prometheus]",
	  "survey processes",
	  O_SORT | O_PIDS | O_CGROUP | O_LIMIT | O_PROM },
	{ "merge-why", do_merge_why, "PID|FILE", "why adjacent anonymous VMAs did not merge",
	  O_NO_FOLIOS },
	{ "version", do_version, "", "CLI, ABI and module versions", 0 },
	{ "help", do_help, "[COMMAND|rules]", "this help, a command's, or check's rules", 0 },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static const struct option longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "format", required_argument, NULL, 'F' },
	{ "backend", required_argument, NULL, 'B' },
	{ "no-folios", no_argument, NULL, 'N' },
	{ "all-members", no_argument, NULL, 'a' },
	{ "output", required_argument, NULL, 'o' },
	{ "version", no_argument, NULL, 'V' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "sort", required_argument, NULL, 's' },
	{ "pids", required_argument, NULL, 'P' },
	{ "cgroup", required_argument, NULL, 'C' },
	{ "watch", no_argument, NULL, 'w' },
	{ "keep-errors", required_argument, NULL, 'K' },
	{ 0 }
};

/* One line per option; mmctl(8) and the bash completion list the same. */
static const char *const option_help[] = {
	"-j, --json            JSON output (the stable interface)",
	"-p, --pretty          pretty-printed JSON (implies --json)",
	"    --format=FMT      text, json, dot (Graphviz, tree only) or prometheus (top only)",
	"    --backend=B       kmod, bpf or auto (module if loaded, else BPF)",
	"    --no-folios       skip the page-table walk",
	"    --all-members     tree: list every family member's VMAs",
	"-o, --output=FILE     write output to FILE",
	"-V, --version         print versions",
	"-v, --verbose         more detail on errors",
	"-h, --help            this help",
	"    --sort=COL        top: anon_vmas, avcs, chain, family, bytes, pid",
	"    --pids=LIST       top: comma-separated pids",
	"    --cgroup=DIR      top: processes of a cgroup (v2 directory)",
	"-n N                  top: show N rows",
	"    --watch           diff: snapshot PID, run CMD (or wait for Enter), snapshot",
	"    --keep-errors=DIR check: save the dump of each target with errors there (JSON)",
	NULL
};

/* The option_help line of a command option ("--sort", "-n", "--format=dot"). */
static const char *opt_help_line(const char *name)
{
	char key[32];

	snprintf(key, sizeof(key), "%.*s", (int)strcspn(name, "="), name);
	for (size_t i = 0; option_help[i]; i++) {
		const char *l = option_help[i], *at = strstr(l, key);

		if (at && (at[strlen(key)] == ' ' || at[strlen(key)] == '=' ||
			   at[strlen(key)] == ','))
			return l;
	}
	return NULL;
}

static int do_help(int argc, char **argv)
{
	if (argc > 2) {
		p_err("help: one topic at most (see 'mmctl help')");
		return EXIT_USAGE;
	}
	if (argc > 1 && !strcmp(argv[1], "rules"))
		return mm_print_rules();
	if (argc > 1) {
		for (size_t i = 0; i < NCMDS; i++)
			if (!strcmp(cmds[i].name, argv[1])) {
				fprintf(opts.out, "usage: mmctl %s %s\n  %s\n", cmds[i].name,
					cmds[i].args, cmds[i].help);
				for (size_t k = 0; k < NCMD_OPTS; k++) {
					const char *l = opt_help_line(cmd_opts[k].name);

					if ((cmds[i].takes & cmd_opts[k].bit) && l)
						fprintf(opts.out, "  %s\n", l);
				}
				return EXIT_OK;
			}
		p_err("help: no command '%s'", argv[1]);
		return EXIT_USAGE;
	}
	fprintf(opts.out, "usage: mmctl [OPTIONS] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(opts.out, "  %-10s %-28s %s\n", cmds[i].name, cmds[i].args, cmds[i].help);
	fprintf(opts.out, "\noptions:\n");
	for (size_t i = 0; option_help[i]; i++)
		fprintf(opts.out, "  %s\n", option_help[i]);
	fprintf(opts.out, "\nPID|FILE: a live process, or a dump saved with 'mmctl dump PID > FILE'.\n"
		"exit codes: 0 ok, 1 invariant errors found, 2 usage error,\n"
		"            3 environment error (no module or BPF, permission, pid gone, output)\n");
	return EXIT_OK;
}

/* bpftool-style prefix matching: a unique prefix selects a command. */
static const struct cmd *find_cmd(const char *name)
{
	const struct cmd *hit = NULL;
	size_t len = strlen(name);

	for (size_t i = 0; i < NCMDS; i++) {
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

/* Output that could not be written is an error, not a silent truncation. */
static int finish_output(int rc)
{
	int bad;

	/* -j and nothing printed: the first error is the document. */
	if (opts.format == FMT_JSON && json_errors && json_object_array_length(json_errors) &&
	    !json_printed) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "error",
				       json_object_get(json_object_array_get_idx(json_errors, 0)));
		if (json_object_array_length(json_errors) > 1)
			json_object_object_add(j, "errors", json_object_get(json_errors));
		json_object_put(json_errors);
		json_errors = NULL;
		mm_print_json(j);
	}
	json_object_put(json_errors);
	json_errors = NULL;
	bad = fflush(opts.out) != 0 || ferror(opts.out);

	if (fclose(opts.out) != 0)
		bad = 1;
	/* A reader that went away (mmctl ... | head): quiet, like cat. */
	if (bad && errno == EPIPE)
		return rc;
	if (bad) {
		fprintf(stderr, "mmctl: writing %s failed: %s\n",
			opts.out_path ? opts.out_path : "standard output", strerror(errno));
		return EXIT_ENV;
	}
	return rc;
}

/* Command options given so far (O_*), checked against the command's. */
static unsigned int opts_seen;
/* The argument getopt_long() could not take ('?' or ':'), for the message. */
static char bad_opt[64];

/* "-n N": a whole number of rows, 1 or more. */
static int parse_rows(const char *s, long *n)
{
	char *end;

	errno = 0;
	*n = strtol(s, &end, 10);
	return !*s || *end || errno || *n < 1 ? -1 : 0;
}

/* Apply one parsed option; EXIT_OK, or an exit code after reporting. */
static int apply_opt(int ch, const char *arg, int before_cmd, int *version, int *help)
{
	for (size_t i = 0; i < NCMD_OPTS; i++)
		if (cmd_opts[i].ch == ch && ch != 'F')
			opts_seen |= cmd_opts[i].bit;
	switch (ch) {
	case 'j': opts.format = FMT_JSON; break;
	case 'p': opts.format = FMT_JSON; opts.pretty = 1; break;
	case 'F':
		if (!strcmp(arg, "text")) {
			opts.format = FMT_TEXT;
		} else if (!strcmp(arg, "json")) {
			opts.format = FMT_JSON;
		} else if (!strcmp(arg, "dot")) {
			opts.format = FMT_DOT;
		} else if (!strcmp(arg, "prometheus")) {
			opts.format = FMT_PROM;
		} else {
			p_err("unknown format '%s' (text, json, dot, prometheus)", arg);
			return EXIT_USAGE;
		}
		break;
	case 'B':
		if (!strcmp(arg, "kmod")) {
			opts.backend = BK_KMOD;
		} else if (!strcmp(arg, "bpf")) {
			opts.backend = BK_BPF;
		} else if (!strcmp(arg, "auto")) {
			opts.backend = BK_AUTO;
		} else {
			p_err("unknown backend '%s' (kmod, bpf, auto)", arg);
			return EXIT_USAGE;
		}
		break;
	case 'o':
	case 'V':
		if (!before_cmd) {
			p_err("-o and -V go before the command");
			return EXIT_USAGE;
		}
		if (ch == 'o')
			opts.out_path = arg;
		else
			*version = 1;
		break;
	case 'N': opts.no_folios = 1; break;
	case 'a': opts.all_members = 1; break;
	case 'v': opts.verbose = 1; break;
	case 'h': *help = 1; break;
	case 's': opts.sort = arg; break;
	case 'P': opts.pids = arg; break;
	case 'C': opts.cgroup = arg; break;
	case 'n':
		if (parse_rows(arg, &opts.limit)) {
			p_err("-n: '%s' is not a number of rows (1 or more)", arg);
			return EXIT_USAGE;
		}
		break;
	case 'w': opts.watch = 1; break;
	case 'K': opts.keep_dir = arg; break;
	case ':':
		p_err("option %s needs a value (see 'mmctl help')", bad_opt);
		return EXIT_USAGE;
	default:
		p_err("unknown option %s (see 'mmctl help')", bad_opt);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* After getopt_long() returned '?' or ':': the option it could not take. */
static void note_bad_opt(int ch, char **argv)
{
	if (ch != '?' && ch != ':')
		return;
	if (optind > 0 && !strncmp(argv[optind - 1], "--", 2))
		snprintf(bad_opt, sizeof(bad_opt), "%.*s", (int)strcspn(argv[optind - 1], "="),
			 argv[optind - 1]);
	else
		snprintf(bad_opt, sizeof(bad_opt), "-%c", optopt);
}

/* An option the command does not take: a usage error that names both. */
static int check_cmd_opts(const struct cmd *c)
{
	unsigned int seen = opts_seen | (opts.format == FMT_DOT ? O_DOT : 0) |
			    (opts.format == FMT_PROM ? O_PROM : 0);

	for (size_t i = 0; i < NCMD_OPTS; i++)
		if ((seen & cmd_opts[i].bit) && !(c->takes & cmd_opts[i].bit)) {
			p_err("%s: %s is not an option of '%s' (see 'mmctl help %s')", c->name,
			      cmd_opts[i].name, c->name, c->name);
			return EXIT_USAGE;
		}
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	int ch, rc, err = 0, version = 0, help = 0, cargc, end;
	char **cargv;

	opts.out = stdout;
	opts.limit = 20;
	/*
	 * Usage errors are p_err()s (opterr = 0), and every option is parsed
	 * before the first one ends the run: a -j after a bad option still
	 * makes the error JSON (finish_output()).
	 */
	opterr = 0;
	signal(SIGPIPE, SIG_IGN);	/* EPIPE ends the output quietly (finish_output) */
	/* "+": stop at the command; its own options are parsed below. */
	while ((ch = getopt_long(argc, argv, "+:jpo:Vvhn:", longopts, NULL)) != -1) {
		note_bad_opt(ch, argv);
		rc = apply_opt(ch, optarg, 1, &version, &help);
		err = err ?: rc;
	}
	if (!err && opts.out_path) {
		opts.out = fopen(opts.out_path, "w");
		if (!opts.out) {
			opts.out = stdout;
			p_err("cannot open %s: %s", opts.out_path, strerror(errno));
			return finish_output(EXIT_ENV);
		}
	}
	if (!err && version)
		return finish_output(do_version(0, NULL));
	if (optind >= argc) {
		if (!err)
			do_help(0, NULL);
		return finish_output(err ?: help ? EXIT_OK : EXIT_USAGE);
	}
	c = find_cmd(argv[optind]);
	if (!c) {
		p_err("unknown or ambiguous command '%s' (see 'mmctl help')", argv[optind]);
		return finish_output(EXIT_USAGE);
	}
	/*
	 * Options anywhere after the command: GNU getopt moves the operands to
	 * the end. optind = 0, not 1, makes glibc start afresh, without the
	 * first pass's "+" (stop at the first operand). diff --watch's
	 * "-- CMD..." is not scanned: CMD's own options are CMD's.
	 */
	cargc = argc - optind;
	cargv = argv + optind;
	end = cargc;
	if (c->takes & O_WATCH)
		for (int i = 1; i < cargc; i++)
			if (!strcmp(cargv[i], "--")) {
				end = i;
				break;
			}
	optind = 0;
	while ((ch = getopt_long(end, cargv, ":jpo:Vvhn:", longopts, NULL)) != -1) {
		note_bad_opt(ch, cargv);
		rc = apply_opt(ch, optarg, 0, &version, &help);
		err = err ?: rc;
	}
	if (err)
		return finish_output(err);
	if (help)
		return finish_output(do_help(2, (char *[]){ "help", (char *)c->name, NULL }));
	rc = check_cmd_opts(c);
	if (rc)
		return finish_output(rc);
	/* cargv[optind..] are the operands: hand them over as argv[1..]. */
	cargv[optind - 1] = cargv[0];
	return finish_output(c->fn(cargc - optind + 1, cargv + optind - 1));
}
