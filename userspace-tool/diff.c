// SPDX-License-Identifier: GPL-2.0
/*
 * mmctl diff A B [ADDR]: what changed between two dumps of a process, per
 * anon_vma and per VMA. mmctl diff --watch PID [ADDR] [-- CMD...] takes the
 * two dumps itself, around CMD (or until Enter).
 *
 * Matching: dumps from one module load (same key_id) match by ID. Across
 * loads, IDs differ, so objects are matched by structure: a VMA by
 * (pid, start); an anon_vma by the smallest (pid, start) among the VMAs
 * whose anon_vma it is, or, for one that no VMA uses any more, by its depth
 * and the smallest (pid, start) in its interval tree.
 * With ADDR, only the family of the target's VMA containing ADDR is compared.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../lib/fields.h"
#include "json.h"
#include "mmctl.h"

struct side {
	struct mm_dump d;
	char **avkey;		/* per anon_vma: matching key */
	char **vkey;		/* per VMA: matching key */
	char **vlabel;		/* per VMA: "pid:start" for people */
	uint64_t root;		/* family filter, 0 = all */
};

static char *vma_key(const struct mmctl_rec_vma *v, int by_id)
{
	char *s;

	if (by_id || (v->flags & MMCTL_VMAF_REDACTED)) {
		if (asprintf(&s, "%016" PRIx64, (uint64_t)v->id) < 0)
			return NULL;
	} else if (asprintf(&s, "%u:%016" PRIx64, v->pid, (uint64_t)v->start) < 0) {
		return NULL;
	}
	return s;
}

static int keys(struct side *s, int by_id)
{
	struct mm_dump *d = &s->d;

	s->avkey = calloc(d->nr_avs + 1, sizeof(char *));
	s->vkey = calloc(d->nr_vmas + 1, sizeof(char *));
	s->vlabel = calloc(d->nr_vmas + 1, sizeof(char *));
	if (!s->avkey || !s->vkey || !s->vlabel)
		return -1;
	for (size_t i = 0; i < d->nr_vmas; i++) {
		ssize_t a = mm_dump_av_idx(d, d->vmas[i]->anon_vma_id);

		s->vkey[i] = vma_key(d->vmas[i], by_id);
		s->vlabel[i] = vma_key(d->vmas[i], 0);
		if (!s->vkey[i] || !s->vlabel[i])
			return -1;
		if (by_id || a < 0)
			continue;
		if (!s->avkey[a] || strcmp(s->vkey[i], s->avkey[a]) < 0) {
			free(s->avkey[a]);
			s->avkey[a] = strdup(s->vkey[i]);
		}
	}
	for (size_t i = 0; i < d->nr_avs; i++) {
		const char *min = NULL;
		int depth = 0;

		if (s->avkey[i])
			continue;
		if (by_id) {
			if (asprintf(&s->avkey[i], "%016" PRIx64, (uint64_t)d->avs[i]->id) < 0)
				return -1;
			continue;
		}
		for (size_t k = 0; k < d->av_tree[i].len; k++) {
			ssize_t v = mm_dump_vma_idx(d, d->tree_order[d->av_tree[i].start + k]->vma_id);

			if (v >= 0 && (!min || strcmp(s->vkey[v], min) < 0))
				min = s->vkey[v];
		}
		for (ssize_t p = (ssize_t)i; p >= 0 && d->avs[p]->parent_id != d->avs[p]->id &&
		     depth < 100000; depth++)
			p = mm_dump_av_idx(d, d->avs[p]->parent_id);
		if (asprintf(&s->avkey[i], "~%d:%s", depth, min ? min : "?") < 0)
			return -1;
	}
	return 0;
}

static void side_free(struct side *s)
{
	for (size_t i = 0; s->avkey && i < s->d.nr_avs; i++)
		free(s->avkey[i]);
	for (size_t i = 0; s->vkey && i < s->d.nr_vmas; i++)
		free(s->vkey[i]);
	for (size_t i = 0; s->vlabel && i < s->d.nr_vmas; i++)
		free(s->vlabel[i]);
	free(s->avkey);
	free(s->vkey);
	free(s->vlabel);
	mm_dump_free(&s->d);
}

static ssize_t find_key(char **keys, size_t n, const char *k)
{
	/* Linear per lookup keeps this simple; diffs are of one process. */
	for (size_t i = 0; i < n; i++)
		if (keys[i] && !strcmp(keys[i], k))
			return (ssize_t)i;
	return -1;
}

