// SPDX-License-Identifier: GPL-2.0
/*
 * mmctl tree PID|FILE [ADDR]: each anon_vma hierarchy of PID (or the one of
 * its VMA at ADDR) as an indented tree of anon_vmas with the VMAs whose
 * anon_vma each one is; --format=dot draws it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mmctl.h"

struct tree_ctx {
	const struct mm_dump *d;
	uint64_t only_root;			/* with ADDR: that family only */
	size_t *kid_start, *kid_len, *kids;	/* children per anon_vma */
	size_t *vma_start, *vma_len, *vmas;	/* VMAs using each anon_vma */
	unsigned char *bad;			/* objects with a verdict */
};

/* Children and users of each anon_vma, by counting sort (linear). */
static int tree_index(struct tree_ctx *t)
{
	const struct mm_dump *d = t->d;
	size_t na = d->nr_avs, *fk, *fv;

	t->kid_start = calloc(na + 1, sizeof(size_t));
	t->kid_len = calloc(na + 1, sizeof(size_t));
	t->kids = calloc(na + 1, sizeof(size_t));
	t->vma_start = calloc(na + 1, sizeof(size_t));
	t->vma_len = calloc(na + 1, sizeof(size_t));
	t->vmas = calloc(d->nr_vmas + 1, sizeof(size_t));
	fk = calloc(na + 1, sizeof(size_t));
	fv = calloc(na + 1, sizeof(size_t));
	if (!t->kid_start || !t->kid_len || !t->kids || !t->vma_start || !t->vma_len ||
	    !t->vmas || !fk || !fv) {
		free(fk);
		free(fv);
		return -1;
	}
	for (size_t i = 0; i < na; i++) {
		ssize_t p = mm_dump_av_idx(d, d->avs[i]->parent_id);

		if (p >= 0 && (size_t)p != i)
			t->kid_len[p]++;
	}
	for (size_t i = 0; i < d->nr_vmas; i++) {
		ssize_t a = mm_dump_av_idx(d, d->vmas[i]->anon_vma_id);

		if (a >= 0)
			t->vma_len[a]++;
	}
	for (size_t i = 1; i <= na; i++) {
		t->kid_start[i] = t->kid_start[i - 1] + t->kid_len[i - 1];
		t->vma_start[i] = t->vma_start[i - 1] + t->vma_len[i - 1];
	}
	for (size_t i = 0; i < na; i++) {
		ssize_t p = mm_dump_av_idx(d, d->avs[i]->parent_id);

		if (p >= 0 && (size_t)p != i)
			t->kids[t->kid_start[p] + fk[p]++] = i;
	}
	for (size_t i = 0; i < d->nr_vmas; i++) {
		ssize_t a = mm_dump_av_idx(d, d->vmas[i]->anon_vma_id);

		if (a >= 0)
			t->vmas[t->vma_start[a] + fv[a]++] = i;
	}
	free(fk);
	free(fv);
	return 0;
}

static void tree_free(struct tree_ctx *t)
{
	free(t->kid_start);
	free(t->kid_len);
	free(t->kids);
	free(t->vma_start);
	free(t->vma_len);
	free(t->vmas);
}

/*
 * One VMA line, formatted by hand: a process with tens of thousands of
 * VMAs spent half of `mmctl tree` in vfprintf (callgrind). The output is
 * byte for byte what the printf formats in the comments give.
 */
static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *put_hex(char *p, uint64_t v, int width)	/* %llx, or %0<width>llx */
{
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n < width)
		tmp[n++] = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_dec(char *p, uint64_t v)		/* %llu */
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_id(char *p, uint64_t id)		/* mm_short_id() */
{
	return id ? put_hex(p, id, 16) : put_str(p, "-");
}

