#!/bin/sh
# bench/related.sh: related-article lists of libeafsearch and of its peers (Xapian's
# "more like this", raw FTS5's naive tf-idf baseline), measured side by side in the
# same run on the same data.
#
#   make bench-related        (or: EAF_SRCDIR=. EAF_BUILDDIR=. sh bench/related.sh)
#
# - Quality, on bbc (5 categories, each article's only tag) and 18f_blog (blog tags):
#   the share of each list's top 10 that shares a tag with the source
#   (../shared/peers/eval/eval_related.py: P@10, P@5) and our own check of the texts
#   (bench/related_check.py: entries that are the source itself, repeats,
#   byte-identical, reformatted or near-identical texts of the source, and lists
#   holding two such texts).  Two rows for us: the production setting (metadata
#   blended: for these corpora the tag is what is scored, so this row is the
#   product's, not a fair contest) and --text-only (no metadata at all, the fair
#   row: Xapian indexes the tags as words, FTS5 does not see them).  The time of
#   every list of the corpus, ours (eafrelated --all: computed and stored) and the
#   peers', medians of EAF_BENCH_REPS runs taken in turn.
# - Scale, on enwiki_sections (123,057 sections): our whole batch (eafrelated --all:
#   every list computed and stored), its wall time, CPU time and peak memory
#   (/usr/bin/time -v), against Xapian's time per list on the 1,000 sections of
#   peers/xapian/runs/enwiki_sections.related_ids.txt times the number of sections
#   (as peers/xapian/RESULTS.md does); the two run in turn EAF_BENCH_REPS times, and
#   the ratio of each pair of runs is reported with the medians.  Then the time to
#   read every stored list back (eafrelated --list), and the quality of both on the
#   1,000 sample lists (a hit is another section of the same article).
# - Lists on demand where no statistics are stored (an index made with --no-related
#   and never built: each list computed from the full-text index, its document
#   frequencies counted there and kept for the next keys of the process): on bbc and
#   18f_blog every article's list, scored as above, and its agreement with the
#   batch's stored list (overlap@10: the share of its 10 articles the stored list
#   also has; top1: the same first article); on enwiki_sections the time of one
#   key, of the sample's first 100 keys and of its 1,000 keys in one call each
#   (medians of EAF_BENCH_REPS runs, process start included; Xapian's 1,000 lists of
#   the same run beside them), and their quality and agreement on the sample.
#
# Needs ../shared (corpora and peers); without it the benchmark is skipped.  The
# peers' run scripts install what they need with apt-get (as root).  Environment:
#   EAF_SHARED       the shared folder (default: $EAF_SRCDIR/../shared)
#   EAF_BENCH_DIR    where indexes and lists go (default: /tmp/eaf-bench-related)
#   EAF_BENCH_PEERS  which peers to run (default: "xapian fts5"; "" for none)
#   EAF_BENCH_REPS   runs of each timing (default 3)
#   EAF_BENCH_ENWIKI 0 to leave out the 123k-section corpus (default 1)
#   EAF_BENCH_ONDEMAND 0 to leave out the lists on demand (default 1)
# Output: the tables on stdout, and $EAF_BENCH_DIR/related.tsv (one line per
# measurement).
set -u
src=${EAF_SRCDIR:-.}
build=${EAF_BUILDDIR:-.}
shared=${EAF_SHARED:-$src/../shared}
work=${EAF_BENCH_DIR:-/tmp/eaf-bench-related}
peers=${EAF_BENCH_PEERS-xapian fts5}
reps=${EAF_BENCH_REPS:-3}
enwiki=${EAF_BENCH_ENWIKI:-1}
ondemand=${EAF_BENCH_ONDEMAND:-1}
eafindex="$build/tools/eafindex"
eafrelated="$build/tools/eafrelated"
evaldir="$shared/peers/eval"
check="$src/bench/related_check.py"
xapian="$shared/peers/xapian/run"
xapian_eval="$shared/peers/xapian/eval_related.py"
fts5="$shared/peers/fts5/run"
ids="$shared/peers/xapian/runs/enwiki_sections.related_ids.txt"

if [ ! -d "$shared/corpora" ] || [ ! -d "$shared/peers" ]; then
    echo "bench-related: no $shared/corpora or $shared/peers: skipped" >&2
    exit 0
