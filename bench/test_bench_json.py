#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Functional test of `vnethash bench --json --quick`: it runs, exits 0 and
prints one well-formed JSON object with every field; every section is
either measured or listed as skipped with a reason; each result's ratio is
its baseline over its figure, its round-by-round spread is ordered
(quartiles and confidence interval around the median); each target's
verdict follows from its interval and limit; --sections runs only the
sections named. Asserts no speed: figures belong in benchmarks, not tests.
Bad options exit 2 with a message."""
import json
import math
import os
import subprocess
import sys

VNETHASH = os.environ["VNETHASH"]
SECTIONS = ("toeplitz", "frame", "bpf", "tap")
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) \
        and math.isfinite(v)


p = subprocess.run([VNETHASH, "bench", "--json", "--quick"],
                   capture_output=True, text=True, timeout=240)
check(p.returncode == 0, f"exit status {p.returncode}: {p.stderr.strip()}")
try:
    doc = json.loads(p.stdout)
except ValueError as e:
    print(p.stdout)
    print("FAIL: not JSON:", e)
    sys.exit(1)

check(doc.get("version") == 1, "version is not 1")
check(doc.get("quick") is True, "quick is not true")
check(doc.get("rounds") == 3, "quick mode does not run 3 rounds")
check(doc.get("tap_rounds") == 3, "quick mode does not run 3 tap rounds")
check(isinstance(doc.get("clock"), str) and doc["clock"], "clock missing")
m = doc.get("machine", {})
for k in ("cpu", "kernel", "toeplitz_impl"):
    check(isinstance(m.get(k), str) and m[k], f"machine.{k} missing")
check(isinstance(m.get("cpus"), int) and m["cpus"] >= 1, "machine.cpus")
check(m.get("toeplitz_impl") in ("gfni", "scalar"), "toeplitz_impl")
check(m.get("dpdk") is None or isinstance(m["dpdk"], str), "machine.dpdk")
check(isinstance(m.get("bpf_verified_insns"), int), "bpf_verified_insns")
check("pinned_cpu" in m and (m["pinned_cpu"] is None or
      (isinstance(m["pinned_cpu"], int) and 0 <= m["pinned_cpu"])),
      "machine.pinned_cpu")

results = doc.get("results")
skipped = doc.get("skipped")
check(isinstance(results, list) and results, "no results")
check(isinstance(skipped, list), "skipped is not a list")
fields = ("section", "name", "ns", "mpps", "baseline", "baseline_ns",
          "baseline_mpps", "ratio", "overhead_ns", "rounds", "ns_ci95",
          "ratio_median", "ratio_p25", "ratio_p75", "ratio_ci95")


def interval(v):
    return isinstance(v, list) and len(v) == 2 and all(num(x) for x in v) \
        and v[0] <= v[1]


EPS = 1e-3
for r in results or []:
    for f in fields:
        check(f in r, f"result {r.get('name')} lacks {f}")
    if not all(f in r for f in fields):
        continue
    check(r["section"] in SECTIONS, f"unknown section {r['section']}")
    for f in ("ns", "mpps", "baseline_ns", "baseline_mpps", "ratio",
              "overhead_ns"):
        check(num(r[f]), f"{r['name']}: {f} is not a number")
    check(r["ns"] > 0 and r["baseline_ns"] > 0,
          f"{r['name']}: figures not positive")
    if r["ns"] > 0 and r["baseline_ns"] > 0:
        check(abs(r["ratio"] - r["baseline_ns"] / r["ns"]) <= 0.01 * r["ratio"] + 0.002,
              f"{r['name']}: ratio is not baseline_ns / ns")
        check(abs(r["mpps"] - 1e3 / r["ns"]) <= 0.01 * r["mpps"] + 0.002,
              f"{r['name']}: mpps is not 1000 / ns")
    check(isinstance(r["baseline"], str) and r["baseline"],
          f"{r['name']}: no baseline named")
    want_rounds = doc.get("tap_rounds") if r["section"] == "tap" \
        else doc.get("rounds")
    check(r["rounds"] == want_rounds, f"{r['name']}: rounds {r['rounds']}")
    for f in ("ratio_median", "ratio_p25", "ratio_p75"):
        check(num(r[f]), f"{r['name']}: {f} is not a number")
    check(interval(r["ns_ci95"]) and interval(r["ratio_ci95"]),
          f"{r['name']}: a confidence interval is not [lo, hi]")
    if all(num(r[f]) for f in ("ratio_median", "ratio_p25", "ratio_p75")) \
            and interval(r["ratio_ci95"]) and interval(r["ns_ci95"]):
        lo, hi = r["ratio_ci95"]
        check(r["ratio_p25"] <= r["ratio_median"] + EPS and
              r["ratio_median"] <= r["ratio_p75"] + EPS,
              f"{r['name']}: quartiles not around the median")
        check(lo <= r["ratio_median"] + EPS and r["ratio_median"] <= hi + EPS,
              f"{r['name']}: ratio interval does not hold the median")
        check(r["ns_ci95"][0] <= r["ns"] + EPS and r["ns"] <= r["ns_ci95"][1] + EPS,
              f"{r['name']}: ns interval does not hold the median")
targets = doc.get("targets")
check(isinstance(targets, list), "targets is not a list")
for t in targets or []:
    what = t.get("target")
    check(isinstance(what, str) and what, f"target without a name: {t}")
    check(t.get("row") in [r.get("name") for r in results or []],
          f"{what}: row {t.get('row')} is not a result")
    check(t.get("measure") in ("ns", "ratio"), f"{what}: measure")
    check(num(t.get("limit")) and num(t.get("value")) and
          interval(t.get("ci95")), f"{what}: limit, value or ci95")
    if not (num(t.get("limit")) and interval(t.get("ci95"))):
        continue
    lo, hi = t["ci95"]
    lim = t["limit"]
    if t.get("measure") == "ns":
        want = "met" if hi <= lim else "missed" if lo > lim else "unresolved"
    else:
        want = "met" if lo >= lim else "missed" if hi < lim else "unresolved"
    check(t.get("verdict") == want,
          f"{what}: verdict {t.get('verdict')}, its interval says {want}")
check(any(t.get("row", "").startswith("IPv4/TCP parse") for t in targets or []),
      "no whole-frame target")
for s in skipped or []:
    check(s.get("section") in SECTIONS and isinstance(s.get("reason"), str)
          and s["reason"], f"bad skip entry {s}")

measured = {r["section"] for r in results or [] if "section" in r}
skipped_secs = {s.get("section") for s in skipped or []}
for sec in SECTIONS:
    check(sec in measured or sec in skipped_secs,
          f"section {sec} neither measured nor skipped")
check("toeplitz" in measured and "frame" in measured,
      "the library sections need no privileges but did not run")
names = [r["name"] for r in results or []]
check(any(n.startswith("scalar, 12 B") for n in names), "no scalar 12 B")
check(any(n.startswith("scalar, 36 B") for n in names), "no scalar 36 B")
if m.get("toeplitz_impl") == "gfni":
    check(any(n.startswith("gfni, 36 B") for n in names), "no gfni row")
if os.geteuid() == 0:
    # As root the BPF section must run (the test machine has BPF).
    check("bpf" in measured, "bpf section did not run as root")
    check(m.get("bpf_verified_insns", 0) > 0, "no verified instruction count")
    if "bpf" in measured:
        check(sum(1 for r in results if r["section"] == "bpf") == 2,
              "bpf: expected IPv4/TCP and IPv6/TCP")

# --sections: only those run, the others are skipped with the reason.
p = subprocess.run([VNETHASH, "bench", "--json", "--quick", "--sections",
                    "frame"], capture_output=True, text=True, timeout=240)
check(p.returncode == 0, f"--sections frame: exit {p.returncode}")
try:
    one = json.loads(p.stdout)
    check({r["section"] for r in one["results"]} == {"frame"},
          "--sections frame ran other sections")
    check({s["section"] for s in one["skipped"]} ==
          {"toeplitz", "bpf", "tap"}, "--sections frame: skipped list")
except (ValueError, KeyError, TypeError) as e:
    check(False, f"--sections frame: bad output: {e}")

# Text mode runs too, and bad options are usage errors.
p = subprocess.run([VNETHASH, "bench", "--quick", "--rounds", "1"],
                   capture_output=True, text=True, timeout=240)
check(p.returncode == 0 and "[toeplitz]" in p.stdout, "text output")
for bad in (["--rounds", "2"], ["--rounds", "0"], ["--rounds", "x"],
            ["--tap-rounds", "4"], ["--tap-rounds", "203"],
            ["--sections", "tap,bogus"], ["--sections", ""],
            ["--bogus"], ["extra"]):
    p = subprocess.run([VNETHASH, "bench"] + bad, capture_output=True,
                       text=True, timeout=30)
    check(p.returncode == 2 and p.stderr.strip(),
          f"bench {' '.join(bad)}: exit {p.returncode}, no message")

if failures:
    sys.exit(1)
print("ok: bench --json with", len(results), "results,", len(skipped),
      "skipped")
