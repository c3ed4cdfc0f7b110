// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The send/receive matcher of `vnethash verify` and `vnethash demo`: send
 * frames into a tap's transmit path, read every queue meanwhile, match
 * what arrives to what was sent, and judge each frame against the
 * library's expectation.
 */
#include <errno.h>
#include <net/ethernet.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "exchange.h"
#include "internal.h"

const char *unsendable_reason(int err, size_t len)
{
	if (err == EINVAL && len < ETH_HLEN)
		return "shorter than an Ethernet header (14 bytes)";
	if (err == EINVAL)
		return "refused by the device (invalid link-layer header)";
	if (err == EMSGSIZE)
		return "longer than the device MTU allows";
	return strerror(err);
}

static uint64_t fnv1a(const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h ^ len;
}

struct matcher {
	const struct frame_list *fl;
	struct frame_outcome *out;
	struct exchange_stats *st;
	int32_t *head, *next;
	uint64_t *hash;
	size_t mask;
	unsigned long matched;	/* first arrivals */
	uint8_t *buf;
	int hdr_sz;
	bool zero_is_report;
};

static int matcher_init(struct matcher *m, const struct frame_list *fl)
{
	size_t size = 16, i;

	while (size < fl->n * 2)
		size <<= 1;
	m->mask = size - 1;
	m->head = malloc(size * sizeof(*m->head));
	m->next = malloc((fl->n + 1) * sizeof(*m->next));
	m->hash = malloc((fl->n + 1) * sizeof(*m->hash));
	m->buf = malloc(FRAME_MAX + 64);
	if (!m->head || !m->next || !m->hash || !m->buf)
		return -ENOMEM;
	for (i = 0; i < size; i++)
		m->head[i] = -1;
	/* Insert backwards so that each chain lists frames in capture order. */
	for (i = fl->n; i-- > 0;) {
		size_t b;

		m->hash[i] = fnv1a(fl->data[i], fl->len[i]);
		b = m->hash[i] & m->mask;
		m->next[i] = m->head[b];
		m->head[b] = (int32_t)i;
	}
	return 0;
}

static void matcher_free(struct matcher *m)
{
	free(m->head);
	free(m->next);
	free(m->hash);
	free(m->buf);
}

static void match_arrival(struct matcher *m, int q, const uint8_t *hdr,
			  const uint8_t *frame, size_t len)
{
	uint64_t h = fnv1a(frame, len);
	int32_t i, first_rx = -1;
	struct frame_outcome *o;
	uint32_t hash;
	uint16_t report;

	for (i = m->head[h & m->mask]; i >= 0; i = m->next[i]) {
		if (m->hash[i] != h || m->fl->len[i] != len ||
		    memcmp(m->fl->data[i], frame, len))
			continue;
		if (m->out[i].state == FS_SENT)
			break;
		if (m->out[i].state == FS_RECEIVED && first_rx < 0)
			first_rx = i;
	}
	if (i < 0) {
		if (first_rx >= 0) {
			m->out[first_rx].dups++;
			m->st->duplicates++;
		} else {
			m->st->foreign++;
		}
		return;
	}
	o = &m->out[i];
	o->state = FS_RECEIVED;
	o->queue = (int16_t)q;
	switch (vnh_hdr_hash_get(hdr, (size_t)m->hdr_sz, &hash, &report)) {
	case VNH_HDR_HASH_ZERO:
		if (!m->zero_is_report)
			break;
		/* fall through */
	case VNH_HDR_HASH_SET:
		o->kernel_report = true;
		o->hash = hash;
		o->report = report;
		m->st->kernel_reports++;
		break;
	case VNH_HDR_HASH_UNTOUCHED:
		break;
	}
	m->st->received++;
	if (q < TAP_QUEUES_MAX)
		m->st->per_queue[q]++;
	m->matched++;
}

/* Reads everything queued on queue @q. Returns frames read or -errno. */
static int drain_queue(struct matcher *m, struct tap *t, int q)
{
	size_t hs = (size_t)t->hdr_sz;
	int count = 0;

	for (;;) {
		ssize_t n;

		vnh_hdr_hash_prefill(m->buf, hs);
		n = read(t->fds[q], m->buf, FRAME_MAX + 64);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return count;
			return -errno;
		}
		if ((size_t)n < hs)
			continue;
		match_arrival(m, q, m->buf, m->buf + hs, (size_t)n - hs);
		count++;
	}
}

/* Waits up to @timeout_ms for any queue to be readable; reads them all. */
static int pump(struct matcher *m, struct tap *t, int timeout_ms)
{
	struct pollfd pfd[TAP_QUEUES_MAX];
	int q, r, total = 0;

	for (q = 0; q < t->nq; q++) {
		pfd[q].fd = t->fds[q];
		pfd[q].events = POLLIN;
		pfd[q].revents = 0;
	}
	do {
		r = poll(pfd, (nfds_t)t->nq, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	for (q = 0; q < t->nq; q++) {
		if (pfd[q].revents & (POLLERR | POLLNVAL))
			return -EIO;
		if (pfd[q].revents & POLLIN) {
			int n = drain_queue(m, t, q);

			if (n < 0)
				return n;
			total += n;
		}
	}
	return total;
}

static long ms_since(const struct timespec *a)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - a->tv_sec) * 1000 +
	       (now.tv_nsec - a->tv_nsec) / 1000000;
}

