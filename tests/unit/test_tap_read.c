// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lib/tap_read.c: vnh_tap_read() on a pipe, which hands over bytes as a tap
 * queue does (vnet header, tun_pi, frame in one read): the hash and queue
 * from the kernel's header where it reported one, from the library where
 * not; the header handed back; its argument checks. Expected hashes are the
 * bit-by-bit Toeplitz of tuples built here (util.h); expected queues are
 * worked out from the table --queues 4 builds (entry i = i % 4).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util.h"
#include "internal.h"

#define QUEUES		4
#define TABLE_LEN	128
#define UNCLASSIFIED	3

struct fixture {
	int fd[2];
	struct vnh_rss *rss;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(pipe2(f->fd, O_NONBLOCK | O_CLOEXEC), 0);
	f->rss = vnh_rss_new();
	assert_non_null(f->rss);
	assert_int_equal(vnh_rss_set_spread(f->rss, QUEUES, TABLE_LEN), 0);
	assert_int_equal(vnh_rss_set_unclassified(f->rss, UNCLASSIFIED), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	close(f->fd[0]);
	close(f->fd[1]);
	vnh_rss_free(f->rss);
	free(f);
	return 0;
}

static uint16_t queue_of(uint32_t hash)
{
	return (uint16_t)((hash & (TABLE_LEN - 1)) % QUEUES);
}

/* What a queue holds: @pre bytes (vnet header and/or tun_pi), a frame. */
static void put(struct fixture *f, const void *pre, size_t pre_len,
		const void *frame, size_t len)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)pre, .iov_len = pre_len },
		{ .iov_base = (void *)frame, .iov_len = len },
	};

	assert_int_equal(writev(f->fd[1], iov, 2), (ssize_t)(pre_len + len));
}

/* A 20-byte header: flags/gso fields set, hash fields as given. */
static void make_hdr(uint8_t hdr[20], const uint8_t hash_fields[8])
{
	size_t i;

	for (i = 0; i < 12; i++)
		hdr[i] = (uint8_t)(0x40 + i);
	memcpy(hdr + 12, hash_fields, 8);
}

static void le_fields(uint8_t out[8], uint32_t hash, uint16_t report)
{
	out[0] = (uint8_t)hash;
	out[1] = (uint8_t)(hash >> 8);
	out[2] = (uint8_t)(hash >> 16);
	out[3] = (uint8_t)(hash >> 24);
	out[4] = (uint8_t)report;
	out[5] = (uint8_t)(report >> 8);
	out[6] = 0;
	out[7] = 0;
}

/* The library's hash of sample_v4_tcp(): TCPv4 over the tuple. */
static uint32_t v4_tcp_hash(void)
{
	uint8_t tup[VNH_HASH_INPUT_MAX];
	size_t n = tuple4(tup, V4_S, V4_D, 1, SPORT, DPORT);

	return ref_hash(tup, n);
}

/* @res is the library's result for sample_v4_tcp(), not the kernel's. */
static void expect_computed(const struct vnh_result *res,
			    const struct vnh_tap_read_opts *o)
{
	uint32_t want = v4_tcp_hash();

	assert_int_equal(res->hash, want);
	assert_int_equal(res->report, VNH_REPORT_TCPV4);
	assert_int_equal(res->queue, queue_of(want));
	assert_int_equal(o->from_kernel, 0);
}

static struct vnh_tap_read_opts eth_opts(size_t hdr_sz, int report,
					 struct virtio_net_hdr_v1_hash *h)
{
	struct vnh_tap_read_opts o = { .sz = sizeof(o) };

	o.vnet_hdr_sz = hdr_sz;
	o.mode = VNH_STEER_MODE_ETH;
	o.report = report;
	o.hdr = h;
	o.from_kernel = -1;
	return o;
}

static void test_kernel_report(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr_v1_hash h;
	struct vnh_tap_read_opts o = eth_opts(20, VNH_TAP_REPORT_OFF, &h);
	uint8_t frame[128], buf[2048], hdr[20], fields[8];
	struct vnh_result res;
	size_t len = sample_v4_tcp(frame);

	le_fields(fields, 0x89abcdef, VNH_REPORT_UDPV6);
	make_hdr(hdr, fields);
	put(f, hdr, sizeof(hdr), frame, len);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), (ssize_t)len);
	assert_memory_equal(buf, frame, len);
	/* The kernel's word, whatever the frame holds. */
	assert_int_equal(res.hash, 0x89abcdef);
	assert_int_equal(res.report, VNH_REPORT_UDPV6);
	assert_int_equal(res.queue, queue_of(0x89abcdef));
	assert_int_equal(o.from_kernel, 1);
	assert_memory_equal(&h, hdr, sizeof(hdr));
}

