#!/bin/sh
# query.sh: replays the query parser's fuzz corpus (seeds and every crasher
# ever found) through the fuzz target, without libFuzzer.  TAP output.
exec "${EAF_TEST_BUILDDIR:-.}/tests/fuzz/query_replay" \
    "${EAF_TEST_SRCDIR:-.}/tests/fuzz/corpus/query"
