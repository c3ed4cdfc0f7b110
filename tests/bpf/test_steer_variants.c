// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The two builds of the steering program and what the library says of
 * them (issue 8 items 3 and 4).
 *
 * For each of opts.variant KFUNC, NO_KFUNC and AUTO: load; compare
 * vnh_steer_reports() and vnh_steer_info (reports, variant, kfunc,
 * kfunc_load_err) with expectations taken independently of the library:
 *  - whether the kfunc is in kernel BTF (read here with libbpf's BTF API)
 *    and this process may read module BTF (CAP_SYS_ADMIN), which is when
 *    libbpf resolves the kfunc extern;
 *  - whether the program as the kernel runs it calls a kfunc (its
 *    translated instructions, read here);
 * then run the program on random frames (BPF_PROG_TEST_RUN, debug mode)
 * and require the library's queue, hash and report on every one: both
 * builds steer alike. The no-kfunc build never calls the kfunc (its
 * counters say 0 calls). Pinned and opened again, an instance says the
 * same. Bad arguments: vnh_steer_reports(NULL), an unknown variant.
 *
 * Needs root (BPF, bpffs). Exit 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "vnethash.h"
#include "vnethash_steer.h"
#include "framegen.h"

#define KFUNC "bpf_tun_vnet_hash_set"

static unsigned long failures;

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			printf("FAIL %s:%d: ", __FILE__, __LINE__);	\
			printf(__VA_ARGS__);				\
			printf("\n");					\
			failures++;					\
		}							\
	} while (0)

/* Is KFUNC in vmlinux BTF (1), only in tun's module BTF (2), or not (0)? */
static int kfunc_in_btf(void)
{
	struct btf *vmlinux = btf__parse("/sys/kernel/btf/vmlinux", NULL);
	struct btf *mod;
	int where = 0;

	if (!vmlinux)
		return 0;
	if (btf__find_by_name_kind(vmlinux, KFUNC, BTF_KIND_FUNC) > 0) {
		where = 1;
	} else {
		mod = btf__parse_split("/sys/kernel/btf/tun", vmlinux);
		if (mod && btf__find_by_name_kind(mod, KFUNC, BTF_KIND_FUNC) > 0)
			where = 2;
		btf__free(mod);
	}
	btf__free(vmlinux);
	return where;
}

#define CAP_SYS_ADMIN_BIT 21

/* Is capability @bit in this process's effective set (/proc/self/status)? */
static int have_cap(int bit)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return !!(eff & (1ULL << bit));
}

/* Does the program, as the kernel runs it, call a kfunc? 1, 0, -errno. */
static int xlated_calls_kfunc(int prog_fd)
{
	struct bpf_prog_info info;
	struct bpf_insn *insns;
	__u32 len = sizeof(info), n, i;
	int found = 0;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	n = info.xlated_prog_len / sizeof(*insns);
	if (!n)
		return -ENODATA;
	insns = calloc(n, sizeof(*insns));
	if (!insns)
		return -ENOMEM;
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = n * sizeof(*insns);
	info.xlated_prog_insns = (__u64)(unsigned long)insns;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) {
		free(insns);
		return -errno;
	}
	for (i = 0; i < n; i++)
		if (insns[i].code == (BPF_JMP | BPF_CALL) &&
		    insns[i].src_reg == BPF_PSEUDO_KFUNC_CALL)
			found = 1;
	free(insns);
	return found;
}

/*
 * BPF_PROG_TEST_RUN refuses frames shorter than an Ethernet header, and
 * IPv4 / IPv6 ones whose IP header is not all there (test-steer-diff
 * checks that the library gives those NONE).
 */
static int test_run_takes(const uint8_t *frame, size_t len)
{
	unsigned int et;

	if (len < 14)
		return 0;
	et = (unsigned int)frame[12] << 8 | frame[13];
	return !(et == 0x0800 && len - 14 < 20) &&
	       !(et == 0x86dd && len - 14 < 40);
}

