// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Per-packet cost of the steering program in the kernel, measured with
 * BPF_PROG_TEST_RUN's repeat loop, against an empty socket filter program
 * (the fixed cost of a run) and a bit-by-bit Toeplitz steering program
 * (bpf/vnethash_bitwise.bpf.c, the common approach) on the same frames in
 * the same process. Needs root. Prints the median over several rounds of
 * the kernel's ns per run; asserts nothing (both programs must pick the
 * same queue for the TCP frames, or it fails).
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnethash.h"
#include "vnethash_bitwise.h"
#include "vnethash_steer.h"

#define ROUNDS 7

static double ns_per_run(int prog_fd, const void *frame, size_t len,
			 unsigned int repeat, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = (__u32)len, .repeat = repeat);
	int err = bpf_prog_test_run_opts(prog_fd, &opts);

	if (err)
		return -1;
	*retval = opts.retval;
	return opts.duration;	/* the kernel's average ns per run */
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	unsigned int repeat = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 0)
				       : 200000;
	/* Ethernet frames: IPv4 TCP, IPv6 TCP, IPv6 DestOpts(Home Address) TCP, ARP. */
	static uint8_t tcp4[54] = { [12] = 0x08, [13] = 0x00, [14] = 0x45,
				    [16] = 0, [17] = 40, [22] = 64, [23] = 6,
				    [26] = 10, [29] = 1, [30] = 10, [33] = 2,
				    [34] = 0x30, [35] = 0x39, [37] = 80,
				    [46] = 0x50 };
	static uint8_t tcp6[74] = { [12] = 0x86, [13] = 0xdd, [14] = 0x60,
				    [19] = 20, [20] = 6, [21] = 64,
				    [22] = 0x20, [23] = 0x01, [37] = 1,
				    [38] = 0x20, [39] = 0x01, [53] = 2,
				    [54] = 0x30, [55] = 0x39, [57] = 80,
				    [66] = 0x50 };
	static uint8_t hao6[98];
	static uint8_t arp[42] = { [12] = 0x08, [13] = 0x06 };
	const struct {
		const char *name;
		const uint8_t *frame;
		size_t len;
	} frames[] = {
		{ "IPv4 TCP", tcp4, sizeof(tcp4) },
		{ "IPv6 TCP", tcp6, sizeof(tcp6) },
		{ "IPv6 DestOpts(HAO) TCP", hao6, sizeof(hao6) },
		{ "ARP (no hash)", arp, sizeof(arp) },
	};
	struct vnh_steer_opts sopts = { .sz = sizeof(sopts) };
	struct vnh_rss *rss = vnh_rss_new();
	struct vnethash_bitwise *bw;
	struct vnh_steer *steer = NULL;
	struct vnh_steer_info info;
	int empty, err, progs[3];
	size_t i, p, r;

	/* IPv6 + Destination Options (24 bytes: PadN 4, HAO 18) + TCP. */
	memcpy(hao6, tcp6, 54);
	hao6[18] = 0; hao6[19] = 44;	/* payload length 24 + 20 */
	hao6[20] = 60;			/* next header: DestOpts */
	hao6[54] = 6; hao6[55] = 2;	/* -> TCP, (2 + 1) * 8 = 24 bytes */
	hao6[56] = 1; hao6[57] = 2;	/* PadN, 2 bytes of padding */
	hao6[60] = 0xc9; hao6[61] = 16;	/* Home Address option */
	hao6[62] = 0x20; hao6[63] = 0x01; hao6[77] = 9;
	memcpy(hao6 + 78, tcp6 + 54, 20);

	if (!rss || vnh_rss_set_spread(rss, 4, 128)) {
		fprintf(stderr, "bench_steer: out of memory\n");
		return 1;
	}
	err = vnh_steer_load(rss, &sopts, &steer);
	if (err) {
		fprintf(stderr, "bench_steer: loading the steering program: %s (root needed)\n",
			strerror(-err));
		return 1;
	}
	empty = vnh_baseline_empty_prog();
	if (empty < 0) {
		fprintf(stderr, "bench_steer: loading the empty program: %s\n",
			strerror(errno));
		return 1;
	}
	bw = vnh_baseline_bitwise_load(rss);
	if (!bw) {
		fprintf(stderr, "bench_steer: loading the bit-by-bit program: %s\n",
			strerror(errno));
		return 1;
	}
	progs[0] = empty;
	progs[1] = bpf_program__fd(bw->progs.vnh_bitwise_prog);
	progs[2] = vnh_steer_prog_fd(steer);
	vnh_steer_get_config(steer, NULL, &info);
	printf("BPF_PROG_TEST_RUN, %u runs each, median of %d rounds; "
	       "vnethash program: %u instructions verified\n",
	       repeat, ROUNDS, info.verified_insns);
	printf("%-24s %8s %18s %18s %7s\n", "frame", "empty",
	       "bit-by-bit (net)", "vnethash (net)", "ratio");
	for (i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		double ns[3][ROUNDS], med[3];
		__u32 ret[3];

		for (r = 0; r < ROUNDS; r++) {
			for (p = 0; p < 3; p++) {
				ns[p][r] = ns_per_run(progs[p], frames[i].frame,
						      frames[i].len, repeat,
						      &ret[p]);
				if (ns[p][r] < 0) {
					fprintf(stderr, "bench_steer: test run failed: %s\n",
						strerror(errno));
					return 1;
				}
			}
		}
		for (p = 0; p < 3; p++) {
			qsort(ns[p], ROUNDS, sizeof(double), cmp_double);
			med[p] = ns[p][ROUNDS / 2];
		}
		if (i < 2 && ret[1] != ret[2]) {
			fprintf(stderr, "bench_steer: %s: bit-by-bit queue %u, vnethash queue %u\n",
				frames[i].name, ret[1], ret[2]);
			return 1;
		}
		printf("%-24s %5.0f ns %6.0f (%5.0f) ns %6.0f (%5.0f) ns %6.1fx\n",
		       frames[i].name, med[0], med[1], med[1] - med[0],
		       med[2], med[2] - med[0],
		       med[2] > med[0] ? (med[1] - med[0]) / (med[2] - med[0]) : 0);
	}
	close(empty);
	vnethash_bitwise__destroy(bw);
	vnh_steer_free(steer);
	vnh_rss_free(rss);
	return 0;
}
