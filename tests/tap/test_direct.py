#!/usr/bin/env python3
"""Steering checked without `vnethash verify`: this script holds the
queues of multiqueue taps with 1, 2, 4 and 8 queues itself, attaches the
program with `vnethash attach`, sends at least 10,000 generated frames of
every kind, and checks that each arrives exactly once, on the queue
`vnethash hash` (the library) predicts; where the kernel reports a hash in
the 20-byte header, that it is the library's hash and report type.
"""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from taplib import fail, log  # noqa: E402

COUNT = int(os.environ.get("VNETHASH_TAP_DIRECT_COUNT", "12000"))

REPORTS = ["none", "ipv4", "tcpv4", "udpv4", "ipv6", "tcpv6", "udpv6",
           "ipv6_ex", "tcpv6_ex", "udpv6_ex"]


def run_one(nq, frames, cap, config, hdr_sz=20):
    name = "vd%d" % nq
    tap = taplib.Tap(name, nq, hdr_sz=hdr_sz)
    taplib.run(["attach", name] + config, expect=0)
    exp = taplib.expected(cap, config)
    if len(exp) != len(frames):
        fail("vnethash hash gave %d results for %d frames" % (len(exp), len(frames)))
    x = taplib.Exchange(tap, frames)
    for i in range(len(frames)):
        x.send(i)
    x.finish()
    lost, wrong, dup, reports, kbad = [], [], [], 0, []
    for i, f in enumerate(frames):
        if x.unsendable[i]:
            if len(f) >= 14:
                fail("frame %d (%d bytes) could not be sent" % (i + 1, len(f)))
            continue
        a = x.arrivals[i]
        if not a:
            lost.append(i + 1)
            continue
        if len(a) > 1:
            dup.append(i + 1)
        if a[0] != exp[i][2]:
            wrong.append((i + 1, a[0], exp[i][2]))
        hdr = x.headers[i]
        if hdr_sz >= 20 and hdr[12:20] not in (bytes([taplib.SENTINEL]) * 8, bytes(8)):
            reports += 1
            h, r = struct.unpack("<IH", hdr[12:18])
            if h != exp[i][0] or r >= len(REPORTS) or REPORTS[r] != exp[i][1]:
                kbad.append((i + 1, hex(h), r, hex(exp[i][0]), exp[i][1]))
    sent = sum(x.sent)
    if lost or wrong or dup or kbad:
        fail("%d queues, config %s: %d sent, %d lost %s, %d on the wrong queue %s "
             "(frame, got, expected), %d duplicated %s, %d kernel hash mismatches %s"
             % (nq, config, sent, len(lost), lost[:10], len(wrong), wrong[:10],
                len(dup), dup[:10], len(kbad), kbad[:10]))
    per_q = [0] * nq
    for a in x.arrivals:
        if a:
            per_q[a[0]] += 1
    if sum(1 for c in per_q if c) != nq:
        fail("%d queues: not every queue got frames: %s" % (nq, per_q))
    taplib.run(["detach", name], expect=0)
    tap.close()
    log("%d queue(s), %s: %d frames sent, all on the predicted queue, none lost or "
        "duplicated; per queue %s; kernel hash reports %d (all equal to the library's)"
        % (nq, " ".join(config), sent, per_q, reports))


def test():
    taplib.private_netns()
    d = taplib.tmpdir()
    frames, _ = taplib.gen_frames(4242, COUNT)
    cap = os.path.join(d, "direct.pcap")
    taplib.write_capture(cap, frames)
    for nq in (1, 2, 4, 8):
        run_one(nq, frames, cap, ["--queues", str(nq)])
    run_one(4, frames, cap, ["--indir", "3,1,2,0,2,2,1,3", "--unclassified", "2",
                             "--types", "tcpv4,ipv6,udpv6_ex", "--key", "a5" * 40], hdr_sz=12)


if __name__ == "__main__":
    taplib.main(test)
