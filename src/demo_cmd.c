// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vnethash demo: RSS with hash reporting on a real multiqueue tap, in a
 * private network namespace: attach the steering program, send varied
 * traffic, read every queue, and show where it went.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap_util.h"
#include "tool.h"
#include "vnet_hdr_hash.h"

static const char demo_usage[] =
"Usage: %s demo [OPTIONS]\n"
"\n"
"Create a multiqueue tap in a private network namespace, attach the\n"
"vnethash steering program, send varied traffic through the tap (IPv4 and\n"
"IPv6 TCP/UDP flows, VLAN-tagged frames, IPv6 with extension headers,\n"
"fragments, non-IP frames), read all queues, and show how the traffic\n"
"spread, with sample hashes, and whether each frame arrived on the queue\n"
"the library predicts. Nothing outside the namespace is touched.\n"
"\n"
"  --queues N          queues of the tap (default 4, 1 to 256); also the\n"
"                      indirection table spreading over them, unless\n"
"                      --indir is given\n"
"  --flows N           TCP/UDP flows per kind (default 8; 1 to 1000)\n"
"  --json              the report as one JSON object\n"
"  -h, --help          this text\n"
"\n"
CONFIG_HELP
"\n"
"Exit status: 0 if every frame arrived once on the predicted queue (and\n"
"with the predicted hash, where the kernel reports one); 1 otherwise, or if\n"
"the tap cannot be set up; 2 for bad usage.\n";

/* ------------------------------------------------------------------ */
/* frame builders */

enum kind {
	K_TCP4, K_UDP4, K_TCP6, K_UDP6, K_VLAN, K_QINQ, K_EXT6, K_FRAG4,
	K_FRAG6, K_OTHER4, K_NONIP, K_COUNT
};

static const char *const kind_name[K_COUNT] = {
	[K_TCP4] = "IPv4 TCP",
	[K_UDP4] = "IPv4 UDP",
	[K_TCP6] = "IPv6 TCP",
	[K_UDP6] = "IPv6 UDP",
	[K_VLAN] = "802.1Q VLAN, IPv4 TCP",
	[K_QINQ] = "QinQ VLAN, IPv6 UDP",
	[K_EXT6] = "IPv6 ext. headers, TCP",
	[K_FRAG4] = "IPv4 fragment",
	[K_FRAG6] = "IPv6 fragment",
	[K_OTHER4] = "IPv4 ICMP",
	[K_NONIP] = "non-IP (ARP, LLDP)",
};

struct fb {
	uint8_t b[256];
	size_t n;
};

static void put(struct fb *f, const void *p, size_t len)
{
	memcpy(f->b + f->n, p, len);
	f->n += len;
}

static void put8(struct fb *f, unsigned int v)
{
	f->b[f->n++] = (uint8_t)v;
}

static void put16(struct fb *f, unsigned int v)
{
	put8(f, v >> 8);
	put8(f, v);
}

static void put32(struct fb *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void eth_hdr(struct fb *f, unsigned int ethertype)
{
	static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x02 };

	f->n = 0;
	put(f, dst, 6);
	put(f, src, 6);
	put16(f, ethertype);
}

static void fix_ipv4_csum(uint8_t *h)
{
	uint32_t s = 0;
	int i;

	h[10] = h[11] = 0;
	for (i = 0; i < 20; i += 2)
		s += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	s = ~s & 0xffff;
	h[10] = (uint8_t)(s >> 8);
	h[11] = (uint8_t)s;
}

/* IPv4 header; returns its offset so the length can be fixed up. */
static size_t ipv4_hdr(struct fb *f, uint32_t src, uint32_t dst,
		       unsigned int proto, unsigned int frag)
{
	size_t at = f->n;

	put8(f, 0x45);
	put8(f, 0);
	put16(f, 0);		/* total length, fixed later */
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, src);
	put32(f, dst);
	return at;
}

static void ipv4_done(struct fb *f, size_t at)
{
	size_t len = f->n - at;

	f->b[at + 2] = (uint8_t)(len >> 8);
	f->b[at + 3] = (uint8_t)len;
	fix_ipv4_csum(f->b + at);
}

