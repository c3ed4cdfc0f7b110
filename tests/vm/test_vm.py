#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Checks of the kfunc kernel series, each in a fresh VM booted on the
patched kernel (kernel/build.sh, kernel/vm-run.sh): Linux 7.3, or the 6.12
backport with VNETHASH_KERNEL_VERSION=6.12.

  test_vm.py --check NAME --vnethash PATH --builddir DIR

NAME is one of:
  probe      vnethash probe finds the hash-report kfunc in the VM kernel
  verify20   >= 10,000 mixed frames through a 4-queue tap with 20-byte
             vnet headers: every frame on the library's queue, and the
             kernel's hash_value/hash_report equal to the independent
             Python model (tests/ref) on every frame; a second config too
  verify12   12-byte vnet headers: same frames, queues right, no hash
             fields, frames byte for byte intact (verify matches them)
  reconfig   tests/tap/test_reconfig.py (live `vnethash set` under
             traffic) inside the VM
  context    the series' selftest (every subtest: header sizes, hash
             fields, -EINVAL for bad report/flags in a steering run,
             -EOPNOTSUPP outside one whatever the arguments, verifier
             rejections, single queue), the steering program under
             BPF_PROG_TEST_RUN counting one kfunc failure per run, and
             the weak-kfunc probe (kernel/kfunc-compat)
  memory     100,000 packets through the tap: no growth of the skb
             extension cache or of slab memory
  steering   the previous issue's steering checks on this kernel
             (tests/bpf programs, tests/tap direct/detach)
  vmm-*      examples/vhost-rx-vmm (vhost_net, rings in its own memory)
             driven by tests/vm/vmm_driver.py inside the VM:
    vmm-q1, vmm-q2, vmm-q4   12,000 mixed frames, 1/2/4 queue pairs,
             VERSION_1|MRG_RXBUF|HASH_REPORT, 20-byte headers: each frame
             once, on the model's queue, hash_value/hash_report = model
    vmm-hdr12  the same without HASH_REPORT (12-byte headers), 4 and 1
             pairs: right queue, no hash fields
    vmm-live   the guest's RSS_CONFIG (vnh_ctrl_rss_config) and a
             `vnethash set` from another process, both under traffic
    vmm-hashonly  VIRTIO_NET_CTRL_MQ_HASH_CONFIG (hash without RSS): the
             guest's types and key, queues by flow from the hash
    vmm-detach the program removed under traffic: report NONE after
    vmm-vhosthdr  VHOST_NET_F_VIRTIO_NET_HDR: vhost writes the 20-byte
             header: report NONE, hash 0, no stale (poisoned) bytes
    vmm-mismatch  tap header != negotiated header, also changed while
             vhost runs: nothing delivered, then everything again
    vmm-norefill  the guest stops refilling: ring full, tap drops
             counted, every frame received or counted, nothing leaks
    vmm-features  VHOST_SET_FEATURES: HASH_REPORT offered, -EINVAL
             without VERSION_1
  onequeue   a tap with one queue reports the exact hash: verify
             --queues 1 with 20-byte headers (every frame's hash_value /
             hash_report equal to the Python model), and `vnethash attach
             DEV --queues 1` on a single-queue (not multi_queue) tap, then
             frames read from it carry the model's hash

With VNETHASH_KERNEL_VARIANT=debug (suite vmdebug) the kernel is the
debug variant (kernel/config-debug.fragment: KASAN, kmemleak, lockdep,
DEBUG_ATOMIC_SLEEP, PREEMPT + DEBUG_PREEMPT), VM timeouts are tripled,
and every VM run also fails on any report in the guest's kernel log or
from kmemleak (scanned after the command): see check_debug_log().

Exit 0 when every assertion holds; 1 with a message otherwise.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "ref"))
import framegen  # noqa: E402
import vnethash_ref as ref  # noqa: E402

KVER = os.environ.get("VNETHASH_KERNEL_VERSION", "7.3")
# kernel/build.sh --variant (it reads the same variable): "debug" is the
# KASAN + kmemleak + lockdep kernel (kernel/config-debug.fragment, suite
# vmdebug), where every VM run also checks the guest's kernel log.
VARIANT = os.environ.get("VNETHASH_KERNEL_VARIANT", "")
DEBUG = VARIANT == "debug"
# Generic KASAN, lockdep and kmemleak under TCG: every run is slower.
TIMEOUT_SCALE = 3 if DEBUG else 1

DEFAULT_KEY = bytes.fromhex(
    "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
    "6a42b73bbeac01fa")
REPORTS = ["none", "ipv4", "tcpv4", "udpv4", "ipv6", "tcpv6", "udpv6",
           "ipv6_ex", "tcpv6_ex", "udpv6_ex"]
TYPE_BITS = {name: 1 << (i - 1) for i, name in enumerate(REPORTS) if i}


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def log(msg):
    print(msg, flush=True)


