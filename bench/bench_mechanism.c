// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The three ways a steering program can hand the hash to tun, side by side
 * on the running kernel (docs/kernel-design.md): steer (no report), kfunc
 * (bpf_tun_vnet_hash_set) and progtype (BPF_PROG_TYPE_VNET_HASH, the
 * comparison patches). For each mechanism the kernel has:
 *
 * 1. ns per run under BPF_PROG_TEST_RUN (the kernel's own average over
 *    `repeat` runs, median of 5 rounds), IPv4 TCP and IPv6 TCP frames, and
 *    an empty socket filter as the fixed cost of a run. Under test_run the
 *    kfunc only checks its context and returns -EOPNOTSUPP (not a steering
 *    run), while the program type really stores its result: the recording
 *    and the skb extension are only in (2).
 * 2. packets per second through a 4-queue tap with a 20-byte vnet header
 *    in a private network namespace: IPv4 TCP frames of 64 flows sent with
 *    AF_PACKET (the qdisc path, ndo_select_queue(), the steering program,
 *    the skb extension), read back from the queues; best of 3 rounds. Also
 *    checks that every frame came back and how many carried a report.
 *
 * Needs root. A mechanism the kernel lacks is printed as "not available".
 * Usage: bench_mechanism [REPEAT [TAP_FRAMES]]
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vnethash.h"
#include "vnethash_steer.h"

#define NQ		4
#define HDR_SZ		20
#define FLOWS		64
#define TAP_NAME	"vnhbench0"
#define ROUNDS		5

static uint8_t tcp4[FLOWS][54];
static uint8_t tcp6[74] = { [12] = 0x86, [13] = 0xdd, [14] = 0x60,
			    [19] = 20, [20] = 6, [21] = 64,
			    [22] = 0x20, [23] = 0x01, [37] = 1,
			    [38] = 0x20, [39] = 0x01, [53] = 2,
			    [54] = 0x30, [55] = 0x39, [57] = 80,
			    [66] = 0x50 };

static void build_frames(void)
{
	static const uint8_t base[54] = {
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01,
		0x08, 0x00, 0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0,
		10, 0, 0, 1, 10, 0, 0, 2,
		0x30, 0x39, 0, 80, [46] = 0x50 };
	int i;

	for (i = 0; i < FLOWS; i++) {
		memcpy(tcp4[i], base, sizeof(base));
		tcp4[i][34] = (uint8_t)(0x30 + i);	/* source port */
	}
}

static int empty_prog(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "vnh_bench_empty",
			     "GPL", insns, 2, NULL);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median over ROUNDS of the kernel's average ns per run; < 0 on error. */
static double ns_per_run(int prog_fd, const void *frame, size_t len,
			 unsigned int repeat)
{
	double v[ROUNDS];
	int r;

	for (r = 0; r < ROUNDS; r++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
			    .data_size_in = (__u32)len, .repeat = repeat);

		if (bpf_prog_test_run_opts(prog_fd, &opts))
			return -1;
		v[r] = opts.duration;
	}
	qsort(v, ROUNDS, sizeof(v[0]), cmp_double);
	return v[ROUNDS / 2];
}

struct tap {
	int fd[NQ];
	int ifindex;
	int pkt;	/* AF_PACKET socket bound to the tap */
};

