// SPDX-License-Identifier: GPL-2.0
/*
 * The field tables (lib/fields.c) against the uapi structs: every byte of
 * every record type after its header belongs to a field of its table
 * (the two reserved words aside), no field lies outside its record or
 * overlaps another, and each table's size is its struct's. So a field
 * added to uapi/linux/mmctl.h and not to its table, which the JSON writer
 * and reader, the debugfs text and diff would then all miss, fails here.
 */
#include <stddef.h>
#include <string.h>

#include "../lib/harness.h"
#include "fields.h"

static const struct {
	__u32 type;
	__u32 size;
	__u32 reserved;		/* offset of a reserved __u32, or 0 */
} uapi[] = {
	{ MMCTL_REC_DUMP, sizeof(struct mmctl_rec_dump), 0 },
	{ MMCTL_REC_FAMILY, sizeof(struct mmctl_rec_family), 0 },
	{ MMCTL_REC_VMA, sizeof(struct mmctl_rec_vma), 0 },
	{ MMCTL_REC_ANON_VMA, sizeof(struct mmctl_rec_anon_vma),
	  offsetof(struct mmctl_rec_anon_vma, reserved) },
	{ MMCTL_REC_CHAIN, sizeof(struct mmctl_rec_chain), 0 },
	{ MMCTL_REC_TREE, sizeof(struct mmctl_rec_tree), 0 },
	{ MMCTL_REC_FOLIOS, sizeof(struct mmctl_rec_folios), 0 },
	{ MMCTL_REC_FOLIO_AV, sizeof(struct mmctl_rec_folio_av), 0 },
	{ MMCTL_REC_SAMPLE, sizeof(struct mmctl_rec_sample),
	  offsetof(struct mmctl_rec_sample, reserved) },
	{ MMCTL_REC_PAGE, sizeof(struct mmctl_rec_page), 0 },
	{ MMCTL_REC_STATS, sizeof(struct mmctl_rec_stats), 0 },
};

#define NTYPES (sizeof(uapi) / sizeof(uapi[0]))

static __u32 kind_size(__u8 kind)
{
	switch (kind) {
	case MMCTL_FK_U64:
	case MMCTL_FK_X64:
	case MMCTL_FK_ID:
	case MMCTL_FK_ADDR:
		return 8;
	case MMCTL_FK_COMM:
		return 16;
	default:
		return 4;
	}
}

TEST(t_every_type, "fields: every record type of uapi has a table of its struct's size")
{
	for (size_t i = 0; i < NTYPES; i++) {
		const struct mmctl_rec_desc *d = mmctl_rec_desc(uapi[i].type);

		ASSERT_TRUE(d != NULL);
		EXPECT_EQ(uapi[i].size, d->size);
	}
	/* Types past the last one known here have none (readers skip them). */
	EXPECT_TRUE(mmctl_rec_desc(MMCTL_REC_STATS + 1) == NULL);
}

TEST(t_coverage, "fields: each table covers its record's bytes once (reserved words aside)")
{
	for (size_t i = 0; i < NTYPES; i++) {
		const struct mmctl_rec_desc *d = mmctl_rec_desc(uapi[i].type);
		unsigned char owner[256];

		ASSERT_TRUE(d != NULL && d->size <= sizeof(owner));
		memset(owner, 0, sizeof(owner));
		for (__u32 f = 0; f < d->nr_fields; f++) {
			const struct mmctl_field *fl = &d->fields[f];
			__u32 n = kind_size(fl->kind);

			EXPECT_GE(fl->off, sizeof(struct mmctl_rec_hdr));
			EXPECT_LE(fl->off + n, d->size);
			if (fl->off + n > d->size)
				continue;
			/* Bits share their flags word: marked after the words. */
			if (fl->kind == MMCTL_FK_BIT) {
				EXPECT_TRUE(fl->aux && !(fl->aux & (fl->aux - 1)));	/* one bit */
				continue;
			}
			for (__u32 b = fl->off; b < fl->off + n; b++) {
				if (owner[b])
					printf("#   %s.%s overlaps another field at byte %u\n",
					       d->name, fl->name, b);
				EXPECT_EQ(0, owner[b]);
				owner[b] = 1;
			}
		}
		/* A flags word told as its bits alone (page.flags: "pmd"). */
		for (__u32 f = 0; f < d->nr_fields; f++)
			if (d->fields[f].kind == MMCTL_FK_BIT && d->fields[f].off + 4U <= d->size)
				memset(owner + d->fields[f].off, 1, 4);
		if (uapi[i].reserved)
			memset(owner + uapi[i].reserved, 1, 4);
		for (__u32 b = sizeof(struct mmctl_rec_hdr); b < d->size; b++) {
			if (!owner[b])
				printf("#   %s: byte %u is in no field of lib/fields.c\n", d->name, b);
			EXPECT_EQ(1, owner[b]);
		}
	}
}

TEST_HARNESS_MAIN
