#!/usr/bin/env python3
"""Live reconfiguration: `vnethash set` while traffic flows through a
4-queue tap. Every frame sent before a set starts follows the old
configuration; every frame sent while it runs follows the old or the new
one (never anything else); every frame sent after it returned follows the
new one. Nothing is lost or duplicated across the switches.
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from taplib import fail, log  # noqa: E402

COUNT = int(os.environ.get("VNETHASH_TAP_RECONFIG_COUNT", "15000"))

# A -> B moves every frame to another queue:
# A: entry i = i % 4 over 128 entries -> queue = hash & 3, NONE -> 0
# B: table 3,2,1,0 -> queue = 3 - (hash & 3), NONE -> 1
# C: another key (new hashes, so about 3 in 4 frames move), NONE -> 2
# (`set` keeps the flags it is not given, as `hash` starts from defaults:
# the flags here give the same full configuration to both.)
CONFIGS = [
    ["--queues", "4"],
    ["--indir", "3,2,1,0", "--unclassified", "1"],
    ["--key", "0f" * 40, "--queues", "4", "--table-size", "16", "--unclassified", "2"],
]


def test():
    taplib.private_netns()
    d = taplib.tmpdir()
    frames, _ = taplib.gen_frames(99, COUNT * 2)
    frames = [f for f in frames if len(f) >= 14][:COUNT]
    cap = os.path.join(d, "reconfig.pcap")
    taplib.write_capture(cap, frames)
    exp = [[e[2] for e in taplib.expected(cap, c)] for c in CONFIGS]

    name = "vr0"
    tap = taplib.Tap(name, 4, hdr_sz=20)
    taplib.run(["attach", name] + CONFIGS[0], expect=0)
    x = taplib.Exchange(tap, frames)

    # allowed[i]: the configurations frame i may follow
    allowed = [None] * len(frames)
    current = {0}
    switch_at = [len(frames) // 4, len(frames) // 2]
    proc = None
    nxt = 1
    windows = []
    started = None
    vnethash = taplib.vnethash_path()
    for i in range(len(frames)):
        if proc is None and nxt < len(CONFIGS) and i == switch_at[nxt - 1]:
            proc = subprocess.Popen([vnethash, "set", name] + CONFIGS[nxt],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            current = {nxt - 1, nxt}
            started = i
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            if proc.returncode != 0:
                fail("vnethash set %s exited %d: %s" % (" ".join(CONFIGS[nxt]), proc.returncode, err))
            windows.append((started, i))
            current = {nxt}
            nxt += 1
            proc = None
            if nxt < len(CONFIGS) and switch_at[nxt - 1] <= i:
                switch_at[nxt - 1] = i + 1
        allowed[i] = set(current)
        x.send(i)
        if proc is not None:
            time.sleep(0.0002)      # keep frames flowing while set runs
    if proc is not None:
        proc.wait()
        fail("vnethash set did not finish before the last frame was sent; "
             "increase VNETHASH_TAP_RECONFIG_COUNT")
    x.finish()

    lost = [i + 1 for i, a in enumerate(x.arrivals) if not a]
    dups = [i + 1 for i, a in enumerate(x.arrivals) if len(a) > 1]
    bad = []
    followed = [0] * len(CONFIGS)
    for i, a in enumerate(x.arrivals):
        if not a:
            continue
        ok = [c for c in allowed[i] if exp[c][i] == a[0]]
        if not ok:
            bad.append((i + 1, a[0], {c: exp[c][i] for c in allowed[i]}))
        elif len(ok) == 1:
            followed[ok[0]] += 1
    if lost or dups or bad:
        fail("%d lost %s, %d duplicated %s, %d on a queue no allowed configuration gives %s"
             % (len(lost), lost[:10], len(dups), dups[:10], len(bad), bad[:10]))
    in_window = sum(e - s for s, e in windows)
    log("%d frames, %d reconfigurations; frames sent while a set was running: %s; "
        "all on the old or new configuration's queue, all after each set on the new one; "
        "frames per configuration %s" % (len(frames), len(windows),
                                         [e - s for s, e in windows], followed))
    if in_window == 0:
        log("note: no frame was sent while a set ran (it returned too fast)")
    # the running configuration is the last one
    p = taplib.run(["show", name], expect=0)
    log("show after the sets:\n" + p.stdout.rstrip())
    taplib.run(["detach", name], expect=0)
    tap.close()


if __name__ == "__main__":
    taplib.main(test)
