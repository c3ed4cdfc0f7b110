// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vnethash probe: what the running kernel supports. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "vnethash_steer.h"

#include "bpffs.h"
#include "cmdline.h"
#include "tool.h"

static const char probe_usage[] =
"Usage: %s probe [--json]\n"
"\n"
"Report what the running kernel supports for virtio-net RSS and hash\n"
"reporting. Every answer is probed, none assumed:\n"
"  steering_prog        TUNSETSTEERINGEBPF works (tried on a throw-away tap\n"
"                       in a private network namespace)\n"
"  hash_kfunc           bpf_tun_vnet_hash_set is in kernel BTF (vmlinux or\n"
"                       the tun module): the steering program reports hashes\n"
"  prog_type_vnet_hash  BPF_PROG_TYPE_VNET_HASH in the kernel's enum\n"
"                       bpf_prog_type (BTF); in no mainline kernel\n"
"  native_hash          tun's own hashing (TUNGETVNETHASHCAP, the unmerged\n"
"                       'tun: Introduce virtio-net hashing feature' series):\n"
"                       struct tun_vnet_hash in kernel BTF\n"
"\n"
"  mechanism_auto       what 'attach --mechanism auto' uses here: kfunc,\n"
"                       progtype or steer\n"
"\n"
"  --json              one JSON object; values true, false or null (unknown)\n"
"  -h, --help          this text\n"
"\n"
"Exit status: 0, 2 bad usage.\n";

static const char *yn(int v)
{
	return v > 0 ? "yes" : v == 0 ? "no" : "unknown";
}

static const char *jb(int v)
{
	return v > 0 ? "true" : v == 0 ? "false" : "null";
}

static const char *why(int v)
{
	return v < 0 ? strerror(-v) : "";
}

int probe_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct cmd_line cl = { "probe", probe_usage, opts, NULL, 0 };
	struct vnh_steer_features f = { .sz = sizeof(f) };
	const char *auto_mech;
	struct utsname uts;
	int opt, json = 0;

	while ((opt = cmd_getopt(&cl, argc, argv)) != -1) {
		if (!opt)
			return cl.status;
		json = 1;	/* --json, the only other option */
	}
	if (optind != argc) {
		fprintf(stderr, "%s: probe takes no arguments\n", prog_name);
		return EXIT_USAGE;
	}
	steer_tool_init();
	vnh_steer_probe(&f);
	if (uname(&uts))
		strcpy(uts.release, "?");

	auto_mech = f.steering_prog <= 0 ? NULL :
		    f.hash_kfunc > 0 ? "kfunc" :
		    f.prog_type_vnet_hash > 0 ? "progtype" : "steer";
	if (json) {
		printf("{\"kernel\": \"%s\", \"steering_prog\": %s, \"hash_kfunc\": %s, \"hash_kfunc_btf\": \"%s\", \"prog_type_vnet_hash\": %s, \"native_hash\": %s, \"mechanism_auto\": %s%s%s}\n",
		       uts.release, jb(f.steering_prog), jb(f.hash_kfunc),
		       f.hash_kfunc_btf, jb(f.prog_type_vnet_hash),
		       jb(f.native_hash), auto_mech ? "\"" : "",
		       auto_mech ? auto_mech : "null", auto_mech ? "\"" : "");
		return 0;
	}
	printf("kernel %s\n", uts.release);
	printf("steering program (TUNSETSTEERINGEBPF):       %s%s%s\n",
	       yn(f.steering_prog), f.steering_prog < 0 ? ": " : "",
	       why(f.steering_prog));
	printf("hash-report kfunc (bpf_tun_vnet_hash_set):   %s%s%s%s\n",
	       yn(f.hash_kfunc),
	       f.hash_kfunc > 0 ? " (BTF: " : f.hash_kfunc < 0 ? ": " : "",
	       f.hash_kfunc > 0 ? f.hash_kfunc_btf : why(f.hash_kfunc),
	       f.hash_kfunc > 0 ? ")" : "");
	printf("BPF_PROG_TYPE_VNET_HASH:                     %s%s%s\n",
	       yn(f.prog_type_vnet_hash), f.prog_type_vnet_hash < 0 ? ": " : "",
	       why(f.prog_type_vnet_hash));
	printf("native tun hashing (TUNGETVNETHASHCAP):      %s%s%s\n",
	       yn(f.native_hash), f.native_hash < 0 ? ": " : "",
	       why(f.native_hash));
	if (f.steering_prog > 0)
		printf("=> RSS in the kernel: yes; hash reporting: %s; attach --mechanism auto: %s\n",
		       f.hash_kfunc > 0 ? "yes (kfunc)" :
		       f.prog_type_vnet_hash > 0 ? "yes (BPF_PROG_TYPE_VNET_HASH)" :
		       "no (steering only; user space computes hashes)",
		       auto_mech);
	return 0;
}
