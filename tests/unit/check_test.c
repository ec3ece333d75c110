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

#include "../lib/tap.h"
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

/* ---- satisfied ---------------------------------------------------------- */

static int t_clean_chain3(void)
{
	struct model m;
	struct snap s;
	struct got g;
	int ok;

	chain3(&m);
	emit(&m, &s);
	ok = run(&s, &g) == 0 && exact(&g, NULL, 0) && g.res.nr_anon_vmas == 3 &&
		g.res.nr_vmas == 3 && g.res.partial == 0;
	snap_free(&s);
	return ok;
}

/*
 * 7.2's chain order: P3's chain [C, A, B] (the clone keeps the source
 * order). A dump without MMCTL_DUMPF_ROOT_LAST is clean; with it, the same
 * chain is I1-chain-last (t_i1_last).
 */
static int t_clean_chain_order_72(void)
{
	struct model m;
	struct snap s;
	struct got g;
	int ok;

	chain3(&m);
	m.dump_flags &= ~MMCTL_DUMPF_ROOT_LAST;
	emit(&m, &s);
	chain_rec(&s, V3, 1)->pos = 9;	/* [C, B, A] -> [C, A, B] */
	chain_rec(&s, V3, 2)->pos = 1;
	chain_rec(&s, V3, 9)->pos = 2;
	ok = run(&s, &g) == 0 && exact(&g, NULL, 0);
	snap_free(&s);
	return ok;
}

/*
 * anon_vma reuse: P2 forked P3 (C under B) and unmapped, so B has no
 * active VMA and one child; P3's fork P4 reuses B: P4's VMA has
 * anon_vma B but its chain head is C. All invariants hold.
 */
static int t_clean_reuse(void)
{
	struct model m;
	struct snap s;
	struct got g;
	int ok, v4;

	model_init(&m);
	model_av(&m, A, -1);
	model_av(&m, B, 0);
	model_av(&m, C, 1);
	model_vma(&m, V1, 1, ADDR, 4, 0);
	model_vma(&m, V3, 3, ADDR, 4, 2);
	v4 = model_vma(&m, V4, 4, ADDR, 4, 2);
	m.vma[v4].av = 1;	/* reused B; chain stays [C, B, A] */
	emit(&m, &s);
	ok = run(&s, &g) == 0 && exact(&g, NULL, 0);
	ok &= s.avr[1]->num_active_vmas == 1 && s.avr[1]->num_children == 1;
	snap_free(&s);
	return ok;
}

/* mprotect of the middle of 4 pages: 3 VMAs on A, pgoffs linear. */
static int t_clean_split(void)
{
	struct model m;
	struct snap s;
	struct got g;
	int ok;

	model_init(&m);
	model_av(&m, A, -1);
	model_vma(&m, V1, 1, ADDR, 1, 0);
	model_vma(&m, V2, 1, ADDR + 4096, 2, 0);
	model_vma(&m, V3, 1, ADDR + 3 * 4096, 1, 0);
	emit(&m, &s);
	ok = run(&s, &g) == 0 && exact(&g, NULL, 0);
	snap_free(&s);
	return ok;
}

/* ---- violated ------------------------------------------------------------ */

#define CASE(name, setup, mutate, ...)					\
static int name(void)							\
{									\
	struct model m;							\
	struct snap s;							\
	struct got g;							\
	const struct want w[] = { __VA_ARGS__ };			\
	int ok;								\
									\
	setup;								\
	emit(&m, &s);							\
	mutate;								\
	ok = run(&s, &g) == 0 && exact(&g, w, sizeof(w) / sizeof(w[0])) && (EXTRA); \
	snap_free(&s);							\
	return ok;							\
}

#define EXTRA 1
CASE(t_record, chain3(&m),
     { struct mmctl_rec_chain *c = snap_add(&s, MMCTL_REC_CHAIN, sizeof(*c));
       c->vma_id = 0xdead; c->anon_vma_id = A; c->avc_id = 0xbeef; },
     { MMCTL_R_RECORD, 0xdead })
