#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""End to end: the patched QEMU (qemu/build.sh) runs a Linux guest under
vhost-net, inside a VM booted on the patched kernel (kernel/vm-run.sh).

  test_qemu.py --builddir DIR [--frames N] [--check CHECK]

VNETHASH_VM_KERNEL=BZIMAGE boots that kernel (outer VM and guest) instead
of kernel/build.sh's.

On the host it builds (or finds in the caches) the kernel, the patched
QEMU and the guest's initramfs, then runs itself with --inner in the VM.
There (the "outer VM") the patched QEMU boots a guest on the same kernel
(TCG) with a 4-queue-pair virtio-net-pci device on a multiqueue tap,
vhost=on (or off), rss=on (or off) and hash=on (or off). In the guest, the
guest's own virtio_net driver programs RSS; `ethtool -x` reads its key and
indirection table back, `ethtool -n` its hash types; an XDP program
(guest_rxhash.bpf.c)
records for every test frame the receive queue and the hash and hash type
the driver took from the virtio-net header (bpf_xdp_metadata_rx_hash()).
Frames from tests/ref/framegen.py (each with an 8-byte trailer that
numbers it) are sent into the tap from the outer VM (AF_PACKET on the tap
device). Each must arrive exactly once, on the queue the guest's
configuration predicts, with the hash and type of the independent Python
model (tests/ref/vnethash_ref.py) under the guest's key and types.

Checks:
  hash    hash=on: default RSS, then `ethtool -X` (table and key) and
          `ethtool -N ... rx-flow-hash udp4 sd` in the guest, live
  nohash  hash=off: VIRTIO_NET_F_HASH_REPORT not negotiated, RSS still
          steers every frame to its predicted queue (the driver has no
          hash: the XDP kfunc says -ENODATA)
  hash-novhost  the checks of hash with vhost=off: QEMU reads the tap and
          copies the kernel's hash into the guest's header
  hashonly  hash=on,rss=off: HASH_REPORT without RSS, the guest sends
          VIRTIO_NET_CTRL_MQ_HASH_CONFIG (key and types, no table) and the
          device picks the queue: QEMU's patch 2 spreads over the queue
          pairs in use, queue (hash & 127) % pairs, queue 0 without a
          hash; then `ethtool -X hkey` and `-N rx-flow-hash udp4 sd`, live;
          then `ethtool -K rxhash off` (HASH_CONFIG without types): tun's
          own steering, every frame once, no hash, more than one queue
  all     hash, nohash, hash-novhost, hashonly (the default). A failing
          guest does not stop the others: every check reports PASS or FAIL
Exit 0 when every assertion holds; 1 with a message otherwise; 77 (skip)
never: missing prerequisites fail.
"""

import argparse
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "ref"))
import framegen  # noqa: E402
import vnethash_ref as ref  # noqa: E402

TAP = "vnhq0"
QUEUES = 4
MAGIC = 0x51484E56          # "VNHQ" little-endian, as guest_rxhash.bpf.c
ENODATA = 61
# virtio hash report -> enum xdp_rss_hash_type (include/net/xdp.h)
L3_IPV4, L3_IPV6, L3_DYNHDR, L4, L4_TCP, L4_UDP = 1, 2, 4, 8, 16, 32
XDP_TYPE = {
    0: 0,
    1: L3_IPV4,
    2: L3_IPV4 | L4 | L4_TCP,
    3: L3_IPV4 | L4 | L4_UDP,
    4: L3_IPV6,
    5: L3_IPV6 | L4 | L4_TCP,
    6: L3_IPV6 | L4 | L4_UDP,
    7: L3_IPV6 | L3_DYNHDR,
    8: L3_IPV6 | L4 | L4_TCP | L3_DYNHDR,
    9: L3_IPV6 | L4 | L4_UDP | L3_DYNHDR,
}
F_HASH_REPORT, F_RSS, F_MQ = 57, 60, 22


class CheckFailed(Exception):
    """An assertion of one guest's checks failed (inner side)."""


INNER = False


def fail(msg):
    if INNER:
        raise CheckFailed(msg)
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- host side

