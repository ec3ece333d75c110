// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF backend: load the iter/task_vma program (bpf/mmctl.bpf.c, CO-RE,
 * embedded as a libbpf skeleton), read its records for one process, and
 * replace every raw kernel address by an ID (SipHash-2-4 from libsodium
 * with a key drawn per run, top bit clear as in the module) before the
 * records go anywhere else. The view is the target's VMAs and chains and
 * every family member the program's bounded interval-tree walk reached,
 * read without the kernel's locks: never consistent (the checker runs in
 * lower-bound mode), and partial when a family was larger than the bound.
 *
 * Loading and verifying the program costs most of a call (0.1-0.4 s), so
 * root's mmctl pins the loaded program and its maps in bpffs, in
 * $MMCTL_BPF_PIN_DIR (default /sys/fs/bpf/mmctl)/KEY/ (KEY: a hash of the
 * embedded object and the kernel release), and later calls take them from
 * there; docs/bpf.md "The pinned program" has the rules.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sodium.h>

#include "bpf/mmctl.skel.h"
#include "dump.h"

static unsigned char key[crypto_shorthash_KEYBYTES];
static int key_ready;
static struct mmctl_bpf *skel;	/* loaded here: once per run, reused by every dump */
static int atexit_done, no_pins;

/* The objects, in the order of pin_names[]. */
enum { PIN_PROG, PIN_WALKED, PIN_WRITTEN, PIN_BSS, NR_PINS };

/* The program every dump of this run iterates with: the skeleton's, or a pinned one's. */
static struct {
	int ready;
	int fd[NR_PINS];	/* not owned when the skeleton's */
	struct mmctl_bpf__bss *bss;
	int lock;		/* the pin directory (locked per dump), or -1: private */
	int pinned;		/* taken from the pins, not loaded here */
} P = { .lock = -1 };

static void unload(void)
{
	if (P.pinned) {
		munmap(P.bss, sizeof(*P.bss));
		for (size_t i = 0; i < NR_PINS; i++)
			close(P.fd[i]);
	}
	if (P.lock >= 0)
		close(P.lock);
	mmctl_bpf__destroy(skel);
	skel = NULL;
	memset(&P, 0, sizeof(P));
	P.lock = -1;
}
static int verbose_libbpf;
static char last_err[256];

const char *mm_bpf_error(void)
{
	return last_err;
}

void mm_bpf_verbose(int on)
{
	verbose_libbpf = on;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose_libbpf || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int set_err(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_err, sizeof(last_err), fmt, ap);
	va_end(ap);
	return err;
}

/* As the module's mmctl_id_in(): the address and its family's root, so an
 * object freed and reused in another family gets another ID. */
static uint64_t id_in(uint64_t raw, uint64_t root)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t in[2] = { raw, root }, h;

	if (!raw)
		return 0;
	crypto_shorthash(out, (const unsigned char *)in, sizeof(in), key);
	memcpy(&h, out, sizeof(h));
	h >>= 1;
	return h ? h : 1;
}

static uint64_t id_of(uint64_t raw)
{
	return id_in(raw, 0);
}

/* An ID table (lib/idtab.h) for up to @n raw addresses; 0 or -ENOMEM. */
static int tab_new(struct mmctl_idtab *t, size_t n)
{
	size_t cap = mmctl_idtab_size(t, n);

	t->s = calloc(cap, sizeof(*t->s));
	return t->s ? 0 : -ENOMEM;
}

/* 1 if @k was added to the set @t before (or is 0), else adds it. */
static int seen_add(struct mmctl_idtab *t, uint64_t k)
{
	return mmctl_idtab_add(t, k, 0);
}

static int read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 1 << 16;
	ssize_t r;

	*buf = malloc(cap);
	*len = 0;
	if (!*buf)
		return -ENOMEM;
	while ((r = read(fd, *buf + *len, cap - *len)) > 0) {
		*len += (size_t)r;
		if (*len == cap) {
			char *n = realloc(*buf, cap *= 2);

			if (!n)
				return -ENOMEM;
			*buf = n;
		}
	}
	return r < 0 ? -errno : 0;
}

/* Per family (root): what the walk found, for its FAMILY record. */
struct fam {
	uint64_t root;		/* raw */
	uint32_t vmas, avs, chain, mms;
	uint64_t last_mm;
};

static struct fam *fam_of(struct fam *f, size_t *nf, uint64_t root)
{
	for (size_t i = 0; i < *nf; i++)
		if (f[i].root == root)
			return &f[i];
	f[*nf].root = root;
	return &f[(*nf)++];
}

/* A raw record of @type that is complete: shorter ones are skipped. */
static int rec_ok(const struct mmctl_rec_hdr *rh, uint32_t type, size_t size)
{
	return rh->type == type && rh->size >= size;
}

