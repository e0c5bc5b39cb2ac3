#!/bin/sh
# Regenerates ./configure and the Makefile templates.
set -e
cd "$(dirname "$0")"
autoreconf -fi
# automake does not install its TAP driver on its own; the tests use it.
cp -f "$(automake --print-libdir)/tap-driver.sh" build-aux/tap-driver.sh
