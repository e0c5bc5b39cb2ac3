#!/bin/sh
# bench/perf.sh: indexing speed, index size, memory and search latency of
# libeafsearch, with the raw-FTS5 and Xapian peers measured in the same run.
#
#   make bench-perf        (or: EAF_SRCDIR=. EAF_BUILDDIR=. sh bench/perf.sh)
#
# 1. Indexing ../shared/corpora/{bbc,18f_blog} and enwiki_sections (123k):
#    seconds, MB/s and articles/s, index size / input, peak RSS (/usr/bin/time; and
#    our CPU seconds, as eafindex reads on a second thread),
#    ours (eafindex) and the peers (../shared/peers/{fts5,xapian}/run index), run in
#    turn RUNS times; the medians, and our throughput as a ratio of each peer's.
#    eafindex runs with --no-related: the peers compute no related lists, and
#    make bench-related times ours.  Ours also into a set of 2 shards
#    (eafindex --shards 2: two writer threads), its speed a ratio of FTS5's.
# 2. The tokenizer alone (bench/tokbench) on the same text: its time as a share of
#    indexing time (the ceiling for indexing speed).
# 3. Latency on enwiki_sections, the 1,000 queries of title_queries.tsv, in-process:
#    ours (bench/latency: top 10, top 10 with snippets, top 1000; the first two
#    also timed with the thread's CPU clock, "-cpu") and the peers'
#    (Xapian top 10 and top 1000, OR; FTS5 top 1000 OR and top 10 AND); the
#    2-shard set's top 10 with and without snippets, and whether its top 10
#    (eafquery's JSON of every query) are byte-identical to the one file's.
# 4. Scale: a generated corpus (bench/gencorpus.py) of 10k, 100k and 1M articles,
#    ours and Xapian (../shared/peers/xapian/run: its own indexer and searcher) on
#    the same corpus and the same 1,000 title queries: index time, size, peak
#    memory; ours also the related lists of that index built (time and peak memory:
#    eafindex on the unchanged corpus, which builds them), and a second run on the
#    unchanged corpus; then top-10 latency, ours with and without snippets, Xapian's
#    (OR, BM25, reading the id of each hit), each a separate process making one pass
#    over the 1,000 queries, RUNS times, the systems in turn; ours in 2 shards too
#    (index and latency rows "ours-2shards").  One table, with our
#    figures as ratios of Xapian's.
#
# Percentiles are taken over the queries of one run; every figure is the median of
# RUNS runs.  Needs ../shared (corpora and peers), or is skipped.  Environment:
#   EAF_SHARED        the shared folder (default: $EAF_SRCDIR/../shared)
#   EAF_BENCH_DIR     indexes, corpora and logs (default: /tmp/eaf-bench-perf)
#   EAF_BENCH_RUNS    runs of each measurement (default 3)
#   EAF_BENCH_PEERS   peers to run (default "fts5 xapian")
#   EAF_BENCH_PARTS   which parts to run (default "index latency scale"; parts 1-2
#                     are "index", 3 is "latency", 4 is "scale")
#   EAF_BENCH_SCALES  article counts of the scale run (default "10000 100000 1000000";
#                     "" to skip it; EAF_BENCH_SCALE, its old name, is read too)
#   EAF_BENCH_SCALE_RUNS  indexing runs at each scale (default: RUNS below 1M
#                     articles, 1 from 1M: a run of 1M takes most of an hour)
#   EAF_BENCH_SCALE_PARALLEL  1: at each scale, Xapian indexes at the same time as
#                     ours indexes and builds its related lists, one core each (both
#                     then timed under the same contention; Xapian's 1M alone takes
#                     an hour or more here); default 0, one after the other
#   EAF_BENCH_SCALE_INDEX  0: index nothing at scale, only time the searches on
#                     the indexes an earlier run left in EAF_BENCH_DIR
# Output: tables on stdout, and $EAF_BENCH_DIR/perf.json.
set -u
src=${EAF_SRCDIR:-.}
build=${EAF_BUILDDIR:-.}
shared=${EAF_SHARED:-$src/../shared}
work=${EAF_BENCH_DIR:-/tmp/eaf-bench-perf}
runs=${EAF_BENCH_RUNS:-3}
peers=${EAF_BENCH_PEERS-fts5 xapian}
scale=${EAF_BENCH_SCALES-${EAF_BENCH_SCALE-10000 100000 1000000}}
scale_runs=${EAF_BENCH_SCALE_RUNS:-}
parallel=${EAF_BENCH_SCALE_PARALLEL:-0}
scale_index=${EAF_BENCH_SCALE_INDEX:-1}
parts=${EAF_BENCH_PARTS:-index latency scale}
has_part() { case " $parts " in *" $1 "*) return 0 ;; esac; return 1; }
eafindex="$build/tools/eafindex"
tokbench="$build/bench/tokbench"
latency="$build/bench/latency"

