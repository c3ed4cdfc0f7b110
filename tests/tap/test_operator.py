#!/usr/bin/env python3
"""What an operator at a shell meets (issue 12), on real taps in a private
network namespace:

* attach without --indir/--queues spreads over the queues the device has
  and says so: the table read back is i % N, and traffic arrives on every
  queue, each frame on the queue the library predicts; a device with no
  queue open is refused with the next step (--queues or --indir);
* --queues above 128 grows the table so that every queue is named;
* set without a flag is a usage error, a set equal to the running
  configuration changes nothing (generation kept) and says so;
* a short key is installed with a warning;
* without privileges (setpriv to nobody), every command that needs them
  fails with "run as root" and never claims "not attached"; verify on a
  missing device names the device, not the pins.
"""

import json
import os
import shutil
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taplib  # noqa: E402
from taplib import fail, log  # noqa: E402


def flows(n=512):
    g = taplib.framegen
    out = []
    for i in range(n):
        a = bytes([10, 1, i >> 8, i & 255])
        b = bytes([10, 2, 0, 1])
        if i % 2:
            out.append(g.eth(g.ipv4(a, b, 6, g.tcp(1000 + i, 80)), 0x0800))
        else:
            out.append(g.eth(g.ipv4(a, b, 17, g.udp(2000 + i, 53)), 0x0800))
    return out


def exchange(tap, frames):
    x = taplib.Exchange(tap, frames)
    for i in range(len(frames)):
        x.send(i)
    x.finish()
    lost = sum(1 for a in x.arrivals if not a)
    if lost:
        fail("%d of %d frames lost" % (lost, len(frames)))
    return [a[0] for a in x.arrivals]


def show(dev):
    return json.loads(taplib.run(["show", dev, "--json"], expect=0).stdout)


def check_default_spread():
    frames = flows()
    cap = os.path.join(taplib.tmpdir(), "flows.pcap")
    taplib.write_capture(cap, frames)
    for nq in (4, 3):
        name = "sp%d" % nq
        tap = taplib.Tap(name, nq, hdr_sz=12)
        p = taplib.run(["attach", name], expect=0)
        want = "spreads over the %d queues %s has (128 entries" % (nq, name)
        if want not in p.stdout:
            fail("attach %s without --indir/--queues does not say %r:\n%s" % (name, want, p.stdout))
        s = show(name)
        if s["indirection_table"] != [i % nq for i in range(128)]:
            fail("attach %s without flags: table %s..., expected i %% %d over 128 entries"
                 % (name, s["indirection_table"][:16], nq))
        got = exchange(tap, frames)
        exp = [q for _, _, q in taplib.expected(cap, ["--queues", str(nq)])]
        wrong = sum(1 for g, e in zip(got, exp) if g != e)
        if wrong:
            fail("%s: %d of %d frames not on the queue the library predicts" % (name, wrong, len(frames)))
        used = sorted(set(got))
        if used != list(range(nq)):
            fail("%s: default spread used queues %s, expected all of 0..%d" % (name, used, nq - 1))
        taplib.run(["detach", name], expect=0)
        tap.close()
        log("attach %s (%d queues) without flags: table i %% %d, said so, %d frames on the "
            "predicted queues, all %d queues used" % (name, nq, nq, len(frames), nq))

    # a device with no queue open: no number to spread over
    taplib.ip("tuntap", "add", "dev", "pq0", "mode", "tap", "multi_queue")
    p = taplib.run(["attach", "pq0"], expect=1)
    if "--queues" not in p.stderr or "no queue" not in p.stderr:
        fail("attach on a device with no queue open, no flags: %r" % p.stderr)
    if os.path.exists("/sys/fs/bpf/vnethash/pq0"):
        fail("a refused attach left pins behind")
    # --queues above 128: the table grows to cover them
    taplib.run(["attach", "pq0", "--queues", "200"], expect=0)
    s = show("pq0")
    if s["indirection_table"] != [i % 200 for i in range(256)]:
        fail("--queues 200: table of %d entries, max queue %d; expected i %% 200 over 256"
             % (len(s["indirection_table"]), max(s["indirection_table"])))
    p = taplib.run(["set", "pq0", "--queues", "150", "--table-size", "128"], expect=2)
    if "--table-size 128" not in p.stderr:
        fail("set --queues 150 --table-size 128: %r" % p.stderr)
    taplib.run(["detach", "pq0"], expect=0)
    log("no queue open: attach without flags asks for --queues; --queues 200 gives a 256-entry "
        "table naming all 200; --table-size below --queues refused")