/* The raw stream's next whole record at *@off (then past it), or NULL. */
static const struct mmctl_rec_hdr *raw_next(const char *raw, size_t len, size_t *off)
{
	const struct mmctl_rec_hdr *rh = (const void *)(raw + *off);

	if (*off + sizeof(*rh) > len || rh->size < sizeof(*rh) || *off + rh->size > len)
		return NULL;
	*off += rh->size;
	return rh;
}

/* The records the output needs room for: a chain entry is the smallest. */
static size_t raw_max_recs(size_t len)
{
	return len / sizeof(struct mmctl_rec_chain) + 1;
}

/* Pass 1: raw VMA -> raw family root, for the chain entries' IDs. */
static int vma_roots(struct mmctl_idtab *roots, const char *raw, size_t len)
{
	const struct mmctl_rec_hdr *rh;

	if (tab_new(roots, raw_max_recs(len)))
		return -ENOMEM;
	for (size_t off = 0; (rh = raw_next(raw, len, &off));)
		if (rec_ok(rh, MMCTL_REC_VMA, sizeof(struct mmctl_rec_vma)))
			mmctl_idtab_add(roots, ((const struct mmctl_rec_vma *)rh)->id,
					((const struct mmctl_rec_vma *)rh)->root_id);
	return 0;
}

/* Pass 2: the dump record. Lockless (never consistent), no folios. */
static void dump_header(struct mmctl_rec_dump *h, pid_t pid, int cut)
{
	char comm[32] = "", path[64];
	FILE *f;

	memset(h, 0, sizeof(*h));
	h->hdr.type = MMCTL_REC_DUMP;
	h->hdr.size = sizeof(*h);
	h->abi_version = MMCTL_ABI_VERSION;
	/* partial if a family was cut */
	h->flags = cut ? MMCTL_DUMPF_PARTIAL : 0;
	h->pid = (uint32_t)pid;
	h->page_shift = (uint32_t)__builtin_ctzl((unsigned long)sysconf(_SC_PAGESIZE));
	h->key_id = id_of(0x6d6d63746c6b6579ULL);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	memcpy(h->comm, comm, sizeof(h->comm));
}

/*
 * Pass 3: one FAMILY record per root met, counted from the raw stream (each
 * VMA and anon_vma once), appended to @out (which keeps room for @len more).
 */
static int family_records(char **out, size_t *out_len, const char *raw, size_t len)
{
	size_t nrec = raw_max_recs(len), nf = 0;
	struct fam *f = calloc(nrec, sizeof(*f));
	struct mmctl_idtab sv = { 0 }, sa = { 0 };
	const struct mmctl_rec_hdr *rh;
	int err = -ENOMEM;

	if (!f || tab_new(&sv, nrec) || tab_new(&sa, nrec))
		goto free_sets;
	for (size_t off = 0; (rh = raw_next(raw, len, &off));) {
		const struct mmctl_rec_vma *v = (const void *)rh;
		const struct mmctl_rec_anon_vma *a = (const void *)rh;
		struct fam *x;

		if (rec_ok(rh, MMCTL_REC_VMA, sizeof(*v)) && v->root_id && !seen_add(&sv, v->id)) {
			x = fam_of(f, &nf, v->root_id);
			x->vmas++;
			x->chain += v->chain_len;
			if (v->mm_id != x->last_mm)
				x->mms++;
			x->last_mm = v->mm_id;
		} else if (rec_ok(rh, MMCTL_REC_ANON_VMA, sizeof(*a)) && !seen_add(&sa, a->id)) {
			fam_of(f, &nf, a->root_id)->avs++;
		}
	}
	for (size_t i = 0; i < nf; i++) {
		struct mmctl_rec_family *fr;
		char *n2 = realloc(*out, *out_len + sizeof(*fr) + len + 8);

		if (!n2)
			goto free_sets;
		*out = n2;
		fr = (void *)(*out + *out_len);
		memset(fr, 0, sizeof(*fr));
		fr->hdr.type = MMCTL_REC_FAMILY;
		fr->hdr.size = sizeof(*fr);
		fr->root_id = id_in(f[i].root, f[i].root);
		fr->nr_vmas = f[i].vmas;
		fr->nr_anon_vmas = f[i].avs;
		fr->nr_chain = f[i].chain;
		fr->nr_mms = f[i].mms;
		*out_len += sizeof(*fr);
		((struct mmctl_rec_dump *)*out)->nr_families++;
	}
	err = 0;
free_sets:
	free(f);
	free(sv.s);
	free(sa.s);
	return err;
}

