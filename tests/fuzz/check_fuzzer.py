#!/usr/bin/env python3
"""Configure-time check: can CLANG (argv[1]) build and run a libFuzzer
target with ASan and UBSan? Exit 0 if so; otherwise print why, exit 1."""

import os
import subprocess
import sys
import tempfile

SRC = r"""
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	return n > 1 && d[0] == 'x' ? 0 : 0;
}
"""


def main():
    clang = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "t.c")
        exe = os.path.join(tmp, "t")
        with open(src, "w") as f:
            f.write(SRC)
        r = subprocess.run([clang, "-fsanitize=fuzzer,address,undefined",
                            src, "-o", exe], capture_output=True, text=True)
        if r.returncode:
            print("compile failed:", r.stderr.strip()[-500:])
            return 1
        r = subprocess.run([exe, "-runs=10"], capture_output=True,
                           text=True, cwd=tmp)
        if r.returncode:
            print("run failed:", r.stderr.strip()[-500:])
            return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
