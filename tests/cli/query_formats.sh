#!/bin/sh
# query_formats.sh: eafquery's output formats (json, jsonl, tsv, trec, -0,
# --count, --fields), --batch, --facets, --sort, the filters, --explain, the
# fallback to any word, suggestions, --no-fallback, --html and the usage
# errors, on the bundled sample archive.  Expected values come from the
# archive itself (grep) or from another eafquery output checked another
# way, never from a stored copy of the output.  TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"
# (the sample archive is of article pages)
tap_need page

archive="$srcdir/examples/archive"
tap_tmpdir eafqf
db="$tmp/sample.db"
LC_ALL=C
export LC_ALL
tab=$(printf '\t')
q() { "$eafquery" -d "$db" "$@"; }
# the keys (or another member) of jsonkeys output, one a line
keys_of() { sed -n 's/^hit [0-9-]* //p'; }
member() { sed -n "s/^$1 //p"; }
# 0 when the lines of standard input are sorted as sort(1) with these options says
sorted() { sort -c "$@" 2>/dev/null; }
# is, when the expected value (from another eafquery call) is not empty:
# two empty outputs must not agree by accident
same() {
    if [ -z "$2" ]; then
        is "$1" "(something not empty)" "$3"
    else
        is "$1" "$2" "$3"
    fi
}
# LINES BAD: the lines of a file and how many of them an awk condition flags
count_bad() { awk "$1 { bad++ } END { print NR, bad + 0 }" "$2"; }

"$eafindex" -d "$db" "$archive" >/dev/null 2>&1
ok $? "the sample archive is indexed"
# the pages with a date line, and their years, as the archive says
grep -rlE '^[0-9]{1,2} [A-Z][a-z]+ [0-9]{4}$' "$archive" > "$tmp/dated"

# --- json ---------------------------------------------------------------------
q --format json -n 5 "japan china" > "$tmp/j"; rc=$?
"$jsonkeys" < "$tmp/j" > "$tmp/jk"
ok $? "json is valid and has every member of the schema"
is "$rc" 0 "json exits 0"
is "$(member version < "$tmp/jk")" 1 "json schema version 1"
is "$(member fallback < "$tmp/jk"):$(member sort < "$tmp/jk"):$(member suggestion < "$tmp/jk")" \
    "false:relevance:null" "json fallback, sort and suggestion members"
keys5=$(keys_of < "$tmp/jk")
is "$(printf '%s\n' "$keys5" | grep -c .)" 5 "json holds -n 5 hits"
total=$(member total < "$tmp/jk")

# --- --count ------------------------------------------------------------------
same "$(q --count "japan china")" "$total" "--count equals the json total ($total)"
t2=$(q --format json relations | "$jsonkeys" | member total)
same "$(q --count relations)" "$t2" "--count equals the json total for another query"
same "$(q --count -n 1 --offset 5 relations)" "$t2" "--count ignores --limit and --offset"

# --- jsonl ----------------------------------------------------------------------
q --format jsonl -n 5 "japan china" > "$tmp/jl"
"$jsonkeys" -l < "$tmp/jl" > "$tmp/jlk"
ok $? "every jsonl line is a valid hit object with the json hit members"
is "$(wc -l < "$tmp/jl" | tr -d ' ')" 5 "one jsonl line per hit"
same "$(keys_of < "$tmp/jlk")" "$keys5" "jsonl hits are the json hits, in order"
is "$(member query < "$tmp/jlk" | sort -u)" "japan china" "each jsonl hit names its query"
is "$(grep -c '^qid ' "$tmp/jlk")" 0 "no qid outside batch mode"
same "$(member score < "$tmp/jlk")" "$(member score < "$tmp/jk")" "jsonl scores are the json scores"

# --- tsv ----------------------------------------------------------------------
q --format tsv -n 5 "japan china" > "$tmp/t"
is "$(head -1 "$tmp/t")" "rank${tab}key${tab}url${tab}title${tab}date${tab}authors${tab}score${tab}snippet" \
    "tsv header names the default columns"
