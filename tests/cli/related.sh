#!/bin/sh
# related.sh: related articles from the shell, on the bundled sample
# archive: eafindex builds the lists and refreshes them after a change,
# eafrelated's formats (text, tsv, json), --explain, --all, --list,
# --refresh and the options, related:KEY in eafquery, and the usage
# errors.  Expected values come from the archive or from another tool's
# output, never from a stored copy of the output.  TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"
# (the sample archive is of article pages)
tap_need page

tap_tmpdir eafrel
db="$tmp/sample.db"
LC_ALL=C
export LC_ALL
rel() { "$eafrelated" -d "$db" "$@"; }

# a copy of the archive, to change
cp -R "$srcdir/examples/archive" "$tmp/archive"
chmod -R u+w "$tmp/archive"
n=$(find "$tmp/archive" -name '*.md' | wc -l | tr -d ' ')

# --- eafindex builds the lists ----------------------------------------------------
out=$("$eafindex" -v -d "$db" "$tmp/archive")
is "$?" 0 "the archive is indexed"
contains "$out" "related articles: $n lists built" "eafindex -v: every list built the first time"
is "$(printf '%s\n' "$out" | tail -n 1)" "$n added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" \
    "the tally stays the last line"

# --- every list ------------------------------------------------------------------------
rel --list --format tsv > "$tmp/all.tsv"
is "$?" 0 "--list --format tsv"
is "$(wc -l < "$tmp/all.tsv" | tr -d ' ')" "$n" "one line per article"
# source<TAB>keys: no self, no key twice, ten each
is "$(awk -F'\t' '{ k = split($2, a, " "); b = (k != 10); split("", seen);
                    for (i = 1; i <= k; i++) { if (a[i] == $1 || (a[i] in seen)) b = 1; seen[a[i]] = 1 }
                    bad += b } END { print NR, bad + 0 }' "$tmp/all.tsv")" "$n 0" \
    "every list has ten articles, never itself, never one twice"
key=$(sed -n '1s/\t.*//p' "$tmp/all.tsv")
first=$(sed -n '1s/^[^\t]*\t\([^ ]*\).*/\1/p' "$tmp/all.tsv")
ok "$([ -f "$tmp/archive/$key.md" ] && echo 0 || echo 1)" "keys are the archive's pages ($key)"

# --- one list, each format -------------------------------------------------------------
rel "$key" > "$tmp/text"
is "$?" 0 "eafrelated KEY"
is "$(sed -n 1p "$tmp/text" | cut -c1-${#key})" "$key" "text: the source first"
is "$(grep -c '^ *[0-9]*\. [0-9.]*  ' "$tmp/text")" 10 "text: ten ranked lines"
contains "$(sed -n 2p "$tmp/text")" "  1. " "text: ranked from 1"
contains "$(sed -n 2p "$tmp/text")" "$first" "text: the same first article as --list"
title=$(grep -m1 '^title:' "$tmp/archive/$first.md" 2>/dev/null | sed 's/^title: *//; s/^"//; s/"$//')
[ -n "$title" ] || title=$(sed -n 's/^# //p' "$tmp/archive/$first.md" | head -n 1)
contains "$(sed -n 2p "$tmp/text")" "$title" "text: with its title"

is "$(rel --format tsv "$key")" "$(sed -n 1p "$tmp/all.tsv")" "tsv: the line of --list"

rel --format json --explain "$key" > "$tmp/j"
"$jsonkeys" -r < "$tmp/j" > "$tmp/jk"
ok $? "json is valid"
is "$(sed -n 1p "$tmp/jk")" "list $key stored" "json: the source, from the store"
is "$(grep -c '^rel ' "$tmp/jk")" 10 "json: ten related articles"
is "$(grep '^rel ' "$tmp/jk" | sed -n 1p | cut -d' ' -f2)" "$first" "json: the same first"
is "$(grep -c '^why text ' "$tmp/jk")" 10 "json --explain: ten explanations"
ok "$(grep -q '^shared term ' "$tmp/jk" && echo 0 || echo 1)" "json --explain: shared terms named"

