#!/bin/sh
# writers.sh: two eafindex runs on one index and one archive, the second
# started after a random delay, many times (EAF_WRITER_ROUNDS, default
# 12): whatever the timing, no article is lost, the index passes its
# check, the second run either waits for the first and then finds what it
# did, or is refused after waiting with a message (exit 1, nothing done);
# and each run's tally agrees with its own -v lines.  TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"
# (the archive written is of article pages and JSON Lines)
tap_need page jsonl

tap_tmpdir eafwriters
rounds=${EAF_WRITER_ROUNDS:-12}

# an archive of 4 folders of one-article pages, and a JSON Lines file of 300
arch="$tmp/archive"
n=0
for d in a b c d; do
    mkdir -p "$arch/$d"
    i=0
    while [ $i -lt 60 ]; do
        printf '## Page %s %d\n\nWords of page %s %d about harbours and tariffs.\n' \
            "$d" $i "$d" $i > "$arch/$d/p$i.md"
        i=$((i + 1)); n=$((n + 1))
    done
done
i=0
while [ $i -lt 300 ]; do
    printf '{"id": "line/%d", "title": "Line %d", "body": "text of line %d"}\n' $i $i $i
    i=$((i + 1))
done > "$arch/lines.jsonl"
n=$((n + 300))

# the number of "STATUS" lines of -v output among one-article files, and
# the tally's count of the same
agrees() {  # agrees OUTPUT
    tally=$(printf '%s\n' "$1" | tail -n 1)
    added=$(printf '%s\n' "$tally" | sed -n 's/^\([0-9]*\) added.*/\1/p')
    unchanged=$(printf '%s\n' "$tally" | sed -n 's/.* \([0-9]*\) unchanged.*/\1/p')
    # one line per page, plus lines.jsonl with its counts when it was read
    va=$(printf '%s\n' "$1" | grep -c '\.md: added$')
    vu=$(printf '%s\n' "$1" | grep -c '\.md: unchanged$')
    ja=$(printf '%s\n' "$1" | sed -n 's/.*lines\.jsonl: [a-z]* (\([0-9]*\) added.*/\1/p')
    ju=$(printf '%s\n' "$1" | sed -n 's/.*lines\.jsonl: [a-z]* ([0-9]* added, [0-9]* updated, \([0-9]*\) unchanged.*/\1/p')
    if printf '%s\n' "$1" | grep -q 'lines\.jsonl: unchanged$'; then ju=300; fi
    [ "$added" = "$((va + ${ja:-0}))" ] && [ "$unchanged" = "$((vu + ${ju:-0}))" ]
}

lost=0 bad=0 disagree=0 refused=0 waited=0 r=0
while [ $r -lt $rounds ]; do
    db="$tmp/x$r.db"
    batch=$((1 + r % 4 * 40))
    delay=$(awk -v s="$r" 'BEGIN { srand(s * 7 + 3); printf "%.2f", rand() * 0.6 }')
    "$eafindex" -v -b "$batch" --no-related -d "$db" "$arch" > "$tmp/a.out" 2> "$tmp/a.err" &
    pid=$!
    sleep "$delay"
    "$eafindex" -v -b "$batch" --no-related -d "$db" "$arch" > "$tmp/b.out" 2> "$tmp/b.err"
    brc=$?
    wait "$pid"; arc=$?
    count=$("$eafindex" -d "$db" --check 2> "$tmp/check.err" | sed -n 's/.*: ok, \([0-9]*\) articles$/\1/p')
    if [ "${count:-0}" != "$n" ]; then
        lost=$((lost + 1))
        echo "# round $r (batch $batch, delay $delay): ${count:-?} of $n articles; $(cat "$tmp/check.err")"
    fi
    [ "$arc" -eq 0 ] || { bad=$((bad + 1)); echo "# round $r: the first run exited $arc: $(cat "$tmp/a.err")"; }
    if [ "$brc" -eq 0 ]; then
        waited=$((waited + 1))
        agrees "$(cat "$tmp/b.out")" || { disagree=$((disagree + 1)); echo "# round $r: the second run's tally disagrees with its -v lines"; }
    elif grep -q 'another program is writing to the index' "$tmp/b.err"; then
        refused=$((refused + 1))
    else
        bad=$((bad + 1))
        echo "# round $r: the second run exited $brc: $(cat "$tmp/b.err")"
    fi
    agrees "$(cat "$tmp/a.out")" || { disagree=$((disagree + 1)); echo "# round $r: the first run's tally disagrees with its -v lines"; }
    rm -f "$db" "$db-wal" "$db-shm"
    r=$((r + 1))
done
is "$lost" 0 "$rounds rounds of two writers: no article lost, every index passes its check"
is "$bad" 0 "every run ended well: the first indexed all, the second waited or was refused"
is "$disagree" 0 "every tally agrees with its own -v lines"
ok "$([ $((waited + refused)) -eq "$rounds" ] && echo 0 || echo 1)" "the second run: $waited waited and went on, $refused refused"

# a refusal, for sure: a first run that holds the lock while it waits for
# its list of paths on standard input, and a second that waits 1 s
db="$tmp/held.db"
mkfifo "$tmp/list"
"$eafindex" -q --no-related -d "$db" - < "$tmp/list" > "$tmp/a.out" 2>&1 &
pid=$!
exec 7> "$tmp/list"
sleep 0.5
start=$(date +%s)
"$eafindex" --wait=1 -d "$db" "$arch" > "$tmp/b.out" 2> "$tmp/b.err"; brc=$?
end=$(date +%s)
is "$brc" 1 "a second writer, refused after waiting: exit 1"
contains "$(cat "$tmp/b.err")" "another program is writing to the index" "saying why"
is "$(cat "$tmp/b.out")" "" "having done nothing"
ok "$([ $((end - start)) -ge 1 ] && echo 0 || echo 1)" "it waited (--wait=1)"
printf '%s\n' "$arch/a" >&7
exec 7>&-
wait "$pid"; arc=$?
is "$arc" 0 "the first run then indexes its list"
is "$(tail -n 1 "$tmp/a.out")" "60 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "all of it"

done_testing
