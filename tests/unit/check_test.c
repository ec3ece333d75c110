// SPDX-License-Identifier: GPL-2.0
/*
 * Checker unit tests over synthetic snapshots: each invariant satisfied by
 * a consistent model and violated by one corruption; the verdicts must be
 * exactly the expected (rule, object) set, with the primary violation's
 * expected and found values.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/harness.h"
#include "checkrun.h"
#include "model.h"

#define MAXV 64

struct got {
	struct mmctl_violation v[MAXV];
	int n;
	struct mmctl_check_result res;
};

static void collect(void *arg, const struct mmctl_violation *v)
{
	struct got *g = arg;

	if (g->n < MAXV)
		g->v[g->n++] = *v;
}

static int run(struct snap *s, struct got *g)
{
	memset(g, 0, sizeof(*g));
	return mm_check_buf(s->buf, s->len, collect, g, &g->res);
}

static void show(const struct got *g)
{
	for (int i = 0; i < g->n; i++)
		printf("#     got %s object=%llx expected=%llu found=%llu aux=%llx\n",
		       mmctl_rules[g->v[i].rule].name, (unsigned long long)g->v[i].object,
		       (unsigned long long)g->v[i].expected, (unsigned long long)g->v[i].found,
		       (unsigned long long)g->v[i].aux);
}

struct want {
	uint32_t rule;
	uint64_t object;
};

/* The verdicts are exactly @w (as a set of rule/object pairs). */
static int exact(const struct got *g, const struct want *w, int nw)
{
	int ok = 1;

	for (int i = 0; i < nw; i++) {
		int hit = 0;

		for (int k = 0; k < g->n; k++)
			hit |= g->v[k].rule == w[i].rule && g->v[k].object == w[i].object;
		if (!hit) {
			printf("#   missing %s on %llx\n", mmctl_rules[w[i].rule].name,
			       (unsigned long long)w[i].object);
			ok = 0;
		}
	}
	for (int k = 0; k < g->n; k++) {
		int hit = 0;

		for (int i = 0; i < nw; i++)
			hit |= g->v[k].rule == w[i].rule && g->v[k].object == w[i].object;
		if (!hit) {
			printf("#   unexpected %s on %llx\n", mmctl_rules[g->v[k].rule].name,
			       (unsigned long long)g->v[k].object);
			ok = 0;
		}
	}
	if (!ok)
		show(g);
	return ok;
}

/* The first verdict of @rule has these values. */
static int values(const struct got *g, uint32_t rule, uint64_t expected, uint64_t found)
{
	for (int k = 0; k < g->n; k++)
		if (g->v[k].rule == rule) {
			if (g->v[k].expected == expected && g->v[k].found == found)
				return 1;
			printf("#   %s: expected=%llu found=%llu, wanted %llu/%llu\n",
			       mmctl_rules[rule].name, (unsigned long long)g->v[k].expected,
			       (unsigned long long)g->v[k].found, (unsigned long long)expected,
			       (unsigned long long)found);
			return 0;
		}
	return 0;
}

enum { A = 0xA, B = 0xB, C = 0xC, D = 0xD };
enum { V1 = 0x101, V2 = 0x102, V3 = 0x103, V4 = 0x104 };
#define ADDR 0x200000000000ULL

/* P1 -> P2 -> P3: A(2,1,3), B/A(1,1,1), C/B(0,1,1), chains [A] [B,A] [C,B,A]. */
static void chain3(struct model *m)
{
	model_init(m);
	model_av(m, A, -1);
	model_av(m, B, 0);
	model_av(m, C, 1);
	model_vma(m, V1, 1, ADDR, 4, 0);
	model_vma(m, V2, 2, ADDR, 4, 1);
	model_vma(m, V3, 3, ADDR, 4, 2);
}

/* mprotect of the middle of 4 pages: 3 VMAs of P1 on A, pgoffs linear. */
static void split3(struct model *m)
{
	model_init(m);
	model_av(m, A, -1);
	model_vma(m, V1, 1, ADDR, 1, 0);
	model_vma(m, V2, 1, ADDR + 4096, 2, 0);
	model_vma(m, V3, 1, ADDR + 3 * 4096, 1, 0);
}

/* Returns the snapshot of @m and frees the model. */
static void emit(struct model *m, struct snap *s)
{
	model_emit(m, s);
	model_free(m);
}

static int chain_pred(const void *r, const void *arg)
{
	const struct mmctl_rec_chain *c = r;
	const uint64_t *k = arg;	/* vma, pos */

	return c->vma_id == k[0] && c->pos == k[1];
}

static struct mmctl_rec_chain *chain_rec(struct snap *s, uint64_t vma, uint64_t pos)
{
	uint64_t k[2] = { vma, pos };

	return snap_find(s, MMCTL_REC_CHAIN, chain_pred, k);
}

static int tree_pred(const void *r, const void *arg)
{
	const struct mmctl_rec_tree *t = r;
	const uint64_t *k = arg;	/* anon_vma, pos */

	return t->anon_vma_id == k[0] && t->pos == k[1];
}

static struct mmctl_rec_tree *tree_rec(struct snap *s, uint64_t av, uint64_t pos)
{
	uint64_t k[2] = { av, pos };

	return snap_find(s, MMCTL_REC_TREE, tree_pred, k);
}

