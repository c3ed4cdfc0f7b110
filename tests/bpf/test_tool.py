#!/usr/bin/env python3
"""vnethash attach / set / show / detach / probe on paths tests/tap does not
take: a persistent multiqueue tap with no queue open (queue limit 256, its
flags kept), a tun device (tun mode), the owner's fd (--pid/--fd: no queue
added), `set` keeping what it is not given, `show --json`, stale pins of a
deleted device, `probe --json`. Runs in a private network namespace with
its own pin root. Root; exit 0 pass, 1 fail, 77 skip.
"""

import ctypes
import fcntl
import json
import os
import struct
import subprocess
import sys

VNETHASH = os.environ.get("VNETHASH", "build/src/vnethash")
CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN, IFF_TAP, IFF_NO_PI = 0x1, 0x2, 0x1000
IFF_VNET_HDR, IFF_MULTI_QUEUE = 0x4000, 0x0100
BPFFS = "/sys/fs/bpf"

failures = 0


def check(cond, msg):
    global failures
    if not cond:
        failures += 1
        print("FAIL: " + msg, file=sys.stderr, flush=True)
    return cond


def vn(*args, expect=0):
    p = subprocess.run([VNETHASH] + [str(a) for a in args], capture_output=True,
                       text=True, timeout=120)
    check(p.returncode == expect,
          "`vnethash %s` exited %d, expected %d: %s%s"
          % (" ".join(map(str, args)), p.returncode, expect, p.stdout, p.stderr))
    return p


def ip(*args):
    subprocess.run(["ip"] + list(args), check=True, capture_output=True)


def tun_flags(dev):
    # sysfs may belong to the parent namespace: ask rtnetlink via ip -d
    out = subprocess.run(["ip", "-d", "link", "show", dev], capture_output=True,
                         text=True).stdout
    return out


def numqueues(dev):
    out = tun_flags(dev)
    words = out.split()
    return int(words[words.index("numqueues") + 1]) if "numqueues" in words else -1


def open_queue(dev, flags):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", dev.encode(), flags))
    return fd


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return 77
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        print("SKIP: no private network namespace")
        return 77
    root = "%s/vnethash-tooltest-%d" % (BPFFS, os.getpid())
    os.environ["VNETHASH_PIN_ROOT"] = root
    try:
        run_tests(root)
    finally:
        subprocess.run(["rm", "-rf", root])
    if failures:
        print("FAIL: %d checks failed" % failures)
        return 1
    print("PASS")
    return 0


def run_tests(root):
    p = vn("probe", "--json")
    probe = json.loads(p.stdout)
    check(probe["steering_prog"] is True, "probe: no steering program support: %s" % p.stdout)
    check(probe["prog_type_vnet_hash"] in (False, None), "probe: VNET_HASH program type?")
    print("probe: %s" % p.stdout.strip())

    # 1. persistent multiqueue tap, vnet_hdr, no queue open
    ip("tuntap", "add", "dev", "pt0", "mode", "tap", "multi_queue", "vnet_hdr")
    before = tun_flags("pt0")
    vn("attach", "pt0", "--queues", "257", "--table-size", "1024", expect=1)
    vn("attach", "pt0", "--unclassified", "256", expect=1)
    p = vn("attach", "pt0", "--queues", "200", "--table-size", "256", "--unclassified", "255")
    check("no queue" in p.stdout, "attach on a device without queues: no note: %s" % p.stdout)
    after = tun_flags("pt0")
    check(before == after, "device flags changed by attach:\n%s\n%s" % (before, after))
    check(numqueues("pt0") == 0, "the temporary queue stayed: numqueues %d" % numqueues("pt0"))
    s = json.loads(vn("show", "pt0", "--json").stdout)
    check(s["mode"] == "tap" and s["generation"] == 1, "show: %s" % s)
    check(s["indirection_table"] == [i % 200 for i in range(256)], "table read back wrong")
    check(s["unclassified"] == 255, "unclassified read back wrong")
    print("persistent tap without queues: accepted queues up to 255, flags and queue count unchanged")

    # 2. set keeps what it is not given
    key = "0123456789abcdef" * 2
    vn("set", "pt0", "--key", key, "--types", "ipv4,tcpv6_ex")
    vn("set", "pt0", "--unclassified", "7")
    s = json.loads(vn("show", "pt0", "--json").stdout)
    check(s["key"] == key and s["hash_types"] == ["ipv4", "tcpv6_ex"] and
          s["unclassified"] == 7 and s["generation"] == 3 and
          s["indirection_table"] == [i % 200 for i in range(256)],
          "set did not keep the rest: %s" % {k: s[k] for k in ("key", "hash_types", "unclassified", "generation")})
    text = vn("show", "pt0").stdout
    check("    0:      0     1     2     3     4     5     6     7" in text,
          "show does not lay the table out like ethtool -x:\n%s" % text[:600])
    print("set: changes only what it is given; show: ethtool -x layout")

    # 3. stale pins of a deleted device
    ip("link", "del", "pt0")
    p = vn("detach", "pt0", expect=1)
    check("stale" in p.stderr and not os.path.exists(root + "/pt0"),
          "stale pins not removed: %s" % p.stderr)
    print("deleted device: detach removes its stale pins")

    # 4. a tun held open by this process; attach through our own fd
    fds = [open_queue("tn0", IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE) for _ in range(3)]
    ip("link", "set", "tn0", "up")
    vn("attach", "tn0", "--pid", os.getpid(), "--fd", 1, expect=1)    # not a queue
    vn("attach", "tn0", "--pid", os.getpid(), "--fd", fds[1], "--queues", "3")
    check(numqueues("tn0") == 3, "queue count changed: %d" % numqueues("tn0"))
    s = json.loads(vn("show", "tn0", "--json").stdout)
    check(s["mode"] == "tun" and s["queues"] == 3, "tun show: %s" % s)
    vn("set", "tn0", "--queues", "4", expect=1)
    vn("detach", "tn0", "--pid", os.getpid(), "--fd", fds[2])
    check(not os.path.exists(root + "/tn0"), "pins left after detach")
    vn("show", "tn0", expect=1)
    for fd in fds:
        os.close(fd)
    print("tun via the owner's fd: tun mode, no queue added, detached")

    # 5. usage errors
    vn("attach", "tn0", "--pid", "1", expect=2)
    vn("attach", "tn0", "--pid", "x", "--fd", "3", expect=2)
    vn("probe", "extra", expect=2)


if __name__ == "__main__":
    sys.exit(main())
