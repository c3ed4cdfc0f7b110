/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The send/receive matcher of `vnethash verify` and `vnethash demo`: send
 * frames into a tap's transmit path through an AF_PACKET socket (the
 * host-to-guest direction), read them back from the queues with their
 * virtio-net header, match what arrives against what was sent, and judge
 * each frame against what the library expects. Tool-internal; not part
 * of the library API.
 */
#ifndef VNETHASH_EXCHANGE_H
#define VNETHASH_EXCHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnethash.h"
#include "frames.h"
#include "tap.h"

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

/*
 * What the library expects of each frame of @fl (@exp has fl->n entries)
 * on a device with @queues queues open: tun takes the program's queue
 * modulo that number.
 */
void exchange_expect(const struct vnh_rss *rss, const struct frame_list *fl,
		     struct vnh_result *exp, int queues);

/* How a frame fared against the library's expectation. */
enum verdict { V_OK, V_MISMATCH, V_LOST, V_DUPLICATE, V_UNSENDABLE };

/*
 * The verdict on outcome @o against expectation @e: UNSENDABLE, LOST (sent,
 * never received), MISMATCH (another queue, or the kernel reported another
 * hash or type: *@wrong_queue, *@wrong_hash, if not NULL), DUPLICATE
 * (right, but more than once) or OK.
 */
enum verdict frame_verdict(const struct frame_outcome *o,
			   const struct vnh_result *e, bool *wrong_queue,
			   bool *wrong_hash);

#endif
