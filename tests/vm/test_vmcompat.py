#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Issue 8 items 3 and 4 in a VM: the steering program loads where QEMU's
loads, and what the tool says the program does is what arrives in the
headers.

  test_vmcompat.py --vnethash PATH --builddir DIR [--kernel-variant V]

Boots Linux 7.3 + kernel/patches built with the `compat` variant
(kernel/build.sh --variant compat: no DEBUG_INFO_BTF, so no vmlinux or
module BTF; tun built as a module, loaded here with insmod) and, as a
loader holding CAP_BPF + CAP_NET_ADMIN (+ CAP_PERFMON) but not
CAP_SYS_ADMIN (setpriv). CAP_PERFMON: without it the verifier applies its
Spectre v1 rules to the program's variable-offset accesses (map value and
stack) and refuses it, whichever build; see the README's prerequisites.

  * `vnethash probe --json`: the program this loader gets is the build
    without the kfunc ("steering only", "no-kfunc"), and it says why the
    kfunc build did not load;
  * test-steer-variants: the kfunc build does not load, the library falls
    back, both builds steer like the library;
  * `vnethash attach` on a 4-queue tap; then (as root: reading a pinned
    instance's configuration needs BPF_MAP_GET_FD_BY_ID) `vnethash show
    --json`: "steering only", build "no-kfunc";
  * then (as root, with every capability) `vnethash verify` on that tap
    with 20-byte vnet headers: every frame on the library's queue and no
    hash report in any header, as show said. A program that reported would
    put a non-zero hash in the headers of the IP frames, which verify
    reports.

--kernel-variant default runs the same steps on the default 7.3 kernel
(BTF, tun built in) as the positive control: there the same loader's
program resolves the kfunc, probe and show say "steering + report", build
"kfunc", and every header verify reads carries the kernel's report, equal
to the library's hash.

Exit 0 when every assertion holds; 1 with a message otherwise.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "ref"))
import framegen  # noqa: E402

KVER = os.environ.get("VNETHASH_KERNEL_VERSION", "7.3")
CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_PERFMON, CAP_BPF = 12, 21, 38, 39

# The loader: uid 0 with only CAP_BPF and CAP_NET_ADMIN (bounding set and
# inheritable set cut, so exec gives it nothing else).
LOW = ("setpriv --inh-caps=-all --bounding-set=-all,+bpf,+net_admin,+perfmon"
       " --")

SCRIPT = r"""
set -e
[ -z "$MODDIR" ] || insmod "$MODDIR/tun.ko"
echo "tun: $(cat /sys/module/tun/initstate 2>/dev/null || echo '?')"
[ -e /sys/kernel/btf/vmlinux ] && echo "btf: vmlinux" || echo "btf: none"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
echo "lowcaps: $($LOW sh -c 'grep CapEff /proc/self/status')"
echo "== probe"
$LOW "$VNETHASH" probe --json
echo "== variants"
$LOW "$VARIANTS"
echo "== attach"
ip tuntap add dev ct0 mode tap multi_queue vnet_hdr
ip link set ct0 up
$LOW "$VNETHASH" attach ct0 --queues 4
echo "== show"
"$VNETHASH" show ct0 --json
echo "== verify"
"$VNETHASH" verify ct0 --pcap "$PCAP" --vnet-hdr 20 --json
echo "== end"
"""


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def log(msg):
    print(msg, flush=True)


def build_kernel(variant):
    compat = variant == "compat"
    if os.environ.get("VNETHASH_VM_KERNEL"):
        img = os.environ["VNETHASH_VM_KERNEL"]
    else:
        log("kernel: Linux %s, variant %s (kernel/build.sh; a build from "
            "scratch takes minutes)" % (KVER, variant))
        t0 = time.monotonic()
        p = subprocess.run([os.path.join(SRC, "kernel", "build.sh"), "-q",
                            "--kernel", KVER] +
                           (["--variant", "compat"] if compat else []),
                           stdout=subprocess.PIPE, text=True)
        if p.returncode != 0:
            fail("kernel/build.sh (variant %s) failed (exit %d)"
                 % (variant, p.returncode))
        img = p.stdout.strip().splitlines()[-1]
        log("kernel: %s (%.0fs)" % (img, time.monotonic() - t0))
    if not compat:
        return img, ""
    moddir = os.path.join(os.path.dirname(img), "modules")
    if not os.path.isfile(os.path.join(moddir, "tun.ko")):
        fail("no tun.ko beside %s: not a compat (TUN=m) build" % img)
    return img, moddir


def sections(out):
    """Split the script's output at its '== name' lines."""
    cur, parts = "pre", {"pre": []}
    for line in out.splitlines():
        if line.startswith("== "):
            cur = line[3:].strip()
            parts[cur] = []
        else:
            parts[cur].append(line)
    return {k: "\n".join(v) for k, v in parts.items()}


def last_json(text, what):
    for line in reversed(text.splitlines()):
        if line.strip().startswith("{"):
            return json.loads(line)
    fail("%s printed no JSON:\n%s" % (what, text[-2000:]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vnethash", required=True)
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--kernel-variant", default="compat",
                    choices=["compat", "default"])
    args = ap.parse_args()
    compat = args.kernel_variant == "compat"
    vnethash = os.path.abspath(args.vnethash)
    builddir = os.path.abspath(args.builddir)
    variants = os.path.join(builddir, "tests", "bpf", "test-steer-variants")
    img, moddir = build_kernel(args.kernel_variant)

    work = os.path.join(builddir, "tests", "vm", "work")
    os.makedirs(work, exist_ok=True)
    g = framegen.FrameGen(2024)
    frames = [g.frame()[0] for _ in range(3000)]
    pcap = os.path.join(work, "compat.pcap")
    framegen.write_pcap(pcap, frames)
    script = os.path.join(work, "compat-%s.sh" % args.kernel_variant)
    with open(script, "w") as f:
        f.write(SCRIPT)

    cmd = [os.path.join(SRC, "kernel", "vm-run.sh"), "--kernel", img,
           "--timeout", "1500", "--cwd", SRC,
           "--env", "VNETHASH=" + vnethash, "--env", "VARIANTS=" + variants,
           "--env", "PCAP=" + pcap, "--env", "MODDIR=" + moddir,
           "--env", "LOW=" + LOW, "--", "/bin/sh", script]
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    log("vm: compat.sh -> exit %d (%.1fs)" % (p.returncode,
                                             time.monotonic() - t0))
    s = sections(p.stdout)
    if p.returncode != 0 or "end" not in s:
        fail("the VM run failed (exit %d)\nstdout:\n%s\nstderr:\n%s"
             % (p.returncode, p.stdout[-4000:], p.stderr[-3000:]))

    # The environment is what the issue asks for.
    pre = s["pre"]
    if compat and "tun: live" not in pre:
        fail("tun was not loaded as a module: %s" % pre)
    if compat and "btf: none" not in pre:
        fail("the compat kernel has BTF: %s" % pre)
    if not compat and "btf: vmlinux" not in pre:
        fail("the default kernel has no BTF: %s" % pre)
    eff = int(pre.split("CapEff:")[1].split()[0], 16)
    want = (1 << CAP_BPF) | (1 << CAP_NET_ADMIN) | (1 << CAP_PERFMON)
    if eff != want:
        fail("the loader's capabilities are %#x, not CAP_BPF + "
             "CAP_NET_ADMIN + CAP_PERFMON (%#x)" % (eff, want))
    log("ok - Linux %s %s, loader with CapEff %#x (CAP_BPF + "
        "CAP_NET_ADMIN + CAP_PERFMON, no CAP_SYS_ADMIN)"
        % (KVER, "without BTF, tun loaded as a module" if compat else
           "with BTF, tun built in", eff))
    does = "steering only" if compat else "steering + report"
    build = "no-kfunc" if compat else "kfunc"

    pr = last_json(s["probe"], "probe")
    if not pr["kernel"].startswith(KVER + "."):
        fail("VM kernel is %s" % pr["kernel"])
    # steering_prog: null here (its throw-away tap wants a network
    # namespace: CAP_SYS_ADMIN)
    if pr["steering_prog"] is False or \
            pr["hash_reporting"] is not (not compat) \
            or pr["program"] != does or pr["program_build"] != build or \
            bool(pr["kfunc_build_error"]) != compat:
        fail("probe: %s" % pr)
    log("ok - probe: %s, %s build (the kfunc build's load error: %s)"
        % (pr["program"], pr["program_build"], pr["kfunc_build_error"]))

    if "PASS" not in s["variants"]:
        fail("test-steer-variants in the VM:\n%s" % s["variants"])
    log("ok - test-steer-variants as that loader:\n  "
        + "\n  ".join(s["variants"].splitlines()[-8:]))

    sh = last_json(s["show"], "show")
    if sh["program"] != does or sh["program_build"] != build \
            or sh["kfunc"] != (not compat) or \
            sh["hash_reporting"] != ("unavailable" if compat else "on"):
        fail("show --json: program %s, build %s, kfunc %s, hash_reporting %s"
             % (sh["program"], sh["program_build"], sh["kfunc"],
                sh["hash_reporting"]))
    log("ok - show --json: %s, %s build" % (sh["program"],
                                          sh["program_build"]))

    objs = [json.loads(line) for line in s["verify"].splitlines()
            if line.strip().startswith("{")]
    if not objs or "summary" not in objs[-1]:
        fail("verify: no summary\n%s\n%s" % (s["verify"][-2000:],
                                             p.stderr[-2000:]))
    summary, per_frame = objs[-1]["summary"], objs[:-1]
    if not summary.get("ok") or summary["lost"] or summary["mismatches"]:
        fail("verify: %s" % summary)
    sent = [o for o in per_frame if o["result"] != "unsendable"]
    reported = [o for o in sent if o["kernel_report"] is not None or
                o["kernel_hash"] is not None]
    if len(sent) < 2500:
        fail("only %d frames were sent" % len(sent))
    if compat:
        if reported:
            fail("show says 'steering only', but %d of %d headers carry a "
                 "hash, e.g. %s" % (len(reported), len(sent), reported[:3]))
        log("ok - verify, 20-byte headers: %d frames on the library's "
            "queues, none with a hash in its header, as show said"
            % len(sent))
    else:
        # verify checked each report against the library (mismatches 0)
        if len(reported) != len(sent):
            fail("show says 'steering + report', but %d of %d headers carry "
                 "no report" % (len(sent) - len(reported), len(sent)))
        log("ok - verify, 20-byte headers: %d frames on the library's "
            "queues, every header with the kernel's report, equal to the "
            "library's hash, as show said" % len(sent))


if __name__ == "__main__":
    main()