if [ ! -d "$shared/corpora" ] || [ ! -d "$shared/peers" ]; then
    echo "bench-perf: no $shared/corpora or $shared/peers: skipped" >&2
    exit 0
fi
for tool in "$eafindex" "$tokbench" "$latency"; do
    [ -x "$tool" ] || { echo "bench-perf: $tool is not built (make bench builds it)" >&2; exit 1; }
done
command -v /usr/bin/time >/dev/null 2>&1 || apt-get install -y time >/dev/null 2>&1 ||
    { echo "bench-perf: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
mkdir -p "$work"
results="$work/results.tsv"
: > "$results"

log() { echo "bench-perf: $*" >&2; }
# record SECTION SYSTEM SUBJECT KEY=VALUE...: one measurement of one run
record() { s=$1; y=$2; c=$3; shift 3; printf '%s\t%s\t%s\t%s\n' "$s" "$y" "$c" "$*" >> "$results"; }
bytes() { stat -c %s "$1"; }
# the value of key=value in a file of such lines or words (the last one)
kv() { tr ' \t' '\n\n' < "$2" | sed -n "s/^$1=//p" | tail -1; }

# --- corpora ----------------------------------------------------------------------
corpus_file() {
    case $1 in
    enwiki_sections)
        f="$work/enwiki_sections.jsonl"
        [ -s "$f" ] || gzip -dc "$shared/corpora/enwiki_sections/docs.jsonl.gz" > "$f"
        echo "$f" ;;
    gen-*)
        echo "$work/$1.jsonl" ;;
    *)
        echo "$shared/corpora/$1/docs.jsonl" ;;
    esac
}

# --- 1 and 2: indexing ------------------------------------------------------------
index_ours() {  # index_ours CORPUS FILE RUN
    db="$work/ours-$1.db"
    rm -f "$db" "$db-wal" "$db-shm"
    /usr/bin/time -f "elapsed=%e rss_kb=%M user=%U sys=%S" -o "$work/time.out" \
        "$eafindex" -q --no-related -d "$db" "$2" > "$work/index.out" 2>&1 || { log "eafindex failed on $1"; cat "$work/index.out" >&2; return 1; }
    # CPU time too: eafindex reads (and tokenizes) on a second thread
    cpu=$(awk -v u="$(kv user "$work/time.out")" -v s="$(kv sys "$work/time.out")" 'BEGIN { printf "%.2f", u + s }')
    record index ours "$1" "run=$3 seconds=$(kv elapsed "$work/time.out") cpu_seconds=$cpu" \
        "rss_kb=$(kv rss_kb "$work/time.out") index_bytes=$(bytes "$db")" \
        "input_bytes=$(bytes "$2") docs=$(sed -n 's/^\([0-9]*\) added.*/\1/p' "$work/index.out")"
}

index_shards() {  # index_shards CORPUS FILE RUN: ours into a set of 2 shards
    dir="$work/ours2-$1"
    rm -rf "$dir"
    /usr/bin/time -f "elapsed=%e rss_kb=%M user=%U sys=%S" -o "$work/time.out" \
        "$eafindex" -q --no-related --shards 2 -d "$dir" "$2" > "$work/index.out" 2>&1 ||
        { log "eafindex --shards 2 failed on $1"; cat "$work/index.out" >&2; return 1; }
    cpu=$(awk -v u="$(kv user "$work/time.out")" -v s="$(kv sys "$work/time.out")" 'BEGIN { printf "%.2f", u + s }')
    record index ours-2shards "$1" "run=$3 seconds=$(kv elapsed "$work/time.out") cpu_seconds=$cpu" \
        "rss_kb=$(kv rss_kb "$work/time.out") index_bytes=$(cat "$dir"/shard-*.db | wc -c)" \
        "input_bytes=$(bytes "$2") docs=$(sed -n 's/^\([0-9]*\) added.*/\1/p' "$work/index.out")"
}

