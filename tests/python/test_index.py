"""Index: opening, articles in and out, the mapping protocol,
transactions, check, export, and the exceptions of each status code."""
import datetime
import io
import json
import os
import sqlite3

import pytest

import eafsearch
from conftest import need


ARTICLE = {
    "key": "2019/rice",
    "url": "https://example.org/2019/rice",
    "title": "Rice tariffs and the US-Japan trade deal",
    "date": "2019-10-07",
    "authors": [("Helen Marchetti", "Institute for Pacific Economic Studies"), "Kenji Ota"],
    "topics": ["Trade"],
    "countries": ["Japan", "United States"],
    "tags": ["agriculture"],
    "summary": "What the deal does for rice.",
    "body": "Japan kept its rice tariffs.\n\nThe deal covers beef and pork.",
    "bio": "Helen Marchetti writes on trade.",
    "language": "en",
    "related_titles": ["Beef and the CPTPP"],
}


def test_module_documents_itself():
    assert "Index" in eafsearch.__doc__ and "Threads" in eafsearch.__doc__
    assert eafsearch.Index.search.__doc__.startswith("search(query")
    assert eafsearch.version() == eafsearch.__version__
    assert "english" in eafsearch.languages()
    assert set(eafsearch.formats()) >= {"page", "jsonl", "html", "markdown", "wxr", "archives"}


def test_put_get_roundtrip(fresh):
    assert fresh.put(ARTICLE) == "added"
    a = fresh.get("2019/rice")
    assert isinstance(a, eafsearch.Article)
    assert a.key == "2019/rice" and a.url == ARTICLE["url"]
    assert a.title == ARTICLE["title"]
    assert a.date == datetime.date(2019, 10, 7) and a.date_text == "2019-10-07"
    assert a.authors == (("Helen Marchetti", "Institute for Pacific Economic Studies"),
                         ("Kenji Ota", None))
    assert a.topics == ("Trade",) and a.countries == ("Japan", "United States")
    assert a.tags == ("agriculture",) and a.related_titles == ("Beef and the CPTPP",)
    assert a.body == ARTICLE["body"] and a.bio == ARTICLE["bio"] and a.language == "en"
    # the same article again changes nothing; an Article is taken as a dict is
    assert fresh.put(a) == "unchanged"
    b = eafsearch.Article(**dict(a.asdict(), title="Rice tariffs, revisited"))
    assert fresh.put(b) == "updated"
    assert fresh["2019/rice"].title == "Rice tariffs, revisited"
    assert fresh.get("2019/rice") == fresh.get("2019/rice")


def test_partial_dates_and_date_objects(fresh):
    fresh.put({"key": "y", "title": "A year", "date": 2017})
    fresh.put({"key": "m", "title": "A month", "date": "2018-05"})
    fresh.put({"key": "d", "title": "A day", "date": datetime.date(2020, 2, 29)})
    assert fresh["y"].date_text == "2017" and fresh["y"].date == datetime.date(2017, 1, 1)
    assert fresh["m"].date_text == "2018-05" and fresh["m"].date == datetime.date(2018, 5, 1)
    assert fresh["d"].date == datetime.date(2020, 2, 29)


def test_export_names_are_taken(fresh):
    # a line of an export, as json.loads gives it, is an article
    fresh.put({"id": "e", "title": "Exported", "lang": "en", "related": ["Other"],
               "authors": [{"name": "A. Writer", "affiliation": None}]})
    assert fresh["e"].language == "en" and fresh["e"].related_titles == ("Other",)
    assert fresh["e"].authors == (("A. Writer", None),)


def test_mapping_protocol(fresh):
    assert len(fresh) == 0 and list(fresh) == []
    for k in ("b", "a", "c"):
        fresh.put({"key": k, "title": "Title " + k})
    assert len(fresh) == 3
    assert list(fresh) == ["a", "b", "c"] and fresh.keys() == ["a", "b", "c"]
    assert "a" in fresh and "z" not in fresh
    del fresh["b"]
    fresh.delete("c")
    assert list(fresh) == ["a"]
    assert fresh.get("zz", None) is None
    with pytest.raises(KeyError):
        fresh["zz"]
    with pytest.raises(eafsearch.NotFoundError) as e:
        fresh.delete("zz")
    assert e.value.status == "EAF_NOTFOUND"
    with pytest.raises(TypeError):
        fresh["x"] = {"key": "x"}


