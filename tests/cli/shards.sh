#!/bin/sh
# shards.sh: a shard set from the shell, on the bundled sample archive:
# eafindex --shards 2 -d DIR indexes it into two files, as many articles
# as one file holds; every eafquery gives on the folder what it gives on
# one file of the same articles (the outputs compared whole, scores
# included); a second run changes nothing, a changed and a removed page
# are seen by the shard that holds them; the related lists of the set are
# the one file's, built, refreshed after the change and after --rebuild;
# --check and --export cover every shard; --snapshot writes a set of its
# own; what a set cannot do yet says so; and the usage errors.  Expected
# values come from the one file, never from a stored copy.  TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"
tap_need page

tap_tmpdir eafshards
LC_ALL=C
export LC_ALL
one="$tmp/one.db"
set="$tmp/set"
cp -R "$srcdir/examples/archive" "$tmp/archive"
chmod -R u+w "$tmp/archive"
n=$(find "$tmp/archive" -name '*.md' | wc -l | tr -d ' ')

"$eafindex" -q -d "$one" "$tmp/archive" > /dev/null
is "$?" 0 "one file indexed"
out=$("$eafindex" --shards 2 -d "$set" "$tmp/archive" 2> "$tmp/err")
is "$?" 0 "eafindex --shards 2"
is "$out" "$n added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed (2 shards)" \
    "the tally counts every article once"
is "$(cat "$tmp/err")" "" "and says nothing else"
is "$("$eafrelated" -d "$set" --list)" "$("$eafrelated" -d "$one" --list)" \
    "the related lists were built, and are the one file's"
ok "$([ -f "$set/eafshards" ] && [ -f "$set/shard-0.db" ] && [ -f "$set/shard-1.db" ] && echo 0 || echo 1)" \
    "the folder holds the manifest and two shard files"
a=$("$eafquery" -d "$set/shard-0.db" --count 'the OR a OR of')
b=$("$eafquery" -d "$set/shard-1.db" --count 'the OR a OR of')
ok "$([ "$a" -gt 0 ] && [ "$b" -gt 0 ] && echo 0 || echo 1)" "each shard holds some ($a, $b)"
is "$((a + b))" "$n" "and together all $n"

# every query the same, outputs whole
same=0
total=0
for q in "Japan China" "trade" "energy policy" "rice" "\"South China Sea\"" "japn" \
    "why does china invest in southeast asian infrastructure" "security -Japan" \
    "title:election" "country:indonesia" "reform 2012..2016" "zzzznothing"; do
    for opts in "" "--sort=newest -n 4" "--offset=2 -n 3" "--format=json --facets=3" \
        "--format=tsv --fields=rank,key,score" "--rank-all" "--feedback" "--count"; do
        # shellcheck disable=SC2086
        x=$("$eafquery" -d "$one" $opts "$q" 2>&1)
        # shellcheck disable=SC2086
        y=$("$eafquery" -d "$set" $opts "$q" 2>&1)
        total=$((total + 1))
        if [ "$x" = "$y" ]; then
            same=$((same + 1))
        else
            printf '# differs: %s %s\n' "$opts" "$q"
        fi
    done
done
is "$same" "$total" "every search on the set gives what it gives on one file ($total)"

# --- a second run, a change, a removal ------------------------------------------------
is "$("$eafindex" -d "$set" "$tmp/archive" 2> /dev/null)" \
    "0 added, 0 updated, $n unchanged, 0 removed, 0 skipped, 0 failed (2 shards)" \
    "a second run on the folder keeps it a set and changes nothing"
page=$(find "$tmp/archive" -name '*.md' | sort | head -n 1)
gone=$(find "$tmp/archive" -name '*.md' | sort | tail -n 1)
# a word added to the title (the first heading)
sed '0,/^## /s/^## \(.*\)$/## \1 quokkazephyr/' "$page" > "$tmp/page" && cat "$tmp/page" > "$page"
rm "$gone"
is "$("$eafindex" -d "$set" "$tmp/archive" 2> /dev/null)" \
    "0 added, 1 updated, $((n - 2)) unchanged, 1 removed, 0 skipped, 0 failed (2 shards)" \
    "a changed page is updated and a removed one removed"
