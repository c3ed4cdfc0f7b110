// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The steering program's configuration: build the map value from a
 * struct vnh_rss, validate it, swap it in atomically (a fresh inner map,
 * then one update of the outer map's slot), and read it back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "internal.h"

/* Build the map value of a configuration. */
struct vnh_steer_cfg *vnh_cfg_build(const struct vnh_rss *rss,
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

int vnh_cfg_variant(uint32_t flags)
{
	if (flags & VNH_CFG_F_NO_KFUNC_BUILD)
		return VNH_STEER_VARIANT_NO_KFUNC;
	if (flags & VNH_CFG_F_PROGTYPE_BUILD)
		return VNH_STEER_VARIANT_PROGTYPE;
	return VNH_STEER_VARIANT_KFUNC;
}

int vnh_cfg_check(const struct vnh_rss *rss, uint32_t max_queues)
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
int vnh_cfg_install(struct vnh_steer *s, const struct vnh_steer_cfg *cfg)
{
	__u32 zero = 0;
	int inner, err = 0;

	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "vnh_cfg", sizeof(__u32),
			       sizeof(*cfg), 1, NULL);
	if (inner < 0)
		return -errno;
	if (bpf_map_update_elem(inner, &zero, cfg, BPF_ANY) ||
	    bpf_map_update_elem(s->config_fd, &zero, &inner, BPF_ANY)) {
		err = -errno;
		close(inner);
		return err;
	}
	if (s->inner_fd >= 0)
		close(s->inner_fd);
	s->inner_fd = inner;
	return 0;
}

/*
 * A fd of the inner map the slot holds, map id @id: ours if we installed
 * it (needs no privilege), else by id (BPF_MAP_GET_FD_BY_ID: CAP_SYS_ADMIN).
 */
static int cfg_inner_fd(const struct vnh_steer *s, __u32 id)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd;

	memset(&info, 0, sizeof(info));
	if (s->inner_fd >= 0 &&
	    !bpf_obj_get_info_by_fd(s->inner_fd, &info, &len) && info.id == id) {
		fd = fcntl(s->inner_fd, F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? -errno : fd;
	}
	fd = bpf_map_get_fd_by_id(id);
	return fd < 0 ? -errno : fd;
}

/* Read the running configuration (allocated, free() it). */
static int cfg_read(const struct vnh_steer *s, struct vnh_steer_cfg **out)
{
	struct vnh_steer_cfg *cfg;
	__u32 zero = 0, id;
	int inner, err = 0;

	if (bpf_map_lookup_elem(s->config_fd, &zero, &id))
		return errno == ENOENT ? -ENODATA : -errno;
	inner = cfg_inner_fd(s, id);
	if (inner < 0)
		return inner;
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

int vnh_steer_update(struct vnh_steer *s, const struct vnh_rss *rss)
{
	struct vnh_steer_cfg *cur, *cfg;
	int err;

	if (!s || !rss)
		return -EINVAL;
	err = cfg_read(s, &cur);
	if (err)
		return err;
	err = vnh_cfg_check(rss, cur->max_queues);
	if (!err) {
		cfg = vnh_cfg_build(rss, cur->flags, cur->generation + 1,
				cur->max_queues);
		err = cfg ? vnh_cfg_install(s, cfg) : -ENOMEM;
		free(cfg);
	}
	free(cur);
	return err;
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
		in.kfunc = vnh_prog_calls_kfunc(s->prog_fd, &in.prog_id,
					    &in.verified_insns);
		if (cfg->flags & VNH_CFG_F_CAPS) {
			/* What the program said of itself after the load:
			 * true even where its instructions cannot be read. */
			in.kfunc = !!(cfg->flags & VNH_CFG_F_KFUNC);
			in.variant = vnh_cfg_variant(cfg->flags);
		} else if (vnh_prog_is_progtype(s->prog_fd) == 1) {
			in.variant = VNH_STEER_VARIANT_PROGTYPE;
		}
		/* Unknown if neither was recorded nor can be read. */
		in.reports = in.kfunc < 0 ? -ENODATA :
			     in.kfunc > 0 && !in.no_report;
		if (in.variant == VNH_STEER_VARIANT_PROGTYPE) {
			in.kfunc = 0;
			in.reports = !in.no_report;
		}
		in.mechanism = in.reports < 0 ? in.reports :
			       !in.reports ? VNH_STEER_MECH_STEER :
			       in.variant == VNH_STEER_VARIANT_PROGTYPE ?
			       VNH_STEER_MECH_PROGTYPE : VNH_STEER_MECH_KFUNC;
		in.kfunc_load_err = s->kfunc_load_err;
		vnh_opts_out(info, &in, sizeof(in));
	}
	free(cfg);
	return 0;
}

int vnh_steer_reports(const struct vnh_steer *s)
{
	struct vnh_steer_info info = { .sz = sizeof(info) };
	int err;

	if (!s)
		return -EINVAL;
	/* Known since the load (needs no CAP_SYS_ADMIN to tell). */
	if (s->variant != VNH_STEER_VARIANT_AUTO)
		return s->reports;
	err = vnh_steer_get_config(s, NULL, &info);
	return err ? err : info.reports;
}
