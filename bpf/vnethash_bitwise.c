// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vnethash_bitwise.c - loader of the benchmarks' baseline programs (see
 * vnethash_bitwise.h).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <string.h>

#include "vnethash_bitwise.h"

int vnh_baseline_empty_prog(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "vnh_bench_empty",
			     "GPL", insns, 2, NULL);
}

struct vnethash_bitwise *vnh_baseline_bitwise_load(const struct vnh_rss *rss)
{
	struct vnethash_bitwise *bw = vnethash_bitwise__open_and_load();
	struct {
		__u32 hash_types, table_len, default_queue;
	} cfg;
	struct {
		__u32 leftmost_32_bits;
		__u8 next_byte[VNH_HASH_INPUT_MAX];
	} key;
	uint8_t k40[VNH_KEY_SIZE_MAX] = { 0 };
	const uint16_t *table;
	const uint8_t *k;
	size_t len, i;
	__u32 zero = 0;
	int fd;

	if (!bw)
		return NULL;
	k = vnh_rss_key(rss, &len);
	memcpy(k40, k, len);
	key.leftmost_32_bits = (__u32)k40[0] << 24 | (__u32)k40[1] << 16 |
			       (__u32)k40[2] << 8 | k40[3];
	memcpy(key.next_byte, k40 + 4, sizeof(key.next_byte));
	table = vnh_rss_table(rss, &len);
	cfg.hash_types = vnh_rss_hash_types(rss);
	cfg.table_len = (__u32)(len < 128 ? len : 128);
	cfg.default_queue = vnh_rss_unclassified(rss);
	fd = bpf_map__fd(bw->maps.bw_table);
	for (i = 0; i < cfg.table_len; i++) {
		__u32 idx = (__u32)i;
		__u16 q = table[i];

		if (bpf_map_update_elem(fd, &idx, &q, 0))
			goto fail;
	}
	if (bpf_map_update_elem(bpf_map__fd(bw->maps.bw_config), &zero, &cfg, 0) ||
	    bpf_map_update_elem(bpf_map__fd(bw->maps.bw_key), &zero, &key, 0))
		goto fail;
	return bw;
fail:
	vnethash_bitwise__destroy(bw);
	return NULL;
}
