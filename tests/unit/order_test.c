// SPDX-License-Identifier: GPL-2.0
/*
 * The chain-order experiment (lib/dump.c): classification of
 * P3's chain on synthetic dumps, the dump flag it sets, and the probe's
 * process handling when the dump fails.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "dump.h"
#include "../lib/harness.h"
#include "model.h"

enum { A = 0xA, B = 0xB, C = 0xC };
enum { V1 = 0x101, V2 = 0x102, V3 = 0x103 };
#define ADDR 0x7f0000001000ULL

static int chain_pred(const void *r, const void *arg)
{
	const struct mmctl_rec_chain *c = r;
	const uint64_t *k = arg;

	return c->vma_id == k[0] && c->pos == k[1];
}

/*
 * P1 -> P2 -> P3 as the probe makes them: A, B under A, C under B; P3's
 * VMA chain in list order @order (anon_vma IDs), or its ancestry when NULL.
 */
static int classify(const uint64_t *order, uint32_t pid, uint64_t start)
{
	struct model m;
	struct snap s;
	struct mm_dump d;
	void *buf;
	size_t len;
	int r;

	model_init(&m);
	model_av(&m, A, -1);
	model_av(&m, B, 0);
	model_av(&m, C, 1);
	model_vma(&m, V1, 1, ADDR, 1, 0);
	model_vma(&m, V2, 2, ADDR, 1, 1);
	model_vma(&m, V3, 3, ADDR, 1, 2);
	model_emit(&m, &s);
	model_free(&m);
	if (order) {
		/* Renumber positions: first to 100+, then to the wanted order. */
		for (uint64_t pos = 0; pos < 3; pos++) {
			uint64_t k[2] = { V3, pos };
			struct mmctl_rec_chain *c = snap_find(&s, MMCTL_REC_CHAIN, chain_pred, k);

			for (uint64_t want = 0; c && want < 3; want++)
				if (c->anon_vma_id == order[want])
					c->pos = 100 + want;
		}
		for (uint64_t pos = 100; pos < 103; pos++) {
			uint64_t k[2] = { V3, pos };
			struct mmctl_rec_chain *c = snap_find(&s, MMCTL_REC_CHAIN, chain_pred, k);

			if (c)
				c->pos = pos - 100;
		}
	}
	len = s.len;
	buf = malloc(len);
	if (!buf) {
		snap_free(&s);
		return -1;
	}
	memcpy(buf, s.buf, len);
	snap_free(&s);
	if (mm_dump_parse(&d, buf, len))
		return -1;
	r = mm_chain_order_of(&d, pid, start);
	mm_dump_free(&d);
	return r;
}

static const uint64_t cba[] = { C, B, A }, cab[] = { C, A, B }, bca[] = { B, C, A },
	acb[] = { A, C, B };

TEST(t_root_last, "chain order: [C, B, A] is root-last")
{
	EXPECT_EQ(MM_CHAIN_ORDER_ROOT_LAST, classify(cba, 3, ADDR));
	EXPECT_EQ(MM_CHAIN_ORDER_ROOT_LAST, classify(NULL, 3, ADDR));
}

TEST(t_reversed, "chain order: [C, A, B] is a reversing anon_vma_clone()")
{
	EXPECT_EQ(MM_CHAIN_ORDER_CLONE_REVERSED, classify(cab, 3, ADDR));
}

TEST(t_unknown, "chain order: any other shape, VMA or length is unknown")
{
	EXPECT_EQ(MM_CHAIN_ORDER_UNKNOWN, classify(bca, 3, ADDR));	/* head not own */
	EXPECT_EQ(MM_CHAIN_ORDER_UNKNOWN, classify(acb, 3, ADDR));	/* root first */
	EXPECT_EQ(MM_CHAIN_ORDER_UNKNOWN, classify(cba, 3, ADDR + 4096));	/* no VMA */
	EXPECT_EQ(MM_CHAIN_ORDER_UNKNOWN, classify(cba, 4, ADDR));	/* other pid */
	EXPECT_EQ(MM_CHAIN_ORDER_UNKNOWN, classify(NULL, 2, ADDR));	/* chain of 2 */
}