/* One VMA record's raw addresses into IDs; 0 when another thread had it. */
static int rewrite_vma(struct mmctl_rec_vma *v, struct mmctl_idtab *seen,
		       struct mmctl_rec_dump *h)
{
	if (seen_add(seen, v->id))
		return 0;	/* another thread's view of it */
	if (!h->mm_id)
		h->mm_id = id_of(v->mm_id);
	v->id = id_in(v->id, v->root_id);
	v->mm_id = id_of(v->mm_id);
	v->anon_vma_id = id_in(v->anon_vma_id, v->root_id);
	v->root_id = id_in(v->root_id, v->root_id);
	return 1;
}

static int rewrite_chain(struct mmctl_rec_chain *c, struct mmctl_idtab *seen,
			 const struct mmctl_idtab *roots)
{
	/* The chain's family is its VMA's. */
	uint64_t root = mmctl_idtab_get(roots, c->vma_id);

	if (seen_add(seen, c->avc_id))
		return 0;	/* another thread's view of it */
	if (root == MMCTL_IDTAB_NONE)
		root = 0;
	c->vma_id = id_in(c->vma_id, root);
	c->anon_vma_id = id_in(c->anon_vma_id, root);
	c->avc_id = id_in(c->avc_id, root);
	return 1;
}

static int rewrite_av(struct mmctl_rec_anon_vma *a, struct mmctl_idtab *seen)
{
	if (seen_add(seen, a->id))
		return 0;
	a->id = id_in(a->id, a->root_id);
	a->parent_id = id_in(a->parent_id, a->root_id);
	a->root_id = id_in(a->root_id, a->root_id);
	return 1;
}

/*
 * Pass 4: every complete VMA, chain and anon_vma record copied to @out with
 * its raw addresses rewritten into IDs, each object once.
 */
static int id_records(char *out, size_t *out_len, const char *raw, size_t len,
		      const struct mmctl_idtab *roots)
{
	size_t nrec = raw_max_recs(len);
	struct mmctl_idtab vmas = { 0 }, avs = { 0 }, avcs = { 0 };
	struct mmctl_rec_dump *h = (void *)out;
	const struct mmctl_rec_hdr *rh;
	int err = -ENOMEM;

	if (tab_new(&vmas, nrec) || tab_new(&avs, nrec) || tab_new(&avcs, nrec))
		goto free_sets;
	for (size_t off = 0; (rh = raw_next(raw, len, &off));) {
		char *rec = out + *out_len;
		int keep;

		if (rec_ok(rh, MMCTL_REC_VMA, sizeof(struct mmctl_rec_vma))) {
			memcpy(rec, rh, rh->size);
			keep = rewrite_vma((void *)rec, &vmas, h);
		} else if (rec_ok(rh, MMCTL_REC_CHAIN, sizeof(struct mmctl_rec_chain))) {
			memcpy(rec, rh, rh->size);
			keep = rewrite_chain((void *)rec, &avcs, roots);
		} else if (rec_ok(rh, MMCTL_REC_ANON_VMA, sizeof(struct mmctl_rec_anon_vma))) {
			memcpy(rec, rh, rh->size);
			keep = rewrite_av((void *)rec, &avs);
		} else {
			keep = 0;
		}
		if (keep)
			*out_len += rh->size;
	}
	err = 0;
free_sets:
	free(vmas.s);
	free(avs.s);
	free(avcs.s);
	return err;
}

/*
 * Rewrite raw addresses into IDs, dedupe, prepend the dump record (dump.h).
 * The records come from our own program, but are checked like any input:
 * one shorter than its struct is skipped, a longer one copied whole.
 */
int mm_bpf_records(struct mm_dump *d, pid_t pid, const char *raw, size_t len, int cut)
{
	struct mmctl_idtab roots = { 0 };
	size_t out_len = sizeof(struct mmctl_rec_dump);
	char *out = malloc(len + out_len + 8);
	int err;

	if (!out)
		return -ENOMEM;
	err = vma_roots(&roots, raw, len);
	if (err)
		goto free_out;
	dump_header((void *)out, pid, cut);
	err = family_records(&out, &out_len, raw, len);
	if (err)
		goto free_out;
	err = id_records(out, &out_len, raw, len, &roots);
	if (err)
		goto free_out;
	free(roots.s);
	return mm_dump_parse(d, out, out_len);
free_out:
	free(roots.s);
	free(out);
	return err;
}

/* The keys of the map behind @fd, into a grown array; how many, or -errno. */
static long map_keys(int fd, uint64_t **keys)
{
	size_t n = 0, cap = 0;
	uint64_t k, *prev = NULL;

	*keys = NULL;
	while (!bpf_map_get_next_key(fd, prev, &k)) {
		if (n == cap) {
			uint64_t *nk = realloc(*keys, (cap = cap ? 2 * cap : 256) * sizeof(k));

			if (!nk)
				return -ENOMEM;
			*keys = nk;
		}
		(*keys)[n] = k;
		prev = &(*keys)[n++];
	}
	return (long)n;
}

