// SPDX-License-Identifier: GPL-2.0
/*
 * mmctl top: anon_vma metadata of every process (or --pids, --cgroup):
 * distinct anon_vmas on its VMAs' chains, chain entries (AVCs), the longest
 * chain, the largest family it belongs to (anon_vmas), and the slab bytes
 * those objects take (counts x object size from /proc/slabinfo).
 *
 * Every process (no --pids, --cgroup), in text or JSON, is one pass: each
 * process's own VMAs and chains (MMCTL_DUMP_NO_FAMILIES), no family walked
 * from each of its members (the BPF backend: one iterator over every task); a family's size is then the distinct anon_vmas
 * on the chains of all its VMAs, which all belong to some process. A subset
 * of processes (and prometheus, whose verdicts judge whole families) takes
 * each process's full dump: its families reach processes outside the set.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "checkrun.h"
#include "mmctl.h"

struct row {
	long pid;
	char comm[17];
	uint64_t anon_vmas, avcs, chain, family, bytes;
	uint32_t verdicts[MMCTL_SEV_NR];	/* --format=prometheus: the checker's */
};

/* A growing array of ID pairs: (root, anon_vma) or (row, root). */
struct pairs {
	uint64_t (*p)[2];
	size_t n, cap;
};

static int pair_add(struct pairs *v, uint64_t a, uint64_t b)
{
	if (v->n == v->cap) {
		size_t c = v->cap ? 2 * v->cap : 1024;
		uint64_t (*p)[2] = realloc(v->p, c * sizeof(*p));

		if (!p)
			return -1;
		v->p = p;
		v->cap = c;
	}
	v->p[v->n][0] = a;
	v->p[v->n++][1] = b;
	return 0;
}

static int cmp_pair(const void *x, const void *y)
{
	const uint64_t *a = x, *b = y;

	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* Sorts @v and drops repeated pairs. */
static void pairs_unique(struct pairs *v)
{
	size_t k = 0;

	qsort(v->p, v->n, sizeof(*v->p), cmp_pair);
	for (size_t i = 0; i < v->n; i++)
		if (!k || cmp_pair(v->p[k - 1], v->p[i]))
			memcpy(v->p[k++], v->p[i], sizeof(*v->p));
	v->n = k;
}

/*
 * The one pass's families: (root, anon_vma) of every chain entry met, made
 * unique, give each root's size; each row's largest over the roots its VMAs
 * have (row, root).
 */
static void join_families(struct row *rows, struct pairs *avs, struct pairs *roots)
{
	size_t k = 0;

	pairs_unique(avs);
	/* In place: (root, distinct anon_vmas) per root, sorted by root. */
	for (size_t i = 0; i < avs->n; i++) {
		if (k && avs->p[k - 1][0] == avs->p[i][0]) {
			avs->p[k - 1][1]++;
			continue;
		}
		avs->p[k][0] = avs->p[i][0];
		avs->p[k++][1] = 1;
	}
	avs->n = k;
	pairs_unique(roots);
	for (size_t i = 0; i < roots->n; i++) {
		uint64_t key[2] = { roots->p[i][1], 0 };
		size_t lo = 0, hi = avs->n;
		struct row *r = &rows[roots->p[i][0]];

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (avs->p[mid][0] < key[0])
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < avs->n && avs->p[lo][0] == key[0] && avs->p[lo][1] > r->family)
			r->family = avs->p[lo][1];
	}
}

/*
 * One process's row from its dump: its VMAs' chains (distinct anon_vmas by
 * ID: a NO_FAMILIES dump has records of some of them only). With @avs and
 * @roots (the one pass), what join_families() needs; else the family sizes
 * from the dump's FAMILY records.
 */
static int fill_row(struct row *r, size_t row, const struct mm_dump *d, struct pairs *avs,
		    struct pairs *roots)
{
	uint64_t *ids = malloc((d->nr_chains + 1) * sizeof(*ids));
	size_t n = 0;

