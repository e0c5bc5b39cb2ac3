#!/bin/sh
# concurrency.sh: the quick concurrency test of make check: 3 reader
# threads search for 3 s while a writer process changes the index, and
# eafindex and a library handle try to write while the writer holds its
# lock (see concurrency.c).  make bench-concurrency is the long version.
# TAP output.  EAF_TEST_WRAPPER runs it under a tool (make check-valgrind).
build=${EAF_TEST_BUILDDIR:-.}
exec ${EAF_TEST_WRAPPER:-} "$build/tests/concurrency/concurrency" --seconds 3 --readers 3 \
    --eafindex "$build/tools/eafindex"