static void print_vma(const struct mm_dump *d, size_t vi, int depth)
{
	const struct mmctl_rec_vma *v = d->vmas[vi];
	const struct mmctl_rec_folios *f = d->vma_folios[vi];
	/* Flushed whenever past @end; no segment adds more than 150 bytes. */
	char line[1024], *p = line, *end = line + 512;

	/* "%*s" of 2 * depth + 2 */
	for (int i = 0; i < 2 * depth + 2; i++) {
		if (p == end) {
			fwrite(line, 1, (size_t)(p - line), opts.out);
			p = line;
		}
		*p++ = ' ';
	}
	if (v->flags & MMCTL_VMAF_REDACTED) {
		/* nothing of the owner is known (docs/module.md, "Redaction") */
		p = put_str(p, "vma [redacted]");
	} else {
		/* "vma %llx-%llx pgoff %#llx pid %u %.16s" (%#llx of 0 is "0") */
		p = put_hex(put_str(p, "vma "), v->start, 0);
		p = put_hex(put_str(p, "-"), v->end, 0);
		p = put_str(p, v->pgoff ? " pgoff 0x" : " pgoff ");
		p = put_hex(p, v->pgoff, 0);
		p = put_dec(put_str(p, " pid "), v->pid);
		*p++ = ' ';
		for (int i = 0; i < 16 && v->comm[i]; i++)
			*p++ = v->comm[i];
	}
	/* " chain %u%s" */
	p = put_dec(put_str(p, " chain "), v->chain_len);
	if (v->flags & MMCTL_VMAF_TARGET)
		p = put_str(p, " *");
	if (v->flags & MMCTL_VMAF_DETACHED)
		p = put_str(p, " [detached]");
	if (v->flags & MMCTL_VMAF_MM_WRITER)
		p = put_str(p, " [mm write-locked]");
	if (f && (f->flags & MMCTL_FOLIOSF_WALKED)) {
		p = put_str(p, "  pages:");
		for (size_t k = 0; k < d->vma_fav[vi].len; k++) {
			const struct mmctl_rec_folio_av *fa = d->fav_order[d->vma_fav[vi].start + k];

			if (!fa->pages)
				continue;
			if (p >= end) {
				fwrite(line, 1, (size_t)(p - line), opts.out);
				p = line;
			}
			/* " %s=%llu" */
			*p++ = ' ';
			p = put_dec(put_str(put_id(p, fa->anon_vma_id), "="), fa->pages);
		}
		if (p >= end) {
			fwrite(line, 1, (size_t)(p - line), opts.out);
			p = line;
		}
		if (f->zero)
			p = put_dec(put_str(p, " zero="), f->zero);
		if (f->outside_chain || f->index_mismatch) {
			p = put_dec(put_str(p, " MISMATCH outside_chain="), f->outside_chain);
			p = put_dec(put_str(p, " index="), f->index_mismatch);
		}
	}
	*p++ = '\n';
	fwrite(line, 1, (size_t)(p - line), opts.out);
}

/* Iterative pre-order walk: chains of anon_vmas can be deep. */
static void print_family(struct tree_ctx *t, size_t root)
{
	const struct mm_dump *d = t->d;
	size_t *stack = malloc((d->nr_avs + 1) * 2 * sizeof(size_t)), sp = 0;

	if (!stack)
		return;
	stack[sp++] = root;
	stack[sp++] = 0;
	while (sp) {
		size_t depth = stack[--sp], ai = stack[--sp], others = 0;
		const struct mmctl_rec_anon_vma *a = d->avs[ai];

		fprintf(opts.out, "%*sanon_vma %s  children %llu  active_vmas %llu  refcount %u%s\n",
			(int)(2 * depth), "", mm_short_id(a->id),
			(unsigned long long)a->num_children,
			(unsigned long long)a->num_active_vmas, a->refcount,
			a->parent_id == a->id ? "  (root)" : "");
		for (size_t k = 0; k < t->vma_len[ai]; k++) {
			size_t vi = t->vmas[t->vma_start[ai] + k];

			if (opts.all_members || (d->vmas[vi]->flags & MMCTL_VMAF_TARGET))
				print_vma(d, vi, (int)depth);
			else
				others++;
		}
		if (others)
			fprintf(opts.out, "%*s(+%zu VMAs of other processes)\n",
				(int)(2 * depth + 2), "", others);
		/* Push children in reverse so they print in dump order. */
		for (size_t k = t->kid_len[ai]; k-- > 0;) {
			stack[sp++] = t->kids[t->kid_start[ai] + k];
			stack[sp++] = depth + 1;
		}
	}
	free(stack);
}

/*
 * tree -j: the families as the text shows them. Each family: its FAMILY
 * record's fields when the backend wrote one (else its root alone), and
 * "hierarchy", its anon_vmas in pre-order (the text's order), each with
 * its depth below the root, the VMAs whose anon_vma it is (the target's,
 * or every member's with --all-members) and how many others there are.
 * Flat, not nested: a hierarchy is as deep as its chain of forks.
 */
static struct json_object *family_json(struct tree_ctx *t, size_t root)
{
	const struct mm_dump *d = t->d;
	const struct mmctl_rec_family *f = NULL;
	struct json_object *fam, *h = json_object_new_array();
	size_t *stack = malloc((d->nr_avs + 1) * 2 * sizeof(size_t)), sp = 0;