/*
 * Each test owns a model, the snapshot emitted from it and the verdicts;
 * the teardown frees them whether the test passed or not.
 */
FIXTURE(check) {
	struct model m;
	struct snap s;
	struct got g;
};

FIXTURE_SETUP(check)
{
}

FIXTURE_TEARDOWN(check)
{
	model_free(&self->m);
	snap_free(&self->s);
}

/* ---- satisfied ---------------------------------------------------------- */

TEST_F(check, t_clean_chain3, "check: consistent P1->P2->P3 snapshot has no verdicts")
{
	chain3(&self->m);
	emit(&self->m, &self->s);
	ASSERT_EQ(0, run(&self->s, &self->g));
	EXPECT_TRUE(exact(&self->g, NULL, 0));
	EXPECT_EQ(3, self->g.res.nr_anon_vmas);
	EXPECT_EQ(3, self->g.res.nr_vmas);
	EXPECT_EQ(0, self->g.res.partial);
}

/* Every TREE record made a type no reader knows (skipped, as a newer one is). */
static void strip_trees(struct snap *s)
{
	for (size_t off = 0; off + sizeof(struct mmctl_rec_hdr) <= s->len;) {
		struct mmctl_rec_hdr *h = (void *)(s->buf + off);

		if (h->size < sizeof(*h))
			break;
		if (h->type == MMCTL_REC_TREE)
			h->type = 0x7fff;
		off += h->size;
	}
}

/*
 * MMCTL_DUMP_NO_TREE (tree, vmas): no TREE records, and the dump says so.
 * I3 is not judged (the result says which), I5 is counted from the VMAs.
 */
TEST_F(check, t_no_tree, "check: a dump without tree nodes (DUMPF_NO_TREE) is clean, I3 not judged")
{
	chain3(&self->m);
	self->m.dump_flags |= MMCTL_DUMPF_NO_TREE;
	emit(&self->m, &self->s);
	strip_trees(&self->s);
	ASSERT_EQ(0, run(&self->s, &self->g));
	EXPECT_TRUE(exact(&self->g, NULL, 0));
	EXPECT_EQ(MMCTL_PARTIAL_I3, self->g.res.partial);
}

/*
 * MMCTL_DUMP_NO_FAMILIES (top): the target's VMA and chain only, no other
 * process's records, and of the anon_vmas only those whose tree begins with
 * the target's node: here none. Partial, and clean; the same records without
 * the flag give I1-fork (the own anon_vma unknown at the chain's head).
 */
static void own_part(struct snap *s, uint64_t vma)
{
	for (size_t off = 0; off + sizeof(struct mmctl_rec_hdr) <= s->len;) {
		struct mmctl_rec_hdr *h = (void *)(s->buf + off);
		const struct mmctl_rec_vma *v = (const void *)h;
		const struct mmctl_rec_chain *c = (const void *)h;

		if (h->size < sizeof(*h))
			break;
		if (h->type == MMCTL_REC_TREE || h->type == MMCTL_REC_ANON_VMA ||
		    h->type == MMCTL_REC_FAMILY ||
		    (h->type == MMCTL_REC_VMA && v->id != vma) ||
		    (h->type == MMCTL_REC_CHAIN && c->vma_id != vma))
			h->type = 0x7fff;
		off += h->size;
	}
}

static int count_rule(const struct got *g, __u32 rule)
{
	int n = 0;

	for (int i = 0; i < g->n; i++)
		n += g->v[i].rule == rule;
	return n;
}

TEST_F(check, t_no_families, "check: the target's part of its families (DUMPF_NO_FAMILIES) is clean, partial")
{
	chain3(&self->m);
	self->m.dump_flags &= ~MMCTL_DUMPF_ROOT_LAST;
	self->m.dump_flags |= MMCTL_DUMPF_NO_TREE | MMCTL_DUMPF_NO_FAMILIES | MMCTL_DUMPF_PARTIAL;
	emit(&self->m, &self->s);
	own_part(&self->s, V3);
	ASSERT_EQ(0, run(&self->s, &self->g));
	EXPECT_TRUE(exact(&self->g, NULL, 0));
	EXPECT_EQ(1, self->g.res.nr_vmas);
	EXPECT_NE(0, self->g.res.partial & MMCTL_PARTIAL_I1);
}

TEST_F(check, t_no_families_unflagged, "check: the same part without DUMPF_NO_FAMILIES is I1-fork")
{
	chain3(&self->m);
	self->m.dump_flags &= ~MMCTL_DUMPF_ROOT_LAST;
	self->m.dump_flags |= MMCTL_DUMPF_NO_TREE | MMCTL_DUMPF_PARTIAL;
	emit(&self->m, &self->s);
	own_part(&self->s, V3);
	ASSERT_EQ(0, run(&self->s, &self->g));
	EXPECT_EQ(1, count_rule(&self->g, MMCTL_R_I1_FORK));
}

/* The same records without the flag: the missing nodes are I3 errors. */
TEST_F(check, t_no_tree_unflagged, "check: tree nodes missing without DUMPF_NO_TREE are I3 verdicts")
{
	int i3 = 0;

	chain3(&self->m);
	emit(&self->m, &self->s);
	strip_trees(&self->s);
	ASSERT_EQ(0, run(&self->s, &self->g));
	for (int i = 0; i < self->g.n; i++)
		i3 += self->g.v[i].rule == MMCTL_R_I3_COUNT;
	EXPECT_EQ(3, i3);
	EXPECT_EQ(0, self->g.res.partial);
}

