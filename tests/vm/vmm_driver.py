#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Inside the VM: drive examples/vhost-rx-vmm on a fresh multiqueue tap, send
frames into the tap (AF_PACKET), and compare what its "guest" receives with
the expectations the host computed with the Python model (tests/ref).

  vmm_driver.py --vmm PATH --job JOB.json

JOB.json (written by test_vm.py on the host):
  scenario   rss | live | detach | vhosthdr | mismatch | norefill
  pairs, hdr the VMM's --pairs and --vnet-hdr
  vmm_args   extra VMM arguments (the RSS configuration "A")
  pcap       the frames (all distinct)
  expect     {"A": [[queue, hash, report], ...], "B": ..., "C": ...}
  ctrl_rss   (live) hex VIRTIO_NET_CTRL_MQ_RSS_CONFIG payload -> config B
  set_args   (live) `vnethash set TAP ...` arguments -> config C
  vnethash   path of the tool (live)

Prints progress lines and, last, one JSON object {"summary": {...}}; exit 0
when every check of the scenario held, 1 otherwise (the summary says why).
"""

import argparse
import glob
import json
import os
import queue
import socket
import struct
import subprocess
import sys
import threading
import time

# The debug kernel (kernel/build.sh --variant debug: KASAN, kmemleak)
# runs everything several times slower under TCG; test_vm.py
# scales its VM timeouts, this scales the driver's wait for the VMM.
SLOW = 5 if os.uname().release.endswith("-debug") else 1

TAP = "vmmtap0"
WINDOW = 128          # frames in flight: never more than one ring holds
POISON = "a5"


def log(msg):
    print(msg, flush=True)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack_from("<I", data, 0)[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off, frames = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack_from(end + "IIII", data, off)
        off += 16
        frames.append(data[off:off + incl])
        off += incl
    return frames


def slab_kb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("Slab:"):
                return int(line.split()[1])
    return -1


def drop_caches():
    """Free what the kernel keeps cached, so that Slab: counts live
    objects: page caches, and with full SLUB (the test kernel has it for
    failslab) each cache's empty and per-CPU partial slabs, which
    otherwise hold megabytes after a burst of packets."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3")
    except OSError:
        pass
    for c in glob.glob("/sys/kernel/slab/*/shrink"):
        try:
            with open(c, "w") as f:
                f.write("1")
        except OSError:
            pass


def tx_dropped():
    with open("/sys/class/net/%s/statistics/tx_dropped" % TAP) as f:
        return int(f.read())


class Vmm:
    """The VMM process: frames and command replies from its stdout."""

    def __init__(self, path, args):
        self.p = subprocess.Popen([path, "--tap", TAP] + args,
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True,
                                  bufsize=1)
        self.rx = []                 # received frame objects, in order
        self.replies = queue.Queue()
        self.ready = queue.Queue()
        self.lock = threading.Lock()
        self.t = threading.Thread(target=self._reader, daemon=True)
        self.t.start()

    def _reader(self):
        for line in self.p.stdout:
            if not line.startswith("{"):
                continue
            o = json.loads(line)
            if "frame" in o:
                o["seen_at"] = time.monotonic()
                with self.lock:
                    self.rx.append(o)
            elif "ready" in o:
                self.ready.put(o)
            else:
                self.replies.put(o)
        self.ready.put(None)
        self.replies.put(None)

    def wait_ready(self):
        try:
            o = self.ready.get(timeout=60 * SLOW)
        except queue.Empty:
            o = None
        if o is None:
            raise SystemExit("FAIL: the VMM did not start (exit %s)"
                             % self.p.poll())
        return o

    def cmd(self, line, timeout=60):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        try:
            r = self.replies.get(timeout=timeout)
        except queue.Empty:
            r = None
        if r is None:
            raise SystemExit("FAIL: no reply to %r" % line.split()[0])
        return r

    def count(self):
        with self.lock:
            return len(self.rx)

    def wait_count(self, n, timeout=30, idle=None):
        """Wait until n frames arrived (or, with idle, nothing for idle s)."""
        t0 = last_t = time.monotonic()
        last = self.count()
        while True:
            c = self.count()
            if c >= n:
                return c
            now = time.monotonic()
            if c != last:
                last, last_t = c, now
            if now - t0 > timeout or (idle and now - last_t > idle):
                return c
            time.sleep(0.01)

    def quit(self):
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.flush()
        except BrokenPipeError:
            pass
        rc = self.p.wait(timeout=60)
        self.t.join(timeout=10)
        return rc


