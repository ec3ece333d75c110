// SPDX-License-Identifier: GPL-2.0
/*
 * Per-VMA views of one target: mmctl vmas (a maps-like table), mmctl folios
 * (page-table facts and mismatch samples) and mmctl merge-why (why adjacent
 * anonymous VMAs did not merge).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../lib/fields.h"
#include "json.h"
#include "mmctl.h"

static int cmp_start(const void *a, const void *b, void *arg)
{
	const struct mm_dump *d = arg;
	uint64_t x = d->vmas[*(const size_t *)a]->start, y = d->vmas[*(const size_t *)b]->start;

	return x < y ? -1 : x > y;
}

/* The target's VMAs in address order (records come in family order). */
static size_t *target_vmas(const struct mm_dump *d, size_t *n)
{
	size_t *idx = malloc((d->nr_vmas + 1) * sizeof(*idx)), k = 0;

	if (!idx)
		return NULL;
	for (size_t i = 0; i < d->nr_vmas; i++)
		if (d->vmas[i]->flags & MMCTL_VMAF_TARGET)
			idx[k++] = i;
	qsort_r(idx, k, sizeof(*idx), cmp_start, (void *)d);
	*n = k;
	return idx;
}

#define VMAS_FLAGS (MMCTL_VM_WIPEONFORK | MMCTL_VM_DONTCOPY | MMCTL_VM_MERGEABLE | \
		    MMCTL_VM_HUGEPAGE | MMCTL_VM_NOHUGEPAGE)

static void perms(const struct mmctl_rec_vma *v, char out[5])
{
	out[0] = v->vm_flags & MMCTL_VM_READ ? 'r' : '-';
	out[1] = v->vm_flags & MMCTL_VM_WRITE ? 'w' : '-';
	out[2] = v->vm_flags & MMCTL_VM_EXEC ? 'x' : '-';
	out[3] = v->vm_flags & MMCTL_VM_SHARED ? 's' : 'p';
	out[4] = 0;
}

/* Load a target and its VMAs in address order; an exit code. */
static int load(const char *cmd, int argc, char **argv, struct mm_dump *d,
		const char **backend, size_t **idx, size_t *n)
{
	int rc = mm_one_target(cmd, argc, argv, d, backend);

	if (rc)
		return rc;
	*idx = target_vmas(d, n);
	if (!*idx) {
		mm_dump_free(d);
		p_err("%s: out of memory", cmd);
		return EXIT_ENV;
	}
	return EXIT_OK;
}

int do_vmas(int argc, char **argv)
{
	const char *backend;
	struct mm_dump d;
	size_t *idx, n;
	int rc;

	opts.no_tree = 1;
	rc = load("vmas", argc, argv, &d, &backend, &idx, &n);
	if (rc)
		return rc;
	if (opts.format == FMT_JSON) {
		/* the rows: the target's VMAs in address order, each with its perm
		 * column and, when its page tables were walked, its folios */
		struct json_object *j = mm_json_header(json_object_new_object(), &d, backend, "vmas");
		struct json_object *rows = json_object_new_array();

		for (size_t k = 0; k < n; k++) {
			const struct mmctl_rec_vma *v = d.vmas[idx[k]];
			const struct mmctl_rec_folios *f = d.vma_folios[idx[k]];
			struct json_object *o = mm_rec_json(NULL, MMCTL_REC_VMA, v);
			char p[5];

			perms(v, p);
			json_object_object_add(o, "perm", json_object_new_string(p));
			if (f && (f->flags & MMCTL_FOLIOSF_WALKED))
				json_object_object_add(o, "folios", mm_rec_json(NULL, MMCTL_REC_FOLIOS, f));
			json_object_array_add(rows, o);
		}
		json_object_object_add(j, "vmas", rows);
		mm_print_json(j);
		free(idx);
		mm_dump_free(&d);
		return EXIT_OK;
	}
	fprintf(opts.out, "%-25s %-4s %-12s %-16s %5s %7s %6s %6s %6s %s\n", "RANGE", "PERM",
		"PGOFF", "ANON_VMA", "CHAIN", "PRESENT", "ANON", "ZERO", "SWAP", "FLAGS");
	for (size_t k = 0; k < n; k++) {
		const struct mmctl_rec_vma *v = d.vmas[idx[k]];
		const struct mmctl_rec_folios *f = d.vma_folios[idx[k]];
		char range[40], p[5];

		perms(v, p);
		snprintf(range, sizeof(range), "%llx-%llx", (unsigned long long)v->start,
			 (unsigned long long)v->end);
		fprintf(opts.out, "%-25s %-4s %-12llx %-16s %5u", range, p,
			(unsigned long long)v->pgoff, mm_short_id(v->anon_vma_id), v->chain_len);
		if (f && (f->flags & MMCTL_FOLIOSF_WALKED))
			fprintf(opts.out, " %7llu %6llu %6llu %6llu", (unsigned long long)f->present,
				(unsigned long long)f->anon, (unsigned long long)f->zero,
				(unsigned long long)f->swap);
		else
			fprintf(opts.out, " %7s %6s %6s %6s", "-", "-", "-", "-");
		fputc(' ', opts.out);
		if (v->flags & MMCTL_VMAF_FILE)
			fprintf(opts.out, "file ");
		/* the vm_flags fork, KSM and THP treat the VMA by (lib/vmflags.h) */
		for (int b = 0; b < 32; b++)
			if ((v->vm_flags & VMAS_FLAGS & (1U << b)) && mmctl_vm_flag_names[b])
				fprintf(opts.out, "%s ", mmctl_vm_flag_names[b]);
		fputc('\n', opts.out);
	}
	free(idx);
	mm_dump_free(&d);
	return EXIT_OK;
}

