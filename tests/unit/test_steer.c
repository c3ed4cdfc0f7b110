// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lib/steer.c without loading the program: what load and attach refuse
 * before they touch the kernel (bad options, a configuration the device
 * cannot take), and the queue calls on an fd that is no tun/tap. Loading,
 * attaching and running the program are tested in tests/bpf (root).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "util.h"
#include "internal.h"

static void test_load_refuses(void **state)
{
	struct vnh_rss *rss = vnh_rss_new();
	struct vnh_steer_opts o = { .sz = sizeof(o) };
	struct {
		struct vnh_steer_opts o;
		uint64_t more;
	} big = { .o = { .sz = sizeof(big) }, .more = 0 };
	struct vnh_steer *s = NULL;

	(void)state;
	assert_non_null(rss);
	assert_int_equal(vnh_steer_load(rss, NULL, NULL), -EINVAL);
	assert_int_equal(vnh_steer_load(NULL, NULL, &s), -EINVAL);
	o.mode = VNH_STEER_MODE_L3 + 1;
	assert_int_equal(vnh_steer_load(rss, &o, &s), -EINVAL);
	o.mode = -1;
	assert_int_equal(vnh_steer_load(rss, &o, &s), -EINVAL);
	o.mode = VNH_STEER_MODE_ETH;
	o.sz = sizeof(size_t) - 1;
	assert_int_equal(vnh_steer_load(rss, &o, &s), -EINVAL);
	/* Options of a newer caller: unknown fields must be zero. */
	big.more = 1;
	assert_int_equal(vnh_steer_load(rss, &big.o, &s), -EINVAL);
	/* A build that does not exist. */
	o.variant = VNH_STEER_VARIANT_NO_KFUNC + 1;
	assert_int_equal(vnh_steer_load(rss, &o, &s), -EINVAL);
	o.variant = -1;
	assert_int_equal(vnh_steer_load(rss, &o, &s), -EINVAL);
	o.variant = VNH_STEER_VARIANT_AUTO;
	assert_null(s);
	assert_int_equal(vnh_steer_reports(NULL), -EINVAL);
	/* A configuration naming queue 5 on a device of 4. */
	assert_int_equal(vnh_rss_set_spread(rss, 6, 8), 0);
	o.sz = sizeof(o);
	o.max_queues = 4;
	assert_int_equal(vnh_steer_load(rss, &o, &s), -ERANGE);
	assert_null(s);
	vnh_rss_free(rss);
}

static void test_attach_refuses(void **state)
{
	struct vnh_rss *rss = vnh_rss_new();
	struct vnh_steer_opts o = { .sz = sizeof(o) };
	struct vnh_steer *s = NULL;
	int p[2];

	(void)state;
	assert_non_null(rss);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(vnh_steer_attach(-1, rss, NULL, &s), -EINVAL);
	assert_int_equal(vnh_steer_attach(p[0], rss, NULL, NULL), -EINVAL);
	/* AUTO asks the fd what it is: a pipe is no tun/tap. */
	assert_int_equal(vnh_steer_attach(p[0], rss, NULL, &s), -ENOTTY);
	assert_int_equal(vnh_steer_attach(p[0], rss, &o, &s), -ENOTTY);
	/* Bad options come first. */
	o.mode = 9;
	assert_int_equal(vnh_steer_attach(p[0], rss, &o, &s), -EINVAL);
	o.mode = VNH_STEER_MODE_ETH;
	o.max_queues = 1;
	assert_int_equal(vnh_rss_set_spread(rss, 2, 2), 0);
	assert_int_equal(vnh_steer_attach(p[0], rss, &o, &s), -ERANGE);
	assert_null(s);
	close(p[0]);
	close(p[1]);
	vnh_rss_free(rss);
}

static void test_queue_calls(void **state)
{
	struct vnh_steer *s = vnh_steer_alloc();
	int p[2];

	(void)state;
	assert_non_null(s);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(vnh_steer_attach_queue(NULL, p[0]), -EINVAL);
	assert_int_equal(vnh_steer_attach_queue(s, -1), -EINVAL);
	assert_int_equal(vnh_steer_attach_queue(s, p[0]), -ENOTTY);
	assert_int_equal(vnh_steer_detach(-1), -EINVAL);
	assert_int_equal(vnh_steer_detach(p[0]), -ENOTTY);
	assert_int_equal(vnh_steer_detach(1000), -EBADF);
	close(p[0]);
	close(p[1]);
	vnh_steer_free(s);
}

static void test_object(void **state)
{
	struct vnh_steer *s = vnh_steer_alloc();
	struct vnh_result res;
	uint8_t frame[64] = { 0 };

	(void)state;
	assert_non_null(s);
	assert_int_equal(vnh_steer_prog_fd(NULL), -EINVAL);
	assert_int_equal(vnh_steer_prog_fd(s), -1);
	assert_int_equal(vnh_steer_test_run(NULL, frame, sizeof(frame), &res),
			 -EINVAL);
	assert_int_equal(vnh_steer_test_run(s, NULL, sizeof(frame), &res),
			 -EINVAL);
	assert_int_equal(vnh_steer_test_run(s, frame, sizeof(frame), NULL),
			 -EINVAL);
	if (SIZE_MAX > UINT32_MAX)
		assert_int_equal(vnh_steer_test_run(s, frame,
						    (size_t)UINT32_MAX + 1,
						    &res), -EINVAL);
	vnh_steer_free(s);
	vnh_steer_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_refuses),
		cmocka_unit_test(test_attach_refuses),
		cmocka_unit_test(test_queue_calls),
		cmocka_unit_test(test_object),
	};

	return cmocka_run_group_tests_name("steer", tests, NULL, NULL);
}
