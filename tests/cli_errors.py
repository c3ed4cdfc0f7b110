#!/usr/bin/env python3
"""Bad flags and values for `vnethash hash`.

    cli_errors.py --vnethash PATH [-v]

Usage errors must exit 2 with a message (stderr) naming the bad flag or
value and print nothing on stdout; a missing or unreadable capture file
exits 1 (2 accepted) with a message naming the file, and nothing on stdout.
Every invocation also carries a valid frame (--hex) or file, so that the
tool would have printed something had it accepted the arguments.  Errors
met while reading a stream (a bad hex line on stdin, a truncated last
pcap record) may follow output for the frames before them.

The cases the issue lists are counted (exit 1 when one fails).  Further
cases where the contract is less explicit are printed as NOTE lines and do
not change the exit status (--strict counts them too).

Then the input paths and messages of issue 12, all counted: the kind of a
hex mistake (odd number of digits, not a hex digit, a lone digit), empty
frames, the short-key warning, standard input told apart by content (pcap
in both byte orders and resolutions, pcapng, hex lines, binary that is
neither), "0 frames" on empty input, the note on a terminal (a real pty),
and --queues above the default table length reaching every queue.
"""

import argparse
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "ref"))
import framegen as fg  # noqa: E402

FRAME = fg.eth(fg.ipv4(bytes([66, 9, 149, 187]), bytes([161, 142, 100, 80]), 6,
                       fg.tcp(2794, 1766)), 0x0800).hex()
KEY = "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c6a42b73bbeac01fa"


