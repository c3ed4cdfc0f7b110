// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What the running kernel supports: steering programs on taps (tried on a
 * throw-away tap), the hash-report kfunc and the other designs (kernel
 * BTF), whether a program this process loads reports hashes (a throw-away
 * instance asked), and whether a loaded program calls the kfunc (its
 * instructions).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "internal.h"

#define VNH_HASH_KFUNC "bpf_tun_vnet_hash_set"

/* Does the program as the kernel runs it call a kfunc? */
int vnh_prog_calls_kfunc(int prog_fd, uint32_t *prog_id, uint32_t *verified)
{
	struct bpf_prog_info info;
	struct bpf_insn *insns;
	__u32 len = sizeof(info), n, i;
	int found = 0;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	if (prog_id)
		*prog_id = info.id;
	if (verified)
		*verified = info.verified_insns;
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
 * TUNSETSTEERINGEBPF on a throw-away tap in a private network namespace
 * (a child process, so the caller's namespace and devices are untouched).
 */
static int probe_steering(void)
{
	int status, pipefd[2], result = -EIO;
	pid_t pid;

	if (pipe(pipefd))
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (pid == 0) {
		struct bpf_insn prog[] = {
			{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
			{ .code = BPF_JMP | BPF_EXIT },
		};
		struct ifreq ifr;
		int r, fd, pfd;

		close(pipefd[0]);
		if (unshare(CLONE_NEWNET)) {
			r = -errno;
			goto out;
		}
		fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			goto out;
		}
		memset(&ifr, 0, sizeof(ifr));
		strcpy(ifr.ifr_name, "vnhprobe0");
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE;
		if (ioctl(fd, TUNSETIFF, &ifr)) {
			r = -errno;
			goto out;
		}
		pfd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "vnh_probe",
				    "GPL", prog, 2, NULL);
		if (pfd < 0) {
			r = -errno;
			goto out;
		}
		if (ioctl(fd, TUNSETSTEERINGEBPF, &pfd) == 0)
			r = 1;
		else if (errno == EINVAL || errno == ENOTTY)
			r = 0;
		else
			r = -errno;
out:
		if (write(pipefd[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &result, sizeof(result)) != sizeof(result))
		result = -EIO;
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return result;
}

/* Is there a type @name of @kind in vmlinux or tun module BTF? */
static int btf_has(struct btf *vmlinux, const char *name, int kind,
		   char *where, size_t where_sz)
{
	struct btf *mod;
	int found = 0;

	if (btf__find_by_name_kind(vmlinux, name, kind) > 0) {
		snprintf(where, where_sz, "vmlinux");
		return 1;
	}
	if (access("/sys/kernel/btf/tun", R_OK))
		return 0;
	mod = btf__parse_split("/sys/kernel/btf/tun", vmlinux);
	if (!mod)
		return -errno;
	if (btf__find_by_name_kind(mod, name, kind) > 0) {
		snprintf(where, where_sz, "tun");
		found = 1;
	}
	btf__free(mod);
	return found;
}

static int btf_enum_has(struct btf *btf, const char *enum_name,
			const char *value)
{
	const struct btf_type *t;
	const struct btf_enum *e;
	int id, i;

	id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM);
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++, e++)
		if (!strcmp(btf__name_by_offset(btf, e->name_off), value))
			return 1;
	return 0;
}

/* Is the hash-report kfunc in kernel BTF? 1 or 0; probed once a process. */
int vnh_kfunc_present(void)
{
	static int known = -1;
	int v = __atomic_load_n(&known, __ATOMIC_RELAXED);

	if (v < 0) {
		struct btf *vmlinux = btf__parse("/sys/kernel/btf/vmlinux", NULL);
		char where[32];

		v = vmlinux && btf_has(vmlinux, VNH_HASH_KFUNC, BTF_KIND_FUNC,
				       where, sizeof(where)) == 1;
		btf__free(vmlinux);
		__atomic_store_n(&known, v, __ATOMIC_RELAXED);
	}
	return v;
}

/*
 * What a program this process loads does: load a throw-away instance (the
 * library's defaults, attached nowhere) and ask it. Kernel BTF cannot tell:
 * the loader may not see the BTF the kfunc is in, or refuse its extern.
 */
static void probe_prog(struct vnh_steer_features *out)
{
	struct vnh_steer *steer = NULL;
	struct vnh_rss *rss = vnh_rss_new();
	int err;

	out->prog_variant = VNH_STEER_VARIANT_AUTO;
	if (!rss) {
		out->prog_reports = -ENOMEM;
		return;
	}
	/* What the loading process knows: no configuration read back. */
	err = vnh_steer_load(rss, NULL, &steer);
	if (err) {
		out->prog_reports = err;
	} else {
		out->prog_reports = vnh_steer_reports(steer);
		out->prog_variant = steer->variant;
		out->prog_kfunc_load_err = steer->kfunc_load_err;
	}
	vnh_steer_free(steer);
	vnh_rss_free(rss);
}

int vnh_progtype_number(void)
{
	static int known = -1;
	int v = __atomic_load_n(&known, __ATOMIC_RELAXED);

	if (v == -1) {
		struct btf *vmlinux = btf__parse("/sys/kernel/btf/vmlinux", NULL);
		const struct btf_enum *e;
		const struct btf_type *t;
		int id, i;

		v = -EOPNOTSUPP;
		id = vmlinux ? btf__find_by_name_kind(vmlinux, "bpf_prog_type",
						      BTF_KIND_ENUM) : -1;
		if (id > 0) {
			t = btf__type_by_id(vmlinux, id);
			e = btf_enum(t);
			for (i = 0; i < btf_vlen(t); i++, e++)
				if (!strcmp(btf__name_by_offset(vmlinux,
								e->name_off),
					    "BPF_PROG_TYPE_VNET_HASH") &&
				    e->val > 0)
					v = e->val;
		}
		btf__free(vmlinux);
		__atomic_store_n(&known, v, __ATOMIC_RELAXED);
	}
	return v;
}

int vnh_prog_is_progtype(int prog_fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int pt = vnh_progtype_number();

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	return pt > 0 && info.type == (__u32)pt;
}

const char *vnh_steer_mechanism_name(int mechanism)
{
	switch (mechanism) {
	case VNH_STEER_MECH_AUTO:
		return "auto";
	case VNH_STEER_MECH_KFUNC:
		return "kfunc";
	case VNH_STEER_MECH_PROGTYPE:
		return "progtype";
	case VNH_STEER_MECH_STEER:
		return "steer";
	}
	return NULL;
}

int vnh_steer_probe(struct vnh_steer_features *f)
{
	struct vnh_steer_features out;
	struct btf *vmlinux;
	char where[32];

	if (!f || f->sz < sizeof(size_t))
		return -EINVAL;
	memset(&out, 0, sizeof(out));
	out.sz = sizeof(out);
	out.steering_prog = probe_steering();

	vmlinux = btf__parse("/sys/kernel/btf/vmlinux", NULL);
	if (!vmlinux) {
		int err = -errno;

		out.hash_kfunc = err;
		out.prog_type_vnet_hash = err;
		out.native_hash = err;
	} else {
		where[0] = '\0';
		out.hash_kfunc = btf_has(vmlinux, VNH_HASH_KFUNC,
					 BTF_KIND_FUNC, where, sizeof(where));
		if (out.hash_kfunc == 1)
			snprintf(out.hash_kfunc_btf,
				 sizeof(out.hash_kfunc_btf), "%s", where);
		out.prog_type_vnet_hash = btf_enum_has(vmlinux, "bpf_prog_type",
						       "BPF_PROG_TYPE_VNET_HASH");
		out.native_hash = btf_has(vmlinux, "tun_vnet_hash",
					  BTF_KIND_STRUCT, where, sizeof(where));
		btf__free(vmlinux);
	}
	probe_prog(&out);
	vnh_opts_out(f, &out, sizeof(out));
	return 0;
}
