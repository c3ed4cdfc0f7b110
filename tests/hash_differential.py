#!/usr/bin/env python3
"""Differential test: `vnethash hash` against the independent Python model.

    hash_differential.py --vnethash PATH [--count N] [--seed S] [--keep DIR]

For each configuration (hash-type mask x key x indirection table), generates
N frames (tests/ref/framegen.py, deterministic from the seed), writes them as
pcap (Ethernet; raw IP link types), pcapng (several interfaces and link
types, with options and extra blocks) and hex (stdin and --hex), runs

    PATH hash --json --key K --types LIST (--queues Q --table-size T |
              --indir LIST) --unclassified U INPUT

and compares every output line (frame number, hash, report, queue) with
tests/ref/vnethash_ref.py.  Also runs the published RSS verification vectors
through the tool.  On a mismatch prints the frame in hex, the expected and
the actual result, the shortest prefix of the frame that still disagrees,
and exits 1.  Exit 0 when everything agrees.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "ref"))
sys.path.insert(0, HERE)
import vnethash_ref as ref  # noqa: E402
import framegen as fg  # noqa: E402
import test_ref_vectors  # noqa: E402
import test_ref_model  # noqa: E402

HASH_RE = re.compile(r"^0x[0-9a-f]{8}$")
MAX_SHOWN = 8          # mismatches printed in full per run


class Config:
    def __init__(self, name, types, key, table_args, table, unclassified,
                 types_arg=None, key_arg=True):
        self.name = name
        self.types = types
        self.key = key
        self.table_args = table_args     # list of CLI args for the table
        self.table = table
        self.unclassified = unclassified
        self.types_arg = types_arg if types_arg is not None else ref.names_from_types(types)
        self.key_arg = key_arg           # False: rely on the default key

    def args(self):
        a = ["--json", "--types", self.types_arg]
        if self.key_arg:
            a += ["--key", self.key.hex()]
        return a + self.table_args + ["--unclassified", str(self.unclassified)]

    def expect_eth(self, frame):
        h, r = ref.hash_frame(frame, self.types, self.key)
        return h, r, ref.select_queue(h, r, self.table, self.unclassified)

    def expect_l3(self, pkt, ethertype=None):
        if ethertype is None:
            ethertype = ref.raw_ethertype(pkt)
        h, r = ref.hash_l3(ethertype, pkt, self.types, self.key)
        return h, r, ref.select_queue(h, r, self.table, self.unclassified)


def queues_cfg(q, t):
    return ["--queues", str(q), "--table-size", str(t)], ref.queues_table(q, t)


def indir_cfg(table):
    return ["--indir", ",".join(map(str, table))], list(table)


def make_configs(seed):
    r = random.Random(seed ^ 0x5EED)
    K = ref.DEFAULT_KEY

    def rkey(n):
        return bytes(r.getrandbits(8) for _ in range(n))

    T = ref
    v4 = T.T_IPV4 | T.T_TCPV4 | T.T_UDPV4
    v6 = T.T_IPV6 | T.T_TCPV6 | T.T_UDPV6
    ex = T.T_IP_EX | T.T_TCP_EX | T.T_UDP_EX
    cfgs = []

    def add(name, types, key, table, unc, **kw):
        cfgs.append(Config(name, types, key, table[0], table[1], unc, **kw))

    add("all/default-key/q4", T.T_ALL, K, queues_cfg(4, 128), 0, types_arg="all")
    add("none/q8", 0, K, queues_cfg(8, 128), 5, types_arg="none")
    add("ipv4,tcpv4,udpv4/q3/t64", v4, rkey(40), queues_cfg(3, 64), 2)
    add("tcpv4,udpv4/q16/t32768", T.T_TCPV4 | T.T_UDPV4, K, queues_cfg(16, 32768), 1)
    add("ipv4/q1/t1", T.T_IPV4, rkey(40), queues_cfg(1, 1), 3)
    add("ipv6,tcpv6,udpv6/q7", v6, K, queues_cfg(7, 128), 0)
    add("tcpv6,udpv6/indir", T.T_TCPV6 | T.T_UDPV6, rkey(40),
        indir_cfg([r.randrange(64) for _ in range(16)]), 9)
    add("ipv6_ex,tcpv6_ex,udpv6_ex/q5", ex, K, queues_cfg(5, 256), 4)
    add("tcpv6_ex,udpv6_ex(no ip)/q2", T.T_TCP_EX | T.T_UDP_EX, rkey(40), queues_cfg(2, 8), 1)
    add("ipv6_ex,ipv6/indir8", T.T_IP_EX | T.T_IPV6, rkey(40), indir_cfg([7, 6, 5, 4, 3, 2, 1, 0]), 0)
    add("all/key1/q6", T.T_ALL, rkey(1), queues_cfg(6, 128), 0)
    add("all/key4/q9", T.T_ALL, rkey(4), queues_cfg(9, 512), 0)
    add("all/key13/indir1", T.T_ALL, rkey(13), indir_cfg([11]), 12)
    add("all/key39/q128", T.T_ALL, rkey(39), queues_cfg(128, 128), 0)
    add("all/zero-key/q4", T.T_ALL, bytes(40), queues_cfg(4, 128), 3)
    add("v4+ex/default key implicit", v4 | ex, K, queues_cfg(4, 128), 0, key_arg=False)
    for i in range(4):
        m = r.randrange(1, 1 << 9)
        klen = r.choice([40, 40, 16, 36, r.randrange(1, 41)])
        if r.random() < 0.5:
            tbl = queues_cfg(r.randrange(1, 70), 1 << r.randrange(0, 12))
        else:
            tbl = indir_cfg([r.randrange(256) for _ in range(1 << r.randrange(0, 9))])
        add("random%d:%s/key%d" % (i, ref.names_from_types(m), klen), m, rkey(klen), tbl,
            r.randrange(0, 300))
    return cfgs


class Runner:
    def __init__(self, tool, workdir, verbose=False):
        self.tool = tool
        self.workdir = workdir
        self.verbose = verbose
        self.failures = 0
        self.runs = 0
        self.compared = 0
        self.tool_time = 0.0
        self.last_bad = []

    def run(self, args, stdin=None):
        cmd = [self.tool, "hash"] + args
        t = time.time()
        p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=120)
        self.tool_time += time.time() - t
        self.runs += 1
        return cmd, p

    def compare(self, what, cfg, args, items, stdin=None, frames_for_min=None):
        """items: list of (frame bytes, expected (hash, report, queue),
        kind) where kind is 'eth' or an ethertype-function for raw IP.
        Returns True when the tool agrees on every item."""
        cmd, p = self.run(args, stdin)
        ok = True
        shown = 0
        tag = "%s [%s]" % (cfg.name, what)
        if p.returncode != 0:
            self.failures += 1
            print("FAIL %s: exit status %d\n  command: %s\n  stderr: %s" % (
                tag, p.returncode, " ".join(cmd)[:400], p.stderr.decode(errors="replace")[:1000]))
            return False
        lines = p.stdout.decode(errors="replace").splitlines()
        if len(lines) != len(items):
            print("FAIL %s: %d output lines for %d frames" % (tag, len(lines), len(items)))
            self.failures += 1
            ok = False
        bad_items = []
        self.last_bad = []
        for i, line in enumerate(lines[:len(items)]):
            frame, (eh, er, eq), kind = items[i]
            exp = {"frame": i + 1, "hash": "0x%08x" % eh, "report": ref.REPORT_NAMES[er], "queue": eq}
            try:
                got = json.loads(line)
            except ValueError:
                got = None
            problem = None
            if not isinstance(got, dict):
                problem = "not a JSON object"
            elif set(got) != set(exp):
                problem = "keys %s, want %s" % (sorted(got), sorted(exp))
            elif not isinstance(got["hash"], str) or not HASH_RE.match(got["hash"]):
                problem = "hash %r is not 0x + 8 lowercase hex digits" % (got["hash"],)
            elif got != exp:
                problem = "differs"
            self.compared += 1
            if problem:
                ok = False
                bad_items.append((frame, kind))
                self.last_bad.append(i)
                if shown < MAX_SHOWN:
                    shown += 1
                    print("FAIL %s frame %d (%s): %s\n  frame   %s\n  expect  %s\n  actual  %s" % (
                        tag, i + 1, kind if isinstance(kind, str) else "l3", problem,
                        frame.hex() or "(empty)", json.dumps(exp), line))
        if bad_items:
            self.failures += 1
            print("FAIL %s: %d of %d frames disagree\n  command: %s" % (
                tag, len(bad_items), len(items), " ".join(cmd)[:300]))
            self.minimize(cfg, bad_items[0])
        elif ok and self.verbose:
            print("ok   %s: %d frames" % (tag, len(items)))
        return ok

    def minimize(self, cfg, item):
        """Shortest prefix of the first bad frame that still disagrees
        (one tool run over every prefix, fed as hex on stdin)."""
        frame, kind = item
        if kind != "eth" or not frame:
            return
        prefixes = [frame[:n] for n in range(1, len(frame) + 1)]
        stdin = "".join(p.hex() + "\n" for p in prefixes).encode()
        cmd, p = self.run(cfg.args(), stdin)
        if p.returncode:
            return
        lines = p.stdout.decode(errors="replace").splitlines()
        for pre, line in zip(prefixes, lines):
            h, r, q = cfg.expect_eth(pre)
            exp = {"frame": 0, "hash": "0x%08x" % h, "report": ref.REPORT_NAMES[r], "queue": q}
            try:
                got = json.loads(line)
                got["frame"] = 0
            except (ValueError, TypeError):
                got = None
            if got != exp:
                print("  shortest disagreeing prefix (%d bytes): %s\n    expect %s\n    actual %s\n"
                      "    model parse: %r\n    reproduce: %s hash --json %s --hex %s" % (
                          len(pre), pre.hex(), json.dumps(exp), line, ref.parse_frame(pre),
                          self.tool, " ".join(cfg.args()[1:]), pre.hex()))
                return


def check_vectors(runner):
    """Published RSS vectors through the tool (default key, --hex)."""
    groups = {}
    for label, frame, types, h, r in test_ref_vectors.vector_frames():
        groups.setdefault(types, []).append((label, frame, h, r))
    ok = True
    n = 0
    for types, rows in groups.items():
        args = ["--json", "--types", ref.names_from_types(types), "--queues", "4"]
        for _, frame, _, _ in rows:
            args += ["--hex", frame.hex()]
        cmd, p = runner.run(args)
        lines = p.stdout.decode(errors="replace").splitlines()
        if p.returncode or len(lines) != len(rows):
            print("FAIL vectors types=%s: exit %d, %d lines for %d frames: %s" % (
                ref.names_from_types(types), p.returncode, len(lines), len(rows),
                p.stderr.decode(errors="replace")[:300]))
            ok = False
            continue
        for (label, frame, h, r), line in zip(rows, lines):
            n += 1
            try:
                got = json.loads(line)
                good = got.get("hash") == "0x%08x" % h and got.get("report") == ref.REPORT_NAMES[r]
            except (ValueError, AttributeError):
                good = False
            if not good:
                ok = False
                print("FAIL vector %s: want 0x%08x %s, got %s" % (label, h, ref.REPORT_NAMES[r], line))
    runner.compared += n
    if not ok:
        runner.failures += 1
    print("%s published RSS vectors through the tool: %d checks" % ("ok  " if ok else "FAIL", n))


def check_handwritten(runner, workdir):
    """The hand-written cases of tests/test_ref_model.py (expectations
    derived by hand from docs/semantics.md, not by the model), through the
    tool as pcap files, one per (link type, hash types) group."""
    groups = {}
    skipped = 0
    for name, kind, et, data, types, h, r in test_ref_model.collect():
        if kind == "l3" and ref.raw_ethertype(data) != et:
            skipped += 1          # a raw-IP capture cannot express this EtherType
            continue
        groups.setdefault((kind, types), []).append((name, data, h, r))
    ok = True
    n = 0
    for gi, ((kind, types), rows) in enumerate(sorted(groups.items())):
        lt = fg.LINKTYPE_ETHERNET if kind == "eth" else fg.LINKTYPE_RAW
        path = os.path.join(workdir, "hand%d.pcap" % gi)
        fg.write_pcap(path, [d for _, d, _, _ in rows], lt)
        table = ref.queues_table(4, 128)
        cfg = Config("hand-written " + kind, types, ref.DEFAULT_KEY, *queues_cfg(4, 128), 6)
        items = [(d, (h, r, ref.select_queue(h, r, table, 6)), kind) for _, d, h, r in rows]
        if not runner.compare("types=%s" % ref.names_from_types(types), cfg,
                              cfg.args() + [path], items):
            ok = False
            for i in runner.last_bad:
                print("  hand-written case that disagrees: %s" % rows[i][0])
        n += len(rows)
    print("%s hand-written semantics cases through the tool: %d frames (%d L3 cases with an "
          "EtherType a raw capture cannot carry skipped)" % ("ok  " if ok else "FAIL", n, skipped))


def check_mixed_pcapng(runner, seed, workdir, strict):
    """A pcapng file whose interfaces have different link types (Ethernet
    and LINKTYPE_RAW) is valid pcapng, but libpcap refuses it.  Reported as
    a warning unless --strict."""
    cfg = Config("mixed-linktype pcapng", ref.T_ALL, ref.DEFAULT_KEY,
                 *queues_cfg(4, 128), 0)
    g = fg.FrameGen(seed * 31 + 5)
    records, items = [], []
    for i in range(200):
        if i % 3 == 2:
            p = g.l3()[0]
            records.append((1, p))
            items.append((p, cfg.expect_l3(p), "l3"))
        else:
            f = g.frame()[0]
            records.append((0, f))
            items.append((f, cfg.expect_eth(f), "eth"))
    path = os.path.join(workdir, "mixed.pcapng")
    fg.write_pcapng(path, records, (fg.LINKTYPE_ETHERNET, fg.LINKTYPE_RAW))
    if strict:
        runner.compare("eth+raw101 interfaces", cfg, cfg.args() + [path], items)
        return
    cmd, p = runner.run(cfg.args() + [path])
    if p.returncode == 0:
        runner.compare("eth+raw101 interfaces", cfg, cfg.args() + [path], items)
    else:
        print("WARN pcapng with Ethernet and raw-IP interfaces: exit %d: %s"
              "     (libpcap limitation; not counted, --strict to count it)" % (
                  p.returncode, p.stderr.decode(errors="replace")))


def run_config(runner, cfg, idx, count, seed, workdir):
    g = fg.FrameGen(seed * 7919 + idx)
    r = random.Random(seed * 104729 + idx)
    frames = [g.frame()[0] for _ in range(count)]
    raws = [g.l3()[0] for _ in range(max(50, count // 4))]
    base = os.path.join(workdir, "c%02d" % idx)
    ok = True

    eth_items = [(f, cfg.expect_eth(f), "eth") for f in frames]

    # 1. classic pcap, Ethernet; the byte order / timestamp resolution /
    #    capture truncation vary between configurations
    variant = idx % 4
    kw = {}
    items = eth_items
    vname = "pcap le-usec"
    if variant == 1:
        kw = {"big_endian": True}
        vname = "pcap be-usec"
    elif variant == 2:
        kw = {"nanosec": True}
        vname = "pcap le-nsec"
    elif variant == 3:
        # snaplen-truncated records: orig_len > incl_len; the captured
        # bytes are what gets hashed
        kw = {"orig_lens": [len(f) + r.choice([0, 0, 1, 100]) for f in frames],
              "nanosec": True, "big_endian": True}
        vname = "pcap be-nsec orig>incl"
    path = base + ".pcap"
    fg.write_pcap(path, frames, fg.LINKTYPE_ETHERNET, **kw)
    ok &= runner.compare(vname, cfg, cfg.args() + [path], items)

    # 2. classic pcap, raw IP link type
    lts = [fg.LINKTYPE_RAW, fg.DLT_RAW_12, fg.DLT_RAW_14, fg.LINKTYPE_IPV4, fg.LINKTYPE_IPV6]
    lt = lts[idx % len(lts)]
    # the contract derives the EtherType from the version nibble for every
    # raw link type, LINKTYPE_IPV4 and LINKTYPE_IPV6 included
    pk = raws
    path = base + "-raw%d.pcap" % lt
    fg.write_pcap(path, pk, lt, big_endian=bool(idx & 1))
    ok &= runner.compare("pcap linktype %d" % lt, cfg, cfg.args() + [path],
                         [(p, cfg.expect_l3(p), "l3") for p in pk])

    # 3. pcapng, one link type per file (libpcap, which most readers use,
    #    refuses files whose interfaces differ in link type; that case is
    #    check_mixed_pcapng()).  Ethernet frames spread over two Ethernet
    #    interfaces; options, NRB and ISB blocks in "rich" files.
    rich = idx % 2 == 0
    be = idx % 3 == 2
    records = [(i % 2 if rich else 0, f) for i, f in enumerate(frames)]
    path = base + ".pcapng"
    fg.write_pcapng(path, records, (fg.LINKTYPE_ETHERNET,) * (2 if rich else 1),
                    big_endian=be, rich=rich)
    ok &= runner.compare("pcapng eth%s%s" % (" rich" if rich else "", " be" if be else ""),
                         cfg, cfg.args() + [path], eth_items)
    raw_lt = [fg.LINKTYPE_RAW, fg.DLT_RAW_12, fg.DLT_RAW_14][idx % 3]
    path = base + "-raw.pcapng"
    fg.write_pcapng(path, [(0, p) for p in raws], (raw_lt,), big_endian=not be, rich=not rich)
    ok &= runner.compare("pcapng raw%d" % raw_lt, cfg, cfg.args() + [path],
                         [(p, cfg.expect_l3(p), "l3") for p in raws])

    # 4. hex on stdin (non-empty frames; some comment and blank lines)
    sub = [it for it in eth_items[:600] if it[0]]
    lines = []
    for j, it in enumerate(sub):
        if j % 97 == 5:
            lines.append("# comment")
        if j % 89 == 7:
            lines.append("")
        lines.append(it[0].hex())
    ok &= runner.compare("stdin hex", cfg, cfg.args(), sub,
                         stdin=("\n".join(lines) + "\n").encode())

    # 5. --hex arguments
    sub = [it for it in eth_items[600:640] if it[0]]
    args = cfg.args()
    for it in sub:
        args = args + ["--hex", it[0].hex()]
    ok &= runner.compare("--hex args", cfg, args, sub)

    # 6. --link ip with --hex (raw IP packets as the tool's help describes)
    sub = [p for p in raws[:40] if p]
    args = cfg.args() + ["--link", "ip"]
    for p in sub:
        args += ["--hex", p.hex()]
    ok &= runner.compare("--link ip --hex", cfg, args,
                         [(p, cfg.expect_l3(p), "l3") for p in sub])
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vnethash", required=True, help="path of the vnethash tool")
    ap.add_argument("--count", type=int, default=5000, help="frames per configuration")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", metavar="DIR", help="keep the generated captures in DIR")
    ap.add_argument("--only", help="run only configurations whose name contains this")
    ap.add_argument("--strict", action="store_true",
                    help="count a refused mixed-link-type pcapng as a failure")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()

    if not os.access(a.vnethash, os.X_OK):
        print("error: %s is not an executable" % a.vnethash, file=sys.stderr)
        return 2
    t0 = time.time()
    workdir = a.keep or tempfile.mkdtemp(prefix="vnethash-diff-")
    os.makedirs(workdir, exist_ok=True)
    runner = Runner(os.path.abspath(a.vnethash), workdir, a.verbose)
    try:
        check_vectors(runner)
        check_handwritten(runner, workdir)
        check_mixed_pcapng(runner, a.seed, workdir, a.strict)
        cfgs = make_configs(a.seed)
        for idx, cfg in enumerate(cfgs):
            if a.only and a.only not in cfg.name:
                continue
            before = runner.compared
            ok = run_config(runner, cfg, idx, a.count, a.seed, workdir)
            print("%s config %-50s %6d results compared" % (
                "ok  " if ok else "FAIL", cfg.name, runner.compared - before))
            sys.stdout.flush()
    finally:
        if not a.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print("%d tool runs, %d results compared, %d failing runs (seed %d, %.1f s, tool %.1f s)" % (
        runner.runs, runner.compared, runner.failures, a.seed, time.time() - t0, runner.tool_time))
    return 1 if runner.failures else 0


if __name__ == "__main__":
    sys.exit(main())