def run_host(args):
    work = os.path.join(args.builddir, "tests", "qemu", "work")
    os.makedirs(work, exist_ok=True)
    t0 = time.monotonic()
    kernel = os.environ.get("VNETHASH_VM_KERNEL")
    if not kernel:
        p = subprocess.run([os.path.join(SRC, "kernel", "build.sh"), "-q"],
                           stdout=subprocess.PIPE, text=True)
        if p.returncode:
            fail("kernel/build.sh failed (exit %d)" % p.returncode)
        kernel = p.stdout.strip().splitlines()[-1]
    log("kernel: %s (%.0fs)" % (kernel, time.monotonic() - t0))
    t0 = time.monotonic()
    p = subprocess.run([os.path.join(SRC, "qemu", "build.sh"),
                        "--vnethash-build", args.builddir],
                       stdout=subprocess.PIPE, text=True)
    if p.returncode:
        fail("qemu/build.sh failed (exit %d)" % p.returncode)
    qemu = p.stdout.strip().splitlines()[-1]
    log("qemu: %s (%.0fs)" % (qemu, time.monotonic() - t0))
    initrd = os.path.join(work, "guest-initrd.gz")
    build_initrd(args, os.path.join(work, "guest-root"), initrd)
    vmcmd = [os.path.join(SRC, "kernel", "vm-run.sh"), "--kernel", kernel,
             "--timeout", str(args.timeout), "--mem", "3072", "--cwd", SRC,
             "--", sys.executable, os.path.abspath(__file__), "--inner",
             "--builddir", args.builddir, "--qemu", qemu, "--kernel", kernel,
             "--initrd", initrd, "--frames", str(args.frames),
             "--check", args.check]
    t0 = time.monotonic()
    p = subprocess.run(vmcmd)
    log("outer VM: exit %d (%.0fs)" % (p.returncode, time.monotonic() - t0))
    if p.returncode in (124, 125):
        fail("the outer VM did not run the test (exit %d)" % p.returncode)
    return p.returncode


def copy_with_libs(path, root):
    """Copy an ELF program and the shared libraries ldd names into root."""
    dst = os.path.join(root, "bin", os.path.basename(path))
    shutil.copy2(path, dst)
    out = subprocess.run(["ldd", path], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    for line in out.splitlines():
        m = re.search(r"(/\S+) \(0x", line)
        if not m:
            continue
        lib = m.group(1)
        d = os.path.join(root, lib.lstrip("/"))
        os.makedirs(os.path.dirname(d), exist_ok=True)
        shutil.copy2(os.path.realpath(lib), d)


GUEST_INIT = r"""#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t bpf bpf /sys/fs/bpf
dmesg -n 1
stty -echo -opost
ip link set lo up
ip link set eth0 up || echo "@@FAIL no eth0"
echo "@@READY"
while read -r line; do
	echo "@@BEGIN"
	sh -c "$line" 2>&1
	echo "@@END $?"
done
reboot -f
"""


def build_initrd(args, root, out):
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "proc", "sys", "dev", "lib64", "tmp"):
        os.makedirs(os.path.join(root, d))
    busybox = shutil.which("busybox") or "/bin/busybox"
    shutil.copy2(busybox, os.path.join(root, "bin", "busybox"))
    for applet in ("sh", "mount", "ip", "stty", "cat", "echo", "reboot",
                   "dmesg", "ls", "sleep", "grep", "head", "tail", "sed"):
        os.symlink("busybox", os.path.join(root, "bin", applet))
    ethtool = shutil.which("ethtool") or "/usr/sbin/ethtool"
    if not os.path.exists(ethtool):
        fail("ethtool is not installed (apt-get install ethtool)")
    copy_with_libs(ethtool, root)
    agent = os.path.join(args.builddir, "tests", "qemu", "guest-rxhash")
    obj = os.path.join(args.builddir, "tests", "qemu", "guest_rxhash.bpf.o")
    for f in (agent, obj):
        if not os.path.exists(f):
            fail("%s is missing (meson compile -C %s)" % (f, args.builddir))
    copy_with_libs(agent, root)
    shutil.copy2(obj, os.path.join(root, "rxhash.bpf.o"))
    with open(os.path.join(root, "init"), "w") as f:
        f.write(GUEST_INIT)
    os.chmod(os.path.join(root, "init"), 0o755)
    subprocess.run("cd '%s' && find . | cpio -o -H newc --quiet | gzip -1 > '%s'"
                   % (root, out), shell=True, check=True)


