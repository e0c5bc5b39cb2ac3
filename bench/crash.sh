#!/bin/sh
# bench/crash.sh: crash safety at scale (make bench-crash).
#
# A corpus of real articles from ../shared/corpora, split into files of 500
# (the BBC news set, 2,225 articles, and the first EAF_CRASH_SECTIONS
# sections of the English Wikipedia set, 30,000 by default), is indexed by
# eafindex committing every 100 articles, killed with SIGKILL
# EAF_CRASH_KILLS times (120 by default) at random points; after each kill
# the index is checked (tests/crash/crash.c says how), then a last run
# completes it.  Prints the TAP lines and the figures: kills, articles
# checked, lost, corrupt.  Skipped without ../shared.
#
#   EAF_SHARED          the shared folder (default: $EAF_SRCDIR/../shared)
#   EAF_CRASH_KILLS     the number of kills (default 120)
#   EAF_CRASH_SECTIONS  how many Wikipedia sections (default 30000)
#   EAF_CRASH_SEED      the random seed (default: the time)
set -u
src=${EAF_SRCDIR:-.}
build=${EAF_BUILDDIR:-.}
shared=${EAF_SHARED:-$src/../shared}
corpora=$shared/corpora
kills=${EAF_CRASH_KILLS:-120}
sections=${EAF_CRASH_SECTIONS:-30000}
if [ ! -f "$corpora/bbc/docs.jsonl" ] || [ ! -f "$corpora/enwiki_sections/docs.jsonl.gz" ]; then
    echo "bench-crash: no corpora in $corpora; skipped"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eafbenchcrash.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/corpus"
split -l 500 -d -a 3 --additional-suffix=.jsonl "$corpora/bbc/docs.jsonl" "$tmp/corpus/bbc-"
gzip -dc "$corpora/enwiki_sections/docs.jsonl.gz" | head -n "$sections" |
    split -l 500 -d -a 3 --additional-suffix=.jsonl - "$tmp/corpus/wiki-"
echo "bench-crash: $(cat "$tmp"/corpus/*.jsonl | wc -l) articles in $(ls "$tmp/corpus" | wc -l) files, $kills kills"
start=$(date +%s)
"$build/tests/crash/crash" --eafindex "$build/tools/eafindex" --corpus "$tmp/corpus" \
    --db "$tmp/index.db" --kills "$kills" --batch 100 --log "$tmp/eafindex.log" \
    ${EAF_CRASH_SEED:+--seed "$EAF_CRASH_SEED"} > "$tmp/tap" 2>&1
rc=$?
grep -v '^ok' "$tmp/tap"
sed -n '2,3p' "$tmp/tap"
echo "bench-crash: $(grep -c '^ok' "$tmp/tap") checks passed, $(grep -c '^not ok' "$tmp/tap") failed, in $(( $(date +%s) - start )) s"
exit $rc