def test_transaction_commits_or_rolls_back(tmp_path):
    path = str(tmp_path / "t.db")
    with eafsearch.Index(path, "c") as ix:
        with ix.transaction():
            for i in range(50):
                ix.put({"key": "k%d" % i, "title": "Article %d" % i})
            # another handle sees nothing until the commit
            with eafsearch.Index(path) as other:
                assert len(other) == 0
        assert len(ix) == 50
        with pytest.raises(ZeroDivisionError):
            with ix.transaction():
                ix.put({"key": "lost", "title": "Lost"})
                1 / 0
        assert "lost" not in ix and len(ix) == 50
        with ix.transaction():
            with pytest.raises(eafsearch.MisuseError):
                with ix.transaction():
                    pass


def test_bad_articles_are_refused(fresh):
    with pytest.raises(eafsearch.InvalidError):
        fresh.put({"title": "no key"})
    with pytest.raises(ValueError):   # InvalidError is a ValueError
        fresh.put({"key": "x", "title": "bad date", "date": "2019-02-30"})
    with pytest.raises(TypeError, match="titel"):
        fresh.put({"key": "x", "titel": "typo"})
    with pytest.raises(TypeError):
        fresh.put({"key": "x", "authors": [42]})
    with pytest.raises(TypeError):
        fresh.put(["not", "an", "article"])
    with pytest.raises(TypeError):
        eafsearch.Article(nope=1)
    assert len(fresh) == 0


def test_hostile_text_is_stored(fresh):
    # lone surrogates and NULs in a str: stored with replacement characters
    fresh.put({"key": "h", "title": "bad \udcff text", "body": "nul \x00 byte"})
    assert "\ufffd" in fresh["h"].body or "nul" in fresh["h"].body


def test_open_modes_and_errors(tmp_path):
    missing = str(tmp_path / "missing.db")
    with pytest.raises(eafsearch.NotFoundError) as e:
        eafsearch.Index(missing)
    assert "missing.db" in str(e.value) and e.value.status == "EAF_NOTFOUND"
    with pytest.raises(eafsearch.NotFoundError):
        eafsearch.Index(missing, "w")
    with pytest.raises(ValueError):
        eafsearch.Index(missing, "x")
    with pytest.raises(eafsearch.MisuseError):
        eafsearch.Index(missing, "c", language="klingon")
    garbage = tmp_path / "garbage.db"
    garbage.write_text("not a database at all, certainly not an index of ours\n")
    with pytest.raises(eafsearch.CorruptError):
        eafsearch.Index(str(garbage))
    other = str(tmp_path / "other.db")
    con = sqlite3.connect(other)
    con.execute("create table t(x)")
    con.commit()
    con.close()
    with pytest.raises(eafsearch.SchemaError) as e:
        eafsearch.Index(other, "w")
    assert isinstance(e.value, eafsearch.Error)
    # an index created in French stays French
    fr = str(tmp_path / "fr.db")
    eafsearch.Index(fr, "c", language="french").close()
    with eafsearch.Index(fr) as ix:
        assert ix.language == "french"
    with pytest.raises(eafsearch.MisuseError):
        eafsearch.Index(fr, "w", language="german")


def test_readonly(tmp_path):
    path = str(tmp_path / "ro.db")
    with eafsearch.Index(path, "c") as ix:
        ix.put({"key": "a", "title": "A"})
    with eafsearch.Index(path, "r") as ix:
        assert ix.readonly and len(ix) == 1
        with pytest.raises(eafsearch.ReadOnlyError) as e:
            ix.put({"key": "b", "title": "B"})
        assert e.value.status == "EAF_READONLY"
        with pytest.raises(eafsearch.ReadOnlyError):
            ix.delete("a")
        with pytest.raises(eafsearch.ReadOnlyError):
            ix.add_paths([str(tmp_path)])


