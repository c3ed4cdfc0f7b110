// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The steering program on real devices, and vnh_tap_read().
 *
 * In a private network namespace: a multiqueue tap and a multiqueue tun
 * (with and without tun_pi), 4 queues, 20-byte vnet header. The program is
 * attached with vnh_steer_attach() on one queue fd; frames are sent into
 * the device's transmit path with an AF_PACKET socket, one at a time, and
 * read back from whichever queue they arrive on with vnh_tap_read(). Each
 * must arrive on the queue the library computes, with the library's hash
 * and report; on a kernel with the hash-report kfunc the header must carry
 * them too, report NONE included (vnh_tap_read() then takes them from the
 * kernel: we compare against the library separately), unless the program
 * was loaded with no_report. How vnh_tap_read() reads the hash fields
 * (left alone, zeros, a report) is also checked on a pipe.
 *
 * Needs root. Exit 0 pass, 1 fail, 77 skip.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vnethash.h"
#include "vnethash_steer.h"
#include "framegen.h"

#define NQ 4
#define NAME "vnhlive0"
#define BIG_MAX 8500

static unsigned long failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		failures++; \
	} \
} while (0)

struct dev {
	int fds[NQ];
	int ifindex;
	int pkt;	/* AF_PACKET socket */
	int l3, pi;
};

static int dev_open(struct dev *d, int l3, int pi)
{
	struct ifreq ifr;
	int i, sz = 20, sock;

	memset(d, 0, sizeof(*d));
	d->l3 = l3;
	d->pi = pi;
	for (i = 0; i < NQ; i++) {
		d->fds[i] = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (d->fds[i] < 0)
			return -errno;
		memset(&ifr, 0, sizeof(ifr));
		strcpy(ifr.ifr_name, NAME);
		ifr.ifr_flags = (short)((l3 ? IFF_TUN : IFF_TAP) |
					IFF_MULTI_QUEUE | IFF_VNET_HDR |
					(pi ? 0 : IFF_NO_PI));
		if (ioctl(d->fds[i], TUNSETIFF, &ifr))
			return -errno;
	}
	if (ioctl(d->fds[0], TUNSETVNETHDRSZ, &sz))
		return -errno;
	/* No IPv6 of the kernel's own (ND, MLD) on the device. */
	{
		char path[96];
		int f;

		snprintf(path, sizeof(path),
			 "/proc/sys/net/ipv6/conf/%s/disable_ipv6", NAME);
		f = open(path, O_WRONLY | O_CLOEXEC);
		if (f >= 0) {
			if (write(f, "1", 1) != 1)
				fprintf(stderr, "note: cannot disable IPv6 on %s\n", NAME);
			close(f);
		}
	}
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, NAME);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(sock, SIOCSIFFLAGS, &ifr);
	}
	/* Jumbo frames: sent through AF_PACKET, a frame of a page or more
	 * has only its link header in the skb's linear part. */
	ifr.ifr_mtu = 9000;
	ioctl(sock, SIOCSIFMTU, &ifr);
	if (ioctl(sock, SIOCGIFINDEX, &ifr) == 0)
		d->ifindex = ifr.ifr_ifindex;
	close(sock);
	d->pkt = socket(AF_PACKET, (l3 ? SOCK_DGRAM : SOCK_RAW) | SOCK_CLOEXEC,
			0);
	return d->pkt < 0 ? -errno : 0;
}

static void dev_close(struct dev *d)
{
	int i;

	for (i = 0; i < NQ; i++)
		if (d->fds[i] > 0)
			close(d->fds[i]);
	if (d->pkt > 0)
		close(d->pkt);
}

