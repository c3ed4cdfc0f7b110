// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vnethash verify: send a capture through a tap's transmit path and check
 * that every frame comes out of the queue (and, where the kernel reports
 * one, with the hash) the library predicts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpffs.h"
#include "cmdline.h"
#include "exchange.h"
#include "internal.h"
#include "steer_dev.h"
#include "steer_state.h"
#include "tool.h"

static const char verify_usage[] =
"Usage: %s verify DEV --pcap FILE [OPTIONS]\n"
"\n"
"Send every frame of an Ethernet capture into the transmit path of the tap\n"
"DEV (the host-to-guest direction: an AF_PACKET socket bound to DEV), read\n"
"the frames back from the tap's queues, and check each one against the\n"
"library: the queue it arrived on, and the hash value and report type if\n"
"the kernel put them in the virtio-net header.\n"
"\n"
"Without --queues, DEV is an existing multiqueue tap with the steering\n"
"program attached (vnethash attach); without config flags, verify expects\n"
"the configuration pinned for it. verify opens queues 0..M of DEV, M being\n"
"the highest queue the configuration names, and gives the device its\n"
"flags and vnet header size back when done. With --queues N, verify\n"
"creates DEV itself in a private network namespace, with N queues, and\n"
"attaches the steering program with the configuration given.\n"
"\n"
"  --pcap FILE         the frames to send (pcap or pcapng, Ethernet)\n"
"  --queues N          create DEV with N queues (1 to 256) and attach; also\n"
"                      the indirection table spreading over them, unless\n"
"                      --indir is given\n"
"  --vnet-hdr 12|20    virtio-net header size to read with (default: 20 if\n"
"                      the kernel can report hashes, else 12)\n"
"  --timeout MS        how long to wait for a frame before calling it lost\n"
"                      (default 1000)\n"
"  --quiet             print only lost, duplicate and mismatched frames,\n"
"                      and the summary\n"
"  --json              one JSON object per frame, then a summary object\n"
"  -h, --help          this text\n"
"\n"
CONFIG_HELP
"\n"
"Each frame is a line: frame number, queue it arrived on, the hash value and\n"
"report type the kernel supplied in the vnet header (\"-\" if none), the\n"
"queue, hash and report the library expects, and OK, MISMATCH, LOST,\n"
"DUPLICATE or UNSENDABLE. Frames the kernel refuses to send on a tap\n"
"(shorter than the 14-byte Ethernet header, or longer than the MTU) are\n"
"UNSENDABLE: reported and counted apart, not as lost.\n"
"Exit status: 0 if every sent frame arrived once, on the expected queue,\n"
"with the expected hash; 1 on any loss, duplicate or mismatch, or if the\n"
"device cannot be used; 2 for bad usage.\n";

struct verify_ctx {
	const struct frame_list *fl;
	const struct frame_outcome *out;
	struct vnh_result *exp;
	int nq;
	int json, quiet;
	unsigned long mismatches, lost_frames, dup_frames;
};

static const char *report_str(unsigned int report, char *buf, size_t size)
{
	const char *name = vnh_report_name(report);

	if (name)
		return name;
	snprintf(buf, size, "%u", report);
	return buf;
}

static const char *const verdict_name[] = {
	[V_OK] = "OK", [V_MISMATCH] = "MISMATCH", [V_LOST] = "LOST",
	[V_DUPLICATE] = "DUPLICATE", [V_UNSENDABLE] = "UNSENDABLE",
};

/* Classifies frame @i, counting losses, mismatches and duplicates. */
static enum verdict judge(struct verify_ctx *v, size_t i)
{
	enum verdict r = frame_verdict(&v->out[i], &v->exp[i], NULL, NULL);

	if (r == V_LOST)
		v->lost_frames++;
	else if (r == V_MISMATCH)
		v->mismatches++;
	else if (r == V_DUPLICATE)
		v->dup_frames++;
	return r;
}

