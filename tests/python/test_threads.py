"""Threads: four threads searching, each with its own Index, while
another process indexes (the snapshot rule: a reader sees whole
transactions, never a part of one); one Index shared by threads (calls
serialized, results as from one thread); the GIL released during a
search."""
import os
import subprocess
import sys
import threading
import time

import eafsearch
from conftest import need

HERE = os.path.dirname(os.path.abspath(__file__))
BATCH = 25


def test_four_readers_while_a_process_writes(tmp_path):
    path = str(tmp_path / "rw.db")
    with eafsearch.Index(path, "c") as ix:
        ix.put({"key": "seed", "title": "Seed", "body": "nothing striped here"})
    writer = subprocess.Popen([sys.executable, os.path.join(HERE, "helper_indexer.py"),
                               "batches", path, "40", str(BATCH)],
                              stdout=subprocess.PIPE, text=True)
    problems, seen = [], [[] for _ in range(4)]
    stop = threading.Event()

    def reader(n):
        try:
            with eafsearch.Index(path) as ix:
                last = 0
                while not stop.is_set():
                    res = ix.search("zebra", limit=1000, snippets=False)
                    keys = [h.key for h in res]
                    if res.total % BATCH or len(keys) != res.total:
                        problems.append("reader %d saw %d of %d hits" % (n, len(keys),
                                                                         res.total))
                    if res.total < last:
                        problems.append("reader %d went back from %d to %d" % (n, last,
                                                                              res.total))
                    last = res.total
                    seen[n].append(res.total)
        except Exception as e:  # any error of a reader is a failure
            problems.append("reader %d: %r" % (n, e))

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    out, _ = writer.communicate(timeout=300)
    time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join()
    assert writer.returncode == 0 and "done" in out
    assert problems == []
    for s in seen:
        assert s and s[-1] == 40 * BATCH
    # the readers saw the index grow while they searched, not only the end
    assert any(len(set(s)) > 2 for s in seen), [sorted(set(s))[:5] for s in seen]


def test_one_index_shared_by_threads(sample_db):
    queries = ["Japan China", "trade", "election", "alliance", "rice", "Korea"]
    with eafsearch.Index(sample_db) as ix:
        expected = {q: [h.key for h in ix.search(q)] for q in queries}
        errors = []

        def worker(n):
            try:
                for i in range(60):
                    q = queries[(n + i) % len(queries)]
                    if [h.key for h in ix.search(q)] != expected[q]:
                        errors.append(q)
                    ix.get(expected[q][0]) if expected[q] else None
            except Exception as e:
                errors.append(repr(e))
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []


def test_search_releases_the_gil(tmp_path):
    need("page")
    # searches in a loop on one thread; a second thread must go on running
    path = str(tmp_path / "g.db")
    with eafsearch.Index(path, "c") as ix:
        with ix.transaction():
            for i in range(300):
                ix.put({"key": "k%d" % i, "title": "Japan trade %d" % i,
                        "body": "Japan rice trade alliance. " * 200})
    ticks = [0]
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks[0] += 1
            time.sleep(0.0005)
    with eafsearch.Index(path) as ix:
        th = threading.Thread(target=ticker)
        th.start()
        t0 = time.monotonic()
        n = 0
        while time.monotonic() - t0 < 1.0:
            ix.search("japan rice", limit=100, facets=True)
            n += 1
        done.set()
        th.join()
    # with the GIL held through each search, the ticker would only run
    # between searches (about once each)
    assert ticks[0] > 2 * n, (ticks[0], n)
