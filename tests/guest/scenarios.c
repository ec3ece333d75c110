// SPDX-License-Identifier: GPL-2.0
/*
 * The primer's public scenarios, built with real processes and checked
 * against the module's dump (ioctl). One "ok/not ok" line per scenario.
 * Names: A is the first anon_vma of mapping 0, B/C those of later forks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../lib/procs.h"
#include "../lib/tap.h"
#include "checkrun.h"
#include "dump.h"

static void print_verdict(void *arg, const struct mmctl_violation *v)
{
	(void)arg;
	printf("#   checker: %s on %016llx expected %llu found %llu\n",
	       mmctl_rules[v->rule].name, (unsigned long long)v->object,
	       (unsigned long long)v->expected, (unsigned long long)v->found);
}

static long pg;

/* A setup step (process operation) that fails fails the scenario loudly. */
#define SETUP(x) do {							\
	int _r = (x);							\
	if (_r) {							\
		printf("#   setup failed at line %d: %s: %s\n", __LINE__,	\
		       #x, strerror(-_r));				\
		return 0;						\
	}								\
} while (0)

/* Keep the raw dump where the address scan will read it. */
static void save(const struct mm_dump *d)
{
	static int seq;
	const char *dir = getenv("MMCTL_DUMP_DIR");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/scenario-%d-%03d.bin", dir, (int)getpid(), seq++);
	f = fopen(path, "w");
	if (f) {
		fwrite(d->buf, 1, d->len, f);
		fclose(f);
	}
}

/*
 * Facts every quiescent dump of these scenarios must show: interval trees
 * ordered with correct cached subtree_last and leftmost, every chain entry
 * pointing back at its VMA and ending at the family root, and no folio
 * outside its VMA's chain or at the wrong index.
 */
static void sane(const struct mm_dump *d, int *ok)
{
	for (size_t i = 0; i < d->nr_trees; i++)
		EXPECT(ok, d->trees[i]->flags == 0, "tree node flags %#x", d->trees[i]->flags);
	for (size_t i = 0; i < d->nr_avs; i++)
		EXPECT(ok, d->avs[i]->tree_flags == 0 && d->avs[i]->tree_avcs > 0,
		       "anon_vma tree_flags %#x, %u nodes", d->avs[i]->tree_flags,
		       d->avs[i]->tree_avcs);
	for (size_t i = 0; i < d->nr_chains; i++) {
		const struct mmctl_rec_chain *c = d->chains[i];
		const struct mmctl_rec_vma *v = mm_dump_vma(d, c->vma_id);

		EXPECT(ok, !(c->flags & (MMCTL_CHAINF_VMA_MISMATCH | MMCTL_CHAINF_FOREIGN_ROOT)),
		       "chain flags %#x", c->flags);
		EXPECT(ok, mm_dump_av(d, c->anon_vma_id) != NULL, "chain names an anon_vma not in the dump");
		/* Only where the kernel keeps chains root-last (docs/checker.md). */
		if (v && c->pos + 1 == v->chain_len && (d->hdr->flags & MMCTL_DUMPF_ROOT_LAST))
			EXPECT(ok, c->anon_vma_id == v->root_id, "last chain entry is not the root");
	}
	for (size_t i = 0; i < d->nr_folios; i++)
		EXPECT(ok, d->folios[i]->outside_chain == 0 && d->folios[i]->index_mismatch == 0,
		       "folio mismatches in a quiescent dump");
	EXPECT(ok, d->nr_families == d->hdr->nr_families, "family count");
	EXPECT(ok, d->hdr->flags & MMCTL_DUMPF_CONSISTENT, "module dump not marked consistent");

	/* The shared checker: a quiescent scenario has no verdict at all. */
	struct mmctl_check_result res;
	int r = mm_check_buf(d->buf, d->len, print_verdict, NULL, &res);

	EXPECT(ok, r == 0 && !res.count[MMCTL_SEV_ERROR] && !res.count[MMCTL_SEV_WARNING] &&
	       !res.count[MMCTL_SEV_TRANSIENT] && !res.partial,
	       "checker: %d, %u errors, %u warnings, %u transient", r,
	       res.count[MMCTL_SEV_ERROR], res.count[MMCTL_SEV_WARNING],
	       res.count[MMCTL_SEV_TRANSIENT]);
}