/*
 * 7.2's chain order: P3's chain [C, A, B] (the clone keeps the source
 * order). A dump without MMCTL_DUMPF_ROOT_LAST is clean; with it, the same
 * chain is I1-chain-last (t_i1_last).
 */
TEST_F(check, t_clean_chain_order_72,
       "check: 7.2 chain order [C,A,B] without DUMPF_ROOT_LAST is clean")
{
	chain3(&self->m);
	self->m.dump_flags &= ~MMCTL_DUMPF_ROOT_LAST;
	emit(&self->m, &self->s);
	chain_rec(&self->s, V3, 1)->pos = 9;	/* [C, B, A] -> [C, A, B] */
	chain_rec(&self->s, V3, 2)->pos = 1;
	chain_rec(&self->s, V3, 9)->pos = 2;
	ASSERT_EQ(0, run(&self->s, &self->g));
	EXPECT_TRUE(exact(&self->g, NULL, 0));
}

/*
 * anon_vma reuse: P2 forked P3 (C under B) and unmapped, so B has no
 * active VMA and one child; P3's fork P4 reuses B: P4's VMA has
 * anon_vma B but its chain head is C. All invariants hold.
 */
TEST_F(check, t_clean_reuse, "check: anon_vma reuse (chain head != vma->anon_vma) is clean")
{
	int v4;

	model_init(&self->m);
	model_av(&self->m, A, -1);
	model_av(&self->m, B, 0);
	model_av(&self->m, C, 1);
	model_vma(&self->m, V1, 1, ADDR, 4, 0);
	model_vma(&self->m, V3, 3, ADDR, 4, 2);
	v4 = model_vma(&self->m, V4, 4, ADDR, 4, 2);
	self->m.vma[v4].av = 1;	/* reused B; chain stays [C, B, A] */
	emit(&self->m, &self->s);
	ASSERT_EQ(0, run(&self->s, &self->g));
	EXPECT_TRUE(exact(&self->g, NULL, 0));
	EXPECT_EQ(1, self->s.avr[1]->num_active_vmas);
	EXPECT_EQ(1, self->s.avr[1]->num_children);
}

TEST_F(check, t_clean_split, "check: split VMAs on one anon_vma are clean")
{
	split3(&self->m);
	emit(&self->m, &self->s);
	ASSERT_EQ(0, run(&self->s, &self->g));
	EXPECT_TRUE(exact(&self->g, NULL, 0));
}

/* ---- violated ------------------------------------------------------------ */

/* The checker on the fixture's snapshot gives exactly the verdicts @w. */
static void verdicts(struct __test_metadata *_metadata, FIXTURE(check) *self,
		     const struct want *w, int nw)
{
	ASSERT_EQ(0, run(&self->s, &self->g));
	EXPECT_TRUE(exact(&self->g, w, nw));
}

/*
 * One corruption of a consistent snapshot: @setup builds the model,
 * @mutate changes the emitted records, and the verdicts must be exactly
 * the (rule, object) pairs given; CASE_X then runs @then, more
 * expectations on them.
 */
#define CASE_X(name, desc, then, setup, mutate, ...)			\
TEST_F(check, name, desc)						\
{									\
	const struct want w[] = { __VA_ARGS__ };			\
									\
	setup;								\
	emit(&self->m, &self->s);					\
	mutate;								\
	verdicts(_metadata, self, w, sizeof(w) / sizeof(w[0]));		\
	then;								\
}

#define CASE(name, desc, setup, mutate, ...)				\
	CASE_X(name, desc, (void)0, setup, mutate, __VA_ARGS__)

CASE(t_no_tree_i5, "check: I5 without tree nodes (DUMPF_NO_TREE): counted from the VMAs, exact",
     { chain3(&self->m); self->m.dump_flags |= MMCTL_DUMPF_NO_TREE; },
     { strip_trees(&self->s); self->s.avr[0]->num_active_vmas = 2; },
     { MMCTL_R_I5, A })
CASE(t_no_tree_summary, "check: without tree nodes, the anon_vma's tree summary: I3 order, I7 empty",
     { chain3(&self->m); self->m.dump_flags |= MMCTL_DUMPF_NO_TREE; },
     { strip_trees(&self->s); self->s.avr[1]->tree_flags |= MMCTL_TREEF_ORDER;
       self->s.avr[2]->tree_avcs = 0; },
     { MMCTL_R_I3_ORDER, B }, { MMCTL_R_I7_EMPTY, C })
CASE(t_record, "check: R-record: chain entry of an unknown VMA",
     chain3(&self->m),
     { struct mmctl_rec_chain *c = snap_add(&self->s, MMCTL_REC_CHAIN, sizeof(*c));
       c->vma_id = 0xdead; c->anon_vma_id = A; c->avc_id = 0xbeef; },
     { MMCTL_R_RECORD, 0xdead })
CASE(t_i1_anon_vma, "check: I1-chain-anon_vma",
     chain3(&self->m), self->s.vmar[0]->anon_vma_id = B,
     { MMCTL_R_I1_ANON_VMA, V1 }, { MMCTL_R_I5, A }, { MMCTL_R_I8, B }, { MMCTL_R_I10, B })
