// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Per-packet cost of the steering program in the kernel, measured with
 * BPF_PROG_TEST_RUN's repeat loop, against an empty socket filter program
 * (the fixed cost of a run) in the same process. Needs root. Prints ns per
 * run; asserts nothing.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vnethash.h"
#include "vnethash_steer.h"

static int empty_prog(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "vnh_bench_empty",
			     "GPL", insns, 2, NULL);
}

static double ns_per_run(int prog_fd, const void *frame, size_t len,
			 unsigned int repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = (__u32)len, .repeat = repeat);
	int err = bpf_prog_test_run_opts(prog_fd, &opts);

	if (err)
		return -1;
	return opts.duration;	/* the kernel's average ns per run */
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
	struct vnh_steer *steer = NULL;
	int empty, err;
	size_t i;

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
	empty = empty_prog();
	if (empty < 0) {
		fprintf(stderr, "bench_steer: loading the empty program: %s\n",
			strerror(errno));
		return 1;
	}
	printf("BPF_PROG_TEST_RUN, %u runs each; the kernel's average per run\n",
	       repeat);
	printf("%-26s %10s %10s %10s\n", "frame", "empty", "steering",
	       "difference");
	for (i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		double base = ns_per_run(empty, frames[i].frame,
					 frames[i].len, repeat);
		double steer_ns = ns_per_run(vnh_steer_prog_fd(steer),
					     frames[i].frame, frames[i].len,
					     repeat);

		if (base < 0 || steer_ns < 0) {
			fprintf(stderr, "bench_steer: test run failed: %s\n",
				strerror(errno));
			return 1;
		}
		printf("%-26s %7.0f ns %7.0f ns %7.0f ns\n", frames[i].name,
		       base, steer_ns, steer_ns - base);
	}
	close(empty);
	vnh_steer_free(steer);
	vnh_rss_free(rss);
	return 0;
}