/* Dump @pid or fail the scenario. */
static int dump(struct mm_dump *d, pid_t pid, int *ok)
{
	int r = mm_dump_kmod(d, pid, 0);

	if (r) {
		tap_diag(ok, "dump of pid %d failed: %s", (int)pid, strerror(-r));
		return r;
	}
	save(d);
	sane(d, ok);
	return 0;
}

static const struct mmctl_rec_vma *target_vma(const struct mm_dump *d, unsigned long start,
					      int *ok)
{
	const struct mmctl_rec_vma *v = mm_dump_vma_at(d, d->hdr->pid, start);

	if (!v)
		tap_diag(ok, "pid %u: no VMA at %#lx", d->hdr->pid, start);
	else if (!(v->flags & MMCTL_VMAF_TARGET))
		tap_diag(ok, "VMA at %#lx not marked as the target's", start);
	return v;
}

/* anon_vma @id has (nc, nav, ref) and parent @parent (0: it is a root). */
static const struct mmctl_rec_anon_vma *
expect_av(const struct mm_dump *d, const char *name, uint64_t id, uint64_t parent,
	  uint64_t nc, uint64_t nav, uint32_t ref, int *ok)
{
	const struct mmctl_rec_anon_vma *a = mm_dump_av(d, id);

	if (!a) {
		tap_diag(ok, "anon_vma %s (%016llx) not in the dump", name,
			 (unsigned long long)id);
		return NULL;
	}
	if (a->num_children != nc || a->num_active_vmas != nav || a->refcount != ref)
		tap_diag(ok, "%s(nc,nav,ref) = (%llu,%llu,%u), expected (%llu,%llu,%u)",
			 name, (unsigned long long)a->num_children,
			 (unsigned long long)a->num_active_vmas, a->refcount,
			 (unsigned long long)nc, (unsigned long long)nav, ref);
	if (!parent) {
		EXPECT(ok, a->parent_id == id && a->root_id == id,
		       "%s should be a root (parent = root = self)", name);
	} else {
		EXPECT(ok, a->parent_id == parent, "%s has the wrong parent", name);
		EXPECT(ok, a->root_id != id, "%s claims to be its own root", name);
	}
	return a;
}

/*
 * The VMA's chain, head first, equals ids[0..n): in the kernel's order
 * where it keeps chains root-last (6.1, 6.12), else in ancestry order
 * (deepest first), which is the same list there (docs/checker.md).
 */
static void expect_chain(const struct mm_dump *d, const struct mmctl_rec_vma *v,
			 const uint64_t *ids, size_t n, const char *what, int *ok)
{
	uint64_t got[16] = { 0 };
	size_t len = d->hdr->flags & MMCTL_DUMPF_ROOT_LAST ? mm_dump_chain(d, v->id, got, 16) :
		mm_dump_chain_ancestry(d, v->id, got, 16);

	EXPECT(ok, len == n && v->chain_len == n, "%s: chain length %zu (record %u), expected %zu",
	       what, len, v->chain_len, n);
	for (size_t i = 0; i < n && i < len; i++)
		EXPECT(ok, got[i] == ids[i], "%s: chain[%zu] differs", what, i);
}

static void expect_pages(const struct mm_dump *d, const struct mmctl_rec_vma *v,
			 uint64_t av, uint64_t pages, const char *what, int *ok)
{
	uint64_t got = mm_dump_folio_pages(d, v->id, av);

	EXPECT(ok, got == pages, "%s: %llu pages point at it, expected %llu", what,
	       (unsigned long long)got, (unsigned long long)pages);
}