is "$(wc -l < "$tmp/t" | tr -d ' ')" 6 "tsv: the header and one line per hit"
is "$(count_bad 'BEGIN { FS = "\t" } NF != 8' "$tmp/t")" "6 0" "tsv: 8 columns on every line"
same "$(sed 1d "$tmp/t" | cut -f2)" "$keys5" "tsv keys are the json keys"
is "$(sed 1d "$tmp/t" | cut -f1 | tr '\n' ' ')" "1 2 3 4 5 " "tsv ranks"
same "$(sed 1d "$tmp/t" | cut -f5)" "$(member date < "$tmp/jk")" "tsv dates are the json dates"
# a snippet with line breaks in the body still gives one line per hit
q --format tsv -n 50 --fields=key,snippet,title "the" > "$tmp/t2"
is "$(count_bad 'BEGIN { FS = "\t" } NF != 3' "$tmp/t2")" "$(($(find "$archive" -name '*.md' | wc -l) + 1)) 0" \
    "tsv: no tab or newline leaks out of a value (every article has 'the')"
same "$(($(wc -l < "$tmp/t2") - 1))" "$(q --format json -n 50 the | "$jsonkeys" | grep -c '^hit')" \
    "tsv: one line per hit, every hit of 'the'"

# --- trec ---------------------------------------------------------------------
q --format trec -n 20 japan > "$tmp/tr"
q --format json -n 20 japan | "$jsonkeys" > "$tmp/trj"
n=$(grep -c '^hit' "$tmp/trj")
is "$n" 20 "json: 20 hits for 'japan'"
is "$(wc -l < "$tmp/tr" | tr -d ' ')" 20 "trec: one line per hit"
is "$(count_bad 'NF != 6 || $1 != "1" || $2 != "Q0" || $6 != "eafsearch"' "$tmp/tr")" "20 0" \
    "trec: 6 columns, qid 1, Q0, run name"
is "$(awk '{print $4}' "$tmp/tr" | tr '\n' ' ')" "$(awk 'BEGIN { for (i = 1; i <= 20; i++) printf "%d ", i }')" "trec: ranks 1..20"
awk '{print $5}' "$tmp/tr" | sorted -n -r && [ -s "$tmp/tr" ]
ok $? "trec: scores non-increasing"
same "$(awk '{print $3}' "$tmp/tr")" "$(keys_of < "$tmp/trj")" "trec keys are the json keys"
same "$(awk '{print $5}' "$tmp/tr")" "$(member score < "$tmp/trj")" "trec scores are the json scores, 6 decimals"
is "$(awk '{print $5}' "$tmp/tr" | sort -u | wc -l | tr -d ' ')" 20 "trec: no tied scores among 20 hits"
is "$(q --format trec -n 3 --offset 4 japan | awk '{print $4}' | tr '\n' ' ')" "5 6 7 " \
    "trec ranks count from --offset"

# --- -0 / --null --------------------------------------------------------------
q -0 -n 20 japan > "$tmp/z"
is "$(tr -cd '\000' < "$tmp/z" | wc -c | tr -d ' ')" 20 "-0: one NUL per hit"
same "$(tr '\000' '\n' < "$tmp/z")" "$(keys_of < "$tmp/trj")" "-0 output splits into exactly the json keys"
is "$(tail -c 1 "$tmp/z" | od -An -c | tr -d ' ')" '\0' "-0: the last key ends with NUL"
same "$(q --null -n 20 japan | tr '\000' '\n')" "$(keys_of < "$tmp/trj")" "--null is -0"

# --- --fields -----------------------------------------------------------------
q --format json -n 3 --fields=key,date,topics japan | "$jsonkeys" -p > "$tmp/f"
ok $? "json with --fields is valid"
is "$(member members < "$tmp/f" | sort -u)" "key,date,topics" "json hits hold the chosen members, in order"
same "$(keys_of < "$tmp/f")" "$(keys_of < "$tmp/trj" | head -3)" "and the same hits"
q --format jsonl -n 3 --fields=countries,rank japan | "$jsonkeys" -l -p > "$tmp/f"
is "$(member members < "$tmp/f" | sort -u)" "countries,rank" "jsonl hits hold the chosen members"
q --format tsv -n 3 --fields=key,topics,countries,authors japan > "$tmp/f"
is "$(head -1 "$tmp/f")" "key${tab}topics${tab}countries${tab}authors" "tsv header follows --fields"
is "$(count_bad 'BEGIN { FS = "\t" } NF != 4' "$tmp/f")" "4 0" "tsv: 4 columns"
# the topics and countries of a hit are those of its page
k=$(sed -n 2p "$tmp/f" | cut -f1)
page="$archive/$k.md"
same "$(sed -n 2p "$tmp/f" | cut -f2)" "$(sed -n 's/^Topics: //p' "$page" | sed 's/, /; /g')" \
    "tsv topics are the page's Topics line"