is "$("$eafquery" -d "$set" --count quokkazephyr)" 1 "the change is found"
"$eafindex" -q -d "$one" "$tmp/archive" > /dev/null
is "$("$eafquery" -d "$set" --format=tsv 'Japan China')" \
    "$("$eafquery" -d "$one" --format=tsv 'Japan China')" "still the same as one file"
is "$("$eafrelated" -d "$set" --list)" "$("$eafrelated" -d "$one" --list)" \
    "the related lists, refreshed, still the one file's"

# --- admin -----------------------------------------------------------------------------
out=$("$eafindex" -d "$set" --check)
is "$?" 0 "--check on the folder"
is "$out" "$set: ok, $((n - 1)) articles" "one line for the set"
"$eafindex" -d "$set" --export > "$tmp/export.jsonl"
is "$?" 0 "--export on the folder"
is "$(grep -c '"eafsearch_export"' "$tmp/export.jsonl")" 1 "one header"
is "$(($(wc -l < "$tmp/export.jsonl") - 1))" "$((n - 1))" "every article once"

key=$("$eafquery" -d "$set" --format=tsv --fields=key -n 1 trade | sed -n 2p)
x=$("$eafrelated" -d "$set" --explain --format=json "$key")
is "$?" 0 "eafrelated KEY on the set"
is "$x" "$("$eafrelated" -d "$one" --explain --format=json "$key")" \
    "explained, as on one file"
contains "$x" '"why"' "(with the explanations)"
is "$("$eafquery" -d "$set" --format=tsv "related:$key")" \
    "$("$eafquery" -d "$one" --format=tsv "related:$key")" "related:KEY, as on one file"
# --rebuild of the set: every shard, then the set's related lists made again
out=$("$eafindex" -d "$set" --rebuild 2> "$tmp/err")
is "$?" 0 "--rebuild of the set"
contains "$out" "$set: ok, $((n - 1)) articles" "then checked as a set"
"$eafindex" -q -d "$one" --rebuild > /dev/null
is "$("$eafrelated" -d "$set" --list)" "$("$eafrelated" -d "$one" --list)" \
    "its related lists made again, as one file's"
# --snapshot: a folder, a set of its own, searched as the set is
out=$("$eafindex" -d "$set" --snapshot "$tmp/snap" 2> "$tmp/err")
is "$?" 0 "--snapshot of a set"
contains "$out" "snapshot of $set: $((n - 1)) articles" "it counts every article (one page was removed above)"
ok "$([ -f "$tmp/snap/eafshards" ] && [ -f "$tmp/snap/shard-0.db" ] && [ -f "$tmp/snap/shard-1.db" ] && [ ! -e "$tmp/snap/shard-0.db-wal" ] && echo 0 || echo 1)" \
    "the snapshot is a folder of two shards and the manifest, without logs"
is "$("$eafquery" -d "$tmp/snap" --format=json -n 20 'trade OR Japan')" \
    "$("$eafquery" -d "$set" --format=json -n 20 'trade OR Japan')" "a search of the snapshot is the set's"
ino1=$(ls -di "$tmp/snap" | cut -d' ' -f1)
printf '\nOne more paragraph about rice and trade.\n' >> "$(find "$tmp/archive" -name '*.md' | sort | head -n 1)"
"$eafindex" -q -d "$set" "$tmp/archive" > /dev/null 2>&1
out=$("$eafindex" -d "$set" --snapshot "$tmp/snap/" 2> "$tmp/err")
is "$?" 0 "a second snapshot over the first (its name given with a slash)"
ino2=$(ls -di "$tmp/snap" | cut -d' ' -f1)
ok "$([ "$ino1" != "$ino2" ] && echo 0 || echo 1)" "it is a new folder at the same path (for a server watching it)"
is "$(ls "$tmp" | grep -c 'snap\.')" 0 "nothing is left beside it"
is "$("$eafquery" -d "$tmp/snap" --format=json -n 20 'rice paragraph')" \
    "$("$eafquery" -d "$set" --format=json -n 20 'rice paragraph')" "and it holds the change"
