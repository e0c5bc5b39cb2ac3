#!/bin/sh
# bench/python.sh: the Python module's cost per search, against the C API
# and against Debian's python3-xapian, on the 1,000 title queries of
# enwiki_sections (../shared/corpora), all in the same run.
#
#   make bench-python     (or: EAF_SRCDIR=. EAF_BUILDDIR=. sh bench/python.sh)
#
# 1. Indexes enwiki_sections (123k articles) with eafindex --no-related and
#    with the Xapian peer (../shared/peers/xapian/run index), once, kept in
#    $EAF_BENCH_DIR for later runs.
# 2. Top 10, without and with snippets: bench/hitloop (the C API, each hit
#    read as the module reads it) and Index.search() (python_bench.py), in
#    turn; the module's overhead per search is the difference, also as a
#    ratio of the C time (the goal: at most 10%).
# 3. Top 10 through python3-xapian, and through the Xapian peer in C++
#    (its latency_ids_us), for Xapian's own binding overhead beside ours.
# Each figure is the median over EAF_BENCH_RUNS runs (default 3) of the
# median and the mean time per search of a run.  Needs ../shared, or is
# skipped.  Output: a table on stdout, and $EAF_BENCH_DIR/python.json.
set -u
src=${EAF_SRCDIR:-.}
build=${EAF_BUILDDIR:-.}
shared=${EAF_SHARED:-$src/../shared}
work=${EAF_BENCH_DIR:-/tmp/eaf-bench-python}
runs=${EAF_BENCH_RUNS:-3}
python=${EAF_PYTHON:-python3}
eafindex="$build/tools/eafindex"
hitloop="$build/bench/hitloop"

log() { echo "bench-python: $*" >&2; }
if [ ! -d "$shared/corpora/enwiki_sections" ] || [ ! -d "$shared/peers/xapian" ]; then
    log "no $shared/corpora/enwiki_sections or $shared/peers/xapian: skipped"
    exit 0
fi
[ -x "$hitloop" ] || { log "$hitloop is not built (make bench-python builds it)"; exit 1; }
[ -f "$build/python/.libs/eafsearch.so" ] ||
    { log "the Python module is not built (configure found no python3 with its headers?)"; exit 1; }
PYTHONPATH="$build/python/.libs${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
mkdir -p "$work"
queries="$shared/corpora/enwiki_sections/title_queries.tsv"
corpus="$work/enwiki_sections.jsonl"
db="$work/ours-enwiki_sections.db"
xdb="$work/xapian-enwiki_sections"

# --- 1. the indexes, once ---------------------------------------------------------
[ -s "$corpus" ] || gzip -dc "$shared/corpora/enwiki_sections/docs.jsonl.gz" > "$corpus"
if [ ! -s "$db" ]; then
    log "indexing enwiki_sections (eafindex)"
    "$eafindex" -q --no-related -d "$db" "$corpus" > "$work/index.out" 2>&1 ||
        { log "eafindex failed"; cat "$work/index.out" >&2; exit 1; }
fi
if [ ! -d "$xdb" ]; then
    log "indexing enwiki_sections (Xapian peer)"
    "$shared/peers/xapian/run" index "$xdb" "$corpus" > /dev/null 2> "$work/xapian-index.out" ||
        { log "the Xapian peer failed to index"; exit 1; }
fi

# --- 2 and 3: searches, in turn ---------------------------------------------------------
results="$work/python.jsonl"
: > "$results"
for snip in 0 1; do
    flag=; [ "$snip" = 1 ] && flag=-s
    log "top 10, snippets=$snip: C API"
    "$hitloop" -r "$runs" -k 10 $flag "$db" "$queries" |
        sed "s/^{/{\"system\": \"eafsearch-c\", /" >> "$results" || exit 1
    log "top 10, snippets=$snip: Python"
    "$python" "$src/bench/python_bench.py" eafsearch "$db" "$queries" "$runs" 10 "$snip" \
        >> "$results" || exit 1