same "$(sed -n 2p "$tmp/f" | cut -f3)" "$(sed -n 's/^Countries: //p' "$page" | sed 's/, /; /g')" \
    "tsv countries are the page's Countries line"
out=$(q -n 3 --fields=key japan)
same "$(printf '%s\n' "$out" | sed -n 's/^   //p')" "$(keys_of < "$tmp/trj" | head -3)" \
    "text with --fields=key shows the keys"
case "$out" in *score*|*"1. "*) r=1 ;; *) r=0 ;; esac
ok "$r" "and neither scores nor ranks"
out=$(q -n 1 --fields=title,countries,summary,tags,url "japans balancing act")
contains "$out" "Countries: $(sed -n 's/^Countries: //p' "$archive/2018/japans-balancing-act-in-beijing.md")" \
    "text shows a Countries line"
q --fields=key,bogus japan >/dev/null 2>"$tmp/err"; rc=$?
is "$rc" 2 "an unknown field is a usage error"
contains "$(cat "$tmp/err")" "'bogus'" "naming the field"

# --- --batch ------------------------------------------------------------------
printf 'q1\tjapan china\n\tempty qid\nnorth korea\nq 4\tspace in qid\n\nq6\trelations\n' > "$tmp/batch"
q --batch --format trec -n 3 < "$tmp/batch" > "$tmp/b" 2>"$tmp/err"; rc=$?
is "$rc" 1 "--batch exits 1 when a line failed"
contains "$(cat "$tmp/err")" "line 2" "a malformed line is named"
contains "$(cat "$tmp/err")" "line 4" "a qid with a space is named"
is "$(grep -c . "$tmp/err")" 2 "one error per malformed line"
is "$(awk '{print $1}' "$tmp/b" | uniq | tr '\n' ' ')" "q1 3 q6 " \
    "the other queries still run; a line without a tab has its line number as qid"
same "$(awk '$1 == "q1" {print $3}' "$tmp/b")" "$(printf '%s\n' "$keys5" | head -3)" \
    "batch hits are those of the query alone"
same "$(awk '$1 == "3" {print $3, $4}' "$tmp/b")" \
    "$(q --format trec -n 3 "north korea" | awk '{print $3, $4}')" "for every query"
out=$(printf 'a\tjapan china\nb\trelations\nnorth korea\n' | q --batch --count)
is "$out" "a${tab}$total
b${tab}$t2
3${tab}$(q --count "north korea")" "--batch --count prints qid TAB count"
printf 'a\tjapan china\nb\trelations\n' | q --batch --format tsv -n 2 --fields=key > "$tmp/b"
is "$(head -1 "$tmp/b")" "qid${tab}key" "batch tsv: qid is the first column"
is "$(sed 1d "$tmp/b" | cut -f1 | tr '\n' ' ')" "a a b b " "batch tsv: qid on each hit"
printf 'a\tjapan china\nb\trelations\n' | q --batch --format jsonl -n 2 | "$jsonkeys" -l > "$tmp/b"
ok $? "batch jsonl is valid"
is "$(member qid < "$tmp/b" | tr '\n' ' ')" "a a b b " "batch jsonl: each hit has its qid"
printf 'a\tjapan china\nb\trelations\n' | q --batch --format json -n 2 > "$tmp/b"
is "$(wc -l < "$tmp/b" | tr -d ' ')" 2 "batch json: one object per query, one a line"
r=0
while IFS= read -r line; do
    printf '%s\n' "$line" | "$jsonkeys" > "$tmp/b1" || r=1
done < "$tmp/b"
ok "$r" "each batch json object is valid"
is "$(sed -n 2p "$tmp/b" | "$jsonkeys" | member qid):$(sed -n 2p "$tmp/b" | "$jsonkeys" | member total)" \
    "b:$t2" "batch json names the qid"
# many queries, one index
printf 'x\t%s\n' "japan china" relations "north korea" "trade war" japn "zzzzqx japan" \
    '"US-Japan" alliance' country:China > "$tmp/many1"