static int in_family(const struct side *s, uint64_t root)
{
	return !s->root || root == s->root;
}

struct out {
	struct json_object *arr;
	size_t n;
};

static void change(struct out *o, const char *kind, const char *key, const char *what,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void change(struct out *o, const char *kind, const char *key, const char *what,
		   const char *fmt, ...)
{
	char detail[256] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	o->n++;
	if (o->arr) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "kind", json_object_new_string(kind));
		json_object_object_add(j, "object", json_object_new_string(key));
		json_object_object_add(j, "change", json_object_new_string(what));
		json_object_object_add(j, "detail", json_object_new_string(detail));
		json_object_array_add(o->arr, j);
		return;
	}
	fprintf(opts.out, "%-8s %-28s %-8s %s\n", kind, key, what, detail);
}

static const char *av_name(const struct side *s, uint64_t id)
{
	ssize_t i = mm_dump_av_idx(&s->d, id);

	return i < 0 ? "-" : s->avkey[i];
}

static void chain_str(const struct side *s, uint64_t vma_id, char *buf, size_t len)
{
	size_t n, off = 0;
	const struct mmctl_rec_chain **c = mm_dump_chain_recs(&s->d, vma_id, &n);

	buf[0] = 0;
	for (size_t k = 0; k < n && off + 2 < len; k++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", k ? "," : "",
					c[k] ? av_name(s, c[k]->anon_vma_id) : "?");
}

static void diff_sides(struct side *a, struct side *b, struct out *o)
{
	const struct mmctl_rec_desc *avd = mmctl_rec_desc(MMCTL_REC_ANON_VMA);
	char ca[512], cb[512];

	for (size_t i = 0; i < b->d.nr_avs; i++) {
		const struct mmctl_rec_anon_vma *y = b->d.avs[i], *x;
		ssize_t j = find_key(a->avkey, a->d.nr_avs, b->avkey[i]);

		if (!in_family(b, y->root_id))
			continue;
		if (j < 0) {
			change(o, "anon_vma", b->avkey[i], "created",
			       "parent %s children %llu active_vmas %llu refcount %u",
			       av_name(b, y->parent_id), (unsigned long long)y->num_children,
			       (unsigned long long)y->num_active_vmas, y->refcount);
			continue;
		}
		x = a->d.avs[j];
		/* the anon_vma's counters (MMCTL_FF_COUNT in lib/fields.c) */
		for (uint32_t k = 0; k < avd->nr_fields; k++) {
			const struct mmctl_field *f = &avd->fields[k];
			uint64_t vx = mmctl_field_get(f, x), vy = mmctl_field_get(f, y);

			if ((f->flags & MMCTL_FF_COUNT) && vx != vy)
				change(o, "anon_vma", b->avkey[i], "changed", "%s %llu -> %llu",
				       f->name, (unsigned long long)vx, (unsigned long long)vy);
		}
		if (strcmp(av_name(a, x->parent_id), av_name(b, y->parent_id)))
			change(o, "anon_vma", b->avkey[i], "changed", "parent %s -> %s",
			       av_name(a, x->parent_id), av_name(b, y->parent_id));
	}
	for (size_t i = 0; i < a->d.nr_avs; i++)
		if (in_family(a, a->d.avs[i]->root_id) &&
		    find_key(b->avkey, b->d.nr_avs, a->avkey[i]) < 0)
			change(o, "anon_vma", a->avkey[i], "freed", NULL);
	for (size_t i = 0; i < b->d.nr_vmas; i++) {
		const struct mmctl_rec_vma *y = b->d.vmas[i], *x;
		ssize_t j = find_key(a->vkey, a->d.nr_vmas, b->vkey[i]);

		if (!in_family(b, y->root_id))
			continue;
		if (j < 0) {
			chain_str(b, y->id, cb, sizeof(cb));
			change(o, "vma", b->vlabel[i], "created", "%llx-%llx anon_vma %s chain [%s]",
			       (unsigned long long)y->start, (unsigned long long)y->end,
			       av_name(b, y->anon_vma_id), cb);
			continue;
		}
		x = a->d.vmas[j];
		if (x->end != y->end || x->pgoff != y->pgoff)
			change(o, "vma", b->vlabel[i], "changed", "end %llx pgoff %#llx -> end %llx pgoff %#llx",
			       (unsigned long long)x->end, (unsigned long long)x->pgoff,
			       (unsigned long long)y->end, (unsigned long long)y->pgoff);
		if (strcmp(av_name(a, x->anon_vma_id), av_name(b, y->anon_vma_id)))
			change(o, "vma", b->vlabel[i], "changed", "anon_vma %s -> %s",
			       av_name(a, x->anon_vma_id), av_name(b, y->anon_vma_id));
		chain_str(a, x->id, ca, sizeof(ca));
		chain_str(b, y->id, cb, sizeof(cb));
		if (strcmp(ca, cb))
			change(o, "vma", b->vlabel[i], "changed", "chain [%s] -> [%s]", ca, cb);
	}
	for (size_t i = 0; i < a->d.nr_vmas; i++)
		if (in_family(a, a->d.vmas[i]->root_id) &&
		    find_key(b->vkey, b->d.nr_vmas, a->vkey[i]) < 0)
			change(o, "vma", a->vlabel[i], "removed", NULL);
}