	for (size_t k = 0; k < d->nr_families && !f; k++)
		if (d->families[k]->root_id == d->avs[root]->id)
			f = d->families[k];
	if (f) {
		fam = mm_rec_json(NULL, MMCTL_REC_FAMILY, f);
	} else {
		fam = json_object_new_object();
		json_object_object_add(fam, "root", mm_json_id(d->avs[root]->id));
	}
	json_object_object_add(fam, "hierarchy", h);
	if (!stack)
		return fam;
	stack[sp++] = root;
	stack[sp++] = 0;
	while (sp) {
		size_t depth = stack[--sp], ai = stack[--sp], others = 0;
		struct json_object *o = mm_rec_json(NULL, MMCTL_REC_ANON_VMA, d->avs[ai]);
		struct json_object *vs = json_object_new_array();

		json_object_object_add(o, "depth", json_object_new_uint64(depth));
		for (size_t k = 0; k < t->vma_len[ai]; k++) {
			size_t vi = t->vmas[t->vma_start[ai] + k];

			if (opts.all_members || (d->vmas[vi]->flags & MMCTL_VMAF_TARGET))
				json_object_array_add(vs, mm_rec_json(NULL, MMCTL_REC_VMA, d->vmas[vi]));
			else
				others++;
		}
		json_object_object_add(o, "vmas", vs);
		json_object_object_add(o, "other_vmas", json_object_new_uint64(others));
		json_object_array_add(h, o);
		for (size_t k = t->kid_len[ai]; k-- > 0;) {
			stack[sp++] = t->kids[t->kid_start[ai] + k];
			stack[sp++] = depth + 1;
		}
	}
	free(stack);
	return fam;
}

static void print_dot(struct tree_ctx *t, const struct mmctl_violation *v, size_t nv)
{
	const struct mm_dump *d = t->d;
	FILE *o = opts.out;
	uint32_t prev_pid = 0;

	fprintf(o, "digraph mmctl {\n\trankdir=TB;\n\tnode [fontname=\"monospace\", fontsize=10];\n");
	fprintf(o, "\tlabel=\"anon_vma families of pid %u (%.16s)\";\n", d->hdr->pid, d->hdr->comm);
	for (size_t i = 0; i < d->nr_avs; i++) {
		const struct mmctl_rec_anon_vma *a = d->avs[i];
		int bad = 0;

		if (t->only_root && a->root_id != t->only_root)
			continue;
		for (size_t k = 0; k < nv; k++)
			bad |= v[k].object == a->id && v[k].severity == MMCTL_SEV_ERROR;
		fprintf(o, "\t\"av_%016llx\" [shape=ellipse, label=\"anon_vma %.8s\\nchildren %llu active %llu ref %u\"%s];\n",
			(unsigned long long)a->id, mm_short_id(a->id),
			(unsigned long long)a->num_children,
			(unsigned long long)a->num_active_vmas, a->refcount,
			bad ? ", color=red, penwidth=2" : a->parent_id == a->id ? ", style=bold" : "");
		if (a->parent_id != a->id)
			fprintf(o, "\t\"av_%016llx\" -> \"av_%016llx\" [label=\"parent\", style=dashed];\n",
				(unsigned long long)a->id, (unsigned long long)a->parent_id);
	}
	/* VMAs grouped by process: one cluster per pid (records come grouped). */
	for (size_t i = 0; i < d->nr_vmas; i++) {
		const struct mmctl_rec_vma *m = d->vmas[i];
		int bad = 0;

		if (!m->anon_vma_id || !mm_dump_av(d, m->anon_vma_id) ||
		    (t->only_root && m->root_id != t->only_root) ||
		    (!opts.all_members && !(m->flags & MMCTL_VMAF_TARGET)))
			continue;
		for (size_t k = 0; k < nv; k++)
			bad |= v[k].object == m->id && v[k].severity == MMCTL_SEV_ERROR;
		if (m->pid != prev_pid) {
			if (prev_pid)
				fprintf(o, "\t}\n");
			fprintf(o, "\tsubgraph \"cluster_%u\" {\n\t\tlabel=\"pid %u %.16s\";\n",
				m->pid, m->pid, m->comm);
			prev_pid = m->pid;
		}
		fprintf(o, "\t\t\"vma_%016llx\" [shape=box, label=\"%llx-%llx\\npgoff %#llx chain %u\"%s];\n",
			(unsigned long long)m->id, (unsigned long long)m->start,
			(unsigned long long)m->end, (unsigned long long)m->pgoff, m->chain_len,
			bad ? ", color=red, penwidth=2" :
			(m->flags & MMCTL_VMAF_TARGET) ? ", style=filled, fillcolor=lightyellow" : "");
	}
	if (prev_pid)
		fprintf(o, "\t}\n");
	for (size_t i = 0; i < d->nr_vmas; i++) {
		const struct mmctl_rec_vma *m = d->vmas[i];

		if (m->anon_vma_id && mm_dump_av(d, m->anon_vma_id) &&
		    (!t->only_root || m->root_id == t->only_root) &&
		    (opts.all_members || (m->flags & MMCTL_VMAF_TARGET)))
			fprintf(o, "\t\"vma_%016llx\" -> \"av_%016llx\";\n",
				(unsigned long long)m->id, (unsigned long long)m->anon_vma_id);
	}
	fprintf(o, "}\n");
}

