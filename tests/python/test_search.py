"""search() and related() through Python: the acceptance cases of the C
and tool tests (tests/unit/test_search.c, tests/cli/tools.sh), strict
mode's offsets, and the Results and Hit objects."""
import datetime

import pytest

import eafsearch
from conftest import JC_KEYS

# (query, byte offset of the problem): tests/unit/test_search.c's table
STRICT_CASES = [
    ('"japan', 0), ("japan (china", 6), ("japan)", 5), ('japan ""', 6), ("OR japan", 0),
    ("japan OR", 6), ("japan -", 6), ("j*", 0), ("date:2018-13", 5), ("foo:bar japan", 0),
    ("title: x", 0), ("NEAR(japan)", 0), ("date:2019..2018", 5), ("japan AND", 6),
]


def test_japan_china_ranks_the_seven_first(sample):
    res = sample.search("Japan China", limit=7)
    assert isinstance(res, eafsearch.Results)
    assert sorted(h.key for h in res) == JC_KEYS
    assert res.total > 7 and len(res) == 7
    assert not res.fallback and res.suggestion is None and res.dropped == ()


def test_hit_fields(sample):
    res = sample.search("Japan China")
    hit = res[0]
    assert isinstance(hit, eafsearch.Hit)
    key, url, title, date, authors, score, snippet = hit  # a named tuple of seven
    assert key == hit.key and title == hit.title
    assert isinstance(hit.date, datetime.date) and hit.date_text == hit.date.isoformat()
    assert all(isinstance(a, tuple) and len(a) == 2 for a in hit.authors)
    assert isinstance(hit.score, float) and hit.score > 0
    assert "[" in hit.snippet and "]" in hit.snippet
    scores = [h.score for h in res]
    assert scores == sorted(scores, reverse=True)
    # authors with affiliations, as eafquery shows them
    everyone = {a for h in sample.search("Japan China", limit=50) for a in h.authors}
    assert ("Helen Marchetti", "Institute for Pacific Economic Studies") in everyone
    # the hit agrees with the stored article
    art = sample[hit.key]
    assert (art.title, art.date, art.authors, art.url) == (hit.title, hit.date, hit.authors, hit.url)


def test_paging(sample):
    all_hits = [h.key for h in sample.search("Japan OR China", limit=10)]
    page = [h.key for h in sample.search("Japan OR China", limit=3, offset=2)]
    assert page == all_hits[2:5]
    assert len(sample.search("relations")) == 10  # the default limit
    assert list(sample.search("Japan OR China", offset=1000)) == []


def test_no_query_is_an_error(sample):
    for q in ["US-Japan", "China's", "GDP 2.5", "note: folding", "NOT china", '"japan', "((",
              "*", "-", '""', "", "\x00", "\udcff", "title:(", "a" * 10000]:
        res = sample.search(q)
        assert res.total >= len(res) >= 0
    res = sample.search("zebraqwerty")
    assert res.total == 0 and list(res) == []


def test_strict_offsets(sample):
    for query, offset in STRICT_CASES:
        with pytest.raises(eafsearch.QuerySyntaxError) as e:
            sample.search(query, strict=True)
        assert e.value.offset == offset, (query, str(e.value))
        assert e.value.status == "EAF_SYNTAX" and e.value.query == query
        assert isinstance(e.value, ValueError) and isinstance(e.value, eafsearch.Error)
    # the offset in characters, for a str with characters of several bytes
    with pytest.raises(eafsearch.QuerySyntaxError) as e:
        sample.search("Ōita (china", strict=True)
    assert e.value.offset == 6 and e.value.char_offset == 5
    assert "Ōita (china"[e.value.char_offset] == "("
    # a sound query is no error in strict mode
    assert sample.search("japan (china)", strict=True).total > 0


