#!/bin/sh
# html.sh: replays the html fuzz corpus (see replay.sh).  TAP output.
exec "${SHELL:-/bin/sh}" "${EAF_TEST_SRCDIR:-.}/tests/fuzz/replay.sh" html