# --------------------------------------------------------------- inner side

class Guest:
    """The patched QEMU running the guest; a line protocol on its serial."""

    def __init__(self, args, hash_on, vhost, rss=True):
        props = ("virtio-net-pci,netdev=n0,mq=on,vectors=%d,rss=%s,hash=%s,"
                 "romfile=,guest_tso4=off,guest_tso6=off,guest_ecn=off,"
                 "guest_ufo=off,guest_uso4=off,guest_uso6=off"
                 % (2 * QUEUES + 2, "on" if rss else "off",
                    "on" if hash_on else "off"))
        cmd = [args.qemu, "-M", "pc", "-accel", "tcg,tb-size=256",
               "-m", "384", "-smp", "1", "-nodefaults", "-no-user-config",
               "-display", "none", "-serial", "stdio", "-monitor", "none",
               "-no-reboot", "-L", "/usr/share/seabios", "-L", "/usr/share/qemu",
               "-kernel", args.kernel, "-initrd", args.initrd,
               "-append", "console=ttyS0 panic=-1 quiet",
               "-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no,"
               "vhost=%s,queues=%d" % (TAP, "on" if vhost else "off", QUEUES),
               "-device", props]
        log("guest: " + " ".join(cmd))
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.buf = b""
        self.transcript = []

    def readline(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if not r:
                return None
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                if self.buf:
                    break
                return None
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        line = line.decode(errors="replace").replace("\r", "")
        self.transcript.append(line)
        return line

    def wait_for(self, marker, timeout):
        deadline = time.monotonic() + timeout
        while True:
            line = self.readline(deadline)
            if line is None:
                self.dump_transcript()
                fail("guest: no %r within %ds" % (marker, timeout))
            if marker in line:
                return line

    def dump_transcript(self):
        log("---- guest console (last lines) ----")
        for line in self.transcript[-40:]:
            log("| " + line)

    def cmd(self, line, timeout=300, check=True):
        self.p.stdin.write((line + "\n").encode())
        self.p.stdin.flush()
        self.wait_for("@@BEGIN", timeout)
        out = []
        deadline = time.monotonic() + timeout
        while True:
            got = self.readline(deadline)
            if got is None:
                self.dump_transcript()
                fail("guest: %r did not finish within %ds" % (line, timeout))
            m = re.search(r"@@END (\d+)", got)
            if m:
                rc = int(m.group(1))
                break
            out.append(got)
        if check and rc:
            fail("guest: %r exited %d:\n%s" % (line, rc, "\n".join(out)))
        return "\n".join(out)

    def stop(self):
        try:
            self.p.stdin.write(b"reboot -f\n")
            self.p.stdin.flush()
            self.p.wait(timeout=60)
        except Exception:
            self.kill()

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()


def guest_features(g):
    bits = g.cmd("cat /sys/bus/virtio/devices/virtio0/features").strip()
    if not re.fullmatch(r"[01]+", bits):
        fail("virtio features: %r" % bits)
    return {i for i, c in enumerate(bits) if c == "1"}


def guest_rss(g, rss=True):
    """Key, table and hash types, as the guest's driver tells ethtool.
    Without VIRTIO_NET_F_RSS the driver has no table (HASH_CONFIG): the
    device's, as docs/qemu.md and QEMU's patch 2 describe it, is returned,
    spread over the receive rings the guest uses."""
    out = g.cmd("ethtool -x eth0")
    table = []
    key = None
    rings = None
    lines = out.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"\s*(\d+):\s+([\d\s]+)$", line)
        if m:
            table += [int(x) for x in m.group(2).split()]
        m = re.search(r"with (\d+) RX ring", line)
        if m:
            rings = int(m.group(1))
        if line.startswith("RSS hash key"):
            key = bytes.fromhex(lines[i + 1].strip().replace(":", ""))
    if key is None or (rss and not table) or (not rss and table):
        fail("ethtool -x: %s table, %s key:\n%s"
             % ("a" if table else "no", "a" if key else "no", out))
    if not rss:
        if rings != QUEUES:
            fail("ethtool -x: %s RX rings, wanted %d:\n%s" % (rings, QUEUES, out))
        table = [i % rings for i in range(128)]
    # Linux's virtio_net never enables the _EX types (it masks them out of
    # the device's supported_hash_types): the six flows are the whole set.
    types = 0
    # ethtool 6.1 cannot query the ip4/ip6 flows. The driver reports a
    # TCP/UDP flow as "IP SA, IP DA" (+ "L4 bytes") whenever IPv4 (IPv6) or
    # the L4 type is on, and sets IPv4 (IPv6) with every tcp4/udp4
    # (tcp6/udp6) setting but "r": the L3 bit is on when one of its L4
    # flows hashes the addresses.
    flows = {"tcp4": (ref.T_TCPV4, ref.T_IPV4), "udp4": (ref.T_UDPV4, ref.T_IPV4),
             "tcp6": (ref.T_TCPV6, ref.T_IPV6), "udp6": (ref.T_UDPV6, ref.T_IPV6)}
    for flow, (l4bit, l3bit) in flows.items():
        o = g.cmd("ethtool -n eth0 rx-flow-hash %s" % flow)
        if "L4 bytes" in o:
            types |= l4bit
        if "IP SA" in o:
            types |= l3bit
    return key, table, types


