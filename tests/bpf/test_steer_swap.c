// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Configuration swaps of the eBPF steering program:
 *
 *  1. after vnh_steer_update(), frames follow the new configuration
 *     (queue, hash and report as the library computes them with it), the
 *     generation moves on, the configuration reads back, and the counters
 *     keep counting across the swap;
 *  2. the same through a second handle opened from pins (what
 *     `vnethash set` does), and unpinning removes the pins;
 *  3. atomicity under load: one thread runs frames through the program
 *     while another swaps between two configurations thousands of times;
 *     every result must be wholly the old or wholly the new
 *     configuration's (different keys, types and tables, so a packet
 *     seeing a mix of both would match neither).
 *
 * Needs root. Exit 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "vnethash.h"
#include "vnethash_steer.h"
#include "framegen.h"

#define NFRAMES 512
#define BPF_FS_MAGIC 0xcafe4a11

static unsigned long failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		failures++; \
	} \
} while (0)

static uint8_t frames[NFRAMES][FG_FRAME_MAX];
static size_t lens[NFRAMES];

/* Frames BPF_PROG_TEST_RUN accepts (see test_steer_diff.c). */
static void make_frames(uint64_t seed)
{
	struct fg_rng r;
	size_t i = 0;

	fg_seed(&r, seed);
	while (i < NFRAMES) {
		size_t len = fg_frame(&r, frames[i], FG_FRAME_MAX, NULL);
		unsigned int et;

		if (len < 14)
			continue;
		et = (unsigned int)frames[i][12] << 8 | frames[i][13];
		if ((et == 0x0800 && len < 34) || (et == 0x86dd && len < 54))
			continue;
		lens[i++] = len;
	}
}

static void make_rss(struct vnh_rss *rss, uint64_t seed, uint32_t types,
		     size_t table_len, unsigned int queues, uint16_t uncl)
{
	uint16_t table[1024];
	uint8_t key[VNH_KEY_SIZE_MAX];
	struct fg_rng r;
	size_t i;

	fg_seed(&r, seed);
	fg_bytes(&r, key, sizeof(key));
	for (i = 0; i < table_len; i++)
		table[i] = (uint16_t)fg_below(&r, queues);
	vnh_rss_set_key(rss, key, sizeof(key));
	vnh_rss_set_hash_types(rss, types);
	vnh_rss_set_table(rss, table, table_len);
	vnh_rss_set_unclassified(rss, uncl);
}

static int same(const struct vnh_result *a, const struct vnh_result *b)
{
	return a->hash == b->hash && a->report == b->report &&
	       a->queue == b->queue;
}

/* Run all frames; count those not matching @rss. */
static unsigned long run_all(struct vnh_steer *steer,
			     const struct vnh_rss *rss)
{
	unsigned long bad = 0;
	size_t i;

	for (i = 0; i < NFRAMES; i++) {
		struct vnh_result lib, prog;
		int err;

		vnh_rss_hash_frame(rss, frames[i], lens[i], &lib);
		err = vnh_steer_test_run(steer, frames[i], lens[i], &prog);
		if (err) {
			fprintf(stderr, "test run: %s\n", strerror(-err));
			return NFRAMES;
		}
		if (!same(&lib, &prog))
			bad++;
	}
	return bad;
}

struct race {
	struct vnh_steer *steer;
	const struct vnh_rss *rss[2];
	atomic_int stop;
	unsigned long swaps;
};

static void *swapper(void *arg)
{
	struct race *rc = arg;
	int err;

	while (!atomic_load(&rc->stop)) {
		err = vnh_steer_update(rc->steer, rc->rss[rc->swaps & 1]);
		if (err) {
			fprintf(stderr, "FAIL: update: %s\n", strerror(-err));
			failures++;
			break;
		}
		rc->swaps++;
	}
	return NULL;
}

