// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Differential test: the eBPF steering program against the library.
 *
 * Loads bpf/vnethash_steer.bpf.c (debug mode: it records the hash and
 * report of the last packet) and runs it with BPF_PROG_TEST_RUN on random
 * and mutated frames under several configurations, in tap (Ethernet) and
 * tun (L3) mode. Every frame must get the same queue, hash and report
 * from the program as from vnh_rss_hash_frame() / vnh_rss_hash_l3(). The
 * program's counters must agree with the library's tally.
 *
 * Needs root (BPF). Exit 0 pass, 1 fail, 77 skip.
 *
 *   test-steer-diff [--frames N] [--seed S] [--verbose]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vnethash.h"
#include "vnethash_steer.h"
#include "framegen.h"

static int verbose;
static unsigned long failures;

static void hexdump(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		fprintf(stderr, "%02x", p[i]);
	fputc('\n', stderr);
}

struct config {
	const char *name;
	int l3;
	/* fills @rss from the seed */
	void (*make)(struct vnh_rss *rss, struct fg_rng *r);
};

static void rand_key(struct vnh_rss *rss, struct fg_rng *r, size_t len)
{
	uint8_t key[VNH_KEY_SIZE_MAX];

	fg_bytes(r, key, len);
	vnh_rss_set_key(rss, key, len);
}

static void rand_table(struct vnh_rss *rss, struct fg_rng *r, size_t len,
		       unsigned int queues)
{
	static uint16_t table[VNH_TABLE_LEN_MAX];
	size_t i;

	for (i = 0; i < len; i++)
		table[i] = (uint16_t)fg_below(r, queues);
	vnh_rss_set_table(rss, table, len);
}

static void cfg_default(struct vnh_rss *rss, struct fg_rng *r)
{
	(void)r;
	vnh_rss_set_spread(rss, 4, 128);
}

static void cfg_big_table(struct vnh_rss *rss, struct fg_rng *r)
{
	rand_table(rss, r, VNH_TABLE_LEN_MAX, VNH_QUEUE_MAX + 1);
	vnh_rss_set_unclassified(rss, 7);
}

static void cfg_rand_types(struct vnh_rss *rss, struct fg_rng *r)
{
	rand_key(rss, r, VNH_KEY_SIZE_MAX);
	vnh_rss_set_hash_types(rss, fg_below(r, VNH_HASH_TYPE_ALL + 1));
	rand_table(rss, r, (size_t)1 << fg_below(r, 11), 256);
	vnh_rss_set_unclassified(rss, (uint16_t)fg_below(r, 300));
}

static void cfg_short_key_ex(struct vnh_rss *rss, struct fg_rng *r)
{
	rand_key(rss, r, 1 + fg_below(r, VNH_KEY_SIZE_MAX - 1));
	vnh_rss_set_hash_types(rss, VNH_HASH_TYPE_IP_EX | VNH_HASH_TYPE_TCP_EX |
				    VNH_HASH_TYPE_UDP_EX | VNH_HASH_TYPE_IPV4);
	rand_table(rss, r, 64, 16);
	vnh_rss_set_unclassified(rss, 3);
}

static void cfg_one_entry(struct vnh_rss *rss, struct fg_rng *r)
{
	rand_key(rss, r, VNH_KEY_SIZE_MAX);
	vnh_rss_set_hash_types(rss, VNH_HASH_TYPE_TCPV4 | VNH_HASH_TYPE_TCPV6 |
				    VNH_HASH_TYPE_UDPV6);
	rand_table(rss, r, 1, 8);
	vnh_rss_set_unclassified(rss, 5);
}

static void cfg_no_types(struct vnh_rss *rss, struct fg_rng *r)
{
	rand_table(rss, r, 16, 4);
	vnh_rss_set_hash_types(rss, 0);
	vnh_rss_set_unclassified(rss, 2);
}

static void cfg_l3_all(struct vnh_rss *rss, struct fg_rng *r)
{
	rand_key(rss, r, VNH_KEY_SIZE_MAX);
	rand_table(rss, r, 256, 8);
	vnh_rss_set_unclassified(rss, 1);
}

