#!/usr/bin/env python3
"""`vnethash verify` on real multiqueue taps with 1, 2, 4 and 8 queues:
at least 10,000 frames of every kind (IPv4, IPv6, TCP, UDP, other L4,
VLAN, IPv6 extension headers, fragments, malformed, truncated, non-IP),
each read back from exactly the queue the library predicts, none lost or
duplicated; with 20- and 12-byte vnet headers and a few configurations.
Then the failure side: a run that must report mismatches does.
"""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from taplib import fail, log  # noqa: E402

PER_KIND = int(os.environ.get("VNETHASH_TAP_PER_KIND", "10000"))

KINDS = ["ipv4", "ipv6", "tcp", "udp", "other-l4", "vlan", "ext-headers",
         "fragment", "malformed", "truncated", "non-ip"]


def kinds_of(label):
    ks = set()
    if label.startswith("v4"):
        ks.add("ipv4")
    if label.startswith("v6"):
        ks.add("ipv6")
    m = re.search(r"-(?:p|nh)(\d+)(?:-|$)", label)
    if m:
        ks.add({"6": "tcp", "17": "udp"}.get(m.group(1), "other-l4"))
    if "vlan" in label:
        ks.add("vlan")
    if re.search(r"HBH|RT\d|RT2|DST|AH", label):
        ks.add("ext-headers")
    if re.search(r"MF|fragoff|FRAG|flags\d", label):
        ks.add("fragment")
    if re.search(r"ver\d|badihl|mut\(|junk|badHAO|tlen|plen|-et[0-9a-f]{4}", label):
        ks.add("malformed")
    if re.search(r"cut|trunc|tiny", label):
        ks.add("truncated")
    if label.startswith("nonip"):
        ks.add("non-ip")
    return ks


def build_capture(path):
    """Frames from tests/ref/framegen.py until every kind has PER_KIND."""
    g = taplib.framegen.FrameGen(20250101)
    count = {k: 0 for k in KINDS}
    frames = []
    while True:
        short = [k for k in KINDS if count[k] < PER_KIND]
        if not short:
            break
        if short == ["non-ip"]:
            f, label = g.nonip_frame()
        elif short == ["other-l4"] or short == ["non-ip", "other-l4"]:
            f, label = g.ip_frame(4 if len(frames) % 2 else 6)
            if "other-l4" not in kinds_of(label) and "non-ip" in short:
                f, label = g.nonip_frame()
        else:
            f, label = g.frame()
        frames.append(f)
        for k in kinds_of(label):
            count[k] += 1
    taplib.write_capture(path, frames)
    log("capture: %d frames; per kind: %s" % (
        len(frames), ", ".join("%s %d" % (k, count[k]) for k in KINDS)))
    return frames


def verify(dev, capture, frames, nq, extra=(), hdr=None, expect_ok=True, queues_used=None):
    """nq: queues of a tap verify creates; with expect_ok=False, verify
    joins the existing device dev with a table over nq queues."""
    if expect_ok:
        args = ["verify", dev, "--pcap", capture, "--queues", nq, "--json"]
    else:
        args = ["verify", dev, "--pcap", capture, "--json",
                "--indir", ",".join(str(q) for q in range(nq))]
    if hdr:
        args += ["--vnet-hdr", hdr]
    args += list(extra)
    t0 = time.monotonic()
    p = taplib.run(args, timeout=600)
    dt = time.monotonic() - t0
    lines = p.stdout.splitlines()
    if not lines:
        fail("verify printed nothing (exit %d): %s" % (p.returncode, p.stderr))
    try:
        objs = [json.loads(line) for line in lines]
    except ValueError as e:
        fail("verify --json printed a line that is not JSON: %s" % e)
    summary = objs[-1].get("summary")
    if summary is None:
        fail("last line of verify --json is not the summary: %s" % lines[-1])
    per_frame = objs[:-1]
    if len(per_frame) != len(frames):
        fail("verify printed %d frame objects for %d frames" % (len(per_frame), len(frames)))
    desc = "verify --queues %d %s%s" % (nq, " ".join(extra), " --vnet-hdr %s" % hdr if hdr else "")
    if not expect_ok:
        return p, summary, per_frame
    bad = [o for o in per_frame if o["result"] not in ("ok", "unsendable")]
    if p.returncode != 0 or bad or not summary["ok"]:
        fail("%s: exit %d, %d bad frames, e.g. %s\nsummary: %s\nstderr: %s" % (
            desc, p.returncode, len(bad), bad[:5], summary, p.stderr[-2000:]))
    # every frame: sent exactly when the kernel can send it (>= 14 bytes)
    for i, (o, f) in enumerate(zip(per_frame, frames)):
        if o["frame"] != i + 1:
            fail("%s: frame objects out of order at %d" % (desc, i + 1))
        if (o["result"] == "unsendable") != (len(f) < 14):
            fail("%s: frame %d (%d bytes) is %s" % (desc, i + 1, len(f), o["result"]))
        if o["result"] == "ok" and o["queue"] != o["expected_queue"]:
            fail("%s: frame %d ok but queue %s != %s" % (desc, i + 1, o["queue"], o["expected_queue"]))
        if o["result"] == "ok" and o["duplicates"]:
            fail("%s: frame %d ok but duplicated" % (desc, i + 1))
    short = sum(1 for f in frames if len(f) < 14)
    if summary["unsendable"] != short or summary["sent"] != len(frames) - short:
        fail("%s: summary %s; expected %d unsendable" % (desc, summary, short))
    if summary["received"] != summary["sent"] or summary["lost"] or summary["duplicates"] \
            or summary["mismatches"]:
        fail("%s: summary %s" % (desc, summary))
    used = [q for q, c in enumerate(summary["per_queue"]) if c]
    want = list(range(nq)) if queues_used is None else queues_used
    if used != want:
        fail("%s: frames arrived on queues %s, expected on %s: %s"
             % (desc, used, want, summary["per_queue"]))
    log("%s: %d frames sent, %d received, 0 lost/duplicated/mismatched, %d unsendable, "
        "%d kernel hash reports, per queue %s, %.1fs" % (
            desc, summary["sent"], summary["received"], summary["unsendable"],
            summary["kernel_reports"], summary["per_queue"], dt))
    return p, summary, per_frame