def send_frames(sock, frames, base):
    for i, f in enumerate(frames):
        sock.send(f + struct.pack("<II", MAGIC, base + i))


def collect(g, base, want):
    """The guest's records of frames base..base+want-1, each exactly once."""
    deadline = time.monotonic() + 300
    n = 0
    while time.monotonic() < deadline:
        n = int(g.cmd("guest-rxhash count").split()[-1])
        if n >= want:
            break
        time.sleep(1)
    time.sleep(1)
    out = g.cmd("guest-rxhash dump")
    recs = {}
    for line in out.splitlines():
        p = line.split()
        if p and p[0] == "REC":
            seq, q, h, t, ret, ln = (int(x) for x in p[1:])
            if seq in recs:
                fail("frame %d arrived twice" % seq)
            recs[seq] = (q, h, t, ret, ln)
    if len(recs) != want:
        missing = [base + i for i in range(want) if base + i not in recs]
        fail("%d of %d frames arrived (missing e.g. %s; extra %s)"
             % (len(recs), want, missing[:5],
                sorted(set(recs) - set(range(base, base + want)))[:5]))
    return recs


def check_batch(g, frames, base, key, table, types, hash_on, stats):
    recs = collect(g, base, len(frames))
    for i, f in enumerate(frames):
        sent = f + struct.pack("<II", MAGIC, base + i)
        q, h, t, ret, ln = recs[base + i]
        eh, er = ref.hash_frame(sent, types, key)
        eq = 0 if er == 0 else table[eh & (len(table) - 1)]
        if ln != len(sent):
            fail("frame %d: %d bytes in the guest, %d sent" % (base + i, ln, len(sent)))
        if q != eq:
            fail("frame %d (%s): guest queue %d, predicted %d (hash 0x%08x, "
                 "report %d)" % (base + i, sent.hex(), q, eq, eh, er))
        if hash_on:
            if ret != 0:
                fail("frame %d: rx-hash kfunc returned %d" % (base + i, ret))
            if h != eh or t != XDP_TYPE[er]:
                fail("frame %d (%s): guest hash 0x%08x type 0x%x, predicted "
                     "0x%08x type 0x%x (report %d)" % (base + i, sent.hex(), h, t,
                                                       eh, XDP_TYPE[er], er))
        elif ret != -ENODATA:
            fail("frame %d: rx-hash kfunc returned %d without HASH_REPORT"
                 % (base + i, ret))
        stats["frames"] += 1
        stats["queues"][q] = stats["queues"].get(q, 0) + 1
        stats["reports"][er] = stats["reports"].get(er, 0) + 1


