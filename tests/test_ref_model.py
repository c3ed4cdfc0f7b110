#!/usr/bin/env python3
"""Hand-written checks of the reference model against docs/semantics.md.

Every case states the expected report and the expected hash *input* (built
here by hand from the addresses/ports the rules select), so the checks do not
reuse the model's own parsing.  Exit 0 when all pass, 1 otherwise."""

import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "ref"))
import vnethash_ref as ref  # noqa: E402
from framegen import (eth, ipv4, ipv6, tcp, udp, icmp, hbh, dstopts, routing,  # noqa: E402
                      fragment, ah, chain, opt_pad1, opt_padn, opt_hao, opt_raw,
                      write_pcap, pcap_bytes, pcapng_bytes)

K = ref.DEFAULT_KEY
A = ref
S4 = bytes([10, 0, 0, 1])
D4 = bytes([10, 0, 0, 2])
S6 = bytes.fromhex("20010db8000000000000000000000001")
D6 = bytes.fromhex("20010db8000000000000000000000002")
HOA = bytes.fromhex("20010db8aaaa0000000000000000000a")   # Home Address
HOB = bytes.fromhex("20010db8bbbb0000000000000000000b")   # a second one
RTA = bytes.fromhex("20010db8cccc0000000000000000000c")   # Type 2 routing addr
RTB = bytes.fromhex("20010db8dddd0000000000000000000d")
SP, DP = 1111, 2222
PORTS = struct.pack("!HH", SP, DP)

failures = 0
checks = 0
# every frame checked by expect(): (name, kind, ethertype, bytes, types,
# want hash, want report); kind "eth" or "l3".  hash_differential.py feeds
# these through the tool too, against the expectations written here.
RECORDED = []
_last = None


def HF(frame, types=ref.T_ALL):
    global _last
    _last = ("eth", None, bytes(frame), types)
    return ref.hash_frame(frame, types, K, fast=False)


def HL3(ethertype, pkt, types=ref.T_ALL):
    global _last
    _last = ("l3", ethertype, bytes(pkt), types)
    return ref.hash_l3(ethertype, pkt, types, K, fast=False)


def expect(name, got, report, data):
    """got: (hash, report); data: the hash input expected (None for NONE)."""
    global failures, checks, _last
    checks += 1
    want = (0, ref.R_NONE) if report == ref.R_NONE else (ref.toeplitz(K, data), report)
    if _last is not None:
        RECORDED.append((name,) + _last + want)
        _last = None
    ok = got == want
    if not ok:
        failures += 1
    print("%-4s %-68s got 0x%08x %-8s want 0x%08x %s" % (
        "ok" if ok else "FAIL", name, got[0], ref.REPORT_NAMES[got[1]],
        want[0], ref.REPORT_NAMES[want[1]]))


def F4(l3, types=ref.T_ALL, tags=(), et=0x0800):
    return HF(eth(l3, et, tags), types)


def F6(l3, types=ref.T_ALL, tags=(), et=0x86DD):
    return HF(eth(l3, et, tags), types)


def v6chain(headers, final, payload, src=S6, dst=D6, **kw):
    nh, rest = chain(headers, final, payload)
    return ipv6(src, dst, nh, rest, **kw)


def check_toeplitz():
    global failures, checks
    print("== Toeplitz by hand")
    cases = [
        (b"\x80", b"\x80", 0x80000000),
        (b"\x80", b"\x01", 0),
        (b"\xff" * 5, b"\x00\x01", 0xFFFFFF80),
        (b"\x01\x02\x03\x04", b"\x80", 0x01020304),
        (b"\x01\x02\x03\x04", b"\x40", 0x02040608),
        (b"\x01\x02\x03\x04\x05", b"\x01", (0x0102030405 >> 1) & 0xFFFFFFFF),
        (b"\x01\x02\x03\x04\x05", b"\x81", 0x01020304 ^ ((0x0102030405 >> 1) & 0xFFFFFFFF)),
    ]
    for key, data, want in cases:
        got = ref.toeplitz(key, data)
        checks += 1
        ok = got == want
        failures += not ok
        print("%-4s toeplitz(%s, %s) = 0x%08x want 0x%08x" % (
            "ok" if ok else "FAIL", key.hex(), data.hex(), got, want))
    # the fast (memoised-window) variant against the bit-by-bit one
    r = random.Random(7)
    bad = 0
    for _ in range(400):
        key = bytes(r.getrandbits(8) for _ in range(r.randrange(1, 41)))
        data = bytes(r.getrandbits(8) for _ in range(r.choice([8, 12, 32, 36])))
        if ref.toeplitz(key, data) != ref.toeplitz_fast(key, data):
            bad += 1
    checks += 1
    failures += bad != 0
    print("%-4s toeplitz_fast == toeplitz on 400 random keys/inputs (%d bad)" % (
        "ok" if not bad else "FAIL", bad))