int do_tree(int argc, char **argv)
{
	struct tree_ctx t = { 0 };
	struct mmctl_check_result res;
	struct mmctl_violation *v = NULL;
	const char *backend;
	struct mm_dump d;
	size_t own = 0, nv = 0;
	uint64_t at = 0;
	int rc;

	if (argc != 2 && argc != 3) {
		p_err("tree: expected PID|FILE [ADDR] (see 'mmctl help tree')");
		return EXIT_USAGE;
	}
	if (argc == 3 && mm_parse_addr("tree", argv[2], &at))
		return EXIT_USAGE;
	opts.no_tree = opts.format != FMT_DOT;	/* DOT marks the checker's verdicts */
	rc = mm_get_dump("tree", argv[1], &d, &backend);
	if (rc)
		return rc;
	if (argc == 3) {
		for (size_t i = 0; i < d.nr_vmas; i++)
			if ((d.vmas[i]->flags & MMCTL_VMAF_TARGET) && d.vmas[i]->start <= at &&
			    at < d.vmas[i]->end)
				t.only_root = d.vmas[i]->root_id;
		if (!t.only_root) {
			p_err("tree: no faulted VMA of pid %u at %s", d.hdr->pid, argv[2]);
			mm_dump_free(&d);
			return EXIT_USAGE;
		}
	}
	t.d = &d;
	if (tree_index(&t)) {
		p_err("tree: out of memory");
		rc = EXIT_ENV;
		goto out;
	}
	if (opts.format == FMT_JSON) {
		struct json_object *j = mm_json_header(json_object_new_object(), &d, backend, "tree");
		struct json_object *fams = json_object_new_array();

		for (size_t i = 0; i < d.nr_avs; i++)
			if (d.avs[i]->parent_id == d.avs[i]->id &&
			    (!t.only_root || d.avs[i]->id == t.only_root))
				json_object_array_add(fams, family_json(&t, i));
		json_object_object_add(j, "families", fams);
		mm_print_json(j);
		goto out;
	}
	if (opts.format == FMT_DOT) {
		if (mm_check_dump(&d, &v, &nv, &res) == 0)
			print_dot(&t, v, nv);
		free(v);
		goto out;
	}
	for (size_t i = 0; i < d.nr_vmas; i++)
		own += !!(d.vmas[i]->flags & MMCTL_VMAF_TARGET);
	/* Families are the root anon_vmas; FAMILY records, when the backend
	 * wrote them, add the counts it saw while walking. */
	size_t nroots = 0;

	for (size_t i = 0; i < d.nr_avs; i++)
		nroots += d.avs[i]->parent_id == d.avs[i]->id;
	fprintf(opts.out, "pid %u (%.16s): %zu VMAs, %zu anon_vma families\n", d.hdr->pid,
		d.hdr->comm, own, nroots);
	for (size_t i = 0; i < d.nr_avs; i++) {
		const struct mmctl_rec_anon_vma *r = d.avs[i];
		const struct mmctl_rec_family *f = NULL;

		if (r->parent_id != r->id || (t.only_root && r->id != t.only_root))
			continue;
		for (size_t k = 0; k < d.nr_families && !f; k++)
			if (d.families[k]->root_id == r->id)
				f = d.families[k];
		if (f)
			fprintf(opts.out, "\nfamily %s: %u VMAs in %u processes, %u anon_vmas\n",
				mm_short_id(r->id), f->nr_vmas, f->nr_mms, f->nr_anon_vmas);
		else if (d.hdr->flags & MMCTL_DUMPF_PARTIAL)
			fprintf(opts.out, "\nfamily %s: partial view (this process's VMAs only)\n",
				mm_short_id(r->id));
		else
			fprintf(opts.out, "\nfamily %s: %u VMAs in its tree\n", mm_short_id(r->id),
				r->tree_avcs);
		print_family(&t, i);
	}
out:
	tree_free(&t);
	mm_dump_free(&d);
	return rc;
}