fi
if [ ! -x /usr/bin/time ]; then
    echo "bench-related: /usr/bin/time is missing (Debian package time)" >&2
    exit 1
fi
mkdir -p "$work"
results="$work/related.tsv"
: > "$results"

log() { echo "bench-related: $*" >&2; }
has_peer() { case " $peers " in *" $1 "*) return 0 ;; esac; return 1; }
# record SYSTEM CORPUS key=value...: one line of results
record() { s=$1; c=$2; shift 2; printf '%s\t%s\t%s\n' "$s" "$c" "$*" >> "$results"; }
# the measures of eval_related.py and related_check.py, as key=value
score() {  # score RELATED DOCS [TEXTS]: tags from DOCS, texts checked in TEXTS (or DOCS)
    python3 "$evaldir/eval_related.py" "$1" "$2" 2>/dev/null |
        sed -n 's/^P@5=\([0-9.]*\) P@10=\([0-9.]*\).*self_hit=\([0-9.]*\) dup=\([0-9.]*\).*/P@10=\2 P@5=\1 self_hit=\3 dup=\4/p'
    python3 "$check" "$1" "${3:-$2}"
}
# the median of the numbers on standard input, one a line
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# the numbers of a file joined by '/', for the record of every run
runs_of() { tr '\n' '/' < "$1" | sed 's,/$,,'; }
# values of /usr/bin/time -v's report: wall seconds, peak RSS in MB, CPU seconds
wall_of() { sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'; }
rss_of() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1" | awk '{ printf "%.0f\n", $1 / 1024 }'; }
cpu_of() { awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$1"; }

ours_index() {  # ours_index NAME CORPUS: the index, without lists (they are timed apart)
    if [ ! -f "$work/ours-$1.db" ] || [ "$2" -nt "$work/ours-$1.db" ]; then
        rm -f "$work/ours-$1.db" "$work/ours-$1.db-wal" "$work/ours-$1.db-shm"
        log "indexing $1 with eafindex"
        "$eafindex" -q --no-related -d "$work/ours-$1.db" "$2" >&2 || return 1
    fi
}
xapian_index() {  # xapian_index NAME CORPUS
    if [ ! -d "$work/xapian-$1" ] || [ "$2" -nt "$work/xapian-$1" ]; then
        log "indexing $1 with Xapian"
        "$xapian" index "$work/xapian-$1" "$2" > /dev/null 2>&1 || return 1
    fi
}
ondemand_index() {  # ondemand_index NAME CORPUS: an index whose lists are never built
    if [ ! -f "$work/ondemand-$1.db" ] || [ "$2" -nt "$work/ondemand-$1.db" ]; then
        rm -f "$work/ondemand-$1.db" "$work/ondemand-$1.db-wal" "$work/ondemand-$1.db-shm"
        log "indexing $1 with eafindex --no-related (lists on demand)"
        "$eafindex" -q --no-related -d "$work/ondemand-$1.db" "$2" >&2 || return 1
    fi
}
keys_of() {  # keys_of CORPUS: the articles' keys, one a line
    python3 -c 'import json, sys
for line in open(sys.argv[1]):
    print(json.loads(line)["id"])' "$1"
}
# overlap@10 and the share of the same first article of lists A against lists B
agreement() {
    python3 - "$1" "$2" <<'PY'
import sys
def load(p):
    d = {}
    for line in open(p):
        k, _, v = line.rstrip("\n").partition("\t")
        if k:
            d[k] = v.split()[:10]
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
keys = [k for k in a if k in b]
if keys:
    ov = sum(len(set(a[k]) & set(b[k])) / 10.0 for k in keys) / len(keys)
    t1 = sum(1 for k in keys if a[k][:1] == b[k][:1]) / float(len(keys))
    print("overlap@10=%.3f top1=%.3f compared=%d" % (ov, t1, len(keys)))
PY
}
fts5_index() {  # fts5_index NAME CORPUS
    if [ ! -f "$work/fts5-$1.db" ] || [ "$2" -nt "$work/fts5-$1.db" ]; then
        rm -f "$work/fts5-$1.db"
        log "indexing $1 with raw FTS5"
        "$fts5" index "$work/fts5-$1.db" "$2" > /dev/null 2>&1 || return 1
    fi
}

# --- quality and time: every tagged set -------------------------------------------------
# bbc and 18f_blog as they are, and their short-text variants (related_sets.py: made here
# from ../shared, under $work; indexed without their tags by every system, scored by them)
python3 "$src/bench/related_sets.py" "$shared" "$work/sets" ||
    { log "cannot make the short-text variants"; exit 1; }
for c in bbc 18f_blog bbc_para bbc_60w 18f_summary; do
    case $c in
    bbc|18f_blog) docs="$shared/corpora/$c/docs.jsonl"; evaldocs=$docs ;;
    *) docs="$work/sets/$c.jsonl"; evaldocs="$work/sets/$c.eval.jsonl" ;;
    esac
    ours_index "$c" "$docs" || { log "indexing $c failed"; exit 1; }
    systems="production text-only"
    for p in $peers; do
        if { [ "$p" = xapian ] && xapian_index "$c" "$docs"; } ||
           { [ "$p" = fts5 ] && fts5_index "$c" "$docs"; }; then
            systems="$systems $p"
        else
            log "$p cannot index $c"
            record "$p" "$c" failed=1
        fi
    done
    for s in $systems; do : > "$work/$s-$c.secs"; done
    for r in $(seq "$reps"); do
        for s in $systems; do
            log "$s on $c, run $r of $reps"
            out="$work/$s-$c.tsv"
            case $s in
            production|text-only)
                # the library's defaults: a build takes the index's (the options
                # of the build before it) for the options it leaves out
                opt=--library-defaults; [ "$s" = text-only ] && opt="$opt --text-only"
                # shellcheck disable=SC2086
                /usr/bin/time -v "$eafrelated" -d "$work/ours-$c.db" --all -q $opt \
                    --format tsv > "$out" 2> "$work/$s-$c.time" ||
                    { log "eafrelated failed on $c"; cat "$work/$s-$c.time" >&2; exit 1; }
                wall_of "$work/$s-$c.time" >> "$work/$s-$c.secs" ;;
            xapian)
                "$xapian" related "$work/xapian-$c" --n 10 > "$out" 2> "$work/$s-$c.log" ||
                    { log "xapian failed on $c"; : > "$out"; }
                sed -n 's/^seconds=//p' "$work/$s-$c.log" >> "$work/$s-$c.secs" ;;
            fts5)
                "$fts5" related "$work/fts5-$c.db" 10 > "$out" 2> "$work/$s-$c.log" ||
                    { log "fts5 failed on $c"; : > "$out"; }
                sed -n 's/.*terms_s=\([0-9.]*\) queries_s=\([0-9.]*\).*/\1 \2/p' \
                    "$work/$s-$c.log" | awk '{ print $1 + $2 }' >> "$work/$s-$c.secs" ;;
            esac
        done
    done
    n=$(wc -l < "$docs" | tr -d ' ')
    for s in $systems; do
        name=$s
        case $s in production|text-only) name="libeafsearch ($s)" ;; esac
        if [ -s "$work/$s-$c.tsv" ]; then
            # the tags score the lists; the texts indexed are checked for sameness
            # shellcheck disable=SC2046
            record "$name" "$c" $(score "$work/$s-$c.tsv" "$evaldocs" "$docs") articles="$n" \
                seconds="$(median < "$work/$s-$c.secs")" runs="$(runs_of "$work/$s-$c.secs")"
        else
            record "$name" "$c" failed=1
        fi
    done