CASE(t_i1_avc_vma, "check: I1-chain-avc_vma",
     chain3(&self->m), chain_rec(&self->s, V3, 1)->flags |= MMCTL_CHAINF_VMA_MISMATCH,
     { MMCTL_R_I1_AVC_VMA, V3 })
CASE(t_i1_dup, "check: I1-chain-duplicate",
     chain3(&self->m), chain_rec(&self->s, V3, 1)->anon_vma_id = A,
     { MMCTL_R_I1_DUP, V3 }, { MMCTL_R_I1_CLOSED, V3 }, { MMCTL_R_I3_NOT_IN_TREE, V3 },
     { MMCTL_R_I3_NOT_ON_CHAIN, B })
CASE(t_i1_root, "check: I1-chain-root",
     chain3(&self->m), chain_rec(&self->s, V2, 0)->flags |= MMCTL_CHAINF_FOREIGN_ROOT,
     { MMCTL_R_I1_ROOT, V2 })
CASE(t_i1_last, "check: I1-chain-last",
     chain3(&self->m),
     { chain_rec(&self->s, V3, 2)->pos = 9; chain_rec(&self->s, V3, 0)->pos = 2;
       chain_rec(&self->s, V3, 9)->pos = 0; },
     { MMCTL_R_I1_LAST, V3 })
CASE(t_i1_closed, "check: I1-chain-ancestors (parent missing from chain)",
     { chain3(&self->m); self->m.vma[2].chain[1] = 0; self->m.vma[2].nchain = 2; },
     (void)0, { MMCTL_R_I1_CLOSED, V3 })
CASE(t_i1_unknown, "check: I1-chain-unknown",
     chain3(&self->m), chain_rec(&self->s, V3, 0)->anon_vma_id = 0xeeee,
     { MMCTL_R_I1_UNKNOWN, V3 }, { MMCTL_R_I1_ANON_VMA, V3 },
     { MMCTL_R_I3_NOT_ON_CHAIN, C })
CASE(t_i1_len, "check: I1-chain-length",
     chain3(&self->m), self->s.vmar[1]->chain_len = 5, { MMCTL_R_I1_LEN, V2 })
CASE(t_i2_empty, "check: I2-empty-chain",
     { chain3(&self->m); self->m.vma[0].nchain = 0; }, (void)0,
     { MMCTL_R_I2_EMPTY, V1 }, { MMCTL_R_I5, A })
CASE(t_i3_not_in_tree, "check: I3-avc-not-in-tree / tree-node-not-on-chain",
     chain3(&self->m), tree_rec(&self->s, B, 0)->avc_id = 0x999,
     { MMCTL_R_I3_NOT_IN_TREE, V2 }, { MMCTL_R_I3_NOT_ON_CHAIN, B })
CASE(t_i3_leftmost, "check: I3-leftmost",
     chain3(&self->m), self->s.avr[0]->tree_flags |= MMCTL_TREEF_LEFTMOST,
     { MMCTL_R_I3_LEFTMOST, A })
CASE(t_i3_count, "check: I3-tree-count",
     chain3(&self->m), self->s.avr[0]->tree_avcs = 7, { MMCTL_R_I3_COUNT, A })
CASE(t_i3_order_flag, "check: I3-tree-order (kernel flag)",
     chain3(&self->m), tree_rec(&self->s, A, 1)->flags |= MMCTL_TREEF_ORDER,
     { MMCTL_R_I3_ORDER, A })
CASE(t_i4_parent, "check: I4-parent",
     chain3(&self->m), self->s.avr[2]->parent_id = 0xf00,
     { MMCTL_R_I4_PARENT, C }, { MMCTL_R_I6, B })
CASE(t_i7_ref, "check: I7-refcount",
     chain3(&self->m), self->s.avr[1]->refcount = 0, { MMCTL_R_I7_REF, B })
CASE(t_i7_empty, "check: I7-empty-tree",
     { chain3(&self->m); model_av(&self->m, D, 0); }, (void)0, { MMCTL_R_I7_EMPTY, D })
CASE(t_i9_folio_av, "check: I9-folio-anon_vma",
     chain3(&self->m),
     { struct mmctl_rec_folio_av *f = snap_add(&self->s, MMCTL_REC_FOLIO_AV, sizeof(*f));
       f->vma_id = V1; f->anon_vma_id = B; f->pages = 2; },
     { MMCTL_R_I9_FOLIO_AV, V1 })

CASE_X(t_i5, "check: I5-num_active_vmas",
     EXPECT_TRUE(values(&self->g, MMCTL_R_I5, 1, 2)),
     chain3(&self->m), self->s.avr[0]->num_active_vmas = 2, { MMCTL_R_I5, A })
/* The root's self-count missing: num_children 1 instead of 2. */
CASE_X(t_i6_root_self, "check: I6-num_children (root self-count missing)",
     EXPECT_TRUE(values(&self->g, MMCTL_R_I6, 2, 1)),
     chain3(&self->m), self->s.avr[0]->num_children = 1, { MMCTL_R_I6, A })
CASE_X(t_i7_root_ref, "check: I7-root-refcount",
     EXPECT_TRUE(values(&self->g, MMCTL_R_I7_ROOT_REF, 3, 2)),
     chain3(&self->m), self->s.avr[0]->refcount = 2, { MMCTL_R_I7_ROOT_REF, A })