# the shared countries are the source's and the article's
country=$(grep -m1 '^shared country ' "$tmp/jk" | sed 's/^shared country //')
if [ -n "$country" ]; then
    ok "$(grep -qF "$country" "$tmp/archive/$key.md" && grep -qF "$country" "$tmp/archive/$first.md" && echo 0 || echo 1)" \
        "a shared country ($country) is in both pages"
else
    ok 0 "no shared country to check"
fi
rel --explain "$key" > "$tmp/ex"
is "$(grep -c '^ *why: text [0-9.]* ' "$tmp/ex")" 10 "text --explain: a why line each"
rel --format tsv --explain "$key" > "$tmp/tx"
is "$(awk -F'\t' 'NF != 5 || $2 != NR { bad++ } END { print NR, bad + 0 }' "$tmp/tx")" "10 0" \
    "tsv --explain: five columns, ranked"

# --- options -------------------------------------------------------------------------
is "$(rel -n 3 --format tsv "$key" | awk -F'\t' '{ print split($2, a, " ") }')" 3 "-n 3: three"
"$jsonkeys" -r > "$tmp/c" <<EOF
$(rel --format json --text-only "$key")
EOF
is "$(sed -n 1p "$tmp/c")" "list $key computed" "--text-only: computed, not the stored list"
"$jsonkeys" -r > "$tmp/c" <<EOF
$(rel --format json --compute "$key")
EOF
is "$(sed -n 1p "$tmp/c")" "list $key computed" "--compute: computed"
# --earlier: no article later than the source
rel --earlier --format tsv "$key" | tr ' \t' '\n\n' | sed 1d > "$tmp/earlier"
src_year=${key%%/*}
is "$(awk -F/ -v y="$src_year" '$1 > y { bad++ } END { print bad + 0 }' "$tmp/earlier")" 0 \
    "--earlier: no later article ($src_year)"

# --- related:KEY in eafquery -----------------------------------------------------------
"$eafquery" -d "$db" --format tsv -n 10 "related:$key" | sed 1d | cut -f2 | tr '\n' ' ' | sed 's/ $//' > "$tmp/q"
is "$(cat "$tmp/q")" "$(sed -n '1s/^[^\t]*\t//p' "$tmp/all.tsv")" "related:KEY lists the same articles"
is "$("$eafquery" -d "$db" --count "related:no/such/key")" 0 "related: of an unknown key: no hits"

# --- a change, and the refresh --------------------------------------------------------
page="$tmp/archive/$first.md"
awk '{ print } /^Countries:/ { print ""; print "A paragraph added for the test, on monsoon rainfall." }' \
    "$page" > "$tmp/page" && mv "$tmp/page" "$page"
out=$("$eafindex" -v -d "$db" "$tmp/archive")
contains "$out" "0 added, 1 updated" "an edited page is updated"
contains "$out" "lists refreshed" "and the stale lists refreshed, not all built"
refreshed=$(printf '%s\n' "$out" | sed -n 's/^related articles: \([0-9]*\) lists refreshed.*/\1/p')
ok "$([ "${refreshed:-0}" -ge 1 ] && [ "${refreshed:-0}" -lt "$n" ] && echo 0 || echo 1)" \
    "a few of them ($refreshed of $n)"
out=$("$eafindex" -v -d "$db" "$tmp/archive")
contains "$out" "related articles: 0 lists refreshed" "an unchanged archive refreshes nothing"

# a page gone: no list holds it any longer
rm "$page"
"$eafindex" -q --no-related -d "$db" "$tmp/archive" > /dev/null
is "$?" 0 "a page removed, --no-related"
rel --list --format tsv > "$tmp/all2.tsv"
held() { awk -F'\t' -v k="$1" '{ n = split($2, a, " "); for (i = 1; i <= n; i++) if (a[i] == k) c++ }
                                END { print c + 0 }' "$2"; }
ok "$([ "$(held "$first" "$tmp/all.tsv")" -gt 0 ] && echo 0 || echo 1)" \
    "lists held the page ($(held "$first" "$tmp/all.tsv") of them)"
is "$(held "$first" "$tmp/all2.tsv")" 0 "no list holds the removed page, even before the refresh"
rel --refresh -q
is "$?" 0 "eafrelated --refresh"
rel --all -q --format tsv > "$tmp/all3.tsv"
is "$?" 0 "eafrelated --all --format tsv"
is "$(wc -l < "$tmp/all3.tsv" | tr -d ' ')" "$((n - 1))" "prints every list after the build"

# the log emptied after a build, though another connection (idle) keeps the
# index open, so that closing gives no checkpoint: readers would otherwise
# search a log of every list rewritten (750 MB at 1M articles) for each page
py=/usr/bin/python3
if [ -x "$py" ] && "$py" -c 'import sqlite3' 2>/dev/null; then
    "$py" -c 'import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1]); c.execute("SELECT count(*) FROM article").fetchall()
open(sys.argv[2], "w").close(); time.sleep(30)' "$db" "$tmp/held" &
    holder=$!
    i=0; while [ ! -f "$tmp/held" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    rel --all -q > /dev/null
    wal=$(wc -c < "$db-wal" 2>/dev/null | tr -d ' ')
    kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
    is "${wal:-absent}" 0 "after eafrelated --all, with another connection open, the log is empty"
else
    skip "no /usr/bin/python3 with sqlite3 to hold the index open"
fi

# --- the options of a build are the index's defaults -------------------------------------
# an article of the middle years, whose list holds later articles
late=$(awk -F'\t' -v h="$(( (n - 1) / 2 ))" 'NR == h { print $1 }' "$tmp/all3.tsv")
source_of() {  # source_of JSON: "stored" or "computed", from jsonkeys' first line
    printf '%s\n' "$1" | "$jsonkeys" -r | sed -n '1s/^list [^ ]* //p'
}
rel --all -q --idf-power=1 --earlier
is "$?" 0 "--all --idf-power=1 --earlier"
is "$(source_of "$(rel --format json "$late")")" stored "no option: the list built with options is read"
is "$(source_of "$(rel --format json -n 3 "$late")")" stored "-n 3 alone: read too"
is "$(source_of "$(rel --format json --idf-power=0.5 "$late")")" computed "another idf power: computed"
is "$(source_of "$(rel --format json --library-defaults "$late")")" computed "--library-defaults: computed"
rel --library-defaults --format tsv "$late" | tr ' \t' '\n\n' | sed 1d > "$tmp/anydate"
rel --format tsv "$late" | tr ' \t' '\n\n' | sed 1d > "$tmp/earlier2"
late_year=${late%%/*}
later() { awk -F/ -v y="$late_year" '$1 > y { c++ } END { print c + 0 }' "$1"; }
ok "$([ "$(later "$tmp/anydate")" -gt 0 ] && echo 0 || echo 1)" \
    "the library's list of $late holds later articles ($(later "$tmp/anydate"))"
is "$(later "$tmp/earlier2")" 0 "--earlier holds with no option"
"$eafquery" -d "$db" --format tsv -n 10 "related:$late" | sed 1d | cut -f2 > "$tmp/q2"
is "$(later "$tmp/q2")" 0 "and in eafquery's related:KEY"
is "$(tr '\n' ' ' < "$tmp/q2" | sed 's/ $//')" "$(tr '\n' ' ' < "$tmp/earlier2" | sed 's/ $//')" \
    "which lists the stored articles"
# eafindex keeps the lists with the index's options
page="$tmp/archive/$late.md"
awk '{ print } /^Countries:/ { print ""; print "Another paragraph added for the test, on typhoons." }' \
    "$page" > "$tmp/page" && mv "$tmp/page" "$page"
out=$("$eafindex" -v -d "$db" "$tmp/archive")
contains "$out" "lists refreshed" "eafindex refreshes the stale lists"
is "$(source_of "$(rel --format json "$late")")" stored "with the index's options: still read"
rel --all -q
is "$(source_of "$(rel --format json "$late")")" stored "--all with no option keeps them"
is "$(source_of "$(rel --format json --library-defaults "$late")")" computed "not the library's"
rel --all -q --library-defaults
is "$(source_of "$(rel --format json --library-defaults "$late")")" stored \
    "--all --library-defaults builds with the library's again"
is "$(source_of "$(rel --format json "$late")")" stored "which are then the index's"

# --- lists on demand in an index never built ----------------------------------------------
"$eafindex" -q --no-related -d "$tmp/norel.db" "$tmp/archive" > /dev/null
is "$?" 0 "an index made with --no-related"
k1=$(sed -n 1p "$tmp/all3.tsv" | cut -f1)
k2=$(sed -n 2p "$tmp/all3.tsv" | cut -f1)
k3=$(sed -n 3p "$tmp/all3.tsv" | cut -f1)
is "$(source_of "$("$eafrelated" -d "$tmp/norel.db" --format json "$k1")")" computed \
    "a list is computed"
"$eafrelated" -d "$tmp/norel.db" --format tsv "$k1" "$k2" "$k3" > "$tmp/three"
{ "$eafrelated" -d "$tmp/norel.db" --format tsv "$k1"
  "$eafrelated" -d "$tmp/norel.db" --format tsv "$k2"
  "$eafrelated" -d "$tmp/norel.db" --format tsv "$k3"; } > "$tmp/ones"
is "$(awk -F'\t' '{ print split($2, a, " ") }' "$tmp/three" | tr '\n' ' ')" "10 10 10 " \
    "three keys in one call: ten articles each"
ok "$(cmp -s "$tmp/three" "$tmp/ones" && echo 0 || echo 1)" \
    "the lists of one call are those asked one at a time"
"$eafrelated" -d "$tmp/norel.db" --format tsv "$k3" "$k1" > "$tmp/two"
is "$(sed -n 2p "$tmp/two")" "$(sed -n 1p "$tmp/ones")" "whatever the order of the keys"

# --- errors -----------------------------------------------------------------------------
rel no/such/key > /dev/null 2> "$tmp/err"
is "$?" 1 "an unknown key: exit 1"
contains "$(cat "$tmp/err")" "no/such/key" "named on standard error"
rel > /dev/null 2>&1
is "$?" 2 "no key: exit 2"
rel --format xml "$key" > /dev/null 2>&1
is "$?" 2 "an unknown format: exit 2"
rel --all "$key" > /dev/null 2>&1
is "$?" 2 "--all with a key: exit 2"
rel -n 0 "$key" > /dev/null 2>&1
is "$?" 2 "-n 0: exit 2"
rel --duplicate 2 "$key" > /dev/null 2> "$tmp/err"
is "$?" 2 "--duplicate 2: refused by the library, a usage error"
contains "$(cat "$tmp/err")" "duplicate" "which says why"
rel --idf-power=3 "$key" > /dev/null 2>&1
is "$?" 2 "--idf-power=3: exit 2"
rel --neighbours=0 "$key" > /dev/null 2>&1
is "$?" 2 "--neighbours=0: exit 2"
rel --all --idf-power=3 > /dev/null 2>&1
is "$?" 2 "--all --idf-power=3: exit 2"
"$eafrelated" -d "$tmp/none.db" "$key" > /dev/null 2>&1
is "$?" 1 "a missing index: exit 1"
is "$(rel --version | head -n 1 | cut -d' ' -f1)" "eafrelated" "--version"

done_testing
