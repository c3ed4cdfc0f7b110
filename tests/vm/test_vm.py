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
  mechanism  the comparison patches 0020-0023: `vnethash attach
             --mechanism kfunc|progtype|steer|auto` and `vnethash verify`
             (1,500 mixed frames, random key, 4 queues), then
             vhost-rx-vmm --mechanism kfunc|progtype|steer through
             vhost_net: every frame on the model's queue; kfunc and
             progtype with the model's hash_value/hash_report on every
             frame (so the same), steer with none
  bench-mechanism  bench/bench_mechanism (4 queues; noqueue; 1 queue):
             every mechanism measured, no frame lost or misreported
  The series' claims (tests/vm/claims_vm.py in the VM, the model here):
    owner    frames with tap A's hash mirred (prio qdisc + matchall +
             mirred, after A's queue selection) into tap B: B reports
             NONE/0 whether B selects a queue (2 queues), has one queue
             and no program, or skips selection (skbedit queue_mapping);
             B with its own program reports its own hash
    gso      TCP (TCP_REPAIR sockets, no peer) out through a 2-queue tap:
             with TUNSETOFFLOAD TSO, GSO frames with the flow's hash; without,
             software segments, each with the hash (fewer program runs than
             segments: segmented after queue selection)
    vnetbe   TUNSETVNETBE / TUNSETVNETLE with TSO: the virtio_net_hdr fields
             follow the setting, hash_value/hash_report stay little endian
    xdp      bpf_redirect into the tap from XDP on a veth: native XDP
             (xdp_frame) header all zero, the program never runs; generic
             XDP (an skb) steered and reported as the model says
    failslab failslab on skbuff_ext_cache: every frame delivered, NONE,
             one failed allocation per hash, sender's wmem back to 0
    tun-selftest  tools/testing/selftests/net/tun (patch 0008), built from
             the kernel tree: every tun_vnet_hash test passes, none skipped
    udptunnel  UDP tunnel GSO with 24-byte headers: VXLAN TCP GSO frames
             written into tap A (virtio_net_hdr_v1_hash_tunnel), mirred
             into tap B: with B's UDP tunnel offload each frame whole, its
             tunnel fields (gso_type, UDP_TUNNEL_CSUM, outer_th_offset,
             inner_nh_offset) next to the model's hash of the outer packet;
             with TSO only or no offload, every segment with that hash

With VNETHASH_KERNEL_VARIANT=debug (suite vmdebug) the kernel is the
debug variant (kernel/config-debug.fragment: KASAN, kmemleak,
DEBUG_ATOMIC_SLEEP, PREEMPT + DEBUG_PREEMPT, and lockdep when the fragment
asks for it), VM timeouts are tripled, and every VM run also fails on any
report in the guest's kernel log or from kmemleak (scanned after the
command): see check_debug_log().

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
# KASAN + kmemleak kernel (kernel/config-debug.fragment, suite
# vmdebug), where every VM run also checks the guest's kernel log.
VARIANT = os.environ.get("VNETHASH_KERNEL_VARIANT", "")
DEBUG = VARIANT == "debug"
# Generic KASAN and kmemleak under TCG: every run is slower.
TIMEOUT_SCALE = 3 if DEBUG else 1


def _fragment_wants_lockdep():
    # lockdep is optional in the debug kernel (it doubles the time under
    # TCG): the fragment says whether this kernel must have it on.
    try:
        with open(os.path.join(SRC, "kernel", "config-debug.fragment")) as f:
            return any(line.strip() == "CONFIG_PROVE_LOCKING=y" for line in f)
    except OSError:
        return False


LOCKDEP = DEBUG and _fragment_wants_lockdep()

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

    def run(self, cmd, timeout=900, env=(), append=None):
        """Run cmd (a list) in a fresh VM; return (rc, stdout, stderr).
        On the debug kernel the command runs under DEBUG_WRAP, and the
        guest's kernel log and kmemleak's findings are checked after it."""
        timeout *= TIMEOUT_SCALE
        vmcmd = [os.path.join(SRC, "kernel", "vm-run.sh"),
                 "--kernel", self.build(), "--timeout", str(timeout),
                 "--cwd", SRC]
        if append:
            vmcmd += ["--append", append]
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
# The automatic scan thread is stopped (scan=off): under TCG a scan takes
# long, and only the scans around the command are read.
DEBUG_WRAP = r"""
km=/sys/kernel/debug/kmemleak
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
if [ -w $km ]; then echo scan=off > $km; echo scan > $km; echo clear > $km; fi
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
    if not LOCKDEP:
        if m:
            fail("%s: lockdep is on in the guest, but "
                 "kernel/config-debug.fragment does not ask for it: "
                 "not the kernel this test expects" % what)
    elif not m or m.group(1) != "1":
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
        "(no unreferenced object), %s, guest dmesg %d lines with no "
        "BUG/WARNING/KASAN/lockdep/kmemleak report"
        % (what[:60], "lockdep still on (debug_locks 1)" if LOCKDEP
           else "lockdep not built (config-debug.fragment)",
           len(dmesg.splitlines())))
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


# verify20-noqueue: the tap gets the noqueue qdisc (default_qdisc, which the
# tap's queues get when it comes up), so that no qdisc sits between queue
# selection and transmission and the kernel carries the hash without an skb
# extension (patch 0002, tun_vnet_hash_direct()). The shell reads the sysctl
# back and says so on stderr; the check insists on it.
NOQUEUE_SH = ('echo noqueue > /proc/sys/net/core/default_qdisc && '
              'q=$(cat /proc/sys/net/core/default_qdisc) && '
              '[ "$q" = noqueue ] && echo "default_qdisc=$q" >&2 && exec "$@"')


def check_verify(vm, args, hdr, one_queue=False, noqueue=False):
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
        if noqueue:
            cmd = ["/bin/sh", "-c", NOQUEUE_SH, "sh"] + cmd
            desc += ", noqueue qdisc"
        rc, out, err = vm.run(cmd)
        if noqueue and "default_qdisc=noqueue" not in err:
            fail("%s: the VM did not switch default_qdisc to noqueue (exit %d)"
                 "\n%s" % (desc, rc, err[-2000:]))
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


def build_helper(args, script, outdir, what):
    """Run a build script of the tree (its path parts under SRC) into the
    work directory; return the path it prints last (the built binary)."""
    p = subprocess.run([os.path.join(SRC, *script),
                        os.path.join(workdir(args), outdir)],
                       stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        fail("building %s failed" % what)
    return p.stdout.strip().splitlines()[-1]


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
    out = check_binary(vm, args, build_helper(
        args, ["kernel", "kfunc-compat", "build.sh"], "kfunc-compat",
        "kernel/kfunc-compat"))
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


MECH_SCRIPT = r"""
# inside the VM: $VNETHASH, $PCAP, $CFG, $VMM, $DRIVER, $JOBDIR
for k in default all; do echo 1 > /proc/sys/net/ipv6/conf/$k/disable_ipv6; done
step() { n=$1; shift; echo "@@begin $n"; "$@"; echo "@@end $n $?"; }
step probe "$VNETHASH" probe --json
ip tuntap add dev mt0 mode tap multi_queue vnet_hdr || exit 3
ip link set dev mt0 mtu 65521 up || exit 3
step noreport "$VNETHASH" attach mt0 --no-report --mechanism kfunc $CFG
for m in kfunc progtype steer auto; do
    step attach-$m "$VNETHASH" attach mt0 --mechanism $m $CFG
    step show-$m "$VNETHASH" show mt0 --json
    step verify-$m "$VNETHASH" verify mt0 --pcap "$PCAP" --vnet-hdr 20 --json
    step detach-$m "$VNETHASH" detach mt0