done
if "$python" -c 'import xapian' 2>/dev/null; then
    log "top 10: python3-xapian"
    "$python" "$src/bench/python_bench.py" xapian "$xdb" "$queries" "$runs" 10 >> "$results" ||
        exit 1
else
    log "$python has no xapian module (Debian: python3-xapian): left out"
fi
r=1
while [ "$r" -le "$runs" ]; do
    "$shared/peers/xapian/run" search "$xdb" --op or --k 10 < "$queries" > /dev/null \
        2> "$work/xapian-search.out"
    sed -n 's/^latency_ids_us_p50[ =:]*/xapian-cpp p50_us=/p; s/^latency_ids_us_mean[ =:]*/xapian-cpp mean_us=/p' \
        "$work/xapian-search.out" >> "$work/xapian-cpp.txt.$r"
    r=$((r + 1))
done
cat "$work"/xapian-cpp.txt.* > "$work/xapian-cpp.txt" 2>/dev/null
rm -f "$work"/xapian-cpp.txt.*

"$python" - "$results" "$work/xapian-cpp.txt" "$work/python.json" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cpp = {"p50_us": [], "mean_us": []}
for line in open(sys.argv[2]):
    parts = line.split()
    if len(parts) == 2 and "=" in parts[1]:
        k, v = parts[1].split("=", 1)
        try:
            cpp[k].append(float(v))
        except (KeyError, ValueError):
            pass
def get(system, snippets=None):
    for r in rows:
        if r["system"] == system and (snippets is None or r.get("snippets") == snippets):
            return r
    return None
out = {"rows": rows, "overhead": {}}
print("\nPer search, top 10 of the 1,000 enwiki title queries (microseconds; median of runs)")
print("| system | snippets | p50 | mean |")
print("|---|---|---:|---:|")
for r in rows:
    print("| %s | %s | %.0f | %.0f |" % (r["system"], {True: "yes", False: "no"}.get(r.get("snippets"), "-"),
                                        r["p50_us"], r["mean_us"]))
if cpp["p50_us"]:
    x = {"p50_us": statistics.median(cpp["p50_us"]),
         "mean_us": statistics.median(cpp["mean_us"]) if cpp["mean_us"] else None}
    out["xapian_cpp"] = x
    print("| xapian-cpp (peer) | - | %.0f | %s |" % (x["p50_us"], "%.0f" % x["mean_us"] if x["mean_us"] else "-"))
print("\nThe module's overhead per search (Python minus C, and as a share of C)")
print("| snippets | mean overhead us | mean ratio | p50 overhead us | p50 ratio |")
print("|---|---:|---:|---:|---:|")
for snip in (False, True):
    c, p = get("eafsearch-c", snip), get("eafsearch-python", snip)
    if c and p:
        o = {"mean_us": p["mean_us"] - c["mean_us"], "mean_ratio": p["mean_us"] / c["mean_us"],
             "p50_us": p["p50_us"] - c["p50_us"], "p50_ratio": p["p50_us"] / c["p50_us"]}
        out["overhead"]["snippets" if snip else "plain"] = o
        print("| %s | %.0f | %.3f | %.0f | %.3f |" % ("yes" if snip else "no", o["mean_us"],
              o["mean_ratio"], o["p50_us"], o["p50_ratio"]))
xp = get("xapian-python")
if xp and cpp["p50_us"]:
    x = out["xapian_cpp"]
    print("\nXapian's binding beside ours: python3-xapian %.0f us p50 vs C++ %.0f us (ratio %.3f)"
          % (xp["p50_us"], x["p50_us"], xp["p50_us"] / x["p50_us"]))
    out["xapian_binding_ratio_p50"] = xp["p50_us"] / x["p50_us"]
if xp:
    p = get("eafsearch-python", False)
    print("eafsearch from Python (no snippets) / python3-xapian, p50: %.2f" % (p["p50_us"] / xp["p50_us"]))
json.dump(out, open(sys.argv[3], "w"), indent=1)
PY
log "written $work/python.json"