done

# --- lists on demand, no statistics stored: bbc and 18f_blog ----------------------------
if [ "$ondemand" = 1 ]; then
for c in bbc 18f_blog; do
    docs="$shared/corpora/$c/docs.jsonl"
    ondemand_index "$c" "$docs" || { log "indexing $c for lists on demand failed"; exit 1; }
    keys_of "$docs" > "$work/$c.keys"
    for s in production text-only; do
        : > "$work/ondemand-$s-$c.secs"
        opt=; [ "$s" = text-only ] && opt=--text-only
        for r in $(seq "$reps"); do
            log "lists on demand ($s) on $c, run $r of $reps"
            # shellcheck disable=SC2046,SC2086
            /usr/bin/time -v "$eafrelated" -d "$work/ondemand-$c.db" $opt --format tsv \
                $(cat "$work/$c.keys") > "$work/ondemand-$s-$c.tsv" 2> "$work/ondemand-$s-$c.time" ||
                { log "eafrelated on demand failed on $c"; cat "$work/ondemand-$s-$c.time" >&2; exit 1; }
            wall_of "$work/ondemand-$s-$c.time" >> "$work/ondemand-$s-$c.secs"
        done
        # shellcheck disable=SC2046
        record "libeafsearch on demand ($s)" "$c" $(score "$work/ondemand-$s-$c.tsv" "$docs") \
            $(agreement "$work/ondemand-$s-$c.tsv" "$work/$s-$c.tsv") \
            seconds="$(median < "$work/ondemand-$s-$c.secs")" runs="$(runs_of "$work/ondemand-$s-$c.secs")"
    done
