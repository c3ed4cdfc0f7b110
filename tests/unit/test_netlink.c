// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lib/netlink.c: vnh_tun_info() on devices made for the test, in a child
 * process with its own network namespace (and its own user namespace when
 * not root, so no privileges are needed): a multiqueue tap and a
 * single-queue persistent tun with packet information, compared with the
 * flags they were made with; and the answers for devices that are not
 * tun/tap or not there.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"
#include "internal.h"

struct child_report {
	int err;		/* setting up failed: -errno (then skip) */
	int tap_ret, tun_ret, tun_later_ret;
	struct vnh_tun_info tap, tun, tun_later;
};

static int open_queue(const char *name, int flags)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = (short)flags;
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void child(int out)
{
	struct child_report r;
	int q1, q2, q3, tun;

	memset(&r, 0, sizeof(r));
	r.tap.sz = sizeof(r.tap);
	r.tun.sz = sizeof(r.tun);
	r.tun_later.sz = sizeof(r.tun_later);
	if (unshare(geteuid() ? CLONE_NEWUSER | CLONE_NEWNET : CLONE_NEWNET)) {
		r.err = -errno;
		goto out;
	}
	/* A tap with three queues, one of them detached. */
	q1 = open_queue("vnhut0", IFF_TAP | IFF_NO_PI | IFF_VNET_HDR |
			IFF_MULTI_QUEUE);
	q2 = open_queue("vnhut0", IFF_TAP | IFF_NO_PI | IFF_VNET_HDR |
			IFF_MULTI_QUEUE);
	q3 = open_queue("vnhut0", IFF_TAP | IFF_NO_PI | IFF_VNET_HDR |
			IFF_MULTI_QUEUE);
	if (q1 < 0 || q2 < 0 || q3 < 0) {
		r.err = q1 < 0 ? q1 : q2 < 0 ? q2 : q3;
		goto out;
	}
	{
		struct ifreq ifr = { .ifr_flags = IFF_DETACH_QUEUE };

		if (ioctl(q3, TUNSETQUEUE, &ifr)) {
			r.err = -errno;
			goto out;
		}
	}
	r.tap_ret = vnh_tun_info("vnhut0", &r.tap);
	/* A tun with packet information, single queue, persistent. */
	tun = open_queue("vnhut1", IFF_TUN);
	if (tun < 0) {
		r.err = tun;
		goto out;
	}
	if (ioctl(tun, TUNSETPERSIST, 1)) {
		r.err = -errno;
		goto out;
	}
	r.tun_ret = vnh_tun_info("vnhut1", &r.tun);
	/* Still there with no queue open. */
	close(tun);
	r.tun_later_ret = vnh_tun_info("vnhut1", &r.tun_later);
out:
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	_exit(0);
}

static void test_own_devices(void **state)
{
	struct child_report r;
	int p[2], status;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		child(p[1]);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &r, sizeof(r)), (ssize_t)sizeof(r));
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (r.err) {
		print_message("no network namespace with a tun device here: %s\n",
			      strerror(-r.err));
		skip();
	}

	assert_int_equal(r.tap_ret, 0);
	assert_int_equal(r.tap.mode, VNH_STEER_MODE_ETH);
	assert_int_equal(r.tap.pi, 0);
	assert_int_equal(r.tap.vnet_hdr, 1);
	assert_int_equal(r.tap.multi_queue, 1);
	assert_int_equal(r.tap.persist, 0);
	assert_int_equal(r.tap.num_queues, 2);
	assert_int_equal(r.tap.num_disabled_queues, 1);
	assert_int_equal(r.tap.owner, -1);
	assert_int_equal(r.tap.group, -1);

	assert_int_equal(r.tun_ret, 0);
	assert_int_equal(r.tun.mode, VNH_STEER_MODE_L3);
	assert_int_equal(r.tun.pi, 1);
	assert_int_equal(r.tun.vnet_hdr, 0);
	assert_int_equal(r.tun.multi_queue, 0);
	assert_int_equal(r.tun.persist, 1);
	/* Single queue: tun reports no queue counts. */
	assert_int_equal(r.tun.num_queues, -1);
	assert_int_equal(r.tun.num_disabled_queues, -1);

	assert_int_equal(r.tun_later_ret, 0);
	assert_int_equal(r.tun_later.mode, VNH_STEER_MODE_L3);
	assert_int_equal(r.tun_later.persist, 1);
}

static void test_not_tun(void **state)
{
	struct vnh_tun_info ti, before;

	(void)state;
	memset(&ti, 0x5a, sizeof(ti));
	ti.sz = sizeof(ti);
	before = ti;
	/* The loopback device is no tun/tap; *info untouched. */
	assert_int_equal(vnh_tun_info("lo", &ti), -ENOTTY);
	assert_memory_equal(&ti, &before, sizeof(ti));
	assert_int_equal(vnh_tun_info("vnhnosuch0", &ti), -ENODEV);
	assert_memory_equal(&ti, &before, sizeof(ti));
}

static void test_arguments(void **state)
{
	struct vnh_tun_info ti = { .sz = sizeof(ti) };

	(void)state;
	assert_int_equal(vnh_tun_info(NULL, &ti), -EINVAL);
	assert_int_equal(vnh_tun_info("lo", NULL), -EINVAL);
	ti.sz = sizeof(size_t) - 1;
	assert_int_equal(vnh_tun_info("lo", &ti), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_devices),
		cmocka_unit_test(test_not_tun),
		cmocka_unit_test(test_arguments),
	};

	return cmocka_run_group_tests_name("netlink", tests, NULL, NULL);
}
