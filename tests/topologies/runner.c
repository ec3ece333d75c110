// SPDX-License-Identifier: GPL-2.0
/*
 * Run fork-topology scenarios (tests/topologies/NAME.topo) with real
 * processes and compare the module's dumps with their expectations.
 *
 * usage: runner [--mmctl PATH] [--backend kmod|bpf] [--compare] [--lab DIR] FILE...
 *        runner [--mmctl PATH] [--backend kmod|bpf] --exec FILE CMD [ARG...]
 * --exec: build FILE's scenario (its expectations checked, its output on
 * stderr), then run CMD while its processes stand, with each live process's
 * pid in $MMCTL_<PROC> and each mapping's address in $MMCTL_<MAP>; no TAP,
 * nothing recorded. Exit status: CMD's (128 + N if signal N ended it, 127
 * if it could not start), or 125 when the scenario failed before CMD ran;
 * SIGINT, SIGTERM or SIGHUP to the runner kill everything (128 + N).
 * --lab DIR (make lab): at each point where the scenario states
 * expectations, save every live process's dump as `mmctl -j dump` gives it into
 * DIR/SCENARIO/SNAP-PROC.json, and record each expectation's outcome in
 * DIR/SCENARIO/expects.txt instead of stopping at the first that fails.
 * One scenario per child process (a crash or hang fails that scenario
 * only; 120 s limit each), kselftest-style "ok"/"not ok" lines, results
 * recorded for make check, and a closing "N passed, N failed" line.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fields.h"
#include "../lib/procs.h"
#include "../lib/tap.h"
#include "checkrun.h"
#include "dump.h"
#include "json.h"
#include "topo.h"

#define MAXMAPS 32
#define MAXBINDS 512
#define SCENARIO_TIMEOUT 120

struct mapping {
	char name[TOPO_NAME];
	unsigned long addr, pages;
};

/*
 * A dump taken since the last action: the expectations of a group read one
 * snapshot of a quiescent scenario however often they ask, and the next
 * action drops it. Keyed by process, dump flags and the page asked for.
 */
struct cached_dump {
	int proc;
	uint32_t flags;
	uint64_t page;
	int facts;		/* dump_facts() passed on it */
	struct mm_dump d;
};

struct bind {
	char name[TOPO_NAME];
	uint64_t id;
	char proc[TOPO_NAME];	/* where it was named: for the failure tree */
	char map[TOPO_NAME];
	unsigned long page;
};

struct run {
	const char *file;
	struct topo *t;
	const struct topo_step *cur;
	struct procs p;
	char pname[PROCS_MAX][TOPO_NAME];
	int np;
	struct mapping maps[MAXMAPS];
	int nm, nslots;
	struct bind binds[MAXBINDS];
	int nb;
	long pg;
	const char *mmctl;
	int bpf;		/* --backend bpf */
	int compare;		/* --compare: module and BPF dumps must agree */
	int unseen;		/* expectations BPF cannot see */
	int compared;
	const char *lab;	/* --lab DIR */
	char labdir[4096];
	FILE *expects;
	int snaps;
	int lab_fails;		/* expectations that failed under --lab */
	char **exec;		/* --exec: the command, run after the last step */
	int exec_out;		/* --exec: the runner's own stdout, for it */
	struct cached_dump **dumps;	/* since the last action */
	int nd;
	unsigned long long compared_procs;	/* --compare: done since the last action */
};

