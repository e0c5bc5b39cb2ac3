"""What a server needs of the index (the C library's 1.1 calls): the
generation, search-box completion and a time limit per call."""
import time

import pytest

import eafsearch


def article(i, title):
    return {"key": "k%d" % i, "title": title, "date": "2020-01-0%d" % (1 + i % 9),
            "body": "Body text number %d about the region and its trade." % i}


def test_generation(tmp_path):
    path = str(tmp_path / "gen.db")
    with eafsearch.Index(path, "c") as idx:
        assert idx.generation == 0
        idx.put(article(1, "Japan and China resume trade talks"))
        g1 = idx.generation
        assert g1 > 0
        with eafsearch.Index(path, "r") as ro:
            assert ro.generation == g1
        assert idx.put(article(1, "Japan and China resume trade talks")) == "unchanged"
        assert idx.generation == g1
        with idx.transaction():
            idx.put(article(2, "Japanese elections"))
            idx.put(article(3, "Japan's economy"))
        assert idx.generation == g1 + 1


def test_complete(tmp_path):
    with eafsearch.Index(str(tmp_path / "c.db"), "c") as idx:
        for i, t in enumerate(["Japan and China resume trade talks", "Japanese elections",
                               "Japan's economy", "Trade deficit widens"]):
            idx.put(article(i, t))
        got = idx.complete("jap", n=4)
        assert got[0] == ("Japan", "words", 2, None)
        assert got[1] == ("Japanese", "words", 1, None)
        titles = [g for g in got if g[1] == "title"]
        assert len(titles) == 2 and all(k.startswith("k") for _, _, _, k in titles)
        assert idx.complete("") == []
        assert idx.complete("zzqx") == []
        with pytest.raises(TypeError):
            idx.complete(None)


def test_time_limit(tmp_path):
    with eafsearch.Index(str(tmp_path / "t.db"), "c") as idx:
        with idx.transaction():
            for i in range(300):
                idx.put(article(i, "Title %d" % i))
        idx.set_time_limit(0.05)
        slow_calls = []

        def slow(phase, done, total):
            slow_calls.append(phase)
            time.sleep(0.2)

        with pytest.raises(eafsearch.TimeLimitError) as e:
            idx.build_related(progress=slow)
        assert isinstance(e.value, TimeoutError) and e.value.status == "EAF_TIMEOUT"
        assert "time limit" in str(e.value)
        assert len(idx) == 300  # the next call has its own limit
        idx.set_time_limit(None)
        before = len(slow_calls)
        idx.build_related(progress=slow)  # no limit: runs to its end
        assert len(slow_calls) > before
        with pytest.raises(ValueError):
            idx.set_time_limit(-1)
