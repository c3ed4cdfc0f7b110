#!/usr/bin/env python3
"""Detach restores tun's default steering. With a table sending everything
to queue 3 of 4 (and the unclassified queue 3), every frame arrives on
queue 3; after `vnethash detach` the program's choice no longer applies:
tun's own flow hash spreads the same traffic over the queues. Attaching
again works and steers everything to queue 3 again.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from taplib import fail, log  # noqa: E402

ALL3 = ["--indir", "3", "--unclassified", "3"]


def flows():
    """IPv4/IPv6 TCP/UDP frames of 512 distinct flows: tun's flow hash
    spreads them; non-IP or junk frames would all hash alike."""
    g = taplib.framegen
    out = []
    for n in range(512):
        a = bytes([10, 1, n >> 8, n & 255])
        b = bytes([10, 2, 0, 1])
        if n % 4 == 0:
            out.append(g.eth(g.ipv4(a, b, 6, g.tcp(1000 + n, 80)), 0x0800))
        elif n % 4 == 1:
            out.append(g.eth(g.ipv4(a, b, 17, g.udp(2000 + n, 53)), 0x0800))
        else:
            a6 = bytes.fromhex("20010db8000000000000000000000000")[:12] + a
            b6 = bytes.fromhex("20010db8000000000000000000000000")[:12] + b
            proto = 6 if n % 4 == 2 else 17
            l4 = g.tcp(3000 + n, 443) if proto == 6 else g.udp(3000 + n, 4789)
            out.append(g.eth(g.ipv6(a6, b6, proto, l4), 0x86DD))
    return out


def spread(tap, frames):
    x = taplib.Exchange(tap, frames)
    for i in range(len(frames)):
        x.send(i)
    x.finish()
    lost = sum(1 for a in x.arrivals if not a)
    dups = sum(1 for a in x.arrivals if len(a) > 1)
    if lost or dups:
        fail("%d frames lost, %d duplicated" % (lost, dups))
    per_q = [0] * len(tap.fds)
    for a in x.arrivals:
        per_q[a[0]] += 1
    return per_q


def test():
    taplib.private_netns()
    frames = flows()
    name = "vx0"
    tap = taplib.Tap(name, 4, hdr_sz=12)

    before = spread(tap, frames)
    log("no program (tun's flow hash): per queue %s" % before)

    taplib.run(["attach", name] + ALL3, expect=0)
    attached = spread(tap, frames)
    if attached != [0, 0, 0, len(frames)]:
        fail("attached with every table entry 3: expected all %d frames on queue 3, "
             "got per queue %s" % (len(frames), attached))
    log("attached, table all queue 3: per queue %s" % attached)

    taplib.run(["detach", name], expect=0)
    after = spread(tap, frames)
    if after[3] == len(frames):
        fail("after detach every frame still arrived on queue 3: the program still steers")
    used = sum(1 for c in after if c)
    if used < 3 or max(after) > len(frames) * 0.6:
        fail("after detach the traffic is not spread by tun's flow hash: per queue %s" % after)
    if after != before:
        fail("after detach the spread %s differs from before attaching %s "
             "(tun's default steering should be back exactly)" % (after, before))
    log("detached: per queue %s (tun's own flow hash again, as before attaching)" % after)

    p = taplib.run(["show", name])
    if p.returncode == 0:
        fail("`vnethash show` after detach exited 0; expected an error (not attached):\n%s"
             % p.stdout)

    taplib.run(["attach", name] + ALL3, expect=0)
    again = spread(tap, frames)
    if again != [0, 0, 0, len(frames)]:
        fail("attached again: expected all on queue 3, got %s" % again)
    taplib.run(["detach", name], expect=0)
    log("attach again after detach: all on queue 3 again; detached")
    tap.close()


if __name__ == "__main__":
    taplib.main(test)