/* The root of the target's VMA containing @addr; 0 if none. */
static uint64_t family_at(const struct mm_dump *d, uint64_t addr)
{
	for (size_t i = 0; i < d->nr_vmas; i++) {
		const struct mmctl_rec_vma *v = d->vmas[i];

		if ((v->flags & MMCTL_VMAF_TARGET) && v->start <= addr && addr < v->end)
			return v->root_id;
	}
	return 0;
}

static int run_between(int argc, char **argv)
{
	pid_t pid;
	int st;

	if (!argc) {
		fprintf(stderr, "mmctl: snapshot taken; press Enter for the second one\n");
		while ((st = getchar()) != EOF && st != '\n')
			;
		return 0;
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return 0;
}

int do_diff(int argc, char **argv)
{
	struct side a = { 0 }, b = { 0 };
	struct out o = { 0 };
	const char *backend, *addr = NULL;
	int rc, by_id, nops = argc - 1, cmd = argc;
	uint64_t at = 0;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			cmd = i + 1;
			nops = i - 1;
			break;
		}
	if (opts.watch ? nops < 1 || nops > 2 : nops < 2 || nops > 3) {
		p_err("diff: expected A B [ADDR], or --watch PID [ADDR] [-- CMD...]");
		return EXIT_USAGE;
	}
	if (!opts.watch && cmd < argc) {
		p_err("diff: '-- CMD' goes with --watch");
		return EXIT_USAGE;
	}
	addr = nops == (opts.watch ? 2 : 3) ? argv[nops] : NULL;
	if (addr && mm_parse_addr("diff", addr, &at))
		return EXIT_USAGE;
	rc = mm_get_dump("diff", argv[1], &a.d, &backend);
	if (rc)
		return rc;
	if (opts.watch && run_between(argc - cmd, argv + cmd)) {
		mm_dump_free(&a.d);
		p_err("diff: cannot run %s", argv[cmd]);
		return EXIT_ENV;
	}
	rc = mm_get_dump("diff", argv[opts.watch ? 1 : 2], &b.d, &backend);
	if (rc) {
		mm_dump_free(&a.d);
		return rc;
	}
	by_id = a.d.hdr->key_id && a.d.hdr->key_id == b.d.hdr->key_id;
	if (addr) {
		a.root = family_at(&a.d, at);
		b.root = family_at(&b.d, at);
		if (!a.root || !b.root) {
			p_err("diff: no faulted VMA of the target at %s in %s dump", addr,
			      !a.root ? "the first" : "the second");
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (keys(&a, by_id) || keys(&b, by_id)) {
		p_err("diff: out of memory");
		rc = EXIT_ENV;
		goto out;
	}
	if (opts.format == FMT_JSON)
		o.arr = json_object_new_array();
	diff_sides(&a, &b, &o);
	if (o.arr) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "matched_by", json_object_new_string(by_id ? "id" : "structure"));
		json_object_object_add(j, "changes", o.arr);
		mm_print_json(j);
	} else {
		fprintf(opts.out, "%zu changes (objects matched by %s)\n", o.n,
			by_id ? "ID, same module load" : "VMA ranges and family position");
	}
	rc = EXIT_OK;
out:
	side_free(&a);
	side_free(&b);
	return rc;
}