	if (!ids)
		return -1;
	snprintf(r->comm, sizeof(r->comm), "%.16s", d->hdr->comm);
	for (size_t k = 0; k < d->nr_vmas; k++) {
		const struct mmctl_rec_vma *v = d->vmas[k];
		const struct mmctl_rec_chain **c;
		size_t len;

		if (!(v->flags & MMCTL_VMAF_TARGET))
			continue;
		c = mm_dump_chain_recs(d, v->id, &len);
		r->avcs += len;
		if (len > r->chain)
			r->chain = len;
		if (roots && v->root_id && pair_add(roots, row, v->root_id))
			goto fail;
		for (size_t j = 0; j < len; j++) {
			if (!c[j] || !c[j]->anon_vma_id)
				continue;
			if (n < d->nr_chains)
				ids[n++] = c[j]->anon_vma_id;
			if (avs && v->root_id && pair_add(avs, v->root_id, c[j]->anon_vma_id))
				goto fail;
		}
	}
	qsort(ids, n, sizeof(*ids), cmp_u64);
	for (size_t i = 0; i < n; i++)
		r->anon_vmas += !i || ids[i] != ids[i - 1];
	if (!avs)
		for (size_t k = 0; k < d->nr_families; k++)
			if (d->families[k]->nr_anon_vmas > r->family)
				r->family = d->families[k]->nr_anon_vmas;
	free(ids);
	return 0;
fail:
	free(ids);
	return -1;
}

/*
 * The Prometheus text exposition format (version 0.0.4), for
 * node_exporter's textfile collector: one gauge family per column, labels
 * pid and comm (escaped: backslash, double quote, newline).
 */
static void prom_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void prom_print(FILE *f, const struct row *rows, size_t nr, size_t skipped, int bpf)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} m[] = {
		{ "mmctl_anon_vmas", "Distinct anon_vmas on the chains of the process's VMAs.",
		  offsetof(struct row, anon_vmas) },
		{ "mmctl_anon_vma_chains", "anon_vma_chain entries of the process's VMAs.",
		  offsetof(struct row, avcs) },
		{ "mmctl_longest_chain", "The longest anon_vma chain of one of its VMAs.",
		  offsetof(struct row, chain) },
		{ "mmctl_largest_family", "anon_vmas in the largest anon_vma family it maps.",
		  offsetof(struct row, family) },
		{ "mmctl_slab_bytes", "Slab bytes of its anon_vmas and chain entries (0: /proc/slabinfo unreadable).",
		  offsetof(struct row, bytes) },
	};

	for (size_t k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", m[k].name, m[k].help, m[k].name);
		for (size_t i = 0; i < nr; i++) {
			fprintf(f, "%s{pid=\"%ld\",comm=\"", m[k].name, rows[i].pid);
			prom_label(f, rows[i].comm);
			fprintf(f, "\"} %llu\n",
				(unsigned long long)*(const uint64_t *)((const char *)&rows[i] + m[k].off));
		}
	}
	fprintf(f, "# HELP mmctl_check_verdicts The checker's verdicts on the process's dump, by severity%s.\n"
		"# TYPE mmctl_check_verdicts gauge\n",
		bpf ? " (BPF backend: lower bounds only)" : "");
	for (size_t i = 0; i < nr; i++)
		for (int sev = 0; sev < MMCTL_SEV_NR; sev++) {
			fprintf(f, "mmctl_check_verdicts{pid=\"%ld\",comm=\"", rows[i].pid);
			prom_label(f, rows[i].comm);
			fprintf(f, "\",severity=\"%s\"} %u\n", mmctl_sev_names[sev],
				rows[i].verdicts[sev]);
		}
	fprintf(f, "# HELP mmctl_processes_skipped Processes not dumped: kernel threads, exited or unreadable.\n"
		"# TYPE mmctl_processes_skipped gauge\nmmctl_processes_skipped %zu\n", skipped);
}