TEST(t_set_flag, "chain order: MMCTL_DUMPF_ROOT_LAST set only for root-last")
{
	struct mmctl_rec_dump h = { .flags = MMCTL_DUMPF_CONSISTENT };
	struct mm_dump d = { .hdr = &h };

	mm_dump_set_chain_order(&d, MM_CHAIN_ORDER_ROOT_LAST);
	EXPECT_EQ(MMCTL_DUMPF_CONSISTENT | MMCTL_DUMPF_ROOT_LAST, h.flags);
	mm_dump_set_chain_order(&d, MM_CHAIN_ORDER_CLONE_REVERSED);
	EXPECT_EQ(MMCTL_DUMPF_CONSISTENT, h.flags);
	mm_dump_set_chain_order(&d, MM_CHAIN_ORDER_ROOT_LAST);
	mm_dump_set_chain_order(&d, MM_CHAIN_ORDER_UNKNOWN);
	EXPECT_EQ(MMCTL_DUMPF_CONSISTENT, h.flags);
}

/* No child of the test is left: every process a probe forked was reaped. */
static int no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

static pid_t seen_pid;

static int failing_dump(struct mm_dump *d, pid_t pid)
{
	memset(d, 0, sizeof(*d));
	seen_pid = pid;
	return -ESRCH;
}

/* A failed dump: unknown, and P1..P3 are gone (no child left to reap). */
TEST(t_probe_dump_fails, "chain order: probe with a failing dump is unknown and reaps P1-P3")
{
	EXPECT_EQ(MM_CHAIN_ORDER_UNKNOWN, mm_chain_order_probe(failing_dump));
	ASSERT_GT(seen_pid, 0);
	EXPECT_TRUE(no_children());
	EXPECT_TRUE(kill(seen_pid, 0) < 0 && errno == ESRCH);
}

static atomic_int dumps;

static int slow_failing_dump(struct mm_dump *d, pid_t pid)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	(void)pid;
	memset(d, 0, sizeof(*d));
	atomic_fetch_add(&dumps, 1);
	nanosleep(&ts, NULL);
	return -ESRCH;
}

static void *probe_thread(void *arg)
{
	*(int *)arg = mm_chain_order_probe(slow_failing_dump);
	return NULL;
}

/*
 * Two probes at once (the storm's two dumper threads did this): each one's
 * P1 inherits the other's pipe ends, so release by EOF never came and the
 * 6.12 storm hung. Released by bytes, both finish; SIGALRM fails a hang.
 */
TEST(t_concurrent_probes, "chain order: two probes at once both finish (no release by EOF)")
{
	alarm(120);
	for (int round = 0; round < 3; round++) {
		pthread_t th[2];
		int order[2] = { -1, -1 };

		for (int i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, probe_thread, &order[i]);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		EXPECT_EQ(MM_CHAIN_ORDER_UNKNOWN, order[0]);
		EXPECT_EQ(MM_CHAIN_ORDER_UNKNOWN, order[1]);
	}
	alarm(0);
	EXPECT_TRUE(no_children());
}

static pid_t stray;

/* Forks, mid-probe, a process that keeps copies of the probe's pipes. */
static int dump_with_stray(struct mm_dump *d, pid_t pid)
{
	(void)pid;
	memset(d, 0, sizeof(*d));
	stray = fork();
	if (stray == 0) {
		sleep(60);
		_exit(0);
	}
	return -ESRCH;
}

/*
 * The deterministic form of the storm hang: while another process holds
 * the pipes, closing them releases nobody. The probe must still return
 * at once (SIGALRM after 20 s fails the test instead of hanging it).
 */
TEST(t_stray_holder, "chain order: a process holding the probe's pipes does not stall it")
{
	struct timespec t0, t1;
	int order;

	alarm(20);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	order = mm_chain_order_probe(dump_with_stray);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	alarm(0);
	if (stray > 0) {
		kill(stray, SIGKILL);
		waitpid(stray, NULL, 0);
	}
	EXPECT_EQ(MM_CHAIN_ORDER_UNKNOWN, order);
	EXPECT_GT(stray, 0);
	EXPECT_LT(t1.tv_sec - t0.tv_sec, 10);
	EXPECT_TRUE(no_children());
}

/* mm_chain_order_once(): one probe, then the memo, however many callers. */
TEST(t_once, "chain order: mm_chain_order_once() probes once, then remembers")
{
	atomic_int memo = -1;
	int a, b;

	/* Probing, not the per-boot file root's earlier runs left (order.c). */
	setenv("MMCTL_NO_ORDER_CACHE", "1", 1);
	atomic_store(&dumps, 0);
	a = mm_chain_order_once(&memo, slow_failing_dump);
	b = mm_chain_order_once(&memo, slow_failing_dump);
	EXPECT_EQ(MM_CHAIN_ORDER_UNKNOWN, a);
	EXPECT_EQ(a, b);
	EXPECT_EQ(1, atomic_load(&dumps));
	EXPECT_EQ(MM_CHAIN_ORDER_UNKNOWN, atomic_load(&memo));
}

TEST_HARNESS_MAIN