def test_filters_and_sort(sample):
    res = sample.search('author:"Helen Marchetti" date:2018..', limit=50)
    assert len(res) > 0
    for h in res:
        assert any(name == "Helen Marchetti" for name, _ in h.authors)
        assert h.date >= datetime.date(2018, 1, 1)
    # the same by keyword arguments
    by_args = sample.search("", author="Helen Marchetti", after=2018, limit=50)
    assert sorted(h.key for h in by_args) == sorted(h.key for h in res)
    newest = sample.search("", country="Japan", sort="newest", limit=50)
    dates = [h.date for h in newest]
    assert dates == sorted(dates, reverse=True) and len(dates) > 3
    oldest = sample.search("", country=["Japan"], sort="oldest", limit=50)
    assert [h.key for h in oldest][0] == [h.key for h in newest][-1]
    window = sample.search("", country="Japan", after=datetime.date(2012, 1, 1),
                           before="2014-12", limit=50)
    assert all(datetime.date(2012, 1, 1) <= h.date <= datetime.date(2014, 12, 31)
               for h in window)
    # a filter-only hit is listed, not scored
    assert all(h.score is None for h in window)
    with pytest.raises(ValueError):
        sample.search("x", sort="sideways")
    with pytest.raises(TypeError):
        sample.search("x", topic=[1, 2])


def test_facets(sample):
    res = sample.search("", country="Japan", facets=True)
    assert set(res.facets) == {"author", "topic", "country", "tag", "year"}
    countries = dict(res.facets["country"])
    assert countries["Japan"] == res.total
    years = [y for y, _ in res.facets["year"]]
    assert years == sorted(years, reverse=True)
    assert len(sample.search("", country="Japan", facets=2).facets["author"]) <= 2
    assert sample.search("japan").facets is None


def test_suggestion_and_fallback(sample):
    res = sample.search("Japnese alliance")
    assert res.suggestion is not None and "Japanese" in res.suggestion
    res = sample.search("japan zebraqwerty")
    assert res.fallback and res.total > 0 and res.dropped == ("zebraqwerty",)
    res = sample.search("japan zebraqwerty", fallback=False)
    assert not res.fallback and res.total == 0


def test_feedback_by_default_on_long_questions(sample):
    long_q = "trade tensions between japan and korea over exports"
    assert "feedback term" in sample.search(long_q, explain=True).explain
    assert "feedback term" not in sample.search(long_q, explain=True, feedback=False).explain
    assert "feedback term" not in sample.search("japan korea", explain=True).explain
    # feedback applies to searches that match any of the words
    assert "feedback term" in sample.search("japan korea", explain=True, feedback=True,
                                            rank_all=True).explain
    with pytest.raises(ZeroDivisionError):
        sample.search("japan", feedback=Undecided())


class Undecided:
    def __bool__(self):
        raise ZeroDivisionError("no answer")


def test_snippet_options(sample):
    res = sample.search("relations", marks=("<b>", "</b>"), html=True, snippet_words=10)
    assert "<b>" in res[0].snippet and "[" not in res[0].snippet
    assert sample.search("relations", snippets=False)[0].snippet is None
    assert "fts" in sample.search("relations", explain=True).explain.lower() or \
        sample.search("relations", explain=True).explain


def test_results_hold_no_state(sample_db):
    ix = eafsearch.Index(sample_db)
    res = ix.search("Japan China")
    ix.close()
    # the results outlive the index
    assert len(list(res)) == 10 and res.hits[0].title


def test_related(sample):
    key = "2018/japans-balancing-act-in-beijing"
    rel = sample.related(key, n=5)
    assert 0 < len(rel) <= 5
    assert key not in [r.key for r in rel]
    assert all(isinstance(r, eafsearch.Related) and r.title for r in rel)
    assert [r.score for r in rel] == sorted((r.score for r in rel), reverse=True)
    assert rel[0].explanation is None and rel[0].shared is None
    exp = sample.related(key, n=5, explain=True)
    assert [r.key for r in exp] == [r.key for r in rel]
    assert exp[0].explanation.startswith("text ")
    assert set(exp[0].shared) == {"term", "topic", "country", "tag", "author"}
    assert exp[0].shared["term"]
    with pytest.raises(eafsearch.NotFoundError):
        sample.related("no/such/key")
    with pytest.raises(ValueError):
        sample.related(key, n=0)
    # related:KEY in a query lists the same articles
    assert [h.key for h in sample.search("related:" + key, limit=5)] == [r.key for r in rel]


