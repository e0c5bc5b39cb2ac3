#!/bin/sh
# examples.sh: the example programs (built against the public header and
# library only) index a few sample pages and find them.  TAP output.
set -u
srcdir=${EAF_TEST_SRCDIR:-.}
builddir=${EAF_TEST_BUILDDIR:-.}
. "$srcdir/tests/cli/tap.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eafex.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

out=$("$builddir/examples/index" "$tmp/ex.db" "$srcdir"/examples/archive/2018/*.md); rc=$?
is "$rc" 0 "examples/index indexes pages"
is "$out" "2 articles added or updated" "and counts them"
out=$("$builddir/examples/search" "$tmp/ex.db" "tariffs"); rc=$?
is "$rc" 0 "examples/search runs"
contains "$out" "Tariffs and Tit-for-Tat" "and finds the article"
contains "$out" "*tariffs*" "with the match marked in its snippet"
"$builddir/examples/search" "$tmp/none.db" x >/dev/null 2>&1; rc=$?
is "$rc" 1 "a missing index is reported"
done_testing
