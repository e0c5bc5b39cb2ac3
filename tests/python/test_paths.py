"""add_paths(): eafindex's run from Python.  Its tally and messages are
eafindex's own (the same code runs), so they are compared with
eafindex's on the same files; then archives, pruning, options, the
progress callback, the GIL released, and an interrupt (SIGINT) in the
middle of a run."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time

import pytest

import eafsearch
from conftest import ARCHIVE, EAFINDEX, SANITIZERS, count_articles, need

HERE = os.path.dirname(os.path.abspath(__file__))


def tally_line(t):
    return ("%d added, %d updated, %d unchanged, %d removed, %d skipped, %d failed"
            % (t.added, t.updated, t.unchanged, t.removed, t.skipped, t.failed))


def eafindex(db, *paths):
    """eafindex's tally line and its messages (without its name)."""
    p = subprocess.run([EAFINDEX, "-d", db] + [str(x) for x in paths], capture_output=True,
                       text=True)
    errs = [line.split(": ", 1)[1] for line in p.stderr.splitlines() if line]
    return p.stdout.strip(), errs


def make_corpus(folder, files, per_file, words=150):
    """JSON Lines files of made-up articles (nothing of ../shared)."""
    os.makedirs(folder, exist_ok=True)
    vocab = ("trade tariff rice alliance security election reform budget export import "
             "growth policy minister summit treaty border energy climate finance bank "
             "market labour wage housing rail port island fishery drone chip").split()
    n = 0
    for f in range(files):
        with open(os.path.join(folder, "part%04d.jsonl" % f), "w") as out:
            for i in range(per_file):
                body = " ".join(vocab[(n * 7 + k * k) % len(vocab)] for k in range(words))
                out.write(json.dumps({"id": "gen/%d" % n, "title": "Article %d on %s" % (
                    n, vocab[n % len(vocab)]), "date": "2019-%02d-01" % (n % 12 + 1),
                    "body": body}) + "\n")
                n += 1
    return n


def test_tally_is_eafindexs(archive_copy, tmp_path):
    n = count_articles()
    with eafsearch.Index(str(tmp_path / "py.db"), "c", lock=True) as ix:
        t = ix.add_paths([str(archive_copy)])
        line, errs = eafindex(str(tmp_path / "c.db"), archive_copy)
        assert tally_line(t) == line == "%d added, 0 updated, 0 unchanged, 0 removed, " \
            "0 skipped, 0 failed" % n
        assert t.errors == () and errs == []
        assert len(ix) == n
        # the second run reads nothing again
        t = ix.add_paths([str(archive_copy)])
        assert tally_line(t) == eafindex(str(tmp_path / "c.db"), archive_copy)[0]
        assert (t.added, t.unchanged) == (0, n)
        # an edited page is updated, a deleted one pruned (the folder was indexed)
        page = archive_copy / "2018" / "japans-balancing-act-in-beijing.md"
        page.write_text(page.read_text().replace(" the ", " the quokkaword ", 1))
        gone = next((archive_copy / "2008").iterdir())
        gone.unlink()
        t = ix.add_paths(archive_copy)  # a single path needs no list
        assert tally_line(t) == eafindex(str(tmp_path / "c.db"), archive_copy)[0]
        assert (t.updated, t.removed) == (1, 1)
        assert [h.key for h in ix.search("quokkaword")] == [
            "2018/japans-balancing-act-in-beijing"]
        assert len(ix) == n - 1 and ix.check() == []


def test_bad_files_are_messages(tmp_path):
    need("page", "jsonl")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "notitle.md").write_text("just text, no heading\n")
    shutil.copy(os.path.join(ARCHIVE, "2012", "myanmars-by-elections-and-the-sequencing-of-reform.md"),
                bad / "good.md")
    (bad / "lines.jsonl").write_text(
        '{"id": "a", "title": "First"}\n{"id": \n'
        '{"id": "c", "title": "Third", "date": "2019-02-30"}\n{"id": "d", "title": "Fourth"}\n')
    with eafsearch.Index(str(tmp_path / "py.db"), "c", lock=True) as ix:
        t = ix.add_paths([str(bad), str(tmp_path / "does-not-exist")])
        line, errs = eafindex(str(tmp_path / "c.db"), bad, tmp_path / "does-not-exist")
        assert tally_line(t) == line
        assert list(t.errors) == errs  # the same messages, one per problem
        assert t.failed == 3 and t.failed_files >= 3
        assert any("lines.jsonl:2: invalid JSON" in e for e in t.errors)
        assert any("does-not-exist" in e for e in t.errors)
        assert [h.key for h in ix.search("fourth")] == ["d"]