/* Fields left as the prefill made them: computed, handed back as zeros. */
static void test_untouched_fields(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr_v1_hash h;
	struct vnh_tap_read_opts o = eth_opts(20, VNH_TAP_REPORT_ON, &h);
	uint8_t frame[128], buf[2048], hdr[20], fields[8], zero[8] = { 0 };
	struct vnh_result res;
	size_t len = sample_v4_tcp(frame);

	memset(fields, 0xa5, sizeof(fields));
	make_hdr(hdr, fields);
	put(f, hdr, sizeof(hdr), frame, len);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), (ssize_t)len);
	expect_computed(&res, &o);
	assert_memory_equal(&h, hdr, 12);
	assert_memory_equal((uint8_t *)&h + 12, zero, 8);
}

/* All zero: report NONE if the caller says the device reports, else not. */
static void test_zero_fields(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr_v1_hash h;
	struct vnh_tap_read_opts o = eth_opts(20, VNH_TAP_REPORT_ON, &h);
	uint8_t frame[128], buf[2048], hdr[20], zero[8] = { 0 };
	struct vnh_result res;
	size_t len = sample_v4_tcp(frame);

	make_hdr(hdr, zero);
	put(f, hdr, sizeof(hdr), frame, len);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), (ssize_t)len);
	assert_int_equal(res.hash, 0);
	assert_int_equal(res.report, VNH_REPORT_NONE);
	assert_int_equal(res.queue, UNCLASSIFIED);
	assert_int_equal(o.from_kernel, 1);

	o = eth_opts(20, VNH_TAP_REPORT_OFF, &h);
	put(f, hdr, sizeof(hdr), frame, len);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), (ssize_t)len);
	expect_computed(&res, &o);
	assert_memory_equal(&h, hdr, sizeof(hdr));
}

/* A report type no kernel writes: not the kernel's, computed. */
static void test_unknown_report_type(void **state)
{
	struct fixture *f = *state;
	struct vnh_tap_read_opts o = eth_opts(20, VNH_TAP_REPORT_ON, NULL);
	uint8_t frame[128], buf[2048], hdr[20], fields[8];
	struct vnh_result res;
	size_t len = sample_v4_tcp(frame);

	le_fields(fields, 0x1234, VNH_REPORT_MAX + 1);
	make_hdr(hdr, fields);
	put(f, hdr, sizeof(hdr), frame, len);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), (ssize_t)len);
	expect_computed(&res, &o);
}

/* 12-byte header (no hash fields) and no header at all. */
static void test_header_sizes(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr_v1_hash h;
	struct vnh_tap_read_opts o = eth_opts(12, VNH_TAP_REPORT_ON, &h);
	uint8_t frame[128], buf[2048], hdr[20], zero[8] = { 0 };
	struct vnh_result res;
	size_t len = sample_v4_tcp(frame);

	make_hdr(hdr, zero);
	put(f, hdr, 12, frame, len);
	memset(&h, 0xee, sizeof(h));
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), (ssize_t)len);
	assert_memory_equal(buf, frame, len);
	expect_computed(&res, &o);
	assert_memory_equal(&h, hdr, 12);
	assert_memory_equal((uint8_t *)&h + 12, zero, 8);

	o = eth_opts((size_t)-1, VNH_TAP_REPORT_ON, &h);
	put(f, NULL, 0, frame, len);
	memset(&h, 0xee, sizeof(h));
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), (ssize_t)len);
	assert_memory_equal(buf, frame, len);
	expect_computed(&res, &o);
	assert_memory_equal(&h, zero, 8);
	assert_memory_equal((uint8_t *)&h + 8, zero, 8);
}

/* tun: IP packets, with tun_pi naming the protocol or without it. */
static void test_tun_packets(void **state)
{
	struct fixture *f = *state;
	struct vnh_tap_read_opts o = { .sz = sizeof(o) };
	uint8_t tup[VNH_HASH_INPUT_MAX], buf[2048];
	struct tun_pi pi = { .flags = 0, .proto = htons(0x0800) };
	struct vnh_result res;
	struct fb v4, v6;
	uint32_t want4, want6;

	fb_init(&v4);
	fb_ipv4(&v4, 5, 17, 0, V4_S, V4_D);
	fb_udp(&v4, SPORT, DPORT);
	want4 = ref_hash(tup, tuple4(tup, V4_S, V4_D, 1, SPORT, DPORT));
	fb_init(&v6);
	fb_ipv6(&v6, 6, V6_S, V6_D);
	fb_tcp(&v6, SPORT, DPORT);
	want6 = ref_hash(tup, tuple6(tup, V6_S, V6_D, 1, SPORT, DPORT));

	o.vnet_hdr_sz = (size_t)-1;
	o.mode = VNH_STEER_MODE_L3;
	o.has_pi = 1;
	o.report = VNH_TAP_REPORT_OFF;
	put(f, &pi, sizeof(pi), v4.d, v4.n);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), (ssize_t)v4.n);
	assert_memory_equal(buf, v4.d, v4.n);
	assert_int_equal(res.hash, want4);
	assert_int_equal(res.report, VNH_REPORT_UDPV4);
	assert_int_equal(res.queue, queue_of(want4));

	/* tun_pi names the protocol, not the version nibble. */
	pi.proto = htons(0x0806);
	put(f, &pi, sizeof(pi), v4.d, v4.n);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), (ssize_t)v4.n);
	assert_int_equal(res.report, VNH_REPORT_NONE);
	assert_int_equal(res.queue, UNCLASSIFIED);

	/* Without tun_pi: the version nibble. */
	o.has_pi = 0;
	put(f, NULL, 0, v6.d, v6.n);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), (ssize_t)v6.n);
	assert_int_equal(res.hash, want6);
	/* All types on: TCPv6_EX wins, over the same tuple without options. */
	assert_int_equal(res.report, VNH_REPORT_TCPV6_EX);
	put(f, NULL, 0, v4.d, v4.n);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), (ssize_t)v4.n);
	assert_int_equal(res.hash, want4);

	/* A tap ignores has_pi: the frame starts right away. */
	o.mode = VNH_STEER_MODE_ETH;
	o.has_pi = 1;
	{
		uint8_t frame[128];
		size_t len = sample_v4_tcp(frame);

		put(f, NULL, 0, frame, len);
		assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf),
					      f->rss, &res, &o), (ssize_t)len);
		assert_int_equal(res.hash, v4_tcp_hash());
	}
}

