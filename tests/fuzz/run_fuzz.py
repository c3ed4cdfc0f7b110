#!/usr/bin/env python3
"""Run a libFuzzer target for a bounded time over its seed corpus.

usage: run_fuzz.py FUZZER SEED_DIR SECONDS [ARTIFACT_DIR]

New inputs go to a temporary directory (the seed corpus in the source tree
is never written); crash inputs are kept in ARTIFACT_DIR (default: next to
FUZZER). The exit status is the fuzzer's: non-zero on any finding."""

import os
import subprocess
import sys
import tempfile


def main():
    fuzzer, seeds, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    name = os.path.basename(fuzzer)
    artifacts = (sys.argv[4] if len(sys.argv) > 4 else
                 os.path.join(os.path.dirname(os.path.abspath(fuzzer)),
                              name + "-artifacts"))
    os.makedirs(artifacts, exist_ok=True)
    if not os.path.isdir(seeds) or not os.listdir(seeds):
        print("no seed corpus in", seeds)
        return 1
    with tempfile.TemporaryDirectory(prefix=name + "-") as work:
        cmd = [fuzzer, "-max_total_time=%d" % seconds, "-timeout=10",
               "-rss_limit_mb=2048", "-print_final_stats=1",
               "-artifact_prefix=" + artifacts + os.sep, work, seeds]
        print(" ".join(cmd), flush=True)
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "abort_on_error=1:detect_leaks=1")
        env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        r = subprocess.run(cmd, env=env)
    if r.returncode:
        print("%s failed (exit %d); crash inputs in %s"
              % (name, r.returncode, artifacts))
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
