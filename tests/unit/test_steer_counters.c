// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lib/steer_counters.c without a loaded program: argument checks, and a
 * failed read leaving the caller's counters as they were. Counting itself
 * is tested in tests/bpf (root), against frames sent.
 */
#include <errno.h>
#include <string.h>

#include "util.h"
#include "internal.h"

static void test_arguments(void **state)
{
	struct vnh_steer *s = vnh_steer_alloc();
	struct vnh_steer_counters c = { .sz = sizeof(c) };

	(void)state;
	assert_non_null(s);
	assert_int_equal(vnh_steer_read_counters(NULL, &c), -EINVAL);
	assert_int_equal(vnh_steer_read_counters(s, NULL), -EINVAL);
	c.sz = sizeof(size_t) - 1;
	assert_int_equal(vnh_steer_read_counters(s, &c), -EINVAL);
	assert_int_equal(vnh_steer_reset_counters(NULL), -EINVAL);
	vnh_steer_free(s);
}

/* No map behind the object (its fds are -1): an error, *c untouched. */
static void test_failed_read(void **state)
{
	struct vnh_steer *s = vnh_steer_alloc();
	struct vnh_steer_counters c, before;

	(void)state;
	assert_non_null(s);
	memset(&c, 0x5a, sizeof(c));
	c.sz = sizeof(c);
	before = c;
	assert_true(vnh_steer_read_counters(s, &c) < 0);
	assert_memory_equal(&c, &before, sizeof(c));
	assert_true(vnh_steer_reset_counters(s) < 0);
	vnh_steer_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_failed_read),
	};

	return cmocka_run_group_tests_name("steer_counters", tests, NULL, NULL);
}