class Sender:
    def __init__(self):
        idx = socket.if_nametoindex(TAP)
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        self.s.bind((TAP, 0))
        self.idx = idx
        self.sent = []        # frame indexes actually sent, in order
        self.unsendable = []

    def send(self, i, frame):
        if len(frame) < 14:
            self.unsendable.append(i)
            return False
        try:
            self.s.send(frame)
        except OSError:
            self.unsendable.append(i)
            return False
        self.sent.append(i)
        return True


class Checker:
    def __init__(self, job, frames):
        self.job = job
        self.frames = frames
        self.index = {f: i for i, f in enumerate(frames)}
        self.pairs = job["pairs"]
        self.errors = []
        self.reports = 0

    def err(self, msg):
        if len(self.errors) < 20:
            self.errors.append(msg)
        else:
            self.errors[-1] = "... more errors"

    def header(self, o, hdr_size):
        h = bytes.fromhex(o["hdr"])
        if len(h) != hdr_size:
            self.err("header of %d bytes, wanted %d" % (len(h), hdr_size))
            return None
        nb = struct.unpack_from("<H", h, 10)[0]
        if nb != o["nbuf"] or nb < 1:
            self.err("num_buffers %d (used entries %s)" % (nb, o["nbuf"]))
        if h[:10] != bytes(10):
            # no offloads on these frames: flags 0, GSO_NONE, no lengths
            self.err("vnet header bytes 0-9 not zero: %s" % h[:10].hex())
        return h

    def match(self, rx, allowed, hdr_size, report_none=False,
              any_queue=False):
        """rx: frame objects; allowed(i) -> list of config names whose
        expectation frame i may meet. Returns the set of indexes seen."""
        seen = set()
        for o in rx:
            f = bytes.fromhex(o["frame"])
            i = self.index.get(f)
            if i is None:
                self.err("unexpected frame on queue %d: %s" % (o["q"], f[:40].hex()))
                continue
            if i in seen:
                self.err("frame %d delivered twice" % i)
                continue
            seen.add(i)
            if o["q"] >= self.pairs:
                self.err("frame %d on queue %d of %d" % (i, o["q"], self.pairs))
            h = self.header(o, hdr_size)
            if h is None:
                continue
            if hdr_size == 12 and "hash_value" in o:
                self.err("hash fields with a 12-byte header")
            ok = False
            for cfg in allowed(i):
                q, hv, rep = self.job["expect"][cfg][i]
                if report_none:
                    hv, rep = 0, 0
                if not any_queue and o["q"] != q:
                    continue
                if hdr_size >= 20:
                    got_h, got_r, pad = struct.unpack_from("<IHH", h, 12)
                    if got_h != hv or got_r != rep or pad != 0:
                        continue
                ok = True
                break
            if not ok:
                exp = [self.job["expect"][c][i] for c in allowed(i)]
                self.err("frame %d: got queue %d hash %s report %s, model "
                         "(queue, hash, report) %s%s" % (
                             i, o["q"], o.get("hash_value"),
                             o.get("hash_report"), exp,
                             " with report NONE" if report_none else ""))
            elif hdr_size >= 20:
                self.reports += 1
        return seen


def send_paced(vmm, sender, frames, idxs, window=WINDOW, on_progress=None):
    """Send frames idxs with at most `window` in flight."""
    base = vmm.count() - len(sender.sent)
    for n, i in enumerate(idxs):
        if sender.send(i, frames[i]):
            if len(sender.sent) + base - vmm.count() >= window:
                vmm.wait_count(len(sender.sent) + base - window // 2,
                               timeout=20)
        if on_progress:
            on_progress(n)