/* Every family member's VMA at @start, for @pid, is in @d. */
static void expect_member(const struct mm_dump *d, pid_t pid, unsigned long start,
			  int *ok)
{
	const struct mmctl_rec_vma *v = mm_dump_vma_at(d, (uint32_t)pid, start);

	EXPECT(ok, v != NULL, "family member pid %d's VMA at %#lx missing from pid %u's dump",
	       (int)pid, start, d->hdr->pid);
	if (v)
		EXPECT(ok, !(v->flags & MMCTL_VMAF_TARGET), "member VMA marked as target");
}

#define M0 PROCS_ADDR(0)
#define M1 PROCS_ADDR(1)

static int scen_read_only(struct procs *p)
{
	const struct mmctl_rec_folios *f;
	const struct mmctl_rec_vma *v;
	struct mm_dump d;
	int ok = 1;

	SETUP(procs_spawn(p, 0));
	SETUP(procs_mmap(p, 0, 0, 4));
	SETUP(procs_read(p, 0, 0, 0, 4));
	if (dump(&d, p->pid[0], &ok))
		return 0;
	v = target_vma(&d, M0, &ok);
	if (v) {
		EXPECT(&ok, v->anon_vma_id == 0, "a read fault created an anon_vma");
		EXPECT(&ok, v->chain_len == 0, "chain not empty");
		EXPECT(&ok, v->end - v->start == 4 * (uint64_t)pg, "size");
		f = mm_dump_folios(&d, v->id);
		EXPECT(&ok, f && f->zero == 4 && f->anon == 0,
		       "expected 4 zero-page PTEs and no anon page");
	}
	mm_dump_free(&d);
	return ok;
}

static int scen_write_one(struct procs *p)
{
	const struct mmctl_rec_vma *v;
	struct mm_dump d;
	int ok = 1;

	SETUP(procs_spawn(p, 0));
	SETUP(procs_mmap(p, 0, 0, 4));
	SETUP(procs_write(p, 0, 0, 0, 1));
	if (dump(&d, p->pid[0], &ok))
		return 0;
	v = target_vma(&d, M0, &ok);
	if (v && v->anon_vma_id) {
		expect_av(&d, "A", v->anon_vma_id, 0, 1, 1, 1, &ok);
		uint64_t a = v->anon_vma_id;

		expect_chain(&d, v, &a, 1, "P1", &ok);
		expect_pages(&d, v, v->anon_vma_id, 1, "A", &ok);
		EXPECT(&ok, d.nr_families >= 1, "no family record");
	} else {
		tap_diag(&ok, "written VMA has no anon_vma");
	}
	mm_dump_free(&d);
	return ok;
}

static int scen_fork(struct procs *p, int child_writes)
{
	const struct mmctl_rec_vma *v1, *v2;
	struct mm_dump d1, d2;
	uint64_t a, b, chain[2];
	int ok = 1;

	SETUP(procs_spawn(p, 0));
	SETUP(procs_mmap(p, 0, 0, 4));
	SETUP(procs_write(p, 0, 0, 0, 1));
	SETUP(procs_fork(p, 0, 1));
	if (child_writes)
		SETUP(procs_write(p, 1, 0, 0, 1));
	if (dump(&d1, p->pid[0], &ok))
		return 0;
	if (dump(&d2, p->pid[1], &ok)) {
		mm_dump_free(&d1);
		return 0;
	}
	v1 = target_vma(&d1, M0, &ok);
	v2 = target_vma(&d2, M0, &ok);
	if (v1 && v2) {
		a = v1->anon_vma_id;
		b = v2->anon_vma_id;
		EXPECT(&ok, a && b && a != b, "child must have its own anon_vma");
		expect_av(&d1, "A", a, 0, 2, 1, 2, &ok);
		expect_av(&d2, "B", b, a, 0, 1, 1, &ok);
		chain[0] = b;
		chain[1] = a;
		expect_chain(&d2, v2, chain, 2, "P2", &ok);
		expect_member(&d1, p->pid[1], M0, &ok);
		expect_pages(&d2, v2, b, child_writes ? 1 : 0, "P2 pages on B", &ok);
		expect_pages(&d2, v2, a, child_writes ? 0 : 1, "P2 pages on A", &ok);
	}
	mm_dump_free(&d1);
	mm_dump_free(&d2);
	return ok;
}

