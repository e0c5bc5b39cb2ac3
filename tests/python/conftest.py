"""Fixtures of the Python module's tests: the trees, the sample archive
(examples/archive, 44 article pages), an index of it made once per run,
and which readers this build has (a test that needs one it lacks
skips, saying so, as the shell tests do with tap_need)."""
import os
import shutil
import signal

import pytest

import eafsearch

# A shell starts a background job with SIGINT ignored, and Python then
# leaves it so: no KeyboardInterrupt, and _thread.interrupt_main() does
# nothing.  The interrupt tests need Python's own handler wherever the
# suite was started from.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

SRCDIR = os.environ.get("EAF_TEST_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("EAF_TEST_BUILDDIR", SRCDIR)
ARCHIVE = os.path.join(SRCDIR, "examples", "archive")
EAFINDEX = os.path.join(BUILDDIR, "tools", "eafindex")
SANITIZERS = os.environ.get("EAF_SANITIZERS", "0") == "1"

# the articles about Japan-China relations in the sample archive (as
# tests/cli/tools.sh)
JC_KEYS = sorted([
    "2008/a-warm-spring-for-japan-and-china",
    "2010/after-the-trawler-collision-what-the-senkaku-incident-reveals-about-japan-china-relations",
    "2012/forty-years-on-japan-and-china-face-their-hardest-test",
    "2014/the-handshake-in-beijing-can-japan-and-china-build-on-the-apec-meeting",
    "2018/japans-balancing-act-in-beijing",
    "2020/economic-security-and-the-limits-of-decoupling-between-japan-and-china",
    "2023/treated-water-and-the-politics-of-seafood-in-china-japan-relations",
])


def have(*readers):
    """Whether this build has the readers (page, jsonl, html, markdown,
    wxr, archives): make check passes what configure found."""
    formats = os.environ.get("EAF_TEST_FORMATS", "page jsonl html markdown wxr").split()
    for r in readers:
        if r == "archives":
            if os.environ.get("EAF_TEST_ARCHIVES", "yes") != "yes":
                return False
        elif r not in formats:
            return False
    return True


def need(*readers):
    if not have(*readers):
        pytest.skip("needs the %s reader(s) (this build was configured without)"
                    % ", ".join(readers))


def count_articles():
    n = 0
    for _, _, files in os.walk(ARCHIVE):
        n += sum(1 for f in files if f.endswith(".md"))
    return n


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory):
    """An index of the sample archive, made with add_paths, read-only
    for the tests that use it."""
    need("page")
    path = str(tmp_path_factory.mktemp("sample") / "sample.db")
    with eafsearch.Index(path, "c", lock=True) as ix:
        tally = ix.add_paths([ARCHIVE])
        assert tally.failed == 0, tally.errors
    return path


@pytest.fixture
def sample(sample_db):
    with eafsearch.Index(sample_db) as ix:
        yield ix


@pytest.fixture
def fresh(tmp_path):
    """A new, empty index opened read-write."""
    with eafsearch.Index(str(tmp_path / "fresh.db"), "c") as ix:
        yield ix


@pytest.fixture
def archive_copy(tmp_path):
    need("page")
    dest = tmp_path / "archive"
    shutil.copytree(ARCHIVE, dest)
    return dest
