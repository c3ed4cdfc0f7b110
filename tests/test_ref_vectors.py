#!/usr/bin/env python3
"""Check the reference model (tests/ref/vnethash_ref.py) against the published
Microsoft RSS verification vectors ("Verifying the RSS Hash Calculation"),
well-known 40-byte key.  Exit 0 when every check passes, 1 otherwise."""

import ipaddress
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "ref"))
import vnethash_ref as ref  # noqa: E402
import framegen  # noqa: E402

# (destination, dst port, source, src port, 2-tuple hash, 4-tuple TCP hash)
IPV4_VECTORS = [
    ("161.142.100.80", 1766, "66.9.149.187", 2794, 0x323e8fc2, 0x51ccc178),
    ("65.69.140.83", 4739, "199.92.111.2", 14230, 0xd718262a, 0xc626b0ea),
    ("12.22.207.184", 38024, "24.19.198.95", 12898, 0xd2d0a5de, 0x5c2b394a),
    ("209.142.163.6", 2217, "38.27.205.30", 48228, 0x82989176, 0xafc7327f),
    ("202.188.127.2", 1303, "153.39.163.191", 44251, 0x5d1809c5, 0x10e828a2),
]

IPV6_VECTORS = [
    ("3ffe:2501:200:3::1", 1766, "3ffe:2501:200:1fff::7", 2794,
     0x2cc18cd5, 0x40207d3d),
    ("ff02::1", 4739, "3ffe:501:8::260:97ff:fe40:efab", 14230,
     0x0f0c461c, 0xdde51bbf),
    ("fe80::200:f8ff:fe21:67cf", 38024, "3ffe:1900:4545:3:200:f8ff:fe21:67cf",
     44251, 0x4b61e985, 0x02d1feef),
]


def vector_cases():
    """Yield (label, family, src, dst, sport, dport, h2, h4) for every row."""
    for dst, dport, src, sport, h2, h4 in IPV4_VECTORS:
        yield ("IPv4 %s:%d -> %s:%d" % (src, sport, dst, dport), 4,
               ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed,
               sport, dport, h2, h4)
    for dst, dport, src, sport, h2, h4 in IPV6_VECTORS:
        yield ("IPv6 [%s]:%d -> [%s]:%d" % (src, sport, dst, dport), 6,
               ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed,
               sport, dport, h2, h4)


def vector_frames():
    """Yield (label, frame, types, expected hash, expected report) checks
    that run the vectors through the whole frame path; shared with
    hash_differential.py so the tool gets exactly the same checks."""
    for label, fam, src, dst, sport, dport, h2, h4 in vector_cases():
        if fam == 4:
            tcp = framegen.eth(framegen.ipv4(src, dst, 6, framegen.tcp(sport, dport)), 0x0800)
            udp = framegen.eth(framegen.ipv4(src, dst, 17, framegen.udp(sport, dport)), 0x0800)
            yield (label + " TCP types=tcpv4", tcp, ref.T_TCPV4, h4, ref.R_TCPV4)
            yield (label + " TCP types=all", tcp, ref.T_ALL, h4, ref.R_TCPV4)
            yield (label + " TCP types=ipv4", tcp, ref.T_IPV4, h2, ref.R_IPV4)
            yield (label + " TCP types=ipv4,udpv4", tcp, ref.T_IPV4 | ref.T_UDPV4, h2, ref.R_IPV4)
            yield (label + " UDP types=udpv4", udp, ref.T_UDPV4, h4, ref.R_UDPV4)
            yield (label + " UDP types=ipv4,tcpv4", udp, ref.T_IPV4 | ref.T_TCPV4, h2, ref.R_IPV4)
            yield (label + " TCP types=ipv6 (none)", tcp, ref.T_IPV6 | ref.T_TCPV6, 0, ref.R_NONE)
        else:
            tcp = framegen.eth(framegen.ipv6(src, dst, 6, framegen.tcp(sport, dport)), 0x86DD)
            udp = framegen.eth(framegen.ipv6(src, dst, 17, framegen.udp(sport, dport)), 0x86DD)
            yield (label + " TCP types=tcpv6", tcp, ref.T_TCPV6, h4, ref.R_TCPV6)
            yield (label + " TCP types=all", tcp, ref.T_ALL, h4, ref.R_TCPV6_EX)
            yield (label + " TCP types=tcpv6_ex", tcp, ref.T_TCP_EX, h4, ref.R_TCPV6_EX)
            yield (label + " TCP types=ipv6", tcp, ref.T_IPV6, h2, ref.R_IPV6)
            yield (label + " TCP types=ipv6_ex", tcp, ref.T_IP_EX, h2, ref.R_IPV6_EX)
            yield (label + " UDP types=udpv6", udp, ref.T_UDPV6, h4, ref.R_UDPV6)
            yield (label + " UDP types=udpv6_ex,udpv6", udp, ref.T_UDPV6 | ref.T_UDP_EX, h4, ref.R_UDPV6_EX)
            yield (label + " UDP types=ipv6,tcpv6", udp, ref.T_IPV6 | ref.T_TCPV6, h2, ref.R_IPV6)
            yield (label + " TCP types=ipv4 (none)", tcp, ref.T_IPV4 | ref.T_TCPV4, 0, ref.R_NONE)


def main():
    failures = 0
    checks = 0

    def check(what, got, want):
        nonlocal failures, checks
        checks += 1
        ok = got == want
        if not ok:
            failures += 1
        def fmt(v):
            if isinstance(v, tuple):
                return " ".join(fmt(x) for x in v)
            return ("0x%08x" % v) if isinstance(v, int) else str(v)
        print("%-4s %-75s got %s want %s" % ("ok" if ok else "FAIL", what, fmt(got), fmt(want)))

    print("== Toeplitz on the raw hash input (bit-by-bit and table versions)")
    for label, fam, src, dst, sport, dport, h2, h4 in vector_cases():
        ports = struct.pack("!HH", sport, dport)
        check(label + " 2-tuple", ref.toeplitz(ref.DEFAULT_KEY, src + dst), h2)
        check(label + " 4-tuple", ref.toeplitz(ref.DEFAULT_KEY, src + dst + ports), h4)
        check(label + " 2-tuple (fast)", ref.toeplitz_fast(ref.DEFAULT_KEY, src + dst), h2)
        check(label + " 4-tuple (fast)", ref.toeplitz_fast(ref.DEFAULT_KEY, src + dst + ports), h4)

    print("== whole frames through hash_frame()")
    for label, frame, types, want_h, want_r in vector_frames():
        h, r = ref.hash_frame(frame, types, ref.DEFAULT_KEY, fast=False)
        check(label, (h, ref.REPORT_NAMES[r]), (want_h, ref.REPORT_NAMES[want_r]))

    print("== the same packets as L3 (tun) through hash_l3()")
    for label, frame, types, want_h, want_r in vector_frames():
        et = struct.unpack_from("!H", frame, 12)[0]
        h, r = ref.hash_l3(et, frame[14:], types, ref.DEFAULT_KEY, fast=False)
        check(label + " [L3]", (h, ref.REPORT_NAMES[r]), (want_h, ref.REPORT_NAMES[want_r]))

    print("%d checks, %d failures" % (checks, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
