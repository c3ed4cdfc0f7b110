// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vnethash attach: put the steering program on an existing tap (multiqueue, or
 * a single-queue one for the hash report). */
#include <errno.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpffs.h"
#include "cmdline.h"
#include "steer_dev.h"
#include "tool.h"
#include "steer_state.h"

static const char attach_usage[] =
"Usage: %s attach DEV [OPTIONS]\n"
"\n"
"Attach the vnethash RSS steering program to DEV, an existing multiqueue\n"
"tap or tun device (e.g. 'ip tuntap add dev tap0 mode tap multi_queue', or\n"
"one a VMM holds open), and pin it under /sys/fs/bpf/vnethash/DEV/ (bpffs\n"
"is mounted if missing). The vnet header size and offloads are not touched.\n"
"DEV may also be a single-queue tap with --queues 1: on a kernel with the\n"
"kfunc series the program then runs for the hash report alone (pass the\n"
"owner's queue with --pid/--fd if the device is held open).\n"
"\n"
CONFIG_HELP
"Without --indir or --queues, the table spreads over the queues DEV has\n"
"(attached and detached ones) as --queues would, and attach says so; a\n"
"device with no queue open needs --queues or --indir.\n"
"\n"
"Queue fd:\n"
"  --pid PID --fd N    attach through the owner's queue fd N of process PID\n"
"                      (pidfd_getfd): adds no queue to the device\n"
"  (default)           open a temporary queue of DEV, attach, close it at\n"
"                      once: it is the last queue, so closing it renumbers\n"
"                      none of the owner's. While it exists (two ioctls),\n"
"                      packets tun steers to it are dropped.\n"
"\n"
"Other options:\n"
"  --no-report         never report hashes through the kernel's\n"
"                      bpf_tun_vnet_hash_set kfunc, even if present\n"
"  --mechanism M       how the kernel learns the hash: auto (default: the\n"
"                      best the kernel has), kfunc (bpf_tun_vnet_hash_set),\n"
"                      progtype (a BPF_PROG_TYPE_VNET_HASH program, the\n"
"                      comparison kernel patches), steer (no report); one\n"
"                      the kernel lacks is an error, never a fallback\n"
"  -h, --help          this text\n"
"\n"
"Queues the configuration may name: those the device has (attached and\n"
"detached ones); a device with no queue open (persistent, its VMM not yet\n"
"started) accepts any up to tun's limit of 256.\n"
"Pins under /sys/fs/bpf/vnethash/DEV/ that are stale (made for a former\n"
"device of the name, e.g. before a VM restart), or whose program DEV no\n"
"longer runs (other software replaced or removed it), are replaced, and\n"
"attach says so. After attaching, what DEV runs is read back from the\n"
"kernel where it can be (a queue of DEV is open).\n"
"Exit status: 0 attached, 1 failure (message names the cause), 2 bad usage.\n";

/* Is the loaded program the BPF_PROG_TYPE_VNET_HASH build? */
static bool is_progtype(struct vnh_steer *steer)
{
	struct vnh_steer_info info = { .sz = sizeof(info) };

	return !vnh_steer_get_config(steer, NULL, &info) &&
	       info.variant == VNH_STEER_VARIANT_PROGTYPE;
}