CASE_X(t_i7_root_extra, "check: I7-root-refcount-extra is a warning",
     { EXPECT_TRUE(values(&self->g, MMCTL_R_I7_ROOT_EXTRA, 3, 5));
       EXPECT_EQ(1, self->g.res.count[MMCTL_SEV_WARNING]);
       EXPECT_EQ(0, self->g.res.count[MMCTL_SEV_ERROR]); },
     chain3(&self->m), self->s.avr[0]->refcount = 5, { MMCTL_R_I7_ROOT_EXTRA, A })
/* A wrong cached rb_subtree_last, reported with both values. */
CASE_X(t_i3_subtree, "check: I3-rb_subtree_last wrong",
     EXPECT_TRUE(values(&self->g, MMCTL_R_I3_SUBTREE, (ADDR >> 12) + 3, (ADDR >> 12) + 8)),
     chain3(&self->m), tree_rec(&self->s, A, 2)->subtree_last += 5,
     { MMCTL_R_I3_SUBTREE, A })
/* Two VMAs of P2 on B with different chain sets. */
CASE_X(t_i8, "check: I8-same-chain",
     EXPECT_TRUE(values(&self->g, MMCTL_R_I8, 2, 3)),
     { int v; chain3(&self->m); v = model_vma(&self->m, V4, 2, ADDR + (1 << 20), 4, 2);
	     self->m.vma[v].av = 1; },
     (void)0, { MMCTL_R_I8, B })
/*
 * CVE-2022-42703's state (the pre-2555283eb40d "degree" reuse rule): P3's
 * VMA reused B, which P2's live VMA still uses. Chains [B, A] both, counts
 * right (B: 2 active VMAs): only I10 sees it. The same two VMAs in one mm
 * (a split) are clean; in a lockless dump the verdict is transient.
 */
static void cve_42703(struct model *m, uint32_t pid3)
{
	model_init(m);
	model_av(m, A, -1);
	model_av(m, B, 0);
	model_vma(m, V1, 1, ADDR, 4, 0);
	model_vma(m, V2, 2, ADDR, 4, 1);
	model_vma(m, V3, pid3, ADDR + (pid3 == 2) * (4 << 12), 4, 1);
}

CASE_X(t_i10,
       "check: I10-two-mms: an anon_vma reused while a live VMA of another mm uses it "
       "(CVE-2022-42703)",
     { EXPECT_TRUE(values(&self->g, MMCTL_R_I10, V2, V3));
       EXPECT_EQ(1, self->g.res.count[MMCTL_SEV_ERROR]); },
     cve_42703(&self->m, 3), (void)0, { MMCTL_R_I10, B })
CASE_X(t_i10_lockless, "check: I10-two-mms in a lockless dump: transient",
     { EXPECT_EQ(0, self->g.res.count[MMCTL_SEV_ERROR]);
       EXPECT_EQ(1, self->g.res.count[MMCTL_SEV_TRANSIENT]);
       EXPECT_EQ(MMCTL_FACT_LOCKLESS, self->g.v[0].fact); },
     cve_42703(&self->m, 3), self->s.dump->flags &= ~MMCTL_DUMPF_CONSISTENT,
     { MMCTL_R_I10, B })
/*
 * Two VMAs of one mm on one anon_vma (a split): clean. With @redact, the
 * second is read after its mm lost its owner (found by the storm on 7.2: a
 * process that exited during the walk), so redacted, no mm ID: an unknown
 * mm is not another mm, still clean.
 */
static void i10_one_mm(struct __test_metadata *_metadata, FIXTURE(check) *self, int redact)
{
	cve_42703(&self->m, 2);
	emit(&self->m, &self->s);
	if (redact) {
		self->s.vmar[2]->mm_id = 0;
		self->s.vmar[2]->pid = 0;
		self->s.vmar[2]->flags |= MMCTL_VMAF_REDACTED | MMCTL_VMAF_NO_OWNER;
	}
	ASSERT_EQ(0, run(&self->s, &self->g));
	if (self->g.n)
		show(&self->g);
	EXPECT_EQ(0, self->g.n);
	EXPECT_EQ(0, self->g.res.count[MMCTL_SEV_ERROR] + self->g.res.count[MMCTL_SEV_WARNING] +
		  self->g.res.count[MMCTL_SEV_TRANSIENT]);
}

TEST_F(check, t_i10_one_mm, "check: two VMAs of one mm sharing an anon_vma (a split): clean")
{
	i10_one_mm(_metadata, self, 0);
}

TEST_F(check, t_i10_redacted,
       "check: the same pair, the second redacted (its mm exiting, no mm ID): clean")
{
	i10_one_mm(_metadata, self, 1);
}

/*
 * Windows (docs/checker.md, "Windows"): a verdict is transient exactly when
 * a fact recorded in the dump explains it, and then every verdict of the
 * case is transient with that fact; without the fact the same snapshot is
 * all errors.
 */
static struct mmctl_rec_vma *vma_rec(struct snap *s, uint64_t id)
{
	for (size_t i = 0; i < s->nvma; i++)
		if (s->vmar[i]->id == id)
			return s->vmar[i];
	return NULL;
}