def test_archives_and_formats(tmp_path):
    need("page", "archives")
    tgz = tmp_path / "site.tar.gz"
    with tarfile.open(tgz, "w:gz") as tf:
        for year in sorted(os.listdir(ARCHIVE)):
            tf.add(os.path.join(ARCHIVE, year), arcname=year)
    with eafsearch.Index(str(tmp_path / "tar.db"), "c", lock=True) as ix:
        t = ix.add_paths([str(tgz)])
        assert t.added == count_articles() and t.failed == 0
        with eafsearch.Index(str(tmp_path / "dir.db"), "c", lock=True) as by_dir:
            by_dir.add_paths([ARCHIVE])
            assert list(ix) == list(by_dir)  # an archive gives the folder's articles
    with eafsearch.Index(str(tmp_path / "f.db"), "c", lock=True) as ix:
        with pytest.raises(ValueError):
            ix.add_paths([ARCHIVE], format="xml")
        # a page forced to be read as JSON Lines fails, with a message
        page = os.path.join(ARCHIVE, "2018", "japans-balancing-act-in-beijing.md")
        t = ix.add_paths([page], format="jsonl")
        assert t.added == 0 and t.failed >= 1 and t.errors
        # excluded by pattern
        t = ix.add_paths([ARCHIVE], exclude=["2008", "*.txt"])
        assert t.added == count_articles() - len(os.listdir(os.path.join(ARCHIVE, "2008")))


def test_progress_and_gil(tmp_path):
    need("jsonl")
    total = make_corpus(str(tmp_path / "corpus"), 40, 50)
    calls = []
    ticks = [0]
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks[0] += 1
            time.sleep(0.001)
    th = threading.Thread(target=ticker)
    with eafsearch.Index(str(tmp_path / "g.db"), "c", lock=True) as ix:
        th.start()
        t0 = time.monotonic()
        t = ix.add_paths([str(tmp_path / "corpus")], related=False)
        elapsed = time.monotonic() - t0
        done.set()
        th.join()
        assert t.added == total
        # with the GIL held for the run, the ticker would tick only when the
        # run takes it back (ten times a second); released, it ticks on
        assert ticks[0] / elapsed > 40, (ticks[0], elapsed)
        ix.add_paths([str(tmp_path / "corpus")], progress=lambda *a: calls.append(a))
    assert calls, "progress was called"
    files_done, files_total, tally = calls[-1]
    assert files_total == 40 and 0 <= files_done <= 40
    assert isinstance(tally, eafsearch.Tally)


def test_progress_exception_stops_the_run(tmp_path):
    need("jsonl")
    total = make_corpus(str(tmp_path / "corpus"), 200, 40)

    class Enough(Exception):
        pass

    def progress(done, of, tally):
        if tally.added > 0:  # once a batch is committed
            raise Enough()
    with eafsearch.Index(str(tmp_path / "s.db"), "c", lock=True) as ix:
        with pytest.raises(Enough) as e:
            ix.add_paths([str(tmp_path / "corpus")], batch=40, related=False,
                         progress=progress)
        kept = e.value.tally.added
        assert 0 < kept < total and len(ix) == kept
        assert ix.check() == []
        t = ix.add_paths([str(tmp_path / "corpus")], related=False)
        assert len(ix) == total and t.added == total - kept


@pytest.mark.parametrize("mode", ["progress", "quiet"])
def test_interrupt_mid_indexing(tmp_path, mode):
    """SIGINT to a process running add_paths: it stops at the next article,
    keeps what it committed, and the index is sound; with a progress
    callable (Python code, where the interpreter itself notices the
    signal) and without one (the run checks for signals itself)."""
    need("jsonl")
    total = make_corpus(str(tmp_path / "corpus"), 200, 40)
    db = str(tmp_path / "int.db")
    child = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "helper_indexer.py"), "add_paths", db,
         str(tmp_path / "corpus"), mode], stdout=subprocess.PIPE, text=True)
    line = child.stdout.readline()  # the first progress report: running
    assert line.startswith("progress"), line
    time.sleep(0.3)
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=120)
    report = json.loads(out.strip().splitlines()[-1])
    assert report["interrupted"], report
    assert child.returncode == 0
    with eafsearch.Index(db, "w", lock=True) as ix:
        kept = len(ix)
        assert kept == report["added"] and 0 < kept < total
        assert ix.check() == []
        t = ix.add_paths([str(tmp_path / "corpus")], related=False)
        assert len(ix) == total and t.added == total - kept
