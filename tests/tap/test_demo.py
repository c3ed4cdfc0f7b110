#!/usr/bin/env python3
"""`vnethash demo`: runs in its own network namespace, exits 0, and its
report shows every queue used and every frame on the predicted queue; with
--queues 1 and 8, another configuration, and --json; bad usage exits 2.
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from taplib import fail, log  # noqa: E402


def test():
    p = taplib.run(["demo"], expect=0)
    out = p.stdout
    if "OK: all" not in out:
        fail("demo output has no OK line:\n" + out)
    rows = re.findall(r"^\s+(\d+)\s+(\d+)\s+#*$", out, re.M)
    if len(rows) != 4 or any(int(n) == 0 for _, n in rows):
        fail("demo: expected a 4-queue histogram with every queue used:\n" + out)
    for kind in ("IPv4 TCP", "IPv6 UDP", "VLAN", "ext. headers", "fragment", "non-IP"):
        if kind not in out:
            fail("demo report does not mention %r:\n%s" % (kind, out))
    log(out.rstrip())

    for args in (["--queues", "1"], ["--queues", "8", "--flows", "40"],
                 ["--indir", "2,0,1,2", "--queues", "3", "--types", "tcpv4,tcpv6,udpv4"],
                 ["--unclassified", "3", "--key", "55" * 40]):
        p = taplib.run(["demo"] + args, expect=0)
        if "OK: all" not in p.stdout:
            fail("demo %s: no OK line:\n%s" % (" ".join(args), p.stdout))

    p = taplib.run(["demo", "--json", "--queues", "8"], expect=0)
    try:
        o = json.loads(p.stdout)
    except ValueError as e:
        fail("demo --json is not one JSON object: %s\n%s" % (e, p.stdout))
    if not o.get("ok") or o["lost"] or o["wrong_queue"] or len(o["per_queue"]) != 8 \
            or sum(o["per_queue"]) != o["frames"] or not o["samples"]:
        fail("demo --json: %s" % o)
    log("demo --json --queues 8: per queue %s, ok" % o["per_queue"])

    for args in (["--queues", "0"], ["--queues", "2", "--indir", "0,3"], ["--bogus"],
                 ["extra"], ["--flows", "0"]):
        p = taplib.run(["demo"] + args)
        if p.returncode != 2 or not p.stderr.strip():
            fail("demo %s: exit %d (expected 2 with a message): %s"
                 % (" ".join(args), p.returncode, p.stderr))
    log("demo usage errors exit 2")


if __name__ == "__main__":
    taplib.main(test)
