// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The vnethash eBPF steering program from user space: load, configure,
 * attach to tun/tap queues, swap configurations atomically, pin, read
 * counters, probe the kernel, and read frames with their hash.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "vnethash.h"
#include "vnethash_steer.h"
#include "vnethash_maps.h"
#include "vnethash_steer.skel.h"
#include "vnet_hdr_hash.h"

#define VNH_HASH_KFUNC "bpf_tun_vnet_hash_set"

_Static_assert(VNH_STEER_STAT_QUEUES == VNH_STATS_QUEUES,
	       "public and map queue counter counts differ");
_Static_assert(sizeof(struct vnh_toeplitz_table) ==
	       sizeof(((struct vnh_steer_cfg *)0)->toeplitz),
	       "Toeplitz table layouts differ");

struct vnh_steer {
	struct vnethash_steer *skel;	/* NULL when opened from pins */
	int prog_fd;
	int config_fd;			/* the ARRAY_OF_MAPS */
	int stats_fd;
	int debug_fd;
};

/* Pin names under the pin directory. */
static const char *const pin_names[] = { "prog", "config", "stats", "debug" };
#define NR_PINS (sizeof(pin_names) / sizeof(pin_names[0]))

/*
 * Copy caller options of size @sz into @dst (of size @dst_sz, zeroed
 * first); like libbpf's OPTS_VALID, bytes we do not know must be zero.
 */
static int opts_copy(void *dst, size_t dst_sz, const void *src)
{
	size_t sz;

	memset(dst, 0, dst_sz);
	if (!src)
		return 0;
	sz = *(const size_t *)src;
	if (sz < sizeof(size_t))
		return -EINVAL;
	if (sz > dst_sz) {
		const unsigned char *p = src;
		size_t i;

		for (i = dst_sz; i < sz; i++)
			if (p[i])
				return -EINVAL;
		sz = dst_sz;
	}
	memcpy(dst, src, sz);
	return 0;
}

/* Hand @src (full size) back to a caller structure that says its size. */
static void opts_out(void *dst, const void *src, size_t src_sz)
{
	size_t sz = *(size_t *)dst;

	if (sz > src_sz)
		sz = src_sz;
	memcpy((char *)dst + sizeof(size_t), (const char *)src + sizeof(size_t),
	       sz > sizeof(size_t) ? sz - sizeof(size_t) : 0);
}

static int mode_flags(int mode, uint32_t *flags)
{
	switch (mode) {
	case VNH_STEER_MODE_AUTO:
	case VNH_STEER_MODE_ETH:
		return 0;
	case VNH_STEER_MODE_L3:
		*flags |= VNH_CFG_F_L3;
		return 0;
	}
	return -EINVAL;
}

static int fd_mode(int queue_fd, int *mode, int *flags_out)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(queue_fd, TUNGETIFF, &ifr) < 0)
		return -errno;
	if (flags_out)
		*flags_out = ifr.ifr_flags;
	*mode = (ifr.ifr_flags & IFF_TUN) ? VNH_STEER_MODE_L3 :
					     VNH_STEER_MODE_ETH;
	return 0;
}

/* Build the map value of a configuration. */
static struct vnh_steer_cfg *cfg_build(const struct vnh_rss *rss,
				       uint32_t flags, uint32_t generation,
				       uint32_t max_queues)
{
	const struct vnh_toeplitz_table *tt;
	struct vnh_steer_cfg *cfg;
	const uint16_t *table;
	const uint8_t *key;
	size_t len, key_len;

	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return NULL;
	key = vnh_rss_key(rss, &key_len);
	table = vnh_rss_table(rss, &len);
	tt = vnh_rss_toeplitz(rss);

	cfg->magic = VNH_CFG_MAGIC;
	cfg->flags = flags;
	cfg->hash_types = vnh_rss_hash_types(rss);
	cfg->table_mask = (uint32_t)len - 1;
	cfg->unclassified = vnh_rss_unclassified(rss);
	cfg->key_len = (uint16_t)key_len;
	cfg->generation = generation;
	cfg->max_queues = max_queues;
	memcpy(cfg->key, key, key_len);
	memcpy(cfg->table, table, len * sizeof(*table));
	memcpy(cfg->toeplitz, tt->entry, sizeof(cfg->toeplitz));
	return cfg;
}