class VM:
    def __init__(self, args):
        self.args = args
        self.kernel = None

    def build(self):
        if self.kernel:
            return self.kernel
        if os.environ.get("VNETHASH_VM_KERNEL"):
            self.kernel = os.environ["VNETHASH_VM_KERNEL"]
            return self.kernel
        t0 = time.monotonic()
        log("kernel: Linux %s%s, kernel/build.sh (a build from scratch "
            "takes minutes; progress lines follow)"
            % (KVER, ", variant " + VARIANT if VARIANT else ""))
        p = subprocess.run([os.path.join(SRC, "kernel", "build.sh"), "-q",
                            "--kernel", KVER],
                           stdout=subprocess.PIPE, text=True)
        if p.returncode != 0:
            fail("kernel/build.sh failed (exit %d)" % p.returncode)
        self.kernel = p.stdout.strip().splitlines()[-1]
        log("kernel: %s (%.0fs)" % (self.kernel, time.monotonic() - t0))
        return self.kernel

    def run(self, cmd, timeout=900, env=()):
        """Run cmd (a list) in a fresh VM; return (rc, stdout, stderr).
        On the debug kernel the command runs under DEBUG_WRAP, and the
        guest's kernel log and kmemleak's findings are checked after it."""
        timeout *= TIMEOUT_SCALE
        vmcmd = [os.path.join(SRC, "kernel", "vm-run.sh"),
                 "--kernel", self.build(), "--timeout", str(timeout),
                 "--cwd", SRC]
        for e in env:
            vmcmd += ["--env", e]
        wrapped = cmd
        if DEBUG:
            wrap = os.path.join(workdir(self.args), "debug-wrap.sh")
            with open(wrap, "w") as f:
                f.write(DEBUG_WRAP)
            wrapped = ["/bin/sh", wrap] + cmd
        t0 = time.monotonic()
        p = subprocess.run(vmcmd + ["--"] + wrapped, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        log("vm: %s -> exit %d (%.1fs)" % (" ".join(cmd)[:120], p.returncode,
                                           time.monotonic() - t0))
        if p.returncode in (124, 125):
            fail("the VM did not run the command (exit %d):\n%s"
                 % (p.returncode, p.stderr[-3000:]))
        err = p.stderr
        if DEBUG:
            err = check_debug_log(err, " ".join(cmd)[:120])
        return p.returncode, p.stdout, err


# The debug kernel (VNETHASH_KERNEL_VARIANT=debug): the command runs
# between two kmemleak scans, and after it the guest's whole kernel log
# (boot included) and kmemleak's report go to stderr between markers,
# where check_debug_log() reads them. The first scan and `clear` set
# aside what boot left behind; the objects the command leaves
# unreferenced are reported by the scans after it (kmemleak reports an
# object only when a scan finds it unreferenced with the same contents
# as in the scan before, and at least 5 s old: so sleep, then scan twice).
DEBUG_WRAP = r"""
km=/sys/kernel/debug/kmemleak
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
if [ -w $km ]; then echo scan > $km; echo clear > $km; fi
"$@"
rc=$?
{
	echo "@@VNH-DEBUG-BEGIN@@"
	if [ -w $km ]; then
		sleep 6
		echo scan > $km && echo scan > $km && echo "kmemleak: scanned"
		echo "@@VNH-KMEMLEAK@@"
		cat $km
		echo "@@VNH-KMEMLEAK-END@@"
	else
		echo "kmemleak: no $km"
	fi
	echo "lockdep: $(awk '/debug_locks:/ {print $2}' /proc/lockdep_stats 2>/dev/null)"
	echo "@@VNH-DMESG@@"
	dmesg
	echo "@@VNH-DEBUG-END@@"
} >&2
exit $rc
"""

# What counts as a report in the kernel log: KASAN ("BUG: KASAN: ..."),
# lockdep ("WARNING: possible circular locking dependency detected",
# "inconsistent lock state", "suspicious RCU usage"), sleeping in atomic
# context and DEBUG_PREEMPT ("BUG: sleeping function called from invalid
# context", "BUG: using smp_processor_id() in preemptible"), any WARN_ON
# ("WARNING: CPU: ..."), oopses, kmemleak's own line, list corruption.
DEBUG_REPORT = re.compile(
    r"BUG:|WARNING:|KASAN|kmemleak: \d+ new suspected|unreferenced object|"
    r"possible (circular|recursive) locking|inconsistent lock state|"
    r"suspicious RCU usage|INFO: |Call Trace:|general protection|Oops|"
    r"list_(add|del) corruption|kernel BUG|stack segment|RIP: ")
DEBUG_SUMMARY = {"runs": 0}


def check_debug_log(err, what):
    """Fail on any KASAN / kmemleak / lockdep / BUG / WARNING report in the
    guest's kernel log; return stderr without the debug block."""
    b = err.find("@@VNH-DEBUG-BEGIN@@")
    e = err.find("@@VNH-DEBUG-END@@")
    if b < 0 or e < b:
        fail("%s: the debug kernel's log did not come back (the VM stopped "
             "early?)\n%s" % (what, err[-3000:]))
    block, rest = err[b:e], err[:b] + err[e + len("@@VNH-DEBUG-END@@"):]
    dmesg = block.split("@@VNH-DMESG@@", 1)[1] if "@@VNH-DMESG@@" in block \
        else ""
    leaks = ""
    if "@@VNH-KMEMLEAK@@" in block:
        leaks = block.split("@@VNH-KMEMLEAK@@", 1)[1].split(
            "@@VNH-KMEMLEAK-END@@", 1)[0].strip()
    # The checkers are on: otherwise "no report" would mean nothing.
    if "KernelAddressSanitizer initialized" not in dmesg:
        fail("%s: no 'KernelAddressSanitizer initialized' in the guest's "
             "log: not a KASAN kernel?" % what)
    if "kmemleak: scanned" not in block:
        fail("%s: kmemleak did not scan (%s)" % (what, block[:500]))
    m = re.search(r"lockdep: (\d+)", block)
    if not m or m.group(1) != "1":
        fail("%s: lockdep is not active at the end of the run "
             "(debug_locks %s): it turned itself off after a report, or "
             "the kernel lacks it\n%s"
             % (what, m.group(1) if m else "absent", dmesg[-4000:]))
    bad = [line for line in dmesg.splitlines() if DEBUG_REPORT.search(line)]
    if leaks or bad:
        fail("%s: the debug kernel reported problems:\n%s%s\n--- dmesg "
             "(last 150 lines) ---\n%s"
             % (what, "kmemleak:\n" + leaks[:6000] + "\n" if leaks else "",
                "\n".join(bad[:60]),
                "\n".join(dmesg.splitlines()[-150:])))
    DEBUG_SUMMARY["runs"] += 1
    DEBUG_SUMMARY["lines"] = DEBUG_SUMMARY.get("lines", 0) + \
        len(dmesg.splitlines())
    log("debug kernel: %s: KASAN on, kmemleak scanned after the command "
        "(no unreferenced object), lockdep still on (debug_locks 1), "
        "guest dmesg %d lines with no BUG/WARNING/KASAN/lockdep/kmemleak "
        "report" % (what[:60], len(dmesg.splitlines())))
    return rest


def workdir(args):
    d = os.path.join(args.builddir, "tests", "vm", "work")
    os.makedirs(d, exist_ok=True)
    return d


def mixed_frames(seed, count):
    g = framegen.FrameGen(seed)
    return [g.frame()[0] for _ in range(count)]


def parse_verify(out, frames, desc):
    objs = []
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("{"):
            objs.append(json.loads(line))
    if not objs or "summary" not in objs[-1]:
        fail("%s: no verify summary in the output:\n%s" % (desc, out[-2000:]))
    summary, per_frame = objs[-1]["summary"], objs[:-1]
    if len(per_frame) != len(frames):
        fail("%s: %d frame objects for %d frames"
             % (desc, len(per_frame), len(frames)))
    return summary, per_frame


def expected(frame, types, key, nqueues, table_size, unclassified):
    h, report = ref.hash_frame(frame, types, key)
    if report == 0:
        return 0, 0, unclassified
    table = [i % nqueues for i in range(table_size)]
    return h, report, table[h & (table_size - 1)]


def check_verify(vm, args, hdr, one_queue=False):
    frames = mixed_frames(4242, 12000)
    cap = os.path.join(workdir(args), "mixed.pcap")
    framegen.write_pcap(cap, frames)
    rnd = random.Random(7)
    configs = [
        ("all types, default key, 4 queues", [], VNH_ALL, DEFAULT_KEY, 4, 128, 0),
        ("tcpv4,udpv6,ipv6_ex,ipv4, random key, 3 queues, unclassified 2",
         None, TYPE_BITS["tcpv4"] | TYPE_BITS["udpv6"] |
         TYPE_BITS["ipv6_ex"] | TYPE_BITS["ipv4"],
         bytes(rnd.randrange(256) for _ in range(40)), 3, 64, 2),
    ]
    if one_queue:
        configs = [
            ("all types, default key, 1 queue", None, VNH_ALL, DEFAULT_KEY,
             1, 128, 0),
            ("tcpv6,udpv4,ipv6_ex, random key, 1 queue", None,
             TYPE_BITS["tcpv6"] | TYPE_BITS["udpv4"] | TYPE_BITS["ipv6_ex"],
             bytes(rnd.randrange(256) for _ in range(40)), 1, 64, 0),
        ]
    for desc, flags, types, key, nq, tsize, uncl in configs:
        if flags is None or flags == []:
            names = [n for n, b in TYPE_BITS.items() if types & b]
            flags = ["--types", ",".join(names), "--key", key.hex(),
                     "--table-size", str(tsize), "--unclassified", str(uncl)]
        cmd = [args.vnethash, "verify", "vmtap0", "--queues", str(nq),
               "--vnet-hdr", str(hdr), "--pcap", cap, "--json"] + flags
        rc, out, err = vm.run(cmd)
        summary, per_frame = parse_verify(out, frames, desc)
        if rc != 0 or not summary.get("ok"):
            bad = [o for o in per_frame if o["result"] not in ("ok", "unsendable")]
            fail("%s: verify exit %d, summary %s, bad frames e.g. %s\n%s"
                 % (desc, rc, summary, bad[:3], err[-2000:]))
        sent = reports = 0
        for i, (o, f) in enumerate(zip(per_frame, frames)):
            if o["result"] == "unsendable":
                if len(f) >= 14:
                    fail("%s: frame %d (%d bytes) unsendable" % (desc, i + 1, len(f)))
                continue
            sent += 1
            h, rep, q = expected(f, types, key, nq, tsize, uncl)
            if o["queue"] != q:
                fail("%s: frame %d arrived on queue %s, the model says %d\n%s"
                     % (desc, i + 1, o["queue"], q, f.hex()))
            if hdr == 20:
                if o["kernel_report"] is None:
                    fail("%s: frame %d carries no kernel hash report" % (desc, i + 1))
                if o["kernel_report"] != REPORTS[rep] or \
                        int(o["kernel_hash"], 16) != h:
                    fail("%s: frame %d: kernel %s/%s, model 0x%08x/%s\n%s"
                         % (desc, i + 1, o["kernel_hash"], o["kernel_report"],
                            h, REPORTS[rep], f.hex()))
                reports += 1
            elif o["kernel_report"] is not None or o["kernel_hash"] is not None:
                fail("%s: frame %d has hash fields with a 12-byte header: %s"
                     % (desc, i + 1, o))
        if summary["lost"] or summary["duplicates"] or summary["mismatches"] \
                or summary["received"] != sent:
            fail("%s: summary %s" % (desc, summary))
        log("ok - %s, %d-byte headers: %d frames sent and received intact "
            "on the model's queue; %s"
            % (desc, hdr, sent, "%d kernel hash reports, all equal to the "
               "model" % reports if hdr == 20 else "no hash fields"))


VNH_ALL = 0x1ff
VMM_CHECKS = ["vmm-q1", "vmm-q2", "vmm-q4", "vmm-hdr12", "vmm-live",
              "vmm-hashonly",
              "vmm-detach", "vmm-vhosthdr", "vmm-mismatch",
              "vmm-norefill", "vmm-features"]


def check_probe(vm, args):
    rc, out, err = vm.run([args.vnethash, "probe", "--json"])
    if rc != 0:
        fail("probe exit %d: %s" % (rc, err))
    p = json.loads(out.strip().splitlines()[-1])
    if not p["kernel"].startswith(KVER + "."):
        fail("VM kernel is %s, not %s" % (p["kernel"], KVER))
    if not p["steering_prog"] or not p["hash_kfunc"]:
        fail("probe in the patched kernel: %s" % p)
    log("ok - probe on %s: steering program and hash-report kfunc (%s)"
        % (p["kernel"], p.get("hash_kfunc_btf")))


def check_script(vm, args, script, timeout=900):
    env = ["SRCDIR=" + SRC, "VNETHASH=" + args.vnethash,
           "PYTHONDONTWRITEBYTECODE=1"]
    rc, out, err = vm.run(["python3", os.path.join(SRC, script)],
                          timeout=timeout, env=env)
    sys.stdout.write(out[-3000:])
    if rc != 0:
        fail("%s in the VM: exit %d\n%s" % (script, rc, err[-3000:]))
    log("ok - %s passes on the patched kernel" % script)


def check_binary(vm, args, path, timeout=900):
    rc, out, err = vm.run([path], timeout=timeout)
    sys.stdout.write(out[-3000:])
    if rc != 0:
        fail("%s in the VM: exit %d\n%s" % (path, rc, err[-3000:]))
    log("ok - %s passes on the patched kernel" % os.path.basename(path))
    return out


def check_context(vm, args):
    p = subprocess.run([os.path.join(SRC, "kernel", "selftest-shim", "build.sh"),
                        os.path.join(workdir(args), "selftest")],
                       stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        fail("building the kernel selftest failed")
    check_binary(vm, args, p.stdout.strip().splitlines()[-1])
    # The steering program under BPF_PROG_TEST_RUN: the kfunc is called
    # and fails (not a steering run), the queue is still right.
    out = check_binary(vm, args, os.path.join(args.builddir, "tests", "bpf",
                                              "test-steer-diff"))
    runs = re.findall(r"kfunc ok (\d+) / failed (\d+)", out)
    if not runs or any(ok != "0" or failed == "0" for ok, failed in runs):
        fail("test-steer-diff: expected every kfunc call to fail in test "
             "runs: %s" % runs)
    log("ok - the kfunc refused every BPF_PROG_TEST_RUN call (%s calls)"
        % "+".join(f for _, f in runs))
    # The weak-kfunc pattern (kernel/kfunc-compat): one object, the v2
    # extern resolves, the v1 flavour does not, and the object loads.
    p = subprocess.run([os.path.join(SRC, "kernel", "kfunc-compat",
                                     "build.sh"),
                        os.path.join(workdir(args), "kfunc-compat")],
                       stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        fail("building kernel/kfunc-compat failed")
    out = check_binary(vm, args, p.stdout.strip().splitlines()[-1])
    m = re.search(r"have_kfunc=(-?\d+) have_v1=(-?\d+) ret=(-?\d+) "
                  r"ret_v1=(-?\d+)", out)
    if not m:
        fail("weak_probe printed no result: %s" % out[-500:])
    want = ("1", "0", "-95", "1")
    if m.groups() != want:
        fail("weak_probe: have_kfunc/have_v1/ret/ret_v1 = %s, expected %s"
             % ("/".join(m.groups()), "/".join(want)))
    log("ok - weak kfunc pattern: the v2 extern resolves (-EOPNOTSUPP under "
        "BPF_PROG_TEST_RUN), the v1 prototype does not, the object loads")


MEM_SCRIPT = r"""
set -e
slab() { awk '/^Slab:/ {print $2}' /proc/meminfo; }
ext() { awk '$1 == "skbuff_ext_cache" {print $2; f=1} END {if (!f) print "n/a"}' /proc/slabinfo 2>/dev/null || echo n/a; }
# Shrinking every cache also empties KASAN's quarantine of freed objects
# (kmem_cache_shrink -> kasan_cache_shrink), which on the debug kernel
# would otherwise count as slab growth.
shrink() { for f in /sys/kernel/slab/*/shrink; do echo 1 > "$f"; done 2>/dev/null || true; }
"$VNETHASH" verify vmmem0 --queues 4 --vnet-hdr 20 --quiet --pcap "$WARM" >/dev/null
sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; shrink
echo "before slab=$(slab) ext=$(ext)"
"$VNETHASH" verify vmmem0 --queues 4 --vnet-hdr 20 --quiet --pcap "$MANY" | tail -n 3
sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; shrink
echo "after slab=$(slab) ext=$(ext)"
"""


def check_memory(vm, args):
    d = workdir(args)
    rnd = random.Random(99)
    frames = []
    for i in range(100000):
        # small valid TCP/UDP frames, v4 and v6, many flows
        sport, dport = rnd.randrange(1, 65536), rnd.randrange(1, 65536)
        if i % 2:
            ip = framegen.ipv4(bytes(rnd.randrange(256) for _ in range(4)),
                               bytes(rnd.randrange(256) for _ in range(4)),
                               6 if i % 4 == 1 else 17,
                               framegen.tcp(sport, dport) if i % 4 == 1
                               else framegen.udp(sport, dport))
            frames.append(framegen.eth(ip, framegen.ETH_P_IP))
        else:
            ip = framegen.ipv6(bytes(rnd.randrange(256) for _ in range(16)),
                               bytes(rnd.randrange(256) for _ in range(16)),
                               6, framegen.tcp(sport, dport))
            frames.append(framegen.eth(ip, framegen.ETH_P_IPV6))
    many = os.path.join(d, "many.pcap")
    warm = os.path.join(d, "warm.pcap")
    framegen.write_pcap(many, frames)
    framegen.write_pcap(warm, frames[:5000])
    with open(os.path.join(d, "mem.sh"), "w") as f:
        f.write(MEM_SCRIPT)
    rc, out, err = vm.run(["/bin/sh", os.path.join(d, "mem.sh")], timeout=1800,
                          env=["VNETHASH=" + args.vnethash, "MANY=" + many,
                               "WARM=" + warm])
    sys.stdout.write(out)
    if rc != 0:
        fail("memory run failed (exit %d)\n%s" % (rc, err[-2000:]))
    vals = {}
    for line in out.splitlines():
        if line.startswith(("before ", "after ")):
            tag, rest = line.split(" ", 1)
            vals[tag] = dict(kv.split("=") for kv in rest.split())
    if "before" not in vals or "after" not in vals:
        fail("no before/after measurements")
    if "sent 100000, received 100000, lost 0" not in out:
        fail("the 100,000 packets did not all arrive")
    growth = int(vals["after"]["slab"]) - int(vals["before"]["slab"])
    log("slab before %s kB, after %s kB (growth %d kB); skbuff_ext_cache "
        "objects before %s, after %s" % (vals["before"]["slab"],
                                         vals["after"]["slab"], growth,
                                         vals["before"]["ext"],
                                         vals["after"]["ext"]))
    # A leaked extension per packet would be 100,000 objects (> 3 MB).
    if growth > 1024:
        fail("slab memory grew by %d kB over 100,000 packets" % growth)
    if vals["before"]["ext"] != "n/a":
        if int(vals["after"]["ext"]) > int(vals["before"]["ext"]) + 512:
            fail("skbuff_ext_cache objects grew from %s to %s"
                 % (vals["before"]["ext"], vals["after"]["ext"]))
    log("ok - no memory growth after 100,000 packets")


# ---- examples/vhost-rx-vmm -------------------------------------------------

def vmm_frames(seed, count):
    """count distinct mixed frames (the driver matches frames by bytes)."""
    g = framegen.FrameGen(seed)
    out, seen = [], set()
    while len(out) < count:
        f = g.frame()[0]
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


def model(frames, types, key, table, uncl):
    exp = []
    for f in frames:
        h, rep = ref.hash_frame(f, types, key)
        if rep == 0:
            exp.append([uncl, 0, 0])
        else:
            exp.append([table[h & (len(table) - 1)], h, rep])
    return exp


def rss_payload(types, table, uncl, max_tx_vq, key):
    """VIRTIO_NET_CTRL_MQ_RSS_CONFIG as a guest driver sends it."""
    import struct
    return (struct.pack("<IHH", types, len(table) - 1, uncl) +
            struct.pack("<%dH" % len(table), *table) +
            struct.pack("<HB", max_tx_vq, len(key)) + key).hex()


def vmm_exe(args):
    return os.path.join(args.builddir, "examples", "vhost-rx-vmm")


def run_vmm_job(vm, args, name, job, frames):
    d = workdir(args)
    job["pcap"] = os.path.join(d, "vmm-%s.pcap" % name)
    framegen.write_pcap(job["pcap"], frames)
    jpath = os.path.join(d, "vmm-%s.json" % name)
    with open(jpath, "w") as f:
        json.dump(job, f)
    rc, out, err = vm.run(["python3", os.path.join(HERE, "vmm_driver.py"),
                           "--vmm", vmm_exe(args), "--job", jpath],
                          timeout=1500, env=["PYTHONDONTWRITEBYTECODE=1"])
    summ = None
    for line in out.splitlines():
        if line.startswith('{"summary"'):
            summ = json.loads(line)["summary"]
    if summ is None:
        fail("%s: no summary from the driver (exit %d)\n%s\n%s"
             % (name, rc, out[-2000:], err[-3000:]))
    brief = {k: v for k, v in summ.items() if k != "errors"}
    if rc != 0 or not summ["ok"]:
        fail("%s: %s\nerrors: %s\n%s" % (name, brief,
                                         "\n  ".join(summ["errors"]),
                                         err[-2000:]))
    log("ok - %s: %s" % (name, json.dumps(brief)))
    return summ


def job_a(scenario, pairs, hdr, count, seed):
    """Config A: what the VMM attaches (all types, default key, 128-entry
    table over the pairs, unclassified = the last queue)."""
    frames = vmm_frames(seed, count)
    table = [i % pairs for i in range(128)]
    job = {"scenario": scenario, "pairs": pairs, "hdr": hdr,
           "vmm_args": ["--unclassified", str(pairs - 1)],
           "expect": {"A": model(frames, VNH_ALL, DEFAULT_KEY, table,
                                 pairs - 1)}}
    return job, frames


def check_vmm(vm, args, check):
    if check in ("vmm-q1", "vmm-q2", "vmm-q4"):
        pairs = int(check[-1])
        job, frames = job_a("rss", pairs, 20, 12000, 100 + pairs)
        s = run_vmm_job(vm, args, check, job, frames)
        if s["hash_reports_checked"] != s["sent"] or s["sent"] < 10000:
            fail("%s: %d hash reports checked of %d frames sent"
                 % (check, s["hash_reports_checked"], s["sent"]))
        if pairs > 1 and min(s["per_queue"]) == 0:
            fail("%s: a queue got nothing: %s" % (check, s["per_queue"]))
    elif check == "vmm-hdr12":
        for pairs in (4, 1):
            job, frames = job_a("rss", pairs, 12, 12000, 200 + pairs)
            s = run_vmm_job(vm, args, "%s-%dq" % (check, pairs), job, frames)
            if s["sent"] < 10000 or s["received"] != s["sent"]:
                fail("%s: %s" % (check, s))
    elif check == "vmm-live":
        pairs = 4
        job, frames = job_a("live", pairs, 20, 9000, 300)
        rnd = random.Random(11)
        key_b = bytes(rnd.randrange(256) for _ in range(40))
        types_b = (TYPE_BITS["tcpv4"] | TYPE_BITS["udpv6"] |
                   TYPE_BITS["ipv6_ex"] | TYPE_BITS["ipv4"])
        table_b = [rnd.randrange(pairs) for _ in range(64)]
        job["ctrl_rss"] = rss_payload(types_b, table_b, 1, pairs, key_b)
        job["expect"]["B"] = model(frames, types_b, key_b, table_b, 1)
        key_c = bytes(rnd.randrange(256) for _ in range(40))
        table_c = [i % pairs for i in range(32)]
        job["set_args"] = ["--key", key_c.hex(), "--types", "all",
                           "--queues", str(pairs), "--table-size", "32",
                           "--unclassified", "2"]
        job["expect"]["C"] = model(frames, VNH_ALL, key_c, table_c, 2)
        job["vnethash"] = args.vnethash
        s = run_vmm_job(vm, args, check, job, frames)
        if s["config_b_frames"] < 1000 or s["config_c_frames"] < 1000:
            fail("%s: too few frames after the updates: %s" % (check, s))
    elif check == "vmm-hashonly":
        # VIRTIO_NET_CTRL_MQ_HASH_CONFIG (no RSS): the guest's types and
        # key; queues by flow from that hash (table spread over the pairs)
        pairs = 4
        frames = vmm_frames(800, 11000)
        rnd = random.Random(13)
        key = bytes(rnd.randrange(256) for _ in range(40))
        types = TYPE_BITS["tcpv4"] | TYPE_BITS["ipv6"] | TYPE_BITS["udpv6_ex"]
        import struct
        payload = (struct.pack("<I4HB", types, 0, 0, 0, 0, len(key)) +
                   key).hex()
        job = {"scenario": "rss", "pairs": pairs, "hdr": 20,
               "vmm_args": ["--unclassified", "3"],
               "pre_cmds": ["ctrl-hash " + payload],
               "expect": {"A": model(frames, types, key,
                                     [i % pairs for i in range(128)], 0)}}
        s = run_vmm_job(vm, args, check, job, frames)
        if s["hash_reports_checked"] != s["sent"] or s["sent"] < 10000:
            fail("%s: %s" % (check, s))
    elif check == "vmm-detach":
        job, frames = job_a("detach", 4, 20, 6000, 400)
        s = run_vmm_job(vm, args, check, job, frames)
        if s["after_detach"] < 2900:
            fail("%s: %s" % (check, s))
    elif check == "vmm-vhosthdr":
        job, frames = job_a("vhosthdr", 2, 20, 3000, 500)
        run_vmm_job(vm, args, check, job, frames)
    elif check == "vmm-mismatch":
        job, frames = job_a("mismatch", 2, 20, 2000, 600)
        job["mismatch_steps"] = [[12, False], [20, True], [24, False],
                                 [20, True]]
        run_vmm_job(vm, args, check + "-20", job, frames)
        job, frames = job_a("mismatch", 2, 12, 1000, 601)
        job["mismatch_steps"] = [[20, False], [12, True]]
        run_vmm_job(vm, args, check + "-12", job, frames)
    elif check == "vmm-norefill":
        job, frames = job_a("norefill", 2, 20, 6000, 700)
        s = run_vmm_job(vm, args, check, job, frames)
        log("no refill: %d frames while the guest did not refill, %d "
            "dropped by the tap (counted in tx_dropped), %d received in "
            "all" % (s["received_while_off"], s["tap_tx_dropped"],
                     s["received"]))
    elif check == "vmm-features":
        rc, out, err = vm.run([vmm_exe(args), "--check-features"])
        if rc != 0:
            fail("vhost-rx-vmm --check-features: exit %d\n%s" % (rc, err))
        r = json.loads(out.strip().splitlines()[-1])
        want = {"hash_report_offered": True,
                "version_1+mrg_rxbuf": 0,
                "version_1+mrg_rxbuf+hash_report": 0,
                "version_1+hash_report": 0,
                "hash_report": -22,
                "mrg_rxbuf+hash_report": -22,
                "version_1+mrg_rxbuf+hash_report+vhost_hdr": 0}
        bad = {k: (r.get(k), v) for k, v in want.items() if r.get(k) != v}
        if bad:
            fail("VHOST_SET_FEATURES (got, wanted): %s" % bad)
        log("ok - vhost_net offers HASH_REPORT (features %s); "
            "VHOST_SET_FEATURES accepts it with VERSION_1, -EINVAL "
            "without" % r["offered"])
ONEQ_SCRIPT = r"""
set -e
ip tuntap add dev oq0 mode tap vnet_hdr
ip link set oq0 up
"$VNETHASH" attach oq0 --queues 1
"$VNETHASH" show oq0 --json
python3 "$SRCDIR/tests/vm/onequeue_read.py" oq0 "$PCAP"
"$VNETHASH" detach oq0
"""


def check_onequeue(vm, args):
    check_verify(vm, args, 20, one_queue=True)
    # A single-queue tap (no multi_queue), as a VMM gives a one-queue
    # guest: `vnethash attach --queues 1` attaches; a reader of its one
    # queue with a 20-byte header gets the model's hash on every frame.
    d = workdir(args)
    frames = mixed_frames(777, 3000)
    cap = os.path.join(d, "oneq.pcap")
    framegen.write_pcap(cap, frames)
    with open(os.path.join(d, "oneq.sh"), "w") as f:
        f.write(ONEQ_SCRIPT)
    rc, out, err = vm.run(["/bin/sh", os.path.join(d, "oneq.sh")],
                          env=["VNETHASH=" + args.vnethash, "PCAP=" + cap,
                               "SRCDIR=" + SRC, "PYTHONDONTWRITEBYTECODE=1"])
    if rc != 0:
        fail("single-queue tap run failed (exit %d)\n%s\n%s"
             % (rc, out[-2000:], err[-3000:]))
    got = {}
    for line in out.splitlines():
        if line.startswith("FRAME "):
            _, idx, h, rep = line.split()
            got[int(idx)] = (int(h, 16), int(rep))
    sent = reports = 0
    for i, f in enumerate(frames):
        if len(f) < 14 or len(f) > 1514:
            continue
        sent += 1
        h, rep, _ = expected(f, VNH_ALL, DEFAULT_KEY, 1, 128, 0)
        if i not in got:
            fail("single-queue tap: frame %d not received\n%s" % (i, err[-2000:]))
        if got[i] != (h, rep):
            fail("single-queue tap: frame %d: kernel 0x%08x/%s, model "
                 "0x%08x/%s\n%s" % (i, got[i][0], REPORTS[got[i][1]], h,
                                    REPORTS[rep], f.hex()))
        if rep:
            reports += 1
    log("ok - single-queue tap (not multi_queue), `vnethash attach --queues "
        "1`: %d frames, every hash_value/hash_report equal to the model "
        "(%d with a hash, %d NONE)" % (sent, reports, sent - reports))


def check_mechanism(vm, args):
    """The comparison patches 0020-0023: the kernel has both reporting
    mechanisms, and tests/tap/test_mechanism.py finds kfunc and progtype
    delivering the library's hash, byte for byte the same headers."""
    rc, out, err = vm.run([args.vnethash, "probe", "--json"])
    p = json.loads(out.strip().splitlines()[-1]) if rc == 0 else {}
    if not p.get("hash_kfunc") or not p.get("prog_type_vnet_hash"):
        fail("probe in the VM: want both the kfunc and BPF_PROG_TYPE_VNET_HASH: %s %s"
             % (p, err))
    check_script(vm, args, "tests/tap/test_mechanism.py")


def check_bench_mechanism(vm, args):
    """bench/bench_mechanism in the VM: the table of docs/kernel-design.md."""
    out = check_binary(vm, args, os.path.join(args.builddir, "bench",
                                              "bench_mechanism"),
                       timeout=1800)
    for m in ("steer", "kfunc", "progtype"):
        if not any(line.startswith(m + " ") and "not available" not in line
                   for line in out.splitlines()):
            fail("bench_mechanism measured no %s row:\n%s" % (m, out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", required=True,
                    choices=["probe", "verify20", "verify12", "reconfig",
                             "context", "memory", "steering", "onequeue",
                             "mechanism", "bench-mechanism"]
                    + VMM_CHECKS)
    ap.add_argument("--vnethash", required=True)
    ap.add_argument("--builddir", required=True)
    args = ap.parse_args()
    args.vnethash = os.path.abspath(args.vnethash)
    args.builddir = os.path.abspath(args.builddir)
    vm = VM(args)
    if args.check == "probe":
        check_probe(vm, args)
    elif args.check == "verify20":
        check_verify(vm, args, 20)
    elif args.check == "verify12":
        check_verify(vm, args, 12)
    elif args.check == "reconfig":
        check_script(vm, args, "tests/tap/test_reconfig.py")
    elif args.check == "context":
        check_context(vm, args)
    elif args.check == "memory":
        check_memory(vm, args)
    elif args.check in VMM_CHECKS:
        check_vmm(vm, args, args.check)
    elif args.check == "onequeue":
        check_onequeue(vm, args)
    elif args.check == "mechanism":
        check_mechanism(vm, args)
    elif args.check == "bench-mechanism":
        check_bench_mechanism(vm, args)
    elif args.check == "steering":
        for b in ("test-steer-swap", "test-steer-live"):
            check_binary(vm, args, os.path.join(args.builddir, "tests", "bpf", b))
        for s in ("tests/tap/test_direct.py", "tests/tap/test_detach.py"):
            check_script(vm, args, s)


if __name__ == "__main__":
    main()