def check_ipv4():
    print("== IPv4")
    T = tcp(SP, DP)
    U = udp(SP, DP)
    expect("TCP", F4(ipv4(S4, D4, 6, T)), A.R_TCPV4, S4 + D4 + PORTS)
    expect("TCP, 19 bytes of TCP header", F4(ipv4(S4, D4, 6, T[:19])), A.R_IPV4, S4 + D4)
    expect("TCP, types tcpv4 only, 19 bytes", F4(ipv4(S4, D4, 6, T[:19]), A.T_TCPV4), A.R_NONE, None)
    expect("TCP, types udpv4,ipv4", F4(ipv4(S4, D4, 6, T), A.T_UDPV4 | A.T_IPV4), A.R_IPV4, S4 + D4)
    expect("TCP, types udpv4", F4(ipv4(S4, D4, 6, T), A.T_UDPV4), A.R_NONE, None)
    expect("TCP, types ipv6 family only", F4(ipv4(S4, D4, 6, T), A.T_IPV6 | A.T_TCPV6 | A.T_IP_EX | A.T_TCP_EX), A.R_NONE, None)
    expect("UDP", F4(ipv4(S4, D4, 17, U)), A.R_UDPV4, S4 + D4 + PORTS)
    expect("UDP, 7 bytes", F4(ipv4(S4, D4, 17, U[:7])), A.R_IPV4, S4 + D4)
    expect("UDP, types tcpv4,ipv4", F4(ipv4(S4, D4, 17, U), A.T_TCPV4 | A.T_IPV4), A.R_IPV4, S4 + D4)
    expect("ICMP", F4(ipv4(S4, D4, 1, icmp())), A.R_IPV4, S4 + D4)
    expect("ICMP, types tcpv4,udpv4", F4(ipv4(S4, D4, 1, icmp()), A.T_TCPV4 | A.T_UDPV4), A.R_NONE, None)
    expect("proto 132 with 20 bytes", F4(ipv4(S4, D4, 132, T)), A.R_IPV4, S4 + D4)
    expect("MF set", F4(ipv4(S4, D4, 6, T, flags=1)), A.R_IPV4, S4 + D4)
    expect("offset 1", F4(ipv4(S4, D4, 6, T, frag_off=1)), A.R_IPV4, S4 + D4)
    expect("offset 0x1fff, UDP", F4(ipv4(S4, D4, 17, U, frag_off=0x1FFF)), A.R_IPV4, S4 + D4)
    expect("DF only: not a fragment", F4(ipv4(S4, D4, 6, T, flags=2)), A.R_TCPV4, S4 + D4 + PORTS)
    expect("reserved flag only: not a fragment", F4(ipv4(S4, D4, 6, T, flags=4)), A.R_TCPV4, S4 + D4 + PORTS)
    expect("MF, types tcpv4 only", F4(ipv4(S4, D4, 6, T, flags=1), A.T_TCPV4), A.R_NONE, None)
    opts = bytes([1, 1, 1, 0])
    expect("IHL 6, ports after options", F4(ipv4(S4, D4, 6, T, ihl=6, options=opts)), A.R_TCPV4, S4 + D4 + PORTS)
    expect("IHL 15 (40 option bytes)", F4(ipv4(S4, D4, 17, U, ihl=15)), A.R_UDPV4, S4 + D4 + PORTS)
    expect("IHL 15, UDP 7 bytes", F4(ipv4(S4, D4, 17, U[:7], ihl=15)), A.R_IPV4, S4 + D4)
    for ihl in range(0, 5):
        expect("IHL %d" % ihl, F4(ipv4(S4, D4, 6, T, ihl=ihl, options=b"")), A.R_NONE, None)
    p = ipv4(S4, D4, 6, b"", ihl=15)
    expect("IHL 15, exactly 60 bytes", F4(p), A.R_IPV4, S4 + D4)
    expect("IHL 15, 59 bytes", F4(p[:59]), A.R_NONE, None)
    expect("IHL 6, 23 bytes", F4(ipv4(S4, D4, 6, b"", ihl=6)[:23]), A.R_NONE, None)
    expect("19 bytes", F4(ipv4(S4, D4, 6, b"")[:19]), A.R_NONE, None)
    expect("exactly 20 bytes", F4(ipv4(S4, D4, 6, b"")), A.R_IPV4, S4 + D4)
    for v in (0, 5, 6, 15):
        expect("version %d with EtherType IPv4" % v, F4(ipv4(S4, D4, 6, T, version=v)), A.R_NONE, None)
    expect("total length 20 ignored (TCP present)", F4(ipv4(S4, D4, 6, T, total_len=20)), A.R_TCPV4, S4 + D4 + PORTS)
    expect("total length 0xffff ignored", F4(ipv4(S4, D4, 6, T, total_len=0xFFFF)), A.R_TCPV4, S4 + D4 + PORTS)
    expect("bad checksum ignored", F4(ipv4(S4, D4, 6, T, checksum=0)), A.R_TCPV4, S4 + D4 + PORTS)
    expect("IPv4 packet with EtherType IPv6", F4(ipv4(S4, D4, 6, T + bytes(20)), et=0x86DD), A.R_NONE, None)
    expect("TCP data offset ignored (doff 0)", F4(ipv4(S4, D4, 6, tcp(SP, DP, doff=0))), A.R_TCPV4, S4 + D4 + PORTS)
    expect("TCP data offset ignored (doff 15, 20 bytes)", F4(ipv4(S4, D4, 6, tcp(SP, DP, doff=15))), A.R_TCPV4, S4 + D4 + PORTS)