static int scen_fork_untouched(struct procs *p) { return scen_fork(p, 0); }
static int scen_fork_touched(struct procs *p) { return scen_fork(p, 1); }

static int scen_two_children(struct procs *p)
{
	const struct mmctl_rec_vma *v, *c1, *c2;
	struct mm_dump d;
	uint64_t c1_av;
	int ok = 1;

	SETUP(procs_spawn(p, 0));
	SETUP(procs_mmap(p, 0, 0, 4));
	SETUP(procs_write(p, 0, 0, 0, 1));
	SETUP(procs_fork(p, 0, 1));
	SETUP(procs_fork(p, 0, 2));
	if (dump(&d, p->pid[0], &ok))
		return 0;
	v = target_vma(&d, M0, &ok);
	c1 = mm_dump_vma_at(&d, (uint32_t)p->pid[1], M0);
	c2 = mm_dump_vma_at(&d, (uint32_t)p->pid[2], M0);
	EXPECT(&ok, c1 && c2, "children's VMAs missing from the family");
	if (!v || !c1 || !c2) {
		mm_dump_free(&d);
		return 0;
	}
	c1_av = c1->anon_vma_id;
	expect_av(&d, "A", v->anon_vma_id, 0, 3, 1, 3, &ok);
	expect_av(&d, "C1", c1->anon_vma_id, v->anon_vma_id, 0, 1, 1, &ok);
	expect_av(&d, "C2", c2->anon_vma_id, v->anon_vma_id, 0, 1, 1, &ok);
	mm_dump_free(&d);

	/* ... then C1 exits: A(2,1,2) and C1's anon_vma is gone. */
	SETUP(procs_exit(p, 1));
	if (dump(&d, p->pid[0], &ok))
		return 0;
	v = target_vma(&d, M0, &ok);
	if (v) {
		expect_av(&d, "A after C1 exit", v->anon_vma_id, 0, 2, 1, 2, &ok);
		EXPECT(&ok, !mm_dump_av(&d, c1_av), "C1's anon_vma outlived C1");
		EXPECT(&ok, !mm_dump_vma_at(&d, (uint32_t)p->pid[1], M0), "C1's VMA still listed");
	}
	mm_dump_free(&d);
	return ok;
}

