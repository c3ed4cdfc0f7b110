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
"                       the tun module): what the kernel has\n"
"  program              what a steering program loaded by this process does\n"
"                       (a throw-away one is loaded and read back):\n"
"                       'steering + report' or 'steering only', and which\n"
"                       build: 'kfunc', 'no-kfunc' (the fallback for\n"
"                       kernels and loaders that refuse the kfunc's extern)\n"
"                       or 'progtype'.\n"
"                       Only 'steering + report' lets a VMM offer\n"
"                       VIRTIO_NET_F_HASH_REPORT\n"
"  prog_type_vnet_hash  BPF_PROG_TYPE_VNET_HASH in the kernel's enum\n"
"                       bpf_prog_type (BTF); in no mainline kernel\n"
"  mechanism_auto       what 'attach --mechanism auto' gets here (kfunc,\n"
"                       progtype or steer), from the program probe loads\n"
"  native_hash          tun's own hashing (TUNGETVNETHASHCAP, the unmerged\n"
"                       'tun: Introduce virtio-net hashing feature' series):\n"
"                       struct tun_vnet_hash in kernel BTF\n"
"\n"
"  --json              one JSON object; values true, false or null (unknown)\n"
"  -h, --help          this text\n"
"\n"
"An answer the kernel refuses to give (not root) is unknown, with the\n"
"reason; probe needs root for all of them.\n"
"Exit status: 0, 2 bad usage.\n";

static const char *yn(int v)
{
	return v > 0 ? "yes" : v == 0 ? "no" : "unknown";
}

static const char *jb(int v)
{
	return v > 0 ? "true" : v == 0 ? "false" : "null";
}

/* What `attach --mechanism auto` gets here: the program probe loaded. */
static const char *auto_mechanism(const struct vnh_steer_features *f)
{
	if (f->prog_reports < 0)
		return NULL;
	if (!f->prog_reports)
		return "steer";
	return f->prog_variant == VNH_STEER_VARIANT_PROGTYPE ? "progtype" :
							       "kfunc";
}

static const char *program_name(int reports)
{
	return reports > 0 ? "steering + report" :
	       reports == 0 ? "steering only" : NULL;
}

/* A JSON string or null. */
static void jstr(const char *key, const char *v, const char *end)
{
	if (v)
		printf("\"%s\": \"%s\"%s", key, v, end);
	else
		printf("\"%s\": null%s", key, end);
}

static const char *why(int v)
{
	static char buf[4][160];
	static int n;
	char *b = buf[n++ % 4];

	if (v >= 0)
		return "";
	snprintf(b, sizeof(buf[0]), "%s%s", strerror(-v),
		 perm_hint(v, "CAP_SYS_ADMIN, CAP_NET_ADMIN and CAP_BPF"));
	return b;
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

	if (json) {
		printf("{\"kernel\": \"%s\", \"steering_prog\": %s, \"hash_kfunc\": %s, \"hash_kfunc_btf\": \"%s\", \"prog_type_vnet_hash\": %s, \"native_hash\": %s, ",
		       uts.release, jb(f.steering_prog), jb(f.hash_kfunc),
		       f.hash_kfunc_btf, jb(f.prog_type_vnet_hash),
		       jb(f.native_hash));
		printf("\"hash_reporting\": %s, ", jb(f.prog_reports));
		jstr("program", program_name(f.prog_reports), ", ");
		jstr("program_build", variant_name(f.prog_variant), ", ");
		jstr("program_error", f.prog_reports < 0 ?
		     strerror(-f.prog_reports) : NULL, ", ");
		jstr("kfunc_build_error", f.prog_kfunc_load_err ?
		     strerror(-f.prog_kfunc_load_err) : NULL, ", ");
		jstr("mechanism_auto", auto_mechanism(&f), "}\n");
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
	if (f.prog_reports >= 0)
		printf("steering program loaded here:                %s (%s build%s%s)\n",
		       program_name(f.prog_reports),
		       variant_name(f.prog_variant) ? variant_name(f.prog_variant) : "unknown",
		       f.prog_kfunc_load_err ? "; the kfunc build did not load: " : "",
		       f.prog_kfunc_load_err ? strerror(-f.prog_kfunc_load_err) : "");
	else
		printf("steering program loaded here:                cannot load: %s\n",
		       strerror(-f.prog_reports));
	if (f.steering_prog > 0)
		printf("=> RSS in the kernel: yes; hash reporting: %s\n",
		       f.prog_reports > 0 &&
		       f.prog_variant == VNH_STEER_VARIANT_PROGTYPE ?
		       "yes (BPF_PROG_TYPE_VNET_HASH program)" :
		       f.prog_reports > 0 ? "yes (kfunc)" :
		       f.prog_reports < 0 ? "unknown (no program could be loaded here)" :
		       f.hash_kfunc > 0 ? "no: the kernel has the kfunc, but a program loaded here does not call it (steering only; user space computes hashes)" :
		       "no (steering only; user space computes hashes)");
	if (auto_mechanism(&f))
		printf("=> attach --mechanism auto: %s\n", auto_mechanism(&f));
	return 0;
}
