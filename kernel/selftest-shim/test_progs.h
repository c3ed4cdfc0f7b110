/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal stand-in for tools/testing/selftests/bpf/test_progs.h, enough to
 * build and run prog_tests/tun_vnet_hash.c (kernel patch 0005) on its own,
 * without building all of selftests/bpf. Only what that test uses.
 */
#ifndef VNETHASH_SHIM_TEST_PROGS_H
#define VNETHASH_SHIM_TEST_PROGS_H

#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <endian.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

extern int shim_failures;
extern const char *shim_subtest;

bool test__start_subtest(const char *name);

#define SHIM_FAIL(name, fmt, ...)					\
	do {								\
		shim_failures++;					\
		fprintf(stderr, "%s:%d: %s%s%s: " fmt "\n", __FILE__,	\
			__LINE__, shim_subtest ? shim_subtest : "",	\
			shim_subtest ? ": " : "", (name), ##__VA_ARGS__); \
	} while (0)

#define ASSERT_TRUE(actual, name) ({					\
	bool ___ok = (actual);						\
	if (!___ok)							\
		SHIM_FAIL(name, "unexpected false");			\
	___ok;								\
})

#define ASSERT_EQ(actual, expected, name) ({				\
	typeof(actual) ___act = (actual);				\
	typeof(expected) ___exp = (expected);				\
	bool ___ok = ___act == ___exp;					\
	if (!___ok)							\
		SHIM_FAIL(name, "actual %lld != expected %lld",		\
			  (long long)___act, (long long)___exp);	\
	___ok;								\
})

#define ASSERT_ERR(res, name) ({					\
	long long ___res = (res);					\
	bool ___ok = ___res < 0;					\
	if (!___ok)							\
		SHIM_FAIL(name, "unexpected success: %lld", ___res);	\
	___ok;								\
})

#define ASSERT_OK(res, name) ({						\
	long long ___res = (res);					\
	bool ___ok = ___res == 0;					\
	if (!___ok)							\
		SHIM_FAIL(name, "unexpected error: %lld (errno %d)",	\
			  ___res, errno);				\
	___ok;								\
})

#define ASSERT_OK_FD(fd, name) ({					\
	int ___fd = (fd);						\
	bool ___ok = ___fd >= 0;					\
	if (!___ok)							\
		SHIM_FAIL(name, "unexpected fd: %d (errno %d)",		\
			  ___fd, errno);				\
	___ok;								\
})

#define ASSERT_OK_PTR(ptr, name) ({					\
	const void *___res = (ptr);					\
	bool ___ok = ___res && !libbpf_get_error(___res);		\
	if (!___ok)							\
		SHIM_FAIL(name, "unexpected pointer: %p", ___res);	\
	___ok;								\
})

#define SYS(goto_label, fmt, ...)					\
	({								\
		char cmd[1024];						\
		snprintf(cmd, sizeof(cmd), fmt, ##__VA_ARGS__);		\
		if (!ASSERT_OK(system(cmd), cmd))			\
			goto goto_label;				\
	})

#define SYS_NOFAIL(fmt, ...)						\
	({								\
		char cmd[1024];						\
		snprintf(cmd, sizeof(cmd), fmt " >/dev/null 2>&1",	\
			 ##__VA_ARGS__);				\
		system(cmd);						\
	})

struct netns_obj;
struct netns_obj *netns_new(const char *name, bool open);
void netns_free(struct netns_obj *netns);

#endif
