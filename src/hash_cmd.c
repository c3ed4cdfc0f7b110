// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vnethash hash: hash frames from a capture or hex strings. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "tool.h"

static const char hash_usage[] =
"Usage: %s hash [OPTIONS] [FILE]\n"
"\n"
"Compute the virtio-net hash, report type and receive queue of each frame.\n"
"Frames come from FILE (pcap or pcapng; Ethernet, or raw IPv4/IPv6 link\n"
"types, which are hashed as a tun device sees them), from --hex, or, with\n"
"neither, from standard input as one hex string per line (blank lines and\n"
"lines starting with # are skipped).\n"
"\n"
"Input:\n"
"  --hex HEX           hash this frame (repeatable)\n"
"  --link eth|ip       what hex frames are: Ethernet (default) or raw IP\n"
"\n"
CONFIG_HELP
"\n"
"Output:\n"
"  --json              one JSON object per frame:\n"
"                      {\"frame\": 1, \"hash\": \"0x51ccc178\", \"report\": \"tcpv4\", \"queue\": 3}\n"
"  -h, --help          this text\n"
"\n"
"Without --json each frame is a line: frame number, hash, report type, queue.\n"
"Report types: none ipv4 tcpv4 udpv4 ipv6 tcpv6 udpv6 ipv6_ex tcpv6_ex udpv6_ex.\n"
"Exit status: 0 on success, 1 if the input cannot be read, 2 for bad usage.\n";

struct hash_out {
	const struct vnh_rss *rss;
	unsigned long frame;
	int json;
};

static uint16_t ethertype_of_ip(const uint8_t *pkt, size_t len)
{
	if (len == 0)
		return 0;
	switch (pkt[0] >> 4) {
	case 4:
		return 0x0800;
	case 6:
		return 0x86dd;
	}
	return 0;
}

static void emit(struct hash_out *out, const uint8_t *pkt, size_t len, int l3)
{
	struct vnh_result res;

	if (l3)
		vnh_rss_hash_l3(out->rss, ethertype_of_ip(pkt, len), pkt, len,
				&res);
	else
		vnh_rss_hash_frame(out->rss, pkt, len, &res);
	out->frame++;
	if (out->json)
		printf("{\"frame\": %lu, \"hash\": \"0x%08x\", \"report\": \"%s\", \"queue\": %u}\n",
		       out->frame, res.hash, vnh_report_name(res.report),
		       res.queue);
	else
		printf("%lu 0x%08x %s %u\n", out->frame, res.hash,
		       vnh_report_name(res.report), res.queue);
}

static int hash_pcap(struct hash_out *out, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	pcap_t *pcap;
	int l3, rc;

	pcap = pcap_open_offline(path, errbuf);
	if (!pcap) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, path, errbuf);
		return 1;
	}
	switch (pcap_datalink(pcap)) {
	case DLT_EN10MB:
		l3 = 0;
		break;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
#ifdef DLT_LOOP
	case 14:	/* DLT_RAW on some BSDs */
#endif
		l3 = 1;
		break;
	default:
		fprintf(stderr, "%s: %s: link type %s is not supported (Ethernet or raw IP only)\n",
			prog_name, path,
			pcap_datalink_val_to_name(pcap_datalink(pcap)) ?: "unknown");
		pcap_close(pcap);
		return 1;
	}
	while ((rc = pcap_next_ex(pcap, &hdr, &data)) == 1)
		emit(out, data, hdr->caplen, l3);
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, path,
			pcap_geterr(pcap));
		pcap_close(pcap);
		return 1;
	}
	pcap_close(pcap);
	return 0;
}

static int hash_hex(struct hash_out *out, const char *hex, int l3,
		    const char *where)
{
	static uint8_t frame[65536];
	size_t len;
	int err = parse_hex(hex, frame, sizeof(frame), &len);

	if (err) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, where,
			err == -E2BIG ? "frame longer than 65536 bytes" :
					"not a hex string");
		return EXIT_USAGE;
	}
	emit(out, frame, len, l3);
	return 0;
}

static int hash_stdin(struct hash_out *out, int l3)
{
	char *line = NULL, where[64];
	size_t cap = 0;
	unsigned long lineno = 0;
	ssize_t n;
	int rc = 0;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		const char *p = line;

		lineno++;
		p += strspn(p, " \t\r\n");
		if (!*p || *p == '#')
			continue;
		snprintf(where, sizeof(where), "stdin line %lu", lineno);
		rc = hash_hex(out, p, l3, where);
		if (rc)
			break;
	}
	free(line);
	return rc;
}

int hash_main(int argc, char **argv)
{
	static const struct option opts[] = {
		CONFIG_OPTIONS,
		{ "hex", required_argument, NULL, 'x' },
		{ "link", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct config_args cfg;
	struct cmd_line cl = { "hash", hash_usage, opts, &cfg, 0 };
	struct hash_out out = { 0 };
	const char **hex = calloc((size_t)argc, sizeof(*hex));
	struct vnh_rss *rss = vnh_rss_new();
	int opt, nhex = 0, l3 = 0, rc = EXIT_USAGE, i;

	if (!hex || !rss) {
		fprintf(stderr, "%s: out of memory\n", prog_name);
		rc = 1;
		goto out;
	}
	config_init(&cfg, rss);
	while ((opt = cmd_getopt(&cl, argc, argv)) != -1) {
		switch (opt) {
		case 0:
			rc = cl.status;
			goto out;
		case 'x':
			hex[nhex++] = optarg;
			break;
		case 'l':
			if (!strcmp(optarg, "eth")) {
				l3 = 0;
			} else if (!strcmp(optarg, "ip")) {
				l3 = 1;
			} else {
				fprintf(stderr, "%s: --link '%s': need eth or ip\n",
					prog_name, optarg);
				goto out;
			}
			break;
		case 'j':
			out.json = 1;
			break;
		}
	}
	if (config_finish(&cfg))
		goto out;
	if (argc - optind > 1 || (argc - optind == 1 && nhex)) {
		fprintf(stderr, "%s: hash takes one capture file or --hex frames\n",
			prog_name);
		goto out;
	}
	out.rss = rss;
	if (optind < argc) {
		rc = hash_pcap(&out, argv[optind]);
	} else if (nhex) {
		rc = 0;
		for (i = 0; i < nhex && !rc; i++) {
			char where[32];

			snprintf(where, sizeof(where), "--hex #%d", i + 1);
			rc = hash_hex(&out, hex[i], l3, where);
		}
	} else {
		rc = hash_stdin(&out, l3);
	}
out:
	fflush(stdout);
	vnh_rss_free(rss);
	free(hex);
	return rc;
}
