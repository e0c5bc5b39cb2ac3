"""Leak check: 100,000 searches (with hits, snippets, authors, facets,
strict errors, related lists mixed in) on a small index, with the
number of Python's memory blocks (sys.getallocatedblocks) and the
process's memory (RSS) flat after a warm-up; then 5,000 more traced by
tracemalloc, whose traced memory must stay flat too.  Not timed.

(A debug build's sys.gettotalrefcount() would count references; a
release build has none, but a reference leaked leaks its object, whose
blocks both counts see.)"""
import sys
import gc
import os
import tracemalloc

import pytest

import eafsearch
from conftest import SANITIZERS

SEARCHES = int(os.environ.get("EAF_PY_LEAK_SEARCHES", "100000"))


def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def one_round(ix, i):
    r = ix.search(("japan rice", "trade", "alliance japan", "japan -rice")[i % 4], limit=3)
    for h in r:
        assert h.key and h.authors is not None
    if i % 50 == 0:
        ix.search("trade", facets=True, suggest=True)
        ix.related("a/1", n=2, explain=True)
        try:
            ix.search("japan (", strict=True)
        except eafsearch.QuerySyntaxError:
            pass
        try:
            ix.get("no/such")
        except KeyError:
            pass


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc for RSS")
def test_memory_flat_across_searches(tmp_path):
    path = str(tmp_path / "small.db")
    with eafsearch.Index(path, "c") as ix:
        with ix.transaction():
            for i in range(12):
                ix.put({"key": "a/%d" % i, "title": "Japan trade note %d" % i,
                        "date": "2020-01-%02d" % (i + 1),
                        "authors": [("Writer %d" % (i % 3), "Institute %d" % (i % 2))],
                        "topics": ["Trade"], "countries": ["Japan"],
                        "body": "Japan rice alliance trade talks %d. " % i * 20})
        ix.build_related()
    with eafsearch.Index(path) as ix:
        for i in range(2000):           # warm-up: caches, statements, free lists
            one_round(ix, i)
        gc.collect()
        base_blocks = sys.getallocatedblocks()
        base_rss = rss_kb()
        for i in range(SEARCHES):
            one_round(ix, i)
        gc.collect()
        grown_blocks = sys.getallocatedblocks() - base_blocks
        grown_rss = rss_kb() - base_rss
        tracemalloc.start()
        for i in range(500):
            one_round(ix, i)
        gc.collect()
        base_py = tracemalloc.get_traced_memory()[0]
        for i in range(5000):
            one_round(ix, i)
        gc.collect()
        grown_py = tracemalloc.get_traced_memory()[0] - base_py
        tracemalloc.stop()
    # a leak of one object a search would be 100,000 blocks
    assert grown_blocks < 1000, "Python's memory blocks grew by %d" % grown_blocks
    assert grown_py < 16 * 1024, "Python objects grew by %d bytes (tracemalloc)" % grown_py
    if SANITIZERS:
        # ASan keeps freed memory in quarantine (up to 256 MB): RSS says
        # nothing there; its own checks of the C side run in that build
        return
    assert grown_rss < 4 * 1024, "RSS grew by %d kB" % grown_rss
