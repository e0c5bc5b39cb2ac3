#!/bin/sh
# bench/quality.sh: ranking quality of libeafsearch and of its peers (Xapian, raw
# SQLite FTS5, PostgreSQL), measured side by side in the same run on the same data.
#
#   make bench-quality        (or: EAF_SRCDIR=. EAF_BUILDDIR=. sh bench/quality.sh)
#
# - Cranfield and CACM: each system indexes docs.jsonl, runs queries.tsv for the top
#   1000 (ours: eafquery --batch --format trec -n 1000, with its defaults), and
#   ../shared/peers/eval/eval_ir.py scores the run: MAP, nDCG@10, P@10.
# - Known-item search on enwiki_sections: MRR of the source section
#   (eval_known_item.py) on both title-query files, title_queries.tsv (the one
#   Xapian's published figures use) and title_queries_fts.tsv (FTS5's and
#   PostgreSQL's).
# - Ablations of our defaults: each component turned off in turn (feedback, on by
#   default for questions of 4 words of substance or more: --no-feedback), and on
#   every query for the title queries.
# - The peers in their best configuration of ../shared/peers/RESULTS*.md: Xapian and
#   FTS5 with OR queries (FTS5 with AND for known-item search), PostgreSQL with ts_rank.
#
# Needs ../shared (corpora and peers); without it the benchmark is skipped.  The peers'
# run scripts install what they need with apt-get (as root).  Environment:
#   EAF_SHARED       the shared folder (default: $EAF_SRCDIR/../shared)
#   EAF_BENCH_DIR    where indexes and runs go (default: /tmp/eaf-bench-quality)
#   EAF_BENCH_PEERS  which peers to run (default: "xapian fts5 pg"; "" for none)
#   EAF_BENCH_ENWIKI 0 to leave out the 123k-section corpus (default 1)
# Output: one table on stdout, and $EAF_BENCH_DIR/quality.json.
set -u
src=${EAF_SRCDIR:-.}
build=${EAF_BUILDDIR:-.}
shared=${EAF_SHARED:-$src/../shared}
work=${EAF_BENCH_DIR:-/tmp/eaf-bench-quality}
peers=${EAF_BENCH_PEERS-xapian fts5 pg}
enwiki=${EAF_BENCH_ENWIKI:-1}
eafindex="$build/tools/eafindex"
eafquery="$build/tools/eafquery"
evaldir="$shared/peers/eval"

if [ ! -d "$shared/corpora" ] || [ ! -d "$shared/peers" ]; then
    echo "bench-quality: no $shared/corpora or $shared/peers: skipped" >&2
    exit 0
fi
mkdir -p "$work"
results="$work/results.tsv"
: > "$results"

log() { echo "bench-quality: $*" >&2; }

# record SYSTEM CORPUS MEASURES...: one line of results
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$results"; }

# the MAP, nDCG@10 and P@10 of a run
score_ir() {
    python3 "$evaldir/eval_ir.py" "$1" "$2" 2>/dev/null |
        sed -n 's/.*MAP=\([0-9.]*\) nDCG@10=\([0-9.]*\) P@10=\([0-9.]*\).*/MAP=\1 nDCG@10=\2 P@10=\3/p'
}
score_ki() {
    python3 "$evaldir/eval_known_item.py" "$1" "$2" 2>/dev/null |
        sed -n 's/^MRR=\([0-9.]*\) S@1=\([0-9.]*\) S@10=\([0-9.]*\).*/MRR=\1 S@1=\2 S@10=\3/p'
}

# --- ours -------------------------------------------------------------------------
ours_index() {  # ours_index NAME CORPUS
    if [ ! -f "$work/ours-$1.db" ] || [ "$2" -nt "$work/ours-$1.db" ]; then
        rm -f "$work/ours-$1.db" "$work/ours-$1.db-wal" "$work/ours-$1.db-shm"
        log "indexing $1 with eafindex"
        "$eafindex" -q --no-related -d "$work/ours-$1.db" "$2" >&2 || return 1
    fi
}

