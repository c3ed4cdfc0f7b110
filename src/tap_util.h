/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Tap plumbing for `vnethash verify` and `vnethash demo`: open the queues
 * of a multiqueue tap, send frames into its transmit path through an
 * AF_PACKET socket (the host-to-guest direction), read them back from the
 * queues with their virtio-net header, and match what arrives against what
 * was sent. Tool-internal; not part of the library API.
 */
#ifndef VNETHASH_TAP_UTIL_H
#define VNETHASH_TAP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest frame we send or read: an IPv4/IPv6 maximum plus link header. */
#define TAP_FRAME_MAX	(65535 + 18)

/* A list of frames to send (owned copies). */
struct frame_list {
	size_t n, cap;
	uint8_t **data;
	uint32_t *len;
};

void frames_init(struct frame_list *fl);
void frames_free(struct frame_list *fl);
int frames_add(struct frame_list *fl, const void *data, size_t len);
/* Reads an Ethernet pcap/pcapng file; prints its own errors. */
int frames_load_pcap(struct frame_list *fl, const char *path);

/*
 * A tap whose queues we hold. tap_create() makes a new multiqueue tap;
 * tap_join() opens queues of an existing one, passing its current flags
 * back (TUNSETIFF rewrites device-wide flags) plus IFF_VNET_HDR, and
 * tap_close() restores the flags and header size it found.
 */
struct tap {
	char name[16];
	int nq;
	int fds[256];
	int hdr_sz;		/* vnet header size in use; 0 = none (a joined
				 * device whose queues are open elsewhere
				 * without IFF_VNET_HDR) */
	bool joined;		/* existing device: restore at close */
	bool flags_changed;	/* we rewrote its flags (first queue) */
	unsigned int orig_flags;
	int orig_hdr_sz;
	int ifindex;
	int pkt_fd;		/* AF_PACKET socket bound to the device */
};

#define TAP_QUEUES_MAX 256

/* Own network namespace (unshare(CLONE_NEWNET)), IPv6 off for new devices. */
int tap_private_netns(void);
int tap_create(struct tap *t, const char *name, int nq, int hdr_sz);
int tap_join(struct tap *t, const char *name, int nq, int hdr_sz);
void tap_close(struct tap *t);
/* Device-wide flags of an existing tun/tap from sysfs (IFF_*). */
int tap_read_flags(const char *name, unsigned int *flags);
/* Queues attached to the device now (rtnetlink), or -errno. */
int tap_num_queues(const char *name);
int tap_set_up(const char *name);
int tap_set_mtu(const char *name, int mtu);
int tap_get_mtu(const char *name);

/* Per-frame outcome of tap_exchange(). */
enum frame_state {
	FS_PENDING = 0,		/* not sent yet */
	FS_SENT,		/* sent, not (yet) received */
	FS_RECEIVED,
	FS_UNSENDABLE,		/* the kernel refused it on send (see err) */
};

struct frame_outcome {
	uint8_t state;
	bool kernel_report;	/* header carried a hash report */
	int16_t queue;		/* queue it arrived on (first arrival) */
	uint16_t report;	/* kernel's hash_report */
	uint32_t hash;		/* kernel's hash_value */
	uint32_t dups;		/* further identical arrivals */
	int err;		/* errno of a refused send */
};

struct exchange_stats {
	unsigned long sent, received, lost, unsendable, duplicates, foreign;
	unsigned long kernel_reports;
	unsigned long per_queue[TAP_QUEUES_MAX];
};

/*
 * Called after frame @i was sent (with its index) so a caller can, e.g.,
 * reconfigure mid-stream. May be NULL.
 */
typedef void (*exchange_hook)(void *arg, size_t i);

struct exchange_opts {
	int timeout_ms;		/* wait for stragglers after the last arrival */
	unsigned int window;	/* max frames in flight (sent, not read) */
	exchange_hook hook;
	void *hook_arg;
	/*
	 * All-zero hash fields are the kernel's report NONE, not "nothing
	 * to report": see vnh_hdr_zero_is_report() (lib/internal.h).
	 * Fields the kernel leaves alone are told apart by a pattern.
	 */
	bool zero_is_report;
};

/*
 * Sends every frame of @fl through the tap's transmit path, reading all
 * queues meanwhile (poll), and matches arrivals to sent frames byte for
 * byte. Frames that match nothing we sent (the kernel's own traffic, or
 * someone else's) are counted as foreign and ignored. @out has fl->n
 * entries. Returns 0, or -errno if the exchange itself broke down (e.g. a
 * read error); losses are not errors here.
 */
int tap_exchange(struct tap *t, const struct frame_list *fl,
		 struct frame_outcome *out, struct exchange_stats *st,
		 const struct exchange_opts *opts);

/* A one-line reason why a send was refused, for reports. */
const char *unsendable_reason(int err, size_t len);

#endif