def test_related_of_a_shard_set(tmp_path):
    """A set's related lists (eafindex --shards) are those of one file of
    the same articles, explained alike; built again and checked through
    the folder."""
    import subprocess
    from conftest import ARCHIVE, EAFINDEX, need
    need("page")
    one, folder = str(tmp_path / "one.db"), str(tmp_path / "set")
    for args in (["-d", one], ["--shards", "2", "-d", folder]):
        r = subprocess.run([EAFINDEX, "-q"] + args + [ARCHIVE], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    with eafsearch.Index(one) as a, eafsearch.Index(folder) as b:
        for key in JC_KEYS:
            ra, rb = a.related(key, explain=True), b.related(key, explain=True)
            assert ra
            assert [(x.key, x.score, x.explanation, x.shared) for x in rb] == \
                [(x.key, x.score, x.explanation, x.shared) for x in ra]
        key = JC_KEYS[0]
        assert [h.key for h in b.search("related:" + key)] == \
            [h.key for h in a.search("related:" + key)]
    with eafsearch.Index(folder, "w") as b:
        stats = b.build_related()
        assert stats["full"] and stats["lists"] == len(b)
        assert b.check() == []


def test_build_related_progress(tmp_path, sample_db):
    import shutil
    path = str(tmp_path / "b.db")
    shutil.copy(sample_db, path)
    calls = []
    with eafsearch.Index(path, "w") as ix:
        stats = ix.build_related(progress=lambda *a: calls.append(a))
        assert stats["full"] and stats["lists"] == len(ix)
        assert {c[0] for c in calls} >= {"scoring", "writing"}
        # an exception from the callback stops the build and is raised
        class Stop(Exception):
            pass

        def stop(phase, done, total):
            raise Stop(phase)
        with pytest.raises(Stop):
            ix.build_related(progress=stop)
        # and the index is as it was: lists there, sound
        assert ix.related("2018/japans-balancing-act-in-beijing")
        assert ix.check() == []
        # a callback may not use its own Index (the handle is busy)
        seen = []

        def reenter(*a):
            try:
                ix.search("japan")
            except RuntimeError as e:
                seen.append(str(e))
        ix.build_related(progress=reenter)
        assert seen and "callback" in seen[0]


def test_keyboard_interrupt_stops_a_build(tmp_path, sample_db):
    # (with a Python callable the interpreter notices the signal in it;
    # test_paths.py's interrupt without one checks the module's own check)
    import _thread
    import shutil
    path = str(tmp_path / "k.db")
    shutil.copy(sample_db, path)
    with eafsearch.Index(path, "w") as ix:
        before = [r.key for r in ix.related("2018/japans-balancing-act-in-beijing")]
        # Ctrl-C as Python sees it (the flag SIGINT's handler sets), during
        # the build: the build stops, stores nothing, KeyboardInterrupt rises
        phases = []

        def progress(phase, done, total):
            phases.append(phase)
            _thread.interrupt_main()
        with pytest.raises(KeyboardInterrupt):
            ix.build_related(progress=progress)
        # stopped at the next report, not after the build
        assert "writing" not in phases, phases
        assert ix.check() == []
        assert [r.key for r in ix.related("2018/japans-balancing-act-in-beijing")] == before


def test_help_is_a_manual():
    import pydoc
    text = pydoc.render_doc(eafsearch, renderer=pydoc.plaintext)
    for word in ("add_paths", "QuerySyntaxError", "Threads", "search(query", "Hit", "Tally"):
        assert word in text
