// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Frame generator for the BPF tests. Written independently of the rules:
 * it produces well-formed packets of every kind, then breaks them in the
 * ways the rules must survive (truncation, mutation, bad lengths).
 */
#include <string.h>

#include "framegen.h"

void fg_seed(struct fg_rng *r, uint64_t seed)
{
	r->s = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
	if (!r->s)
		r->s = 1;
}

uint64_t fg_next(struct fg_rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

uint32_t fg_below(struct fg_rng *r, uint32_t n)
{
	return n ? (uint32_t)((fg_next(r) >> 32) % n) : 0;
}

void fg_bytes(struct fg_rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(fg_next(r) >> 56);
}

/* Percent chance. */
static int chance(struct fg_rng *r, unsigned int pct)
{
	return fg_below(r, 100) < pct;
}

struct out {
	uint8_t *buf;
	size_t len, max;
};

static void put(struct out *o, const void *p, size_t n)
{
	if (o->len + n > o->max)
		n = o->max - o->len;
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void put_rand(struct fg_rng *r, struct out *o, size_t n)
{
	uint8_t tmp[256];

	while (n) {
		size_t k = n < sizeof(tmp) ? n : sizeof(tmp);

		fg_bytes(r, tmp, k);
		put(o, tmp, k);
		n -= k;
	}
}

static void put8(struct out *o, uint8_t v)
{
	put(o, &v, 1);
}

static void put16(struct out *o, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(o, b, 2);
}

/* Addresses from a small pool, so that some flows repeat. */
static void put_addr(struct fg_rng *r, struct out *o, size_t n)
{
	uint8_t a[16];

	if (chance(r, 30)) {
		memset(a, 0, sizeof(a));
		a[0] = n == 4 ? 10 : 0x20;
		a[n - 1] = (uint8_t)fg_below(r, 8);
		put(o, a, n);
	} else {
		put_rand(r, o, n);
	}
}

static uint8_t pick_proto(struct fg_rng *r)
{
	static const uint8_t other[] = { 1, 2, 47, 50, 58, 132, 136, 255 };

	switch (fg_below(r, 10)) {
	case 0: case 1: case 2: case 3:
		return 6;
	case 4: case 5: case 6:
		return 17;
	case 7:
		return (uint8_t)fg_below(r, 256);
	}
	return other[fg_below(r, sizeof(other))];
}

/* TCP/UDP header (+ payload) or random payload for other protocols. */
static void put_l4(struct fg_rng *r, struct out *o, uint8_t proto)
{
	if (proto == 6) {
		unsigned int doff = chance(r, 80) ? 5 : 5 + fg_below(r, 11);

		put16(o, (uint16_t)fg_next(r));
		put16(o, (uint16_t)fg_next(r));
		put_rand(r, o, 8);
		put8(o, (uint8_t)(doff << 4));
		put8(o, 0x18);
		put_rand(r, o, 6 + (doff - 5) * 4);
	} else if (proto == 17) {
		put16(o, (uint16_t)fg_next(r));
		put16(o, (uint16_t)fg_next(r));
		put_rand(r, o, 4);
	}
	put_rand(r, o, chance(r, 50) ? fg_below(r, 16) : fg_below(r, 400));
}

static void put_ipv4(struct fg_rng *r, struct out *o)
{
	unsigned int ihl = chance(r, 75) ? 5 : 5 + fg_below(r, 11);
	uint8_t proto = pick_proto(r);
	uint16_t frag = 0;

	if (chance(r, 8))
		ihl = fg_below(r, 5);		/* invalid IHL */
	if (chance(r, 15)) {
		switch (fg_below(r, 3)) {
		case 0:
			frag = 0x2000;			/* MF */
			break;
		case 1:
			frag = (uint16_t)(1 + fg_below(r, 0x1fff));
			break;
		default:
			frag = (uint16_t)(0x2000 | fg_below(r, 0x2000));
		}
	} else if (chance(r, 20)) {
		frag = 0x4000;				/* DF */
	}
	put8(o, (uint8_t)((chance(r, 5) ? fg_below(r, 16) : 4) << 4 | ihl));
	put8(o, (uint8_t)fg_next(r));
	put16(o, (uint16_t)fg_next(r));		/* total length: unused */
	put16(o, (uint16_t)fg_next(r));
	put16(o, frag);
	put8(o, 64);
	put8(o, proto);
	put16(o, 0);
	put_addr(r, o, 4);
	put_addr(r, o, 4);
	if (ihl > 5)
		put_rand(r, o, (ihl - 5) * 4);
	put_l4(r, o, proto);
}

/* Options area of a Hop-by-Hop / Destination Options header. */
static void put_opts(struct fg_rng *r, struct out *o, size_t room, int hao)
{
	size_t used = 0;

	while (used < room) {
		size_t left = room - used;
		unsigned int what = fg_below(r, 6);

		if (hao && left >= 18 && what < 2) {
			put8(o, 0xc9);
			put8(o, chance(r, 85) ? 16 : (uint8_t)fg_below(r, 20));
			put_addr(r, o, 16);
			used += 18;
		} else if (what == 2 || left == 1) {
			put8(o, 0);			/* Pad1 */
			used++;
		} else {
			uint8_t len = (uint8_t)fg_below(r, (uint32_t)(left - 1));

			if (chance(r, 5))
				len = (uint8_t)fg_below(r, 256);	/* overruns */
			put8(o, what == 3 ? 1 : (uint8_t)fg_next(r));
			put8(o, len);
			put_rand(r, o, len < left - 2 ? len : left - 2);
			used += 2 + (len < left - 2 ? len : left - 2);
		}
	}
}

static uint8_t pick_ext(struct fg_rng *r)
{
	static const uint8_t ext[] = { 0, 43, 44, 60, 51 };

	return ext[fg_below(r, sizeof(ext))];
}

/* One extension header of type @type whose next header is @next. */
static void put_ext(struct fg_rng *r, struct out *o, uint8_t type,
		    uint8_t next)
{
	uint8_t len;

	switch (type) {
	case 44:				/* Fragment */
		put8(o, next);
		put8(o, 0);
		put16(o, chance(r, 50) ? 0 : (uint16_t)fg_next(r));
		put_rand(r, o, 4);
		return;
	case 51:				/* AH: (len + 2) * 4 bytes */
		len = chance(r, 80) ? (uint8_t)(1 + fg_below(r, 6)) :
				      (uint8_t)fg_below(r, 256);
		put8(o, next);
		put8(o, len);
		put_rand(r, o, ((size_t)len + 2) * 4 - 2);
		return;
	case 43:				/* Routing */
		if (chance(r, 50)) {		/* Type 2 */
			len = chance(r, 85) ? 2 : (uint8_t)fg_below(r, 5);
			put8(o, next);
			put8(o, len);
			put8(o, 2);
			put8(o, (uint8_t)fg_below(r, 3));
			put_rand(r, o, 4);
			if (len >= 2) {
				put_addr(r, o, 16);
				put_rand(r, o, ((size_t)len + 1) * 8 - 24);
			} else {
				put_rand(r, o, ((size_t)len + 1) * 8 - 8);
			}
			return;
		}
		len = (uint8_t)fg_below(r, chance(r, 90) ? 6 : 256);
		put8(o, next);
		put8(o, len);
		put8(o, (uint8_t)fg_below(r, 5));
		put_rand(r, o, ((size_t)len + 1) * 8 - 3);
		return;
	default:				/* Hop-by-Hop, Destination */
		len = (uint8_t)fg_below(r, chance(r, 90) ? 5 : 256);
		put8(o, next);
		put8(o, len);
		put_opts(r, o, ((size_t)len + 1) * 8 - 2, type == 60);
		return;
	}
}

static void put_ipv6(struct fg_rng *r, struct out *o)
{
	uint8_t chain[12], proto = pick_proto(r);
	unsigned int n = 0, i;

	switch (fg_below(r, 4)) {
	case 0:
		n = 0;
		break;
	case 1:
	case 2:
		n = 1 + fg_below(r, 3);
		break;
	default:
		n = fg_below(r, 12);		/* up to 11: past the limit */
	}
	for (i = 0; i < n; i++)
		chain[i] = pick_ext(r);
	if (n && chance(r, 20))
		chain[fg_below(r, n)] = 60;	/* likely a Home Address */

	put8(o, (uint8_t)((chance(r, 5) ? fg_below(r, 16) : 6) << 4));
	put_rand(r, o, 3);
	put16(o, (uint16_t)fg_next(r));		/* payload length: unused */
	put8(o, n ? chain[0] : proto);
	put8(o, 64);
	put_addr(r, o, 16);
	put_addr(r, o, 16);
	for (i = 0; i < n; i++)
		put_ext(r, o, chain[i], i + 1 < n ? chain[i + 1] : proto);
	put_l4(r, o, proto);
}

static const uint16_t vlan_tpids[] = { 0x8100, 0x88a8 };

static void finish(struct fg_rng *r, struct out *o)
{
	unsigned int i, n;

	/* Truncate anywhere (often inside the headers). */
	if (chance(r, 30) && o->len)
		o->len = fg_below(r, (uint32_t)o->len + 1);
	/* Mutate a few bytes. */
	if (chance(r, 20)) {
		n = 1 + fg_below(r, 4);
		for (i = 0; i < n && o->len; i++) {
			size_t at = fg_below(r, (uint32_t)o->len);

			if (chance(r, 50))
				o->buf[at] ^= (uint8_t)(1u << fg_below(r, 8));
			else
				o->buf[at] = (uint8_t)fg_next(r);
		}
	}
}

size_t fg_frame(struct fg_rng *r, uint8_t *buf, size_t max,
		enum fg_kind *kind)
{
	struct out o = { buf, 0, max };
	unsigned int tags = 0, i, what = fg_below(r, 100);
	enum fg_kind k;

	if (what < 4) {
		size_t len = fg_below(r, 200);

		put_rand(r, &o, len);
		if (kind)
			*kind = FG_RANDOM;
		return o.len;
	}
	k = what < 45 ? FG_IPV4 : what < 92 ? FG_IPV6 : FG_OTHER;

	put_rand(r, &o, 12);
	if (chance(r, 25))
		tags = 1 + fg_below(r, chance(r, 20) ? 3 : 2);
	for (i = 0; i < tags; i++) {
		put16(&o, vlan_tpids[fg_below(r, 2)]);
		put16(&o, (uint16_t)fg_next(r));
	}
	if (k == FG_IPV4) {
		put16(&o, 0x0800);
		put_ipv4(r, &o);
	} else if (k == FG_IPV6) {
		put16(&o, 0x86dd);
		put_ipv6(r, &o);
	} else {
		static const uint16_t et[] = { 0x0806, 0x8847, 0x88cc, 0x0042,
					       0x05dc, 0x9100 };
		put16(&o, chance(r, 50) ? et[fg_below(r, sizeof(et) / 2)] :
					  (uint16_t)fg_next(r));
		/* Sometimes an IP packet behind a non-IP EtherType. */
		if (chance(r, 40))
			put_ipv4(r, &o);
		else
			put_rand(r, &o, fg_below(r, 100));
	}
	finish(r, &o);
	if (kind)
		*kind = k;
	return o.len;
}

size_t fg_l3(struct fg_rng *r, uint8_t *buf, size_t max, uint16_t *ethertype,
	     enum fg_kind *kind)
{
	struct out o = { buf, 0, max };
	unsigned int what = fg_below(r, 100);
	enum fg_kind k;

	if (what < 45) {
		k = FG_IPV4;
		*ethertype = 0x0800;
		put_ipv4(r, &o);
	} else if (what < 92) {
		k = FG_IPV6;
		*ethertype = 0x86dd;
		put_ipv6(r, &o);
	} else {
		k = FG_RANDOM;
		*ethertype = chance(r, 50) ? 0x0800 : 0x86dd;
		put_rand(r, &o, fg_below(r, 120));
	}
	/* The wrong EtherType, or a VLAN / other one (no IP for a tun). */
	if (chance(r, 8)) {
		static const uint16_t et[] = { 0x0800, 0x86dd, 0x8100, 0x88a8,
					       0x0806 };
		*ethertype = et[fg_below(r, sizeof(et) / 2)];
	}
	finish(r, &o);
	if (kind)
		*kind = k;
	return o.len;
}
