// SPDX-License-Identifier: GPL-2.0
/*
 * mmctl check PID|FILE...: run the shared checker (lib/check.c) and print
 * every verdict and a summary per target; a verdict is transient only
 * when a fact the dump recorded explains it. mmctl dump: the dump as JSON.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "json.h"
#include "mmctl.h"

static void print_verdicts(const struct mmctl_violation *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct mmctl_rule_info *ri = &mmctl_rules[v[i].rule];

		fprintf(opts.out, "  %-9s %-26s %s %s expected %llu found %llu",
			mmctl_sev_names[v[i].severity], ri->name, ri->object,
			mm_short_id(v[i].object), (unsigned long long)v[i].expected,
			(unsigned long long)v[i].found);
		if (v[i].aux)
			fprintf(opts.out, " (%llx)", (unsigned long long)v[i].aux);
		fprintf(opts.out, ": %s", ri->explain);
		if (v[i].fact == MMCTL_FACT_MM_WRITER)
			fprintf(opts.out, " [explained: vma %s's mm is write-locked]",
				mm_short_id(v[i].fact_vma));
		else if (v[i].fact)
			fprintf(opts.out, " [explained: %s dump]", mmctl_fact_names[v[i].fact]);
		fputc('\n', opts.out);
	}
}

/*
 * check --keep-errors=DIR: the dump that was judged, with its verdicts, as
 * DIR/PID-SECONDS-N.json (evidence of a kernel bug, or of a checker's).
 */
static int keep_dump(const struct mm_dump *d, const char *backend,
		     const struct mmctl_violation *v, size_t nv)
{
	static unsigned int seq;
	struct json_object *j = mm_dump_to_json(d, backend, v, nv);
	char path[4096];
	int r;

	snprintf(path, sizeof(path), "%s/%u-%ld-%u.json", opts.keep_dir, d->hdr->pid,
		 (long)time(NULL), seq++);
	r = json_object_to_file_ext(path, j, JSON_C_TO_STRING_PLAIN);
	json_object_put(j);
	if (r) {
		p_err("check: cannot write %s", path);
		return EXIT_ENV;
	}
	fprintf(stderr, "mmctl: check: pid %u: dump with its errors kept in %s\n", d->hdr->pid,
		path);
	return EXIT_OK;
}

/* An entry {["target": TARGET,] "error": E} of check's -j array (E taken). */
static void add_error_entry(struct json_object *jarr, const char *target,
			    struct json_object *e)
{
	struct json_object *o = json_object_new_object();

	if (target)
		json_object_object_add(o, "target", json_object_new_string(target));
	json_object_object_add(o, "error", e);
	json_object_array_add(jarr, o);
}

/*
 * Check one target; returns an exit code. One dump: what its facts explain
 * is transient, everything else is judged as it is (lib/check.c).
 */
static int check_one(const char *arg, struct json_object *jarr)
{
	struct mmctl_check_result res;
	struct mmctl_violation *v = NULL;
	const char *backend;
	struct mm_dump d;
	size_t nv = 0;
	int rc;

	rc = mm_get_dump("check", arg, &d, &backend);
	if (rc) {
		/* Under -j the target's entry says why it has no verdict. */
		struct json_object *e = jarr ? mm_take_error() : NULL;

		if (e)
			add_error_entry(jarr, arg, e);
		return rc;
	}
	if (mm_check_dump(&d, &v, &nv, &res)) {
		mm_dump_free(&d);
		free(v);
		p_err("check: %s: out of memory", arg);
		return EXIT_ENV;
	}
	if (jarr) {
		json_object_array_add(jarr, mm_dump_to_json(&d, backend, v, nv));
	} else {
		fprintf(opts.out, "pid %u (%.16s):\n", d.hdr->pid, d.hdr->comm);
		print_verdicts(v, nv);
		fprintf(opts.out, "pid %u: %u errors, %u warnings, %u transient (%u VMAs, %u anon_vmas, %u chain entries)%s\n",
			d.hdr->pid, res.count[MMCTL_SEV_ERROR], res.count[MMCTL_SEV_WARNING],
			res.count[MMCTL_SEV_TRANSIENT], res.nr_vmas, res.nr_anon_vmas,
			res.nr_chain, res.partial ? " [lower bounds only]" : "");
	}
	rc = res.count[MMCTL_SEV_ERROR] ? EXIT_FOUND : EXIT_OK;
	if (rc == EXIT_FOUND && opts.keep_dir)
		rc = keep_dump(&d, backend, v, nv) ?: rc;
	mm_dump_free(&d);
	free(v);
	return rc;
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
		struct json_object *e;

		/* Errors after a target's dump (--keep-errors) are entries too. */
		while ((e = mm_take_error()))
			add_error_entry(jarr, NULL, e);
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

/* The facts that make @ri's verdict transient, "a, b" (empty: none). */
static void rule_facts(const struct mmctl_rule_info *ri, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = 0;
	for (unsigned int f = 1; f < MMCTL_FACT_NR; f++)
		if ((ri->explained & MMCTL_FACTF(f)) && at < len)
			at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? ", " : "",
					       mmctl_fact_names[f]);
}

/*
 * mmctl help rules: the checker's rules (lib/rules.h), as
 * docs/checker.md tabulates them: name, object, severity, the facts that
 * make a verdict transient, meaning.
 */
int mm_print_rules(void)
{
	struct json_object *arr = opts.format == FMT_JSON ? json_object_new_array() : NULL;

	if (!arr)
		fprintf(opts.out, "%-26s %-9s %-8s %-26s %s\n", "RULE", "OBJECT", "SEVERITY",
			"TRANSIENT WITH", "MEANING");
	for (unsigned int r = 0; r < MMCTL_R_NR; r++) {
		const struct mmctl_rule_info *ri = &mmctl_rules[r];
		char facts[64];

		rule_facts(ri, facts, sizeof(facts));
		if (arr) {
			struct json_object *o = json_object_new_object(), *fa = json_object_new_array();

			json_object_object_add(o, "rule", json_object_new_string(ri->name));
			json_object_object_add(o, "object", json_object_new_string(ri->object));
			json_object_object_add(o, "severity",
					       json_object_new_string(mmctl_sev_names[ri->severity]));
			for (unsigned int f = 1; f < MMCTL_FACT_NR; f++)
				if (ri->explained & MMCTL_FACTF(f))
					json_object_array_add(fa, json_object_new_string(mmctl_fact_names[f]));
			json_object_object_add(o, "transient_with", fa);
			json_object_object_add(o, "explain", json_object_new_string(ri->explain));
			json_object_array_add(arr, o);
		} else {
			fprintf(opts.out, "%-26s %-9s %-8s %-26s %s\n", ri->name, ri->object,
				mmctl_sev_names[ri->severity], facts[0] ? facts : "-", ri->explain);
		}
	}
	if (arr)
		mm_print_json(arr);
	return EXIT_OK;
}