i=0
while [ $i -lt 250 ]; do cat "$tmp/many1"; i=$((i + 1)); done | awk -F'\t' '{print NR "\t" $2}' > "$tmp/many"
q --batch --count < "$tmp/many" > "$tmp/b" 2>/dev/null; rc=$?
is "$rc:$(wc -l < "$tmp/b" | tr -d ' ')" "0:2000" "--batch runs 2000 queries"
same "$(awk -F'\t' 'NR % 8 == 1 {print $2}' "$tmp/b" | sort -u)" "$total" "with the same counts"

# --- --facets -----------------------------------------------------------------
q --format json --facets=50 japan | "$jsonkeys" > "$tmp/fa"
ok $? "json with facets is valid"
fj=$(sed -n 's/^facet country Japan //p' "$tmp/fa")
same "$fj" "$(q --count 'japan country:"Japan"')" "the Japan facet of 'japan' counts its hits about Japan ($fj)"
same "$(sed -n 's/^facet country China //p' "$tmp/fa")" "$(q --count --country=China japan)" \
    "the China facet of 'japan' equals --country=China japan"
# over every dated article: the archive's own Countries and date lines
q --format json --facets=100 --after=1900 "" | "$jsonkeys" > "$tmp/fa"
is "$(sed -n 's/^facet country Japan //p' "$tmp/fa")" \
    "$(xargs grep -l '^Countries:.*Japan' < "$tmp/dated" | wc -l | tr -d ' ')" \
    "the Japan facet equals the dated pages with Japan in their Countries line"
is "$(sed -n 's/^facet year //p' "$tmp/fa" | sort)" \
    "$(xargs grep -hE '^[0-9]{1,2} [A-Z][a-z]+ [0-9]{4}$' < "$tmp/dated" | awk '{print $3}' | sort | uniq -c | awk '{print $2, $1}' | sort)" \
    "the year facets equal the years of the pages' dates"
is "$(grep -c '^facet author ' "$tmp/fa")" \
    "$(xargs grep -hE '^Authors?: ' < "$tmp/dated" | sed 's/^Authors*: //; s/ and /; /g' | tr ';' '\n' | sed 's/,.*//; s/^ *//' | sort -u | wc -l | tr -d ' ')" \
    "one author facet per author in the pages"
out=$(q -n 1 --facets=3 japan)
contains "$out" "country:" "text shows a facet block"
contains "$out" "$(printf '%6s  Japan' "$fj")" "with the counts"
is "$(q --format json japan | "$jsonkeys" | grep -c '^facet')" 0 "no facets unless asked"

# --- --sort -------------------------------------------------------------------
q --format tsv -n 100 --fields=date,key --sort=newest japan | sed 1d > "$tmp/s1"
cut -f1 "$tmp/s1" | grep . | sorted -r && [ "$(grep -c . "$tmp/s1")" -gt 10 ]
ok $? "--sort=newest: dates non-increasing"
q --format tsv -n 100 --fields=date,key --sort=oldest japan | sed 1d > "$tmp/s2"
cut -f1 "$tmp/s2" | grep . | sorted && [ "$(grep -c . "$tmp/s2")" -gt 10 ]
ok $? "--sort=oldest: dates non-decreasing"
q --format tsv -n 100 --fields=key japan | sed 1d > "$tmp/s3"
same "$(cut -f2 "$tmp/s1" | sort)" "$(sort "$tmp/s3")" "newest: the same hits as by relevance"
same "$(cut -f2 "$tmp/s2" | sort)" "$(sort "$tmp/s3")" "oldest: the same hits"
is "$(q --format json --sort=oldest japan | "$jsonkeys" | member sort)" oldest "json names the sort"

# --- filters ------------------------------------------------------------------
q --format tsv -n 100 --fields=date --after=2018 --before=2019 "" | sed 1d > "$tmp/d"
n=$(xargs grep -hE '^[0-9]{1,2} [A-Z][a-z]+ (2018|2019)$' < "$tmp/dated" | wc -l | tr -d ' ')
is "$(count_bad '$1 < "2018-01-01" || $1 > "2019-12-31"' "$tmp/d")" "$n 0" \
    "--after/--before with an empty query list the $n articles of 2018-2019"