static int scen_chain3(struct procs *p)
{
	const struct mmctl_rec_vma *v1, *v2, *v3;
	struct mm_dump d1, d3;
	uint64_t a, b, c, chain[3];
	int ok = 1;

	SETUP(procs_spawn(p, 0));
	SETUP(procs_mmap(p, 0, 0, 4));
	SETUP(procs_write(p, 0, 0, 0, 4));
	SETUP(procs_fork(p, 0, 1));
	SETUP(procs_fork(p, 1, 2));
	SETUP(procs_write(p, 2, 0, 0, 1));
	if (dump(&d1, p->pid[0], &ok))
		return 0;
	if (dump(&d3, p->pid[2], &ok)) {
		mm_dump_free(&d1);
		return 0;
	}
	v1 = target_vma(&d1, M0, &ok);
	v2 = mm_dump_vma_at(&d1, (uint32_t)p->pid[1], M0);
	v3 = target_vma(&d3, M0, &ok);
	expect_member(&d1, p->pid[1], M0, &ok);
	expect_member(&d1, p->pid[2], M0, &ok);
	if (v1 && v2 && v3) {
		a = v1->anon_vma_id;
		b = v2->anon_vma_id;
		c = v3->anon_vma_id;
		expect_av(&d1, "A", a, 0, 2, 1, 3, &ok);
		expect_av(&d1, "B", b, a, 1, 1, 1, &ok);
		expect_av(&d3, "C", c, b, 0, 1, 1, &ok);
		expect_chain(&d1, v1, &a, 1, "P1", &ok);
		chain[0] = b;
		chain[1] = a;
		expect_chain(&d1, v2, chain, 2, "P2", &ok);
		chain[0] = c;
		chain[1] = b;
		chain[2] = a;
		expect_chain(&d3, v3, chain, 3, "P3", &ok);
		/* P3 wrote page 0 (on C); pages 1-3 are still P1's, on A. */
		expect_pages(&d3, v3, c, 1, "P3 pages on C", &ok);
		expect_pages(&d3, v3, b, 0, "P3 pages on B", &ok);
		expect_pages(&d3, v3, a, 3, "P3 pages on A", &ok);
		EXPECT(&ok, mm_dump_folios(&d3, v3->id) &&
		       mm_dump_folios(&d3, v3->id)->outside_chain == 0 &&
		       mm_dump_folios(&d3, v3->id)->index_mismatch == 0,
		       "P3 folio mismatches");
	}
	mm_dump_free(&d1);
	mm_dump_free(&d3);

	/* MMCTL_DUMP_MEMBER_FOLIOS: P1's dump carries P3's folio summary too. */
	if (mm_dump_kmod(&d1, p->pid[0], MMCTL_DUMP_MEMBER_FOLIOS)) {
		tap_diag(&ok, "member-folio dump failed");
		return 0;
	}
	save(&d1);
	sane(&d1, &ok);
	v3 = mm_dump_vma_at(&d1, (uint32_t)p->pid[2], M0);
	EXPECT(&ok, v3 && mm_dump_folios(&d1, v3->id), "no folio summary for member P3");
	if (v3) {
		expect_pages(&d1, v3, v3->anon_vma_id, 1, "member P3 pages on C", &ok);
		expect_pages(&d1, v3, v3->root_id, 3, "member P3 pages on A", &ok);
	}
	mm_dump_free(&d1);
	if (mm_dump_kmod(&d1, p->pid[0], 0) == 0) {
		v3 = mm_dump_vma_at(&d1, (uint32_t)p->pid[2], M0);
		EXPECT(&ok, v3 && !mm_dump_folios(&d1, v3->id),
		       "without the flag, members get no folio summary");
		mm_dump_free(&d1);
	}
	return ok;
}

static int scen_parent_unmaps(struct procs *p)
{
	const struct mmctl_rec_vma *v;
	const struct mmctl_rec_anon_vma *b;
	struct mm_dump d;
	int ok = 1;

	SETUP(procs_spawn(p, 0));
	SETUP(procs_mmap(p, 0, 0, 4));
	SETUP(procs_write(p, 0, 0, 0, 1));
	SETUP(procs_fork(p, 0, 1));
	SETUP(procs_munmap(p, 0, 0, 0, 4));
	if (dump(&d, p->pid[1], &ok))
		return 0;
	v = target_vma(&d, M0, &ok);
	b = v ? mm_dump_av(&d, v->anon_vma_id) : NULL;
	EXPECT(&ok, b != NULL, "P2's anon_vma missing");
	if (b) {
		EXPECT(&ok, b->parent_id != b->id, "B should have a parent");
		expect_av(&d, "B", b->id, b->parent_id, 0, 1, 1, &ok);
		expect_av(&d, "A (no VMA left)", b->parent_id, 0, 2, 0, 2, &ok);
	}
	mm_dump_free(&d);
	return ok;
}