static const struct config eth_configs[] = {
	{ "eth default key, all types, 4 queues x 128", 0, cfg_default },
	{ "eth 32768-entry table, queues to 0x7fff", 0, cfg_big_table },
	{ "eth random key, random types, random table", 0, cfg_rand_types },
	{ "eth short key, _EX types + ipv4", 0, cfg_short_key_ex },
	{ "eth one-entry table, tcp/udpv6 types", 0, cfg_one_entry },
	{ "eth no hash types", 0, cfg_no_types },
	{ "eth random key, random types (2)", 0, cfg_rand_types },
};

static const struct config l3_configs[] = {
	{ "tun random key, all types, 256 x 8", 1, cfg_l3_all },
	{ "tun random key, random types", 1, cfg_rand_types },
	{ "tun short key, _EX types + ipv4", 1, cfg_short_key_ex },
};

struct tally {
	unsigned long frames, skipped;
	unsigned long ex_addr;	/* frames whose _EX addresses differ */
	unsigned long report[VNH_REPORT_MAX + 1];
	unsigned long queue[VNH_STEER_STAT_QUEUES + 1];
	unsigned long kind[FG_KINDS];
};

/*
 * Coverage of the generator: does the frame carry a Home Address option or
 * a Type 2 Routing header that the _EX types use (IPv6_EX hash differs from
 * the IPv6 one)?
 */
static int ex_addresses_differ(const uint8_t *frame, size_t len)
{
	static struct vnh_rss *rss;
	struct vnh_result a, b;

	if (!rss)
		rss = vnh_rss_new();
	vnh_hash_frame(vnh_rss_toeplitz(rss), VNH_HASH_TYPE_IP_EX, frame, len, &a);
	vnh_hash_frame(vnh_rss_toeplitz(rss), VNH_HASH_TYPE_IPV6, frame, len, &b);
	return a.report == VNH_REPORT_IPV6_EX && b.report == VNH_REPORT_IPV6 &&
	       a.hash != b.hash;
}

/*
 * BPF_PROG_TEST_RUN (net/bpf/test_run.c) refuses frames shorter than an
 * Ethernet header, and EtherType IPv4 / IPv6 frames whose IP header is not
 * all there (20 / 40 bytes).
 */
static int test_run_takes(const uint8_t *frame, size_t len)
{
	unsigned int et;

	if (len < 14)
		return 0;
	et = (unsigned int)frame[12] << 8 | frame[13];
	if (et == 0x0800 && len - 14 < 20)
		return 0;
	if (et == 0x86dd && len - 14 < 40)
		return 0;
	return 1;
}

static int run_config(struct vnh_steer *steer, const struct config *c,
		      struct vnh_rss *rss, struct fg_rng *r,
		      unsigned long frames, struct tally *t)
{
	static uint8_t frame[14 + FG_FRAME_MAX];
	unsigned long i, bad = 0;
	int err;

	for (i = 0; i < frames; i++) {
		struct vnh_result lib, prog;
		enum fg_kind kind;
		uint16_t et = 0;
		size_t len;

		if (c->l3) {
			/* tun: the test run parses a 14-byte header whose
			 * EtherType becomes skb->protocol. */
			len = fg_l3(r, frame + 14, FG_FRAME_MAX, &et, &kind);
			memset(frame, 0x02, 12);
			frame[12] = (uint8_t)(et >> 8);
			frame[13] = (uint8_t)et;
			vnh_rss_hash_l3(rss, et, frame + 14, len, &lib);
			len += 14;
		} else {
			len = fg_frame(r, frame, FG_FRAME_MAX, &kind);
			vnh_rss_hash_frame(rss, frame, len, &lib);
		}
		if (!test_run_takes(frame, len)) {
			/* BPF_PROG_TEST_RUN refuses these; the rules give
			 * them NONE (no IP header to speak of). */
			if (lib.report != VNH_REPORT_NONE) {
				fprintf(stderr, "FAIL: library hashed a %zu-byte frame the kernel calls too short\n",
					len);
				bad++;
			}
			t->skipped++;
			continue;
		}
		err = vnh_steer_test_run(steer, frame, len, &prog);
		if (err) {
			fprintf(stderr, "FAIL: test run: %s\n", strerror(-err));
			return -1;
		}
		t->frames++;
		t->kind[kind]++;
		if (!c->l3 && ex_addresses_differ(frame, len))
			t->ex_addr++;
		t->report[lib.report]++;
		t->queue[lib.queue < VNH_STEER_STAT_QUEUES ? lib.queue :
		 VNH_STEER_STAT_QUEUES]++;
		if (prog.queue != lib.queue || prog.hash != lib.hash ||
		    prog.report != lib.report) {
			if (bad < 10) {
				fprintf(stderr,
					"FAIL [%s] frame %lu (%zu bytes%s%04x): program queue %u hash 0x%08x report %s, library queue %u hash 0x%08x report %s\n  ",
					c->name, i, len,
					c->l3 ? ", tun, ethertype 0x" : ", ethertype 0x",
					(unsigned int)(frame[12] << 8 | frame[13]),
					prog.queue, prog.hash,
					vnh_report_name(prog.report), lib.queue,
					lib.hash, vnh_report_name(lib.report));
				hexdump(frame, len);
			}
			bad++;
		} else if (verbose > 1) {
			printf("ok %lu %zu 0x%08x %s %u\n", i, len, lib.hash,
			       vnh_report_name(lib.report), lib.queue);
		}
	}
	failures += bad;
	return 0;
}

