#!/usr/bin/env python3
"""`vnethash attach --mechanism auto|kfunc|progtype|steer` on a real
4-queue tap with a 20-byte vnet header, on whatever kernel runs the test
(the host: neither reporting mechanism; the VM kernel of kernel/patches/:
both).

* A mechanism the kernel lacks (per `vnethash probe --json`) is refused:
  exit 1, a message naming it, nothing pinned, no program on the device.
* A mechanism the kernel has: `show --json` names it; every frame arrives
  on the queue the library computes, and its header carries the library's
  hash_value/hash_report (reporting mechanisms) or NONE/0 (steer).
* kfunc and progtype deliver exactly the same headers, byte for byte, for
  every frame: both are compared with the library and with each other.
* auto picks what probe's mechanism_auto says; --no-report with a
  reporting mechanism is a usage error (exit 2).
"""

import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from taplib import fail, log  # noqa: E402

REPORTS = ["none", "ipv4", "tcpv4", "udpv4", "ipv6", "tcpv6", "udpv6",
           "ipv6_ex", "tcpv6_ex", "udpv6_ex"]
CONFIG = ["--queues", "4"]
NAME = "vm0"


def show(name):
    return json.loads(taplib.run(["show", name, "--json"], expect=0).stdout)


def receive(tap, frames):
    """Send every frame; (queue, hash_value, hash_report, header bytes 10-19)
    for each, in order; None for a frame the kernel refuses to send."""
    x = taplib.Exchange(tap, frames)
    for i in range(len(frames)):
        x.send(i)
    x.finish()
    out = []
    for i, arr in enumerate(x.arrivals):
        if x.unsendable[i]:
            # the kernel refuses it (shorter than an Ethernet header, or
            # over the MTU): nothing to steer
            out.append(None)
            continue
        if len(arr) != 1:
            fail("frame %d arrived %d times" % (i, len(arr)))
        hdr = x.headers[i]
        value, report = struct.unpack_from("<IH", hdr, 12)
        out.append((arr[0], value, report, bytes(hdr[10:20])))
    return out


def check_against_library(mech, got, want):
    reported = 0
    for i, (g, (h, rname, wq)) in enumerate(zip(got, want)):
        if g is None:
            continue
        q, value, report, _ = g
        if q != wq:
            fail("%s: frame %d on queue %d, library says %d" % (mech, i, q, wq))
        if mech == "steer":
            if (value, report) != (0, 0):
                fail("steer: frame %d header carries hash %#x report %d"
                     % (i, value, report))
            continue
        wr = REPORTS.index(rname)
        wv = h if wr else 0
        if (value, report) != (wv, wr):
            fail("%s: frame %d header hash %#x report %d, library %#x %s"
                 % (mech, i, value, report, wv, rname))
        reported += wr != 0
    return reported


def test():
    taplib.private_netns()
    probe = json.loads(taplib.run(["probe", "--json"], expect=0).stdout)
    have = {"kfunc": probe["hash_kfunc"] is True,
            "progtype": probe["prog_type_vnet_hash"] is True,
            "steer": probe["steering_prog"] is True}
    if not have["steer"]:
        fail("TUNSETSTEERINGEBPF does not work here: %s" % probe)
    log("kernel %s: kfunc %s, progtype %s, auto -> %s"
        % (probe["kernel"], have["kfunc"], have["progtype"],
           probe["mechanism_auto"]))

    frames, _ = taplib.gen_frames(1010, 3000)
    cap = os.path.join(taplib.tmpdir(), "frames.pcap")
    taplib.write_capture(cap, frames)
    want = taplib.expected(cap, CONFIG)

    tap = taplib.Tap(NAME, 4, hdr_sz=20)
    taplib.run(["attach", NAME, "--no-report", "--mechanism", "kfunc"] +
               CONFIG, expect=2)

    headers = {}
    for mech in ["kfunc", "progtype", "steer", "auto"]:
        p = taplib.run(["attach", NAME, "--mechanism", mech] + CONFIG)
        expect_ok = mech == "auto" or have[mech]
        if not expect_ok:
            if p.returncode != 1 or mech not in p.stderr:
                fail("--mechanism %s on a kernel without it: exit %d, stderr %r "
                     "(want 1 and a message naming it)"
                     % (mech, p.returncode, p.stderr))
            if taplib.run(["show", NAME]).returncode == 0:
                fail("--mechanism %s failed but something is pinned" % mech)
            log("--mechanism %s refused: %s" % (mech, p.stderr.strip()))
            continue
        if p.returncode != 0:
            fail("--mechanism %s: exit %d\n%s" % (mech, p.returncode, p.stderr))
        s = show(NAME)
        used = probe["mechanism_auto"] if mech == "auto" else mech
        if s["mechanism"] != used:
            fail("--mechanism %s: show says mechanism %r, want %r"
                 % (mech, s["mechanism"], used))
        # --mechanism steer switches reporting off; auto falling back to
        # steer on a kernel that cannot report says it is unavailable.
        if mech == "steer":
            want_rep = "off"
        else:
            want_rep = "on" if used != "steer" else "unavailable"
        if s["hash_reporting"] != want_rep:
            fail("--mechanism %s: show says hash_reporting %r, want %r"
                 % (mech, s["hash_reporting"], want_rep))
        got = receive(tap, frames)
        sent = sum(1 for g in got if g is not None)
        if sent < len(frames) * 9 // 10:
            fail("only %d of %d frames could be sent" % (sent, len(frames)))
        n = check_against_library(used, got, want)
        log("--mechanism %s (%s): %d frames on the library's queues, %d "
            "with the library's hash in the header" % (mech, used, sent, n))
        if used != "steer" and n < sent // 2:
            fail("%s: only %d of %d frames reported" % (used, n, sent))
        headers[mech] = got
        taplib.run(["detach", NAME], expect=0)

    if have["kfunc"] and have["progtype"]:
        diff = [i for i, (a, b) in enumerate(zip(headers["kfunc"],
                                                 headers["progtype"]))
                if a != b]
        if diff:
            i = diff[0]
            fail("kfunc and progtype differ on %d frames, first %d: %r vs %r"
                 % (len(diff), i, headers["kfunc"][i], headers["progtype"][i]))
        log("kfunc and progtype: identical queue and header bytes 10-19 for "
            "all %d frames sent" % sum(1 for g in headers["kfunc"] if g))
    tap.close()


if __name__ == "__main__":
    taplib.main(test)
