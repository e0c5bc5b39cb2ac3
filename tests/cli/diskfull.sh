#!/bin/sh
# diskfull.sh: eafindex on a disk that fills up (tests/hostile/enospc.so,
# preloaded, makes writes to files fail with ENOSPC past a budget): the
# error says the disk is full, the articles of the batch that could not be
# committed are named as not stored, the tally counts only what the index
# holds, the index passes its check, and a run once there is room again
# finishes the job.  Several budgets, so that the disk fills during a put,
# a commit or the end.  TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"

shim="$builddir/tests/hostile/.libs/enospc.so"
tap_tmpdir eaffull
# (with AddressSanitizer, the preloaded library comes before its runtime)
ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0"
export ASAN_OPTIONS

if [ ! -f "$shim" ]; then
    echo "not ok 1 - the test's library $shim was not built"
    exit 1
fi

# 600 articles of about 1 KB each, in 6 files of 100
mkdir "$tmp/arch"
f=0
while [ $f -lt 6 ]; do
    awk -v f=$f 'BEGIN {
        for (i = 0; i < 100; i++) {
            body = "";
            for (w = 0; w < 120; w++) body = body " word" ((f * 100 + i) * 7 + w) % 997;
            printf "{\"id\": \"a/%d/%d\", \"title\": \"Article %d of file %d\", \"body\": \"%s\"}\n", f, i, i, f, body;
        }
    }' > "$tmp/arch/f$f.jsonl"
    f=$((f + 1))
done

for budget in 300000 700000 1100000; do
    db="$tmp/full$budget.db"
    out=$(LD_PRELOAD="$shim" EAF_ENOSPC_BYTES=$budget "$eafindex" -b 150 --no-related \
          -d "$db" "$tmp/arch" 2> "$tmp/err"); rc=$?
    tally=$(printf '%s\n' "$out" | tail -n 1)
    added=$(printf '%s\n' "$tally" | sed -n 's/^\([0-9]*\) added.*/\1/p')
    is "$rc" 1 "disk full after $budget bytes: exit 1"
    contains "$(cat "$tmp/err")" "the disk is full" "$budget: the error says the disk is full"
    held=$("$eafindex" -d "$db" --check 2>&1 | sed -n 's/.*: ok, \([0-9]*\) articles$/\1/p')
    ok "$([ -n "$held" ] && echo 0 || echo 1)" "$budget: the index passes its check after it (${held:-not ok})"
    is "${added:-none}" "${held:-?}" "$budget: the tally's added ($added) is what the index holds"
    # the changes of the open batch (150 at most: -b 150), however far it
    # got before the disk filled (during a put, its journal written to a
    # file, or at the commit)
    lost=$(sed -n 's/.*not stored: \([0-9]*\) article changes\{0,1\} since.*/\1/p' "$tmp/err")
    ok "$([ -n "$lost" ] && [ "$lost" -ge 1 ] && [ "$lost" -le 150 ] && echo 0 || echo 1)" \
        "$budget: the batch that was not stored is said, $lost changes (the run stops there)"
    out=$("$eafindex" --no-related -d "$db" "$tmp/arch" 2>&1); rc=$?
    is "$rc" 0 "$budget: with room again, the next run succeeds"
    held=$("$eafindex" -d "$db" --check 2>&1 | sed -n 's/.*: ok, \([0-9]*\) articles$/\1/p')
    is "${held:-?}" 600 "$budget: and the index holds all 600"
done

# full before the index is even made
out=$(LD_PRELOAD="$shim" EAF_ENOSPC_BYTES=20000 "$eafindex" --no-related -d "$tmp/new.db" "$tmp/arch" 2>&1); rc=$?
is "$rc" 1 "disk full while the index is made: exit 1"
contains "$out" "creating the index: the disk is full" "saying so"
out=$("$eafindex" --no-related -d "$tmp/new.db" "$tmp/arch" 2>&1); rc=$?
is "$rc.$(printf '%s\n' "$out" | tail -n 1)" "0.600 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "with room again, the index is made"

done_testing