int tap_exchange(struct tap *t, const struct frame_list *fl,
		 struct frame_outcome *out, struct exchange_stats *st,
		 const struct exchange_opts *opts)
{
	unsigned int window = opts->window ? opts->window : 64;
	int timeout = opts->timeout_ms > 0 ? opts->timeout_ms : 1000;
	unsigned long written_off = 0;
	struct matcher m = { 0 };
	struct timespec last;
	size_t i;
	int err = 0;

	memset(out, 0, fl->n * sizeof(*out));
	memset(st, 0, sizeof(*st));
	for (i = 0; i < fl->n; i++)
		out[i].queue = -1;
	m.fl = fl;
	m.out = out;
	m.st = st;
	m.hdr_sz = t->hdr_sz;
	m.zero_is_report = opts->zero_is_report;
	if (matcher_init(&m, fl)) {
		matcher_free(&m);
		return -ENOMEM;
	}
	/* Anything already queued (e.g. the kernel's own frames) is not ours. */
	err = pump(&m, t, 0);
	if (err < 0)
		goto out;
	st->foreign = 0;

	for (i = 0; i < fl->n; i++) {
		int tries = 0;

		/* Keep the tap rings (txqueuelen) from overflowing. */
		while ((long)st->sent - (long)m.matched - (long)written_off >=
		       (long)window) {
			unsigned long before = m.matched;

			err = pump(&m, t, timeout);
			if (err < 0)
				goto out;
			if (m.matched == before) {
				/* Nothing came: count what is out as lost
				 * for pacing (they may still arrive). */
				written_off = st->sent - m.matched;
			}
		}
		for (;;) {
			ssize_t n = send(t->pkt_fd, fl->data[i], fl->len[i], 0);

			if (n >= 0)
				break;
			if (errno == EINTR)
				continue;
			if ((errno == ENOBUFS || errno == EAGAIN) && tries++ < 100) {
				err = pump(&m, t, 10);
				if (err < 0)
					goto out;
				continue;
			}
			if (errno == EINVAL || errno == EMSGSIZE) {
				out[i].state = FS_UNSENDABLE;
				out[i].err = errno;
				st->unsendable++;
				break;
			}
			err = -errno;
			goto out;
		}
		if (out[i].state != FS_UNSENDABLE) {
			out[i].state = FS_SENT;
			st->sent++;
		}
		if (opts->hook)
			opts->hook(opts->hook_arg, i);
		err = pump(&m, t, 0);
		if (err < 0)
			goto out;
	}

	/* Stragglers: wait until all arrived or nothing came for @timeout. */
	clock_gettime(CLOCK_MONOTONIC, &last);
	while (m.matched < st->sent) {
		unsigned long before = m.matched;
		long left = timeout - ms_since(&last);

		if (left <= 0)
			break;
		err = pump(&m, t, (int)left);
		if (err < 0)
			goto out;
		if (m.matched != before)
			clock_gettime(CLOCK_MONOTONIC, &last);
	}
	/* A short grace period to catch duplicates right behind the rest. */
	err = pump(&m, t, 20);
	if (err < 0)
		goto out;
	err = 0;
	st->lost = st->sent - m.matched;
out:
	matcher_free(&m);
	return err;
}

void exchange_expect(const struct vnh_rss *rss, const struct frame_list *fl,
		     struct vnh_result *exp, int queues)
{
	size_t i;

	for (i = 0; i < fl->n; i++) {
		vnh_rss_hash_frame(rss, fl->data[i], fl->len[i], &exp[i]);
		exp[i].queue = (uint16_t)(exp[i].queue % queues);
	}
}

enum verdict frame_verdict(const struct frame_outcome *o,
			   const struct vnh_result *e, bool *wrong_queue,
			   bool *wrong_hash)
{
	bool wq = false, wh = false;
	enum verdict v;

	switch (o->state) {
	case FS_UNSENDABLE:
		v = V_UNSENDABLE;
		goto out;
	case FS_SENT:
	case FS_PENDING:
		v = V_LOST;
		goto out;
	}
	wq = o->queue != e->queue;
	wh = o->kernel_report &&
	     (o->hash != e->hash || o->report != e->report);
	if (wq || wh)
		v = V_MISMATCH;
	else if (o->dups)
		v = V_DUPLICATE;
	else
		v = V_OK;
out:
	if (wrong_queue)
		*wrong_queue = wq;
	if (wrong_hash)
		*wrong_hash = wh;
	return v;
}
