// SPDX-License-Identifier: GPL-2.0
/*
 * The anon_vma invariant checker. Every pass is linear in the number of
 * records: objects are found through open-addressing hash tables keyed by
 * ID, chain entries and tree nodes are grouped per VMA / anon_vma with a
 * counting sort, set membership uses per-anon_vma stamps.
 */
#include <linux/errno.h>

#include "check.h"
#include "group.h"
#include "idtab.h"

#ifndef NULL
#define NULL ((void *)0)
#endif

/*
 * Facts that explain a rule's verdict (docs/checker.md, "Windows"), the
 * facts column of rules.h. WIN: what a VMA mid-mutation shows, which its
 * mm's write-held mmap_lock explains, and which a lockless dump may see
 * half-done; LOCKLESS: only a lockless dump explains it; the other rules
 * break in no window the kernel opens, and stay errors in every dump.
 */
#define WIN (MMCTL_FACTF(MMCTL_FACT_MM_WRITER) | MMCTL_FACTF(MMCTL_FACT_LOCKLESS))
#define LOCKLESS MMCTL_FACTF(MMCTL_FACT_LOCKLESS)

const char *const mmctl_sev_names[MMCTL_SEV_NR] = { "error", "warning", "transient" };
const char *const mmctl_fact_names[MMCTL_FACT_NR] = { "", "mm-write-locked", "lockless" };