is "$("$eafrelated" -d "$tmp/snap" --list)" "$("$eafrelated" -d "$set" --list)" \
    "and the set's related lists"
"$eafindex" -d "$set" --snapshot "$set" 2> "$tmp/err"
ok "$([ $? -ne 0 ] && [ -f "$set/eafshards" ] && echo 0 || echo 1)" "a snapshot over the set itself is refused"
contains "$(cat "$tmp/err")" "would replace the shard set it copies" "saying why"
"$eafindex" -d "$set" --snapshot "$tmp/export.jsonl" 2> "$tmp/err"
ok "$([ $? -ne 0 ] && [ -s "$tmp/export.jsonl" ] && echo 0 || echo 1)" "a snapshot over a file is refused"
contains "$(cat "$tmp/err")" "is a folder" "saying a set's snapshot is a folder"
mkdir "$tmp/mine"
: > "$tmp/mine/notes.txt"
"$eafindex" -d "$set" --snapshot "$tmp/mine" 2> "$tmp/err"
ok "$([ $? -ne 0 ] && [ -f "$tmp/mine/notes.txt" ] && echo 0 || echo 1)" "a folder of other files is not replaced"
contains "$(cat "$tmp/err")" "holds 'notes.txt'" "naming what is in it"
"$eafindex" -d "$set/shard-0.db" --snapshot "$tmp/one-shard.db" > /dev/null 2>&1
ok "$([ -f "$tmp/one-shard.db" ] && echo 0 || echo 1)" "a shard's file alone is snapshotted as one index"

# --- usage -----------------------------------------------------------------------------
"$eafindex" --shards 0 -d "$tmp/x" "$tmp/archive" 2> "$tmp/err"
is "$?" 2 "--shards 0 is a usage error"
"$eafindex" --shards 3 -d "$set" "$tmp/archive" > /dev/null 2> "$tmp/err"
is "$?" 1 "a set of 2 is not indexed as 3"
contains "$(cat "$tmp/err")" "is a set of 2 shards already" "saying so"
mkdir "$tmp/plain"
: > "$tmp/plain/shard-0.db"
"$eafindex" --shards 2 -d "$tmp/plain" "$tmp/archive" > /dev/null 2> "$tmp/err"
is "$?" 1 "a folder with shard files and no manifest is not made a set (after a wait)"
contains "$(cat "$tmp/err")" "holds shard files but no manifest" "saying so"

# two runs at once on a new folder: the second waits for the set the first
# makes (its manifest comes last), then for the writers' lock
"$eafindex" -q --no-related --shards 2 -d "$tmp/race" "$tmp/archive" > "$tmp/r1" 2>&1 &
pid=$!
"$eafindex" -q --no-related --shards 2 -d "$tmp/race" "$tmp/archive" > "$tmp/r2" 2>&1
rc2=$?
wait "$pid"
rc1=$?
is "$rc1.$rc2" "0.0" "two runs at once making one set both succeed ($(cat "$tmp/r1" "$tmp/r2" | tr '\n' ' '))"
is "$("$eafquery" -d "$tmp/race" --count 'the OR a OR of')" "$(($(find "$tmp/archive" -name '*.md' | wc -l)))" \
    "and the set holds every article once"
"$eafindex" -d "$set" --snapshot "$tmp/race" 2> "$tmp/err"
ok "$([ $? -ne 0 ] && [ -f "$tmp/race/shard-0.db" ] && echo 0 || echo 1)" \
    "a snapshot over a set eafindex writes (not a snapshot) is refused"
contains "$(cat "$tmp/err")" "write-ahead-log mode" "saying why"

done_testing