index_peer() {  # index_peer PEER CORPUS FILE RUN
    case $1 in
    fts5)
        rm -f "$work/fts5-$2.db"
        /usr/bin/time -f "elapsed=%e rss_kb=%M" -o "$work/time.out" \
            "$shared/peers/fts5/run" index "$work/fts5-$2.db" "$3" > /dev/null 2> "$work/peer.out" ||
            { log "fts5 failed to index $2"; return 1; }
        # its own seconds (loading and indexing, without starting the shell)
        record index fts5 "$2" "run=$4 seconds=$(kv seconds "$work/peer.out")" \
            "rss_kb=$(kv rss_kb "$work/time.out") index_bytes=$(bytes "$work/fts5-$2.db")" \
            "input_bytes=$(bytes "$3") docs=$(kv docs "$work/peer.out")" ;;
    xapian)
        # (its own log: it may run beside ours, EAF_BENCH_SCALE_PARALLEL)
        xo="$work/xapian-index-$2.out"
        /usr/bin/time -f "elapsed=%e user=%U sys=%S" -o "$xo.time" \
            "$shared/peers/xapian/run" index "$work/xapian-$2" "$3" > /dev/null 2> "$xo" ||
            { log "xapian failed to index $2"; return 1; }
        cpu=$(awk -v u="$(kv user "$xo.time")" -v s="$(kv sys "$xo.time")" 'BEGIN { printf "%.2f", u + s }')
        record index xapian "$2" "run=$4 seconds=$(kv seconds "$xo") cpu_seconds=$cpu" \
            "rss_kb=$(kv peak_rss_kb "$xo")" \
            "index_bytes=$(awk -v m="$(kv index_MB "$xo")" 'BEGIN { printf "%.0f", m * 1e6 }')" \
            "input_bytes=$(bytes "$3") docs=$(kv docs "$xo")" ;;
    esac
}

if has_part index; then
for c in bbc 18f_blog enwiki_sections; do
    f=$(corpus_file "$c")
    r=1
    while [ "$r" -le "$runs" ]; do
        log "indexing $c, run $r of $runs"
        index_ours "$c" "$f" "$r" || exit 1
        index_shards "$c" "$f" "$r" || exit 1
        for p in $peers; do
            index_peer "$p" "$c" "$f" "$r"
        done
        "$tokbench" -r 1 "$f" > "$work/tok.out" 2>/dev/null &&
            record tokenizer ours "$c" "run=$r seconds=$(sed -n 's/.*"median_s": \([0-9.]*\).*/\1/p' "$work/tok.out")" \
                "text_bytes=$(sed -n 's/.*"bytes": \([0-9]*\).*/\1/p' "$work/tok.out")"
        r=$((r + 1))
    done
done
fi

# --- 3: latency -------------------------------------------------------------------
q="$shared/corpora/enwiki_sections/title_queries.tsv"
lat_ours() {  # lat_ours CORPUS DB QUERIES LABEL [latency options]
    c=$1; db=$2; qf=$3; label=$4; shift 4
    "$latency" -r "$runs" "$@" "$db" "$qf" > "$work/lat.out" 2>/dev/null ||
        { log "latency failed on $c ($label)"; return 1; }
    record latency ours "$c" "config=$label" \
        "$(sed 's/[{}",]//g; s/: /=/g' "$work/lat.out")"
}
if has_part latency; then
log "latency on enwiki_sections"
db="$work/ours-enwiki_sections.db"
lat_ours enwiki_sections "$db" "$q" top10 -k 10
lat_ours enwiki_sections "$db" "$q" top10-snippets -k 10 -s
lat_ours enwiki_sections "$db" "$q" top1000 -k 1000
# the same timed with the thread's CPU clock: on a shared machine the
# wall-clock tail is the scheduler's (bench/latency.c says why)
lat_ours enwiki_sections "$db" "$q" top10-cpu -k 10 -c
lat_ours enwiki_sections "$db" "$q" top10-snippets-cpu -k 10 -s -c
# the same articles in a set of 2 shards (index_shards): its latency, and
# whether its top 10 are those of the one file, byte for byte (eafquery's
# JSON: keys, scores, snippets, totals)
set2="$work/ours2-enwiki_sections"
if [ -d "$set2" ]; then
    lat_ours enwiki_sections "$set2" "$q" 2shards-top10 -k 10
    lat_ours enwiki_sections "$set2" "$q" 2shards-top10-snippets -k 10 -s
    cut -f1,2 "$q" > "$work/queries2.tsv"
    "$build/tools/eafquery" -d "$db" --batch -n 10 --format=json < "$work/queries2.tsv" > "$work/top10-one.json"
    "$build/tools/eafquery" -d "$set2" --batch -n 10 --format=json < "$work/queries2.tsv" > "$work/top10-set.json"
    differ=$(paste -d '\n' "$work/top10-one.json" "$work/top10-set.json" | paste - - |
        awk -F'\t' '$1 != $2' | wc -l)
    record shards ours enwiki_sections "queries=$(wc -l < "$work/queries2.tsv")" \
        "differing=$differ identical=$(cmp -s "$work/top10-one.json" "$work/top10-set.json" && echo 1 || echo 0)"
