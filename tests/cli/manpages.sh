#!/bin/sh
# manpages.sh: every long option a tool's --help lists is documented in its
# man page (and, for eafindex, named in the README's synopsis, by its long
# name where the synopsis has no short one), and every man page is valid roff (man -l renders it without
# warnings when groff is present).  TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"

for page in eafindex.1 eafquery.1 eafrelated.1 eafserve.8; do
    tool=${page%.*}
    if [ ! -x "$builddir/tools/$tool" ]; then
        skip "$tool is not built (configure found no libmicrohttpd or zlib)"
        continue
    fi
    page="$srcdir/man/$page"
    # the man page text with roff escapes for '-' removed
    text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$page")
    opts=$("$builddir/tools/$tool" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
    n=$(printf '%s\n' "$opts" | grep -c .)
    ok "$([ "$n" -ge 5 ] && echo 0 || echo 1)" "$tool --help lists $n long options"
    for opt in $opts; do
        case "$text" in
            *"$opt"*) ok 0 "$tool: $opt is in $tool.1" ;;
            *) ok 1 "$tool: $opt is in $tool.1" ;;
        esac
    done
    for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
        grep -q "^\.SH \"*$section\"*\$" "$page"
        ok $? "$tool.1 has the section $section"
    done
done
# the README's synopsis of eafindex names every option of its --help
synopsis=$(sed -n '/^eafindex \[/,/^eafquery \[/p' "$srcdir/README.md")
for opt in $("$builddir/tools/eafindex" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    case "$opt" in --help|--version|--verbose|--quiet|--db|--format|--language|--batch|--dry-run|--checksum|--exclude|--null) continue ;; esac
    case "$synopsis" in
        *"$opt"*) ok 0 "README: eafindex's synopsis has $opt" ;;
        *) ok 1 "README: eafindex's synopsis has $opt" ;;
    esac
done

for page in "$srcdir"/man/*.[1378]; do
    grep -q '^\.TH ' "$page"
    ok $? "$(basename "$page") has a title line"
    if command -v groff >/dev/null 2>&1; then
        warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
        is "$warnings" "" "$(basename "$page") renders without warnings"
    fi
done
done_testing