CASE(t_i1_anon_vma, chain3(&m), s.vmar[0]->anon_vma_id = B,
     { MMCTL_R_I1_ANON_VMA, V1 }, { MMCTL_R_I5, A }, { MMCTL_R_I8, B }, { MMCTL_R_I10, B })
CASE(t_i1_avc_vma, chain3(&m), chain_rec(&s, V3, 1)->flags |= MMCTL_CHAINF_VMA_MISMATCH,
     { MMCTL_R_I1_AVC_VMA, V3 })
CASE(t_i1_dup, chain3(&m), chain_rec(&s, V3, 1)->anon_vma_id = A,
     { MMCTL_R_I1_DUP, V3 }, { MMCTL_R_I1_CLOSED, V3 }, { MMCTL_R_I3_NOT_IN_TREE, V3 },
     { MMCTL_R_I3_NOT_ON_CHAIN, B })
CASE(t_i1_root, chain3(&m), chain_rec(&s, V2, 0)->flags |= MMCTL_CHAINF_FOREIGN_ROOT,
     { MMCTL_R_I1_ROOT, V2 })
CASE(t_i1_last, chain3(&m),
     { chain_rec(&s, V3, 2)->pos = 9; chain_rec(&s, V3, 0)->pos = 2;
       chain_rec(&s, V3, 9)->pos = 0; },
     { MMCTL_R_I1_LAST, V3 })
CASE(t_i1_closed, { chain3(&m); m.vma[2].chain[1] = 0; m.vma[2].nchain = 2; },
     (void)0, { MMCTL_R_I1_CLOSED, V3 })
CASE(t_i1_unknown, chain3(&m), chain_rec(&s, V3, 0)->anon_vma_id = 0xeeee,
     { MMCTL_R_I1_UNKNOWN, V3 }, { MMCTL_R_I1_ANON_VMA, V3 },
     { MMCTL_R_I3_NOT_ON_CHAIN, C })
CASE(t_i1_len, chain3(&m), s.vmar[1]->chain_len = 5, { MMCTL_R_I1_LEN, V2 })
CASE(t_i2_empty, { chain3(&m); m.vma[0].nchain = 0; }, (void)0,
     { MMCTL_R_I2_EMPTY, V1 }, { MMCTL_R_I5, A })
CASE(t_i3_not_in_tree, chain3(&m), tree_rec(&s, B, 0)->avc_id = 0x999,
     { MMCTL_R_I3_NOT_IN_TREE, V2 }, { MMCTL_R_I3_NOT_ON_CHAIN, B })
CASE(t_i3_leftmost, chain3(&m), s.avr[0]->tree_flags |= MMCTL_TREEF_LEFTMOST,
     { MMCTL_R_I3_LEFTMOST, A })
CASE(t_i3_count, chain3(&m), s.avr[0]->tree_avcs = 7, { MMCTL_R_I3_COUNT, A })
CASE(t_i3_order_flag, chain3(&m), tree_rec(&s, A, 1)->flags |= MMCTL_TREEF_ORDER,
     { MMCTL_R_I3_ORDER, A })
CASE(t_i4_parent, chain3(&m), s.avr[2]->parent_id = 0xf00,
     { MMCTL_R_I4_PARENT, C }, { MMCTL_R_I6, B })
CASE(t_i7_ref, chain3(&m), s.avr[1]->refcount = 0, { MMCTL_R_I7_REF, B })
CASE(t_i7_empty, { chain3(&m); model_av(&m, D, 0); }, (void)0, { MMCTL_R_I7_EMPTY, D })
CASE(t_i9_folio_av, chain3(&m),
     { struct mmctl_rec_folio_av *f = snap_add(&s, MMCTL_REC_FOLIO_AV, sizeof(*f));
       f->vma_id = V1; f->anon_vma_id = B; f->pages = 2; },
     { MMCTL_R_I9_FOLIO_AV, V1 })
#undef EXTRA

