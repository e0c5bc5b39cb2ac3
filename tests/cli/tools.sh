#!/bin/sh
# tools.sh: eafindex and eafquery on the bundled sample archive: the tally,
# skipping unchanged articles, the Japan-China articles ranked first,
# highlighted snippets, JSON output, bad files, exit statuses, help and
# version.  TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"
# (article pages, the sample archive's and those made here, and JSON Lines)
tap_need page jsonl

archive="$srcdir/examples/archive"
tap_tmpdir eafcli
db="$tmp/sample.db"

# the articles about Japan-China relations in the sample archive
jc_keys="2008/a-warm-spring-for-japan-and-china
2010/after-the-trawler-collision-what-the-senkaku-incident-reveals-about-japan-china-relations
2012/forty-years-on-japan-and-china-face-their-hardest-test
2014/the-handshake-in-beijing-can-japan-and-china-build-on-the-apec-meeting
2018/japans-balancing-act-in-beijing
2020/economic-security-and-the-limits-of-decoupling-between-japan-and-china
2023/treated-water-and-the-politics-of-seafood-in-china-japan-relations"
n_articles=$(find "$archive" -name '*.md' | wc -l)

# --- indexing ---------------------------------------------------------------
out=$("$eafindex" -d "$db" "$archive" 2>"$tmp/err"); rc=$?
is "$rc" 0 "eafindex on the sample archive succeeds"
is "$out" "$n_articles added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "the tally counts every page"
is "$(cat "$tmp/err")" "" "no errors"

out=$("$eafindex" -d "$db" "$archive"); rc=$?
is "$out" "0 added, 0 updated, $n_articles unchanged, 0 removed, 0 skipped, 0 failed" "a second run changes nothing"

# a changed page is an update, under the same key
mkdir -p "$tmp/arch/2018"
cp "$archive/2018/japans-balancing-act-in-beijing.md" "$tmp/arch/2018/"
out=$("$eafindex" -d "$tmp/small.db" "$tmp/arch")
is "$out" "1 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "a one-page archive"
sed 's/hedging, not realigning/hedging and waiting/' "$archive/2018/japans-balancing-act-in-beijing.md" \
    > "$tmp/arch/2018/japans-balancing-act-in-beijing.md"
out=$("$eafindex" -d "$tmp/small.db" "$tmp/arch")
is "$out" "0 added, 1 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "an edited page is updated"
out=$("$eafquery" -d "$tmp/small.db" --format json waiting | "$jsonkeys" | grep '^hit')
is "$out" "hit 1 2018/japans-balancing-act-in-beijing" "the key is the path inside the archive"

# bad files: one error line each, the run goes on, nothing else lost
mkdir -p "$tmp/bad"
printf 'just text, no heading\n' > "$tmp/bad/notitle.md"
cp "$archive/2012/myanmars-by-elections-and-the-sequencing-of-reform.md" "$tmp/bad/good.md"
printf '{"id": "a", "title": "First"}\n{"id": \n{"id": "c", "title": "Third", "date": "2019-02-30"}\n{"id": "d", "title": "Fourth"}\n' \
    > "$tmp/bad/lines.jsonl"
out=$("$eafindex" -d "$tmp/bad.db" "$tmp/bad" 2>"$tmp/err"); rc=$?
is "$rc" 1 "exit status 1 when some file failed"
is "$out" "3 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 3 failed" "the good articles are indexed, the bad counted"
contains "$(cat "$tmp/err")" "lines.jsonl:2: invalid JSON" "a bad line is named with its number"
contains "$(cat "$tmp/err")" "lines.jsonl:3: invalid date" "an invalid date is named"
contains "$(cat "$tmp/err")" "notitle.md: no title" "a page without a title is named"
is "$(wc -l < "$tmp/err" | tr -d ' ')" 3 "one line per problem"
out=$("$eafquery" -d "$tmp/bad.db" --format json fourth | "$jsonkeys" | grep '^hit')
is "$out" "hit 1 d" "the line after a bad one is indexed"

"$eafindex" -d "$tmp/x.db" "$tmp/does-not-exist" >/dev/null 2>"$tmp/err"; rc=$?
is "$rc" 1 "a missing path fails"
contains "$(cat "$tmp/err")" "does-not-exist" "and is named"
"$eafindex" -d "$tmp/y.db" >/dev/null 2>&1; rc=$?
is "$rc" 2 "no path is a usage error"
"$eafindex" --no-such-option >/dev/null 2>&1; rc=$?
is "$rc" 2 "an unknown option is a usage error"
"$eafindex" -d "$tmp/z.db" --format=xml "$archive" >/dev/null 2>&1; rc=$?
is "$rc" 2 "an unknown format is a usage error"
printf 'not a database at all, certainly not an index of ours\n' > "$tmp/garbage.db"
"$eafindex" -d "$tmp/garbage.db" "$archive" >/dev/null 2>"$tmp/err"; rc=$?
is "$rc" 1 "a file that is not an index is refused"
contains "$(cat "$tmp/err")" "not an index" "with a clear message"

# a list of paths on standard input
printf '%s\n' "$archive/2018/japans-balancing-act-in-beijing.md" | "$eafindex" -d "$tmp/list.db" - > "$tmp/out"
is "$(cat "$tmp/out")" "1 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "paths read from standard input"

