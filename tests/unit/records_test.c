// SPDX-License-Identifier: GPL-2.0
/*
 * Records of another ABI version (uapi/linux/mmctl.h): a record shorter
 * than this reader's struct (an older producer) is zero-extended, a longer
 * one (a newer producer) is read up to the fields known here and stepped
 * over by its size; a malformed header is EBADMSG. Synthetic buffers
 * through mm_dump_parse(), the reader every backend and file goes through.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/harness.h"
#include "checkrun.h"
#include "dump.h"

struct buf {
	char *p;
	size_t len;
};

/* Append a record of @size bytes (a multiple of 8) copied from @rec. */
static void *add(struct buf *b, const void *rec, uint32_t size)
{
	struct mmctl_rec_hdr *h;

	b->p = realloc(b->p, b->len + size);
	h = (void *)(b->p + b->len);
	memset(h, 0, size);
	memcpy(h, rec, size);
	h->size = size;
	b->len += size;
	return h;
}

static void base(struct buf *b)
{
	struct mmctl_rec_dump d = { .hdr = { MMCTL_REC_DUMP, sizeof(d) },
		.abi_version = 1, .flags = MMCTL_DUMPF_CONSISTENT, .pid = 42,
		.page_shift = 12, .comm = "old" };

	b->p = NULL;
	b->len = 0;
	add(b, &d, sizeof(d));
}

/* The dump under test, freed whether the test passed or not. */
FIXTURE(records) {
	struct mm_dump d;
	int parsed;
};

FIXTURE_SETUP(records)
{
}

FIXTURE_TEARDOWN(records)
{
	if (self->parsed)
		mm_dump_free(&self->d);
}

/* Parse @b into the fixture's dump (which then owns the buffer). */
static int parse(FIXTURE(records) *self, struct buf *b)
{
	int r = mm_dump_parse(&self->d, b->p, b->len);

	self->parsed = !r;
	return r;
}

/* An older module's VMA record: everything up to chain_len, no comm. */
TEST_F(records, t_short_vma,
       "records: a shorter (older) VMA record is zero-extended and checks clean")
{
	struct mmctl_rec_vma v = { .hdr = { MMCTL_REC_VMA, 0 }, .id = 7, .start = 0x1000,
		.end = 0x3000, .anon_vma_id = 9, .root_id = 9, .pid = 42, .chain_len = 1 };
	struct mmctl_rec_anon_vma a = { .hdr = { MMCTL_REC_ANON_VMA, 0 }, .id = 9, .root_id = 9,
		.parent_id = 9, .num_children = 1, .num_active_vmas = 1, .refcount = 1,
		.tree_avcs = 1 };
	struct mmctl_rec_chain c = { .hdr = { MMCTL_REC_CHAIN, 0 }, .vma_id = 7,
		.anon_vma_id = 9, .avc_id = 5, .flags = MMCTL_CHAINF_IS_ANON_VMA };
	struct mmctl_rec_tree t = { .hdr = { MMCTL_REC_TREE, 0 }, .anon_vma_id = 9,
		.avc_id = 5, .vma_id = 7, .start_pgoff = 0, .last_pgoff = 1,
		.subtree_last = 1, .subtree_last_calc = 1 };
	struct mm_dump *d = &self->d;
	struct mmctl_check_result res;
	struct buf b;

	memset(v.comm, 'x', sizeof(v.comm));	/* must not be read */
	base(&b);
	add(&b, &v, offsetof(struct mmctl_rec_vma, comm));
	add(&b, &a, sizeof(a));
	add(&b, &c, sizeof(c));
	add(&b, &t, sizeof(t));
	ASSERT_EQ(0, parse(self, &b));
	ASSERT_EQ(1, d->nr_vmas);
	ASSERT_EQ(1, d->nr_avs);
	EXPECT_EQ(1, d->nr_chains);
	EXPECT_EQ(sizeof(struct mmctl_rec_vma), d->vmas[0]->hdr.size);
	EXPECT_EQ(7, d->vmas[0]->id);
	EXPECT_EQ(1, d->vmas[0]->chain_len);
	EXPECT_EQ(0x3000, d->vmas[0]->end);
	for (size_t i = 0; i < sizeof(v.comm); i++)
		EXPECT_EQ(0, d->vmas[0]->comm[i]);	/* zero-extended */
	EXPECT_EQ(9, d->avs[0]->id);			/* the next record found */
	EXPECT_EQ(1, d->avs[0]->refcount);
	/* The normalised dump checks clean. */
	ASSERT_EQ(0, mm_check_buf(d->buf, d->len, NULL, NULL, &res));
	EXPECT_EQ(0, res.count[MMCTL_SEV_ERROR]);
	EXPECT_EQ(0, res.count[MMCTL_SEV_TRANSIENT]);
	EXPECT_EQ(1, res.nr_vmas);
}

