#!/bin/sh
# shards_read.sh: the writers of a shard set read each file once between
# them (tools/index_tee.c), and what they store and say is what each said
# reading alone.  Generated JSON Lines in three files, with bad lines and a
# key given twice, into one file and into sets of 2 and 3 shards: the same
# tally, the same messages (each once), the same searches, scores
# included, and the same export; keys another file gives, skipped by the
# writer of their shard, counted once each.  Then a file one shard holds as
# unchanged while another reads it again (its record changed behind its
# back), and 150 files one shard reads again while the other runs ahead:
# each reads on its own, and the tally and searches stay right.
# Then an interrupted run of a larger file ends (no writer waits for
# another forever), what it committed checks clean, and a second run
# finishes it.  Expected values come from the one file.  TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"
tap_need jsonl

tap_tmpdir eafshardsread
LC_ALL=C
export LC_ALL

# gen FIRST COUNT: articles FIRST.. of words drawn from a small vocabulary
# (so that searches tie and rank by more than one word), keys g/N
gen() {
    awk -v first="$1" -v count="$2" 'BEGIN {
        split("rice trade port energy china japan reform bank coal river " \
              "election market policy island harbour tariff wheat grid", w, " ")
        srand(first)
        for (i = first; i < first + count; i++) {
            body = ""
            for (j = 0; j < 40 + i % 23; j++)
                body = body (j ? " " : "") w[1 + int(rand() * 18)]
            printf "{\"id\": \"g/%d\", \"title\": \"%s %s %d\", \"date\": \"20%02d-0%d-1%d\", " \
                   "\"authors\": [\"Writer %d\"], \"tags\": [\"%s\"], \"body\": \"%s\"}\n",
                   i, w[1 + i % 18], w[1 + (i * 7) % 18], i, 10 + i % 12, 1 + i % 9, i % 10,
                   i % 5, w[1 + i % 4], body
        }
    }'
}

gen 1 150 > "$tmp/a.jsonl"
{
    gen 151 100
    echo '{"id": "bad/1", "title": "no closing brace"'
    echo '{"id": "bad/2", "title": "Bad date", "date": "someday", "body": "rice"}'
    gen 251 100
    echo '{"id": "bad/3", "title": 7, "body": "trade"}'
    gen 40 1
} > "$tmp/b.jsonl"
gen 351 120 > "$tmp/c.jsonl"

one="$tmp/one.db"
"$eafindex" -d "$one" "$tmp/a.jsonl" "$tmp/b.jsonl" "$tmp/c.jsonl" > "$tmp/one.out" 2> "$tmp/one.err"
is "$?" 1 "one file: indexed, with the bad lines failed"
tally=$(sed 's/ (.*//' "$tmp/one.out")
# g/40 twice: b.jsonl's is skipped, a.jsonl gives it first
is "$tally" "470 added, 0 updated, 0 unchanged, 0 removed, 1 skipped, 3 failed" \
    "one file: the tally"

searches() {  # searches INDEX: every search's output, whole
    for q in "rice" "rice trade" "\"energy policy\"" "japan -china" "title:harbour" \
        "coal OR tariff" "writer" "2015..2017 bank"; do
        for opts in "" "--format=tsv --fields=rank,key,score -n 30" "--count" "--sort=newest -n 5"; do
            echo "== $opts $q"
            # shellcheck disable=SC2086
            "$eafquery" -d "$1" $opts "$q" 2>&1
        done
    done
}
searches "$one" > "$tmp/one.search"
"$eafindex" -d "$one" --export > "$tmp/one.export" 2> /dev/null
sort "$tmp/one.export" > "$tmp/one.export.sorted"

for n in 2 3; do
    set="$tmp/set$n"
    "$eafindex" --shards "$n" -d "$set" "$tmp/a.jsonl" "$tmp/b.jsonl" "$tmp/c.jsonl" \
        > "$tmp/set.out" 2> "$tmp/set.err"
    is "$?" 1 "$n shards: indexed, with the bad lines failed"
    is "$(cat "$tmp/set.out")" "$tally ($n shards)" "$n shards: the one file's tally"
    is "$(cat "$tmp/set.err")" "$(cat "$tmp/one.err")" \
        "$n shards: the one file's messages, each once"
    searches "$set" > "$tmp/set.search"
    cmp -s "$tmp/one.search" "$tmp/set.search"
    ok "$?" "$n shards: every search gives the one file's output"
    "$eafindex" -d "$set" --export > "$tmp/set.export" 2> /dev/null
    sort "$tmp/set.export" > "$tmp/set.export.sorted"
    cmp -s "$tmp/one.export.sorted" "$tmp/set.export.sorted"
    ok "$?" "$n shards: the export holds the one file's articles"
done

# keys another file gives, many: each is skipped by the writer of its
# shard alone, and the tally adds them up
gen 1 40 | sed 's/"title": "/"title": "Again /' > "$tmp/d.jsonl"
"$eafindex" -q -d "$tmp/dup.db" "$tmp/a.jsonl" "$tmp/d.jsonl" > "$tmp/dup.out" 2>&1
is "$(cat "$tmp/dup.out")" "150 added, 0 updated, 0 unchanged, 0 removed, 40 skipped, 0 failed" \
    "one file: 40 keys given twice are skipped"