int attach_main(int argc, char **argv)
{
	static const struct option opts[] = {
		CONFIG_OPTIONS,
		{ "pid", required_argument, NULL, 'P' },
		{ "fd", required_argument, NULL, 'F' },
		{ "no-report", no_argument, NULL, 'n' },
		{ "mechanism", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct vnh_steer_opts sopts = { .sz = sizeof(sopts) };
	struct vnh_steer_info info = { .sz = sizeof(info) };
	struct vnh_rss *rss = vnh_rss_new();
	struct vnh_steer *steer = NULL;
	struct config_args cfg;
	struct cmd_line cl = { "attach", attach_usage, opts, &cfg, 0 };
	struct steer_dev dev;
	const char *name;
	int opt, pid = 0, fd = -1, qfd = -1, err, rc = EXIT_USAGE;
	unsigned int spread = 0;
	struct vnh_tun_steering now = { .sz = sizeof(now) };
	const char *replacing = NULL;
	bool none_open;

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
		case 'P':
		case 'F':
			if (steer_parse_pid_fd(opt, optarg, &pid, &fd))
				goto out;
			break;
		case 'n':
			sopts.no_report = 1;
			break;
		case 'M':
			sopts.mechanism = parse_mechanism(optarg);
			if (sopts.mechanism < 0)
				goto out;
			break;
		}
	}
	if (sopts.no_report && sopts.mechanism != VNH_STEER_MECH_AUTO &&
	    sopts.mechanism != VNH_STEER_MECH_STEER) {
		fprintf(stderr, "%s: attach: --no-report contradicts --mechanism %s\n",
			prog_name, vnh_steer_mechanism_name(sopts.mechanism));
		goto out;
	}
	if (config_finish(&cfg) || !(name = cmd_device(&cl, argc, argv)) ||
	    steer_check_pid_fd(pid, fd))
		goto out;

	rc = 1;
	steer_tool_init();
	if (steer_dev_inspect(name, &dev, false))
		goto out;
	err = steer_dev_pinned(&dev);
	if (err < 0) {
		steer_pins_perror(&dev, err);
		goto out;
	}
	if (err) {
		struct vnh_steer *old = NULL;
		struct steer_state_info si;

		vnh_steer_open_pinned(dev.pin_dir, &old);
		steer_state(&dev, old, &si);
		vnh_steer_free(old);
		if (steer_state_ok(&si)) {
			fprintf(stderr, "%s: %s: already attached (pinned at %s); use 'vnethash set' to change it or 'vnethash detach' first\n",
				prog_name, dev.name, dev.pin_dir);
			goto out;
		}
		if (si.state == ST_OTHER_NS) {
			fprintf(stderr, "%s: %s: %s\n", prog_name, dev.name,
				steer_state_problem(&dev, &si));
			goto out;
		}
		/* Stale pins, or the device runs something else: replace. */
		err = vnh_steer_unpin(dev.pin_dir);
		if (err && err != -ENOENT) {
			steer_perror(&dev, "cannot remove the old pins", err);
			goto out;
		}
		replacing = steer_state_problem(&dev, &si);
	}
	if (!cfg.table_set) {
		unsigned int nq = steer_dev_queue_limit(&dev, &none_open);

		if (none_open) {
			fprintf(stderr, "%s: %s: no queue of %s is open, so how many it will have is unknown: give --queues N (the queues its owner will open) or --indir\n",
				prog_name, dev.name, dev.name);
			goto out;
		}
		spread = nq;
		vnh_rss_set_spread(rss, nq, config_table_len(nq));
	}
	if (steer_check_queues(&dev, rss))
		goto out;
	if (steer_bpffs_ready())
		goto out;

	/* Load and pin first: the queue fd is then needed for one ioctl. */
	sopts.mode = (dev.flags & IFF_TUN) ? VNH_STEER_MODE_L3 :
					     VNH_STEER_MODE_ETH;
	err = vnh_steer_load(rss, &sopts, &steer);
	if (err == -EOPNOTSUPP && sopts.mechanism == VNH_STEER_MECH_KFUNC) {
		fprintf(stderr, "%s: %s: mechanism kfunc: the program does not get bpf_tun_vnet_hash_set here (kernel without the series, or module BTF the loader cannot read); use --mechanism auto or steer\n",
			prog_name, dev.name);
		goto out;
	}
	if (err == -EOPNOTSUPP && sopts.mechanism == VNH_STEER_MECH_PROGTYPE) {
		fprintf(stderr, "%s: %s: mechanism progtype: the running kernel has no BPF_PROG_TYPE_VNET_HASH (comparison patches 0020-0023); use --mechanism auto or steer\n",
			prog_name, dev.name);
		goto out;
	}
	if (err && sopts.mechanism == VNH_STEER_MECH_KFUNC) {
		/* The build with the kfunc call did not load at all: libbpf
		 * refuses it where it cannot use the kfunc (see docs/steering.md) */
		fprintf(stderr, "%s: %s: mechanism kfunc: the steering program with the kfunc call did not load: %s (libbpf cannot use the kfunc here: no vmlinux BTF, module BTF without CAP_SYS_ADMIN, or tun as a module with libbpf 1.1.2); use --mechanism auto or steer\n",
			prog_name, dev.name, strerror(-err));
		goto out;
	}
	if (err) {
		steer_perror(&dev, "cannot load the steering program", err);
		goto out;
	}
	err = vnh_steer_pin(steer, dev.pin_dir);
	if (err) {
		if (err == -EEXIST)
			fprintf(stderr, "%s: %s: already attached (pinned at %s)\n",
				prog_name, dev.name, dev.pin_dir);
		else
			steer_perror(&dev, "cannot pin the program", err);
		goto out;
	}
	err = vnh_steer_pin_owner(steer, dev.pin_dir, dev.name);
	if (err) {
		steer_perror(&dev, "cannot record the device beside the pins", err);
		vnh_steer_unpin(dev.pin_dir);
		goto out;
	}
	qfd = steer_queue_open(&dev, pid, fd);
	if (qfd < 0) {
		vnh_steer_unpin(dev.pin_dir);
		goto out;
	}
	err = vnh_steer_attach_queue(steer, qfd);
	steer_queue_close(qfd);
	if (err == -EINVAL && is_progtype(steer)) {
		fprintf(stderr, "%s: %s: TUNSETSTEERINGEBPF refused the BPF_PROG_TYPE_VNET_HASH program: the kernel's tun lacks CONFIG_TUN_VNET_HASH\n",
			prog_name, dev.name);
		vnh_steer_unpin(dev.pin_dir);
		goto out;
	}
	if (err) {
		steer_perror(&dev, "TUNSETSTEERINGEBPF failed", err);
		vnh_steer_unpin(dev.pin_dir);
		goto out;
	}
	vnh_steer_get_config(steer, NULL, &info);
	/* Read back what the device runs now, where the kernel can tell. */
	if (!vnh_tun_steering(dev.name, &now) && now.prog_id != info.prog_id) {
		fprintf(stderr, "%s: %s: attached program id %u, but the device runs %s%u: something replaced it at once; nothing pinned\n",
			prog_name, dev.name, info.prog_id,
			now.prog_id ? "program id " : "no program, id ",
			now.prog_id);
		vnh_steer_unpin(dev.pin_dir);
		goto out;
	}
	if (replacing)
		printf("%s: replaced what was pinned: %s\n", dev.name, replacing);
	printf("%s: attached vnethash steering program (id %u, %s mode), pinned at %s\n",
	       dev.name, info.prog_id,
	       info.mode == VNH_STEER_MODE_L3 ? "tun" : "tap", dev.pin_dir);
	printf("%s: hash reporting: %s\n", dev.name,
	       sopts.no_report ? "off (--no-report)" :
	       sopts.mechanism == VNH_STEER_MECH_STEER ? "off (--mechanism steer)" :
	       info.mechanism == VNH_STEER_MECH_PROGTYPE ? "on (a BPF_PROG_TYPE_VNET_HASH program): steering + report" :
	       info.reports > 0 ? "on (the program calls bpf_tun_vnet_hash_set): steering + report" :
	       info.variant == VNH_STEER_VARIANT_NO_KFUNC ?
				"unavailable (the build without the kfunc was loaded): steering only" :
				"unavailable (the kfunc was not resolved at load): steering only");
	printf("%s: mechanism: %s\n", dev.name,
	       info.mechanism >= 0 ? vnh_steer_mechanism_name(info.mechanism) :
				     "unknown");
	if (spread) {
		size_t len;

		vnh_rss_table(rss, &len);
		printf("%s: no --queues or --indir: table spreads over the %u queue%s %s has (%zu entries, entry i = i %% %u)\n",
		       dev.name, spread, spread == 1 ? "" : "s", dev.name,
		       len, spread);
	}
	if (steer_dev_queue_limit(&dev, &none_open) && none_open)
		printf("%s: note: no queue of %s is open; the configuration names queues up to %u\n",
		       dev.name, dev.name, vnh_rss_max_queue(rss));
	rc = 0;
out:
	vnh_steer_free(steer);
	vnh_rss_free(rss);
	return rc;
}
