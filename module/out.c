// SPDX-License-Identifier: GPL-2.0
/*
 * The dump's record buffer: a list of chunks filled in order. Records never
 * straddle chunks. Rollback empties the chunks after a mark but keeps them,
 * so a retry after mmctl_out_reserve() needs no allocation.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mmctl.h"

#define MMCTL_CHUNK_BYTES (16 * 1024)

/*
 * Fault injection for the tests (Debian's kernels have no
 * CONFIG_FAULT_INJECTION): counting the records a dump asks for under a
 * root lock (GFP_NOWAIT) from 1, the fault_nowait_at-th and the ones after
 * it fail as a failed GFP_NOWAIT allocation would, fault_nowait_times in
 * all (each retry of the family asks again: consecutive failures are that
 * family's). 0 (the default) never fails anything.
 */
unsigned int mmctl_fault_nowait_at, mmctl_fault_nowait_times;
/* and the walk retried after such a failure sleeps this long first */
unsigned int mmctl_fault_retry_ms;

struct mmctl_chunk {
	struct list_head node;
	size_t size;		/* bytes of data[] */
	size_t used;
	u8 data[] __aligned(8);
};

#define MMCTL_CHUNK_DATA (MMCTL_CHUNK_BYTES - sizeof(struct mmctl_chunk))

void mmctl_out_init(struct mmctl_out *out, size_t limit)
{
	INIT_LIST_HEAD(&out->chunks);
	out->cur = NULL;
	out->used = 0;
	out->limit = limit;
	out->nr_records = 0;
	out->kmem = 0;
	out->gfp = GFP_KERNEL;
	out->capped = false;
	out->nowait_recs = 0;
}

void mmctl_out_free(struct mmctl_out *out)
{
	struct mmctl_chunk *c, *n;

	list_for_each_entry_safe(c, n, &out->chunks, node) {
		list_del(&c->node);
		kfree(c);
	}
	mmctl_out_init(out, out->limit);
}

static struct mmctl_chunk *mmctl_next_chunk(struct mmctl_out *out,
					    struct mmctl_chunk *c)
{
	if (!c)
		return list_first_entry_or_null(&out->chunks, struct mmctl_chunk, node);
	return list_is_last(&c->node, &out->chunks) ? NULL : list_next_entry(c, node);
}

static struct mmctl_chunk *mmctl_chunk_new(struct mmctl_out *out, size_t min,
					   gfp_t gfp)
{
	size_t size = max_t(size_t, min, MMCTL_CHUNK_DATA);
	struct mmctl_chunk *c;

	c = kmalloc(sizeof(*c) + size, gfp | __GFP_NOWARN);
	if (!c)
		return NULL;
	c->size = size;
	c->used = 0;
	out->kmem += sizeof(*c) + size;
	list_add_tail(&c->node, &out->chunks);
	return c;
}

/*
 * Make at least @bytes of records appendable without allocating, or as
 * many as the cap leaves: a reservation is a guess, and only a record that
 * does not fit under the cap is EFBIG (mmctl_out_rec() sets out->capped).
 */
int mmctl_out_reserve(struct mmctl_out *out, size_t bytes)
{
	struct mmctl_chunk *c = out->cur;
	size_t free = c ? c->size - c->used : 0;

	if (out->capped)
		return -EFBIG;
	bytes = min(bytes, out->limit - min(out->used, out->limit));
	while ((c = mmctl_next_chunk(out, c)))
		free += c->size;
	while (free < bytes) {
		if (!mmctl_chunk_new(out, 0, GFP_KERNEL))
			return -ENOMEM;
		free += MMCTL_CHUNK_DATA;
	}
	return 0;
}

/*
 * Append a zeroed record of @size bytes. NULL when the cap is reached or an
 * allocation with out->gfp failed; mmctl_out_reserve() tells which.
 */
void *mmctl_out_rec(struct mmctl_out *out, u32 type, size_t size)
{
	struct mmctl_chunk *c = out->cur;
	struct mmctl_rec_hdr *h;

	size = ALIGN(size, 8);
	if (out->used + size > out->limit) {
		out->capped = true;
		return NULL;
	}
	if (out->gfp != GFP_KERNEL && READ_ONCE(mmctl_fault_nowait_at) &&
	    ++out->nowait_recs >= READ_ONCE(mmctl_fault_nowait_at) &&
	    READ_ONCE(mmctl_fault_nowait_times)) {
		WRITE_ONCE(mmctl_fault_nowait_times, mmctl_fault_nowait_times - 1);
		return NULL;
	}
	if (!c || c->size - c->used < size) {
		/* Later chunks are empty (reserved or rolled back). */
		do {
			c = mmctl_next_chunk(out, c);
		} while (c && c->size < size);
		if (!c)
			c = mmctl_chunk_new(out, size, out->gfp);
		if (!c)
			return NULL;
		out->cur = c;
	}
	h = (struct mmctl_rec_hdr *)(c->data + c->used);
	memset(h, 0, size);
	h->type = type;
	h->size = size;
	c->used += size;
	out->used += size;
	out->nr_records++;
	return h;
}

void mmctl_out_mark(struct mmctl_out *out, struct mmctl_out_mark *m)
{
	m->chunk = out->cur;
	m->chunk_used = out->cur ? out->cur->used : 0;
	m->used = out->used;
	m->nr_records = out->nr_records;
}

/*
 * Forget every record appended after @m; keep the memory for the retry. A
 * record refused at the cap stays refused: the same walk needs as much.
 */
void mmctl_out_rollback(struct mmctl_out *out, const struct mmctl_out_mark *m)
{
	struct mmctl_chunk *c = m->chunk;

	if (c)
		c->used = m->chunk_used;
	while ((c = mmctl_next_chunk(out, c)))
		c->used = 0;
	out->cur = m->chunk;
	out->used = m->used;
	out->nr_records = m->nr_records;
}

int mmctl_out_copy_to_user(struct mmctl_out *out, void __user *dst)
{
	struct mmctl_chunk *c;

	list_for_each_entry(c, &out->chunks, node) {
		if (copy_to_user(dst, c->data, c->used))
			return -EFAULT;
		dst += c->used;
	}
	return 0;
}

const struct mmctl_rec_hdr *mmctl_out_next(struct mmctl_out *out,
					   const struct mmctl_rec_hdr *prev,
					   void **cursor)
{
	struct mmctl_chunk *c = prev ? *cursor : NULL;
	size_t off = prev ? (const u8 *)prev - c->data + prev->size : 0;

	if (!prev)
		c = mmctl_next_chunk(out, NULL);
	while (c && off >= c->used) {
		c = mmctl_next_chunk(out, c);
		off = 0;
	}
	*cursor = c;
	return c ? (const struct mmctl_rec_hdr *)(c->data + off) : NULL;
}
