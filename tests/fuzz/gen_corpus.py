#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets (corpus_hash_packet/,
corpus_ctrl/) next to this script. Deterministic; rerun after changing the
input layout of a target. Frames and payloads are built here by hand."""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

V4S, V4D = bytes([66, 9, 149, 187]), bytes([161, 142, 100, 80])
V6S = bytes.fromhex("3ffe25010200 1fff 0000000000000007".replace(" ", ""))
V6D = bytes.fromhex("3ffe250102000003 0000000000000001".replace(" ", ""))
HAO = bytes.fromhex("20010db8000000000000000000000100")
RT2 = bytes.fromhex("20010db8000000000000000000000200")


def eth(et, payload, tags=()):
    out = bytes.fromhex("525400123456525400abcdef")
    types = [t for t, _ in tags] + [et]
    out += struct.pack("!H", types[0])
    for i, (_, tci) in enumerate(tags):
        out += struct.pack("!HH", tci, types[i + 1])
    return out + payload


def ipv4(proto, payload, ihl=5, frag=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(payload),
                      0x1234, frag, 64, proto, 0, V4S, V4D)
    return hdr + b"\x01" * ((ihl - 5) * 4) + payload


def ipv6(nh, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64,
                       V6S, V6D) + payload


def tcp(sp=2794, dp=1766):
    return struct.pack("!HHIIBBHHH", sp, dp, 1, 0, 0x50, 0x18, 65535, 0, 0)


def udp(sp=2794, dp=1766):
    return struct.pack("!HHHH", sp, dp, 8, 0)


def hbh(nh):
    return bytes([nh, 0, 1, 4, 0, 0, 0, 0])


def dst_hao(nh):
    return bytes([nh, 2, 1, 2, 0, 0, 0xC9, 16]) + HAO


def rt2(nh):
    return bytes([nh, 2, 2, 1, 0, 0, 0, 0]) + RT2


def frag(nh, more=1):
    return struct.pack("!BBHI", nh, 0, more, 0xabcdef01)


def ah(nh):
    return struct.pack("!BBHII", nh, 1, 0, 0x100, 1)


def packet_seeds():
    # control byte: bit 0 tun, bits 1-2 tun EtherType (0 v4, 1 v6),
    # bits 3-5 types preset, bits 6-7 key
    chain = hbh(60) + dst_hao(43) + rt2(6) + tcp()
    frames = {
        "v4_tcp": eth(0x0800, ipv4(6, tcp() + b"data")),
        "v4_udp_opts": eth(0x0800, ipv4(17, udp(), ihl=7)),
        "v4_frag": eth(0x0800, ipv4(6, tcp(), frag=0x2000)),
        "v4_vlan": eth(0x0800, ipv4(17, udp()), tags=[(0x8100, 5)]),
        "v6_tcp": eth(0x86DD, ipv6(6, tcp())),
        "v6_chain": eth(0x86DD, ipv6(0, chain)),
        "v6_frag_udp": eth(0x86DD, ipv6(44, frag(17) + udp())),
        "v6_ah_udp": eth(0x86DD, ipv6(51, ah(17) + udp())),
        "qinq_v6_udp": eth(0x86DD, ipv6(17, udp()),
                           tags=[(0x88A8, 100), (0x8100, 200)]),
        "arp": eth(0x0806, bytes(28)),
    }
    seeds = {}
    for i, (name, f) in enumerate(sorted(frames.items())):
        seeds["tap_" + name] = bytes([(i % 8) << 3 | (i % 4) << 6]) + f
    seeds["tap_v6_chain_all"] = bytes([0]) + frames["v6_chain"]
    seeds["tun_v4_tcp"] = bytes([1]) + ipv4(6, tcp())
    seeds["tun_v6_chain"] = bytes([3]) + ipv6(0, chain)
    seeds["tun_v6_chain_ex"] = bytes([3 | 4 << 3]) + ipv6(0, chain)
    for pads in (15, 16):
        opts = bytes(pads) + bytes([0xC9, 16]) + HAO
        opts += bytes(-(len(opts) + 2) % 8)
        dst = bytes([6, (len(opts) + 2) // 8 - 1]) + opts
        seeds["tap_v6_pad1_%d_hao" % pads] = (
            bytes([0]) + eth(0x86DD, ipv6(60, dst + tcp())))
    nine = b"".join(hbh(60 if i < 8 else 6) for i in range(9))
    seeds["tun_v6_nine_ext"] = bytes([3]) + ipv6(0, nine + tcp())
    seeds["empty"] = bytes([0])
    return seeds


def limits(mqp=8, mtl=128, mks=40, types=0x1FF):
    return struct.pack("<HHBH", mqp, mtl, mks, types)


def rss_payload(types=0x1FF, n=16, unclassified=1, queues=4, key=None):
    key = bytes(range(40)) if key is None else key
    return (struct.pack("<IHH", types, n - 1, unclassified)
            + b"".join(struct.pack("<H", i % queues) for i in range(n))
            + struct.pack("<HB", queues, len(key)) + key)


def hash_payload(types=0x1FF, key=None):
    key = bytes(range(40)) if key is None else key
    return struct.pack("<IHHHHB", types, 0, 0, 0, 0, len(key)) + key


def ctrl_seeds():
    # control byte: bit 0 hash, bit 1 fix up, bits 2-3 previous config,
    # bit 4 sz short, bit 5 raw limits
    return {
        "rss_valid": bytes([0]) + limits() + rss_payload(),
        "rss_valid_prev1": bytes([1 << 2]) + limits() + rss_payload(n=1, queues=1),
        "rss_fixup": bytes([2 | 3 << 2]) + limits(mqp=300, mtl=4096)
        + rss_payload(n=64, queues=300, key=bytes(range(7))),
        "rss_nokey": bytes([0]) + limits() + rss_payload(types=0, key=b""),
        "rss_bad_queue": bytes([0]) + limits(mqp=2) + rss_payload(),
        "rss_raw_limits": bytes([0x20]) + limits(mqp=0) + rss_payload(),
        "hash_valid": bytes([1]) + limits() + hash_payload(),
        "hash_short_key": bytes([1 | 2 << 2]) + limits(mks=16)
        + hash_payload(types=0x12, key=bytes(16)),
        "hash_fixup": bytes([3]) + limits() + hash_payload(types=0xFFFF),
        "hash_reserved": bytes([1]) + limits()
        + struct.pack("<IHHHHB", 3, 0, 1, 0, 0, 0),
    }


def write(dirname, seeds):
    d = os.path.join(HERE, dirname)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write("corpus_hash_packet", packet_seeds())
    write("corpus_ctrl", ctrl_seeds())
