// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Tap devices for `vnethash verify`, `vnethash demo` and the steering
 * commands: a private network namespace, the device-wide flags from sysfs,
 * interface ioctls (up, MTU), creating a multiqueue tap or joining an
 * existing one, and giving it back as found.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "vnethash_steer.h"

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

int tap_private_netns(void)
{
	if (unshare(CLONE_NEWNET))
		return -errno;
	/*
	 * No IPv6 on devices created from now on: no router solicitations,
	 * MLD reports or DAD probes on the tap. (Stray frames are also
	 * recognised and ignored; this just keeps the tap quiet.) Absent
	 * without IPv6 support, which is fine.
	 */
	write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	write_file("/proc/sys/net/ipv6/conf/default/accept_dad", "0");
	write_file("/proc/sys/net/ipv6/conf/default/accept_ra", "0");
	return 0;
}

static int read_sysfs(const char *name, const char *attr, char *buf,
		      size_t size)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

/*
 * /sys shows the network namespace of whoever mounted it: after a bare
 * unshare(CLONE_NEWNET) it still lists the old namespace's devices. Trust
 * it only if it knows @name with our ifindex; otherwise read it from a
 * child with its own mount namespace and a fresh sysfs mount (as
 * `ip netns exec` does).
 */
static int sysfs_is_ours(const char *name)
{
	char buf[32];
	unsigned int idx = if_nametoindex(name);

	return idx && !read_sysfs(name, "ifindex", buf, sizeof(buf)) &&
	       strtoul(buf, NULL, 10) == idx;
}

static int read_tun_flags_fresh_sysfs(const char *name, char *buf, size_t size)
{
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		char out[32];
		int err;

		close(pfd[0]);
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    (umount2("/sys", MNT_DETACH), 0) ||
		    mount("sysfs", "/sys", "sysfs", 0, NULL))
			_exit(100);
		err = read_sysfs(name, "tun_flags", out, sizeof(out));
		if (err)
			_exit(err == -ENOENT ? 101 : 102);
		if (write(pfd[1], out, strlen(out)) < 0)
			_exit(102);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], buf, size - 1);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status))
		return -EIO;
	if (WEXITSTATUS(status) == 101)
		return -ENOENT;
	if (WEXITSTATUS(status) || n <= 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

int tap_read_flags(const char *name, unsigned int *flags)
{
	char buf[32];
	int err;

	if (!if_nametoindex(name))
		return -ENODEV;
	if (sysfs_is_ours(name))
		err = read_sysfs(name, "tun_flags", buf, sizeof(buf));
	else
		err = read_tun_flags_fresh_sysfs(name, buf, sizeof(buf));
	if (err == -ENOENT)
		return -ENOTTY;		/* a device, but not a tun/tap */
	if (err)
		return err;
	*flags = (unsigned int)strtoul(buf, NULL, 0);
	return 0;
}

static int ifreq_ioctl(const char *name, unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, req, ifr))
		err = -errno;
	close(fd);
	return err;
}

int tap_set_up(const char *name)
{
	struct ifreq ifr = { 0 };
	int err = ifreq_ioctl(name, SIOCGIFFLAGS, &ifr);

	if (err)
		return err;
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP;
	return ifreq_ioctl(name, SIOCSIFFLAGS, &ifr);
}

int tap_get_mtu(const char *name)
{
	struct ifreq ifr = { 0 };
	int err = ifreq_ioctl(name, SIOCGIFMTU, &ifr);

	return err ? err : ifr.ifr_mtu;
}

int tap_set_mtu(const char *name, int mtu)
{
	struct ifreq ifr = { 0 };

	ifr.ifr_mtu = mtu;
	return ifreq_ioctl(name, SIOCSIFMTU, &ifr);
}