fi
for p in $peers; do
    r=1
    while [ "$r" -le "$runs" ]; do
        case $p in
        xapian)
            for k in 10 1000; do
                "$shared/peers/xapian/run" search "$work/xapian-enwiki_sections" --op or --k $k \
                    < "$q" > /dev/null 2> "$work/peer.out"
                record latency-run xapian enwiki_sections "config=top$k run=$r" \
                    "p50_us=$(kv latency_us_p50 "$work/peer.out") p95_us=$(kv latency_us_p95 "$work/peer.out")" \
                    "p99_us=$(kv latency_us_p99 "$work/peer.out")"
            done ;;
        fts5)
            for cfg in "or 1000" "and 10"; do
                set -- $cfg
                "$shared/peers/fts5/run" search "$work/fts5-enwiki_sections.db" --op "$1" --k "$2" \
                    < "$q" > /dev/null 2> "$work/peer.out"
                ms() { v=$(kv "$1" "$work/peer.out"); awk -v v="$v" 'BEGIN { printf "%.0f", v * 1000 }'; }
                record latency-run fts5 enwiki_sections "config=top$2-$1 run=$r" \
                    "p50_us=$(ms p50_ms) p95_us=$(ms p95_ms) p99_us=$(ms p99_ms)"
            done ;;
        esac
        r=$((r + 1))
    done
done
fi

