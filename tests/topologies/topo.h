/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fork-topology scenario language (tests/topologies/NAME.topo), parsed
 * into steps. Line-oriented, one action or expectation a line; see
 * docs/topologies.md for the grammar.
 */
#ifndef MMCTL_TOPO_H
#define MMCTL_TOPO_H

#include <stddef.h>

#define TOPO_NAME 32
#define TOPO_MAXARGS 24

enum topo_kind {
	/* actions: proc verb args */
	T_START, T_MAP, T_WRITE, T_READ, T_FORK, T_EXIT, T_MPROTECT, T_MUNMAP,
	T_MREMAP, T_MADVISE, T_KSM_WAIT,
	T_RUN,		/* run SHELL-TEXT: sh -c with the pids and addresses exported */
	/* expectations */
	E_ANON_VMA,	/* expect P m[+n] anon_vma NAME|none */
	E_CHAIN,	/* expect P m[+n] chain NAME... */
	E_VMAS,		/* expect P m vmas N */
	E_SIZE,		/* expect P m+n size N */
	E_PAGE,		/* expect P m+n page -> NAME|none|zero|ksm|file|swap [pmd] */
	E_FOLIOS,	/* expect P m[+n] folios key=N... [in Q]; key: a folio
			 * summary field or an anon_vma NAME (its pages) */
	E_GONE,		/* expect NAME gone */
	E_PERM,		/* expect P m[+n] perm none|r|rw|rx|rwx: the VMA's protection */
	E_PARENT,	/* expect NAME parent NAME|root, or expect P m parent NAME */
	E_COUNTS,	/* expect NAME counts NC NAV REF, or expect P m counts ... */
	E_CLEAN,	/* expect P clean | no-errors */
};

/* A count in an expectation: exact, at least, or any. */
struct topo_count {
	int op;			/* '=', '>' (at least), '*' (any) */
	unsigned long v;
};

struct topo_step {
	int line;
	enum topo_kind kind;
	char proc[TOPO_NAME];	/* acting or observed process ("" for NAME forms) */
	char map[TOPO_NAME];	/* mapping */
	unsigned long page;	/* m+page */
	char other[TOPO_NAME];	/* fork child, mremap target, map "after", av name */
	unsigned long first, count; /* page range, map size */
	int flags;		/* map: file/thp/after; mremap: dontunmap; page: pmd;
				 * clean: warnings allowed */
	int prot;		/* mprotect */
	int advice;		/* madvise */
	char names[TOPO_MAXARGS][TOPO_NAME]; /* chain, folios keys */
	struct topo_count counts[TOPO_MAXARGS];
	int nnames;
	char *cmd;		/* run: the shell text (owned; topo_free frees it) */
};

#define TOPO_MAP_FILE	1
#define TOPO_MAP_THP	2
#define TOPO_MAP_AFTER	4
#define TOPO_REMAP_DONTUNMAP 1
#define TOPO_PAGE_PMD	1
#define TOPO_CLEAN_WARN	1

struct topo {
	char title[128];
	char kernel_min[32];	/* "kernel >= X.Y" constraint, or "" */
	int needs_zero_page;	/* "needs zero-page": read faults map the zero page */
	struct topo_step *steps;
	size_t nsteps, cap;
};

/* Parse @text (from @file). 0, or -1 with "file:line: message" in @err. */
int topo_parse(const char *file, const char *text, struct topo *t, char *err, size_t errlen);
int topo_load(const char *path, struct topo *t, char *err, size_t errlen);
void topo_free(struct topo *t);

#endif /* MMCTL_TOPO_H */
