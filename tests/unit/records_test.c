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

#include "../lib/tap.h"
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

/* An older module's VMA record: everything up to chain_len, no comm. */
static int t_short_vma(void)
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
	struct mmctl_check_result res;
	struct mm_dump d;
	struct buf b;
	int ok = 1;

	memset(v.comm, 'x', sizeof(v.comm));	/* must not be read */
	base(&b);
	add(&b, &v, offsetof(struct mmctl_rec_vma, comm));
	add(&b, &a, sizeof(a));
	add(&b, &c, sizeof(c));
	add(&b, &t, sizeof(t));
	EXPECT(&ok, mm_dump_parse(&d, b.p, b.len) == 0, "parse");
	if (!ok)
		return 0;
	EXPECT(&ok, d.nr_vmas == 1 && d.nr_avs == 1 && d.nr_chains == 1, "counts %zu %zu %zu",
	       d.nr_vmas, d.nr_avs, d.nr_chains);
	if (ok) {
		EXPECT(&ok, d.vmas[0]->hdr.size == sizeof(struct mmctl_rec_vma), "size %u",
		       d.vmas[0]->hdr.size);
		EXPECT(&ok, d.vmas[0]->id == 7 && d.vmas[0]->chain_len == 1 &&
		       d.vmas[0]->end == 0x3000, "fields kept");
		for (size_t i = 0; i < sizeof(v.comm); i++)
			EXPECT(&ok, d.vmas[0]->comm[i] == 0, "comm[%zu] not zero-extended", i);
		EXPECT(&ok, d.avs[0]->id == 9 && d.avs[0]->refcount == 1, "next record found");
		/* The normalised dump checks clean. */
		EXPECT(&ok, mm_check_buf(d.buf, d.len, NULL, NULL, &res) == 0 &&
		       !res.count[MMCTL_SEV_ERROR] && !res.count[MMCTL_SEV_TRANSIENT] &&
		       res.nr_vmas == 1, "check: %u errors", res.count[MMCTL_SEV_ERROR]);
	}
	mm_dump_free(&d);
	return ok;
}

/* A newer module's records: 24 more bytes each, and a record type unknown here. */
static int t_long_records(void)
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
	struct mm_dump d;
	struct buf b;
	int ok = 1;

	base(&b);
	add(&b, &v, sizeof(v));
	memset(unknown + 1, 0xff, sizeof(unknown) - sizeof(unknown[0]));
	add(&b, unknown, sizeof(unknown));
	add(&b, &f, sizeof(f));
	EXPECT(&ok, mm_dump_parse(&d, b.p, b.len) == 0, "parse");
	if (!ok)
		return 0;
	EXPECT(&ok, d.nr_vmas == 1 && d.nr_folios == 1 && d.nr_unknown == 1,
	       "counts %zu %zu %zu", d.nr_vmas, d.nr_folios, d.nr_unknown);
	if (ok) {
		EXPECT(&ok, d.vmas[0]->hdr.size == sizeof(v) && !strcmp(d.vmas[0]->comm, "new"),
		       "VMA kept as written");
		EXPECT(&ok, d.folios[0]->vma_id == 7 && d.folios[0]->anon == 1, "folios read");
	}
	mm_dump_free(&d);
	return ok;
}

/* Headers that cannot be stepped over are refused. */
static int t_bad_headers(void)
{
	static const uint32_t sizes[] = { 0, 4, 12 };
	int ok = 1;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct mmctl_rec_hdr h = { MMCTL_REC_VMA, sizes[i] };
		struct mm_dump d;
		struct buf b;

		base(&b);
		b.p = realloc(b.p, b.len + 16);
		memset(b.p + b.len, 0, 16);
		memcpy(b.p + b.len, &h, sizeof(h));
		b.len += 16;
		EXPECT(&ok, mm_dump_parse(&d, b.p, b.len) == -EBADMSG, "size %u", sizes[i]);
	}
	return ok;
}

/*
 * The BPF backend's raw stream (mm_bpf_records(): kernel addresses to IDs):
 * a VMA record shorter than its struct, the last in an exactly sized
 * buffer, is skipped without reading past it (ASan); a longer one is
 * copied whole, its tail as written, not heap garbage.
 */
static int t_bpf_raw(void)
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
	struct mm_dump d;
	int ok = 1;

	memcpy(raw, &lv, sizeof(lv));
	memset(raw + sizeof(lv), 0, 16);
	memcpy(raw + sizeof(lv), &shortv, sizeof(shortv));
	EXPECT(&ok, mm_bpf_records(&d, 7, raw, len, 0) == 0, "build");
	free(raw);
	if (!ok)
		return 0;
	EXPECT(&ok, d.nr_vmas == 1, "%zu VMAs (the short one must be skipped)", d.nr_vmas);
	if (d.nr_vmas == 1) {
		const uint64_t *tail = (const void *)(d.vmas[0] + 1);

		EXPECT(&ok, d.vmas[0]->hdr.size == sizeof(lv) && tail[0] == lv.newer[0] &&
		       tail[1] == lv.newer[1], "the longer record's tail not copied as written");
		EXPECT(&ok, d.vmas[0]->id != lv.v.id && d.vmas[0]->id >> 63 == 0,
		       "the address was not replaced by an ID");
	}
	mm_dump_free(&d);
	return ok;
}

int main(void)
{
	tap_result("records: a shorter (older) VMA record is zero-extended and checks clean",
		   t_short_vma());
	tap_result("records: longer (newer) records and unknown types are stepped over",
		   t_long_records());
	tap_result("records: a header smaller than itself or not 8-aligned is EBADMSG",
		   t_bad_headers());
	tap_result("records: the BPF backend skips a short raw record, copies a long one whole",
		   t_bpf_raw());
	return tap_failed ? 1 : 0;
}