/* Every verdict is transient, explained by @fact (on @vma for MM_WRITER). */
static int explained(const struct got *g, uint32_t fact, uint64_t vma)
{
	for (int k = 0; k < g->n; k++)
		if (g->v[k].severity != MMCTL_SEV_TRANSIENT || g->v[k].fact != fact ||
		    g->v[k].fact_vma != vma) {
			show(g);
			return 0;
		}
	return g->n > 0 && g->res.count[MMCTL_SEV_TRANSIENT] == (uint32_t)g->n &&
		!g->res.count[MMCTL_SEV_ERROR];
}

/* Every verdict is an error with no fact. */
static int unexplained(const struct got *g)
{
	for (int k = 0; k < g->n; k++)
		if (g->v[k].severity != MMCTL_SEV_ERROR || g->v[k].fact || g->v[k].fact_vma) {
			show(g);
			return 0;
		}
	return g->n > 0 && g->res.count[MMCTL_SEV_ERROR] == (uint32_t)g->n;
}

#define WRITER(id) (vma_rec(&self->s, id)->flags |= MMCTL_VMAF_MM_WRITER)

/* dup_mmap() between anon_vma_clone() and anon_vma_fork()'s link. */
CASE_X(t_i2_fork_window, "check: I2-fork-window with the child's mm write-locked is transient",
     EXPECT_TRUE(explained(&self->g, MMCTL_FACT_MM_WRITER, V2)),
     { chain3(&self->m); self->m.vma[1].av = -1; }, WRITER(V2),
     { MMCTL_R_I2_FORK, V2 })
CASE_X(t_i2_fork_window_unexplained,
       "check: I2-fork-window without that fact is an error (the stress-ng case)",
     EXPECT_TRUE(unexplained(&self->g)),
     { chain3(&self->m); self->m.vma[1].av = -1; }, (void)0,
     { MMCTL_R_I2_FORK, V2 })
/*
 * anon_vma_fork() mid-way: P3's VMA has the cloned chain [B, A] and its new
 * anon_vma C assigned but not yet linked (C is on no chain, not counted).
 */
#define FORK_LINK_SETUP								\
	{ model_init(&self->m); model_av(&self->m, A, -1); model_av(&self->m, B, 0); \
	  model_vma(&self->m, V1, 1, ADDR, 4, 0); model_vma(&self->m, V2, 2, ADDR, 4, 1); \
	  model_vma(&self->m, V3, 3, ADDR, 4, 1); self->m.vma[2].av = -1; }
CASE_X(t_i1_fork_link, "check: I1-fork-link-window with the VMA's mm write-locked is transient",
     EXPECT_TRUE(explained(&self->g, MMCTL_FACT_MM_WRITER, V3)),
     FORK_LINK_SETUP, { self->s.vmar[2]->anon_vma_id = C; WRITER(V3); },
     { MMCTL_R_I1_FORK, V3 })
CASE_X(t_i1_fork_link_unexplained, "check: I1-fork-link-window without that fact is an error",
     EXPECT_TRUE(unexplained(&self->g)),
     FORK_LINK_SETUP, self->s.vmar[2]->anon_vma_id = C,
     { MMCTL_R_I1_FORK, V3 })
/*
 * The same window on 7.2 (no DUMPF_ROOT_LAST): its anon_vma_fork() has
 * already put C at the head of P3's chain, tree insertion still pending.
 */
#define FORK_HEAD_C								\
	{ chain_rec(&self->s, V3, 1)->pos = 2; chain_rec(&self->s, V3, 0)->pos = 1; \
	  struct mmctl_rec_chain *h = snap_add(&self->s, MMCTL_REC_CHAIN, sizeof(*h)); \
	  h->vma_id = V3; h->pos = 0; h->anon_vma_id = C; h->avc_id = 0xc0c0; \
	  self->s.vmar[2]->anon_vma_id = C; self->s.vmar[2]->chain_len = 3; }
CASE_X(t_i1_fork_head_72,
       "check: 7.2 fork window (new anon_vma at the chain head, not in a tree), mm write-locked: "
       "transient",
     EXPECT_TRUE(explained(&self->g, MMCTL_FACT_MM_WRITER, V3)),
     
     { FORK_LINK_SETUP; self->m.dump_flags &= ~MMCTL_DUMPF_ROOT_LAST; },
     { FORK_HEAD_C; WRITER(V3); }, { MMCTL_R_I1_FORK, V3 })
CASE_X(t_i1_fork_head_72_unexplained, "check: 7.2 fork window without that fact is an error",
     EXPECT_TRUE(unexplained(&self->g)),
     
     { FORK_LINK_SETUP; self->m.dump_flags &= ~MMCTL_DUMPF_ROOT_LAST; },
     FORK_HEAD_C, { MMCTL_R_I1_FORK, V3 })
/* On a root-last kernel the same chain is corruption: nothing links first. */
CASE_X(t_i1_fork_head_61,
       "check: the same chain on a root-last kernel is I1-chain-unknown, write-locked or not",
     EXPECT_TRUE(unexplained(&self->g)),
     FORK_LINK_SETUP, { FORK_HEAD_C; WRITER(V3); },
     { MMCTL_R_I1_UNKNOWN, V3 })
/*
 * A split destination V4 of P3's VMA while anon_vma_clone() has dropped the
 * root lock (6.1/6.12 GFP_NOWAIT failure): V4 has vm_area_dup()'s anon_vma
 * C but only the root copied so far, and C's num_active_vmas is not
 * incremented yet. Chain of V4 misses C (I1), C's users disagree (I8).
 */