static int send_frame(struct dev *d, const uint8_t *p, size_t len,
		      uint16_t et)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = d->ifindex,
		.sll_protocol = htons(d->l3 ? et : ETH_P_ALL),
	};

	if (sendto(d->pkt, p, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	return 0;
}

/* Wait for a frame on any queue; read it. Returns its queue or -1. */
static int receive(struct dev *d, const struct vnh_rss *rss,
		   const struct vnh_steer *steer, uint8_t *buf,
		   size_t size, ssize_t *len, struct vnh_result *res,
		   struct virtio_net_hdr_v1_hash *hdr, int *from_kernel)
{
	struct pollfd pfd[NQ];
	int i;

	for (i = 0; i < NQ; i++) {
		pfd[i].fd = d->fds[i];
		pfd[i].events = POLLIN;
	}
	if (poll(pfd, NQ, 100) <= 0)
		return -1;
	for (i = 0; i < NQ; i++) {
		struct vnh_tap_read_opts o = { .sz = sizeof(o), .hdr = hdr,
					       .steer = steer };

		if (!(pfd[i].revents & POLLIN))
			continue;
		*len = vnh_tap_read(d->fds[i], buf, size, rss, res, &o);
		if (*len < 0)
			continue;
		*from_kernel = o.from_kernel;
		return i;
	}
	return -1;
}

static void run(int l3, int pi, int kfunc, int no_report,
		unsigned long nframes)
{
	struct vnh_steer_opts sopts = { .sz = sizeof(sopts),
					.no_report = no_report };
	struct vnh_steer_counters cnt = { .sz = sizeof(cnt) };
	struct vnh_steer_info info = { .sz = sizeof(info) };
	static uint8_t frame[BIG_MAX], buf[BIG_MAX + 64];
	unsigned long sent = 0, ok = 0, lost = 0, foreign = 0, kernel = 0;
	unsigned long big_frames = 0;
	unsigned long per_q[NQ] = { 0 };
	struct vnh_rss *rss = vnh_rss_new();
	struct vnh_steer *steer = NULL;
	struct dev d;
	struct fg_rng r;
	unsigned long i;
	int err;

	printf("%s%s%s:\n", l3 ? "tun" : "tap", l3 ? (pi ? " with tun_pi" : " (IFF_NO_PI)") : "",
	       no_report ? ", program loaded with no_report" : "");
	err = dev_open(&d, l3, pi);
	if (err) {
		CHECK(0, "creating the device: %s", strerror(-err));
		dev_close(&d);
		vnh_rss_free(rss);
		return;
	}
	vnh_rss_set_spread(rss, NQ, 64);
	vnh_rss_set_unclassified(rss, 3);
	err = vnh_steer_attach(d.fds[1], rss, &sopts, &steer);
	CHECK(!err, "attach: %s", strerror(-err));
	if (err)
		goto out;
	vnh_steer_get_config(steer, NULL, &info);
	CHECK(info.mode == (l3 ? VNH_STEER_MODE_L3 : VNH_STEER_MODE_ETH),
	      "mode %d from TUNGETIFF", info.mode);

	fg_seed(&r, 11 + (uint64_t)l3 * 2 + (uint64_t)pi);
	for (i = 0; i < nframes && lost < 20; i++) {
		struct vnh_result lib, got;
		struct virtio_net_hdr_v1_hash hdr;
		uint16_t et = 0;
		size_t len;
		ssize_t n;
		int q, fk, tries;

		if (l3) {
			len = fg_l3(&r, frame, FG_FRAME_MAX, &et, NULL);
			if (et != 0x0800 && et != 0x86dd)
				continue;
			/* Without tun_pi, a reader only has the version
			 * nibble: send what agrees with it. */
			if (!pi && (!len || (frame[0] >> 4) != (et == 0x0800 ? 4 : 6)))
				continue;
			vnh_rss_hash_l3(rss, et, frame, len, &lib);
		} else {
			len = fg_frame(&r, frame, FG_FRAME_MAX, NULL);
			if (len < 14)
				continue;
			vnh_rss_hash_frame(rss, frame, len, &lib);
		}
		/* Now and then a frame past a page, padded after whatever
		 * headers (or cut-off headers) it has. */
		if (len && fg_below(&r, 10) == 0) {
			size_t big = 4096 + fg_below(&r, 4000);

			fg_bytes(&r, frame + len, big - len);
			len = big;
			big_frames++;
			if (l3)
				vnh_rss_hash_l3(rss, et, frame, len, &lib);
			else
				vnh_rss_hash_frame(rss, frame, len, &lib);
		}
		if (!len || send_frame(&d, frame, len, et))
			continue;
		sent++;
		for (tries = 0; tries < 64; tries++) {
			/* With no_report, vnh_tap_read() must know the
			 * program to read zeros as no report. */
			q = receive(&d, rss, no_report ? steer : NULL, buf,
				    sizeof(buf), &n, &got, &hdr, &fk);
			if (q < 0) {
				lost++;
				break;
			}
			if ((size_t)n != len || memcmp(buf, frame, len)) {
				foreign++;	/* e.g. the kernel's own */
				if (getenv("VNH_TEST_VERBOSE")) {
					size_t k;

					fprintf(stderr, "foreign on queue %d (%zd bytes; sent %zu):\n  got  ", q, n, len);
					for (k = 0; k < (size_t)n && k < 80; k++)
						fprintf(stderr, "%02x", buf[k]);
					fprintf(stderr, "\n  sent ");
					for (k = 0; k < len && k < 80; k++)
						fprintf(stderr, "%02x", frame[k]);
					fprintf(stderr, "\n");
				}
				continue;
			}
			per_q[q]++;
			if (fk)
				kernel++;
			if (q != lib.queue || got.queue != lib.queue ||
			    got.hash != lib.hash || got.report != lib.report) {
				if (failures < 10)
					fprintf(stderr, "FAIL: frame %lu (%zu bytes) on queue %d, read as hash 0x%08x %s queue %u (%s), library 0x%08x %s queue %u\n",
						i, len, q, got.hash,
						vnh_report_name(got.report), got.queue,
						fk ? "kernel" : "computed", lib.hash,
						vnh_report_name(lib.report), lib.queue);
				failures++;
			} else {
				ok++;
			}
			/* With the kfunc the header carries every hash,
			 * NONE (zeros) too; without, or with no_report, none. */
			CHECK(fk == (kfunc && !no_report),
			      "frame %lu (%s): %s", i, vnh_report_name(lib.report),
			      fk ? "read as the kernel's report" :
				   "no hash report in the vnet header");
			break;
		}
	}
	err = vnh_steer_read_counters(steer, &cnt);
	printf("  %lu sent (%lu of 4-8 KB), %lu on the right queue with the right hash, %lu lost, %lu foreign; per queue %lu %lu %lu %lu; %lu hashes from the kernel's header\n",
	       sent, big_frames, ok, lost, foreign, per_q[0], per_q[1], per_q[2],
	       per_q[3], kernel);
	printf("  program counters: %llu packets, kfunc ok %llu, failed %llu\n",
	       (unsigned long long)cnt.packets,
	       (unsigned long long)cnt.kfunc_ok,
	       (unsigned long long)cnt.kfunc_fail);
	CHECK(sent > nframes / 2, "only %lu frames could be sent", sent);
	CHECK(lost == 0, "%lu frames lost", lost);
	CHECK(ok + lost == sent, "mismatches");
	CHECK(!err && cnt.packets >= sent, "program saw %llu packets, %lu sent",
	      (unsigned long long)cnt.packets, sent);
	if (kfunc && !no_report)
		CHECK(cnt.kfunc_fail == 0 && cnt.kfunc_ok >= sent,
		      "kfunc ok %llu failed %llu", (unsigned long long)cnt.kfunc_ok,
		      (unsigned long long)cnt.kfunc_fail);
	else
		CHECK(kernel == 0 && cnt.kfunc_ok == 0,
		      "hashes in the header without the kfunc or with no_report");

	err = vnh_steer_detach(d.fds[2]);
	CHECK(!err, "detach: %s", strerror(-err));
out:
	vnh_steer_free(steer);
	dev_close(&d);
	vnh_rss_free(rss);
}

/*
 * vnh_tap_read() on a pipe, a 20-byte header written as the kernel would:
 * how the hash fields are read. (A pipe cannot leave them alone: the
 * prefilled pattern is written back to stand for that.)
 */
static void header_cases(void)
{
	static const struct {
		const char *what;
		uint8_t fill;		/* every byte of the hash fields */
		uint32_t hash;		/* else these */
		uint16_t report;
		int opt;		/* vnh_tap_read_opts.report */
		int from_kernel;
	} c[] = {
		{ "left alone", 0xa5, 0, 0, VNH_TAP_REPORT_ON, 0 },
		{ "zeros, AUTO (not a tun)", 0, 0, 0, VNH_TAP_REPORT_AUTO, 0 },
		{ "zeros, OFF", 0, 0, 0, VNH_TAP_REPORT_OFF, 0 },
		{ "zeros, ON", 0, 0, 0, VNH_TAP_REPORT_ON, 1 },
		{ "a report, OFF", 1, 0x12345678, VNH_REPORT_TCPV4, VNH_TAP_REPORT_OFF, 1 },
		{ "an unknown report type", 1, 0x12345678, 77, VNH_TAP_REPORT_ON, 0 },
	};
	static const uint8_t frame[54] = {
		2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00,
		0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0,
		10, 0, 0, 1, 10, 0, 0, 2, 0x04, 0xd2, 0, 80,
	};
	struct vnh_rss *rss = vnh_rss_new();
	struct vnh_result lib;
	size_t i;

	printf("vnet header hash fields:\n");
	vnh_rss_set_spread(rss, NQ, 64);
	vnh_rss_set_unclassified(rss, 3);
	vnh_rss_hash_frame(rss, frame, sizeof(frame), &lib);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct virtio_net_hdr_v1_hash hdr, out;
		struct vnh_tap_read_opts o = {
			.sz = sizeof(o), .vnet_hdr_sz = 20,
			.mode = VNH_STEER_MODE_ETH, .hdr = &out,
			.report = c[i].opt,
		};
		struct vnh_result res, want = lib;
		uint8_t buf[128];
		ssize_t n = -1;
		int p[2];

		memset(&hdr, 0, sizeof(hdr));
		if (c[i].fill != 1) {
			memset((uint8_t *)&hdr + 12, c[i].fill, 8);
		} else {
			hdr.hash_value = htole32(c[i].hash);
			hdr.hash_report = htole16(c[i].report);
		}
		if (!pipe(p)) {
			if (write(p[1], &hdr, 20) == 20 &&
			    write(p[1], frame, sizeof(frame)) == sizeof(frame))
				n = vnh_tap_read(p[0], buf, sizeof(buf), rss,
						 &res, &o);
			close(p[0]);
			close(p[1]);
		}
		if (c[i].from_kernel && c[i].fill == 0) {
			want.hash = 0;
			want.report = VNH_REPORT_NONE;
			want.queue = 3;
		} else if (c[i].from_kernel) {
			want.hash = c[i].hash;
			want.report = c[i].report;
			want.queue = vnh_rss_select_queue(rss, c[i].hash,
							  c[i].report);
		}
		CHECK(n == sizeof(frame), "%s: read %zd", c[i].what, n);
		if (n != sizeof(frame))
			continue;
		CHECK(o.from_kernel == c[i].from_kernel &&
		      res.hash == want.hash && res.report == want.report &&
		      res.queue == want.queue,
		      "%s: from_kernel %d hash 0x%08x %s queue %u, expected %d 0x%08x %s %u",
		      c[i].what, o.from_kernel, res.hash,
		      vnh_report_name(res.report), res.queue, c[i].from_kernel,
		      want.hash, vnh_report_name(want.report), want.queue);
		/* Fields left alone come back as zeros, the rest as read. */
		CHECK(c[i].fill == 0xa5 ? !out.hash_value && !out.hash_report :
		      !memcmp(&out, &hdr, 20), "%s: header handed back", c[i].what);
		printf("  %-26s from_kernel %d, hash 0x%08x %s queue %u\n",
		       c[i].what, o.from_kernel, res.hash,
		       vnh_report_name(res.report), res.queue);
	}
	vnh_rss_free(rss);
}

int main(int argc, char **argv)
{
	struct vnh_steer_features f = { .sz = sizeof(f) };
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 3000;

	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return 77;
	}
	if (unshare(CLONE_NEWNET)) {
		printf("SKIP: no private network namespace: %s\n", strerror(errno));
		return 77;
	}
	if (access("/dev/net/tun", R_OK | W_OK)) {
		printf("SKIP: no /dev/net/tun\n");
		return 77;
	}
	vnh_steer_probe(&f);
	printf("kernel: steering program %s, hash-report kfunc %s\n",
	       f.steering_prog > 0 ? "yes" : "no", f.hash_kfunc > 0 ? "yes" : "no");
	if (f.steering_prog <= 0) {
		printf("SKIP: no TUNSETSTEERINGEBPF\n");
		return 77;
	}
	header_cases();
	run(0, 0, f.hash_kfunc > 0, 0, n);
	run(1, 0, f.hash_kfunc > 0, 0, n / 2);
	run(1, 1, f.hash_kfunc > 0, 0, n / 2);
	run(0, 0, f.hash_kfunc > 0, 1, n / 4);
	if (failures) {
		printf("FAIL: %lu checks failed\n", failures);
		return 1;
	}
	printf("PASS\n");
	return 0;
}
