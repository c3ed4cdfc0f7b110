"""Helpers for the tap tests: a private network namespace, multiqueue taps
opened directly (ioctl on /dev/net/tun), an AF_PACKET sender, reading the
queues, and running the vnethash tool.  Python 3 standard library only.

Every failure raises TestFailure with a message that says what was expected
and what happened; main() turns it into exit status 1.  Nothing is ever
skipped: a missing privilege or kernel feature is a failure.
"""

import ctypes
import fcntl
import json
import os
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get("SRCDIR", os.path.normpath(os.path.join(HERE, "..", "..")))
sys.path.insert(0, os.path.join(SRCDIR, "tests", "ref"))

import framegen  # noqa: E402

CLONE_NEWNET = 0x40000000
CLONE_NEWNS = 0x00020000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

TUNSETIFF = 0x400454CA
TUNSETVNETHDRSZ = 0x400454D8
TUNGETVNETHDRSZ = 0x800454D7
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000
IFF_MULTI_QUEUE = 0x0100

SENTINEL = 0xA5


class TestFailure(Exception):
    pass


def fail(msg):
    raise TestFailure(msg)


def log(msg):
    print(msg, flush=True)


def vnethash_path():
    p = os.environ.get("VNETHASH")
    if not p:
        p = os.path.join(SRCDIR, "build", "src", "vnethash")
    if not os.access(p, os.X_OK):
        fail("vnethash binary not found at %s (set VNETHASH)" % p)
    return p


def run(args, expect=None, timeout=120, check_stderr=None):
    """Run vnethash with args; returns CompletedProcess. expect: exit
    status required (None: any)."""
    cmd = [vnethash_path()] + [str(a) for a in args]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        fail("timed out after %ds: %s" % (timeout, " ".join(cmd)))
    if expect is not None and p.returncode != expect:
        fail("`%s` exited %d, expected %d\n--- stdout:\n%s\n--- stderr:\n%s"
             % (" ".join(cmd), p.returncode, expect, p.stdout[-4000:], p.stderr[-4000:]))
    return p


def ip(*args, check=True):
    p = subprocess.run(["ip"] + list(args), capture_output=True, text=True)
    if check and p.returncode:
        fail("ip %s: %s" % (" ".join(args), p.stderr.strip()))
    return p


def require_root():
    if os.geteuid() != 0:
        fail("the tap tests need root (CAP_NET_ADMIN, CAP_BPF); running as uid %d"
             % os.geteuid())
    if not os.path.exists("/dev/net/tun"):
        fail("/dev/net/tun is missing")


