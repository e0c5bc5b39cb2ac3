#!/bin/sh
# tokenize.sh: replays the tokenize fuzz corpus (see replay.sh).  TAP output.
exec "${SHELL:-/bin/sh}" "${EAF_TEST_SRCDIR:-.}/tests/fuzz/replay.sh" tokenize
