#!/bin/sh
# Build and run every test suite (unit, fuzz, BPF, taps, VM). Run as root.
set -eu
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || meson setup build
meson compile -C build
exec meson test -C build --print-errorlogs "$@"