/* "ADDR" or "ADDR-ADDR" (hex, 0x optional); 0 or -1. */
static int parse_range(const char *s, uint64_t *lo, uint64_t *hi)
{
	char *end;

	*lo = strtoull(s, &end, 16);
	if (end == s)
		return -1;
	if (*end == '-') {
		const char *h = end + 1;

		*hi = strtoull(h, &end, 16);
		if (end == h || *end || *hi <= *lo)
			return -1;
	} else if (*end) {
		return -1;
	} else {
		*hi = *lo + 1;
	}
	return 0;
}

int do_folios(int argc, char **argv)
{
	uint64_t lo = 0, hi = UINT64_MAX;
	const char *backend;
	struct mm_dump d;
	size_t *idx, n, shown = 0;
	int rc;

	if (argc < 2 || argc > 3) {
		p_err("folios: expected PID|FILE [ADDR[-ADDR]] (see 'mmctl help folios')");
		return EXIT_USAGE;
	}
	if (argc == 3 && parse_range(argv[2], &lo, &hi)) {
		p_err("folios: '%s' is not an address or address range", argv[2]);
		return EXIT_USAGE;
	}
	rc = load("folios", 2, argv, &d, &backend, &idx, &n);
	if (rc)
		return rc;
	if (opts.format == FMT_JSON) {
		struct json_object *arr = json_object_new_array();
		struct json_object *all = mm_dump_to_json(&d, backend, NULL, 0), *vmas;

		/* The VMA objects of the dump JSON that overlap the range. */
		json_object_object_get_ex(all, "vmas", &vmas);
		for (size_t k = 0; k < json_object_array_length(vmas); k++) {
			const struct mmctl_rec_vma *v = d.vmas[k];

			if ((v->flags & MMCTL_VMAF_TARGET) && v->end > lo && v->start < hi)
				json_object_array_add(arr,
					json_object_get(json_object_array_get_idx(vmas, k)));
		}
		json_object_put(all);
		mm_print_json(arr);
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		size_t vi = idx[k];
		const struct mmctl_rec_vma *v = d.vmas[vi];
		const struct mmctl_rec_folios *f = d.vma_folios[vi];
		uint64_t own = 0, ancestors = 0;

		if (v->end <= lo || v->start >= hi)
			continue;
		shown++;
		fprintf(opts.out, "vma %llx-%llx anon_vma %s chain %u\n",
			(unsigned long long)v->start, (unsigned long long)v->end,
			mm_short_id(v->anon_vma_id), v->chain_len);
		if (!f || !(f->flags & MMCTL_FOLIOSF_WALKED)) {
			fprintf(opts.out, "  not walked (%s)\n",
				f ? "hugetlb, PFN map or shared" :
				!strcmp(backend, "bpf") ? "the BPF backend does not walk page tables" :
				!strcmp(backend, "file") ?
				"the dump has no page-table walk: taken with --no-folios or by BPF" :
				"no folio record");
			continue;
		}
		for (size_t j = 0; j < d.vma_fav[vi].len; j++) {
			const struct mmctl_rec_folio_av *fa = d.fav_order[d.vma_fav[vi].start + j];

			if (fa->anon_vma_id == v->anon_vma_id)
				own += fa->pages;
			else
				ancestors += fa->pages;
			fprintf(opts.out, "  pages on anon_vma %s: %llu%s\n", mm_short_id(fa->anon_vma_id),
				(unsigned long long)fa->pages,
				fa->anon_vma_id == v->anon_vma_id ? " (its own)" : "");
		}
		fprintf(opts.out, "  present %llu anon %llu (own %llu, shared COW %llu) ksm %llu thp %llu zero %llu file %llu other %llu swap %llu migration %llu\n",
			(unsigned long long)f->present, (unsigned long long)f->anon,
			(unsigned long long)own, (unsigned long long)ancestors,
			(unsigned long long)f->ksm, (unsigned long long)f->thp,
			(unsigned long long)f->zero, (unsigned long long)f->file,
			(unsigned long long)f->other, (unsigned long long)f->swap,
			(unsigned long long)f->migration);
		fprintf(opts.out, "  mismatches: outside_chain %llu index %llu%s\n",
			(unsigned long long)f->outside_chain, (unsigned long long)f->index_mismatch,
			f->flags & MMCTL_FOLIOSF_SAMPLES_CUT ? " (more than sampled)" : "");
		for (size_t j = 0; j < d.vma_samples[vi].len; j++) {
			const struct mmctl_rec_sample *s = d.sample_order[d.vma_samples[vi].start + j];

			fprintf(opts.out, "  sample %s at %llx: anon_vma %s index %#llx expected %#llx\n",
				s->kind == MMCTL_SAMPLE_INDEX ? "index" : "outside_chain",
				(unsigned long long)s->addr, mm_short_id(s->anon_vma_id),
				(unsigned long long)s->index, (unsigned long long)s->expected_index);
		}
	}
	if (!shown && argc == 3)
		fprintf(opts.out, "no VMA of pid %u in %s\n", d.hdr->pid, argv[2]);
out:
	free(idx);
	mm_dump_free(&d);
	return EXIT_OK;
}