def test():
    d = taplib.tmpdir()
    cap = os.path.join(d, "all.pcap")
    frames = build_capture(cap)

    for nq in (1, 2, 4, 8):
        verify("vt%d" % nq, cap, frames, nq, hdr="20")
    # 12-byte header (no hash fields) and the default size
    verify("vt12", cap, frames, 4, hdr="12")
    verify("vtdef", cap, frames, 4)

    # other configurations on a smaller capture
    small = os.path.join(d, "small.pcap")
    sframes = frames[:12000]
    taplib.write_capture(small, sframes)
    verify("vc1", small, sframes, 8, ["--types", "tcpv4,udpv6,ipv6_ex", "--unclassified", "5",
                                      "--key", "3c" * 40, "--table-size", "64"], hdr="20")
    verify("vc2", small, sframes, 3, ["--indir", "2,0,1,2,1,0,0,2"], hdr="20")
    verify("vc3", small, sframes, 2, ["--types", "none", "--unclassified", "1"], hdr="12",
           queues_used=[1])
    verify("vc4", small, sframes, 4, ["--key", "0123456789abcdef"], hdr="20")

    # verify must notice when the kernel does not steer as predicted: an
    # existing tap without the steering program (tun's own flow hash)
    # against a 4-queue table must give mismatches and exit 1.
    taplib.private_netns()
    taplib.ip("tuntap", "add", "dev", "vneg", "mode", "tap", "multi_queue")
    p, summary, per_frame = verify("vneg", small, sframes, 4, expect_ok=False)
    if p.returncode != 1 or summary["ok"] or summary["mismatches"] < len(sframes) // 4:
        fail("verify on a tap without the program: exit %d, summary %s (expected mismatches, exit 1)"
             % (p.returncode, summary))
    if summary["lost"] or summary["received"] != summary["sent"]:
        fail("verify on a tap without the program lost frames: %s" % summary)
    flags = open("/sys/class/net/vneg/tun_flags").read().strip()
    if int(flags, 16) & taplib.IFF_VNET_HDR:
        fail("verify left IFF_VNET_HDR set on vneg (tun_flags %s)" % flags)
    log("verify on a tap without the program: %d mismatches of %d, exit 1; device flags restored"
        % (summary["mismatches"], summary["sent"]))

    # bad usage exits 2
    for args in (["verify", "x0", "--pcap", small, "--vnet-hdr", "16"],
                 ["verify", "x0", "--pcap", small, "--timeout", "0"],
                 ["verify", "x0"],
                 ["verify", "--pcap", small],
                 ["verify", "x0", "--pcap", small, "--queues", "4", "--indir", "0,9"],
                 ["verify", "x0", "--pcap", small, "--bogus"]):
        p = taplib.run(args)
        if p.returncode != 2:
            fail("`vnethash %s` exited %d, expected 2 (usage)\n%s" % (" ".join(args), p.returncode, p.stderr))
        if not p.stderr.strip():
            fail("`vnethash %s` exited 2 without a message" % " ".join(args))
    # run-time failures exit 1
    p = taplib.run(["verify", "nosuch0", "--pcap", small, "--indir", "0,1"])
    if p.returncode != 1 or "nosuch0" not in p.stderr:
        fail("verify on a missing device: exit %d, stderr %r" % (p.returncode, p.stderr))
    p = taplib.run(["verify", "x0", "--pcap", os.path.join(d, "missing.pcap"), "--queues", "2"])
    if p.returncode != 1:
        fail("verify with a missing capture: exit %d" % p.returncode)
    log("usage and setup errors: ok")


if __name__ == "__main__":
    taplib.main(test)
