// SPDX-License-Identifier: GPL-2.0
/*
 * mmctl tree PID: each anon_vma hierarchy PID's VMAs belong to, as an
 * indented tree of anon_vmas with the VMAs whose anon_vma each one is.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "mmctl.h"

struct tree_opts {
	int all_members;
};

static void print_vma(const struct mm_dump *d, const struct mmctl_rec_vma *v, int depth)
{
	const struct mmctl_rec_folios *f = mm_dump_folios(d, v->id);

	printf("%*s", 2 * depth + 2, "");
	if (v->flags & MMCTL_VMAF_REDACTED)
		printf("vma [redacted] pid %u", v->pid);
	else
		printf("vma %llx-%llx pgoff %#llx pid %u %.16s",
		       (unsigned long long)v->start, (unsigned long long)v->end,
		       (unsigned long long)v->pgoff, v->pid, v->comm);
	printf(" chain %u%s", v->chain_len, (v->flags & MMCTL_VMAF_TARGET) ? " *" : "");
	if (f && (f->flags & MMCTL_FOLIOSF_WALKED)) {
		printf("  pages:");
		for (size_t i = 0; i < d->nr_folio_avs; i++)
			if (d->folio_avs[i]->vma_id == v->id && d->folio_avs[i]->pages)
				printf(" %s=%llu", mm_short_id(d->folio_avs[i]->anon_vma_id),
				       (unsigned long long)d->folio_avs[i]->pages);
		if (f->zero)
			printf(" zero=%llu", (unsigned long long)f->zero);
		if (f->outside_chain || f->index_mismatch)
			printf(" MISMATCH outside_chain=%llu index=%llu",
			       (unsigned long long)f->outside_chain,
			       (unsigned long long)f->index_mismatch);
	}
	printf("\n");
}

static void print_av(const struct mm_dump *d, const struct mmctl_rec_anon_vma *a,
		     int depth, const struct tree_opts *o)
{
	size_t others = 0;

	printf("%*sanon_vma %s  children %llu  active_vmas %llu  refcount %u%s\n",
	       2 * depth, "", mm_short_id(a->id), (unsigned long long)a->num_children,
	       (unsigned long long)a->num_active_vmas, a->refcount,
	       a->parent_id == a->id ? "  (root)" : "");
	for (size_t i = 0; i < d->nr_vmas; i++) {
		const struct mmctl_rec_vma *v = d->vmas[i];

		if (v->anon_vma_id != a->id)
			continue;
		if (o->all_members || (v->flags & MMCTL_VMAF_TARGET))
			print_vma(d, v, depth);
		else
			others++;
	}
	if (others)
		printf("%*s(+%zu VMAs of other processes)\n", 2 * depth + 2, "", others);
	for (size_t i = 0; i < d->nr_avs; i++)
		if (d->avs[i]->parent_id == a->id && d->avs[i]->id != a->id)
			print_av(d, d->avs[i], depth + 1, o);
}

static int tree_help(void)
{
	printf("usage: mmctl tree [--all-members] [--no-folios] PID\n"
	       "  Each anon_vma hierarchy of PID: anon_vmas indented under their parent\n"
	       "  (children, active_vmas, refcount), with the VMAs whose anon_vma each is.\n"
	       "  VMAs of PID are marked '*'; --all-members lists other processes' too.\n");
	return EXIT_OK;
}

int do_tree(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "all-members", no_argument, NULL, 'a' },
		{ "no-folios", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct tree_opts o = { 0 };
	uint32_t flags = 0;
	struct mm_dump d;
	long pid;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "anh", lo, NULL)) != -1) {
		switch (c) {
		case 'a': o.all_members = 1; break;
		case 'n': flags |= MMCTL_DUMP_NO_FOLIOS; break;
		case 'h': return tree_help();
		default: return EXIT_USAGE;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "help"))
		return tree_help();
	if (optind + 1 != argc) {
		p_err("tree: expected one PID (see 'mmctl tree help')");
		return EXIT_USAGE;
	}
	if (parse_pid("tree", argv[optind], &pid))
		return EXIT_USAGE;
	r = mm_dump_kmod(&d, (pid_t)pid, flags);
	if (r)
		return report_dump_error(r, pid);
	size_t own = 0;

	for (size_t i = 0; i < d.nr_vmas; i++)
		own += !!(d.vmas[i]->flags & MMCTL_VMAF_TARGET);
	printf("pid %u (%.16s): %zu VMAs, %u anon_vma families\n", d.hdr->pid, d.hdr->comm,
	       own, d.hdr->nr_families);
	for (size_t i = 0; i < d.nr_families; i++) {
		const struct mmctl_rec_anon_vma *root = mm_dump_av(&d, d.families[i]->root_id);

		printf("\nfamily %s: %u VMAs in %u processes, %u anon_vmas\n",
		       mm_short_id(d.families[i]->root_id), d.families[i]->nr_vmas,
		       d.families[i]->nr_mms, d.families[i]->nr_anon_vmas);
		if (root)
			print_av(&d, root, 0, &o);
	}
	mm_dump_free(&d);
	return EXIT_OK;
}
