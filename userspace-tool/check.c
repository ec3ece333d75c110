// SPDX-License-Identifier: GPL-2.0
/*
 * mmctl check PID...: dump each pid, run the shared checker (lib/check.c),
 * print every verdict and a summary line per pid. A dump with transient
 * verdicts (a fork in progress) is taken once more; what persists is an
 * error, as in the module. Exit 0 clean (warnings allowed), 1 errors.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkrun.h"
#include "dump.h"
#include "mmctl.h"

static const char *const sev_name[MMCTL_SEV_NR] = { "error", "warning", "transient" };

struct check_print {
	int promote;		/* second walk: transient -> error */
	unsigned int promoted;
	int quiet;
};

static void print_verdict(void *arg, const struct mmctl_violation *v)
{
	struct check_print *p = arg;
	const struct mmctl_rule_info *ri = &mmctl_rules[v->rule];
	unsigned int sev = v->severity;

	if (p->promote && sev == MMCTL_SEV_TRANSIENT) {
		sev = MMCTL_SEV_ERROR;
		p->promoted++;
	}
	if (p->quiet)
		return;
	printf("  %-9s %-26s %s %s expected %llu found %llu",
	       sev_name[sev], ri->name, ri->object, mm_short_id(v->object),
	       (unsigned long long)v->expected, (unsigned long long)v->found);
	if (v->aux)
		printf(" (%llx)", (unsigned long long)v->aux);
	printf(": %s%s\n", ri->explain, sev != v->severity ? " (persisted across two walks)" : "");
}

static int check_help(void)
{
	printf("usage: mmctl check [--no-folios] PID...\n"
	       "  Check invariants I1-I9 of every anon_vma family of each PID.\n"
	       "  exit 0: no error (warnings allowed); 1: errors found; 3/4: see mmctl help\n");
	return EXIT_OK;
}

int do_check(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "no-folios", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint32_t flags = 0;
	int c, rc = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "nh", lo, NULL)) != -1) {
		switch (c) {
		case 'n': flags |= MMCTL_DUMP_NO_FOLIOS; break;
		case 'h': return check_help();
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "help"))
		return check_help();
	if (optind >= argc) {
		p_err("check: expected at least one PID (see 'mmctl check help')");
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		struct check_print pr = { 0 };
		struct mmctl_check_result res;
		struct mm_dump d;
		long pid;
		int r, walk;

		if (parse_pid("check", argv[i], &pid))
			return EXIT_USAGE;
		for (walk = 1; walk <= 2; walk++) {
			r = mm_dump_kmod(&d, (pid_t)pid, flags);
			if (r) {
				int e = report_dump_error(r, pid);

				rc = rc == EXIT_OK ? e : rc;
				break;
			}
			pr.promote = walk == 2;
			/* Print verdicts only once: on the walk that counts. */
			pr.quiet = 1;
			r = mm_check_buf(d.buf, d.len, print_verdict, &pr, &res);
			if (!r && (!res.count[MMCTL_SEV_TRANSIENT] || walk == 2)) {
				printf("pid %ld (%.16s):\n", pid, d.hdr->comm);
				pr.quiet = 0;
				pr.promoted = 0;
				r = mm_check_buf(d.buf, d.len, print_verdict, &pr, &res);
			}
			mm_dump_free(&d);
			if (r) {
				p_err("check: pid %ld: %s", pid, strerror(-r));
				return EXIT_BACKEND;
			}
			if (!res.count[MMCTL_SEV_TRANSIENT] || walk == 2)
				break;
		}
		if (r)
			continue;
		printf("pid %ld: %u errors, %u warnings, %u transient (%u VMAs, %u anon_vmas, %u chain entries)%s\n",
		       pid, res.count[MMCTL_SEV_ERROR] + pr.promoted, res.count[MMCTL_SEV_WARNING],
		       res.count[MMCTL_SEV_TRANSIENT] - pr.promoted, res.nr_vmas, res.nr_anon_vmas,
		       res.nr_chain, res.partial ? " [lower bounds only]" : "");
		if (res.count[MMCTL_SEV_ERROR] + pr.promoted && rc == EXIT_OK)
			rc = EXIT_FOUND;
	}
	return rc;
}