q --format tsv -n 100 --fields=date japan | sed 1d > "$tmp/d"
is "$(q --count --after=2018-06 japan)" "$(awk '$1 >= "2018-06-01"' "$tmp/d" | wc -l | tr -d ' ')" \
    "--after=2018-06 keeps the hits dated from June 2018"
is "$(q --count --before=2010-06 japan)" "$(awk '$1 != "" && $1 <= "2010-06-31"' "$tmp/d" | wc -l | tr -d ' ')" \
    "--before=2010-06 keeps the hits dated up to June 2010"
is "$(q --count --country=Japan "")" "$(grep -rl '^Countries:.*Japan' "$archive" | wc -l | tr -d ' ')" \
    "--country=Japan with an empty query lists the pages about Japan"
is "$(q --count --country=Japan --country='South Korea')" \
    "$(grep -rlE '^Countries:.*(Japan|South Korea)' "$archive" | wc -l | tr -d ' ')" \
    "a repeated filter means any of its values"
q --format tsv -n 100 --fields=countries --country=japan trade | sed 1d > "$tmp/d"
q --format tsv -n 100 --fields=countries trade | sed 1d > "$tmp/d2"
n=$(grep -cE '(^|; )Japan(;|$)' "$tmp/d2")
[ "$n" -gt 0 ] || n=
same "$(count_bad '!/(^|; )Japan(;|$)/' "$tmp/d")" "${n:+$n 0}" \
    "--country with a query keeps exactly the hits about Japan ($n)"
q --format tsv -n 100 --fields=authors --author='Helen Marchetti' "" | sed 1d > "$tmp/d"
is "$(count_bad '!/Helen Marchetti/' "$tmp/d")" \
    "$(grep -rlE '^Authors?: .*Helen Marchetti' "$archive" | wc -l | tr -d ' ') 0" \
    "--author lists every page by the author, and only those"
is "$(q --count --author='helen marchetti' --country=China "")" \
    "$(grep -rlE '^Authors?: .*Helen Marchetti' "$archive" | xargs grep -l '^Countries:.*China' | wc -l | tr -d ' ')" \
    "different filters must all hold; case is ignored"
out=$(q --country=Japan -n 1)
contains "$out" "match the filters" "filters without a query list the filtered articles"

# --- --explain ----------------------------------------------------------------
q --explain -n 2 "tariffs -trade" > "$tmp/o" 2>"$tmp/err"; rc=$?
is "$rc" 0 "--explain exits 0"
contains "$(cat "$tmp/err")" 'fts5: ("tariffs") NOT ("trade")' "--explain shows the FTS5 expression on stderr"
is "$(cat "$tmp/o")" "$(q -n 2 "tariffs -trade")" "and leaves stdout as without it"

# --- fallback and suggestions ---------------------------------------------------
out=$(q -n 1 "japan zzzzqx")
contains "$out" "No article has all the words; showing articles with any of them (no article has: zzzzqx)." \
    "text: the fallback line names the dropped word"
q --format json "japan zzzzqx" | "$jsonkeys" > "$tmp/fb"
is "$(member fallback < "$tmp/fb"):$(member dropped < "$tmp/fb")" "true:zzzzqx" "json: fallback true, dropped zzzzqx"
same "$(member total < "$tmp/fb")" "$(q --count japan)" "the fallback hits are those of 'japan'"
q --format trec --all-words "japan zzzzqx" > "$tmp/o" 2>"$tmp/err"
contains "$(cat "$tmp/err")" "eafquery: no article has all the words" "trec --all-words: the fallback note goes to stderr"
q --format trec -n 1000 "japan zzzzqx" > "$tmp/o" 2>"$tmp/err"
is "$(cat "$tmp/err")" "" "trec ranks all by default: no fallback, no note"
is "$(wc -l < "$tmp/o" | tr -d ' ')" "$(q --count japan)" "trec: the articles with any of the words"
is "$(count_bad 'NF != 6' "$tmp/o")" "$(q --count japan) 0" "and stdout stays trec"
is "$(q --count --no-fallback "japan zzzzqx")" 0 "--no-fallback: no hits for 'japan zzzzqx'"
is "$(q --format json --no-fallback "japan zzzzqx" | "$jsonkeys" | member fallback)" false "and no fallback"
contains "$(q japn)" "Did you mean: japan?" "text: 'japn' suggests 'japan'"
is "$(q --format json japn | "$jsonkeys" | member suggestion)" japan "json: suggestion japan"
out=$(q --count japn 2>"$tmp/err")
is "$out:$(cat "$tmp/err")" "0:eafquery: did you mean: japan?" "--count: the suggestion goes to stderr"
is "$(q --format json north | "$jsonkeys" | member suggestion)" null "no suggestion for 'north'"
case "$(q north)" in *"Did you mean"*) r=1 ;; *) r=0 ;; esac
ok "$r" "text: no suggestion line for 'north'"

