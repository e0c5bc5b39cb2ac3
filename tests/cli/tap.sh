# tap.sh: the prologue the shell tests share, sourced as their first line:
#
#     . "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"
#
# It sets -u; names the trees (srcdir, builddir: make check passes them as
# EAF_TEST_SRCDIR and EAF_TEST_BUILDDIR) and the programs built there
# (eafindex, eafquery, eafrelated, jsonkeys); leaves out EAFSEARCH_DB, so
# that no index of the user's is reached by accident; and gives the TAP
# helpers below.  tap_tmpdir makes the test's temporary folder.
set -u
srcdir=${EAF_TEST_SRCDIR:-.}
builddir=${EAF_TEST_BUILDDIR:-.}
eafindex="$builddir/tools/eafindex"
eafquery="$builddir/tools/eafquery"
eafrelated="$builddir/tools/eafrelated"
jsonkeys="$builddir/tests/jsonkeys"
unset EAFSEARCH_DB

tap_tmpdir() {  # tap_tmpdir NAME [PARENT]: sets tmp, a new folder removed at exit
    tmp=$(mktemp -d "${2:-${TMPDIR:-/tmp}}/$1.XXXXXX")
    # (u+w first: a test may leave read-only files and folders behind)
    trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
}

tap_n=0
tap_failed=0
ok() {  # ok CONDITION-STATUS DESCRIPTION
    tap_n=$((tap_n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $tap_n - $2"
    else
        echo "not ok $tap_n - $2"
        tap_failed=$((tap_failed + 1))
    fi
}
is() {  # is GOT EXPECTED DESCRIPTION
    tap_n=$((tap_n + 1))
    if [ "$1" = "$2" ]; then
        echo "ok $tap_n - $3"
    else
        echo "not ok $tap_n - $3"
        printf '#   got:      %s\n' "$1" | head -20
        printf '#   expected: %s\n' "$2" | head -20
        tap_failed=$((tap_failed + 1))
    fi
}
contains() {  # contains HAYSTACK NEEDLE DESCRIPTION
    case "$1" in
        *"$2"*) is x x "$3" ;;
        *) is "$1" "(something containing) $2" "$3" ;;
    esac
}
done_testing() {
    echo "1..$tap_n"
    [ "$tap_failed" -eq 0 ]
}
