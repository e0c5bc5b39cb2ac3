"""python_bench.py: the Python side of make bench-python (bench/python.sh).

    python_bench.py eafsearch DB QUERIES.tsv RUNS K SNIPPETS
    python_bench.py xapian DBDIR QUERIES.tsv RUNS K

eafsearch: every query through Index.search(limit=K, snippets=...),
each hit's fields touched, as bench/hitloop does through the C API.
xapian: the same queries through Debian's python3-xapian on the index of
../shared/peers/xapian (set up as that peer's search: English stemmer,
STEM_SOME, OR, BM25), each hit's stored id read, as the peer's
latency_ids_us does in C++.  Prints one JSON line: the median over the
runs of each run's median and mean time per search, in microseconds.
"""
import json
import statistics
import sys
import time


def queries_of(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\r\n").split("\t")
            out.append(parts[1] if len(parts) > 1 else parts[0])
    return out


def timed(runs, queries, one):
    medians, means = [], []
    for _ in range(runs):
        times = []
        for q in queries:
            t0 = time.perf_counter()
            one(q)
            times.append((time.perf_counter() - t0) * 1e6)
        medians.append(statistics.median(times))
        means.append(statistics.fmean(times))
    return statistics.median(medians), statistics.median(means)


def bench_eafsearch(db, qfile, runs, k, snippets):
    import eafsearch
    ix = eafsearch.Index(db)
    queries = queries_of(qfile)

    def one(q):
        for h in ix.search(q, limit=k, snippets=snippets):
            h.key, h.title, h.authors
    p50, mean = timed(runs, queries, one)
    return {"system": "eafsearch-python", "queries": len(queries), "k": k,
            "snippets": snippets, "runs": runs, "p50_us": p50, "mean_us": mean}


def bench_xapian(dbdir, qfile, runs, k):
    import xapian
    db = xapian.Database(dbdir)
    enquire = xapian.Enquire(db)
    enquire.set_weighting_scheme(xapian.BM25Weight())
    qp = xapian.QueryParser()
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.set_database(db)
    qp.set_default_op(xapian.Query.OP_OR)
    qp.add_prefix("author", "A")
    qp.add_boolean_prefix("tag", "K")
    flags = xapian.QueryParser.FLAG_DEFAULT
    plain = flags & ~xapian.QueryParser.FLAG_BOOLEAN
    queries = queries_of(qfile)

    def one(q):
        try:
            query = qp.parse_query(q, flags)
        except xapian.QueryParserError:
            try:
                query = qp.parse_query(q, plain)
            except xapian.QueryParserError:
                query = xapian.Query()
        enquire.set_query(query)
        for m in enquire.get_mset(0, k):
            m.document.get_data()
    p50, mean = timed(runs, queries, one)
    return {"system": "xapian-python", "version": xapian.version_string(),
            "queries": len(queries), "k": k, "runs": runs, "p50_us": p50, "mean_us": mean}


if __name__ == "__main__":
    what, db, qfile, runs, k = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    if what == "eafsearch":
        print(json.dumps(bench_eafsearch(db, qfile, runs, k, sys.argv[6] == "1")))
    else:
        print(json.dumps(bench_xapian(db, qfile, runs, k)))