#define PARTIAL_CLONE_SETUP							\
	{ int v4; chain3(&self->m); v4 = model_vma(&self->m, V4, 3, ADDR + (1 << 20), 4, 2); \
	  self->m.vma[v4].chain[0] = 0; self->m.vma[v4].nchain = 1; }
CASE_X(t_partial_clone,
       "check: anon_vma_clone() dropped its lock mid-copy (write-locked): I1 and I8 transient",
     EXPECT_TRUE(explained(&self->g, MMCTL_FACT_MM_WRITER, V4)),
     PARTIAL_CLONE_SETUP,
     { self->s.avr[2]->num_active_vmas = 1; WRITER(V4); },
     { MMCTL_R_I1_ANON_VMA, V4 }, { MMCTL_R_I8, C })
CASE_X(t_partial_clone_unexplained,
       "check: the same partial chain without the fact: I1 and I8 errors",
     EXPECT_TRUE(unexplained(&self->g)),
     PARTIAL_CLONE_SETUP, self->s.avr[2]->num_active_vmas = 1,
     { MMCTL_R_I1_ANON_VMA, V4 }, { MMCTL_R_I8, C })
/* A write-locked mm explains nothing about anon_vmas its VMA does not name. */
CASE_X(t_writer_elsewhere,
       "check: a write-locked VMA explains nothing about an anon_vma it does not name",
     EXPECT_TRUE(unexplained(&self->g)),
     chain3(&self->m), { WRITER(V1); self->s.avr[2]->num_active_vmas = 2; },
     { MMCTL_R_I5, C })
/* ... nor rules that no window breaks. */
CASE_X(t_writer_not_window,
       "check: a write-locked VMA does not explain rules no window breaks (I7)",
     EXPECT_TRUE(unexplained(&self->g)),
     chain3(&self->m), { WRITER(V3); self->s.avr[2]->refcount = 0; },
     { MMCTL_R_I7_REF, C })
/* __split_vma()'s 6.1 error path: new VMA's pgoff rewritten in the tree. */
CASE_X(t_i3_order_writer,
       "check: I3-tree-order at a node whose VMA's mm is write-locked is transient",
     EXPECT_TRUE(explained(&self->g, MMCTL_FACT_MM_WRITER, tree_rec(&self->s, A, 1)->vma_id)),
     chain3(&self->m),
     { tree_rec(&self->s, A, 1)->flags |= MMCTL_TREEF_ORDER;
       WRITER(tree_rec(&self->s, A, 1)->vma_id); },
     { MMCTL_R_I3_ORDER, A })
/* A lockless dump (BPF) explains the windows by itself, nothing else. */
CASE_X(t_lockless_window, "check: a lockless dump explains window rules (I2-fork-window) by itself",
     EXPECT_TRUE(explained(&self->g, MMCTL_FACT_LOCKLESS, 0)),
     { chain3(&self->m); self->m.vma[1].av = -1; self->m.dump_flags &= ~MMCTL_DUMPF_CONSISTENT; },
     (void)0, { MMCTL_R_I2_FORK, V2 })
CASE_X(t_lockless_not_window, "check: a lockless dump does not explain I7-refcount",
     EXPECT_TRUE(unexplained(&self->g)),
     { chain3(&self->m); self->m.dump_flags &= ~MMCTL_DUMPF_CONSISTENT; },
     self->s.avr[1]->refcount = 0, { MMCTL_R_I7_REF, B })

/* Values-based order check: split VMAs with tree positions swapped. */
TEST_F(check, t_i3_order_values, "check: I3-tree-order (from values)")
{
	const struct want w[] = { { MMCTL_R_I3_ORDER, A } };
	struct mmctl_rec_tree *t0, *t2;

	split3(&self->m);
	emit(&self->m, &self->s);
	t0 = tree_rec(&self->s, A, 0);
	t2 = tree_rec(&self->s, A, 2);
	t0->pos = 2;
	t2->pos = 0;
	ASSERT_EQ(0, run(&self->s, &self->g));
	EXPECT_TRUE(exact(&self->g, w, 1));
	EXPECT_TRUE(values(&self->g, MMCTL_R_I3_ORDER, (ADDR >> 12) + 3, (ADDR >> 12) + 1));
}

TEST_F(check, t_i3_range, "check: I3-tree-range")
{
	struct mmctl_rec_tree *t;

	chain3(&self->m);
	emit(&self->m, &self->s);
	t = tree_rec(&self->s, A, 2);
	t->start_pgoff += 1;
	{
		const struct want w[] = { { MMCTL_R_I3_RANGE, t->vma_id } };

		ASSERT_EQ(0, run(&self->s, &self->g));
		EXPECT_TRUE(exact(&self->g, w, 1));
	}
}

/* A cycle in parent links: A's parent set to C (A -> C -> B -> A). */
TEST_F(check, t_i4_cycle, "check: I4-cycle in parent links")
{
	int found = 0;

	chain3(&self->m);
	emit(&self->m, &self->s);
	self->s.avr[0]->parent_id = C;
	ASSERT_EQ(0, run(&self->s, &self->g));
	for (int k = 0; k < self->g.n; k++)
		found |= self->g.v[k].rule == MMCTL_R_I4_CYCLE;
	if (!found)
		show(&self->g);
	EXPECT_TRUE(found);
}