def inner_phase(g, sock, frames, base, hash_on, stats, label, rss=True):
    key, table, types = guest_rss(g, rss)
    log("%s: guest RSS: key %s, table of %d %s, types 0x%03x"
        % (label, key.hex(), len(table), sorted(set(table)), types))
    t0 = time.monotonic()
    batch = 100
    for s in range(0, len(frames), batch):
        chunk = frames[s:s + batch]
        send_frames(sock, chunk, base + s)
        check_batch(g, chunk, base + s, key, table, types, hash_on, stats)
    log("%s: %d frames exact (%.0fs)" % (label, len(frames), time.monotonic() - t0))
    return base + len(frames)


def unsteered_phase(g, sock, frames, base, stats, label):
    """No hash types (HASH_CONFIG with none): QEMU leaves the queue to tun's
    own flow steering, which no guest configuration predicts; every frame
    must still arrive once, without a hash, and not all on one queue."""
    t0 = time.monotonic()
    queues = {}
    for s in range(0, len(frames), 100):
        chunk = frames[s:s + 100]
        send_frames(sock, chunk, base + s)
        recs = collect(g, base + s, len(chunk))
        for i, f in enumerate(chunk):
            q, h, t, ret, ln = recs[base + s + i]
            if ln != len(f) + 8:
                fail("frame %d: %d bytes in the guest, %d sent" % (base + s + i, ln, len(f) + 8))
            if ret != -ENODATA:
                fail("frame %d: rx-hash kfunc returned %d with rxhash off"
                     % (base + s + i, ret))
            queues[q] = queues.get(q, 0) + 1
    stats["frames"] += len(frames)
    log("%s: %d frames, each once, no hash, per queue %s (%.0fs)"
        % (label, len(frames), sorted(queues.items()), time.monotonic() - t0))
    if len(queues) < 2:
        fail("%s: every frame on queue %s" % (label, list(queues)))
    return base + len(frames)


def make_frames(seed, count):
    gen = framegen.FrameGen(seed)
    out = []
    while len(out) < count:
        f = gen.frame()[0]
        if 6 <= len(f) <= 1400:
            out.append(f)
    return out


def run_guest(args, hash_on, nframes, vhost=True, rss=True):
    subprocess.run(["ip", "link", "del", TAP], stderr=subprocess.DEVNULL)
    log("==== guest with hash=%s, rss=%s, vhost=%s"
        % ("on" if hash_on else "off", "on" if rss else "off",
           "on" if vhost else "off"))
    g = Guest(args, hash_on, vhost, rss)
    try:
        return guest_checks(g, hash_on, nframes, rss)
    except CheckFailed:
        g.dump_transcript()
        raise
    finally:
        g.kill()


