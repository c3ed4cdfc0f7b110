// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vnethash demo: RSS with hash reporting on a real multiqueue tap, in a
 * private network namespace: attach the steering program, send varied
 * traffic, read every queue, and show where it went.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "exchange.h"
#include "internal.h"
#include "tool.h"

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

/* What came of the demo's traffic, overall and per kind of frame. */
struct demo_result {
	const struct frame_list *fl;
	const struct frame_outcome *out;
	const struct vnh_result *exp;
	const struct exchange_stats *st;
	int nq;
	unsigned long mismatches, kmismatch, wrongq;
	unsigned long kind_n[FK_COUNT];
	unsigned int kind_reports[FK_COUNT];
	uint64_t kind_queues[FK_COUNT][TAP_QUEUES_MAX / 64];
	size_t sample[FK_COUNT];	/* a frame that arrived as predicted */
	int rc;
};

/* Judges every frame against the library and counts per kind. */
static void tally(struct demo_result *r, const uint8_t *kinds)
{
	const struct exchange_stats *st = r->st;
	size_t i;
	int k;

	for (k = 0; k < FK_COUNT; k++)
		r->sample[k] = (size_t)-1;
	for (i = 0; i < r->fl->n; i++) {
		const struct frame_outcome *o = &r->out[i];
		bool wrong_queue, wrong_hash;
		enum verdict v;

		k = kinds[i];
		r->kind_n[k]++;
		r->kind_reports[k] |= 1u << r->exp[i].report;
		v = frame_verdict(o, &r->exp[i], &wrong_queue, &wrong_hash);
		if (v == V_LOST || v == V_UNSENDABLE)
			continue;
		r->kind_queues[k][o->queue / 64] |= 1ull << (o->queue % 64);
		if (wrong_queue)
			r->wrongq++;
		if (wrong_hash)
			r->kmismatch++;
		if (v == V_OK) {
			if (r->sample[k] == (size_t)-1)
				r->sample[k] = i;
		} else {
			r->mismatches++;
		}
	}
	r->rc = (st->lost || st->duplicates || r->mismatches ||
		 st->unsendable) ? 1 : 0;
}

/* Printed once the program is attached: the kernel steers with it. */
static void print_json(const struct demo_result *r, int kfunc)
{
	const struct exchange_stats *st = r->st;
	size_t i;
	int k, q;

	printf("{\"queues\": %d, \"frames\": %zu, \"sent\": %lu, \"received\": %lu, \"lost\": %lu, \"duplicates\": %lu, \"wrong_queue\": %lu, \"kernel_hash_mismatches\": %lu, \"kernel_reports\": %lu, \"steering_prog\": %s, \"hash_kfunc\": %s, \"per_queue\": [",
	       r->nq, r->fl->n, st->sent, st->received, st->lost,
	       st->duplicates, r->wrongq, r->kmismatch, st->kernel_reports,
	       "true", kfunc ? "true" : "false");
	for (q = 0; q < r->nq; q++)
		printf("%s%lu", q ? ", " : "", st->per_queue[q]);
	printf("], \"samples\": [");
	for (k = 0, q = 0; k < FK_COUNT; k++) {
		if (r->sample[k] == (size_t)-1)
			continue;
		i = r->sample[k];
		printf("%s{\"kind\": \"%s\", \"queue\": %d, \"hash\": \"0x%08x\", \"report\": \"%s\", \"from\": \"%s\"}",
		       q++ ? ", " : "", frame_kind_name[k], r->out[i].queue,
		       r->exp[i].hash, vnh_report_name(r->exp[i].report),
		       r->out[i].kernel_report ? "kernel" : "library");
	}
	printf("], \"ok\": %s}\n", r->rc ? "false" : "true");
}

/* Frames per queue, as bars. */
static void print_queues(const struct demo_result *r)
{
	const struct exchange_stats *st = r->st;
	unsigned long maxq_count = 0;
	int q;

	for (q = 0; q < r->nq; q++)
		if (st->per_queue[q] > maxq_count)
			maxq_count = st->per_queue[q];
	printf("  queue  frames\n");
	for (q = 0; q < r->nq; q++) {
		int bar = maxq_count ? (int)(st->per_queue[q] * 40 / maxq_count) : 0;

		printf("  %5d  %6lu  %.*s\n", q, st->per_queue[q], bar,
		       "########################################");
	}
}

