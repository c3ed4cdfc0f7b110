// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The three ways a steering program can hand the hash to tun, side by side
 * on the running kernel (docs/kernel-design.md): steer (no report), kfunc
 * (bpf_tun_vnet_hash_set) and progtype (BPF_PROG_TYPE_VNET_HASH, the
 * comparison patches). For each mechanism the kernel has:
 *
 * 1. ns per run under BPF_PROG_TEST_RUN (the kernel's own average over
 *    --repeat runs, median of 5 rounds), IPv4 TCP and IPv6 TCP frames,
 *    and the same net of an empty socket filter measured in the same run
 *    (the fixed cost of a run). Under test_run the kfunc only checks its
 *    context and returns -EOPNOTSUPP (not a steering run), while the
 *    program type really stores its result: the recording and the skb
 *    extension are only in (2).
 * 2. packets per second through a tap (--queues queues, 4 by default; 1
 *    is a single-queue tap without IFF_MULTI_QUEUE, as a VMM gives a
 *    one-queue guest) with a 20-byte vnet header, in a private network
 *    namespace, with the root qdisc the kernel gives it or `noqueue`
 *    (--qdisc): IPv4 TCP frames of 64 flows sent with AF_PACKET (the
 *    qdisc path, ndo_select_queue() or the single-queue run in
 *    ndo_start_xmit(), the steering program, the skb extension), read
 *    back from the queues by the same process. The mechanisms take turns
 *    round by round (--rounds), so that a slow phase of the machine hits
 *    them all alike; median and range of the rounds. Every frame must come
 *    back, and with a reporting mechanism carry a report (none without):
 *    otherwise the bench fails (exit 1).
 *
 * Needs root. A mechanism the kernel lacks is printed as "not available".
 * The numbers are relative: compare rows of one run, not runs (or hosts).
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/bpf.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "vnethash.h"
#include "vnethash_steer.h"

#define NQ_MAX		16
#define HDR_SZ		20
#define FLOWS		64
#define TAP_NAME	"vnhbench0"
#define TR_ROUNDS	5
#define ROUNDS_MAX	50
#define NMECH		3

static const char usage[] =
"Usage: bench_mechanism [OPTIONS]\n"
"steer, kfunc and progtype side by side on the running kernel:\n"
"BPF_PROG_TEST_RUN ns per run (and net of an empty program) and tap\n"
"packets per second (docs/kernel-design.md). Needs root.\n"
"\n"
"  --repeat N            BPF_PROG_TEST_RUN runs per round (default 100000)\n"
"  --frames N            frames per tap round (default 20000)\n"
"  --rounds N            tap rounds per mechanism, 1 to 50 (default 5)\n"
"  --queues N            tap queues, 1 to 16 (default 4); 1: a single-queue\n"
"                        tap (no IFF_MULTI_QUEUE)\n"
"  --qdisc default|noqueue  the tap's root qdisc: the kernel's default, or\n"
"                        noqueue (frames go straight to tun)\n"
"  -h, --help            this text\n"
"Exit status: 0 when every mechanism the kernel has was measured and every\n"
"frame came back (with a report exactly when the mechanism reports); 1\n"
"otherwise; 2 for bad usage.\n";

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

/* Median over TR_ROUNDS of the kernel's average ns per run; < 0 on error. */
static double ns_per_run(int prog_fd, const void *frame, size_t len,
			 unsigned int repeat)
{
	double v[TR_ROUNDS];
	int r;

	for (r = 0; r < TR_ROUNDS; r++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
			    .data_size_in = (__u32)len, .repeat = repeat);

		if (bpf_prog_test_run_opts(prog_fd, &opts))
			return -1;
		v[r] = opts.duration;
	}
	qsort(v, TR_ROUNDS, sizeof(v[0]), cmp_double);
	return v[TR_ROUNDS / 2];
}