/*
 * Forget the marks of earlier dumps: a run_id tells them apart, but they
 * would fill the maps over many dumps in one process (mmctl top), after
 * which no new mark fits and every family is walked again and again.
 */
static void clear_marks(void)
{
	int maps[] = { P.fd[PIN_WALKED], P.fd[PIN_WRITTEN] };

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		int fd = maps[i];
		uint64_t *keys;
		long n = map_keys(fd, &keys);

		for (long k = 0; k < n; k++)
			bpf_map_delete_elem(fd, &keys[k]);
		free(keys);
	}
}

size_t mm_bpf_marks(void)
{
	size_t total = 0;
	uint64_t *keys;
	long n;

	if (!P.ready)
		return 0;
	n = map_keys(P.fd[PIN_WALKED], &keys);
	total += n > 0 ? (size_t)n : 0;
	free(keys);
	n = map_keys(P.fd[PIN_WRITTEN], &keys);
	total += n > 0 ? (size_t)n : 0;
	free(keys);
	return total;
}

/*
 * The caller's pid namespace, as the program needs it to report pids the
 * caller can use (a container's, not the host's): its inode number. The
 * level is not needed (and /proc/self/status shows it relative to the
 * proc mount, not absolutely): the program looks the inode up.
 */
static int reader_pidns(uint32_t *inum)
{
	struct stat st;

	if (stat("/proc/self/ns/pid", &st))
		return -errno;
	*inum = (uint32_t)st.st_ino;
	return 0;
}

/* ---- the pinned program --------------------------------------------------- */

#define PIN_PARENT "/sys/fs/bpf"
#define PIN_PATH 1024	/* the pin root's path at most */
static const char *const pin_names[NR_PINS] = { "prog", "walked", "written", "bss" };

