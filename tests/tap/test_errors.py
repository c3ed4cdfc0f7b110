#!/usr/bin/env python3
"""Every error path of attach / set / show / detach on real devices: no
such device, not a tun/tap (veth, bridge, lo, dummy), not multiqueue, already attached,
not attached, queues the device does not have; and bad flags (exit 2).
Run-time errors must exit 1 with a message naming the device; usage
errors exit 2 with a message. A failed command must leave the device as
it was (checked by sending traffic where it matters).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from taplib import fail, log  # noqa: E402

checked = 0


def expect(args, status, mention=None):
    global checked
    p = taplib.run(args)
    cmd = "vnethash " + " ".join(str(a) for a in args)
    if p.returncode != status:
        fail("`%s` exited %d, expected %d\nstdout: %s\nstderr: %s"
             % (cmd, p.returncode, status, p.stdout, p.stderr))
    if not p.stderr.strip():
        fail("`%s` exited %d without a message on stderr" % (cmd, status))
    if mention and mention not in p.stderr:
        fail("`%s`: the message does not name %r: %s" % (cmd, mention, p.stderr.strip()))
    checked += 1
    return p


def all_on(tap, queue, what):
    frames = []
    g = taplib.framegen
    for n in range(64):
        frames.append(g.eth(g.ipv4(bytes([10, 0, 0, n]), b"\x0a\0\0\xfe", 6,
                                   g.tcp(1000 + n * 7, 80)), 0x0800))
    x = taplib.Exchange(tap, frames)
    for i in range(len(frames)):
        x.send(i)
    x.finish()
    qs = sorted(set(a[0] for a in x.arrivals if a))
    if sum(1 for a in x.arrivals if a) != len(frames) or qs != [queue]:
        fail("%s: expected all %d frames on queue %d, got queues %s" % (what, len(frames), queue, qs))


def test():
    taplib.private_netns()
    ip = taplib.ip

    # no such device
    for cmd in (["attach", "nosuch0", "--queues", "2"], ["set", "nosuch0", "--queues", "2"],
                ["show", "nosuch0"], ["detach", "nosuch0"]):
        expect(cmd, 1, "nosuch0")

    # not a tun/tap: a veth, a bridge (this kernel may have no dummy
    # driver; use one if it has), loopback
    ip("link", "add", "ve0", "type", "veth", "peer", "name", "ve1")
    ip("link", "add", "br0", "type", "bridge")
    others = ["ve0", "br0", "lo"]
    if ip("link", "add", "dm0", "type", "dummy", check=False).returncode == 0:
        others.append("dm0")
    for dev in others:
        for cmd in (["attach", dev, "--queues", "2"], ["set", dev, "--queues", "2"],
                    ["show", dev], ["detach", dev]):
            expect(cmd, 1, dev)

    # a single-queue tap (persistent, nobody holds its queue): a
    # configuration naming queue 1 is refused, a one-queue one attaches
    # (the kernel series runs the program there for the hash report)
    ip("tuntap", "add", "dev", "sq0", "mode", "tap")
    expect(["attach", "sq0", "--queues", "2"], 1, "single-queue")
    taplib.run(["attach", "sq0", "--queues", "1"], expect=0)
    taplib.run(["detach", "sq0"], expect=0)

    # a multiqueue tap with 2 queues open (held by this process)
    tap = taplib.Tap("mq0", 2, hdr_sz=12)
    # not attached yet
    expect(["show", "mq0"], 1, "mq0")
    expect(["set", "mq0", "--queues", "2"], 1, "mq0")
    expect(["detach", "mq0"], 1, "mq0")
    # queues the device does not have
    expect(["attach", "mq0", "--queues", "4"], 1, "mq0")
    expect(["attach", "mq0", "--indir", "0,1,1,2"], 1, "mq0")
    expect(["attach", "mq0", "--unclassified", "2"], 1, "mq0")
    expect(["show", "mq0"], 1, "mq0")           # still not attached

    # attached: table all queue 1
    taplib.run(["attach", "mq0", "--indir", "1", "--unclassified", "1"], expect=0)
    all_on(tap, 1, "after attach --indir 1")
    # already attached
    expect(["attach", "mq0", "--indir", "0"], 1, "mq0")
    all_on(tap, 1, "after a refused second attach")
    # set naming queues the device does not have: refused, config unchanged
    expect(["set", "mq0", "--queues", "3"], 1, "mq0")
    expect(["set", "mq0", "--indir", "0,7"], 1, "mq0")
    expect(["set", "mq0", "--unclassified", "9"], 1, "mq0")
    all_on(tap, 1, "after refused sets")
    # bad flags: usage errors, exit 2, device unchanged
    bad = [
        ["attach", "mq0", "--types", "tcpv5"],
        ["attach", "mq0", "--key", "xyz"],
        ["attach", "mq0", "--key", "00" * 41],
        ["attach", "mq0", "--queues", "0"],
        ["attach", "mq0", "--indir", "0,1,1"],
        ["attach", "mq0", "--indir", "0,1", "--queues", "2"],
        ["attach", "mq0", "--table-size", "16"],
        ["attach", "mq0", "--unclassified", "-1"],
        ["attach", "mq0", "--bogus"],
        ["attach"],
        ["set", "mq0", "--types", "all,nonsense"],
        ["set", "mq0", "--queues", "2", "--table-size", "3"],
        ["set", "mq0", "--indir", ""],
        ["set", "mq0", "--bogus"],
        ["set"],
        ["show", "mq0", "--bogus"],
        ["show"],
        ["show", "mq0", "extra"],
        ["detach", "mq0", "--bogus"],
        ["detach"],
        ["detach", "mq0", "extra"],
    ]
    for cmd in bad:
        expect(cmd, 2)
    all_on(tap, 1, "after usage errors")
    # a good set still works, then detach; then not attached again
    taplib.run(["set", "mq0", "--indir", "0", "--unclassified", "0"], expect=0)
    all_on(tap, 0, "after set --indir 0")
    taplib.run(["detach", "mq0"], expect=0)
    expect(["detach", "mq0"], 1, "mq0")
    expect(["set", "mq0", "--queues", "2"], 1, "mq0")
    expect(["show", "mq0"], 1, "mq0")
    tap.close()
    log("%d error cases: each exits with the right status and a message; "
        "the device is unchanged after every refused command" % checked)


if __name__ == "__main__":
    taplib.main(test)