/*
 * Why two adjacent VMAs a, b (a->end == b->start) did not merge, in the
 * kernel's order (is_mergeable_vma, is_mergeable_anon_vma, the pgoff test
 * of can_vma_merge_after). Appends reasons to @r; returns how many.
 */
static int why(const struct mm_dump *d, const struct mmctl_rec_vma *a,
	       const struct mmctl_rec_vma *b, char r[][128])
{
	int n = 0;
	size_t na, nb;

	if (a->vm_flags != b->vm_flags)
		snprintf(r[n++], 128, "flags differ (%#x vs %#x)", a->vm_flags, b->vm_flags);
	if ((a->flags & MMCTL_VMAF_FILE) != (b->flags & MMCTL_VMAF_FILE))
		snprintf(r[n++], 128, "one is file-backed, the other is not");
	mm_dump_chain_recs(d, a->id, &na);
	mm_dump_chain_recs(d, b->id, &nb);
	if (a->anon_vma_id && b->anon_vma_id && a->anon_vma_id != b->anon_vma_id)
		snprintf(r[n++], 128, "different anon_vma");
	else if (!a->anon_vma_id != !b->anon_vma_id && (a->anon_vma_id ? na : nb) > 1)
		snprintf(r[n++], 128, "chain not singular (%zu entries on the faulted side)",
			 a->anon_vma_id ? na : nb);
	if (b->pgoff != a->pgoff + ((a->end - a->start) >> d->hdr->page_shift))
		snprintf(r[n++], 128, "pgoff not linear (%#llx follows %#llx+%#llx)",
			 (unsigned long long)b->pgoff, (unsigned long long)a->pgoff,
			 (unsigned long long)((a->end - a->start) >> d->hdr->page_shift));
	if (!n)
		snprintf(r[n++], 128, "no visible reason (mempolicy, userfaultfd context or name may differ, or no merge was attempted)");
	return n;
}

int do_merge_why(int argc, char **argv)
{
	struct json_object *arr = NULL;
	const char *backend;
	struct mm_dump d;
	size_t *idx, n, pairs = 0;
	int rc;

	rc = load("merge-why", argc, argv, &d, &backend, &idx, &n);
	if (rc)
		return rc;
	if (opts.format == FMT_JSON)
		arr = json_object_new_array();
	for (size_t k = 0; k + 1 < n; k++) {
		const struct mmctl_rec_vma *a = d.vmas[idx[k]], *b = d.vmas[idx[k + 1]];
		char r[6][128];
		int nr;

		if (a->end != b->start || !(a->flags & MMCTL_VMAF_ANON) ||
		    !(b->flags & MMCTL_VMAF_ANON))
			continue;
		pairs++;
		nr = why(&d, a, b, r);
		if (arr) {
			struct json_object *o = json_object_new_object(), *rs = json_object_new_array();
			char s[24];

			snprintf(s, sizeof(s), "0x%llx", (unsigned long long)a->start);
			json_object_object_add(o, "a_start", json_object_new_string(s));
			snprintf(s, sizeof(s), "0x%llx", (unsigned long long)a->end);
			json_object_object_add(o, "a_end", json_object_new_string(s));
			snprintf(s, sizeof(s), "0x%llx", (unsigned long long)b->end);
			json_object_object_add(o, "b_end", json_object_new_string(s));
			for (int i = 0; i < nr; i++)
				json_object_array_add(rs, json_object_new_string(r[i]));
			json_object_object_add(o, "reasons", rs);
			json_object_array_add(arr, o);
			continue;
		}
		fprintf(opts.out, "%llx-%llx | %llx-%llx:", (unsigned long long)a->start,
			(unsigned long long)a->end, (unsigned long long)b->start,
			(unsigned long long)b->end);
		for (int i = 0; i < nr; i++)
			fprintf(opts.out, "%s %s", i ? ";" : "", r[i]);
		fprintf(opts.out, "\n");
	}
	if (arr)
		mm_print_json(arr);
	else if (!pairs)
		fprintf(opts.out, "pid %u: no adjacent anonymous VMAs left unmerged\n", d.hdr->pid);
	free(idx);
	mm_dump_free(&d);
	return EXIT_OK;
}
