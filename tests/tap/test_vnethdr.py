#!/usr/bin/env python3
"""vnet headers on a real tap, read directly (no vnethash code involved in
the reading): with 12-byte headers (virtio_net_hdr_mrg_rxbuf: no hash
fields) and 20-byte headers (virtio_net_hdr_v1_hash), every frame arrives
whole and unchanged right after the header, the header is a plain one
(no flags, no GSO), and the bytes past the 10-byte virtio_net_hdr are
either left alone by tun (older kernels skip them) or zero (newer kernels
pad with zeros) -- never frame data. Without a steering program that
reports, the hash fields carry no report.
"""

import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from taplib import fail, log  # noqa: E402

COUNT = 10000


def check(hdr_sz, nq, frames):
    name = "vh%d_%d" % (hdr_sz, nq)
    tap = taplib.Tap(name, nq, hdr_sz=hdr_sz)
    x = taplib.Exchange(tap, frames)
    for i in range(len(frames)):
        x.send(i)
    x.finish()
    sent = sum(x.sent)
    got = sum(1 for a in x.arrivals if a)
    dups = sum(len(a) - 1 for a in x.arrivals if len(a) > 1)
    if got != sent or dups:
        fail("%d-byte header, %d queues: sent %d, arrived %d, duplicates %d"
             % (hdr_sz, nq, sent, got, dups))
    pad_kinds = set()
    for i, hdr in enumerate(x.headers):
        if hdr is None:
            if len(frames[i]) >= 14:
                fail("frame %d (%d bytes) was not sent" % (i + 1, len(frames[i])))
            continue
        if len(hdr) != hdr_sz:
            fail("frame %d: header of %d bytes, expected %d" % (i + 1, len(hdr), hdr_sz))
        flags, gso_type, hdr_len, gso_size, csum_start, csum_off = struct.unpack("<BBHHHH", hdr[:10])
        if flags or gso_type or gso_size:
            fail("frame %d: unexpected virtio_net_hdr %s" % (i + 1, hdr[:10].hex()))
        rest = hdr[10:]
        if rest == bytes([taplib.SENTINEL]) * len(rest):
            pad_kinds.add("untouched")
        elif rest == bytes(len(rest)):
            pad_kinds.add("zero")
        else:
            fail("frame %d: header bytes 10..%d are %s: neither left alone nor zero "
                 "(no program reports a hash here)" % (i + 1, hdr_sz - 1, rest.hex()))
    # the frame after the header is byte for byte what was sent: the
    # Exchange matched it by its bytes, so a corrupted or shifted frame
    # would show up as lost (and as foreign)
    if x.foreign:
        fail("%d-byte header: %d frames read that match nothing sent (corrupted or shifted?)"
             % (hdr_sz, x.foreign))
    tap.close()
    log("%d-byte header, %d queue(s): %d frames sent and read back intact; "
        "header bytes past virtio_net_hdr: %s"
        % (hdr_sz, nq, sent, " and ".join(sorted(pad_kinds))))


def test():
    taplib.private_netns()
    frames, _ = taplib.gen_frames(777, COUNT)
    # a few long frames as well (up to the 1500-byte MTU)
    g = taplib.framegen
    for n in (100, 1000, 1486):
        frames.append(g.eth(g.ipv4(b"\x0a\0\0\1", b"\x0a\0\0\2", 17,
                                   g.udp(1, 2, bytes(range(256)) * (n // 256) + bytes(n % 256))),
                            0x0800))
    for hdr_sz in (12, 20):
        for nq in (1, 4):
            check(hdr_sz, nq, frames)


if __name__ == "__main__":
    taplib.main(test)