# --- --html -------------------------------------------------------------------
out=$(q --html --format tsv -n 1 --fields=snippet '"from competition"' | sed 1d)
contains "$out" '&quot;<b>from competition</b>' "--html escapes the text and marks matches with <b>"

# --- usage errors -------------------------------------------------------------
for args in "--format=xml" "--sort=random" "--after=2018-13" "--before=yesterday" \
            "--fields=" "--facets=0" "--count -0" "--format=trec --facets" \
            "--format=trec --fields=key" "--batch"; do
    # shellcheck disable=SC2086
    q $args japan </dev/null >/dev/null 2>"$tmp/err"; rc=$?
    is "$rc" 2 "eafquery $args japan: usage error"
done
q --after=2018-13 japan >/dev/null 2>"$tmp/err"
contains "$(cat "$tmp/err")" "invalid date filter '2018-13'" "an invalid date is named"
q --format=xml japan >/dev/null 2>"$tmp/err"
contains "$(cat "$tmp/err")" "'xml'" "an unknown format is named"
q --sort=random japan >/dev/null 2>"$tmp/err"
contains "$(cat "$tmp/err")" "'random'" "an unknown sort is named"

# --- a typed AND, questions and --all-words -----------------------------------------
keys() { q --format tsv --fields=key -n 1000 "$@" | sed 1d | sort; }
for w in japan china relations trade; do keys "$w" > "$tmp/k_$w"; done
comm -12 "$tmp/k_japan" "$tmp/k_china" | comm -12 - "$tmp/k_relations" | comm -12 - "$tmp/k_trade" > "$tmp/k_all"
n=$(wc -l < "$tmp/k_all" | tr -d ' ')
nq=$(q --count "japan china relations trade" 2>/dev/null)
ok "$([ "$n" -gt 0 ] && [ "$nq" -gt "$n" ] && echo 0 || echo 1)" \
    "four words: $n articles have all, the question finds $nq"
same "$(keys "japan AND china AND relations AND trade")" "$(cat "$tmp/k_all")" \
    "a typed AND of four words: exactly the articles with all four"
same "$(keys "japan china relations AND trade")" "$(cat "$tmp/k_all")" "one typed AND is enough"
same "$(keys "(japan AND china) relations trade")" "$(cat "$tmp/k_all")" "in a group too"
same "$(keys --all-words "japan china relations trade")" "$(cat "$tmp/k_all")" \
    "--all-words: exactly the articles with all four"
same "$(keys --rank-all --all-words "japan china relations trade")" "$(cat "$tmp/k_all")" \
    "--all-words after --rank-all wins"