/* Random frames through the program: the library's result on each. */
static void steer_alike(struct vnh_steer *steer, const struct vnh_rss *rss,
			const char *name, unsigned long frames)
{
	static uint8_t frame[FG_FRAME_MAX];
	struct fg_rng r;
	unsigned long i, ran = 0, bad = 0;

	fg_seed(&r, 8);
	for (i = 0; i < frames; i++) {
		struct vnh_result lib, prog;
		enum fg_kind kind;
		size_t len = fg_frame(&r, frame, sizeof(frame), &kind);

		if (!test_run_takes(frame, len))
			continue;
		if (vnh_rss_hash_frame(rss, frame, len, &lib))
			continue;
		if (vnh_steer_test_run(steer, frame, len, &prog)) {
			bad++;
			continue;
		}
		ran++;
		if (prog.queue != lib.queue || prog.hash != lib.hash ||
		    prog.report != lib.report)
			bad++;
	}
	CHECK(bad == 0 && ran > frames / 2,
	      "%s: %lu of %lu frames differ from the library", name, bad, ran);
	printf("  %s: %lu frames, queue/hash/report equal to the library's on %lu\n",
	       name, ran, ran - bad);
}

static int bpffs_ready(const char *dir)
{
	struct statfs sf;

	if (!statfs(dir, &sf) && sf.f_type == BPF_FS_MAGIC)
		return 1;
	return !mount("bpf", dir, "bpf", 0, NULL);
}

static void one_variant(int variant, const char *name, int expect_load,
			int expect_reports, int expect_variant,
			const struct vnh_rss *rss)
{
	struct vnh_steer_opts o = { .sz = sizeof(o), .debug = 1,
				    .variant = variant };
	struct vnh_steer_info info = { .sz = sizeof(info) };
	struct vnh_steer_counters c = { .sz = sizeof(c) };
	struct vnh_steer *steer = NULL, *pinned = NULL;
	char dir[96];
	int err, calls;

	err = vnh_steer_load(rss, &o, &steer);
	if (!expect_load) {
		CHECK(err < 0, "%s: loaded, but the kfunc extern cannot be resolved here", name);
		printf("  %s: does not load here (%s), as expected\n", name,
		       strerror(-err));
		vnh_steer_free(steer);
		return;
	}
	CHECK(!err, "%s: load failed: %s", name, strerror(-err));
	if (err)
		return;
	CHECK(!vnh_steer_get_config(steer, NULL, &info), "%s: get_config", name);
	CHECK(vnh_steer_reports(steer) == expect_reports,
	      "%s: vnh_steer_reports() %d, expected %d", name,
	      vnh_steer_reports(steer), expect_reports);
	CHECK(info.reports == expect_reports && info.variant == expect_variant,
	      "%s: info.reports %d variant %d, expected %d/%d", name,
	      info.reports, info.variant, expect_reports, expect_variant);
	CHECK(info.kfunc == expect_reports, "%s: info.kfunc %d", name, info.kfunc);
	if (variant == VNH_STEER_VARIANT_AUTO)
		CHECK((info.kfunc_load_err != 0) ==
		      (expect_variant == VNH_STEER_VARIANT_NO_KFUNC),
		      "%s: kfunc_load_err %d with variant %d", name,
		      info.kfunc_load_err, info.variant);
	else
		CHECK(info.kfunc_load_err == 0, "%s: kfunc_load_err %d", name,
		      info.kfunc_load_err);
	calls = xlated_calls_kfunc(vnh_steer_prog_fd(steer));
	if (calls >= 0)
		CHECK(calls == expect_reports,
		      "%s: the translated program %s a kfunc, the library says %s",
		      name, calls ? "calls" : "does not call",
		      expect_reports ? "steering + report" : "steering only");
	printf("  %s: %s, %s build%s\n", name,
	       info.reports ? "steering + report" : "steering only",
	       info.variant == VNH_STEER_VARIANT_NO_KFUNC ? "no-kfunc" : "kfunc",
	       calls < 0 ? " (instructions unreadable)" :
	       calls ? "; its instructions call a kfunc" :
	       "; its instructions call no kfunc");

	steer_alike(steer, rss, name, 3000);
	CHECK(!vnh_steer_read_counters(steer, &c), "%s: counters", name);
	if (!expect_reports)
		CHECK(c.kfunc_ok == 0 && c.kfunc_fail == 0,
		      "%s: steering only, but %llu kfunc calls counted", name,
		      (unsigned long long)(c.kfunc_ok + c.kfunc_fail));
	else	/* not a steering run: the kfunc refuses, every time */
		CHECK(c.kfunc_ok == 0 && c.kfunc_fail > 0,
		      "%s: kfunc calls %llu ok, %llu failed", name,
		      (unsigned long long)c.kfunc_ok,
		      (unsigned long long)c.kfunc_fail);

	/* Pinned and opened again (as `vnethash show` does). */
	if (!bpffs_ready("/sys/fs/bpf")) {
		CHECK(0, "no bpffs at /sys/fs/bpf: %s", strerror(errno));
	} else {
		snprintf(dir, sizeof(dir), "/sys/fs/bpf/vnh-test-variants-%d-%d",
			 (int)getpid(), variant);
		err = vnh_steer_pin(steer, dir);
		CHECK(!err, "%s: pin: %s", name, strerror(-err));
		err = err ? err : vnh_steer_open_pinned(dir, &pinned);
		CHECK(!err, "%s: open_pinned: %s", name, strerror(-err));
		if (!err && have_cap(CAP_SYS_ADMIN_BIT)) {
			struct vnh_steer_info pi = { .sz = sizeof(pi) };

			CHECK(!vnh_steer_get_config(pinned, NULL, &pi) &&
			      pi.reports == expect_reports &&
			      pi.variant == expect_variant &&
			      vnh_steer_reports(pinned) == expect_reports,
			      "%s: opened from pins: reports %d variant %d",
			      name, pi.reports, pi.variant);
		} else if (!err) {
			/* Another process's instance: its configuration is
			 * read by map id, which needs CAP_SYS_ADMIN; the
			 * answer is "unknown", not a guess. */
			CHECK(vnh_steer_reports(pinned) == -EPERM,
			      "%s: opened from pins without CAP_SYS_ADMIN: %d",
			      name, vnh_steer_reports(pinned));
		}
		vnh_steer_free(pinned);
		vnh_steer_unpin(dir);
	}
	vnh_steer_free(steer);
}

