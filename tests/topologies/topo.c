// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "topo.h"

struct ps {
	const char *file;
	int line;
	char *err;
	size_t errlen;
};

static int fail(struct ps *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct ps *ps, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "%s:%d: %s", ps->file, ps->line, msg);
	return -1;
}

static int is_name(const char *s)
{
	if (!*s || strlen(s) >= TOPO_NAME || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

static int number(const char *s, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 0);
	return *end || errno ? -1 : 0;
}

/* "3" or "0-3" -> first, count */
static int range(const char *s, unsigned long *first, unsigned long *count)
{
	char buf[64], *dash;
	unsigned long last;

	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = 0;
	if (number(buf, first))
		return -1;
	if (!dash) {
		*count = 1;
		return 0;
	}
	if (number(dash + 1, &last) || last < *first)
		return -1;
	*count = last - *first + 1;
	return 0;
}

/* "m" or "m+3" */
static int mapref(const char *s, char *map, unsigned long *page)
{
	char buf[64], *plus;

	snprintf(buf, sizeof(buf), "%s", s);
	plus = strchr(buf, '+');
	*page = 0;
	if (plus) {
		*plus = 0;
		if (number(plus + 1, page))
			return -1;
	}
	if (!is_name(buf))
		return -1;
	snprintf(map, TOPO_NAME, "%.*s", TOPO_NAME - 1, buf);
	return 0;
}

static int count(const char *s, struct topo_count *c)
{
	if (!strcmp(s, "*")) {
		c->op = '*';
		return 0;
	}
	if (!strncmp(s, ">=", 2)) {
		c->op = '>';
		return number(s + 2, &c->v);
	}
	c->op = '=';
	return number(s, &c->v);
}

static struct topo_step *add(struct topo *t)
{
	if (t->nsteps == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct topo_step *n = realloc(t->steps, cap * sizeof(*n));

		if (!n)
			return NULL;
		t->steps = n;
		t->cap = cap;
	}
	memset(&t->steps[t->nsteps], 0, sizeof(t->steps[0]));
	return &t->steps[t->nsteps++];
}

/*
 * A process name, or a range "Q[1-50]" expanding to Q1..Q50: writes the
 * prefix, lo and hi (lo == hi == -1 without a range).
 */
static int procname(const char *s, char *prefix, long *lo, long *hi)
{
	const char *br = strchr(s, '[');
	unsigned long a, b;
	char inner[32];

	*lo = *hi = -1;
	if (!br) {
		if (!is_name(s))
			return -1;
		snprintf(prefix, TOPO_NAME, "%s", s);
		return 0;
	}
	if ((size_t)(br - s) >= TOPO_NAME - 4 || s[strlen(s) - 1] != ']')
		return -1;
	snprintf(prefix, TOPO_NAME, "%.*s", (int)(br - s), s);
	snprintf(inner, sizeof(inner), "%.*s", (int)(strlen(br) - 2), br + 1);
	if (!is_name(prefix) || range(inner, &a, &b) || b > 1000)
		return -1;
	*lo = (long)a;
	*hi = (long)(a + b - 1);
	return 0;
}

static const struct {
	const char *name;
	int advice;
} advices[] = {
	{ "wipeonfork", MADV_WIPEONFORK }, { "keeponfork", MADV_KEEPONFORK },
	{ "dontfork", MADV_DONTFORK }, { "dofork", MADV_DOFORK },
	{ "mergeable", MADV_MERGEABLE }, { "unmergeable", MADV_UNMERGEABLE },
	{ "hugepage", MADV_HUGEPAGE }, { "nohugepage", MADV_NOHUGEPAGE },
	{ "dontneed", MADV_DONTNEED },
};

static int prot_of(const char *s)
{
	if (!strcmp(s, "none"))
		return PROT_NONE;
	if (!strcmp(s, "r"))
		return PROT_READ;
	if (!strcmp(s, "rw"))
		return PROT_READ | PROT_WRITE;
	if (!strcmp(s, "rx"))
		return PROT_READ | PROT_EXEC;
	if (!strcmp(s, "rwx"))
		return PROT_READ | PROT_WRITE | PROT_EXEC;
	return -1;
}

/* An action line: w[0] is the process (already expanded), w[1] the verb. */
static int action(struct ps *ps, struct topo_step *s, char **w, int n)
{
	const char *v = w[1];

	if (!strcmp(v, "start")) {
		s->kind = T_START;
		return n == 2 ? 0 : fail(ps, "start takes no arguments");
	}
	if (!strcmp(v, "exit")) {
		s->kind = T_EXIT;
		return n == 2 ? 0 : fail(ps, "exit takes no arguments");
	}
	if (!strcmp(v, "fork")) {
		s->kind = T_FORK;
		if (n != 3 || !is_name(w[2]))
			return fail(ps, "usage: P fork CHILD");
		if (!strcmp(w[2], "run"))
			return fail(ps, "'run' is a statement, not a process name");
		snprintf(s->other, TOPO_NAME, "%s", w[2]);
		return 0;
	}
	if (!strcmp(v, "map")) {
		s->kind = T_MAP;
		if (n < 4 || !is_name(w[2]) || number(w[3], &s->count) || !s->count)
			return fail(ps, "usage: P map NAME PAGES [anon|file|thp] [after NAME]");
		snprintf(s->map, TOPO_NAME, "%s", w[2]);
		for (int i = 4; i < n; i++) {
			if (!strcmp(w[i], "file")) {
				s->flags |= TOPO_MAP_FILE;
			} else if (!strcmp(w[i], "thp")) {
				s->flags |= TOPO_MAP_THP;
			} else if (!strcmp(w[i], "anon")) {
				;
			} else if (!strcmp(w[i], "after") && i + 1 < n && is_name(w[i + 1])) {
				s->flags |= TOPO_MAP_AFTER;
				snprintf(s->other, TOPO_NAME, "%s", w[++i]);
			} else {
				return fail(ps, "map: unknown option '%s'", w[i]);
			}
		}
		return 0;
	}
	if (!strcmp(v, "write") || !strcmp(v, "read") || !strcmp(v, "munmap") ||
	    !strcmp(v, "mprotect") || !strcmp(v, "madvise")) {
		int want = !strcmp(v, "mprotect") || !strcmp(v, "madvise") ? 5 : 4;

		s->kind = !strcmp(v, "write") ? T_WRITE : !strcmp(v, "read") ? T_READ :
			!strcmp(v, "munmap") ? T_MUNMAP : !strcmp(v, "mprotect") ? T_MPROTECT :
			T_MADVISE;
		if (n != want || !is_name(w[2]) || range(w[3], &s->first, &s->count))
			return fail(ps, "usage: P %s MAP PAGES%s (PAGES: N or N-M)", v,
				    want == 5 ? (s->kind == T_MPROTECT ? " r|rw|rx|rwx|none" :
						 " ADVICE") : "");
		snprintf(s->map, TOPO_NAME, "%s", w[2]);
		if (s->kind == T_MPROTECT && (s->prot = prot_of(w[4])) < 0)
			return fail(ps, "mprotect: unknown protection '%s'", w[4]);
		if (s->kind == T_MADVISE) {
			s->advice = -1;
			for (size_t i = 0; i < sizeof(advices) / sizeof(advices[0]); i++)
				if (!strcmp(w[4], advices[i].name))
					s->advice = advices[i].advice;
			if (s->advice < 0)
				return fail(ps, "madvise: unknown advice '%s'", w[4]);
		}
		return 0;
	}
	if (!strcmp(v, "mremap")) {
		s->kind = T_MREMAP;
		if (n < 4 || n > 5 || !is_name(w[2]) || !is_name(w[3]) ||
		    (n == 5 && strcmp(w[4], "dontunmap")))
			return fail(ps, "usage: P mremap MAP NEWMAP [dontunmap]");
		snprintf(s->map, TOPO_NAME, "%s", w[2]);
		snprintf(s->other, TOPO_NAME, "%s", w[3]);
		s->flags = n == 5 ? TOPO_REMAP_DONTUNMAP : 0;
		return 0;
	}
	if (!strcmp(v, "ksm-wait")) {
		s->kind = T_KSM_WAIT;
		if (n != 4 || !is_name(w[2]) || number(w[3], &s->count))
			return fail(ps, "usage: P ksm-wait MAP PAGES");
		snprintf(s->map, TOPO_NAME, "%s", w[2]);
		return 0;
	}
	return fail(ps, "unknown verb '%s'", v);
}

/* "expect ..." with w[0] = "expect", w[1] the process or a NAME form. */
static int expect(struct ps *ps, struct topo_step *s, char **w, int n)
{
	if (n >= 3 && (!strcmp(w[2], "parent") || !strcmp(w[2], "counts"))) {
		/* expect NAME parent X | expect NAME counts a b c */
		if (!is_name(w[1]))
			return fail(ps, "bad anon_vma name '%s'", w[1]);
		snprintf(s->other, TOPO_NAME, "%s", w[1]);
		w += 1;		/* now w[1] is the verb, as in the process form */
		n -= 1;
		goto named;
	}
	if (n == 3 && !strcmp(w[2], "gone")) {
		/* expect NAME gone: in no live process's dump any more */
		s->kind = E_GONE;
		if (!is_name(w[1]))
			return fail(ps, "bad anon_vma name '%s'", w[1]);
		snprintf(s->other, TOPO_NAME, "%s", w[1]);
		return 0;
	}
	if (n == 3 && (!strcmp(w[2], "clean") || !strcmp(w[2], "no-errors"))) {
		s->kind = E_CLEAN;
		s->flags = !strcmp(w[2], "no-errors") ? TOPO_CLEAN_WARN : 0;
		snprintf(s->proc, TOPO_NAME, "%s", w[1]);
		return 0;
	}
	if (n < 4 || mapref(w[2], s->map, &s->page))
		return fail(ps, "usage: expect P MAP[+PAGE] WHAT ..., or expect NAME parent|counts ...");
	snprintf(s->proc, TOPO_NAME, "%s", w[1]);
	w += 2;
	n -= 2;
named:
	if (!strcmp(w[1], "anon_vma")) {
		s->kind = E_ANON_VMA;
		if (n != 3 || !is_name(w[2]))
			return fail(ps, "usage: expect P MAP anon_vma NAME|none");
		snprintf(s->other, TOPO_NAME, "%s", w[2]);
		return 0;
	}
	if (!strcmp(w[1], "chain")) {
		s->kind = E_CHAIN;
		if (n < 3 || n - 2 > TOPO_MAXARGS)
			return fail(ps, "usage: expect P MAP chain NAME... (head first)");
		for (int i = 2; i < n; i++) {
			if (!is_name(w[i]))
				return fail(ps, "bad anon_vma name '%s'", w[i]);
			snprintf(s->names[s->nnames++], TOPO_NAME, "%s", w[i]);
		}
		return 0;
	}
	if (!strcmp(w[1], "perm")) {
		s->kind = E_PERM;
		if (n != 3 || (s->prot = prot_of(w[2])) < 0)
			return fail(ps, "usage: expect P MAP[+PAGE] perm none|r|rw|rx|rwx");
		return 0;
	}
	if (!strcmp(w[1], "vmas") || !strcmp(w[1], "size")) {
		s->kind = !strcmp(w[1], "vmas") ? E_VMAS : E_SIZE;
		if (n != 3 || number(w[2], &s->count))
			return fail(ps, "usage: expect P MAP %s N", w[1]);
		return 0;
	}
	if (!strcmp(w[1], "page")) {
		s->kind = E_PAGE;
		if (n < 4 || n > 5 || strcmp(w[2], "->") || !is_name(w[3]) ||
		    (n == 5 && strcmp(w[4], "pmd")))
			return fail(ps, "usage: expect P MAP+N page -> NAME|none|zero|ksm|file|swap [pmd]");
		snprintf(s->other, TOPO_NAME, "%s", w[3]);
		s->flags = n == 5 ? TOPO_PAGE_PMD : 0;
		return 0;
	}
	if (!strcmp(w[1], "folios")) {
		s->kind = E_FOLIOS;
		/* ... in Q: P's VMA as Q's dump of its family sees it */
		if (n >= 4 && !strcmp(w[n - 2], "in")) {
			if (!is_name(w[n - 1]))
				return fail(ps, "folios: bad process name '%s'", w[n - 1]);
			snprintf(s->other, TOPO_NAME, "%s", w[n - 1]);
			n -= 2;
		}
		if (n < 3 || n - 2 > TOPO_MAXARGS)
			return fail(ps, "usage: expect P MAP folios KEY=N... [in PROC]");
		for (int i = 2; i < n; i++) {
			char *eq = strchr(w[i], '=');

			if (!eq || eq == w[i])
				return fail(ps, "folios: '%s' is not KEY=N or KEY>=N", w[i]);
			if (eq[-1] == '>') {
				eq[-1] = 0;
				s->counts[s->nnames].op = '>';
				if (number(eq + 1, &s->counts[s->nnames].v))
					return fail(ps, "folios: bad number in '%s'", w[i]);
			} else {
				*eq = 0;
				if (count(eq + 1, &s->counts[s->nnames]))
					return fail(ps, "folios: bad number in '%s'", w[i]);
			}
			snprintf(s->names[s->nnames++], TOPO_NAME, "%s", w[i]);
		}
		return 0;
	}
	if (!strcmp(w[1], "parent")) {
		s->kind = E_PARENT;
		if (n != 3 || !is_name(w[2]))
			return fail(ps, "usage: expect NAME parent NAME|root");
		snprintf(s->names[0], TOPO_NAME, "%s", w[2]);
		s->nnames = 1;
		return 0;
	}
	if (!strcmp(w[1], "counts")) {
		s->kind = E_COUNTS;
		if (n != 5 || count(w[2], &s->counts[0]) || count(w[3], &s->counts[1]) ||
		    count(w[4], &s->counts[2]))
			return fail(ps, "usage: expect NAME counts NUM_CHILDREN NUM_ACTIVE_VMAS REFCOUNT (N, >=N or *)");
		return 0;
	}
	return fail(ps, "unknown expectation '%s'", w[1]);
}

static int parse(const char *file, const char *text, struct topo *t, char *err, size_t errlen)
{
	struct ps ps = { .file = file, .err = err, .errlen = errlen };
	const char *p = text;

	memset(t, 0, sizeof(*t));
	while (*p) {
		char line[1024], *w[TOPO_MAXARGS + 8], *save = NULL, *tok;
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		int n = 0;

		ps.line++;
		if (len >= sizeof(line))
			return fail(&ps, "line too long");
		memcpy(line, p, len);
		line[len] = 0;
		p += len + (nl ? 1 : 0);
		/*
		 * "run TEXT": the rest of the line is shell text, taken as
		 * written ('#' included: the shell reads its own comments).
		 */
		tok = line + strspn(line, " \t");
		if (!strncmp(tok, "run", 3) && (tok[3] == ' ' || tok[3] == '\t' || !tok[3])) {
			struct topo_step *s;

			tok += 3 + strspn(tok + 3, " \t");
			if (!*tok)
				return fail(&ps, "usage: run SHELL-COMMAND");
			if (!t->title[0])
				return fail(&ps, "the first line must be 'scenario TITLE'");
			s = add(t);
			if (!s || !(s->cmd = strdup(tok)))
				return fail(&ps, "out of memory");
			for (size_t e = strlen(s->cmd); e && isspace((unsigned char)s->cmd[e - 1]); e--)
				s->cmd[e - 1] = 0;
			s->line = ps.line;
			s->kind = T_RUN;
			continue;
		}
		if (strchr(line, '#'))
			*strchr(line, '#') = 0;
		for (size_t e = strlen(line); e && isspace((unsigned char)line[e - 1]); e--)
			line[e - 1] = 0;
		if (!strncmp(line, "scenario ", 9) || !strcmp(line, "scenario")) {
			if (t->title[0])
				return fail(&ps, "a second 'scenario' line");
			snprintf(t->title, sizeof(t->title), "%s", line + (line[8] ? 9 : 8));
			if (!t->title[0])
				return fail(&ps, "scenario needs a title");
			continue;
		}
		for (tok = strtok_r(line, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
			if (n == (int)(sizeof(w) / sizeof(w[0])))
				return fail(&ps, "too many words");
			w[n++] = tok;
		}
		if (!n)
			continue;
		if (!t->title[0])
			return fail(&ps, "the first line must be 'scenario TITLE'");
		if (!strcmp(w[0], "kernel")) {
			if (n != 3 || strcmp(w[1], ">="))
				return fail(&ps, "usage: kernel >= VERSION");
			snprintf(t->kernel_min, sizeof(t->kernel_min), "%s", w[2]);
			continue;
		}
		if (!strcmp(w[0], "needs")) {
			if (n != 2 || strcmp(w[1], "zero-page"))
				return fail(&ps, "usage: needs zero-page");
			t->needs_zero_page = 1;
			continue;
		}
		if (n < 2)
			return fail(&ps, "a line is 'P VERB ...' or 'expect ...'");
		{
			/* Process ranges: "Q[1-50] ..." or "... fork Q[1-50]" expand. */
			int rpos = strchr(w[0], '[') ? 0 : (n > 2 && strchr(w[2], '[')) ? 2 :
				(!strcmp(w[0], "expect") && strchr(w[1], '[')) ? 1 : -1;
			char prefix[TOPO_NAME], name[2 * TOPO_NAME], *orig = rpos >= 0 ? w[rpos] : NULL;
			long lo = -1, hi = -1;

			if (rpos >= 0 && procname(orig, prefix, &lo, &hi))
				return fail(&ps, "bad process range '%s' (NAME[FIRST-LAST])", orig);
			for (long i = lo; i <= hi; i++) {
				struct topo_step *s = add(t);
				int r;

				if (!s)
					return fail(&ps, "out of memory");
				s->line = ps.line;
				if (rpos >= 0) {
					snprintf(name, sizeof(name), "%s%ld", prefix, i);
					w[rpos] = name;
				}
				if (!strcmp(w[0], "expect")) {
					r = expect(&ps, s, w, n);
				} else {
					if (!is_name(w[0]))
						return fail(&ps, "bad process name '%s'", w[0]);
					snprintf(s->proc, TOPO_NAME, "%s", w[0]);
					r = action(&ps, s, w, n);
				}
				if (rpos >= 0)
					w[rpos] = orig;
				if (r)
					return r;
				if (rpos < 0)
					break;
			}
		}
	}
	if (!t->title[0]) {
		ps.line = 1;
		return fail(&ps, "empty scenario (no 'scenario TITLE' line)");
	}
	return 0;
}

/* On failure nothing stays allocated: @t is empty. */
int topo_parse(const char *file, const char *text, struct topo *t, char *err, size_t errlen)
{
	int r = parse(file, text, t, err, errlen);

	if (r)
		topo_free(t);
	return r;
}

int topo_load(const char *path, struct topo *t, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	long len;
	int r;

	memset(t, 0, sizeof(*t));
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	if (!text || fread(text, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(text);
		snprintf(err, errlen, "%s: cannot read", path);
		return -1;
	}
	fclose(f);
	r = topo_parse(path, text, t, err, errlen);
	free(text);
	return r;
}

void topo_free(struct topo *t)
{
	for (size_t i = 0; i < t->nsteps; i++)
		free(t->steps[i].cmd);
	free(t->steps);
	memset(t, 0, sizeof(*t));
}