out=$(q -n 1 "japan china relations trade")
contains "$out" "Read as a question: showing articles with any of the words" "text says when a query is read as a question"
for args in "--all-words|japan china relations trade" "|japan AND china AND relations AND trade" "|japan china"; do
    case "$(q -n 1 ${args%%|*} "${args#*|}")" in *"Read as a question"*) r=1 ;; *) r=0 ;; esac
    ok "$r" "no question line for ${args%%|*} '${args#*|}'"
done
is "$(q --format json "japan china relations trade" | "$jsonkeys" | member question)" true "json: question true"
is "$(q --format json --all-words "japan china relations trade" | "$jsonkeys" | member question)" false \
    "json: question false with --all-words"
is "$(q --format json "japan china" | "$jsonkeys" | member question)" false "json: question false for two words"
q --count "japan china relations trade" > /dev/null 2> "$tmp/err"
contains "$(cat "$tmp/err")" "eafquery: read as a question" "--count: the question note goes to stderr"
is "$(q --count "japan AND china AND zzzzqx")" 0 "a typed AND never falls back to any of the words"

# --- related:KEY ----------------------------------------------------------------------
rkey=$(q --format tsv --fields=key -n 1 japan | sed -n 2p)
"$builddir/tools/eafrelated" -d "$db" --format tsv "$rkey" | cut -f2 | tr ' ' '\n' > "$tmp/rel"
rn=$(grep -c . "$tmp/rel")
is "$(q --format tsv --fields=key -n 100 "related:$rkey" | sed 1d)" "$(cat "$tmp/rel")" \
    "related:KEY lists the related articles ($rn), in order"
is "$(q -n 3 "related:$rkey" | head -n 1)" "$rn articles match \"related:$rkey\"" \
    "-n 3: the text total is the list's length"
is "$(q --format json --offset 3 -n 3 "related:$rkey" | "$jsonkeys" | member total)" "$rn" \
    "--offset 3: the json total is the list's length"
is "$(q --count -n 3 "related:$rkey")" "$rn" "--count: the list's length"
pages=$(off=0; while [ "$off" -lt "$((rn + 3))" ]; do
    q --format tsv --fields=key -n 3 --offset "$off" "related:$rkey" | sed 1d; off=$((off + 3)); done)
is "$pages" "$(cat "$tmp/rel")" "pages of three put together are the list"
grep -Fx -f "$tmp/k_china" "$tmp/rel" > "$tmp/relc"
is "$(q --format tsv --fields=key -n 100 "related:$rkey china" | sed 1d)" "$(cat "$tmp/relc")" \
    "related:KEY china: the list filtered to the articles with china, in its order"
ok "$([ -s "$tmp/relc" ] && [ "$(wc -l < "$tmp/relc")" -lt "$rn" ] && echo 0 || echo 1)" \
    "which is some of the list, not all"
is "$(q --count "china related:\"$rkey\"")" "$(wc -l < "$tmp/relc" | tr -d ' ')" \
    "a quoted key, after the words"
is "$(q --count "related:$rkey -china")" "$((rn - $(wc -l < "$tmp/relc")))" \
    "related:KEY -china: the rest of the list"
is "$(q --count "related:$rkey zzzzqx")" 0 "related:KEY with a word no article has: nothing"

# --- output hygiene -------------------------------------------------------------------
q --format json "$(printf 'japn \377\376')" > "$tmp/o"
"$jsonkeys" < "$tmp/o" > "$tmp/ok"
ok $? "json of a query with invalid UTF-8 keeps every member"
contains "$(member suggestion < "$tmp/ok")" "japan" "and its suggestion (a string)"
q -n 1 "$(printf 'japn \033[2J\001x')" > "$tmp/o"
is "$(tr -d '\n\t' < "$tmp/o" | LC_ALL=C tr -d ' -~\200-\377' | wc -c | tr -d ' ')" 0 \
    "text echoes no control character of the query"
contains "$(cat "$tmp/o")" "Did you mean: japan" "but still the suggestion"
long=$(awk 'BEGIN { for (i = 0; i < 20000; i++) printf "x" }')
q -n 1 "japn $long" > "$tmp/o"
is "$(awk 'length($0) > 300' "$tmp/o" | wc -l | tr -d ' ')" 0 "a long query is echoed shortened"
contains "$(cat "$tmp/o")" "Did you mean: japan xxx" "with its start"
contains "$(cat "$tmp/o")" "xxx...?" "and an ellipsis"
is "$(q -n 1 trawler | head -n 1)" '1 article matches "trawler"' "one article matches"
is "$(q -n 1 japan | head -n 1)" "$(q --count japan) articles match \"japan\"" "articles match"
# a query without hits in every format
is "$(q --format jsonl zzzzqx)" '{"query":"zzzzqx","total":0}' "jsonl: a query without hits is one line"
printf 'a\tzzzzqx\nb\ttrawler\n' | q --batch --format jsonl --fields=key | "$jsonkeys" -l -p > "$tmp/o"
ok $? "batch jsonl with a query without hits is valid"
is "$(tr '\n' ' ' < "$tmp/o")" \
    "line 1 qid a query zzzzqx nohits 0 line 2 qid b query trawler hit - $(keys trawler) members key " \
    "its line, then the other query's hit"
is "$(q --format jsonl -n 2 --offset 100 japan)" "{\"query\":\"japan\",\"total\":$(q --count japan)}" \
    "jsonl: an offset past the last hit: the line with the total"