const struct mmctl_rule_info mmctl_rules[MMCTL_R_NR] = {
#define MMCTL_RULE(id, n, obj, sev, facts, expl)			\
	[MMCTL_R_##id] = { .name = n, .object = obj, .explain = expl,	\
			   .severity = MMCTL_SEV_##sev, .explained = facts },
#include "rules.h"
#undef MMCTL_RULE
};

/* ---- hash table: ID -> index ------------------------------------------- */

static __u64 mix(__u64 k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/* lib/idtab.h's table; a missing key is NOTFOUND (its NONE, cut to 32 bits). */
#define NOTFOUND 0xffffffffU

static __u32 ht_get(const struct mmctl_idtab *h, __u64 key)
{
	return (__u32)mmctl_idtab_get(h, key);
}

/* Returns 0, or 1 if @key was present already (or is 0). */
static int ht_put(struct mmctl_idtab *h, __u64 key, __u32 val)
{
	return mmctl_idtab_add(h, key, val);
}

/* ---- state ---------------------------------------------------------------- */

#define MAX_ALLOCS 48	/* arrays mmctl_check() may allocate (about 40) */

struct ck {
	const struct mmctl_check_ops *ops;
	struct mmctl_check_result *res;
	const struct mmctl_rec_dump *dump;
	int partial;
	int lockless;		/* no DUMPF_CONSISTENT: MMCTL_FACT_LOCKLESS */
	int no_tree;		/* DUMPF_NO_TREE: the anon_vmas' tree summaries only */
	int no_families;	/* DUMPF_NO_FAMILIES: records of the target's part */
	int root_last;		/* the producer's kernel ends chains with the root */
	__u32 page_shift;
	void *allocs[MAX_ALLOCS];
	int nr_allocs;

	const struct mmctl_rec_vma **vma;
	const struct mmctl_rec_anon_vma **av;
	const struct mmctl_rec_chain **ch;
	const struct mmctl_rec_tree **tr;
	const struct mmctl_rec_folios **fo;
	const struct mmctl_rec_folio_av **fa;
	const struct mmctl_rec_sample **sa;
	__u32 nv, na, nc, nt, nf, nfa, ns;

	struct mmctl_idtab vma_ht, av_ht, sample_ht;
	struct mmctl_idtab avc_ch_ht, avc_tr_ht;	/* built only when a tree disagrees */
	int avc_tables;

	/* one-entry caches for grouping (records of one owner are adjacent) */
	__u64 last_vma_id, last_av_id;
	__u32 last_vma, last_av;

	/* set by ck_index: records already grouped by owner, in pos order */
	int chain_pre, tree_pre, fa_pre, dup_ids;

	__u32 *cstart, *clen;			/* per VMA, into cbv */
	const struct mmctl_rec_chain **cbv;	/* chain entries by VMA, by pos */
	__u32 *tstart, *tlen;			/* per anon_vma, into tba */
	const struct mmctl_rec_tree **tba;	/* tree nodes by anon_vma, by pos */
	__u32 *fstart, *flen;			/* per VMA, into fbv */
	const struct mmctl_rec_folio_av **fbv;	/* folio_av records by VMA */

	/* dense per-anon_vma facts (small: stay in cache) */
	__u64 *avroot;		/* root_id */
	__u32 *avpar;		/* parent index, NOTFOUND for a root or unknown */
	__u32 *stamp;		/* VMA index + 1 that last saw it on its chain */
	__u32 *kids;		/* live children */
	__u32 *nonroot;		/* per root: live non-root anon_vmas */
	__u32 *seen;		/* VMAs in its tree using it (I5) */
	__u32 *first;		/* first VMA + 1 using it (I8) */
	__u32 *firstmm;		/* first VMA + 1 using it with a known mm (I10) */
	__u32 *ncount;		/* chain entries naming it */
	__u64 *nsum;		/* order-independent hash of those entries */
	__u8 *tbad;		/* chain entries and tree nodes disagree */
	__u32 *path;		/* cycle walk */
	__u8 *state;
	__u64 *chash;		/* per VMA: chain-set hash (I8) */
	__u32 *cav;		/* per chain entry (cbv order): anon_vma index */
	__u32 *avwriter;	/* VMA + 1 with MMCTL_VMAF_MM_WRITER naming it, or 0 */
};

static void *ck_alloc(struct ck *c, unsigned long n, unsigned long size)
{
	void *p;

	if (c->nr_allocs == MAX_ALLOCS)
		return NULL;
	p = c->ops->alloc(c->ops->ctx, (n ? n : 1) * size);
	if (p)
		c->allocs[c->nr_allocs++] = p;
	return p;
}

static int ht_init(struct ck *c, struct mmctl_idtab *h, __u32 n)
{
	__u64 cap = mmctl_idtab_size(h, n);

	h->s = ck_alloc(c, cap, sizeof(*h->s));
	return h->s ? 0 : -ENOMEM;
}

/*
 * The fact in the dump that explains a verdict of rule @ri on @obj, if the
 * rule admits one: the dump's own lockless nature, or for a VMA its mm's
 * write-held mmap_lock, and for an anon_vma that of a VMA naming it (as
 * vma->anon_vma or on its chain: the VMAs whose mutation changes its tree
 * and counts).
 */
static void ck_explain(struct ck *c, const struct mmctl_rule_info *ri, __u64 obj,
		       struct mmctl_violation *v)
{
	__u32 i;

	if (c->lockless && (ri->explained & MMCTL_FACTF(MMCTL_FACT_LOCKLESS))) {
		v->fact = MMCTL_FACT_LOCKLESS;
	} else if (ri->explained & MMCTL_FACTF(MMCTL_FACT_MM_WRITER)) {
		/* Rules name a "vma", an "anon_vma" or a "record". */
		if (ri->object[0] == 'v') {
			i = ht_get(&c->vma_ht, obj);
			if (i != NOTFOUND && (c->vma[i]->flags & MMCTL_VMAF_MM_WRITER))
				v->fact_vma = obj;
		} else if (c->avwriter) {
			i = ht_get(&c->av_ht, obj);
			if (i != NOTFOUND && c->avwriter[i])
				v->fact_vma = c->vma[c->avwriter[i] - 1]->id;
		}
		if (v->fact_vma)
			v->fact = MMCTL_FACT_MM_WRITER;
	}
	if (v->fact)
		v->severity = MMCTL_SEV_TRANSIENT;
}

static void viol(struct ck *c, __u32 rule, __u64 obj, __u64 expected,
		 __u64 found, __u64 aux)
{
	const struct mmctl_rule_info *ri = &mmctl_rules[rule];
	struct mmctl_violation v = {
		.rule = rule, .severity = ri->severity,
		.object = obj, .expected = expected, .found = found, .aux = aux,
	};

	if (ri->explained)
		ck_explain(c, ri, obj, &v);
	c->res->count[v.severity]++;
	if (c->ops->report)
		c->ops->report(c->ops->ctx, &v);
}

static __u32 vma_idx(struct ck *c, __u64 id)
{
	if (id != c->last_vma_id) {
		c->last_vma = ht_get(&c->vma_ht, id);
		c->last_vma_id = id;
	}
	return c->last_vma;
}

static __u32 av_idx(struct ck *c, __u64 id)
{
	if (id != c->last_av_id) {
		c->last_av = ht_get(&c->av_ht, id);
		c->last_av_id = id;
	}
	return c->last_av;
}

/* An AVC as both its chain entry and its tree node must describe it. */
static __u64 avc_hash(__u64 avc, __u64 vma, __u64 start, __u64 last, int redacted)
{
	__u64 h = mix(avc ^ mix(vma));

	return redacted ? h : mix(h ^ mix(start) ^ mix(last + 0x9e3779b97f4a7c15ULL));
}

/* ---- passes ---------------------------------------------------------------- */

static void ck_free(struct ck *c, void *p)
{
	int i;

	for (i = 0; i < c->nr_allocs; i++) {
		if (c->allocs[i] == p) {
			c->allocs[i] = c->allocs[--c->nr_allocs];
			c->ops->free(c->ops->ctx, p);
			return;
		}
	}
}

__u32 mmctl_rec_min_size(__u32 type)
{
	switch (type) {
	case MMCTL_REC_DUMP: return sizeof(struct mmctl_rec_dump);
	case MMCTL_REC_FAMILY: return sizeof(struct mmctl_rec_family);
	case MMCTL_REC_VMA: return sizeof(struct mmctl_rec_vma);
	case MMCTL_REC_ANON_VMA: return sizeof(struct mmctl_rec_anon_vma);
	case MMCTL_REC_CHAIN: return sizeof(struct mmctl_rec_chain);
	case MMCTL_REC_TREE: return sizeof(struct mmctl_rec_tree);
	case MMCTL_REC_FOLIOS: return sizeof(struct mmctl_rec_folios);
	case MMCTL_REC_FOLIO_AV: return sizeof(struct mmctl_rec_folio_av);
	case MMCTL_REC_SAMPLE: return sizeof(struct mmctl_rec_sample);
	case MMCTL_REC_PAGE: return sizeof(struct mmctl_rec_page);
	case MMCTL_REC_STATS: return sizeof(struct mmctl_rec_stats);
	default: return sizeof(struct mmctl_rec_hdr);
	}
}

/*
 * One pass over the records: pointers and types into compact arrays
 * (doubling), then per-type arrays filled from those, so the records
 * themselves are read once here however large the dump. The same pass
 * notes whether chain entries, tree nodes and folio_av records follow their
 * owner (the VMA or anon_vma record just before them) in position order, as
 * producers write them; then the per-owner ranges come from the compact
 * arrays too and no grouping pass is needed.
 */
static int ck_index(struct ck *c)
{
	const struct mmctl_rec_hdr *h, **recs = NULL, **nrecs;
	__u32 n = 0, cap = 0, i, cnt[MMCTL_REC_SAMPLE + 1] = { 0 };
	__u64 last_vma = 0, last_av = 0;
	__u32 chain_next = 0, tree_next = 0, vi, ai;
	__u8 *types = NULL, *ntypes;

	c->chain_pre = c->tree_pre = c->fa_pre = 1;
	for (h = c->ops->next(c->ops->ctx, NULL); h; h = c->ops->next(c->ops->ctx, h)) {
		if (h->type == MMCTL_REC_DUMP) {
			if (!c->dump && h->size >= sizeof(*c->dump))
				c->dump = (const void *)h;
			continue;
		}
		/* Unknown (newer) records are skipped, short ones ignored. */
		if (h->type < MMCTL_REC_VMA || h->type > MMCTL_REC_SAMPLE ||
		    h->size < mmctl_rec_min_size(h->type))
			continue;
		switch (h->type) {
		case MMCTL_REC_VMA:
			last_vma = ((const struct mmctl_rec_vma *)h)->id;
			chain_next = 0;
			break;
		case MMCTL_REC_ANON_VMA:
			last_av = ((const struct mmctl_rec_anon_vma *)h)->id;
			tree_next = 0;
			break;
		/* Owners must have been seen: an ID of 0 matches no record. */
		case MMCTL_REC_CHAIN:
			if (!last_vma || ((const struct mmctl_rec_chain *)h)->vma_id != last_vma ||
			    ((const struct mmctl_rec_chain *)h)->pos != chain_next++)
				c->chain_pre = 0;
			break;
		case MMCTL_REC_TREE:
			if (!last_av || ((const struct mmctl_rec_tree *)h)->anon_vma_id != last_av ||
			    ((const struct mmctl_rec_tree *)h)->pos != tree_next++)
				c->tree_pre = 0;
			break;
		case MMCTL_REC_FOLIO_AV:
			if (!last_vma || ((const struct mmctl_rec_folio_av *)h)->vma_id != last_vma)
				c->fa_pre = 0;
			break;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			nrecs = ck_alloc(c, cap, sizeof(*recs));
			ntypes = ck_alloc(c, cap, sizeof(*types));
			if (!nrecs || !ntypes)
				return -ENOMEM;
			for (i = 0; i < n; i++) {
				nrecs[i] = recs[i];
				ntypes[i] = types[i];
			}
			if (recs) {
				ck_free(c, recs);
				ck_free(c, types);
			}
			recs = nrecs;
			types = ntypes;
		}
		recs[n] = h;
		types[n++] = (__u8)h->type;
		cnt[h->type]++;
	}
	if (!c->dump)
		return -EBADMSG;
	c->vma = ck_alloc(c, cnt[MMCTL_REC_VMA], sizeof(*c->vma));
	c->av = ck_alloc(c, cnt[MMCTL_REC_ANON_VMA], sizeof(*c->av));
	c->ch = ck_alloc(c, cnt[MMCTL_REC_CHAIN], sizeof(*c->ch));
	c->tr = ck_alloc(c, cnt[MMCTL_REC_TREE], sizeof(*c->tr));
	c->fo = ck_alloc(c, cnt[MMCTL_REC_FOLIOS], sizeof(*c->fo));
	c->fa = ck_alloc(c, cnt[MMCTL_REC_FOLIO_AV], sizeof(*c->fa));
	c->sa = ck_alloc(c, cnt[MMCTL_REC_SAMPLE], sizeof(*c->sa));
	c->cstart = ck_alloc(c, cnt[MMCTL_REC_VMA], sizeof(*c->cstart));
	c->clen = ck_alloc(c, cnt[MMCTL_REC_VMA], sizeof(*c->clen));
	c->fstart = ck_alloc(c, cnt[MMCTL_REC_VMA], sizeof(*c->fstart));
	c->flen = ck_alloc(c, cnt[MMCTL_REC_VMA], sizeof(*c->flen));
	c->tstart = ck_alloc(c, cnt[MMCTL_REC_ANON_VMA], sizeof(*c->tstart));
	c->tlen = ck_alloc(c, cnt[MMCTL_REC_ANON_VMA], sizeof(*c->tlen));
	if (!c->vma || !c->av || !c->ch || !c->tr || !c->fo || !c->fa || !c->sa ||
	    !c->cstart || !c->clen || !c->fstart || !c->flen || !c->tstart || !c->tlen)
		return -ENOMEM;
	for (i = 0, vi = ai = NOTFOUND; i < n; i++) {
		h = recs[i];
		switch (types[i]) {
		case MMCTL_REC_VMA:
			vi = c->nv;
			c->vma[c->nv++] = (const void *)h;
			break;
		case MMCTL_REC_ANON_VMA:
			ai = c->na;
			c->av[c->na++] = (const void *)h;
			break;
		case MMCTL_REC_CHAIN:
			if (c->chain_pre && !c->clen[vi]++)
				c->cstart[vi] = c->nc;
			c->ch[c->nc++] = (const void *)h;
			break;
		case MMCTL_REC_TREE:
			if (c->tree_pre && !c->tlen[ai]++)
				c->tstart[ai] = c->nt;
			c->tr[c->nt++] = (const void *)h;
			break;
		case MMCTL_REC_FOLIOS:
			c->fo[c->nf++] = (const void *)h;
			break;
		case MMCTL_REC_FOLIO_AV:
			if (c->fa_pre && !c->flen[vi]++)
				c->fstart[vi] = c->nfa;
			c->fa[c->nfa++] = (const void *)h;
			break;
		case MMCTL_REC_SAMPLE:
			c->sa[c->ns++] = (const void *)h;
			break;
		}
	}
	if (recs) {
		ck_free(c, recs);
		ck_free(c, types);
	}
	return 0;
}

static int ck_tables(struct ck *c)
{
	__u32 i, p;

	if (ht_init(c, &c->vma_ht, c->nv) || ht_init(c, &c->av_ht, c->na) ||
	    ht_init(c, &c->sample_ht, c->ns))
		return -ENOMEM;
	c->last_vma_id = c->last_av_id = 0;
	c->last_vma = c->last_av = NOTFOUND;
	for (i = 0; i < c->nv; i++) {
		/* The table outgrows the caches with the dump: fetch ahead. */
		if (i + 8 < c->nv)
			__builtin_prefetch(&c->vma_ht.s[mmctl_idtab_slot(&c->vma_ht, c->vma[i + 8]->id)], 1);
		if (ht_put(&c->vma_ht, c->vma[i]->id, i)) {
			viol(c, MMCTL_R_RECORD, c->vma[i]->id, 1, 2, MMCTL_REC_VMA);
			c->dup_ids = 1;
		}
	}
	for (i = 0; i < c->na; i++) {
		if (ht_put(&c->av_ht, c->av[i]->id, i)) {
			viol(c, MMCTL_R_RECORD, c->av[i]->id, 1, 2, MMCTL_REC_ANON_VMA);
			c->dup_ids = 1;
		}
	}
	for (i = 0; i < c->na; i++) {
		c->avroot[i] = c->av[i]->root_id;
		p = c->av[i]->parent_id == c->av[i]->id ? NOTFOUND :
			ht_get(&c->av_ht, c->av[i]->parent_id);
		c->avpar[i] = p;
	}
	return 0;
}

/* The AVC tables, for naming the AVCs of a disagreeing tree. */
static int ck_avc_tables(struct ck *c)
{
	__u32 i;

	if (c->avc_tables)
		return 0;
	if (ht_init(c, &c->avc_ch_ht, c->nc) || ht_init(c, &c->avc_tr_ht, c->nt))
		return -ENOMEM;
	for (i = 0; i < c->nc; i++)
		if (ht_put(&c->avc_ch_ht, c->ch[i]->avc_id, i))
			viol(c, MMCTL_R_RECORD, c->ch[i]->avc_id, 1, 2, MMCTL_REC_CHAIN);
	for (i = 0; i < c->nt; i++)
		if (ht_put(&c->avc_tr_ht, c->tr[i]->avc_id, i))
			viol(c, MMCTL_R_RECORD, c->tr[i]->avc_id, 1, 2, MMCTL_REC_TREE);
	c->avc_tables = 1;
	return 0;
}

/*
 * Group @n records by owner index (lib/group.h), each group ordered by its
 * pos field, or in record order without one. Records whose owner is
 * unknown are left out; a pos out of range or repeated leaves a hole and
 * marks the owner in @bad. Used when ck_index() found the records not
 * already grouped; @start and @len are per owner.
 */
static int ck_group(struct ck *c, __u32 nowners, const void **recs, __u32 n,
		    mmctl_group_key owner, mmctl_group_key pos, __u32 *start, __u32 *len,
		    const void ***outp, __u8 *bad)
{
	__u32 *next = ck_alloc(c, nowners, sizeof(*next));
	const void **out = ck_alloc(c, n, sizeof(*out));

	if (!next || !out)
		return -ENOMEM;
	mmctl_group(c, recs, n, nowners, owner, pos, start, len, next, out, bad);
	*outp = out;
	return 0;
}

/*
 * Use @recs as grouped when ck_index() found them so (@pre) and no ID is
 * duplicated; else group them, and report records whose owner is unknown
 * (the owner's ID is the first field after the header in every such record).
 */
static int ck_group_if(struct ck *c, int pre, __u32 nowners, const void **recs, __u32 n,
		       mmctl_group_key owner, mmctl_group_key pos, __u32 *start, __u32 *len,
		       const void ***outp, __u8 *bad, __u32 type)
{
	__u32 i;
	int ret;

	if (pre && !c->dup_ids) {
		*outp = recs;
		return 0;
	}
	ret = ck_group(c, nowners, recs, n, owner, pos, start, len, outp, bad);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		if (owner(c, recs[i]) == MMCTL_GROUP_NONE)
			viol(c, MMCTL_R_RECORD,
			     *(const __u64 *)((const struct mmctl_rec_hdr *)recs[i] + 1), 1, 0,
			     type);
	return 0;
}

static __u32 chain_owner(void *c, const void *r)
{
	return vma_idx(c, ((const struct mmctl_rec_chain *)r)->vma_id);
}

static __u32 tree_owner(void *c, const void *r)
{
	return av_idx(c, ((const struct mmctl_rec_tree *)r)->anon_vma_id);
}

static __u32 folio_av_owner(void *c, const void *r)
{
	return vma_idx(c, ((const struct mmctl_rec_folio_av *)r)->vma_id);
}

static __u64 vma_last(struct ck *c, const struct mmctl_rec_vma *v)
{
	return v->pgoff + ((v->end - v->start) >> c->page_shift) - 1;
}

/*
 * The anon_vmas that a VMA with a write-locked mm names, as its anon_vma or
 * on its chain: allocated only when the dump has such a VMA.
 */
static int ck_writers(struct ck *c)
{
	__u32 i, k, x;

	for (i = 0; i < c->nv; i++) {
		const struct mmctl_rec_chain **e = c->cbv + c->cstart[i];

		if (!(c->vma[i]->flags & MMCTL_VMAF_MM_WRITER))
			continue;
		if (!c->avwriter) {
			c->avwriter = ck_alloc(c, c->na, sizeof(*c->avwriter));
			if (!c->avwriter)
				return -ENOMEM;
		}
		x = ht_get(&c->av_ht, c->vma[i]->anon_vma_id);
		if (x != NOTFOUND && !c->avwriter[x])
			c->avwriter[x] = i + 1;
		for (k = 0; k < c->clen[i]; k++) {
			x = e[k] ? ht_get(&c->av_ht, e[k]->anon_vma_id) : NOTFOUND;
			if (x != NOTFOUND && !c->avwriter[x])
				c->avwriter[x] = i + 1;
		}
	}
	return 0;
}

/* I1, I2, I8, I9 (folio_av), I10, and the chain side of I3 and I5, per VMA. */
static void ck_vmas(struct ck *c, const __u8 *bad)
{
	__u32 i, k, x, p, own;

	for (i = 0; i < c->nv; i++) {
		const struct mmctl_rec_vma *v = c->vma[i];
		const struct mmctl_rec_chain **e = c->cbv + c->cstart[i];
		__u32 *cav = c->cav + c->cstart[i];
		int redacted = !!(v->flags & MMCTL_VMAF_REDACTED);
		__u64 last = vma_last(c, v);
		__u32 n = c->clen[i];
		int on_chain = 0;
		__u64 h = 0;

		if (bad[i] || v->chain_len != n)
			viol(c, MMCTL_R_I1_LEN, v->id, v->chain_len, n, 0);
		if (!n && v->anon_vma_id)
			viol(c, MMCTL_R_I2_EMPTY, v->id, 1, 0, v->anon_vma_id);
		if (n && !v->anon_vma_id)
			viol(c, MMCTL_R_I2_FORK, v->id, 1, 0, 0);
		own = ht_get(&c->av_ht, v->anon_vma_id);
		for (k = 0; k < n; k++) {
			if (!e[k])
				continue;
			h += mix(e[k]->anon_vma_id);
			if (e[k]->flags & MMCTL_CHAINF_VMA_MISMATCH)
				viol(c, MMCTL_R_I1_AVC_VMA, v->id, v->id, 0, e[k]->avc_id);
			if (e[k]->anon_vma_id == v->anon_vma_id)
				on_chain = 1;
			x = ht_get(&c->av_ht, e[k]->anon_vma_id);
			cav[k] = x;
			if (x == NOTFOUND) {
				/*
				 * The reworked anon_vma_fork() (7.2; judged
				 * wherever the dump does not say root-last:
				 * the same anon_vma clean-up, or an order not
				 * learnt) puts the new anon_vma at the chain's
				 * head before it takes the root lock to insert
				 * it in its tree: the VMA's own anon_vma,
				 * unknown to the family. Transient when the
				 * VMA's mm is write-locked (dup_mmap() holds
				 * the child's), an error otherwise. Not in a
				 * dump of the target's part of the family,
				 * whose anon_vmas are written where their tree
				 * begins with the target's node only.
				 */
				if (!c->root_last && !(c->no_families && c->partial) &&
				    k == 0 && own == NOTFOUND &&
				    e[k]->anon_vma_id == v->anon_vma_id)
					viol(c, MMCTL_R_I1_FORK, v->id, v->anon_vma_id, 0, 0);
				else if (!c->partial)
					viol(c, MMCTL_R_I1_UNKNOWN, v->id, 0, e[k]->anon_vma_id, 0);
				continue;
			}
			if (c->stamp[x] == i + 1)
				viol(c, MMCTL_R_I1_DUP, v->id, 1, 2, e[k]->anon_vma_id);
			c->stamp[x] = i + 1;
			if (c->avroot[x] != v->root_id || (e[k]->flags & MMCTL_CHAINF_FOREIGN_ROOT))
				viol(c, MMCTL_R_I1_ROOT, v->id, v->root_id, c->avroot[x],
				     e[k]->anon_vma_id);
			c->ncount[x]++;
			c->nsum[x] += avc_hash(e[k]->avc_id, v->id, v->pgoff, last, redacted);
		}
		if (c->root_last && n && e[n - 1] && e[n - 1]->anon_vma_id != v->root_id)
			viol(c, MMCTL_R_I1_LAST, v->id, v->root_id, e[n - 1]->anon_vma_id, 0);
		/* Ancestor-closed: every parent of a chain member is on it too. */
		for (k = 0; k < n; k++) {
			x = e[k] ? cav[k] : NOTFOUND;
			p = x == NOTFOUND ? NOTFOUND : c->avpar[x];
			if (p != NOTFOUND && c->stamp[p] != i + 1)
				viol(c, MMCTL_R_I1_CLOSED, v->id, c->av[p]->id, 0, e[k]->anon_vma_id);
		}
		/*
		 * anon_vma_fork() assigns vma->anon_vma before it takes the
		 * root lock and links it: a new anon_vma that is nowhere in
		 * the family yet is that window. A known one missing from
		 * this chain is corruption, unless the VMA's mm is
		 * write-locked: a split or merge destination has its
		 * anon_vma before anon_vma_clone() has copied the chain,
		 * and 6.1/6.12's clone drops the root lock mid-copy when a
		 * GFP_NOWAIT allocation fails (ck_explain()).
		 */
		if (n && v->anon_vma_id && !on_chain)
			viol(c, own == NOTFOUND ? MMCTL_R_I1_FORK : MMCTL_R_I1_ANON_VMA, v->id,
			     v->anon_vma_id, 0, 0);
		/*
		 * I5, if the tree agrees with the chains: VMAs using x with x on
		 * their chain are exactly the nodes of x's tree using x.
		 */
		if (on_chain && own != NOTFOUND)
			c->seen[own]++;
		/* I9: pages counted for an anon_vma must be for a chain member. */
		for (k = 0; k < c->flen[i]; k++) {
			const struct mmctl_rec_folio_av *fa = c->fbv[c->fstart[i] + k];

			x = ht_get(&c->av_ht, fa->anon_vma_id);
			if (x == NOTFOUND || c->stamp[x] != i + 1)
				viol(c, MMCTL_R_I9_FOLIO_AV, v->id, 0, fa->pages, fa->anon_vma_id);
		}
		c->chash[i] = h;
		/* I8: every VMA using anon_vma x has the first one's chain set. */
		if (own != NOTFOUND) {
			if (!c->first[own]) {
				c->first[own] = i + 1;
			} else if (c->chash[c->first[own] - 1] != h ||
				   c->clen[c->first[own] - 1] != n) {
				viol(c, MMCTL_R_I8, v->anon_vma_id, c->clen[c->first[own] - 1],
				     n, v->id);
			}
		}
		/*
		 * I10: and lives in the first one's mm (docs/checker.md). A
		 * redacted VMA has no mm ID (0: an owner the caller may not
		 * read, or none left: an exiting mm) and is not compared.
		 */
		if (own != NOTFOUND && v->mm_id) {
			if (!c->firstmm[own])
				c->firstmm[own] = i + 1;
			else if (c->vma[c->firstmm[own] - 1]->mm_id != v->mm_id)
				viol(c, MMCTL_R_I10, v->anon_vma_id, c->vma[c->firstmm[own] - 1]->id,
				     v->id, v->mm_id);
		}
	}
}

/*
 * A tree that disagrees with the chains: name each AVC that is on a chain
 * but not in this tree, in the tree but on no chain, or in both with
 * different ranges; and count I5 from the tree itself.
 */
static int ck_tree_slow(struct ck *c, __u32 i)
{
	const struct mmctl_rec_anon_vma *a = c->av[i];
	const struct mmctl_rec_tree **t = c->tba + c->tstart[i];
	__u32 k, ci, ti, vi;
	int ret = ck_avc_tables(c);

	if (ret)
		return ret;
	c->seen[i] = 0;
	for (k = 0; k < c->tlen[i]; k++) {
		if (!t[k])
			continue;
		ci = ht_get(&c->avc_ch_ht, t[k]->avc_id);
		if (ci == NOTFOUND || c->ch[ci]->vma_id != t[k]->vma_id ||
		    c->ch[ci]->anon_vma_id != a->id)
			viol(c, MMCTL_R_I3_NOT_ON_CHAIN, a->id, t[k]->vma_id, 0, t[k]->avc_id);
		vi = ht_get(&c->vma_ht, t[k]->vma_id);
		if (vi != NOTFOUND && c->vma[vi]->anon_vma_id == a->id)
			c->seen[i]++;
	}
	for (k = 0; k < c->nc; k++) {
		const struct mmctl_rec_chain *e = c->ch[k];
		const struct mmctl_rec_vma *v;

		if (e->anon_vma_id != a->id)
			continue;
		ti = ht_get(&c->avc_tr_ht, e->avc_id);
		if (ti == NOTFOUND || c->tr[ti]->anon_vma_id != a->id) {
			viol(c, MMCTL_R_I3_NOT_IN_TREE, e->vma_id, a->id,
			     ti == NOTFOUND ? 0 : c->tr[ti]->anon_vma_id, e->avc_id);
			continue;
		}
		vi = ht_get(&c->vma_ht, e->vma_id);
		if (vi == NOTFOUND || (c->tr[ti]->flags & MMCTL_TREEF_REDACTED))
			continue;
		v = c->vma[vi];
		if (!(v->flags & MMCTL_VMAF_REDACTED) &&
		    (c->tr[ti]->start_pgoff != v->pgoff || c->tr[ti]->last_pgoff != vma_last(c, v)))
			viol(c, MMCTL_R_I3_RANGE, v->id, v->pgoff, c->tr[ti]->start_pgoff, a->id);
	}
	return 0;
}

/* I3 (tree side), I5 per anon_vma. */
static int ck_trees(struct ck *c, const __u8 *bad)
{
	/* Left out on request (MMCTL_DUMPF_NO_TREE), or a partial view without them. */
	int have_trees = !c->no_tree && (c->nt || !c->partial);
	__u32 i, k;
	int ret;

	/* Without nodes, what the producer found walking them (tree_flags). */
	for (i = 0; c->no_tree && i < c->na; i++) {
		const struct mmctl_rec_anon_vma *a = c->av[i];

		if (a->tree_flags & MMCTL_TREEF_LEFTMOST)
			viol(c, MMCTL_R_I3_LEFTMOST, a->id, 0, 1, 0);
		if (a->tree_flags & MMCTL_TREEF_ORDER)
			viol(c, MMCTL_R_I3_ORDER, a->id, 0, 0, 0);
		if (a->tree_flags & MMCTL_TREEF_SUBTREE)
			viol(c, MMCTL_R_I3_SUBTREE, a->id, 0, 0, 0);
	}

	for (i = 0; have_trees && i < c->na; i++) {
		const struct mmctl_rec_anon_vma *a = c->av[i];
		const struct mmctl_rec_tree **t = c->tba + c->tstart[i];
		__u32 n = c->tlen[i];
		__u64 prev = 0, sum = 0;

		if (bad[i] || a->tree_avcs != n)
			viol(c, MMCTL_R_I3_COUNT, a->id, a->tree_avcs, n, 0);
		if (a->tree_flags & MMCTL_TREEF_LEFTMOST)
			viol(c, MMCTL_R_I3_LEFTMOST, a->id, 0, 1, 0);
		for (k = 0; k < n; k++) {
			const struct mmctl_rec_tree *nd = t[k];
			int redacted;

			if (!nd)
				continue;
			redacted = !!(nd->flags & MMCTL_TREEF_REDACTED);
			if ((nd->flags & MMCTL_TREEF_ORDER) ||
			    (!redacted && k && nd->start_pgoff < prev))
				viol(c, MMCTL_R_I3_ORDER, a->id, prev, nd->start_pgoff, nd->avc_id);
			if ((nd->flags & MMCTL_TREEF_SUBTREE) ||
			    (!redacted && nd->subtree_last != nd->subtree_last_calc))
				viol(c, MMCTL_R_I3_SUBTREE, a->id, nd->subtree_last_calc,
				     nd->subtree_last, nd->avc_id);
			prev = nd->start_pgoff;
			sum += avc_hash(nd->avc_id, nd->vma_id, nd->start_pgoff, nd->last_pgoff,
					redacted);
		}
		if (sum != c->nsum[i] || n != c->ncount[i] || bad[i]) {
			ret = ck_tree_slow(c, i);
			if (ret)
				return ret;
		}
	}
	/* Without tree records (partial dumps), count the VMAs we have. */
	if (!have_trees || !c->nt) {
		for (i = 0; i < c->na; i++)
			c->seen[i] = 0;
		for (i = 0; i < c->nv; i++) {
			k = ht_get(&c->av_ht, c->vma[i]->anon_vma_id);
			if (k != NOTFOUND)
				c->seen[k]++;
		}
	}
	for (i = 0; i < c->na; i++) {
		const struct mmctl_rec_anon_vma *a = c->av[i];

		if (c->partial ? a->num_active_vmas < c->seen[i] :
		    a->num_active_vmas != c->seen[i])
			viol(c, MMCTL_R_I5, a->id, c->seen[i], a->num_active_vmas, 0);
	}
	return 0;
}
/* I4, I6, I7 over the anon_vmas. */
static void ck_shape(struct ck *c)
{
	__u32 i, x, depth;

	for (i = 0; i < c->na; i++) {
		const struct mmctl_rec_anon_vma *a = c->av[i], *p, *r;

		if (a->parent_id == a->id) {
			if (a->root_id != a->id)
				viol(c, MMCTL_R_I4_ROOT, a->id, a->id, a->root_id, 0);
		} else {
			if (a->root_id == a->id)
				viol(c, MMCTL_R_I4_ROOT, a->id, 0, a->root_id, a->parent_id);
			x = c->avpar[i];
			p = x == NOTFOUND ? NULL : c->av[x];
			if (p) {
				c->kids[x]++;
				if (p->root_id != a->root_id)
					viol(c, MMCTL_R_I4_ROOT, a->id, p->root_id, a->root_id,
					     a->parent_id);
			} else if (!c->partial) {
				viol(c, MMCTL_R_I4_PARENT, a->id, 0, a->parent_id, 0);
			}
			x = ht_get(&c->av_ht, a->root_id);
			r = x == NOTFOUND ? NULL : c->av[x];
			if (r && r->parent_id == r->id)
				c->nonroot[x]++;
			else if (r)
				viol(c, MMCTL_R_I4_ROOT, a->id, r->parent_id, a->root_id, r->id);
		}
		if (c->no_tree ? !a->tree_avcs : !c->tlen[i] && (c->nt || !c->partial))
			viol(c, MMCTL_R_I7_EMPTY, a->id, 1, 0, 0);
		if ((__s32)a->refcount < 1)
			viol(c, MMCTL_R_I7_REF, a->id, 1, a->refcount, 0);
	}
	/* Cycles: walk parent links; state 1 = on the current path, 2 = done. */
	for (i = 0; i < c->na; i++) {
		x = i;
		depth = 0;
		while (x != NOTFOUND && !c->state[x]) {
			c->state[x] = 1;
			c->path[depth++] = x;
			if (c->av[x]->parent_id == c->av[x]->id)
				break;
			x = c->avpar[x];
			if (x != NOTFOUND && c->state[x] == 1)
				viol(c, MMCTL_R_I4_CYCLE, c->av[x]->id, 0, depth, 0);
		}
		while (depth)
			c->state[c->path[--depth]] = 2;
	}
	for (i = 0; i < c->na; i++) {
		const struct mmctl_rec_anon_vma *a = c->av[i];
		int root = a->parent_id == a->id;
		__u64 want = c->kids[i] + (root ? 1 : 0);
		__u64 need = 1 + (__u64)c->nonroot[i];

		if (c->partial ? a->num_children < want : a->num_children != want)
			viol(c, MMCTL_R_I6, a->id, want, a->num_children, 0);
		if (!root)
			continue;
		/* A lower bound in every mode: we saw at most all non-roots. */
		if (a->refcount < need)
			viol(c, MMCTL_R_I7_ROOT_REF, a->id, need, a->refcount, 0);
		else if (a->refcount > need && !c->partial)
			viol(c, MMCTL_R_I7_ROOT_EXTRA, a->id, need, a->refcount, 0);
	}
}

/* The first sample's address of @kind for @vma_id, or 0. */
static __u64 ck_sample(struct ck *c, __u64 vma_id, __u32 kind)
{
	__u32 k = ht_get(&c->sample_ht, mix(vma_id) ^ kind);

	return k == NOTFOUND ? 0 : c->sa[k]->addr;
}

/* I9 from the kernel's per-VMA folio facts. */
static void ck_folios(struct ck *c)
{
	__u32 i;

	for (i = 0; i < c->ns; i++)
		ht_put(&c->sample_ht, mix(c->sa[i]->vma_id) ^ c->sa[i]->kind, i);
	for (i = 0; i < c->nf; i++) {
		const struct mmctl_rec_folios *f = c->fo[i];

		if (f->outside_chain)
			viol(c, MMCTL_R_I9_OUTSIDE, f->vma_id, 0, f->outside_chain,
			     ck_sample(c, f->vma_id, MMCTL_SAMPLE_OUTSIDE_CHAIN));
		if (f->index_mismatch)
			viol(c, MMCTL_R_I9_INDEX, f->vma_id, 0, f->index_mismatch,
			     ck_sample(c, f->vma_id, MMCTL_SAMPLE_INDEX));
	}
}

int mmctl_check(const struct mmctl_check_ops *ops, struct mmctl_check_result *res)
{
	struct ck ck = { .ops = ops, .res = res }, *c = &ck;
	__u8 *vbad, *abad, *fbad;
	int ret, i;

	for (i = 0; i < MMCTL_SEV_NR; i++)
		res->count[i] = 0;
	res->partial = 0;
	ret = ck_index(c);
	if (ret)
		goto free_all;
	c->root_last = !!(c->dump->flags & MMCTL_DUMPF_ROOT_LAST);
	c->lockless = !(c->dump->flags & MMCTL_DUMPF_CONSISTENT);
	c->partial = !(c->dump->flags & MMCTL_DUMPF_CONSISTENT) ||
		(c->dump->flags & MMCTL_DUMPF_PARTIAL);
	if (c->partial)
		res->partial = MMCTL_PARTIAL_I1 | MMCTL_PARTIAL_I4 | MMCTL_PARTIAL_I5 |
			MMCTL_PARTIAL_I6 | MMCTL_PARTIAL_I7;
	c->no_tree = !!(c->dump->flags & MMCTL_DUMPF_NO_TREE);
	c->no_families = !!(c->dump->flags & MMCTL_DUMPF_NO_FAMILIES);
	if (c->no_tree)
		res->partial |= MMCTL_PARTIAL_I3;
	/* Untrusted input (a saved dump): a shift must stay below 64. */
	c->page_shift = c->dump->page_shift >= 10 && c->dump->page_shift <= 30 ?
		c->dump->page_shift : 12;
	res->nr_vmas = c->nv;
	res->nr_anon_vmas = c->na;
	res->nr_chain = c->nc;
	res->nr_tree = c->nt;

	ret = -ENOMEM;
	vbad = ck_alloc(c, c->nv, 1);
	abad = ck_alloc(c, c->na, 1);
	fbad = ck_alloc(c, c->nv, 1);
	c->avroot = ck_alloc(c, c->na, sizeof(*c->avroot));
	c->avpar = ck_alloc(c, c->na, sizeof(*c->avpar));
	c->stamp = ck_alloc(c, c->na, sizeof(*c->stamp));
	c->kids = ck_alloc(c, c->na, sizeof(*c->kids));
	c->nonroot = ck_alloc(c, c->na, sizeof(*c->nonroot));
	c->seen = ck_alloc(c, c->na, sizeof(*c->seen));
	c->first = ck_alloc(c, c->na, sizeof(*c->first));
	c->firstmm = ck_alloc(c, c->na, sizeof(*c->firstmm));
	c->ncount = ck_alloc(c, c->na, sizeof(*c->ncount));
	c->nsum = ck_alloc(c, c->na, sizeof(*c->nsum));
	c->path = ck_alloc(c, c->na, sizeof(*c->path));
	c->state = ck_alloc(c, c->na, sizeof(*c->state));
	c->chash = ck_alloc(c, c->nv, sizeof(*c->chash));
	c->cav = ck_alloc(c, c->nc, sizeof(*c->cav));
	if (!c->cav || !vbad || !abad || !fbad || !c->avroot || !c->avpar || !c->stamp || !c->kids ||
	    !c->nonroot || !c->seen || !c->first || !c->firstmm || !c->ncount || !c->nsum || !c->path ||
	    !c->state || !c->chash)
		goto free_all;
	ret = ck_tables(c);
	if (ret)
		goto free_all;
	/* Grouping passes only for records not already grouped (or dup IDs). */
	ret = ck_group_if(c, c->chain_pre, c->nv, (const void **)c->ch, c->nc, chain_owner,
			  mmctl_chain_pos, c->cstart, c->clen, (const void ***)&c->cbv, vbad,
			  MMCTL_REC_CHAIN);
	if (!ret)
		ret = ck_group_if(c, c->tree_pre, c->na, (const void **)c->tr, c->nt,
				  tree_owner, mmctl_tree_pos, c->tstart, c->tlen,
				  (const void ***)&c->tba, abad, MMCTL_REC_TREE);
	if (!ret)
		ret = ck_group_if(c, c->fa_pre, c->nv, (const void **)c->fa, c->nfa,
				  folio_av_owner, NULL, c->fstart, c->flen,
				  (const void ***)&c->fbv, fbad, MMCTL_REC_FOLIO_AV);
	if (!ret)
		ret = ck_writers(c);
	if (ret)
		goto free_all;

	ck_vmas(c, vbad);
	ret = ck_trees(c, abad);
	if (ret)
		goto free_all;
	ck_shape(c);
	ck_folios(c);
	ret = 0;
free_all:
	while (c->nr_allocs)
		ops->free(ops->ctx, c->allocs[--c->nr_allocs]);
	return ret;
}