static int cfg_check(const struct vnh_rss *rss, uint32_t max_queues)
{
	size_t len;

	if (!rss || !vnh_rss_table(rss, &len) || len == 0 ||
	    len > VNH_TABLE_LEN_MAX || (len & (len - 1)))
		return -EINVAL;
	if (max_queues && vnh_rss_max_queue(rss) >= max_queues)
		return -ERANGE;
	return 0;
}

/*
 * Install @cfg: a new inner map holds it whole before the one update of
 * the outer map's slot makes it visible to the program.
 */
static int cfg_install(struct vnh_steer *s, const struct vnh_steer_cfg *cfg)
{
	__u32 zero = 0;
	int inner, err = 0;

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "vnh_cfg", sizeof(__u32),
			       sizeof(*cfg), 1, NULL);
	if (inner < 0)
		return -errno;
	if (bpf_map_update_elem(inner, &zero, cfg, BPF_ANY) ||
	    bpf_map_update_elem(s->config_fd, &zero, &inner, BPF_ANY))
		err = -errno;
	close(inner);
	return err;
}

/* Read the running configuration (allocated, free() it). */
static int cfg_read(const struct vnh_steer *s, struct vnh_steer_cfg **out)
{
	struct vnh_steer_cfg *cfg;
	__u32 zero = 0, id;
	int inner, err = 0;

	if (bpf_map_lookup_elem(s->config_fd, &zero, &id))
		return errno == ENOENT ? -ENODATA : -errno;
	inner = bpf_map_get_fd_by_id(id);
	if (inner < 0)
		return -errno;
	cfg = malloc(sizeof(*cfg));
	if (!cfg) {
		close(inner);
		return -ENOMEM;
	}
	if (bpf_map_lookup_elem(inner, &zero, cfg))
		err = -errno;
	else if (cfg->magic != VNH_CFG_MAGIC)
		err = -EPROTO;
	close(inner);
	if (err) {
		free(cfg);
		return err;
	}
	*out = cfg;
	return 0;
}

static void steer_close_fds(struct vnh_steer *s)
{
	if (s->prog_fd >= 0)
		close(s->prog_fd);
	if (s->config_fd >= 0)
		close(s->config_fd);
	if (s->stats_fd >= 0)
		close(s->stats_fd);
	if (s->debug_fd >= 0)
		close(s->debug_fd);
}

void vnh_steer_free(struct vnh_steer *s)
{
	if (!s)
		return;
	steer_close_fds(s);
	if (s->skel)
		vnethash_steer__destroy(s->skel);
	free(s);
}

static struct vnh_steer *steer_alloc(void)
{
	struct vnh_steer *s = calloc(1, sizeof(*s));

	if (s) {
		s->prog_fd = -1;
		s->config_fd = -1;
		s->stats_fd = -1;
		s->debug_fd = -1;
	}
	return s;
}

static int dup_fd(int fd)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	return d < 0 ? -errno : d;
}

int vnh_steer_load(const struct vnh_rss *rss,
		   const struct vnh_steer_opts *opts, struct vnh_steer **steer)
{
	struct vnh_steer_opts o;
	struct vnh_steer_cfg *cfg;
	struct vnh_steer *s;
	uint32_t flags = 0;
	int err;

	if (!steer)
		return -EINVAL;
	err = opts_copy(&o, sizeof(o), opts);
	if (err)
		return err;
	err = mode_flags(o.mode, &flags);
	if (err)
		return err;
	if (o.no_report)
		flags |= VNH_CFG_F_NO_REPORT;
	if (o.debug)
		flags |= VNH_CFG_F_DEBUG;
	err = cfg_check(rss, o.max_queues);
	if (err)
		return err;

	s = steer_alloc();
	if (!s)
		return -ENOMEM;
	s->skel = vnethash_steer__open();
	if (!s->skel) {
		err = -errno;
		goto fail;
	}
	if (vnethash_steer__load(s->skel)) {
		err = -errno;
		goto fail;
	}
	if ((s->prog_fd = dup_fd(bpf_program__fd(s->skel->progs.vnh_steer_prog))) < 0 ||
	    (s->config_fd = dup_fd(bpf_map__fd(s->skel->maps.vnh_config))) < 0 ||
	    (s->stats_fd = dup_fd(bpf_map__fd(s->skel->maps.vnh_stats))) < 0 ||
	    (s->debug_fd = dup_fd(bpf_map__fd(s->skel->maps.vnh_debug))) < 0) {
		err = -errno;
		goto fail;
	}
	cfg = cfg_build(rss, flags, 1, o.max_queues);
	if (!cfg) {
		err = -ENOMEM;
		goto fail;
	}
	err = cfg_install(s, cfg);
	free(cfg);
	if (err)
		goto fail;
	*steer = s;
	return 0;
fail:
	vnh_steer_free(s);
	return err ? err : -EINVAL;
}