#define EXTRA values(&g, MMCTL_R_I5, 1, 2)
CASE(t_i5, chain3(&m), s.avr[0]->num_active_vmas = 2, { MMCTL_R_I5, A })
#undef EXTRA
/* The root's self-count missing: num_children 1 instead of 2. */
#define EXTRA values(&g, MMCTL_R_I6, 2, 1)
CASE(t_i6_root_self, chain3(&m), s.avr[0]->num_children = 1, { MMCTL_R_I6, A })
#undef EXTRA
#define EXTRA values(&g, MMCTL_R_I7_ROOT_REF, 3, 2)
CASE(t_i7_root_ref, chain3(&m), s.avr[0]->refcount = 2, { MMCTL_R_I7_ROOT_REF, A })
#undef EXTRA
#define EXTRA (values(&g, MMCTL_R_I7_ROOT_EXTRA, 3, 5) && g.res.count[MMCTL_SEV_WARNING] == 1 && \
	       g.res.count[MMCTL_SEV_ERROR] == 0)
CASE(t_i7_root_extra, chain3(&m), s.avr[0]->refcount = 5, { MMCTL_R_I7_ROOT_EXTRA, A })
#undef EXTRA
/* A wrong cached rb_subtree_last, reported with both values. */
#define EXTRA values(&g, MMCTL_R_I3_SUBTREE, (ADDR >> 12) + 3, (ADDR >> 12) + 8)
CASE(t_i3_subtree, chain3(&m), tree_rec(&s, A, 2)->subtree_last += 5,
     { MMCTL_R_I3_SUBTREE, A })
#undef EXTRA
/* Two VMAs of P2 on B with different chain sets. */
#define EXTRA values(&g, MMCTL_R_I8, 2, 3)
CASE(t_i8, { int v; chain3(&m); v = model_vma(&m, V4, 2, ADDR + (1 << 20), 4, 2);
	     m.vma[v].av = 1; },
     (void)0, { MMCTL_R_I8, B })
#undef EXTRA
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

#define EXTRA (values(&g, MMCTL_R_I10, V2, V3) && g.res.count[MMCTL_SEV_ERROR] == 1)
CASE(t_i10, cve_42703(&m, 3), (void)0, { MMCTL_R_I10, B })
#undef EXTRA
#define EXTRA (g.res.count[MMCTL_SEV_ERROR] == 0 && g.res.count[MMCTL_SEV_TRANSIENT] == 1 && \
	       g.v[0].fact == MMCTL_FACT_LOCKLESS)
CASE(t_i10_lockless, cve_42703(&m, 3), s.dump->flags &= ~MMCTL_DUMPF_CONSISTENT,
     { MMCTL_R_I10, B })
#undef EXTRA
/*
 * Two VMAs of one mm on one anon_vma (a split): clean. With @redact, the
 * second is read after its mm lost its owner (found by the storm on 7.2: a
 * process that exited during the walk), so redacted, no mm ID: an unknown
 * mm is not another mm, still clean.
 */
static int i10_one_mm(int redact)
{
	struct model m;
	struct snap s;
	struct got g;
	int ok;

	cve_42703(&m, 2);
	emit(&m, &s);
	if (redact) {
		s.vmar[2]->mm_id = 0;
		s.vmar[2]->pid = 0;
		s.vmar[2]->flags |= MMCTL_VMAF_REDACTED | MMCTL_VMAF_NO_OWNER;
	}
	ok = run(&s, &g) == 0 && g.n == 0 && g.res.count[MMCTL_SEV_ERROR] +
	     g.res.count[MMCTL_SEV_WARNING] + g.res.count[MMCTL_SEV_TRANSIENT] == 0;
	if (!ok)
		show(&g);
	snap_free(&s);
	return ok;
}

static int t_i10_one_mm(void)
{
	return i10_one_mm(0);
}