def guest_checks(g, hash_on, nframes, rss):
    # the tap appears when QEMU opens it
    for _ in range(300):
        if os.path.exists("/sys/class/net/%s" % TAP):
            break
        time.sleep(0.2)
    else:
        fail("QEMU did not create %s" % TAP)
    with open("/proc/sys/net/ipv6/conf/%s/disable_ipv6" % TAP, "w") as f:
        f.write("1")
    subprocess.run(["ip", "link", "set", TAP, "up"], check=True)
    g.wait_for("@@READY", 900)
    log("guest up after %.0fs" % (time.monotonic() - g.t0))
    feats = guest_features(g)
    log("negotiated: HASH_REPORT %d, RSS %d, MQ %d"
        % (F_HASH_REPORT in feats, F_RSS in feats, F_MQ in feats))
    if (F_RSS in feats) != rss or F_MQ not in feats:
        fail("RSS %s (wanted %s), MQ %s: %s" % (F_RSS in feats, rss,
                                                F_MQ in feats, sorted(feats)))
    if (F_HASH_REPORT in feats) != hash_on:
        fail("HASH_REPORT negotiated: %s, wanted %s" % (F_HASH_REPORT in feats, hash_on))
    g.cmd("ethtool -L eth0 combined %d" % QUEUES)
    # the frames carry random destination MACs: without vhost, QEMU's
    # receive filter would drop them unless the guest is promiscuous
    g.cmd("ip link set eth0 promisc on")
    if hash_on and rss:
        # virtio_net offers rxhash but leaves it off: only with it on does
        # the driver take the hash from the header (skb->hash, XDP rx-hash)
        g.cmd("ethtool -K eth0 rxhash on")
    g.cmd("guest-rxhash load eth0 /rxhash.bpf.o")
    if not rss:
        # Without RSS the driver changes the queue count with
        # VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET (ethtool -L; attaching XDP sends
        # it too), and QEMU disables RSS and hashing on every MQ command
        # until the next HASH_CONFIG. Turning rxhash on sends HASH_CONFIG
        # (key and types), now with 4 queue pairs in use: last.
        g.cmd("ethtool -K eth0 rxhash on")
    log(g.cmd("ethtool -k eth0 | grep -i hash"))
    log(g.cmd("ethtool -l eth0"))
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    sock.bind((TAP, 0))
    stats = {"frames": 0, "queues": {}, "reports": {}}
    frames = make_frames((4711 if rss else 5150) if hash_on else 815, nframes)
    if hash_on:
        half = len(frames) * 3 // 5
        base = inner_phase(g, sock, frames[:half], 0, hash_on, stats,
                           "default RSS" if rss else "HASH_CONFIG", rss)
        # live changes in the guest: table (RSS only), key, and UDPv4
        # hashed as IPv4
        if rss:
            g.cmd("ethtool -X eth0 weight 1 2 0 1")
        g.cmd("ethtool -X eth0 hkey " + ":".join(
            "%02x" % ((i * 37 + 11) & 0xff) for i in range(40)))
        g.cmd("ethtool -N eth0 rx-flow-hash udp4 sd")
        base = inner_phase(g, sock, frames[half:], base, hash_on, stats,
                           "after ethtool -X/-N", rss)
        if not rss:
            # rxhash off: HASH_CONFIG with no hash types; nothing to report
            # and no hash to spread by (QEMU patch 2)
            g.cmd("ethtool -K eth0 rxhash off")
            unsteered_phase(g, sock, make_frames(6161, 200), base, stats,
                            "HASH_CONFIG without types")
    else:
        inner_phase(g, sock, frames, 0, hash_on, stats, "hash=off")
    log("frames per queue %s, per report %s"
        % (sorted(stats["queues"].items()), sorted(stats["reports"].items())))
    if len(stats["queues"]) < 3:
        fail("frames went to only %d queues" % len(stats["queues"]))
    g.stop()
    sock.close()
    return stats["frames"]


CHECKS = {
    # name: (hash_on, vhost, rss, frames as a share of --frames)
    "hash": (True, True, True, 1),
    "nohash": (False, True, True, 4),
    "hash-novhost": (True, False, True, 4),
    "hashonly": (True, True, False, 4),
}


def run_inner(args):
    global INNER
    INNER = True
    for dev in ("/dev/vhost-net", "/dev/net/tun"):
        if not os.path.exists(dev):
            fail("%s missing in the VM" % dev)
    names = list(CHECKS) if args.check == "all" else [args.check]
    total = 0
    failed = []
    t0 = time.monotonic()
    for name in names:
        hash_on, vhost, rss, share = CHECKS[name]
        n = args.frames if share == 1 else max(400, args.frames // share)
        t1 = time.monotonic()
        try:
            got = run_guest(args, hash_on, n, vhost=vhost, rss=rss)
        except CheckFailed as e:
            log("FAIL %s: %s (%.0fs)" % (name, e, time.monotonic() - t1))
            failed.append(name)
            continue
        total += got
        log("PASS %s: %d frames checked, none wrong (%.0fs)"
            % (name, got, time.monotonic() - t1))
    if failed:
        print("FAIL: %s (passed: %s)" % (", ".join(failed), ", ".join(
            n for n in names if n not in failed) or "none"), flush=True)
        return 1
    log("PASS: %d frames checked, none wrong (%.0fs)" % (total, time.monotonic() - t0))
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--frames", type=int, default=2000)
    ap.add_argument("--check", choices=tuple(CHECKS) + ("all",), default="all")
    ap.add_argument("--timeout", type=int, default=3000)
    ap.add_argument("--inner", action="store_true")
    ap.add_argument("--qemu")
    ap.add_argument("--kernel")
    ap.add_argument("--initrd")
    args = ap.parse_args()
    args.builddir = os.path.abspath(args.builddir)
    sys.exit(run_inner(args) if args.inner else run_host(args))


if __name__ == "__main__":
    main()
