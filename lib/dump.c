// SPDX-License-Identifier: GPL-2.0
/*
 * Indexing dumps: records of any producer (module, BPF, JSON) normalised to
 * this build's sizes, grouped per type, per VMA chain and per anon_vma tree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dump.h"
#include "group.h"

/* Append, doubling the array at powers of two (capacity 8 at first). */
#define PUSH(arr, n, rec) do {						\
	if ((n) >= 8 ? !((n) & ((n) - 1)) : (n) == 0) {			\
		void *_p = realloc((void *)(arr),			\
				   ((n) ? 2 * (n) : 8) * sizeof(*(arr)));	\
		if (!_p)						\
			goto nomem;					\
		(arr) = _p;						\
	}								\
	(arr)[(n)++] = (const void *)(rec);				\
} while (0)

/* The first record wins for a duplicate ID (the checker reports duplicates). */
ssize_t mm_dump_vma_idx(const struct mm_dump *d, uint64_t id)
{
	return (ssize_t)mmctl_idtab_get(&d->vma_ht, id);	/* NONE is -1 */
}

ssize_t mm_dump_av_idx(const struct mm_dump *d, uint64_t id)
{
	return (ssize_t)mmctl_idtab_get(&d->av_ht, id);
}

/*
 * Group @n records by owner (lib/group.h, the checker's grouping) into
 * @order, @lists per owner; by @pos within an owner, else in record order.
 * A record at a position missing, repeated or out of range takes its
 * owner's first free slot, so every slot is filled.
 */
static int group(struct mm_dump *d, size_t nowners, const void *const *recs, size_t n,
		 mmctl_group_key owner, mmctl_group_key pos, struct mm_list **lists,
		 const void ***order)
{
	struct mm_list *l = calloc(nowners + 1, sizeof(*l));
	const void **o = calloc(n + 1, sizeof(*o));
	__u32 *start = calloc(nowners + 1, sizeof(*start));
	__u32 *len = calloc(nowners + 1, sizeof(*len));
	__u32 *next = calloc(nowners + 1, sizeof(*next));
	int ret = -ENOMEM;

	if (!l || !o || !start || !len || !next || nowners >= MMCTL_GROUP_NONE ||
	    n >= MMCTL_GROUP_NONE)
		goto out;
	mmctl_group(d, recs, n, nowners, owner, pos, start, len, next, o, NULL);
	for (size_t w = 0; w < nowners; w++) {
		l[w].start = start[w];
		l[w].len = len[w];
	}
	*lists = l;
	*order = o;
	l = NULL;
	o = NULL;
	ret = 0;
out:
	free(l);
	free(o);
	free(start);
	free(len);
	free(next);
	return ret;
}

static __u32 owner_vma(void *d, uint64_t id)
{
	ssize_t i = mm_dump_vma_idx(d, id);

	return i < 0 ? MMCTL_GROUP_NONE : (__u32)i;
}

static __u32 owner_av(void *d, uint64_t id)
{
	ssize_t i = mm_dump_av_idx(d, id);

	return i < 0 ? MMCTL_GROUP_NONE : (__u32)i;
}

static __u32 chain_owner(void *d, const void *r)
{
	return owner_vma(d, ((const struct mmctl_rec_chain *)r)->vma_id);
}

static __u32 fav_owner(void *d, const void *r)
{
	return owner_vma(d, ((const struct mmctl_rec_folio_av *)r)->vma_id);
}

static __u32 sample_owner(void *d, const void *r)
{
	return owner_vma(d, ((const struct mmctl_rec_sample *)r)->vma_id);
}

static __u32 tree_owner(void *d, const void *r)
{
	return owner_av(d, ((const struct mmctl_rec_tree *)r)->anon_vma_id);
}

static int build_indexes(struct mm_dump *d)
{
	size_t vc = mmctl_idtab_size(&d->vma_ht, d->nr_vmas);
	size_t ac = mmctl_idtab_size(&d->av_ht, d->nr_avs);

	d->vma_ht.s = calloc(vc, sizeof(*d->vma_ht.s));
	d->av_ht.s = calloc(ac, sizeof(*d->av_ht.s));
	d->vma_folios = calloc(d->nr_vmas + 1, sizeof(*d->vma_folios));
	if (!d->vma_ht.s || !d->av_ht.s || !d->vma_folios)
		return -ENOMEM;
	for (size_t i = 0; i < d->nr_vmas; i++)
		mmctl_idtab_add(&d->vma_ht, d->vmas[i]->id, i);
	for (size_t i = 0; i < d->nr_avs; i++)
		mmctl_idtab_add(&d->av_ht, d->avs[i]->id, i);
	for (size_t i = 0; i < d->nr_folios; i++) {
		ssize_t v = mm_dump_vma_idx(d, d->folios[i]->vma_id);

		if (v >= 0 && !d->vma_folios[v])
			d->vma_folios[v] = d->folios[i];
	}
	if (group(d, d->nr_vmas, (const void *const *)d->chains, d->nr_chains, chain_owner,
		  mmctl_chain_pos, &d->vma_chain, (const void ***)&d->chain_order) ||
	    group(d, d->nr_vmas, (const void *const *)d->folio_avs, d->nr_folio_avs, fav_owner,
		  NULL, &d->vma_fav, (const void ***)&d->fav_order) ||
	    group(d, d->nr_vmas, (const void *const *)d->samples, d->nr_samples, sample_owner,
		  NULL, &d->vma_samples, (const void ***)&d->sample_order) ||
	    group(d, d->nr_avs, (const void *const *)d->trees, d->nr_trees, tree_owner,
		  mmctl_tree_pos, &d->av_tree, (const void ***)&d->tree_order))
		return -ENOMEM;
	return 0;
}

