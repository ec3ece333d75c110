/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic snapshots for checker tests: describe anon_vmas (parent links)
 * and VMAs (anon_vma, chain); model_emit() writes the records a consistent
 * kernel would report (counts, refcounts, interval trees), which a test
 * then corrupts in one place.
 */
#ifndef MMCTL_TEST_MODEL_H
#define MMCTL_TEST_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <linux/mmctl.h>

#define MODEL_MAXC 32

struct m_av {
	uint64_t id;
	int parent;		/* index, or -1 for a root */
};

struct m_vma {
	uint64_t id;
	uint32_t pid;
	uint64_t start, end, pgoff;
	int av;			/* index, or -1 */
	int chain[MODEL_MAXC];	/* anon_vma indexes, head first */
	int nchain;
};

struct model {
	struct m_av *av;
	struct m_vma *vma;
	int nav, nvma, cap_av, cap_vma;
	uint32_t dump_flags;
};

/* The records, with pointers into them by kind for corrupting. */
struct snap {
	char *buf;
	size_t len, cap;
	struct mmctl_rec_dump *dump;
	struct mmctl_rec_anon_vma **avr;	/* by model index */
	struct mmctl_rec_vma **vmar;		/* by model index */
	size_t nvma;
};

void model_init(struct model *m);
void model_free(struct model *m);
int model_av(struct model *m, uint64_t id, int parent);
/* A VMA whose chain is its anon_vma's ancestry, unless set afterwards. */
int model_vma(struct model *m, uint64_t id, uint32_t pid, uint64_t start,
	      uint64_t pages, int av);
void model_emit(const struct model *m, struct snap *s);
void snap_free(struct snap *s);
/* Append a raw record (zeroed) to @s; pointers into @s stay valid only
 * until the next append. */
void *snap_add(struct snap *s, uint32_t type, size_t size);
/* Records of a kind, for corrupting: the @n-th one matching @pred. */
void *snap_find(struct snap *s, uint32_t type, int (*pred)(const void *rec, const void *arg),
		const void *arg);

#endif /* MMCTL_TEST_MODEL_H */