/* A newer module's records: 24 more bytes each, and a record type unknown here. */
TEST_F(records, t_long_records,
       "records: longer (newer) records and unknown types are stepped over")
{
	struct {
		struct mmctl_rec_vma v;
		uint64_t newer[3];
	} v = { .v = { .hdr = { MMCTL_REC_VMA, 0 }, .id = 7, .start = 0x1000, .end = 0x2000,
		       .pid = 42, .comm = "new" },
		.newer = { ~0ULL, ~0ULL, ~0ULL } };
	struct mmctl_rec_hdr unknown[4] = { { 200, sizeof(unknown) } };
	struct {
		struct mmctl_rec_folios f;
		uint64_t newer[3];
	} f = { .f = { .hdr = { MMCTL_REC_FOLIOS, 0 }, .vma_id = 7, .present = 1, .anon = 1,
		       .flags = MMCTL_FOLIOSF_WALKED },
		.newer = { ~0ULL, ~0ULL, ~0ULL } };
	struct mm_dump *d = &self->d;
	struct buf b;

	base(&b);
	add(&b, &v, sizeof(v));
	memset(unknown + 1, 0xff, sizeof(unknown) - sizeof(unknown[0]));
	add(&b, unknown, sizeof(unknown));
	add(&b, &f, sizeof(f));
	ASSERT_EQ(0, parse(self, &b));
	ASSERT_EQ(1, d->nr_vmas);
	ASSERT_EQ(1, d->nr_folios);
	EXPECT_EQ(1, d->nr_unknown);
	/* The VMA kept as written, the folios after the unknown record read. */
	EXPECT_EQ(sizeof(v), d->vmas[0]->hdr.size);
	EXPECT_EQ(0, strcmp(d->vmas[0]->comm, "new"));
	EXPECT_EQ(7, d->folios[0]->vma_id);
	EXPECT_EQ(1, d->folios[0]->anon);
}

/*
 * The dump index groups chain entries by VMA with the checker's grouping
 * (lib/group.h): entries at a repeated or out-of-range position still take
 * a slot each, after those at their own position, so a reader sees every
 * entry; the checker leaves the holes and names the chain.
 */
static void count_len(void *arg, const struct mmctl_violation *v)
{
	if (v->rule == MMCTL_R_I1_LEN && v->object == 7)
		++*(int *)arg;
}

TEST_F(records, t_group_fill,
       "records: chain entries at repeated or out-of-range positions fill the index's free slots")
{
	struct mmctl_rec_vma v = { .hdr = { MMCTL_REC_VMA, 0 }, .id = 7, .start = 0x1000,
		.end = 0x2000, .anon_vma_id = 9, .root_id = 9, .pid = 42, .chain_len = 3 };
	struct mmctl_rec_chain c = { .hdr = { MMCTL_REC_CHAIN, 0 }, .vma_id = 7,
		.anon_vma_id = 9 };
	static const __u32 pos[] = { 5, 1, 1 };	/* slot 0 free, 1 taken twice, 5 out of range */
	struct mm_dump *d = &self->d;
	const struct mmctl_rec_chain **e;
	struct mmctl_check_result res;
	struct buf b;
	int n_len = 0;

	base(&b);
	add(&b, &v, sizeof(v));
	for (int i = 0; i < 3; i++) {
		c.avc_id = 100 + i;
		c.pos = pos[i];
		add(&b, &c, sizeof(c));
	}
	ASSERT_EQ(0, parse(self, &b));
	ASSERT_EQ(1, d->nr_vmas);
	ASSERT_EQ(3, d->vma_chain[0].len);
	e = d->chain_order + d->vma_chain[0].start;
	ASSERT_TRUE(e[0] && e[1] && e[2]);
	EXPECT_EQ(101, e[1]->avc_id);	/* at its own position first */
	EXPECT_EQ(100, e[0]->avc_id);	/* then the misfits, in record order */
	EXPECT_EQ(102, e[2]->avc_id);
	/* The checker, on the same records: the chain has holes (I1-chain-length). */
	ASSERT_EQ(0, mm_check_buf(d->buf, d->len, count_len, &n_len, &res));
	EXPECT_EQ(1, n_len);
}

