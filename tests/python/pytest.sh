#!/bin/sh
# pytest.sh: the Python module's tests (tests/python/test_*.py, pytest),
# as TAP: one line per pytest test (tap_plugin.py writes them).
#
# The module is imported from the build tree (python/.libs), with the
# interpreter configure chose (EAF_PYTHON).  It skips, saying why, when
# the module is not built (no python3 with its headers, or
# --disable-python) or that interpreter has no pytest.
#
# In a build with --enable-sanitizers the module and the library are
# instrumented while the interpreter is not: ASan must be the first
# library loaded, so the tests run with LD_PRELOAD of the ASan and UBSan
# runtimes the library was linked with, and with ASan's leak check off
# (CPython keeps memory on purpose until exit, which LeakSanitizer would
# report as leaks of the interpreter's, not ours; the tests check our
# leaks with tracemalloc and RSS instead).
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"

python=${EAF_PYTHON:-python3}
if [ "${EAF_HAVE_PYTHON:-yes}" != yes ]; then
    echo "1..0 # SKIP the Python module is not built (configure found no python3 with its headers, Debian: python3-dev; or --disable-python)"
    exit 0
fi
if [ "${EAF_TEST_PYTEST:-yes}" != yes ] || ! "$python" -c 'import pytest' >/dev/null 2>&1; then
    echo "1..0 # SKIP needs pytest for $python (Debian: python3-pytest)"
    exit 0
fi
module_dir="$builddir/python/.libs"
if [ ! -f "$module_dir/eafsearch.so" ]; then
    echo "1..1"
    echo "not ok 1 - the module is built ($module_dir/eafsearch.so is missing)"
    exit 0
fi

if [ "${EAF_SANITIZERS:-0}" = 1 ]; then
    runtimes=$(ldd "$builddir/lib/.libs/libeafsearch.so" 2>/dev/null |
        awk '/lib(asan|ubsan)\.so/ { print $3 }' | tr '\n' ' ')
    case $runtimes in
        *libasan*) ;;
        *) echo "1..0 # SKIP the sanitizer build's ASan runtime was not found (ldd of libeafsearch.so), which an uninstrumented python must preload"
           exit 0 ;;
    esac
    LD_PRELOAD="$runtimes${LD_PRELOAD:+ $LD_PRELOAD}"
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    export LD_PRELOAD ASAN_OPTIONS
fi

tap_tmpdir eafpytest
PYTHONPATH="$module_dir:$srcdir/tests/python${PYTHONPATH:+:$PYTHONPATH}"
PYTHONDONTWRITEBYTECODE=1
EAF_TAP_OUT="$tmp/tap"
export PYTHONPATH PYTHONDONTWRITEBYTECODE EAF_TAP_OUT
(cd "$tmp" && "$python" -m pytest -p tap_plugin -p no:cacheprovider -q -rs \
    --rootdir "$srcdir/tests/python" "$srcdir/tests/python") > "$tmp/log" 2>&1
rc=$?
# each line ends with a newline, even when python died in the middle of
# one (the TAP driver reads its own status line after ours), and no NUL
if [ -s "$tmp/tap" ]; then
    tr -d '\000' < "$tmp/tap" | sed '$a\'
else
    echo "1..1"
    echo "not ok 1 - pytest ran (exit $rc) and reported its tests"
fi
tr -d '\000' < "$tmp/log" | sed -e 's/^/# /' -e '$a\'
exit 0
