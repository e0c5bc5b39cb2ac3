#!/bin/sh
# browser.sh: eafserve's pages in headless Chromium (tests/browser/test_pages.py,
# Selenium), TAP.  The fixture index and the pages as files come from
# tests/unit/test_serve_page --render; with tools/eafserve built, the pages
# are driven through the server on a loopback port (search, a facet, the
# next page, an article, a related post, the keyboard, the completion, the
# hostile cases), else only the rendered files are (the hostile cases,
# the keyboard, a phone's width).  Screenshots go to
# tests/browser/screenshots/ in the build tree.
#
# Skipped, saying what is missing, without Debian's python3-selenium,
# chromium or chromium-driver.  EAF_BROWSER_PYTHON, EAF_CHROMIUM and
# EAF_CHROMEDRIVER point elsewhere.
set -u
src=${EAF_TEST_SRCDIR:-.}
build=${EAF_TEST_BUILDDIR:-.}
python=${EAF_BROWSER_PYTHON:-/usr/bin/python3}
chromium=${EAF_CHROMIUM:-}
driver=${EAF_CHROMEDRIVER:-}

missing=""
if [ -z "$chromium" ]; then
    for c in /usr/bin/chromium /usr/bin/chromium-browser; do
        [ -x "$c" ] && { chromium=$c; break; }
    done
fi
[ -n "$chromium" ] && [ -x "$chromium" ] || missing="$missing chromium"
if [ -z "$driver" ]; then
    for c in /usr/bin/chromedriver /usr/lib/chromium/chromedriver; do
        [ -x "$c" ] && { driver=$c; break; }
    done
fi
[ -n "$driver" ] && [ -x "$driver" ] || missing="$missing chromium-driver"
if [ ! -x "$python" ] || ! "$python" -c 'import selenium' >/dev/null 2>&1; then
    missing="$missing python3-selenium(for $python)"
fi
if [ ! -x "$build/tests/unit/test_serve_page" ]; then
    missing="$missing tests/unit/test_serve_page"
fi
if [ -n "$missing" ]; then
    echo "1..0 # SKIP missing:$missing"
    exit 0
fi
# under valgrind or the sanitizers, Chromium adds nothing: the pages are
# the same; the unit test covers the code
if [ -n "${EAF_TEST_WRAPPER:-}" ]; then
    echo "1..0 # SKIP not under $EAF_TEST_WRAPPER"
    exit 0
fi

work=$build/tests/browser/work
shots=$build/tests/browser/screenshots
rm -rf "$work"
mkdir -p "$work" "$shots" || exit 99
if ! "$build/tests/unit/test_serve_page" --render "$work/pages" >"$work/render.log" 2>&1; then
    echo "1..1"
    echo "not ok 1 - render the fixture pages"
    sed -e 's/^/# /' -e '$a\' "$work/render.log"
    exit 1
fi

server=""
[ -x "$build/tools/eafserve" ] && server=$build/tools/eafserve
exec "$python" "$src/tests/browser/test_pages.py" --chromium "$chromium" --driver "$driver" \
    --work "$work" --shots "$shots" ${server:+--server "$server"}