/*
 * Records of another ABI version: one shorter than this reader's struct
 * (an older producer) is zero-extended, in a copy of the buffer made only
 * when there is one; a longer one (a newer producer) stays as it is and is
 * read up to the fields known here, stepping by its size. Unknown types
 * are copied unchanged. Returns 0 (*bufp, *lenp possibly replaced, the old
 * buffer freed), -EBADMSG for a malformed header, or -ENOMEM.
 */
static int normalize_records(void **bufp, size_t *lenp)
{
	size_t off, out = 0, extra = 0, len = *lenp;
	char *buf = *bufp, *nbuf;

	for (off = 0; off < len; off += ((struct mmctl_rec_hdr *)(buf + off))->size) {
		const struct mmctl_rec_hdr *h = (const void *)(buf + off);

		if (len - off < sizeof(*h) || h->size < sizeof(*h) || h->size % 8 ||
		    h->size > len - off)
			return -EBADMSG;
		if (h->size < mmctl_rec_min_size(h->type))
			extra += mmctl_rec_min_size(h->type) - h->size;
	}
	if (!extra)
		return 0;
	nbuf = calloc(1, len + extra);
	if (!nbuf)
		return -ENOMEM;
	for (off = 0; off < len; off += ((struct mmctl_rec_hdr *)(buf + off))->size) {
		const struct mmctl_rec_hdr *h = (const void *)(buf + off);
		uint32_t want = mmctl_rec_min_size(h->type);
		struct mmctl_rec_hdr *nh = (void *)(nbuf + out);

		memcpy(nh, h, h->size);
		if (h->size < want)
			nh->size = want;	/* the tail stays zero (calloc) */
		out += nh->size;
	}
	free(buf);
	*bufp = nbuf;
	*lenp = out;
	return 0;
}

int mm_dump_parse(struct mm_dump *d, void *buf, size_t len)
{
	size_t off = 0;
	int ret;

	memset(d, 0, sizeof(*d));
	ret = normalize_records(&buf, &len);
	if (ret) {
		free(buf);
		return ret;
	}
	d->buf = buf;
	d->len = len;
	while (off < len) {
		const struct mmctl_rec_hdr *h = (const void *)((char *)buf + off);

		if (len - off < sizeof(*h) || h->size < mmctl_rec_min_size(h->type) ||
		    h->size % 8 || h->size > len - off)
			goto bad;
		switch (h->type) {
		case MMCTL_REC_DUMP:
			if (d->hdr || off)
				goto bad;
			d->hdr = (const void *)h;
			break;
		case MMCTL_REC_FAMILY: PUSH(d->families, d->nr_families, h); break;
		case MMCTL_REC_VMA: PUSH(d->vmas, d->nr_vmas, h); break;
		case MMCTL_REC_ANON_VMA: PUSH(d->avs, d->nr_avs, h); break;
		case MMCTL_REC_CHAIN: PUSH(d->chains, d->nr_chains, h); break;
		case MMCTL_REC_TREE: PUSH(d->trees, d->nr_trees, h); break;
		case MMCTL_REC_FOLIOS: PUSH(d->folios, d->nr_folios, h); break;
		case MMCTL_REC_FOLIO_AV: PUSH(d->folio_avs, d->nr_folio_avs, h); break;
		case MMCTL_REC_SAMPLE: PUSH(d->samples, d->nr_samples, h); break;
		case MMCTL_REC_PAGE: PUSH(d->pages, d->nr_pages, h); break;
		case MMCTL_REC_STATS:
			if (d->stats)
				goto bad;
			d->stats = (const void *)h;
			break;
		default: d->nr_unknown++; break;	/* newer record: skip */
		}
		off += h->size;
	}
	if (!d->hdr)
		goto bad;
	d->kernel_order = d->hdr->flags & MMCTL_DUMPF_ROOT_LAST ?
		MM_CHAIN_ORDER_ROOT_LAST : MM_CHAIN_ORDER_UNKNOWN;
	if (build_indexes(d))
		goto nomem;
	return 0;
bad:
	mm_dump_free(d);
	return -EBADMSG;
nomem:
	mm_dump_free(d);
	return -ENOMEM;
}