struct tap {
	int nq;
	int fd[NQ_MAX];
	int ifindex;
	int pkt;	/* AF_PACKET socket bound to the tap */
};

static int tap_open(struct tap *t, int nq)
{
	struct ifreq ifr;
	int i, sz = HDR_SZ, s;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };

	t->nq = nq;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (nq > 1)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	strcpy(ifr.ifr_name, TAP_NAME);
	for (i = 0; i < nq; i++) {
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

/* ---- the root qdisc, over rtnetlink ------------------------------------------- */

struct qdisc_req {
	struct nlmsghdr nh;
	struct tcmsg tc;
	char attrs[64];
};

static int nl_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * Read replies to the request just sent until its ACK/error or the end of
 * the dump. With @kind: the kind of the root qdisc of @ifindex is copied
 * there (empty if none was listed). Returns 0 or a negative errno.
 */
static int nl_recv(int fd, int ifindex, char *kind, size_t kind_sz)
{
	static char buf[32768];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (n < 0)
			return -errno;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n)) {
			struct tcmsg *tc = NLMSG_DATA(nh);
			struct rtattr *a;
			int len;

			if (nh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			if (nh->nlmsg_type != RTM_NEWQDISC || !kind ||
			    tc->tcm_ifindex != ifindex ||
			    tc->tcm_parent != TC_H_ROOT)
				continue;
			len = (int)RTM_PAYLOAD(nh);
			for (a = (struct rtattr *)((char *)tc + NLMSG_ALIGN(sizeof(*tc)));
			     RTA_OK(a, len); a = RTA_NEXT(a, len))
				if (a->rta_type == TCA_KIND)
					snprintf(kind, kind_sz, "%.*s",
						 (int)RTA_PAYLOAD(a),
						 (char *)RTA_DATA(a));
		}
	}
}

/* @kind NULL: replace the root qdisc with noqueue; else read its kind. */
static int root_qdisc(int ifindex, char *kind, size_t kind_sz)
{
	struct qdisc_req req;
	struct rtattr *a;
	int fd = nl_open(), err;

	if (fd < 0)
		return fd;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.tc));
	req.tc.tcm_family = AF_UNSPEC;
	if (kind) {
		*kind = 0;
		req.nh.nlmsg_type = RTM_GETQDISC;
		req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	} else {
		req.nh.nlmsg_type = RTM_NEWQDISC;
		req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
				     NLM_F_CREATE | NLM_F_REPLACE;
		req.tc.tcm_ifindex = ifindex;
		req.tc.tcm_parent = TC_H_ROOT;
		a = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
		a->rta_type = TCA_KIND;
		a->rta_len = RTA_LENGTH(sizeof("noqueue"));
		memcpy(RTA_DATA(a), "noqueue", sizeof("noqueue"));
		req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) +
				   RTA_ALIGN(a->rta_len);
	}
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		err = -errno;
	else
		err = nl_recv(fd, ifindex, kind, kind_sz);
	close(fd);
	return err;
}

/* ---- the tap exchange ------------------------------------------------------------- */

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

	for (q = 0; q < t->nq; q++)
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
		unsigned long want = frames - sent < BATCH ? frames - sent : BATCH;

		n = sendmmsg(t->pkt, msgs, (unsigned int)want, 0);
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

/* ---- main ---------------------------------------------------------------------------- */

static const char *const mech_names[NMECH] = { "steer", "kfunc", "progtype" };
static const int mechs[NMECH] = { VNH_STEER_MECH_STEER, VNH_STEER_MECH_KFUNC,
				  VNH_STEER_MECH_PROGTYPE };

static unsigned long num_arg(const char *opt, const char *s, unsigned long lo,
			     unsigned long hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi || *s == '-') {
		fprintf(stderr, "bench_mechanism: --%s '%s': need a number from %lu to %lu\n",
			opt, s, lo, hi);
		exit(2);
	}
	return v;
}

