#!/bin/sh
# examples.sh: the example programs (built against the public header and
# library only) index a few sample pages and find them.  TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"

tap_tmpdir eafex

if tap_want "the example programs on the sample pages" page; then
    out=$("$builddir/examples/index" "$tmp/ex.db" "$srcdir"/examples/archive/2018/*.md); rc=$?
    is "$rc" 0 "examples/index indexes pages"
    is "$out" "2 articles added or updated" "and counts them"
    out=$("$builddir/examples/search" "$tmp/ex.db" "tariffs"); rc=$?
    is "$rc" 0 "examples/search runs"
    contains "$out" "Tariffs and Tit-for-Tat" "and finds the article"
    contains "$out" "*tariffs*" "with the match marked in its snippet"
fi
"$builddir/examples/search" "$tmp/none.db" x >/dev/null 2>&1; rc=$?
is "$rc" 1 "a missing index is reported"

# eafsearch.pc: a program compiled against the header needs only its folder
# (the dependencies' flags, -I/usr/include/libxml2 and the like, are the
# library's own business); a static link gets every library it needs
if command -v pkg-config > /dev/null 2>&1; then
    cflags=$(PKG_CONFIG_PATH="$builddir" pkg-config --cflags eafsearch)
    is "$(printf '%s' "$cflags" | tr -s ' ' | sed 's/ $//')" "-I$(sed -n 's/^includedir=//p' "$builddir/eafsearch.pc" | sed "s|\${prefix}|$(sed -n 's/^prefix=//p' "$builddir/eafsearch.pc")|")" "pkg-config --cflags eafsearch: the header's folder only"
    static=$(PKG_CONFIG_PATH="$builddir" pkg-config --static --libs eafsearch)
    # (a parser's library is certain to be there when the reader that
    # needs it is: cmark for pages, libxml2 for WordPress exports, libyaml
    # for Markdown, libarchive for archives)
    for l in -leafsearch -lsqlite3 -lstemmer -lutf8proc -lxml2 -larchive -lyaml -ljansson -lcmark; do
        case $l in
            -lcmark) reader=page ;;
            -lxml2) reader=wxr ;;
            -lyaml) reader=markdown ;;
            -larchive) reader=archives ;;
            *) reader= ;;
        esac
        if [ -z "$reader" ] || tap_have "$reader"; then
            contains "$static" "$l" "pkg-config --static --libs: $l"
        else
            skip "pkg-config --static --libs: $l, not checked (this build has no $reader reader)"
        fi
    done
else
    ok 1 "pkg-config is installed (the build needs it)"
fi
done_testing