# --- 4: scale ---------------------------------------------------------------------
if [ -n "$scale" ] && has_part scale; then
    max=0
    for n in $scale; do [ "$n" -gt "$max" ] && max=$n; done
    big="$work/gen-$max.jsonl"
    if [ ! -s "$big" ]; then
        log "generating $max articles"
        python3 "$src/bench/gencorpus.py" "$shared/corpora/enwiki_sections/docs.jsonl.gz" \
            "$max" 1 > "$big.tmp" && mv "$big.tmp" "$big" || { log "gencorpus failed"; exit 1; }
    fi
    for n in $scale; do
        f="$work/gen-$n.jsonl"
        [ -s "$f" ] || head -n "$n" "$big" > "$f"
        [ -s "$work/gen-$n.queries" ] ||
            python3 "$src/bench/gencorpus.py" --queries "$f" 1000 1 > "$work/gen-$n.queries"
        sruns=${scale_runs:-$([ "$n" -ge 1000000 ] && echo 1 || echo "$runs")}
        [ "$scale_index" = 0 ] && sruns=0
        r=1
        while [ "$r" -le "$sruns" ]; do
            log "scale: indexing $n articles, run $r of $sruns"
            xpid=""
            if [ "$parallel" = 1 ]; then
                case " $peers " in *" xapian "*)
                    log "scale: Xapian indexing $n articles beside ours, run $r of $sruns"
                    index_peer xapian "gen-$n" "$f" "$r" &
                    xpid=$! ;;
                esac
            fi
            index_ours "gen-$n" "$f" "$r" || exit 1
            log "scale: indexing $n articles into 2 shards, run $r of $sruns"
            index_shards "gen-$n" "$f" "$r" || exit 1
            # the related lists of that index (index_ours left them out): eafindex
            # on the unchanged corpus indexes nothing and builds every list
            /usr/bin/time -f "elapsed=%e rss_kb=%M" -o "$work/time.out" \
                "$eafindex" -q -d "$work/ours-gen-$n.db" "$f" > /dev/null 2>&1 ||
                log "the related lists of gen-$n failed"
            record related ours "gen-$n" "run=$r seconds=$(kv elapsed "$work/time.out")" \
                "rss_kb=$(kv rss_kb "$work/time.out")"
            # the same corpus again: nothing to do
            /usr/bin/time -f "elapsed=%e rss_kb=%M" -o "$work/time.out" \
                "$eafindex" -q --no-related -d "$work/ours-gen-$n.db" "$f" > /dev/null 2>&1
            record rerun ours "gen-$n" "run=$r seconds=$(kv elapsed "$work/time.out")"
            if [ -n "$xpid" ]; then
                wait "$xpid"
            else
                case " $peers " in *" xapian "*)
                    log "scale: Xapian indexing $n articles, run $r of $sruns"
                    index_peer xapian "gen-$n" "$f" "$r" ;;
                esac
            fi
            r=$((r + 1))
        done
        # top 10, each system in its own process making one pass over the
        # queries (so neither gains from a second pass's warm caches), in turn
        qf="$work/gen-$n.queries"
        r=1
        while [ "$r" -le "$runs" ]; do
            log "scale: latency at $n articles, run $r of $runs"
            for cfg in top10 top10-snippets; do
                opt=""
                [ "$cfg" = top10-snippets ] && opt=-s
                # shellcheck disable=SC2086
                "$latency" -r 1 -k 10 $opt -o "$work/times-gen-$n-$cfg.tsv" \
                    "$work/ours-gen-$n.db" "$qf" > "$work/lat.out" 2>/dev/null ||
                    { log "latency failed on gen-$n ($cfg)"; continue; }
                record latency-run ours "gen-$n" "config=$cfg run=$r" \
                    "$(sed 's/[{}",]//g; s/: /=/g' "$work/lat.out")"
                [ -d "$work/ours2-gen-$n" ] || continue
                # shellcheck disable=SC2086
                "$latency" -r 1 -k 10 $opt "$work/ours2-gen-$n" "$qf" > "$work/lat.out" 2>/dev/null ||
                    { log "latency failed on the 2 shards of gen-$n ($cfg)"; continue; }
                record latency-run ours-2shards "gen-$n" "config=$cfg run=$r" \
                    "$(sed 's/[{}",]//g; s/: /=/g' "$work/lat.out")"
            done
            case " $peers " in *" xapian "*)
                "$shared/peers/xapian/run" search "$work/xapian-gen-$n" --op or --k 10 \
                    < "$qf" > /dev/null 2> "$work/peer.out" &&
                record latency-run xapian "gen-$n" "config=top10 run=$r" \
                    "p50_us=$(kv latency_ids_us_p50 "$work/peer.out")" \
                    "p95_us=$(kv latency_ids_us_p95 "$work/peer.out")" \
                    "p99_us=$(kv latency_ids_us_p99 "$work/peer.out")" \
                    "match_p99_us=$(kv latency_us_p99 "$work/peer.out")" ;;
            esac
            r=$((r + 1))
        done
        lat_ours "gen-$n" "$work/ours-gen-$n.db" "$qf" top10-snippets-cpu -k 10 -s -c
        # without the countries' other forms, whose phrases ("united states")
        # FTS5 matches by positions: what they cost
        lat_ours "gen-$n" "$work/ours-gen-$n.db" "$qf" top10-snippets-cpu-noaliases -k 10 -s -c -a
    done
fi

# --- the tables -------------------------------------------------------------------
python3 - "$results" "$work/perf.json" <<'PY'
import json, statistics, sys

rows = []
for line in open(sys.argv[1]):
    section, system, corpus, rest = line.rstrip("\n").split("\t")
    kv = dict(x.split("=", 1) for x in rest.split() if "=" in x)
    rows.append((section, system, corpus, kv))

def med(values):
    values = [float(v) for v in values if v not in (None, "")]
    return statistics.median(values) if values else None

def fmt(v, spec="%.2f"):
    return "-" if v is None else spec % v

out = {"index": {}, "latency": {}, "rerun": {}}
# indexing
index = {}
for s, y, c, kv in rows:
    if s == "index":
        index.setdefault((c, y), []).append(kv)
tok = {}
for s, y, c, kv in rows:
    if s == "tokenizer":
        tok.setdefault(c, []).append(float(kv["seconds"]))
related = {}
for s, y, c, kv in rows:
    if s == "related":
        related.setdefault(c, []).append(kv)
corpora = []
for c, y in index:
    if c not in corpora:
        corpora.append(c)