done
fi

# --- scale: enwiki_sections ---------------------------------------------------------------
if [ "$enwiki" = 1 ]; then
    docs="$work/enwiki_sections.jsonl"
    [ -s "$docs" ] || gzip -dc "$shared/corpora/enwiki_sections/docs.jsonl.gz" > "$docs"
    n=$(wc -l < "$docs" | tr -d ' ')
    ours_index enwiki "$docs" || { log "indexing enwiki_sections failed"; exit 1; }
    xap=0
    if has_peer xapian; then
        if xapian_index enwiki "$docs"; then xap=1; else log "Xapian cannot index enwiki_sections"; fi
    fi
    for f in walls rss cpu model xper ratio cpuratio; do : > "$work/enwiki.$f"; done
    for r in $(seq "$reps"); do
        log "ours on enwiki_sections (every list), run $r of $reps"
        t="$work/ours-enwiki.$r.time"
        /usr/bin/time -v "$eafrelated" -d "$work/ours-enwiki.db" --all --library-defaults \
            > /dev/null 2> "$t" ||
            { log "eafrelated failed on enwiki_sections"; cat "$t" >&2; exit 1; }
        tr '\r' '\n' < "$t" | grep '^eafrelated:' >&2
        wall_of "$t" >> "$work/enwiki.walls"
        rss_of "$t" >> "$work/enwiki.rss"
        cpu_of "$t" >> "$work/enwiki.cpu"
        tr '\r' '\n' < "$t" | sed -n 's/^eafrelated:.*model \([0-9.]*\) MB.*/\1/p' >> "$work/enwiki.model"
        if [ "$xap" = 1 ]; then
            log "xapian on the 1,000-section sample, run $r of $reps"
            "$xapian" related "$work/xapian-enwiki" --n 10 --docs "$ids" \
                > "$work/xapian-enwiki.tsv" 2> "$work/xapian-enwiki.$r.log"
            per=$(awk -F= '/^seconds=/ { s = $2 } /^docs=/ { d = $2 } END { if (d) print s / d }' \
                "$work/xapian-enwiki.$r.log")
            echo "$per" >> "$work/enwiki.xper"
            # this pair of runs: Xapian's estimate for every section over ours
            awk -v p="$per" -v n="$n" -v w="$(tail -n 1 "$work/enwiki.walls")" \
                'BEGIN { printf "%.2f\n", p * n / w }' >> "$work/enwiki.ratio"
            awk -v p="$per" -v n="$n" -v w="$(tail -n 1 "$work/enwiki.cpu")" \
                'BEGIN { printf "%.2f\n", p * n / w }' >> "$work/enwiki.cpuratio"
        fi
    done
    # reading the stored lists back: every one, then the sample's
    log "reading every stored list of enwiki_sections"
    /usr/bin/time -v "$eafrelated" -d "$work/ours-enwiki.db" --list --format tsv \
        > "$work/ours-enwiki-all.tsv" 2> "$work/ours-enwiki-list.time"
    listed=$(wc -l < "$work/ours-enwiki-all.tsv" | tr -d ' ')
    # shellcheck disable=SC2046
    /usr/bin/time -v "$eafrelated" -d "$work/ours-enwiki.db" --format tsv $(cat "$ids") \
        > "$work/ours-enwiki.tsv" 2> "$work/ours-enwiki-keys.time"
    q=$(python3 "$xapian_eval" "$docs" "$work/ours-enwiki.tsv" | sed -n 's/^P@10=/P@10=/p')
    # the same lists from the text alone (computed on demand): here a section's tag is
    # its article's title, what the sample is scored by
    # shellcheck disable=SC2046
    "$eafrelated" -d "$work/ours-enwiki.db" --text-only --format tsv $(cat "$ids") \
        > "$work/ours-enwiki-text.tsv"
    qt=$(python3 "$xapian_eval" "$docs" "$work/ours-enwiki-text.tsv" | sed -n 's/^P@10=//p')
    # shellcheck disable=SC2046
    record "libeafsearch (production)" enwiki_sections lists="$n" \
        seconds="$(median < "$work/enwiki.walls")" runs="$(runs_of "$work/enwiki.walls")" \
        cpu_seconds="$(median < "$work/enwiki.cpu")" \
        peak_rss_mb="$(median < "$work/enwiki.rss")" \
        model_mb="$(median < "$work/enwiki.model")" \
        read_all_seconds="$(wall_of "$work/ours-enwiki-list.time")" read_lists="$listed" \
        read_keys_seconds="$(wall_of "$work/ours-enwiki-keys.time")" \
        read_keys="$(wc -l < "$work/ours-enwiki.tsv" | tr -d ' ')" \
        sample_$q sample_text_P@10="$qt" $(python3 "$check" "$work/ours-enwiki.tsv" "$docs")
    if [ "$ondemand" = 1 ]; then
    # lists on demand: an index never built, one key, 100 keys and the sample's 1,000
    ondemand_index enwiki "$docs" || { log "indexing enwiki_sections for lists on demand failed"; exit 1; }
    head -n 100 "$ids" > "$work/enwiki.ids100"
    head -n 1 "$ids" > "$work/enwiki.ids1"
    for k in 1 100 1000; do
        : > "$work/ondemand-enwiki-$k.secs"
        f="$ids"; [ "$k" = 1000 ] || f="$work/enwiki.ids$k"
        for r in $(seq "$reps"); do
            log "lists on demand on enwiki_sections, $k key(s), run $r of $reps"
            # shellcheck disable=SC2046
            /usr/bin/time -v "$eafrelated" -d "$work/ondemand-enwiki.db" --format tsv $(cat "$f") \
                > "$work/ondemand-enwiki-$k.tsv" 2> "$work/ondemand-enwiki-$k.time" ||
                { log "eafrelated on demand failed on enwiki_sections"; exit 1; }
            wall_of "$work/ondemand-enwiki-$k.time" >> "$work/ondemand-enwiki-$k.secs"
        done
    done
    qo=$(python3 "$xapian_eval" "$docs" "$work/ondemand-enwiki-1000.tsv" | sed -n 's/^P@10=//p')
    # shellcheck disable=SC2046
    record "libeafsearch on demand" enwiki_sections \
        one_key_seconds="$(median < "$work/ondemand-enwiki-1.secs")" \
        one_key_runs="$(runs_of "$work/ondemand-enwiki-1.secs")" \
        keys100_seconds="$(median < "$work/ondemand-enwiki-100.secs")" \
        keys1000_seconds="$(median < "$work/ondemand-enwiki-1000.secs")" \
        keys1000_runs="$(runs_of "$work/ondemand-enwiki-1000.secs")" \
        peak_rss_mb="$(rss_of "$work/ondemand-enwiki-1000.time")" \
        sample_P@10="$qo" $(agreement "$work/ondemand-enwiki-1000.tsv" "$work/ours-enwiki.tsv") \
        $(python3 "$check" "$work/ondemand-enwiki-1000.tsv" "$docs")
    fi
    if [ "$xap" = 1 ]; then
        per=$(median < "$work/enwiki.xper")
        q=$(python3 "$xapian_eval" "$docs" "$work/xapian-enwiki.tsv" | sed -n 's/^P@10=/P@10=/p')
        # shellcheck disable=SC2046
        record xapian enwiki_sections lists=1000 seconds_per_list="$per" \
            runs="$(awk '{ printf "%s%.2f", (NR > 1 ? "/" : ""), $1 * 1000 }' "$work/enwiki.xper")ms" \
            estimated_seconds="$(awk -v p="$per" -v n="$n" 'BEGIN { printf "%.0f", p * n }')" \
            ratio="$(median < "$work/enwiki.ratio")" ratio_runs="$(runs_of "$work/enwiki.ratio")" \
            cpu_ratio="$(median < "$work/enwiki.cpuratio")" \
            sample_$q $(python3 "$check" "$work/xapian-enwiki.tsv" "$docs")
    fi