static void print_frame(struct verify_ctx *v, size_t i, enum verdict verdict)
{
	const char *result = verdict_name[verdict];
	const struct frame_outcome *o = &v->out[i];
	const struct vnh_result *e = &v->exp[i];
	char qbuf[16], khash[16], krep[16], rbuf[16], rbuf2[16];

	if (v->quiet && (verdict == V_OK || verdict == V_UNSENDABLE))
		return;
	if (v->json) {
		char lc[16];
		size_t k;

		for (k = 0; result[k] && k < sizeof(lc) - 1; k++)
			lc[k] = (char)(result[k] | 0x20);
		lc[k] = '\0';
		printf("{\"frame\": %zu, \"result\": \"%s\", \"length\": %u, ",
		       i + 1, lc, v->fl->len[i]);
		if (o->state == FS_RECEIVED)
			printf("\"queue\": %d, ", o->queue);
		else
			printf("\"queue\": null, ");
		if (o->kernel_report)
			printf("\"kernel_hash\": \"0x%08x\", \"kernel_report\": \"%s\", ",
			       o->hash, report_str(o->report, krep, sizeof(krep)));
		else
			printf("\"kernel_hash\": null, \"kernel_report\": null, ");
		printf("\"expected_queue\": %u, \"hash\": \"0x%08x\", \"report\": \"%s\", \"duplicates\": %u",
		       e->queue, e->hash, vnh_report_name(e->report), o->dups);
		if (o->state == FS_UNSENDABLE)
			printf(", \"reason\": \"%s\"",
			       unsendable_reason(o->err, v->fl->len[i]));
		printf("}\n");
		return;
	}
	if (o->state == FS_RECEIVED)
		snprintf(qbuf, sizeof(qbuf), "%d", o->queue);
	else
		snprintf(qbuf, sizeof(qbuf), "-");
	if (o->kernel_report) {
		snprintf(khash, sizeof(khash), "0x%08x", o->hash);
		snprintf(krep, sizeof(krep), "%s",
			 report_str(o->report, rbuf, sizeof(rbuf)));
	} else {
		snprintf(khash, sizeof(khash), "-");
		snprintf(krep, sizeof(krep), "-");
	}
	snprintf(rbuf2, sizeof(rbuf2), "0x%08x", e->hash);
	printf("%6zu %5s  %-10s %-8s  %5u %-10s %-8s  %s", i + 1, qbuf, khash,
	       krep, e->queue, rbuf2, vnh_report_name(e->report), result);
	if (o->state == FS_UNSENDABLE)
		printf(" (%u bytes: %s)", v->fl->len[i],
		       unsendable_reason(o->err, v->fl->len[i]));
	else if (o->dups)
		printf(" (%u more cop%s)", o->dups, o->dups == 1 ? "y" : "ies");
	printf("\n");
}

static void print_summary(struct verify_ctx *v, const struct exchange_stats *st,
			  int hdr_sz, int ok)
{
	int q;

	if (v->json) {
		printf("{\"summary\": {\"frames\": %zu, \"sent\": %lu, \"received\": %lu, \"lost\": %lu, \"mismatches\": %lu, \"duplicates\": %lu, \"unsendable\": %lu, \"foreign\": %lu, \"kernel_reports\": %lu, \"queues\": %d, \"vnet_hdr\": %d, \"per_queue\": [",
		       v->fl->n, st->sent, st->received, st->lost,
		       v->mismatches, st->duplicates, st->unsendable,
		       st->foreign, st->kernel_reports, v->nq, hdr_sz);
		for (q = 0; q < v->nq; q++)
			printf("%s%lu", q ? ", " : "", st->per_queue[q]);
		printf("], \"ok\": %s}}\n", ok ? "true" : "false");
		return;
	}
	printf("%s: %zu frames: sent %lu, received %lu, lost %lu, mismatches %lu, duplicates %lu, unsendable %lu",
	       ok ? "OK" : "FAILED", v->fl->n, st->sent, st->received,
	       st->lost, v->mismatches, st->duplicates, st->unsendable);
	if (st->foreign)
		printf(", ignored %lu frames not sent by us", st->foreign);
	printf("\n  per queue:");
	for (q = 0; q < v->nq; q++)
		printf(" %d:%lu", q, st->per_queue[q]);
	printf("\n  hash reports from the kernel: %lu of %lu frames%s",
	       st->kernel_reports, st->received,
	       st->kernel_reports ? "" : ", hashes computed by the library");
	if (hdr_sz)
		printf(" (vnet header %d bytes)\n", hdr_sz);
	else
		printf(" (no vnet header)\n");
}