"$eafindex" -q --shards 3 -d "$tmp/dupset" "$tmp/a.jsonl" "$tmp/d.jsonl" > "$tmp/dup.out" 2>&1
is "$(cat "$tmp/dup.out")" \
    "150 added, 0 updated, 0 unchanged, 0 removed, 40 skipped, 0 failed (3 shards)" \
    "3 shards: the same 40 skipped"

# --- a file one shard reads again and the other does not ----------------------------
set="$tmp/set2"
if command -v "${EAF_PYTHON:-python3}" > /dev/null 2>&1 &&
    "${EAF_PYTHON:-python3}" -c 'import sqlite3' > /dev/null 2>&1; then
    # shard 0's record of b.jsonl no longer matches the file: it reads it again
    "${EAF_PYTHON:-python3}" - "$set/shard-0.db" "$tmp/b.jsonl" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("UPDATE source SET size = size + 1, hash = NULL WHERE path LIKE ?",
               ("%/" + sys.argv[2].rsplit("/", 1)[1],)).rowcount
db.commit()
sys.exit(0 if n == 1 else 1)
EOF
    is "$?" 0 "shard 0's record of b.jsonl changed"
    out=$("$eafindex" --shards 2 -d "$set" "$tmp/a.jsonl" "$tmp/b.jsonl" "$tmp/c.jsonl" 2> "$tmp/err")
    rc=$?
    # shard 0 reads b.jsonl again: its articles there are unchanged, and
    # its bad lines fail again; shard 1 leaves the file as it was
    ok "$([ "$rc" -le 1 ] && echo 0 || echo 1)" "a second run with one shard reading b.jsonl ends ($rc)"
    is "$out" "0 added, 0 updated, 470 unchanged, 0 removed, 1 skipped, 3 failed (2 shards)" \
        "nothing added, updated or removed"
    searches "$set" > "$tmp/set.search"
    cmp -s "$tmp/one.search" "$tmp/set.search"
    ok "$?" "every search still gives the one file's output"

    # 150 files of one article: shard 1 holds them all unchanged and runs
    # ahead of shard 0, which reads every one again (the files shard 1 has
    # come to and shard 0 not yet are at most 64)
    mkdir "$tmp/many"
    i=0
    while [ "$i" -lt 150 ]; do
        gen "$((2000 + i))" 1 > "$tmp/many/f$i.jsonl"
        i=$((i + 1))
    done
    "$eafindex" -q -d "$tmp/many.db" "$tmp/many" > /dev/null 2>&1
    "$eafindex" -q --shards 2 -d "$tmp/manyset" "$tmp/many" > /dev/null 2>&1
    is "$?" 0 "150 files into 2 shards"
    "${EAF_PYTHON:-python3}" - "$tmp/manyset/shard-0.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("UPDATE source SET size = size + 1, hash = NULL").rowcount
db.commit()
sys.exit(0 if n == 150 else 1)
EOF
    is "$?" 0 "shard 0's records of the 150 files changed"
    out=$("$eafindex" --shards 2 -d "$tmp/manyset" "$tmp/many" 2> "$tmp/err")
    is "$out" "0 added, 0 updated, 150 unchanged, 0 removed, 0 skipped, 0 failed (2 shards)" \
        "shard 0 reads them again, shard 1 leaves them: all unchanged"
    is "$(cat "$tmp/err")" "" "and nothing else is said"
    searches "$tmp/many.db" > "$tmp/one.search"
    searches "$tmp/manyset" > "$tmp/set.search"
    cmp -s "$tmp/one.search" "$tmp/set.search"
    ok "$?" "every search gives the one file's output"
else
    skip "a shard that reads files again alone: needs Python's sqlite3 module"
fi

# --- an interrupted run -------------------------------------------------------------
big=50000
gen 1000 "$big" > "$tmp/big.jsonl"
set="$tmp/big"
"$eafindex" -q --no-related --shards 2 -d "$set" "$tmp/big.jsonl" > "$tmp/big.out" 2>&1 &
pid=$!
# interrupted once both writers are storing
waited=0
while [ ! -s "$set/shard-1.db" ] && [ "$waited" -lt 300 ]; do
    sleep 0.1
    waited=$((waited + 1))
done
sleep 0.3
kill -INT "$pid" 2>/dev/null
# a writer waiting for another forever would hang here: 60 s is far more
# than the whole run takes
waited=0
while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 600 ]; do
    sleep 0.1
    waited=$((waited + 1))
done
if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
    ok 1 "an interrupted run of 2 shards ends (it hung: killed)"
else
    wait "$pid"
    rc=$?
    is "$rc" 130 "an interrupted run of 2 shards ends, saying so"
fi
"$eafindex" -q --check -d "$set" > /dev/null 2>&1
is "$?" 0 "what it committed checks clean"
out=$("$eafindex" -q --no-related -d "$set" "$tmp/big.jsonl" 2>&1)
is "$?" 0 "a second run finishes it"
is "$("$eafquery" -d "$set" --count 'rice OR trade OR port OR energy OR china OR japan OR reform OR bank OR coal OR river OR election OR market OR policy OR island OR harbour OR tariff OR wheat OR grid')" \
    "$big" "all $big articles are there"

done_testing