def test_busy(tmp_path):
    path = str(tmp_path / "busy.db")
    with eafsearch.Index(path, "c", lock=True):
        with pytest.raises(eafsearch.BusyError) as e:
            eafsearch.Index(path, "w", lock=True, timeout=0.2)
        assert e.value.status == "EAF_BUSY"
        # readers go on
        with eafsearch.Index(path) as reader:
            assert len(reader) == 0


def test_closed_index(tmp_path):
    ix = eafsearch.Index(str(tmp_path / "c.db"), "c")
    assert not ix.closed
    ix.close()
    ix.close()
    assert ix.closed and "closed" in repr(ix)
    with pytest.raises(ValueError):
        len(ix)
    with pytest.raises(ValueError):
        ix.search("x")


def test_check_finds_damage(tmp_path):
    path = str(tmp_path / "chk.db")
    with eafsearch.Index(path, "c") as ix:
        ix.put({"key": "a", "title": "Alpha", "body": "alpha text"})
        ix.put({"key": "b", "title": "Beta", "body": "beta text"})
        assert ix.check() == []
    # an article row whose full-text entries are gone
    con = sqlite3.connect(path)
    names = [r[0] for r in con.execute("select name from sqlite_master")]
    assert "article" in names
    con.execute("delete from fts_docsize where id = (select id from article where key = 'a')"
                if "fts_docsize" in names else "select 1")
    con.commit()
    con.close()
    with eafsearch.Index(path, "w") as ix:
        problems = ix.check()
        assert problems, "the damage is reported"
        assert all(isinstance(p, str) for p in problems)
        ix.rebuild()
        assert ix.check() == []


def test_export_roundtrip(sample, tmp_path):
    out = tmp_path / "export.jsonl"
    n = sample.export(str(out))
    assert n == len(sample)
    lines = out.read_text().splitlines()
    assert json.loads(lines[0])["eafsearch_export"]["language"] == "english"
    assert len(lines) == n + 1
    # to a text file object and to a binary one: the same bytes
    text, binary = io.StringIO(), io.BytesIO()
    assert sample.export(text) == n and sample.export(binary) == n
    assert text.getvalue().encode() == binary.getvalue() == out.read_bytes()
    # read back into a new index: the same articles
    need("jsonl")
    with eafsearch.Index(str(tmp_path / "copy.db"), "c", lock=True) as copy:
        tally = copy.add_paths([str(out)])
        assert tally.added == n and tally.failed == 0
        assert list(copy) == list(sample)
        for key in list(sample)[:5]:
            assert copy[key] == sample[key]


def test_export_write_errors_propagate(sample):
    class Broken:
        def write(self, data):
            raise OSError("disk full")
    with pytest.raises(OSError, match="disk full"):
        sample.export(Broken())
    with pytest.raises(OSError):
        sample.export("/nonexistent-folder/x.jsonl")


def test_stubs_name_the_module():
    import ast
    from conftest import SRCDIR
    tree = ast.parse(open(os.path.join(SRCDIR, "python", "eafsearch.pyi")).read())
    stubbed = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    public = {n for n in dir(eafsearch) if not n.startswith("_")}
    assert stubbed == public
    index_stub = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Index")
    methods = {n.name for n in index_stub.body if isinstance(n, ast.FunctionDef)}
    assert {m for m in dir(eafsearch.Index) if not m.startswith("_")} <= methods | {
        "path", "language", "closed", "readonly", "generation"}


def test_example_script(tmp_path):
    import subprocess
    import sys
    from conftest import ARCHIVE, SRCDIR
    need("page")
    script = os.path.join(SRCDIR, "examples", "python", "search_archive.py")
    p = subprocess.run([sys.executable, script, str(tmp_path / "ex.db"), ARCHIVE, "--",
                        "Japan", "China"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    from conftest import count_articles
    assert p.stdout.startswith("%d added, 0 updated" % count_articles())
    assert "Helen Marchetti" in p.stdout or "related to" in p.stdout
    assert "related to" in p.stdout and "text " in p.stdout
