/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checker's rules, one entry each, in the order docs/checker.md and
 * `mmctl help rules` list them:
 *   MMCTL_RULE(ID, name, object, severity, facts, explain)
 * ID makes enum mmctl_rule's MMCTL_R_ID; name is what verdicts print (the
 * stable identifier: the enum's values are internal and follow this list);
 * object is what the verdict's object ID names; severity is ERROR or
 * WARNING; facts are the kernel facts that make a verdict transient (WIN:
 * the window rules, a write-held mmap_lock or a lockless dump; LOCKLESS: a
 * lockless dump only; 0: none; lib/check.c). No include guard: check.h
 * includes it to make the enum, check.c to make mmctl_rules[], each with
 * its own MMCTL_RULE(). tests/host/doc-consistency holds docs/checker.md
 * to it. Adding a rule: an entry here, its check in lib/check.c, a case in
 * tests/unit/check_test.c, a row in docs/checker.md.
 */
MMCTL_RULE(RECORD, "R-record", "record", ERROR, 0,
	   "a record names an unknown object, has ID 0, or an ID appears twice")
MMCTL_RULE(I1_ANON_VMA, "I1-chain-anon_vma", "vma", ERROR, WIN,
	   "vma->anon_vma is not on the VMA's anon_vma_chain")
MMCTL_RULE(I1_AVC_VMA, "I1-chain-avc_vma", "vma", ERROR, 0,
	   "an AVC on the VMA's chain points at another VMA")
MMCTL_RULE(I1_DUP, "I1-chain-duplicate", "vma", ERROR, 0,
	   "an anon_vma appears twice on one chain")
MMCTL_RULE(I1_ROOT, "I1-chain-root", "vma", ERROR, 0,
	   "a chain entry belongs to another hierarchy (different root)")
MMCTL_RULE(I1_LAST, "I1-chain-last", "vma", ERROR, 0,
	   "the last chain entry is not the hierarchy's root")
MMCTL_RULE(I1_CLOSED, "I1-chain-ancestors", "vma", ERROR, WIN,
	   "the chain holds an anon_vma but not its parent (not ancestor-closed)")
MMCTL_RULE(I1_UNKNOWN, "I1-chain-unknown", "vma", ERROR, 0,
	   "the chain names an anon_vma that is not live in the hierarchy")
MMCTL_RULE(I1_LEN, "I1-chain-length", "vma", ERROR, 0,
	   "chain_len disagrees with the chain entries (positions missing or repeated)")
MMCTL_RULE(I1_FORK, "I1-fork-link-window", "vma", ERROR, WIN,
	   "vma->anon_vma is a new anon_vma not in the family yet: anon_vma_fork sets it (7.2: and chains it) before linking it")
MMCTL_RULE(I2_EMPTY, "I2-empty-chain", "vma", ERROR, 0,
	   "vma->anon_vma is set but the chain is empty")
MMCTL_RULE(I2_FORK, "I2-fork-window", "vma", ERROR, WIN,
	   "chain present but vma->anon_vma NULL: a fork between anon_vma_clone and anon_vma_fork")
MMCTL_RULE(I3_NOT_IN_TREE, "I3-avc-not-in-tree", "vma", ERROR, 0,
	   "an AVC on the VMA's chain is missing from its anon_vma's interval tree")
MMCTL_RULE(I3_NOT_ON_CHAIN, "I3-tree-node-not-on-chain", "anon_vma", ERROR, 0,
	   "an interval-tree node is not on its VMA's chain")
MMCTL_RULE(I3_ORDER, "I3-tree-order", "anon_vma", ERROR, WIN,
	   "in-order pgoff decreases in the interval tree")
MMCTL_RULE(I3_SUBTREE, "I3-rb_subtree_last", "anon_vma", ERROR, WIN,
	   "cached rb_subtree_last differs from the recomputed value")
MMCTL_RULE(I3_LEFTMOST, "I3-leftmost", "anon_vma", ERROR, 0,
	   "the cached leftmost node is not rb_first()")
MMCTL_RULE(I3_COUNT, "I3-tree-count", "anon_vma", ERROR, 0,
	   "tree_avcs disagrees with the tree nodes reported")
MMCTL_RULE(I3_RANGE, "I3-tree-range", "vma", ERROR, WIN,
	   "a tree node's pgoff range is not its VMA's")
MMCTL_RULE(I4_ROOT, "I4-root", "anon_vma", ERROR, 0,
	   "root link wrong (x == root <=> x->parent == x; x->root == x->parent->root)")
MMCTL_RULE(I4_PARENT, "I4-parent", "anon_vma", ERROR, 0,
	   "parent is not a live anon_vma of the hierarchy")
MMCTL_RULE(I4_CYCLE, "I4-cycle", "anon_vma", ERROR, 0,
	   "parent links form a cycle")
MMCTL_RULE(I5, "I5-num_active_vmas", "anon_vma", ERROR, WIN,
	   "num_active_vmas != VMAs in its tree whose anon_vma it is")
MMCTL_RULE(I6, "I6-num_children", "anon_vma", ERROR, 0,
	   "num_children != live children (+1 for the root's self-count)")
MMCTL_RULE(I7_EMPTY, "I7-empty-tree", "anon_vma", ERROR, 0,
	   "a live anon_vma has an empty interval tree")
MMCTL_RULE(I7_REF, "I7-refcount", "anon_vma", ERROR, 0,
	   "refcount below 1 on a live anon_vma")
MMCTL_RULE(I7_ROOT_REF, "I7-root-refcount", "anon_vma", ERROR, 0,
	   "root refcount below 1 + live non-root anon_vmas of its hierarchy")
MMCTL_RULE(I7_ROOT_EXTRA, "I7-root-refcount-extra", "anon_vma", WARNING, 0,
	   "root refcount above 1 + non-root anon_vmas (KSM, migration or reclaim hold references)")
MMCTL_RULE(I8, "I8-same-chain", "anon_vma", ERROR, WIN,
	   "VMAs whose anon_vma it is have different chain sets")
MMCTL_RULE(I9_OUTSIDE, "I9-folio-outside-chain", "vma", ERROR, WIN,
	   "anonymous pages whose anon_vma is not on the VMA's chain")
MMCTL_RULE(I9_INDEX, "I9-folio-index", "vma", ERROR, WIN,
	   "pages whose folio index is not linear_page_index(vma, addr)")
MMCTL_RULE(I9_FOLIO_AV, "I9-folio-anon_vma", "vma", ERROR, WIN,
	   "pages counted for an anon_vma that is not on the VMA's chain")
MMCTL_RULE(I10, "I10-two-mms", "anon_vma", ERROR, LOCKLESS,
	   "VMAs of two mms use this anon_vma: a fork reused it while a VMA still used it (CVE-2022-42703)")
