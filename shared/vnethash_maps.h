/* SPDX-License-Identifier: (GPL-2.0-only OR LGPL-2.1 OR BSD-2-Clause) */
/*
 * vnethash_maps.h - map layouts of the vnethash steering program, shared by
 * the BPF program (bpf/vnethash_steer.bpf.c) and user space
 * (lib/steer_config.c, lib/steer_counters.c, lib/steer_pin.c).
 * Include <linux/types.h> (or vmlinux types) first.
 *
 * Maps:
 *   vnh_config  ARRAY_OF_MAPS, 1 slot -> inner ARRAY, 1 entry of
 *               struct vnh_steer_cfg. User space builds a fresh inner map
 *               for every change and swaps the slot: a packet sees wholly
 *               the old or wholly the new configuration.
 *   vnh_stats   PERCPU_ARRAY, 1 entry of struct vnh_steer_stats. Lives
 *               outside the config, so it survives updates.
 *   vnh_debug   ARRAY, 1 entry of struct vnh_steer_debug; written only
 *               when VNH_CFG_F_DEBUG is set (tests).
 */
#ifndef VNETHASH_MAPS_H
#define VNETHASH_MAPS_H

#include "vnethash_defs.h"

#define VNH_CFG_MAGIC		0x56484e31u	/* "1NHV": layout version 1 */

/* struct vnh_steer_cfg.flags */
#define VNH_CFG_F_L3		(1u << 0)	/* tun: parse from the IP header */
#define VNH_CFG_F_NO_REPORT	(1u << 1)	/* never call the kfunc */
#define VNH_CFG_F_DEBUG		(1u << 2)	/* fill vnh_debug */
/*
 * Recorded by user space from the program's vnh_caps after the load, for
 * whoever opens the instance later; the program ignores them.
 */
#define VNH_CFG_F_CAPS		(1u << 3)	/* the next two are known */
#define VNH_CFG_F_KFUNC		(1u << 4)	/* the program calls the kfunc */
#define VNH_CFG_F_NO_KFUNC_BUILD (1u << 5)	/* built without its extern */
#define VNH_CFG_F_PROGTYPE_BUILD (1u << 6)	/* a BPF_PROG_TYPE_VNET_HASH
						 * program (reports) */

/*
 * The program's global vnh_caps (.bss), written by its vnh_caps_prog:
 * what the object does as loaded.
 */
#define VNH_CAPS_VALID		(1u << 0)	/* written */
#define VNH_CAPS_KFUNC		(1u << 1)	/* the kfunc extern resolved: the
						 * program reports hashes */
#define VNH_CAPS_NO_KFUNC_BUILD	(1u << 2)	/* built with VNH_NO_KFUNC */
#define VNH_CAPS_PROGTYPE_BUILD	(1u << 3)	/* built with VNH_PROGTYPE: a
						 * BPF_PROG_TYPE_VNET_HASH program */

/* Queues with their own counter; the next slot counts all higher ones. */
#define VNH_STATS_QUEUES	256

struct vnh_steer_cfg {
	__u32 magic;		/* VNH_CFG_MAGIC; anything else: no config */
	__u32 flags;		/* VNH_CFG_F_* */
	__u32 hash_types;	/* VNH_HASH_TYPE_* */
	__u32 table_mask;	/* indirection table length - 1 */
	__u16 unclassified;	/* queue for VNH_REPORT_NONE */
	__u16 key_len;		/* for reading back; the program uses toeplitz */
	__u32 generation;	/* bumped by every update */
	__u32 max_queues;	/* validation limit user space applied; 0 none */
	__u32 reserved;
	__u8 key[VNH_KEY_SIZE_MAX];
	__u16 table[VNH_TABLE_LEN_MAX];
	/* struct vnh_toeplitz_table: entry[pos * 256 + byte] */
	__u32 toeplitz[VNH_TOEPLITZ_TABLE_ENTRIES];
};

struct vnh_steer_stats {
	__u64 queue[VNH_STATS_QUEUES + 1];	/* [VNH_STATS_QUEUES]: others */
	__u64 report[VNH_REPORT_MAX + 1];
	__u64 kfunc_ok;
	__u64 kfunc_fail;
	__u64 no_config;
};

struct vnh_steer_debug {
	__u64 runs;		/* packets seen in debug mode */
	__u32 hash;		/* of the last packet */
	__u16 report;
	__u16 queue;
	__s32 kfunc_ret;	/* last kfunc return; 1 if not called */
	__u32 generation;	/* of the config that steered it */
};

#endif /* VNETHASH_MAPS_H */
