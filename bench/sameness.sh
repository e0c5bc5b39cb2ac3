#!/bin/sh
# bench/sameness.sh: what the tools print on real corpora, written to files so that
# two builds can be compared byte for byte (a refactoring must change none of it).
#
#   sh bench/sameness.sh BUILDDIR OUTDIR        then: diff -r OUTDIR-before OUTDIR-after
#   make bench-sameness                         (this build, to $EAF_BENCH_DIR/sameness)
#
# - Cranfield and CACM: the top 1000 of every query (eafquery --batch --format trec),
#   with the defaults, with feedback and with --all-words;
# - enwiki_sections: the top 10 of both files of 1,000 title queries;
# - bbc and 18f_blog: every stored related list (eafrelated --all, then --list) and,
#   on an index built with --no-related, the lists on demand of 200 keys, explained;
# - the sample archive of examples/: searches in every output format (JSON included),
#   with facets, filters, paging, fields, phrases, prefixes, questions, misspellings
#   and related:KEY; and the related lists of its articles.
# Needs ../shared for the corpora (each one missing is left out, with a line saying so).
set -u
build=${1:?usage: sameness.sh BUILDDIR OUTDIR}
out=${2:?usage: sameness.sh BUILDDIR OUTDIR}
src=${EAF_SRCDIR:-$(dirname "$0")/..}
shared=${EAF_SHARED:-$src/../shared}
work=${EAF_BENCH_DIR:-/tmp/eaf-bench-sameness}
eafindex="$build/tools/eafindex"
eafquery="$build/tools/eafquery"
eafrelated="$build/tools/eafrelated"
abs() { (cd "$1" && pwd); }
mkdir -p "$out" "$work"
build=$(abs "$build"); out=$(abs "$out"); src=$(abs "$src")
[ -d "$shared" ] && shared=$(abs "$shared")
cd "$work" || exit 1
work=.   # index paths in messages are the same whatever the folder
log() { echo "sameness: $*" >&2; }

index() {  # index DB SOURCE [options]: a fresh index
    db=$1; s=$2; shift 2
    rm -f "$db" "$db-wal" "$db-shm" "$db-lock"
    "$eafindex" -q "$@" -d "$db" "$s" > /dev/null 2>&1 || { log "indexing $s failed"; exit 1; }
}

for c in cranfield cacm; do
    d="$shared/corpora/$c"
    [ -f "$d/docs.jsonl" ] || { log "no $c: left out"; continue; }
    log "$c"
    index "$work/$c.db" "$d/docs.jsonl" --no-related
    "$eafquery" -d "$work/$c.db" --batch --format trec -n 1000 < "$d/queries.tsv" > "$out/$c.trec" 2>&1
    "$eafquery" -d "$work/$c.db" --batch --format trec -n 1000 --feedback=10,10 \
        < "$d/queries.tsv" > "$out/$c-feedback.trec" 2>&1
    "$eafquery" -d "$work/$c.db" --batch --format trec -n 1000 --all-words \
        < "$d/queries.tsv" > "$out/$c-allwords.trec" 2>&1
    "$eafquery" -d "$work/$c.db" --batch --format jsonl -n 5 --fields key,title,snippet \
        < "$d/queries.tsv" > "$out/$c-snippets.jsonl" 2>&1
done

e="$shared/corpora/enwiki_sections"
if [ -f "$e/docs.jsonl.gz" ] && [ "${EAF_SAMENESS_ENWIKI:-1}" = 1 ]; then
    log "enwiki_sections"
    [ -s "$work/enwiki.jsonl" ] || gzip -dc "$e/docs.jsonl.gz" > "$work/enwiki.jsonl"
    index "$work/enwiki.db" "$work/enwiki.jsonl" --no-related
    for f in title_queries title_queries_fts; do
        "$eafquery" -d "$work/enwiki.db" --batch --format trec -n 10 < "$e/$f.tsv" \
            > "$out/enwiki-$f.trec" 2>&1
    done
else
    log "no enwiki_sections: left out"
fi

for c in bbc 18f_blog; do
    d="$shared/corpora/$c"
    [ -f "$d/docs.jsonl" ] || { log "no $c: left out"; continue; }
    log "$c related"
    index "$work/$c.db" "$d/docs.jsonl" --no-related
    "$eafrelated" -q -d "$work/$c.db" --all > /dev/null 2>&1
    "$eafrelated" -d "$work/$c.db" --list --format tsv > "$out/$c-related.tsv" 2>&1
    "$eafrelated" -d "$work/$c.db" --list --format tsv | head -200 | cut -f1 > "$work/$c.keys"
    index "$work/$c-od.db" "$d/docs.jsonl" --no-related
    # shellcheck disable=SC2046
    "$eafrelated" -d "$work/$c-od.db" --format tsv $(cat "$work/$c.keys") \
        > "$out/$c-ondemand.tsv" 2>&1
    # shellcheck disable=SC2046
    "$eafrelated" -d "$work/$c-od.db" --format json --explain $(head -20 "$work/$c.keys") \
        > "$out/$c-explain.jsonl" 2>&1
done

log "sample archive"
rm -rf archive && cp -R "$src/examples/archive" archive   # the same path for every build
index "$work/sample.db" archive
q() {  # q NAME [eafquery options and query]: one search, its output and exit status
    n=$1; shift
    "$eafquery" -d "$work/sample.db" --color=never "$@" > "$out/sample-$n" 2>&1
    echo "exit $?" >> "$out/sample-$n"
}
q json-japan-china --format json "Japan China"
q json-facets --format json --facets "trade"
q json-phrase --format json '"trade war"'
q json-prefix --format json 'infra*'
q json-fields --format json --fields rank,key,title,date,authors,topics,countries,tags,summary,score Japan
q json-question --format json "what is the future of the rice trade in asia"
q json-typo --format json "Jpaan electoin"
q json-filters --format json --after 2015 --before 2020 --country Japan --sort newest ""
q json-author --format json 'author:"Li"'
q json-or-not --format json "(Korea OR Japan) -China"
q json-paged --format json -n 3 --offset 4 economy
q json-none --format json "zzzqqqxxx"
q json-bad --format json 'title:(('
q json-strict --format json --strict 'title:(('
q json-html --format json --html "energy"
q jsonl --format jsonl --facets=3 "security"
q tsv --format tsv "Indonesia"
q trec --format trec -n 50 "China"
q text "Japan China"
q text-facets --facets "policy"
q count --count "China"
q explain --explain "Japan China" 
q date-range --format json "date:2017..2019 trade"
key=$("$eafquery" -d "$work/sample.db" --format tsv --fields key -n 1 Japan 2>/dev/null | sed -n 2p)
q related-key --format json "related:$key"
q cjk --format json "中国"
q zero -n 0 --facets --format json "trade"
"$eafrelated" -d "$work/sample.db" --list --format tsv > "$out/sample-related.tsv" 2>&1
"$eafrelated" -d "$work/sample.db" --list --format json --explain > "$out/sample-related-explain.jsonl" 2>&1
log "done: $(ls "$out" | wc -l) files in $out"
