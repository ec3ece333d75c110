/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The anon_vma invariant checker (I1-I9 of the primer), one implementation
 * compiled into the module and into the CLI. Plain C over the uapi records:
 * no libc, no kernel headers beyond linux/types.h and linux/errno.h; memory
 * and record iteration come from the caller through struct mmctl_check_ops.
 */
#ifndef MMCTL_CHECK_H
#define MMCTL_CHECK_H

#include <linux/types.h>
#include <linux/mmctl.h>

enum mmctl_severity {
	MMCTL_SEV_ERROR = 0,	/* corruption: the kernel (or mmctl) is wrong */
	MMCTL_SEV_WARNING = 1,	/* a lower bound exceeded, e.g. extra references */
	MMCTL_SEV_TRANSIENT = 2, /* a window the dump's own facts explain */
	MMCTL_SEV_NR
};

/* "error", "warning", "transient" */
extern const char *const mmctl_sev_names[MMCTL_SEV_NR];

/*
 * Kernel facts, recorded in the dump during the walk, that explain a
 * verdict: with one, a rule that lists it in mmctl_rule_info.explained is
 * transient instead of an error (docs/checker.md, "Windows"). Nothing else
 * makes a verdict transient: not a second walk, not elapsed time.
 */
enum mmctl_fact {
	MMCTL_FACT_NONE = 0,
	/* the VMA's mm had its mmap_lock write-held (MMCTL_VMAF_MM_WRITER) */
	MMCTL_FACT_MM_WRITER = 1,
	/* the dump was read without the kernel's locks (no DUMPF_CONSISTENT) */
	MMCTL_FACT_LOCKLESS = 2,
	MMCTL_FACT_NR
};
#define MMCTL_FACTF(f)	(1U << (f))

/* "", "mm-write-locked", "lockless" */
extern const char *const mmctl_fact_names[MMCTL_FACT_NR];

enum mmctl_rule {
#define MMCTL_RULE(id, name, object, sev, facts, explain) MMCTL_R_##id,
#include "rules.h"
#undef MMCTL_RULE
	MMCTL_R_NR
};

struct mmctl_rule_info {
	const char *name;	/* e.g. "I5-num_active_vmas" */
	const char *object;	/* what the object ID names: "vma", "anon_vma" */
	const char *explain;	/* one line */
	__u32 severity;
	__u32 explained;	/* MMCTL_FACTF() of the facts that make it transient */
};

extern const struct mmctl_rule_info mmctl_rules[MMCTL_R_NR];

struct mmctl_violation {
	__u32 rule;		/* enum mmctl_rule */
	__u32 severity;		/* enum mmctl_severity */
	__u64 object;		/* ID of the object the rule is about */
	__u64 expected;
	__u64 found;
	__u64 aux;		/* a second ID or an address, rule-specific */
	__u32 fact;		/* enum mmctl_fact that made it transient, or 0 */
	__u32 reserved;
	__u64 fact_vma;		/* MMCTL_FACT_MM_WRITER: the VMA that has it */
};

/* mmctl_check_result.partial: rules only checked as lower bounds. */
#define MMCTL_PARTIAL_I5	(1U << 0)
#define MMCTL_PARTIAL_I6	(1U << 1)
#define MMCTL_PARTIAL_I7	(1U << 2)
#define MMCTL_PARTIAL_I4	(1U << 3) /* missing parents not judged */
#define MMCTL_PARTIAL_I1	(1U << 4) /* unknown chain anon_vmas not judged */
#define MMCTL_PARTIAL_I3	(1U << 5) /* no tree node records: I3 not judged */

struct mmctl_check_result {
	__u32 count[MMCTL_SEV_NR];
	__u32 partial;		/* MMCTL_PARTIAL_* */
	__u32 nr_vmas, nr_anon_vmas, nr_chain, nr_tree;
};

struct mmctl_check_ops {
	void *ctx;
	/* zeroed memory, or NULL */
	void *(*alloc)(void *ctx, unsigned long size);
	void (*free)(void *ctx, void *p);
	/* the record after @prev (NULL: the first), NULL at the end */
	const struct mmctl_rec_hdr *(*next)(void *ctx, const struct mmctl_rec_hdr *prev);
	/* one verdict; may be NULL to only count */
	void (*report)(void *ctx, const struct mmctl_violation *v);
};

/*
 * Check one dump. Returns 0 (verdicts in @res and through ops->report),
 * -ENOMEM, or -EBADMSG when the dump has no MMCTL_REC_DUMP record. A dump
 * that is not MMCTL_DUMPF_CONSISTENT, or is MMCTL_DUMPF_PARTIAL, is checked
 * in lower-bound mode: counts are compared as bounds, and res->partial
 * names the rules that could not be checked for equality.
 */
int mmctl_check(const struct mmctl_check_ops *ops, struct mmctl_check_result *res);

/* Smallest valid size of a record of @type (the header's for unknown types). */
__u32 mmctl_rec_min_size(__u32 type);

#endif /* MMCTL_CHECK_H */