static int tap_open(struct tap *t)
{
	struct ifreq ifr;
	int i, sz = HDR_SZ, s;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE;
	strcpy(ifr.ifr_name, TAP_NAME);
	for (i = 0; i < NQ; i++) {
		t->fd[i] = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
		if (t->fd[i] < 0 || ioctl(t->fd[i], TUNSETIFF, &ifr) ||
		    ioctl(t->fd[i], TUNSETVNETHDRSZ, &sz))
			return -errno;
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, TAP_NAME);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr)) {
			close(s);
			return -errno;
		}
	}
	close(s);
	t->ifindex = (int)if_nametoindex(TAP_NAME);
	t->pkt = socket(AF_PACKET, SOCK_RAW, 0);
	if (t->pkt < 0)
		return -errno;
	sll.sll_ifindex = t->ifindex;
	if (bind(t->pkt, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Read everything queued; counts frames of our length and reported ones. */
static void drain(struct tap *t, unsigned long *got, unsigned long *reported)
{
	uint8_t buf[2048];
	ssize_t n;
	int q;

	for (q = 0; q < NQ; q++)
		while ((n = read(t->fd[q], buf, sizeof(buf))) > 0) {
			if (n != HDR_SZ + (ssize_t)sizeof(tcp4[0]))
				continue;	/* IPv6 noise of a new link */
			(*got)++;
			if (buf[16] | buf[17])	/* hash_report */
				(*reported)++;
		}
}

/*
 * Send @frames frames in batches, draining the queues between batches so
 * that none overflows; packets per second over the whole exchange.
 */
static double tap_pps(struct tap *t, unsigned long frames,
		      unsigned long *lost, unsigned long *reported)
{
	enum { BATCH = 64 };
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	unsigned long sent = 0, got = 0, rep = 0;
	double t0, t1;
	int i, n, idle = 0;

	drain(t, &got, &rep);
	got = rep = 0;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = tcp4[i % FLOWS];
		iov[i].iov_len = sizeof(tcp4[0]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now();
	while (sent < frames) {
		n = sendmmsg(t->pkt, msgs, BATCH, 0);
		if (n < 0)
			return -1;
		sent += (unsigned long)n;
		drain(t, &got, &rep);
	}
	while (got < sent && idle < 1000) {
		unsigned long before = got;

		drain(t, &got, &rep);
		idle = got == before ? idle + 1 : 0;
	}
	t1 = now();
	*lost = sent - got;
	*reported = rep;
	return (double)got / (t1 - t0);
}

static const char *const mech_names[] = { "steer", "kfunc", "progtype" };
static const int mechs[] = { VNH_STEER_MECH_STEER, VNH_STEER_MECH_KFUNC,
			     VNH_STEER_MECH_PROGTYPE };

int main(int argc, char **argv)
{
	unsigned int repeat = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 0)
				       : 200000;
	unsigned long frames = argc > 2 ? strtoul(argv[2], NULL, 0) : 200000;
	struct vnh_rss *rss = vnh_rss_new();
	struct tap tap;
	int empty, err, m, r;

	build_frames();
	if (!rss || vnh_rss_set_spread(rss, NQ, 128)) {
		fprintf(stderr, "bench_mechanism: out of memory\n");
		return 1;
	}
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "bench_mechanism: unshare(CLONE_NEWNET): %s (root needed)\n",
			strerror(errno));
		return 1;
	}
	err = tap_open(&tap);
	if (err) {
		fprintf(stderr, "bench_mechanism: tap: %s\n", strerror(-err));
		return 1;
	}
	empty = empty_prog();
	if (empty < 0) {
		fprintf(stderr, "bench_mechanism: empty program: %s\n",
			strerror(errno));
		return 1;
	}
	printf("BPF_PROG_TEST_RUN: median of %d rounds of %u runs, kernel's ns per run\n",
	       ROUNDS, repeat);
	printf("tap: %d queues, %d-byte vnet header, %lu IPv4 TCP frames of %d flows, best of 3\n",
	       NQ, HDR_SZ, frames, FLOWS);
	printf("%-9s %12s %12s %14s %8s %10s\n", "mechanism", "IPv4 TCP",
	       "IPv6 TCP", "tap pkts/s", "lost", "reported");
	printf("%-9s %9.1f ns %9.1f ns %14s %8s %10s\n", "empty",
	       ns_per_run(empty, tcp4[0], sizeof(tcp4[0]), repeat),
	       ns_per_run(empty, tcp6, sizeof(tcp6), repeat), "-", "-", "-");
	for (m = 0; m < 3; m++) {
		struct vnh_steer_opts o = { .sz = sizeof(o), .mechanism = mechs[m],
					    .mode = VNH_STEER_MODE_ETH };
		struct vnh_steer *steer = NULL;
		unsigned long lost = 0, rep = 0, best_lost = 0, best_rep = 0;
		double pps, best = 0;

		err = vnh_steer_load(rss, &o, &steer);
		if (err == -EOPNOTSUPP) {
			printf("%-9s not available on this kernel\n", mech_names[m]);
			continue;
		}
		if (err) {
			fprintf(stderr, "bench_mechanism: %s: load: %s\n",
				mech_names[m], strerror(-err));
			return 1;
		}
		err = vnh_steer_attach_queue(steer, tap.fd[0]);
		if (err) {
			fprintf(stderr, "bench_mechanism: %s: TUNSETSTEERINGEBPF: %s\n",
				mech_names[m], strerror(-err));
			return 1;
		}
		for (r = 0; r < 3; r++) {
			pps = tap_pps(&tap, frames, &lost, &rep);
			if (pps < 0) {
				fprintf(stderr, "bench_mechanism: sendmmsg: %s\n",
					strerror(errno));
				return 1;
			}
			if (pps > best) {
				best = pps;
				best_lost = lost;
				best_rep = rep;
			}
		}
		printf("%-9s %9.1f ns %9.1f ns %14.0f %8lu %10lu\n",
		       mech_names[m],
		       ns_per_run(vnh_steer_prog_fd(steer), tcp4[0],
				  sizeof(tcp4[0]), repeat),
		       ns_per_run(vnh_steer_prog_fd(steer), tcp6,
				  sizeof(tcp6), repeat),
		       best, best_lost, best_rep);
		vnh_steer_detach(tap.fd[0]);
		vnh_steer_free(steer);
	}
	close(empty);
	vnh_rss_free(rss);
	return 0;
}