static int check_counters(struct vnh_steer *steer, const struct tally *t,
			  const char *what, int kfunc)
{
	struct vnh_steer_counters cnt = { .sz = sizeof(cnt) };
	int err, i, bad = 0;

	err = vnh_steer_read_counters(steer, &cnt);
	if (err) {
		fprintf(stderr, "FAIL: reading counters: %s\n", strerror(-err));
		failures++;
		return -1;
	}
	if (cnt.packets != t->frames) {
		fprintf(stderr, "FAIL [%s]: counters say %llu packets, ran %lu\n",
			what, (unsigned long long)cnt.packets, t->frames);
		bad++;
	}
	for (i = 0; i <= VNH_REPORT_MAX; i++)
		if (cnt.report[i] != t->report[i]) {
			fprintf(stderr, "FAIL [%s]: report %s: counter %llu, expected %lu\n",
				what, vnh_report_name(i),
				(unsigned long long)cnt.report[i], t->report[i]);
			bad++;
		}
	for (i = 0; i < VNH_STEER_STAT_QUEUES; i++)
		if (cnt.queue[i] != t->queue[i]) {
			fprintf(stderr, "FAIL [%s]: queue %d: counter %llu, expected %lu\n",
				what, i, (unsigned long long)cnt.queue[i],
				t->queue[i]);
			bad++;
		}
	if (cnt.queue_other != t->queue[VNH_STEER_STAT_QUEUES]) {
		fprintf(stderr, "FAIL [%s]: queues >= %d: counter %llu, expected %lu\n",
			what, VNH_STEER_STAT_QUEUES,
			(unsigned long long)cnt.queue_other,
			t->queue[VNH_STEER_STAT_QUEUES]);
		bad++;
	}
	/* Test runs are no steering runs: the kfunc, if there, refuses. */
	if (cnt.kfunc_ok || cnt.kfunc_fail != (kfunc ? cnt.packets : 0)) {
		fprintf(stderr, "FAIL [%s]: kfunc ok %llu, failed %llu; expected 0 and %llu\n",
			what, (unsigned long long)cnt.kfunc_ok,
			(unsigned long long)cnt.kfunc_fail,
			(unsigned long long)(kfunc ? cnt.packets : 0));
		bad++;
	}
	if (cnt.no_config) {
		fprintf(stderr, "FAIL [%s]: %llu packets without config\n", what,
			(unsigned long long)cnt.no_config);
		bad++;
	}
	printf("  counters: %llu packets, kfunc ok %llu / failed %llu (test runs are no steering runs: a kernel with the kfunc fails every call with -EOPNOTSUPP)\n",
	       (unsigned long long)cnt.packets,
	       (unsigned long long)cnt.kfunc_ok,
	       (unsigned long long)cnt.kfunc_fail);
	failures += bad;
	return bad ? -1 : 0;
}