/* Headers that cannot be stepped over are refused. */
TEST(t_bad_headers, "records: a header smaller than itself or not 8-aligned is EBADMSG")
{
	static const uint32_t sizes[] = { 0, 4, 12 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct mmctl_rec_hdr h = { MMCTL_REC_VMA, sizes[i] };
		struct mm_dump d;
		struct buf b;
		int r;

		base(&b);
		b.p = realloc(b.p, b.len + 16);
		memset(b.p + b.len, 0, 16);
		memcpy(b.p + b.len, &h, sizeof(h));
		b.len += 16;
		r = mm_dump_parse(&d, b.p, b.len);
		if (r != -EBADMSG)
			printf("#   a record of %u bytes:\n", sizes[i]);
		EXPECT_EQ(-EBADMSG, r);
	}
}

/*
 * The BPF backend's raw stream (mm_bpf_records(): kernel addresses to IDs):
 * a VMA record shorter than its struct, the last in an exactly sized
 * buffer, is skipped without reading past it (ASan); a longer one is
 * copied whole, its tail as written, not heap garbage.
 */
TEST_F(records, t_bpf_raw,
       "records: the BPF backend skips a short raw record, copies a long one whole")
{
	struct {
		struct mmctl_rec_vma v;
		uint64_t newer[2];
	} lv = { .v = { .hdr = { MMCTL_REC_VMA, sizeof(lv) }, .id = 0xffff888000001000ULL,
		       .start = 0x1000, .end = 0x2000, .pid = 7, .flags = MMCTL_VMAF_TARGET },
		 .newer = { 0x1111111111111111ULL, 0x2222222222222222ULL } };
	struct mmctl_rec_hdr shortv = { MMCTL_REC_VMA, 16 };
	size_t len = sizeof(lv) + 16;
	char *raw = malloc(len);
	struct mm_dump *d = &self->d;
	const uint64_t *tail;
	int r;

	memcpy(raw, &lv, sizeof(lv));
	memset(raw + sizeof(lv), 0, 16);
	memcpy(raw + sizeof(lv), &shortv, sizeof(shortv));
	r = mm_bpf_records(d, 7, raw, len, 0);
	free(raw);
	ASSERT_EQ(0, r);
	self->parsed = 1;
	ASSERT_EQ(1, d->nr_vmas);	/* the short one skipped */
	/* The longer record's tail copied as written. */
	tail = (const void *)(d->vmas[0] + 1);
	EXPECT_EQ(sizeof(lv), d->vmas[0]->hdr.size);
	EXPECT_EQ(lv.newer[0], tail[0]);
	EXPECT_EQ(lv.newer[1], tail[1]);
	/* The kernel address replaced by an ID. */
	EXPECT_NE(lv.v.id, d->vmas[0]->id);
	EXPECT_EQ(0, d->vmas[0]->id >> 63);
}

/*
 * The BPF backend's one pass over every task (mmctl top): a VMA record ends
 * its process's segment (its chain and anon_vma records come before it);
 * segments regroup by pid in stream order, a short VMA record ends none,
 * records after the last VMA are dropped; each pid's dump holds its own
 * records only, and a pid the pass did not meet that no longer exists is
 * ESRCH, not another process's dump.
 */