def private_netns():
    """Move this process (and its future children) into a new network
    namespace; no IPv6 noise on devices created there."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET | CLONE_NEWNS) != 0:
        e = ctypes.get_errno()
        fail("unshare(CLONE_NEWNET | CLONE_NEWNS): %s" % os.strerror(e))
    # /sys speaks for the namespace of whoever mounted it: mount our own
    # (as `ip netns exec` does), privately, so /sys/class/net is ours.
    libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_void_p]
    if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        fail("mount --make-rprivate /: %s" % os.strerror(ctypes.get_errno()))
    libc.umount2(b"/sys", MNT_DETACH)
    if libc.mount(b"sysfs", b"/sys", b"sysfs", 0, None) != 0:
        fail("mount sysfs: %s" % os.strerror(ctypes.get_errno()))
    for name, val in (("disable_ipv6", "1"), ("accept_dad", "0"), ("accept_ra", "0")):
        try:
            with open("/proc/sys/net/ipv6/conf/default/" + name, "w") as f:
                f.write(val)
        except OSError:
            pass
    ip("link", "set", "lo", "up")


class Tap:
    """A multiqueue tap whose queues this process holds."""

    def __init__(self, name, nq, hdr_sz=20, create_persistent=False, mtu=65521):
        self.name = name
        self.hdr_sz = hdr_sz
        self.fds = []
        self.rbuf = bytearray(65600)
        flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE
        if hdr_sz:
            flags |= IFF_VNET_HDR
        if create_persistent:
            ip("tuntap", "add", "dev", name, "mode", "tap", "multi_queue",
               *(["vnet_hdr"] if hdr_sz else []))
        for _ in range(nq):
            self.add_queue(flags)
        # the largest MTU a tap takes: every generated frame can be sent
        ip("link", "set", name, "mtu", str(mtu), "up")
        self.sender = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        self.sender.bind((name, 0))

    def add_queue(self, flags):
        fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
        ifr = struct.pack("16sH22x", self.name.encode(), flags)
        try:
            fcntl.ioctl(fd, TUNSETIFF, ifr)
            if self.hdr_sz:
                fcntl.ioctl(fd, TUNSETVNETHDRSZ, struct.pack("i", self.hdr_sz))
        except OSError as e:
            os.close(fd)
            fail("TUNSETIFF %s queue %d: %s" % (self.name, len(self.fds), e))
        self.fds.append(fd)

    def close(self):
        self.sender.close()
        for fd in self.fds:
            os.close(fd)
        self.fds = []

    def send(self, frame):
        """True if sent, False if the kernel refuses it (EINVAL: shorter
        than an Ethernet header; EMSGSIZE: over the MTU)."""
        for _ in range(200):
            try:
                self.sender.send(frame)
                return True
            except OSError as e:
                if e.errno in (22, 90):     # EINVAL, EMSGSIZE
                    return False
                if e.errno in (105, 11):    # ENOBUFS, EAGAIN
                    time.sleep(0.001)
                    continue
                raise
        fail("send kept failing with ENOBUFS")

    def read_ready(self, timeout=0.0):
        """Reads everything queued now (waiting up to timeout for the
        first). Returns a list of (queue, header bytes, frame bytes)."""
        out = []
        r, _, _ = select.select(self.fds, [], [], timeout)
        for fd in r:
            q = self.fds.index(fd)
            while True:
                # pre-filled: header bytes the kernel skips keep the pattern
                buf = self.rbuf
                buf[:32] = bytes([SENTINEL]) * 32
                try:
                    n = os.readv(fd, [buf])
                except BlockingIOError:
                    break
                buf = bytes(buf[:n])
                out.append((q, buf[:self.hdr_sz], buf[self.hdr_sz:]))
        return out


class Exchange:
    """Sends frames and reads them back, matching arrivals byte for byte.
    arrivals[i] = list of queues frame i arrived on."""

    def __init__(self, tap, frames):
        self.tap = tap
        self.frames = frames
        self.by_bytes = {}
        for i, f in enumerate(frames):
            self.by_bytes.setdefault(bytes(f), []).append(i)
        self.arrivals = [[] for _ in frames]
        self.headers = [None] * len(frames)
        self.sent = [False] * len(frames)
        self.unsendable = [False] * len(frames)
        self.foreign = 0
        self.pending = 0
        self.written_off = 0

    def _take(self, items):
        for q, hdr, data in items:
            idx = self.by_bytes.get(data)
            if not idx:
                self.foreign += 1
                continue
            # the first sent copy not yet arrived, else a duplicate
            for i in idx:
                if self.sent[i] and not self.arrivals[i]:
                    break
            else:
                i = next((j for j in idx if self.arrivals[j]), None)
                if i is None:
                    self.foreign += 1
                    continue
            if not self.arrivals[i]:
                self.pending -= 1
            self.arrivals[i].append(q)
            self.headers[i] = hdr

    def send(self, i, window=64):
        while self.pending - self.written_off >= window:
            before = self.pending
            self._take(self.tap.read_ready(1.0))
            if self.pending == before:
                # nothing for a second: count what is out as lost for
                # pacing (it may still arrive) and keep going
                self.written_off = self.pending
        if self.tap.send(self.frames[i]):
            self.sent[i] = True
            self.pending += 1
        else:
            self.unsendable[i] = True
        self._take(self.tap.read_ready(0))

    def finish(self, timeout=1.0):
        deadline = time.monotonic() + timeout
        while self.pending > 0 and time.monotonic() < deadline:
            items = self.tap.read_ready(0.05)
            if items:
                deadline = time.monotonic() + timeout
            self._take(items)
        self._take(self.tap.read_ready(0.02))


def gen_frames(seed, count):
    g = framegen.FrameGen(seed)
    out = [g.frame() for _ in range(count)]
    return [f for f, _ in out], [lab for _, lab in out]


def write_capture(path, frames):
    framegen.write_pcap(path, frames)


def expected(capture, config):
    """Library's (hash, report, queue) per frame, via `vnethash hash`."""
    p = run(["hash", "--json"] + list(config) + [capture], expect=0)
    res = []
    for line in p.stdout.splitlines():
        o = json.loads(line)
        res.append((int(o["hash"], 16), o["report"], o["queue"]))
    return res


_tmpdirs = []


def tmpdir():
    d = tempfile.mkdtemp(prefix="vnethash-tap-")
    _tmpdirs.append(d)
    return d


def main(fn):
    try:
        require_root()
        fn()
    except TestFailure as e:
        print("FAIL: %s" % e, file=sys.stderr, flush=True)
        if _tmpdirs:
            print("(captures kept in %s)" % " ".join(_tmpdirs), file=sys.stderr, flush=True)
        sys.exit(1)
    for d in _tmpdirs:
        shutil.rmtree(d, ignore_errors=True)
    print("PASS", flush=True)