TEST_F(check, t_i4_root, "check: I4-root")
{
	int found = 0;

	chain3(&self->m);
	emit(&self->m, &self->s);
	self->s.avr[2]->root_id = C;	/* C claims to be a root but has a parent */
	ASSERT_EQ(0, run(&self->s, &self->g));
	for (int k = 0; k < self->g.n; k++)
		found |= self->g.v[k].rule == MMCTL_R_I4_ROOT && self->g.v[k].object == C;
	if (!found)
		show(&self->g);
	EXPECT_TRUE(found);
}

/* A folio pointing outside the chain, and one at the wrong index. */
TEST_F(check, t_i9, "check: I9-folio-outside-chain and I9-folio-index")
{
	const struct want w[] = { { MMCTL_R_I9_OUTSIDE, V3 }, { MMCTL_R_I9_INDEX, V3 } };
	struct mmctl_rec_folios *f;
	struct mmctl_rec_sample *sa;

	chain3(&self->m);
	emit(&self->m, &self->s);
	f = snap_add(&self->s, MMCTL_REC_FOLIOS, sizeof(*f));
	f->vma_id = V3;
	f->present = f->anon = 4;
	f->outside_chain = 1;
	f->index_mismatch = 2;
	f->flags = MMCTL_FOLIOSF_WALKED;
	sa = snap_add(&self->s, MMCTL_REC_SAMPLE, sizeof(*sa));
	sa->vma_id = V3;
	sa->kind = MMCTL_SAMPLE_OUTSIDE_CHAIN;
	sa->addr = ADDR + 4096;
	sa->anon_vma_id = 0x5151;
	ASSERT_EQ(0, run(&self->s, &self->g));
	EXPECT_TRUE(exact(&self->g, w, 2));
	EXPECT_TRUE(values(&self->g, MMCTL_R_I9_OUTSIDE, 0, 1));
	EXPECT_TRUE(values(&self->g, MMCTL_R_I9_INDEX, 0, 2));
	for (int k = 0; k < self->g.n; k++)
		if (self->g.v[k].rule == MMCTL_R_I9_OUTSIDE)
			EXPECT_EQ(ADDR + 4096, self->g.v[k].aux);
}

/* Lower-bound mode: counts above what a partial dump sees are fine. */
TEST_F(check, t_partial, "check: lower-bound mode for partial dumps")
{
	chain3(&self->m);
	self->m.dump_flags = MMCTL_DUMPF_PARTIAL;
	emit(&self->m, &self->s);
	self->s.avr[0]->num_active_vmas = 3;	/* more than seen: unknowable */
	self->s.avr[0]->refcount = 9;		/* extra refs not judged */
	ASSERT_EQ(0, run(&self->s, &self->g));
	EXPECT_TRUE(exact(&self->g, NULL, 0));
	EXPECT_TRUE(self->g.res.partial & MMCTL_PARTIAL_I5);
	EXPECT_TRUE(self->g.res.partial & MMCTL_PARTIAL_I6);
	/* ...but fewer than seen is still an error. */
	self->s.avr[0]->num_active_vmas = 0;
	{
		const struct want w[] = { { MMCTL_R_I5, A } };

		ASSERT_EQ(0, run(&self->s, &self->g));
		EXPECT_TRUE(exact(&self->g, w, 1));
	}
}

/* Reverse the records after the dump record (a valid, unordered dump). */
static void reverse_records(struct snap *s)
{
	size_t n = 0, off, first = s->dump->hdr.size;
	size_t *offs = NULL;
	char *out = malloc(s->len);

	for (off = first; off < s->len; off += ((struct mmctl_rec_hdr *)(s->buf + off))->size) {
		offs = realloc(offs, (n + 1) * sizeof(*offs));
		offs[n++] = off;
	}
	memcpy(out, s->buf, first);
	off = first;
	while (n--) {
		size_t sz = ((struct mmctl_rec_hdr *)(s->buf + offs[n]))->size;

		memcpy(out + off, s->buf + offs[n], sz);
		off += sz;
	}
	memcpy(s->buf, out, s->len);
	free(out);
	free(offs);
}

/* Records in any order are judged the same (the grouping slow path). */
TEST_F(check, t_unordered, "check: records in reverse order give the same verdicts")
{
	const struct want w[] = { { MMCTL_R_I6, A } };

	chain3(&self->m);
	emit(&self->m, &self->s);
	reverse_records(&self->s);
	ASSERT_EQ(0, run(&self->s, &self->g));
	EXPECT_TRUE(exact(&self->g, NULL, 0));
	snap_free(&self->s);
	chain3(&self->m);
	emit(&self->m, &self->s);
	self->s.avr[0]->num_children = 1;
	reverse_records(&self->s);
	ASSERT_EQ(0, run(&self->s, &self->g));
	EXPECT_TRUE(exact(&self->g, w, 1));
	EXPECT_TRUE(values(&self->g, MMCTL_R_I6, 2, 1));
}

TEST_F(check, t_no_dump_record, "check: dump without a dump record is EBADMSG")
{
	struct mmctl_rec_vma *v = snap_add(&self->s, MMCTL_REC_VMA, sizeof(*v));

	v->id = 1;
	EXPECT_EQ(-EBADMSG, run(&self->s, &self->g));
}

TEST_HARNESS_MAIN