static long slab_objsize(const char *name)
{
	char line[512], n[64];
	long active, num, size;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %ld %ld %ld", n, &active, &num, &size) == 4 &&
		    !strcmp(n, name)) {
			fclose(f);
			return size;
		}
	}
	fclose(f);
	return 0;
}

static int add_pid(long **pids, size_t *n, size_t *cap, long pid)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 256;
		long *p = realloc(*pids, c * sizeof(*p));

		if (!p)
			return -1;
		*pids = p;
		*cap = c;
	}
	(*pids)[(*n)++] = pid;
	return 0;
}

static int collect(long **pids, size_t *n)
{
	size_t cap = 0;

	*pids = NULL;
	*n = 0;
	if (opts.pids) {
		char *s = strdup(opts.pids), *tok, *save = NULL;
		long pid;

		if (!s)
			return -1;
		for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (parse_pid("top", tok, &pid) || add_pid(pids, n, &cap, pid)) {
				free(s);
				return -1;
			}
		}
		free(s);
		return 0;
	}
	if (opts.cgroup) {
		char path[4096];
		long pid;
		FILE *f;

		snprintf(path, sizeof(path), "%s/cgroup.procs", opts.cgroup);
		f = fopen(path, "r");
		if (!f) {
			p_err("top: %s: %s", path, strerror(errno));
			return -1;
		}
		while (fscanf(f, "%ld", &pid) == 1)
			if (add_pid(pids, n, &cap, pid)) {
				fclose(f);
				return -1;
			}
		fclose(f);
		return 0;
	}
	{
		DIR *dir = opendir("/proc");
		struct dirent *e;

		if (!dir) {
			p_err("top: /proc: %s", strerror(errno));
			return -1;
		}
		while ((e = readdir(dir)))
			if (isdigit((unsigned char)e->d_name[0]) &&
			    add_pid(pids, n, &cap, strtol(e->d_name, NULL, 10))) {
				closedir(dir);
				return -1;
			}
		closedir(dir);
	}
	return 0;
}

static const char *sort_col;

static uint64_t col(const struct row *r)
{
	if (!strcmp(sort_col, "avcs"))
		return r->avcs;
	if (!strcmp(sort_col, "chain"))
		return r->chain;
	if (!strcmp(sort_col, "family"))
		return r->family;
	if (!strcmp(sort_col, "bytes"))
		return r->bytes;
	if (!strcmp(sort_col, "pid"))
		return (uint64_t)r->pid;
	return r->anon_vmas;
}

