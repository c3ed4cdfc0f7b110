#!/usr/bin/env python3
"""How sharp is the differential test?  Plants plausible bugs (mutants) in a
copy of the reference model and checks that tests/hash_differential.py,
run against the real tool, notices each one.  A surviving mutant means the
frame generator never exercises that rule.

    mutants.py --vnethash PATH [--count N] [--seed S]

Exit 0 when every mutant is killed, 1 otherwise.  Needs a correct tool
(run hash_differential.py first)."""

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import vnethash_ref  # noqa: E402
import hash_differential as hd  # noqa: E402

SRC = open(os.path.join(HERE, "vnethash_ref.py")).read()

# (name, old text, new text): each applied to the model's source
MUTANTS = [
    ("1 VLAN tag only", "MAX_VLAN_TAGS = 2", "MAX_VLAN_TAGS = 1"),
    ("3 VLAN tags", "MAX_VLAN_TAGS = 2", "MAX_VLAN_TAGS = 3"),
    ("7 extension headers", "MAX_EXT_HDRS = 8", "MAX_EXT_HDRS = 7"),
    ("9 extension headers", "MAX_EXT_HDRS = 8", "MAX_EXT_HDRS = 9"),
    ("15 options", "MAX_DSTOPT_OPTIONS = 16", "MAX_DSTOPT_OPTIONS = 15"),
    ("17 options", "MAX_DSTOPT_OPTIONS = 16", "MAX_DSTOPT_OPTIONS = 17"),
    ("Pad1 not counted as an option", "            pos += 1\n            continue",
     "            pos += 1\n            examined -= 1\n            continue"),
    ("HAO of any length >= 16", "and olen == 16:", "and olen >= 16:"),
    ("option walk bounded by the packet, not the header",
     "home = _walk_dstopts(pkt, off, off + hlen)", "home = _walk_dstopts(pkt, off, len(pkt))"),
    ("only the first DST header searched for HAO",
     [("    home = None\n", "    home = None\n    dst_seen = False\n"),
      ("            if home is None:\n                home = _walk_dstopts(pkt, off, off + hlen)",
       "            if not dst_seen:\n                dst_seen = True\n                home = _walk_dstopts(pkt, off, off + hlen)")], None),
    ("RT2 only with segments left 1", "pkt[off + 2] == 2 and pkt[off + 1] == 2",
     "pkt[off + 2] == 2 and pkt[off + 1] == 2 and pkt[off + 3] == 1"),
    ("unclassified queue ignored", "    if report == R_NONE:\n        return unclassified", "    if report == R_NONE:\n        return table[0]"),
    ("NONE hashes the addresses",
     "    if report == R_NONE:\n        return 0, R_NONE\n", "    if report == R_NONE and p is None:\n        return 0, R_NONE\n    if report == R_NONE:\n        return toeplitz_fast(key, p.src + p.dst), R_NONE\n"),
    ("HAO may run past the header", "        if pos + 2 + olen > end:   # option runs past the header's end\n",
     "        if pos + 2 + min(olen, 1) > end:\n"),
    ("last HAO wins", "            if home is None:\n                home =",
     "            if True:\n                home = _walk_dstopts(pkt, off, off + hlen) or home\n                _x ="),
    ("HAO in Hop-by-Hop too", "        elif nh == NH_DSTOPTS:\n", "        elif nh in (NH_DSTOPTS, NH_HOPOPTS):\n"),
    ("RT2 without hdr_ext_len check", "pkt[off + 2] == 2 and pkt[off + 1] == 2", "pkt[off + 2] == 2"),
    ("RT2 without type check", "pkt[off + 2] == 2 and pkt[off + 1] == 2", "pkt[off + 1] == 2"),
    ("last RT2 wins", "if rt2 is None and pkt[off + 2] == 2", "if pkt[off + 2] == 2"),
    ("RT2 address at offset 4", "rt2 = bytes(pkt[off + 8:off + 24])", "rt2 = bytes(pkt[off + 4:off + 20])"),
    ("AH length (l+1)*8", "hlen = (pkt[off + 1] + 2) * 4", "hlen = (pkt[off + 1] + 1) * 8"),
    ("IPv6 fragment keeps L4", "            fragmented = True\n", "            pass\n"),
    ("cut chain forgets addresses", "    if home is not None:\n", "    if home is not None and not cut:\n"),
    ("ESP header walked as extension", "NH_DSTOPTS, NH_AH):", "NH_DSTOPTS, NH_AH, NH_ESP):"),
    ("IPv4 MF ignored", "    if mf or offset:", "    if offset:"),
    ("IPv4 offset ignored", "    if mf or offset:", "    if mf:"),
    ("IPv4 DF treated as fragment", "    mf = frag & 0x2000", "    mf = frag & 0x6000"),
    ("IHL past the end allowed", "    if hlen > len(pkt):\n        return None", "    if hlen > len(pkt):\n        hlen = len(pkt)"),
    ("IHL < 5 allowed", "    if ihl < 5:\n        return None", "    if ihl < 5:\n        ihl = 5"),
    ("IPv4 version unchecked", "    if pkt[0] >> 4 != 4:\n        return None", ""),
    ("IPv6 version unchecked", "    if pkt[0] >> 4 != 6:\n        return None", ""),
    ("TCP with 19 bytes", "nh == NH_TCP and rest >= 20", "nh == NH_TCP and rest >= 19"),
    ("TCP needs 21 bytes", "nh == NH_TCP and rest >= 20", "nh == NH_TCP and rest >= 21"),
    ("UDP with 7 bytes", "nh == NH_UDP and rest >= 8", "nh == NH_UDP and rest >= 7"),
    ("UDP needs 9 bytes", "nh == NH_UDP and rest >= 8", "nh == NH_UDP and rest >= 9"),
    ("TCPv6 before TCP_EX",
     "    if types & T_TCP_EX and p.l4 == \"tcp\":\n        return R_TCPV6_EX, p.src_ex + p.dst_ex + ports\n    if types & T_TCPV6 and p.l4 == \"tcp\":\n        return R_TCPV6, p.src + p.dst + ports\n",
     "    if types & T_TCPV6 and p.l4 == \"tcp\":\n        return R_TCPV6, p.src + p.dst + ports\n    if types & T_TCP_EX and p.l4 == \"tcp\":\n        return R_TCPV6_EX, p.src_ex + p.dst_ex + ports\n"),
    ("TCP_EX only with TCPv6 (QEMU)", "    if types & T_TCP_EX and p.l4 == \"tcp\":",
     "    if types & T_TCP_EX and types & T_TCPV6 and p.l4 == \"tcp\":"),
    ("UDP before TCP for IPv4", "        if types & T_TCPV4 and p.l4 == \"tcp\":",
     "        if types & T_TCPV4 and p.l4 in (\"tcp\", \"udp\"):"),
    ("IPv6 payload length honoured",
     "    p = Parsed(6, bytes(pkt[8:24]), bytes(pkt[24:40]))\n",
     "    p = Parsed(6, bytes(pkt[8:24]), bytes(pkt[24:40]))\n    pkt = pkt[:40 + struct.unpack_from('!H', pkt, 4)[0]]\n"),
    ("IPv4 total length honoured",
     "    p = Parsed(4, bytes(pkt[12:16]), bytes(pkt[16:20]))\n",
     "    p = Parsed(4, bytes(pkt[12:16]), bytes(pkt[16:20]))\n    pkt = pkt[:max(hlen, struct.unpack_from('!H', pkt, 2)[0])]\n"),
    ("ports swapped", "    p.sport, p.dport = struct.unpack_from(\"!HH\", pkt, off)",
     "    p.dport, p.sport = struct.unpack_from(\"!HH\", pkt, off)"),
    ("short key padded with key repeat", "            kint = int.from_bytes(key, \"big\") if key else 0\n",
     "            key = (key * 40)[:40]\n            kint = int.from_bytes(key, \"big\") if key else 0\n"),
    ("queue from high bits", "    return table[hash_value & (n - 1)]", "    return table[(hash_value >> 16) & (n - 1)]"),
]


