#!/bin/sh
# jsonl.sh: replays the jsonl fuzz corpus (see replay.sh).  TAP output.
exec "${SHELL:-/bin/sh}" "${EAF_TEST_SRCDIR:-.}/tests/fuzz/replay.sh" jsonl
