#!/bin/sh
# check-archives.sh: indexes every test archive of ../shared/archives with
# eafindex and compares the index with the archive's manifest.jsonl, field
# by field (tests/archives/check-manifests).  Run by `make check-archives`;
# not part of `make check`, which needs nothing outside this tree.
#
# For each archive: the first run (a new index), the second run (nothing
# changed: its time is that of skipping unchanged files), the table of
# fields, and the errors eafindex reported.  The archives are also packed
# into a .tar.gz and a .zip (when zip is installed) that are indexed in
# place and checked the same way.  18f-posts has no manifest of its own:
# it is checked against 18f-html's, by id, its authors being slugs.
#
# Environment: EAF_ARCHIVES (default: ../shared/archives beside the source
# tree), EAF_TEST_SRCDIR, EAF_TEST_BUILDDIR.  Exit status 0 when every
# compared field of every archive matched.
set -u
srcdir=${EAF_TEST_SRCDIR:-.}
builddir=${EAF_TEST_BUILDDIR:-.}
archives=${EAF_ARCHIVES:-$srcdir/../shared/archives}
eafindex="$builddir/tools/eafindex"
check="$builddir/tests/archives/check-manifests"

if [ ! -d "$archives" ]; then
    echo "check-archives: no archives at $archives (set EAF_ARCHIVES)" >&2
    exit 2
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eafarch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0

now() { date +%s.%N; }
elapsed() { echo "$1 $2" | awk '{ printf "%.2f", $2 - $1 }'; }

# index NAME PATH MANIFEST [CHECK-OPTIONS]
index() {
    name=$1 path=$2 manifest=$3
    shift 3
    db="$tmp/$name.db"
    rm -f "$db" "$db-wal" "$db-shm"
    t0=$(now)
    "$eafindex" -q -d "$db" --exclude manifest.jsonl "$path" > "$tmp/$name.out1" 2> "$tmp/$name.err1"
    t1=$(now)
    "$eafindex" -q -d "$db" --exclude manifest.jsonl "$path" > "$tmp/$name.out2" 2> "$tmp/$name.err2"
    t2=$(now)
    echo
    echo "#### $name"
    echo "first run:  $(elapsed "$t0" "$t1") s: $(cat "$tmp/$name.out1")"
    echo "second run: $(elapsed "$t1" "$t2") s: $(cat "$tmp/$name.out2")"
    if [ -s "$tmp/$name.err1" ]; then
        echo "reported on the first run:"
        sed 's/^/    /' "$tmp/$name.err1"
    fi
    "$check" "$@" --label "$name" "$db" "$manifest" || status=1
}

index 18f-eaf-pages "$archives/18f-eaf-pages" "$archives/18f-eaf-pages/manifest.jsonl"
index bbc-eaf-pages "$archives/bbc-eaf-pages" "$archives/bbc-eaf-pages/manifest.jsonl"
index 18f-html "$archives/18f-html" "$archives/18f-html/manifest.jsonl"
index 18f-wxr "$archives/18f-wxr" "$archives/18f-wxr/manifest.jsonl"
# 18f-posts against the HTML rendering of the same posts: the fields the
# source has (its sections, summaries and related lists were made for the
# HTML pages)
index 18f-posts "$archives/18f-posts" "$archives/18f-html/manifest.jsonl" --by-id \
    --slug-authors --fields "indexed,title,date,authors,tags,body start,body end"

# the same archives packed, read in place
for a in 18f-html 18f-eaf-pages 18f-wxr; do
    tar -C "$archives/$a" --exclude=manifest.jsonl -czf "$tmp/$a.tar.gz" .
    index "$a.tar.gz" "$tmp/$a.tar.gz" "$archives/$a/manifest.jsonl"
done
if command -v zip > /dev/null 2>&1; then
    (cd "$archives/18f-html" && zip -qr "$tmp/18f-html.zip" . -x manifest.jsonl)
    index 18f-html.zip "$tmp/18f-html.zip" "$archives/18f-html/manifest.jsonl"
fi
gzip -c "$archives/18f-wxr/18f-blog.wxr" > "$tmp/18f-blog.wxr.gz"
index 18f-blog.wxr.gz "$tmp/18f-blog.wxr.gz" "$archives/18f-wxr/manifest.jsonl"
exit $status