def check_ethernet():
    print("== Ethernet, VLAN, L3")
    P = ipv4(S4, D4, 6, tcp(SP, DP))
    good = (A.R_TCPV4, S4 + D4 + PORTS)
    expect("802.1Q", F4(P, tags=[(0x8100, 5)]), *good)
    expect("802.1ad", F4(P, tags=[(0x88A8, 5)]), *good)
    expect("QinQ 88a8+8100", F4(P, tags=[(0x88A8, 5), (0x8100, 6)]), *good)
    expect("8100+8100", F4(P, tags=[(0x8100, 5), (0x8100, 6)]), *good)
    expect("88a8+88a8", F4(P, tags=[(0x88A8, 5), (0x88A8, 6)]), *good)
    expect("three tags", F4(P, tags=[(0x8100, 5), (0x8100, 6), (0x8100, 7)]), A.R_NONE, None)
    expect("tag 0x9100 (not a VLAN EtherType)", F4(P, tags=[(0x9100, 5)]), A.R_NONE, None)
    f = eth(b"", 0x0800, [(0x8100, 5)])
    for n in (14, 15, 16, 17):
        expect("802.1Q tag cut short, %d bytes" % n, HF(f[:n]), A.R_NONE, None)
    expect("802.1Q tag, nothing after", HF(f), A.R_NONE, None)
    for n in (0, 1, 13):
        expect("%d-byte frame" % n, HF(eth(P, 0x0800)[:n]), A.R_NONE, None)
    expect("14-byte frame, IPv4", HF(eth(b"", 0x0800)), A.R_NONE, None)
    expect("ARP", F4(P, et=0x0806), A.R_NONE, None)
    expect("802.3 length 0x002e", F4(P, et=0x002E), A.R_NONE, None)
    expect("VLAN-tagged IPv6", F6(ipv6(S6, D6, 17, udp(SP, DP)), tags=[(0x8100, 1), (0x88A8, 2)]),
           A.R_UDPV6_EX, S6 + D6 + PORTS)
    expect("L3 IPv4", HL3(0x0800, P), *good)
    expect("L3 IPv4 with EtherType 0x8100", HL3(0x8100, P), A.R_NONE, None)
    expect("L3 VLAN header + IPv4 with EtherType 0x8100",
           HL3(0x8100, struct.pack("!HH", 5, 0x0800) + P), A.R_NONE, None)
    expect("L3 IPv4 with EtherType 0x86dd", HL3(0x86DD, P + bytes(40)), A.R_NONE, None)
    expect("L3 empty", HL3(0x0800, b""), A.R_NONE, None)