static void test_race(struct vnh_steer *steer, const struct vnh_rss *a,
		      const struct vnh_rss *b)
{
	struct race rc = { .steer = steer, .rss = { a, b } };
	static struct vnh_result ra[NFRAMES], rb[NFRAMES];
	unsigned long runs = 0, seen_a = 0, seen_b = 0, mixed = 0, distinct = 0;
	pthread_t thr;
	size_t i;
	int round;

	for (i = 0; i < NFRAMES; i++) {
		vnh_rss_hash_frame(a, frames[i], lens[i], &ra[i]);
		vnh_rss_hash_frame(b, frames[i], lens[i], &rb[i]);
		distinct += !same(&ra[i], &rb[i]);
	}
	/* Start from A (the pins test left C running). */
	if (vnh_steer_update(steer, a)) {
		CHECK(0, "update to A");
		return;
	}
	rc.swaps = 1;
	if (pthread_create(&thr, NULL, swapper, &rc)) {
		CHECK(0, "pthread_create");
		return;
	}
	/*
	 * Run until enough swaps happened, however slow the machine (a VM
	 * under TCG swaps far more slowly relative to test runs); the round
	 * cap only stops a swapper that is stuck.
	 */
	for (round = 0; round < 100000 && (round < 4 || rc.swaps < 100);
	     round++) {
		for (i = 0; i < NFRAMES; i++) {
			struct vnh_result prog;

			if (vnh_steer_test_run(steer, frames[i], lens[i], &prog)) {
				CHECK(0, "test run failed");
				mixed++;
				break;
			}
			runs++;
			if (same(&prog, &ra[i]) && same(&prog, &rb[i]))
				continue;
			if (same(&prog, &ra[i])) {
				seen_a++;
			} else if (same(&prog, &rb[i])) {
				seen_b++;
			} else {
				if (mixed < 5)
					fprintf(stderr, "FAIL: frame %zu: queue %u hash 0x%08x report %u matches neither configuration\n",
						i, prog.queue, prog.hash, prog.report);
				mixed++;
			}
		}
	}
	atomic_store(&rc.stop, 1);
	pthread_join(thr, NULL);
	printf("  %lu runs during %lu swaps (%lu of %d frames differ between the two configs): %lu by the old/A, %lu by B, %lu mixed\n",
	       runs, rc.swaps, distinct, NFRAMES, seen_a, seen_b, mixed);
	CHECK(mixed == 0, "%lu results were neither configuration's", mixed);
	CHECK(distinct > NFRAMES / 2, "configs too similar to tell apart");
	CHECK(rc.swaps >= 50, "only %lu swaps happened", rc.swaps);
	CHECK(seen_a && seen_b, "did not see both configurations in action");
}