static int run_mode(const struct config *configs, size_t n, int mode,
		    unsigned long frames, uint64_t seed)
{
	struct vnh_steer_opts opts = { .sz = sizeof(opts), .mode = mode,
				       .debug = 1 };
	struct vnh_steer_info info = { .sz = sizeof(info) };
	struct vnh_steer *steer = NULL;
	struct vnh_rss *rss = vnh_rss_new();
	struct tally t;
	struct timespec a, b;
	struct fg_rng r;
	size_t i;
	int err;

	memset(&t, 0, sizeof(t));
	fg_seed(&r, seed);
	for (i = 0; i < n; i++) {
		struct vnh_rss *fresh = vnh_rss_new();
		unsigned long before = failures;

		configs[i].make(fresh, &r);
		vnh_rss_copy(rss, fresh);
		vnh_rss_free(fresh);
		if (!steer) {
			clock_gettime(CLOCK_MONOTONIC, &a);
			err = vnh_steer_load(rss, &opts, &steer);
			clock_gettime(CLOCK_MONOTONIC, &b);
			if (err) {
				fprintf(stderr, "FAIL: loading the program: %s\n",
					strerror(-err));
				vnh_rss_free(rss);
				return err == -EPERM ? 77 : -1;
			}
			vnh_steer_get_config(steer, NULL, &info);
			printf("loaded program id %u (%s mode, %u instructions verified) in %.3f s; kfunc call %s\n",
			       info.prog_id, mode == VNH_STEER_MODE_L3 ? "tun" : "tap",
			       info.verified_insns,
			       (double)(b.tv_sec - a.tv_sec) +
			       (double)(b.tv_nsec - a.tv_nsec) / 1e9,
			       info.kfunc > 0 ? "present" : "absent (weak kfunc not in this kernel)");
		} else {
			err = vnh_steer_update(steer, rss);
			if (err) {
				fprintf(stderr, "FAIL: update: %s\n", strerror(-err));
				failures++;
				break;
			}
		}
		if (run_config(steer, &configs[i], rss, &r, frames / n, &t))
			failures++;
		printf("  %-45s %s\n", configs[i].name,
		       failures == before ? "ok" : "FAILED");
	}
	printf("  %lu frames run (%lu IPv4, %lu IPv6, %lu other, %lu random), %lu too short for BPF_PROG_TEST_RUN (library: none) skipped\n",
	       t.frames, t.kind[FG_IPV4], t.kind[FG_IPV6], t.kind[FG_OTHER],
	       t.kind[FG_RANDOM], t.skipped);
	if (mode == VNH_STEER_MODE_ETH) {
		printf("  %lu frames with a Home Address option or Type 2 Routing header in effect\n",
		       t.ex_addr);
		if (t.ex_addr < frames / 200) {
			fprintf(stderr, "FAIL: too few frames exercise the _EX addresses\n");
			failures++;
		}
	}
	printf("  reports:");
	for (i = 0; i <= VNH_REPORT_MAX; i++)
		printf(" %s %lu", vnh_report_name((unsigned int)i), t.report[i]);
	printf("\n");
	if (steer)
		check_counters(steer, &t, mode == VNH_STEER_MODE_L3 ? "tun" : "tap",
			       info.kfunc > 0);
	vnh_steer_free(steer);
	vnh_rss_free(rss);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long frames = 120000;
	uint64_t seed = 1;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--frames") && i + 1 < argc)
			frames = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v"))
			verbose++;
		else {
			fprintf(stderr, "usage: %s [--frames N] [--seed S] [--verbose]\n",
				argv[0]);
			return 2;
		}
	}
	if (geteuid() != 0) {
		printf("SKIP: needs root for BPF\n");
		return 77;
	}
	printf("tap mode (Ethernet frames), seed %llu:\n", (unsigned long long)seed);
	rc = run_mode(eth_configs, sizeof(eth_configs) / sizeof(eth_configs[0]),
		      VNH_STEER_MODE_ETH, frames, seed);
	if (rc == 77)
		return 77;
	printf("tun mode (IP packets, EtherType from skb->protocol):\n");
	run_mode(l3_configs, sizeof(l3_configs) / sizeof(l3_configs[0]),
		 VNH_STEER_MODE_L3, frames / 3, seed + 1);
	if (failures) {
		printf("FAIL: %lu mismatches\n", failures);
		return 1;
	}
	printf("PASS: program and library agree on queue, hash and report for every frame\n");
	return 0;
}
