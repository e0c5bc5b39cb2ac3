#!/bin/sh
# walk.sh: what eafindex reads of the paths it is given: folders with
# links back into themselves (each folder and file read once, each link
# reported once, the walk ends), a folder given twice, lists of paths on
# standard input ended by newlines or NUL bytes (with and without -0),
# an interrupt while it waits for such a list, a folder mostly gone (not
# pruned without --prune-all), and an unknown language (a usage error).
# TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"
# (the folders walked hold article pages and JSON Lines)
tap_need page jsonl

tap_tmpdir eafwalk

page() {  # page FILE TITLE
    printf '## %s\n\nA few words about %s.\n' "$2" "$2" > "$1"
}

# ---- links back into the archive
arch="$tmp/arch"
mkdir -p "$arch/2018/deep" "$arch/2019"
page "$arch/2018/a.md" "Harbour a"
page "$arch/2018/deep/b.md" "Harbour b"
page "$arch/2019/c.md" "Harbour c"
ln -s . "$arch/current"           # a loop onto the archive itself
ln -s .. "$arch/2018/deep/up"      # a loop onto a parent
ln -s ../2019 "$arch/2018/later"   # another path to a folder walked
ln -s 2018/a.md "$arch/latest.md"  # another path to a file
out=$(timeout 60 "$eafindex" -v --no-related -d "$tmp/loop.db" "$arch" 2> "$tmp/err"); rc=$?
is "$rc" 0 "a folder with links back into itself: the walk ends (exit $rc)"
is "$(printf '%s\n' "$out" | tail -n 1)" "3 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "each article read once"
is "$(grep -c 'skipped: the same folder as' "$tmp/err")" 3 "each of the three links to a folder reported once"
contains "$(cat "$tmp/err")" "current: skipped: the same folder as $arch" "naming the folder it leads to"
contains "$out" "latest.md: skipped: the same file as $arch/2018/a.md" "-v: a second path to a file is skipped"
out=$("$eafindex" --no-related -d "$tmp/loop.db" "$arch" 2>/dev/null)
is "$out" "0 added, 0 updated, 3 unchanged, 0 removed, 0 skipped, 0 failed" "a second run: the same three, unchanged, nothing pruned"

# two links into each other's folders, the case that grew without end
mkdir -p "$tmp/two/x" "$tmp/two/y"
page "$tmp/two/x/p.md" "Pier p"
ln -s ../y "$tmp/two/x/toy"
ln -s ../x "$tmp/two/y/tox"
out=$(timeout 60 "$eafindex" --no-related -d "$tmp/two.db" "$tmp/two" 2> "$tmp/err"); rc=$?
is "$rc.$out" "0.1 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "two folders linked into each other: one article"
is "$(wc -l < "$tmp/err" | tr -d ' ')" 2 "and two warnings, one per link"

# a folder given twice, and a folder inside one given
out=$("$eafindex" --no-related -d "$tmp/twice.db" "$arch/2018" "$arch" "$arch/2018/" 2> "$tmp/err")
is "$(printf '%s\n' "$out" | tail -n 1)" "3 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "folders given twice: each article once"
contains "$(cat "$tmp/err")" "2018/: skipped: the same folder as $arch/2018" "the repeat is named"

# ---- lists of paths on standard input
out=$(printf '%s\n%s\n' "$arch/2018/a.md" "$arch/2019/c.md" | "$eafindex" --no-related -d "$tmp/l1.db" - 2>&1)
is "$out" "2 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "a list, one path per line"
out=$(printf '%s\0%s\0' "$arch/2018/a.md" "$arch/2019/c.md" | "$eafindex" --no-related -d "$tmp/l2.db" -0 - 2>&1)
is "$out" "2 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "-0: a list ended by NUL bytes"
out=$(printf '%s\0%s\0' "$arch/2018/a.md" "$arch/2019/c.md" | "$eafindex" --no-related -d "$tmp/l3.db" - 2>&1)
is "$out" "2 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "without -0: NUL bytes end paths too"
out=$(cd "$arch" && find . -name '*.md' -print0 | "$eafindex" --no-related -d "$tmp/l4.db" --null - 2> "$tmp/err")
is "$out" "3 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "find -print0 | eafindex --null -"
contains "$(cat "$tmp/err")" "./latest.md: skipped: the same file as ./2018/a.md" "a listed link to a file listed before: read once, said"
mkdir -p "$tmp/odd"
nl='
'
page "$tmp/odd/two${nl}lines.md" "Odd name"
out=$(printf '%s\0' "$tmp/odd/two${nl}lines.md" | "$eafindex" --no-related -d "$tmp/l5.db" -0 - 2>&1)
is "$out" "1 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "-0: a path with a newline in it"
out=$(printf '%s\r\n\n%s' "$arch/2018/a.md" "$arch/2019/c.md" | "$eafindex" --no-related -d "$tmp/l6.db" - 2>&1)
is "$out" "2 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "CRLF, a blank line and no final newline"