static void note(const char *fmt, ...)
{
	va_list ap;

	if (!verbose_libbpf)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "mmctl: BPF pin: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/*
 * KEY: a hash of the embedded object and the running kernel's release,
 * its dots made '_' (bpffs refuses names with a dot: reserved).
 */
static int pin_key(char *buf, size_t size)
{
	unsigned char h[8];
	char hex[2 * sizeof(h) + 1];
	struct utsname u;
	size_t sz;
	const void *elf = mmctl_bpf__elf_bytes(&sz);

	if (uname(&u) || crypto_generichash(h, sizeof(h), elf, sz, NULL, 0))
		return -1;
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	if (snprintf(buf, size, "%s-%s", hex, u.release) >= (int)size)
		return -1;
	for (char *c = buf; (c = strchr(c, '.'));)
		*c = '_';
	return 0;
}

/* A directory of root's, mode 0700, on bpffs: @fd is one the pins may live in. */
static int trusted_dir(int fd)
{
	struct statfs sf;
	struct stat st;

	return !fstat(fd, &st) && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
		(st.st_mode & 07777) == 0700 && !fstatfs(fd, &sf) &&
		sf.f_type == BPF_FS_MAGIC;
}

/*
 * The pin root ($MMCTL_BPF_PIN_DIR, default /sys/fs/bpf/mmctl), created
 * where missing; for the default, bpffs is mounted on /sys/fs/bpf first
 * when nothing is mounted there (mode 0700, as systemd mounts it; bpftool
 * mounts one for a pin too). Its descriptor, or -1: no pins then.
 */
static int pin_root(char *path, size_t size)
{
	const char *dir = getenv("MMCTL_BPF_PIN_DIR");
	size_t n;
	struct statfs sf;
	int fd;

	if (!dir || !*dir)
		dir = PIN_PARENT "/mmctl";
	n = (size_t)snprintf(path, size, "%s", dir);
	if (n >= size)
		return -1;
	while (n > 1 && path[n - 1] == '/')
		path[--n] = 0;
	/* Only on the empty mount point sysfs has there: never over another. */
	if (!strcmp(path, PIN_PARENT "/mmctl") && !statfs(PIN_PARENT, &sf) &&
	    sf.f_type == SYSFS_MAGIC && mount("bpf", PIN_PARENT, "bpf", 0, "mode=0700")) {
		note("cannot mount bpffs on %s: %s\n", PIN_PARENT, strerror(errno));
		return -1;
	}
	if (mkdir(path, 0700) && errno != EEXIST) {
		note("cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && !trusted_dir(fd)) {
		note("%s is not a directory of root's, mode 0700, on bpffs: not used\n", path);
		close(fd);
		fd = -1;
	}
	return fd;
}

/* The directory @name under @at, opened for readdir (no link followed), or NULL. */
static DIR *dir_at(int at, const char *name)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;

	if (!dir && fd >= 0)
		close(fd);
	return dir;
}

/* Remove @root/@name and the pins in it (a program in use stays loaded). */
static void remove_pins(int root, const char *name)
{
	DIR *dir = dir_at(root, name);
	struct dirent *e;

	if (!dir)
		return;
	while ((e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(dir), e->d_name, 0);
	closedir(dir);
	unlinkat(root, name, AT_REMOVEDIR);
}

/*
 * One of the pinned program's maps, of @type with values of @value_size
 * bytes at least (the .bss also holds the program's static scratch
 * records, which the skeleton's struct leaves out).
 */
static int map_ok(int fd, const __u32 *ids, __u32 nids, __u32 type, __u32 value_size)
{
	struct bpf_map_info mi;
	__u32 len = sizeof(mi);
	int mine = 0;

	memset(&mi, 0, sizeof(mi));
	if (bpf_obj_get_info_by_fd(fd, &mi, &len) || mi.type != type ||
	    mi.value_size < value_size)
		return 0;
	for (__u32 i = 0; i < nids; i++)
		mine |= ids[i] == mi.id;
	return mine;
}

/*
 * The program and maps pinned in @root/@key, checked to be what this
 * mmctl loads (an iter program named dump_task_vma using exactly these
 * three maps, of their types and sizes): 0, -ENOENT when there are none,
 * another -errno when they are there but not usable (stale).
 */
static int pin_open(int root, const char *rootpath, const char *key)
{
	int fds[NR_PINS], dfd;
	struct bpf_prog_info pi;
	__u32 ids[8], len = sizeof(pi);
	char path[64];
	void *bss;

	dfd = openat(root, key, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? -ENOENT : -ESTALE;
	/*
	 * Through the descriptor the lock is taken on, not by name: a KEY
	 * directory replaced meanwhile must not give us objects others use
	 * under another directory's lock.
	 */
	for (size_t i = 0; i < NR_PINS; i++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dfd, pin_names[i]);
		fds[i] = trusted_dir(dfd) ? bpf_obj_get(path) : -1;
	}
	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	pi.map_ids = (__u64)(unsigned long)ids;
	if (fds[PIN_PROG] < 0 || fds[PIN_WALKED] < 0 || fds[PIN_WRITTEN] < 0 || fds[PIN_BSS] < 0 ||
	    bpf_obj_get_info_by_fd(fds[PIN_PROG], &pi, &len) || pi.type != BPF_PROG_TYPE_TRACING ||
	    strcmp(pi.name, "dump_task_vma") || pi.nr_map_ids != 3 ||
	    !map_ok(fds[PIN_WALKED], ids, 3, BPF_MAP_TYPE_HASH, 8) ||
	    !map_ok(fds[PIN_WRITTEN], ids, 3, BPF_MAP_TYPE_HASH, 8) ||
	    !map_ok(fds[PIN_BSS], ids, 3, BPF_MAP_TYPE_ARRAY, sizeof(struct mmctl_bpf__bss)))
		goto close_fds;
	bss = mmap(NULL, sizeof(struct mmctl_bpf__bss), PROT_READ | PROT_WRITE, MAP_SHARED,
		   fds[PIN_BSS], 0);
	if (bss == MAP_FAILED)
		goto close_fds;
	memcpy(P.fd, fds, sizeof(P.fd));
	P.bss = bss;
	P.lock = dfd;
	P.pinned = 1;
	return 0;
close_fds:
	for (size_t i = 0; i < NR_PINS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	close(dfd);
	note("%s/%s is stale or not mmctl's: replaced\n", rootpath, key);
	return -ESTALE;
}

/*
 * Pin the program just loaded as @root/@key: into a private directory,
 * renamed into place (another process's pins, complete, may win). Then
 * drop what is left of other versions' and of dead writers'.
 */
static void pin_create(int root, const char *rootpath, const char *key)
{
	char tmp[64], path[PIN_PATH + 64 + 16];
	struct dirent *e;
	DIR *dir;

	snprintf(tmp, sizeof(tmp), "new-%d", (int)getpid());
	remove_pins(root, tmp);
	if (mkdirat(root, tmp, 0700))
		return;
	for (size_t i = 0; i < NR_PINS; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", rootpath, tmp, pin_names[i]);
		if (bpf_obj_pin(P.fd[i], path)) {
			note("cannot pin %s: %s\n", path, strerror(errno));
			remove_pins(root, tmp);
			return;
		}
	}
	/* The lock's directory, opened before it is renamed (and shared). */
	P.lock = openat(root, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (P.lock < 0 || renameat2(root, tmp, root, key, RENAME_NOREPLACE)) {
		/* another's are there: ours stays private */
		if (P.lock >= 0)
			close(P.lock);
		P.lock = -1;
		remove_pins(root, tmp);
		return;
	}
	dir = dir_at(root, ".");
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		int pid = 0;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, key))
			continue;
		if (sscanf(e->d_name, "new-%d", &pid) == 1 && (kill(pid, 0) == 0 || errno != ESRCH))
			continue;	/* a live writer's */
		remove_pins(root, e->d_name);
	}
	closedir(dir);
}

/*
 * Load the program, or take the pinned one; a program loaded by root is
 * pinned for the next mmctl (not with MMCTL_NO_BPF_PIN set).
 */
static int prog_setup(int no_pin)
{
	char rootpath[PIN_PATH], pkey[256];
	int root = -1, r;

	if (!no_pin && geteuid() == 0 && !getenv("MMCTL_NO_BPF_PIN") && !pin_key(pkey, sizeof(pkey)))
		root = pin_root(rootpath, sizeof(rootpath));
	if (root >= 0) {
		r = pin_open(root, rootpath, pkey);
		if (!r) {
			close(root);
			P.ready = 1;
			return 0;
		}
		if (r != -ENOENT)
			remove_pins(root, pkey);
	}
	skel = mmctl_bpf__open();
	if (!skel) {
		r = -errno ? -errno : -ENOMEM;
		goto close_root;
	}
	r = mmctl_bpf__load(skel);
	if (r) {
		r = r < 0 ? r : -errno;
		mmctl_bpf__destroy(skel);
		skel = NULL;
		goto close_root;
	}
	P.fd[PIN_PROG] = bpf_program__fd(skel->progs.dump_task_vma);
	P.fd[PIN_WALKED] = bpf_map__fd(skel->maps.walked);
	P.fd[PIN_WRITTEN] = bpf_map__fd(skel->maps.written);
	P.fd[PIN_BSS] = bpf_map__fd(skel->maps.bss);
	P.bss = skel->bss;
	if (root >= 0)
		pin_create(root, rootpath, pkey);
	P.ready = 1;
	r = 0;
close_root:
	if (root >= 0)
		close(root);
	return r;
}

/*
 * A pinned program's globals and marks are every mmctl's: one dump at a
 * time, under an exclusive flock of the pin directory, taken on a
 * description of this dump's own (a child forked between dumps shares no
 * lock). Waits up to 10 s ($MMCTL_BPF_PIN_WAIT_MS ms); another mmctl
 * holding it longer (stopped, say) makes this run load a private program
 * instead: the descriptor, or -1.
 */
static int pin_lock(void)
{
	int fd = openat(P.lock, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	const char *w = getenv("MMCTL_BPF_PIN_WAIT_MS");
	long tries = (w ? atol(w) : 10000) / 10;

	for (long i = 0; fd >= 0; i++) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return fd;
		if (errno != EWOULDBLOCK || i >= tries)
			break;
		usleep(10000);
	}
	if (fd >= 0)
		close(fd);
	note("the pinned program stayed busy (or cannot be locked): loading a private one\n");
	return -1;
}

static int bpf_dump_flags(struct mm_dump *d, pid_t pid, uint32_t flags);

static int bpf_dump(struct mm_dump *d, pid_t pid)
{
	return bpf_dump_flags(d, pid, 0);
}

/* The kernel's chain order, probed once per process (dump.h). */
static atomic_int chain_order = -1;

/*
 * The chain order flag as for the module's dumps (dump.h). Of @flags, only
 * MMCTL_DUMP_NO_FAMILIES changes what the program writes (the target's own
 * VMAs, their chains and anon_vmas); the walk reads no folios anyway.
 */
int mm_dump_bpf(struct mm_dump *d, pid_t pid, uint32_t flags)
{
	int r;

	r = bpf_dump_flags(d, pid, flags);
	if (r)
		return r;
	mm_dump_set_chain_order(d, mm_chain_order_once(&chain_order, bpf_dump));
	return 0;
}

/*
 * Run the program once: over @pid's tasks, or over every task (@every, then
 * without families whatever @flags say). The raw records into *@raw (*@len
 * bytes, the caller's to free), *@cut when the view is partial. 0, or a
 * negative errno with mm_bpf_error() set.
 */
static int bpf_iterate(pid_t pid, int every, uint32_t flags, char **raw, size_t *len, int *cut)
{
	LIBBPF_OPTS(bpf_link_create_opts, lopts);
	union bpf_iter_link_info linfo;
	int fd, link, r, lock = -1;

	*raw = NULL;
	*len = 0;
	*cut = 0;
	/* One key per run (like the module's per load): IDs of two dumps of
	 * one run link up, across runs they do not. */
	if (!key_ready) {
		if (sodium_init() < 0)
			return set_err(-ENOMEM, "libsodium failed to initialise");
		randombytes_buf(key, sizeof(key));
		key_ready = 1;
	}
	libbpf_set_print(print_libbpf);
	r = P.ready ? 0 : prog_setup(no_pins);
	if (!r && !atexit_done++)
		atexit(unload);
	/* The pins busy for too long: a private program, for the rest of the run. */
	if (!r && P.lock >= 0 && (lock = pin_lock()) < 0) {
		unload();
		no_pins = 1;
		r = prog_setup(1);
	}
	if (r) {
		/* EACCES is the verifier's refusal, not a missing capability. */
		if (r == -EPERM)
			return set_err(-EPERM, "loading BPF needs CAP_BPF and CAP_PERFMON (or root)");
		return set_err(r, "the kernel rejected the BPF program (%s; -v shows the verifier log)",
			       strerror(-r));
	}
	r = reader_pidns(&P.bss->reader_inum);
	if (r) {
		r = set_err(-ENOENT, "cannot read the caller's pid namespace (/proc/self/ns/pid)");
		goto unlock;
	}
	clear_marks();
	P.bss->target_tgid = every ? 0 : (uint32_t)pid;
	P.bss->every_task = !!every;
	P.bss->run_id++;
	P.bss->families_cut = 0;
	P.bss->no_families = every || (flags & MMCTL_DUMP_NO_FAMILIES);
again:
	/* Iterate only the target's tasks where the kernel can (6.1+). */
	memset(&linfo, 0, sizeof(linfo));
	linfo.task.pid = every ? 0 : (uint32_t)pid;
	lopts.iter_info = &linfo;
	lopts.iter_info_len = sizeof(linfo);
	link = bpf_link_create(P.fd[PIN_PROG], 0, BPF_TRACE_ITER, &lopts);
	if (link < 0)
		link = bpf_link_create(P.fd[PIN_PROG], 0, BPF_TRACE_ITER, NULL);
	if (link < 0) {
		r = -errno;
		r = set_err(r, "cannot attach iter/task_vma (%s): the kernel may lack it (5.12+)",
			    strerror(-r));
		goto unlock;
	}
	fd = bpf_iter_create(link);
	r = fd < 0 ? -errno : read_all(fd, raw, len);
	if (fd >= 0)
		close(fd);
	close(link);
	if (r == -E2BIG && !P.bss->no_families) {
		/* One object's output outgrew the iterator's buffer: the
		 * target's own VMAs only, and the dump says partial. */
		free(*raw);
		*raw = NULL;
		*len = 0;
		P.bss->no_families = 1;
		P.bss->run_id++;
		goto again;
	}
	*cut = P.bss->families_cut || P.bss->no_families;
unlock:
	if (lock >= 0) {
		/* Pinned maps outlive us: no raw address left in them. */
		clear_marks();
		close(lock);	/* and its flock */
	}
	if (r) {
		free(*raw);
		*raw = NULL;
		*len = 0;
		return last_err[0] ? r : set_err(r, "reading the iterator failed: %s", strerror(-r));
	}
	return 0;
}

static int have_btf(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return set_err(-ENOSYS, "the kernel has no BTF (/sys/kernel/btf/vmlinux): CO-RE cannot load");
	return 0;
}

/* What the dumps of the module say beside the records: flags, kernel. */
static void finish_dump(struct mm_dump *d, uint32_t flags)
{
	struct utsname u;

	if (flags & MMCTL_DUMP_NO_FAMILIES)
		((struct mmctl_rec_dump *)d->hdr)->flags |= MMCTL_DUMPF_NO_FAMILIES;
	if (!uname(&u))
		snprintf(d->kernel, sizeof(d->kernel), "%s", u.release);
}

/* @pid's dump from its records (@cut: the iterator stopped short). */
static int records_dump(struct mm_dump *d, pid_t pid, const char *raw, size_t len, int cut,
			uint32_t flags)
{
	int r = mm_bpf_records(d, pid, raw, len, cut);

	if (r)
		return set_err(r, r == -ENOMEM ? "out of memory" :
			       "malformed records from the BPF program");
	finish_dump(d, flags);
	return 0;
}

static int bpf_dump_flags(struct mm_dump *d, pid_t pid, uint32_t flags)
{
	char path[64], *raw;
	size_t len;
	int r, cut;

	memset(d, 0, sizeof(*d));
	last_err[0] = 0;
	r = have_btf();
	if (r)
		return r;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (access(path, F_OK))
		return set_err(-ESRCH, "no such process");
	r = bpf_iterate(pid, 0, flags, &raw, &len, &cut);
	if (r)
		return r;
	if (!len) {
		free(raw);
		/* No VMA at all: a kernel thread, or the process went away. */
		if (access(path, F_OK))
			return set_err(-ESRCH, "no such process (or it has exited)");
		return set_err(-EINVAL, "no user memory (a kernel thread?)");
	}
	r = records_dump(d, pid, raw, len, cut, flags);
	free(raw);
	return r;
}

/* ---- every process in one pass (mmctl top) -------------------------------- */

/* A VMA record and the chain and anon_vma records before it: one process's. */
struct seg {
	uint32_t pid;
	size_t idx, off, len;
};

static int cmp_seg(const void *x, const void *y)
{
	const struct seg *a = x, *b = y;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/*
 * The program writes each VMA's chain and anon_vma records, then the VMA
 * record with its pid: a VMA record ends a segment of that pid. Segments
 * regrouped by pid, each pid's in stream order; records after the last
 * VMA record (none from our program) are dropped.
 */
int mm_bpf_split(struct mm_bpf_all *a, const char *raw, size_t len)
{
	const struct mmctl_rec_hdr *rh;
	size_t n = 0, start = 0, pos = 0, nv = 0;
	struct seg *s;

	for (size_t off = 0; (rh = raw_next(raw, len, &off));)
		nv += rec_ok(rh, MMCTL_REC_VMA, sizeof(struct mmctl_rec_vma));
	s = malloc((nv + 1) * sizeof(*s));
	a->raw = malloc(len + 1);
	a->parts = calloc(nv + 1, sizeof(*a->parts));
	a->len = a->nr = 0;
	if (!s || !a->raw || !a->parts) {
		free(s);
		mm_bpf_all_free(a);
		return -ENOMEM;
	}
	for (size_t off = 0; (rh = raw_next(raw, len, &off));) {
		if (!rec_ok(rh, MMCTL_REC_VMA, sizeof(struct mmctl_rec_vma)))
			continue;
		s[n] = (struct seg){ .pid = ((const struct mmctl_rec_vma *)rh)->pid,
				     .idx = n, .off = start, .len = off - start };
		n++;
		start = off;
	}
	qsort(s, n, sizeof(*s), cmp_seg);
	for (size_t i = 0; i < n; i++) {
		struct mm_bpf_part *p = &a->parts[a->nr - (a->nr > 0)];

		if (!a->nr || p->pid != s[i].pid) {
			p = &a->parts[a->nr++];
			*p = (struct mm_bpf_part){ .pid = s[i].pid, .off = pos };
		}
		memcpy(a->raw + pos, raw + s[i].off, s[i].len);
		pos += s[i].len;
		p->len += s[i].len;
	}
	a->len = pos;
	free(s);
	return 0;
}

void mm_bpf_all_free(struct mm_bpf_all *a)
{
	free(a->raw);
	free(a->parts);
	a->raw = NULL;
	a->parts = NULL;
	a->len = a->nr = 0;
}

int mm_bpf_all(struct mm_bpf_all *a, uint32_t flags)
{
	char *raw;
	size_t len;
	int r, cut;

	memset(a, 0, sizeof(*a));
	a->flags = flags | MMCTL_DUMP_NO_TREE | MMCTL_DUMP_NO_FAMILIES;
	last_err[0] = 0;
	r = have_btf();
	if (r)
		return r;
	r = bpf_iterate(0, 1, a->flags, &raw, &len, &cut);
	if (r)
		return r;
	r = mm_bpf_split(a, raw, len);
	free(raw);
	return r ? set_err(r, "out of memory") : 0;
}

/*
 * What /proc/@pid/stat says of a pid the pass did not meet: 1 a kernel
 * thread (PF_KTHREAD), -ESRCH gone or exited (a zombie: no memory left),
 * else 0.
 */
static int unmet_state(pid_t pid)
{
	char path[64], buf[1024], *p, state = 0;
	unsigned int pf = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ESRCH;
	buf[n] = 0;
	/* After the comm (which may hold anything): state ppid pgrp session tty tpgid flags */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %*d %*d %*d %*d %*d %u", &state, &pf) != 2)
		return 0;
	if (state == 'Z' || state == 'X')
		return -ESRCH;
	return !!(pf & 0x00200000U);	/* PF_KTHREAD */
}

static int cmp_part(const void *key, const void *elem)
{
	uint32_t pid = *(const uint32_t *)key, p = ((const struct mm_bpf_part *)elem)->pid;

	return pid < p ? -1 : pid > p;
}

int mm_dump_bpf_part(struct mm_dump *d, const struct mm_bpf_all *a, pid_t pid)
{
	uint32_t key = (uint32_t)pid;
	const struct mm_bpf_part *part;
	int r;

	memset(d, 0, sizeof(*d));
	last_err[0] = 0;
	/* The parts are in pid order (mm_bpf_split). */
	part = a->nr ? bsearch(&key, a->parts, a->nr, sizeof(*a->parts), cmp_part) : NULL;
	if (!part) {
		r = unmet_state(pid);
		if (r < 0)
			return set_err(-ESRCH, "no such process (or it has exited)");
		if (r)
			return set_err(-EINVAL, "no user memory (a kernel thread?)");
		/* Not met by the pass: a dump of its own. */
		return mm_dump_bpf(d, pid, a->flags);
	}
	r = records_dump(d, pid, a->raw + part->off, part->len, 1, a->flags);
	if (r)
		return r;
	mm_dump_set_chain_order(d, mm_chain_order_once(&chain_order, bpf_dump));
	return 0;
}
