#!/bin/sh
# replay.sh NAME: replays the corpus of fuzz target NAME (its seeds and
# every input libFuzzer kept, crashers included) through the target's
# standalone build, without libFuzzer.  TAP output, one line per input.
# EAF_TEST_WRAPPER runs it under a tool (make check-valgrind).
name=$1
exec ${EAF_TEST_WRAPPER:-} "${EAF_TEST_BUILDDIR:-.}/tests/fuzz/${name}_replay" \
    "${EAF_TEST_SRCDIR:-.}/tests/fuzz/corpus/$name"
