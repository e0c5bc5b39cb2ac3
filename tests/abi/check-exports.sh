#!/bin/sh
# check-exports.sh: the symbols the shared library exports are exactly the
# functions the public header declares, no more (no leaked internals) and
# no fewer (nothing declared but missing).  TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"
so="$builddir/lib/.libs/libeafsearch.so"
cpp=${CPP:-cpp}
tap_tmpdir eafabi

if [ ! -f "$so" ]; then
    echo "1..0 # SKIP no shared library built ($so)"
    exit 0
fi

# declared: every eaf_name( in the preprocessed header
$cpp -P -I"$srcdir/include" -I"$builddir/include" "$srcdir/include/eafsearch.h" |
    grep -o 'eaf_[a-z0-9_]*[[:space:]]*(' | sed 's/[[:space:]]*($//' | sort -u > "$tmp/declared"
# exported: defined dynamic symbols that are functions
nm -D --defined-only "$so" | awk '$2 == "T" { print $3 }' | sort -u > "$tmp/exported"

n=$(wc -l < "$tmp/declared")
if [ "$n" -gt 20 ]; then
    echo "ok 1 - the header declares $n functions"
else
    echo "not ok 1 - the header declares only $n functions (parsing failed?)"
fi
extra=$(comm -13 "$tmp/declared" "$tmp/exported")
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
if [ -z "$extra" ]; then
    echo "ok 2 - nothing exported beyond the header"
else
    echo "not ok 2 - exported but not declared:"; echo "$extra" | sed 's/^/#   /'
fi
if [ -z "$missing" ]; then
    echo "ok 3 - every declared function is exported"
else
    echo "not ok 3 - declared but not exported:"; echo "$missing" | sed 's/^/#   /'
fi
other=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRV]$/ && $3 !~ /^eaf_/ { print $3 }')
if [ -z "$other" ]; then
    echo "ok 4 - no other symbol is exported"
else
    echo "not ok 4 - other exported symbols:"; echo "$other" | sed 's/^/#   /'
fi

# each release's promise: every function of its list stays (new ones may
# join the later lists)
gone=
lists=
for list in "$srcdir"/tests/abi/exports-*; do
    lists="$lists ${list##*/exports-} ($(wc -l < "$list"))"
    gone="$gone$(comm -23 "$list" "$tmp/exported")"
done
if [ -z "$gone" ]; then
    echo "ok 5 - every function of each release is still exported:$lists"
else
    echo "not ok 5 - functions of a release no longer exported:"; echo "$gone" | sed 's/^/#   /'
fi

# the shared library's name carries the header's major version
major=$(sed -n 's/^#define EAF_VERSION_MAJOR *\([0-9]*\).*/\1/p' "$builddir/include/eafsearch-version.h")
soname=$(readelf -d "$so" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [ -n "$major" ] && [ "$soname" = "libeafsearch.so.$major" ]; then
    echo "ok 6 - soname $soname for version $major"
else
    echo "not ok 6 - soname '$soname' for header major version '$major'"
fi
echo "1..6"