static void addr6(uint8_t a[16], unsigned int net, uint32_t host)
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[5] = (uint8_t)net;
	a[12] = (uint8_t)(host >> 24);
	a[13] = (uint8_t)(host >> 16);
	a[14] = (uint8_t)(host >> 8);
	a[15] = (uint8_t)host;
}

static size_t ipv6_hdr(struct fb *f, const uint8_t src[16],
		       const uint8_t dst[16], unsigned int nh)
{
	size_t at = f->n;

	put32(f, 0x60000000);
	put16(f, 0);		/* payload length, fixed later */
	put8(f, nh);
	put8(f, 64);
	put(f, src, 16);
	put(f, dst, 16);
	return at;
}

static void ipv6_done(struct fb *f, size_t at)
{
	size_t len = f->n - at - 40;

	f->b[at + 4] = (uint8_t)(len >> 8);
	f->b[at + 5] = (uint8_t)len;
}

static void tcp_hdr(struct fb *f, unsigned int sport, unsigned int dport,
		    uint32_t seq)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, seq);
	put32(f, 0);
	put8(f, 5 << 4);
	put8(f, 0x18);		/* PSH ACK */
	put16(f, 65535);
	put32(f, 0);		/* checksum (not checked), urgent */
	put(f, "vnethash", 8);
}

static void udp_hdr(struct fb *f, unsigned int sport, unsigned int dport)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 8 + 8);
	put16(f, 0);
	put(f, "vnethash", 8);
}

static uint32_t rnd_state = 0x2545f491;