TEST_F(records, t_bpf_split,
       "records: the BPF one pass splits its stream by pid, a VMA record ending each segment")
{
	const uint64_t av = 0xffff888000aa0000ULL, mm9 = 0xffff888000990000ULL,
		       mm3 = 0xffff888000330000ULL;
	struct mmctl_rec_vma v = { .hdr = { MMCTL_REC_VMA, sizeof(v) }, .flags = MMCTL_VMAF_TARGET };
	struct mmctl_rec_chain c = { .hdr = { MMCTL_REC_CHAIN, sizeof(c) } };
	struct mmctl_rec_anon_vma a = { .hdr = { MMCTL_REC_ANON_VMA, sizeof(a) }, .id = av,
					.root_id = av };
	struct {
		struct mmctl_rec_hdr h;
		uint64_t rest;
	} shortv = { .h = { MMCTL_REC_VMA, 16 } };
	struct mm_bpf_all all;
	struct mm_dump *d = &self->d;
	struct buf b = { 0 };
	int r;

	/* pid 9, VMA 0x1000: a chain entry and its anon_vma first */
	c.vma_id = 0xffff888000001000ULL;
	c.anon_vma_id = av;
	c.avc_id = 0xffff888000c01000ULL;
	c.flags = MMCTL_CHAINF_IS_ANON_VMA;
	add(&b, &c, sizeof(c));
	add(&b, &a, sizeof(a));
	v.id = c.vma_id, v.pid = 9, v.mm_id = mm9, v.start = 0x1000, v.end = 0x2000;
	v.anon_vma_id = av, v.root_id = av, v.chain_len = 1;
	add(&b, &v, sizeof(v));
	/* pid 3: a VMA without anon_vma, then a short VMA record (ends nothing) */
	v.id = 0xffff888000003000ULL, v.pid = 3, v.mm_id = mm3, v.start = 0x3000, v.end = 0x4000;
	v.anon_vma_id = 0, v.root_id = 0, v.chain_len = 0;
	add(&b, &v, sizeof(v));
	add(&b, &shortv, 16);
	/* pid 9 again (a thread with files of its own): another VMA, the same anon_vma */
	c.vma_id = 0xffff888000005000ULL;
	c.avc_id = 0xffff888000c05000ULL;
	c.flags = 0;
	add(&b, &c, sizeof(c));
	add(&b, &a, sizeof(a));
	v.id = c.vma_id, v.pid = 9, v.mm_id = mm9, v.start = 0x5000, v.end = 0x6000;
	v.anon_vma_id = 0, v.root_id = av, v.chain_len = 1;
	add(&b, &v, sizeof(v));
	/* a trailing chain entry without its VMA record */
	add(&b, &c, sizeof(c));

	r = mm_bpf_split(&all, b.p, b.len);
	free(b.p);
	ASSERT_EQ(0, r);
	all.flags = MMCTL_DUMP_NO_FOLIOS | MMCTL_DUMP_NO_TREE | MMCTL_DUMP_NO_FAMILIES;
	ASSERT_EQ(2, all.nr);
	EXPECT_EQ(3, all.parts[0].pid);
	EXPECT_EQ(9, all.parts[1].pid);
	/* pid 3: its VMA; the short record begins pid 9's next segment */
	EXPECT_EQ(sizeof(v), all.parts[0].len);
	EXPECT_EQ(2 * (sizeof(c) + sizeof(a) + sizeof(v)) + 16, all.parts[1].len);
	EXPECT_EQ(all.parts[0].len + all.parts[1].len, all.len);

	r = mm_dump_bpf_part(d, &all, 9);
	ASSERT_EQ(0, r);
	self->parsed = 1;
	EXPECT_EQ(2, d->nr_vmas);
	EXPECT_EQ(2, d->nr_chains);
	EXPECT_EQ(1, d->nr_avs);	/* deduplicated */
	EXPECT_EQ(9, d->hdr->pid);
	EXPECT_TRUE(d->hdr->flags & MMCTL_DUMPF_NO_FAMILIES);
	EXPECT_TRUE(d->hdr->flags & MMCTL_DUMPF_PARTIAL);
	for (size_t i = 0; i < d->nr_vmas; i++)
		EXPECT_EQ(9, d->vmas[i]->pid);
	mm_dump_free(d);
	self->parsed = 0;

	r = mm_dump_bpf_part(d, &all, 3);
	ASSERT_EQ(0, r);
	self->parsed = 1;
	EXPECT_EQ(1, d->nr_vmas);
	EXPECT_EQ(0, d->nr_chains);
	EXPECT_EQ(0, d->nr_avs);
	EXPECT_EQ(0x3000, d->vmas[0]->start);
	mm_dump_free(d);
	self->parsed = 0;

	/* Not in the pass and gone: ESRCH (pid_max is at most 2^22). */
	EXPECT_EQ(-ESRCH, mm_dump_bpf_part(d, &all, 0x7ffffff0));
	mm_bpf_all_free(&all);
	EXPECT_EQ(NULL, all.raw);
}

TEST_HARNESS_MAIN
