#!/usr/bin/env python3
"""`vnethash verify` on an existing multiqueue tap (no --queues): a
persistent tap with the program attached by `vnethash attach`. Without
config flags verify expects the pinned configuration; with the right flags
it agrees, with wrong ones it reports mismatches and exits 1. The device's
flags and vnet header size are given back. Also: a tap whose queues are
held elsewhere gets a warning, and the frames tun sends to those queues
count as lost (exit 1).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from taplib import fail, log  # noqa: E402

import json  # noqa: E402


def verify_json(args, want_rc):
    p = taplib.run(["verify"] + args + ["--json"], timeout=300)
    lines = p.stdout.splitlines()
    if p.returncode != want_rc or not lines:
        fail("`vnethash verify %s --json` exited %d (expected %d)\n%s\n%s"
             % (" ".join(args), p.returncode, want_rc, p.stdout[-2000:], p.stderr))
    return json.loads(lines[-1])["summary"], p


def tun_flags(dev):
    with open("/sys/class/net/%s/tun_flags" % dev) as f:
        return int(f.read(), 16)


def test():
    taplib.private_netns()
    d = taplib.tmpdir()
    frames, _ = taplib.gen_frames(555, 12000)
    frames = [f for f in frames if len(f) <= 1514]   # the tap keeps MTU 1500
    cap = os.path.join(d, "existing.pcap")
    taplib.write_capture(cap, frames)
    short = sum(1 for f in frames if len(f) < 14)

    taplib.ip("tuntap", "add", "dev", "ve0", "mode", "tap", "multi_queue")
    before = tun_flags("ve0")
    taplib.run(["attach", "ve0", "--queues", "4", "--key", "5a" * 40], expect=0)

    # no config flags: the pinned configuration
    s, p = verify_json(["ve0", "--pcap", cap], 0)
    if s["sent"] != len(frames) - short or s["received"] != s["sent"] or s["mismatches"] \
            or s["lost"] or s["duplicates"] or s["queues"] != 4 or 0 in s["per_queue"]:
        fail("verify with the pinned configuration: %s" % s)
    log("existing tap, pinned configuration: %d frames, per queue %s, ok" % (s["sent"], s["per_queue"]))
    if tun_flags("ve0") != before:
        fail("tun_flags of ve0 changed from %#x to %#x" % (before, tun_flags("ve0")))

    # the same configuration given as flags; 12- and 20-byte headers
    for hdr in ("12", "20"):
        s, _ = verify_json(["ve0", "--pcap", cap] +
                           ["--indir", ",".join(str(i % 4) for i in range(128)),
                            "--key", "5a" * 40, "--vnet-hdr", hdr], 0)
        if s["mismatches"] or s["lost"] or s["vnet_hdr"] != int(hdr):
            fail("verify with matching flags, --vnet-hdr %s: %s" % (hdr, s))
        if tun_flags("ve0") != before:
            fail("tun_flags of ve0 changed from %#x to %#x" % (before, tun_flags("ve0")))
    log("existing tap, the same configuration as flags, 12/20-byte headers: ok; flags restored (%#x)"
        % before)

    # wrong expectation: the default key
    s, _ = verify_json(["ve0", "--pcap", cap, "--indir", ",".join(str(i % 4) for i in range(128))], 1)
    if s["mismatches"] < s["sent"] // 3 or s["lost"]:
        fail("verify with a wrong key: expected many mismatches: %s" % s)
    log("existing tap, wrong key expected: %d mismatches of %d, exit 1" % (s["mismatches"], s["sent"]))

    # someone else holds a queue: warning, frames tun gives it are lost
    other = taplib.Tap.__new__(taplib.Tap)
    other.name, other.hdr_sz, other.fds, other.rbuf = "ve0", 0, [], bytearray(65600)
    other.add_queue(taplib.IFF_TAP | taplib.IFF_NO_PI | taplib.IFF_MULTI_QUEUE)
    s, p = verify_json(["ve0", "--pcap", cap, "--timeout", "200"], 1)
    if "1 more queue open" not in p.stderr or s["lost"] == 0:
        fail("verify with a foreign queue: expected a warning and losses: %s\n%s" % (s, p.stderr))
    log("existing tap with a queue held elsewhere: warned, %d lost, exit 1" % s["lost"])
    for fd in other.fds:
        os.close(fd)

    # not pinned: verify needs flags
    taplib.run(["detach", "ve0"], expect=0)
    p = taplib.run(["verify", "ve0", "--pcap", cap])
    if p.returncode != 1 or "pinned" not in p.stderr:
        fail("verify without flags on a tap without the program: exit %d, %s" % (p.returncode, p.stderr))
    log("existing tap without the program and without flags: refused (exit 1)")

    # refused: packet information (no IFF_NO_PI), not multiqueue, not a tap
    taplib.ip("tuntap", "add", "dev", "vpi0", "mode", "tap", "multi_queue", "pi")
    taplib.ip("tuntap", "add", "dev", "vsq0", "mode", "tap")
    taplib.ip("tuntap", "add", "dev", "vtun0", "mode", "tun", "multi_queue")
    taplib.ip("link", "add", "vv0", "type", "veth", "peer", "name", "vv1")
    for dev, word in (("vpi0", "packet information"), ("vsq0", "not a multiqueue tap"),
                      ("vtun0", "not a multiqueue tap"), ("vv0", "not a tun/tap"),
                      ("nosuch0", "no such device")):
        p = taplib.run(["verify", dev, "--pcap", cap, "--indir", "0,1"])
        if p.returncode != 1 or word not in p.stderr or dev not in p.stderr:
            fail("verify on %s: exit %d, expected 1 and %r: %s" % (dev, p.returncode, word, p.stderr))
    flags = tun_flags("vpi0")
    if flags & taplib.IFF_NO_PI or flags & taplib.IFF_VNET_HDR:
        fail("verify changed the flags of vpi0: %#x" % flags)
    log("refused: a tap with packet information, a single-queue tap, a tun, a veth, a missing device")


if __name__ == "__main__":
    taplib.main(test)
