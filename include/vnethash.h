/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libvnethash - virtio-net RSS and hash reporting, exact to the virtio spec
 * ("Hash calculation for incoming packets"; semantics in docs/semantics.md).
 *
 * Conventions (like libbpf): functions that can fail return 0 or a negative
 * errno; an object is never changed by a call that fails. Structures passed
 * in by the caller that may grow carry their own size in a leading `sz`
 * member (set it to sizeof(struct ...)).
 */
#ifndef VNETHASH_H
#define VNETHASH_H

#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

#include "vnethash_defs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The well-known 40-byte Toeplitz key of the RSS verification suite. */
extern const uint8_t vnh_default_key[VNH_KEY_SIZE_MAX];

/** Result of hashing one packet. */
struct vnh_result {
	uint32_t hash;		/* Toeplitz hash; 0 when report is NONE */
	uint16_t report;	/* VNH_REPORT_* */
	uint16_t queue;		/* receive queue; set by vnh_rss_* only */
};

/**
 * vnh_toeplitz() - bit-by-bit Toeplitz hash of @data under @key.
 *
 * The plain reference. Key bits past @key_len are zero. Slow; use a
 * struct vnh_toeplitz_table for packets.
 */
uint32_t vnh_toeplitz(const uint8_t *key, size_t key_len,
		      const void *data, size_t len);

/**
 * struct vnh_toeplitz_table - a key turned into one 32-bit contribution per
 * (input byte position, byte value); hashing is then one lookup and XOR per
 * input byte. The eBPF program uses the same layout (entry[]) from a map.
 * gfni[] holds the same key as 8x8 GF(2) matrices for the x86 GFNI path.
 */
struct vnh_toeplitz_table {
	uint32_t entry[VNH_TOEPLITZ_TABLE_ENTRIES];
	uint64_t gfni[VNH_KEY_SIZE_MAX];
};

/** vnh_toeplitz_table_init() - derive the table of a key (1..40 bytes). */
int vnh_toeplitz_table_init(struct vnh_toeplitz_table *table,
			    const uint8_t *key, size_t key_len);

/**
 * vnh_toeplitz_table_hash() - hash up to VNH_HASH_INPUT_MAX bytes. Uses the
 * fastest implementation the CPU has (GFNI + AVX-512 on x86-64, else one
 * table lookup per byte); every one gives the same hash.
 */
uint32_t vnh_toeplitz_table_hash(const struct vnh_toeplitz_table *table,
				 const void *data, size_t len);

/** vnh_toeplitz_impl() - "gfni" or "scalar": what the hash above uses. */
const char *vnh_toeplitz_impl(void);

/**
 * vnh_hash_frame() - hash an Ethernet frame (what a tap carries) with the
 * hash types @types enabled. Fills @res->hash and @res->report; never fails
 * on malformed or truncated frames (they get VNH_REPORT_NONE or the rules
 * they still qualify for). Returns 0, or -EINVAL for NULL arguments.
 */
int vnh_hash_frame(const struct vnh_toeplitz_table *table, uint32_t types,
		   const void *frame, size_t len, struct vnh_result *res);

/**
 * vnh_hash_l3() - hash an IP packet without link-layer header (what a tun
 * carries); @ethertype (host order) says which protocol it claims to be.
 */
int vnh_hash_l3(const struct vnh_toeplitz_table *table, uint32_t types,
		uint16_t ethertype, const void *pkt, size_t len,
		struct vnh_result *res);

/**
 * struct vnh_rss - an RSS configuration: enabled hash types, key (with its
 * derived Toeplitz table), indirection table and unclassified queue.
 *
 * A new object has all hash types, the default key, a one-entry table
 * {0} and unclassified queue 0. The setters validate their input and leave
 * the object unchanged on error.
 */
struct vnh_rss;

struct vnh_rss *vnh_rss_new(void);
void vnh_rss_free(struct vnh_rss *rss);
/** vnh_rss_copy() - make @dst an exact copy of @src. */
void vnh_rss_copy(struct vnh_rss *dst, const struct vnh_rss *src);
/**
 * vnh_rss_equal() - 1 if @a and @b hold the same configuration (key and
 * its length, hash types, indirection table, unclassified queue), else 0.
 * Two NULLs are equal, NULL and an object are not.
 */