int main(void)
{
	struct vnh_steer_opts bad = { .sz = sizeof(bad),
				      .variant = VNH_STEER_VARIANT_PROGTYPE + 1 };
	struct vnh_steer *steer = NULL;
	struct vnh_rss *rss;
	int where, resolves, has_vmlinux;

	if (geteuid() != 0) {
		printf("SKIP: needs root for BPF\n");
		return 77;
	}
	rss = vnh_rss_new();
	if (!rss)
		return 1;
	vnh_rss_set_spread(rss, 4, 128);

	has_vmlinux = !access("/sys/kernel/btf/vmlinux", R_OK);
	where = kfunc_in_btf();
	/* libbpf reads module BTF only with CAP_SYS_ADMIN */
	resolves = where == 1 || (where == 2 && have_cap(CAP_SYS_ADMIN_BIT));
	printf("kernel: vmlinux BTF %s; %s %s; CAP_SYS_ADMIN %s => the kfunc extern %s\n",
	       has_vmlinux ? "yes" : "no", KFUNC,
	       where == 1 ? "in vmlinux BTF" : where == 2 ? "in tun's BTF" :
	       "not in BTF", have_cap(CAP_SYS_ADMIN_BIT) ? "yes" : "no",
	       resolves ? "resolves" : "does not resolve");

	CHECK(vnh_steer_reports(NULL) == -EINVAL, "vnh_steer_reports(NULL)");
	CHECK(vnh_steer_load(rss, &bad, &steer) == -EINVAL && !steer,
	      "an unknown variant is refused");

	/* Without vmlinux BTF libbpf refuses the kfunc build outright. */
	one_variant(VNH_STEER_VARIANT_KFUNC, "variant KFUNC", has_vmlinux,
		    resolves, VNH_STEER_VARIANT_KFUNC, rss);
	one_variant(VNH_STEER_VARIANT_NO_KFUNC, "variant NO_KFUNC", 1, 0,
		    VNH_STEER_VARIANT_NO_KFUNC, rss);
	one_variant(VNH_STEER_VARIANT_AUTO, "variant AUTO", 1, resolves,
		    has_vmlinux ? VNH_STEER_VARIANT_KFUNC :
				  VNH_STEER_VARIANT_NO_KFUNC, rss);
	vnh_rss_free(rss);
	if (failures) {
		printf("FAIL: %lu checks\n", failures);
		return 1;
	}
	printf("PASS: each build says what it does, and both steer like the library\n");
	return 0;
}