void mm_dump_free(struct mm_dump *d)
{
	free(d->families);
	free(d->vmas);
	free(d->avs);
	free(d->chains);
	free(d->trees);
	free(d->folios);
	free(d->folio_avs);
	free(d->samples);
	free(d->pages);
	free(d->vma_ht.s);
	free(d->av_ht.s);
	free(d->vma_folios);
	free(d->vma_chain);
	free(d->vma_fav);
	free(d->vma_samples);
	free(d->av_tree);
	free(d->chain_order);
	free(d->fav_order);
	free(d->sample_order);
	free(d->tree_order);
	free(d->buf);
	memset(d, 0, sizeof(*d));
}

const struct mmctl_rec_vma *mm_dump_vma(const struct mm_dump *d, uint64_t id)
{
	ssize_t i = mm_dump_vma_idx(d, id);

	return i < 0 ? NULL : d->vmas[i];
}

const struct mmctl_rec_vma *mm_dump_vma_at(const struct mm_dump *d, uint32_t pid,
					   uint64_t start)
{
	for (size_t i = 0; i < d->nr_vmas; i++)
		if (d->vmas[i]->pid == pid && d->vmas[i]->start == start)
			return d->vmas[i];
	return NULL;
}

const struct mmctl_rec_anon_vma *mm_dump_av(const struct mm_dump *d, uint64_t id)
{
	ssize_t i = mm_dump_av_idx(d, id);

	return i < 0 ? NULL : d->avs[i];
}

/* Depth of anon_vma @id below its root (0: the root) through parent links. */
static int av_depth(const struct mm_dump *d, uint64_t id)
{
	int depth = 0;

	for (const struct mmctl_rec_anon_vma *a = mm_dump_av(d, id);
	     a && a->parent_id != a->id && depth < 1 << 20; a = mm_dump_av(d, a->parent_id))
		depth++;
	return depth;
}

const struct mmctl_rec_chain **mm_dump_chain_recs(const struct mm_dump *d, uint64_t vma_id,
						  size_t *n)
{
	ssize_t i = mm_dump_vma_idx(d, vma_id);

	*n = i < 0 ? 0 : d->vma_chain[i].len;
	return i < 0 ? NULL : d->chain_order + d->vma_chain[i].start;
}

size_t mm_dump_chain(const struct mm_dump *d, uint64_t vma_id, uint64_t *ids,
		     size_t max)
{
	size_t n;
	const struct mmctl_rec_chain **c = mm_dump_chain_recs(d, vma_id, &n);

	for (size_t k = 0; k < n && k < max; k++)
		ids[k] = c[k] ? c[k]->anon_vma_id : 0;
	return n;
}

size_t mm_dump_chain_ancestry(const struct mm_dump *d, uint64_t vma_id, uint64_t *ids,
			      size_t max)
{
	size_t n = mm_dump_chain(d, vma_id, ids, max);

	/* Insertion sort, deepest first (a missing entry, ID 0, last). */
	for (size_t i = 1; i < n && i < max; i++)
		for (size_t j = i; j > 0; j--) {
			int above = ids[j - 1] ? av_depth(d, ids[j - 1]) : -1;
			int here = ids[j] ? av_depth(d, ids[j]) : -1;
			uint64_t t = ids[j];

			if (above >= here)
				break;
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	return n;
}

const struct mmctl_rec_folios *mm_dump_folios(const struct mm_dump *d,
					      uint64_t vma_id)
{
	ssize_t i = mm_dump_vma_idx(d, vma_id);

	return i < 0 ? NULL : d->vma_folios[i];
}

const struct mmctl_rec_page *mm_dump_page(const struct mm_dump *d, uint64_t addr)
{
	for (size_t i = 0; i < d->nr_pages; i++)
		if (d->pages[i]->addr == addr)
			return d->pages[i];
	return NULL;
}

uint64_t mm_dump_folio_pages(const struct mm_dump *d, uint64_t vma_id,
			     uint64_t av_id)
{
	ssize_t i = mm_dump_vma_idx(d, vma_id);

	for (size_t k = 0; i >= 0 && k < d->vma_fav[i].len; k++)
		if (d->fav_order[d->vma_fav[i].start + k]->anon_vma_id == av_id)
			return d->fav_order[d->vma_fav[i].start + k]->pages;
	return 0;
}