int vnh_steer_attach_queue(struct vnh_steer *s, int queue_fd)
{
	if (!s || queue_fd < 0)
		return -EINVAL;
	if (ioctl(queue_fd, TUNSETSTEERINGEBPF, &s->prog_fd) < 0)
		return -errno;
	return 0;
}

int vnh_steer_attach(int queue_fd, const struct vnh_rss *rss,
		     const struct vnh_steer_opts *opts,
		     struct vnh_steer **steer)
{
	struct vnh_steer_opts o;
	struct vnh_steer *s;
	int err;

	if (queue_fd < 0 || !steer)
		return -EINVAL;
	err = opts_copy(&o, sizeof(o), opts);
	if (err)
		return err;
	o.sz = sizeof(o);
	if (o.mode == VNH_STEER_MODE_AUTO) {
		err = fd_mode(queue_fd, &o.mode, NULL);
		if (err)
			return err;
	}
	err = vnh_steer_load(rss, &o, &s);
	if (err)
		return err;
	err = vnh_steer_attach_queue(s, queue_fd);
	if (err) {
		vnh_steer_free(s);
		return err;
	}
	*steer = s;
	return 0;
}

int vnh_steer_detach(int queue_fd)
{
	int none = -1;

	if (queue_fd < 0)
		return -EINVAL;
	if (ioctl(queue_fd, TUNSETSTEERINGEBPF, &none) < 0)
		return -errno;
	return 0;
}

int vnh_steer_update(struct vnh_steer *s, const struct vnh_rss *rss)
{
	struct vnh_steer_cfg *cur, *cfg;
	int err;

	if (!s || !rss)
		return -EINVAL;
	err = cfg_read(s, &cur);
	if (err)
		return err;
	err = cfg_check(rss, cur->max_queues);
	if (!err) {
		cfg = cfg_build(rss, cur->flags, cur->generation + 1,
				cur->max_queues);
		err = cfg ? cfg_install(s, cfg) : -ENOMEM;
		free(cfg);
	}
	free(cur);
	return err;
}

/* Does the program as the kernel runs it call a kfunc? */
static int prog_calls_kfunc(int prog_fd, uint32_t *prog_id,
			    uint32_t *verified)
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

int vnh_steer_get_config(const struct vnh_steer *s, struct vnh_rss *rss,
			 struct vnh_steer_info *info)
{
	struct vnh_steer_info in;
	struct vnh_steer_cfg *cfg;
	size_t table_len;
	int err;

	if (!s)
		return -EINVAL;
	err = cfg_read(s, &cfg);
	if (err)
		return err;
	table_len = (size_t)cfg->table_mask + 1;
	if (cfg->key_len < 1 || cfg->key_len > VNH_KEY_SIZE_MAX ||
	    table_len > VNH_TABLE_LEN_MAX || (table_len & (table_len - 1))) {
		free(cfg);
		return -EPROTO;
	}
	if (rss) {
		struct vnh_rss *tmp = vnh_rss_new();

		if (!tmp) {
			free(cfg);
			return -ENOMEM;
		}
		err = vnh_rss_set_key(tmp, cfg->key, cfg->key_len);
		err = err ? err : vnh_rss_set_hash_types(tmp, cfg->hash_types);
		err = err ? err : vnh_rss_set_table(tmp, cfg->table, table_len);
		err = err ? err : vnh_rss_set_unclassified(tmp, cfg->unclassified);
		if (!err)
			vnh_rss_copy(rss, tmp);
		vnh_rss_free(tmp);
		if (err) {
			free(cfg);
			return -EPROTO;
		}
	}
	if (info) {
		memset(&in, 0, sizeof(in));
		in.sz = sizeof(in);
		in.mode = (cfg->flags & VNH_CFG_F_L3) ? VNH_STEER_MODE_L3 :
							VNH_STEER_MODE_ETH;
		in.no_report = !!(cfg->flags & VNH_CFG_F_NO_REPORT);
		in.debug = !!(cfg->flags & VNH_CFG_F_DEBUG);
		in.max_queues = cfg->max_queues;
		in.generation = cfg->generation;
		in.kfunc = prog_calls_kfunc(s->prog_fd, &in.prog_id,
					    &in.verified_insns);
		opts_out(info, &in, sizeof(in));
	}
	free(cfg);
	return 0;
}