ours_ir() {  # ours_ir CORPUS NAME LABEL [eafquery options]
    c=$1; name=$2; label=$3; shift 3
    "$eafquery" -d "$work/ours-$c.db" --batch --format trec -n 1000 "$@" \
        < "$shared/corpora/$c/queries.tsv" > "$work/run-$name-$c" 2>/dev/null
    record "$label" "$c" "$(score_ir "$work/run-$name-$c" "$shared/corpora/$c/qrels.tsv")"
}

ablations() {  # the defaults, then one component at a time
    c=$1
    ours_ir "$c" ours libeafsearch
    ours_ir "$c" flat "  flat field weights" --weights 1,1,1,1,1,1,1,1
    ours_ir "$c" classic "  classic BM25 k1=1.2 b=0.75" --k1 1.2 --b 0.75
    ours_ir "$c" noprox "  no proximity bonus" --proximity 0
    ours_ir "$c" noalias "  no country aliases" --no-aliases
    ours_ir "$c" allwords "  no all-words tier (--all-words)" --all-words
    ours_ir "$c" nofb "  no feedback (--no-feedback)" --no-feedback
    ours_ir "$c" fb10 "  feedback from 10 hits, not 3" --feedback=10,40
    ours_ir "$c" fbt10 "  feedback adds 10 terms, not 40" --feedback=3,10
}

# --- peers ------------------------------------------------------------------------
peer_ir() {  # peer_ir PEER CORPUS
    p=$1; c=$2; docs="$shared/corpora/$c/docs.jsonl"; q="$shared/corpora/$c/queries.tsv"
    case $p in
    xapian)
        "$shared/peers/xapian/run" index "$work/xapian-$c" "$docs" >/dev/null 2>&1 &&
        "$shared/peers/xapian/run" search "$work/xapian-$c" --op or --k 1000 < "$q" \
            > "$work/run-xapian-$c" 2>/dev/null ;;
    fts5)
        rm -f "$work/fts5-$c.db"
        "$shared/peers/fts5/run" index "$work/fts5-$c.db" "$docs" >/dev/null 2>&1 &&
        "$shared/peers/fts5/run" search "$work/fts5-$c.db" --op or --k 1000 < "$q" \
            > "$work/run-fts5-$c" 2>/dev/null ;;
    pg)
        "$shared/peers/pg/run" index "$docs" --name "$c" >/dev/null 2>&1 &&
        "$shared/peers/pg/run" search --name "$c" --rank plain --op or --k 1000 < "$q" \
            > "$work/run-pg-$c" 2>/dev/null ;;
    esac
    if [ $? -eq 0 ] && [ -s "$work/run-$p-$c" ]; then
        record "$p" "$c" "$(score_ir "$work/run-$p-$c" "$shared/corpora/$c/qrels.tsv")"
    else
        log "$p failed on $c"
        record "$p" "$c" "(failed)"
    fi
}

peer_ki() {  # peer_ki PEER: the peer's runs of both title-query files on enwiki
    p=$1; docs="$work/enwiki_sections.jsonl"
    case $p in
    xapian) "$shared/peers/xapian/run" index "$work/xapian-enwiki" "$docs" >/dev/null 2>&1 ;;
    fts5) rm -f "$work/fts5-enwiki.db"
          "$shared/peers/fts5/run" index "$work/fts5-enwiki.db" "$docs" >/dev/null 2>&1 ;;
    pg) "$shared/peers/pg/run" index "$docs" --name enwiki >/dev/null 2>&1 ;;
    esac || { log "$p failed to index enwiki_sections"; return; }
    for f in title_queries title_queries_fts; do
        q="$shared/corpora/enwiki_sections/$f.tsv"
        case $p in
        xapian) "$shared/peers/xapian/run" search "$work/xapian-enwiki" --op or --k 1000 ;;
        fts5) "$shared/peers/fts5/run" search "$work/fts5-enwiki.db" --op and --k 1000 ;;
        pg) "$shared/peers/pg/run" search --name enwiki --rank plain --op or --k 1000 ;;
        esac < "$q" > "$work/run-$p-$f" 2>/dev/null
        record "$p" "enwiki:$f" "$(score_ki "$work/run-$p-$f" "$q")"
    done
}