static int scen_mprotect_split(struct procs *p)
{
	const struct mmctl_rec_vma *v[3];
	unsigned long starts[3] = { M0, M0 + pg, M0 + 3 * pg };
	struct mm_dump d;
	int ok = 1;

	SETUP(procs_spawn(p, 0));
	SETUP(procs_mmap(p, 0, 0, 4));
	SETUP(procs_write(p, 0, 0, 0, 4));
	SETUP(procs_mprotect(p, 0, 0, 1, 2, PROT_READ));
	if (dump(&d, p->pid[0], &ok))
		return 0;
	for (int i = 0; i < 3; i++) {
		uint64_t a;

		v[i] = target_vma(&d, starts[i], &ok);
		if (!v[i]) {
			mm_dump_free(&d);
			return 0;
		}
		EXPECT(&ok, v[i]->pgoff == starts[i] / pg, "VMA %d pgoff not linear", i);
		EXPECT(&ok, v[i]->anon_vma_id == v[0]->anon_vma_id, "VMA %d on another anon_vma", i);
		a = v[0]->anon_vma_id;
		expect_chain(&d, v[i], &a, 1, "split VMA", &ok);
	}
	EXPECT(&ok, !(v[1]->vm_flags & MMCTL_VM_WRITE) && (v[0]->vm_flags & MMCTL_VM_WRITE),
	       "protections not as set");
	expect_av(&d, "A", v[0]->anon_vma_id, 0, 1, 3, 1, &ok);
	mm_dump_free(&d);
	return ok;
}

static int scen_mremap(struct procs *p)
{
	const struct mmctl_rec_vma *v;
	struct mm_dump d;
	int ok = 1;

	SETUP(procs_spawn(p, 0));
	SETUP(procs_mmap(p, 0, 0, 4));
	SETUP(procs_write(p, 0, 0, 0, 4));
	SETUP(procs_mremap(p, 0, 0, 4, 1, 0));
	if (dump(&d, p->pid[0], &ok))
		return 0;
	EXPECT(&ok, !mm_dump_vma_at(&d, d.hdr->pid, M0), "old range still mapped");
	v = target_vma(&d, M1, &ok);
	if (v) {
		EXPECT(&ok, v->pgoff == M0 / pg, "pgoff %#llx, expected the old address's %#lx",
		       (unsigned long long)v->pgoff, M0 / pg);
		expect_av(&d, "A", v->anon_vma_id, 0, 1, 1, 1, &ok);
		expect_pages(&d, v, v->anon_vma_id, 4, "moved pages on A", &ok);
		EXPECT(&ok, mm_dump_folios(&d, v->id) &&
		       mm_dump_folios(&d, v->id)->index_mismatch == 0,
		       "moved pages keep index == linear_page_index");
	}
	mm_dump_free(&d);
	return ok;
}

static const struct {
	const char *name;
	int (*fn)(struct procs *p);
} scenarios[] = {
	{ "primer: mmap 4 pages, read them: no anon_vma", scen_read_only },
	{ "primer: write 1 page: A(1,1,1), chain [A]", scen_write_one },
	{ "primer: fault, fork P2 (untouched): A(2,1,2), B/A(0,1,1), chain [B,A]", scen_fork_untouched },
	{ "primer: fault, fork P2 (P2 writes): A(2,1,2), B/A(0,1,1), chain [B,A]", scen_fork_touched },
	{ "primer: fork C1 and C2: A(3,1,3); C1 exits: A(2,1,2)", scen_two_children },
	{ "primer: P1 -> P2 -> P3: A(2,1,3), B/A(1,1,1), C/B(0,1,1), folios", scen_chain3 },
	{ "primer: fork, parent munmaps: A(2,0,2) alive, B/A(0,1,1)", scen_parent_unmaps },
	{ "primer: mprotect middle 2 of 4: 3 VMAs on A(1,3,1), pgoff linear", scen_mprotect_split },
	{ "primer: mremap a faulted VMA: A(1,1,1), pgoff unchanged", scen_mremap },
};

int main(void)
{
	pg = sysconf(_SC_PAGESIZE);
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		struct procs p;
		int ok;

		if (procs_init(&p)) {
			tap_result(scenarios[i].name, 0);
			continue;
		}
		ok = scenarios[i].fn(&p);
		procs_cleanup(&p);
		tap_result(scenarios[i].name, ok);
	}
	return tap_failed ? 1 : 0;
}