# an interrupt while eafindex waits for its list
for sig in INT TERM; do
    rm -f "$tmp/fifo"
    mkfifo "$tmp/fifo"
    "$eafindex" --no-related -d "$tmp/wait.db" - < "$tmp/fifo" > "$tmp/out" 2>&1 &
    pid=$!
    exec 7> "$tmp/fifo"
    printf '%s\n' "$arch/2018/a.md" >&7
    sleep 0.5
    kill -$sig "$pid"
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
        kill -9 "$pid"
        stopped=1
    else
        stopped=0
    fi
    wait "$pid"; rc=$?
    exec 7>&-
    ok "$stopped" "SIG$sig while waiting for the list: eafindex stops (within 5 s)"
    is "$rc" 130 "SIG$sig: exit 130"
    contains "$(cat "$tmp/out")" "interrupted" "SIG$sig: saying so"
done

# ---- a folder mostly gone is not pruned without --prune-all
mkdir -p "$tmp/site"
i=0
while [ $i -lt 12 ]; do page "$tmp/site/p$i.md" "Page $i"; i=$((i + 1)); done
"$eafindex" --no-related -d "$tmp/p.db" "$tmp/site" > /dev/null 2>&1
i=1
while [ $i -le 10 ]; do rm "$tmp/site/p$i.md"; i=$((i + 1)); done
out=$("$eafindex" --no-related -d "$tmp/p.db" "$tmp/site" 2> "$tmp/err"); rc=$?
is "$rc" 1 "10 of 12 files gone: an error"
contains "$(cat "$tmp/err")" "10 of the 12 files indexed from this folder are gone: nothing is removed" "saying nothing is removed, and why"
contains "$(cat "$tmp/err")" "--prune-all" "naming the way to prune anyway"
is "$(printf '%s\n' "$out" | tail -n 1)" "0 added, 0 updated, 2 unchanged, 0 removed, 0 skipped, 0 failed" "nothing removed"
out=$("$eafindex" --no-related --prune-all -d "$tmp/p.db" "$tmp/site" 2>&1); rc=$?
is "$rc.$out" "0.0 added, 0 updated, 2 unchanged, 10 removed, 0 skipped, 0 failed" "--prune-all removes them"
page "$tmp/site/p2.md" "Page 2"
"$eafindex" --no-related -d "$tmp/p.db" "$tmp/site" > /dev/null 2>&1
rm "$tmp/site/p2.md"
out=$("$eafindex" --no-related -d "$tmp/p.db" "$tmp/site" 2>&1); rc=$?
is "$rc.$out" "0.0 added, 0 updated, 2 unchanged, 1 removed, 0 skipped, 0 failed" "one file of three gone: pruned as usual"

# ---- two files with one key: named, the first kept, the warnings bounded
mkdir -p "$tmp/dup"
i=0
while [ $i -lt 15 ]; do
    printf '{"id": "k%d", "title": "First %d"}\n' $i $i >> "$tmp/dup/a.jsonl"
    printf '{"id": "k%d", "title": "Second %d"}\n' $i $i >> "$tmp/dup/b.jsonl"
    i=$((i + 1))
done
out=$("$eafindex" --no-related -d "$tmp/dup.db" "$tmp/dup" 2> "$tmp/err"); rc=$?
is "$rc.$out" "0.15 added, 0 updated, 0 unchanged, 0 removed, 15 skipped, 0 failed" "two files with the same 15 keys: the first's kept, the second's skipped"
is "$(grep -c "b.jsonl: the article 'k[0-9]*' is also in $tmp/dup/a.jsonl, whose version is kept" "$tmp/err")" 10 "ten warnings name both files"
contains "$(cat "$tmp/err")" "b.jsonl: 5 more articles are also in other files" "then one line for the rest"
"$eafindex" -v --no-related -d "$tmp/dup2.db" "$tmp/dup" > /dev/null 2> "$tmp/err"
is "$(grep -c "is also in" "$tmp/err")" 15 "-v: all fifteen"
rm "$tmp/dup/a.jsonl"
out=$("$eafindex" --no-related -d "$tmp/dup.db" "$tmp/dup" 2>&1); rc=$?
is "$rc.$out" "0.0 added, 15 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "the first file gone: its 15 articles stay, and take the second's version in the same run"
contains "$("$eafindex" -d "$tmp/dup.db" --export)" '"id":"k14","url":null,"title":"Second 14"' "(the second file's titles)"

# ---- usage errors
"$eafindex" -L klingon -d "$tmp/k.db" "$arch" > /dev/null 2> "$tmp/err"; rc=$?
is "$rc" 2 "an unknown language is a usage error (exit 2)"
contains "$(cat "$tmp/err")" "unknown stemming language 'klingon'" "naming it"
ok "$([ ! -e "$tmp/k.db" ] && echo 0 || echo 1)" "and no index is made"
"$eafindex" --wait=soon -d "$tmp/k.db" "$arch" > /dev/null 2>&1; rc=$?
is "$rc" 2 "a bad --wait is a usage error"

done_testing