static const char *text_of(const struct run *r, int line)
{
	static char buf[256];
	FILE *f = fopen(r->file, "r");
	int n = 0;

	buf[0] = 0;
	while (f && fgets(buf, sizeof(buf), f) && ++n < line)
		;
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* ---- names ------------------------------------------------------------- */

static int proc_idx(struct run *r, const char *name, int create)
{
	for (int i = 0; i < r->np; i++)
		if (!strcmp(r->pname[i], name))
			return i;
	if (!create || r->np == PROCS_MAX)
		return -1;
	snprintf(r->pname[r->np], TOPO_NAME, "%s", name);
	return r->np++;
}

static struct mapping *map_of(struct run *r, const char *name, int create)
{
	for (int i = 0; i < r->nm; i++)
		if (!strcmp(r->maps[i].name, name))
			return &r->maps[i];
	if (!create || r->nm == MAXMAPS)
		return NULL;
	snprintf(r->maps[r->nm].name, TOPO_NAME, "%s", name);
	r->maps[r->nm].addr = PROCS_ADDR(r->nslots++);
	return &r->maps[r->nm++];
}

static const char *bound_name(struct run *r, uint64_t id)
{
	for (int i = 0; i < r->nb; i++)
		if (r->binds[i].id == id)
			return r->binds[i].name;
	return NULL;
}

static struct bind *bound(struct run *r, const char *name)
{
	for (int i = 0; i < r->nb; i++)
		if (!strcmp(r->binds[i].name, name))
			return &r->binds[i];
	return NULL;
}

/* ---- failure reports ----------------------------------------------------- */

static int fail(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void show_tables(struct run *r);

static int fail(struct run *r, const char *fmt, ...)
{
	va_list ap;

	printf("#   %s:%d: %s\n#     ", r->file, r->cur->line, text_of(r, r->cur->line));
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	show_tables(r);
	return -1;
}

static const struct mmctl_rec_anon_vma *find_av(struct run *r, uint64_t id);

/*
 * Expected vs actual for every bound name, side by side: what the scenario
 * says (its latest parent/counts lines up to here) and what the kernel has.
 */
static void show_tables(struct run *r)
{
	printf("#     %-8s %-16s | %-28s | %s\n", "name", "id", "expected parent nc/nav/ref",
	       "actual parent nc/nav/ref");
	for (int i = 0; i < r->nb; i++) {
		char exp[64] = "", act[64] = "-";
		const char *par = "?";
		const struct mmctl_rec_anon_vma *a;

		for (const struct topo_step *s = r->t->steps; s <= r->cur; s++) {
			if (s->kind == E_PARENT && !strcmp(s->other, r->binds[i].name))
				par = s->names[0];
			if (s->kind == E_COUNTS && !strcmp(s->other, r->binds[i].name)) {
				char c[3][12];

				for (int k = 0; k < 3; k++)
					snprintf(c[k], sizeof(c[k]), "%s%lu",
						 s->counts[k].op == '>' ? ">=" : "",
						 s->counts[k].v);
				snprintf(exp, sizeof(exp), "%s/%s/%s", c[0], c[1], c[2]);
			}
		}
		a = find_av(r, r->binds[i].id);
		if (a) {
			const char *pn = a->parent_id == a->id ? "root" : bound_name(r, a->parent_id);

			snprintf(act, sizeof(act), "%-8s %llu/%llu/%u", pn ? pn : "(unnamed)",
				 (unsigned long long)a->num_children,
				 (unsigned long long)a->num_active_vmas, a->refcount);
		}
		printf("#     %-8s %016llx | %-8s %-19s | %s\n", r->binds[i].name,
		       (unsigned long long)r->binds[i].id, par, exp, act);
	}
	/*
	 * The actual tree of the family the failing line looks at: its own
	 * process and mapping, or where the name it is about was bound.
	 */
	{
		const char *proc = r->cur->proc, *map = r->cur->map;
		unsigned long page = r->cur->page;
		struct bind *b = !proc[0] ? bound(r, r->cur->other) : NULL;
		int pi;
		struct mapping *m;
		char cmd[512];

		if (b && b->proc[0]) {
			proc = b->proc;
			map = b->map;
			page = b->page;
		}
		pi = proc[0] ? proc_idx(r, proc, 0) : -1;
		m = map[0] ? map_of(r, map, 0) : NULL;
		if (r->mmctl && pi >= 0 && m && r->p.alive[pi]) {
			snprintf(cmd, sizeof(cmd), "%s tree --all-members %d 0x%lx 2>&1 | sed 's/^/#     /'",
				 r->mmctl, (int)r->p.pid[pi], m->addr + page * r->pg);
			fflush(stdout);
			if (system(cmd))
				printf("#     (no tree)\n");
		}
	}
}

/* ---- dumps ---------------------------------------------------------------- */

/* Keep the raw records where the guest's address scan reads them. */
static void save_dump(const struct mm_dump *d)
{
	static int seq;
	const char *dir = getenv("MMCTL_DUMP_DIR");
	char path[4096];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/topo-%d-%04d.bin", dir, (int)getpid(), seq++);
	f = fopen(path, "w");
	if (f) {
		fwrite(d->buf, 1, d->len, f);
		fclose(f);
	}
}

/*
 * What every module dump of a quiescent scenario shows, whatever it
 * expects: taken consistently (each family under its root lock), every
 * family record there, the target's VMAs marked and no other, and folio
 * summaries of the family's other members only when asked for.
 */
static int dump_facts(struct run *r, const char *name, const struct mm_dump *d,
		      uint32_t flags)
{
	if (!(d->hdr->flags & MMCTL_DUMPF_CONSISTENT))
		return fail(r, "dump of %s not marked consistent", name);
	if (d->nr_families != d->hdr->nr_families)
		return fail(r, "dump of %s: %zu family records, the header says %u", name,
			    d->nr_families, d->hdr->nr_families);
	for (size_t i = 0; i < d->nr_vmas; i++) {
		const struct mmctl_rec_vma *v = d->vmas[i];
		int target = !!(v->flags & MMCTL_VMAF_TARGET);

		if (target != (v->pid == d->hdr->pid))
			return fail(r, "dump of %s: VMA %llx-%llx of pid %u %s as the target's",
				    name, (unsigned long long)v->start,
				    (unsigned long long)v->end, v->pid,
				    target ? "marked" : "not marked");
		if (!target && !(flags & MMCTL_DUMP_MEMBER_FOLIOS) && mm_dump_folios(d, v->id))
			return fail(r, "dump of %s: member VMA of pid %u has a folio summary unasked",
				    name, v->pid);
	}
	return 0;
}

/* Forget every dump: the scenario is about to change. */
static void drop_dumps(struct run *r)
{
	for (int i = 0; i < r->nd; i++) {
		mm_dump_free(&r->dumps[i]->d);
		free(r->dumps[i]);
	}
	free(r->dumps);
	r->dumps = NULL;
	r->nd = 0;
	r->compared_procs = 0;
}

/*
 * Process @i's dump with @flags and @page_addr's page: the one taken since
 * the last action, else a new one (0 or -errno in *err; no message, since
 * the failure report uses it too). The BPF backend has one kind of dump.
 */
static struct cached_dump *get_dump(struct run *r, int i, uint32_t flags, uint64_t page_addr,
				    int *err)
{
	struct cached_dump *c, **n;

	if (r->bpf)
		flags = page_addr = 0;
	for (int k = 0; k < r->nd; k++)
		if (r->dumps[k]->proc == i && r->dumps[k]->flags == flags &&
		    r->dumps[k]->page == page_addr)
			return r->dumps[k];
	c = calloc(1, sizeof(*c));
	n = c ? realloc(r->dumps, (r->nd + 1) * sizeof(*n)) : NULL;
	if (!n) {
		free(c);
		*err = -ENOMEM;
		return NULL;
	}
	r->dumps = n;
	*err = r->bpf ? mm_dump_bpf(&c->d, r->p.pid[i], 0) :
		mm_dump_kmod_pages(&c->d, r->p.pid[i], flags, page_addr, page_addr ? 1 : 0);
	if (*err) {
		free(c);
		return NULL;
	}
	c->proc = i;
	c->flags = flags;
	c->page = page_addr;
	r->dumps[r->nd++] = c;
	/* The address scan's copy: not again for each --exec use of a scenario. */
	if (!r->exec)
		save_dump(&c->d);
	return c;
}

static const struct mm_dump *dump_proc_flags(struct run *r, const char *name,
					     uint64_t page_addr, uint32_t flags)
{
	int i = proc_idx(r, name, 0), e;
	struct cached_dump *c;

	if (i < 0 || !r->p.alive[i]) {
		fail(r, "process %s is not running", name);
		return NULL;
	}
	c = get_dump(r, i, flags, page_addr, &e);
	if (!c) {
		fail(r, "dump of %s (pid %d) failed: %s", name, (int)r->p.pid[i], strerror(-e));
		return NULL;
	}
	if (!r->bpf && !c->facts && dump_facts(r, name, &c->d, flags))
		return NULL;
	c->facts = 1;
	return &c->d;
}

static const struct mm_dump *dump_proc(struct run *r, const char *name, uint64_t page_addr)
{
	return dump_proc_flags(r, name, page_addr, 0);
}

/* The checker on @d: no verdict at all (warnings allowed with @warn_ok). */
static int no_verdicts(struct run *r, const struct mm_dump *d, int warn_ok)
{
	struct mmctl_check_result res;

	if (mm_check_buf(d->buf, d->len, NULL, NULL, &res))
		return fail(r, "checker failed");
	if (res.count[MMCTL_SEV_ERROR] || res.count[MMCTL_SEV_TRANSIENT] ||
	    (!warn_ok && res.count[MMCTL_SEV_WARNING]))
		return fail(r, "expected no verdicts, found %u errors %u warnings %u transient (mmctl check %d)",
			    res.count[MMCTL_SEV_ERROR], res.count[MMCTL_SEV_WARNING],
			    res.count[MMCTL_SEV_TRANSIENT], (int)d->hdr->pid);
	return 0;
}

/* @pid's VMA holding @addr in @d (of any process of the family). */
static const struct mmctl_rec_vma *vma_of(const struct mm_dump *d, uint32_t pid, uint64_t addr)
{
	for (size_t i = 0; i < d->nr_vmas; i++)
		if (d->vmas[i]->pid == pid && d->vmas[i]->start <= addr && addr < d->vmas[i]->end)
			return d->vmas[i];
	return NULL;
}

/* The anon_vma @id in the dump of any live process. */
static const struct mmctl_rec_anon_vma *find_av(struct run *r, uint64_t id)
{
	for (int i = 0; i < r->np; i++) {
		const struct mmctl_rec_anon_vma *a;
		struct cached_dump *c;
		int e;

		if (!r->p.alive[i] || !(c = get_dump(r, i, 0, 0, &e)))
			continue;
		a = mm_dump_av(&c->d, id);
		if (a)
			return a;
	}
	return NULL;
}

static const struct mmctl_rec_vma *vma_at(const struct mm_dump *d, uint64_t addr)
{
	for (size_t i = 0; i < d->nr_vmas; i++)
		if ((d->vmas[i]->flags & MMCTL_VMAF_TARGET) && d->vmas[i]->start <= addr &&
		    addr < d->vmas[i]->end)
			return d->vmas[i];
	return NULL;
}

/* NAME names @id: bind it if new (to an object no other name has), else compare. */
static int bind(struct run *r, const char *name, uint64_t id, const char *what)
{
	struct bind *b = bound(r, name);
	const char *other;

	if (!id)
		return fail(r, "%s: expected anon_vma %s, found none", what, name);
	if (b) {
		if (b->id != id) {
			other = bound_name(r, id);
			return fail(r, "%s: expected anon_vma %s (%016llx), found %s (%016llx)", what, name,
				    (unsigned long long)b->id, other ? other : "an unnamed one",
				    (unsigned long long)id);
		}
		return 0;
	}
	other = bound_name(r, id);
	if (other)
		return fail(r, "%s: expected a new anon_vma %s, found %s again", what, name, other);
	if (r->nb == MAXBINDS)
		return fail(r, "too many names");
	snprintf(r->binds[r->nb].name, TOPO_NAME, "%s", name);
	snprintf(r->binds[r->nb].proc, TOPO_NAME, "%s", r->cur->proc);
	snprintf(r->binds[r->nb].map, TOPO_NAME, "%s", r->cur->map);
	r->binds[r->nb].page = r->cur->page;
	r->binds[r->nb++].id = id;
	return 0;
}

static int count_ok(const struct topo_count *c, unsigned long v)
{
	return c->op == '*' || (c->op == '>' ? v >= c->v : v == c->v);
}

static const char *count_str(const struct topo_count *c)
{
	static char buf[4][24];
	static int n;
	char *s = buf[n++ % 4];

	if (c->op == '*')
		return "*";
	snprintf(s, 24, "%s%lu", c->op == '>' ? ">=" : "", c->v);
	return s;
}

/* The anon_vma a counts/parent line is about: named, or a VMA's. */
static const struct mmctl_rec_anon_vma *subject(struct run *r, const struct topo_step *s,
						int *err)
{
	const struct mm_dump *d;
	const struct mmctl_rec_anon_vma *a;
	const struct mmctl_rec_vma *v;
	struct bind *b;

	*err = 0;
	if (!s->proc[0]) {
		b = bound(r, s->other);
		if (!b) {
			*err = fail(r, "anon_vma %s is not named yet (name it with 'expect P MAP anon_vma %s')",
				    s->other, s->other);
			return NULL;
		}
		a = find_av(r, b->id);
		if (!a)
			*err = fail(r, "anon_vma %s is not in any live process's dump (freed?)", s->other);
		return a;
	}
	d = dump_proc(r, s->proc, 0);
	if (!d) {
		*err = -1;
		return NULL;
	}
	v = vma_at(d, map_of(r, s->map, 0)->addr + s->page * r->pg);
	a = v ? mm_dump_av(d, v->anon_vma_id) : NULL;
	if (!a)
		*err = fail(r, "%s has no anon_vma at %s+%lu", s->proc, s->map, s->page);
	return a;
}

static int folio_field(const struct mmctl_rec_folios *f, const char *k, unsigned long *v)
{
	static const struct {
		const char *k;
		size_t off;
	} fields[] = {
#define F(x) { #x, offsetof(struct mmctl_rec_folios, x) }
		F(present), F(anon), F(ksm), F(thp), F(zero), F(file), F(other), F(swap),
		F(migration), F(outside_chain), F(index_mismatch),
#undef F
	};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(fields[i].k, k)) {
			*v = (unsigned long)*(const uint64_t *)((const char *)f + fields[i].off);
			return 0;
		}
	return -1;
}

static int expect(struct run *r, const struct topo_step *s)
{
	struct mapping *m = s->map[0] ? map_of(r, s->map, 0) : NULL;
	unsigned long addr = m ? m->addr + s->page * r->pg : 0;
	const struct mmctl_rec_anon_vma *a;
	const struct mmctl_rec_vma *v = NULL;
	const struct mm_dump *d;
	char what[96];
	int ret = 0;

	if (s->map[0] && !m)
		return fail(r, "no mapping named %s", s->map);
	if (r->bpf && (s->kind == E_PAGE || s->kind == E_FOLIOS)) {
		/* Page tables are the module's: marked, counted, not dropped. */
		printf("#   %s:%d: not visible to the BPF backend: %s\n", r->file, s->line,
		       text_of(r, s->line));
		r->unseen++;
		return 0;
	}
	snprintf(what, sizeof(what), "%s %s+%lu", s->proc, s->map, s->page);
	switch (s->kind) {
	case E_PARENT:
	case E_COUNTS:
		a = subject(r, s, &ret);
		if (!a)
			return ret;
		if (s->kind == E_PARENT) {
			if (!strcmp(s->names[0], "root"))
				ret = a->parent_id == a->id ? 0 :
					fail(r, "expected a root (parent == self), parent is %s",
					     bound_name(r, a->parent_id) ?: "unnamed");
			else if (a->parent_id == a->id)
				ret = fail(r, "expected parent %s, found a root", s->names[0]);
			else
				ret = bind(r, s->names[0], a->parent_id, "parent");
		} else if (!count_ok(&s->counts[0], a->num_children) ||
			   !count_ok(&s->counts[1], a->num_active_vmas) ||
			   !count_ok(&s->counts[2], a->refcount)) {
			ret = fail(r, "expected num_children %s num_active_vmas %s refcount %s, found %llu %llu %u",
				   count_str(&s->counts[0]), count_str(&s->counts[1]),
				   count_str(&s->counts[2]), (unsigned long long)a->num_children,
				   (unsigned long long)a->num_active_vmas, a->refcount);
		}
		return ret;
	case E_GONE: {
		const struct bind *b = bound(r, s->other);

		if (!b)
			return fail(r, "%s is not a named anon_vma", s->other);
		/*
		 * Not "not found": every live process dumped, none has it
		 * (anon_vma records only: no page-table walk needed).
		 */
		for (int i = 0; i < r->np && !ret; i++) {
			if (!r->p.alive[i])
				continue;
			d = dump_proc(r, r->pname[i], 0);
			if (!d)
				return -1;
			if (mm_dump_av(d, b->id))
				ret = fail(r, "%s is still in the dump of %s", s->other, r->pname[i]);
		}
		return ret;
	}
	case E_CLEAN:
		d = dump_proc(r, s->proc, 0);
		return d ? no_verdicts(r, d, s->flags & TOPO_CLEAN_WARN) : -1;
	default:
		break;
	}
	if (s->kind == E_FOLIOS && s->other[0]) {
		/* P's VMA in Q's dump, with the members' folio summaries. */
		int i = proc_idx(r, s->proc, 0);

		if (i < 0 || !r->p.alive[i])
			return fail(r, "process %s is not running", s->proc);
		d = dump_proc_flags(r, s->other, 0, MMCTL_DUMP_MEMBER_FOLIOS);
		if (!d)
			return -1;
		ret = no_verdicts(r, d, 0);
		v = vma_of(d, (uint32_t)r->p.pid[i], addr);
		if (ret || !v)
			return ret ?: fail(r, "%s: no VMA of %s at %#lx in the dump of %s", what,
					   s->proc, addr, s->other);
	} else if (!(d = dump_proc(r, s->proc, s->kind == E_PAGE ? addr : 0))) {
		return -1;
	}
	if (s->kind != E_VMAS && s->kind != E_PAGE && !v) {
		v = vma_at(d, addr);
		if (!v && !(s->kind == E_ANON_VMA && !strcmp(s->other, "none")))
			return fail(r, "%s: no VMA of %s at %#lx", what, s->proc, addr);
	}
	switch (s->kind) {
	case E_ANON_VMA:
		if (!strcmp(s->other, "none"))
			ret = !v || !v->anon_vma_id ? 0 :
				fail(r, "%s: expected no anon_vma, found %s", what,
				     bound_name(r, v->anon_vma_id) ?: "one");
		else
			ret = bind(r, s->other, v->anon_vma_id, what);
		break;
	case E_CHAIN: {
		/* Where the kernel's order is not head to root: ancestry order. */
		uint64_t ids[TOPO_MAXARGS] = { 0 };
		size_t n = d->hdr->flags & MMCTL_DUMPF_ROOT_LAST ?
			mm_dump_chain(d, v->id, ids, TOPO_MAXARGS) :
			mm_dump_chain_ancestry(d, v->id, ids, TOPO_MAXARGS);

		if (n != (size_t)s->nnames) {
			ret = fail(r, "%s: expected a chain of %d, found %zu", what, s->nnames, n);
			break;
		}
		for (int k = 0; k < s->nnames && !ret; k++)
			ret = bind(r, s->names[k], ids[k], what);
		break;
	}
	case E_VMAS: {
		unsigned long n = 0;

		for (size_t i = 0; i < d->nr_vmas; i++)
			n += (d->vmas[i]->flags & MMCTL_VMAF_TARGET) && d->vmas[i]->end > m->addr &&
				d->vmas[i]->start < m->addr + m->pages * r->pg;
		if (n != s->count)
			ret = fail(r, "%s: expected %lu VMAs, found %lu", what, s->count, n);
		break;
	}
	case E_PERM: {
		int prot = (v->vm_flags & MMCTL_VM_READ ? PROT_READ : 0) |
			   (v->vm_flags & MMCTL_VM_WRITE ? PROT_WRITE : 0) |
			   (v->vm_flags & MMCTL_VM_EXEC ? PROT_EXEC : 0);

		if (prot != s->prot)
			ret = fail(r, "%s: expected protection %#x, found %#x (vm_flags %#x)", what,
				   s->prot, prot, v->vm_flags);
		break;
	}
	case E_SIZE:
		if ((v->end - v->start) / r->pg != s->count)
			ret = fail(r, "%s: expected a VMA of %lu pages, found %llu (%llx-%llx)", what,
				   s->count, (unsigned long long)((v->end - v->start) / r->pg),
				   (unsigned long long)v->start, (unsigned long long)v->end);
		break;
	case E_PAGE: {
		const struct mmctl_rec_page *pg = mm_dump_page(d, addr);
		static const char *const kinds[] = { "none", "anon", "ksm", "zero", "file", "swap",
						     "migration", "other" };
		const char *k = pg && pg->kind < 8 ? kinds[pg->kind] : "none";
		int special = 0;

		for (int i = 0; i < 8; i++)
			special |= i != 1 && !strcmp(s->other, kinds[i]);
		if (special)
			ret = strcmp(k, s->other) ? fail(r, "%s: expected a %s page, found %s", what,
							 s->other, k) : 0;
		else if (!pg || pg->kind != MMCTL_PAGE_ANON)
			ret = fail(r, "%s: expected an anonymous page on %s, found %s", what, s->other, k);
		else
			ret = bind(r, s->other, pg->anon_vma_id, what);
		if (!ret && pg && (s->flags & TOPO_PAGE_PMD) && !(pg->flags & MMCTL_PAGEF_PMD))
			ret = fail(r, "%s: expected a PMD-mapped page", what);
		if (!ret && pg && pg->kind == MMCTL_PAGE_ANON && pg->index != pg->expected_index)
			ret = fail(r, "%s: page index %#llx, expected %#llx", what,
				   (unsigned long long)pg->index, (unsigned long long)pg->expected_index);
		break;
	}
	case E_FOLIOS: {
		const struct mmctl_rec_folios *f = mm_dump_folios(d, v->id);

		if (!f) {
			ret = fail(r, "%s: no folio summary", what);
			break;
		}
		for (int k = 0; k < s->nnames && !ret; k++) {
			const struct bind *b = bound(r, s->names[k]);
			unsigned long val = 0;

			if (folio_field(f, s->names[k], &val) == 0) {
				/* a summary field (its name, not an anon_vma's) */
			} else if (b) {	/* a named anon_vma: the pages on it */
				val = (unsigned long)mm_dump_folio_pages(d, v->id, b->id);
			} else {
				ret = fail(r, "'%s' is no folio field and no named anon_vma",
					   s->names[k]);
				break;
			}
			if (!count_ok(&s->counts[k], val))
				ret = fail(r, "%s: expected %s %s, found %lu", what, s->names[k],
					   count_str(&s->counts[k]), val);
		}
		break;
	}
	default:
		ret = fail(r, "internal: unknown expectation");
	}
	return ret;
}

/*
 * --compare: the module's and the BPF backend's dumps of @proc agree on
 * everything BPF sees. IDs differ (two keys), so objects are matched by
 * structure: the target's VMAs by start; anon_vmas through the positions
 * they hold, which must map one-to-one between the dumps.
 */
struct idmap {
	uint64_t b[4096], k[4096];
	int n;
};

/* IDs 0 ("none") correspond to each other alone. */
static int same_object(struct idmap *m, uint64_t b, uint64_t k)
{
	if (!b || !k)
		return !b && !k;
	for (int i = 0; i < m->n; i++)
		if (m->b[i] == b || m->k[i] == k)
			return m->b[i] == b && m->k[i] == k;
	if (m->n < 4096) {
		m->b[m->n] = b;
		m->k[m->n++] = k;
	}
	return 1;
}

/*
 * Record @k of the module and @b of the BPF backend agree on every field the
 * BPF backend fills (lib/fields.c; not MMCTL_FF_KMOD), IDs by
 * correspondence; a field added to the table is compared here unasked.
 */
static int same_fields(struct run *r, struct idmap *m, uint32_t type, const void *k,
		       const void *b, const char *where, const char *what)
{
	const struct mmctl_rec_desc *rd = mmctl_rec_desc(type);

	for (uint32_t i = 0; i < rd->nr_fields; i++) {
		const struct mmctl_field *f = &rd->fields[i];
		uint64_t vk = mmctl_field_get(f, k), vb = mmctl_field_get(f, b);

		if (f->flags & (MMCTL_FF_KMOD | MMCTL_FF_TEXT | MMCTL_FF_NESTED))
			continue;
		if (f->kind == MMCTL_FK_ID) {
			if (!same_object(m, vb, vk))
				return fail(r, "compare: %s: %s %s: IDs do not correspond", where, what,
					    f->name);
		} else if (f->kind == MMCTL_FK_COMM) {
			if (memcmp((const char *)k + f->off, (const char *)b + f->off, 16))
				return fail(r, "compare: %s: %s comm: kmod %.16s, bpf %.16s", where, what,
					    (const char *)k + f->off, (const char *)b + f->off);
		} else if (vk != vb) {
			return fail(r, "compare: %s: %s %s: kmod %#llx, bpf %#llx", where, what,
				    f->name, (unsigned long long)vk, (unsigned long long)vb);
		}
	}
	return 0;
}

static int same_av(struct run *r, struct idmap *m, const struct mm_dump *kd,
		   const struct mm_dump *bd, uint64_t kid, uint64_t bid, const char *where)
{
	const struct mmctl_rec_anon_vma *ka = mm_dump_av(kd, kid), *ba = mm_dump_av(bd, bid);

	if (!kid != !bid)
		return fail(r, "compare: %s: anon_vma present in %s only", where, kid ? "kmod" : "bpf");
	if (!kid)
		return 0;
	if (!ka || !ba)
		return fail(r, "compare: %s: anon_vma record missing (%s)", where, ka ? "bpf" : "kmod");
	return same_fields(r, m, MMCTL_REC_ANON_VMA, ka, ba, where, "anon_vma");
}

static int compare(struct run *r, const char *proc)
{
	static struct idmap m;
	struct mm_dump kd, bd;
	size_t nk = 0, nb = 0;
	int i = proc_idx(r, proc, 0), ret = 0, e;

	if (i < 0 || !r->p.alive[i])
		return 0;
	m.n = 0;
	if (mm_dump_kmod(&kd, r->p.pid[i], MMCTL_DUMP_NO_FOLIOS))
		return fail(r, "compare: module dump of %s failed", proc);
	e = mm_dump_bpf(&bd, r->p.pid[i], 0);
	if (e) {
		mm_dump_free(&kd);
		return fail(r, "compare: BPF dump of %s failed: %s", proc, mm_bpf_error());
	}
	for (size_t k = 0; k < bd.nr_vmas && !ret; k++) {
		/* Target and family members alike, matched by owner and start. */
		const struct mmctl_rec_vma *bv = bd.vmas[k], *kv = mm_dump_vma_at(&kd, bv->pid, bv->start);
		const struct mmctl_rec_chain **kc, **bc;
		size_t kn, bn;
		char where[64];

		nb++;
		snprintf(where, sizeof(where), "%s's dump, VMA %llx of pid %u", proc,
			 (unsigned long long)bv->start, bv->pid);
		if (!kv) {
			ret = fail(r, "compare: %s: not in the module's dump", where);
			break;
		}
		ret = same_fields(r, &m, MMCTL_REC_VMA, kv, bv, where, "vma") ?:
			same_av(r, &m, &kd, &bd, kv->anon_vma_id, bv->anon_vma_id, where);
		kc = mm_dump_chain_recs(&kd, kv->id, &kn);
		bc = mm_dump_chain_recs(&bd, bv->id, &bn);
		for (size_t c = 0; !ret && c < kn && c < bn; c++)
			ret = same_av(r, &m, &kd, &bd, kc[c]->anon_vma_id, bc[c]->anon_vma_id, where);
	}
	/* A partial BPF dump (a family cut at its size bound) is a subset. */
	nk = kd.nr_vmas;
	if (!ret && (bd.hdr->flags & MMCTL_DUMPF_PARTIAL ? nb > nk : nk != nb)) {
		/* Which: up to 10 VMAs the BPF dump lacks. */
		int shown = 0;

		for (size_t k = 0; k < kd.nr_vmas && shown < 10; k++) {
			const struct mmctl_rec_vma *kv = kd.vmas[k];

			if (!mm_dump_vma_at(&bd, kv->pid, kv->start)) {
				printf("#     only in the module dump: pid %u %.16s %llx-%llx%s chain %u\n",
				       kv->pid, kv->comm, (unsigned long long)kv->start,
				       (unsigned long long)kv->end,
				       kv->flags & MMCTL_VMAF_TARGET ? " target" : "", kv->chain_len);
				shown++;
			}
		}
		ret = fail(r, "compare: %s: %zu VMAs (own and family members) in the module dump, %zu in the BPF dump",
			   proc, nk, nb);
	}
	mm_dump_free(&kd);
	mm_dump_free(&bd);
	return ret;
}

/*
 * KSM's knobs as a merge step needs them, and their values before: put
 * back after the step, whatever its outcome. Left on, ksmd went on
 * scanning at 10000 pages per 10 ms after make check's host tests, through
 * every QEMU guest's (mergeable) RAM for the rest of the run: a fifth of a
 * CPU on these 2-CPU machines.
 */
#define KSM_KNOBS 3
static const char *const ksm_knobs[KSM_KNOBS][2] = {
	{ "/sys/kernel/mm/ksm/pages_to_scan", "10000" },
	{ "/sys/kernel/mm/ksm/sleep_millisecs", "10" },
	{ "/sys/kernel/mm/ksm/run", "1" },
};

static int ksm_write(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	if (fputs(val, f) < 0) {
		fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : 0;
}

/* Put back what ksm_set() found, run first (stops ksmd); 0 when all were. */
static int ksm_restore(char old[KSM_KNOBS][32], size_t n)
{
	int ret = 0;

	while (n--)
		if (old[n][0] && ksm_write(ksm_knobs[n][0], old[n]))
			ret = -1;
	return ret;
}

/* Save each knob, then set it; on a failure put back those already set. */
static int ksm_set(char old[KSM_KNOBS][32])
{
	for (size_t i = 0; i < KSM_KNOBS; i++) {
		FILE *f = fopen(ksm_knobs[i][0], "r");

		old[i][0] = 0;
		if (!f || !fgets(old[i], 32, f)) {
			if (f)
				fclose(f);
			ksm_restore(old, i);
			return -1;
		}
		fclose(f);
		old[i][strcspn(old[i], "\n")] = 0;
		if (ksm_write(ksm_knobs[i][0], ksm_knobs[i][1])) {
			ksm_restore(old, i + 1);
			return -1;
		}
	}
	return 0;
}

static int ksm_merged(struct run *r, const struct topo_step *s)
{
	struct mapping *m = map_of(r, s->map, 0);

	for (int t = 0; t < 600; t++) {
		const struct mm_dump *d;
		const struct mmctl_rec_vma *v;
		const struct mmctl_rec_folios *f;
		unsigned long ksm = 0;

		if (r->bpf) {
			/* No folio walk: the kernel's per-process count (6.1+). */
			char path[64];
			FILE *pf;

			snprintf(path, sizeof(path), "/proc/%d/ksm_merging_pages",
				 (int)r->p.pid[proc_idx(r, s->proc, 0)]);
			pf = fopen(path, "r");
			if (!pf || fscanf(pf, "%lu", &ksm) != 1)
				ksm = 0;
			if (pf)
				fclose(pf);
		} else {
			drop_dumps(r);	/* ksmd goes on merging: a new one each time */
			d = dump_proc(r, s->proc, 0);
			if (!d)
				return -1;
			v = vma_at(d, m->addr);
			f = v ? mm_dump_folios(d, v->id) : NULL;
			ksm = f ? f->ksm : 0;
		}
		if (ksm >= s->count)
			return 0;
		usleep(50000);
	}
	return fail(r, "KSM did not merge %lu pages of %s within 30 s", s->count, s->map);
}

static int ksm_wait(struct run *r, const struct topo_step *s)
{
	char old[KSM_KNOBS][32];
	int ret;

	if (ksm_set(old))
		return fail(r, "cannot set KSM's knobs in /sys/kernel/mm/ksm (KSM unavailable?)");
	ret = ksm_merged(r, s);
	if (ksm_restore(old, KSM_KNOBS) && !ret)
		ret = fail(r, "cannot put KSM's knobs back in /sys/kernel/mm/ksm");
	return ret;
}

/*
 * Run @argv while the scenario stands, its stdout on @out: MMCTL_<PROC> is
 * each live process's pid, MMCTL_<MAP> each mapping's address (0x...). The
 * exit status, 128 + N for signal N, or -errno when it could not start.
 */
static int run_cmd(struct run *r, char *const argv[], int out)
{
	int st;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char k[8 + TOPO_NAME], v[32];

		for (int i = 0; i < r->np; i++) {
			snprintf(k, sizeof(k), "MMCTL_%s", r->pname[i]);
			snprintf(v, sizeof(v), "%d", (int)r->p.pid[i]);
			if (r->p.alive[i])
				setenv(k, v, 1);
			else
				unsetenv(k);	/* an exited process has no pid */
		}
		for (int i = 0; i < r->nm; i++) {
			snprintf(k, sizeof(k), "MMCTL_%s", r->maps[i].name);
			snprintf(v, sizeof(v), "0x%lx", r->maps[i].addr);
			setenv(k, v, 1);
		}
		if (out != 1 && dup2(out, 1) < 0)
			_exit(127);
		/* Not the pool's pipes, not the runner's saved stdout. */
		if (close_range(3, ~0U, 0))
			for (int fd = 3; fd < 1024; fd++)
				close(fd);
		execvp(argv[0], argv);
		fprintf(stderr, "runner: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int action(struct run *r, const struct topo_step *s)
{
	int i = proc_idx(r, s->proc, s->kind == T_START), e = 0;
	struct mapping *m = NULL, *to;

	if (s->kind == T_RUN) {
		/* Its output is diagnostics: stdout carries the TAP stream. */
		char *argv[] = { "sh", "-c", s->cmd, NULL };

		e = run_cmd(r, argv, 2);
		if (e < 0)
			return fail(r, "run: cannot start sh: %s", strerror(-e));
		return e ? fail(r, "run: exit status %d: %s", e, s->cmd) : 0;
	}
	if (i < 0)
		return fail(r, "unknown process %s (start it, or fork it)", s->proc);
	if (s->kind != T_START && s->kind != T_FORK && s->kind != T_EXIT && s->kind != T_MAP) {
		m = map_of(r, s->map, 0);
		if (!m)
			return fail(r, "no mapping named %s", s->map);
	}
	switch (s->kind) {
	case T_START:
		if (r->p.alive[i])
			return fail(r, "%s is already running", s->proc);
		e = procs_spawn(&r->p, i);
		break;
	case T_FORK: {
		int c = proc_idx(r, s->other, 1);

		if (c < 0)
			return fail(r, "too many processes (at most %d)", PROCS_MAX);
		if (r->p.alive[c])
			return fail(r, "%s is already running", s->other);
		e = procs_fork(&r->p, i, c);
		break;
	}
	case T_EXIT:
		e = procs_exit(&r->p, i);
		break;
	case T_MAP: {
		struct mapping *after = NULL;

		if (s->flags & TOPO_MAP_AFTER) {
			after = map_of(r, s->other, 0);
			if (!after)
				return fail(r, "no mapping named %s", s->other);
		}
		m = map_of(r, s->map, 1);
		if (!m)
			return fail(r, "too many mappings");
		if (after)
			m->addr = after->addr + after->pages * r->pg;
		m->pages = s->count;
		e = procs_mmap_at(&r->p, i, m->addr, s->count,
				  ((s->flags & TOPO_MAP_FILE) ? PROCS_MAP_FILE : 0) |
				  ((s->flags & TOPO_MAP_THP) ? PROCS_MAP_THP : 0));
		break;
	}
	case T_WRITE:
		e = procs_write(&r->p, i, m->addr, s->first, s->count);
		break;
	case T_READ:
		e = procs_read(&r->p, i, m->addr, s->first, s->count);
		break;
	case T_MUNMAP:
		e = procs_munmap(&r->p, i, m->addr, s->first, s->count);
		break;
	case T_MPROTECT:
		e = procs_mprotect(&r->p, i, m->addr, s->first, s->count, s->prot);
		break;
	case T_MADVISE:
		e = procs_madvise(&r->p, i, m->addr, s->first, s->count, s->advice);
		break;
	case T_MREMAP:
		to = map_of(r, s->other, 1);
		if (!to)
			return fail(r, "too many mappings");
		to->pages = m->pages;
		e = procs_mremap(&r->p, i, m->addr, m->pages, to->addr,
				 (s->flags & TOPO_REMAP_DONTUNMAP) ? MREMAP_DONTUNMAP : 0);
		break;
	case T_KSM_WAIT:
		return ksm_wait(r, s);
	default:
		return fail(r, "internal: unknown action");
	}
	if (e)
		return fail(r, "%s failed: %s", text_of(r, s->line), strerror(-e));
	return 0;
}

/* 1 if the running kernel is at least "X.Y". */
static int kernel_at_least(const char *want)
{
	struct utsname u;
	int a, b, x = 0, y = 0;

	if (uname(&u) || sscanf(want, "%d.%d", &a, &b) != 2 ||
	    sscanf(u.release, "%d.%d", &x, &y) != 2)
		return 0;
	return x > a || (x == a && y >= b);
}

/*
 * Whether a read fault on private anonymous memory maps the shared zero
 * page, as every Debian kernel does; some hosts turn that off (a PVM
 * host's pvm_no_zero_page=1), and then a read allocates a folio and an
 * anon_vma. Probed here: one page read, then its smaps "Anonymous:". The
 * page sits between two PROT_NONE pages, so that its VMA is its own (a
 * page mapped next to another anonymous VMA merges with it). 1 yes, 0 no,
 * -1 unknown.
 */
static int zero_page_reads(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 3 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile char *p = m + pg;
	char line[256], want[64];
	int in = 0, ret = -1;
	unsigned long kb;
	FILE *f;

	if (m == MAP_FAILED)
		return -1;
	if (mprotect(m + pg, pg, PROT_READ | PROT_WRITE))
		goto out;
	(void)p[0];
	snprintf(want, sizeof(want), "%lx-", (unsigned long)p);
	f = fopen("/proc/self/smaps", "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, want, strlen(want)))
			in = 1;
		else if (in && sscanf(line, "Anonymous: %lu kB", &kb) == 1) {
			ret = kb == 0;
			break;
		}
	}
	if (f)
		fclose(f);
out:
	munmap(m, 3 * pg);
	return ret;
}

/*
 * make lab: what `mmctl -j dump PID` prints (dump, folios, the checker's
 * verdicts), of every live process, into DIR/SNAP-PROC.json, in process
 * (a CLI per dump is seconds on a KASAN kernel); "SNAP PROC PID" lines in
 * DIR/pids, the scenario's mappings in DIR/maps. With MMCTL_LAB_KMSG set
 * (in the guest), a "mmctl-lab: SCENARIO snapshot N" line in the kernel log
 * first, which places the kernel's own reports between snapshots (make
 * zoo). 0, or -1 when a dump failed.
 */
static int lab_snapshot(struct run *r)
{
	char path[4200], file[4300];
	const char *scen = strrchr(r->labdir, '/');
	FILE *f;
	int ret = 0, kmsg;

	r->snaps++;
	kmsg = getenv("MMCTL_LAB_KMSG") ? open("/dev/kmsg", O_WRONLY | O_CLOEXEC) : -1;
	if (kmsg >= 0) {
		dprintf(kmsg, "mmctl-lab: %s snapshot %d\n", scen ? scen + 1 : r->labdir, r->snaps);
		close(kmsg);
	}
	snprintf(path, sizeof(path), "%s/pids", r->labdir);
	f = fopen(path, "a");
	for (int i = 0; i < r->np; i++) {
		struct mmctl_violation *v = NULL;
		struct mmctl_check_result res;
		size_t nv = 0;
		struct json_object *j;
		struct mm_dump d;
		int e;

		if (!r->p.alive[i])
			continue;
		if (f)
			fprintf(f, "%d %s %d\n", r->snaps, r->pname[i], (int)r->p.pid[i]);
		snprintf(file, sizeof(file), "%s/%02d-%s.json", r->labdir, r->snaps, r->pname[i]);
		e = r->bpf ? mm_dump_bpf(&d, r->p.pid[i], 0) : mm_dump_kmod(&d, r->p.pid[i], 0);
		if (e) {
			printf("#   lab: dump of %s (pid %d) at snapshot %d failed: %s\n",
			       r->pname[i], (int)r->p.pid[i], r->snaps, strerror(-e));
			ret = -1;
			continue;
		}
		if (mm_check_dump(&d, &v, &nv, &res))
			ret = -1;
		j = mm_dump_to_json(&d, r->bpf ? "bpf" : "kmod", v, nv);
		if (!j || json_object_to_file_ext(file, j, JSON_C_TO_STRING_PLAIN) < 0) {
			printf("#   lab: cannot write %s\n", file);
			ret = -1;
		}
		json_object_put(j);
		free(v);
		mm_dump_free(&d);
	}
	if (f)
		fclose(f);
	/* The scenario's mapping names, to name VMAs by them across boots. */
	snprintf(path, sizeof(path), "%s/maps", r->labdir);
	f = fopen(path, "w");
	for (int i = 0; f && i < r->nm; i++)
		fprintf(f, "%s 0x%lx %lu\n", r->maps[i].name, r->maps[i].addr, r->maps[i].pages);
	if (f)
		fclose(f);
	return ret;
}

/* Runs in a child: 0 pass, 1 fail. */
static int run_scenario(struct run *r)
{
	int ret = 0, acted = 0;

	r->pg = sysconf(_SC_PAGESIZE);
	if (procs_init(&r->p)) {
		printf("#   cannot create the process pool\n");
		return 1;
	}
	for (size_t i = 0; i < r->t->nsteps && !ret; i++) {
		r->cur = &r->t->steps[i];
		if (r->lab && r->cur->kind >= E_ANON_VMA) {
			int e = 0;

			/*
			 * One snapshot per group of expectations; one that
			 * could not be taken fails the expectation it is for.
			 */
			if (acted && lab_snapshot(r))
				ret = -1;
			acted = 0;
			e = ret ? 1 : expect(r, r->cur);
			r->lab_fails += !!e;
			if (r->expects)
				fprintf(r->expects, "%d %d %s %s\n", r->snaps, r->cur->line,
					e ? "fail" : "ok", text_of(r, r->cur->line));
			continue;
		}
		acted = r->cur->kind < E_ANON_VMA;
		ret = acted ? action(r, r->cur) : expect(r, r->cur);
		if (acted)
			drop_dumps(r);	/* the group's, and one the action took (ksm-wait's polls) */
		if (!ret && r->compare && !acted && r->cur->proc[0]) {
			/* Once per process between actions: the same state. */
			int i = proc_idx(r, r->cur->proc, 0);

			if (i >= 0 && !(r->compared_procs & 1ULL << i)) {
				ret = compare(r, r->cur->proc);
				r->compared_procs |= 1ULL << i;
				r->compared++;
			}
		}
	}
	if (r->lab && acted && !ret)
		ret = lab_snapshot(r);
	drop_dumps(r);
	if (r->exec && !ret) {
		alarm(0);	/* the time limit is the scenario's, not CMD's */
		ret = run_cmd(r, r->exec, r->exec_out);
		if (ret < 0)
			fprintf(stderr, "runner: %s: %s\n", r->exec[0], strerror(-ret));
		procs_cleanup(&r->p);
		return ret < 0 ? 127 : ret;
	} else if (r->exec) {
		fprintf(stderr, "runner: %s: the scenario failed before %s ran\n", r->file, r->exec[0]);
		procs_cleanup(&r->p);
		return 125;
	}
	procs_cleanup(&r->p);
	if (r->expects)
		fclose(r->expects);
	if (r->unseen)
		printf("#   %d expectations not visible to the BPF backend (page tables)\n", r->unseen);
	if (r->compare)
		printf("#   module and BPF dumps agreed at %d points\n", r->compared);
	if (r->lab)
		printf("#   lab: %d snapshots, %d expectations failed\n", r->snaps, r->lab_fails);
	return ret || r->lab_fails ? 1 : 0;
}

static volatile sig_atomic_t got_signal;
static const int fwd[] = { SIGINT, SIGTERM, SIGHUP };

static void on_signal(int sig)
{
	got_signal = sig;
}

/*
 * Kill and reap every process below us: the scenario's group went with
 * kill(-pid); one that left it (setsid) was reparented here, the
 * subreaper, when its parent died. Up to 10 s.
 */
static void reap_all(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	for (int round = 0; round < 1000; round++) {
		FILE *f;
		pid_t w;
		int c;

		while ((w = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (w < 0 && errno == ECHILD)
			return;
		f = fopen(path, "r");
		while (f && fscanf(f, "%d", &c) == 1)
			kill(c, SIGKILL);
		if (f)
			fclose(f);
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	fprintf(stderr, "runner: a process of the scenario is still running after 10 s\n");
}

/*
 * --exec FILE CMD...: FILE's scenario in a child of its own process group
 * (its stdout on stderr), CMD run by it at the end with the real stdout.
 */
static int exec_with(const char *file, char **cmd, const char *mmctl, int bpf)
{
	struct topo t;
	char err[512];
	int st = 0;
	pid_t pid;

	if (topo_load(file, &t, err, sizeof(err))) {
		fprintf(stderr, "runner: %s\n", err);
		return 125;
	}
	if ((t.kernel_min[0] && !kernel_at_least(t.kernel_min)) ||
	    (t.needs_zero_page && zero_page_reads() == 0)) {
		fprintf(stderr, "runner: %s: this kernel cannot run it (kernel >= %s, needs zero-page %d)\n",
			file, t.kernel_min[0] ? t.kernel_min : "any", t.needs_zero_page);
		topo_free(&t);
		return 125;
	}
	fflush(stdout);
	/* Every process of the scenario is reaped here before we return. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
		sigaction(fwd[i], &(struct sigaction){ .sa_handler = on_signal }, NULL);
	pid = fork();
	if (pid == 0) {
		struct run r = { .file = file, .t = &t, .mmctl = mmctl, .bpf = bpf,
				 .exec = cmd, .exec_out = dup(1) };

		for (size_t i = 0; i < sizeof(fwd) / sizeof(fwd[0]); i++)
			signal(fwd[i], SIG_DFL);
		if (r.exec_out < 0 || dup2(2, 1) < 0)
			_exit(125);
		/* stderr is a pipe under t_check: lines, or _exit() drops them. */
		setvbuf(stdout, NULL, _IOLBF, 0);
		setpgid(0, 0);
		alarm(SCENARIO_TIMEOUT);
		_exit(run_scenario(&r));
	}
	if (pid > 0) {
		setpgid(pid, pid);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			if (got_signal)
				kill(-pid, SIGKILL);
		kill(-pid, SIGKILL);	/* whatever outlived the command */
		reap_all();
	}
	topo_free(&t);
	if (got_signal) {
		fprintf(stderr, "runner: %s: %s: its processes killed\n", file, strsignal(got_signal));
		return 128 + got_signal;
	}
	if (pid < 0 || !WIFEXITED(st)) {
		fprintf(stderr, "runner: %s: the scenario %s\n", file,
			pid < 0 ? "could not start" : WTERMSIG(st) == SIGALRM ? "timed out" : "died");
		return 125;
	}
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	const char *mmctl = getenv("MMCTL"), *lab = NULL;
	int first = 1, passed = 0, failed = 0, skipped = 0, bpf = 0, cmp = 0;

	while (argc > first + 1 && !strncmp(argv[first], "--", 2)) {
		if (!strcmp(argv[first], "--compare")) {
			cmp = 1;
			first++;
			continue;
		}
		if (!strcmp(argv[first], "--exec")) {
			if (argc < first + 3 || lab || cmp)
				break;
			return exec_with(argv[first + 1], argv + first + 2, mmctl, bpf);
		}
		if (!strcmp(argv[first], "--mmctl")) {
			mmctl = argv[first + 1];
		} else if (!strcmp(argv[first], "--lab")) {
			lab = argv[first + 1];
		} else if (!strcmp(argv[first], "--backend") && !strcmp(argv[first + 1], "bpf")) {
			bpf = 1;
		} else if (strcmp(argv[first], "--backend") || strcmp(argv[first + 1], "kmod")) {
			break;
		}
		first += 2;
	}
	if (first == argc || !strncmp(argv[first], "--", 2)) {
		fprintf(stderr, "usage: runner [--mmctl PATH] [--backend kmod|bpf] [--compare] [--lab DIR] FILE...\n"
			"       runner [--mmctl PATH] [--backend kmod|bpf] --exec FILE CMD [ARG...]\n");
		return 2;
	}
	if (lab && mkdir(lab, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "runner: --lab %s: %s\n", lab, strerror(errno));
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", argc - first);
	for (int i = first; i < argc; i++) {
		struct topo t;
		char err[512], name[600];
		int st, ok;
		pid_t pid;

		if (topo_load(argv[i], &t, err, sizeof(err))) {
			/* A malformed scenario is a failed test, not a crash. */
			snprintf(name, sizeof(name), "topology %s: parse error", argv[i]);
			printf("#   %s\n", err);
			tap_result(name, 0);
			failed++;
			continue;
		}
		snprintf(name, sizeof(name), "topology%s %s: %s",
			 bpf ? " (bpf)" : cmp ? " (kmod = bpf)" : "",
			 strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i], t.title);

		if (t.kernel_min[0] && !kernel_at_least(t.kernel_min)) {
			char why[96];

			snprintf(why, sizeof(why), "needs kernel >= %s", t.kernel_min);
			tap_skip(name, why);
			skipped++;
			topo_free(&t);
			continue;
		}
		/* Unknown (-1) runs the scenario: only a kernel seen allocating skips it. */
		if (t.needs_zero_page && zero_page_reads() == 0) {
			tap_skip(name, "needs read faults to map the zero page: this kernel "
				 "allocated a page for one (is pvm_no_zero_page=1 on its command line?)");
			skipped++;
			topo_free(&t);
			continue;
		}
		pid = fork();
		if (pid == 0) {
			struct run r = { .file = argv[i], .t = &t, .mmctl = mmctl, .bpf = bpf,
					 .compare = cmp, .lab = lab };

			if (lab) {
				const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
				char path[4200];

				snprintf(r.labdir, sizeof(r.labdir), "%s/%.*s", lab,
					 (int)strcspn(base, "."), base);
				if (mkdir(r.labdir, 0755) < 0 && errno != EEXIST) {
					printf("#   lab: mkdir %s: %s\n", r.labdir, strerror(errno));
					_exit(1);
				}
				snprintf(path, sizeof(path), "%s/expects.txt", r.labdir);
				r.expects = fopen(path, "w");
			}
			setpgid(0, 0);	/* its processes: one group to kill */
			alarm(SCENARIO_TIMEOUT);
			_exit(run_scenario(&r));
		}
		setpgid(pid, pid);
		st = 0;
		waitpid(pid, &st, 0);
		kill(-pid, SIGKILL);	/* whatever outlived the scenario */
		ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
		if (WIFSIGNALED(st))
			printf("#   scenario died with signal %d%s\n", WTERMSIG(st),
			       WTERMSIG(st) == SIGALRM ? " (timeout)" : "");
		tap_result(name, ok);
		ok ? passed++ : failed++;
		topo_free(&t);
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