static int cmp_rows(const void *a, const void *b)
{
	uint64_t x = col(a), y = col(b);

	if (!strcmp(sort_col, "pid"))
		return x < y ? -1 : x > y;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* One pass over @pids: the rows, and for the one pass the families' pairs. */
struct top_pass {
	struct row *rows;
	size_t nr, skipped;
	size_t unread;		/* skipped but neither a kernel thread nor gone */
	int keys_differ;	/* the module was reloaded meanwhile: IDs do not join */
	uint64_t key_id;
	struct pairs avs, roots;
};

static int bpf_failed(void)
{
	/* The program did not load or run: no row would. */
	p_err("top: BPF backend: %s%s", mm_bpf_error(),
	      opts.backend == BK_AUTO ? " (and the module is not loaded)" : "");
	return EXIT_ENV;
}

/*
 * The BPF backend's one pass is one iterator over every task (mm_bpf_all()),
 * each process's dump then taken from it; the module's, a NO_FAMILIES
 * ioctl per process.
 */
static int top_pass(struct top_pass *t, const long *pids, size_t n, int bpf, uint32_t flags,
		    int one_pass, long av_size, long avc_size)
{
	struct mm_bpf_all all = { 0 };
	/* MMCTL_TOP_BPF_EACH: an iterator per process, as before (make bench's baseline) */
	int every = bpf && one_pass && !getenv("MMCTL_TOP_BPF_EACH"), ret = 0;

	if (every && mm_bpf_all(&all, flags))
		return bpf_failed();
	for (size_t i = 0; i < n; i++) {
		struct row *r = &t->rows[t->nr];
		struct mm_dump d;
		int e = every ? mm_dump_bpf_part(&d, &all, (pid_t)pids[i]) :
			bpf ? mm_dump_bpf(&d, (pid_t)pids[i], flags) :
			mm_dump_kmod(&d, (pid_t)pids[i], flags);

		if (bpf && e && e != -ESRCH && e != -EINVAL) {
			ret = bpf_failed();
			break;
		}
		if (!bpf && (e == -ENOENT || e == -EPERM)) {
			ret = report_dump_error(e, "top");
			break;
		}
		if (e) {
			/* kernel threads (EINVAL), exited (ESRCH), unreadable (EACCES) */
			t->skipped++;
			t->unread += e != -EINVAL && e != -ESRCH;
			continue;
		}
		if (t->nr && d.hdr->key_id != t->key_id)
			t->keys_differ = 1;
		t->key_id = d.hdr->key_id;
		r->pid = pids[i];
		if (fill_row(r, t->nr, &d, one_pass ? &t->avs : NULL, one_pass ? &t->roots : NULL)) {
			mm_dump_free(&d);
			p_err("top: out of memory");
			ret = EXIT_ENV;
			break;
		}
		r->bytes = r->anon_vmas * (uint64_t)av_size + r->avcs * (uint64_t)avc_size;
		if (opts.format == FMT_PROM) {
			struct mmctl_check_result res;

			/* Counts only: no verdict list to build and free. */
			if (mm_check_buf(d.buf, d.len, NULL, NULL, &res) == 0)
				memcpy(r->verdicts, res.count, sizeof(r->verdicts));
		}
		mm_dump_free(&d);
		t->nr++;
	}
	mm_bpf_all_free(&all);
	return ret;
}

/*
 * The one pass joins families from every process's chains: exact only when
 * every process sharing them can be read, so only for root in the initial
 * pid namespace (PROC_PID_INIT_INO: a container's CLI does not see the
 * host's processes), and redone with full dumps if a process could not be
 * read after all, or the module's ID key changed (reloaded) meanwhile.
 */
static int sees_every_process(void)
{
	struct stat st;

	return geteuid() == 0 && !stat("/proc/self/ns/pid", &st) && st.st_ino == 0xEFFFFFFCU;
}

int do_top(int argc, char **argv)
{
	static const char *const cols[] = { "anon_vmas", "avcs", "chain", "family", "bytes", "pid" };
	long av_size = slab_objsize("anon_vma"), avc_size = slab_objsize("anon_vma_chain");
	struct top_pass t = { 0 };
	struct row *rows;
	size_t n = 0, nr, skipped;
	long *pids;
	int ok = 0, bpf, ret, one_pass = !opts.pids && !opts.cgroup && opts.format != FMT_PROM;
	uint32_t flags;

	(void)argv;
	if (argc != 1) {
		p_err("top: no operands (use --pids or --cgroup)");
		return EXIT_USAGE;
	}
	sort_col = opts.sort ? opts.sort : "anon_vmas";
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		ok |= !strcmp(sort_col, cols[i]);
	if (!ok) {
		p_err("top: unknown column '%s' (anon_vmas, avcs, chain, family, bytes, pid)", sort_col);
		return EXIT_USAGE;
	}
	if (collect(&pids, &n))
		return opts.pids ? EXIT_USAGE : EXIT_ENV;
	t.rows = calloc(n + 1, sizeof(*t.rows));
	if (!t.rows) {
		free(pids);
		p_err("top: out of memory");
		return EXIT_ENV;
	}
	bpf = mm_use_bpf();
	if (bpf)
		mm_bpf_verbose(opts.verbose);
	one_pass &= sees_every_process();
	flags = MMCTL_DUMP_NO_FOLIOS | (one_pass ? MMCTL_DUMP_NO_TREE | MMCTL_DUMP_NO_FAMILIES : 0);
	if (!bpf && one_pass) {
		struct mm_dump d;
		int e = mm_dump_kmod(&d, getpid(), flags);

		/* A module from before MMCTL_DUMP_NO_FAMILIES: full dumps. */
		if (e == -EINVAL) {
			one_pass = 0;
			flags = MMCTL_DUMP_NO_FOLIOS;
		} else if (!e) {
			mm_dump_free(&d);
		}
	}
	for (;;) {
		ret = top_pass(&t, pids, n, bpf, flags, one_pass, av_size, avc_size);
		if (ret || !one_pass || (!t.unread && !t.keys_differ))
			break;
		/* A family's members not all read: full dumps after all. */
		if (opts.verbose)
			fprintf(stderr, "mmctl: top: %s in the one pass: a full dump of each process instead\n",
				t.keys_differ ? "the module was reloaded" : "a process could not be read");
		free(t.avs.p);
		free(t.roots.p);
		memset(t.rows, 0, (n + 1) * sizeof(*t.rows));
		t = (struct top_pass){ .rows = t.rows };
		one_pass = 0;
		flags = MMCTL_DUMP_NO_FOLIOS;
	}
	free(pids);
	if (!ret && one_pass)
		join_families(t.rows, &t.avs, &t.roots);
	free(t.avs.p);
	free(t.roots.p);
	if (ret) {
		free(t.rows);
		return ret;
	}
	rows = t.rows;
	nr = t.nr;
	skipped = t.skipped;
	qsort(rows, nr, sizeof(*rows), cmp_rows);
	if (opts.limit > 0 && (size_t)opts.limit < nr)
		nr = (size_t)opts.limit;
	if (opts.format == FMT_PROM) {
		prom_print(opts.out, rows, nr, skipped, bpf);
	} else if (opts.format == FMT_JSON) {
		struct json_object *arr = json_object_new_array();

		for (size_t i = 0; i < nr; i++) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "pid", json_object_new_int64(rows[i].pid));
			json_object_object_add(o, "comm", json_object_new_string(rows[i].comm));
			json_object_object_add(o, "anon_vmas", json_object_new_uint64(rows[i].anon_vmas));
			json_object_object_add(o, "avcs", json_object_new_uint64(rows[i].avcs));
			json_object_object_add(o, "longest_chain", json_object_new_uint64(rows[i].chain));
			json_object_object_add(o, "largest_family", json_object_new_uint64(rows[i].family));
			json_object_object_add(o, "bytes", json_object_new_uint64(rows[i].bytes));
			json_object_array_add(arr, o);
		}
		mm_print_json(arr);
	} else {
		fprintf(opts.out, "%8s %-16s %9s %8s %6s %7s %10s\n", "PID", "COMM", "ANON_VMAS",
			"AVCS", "CHAIN", "FAMILY", "BYTES");
		for (size_t i = 0; i < nr; i++)
			fprintf(opts.out, "%8ld %-16s %9llu %8llu %6llu %7llu %10llu\n", rows[i].pid,
				rows[i].comm, (unsigned long long)rows[i].anon_vmas,
				(unsigned long long)rows[i].avcs, (unsigned long long)rows[i].chain,
				(unsigned long long)rows[i].family, (unsigned long long)rows[i].bytes);
		fprintf(opts.out, "(%zu processes skipped: kernel threads, exited or unreadable; slab object sizes anon_vma %ld, anon_vma_chain %ld bytes%s)\n",
			skipped, av_size, avc_size, av_size ? "" : ": /proc/slabinfo unreadable, bytes are 0");
	}
	free(rows);
	return EXIT_OK;
}
