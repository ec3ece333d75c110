// SPDX-License-Identifier: GPL-2.0
/*
 * The record descriptions (fields.h). A field's place in its table is its
 * place in the JSON object and on the text line. Adding a field to a
 * record: the uapi struct, one line here, its producers (module/walk.c,
 * lib/bpf/mmctl.bpf.c), a test (docs/architecture.md).
 */
#include "fields.h"

#ifndef NULL
#define NULL ((void *)0)
#endif

#define F(rec, member, key, kind, fl)					\
	{ key, __builtin_offsetof(struct mmctl_rec_##rec, member),	\
	  MMCTL_FK_##kind, fl, 0 }
#define FBITF(rec, member, key, bit, fl)				\
	{ key, __builtin_offsetof(struct mmctl_rec_##rec, member),	\
	  MMCTL_FK_BIT, fl, bit }
#define FBIT(rec, member, key, bit) FBITF(rec, member, key, bit, 0)
#define FENUM(rec, member, key, which)					\
	{ key, __builtin_offsetof(struct mmctl_rec_##rec, member),	\
	  MMCTL_FK_ENUM, 0, MMCTL_ENUM_##which }
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct mmctl_field dump_fields[] = {
	F(dump, pid, "pid", U32, 0),
	F(dump, comm, "comm", COMM, 0),
	F(dump, abi_version, "abi", U32, 0),
	F(dump, nr_families, "families", U32, MMCTL_FF_TEXT),
	F(dump, flags, "flags", X32, MMCTL_FF_TEXT),
	FBIT(dump, flags, "consistent", MMCTL_DUMPF_CONSISTENT),
	FBIT(dump, flags, "partial", MMCTL_DUMPF_PARTIAL),
	FBIT(dump, flags, "folios", MMCTL_DUMPF_FOLIOS),
	FBIT(dump, flags, "chain_root_last", MMCTL_DUMPF_ROOT_LAST),
	FBIT(dump, flags, "no_tree", MMCTL_DUMPF_NO_TREE),
	FBIT(dump, flags, "no_families", MMCTL_DUMPF_NO_FAMILIES),
	F(dump, key_id, "key_id", ID, 0),
	F(dump, mm_id, "mm", ID, 0),
	F(dump, page_shift, "page_shift", U32, 0),
	F(dump, retries, "retries", U32, 0),
};

static const struct mmctl_field family_fields[] = {
	F(family, root_id, "root", ID, 0),
	F(family, nr_vmas, "vmas", U32, 0),
	F(family, nr_anon_vmas, "anon_vmas", U32, 0),
	F(family, nr_chain, "chain_entries", U32, 0),
	F(family, nr_mms, "mms", U32, 0),
	F(family, lock_ns, "lock_ns", U64, 0),
};

static const struct mmctl_field vma_fields[] = {
	F(vma, id, "id", ID, 0),
	F(vma, mm_id, "mm", ID, 0),
	F(vma, pid, "pid", U32, 0),
	F(vma, comm, "comm", COMM, 0),
	F(vma, start, "start", ADDR, 0),
	F(vma, end, "end", ADDR, 0),
	F(vma, pgoff, "pgoff", X64, 0),
	F(vma, anon_vma_id, "anon_vma", ID, 0),
	F(vma, root_id, "root", ID, 0),
	F(vma, vm_flags, "vm_flags", VMFLAGS, 0),
	F(vma, flags, "flags", X32, MMCTL_FF_KMOD),
	FBIT(vma, flags, "file", MMCTL_VMAF_FILE),
	FBIT(vma, flags, "anon", MMCTL_VMAF_ANON),
	FBIT(vma, flags, "target", MMCTL_VMAF_TARGET),
	FBITF(vma, flags, "mm_write_locked", MMCTL_VMAF_MM_WRITER, MMCTL_FF_KMOD),
	F(vma, chain_len, "chain_len", U32, 0),
	F(vma, kernel_vm_flags, "kernel_vm_flags", X64, 0),
};

static const struct mmctl_field anon_vma_fields[] = {
	F(anon_vma, id, "id", ID, 0),
	F(anon_vma, root_id, "root", ID, 0),
	F(anon_vma, parent_id, "parent", ID, 0),
	F(anon_vma, refcount, "refcount", U32, MMCTL_FF_COUNT),
	F(anon_vma, num_children, "num_children", U64, MMCTL_FF_COUNT),
	F(anon_vma, num_active_vmas, "num_active_vmas", U64, MMCTL_FF_COUNT),
	F(anon_vma, tree_avcs, "tree_avcs", U32, MMCTL_FF_KMOD),
	F(anon_vma, tree_flags, "tree_flags", X32, MMCTL_FF_KMOD),
};

/* JSON writes a VMA's chain as arrays (chain, chain_avcs, chain_flags). */
static const struct mmctl_field chain_fields[] = {
	F(chain, vma_id, "vma", ID, MMCTL_FF_NESTED),
	F(chain, pos, "pos", U32, 0),
	F(chain, anon_vma_id, "anon_vma", ID, 0),
	F(chain, avc_id, "avc", ID, 0),
	F(chain, flags, "flags", X32, 0),
};

static const struct mmctl_field tree_fields[] = {
	F(tree, anon_vma_id, "anon_vma", ID, MMCTL_FF_NESTED),
	F(tree, avc_id, "avc", ID, 0),
	F(tree, vma_id, "vma", ID, 0),
	F(tree, pos, "pos", U32, 0),
	F(tree, start_pgoff, "start_pgoff", X64, 0),
	F(tree, last_pgoff, "last_pgoff", X64, 0),
	F(tree, subtree_last, "subtree_last", X64, 0),
	F(tree, subtree_last_calc, "subtree_last_calc", X64, 0),
	F(tree, flags, "flags", X32, 0),
};

static const struct mmctl_field folios_fields[] = {
	F(folios, vma_id, "vma", ID, MMCTL_FF_NESTED),
	F(folios, present, "present", U64, 0),
	F(folios, anon, "anon", U64, 0),
	F(folios, ksm, "ksm", U64, 0),
	F(folios, thp, "thp", U64, 0),
	F(folios, zero, "zero", U64, 0),
	F(folios, file, "file", U64, 0),
	F(folios, other, "other", U64, 0),
	F(folios, swap, "swap", U64, 0),
	F(folios, migration, "migration", U64, 0),
	F(folios, outside_chain, "outside_chain", U64, 0),
	F(folios, index_mismatch, "index_mismatch", U64, 0),
	F(folios, flags, "flags", X32, 0),
	F(folios, nr_samples, "nr_samples", U32, MMCTL_FF_TEXT),
};

/* JSON writes a VMA's folio_av records as its folios' by_anon_vma map. */
static const struct mmctl_field folio_av_fields[] = {
	F(folio_av, vma_id, "vma", ID, MMCTL_FF_NESTED),
	F(folio_av, anon_vma_id, "anon_vma", ID, 0),
	F(folio_av, pages, "pages", U64, 0),
};

static const struct mmctl_field sample_fields[] = {
	F(sample, vma_id, "vma", ID, MMCTL_FF_NESTED),
	FENUM(sample, kind, "kind", SAMPLE_KIND),
	F(sample, addr, "addr", ADDR, 0),
	F(sample, anon_vma_id, "anon_vma", ID, 0),
	F(sample, index, "index", X64, 0),
	F(sample, expected_index, "expected_index", X64, 0),
};

static const struct mmctl_field page_fields[] = {
	F(page, vma_id, "vma", ID, 0),
	F(page, addr, "addr", ADDR, 0),
	FENUM(page, kind, "kind", PAGE_KIND),
	F(page, anon_vma_id, "anon_vma", ID, 0),
	F(page, index, "index", X64, 0),
	F(page, expected_index, "expected_index", X64, 0),
	FBIT(page, flags, "pmd", MMCTL_PAGEF_PMD),
};

static const struct mmctl_field stats_fields[] = {
	F(stats, walk_ns, "walk_ns", U64, 0),
	F(stats, mmap_lock_ns, "mmap_lock_ns", U64, 0),
	F(stats, max_root_lock_ns, "max_root_lock_ns", U64, 0),
	F(stats, kmem_peak, "kmem_peak", U64, 0),
	F(stats, kmem_records, "kmem_records", U64, 0),
	F(stats, max_mmap_lock_ns, "max_mmap_lock_ns", U64, 0),
	F(stats, mmap_lock_yields, "mmap_lock_yields", U32, 0),
	F(stats, root_lock_yields, "root_lock_yields", U32, 0),
};

#define D(type, rec)							\
	[MMCTL_REC_##type] = { #rec, sizeof(struct mmctl_rec_##rec),	\
			       N(rec##_fields), rec##_fields }

static const struct mmctl_rec_desc rec_descs[] = {
	D(DUMP, dump),
	D(FAMILY, family),
	D(VMA, vma),
	D(ANON_VMA, anon_vma),
	D(CHAIN, chain),
	D(TREE, tree),
	D(FOLIOS, folios),
	D(FOLIO_AV, folio_av),
	D(SAMPLE, sample),
	D(PAGE, page),
	D(STATS, stats),
};

const struct mmctl_rec_desc *mmctl_rec_desc(__u32 type)
{
	return type < N(rec_descs) && rec_descs[type].name ? &rec_descs[type] : NULL;
}

static const char *const sample_kinds[] = {
	[MMCTL_SAMPLE_OUTSIDE_CHAIN] = "outside_chain",
	[MMCTL_SAMPLE_INDEX] = "index",
};

static const char *const page_kinds[] = {
	[MMCTL_PAGE_ANON] = "anon",
	[MMCTL_PAGE_KSM] = "ksm",
	[MMCTL_PAGE_ZERO] = "zero",
	[MMCTL_PAGE_FILE] = "file",
	[MMCTL_PAGE_SWAP] = "swap",
	[MMCTL_PAGE_MIGRATION] = "migration",
	[MMCTL_PAGE_OTHER] = "other",
};

const struct mmctl_enum_names mmctl_field_enums[MMCTL_ENUM_NR] = {
	[MMCTL_ENUM_SAMPLE_KIND] = { N(sample_kinds), sample_kinds },
	[MMCTL_ENUM_PAGE_KIND] = { N(page_kinds), page_kinds },
};

const char *mmctl_enum_name(__u32 which, __u32 v)
{
	const struct mmctl_enum_names *e = &mmctl_field_enums[which];

	return which < MMCTL_ENUM_NR && v < e->nr ? e->names[v] : NULL;
}

/* Indexed by bit number: __builtin_ctz of the MMCTL_VM_ flag. */
const char *const mmctl_vm_flag_names[32] = {
#define MMCTL_KVM(x) 0
#define MMCTL_VMFLAG(bit, kernel, name)					\
	[__builtin_ctz(MMCTL_VM_##bit)] = name,
#include "vmflags.h"
#undef MMCTL_VMFLAG
#undef MMCTL_KVM
};