def check_ipv6():
    print("== IPv6")
    T = tcp(SP, DP)
    U = udp(SP, DP)
    AT = A.T_ALL
    hdr = S6 + D6
    hp = S6 + D6 + PORTS
    expect("TCP, all types", F6(ipv6(S6, D6, 6, T)), A.R_TCPV6_EX, hp)
    expect("TCP, tcpv6", F6(ipv6(S6, D6, 6, T), A.T_TCPV6), A.R_TCPV6, hp)
    expect("TCP, tcpv6_ex only (no tcpv6)", F6(ipv6(S6, D6, 6, T), A.T_TCP_EX), A.R_TCPV6_EX, hp)
    expect("TCP, udp types + ipv6", F6(ipv6(S6, D6, 6, T), A.T_UDPV6 | A.T_UDP_EX | A.T_IPV6), A.R_IPV6, hdr)
    expect("TCP, ipv6_ex + ipv6", F6(ipv6(S6, D6, 6, T), A.T_IP_EX | A.T_IPV6), A.R_IPV6_EX, hdr)
    expect("TCP, ipv4 family only", F6(ipv6(S6, D6, 6, T), A.T_IPV4 | A.T_TCPV4 | A.T_UDPV4), A.R_NONE, None)
    expect("TCP 19 bytes", F6(ipv6(S6, D6, 6, T[:19])), A.R_IPV6_EX, hdr)
    expect("TCP 19 bytes, tcp types only", F6(ipv6(S6, D6, 6, T[:19]), A.T_TCPV6 | A.T_TCP_EX), A.R_NONE, None)
    expect("UDP", F6(ipv6(S6, D6, 17, U)), A.R_UDPV6_EX, hp)
    expect("UDP, udpv6 + ipv6_ex", F6(ipv6(S6, D6, 17, U), A.T_UDPV6 | A.T_IP_EX), A.R_UDPV6, hp)
    expect("UDP 7 bytes, ipv6", F6(ipv6(S6, D6, 17, U[:7]), A.T_IPV6 | A.T_UDPV6), A.R_IPV6, hdr)
    expect("ICMPv6", F6(ipv6(S6, D6, 58, icmp())), A.R_IPV6_EX, hdr)
    expect("39 bytes", F6(ipv6(S6, D6, 59, b"")[:39]), A.R_NONE, None)
    expect("40 bytes, next header TCP", F6(ipv6(S6, D6, 6, b"")), A.R_IPV6_EX, hdr)
    for v in (4, 0, 7, 15):
        expect("version %d with EtherType IPv6" % v, F6(ipv6(S6, D6, 6, T, version=v)), A.R_NONE, None)
    expect("IPv6 packet with EtherType IPv4", F6(ipv6(S6, D6, 6, T), et=0x0800), A.R_NONE, None)
    expect("payload length 0 ignored (bytes present count)", F6(ipv6(S6, D6, 6, T, payload_len=0)), A.R_TCPV6_EX, hp)
    expect("payload length 0xffff ignored", F6(ipv6(S6, D6, 17, U, payload_len=0xFFFF)), A.R_UDPV6_EX, hp)

    print("== IPv6 extension headers")
    H = hbh()
    expect("HBH + TCP", F6(v6chain([H], 6, T)), A.R_TCPV6_EX, hp)
    expect("HBH + DST + RT(type 0) + AH + TCP",
           F6(v6chain([H, dstopts(), routing(0, RTA, 2), ah(4)], 6, T)), A.R_TCPV6_EX, hp)
    D = dstopts(opt_hao(HOA))
    expect("DST(HAO) + TCP, all", F6(v6chain([D], 6, T)), A.R_TCPV6_EX, HOA + D6 + PORTS)
    expect("DST(HAO) + TCP, tcpv6", F6(v6chain([D], 6, T), A.T_TCPV6 | A.T_IPV6), A.R_TCPV6, hp)
    expect("DST(HAO) + TCP, ipv6_ex", F6(v6chain([D], 6, T), A.T_IP_EX | A.T_IPV6), A.R_IPV6_EX, HOA + D6)
    expect("DST(HAO) + TCP, udpv6_ex,ipv6", F6(v6chain([D], 6, T), A.T_UDP_EX | A.T_IPV6), A.R_IPV6, hdr)
    R2 = routing(2, RTA, 2)
    expect("RT2 + UDP, all", F6(v6chain([R2], 17, U)), A.R_UDPV6_EX, S6 + RTA + PORTS)
    expect("RT2 + UDP, udpv6", F6(v6chain([R2], 17, U), A.T_UDPV6), A.R_UDPV6, hp)
    expect("RT2 segleft 0 + UDP", F6(v6chain([routing(2, RTA, 2, segleft=0)], 17, U)),
           A.R_UDPV6_EX, S6 + RTA + PORTS)
    expect("RT2 segleft 7 + UDP", F6(v6chain([routing(2, RTA, 2, segleft=7)], 17, U)),
           A.R_UDPV6_EX, S6 + RTA + PORTS)
    expect("DST(HAO) + RT2 + TCP", F6(v6chain([D, R2], 6, T)), A.R_TCPV6_EX, HOA + RTA + PORTS)
    expect("RT2 + DST(HAO) + TCP", F6(v6chain([R2, D], 6, T)), A.R_TCPV6_EX, HOA + RTA + PORTS)
    expect("RT type 2, hdr_ext_len 4: not Type 2",
           F6(v6chain([routing(2, RTA, 4)], 6, T)), A.R_TCPV6_EX, hp)
    expect("RT type 2, hdr_ext_len 0: not Type 2",
           F6(v6chain([routing(2, RTA, 0)], 6, T)), A.R_TCPV6_EX, hp)
    expect("RT type 0, hdr_ext_len 2: not Type 2",
           F6(v6chain([routing(0, RTA, 2)], 6, T)), A.R_TCPV6_EX, hp)
    expect("RT type 4, hdr_ext_len 2: not Type 2",
           F6(v6chain([routing(4, RTA, 2)], 6, T)), A.R_TCPV6_EX, hp)
    expect("RT2(A) + RT2(B): first wins", F6(v6chain([R2, routing(2, RTB, 2)], 6, T)),
           A.R_TCPV6_EX, S6 + RTA + PORTS)
    expect("RT0 + RT2(B): RT2 used", F6(v6chain([routing(0, RTA, 2), routing(2, RTB, 2)], 6, T)),
           A.R_TCPV6_EX, S6 + RTB + PORTS)
    expect("DST(HAO A) + DST(HAO B): first wins",
           F6(v6chain([D, dstopts(opt_hao(HOB))], 6, T)), A.R_TCPV6_EX, HOA + D6 + PORTS)
    expect("DST(HAO A, HAO B): first wins",
           F6(v6chain([dstopts(opt_hao(HOA) + opt_hao(HOB))], 6, T)), A.R_TCPV6_EX, HOA + D6 + PORTS)
    expect("DST(no HAO) + DST(HAO B)",
           F6(v6chain([dstopts(opt_padn(4)), dstopts(opt_hao(HOB))], 6, T)), A.R_TCPV6_EX, HOB + D6 + PORTS)
    expect("HAO inside HBH: ignored", F6(v6chain([hbh(opt_hao(HOA))], 6, T)), A.R_TCPV6_EX, hp)
    expect("HAO len 8: ignored", F6(v6chain([dstopts(opt_hao(HOA, 8))], 6, T)), A.R_TCPV6_EX, hp)
    expect("HAO len 18: ignored", F6(v6chain([dstopts(opt_hao(HOA, 18))], 6, T)), A.R_TCPV6_EX, hp)
    expect("HAO len 8 then HAO len 16",
           F6(v6chain([dstopts(opt_hao(HOA, 8) + opt_hao(HOB))], 6, T)), A.R_TCPV6_EX, HOB + D6 + PORTS)
    expect("Pad1, PadN, HAO", F6(v6chain([dstopts(opt_pad1() + opt_padn(3) + opt_hao(HOA))], 6, T)),
           A.R_TCPV6_EX, HOA + D6 + PORTS)
    expect("unknown option 0x1e then HAO",
           F6(v6chain([dstopts(opt_raw(0x1E, b"abc") + opt_hao(HOA))], 6, T)), A.R_TCPV6_EX, HOA + D6 + PORTS)
    expect("15 x Pad1 then HAO (16th option): used",
           F6(v6chain([dstopts(opt_pad1() * 15 + opt_hao(HOA))], 6, T)), A.R_TCPV6_EX, HOA + D6 + PORTS)
    expect("16 x Pad1 then HAO (17th option): not used",
           F6(v6chain([dstopts(opt_pad1() * 16 + opt_hao(HOA))], 6, T)), A.R_TCPV6_EX, hp)
    expect("15 x PadN(0) then HAO (16th): used",
           F6(v6chain([dstopts(opt_padn(0) * 15 + opt_hao(HOA))], 6, T)), A.R_TCPV6_EX, HOA + D6 + PORTS)
    expect("16 x PadN(0) then HAO (17th): not used",
           F6(v6chain([dstopts(opt_padn(0) * 16 + opt_hao(HOA))], 6, T)), A.R_TCPV6_EX, hp)
    expect("16 x Pad1 + HAO in DST 1, HAO B in DST 2: B",
           F6(v6chain([dstopts(opt_pad1() * 16 + opt_hao(HOA)), dstopts(opt_hao(HOB))], 6, T)),
           A.R_TCPV6_EX, HOB + D6 + PORTS)
    # 24-byte header: PadN(4) fills 2..7, HAO at 8 needs 18 bytes: runs past
    # the header's end (into the TCP header): not used
    cut = dstopts(opt_padn(4) + opt_hao(HOA), hdr_ext_len=2)
    expect("HAO running past the header's end: not used",
           F6(v6chain([cut], 6, T + T)), A.R_TCPV6_EX, hp)
    # 8-byte header whose PadN claims 10 bytes: walk stops; next DST has HAO
    bad = dstopts(bytes([1, 10]), hdr_ext_len=0)
    expect("PadN past the end, then DST(HAO B)",
           F6(v6chain([bad, dstopts(opt_hao(HOB))], 6, T)), A.R_TCPV6_EX, HOB + D6 + PORTS)
    # an option type byte as the very last byte (no room for its length)
    last = ("dst", bytes([0, 0]) + opt_padn(3) + b"\x05")
    expect("option type as the last byte", F6(v6chain([last], 17, U)), A.R_UDPV6_EX, hp)

    F0 = fragment(0, 0)
    expect("Fragment (atomic) + TCP: no L4", F6(v6chain([F0], 6, T)), A.R_IPV6_EX, hdr)
    expect("Fragment (atomic) + TCP, ipv6", F6(v6chain([F0], 6, T), A.T_IPV6 | A.T_TCPV6), A.R_IPV6, hdr)
    expect("Fragment + TCP, tcp types only", F6(v6chain([F0], 6, T), A.T_TCPV6 | A.T_TCP_EX), A.R_NONE, None)
    expect("Fragment(MF) + UDP", F6(v6chain([fragment(0, 1)], 17, U)), A.R_IPV6_EX, hdr)
    expect("DST(HAO) + Fragment + TCP", F6(v6chain([D, F0], 6, T)), A.R_IPV6_EX, HOA + D6)
    expect("HBH + RT2 + Fragment + DST + UDP", F6(v6chain([H, R2, F0, dstopts()], 17, U)),
           A.R_IPV6_EX, S6 + RTA)

    expect("AH(4) + TCP", F6(v6chain([ah(4)], 6, T)), A.R_TCPV6_EX, hp)
    expect("AH(0) + UDP", F6(v6chain([ah(0)], 17, U)), A.R_UDPV6_EX, hp)
    expect("AH(1) (12 bytes) + UDP", F6(v6chain([ah(1)], 17, U)), A.R_UDPV6_EX, hp)
    expect("ESP", F6(v6chain([], 50, T)), A.R_IPV6_EX, hdr)
    expect("No Next Header", F6(v6chain([], 59, T)), A.R_IPV6_EX, hdr)
    expect("Mobility (135)", F6(v6chain([], 135, T)), A.R_IPV6_EX, hdr)
    expect("DST(HAO) + ESP", F6(v6chain([D], 50, T)), A.R_IPV6_EX, HOA + D6)

    eight = [hbh()] + [dstopts()] * 7
    expect("8 extension headers + TCP", F6(v6chain(eight, 6, T)), A.R_TCPV6_EX, hp)
    expect("9 extension headers + TCP: cut short", F6(v6chain(eight + [dstopts()], 6, T)), A.R_IPV6_EX, hdr)
    expect("8 ext headers ending RT2 + TCP",
           F6(v6chain([dstopts()] * 7 + [R2], 6, T)), A.R_TCPV6_EX, S6 + RTA + PORTS)
    expect("9 ext headers, HAO in #1, RT2 in #9: HAO only",
           F6(v6chain([D] + [dstopts()] * 7 + [R2], 6, T)), A.R_IPV6_EX, HOA + D6)
    expect("9 ext headers, RT2 in #8", F6(v6chain([dstopts()] * 7 + [R2, dstopts()], 17, U)),
           A.R_IPV6_EX, S6 + RTA)
    expect("8 ext headers + ESP", F6(v6chain(eight, 50, b"")), A.R_IPV6_EX, hdr)
    expect("8 ext headers + Fragment (9th)", F6(v6chain(eight + [F0], 6, T)), A.R_IPV6_EX, hdr)

    p = v6chain([D, R2], 6, T)
    # D is 24 bytes (40..64), R2 24 bytes (64..88), TCP 88..108
    expect("DST(HAO)+RT2+TCP cut at 107", F6(p[:107]), A.R_IPV6_EX, HOA + RTA)
    expect("DST(HAO)+RT2+TCP cut at 88", F6(p[:88]), A.R_IPV6_EX, HOA + RTA)
    expect("DST(HAO)+RT2+TCP cut at 87 (RT2 short)", F6(p[:87]), A.R_IPV6_EX, HOA + D6)
    expect("DST(HAO)+RT2+TCP cut at 66", F6(p[:66]), A.R_IPV6_EX, HOA + D6)
    expect("DST(HAO)+RT2+TCP cut at 65 (1 byte of RT2)", F6(p[:65]), A.R_IPV6_EX, HOA + D6)
    expect("DST(HAO)+RT2+TCP cut at 64", F6(p[:64]), A.R_IPV6_EX, HOA + D6)
    expect("DST(HAO)+RT2+TCP cut at 63 (DST short)", F6(p[:63]), A.R_IPV6_EX, hdr)
    expect("DST(HAO)+RT2+TCP cut at 41", F6(p[:41]), A.R_IPV6_EX, hdr)
    expect("DST(HAO)+RT2+TCP cut at 40", F6(p[:40]), A.R_IPV6_EX, hdr)
    expect("DST(HAO)+RT2+TCP cut at 87, types tcp only", F6(p[:87], A.T_TCP_EX), A.R_NONE, None)
    p = v6chain([fragment()], 6, T)
    expect("Fragment header cut at 47", F6(p[:47]), A.R_IPV6_EX, hdr)
    p = v6chain([ah(4)], 17, U)
    expect("AH(4) cut at 63", F6(p[:63]), A.R_IPV6_EX, hdr)
    expect("AH(4), UDP 7 bytes", F6(p[:71]), A.R_IPV6_EX, hdr)
    expect("AH(4), UDP 8 bytes", F6(p[:72]), A.R_UDPV6_EX, hp)
    big = ("dst", bytes([6, 255]) + bytes(2046))      # 2048-byte header
    expect("DST hdr_ext_len 255 (2048 bytes) + TCP", F6(v6chain([big], 6, T)), A.R_TCPV6_EX, hp)
    expect("8 x 2048-byte DST headers + TCP", F6(v6chain([big] * 8, 6, T)), A.R_TCPV6_EX, hp)
    expect("8 x 2048-byte headers, HAO in the last + UDP",
           F6(v6chain([big] * 7 + [dstopts(opt_hao(HOA), 255)], 17, U)), A.R_UDPV6_EX, HOA + D6 + PORTS)
    expect("AH(255) (1028 bytes) + RT2 + TCP", F6(v6chain([ah(255), R2], 6, T)),
           A.R_TCPV6_EX, S6 + RTA + PORTS)
    expect("Ethernet padding makes a cut UDP header whole",
           F6(ipv6(S6, D6, 17, U[:4]) + bytes(4)), A.R_UDPV6_EX, S6 + D6 + PORTS)
    expect("DST hdr_ext_len 255, 1 byte short",
           F6(v6chain([big], 6, b"")[:40 + 2047]), A.R_IPV6_EX, hdr)


