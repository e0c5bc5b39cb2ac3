# tap.sh: the prologue the shell tests share, sourced as their first line:
#
#     . "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"
#
# It sets -u; names the trees (srcdir, builddir: make check passes them as
# EAF_TEST_SRCDIR and EAF_TEST_BUILDDIR) and the programs built there
# (eafindex, eafquery, eafrelated, jsonkeys); leaves out EAFSEARCH_DB, so
# that no index of the user's is reached by accident; and gives the TAP
# helpers below.  tap_tmpdir makes the test's temporary folder; tap_need
# skips the whole test when this build lacks a reader it needs; tap_have
# and tap_want let a test that can go on without one leave out what needs
# it.
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

# The readers this build has: make check passes what configure found
# (EAF_TEST_FORMATS, EAF_TEST_ARCHIVES); run by hand, a test assumes all.
tap_have() {  # tap_have FORMAT... (page, jsonl, html, markdown, wxr, or archives)
    for tap_what in "$@"; do
        case $tap_what in
            archives) [ "${EAF_TEST_ARCHIVES:-yes}" = yes ] || return 1 ;;
            *) case " ${EAF_TEST_FORMATS:-page jsonl html markdown wxr} " in
                   *" $tap_what "*) ;;
                   *) return 1 ;;
               esac ;;
        esac
    done
    return 0
}
tap_need() {  # tap_need FORMAT...: skips the whole test unless tap_have
    for tap_what in "$@"; do
        tap_have "$tap_what" && continue
        case $tap_what in
            archives) echo "1..0 # SKIP needs archives (this build was configured without libarchive)" ;;
            *) echo "1..0 # SKIP needs the $tap_what reader (this build was configured without it)" ;;
        esac
        exit 0
    done
}
skip() {  # skip WHY: one skipped check standing for those a missing reader leaves out
    tap_n=$((tap_n + 1))
    echo "ok $tap_n # SKIP $1"
}
tap_want() {  # tap_want WHAT FORMAT...: tap_have, or else one skip for the checks of WHAT
    tap_label=$1
    shift
    tap_lacks=
    tap_s=
    tap_it=it
    for tap_what in "$@"; do
        tap_have "$tap_what" && continue
        [ -n "$tap_lacks" ] && tap_s=s && tap_it=them
        tap_lacks="${tap_lacks:+$tap_lacks, }$tap_what"
    done
    [ -z "$tap_lacks" ] && return 0
    skip "$tap_label: needs the $tap_lacks reader$tap_s (this build was configured without $tap_it)"
    return 1
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
