#!/bin/sh
# markdown.sh: replays the markdown fuzz corpus (see replay.sh).  TAP output.
exec "${SHELL:-/bin/sh}" "${EAF_TEST_SRCDIR:-.}/tests/fuzz/replay.sh" markdown
