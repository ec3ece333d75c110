/* SPDX-License-Identifier: GPL-2.0 */
/* Internal declarations shared by the mmctl module's files. */
#ifndef MMCTL_INTERNAL_H
#define MMCTL_INTERNAL_H

#include <linux/compiler.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/types.h>

#include <linux/mmctl.h>

#define MMCTL_VERSION "0.2.0"

/* ids.c: keyed hash of kernel addresses; never print a pointer. */
void mmctl_ids_init(void);
u64 mmctl_id_in(const void *ptr, const void *root);
u64 mmctl_key_id(void);

/*
 * out.c: the record buffer, a list of chunks. Memory grows with records
 * (VMAs, anon_vmas, chain entries), never with pages. Under an anon_vma
 * root lock only GFP_NOWAIT is used (reclaim may need that lock for read);
 * on failure the caller drops the lock, rolls back, reserves and retries.
 */
struct mmctl_chunk;

struct mmctl_out {
	struct list_head chunks;
	struct mmctl_chunk *cur; /* chunk records are appended to, or NULL */
	size_t used;		/* bytes of records */
	size_t limit;		/* hard cap */
	u64 nr_records;
	size_t kmem;		/* bytes of chunks allocated */
	gfp_t gfp;		/* GFP_KERNEL or GFP_NOWAIT */
	bool capped;		/* a record was refused at the cap (EFBIG) */
	unsigned int nowait_recs; /* records asked for under root locks (tests) */
};

/* Test knobs (module parameters fault_nowait_at/_times, docs/module.md). */
extern unsigned int mmctl_fault_nowait_at, mmctl_fault_nowait_times, mmctl_fault_retry_ms;

struct mmctl_out_mark {
	struct mmctl_chunk *chunk;
	size_t chunk_used;
	size_t used;
	u64 nr_records;
};

void mmctl_out_init(struct mmctl_out *out, size_t limit);
void mmctl_out_free(struct mmctl_out *out);
int mmctl_out_reserve(struct mmctl_out *out, size_t bytes);
/* Why the last mmctl_out_rec() gave NULL: -EFBIG at the cap, else -ENOMEM. */
static inline int mmctl_out_err(const struct mmctl_out *out)
{
	return out->capped ? -EFBIG : -ENOMEM;
}
void *mmctl_out_rec(struct mmctl_out *out, u32 type, size_t size);
void mmctl_out_mark(struct mmctl_out *out, struct mmctl_out_mark *m);
void mmctl_out_rollback(struct mmctl_out *out, const struct mmctl_out_mark *m);
int mmctl_out_copy_to_user(struct mmctl_out *out, void __user *dst);
/* Iterate records: pass NULL first; returns NULL at the end. */
const struct mmctl_rec_hdr *mmctl_out_next(struct mmctl_out *out,
					   const struct mmctl_rec_hdr *prev,
					   void **cursor);

#define MMCTL_REC(out, type, rtype) \
	((struct rtype *)mmctl_out_rec(out, type, sizeof(struct rtype)))

/* walk.c */
extern unsigned long mmctl_max_dump_bytes;
extern bool mmctl_lock_breaks;

struct mmctl_dump_req {
	u32 pid;
	u32 flags;		/* MMCTL_DUMP_* */
	u64 page_addr;		/* target pages reported one by one, */
	u32 page_count;		/* at most MMCTL_MAX_PAGES */
};

int mmctl_dump_pid(struct mmctl_out *out, const struct mmctl_dump_req *req);

/* folio.c: summarise one VMA's page tables; chain records already emitted. */
struct mmctl_folio_av_slot {
	struct anon_vma *av;
	struct mmctl_rec_folio_av *rec;
};

/* Per-page facts for the requested range, one slot per page (kind 0: none). */
struct mmctl_page_slot {
	u64 av_id, index, expected;
	u32 kind, flags;
};

struct mmctl_page_range {
	unsigned long start, end;
	struct mmctl_page_slot *slots;
};

/*
 * A walk under the target's mmap_lock alone (no root rwsem) may give that
 * lock up between page tables: @fn returns 0 (the lock was kept), 1 (given
 * up and retaken with the VMA list unchanged and @vma's anon_vma still
 * @anon_vma: page-table pointers must be looked up again) or a negative
 * error (-ESTALE: something changed, the dump restarts; -EINTR: not
 * retaken).
 */
struct mmctl_yield {
	int (*fn)(void *arg, struct vm_area_struct *vma, struct anon_vma *anon_vma);
	void *arg;
};

int mmctl_walk_folios(struct mmctl_out *out, struct vm_area_struct *vma,
		      u64 vma_id, const void *root, struct mmctl_folio_av_slot *slots,
		      unsigned int nr_slots, struct mmctl_page_range *pr,
		      const struct mmctl_yield *yield);

/* text.c: growable text buffers and the dump rendered one object a line. */
struct mmctl_tbuf {
	char *buf;		/* kvmalloc'ed */
	size_t len, size;
	bool failed;		/* an allocation failed or the cap: text incomplete */
	bool capped;		/* the text would exceed max_dump_bytes (EFBIG) */
};

/* Why a text is incomplete: -EFBIG at the cap, -ENOMEM otherwise, or 0. */
static inline int mmctl_tbuf_err(const struct mmctl_tbuf *t)
{
	return t->capped ? -EFBIG : t->failed ? -ENOMEM : 0;
}

__printf(2, 3) void mmctl_tprintf(struct mmctl_tbuf *t, const char *fmt, ...);
int mmctl_tree_pid(u32 pid, struct mmctl_tbuf *t);

/* check.c: the shared checker's verdicts for a pid, as text. */
int mmctl_check_pid(u32 pid, struct mmctl_tbuf *t);

/* ioctl.c */
long mmctl_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* MMCTL_INTERNAL_H */
