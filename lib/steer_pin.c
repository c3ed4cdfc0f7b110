// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Pinning the steering program and its maps in bpffs, so that it outlives
 * the process that attached it, and opening (and checking) what is pinned.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "internal.h"

/* Pin names under the pin directory. */
static const char *const pin_names[] = { "prog", "config", "stats", "debug" };
#define NR_PINS (sizeof(pin_names) / sizeof(pin_names[0]))

int vnh_pin_path(char *buf, size_t size, const char *dir, const char *name)
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
		err = vnh_pin_path(path, sizeof(path), dir, pin_names[i]);
		if (err)
			return err;
		if (!access(path, F_OK))
			return -EEXIST;
	}
	err = mkdir_p(dir);
	if (err)
		return err;
	for (i = 0; i < NR_PINS; i++) {
		vnh_pin_path(path, sizeof(path), dir, pin_names[i]);
		if (bpf_obj_pin(fds[i], path)) {
			err = -errno;
			for (j = 0; j < i; j++) {
				vnh_pin_path(path, sizeof(path), dir, pin_names[j]);
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
		int perr = vnh_pin_path(path, sizeof(path), dir, pin_names[i]);

		if (perr)
			return perr;
		if (!unlink(path))
			removed++;
		else if (errno != ENOENT && !err)
			err = -errno;	/* the first real failure */
	}
	/* The record of the device they were pinned for, if any. */
	if (!err && vnh_steer_unpin_owner(dir) == 0)
		removed++;
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
	/* Pins of a device that is gone steer nothing: say so. */
	err = vnh_steer_pins_stale(dir);
	if (err)
		return err;
	s = vnh_steer_alloc();
	if (!s)
		return -ENOMEM;
	fds[0] = &s->prog_fd;
	fds[1] = &s->config_fd;
	fds[2] = &s->stats_fd;
	fds[3] = &s->debug_fd;
	for (i = 0; i < NR_PINS; i++) {
		err = vnh_pin_path(path, sizeof(path), dir, pin_names[i]);
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
	if (pinfo.type != BPF_PROG_TYPE_SOCKET_FILTER &&
	    (vnh_progtype_number() <= 0 ||
	     pinfo.type != (__u32)vnh_progtype_number()))
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
