#!/bin/sh
# http.sh: eafserve's HTTP tests (tests/serve/http_test.py): a server on an
# ephemeral loopback port, every route, the headers, the signals, hostile
# requests.  They need eafserve (configure finds libmicrohttpd and zlib)
# and Debian's python3; without either they skip, saying which.  Under
# make check-valgrind (EAF_TEST_WRAPPER) the main server runs under it.
# TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"

if [ "${EAF_TEST_SERVE:-yes}" != yes ] || [ ! -x "$builddir/tools/eafserve" ]; then
    echo "1..0 # SKIP eafserve is not built (configure found no libmicrohttpd or zlib)"
    exit 0
fi
python=/usr/bin/python3
if [ ! -x "$python" ]; then
    echo "1..0 # SKIP needs /usr/bin/python3 (Debian's python3) to drive the server"
    exit 0
fi
tap_tmpdir eafserve
# tools/eafserve is a libtool wrapper: the tool runs the program it starts
wrapper=
if [ -n "${EAF_TEST_WRAPPER:-}" ]; then
    wrapper="$builddir/libtool --mode=execute $EAF_TEST_WRAPPER"
fi
# shellcheck disable=SC2086 # the wrapper is a command and its options
"$python" "$srcdir/tests/serve/http_test.py" "$builddir" "$srcdir" "$tmp" $wrapper
