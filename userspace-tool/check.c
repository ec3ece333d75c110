// SPDX-License-Identifier: GPL-2.0
/*
 * mmctl check PID|FILE...: run the shared checker (lib/check.c) and print
 * every verdict and a summary per target. A live dump with transient
 * verdicts (a fork in progress) is taken once more; what persists is an
 * error, as in the module. mmctl dump: the dump as JSON.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "mmctl.h"

static const char *const sev_name[MMCTL_SEV_NR] = { "error", "warning", "transient" };

static void print_verdicts(const struct mmctl_violation *v, size_t n, int promote)
{
	for (size_t i = 0; i < n; i++) {
		const struct mmctl_rule_info *ri = &mmctl_rules[v[i].rule];
		unsigned int sev = v[i].severity;

		if (promote && sev == MMCTL_SEV_TRANSIENT)
			sev = MMCTL_SEV_ERROR;
		fprintf(opts.out, "  %-9s %-26s %s %s expected %llu found %llu",
			sev_name[sev], ri->name, ri->object, mm_short_id(v[i].object),
			(unsigned long long)v[i].expected, (unsigned long long)v[i].found);
		if (v[i].aux)
			fprintf(opts.out, " (%llx)", (unsigned long long)v[i].aux);
		fprintf(opts.out, ": %s%s\n", ri->explain,
			sev != v[i].severity ? " (persisted across two walks)" : "");
	}
}

/* Check one target; returns an exit code. */
static int check_one(const char *arg, struct json_object *jarr)
{
	struct mmctl_check_result res;
	struct mmctl_violation *v = NULL;
	const char *backend;
	struct mm_dump d;
	size_t nv = 0;
	unsigned int errors, transient;
	int rc, walk, promote = 0;

	for (walk = 1; walk <= 2; walk++) {
		rc = mm_get_dump("check", arg, &d, &backend);
		if (rc)
			return rc;
		if (mm_check_dump(&d, &v, &nv, &res)) {
			mm_dump_free(&d);
			free(v);
			p_err("check: %s: out of memory", arg);
			return EXIT_ENV;
		}
		/* A saved dump cannot be taken again: its transients stay so. */
		if (!res.count[MMCTL_SEV_TRANSIENT] || walk == 2 || !strcmp(backend, "file"))
			break;
		mm_dump_free(&d);
		free(v);
		v = NULL;
	}
	promote = walk == 2;
	errors = res.count[MMCTL_SEV_ERROR] + (promote ? res.count[MMCTL_SEV_TRANSIENT] : 0);
	transient = promote ? 0 : res.count[MMCTL_SEV_TRANSIENT];
	if (jarr) {
		if (promote)
			for (size_t i = 0; i < nv; i++)
				if (v[i].severity == MMCTL_SEV_TRANSIENT)
					v[i].severity = MMCTL_SEV_ERROR;
		json_object_array_add(jarr, mm_dump_to_json(&d, backend, v, nv));
	} else {
		fprintf(opts.out, "pid %u (%.16s):\n", d.hdr->pid, d.hdr->comm);
		print_verdicts(v, nv, promote);
		fprintf(opts.out, "pid %u: %u errors, %u warnings, %u transient (%u VMAs, %u anon_vmas, %u chain entries)%s\n",
			d.hdr->pid, errors, res.count[MMCTL_SEV_WARNING], transient, res.nr_vmas,
			res.nr_anon_vmas, res.nr_chain, res.partial ? " [lower bounds only]" : "");
	}
	mm_dump_free(&d);
	free(v);
	return errors ? EXIT_FOUND : EXIT_OK;
}

int do_check(int argc, char **argv)
{
	struct json_object *jarr = NULL;
	int rc = EXIT_OK;

	if (argc < 2) {
		p_err("check: expected at least one PID or FILE (see 'mmctl help check')");
		return EXIT_USAGE;
	}
	if (opts.format == FMT_JSON)
		jarr = json_object_new_array();
	for (int i = 1; i < argc; i++) {
		int r = check_one(argv[i], jarr);

		/* Environment and usage errors outrank found errors. */
		if (r > rc)
			rc = r;
	}
	if (jarr) {
		/* One target: the dump object itself; several: an array. */
		if (argc == 2 && json_object_array_length(jarr) == 1) {
			struct json_object *one = json_object_get(json_object_array_get_idx(jarr, 0));

			json_object_put(jarr);
			mm_print_json(one);
		} else {
			mm_print_json(jarr);
		}
	}
	return rc;
}

int do_dump(int argc, char **argv)
{
	const char *backend;
	struct mm_dump d;
	int rc = mm_one_target("dump", argc, argv, &d, &backend);

	if (rc)
		return rc;
	rc = mm_emit_dump_json(&d, backend);
	mm_dump_free(&d);
	return rc;
}