# --- searching --------------------------------------------------------------
out=$("$eafquery" -d "$db" --format json -n 7 "Japan China" | "$jsonkeys")
got=$(printf '%s\n' "$out" | sed -n 's/^hit [0-9]* //p' | sort)
is "$got" "$(printf '%s\n' "$jc_keys" | sort)" "the first 7 hits of 'Japan China' are the 7 Japan-China articles"
contains "$out" "version 1" "JSON has a schema version"
total=$(printf '%s\n' "$out" | sed -n 's/^total //p')
ok "$([ "$total" -gt 7 ] && echo 0 || echo 1)" "more articles mention both ($total), ranked after"

out=$("$eafquery" -d "$db" --color=always "Japan China")
contains "$out" "$(printf '\033[1;31m')" "matches are highlighted on request"
contains "$out" "Helen Marchetti (Institute for Pacific Economic Studies)" "authors with affiliations"
contains "$out" "2018-10-29" "dates"
contains "$out" "score " "scores"
contains "$out" "2018/japans-balancing-act-in-beijing" "keys"
out=$("$eafquery" -d "$db" --color=never "Japan China")
case "$out" in *"$(printf '\033')"*) esc=1 ;; *) esc=0 ;; esac
is "$esc" 0 "no escape codes with --color=never"
out=$(EAFSEARCH_DB="$db" "$eafquery" --format json "relations" | "$jsonkeys" | grep -c '^hit')
is "$out" 10 "EAFSEARCH_DB names the index; 10 hits by default"
out=$("$eafquery" -d "$db" --format json -n 3 --offset 2 "Japan OR China" | "$jsonkeys" | grep '^hit' | cut -d' ' -f2 | tr '\n' ' ')
is "$out" "3 4 5 " "--offset and -n page the results"
out=$("$eafquery" -d "$db" --format json "relations" | "$jsonkeys" | grep '^snippet' | head -1)
contains "$out" "[relation" "JSON snippets mark matches with [ ]"

for q in 'US-Japan' "China's" 'GDP 2.5' 'note: folding' 'NOT china' '"japan' '((' '*' '-' '""'; do
    "$eafquery" -d "$db" -- "$q" >/dev/null 2>"$tmp/err"; rc=$?
    is "$rc:$(cat "$tmp/err")" "0:" "eafquery -- '$q' runs without error"
done
out=$("$eafquery" -d "$db" zebraqwerty); rc=$?
is "$rc" 0 "no hits is success"
contains "$out" "0 articles match" "and says so"
"$eafquery" -d "$db" --strict 'japan (china' >/dev/null 2>"$tmp/err"; rc=$?
is "$rc" 2 "a malformed query in strict mode exits 2"
contains "$(cat "$tmp/err")" "offset 6" "naming the offset"
"$eafquery" -d "$tmp/missing.db" japan >/dev/null 2>"$tmp/err"; rc=$?
is "$rc" 1 "a missing index exits 1"
contains "$(cat "$tmp/err")" "missing.db" "naming it"
"$eafquery" -d "$db" >/dev/null 2>&1; rc=$?
is "$rc" 2 "no query is a usage error"
"$eafquery" -d "$db" -n -1 japan >/dev/null 2>&1; rc=$?
is "$rc" 2 "a bad --limit is a usage error"
"$eafquery" -d "$db" -n 1000001 japan >/dev/null 2>&1; rc=$?
is "$rc" 2 "a --limit over 1000000 is a usage error"

# --- help and version -------------------------------------------------------
for tool in "$eafindex" "$eafquery"; do
    name=$(basename "$tool")
    out=$("$tool" --help); rc=$?
    is "$rc" 0 "$name --help exits 0"
    contains "$out" "Usage: $name" "$name --help prints the usage on stdout"
    out=$("$tool" --version); rc=$?
    is "$rc" 0 "$name --version exits 0"
    contains "$out" "library version" "$name --version names the library version"
done

# --- feedback: on long questions by default, --feedback on all, --no-feedback never
q_long="trade tensions between japan and korea over exports"
fb_count() { "$eafquery" -d "$db" --explain "$@" 2>&1 >/dev/null | grep -c 'feedback term'; }  # the plan is on stderr
ok "$([ "$(fb_count -- "$q_long")" -gt 0 ] && echo 0 || echo 1)" "a long question is expanded by default"
is "$(fb_count --no-feedback -- "$q_long")" 0 "--no-feedback: not expanded"
is "$(fb_count --rank-all -- japan korea)" 0 "a short search is not expanded by default"
ok "$([ "$(fb_count --feedback --rank-all -- japan korea)" -gt 0 ] && echo 0 || echo 1)" \
    "--feedback expands a short search that matches any of the words"
is "$(fb_count --feedback --no-feedback -- "$q_long")" 0 "the last of --feedback and --no-feedback wins"
ok "$([ "$(fb_count --no-feedback --feedback=2,5 -- "$q_long")" -eq 5 ] && echo 0 || echo 1)" \
    "--feedback=2,5 after --no-feedback adds 5 terms"

done_testing