static int stats_read(const struct vnh_steer *s, struct vnh_steer_stats *sum)
{
	struct vnh_steer_stats *percpu;
	int ncpu = libbpf_num_possible_cpus(), c;
	__u32 zero = 0;
	size_t i;

	if (ncpu < 1)
		return ncpu < 0 ? ncpu : -EINVAL;
	/* Per-CPU values are padded to 8 bytes; this struct already is. */
	percpu = calloc((size_t)ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(s->stats_fd, &zero, percpu)) {
		int err = -errno;

		free(percpu);
		return err;
	}
	memset(sum, 0, sizeof(*sum));
	for (c = 0; c < ncpu; c++) {
		const __u64 *src = (const __u64 *)&percpu[c];
		__u64 *dst = (__u64 *)sum;

		for (i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			dst[i] += src[i];
	}
	free(percpu);
	return 0;
}

int vnh_steer_read_counters(const struct vnh_steer *s,
			    struct vnh_steer_counters *c)
{
	struct vnh_steer_counters out;
	struct vnh_steer_stats sum;
	int err, i;

	if (!s || !c || c->sz < sizeof(size_t))
		return -EINVAL;
	err = stats_read(s, &sum);
	if (err)
		return err;
	memset(&out, 0, sizeof(out));
	out.sz = sizeof(out);
	for (i = 0; i < VNH_STATS_QUEUES; i++) {
		out.queue[i] = sum.queue[i];
		out.packets += sum.queue[i];
	}
	out.queue_other = sum.queue[VNH_STATS_QUEUES];
	out.packets += out.queue_other;
	for (i = 0; i <= VNH_REPORT_MAX; i++)
		out.report[i] = sum.report[i];
	out.kfunc_ok = sum.kfunc_ok;
	out.kfunc_fail = sum.kfunc_fail;
	out.no_config = sum.no_config;
	out.packets += out.no_config;
	opts_out(c, &out, sizeof(out));
	return 0;
}

int vnh_steer_reset_counters(struct vnh_steer *s)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	__u32 zero = 0;
	void *buf;

	if (!s)
		return -EINVAL;
	if (ncpu < 1)
		return ncpu < 0 ? ncpu : -EINVAL;
	buf = calloc((size_t)ncpu, sizeof(struct vnh_steer_stats));
	if (!buf)
		return -ENOMEM;
	if (bpf_map_update_elem(s->stats_fd, &zero, buf, BPF_ANY))
		err = -errno;
	free(buf);
	return err;
}

static int pin_path(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int mkdir_p(const char *dir)
{
	char path[PATH_MAX];
	size_t i, len = strlen(dir);

	if (len == 0 || len >= sizeof(path))
		return -EINVAL;
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			return -errno;
		path[i] = dir[i];
	}
	return 0;
}

int vnh_steer_pin(struct vnh_steer *s, const char *dir)
{
	char path[PATH_MAX];
	int fds[NR_PINS];
	size_t i, j;
	int err;

	if (!s || !dir)
		return -EINVAL;
	fds[0] = s->prog_fd;
	fds[1] = s->config_fd;
	fds[2] = s->stats_fd;
	fds[3] = s->debug_fd;
	for (i = 0; i < NR_PINS; i++) {
		err = pin_path(path, sizeof(path), dir, pin_names[i]);
		if (err)
			return err;
		if (!access(path, F_OK))
			return -EEXIST;
	}
	err = mkdir_p(dir);
	if (err)
		return err;
	for (i = 0; i < NR_PINS; i++) {
		pin_path(path, sizeof(path), dir, pin_names[i]);
		if (bpf_obj_pin(fds[i], path)) {
			err = -errno;
			for (j = 0; j < i; j++) {
				pin_path(path, sizeof(path), dir, pin_names[j]);
				unlink(path);
			}
			rmdir(dir);
			return err;
		}
	}
	return 0;
}