def run(args):
    with open(args.job) as f:
        job = json.load(f)
    frames = read_pcap(job["pcap"])
    scen, pairs, hdr = job["scenario"], job["pairs"], job["hdr"]
    ck = Checker(job, frames)
    summary = {"scenario": scen, "pairs": pairs, "hdr": hdr}

    for k in ("default", "all"):
        with open("/proc/sys/net/ipv6/conf/%s/disable_ipv6" % k, "w") as f:
            f.write("1")
    subprocess.run(["ip", "link", "del", TAP], stderr=subprocess.DEVNULL)
    drop_caches()
    slab0 = slab_kb()

    vargs = ["--pairs", str(pairs), "--vnet-hdr", str(hdr)] + job["vmm_args"]
    if scen == "live":
        vargs += ["--pin", "/sys/fs/bpf/vnethash/" + TAP]
    if scen == "vhosthdr":
        vargs += ["--vhost-hdr"]
    vmm = Vmm(args.vmm, vargs)
    ready = vmm.wait_ready()
    # frames up to 64 KiB, as `vnethash verify` sends them; with 2 KiB
    # receive buffers the big ones span several (num_buffers > 1)
    subprocess.run(["ip", "link", "set", "dev", TAP, "mtu", "65521"],
                   check=True)
    summary["features"] = ready["features"]
    summary["mechanism"] = ready.get("mechanism")
    log("vmm ready: %s" % ready)
    sender = Sender()
    all_idx = list(range(len(frames)))
    for c in job.get("pre_cmds", []):
        r = vmm.cmd(c)
        log("%s -> %s" % (c.split()[0], r))
        if not r["ok"]:
            ck.err("%s: %s" % (c.split()[0], r))

    if scen in ("rss", "vhosthdr"):
        send_paced(vmm, sender, frames, all_idx)
        vmm.wait_count(len(sender.sent), timeout=60, idle=5)
        seen = ck.match(vmm.rx, lambda i: ["A"], hdr,
                        report_none=(scen == "vhosthdr"))
        missing = set(sender.sent) - seen
    elif scen == "detach":
        half = len(frames) // 2
        send_paced(vmm, sender, frames, all_idx[:half])
        vmm.wait_count(len(sender.sent), timeout=60, idle=5)
        n1 = vmm.count()
        r = vmm.cmd("detach")
        if not r["ok"]:
            ck.err("detach: %s" % r)
        send_paced(vmm, sender, frames, all_idx[half:])
        vmm.wait_count(len(sender.sent), timeout=60, idle=5)
        seen = ck.match(vmm.rx[:n1], lambda i: ["A"], hdr)
        seen |= ck.match(vmm.rx[n1:], lambda i: ["A"], hdr,
                         report_none=True, any_queue=True)
        missing = set(sender.sent) - seen
        summary["after_detach"] = len(vmm.rx) - n1
    elif scen == "live":
        third = len(frames) // 3
        phase = {}      # frame index -> allowed configs

        def mark(lo, hi, cfgs):
            for i in all_idx[lo:hi]:
                phase[i] = cfgs
        # 1: config A
        send_paced(vmm, sender, frames, all_idx[:third])
        mark(0, third, ["A"])
        # 2: the guest's RSS_CONFIG (-> B) arrives while frames flow
        box = {}

        def ctrl():
            box["r"] = vmm.cmd("ctrl-rss " + job["ctrl_rss"])
            box["done"] = len(sender.sent)
        t = None

        def prog2(n):
            nonlocal t
            if n == 200:
                box["start"] = len(sender.sent)
                t = threading.Thread(target=ctrl)
                t.start()
        send_paced(vmm, sender, frames, all_idx[third:2 * third],
                   on_progress=prog2)
        t.join()
        if not box["r"]["ok"]:
            ck.err("ctrl-rss refused: %s" % box["r"])
        s0, s1 = box["start"], box["done"]
        for k, i in enumerate(sender.sent):
            if third <= i < 2 * third:
                pos = k
                phase[i] = ["A"] if pos < s0 else (["B"] if pos >= s1 else ["A", "B"])
        # 3: `vnethash set` (-> C) from another process while frames flow
        box2 = {}

        def setter():
            p = subprocess.run([job["vnethash"], "set", TAP] + job["set_args"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
            box2["rc"], box2["err"] = p.returncode, p.stderr
            box2["done"] = len(sender.sent)

        def prog3(n):
            nonlocal t
            if n == 200:
                box2["start"] = len(sender.sent)
                t = threading.Thread(target=setter)
                t.start()
        # `set` may take longer than the frames sent meanwhile (a TCG VM):
        # half of the rest go out while it runs, the other half after it
        # returned, so config C always gets frames of its own.
        rest = all_idx[2 * third:]
        send_paced(vmm, sender, frames, rest[:len(rest) // 2],
                   on_progress=prog3)
        t.join()
        send_paced(vmm, sender, frames, rest[len(rest) // 2:])
        if box2["rc"] != 0:
            ck.err("vnethash set: exit %d: %s" % (box2["rc"], box2["err"]))
        s0, s1 = box2["start"], box2["done"]
        for k, i in enumerate(sender.sent):
            if i >= 2 * third:
                phase[i] = ["B"] if k < s0 else (["C"] if k >= s1 else ["B", "C"])
        vmm.wait_count(len(sender.sent), timeout=60, idle=5)
        seen = ck.match(vmm.rx, lambda i: phase[i], hdr)
        missing = set(sender.sent) - seen
        summary["transition_frames"] = [box["done"] - box["start"],
                                        box2["done"] - box2["start"]]
        summary["config_b_frames"] = sum(1 for i in seen if phase[i] == ["B"])
        summary["config_c_frames"] = sum(1 for i in seen if phase[i] == ["C"])
    elif scen == "mismatch":
        # The tap's header differs from the negotiated one: nothing may
        # arrive; set back: everything arrives, with the right layout.
        steps = job["mismatch_steps"]      # [[tap-hdr, arrives?], ...]
        chunk = len(frames) // len(steps)
        dropped_idx = []
        seen = set()
        pos = 0
        summary["steps"] = []
        for sz, arrives in steps:
            r = vmm.cmd("tap-hdr %d" % sz)
            if not r["ok"]:
                ck.err("tap-hdr %d: %s" % (sz, r))
            n0 = vmm.count()
            idxs = all_idx[pos:pos + chunk]
            pos += chunk
            if arrives:
                k0 = len(sender.sent)
                send_paced(vmm, sender, frames, idxs)
                vmm.wait_count(n0 + len(sender.sent) - k0, timeout=60, idle=5)
            else:
                for i in idxs:
                    sender.send(i, frames[i])
                    if len(sender.sent) % 64 == 0:
                        time.sleep(0.01)
                vmm.wait_count(n0 + 1, timeout=3)
                dropped_idx += idxs
            got = vmm.count() - n0
            summary["steps"].append({"tap_hdr": sz, "sent": len(idxs),
                                     "received": got})
            if not arrives and got:
                ck.err("tap header %d with a %d-byte vhost header: %d "
                       "frames delivered" % (sz, hdr, got))
        seen = ck.match(vmm.rx, lambda i: ["A"], hdr)
        missing = set(sender.sent) - seen - set(dropped_idx)
        st = vmm.cmd("stats")
        if any(q["errors"] for q in st["queues"]):
            ck.err("ring errors: %s" % st)
    elif scen == "norefill":
        r = vmm.cmd("refill off")
        drop0 = tx_dropped()
        for i in all_idx:
            sender.send(i, frames[i])
            if len(sender.sent) % 32 == 0:
                time.sleep(0.002)
        time.sleep(2)
        st1 = vmm.cmd("stats")
        held = [q["held"] for q in st1["queues"]]
        n_off = vmm.count()
        vmm.cmd("refill on")
        vmm.wait_count(len(sender.sent), timeout=30, idle=4)
        st2 = vmm.cmd("stats")
        dropped = tx_dropped() - drop0
        n_total = vmm.count()
        summary.update({"received_while_off": n_off, "held": held,
                        "received": n_total, "tap_tx_dropped": dropped})
        seen = ck.match(vmm.rx, lambda i: ["A"], hdr)
        missing = set(sender.sent) - seen
        if n_total + dropped != len(sender.sent):
            ck.err("received %d + dropped %d != sent %d" %
                   (n_total, dropped, len(sender.sent)))
        if dropped == 0:
            ck.err("nothing was dropped: the ring never filled")
        ring = job.get("ring", 256)
        # full, but for the last frame that did not fit (up to 33 buffers)
        if not ring - 33 <= max(held) <= ring or sum(held) < n_off:
            ck.err("with refill off: held buffers %s (ring %d), %d frames "
                   "received" % (held, ring, n_off))
        if st2["frames"] != n_total:
            ck.err("stats %s vs %d frames" % (st2, n_total))
        missing = set() if n_total + dropped == len(sender.sent) else missing
    else:
        raise SystemExit("unknown scenario " + scen)

    rc = vmm.quit()
    if rc != 0:
        ck.err("the VMM exited with %d" % rc)
    subprocess.run(["ip", "link", "del", TAP], stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    drop_caches()
    slab1 = slab_kb()
    summary.update({
        "frames": len(frames), "sent": len(sender.sent),
        "unsendable": len(sender.unsendable),
        "received": len(vmm.rx), "missing": len(missing),
        "hash_reports_checked": ck.reports,
        "per_queue": [sum(1 for o in vmm.rx if o["q"] == q)
                      for q in range(pairs)],
        "multi_buffer_frames": sum(1 for o in vmm.rx if o["nbuf"] > 1),
        "slab_kb_growth": slab1 - slab0,
    })
    if missing and scen != "norefill":
        ck.err("%d frames never arrived, e.g. %s"
               % (len(missing), sorted(missing)[:5]))
    if any(len(frames[i]) >= 14 for i in sender.unsendable):
        ck.err("unsendable frames of 14 bytes or more: %s"
               % sender.unsendable[:5])
    if slab1 - slab0 > 2048:
        ck.err("slab grew by %d kB" % (slab1 - slab0))
    summary["ok"] = not ck.errors
    summary["errors"] = ck.errors
    print(json.dumps({"summary": summary}), flush=True)
    return 0 if summary["ok"] else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vmm", required=True)
    ap.add_argument("--job", required=True)
    sys.exit(run(ap.parse_args()))


if __name__ == "__main__":
    main()
