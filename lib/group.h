/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One grouping of records by owner (chain entries by VMA, tree nodes by
 * anon_vma, ...) for the checker, which the module compiles (no libc: the
 * caller provides every array), and for libmmctl's dump index.
 *
 * A counting sort of @n records into @out: owner by owner, each owner's
 * records at their own position (@pos) or, without @pos, in record order.
 * A record whose owner is MMCTL_GROUP_NONE is left out. A record whose
 * position is out of its owner's range or already taken is a misfit:
 * - with @bad (the checker), it is left out, its owner is marked in @bad
 *   and its slot stays a hole (NULL): a chain with a hole is a verdict;
 * - without @bad (the dump index), it takes its owner's first free slot
 *   once every other record is placed, so that every slot is filled: a
 *   reader shows what is there, the checker says what is wrong with it.
 *
 * @start, @len and @next have @nowners entries, @out has @n; all are
 * written here (@next is scratch).
 */
#ifndef MMCTL_GROUP_H
#define MMCTL_GROUP_H

#include <linux/types.h>
#include <linux/mmctl.h>
#ifdef __KERNEL__
#include <linux/stddef.h>
#else
#include <stddef.h>
#endif

#define MMCTL_GROUP_NONE ((__u32)-1)

/* A record's owner index or its position; MMCTL_GROUP_NONE: unknown. */
typedef __u32 (*mmctl_group_key)(void *ctx, const void *rec);

/* The positions both users group by: a chain entry's, a tree node's. */
static inline __u32 mmctl_chain_pos(void *ctx, const void *rec)
{
	(void)ctx;
	return ((const struct mmctl_rec_chain *)rec)->pos;
}

static inline __u32 mmctl_tree_pos(void *ctx, const void *rec)
{
	(void)ctx;
	return ((const struct mmctl_rec_tree *)rec)->pos;
}

static inline void mmctl_group(void *ctx, const void *const *recs, __u32 n, __u32 nowners,
			       mmctl_group_key owner, mmctl_group_key pos, __u32 *start,
			       __u32 *len, __u32 *next, const void **out, __u8 *bad)
{
	__u32 i, o, p, sum = 0;

	for (o = 0; o < nowners; o++)
		start[o] = len[o] = next[o] = 0;
	for (i = 0; i < n; i++) {
		out[i] = NULL;
		o = owner(ctx, recs[i]);
		if (o != MMCTL_GROUP_NONE)
			len[o]++;
	}
	for (o = 0; o < nowners; o++) {
		start[o] = sum;
		sum += len[o];
	}
	for (i = 0; i < n; i++) {
		o = owner(ctx, recs[i]);
		if (o == MMCTL_GROUP_NONE)
			continue;
		p = pos ? pos(ctx, recs[i]) : next[o]++;
		if (p < len[o] && !out[start[o] + p])
			out[start[o] + p] = recs[i];
		else if (bad)
			bad[o] = 1;
	}
	if (bad || !pos)
		return;
	for (o = 0; o < nowners; o++)
		next[o] = 0;
	for (i = 0; i < n; i++) {
		o = owner(ctx, recs[i]);
		if (o == MMCTL_GROUP_NONE)
			continue;
		p = pos(ctx, recs[i]);
		if (p < len[o] && out[start[o] + p] == recs[i])
			continue;
		while (next[o] < len[o] && out[start[o] + next[o]])
			next[o]++;
		if (next[o] < len[o])
			out[start[o] + next[o]] = recs[i];
	}
}

#endif /* MMCTL_GROUP_H */