int vnh_rss_equal(const struct vnh_rss *a, const struct vnh_rss *b);

/** -EINVAL unless 1 <= @len <= VNH_KEY_SIZE_MAX. */
int vnh_rss_set_key(struct vnh_rss *rss, const uint8_t *key, size_t len);
/** -EINVAL for bits outside VNH_HASH_TYPE_ALL. */
int vnh_rss_set_hash_types(struct vnh_rss *rss, uint32_t types);
/**
 * -EINVAL unless @len is a power of two <= VNH_TABLE_LEN_MAX and every
 * entry is <= VNH_QUEUE_MAX.
 */
int vnh_rss_set_table(struct vnh_rss *rss, const uint16_t *table, size_t len);
/** vnh_rss_set_spread() - table of @len entries, entry i = i % @queues. */
int vnh_rss_set_spread(struct vnh_rss *rss, unsigned int queues, size_t len);
int vnh_rss_set_unclassified(struct vnh_rss *rss, uint16_t queue);

const uint8_t *vnh_rss_key(const struct vnh_rss *rss, size_t *len);
uint32_t vnh_rss_hash_types(const struct vnh_rss *rss);
const uint16_t *vnh_rss_table(const struct vnh_rss *rss, size_t *len);
uint16_t vnh_rss_unclassified(const struct vnh_rss *rss);
const struct vnh_toeplitz_table *vnh_rss_toeplitz(const struct vnh_rss *rss);
/** vnh_rss_max_queue() - highest queue number the configuration names. */
uint16_t vnh_rss_max_queue(const struct vnh_rss *rss);

/**
 * vnh_rss_select_queue() - the queue for a hashed packet: the unclassified
 * queue for VNH_REPORT_NONE, else table[hash & (len - 1)].
 */
uint16_t vnh_rss_select_queue(const struct vnh_rss *rss, uint32_t hash,
			      uint16_t report);

/** vnh_rss_hash_frame() - hash an Ethernet frame and select its queue. */
int vnh_rss_hash_frame(const struct vnh_rss *rss, const void *frame,
		       size_t len, struct vnh_result *res);
/** vnh_rss_hash_l3() - hash an IP packet and select its queue. */
int vnh_rss_hash_l3(const struct vnh_rss *rss, uint16_t ethertype,
		    const void *pkt, size_t len, struct vnh_result *res);

/**
 * vnh_rss_hash_frames() - vnh_rss_hash_frame() for @n Ethernet frames
 * (@frames[i] of @lens[i] bytes) into @res[i]; the same results, faster per
 * frame where the GFNI path can hash two frames in one pass. Returns 0, or
 * -EINVAL for NULL arguments (then @res is unchanged).
 */
int vnh_rss_hash_frames(const struct vnh_rss *rss, const void *const *frames,
			const size_t *lens, size_t n, struct vnh_result *res);

/*
 * Control commands (class VIRTIO_NET_CTRL_MQ). Payloads are the
 * little-endian wire structures of the spec:
 *
 *   struct virtio_net_rss_config {            VNH_CTRL_MQ_RSS_CONFIG
 *           le32 hash_types;
 *           le16 indirection_table_mask;
 *           le16 unclassified_queue;
 *           le16 indirection_table[indirection_table_mask + 1];
 *           le16 max_tx_vq;
 *           u8 hash_key_length;
 *           u8 hash_key_data[hash_key_length];
 *   };
 *   struct virtio_net_hash_config {           VNH_CTRL_MQ_HASH_CONFIG
 *           le32 hash_types;
 *           le16 reserved[4];
 *           u8 hash_key_length;
 *           u8 hash_key_data[hash_key_length];
 *   };
 */
#define VNH_CTRL_MQ_RSS_CONFIG	1
#define VNH_CTRL_MQ_HASH_CONFIG	2

/** What the device announces (virtio_net_config fields). */
struct vnh_device_limits {
	size_t sz;			/* sizeof(struct vnh_device_limits) */
	uint16_t max_queue_pairs;	/* max_virtqueue_pairs */
	uint16_t max_table_len;		/* rss_max_indirection_table_length */
	uint8_t max_key_size;		/* rss_max_key_size */
	uint32_t supported_hash_types;	/* supported_hash_types */
};