static int open_queue(const char *name, unsigned int flags, int hdr_sz)
{
	struct ifreq ifr = { 0 };
	int fd, err;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	ifr.ifr_flags = (short)flags;
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (hdr_sz && ioctl(fd, TUNSETVNETHDRSZ, &hdr_sz)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int open_packet_socket(struct tap *t)
{
	struct sockaddr_ll sll = { 0 };
	struct ifreq ifr = { 0 };
	int err, sndbuf = 4 << 20;

	err = ifreq_ioctl(t->name, SIOCGIFINDEX, &ifr);
	if (err)
		return err;
	t->ifindex = ifr.ifr_ifindex;
	/* Protocol 0: this socket only sends, it receives nothing. */
	t->pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (t->pkt_fd < 0)
		return -errno;
	setsockopt(t->pkt_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = 0;
	sll.sll_ifindex = t->ifindex;
	if (bind(t->pkt_fd, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;
	return 0;
}

static void tap_init(struct tap *t, const char *name)
{
	int i;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	for (i = 0; i < TAP_QUEUES_MAX; i++)
		t->fds[i] = -1;
	t->pkt_fd = -1;
}

int tap_create(struct tap *t, const char *name, int nq, int hdr_sz)
{
	unsigned int flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE;
	int i, fd, err;

	tap_init(t, name);
	if (nq < 1 || nq > TAP_QUEUES_MAX)
		return -EINVAL;
	if (hdr_sz)
		flags |= IFF_VNET_HDR;
	for (i = 0; i < nq; i++) {
		fd = open_queue(name, flags, hdr_sz);
		if (fd < 0) {
			tap_close(t);
			return fd;
		}
		t->fds[i] = fd;
		t->nq = i + 1;
	}
	t->hdr_sz = hdr_sz;
	err = tap_set_up(name);
	if (!err)
		err = open_packet_socket(t);
	if (err)
		tap_close(t);
	return err;
}

/* Queues attached to tun/tap @name (rtnetlink: right in any namespace). */
int tap_num_queues(const char *name)
{
	struct vnh_tun_info ti = { .sz = sizeof(ti) };
	int err = vnh_tun_info(name, &ti);

	if (err)
		return err;
	return ti.num_queues >= 0 ? ti.num_queues : -ENOENT;
}

#define TUN_KEEP_FLAGS (IFF_TUN | IFF_TAP | IFF_NO_PI | IFF_ONE_QUEUE | \
			IFF_VNET_HDR | IFF_MULTI_QUEUE | IFF_NOFILTER | \
			IFF_NAPI | IFF_NAPI_FRAGS)
/* What TUNSETIFF rewrites on the first queue of an existing device. */
#define TUN_FEATURE_FLAGS (IFF_NO_PI | IFF_ONE_QUEUE | IFF_VNET_HDR | \
			   IFF_MULTI_QUEUE | IFF_NAPI | IFF_NAPI_FRAGS)

int tap_join(struct tap *t, const char *name, int nq, int hdr_sz)
{
	unsigned int flags, eff;
	struct ifreq ifr;
	int i, fd, err;

	tap_init(t, name);
	if (nq < 1 || nq > TAP_QUEUES_MAX)
		return -EINVAL;
	err = tap_read_flags(name, &flags);
	if (err)
		return err;
	/* A single-queue tap can be joined when nobody holds its queue. */
	if (!(flags & IFF_TAP) || (!(flags & IFF_MULTI_QUEUE) && nq > 1))
		return -EOPNOTSUPP;
	/* We read without packet information; refuse rather than guess.
	 * (Not from TUNGETIFF: it reports IFF_NOFILTER, the same bit.) */
	if (!(flags & IFF_NO_PI))
		return -EPROTONOSUPPORT;
	t->orig_flags = flags;
	t->joined = true;
	/*
	 * Keep the owner's flags: on the first queue of a device TUNSETIFF
	 * rewrites them. We add IFF_VNET_HDR; that only takes effect if no
	 * queue is open (tun ignores the flags of later queues), so read
	 * back what the device really does.
	 */
	flags &= TUN_KEEP_FLAGS;
	if (hdr_sz)
		flags |= IFF_VNET_HDR;
	fd = open_queue(name, flags, 0);
	if (fd < 0)
		return fd;
	t->fds[0] = fd;
	t->nq = 1;
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr)) {
		err = -errno;
		goto fail;
	}
	eff = (unsigned short)ifr.ifr_flags;
	t->flags_changed = (eff & TUN_FEATURE_FLAGS) !=
			   (t->orig_flags & TUN_FEATURE_FLAGS);
	t->hdr_sz = 0;
	if (hdr_sz && (eff & IFF_VNET_HDR)) {
		/* device-wide: remember it to give it back */
		if (ioctl(fd, TUNGETVNETHDRSZ, &t->orig_hdr_sz))
			t->orig_hdr_sz = 0;
		if (t->orig_hdr_sz != hdr_sz &&
		    ioctl(fd, TUNSETVNETHDRSZ, &hdr_sz)) {
			err = -errno;
			goto fail;
		}
		t->hdr_sz = hdr_sz;
	}
	for (i = 1; i < nq; i++) {
		fd = open_queue(name, eff & TUN_KEEP_FLAGS, 0);
		if (fd < 0) {
			err = fd;
			goto fail;
		}
		t->fds[i] = fd;
		t->nq = i + 1;
	}
	err = tap_set_up(name);
	if (!err)
		err = open_packet_socket(t);
	if (!err)
		return 0;
fail:
	tap_close(t);
	return err;
}

void tap_close(struct tap *t)
{
	int i;

	if (t->pkt_fd >= 0)
		close(t->pkt_fd);
	t->pkt_fd = -1;
	/* Give the device back as we found it. */
	if (t->joined && t->nq > 0 && t->orig_hdr_sz && t->hdr_sz &&
	    t->orig_hdr_sz != t->hdr_sz)
		ioctl(t->fds[0], TUNSETVNETHDRSZ, &t->orig_hdr_sz);
	for (i = 0; i < t->nq; i++)
		if (t->fds[i] >= 0)
			close(t->fds[i]);
	if (t->joined && t->flags_changed) {
		/* We were the first queue and changed its flags: attach once
		 * more as the first queue with the old ones. */
		int fd = open_queue(t->name, t->orig_flags & TUN_KEEP_FLAGS, 0);

		if (fd >= 0)
			close(fd);
	}
	t->nq = 0;
	t->joined = false;
}