int vnh_steer_unpin(const char *dir)
{
	char path[PATH_MAX];
	int removed = 0, err = 0;
	size_t i;

	if (!dir)
		return -EINVAL;
	for (i = 0; i < NR_PINS; i++) {
		err = pin_path(path, sizeof(path), dir, pin_names[i]);
		if (err)
			return err;
		if (!unlink(path))
			removed++;
		else if (errno != ENOENT)
			err = -errno;
	}
	if (rmdir(dir) && errno != ENOENT && !err)
		err = -errno;
	if (err)
		return err;
	return removed ? 0 : -ENOENT;
}

static int check_map(int fd, __u32 type, __u32 value_size)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.type != type || info.max_entries != 1 ||
	    (value_size && info.value_size != value_size))
		return -EPROTO;
	return 0;
}

int vnh_steer_open_pinned(const char *dir, struct vnh_steer **steer)
{
	char path[PATH_MAX];
	struct bpf_prog_info pinfo;
	__u32 len = sizeof(pinfo);
	struct vnh_steer *s;
	int *fds[NR_PINS];
	size_t i;
	int err;

	if (!dir || !steer)
		return -EINVAL;
	s = steer_alloc();
	if (!s)
		return -ENOMEM;
	fds[0] = &s->prog_fd;
	fds[1] = &s->config_fd;
	fds[2] = &s->stats_fd;
	fds[3] = &s->debug_fd;
	for (i = 0; i < NR_PINS; i++) {
		err = pin_path(path, sizeof(path), dir, pin_names[i]);
		if (err)
			goto fail;
		*fds[i] = bpf_obj_get(path);
		if (*fds[i] < 0) {
			err = -errno;
			goto fail;
		}
	}
	memset(&pinfo, 0, sizeof(pinfo));
	if (bpf_obj_get_info_by_fd(s->prog_fd, &pinfo, &len)) {
		err = -errno;
		goto fail;
	}
	err = -EPROTO;
	if (pinfo.type != BPF_PROG_TYPE_SOCKET_FILTER)
		goto fail;
	err = check_map(s->config_fd, BPF_MAP_TYPE_ARRAY_OF_MAPS, 0);
	err = err ? err : check_map(s->stats_fd, BPF_MAP_TYPE_PERCPU_ARRAY,
				    sizeof(struct vnh_steer_stats));
	err = err ? err : check_map(s->debug_fd, BPF_MAP_TYPE_ARRAY,
				    sizeof(struct vnh_steer_debug));
	if (err)
		goto fail;
	*steer = s;
	return 0;
fail:
	vnh_steer_free(s);
	return err;
}

int vnh_steer_prog_fd(const struct vnh_steer *s)
{
	return s ? s->prog_fd : -EINVAL;
}

int vnh_steer_test_run(const struct vnh_steer *s, const void *frame,
		       size_t len, struct vnh_result *res)
{
	struct vnh_steer_debug dbg;
	__u32 zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, topts,
		.data_in = frame,
		.data_size_in = (__u32)len,
		.repeat = 1,
	);

	if (!s || !frame || !res || len > UINT32_MAX)
		return -EINVAL;
	memset(&dbg, 0, sizeof(dbg));
	/* The debug record is only written in debug mode: clear it. */
	if (bpf_map_update_elem(s->debug_fd, &zero, &dbg, BPF_ANY))
		return -errno;
	if (bpf_prog_test_run_opts(s->prog_fd, &topts))
		return -errno;
	if (bpf_map_lookup_elem(s->debug_fd, &zero, &dbg))
		return -errno;
	res->queue = (uint16_t)topts.retval;
	res->hash = dbg.hash;
	res->report = dbg.report;
	return 0;
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
static int kfunc_present(void)
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
	opts_out(f, &out, sizeof(out));
	return 0;
}

/* Send @req on a new rtnetlink socket; receive the reply (malloc'ed). */
static int rtnl_request(const struct nlmsghdr *req, void **reply)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t len;
	void *buf;
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		goto fail;
	/* The reply's size, without taking it. */
	do
		len = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
	while (len < 0 && errno == EINTR);
	if (len < 0)
		goto fail;
	buf = malloc(len ? (size_t)len : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	do
		len = recv(fd, buf, (size_t)len, 0);
	while (len < 0 && errno == EINTR);
	if (len < 0) {
		free(buf);
		goto fail;
	}
	close(fd);
	*reply = buf;
	return (int)len;
fail:
	err = -errno;
	close(fd);
	return err;
}

