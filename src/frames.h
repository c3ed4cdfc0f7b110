/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Frames for `vnethash verify` and `vnethash demo`: a list of frames to
 * send, read from a pcap/pcapng capture or built as synthetic traffic of
 * several kinds. Tool-internal; not part of the library API.
 */
#ifndef VNETHASH_FRAMES_H
#define VNETHASH_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/* Largest frame we send or read: an IPv4/IPv6 maximum plus link header. */
#define FRAME_MAX	(65535 + 18)

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

/* Kinds of synthetic frames. */
enum frame_kind {
	FK_TCP4, FK_UDP4, FK_TCP6, FK_UDP6, FK_VLAN, FK_QINQ, FK_EXT6, FK_FRAG4,
	FK_FRAG6, FK_OTHER4, FK_NONIP, FK_COUNT
};

/* "IPv4 TCP", ...: what frames of each kind are. */
extern const char *const frame_kind_name[FK_COUNT];

/*
 * Adds synthetic traffic to @fl: @flows flows of every kind, a few frames
 * per flow, shuffled as a link interleaves flows; the same on every run.
 * *@kinds (malloc'ed) gets the kind of each frame of @fl. Returns 0 or
 * -ENOMEM.
 */
int frames_synthesize(struct frame_list *fl, unsigned int flows,
		      uint8_t **kinds);

#endif