int main(void)
{
	struct vnh_steer_opts opts = { .sz = sizeof(opts), .debug = 1 };
	struct vnh_steer_info info = { .sz = sizeof(info) };
	struct vnh_steer_counters cnt = { .sz = sizeof(cnt) };
	struct vnh_rss *a = vnh_rss_new(), *b = vnh_rss_new(),
		       *c = vnh_rss_new(), *back = vnh_rss_new();
	struct vnh_steer *steer = NULL, *pinned = NULL;
	char dir[128];
	struct statfs sfs;
	unsigned long bad;
	int err;

	if (geteuid() != 0) {
		printf("SKIP: needs root for BPF\n");
		return 77;
	}
	make_frames(7);
	make_rss(a, 1, VNH_HASH_TYPE_ALL, 128, 8, 0);
	make_rss(b, 2, VNH_HASH_TYPE_IPV4 | VNH_HASH_TYPE_TCPV4 |
		       VNH_HASH_TYPE_IPV6 | VNH_HASH_TYPE_UDPV6, 64, 16, 9);
	make_rss(c, 3, VNH_HASH_TYPE_IP_EX | VNH_HASH_TYPE_UDPV4, 1024, 200, 42);

	printf("1. swap with vnh_steer_update()\n");
	err = vnh_steer_load(a, &opts, &steer);
	if (err) {
		printf("FAIL: load: %s\n", strerror(-err));
		return err == -EPERM ? 77 : 1;
	}
	bad = run_all(steer, a);
	CHECK(bad == 0, "%lu frames do not follow config A", bad);
	err = vnh_steer_get_config(steer, back, &info);
	CHECK(!err && info.generation == 1 && vnh_rss_equal(back, a),
	      "config A does not read back (err %d, generation %u)", err,
	      info.generation);

	err = vnh_steer_update(steer, b);
	CHECK(!err, "update to B: %s", strerror(-err));
	bad = run_all(steer, b);
	CHECK(bad == 0, "%lu frames do not follow config B after the swap", bad);
	err = vnh_steer_get_config(steer, back, &info);
	CHECK(!err && info.generation == 2 && vnh_rss_equal(back, b),
	      "config B does not read back (err %d, generation %u)", err,
	      info.generation);
	err = vnh_steer_read_counters(steer, &cnt);
	CHECK(!err && cnt.packets == 2 * NFRAMES,
	      "counters did not survive the swap: %llu packets, expected %d",
	      (unsigned long long)cnt.packets, 2 * NFRAMES);
	printf("  A then B followed on %d frames each; generation 2; counters %llu\n",
	       NFRAMES, (unsigned long long)cnt.packets);

	printf("2. swap through pins\n");
	if (statfs("/sys/fs/bpf", &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		printf("  SKIP: no bpffs at /sys/fs/bpf\n");
	} else {
		snprintf(dir, sizeof(dir), "/sys/fs/bpf/vnethash-test-%d/tap0",
			 (int)getpid());
		err = vnh_steer_pin(steer, dir);
		CHECK(!err, "pin: %s", strerror(-err));
		err = vnh_steer_pin(steer, dir);
		CHECK(err == -EEXIST, "second pin: %d, expected -EEXIST", err);
		err = vnh_steer_open_pinned(dir, &pinned);
		CHECK(!err, "open pinned: %s", strerror(-err));
		if (!err) {
			err = vnh_steer_update(pinned, c);
			CHECK(!err, "update via pins: %s", strerror(-err));
			bad = run_all(steer, c);
			CHECK(bad == 0, "%lu frames do not follow config C set through the pins",
			      bad);
			err = vnh_steer_read_counters(pinned, &cnt);
			CHECK(!err && cnt.packets == 3 * NFRAMES,
			      "counters via pins: %llu", (unsigned long long)cnt.packets);
			err = vnh_steer_get_config(pinned, back, &info);
			CHECK(!err && info.generation == 3 && vnh_rss_equal(back, c),
			      "config C does not read back through the pins");
			vnh_steer_free(pinned);
		}
		err = vnh_steer_unpin(dir);
		CHECK(!err, "unpin: %s", strerror(-err));
		CHECK(access(dir, F_OK) != 0, "%s still exists", dir);
		err = vnh_steer_unpin(dir);
		CHECK(err == -ENOENT, "second unpin: %d, expected -ENOENT", err);
		err = vnh_steer_open_pinned(dir, &pinned);
		CHECK(err == -ENOENT, "open of removed pins: %d", err);
		*strrchr(dir, '/') = '\0';
		rmdir(dir);
		printf("  C set through a pinned handle; pins removed\n");
	}

	printf("3. atomicity under concurrent swaps\n");
	test_race(steer, a, b);

	printf("4. limits\n");
	vnh_steer_free(steer);
	opts.max_queues = 8;
	err = vnh_steer_load(b, &opts, &steer);
	CHECK(err == -ERANGE, "load of a 16-queue table with max_queues 8: %d", err);
	err = vnh_steer_load(a, &opts, &steer);
	CHECK(!err, "load with max_queues 8: %s", strerror(-err));
	if (!err) {
		err = vnh_steer_update(steer, b);
		CHECK(err == -ERANGE, "update beyond max_queues: %d", err);
		bad = run_all(steer, a);
		CHECK(bad == 0, "a refused update changed the config");
		vnh_steer_free(steer);
	}

	vnh_rss_free(a);
	vnh_rss_free(b);
	vnh_rss_free(c);
	vnh_rss_free(back);
	if (failures) {
		printf("FAIL: %lu checks failed\n", failures);
		return 1;
	}
	printf("PASS\n");
	return 0;
}