fi

# --- the tables ---------------------------------------------------------------------------
python3 - "$results" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
data = {}
for system, corpus, measures in rows:
    m = dict(kv.split("=", 1) for kv in measures.split() if "=" in kv)
    data.setdefault(corpus, []).append((system, m))

def f(v, fmt="%.3f"):
    try:
        return fmt % float(v)
    except (TypeError, ValueError):
        return "-"

sets = ["bbc", "18f_blog", "bbc_para", "bbc_60w", "18f_summary"]
same = ["same_body", "same_body_pairs", "same_text", "same_text_pairs", "near_source",
        "near_pairs"]


def count(m, keys):
    try:
        return sum(int(m[k]) for k in keys)
    except (KeyError, ValueError):
        return None


def xapian_of(corpus):
    for s, m in data.get(corpus, []):
        if s == "xapian" and ("P@10" in m or "sample_P@10" in m):
            return m
    return None


# one table: every set, ours and the peers (text-only is the fair row: the
# production row blends the tags, which the variants do not have)
print("\nrelated lists, every set: top 10 (P@10 by shared tag; vs Xapian: P@10 over"
      " Xapian's; self: the source listed; same texts: listed twins of the source or"
      " of each other; time: medians, per article, and Xapian's over ours)")
print("| set | system | P@10 | P@5 | vs Xapian | self | same texts | ms/article"
      " | Xapian's time / ours |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
verdicts = []
for corpus in sets + ["enwiki_sections"]:
    xap = xapian_of(corpus)
    for system, m in data.get(corpus, []):
        if "on demand" in system:
            continue
        if "failed" in m:
            print("| %s | %s | failed |" % (corpus, system))
            continue
        if corpus == "enwiki_sections":
            if system == "xapian":
                p10, per = m.get("sample_P@10"), float(m.get("seconds_per_list", "nan")) * 1000
            else:
                p10, per = m.get("sample_P@10"), (float(m.get("seconds", "nan")) * 1000 /
                                                   max(1, int(m.get("read_lists", "1") or 1)))
            rows = [(system, p10, per)]
            if system.startswith("libeafsearch"):
                rows.append(("libeafsearch (text-only)", m.get("sample_text_P@10"), None))
            xp = xap.get("sample_P@10") if xap else None
        else:
            per = float(m.get("seconds", "nan")) * 1000 / max(1, int(m.get("articles", "1")))
            rows = [(system, m.get("P@10"), per)]
            xp = xap.get("P@10") if xap else None
        for name, p10, per_ms in rows:
            try:
                vs = "%+.1f%%" % (100.0 * (float(p10) / float(xp) - 1.0))
            except (TypeError, ValueError, ZeroDivisionError):
                vs = "-"
            xper = None
            if xap and per_ms:
                if corpus == "enwiki_sections":
                    xper = float(xap.get("seconds_per_list", "nan")) * 1000
                else:
                    xper = float(xap.get("seconds", "nan")) * 1000 / max(1, int(xap.get("articles", "1")))
            ratio = f(xper / per_ms, "%.1f") if xper and per_ms and name != "xapian" else "-"
            if corpus == "enwiki_sections" and name.startswith("libeafsearch") and per_ms:
                ratio = f(xap.get("ratio"), "%.1f") if xap else "-"
            sc = count(m, same) if (corpus != "enwiki_sections" or per_ms) else None
            print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |"
                  % (corpus, name, f(p10), f(m.get("P@5")) if corpus != "enwiki_sections" else "-",
                     vs, m.get("self", "-") if sc is not None else "-",
                     sc if sc is not None else "-", f(per_ms, "%.2f") if per_ms else "-", ratio))
            if name == "libeafsearch (text-only)" and xp:
                verdicts.append((corpus, float(p10), float(xp)))