/** Why a control payload was refused: one code per violation. */
enum vnh_ctrl_error {
	VNH_CTRL_OK = 0,
	VNH_CTRL_E_LIMITS,		/* the device limits themselves are bad */
	VNH_CTRL_E_TRUNCATED,		/* payload shorter than its fields */
	VNH_CTRL_E_TRAILING,		/* bytes after the key */
	VNH_CTRL_E_HASH_TYPES,		/* types the device does not support */
	VNH_CTRL_E_TABLE_MASK,		/* mask + 1 is not a power of two */
	VNH_CTRL_E_TABLE_LEN,		/* table longer than the device allows */
	VNH_CTRL_E_TABLE_QUEUE,		/* a table entry names a queue >= max_tx_vq */
	VNH_CTRL_E_UNCLASSIFIED,	/* unclassified queue >= max_tx_vq */
	VNH_CTRL_E_MAX_TX_VQ,		/* max_tx_vq 0 or above max_queue_pairs */
	VNH_CTRL_E_KEY_SIZE,		/* key longer than the device allows */
	VNH_CTRL_E_NO_KEY,		/* hash types enabled but key length 0 */
	VNH_CTRL_E_RESERVED,		/* reserved field not zero */
	VNH_CTRL_E_COUNT
};

/** Detailed outcome of a control command. */
struct vnh_ctrl_status {
	int code;		/* enum vnh_ctrl_error */
	uint32_t offset;	/* payload offset of the offending field */
	char msg[160];		/* human-readable, names values and limits */
};

/**
 * vnh_ctrl_rss_config() - validate a VIRTIO_NET_CTRL_MQ_RSS_CONFIG payload
 * against @limits and, only if all is valid, apply it to @rss.
 * @max_tx_vq receives the payload's max_tx_vq (may be NULL); @st (may be
 * NULL) the detailed outcome. Returns 0 or -EINVAL; on error @rss and
 * @max_tx_vq are untouched.
 */
int vnh_ctrl_rss_config(struct vnh_rss *rss, const void *payload, size_t len,
			const struct vnh_device_limits *limits,
			uint16_t *max_tx_vq, struct vnh_ctrl_status *st);

/**
 * vnh_ctrl_hash_config() - the same for VIRTIO_NET_CTRL_MQ_HASH_CONFIG
 * (hash reporting without RSS): sets hash types and key; the indirection
 * table and unclassified queue are left as they are.
 */
int vnh_ctrl_hash_config(struct vnh_rss *rss, const void *payload, size_t len,
			 const struct vnh_device_limits *limits,
			 struct vnh_ctrl_status *st);

/**
 * vnh_ctrl_build_rss_config() - encode @rss as an RSS_CONFIG payload, the
 * way a driver would. Returns the payload size (also when it exceeds @size,
 * in which case nothing is written), or a negative errno.
 */
long vnh_ctrl_build_rss_config(const struct vnh_rss *rss, uint16_t max_tx_vq,
			       void *buf, size_t size);

/** vnh_ctrl_strerror() - a fixed description of an enum vnh_ctrl_error. */
const char *vnh_ctrl_strerror(int code);

/**
 * vnh_fill_hdr_hash() - store @res in the hash fields of @hdr (little
 * endian): hash_value, hash_report, and zero padding. The first 12 bytes
 * (virtio_net_hdr_mrg_rxbuf) are left alone.
 */
void vnh_fill_hdr_hash(struct virtio_net_hdr_v1_hash *hdr,
		       const struct vnh_result *res);

/** vnh_report_name() - "none", "ipv4", ... "udpv6_ex"; NULL if unknown. */
const char *vnh_report_name(unsigned int report);

/**
 * vnh_hash_type_name() - the name of one hash type bit ("ipv4", "tcpv4",
 * ..., "ipv6_ex", "tcpv6_ex", "udpv6_ex"); NULL if @type is not one bit.
 */
const char *vnh_hash_type_name(uint32_t type);

/**
 * vnh_parse_hash_types() - parse a comma list of hash type names, or "all",
 * or "none". Returns 0, or -EINVAL with *@bad (if not NULL) pointing at the
 * offending name in @list.
 */
int vnh_parse_hash_types(const char *list, uint32_t *types, const char **bad);

#ifdef __cplusplus
}
#endif

#endif /* VNETHASH_H */