def load_mutant(old, new):
    """old, new: texts; or old a list of (old, new) pairs and new None."""
    src = SRC
    for o, n in (old if new is None else [(old, new)]):
        if o not in src:
            raise SystemExit("mutant text not found: %r" % o[:60])
        src = src.replace(o, n, 1)
    mod = types.ModuleType("vnethash_ref_mutant")
    exec(compile(src, "vnethash_ref_mutant", "exec"), mod.__dict__)
    return mod


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vnethash", required=True)
    ap.add_argument("--count", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    tool = os.path.abspath(a.vnethash)
    workdir = tempfile.mkdtemp(prefix="vnethash-mut-")
    survivors = []
    try:
        cfgs = hd.make_configs(a.seed)
        for name, old, new in MUTANTS:
            hd.ref = load_mutant(old, new)
            runner = hd.Runner(tool, workdir)
            hd.MAX_SHOWN = 0
            killed_by = None
            with contextlib.redirect_stdout(io.StringIO()):
                for idx, cfg in enumerate(cfgs):
                    hd.run_config(runner, cfg, idx, a.count, a.seed, workdir)
                    if runner.failures:
                        killed_by = cfg.name
                        break
            print("%-8s %-40s %s" % ("killed" if killed_by else "SURVIVED", name,
                                     ("by " + killed_by) if killed_by else ""))
            sys.stdout.flush()
            if not killed_by:
                survivors.append(name)
    finally:
        hd.ref = vnethash_ref
        shutil.rmtree(workdir, ignore_errors=True)
    print("%d mutants, %d survived%s" % (len(MUTANTS), len(survivors),
                                          (": " + ", ".join(survivors)) if survivors else ""))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