def check_queues():
    global failures, checks
    print("== queue selection")
    cases = [
        (ref.select_queue(0x51ccc178, A.R_TCPV4, ref.queues_table(4, 128), 7), 0x78 % 4),
        (ref.select_queue(0x51ccc178, A.R_TCPV4, ref.queues_table(3, 128), 7), 0x78 % 3),
        (ref.select_queue(0x51ccc178, A.R_TCPV4, ref.queues_table(5, 16), 7), 0x8 % 5),
        (ref.select_queue(0x51ccc178, A.R_TCPV4, ref.queues_table(100, 32768), 7), 0x4178 % 100),
        (ref.select_queue(0x51ccc178, A.R_TCPV4, [9], 7), 9),
        (ref.select_queue(0, A.R_NONE, ref.queues_table(4, 128), 7), 7),
        (ref.select_queue(0, A.R_IPV4, [3, 4], 7), 3),
        (ref.select_queue(0xFFFFFFFF, A.R_IPV4, [3, 4, 5, 6], 7), 6),
    ]
    for i, (got, want) in enumerate(cases):
        checks += 1
        ok = got == want
        failures += not ok
        print("%-4s queue case %d: %d want %d" % ("ok" if ok else "FAIL", i, got, want))


def check_writers():
    global failures, checks
    print("== capture writers")
    pkts = [b"\x01\x02\x03", b"", b"\xff" * 70]
    b = pcap_bytes(pkts, 1)
    ok = (b[:4] == bytes.fromhex("d4c3b2a1") and len(b) == 24 + 3 * 16 + 73
          and struct.unpack_from("<I", b, 20)[0] == 1)
    b2 = pcap_bytes(pkts, 101, big_endian=True)
    ok = ok and b2[:4] == bytes.fromhex("a1b2c3d4") and struct.unpack_from(">I", b2, 20)[0] == 101
    ng = pcapng_bytes([(0, p) for p in pkts], (1,))
    # SHB 28 + IDB 20 + EPBs (32 + padded data)
    ok = ok and ng[:4] == bytes.fromhex("0a0d0d0a") and len(ng) == 28 + 20 + 3 * 32 + 4 + 0 + 72
    checks += 1
    failures += not ok
    print("%-4s pcap/pcapng layout" % ("ok" if ok else "FAIL"))


def collect():
    """Run the frame checks quietly; returns RECORDED."""
    import contextlib
    import io
    del RECORDED[:]
    with contextlib.redirect_stdout(io.StringIO()):
        check_ipv4()
        check_ethernet()
        check_ipv6()
    return list(RECORDED)


def main():
    check_toeplitz()
    check_ipv4()
    check_ethernet()
    check_ipv6()
    check_queues()
    check_writers()
    print("%d checks, %d failures" % (checks, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
