// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lib/probe.c: vnh_steer_probe() against what the kernel's BTF files hold
 * (a name that is not among their strings cannot have been found there),
 * its answers within their ranges, and the sized-struct contract: a caller
 * with a shorter struct gets nothing written past its size.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "internal.h"

/* Is "\0@name\0" in the file (a BTF string table entry)? -1: unreadable. */
static int file_has_name(const char *path, const char *name)
{
	char needle[64];
	size_t n = strlen(name) + 2, len = 0, cap = 1 << 20;
	char *buf;
	FILE *f = fopen(path, "rb");
	int found;

	if (!f)
		return -1;
	buf = malloc(cap);
	assert_non_null(buf);
	for (;;) {
		size_t got = fread(buf + len, 1, cap - len, f);

		len += got;
		if (len < cap)
			break;
		cap *= 2;
		buf = realloc(buf, cap);
		assert_non_null(buf);
	}
	fclose(f);
	needle[0] = '\0';
	memcpy(needle + 1, name, n - 2);
	needle[n - 1] = '\0';
	found = memmem(buf, len, needle, n) != NULL;
	free(buf);
	return found;
}

static int btf_has_name(const char *name)
{
	int v = file_has_name("/sys/kernel/btf/vmlinux", name);
	int t = file_has_name("/sys/kernel/btf/tun", name);

	return v == 1 || t == 1 ? 1 : v;
}

static void test_against_btf(void **state)
{
	struct vnh_steer_features f;
	int kfunc = btf_has_name("bpf_tun_vnet_hash_set");
	int prog_type = file_has_name("/sys/kernel/btf/vmlinux",
				      "BPF_PROG_TYPE_VNET_HASH");
	int native = btf_has_name("tun_vnet_hash");

	(void)state;
	memset(&f, 0x5a, sizeof(f));
	f.sz = sizeof(f);
	assert_int_equal(vnh_steer_probe(&f), 0);
	assert_int_equal(f.sz, sizeof(f));
	/* 1 yes, 0 no, or a negative errno where it could not be told. */
	assert_true(f.steering_prog == 1 || f.steering_prog <= 0);
	assert_true(f.hash_kfunc == 1 || f.hash_kfunc <= 0);
	assert_true(f.prog_type_vnet_hash == 1 || f.prog_type_vnet_hash <= 0);
	assert_true(f.native_hash == 1 || f.native_hash <= 0);
	assert_non_null(memchr(f.hash_kfunc_btf, '\0',
			       sizeof(f.hash_kfunc_btf)));
	if (kfunc < 0) {
		/* No kernel BTF: every BTF answer is that errno. */
		assert_true(f.hash_kfunc < 0);
		assert_int_equal(f.prog_type_vnet_hash, f.hash_kfunc);
		assert_int_equal(f.native_hash, f.hash_kfunc);
		return;
	}
	if (!kfunc)
		assert_int_equal(f.hash_kfunc, 0);
	if (f.hash_kfunc == 1)
		assert_true(!strcmp(f.hash_kfunc_btf, "vmlinux") ||
			    !strcmp(f.hash_kfunc_btf, "tun"));
	else
		assert_string_equal(f.hash_kfunc_btf, "");
	if (!prog_type)
		assert_int_equal(f.prog_type_vnet_hash, 0);
	if (!native)
		assert_int_equal(f.native_hash, 0);
	/* The cached answer vnh_tap_read() uses agrees. */
	assert_int_equal(vnh_kfunc_present(), f.hash_kfunc == 1);
	/*
	 * The program loaded here: it can report only where the kfunc is in
	 * BTF (libbpf resolves it from nowhere else); unloaded (no privileges),
	 * it names no build.
	 */
	assert_true(f.prog_reports == 1 || f.prog_reports <= 0);
	if (!kfunc)
		assert_true(f.prog_reports <= 0);
	if (f.prog_reports >= 0)
		assert_true(f.prog_variant == VNH_STEER_VARIANT_KFUNC ||
			    f.prog_variant == VNH_STEER_VARIANT_NO_KFUNC);
	else
		assert_int_equal(f.prog_variant, VNH_STEER_VARIANT_AUTO);
	if (f.prog_reports == 1)
		assert_int_equal(f.prog_variant, VNH_STEER_VARIANT_KFUNC);
	/* The kfunc build fell back only if there is a reason. */
	assert_true(f.prog_kfunc_load_err <= 0);
	if (f.prog_variant == VNH_STEER_VARIANT_NO_KFUNC)
		assert_true(f.prog_kfunc_load_err < 0);
}

static void test_shorter_struct(void **state)
{
	struct vnh_steer_features f;
	size_t sz = offsetof(struct vnh_steer_features, hash_kfunc);
	const unsigned char *p = (const unsigned char *)&f;
	size_t i;

	(void)state;
	memset(&f, 0x5a, sizeof(f));
	f.sz = sz;
	assert_int_equal(vnh_steer_probe(&f), 0);
	assert_int_equal(f.sz, sz);
	assert_true(f.steering_prog == 1 || f.steering_prog <= 0);
	for (i = sz; i < sizeof(f); i++)
		assert_int_equal(p[i], 0x5a);
}

static void test_arguments(void **state)
{
	struct vnh_steer_features f = { .sz = sizeof(size_t) - 1 };

	(void)state;
	assert_int_equal(vnh_steer_probe(NULL), -EINVAL);
	assert_int_equal(vnh_steer_probe(&f), -EINVAL);
	/* Not a program: the kernel says so. */
	assert_true(vnh_prog_calls_kfunc(-1, NULL, NULL) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_btf),
		cmocka_unit_test(test_shorter_struct),
		cmocka_unit_test(test_arguments),
	};

	return cmocka_run_group_tests_name("probe", tests, NULL, NULL);
}