def run(tool, args, stdin=b""):
    p = subprocess.run([tool, "hash"] + args, input=stdin, capture_output=True, timeout=30)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def issue12(tool, tmp):
    """The input paths and messages of issue 12. Returns the failures."""
    failures = 0
    frames = [bytes.fromhex(FRAME)]
    g = fg.FrameGen(12)
    frames += [g.frame()[0] for _ in range(40)]
    hexlines = "".join(f.hex() + "\n" for f in frames).encode()
    pcap = os.path.join(tmp, "i12.pcap")
    fg.write_pcap(pcap, frames)
    pcapng = os.path.join(tmp, "i12.pcapng")
    fg.write_pcapng(pcapng, [(0, f) for f in frames])

    def ok(cond, desc, detail=""):
        nonlocal failures
        if cond:
            print("ok   %s" % desc)
        else:
            failures += 1
            print("FAIL %s%s" % (desc, ("\n       " + detail) if detail else ""))

    # the kind of hex mistake, in --key, --hex and stdin lines
    rc, out, err = run(tool, ["--key", "6d5a5", "--hex", FRAME])
    ok(rc == 2 and "odd number of hex digits (5)" in err and not out,
       "--key with 5 digits: 'odd number of hex digits (5)', exit 2", err)
    rc, out, err = run(tool, ["--key", "6d5g56da", "--hex", FRAME])
    ok(rc == 2 and "'g' at position 4 is not a hex digit" in err and "odd" not in err,
       "--key with a 'g': names the character and its position, not 'odd'", err)
    rc, out, err = run(tool, ["--hex", FRAME[:-1]])
    ok(rc == 2 and "odd number of hex digits" in err and not out,
       "--hex with an odd number of digits", err)
    rc, out, err = run(tool, ["--hex", "00 0"])
    ok(rc == 2 and "odd number of hex digits (3)" in err, "--hex '00 0': odd (3 digits)", err)
    rc, out, err = run(tool, ["--hex", "0 00 0"])
    ok(rc == 2 and "position 1 stands alone" in err, "--hex '0 00 0': the lone digit at 1", err)
    rc, out, err = run(tool, [], (FRAME + "\n" + FRAME[:20] + "x" + FRAME[21:] + "\n").encode())
    ok(rc == 2 and "line 2" in err and "'x' at position 21" in err and len(out.splitlines()) == 1,
       "stdin line 2 with an 'x': line and position named, line 1 hashed", err)
    # empty frames
    for args, stdin, desc in ((["--hex", ""], b"", "--hex ''"),
                              (["--hex", "0x"], b"", "--hex 0x"),
                              (["--hex", " : "], b"", "--hex ' : '"),
                              ([], b"0x\n", "a stdin line '0x'")):
        rc, out, err = run(tool, args, stdin)
        ok(rc == 2 and "empty frame" in err and not out, "%s: refused as an empty frame" % desc, err)
    # short keys warn, 40-byte keys do not
    for nbytes in (1, 2, 16, 39):
        rc, out, err = run(tool, ["--key", KEY[:2 * nbytes], "--hex", FRAME])
        ok(rc == 0 and out and "warning" in err and ("%d byte" % nbytes) in err and "40" in err,
           "--key of %d bytes: hashed, with a warning naming %d and 40" % (nbytes, nbytes), err)
    rc, out, err = run(tool, ["--key", KEY, "--hex", FRAME])
    ok(rc == 0 and out and not err, "--key of 40 bytes: no warning", err)

    # standard input by content
    _, want, _ = run(tool, ["--json", "--queues", "4", pcap])
    ok(len(want.splitlines()) == len(frames), "file %d frames hashed" % len(frames))
    _, want_ng, _ = run(tool, ["--json", "--queues", "4", pcapng])
    ok(want_ng == want, "pcapng file: same as pcap")
    inputs = [
        ("pcap", fg.pcap_bytes(frames)),
        ("pcap big-endian", fg.pcap_bytes(frames, big_endian=True)),
        ("pcap nanosecond", fg.pcap_bytes(frames, nanosec=True)),
        ("pcap big-endian nanosecond", fg.pcap_bytes(frames, big_endian=True, nanosec=True)),
        ("pcapng", fg.pcapng_bytes([(0, f) for f in frames])),
        ("pcapng big-endian", fg.pcapng_bytes([(0, f) for f in frames], big_endian=True)),
        ("pcapng with options and other blocks", fg.pcapng_bytes([(0, f) for f in frames], rich=True)),
        ("hex lines", hexlines),
        ("hex lines with comments, CRLF, 0x and colons",
         b"# frames\r\n\r\n" + b"".join(b"0x" + f.hex(":").encode() + b"\r\n" for f in frames)),
    ]
    for desc, data in inputs:
        rc, out, err = run(tool, ["--json", "--queues", "4"], data)
        ok(rc == 0 and out == want and not err, "stdin %s: same output as the file" % desc,
           "exit %d, stderr %r, %d lines" % (rc, err[:200], len(out.splitlines())))
        rc, out, err = run(tool, ["--json", "--queues", "4", "-"], data)
        ok(rc == 0 and out == want, "FILE '-' with %s on stdin" % desc, err[:200])
    rc, out, err = run(tool, [], b"\x00\x01\x02\x03\x04garbage")
    ok(rc == 1 and not out and "standard input" in err and "neither" in err,
       "binary stdin that is no capture: exit 1, said so", err)
    # 0 frames
    for desc, args, data in (("empty stdin", [], b""),
                             ("empty stdin, --json", ["--json"], b""),
                             ("FILE '-', empty stdin", ["-"], b""),
                             ("pcap header only on stdin", [], fg.pcap_bytes([])),
                             ("pcapng without packets on stdin", [], fg.pcapng_bytes([])),
                             ("only comments and blank lines", [], b"# nothing\n\n  \n")):
        rc, out, err = run(tool, args, data)
        ok(rc == 0 and not out and "0 frames" in err, "%s: exit 0, '0 frames' on stderr" % desc,
           "exit %d, stdout %r, stderr %r" % (rc, out[:80], err))
    empty_pcap = os.path.join(tmp, "noframes.pcap")
    fg.write_pcap(empty_pcap, [])
    rc, out, err = run(tool, [empty_pcap])
    ok(rc == 0 and not out and "0 frames" in err, "a capture file without packets: '0 frames'", err)

    # a terminal: the note comes before any input is given
    master, slave = pty.openpty()
    p = subprocess.Popen([tool, "hash"], stdin=slave, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    os.close(slave)
    r, _, _ = select.select([p.stderr], [], [], 10)
    note = os.read(p.stderr.fileno(), 4096).decode(errors="replace") if r else ""
    os.write(master, (FRAME + "\n").encode())
    os.write(master, b"\x04")
    try:
        out, rest = p.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        out, rest = p.communicate()
    os.close(master)
    ok("terminal" in note and "Ctrl-D" in note and "hex" in note,
       "stdin a terminal: a note on what to type and how to end, before any input", repr(note))
    ok(p.returncode == 0 and out.decode().split()[:2] == ["1", "0x51ccc178"],
       "stdin a terminal: the typed frame is hashed", "exit %s, stdout %r, stderr %r" % (
           p.returncode, out[:80], rest[:200]))

    # --queues above the default table length: every queue reachable
    g = fg.FrameGen(1212)
    many = [f for f in (g.frame()[0] for _ in range(3000)) if f]  # a blank line is no frame
    data = "".join(f.hex() + "\n" for f in many).encode()
    for nq, tsize in ((200, None), (1000, None), (300, 512)):
        args = ["--json", "--queues", str(nq)] + (["--table-size", str(tsize)] if tsize else [])
        rc, out, err = run(tool, args, data)
        tlen = tsize or max(128, 1 << (nq - 1).bit_length())
        bad = 0
        seen = set()
        for line in out.splitlines():
            o = __import__("json").loads(line)
            h = int(o["hash"], 16)
            want_q = 0 if o["report"] == "none" else (h & (tlen - 1)) % nq
            bad += o["queue"] != want_q
            seen.add(o["queue"])
        ok(rc == 0 and not bad and len(out.splitlines()) == len(many) and max(seen) >= 128,
           "--queues %d%s: table of %d, queue = (hash & %d) %% %d for all %d frames, queues up to %d seen"
           % (nq, " --table-size %d" % tsize if tsize else "", tlen, tlen - 1, nq, len(many),
              max(seen) if seen else -1), "exit %d, %d wrong, stderr %r" % (rc, bad, err[:200]))
    rc, out, err = run(tool, ["--queues", "200", "--table-size", "128", "--hex", FRAME])
    ok(rc == 2 and not out and "--table-size 128" in err and "--queues 200" in err and "256" in err,
       "--queues 200 --table-size 128: refused, naming both and the size needed (256)", err)
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vnethash", required=True)
    ap.add_argument("--strict", action="store_true", help="count the NOTE cases too")
    ap.add_argument("-v", "--verbose", action="store_true", help="show every message")
    a = ap.parse_args()
    tool = os.path.abspath(a.vnethash)
    tmp = tempfile.mkdtemp(prefix="vnethash-cli-")
    failures = 0
    notes = 0
    try:
        # files
        good = os.path.join(tmp, "good.pcap")
        fg.write_pcap(good, [bytes.fromhex(FRAME)])
        missing = os.path.join(tmp, "no-such-dir", "missing.pcap")
        badmagic = os.path.join(tmp, "badmagic.pcap")
        with open(badmagic, "wb") as f:
            f.write(b"this is not a capture file at all, not pcap, not pcapng\n" * 4)
        short = os.path.join(tmp, "shorthdr.pcap")
        with open(short, "wb") as f:
            f.write(fg.pcap_bytes([])[:10])
        empty = os.path.join(tmp, "empty.pcap")
        open(empty, "wb").close()
        badng = os.path.join(tmp, "badblock.pcapng")
        with open(badng, "wb") as f:
            # SHB whose block total length is not a multiple of 4 and runs
            # past the end of the file
            f.write(struct.pack("<IIIHHq", 0x0A0D0D0A, 0x7FFFFFF1, 0x1A2B3C4D, 1, 0, -1))
        trunc = os.path.join(tmp, "truncrec.pcap")
        with open(trunc, "wb") as f:
            f.write(fg.pcap_bytes([bytes.fromhex(FRAME)] * 3)[:-30])
        hugerec = os.path.join(tmp, "hugerec.pcap")
        with open(hugerec, "wb") as f:
            f.write(fg.pcap_bytes([])
                    + struct.pack("<IIII", 1, 0, 0x7FFFFFF0, 0x7FFFFFF0) + b"\0" * 64)
        dirpath = os.path.join(tmp, "adir.pcap")
        os.mkdir(dirpath)

        H = ["--hex", FRAME]
        # (description, args, culprit tokens (any one must appear in stderr), status)
        required = [
            ("unknown flag", ["--bogus"] + H, ["--bogus"], 2),
            ("unknown short flag", ["-Z"] + H, ["-Z", "'Z'"], 2),
            ("key not hex", ["--key", "zz5a56da"] + H, ["zz5a56da", "--key"], 2),
            ("key odd number of digits", ["--key", "6d5a5"] + H, ["6d5a5", "--key"], 2),
            ("key 41 bytes", ["--key", KEY + "aa"] + H, [KEY + "aa", "--key"], 2),
            ("key 64 bytes", ["--key", "ab" * 64] + H, ["ab" * 64, "--key"], 2),
            ("empty key", ["--key", ""] + H, ["--key", "key"], 2),
            ("unknown type name", ["--types", "ipv4,tcp4"] + H, ["tcp4"], 2),
            ("unknown type name alone", ["--types", "ipv5"] + H, ["ipv5"], 2),
            ("type name in capitals", ["--types", "IPV4"] + H, ["IPV4"], 2),
            ("indir length 3", ["--indir", "0,1,2"] + H, ["--indir", "0,1,2"], 2),
            ("indir length 6", ["--indir", "0,1,2,3,4,5"] + H, ["--indir", "0,1,2,3,4,5"], 2),
            ("indir with a non-number", ["--indir", "0,x,1,2"] + H, ["x", "--indir"], 2),
            ("indir with words", ["--indir", "one,two"] + H, ["one", "--indir"], 2),
            ("queues 0", ["--queues", "0"] + H, ["--queues"], 2),
            ("table-size 100", ["--queues", "4", "--table-size", "100"] + H, ["--table-size", "100"], 2),
            ("table-size 3", ["--queues", "4", "--table-size", "3"] + H, ["--table-size"], 2),
            ("table-size 65536", ["--queues", "4", "--table-size", "65536"] + H, ["--table-size", "65536"], 2),
            ("table-size 0", ["--queues", "4", "--table-size", "0"] + H, ["--table-size"], 2),
            ("unclassified abc", ["--unclassified", "abc"] + H, ["abc", "--unclassified"], 2),
            ("unclassified 1x", ["--unclassified", "1x"] + H, ["1x", "--unclassified"], 2),
            ("unclassified empty", ["--unclassified", ""] + H, ["--unclassified"], 2),
            ("missing file", [missing], [missing, "missing.pcap"], 1),
            ("not a capture file", [badmagic], [badmagic, "badmagic.pcap"], 1),
            ("pcap header cut short", [short], [short, "shorthdr.pcap"], 1),
            ("empty file", [empty], [empty, "empty.pcap"], 1),
            ("corrupt pcapng block", [badng], [badng, "badblock.pcapng"], 1),
            ("a directory", [dirpath], [dirpath, "adir.pcap"], 1),
        ]
        extra = [
            ("--key without a value", ["--key"], ["--key"], 2),
            ("--types without a value", ["--types"], ["--types"], 2),
            ("key with 0x prefix", ["--key", "0x" + KEY[:16]] + H, ["0x" + KEY[:16], "--key"], 2,
             {"same_as": ["--key", KEY[:16]] + H}),
            ("empty type list", ["--types", ""] + H, ["--types"], 2),
            ("type list with an empty item", ["--types", "ipv4,,tcpv4"] + H, ["--types", "ipv4,,tcpv4"], 2),
            ("types all inside a list", ["--types", "all,ipv4"] + H, ["all", "all,ipv4"], 2),
            ("types none inside a list", ["--types", "ipv4,none"] + H, ["none", "ipv4,none"], 2),
            ("empty indir", ["--indir", ""] + H, ["--indir"], 2),
            ("indir trailing comma", ["--indir", "0,1,"] + H, ["--indir", "0,1,"], 2),
            ("indir negative", ["--indir", "0,-1"] + H, ["-1", "--indir"], 2),
            ("indir queue 65536", ["--indir", "0,65536"] + H, ["65536", "--indir"], 2),
            ("queues -1", ["--queues", "-1"] + H, ["--queues", "-1"], 2),
            ("queues abc", ["--queues", "abc"] + H, ["--queues", "abc"], 2),
            ("queues 65537", ["--queues", "65537"] + H, ["--queues", "65537"], 2),
            ("table-size abc", ["--queues", "2", "--table-size", "abc"] + H, ["--table-size", "abc"], 2),
            ("unclassified -1", ["--unclassified", "-1"] + H, ["-1", "--unclassified"], 2),
            ("unclassified 65536", ["--unclassified", "65536"] + H, ["65536", "--unclassified"], 2),
            ("unclassified 99999999999999999999", ["--unclassified", "9" * 20] + H, ["9" * 20, "--unclassified"], 2),
            ("queues 2^64+1", ["--queues", "18446744073709551617"] + H, ["--queues", "18446744073709551617"], 2),
            ("bad --hex frame", ["--hex", "zz00"], ["zz00", "--hex"], 2),
            ("odd --hex frame", ["--hex", FRAME[:-1]], [FRAME[:-1], "--hex"], 2),
            ("bad --link", ["--link", "ppp"] + H, ["ppp", "--link"], 2),
            ("two files", [good, good], [good, "good.pcap", "file"], 2),
            ("file and --hex", [good] + H, [good, "--hex", "good.pcap"], 2),
            ("bad hex line on stdin", [], ["zz", "line 2"], 2, {"partial": True}),
            ("truncated last record", [trunc], [trunc, "truncrec.pcap"], 1, {"partial": True}),
            ("record claiming 2 GiB", [hugerec], [hugerec, "hugerec.pcap"], 1),
        ]
        stdin_for = {"bad hex line on stdin": (FRAME + "\nzz\n").encode()}

        # baseline: the same invocations without the mistake work
        for args in (H, [good], ["--indir", "0,1,2,3"] + H, ["--queues", "4", "--table-size", "32768"] + H,
                     ["--key", KEY[:2]] + H, ["--key", KEY] + H, ["--types", "none"] + H,
                     ["--unclassified", "7"] + H):
            rc, out, err = run(tool, ["--json"] + args)
            if rc != 0 or not out.strip():
                failures += 1
                print("FAIL baseline %s: exit %d, stdout %r, stderr %r" % (
                    " ".join(args)[:80], rc, out[:100], err[:200]))
        print("baseline: valid invocations checked")

        def check(desc, args, tokens, want_rc, counted, opts=None):
            nonlocal failures, notes
            opts = opts or {}
            rc, out, err = run(tool, ["--json"] + args, stdin_for.get(desc, b""))
            problems = []
            if rc == 0 and "same_as" in opts:
                # accepted as an equivalent spelling: the output must match
                rc2, out2, _ = run(tool, ["--json"] + opts["same_as"])
                if rc2 == 0 and out == out2:
                    print("ok   %-36s accepted, same output as %s" % (desc, " ".join(opts["same_as"][:2])))
                    return
            if want_rc == 2 and rc != 2:
                problems.append("exit %d, want 2" % rc)
            if want_rc == 1 and rc not in (1, 2):
                problems.append("exit %d, want 1 (or 2)" % rc)
            if out and not opts.get("partial"):
                problems.append("stdout not empty: %r" % out[:120])
            if not err.strip():
                problems.append("no message on stderr")
            elif not any(t and t in err for t in tokens):
                problems.append("message does not name any of %s" % (
                    ", ".join(repr(t if len(t) < 50 else t[:47] + "...") for t in tokens)))
            shown = " ".join(x if len(x) < 60 else x[:57] + "..." for x in args[:4])
            msg = err.strip().replace("\n", " | ")
            if len(msg) > 160:
                msg = msg[:157] + "..."
            if problems:
                if counted:
                    failures += 1
                    print("FAIL %-36s [%s]: %s\n       stderr: %s" % (desc, shown, "; ".join(problems), msg))
                else:
                    notes += 1
                    print("NOTE %-36s [%s]: %s\n       stderr: %s" % (desc, shown, "; ".join(problems), msg))
            else:
                print("ok   %-36s exit %d%s" % (desc, rc, (": " + msg) if a.verbose else ""))

        print("== cases from the issue")
        for case in required:
            check(*case[:4], True, *case[4:])
        print("== further cases (NOTE only%s)" % (", counted with --strict" if not a.strict else ", counted"))
        for case in extra:
            check(*case[:4], a.strict, *case[4:])
        print("== issue 12: input paths and messages")
        failures += issue12(tool, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failures, %d notes" % (failures, notes))
    return 1 if failures or (a.strict and notes) else 0


if __name__ == "__main__":
    sys.exit(main())