struct mech_run {
	struct vnh_steer *steer;
	double pps[ROUNDS_MAX];
	unsigned long lost, reported, got;
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "frames", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'R' },
		{ "queues", required_argument, NULL, 'q' },
		{ "qdisc", required_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned int repeat = 100000, rounds = 5;
	unsigned long frames = 20000;
	int nq = 4, noqueue = 0, opt, rc = 0;
	struct mech_run run[NMECH] = { 0 };
	struct vnh_rss *rss;
	struct utsname uts;
	struct tap tap;
	char kind[32], defq[32] = "?";
	double e4, e6;
	int empty, err, m;
	unsigned int r;
	FILE *f;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			repeat = (unsigned int)num_arg("repeat", optarg, 1, 100000000);
			break;
		case 'n':
			frames = num_arg("frames", optarg, 1, 1000000000);
			break;
		case 'R':
			rounds = (unsigned int)num_arg("rounds", optarg, 1, ROUNDS_MAX);
			break;
		case 'q':
			nq = (int)num_arg("queues", optarg, 1, NQ_MAX);
			break;
		case 'Q':
			if (!strcmp(optarg, "noqueue")) {
				noqueue = 1;
			} else if (strcmp(optarg, "default")) {
				fprintf(stderr, "bench_mechanism: --qdisc '%s': need default or noqueue\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bench_mechanism: unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return 2;
	}

	build_frames();
	rss = vnh_rss_new();
	if (!rss || vnh_rss_set_spread(rss, (unsigned int)nq, 128)) {
		fprintf(stderr, "bench_mechanism: out of memory\n");
		return 1;
	}
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "bench_mechanism: unshare(CLONE_NEWNET): %s (root needed)\n",
			strerror(errno));
		return 1;
	}
	err = tap_open(&tap, nq);
	if (err) {
		fprintf(stderr, "bench_mechanism: tap: %s\n", strerror(-err));
		return 1;
	}
	if (noqueue && (err = root_qdisc(tap.ifindex, NULL, 0))) {
		fprintf(stderr, "bench_mechanism: root qdisc noqueue: %s\n",
			strerror(-err));
		return 1;
	}
	err = root_qdisc(tap.ifindex, kind, sizeof(kind));
	if (err || !*kind) {
		fprintf(stderr, "bench_mechanism: cannot read the root qdisc back: %s\n",
			err ? strerror(-err) : "not listed");
		return 1;
	}
	if (noqueue != !strcmp(kind, "noqueue")) {
		fprintf(stderr, "bench_mechanism: the root qdisc is %s\n", kind);
		return 1;
	}
	f = fopen("/proc/sys/net/core/default_qdisc", "r");
	if (f) {
		if (fscanf(f, "%31s", defq) != 1)
			strcpy(defq, "?");
		fclose(f);
	}
	empty = empty_prog();
	if (empty < 0) {
		fprintf(stderr, "bench_mechanism: empty program: %s\n",
			strerror(errno));
		return 1;
	}
	uname(&uts);
	printf("kernel %s %s\n", uts.release, uts.machine);
	printf("BPF_PROG_TEST_RUN: median of %d rounds of %u runs, kernel's ns per run; net = minus the empty program\n",
	       TR_ROUNDS, repeat);
	printf("tap: %d queue%s%s, %d-byte vnet header, root qdisc %s (default_qdisc %s), %lu IPv4 TCP frames of %d flows per round, %u rounds, mechanisms in turn\n",
	       nq, nq == 1 ? "" : "s", nq == 1 ? " (single-queue tap)" : "",
	       HDR_SZ, kind, defq, frames, FLOWS, rounds);

	for (m = 0; m < NMECH; m++) {
		struct vnh_steer_opts o = { .sz = sizeof(o), .mechanism = mechs[m],
					    .mode = VNH_STEER_MODE_ETH };

		err = vnh_steer_load(rss, &o, &run[m].steer);
		if (err == -EOPNOTSUPP) {
			run[m].steer = NULL;
			continue;
		}
		if (err) {
			fprintf(stderr, "bench_mechanism: %s: load: %s\n",
				mech_names[m], strerror(-err));
			return 1;
		}
	}
	for (r = 0; r < rounds; r++)
		for (m = 0; m < NMECH; m++) {
			unsigned long lost = 0, rep = 0;
			double pps;

			if (!run[m].steer)
				continue;
			err = vnh_steer_attach_queue(run[m].steer, tap.fd[0]);
			if (err) {
				fprintf(stderr, "bench_mechanism: %s: TUNSETSTEERINGEBPF: %s\n",
					mech_names[m], strerror(-err));
				return 1;
			}
			pps = tap_pps(&tap, frames, &lost, &rep);
			if (pps < 0) {
				fprintf(stderr, "bench_mechanism: sendmmsg: %s\n",
					strerror(errno));
				return 1;
			}
			vnh_steer_detach(tap.fd[0]);
			run[m].pps[r] = pps;
			run[m].lost += lost;
			run[m].reported += rep;
			run[m].got += frames - lost;
		}

	e4 = ns_per_run(empty, tcp4[0], sizeof(tcp4[0]), repeat);
	e6 = ns_per_run(empty, tcp6, sizeof(tcp6), repeat);
	printf("%-9s %9s %7s %9s %7s %12s %21s %7s %9s\n", "mechanism",
	       "IPv4 ns", "net", "IPv6 ns", "net", "tap pkts/s", "(min..max)",
	       "lost", "reported");
	printf("%-9s %9.1f %7s %9.1f %7s %12s %21s %7s %9s\n", "empty", e4, "-",
	       e6, "-", "-", "-", "-", "-");
	for (m = 0; m < NMECH; m++) {
		double v4, v6, med;
		char range[32];

		if (!run[m].steer) {
			printf("%-9s not available on this kernel\n", mech_names[m]);
			continue;
		}
		v4 = ns_per_run(vnh_steer_prog_fd(run[m].steer), tcp4[0],
				sizeof(tcp4[0]), repeat);
		v6 = ns_per_run(vnh_steer_prog_fd(run[m].steer), tcp6,
				sizeof(tcp6), repeat);
		qsort(run[m].pps, rounds, sizeof(double), cmp_double);
		med = rounds % 2 ? run[m].pps[rounds / 2] :
		      (run[m].pps[rounds / 2 - 1] + run[m].pps[rounds / 2]) / 2;
		snprintf(range, sizeof(range), "(%.0f..%.0f)", run[m].pps[0],
			 run[m].pps[rounds - 1]);
		printf("%-9s %9.1f %7.1f %9.1f %7.1f %12.0f %21s %7lu %9lu\n",
		       mech_names[m], v4, v4 - e4, v6, v6 - e6, med, range,
		       run[m].lost, run[m].reported);
		if (v4 < 0 || v6 < 0) {
			fprintf(stderr, "bench_mechanism: %s: BPF_PROG_TEST_RUN failed\n",
				mech_names[m]);
			rc = 1;
		}
		if (run[m].lost) {
			fprintf(stderr, "bench_mechanism: %s: %lu frames lost\n",
				mech_names[m], run[m].lost);
			rc = 1;
		}
		if (run[m].reported != (mechs[m] == VNH_STEER_MECH_STEER ? 0 :
					run[m].got)) {
			fprintf(stderr, "bench_mechanism: %s: %lu of %lu frames carried a report\n",
				mech_names[m], run[m].reported, run[m].got);
			rc = 1;
		}
		vnh_steer_free(run[m].steer);
	}
	if (e4 < 0 || e6 < 0) {
		fprintf(stderr, "bench_mechanism: BPF_PROG_TEST_RUN of the empty program failed\n");
		rc = 1;
	}
	close(empty);
	vnh_rss_free(rss);
	return rc;
}
