#!/bin/sh
# archive.sh: replays the archive fuzz corpus (see replay.sh).  TAP output.
exec "${SHELL:-/bin/sh}" "${EAF_TEST_SRCDIR:-.}/tests/fuzz/replay.sh" archive