def check_set():
    tap = taplib.Tap("st0", 2, hdr_sz=12)
    taplib.run(["attach", "st0", "--queues", "2"], expect=0)
    p = taplib.run(["set", "st0"], expect=2)
    if "nothing to change" not in p.stderr or p.stdout:
        fail("set without flags: stdout %r, stderr %r" % (p.stdout, p.stderr))
    gen = show("st0")["generation"]
    p = taplib.run(["set", "st0", "--queues", "2"], expect=0)
    if "already" not in p.stdout or "updated" in p.stdout:
        fail("set to the running configuration: %r" % p.stdout)
    if show("st0")["generation"] != gen:
        fail("a no-op set changed the generation")
    p = taplib.run(["set", "st0", "--key", "a1b2"], expect=0)
    if "warning" not in p.stderr or "2 bytes" not in p.stderr:
        fail("set --key of 2 bytes: no warning: %r" % p.stderr)
    s = show("st0")
    if s["key"] != "a1b2" or s["generation"] != gen + 1:
        fail("set --key a1b2: key %s generation %d" % (s["key"], s["generation"]))
    taplib.run(["detach", "st0"], expect=0)
    tap.close()
    log("set: no flag is a usage error; equal configuration left alone (generation %d kept); "
        "a 2-byte key installed with a warning" % gen)


def unprivileged_tool():
    d = taplib.tmpdir()
    os.chmod(d, 0o755)
    path = os.path.join(d, "vnethash")
    shutil.copy(taplib.vnethash_path(), path)
    os.chmod(path, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    return path


def as_nobody(tool, args):
    cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
           "--inh-caps=-all", "--bounding-set=-all", tool] + [str(a) for a in args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def check_unprivileged():
    tap = taplib.Tap("np0", 2, hdr_sz=12)
    taplib.run(["attach", "np0", "--queues", "2"], expect=0)    # mounts bpffs 0700
    tool = unprivileged_tool()
    cap = os.path.join(taplib.tmpdir(), "one.pcap")
    taplib.write_capture(cap, flows(4))
    os.chmod(os.path.dirname(cap), 0o755)
    os.chmod(cap, 0o644)
    for args in (["show", "np0"], ["show", "np0", "--json"], ["set", "np0", "--queues", "1"],
                 ["detach", "np0"], ["attach", "np0", "--queues", "2"],
                 ["verify", "np0", "--pcap", cap], ["verify", "vn9", "--queues", "2", "--pcap", cap],
                 ["demo"]):
        p = as_nobody(tool, args)
        if p.returncode != 1 or "run as root" not in p.stderr or "not attached" in p.stderr:
            fail("as nobody, `vnethash %s`: exit %d, stderr %r (expected exit 1, 'run as root', "
                 "no 'not attached')" % (" ".join(args), p.returncode, p.stderr))
    p = as_nobody(tool, ["probe"])
    if p.returncode != 0 or "run as root" not in p.stdout:
        fail("as nobody, probe does not say what needs root: %r %r" % (p.stdout, p.stderr))
    # still attached and intact after all that
    if show("np0")["generation"] != 1:
        fail("unprivileged commands changed the configuration")
    # verify on a device that does not exist names the device
    p = taplib.run(["verify", "nosuch9", "--pcap", cap], expect=1)
    if "nosuch9: no such device" not in p.stderr or "pinned" in p.stderr:
        fail("verify on a missing device: %r" % p.stderr)
    taplib.run(["detach", "np0"], expect=0)
    tap.close()
    log("as nobody: show/set/detach/attach/verify/demo exit 1 with 'run as root', "
        "probe says which answers need root; verify on a missing device names it")


def test():
    taplib.private_netns()
    check_default_spread()
    check_set()
    check_unprivileged()


if __name__ == "__main__":
    taplib.main(test)