static int rta_u8(const struct rtattr *rta)
{
	return RTA_PAYLOAD(rta) >= 1 ? *(const __u8 *)RTA_DATA(rta) : -1;
}

static int64_t rta_u32(const struct rtattr *rta)
{
	return RTA_PAYLOAD(rta) >= 4 ? (int64_t)*(const __u32 *)RTA_DATA(rta) : -1;
}

/* Fill @ti from the IFLA_INFO_DATA of a tun device. */
static void tun_info_attrs(const struct rtattr *data, struct vnh_tun_info *ti)
{
	const struct rtattr *d;
	int dlen = (int)RTA_PAYLOAD(data);

	for (d = RTA_DATA(data); RTA_OK(d, dlen); d = RTA_NEXT(d, dlen)) {
		switch (d->rta_type & NLA_TYPE_MASK) {
		case IFLA_TUN_TYPE:
			ti->mode = rta_u8(d) == IFF_TUN ? VNH_STEER_MODE_L3 :
							  VNH_STEER_MODE_ETH;
			break;
		case IFLA_TUN_PI:
			ti->pi = rta_u8(d) > 0;
			break;
		case IFLA_TUN_VNET_HDR:
			ti->vnet_hdr = rta_u8(d) > 0;
			break;
		case IFLA_TUN_MULTI_QUEUE:
			ti->multi_queue = rta_u8(d) > 0;
			break;
		case IFLA_TUN_PERSIST:
			ti->persist = rta_u8(d) > 0;
			break;
		case IFLA_TUN_NUM_QUEUES:
			ti->num_queues = (int)rta_u32(d);
			break;
		case IFLA_TUN_NUM_DISABLED_QUEUES:
			ti->num_disabled_queues = (int)rta_u32(d);
			break;
		case IFLA_TUN_OWNER:
			ti->owner = rta_u32(d);
			break;
		case IFLA_TUN_GROUP:
			ti->group = rta_u32(d);
			break;
		}
	}
}

int vnh_tun_info(const char *ifname, struct vnh_tun_info *info)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req;
	struct vnh_tun_info ti;
	struct nlmsghdr *nh;
	unsigned int ifindex;
	int len, err = -ENOTTY;
	void *buf = NULL;

	if (!ifname || !info || info->sz < sizeof(size_t))
		return -EINVAL;
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return -ENODEV;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)ifindex;
	len = rtnl_request(&req.nh, &buf);
	if (len < 0)
		return len;

	memset(&ti, 0, sizeof(ti));
	ti.sz = sizeof(ti);
	ti.mode = -1;
	ti.num_queues = -1;
	ti.num_disabled_queues = -1;
	ti.owner = -1;
	ti.group = -1;
	for (nh = buf; NLMSG_OK(nh, (unsigned int)len); nh = NLMSG_NEXT(nh, len)) {
		struct rtattr *rta, *li;
		int alen, lilen, is_tun;

		if (nh->nlmsg_type == NLMSG_ERROR) {
			err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			break;
		}
		if (nh->nlmsg_type != RTM_NEWLINK)
			continue;
		alen = (int)IFLA_PAYLOAD(nh);
		for (rta = IFLA_RTA(NLMSG_DATA(nh)); RTA_OK(rta, alen);
		     rta = RTA_NEXT(rta, alen)) {
			if ((rta->rta_type & NLA_TYPE_MASK) != IFLA_LINKINFO)
				continue;
			is_tun = 0;
			lilen = (int)RTA_PAYLOAD(rta);
			for (li = RTA_DATA(rta); RTA_OK(li, lilen);
			     li = RTA_NEXT(li, lilen)) {
				switch (li->rta_type & NLA_TYPE_MASK) {
				case IFLA_INFO_KIND:
					is_tun = RTA_PAYLOAD(li) >= 4 &&
						 !memcmp(RTA_DATA(li), "tun", 4);
					if (is_tun)
						err = -EOPNOTSUPP;
					break;
				case IFLA_INFO_DATA:
					if (!is_tun)
						break;
					tun_info_attrs(li, &ti);
					err = ti.mode < 0 ? -EOPNOTSUPP : 0;
					break;
				}
			}
		}
	}
	free(buf);
	if (!err)
		opts_out(info, &ti, sizeof(ti));
	return err;
}

