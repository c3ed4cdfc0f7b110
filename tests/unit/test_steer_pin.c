// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lib/steer_pin.c, the path handling: which names vnh_steer_unpin()
 * removes and what it says about the rest, refusing to pin over existing
 * pins, creating the directory (and its parents) and removing it again
 * when pinning fails, names too long. On a plain directory, no bpffs and
 * no privileges; tests/bpf and tests/tap pin for real.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "internal.h"

static const char *const pins[] = { "prog", "config", "stats", "debug" };

/* @dir/@name in @buf; the test's paths always fit. */
static void join(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	assert_true(n > 0 && (size_t)n < size);
}

static int setup(void **state)
{
	char *dir = strdup("/tmp/vnh-unit-pin-XXXXXX");

	assert_non_null(dir);
	assert_non_null(mkdtemp(dir));
	*state = dir;
	return 0;
}

/* rm -r of what the tests made (two levels at most). */
static void remove_tree(const char *dir)
{
	char cmd[PATH_MAX + 16];

	int n = snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);

	assert_true(n > 0 && (size_t)n < sizeof(cmd));
	assert_int_equal(system(cmd), 0);
}

static int teardown(void **state)
{
	remove_tree(*state);
	free(*state);
	return 0;
}

static void touch(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	join(path, sizeof(path), dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
}

static int exists(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (name)
		join(path, sizeof(path), dir, name);
	else
		join(path, sizeof(path), dir, ".");
	return access(path, F_OK) == 0;
}

static void test_unpin_all(void **state)
{
	char dir[PATH_MAX];
	size_t i;

	join(dir, sizeof(dir), (char *)*state, "tap0");
	assert_int_equal(mkdir(dir, 0700), 0);
	for (i = 0; i < 4; i++)
		touch(dir, pins[i]);
	assert_int_equal(vnh_steer_unpin(dir), 0);
	assert_false(exists(dir, NULL));
}

/* Some pins left (an interrupted unpin): the rest goes, and the dir. */
static void test_unpin_some(void **state)
{
	char dir[PATH_MAX];

	join(dir, sizeof(dir), (char *)*state, "tap0");
	assert_int_equal(mkdir(dir, 0700), 0);
	touch(dir, "stats");
	assert_int_equal(vnh_steer_unpin(dir), 0);
	assert_false(exists(dir, NULL));
}

/* Nothing pinned: -ENOENT, whether or not the directory is there. */
static void test_unpin_nothing(void **state)
{
	char dir[PATH_MAX];

	join(dir, sizeof(dir), (char *)*state, "tap0");
	assert_int_equal(vnh_steer_unpin(dir), -ENOENT);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(vnh_steer_unpin(dir), -ENOENT);
	assert_false(exists(dir, NULL));
}

/* Files that are not ours stay, and so does the directory. */
static void test_unpin_foreign_file(void **state)
{
	char dir[PATH_MAX];
	size_t i;

	join(dir, sizeof(dir), (char *)*state, "tap0");
	assert_int_equal(mkdir(dir, 0700), 0);
	for (i = 0; i < 4; i++)
		touch(dir, pins[i]);
	touch(dir, "notes");
	assert_int_equal(vnh_steer_unpin(dir), -ENOTEMPTY);
	for (i = 0; i < 4; i++)
		assert_false(exists(dir, pins[i]));
	assert_true(exists(dir, "notes"));
}

static void test_pin_refuses_existing(void **state)
{
	struct vnh_steer *s = vnh_steer_alloc();
	char dir[PATH_MAX];

	assert_non_null(s);
	join(dir, sizeof(dir), (char *)*state, "tap0");
	assert_int_equal(mkdir(dir, 0700), 0);
	touch(dir, "debug");
	assert_int_equal(vnh_steer_pin(s, dir), -EEXIST);
	/* Checked before anything is made. */
	assert_false(exists(dir, "prog"));
	assert_true(exists(dir, "debug"));
	vnh_steer_free(s);
}

/*
 * The directory and its parents are made; when a pin fails (no program
 * here: its fds are -1), the pin directory goes again, its parents stay.
 */
static void test_pin_failure_cleans_up(void **state)
{
	struct vnh_steer *s = vnh_steer_alloc();
	char parent[PATH_MAX], dir[PATH_MAX];
	int err;

	assert_non_null(s);
	assert_int_equal(vnh_steer_prog_fd(s), -1);
	join(parent, sizeof(parent), (char *)*state, "a/b");
	join(dir, sizeof(dir), parent, "tap0");
	err = vnh_steer_pin(s, dir);
	assert_true(err < 0);
	assert_int_not_equal(err, -EEXIST);
	assert_int_not_equal(err, -ENAMETOOLONG);
	assert_true(exists(parent, NULL));
	assert_false(exists(dir, NULL));
	vnh_steer_free(s);
}

static void test_names_too_long(void **state)
{
	struct vnh_steer *s = vnh_steer_alloc();
	char *dir = malloc(PATH_MAX);

	(void)state;
	assert_non_null(s);
	assert_non_null(dir);
	/* Room for the directory, not for "<dir>/prog". */
	memset(dir, 'd', PATH_MAX - 3);
	dir[0] = '/';
	dir[PATH_MAX - 3] = '\0';
	assert_int_equal(vnh_steer_unpin(dir), -ENAMETOOLONG);
	assert_int_equal(vnh_steer_pin(s, dir), -ENAMETOOLONG);
	free(dir);
	vnh_steer_free(s);
}

static void test_arguments(void **state)
{
	struct vnh_steer *s = vnh_steer_alloc(), *out = NULL;

	(void)state;
	assert_non_null(s);
	assert_int_equal(vnh_steer_pin(NULL, "/tmp"), -EINVAL);
	assert_int_equal(vnh_steer_pin(s, NULL), -EINVAL);
	assert_int_equal(vnh_steer_unpin(NULL), -EINVAL);
	assert_int_equal(vnh_steer_open_pinned(NULL, &out), -EINVAL);
	assert_int_equal(vnh_steer_open_pinned("/tmp", NULL), -EINVAL);
	assert_null(out);
	vnh_steer_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unpin_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpin_some, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpin_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpin_foreign_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_refuses_existing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_failure_cleans_up, setup, teardown),
		cmocka_unit_test(test_names_too_long),
		cmocka_unit_test(test_arguments),
	};

	return cmocka_run_group_tests_name("steer_pin", tests, NULL, NULL);
}