/* A caller built against a shorter struct: nothing past its size written. */
static void test_older_opts(void **state)
{
	struct fixture *f = *state;
	struct virtio_net_hdr_v1_hash h;
	struct vnh_tap_read_opts o = eth_opts(20, VNH_TAP_REPORT_OFF, &h);
	uint8_t frame[128], buf[2048], hdr[20], fields[8];
	struct vnh_result res;
	size_t len = sample_v4_tcp(frame);

	o.sz = offsetof(struct vnh_tap_read_opts, hdr);
	o.from_kernel = 77;
	memset(&h, 0xee, sizeof(h));
	le_fields(fields, 0x42, VNH_REPORT_IPV4);
	make_hdr(hdr, fields);
	put(f, hdr, sizeof(hdr), frame, len);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), (ssize_t)len);
	assert_int_equal(res.hash, 0x42);
	assert_int_equal(o.from_kernel, 77);
	for (size_t i = 0; i < sizeof(h); i++)
		assert_int_equal(((uint8_t *)&h)[i], 0xee);
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	struct vnh_tap_read_opts o = eth_opts(20, VNH_TAP_REPORT_OFF, NULL);
	struct {
		struct vnh_tap_read_opts o;
		uint64_t more;
	} big;
	struct vnh_result res;
	uint8_t buf[64];

	assert_int_equal(vnh_tap_read(-1, buf, sizeof(buf), f->rss, &res, &o),
			 -EINVAL);
	assert_int_equal(vnh_tap_read(f->fd[0], NULL, 0, f->rss, &res, &o),
			 -EINVAL);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), NULL, &res,
				      &o), -EINVAL);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      NULL, &o), -EINVAL);
	o.vnet_hdr_sz = 257;
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), -EINVAL);
	o = eth_opts(20, VNH_TAP_REPORT_OFF + 1, NULL);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), -EINVAL);
	o = eth_opts(20, -1, NULL);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), -EINVAL);
	o = eth_opts(20, VNH_TAP_REPORT_OFF, NULL);
	o.mode = VNH_STEER_MODE_L3 + 1;
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), -EINVAL);
	o = eth_opts(20, VNH_TAP_REPORT_OFF, NULL);
	o.sz = sizeof(size_t) - 1;
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), -EINVAL);
	/* A newer caller's fields we do not know must be zero. */
	memset(&big, 0, sizeof(big));
	big.o = eth_opts(20, VNH_TAP_REPORT_OFF, NULL);
	big.o.sz = sizeof(big);
	big.more = 1;
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &big.o), -EINVAL);
	/* Asking the fd what it is: a pipe is no tun/tap. */
	o = eth_opts(20, VNH_TAP_REPORT_OFF, NULL);
	o.mode = VNH_STEER_MODE_AUTO;
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), -ENOTTY);
	o = eth_opts(0, VNH_TAP_REPORT_OFF, NULL);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), -ENOTTY);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, NULL), -ENOTTY);
}

static void test_read_errors(void **state)
{
	struct fixture *f = *state;
	struct vnh_tap_read_opts o = eth_opts(20, VNH_TAP_REPORT_OFF, NULL);
	struct vnh_result res;
	uint8_t buf[64], part[5] = { 1, 2, 3, 4, 5 };

	/* Nothing queued on a non-blocking fd. */
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), -EAGAIN);
	/* Less than the header. */
	put(f, part, sizeof(part), NULL, 0);
	assert_int_equal(vnh_tap_read(f->fd[0], buf, sizeof(buf), f->rss,
				      &res, &o), -EIO);
	/* A closed fd. */
	assert_int_equal(vnh_tap_read(1000, buf, sizeof(buf), f->rss, &res,
				      &o), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kernel_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untouched_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_report_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tun_packets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_older_opts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
	};

	return cmocka_run_group_tests_name("tap_read", tests, NULL, NULL);
}