/* The hash fields of struct virtio_net_hdr_v1_hash, and what no kernel
 * writes there (hash_report 0xa5a5 is no report type). */
#define HDR_HASH_OFF	offsetof(struct virtio_net_hdr_v1_hash, hash_value)
#define HDR_HASH_LEN	8
#define HDR_HASH_FILL	0xa5

void vnh_hdr_hash_prefill(void *hdr, size_t hdr_sz)
{
	if (hdr_sz >= HDR_HASH_OFF + HDR_HASH_LEN)
		memset((char *)hdr + HDR_HASH_OFF, HDR_HASH_FILL, HDR_HASH_LEN);
}

enum vnh_hdr_hash vnh_hdr_hash_get(const void *hdr, size_t hdr_sz,
				   uint32_t *hash, uint16_t *report)
{
	const struct virtio_net_hdr_v1_hash *h = hdr;
	const unsigned char *p = (const unsigned char *)hdr + HDR_HASH_OFF;
	int untouched = 1, zero = 1, i;

	*hash = 0;
	*report = 0;
	if (hdr_sz < HDR_HASH_OFF + HDR_HASH_LEN)
		return VNH_HDR_HASH_UNTOUCHED;
	for (i = 0; i < HDR_HASH_LEN; i++) {
		untouched &= p[i] == HDR_HASH_FILL;
		zero &= p[i] == 0;
	}
	if (untouched)
		return VNH_HDR_HASH_UNTOUCHED;
	if (zero)
		return VNH_HDR_HASH_ZERO;
	*hash = le32toh(h->hash_value);
	*report = le16toh(h->hash_report);
	return VNH_HDR_HASH_SET;
}

int vnh_hdr_zero_is_report(int kfunc, const struct vnh_steer_info *prog,
			   int queues)
{
	if (kfunc != 1)
		return 0;
	/* One queue: only the v2 series (the kfunc the program resolved)
	 * runs the program there. */
	if (queues <= 1)
		return prog && prog->kfunc > 0 && !prog->no_report;
	return !prog || (prog->kfunc > 0 && !prog->no_report);
}

/* vnh_tap_read(): are all-zero hash fields report NONE on @fd's device? */
static int tap_zero_is_report(int fd, const struct vnh_tap_read_opts *o)
{
	struct vnh_steer_info info = { .sz = sizeof(info) };
	struct vnh_tun_info ti = { .sz = sizeof(ti) };
	struct ifreq ifr;

	if (o->report != VNH_TAP_REPORT_AUTO)
		return o->report == VNH_TAP_REPORT_ON;
	if (!kfunc_present())
		return 0;
	if (o->steer && vnh_steer_get_config(o->steer, NULL, &info))
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return 0;
	ifr.ifr_name[IFNAMSIZ - 1] = '\0';
	if (vnh_tun_info(ifr.ifr_name, &ti))
		return 0;
	return vnh_hdr_zero_is_report(1, o->steer ? &info : NULL,
				      ti.num_queues);
}

/* Largest vnet header vnh_tap_read() accepts (TUNSETVNETHDRSZ allows more). */
#define VNH_VNET_HDR_MAX 256

ssize_t vnh_tap_read(int fd, void *buf, size_t size,
		     const struct vnh_rss *rss, struct vnh_result *res,
		     struct vnh_tap_read_opts *opts)
{
	struct vnh_tap_read_opts o;
	unsigned char hdr[VNH_VNET_HDR_MAX];
	struct tun_pi pi;
	struct iovec iov[3];
	size_t hdr_sz, pre;
	int niov = 0, from_kernel = 0, err;
	ssize_t n;
	uint16_t report = 0;
	uint32_t hash = 0;