static int t_i10_redacted(void)
{
	return i10_one_mm(1);
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

#define WRITER(id) (vma_rec(&s, id)->flags |= MMCTL_VMAF_MM_WRITER)

/* dup_mmap() between anon_vma_clone() and anon_vma_fork()'s link. */
#define EXTRA explained(&g, MMCTL_FACT_MM_WRITER, V2)
CASE(t_i2_fork_window, { chain3(&m); m.vma[1].av = -1; }, WRITER(V2),
     { MMCTL_R_I2_FORK, V2 })
#undef EXTRA
#define EXTRA unexplained(&g)
CASE(t_i2_fork_window_unexplained, { chain3(&m); m.vma[1].av = -1; }, (void)0,
     { MMCTL_R_I2_FORK, V2 })
#undef EXTRA
/*
 * anon_vma_fork() mid-way: P3's VMA has the cloned chain [B, A] and its new
 * anon_vma C assigned but not yet linked (C is on no chain, not counted).
 */
#define FORK_LINK_SETUP								\
	{ model_init(&m); model_av(&m, A, -1); model_av(&m, B, 0);		\
	  model_vma(&m, V1, 1, ADDR, 4, 0); model_vma(&m, V2, 2, ADDR, 4, 1);	\
	  model_vma(&m, V3, 3, ADDR, 4, 1); m.vma[2].av = -1; }
#define EXTRA explained(&g, MMCTL_FACT_MM_WRITER, V3)
CASE(t_i1_fork_link, FORK_LINK_SETUP, { s.vmar[2]->anon_vma_id = C; WRITER(V3); },
     { MMCTL_R_I1_FORK, V3 })
#undef EXTRA
#define EXTRA unexplained(&g)
CASE(t_i1_fork_link_unexplained, FORK_LINK_SETUP, s.vmar[2]->anon_vma_id = C,
     { MMCTL_R_I1_FORK, V3 })
#undef EXTRA
/*
 * The same window on 7.2 (no DUMPF_ROOT_LAST): its anon_vma_fork() has
 * already put C at the head of P3's chain, tree insertion still pending.
 */
#define FORK_HEAD_C								\
	{ chain_rec(&s, V3, 1)->pos = 2; chain_rec(&s, V3, 0)->pos = 1;		\
	  struct mmctl_rec_chain *h = snap_add(&s, MMCTL_REC_CHAIN, sizeof(*h));	\
	  h->vma_id = V3; h->pos = 0; h->anon_vma_id = C; h->avc_id = 0xc0c0;		\
	  s.vmar[2]->anon_vma_id = C; s.vmar[2]->chain_len = 3; }
#define EXTRA explained(&g, MMCTL_FACT_MM_WRITER, V3)
CASE(t_i1_fork_head_72,
     { FORK_LINK_SETUP; m.dump_flags &= ~MMCTL_DUMPF_ROOT_LAST; },
     { FORK_HEAD_C; WRITER(V3); }, { MMCTL_R_I1_FORK, V3 })
#undef EXTRA
#define EXTRA unexplained(&g)
CASE(t_i1_fork_head_72_unexplained,
     { FORK_LINK_SETUP; m.dump_flags &= ~MMCTL_DUMPF_ROOT_LAST; },
     FORK_HEAD_C, { MMCTL_R_I1_FORK, V3 })
/* On a root-last kernel the same chain is corruption: nothing links first. */
CASE(t_i1_fork_head_61, FORK_LINK_SETUP, { FORK_HEAD_C; WRITER(V3); },
     { MMCTL_R_I1_UNKNOWN, V3 })
#undef EXTRA
/*
 * A split destination V4 of P3's VMA while anon_vma_clone() has dropped the
 * root lock (6.1/6.12 GFP_NOWAIT failure): V4 has vm_area_dup()'s anon_vma
 * C but only the root copied so far, and C's num_active_vmas is not
 * incremented yet. Chain of V4 misses C (I1), C's users disagree (I8).
 */
#define PARTIAL_CLONE_SETUP							\
	{ int v4; chain3(&m); v4 = model_vma(&m, V4, 3, ADDR + (1 << 20), 4, 2);	\
	  m.vma[v4].chain[0] = 0; m.vma[v4].nchain = 1; }
#define EXTRA explained(&g, MMCTL_FACT_MM_WRITER, V4)
CASE(t_partial_clone, PARTIAL_CLONE_SETUP,
     { s.avr[2]->num_active_vmas = 1; WRITER(V4); },
     { MMCTL_R_I1_ANON_VMA, V4 }, { MMCTL_R_I8, C })
#undef EXTRA
#define EXTRA unexplained(&g)
CASE(t_partial_clone_unexplained, PARTIAL_CLONE_SETUP, s.avr[2]->num_active_vmas = 1,
     { MMCTL_R_I1_ANON_VMA, V4 }, { MMCTL_R_I8, C })
/* A write-locked mm explains nothing about anon_vmas its VMA does not name. */
CASE(t_writer_elsewhere, chain3(&m), { WRITER(V1); s.avr[2]->num_active_vmas = 2; },
     { MMCTL_R_I5, C })
/* ... nor rules that no window breaks. */
CASE(t_writer_not_window, chain3(&m), { WRITER(V3); s.avr[2]->refcount = 0; },
     { MMCTL_R_I7_REF, C })
#undef EXTRA
/* __split_vma()'s 6.1 error path: new VMA's pgoff rewritten in the tree. */
#define EXTRA explained(&g, MMCTL_FACT_MM_WRITER, tree_rec(&s, A, 1)->vma_id)
CASE(t_i3_order_writer, chain3(&m),
     { tree_rec(&s, A, 1)->flags |= MMCTL_TREEF_ORDER; WRITER(tree_rec(&s, A, 1)->vma_id); },
     { MMCTL_R_I3_ORDER, A })
#undef EXTRA
/* A lockless dump (BPF) explains the windows by itself, nothing else. */
#define EXTRA explained(&g, MMCTL_FACT_LOCKLESS, 0)
CASE(t_lockless_window, { chain3(&m); m.vma[1].av = -1; m.dump_flags &= ~MMCTL_DUMPF_CONSISTENT; },
     (void)0, { MMCTL_R_I2_FORK, V2 })
#undef EXTRA
#define EXTRA unexplained(&g)
CASE(t_lockless_not_window, { chain3(&m); m.dump_flags &= ~MMCTL_DUMPF_CONSISTENT; },
     s.avr[1]->refcount = 0, { MMCTL_R_I7_REF, B })
#undef EXTRA

/* Values-based order check: split VMAs with tree positions swapped. */
static int t_i3_order_values(void)
{
	const struct want w[] = { { MMCTL_R_I3_ORDER, A } };
	struct mmctl_rec_tree *t0, *t2;
	struct model m;
	struct snap s;
	struct got g;
	int ok;

	model_init(&m);
	model_av(&m, A, -1);
	model_vma(&m, V1, 1, ADDR, 1, 0);
	model_vma(&m, V2, 1, ADDR + 4096, 2, 0);
	model_vma(&m, V3, 1, ADDR + 3 * 4096, 1, 0);
	emit(&m, &s);
	t0 = tree_rec(&s, A, 0);
	t2 = tree_rec(&s, A, 2);
	t0->pos = 2;
	t2->pos = 0;
	ok = run(&s, &g) == 0 && exact(&g, w, 1) &&
		values(&g, MMCTL_R_I3_ORDER, (ADDR >> 12) + 3, (ADDR >> 12) + 1);
	snap_free(&s);
	return ok;
}

static int t_i3_range(void)
{
	struct mmctl_rec_tree *t;
	struct model m;
	struct snap s;
	struct got g;
	int ok;

	chain3(&m);
	emit(&m, &s);
	t = tree_rec(&s, A, 2);
	t->start_pgoff += 1;
	{
		const struct want w[] = { { MMCTL_R_I3_RANGE, t->vma_id } };

		ok = run(&s, &g) == 0 && exact(&g, w, 1);
	}
	snap_free(&s);
	return ok;
}

/* A cycle in parent links: A's parent set to C (A -> C -> B -> A). */
static int t_i4_cycle(void)
{
	struct model m;
	struct snap s;
	struct got g;
	int ok = 0;

	chain3(&m);
	emit(&m, &s);
	s.avr[0]->parent_id = C;
	if (run(&s, &g) == 0)
		for (int k = 0; k < g.n; k++)
			ok |= g.v[k].rule == MMCTL_R_I4_CYCLE;
	if (!ok)
		show(&g);
	snap_free(&s);
	return ok;
}

static int t_i4_root(void)
{
	struct model m;
	struct snap s;
	struct got g;
	int ok = 0;

	chain3(&m);
	emit(&m, &s);
	s.avr[2]->root_id = C;	/* C claims to be a root but has a parent */
	if (run(&s, &g) == 0)
		for (int k = 0; k < g.n; k++)
			ok |= g.v[k].rule == MMCTL_R_I4_ROOT && g.v[k].object == C;
	if (!ok)
		show(&g);
	snap_free(&s);
	return ok;
}

/* A folio pointing outside the chain, and one at the wrong index. */
static int t_i9(void)
{
	const struct want w[] = { { MMCTL_R_I9_OUTSIDE, V3 }, { MMCTL_R_I9_INDEX, V3 } };
	struct mmctl_rec_folios *f;
	struct mmctl_rec_sample *sa;
	struct model m;
	struct snap s;
	struct got g;
	int ok;

	chain3(&m);
	emit(&m, &s);
	f = snap_add(&s, MMCTL_REC_FOLIOS, sizeof(*f));
	f->vma_id = V3;
	f->present = f->anon = 4;
	f->outside_chain = 1;
	f->index_mismatch = 2;
	f->flags = MMCTL_FOLIOSF_WALKED;
	sa = snap_add(&s, MMCTL_REC_SAMPLE, sizeof(*sa));
	sa->vma_id = V3;
	sa->kind = MMCTL_SAMPLE_OUTSIDE_CHAIN;
	sa->addr = ADDR + 4096;
	sa->anon_vma_id = 0x5151;
	ok = run(&s, &g) == 0 && exact(&g, w, 2) && values(&g, MMCTL_R_I9_OUTSIDE, 0, 1) &&
		values(&g, MMCTL_R_I9_INDEX, 0, 2);
	for (int k = 0; k < g.n; k++)
		if (g.v[k].rule == MMCTL_R_I9_OUTSIDE && g.v[k].aux != ADDR + 4096)
			ok = 0;
	snap_free(&s);
	return ok;
}

/* Lower-bound mode: counts above what a partial dump sees are fine. */
static int t_partial(void)
{
	struct model m;
	struct snap s;
	struct got g;
	int ok;

	chain3(&m);
	m.dump_flags = MMCTL_DUMPF_PARTIAL;
	emit(&m, &s);
	s.avr[0]->num_active_vmas = 3;	/* more than seen: unknowable */
	s.avr[0]->refcount = 9;		/* extra refs not judged */
	ok = run(&s, &g) == 0 && exact(&g, NULL, 0) &&
		(g.res.partial & MMCTL_PARTIAL_I5) && (g.res.partial & MMCTL_PARTIAL_I6);
	/* ...but fewer than seen is still an error. */
	s.avr[0]->num_active_vmas = 0;
	{
		const struct want w[] = { { MMCTL_R_I5, A } };

		ok &= run(&s, &g) == 0 && exact(&g, w, 1);
	}
	snap_free(&s);
	return ok;
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
static int t_unordered(void)
{
	const struct want w[] = { { MMCTL_R_I6, A } };
	struct model m;
	struct snap s;
	struct got g;
	int ok;

	chain3(&m);
	emit(&m, &s);
	reverse_records(&s);
	ok = run(&s, &g) == 0 && exact(&g, NULL, 0);
	snap_free(&s);
	chain3(&m);
	emit(&m, &s);
	s.avr[0]->num_children = 1;
	reverse_records(&s);
	ok &= run(&s, &g) == 0 && exact(&g, w, 1) && values(&g, MMCTL_R_I6, 2, 1);
	snap_free(&s);
	return ok;
}

static int t_no_dump_record(void)
{
	struct snap s = { 0 };
	struct got g;
	struct mmctl_rec_vma *v = snap_add(&s, MMCTL_REC_VMA, sizeof(*v));
	int ok;

	v->id = 1;
	ok = run(&s, &g) == -EBADMSG;
	snap_free(&s);
	return ok;
}

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{ "check: consistent P1->P2->P3 snapshot has no verdicts", t_clean_chain3 },
	{ "check: anon_vma reuse (chain head != vma->anon_vma) is clean", t_clean_reuse },
	{ "check: 7.2 chain order [C,A,B] without DUMPF_ROOT_LAST is clean", t_clean_chain_order_72 },
	{ "check: split VMAs on one anon_vma are clean", t_clean_split },
	{ "check: R-record: chain entry of an unknown VMA", t_record },
	{ "check: I1-chain-anon_vma", t_i1_anon_vma },
	{ "check: I1-chain-avc_vma", t_i1_avc_vma },
	{ "check: I1-chain-duplicate", t_i1_dup },
	{ "check: I1-chain-root", t_i1_root },
	{ "check: I1-chain-last", t_i1_last },
	{ "check: I1-chain-ancestors (parent missing from chain)", t_i1_closed },
	{ "check: I1-chain-unknown", t_i1_unknown },
	{ "check: I1-chain-length", t_i1_len },
	{ "check: I1-fork-link-window with the VMA's mm write-locked is transient", t_i1_fork_link },
	{ "check: I1-fork-link-window without that fact is an error", t_i1_fork_link_unexplained },
	{ "check: 7.2 fork window (new anon_vma at the chain head, not in a tree), mm write-locked: transient",
	  t_i1_fork_head_72 },
	{ "check: 7.2 fork window without that fact is an error", t_i1_fork_head_72_unexplained },
	{ "check: the same chain on a root-last kernel is I1-chain-unknown, write-locked or not",
	  t_i1_fork_head_61 },
	{ "check: I2-empty-chain", t_i2_empty },
	{ "check: I2-fork-window with the child's mm write-locked is transient", t_i2_fork_window },
	{ "check: I2-fork-window without that fact is an error (the stress-ng case)",
	  t_i2_fork_window_unexplained },
	{ "check: anon_vma_clone() dropped its lock mid-copy (write-locked): I1 and I8 transient",
	  t_partial_clone },
	{ "check: the same partial chain without the fact: I1 and I8 errors", t_partial_clone_unexplained },
	{ "check: a write-locked VMA explains nothing about an anon_vma it does not name",
	  t_writer_elsewhere },
	{ "check: a write-locked VMA does not explain rules no window breaks (I7)", t_writer_not_window },
	{ "check: I3-tree-order at a node whose VMA's mm is write-locked is transient",
	  t_i3_order_writer },
	{ "check: a lockless dump explains window rules (I2-fork-window) by itself", t_lockless_window },
	{ "check: a lockless dump does not explain I7-refcount", t_lockless_not_window },
	{ "check: I3-avc-not-in-tree / tree-node-not-on-chain", t_i3_not_in_tree },
	{ "check: I3-tree-order (kernel flag)", t_i3_order_flag },
	{ "check: I3-tree-order (from values)", t_i3_order_values },
	{ "check: I3-rb_subtree_last wrong", t_i3_subtree },
	{ "check: I3-leftmost", t_i3_leftmost },
	{ "check: I3-tree-count", t_i3_count },
	{ "check: I3-tree-range", t_i3_range },
	{ "check: I4-root", t_i4_root },
	{ "check: I4-parent", t_i4_parent },
	{ "check: I4-cycle in parent links", t_i4_cycle },
	{ "check: I5-num_active_vmas", t_i5 },
	{ "check: I6-num_children (root self-count missing)", t_i6_root_self },
	{ "check: I7-empty-tree", t_i7_empty },
	{ "check: I7-refcount", t_i7_ref },
	{ "check: I7-root-refcount", t_i7_root_ref },
	{ "check: I7-root-refcount-extra is a warning", t_i7_root_extra },
	{ "check: I8-same-chain", t_i8 },
	{ "check: I10-two-mms: an anon_vma reused while a live VMA of another mm uses it (CVE-2022-42703)", t_i10 },
	{ "check: I10-two-mms in a lockless dump: transient", t_i10_lockless },
	{ "check: two VMAs of one mm sharing an anon_vma (a split): clean", t_i10_one_mm },
	{ "check: the same pair, the second redacted (its mm exiting, no mm ID): clean", t_i10_redacted },
	{ "check: I9-folio-outside-chain and I9-folio-index", t_i9 },
	{ "check: I9-folio-anon_vma", t_i9_folio_av },
	{ "check: lower-bound mode for partial dumps", t_partial },
	{ "check: dump without a dump record is EBADMSG", t_no_dump_record },
	{ "check: records in reverse order give the same verdicts", t_unordered },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		tap_result(tests[i].name, tests[i].fn());
	return tap_failed ? 1 : 0;
}
