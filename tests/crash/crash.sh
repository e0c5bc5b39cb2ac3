#!/bin/sh
# crash.sh: the quick crash test of make check: a corpus of 1,200 articles
# in 24 JSON Lines files made here, eafindex committing every 20 articles,
# killed with SIGKILL 6 times at random points, each kill checked (see
# crash.c); then a run completes the index.  make bench-crash is the long
# version, on real corpora.  TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"
tap_tmpdir eafcrash
crash="$builddir/tests/crash/crash"
"$crash" --make-corpus "$tmp/corpus" --files 24 --articles 50 || {
    echo "1..0 # SKIP cannot make the corpus"; exit 0; }
# (not exec'd: the shell stays, for its trap to remove the folder)
"$crash" --eafindex "$eafindex" --corpus "$tmp/corpus" \
    --db "$tmp/index.db" --kills 6 --batch 20 --log "$tmp/eafindex.log" ${EAF_CRASH_SEED:+--seed "$EAF_CRASH_SEED"}