print("\nIndexing (medians of the runs; ratios against the peer measured in the same run)")
print("| corpus | system | docs | MB in | seconds | MB/s | docs/s | index/input | peak RSS MB | our speed / its |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for c in corpora:
    ours = None
    for y in ("ours", "ours-2shards", "fts5", "xapian"):
        runs = index.get((c, y))
        if not runs:
            continue
        secs = med(r.get("seconds") for r in runs)
        inb = float(runs[0]["input_bytes"])
        docs = float(runs[0].get("docs") or 0)
        size = med(r.get("index_bytes") for r in runs)
        rss = med(r.get("rss_kb") for r in runs)
        mbs = inb / 1e6 / secs if secs else None
        rec = {"seconds": secs, "mb_per_s": mbs, "docs_per_s": docs / secs if secs else None,
               "index_ratio": size / inb if size else None,
               "peak_rss_mb": rss / 1024 if rss else None,
               "runs_seconds": [float(r["seconds"]) for r in runs if r.get("seconds")]}
        rec["cpu_seconds"] = med(r.get("cpu_seconds") for r in runs)
        if y == "ours":
            ours = rec
            ratio = "-"
        elif y == "ours-2shards":
            ratio = "-"
        else:
            ratio = fmt(ours["mb_per_s"] / mbs if ours and mbs else None)
            rec["ours_speed_ratio"] = ours["mb_per_s"] / mbs if ours and mbs else None
            rec["ours_size_ratio"] = (ours["index_ratio"] / rec["index_ratio"]
                                      if ours and rec["index_ratio"] else None)
        out["index"].setdefault(c, {})[y] = rec
        if y == "fts5" and out["index"][c].get("ours-2shards"):
            two = out["index"][c]["ours-2shards"]
            rec["ours_2shards_speed_ratio"] = two["mb_per_s"] / mbs if mbs else None
            ratio += " (2 shards: %s)" % fmt(rec["ours_2shards_speed_ratio"])
        print("| %s | %s | %d | %.1f | %s | %s | %s | %s | %s | %s |" % (
            c, y, docs, inb / 1e6, fmt(secs), fmt(mbs), fmt(rec["docs_per_s"], "%.0f"),
            fmt(rec["index_ratio"]), fmt(rec["peak_rss_mb"], "%.0f"), ratio))
        if rec.get("cpu_seconds"):
            print("| %s | %s: CPU seconds%s | | | %s | | | | | |" % (
                c, y, ", every thread" if y.startswith("ours") else "", fmt(rec["cpu_seconds"])))
    if c in tok and ours and ours["seconds"]:
        t = statistics.median(tok[c])
        out["index"][c]["tokenizer_seconds"] = t
        out["index"][c]["tokenizer_share"] = t / ours["seconds"]
        print("| %s | tokenizer alone | | | %.2f | | | | | %.0f%% of our indexing time |" % (
            c, t, 100 * t / ours["seconds"]))
    if c in related:
        secs = med(r.get("seconds") for r in related[c])
        rss = med(r.get("rss_kb") for r in related[c])
        docs = float(index[(c, "ours")][0].get("docs") or 0) if (c, "ours") in index else 0
        out["index"].setdefault(c, {})["related"] = {
            "seconds": secs, "peak_rss_mb": rss / 1024 if rss else None,
            "runs_seconds": [float(r["seconds"]) for r in related[c] if r.get("seconds")]}
        print("| %s | ours: related lists, all built | %d | | %s | | %s | | %s | |" % (
            c, docs, fmt(secs), fmt(docs / secs if secs else None, "%.0f"),
            fmt(rss / 1024 if rss else None, "%.0f")))

# latency
lat = {}
for s, y, c, kv in rows:
    if s == "latency":
        lat[(c, y, kv["config"])] = {k: float(kv[k]) for k in
                                     ("p50_us", "p95_us", "p99_us", "mean_us") if k in kv}
    elif s == "latency-run":
        cfg = kv["config"]
        lat.setdefault((c, y, cfg), {"_runs": []})["_runs"].append(kv)
print("\nLatency, microseconds (percentiles over the queries of a run, median of the runs)")
print("| corpus | system | config | p50 | p95 | p99 |")
print("|---|---|---|---:|---:|---:|")
for (c, y, cfg), v in lat.items():
    if "_runs" in v:
        v = {k: med(r.get(k) for r in v["_runs"]) for k in ("p50_us", "p95_us", "p99_us")}
    out["latency"].setdefault(c, {}).setdefault(y, {})[cfg] = v
    print("| %s | %s | %s | %s | %s | %s |" % (c, y, cfg, fmt(v.get("p50_us"), "%.0f"),
                                          fmt(v.get("p95_us"), "%.0f"),
                                          fmt(v.get("p99_us"), "%.0f")))
# one file against a set of 2 shards of the same articles
for s, y, c, kv in rows:
    if s == "shards":
        out.setdefault("shards", {})[c] = kv
        print("\nTop 10 of %s queries on %s: one file and 2 shards byte-identical: %s "
              "(%s queries differ)" % (kv.get("queries"), c,
                                      "yes" if kv.get("identical") == "1" else "NO",
                                      kv.get("differing")))
# re-runs
for s, y, c, kv in rows:
    if s == "rerun":
        out["rerun"].setdefault(c, []).append(float(kv["seconds"]))
if out["rerun"]:
    print("\nScale: a second run on the unchanged corpus")
    print("| corpus | first run s | second run s | share |")
    print("|---|---:|---:|---:|")
    for c, secs in out["rerun"].items():
        first = out["index"].get(c, {}).get("ours", {}).get("seconds")
        second = statistics.median(secs)
        out["rerun"][c] = {"seconds": second, "first_seconds": first}
        print("| %s | %s | %.2f | %s |" % (c, fmt(first), second,
                                           fmt(second / first * 100 if first else None, "%.1f%%")))
# the scale table: ours and Xapian at each size, ours as ratios of Xapian's
scale = sorted({c for c, y in index if c.startswith("gen-")}, key=lambda c: int(c[4:]))
if scale:
    out["scale"] = {}
    print("\nScale: generated corpora, ours and Xapian in the same run (medians; "
          "latency in microseconds, top 10 of the 1,000 title queries, one pass a process;"
          " Xapian's top 10 reads each hit's id, as ours reads its key)")
    print("| articles | system | index s | index CPU s | index MB | index peak RSS MB | related s "
          "| related peak RSS MB | top-10 p50 | p95 | p99 | with snippets p50 | p95 | p99 |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for c in scale:
        n = int(c[4:])
        recs = {}
        for y in ("ours", "ours-2shards", "xapian"):
            rec = out["index"].get(c, {}).get(y)
            if not rec:
                continue
            runs = index[(c, y)]
            r = {"index_seconds": rec["seconds"], "index_cpu_seconds": rec.get("cpu_seconds"),
                 "index_mb": (med(x.get("index_bytes") for x in runs) or 0) / 1e6,
                 "index_rss_mb": rec["peak_rss_mb"]}
            if y == "ours":
                rel = out["index"][c].get("related", {})
                r["related_seconds"] = rel.get("seconds")
                r["related_rss_mb"] = rel.get("peak_rss_mb")
            for cfg, key in (("top10", "top10"), ("top10-snippets", "snippets")):
                v = out["latency"].get(c, {}).get(y, {}).get(cfg)
                if v:
                    for pk in ("p50_us", "p95_us", "p99_us"):
                        r["%s_%s" % (key, pk)] = v.get(pk)
            recs[y] = r
        out["scale"][n] = recs
        cols = ("index_seconds", "index_cpu_seconds", "index_mb", "index_rss_mb", "related_seconds",
                "related_rss_mb", "top10_p50_us", "top10_p95_us", "top10_p99_us",
                "snippets_p50_us", "snippets_p95_us", "snippets_p99_us")
        specs = ("%.1f", "%.1f", "%.0f", "%.0f", "%.1f", "%.0f") + ("%.0f",) * 6
        for y, r in recs.items():
            print("| %d | %s | %s |" % (n, y, " | ".join(
                fmt(r.get(k), sp) for k, sp in zip(cols, specs))))
        if "ours" in recs and "xapian" in recs:
            o, x = recs["ours"], recs["xapian"]
            ratio = {}
            for k in cols:
                # with snippets, against Xapian's top 10 (it makes none)
                xk = k.replace("snippets_", "top10_")
                if o.get(k) and x.get(xk):
                    ratio[k] = o[k] / x[xk]
            out["scale"][n]["ours_over_xapian"] = ratio
            print("| %d | ours / Xapian | %s |" % (n, " | ".join(
                fmt(ratio.get(k), "%.2fx") for k in cols)))
json.dump(out, open(sys.argv[2], "w"), indent=1)
PY