out=$(q --format trec zzzzqx); rc=$?
is "$rc:$out" "0:" "trec: no line for a query without hits (the TREC convention)"
# -n 0: the count and facets, no hits
out=$(q -n 0 --facets=2 japan); rc=$?
is "$rc:$(printf '%s\n' "$out" | head -n 1)" "0:$(q --count japan) articles match \"japan\"" "-n 0: the count"
contains "$out" "country:" "and the facets"
case "$out" in *"1. "*) r=1 ;; *) r=0 ;; esac
ok "$r" "and no hit"
q --format json -n 0 --facets japan | "$jsonkeys" > "$tmp/o"
is "$(member total < "$tmp/o"):$(grep -c '^hit' "$tmp/o"):$(grep -c '^facet' "$tmp/o" | awk '$1 > 0 { print "facets" }')" \
    "$(q --count japan):0:facets" "-n 0 json: the total, no hits, the facets"
is "$(q --format jsonl -n 0 japan)" "{\"query\":\"japan\",\"total\":$(q --count japan)}" "-n 0 jsonl: the line with the total"
is "$(q --format tsv -n 0 japan)" "rank${tab}key${tab}url${tab}title${tab}date${tab}authors${tab}score${tab}snippet" \
    "-n 0 tsv: the header"
is "$(q --format trec -n 0 japan; echo "rc $?"):$(q -0 -n 0 japan | wc -c | tr -d ' ')" "rc 0:0" \
    "-n 0 trec and -0: nothing"
is "$(q --count -n 0 japan)" "$(q --count japan)" "-n 0 --count: the count"
# year facets: newest first
q --format json --facets=100 --after=1900 "" | "$jsonkeys" | sed -n 's/^facet year \([0-9]*\) .*/\1/p' > "$tmp/o"
ok "$([ "$(wc -l < "$tmp/o")" -gt 3 ] && sort -c -r -n "$tmp/o" 2>/dev/null && echo 0 || echo 1)" \
    "year facets: newest first ($(tr '\n' ' ' < "$tmp/o"))"
same "$(q -n 1 --facets=2 --after=1900 "" | sed -n '/^year:/,$p' | awk 'NR > 1 { print $2 }' | tr '\n' ' ')" \
    "$(head -n 2 "$tmp/o" | tr '\n' ' ')" "--facets=2: the two newest years"

# --- scores of listings -----------------------------------------------------------------
out=$(q -n 2 --country=Japan "")
case "$out" in *score*) r=1 ;; *) r=0 ;; esac
ok "$r" "a listing by filters shows no score"
contains "$(q -n 1 japan)" "| score " "a search by words shows its score"
is "$(q --format json -n 2 --country=Japan "" | "$jsonkeys" | member score | sort -u)" none \
    "json: score null for a listing"
is "$(q --format tsv --fields=key,score -n 2 --country=Japan "" | sed 1d | cut -f2 | sort -u)" "" \
    "tsv: an empty score for a listing"
is "$(q --format trec -n 3 --country=Japan "" | awk '{ print $5 }' | tr '\n' ' ')" \
    "-1.000000 -2.000000 -3.000000 " "trec: minus the rank, in the order of the listing"

# --- options after the query ----------------------------------------------------------
q japan -n 2 > "$tmp/o" 2> "$tmp/err"
contains "$(cat "$tmp/err")" "warning: '-n' after the query is searched as text" "-n after the query: a warning"
contains "$(head -n 1 "$tmp/o")" '"japan -n 2"' "and the query is as typed"
q japan --format=json > /dev/null 2> "$tmp/err"
contains "$(cat "$tmp/err")" "'--format=json' after the query" "--format=json after the query: a warning"
q japan -n5 > /dev/null 2> "$tmp/err"
contains "$(cat "$tmp/err")" "'-n5' after the query" "-n5 too"
for args in "japan -china" "-- japan -n 2" "japan -defence -d2"; do
    # shellcheck disable=SC2086
    q $args > /dev/null 2> "$tmp/err"
    is "$(cat "$tmp/err")" "" "no warning for: $args"
done

# --- help ---------------------------------------------------------------------
out=$("$eafquery" --help)
r=0
for opt in --format --batch --count --fields --null --facets --explain --sort --after --before \
           --author --topic --country --tag --no-fallback --html; do
    case "$out" in *"$opt"*) ;; *) r=1; echo "# --help lacks $opt" ;; esac
done
ok "$r" "--help lists every new option"

done_testing