if verdicts:
    print("\ntext alone against Xapian (target: at least +3%% on every set): %s; mean %+.1f%%"
          % (", ".join("%s %+.1f%%" % (c, 100 * (p / x - 1)) for c, p, x in verdicts),
             100 * sum(p / x - 1 for c, p, x in verdicts) / len(verdicts)))
    bad = [c for c, p, x in verdicts if p < 1.03 * x]
    print("target %s" % ("met on every set" if not bad else "NOT met on " + ", ".join(bad)))

demand_rows = [(c, s, m) for c in sets for s, m in data.get(c, []) if "on demand" in s]
if demand_rows:
    print("\nlists on demand (no statistics stored), against the batch's stored lists")
    print("| set | system | P@10 | self | same texts | overlap@10 with stored | same first"
          " | seconds |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for c, s, m in demand_rows:
        print("| %s | %s | %s | %s | %s | %s | %s | %s |"
              % (c, s, f(m.get("P@10")), m.get("self", "-"), count(m, same),
                 f(m.get("overlap@10")), f(m.get("top1")), f(m.get("seconds"), "%.2f")))
if "enwiki_sections" in data:
    ours = xap = demand = None
    for system, m in data["enwiki_sections"]:
        if system == "libeafsearch on demand":
            demand = m
        elif system.startswith("libeafsearch"):
            ours = m
        elif system == "xapian":
            xap = m
    print("\nenwiki_sections (123,057 sections; medians of the runs)")
    if ours:
        print("| libeafsearch: every list, built and stored | %s s (runs %s), CPU %s s, peak RSS %s MB"
              " (model %s MB) | sample P@10 %s (text alone %s) | self %s, same_body %s,"
              " same_text %s, near %s, lists with a near pair %s |"
              % (f(ours.get("seconds"), "%.1f"), ours.get("runs"), f(ours.get("cpu_seconds"), "%.1f"),
                 ours.get("peak_rss_mb"), ours.get("model_mb"), f(ours.get("sample_P@10")),
                 f(ours.get("sample_text_P@10")), ours.get("self"), ours.get("same_body"),
                 ours.get("same_text"), ours.get("near_source"), ours.get("near_pairs")))
        for what, secs, n in (("every stored list read back (eafrelated --list)",
                               "read_all_seconds", "read_lists"),
                              ("the sample's 1,000 stored lists, one key at a time",
                               "read_keys_seconds", "read_keys")):
            print("| libeafsearch: %s | %s s for %s lists: %s ms a list, the process's start"
                  " included |"
                  % (what, f(ours.get(secs), "%.2f"), ours.get(n),
                     f(float(ours.get(secs, "nan")) * 1000 / max(1, int(ours.get(n, "1"))),
                       "%.3f")))
    if xap:
        print("| Xapian: %s ms a list (runs %s) x %s lists | %s s estimated | sample P@10 %s |"
              " self %s, same_body %s, same_text %s, near %s, lists with a near pair %s |"
              % (f(float(xap["seconds_per_list"]) * 1000, "%.2f"), xap.get("runs"),
                 ours.get("lists") if ours else "?", xap.get("estimated_seconds"),
                 f(xap.get("sample_P@10")), xap.get("self"), xap.get("same_body"),
                 xap.get("same_text"), xap.get("near_source"), xap.get("near_pairs")))
    if ours and xap:
        print("\nXapian's estimated time over ours, per pair of runs: %s; median %s"
              " (target: at least 5); on CPU time %s"
              % (xap.get("ratio_runs"), xap.get("ratio"), xap.get("cpu_ratio")))
    if demand:
        print("\nenwiki_sections, lists on demand in an index never built (eafrelated KEY...,"
              " one process; medians, process start included)")
        print("| keys | seconds | per list |")
        print("|---:|---:|---:|")
        for k, key in (("1", "one_key_seconds"), ("100", "keys100_seconds"),
                       ("1000", "keys1000_seconds")):
            print("| %s | %s | %s ms |" % (k, f(demand.get(key), "%.2f"),
                  f(float(demand.get(key, "nan")) * 1000 / int(k), "%.1f")))
        print("1 key runs %s; 1,000 keys runs %s, peak RSS %s MB" % (
            demand.get("one_key_runs"), demand.get("keys1000_runs"), demand.get("peak_rss_mb")))
        if xap:
            print("Xapian, the same 1,000 lists in this run: %s s (median)"
                  % f(float(xap["seconds_per_list"]) * 1000, "%.2f"))
        print("sample P@10 %s (stored lists: %s); overlap@10 with the stored lists %s, same first"
              " article %s; self %s, same_body %s, near %s"
              % (f(demand.get("sample_P@10")), f(ours.get("sample_P@10")) if ours else "-",
                 f(demand.get("overlap@10")), f(demand.get("top1")), demand.get("self"),
                 demand.get("same_body"), demand.get("near_source")))
PY