done
ip link del mt0
for m in kfunc progtype steer; do
    step vhost-$m python3 "$DRIVER" --vmm "$VMM" --job "$JOBDIR/mech-$m.json"
done
"""

MECHS = ["kfunc", "progtype", "steer"]


def mech_sections(out):
    """{step name: (exit status, its stdout lines)} from MECH_SCRIPT."""
    secs, cur, lines = {}, None, []
    for line in out.splitlines():
        if line.startswith("@@begin "):
            cur, lines = line.split()[1], []
        elif line.startswith("@@end ") and cur:
            secs[cur] = (int(line.split()[2]), lines)
            cur = None
        elif cur:
            lines.append(line)
    return secs


def check_mechanism(vm, args):
    """The comparison patches 0020-0023 beside the kfunc, on one kernel,
    same frames, same configuration: `vnethash attach --mechanism M` for
    kfunc, progtype, steer and auto, then `vnethash verify` (C) reads every
    frame back from the tap; and examples/vhost-rx-vmm --mechanism M, the
    frames through vhost_net into its guest ring (tests/vm/vmm_driver.py).
    Every frame's queue, hash_value and hash_report are compared here with
    the Python model (tests/ref): kfunc and progtype must both equal it
    (so each other) on every frame, steer must carry no report."""
    nframes = 1500
    frames = vmm_frames(1010, nframes)
    rnd = random.Random(1011)
    key = bytes(rnd.randrange(256) for _ in range(40))
    pairs, uncl = 4, 3
    table = [i % pairs for i in range(128)]
    want = model(frames, VNH_ALL, key, table, uncl)
    cfg = "--queues %d --unclassified %d --key %s" % (pairs, uncl, key.hex())
    d = workdir(args)
    cap = os.path.join(d, "mech.pcap")
    framegen.write_pcap(cap, frames)
    for m in MECHS:
        exp = want if m != "steer" else [[q, 0, 0] for q, _, _ in want]
        job = {"scenario": "rss", "pairs": pairs, "hdr": 20, "pcap": cap,
               "vmm_args": ["--mechanism", m, "--unclassified", str(uncl),
                            "--key", key.hex()],
               "expect": {"A": exp}}
        with open(os.path.join(d, "mech-%s.json" % m), "w") as f:
            json.dump(job, f)
    script = os.path.join(d, "mech.sh")
    with open(script, "w") as f:
        f.write(MECH_SCRIPT)
    rc, out, err = vm.run(["/bin/sh", script], timeout=1500,
                          env=["VNETHASH=" + args.vnethash, "PCAP=" + cap,
                               "CFG=" + cfg, "VMM=" + vmm_exe(args),
                               "DRIVER=" + os.path.join(HERE, "vmm_driver.py"),
                               "JOBDIR=" + d, "PYTHONDONTWRITEBYTECODE=1"])
    secs = mech_sections(out)

    def step(name, want_rc=0):
        if name not in secs:
            fail("step %s did not run (exit %d)\n%s\n%s"
                 % (name, rc, out[-2000:], err[-3000:]))
        got_rc, lines = secs[name]
        if got_rc != want_rc:
            fail("%s: exit %d, wanted %d\n%s\n%s"
                 % (name, got_rc, want_rc, "\n".join(lines[-20:]),
                    err[-3000:]))
        return lines

    p = json.loads(step("probe")[-1])
    if not p.get("hash_kfunc") or not p.get("prog_type_vnet_hash"):
        fail("probe in the VM: want both the kfunc and "
             "BPF_PROG_TYPE_VNET_HASH: %s" % p)
    step("noreport", 2)
    log("ok - probe: kfunc and BPF_PROG_TYPE_VNET_HASH, auto -> %s; "
        "--no-report --mechanism kfunc is a usage error (exit 2)"
        % p["mechanism_auto"])

    seen = {}
    for m in MECHS + ["auto"]:
        used = p["mechanism_auto"] if m == "auto" else m
        step("attach-" + m)
        s = json.loads("\n".join(step("show-" + m)))
        want_rep = "off" if m == "steer" else "on"
        if s["mechanism"] != used or s["hash_reporting"] != want_rep:
            fail("--mechanism %s: show says mechanism %r, hash_reporting "
                 "%r; wanted %r, %r" % (m, s["mechanism"],
                                        s["hash_reporting"], used, want_rep))
        per = [json.loads(x) for x in step("verify-" + m)
               if x.startswith("{")]
        summary, per = per[-1]["summary"], per[:-1]
        if len(per) != nframes:
            fail("verify-%s: %d frame objects for %d frames"
                 % (m, len(per), nframes))
        got, reports = [], 0
        for i, (o, f, (q, h, rep)) in enumerate(zip(per, frames, want)):
            if o["result"] == "unsendable":
                if len(f) >= 14:
                    fail("%s: frame %d (%d bytes) unsendable" % (m, i, len(f)))
                got.append(None)
                continue
            if o["queue"] != q:
                fail("%s: frame %d on queue %s, the model says %d\n%s"
                     % (m, i, o["queue"], q, f.hex()))
            if used == "steer":
                if o["kernel_report"] is not None:
                    fail("steer: frame %d carries a hash: %s" % (i, o))
                got.append((o["queue"], None, None))
                continue
            if o["kernel_report"] != REPORTS[rep] or \
                    int(o["kernel_hash"], 16) != h:
                fail("%s: frame %d: tap header %s/%s, model 0x%08x/%s\n%s"
                     % (m, i, o["kernel_hash"], o["kernel_report"], h,
                        REPORTS[rep], f.hex()))
            reports += rep != 0
            got.append((o["queue"], o["kernel_hash"], o["kernel_report"]))
        step("detach-" + m)
        sent = sum(1 for g in got if g is not None)
        if sent < nframes * 9 // 10 or summary["received"] != sent or \
                summary["lost"] or summary["duplicates"]:
            fail("verify-%s: %d of %d frames sendable, summary %s"
                 % (m, sent, nframes, summary))
        if used != "steer" and reports < sent // 2:
            fail("%s: only %d of %d frames with a hash" % (m, reports, sent))
        seen[m] = got
        log("ok - tap, --mechanism %s (%s): %d frames read back on the "
            "model's queue; %s" % (m, used, sent,
                                   "no hash in any header" if used == "steer"
                                   else "%d with the model's hash and "
                                   "report, %d NONE" % (reports,
                                                        sent - reports)))
    if seen["kfunc"] != seen["progtype"]:
        i = [k for k, (a, b) in enumerate(zip(seen["kfunc"],
                                              seen["progtype"])) if a != b][0]
        fail("tap: kfunc and progtype differ on frame %d: %s vs %s"
             % (i, seen["kfunc"][i], seen["progtype"][i]))
    log("ok - tap: kfunc and progtype delivered the same queue, hash_value "
        "and hash_report for all %d frames"
        % sum(1 for g in seen["kfunc"] if g))

    for m in MECHS:
        summ = None
        for line in step("vhost-" + m):
            if line.startswith('{"summary"'):
                summ = json.loads(line)["summary"]
        if summ is None or not summ["ok"]:
            fail("vhost-%s: %s" % (m, summ))
        if summ.get("mechanism") != m:
            fail("vhost-%s: the VMM attached mechanism %r"
                 % (m, summ.get("mechanism")))
        if summ["sent"] < nframes * 9 // 10 or summ["missing"] or \
                summ["hash_reports_checked"] != summ["sent"]:
            fail("vhost-%s: %s" % (m, summ))
        log("ok - vhost_net, vhost-rx-vmm --mechanism %s: %d frames in the "
            "guest ring, each on the model's queue with %s"
            % (m, summ["sent"], "hash_report NONE, hash 0" if m == "steer"
               else "the model's hash_value/hash_report"))
    log("ok - through vhost_net kfunc and progtype both equal the model on "
        "every frame, so each other")


BENCH_CONFIGS = [[], ["--qdisc", "noqueue"], ["--queues", "1"]]
BENCH_ARGS = ["--repeat", "20000", "--frames", "4000", "--rounds", "5"]


def check_bench_mechanism(vm, args):
    """bench/bench_mechanism in one VM: the table of docs/kernel-design.md
    for a 4-queue tap with the default root qdisc, with noqueue, and for a
    single-queue tap. The bench itself fails on a lost frame or a report
    where there should be none (or none where there should be one); here
    every row must have been measured."""
    exe = os.path.join(args.builddir, "bench", "bench_mechanism")
    d = workdir(args)
    script = os.path.join(d, "bench-mech.sh")
    with open(script, "w") as f:
        f.write("set -e\n")
        for c in BENCH_CONFIGS:
            cmd = " ".join([exe] + BENCH_ARGS + c)
            f.write("echo '$ %s'\n%s\n" % (cmd, cmd))
    rc, out, err = vm.run(["/bin/sh", script], timeout=1800)
    sys.stdout.write(out)
    if rc != 0:
        fail("bench_mechanism in the VM: exit %d\n%s" % (rc, err[-3000:]))
    tables = out.split("$ ")[1:]
    if len(tables) != len(BENCH_CONFIGS):
        fail("%d tables for %d configurations" % (len(tables),
                                                  len(BENCH_CONFIGS)))
    for t in tables:
        for m in ("steer", "kfunc", "progtype"):
            if not any(line.startswith(m + " ") and "not available" not in line
                       for line in t.splitlines()):
                fail("bench_mechanism measured no %s row:\n%s" % (m, t))
    log("ok - bench_mechanism: steer, kfunc and progtype measured in %d "
        "configurations (numbers above; TCG: compare rows, not hosts)"
        % len(BENCH_CONFIGS))


# ---- the series' claims (issue 8 item 5): owner, gso, vnetbe, xdp, failslab --
# tests/vm/claims_vm.py sets things up in the VM and prints what the taps'
# queues got; the expectation is computed here with the Python model.

VIRTIO_NET_HDR_F_NEEDS_CSUM = 1
GSO_NONE, GSO_TCPV4, GSO_TCPV6 = 0, 1, 4


def vnet_hdr(hexs, big_endian=False):
    """The 20-byte header a tap's reader got: the virtio_net_hdr fields in
    the header's byte order, num_buffers and the hash fields little endian
    (they only exist in VERSION_1 headers)."""
    b = bytes.fromhex(hexs)
    import struct
    e = ">" if big_endian else "<"
    hdr_len, gso_size, csum_start, csum_offset = struct.unpack_from(
        e + "4H", b, 2)
    num_buffers, lo, hi, report, padding = struct.unpack_from("<5H", b, 10)
    return {"flags": b[0], "gso_type": b[1], "hdr_len": hdr_len,
            "gso_size": gso_size, "csum_start": csum_start,
            "csum_offset": csum_offset, "num_buffers": num_buffers,
            "hash": lo | hi << 16, "report": report, "padding": padding,
            "raw": b}


def distinct_frames(seed, count):
    """count distinct mixed frames a tap can send (14..1514 bytes)."""
    g = framegen.FrameGen(seed)
    out, seen = [], set()
    while len(out) < count:
        f = g.frame()[0]
        if 14 <= len(f) <= 1514 and f not in seen:
            seen.add(f)
            out.append(f)
    return out


def run_claims(vm, args, name, job, timeout=900, append=None):
    d = workdir(args)
    jpath = os.path.join(d, "claims-%s.json" % name)
    with open(jpath, "w") as f:
        json.dump(job, f)
    rc, out, err = vm.run(["python3", os.path.join(HERE, "claims_vm.py"),
                           jpath], timeout=timeout, append=append,
                          env=["VNETHASH=" + args.vnethash,
                               "PYTHONDONTWRITEBYTECODE=1"])
    rx, info, done = [], [], False
    for line in out.splitlines():
        if not line.startswith("{"):
            continue
        o = json.loads(line)
        if "rx" in o:
            rx.append(o["rx"])
        elif "info" in o:
            info.append(o["info"])
        elif o.get("done"):
            done = True
    if rc != 0 or not done:
        fail("%s: claims_vm.py exit %d\n%s\n%s" % (name, rc, out[-2000:],
                                                   err[-3000:]))
    return rx, info


def only_copy(got, i, desc, frame):
    """The one copy of frame i that by_frame() found; fail on 0 or 2+."""
    copies = got.get(i, [])
    if len(copies) != 1:
        fail("%s arrived %d times\n%s" % (desc, len(copies), frame.hex()))
    return copies[0]


def by_frame(rx, phase):
    got = {}
    for r in rx:
        if r["phase"] == phase:
            got.setdefault(r["i"], []).append(r)
    return got


def check_hash_hdr(desc, h, want_hash, want_report):
    if h["report"] != want_report or h["hash"] != want_hash or \
            h["num_buffers"] or h["padding"]:
        fail("%s: header %s: hash 0x%08x report %d (num_buffers %d, "
             "padding %d), want 0x%08x/%d" % (desc, h["raw"].hex(),
                                               h["hash"], h["report"],
                                               h["num_buffers"],
                                               h["padding"], want_hash,
                                               want_report))


def check_zero_hdr(desc, h):
    if any(h["raw"]):
        fail("%s: header %s, want 20 zero bytes (no offload, report NONE, "
             "hash 0, no stale byte)" % (desc, h["raw"].hex()))


def check_owner(vm, args):
    """A packet carrying tap A's hash (A's steering program reported it)
    mirred from A's qdisc into tap B: B never reports A's hash. Three ways
    into B: ndo_select_queue (2 queues, no program: the extension is
    dropped there), a single-queue tap without a program (no queue
    selection: only tun_put_user()'s owner check), and skbedit
    queue_mapping on B's egress (skip_txqueue: again only the owner
    check); and B with its own program and key: B's hash, not A's."""
    per = 60
    rnd = random.Random(8)
    key_e = bytes(rnd.randrange(256) for _ in range(40))
    phases = [["mirror-mq", "mirror", "ownB", 2],
              ["redirect-1q", "redirect", "ownC", 1],
              ["mirror-skipq", "mirror", "ownD", 2],
              ["mirror-prog", "mirror", "ownE", 2]]
    frames = distinct_frames(880, per * len(phases))
    cap = os.path.join(workdir(args), "owner.pcap")
    framegen.write_pcap(cap, frames)
    rx, info = run_claims(vm, args, "owner", {
        "scenario": "owner", "pcap": cap, "key_e": key_e.hex(),
        "phases": phases})
    for k, (phase, action, target, _) in enumerate(phases):
        got = by_frame(rx, phase)
        with_a_hash = 0
        for i in range(per):
            f = frames[k * per + i]
            copies = got.get(i, [])
            desc = "%s: frame %d" % (phase, i)
            on_a = [c for c in copies if c["dev"] == "ownA"]
            on_t = [c for c in copies if c["dev"] == target]
            if len(on_t) != 1 or len(on_a) != (action == "mirror") or \
                    len(copies) != len(on_a) + len(on_t):
                fail("%s: arrived %s, want once on %s%s\n%s"
                     % (desc, [(c["dev"], c["q"]) for c in copies], target,
                        " and once on ownA" if action == "mirror" else
                        " only", f.hex()))
            h_a, rep_a, q_a = expected(f, VNH_ALL, DEFAULT_KEY, 2, 128, 0)
            if rep_a:
                with_a_hash += 1
            if on_a:
                check_hash_hdr(desc + " on ownA", vnet_hdr(on_a[0]["hdr"]),
                               h_a, rep_a)
                if on_a[0]["q"] != q_a:
                    fail("%s on ownA: queue %d, model %d"
                         % (desc, on_a[0]["q"], q_a))
            t = vnet_hdr(on_t[0]["hdr"])
            if target == "ownE":
                h_e, rep_e, q_e = expected(f, VNH_ALL, key_e, 2, 128, 0)
                check_hash_hdr(desc + " on ownE", t, h_e, rep_e)
                if on_t[0]["q"] != q_e:
                    fail("%s on ownE: queue %d, model %d"
                         % (desc, on_t[0]["q"], q_e))
            else:
                check_zero_hdr(desc + " on " + target, t)
                if target == "ownD" and on_t[0]["q"] != 1:
                    fail("%s on ownD: queue %d, skbedit says 1"
                         % (desc, on_t[0]["q"]))
        if with_a_hash < per // 2:
            fail("%s: only %d of %d frames had a hash from A's program"
                 % (phase, with_a_hash, per))
        log("ok - owner %s (%s into %s): %d frames, %d with A's hash; %s"
            % (phase, action, target, per, with_a_hash,
               "ownE reported its own program's hash (its key), on its "
               "model queue" if target == "ownE" else
               "every copy in %s: report NONE, hash 0, header all zero%s"
               % (target, " (queue 1, skbedit)" if target == "ownD" else "")
               + ("; ownA got each frame with the model's hash and queue"
                  if action == "mirror" else "; ownA got none")))
    outq = [i["outq"] for i in info if "outq" in i]
    if outq != [0]:
        fail("owner: the sending socket still holds %s bytes of frames "
             "(skbs not freed)" % outq)
    log("ok - owner: every sent skb freed (sender's wmem back to 0)")


def gso_flows(rnd, count, v6_from):
    return [{"family": 6 if k >= v6_from else 4,
             "sport": rnd.randrange(1024, 65536),
             "dport": rnd.randrange(1, 65536),
             "seq": rnd.randrange(1, 1 << 30), "bytes": 8000}
            for k in range(count)]


def tcp_fields(frame):
    import struct
    et = struct.unpack_from("!H", frame, 12)[0]
    if et == 0x0800:
        l4 = 14 + (frame[14] & 15) * 4
        end = 14 + struct.unpack_from("!H", frame, 16)[0]
        pseudo = frame[26:34] + struct.pack("!BBH", 0, 6, end - l4)
    else:
        l4 = 54
        end = 54 + struct.unpack_from("!H", frame, 18)[0]
        pseudo = frame[22:54] + struct.pack("!IBBBB", end - l4, 0, 0, 0, 6)
    sport, dport, seq = struct.unpack_from("!HHI", frame, l4)
    doff = (frame[l4 + 12] >> 4) * 4
    return {"l4": l4, "sport": sport, "dport": dport, "seq": seq,
            "payload": frame[l4 + doff:end], "end": end,
            "csum_ok": framegen._csum(pseudo + frame[l4:end]) == 0}


def flow_data(k, size):
    return bytes((j * 7 + k * 13) & 0xFF for j in range(size))


def check_gso_phase(rx, info, phase, mss):
    """Every frame of every flow: the model's hash, report and queue; the
    payload reassembled by sequence number equals what the socket sent;
    with TSO (offload) GSO frames with gso_size = MSS, without it
    software segments no larger than the MSS with a valid checksum."""
    name, offload, endian = phase["name"], phase["offload"], phase["endian"]
    be = endian == "be"
    got = by_frame(rx, name)
    gso_frames = data_frames = 0
    for k, fl in enumerate(phase["flows"]):
        frames = got.get(k, [])
        data = flow_data(k, fl["bytes"])
        buf = bytearray(len(data))
        have = bytearray(len(data))
        flow_gso = 0
        for r in frames:
            f = bytes.fromhex(r["frame"])
            desc = "%s flow %d (%s) frame %s" % (name, k, "IPv6" if
                                                 fl["family"] == 6 else
                                                 "IPv4", f[:80].hex())
            h = vnet_hdr(r["hdr"], be)
            hv, rep, q = expected(f, VNH_ALL, DEFAULT_KEY, 2, 128, 0)
            want = ("tcpv6", "tcpv6_ex") if fl["family"] == 6 else ("tcpv4",)
            if REPORTS[rep] not in want:
                fail("%s: the model says report %d" % (desc, rep))
            check_hash_hdr(desc, h, hv, rep)
            if r["q"] != q:
                fail("%s: queue %d, model %d" % (desc, r["q"], q))
            t = tcp_fields(f)
            n = len(t["payload"])
            if n:
                data_frames += 1
            off = (t["seq"] - fl["seq"]) & 0xFFFFFFFF
            if off + n > len(data):
                fail("%s: payload at offset %d+%d beyond the %d bytes sent"
                     % (desc, off, n, len(data)))
            buf[off:off + n] = t["payload"]
            have[off:off + n] = b"\1" * n
            if h["gso_type"] != GSO_NONE:
                gt = GSO_TCPV6 if fl["family"] == 6 else GSO_TCPV4
                if not offload or h["gso_type"] != gt or \
                        h["gso_size"] != mss or n <= mss:
                    fail("%s: GSO header %s (gso_type %d, gso_size %d) on "
                         "%d payload bytes, %s" % (desc, h["raw"].hex(),
                                                   h["gso_type"],
                                                   h["gso_size"], n,
                                                   "TSO on" if offload else
                                                   "no offload"))
                flow_gso += 1
            elif n > mss:
                fail("%s: %d payload bytes without GSO (MSS %d)"
                     % (desc, n, mss))
            if offload and n:
                if h["flags"] != VIRTIO_NET_HDR_F_NEEDS_CSUM or \
                        h["csum_start"] != t["l4"] or h["csum_offset"] != 16:
                    fail("%s: flags %d csum_start %d csum_offset %d, want "
                         "NEEDS_CSUM %d 16 (%s endian)"
                         % (desc, h["flags"], h["csum_start"],
                            h["csum_offset"], t["l4"], endian))
            if not offload:
                if h["flags"] or any(h["raw"][:10]):
                    fail("%s: header %s without offloads"
                         % (desc, h["raw"].hex()))
                if not t["csum_ok"]:
                    fail("%s: TCP checksum of the software segment wrong"
                         % desc)
        if bytes(buf) != data or not all(have):
            fail("%s flow %d: %d of %d bytes received, content %s"
                 % (name, k, sum(have), len(data),
                    "equal" if bytes(buf) == data else "differs"))
        if offload and not flow_gso:
            fail("%s flow %d: no GSO frame with TSO on" % (name, k))
        gso_frames += flow_gso
    inf = [i for i in info if i.get("phase") == name][0]
    return gso_frames, data_frames, inf


def gso_job(seed, phases):
    rnd = random.Random(seed)
    return {"scenario": "gso", "mss": 1000,
            "phases": [{"name": n, "offload": o, "endian": e,
                        "flows": gso_flows(rnd, 6, 3)}
                       for n, o, e in phases]}


def check_gso(vm, args):
    """TCP from the stack out through a 2-queue tap with a reporting
    program. TUNSETOFFLOAD with TSO: the reader gets GSO frames (virtio
    GSO header) with the flow's hash. Without: the stack segments after
    queue selection, and every software segment carries the hash the
    program reported for the GSO packet (the extension is copied)."""
    job = gso_job(31, [("tso", True, "native"), ("segmented", False,
                                                   "native")])
    rx, info = run_claims(vm, args, "gso", job)
    g1, d1, i1 = check_gso_phase(rx, info, job["phases"][0], job["mss"])
    log("ok - gso, TUNSETOFFLOAD TSO4|TSO6|CSUM: 6 TCP flows (3 IPv4, 3 "
        "IPv6) of 8,000 bytes, %d frames with data, %d of them GSO "
        "(gso_size 1000, NEEDS_CSUM); every frame's hash/report/queue equal "
        "to the model; data intact (%d program runs)" % (d1, g1, i1["runs"]))
    g2, d2, i2 = check_gso_phase(rx, info, job["phases"][1], job["mss"])
    if i2["runs"] >= d2:
        fail("segmented: the program ran %d times for %d segments: the "
             "stack did not segment after queue selection, so this did not "
             "test the extension on segments" % (i2["runs"], d2))
    log("ok - gso, no offload: %d software segments (checksums valid, no "
        "GSO header) from %d program runs, every segment with its flow's "
        "hash, report and queue from the model" % (d2, i2["runs"]))


def check_vnetbe(vm, args):
    """TUNSETVNETBE / TUNSETVNETLE with a 20-byte header and TSO: the
    virtio_net_hdr fields (hdr_len, gso_size, csum_start, csum_offset)
    follow the setting; hash_value and hash_report are little endian
    whatever it says (they exist only in VERSION_1 headers)."""
    job = gso_job(32, [("be", True, "be"), ("le", True, "le")])
    rx, info = run_claims(vm, args, "vnetbe", job)
    for ph in job["phases"]:
        g, d, inf = check_gso_phase(rx, info, ph, job["mss"])
        want = {"be": {"setbe": 0, "getbe": 1, "getle": 0},
                "le": {"setbe": 0, "getbe": 0, "getle": 1}}[ph["name"]]
        bad = {k: (inf[k], v) for k, v in want.items() if inf[k] != v}
        if bad:
            fail("%s: ioctl results (got, want) %s" % (ph["name"], bad))
        log("ok - TUNSETVNET%s: %d GSO frames (%d with data): gso_size, "
            "csum_start/offset %s endian, hash_value/hash_report little "
            "endian and equal to the model"
            % (ph["name"].upper(), g, d, "big" if ph["name"] == "be" else
               "little"))


def check_xdp(vm, args):
    """Frames redirected into the tap by XDP on a veth (bpf_redirect),
    20-byte header. Native XDP hands tun an xdp_frame (ndo_xdp_xmit): no
    steering run, report NONE, the header all zero. Generic (skb) XDP
    transmits an skb through netdev_core_pick_tx(): steered and reported
    like any transmitted packet. Frames sent to the tap directly: the
    positive control."""
    per = 60
    phases = ["direct", "xdp-drv", "xdp-generic"]
    frames = distinct_frames(990, per * len(phases))
    cap = os.path.join(workdir(args), "xdp.pcap")
    framegen.write_pcap(cap, frames)
    rx, info = run_claims(vm, args, "xdp", {"scenario": "xdp", "pcap": cap,
                                            "phases": phases})
    for k, phase in enumerate(phases):
        got = by_frame(rx, phase)
        reports = 0
        for i in range(per):
            f = frames[k * per + i]
            desc = "%s: frame %d" % (phase, i)
            copy = only_copy(got, i, desc, f)
            h = vnet_hdr(copy["hdr"])
            if phase == "xdp-drv":
                check_zero_hdr(desc, h)
                continue
            hv, rep, q = expected(f, VNH_ALL, DEFAULT_KEY, 2, 128, 0)
            check_hash_hdr(desc, h, hv, rep)
            if copy["q"] != q:
                fail("%s: queue %d, model %d" % (desc, copy["q"], q))
            reports += rep != 0
        runs = [i["runs"] for i in info if i.get("phase") == phase and
                "runs" in i][0]
        if phase == "xdp-drv":
            if runs:
                fail("xdp-drv: the steering program ran %d times" % runs)
            log("ok - native XDP redirect into the tap: %d frames, each "
                "once, header all zero (report NONE, hash 0), the steering "
                "program never ran" % per)
        else:
            if runs < per:
                fail("%s: %d program runs for %d frames" % (phase, runs, per))
            log("ok - %s: %d frames, hash/report/queue equal to the model "
                "(%d with a hash)" % ("generic (skb) XDP redirect into the "
                                      "tap" if phase == "xdp-generic" else
                                      "sent to the tap directly", per,
                                      reports))


# udptunnel: UDP tunnel GSO (VXLAN framing) with 24-byte headers. Offsets
# are from the start of the frame (outer Ethernet header).
VIRTIO_NET_HDR_F_UDP_TUNNEL_CSUM = 8
GSO_UDP_TUNNEL_IPV4, GSO_UDP_TUNNEL_IPV6 = 0x20, 0x40
VXLAN_PORT = 4789
TUNNEL_MSS = 1000


def csum_fold(data):
    """The folded one's complement sum of data (not inverted): what a
    CHECKSUM_PARTIAL checksum field holds for its pseudo header."""
    return ~framegen._csum(data) & 0xFFFF


def pseudo_header(frame, l3, l4, proto):
    """The pseudo header of the L4 header at l4 (to the end of the frame)
    inside the IPv4/IPv6 header at l3."""
    import struct
    n = len(frame) - l4
    if frame[l3] >> 4 == 4:
        return frame[l3 + 12:l3 + 20] + struct.pack("!BBH", 0, proto, n)
    return frame[l3 + 8:l3 + 40] + struct.pack("!IBBBB", n, 0, 0, 0, proto)


def tunnel_hdr(flags, gso_type, hdr_len, gso_size, csum_start, csum_offset,
               hash_value, report, outer_th, inner_nh):
    """A virtio_net_hdr_v1_hash_tunnel, little endian (num_buffers and
    padding 0)."""
    import struct
    return struct.pack("<BB4HH4H2H", flags, gso_type, hdr_len, gso_size,
                       csum_start, csum_offset, 0, hash_value & 0xFFFF,
                       hash_value >> 16, report, 0, outer_th, inner_nh)


def tunnel_frame(fl, seq, data):
    """A VXLAN frame as a guest hands one over for UDP tunnel GSO: outer
    Ethernet/IPv4|IPv6/UDP 4789/VXLAN, inner Ethernet/IPv4|IPv6/TCP with
    data; the inner TCP checksum field (and with tunnel csum the outer
    UDP one) holds the pseudo header's sum. Returns the frame, its 24-byte
    header and the offsets."""
    import struct
    fg = framegen
    tcp = bytearray(fg.tcp(fl["sport"], fl["dport"], seq=seq, ack=1000,
                           data=data))
    if fl["inner"] == 4:
        inner = fg.ipv4(fl["isrc"], fl["idst"], 6, tcp, flags=2)
        ieth = fg.eth(inner, fg.ETH_P_IP, dst=fl["imac"][0],
                      src=fl["imac"][1])
    else:
        inner = fg.ipv6(fl["isrc"], fl["idst"], 6, tcp)
        ieth = fg.eth(inner, fg.ETH_P_IPV6, dst=fl["imac"][0],
                      src=fl["imac"][1])
    udp = fg.udp(fl["osport"], VXLAN_PORT,
                 struct.pack("!II", 0x08000000, fl["vni"] << 8) + ieth)
    if fl["outer"] == 4:
        frame = fg.eth(fg.ipv4(fl["osrc"], fl["odst"], 17, udp, flags=2),
                       fg.ETH_P_IP)
        outer_th = 14 + 20
    else:
        frame = fg.eth(fg.ipv6(fl["osrc"], fl["odst"], 17, udp),
                       fg.ETH_P_IPV6)
        outer_th = 14 + 40
    frame = bytearray(frame)
    inner_nh = outer_th + 8 + 8 + 14
    inner_th = inner_nh + (20 if fl["inner"] == 4 else 40)
    struct.pack_into("!H", frame, inner_th + 16, csum_fold(
        pseudo_header(frame, inner_nh, inner_th, 6)))
    flags = VIRTIO_NET_HDR_F_NEEDS_CSUM
    if fl["csum"]:
        struct.pack_into("!H", frame, outer_th + 6, csum_fold(
            pseudo_header(frame, 14, outer_th, 17)))
        flags |= VIRTIO_NET_HDR_F_UDP_TUNNEL_CSUM
    gso_type = (GSO_TCPV4 if fl["inner"] == 4 else GSO_TCPV6) | \
        (GSO_UDP_TUNNEL_IPV4 if fl["outer"] == 4 else GSO_UDP_TUNNEL_IPV6)
    # hash fields of the transmit header: ignored (a pattern, so that a
    # report copied from them would show)
    hdr = tunnel_hdr(flags, gso_type, inner_th + 20, TUNNEL_MSS, inner_th,
                     16, 0x5A5A5A5A, 7, outer_th, inner_nh)
    return bytes(frame), hdr, {"outer_th": outer_th, "inner_nh": inner_nh,
                               "inner_th": inner_th, "flags": flags,
                               "gso_type": gso_type}


def tunnel_segment(desc, s, w):
    """Check one segment s of the written frame w: headers as written but
    for lengths, IP ids and TCP seq/flags; every checksum valid (a partial
    inner TCP checksum completed first, as the guest's device would).
    Returns (TCP sequence offset, payload)."""
    import struct
    f, o, fl = w["frame"], w["off"], w["flow"]
    oth, inh, ith = o["outer_th"], o["inner_nh"], o["inner_th"]
    s = bytearray(s)
    if w.get("complete"):
        struct.pack_into("!H", s, ith + 16, framegen._csum(bytes(s[ith:])))
    bad = []
    if s[:14] != f[:14] or s[oth + 8:inh] != f[oth + 8:inh]:
        bad.append("outer Ethernet, VXLAN or inner Ethernet header changed")
    for l3, l4, proto in ((14, oth, 17), (inh, ith, 6)):
        if s[l3] >> 4 == 4:
            if struct.unpack_from("!H", s, l3 + 2)[0] != len(s) - l3 or \
                    framegen._csum(bytes(s[l3:l3 + 20])) or \
                    s[l3 + 9] != proto or s[l3 + 12:l3 + 20] != \
                    f[l3 + 12:l3 + 20]:
                bad.append("IPv4 header at %d" % l3)
        elif struct.unpack_from("!H", s, l3 + 4)[0] != len(s) - l3 - 40 \
                or s[l3 + 6] != proto or \
                s[l3 + 8:l3 + 40] != f[l3 + 8:l3 + 40]:
            bad.append("IPv6 header at %d" % l3)
    if s[oth:oth + 4] != f[oth:oth + 4] or \
            struct.unpack_from("!H", s, oth + 4)[0] != len(s) - oth:
        bad.append("outer UDP ports or length")
    ucheck = struct.unpack_from("!H", s, oth + 6)[0]
    if fl["csum"]:
        if framegen._csum(pseudo_header(s, 14, oth, 17) + s[oth:]):
            bad.append("outer UDP checksum 0x%04x invalid" % ucheck)
    elif ucheck:
        bad.append("outer UDP checksum 0x%04x, written 0" % ucheck)
    if s[ith:ith + 4] != f[ith:ith + 4] or (s[ith + 12] >> 4) != 5:
        bad.append("inner TCP ports or data offset")
    if framegen._csum(pseudo_header(s, inh, ith, 6) + s[ith:]):
        bad.append("inner TCP checksum invalid")
    payload = bytes(s[ith + 20:])
    if not 0 < len(payload) <= TUNNEL_MSS:
        bad.append("%d payload bytes (MSS %d)" % (len(payload), TUNNEL_MSS))
    if bad:
        fail("%s: %s\n%s" % (desc, "; ".join(bad),
                             bytes(s[:ith + 20]).hex()))
    seq = struct.unpack_from("!I", s, ith + 4)[0]
    return (seq - w["seq"]) & 0xFFFFFFFF, payload


def tunnel_flows(rnd):
    """8 flows: outer IPv4/IPv6 x inner IPv4/IPv6 x without/with the outer
    UDP checksum (VIRTIO_NET_HDR_F_UDP_TUNNEL_CSUM)."""
    def addr(v):
        return bytes([10 if v == 4 else 0xFD] + [
            rnd.randrange(256) for _ in range(3 if v == 4 else 15)])

    out = []
    for outer in (4, 6):
        for inner in (4, 6):
            for csum in (False, True):
                out.append({"outer": outer, "inner": inner, "csum": csum,
                            "osrc": addr(outer), "odst": addr(outer),
                            "isrc": addr(inner), "idst": addr(inner),
                            "osport": rnd.randrange(49152, 65536),
                            "vni": rnd.randrange(1, 1 << 24),
                            "imac": (bytes.fromhex("0200000000a1"),
                                     bytes.fromhex("0200000000a2")),
                            "sport": rnd.randrange(1024, 65536),
                            "dport": rnd.randrange(1, 65536),
                            "seq": rnd.randrange(1, 1 << 30)})
    return out


TUNNEL_PHASES = [
    ("tunnel-gso", ["csum", "tso4", "tso6", "udp_tunnel_gso",
                    "udp_tunnel_gso_csum"]),
    ("tso-no-tunnel", ["csum", "tso4", "tso6"]),
    ("no-offload", []),
]


def check_udptunnel(vm, args):
    """UDP tunnel GSO next to the hash, with 24-byte headers (struct
    virtio_net_hdr_v1_hash_tunnel). VXLAN-framed TCP GSO frames (outer
    IPv4/IPv6, inner IPv4/IPv6, with and without the outer UDP checksum)
    written into tap utA with their tunnel header; utA's ingress redirects
    them (matchall, mirred) to utB, whose program reports the hash of the
    outer UDP packet. utB with UDP tunnel GSO offload: each frame once,
    byte for byte, its header = the tunnel fields tun_vnet.h computes
    (outer_th_offset, inner_nh_offset, gso_type with UDP_TUNNEL_IPV4/6,
    UDP_TUNNEL_CSUM) + the model's hash_value/hash_report; with TSO only
    and without offloads, the stack segments after queue selection and
    every segment carries the model's hash, tunnel fields zero, checksums
    valid, the payload whole. On the model's queue throughout; one
    program run per frame written."""
    rnd = random.Random(4789)
    flows = tunnel_flows(rnd)
    frames = []
    for k, fl in enumerate(flows):
        seq = fl["seq"]
        for j, size in enumerate((6000, 3500)):
            data = flow_data(2 * k + j, size)
            f, hdr, off = tunnel_frame(fl, seq, data)
            hv, rep, q = expected(f, VNH_ALL, DEFAULT_KEY, 2, 128, 0)
            # all types: UDPv6 hashes as udpv6_ex (the _EX types come
            # first when enabled), as TCPv6 does in check_gso_phase
            want = ("udpv4",) if fl["outer"] == 4 else ("udpv6", "udpv6_ex")
            if REPORTS[rep] not in want:
                fail("udptunnel flow %d: the model says report %s for the "
                     "outer packet, want %s" % (k, REPORTS[rep], want))
            frames.append({"flow": fl, "k": k, "seq": seq, "data": data,
                           "frame": f, "hdr": hdr, "off": off,
                           "model": (hv, rep, q)})
            seq = (seq + size) & 0xFFFFFFFF
    if {w["model"][2] for w in frames} != {0, 1}:
        fail("udptunnel: the model puts every flow on one queue: pick "
             "another seed")
    cap = os.path.join(workdir(args), "udptunnel.pcap")
    framegen.write_pcap(cap, [w["frame"] for w in frames])
    rx, info = run_claims(vm, args, "udptunnel", {
        "scenario": "udptunnel", "pcap": cap,
        "hdrs": [w["hdr"].hex() for w in frames],
        "phases": [{"name": n, "offload": o} for n, o in TUNNEL_PHASES]})
    last = info[-1]
    if last["dmesg"]:
        fail("udptunnel: kernel log: %s" % last["dmesg"])
    for name, offload in TUNNEL_PHASES:
        inf = [i for i in info if i.get("phase") == name][0]
        if inf["write_errors"]:
            fail("%s: writes into utA failed (index, errno): %s\n%s"
                 % (name, inf["write_errors"], last["utA"]))
        got = by_frame(rx, name)
        segments = 0
        for i, w in enumerate(frames):
            fl, o = w["flow"], w["off"]
            hv, rep, q = w["model"]
            desc = "%s: frame %d (flow %d: outer IPv%d, inner IPv%d%s)" % (
                name, i, w["k"], fl["outer"], fl["inner"],
                ", tunnel csum" if fl["csum"] else "")
            copies = got.get(i, [])
            for c in copies:
                if c["dev"] != "utB" or c["q"] != q:
                    fail("%s: arrived on %s queue %d, model queue %d"
                         % (desc, c["dev"], c["q"], q))
                check_hash_hdr(desc, vnet_hdr(c["hdr"]), hv, rep)
            if name == "tunnel-gso":
                c = only_copy(got, i, desc, w["frame"])
                # hdr_len: tun gives the length of the skb's linear part
                # (virtio_net_hdr_tnl_from_skb() without feature_hdrlen);
                # its write path (tun_alloc_skb()) copies a frame under a
                # page whole into it, else the hdr_len written
                hdr_len = len(w["frame"]) if len(w["frame"]) < 4096 else \
                    o["inner_th"] + 20
                want = tunnel_hdr(o["flags"], o["gso_type"], hdr_len,
                                  TUNNEL_MSS, o["inner_th"], 16, hv, rep,
                                  o["outer_th"], o["inner_nh"])
                if c["hdr"] != want.hex():
                    fail("%s: header %s, want %s (tunnel fields of the GSO "
                         "frame + the model's hash)"
                         % (desc, c["hdr"], want.hex()))
                if c["frame"] != w["frame"].hex():
                    fail("%s: the GSO frame differs from the one written"
                         % desc)
                continue
            # segments: TSO only: inner TCP checksum partial (NEEDS_CSUM
            # at the inner TCP header); no offload: all complete
            tso = "tso4" in offload
            want = tunnel_hdr(VIRTIO_NET_HDR_F_NEEDS_CSUM if tso else 0, 0,
                              0, 0, o["inner_th"] if tso else 0,
                              16 if tso else 0, hv, rep, 0, 0)
            buf = bytearray(len(w["data"]))
            have = bytearray(len(w["data"]))
            for c in copies:
                if c["hdr"] != want.hex():
                    fail("%s: segment header %s, want %s (no GSO, tunnel "
                         "fields 0, the model's hash)"
                         % (desc, c["hdr"], want.hex()))
                seq, payload = tunnel_segment(
                    desc, bytes.fromhex(c["frame"]), dict(w, complete=tso))
                if seq + len(payload) > len(buf) or any(
                        have[seq:seq + len(payload)]):
                    fail("%s: payload at %d+%d overlaps or is beyond the "
                         "%d bytes written" % (desc, seq, len(payload),
                                               len(buf)))
                buf[seq:seq + len(payload)] = payload
                have[seq:seq + len(payload)] = b"\1" * len(payload)
            n = -(-len(w["data"]) // TUNNEL_MSS)
            if len(copies) != n or bytes(buf) != w["data"] or \
                    not all(have):
                fail("%s: %d segments (want %d), %d of %d bytes, content %s"
                     % (desc, len(copies), n, sum(have), len(w["data"]),
                        "equal" if bytes(buf) == w["data"] else "differs"))
            segments += n
        if inf["runs"] != len(frames) or inf["kfunc_ok"] != len(frames):
            fail("%s: %d program runs, %d kfunc calls for %d frames written"
                 % (name, inf["runs"], inf["kfunc_ok"], len(frames)))
        q1 = sum(w["model"][2] for w in frames)
        if name == "tunnel-gso":
            log("ok - udptunnel, utB with UDP tunnel GSO (TUNSETOFFLOAD "
                "CSUM|TSO4|TSO6|UDP_TUNNEL_GSO|UDP_TUNNEL_GSO_CSUM): %d "
                "VXLAN GSO frames (8 flows: outer IPv4/IPv6 x inner "
                "IPv4/IPv6 x with/without UDP_TUNNEL_CSUM; 6000 and 3500 "
                "bytes, gso_size %d) written into utA with 24-byte headers "
                "and mirred to utB: each arrived once, byte for byte, its "
                "24-byte header = gso_type/flags/hdr_len/csum/outer_th_"
                "offset/inner_nh_offset of the GSO frame + the model's "
                "hash_value/hash_report (UDPv4/UDPv6_EX of the outer "
                "packet), on the model's queue (%d on queue 0, %d on 1); %d "
                "program runs" % (len(frames), TUNNEL_MSS, len(frames) - q1,
                                  q1, inf["runs"]))
        else:
            log("ok - udptunnel, utB with %s: %d frames written, %d "
                "segments from %d program runs (segmented after queue "
                "selection), every segment on its frame's model queue with "
                "the model's hash_value/hash_report, %s, tunnel fields 0; "
                "checksums valid (outer UDP where UDP_TUNNEL_CSUM), "
                "payload whole"
                % ("TSO only (CSUM|TSO4|TSO6)" if offload else "no offloads",
                   len(frames), segments, inf["runs"],
                   "NEEDS_CSUM at the inner TCP header" if offload else
                   "no other header field set"))


def check_failslab(vm, args):
    """failslab on skbuff_ext_cache (every allocation fails): every frame
    delivered, report NONE, exactly one failed allocation per frame the
    program reported a hash for, nothing kept (the sender's wmem returns
    to 0); before and after, the model's hash. Then the same failure on a
    tap with the noqueue qdisc: there the hash of a non-GSO frame goes
    through tun's per-CPU slot, so no allocation is tried and every frame
    carries the model's hash (a test that sees which carrier ran)."""
    per = 100
    frames = distinct_frames(555, per * 4)
    cap = os.path.join(workdir(args), "failslab.pcap")
    framegen.write_pcap(cap, frames)
    times = 100000
    rx, info = run_claims(vm, args, "failslab", {
        "scenario": "failslab", "pcap": cap, "times": times},
        append="slab_nomerge")
    first = info[0]
    if first["ext_cache_is_link"]:
        fail("skbuff_ext_cache is merged with another cache (cmdline %s)"
             % first["cmdline"])
    res = info[-1]
    nq = res["noqueue_qdiscs"]
    if "noqueue" not in nq or "pfifo" in nq or "fq_codel" in nq:
        fail("noqueue-fail: the tap's qdiscs are not noqueue:\n%s" % nq)
    nq_failed = res["times_set"] - res["noqueue_times_left"]
    if nq_failed:
        fail("noqueue-fail: %d extension allocations were tried and failed "
             "with no qdisc on the tap: the hash did not take the per-CPU "
             "slot" % nq_failed)
    if res["noqueue_runs"] != per or res["noqueue_kfunc_ok"] != per:
        fail("noqueue-fail: %d program runs, %d reports for %d frames"
             % (res["noqueue_runs"], res["noqueue_kfunc_ok"], per))
    hashed = 0
    for k, phase in enumerate(["before", "fail", "after", "noqueue-fail"]):
        got = by_frame(rx, phase)
        for i in range(per):
            f = frames[k * per + i]
            desc = "%s: frame %d" % (phase, i)
            copy = only_copy(got, i, desc, f)
            h = vnet_hdr(copy["hdr"])
            hv, rep, q = expected(f, VNH_ALL, DEFAULT_KEY, 2, 128, 0)
            if copy["q"] != q:
                fail("%s: queue %d, model %d" % (desc, copy["q"], q))
            if phase == "fail":
                check_zero_hdr(desc, h)
                hashed += rep != 0
            else:
                check_hash_hdr(desc, h, hv, rep)
    failed = res["times_set"] - res["times_left"]
    if failed != hashed:
        fail("failslab: %d injected failures, %d frames with a reported hash"
             % (failed, hashed))
    if res["outq"]:
        fail("failslab: the sender's socket still holds %d bytes: frames "
             "not freed" % res["outq"])
    if res["dmesg"]:
        fail("failslab: kernel log: %s" % res["dmesg"])
    m0, m1 = res["mem_before"], res["mem_after"]
    if m1["slab_kb"] - m0["slab_kb"] > 1024:
        fail("failslab: slab grew from %d to %d kB" % (m0["slab_kb"],
                                                       m1["slab_kb"]))
    log("ok - failslab on skbuff_ext_cache: %d frames delivered on the "
        "model's queue with report NONE and a zero header; %d allocations "
        "failed = %d frames the program reported a hash for; sender's wmem "
        "0 afterwards (nothing kept); slab %d -> %d kB; no kernel warning; "
        "the model's hash before and after (%d frames each)"
        % (per, failed, hashed, m0["slab_kb"], m1["slab_kb"], per))
    log("ok - failslab on skbuff_ext_cache, noqueue tap: %d frames, each "
        "once on the model's queue with the model's hash and report, %d "
        "program runs with a report, no allocation tried (the per-CPU slot "
        "carried every hash)" % (per, res["noqueue_kfunc_ok"]))


def check_tun_selftest(vm, args):
    """tools/testing/selftests/net/tun, patch 0008's tests (fixture
    tun_vnet_hash, test vnet_hash_hdr_layout), built from the kernel tree
    with its own headers."""
    binary = build_helper(args, ["kernel", "selftest-shim", "build-net-tun.sh"],
                          "selftest-net", "selftests/net/tun")
    rc, out, err = vm.run([binary, "-f", "tun_vnet_hash", "-t",
                           "vnet_hash_hdr_layout"])
    sys.stdout.write(out[-4000:])
    m = re.search(r"# PASSED: (\d+) / (\d+) tests passed", out)
    skipped = re.findall(r"^ok \d+ .* # SKIP", out, re.M)
    if rc != 0 or not m or m.group(1) != m.group(2) or skipped:
        fail("selftests/net/tun: exit %d, %s, skipped %s\n%s"
             % (rc, m.group(0) if m else "no summary", skipped, err[-2000:]))
    if int(m.group(2)) != 31:
        fail("selftests/net/tun: %s tests ran, want 31 (6 variants x 5 + "
             "the layout test)" % m.group(2))
    log("ok - selftests/net/tun (patch 0008): %s of %s tests passed, none "
        "skipped" % (m.group(1), m.group(2)))


CLAIM_CHECKS = {"owner": check_owner, "gso": check_gso, "vnetbe": check_vnetbe,
                "xdp": check_xdp, "failslab": check_failslab,
                "tun-selftest": check_tun_selftest,
                "udptunnel": check_udptunnel}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", required=True,
                    choices=["probe", "verify20", "verify20-noqueue",
                             "verify12", "reconfig",
                             "context", "memory", "steering", "onequeue",
                             "mechanism", "bench-mechanism"]
                    + list(CLAIM_CHECKS)
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
    elif args.check == "verify20-noqueue":
        check_verify(vm, args, 20, noqueue=True)
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
    elif args.check in CLAIM_CHECKS:
        CLAIM_CHECKS[args.check](vm, args)
    elif args.check == "steering":
        for b in ("test-steer-swap", "test-steer-live"):
            check_binary(vm, args, os.path.join(args.builddir, "tests", "bpf", b))
        for s in ("tests/tap/test_direct.py", "tests/tap/test_detach.py"):
            check_script(vm, args, s)


if __name__ == "__main__":
    main()
