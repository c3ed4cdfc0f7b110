// SPDX-License-Identifier: GPL-2.0
/* Manual check of the netpoll path: the steering program runs with IRQs
 * disabled when netconsole sends through the tap, and the kfunc must still
 * report the hash. Needs CONFIG_NETCONSOLE_DYNAMIC (see debug.fragment) and
 * runs in the VM's init_net (netconsole only looks there), so only inside
 * a throwaway VM:
 *   gcc -O2 -I<selftest-shim build dir> netpoll_check.c -lbpf -lelf -lz
 *   kernel/vm-run.sh --kernel <debug bzImage> -- ./a.out
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <endian.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "test_tun_vnet_hash.skel.h"

#define TAP "tapvh0"
static int sh(const char *c) { int r = system(c); if (r) fprintf(stderr, "FAILED: %s\n", c); return r; }

int main(void)
{
	struct test_tun_vnet_hash *skel;
	struct ifreq ifr = {0};
	int fd[2], i, sz = 20, pfd;
	unsigned char buf[2048];

	/* netconsole looks devices up in init_net: stay there (disposable VM) */
	skel = test_tun_vnet_hash__open_and_load();
	if (!skel) return 1;
	skel->bss->port = 7777;
	skel->bss->call_kfunc = 1;
	skel->bss->hash_value = 0xabcd1234;
	skel->bss->hash_report = VIRTIO_NET_HASH_REPORT_UDPv4;
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE;
	strcpy(ifr.ifr_name, TAP);
	for (i = 0; i < 2; i++) {
		fd[i] = open("/dev/net/tun", O_RDWR);
		if (ioctl(fd[i], TUNSETIFF, &ifr)) { perror("TUNSETIFF"); return 1; }
	}
	ioctl(fd[0], TUNSETVNETHDRSZ, &sz);
	pfd = bpf_program__fd(skel->progs.steer);
	if (ioctl(fd[0], TUNSETSTEERINGEBPF, &pfd)) { perror("steer"); return 1; }
	if (sh("echo 1 > /proc/sys/net/ipv6/conf/" TAP "/disable_ipv6; ip link set lo up; ip link set " TAP " up; ip addr add 10.23.0.1/24 dev " TAP))
		return 1;
	/* netconsole target on the tap, sending to the steered UDP port */
	if (sh("mount -t configfs none /sys/kernel/config 2>/dev/null; d=/sys/kernel/config/netconsole/t1; mkdir -p $d && "
	       "echo " TAP " > $d/dev_name && echo 10.23.0.1 > $d/local_ip && echo 10.23.0.2 > $d/remote_ip && "
	       "echo 02:00:00:00:00:02 > $d/remote_mac && echo 7777 > $d/remote_port && echo 1 > $d/enabled"))
		return 1;
	skel->bss->steer_seen = 0;
	sh("dmesg -n 8; echo '<0>netpoll steering check' > /dev/kmsg");
	struct pollfd p = { .fd = fd[1], .events = POLLIN };
	if (poll(&p, 1, 3000) != 1) { printf("no packet on queue 1 (steer_seen=%d)\n", skel->bss->steer_seen); return 1; }
	ssize_t n = read(fd[1], buf, sizeof(buf));
	struct virtio_net_hdr_v1_hash *h = (void *)buf;
	printf("read %zd bytes, steer_seen=%d steer_ret=%d hash_value=%#x hash_report=%u payload='%.*s'\n",
	       n, skel->bss->steer_seen, skel->bss->steer_ret, le32toh(h->hash_value), le16toh(h->hash_report),
	       (int)(n - 20 - 42), buf + 20 + 42);
	return !(le32toh(h->hash_value) == 0xabcd1234 && le16toh(h->hash_report) == 3 && skel->bss->steer_ret == 0);
}