static uint32_t rnd(void)
{
	/* xorshift32: deterministic traffic, the same on every run */
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* One frame of @kind for flow @flow, packet @pkt of that flow. */
static void build(struct fb *f, enum kind kind, unsigned int flow,
		  unsigned int pkt)
{
	uint32_t s4 = 0x0a000001 + flow * 7, d4 = 0xc0a80001 + flow * 13;
	unsigned int sport = 10000 + flow * 101, dport = 80 + flow % 7;
	uint8_t s6[16], d6[16], hoa[16], rt[16];
	size_t at;

	addr6(s6, 1, 0x100 + flow);
	addr6(d6, 2, 0x200 + flow * 3);
	switch (kind) {
	case K_TCP4:
		eth_hdr(f, 0x0800);
		at = ipv4_hdr(f, s4, d4, 6, 0x4000);
		tcp_hdr(f, sport, dport, pkt * 1000);
		ipv4_done(f, at);
		break;
	case K_UDP4:
		eth_hdr(f, 0x0800);
		at = ipv4_hdr(f, s4, d4, 17, 0);
		udp_hdr(f, sport, 53 + flow % 3);
		ipv4_done(f, at);
		break;
	case K_TCP6:
		eth_hdr(f, 0x86dd);
		at = ipv6_hdr(f, s6, d6, 6);
		tcp_hdr(f, sport, 443, pkt * 1000);
		ipv6_done(f, at);
		break;
	case K_UDP6:
		eth_hdr(f, 0x86dd);
		at = ipv6_hdr(f, s6, d6, 17);
		udp_hdr(f, sport, 4789);
		ipv6_done(f, at);
		break;
	case K_VLAN:
		eth_hdr(f, 0x8100);
		put16(f, 100 + flow % 4);
		put16(f, 0x0800);
		at = ipv4_hdr(f, s4, d4, 6, 0x4000);
		tcp_hdr(f, sport, 22, pkt);
		ipv4_done(f, at);
		break;
	case K_QINQ:
		eth_hdr(f, 0x88a8);
		put16(f, 10);
		put16(f, 0x8100);
		put16(f, 200 + flow % 4);
		put16(f, 0x86dd);
		at = ipv6_hdr(f, s6, d6, 17);
		udp_hdr(f, sport, 5353);
		ipv6_done(f, at);
		break;
	case K_EXT6:
		/* Hop-by-Hop, Destination Options with a Home Address, a
		 * Type 2 Routing header, then TCP: TCPv6_EX hashes the home
		 * address and the routing header's address. */
		addr6(hoa, 9, 0x900 + flow);
		addr6(rt, 8, 0x800 + flow);
		eth_hdr(f, 0x86dd);
		at = ipv6_hdr(f, s6, d6, 0);
		put8(f, 60);	/* HBH: next = DST opts */
		put8(f, 0);
		put8(f, 1);	/* PadN, 4 bytes */
		put8(f, 4);
		put32(f, 0);
		put8(f, 43);	/* DST opts: next = Routing */
		put8(f, 2);	/* 24 bytes */
		put8(f, 1);	/* PadN 2 */
		put8(f, 0);
		put8(f, 201);	/* Home Address */
		put8(f, 16);
		put(f, hoa, 16);
		put8(f, 1);	/* PadN 0 -> total 2+2+18+2 = 24 */
		put8(f, 0);
		put8(f, 6);	/* Routing type 2: next = TCP */
		put8(f, 2);
		put8(f, 2);
		put8(f, 1);
		put32(f, 0);
		put(f, rt, 16);
		tcp_hdr(f, sport, 8080, pkt);
		ipv6_done(f, at);
		break;
	case K_FRAG4:
		eth_hdr(f, 0x0800);
		at = ipv4_hdr(f, s4, d4, 17, pkt & 1 ? 0x2000 : 185);
		udp_hdr(f, sport, 53);
		ipv4_done(f, at);
		break;
	case K_FRAG6:
		eth_hdr(f, 0x86dd);
		at = ipv6_hdr(f, s6, d6, 44);
		put8(f, 17);
		put8(f, 0);
		put16(f, pkt & 1 ? 1 : 0x100 << 3);
		put32(f, 0xabcd0000 + flow);
		udp_hdr(f, sport, 53);
		ipv6_done(f, at);
		break;
	case K_OTHER4:
		eth_hdr(f, 0x0800);
		at = ipv4_hdr(f, s4, d4, 1, 0);
		put8(f, 8);	/* echo request */
		put8(f, 0);
		put16(f, 0);
		put16(f, flow);
		put16(f, pkt);
		ipv4_done(f, at);
		break;
	case K_NONIP:
		if (pkt & 1) {
			eth_hdr(f, 0x88cc);	/* LLDP */
			put16(f, 0x0207);
			put8(f, 4);
			put32(f, rnd());
			put16(f, flow);
		} else {
			eth_hdr(f, 0x0806);	/* ARP request */
			put16(f, 1);
			put16(f, 0x0800);
			put8(f, 6);
			put8(f, 4);
			put16(f, 1);
			put(f, f->b + 6, 6);
			put32(f, s4);
			put32(f, 0);
			put16(f, 0);
			put32(f, d4);
		}
		break;
	default:
		f->n = 0;
	}
	/* Ethernet minimum frame size, as a NIC would pad. */
	while (f->n < 60)
		put8(f, 0);
}

/* ------------------------------------------------------------------ */

static const char *errstr(int err)
{
	return strerror(err < 0 ? -err : err);
}

static void describe_config(const struct vnh_rss *rss, char *buf, size_t size)
{
	size_t len, klen, i;
	uint32_t types = vnh_rss_hash_types(rss);
	const uint8_t *key = vnh_rss_key(rss, &klen);
	int n = 0;

	if (types == VNH_HASH_TYPE_ALL) {
		n += snprintf(buf + n, size - (size_t)n, "all hash types");
	} else if (!types) {
		n += snprintf(buf + n, size - (size_t)n, "no hash types");
	} else {
		const char *sep = "types ";

		for (i = 0; i < 9; i++) {
			if (!(types & (1u << i)))
				continue;
			n += snprintf(buf + n, size - (size_t)n, "%s%s", sep,
				      vnh_hash_type_name(1u << i));
			sep = ",";
		}
	}
	vnh_rss_table(rss, &len);
	n += snprintf(buf + n, size - (size_t)n, ", %s key, %zu-entry table",
		      klen == VNH_KEY_SIZE_MAX &&
		      !memcmp(key, vnh_default_key, klen) ? "default" :
		      "custom", len);
	snprintf(buf + n, size - (size_t)n, ", unclassified queue %u",
		 vnh_rss_unclassified(rss));
}

int demo_main(int argc, char **argv)
{
	static const struct option opts[] = {
		CONFIG_OPTIONS,
		{ "flows", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct vnh_steer_features feat = { .sz = sizeof(feat) };
	struct vnh_steer_opts sopts = { .sz = sizeof(sopts) };
	struct vnh_steer_counters cnt = { .sz = sizeof(cnt) };
	struct exchange_opts xopts = { 0 };
	struct exchange_stats st;
	struct config_args cfg;
	struct cmd_line cl = { "demo", demo_usage, opts, &cfg, 0 };
	struct frame_list fl;
	struct frame_outcome *out = NULL;
	struct vnh_result *exp = NULL;
	uint8_t *kinds = NULL;
	struct vnh_steer *steer = NULL;
	struct tap tap = { .nq = 0, .pkt_fd = -1 };
	struct vnh_rss *rss = vnh_rss_new();
	unsigned long val, mismatches = 0, kmismatch = 0, wrongq = 0;
	unsigned long kind_n[K_COUNT] = { 0 }, kind_ok[K_COUNT] = { 0 };
	unsigned int kind_reports[K_COUNT] = { 0 };
	uint64_t kind_queues[K_COUNT][TAP_QUEUES_MAX / 64] = { { 0 } };
	size_t sample[K_COUNT];
	int opt, rc = EXIT_USAGE, json = 0, nq = 4, err, q, k;
	unsigned int flows = 8, fl_i, p;
	unsigned long maxq_count = 0;
	const char *dev = "vnh0";
	char cfgdesc[200];
	int counters_ok = 0;
	size_t i;

	frames_init(&fl);
	if (!rss) {
		fprintf(stderr, "%s: out of memory\n", prog_name);
		return 1;
	}
	config_init(&cfg, rss);
	while ((opt = cmd_getopt(&cl, argc, argv)) != -1) {
		switch (opt) {
		case 0:
			rc = cl.status;
			goto out;
		case 'f':
			if (parse_uint(optarg, 1000, &val) || !val) {
				fprintf(stderr, "%s: --flows '%s': need a number from 1 to 1000\n",
					prog_name, optarg);
				goto out;
			}
			flows = (unsigned int)val;
			break;
		case 'j':
			json = 1;
			break;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: demo takes no arguments\n", prog_name);
		goto out;
	}
	/* --queues: the tap's queues (default 4, and a table over them). */
	q = config_device_queues(&cfg, TAP_QUEUES_MAX);
	if (q < 0)
		goto out;
	if (q > 0)
		nq = q;
	else if (!cfg.indir)
		cfg.queues = (unsigned int)nq;
	if (config_finish(&cfg))
		goto out;
	if (vnh_rss_max_queue(rss) >= nq) {
		fprintf(stderr, "%s: the configuration names queue %u, but the tap has queues 0 to %d only (see --queues)\n",
			prog_name, vnh_rss_max_queue(rss), nq - 1);
		goto out;
	}
	rc = 1;

	/* The traffic: @flows flows of each kind, a few packets per flow. */
	for (k = 0; k < K_COUNT; k++)
		sample[k] = (size_t)-1;
	for (fl_i = 0; fl_i < flows; fl_i++) {
		for (k = 0; k < K_COUNT; k++) {
			unsigned int pkts = k <= K_UDP6 ? 4 : 2;

			for (p = 0; p < pkts; p++) {
				struct fb f;

				build(&f, (enum kind)k, fl_i, p);
				if (frames_add(&fl, f.b, f.n)) {
					fprintf(stderr, "%s: out of memory\n",
						prog_name);
					goto out;
				}
			}
		}
	}
	/* Interleave the flows as a real link would: shuffle. */
	kinds = malloc(fl.n);
	out = calloc(fl.n, sizeof(*out));
	exp = calloc(fl.n, sizeof(*exp));
	if (!kinds || !out || !exp) {
		fprintf(stderr, "%s: out of memory\n", prog_name);
		goto out;
	}
	{
		size_t idx = 0;

		for (fl_i = 0; fl_i < flows; fl_i++)
			for (k = 0; k < K_COUNT; k++)
				for (p = 0; p < (k <= K_UDP6 ? 4u : 2u); p++)
					kinds[idx++] = (uint8_t)k;
		for (i = fl.n; i > 1; i--) {
			size_t j = rnd() % i;
			uint8_t *d = fl.data[i - 1], kk = kinds[i - 1];
			uint32_t l = fl.len[i - 1];

			fl.data[i - 1] = fl.data[j];
			fl.len[i - 1] = fl.len[j];
			kinds[i - 1] = kinds[j];
			fl.data[j] = d;
			fl.len[j] = l;
			kinds[j] = kk;
		}
	}

	vnh_steer_probe(&feat);
	err = tap_private_netns();
	if (err) {
		fprintf(stderr, "%s: cannot create a private network namespace: %s%s\n",
			prog_name, errstr(err), perm_hint(err, CAPS_NETNS));
		goto out;
	}
	err = tap_create(&tap, dev, nq, 20);
	if (err) {
		fprintf(stderr, "%s: cannot create a tap with %d queues: %s\n",
			prog_name, nq, errstr(err));
		goto out;
	}
	sopts.max_queues = (unsigned int)nq;
	err = vnh_steer_attach(tap.fds[0], rss, &sopts, &steer);
	if (err) {
		fprintf(stderr, "%s: cannot attach the steering program: %s\n",
			prog_name, errstr(err));
		goto out;
	}
	for (i = 0; i < fl.n; i++)
		vnh_rss_hash_frame(rss, fl.data[i], fl.len[i], &exp[i]);
	xopts.timeout_ms = 1000;
	xopts.zero_is_report = vnh_hdr_zero_is_report(feat.hash_kfunc, NULL,
						       nq);
	err = tap_exchange(&tap, &fl, out, &st, &xopts);
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, dev, errstr(err));
		goto out;
	}
	counters_ok = !vnh_steer_read_counters(steer, &cnt);

	for (i = 0; i < fl.n; i++) {
		const struct frame_outcome *o = &out[i];
		int good;

		k = kinds[i];
		kind_n[k]++;
		kind_reports[k] |= 1u << exp[i].report;
		if (o->state != FS_RECEIVED)
			continue;
		kind_queues[k][o->queue / 64] |= 1ull << (o->queue % 64);
		good = o->queue == exp[i].queue;
		if (!good)
			wrongq++;
		if (o->kernel_report &&
		    (o->hash != exp[i].hash || o->report != exp[i].report)) {
			kmismatch++;
			good = 0;
		}
		if (good && !o->dups) {
			kind_ok[k]++;
			if (sample[k] == (size_t)-1)
				sample[k] = i;
		} else {
			mismatches++;
		}
	}
	for (q = 0; q < nq; q++)
		if (st.per_queue[q] > maxq_count)
			maxq_count = st.per_queue[q];
	rc = (st.lost || st.duplicates || mismatches || st.unsendable) ? 1 : 0;
	describe_config(rss, cfgdesc, sizeof(cfgdesc));

	if (json) {
		printf("{\"queues\": %d, \"frames\": %zu, \"sent\": %lu, \"received\": %lu, \"lost\": %lu, \"duplicates\": %lu, \"wrong_queue\": %lu, \"kernel_hash_mismatches\": %lu, \"kernel_reports\": %lu, \"steering_prog\": %s, \"hash_kfunc\": %s, \"per_queue\": [",
		       nq, fl.n, st.sent, st.received, st.lost,
		       st.duplicates, wrongq, kmismatch, st.kernel_reports,
		       feat.steering_prog == 1 ? "true" : "false",
		       feat.hash_kfunc == 1 ? "true" : "false");
		for (q = 0; q < nq; q++)
			printf("%s%lu", q ? ", " : "", st.per_queue[q]);
		printf("], \"samples\": [");
		for (k = 0, q = 0; k < K_COUNT; k++) {
			if (sample[k] == (size_t)-1)
				continue;
			i = sample[k];
			printf("%s{\"kind\": \"%s\", \"queue\": %d, \"hash\": \"0x%08x\", \"report\": \"%s\", \"from\": \"%s\"}",
			       q++ ? ", " : "", kind_name[k], out[i].queue,
			       exp[i].hash, vnh_report_name(exp[i].report),
			       out[i].kernel_report ? "kernel" : "library");
		}
		printf("], \"ok\": %s}\n", rc ? "false" : "true");
		goto out;
	}

	printf("vnethash demo: RSS on a %d-queue tap (%s, in a private network namespace)\n",
	       nq, dev);
	printf("  kernel:  steering program %s; hash reporting kfunc %s\n",
	       feat.steering_prog == 1 ? "yes" : feat.steering_prog == 0 ? "no" : "unknown",
	       feat.hash_kfunc != 1 ?
	       "no: the queue is the kernel's, the hash is computed by the library" :
	       nq > 1 ? "yes: tun writes the hash into the 20-byte vnet header" :
	       "yes, but with one queue the kernel runs no steering program");
	printf("  config:  %s\n", cfgdesc);
	printf("  traffic: %zu frames, %u flows of each kind\n\n", fl.n, flows);

	printf("  queue  frames\n");
	for (q = 0; q < nq; q++) {
		int bar = maxq_count ? (int)(st.per_queue[q] * 40 / maxq_count) : 0;

		printf("  %5d  %6lu  %.*s\n", q, st.per_queue[q], bar,
		       "########################################");
	}

	printf("\n  %-23s %6s %6s  %-16s  %s\n", "kind", "frames", "queues",
	       "report", "sample: hash, queue");
	for (k = 0; k < K_COUNT; k++) {
		char rep[64] = "";
		unsigned int r, used = 0;
		int n = 0;

		for (q = 0; q < TAP_QUEUES_MAX / 64; q++)
			used += (unsigned int)__builtin_popcountll(kind_queues[k][q]);
		for (r = 0; r <= VNH_REPORT_MAX; r++)
			if (kind_reports[k] & (1u << r))
				n += snprintf(rep + n, sizeof(rep) - (size_t)n,
					      "%s%s", n ? "," : "",
					      vnh_report_name(r));
		if (sample[k] == (size_t)-1) {
			printf("  %-23s %6lu %6u  %-16s  %s\n", kind_name[k],
			       kind_n[k], used, rep, "(none arrived as predicted)");
			continue;
		}
		i = sample[k];
		printf("  %-23s %6lu %6u  %-16s  0x%08x -> %d (%s)\n",
		       kind_name[k], kind_n[k], used, rep,
		       out[i].kernel_report ? out[i].hash : exp[i].hash,
		       out[i].queue, out[i].kernel_report ? "kernel's hash" :
		       "library's hash");
	}
	printf("\n");
	if (counters_ok)
		printf("  the steering program ran %llu times (frames sent: %lu)\n",
		       (unsigned long long)cnt.packets, st.sent);
	if (st.kernel_reports)
		printf("  hash reports from the kernel: %lu of %lu frames, %lu differing from the library\n",
		       st.kernel_reports, st.received, kmismatch);
	if (!rc) {
		printf("  OK: all %lu frames arrived on the queue the library predicts%s\n",
		       st.received, st.kernel_reports ?
		       ", with the hash the library computes" : "");
	} else {
		printf("  FAILED: %lu lost, %lu duplicated, %lu on another queue, %lu with another hash, %lu unsendable\n",
		       st.lost, st.duplicates, wrongq, kmismatch,
		       st.unsendable);
		printf("  (run 'vnethash verify' on a capture for per-frame detail)\n");
	}
out:
	fflush(stdout);
	if (steer)
		vnh_steer_free(steer);
	tap_close(&tap);
	free(out);
	free(exp);
	free(kinds);
	frames_free(&fl);
	vnh_rss_free(rss);
	return rc;
}
