#!/bin/sh
# layering-selftest.sh: tests/layering.sh passes on this tree, and fails,
# naming the file, the line and what it reaches, on copies of the tree's
# sources with one fault added each: an upward include, an upward call,
# a file the table does not place, a circle within a layer, a tool that
# includes an internal header.  Comments and strings that name a higher
# layer change nothing, and an allow-list entry that matches nothing is
# noted without failing.  TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"
tap_tmpdir eaflayer

check="$srcdir/tests/layering.sh"
out=$(sh "$check" "$srcdir"); rc=$?
is "$rc" 0 "the layering check passes on this tree"
contains "$out" "ok 1 - " "and reports its files"
case "$out" in *"not ok"*) ok 1 "no file fails" ;; *) ok 0 "no file fails" ;; esac

# fresh COPY: the sources and the table, without the objects of a build
fresh() {
    rm -rf "$tmp/tree"
    mkdir -p "$tmp/tree/tests"
    (cd "$srcdir" && find lib tools include -name '*.[ch]') | while read -r f; do
        mkdir -p "$tmp/tree/$(dirname "$f")"
        cp "$srcdir/$f" "$tmp/tree/$f"
    done
    cp "$srcdir/tests/layering.table" "$tmp/tree/tests/"
}
# run: the check on the copy; sets rc and out
run() {
    out=$(sh "$check" "$tmp/tree"); rc=$?
}
# after FILE LINE TEXT: TEXT inserted after line LINE of FILE in the copy
after() {
    awk -v n="$2" -v text="$3" '{ print } NR == n { print text }' "$tmp/tree/$1" > "$tmp/edit"
    mv "$tmp/edit" "$tmp/tree/$1"
}
# first_include FILE: the line of its first #include
first_include() {
    grep -n '^#include' "$tmp/tree/$1" | head -n 1 | cut -d: -f1
}

fresh
n=$(first_include lib/buf.c)
after lib/buf.c "$n" '#include "search.h"'
run
is "$rc" 1 "an upward include fails the check"
contains "$out" "not ok" "with a test that is not ok"
contains "$out" "lib/buf.c:$((n + 1)): #include \"search.h\" of lib/search.h (search), above this file (base)" \
    "naming the file, the line, the header and both layers"

fresh
after lib/utf8.c "$(wc -l < "$tmp/tree/lib/utf8.c")" 'static void upward(void) { eaf__schema_create(0, 0); }'
run
is "$rc" 1 "an upward call fails the check"
contains "$out" "lib/utf8.c:$(wc -l < "$tmp/tree/lib/utf8.c"): eaf__schema_create of lib/schema.c (store), above this file (base)" \
    "naming the file, the line, the function and where it is defined"

fresh
mkdir -p "$tmp/tree/lib/import"
printf '#include "../eaf-private.h"\n#include "../../tools/common.h"\n' > "$tmp/tree/lib/import/probe.c"
run
is "$rc" 1 "an include that climbs out of a folder is followed"
contains "$out" "lib/import/probe.c:2: #include \"../../tools/common.h\" of tools/common.h (tools), above this file (import)" \
    "naming the file it reaches"
contains "$out" "ok 1 - lib/alloc.c" "(and the rest of the tree passes)"

fresh
printf 'int eaf__nowhere(void)\n{\n    return 0;\n}\n' > "$tmp/tree/lib/nowhere.c"
run
is "$rc" 1 "a file the table does not place fails the check"
contains "$out" "lib/nowhere.c has no layer in the table" "naming the file"

fresh
after lib/alloc.c "$(wc -l < "$tmp/tree/lib/alloc.c")" 'static void back(void) { eaf__buf_putc(0, 0); }'
run
is "$rc" 1 "a circle within a layer fails the check"
contains "$out" "a circle of 2 files: lib/alloc.c, lib/buf.c" "naming its files"
contains "$out" "# lib/alloc.c -> lib/buf.c: eaf__buf_putc" "and what ties them"

fresh
n=$(first_include tools/eafquery.c)
after tools/eafquery.c "$n" '#include "db.h"'
run
is "$rc" 1 "a tool that includes an internal header fails the check"
contains "$out" "tools/eafquery.c:$((n + 1)): #include \"db.h\" of lib/db.h: tools reach the library through include/ only" \
    "naming the file, the line and the header"

fresh
n=$(wc -l < "$tmp/tree/lib/buf.c")
after lib/buf.c "$n" '/* #include "search.h" and eaf__schema_create(db) are named here */'
after lib/buf.c "$((n + 1))" 'static const char *said = "eaf__schema_create(db); #include \"search.h\"";'
after lib/buf.c "$((n + 2))" '// eaf__feedback() in a line comment'
run
is "$rc" 0 "comments and strings that name a higher layer are no fault"

fresh
echo 'allow lib/alloc.c lib/related.c' >> "$tmp/tree/tests/layering.table"
run
is "$rc" 0 "an allow-list entry that matches nothing does not fail"
contains "$out" "# allow lib/alloc.c lib/related.c is no longer needed" "but is noted"

fresh
echo 'lib/alloc.c nowhere' > "$tmp/tree/tests/layers2"
cat "$tmp/tree/tests/layering.table" >> "$tmp/tree/tests/layers2"
out=$(EAF_LAYERS="$tmp/tree/tests/layers2" sh "$check" "$tmp/tree"); rc=$?
is "$rc" 1 "a table that names an unknown layer fails"
contains "$out" "lib/alloc.c: no layer nowhere in the order" "saying which"
done_testing