for c in cranfield cacm; do
    ours_index "$c" "$shared/corpora/$c/docs.jsonl" || { log "indexing $c failed"; exit 1; }
    ablations "$c"
    for p in $peers; do
        log "peer $p on $c"
        peer_ir "$p" "$c"
    done
done

if [ "$enwiki" = 1 ]; then
    [ -s "$work/enwiki_sections.jsonl" ] ||
        gzip -dc "$shared/corpora/enwiki_sections/docs.jsonl.gz" > "$work/enwiki_sections.jsonl"
    ours_index enwiki "$work/enwiki_sections.jsonl" || exit 1
    ours_ki() {  # ours_ki FILE NAME LABEL [eafquery options]
        f=$1; name=$2; label=$3; shift 3
        q="$shared/corpora/enwiki_sections/$f.tsv"
        # (only the first two columns: eafquery reads the rest of a line as the
        # query, and the third is the source's key)
        cut -f1,2 < "$q" | "$eafquery" -d "$work/ours-enwiki.db" --batch --format trec -n 1000 "$@" \
            > "$work/run-$name-$f" 2>/dev/null
        record "$label" "enwiki:$f" "$(score_ki "$work/run-$name-$f" "$q")"
    }
    for f in title_queries title_queries_fts; do
        ours_ki $f ours libeafsearch
        ours_ki $f flat "  flat field weights" --weights 1,1,1,1,1,1,1,1
        ours_ki $f classic "  classic BM25 k1=1.2 b=0.75" --k1 1.2 --b 0.75
        ours_ki $f noprox "  no proximity bonus" --proximity 0
        ours_ki $f feedback "  feedback on every query (EAF_SEARCH_FEEDBACK)" --feedback
    done
    for p in $peers; do
        log "peer $p on enwiki_sections"
        peer_ki "$p"
    done
fi

# --- the table --------------------------------------------------------------------
# One table: a row per system (ours, its ablations, the peers), a column per measure of
# every set, so that a change that helps one set and hurts another shows at once; the
# mean over the sets of each row's main measure (MAP, MRR) is the last column.
python3 - "$results" "$work/quality.json" <<'PY'
import json, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
cols = [("cranfield", "MAP"), ("cranfield", "nDCG@10"), ("cranfield", "P@10"),
        ("cacm", "MAP"), ("cacm", "nDCG@10"), ("cacm", "P@10"),
        ("enwiki:title_queries", "MRR"), ("enwiki:title_queries", "S@1"),
        ("enwiki:title_queries", "S@10"), ("enwiki:title_queries_fts", "MRR")]
short = {"cranfield": "Cran", "cacm": "CACM", "enwiki:title_queries": "title",
         "enwiki:title_queries_fts": "title_fts"}
main = [("cranfield", "MAP"), ("cacm", "MAP"), ("enwiki:title_queries", "MRR"),
        ("enwiki:title_queries_fts", "MRR")]
data, order, out = {}, [], {}
for system, corpus, measures in rows:
    m = dict(kv.split("=") for kv in measures.split() if "=" in kv)
    if system not in data:
        data[system] = {}
        order.append(system)
    data[system][corpus] = m
    out.setdefault(corpus, {})[system.strip()] = {k: float(v) for k, v in m.items()}
used = [c for c in cols if any(c[0] in data[s] for s in order)]
print("| system | " + " | ".join("%s %s" % (short[c], k) for c, k in used) + " | mean |")
print("|---|" + "---:|" * (len(used) + 1))
for s in order:
    cells = [data[s].get(c, {}).get(k, "-") for c, k in used]
    have = [float(data[s][c][k]) for c, k in main if k in data[s].get(c, {})]
    mean = "%.4f" % (sum(have) / len(have)) if len(have) == len([c for c in main if c in used]) else "-"
    print("| %s | " % s.strip() + " | ".join(cells) + " | %s |" % mean)
json.dump(out, open(sys.argv[2], "w"), indent=1)
PY
