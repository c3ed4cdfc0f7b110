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

  * a VMM-like loader (tests/vm/compat_loader.py, libvnethash through
    ctypes) loads the program with vnh_steer_load() while tun is not
    loaded yet (no /dev/net/tun); then tun.ko is inserted, a tap created,
    and the loader attaches what it loaded: vnh_steer_reports() 0, the
    no-kfunc build; `vnethash verify` on that tap (20-byte headers): every
    frame on the queue the independent Python model (tests/ref) gives,
    and no header with a hash;
  * `vnethash probe --json`: the program this loader gets is the build
    without the kfunc ("steering only", "no-kfunc"), and it says why the
    kfunc build did not load;
  * test-steer-variants: the kfunc build does not load, the library falls
    back, both builds steer like the library;
  * `vnethash attach` on a 4-queue tap; then (as root: reading a pinned
    instance's configuration needs BPF_MAP_GET_FD_BY_ID) `vnethash show
    --json`: "steering only", build "no-kfunc";
  * then (as root, with every capability) `vnethash verify` on that tap
    with 20-byte vnet headers: every frame on the library's queue and on
    the Python model's, and no hash report in any header, as show said. A
    program that reported would put a non-zero hash in the headers of the
    IP frames, which verify reports.

--kernel-variant default runs the same steps on the default 7.3 kernel
(BTF, tun built in) as the positive control: there the same loader's
program resolves the kfunc, probe and show say "steering + report", build
"kfunc", and every header verify reads carries the kernel's report, equal
to the library's hash and to the Python model's (the early loader, with
tun built in, likewise).

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
import vnethash_ref as ref  # noqa: E402

KVER = os.environ.get("VNETHASH_KERNEL_VERSION", "7.3")
CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_PERFMON, CAP_BPF = 12, 21, 38, 39

# The loader: uid 0 with only CAP_BPF and CAP_NET_ADMIN (bounding set and
# inheritable set cut, so exec gives it nothing else).
LOW = ("setpriv --inh-caps=-all --bounding-set=-all,+bpf,+net_admin,+perfmon"
       " --")

SCRIPT = r"""
set -e
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
echo "lowcaps: $($LOW sh -c 'grep CapEff /proc/self/status')"
[ -e /sys/kernel/btf/vmlinux ] && echo "btf: vmlinux" || echo "btf: none"
echo "== early"
# A VMM that loads its program before tun is there: on the compat kernel
# tun is not loaded yet (no /dev/net/tun); it is loaded below, while the
# loader waits, and the loader then attaches what it loaded.
echo "tun-before: $([ -e /dev/net/tun ] && echo present || echo absent)"
$LOW python3 "$LOADER" --lib "$LIB" --dev ce0 --queues 4 --go /tmp/go \
	>/tmp/loader.out 2>/tmp/loader.err &
lp=$!
i=0
until grep -q '"stage": "loaded"' /tmp/loader.out 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 3000 ] || ! kill -0 $lp 2>/dev/null; then
		echo "loader: did not load"; cat /tmp/loader.out /tmp/loader.err
		exit 1
	fi
	sleep 0.2
done
[ -z "$MODDIR" ] || insmod "$MODDIR/tun.ko"
echo "tun: $(cat /sys/module/tun/initstate 2>/dev/null || echo built-in)"
ip tuntap add dev ce0 mode tap multi_queue vnet_hdr
ip link set ce0 up
touch /tmp/go
lrc=0; wait $lp || lrc=$?
cat /tmp/loader.out
cat /tmp/loader.err >&2
echo "loader-exit: $lrc"
echo "== early-verify"
"$VNETHASH" verify ce0 --pcap "$PCAP" --vnet-hdr 20 --json --indir 0,1,2,3 ||
	echo "verify-exit: $?"
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
"$VNETHASH" verify ct0 --pcap "$PCAP" --vnet-hdr 20 --json ||
	echo "verify-exit: $?"
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
    """The last JSON object in text: one line (probe) or several (show
    --json prints one object over several lines)."""
    dec = json.JSONDecoder()
    starts = [i for i, line in enumerate(text.splitlines())
              if line.startswith("{")]
    lines = text.splitlines()
    for i in reversed(starts):
        try:
            obj, _ = dec.raw_decode("\n".join(lines[i:]))
            return obj
        except ValueError:
            continue
    fail("%s printed no JSON:\n%s" % (what, text[-2000:]))


REPORTS = ["none", "ipv4", "tcpv4", "udpv4", "ipv6", "tcpv6", "udpv6",
           "ipv6_ex", "tcpv6_ex", "udpv6_ex"]
VNH_ALL = 0x1ff
DEFAULT_KEY = bytes.fromhex(
    "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c"
    "6a42b73bbeac01fa")


def check_verify(text, frames, reports, desc):
    """verify --json output against the independent Python model
    (tests/ref): all types, the default key, 4 queues (a 128-entry table,
    entry i = i % 4), unclassified queue 0. Every sent frame on the
    model's queue; with reports, every header with the model's hash and
    type; without, no header with a hash. Returns the frames sent."""
    objs = [json.loads(line) for line in text.splitlines()
            if line.strip().startswith("{")]
    if not objs or "summary" not in objs[-1] or "verify-exit" in text:
        fail("%s: verify failed or printed no summary\n%s"
             % (desc, text[-3000:]))
    summary, per_frame = objs[-1]["summary"], objs[:-1]
    if len(per_frame) != len(frames):
        fail("%s: %d frame objects for %d frames" % (desc, len(per_frame),
                                                   len(frames)))
    if not summary.get("ok") or summary["lost"] or summary["mismatches"] \
            or summary["duplicates"]:
        fail("%s: %s" % (desc, summary))
    sent = with_hash = 0
    for i, (o, f) in enumerate(zip(per_frame, frames)):
        if o["result"] == "unsendable":
            if 14 <= len(f) <= 1514:
                fail("%s: frame %d (%d bytes) unsendable" % (desc, i + 1,
                                                              len(f)))
            continue
        sent += 1
        h, rep = ref.hash_frame(f, VNH_ALL, DEFAULT_KEY)
        q = (h & 127) % 4 if rep else 0
        if o["queue"] != q:
            fail("%s: frame %d on queue %s, the model says %d\n%s"
                 % (desc, i + 1, o["queue"], q, f.hex()))
        got = (o["kernel_hash"], o["kernel_report"])
        if reports:
            if got[1] != REPORTS[rep] or got[0] is None or \
                    int(got[0], 16) != h:
                fail("%s: frame %d: header %s/%s, model 0x%08x/%s\n%s"
                     % (desc, i + 1, got[0], got[1], h, REPORTS[rep],
                        f.hex()))
            with_hash += rep != 0
        elif got != (None, None):
            fail("%s: the program only steers, but frame %d's header "
                 "carries %s/%s" % (desc, i + 1, got[0], got[1]))
    if sent < 2500 or summary["received"] != sent:
        fail("%s: %d frames sent, summary %s" % (desc, sent, summary))
    return sent, with_hash


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
    lib = os.path.join(builddir, "lib", "libvnethash.so")
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
           "--env", "LIB=" + lib,
           "--env", "LOADER=" + os.path.join(HERE, "compat_loader.py"),
           "--env", "PYTHONDONTWRITEBYTECODE=1",
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
    pre, early = s["pre"], s["early"]
    if compat and ("tun-before: absent" not in early or
                   "tun: live" not in early):
        fail("tun was not loaded as a module after the loader: %s" % early)
    if not compat and "tun-before: present" not in early:
        fail("tun is not built in: %s" % early)
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

    # The loader that loaded before tun was there, and attached after.
    st = {}
    for line in early.splitlines():
        if line.startswith('{"stage"'):
            o = json.loads(line)
            st[o["stage"]] = o
    ld, at = st.get("loaded"), st.get("attached")
    if not ld or not at or ld["rc"] != 0 or at["rc"] != 0 or \
            "loader-exit: 0" not in early:
        fail("the early loader: %s" % early)
    if ld["reports"] != (0 if compat else 1) or ld["variant"] != build or \
            ld["kfunc"] != (0 if compat else 1) or \
            (ld["kfunc_load_err"] != 0) != compat or \
            ld["tun_dev"] == compat:
        fail("the early loader, vnh_steer_load() %s tun: %s"
             % ("before" if compat else "with", ld))
    log("ok - vnh_steer_load() %s: vnh_steer_reports() %d (%s), %s build "
        "(kfunc build's load error %d); attached after `ip tuntap add`"
        % ("before tun was loaded (no /dev/net/tun)" if compat else
           "with tun built in", ld["reports"], does, ld["variant"],
           ld["kfunc_load_err"]))
    sent, hashed = check_verify(s["early-verify"], frames, not compat,
                                "early loader's tap")
    log("ok - verify on the early loader's tap, 20-byte headers: %d frames "
        "on the model's queues; %s" % (sent, "no header with a hash" if compat
                                       else "every header with the model's "
                                       "hash and type (%d with a hash)"
                                       % hashed))

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
    log("ok - probe --json: %s, %s build (the kfunc build's load error: %s)"
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
    log("ok - show --json: %s, %s build, hash_reporting %s"
        % (sh["program"], sh["program_build"], sh["hash_reporting"]))

    sent, hashed = check_verify(s["verify"], frames, not compat,
                                "attached tap")
    if compat:
        log("ok - verify, 20-byte headers: %d frames on the model's "
            "queues, none with a hash in its header, as show said" % sent)
    else:
        log("ok - verify, 20-byte headers: %d frames on the model's "
            "queues, every header with the model's hash and type (%d with "
            "a hash, the rest NONE), as show said" % (sent, hashed))


if __name__ == "__main__":
    main()