/* Per kind: frames, queues used, report types, a sample hash and queue. */
static void print_kinds(const struct demo_result *r)
{
	size_t i;
	int k, q;

	printf("\n  %-23s %6s %6s  %-16s  %s\n", "kind", "frames", "queues",
	       "report", "sample: hash, queue");
	for (k = 0; k < FK_COUNT; k++) {
		char rep[64] = "";
		unsigned int rt, used = 0;
		int n = 0;

		for (q = 0; q < TAP_QUEUES_MAX / 64; q++)
			used += (unsigned int)__builtin_popcountll(r->kind_queues[k][q]);
		for (rt = 0; rt <= VNH_REPORT_MAX; rt++)
			if (r->kind_reports[k] & (1u << rt))
				n += snprintf(rep + n, sizeof(rep) - (size_t)n,
					      "%s%s", n ? "," : "",
					      vnh_report_name(rt));
		if (r->sample[k] == (size_t)-1) {
			printf("  %-23s %6lu %6u  %-16s  %s\n", frame_kind_name[k],
			       r->kind_n[k], used, rep, "(none arrived as predicted)");
			continue;
		}
		i = r->sample[k];
		printf("  %-23s %6lu %6u  %-16s  0x%08x -> %d (%s)\n",
		       frame_kind_name[k], r->kind_n[k], used, rep,
		       r->out[i].kernel_report ? r->out[i].hash : r->exp[i].hash,
		       r->out[i].queue, r->out[i].kernel_report ? "kernel's hash" :
		       "library's hash");
	}
	printf("\n");
}

/* The verdict, with the program's own count of what it steered. */
static void print_verdict(const struct demo_result *r,
			  const struct vnh_steer_counters *cnt)
{
	const struct exchange_stats *st = r->st;

	if (cnt)
		printf("  the steering program ran %llu times (frames sent: %lu)\n",
		       (unsigned long long)cnt->packets, st->sent);
	if (st->kernel_reports)
		printf("  hash reports from the kernel: %lu of %lu frames, %lu differing from the library\n",
		       st->kernel_reports, st->received, r->kmismatch);
	if (!r->rc) {
		printf("  OK: all %lu frames arrived on the queue the library predicts%s\n",
		       st->received, st->kernel_reports ?
		       ", with the hash the library computes" : "");
	} else {
		printf("  FAILED: %lu lost, %lu duplicated, %lu on another queue, %lu with another hash, %lu unsendable\n",
		       st->lost, st->duplicates, r->wrongq, r->kmismatch,
		       st->unsendable);
		printf("  (run 'vnethash verify' on a capture for per-frame detail)\n");
	}
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
	struct vnh_steer_opts sopts = { .sz = sizeof(sopts) };
	struct vnh_steer_counters cnt = { .sz = sizeof(cnt) };
	struct exchange_opts xopts = { 0 };
	struct exchange_stats st;
	struct demo_result r = { 0 };
	struct config_args cfg;
	struct cmd_line cl = { "demo", demo_usage, opts, &cfg, 0 };
	struct frame_list fl;
	struct frame_outcome *out = NULL;
	struct vnh_result *exp = NULL;
	uint8_t *kinds = NULL;
	struct vnh_steer *steer = NULL;
	struct vnh_steer_info pinfo = { .sz = sizeof(pinfo) };
	struct tap tap = { .nq = 0, .pkt_fd = -1 };
	struct vnh_rss *rss = vnh_rss_new();
	unsigned long val;
	int opt, rc = EXIT_USAGE, json = 0, nq = 4, err, q;
	unsigned int flows = 8;
	const char *dev = "vnh0";
	char cfgdesc[200];
	int counters_ok = 0, kfunc = 0;

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
	if (frames_synthesize(&fl, flows, &kinds)) {
		fprintf(stderr, "%s: out of memory\n", prog_name);
		goto out;
	}
	out = calloc(fl.n, sizeof(*out));
	exp = calloc(fl.n, sizeof(*exp));
	if (!out || !exp) {
		fprintf(stderr, "%s: out of memory\n", prog_name);
		goto out;
	}

	/* The hash-report kfunc (kernel BTF) is all the probing needed. */
	kfunc = vnh_kfunc_present();
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
	exchange_expect(rss, &fl, exp, nq);
	xopts.timeout_ms = 1000;
	xopts.zero_is_report = vnh_hdr_zero_is_report(kfunc,
			vnh_steer_get_config(steer, NULL, &pinfo) ? NULL : &pinfo,
			nq);
	err = tap_exchange(&tap, &fl, out, &st, &xopts);
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, dev, errstr(err));
		goto out;
	}
	counters_ok = !vnh_steer_read_counters(steer, &cnt);

	r.fl = &fl;
	r.out = out;
	r.exp = exp;
	r.st = &st;
	r.nq = nq;
	tally(&r, kinds);
	rc = r.rc;
	if (json) {
		print_json(&r, kfunc);
		goto out;
	}

	describe_config(rss, cfgdesc, sizeof(cfgdesc));
	printf("vnethash demo: RSS on a %d-queue tap (%s, in a private network namespace)\n",
	       nq, dev);
	printf("  kernel:  steering program yes; hash reporting kfunc %s\n",
	       !kfunc ?
	       "no: the queue is the kernel's, the hash is computed by the library" :
	       nq > 1 || pinfo.kfunc > 0 ?
	       "yes: tun writes the hash into the 20-byte vnet header" :
	       "yes, but with one queue this kernel runs no steering program");
	printf("  config:  %s\n", cfgdesc);
	printf("  traffic: %zu frames, %u flows of each kind\n\n", fl.n, flows);
	print_queues(&r);
	print_kinds(&r);
	print_verdict(&r, counters_ok ? &cnt : NULL);
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