	if (fd < 0 || !buf || !rss || !res)
		return -EINVAL;
	err = opts_copy(&o, sizeof(o), opts);
	if (err)
		return err;
	hdr_sz = o.vnet_hdr_sz;
	if (o.mode == VNH_STEER_MODE_AUTO || hdr_sz == 0) {
		struct ifreq ifr;
		int flags, mode, sz;

		memset(&ifr, 0, sizeof(ifr));
		if (ioctl(fd, TUNGETIFF, &ifr) < 0)
			return -errno;
		flags = ifr.ifr_flags;
		mode = (flags & IFF_TUN) ? VNH_STEER_MODE_L3 : VNH_STEER_MODE_ETH;
		if (o.mode == VNH_STEER_MODE_AUTO) {
			o.mode = mode;
			o.has_pi = 0;
			if (mode == VNH_STEER_MODE_L3) {
				struct vnh_tun_info ti = { .sz = sizeof(ti) };

				ifr.ifr_name[IFNAMSIZ - 1] = '\0';
				err = vnh_tun_info(ifr.ifr_name, &ti);
				if (err)
					return err;
				o.has_pi = ti.pi;
			}
		}
		if (hdr_sz == 0) {
			if (!(flags & IFF_VNET_HDR))
				hdr_sz = (size_t)-1;
			else if (ioctl(fd, TUNGETVNETHDRSZ, &sz) < 0)
				return -errno;
			else
				hdr_sz = (size_t)sz;
		}
	}
	if (hdr_sz == (size_t)-1)
		hdr_sz = 0;
	if (hdr_sz > sizeof(hdr) || (o.mode != VNH_STEER_MODE_ETH &&
				     o.mode != VNH_STEER_MODE_L3) ||
	    o.report < VNH_TAP_REPORT_AUTO || o.report > VNH_TAP_REPORT_OFF)
		return -EINVAL;
	if (o.mode == VNH_STEER_MODE_ETH)
		o.has_pi = 0;

	memset(hdr, 0, sizeof(hdr));
	vnh_hdr_hash_prefill(hdr, hdr_sz);
	memset(&pi, 0, sizeof(pi));
	if (o.has_pi) {
		iov[niov].iov_base = &pi;
		iov[niov++].iov_len = sizeof(pi);
	}
	if (hdr_sz) {
		iov[niov].iov_base = hdr;
		iov[niov++].iov_len = hdr_sz;
	}
	iov[niov].iov_base = buf;
	iov[niov++].iov_len = size;
	n = readv(fd, iov, niov);
	if (n < 0)
		return -errno;
	pre = (o.has_pi ? sizeof(pi) : 0) + hdr_sz;
	if ((size_t)n < pre)
		return -EIO;
	n -= (ssize_t)pre;
	if ((size_t)n > size)
		return -EMSGSIZE;

	switch (vnh_hdr_hash_get(hdr, hdr_sz, &hash, &report)) {
	case VNH_HDR_HASH_SET:
		from_kernel = report <= VNH_REPORT_MAX;
		break;
	case VNH_HDR_HASH_ZERO:
		from_kernel = tap_zero_is_report(fd, &o);
		break;
	case VNH_HDR_HASH_UNTOUCHED:
		/* Hand the header back as if the kernel had zeroed them. */
		if (hdr_sz >= HDR_HASH_OFF + HDR_HASH_LEN)
			memset(hdr + HDR_HASH_OFF, 0, HDR_HASH_LEN);
		break;
	}
	if (from_kernel) {
		res->hash = hash;
		res->report = report;
		res->queue = vnh_rss_select_queue(rss, hash, report);
	} else if (o.mode == VNH_STEER_MODE_ETH) {
		vnh_rss_hash_frame(rss, buf, (size_t)n, res);
	} else {
		const unsigned char *p = buf;
		uint16_t et = 0;

		if (o.has_pi)
			et = be16toh(pi.proto);
		else if (n > 0 && (p[0] >> 4) == 4)
			et = 0x0800;
		else if (n > 0 && (p[0] >> 4) == 6)
			et = 0x86dd;
		vnh_rss_hash_l3(rss, et, buf, (size_t)n, res);
	}
	if (opts) {
		if (opts->sz >= offsetof(struct vnh_tap_read_opts, hdr) +
				sizeof(opts->hdr) && opts->hdr) {
			memset(opts->hdr, 0, sizeof(*opts->hdr));
			memcpy(opts->hdr, hdr,
			       hdr_sz < sizeof(*opts->hdr) ? hdr_sz :
							     sizeof(*opts->hdr));
		}
		if (opts->sz >= offsetof(struct vnh_tap_read_opts, from_kernel) +
				sizeof(opts->from_kernel))
			opts->from_kernel = from_kernel;
	}
	return n;
}