int verify_main(int argc, char **argv)
{
	static const struct option opts[] = {
		CONFIG_OPTIONS,
		{ "pcap", required_argument, NULL, 'p' },
		{ "vnet-hdr", required_argument, NULL, 'V' },
		{ "timeout", required_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct vnh_steer_opts sopts = { .sz = sizeof(sopts) };
	struct exchange_opts xopts = { 0 };
	struct exchange_stats st;
	struct verify_ctx v = { 0 };
	struct config_args cfg;
	struct cmd_line cl = { "verify", verify_usage, opts, &cfg, 0 };
	struct frame_list fl;
	struct frame_outcome *out = NULL;
	struct vnh_steer *steer = NULL, *pinned = NULL;
	struct vnh_steer_info pinfo = { .sz = sizeof(pinfo) };
	int have_pinned = 0;
	struct tap tap = { .nq = 0, .pkt_fd = -1 };
	struct vnh_rss *rss = vnh_rss_new();
	const char *pcap = NULL, *dev;
	unsigned long val;
	int opt, rc = EXIT_USAGE, hdr_sz = -1, create, nq, err;
	int timeout = 1000, total_q, kfunc = 0;
	uint16_t maxq;
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
		case 'p':
			pcap = optarg;
			break;
		case 'V':
			if (!strcmp(optarg, "12")) {
				hdr_sz = 12;
			} else if (!strcmp(optarg, "20")) {
				hdr_sz = 20;
			} else {
				fprintf(stderr, "%s: --vnet-hdr '%s': need 12 or 20\n",
					prog_name, optarg);
				goto out;
			}
			break;
		case 'w':
			if (parse_uint(optarg, 3600000, &val) || !val) {
				fprintf(stderr, "%s: --timeout '%s': need milliseconds, 1 to 3600000\n",
					prog_name, optarg);
				goto out;
			}
			timeout = (int)val;
			break;
		case 'Q':
			v.quiet = 1;
			break;
		case 'j':
			v.json = 1;
			break;
		}
	}
	dev = cmd_device(&cl, argc, argv);
	if (!dev)
		goto out;
	if (!*dev || strlen(dev) >= 16 || strchr(dev, '/')) {
		fprintf(stderr, "%s: '%s' is not a valid interface name\n",
			prog_name, dev);
		goto out;
	}
	if (!pcap) {
		fprintf(stderr, "%s: verify needs --pcap FILE\n", prog_name);
		goto out;
	}
	/* --queues: verify creates the device, with that many queues. */
	nq = config_device_queues(&cfg, TAP_QUEUES_MAX);
	if (nq < 0 || config_finish(&cfg))
		goto out;
	create = nq > 0;
	if (!create) {
		/* The program attached by `vnethash attach`, if pinned: its
		 * configuration is the expectation unless flags are given. */
		struct steer_dev sd;
		const char *dir = sd.pin_dir;

		rc = 1;
		steer_tool_init();
		if (steer_dev_inspect(dev, &sd, false))
			goto out;
		err = vnh_steer_open_pinned(dir, &pinned);
		if (err == -ESTALE) {
			struct steer_state_info si;

			steer_state(&sd, NULL, &si);
			fprintf(stderr, "%s: %s: %s; 'vnethash attach' attaches a program anew\n",
				prog_name, dev, steer_state_problem(&sd, &si));
			goto out;
		}
		if (err && err != -ENOENT) {
			steer_perror(&sd, "cannot open its pinned program", err);
			goto out;
		}
		if (!err && !vnh_steer_get_config(pinned, NULL, &pinfo))
			have_pinned = 1;
		rc = EXIT_USAGE;
		if (!cfg.key_set && !cfg.types_set && !cfg.table_set &&
		    !cfg.unclassified_set) {
			struct steer_state_info si;

			if (have_pinned) {
				steer_state(&sd, pinned, &si);
				if (!steer_state_ok(&si)) {
					fprintf(stderr, "%s: %s: %s; no configuration to expect: 'vnethash attach' attaches one, or give it with the config flags\n",
						prog_name, dev,
						steer_state_problem(&sd, &si));
					rc = 1;
					goto out;
				}
			}
			if (!have_pinned || vnh_steer_get_config(pinned, rss, NULL)) {
				fprintf(stderr, "%s: no steering program of vnethash is pinned for %s (%s): give its configuration with the config flags\n",
					prog_name, dev, dir);
				rc = 1;
				goto out;
			}
			if (!v.json && !v.quiet)
				printf("# expecting the configuration attached to %s (pinned at %s, generation %u)\n",
				       dev, dir, pinfo.generation);
		}
	}
	maxq = vnh_rss_max_queue(rss);
	if (create && maxq >= nq) {
		fprintf(stderr, "%s: the configuration names queue %u, but --queues %d creates queues 0 to %d only\n",
			prog_name, maxq, nq, nq - 1);
		goto out;
	}
	if (!create)
		nq = maxq + 1;
	if (nq > TAP_QUEUES_MAX) {
		fprintf(stderr, "%s: the configuration names queue %u; a tap has at most %d queues\n",
			prog_name, maxq, TAP_QUEUES_MAX);
		goto out;
	}
	rc = 1;
	if (frames_load_pcap(&fl, pcap))
		goto out;
	out = calloc(fl.n ? fl.n : 1, sizeof(*out));
	v.exp = calloc(fl.n ? fl.n : 1, sizeof(*v.exp));
	if (!out || !v.exp) {
		fprintf(stderr, "%s: out of memory\n", prog_name);
		goto out;
	}

	/* The hash-report kfunc (kernel BTF) is all the probing needed. */
	kfunc = vnh_kfunc_present();
	if (hdr_sz < 0)
		hdr_sz = kfunc ? 20 : 12;

	if (create) {
		size_t maxlen = 0;

		err = tap_private_netns();
		if (err) {
			fprintf(stderr, "%s: cannot create a private network namespace: %s%s\n",
				prog_name, errstr(err), perm_hint(err, CAPS_NETNS));
			goto out;
		}
		err = tap_create(&tap, dev, nq, hdr_sz);
		if (err) {
			fprintf(stderr, "%s: cannot create tap %s with %d queues: %s\n",
				prog_name, dev, nq, errstr(err));
			goto out;
		}
		for (i = 0; i < fl.n; i++)
			if (fl.len[i] > maxlen)
				maxlen = fl.len[i];
		/* Our own device: let every frame of the capture through. */
		if (maxlen > 1514 && tap_set_mtu(dev, 65521))
			fprintf(stderr, "%s: warning: cannot raise the MTU of %s; frames over 1514 bytes will be unsendable\n",
				prog_name, dev);
		sopts.max_queues = (unsigned int)nq;
		err = vnh_steer_attach(tap.fds[0], rss, &sopts, &steer);
		if (err) {
			fprintf(stderr, "%s: cannot attach the steering program to %s: %s\n",
				prog_name, dev, errstr(err));
			goto out;
		}
	} else {
		err = tap_join(&tap, dev, nq, hdr_sz);
		if (err) {
			if (err == -EOPNOTSUPP)
				fprintf(stderr, "%s: %s is not a multiqueue tap\n",
					prog_name, dev);
			else if (err == -ENODEV)
				fprintf(stderr, "%s: %s: no such device\n",
					prog_name, dev);
			else if (err == -ENOTTY)
				fprintf(stderr, "%s: %s is not a tun/tap device\n",
					prog_name, dev);
			else if (err == -EPROTONOSUPPORT)
				fprintf(stderr, "%s: %s carries packet information (no IFF_NO_PI); not supported\n",
					prog_name, dev);
			else
				fprintf(stderr, "%s: cannot open %d queue%s of %s: %s\n",
					prog_name, nq, nq == 1 ? "" : "s", dev,
					errstr(err));
			goto out;
		}
		if (hdr_sz != tap.hdr_sz)
			fprintf(stderr, "%s: warning: queues of %s are open elsewhere without IFF_VNET_HDR; reading without a vnet header (no kernel hash reports)\n",
				prog_name, dev);
		err = tap_num_queues(dev);
		if (err > nq)
			fprintf(stderr, "%s: warning: %s has %d more queue%s open besides the %d verify opened: frames tun steers there are lost to verify\n",
				prog_name, dev, err - nq,
				err - nq == 1 ? "" : "s", nq);
		hdr_sz = tap.hdr_sz;
	}

	/* What the library expects; tun takes the program's queue modulo
	 * the number of queues the device has open. */
	err = tap_num_queues(dev);
	total_q = err > nq ? err : nq;
	exchange_expect(rss, &fl, v.exp, total_q);

	xopts.timeout_ms = timeout;
	/* Does the running program report hashes (else zeros are none)? */
	if (steer && !vnh_steer_get_config(steer, NULL, &pinfo))
		have_pinned = 1;
	xopts.zero_is_report = vnh_hdr_zero_is_report(kfunc,
			have_pinned ? &pinfo : NULL, total_q);
	err = tap_exchange(&tap, &fl, out, &st, &xopts);
	if (err) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, dev, errstr(err));
		goto out;
	}

	v.fl = &fl;
	v.out = out;
	v.nq = nq;
	if (!v.json && !v.quiet)
		printf("%6s %5s  %-10s %-8s  %5s %-10s %-8s  %s\n", "#frame",
		       "queue", "kern-hash", "kern-rep", "exp-q", "exp-hash",
		       "exp-rep", "result");
	for (i = 0; i < fl.n; i++)
		print_frame(&v, i, judge(&v, i));
	rc = (st.lost || v.mismatches || st.duplicates) ? 1 : 0;
	print_summary(&v, &st, hdr_sz, !rc);
out:
	fflush(stdout);
	if (steer)
		vnh_steer_free(steer);
	if (pinned)
		vnh_steer_free(pinned);
	tap_close(&tap);
	free(out);
	free(v.exp);
	frames_free(&fl);
	vnh_rss_free(rss);
	return rc;
}
